/* Unit tests for store/sqlite: every tn_store_ops call against a fresh database file, atomicity
 * of batches, persistence across close/reopen, and seq assignment under concurrent appenders. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "sqlite_store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define APP "default"

typedef tn_store_fixture fixture;

static int setup(void **state)
{
    return tn_store_fixture_setup(state, "sqlite_store_test");
}

static int teardown(void **state)
{
    return tn_store_fixture_teardown(state);
}

#define OPS (f->s->ops)

static tn_user user(const char *id, const char *nick, int32_t level)
{
    return (tn_user){.user_id = id,
                     .nickname = nick,
                     .face_url = "",
                     .ex = "",
                     .create_time = 1000,
                     .app_manger_level = level};
}

static size_t get_users(fixture *f, const char *const *ids, size_t n, tn_user **out)
{
    size_t count = 999;
    assert_int_equal(OPS->users_get(f->s, APP, ids, n, &f->arena, out, &count), TN_OK);
    return count;
}

static bool user_exists(fixture *f, const char *id)
{
    tn_user *u;
    return get_users(f, &id, 1, &u) == 1;
}

/* ---- users ---- */

static void test_users_insert_and_get(void **state)
{
    fixture *f = *state;
    tn_user batch[3] = {
        {.user_id = "alice",
         .nickname = "Alice",
         .face_url = "http://f/a.png",
         .ex = "{\"x\":1}",
         .create_time = 1700000000001,
         .app_manger_level = 1,
         .global_recv_msg_opt = 2},
        {.user_id = "bob"}, /* NULL strings are stored as "" */
        user("carol", "Carol", 0),
    };
    const char *dup = NULL;
    assert_int_equal(OPS->users_insert(f->s, APP, batch, 3, &dup), TN_OK);

    const char *ids[] = {"carol", "missing", "alice", "carol", "bob", "alice"};
    tn_user *u;
    size_t n = get_users(f, ids, 6, &u);
    assert_int_equal(n, 3);
    assert_string_equal(u[0].user_id, "carol");
    assert_string_equal(u[0].nickname, "Carol");
    assert_string_equal(u[1].user_id, "alice");
    assert_string_equal(u[1].nickname, "Alice");
    assert_string_equal(u[1].face_url, "http://f/a.png");
    assert_string_equal(u[1].ex, "{\"x\":1}");
    assert_int_equal(u[1].create_time, 1700000000001);
    assert_int_equal(u[1].app_manger_level, 1);
    assert_int_equal(u[1].global_recv_msg_opt, 2);
    assert_string_equal(u[2].user_id, "bob");
    assert_string_equal(u[2].nickname, "");
    assert_string_equal(u[2].face_url, "");
    assert_string_equal(u[2].ex, "");

    /* nothing asked, nothing found */
    assert_int_equal(get_users(f, NULL, 0, &u), 0);
    const char *none[] = {"x", "y"};
    assert_int_equal(get_users(f, none, 2, &u), 0);

    /* another app sees none of them */
    assert_int_equal(OPS->users_get(f->s, "other", ids, 6, &f->arena, &u, &n), TN_OK);
    assert_int_equal(n, 0);
    /* and may reuse the IDs */
    assert_int_equal(OPS->users_insert(f->s, "other", batch, 1, &dup), TN_OK);
}

static void test_users_insert_duplicate_is_atomic(void **state)
{
    fixture *f = *state;
    tn_user first[] = {user("u1", "one", 0), user("u2", "two", 0)};
    const char *dup = NULL;
    assert_int_equal(OPS->users_insert(f->s, APP, first, 2, &dup), TN_OK);

    tn_user second[] = {user("u3", "three", 0), user("u2", "TWO", 0), user("u4", "four", 0)};
    dup = NULL;
    assert_int_equal(OPS->users_insert(f->s, APP, second, 3, &dup), TN_EREGISTERED);
    assert_non_null(dup);
    assert_string_equal(dup, "u2");
    assert_false(user_exists(f, "u3"));
    assert_false(user_exists(f, "u4"));
    tn_user *u;
    const char *id = "u2";
    assert_int_equal(get_users(f, &id, 1, &u), 1);
    assert_string_equal(u[0].nickname, "two");

    /* a batch repeating one of its own IDs is refused whole too */
    tn_user self_dup[] = {user("u5", "", 0), user("u5", "", 0)};
    dup = NULL;
    assert_int_equal(OPS->users_insert(f->s, APP, self_dup, 2, &dup), TN_EREGISTERED);
    assert_string_equal(dup, "u5");
    assert_false(user_exists(f, "u5"));

    /* the store is still usable after the rollback */
    assert_int_equal(OPS->users_insert(f->s, APP, &second[0], 1, &dup), TN_OK);
    assert_true(user_exists(f, "u3"));
}

static void test_user_update(void **state)
{
    fixture *f = *state;
    tn_user u0 = {.user_id = "u1",
                  .nickname = "nick",
                  .face_url = "face",
                  .ex = "ex",
                  .create_time = 5,
                  .app_manger_level = 1,
                  .global_recv_msg_opt = 1};
    const char *dup;
    assert_int_equal(OPS->users_insert(f->s, APP, &u0, 1, &dup), TN_OK);
    const char *id = "u1";
    tn_user *u;

    /* only the nickname */
    tn_user_patch p = {.user_id = "u1", .nickname = "new"};
    assert_int_equal(OPS->user_update(f->s, APP, &p), TN_OK);
    get_users(f, &id, 1, &u);
    assert_string_equal(u[0].nickname, "new");
    assert_string_equal(u[0].face_url, "face");
    assert_string_equal(u[0].ex, "ex");
    assert_int_equal(u[0].app_manger_level, 1);
    assert_int_equal(u[0].global_recv_msg_opt, 1);
    assert_int_equal(u[0].create_time, 5);

    /* "" is a value, not "unchanged" */
    p = (tn_user_patch){.user_id = "u1", .face_url = "", .ex = "ex2"};
    assert_int_equal(OPS->user_update(f->s, APP, &p), TN_OK);
    get_users(f, &id, 1, &u);
    assert_string_equal(u[0].nickname, "new");
    assert_string_equal(u[0].face_url, "");
    assert_string_equal(u[0].ex, "ex2");

    /* levels only with has_*; 0 is a value */
    p = (tn_user_patch){.user_id = "u1", .app_manger_level = 4, .global_recv_msg_opt = 2};
    assert_int_equal(OPS->user_update(f->s, APP, &p), TN_OK);
    get_users(f, &id, 1, &u);
    assert_int_equal(u[0].app_manger_level, 1);
    assert_int_equal(u[0].global_recv_msg_opt, 1);
    p = (tn_user_patch){.user_id = "u1", .has_level = true, .app_manger_level = 0};
    assert_int_equal(OPS->user_update(f->s, APP, &p), TN_OK);
    get_users(f, &id, 1, &u);
    assert_int_equal(u[0].app_manger_level, 0);
    assert_int_equal(u[0].global_recv_msg_opt, 1);
    p = (tn_user_patch){.user_id = "u1", .has_recv_opt = true, .global_recv_msg_opt = 2};
    assert_int_equal(OPS->user_update(f->s, APP, &p), TN_OK);
    get_users(f, &id, 1, &u);
    assert_int_equal(u[0].app_manger_level, 0);
    assert_int_equal(u[0].global_recv_msg_opt, 2);
    assert_string_equal(u[0].nickname, "new");

    /* an update changing nothing still finds the user */
    p = (tn_user_patch){.user_id = "u1"};
    assert_int_equal(OPS->user_update(f->s, APP, &p), TN_OK);

    p = (tn_user_patch){.user_id = "ghost", .nickname = "x"};
    assert_int_equal(OPS->user_update(f->s, APP, &p), TN_ENOTFOUND);
    assert_int_equal(OPS->user_update(f->s, "other", &(tn_user_patch){.user_id = "u1"}),
                     TN_ENOTFOUND);
}

