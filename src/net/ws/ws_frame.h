/* RFC 6455 framing for both ends: parse one frame in place, write a frame header, compute
 * Sec-WebSocket-Accept. No sockets and no allocation: the gateway (or a client) owns buffers. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    TN_WS_OP_CONT = 0x0,
    TN_WS_OP_TEXT = 0x1,
    TN_WS_OP_BINARY = 0x2,
    TN_WS_OP_CLOSE = 0x8,
    TN_WS_OP_PING = 0x9,
    TN_WS_OP_PONG = 0xA,
};

typedef struct tn_ws_frame {
    bool fin;
    uint8_t opcode;
    uint8_t *payload; /* unmasked in place */
    size_t len;
} tn_ws_frame;

typedef enum tn_ws_parse {
    TN_WS_PARSE_MORE,     /* incomplete: wait for more bytes */
    TN_WS_PARSE_FRAME,    /* one frame parsed; *used bytes consumed */
    TN_WS_PARSE_TOO_BIG,  /* payload over max_len: close 1009 */
    TN_WS_PARSE_PROTOCOL, /* unmasked, reserved bits, bad opcode, bad control frame: 1002 */
} tn_ws_parse;

/* from_client: the frame must be masked (a server reading); otherwise it must not be (a client
 * reading). */
tn_ws_parse tn_ws_frame_parse(uint8_t *buf, size_t len, size_t max_len, bool from_client,
                              tn_ws_frame *f, size_t *used);
/* Writes an unmasked FIN frame header for len payload bytes; returns its size (2, 4 or 10). */
size_t tn_ws_frame_header(uint8_t out[10], uint8_t opcode, size_t len);
/* A client's FIN frame header with its masking key; returns its size (6, 8 or 14). The caller
 * masks the payload with tn_ws_mask. */
size_t tn_ws_frame_header_masked(uint8_t out[14], uint8_t opcode, size_t len,
                                 const uint8_t mask[4]);
void tn_ws_mask(uint8_t *payload, size_t len, const uint8_t mask[4]);
/* base64(SHA-1(key + GUID)) into out (29 bytes with the NUL). */
void tn_ws_accept_key(const char *key, size_t key_len, char out[29]);
