/* Unit tests for codec/json: typed field access with Go encoding/json rules (case-insensitive
 * keys, null = zero value, no quoted numbers), TN_EARGS details, pagination, UserInfo output. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "json.h"

#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    tn_arena arena;
    tn_ctx ctx;
    json_t *body;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tn_arena_init(&f->arena);
    tn_ctx_init(&f->ctx, "default", "op-json", &f->arena);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    json_decref(f->body);
    tn_arena_free_all(&f->arena);
    free(f);
    return 0;
}

/* Parses text as the request body (freed at teardown) and clears the error detail. */
static json_t *body(fixture *f, const char *text)
{
    json_decref(f->body);
    json_error_t err;
    f->body = json_loads(text, 0, &err);
    assert_non_null(f->body);
    f->ctx.detail[0] = 0;
    return f->body;
}

static void assert_detail_names(fixture *f, const char *field)
{
    if (!strstr(f->ctx.detail, field))
        fail_msg("detail \"%s\" does not name %s", f->ctx.detail, field);
}

/* ---- field lookup ---- */

static void test_field_case_insensitive(void **state)
{
    fixture *f = *state;
    json_t *b = body(f, "{\"USERID\":\"u1\",\"NickName\":\"n\"}");
    const char *s;
    assert_int_equal(tn_json_str(&f->ctx, b, "userID", true, &s), TN_OK);
    assert_string_equal(s, "u1");
    assert_int_equal(tn_json_str(&f->ctx, b, "nickname", false, &s), TN_OK);
    assert_string_equal(s, "n");
    assert_ptr_equal(tn_json_field(b, "userid"), json_object_get(b, "USERID"));
    assert_null(tn_json_field(b, "user"));
    assert_null(tn_json_field(NULL, "userID"));

    /* an exact match wins over a case-insensitive one */
    b = body(f, "{\"USERID\":\"upper\",\"userID\":\"exact\"}");
    assert_int_equal(tn_json_str(&f->ctx, b, "userID", true, &s), TN_OK);
    assert_string_equal(s, "exact");
}

/* ---- strings ---- */

static void test_str(void **state)
{
    fixture *f = *state;
    json_t *b = body(f, "{\"a\":\"x\",\"nullField\":null,\"emptyField\":\"\",\"num\":5}");
    const char *s = "junk";
    assert_int_equal(tn_json_str(&f->ctx, b, "a", false, &s), TN_OK);
    assert_string_equal(s, "x");
    s = "junk";
    assert_int_equal(tn_json_str(&f->ctx, b, "nullField", false, &s), TN_OK);
    assert_string_equal(s, "");
    s = "junk";
    assert_int_equal(tn_json_str(&f->ctx, b, "absent", false, &s), TN_OK);
    assert_string_equal(s, "");
    assert_int_equal(tn_json_str(&f->ctx, b, "emptyField", false, &s), TN_OK);
    assert_string_equal(s, "");

    /* required: empty, null and absent are all missing */
    assert_int_equal(tn_json_str(&f->ctx, b, "emptyField", true, &s), TN_EARGS);
    assert_detail_names(f, "emptyField");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_str(&f->ctx, b, "nullField", true, &s), TN_EARGS);
    assert_detail_names(f, "nullField");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_str(&f->ctx, b, "userID", true, &s), TN_EARGS);
    assert_detail_names(f, "userID");

    /* a number is not a string */
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_str(&f->ctx, b, "num", false, &s), TN_EARGS);
    assert_detail_names(f, "num");
}

