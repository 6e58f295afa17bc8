/* Unit tests for store/sqlite/sqlite_group.c: groups, members and requests with their version
 * logs (member log per group, joined-groups log per user, info and sort markers) and the
 * members' group conversations (min_seq on joining, max_seq frozen on leaving); plus the time
 * to create a 10,000-member group. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "sqlite_store.h"
#include "store_group.h"
#include "version.h" /* the collection and marker names the service reads */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define APP "default"
#define GID "g1"

typedef tn_store_fixture fixture;

static int setup(void **state)
{
    return tn_store_fixture_setup(state, "group_store_test");
}

static int teardown(void **state)
{
    return tn_store_fixture_teardown(state);
}

#define OPS  (f->s->ops)
#define GOPS (f->s->groups)

static const tn_version_entry *entry(const tn_version_entry *e, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].element_id, id) == 0)
            return &e[i];
    return NULL;
}

static tn_group group(const char *id)
{
    return (tn_group){.group_id = id,
                      .group_name = "name",
                      .notification = "",
                      .introduction = "",
                      .face_url = "",
                      .create_time = 1000,
                      .ex = "",
                      .creator_user_id = "alice",
                      .group_type = 2};
}

static tn_group_member member(const char *gid, const char *uid, int32_t role, int64_t t)
{
    return (tn_group_member){.group_id = gid,
                             .user_id = uid,
                             .role_level = role,
                             .join_time = t,
                             .nickname = "",
                             .face_url = "",
                             .join_source = 2,
                             .operator_user_id = "alice",
                             .ex = "",
                             .inviter_user_id = "alice"};
}

static void create(fixture *f, const char *gid, const char *const *uids, size_t n, bool history)
{
    tn_group g = group(gid);
    tn_group_member *m = calloc(n, sizeof *m);
    for (size_t i = 0; i < n; i++)
        m[i] = member(gid, uids[i], i == 0 ? TN_ROLE_OWNER : TN_ROLE_MEMBER, 1000);
    assert_int_equal(GOPS->group_create(f->s, APP, &g, m, n, history, 1000), TN_OK);
    free(m);
}

static tn_group get_group(fixture *f, const char *gid)
{
    tn_group *list;
    size_t n;
    assert_int_equal(GOPS->groups_get(f->s, APP, &gid, 1, &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 1);
    return list[0];
}

static tn_conversation conv(fixture *f, const char *owner, const char *id)
{
    tn_conversation *list;
    size_t n;
    assert_int_equal(OPS->conversations_get(f->s, APP, owner, &id, 1, &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 1);
    return list[0];
}

/* n messages appended to conversation id (its seqs move on) */
static void append(fixture *f, const char *id, int n)
{
    static int serial;
    for (int i = 0; i < n; i++) {
        char cid[32], sid[32];
        snprintf(cid, sizeof cid, "c%d", ++serial);
        snprintf(sid, sizeof sid, "s%d", serial);
        tn_msg_rec m = {.conversation_id = id,
                        .client_msg_id = cid,
                        .server_msg_id = sid,
                        .send_id = "alice",
                        .send_time = 1,
                        .data = "x",
                        .data_len = 1};
        bool dup;
        assert_int_equal(OPS->msgs_append(f->s, APP, &m, 1, &dup, &f->arena), TN_OK);
    }
}

static void test_create_writes_members_logs_and_conversations(void **state)
{
    fixture *f = *state;
    const char *ids[] = {"alice", "bob", "carol"};
    create(f, GID, ids, 3, false);
    tn_group g = get_group(f, GID);
    assert_string_equal(g.owner_user_id, "alice");
    assert_int_equal(g.member_count, 3);
    assert_int_equal(g.group_type, 2);

    /* an existing ID writes nothing */
    tn_group again = group(GID);
    tn_group_member m = member(GID, "dave", TN_ROLE_OWNER, 1);
    assert_int_equal(GOPS->group_create(f->s, APP, &again, &m, 1, false, 2000), TN_EDUP);
    assert_int_equal(get_group(f, GID).member_count, 3);

    /* one member-log step inserting everyone */
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_GROUP_MEMBER, GID).version, 1);
    size_t n;
    tn_version_entry *e = tn_test_version_entries(f, APP, TN_VERSION_GROUP_MEMBER, GID, 0, &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(entry(e, n, ids[i]));
        assert_int_equal(entry(e, n, ids[i])->state, TN_VERSION_INSERT);
    }
    /* each member's joined-groups log and conversation */
    for (size_t i = 0; i < 3; i++) {
        e = tn_test_version_entries(f, APP, TN_VERSION_JOIN_GROUP, ids[i], 0, &n);
        assert_int_equal(n, 1);
        assert_string_equal(e[0].element_id, GID);
        assert_int_equal(e[0].state, TN_VERSION_INSERT);
        tn_conversation c = conv(f, ids[i], "sg_" GID);
        assert_int_equal(c.conversation_type, 3);
        assert_string_equal(c.group_id, GID);
        assert_int_equal(c.min_seq, 1); /* the group had no message yet */
        assert_int_equal(c.max_seq, 0);
        e = tn_test_version_entries(f, APP, TN_VERSION_CONVERSATION, ids[i], 0, &n);
        assert_non_null(entry(e, n, "sg_" GID));
    }

    /* role order, then join order; memberships of a user */
    tn_group_member *list;
    assert_int_equal(GOPS->members_ordered(f->s, APP, GID, &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].user_id, "alice");
    assert_int_equal(list[0].role_level, TN_ROLE_OWNER);
    assert_int_equal(GOPS->memberships(f->s, APP, "bob", &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].group_id, GID);
}

