/* Unit tests for codec/ws_envelope and codec/gzip: gob and JSON requests and responses through the
 * envelope API (Go's key folding, base64 and null rules), gzip round trips and rejections. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "gob.h"
#include "gzip.h"
#include "ws_envelope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BYTES(s) ((const uint8_t *)(s)), (sizeof(s) - 1)

static int setup(void **state)
{
    tn_arena *a = malloc(sizeof *a);
    tn_arena_init(a);
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    tn_arena_free_all(*state);
    free(*state);
    return 0;
}

/* Decodes from an exact-size heap copy, so that ASan sees any read past the end. */
static bool dec(tn_ws_codec codec, const void *data, size_t len, tn_arena *a, tn_ws_request *r)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, data, len);
    char why[160] = "";
    bool ok = tn_ws_decode_request(codec, copy, len, a, r, why, sizeof why);
    free(copy);
    if (!ok) {
        assert_true(why[0] != 0);
        assert_null(strchr(why, '\n'));
    }
    return ok;
}

static bool dec_json(const char *json, tn_arena *a, tn_ws_request *r)
{
    return dec(TN_WS_JSON, json, strlen(json), a, r);
}

static void assert_data(const tn_ws_request *r, const void *want, size_t n)
{
    assert_int_equal(r->data_len, n);
    if (n == 0) {
        assert_null(r->data);
        return;
    }
    assert_non_null(r->data);
    assert_memory_equal(r->data, want, n);
}

/* ---- gob ---- */

/* openim-protocol.md §4.5.2: the Go SDK's GetNewestSeq frame (type id 65). */
static const char sdk_frame_65[] = "\x66\xff\x81\x03\x01\x01\x0c"
                                   "GeneralWsReq"
                                   "\x01\xff\x82\x00\x01\x06\x01\x0d"
                                   "ReqIdentifier"
                                   "\x01\x04\x00\x01\x05"
                                   "Token"
                                   "\x01\x0c\x00\x01\x06"
                                   "SendID"
                                   "\x01\x0c\x00\x01\x0b"
                                   "OperationID"
                                   "\x01\x0c\x00\x01\x07"
                                   "MsgIncr"
                                   "\x01\x0c\x00\x01\x04"
                                   "Data"
                                   "\x01\x0a\x00\x00\x00"
                                   "\x1c\xff\x82\x01\xfe\x07\xd2\x02\x02"
                                   "u1"
                                   "\x01\x03"
                                   "op1"
                                   "\x01\x04"
                                   "u1_1"
                                   "\x01\x04\x0a\x02\x75\x31\x00";

static void test_gob_request(void **state)
{
    tn_arena *a = *state;
    tn_ws_request r;
    assert_true(dec(TN_WS_GOB, BYTES(sdk_frame_65), a, &r));
    assert_int_equal(r.req_identifier, 1001);
    assert_string_equal(r.send_id, "u1");
    assert_string_equal(r.operation_id, "op1");
    assert_string_equal(r.msg_incr, "u1_1");
    assert_data(&r, "\x0a\x02u1", 4);
    assert_int_equal(r.data[r.data_len], 0);

    /* Every truncation fails, and leaves the output zeroed. */
    for (size_t i = 0; i < sizeof sdk_frame_65 - 1; i++) {
        assert_false(dec(TN_WS_GOB, sdk_frame_65, i, a, &r));
        assert_int_equal(r.req_identifier, 0);
        assert_string_equal(r.send_id, "");
        assert_null(r.data);
    }
    /* The JSON codec does not take gob. */
    assert_false(dec(TN_WS_JSON, BYTES(sdk_frame_65), a, &r));
}

/* Fields are matched by name: any order, any subset, any type name and id, extra fields of
 * supported types skipped. */