static void test_str_wrapper(void **state)
{
    fixture *f = *state;
    json_t *b = body(f, "{\"nickname\":\"bob\",\"faceURL\":null,\"ex\":\"\",\"bad\":true}");
    const char *s = "junk";
    assert_int_equal(tn_json_str_wrapper(&f->ctx, b, "NICKNAME", &s), TN_OK);
    assert_string_equal(s, "bob");
    s = "junk";
    assert_int_equal(tn_json_str_wrapper(&f->ctx, b, "faceURL", &s), TN_OK);
    assert_null(s);
    s = "junk";
    assert_int_equal(tn_json_str_wrapper(&f->ctx, b, "absent", &s), TN_OK);
    assert_null(s);
    /* "" is a value, distinct from absent */
    assert_int_equal(tn_json_str_wrapper(&f->ctx, b, "ex", &s), TN_OK);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(tn_json_str_wrapper(&f->ctx, b, "bad", &s), TN_EARGS);
    assert_detail_names(f, "bad");
}

/* ---- integers ---- */

static void test_int(void **state)
{
    fixture *f = *state;
    json_t *b = body(f, "{\"platformID\":3,\"n\":null,\"neg\":-7,\"big\":9007199254740993,"
                        "\"whole\":4.0,\"zero\":0}");
    int64_t v = -1;
    assert_int_equal(tn_json_int(&f->ctx, b, "PLATFORMID", true, 1, 11, &v), TN_OK);
    assert_int_equal(v, 3);
    v = -1;
    assert_int_equal(tn_json_int(&f->ctx, b, "n", false, 0, 10, &v), TN_OK);
    assert_int_equal(v, 0);
    v = -1;
    assert_int_equal(tn_json_int(&f->ctx, b, "absent", false, 0, 10, &v), TN_OK);
    assert_int_equal(v, 0);
    assert_int_equal(tn_json_int(&f->ctx, b, "neg", false, -10, 10, &v), TN_OK);
    assert_int_equal(v, -7);
    assert_int_equal(tn_json_int(&f->ctx, b, "big", false, INT64_MIN, INT64_MAX, &v), TN_OK);
    assert_int_equal(v, 9007199254740993LL);
    /* Go's encoding/json, which OpenIM decodes with, refuses 4.0 for an integer field */
    assert_int_equal(tn_json_int(&f->ctx, b, "whole", false, 0, 10, &v), TN_EARGS);
    assert_detail_names(f, "whole");

    /* required: null, absent and 0 are missing */
    assert_int_equal(tn_json_int(&f->ctx, b, "n", true, 0, 10, &v), TN_EARGS);
    assert_detail_names(f, "n");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_int(&f->ctx, b, "absentField", true, 0, 10, &v), TN_EARGS);
    assert_detail_names(f, "absentField");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_int(&f->ctx, b, "zero", true, 0, 10, &v), TN_EARGS);
    assert_detail_names(f, "zero");
}

static void test_int_rejects(void **state)
{
    fixture *f = *state;
    json_t *b = body(f, "{\"quoted\":\"5\",\"frac\":1.5,\"high\":12,\"low\":-1,\"bool\":true,"
                        "\"arr\":[1],\"huge\":1e300}");
    int64_t v;
    assert_int_equal(tn_json_int(&f->ctx, b, "quoted", false, 0, 10, &v), TN_EARGS);
    assert_detail_names(f, "quoted");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_int(&f->ctx, b, "frac", false, 0, 10, &v), TN_EARGS);
    assert_detail_names(f, "frac");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_int(&f->ctx, b, "high", false, 0, 11, &v), TN_EARGS);
    assert_detail_names(f, "high");
    assert_int_equal(tn_json_int(&f->ctx, b, "high", false, 0, 12, &v), TN_OK); /* inclusive */
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_int(&f->ctx, b, "low", false, 0, 11, &v), TN_EARGS);
    assert_detail_names(f, "low");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_int(&f->ctx, b, "bool", false, 0, 11, &v), TN_EARGS);
    assert_detail_names(f, "bool");
    assert_int_equal(tn_json_int(&f->ctx, b, "arr", false, 0, 11, &v), TN_EARGS);
    assert_int_equal(tn_json_int(&f->ctx, b, "huge", false, INT64_MIN, INT64_MAX, &v), TN_EARGS);
    /* a quoted number stays an error even where the field is required */
    assert_int_equal(tn_json_int(&f->ctx, b, "quoted", true, 0, 10, &v), TN_EARGS);
}

