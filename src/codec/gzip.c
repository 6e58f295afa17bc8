/* zlib-backed gzip members for WebSocket frames. Input and output are fed to zlib in chunks of at
 * most 1 GiB, so sizes beyond zlib's 32-bit counters work; the output bound is checked as it grows.
 */
#include "gzip.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#define CHUNK_MAX ((size_t)1 << 30)

static uInt clamp(size_t n)
{
    return (uInt)(n < CHUNK_MAX ? n : CHUNK_MAX);
}

bool tn_gzip_compress(const uint8_t *in, size_t len, tn_buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    gz_header h;
    memset(&h, 0, sizeof h);
    h.os = 255; /* "unknown", as Go writes; mtime 0 */
    size_t start = out->len;
    bool ok = deflateSetHeader(&z, &h) == Z_OK;
    const uint8_t *p = in;
    size_t left = len;
    while (ok) {
        if (z.avail_in == 0 && left > 0) {
            z.next_in = (Bytef *)p;
            z.avail_in = clamp(left);
            p += z.avail_in;
            left -= z.avail_in;
        }
        tn_buf_reserve(out, left == 0 && z.avail_in < 4096 ? 4096 : 65536);
        z.next_out = out->data + out->len;
        z.avail_out = clamp(out->cap - out->len);
        int rc = deflate(&z, left == 0 ? Z_FINISH : Z_NO_FLUSH);
        out->len = (size_t)(z.next_out - out->data);
        if (rc == Z_STREAM_END)
            break;
        ok = rc == Z_OK || rc == Z_BUF_ERROR;
    }
    deflateEnd(&z);
    if (!ok)
        out->len = start;
    return ok;
}

bool tn_gzip_decompress(const uint8_t *in, size_t len, size_t max_out, tn_buf *out)
{
    if (!in || len == 0)
        return false;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK) /* gzip wrapper only */
        return false;
    size_t start = out->len;
    const uint8_t *p = in;
    size_t left = len;
    bool ok = false;
    for (;;) {
        if (z.avail_in == 0 && left > 0) {
            z.next_in = (Bytef *)p;
            z.avail_in = clamp(left);
            p += z.avail_in;
            left -= z.avail_in;
        }
        /* Room for at most max_out + 1 bytes in all: the extra byte proves the bound is broken. */
        size_t produced = out->len - start;
        size_t budget = max_out - produced;
        if (budget < SIZE_MAX)
            budget++;
        size_t want = budget < 65536 ? budget : 65536;
        tn_buf_reserve(out, want);
        size_t room = out->cap - out->len;
        z.next_out = out->data + out->len;
        z.avail_out = clamp(room < budget ? room : budget);
        int rc = inflate(&z, Z_NO_FLUSH);
        out->len = (size_t)(z.next_out - out->data);
        if (out->len - start > max_out)
            break;
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0 && left == 0) {
                ok = true;
                break;
            }
            if (inflateReset(&z) != Z_OK) /* another member follows, or garbage */
                break;
            continue;
        }
        if (rc != Z_OK) /* corrupt (Z_DATA_ERROR), truncated (Z_BUF_ERROR), out of memory */
            break;
    }
    inflateEnd(&z);
    if (!ok)
        out->len = start;
    return ok;
}
