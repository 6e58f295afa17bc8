/* Envelope codecs with the Go server's rules: gob fields matched by exact name with type checks;
 * JSON keys matched by Go's case folding, base64 data decoded as Go's encoding/json does. */
#include "ws_envelope.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "gob.h"
#include "json_scan.h"

__attribute__((format(printf, 3, 4))) static bool fail(char *why, size_t whylen, const char *fmt,
                                                       ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* An arena copy with a NUL after it. */
static uint8_t *copy_bytes(tn_arena *a, const void *p, size_t n)
{
    uint8_t *c = tn_arena_alloc(a, n + 1);
    if (n)
        memcpy(c, p, n);
    c[n] = 0;
    return c;
}

static bool copy_string(tn_arena *a, const void *p, size_t n, const char **out, const char *name,
                        char *why, size_t whylen)
{
    if (n && memchr(p, 0, n))
        return fail(why, whylen, "%s contains a NUL byte", name);
    *out = (const char *)copy_bytes(a, p, n);
    return true;
}

static void init_request(tn_ws_request *out)
{
    memset(out, 0, sizeof *out);
    out->send_id = out->operation_id = out->msg_incr = "";
}

/* ---- gob ---- */

enum { F_REQ_ID, F_TOKEN, F_SEND_ID, F_OPERATION_ID, F_MSG_INCR, F_DATA, F_COUNT };

static const struct {
    const char *gob, *json;
    tn_gob_kind kind;
} req_fields[F_COUNT] = {
    [F_REQ_ID] = {"ReqIdentifier", "reqIdentifier", TN_GOB_INT},
    [F_TOKEN] = {"Token", "token", TN_GOB_STRING},
    [F_SEND_ID] = {"SendID", "sendID", TN_GOB_STRING},
    [F_OPERATION_ID] = {"OperationID", "operationID", TN_GOB_STRING},
    [F_MSG_INCR] = {"MsgIncr", "msgIncr", TN_GOB_STRING},
    [F_DATA] = {"Data", "data", TN_GOB_BYTES},
};

static const char **string_slot(tn_ws_request *out, int f)
{
    return f == F_SEND_ID        ? &out->send_id
           : f == F_OPERATION_ID ? &out->operation_id
                                 : &out->msg_incr;
}

static bool decode_gob(const uint8_t *buf, size_t len, tn_arena *a, tn_ws_request *out, char *why,
                       size_t whylen)
{
    tn_gob_struct s;
    if (!tn_gob_decode_struct(buf, len, &s, why, whylen))
        return false;
    for (int f = 0; f < F_COUNT; f++) {
        const tn_gob_field *fld = tn_gob_field_named(&s, req_fields[f].gob);
        if (!fld) /* fields Go's Req has but the sender's struct lacks stay zero */
            continue;
        if (fld->kind != req_fields[f].kind)
            return fail(why, whylen, "gob: field %s has the wrong type", req_fields[f].gob);
        if (!fld->set)
            continue;
        switch (f) {
        case F_REQ_ID:
            if (fld->i < INT32_MIN || fld->i > INT32_MAX)
                return fail(why, whylen, "gob: ReqIdentifier %" PRId64 " out of range", fld->i);
            out->req_identifier = (int32_t)fld->i;
            break;
        case F_TOKEN:
            break;
        case F_DATA:
            out->data = copy_bytes(a, fld->p, fld->len);
            out->data_len = fld->len;
            break;
        default:
            if (!copy_string(a, fld->p, fld->len, string_slot(out, f), req_fields[f].gob, why,
                             whylen))
                return false;
        }
    }
    return true;
}

/* ---- JSON ---- */

/* Go's encoding/json key match: exact, or equal after Unicode simple case folding. The names here
 * are ASCII letters, so besides ASCII case only U+212A (Kelvin sign, folds to K) and U+017F (long
 * s, folds to S) can match. */
static bool go_fold_equal(const char *key, const char *name)
{
    const unsigned char *k = (const unsigned char *)key;
    for (const char *n = name; *n; n++) {
        char up = (*n >= 'a' && *n <= 'z') ? (char)(*n - 32) : *n;
        if (*k < 0x80) {
            char c = (*k >= 'a' && *k <= 'z') ? (char)(*k - 32) : (char)*k;
            if (c != up)
                return false;
            k++;
        } else if (up == 'K' && k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa) {
            k += 3;
        } else if (up == 'S' && k[0] == 0xc5 && k[1] == 0xbf) {
            k += 2;
        } else {
            return false;
        }
    }
    return *k == 0;
}

static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(char c)
{
    const char *p = c ? strchr(b64_alpha, c) : NULL;
    return p ? (int)(p - b64_alpha) : -1;
}

/* Go's base64.StdEncoding as encoding/json uses it: padding required, CR and LF skipped, and the
 * unused low bits of the last character before the padding ignored. */
static bool decode_base64(tn_arena *a, const char *s, size_t n, tn_ws_request *out)
{
    char *t = tn_arena_alloc(a, n + 1);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\r' && s[i] != '\n')
            t[m++] = s[i];
    if (m >= 4 && m % 4 == 0 && t[m - 1] == '=') {
        size_t pad = t[m - 2] == '=' ? 2 : 1;
        char *c = &t[m - 1 - pad];
        int v = b64_value(*c);
        if (v >= 0)
            *c = b64_alpha[v & (pad == 2 ? 0x30 : 0x3c)];
    }
    uint8_t *bytes = tn_arena_alloc(a, m / 4 * 3 + 4);
    size_t len;
    if (!tn_b64_decode(t, m, bytes, &len, false))
        return false;
    bytes[len] = 0;
    out->data = len ? bytes : NULL;
    out->data_len = len;
    return true;
}

typedef struct json_request {
    tn_arena *a;
    tn_ws_request *out;
    char *why;
    size_t whylen;
} json_request;

/* A string member's text, unescaped; for an unescaped one, the document's own bytes. */
static const char *span_text(tn_arena *a, const tn_json_span *v, size_t *n)
{
    if (!v->escaped) {
        *n = v->len;
        return v->p;
    }
    char *t = tn_arena_alloc(a, v->len + 1);
    *n = tn_json_unescape(v, t);
    return t;
}

static bool json_member(void *ud, const tn_json_span *key, const tn_json_span *v)
{
    json_request *q = ud;
    char name_buf[64];
    if (key->len >= sizeof name_buf)
        return true; /* longer than any field name: unknown */
    tn_json_unescape(key, name_buf);
    int f = 0;
    while (f < F_COUNT && !go_fold_equal(name_buf, req_fields[f].json))
        f++;
    if (f == F_COUNT)
        return true;
    const char *name = req_fields[f].json;
    tn_ws_request *out = q->out;
    if (v->kind == TN_JSON_NULL) {
        if (f == F_DATA) { /* null resets a []byte; for int and string it is a no-op */
            out->data = NULL;
            out->data_len = 0;
        }
        return true;
    }
    if (f == F_REQ_ID) {
        int64_t i;
        if (v->kind != TN_JSON_NUMBER || !v->integer)
            return fail(q->why, q->whylen, "json: %s must be an integer", name);
        if (!tn_json_int64(v, &i) || i < INT32_MIN || i > INT32_MAX)
            return fail(q->why, q->whylen, "json: %s %.*s out of range", name, (int)v->len, v->p);
        out->req_identifier = (int32_t)i;
        return true;
    }
    if (v->kind != TN_JSON_STRING)
        return fail(q->why, q->whylen, "json: %s must be a string", name);
    if (f == F_TOKEN)
        return true;
    size_t n;
    const char *text = span_text(q->a, v, &n);
    if (f == F_DATA)
        return decode_base64(q->a, text, n, out) ||
               fail(q->why, q->whylen, "json: data is not base64");
    return copy_string(q->a, text, n, string_slot(out, f), name, q->why, q->whylen);
}

/* Members in document order, later ones overriding earlier ones, as in Go. */
static bool decode_json(const uint8_t *buf, size_t len, tn_arena *a, tn_ws_request *out, char *why,
                        size_t whylen)
{
    json_request q = {a, out, why, whylen};
    return tn_json_scan_object((const char *)buf, len, json_member, &q, why, whylen);
}

bool tn_ws_decode_request(tn_ws_codec codec, const uint8_t *buf, size_t len, tn_arena *a,
                          tn_ws_request *out, char *why, size_t whylen)
{
    init_request(out);
    if (!buf || len == 0)
        return fail(why, whylen, "empty request");
    bool ok = codec == TN_WS_GOB ? decode_gob(buf, len, a, out, why, whylen)
                                 : decode_json(buf, len, a, out, why, whylen);
    if (!ok)
        init_request(out);
    return ok;
}

/* ---- responses ---- */

/* A JSON string as Go's json.Marshal writes it (HTML-safe escaping, invalid UTF-8 → U+FFFD). */
static void put_json_string(tn_buf *b, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    size_t n = strlen((const char *)s);
    tn_buf_append_byte(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) {
            const char *esc = NULL;
            switch (c) {
            case '"':
                esc = "\\\"";
                break;
            case '\\':
                esc = "\\\\";
                break;
            case '\b':
                esc = "\\b";
                break;
            case '\f':
                esc = "\\f";
                break;
            case '\n':
                esc = "\\n";
                break;
            case '\r':
                esc = "\\r";
                break;
            case '\t':
                esc = "\\t";
                break;
            }
            if (esc) {
                tn_buf_append(b, esc, 2);
            } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                tn_buf_append(b, u, 6);
            } else {
                tn_buf_append_byte(b, (uint8_t)c);
            }
            i++;
            continue;
        }
        uint32_t r;
        size_t len = tn_json_utf8_rune(s + i, n - i, &r);
        if (len == 0) {
            tn_buf_append(b, "\\ufffd", 6);
            i++;
        } else if (r == 0x2028 || r == 0x2029) {
            tn_buf_append(b, r == 0x2028 ? "\\u2028" : "\\u2029", 6);
            i += len;
        } else {
            tn_buf_append(b, s + i, len);
            i += len;
        }
    }
    tn_buf_append_byte(b, '"');
}