static void insert_query_users(fixture *f)
{
    tn_user us[] = {
        user("alice", "Wonder", 0), user("bob", "Builder", 0), user("carol", "Alison", 1),
        user("notif_1", "News", 3), user("robot_x", "Bot", 4), user("Malik", "Kalina", 0),
    };
    const char *dup;
    assert_int_equal(OPS->users_insert(f->s, APP, us, 6, &dup), TN_OK);
}

static void assert_ids(tn_user *u, size_t n, const char *const *want, size_t nwant)
{
    if (n != nwant)
        fail_msg("got %zu users, want %zu", n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(u[i].user_id, want[i]);
}

#define IDS(...)                                                                                   \
    ((const char *[]){__VA_ARGS__}), (sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *))

static void query(fixture *f, tn_user_query q, int64_t want_total, const char *const *want,
                  size_t nwant)
{
    tn_user *u = NULL;
    size_t n = 999;
    int64_t total = -1;
    assert_int_equal(OPS->users_query(f->s, APP, &q, &f->arena, &u, &n, &total), TN_OK);
    assert_int_equal(total, want_total);
    assert_ids(u, n, want, nwant);
}

static void test_users_query(void **state)
{
    fixture *f = *state;
    insert_query_users(f);
    const int64_t L = 100;

    /* everyone, in insertion order */
    query(f, (tn_user_query){.level_min = 0, .level_max = 10, .limit = L}, 6,
          IDS("alice", "bob", "carol", "notif_1", "robot_x", "Malik"));
    /* level range, inclusive */
    query(f, (tn_user_query){.level_min = 3, .level_max = 4, .limit = L}, 2,
          IDS("notif_1", "robot_x"));
    query(f, (tn_user_query){.level_min = 1, .level_max = 1, .limit = L}, 1, IDS("carol"));
    /* user ID substring, case-insensitive */
    query(f, (tn_user_query){.user_id_like = "AL", .level_min = 0, .level_max = 10, .limit = L}, 2,
          IDS("alice", "Malik"));
    /* nickname substring, case-insensitive */
    query(f, (tn_user_query){.nickname_like = "ali", .level_min = 0, .level_max = 10, .limit = L},
          2, IDS("carol", "Malik"));
    /* both keywords: either matches */
    query(f,
          (tn_user_query){.user_id_like = "bob",
                          .nickname_like = "news",
                          .level_min = 0,
                          .level_max = 10,
                          .limit = L},
          2, IDS("bob", "notif_1"));
    /* keyword and level range combine */
    query(f, (tn_user_query){.user_id_like = "o", .level_min = 3, .level_max = 4, .limit = L}, 2,
          IDS("notif_1", "robot_x"));
    /* exact user ID */
    query(f,
          (tn_user_query){.user_id_like = "ali",
                          .exact_user_id = true,
                          .level_min = 0,
                          .level_max = 10,
                          .limit = L},
          0, NULL, 0);
    query(f,
          (tn_user_query){.user_id_like = "alice",
                          .exact_user_id = true,
                          .level_min = 0,
                          .level_max = 10,
                          .limit = L},
          1, IDS("alice"));
    /* offset and limit, total counts the whole match */
    query(f, (tn_user_query){.level_min = 0, .level_max = 10, .offset = 1, .limit = 2}, 6,
          IDS("bob", "carol"));
    query(f, (tn_user_query){.level_min = 0, .level_max = 10, .offset = 5, .limit = 10}, 6,
          IDS("Malik"));
    query(f, (tn_user_query){.level_min = 0, .level_max = 10, .offset = 6, .limit = 10}, 6, NULL,
          0);
    /* limit 0: count only */
    query(f, (tn_user_query){.level_min = 0, .level_max = 10, .limit = 0}, 6, NULL, 0);
    query(f, (tn_user_query){.user_id_like = "zzz", .level_min = 0, .level_max = 10, .limit = L}, 0,
          NULL, 0);
    /* another app */
    tn_user *u;
    size_t n;
    int64_t total;
    tn_user_query q = {.level_min = 0, .level_max = 10, .limit = L};
    assert_int_equal(OPS->users_query(f->s, "other", &q, &f->arena, &u, &n, &total), TN_OK);
    assert_int_equal(total, 0);
    assert_int_equal(n, 0);
}

/* ---- tokens ---- */

static tn_token_change put(const char *tok, int32_t platform, int64_t exp)
{
    return (tn_token_change){TN_TOKEN_OP_PUT,
                             {.token = tok, .platform_id = platform, .expire_at = exp}};
}

static tn_token_change op(tn_token_op o, const char *tok)
{
    return (tn_token_change){o, {.token = tok}};
}

static int32_t status_of(fixture *f, const char *user_id, int32_t platform, const char *tok)
{
    int32_t st = -1;
    tn_err e = OPS->token_status(f->s, APP, user_id, platform, tok, &st);
    return e == TN_OK ? st : -(int32_t)e;
}

