/* Unit tests for svc/auth against a real SQLite store: admin and user token issuance and their
 * errors, every multi-login policy's kicks, force logout, and parse of unknown/expired tokens. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "auth.h"
#include "sqlite_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0_MS    1800000000000LL /* a fixed "now" */
#define LIFETIME (90LL * 86400)

typedef struct fixture {
    char path[512];
    tn_store *store;
    tn_config cfg;
    tn_svc svc;
    tn_arena arena;
    tn_ctx ctx;
} fixture;

static char secret[] = "s";
static char admin_id[] = "imAdmin";
static char app_id[] = "default";
static int db_seq;

/* A context as the HTTP layer makes one; admin: the caller is imAdmin. */
static void new_ctx(fixture *f, bool admin)
{
    int64_t now = f->ctx.now_ms ? f->ctx.now_ms : T0_MS;
    tn_ctx_init(&f->ctx, app_id, "op-auth", &f->arena);
    f->ctx.now_ms = now;
    if (admin) {
        snprintf(f->ctx.op_user_id, sizeof f->ctx.op_user_id, "%s", admin_id);
        f->ctx.op_platform = 10;
        f->ctx.is_admin = true;
    }
}

static void register_user(fixture *f, const char *id, int32_t level)
{
    tn_user u = {.user_id = id, .nickname = id, .create_time = 1, .app_manger_level = level};
    const char *dup;
    assert_int_equal(f->store->ops->users_insert(f->store, app_id, &u, 1, &dup), TN_OK);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s/auth_svc_test_%d_%d.db", tn_test_tmp_dir(), (int)getpid(),
             ++db_seq);
    tn_test_remove_db(f->path);
    char err[256] = "";
    f->store = tn_sqlite_open(f->path, err, sizeof err);
    if (!f->store)
        fail_msg("open: %s", err);
    f->cfg.secret = secret;
    f->cfg.admin_user_ids[0] = admin_id;
    f->cfg.admin_user_count = 1;
    f->cfg.token_expire_days = 90;
    f->cfg.multi_login_policy = 1;
    f->cfg.multi_login_max_per_platform = 2;
    f->cfg.app_id = app_id;
    assert_int_equal(tn_svc_init(&f->svc, &f->cfg, f->store), TN_OK);
    tn_arena_init(&f->arena);
    new_ctx(f, true);
    register_user(f, "alice", 0);
    register_user(f, "bob", 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tn_svc_free(&f->svc);
    tn_store_close(f->store);
    tn_arena_free_all(&f->arena);
    tn_test_remove_db(f->path);
    free(f);
    return 0;
}

/* Issues a user token as imAdmin one second after the previous one (distinct iat). */
static void issue(fixture *f, const char *user_id, int64_t platform, char *out)
{
    f->ctx.now_ms += 1000;
    new_ctx(f, true);
    tn_issued_token t;
    tn_err e = tn_auth_user_token(&f->svc, &f->ctx, user_id, platform, &t);
    if (e)
        fail_msg("user token for %s/%lld: %d %s", user_id, (long long)platform, e, f->ctx.detail);
    assert_int_equal(t.expire_seconds, LIFETIME);
    snprintf(out, TN_JWT_MAX, "%s", t.token);
}

static tn_err parse(fixture *f, const char *token)
{
    new_ctx(f, false);
    tn_jwt_claims c;
    return tn_auth_parse(&f->svc, &f->ctx, token, &c);
}

/* ---- set-up and admin tokens ---- */

static void test_init_creates_admin(void **state)
{
    fixture *f = *state;
    const char *id = admin_id;
    tn_user *u;
    size_t n;
    assert_int_equal(f->store->ops->users_get(f->store, app_id, &id, 1, &f->arena, &u, &n), TN_OK);
    assert_int_equal(n, 1);
    assert_string_equal(u[0].user_id, "imAdmin");
    assert_string_equal(u[0].nickname, "imAdmin");
    assert_int_equal(u[0].app_manger_level, 3);
    assert_true(u[0].create_time > 0);

    /* a second init (a restart) creates nothing new and fails nothing */
    tn_svc_free(&f->svc);
    assert_int_equal(tn_svc_init(&f->svc, &f->cfg, f->store), TN_OK);
    tn_user_query q = {.user_id_like = "imAdmin", .level_min = 0, .level_max = 100, .limit = 10};
    int64_t total;
    assert_int_equal(f->store->ops->users_query(f->store, app_id, &q, &f->arena, &u, &n, &total),
                     TN_OK);
    assert_int_equal(total, 1);
}

