/* A growable byte buffer for building frames and encodings; the owner frees it with
 * tn_buf_free. Out of memory aborts: a half-built frame has no sane recovery. */
#pragma once
#include <stddef.h>
#include <stdint.h>

typedef struct tn_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} tn_buf;

void tn_buf_reserve(tn_buf *b, size_t extra);
void tn_buf_append(tn_buf *b, const void *data, size_t len);
void tn_buf_append_byte(tn_buf *b, uint8_t byte);
void tn_buf_free(tn_buf *b);