static void test_tokens(void **state)
{
    fixture *f = *state;
    tn_token_change c1[] = {put("t1", 1, 100), put("t2", 2, 200), put("t3", 1, 300)};
    assert_int_equal(OPS->tokens_apply(f->s, APP, "u1", c1, 3), TN_OK);
    tn_token_change other[] = {put("t9", 1, 900)};
    assert_int_equal(OPS->tokens_apply(f->s, APP, "u2", other, 1), TN_OK);

    tn_token_rec *r;
    size_t n = 999;
    assert_int_equal(OPS->tokens_list(f->s, APP, "u1", &f->arena, &r, &n), TN_OK);
    assert_int_equal(n, 3);
    assert_string_equal(r[0].token, "t1");
    assert_int_equal(r[0].platform_id, 1);
    assert_int_equal(r[0].status, TN_TOKEN_NORMAL);
    assert_int_equal(r[0].expire_at, 100);
    assert_string_equal(r[1].token, "t2");
    assert_int_equal(r[1].platform_id, 2);
    assert_int_equal(r[1].expire_at, 200);
    assert_string_equal(r[2].token, "t3");
    assert_int_equal(r[2].platform_id, 1);
    assert_int_equal(r[2].expire_at, 300);

    assert_int_equal(status_of(f, "u1", 1, "t1"), TN_TOKEN_NORMAL);
    assert_int_equal(status_of(f, "u1", 2, "t1"), -TN_ENOTFOUND); /* wrong platform */
    assert_int_equal(status_of(f, "u2", 1, "t1"), -TN_ENOTFOUND); /* wrong user */
    assert_int_equal(status_of(f, "u1", 1, "nope"), -TN_ENOTFOUND);

    /* kick one, delete another, add a fourth: one transaction */
    tn_token_change c2[] = {op(TN_TOKEN_OP_KICK, "t1"), op(TN_TOKEN_OP_DELETE, "t2"),
                            put("t4", 3, 400)};
    assert_int_equal(OPS->tokens_apply(f->s, APP, "u1", c2, 3), TN_OK);
    assert_int_equal(status_of(f, "u1", 1, "t1"), TN_TOKEN_KICKED);
    assert_int_equal(status_of(f, "u1", 2, "t2"), -TN_ENOTFOUND);
    assert_int_equal(status_of(f, "u1", 1, "t3"), TN_TOKEN_NORMAL);
    assert_int_equal(status_of(f, "u1", 3, "t4"), TN_TOKEN_NORMAL);
    assert_int_equal(status_of(f, "u2", 1, "t9"), TN_TOKEN_NORMAL);

    assert_int_equal(OPS->tokens_list(f->s, APP, "u1", &f->arena, &r, &n), TN_OK);
    assert_int_equal(n, 3);
    assert_string_equal(r[0].token, "t1");
    assert_int_equal(r[0].status, TN_TOKEN_KICKED);
    assert_string_equal(r[1].token, "t3");
    assert_string_equal(r[2].token, "t4");
    assert_int_equal(r[2].platform_id, 3);

    /* kicking another user's token touches nothing */
    tn_token_change c3[] = {op(TN_TOKEN_OP_KICK, "t9")};
    assert_int_equal(OPS->tokens_apply(f->s, APP, "u1", c3, 1), TN_OK);
    assert_int_equal(status_of(f, "u2", 1, "t9"), TN_TOKEN_NORMAL);

    /* an empty list */
    assert_int_equal(OPS->tokens_list(f->s, APP, "nobody", &f->arena, &r, &n), TN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(OPS->tokens_list(f->s, "other", "u1", &f->arena, &r, &n), TN_OK);
    assert_int_equal(n, 0);
}

static void test_tokens_many(void **state)
{
    fixture *f = *state;
    char names[30][16];
    tn_token_change c[30];
    for (int i = 0; i < 30; i++) {
        snprintf(names[i], sizeof names[i], "tok%02d", i);
        c[i] = put(names[i], 1 + i % 9, i);
    }
    assert_int_equal(OPS->tokens_apply(f->s, APP, "u1", c, 30), TN_OK);
    tn_token_rec *r;
    size_t n;
    assert_int_equal(OPS->tokens_list(f->s, APP, "u1", &f->arena, &r, &n), TN_OK);
    assert_int_equal(n, 30);
    for (int i = 0; i < 30; i++) {
        assert_string_equal(r[i].token, names[i]);
        assert_int_equal(r[i].platform_id, 1 + i % 9);
        assert_int_equal(r[i].expire_at, i);
    }
}

/* ---- user commands ---- */

static tn_user_command cmd(int32_t type, const char *uuid, const char *value, const char *ex,
                           int64_t t)
{
    return (tn_user_command){
        .type = type, .uuid = uuid, .value = value, .ex = ex, .create_time = t};
}

static void test_commands(void **state)
{
    fixture *f = *state;
    tn_user_command c1 = cmd(1, "a", "v1", "e1", 111);
    assert_int_equal(OPS->command_add(f->s, APP, "u1", &c1), TN_OK);
    tn_user_command dup = cmd(1, "a", "other", "", 222);
    assert_int_equal(OPS->command_add(f->s, APP, "u1", &dup), TN_EDUP);
    /* the same uuid under another type, or another user, is distinct */
    tn_user_command c2 = cmd(2, "a", "v2", NULL, 333);
    assert_int_equal(OPS->command_add(f->s, APP, "u1", &c2), TN_OK);
    assert_int_equal(OPS->command_add(f->s, APP, "u2", &c1), TN_OK);
    tn_user_command c3 = cmd(1, "b", NULL, "e3", 444);
    assert_int_equal(OPS->command_add(f->s, APP, "u1", &c3), TN_OK);

    tn_user_command *l;
    size_t n = 999;
    assert_int_equal(OPS->commands_get(f->s, APP, "u1", 1, &f->arena, &l, &n), TN_OK);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].type, 1);
    assert_string_equal(l[0].uuid, "a");
    assert_string_equal(l[0].value, "v1"); /* the duplicate did not overwrite */
    assert_string_equal(l[0].ex, "e1");
    assert_int_equal(l[0].create_time, 111);
    assert_string_equal(l[1].uuid, "b");
    assert_string_equal(l[1].value, "");
    assert_string_equal(l[1].ex, "e3");

    assert_int_equal(OPS->commands_get(f->s, APP, "u1", 0, &f->arena, &l, &n), TN_OK);
    assert_int_equal(n, 3);
    assert_int_equal(l[0].type, 1);
    assert_int_equal(l[1].type, 2);
    assert_string_equal(l[1].value, "v2");
    assert_string_equal(l[1].ex, "");
    assert_int_equal(l[1].create_time, 333);
    assert_int_equal(l[2].type, 1);
    assert_int_equal(OPS->commands_get(f->s, APP, "u1", 7, &f->arena, &l, &n), TN_OK);
    assert_int_equal(n, 0);

    /* update: NULL keeps the old value */
    tn_user_command up = cmd(1, "a", NULL, "e1b", 999);
    assert_int_equal(OPS->command_update(f->s, APP, "u1", &up), TN_OK);
    up = cmd(2, "a", "v2b", NULL, 999);
    assert_int_equal(OPS->command_update(f->s, APP, "u1", &up), TN_OK);
    assert_int_equal(OPS->commands_get(f->s, APP, "u1", 0, &f->arena, &l, &n), TN_OK);
    assert_int_equal(n, 3);
    assert_string_equal(l[0].value, "v1");
    assert_string_equal(l[0].ex, "e1b");
    assert_int_equal(l[0].create_time, 111);
    assert_string_equal(l[1].value, "v2b");
    assert_string_equal(l[1].ex, "");
    up = cmd(3, "a", "x", "x", 1);
    assert_int_equal(OPS->command_update(f->s, APP, "u1", &up), TN_ENOTFOUND);
    up = cmd(1, "zz", "x", "x", 1);
    assert_int_equal(OPS->command_update(f->s, APP, "u1", &up), TN_ENOTFOUND);
    /* u2's copy was not touched */
    assert_int_equal(OPS->commands_get(f->s, APP, "u2", 0, &f->arena, &l, &n), TN_OK);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].ex, "e1");

    /* delete */
    assert_int_equal(OPS->command_delete(f->s, APP, "u1", 1, "missing"), TN_ENOTFOUND);
    assert_int_equal(OPS->command_delete(f->s, APP, "u1", 3, "a"), TN_ENOTFOUND);
    assert_int_equal(OPS->command_delete(f->s, APP, "u1", 1, "a"), TN_OK);
    assert_int_equal(OPS->command_delete(f->s, APP, "u1", 1, "a"), TN_ENOTFOUND);
    assert_int_equal(OPS->commands_get(f->s, APP, "u1", 0, &f->arena, &l, &n), TN_OK);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].type, 2);
    assert_string_equal(l[1].uuid, "b");
    assert_int_equal(OPS->commands_get(f->s, APP, "u2", 1, &f->arena, &l, &n), TN_OK);
    assert_int_equal(n, 1);
    /* delete, then add again */
    assert_int_equal(OPS->command_add(f->s, APP, "u1", &c1), TN_OK);
}