static void put_text(tn_buf *b, const char *s)
{
    tn_buf_append(b, s, strlen(s));
}

static void encode_json(const tn_ws_response *r, tn_buf *out)
{
    char num[16];
    snprintf(num, sizeof num, "%" PRId32, r->req_identifier);
    put_text(out, "{\"reqIdentifier\":");
    put_text(out, num);
    put_text(out, ",\"msgIncr\":");
    put_json_string(out, r->msg_incr);
    put_text(out, ",\"operationID\":");
    put_json_string(out, r->operation_id);
    snprintf(num, sizeof num, "%" PRId32, r->err_code);
    put_text(out, ",\"errCode\":");
    put_text(out, num);
    put_text(out, ",\"errMsg\":");
    put_json_string(out, r->err_msg);
    put_text(out, ",\"data\":");
    if (!r->data) {
        put_text(out, "null}");
        return;
    }
    size_t n = tn_b64_encoded_len(r->data_len, false);
    tn_buf_reserve(out, n + 3);
    out->data[out->len++] = '"';
    out->len += tn_b64_encode(r->data, r->data_len, (char *)out->data + out->len, false);
    put_text(out, "\"}");
}

/* The gateway's Resp struct: type "Resp", id 65 (the id Go's process-global counter gives it). */
static void encode_gob(const tn_ws_response *r, tn_buf *out)
{
    const char *incr = r->msg_incr ? r->msg_incr : "", *op = r->operation_id ? r->operation_id : "",
               *msg = r->err_msg ? r->err_msg : "";
    tn_gob_field f[6] = {
        {.name = "ReqIdentifier", .kind = TN_GOB_INT, .i = r->req_identifier},
        {.name = "MsgIncr", .kind = TN_GOB_STRING, .p = (const uint8_t *)incr, .len = strlen(incr)},
        {.name = "OperationID", .kind = TN_GOB_STRING, .p = (const uint8_t *)op, .len = strlen(op)},
        {.name = "ErrCode", .kind = TN_GOB_INT, .i = r->err_code},
        {.name = "ErrMsg", .kind = TN_GOB_STRING, .p = (const uint8_t *)msg, .len = strlen(msg)},
        {.name = "Data", .kind = TN_GOB_BYTES, .p = r->data, .len = r->data ? r->data_len : 0},
    };
    tn_gob_encode_struct(out, "Resp", 65, f, 6);
}

