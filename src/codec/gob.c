/* Go encoding/gob for one flat struct per stream: primitives, message framing, the wireType
 * definition of a struct and its value. Decoding checks every length against the input. */
#include "gob.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- primitives ---- */

/* Writes the gob form of v into out (at most 9 bytes); returns its length. */
static size_t uint_bytes(uint64_t v, uint8_t out[9])
{
    if (v < 128) {
        out[0] = (uint8_t)v;
        return 1;
    }
    uint8_t be[8];
    size_t n = 0;
    while (v) {
        be[7 - n] = (uint8_t)(v & 0xff);
        v >>= 8;
        n++;
    }
    out[0] = (uint8_t)(256 - n); /* the negated byte count */
    memcpy(out + 1, be + 8 - n, n);
    return n + 1;
}

void tn_gob_put_uint(tn_buf *b, uint64_t v)
{
    uint8_t tmp[9];
    tn_buf_append(b, tmp, uint_bytes(v, tmp));
}

void tn_gob_put_int(tn_buf *b, int64_t v)
{
    uint64_t u = v < 0 ? ~(uint64_t)v << 1 | 1 : (uint64_t)v << 1;
    tn_gob_put_uint(b, u);
}

void tn_gob_put_bytes(tn_buf *b, const void *data, size_t len)
{
    tn_gob_put_uint(b, len);
    tn_buf_append(b, data, len);
}

bool tn_gob_get_uint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    if (*p >= end)
        return false;
    uint8_t b = *(*p)++;
    if (b < 128) {
        *v = b;
        return true;
    }
    size_t n = (size_t)(256 - b);
    if (n > 8 || n > (size_t)(end - *p))
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = x << 8 | (*p)[i];
    *p += n;
    *v = x;
    return true;
}

bool tn_gob_get_int(const uint8_t **p, const uint8_t *end, int64_t *v)
{
    uint64_t u;
    if (!tn_gob_get_uint(p, end, &u))
        return false;
    *v = (u & 1) ? (int64_t) ~(u >> 1) : (int64_t)(u >> 1);
    return true;
}

/* ---- encoding ---- */

/* A message is uint(length) then the body; the body is written after 9 reserved bytes and moved
 * down once its length is known. */
static size_t begin_message(tn_buf *out)
{
    size_t start = out->len;
    tn_buf_reserve(out, 9);
    out->len += 9;
    return start;
}

static void end_message(tn_buf *out, size_t start)
{
    size_t body = out->len - start - 9;
    uint8_t hdr[9];
    size_t n = uint_bytes(body, hdr);
    memmove(out->data + start + n, out->data + start + 9, body);
    memcpy(out->data + start, hdr, n);
    out->len = start + n + body;
}

/* Struct fields are announced by the delta from the previous field number (start: -1). */
static void put_delta(tn_buf *b, int *last, int field)
{
    tn_gob_put_uint(b, (uint64_t)(field - *last));
    *last = field;
}

static bool is_zero(const tn_gob_field *f)
{
    switch (f->kind) {
    case TN_GOB_BOOL:
    case TN_GOB_INT:
        return f->i == 0;
    case TN_GOB_UINT:
        return f->u == 0;
    case TN_GOB_BYTES:
    case TN_GOB_STRING:
        return f->len == 0;
    }
    return true;
}

void tn_gob_encode_struct(tn_buf *out, const char *type_name, int32_t type_id,
                          const tn_gob_field *fields, size_t n)
{
    /* Type definition: wireType{StructT: &structType{CommonType{Name, Id}, Field: [...]}}. */
    size_t m = begin_message(out);
    tn_gob_put_int(out, -(int64_t)type_id);
    int wire = -1, st = -1, common = -1;
    put_delta(out, &wire, 2); /* wireType.StructT */
    put_delta(out, &st, 0);   /* structType.CommonType */
    if (type_name[0]) {
        put_delta(out, &common, 0);
        tn_gob_put_bytes(out, type_name, strlen(type_name));
    }
    put_delta(out, &common, 1);
    tn_gob_put_int(out, type_id);
    tn_gob_put_uint(out, 0); /* end CommonType */
    if (n) {
        put_delta(out, &st, 1); /* structType.Field */
        tn_gob_put_uint(out, n);
        for (size_t i = 0; i < n; i++) {
            int ft = -1;
            if (fields[i].name[0]) {
                put_delta(out, &ft, 0);
                tn_gob_put_bytes(out, fields[i].name, strlen(fields[i].name));
            }
            put_delta(out, &ft, 1);
            tn_gob_put_int(out, fields[i].kind);
            tn_gob_put_uint(out, 0); /* end fieldType */
        }
    }
    tn_gob_put_uint(out, 0); /* end structType */
    tn_gob_put_uint(out, 0); /* end wireType */
    end_message(out, m);

    /* The value: non-zero fields by delta, then 0. */
    m = begin_message(out);
    tn_gob_put_int(out, type_id);
    int last = -1;
    for (size_t i = 0; i < n; i++) {
        const tn_gob_field *f = &fields[i];
        if (is_zero(f))
            continue;
        put_delta(out, &last, (int)i);
        switch (f->kind) {
        case TN_GOB_BOOL:
            tn_gob_put_uint(out, 1);
            break;
        case TN_GOB_INT:
            tn_gob_put_int(out, f->i);
            break;
        case TN_GOB_UINT:
            tn_gob_put_uint(out, f->u);
            break;
        case TN_GOB_BYTES:
        case TN_GOB_STRING:
            tn_gob_put_bytes(out, f->p, f->len);
            break;
        }
    }
    tn_gob_put_uint(out, 0);
    end_message(out, m);
}

