/* Unit tests for store/sqlite/sqlite_conversation.c: conversation records (create, partial
 * update, change detection, read cursor), version logs (heads, one bump per write, one entry per
 * element) and the in-transaction helpers the message append uses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "sqlite_conversation.h"
#include "sqlite_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define APP  "default"
#define COLL TN_SQLITE_CONV_COLLECTION

typedef tn_store_fixture fixture;

static int setup(void **state)
{
    return tn_store_fixture_setup(state, "conversation_store_test");
}

static int teardown(void **state)
{
    return tn_store_fixture_teardown(state);
}

#define OPS (f->s->ops)

static tn_conversation get_one(fixture *f, const char *owner, const char *id)
{
    tn_conversation *list;
    size_t n;
    assert_int_equal(OPS->conversations_get(f->s, APP, owner, &id, 1, &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 1);
    return list[0];
}

static tn_conversation_patch single(const char *id, const char *peer)
{
    return (tn_conversation_patch){.conversation_id = id, .conversation_type = 1, .user_id = peer};
}

static void test_set_creates_with_insert_entries(void **state)
{
    fixture *f = *state;
    const char *owners[] = {"alice", "bob"};
    tn_conversation_patch p = single("si_alice_bob", "bob");
    p.has_is_pinned = true;
    p.is_pinned = true;
    p.has_ex = true;
    p.ex = "x";
    bool changed[2] = {false, false};
    assert_int_equal(OPS->conversations_set(f->s, APP, owners, 2, &p, 1000, changed), TN_OK);
    assert_true(changed[0] && changed[1]);

    tn_conversation c = get_one(f, "alice", "si_alice_bob");
    assert_string_equal(c.owner_user_id, "alice");
    assert_int_equal(c.conversation_type, 1);
    assert_string_equal(c.user_id, "bob");
    assert_string_equal(c.group_id, "");
    assert_true(c.is_pinned);
    assert_string_equal(c.ex, "x");
    assert_string_equal(c.attached_info, "");
    assert_int_equal(c.recv_msg_opt, 0);
    assert_int_equal(c.has_read_seq, 0);
    assert_int_equal(c.create_time, 1000);

    /* a log created by its first write starts at version 1, its entries too */
    for (int i = 0; i < 2; i++) {
        tn_version_head h = tn_test_version_head(f, APP, COLL, owners[i]);
        assert_int_equal(h.version, 1);
        size_t n;
        tn_version_entry *e = tn_test_version_entries(f, APP, COLL, owners[i], 0, &n);
        assert_int_equal(n, 1);
        assert_string_equal(e[0].element_id, "si_alice_bob");
        assert_int_equal(e[0].state, TN_VERSION_INSERT);
        assert_int_equal(e[0].version, 1);
    }
}