static void test_gob_request_any_shape(void **state)
{
    tn_arena *a = *state;
    tn_gob_field f[] = {
        {.name = "Extra", .kind = TN_GOB_STRING, .p = (const uint8_t *)"x", .len = 1},
        {.name = "Data", .kind = TN_GOB_BYTES, .p = (const uint8_t *)"\x01\x00\x02", .len = 3},
        {.name = "Flag", .kind = TN_GOB_BOOL, .i = 1},
        {.name = "MsgIncr", .kind = TN_GOB_STRING, .p = (const uint8_t *)"m", .len = 1},
        {.name = "N", .kind = TN_GOB_UINT, .u = 7},
        {.name = "ReqIdentifier", .kind = TN_GOB_INT, .i = -5},
        {.name = "SendID", .kind = TN_GOB_STRING, .p = (const uint8_t *)"user", .len = 4},
    };
    tn_buf b = {0};
    tn_gob_encode_struct(&b, "Whatever", 1234, f, sizeof f / sizeof f[0]);
    tn_ws_request r;
    assert_true(dec(TN_WS_GOB, b.data, b.len, a, &r));
    assert_int_equal(r.req_identifier, -5);
    assert_string_equal(r.send_id, "user");
    assert_string_equal(r.operation_id, "");
    assert_string_equal(r.msg_incr, "m");
    assert_data(&r, "\x01\x00\x02", 3);
    tn_buf_free(&b);

    /* Only ReqIdentifier. */
    tn_gob_field one = {.name = "ReqIdentifier", .kind = TN_GOB_INT, .i = 2004};
    tn_gob_encode_struct(&b, "", 64, &one, 1);
    assert_true(dec(TN_WS_GOB, b.data, b.len, a, &r));
    assert_int_equal(r.req_identifier, 2004);
    assert_string_equal(r.send_id, "");
    assert_null(r.data);
    tn_buf_free(&b);
}

static void test_gob_request_wrong_types(void **state)
{
    tn_arena *a = *state;
    tn_ws_request r;
    static const struct {
        const char *name;
        tn_gob_kind kind;
    } wrong[] = {
        {"ReqIdentifier", TN_GOB_STRING}, {"ReqIdentifier", TN_GOB_UINT}, {"SendID", TN_GOB_BYTES},
        {"Data", TN_GOB_STRING},          {"Token", TN_GOB_INT},          {"MsgIncr", TN_GOB_BOOL},
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        tn_gob_field f = {.name = wrong[i].name,
                          .kind = wrong[i].kind,
                          .i = 1,
                          .u = 1,
                          .p = (const uint8_t *)"a",
                          .len = 1};
        tn_buf b = {0};
        tn_gob_encode_struct(&b, "R", 65, &f, 1);
        assert_false(dec(TN_WS_GOB, b.data, b.len, a, &r));
        tn_buf_free(&b);
    }
    /* ReqIdentifier beyond int32; a NUL byte inside a string. */
    tn_gob_field big = {.name = "ReqIdentifier", .kind = TN_GOB_INT, .i = (int64_t)INT32_MAX + 1};
    tn_buf b = {0};
    tn_gob_encode_struct(&b, "R", 65, &big, 1);
    assert_false(dec(TN_WS_GOB, b.data, b.len, a, &r));
    tn_buf_free(&b);
    tn_gob_field nul = {
        .name = "SendID", .kind = TN_GOB_STRING, .p = (const uint8_t *)"u1\0x", .len = 4};
    tn_gob_encode_struct(&b, "R", 65, &nul, 1);
    assert_false(dec(TN_WS_GOB, b.data, b.len, a, &r));
    tn_buf_free(&b);
    assert_false(dec(TN_WS_GOB, "", 0, a, &r));
}

static const char resp_def_65[] = "\x60\xff\x81\x03\x01\x01\x04"
                                  "Resp"
                                  "\x01\xff\x82\x00\x01\x06\x01\x0d"
                                  "ReqIdentifier"
                                  "\x01\x04\x00\x01\x07"
                                  "MsgIncr"
                                  "\x01\x0c\x00\x01\x0b"
                                  "OperationID"
                                  "\x01\x0c\x00\x01\x07"
                                  "ErrCode"
                                  "\x01\x04\x00\x01\x06"
                                  "ErrMsg"
                                  "\x01\x0c\x00\x01\x04"
                                  "Data"
                                  "\x01\x0a\x00\x00\x00";

