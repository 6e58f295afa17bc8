/* tn_refbuf: one allocation holding the count and the bytes; atomic counts because the message
 * writer thread creates buffers that the event loop releases. */
#include "refbuf.h"

#include <stdlib.h>
#include <string.h>

tn_refbuf *tn_refbuf_new(const void *data, size_t len)
{
    tn_refbuf *b = malloc(sizeof *b + len);
    if (!b)
        abort();
    atomic_init(&b->refs, 1);
    b->len = len;
    if (data && len)
        memcpy(b->data, data, len);
    return b;
}

tn_refbuf *tn_refbuf_ref(tn_refbuf *b)
{
    atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
    return b;
}

void tn_refbuf_unref(tn_refbuf *b)
{
    if (b && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
        free(b);
}