void tn_ws_encode_response(tn_ws_codec codec, const tn_ws_response *r, tn_buf *out)
{
    if (codec == TN_WS_GOB)
        encode_gob(r, out);
    else
        encode_json(r, out);
}

/* ---- the client's side ---- */

void tn_ws_encode_request(tn_ws_codec codec, const tn_ws_request *r, const char *token, tn_buf *out)
{
    const char *strs[F_COUNT] = {
        [F_TOKEN] = token ? token : "",
        [F_SEND_ID] = r->send_id ? r->send_id : "",
        [F_OPERATION_ID] = r->operation_id ? r->operation_id : "",
        [F_MSG_INCR] = r->msg_incr ? r->msg_incr : "",
    };
    if (codec == TN_WS_GOB) {
        tn_gob_field f[F_COUNT];
        for (int i = 0; i < F_COUNT; i++) {
            f[i] = (tn_gob_field){.name = req_fields[i].gob, .kind = req_fields[i].kind};
            if (strs[i]) {
                f[i].p = (const uint8_t *)strs[i];
                f[i].len = strlen(strs[i]);
            }
        }
        f[F_REQ_ID].i = r->req_identifier;
        f[F_DATA].p = r->data;
        f[F_DATA].len = r->data ? r->data_len : 0;
        tn_gob_encode_struct(out, "Req", 65, f, F_COUNT);
        return;
    }
    char num[16];
    snprintf(num, sizeof num, "%" PRId32, r->req_identifier);
    put_text(out, "{\"reqIdentifier\":");
    put_text(out, num);
    for (int i = F_TOKEN; i < F_DATA; i++) {
        put_text(out, ",\"");
        put_text(out, req_fields[i].json);
        put_text(out, "\":");
        put_json_string(out, strs[i]);
    }
    put_text(out, ",\"data\":\"");
    size_t n = tn_b64_encoded_len(r->data_len, false);
    tn_buf_reserve(out, n + 3);
    if (r->data)
        out->len += tn_b64_encode(r->data, r->data_len, (char *)out->data + out->len, false);
    put_text(out, "\"}");
}