static void test_admin_token(void **state)
{
    fixture *f = *state;
    new_ctx(f, false);
    tn_issued_token t;
    assert_int_equal(tn_auth_admin_token(&f->svc, &f->ctx, "s", "imAdmin", &t), TN_OK);
    assert_int_equal(t.expire_seconds, LIFETIME);

    tn_jwt_claims c;
    assert_int_equal(tn_jwt_verify(&f->ctx, "s", t.token, T0_MS / 1000, &c), TN_OK);
    assert_string_equal(c.user_id, "imAdmin");
    assert_int_equal(c.platform_id, 10);
    assert_int_equal(c.exp, T0_MS / 1000 + LIFETIME);
    assert_int_equal(c.iat, T0_MS / 1000 - 5);

    /* admin tokens are valid without being stored */
    assert_int_equal(parse(f, t.token), TN_OK);
    new_ctx(f, false);
    assert_int_equal(tn_auth_authenticate(&f->svc, &f->ctx, t.token), TN_OK);
    assert_string_equal(f->ctx.op_user_id, "imAdmin");
    assert_int_equal(f->ctx.op_platform, 10);
    assert_true(f->ctx.is_admin);

    new_ctx(f, false);
    assert_int_equal(tn_auth_admin_token(&f->svc, &f->ctx, "S", "imAdmin", &t), TN_EPERM);
    assert_true(f->ctx.detail[0] != 0);
    new_ctx(f, false);
    assert_int_equal(tn_auth_admin_token(&f->svc, &f->ctx, "", "imAdmin", &t), TN_EPERM);
    new_ctx(f, false);
    assert_int_equal(tn_auth_admin_token(&f->svc, &f->ctx, "s", "alice", &t), TN_EARGS);
    assert_non_null(strstr(f->ctx.detail, "alice"));
    new_ctx(f, false);
    assert_int_equal(tn_auth_admin_token(&f->svc, &f->ctx, "s", "nobody", &t), TN_EARGS);
    /* the secret is checked first */
    new_ctx(f, false);
    assert_int_equal(tn_auth_admin_token(&f->svc, &f->ctx, "x", "alice", &t), TN_EPERM);
}

/* ---- user tokens ---- */

static void test_user_token(void **state)
{
    fixture *f = *state;
    char tok[TN_JWT_MAX];
    issue(f, "alice", 2, tok);

    tn_jwt_claims c;
    new_ctx(f, false);
    assert_int_equal(tn_auth_parse(&f->svc, &f->ctx, tok, &c), TN_OK);
    assert_string_equal(c.user_id, "alice");
    assert_int_equal(c.platform_id, 2);
    assert_int_equal(c.exp, f->ctx.now_ms / 1000 + LIFETIME);

    new_ctx(f, false);
    assert_int_equal(tn_auth_authenticate(&f->svc, &f->ctx, tok), TN_OK);
    assert_string_equal(f->ctx.op_user_id, "alice");
    assert_int_equal(f->ctx.op_platform, 2);
    assert_false(f->ctx.is_admin);

    /* stored with its platform and expiry */
    tn_token_rec *r;
    size_t n;
    assert_int_equal(f->store->ops->tokens_list(f->store, app_id, "alice", &f->arena, &r, &n),
                     TN_OK);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].token, tok);
    assert_int_equal(r[0].platform_id, 2);
    assert_int_equal(r[0].status, TN_TOKEN_NORMAL);
    assert_int_equal(r[0].expire_at, c.exp);

    /* the token with a different secret is no token */
    tn_svc other = f->svc;
    tn_config cfg2 = f->cfg;
    char s2[] = "other";
    cfg2.secret = s2;
    other.cfg = &cfg2;
    new_ctx(f, false);
    assert_int_equal(tn_auth_parse(&other, &f->ctx, tok, &c), TN_ETOKEN_UNKNOWN);
}

