/* Unit tests for store/sqlite/sqlite_friend.c: friend records (add, one-sided delete, partial
 * update, list order and pages), their friend version-log entries (one bump per owner and write,
 * the sort marker on pin changes), friend requests (reset, answer in one transaction, filters)
 * and blacklists; plus svc/friend.c's rules and profile-change hook over the same store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "friend.h"
#include "sqlite_store.h"
#include "store_friend.h"
#include "version.h"

#include <string.h>

#define APP  "default"
#define COLL TN_VERSION_FRIEND

typedef tn_store_fixture fixture;

static int setup(void **state)
{
    return tn_store_fixture_setup(state, "friend_store_test");
}

static int teardown(void **state)
{
    return tn_store_fixture_teardown(state);
}

#define OPS (f->s->ops)
#define FR  (f->s->friends)

/* the entry of element id after version `after`, or NULL */
static const tn_version_entry *entry_of(fixture *f, const char *key, int64_t after, const char *id)
{
    size_t n;
    tn_version_entry *list = tn_test_version_entries(f, APP, COLL, key, after, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].element_id, id) == 0)
            return &list[i];
    return NULL;
}

static tn_friend pair(const char *owner, const char *friend_id, int64_t t)
{
    return (tn_friend){.owner_user_id = owner,
                       .friend_user_id = friend_id,
                       .remark = "",
                       .create_time = t,
                       .add_source = 1,
                       .operator_user_id = "imAdmin",
                       .ex = ""};
}

static size_t count_friends(fixture *f, const char *owner)
{
    tn_friend *list;
    size_t n;
    assert_int_equal(FR->friends_get(f->s, APP, owner, NULL, 0, &f->arena, &list, &n), TN_OK);
    return n;
}

static bool has_friend(fixture *f, const char *owner, const char *id)
{
    tn_friend *list;
    size_t n;
    assert_int_equal(FR->friends_get(f->s, APP, owner, &id, 1, &f->arena, &list, &n), TN_OK);
    return n == 1;
}

static void test_add_bumps_once_per_owner(void **state)
{
    fixture *f = *state;
    tn_friend list[] = {pair("alice", "bob", 10), pair("bob", "alice", 10),
                        pair("alice", "carol", 10), pair("carol", "alice", 10)};
    bool added[4];
    assert_int_equal(FR->friends_add(f->s, APP, list, 4, added), TN_OK);
    for (int i = 0; i < 4; i++)
        assert_true(added[i]);
    /* alice gained two friends in one write: one version, two insert entries */
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 1);
    size_t n;
    tn_version_entry *e = tn_test_version_entries(f, APP, COLL, "alice", 0, &n);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e[i].state, TN_VERSION_INSERT);
        assert_int_equal(e[i].version, 1);
    }
    assert_int_equal(tn_test_version_head(f, APP, COLL, "bob").version, 1);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "carol").version, 1);

    tn_friend *got;
    assert_int_equal(FR->friends_get(f->s, APP, "alice", NULL, 0, &f->arena, &got, &n), TN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].friend_user_id, "bob");
    assert_string_equal(got[0].owner_user_id, "alice");
    assert_int_equal(got[0].create_time, 10);
    assert_int_equal(got[0].add_source, 1);
    assert_string_equal(got[0].operator_user_id, "imAdmin");
    assert_false(got[0].is_pinned);

    /* again with one new pair: existing records untouched, only dave and alice bump */
    tn_friend again[] = {pair("alice", "bob", 99), pair("bob", "alice", 99),
                         pair("alice", "dave", 99), pair("dave", "alice", 99)};
    assert_int_equal(FR->friends_add(f->s, APP, again, 4, added), TN_OK);
    assert_false(added[0]);
    assert_false(added[1]);
    assert_true(added[2]);
    assert_true(added[3]);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "bob").version, 1);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 2);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "dave").version, 1);
    e = tn_test_version_entries(f, APP, COLL, "alice", 1, &n);
    assert_int_equal(n, 1);
    assert_string_equal(e[0].element_id, "dave");
    assert_int_equal(e[0].state, TN_VERSION_INSERT);
    assert_int_equal(
        FR->friends_get(f->s, APP, "alice", (const char *[]){"bob"}, 1, &f->arena, &got, &n),
        TN_OK);
    assert_int_equal(got[0].create_time, 10);
}