static void test_int_wrapper(void **state)
{
    fixture *f = *state;
    json_t *b = body(f, "{\"level\":0,\"opt\":2,\"n\":null,\"q\":\"1\",\"out\":99}");
    bool present = true;
    int64_t v = -1;
    assert_int_equal(tn_json_int_wrapper(&f->ctx, b, "Level", 0, 4, &present, &v), TN_OK);
    assert_true(present); /* 0 is a value, not absence */
    assert_int_equal(v, 0);
    assert_int_equal(tn_json_int_wrapper(&f->ctx, b, "opt", 0, 2, &present, &v), TN_OK);
    assert_true(present);
    assert_int_equal(v, 2);
    assert_int_equal(tn_json_int_wrapper(&f->ctx, b, "n", 0, 2, &present, &v), TN_OK);
    assert_false(present);
    present = true;
    assert_int_equal(tn_json_int_wrapper(&f->ctx, b, "absent", 0, 2, &present, &v), TN_OK);
    assert_false(present);
    assert_int_equal(tn_json_int_wrapper(&f->ctx, b, "q", 0, 2, &present, &v), TN_EARGS);
    assert_detail_names(f, "q");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_int_wrapper(&f->ctx, b, "out", 0, 2, &present, &v), TN_EARGS);
    assert_detail_names(f, "out");
}

/* ---- bool, object ---- */

static void test_bool(void **state)
{
    fixture *f = *state;
    json_t *b = body(f, "{\"t\":true,\"f\":false,\"n\":null,\"s\":\"true\",\"one\":1}");
    bool v = false;
    assert_int_equal(tn_json_bool(&f->ctx, b, "T", &v), TN_OK);
    assert_true(v);
    assert_int_equal(tn_json_bool(&f->ctx, b, "f", &v), TN_OK);
    assert_false(v);
    v = true;
    assert_int_equal(tn_json_bool(&f->ctx, b, "n", &v), TN_OK);
    assert_false(v);
    v = true;
    assert_int_equal(tn_json_bool(&f->ctx, b, "absent", &v), TN_OK);
    assert_false(v);
    assert_int_equal(tn_json_bool(&f->ctx, b, "s", &v), TN_EARGS);
    assert_detail_names(f, "s");
    assert_int_equal(tn_json_bool(&f->ctx, b, "one", &v), TN_EARGS);
}

static void test_object(void **state)
{
    fixture *f = *state;
    json_t *b = body(f, "{\"o\":{\"k\":1},\"n\":null,\"a\":[]}");
    json_t *o = NULL;
    assert_int_equal(tn_json_object(&f->ctx, b, "O", false, &o), TN_OK);
    assert_ptr_equal(o, json_object_get(b, "o"));
    assert_int_equal(tn_json_object(&f->ctx, b, "n", false, &o), TN_OK);
    assert_null(o);
    assert_int_equal(tn_json_object(&f->ctx, b, "absent", false, &o), TN_OK);
    assert_null(o);
    assert_int_equal(tn_json_object(&f->ctx, b, "n", true, &o), TN_EARGS);
    assert_detail_names(f, "n");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_object(&f->ctx, b, "req", true, &o), TN_EARGS);
    assert_detail_names(f, "req");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_object(&f->ctx, b, "a", false, &o), TN_EARGS);
    assert_detail_names(f, "a");
}

/* ---- string lists ---- */