static void test_gob_response(void **state)
{
    (void)state;
    size_t def = sizeof resp_def_65 - 1;
    tn_buf b = {0};
    tn_ws_response kick = {.req_identifier = 2002};
    tn_ws_encode_response(TN_WS_GOB, &kick, &b);
    static const char kick_value[] = "\x07\xff\x82\x01\xfe\x0f\xa4\x00";
    assert_int_equal(b.len, def + sizeof kick_value - 1);
    assert_memory_equal(b.data, resp_def_65, def);
    assert_memory_equal(b.data + def, kick_value, sizeof kick_value - 1);
    tn_buf_free(&b);

    tn_ws_response err = {.req_identifier = 1001,
                          .msg_incr = "u1_1",
                          .operation_id = "op1",
                          .err_code = 1507,
                          .err_msg = "TokenNotExistError"};
    tn_buf_append(&b, "pre", 3); /* encoding appends */
    tn_ws_encode_response(TN_WS_GOB, &err, &b);
    static const char err_value[] = "\x2a\xff\x82\x01\xfe\x07\xd2\x01\x04"
                                    "u1_1"
                                    "\x01\x03"
                                    "op1"
                                    "\x01\xfe\x0b\xc6\x01\x12"
                                    "TokenNotExistError"
                                    "\x00";
    assert_int_equal(b.len, 3 + def + sizeof err_value - 1);
    assert_memory_equal(b.data, "pre", 3);
    assert_memory_equal(b.data + 3, resp_def_65, def);
    assert_memory_equal(b.data + 3 + def, err_value, sizeof err_value - 1);
    tn_buf_free(&b);

    /* With data (and empty data = omitted), decoded back with the gob decoder. */
    tn_ws_response ok = {.req_identifier = 1003,
                         .msg_incr = "m",
                         .data = (const uint8_t *)"\x0a\x01s",
                         .data_len = 3};
    tn_ws_encode_response(TN_WS_GOB, &ok, &b);
    tn_gob_struct s;
    char why[128];
    assert_true(tn_gob_decode_struct(b.data, b.len, &s, why, sizeof why));
    assert_int_equal(s.type_id, 65);
    const tn_gob_field *d = tn_gob_field_named(&s, "Data");
    assert_true(d->set);
    assert_int_equal(d->len, 3);
    assert_memory_equal(d->p, "\x0a\x01s", 3);
    assert_false(tn_gob_field_named(&s, "OperationID")->set);
    tn_buf_free(&b);
    ok.data_len = 0;
    tn_ws_encode_response(TN_WS_GOB, &ok, &b);
    assert_true(tn_gob_decode_struct(b.data, b.len, &s, why, sizeof why));
    assert_false(tn_gob_field_named(&s, "Data")->set);
    tn_buf_free(&b);
}

/* ---- JSON ---- */

