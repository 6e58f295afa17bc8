/* Gateway connections: upgrade handshake and token login, frame reading with pipelined sends,
 * bounded write queues, session registry, heartbeats, kicks, events other threads post. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "base64.h"
#include "gw_internal.h"
#include "gzip.h"
#include "log.h"
#include "pbw.h"
#include "platform.h"
#include "ws_frame.h"

#define READ_TIMEOUT_MS 30000 /* OpenIM's pongWait: no frame for 30 s ends the session */
#define PING_PERIOD_MS  27000 /* server pings to web (platform 5) clients */
#define HANDSHAKE_MS    10000
/* The JS SDK knows its own pushed copy only once it has handled the send's reply; OpenIM's push
 * naturally trails the reply by tens of milliseconds (it crosses a queue), tern's would not. */
#define SELF_PUSH_DELAY_MS 50
#define MAX_URL            8192
#define PLATFORM_WEB       5
#define CLOSE_NORMAL       1000
#define CLOSE_PROTOCOL     1002
#define CLOSE_TOO_BIG      1009

struct gw_handshake {
    http_parser parser;
    char *url;
    size_t url_len;
    char name[32];
    size_t name_len;
    bool name_done;
    int header; /* 1 key, 2 upgrade, 3 connection, 4 compression, 5 version */
    char value[256];
    size_t value_len;
    char ws_key[64];
    bool upgrade_ws, conn_upgrade, compression_header, version13;
    bool complete;
    uint64_t started_ms;
    /* connect parameters */
    char *send_id, *token, *operation_id;
    int32_t platform;
    bool msg_resp, gzip, background;
    tn_ws_codec codec;
    /* token check result */
    tn_err err;
    char detail[TN_DETAIL_MAX];
};

typedef struct gw_write {
    uv_write_t w;
    int n;
    tn_refbuf *bufs[GW_OUTQ];
} gw_write;

typedef struct gw_auth_job {
    uv_work_t work;
    tn_gateway *gw;
    uint64_t conn_id;
    char *token, *send_id;
    int32_t platform;
    tn_err err;
    char detail[TN_DETAIL_MAX];
} gw_auth_job;

typedef struct gw_kick_job {
    uv_work_t work;
    tn_svc *svc;
    char *user_id, *token;
    int32_t platform;
} gw_kick_job;

static void conn_close(gw_conn *c);
static void conn_shutdown(gw_conn *c);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void in_pump(gw_conn *c);

static uint64_t now_ms(tn_gateway *gw)
{
    return uv_now(gw->loop);
}

static uint64_t hash_token(const char *t)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211ULL;
    return h;
}

/* ---- writing ---- */

static void on_written(uv_write_t *w, int status)
{
    gw_write *gwr = (gw_write *)w;
    (void)status;
    for (int i = 0; i < gwr->n; i++)
        tn_refbuf_unref(gwr->bufs[i]);
    free(gwr);
}

static void drop_queued(gw_conn *c)
{
    for (int i = 0; i < c->outn; i++)
        tn_refbuf_unref(c->outq[i]);
    c->outn = 0;
}

/* Writes the queued frames in one writev; cuts off a reader whose queue is over the limit. */
static void flush_conn(gw_conn *c)
{
    if (!c->outn)
        return;
    if (uv_is_closing((uv_handle_t *)&c->tcp)) {
        drop_queued(c);
        return;
    }
    uv_buf_t bufs[GW_OUTQ];
    size_t total = 0;
    for (int i = 0; i < c->outn; i++) {
        bufs[i] = uv_buf_init((char *)c->outq[i]->data, (unsigned)c->outq[i]->len);
        total += bufs[i].len;
    }
    /* The socket usually takes it all at once: then there is no write request, whose completion
     * costs an epoll_ctl besides (libuv re-arms the watcher each time its write queue drains).
     * Behind a queue this fails with EAGAIN; an error is left to uv_write to report. */
    int done = uv_try_write((uv_stream_t *)&c->tcp, bufs, c->outn);
    if (done > 0 && (size_t)done == total) {
        drop_queued(c);
        return;
    }
    size_t skip = done > 0 ? (size_t)done : 0;
    int first = 0;
    while (skip >= bufs[first].len) /* done < total: some buffer is left unwritten */
        skip -= bufs[first++].len;
    bufs[first].base += skip;
    bufs[first].len -= skip;
    gw_write *w = malloc(sizeof *w);
    if (!w)
        abort();
    w->n = c->outn;
    memcpy(w->bufs, c->outq, (size_t)c->outn * sizeof *w->bufs);
    c->outn = 0;
    if (uv_write(&w->w, (uv_stream_t *)&c->tcp, bufs + first, (unsigned)(w->n - first),
                 on_written) < 0) {
        on_written(&w->w, UV_ECANCELED);
        conn_close(c);
        return;
    }
    if (c->tcp.write_queue_size > c->gw->opt.max_send_queue) {
        tn_log_warn(NULL, "gateway: %s is not reading (%zu bytes queued): disconnected",
                    c->user_id ? c->user_id : "?", c->tcp.write_queue_size);
        conn_close(c);
    }
}

static void on_flush(uv_check_t *check)
{
    tn_gateway *gw = check->data;
    gw_conn *c = gw->dirty;
    gw->dirty = NULL;
    while (c) {
        gw_conn *next = c->dirty_next;
        c->dirty_next = NULL;
        c->dirty = false;
        flush_conn(c);
        c = next;
    }
}

/* Queues a prepared frame (header included); it goes out with the iteration's other frames. */
void gw_write_frame(gw_conn *c, tn_refbuf *frame)
{
    if (uv_is_closing((uv_handle_t *)&c->tcp) || (c->state == GW_CLOSING && c->shut)) {
        tn_refbuf_unref(frame);
        return;
    }
    if (c->outn == GW_OUTQ)
        flush_conn(c);
    if (uv_is_closing((uv_handle_t *)&c->tcp)) {
        tn_refbuf_unref(frame);
        return;
    }
    c->outq[c->outn++] = frame;
    if (!c->dirty) {
        c->dirty = true;
        c->dirty_next = c->gw->dirty;
        c->gw->dirty = c;
    }
}

static tn_refbuf *make_frame(uint8_t opcode, const void *payload, size_t len)
{
    uint8_t head[10];
    size_t h = tn_ws_frame_header(head, opcode, len);
    tn_refbuf *f = tn_refbuf_new(NULL, h + len);
    memcpy(f->data, head, h);
    if (len)
        memcpy(f->data + h, payload, len);
    return f;
}

static void send_raw(gw_conn *c, const char *text, size_t len)
{
    gw_write_frame(c, tn_refbuf_new(text, len));
}

static void send_text(gw_conn *c, const char *text)
{
    gw_write_frame(c, make_frame(TN_WS_OP_TEXT, text, strlen(text)));
}

/* Finished requests kept for reuse; the rest are freed (the pool never holds more than a burst). */
#define SPARE_REQS_MAX 64

