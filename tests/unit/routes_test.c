/* Unit tests for net/http/routes: the table is strictly sorted (the lookup is a bsearch), every
 * row is complete, lookups hit and miss correctly, and permissions match OpenIM's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "routes.h"

#include <stdio.h>
#include <string.h>

static void test_sorted_strictly(void **state)
{
    (void)state;
    assert_true(tn_route_count > 0);
    for (size_t i = 1; i < tn_route_count; i++)
        if (strcmp(tn_routes[i - 1].path, tn_routes[i].path) >= 0)
            fail_msg("routes out of order: %s before %s", tn_routes[i - 1].path, tn_routes[i].path);
}

static void test_rows_complete(void **state)
{
    (void)state;
    for (size_t i = 0; i < tn_route_count; i++) {
        const tn_route *r = &tn_routes[i];
        assert_non_null(r->path);
        if (r->path[0] != '/')
            fail_msg("route %s does not start with '/'", r->path);
        if (strchr(r->path, ' ') || strchr(r->path, '?') || r->path[strlen(r->path) - 1] == '/')
            fail_msg("route %s is not a plain path", r->path);
        if (!r->fn)
            fail_msg("route %s has no handler", r->path);
        if (r->perm < TN_PERM_NONE || r->perm > TN_PERM_ADMIN)
            fail_msg("route %s has permission %d", r->path, (int)r->perm);
    }
}

static void test_find_each(void **state)
{
    (void)state;
    for (size_t i = 0; i < tn_route_count; i++) {
        /* a copy, so a lookup by pointer identity would not pass */
        char path[256];
        snprintf(path, sizeof path, "%s", tn_routes[i].path);
        const tn_route *r = tn_route_find(path);
        if (r != &tn_routes[i])
            fail_msg("tn_route_find(%s) did not find its row", path);
    }
}

static void test_find_misses(void **state)
{
    (void)state;
    assert_null(tn_route_find("/nope"));
    assert_null(tn_route_find("/user"));
    assert_null(tn_route_find("/user/"));
    assert_null(tn_route_find("/auth"));
    assert_null(tn_route_find(""));
    assert_null(tn_route_find("/"));
    assert_null(tn_route_find("/user/user_register/"));
    assert_null(tn_route_find("/USER/USER_REGISTER"));
    assert_null(tn_route_find("user/user_register"));
    assert_null(tn_route_find("/auth/get_admin_token?x=1"));
    assert_null(tn_route_find("/zzz"));
    assert_null(tn_route_find("/aaa"));
}

static void expect_perm(const char *path, tn_perm perm)
{
    const tn_route *r = tn_route_find(path);
    if (!r)
        fail_msg("route %s is missing", path);
    if (r->perm != perm)
        fail_msg("route %s has permission %s, want %s", path, tn_perm_name(r->perm),
                 tn_perm_name(perm));
}

static void test_permissions(void **state)
{
    (void)state;
    expect_perm("/user/user_register", TN_PERM_ADMIN);
    expect_perm("/auth/get_user_token", TN_PERM_ADMIN);
    expect_perm("/auth/force_logout", TN_PERM_ADMIN);
    expect_perm("/user/account_check", TN_PERM_ADMIN);
    expect_perm("/user/get_users_online_status", TN_PERM_ADMIN);
    expect_perm("/auth/get_admin_token", TN_PERM_NONE);
    expect_perm("/auth/parse_token", TN_PERM_NONE);
    /* only these two need no token */
    for (size_t i = 0; i < tn_route_count; i++)
        if (tn_routes[i].perm == TN_PERM_NONE &&
            strcmp(tn_routes[i].path, "/auth/get_admin_token") &&
            strcmp(tn_routes[i].path, "/auth/parse_token"))
            fail_msg("route %s needs no token", tn_routes[i].path);
}

static void test_perm_names(void **state)
{
    (void)state;
    assert_string_equal(tn_perm_name(TN_PERM_NONE), "none");
    assert_string_equal(tn_perm_name(TN_PERM_TOKEN), "token");
    assert_string_equal(tn_perm_name(TN_PERM_SELF_OR_ADMIN), "self or admin");
    assert_string_equal(tn_perm_name(TN_PERM_ADMIN), "admin");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_strictly), cmocka_unit_test(test_rows_complete),
        cmocka_unit_test(test_find_each),       cmocka_unit_test(test_find_misses),
        cmocka_unit_test(test_permissions),     cmocka_unit_test(test_perm_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
