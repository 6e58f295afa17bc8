/* Unit tests for svc/version.c: the incremental-sync decision of openim-rest.md §15.2 (full,
 * up to date, insert/update/delete split, markers, the 200-entry limit) and §15.4's idHash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "version.h"

#include <stdio.h>
#include <string.h>

#define VID   "65a1b2c3d4e5f60718293a4b"
#define OTHER "65a1b2c3d4e5f60718293a4c"

static tn_arena arena;

static int setup(void **state)
{
    (void)state;
    tn_arena_init(&arena);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tn_arena_free_all(&arena);
    return 0;
}

static void assert_full(const tn_version_delta *d)
{
    assert_true(d->full);
    assert_true(d->changed);
    assert_null(d->insert_ids);
    assert_null(d->update_ids);
    assert_null(d->delete_ids);
    assert_int_equal(d->insert_count + d->update_count + d->delete_count, 0);
}

static void test_id_valid(void **state)
{
    (void)state;
    assert_true(tn_version_id_valid(VID));
    assert_true(tn_version_id_valid("65A1B2C3D4E5F60718293A4B"));
    assert_false(tn_version_id_valid(NULL));
    assert_false(tn_version_id_valid(""));
    assert_false(tn_version_id_valid("65a1b2c3d4e5f60718293a4"));   /* 23 */
    assert_false(tn_version_id_valid("65a1b2c3d4e5f60718293a4bc")); /* 25 */
    assert_false(tn_version_id_valid("65a1b2c3d4e5f60718293a4g"));
    assert_false(tn_version_id_valid("000000000000000000000000")); /* the zero ObjectID */
}

static void test_full_cases(void **state)
{
    (void)state;
    tn_version_head h = {.version_id = VID, .version = 7};
    tn_version_entry e[] = {{"c1", TN_VERSION_INSERT, 7}};
    tn_version_delta d;
    /* first sync */
    tn_version_diff(&h, NULL, 0, "", 0, &arena, &d);
    assert_full(&d);
    /* bad versionID, whatever the version */
    tn_version_diff(&h, e, 1, "not-an-object-id", 6, &arena, &d);
    assert_full(&d);
    tn_version_diff(&h, e, 1, "000000000000000000000000", 6, &arena, &d);
    assert_full(&d);
    /* right ID, version 0 */
    tn_version_diff(&h, e, 1, VID, 0, &arena, &d);
    assert_full(&d);
    /* another log's ID (the log was recreated) */
    tn_version_diff(&h, e, 1, OTHER, 6, &arena, &d);
    assert_full(&d);
    /* the upper-case spelling is a different ID for the comparison */
    tn_version_diff(&h, e, 1, "65A1B2C3D4E5F60718293A4B", 6, &arena, &d);
    assert_full(&d);
    /* the client is ahead of the log */
    tn_version_diff(&h, NULL, 0, VID, 8, &arena, &d);
    assert_full(&d);
    assert_false(tn_version_wants_entries(&h, VID, 8));
    assert_false(tn_version_wants_entries(&h, OTHER, 6));
    assert_false(tn_version_wants_entries(&h, "", 0));
    assert_true(tn_version_wants_entries(&h, VID, 6));
}

static void test_up_to_date(void **state)
{
    (void)state;
    tn_version_head h = {.version_id = VID, .version = 7};
    tn_version_delta d;
    tn_version_diff(&h, NULL, 0, VID, 7, &arena, &d);
    assert_false(d.full);
    assert_false(d.changed);
    assert_null(d.insert_ids);
    assert_null(d.update_ids);
    assert_null(d.delete_ids);
    assert_int_equal(d.sort_version, 0);
    assert_false(tn_version_wants_entries(&h, VID, 7));
}

