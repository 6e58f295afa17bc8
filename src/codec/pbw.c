/* Protobuf wire primitives (varints, tags, length-delimited fields). Nested lengths are written
 * after the body by shifting it, keeping varints canonical. */
#include "pbw.h"

#include <string.h>

void tn_pbw_varint(tn_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    tn_buf_append(b, tmp, n);
}

static void tag(tn_buf *b, uint32_t field, uint32_t wire)
{
    tn_pbw_varint(b, (uint64_t)field << 3 | wire);
}

void tn_pbw_uint(tn_buf *b, uint32_t field, uint64_t v)
{
    if (!v)
        return;
    tag(b, field, 0);
    tn_pbw_varint(b, v);
}

void tn_pbw_int(tn_buf *b, uint32_t field, int64_t v)
{
    tn_pbw_uint(b, field, (uint64_t)v);
}

void tn_pbw_bool(tn_buf *b, uint32_t field, bool v)
{
    tn_pbw_uint(b, field, v ? 1 : 0);
}

void tn_pbw_bytes_always(tn_buf *b, uint32_t field, const void *p, size_t n)
{
    tag(b, field, 2);
    tn_pbw_varint(b, n);
    tn_buf_append(b, p, n);
}

void tn_pbw_bytes(tn_buf *b, uint32_t field, const void *p, size_t n)
{
    if (n)
        tn_pbw_bytes_always(b, field, p, n);
}

void tn_pbw_string(tn_buf *b, uint32_t field, const char *s)
{
    if (s)
        tn_pbw_bytes(b, field, s, strlen(s));
}

size_t tn_pbw_open(tn_buf *b, uint32_t field)
{
    tag(b, field, 2);
    return b->len;
}

void tn_pbw_close(tn_buf *b, size_t mark)
{
    size_t body = b->len - mark;
    uint8_t tmp[10];
    size_t n = 0;
    uint64_t v = body;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    tn_buf_reserve(b, n);
    memmove(b->data + mark + n, b->data + mark, body);
    memcpy(b->data + mark, tmp, n);
    b->len += n;
}
