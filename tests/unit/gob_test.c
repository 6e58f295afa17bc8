/* Unit tests for codec/gob: the exact byte vectors of openim-protocol.md §4.5.2 and
 * go-sdk-wire.md §4.1/§4.2, primitives, round trips, and rejection of malformed streams. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "gob.h"

#include <stdlib.h>
#include <string.h>

#define BYTES(s) ((const uint8_t *)(s)), (sizeof(s) - 1)

/* openim-protocol.md §4.5.2: what the Go SDK sends, type GeneralWsReq with id 65. */
static const char sdk_frame_65[] = "\x66\xff\x81\x03\x01\x01\x0c"
                                   "GeneralWsReq"
                                   "\x01\xff\x82\x00\x01\x06"
                                   "\x01\x0d"
                                   "ReqIdentifier"
                                   "\x01\x04\x00"
                                   "\x01\x05"
                                   "Token"
                                   "\x01\x0c\x00"
                                   "\x01\x06"
                                   "SendID"
                                   "\x01\x0c\x00"
                                   "\x01\x0b"
                                   "OperationID"
                                   "\x01\x0c\x00"
                                   "\x01\x07"
                                   "MsgIncr"
                                   "\x01\x0c\x00"
                                   "\x01\x04"
                                   "Data"
                                   "\x01\x0a\x00"
                                   "\x00\x00"
                                   "\x1c\xff\x82\x01\xfe\x07\xd2\x02\x02"
                                   "u1"
                                   "\x01\x03"
                                   "op1"
                                   "\x01\x04"
                                   "u1_1"
                                   "\x01\x04\x0a\x02\x75\x31\x00";

/* go-sdk-wire.md §4.1: the real GetNewestSeq frame of the wasm SDK (type id 64, 182 bytes). */
static const char sdk_frame_64[] = "\x65\x7f\x03\x01\x01\x0c"
                                   "GeneralWsReq"
                                   "\x01\xff\x80\x00\x01\x06"
                                   "\x01\x0d"
                                   "ReqIdentifier"
                                   "\x01\x04\x00"
                                   "\x01\x05"
                                   "Token"
                                   "\x01\x0c\x00"
                                   "\x01\x06"
                                   "SendID"
                                   "\x01\x0c\x00"
                                   "\x01\x0b"
                                   "OperationID"
                                   "\x01\x0c\x00"
                                   "\x01\x07"
                                   "MsgIncr"
                                   "\x01\x0c\x00"
                                   "\x01\x04"
                                   "Data"
                                   "\x01\x0a\x00"
                                   "\x00\x00"
                                   "\x4f\xff\x80\x01\xfe\x07\xd2\x02\x02"
                                   "u1"
                                   "\x01\x24"
                                   "ef1b9e69-71a9-4ec8-b7ca-6e38911d1532"
                                   "\x01\x16"
                                   "u1_1795436687388361320"
                                   "\x01\x04\x0a\x02\x75\x31\x00";

/* openim-protocol.md §4.5.2: the server's Resp type definition (id 65). */
static const char resp_def_65[] = "\x60\xff\x81\x03\x01\x01\x04"
                                  "Resp"
                                  "\x01\xff\x82\x00\x01\x06"
                                  "\x01\x0d"
                                  "ReqIdentifier"
                                  "\x01\x04\x00"
                                  "\x01\x07"
                                  "MsgIncr"
                                  "\x01\x0c\x00"
                                  "\x01\x0b"
                                  "OperationID"
                                  "\x01\x0c\x00"
                                  "\x01\x07"
                                  "ErrCode"
                                  "\x01\x04\x00"
                                  "\x01\x06"
                                  "ErrMsg"
                                  "\x01\x0c\x00"
                                  "\x01\x04"
                                  "Data"
                                  "\x01\x0a\x00"
                                  "\x00\x00";
