/* The gateway's request/response envelope (Req / Resp) in its two encodings: gob for the Go SDK,
 * JSON for the JS SDK; the server's side (decode Req, encode Resp) and a client's (the reverse). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "err.h"

typedef enum tn_ws_codec { TN_WS_GOB, TN_WS_JSON } tn_ws_codec;

typedef struct tn_ws_request {
    int32_t req_identifier;
    const char *send_id; /* NUL-terminated, in the arena; "" when absent */
    const char *operation_id;
    const char *msg_incr;
    const uint8_t *data; /* protobuf body, in the arena; NULL/0 when absent or empty */
    size_t data_len;
} tn_ws_request;

typedef struct tn_ws_response {
    int32_t req_identifier;
    const char *msg_incr;     /* NULL = "" */
    const char *operation_id; /* NULL = "" */
    int32_t err_code;
    const char *err_msg; /* NULL = "" */
    const uint8_t *data; /* NULL = no data (JSON "data":null, gob field omitted) */
    size_t data_len;
} tn_ws_response;

/* Decodes one request frame payload (already gunzipped). On failure returns false and writes a
 * one-line reason into why. Strings/bytes are copied into the arena (NUL-terminated); a string
 * holding a NUL byte is refused, so the C strings are the whole values. */
bool tn_ws_decode_request(tn_ws_codec codec, const uint8_t *buf, size_t len, tn_arena *a,
                          tn_ws_request *out, char *why, size_t whylen);
/* Appends the encoded response to out (not gzipped). */
void tn_ws_encode_response(tn_ws_codec codec, const tn_ws_response *r, tn_buf *out);

/* A client's side (tern-bench, a C client). token may be NULL; nothing is gzipped. */
void tn_ws_encode_request(tn_ws_codec codec, const tn_ws_request *r, const char *token,
                          tn_buf *out);
/* Strings and data are copied into the arena, NUL-terminated; data is NULL when absent. */
bool tn_ws_decode_response(tn_ws_codec codec, const uint8_t *buf, size_t len, tn_arena *a,
                           tn_ws_response *out, char *why, size_t whylen);