static void test_add_remove_and_conversation_window(void **state)
{
    fixture *f = *state;
    const char *ids[] = {"alice", "bob"};
    create(f, GID, ids, 2, false);
    append(f, "sg_" GID, 5);

    /* a joiner reads from the next seq on */
    tn_group_member dave = member(GID, "dave", TN_ROLE_MEMBER, 2000);
    assert_int_equal(GOPS->members_add(f->s, APP, GID, &dave, 1, false, 2000), TN_OK);
    tn_conversation c = conv(f, "dave", "sg_" GID);
    assert_int_equal(c.min_seq, 6);
    assert_int_equal(c.max_seq, 0);
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_GROUP_MEMBER, GID).version, 2);

    /* already a member: nothing written; unknown group */
    tn_group_member both[] = {member(GID, "erin", TN_ROLE_MEMBER, 1), dave};
    assert_int_equal(GOPS->members_add(f->s, APP, GID, both, 2, false, 2100), TN_EDUP);
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_GROUP_MEMBER, GID).version, 2);
    tn_group_member *found;
    size_t n;
    const char *erin = "erin";
    assert_int_equal(GOPS->members_get(f->s, APP, GID, &erin, 1, &f->arena, &found, &n), TN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(GOPS->members_add(f->s, APP, "nope", &dave, 1, false, 2100), TN_ENOTFOUND);

    /* leaving freezes the window at the group's newest seq */
    append(f, "sg_" GID, 2);
    const char *gone[] = {"bob", "nobody"};
    assert_int_equal(GOPS->members_remove(f->s, APP, GID, gone, 2, 3000), TN_OK);
    c = conv(f, "bob", "sg_" GID);
    assert_int_equal(c.max_seq, 7);
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_GROUP_MEMBER, GID).version, 3);
    tn_version_entry *e = tn_test_version_entries(f, APP, TN_VERSION_GROUP_MEMBER, GID, 2, &n);
    assert_int_equal(n, 1);
    assert_string_equal(e[0].element_id, "bob");
    assert_int_equal(e[0].state, TN_VERSION_DELETE);
    e = tn_test_version_entries(f, APP, TN_VERSION_JOIN_GROUP, "bob", 1, &n);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].state, TN_VERSION_DELETE);
    assert_int_equal(get_group(f, GID).member_count, 2);

    /* nobody left: no log step */
    assert_int_equal(GOPS->members_remove(f->s, APP, GID, gone, 2, 3100), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_GROUP_MEMBER, GID).version, 3);

    /* re-joining opens the window again (with history: from the start) */
    tn_group_member bob = member(GID, "bob", TN_ROLE_MEMBER, 4000);
    assert_int_equal(GOPS->members_add(f->s, APP, GID, &bob, 1, true, 4000), TN_OK);
    c = conv(f, "bob", "sg_" GID);
    assert_int_equal(c.min_seq, 0);
    assert_int_equal(c.max_seq, 0);
    e = tn_test_version_entries(f, APP, TN_VERSION_JOIN_GROUP, "bob", 0, &n);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].state, TN_VERSION_INSERT);
    e = tn_test_version_entries(f, APP, TN_VERSION_CONVERSATION, "bob", 1, &n);
    assert_non_null(entry(e, n, "sg_" GID));
}