static const char kick_value[] = "\x07\xff\x82\x01\xfe\x0f\xa4\x00";
static const char error_value[] = "\x2a\xff\x82\x01\xfe\x07\xd2\x01\x04"
                                  "u1_1"
                                  "\x01\x03"
                                  "op1"
                                  "\x01\xfe\x0b\xc6\x01\x12"
                                  "TokenNotExistError"
                                  "\x00";

/* go-sdk-wire.md §4.2: the same Resp definition with type id 64. */
static const char resp_def_64_head[] = "\x5f\x7f\x03\x01\x01\x04"
                                       "Resp"
                                       "\x01\xff\x80\x00\x01\x06";

static tn_gob_field resp_fields(int64_t req, const char *incr, const char *op, int64_t code,
                                const char *msg, int which)
{
    tn_gob_field f[6] = {
        {.name = "ReqIdentifier", .kind = TN_GOB_INT, .i = req},
        {.name = "MsgIncr", .kind = TN_GOB_STRING, .p = (const uint8_t *)incr, .len = strlen(incr)},
        {.name = "OperationID", .kind = TN_GOB_STRING, .p = (const uint8_t *)op, .len = strlen(op)},
        {.name = "ErrCode", .kind = TN_GOB_INT, .i = code},
        {.name = "ErrMsg", .kind = TN_GOB_STRING, .p = (const uint8_t *)msg, .len = strlen(msg)},
        {.name = "Data", .kind = TN_GOB_BYTES},
    };
    return f[which];
}

static void encode_resp(tn_buf *out, int32_t id, int64_t req, const char *incr, const char *op,
                        int64_t code, const char *msg)
{
    tn_gob_field f[6];
    for (int i = 0; i < 6; i++)
        f[i] = resp_fields(req, incr, op, code, msg, i);
    tn_gob_encode_struct(out, "Resp", id, f, 6);
}

/* Decodes from an exact-size heap copy, so that ASan sees any read past the end. */
static bool decode(const void *data, size_t len, tn_gob_struct *s)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, data, len);
    char why[128] = "";
    bool ok = tn_gob_decode_struct(copy, len, s, why, sizeof why);
    if (!ok)
        assert_true(why[0] != 0); /* a failure always says why */
    /* On success every decoded pointer lies inside the input (the copy is freed below). */
    if (ok) {
        for (size_t i = 0; i < s->nfields; i++) {
            const tn_gob_field *f = &s->fields[i];
            assert_true((const uint8_t *)f->name >= copy &&
                        (const uint8_t *)f->name + f->name_len <= copy + len);
            if (f->set && (f->kind == TN_GOB_STRING || f->kind == TN_GOB_BYTES))
                assert_true(f->p >= copy && f->p + f->len <= copy + len);
        }
    }
    free(copy);
    return ok;
}

/* Decodes b where it lies, for tests that look at the decoded names and values afterwards. */
static bool decode_in_place(const tn_buf *b, tn_gob_struct *s)
{
    char why[128];
    return tn_gob_decode_struct(b->data, b->len, s, why, sizeof why);
}

static void assert_str_field(const tn_gob_field *f, const char *want)
{
    assert_non_null(f);
    assert_true(f->set);
    assert_int_equal(f->len, strlen(want));
    assert_memory_equal(f->p, want, f->len);
}

/* ---- primitives ---- */