static void test_json_request(void **state)
{
    tn_arena *a = *state;
    tn_ws_request r;
    assert_true(dec_json("{\"reqIdentifier\":1001,\"msgIncr\":\"k2j3x1700000000000\",\"sendID\":"
                         "\"u1\",\"operationID\":\"op\",\"data\":\"CgJ1MQ==\"}",
                         a, &r));
    assert_int_equal(r.req_identifier, 1001);
    assert_string_equal(r.msg_incr, "k2j3x1700000000000");
    assert_string_equal(r.send_id, "u1");
    assert_string_equal(r.operation_id, "op");
    assert_data(&r, "\x0a\x02u1", 4);

    /* Keys fold as in Go (including the Kelvin sign and long s); unknown keys and token ignored. */
    assert_true(dec_json("{\"REQIDENTIFIER\":-3,\"\xc5\xbf"
                         "endid\":\"u2\",\"OperationId\":\"o\",\"MSGINCR\":\"i\",\"to\xe2\x84\xaa"
                         "en\":\"t\",\"other\":[1,{\"a\":null}],\"dat\":5}",
                         a, &r));
    assert_int_equal(r.req_identifier, -3);
    assert_string_equal(r.send_id, "u2");
    assert_string_equal(r.operation_id, "o");
    assert_string_equal(r.msg_incr, "i");
    assert_null(r.data);
    /* A near miss is just an unknown key. */
    assert_true(dec_json("{\"sendI\":5,\"sendIDs\":5,\"s\xc5\xbf"
                         "endID\":5}",
                         a, &r));
    assert_string_equal(r.send_id, "");

    /* Absent fields are zero; nulls are zero. */
    assert_true(dec_json("{}", a, &r));
    assert_int_equal(r.req_identifier, 0);
    assert_string_equal(r.send_id, "");
    assert_string_equal(r.operation_id, "");
    assert_string_equal(r.msg_incr, "");
    assert_null(r.data);
    assert_true(
        dec_json("{\"reqIdentifier\":null,\"sendID\":null,\"data\":null,\"token\":null}", a, &r));
    assert_int_equal(r.req_identifier, 0);
    assert_null(r.data);

    /* Later members override earlier ones; null keeps a string but clears data, as in Go. */
    assert_true(dec_json("{\"sendID\":\"a\",\"SendID\":\"b\",\"reqIdentifier\":1,"
                         "\"ReqIdentifier\":2}",
                         a, &r));
    assert_string_equal(r.send_id, "b");
    assert_int_equal(r.req_identifier, 2);
    assert_true(
        dec_json("{\"sendID\":\"a\",\"SENDID\":null,\"data\":\"AA==\",\"Data\":null}", a, &r));
    assert_string_equal(r.send_id, "a");
    assert_null(r.data);
    assert_true(dec_json("{\"sendID\":\"\\u00e9\\n\"}", a, &r));
    assert_string_equal(r.send_id, "\xc3\xa9\n");
}