static void test_set_updates_only_present_fields(void **state)
{
    fixture *f = *state;
    const char *owner = "alice";
    tn_conversation_patch p = single("si_alice_bob", "bob");
    p.has_recv_msg_opt = true;
    p.recv_msg_opt = 2;
    p.has_attached_info = true;
    p.attached_info = "info";
    p.has_burn_duration = true;
    p.burn_duration = 30;
    assert_int_equal(OPS->conversations_set(f->s, APP, &owner, 1, &p, 1, NULL), TN_OK);
    tn_version_head h1 = tn_test_version_head(f, APP, COLL, owner);

    tn_conversation_patch q = single("si_alice_bob", "someone_else");
    q.conversation_type = 3;
    q.has_is_pinned = true;
    q.is_pinned = true;
    q.has_group_at_type = true;
    q.group_at_type = 2;
    q.has_msg_destruct_time = true;
    q.msg_destruct_time = 99;
    q.has_is_msg_destruct = true;
    q.is_msg_destruct = true;
    q.has_is_private_chat = true;
    q.is_private_chat = true;
    bool changed = false;
    assert_int_equal(OPS->conversations_set(f->s, APP, &owner, 1, &q, 2, &changed), TN_OK);
    assert_true(changed);
    tn_conversation c = get_one(f, owner, "si_alice_bob");
    /* identity fields stay as created; earlier fields stay; new ones are written */
    assert_int_equal(c.conversation_type, 1);
    assert_string_equal(c.user_id, "bob");
    assert_int_equal(c.recv_msg_opt, 2);
    assert_string_equal(c.attached_info, "info");
    assert_int_equal(c.burn_duration, 30);
    assert_true(c.is_pinned);
    assert_int_equal(c.group_at_type, 2);
    assert_int_equal(c.msg_destruct_time, 99);
    assert_true(c.is_msg_destruct);
    assert_true(c.is_private_chat);
    assert_int_equal(c.create_time, 1);

    tn_version_head h2 = tn_test_version_head(f, APP, COLL, owner);
    assert_string_equal(h2.version_id, h1.version_id);
    assert_int_equal(h2.version, h1.version + 1);
    size_t n;
    tn_version_entry *e = tn_test_version_entries(f, APP, COLL, owner, h1.version, &n);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].state, TN_VERSION_UPDATE);
    assert_int_equal(e[0].version, h2.version);
    /* one entry per element: the insert was replaced by the update */
    e = tn_test_version_entries(f, APP, COLL, owner, 0, &n);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].state, TN_VERSION_UPDATE);
}

static void test_set_without_change_writes_nothing(void **state)
{
    fixture *f = *state;
    const char *owners[] = {"alice", "bob"};
    tn_conversation_patch p = single("si_alice_bob", "bob");
    p.has_is_pinned = true;
    p.is_pinned = true;
    assert_int_equal(OPS->conversations_set(f->s, APP, owners, 1, &p, 1, NULL), TN_OK);
    tn_version_head before = tn_test_version_head(f, APP, COLL, "alice");
    bool changed[2] = {true, false};
    assert_int_equal(OPS->conversations_set(f->s, APP, owners, 2, &p, 2, changed), TN_OK);
    assert_false(changed[0]); /* same value: no change, no version */
    assert_true(changed[1]);  /* bob's record was created */
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, before.version);

    /* a patch with no field present changes nothing for an existing record */
    tn_conversation_patch empty = single("si_alice_bob", "bob");
    assert_int_equal(OPS->conversations_set(f->s, APP, owners, 1, &empty, 3, changed), TN_OK);
    assert_false(changed[0]);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, before.version);

    /* the same owner twice in one call: one change, one version */
    const char *twice[] = {"alice", "alice"};
    p.is_pinned = false;
    assert_int_equal(OPS->conversations_set(f->s, APP, twice, 2, &p, 4, changed), TN_OK);
    assert_true(changed[0]);
    assert_false(changed[1]);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, before.version + 1);
}