static void test_delete_is_one_sided(void **state)
{
    fixture *f = *state;
    tn_friend list[] = {pair("alice", "bob", 1), pair("bob", "alice", 1)};
    assert_int_equal(FR->friends_add(f->s, APP, list, 2, NULL), TN_OK);
    assert_int_equal(FR->friend_delete(f->s, APP, "alice", "bob", 5), TN_OK);
    assert_false(has_friend(f, "alice", "bob"));
    assert_true(has_friend(f, "bob", "alice"));
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 2);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "bob").version, 1);
    const tn_version_entry *e = entry_of(f, "alice", 0, "bob");
    assert_non_null(e);
    assert_int_equal(e->state, TN_VERSION_DELETE);
    assert_int_equal(e->version, 2);

    /* not a friend any more: ENOTFOUND, no bump */
    assert_int_equal(FR->friend_delete(f->s, APP, "alice", "bob", 6), TN_ENOTFOUND);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 2);

    /* re-adding turns the delete entry back into an insert */
    assert_int_equal(FR->friends_add(f->s, APP, list, 1, NULL), TN_OK);
    e = entry_of(f, "alice", 0, "bob");
    assert_int_equal(e->state, TN_VERSION_INSERT);
    assert_int_equal(e->version, 3);
}

static void test_update_and_sort_marker(void **state)
{
    fixture *f = *state;
    tn_friend list[] = {pair("alice", "bob", 1), pair("alice", "carol", 1),
                        pair("alice", "dave", 1)};
    assert_int_equal(FR->friends_add(f->s, APP, list, 3, NULL), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 1);

    /* remark and ex on bob, then ex on both: one bump each, one update entry per friend */
    const char *two[] = {"bob", "carol"};
    tn_friend_patch p = {.remark = "Bobby", .ex = "x"};
    assert_int_equal(FR->friends_update(f->s, APP, "alice", two, 1, &p, 7), TN_OK);
    p = (tn_friend_patch){.ex = "y"};
    assert_int_equal(FR->friends_update(f->s, APP, "alice", two, 2, &p, 8), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 3);
    size_t n;
    tn_version_entry *e = tn_test_version_entries(f, APP, COLL, "alice", 2, &n);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e[i].state, TN_VERSION_UPDATE);
        assert_int_equal(e[i].version, 3);
    }
    assert_null(entry_of(f, "alice", 0, TN_VERSION_SORT_MARKER));
    tn_friend *got;
    assert_int_equal(FR->friends_get(f->s, APP, "alice", two, 2, &f->arena, &got, &n), TN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].remark, "Bobby"); /* untouched by the ex-only patch */
    assert_string_equal(got[0].ex, "y");
    assert_string_equal(got[1].remark, "");
    assert_string_equal(got[1].ex, "y");

    /* a pin: update entry plus the sort marker, same version; list order pinned first */
    const char *dave = "dave";
    p = (tn_friend_patch){.has_pinned = true, .is_pinned = true};
    assert_int_equal(FR->friends_update(f->s, APP, "alice", &dave, 1, &p, 9), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 4);
    const tn_version_entry *m = entry_of(f, "alice", 3, TN_VERSION_SORT_MARKER);
    assert_non_null(m);
    assert_int_equal(m->version, 4);
    assert_int_equal(entry_of(f, "alice", 3, "dave")->state, TN_VERSION_UPDATE);
    const char **ids;
    assert_int_equal(FR->friend_ids(f->s, APP, "alice", &f->arena, &ids, &n), TN_OK);
    assert_int_equal(n, 3);
    assert_string_equal(ids[0], "dave");
    assert_string_equal(ids[1], "bob");
    assert_string_equal(ids[2], "carol");

    /* nothing present: no write, no bump */
    p = (tn_friend_patch){0};
    assert_int_equal(FR->friends_update(f->s, APP, "alice", two, 2, &p, 10), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 4);
}

static void test_page_and_owners_touch(void **state)
{
    fixture *f = *state;
    tn_friend list[] = {pair("alice", "u1", 1), pair("alice", "u2", 1), pair("alice", "u3", 1),
                        pair("bob", "u2", 1)};
    assert_int_equal(FR->friends_add(f->s, APP, list, 4, NULL), TN_OK);
    tn_friend *page;
    size_t n;
    int64_t total;
    assert_int_equal(FR->friends_page(f->s, APP, "alice", 1, 5, &f->arena, &page, &n, &total),
                     TN_OK);
    assert_int_equal(total, 3);
    assert_int_equal(n, 2);
    assert_string_equal(page[0].friend_user_id, "u2");
    assert_int_equal(FR->friends_page(f->s, APP, "alice", 3, 5, &f->arena, &page, &n, &total),
                     TN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 3);
    assert_int_equal(FR->friends_page(f->s, APP, "alice", 0, 0, &f->arena, &page, &n, &total),
                     TN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 3);

    /* u2's profile changed: alice and bob each get one bump with update(u2) */
    const char **owners;
    assert_int_equal(FR->friend_owners_touch(f->s, APP, "u2", 50, &f->arena, &owners, &n), TN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(owners[0], "alice");
    assert_string_equal(owners[1], "bob");
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 2);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "bob").version, 2);
    assert_int_equal(entry_of(f, "alice", 1, "u2")->state, TN_VERSION_UPDATE);
    assert_int_equal(FR->friend_owners_touch(f->s, APP, "nobody", 51, &f->arena, &owners, &n),
                     TN_OK);
    assert_int_equal(n, 0);
}