static void test_json_base64(void **state)
{
    tn_arena *a = *state;
    tn_ws_request r;
    static const struct {
        const char *b64;
        bool ok;
        const char *bytes;
        size_t n;
    } cases[] = {
        {"", true, "", 0},
        {"AA==", true, "\x00", 1},
        {"AAE=", true, "\x00\x01", 2},
        {"AAEC", true, "\x00\x01\x02", 3},
        {"CgJ1MQ==", true, "\x0a\x02u1", 4},
        {"CgJ1MR==", true, "\x0a\x02u1", 4}, /* unused bits ignored, as Go's non-strict decoder */
        {"AAF=", true, "\x00\x01", 2},
        {"CgJ1\r\nMQ==", true, "\x0a\x02u1", 4}, /* CR/LF skipped */
        {"CgJ1MQ", false, NULL, 0},              /* padding required */
        {"CgJ1MQ=", false, NULL, 0},
        {"CgJ1MQ===", false, NULL, 0},
        {"CgJ1M", false, NULL, 0},
        {"Cg-1MQ==", false, NULL, 0}, /* URL alphabet */
        {"Cg_1MQ==", false, NULL, 0},
        {"Cg J1MQ==", false, NULL, 0},
        {"====", false, NULL, 0},
        {"A===", false, NULL, 0},
        {"AA==AA==", false, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[128];
        snprintf(json, sizeof json, "{\"data\":\"%s\"}", cases[i].b64);
        /* JSON needs the CR/LF escaped. */
        char esc[160];
        size_t o = 0;
        for (const char *p = json; *p; p++) {
            if (*p == '\r' || *p == '\n') {
                esc[o++] = '\\';
                esc[o++] = *p == '\r' ? 'r' : 'n';
            } else {
                esc[o++] = *p;
            }
        }
        esc[o] = 0;
        assert_int_equal(dec_json(esc, a, &r), cases[i].ok);
        if (cases[i].ok)
            assert_data(&r, cases[i].bytes, cases[i].n);
    }
}

static void test_json_request_rejects(void **state)
{
    tn_arena *a = *state;
    tn_ws_request r;
    static const char *const bad[] = {
        "",
        "null",
        "[]",
        "1001",
        "\"x\"",
        "{",
        "{\"reqIdentifier\":1001}x",
        "{\"reqIdentifier\":\"1001\"}",
        "{\"reqIdentifier\":1001.0}",
        "{\"reqIdentifier\":1e3}",
        "{\"reqIdentifier\":2147483648}",
        "{\"reqIdentifier\":-2147483649}",
        "{\"reqIdentifier\":99999999999999999999999}",
        "{\"reqIdentifier\":true}",
        "{\"sendID\":5}",
        "{\"operationID\":{}}",
        "{\"msgIncr\":[]}",
        "{\"token\":1}",
        "{\"data\":5}",
        "{\"data\":[1,2]}",
        "{\"sendID\":\"a\\u0000b\"}",
        "{\"sendID\":\"\xff\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(dec_json(bad[i], a, &r));
        assert_string_equal(r.send_id, "");
    }
    assert_true(dec_json("{\"reqIdentifier\":2147483647} \n", a, &r));
    assert_int_equal(r.req_identifier, INT32_MAX);
    assert_true(dec_json("{\"reqIdentifier\":-2147483648}", a, &r));
    assert_int_equal(r.req_identifier, INT32_MIN);
}

static void encode_json(const tn_ws_response *r, tn_buf *b)
{
    b->len = 0;
    tn_ws_encode_response(TN_WS_JSON, r, b);
    tn_buf_append_byte(b, 0);
}

static void test_json_response(void **state)
{
    (void)state;
    tn_buf b = {0};
    tn_ws_response r = {.req_identifier = 1001,
                        .msg_incr = "u1_1",
                        .operation_id = "op1",
                        .data = (const uint8_t *)"\x0a\x02u1",
                        .data_len = 4};
    encode_json(&r, &b);
    assert_string_equal((char *)b.data,
                        "{\"reqIdentifier\":1001,\"msgIncr\":\"u1_1\",\"operationID\":"
                        "\"op1\",\"errCode\":0,\"errMsg\":\"\",\"data\":\"CgJ1MQ==\"}");

    tn_ws_response e = {.req_identifier = 1003, .err_code = 1302, .err_msg = "BlockedByPeer"};
    encode_json(&e, &b);
    assert_string_equal((char *)b.data,
                        "{\"reqIdentifier\":1003,\"msgIncr\":\"\",\"operationID\":\"\",\"errCode\":"
                        "1302,\"errMsg\":\"BlockedByPeer\",\"data\":null}");

    /* Empty body: "" (not null); negative numbers. */
    tn_ws_response empty = {.req_identifier = -1, .err_code = -2, .data = (const uint8_t *)""};
    encode_json(&empty, &b);
    assert_string_equal((char *)b.data,
                        "{\"reqIdentifier\":-1,\"msgIncr\":\"\",\"operationID\":\"\","
                        "\"errCode\":-2,\"errMsg\":\"\",\"data\":\"\"}");

    /* Go's escaping: HTML-safe, control characters, U+2028/2029, invalid UTF-8 → U+FFFD. */
    tn_ws_response esc = {.msg_incr = "a\"b\\c<d>e&f\n\r\t\b\f\x01\x1f",
                          .operation_id = "\xc3\xa9\xe2\x80\xa8\xe2\x80\xa9\xf0\x9f\x98\x80",
                          .err_msg = "\xff\xc3\x28\xe0\x80\xaf\xed\xa0\x80\xf4\x90\x80\x80z\xc3"};
    encode_json(&esc, &b);
    assert_string_equal(
        (char *)b.data,
        "{\"reqIdentifier\":0,\"msgIncr\":\"a\\\"b\\\\c\\u003cd\\u003ee\\u0026f\\n\\r"
        "\\t\\b\\f\\u0001\\u001f\",\"operationID\":\"\xc3\xa9\\u2028\\u2029\xf0\x9f"
        "\x98\x80\",\"errCode\":0,\"errMsg\":\"\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd"
        "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffdz\\ufffd\",\"data\":null}");
    tn_buf_free(&b);
}

/* A JSON response decodes as a request would (same keys), data included. */
static void test_json_round_trip(void **state)
{
    tn_arena *a = *state;
    uint8_t body[256];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (uint8_t)i;
    for (size_t n = 0; n <= sizeof body; n += 37) {
        tn_ws_response r = {.req_identifier = 1002, .msg_incr = "x<y", .data = body, .data_len = n};
        tn_buf b = {0};
        tn_ws_encode_response(TN_WS_JSON, &r, &b);
        tn_ws_request q;
        assert_true(dec(TN_WS_JSON, b.data, b.len, a, &q));
        assert_int_equal(q.req_identifier, 1002);
        assert_string_equal(q.msg_incr, "x<y");
        assert_data(&q, body, n);
        tn_buf_free(&b);
    }
}

/* ---- the client's side: what a client encodes, the server decodes, and back ---- */

static void test_client_request_round_trip(void **state)
{
    tn_arena *a = *state;
    const uint8_t body[] = {0x0a, 0x02, 'u', '1', 0x00, 0xff};
    for (int codec = TN_WS_GOB; codec <= TN_WS_JSON; codec++) {
        tn_ws_request r = {.req_identifier = 1003,
                           .send_id = "u\"1<",
                           .operation_id = "op",
                           .msg_incr = "7",
                           .data = body,
                           .data_len = sizeof body};
        tn_buf b = {0};
        tn_ws_encode_request((tn_ws_codec)codec, &r, "tok", &b);
        tn_ws_request q;
        assert_true(dec((tn_ws_codec)codec, b.data, b.len, a, &q));
        assert_int_equal(q.req_identifier, 1003);
        assert_string_equal(q.send_id, "u\"1<");
        assert_string_equal(q.operation_id, "op");
        assert_string_equal(q.msg_incr, "7");
        assert_data(&q, body, sizeof body);
        tn_buf_free(&b);
        /* no data and no token */
        r.data = NULL;
        r.data_len = 0;
        tn_ws_encode_request((tn_ws_codec)codec, &r, NULL, &b);
        assert_true(dec((tn_ws_codec)codec, b.data, b.len, a, &q));
        assert_null(q.data);
        tn_buf_free(&b);
    }
}

static void test_client_response_round_trip(void **state)
{
    tn_arena *a = *state;
    const uint8_t body[] = {1, 2, 3, 0, 250};
    for (int codec = TN_WS_GOB; codec <= TN_WS_JSON; codec++) {
        tn_ws_response r = {.req_identifier = 2001,
                            .msg_incr = "9",
                            .operation_id = "o",
                            .err_code = 1302,
                            .err_msg = "blocked",
                            .data = body,
                            .data_len = sizeof body};
        tn_buf b = {0};
        tn_ws_encode_response((tn_ws_codec)codec, &r, &b);
        tn_ws_response got;
        char why[128];
        assert_true(
            tn_ws_decode_response((tn_ws_codec)codec, b.data, b.len, a, &got, why, sizeof why));
        assert_int_equal(got.req_identifier, 2001);
        assert_int_equal(got.err_code, 1302);
        assert_string_equal(got.err_msg, "blocked");
        assert_string_equal(got.msg_incr, "9");
        assert_string_equal(got.operation_id, "o");
        assert_int_equal(got.data_len, sizeof body);
        assert_memory_equal(got.data, body, sizeof body);
        tn_buf_free(&b);
        r.data = NULL; /* JSON "data":null, gob field left out */
        tn_ws_encode_response((tn_ws_codec)codec, &r, &b);
        assert_true(
            tn_ws_decode_response((tn_ws_codec)codec, b.data, b.len, a, &got, why, sizeof why));
        assert_null(got.data);
        tn_buf_free(&b);
        assert_false(
            tn_ws_decode_response((tn_ws_codec)codec, BYTES("\x01{"), a, &got, why, sizeof why));
    }
}

/* ---- gzip ---- */

static void test_gzip_round_trip(void **state)
{
    (void)state;
    tn_buf z = {0}, out = {0};
    assert_true(tn_gzip_compress(BYTES(sdk_frame_65), &z));
    static const uint8_t header[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff};
    assert_true(z.len > sizeof header + 8);
    assert_memory_equal(z.data, header, sizeof header);
    assert_true(tn_gzip_decompress(z.data, z.len, 1 << 20, &out));
    assert_int_equal(out.len, sizeof sdk_frame_65 - 1);
    assert_memory_equal(out.data, sdk_frame_65, out.len);

    /* Exactly at the bound passes, one byte less fails and leaves out unchanged. */
    out.len = 0;
    assert_true(tn_gzip_decompress(z.data, z.len, sizeof sdk_frame_65 - 1, &out));
    tn_buf_append(&out, "keep", 4);
    size_t before = out.len;
    assert_false(tn_gzip_decompress(z.data, z.len, sizeof sdk_frame_65 - 2, &out));
    assert_int_equal(out.len, before);
    tn_buf_free(&z);
    tn_buf_free(&out);

    /* Empty content; large content. */
    assert_true(tn_gzip_compress(NULL, 0, &z));
    assert_true(tn_gzip_decompress(z.data, z.len, 0, &out));
    assert_int_equal(out.len, 0);
    tn_buf_free(&z);
    size_t n = 3 << 20;
    uint8_t *big = malloc(n);
    uint32_t seed = 7;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        big[i] = (i % 1000 < 500) ? (uint8_t)(seed >> 16) : (uint8_t)(i / 1000);
    }
    assert_true(tn_gzip_compress(big, n, &z));
    assert_true(tn_gzip_decompress(z.data, z.len, n, &out));
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, big, n);
    free(big);
    tn_buf_free(&z);
    tn_buf_free(&out);
}