static void test_uint_and_int(void **state)
{
    (void)state;
    static const struct {
        uint64_t v;
        const char *hex;
        size_t n;
    } uints[] = {
        {0, "\x00", 1},
        {1, "\x01", 1},
        {127, "\x7f", 1},
        {128, "\xff\x80", 2},
        {255, "\xff\xff", 2},
        {256, "\xfe\x01\x00", 3},
        {0x07d2, "\xfe\x07\xd2", 3},
        {UINT64_MAX, "\xf8\xff\xff\xff\xff\xff\xff\xff\xff", 9},
    };
    for (size_t i = 0; i < sizeof uints / sizeof uints[0]; i++) {
        tn_buf b = {0};
        tn_gob_put_uint(&b, uints[i].v);
        assert_int_equal(b.len, uints[i].n);
        assert_memory_equal(b.data, uints[i].hex, b.len);
        const uint8_t *p = b.data;
        uint64_t v;
        assert_true(tn_gob_get_uint(&p, b.data + b.len, &v));
        assert_true(v == uints[i].v);
        assert_ptr_equal(p, b.data + b.len);
        tn_buf_free(&b);
    }
    static const struct {
        int64_t v;
        const char *hex;
        size_t n;
    } ints[] = {
        {0, "\x00", 1},
        {1, "\x02", 1},
        {-1, "\x01", 1},
        {-64, "\x7f", 1},
        {64, "\xff\x80", 2},
        {65, "\xff\x82", 2},
        {-65, "\xff\x81", 2},
        {1001, "\xfe\x07\xd2", 3},
        {2002, "\xfe\x0f\xa4", 3},
        {1507, "\xfe\x0b\xc6", 3},
        {INT64_MAX, "\xf8\xff\xff\xff\xff\xff\xff\xff\xfe", 9},
        {INT64_MIN, "\xf8\xff\xff\xff\xff\xff\xff\xff\xff", 9},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        tn_buf b = {0};
        tn_gob_put_int(&b, ints[i].v);
        assert_int_equal(b.len, ints[i].n);
        assert_memory_equal(b.data, ints[i].hex, b.len);
        const uint8_t *p = b.data;
        int64_t v;
        assert_true(tn_gob_get_int(&p, b.data + b.len, &v));
        assert_true(v == ints[i].v);
        tn_buf_free(&b);
    }
    /* Bad byte counts and truncation. */
    static const char *bad[] = {"", "\x80\x01", "\xf7\x01\x01\x01\x01\x01\x01\x01\x01\x01",
                                "\xfe\x01", "\xff"};
    static const size_t bad_len[] = {0, 2, 10, 2, 1};
    for (size_t i = 0; i < 5; i++) {
        const uint8_t *p = (const uint8_t *)bad[i];
        uint64_t v;
        assert_false(tn_gob_get_uint(&p, p + bad_len[i], &v));
    }
    /* Non-minimal forms are accepted, as in Go. */
    const uint8_t nonmin[] = {0xfe, 0x00, 0x05};
    const uint8_t *p = nonmin;
    uint64_t v;
    assert_true(tn_gob_get_uint(&p, nonmin + 3, &v));
    assert_true(v == 5);
}

/* ---- the spec's frames ---- */

static void check_sdk_request(const tn_gob_struct *s, const char *op, const char *incr)
{
    assert_int_equal(s->type_name_len, 12);
    assert_memory_equal(s->type_name, "GeneralWsReq", 12);
    assert_int_equal(s->nfields, 6);
    const tn_gob_field *f = tn_gob_field_named(s, "ReqIdentifier");
    assert_non_null(f);
    assert_int_equal(f->kind, TN_GOB_INT);
    assert_true(f->set);
    assert_int_equal(f->i, 1001);
    f = tn_gob_field_named(s, "Token");
    assert_non_null(f);
    assert_int_equal(f->kind, TN_GOB_STRING);
    assert_false(f->set);
    assert_str_field(tn_gob_field_named(s, "SendID"), "u1");
    assert_str_field(tn_gob_field_named(s, "OperationID"), op);
    assert_str_field(tn_gob_field_named(s, "MsgIncr"), incr);
    f = tn_gob_field_named(s, "Data");
    assert_non_null(f);
    assert_int_equal(f->kind, TN_GOB_BYTES);
    assert_str_field(f, "\x0a\x02u1");
    assert_null(tn_gob_field_named(s, "data")); /* names are case-sensitive */
}

