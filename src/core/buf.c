/* tn_buf growth policy: doubling from 256 bytes, so appends are amortised O(1).
 * The buffer never shrinks; tn_buf_free releases it. */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

void tn_buf_reserve(tn_buf *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    uint8_t *grown = realloc(b->data, cap);
    if (!grown)
        abort();
    b->data = grown;
    b->cap = cap;
}

void tn_buf_append(tn_buf *b, const void *data, size_t len)
{
    if (!len)
        return;
    tn_buf_reserve(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

void tn_buf_append_byte(tn_buf *b, uint8_t byte)
{
    tn_buf_reserve(b, 1);
    b->data[b->len++] = byte;
}

void tn_buf_free(tn_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