/* Buffers a thread encodes frames in, kept from one frame to the next so that a frame costs one
 * allocation (its own); one that a big frame grew past SCRATCH_KEEP is given back. */
#define SCRATCH_KEEP (64 * 1024)
static __thread tn_buf scratch_envelope, scratch_push;

static void scratch_done(tn_buf *b)
{
    if (b->cap > SCRATCH_KEEP)
        tn_buf_free(b);
    b->len = 0;
}

/* Encodes (and gzips when the connection asked) one envelope into a binary frame. */
static tn_refbuf *envelope_frame(tn_ws_codec codec, bool gzip, const tn_ws_response *r)
{
    tn_buf *enc = &scratch_envelope;
    tn_ws_encode_response(codec, r, enc);
    tn_refbuf *f;
    if (gzip) {
        tn_buf z = {0};
        if (!tn_gzip_compress(enc->data, enc->len, &z))
            abort();
        f = make_frame(TN_WS_OP_BINARY, z.data, z.len);
        tn_buf_free(&z);
    } else {
        f = make_frame(TN_WS_OP_BINARY, enc->data, enc->len);
    }
    scratch_done(enc);
    return f;
}

void gw_send_reply(gw_conn *c, const tn_ws_response *r)
{
    if (c->state != GW_OPEN)
        return;
    gw_write_frame(c, envelope_frame(c->codec, c->gzip, r));
}

static void send_close(gw_conn *c, uint16_t code, const char *reason)
{
    uint8_t payload[125];
    size_t rl = reason ? strlen(reason) : 0;
    if (rl > sizeof payload - 2)
        rl = sizeof payload - 2;
    payload[0] = (uint8_t)(code >> 8);
    payload[1] = (uint8_t)code;
    if (rl)
        memcpy(payload + 2, reason, rl);
    gw_write_frame(c, make_frame(TN_WS_OP_CLOSE, payload, rl + 2));
}

/* ---- registry ---- */

static void session_add(gw_conn *c)
{
    tn_gateway *gw = c->gw;
    gw_conn *head = tn_hmap_get(&gw->users, c->key, c->key_len);
    c->user_next = head;
    c->user_prev = NULL;
    if (head)
        head->user_prev = c;
    tn_hmap_put(&gw->users, c->key, c->key_len, c);
    tn_presence_add(gw->svc->presence, c->key, c->user_id, c->platform);
    gw_presence_connected(c);
}

static void session_remove(gw_conn *c)
{
    tn_gateway *gw = c->gw;
    if (c->user_prev)
        c->user_prev->user_next = c->user_next;
    else if (c->user_next)
        tn_hmap_put(&gw->users, c->key, c->key_len, c->user_next);
    else
        tn_hmap_del(&gw->users, c->key, c->key_len);
    if (c->user_next)
        c->user_next->user_prev = c->user_prev;
    c->user_next = c->user_prev = NULL;
    tn_presence_remove(gw->svc->presence, c->key, c->user_id, c->platform);
    gw_presence_disconnected(c);
}

gw_conn *gw_conn_find(tn_gateway *gw, uint64_t id)
{
    return tn_hmap_get(&gw->by_id, &id, sizeof id);
}

/* ---- closing ---- */

static void handshake_free(gw_conn *c)
{
    if (!c->hs)
        return;
    free(c->hs->url);
    free(c->hs->send_id);
    free(c->hs->token);
    free(c->hs->operation_id);
    free(c->hs);
    c->hs = NULL;
}

static void on_closed(uv_handle_t *h)
{
    gw_conn *c = (gw_conn *)h;
    tn_gateway *gw = c->gw;
    if (c->all_prev)
        c->all_prev->all_next = c->all_next;
    else
        gw->all = c->all_next;
    if (c->all_next)
        c->all_next->all_prev = c->all_prev;
    gw->conn_count--;
    handshake_free(c);
    gw_req_free(c->parked); /* its frames were read, its turn never came */
    tn_buf_free(&c->in);
    tn_buf_free(&c->frag);
    free(c->key);
    free(c);
}

static void leave(gw_conn *c)
{
    if (c->state == GW_OPEN)
        session_remove(c);
    tn_hmap_del(&c->gw->by_id, &c->id, sizeof c->id);
    c->state = GW_CLOSING;
}

static void unlink_dirty(gw_conn *c)
{
    for (gw_conn **p = &c->gw->dirty; *p; p = &(*p)->dirty_next)
        if (*p == c) {
            *p = c->dirty_next;
            break;
        }
    c->dirty_next = NULL;
    c->dirty = false;
}

static void conn_close(gw_conn *c)
{
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    if (c->dirty)
        unlink_dirty(c);
    drop_queued(c);
    leave(c);
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    gw_conn *c = req->data;
    free(req);
    conn_close(c);
}

/* Closes after everything queued so far is written (the close frame, a kick, an error). */
static void conn_shutdown(gw_conn *c)
{
    if (c->shut || uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    leave(c);
    flush_conn(c); /* the close frame, kick or error queued just before must go first */
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    c->shut = true;
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_shutdown_t *req = malloc(sizeof *req);
    if (!req)
        abort();
    req->data = c;
    if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
        free(req);
        conn_close(c);
    }
}

static void kick(gw_conn *c)
{
    tn_ws_response r = {.req_identifier = 2002};
    gw_send_reply(c, &r);
    conn_shutdown(c);
}

/* ---- handshake failures ---- */

static void fail_http(gw_conn *c, tn_err code, const char *detail)
{
    json_t *o =
        json_pack("{s:i,s:s,s:s}", "errCode", code, "errMsg", tn_err_name(code), "errDlt", detail);
    char *body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     strlen(body));
    tn_refbuf *f = tn_refbuf_new(NULL, (size_t)n + strlen(body));
    memcpy(f->data, head, (size_t)n);
    memcpy(f->data + n, body, strlen(body));
    free(body);
    gw_write_frame(c, f);
    conn_shutdown(c);
}

static bool send_upgrade(gw_conn *c)
{
    char accept[29];
    tn_ws_accept_key(c->hs->ws_key, strlen(c->hs->ws_key), accept);
    char resp[256];
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    send_raw(c, resp, (size_t)n);
    return true;
}

static void fail_ws(gw_conn *c, tn_err code, const char *detail)
{
    json_t *o =
        json_pack("{s:i,s:s,s:s}", "errCode", code, "errMsg", tn_err_name(code), "errDlt", detail);
    char *body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    send_upgrade(c);
    send_text(c, body);
    free(body);
    conn_shutdown(c);
}