static void test_decode_sdk_frame_65(void **state)
{
    (void)state;
    assert_int_equal(sizeof sdk_frame_65 - 1, 1 + 0x66 + 1 + 0x1c);
    tn_gob_struct s;
    char why[128];
    assert_true(tn_gob_decode_struct(BYTES(sdk_frame_65), &s, why, sizeof why));
    assert_int_equal(s.type_id, 65);
    check_sdk_request(&s, "op1", "u1_1");
}

static void test_decode_sdk_frame_64(void **state)
{
    (void)state;
    assert_int_equal(sizeof sdk_frame_64 - 1, 182);
    tn_gob_struct s;
    char why[128];
    assert_true(tn_gob_decode_struct(BYTES(sdk_frame_64), &s, why, sizeof why));
    assert_int_equal(s.type_id, 64);
    check_sdk_request(&s, "ef1b9e69-71a9-4ec8-b7ca-6e38911d1532", "u1_1795436687388361320");
}

/* Re-encoding the decoded request reproduces the SDK's bytes exactly (go-sdk-wire.md §4.1). */
static void test_reencode_sdk_frames(void **state)
{
    (void)state;
    const char *frames[] = {sdk_frame_64, sdk_frame_65};
    size_t lens[] = {sizeof sdk_frame_64 - 1, sizeof sdk_frame_65 - 1};
    for (int k = 0; k < 2; k++) {
        tn_gob_struct s;
        char why[128];
        assert_true(tn_gob_decode_struct((const uint8_t *)frames[k], lens[k], &s, why, sizeof why));
        char names[TN_GOB_MAX_FIELDS][32];
        tn_gob_field f[TN_GOB_MAX_FIELDS];
        for (size_t i = 0; i < s.nfields; i++) {
            f[i] = s.fields[i];
            memcpy(names[i], s.fields[i].name, s.fields[i].name_len);
            names[i][s.fields[i].name_len] = 0;
            f[i].name = names[i];
        }
        tn_buf b = {0};
        tn_gob_encode_struct(&b, "GeneralWsReq", s.type_id, f, s.nfields);
        assert_int_equal(b.len, lens[k]);
        assert_memory_equal(b.data, frames[k], b.len);
        tn_buf_free(&b);
    }
}

static void test_encode_kick_frame(void **state)
{
    (void)state;
    tn_buf b = {0};
    encode_resp(&b, 65, 2002, "", "", 0, "");
    size_t def = sizeof resp_def_65 - 1;
    assert_int_equal(def, 1 + 0x60);
    assert_int_equal(b.len, def + sizeof kick_value - 1);
    assert_memory_equal(b.data, resp_def_65, def);
    assert_memory_equal(b.data + def, kick_value, sizeof kick_value - 1);

    tn_gob_struct s;
    assert_true(decode_in_place(&b, &s));
    assert_int_equal(s.type_id, 65);
    assert_int_equal(s.type_name_len, 4);
    assert_int_equal(tn_gob_field_named(&s, "ReqIdentifier")->i, 2002);
    assert_false(tn_gob_field_named(&s, "ErrCode")->set);
    assert_false(tn_gob_field_named(&s, "Data")->set);
    tn_buf_free(&b);
}

static void test_encode_error_reply(void **state)
{
    (void)state;
    tn_buf b = {0};
    encode_resp(&b, 65, 1001, "u1_1", "op1", 1507, "TokenNotExistError");
    size_t def = sizeof resp_def_65 - 1;
    assert_int_equal(b.len, def + sizeof error_value - 1);
    assert_memory_equal(b.data, resp_def_65, def);
    assert_memory_equal(b.data + def, error_value, sizeof error_value - 1);

    /* And it decodes back. */
    tn_gob_struct s;
    char why[128];
    assert_true(tn_gob_decode_struct(b.data, b.len, &s, why, sizeof why));
    assert_int_equal(tn_gob_field_named(&s, "ReqIdentifier")->i, 1001);
    assert_str_field(tn_gob_field_named(&s, "MsgIncr"), "u1_1");
    assert_str_field(tn_gob_field_named(&s, "OperationID"), "op1");
    assert_int_equal(tn_gob_field_named(&s, "ErrCode")->i, 1507);
    assert_str_field(tn_gob_field_named(&s, "ErrMsg"), "TokenNotExistError");
    assert_false(tn_gob_field_named(&s, "Data")->set);
    tn_buf_free(&b);

    /* With type id 64 the definition is the one of go-sdk-wire.md §4.2. */
    encode_resp(&b, 64, 1003, "x", "y", 0, "");
    assert_memory_equal(b.data, resp_def_64_head, sizeof resp_def_64_head - 1);
    assert_int_equal(b.data[0], 0x5f);
    tn_buf_free(&b);
}