static void test_user_token_errors(void **state)
{
    fixture *f = *state;
    tn_issued_token t;

    new_ctx(f, false); /* a caller that is not an admin */
    snprintf(f->ctx.op_user_id, sizeof f->ctx.op_user_id, "bob");
    assert_int_equal(tn_auth_user_token(&f->svc, &f->ctx, "alice", 1, &t), TN_EPERM);
    assert_int_equal(tn_auth_user_token(&f->svc, &f->ctx, "bob", 1, &t), TN_EPERM);

    new_ctx(f, true);
    assert_int_equal(tn_auth_user_token(&f->svc, &f->ctx, "alice", 10, &t), TN_EPERM);
    new_ctx(f, true);
    assert_int_equal(tn_auth_user_token(&f->svc, &f->ctx, "alice", 0, &t), TN_EARGS);
    new_ctx(f, true);
    assert_int_equal(tn_auth_user_token(&f->svc, &f->ctx, "alice", 12, &t), TN_EARGS);
    new_ctx(f, true);
    assert_int_equal(tn_auth_user_token(&f->svc, &f->ctx, "ghost", 1, &t), TN_ENOTFOUND);
    assert_non_null(strstr(f->ctx.detail, "ghost"));
    /* an app admin must use get_admin_token */
    new_ctx(f, true);
    assert_int_equal(tn_auth_user_token(&f->svc, &f->ctx, "imAdmin", 1, &t), TN_EPERM);
    /* notification accounts get no user token */
    register_user(f, "notif", 3);
    new_ctx(f, true);
    assert_int_equal(tn_auth_user_token(&f->svc, &f->ctx, "notif", 1, &t), TN_EARGS);

    /* none of this stored anything */
    tn_token_rec *r;
    size_t n;
    const char *who[] = {"alice", "bob", "ghost", "imAdmin", "notif"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(f->store->ops->tokens_list(f->store, app_id, who[i], &f->arena, &r, &n),
                         TN_OK);
        assert_int_equal(n, 0);
    }
}

/* ---- multi-login policies ---- */

static void test_policy1_same_platform_kicks(void **state)
{
    fixture *f = *state;
    f->cfg.multi_login_policy = 1;
    char android[TN_JWT_MAX], ios1[TN_JWT_MAX], ios2[TN_JWT_MAX], bob_ios[TN_JWT_MAX];
    issue(f, "alice", 2, android);
    issue(f, "bob", 1, bob_ios);
    issue(f, "alice", 1, ios1);
    assert_string_not_equal(ios1, android);
    assert_int_equal(parse(f, ios1), TN_OK);
    issue(f, "alice", 1, ios2);
    assert_string_not_equal(ios1, ios2);

    assert_int_equal(parse(f, ios1), TN_ETOKEN_KICKED);
    assert_true(f->ctx.detail[0] != 0);
    assert_int_equal(parse(f, ios2), TN_OK);
    assert_int_equal(parse(f, android), TN_OK);
    assert_int_equal(parse(f, bob_ios), TN_OK); /* another user's token is untouched */
}

static void test_policy0_cap_per_platform(void **state)
{
    fixture *f = *state;
    f->cfg.multi_login_policy = 0;
    f->cfg.multi_login_max_per_platform = 2;
    char t1[TN_JWT_MAX], t2[TN_JWT_MAX], t3[TN_JWT_MAX], t4[TN_JWT_MAX], web[TN_JWT_MAX];
    issue(f, "alice", 5, web);
    issue(f, "alice", 1, t1);
    issue(f, "alice", 1, t2);
    assert_int_equal(parse(f, t1), TN_OK);
    assert_int_equal(parse(f, t2), TN_OK);

    issue(f, "alice", 1, t3);
    assert_int_equal(parse(f, t1), TN_ETOKEN_KICKED);
    assert_int_equal(parse(f, t2), TN_OK);
    assert_int_equal(parse(f, t3), TN_OK);
    assert_int_equal(parse(f, web), TN_OK);

    issue(f, "alice", 1, t4);
    assert_int_equal(parse(f, t2), TN_ETOKEN_KICKED);
    assert_int_equal(parse(f, t3), TN_OK);
    assert_int_equal(parse(f, t4), TN_OK);
    assert_int_equal(parse(f, web), TN_OK);
}