static void test_split_by_state(void **state)
{
    (void)state;
    tn_version_head h = {.version_id = VID, .version = 9};
    tn_version_entry e[] = {
        {"old", TN_VERSION_UPDATE, 4}, /* not after the client's version: ignored */
        {"c1", TN_VERSION_INSERT, 6},  {"c2", TN_VERSION_UPDATE, 6},
        {"c3", TN_VERSION_DELETE, 7},  {TN_VERSION_SORT_MARKER, TN_VERSION_UPDATE, 8},
        {"", TN_VERSION_UPDATE, 8}, /* group-info marker */
        {"c4", TN_VERSION_INSERT, 9},
    };
    tn_version_delta d;
    tn_version_diff(&h, e, sizeof e / sizeof e[0], VID, 5, &arena, &d);
    assert_false(d.full);
    assert_true(d.changed);
    assert_int_equal(d.insert_count, 2);
    assert_string_equal(d.insert_ids[0], "c1");
    assert_string_equal(d.insert_ids[1], "c4");
    assert_int_equal(d.update_count, 1);
    assert_string_equal(d.update_ids[0], "c2");
    assert_int_equal(d.delete_count, 1);
    assert_string_equal(d.delete_ids[0], "c3");
    assert_int_equal(d.sort_version, 8);

    /* only a marker changed: no IDs, but the range is not empty */
    tn_version_diff(&h, e, sizeof e / sizeof e[0], VID, 8, &arena, &d);
    assert_false(d.full);
    assert_true(d.changed);
    assert_int_equal(d.insert_count, 1); /* c4 at 9 */
    assert_int_equal(d.sort_version, 0);
    tn_version_entry markers[] = {{"", TN_VERSION_UPDATE, 9}};
    tn_version_diff(&h, markers, 1, VID, 8, &arena, &d);
    assert_true(d.changed);
    assert_null(d.insert_ids);
    assert_null(d.update_ids);
    assert_null(d.delete_ids);

    /* versions moved without element entries (empty writes): nothing to send */
    tn_version_diff(&h, NULL, 0, VID, 8, &arena, &d);
    assert_false(d.full);
    assert_false(d.changed);
}

static void test_limit(void **state)
{
    (void)state;
    enum { N = TN_VERSION_SYNC_LIMIT + 1 };
    static tn_version_entry e[N];
    static char names[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "c%d", i);
        e[i] = (tn_version_entry){names[i], TN_VERSION_INSERT, 2 + i};
    }
    tn_version_head h = {.version_id = VID, .version = 2 + N - 1};
    tn_version_delta d;
    /* 200 changed elements still go incrementally */
    tn_version_diff(&h, e + 1, N - 1, VID, 2, &arena, &d);
    assert_false(d.full);
    assert_int_equal(d.insert_count, TN_VERSION_SYNC_LIMIT);
    /* 201 (markers count too) force a full resync */
    tn_version_diff(&h, e, N, VID, 1, &arena, &d);
    assert_full(&d);
    e[0].element_id = TN_VERSION_SORT_MARKER;
    tn_version_diff(&h, e, N, VID, 1, &arena, &d);
    assert_full(&d);
    /* entries at or below the client's version do not count */
    tn_version_diff(&h, e, N, VID, 2, &arena, &d);
    assert_false(d.full);
}

static void test_id_hash(void **state)
{
    (void)state;
    /* MD5 of Go's json.Marshal([]string), first 8 bytes big-endian */
    const char *ab[] = {"a", "b"};
    assert_true(tn_version_id_hash(ab, 2) == 16518927257079726733ULL);
    const char *a[] = {"a"};
    assert_true(tn_version_id_hash(a, 1) == 5518804830492625176ULL);
    const char *convs[] = {"si_a_b", "sg_g1"};
    assert_true(tn_version_id_hash(convs, 2) == 18408597853715479137ULL);
    assert_true(tn_version_id_hash(NULL, 0) == 0);
    /* HTML characters escaped as Go does: ["\u003cx\u003e\u0026"] */
    const char *html[] = {"<x>&"};
    assert_true(tn_version_id_hash(html, 1) == 17979917420594373089ULL);
    /* U+2028 escaped, an invalid byte becomes \ufffd: ["\u2028\ufffd"] */
    const char *odd[] = {"\xe2\x80\xa8\xff"};
    assert_true(tn_version_id_hash(odd, 1) == 16399270076834215747ULL);
    /* quote, backslash, newline, control byte: ["q\"\\\n\u0001"] */
    const char *ctl[] = {"q\"\\\n\x01"};
    assert_true(tn_version_id_hash(ctl, 1) == 12123452384260359967ULL);
    /* order matters */
    const char *ba[] = {"b", "a"};
    assert_true(tn_version_id_hash(ba, 2) != tn_version_id_hash(ab, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_valid),
        cmocka_unit_test_setup_teardown(test_full_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_up_to_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_by_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
        cmocka_unit_test(test_id_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