/* ---- connect parameters ---- */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = (char)tolower((unsigned char)ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Go's url.Query decoding: %xx and '+' → space. */
static char *query_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+')
            out[k++] = ' ';
        else if (s[i] == '%' && i + 2 < n + 0 + 1 && i + 2 <= n - 1 + 1 && hexval(s[i + 1]) >= 0 &&
                 i + 2 < n + 1 && hexval(s[i + 2]) >= 0) {
            out[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else
            out[k++] = s[i];
    }
    out[k] = 0;
    return out;
}

/* Go's strconv.ParseBool */
static int parse_bool(const char *v)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (int i = 0; i < 6; i++) {
        if (strcmp(v, yes[i]) == 0)
            return 1;
        if (strcmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

typedef struct params {
    char *send_id, *token, *platform, *operation_id, *is_background, *compression, *sdk_type,
        *is_msg_resp, *v;
} params;

static void params_free(params *p)
{
    free(p->send_id);
    free(p->token);
    free(p->platform);
    free(p->operation_id);
    free(p->is_background);
    free(p->compression);
    free(p->sdk_type);
    free(p->is_msg_resp);
    free(p->v);
}

static void parse_query(const char *url, params *p)
{
    const char *q = strchr(url, '?');
    if (!q)
        return;
    static const struct {
        const char *name;
        size_t offset;
    } names[] = {
        {"sendID", offsetof(params, send_id)},
        {"token", offsetof(params, token)},
        {"platformID", offsetof(params, platform)},
        {"operationID", offsetof(params, operation_id)},
        {"isBackground", offsetof(params, is_background)},
        {"compression", offsetof(params, compression)},
        {"sdkType", offsetof(params, sdk_type)},
        {"isMsgResp", offsetof(params, is_msg_resp)},
        {"v", offsetof(params, v)},
    };
    for (const char *part = q + 1; *part;) {
        const char *end = strchr(part, '&');
        size_t len = end ? (size_t)(end - part) : strlen(part);
        const char *eq = memchr(part, '=', len);
        size_t klen = eq ? (size_t)(eq - part) : len;
        char *key = query_decode(part, klen);
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char **slot = (char **)((char *)p + names[i].offset);
            if (strcmp(key, names[i].name) == 0 && !*slot) /* Go's Get: the first value */
                *slot = eq ? query_decode(eq + 1, len - klen - 1) : strdup("");
        }
        free(key);
        part += len + (end ? 1 : 0);
        if (!end)
            break;
    }
}

/* The `v` parameter: base64url JSON carrying every other parameter under other names. */
static bool parse_v(const char *v, params *p, char *why, size_t whylen)
{
    size_t n = strlen(v);
    unsigned char *raw = malloc(n + 4);
    size_t rlen;
    if (!raw)
        abort();
    if (!tn_b64_decode(v, n, raw, &rlen, true)) {
        free(raw);
        snprintf(why, whylen, "data is not base64");
        return false;
    }
    json_t *j = json_loadb((char *)raw, rlen, 0, NULL);
    free(raw);
    if (!json_is_object(j)) {
        json_decref(j);
        snprintf(why, whylen, "data is not json");
        return false;
    }
    params_free(p);
    memset(p, 0, sizeof *p);
    const char *s;
    char num[32];
    if ((s = json_string_value(json_object_get(j, "token"))))
        p->token = strdup(s);
    if ((s = json_string_value(json_object_get(j, "userID"))))
        p->send_id = strdup(s);
    if ((s = json_string_value(json_object_get(j, "operationID"))))
        p->operation_id = strdup(s);
    if ((s = json_string_value(json_object_get(j, "compression"))))
        p->compression = strdup(s);
    if ((s = json_string_value(json_object_get(j, "sdkType"))))
        p->sdk_type = strdup(s);
    json_t *pid = json_object_get(j, "platformID");
    if (json_is_integer(pid)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(pid));
        p->platform = strdup(num);
    }
    if (json_is_true(json_object_get(j, "sendResponse")))
        p->is_msg_resp = strdup("true");
    if (json_is_true(json_object_get(j, "background")))
        p->is_background = strdup("true");
    json_decref(j);
    return true;
}

/* Validates the parameters in OpenIM's order; fills hs. False with code/why on failure. */
static bool check_params(gw_handshake *hs, params *p, tn_err *code, char *why, size_t whylen)
{
    *code = TN_ECONN_ARGS;
    if (p->v && !parse_v(p->v, p, why, whylen))
        return false;
    char *end = NULL;
    long platform = p->platform ? strtol(p->platform, &end, 10) : 0;
    if (!p->platform || !*p->platform || *end) { /* Go's Atoi("") fails too */
        snprintf(why, whylen, "platformID is not int");
        return false;
    }
    int msg_resp = p->is_msg_resp ? parse_bool(p->is_msg_resp) : 0;
    if (msg_resp < 0) {
        snprintf(why, whylen, "isMsgResp is not bool");
        return false;
    }
    int background = p->is_background ? parse_bool(p->is_background) : 0;
    if (background < 0) {
        *code = TN_ESERVER;
        snprintf(why, whylen, "isBackground is not bool");
        return false;
    }
    if (!p->token || !*p->token) {
        snprintf(why, whylen, "token is empty");
        return false;
    }
    if (!p->send_id || !*p->send_id) {
        snprintf(why, whylen, "sendID is empty");
        return false;
    }
    if (!tn_platform_valid(platform)) {
        snprintf(why, whylen, "platformID is invalid");
        return false;
    }
    const char *sdk = p->sdk_type ? p->sdk_type : "";
    if (*sdk && strcmp(sdk, "go") != 0 && strcmp(sdk, "js") != 0) {
        snprintf(why, whylen, "sdkType is invalid");
        return false;
    }
    hs->platform = (int32_t)platform;
    hs->msg_resp = msg_resp == 1;
    hs->background = background == 1;
    hs->codec = strcmp(sdk, "js") == 0 ? TN_WS_JSON : TN_WS_GOB;
    hs->gzip = hs->compression_header || (p->compression && strcmp(p->compression, "gzip") == 0);
    hs->send_id = p->send_id;
    hs->token = p->token;
    hs->operation_id = p->operation_id ? p->operation_id : strdup("");
    p->send_id = p->token = p->operation_id = NULL;
    return true;
}

/* ---- login ---- */

static void auth_run(uv_work_t *w)
{
    gw_auth_job *job = w->data;
    tn_svc *svc = job->gw->svc;
    tn_arena arena;
    tn_arena_init(&arena);
    tn_ctx ctx;
    tn_ctx_init(&ctx, svc->cfg->app_id, "", &arena);
    tn_jwt_claims claims;
    job->err = tn_auth_parse(svc, &ctx, job->token, &claims);
    if (job->err == TN_OK && strcmp(claims.user_id, job->send_id) != 0) {
        job->err = TN_ETOKEN_INVALID;
        snprintf(ctx.detail, sizeof ctx.detail, "token uid %s != userID %s", claims.user_id,
                 job->send_id);
    } else if (job->err == TN_OK && claims.platform_id != job->platform) {
        job->err = TN_ETOKEN_INVALID;
        snprintf(ctx.detail, sizeof ctx.detail, "token platform %d != platformID %d",
                 claims.platform_id, job->platform);
    }
    snprintf(job->detail, sizeof job->detail, "%s", ctx.detail);
    tn_arena_free_all(&arena);
}

static void kick_tokens_run(uv_work_t *w)
{
    gw_kick_job *job = w->data;
    tn_arena arena;
    tn_arena_init(&arena);
    tn_ctx ctx;
    tn_ctx_init(&ctx, job->svc->cfg->app_id, "", &arena);
    tn_auth_connect_kick(job->svc, &ctx, job->user_id, job->platform, job->token);
    tn_arena_free_all(&arena);
}

static void kick_tokens_done(uv_work_t *w, int status)
{
    (void)status;
    gw_kick_job *job = w->data;
    free(job->user_id);
    free(job->token);
    free(job);
}

/* Multi-login at connect (protocol §3.7 B): kick the user's other sessions the policy rules
 * out, never one that presents the same token, and mark their tokens kicked. */
static void apply_login_policy(gw_conn *c, const char *token)
{
    tn_gateway *gw = c->gw;
    int policy = gw->svc->cfg->multi_login_policy;
    if (policy == 0)
        return;
    tn_platform_class cls = tn_platform_class_of(c->platform);
    if (policy == 5 && cls == TN_CLASS_PC)
        return;
    for (gw_conn *o = tn_hmap_get(&gw->users, c->key, c->key_len), *next; o; o = next) {
        next = o->user_next;
        if (o == c || o->token_hash == c->token_hash)
            continue;
        tn_platform_class ocls = tn_platform_class_of(o->platform);
        bool out = policy == 1   ? o->platform == c->platform
                   : policy == 4 ? ocls == cls
                                 : ocls != TN_CLASS_PC;
        if (out)
            kick(o);
    }
    gw_kick_job *job = calloc(1, sizeof *job);
    if (!job)
        abort();
    job->svc = gw->svc;
    job->user_id = strdup(c->user_id);
    job->token = strdup(token);
    job->platform = c->platform;
    job->work.data = job;
    if (uv_queue_work(gw->loop, &job->work, kick_tokens_run, kick_tokens_done) < 0)
        kick_tokens_done(&job->work, 0);
}

static int user_conn_count(tn_gateway *gw, gw_conn *c)
{
    int n = 0;
    for (gw_conn *o = tn_hmap_get(&gw->users, c->key, c->key_len); o; o = o->user_next)
        n++;
    return n;
}

static void open_session(gw_conn *c)
{
    tn_gateway *gw = c->gw;
    gw_handshake *hs = c->hs;
    const char *app = gw->svc->cfg->app_id;
    size_t alen = strlen(app), ulen = strlen(hs->send_id);
    c->key_len = alen + 1 + ulen;
    c->key = malloc(c->key_len + 1);
    if (!c->key)
        abort();
    memcpy(c->key, app, alen + 1);
    memcpy(c->key + alen + 1, hs->send_id, ulen + 1);
    c->user_id = c->key + alen + 1;
    c->platform = hs->platform;
    c->token_hash = hash_token(hs->token);
    c->codec = hs->codec;
    c->gzip = hs->gzip;
    c->background = hs->background;
    if (user_conn_count(gw, c) >= gw->opt.max_conns_per_user) {
        char why[96];
        snprintf(why, sizeof why, "user has %d connections (max_conns_per_user)",
                 gw->opt.max_conns_per_user);
        if (hs->msg_resp)
            fail_ws(c, TN_ECONN_LIMIT, why);
        else
            fail_http(c, TN_ECONN_LIMIT, why);
        return;
    }
    send_upgrade(c);
    if (hs->msg_resp)
        send_text(c, "{\"errCode\":0,\"errMsg\":\"\",\"errDlt\":\"\"}");
    c->state = GW_OPEN;
    c->last_read_ms = c->last_ping_ms = now_ms(gw);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    session_add(c);
    tn_log_info(hs->operation_id, "gateway: %s connected on platform %d (%s%s)", c->user_id,
                c->platform, c->codec == TN_WS_JSON ? "json" : "gob", c->gzip ? ", gzip" : "");
    apply_login_policy(c, hs->token);
    handshake_free(c);
    /* frames that arrived behind the upgrade request */
    if (c->in.len)
        in_pump(c);
}

static void auth_done(uv_work_t *w, int status)
{
    gw_auth_job *job = w->data;
    gw_conn *c = gw_conn_find(job->gw, job->conn_id);
    if (c && c->state == GW_AUTH) {
        if (status < 0) {
            fail_http(c, TN_ESERVER, "login cancelled");
        } else if (job->err) {
            tn_log_info(c->hs->operation_id, "gateway: login of %s refused: %d %s", c->hs->send_id,
                        job->err, job->detail);
            if (c->hs->msg_resp)
                fail_ws(c, job->err, job->detail);
            else
                fail_http(c, job->err, job->detail);
        } else if (!c->hs->upgrade_ws || !c->hs->conn_upgrade || !c->hs->ws_key[0] ||
                   !c->hs->version13) {
            static const char bad[] =
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Connection: close\r\nContent-Length: 12\r\n\r\nBad Request\n";
            send_raw(c, bad, sizeof bad - 1);
            conn_shutdown(c);
        } else {
            open_session(c);
        }
    }
    free(job->token);
    free(job->send_id);
    free(job);
}

static void start_login(gw_conn *c)
{
    gw_handshake *hs = c->hs;
    tn_gateway *gw = c->gw;
    if (gw->conn_count > gw->opt.max_conns) {
        fail_http(c, TN_ECONN_LIMIT, "too many connections (max_conns)");
        return;
    }
    params p = {0};
    parse_query(hs->url ? hs->url : "/", &p);
    tn_err code;
    char why[128];
    bool ok = check_params(hs, &p, &code, why, sizeof why);
    params_free(&p);
    if (!ok) {
        fail_http(c, code, why);
        return;
    }
    gw_auth_job *job = calloc(1, sizeof *job);
    if (!job)
        abort();
    job->gw = gw;
    job->conn_id = c->id;
    job->token = strdup(hs->token);
    job->send_id = strdup(hs->send_id);
    job->platform = hs->platform;
    job->work.data = job;
    c->state = GW_AUTH;
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (uv_queue_work(gw->loop, &job->work, auth_run, auth_done) < 0) {
        free(job->token);
        free(job->send_id);
        free(job);
        fail_http(c, TN_ESERVER, "cannot schedule login");
    }
}

/* ---- handshake parsing ---- */

static int hs_on_url(http_parser *p, const char *at, size_t n)
{
    gw_conn *c = p->data;
    gw_handshake *hs = c->hs;
    if (hs->url_len + n > MAX_URL)
        return -1;
    char *grown = realloc(hs->url, hs->url_len + n + 1);
    if (!grown)
        abort();
    memcpy(grown + hs->url_len, at, n);
    hs->url_len += n;
    grown[hs->url_len] = 0;
    hs->url = grown;
    return 0;
}

static void hs_finish_header(gw_handshake *hs)
{
    hs->value[hs->value_len] = 0;
    switch (hs->header) {
    case 1:
        if (hs->value_len < sizeof hs->ws_key) /* a longer key is invalid anyway */
            memcpy(hs->ws_key, hs->value, hs->value_len + 1);
        break;
    case 2:
        hs->upgrade_ws = strcasecmp(hs->value, "websocket") == 0;
        break;
    case 3:
        hs->conn_upgrade = strcasestr(hs->value, "upgrade") != NULL;
        break;
    case 4:
        hs->compression_header = strcmp(hs->value, "gzip") == 0;
        break;
    case 5:
        hs->version13 = strcmp(hs->value, "13") == 0;
        break;
    }
    hs->name_len = 0;
    hs->name_done = false;
    hs->header = 0;
}

static int hs_on_header_field(http_parser *p, const char *at, size_t n)
{
    gw_conn *c = p->data;
    gw_handshake *hs = c->hs;
    if (hs->name_done)
        hs_finish_header(hs);
    size_t take = n < sizeof hs->name - 1 - hs->name_len ? n : sizeof hs->name - 1 - hs->name_len;
    memcpy(hs->name + hs->name_len, at, take);
    hs->name_len += take;
    return 0;
}

static int hs_on_header_value(http_parser *p, const char *at, size_t n)
{
    gw_conn *c = p->data;
    gw_handshake *hs = c->hs;
    if (!hs->name_done) {
        hs->name[hs->name_len] = 0;
        hs->name_done = true;
        hs->value_len = 0;
        static const char *const names[] = {
            "",           "Sec-WebSocket-Key", "Upgrade",
            "Connection", "compression",       "Sec-WebSocket-Version"};
        hs->header = 0;
        for (int i = 1; i < 6; i++)
            if (strcasecmp(hs->name, names[i]) == 0)
                hs->header = i;
    }
    size_t take =
        n < sizeof hs->value - 1 - hs->value_len ? n : sizeof hs->value - 1 - hs->value_len;
    memcpy(hs->value + hs->value_len, at, take);
    hs->value_len += take;
    return 0;
}

static int hs_on_headers_complete(http_parser *p)
{
    gw_conn *c = p->data;
    if (c->hs->name_done)
        hs_finish_header(c->hs);
    return 0;
}

static int hs_on_message_complete(http_parser *p)
{
    gw_conn *c = p->data;
    c->hs->complete = true;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings hs_settings = {
    .on_url = hs_on_url,
    .on_header_field = hs_on_header_field,
    .on_header_value = hs_on_header_value,
    .on_headers_complete = hs_on_headers_complete,
    .on_message_complete = hs_on_message_complete,
};

static void handshake_feed(gw_conn *c, const char *data, size_t len)
{
    gw_handshake *hs = c->hs;
    size_t used = http_parser_execute(&hs->parser, &hs_settings, data, len);
    enum http_errno err = HTTP_PARSER_ERRNO(&hs->parser);
    if (err == HPE_PAUSED && hs->complete) {
        if (used < len)
            tn_buf_append(&c->in, data + used, len - used); /* early frames: after login */
        start_login(c);
        return;
    }
    if (err != HPE_OK || hs->parser.upgrade == 0 ? err != HPE_OK : false) {
        static const char bad[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
                                  "Content-Length: 0\r\n\r\n";
        send_raw(c, bad, sizeof bad - 1);
        conn_shutdown(c);
    }
}

/* ---- frames ---- */

static void handle_text(gw_conn *c, const uint8_t *data, size_t len)
{
    json_t *j = json_loadb((const char *)data, len, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "type"));
    if (type && strcmp(type, "ping") == 0) {
        json_t *reply =
            json_pack("{s:s,s:O}", "type", "pong", "body",
                      json_object_get(j, "body") ? json_object_get(j, "body") : json_null());
        char *text = json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        send_text(c, text);
        free(text);
        json_decref(reply);
    } else if (!type || strcmp(type, "pong") != 0) {
        send_close(c, CLOSE_PROTOCOL, "unexpected text frame");
        conn_shutdown(c);
    }
    json_decref(j);
}

/* A cleared request, a spare one when the gateway kept one (gw_req_free returns them). */
static gw_req *req_new(tn_gateway *gw)
{
    gw_req *r = gw->spare_reqs;
    if (r) {
        gw->spare_reqs = r->next_spare;
        gw->nspare_reqs--;
    } else if (!(r = malloc(sizeof *r))) {
        abort();
    }
    memset(r, 0, offsetof(gw_req, arena_mem));
    tn_arena_init_in(&r->arena, r->arena_mem, sizeof r->arena_mem);
    return r;
}

/* A send may join the sends in flight (the writer takes them in read order and answers them in
 * that order); anything else starts only when nothing is in flight and holds back what follows,
 * so a pull after a send sees it. */
static bool request_ready(const gw_conn *c, const gw_req *r)
{
    if (gw_pipelined(r))
        return !c->barrier && c->inflight < GW_PIPELINE_MAX;
    return c->inflight == 0;
}

static void request_start(gw_conn *c, gw_req *r)
{
    bool logout = r->req.req_identifier == 2003;
    c->inflight++;
    c->barrier = !gw_pipelined(r);
    if (!gw_dispatch(c, r)) {
        send_close(c, logout ? CLOSE_NORMAL : CLOSE_PROTOCOL,
                   logout ? "logout" : "unknown reqIdentifier");
        conn_shutdown(c);
    }
}

static void handle_binary(gw_conn *c, const uint8_t *data, size_t len)
{
    tn_buf plain = {0};
    if (c->gzip) {
        if (!tn_gzip_decompress(data, len, c->gw->opt.max_frame * 8, &plain)) {
            tn_buf_free(&plain);
            tn_log_info(NULL, "gateway: %s sent a frame that is not gzip", c->user_id);
            send_close(c, CLOSE_PROTOCOL, "frame is not gzip");
            conn_shutdown(c);
            return;
        }
        data = plain.data;
        len = plain.len;
    }
    gw_req *r = req_new(c->gw);
    char why[128];
    bool ok = tn_ws_decode_request(c->codec, data, len, &r->arena, &r->req, why, sizeof why);
    tn_buf_free(&plain);
    if (!ok || strcmp(r->req.send_id, c->user_id) != 0) {
        tn_log_info(NULL, "gateway: closing %s: %s", c->user_id,
                    ok ? "envelope sendID is not the connection's user" : why);
        gw_req_free(r);
        send_close(c, CLOSE_PROTOCOL, ok ? "sendID mismatch" : "malformed envelope");
        conn_shutdown(c);
        return;
    }
    r->gw = c->gw;
    r->conn_id = c->id;
    r->codec = c->codec;
    r->gzip = c->gzip;
    r->platform = c->platform;
    r->key = memcpy(tn_arena_alloc(&r->arena, c->key_len + 1), c->key, c->key_len + 1);
    r->key_len = c->key_len;
    if (request_ready(c, r))
        request_start(c, r);
    else
        c->parked = r; /* frames_feed goes no further until it has started */
}

/* One complete frame; returns false when the connection is finished. */
static bool handle_frame(gw_conn *c, tn_ws_frame *f)
{
    switch (f->opcode) {
    case TN_WS_OP_PING:
        gw_write_frame(c, make_frame(TN_WS_OP_PONG, f->payload, f->len));
        return true;
    case TN_WS_OP_PONG:
        return true;
    case TN_WS_OP_CLOSE: {
        uint16_t code = f->len >= 2 ? (uint16_t)(f->payload[0] << 8 | f->payload[1]) : CLOSE_NORMAL;
        send_close(c, code, NULL);
        conn_shutdown(c);
        return false;
    }
    case TN_WS_OP_TEXT:
    case TN_WS_OP_BINARY:
        if (c->frag_op) {
            send_close(c, CLOSE_PROTOCOL, "new message inside a fragmented one");
            conn_shutdown(c);
            return false;
        }
        if (!f->fin) {
            c->frag_op = f->opcode;
            tn_buf_append(&c->frag, f->payload, f->len);
            return true;
        }
        break;
    case TN_WS_OP_CONT:
        if (!c->frag_op || c->frag.len + f->len > c->gw->opt.max_frame) {
            send_close(c, c->frag_op ? CLOSE_TOO_BIG : CLOSE_PROTOCOL, "bad continuation");
            conn_shutdown(c);
            return false;
        }
        tn_buf_append(&c->frag, f->payload, f->len);
        if (!f->fin)
            return true;
        f->opcode = c->frag_op;
        f->payload = c->frag.data;
        f->len = c->frag.len;
        c->frag_op = 0;
        break;
    }
    if (f->opcode == TN_WS_OP_TEXT)
        handle_text(c, f->payload, f->len);
    else
        handle_binary(c, f->payload, f->len);
    if (f->payload == c->frag.data)
        tn_buf_free(&c->frag);
    return c->state == GW_OPEN;
}

/* Handles the frames in data[0, len) in order; returns how many bytes it used. Stops at an
 * incomplete frame, when the connection ends, or (c->stalled) when what comes next must wait
 * for replies in flight. */
static size_t frames_feed(gw_conn *c, uint8_t *data, size_t len)
{
    size_t pos = 0;
    while (c->state == GW_OPEN && !c->shut) {
        if (c->parked) {
            if (!request_ready(c, c->parked)) {
                c->stalled = true;
                break;
            }
            gw_req *r = c->parked;
            c->parked = NULL;
            request_start(c, r);
            continue;
        }
        if (pos == len)
            break;
        /* Only a request's frames pass requests in flight: a ping, text or close frame is
         * answered after them, as when requests went one at a time. Decided on the first byte,
         * as parsing unmasks in place and could not be done twice. */
        uint8_t op = data[pos] & 0x0f;
        if (c->inflight && op != TN_WS_OP_BINARY &&
            !(op == TN_WS_OP_CONT && c->frag_op == TN_WS_OP_BINARY)) {
            c->stalled = true;
            break;
        }
        tn_ws_frame f;
        size_t used = 0;
        tn_ws_parse r =
            tn_ws_frame_parse(data + pos, len - pos, c->gw->opt.max_frame, true, &f, &used);
        if (r == TN_WS_PARSE_MORE)
            break;
        if (r != TN_WS_PARSE_FRAME) {
            tn_log_info(NULL, "gateway: closing %s: %s", c->user_id,
                        r == TN_WS_PARSE_TOO_BIG ? "frame over max_frame_bytes"
                                                 : "WebSocket protocol error");
            send_close(c, r == TN_WS_PARSE_TOO_BIG ? CLOSE_TOO_BIG : CLOSE_PROTOCOL,
                       r == TN_WS_PARSE_TOO_BIG ? "frame too large" : "protocol error");
            conn_shutdown(c);
            break;
        }
        pos += used;
        if (!handle_frame(c, &f))
            break;
    }
    return pos;
}

/* Reading stops only while the connection is stalled (a reply always comes to end that) with
 * GW_IN_MAX unhandled, and starts again at half of it: otherwise a partial frame could need
 * more bytes than the bound to complete. */
static void reading_update(gw_conn *c)
{
    if (c->state != GW_OPEN || c->shut)
        return;
    size_t pending = c->in.len - c->in_pos;
    if (!c->read_paused && c->stalled && pending >= GW_IN_MAX) {
        c->read_paused = true;
        uv_read_stop((uv_stream_t *)&c->tcp);
    } else if (c->read_paused && (!c->stalled || pending < GW_IN_MAX / 2)) {
        c->read_paused = false;
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    }
}

/* Handles what waits in c->in (frames are parsed and unmasked in place there). */
static void in_pump(gw_conn *c)
{
    uint8_t *data = c->in.data ? c->in.data + c->in_pos : NULL;
    c->in_pos += frames_feed(c, data, c->in.len - c->in_pos);
    if (c->in_pos == c->in.len) {
        tn_buf_free(&c->in);
        c->in_pos = 0;
    }
    reading_update(c);
}

static void in_append(gw_conn *c, const void *data, size_t len)
{
    if (c->in_pos) {
        memmove(c->in.data, c->in.data + c->in_pos, c->in.len - c->in_pos);
        c->in.len -= c->in_pos;
        c->in_pos = 0;
    }
    tn_buf_append(&c->in, data, len);
}

void gw_resume(gw_conn *c)
{
    if (c->state != GW_OPEN || c->shut)
        return;
    if (c->inflight && !--c->inflight)
        c->barrier = false;
    /* a reply while frames_feed runs (one answered at once) cannot find it stalled */
    if (!c->stalled)
        return;
    c->stalled = false;
    in_pump(c);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    gw_conn *c = (gw_conn *)h;
    buf->base = (char *)c->gw->read_buf;
    buf->len = sizeof c->gw->read_buf;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    gw_conn *c = (gw_conn *)s;
    if (nread < 0) {
        conn_close(c);
        return;
    }
    if (nread == 0)
        return;
    c->last_read_ms = now_ms(c->gw);
    if (c->state == GW_HANDSHAKE) {
        handshake_feed(c, buf->base, (size_t)nread);
        return;
    }
    if (c->state != GW_OPEN || c->shut)
        return;
    if (c->in.len == c->in_pos && !c->stalled) {
        /* nothing kept from before: parse straight out of the read buffer, keep the rest */
        size_t used = frames_feed(c, (uint8_t *)buf->base, (size_t)nread);
        if (used < (size_t)nread && c->state == GW_OPEN && !c->shut)
            in_append(c, buf->base + used, (size_t)nread - used);
        reading_update(c);
        return;
    }
    in_append(c, buf->base, (size_t)nread);
    if (c->stalled)
        reading_update(c); /* the frames wait for replies in flight */
    else
        in_pump(c);
}

static void on_connection(uv_stream_t *listener, int status)
{
    tn_gateway *gw = listener->data;
    if (status < 0)
        return;
    gw_conn *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->gw = gw;
    c->id = ++gw->next_id;
    uv_tcp_init(gw->loop, &c->tcp);
    c->all_next = gw->all;
    if (gw->all)
        gw->all->all_prev = c;
    gw->all = c;
    gw->conn_count++;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0) {
        uv_close((uv_handle_t *)&c->tcp, on_closed);
        return;
    }
    tn_hmap_put(&gw->by_id, &c->id, sizeof c->id, c);
    c->hs = calloc(1, sizeof *c->hs);
    if (!c->hs)
        abort();
    http_parser_init(&c->hs->parser, HTTP_REQUEST);
    c->hs->parser.data = c;
    c->hs->started_ms = now_ms(gw);
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* ---- heartbeats and timeouts ---- */

static void on_sweep(uv_timer_t *t)
{
    tn_gateway *gw = t->data;
    uint64_t now = now_ms(gw);
    for (gw_conn *c = gw->all, *next; c; c = next) {
        next = c->all_next;
        if (c->state == GW_HANDSHAKE && now - c->hs->started_ms > HANDSHAKE_MS) {
            conn_close(c);
        } else if (c->state == GW_OPEN && !c->inflight && now - c->last_read_ms > READ_TIMEOUT_MS) {
            tn_log_info(NULL, "gateway: %s idle for 30 s: closed", c->user_id);
            send_close(c, CLOSE_NORMAL, "read timeout");
            conn_shutdown(c);
        } else if (c->state == GW_OPEN && c->platform == PLATFORM_WEB &&
                   now - c->last_ping_ms >= PING_PERIOD_MS) {
            c->last_ping_ms = now;
            gw_write_frame(c, make_frame(TN_WS_OP_PING, NULL, 0));
        }
    }
}

/* ---- events from other threads ---- */

/* A thread between sink_hold and sink_release gathers its events here and hands them over
 * together: one lock and one loop wake-up for a whole commit of the message writer, where each
 * wake-up costs an eventfd write on this thread and an epoll return on the loop's. */
static __thread struct {
    tn_gateway *gw;
    gw_event *head, *tail;
    int depth;
} held;

static void hand_over(tn_gateway *gw, gw_event *first, gw_event *last)
{
    pthread_mutex_lock(&gw->mu);
    if (gw->ev_tail)
        gw->ev_tail->next = first;
    else
        gw->ev_head = first;
    gw->ev_tail = last;
    pthread_mutex_unlock(&gw->mu);
    uv_async_send(&gw->async);
}

void gw_post(tn_gateway *gw, gw_event *ev)
{
    ev->next = NULL;
    if (held.depth && held.gw == gw) {
        if (held.tail)
            held.tail->next = ev;
        else
            held.head = ev;
        held.tail = ev;
        return;
    }
    hand_over(gw, ev, ev);
}

/* The PushMessages frame for one (codec, gzip) variant, built on first use. */
tn_refbuf *gw_push_frame(tn_push *p, tn_refbuf **cache, tn_ws_codec codec, bool gzip)
{
    tn_refbuf **slot = &cache[(codec == TN_WS_JSON ? 2 : 0) + (gzip ? 1 : 0)];
    if (!*slot) {
        tn_buf *pb = &scratch_push;
        /* PushMessages{msgs|notificationMsgs: {conversationID: PullMsgs{Msgs: [msg]}}} */
        size_t entry = tn_pbw_open(pb, p->notification ? 2 : 1);
        tn_pbw_string(pb, 1, p->conversation_id);
        size_t value = tn_pbw_open(pb, 2);
        tn_pbw_bytes_always(pb, 1, p->msg->data, p->msg->len);
        tn_pbw_close(pb, value);
        tn_pbw_close(pb, entry);
        tn_ws_response r = {.req_identifier = 2001,
                            .operation_id = p->operation_id,
                            .data = pb->data,
                            .data_len = pb->len};
        *slot = envelope_frame(codec, gzip, &r);
        scratch_done(pb);
    }
    return tn_refbuf_ref(*slot);
}

static void on_delay(uv_timer_t *t)
{
    tn_gateway *gw = t->data;
    uint64_t now = now_ms(gw);
    while (gw->delayed_head && gw->delayed_head->due_ms <= now) {
        gw_delayed *d = gw->delayed_head;
        gw->delayed_head = d->next;
        if (!gw->delayed_head)
            gw->delayed_tail = NULL;
        gw_conn *c = gw_conn_find(gw, d->conn_id);
        if (c)
            c->delayed--;
        if (c && c->state == GW_OPEN)
            gw_write_frame(c, d->frame);
        else
            tn_refbuf_unref(d->frame);
        free(d);
    }
    if (gw->delayed_head)
        uv_timer_start(&gw->delay_timer, on_delay, gw->delayed_head->due_ms - now, 0);
}

/* Queues frame for c after SELF_PUSH_DELAY_MS; the queue is in due order (one fixed delay). */
void gw_delay_frame(tn_gateway *gw, gw_conn *c, tn_refbuf *frame)
{
    gw_delayed *d = malloc(sizeof *d);
    if (!d)
        abort();
    d->next = NULL;
    d->conn_id = c->id;
    d->frame = frame;
    d->due_ms = now_ms(gw) + SELF_PUSH_DELAY_MS;
    c->delayed++;
    if (gw->delayed_tail)
        gw->delayed_tail->next = d;
    else
        gw->delayed_head = d;
    gw->delayed_tail = d;
    if (!uv_is_active((uv_handle_t *)&gw->delay_timer))
        uv_timer_start(&gw->delay_timer, on_delay, SELF_PUSH_DELAY_MS, 0);
}

static void on_async(uv_async_t *a)
{
    tn_gateway *gw = a->data;
    pthread_mutex_lock(&gw->mu);
    gw_event *ev = gw->ev_head;
    gw->ev_head = gw->ev_tail = NULL;
    pthread_mutex_unlock(&gw->mu);
    while (ev) {
        gw_event *next = ev->next;
        switch (ev->kind) {
        case GW_EV_PUSH:
            if (!gw->stopping)
                gw_fanout_add(gw, ev->push); /* takes the push */
            else
                tn_push_free(ev->push);
            free(ev);
            break;
        case GW_EV_REPLY: {
            gw_req *r = ev->req; /* the event lives inside the request */
            gw_conn *c = gw_conn_find(gw, r->conn_id);
            if (c && c->state == GW_OPEN) {
                tn_ws_response resp = {.req_identifier = r->req.req_identifier,
                                       .msg_incr = r->req.msg_incr,
                                       .operation_id = r->req.operation_id,
                                       .err_code = r->err,
                                       .err_msg = r->err ? tn_err_name(r->err) : "",
                                       .data = r->has_data ? r->data.data : NULL,
                                       .data_len = r->data.len};
                gw_send_reply(c, &resp);
                gw_resume(c);
            }
            gw_req_free(r);
            break;
        }
        case GW_EV_KICK:
            for (gw_conn *c = tn_hmap_get(&gw->users, ev->key, ev->key_len), *nc; c; c = nc) {
                nc = c->user_next;
                if (!ev->platform || c->platform == ev->platform)
                    kick(c);
            }
            free(ev->key);
            free(ev);
            break;
        }
        ev = next;
    }
}

static void sink_push(void *impl, const char *app, tn_push *p)
{
    (void)app;
    gw_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        abort();
    ev->kind = GW_EV_PUSH;
    ev->push = p;
    gw_post(impl, ev);
}

static void sink_hold(void *impl)
{
    if (held.depth++ == 0)
        held.gw = impl;
}

static void sink_release(void *impl)
{
    (void)impl;
    if (--held.depth > 0 || !held.head)
        return;
    hand_over(held.gw, held.head, held.tail);
    held.head = held.tail = NULL;
}

static void sink_kick(void *impl, const char *app, const char *user_id, int32_t platform_id)
{
    gw_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        abort();
    size_t alen = strlen(app), ulen = strlen(user_id);
    ev->kind = GW_EV_KICK;
    ev->key_len = alen + 1 + ulen;
    ev->key = malloc(ev->key_len + 1);
    if (!ev->key)
        abort();
    memcpy(ev->key, app, alen + 1);
    memcpy(ev->key + alen + 1, user_id, ulen + 1);
    ev->platform = platform_id;
    gw_post(impl, ev);
}

void gw_req_free(gw_req *r)
{
    if (!r)
        return;
    tn_arena_free_all(&r->arena);
    tn_buf_free(&r->data);
    /* kept for the next request: a request is the loop's most frequent allocation */
    tn_gateway *gw = r->gw;
    if (gw && gw->nspare_reqs < SPARE_REQS_MAX) {
        r->next_spare = gw->spare_reqs;
        gw->spare_reqs = r;
        gw->nspare_reqs++;
        return;
    }
    free(r);
}

/* ---- lifecycle ---- */

static void on_handle_closed(uv_handle_t *h)
{
    tn_gateway *gw = h->data;
    gw->open_handles--;
}

int tn_gateway_start(uv_loop_t *loop, tn_svc *svc, const tn_gateway_options *opt, tn_gateway **out)
{
    tn_gateway *gw = calloc(1, sizeof *gw);
    if (!gw)
        abort();
    gw->loop = loop;
    gw->svc = svc;
    gw->opt = *opt;
    gw->sink = (tn_push_sink){.push = sink_push,
                              .kick = sink_kick,
                              .hold = sink_hold,
                              .release = sink_release,
                              .impl = gw};
    pthread_mutex_init(&gw->mu, NULL);
    struct sockaddr_storage addr;
    int rc = uv_ip4_addr(opt->ip, opt->port, (struct sockaddr_in *)&addr);
    if (rc < 0)
        rc = uv_ip6_addr(opt->ip, opt->port, (struct sockaddr_in6 *)&addr);
    uv_tcp_init(loop, &gw->listener);
    gw->listener.data = gw;
    gw->open_handles = 1;
    if (rc == 0)
        rc = uv_tcp_bind(&gw->listener, (struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&gw->listener, 4096, on_connection);
    uv_async_init(loop, &gw->async, on_async);
    gw->async.data = gw;
    uv_unref((uv_handle_t *)&gw->async); /* wakes the loop, never keeps it alive */
    uv_timer_init(loop, &gw->sweep);
    gw->sweep.data = gw;
    gw->open_handles++;
    uv_timer_init(loop, &gw->delay_timer);
    gw->delay_timer.data = gw;
    gw->open_handles++;
    uv_idle_init(loop, &gw->fanout_idle);
    gw->fanout_idle.data = gw;
    gw->open_handles++;
    uv_check_init(loop, &gw->flush);
    gw->flush.data = gw;
    uv_check_start(&gw->flush, on_flush);
    uv_unref((uv_handle_t *)&gw->flush);
    *out = gw;
    if (rc < 0) {
        tn_gateway_stop(gw);
        return rc;
    }
    uv_timer_start(&gw->sweep, on_sweep, 1000, 1000);
    return 0;
}

int tn_gateway_port(const tn_gateway *gw)
{
    struct sockaddr_storage addr;
    int len = sizeof addr;
    if (uv_tcp_getsockname(&gw->listener, (struct sockaddr *)&addr, &len) < 0)
        return -1;
    if (addr.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    return ntohs(((struct sockaddr_in *)&addr)->sin_port);
}

const tn_push_sink *tn_gateway_sink(tn_gateway *gw)
{
    return &gw->sink;
}

void tn_gateway_stop(tn_gateway *gw)
{
    if (gw->stopping)
        return;
    gw->stopping = true;
    uv_close((uv_handle_t *)&gw->listener, on_handle_closed);
    uv_close((uv_handle_t *)&gw->sweep, on_handle_closed);
    uv_close((uv_handle_t *)&gw->delay_timer, on_handle_closed);
    uv_close((uv_handle_t *)&gw->fanout_idle, on_handle_closed);
    gw_fanout_stop(gw);
    for (gw_delayed *d = gw->delayed_head, *next; d; d = next) {
        next = d->next;
        tn_refbuf_unref(d->frame);
        free(d);
    }
    gw->delayed_head = gw->delayed_tail = NULL;
    for (gw_conn *c = gw->all, *next; c; c = next) {
        next = c->all_next;
        if (c->state == GW_OPEN)
            send_close(c, 1001, "server stopping");
        conn_shutdown(c);
    }
}

void tn_gateway_free(tn_gateway *gw)
{
    if (!gw)
        return;
    /* Events posted while the loop drained are handled (to closed connections: dropped), then
     * the wake-up handle closes; anything posted later is freed below. */
    on_async(&gw->async);
    uv_close((uv_handle_t *)&gw->async, NULL);
    uv_close((uv_handle_t *)&gw->flush, NULL);
    uv_run(gw->loop, UV_RUN_DEFAULT);
    for (gw_event *ev = gw->ev_head, *next; ev; ev = next) {
        next = ev->next;
        if (ev->kind == GW_EV_PUSH) {
            tn_push_free(ev->push);
            free(ev);
        } else if (ev->kind == GW_EV_REPLY) {
            gw_req_free(ev->req);
        } else {
            free(ev->key);
            free(ev);
        }
    }
    /* last: the replies handled above returned their requests and grew the scratch buffers */
    while (gw->spare_reqs) {
        gw_req *next = gw->spare_reqs->next_spare;
        free(gw->spare_reqs);
        gw->spare_reqs = next;
    }
    tn_buf_free(&scratch_envelope);
    tn_buf_free(&scratch_push);
    tn_hmap_free(&gw->users);
    tn_hmap_free(&gw->by_id);
    tn_hmap_free(&gw->watchers);
    pthread_mutex_destroy(&gw->mu);
    free(gw);
}