static void test_gzip_rejects(void **state)
{
    (void)state;
    tn_buf z = {0}, out = {0};
    assert_true(tn_gzip_compress(BYTES(sdk_frame_65), &z));
    uint8_t *copy = malloc(z.len + 16);

    /* Truncated at every byte. */
    for (size_t i = 0; i < z.len; i++) {
        memcpy(copy, z.data, i);
        assert_false(tn_gzip_decompress(copy, i, 1 << 20, &out));
        assert_int_equal(out.len, 0);
    }
    /* Any single corrupted byte after the header's flags fails (data, CRC or size). */
    for (size_t i = 10; i < z.len; i++) {
        memcpy(copy, z.data, z.len);
        copy[i] ^= 0x55;
        assert_false(tn_gzip_decompress(copy, z.len, 1 << 20, &out));
        assert_int_equal(out.len, 0);
    }
    /* Bad magic; a zlib (not gzip) stream. */
    memcpy(copy, z.data, z.len);
    copy[0] = 0x1e;
    assert_false(tn_gzip_decompress(copy, z.len, 1 << 20, &out));
    uLongf zl = (uLongf)(z.len + 16);
    assert_int_equal(compress(copy, &zl, (const Bytef *)"hello", 5), Z_OK);
    assert_false(tn_gzip_decompress(copy, zl, 1 << 20, &out));
    /* Trailing garbage, trailing zeros. */
    memcpy(copy, z.data, z.len);
    memcpy(copy + z.len, "junk", 4);
    assert_false(tn_gzip_decompress(copy, z.len + 4, 1 << 20, &out));
    memset(copy + z.len, 0, 8);
    assert_false(tn_gzip_decompress(copy, z.len + 8, 1 << 20, &out));
    assert_int_equal(out.len, 0);
    assert_false(tn_gzip_decompress(NULL, 0, 1 << 20, &out));
    free(copy);

    /* Two concatenated members are one stream, as in Go's reader. */
    tn_buf two = {0};
    tn_buf_append(&two, z.data, z.len);
    tn_buf_append(&two, z.data, z.len);
    assert_true(tn_gzip_decompress(two.data, two.len, 1 << 20, &out));
    assert_int_equal(out.len, 2 * (sizeof sdk_frame_65 - 1));
    assert_memory_equal(out.data + out.len / 2, sdk_frame_65, out.len / 2);
    out.len = 0;
    tn_buf_free(&two);
    tn_buf_free(&z);

    /* Zip bomb: 64 MiB of zeros (about 64 KiB compressed) against a 1 MiB limit. */
    size_t n = 64 << 20;
    uint8_t *zeros = calloc(1, n);
    assert_true(tn_gzip_compress(zeros, n, &z));
    free(zeros);
    assert_true(z.len < n / 500);
    assert_false(tn_gzip_decompress(z.data, z.len, 1 << 20, &out));
    assert_int_equal(out.len, 0);
    assert_true(out.cap <= (2u << 20)); /* never grew much beyond the limit */
    tn_buf_free(&z);
    tn_buf_free(&out);
}