static void test_str_list(void **state)
{
    fixture *f = *state;
    json_t *b = body(f, "{\"userIDs\":[\"a\",\"b\",\"\"],\"empty\":[],\"n\":null,"
                        "\"mixed\":[\"a\",1],\"notlist\":\"a\"}");
    const char **list = NULL;
    size_t n = 99;
    assert_int_equal(tn_json_str_list(&f->ctx, b, "USERIDS", true, true, &list, &n), TN_OK);
    assert_int_equal(n, 3);
    assert_string_equal(list[0], "a");
    assert_string_equal(list[1], "b");
    assert_string_equal(list[2], "");

    /* empty list: fine unless nonempty */
    assert_int_equal(tn_json_str_list(&f->ctx, b, "empty", true, false, &list, &n), TN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(tn_json_str_list(&f->ctx, b, "empty", true, true, &list, &n), TN_EARGS);
    assert_detail_names(f, "empty");

    /* null/absent: missing only when required */
    assert_int_equal(tn_json_str_list(&f->ctx, b, "n", false, false, &list, &n), TN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(tn_json_str_list(&f->ctx, b, "absent", false, false, &list, &n), TN_OK);
    assert_int_equal(n, 0);
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_str_list(&f->ctx, b, "n", true, false, &list, &n), TN_EARGS);
    assert_detail_names(f, "n");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_str_list(&f->ctx, b, "groupIDs", true, false, &list, &n), TN_EARGS);
    assert_detail_names(f, "groupIDs");

    /* wrong types */
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_str_list(&f->ctx, b, "mixed", true, false, &list, &n), TN_EARGS);
    assert_detail_names(f, "mixed");
    f->ctx.detail[0] = 0;
    assert_int_equal(tn_json_str_list(&f->ctx, b, "notlist", true, false, &list, &n), TN_EARGS);
    assert_detail_names(f, "notlist");
}

/* ---- pagination ---- */

static tn_err page(fixture *f, const char *text, bool required, tn_page *p)
{
    json_t *b = body(f, text);
    memset(p, 0x5a, sizeof *p);
    return tn_json_pagination(&f->ctx, b, required, p);
}

static void test_pagination(void **state)
{
    fixture *f = *state;
    tn_page p;

    assert_int_equal(page(f, "{\"pagination\":{\"pageNumber\":2,\"showNumber\":10}}", true, &p),
                     TN_OK);
    assert_true(p.given);
    assert_int_equal(p.offset, 10);
    assert_int_equal(p.limit, 10);

    assert_int_equal(page(f, "{\"Pagination\":{\"PageNumber\":1,\"SHOWNUMBER\":25}}", true, &p),
                     TN_OK);
    assert_true(p.given);
    assert_int_equal(p.offset, 0);
    assert_int_equal(p.limit, 25);

    assert_int_equal(page(f, "{\"pagination\":{\"pageNumber\":3,\"showNumber\":0}}", true, &p),
                     TN_OK);
    assert_true(p.given);
    assert_int_equal(p.limit, 0);
    assert_int_equal(p.offset, 0);

    assert_int_equal(page(f, "{\"pagination\":{\"pageNumber\":3,\"showNumber\":-5}}", true, &p),
                     TN_OK);
    assert_int_equal(p.limit, 0);

    /* required: absence, null and pageNumber < 1 fail */
    assert_int_equal(page(f, "{}", true, &p), TN_EARGS);
    assert_detail_names(f, "pagination");
    assert_int_equal(page(f, "{\"pagination\":null}", true, &p), TN_EARGS);
    assert_int_equal(page(f, "{\"pagination\":{\"pageNumber\":0,\"showNumber\":10}}", true, &p),
                     TN_EARGS);
    assert_detail_names(f, "pageNumber");
    assert_int_equal(page(f, "{\"pagination\":{\"showNumber\":10}}", true, &p), TN_EARGS);
    assert_int_equal(page(f, "{\"pagination\":{\"pageNumber\":-1,\"showNumber\":10}}", true, &p),
                     TN_EARGS);

    /* optional: absence is no page at all */
    assert_int_equal(page(f, "{}", false, &p), TN_OK);
    assert_false(p.given);
    assert_int_equal(p.offset, 0);
    assert_int_equal(p.limit, 0);
    assert_int_equal(page(f, "{\"pagination\":{\"pageNumber\":0,\"showNumber\":10}}", false, &p),
                     TN_OK);
    assert_true(p.given);

    /* wrong types inside */
    assert_int_equal(page(f, "{\"pagination\":{\"pageNumber\":\"1\",\"showNumber\":10}}", true, &p),
                     TN_EARGS);
    assert_detail_names(f, "pageNumber");
    assert_int_equal(page(f, "{\"pagination\":{\"pageNumber\":1,\"showNumber\":1.5}}", true, &p),
                     TN_EARGS);
    assert_detail_names(f, "showNumber");
    assert_int_equal(page(f, "{\"pagination\":[1,10]}", true, &p), TN_EARGS);
    assert_int_equal(
        page(f, "{\"pagination\":{\"pageNumber\":1,\"showNumber\":4294967296}}", true, &p),
        TN_EARGS);

    /* large but in range: no overflow */
    assert_int_equal(page(f,
                          "{\"pagination\":{\"pageNumber\":2147483647,"
                          "\"showNumber\":2147483647}}",
                          true, &p),
                     TN_OK);
    assert_int_equal(p.offset, (int64_t)2147483646 * 2147483647);
    assert_int_equal(p.limit, 2147483647);
}