static void test_round_trip_all_kinds(void **state)
{
    (void)state;
    uint8_t big[300];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    tn_gob_field f[] = {
        {.name = "B", .kind = TN_GOB_BOOL, .i = 1},
        {.name = "Zero", .kind = TN_GOB_INT, .i = 0},
        {.name = "Neg", .kind = TN_GOB_INT, .i = -123456789},
        {.name = "U", .kind = TN_GOB_UINT, .u = UINT64_MAX},
        {.name = "S", .kind = TN_GOB_STRING, .p = (const uint8_t *)"hello", .len = 5},
        {.name = "Empty", .kind = TN_GOB_STRING},
        {.name = "Big", .kind = TN_GOB_BYTES, .p = big, .len = sizeof big},
        {.name = "Off", .kind = TN_GOB_BOOL, .i = 0},
    };
    size_t n = sizeof f / sizeof f[0];
    tn_buf b = {0};
    tn_gob_encode_struct(&b, "AllKinds", 1000, f, n);
    tn_gob_struct s;
    assert_true(decode_in_place(&b, &s));
    assert_int_equal(s.type_id, 1000);
    assert_int_equal(s.nfields, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s.fields[i].name_len, strlen(f[i].name));
        assert_memory_equal(s.fields[i].name, f[i].name, s.fields[i].name_len);
        assert_int_equal(s.fields[i].kind, f[i].kind);
    }
    assert_true(s.fields[0].set && s.fields[0].i == 1);
    assert_false(s.fields[1].set);
    assert_true(s.fields[2].i == -123456789);
    assert_true(s.fields[3].u == UINT64_MAX);
    assert_false(s.fields[5].set);
    assert_false(s.fields[7].set);
    tn_buf_free(&b);
    /* A fresh decode of the same bytes, now checking the big field's content in place. */
    tn_gob_encode_struct(&b, "AllKinds", 1000, f, n);
    char why[128];
    assert_true(tn_gob_decode_struct(b.data, b.len, &s, why, sizeof why));
    assert_int_equal(s.fields[6].len, sizeof big);
    assert_memory_equal(s.fields[6].p, big, sizeof big);
    tn_buf_free(&b);

    /* A struct with no fields: definition without a field list, value "00". */
    tn_gob_encode_struct(&b, "E", 64, NULL, 0);
    assert_true(decode_in_place(&b, &s));
    assert_int_equal(s.nfields, 0);
    tn_buf_free(&b);
}

/* ---- malformed input ---- */

static void test_truncated_at_every_byte(void **state)
{
    (void)state;
    const char *frames[] = {sdk_frame_64, sdk_frame_65};
    size_t lens[] = {sizeof sdk_frame_64 - 1, sizeof sdk_frame_65 - 1};
    tn_gob_struct s;
    for (int k = 0; k < 2; k++) {
        assert_true(decode(frames[k], lens[k], &s));
        for (size_t i = 0; i < lens[k]; i++)
            assert_false(decode(frames[k], i, &s));
    }
    tn_buf b = {0};
    encode_resp(&b, 65, 1001, "u1_1", "op1", 1507, "TokenNotExistError");
    for (size_t i = 0; i < b.len; i++)
        assert_false(decode(b.data, i, &s));
    tn_buf_free(&b);
}