/* A member written by another deflater (stored block, handmade header with a file name): any
 * valid gzip header and deflate stream is accepted. */
static void test_gzip_foreign_member(void **state)
{
    (void)state;
    tn_buf g = {0}, out = {0};
    static const uint8_t head[] = {0x1f, 0x8b, 0x08, 0x08, 0x01, 0x02, 0x03, 0x04,
                                   0x00, 0x03, 'f',  '.',  't',  'x',  't',  0x00};
    tn_buf_append(&g, head, sizeof head);
    static const uint8_t stored[] = {0x01, 0x02, 0x00, 0xfd, 0xff, 'h', 'i'};
    tn_buf_append(&g, stored, sizeof stored);
    uLong crc = crc32(0L, (const Bytef *)"hi", 2);
    uint8_t trailer[8] = {
        (uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24), 2, 0, 0, 0};
    tn_buf_append(&g, trailer, 8);
    assert_true(tn_gzip_decompress(g.data, g.len, 2, &out));
    assert_int_equal(out.len, 2);
    assert_memory_equal(out.data, "hi", 2);
    /* Wrong ISIZE. */
    out.len = 0;
    g.data[g.len - 4] = 3;
    assert_false(tn_gzip_decompress(g.data, g.len, 100, &out));
    tn_buf_free(&g);
    tn_buf_free(&out);
}