static void test_list_and_get(void **state)
{
    fixture *f = *state;
    const char *owner = "carol";
    const char *ids[] = {"si_b_carol", "sg_g1", "si_a_carol"};
    for (int i = 0; i < 3; i++) {
        tn_conversation_patch p = single(ids[i], "x");
        if (i == 1) {
            p.conversation_type = 3;
            p.user_id = "";
            p.group_id = "g1";
        }
        p.has_ex = true;
        p.ex = "";
        assert_int_equal(OPS->conversations_set(f->s, APP, &owner, 1, &p, 10 + i, NULL), TN_OK);
    }
    tn_conversation *list;
    size_t n;
    assert_int_equal(OPS->conversations_list(f->s, APP, owner, &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(list[i].conversation_id, ids[i]); /* creation order */
    assert_string_equal(list[1].group_id, "g1");
    assert_int_equal(tn_test_version_head(f, APP, COLL, owner).version, 3);

    const char *want[] = {"si_a_carol", "nope", "sg_g1", "si_a_carol"};
    assert_int_equal(OPS->conversations_get(f->s, APP, owner, want, 4, &f->arena, &list, &n),
                     TN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].conversation_id, "si_a_carol");
    assert_string_equal(list[1].conversation_id, "sg_g1");

    assert_int_equal(OPS->conversations_list(f->s, APP, "nobody", &f->arena, &list, &n), TN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(OPS->conversations_list(f->s, "other_app", owner, &f->arena, &list, &n),
                     TN_OK);
    assert_int_equal(n, 0);
}

static void test_mark_read(void **state)
{
    fixture *f = *state;
    const char *owner = "alice";
    assert_int_equal(OPS->conversation_mark_read(f->s, APP, owner, "si_alice_bob", 3),
                     TN_ENOTFOUND);
    tn_conversation_patch p = single("si_alice_bob", "bob");
    assert_int_equal(OPS->conversations_set(f->s, APP, &owner, 1, &p, 1, NULL), TN_OK);
    int64_t v = tn_test_version_head(f, APP, COLL, owner).version;
    assert_int_equal(OPS->conversation_mark_read(f->s, APP, owner, "si_alice_bob", 5), TN_OK);
    assert_int_equal(get_one(f, owner, "si_alice_bob").has_read_seq, 5);
    assert_int_equal(OPS->conversation_mark_read(f->s, APP, owner, "si_alice_bob", 2), TN_OK);
    assert_int_equal(get_one(f, owner, "si_alice_bob").has_read_seq, 5); /* never lowered */
    assert_int_equal(OPS->conversation_mark_read(f->s, APP, owner, "si_alice_bob", 5), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, COLL, owner).version,
                     v); /* read state is not versioned */
}

static void test_head_created_on_query(void **state)
{
    fixture *f = *state;
    tn_version_head h = tn_test_version_head(f, APP, "friend", "dave");
    assert_int_equal(h.version, 1);
    assert_int_equal(strlen(h.version_id), 24);
    for (const char *p = h.version_id; *p; p++)
        assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
    tn_version_head again = tn_test_version_head(f, APP, "friend", "dave");
    assert_string_equal(again.version_id, h.version_id);
    assert_int_equal(again.version, 1);
    /* other keys and collections have their own heads */
    assert_string_not_equal(tn_test_version_head(f, APP, "friend", "erin").version_id,
                            h.version_id);
    assert_string_not_equal(tn_test_version_head(f, APP, "join_group", "dave").version_id,
                            h.version_id);
    size_t n;
    tn_test_version_entries(f, APP, "friend", "dave", 0, &n);
    assert_int_equal(n, 0);

    /* the persisted head survives a reopen */
    tn_store_close(f->s);
    f->s = tn_test_open_store(f->path);
    tn_version_head reopened = tn_test_version_head(f, APP, "friend", "dave");
    assert_string_equal(reopened.version_id, h.version_id);
    assert_int_equal(reopened.version, 1);
}

static void test_version_bump(void **state)
{
    fixture *f = *state;
    tn_sqlite_conn *c = tn_sqlite_conn_get(f->s);
    assert_non_null(c);
    tn_version_head h =
        tn_test_version_head(f, APP, "group_member", "g1"); /* queried first: version 1 */

    const char *ids[] = {"u1", "u2", "u3"};
    int32_t ins[] = {TN_VERSION_INSERT, TN_VERSION_INSERT, TN_VERSION_INSERT};
    assert_int_equal(tn_sqlite_begin(c), TN_OK);
    assert_int_equal(tn_sqlite_version_bump(c, APP, "group_member", "g1", ids, ins, 3, 5), TN_OK);
    assert_int_equal(tn_sqlite_end(c, TN_OK), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, "group_member", "g1").version,
                     2); /* once for three elements */

    const char *del[] = {"u2"};
    int32_t st_del[] = {TN_VERSION_DELETE};
    assert_int_equal(tn_sqlite_begin(c), TN_OK);
    assert_int_equal(tn_sqlite_version_bump(c, APP, "group_member", "g1", del, st_del, 1, 6),
                     TN_OK);
    /* a bump without elements still counts as one write */
    assert_int_equal(tn_sqlite_version_bump(c, APP, "group_member", "g1", NULL, NULL, 0, 6), TN_OK);
    assert_int_equal(tn_sqlite_end(c, TN_OK), TN_OK);

    tn_version_head now = tn_test_version_head(f, APP, "group_member", "g1");
    assert_string_equal(now.version_id, h.version_id);
    assert_int_equal(now.version, 4);
    size_t n;
    tn_version_entry *e = tn_test_version_entries(f, APP, "group_member", "g1", 0, &n);
    assert_int_equal(n, 3);
    assert_string_equal(e[0].element_id, "u1");
    assert_int_equal(e[0].version, 2);
    assert_string_equal(e[1].element_id, "u3");
    assert_string_equal(e[2].element_id, "u2");
    assert_int_equal(e[2].state, TN_VERSION_DELETE);
    assert_int_equal(e[2].version, 3);
    e = tn_test_version_entries(f, APP, "group_member", "g1", 2, &n);
    assert_int_equal(n, 1);
    assert_string_equal(e[0].element_id, "u2");
    tn_test_version_entries(f, APP, "group_member", "g1", 4, &n);
    assert_int_equal(n, 0);

    /* a rolled-back bump leaves nothing behind */
    assert_int_equal(tn_sqlite_begin(c), TN_OK);
    assert_int_equal(tn_sqlite_version_bump(c, APP, "group_member", "g1", ids, ins, 1, 7), TN_OK);
    assert_int_equal(tn_sqlite_end(c, TN_EARGS), TN_EARGS);
    assert_int_equal(tn_test_version_head(f, APP, "group_member", "g1").version, 4);
}