static void test_commands_many(void **state)
{
    fixture *f = *state;
    char uuids[25][8];
    for (int i = 0; i < 25; i++) {
        snprintf(uuids[i], sizeof uuids[i], "c%02d", i);
        tn_user_command c = cmd(1 + i % 3, uuids[i], uuids[i], "", i);
        assert_int_equal(OPS->command_add(f->s, APP, "u1", &c), TN_OK);
    }
    tn_user_command *l;
    size_t n;
    assert_int_equal(OPS->commands_get(f->s, APP, "u1", 0, &f->arena, &l, &n), TN_OK);
    assert_int_equal(n, 25);
    for (int i = 0; i < 25; i++) {
        assert_string_equal(l[i].uuid, uuids[i]);
        assert_string_equal(l[i].value, uuids[i]);
        assert_int_equal(l[i].create_time, i);
    }
    assert_int_equal(OPS->commands_get(f->s, APP, "u1", 2, &f->arena, &l, &n), TN_OK);
    assert_int_equal(n, 8); /* i = 1, 4, …, 22 */
}

/* ---- client config ---- */

static void expect_cfg(fixture *f, const char *user_id, const char *key, int64_t offset,
                       int64_t limit, int64_t want_total, const tn_kv *want, size_t nwant)
{
    tn_kv *kv = NULL;
    size_t n = 999;
    int64_t total = -1;
    assert_int_equal(
        OPS->client_config_page(f->s, APP, user_id, key, offset, limit, &f->arena, &kv, &n, &total),
        TN_OK);
    assert_int_equal(total, want_total);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(kv[i].user_id, want[i].user_id);
        assert_string_equal(kv[i].key, want[i].key);
        assert_string_equal(kv[i].value, want[i].value);
    }
}

static void test_client_config(void **state)
{
    fixture *f = *state;
    tn_kv set1[] = {{"u1", "k2", "x"}, {"", "k1", "g1"}, {"u1", "k1", "u1v"}, {"u2", "k1", "u2v"}};
    assert_int_equal(OPS->client_config_set(f->s, APP, set1, 4), TN_OK);
    /* upsert */
    tn_kv set2[] = {{"", "k1", "g1b"}};
    assert_int_equal(OPS->client_config_set(f->s, APP, set2, 1), TN_OK);

    tn_kv all[] = {{"", "k1", "g1b"}, {"u1", "k1", "u1v"}, {"u1", "k2", "x"}, {"u2", "k1", "u2v"}};
    expect_cfg(f, NULL, NULL, 0, 100, 4, all, 4);
    expect_cfg(f, "u1", NULL, 0, 100, 2, all + 1, 2);
    expect_cfg(f, "", NULL, 0, 100, 1, all, 1);
    tn_kv k1[] = {all[0], all[1], all[3]};
    expect_cfg(f, NULL, "k1", 0, 100, 3, k1, 3);
    expect_cfg(f, "u1", "k2", 0, 100, 1, all + 2, 1);
    expect_cfg(f, "u3", NULL, 0, 100, 0, NULL, 0);
    /* paging */
    expect_cfg(f, NULL, NULL, 1, 2, 4, all + 1, 2);
    expect_cfg(f, NULL, NULL, 3, 2, 4, all + 3, 1);
    expect_cfg(f, NULL, NULL, 4, 2, 4, NULL, 0);
    expect_cfg(f, NULL, NULL, 0, 0, 4, NULL, 0);

    /* delete: present and absent keys alike */
    const char *keys[] = {"k1", "nope"};
    assert_int_equal(OPS->client_config_delete(f->s, APP, "u1", keys, 2), TN_OK);
    tn_kv left[] = {all[0], all[2], all[3]};
    expect_cfg(f, NULL, NULL, 0, 100, 3, left, 3);
    /* deleting a user's key leaves the global one alone and vice versa */
    assert_int_equal(OPS->client_config_delete(f->s, APP, "", keys, 1), TN_OK);
    expect_cfg(f, NULL, NULL, 0, 100, 2, left + 1, 2);

    /* other apps are separate */
    tn_kv *kv;
    size_t n;
    int64_t total;
    assert_int_equal(
        OPS->client_config_page(f->s, "other", NULL, NULL, 0, 10, &f->arena, &kv, &n, &total),
        TN_OK);
    assert_int_equal(total, 0);
}

