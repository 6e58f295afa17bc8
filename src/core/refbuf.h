/* Reference-counted immutable byte buffers: a pushed message is encoded once and the same bytes
 * are written to every recipient connection; the last writer to finish frees them. */
#pragma once
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tn_refbuf {
    atomic_int refs;
    size_t len;
    uint8_t data[];
} tn_refbuf;

/* A buffer of len bytes with one reference, contents copied from data (if not NULL). */
tn_refbuf *tn_refbuf_new(const void *data, size_t len);
tn_refbuf *tn_refbuf_ref(tn_refbuf *b);
void tn_refbuf_unref(tn_refbuf *b); /* NULL is fine */
