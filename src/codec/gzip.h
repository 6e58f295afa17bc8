/* gzip (RFC 1952) for the gateway's compressed frames: one member with the header Go's writer
 * produces, and a bounded decompressor that accepts what Go's reader accepts. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Appends one gzip member holding in[0..len) to out; header 1f 8b 08 00 00000000 00 ff (mtime 0,
 * OS 255, as Go writes it). False only if zlib fails (out is then unchanged). */
bool tn_gzip_compress(const uint8_t *in, size_t len, tn_buf *out);
/* Appends the decompressed content of in to out. in must be one or more complete gzip members
 * (concatenated members are one stream, as in Go) and nothing else. False, with out unchanged,
 * on empty, corrupt or truncated input, trailing garbage, or more than max_out output bytes. */
bool tn_gzip_decompress(const uint8_t *in, size_t len, size_t max_out, tn_buf *out);