static tn_friend_request request(const char *from, const char *to, const char *msg, int64_t t)
{
    return (tn_friend_request){
        .from_user_id = from, .to_user_id = to, .req_msg = msg, .create_time = t, .ex = "e"};
}

static void test_requests(void **state)
{
    fixture *f = *state;
    tn_friend_request r = request("alice", "bob", "hi", 100);
    assert_int_equal(FR->request_put(f->s, APP, &r), TN_OK);
    r = request("carol", "bob", "yo", 200);
    assert_int_equal(FR->request_put(f->s, APP, &r), TN_OK);
    r = request("bob", "alice", "back", 300);
    assert_int_equal(FR->request_put(f->s, APP, &r), TN_OK);

    tn_friend_request got;
    assert_int_equal(FR->request_get(f->s, APP, "alice", "bob", &f->arena, &got), TN_OK);
    assert_string_equal(got.req_msg, "hi");
    assert_int_equal(got.handle_result, 0);
    assert_int_equal(got.create_time, 100);
    assert_string_equal(got.ex, "e");
    assert_int_equal(FR->request_get(f->s, APP, "bob", "carol", &f->arena, &got), TN_ENOTFOUND);

    /* received by bob, newest first; the filter */
    tn_friend_request *list;
    size_t n;
    int64_t total;
    assert_int_equal(
        FR->requests_page(f->s, APP, "bob", true, NULL, 0, 0, 10, &f->arena, &list, &n, &total),
        TN_OK);
    assert_int_equal(total, 2);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].from_user_id, "carol");
    assert_string_equal(list[1].from_user_id, "alice");
    int32_t refused = -1;
    assert_int_equal(
        FR->requests_page(f->s, APP, "bob", true, &refused, 1, 0, 10, &f->arena, &list, &n, &total),
        TN_OK);
    assert_int_equal(total, 0);
    assert_int_equal(n, 0);
    assert_int_equal(
        FR->requests_page(f->s, APP, "bob", false, NULL, 0, 0, 10, &f->arena, &list, &n, &total),
        TN_OK);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].to_user_id, "alice");
    int64_t count;
    assert_int_equal(FR->requests_unhandled(f->s, APP, "bob", 0, &count), TN_OK);
    assert_int_equal(count, 2);
    assert_int_equal(FR->requests_unhandled(f->s, APP, "bob", 150, &count), TN_OK);
    assert_int_equal(count, 1);
    assert_int_equal(FR->requests_between(f->s, APP, "bob", "alice", &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].from_user_id, "bob");

    /* carol refused: no friendship, no version log */
    tn_friend_request ans = {.from_user_id = "carol",
                             .to_user_id = "bob",
                             .handle_result = -1,
                             .handler_user_id = "bob",
                             .handle_msg = "no",
                             .handle_time = 400};
    assert_int_equal(FR->request_answer(f->s, APP, &ans), TN_OK);
    assert_int_equal(FR->request_answer(f->s, APP, &ans), TN_EFRIEND_REQ_HANDLED);
    assert_int_equal(FR->request_get(f->s, APP, "carol", "bob", &f->arena, &got), TN_OK);
    assert_int_equal(got.handle_result, -1);
    assert_string_equal(got.handler_user_id, "bob");
    assert_string_equal(got.handle_msg, "no");
    assert_int_equal(got.handle_time, 400);
    assert_int_equal(count_friends(f, "bob"), 0);
    assert_int_equal(
        FR->requests_page(f->s, APP, "bob", true, &refused, 1, 0, 10, &f->arena, &list, &n, &total),
        TN_OK);
    assert_int_equal(total, 1);

    /* re-applying resets it to pending */
    r = request("carol", "bob", "please", 500);
    assert_int_equal(FR->request_put(f->s, APP, &r), TN_OK);
    assert_int_equal(FR->request_get(f->s, APP, "carol", "bob", &f->arena, &got), TN_OK);
    assert_int_equal(got.handle_result, 0);
    assert_string_equal(got.req_msg, "please");
    assert_string_equal(got.handle_msg, "");
    assert_int_equal(got.create_time, 500);

    ans.from_user_id = "nobody";
    assert_int_equal(FR->request_answer(f->s, APP, &ans), TN_ENOTFOUND);
}