/* The whole outbound path for the Go SDK: gob Resp, gzipped, read back. */
static void test_gzip_gob_pipeline(void **state)
{
    tn_arena *a = *state;
    tn_buf frame = {0}, z = {0}, plain = {0};
    tn_ws_response r = {
        .req_identifier = 2001, .operation_id = "srv", .data = (const uint8_t *)"x", .data_len = 1};
    tn_ws_encode_response(TN_WS_GOB, &r, &frame);
    assert_true(tn_gzip_compress(frame.data, frame.len, &z));
    assert_true(tn_gzip_decompress(z.data, z.len, 51200, &plain));
    assert_int_equal(plain.len, frame.len);
    assert_memory_equal(plain.data, frame.data, frame.len);
    tn_buf_free(&frame);
    tn_buf_free(&z);
    tn_buf_free(&plain);

    /* And inbound: the SDK frame gzipped, gunzipped, decoded. */
    assert_true(tn_gzip_compress(BYTES(sdk_frame_65), &z));
    assert_true(tn_gzip_decompress(z.data, z.len, 51200, &plain));
    tn_ws_request q;
    assert_true(dec(TN_WS_GOB, plain.data, plain.len, a, &q));
    assert_int_equal(q.req_identifier, 1001);
    assert_string_equal(q.send_id, "u1");
    tn_buf_free(&z);
    tn_buf_free(&plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gob_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gob_request_any_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gob_request_wrong_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gob_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_request_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_request_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_response_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_foreign_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_gob_pipeline, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