/* ---- messages ---- */

static tn_msg_rec msg(const char *conv, const char *cid, const char *sid, const char *data)
{
    return (tn_msg_rec){.conversation_id = conv,
                        .client_msg_id = cid,
                        .server_msg_id = sid,
                        .send_id = "sender",
                        .send_time = 1700000000000,
                        .data = data,
                        .data_len = strlen(data)};
}

static int64_t seq_max(fixture *f, const char *conv)
{
    int64_t m = -1;
    assert_int_equal(OPS->seq_max(f->s, APP, conv, &m), TN_OK);
    return m;
}

static tn_msg_rec *range(fixture *f, const char *conv, int64_t b, int64_t e, size_t *n)
{
    tn_msg_rec *out = NULL;
    *n = 999;
    assert_int_equal(OPS->msgs_range(f->s, APP, conv, b, e, &f->arena, &out, n), TN_OK);
    return out;
}

static void test_msgs_append(void **state)
{
    fixture *f = *state;
    assert_int_equal(seq_max(f, "si_a_b"), 0);

    tn_msg_rec a[] = {msg("si_a_b", "c1", "s1", "one"), msg("si_a_b", "c2", "s2", "two"),
                      msg("si_a_b", "c3", "s3", "three")};
    bool dup[3] = {true, true, true};
    assert_int_equal(OPS->msgs_append(f->s, APP, a, 3, dup, &f->arena), TN_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(a[i].seq, i + 1);
        assert_false(dup[i]);
    }
    assert_int_equal(seq_max(f, "si_a_b"), 3);

    /* another conversation counts from 1 */
    tn_msg_rec b[] = {msg("sg_g1", "c1", "gs1", "g-one")};
    assert_int_equal(OPS->msgs_append(f->s, APP, b, 1, dup, &f->arena), TN_OK);
    assert_int_equal(b[0].seq, 1);
    assert_false(dup[0]);

    /* a batch mixing both */
    tn_msg_rec mix[] = {msg("si_a_b", "c4", "s4", "four"), msg("sg_g1", "c2", "gs2", "g-two"),
                        msg("si_a_b", "c5", "s5", "five")};
    assert_int_equal(OPS->msgs_append(f->s, APP, mix, 3, dup, &f->arena), TN_OK);
    assert_int_equal(mix[0].seq, 4);
    assert_int_equal(mix[1].seq, 2);
    assert_int_equal(mix[2].seq, 5);
    assert_int_equal(seq_max(f, "si_a_b"), 5);
    assert_int_equal(seq_max(f, "sg_g1"), 2);
    assert_int_equal(seq_max(f, "unknown"), 0);

    /* the same seqs in another app are independent */
    tn_msg_rec o[] = {msg("si_a_b", "c1", "x", "x")};
    assert_int_equal(OPS->msgs_append(f->s, "other", o, 1, dup, &f->arena), TN_OK);
    assert_int_equal(o[0].seq, 1);
    assert_false(dup[0]);
    assert_int_equal(seq_max(f, "si_a_b"), 5);
}

static void test_msgs_append_duplicate(void **state)
{
    fixture *f = *state;
    tn_msg_rec a[] = {msg("c", "m1", "srv1", "first"), msg("c", "m2", "srv2", "second")};
    bool dup[3];
    assert_int_equal(OPS->msgs_append(f->s, APP, a, 2, dup, &f->arena), TN_OK);

    /* m2 again, with a new server ID and body, next to a new message */
    tn_msg_rec again[] = {msg("c", "m2", "srv-new", "CHANGED"), msg("c", "m3", "srv3", "third")};
    dup[0] = dup[1] = false;
    assert_int_equal(OPS->msgs_append(f->s, APP, again, 2, dup, &f->arena), TN_OK);
    assert_true(dup[0]);
    assert_int_equal(again[0].seq, 2);
    assert_string_equal(again[0].server_msg_id, "srv2");
    assert_false(dup[1]);
    assert_int_equal(again[1].seq, 3); /* no seq was spent on the duplicate */
    assert_int_equal(seq_max(f, "c"), 3);

    size_t n;
    tn_msg_rec *r = range(f, "c", 1, 10, &n);
    assert_int_equal(n, 3);
    assert_int_equal(r[1].seq, 2);
    assert_string_equal(r[1].server_msg_id, "srv2");
    assert_int_equal(r[1].data_len, 6);
    assert_memory_equal(r[1].data, "second", 6);

    /* a duplicate within one batch */
    tn_msg_rec twice[] = {msg("c", "m4", "srv4", "x"), msg("c", "m4", "srv4b", "y")};
    assert_int_equal(OPS->msgs_append(f->s, APP, twice, 2, dup, &f->arena), TN_OK);
    assert_false(dup[0]);
    assert_int_equal(twice[0].seq, 4);
    assert_true(dup[1]);
    assert_int_equal(twice[1].seq, 4);
    assert_string_equal(twice[1].server_msg_id, "srv4");
    assert_int_equal(seq_max(f, "c"), 4);

    /* the same client ID in another conversation is not a duplicate */
    tn_msg_rec other[] = {msg("d", "m1", "srvd", "d")};
    assert_int_equal(OPS->msgs_append(f->s, APP, other, 1, dup, &f->arena), TN_OK);
    assert_false(dup[0]);
    assert_int_equal(other[0].seq, 1);
}