static void test_agree_creates_both_sides(void **state)
{
    fixture *f = *state;
    tn_friend_request r = request("alice", "bob", "hi", 100);
    assert_int_equal(FR->request_put(f->s, APP, &r), TN_OK);
    r = request("bob", "alice", "me too", 110);
    assert_int_equal(FR->request_put(f->s, APP, &r), TN_OK);
    tn_friend_request ans = {.from_user_id = "alice",
                             .to_user_id = "bob",
                             .handle_result = 1,
                             .handler_user_id = "bob",
                             .handle_time = 200};
    assert_int_equal(FR->request_answer(f->s, APP, &ans), TN_OK);

    tn_friend *got;
    size_t n;
    const char *bob = "bob";
    assert_int_equal(FR->friends_get(f->s, APP, "alice", &bob, 1, &f->arena, &got, &n), TN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(got[0].add_source, 2);
    assert_string_equal(got[0].operator_user_id, "alice");
    assert_int_equal(got[0].create_time, 200);
    assert_true(has_friend(f, "bob", "alice"));
    for (int i = 0; i < 2; i++) {
        const char *owner = i ? "bob" : "alice";
        assert_int_equal(tn_test_version_head(f, APP, COLL, owner).version, 1);
        const tn_version_entry *e = entry_of(f, owner, 0, i ? "alice" : "bob");
        assert_non_null(e);
        assert_int_equal(e->state, TN_VERSION_INSERT);
    }
    /* the reverse pending request is agreed by the same answer */
    tn_friend_request back;
    assert_int_equal(FR->request_get(f->s, APP, "bob", "alice", &f->arena, &back), TN_OK);
    assert_int_equal(back.handle_result, 1);
    assert_int_equal(FR->request_answer(f->s, APP, &ans), TN_EFRIEND_REQ_HANDLED);

    /* alice deletes bob, then asks again: agreeing re-creates only alice's side */
    assert_int_equal(FR->friend_delete(f->s, APP, "alice", "bob", 300), TN_OK);
    r = request("alice", "bob", "again", 400);
    assert_int_equal(FR->request_put(f->s, APP, &r), TN_OK);
    ans.handle_time = 500;
    assert_int_equal(FR->request_answer(f->s, APP, &ans), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 3);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "bob").version, 1);
    assert_int_equal(count_friends(f, "alice"), 1);
    assert_int_equal(count_friends(f, "bob"), 1);
}

static void test_blacks(void **state)
{
    fixture *f = *state;
    tn_black b = {.owner_user_id = "alice",
                  .block_user_id = "bob",
                  .create_time = 10,
                  .operator_user_id = "alice",
                  .ex = "x"};
    assert_int_equal(FR->black_add(f->s, APP, &b), TN_OK);
    assert_int_equal(FR->black_add(f->s, APP, &b), TN_EDUP);
    b.block_user_id = "carol";
    b.create_time = 20;
    assert_int_equal(FR->black_add(f->s, APP, &b), TN_OK);

    bool blocked;
    assert_int_equal(FR->is_blocked(f->s, APP, "alice", "bob", &blocked), TN_OK);
    assert_true(blocked);
    assert_int_equal(FR->is_blocked(f->s, APP, "bob", "alice", &blocked), TN_OK);
    assert_false(blocked);

    tn_black *list;
    size_t n;
    const char *ids[] = {"carol", "zed", "bob"};
    assert_int_equal(FR->blacks_get(f->s, APP, "alice", ids, 3, &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].block_user_id, "carol");
    assert_string_equal(list[1].block_user_id, "bob");
    assert_int_equal(list[1].create_time, 10);
    assert_string_equal(list[1].ex, "x");
    assert_string_equal(list[1].operator_user_id, "alice");
    int64_t total;
    assert_int_equal(FR->blacks_page(f->s, APP, "alice", 1, 1, &f->arena, &list, &n, &total),
                     TN_OK);
    assert_int_equal(total, 2);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].block_user_id, "carol");

    assert_int_equal(FR->black_remove(f->s, APP, "alice", "bob"), TN_OK);
    assert_int_equal(FR->black_remove(f->s, APP, "alice", "bob"), TN_ENOTFOUND);
    assert_int_equal(FR->is_blocked(f->s, APP, "alice", "bob", &blocked), TN_OK);
    assert_false(blocked);
    assert_int_equal(FR->blacks_get(f->s, APP, "alice", NULL, 0, &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 1);
    /* blacklists have no version log */
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 1);
    assert_int_equal(tn_test_version_entries(f, APP, COLL, "alice", 0, &n) == NULL || n == 0, 1);
}