static bool resp_string(tn_arena *a, const void *p, size_t n, const char **out)
{
    *out = (const char *)copy_bytes(a, p, n);
    return true;
}

static bool decode_response_gob(const uint8_t *buf, size_t len, tn_arena *a, tn_ws_response *out,
                                char *why, size_t whylen)
{
    tn_gob_struct s;
    if (!tn_gob_decode_struct(buf, len, &s, why, whylen))
        return false;
    for (size_t i = 0; i < s.nfields; i++) {
        const tn_gob_field *f = &s.fields[i];
        if (!f->set)
            continue;
#define NAMED(n) (f->name_len == sizeof(n) - 1 && memcmp(f->name, n, sizeof(n) - 1) == 0)
        if (NAMED("ReqIdentifier") && f->kind == TN_GOB_INT)
            out->req_identifier = (int32_t)f->i;
        else if (NAMED("ErrCode") && f->kind == TN_GOB_INT)
            out->err_code = (int32_t)f->i;
        else if (NAMED("MsgIncr") && f->kind == TN_GOB_STRING)
            resp_string(a, f->p, f->len, &out->msg_incr);
        else if (NAMED("OperationID") && f->kind == TN_GOB_STRING)
            resp_string(a, f->p, f->len, &out->operation_id);
        else if (NAMED("ErrMsg") && f->kind == TN_GOB_STRING)
            resp_string(a, f->p, f->len, &out->err_msg);
        else if (NAMED("Data") && f->kind == TN_GOB_BYTES) {
            out->data = copy_bytes(a, f->p, f->len);
            out->data_len = f->len;
        }
#undef NAMED
    }
    return true;
}

typedef struct json_response {
    tn_arena *a;
    tn_ws_response *out;
    bool data_ok;
} json_response;

/* The server's own fields by their exact names; a member of another type is left zero. */
static bool json_response_member(void *ud, const tn_json_span *key, const tn_json_span *v)
{
    json_response *q = ud;
    tn_ws_response *out = q->out;
#define KEY(n) (key->len == sizeof(n) - 1 && memcmp(key->p, n, sizeof(n) - 1) == 0)
    int64_t i;
    if (KEY("reqIdentifier") || KEY("errCode")) {
        if (tn_json_int64(v, &i))
            *(KEY("errCode") ? &out->err_code : &out->req_identifier) = (int32_t)i;
        return true;
    }
    if (v->kind != TN_JSON_STRING)
        return true;
    const char **slot = KEY("msgIncr")       ? &out->msg_incr
                        : KEY("operationID") ? &out->operation_id
                        : KEY("errMsg")      ? &out->err_msg
                                             : NULL;
#undef KEY
    size_t n;
    if (slot) {
        const char *text = span_text(q->a, v, &n);
        resp_string(q->a, text, n, slot);
    } else if (key->len == 4 && memcmp(key->p, "data", 4) == 0) {
        const char *text = span_text(q->a, v, &n);
        tn_ws_request tmp = {0};
        q->data_ok = decode_base64(q->a, text, n, &tmp);
        out->data = tmp.data;
        out->data_len = tmp.data_len;
    }
    return true;
}

static bool decode_response_json(const uint8_t *buf, size_t len, tn_arena *a, tn_ws_response *out,
                                 char *why, size_t whylen)
{
    json_response q = {a, out, true};
    if (!tn_json_scan_object((const char *)buf, len, json_response_member, &q, why, whylen))
        return false;
    return q.data_ok || fail(why, whylen, "json: data is not base64");
}

bool tn_ws_decode_response(tn_ws_codec codec, const uint8_t *buf, size_t len, tn_arena *a,
                           tn_ws_response *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    out->msg_incr = out->operation_id = out->err_msg = "";
    if (!buf || len == 0)
        return fail(why, whylen, "empty response");
    return codec == TN_WS_GOB ? decode_response_gob(buf, len, a, out, why, whylen)
                              : decode_response_json(buf, len, a, out, why, whylen);
}