static void test_msgs_range(void **state)
{
    fixture *f = *state;
    size_t n;
    range(f, "c", 1, 10, &n);
    assert_int_equal(n, 0);

    /* 40 messages with binary bodies (NUL bytes, high bytes), plus an empty one */
    enum { N = 40 };
    static unsigned char bodies[N][8];
    char cids[N][8], sids[N][8];
    tn_msg_rec m[N + 1];
    bool dup[N + 1];
    for (int i = 0; i < N; i++) {
        snprintf(cids[i], sizeof cids[i], "c%d", i);
        snprintf(sids[i], sizeof sids[i], "s%d", i);
        for (int j = 0; j < 8; j++)
            bodies[i][j] = (unsigned char)(i * 8 + j * 37);
        bodies[i][3] = 0;
        m[i] = (tn_msg_rec){.conversation_id = "c",
                            .client_msg_id = cids[i],
                            .server_msg_id = sids[i],
                            .send_id = i % 2 ? "alice" : "bob",
                            .send_time = 1000 + i,
                            .data = bodies[i],
                            .data_len = 8};
    }
    static const char empty[1] = "";
    m[N] = (tn_msg_rec){.conversation_id = "c",
                        .client_msg_id = "empty",
                        .server_msg_id = "se",
                        .send_id = "bob",
                        .send_time = 5,
                        .data = empty,
                        .data_len = 0};
    assert_int_equal(OPS->msgs_append(f->s, APP, m, N + 1, dup, &f->arena), TN_OK);

    tn_msg_rec *r = range(f, "c", 1, N + 1, &n);
    assert_int_equal(n, N + 1);
    for (int i = 0; i < N; i++) {
        assert_int_equal(r[i].seq, i + 1);
        assert_string_equal(r[i].conversation_id, "c");
        assert_string_equal(r[i].client_msg_id, cids[i]);
        assert_string_equal(r[i].server_msg_id, sids[i]);
        assert_string_equal(r[i].send_id, i % 2 ? "alice" : "bob");
        assert_int_equal(r[i].send_time, 1000 + i);
        assert_int_equal(r[i].data_len, 8);
        assert_memory_equal(r[i].data, bodies[i], 8);
    }
    assert_int_equal(r[N].seq, N + 1);
    assert_int_equal(r[N].data_len, 0);
    assert_non_null(r[N].data);

    /* bounds are inclusive */
    r = range(f, "c", 5, 7, &n);
    assert_int_equal(n, 3);
    assert_int_equal(r[0].seq, 5);
    assert_int_equal(r[1].seq, 6);
    assert_int_equal(r[2].seq, 7);
    r = range(f, "c", 9, 9, &n);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].seq, 9);
    assert_string_equal(r[0].client_msg_id, "c8");
    /* clipped at both ends */
    r = range(f, "c", -5, 2, &n);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].seq, 1);
    r = range(f, "c", 40, 1000, &n);
    assert_int_equal(n, 2);
    assert_int_equal(r[1].seq, 41);
    /* end < begin */
    range(f, "c", 7, 5, &n);
    assert_int_equal(n, 0);
    /* beyond the end, another conversation, another app */
    range(f, "c", 42, 50, &n);
    assert_int_equal(n, 0);
    range(f, "d", 1, 10, &n);
    assert_int_equal(n, 0);
    tn_msg_rec *out;
    assert_int_equal(OPS->msgs_range(f->s, "other", "c", 1, 10, &f->arena, &out, &n), TN_OK);
    assert_int_equal(n, 0);
}

/* ---- persistence ---- */