static void test_seed_and_read_to(void **state)
{
    fixture *f = *state;
    tn_sqlite_conn *c = tn_sqlite_conn_get(f->s);
    assert_non_null(c);
    tn_conv_seed seeds[] = {
        {.owner_user_id = "alice",
         .conversation_id = "si_alice_bob",
         .conversation_type = 1,
         .user_id = "bob"},
        {.owner_user_id = "bob",
         .conversation_id = "si_alice_bob",
         .conversation_type = 1,
         .user_id = "alice"},
    };
    assert_int_equal(tn_sqlite_begin(c), TN_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(tn_sqlite_conv_seed(c, APP, &seeds[i], 77), TN_OK);
    assert_int_equal(tn_sqlite_conv_read_to(c, APP, "alice", "si_alice_bob", 1), TN_OK);
    /* no record: nothing to raise, not an error inside the append */
    assert_int_equal(tn_sqlite_conv_read_to(c, APP, "nobody", "si_alice_bob", 1), TN_OK);
    assert_int_equal(tn_sqlite_end(c, TN_OK), TN_OK);

    tn_conversation a = get_one(f, "alice", "si_alice_bob");
    assert_string_equal(a.user_id, "bob");
    assert_int_equal(a.conversation_type, 1);
    assert_int_equal(a.has_read_seq, 1);
    assert_int_equal(a.create_time, 77);
    assert_int_equal(get_one(f, "bob", "si_alice_bob").has_read_seq, 0);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 1);
    size_t n;
    tn_version_entry *e = tn_test_version_entries(f, APP, COLL, "bob", 0, &n);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].state, TN_VERSION_INSERT);

    /* seeding an existing record changes nothing, not even the version */
    tn_conversation_patch p = single("si_alice_bob", "bob");
    p.has_is_pinned = true;
    p.is_pinned = true;
    const char *owner = "alice";
    assert_int_equal(OPS->conversations_set(f->s, APP, &owner, 1, &p, 78, NULL), TN_OK);
    assert_int_equal(tn_sqlite_begin(c), TN_OK);
    assert_int_equal(tn_sqlite_conv_seed(c, APP, &seeds[0], 79), TN_OK);
    assert_int_equal(tn_sqlite_end(c, TN_OK), TN_OK);
    assert_int_equal(tn_test_version_head(f, APP, COLL, "alice").version, 2);
    assert_true(get_one(f, "alice", "si_alice_bob").is_pinned);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_set_creates_with_insert_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_updates_only_present_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_without_change_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mark_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_created_on_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_bump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed_and_read_to, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