static void test_policy4_same_class_kicks(void **state)
{
    fixture *f = *state;
    f->cfg.multi_login_policy = 4;
    char ios[TN_JWT_MAX], win[TN_JWT_MAX], android[TN_JWT_MAX], web[TN_JWT_MAX];
    issue(f, "alice", 1, ios);
    issue(f, "alice", 3, win);
    issue(f, "alice", 5, web);
    assert_int_equal(parse(f, ios), TN_OK);
    issue(f, "alice", 2, android);
    assert_int_equal(parse(f, ios), TN_ETOKEN_KICKED);
    assert_int_equal(parse(f, android), TN_OK);
    assert_int_equal(parse(f, win), TN_OK);
    assert_int_equal(parse(f, web), TN_OK);

    /* Linux and Windows are both PC */
    char linux_[TN_JWT_MAX];
    issue(f, "alice", 7, linux_);
    assert_int_equal(parse(f, win), TN_ETOKEN_KICKED);
    assert_int_equal(parse(f, linux_), TN_OK);
    assert_int_equal(parse(f, android), TN_OK);
}

static void test_policy5_pc_and_one_other(void **state)
{
    fixture *f = *state;
    f->cfg.multi_login_policy = 5;
    char win[TN_JWT_MAX], osx[TN_JWT_MAX], ios[TN_JWT_MAX], android[TN_JWT_MAX];
    issue(f, "alice", 3, win);
    issue(f, "alice", 4, osx);
    assert_int_equal(parse(f, win), TN_OK);
    assert_int_equal(parse(f, osx), TN_OK);
    issue(f, "alice", 1, ios);
    assert_int_equal(parse(f, win), TN_OK);
    assert_int_equal(parse(f, osx), TN_OK);
    assert_int_equal(parse(f, ios), TN_OK);

    issue(f, "alice", 2, android);
    assert_int_equal(parse(f, ios), TN_ETOKEN_KICKED);
    assert_int_equal(parse(f, android), TN_OK);
    assert_int_equal(parse(f, win), TN_OK);
    assert_int_equal(parse(f, osx), TN_OK);
}

static void test_dead_tokens_are_forgotten(void **state)
{
    fixture *f = *state;
    f->cfg.multi_login_policy = 1;
    char t[5][TN_JWT_MAX];
    for (int i = 0; i < 5; i++)
        issue(f, "alice", 1, t[i]);
    /* each issuance kicks the previous token and forgets the ones kicked before */
    tn_token_rec *r;
    size_t n;
    assert_int_equal(f->store->ops->tokens_list(f->store, app_id, "alice", &f->arena, &r, &n),
                     TN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].token, t[3]);
    assert_int_equal(r[0].status, TN_TOKEN_KICKED);
    assert_string_equal(r[1].token, t[4]);
    assert_int_equal(r[1].status, TN_TOKEN_NORMAL);
    assert_int_equal(parse(f, t[0]), TN_ETOKEN_NOT_EXIST);
    assert_int_equal(parse(f, t[3]), TN_ETOKEN_KICKED);
    assert_int_equal(parse(f, t[4]), TN_OK);
}

/* ---- force logout ---- */