static void test_reopen(void **state)
{
    fixture *f = *state;
    tn_user u = user("persist", "P", 2);
    const char *dup;
    assert_int_equal(OPS->users_insert(f->s, APP, &u, 1, &dup), TN_OK);
    tn_token_change t[] = {put("tok", 2, 77)};
    assert_int_equal(OPS->tokens_apply(f->s, APP, "persist", t, 1), TN_OK);
    tn_msg_rec m[] = {msg("c", "m1", "s1", "hello"), msg("c", "m2", "s2", "world")};
    bool d[2];
    assert_int_equal(OPS->msgs_append(f->s, APP, m, 2, d, &f->arena), TN_OK);
    tn_kv kv = {"", "k", "v"};
    assert_int_equal(OPS->client_config_set(f->s, APP, &kv, 1), TN_OK);
    tn_user_command c = cmd(1, "x", "y", "z", 9);
    assert_int_equal(OPS->command_add(f->s, APP, "persist", &c), TN_OK);

    for (int round = 0; round < 2; round++) {
        tn_store_close(f->s);
        f->s = tn_test_open_store(f->path); /* migrations must not run twice */

        const char *id = "persist";
        tn_user *got;
        assert_int_equal(get_users(f, &id, 1, &got), 1);
        assert_string_equal(got[0].nickname, "P");
        assert_int_equal(got[0].app_manger_level, 2);
        assert_int_equal(status_of(f, "persist", 2, "tok"), TN_TOKEN_NORMAL);
        assert_int_equal(seq_max(f, "c"), 2 + round);
        size_t n;
        tn_msg_rec *r = range(f, "c", 1, 10, &n);
        assert_int_equal(n, 2 + round);
        assert_memory_equal(r[1].data, "world", 5);
        int64_t total;
        tn_kv *kvs;
        assert_int_equal(
            OPS->client_config_page(f->s, APP, NULL, NULL, 0, 10, &f->arena, &kvs, &n, &total),
            TN_OK);
        assert_int_equal(total, 1);
        tn_user_command *cl;
        assert_int_equal(OPS->commands_get(f->s, APP, "persist", 0, &f->arena, &cl, &n), TN_OK);
        assert_int_equal(n, 1);
        /* seqs continue where they stopped; duplicates are still recognised */
        tn_msg_rec more[] = {msg("c", round ? "m4" : "m3", "s", "x"), msg("c", "m1", "new", "x")};
        assert_int_equal(OPS->msgs_append(f->s, APP, more, 2, d, &f->arena), TN_OK);
        assert_int_equal(more[0].seq, 3 + round);
        assert_false(d[0]);
        assert_true(d[1]);
        assert_int_equal(more[1].seq, 1);
        assert_string_equal(more[1].server_msg_id, "s1");
    }

    /* the schema version was recorded (the store closed first: its indexer writes in the
     * background) */
    tn_store_close(f->s);
    f->s = NULL;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    assert_true(version >= 1);
    /* a database from a newer version is refused */
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", version + 1);
    assert_int_equal(sqlite3_exec(db, pragma, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char err[256] = "";
    tn_store *s = tn_sqlite_open(f->path, err, sizeof err);
    if (s) {
        tn_store_close(s);
        fail_msg("a newer schema version was opened");
    }
    assert_true(err[0] != 0);
}

/* Appends wait for the indexer once the unindexed backlog reaches its bound, and wake it at
 * once rather than after its round delay: the backlog never grows past the bound, and every
 * message still gets its seq and its row. */
static void test_backlog_bound(void **state)
{
    fixture *f = *state;
    tn_sqlite_set_backlog_limit(f->s, 3);
    for (int i = 0; i < 40; i++) {
        char cid[16];
        snprintf(cid, sizeof cid, "b%d", i);
        tn_msg_rec one[] = {msg("si_a_b", tn_arena_strdup(&f->arena, cid), "s", "x")};
        bool d[1];
        assert_int_equal(OPS->msgs_append(f->s, APP, one, 1, d, &f->arena), TN_OK);
        assert_false(d[0]);
        assert_int_equal(one[0].seq, i + 1);
        size_t backlog = tn_sqlite_unindexed(f->s);
        if (backlog > 3)
            fail_msg("%zu records unindexed after append %d, bound 3", backlog, i);
    }
    size_t n;
    tn_msg_rec *r = range(f, "si_a_b", 1, 100, &n);
    assert_int_equal(n, 40);
    assert_string_equal(r[39].client_msg_id, "b39");
    assert_int_equal(tn_sqlite_unindexed(f->s), 0);
    tn_sqlite_set_backlog_limit(f->s, 0);
}

/* The indexer commits a resent message's original, and drops it from pending, while an append
 * of the same batch is already reading through a snapshot taken before that commit: the resend
 * is still recognised and gets the original's seq, not a second row. */
static void index_all_now(void *udata)
{
    fixture *f = udata;
    static bool done;
    if (done)
        return;
    done = true;
    tn_sqlite_pause_indexer(f->s, false);
    for (int i = 0; i < 5000 && tn_sqlite_unindexed(f->s) > 0; i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    assert_int_equal(tn_sqlite_unindexed(f->s), 0);
}

static void test_resend_while_indexed(void **state)
{
    fixture *f = *state;
    tn_sqlite_pause_indexer(f->s, true);
    tn_msg_rec first[] = {msg("si_a_b", "orig", "s-orig", "one")};
    bool d[2];
    assert_int_equal(OPS->msgs_append(f->s, APP, first, 1, d, &f->arena), TN_OK);
    assert_int_equal(first[0].seq, 1);
    /* "new" is looked up first; the hook then indexes "orig" inside the same append */
    tn_sqlite_set_find_hook(f->s, index_all_now, f);
    tn_msg_rec batch[] = {msg("si_a_b", "new", "s-new", "two"),
                          msg("si_a_b", "orig", "s-other", "one")};
    assert_int_equal(OPS->msgs_append(f->s, APP, batch, 2, d, &f->arena), TN_OK);
    tn_sqlite_set_find_hook(f->s, NULL, NULL);
    assert_false(d[0]);
    assert_int_equal(batch[0].seq, 2);
    assert_true(d[1]);
    assert_int_equal(batch[1].seq, 1);
    assert_string_equal(batch[1].server_msg_id, "s-orig");
    size_t n;
    tn_msg_rec *r = range(f, "si_a_b", 1, 100, &n);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].client_msg_id, "orig");
    assert_string_equal(r[1].client_msg_id, "new");
    assert_int_equal(seq_max(f, "si_a_b"), 2);
}

/* The database file is deleted (a reset) but its message log stays behind: the new database
 * does not take the old messages in; the log is set aside for whoever wants it back. */
static void test_deleted_database_log(void **state)
{
    fixture *f = *state;
    tn_sqlite_pause_indexer(f->s, true);
    tn_msg_rec old[] = {msg("si_a_b", "o1", "s1", "old"), msg("si_a_b", "o2", "s2", "old")};
    bool d[2];
    assert_int_equal(OPS->msgs_append(f->s, APP, old, 2, d, &f->arena), TN_OK);
    tn_store_close(f->s); /* paused: the two are in the log only */
    char p[600];
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);

    f->s = tn_test_open_store(f->path);
    assert_int_equal(seq_max(f, "si_a_b"), 0);
    size_t n;
    range(f, "si_a_b", 1, 10, &n);
    assert_int_equal(n, 0);
    tn_msg_rec fresh[] = {msg("si_a_b", "o1", "s3", "new")};
    assert_int_equal(OPS->msgs_append(f->s, APP, fresh, 1, d, &f->arena), TN_OK);
    assert_false(d[0]);
    assert_int_equal(fresh[0].seq, 1);
    glob_t g;
    snprintf(p, sizeof p, "%s-log.*.orphaned", f->path);
    assert_int_equal(glob(p, 0, NULL, &g), 0);
    assert_int_equal(g.gl_pathc, 1);
    for (size_t i = 0; i < g.gl_pathc; i++)
        unlink(g.gl_pathv[i]);
    globfree(&g);
}

/* A crash after the log's fsync but before indexing: the records exist in the log only. The next
 * open replays them (seqs, rows, conversation seeds, the reader's mark), ignores a torn tail,
 * and a clean close leaves no log behind. */