/* Wraps body into a message (uint length prefix) appended to out. */
static void wrap(tn_buf *out, const tn_buf *body)
{
    tn_gob_put_uint(out, body->len);
    tn_buf_append(out, body->data, body->len);
}

/* A definition message of struct "T" (id) whose field list is written by the caller after
 * "count": fields given as raw (name, type id) pairs. */
static void def_message(tn_buf *out, int64_t id, uint64_t count, const char *const *names,
                        const int64_t *types, size_t n)
{
    tn_buf d = {0};
    tn_gob_put_int(&d, -id);
    tn_gob_put_uint(&d, 3);
    tn_gob_put_uint(&d, 1);
    tn_gob_put_uint(&d, 1);
    tn_gob_put_bytes(&d, "T", 1);
    tn_gob_put_uint(&d, 1);
    tn_gob_put_int(&d, id);
    tn_gob_put_uint(&d, 0);
    tn_gob_put_uint(&d, 1);
    tn_gob_put_uint(&d, count);
    for (size_t i = 0; i < n; i++) {
        tn_gob_put_uint(&d, 1);
        tn_gob_put_bytes(&d, names[i], strlen(names[i]));
        tn_gob_put_uint(&d, 1);
        tn_gob_put_int(&d, types[i]);
        tn_gob_put_uint(&d, 0);
    }
    tn_gob_put_uint(&d, 0);
    tn_gob_put_uint(&d, 0);
    wrap(out, &d);
    tn_buf_free(&d);
}

static const char *const two_names[] = {"A", "S"};
static const int64_t two_types[] = {TN_GOB_INT, TN_GOB_STRING};

static void test_bad_lengths(void **state)
{
    (void)state;
    tn_gob_struct s;
    /* Empty input; a zero-length message; message lengths beyond the input. */
    assert_false(decode("", 0, &s));
    assert_false(decode("\x00", 1, &s));
    assert_false(decode(BYTES("\x05\xff\x81"), &s));
    assert_false(decode(BYTES("\xf8\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81"), &s));
    assert_false(decode(BYTES("\x80\xff\x81"), &s)); /* 0x80: byte count 128 */

    /* A string whose declared length is huge. */
    tn_buf b = {0}, v = {0};
    def_message(&b, 65, 2, two_names, two_types, 2);
    size_t def_len = b.len;
    tn_gob_put_int(&v, 65);
    tn_gob_put_uint(&v, 2);
    tn_gob_put_uint(&v, UINT64_MAX);
    tn_gob_put_uint(&v, 0);
    wrap(&b, &v);
    assert_false(decode(b.data, b.len, &s));
    /* Declared length one past the end of the message (but within the stream). */
    b.len = def_len;
    v.len = 0;
    tn_gob_put_int(&v, 65);
    tn_gob_put_uint(&v, 2);
    tn_gob_put_uint(&v, 3);
    tn_buf_append(&v, "ab", 2);
    wrap(&b, &v);
    tn_buf_append(&b, "c\x00", 2);
    assert_false(decode(b.data, b.len, &s));
    /* The same value well-formed decodes. */
    b.len = def_len;
    v.len = 0;
    tn_gob_put_int(&v, 65);
    tn_gob_put_uint(&v, 2);
    tn_gob_put_bytes(&v, "abc", 3);
    tn_gob_put_uint(&v, 0);
    wrap(&b, &v);
    assert_true(decode(b.data, b.len, &s));
    tn_buf_free(&b);
    tn_buf_free(&v);
}

