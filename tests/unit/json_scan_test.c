/* Unit tests for codec/json_scan: members reported in order with their kinds and spans, nested
 * values skipped but validated, escapes and UTF-8 decoded, and every malformed text refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "json_scan.h"

#include <stdio.h>
#include <string.h>

typedef struct seen {
    int n;
    char keys[8][32];
    tn_json_span values[8];
    int stop_at; /* refuse the member with this index (-1: none) */
} seen;

static bool collect(void *ud, const tn_json_span *key, const tn_json_span *value)
{
    seen *s = ud;
    if (s->n == s->stop_at)
        return false;
    if (s->n < 8) {
        tn_json_unescape(key, s->keys[s->n]);
        s->values[s->n] = *value;
    }
    s->n++;
    return true;
}

static bool scan(const char *text, seen *s, char *why, size_t whylen)
{
    memset(s, 0, sizeof *s);
    s->stop_at = -1;
    return tn_json_scan_object(text, strlen(text), collect, s, why, whylen);
}

static void test_members_in_order(void **state)
{
    (void)state;
    seen s;
    char why[128];
    assert_true(scan(" {\"a\":1,\"b\" : \"x\\ty\", \"c\":[1,{\"d\":[]}],\"e\":{},\"f\":true,"
                     "\"g\":false,\"h\":null,\"a\":-0.5e+3}\r\n",
                     &s, why, sizeof why));
    assert_int_equal(s.n, 8);
    const char *keys[] = {"a", "b", "c", "e", "f", "g", "h", "a"};
    const tn_json_kind kinds[] = {TN_JSON_NUMBER, TN_JSON_STRING, TN_JSON_ARRAY, TN_JSON_OBJECT,
                                  TN_JSON_TRUE,   TN_JSON_FALSE,  TN_JSON_NULL,  TN_JSON_NUMBER};
    for (int i = 0; i < 8; i++) {
        assert_string_equal(s.keys[i], keys[i]);
        assert_int_equal(s.values[i].kind, kinds[i]);
    }
    assert_true(s.values[0].integer);
    assert_false(s.values[7].integer);
    assert_int_equal(s.values[7].len, strlen("-0.5e+3"));
    assert_memory_equal(s.values[2].p, "[1,{\"d\":[]}]", s.values[2].len);
    /* a string's span is its escaped content; unescaping gives the text */
    assert_true(s.values[1].escaped);
    char text[32];
    assert_int_equal(tn_json_unescape(&s.values[1], text), 3);
    assert_string_equal(text, "x\ty");

    assert_true(scan("{}", &s, why, sizeof why));
    assert_int_equal(s.n, 0);
}

static void test_unescape(void **state)
{
    (void)state;
    seen s;
    char why[128], out[64];
    assert_true(scan("{\"k\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"}",
                     &s, why, sizeof why));
    size_t n = tn_json_unescape(&s.values[0], out);
    static const char want[] = "\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(out, want, n);
    /* raw UTF-8 passes through untouched, and a value may hold \u0000 (the caller decides) */
    assert_true(scan("{\"k\xc3\xa9\":\"\xe2\x82\xac\",\"z\":\"a\\u0000b\"}", &s, why, sizeof why));
    assert_string_equal(s.keys[0], "k\xc3\xa9");
    assert_false(s.values[0].escaped);
    assert_int_equal(tn_json_unescape(&s.values[1], out), 3);
    assert_memory_equal(out, "a\0b", 3);
}

static void test_int64(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool ok;
        int64_t v;
    } cases[] = {
        {"0", true, 0},
        {"-0", true, 0},
        {"1001", true, 1001},
        {"-42", true, -42},
        {"9223372036854775807", true, INT64_MAX},
        {"-9223372036854775808", true, INT64_MIN},
        {"9223372036854775808", false, 0},
        {"-9223372036854775809", false, 0},
        {"99999999999999999999999", false, 0},
        {"1.0", false, 0},
        {"1e3", false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[64];
        snprintf(doc, sizeof doc, "{\"n\":%s}", cases[i].text);
        seen s;
        char why[128];
        assert_true(scan(doc, &s, why, sizeof why));
        int64_t v = 12345;
        assert_int_equal(tn_json_int64(&s.values[0], &v), cases[i].ok);
        if (cases[i].ok)
            assert_true(v == cases[i].v);
    }
    seen s;
    char why[128];
    int64_t v;
    assert_true(scan("{\"n\":\"1\"}", &s, why, sizeof why));
    assert_false(tn_json_int64(&s.values[0], &v));
}

static void test_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        " ",
        "null",
        "[]",
        "1",
        "\"x\"",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{\"a\":1 \"b\":2}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":1}x",
        "{\"a\":1}{}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":1e}",
        "{\"a\":-}",
        "{\"a\":+1}",
        "{\"a\":tru}",
        "{\"a\":nul}",
        "{\"a\":[1,]}",
        "{\"a\":[1 2]}",
        "{\"a\":\"x}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12g4\"}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\ud800\\u0041\"}",
        "{\"a\":\"\\udc00\"}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":\"\xff\"}",
        "{\"a\":\"\xc0\xaf\"}",
        "{\"a\":\"\xed\xa0\x80\"}",
        "{\"a\":\"\xf4\x90\x80\x80\"}",
        "{\"a\":\"\xe2\x82\"}",
        "{\"a\\u0000\":1}",
        "{\"a\":{\"b\\u0000\":1}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        seen s;
        char why[128] = "";
        if (scan(bad[i], &s, why, sizeof why))
            fail_msg("accepted: %s", bad[i]);
        assert_true(strncmp(why, "json: ", 6) == 0);
    }
    /* nesting is bounded: 200 arrays deep is refused, 100 is fine */
    char deep[512];
    for (int depth = 100; depth <= 200; depth += 100) {
        size_t o = (size_t)snprintf(deep, sizeof deep, "{\"a\":");
        for (int i = 0; i < depth; i++)
            deep[o++] = '[';
        for (int i = 0; i < depth; i++)
            deep[o++] = ']';
        deep[o++] = '}';
        deep[o] = 0;
        seen s;
        char why[128];
        assert_int_equal(scan(deep, &s, why, sizeof why), depth == 100);
    }
}

static void test_callback_stops(void **state)
{
    (void)state;
    seen s = {.stop_at = 1};
    const char *doc = "{\"a\":1,\"b\":2,\"c\":3}";
    assert_false(tn_json_scan_object(doc, strlen(doc), collect, &s, NULL, 0));
    assert_int_equal(s.n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_members_in_order),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_int64),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_callback_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