static void test_info_marker_and_dismiss(void **state)
{
    fixture *f = *state;
    const char *ids[] = {"alice", "bob"};
    create(f, GID, ids, 2, false);
    tn_group_patch p = {.group_id = GID,
                        .group_name = "renamed",
                        .notification = "notice",
                        .notification_update_time = 5000,
                        .notification_user_id = "alice",
                        .has_need_verification = true,
                        .need_verification = 2};
    assert_int_equal(GOPS->group_update(f->s, APP, &p, 5000), TN_OK);
    tn_group g = get_group(f, GID);
    assert_string_equal(g.group_name, "renamed");
    assert_string_equal(g.notification, "notice");
    assert_string_equal(g.introduction, "");
    assert_int_equal(g.notification_update_time, 5000);
    assert_string_equal(g.notification_user_id, "alice");
    assert_int_equal(g.need_verification, 2);
    size_t n;
    tn_version_entry *e = tn_test_version_entries(f, APP, TN_VERSION_GROUP_MEMBER, GID, 1, &n);
    assert_int_equal(n, 1);
    assert_string_equal(e[0].element_id, TN_VERSION_INFO_MARKER);
    assert_int_equal(e[0].state, TN_VERSION_UPDATE);

    /* a status change leaves the notification alone */
    tn_group_patch mute = {.group_id = GID, .has_status = true, .status = TN_GROUP_STATUS_MUTED};
    assert_int_equal(GOPS->group_update(f->s, APP, &mute, 6000), TN_OK);
    g = get_group(f, GID);
    assert_int_equal(g.status, TN_GROUP_STATUS_MUTED);
    assert_int_equal(g.notification_update_time, 5000);
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_GROUP_MEMBER, GID).version, 3);
    tn_group_patch none = {.group_id = "nope", .group_name = "x"};
    assert_int_equal(GOPS->group_update(f->s, APP, &none, 6000), TN_ENOTFOUND);

    /* dismissing with members: one step holding the marker and every delete */
    append(f, "sg_" GID, 3);
    assert_int_equal(GOPS->group_dismiss(f->s, APP, GID, true, 7000), TN_OK);
    g = get_group(f, GID);
    assert_int_equal(g.status, TN_GROUP_STATUS_DISMISSED);
    assert_int_equal(g.member_count, 0);
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_GROUP_MEMBER, GID).version, 4);
    e = tn_test_version_entries(f, APP, TN_VERSION_GROUP_MEMBER, GID, 3, &n);
    assert_int_equal(n, 3);
    assert_int_equal(entry(e, n, TN_VERSION_INFO_MARKER)->state, TN_VERSION_UPDATE);
    assert_int_equal(entry(e, n, "alice")->state, TN_VERSION_DELETE);
    assert_int_equal(entry(e, n, "bob")->state, TN_VERSION_DELETE);
    assert_int_equal(conv(f, "alice", "sg_" GID).max_seq, 3);
    /* dismissed groups stay readable and out of searches */
    tn_group *found;
    int64_t total;
    assert_int_equal(GOPS->groups_search(f->s, APP, "", 0, 10, &f->arena, &found, &n, &total),
                     TN_OK);
    assert_int_equal(total, 0);
}

static void test_member_update_and_sort_marker(void **state)
{
    fixture *f = *state;
    const char *ids[] = {"alice", "bob", "carol"};
    create(f, GID, ids, 3, false);
    const char *other_ids[] = {"bob", "alice"};
    create(f, "g2", other_ids, 2, false);

    /* a nickname: update entry, no sort marker */
    tn_group_member_patch nick = {.group_id = GID, .user_id = "bob", .nickname = "Bobby"};
    assert_int_equal(GOPS->members_update(f->s, APP, &nick, 1, 2000), TN_OK);
    size_t n;
    tn_version_entry *e = tn_test_version_entries(f, APP, TN_VERSION_GROUP_MEMBER, GID, 1, &n);
    assert_int_equal(n, 1);
    assert_string_equal(e[0].element_id, "bob");
    assert_int_equal(e[0].state, TN_VERSION_UPDATE);

    /* roles in two groups at once: one step per group, each with the sort marker */
    tn_group_member_patch roles[] = {
        {.group_id = GID, .user_id = "carol", .has_role_level = true, .role_level = 60},
        {.group_id = "g2", .user_id = "alice", .has_role_level = true, .role_level = 60},
        {.group_id = GID, .user_id = "bob", .has_mute_end_time = true, .mute_end_time = 99999},
    };
    assert_int_equal(GOPS->members_update(f->s, APP, roles, 3, 3000), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_GROUP_MEMBER, GID).version, 3);
    e = tn_test_version_entries(f, APP, TN_VERSION_GROUP_MEMBER, GID, 2, &n);
    assert_int_equal(n, 3);
    assert_non_null(entry(e, n, "carol"));
    assert_non_null(entry(e, n, "bob"));
    assert_int_equal(entry(e, n, TN_VERSION_SORT_MARKER)->version, 3);
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_GROUP_MEMBER, "g2").version, 2);

    tn_group_member *list;
    assert_int_equal(GOPS->members_ordered(f->s, APP, GID, &f->arena, &list, &n), TN_OK);
    assert_string_equal(list[0].user_id, "alice");
    assert_string_equal(list[1].user_id, "carol"); /* admins before members */
    assert_string_equal(list[2].user_id, "bob");
    assert_string_equal(list[2].nickname, "Bobby");
    assert_int_equal(list[2].mute_end_time, 99999);

    /* a non-member in the batch: nothing written */
    tn_group_member_patch bad[] = {
        {.group_id = GID, .user_id = "bob", .nickname = "B2"},
        {.group_id = GID, .user_id = "zed", .nickname = "Z"},
    };
    assert_int_equal(GOPS->members_update(f->s, APP, bad, 2, 4000), TN_ENOTFOUND);
    const char *bob = "bob";
    assert_int_equal(GOPS->members_get(f->s, APP, GID, &bob, 1, &f->arena, &list, &n), TN_OK);
    assert_string_equal(list[0].nickname, "Bobby");
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_GROUP_MEMBER, GID).version, 3);
}