static void test_bad_counts(void **state)
{
    (void)state;
    tn_gob_struct s;
    tn_buf b = {0};
    /* Field count larger than the fields present, huge, or not a valid uint. */
    def_message(&b, 65, 3, two_names, two_types, 2);
    assert_false(decode(b.data, b.len, &s));
    b.len = 0;
    def_message(&b, 65, UINT64_MAX, two_names, two_types, 2);
    assert_false(decode(b.data, b.len, &s));
    b.len = 0;
    def_message(&b, 65, TN_GOB_MAX_FIELDS + 1, two_names, two_types, 2);
    assert_false(decode(b.data, b.len, &s));
    /* Count 0x80 ("negative" one-byte count of 128 bytes). */
    static const char neg[] = "\x0f\xff\x81\x03\x01\x01\x01T\x01\xff\x82\x00\x01\x80\x00\x00";
    assert_false(decode(BYTES(neg), &s));
    tn_buf_free(&b);
}

static void test_bad_type_ids(void **state)
{
    (void)state;
    tn_gob_struct s;
    tn_buf b = {0}, v = {0};

    /* Struct type ids below 64 (builtin range) or beyond int32. */
    int64_t ids[] = {63, 1, 2, (int64_t)INT32_MAX + 1};
    for (size_t i = 0; i < 4; i++) {
        b.len = v.len = 0;
        def_message(&b, ids[i], 2, two_names, two_types, 2);
        tn_gob_put_int(&v, ids[i]);
        tn_gob_put_uint(&v, 0);
        wrap(&b, &v);
        assert_false(decode(b.data, b.len, &s));
    }

    /* Value of a type other than the one defined. */
    b.len = 0;
    tn_buf_append(&b, BYTES(resp_def_65));
    tn_buf_append(&b, BYTES("\x07\xff\x84\x01\xfe\x0f\xa4\x00"));
    assert_false(decode(b.data, b.len, &s));
    /* A value first, or two definitions. */
    assert_false(decode(BYTES(kick_value), &s));
    b.len = 0;
    tn_buf_append(&b, BYTES(resp_def_65));
    tn_buf_append(&b, BYTES(resp_def_65));
    tn_buf_append(&b, BYTES(kick_value));
    assert_false(decode(b.data, b.len, &s));
    /* A negative (definition) id as the value's id. */
    b.len = 0;
    tn_buf_append(&b, BYTES(resp_def_65));
    tn_buf_append(&b, BYTES("\x07\xff\x81\x01\xfe\x0f\xa4\x00"));
    assert_false(decode(b.data, b.len, &s));

    /* Unsupported field types: float (4), a user type (65), 0, negative. */
    int64_t bad_types[] = {4, 65, 0, -2, 7};
    for (size_t i = 0; i < 5; i++) {
        int64_t types[] = {TN_GOB_INT, bad_types[i]};
        b.len = v.len = 0;
        def_message(&b, 65, 2, two_names, types, 2);
        tn_gob_put_int(&v, 65);
        tn_gob_put_uint(&v, 0);
        wrap(&b, &v);
        assert_false(decode(b.data, b.len, &s));
    }
    /* Same with all supported types decodes. */
    int64_t good[] = {TN_GOB_BOOL, TN_GOB_UINT};
    b.len = v.len = 0;
    def_message(&b, 65, 2, two_names, good, 2);
    tn_gob_put_int(&v, 65);
    tn_gob_put_uint(&v, 0);
    wrap(&b, &v);
    assert_true(decode(b.data, b.len, &s));
    tn_buf_free(&b);
    tn_buf_free(&v);
}

