/* Frames are parsed straight out of the read buffer and unmasked there; a frame that is not
 * complete yet is left for the caller to keep. Limits are checked before any payload copy. */
#include "ws_frame.h"

#include <string.h>

#include "base64.h"
#include "digest.h"

static bool opcode_known(uint8_t op)
{
    return op == TN_WS_OP_CONT || op == TN_WS_OP_TEXT || op == TN_WS_OP_BINARY ||
           op == TN_WS_OP_CLOSE || op == TN_WS_OP_PING || op == TN_WS_OP_PONG;
}

tn_ws_parse tn_ws_frame_parse(uint8_t *buf, size_t len, size_t max_len, bool from_client,
                              tn_ws_frame *f, size_t *used)
{
    if (len < 2)
        return TN_WS_PARSE_MORE;
    uint8_t b0 = buf[0], b1 = buf[1];
    f->fin = b0 & 0x80;
    f->opcode = b0 & 0x0f;
    bool masked = b1 & 0x80;
    if ((b0 & 0x70) || !opcode_known(f->opcode) || masked != from_client)
        return TN_WS_PARSE_PROTOCOL; /* no extensions negotiated; clients mask, servers do not */
    bool control = f->opcode & 0x08;
    uint64_t plen = b1 & 0x7f;
    size_t pos = 2;
    if (control && (plen > 125 || !f->fin))
        return TN_WS_PARSE_PROTOCOL;
    if (plen == 126) {
        if (len < 4)
            return TN_WS_PARSE_MORE;
        plen = (uint64_t)buf[2] << 8 | buf[3];
        pos = 4;
    } else if (plen == 127) {
        if (len < 10)
            return TN_WS_PARSE_MORE;
        plen = 0;
        for (int i = 0; i < 8; i++)
            plen = plen << 8 | buf[2 + i];
        pos = 10;
        if (plen >> 63)
            return TN_WS_PARSE_PROTOCOL;
    }
    if (plen > max_len)
        return TN_WS_PARSE_TOO_BIG;
    size_t mask_len = masked ? 4 : 0;
    if (len < pos + mask_len || len - pos - mask_len < plen)
        return TN_WS_PARSE_MORE;
    uint8_t *payload = buf + pos + mask_len;
    if (masked)
        tn_ws_mask(payload, (size_t)plen, buf + pos);
    f->payload = payload;
    f->len = (size_t)plen;
    *used = pos + mask_len + (size_t)plen;
    return TN_WS_PARSE_FRAME;
}

void tn_ws_mask(uint8_t *payload, size_t len, const uint8_t mask[4])
{
    for (size_t i = 0; i < len; i++)
        payload[i] ^= mask[i & 3];
}

size_t tn_ws_frame_header_masked(uint8_t out[14], uint8_t opcode, size_t len, const uint8_t mask[4])
{
    size_t n = tn_ws_frame_header(out, opcode, len);
    out[1] |= 0x80;
    memcpy(out + n, mask, 4);
    return n + 4;
}

size_t tn_ws_frame_header(uint8_t out[10], uint8_t opcode, size_t len)
{
    out[0] = 0x80 | opcode;
    if (len < 126) {
        out[1] = (uint8_t)len;
        return 2;
    }
    if (len <= 0xffff) {
        out[1] = 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
    return 10;
}

void tn_ws_accept_key(const char *key, size_t key_len, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char joined[128 + sizeof guid];
    if (key_len > 128)
        key_len = 128; /* real keys are 24 characters; longer ones cannot match anyway */
    memcpy(joined, key, key_len);
    memcpy(joined + key_len, guid, sizeof guid - 1);
    uint8_t digest[TN_SHA1_SIZE];
    tn_sha1(joined, key_len + sizeof guid - 1, digest);
    tn_b64_encode(digest, sizeof digest, out, false);
}
