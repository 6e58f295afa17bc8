/* Frames are parsed out of the read buffer in place; only an incomplete tail is copied into the
 * connection's own buffer. A connection is freed by its socket's close callback, never earlier. */
#include "ws_client.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ws_frame.h"

#define MAX_MESSAGE (64u << 20)

struct tb_ws {
    uv_tcp_t tcp;
    uv_connect_t connect_req;
    uv_write_t write_req;
    const tb_ws_events *ev;
    void *ud;
    tn_buf pending, writing; /* frames queued / frames in the write in flight */
    tn_buf in;               /* an incomplete handshake or frame */
    tn_buf message;          /* a fragmented message being joined */
    uint32_t mask_state;
    bool upgraded, closing, write_busy;
    char *request; /* the upgrade request until it is written */
};

static char read_chunk[1 << 16]; /* the loop runs one read callback at a time */

static void on_socket_closed(uv_handle_t *h)
{
    tb_ws *ws = h->data;
    tn_buf_free(&ws->pending);
    tn_buf_free(&ws->writing);
    tn_buf_free(&ws->in);
    tn_buf_free(&ws->message);
    free(ws->request);
    free(ws);
}

static void shut(tb_ws *ws, const char *why)
{
    if (ws->closing)
        return;
    ws->closing = true;
    if (why && ws->ev->closed)
        ws->ev->closed(ws, ws->ud, why);
    uv_close((uv_handle_t *)&ws->tcp, on_socket_closed);
}

static void flush(tb_ws *ws);

static void on_written(uv_write_t *req, int status)
{
    tb_ws *ws = req->data;
    ws->write_busy = false;
    ws->writing.len = 0;
    if (status < 0) {
        char why[96];
        snprintf(why, sizeof why, "write: %s", uv_strerror(status));
        shut(ws, why);
        return;
    }
    if (!ws->closing)
        flush(ws);
}

static void flush(tb_ws *ws)
{
    if (ws->write_busy || ws->pending.len == 0 || ws->closing)
        return;
    tn_buf t = ws->writing; /* swap: the next frames go to the other buffer */
    ws->writing = ws->pending;
    ws->pending = t;
    ws->write_busy = true;
    uv_buf_t b = uv_buf_init((char *)ws->writing.data, (unsigned)ws->writing.len);
    ws->write_req.data = ws;
    int r = uv_write(&ws->write_req, (uv_stream_t *)&ws->tcp, &b, 1, on_written);
    if (r < 0) {
        ws->write_busy = false;
        shut(ws, uv_strerror(r));
    }
}

static void queue_frame(tb_ws *ws, uint8_t opcode, const void *data, size_t len)
{
    uint32_t x = ws->mask_state; /* xorshift32: masks need not be strong here, only present */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    ws->mask_state = x;
    uint8_t mask[4] = {(uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16), (uint8_t)(x >> 24)};
    uint8_t head[14];
    size_t hn = tn_ws_frame_header_masked(head, opcode, len, mask);
    tn_buf_reserve(&ws->pending, hn + len);
    tn_buf_append(&ws->pending, head, hn);
    uint8_t *payload = ws->pending.data + ws->pending.len;
    if (len)
        tn_buf_append(&ws->pending, data, len);
    tn_ws_mask(payload, len, mask);
}

void tb_ws_send(tb_ws *ws, uint8_t opcode, const void *data, size_t len)
{
    if (ws->closing)
        return;
    queue_frame(ws, opcode, data, len);
    if (ws->upgraded)
        flush(ws);
}

void tb_ws_close(tb_ws *ws)
{
    if (ws->closing)
        return;
    static const tb_ws_events silent = {0};
    ws->ev = &silent;
    shut(ws, NULL);
}

static void on_frame(tb_ws *ws, const tn_ws_frame *f)
{
    switch (f->opcode) {
    case TN_WS_OP_PING:
        queue_frame(ws, TN_WS_OP_PONG, f->payload, f->len);
        flush(ws);
        return;
    case TN_WS_OP_PONG:
        return;
    case TN_WS_OP_CLOSE: {
        char why[160];
        int code = f->len >= 2 ? f->payload[0] << 8 | f->payload[1] : 1005;
        snprintf(why, sizeof why, "server closed %d %.*s", code, (int)(f->len > 2 ? f->len - 2 : 0),
                 f->len > 2 ? (char *)f->payload + 2 : "");
        shut(ws, why);
        return;
    }
    }
    if (!f->fin || f->opcode == TN_WS_OP_CONT || ws->message.len) {
        tn_buf_append(&ws->message, f->payload, f->len);
        if (!f->fin)
            return;
        ws->ev->message(ws, ws->ud, ws->message.data, ws->message.len);
        ws->message.len = 0;
        return;
    }
    ws->ev->message(ws, ws->ud, f->payload, f->len);
}