static void test_bad_structure(void **state)
{
    (void)state;
    tn_gob_struct s;
    tn_buf b = {0};
    size_t def = sizeof resp_def_65 - 1;

    /* Trailing byte after the value; an extra byte inside the value message. */
    tn_buf_append(&b, BYTES(resp_def_65));
    tn_buf_append(&b, BYTES(kick_value));
    assert_true(decode(b.data, b.len, &s));
    tn_buf_append_byte(&b, 0);
    assert_false(decode(b.data, b.len, &s));
    b.len = def;
    tn_buf_append(&b, BYTES("\x08\xff\x82\x01\xfe\x0f\xa4\x00\x00"));
    assert_false(decode(b.data, b.len, &s));
    /* Field delta past the last field; a value that never ends its struct. */
    b.len = def;
    tn_buf_append(&b, BYTES("\x05\xff\x82\x07\x02\x00"));
    assert_false(decode(b.data, b.len, &s));
    b.len = def;
    tn_buf_append(&b, BYTES("\x06\xff\x82\x01\xfe\x0f\xa4"));
    assert_false(decode(b.data, b.len, &s));
    b.len = def;
    tn_buf_append(&b, BYTES("\x0b\xff\x82\xf8\xff\xff\xff\xff\xff\xff\xff\xff"));
    assert_false(decode(b.data, b.len, &s));
    /* A definition that is a slice (wireType field 1), not a struct. */
    b.len = 0;
    tn_buf_append(&b, BYTES("\x06\xff\x81\x02\x01\x00\x00"));
    tn_buf_append(&b, BYTES(kick_value));
    assert_false(decode(b.data, b.len, &s));
    /* An unknown field inside CommonType / fieldType / structType. */
    static const char *const defs[] = {
        "\x09\xff\x81\x03\x01\x03\x00\x00\x00\x00", /* CommonType field 2 */
        "\x08\xff\x81\x03\x03\x00\x00\x00\x00",     /* structType field 2 */
        "\x09\xff\x81\x03\x02\x01\x03\x00\x00\x00", /* fieldType field 2 */
        "\x08\xff\x81\x03\x00\x02\x00\x00\x00",     /* wireType field 3 after StructT */
        "\x06\xff\x81\x03\x01\x01\x00",             /* structType never ends */
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        b.len = 0;
        tn_buf_append(&b, defs[i], (size_t)defs[i][0] + 1);
        tn_buf_append(&b, BYTES(kick_value));
        assert_false(decode(b.data, b.len, &s));
    }
    /* Duplicate field names. */
    static const char *const dup[] = {"A", "A"};
    b.len = 0;
    def_message(&b, 65, 2, dup, two_types, 2);
    tn_buf_append(&b, BYTES("\x03\xff\x82\x00"));
    assert_false(decode(b.data, b.len, &s));
    /* Extra bytes in the definition message. */
    b.len = 0;
    tn_buf_append(&b, resp_def_65, def);
    b.data[0]++;
    tn_buf_append_byte(&b, 0);
    tn_buf_append(&b, BYTES(kick_value));
    assert_false(decode(b.data, b.len, &s));
    tn_buf_free(&b);
}

/* Random corruption of valid frames: any outcome but a crash or an out-of-bounds read. */
static void test_mutations(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    const char *frames[] = {sdk_frame_64, sdk_frame_65};
    size_t lens[] = {sizeof sdk_frame_64 - 1, sizeof sdk_frame_65 - 1};
    uint8_t buf[256];
    tn_gob_struct s;
    for (int iter = 0; iter < 40000; iter++) {
        int k = iter & 1;
        size_t len = lens[k];
        memcpy(buf, frames[k], len);
        int flips = 1 + (int)((seed >> 8) % 4);
        for (int j = 0; j < flips; j++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % len;
            seed = seed * 1103515245u + 12345u;
            buf[pos] = (uint8_t)(seed >> 16);
        }
        seed = seed * 1103515245u + 12345u;
        if ((seed >> 8) % 3 == 0)
            len = (seed >> 12) % (len + 1);
        decode(buf, len, &s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint_and_int),
        cmocka_unit_test(test_decode_sdk_frame_65),
        cmocka_unit_test(test_decode_sdk_frame_64),
        cmocka_unit_test(test_reencode_sdk_frames),
        cmocka_unit_test(test_encode_kick_frame),
        cmocka_unit_test(test_encode_error_reply),
        cmocka_unit_test(test_round_trip_all_kinds),
        cmocka_unit_test(test_truncated_at_every_byte),
        cmocka_unit_test(test_bad_lengths),
        cmocka_unit_test(test_bad_counts),
        cmocka_unit_test(test_bad_type_ids),
        cmocka_unit_test(test_bad_structure),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