static void test_force_logout(void **state)
{
    fixture *f = *state;
    f->cfg.multi_login_policy = 0;
    f->cfg.multi_login_max_per_platform = 2;
    char a1[TN_JWT_MAX], a2[TN_JWT_MAX], android[TN_JWT_MAX], bob1[TN_JWT_MAX];
    issue(f, "alice", 1, a1);
    issue(f, "alice", 1, a2);
    issue(f, "alice", 2, android);
    issue(f, "bob", 1, bob1);

    new_ctx(f, false);
    snprintf(f->ctx.op_user_id, sizeof f->ctx.op_user_id, "alice");
    assert_int_equal(tn_auth_force_logout(&f->svc, &f->ctx, "alice", 1), TN_EPERM);
    assert_int_equal(parse(f, a1), TN_OK);

    new_ctx(f, true);
    assert_int_equal(tn_auth_force_logout(&f->svc, &f->ctx, "alice", 0), TN_EARGS);
    new_ctx(f, true);
    assert_int_equal(tn_auth_force_logout(&f->svc, &f->ctx, "alice", 1), TN_OK);
    assert_int_equal(parse(f, a1), TN_ETOKEN_KICKED);
    assert_int_equal(parse(f, a2), TN_ETOKEN_KICKED);
    assert_int_equal(parse(f, android), TN_OK);
    assert_int_equal(parse(f, bob1), TN_OK);

    /* again, and for a user or platform without tokens: nothing to do */
    new_ctx(f, true);
    assert_int_equal(tn_auth_force_logout(&f->svc, &f->ctx, "alice", 1), TN_OK);
    new_ctx(f, true);
    assert_int_equal(tn_auth_force_logout(&f->svc, &f->ctx, "ghost", 3), TN_OK);
    assert_int_equal(parse(f, android), TN_OK);

    /* a new login on the platform works again */
    char a3[TN_JWT_MAX];
    issue(f, "alice", 1, a3);
    assert_int_equal(parse(f, a3), TN_OK);
}

static void test_force_logout_harmony(void **state)
{
    fixture *f = *state;
    /* HarmonyOS (11) gets tokens, but OpenIM's force_logout validator accepts 1..10 only:
     * a client sending 11 gets 1001 there, and tern answers the same */
    char h[TN_JWT_MAX], android[TN_JWT_MAX];
    issue(f, "alice", 11, h);
    issue(f, "alice", 2, android);
    assert_int_equal(parse(f, h), TN_OK);
    new_ctx(f, true);
    assert_int_equal(tn_auth_force_logout(&f->svc, &f->ctx, "alice", 11), TN_EARGS);
    assert_int_equal(parse(f, h), TN_OK);
    new_ctx(f, true);
    assert_int_equal(tn_auth_force_logout(&f->svc, &f->ctx, "alice", 2), TN_OK);
    assert_int_equal(parse(f, android), TN_ETOKEN_KICKED);
    assert_int_equal(parse(f, h), TN_OK);
}

/* ---- parse ---- */

static void test_parse_unknown_and_expired(void **state)
{
    fixture *f = *state;
    /* signed with the right secret but never issued */
    tn_jwt_claims c = {
        .user_id = "alice", .platform_id = 1, .exp = T0_MS / 1000 + 1000, .iat = T0_MS / 1000 - 5};
    char tok[TN_JWT_MAX];
    assert_true(tn_jwt_sign("s", &c, tok, sizeof tok));
    assert_int_equal(parse(f, tok), TN_ETOKEN_NOT_EXIST);
    /* same for a user that does not exist */
    snprintf(c.user_id, sizeof c.user_id, "ghost");
    assert_true(tn_jwt_sign("s", &c, tok, sizeof tok));
    assert_int_equal(parse(f, tok), TN_ETOKEN_NOT_EXIST);

    /* a token that was issued parses until it expires */
    char real[TN_JWT_MAX];
    issue(f, "alice", 2, real);
    assert_int_equal(parse(f, real), TN_OK);

    assert_int_equal(parse(f, "garbage"), TN_ETOKEN_MALFORMED);
    assert_int_equal(parse(f, ""), TN_ETOKEN_MALFORMED);

    /* once the clock passes exp */
    f->ctx.now_ms += LIFETIME * 1000;
    assert_int_equal(parse(f, real), TN_ETOKEN_EXPIRED);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init_creates_admin),
        T(test_admin_token),
        T(test_user_token),
        T(test_user_token_errors),
        T(test_policy1_same_platform_kicks),
        T(test_policy0_cap_per_platform),
        T(test_policy4_same_class_kicks),
        T(test_policy5_pc_and_one_other),
        T(test_dead_tokens_are_forgotten),
        T(test_force_logout),
        T(test_force_logout_harmony),
        T(test_parse_unknown_and_expired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
