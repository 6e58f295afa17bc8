/* A minimal protobuf writer for the few wrapper messages tern builds around already-encoded
 * MsgData bytes (push frames, pull answers), so stored messages are never decoded to be sent. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

void tn_pbw_varint(tn_buf *b, uint64_t v);
/* Each field writer skips the proto3 default (0, "", false, empty) as the official encoders do,
 * except tn_pbw_bytes_always, used for map values and repeated elements. */
void tn_pbw_uint(tn_buf *b, uint32_t field, uint64_t v);
void tn_pbw_int(tn_buf *b, uint32_t field, int64_t v); /* int32/int64: negative = 10 bytes */
void tn_pbw_bool(tn_buf *b, uint32_t field, bool v);
void tn_pbw_string(tn_buf *b, uint32_t field, const char *s);
void tn_pbw_bytes(tn_buf *b, uint32_t field, const void *p, size_t n);
void tn_pbw_bytes_always(tn_buf *b, uint32_t field, const void *p, size_t n);
/* Nested message: open writes the tag and returns a mark; close inserts the length. */
size_t tn_pbw_open(tn_buf *b, uint32_t field);
void tn_pbw_close(tn_buf *b, size_t mark);