/* Consumes what it can of data; returns the bytes used, or (size_t)-1 after shutting. */
static size_t consume(tb_ws *ws, uint8_t *data, size_t len)
{
    size_t pos = 0;
    if (!ws->upgraded) {
        uint8_t *end = memmem(data, len, "\r\n\r\n", 4);
        if (!end)
            return 0;
        if (len < 12 || memcmp(data + 9, "101", 3) != 0) {
            char why[256];
            size_t n = (size_t)(end - data);
            snprintf(why, sizeof why, "upgrade refused: %.*s", (int)(n > 200 ? 200 : n),
                     (char *)data);
            for (char *p = why; *p; p++)
                if (*p == '\r' || *p == '\n')
                    *p = ' ';
            shut(ws, why);
            return (size_t)-1;
        }
        ws->upgraded = true;
        pos = (size_t)(end - data) + 4;
        if (ws->ev->open)
            ws->ev->open(ws, ws->ud);
        if (ws->closing)
            return (size_t)-1;
        flush(ws);
    }
    while (pos < len && !ws->closing) {
        tn_ws_frame f;
        size_t used = 0;
        tn_ws_parse r = tn_ws_frame_parse(data + pos, len - pos, MAX_MESSAGE, false, &f, &used);
        if (r == TN_WS_PARSE_MORE)
            break;
        if (r != TN_WS_PARSE_FRAME) {
            shut(ws, r == TN_WS_PARSE_TOO_BIG ? "frame too big" : "WebSocket protocol error");
            return (size_t)-1;
        }
        on_frame(ws, &f);
        pos += used;
    }
    return ws->closing ? (size_t)-1 : pos;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    *buf = uv_buf_init(read_chunk, sizeof read_chunk);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    tb_ws *ws = s->data;
    if (n < 0) {
        shut(ws, n == UV_EOF ? "server closed the connection" : uv_strerror((int)n));
        return;
    }
    if (n == 0)
        return;
    uint8_t *data = (uint8_t *)buf->base;
    size_t len = (size_t)n;
    if (ws->in.len) { /* finish the tail first: join it with the new bytes */
        tn_buf_append(&ws->in, data, len);
        data = ws->in.data;
        len = ws->in.len;
    }
    size_t used = consume(ws, data, len);
    if (used == (size_t)-1)
        return;
    if (data == ws->in.data) {
        memmove(ws->in.data, ws->in.data + used, len - used);
        ws->in.len = len - used;
    } else if (used < len) {
        tn_buf_append(&ws->in, data + used, len - used);
    }
}

static void on_connected(uv_connect_t *req, int status)
{
    tb_ws *ws = req->data;
    if (ws->closing)
        return;
    if (status < 0) {
        char why[96];
        snprintf(why, sizeof why, "connect: %s", uv_strerror(status));
        shut(ws, why);
        return;
    }
    uv_tcp_nodelay(&ws->tcp, 1);
    tn_buf_append(&ws->writing, ws->request, strlen(ws->request));
    free(ws->request);
    ws->request = NULL;
    ws->write_busy = true;
    uv_buf_t b = uv_buf_init((char *)ws->writing.data, (unsigned)ws->writing.len);
    ws->write_req.data = ws;
    int r = uv_write(&ws->write_req, (uv_stream_t *)&ws->tcp, &b, 1, on_written);
    if (r == 0)
        r = uv_read_start((uv_stream_t *)&ws->tcp, on_alloc, on_read);
    if (r < 0)
        shut(ws, uv_strerror(r));
}

tb_ws *tb_ws_open(uv_loop_t *loop, const char *host, int port, const char *target,
                  const tb_ws_events *ev, void *ud)
{
    tb_ws *ws = calloc(1, sizeof *ws);
    ws->ev = ev;
    ws->ud = ud;
    ws->mask_state = 0x9e3779b9u ^ (uint32_t)(uintptr_t)ws;
    if (!ws->mask_state)
        ws->mask_state = 1;
    size_t cap = strlen(target) + strlen(host) + 256;
    ws->request = malloc(cap);
    snprintf(ws->request, cap,
             "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
             target, host, port);
    uv_tcp_init(loop, &ws->tcp);
    ws->tcp.data = ws;
    ws->connect_req.data = ws;
    struct sockaddr_in sa;
    int r = uv_ip4_addr(host, port, &sa);
    if (r == 0)
        r = uv_tcp_connect(&ws->connect_req, &ws->tcp, (struct sockaddr *)&sa, on_connected);
    if (r < 0) {
        /* report on the next loop turn would be nicer; the caller handles a synchronous close */
        char why[96];
        snprintf(why, sizeof why, "connect: %s", uv_strerror(r));
        shut(ws, why);
    }
    return ws;
}
