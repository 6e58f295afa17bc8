/* tern-bench's WebSocket client on libuv: connect, upgrade, masked frames out, frames in. Writes
 * made while one is in flight are coalesced into the next, so a busy connection makes few calls. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct tb_ws tb_ws;

typedef struct tb_ws_events {
    void (*open)(tb_ws *ws, void *ud);
    /* One text or binary message (fragments joined). data is only valid during the call. */
    void (*message)(tb_ws *ws, void *ud, uint8_t *data, size_t len);
    /* The connection is gone (error, server close, failed upgrade): the handle is freed after
     * this returns. Not called after tb_ws_close. */
    void (*closed)(tb_ws *ws, void *ud, const char *why);
} tb_ws_events;

/* Connects to host:port and upgrades with GET target (path and query). */
tb_ws *tb_ws_open(uv_loop_t *loop, const char *host, int port, const char *target,
                  const tb_ws_events *ev, void *ud);
void tb_ws_send(tb_ws *ws, uint8_t opcode, const void *data, size_t len);
/* Sends a close frame and closes the socket; no event fires after this. */
void tb_ws_close(tb_ws *ws);