/* ---- svc/friend.c over the same store (no message writer: notifications go nowhere) ---- */

static void svc_ctx(tn_ctx *ctx, tn_arena *a, const char *op, bool admin)
{
    tn_ctx_init(ctx, APP, "op-friend", a);
    ctx->now_ms = 1000;
    snprintf(ctx->op_user_id, sizeof ctx->op_user_id, "%s", op);
    ctx->is_admin = admin;
}

static void test_svc_rules_and_profile_hook(void **state)
{
    fixture *f = *state;
    static char admin_id[] = "imAdmin", app_id[] = APP;
    tn_config cfg = {.app_id = app_id, .admin_user_count = 1};
    cfg.admin_user_ids[0] = admin_id;
    tn_svc svc;
    assert_int_equal(tn_svc_init(&svc, &cfg, f->s), TN_OK);
    const char *names[] = {"ann", "ben", "cat"};
    for (int i = 0; i < 3; i++) {
        tn_user u = {.user_id = names[i], .nickname = names[i], .create_time = 1};
        const char *dup;
        assert_int_equal(OPS->users_insert(f->s, APP, &u, 1, &dup), TN_OK);
    }
    tn_ctx ctx;
    svc_ctx(&ctx, &f->arena, "ann", false);
    assert_int_equal(tn_friend_apply(&svc, &ctx, "ann", "ann", "", ""), TN_EADD_SELF);
    assert_int_equal(tn_friend_apply(&svc, &ctx, "ann", "ghost", "", ""), TN_ENOTFOUND);
    assert_int_equal(tn_friend_apply(&svc, &ctx, "ben", "cat", "", ""), TN_EPERM);
    assert_int_equal(tn_friend_apply(&svc, &ctx, "ann", "ben", "hi", ""), TN_OK);
    assert_int_equal(tn_friend_respond(&svc, &ctx, "ann", "ben", 1, ""), TN_EPERM);
    svc_ctx(&ctx, &f->arena, "ben", false);
    assert_int_equal(tn_friend_respond(&svc, &ctx, "ann", "ben", 2, ""), TN_EARGS);
    assert_int_equal(tn_friend_respond(&svc, &ctx, "ann", "ben", 1, "ok"), TN_OK);
    assert_int_equal(tn_friend_respond(&svc, &ctx, "ann", "ben", 1, "ok"), TN_EARGS);
    assert_int_equal(tn_friend_apply(&svc, &ctx, "ben", "ann", "", ""), TN_ERELATION_EXISTS);
    assert_int_equal(tn_friend_black_add(&svc, &ctx, "ben", "cat", ""), TN_OK);
    svc_ctx(&ctx, &f->arena, "cat", false);
    assert_int_equal(tn_friend_apply(&svc, &ctx, "cat", "ben", "", ""), TN_EBLOCKED);

    /* cat is ann's friend one way only (imported, then cat deleted ann) */
    svc_ctx(&ctx, &f->arena, "imAdmin", true);
    const char *cat = "cat";
    assert_int_equal(tn_friend_import(&svc, &ctx, "ann", &cat, 1), TN_OK);
    assert_int_equal(tn_friend_delete(&svc, &ctx, "cat", "ann"), TN_OK);
    int64_t ben_v = tn_test_version_head(f, APP, COLL, "ben").version,
            cat_v = tn_test_version_head(f, APP, COLL, "cat").version;
    int64_t ann_v = tn_test_version_head(f, APP, COLL, "ann").version;

    /* ann's profile changed: only the owners whose lists hold ann get an update entry */
    svc_ctx(&ctx, &f->arena, "ann", false);
    assert_int_equal(tn_friend_profile_changed(&svc, &ctx, "ann"), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "ben").version, ben_v + 1);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "cat").version,
                     cat_v); /* cat deleted ann: no entry */
    assert_int_equal(tn_test_version_head(f, APP, COLL, "ann").version, ann_v);
    const tn_version_entry *e = entry_of(f, "ben", ben_v, "ann");
    assert_non_null(e);
    assert_int_equal(e->state, TN_VERSION_UPDATE);
    tn_svc_free(&svc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_bumps_once_per_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_is_one_sided, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_and_sort_marker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_and_owners_touch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agree_creates_both_sides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_svc_rules_and_profile_hook, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