static void test_requests(void **state)
{
    fixture *f = *state;
    const char *ids[] = {"alice", "bob"};
    create(f, GID, ids, 2, false);
    create(f, "g2", ids, 2, false);
    tn_group_request r = {
        .group_id = GID, .user_id = "dave", .req_msg = "hi", .req_time = 100, .join_source = 3};
    assert_int_equal(GOPS->requests_put(f->s, APP, &r, 1), TN_OK);
    r.group_id = "g2";
    r.req_time = 200;
    assert_int_equal(GOPS->requests_put(f->s, APP, &r, 1), TN_OK);
    r.req_msg = "again";
    r.req_time = 300; /* replaces the earlier one */
    assert_int_equal(GOPS->requests_put(f->s, APP, &r, 1), TN_OK);

    tn_group_request *list;
    size_t n;
    assert_int_equal(GOPS->requests_of_user(f->s, APP, "dave", &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].group_id, "g2"); /* newest first */
    assert_string_equal(list[0].req_msg, "again");
    const char *gids[] = {GID, "g2"};
    assert_int_equal(GOPS->requests_to_groups(f->s, APP, gids, 2, &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].req_time, 300);
    assert_int_equal(list[1].req_time, 100);

    /* accepting adds the member in the same transaction; a second answer finds nothing */
    tn_group_member dave = member(GID, "dave", TN_ROLE_MEMBER, 500);
    assert_int_equal(
        GOPS->request_handle(f->s, APP, GID, "dave", 1, "ok", "alice", &dave, false, 500), TN_OK);
    assert_int_equal(
        GOPS->request_handle(f->s, APP, GID, "dave", -1, "no", "alice", NULL, false, 600),
        TN_ENOTFOUND);
    const char *who = "dave";
    assert_int_equal(GOPS->requests_get(f->s, APP, GID, &who, 1, &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].handle_result, 1);
    assert_string_equal(list[0].handle_user_id, "alice");
    assert_int_equal(list[0].handle_time, 500);
    assert_int_equal(get_group(f, GID).member_count, 3);
    assert_int_equal(tn_test_version_head(f, APP, TN_VERSION_JOIN_GROUP, "dave").version, 1);

    /* refusing writes no member */
    assert_int_equal(
        GOPS->request_handle(f->s, APP, "g2", "dave", -1, "no", "bob", NULL, false, 700), TN_OK);
    assert_int_equal(get_group(f, "g2").member_count, 2);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* 10,000 members in one transaction; the time is printed (and bounded loosely, as sanitizer
 * builds run several times slower) */
static void test_create_10000_members(void **state)
{
    fixture *f = *state;
    enum { N = 10000 };
    char(*names)[16] = calloc(N, sizeof *names);
    tn_group_member *m = calloc(N, sizeof *m);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "user%05d", i);
        m[i] = member("big", names[i], i == 0 ? TN_ROLE_OWNER : TN_ROLE_MEMBER, 1000);
    }
    tn_group g = group("big");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(GOPS->group_create(f->s, APP, &g, m, N, false, 1000), TN_OK);
    double took = seconds_since(&t0);
    printf("# group_create with %d members: %.3f s\n", N, took);
    assert_true(took < 30.0);
    assert_int_equal(get_group(f, "big").member_count, N);
    size_t n;
    tn_test_version_entries(f, APP, TN_VERSION_GROUP_MEMBER, "big", 0, &n);
    assert_int_equal(n, N);
    assert_int_equal(conv(f, "user09999", "sg_big").min_seq, 1);
    free(m);
    free(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_writes_members_logs_and_conversations, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_add_remove_and_conversation_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_marker_and_dismiss, setup, teardown),
        cmocka_unit_test_setup_teardown(test_member_update_and_sort_marker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_10000_members, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