/* ---- output ---- */

static void test_json_user(void **state)
{
    (void)state;
    tn_user u = {.user_id = "u1",
                 .nickname = "Nick",
                 .face_url = "http://x/f.png",
                 .ex = "{\"k\":1}",
                 .create_time = 1700000000123,
                 .app_manger_level = 3,
                 .global_recv_msg_opt = 2};
    json_t *j = tn_json_user(&u);
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 7);
    assert_string_equal(json_string_value(json_object_get(j, "userID")), "u1");
    assert_string_equal(json_string_value(json_object_get(j, "nickname")), "Nick");
    assert_string_equal(json_string_value(json_object_get(j, "faceURL")), "http://x/f.png");
    assert_string_equal(json_string_value(json_object_get(j, "ex")), "{\"k\":1}");
    assert_true(json_is_integer(json_object_get(j, "createTime")));
    assert_int_equal(json_integer_value(json_object_get(j, "createTime")), 1700000000123);
    assert_int_equal(json_integer_value(json_object_get(j, "appMangerLevel")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "globalRecvMsgOpt")), 2);
    json_decref(j);

    /* NULL strings come out as "" */
    tn_user empty = {.user_id = "u2"};
    j = tn_json_user(&empty);
    assert_int_equal(json_object_size(j), 7);
    assert_string_equal(json_string_value(json_object_get(j, "nickname")), "");
    assert_string_equal(json_string_value(json_object_get(j, "faceURL")), "");
    assert_string_equal(json_string_value(json_object_get(j, "ex")), "");
    assert_int_equal(json_integer_value(json_object_get(j, "createTime")), 0);
    json_decref(j);
}

static void test_json_strings(void **state)
{
    (void)state;
    const char *v[] = {"a", NULL, "c"};
    json_t *a = tn_json_str_array(v, 3);
    assert_int_equal(json_array_size(a), 3);
    assert_string_equal(json_string_value(json_array_get(a, 0)), "a");
    assert_string_equal(json_string_value(json_array_get(a, 1)), "");
    assert_string_equal(json_string_value(json_array_get(a, 2)), "c");
    json_decref(a);

    /* invalid UTF-8 never gives NULL */
    json_t *s = tn_json_string("bad \xff\xfe");
    assert_non_null(s);
    assert_true(json_is_string(s));
    json_decref(s);
    s = tn_json_string(NULL);
    assert_string_equal(json_string_value(s), "");
    json_decref(s);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_field_case_insensitive),
        T(test_str),
        T(test_str_wrapper),
        T(test_int),
        T(test_int_rejects),
        T(test_int_wrapper),
        T(test_bool),
        T(test_object),
        T(test_str_list),
        T(test_pagination),
        T(test_json_user),
        T(test_json_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