/* ---- decoding ---- */

typedef struct dec {
    const uint8_t *p, *end; /* end = end of the current message */
    char *why;
    size_t whylen;
} dec;

__attribute__((format(printf, 2, 3))) static bool fail(dec *d, const char *fmt, ...)
{
    if (d->why && d->whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->why, d->whylen, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool get_uint(dec *d, uint64_t *v)
{
    return tn_gob_get_uint(&d->p, d->end, v) || fail(d, "gob: truncated or malformed uint");
}

static bool get_int(dec *d, int64_t *v)
{
    return tn_gob_get_int(&d->p, d->end, v) || fail(d, "gob: truncated or malformed int");
}

static bool get_bytes(dec *d, const uint8_t **p, size_t *len)
{
    uint64_t n = 0;
    if (!get_uint(d, &n))
        return false;
    if (n > (uint64_t)(d->end - d->p))
        return fail(d, "gob: length %" PRIu64 " exceeds the message", n);
    *p = d->p;
    *len = (size_t)n;
    d->p += n;
    return true;
}

/* Reads the next struct field number (delta from *field); false on error, *field = -2 at the end
 * of the struct. Field numbers above max are an error. */
static bool next_field(dec *d, int64_t *field, int64_t max)
{
    uint64_t delta = 0;
    if (!get_uint(d, &delta))
        return false;
    if (delta == 0) {
        *field = -2;
        return true;
    }
    if (delta > (uint64_t)(max - *field))
        return fail(d, "gob: field delta %" PRIu64 " out of range", delta);
    *field += (int64_t)delta;
    return true;
}

/* Starts the next message of the stream: its body becomes d's window, *rest is where the message
 * after it starts, *id its type id. */
static bool next_message(dec *d, const uint8_t *stream_end, const uint8_t **rest, int64_t *id)
{
    d->end = stream_end;
    uint64_t n = 0;
    if (!tn_gob_get_uint(&d->p, stream_end, &n))
        return fail(d, "gob: truncated or malformed message length");
    if (n == 0)
        return fail(d, "gob: empty message");
    if (n > (uint64_t)(stream_end - d->p))
        return fail(d, "gob: message length %" PRIu64 " exceeds the input", n);
    d->end = d->p + n;
    *rest = d->end;
    return get_int(d, id);
}

/* CommonType{0 Name string, 1 Id int} */
static bool read_common_type(dec *d, tn_gob_struct *out)
{
    int64_t f = -1;
    for (;;) {
        if (!next_field(d, &f, 1))
            return false;
        if (f == -2)
            return true;
        if (f == 0) {
            const uint8_t *p = NULL;
            if (!get_bytes(d, &p, &out->type_name_len))
                return false;
            out->type_name = (const char *)p;
        } else {
            int64_t ignored; /* Go keys the type by the message's id, not this one */
            if (!get_int(d, &ignored))
                return false;
        }
    }
}

/* fieldType{0 Name string, 1 Id int} */
static bool read_field_type(dec *d, tn_gob_field *fld)
{
    int64_t f = -1, id = 0;
    for (;;) {
        if (!next_field(d, &f, 1))
            return false;
        if (f == -2)
            break;
        if (f == 0) {
            const uint8_t *p = NULL;
            if (!get_bytes(d, &p, &fld->name_len))
                return false;
            fld->name = (const char *)p;
        } else if (!get_int(d, &id)) {
            return false;
        }
    }
    switch (id) {
    case TN_GOB_BOOL:
    case TN_GOB_INT:
    case TN_GOB_UINT:
    case TN_GOB_BYTES:
    case TN_GOB_STRING:
        fld->kind = (tn_gob_kind)id;
        return true;
    }
    return fail(d, "gob: a field has unsupported type id %" PRId64, id);
}

static bool read_field_list(dec *d, tn_gob_struct *out)
{
    uint64_t n = 0;
    if (!get_uint(d, &n))
        return false;
    if (n > TN_GOB_MAX_FIELDS)
        return fail(d, "gob: struct has %" PRIu64 " fields, at most %d supported", n,
                    TN_GOB_MAX_FIELDS);
    for (size_t i = 0; i < n; i++) {
        tn_gob_field *fld = &out->fields[i];
        fld->name = "";
        if (!read_field_type(d, fld))
            return false;
        for (size_t j = 0; j < i; j++)
            if (out->fields[j].name_len == fld->name_len &&
                memcmp(out->fields[j].name, fld->name, fld->name_len) == 0)
                return fail(d, "gob: duplicate field name");
    }
    out->nfields = (size_t)n;
    return true;
}

/* wireType{2 StructT *structType{0 CommonType, 1 Field []*fieldType}}; nothing else. */
static bool read_type_definition(dec *d, tn_gob_struct *out)
{
    int64_t wire = -1, st = -1;
    if (!next_field(d, &wire, 6))
        return false;
    if (wire != 2)
        return fail(d, "gob: type definition is not a struct");
    for (;;) {
        if (!next_field(d, &st, 1))
            return false;
        if (st == -2)
            break;
        if (!(st == 0 ? read_common_type(d, out) : read_field_list(d, out)))
            return false;
    }
    if (!next_field(d, &wire, 6))
        return false;
    if (wire != -2)
        return fail(d, "gob: type definition is not a struct");
    return true;
}

static bool read_value(dec *d, tn_gob_struct *out)
{
    int64_t f = -1;
    for (;;) {
        if (!next_field(d, &f, (int64_t)out->nfields - 1))
            return false;
        if (f == -2)
            return true;
        tn_gob_field *fld = &out->fields[f];
        uint64_t u = 0;
        switch (fld->kind) {
        case TN_GOB_BOOL:
            if (!get_uint(d, &u))
                return false;
            fld->i = u != 0;
            break;
        case TN_GOB_INT:
            if (!get_int(d, &fld->i))
                return false;
            break;
        case TN_GOB_UINT:
            if (!get_uint(d, &fld->u))
                return false;
            break;
        case TN_GOB_BYTES:
        case TN_GOB_STRING:
            if (!get_bytes(d, &fld->p, &fld->len))
                return false;
            break;
        }
        fld->set = true;
    }
}

bool tn_gob_decode_struct(const uint8_t *buf, size_t len, tn_gob_struct *out, char *why,
                          size_t whylen)
{
    memset(out, 0, sizeof *out);
    out->type_name = "";
    dec d = {buf, buf, why, whylen};
    if (!buf || !len)
        return fail(&d, "gob: empty input");
    d.end = buf + len;
    const uint8_t *stream_end = buf + len, *rest;
    int64_t id;

    if (!next_message(&d, stream_end, &rest, &id))
        return false;
    if (id >= 0)
        return fail(&d, "gob: stream does not start with a type definition");
    if (id < -(int64_t)INT32_MAX || -id < TN_GOB_FIRST_USER_ID)
        return fail(&d, "gob: type id %" PRId64 " out of range", -id);
    out->type_id = (int32_t)-id;
    if (!read_type_definition(&d, out))
        return false;
    if (d.p != d.end)
        return fail(&d, "gob: extra bytes in the type definition");

    d.p = rest;
    if (!next_message(&d, stream_end, &rest, &id))
        return false;
    if (id != out->type_id)
        return fail(&d, "gob: value of type %" PRId64 " after definition of type %" PRId32, id,
                    out->type_id);
    if (!read_value(&d, out))
        return false;
    if (d.p != d.end)
        return fail(&d, "gob: extra bytes in the value message");
    if (rest != stream_end)
        return fail(&d, "gob: trailing bytes after the value");
    return true;
}

const tn_gob_field *tn_gob_field_named(const tn_gob_struct *s, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < s->nfields; i++)
        if (s->fields[i].name_len == n && memcmp(s->fields[i].name, name, n) == 0)
            return &s->fields[i];
    return NULL;
}
