/* Internal structures of the gateway shared by its files: the connection, the gateway, requests
 * handed to the thread pool, and events posted to the loop from other threads. */
#pragma once
#include <http_parser.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "arena.h"
#include "buf.h"
#include "gateway.h"
#include "hmap.h"
#include "refbuf.h"
#include "ws_envelope.h"

typedef struct gw_handshake gw_handshake;

#define GW_OUTQ 8
/* Sends (1003) of one connection in flight together: the message writer takes them in read
 * order and answers them in that order, so more of them share one group commit. */
#define GW_PIPELINE_MAX 32
/* Unhandled input kept while the connection waits on its own replies; past it reading stops
 * until they come (more than a frame's worth is never needed then). */
#define GW_IN_MAX (256 * 1024)

typedef enum gw_state {
    GW_HANDSHAKE, /* reading the upgrade request */
    GW_AUTH,      /* token check on the thread pool */
    GW_OPEN,      /* WebSocket session */
    GW_CLOSING,
} gw_state;

typedef struct gw_conn {
    uv_tcp_t tcp; /* first: the handle's address is the connection's */
    tn_gateway *gw;
    uint64_t id;
    gw_state state;
    gw_handshake *hs; /* only while GW_HANDSHAKE / GW_AUTH */
    tn_buf in;        /* input not handled yet: a partial frame, or frames waiting their turn */
    size_t in_pos;    /* bytes at the start of `in` already handled */
    tn_buf frag;      /* a fragmented message being assembled */
    uint8_t frag_op;
    char *key; /* "<app>\0<userID>", key_len bytes */
    size_t key_len;
    const char *user_id; /* points into key */
    int32_t platform;
    uint64_t token_hash; /* same token = same login: never kicked by multi-login */
    tn_ws_codec codec;
    bool gzip;
    bool background;
    bool shut;             /* shutdown requested: close once written */
    uint16_t inflight;     /* requests dispatched and not answered yet */
    bool barrier;          /* the one in flight is not a send: nothing starts until its reply */
    bool stalled;          /* the next frame or `parked` waits for replies in flight */
    bool read_paused;      /* stalled with GW_IN_MAX unhandled: reading stops until replies */
    struct gw_req *parked; /* decoded request that may not start yet; frames behind it wait */
    uint32_t delayed;      /* push frames held in the delay queue: later pushes queue behind them */
    uint64_t last_read_ms, last_ping_ms;
    struct gw_conn *user_next, *user_prev; /* connections of the same user */
    struct gw_conn *all_next, *all_prev;
    char **subs; /* users this connection watches (2005) */
    size_t nsubs;
    /* frames queued this loop iteration, written together (one writev) in the check phase */
    tn_refbuf *outq[GW_OUTQ];
    uint8_t outn;
    bool dirty;                 /* in the gateway's dirty list */
    struct gw_conn *dirty_next; /* in the gateway's list of connections with queued frames */
} gw_conn;

typedef enum gw_event_kind {
    GW_EV_PUSH,
    GW_EV_REPLY,
    GW_EV_KICK,
} gw_event_kind;

typedef struct gw_req gw_req;

typedef struct gw_event {
    struct gw_event *next;
    gw_event_kind kind;
    tn_push *push; /* PUSH */
    gw_req *req;   /* REPLY */
    char *key;     /* KICK: "<app>\0<user>" */
    size_t key_len;
    int32_t platform; /* KICK: 0 = all */
} gw_event;

/* A push copy held back for the connection that sent the message (see deliver()). */
typedef struct gw_delayed {
    struct gw_delayed *next;
    uint64_t conn_id;
    tn_refbuf *frame;
    uint64_t due_ms;
} gw_delayed;

struct tn_gateway {
    uv_loop_t *loop;
    tn_svc *svc;
    tn_gateway_options opt;
    uv_tcp_t listener;
    uv_timer_t sweep;
    uv_async_t async;
    uv_timer_t delay_timer;
    uv_check_t flush;      /* writes what the iteration queued, once per connection */
    struct gw_conn *dirty; /* connections with queued frames */
    gw_delayed *delayed_head, *delayed_tail;
    struct gw_fanout *fanout_head, *fanout_tail; /* pushes being delivered, in arrival order */
    uv_idle_t fanout_idle;                       /* active while a fan-out is unfinished */
    int open_handles;
    bool stopping;
    tn_push_sink sink;
    pthread_mutex_t mu; /* guards the event queue */
    gw_event *ev_head, *ev_tail;
    tn_hmap users;    /* key → first gw_conn of that user */
    tn_hmap by_id;    /* 8-byte id → gw_conn */
    tn_hmap watchers; /* key → gw_watchers (connections subscribed to that user's status) */
    gw_conn *all;
    int conn_count;
    uint64_t next_id;
    struct gw_req *spare_reqs; /* finished requests kept for reuse (loop thread only) */
    int nspare_reqs;
    uint8_t read_buf[65536];
};

/* A request handed to the thread pool (or to the message writer for 1003). */
struct gw_req {
    tn_gateway *gw;
    uint64_t conn_id;
    tn_ws_codec codec;
    bool gzip;
    char *key; /* the connection's "<app>\0<user>", in the arena */
    size_t key_len;
    int32_t platform;
    tn_arena arena;
    tn_ws_request req;
    tn_err err;
    char detail[256];
    tn_buf data; /* protobuf reply body */
    bool has_data;
    gw_event ev;        /* how a writer-thread reply reaches the loop */
    gw_req *next_spare; /* in the gateway's spare list once freed */
    /* the arena's first chunk: a decoded envelope of a text message fits, costing no allocation */
    _Alignas(16) unsigned char arena_mem[1024];
};

/* gateway.c */
gw_conn *gw_conn_find(tn_gateway *gw, uint64_t id);
/* queues a frame on c (written with the iteration's others); takes the reference */
void gw_write_frame(gw_conn *c, tn_refbuf *frame);
/* the 2001 frame of p for one codec, encoded once per push (cache: 4 slots) */
tn_refbuf *gw_push_frame(tn_push *p, tn_refbuf **cache, tn_ws_codec codec, bool gzip);
/* queues a frame for c behind the self-push delay; takes the reference */
void gw_delay_frame(tn_gateway *gw, gw_conn *c, tn_refbuf *frame);

/* gw_fanout.c: pushes delivered in arrival order, big groups a slice per loop iteration */
void gw_fanout_add(tn_gateway *gw, tn_push *p); /* takes p */
void gw_fanout_stop(tn_gateway *gw);            /* drops what is undelivered */
void gw_send_reply(gw_conn *c, const tn_ws_response *r);
/* One request of c was answered: starts what waited for it. */
void gw_resume(gw_conn *c);
void gw_post(tn_gateway *gw, gw_event *ev);
void gw_req_free(gw_req *r);

/* gw_handlers.c: runs a decoded request; true when it was handed to the thread pool or the
 * writer (the reply comes later), false when the connection must be closed. */
bool gw_dispatch(gw_conn *c, gw_req *r);
/* A send: it may start while other sends of its connection are in flight. */
bool gw_pipelined(const gw_req *r);
/* 2005 bookkeeping and status pushes (gw_presence.c) */
void gw_presence_connected(gw_conn *c);
void gw_presence_disconnected(gw_conn *c);
void gw_presence_subscribe(gw_conn *c, gw_req *r);