static void test_crash_replay(void **state)
{
    fixture *f = *state;
    tn_sqlite_pause_indexer(f->s, true);
    tn_conv_seed seeds[] = {{"a", "si_a_b", 1, "b", ""}, {"b", "si_a_b", 1, "a", ""}};
    tn_msg_rec first[] = {msg("si_a_b", "c1", "s1", "one"), msg("si_a_b", "c2", "s2", "two")};
    first[0].seeds = seeds;
    first[0].seed_count = 2;
    first[0].reader = "a";
    first[1].reader = "a";
    bool d[2];
    assert_int_equal(OPS->msgs_append(f->s, APP, first, 2, d, &f->arena), TN_OK);
    /* a resend while the original is still unindexed is recognised */
    tn_msg_rec again[] = {msg("si_a_b", "c2", "other", "two"), msg("si_a_b", "c3", "s3", "3")};
    assert_int_equal(OPS->msgs_append(f->s, APP, again, 2, d, &f->arena), TN_OK);
    assert_true(d[0]);
    assert_int_equal(again[0].seq, 2);
    assert_string_equal(again[0].server_msg_id, "s2");
    assert_false(d[1]);
    assert_int_equal(again[1].seq, 3);
    tn_store_close(f->s); /* paused: nothing reached the database */

    glob_t g;
    assert_int_equal(tn_test_log_segments(f->path, &g), 1);
    /* half a record right after the last one, as a crash mid-write leaves it */
    FILE *torn = fopen(g.gl_pathv[0], "r+b");
    globfree(&g);
    assert_non_null(torn);
    long end = 0;
    unsigned char h[8];
    while (fseek(torn, end, SEEK_SET) == 0 && fread(h, 1, 8, torn) == 8 &&
           (h[0] | h[1] | h[2] | h[3]))
        end += 8 + (long)(h[0] | h[1] << 8 | h[2] << 16 | (unsigned long)h[3] << 24);
    assert_true(end > 0);
    assert_int_equal(fseek(torn, end, SEEK_SET), 0);
    fwrite("\x20\0\0\0garbage", 1, 11, torn);
    fclose(torn);

    f->s = tn_test_open_store(f->path);
    assert_int_equal(seq_max(f, "si_a_b"), 3);
    size_t n;
    tn_msg_rec *r = range(f, "si_a_b", 1, 10, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(r[0].data, "one", 3);
    assert_string_equal(r[1].client_msg_id, "c2");
    assert_string_equal(r[2].server_msg_id, "s3");
    tn_conversation *conv;
    assert_int_equal(OPS->conversations_list(f->s, APP, "b", &f->arena, &conv, &n), TN_OK);
    assert_int_equal(n, 1);
    assert_string_equal(conv[0].user_id, "a");
    assert_int_equal(OPS->conversations_list(f->s, APP, "a", &f->arena, &conv, &n), TN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(conv[0].has_read_seq, 2);

    tn_msg_rec more[] = {msg("si_a_b", "c1", "x", "one"), msg("si_a_b", "c4", "s4", "four")};
    assert_int_equal(OPS->msgs_append(f->s, APP, more, 2, d, &f->arena), TN_OK);
    assert_true(d[0]);
    assert_int_equal(more[0].seq, 1);
    assert_false(d[1]);
    assert_int_equal(more[1].seq, 4);
    tn_store_close(f->s);
    assert_int_equal(tn_test_log_segments(f->path, &g), 0);
    globfree(&g);
    f->s = tn_test_open_store(f->path);
    assert_int_equal(seq_max(f, "si_a_b"), 4);
}

static void test_open_failure(void **state)
{
    (void)state;
    char err[256] = "";
    char path[600];
    snprintf(path, sizeof path, "%s/no/such/dir/x.db", tn_test_tmp_dir());
    tn_store *s = tn_sqlite_open(path, err, sizeof err);
    if (s) {
        tn_store_close(s);
        fail_msg("opened a database in a missing directory");
    }
    assert_true(err[0] != 0);
}

/* ---- concurrency ---- */

enum { THREADS = 4, PER_THREAD = 200, BATCH = 10 };

typedef struct worker {
    tn_store *s;
    int id;
    tn_err err;
    int64_t seqs[PER_THREAD];
} worker;

static void *append_worker(void *arg)
{
    worker *w = arg;
    tn_arena a;
    tn_arena_init(&a);
    static const char body[] = "payload";
    for (int b = 0; b < PER_THREAD / BATCH && w->err == TN_OK; b++) {
        tn_msg_rec m[BATCH];
        bool dup[BATCH];
        for (int i = 0; i < BATCH; i++) {
            int k = b * BATCH + i;
            m[i] = (tn_msg_rec){.conversation_id = "sg_busy",
                                .client_msg_id = tn_arena_printf(&a, "w%d_%d", w->id, k),
                                .server_msg_id = tn_arena_printf(&a, "s%d_%d", w->id, k),
                                .send_id = "u",
                                .send_time = k,
                                .data = body,
                                .data_len = sizeof body - 1};
        }
        w->err = w->s->ops->msgs_append(w->s, APP, m, BATCH, dup, &a);
        for (int i = 0; i < BATCH && w->err == TN_OK; i++) {
            w->seqs[b * BATCH + i] = m[i].seq;
            if (dup[i])
                w->err = TN_EDUP;
        }
        /* a batch's seqs are consecutive */
        for (int i = 1; i < BATCH && w->err == TN_OK; i++)
            if (m[i].seq != m[0].seq + i)
                w->err = TN_EDATA;
    }
    tn_arena_free_all(&a);
    return NULL;
}

static void test_concurrent_append(void **state)
{
    fixture *f = *state;
    worker w[THREADS];
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){.s = f->s, .id = i, .err = TN_OK};
        assert_int_equal(pthread_create(&th[i], NULL, append_worker, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);

    enum { TOTAL = THREADS * PER_THREAD };
    static int seen[TOTAL + 1];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(w[i].err, TN_OK);
        for (int k = 0; k < PER_THREAD; k++) {
            int64_t s = w[i].seqs[k];
            assert_true(s >= 1 && s <= TOTAL);
            seen[s]++;
            if (k)
                assert_true(s > w[i].seqs[k - 1]); /* a thread's own messages stay in order */
        }
    }
    for (int s = 1; s <= TOTAL; s++)
        if (seen[s] != 1)
            fail_msg("seq %d assigned %d times", s, seen[s]);
    assert_int_equal(seq_max(f, "sg_busy"), TOTAL);

    size_t n;
    tn_msg_rec *r = range(f, "sg_busy", 1, TOTAL, &n);
    assert_int_equal(n, TOTAL);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r[i].seq, (int64_t)i + 1);
        /* the stored row is the one its appender was told about */
        int wid, k;
        assert_int_equal(sscanf(r[i].client_msg_id, "w%d_%d", &wid, &k), 2);
        assert_true(wid >= 0 && wid < THREADS && k >= 0 && k < PER_THREAD);
        assert_int_equal(w[wid].seqs[k], r[i].seq);
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_users_insert_and_get),
        T(test_users_insert_duplicate_is_atomic),
        T(test_user_update),
        T(test_users_query),
        T(test_tokens),
        T(test_tokens_many),
        T(test_commands),
        T(test_commands_many),
        T(test_client_config),
        T(test_msgs_append),
        T(test_msgs_append_duplicate),
        T(test_msgs_range),
        T(test_reopen),
        T(test_crash_replay),
        T(test_backlog_bound),
        T(test_resend_while_indexed),
        T(test_deleted_database_log),
        cmocka_unit_test(test_open_failure),
        T(test_concurrent_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
