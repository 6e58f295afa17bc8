/* HTTP/1.1 connections: http-parser over libuv reads, one request dispatched at a time (the parser
 * is paused until its answer is written), responses written with uv_write. No routing here. */
#include "http_server.h"

#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

#define READ_BUF_SIZE   65536
#define MAX_URL         8192
#define MAX_HEADER_NAME 64
#define MAX_HEADER_VAL  8192

typedef enum conn_header {
    HDR_OTHER,
    HDR_OPERATION_ID,
    HDR_TOKEN,
    HDR_ACCEPT_ENCODING,
    HDR_CONTENT_TYPE,
} conn_header;

struct tn_http_conn {
    uv_tcp_t tcp; /* first: the handle's address is the conn's */
    http_parser parser;
    tn_http_server *srv;
    tn_http_conn *prev, *next;
    tn_http_req *req; /* being parsed, or in flight when busy */
    char *pending;    /* bytes received behind the request in flight */
    size_t pending_len;
    char header_name[MAX_HEADER_NAME + 1];
    size_t header_name_len;
    bool header_name_done; /* a value has started since the name */
    conn_header header;
    char *header_val; /* into req, for the header being read */
    size_t header_val_len;
    bool busy; /* a request is dispatched and not yet answered */
    bool closing;
    bool peer_gone; /* close wanted while busy: done once the answer is written */
    bool too_large;
    bool keep_alive;
    uint64_t last_active_ms;
};

struct tn_http_server {
    uv_tcp_t listener;
    uv_timer_t sweep;
    uv_loop_t *loop;
    tn_http_options opt;
    http_parser_settings settings;
    tn_http_conn *conns;
    int conn_count;
    int open_handles; /* listener + timer while running */
    bool stopping;
    char read_buf[READ_BUF_SIZE];
    bool read_buf_used;
};

typedef struct write_req {
    uv_write_t w;
    tn_http_conn *conn;
    char *data;
} write_req;

static void conn_close(tn_http_conn *c);
static void conn_feed(tn_http_conn *c, const char *data, size_t len);

static void req_free(tn_http_req *r)
{
    if (!r)
        return;
    free(r->path);
    free(r->operation_id);
    free(r->token);
    free(r->content_type);
    free(r->body);
    free(r);
}

static void maybe_free_server(tn_http_server *srv)
{
    if (srv->stopping && srv->open_handles == 0 && srv->conn_count == 0)
        free(srv);
}

/* ---- parser callbacks ---- */

static bool append(char **buf, size_t *len, const char *at, size_t n, size_t max)
{
    if (*len + n > max)
        return false;
    char *grown = realloc(*buf, *len + n + 1);
    if (!grown)
        return false;
    memcpy(grown + *len, at, n);
    *len += n;
    grown[*len] = 0;
    *buf = grown;
    return true;
}

static int on_message_begin(http_parser *p)
{
    tn_http_conn *c = p->data;
    req_free(c->req);
    c->req = calloc(1, sizeof *c->req);
    if (!c->req)
        return -1;
    c->req->conn = c;
    c->req->start_ns = uv_hrtime();
    c->header_name_len = 0;
    c->header_name_done = false;
    c->too_large = false;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    tn_http_conn *c = p->data;
    size_t len = c->req->path ? strlen(c->req->path) : 0;
    return append(&c->req->path, &len, at, n, MAX_URL) ? 0 : -1;
}

static void finish_header(tn_http_conn *c)
{
    c->header_name[c->header_name_len] = 0;
    c->header_name_len = 0;
    c->header_name_done = false;
}

static conn_header classify(const char *name)
{
    if (strcasecmp(name, "operationID") == 0)
        return HDR_OPERATION_ID;
    if (strcasecmp(name, "token") == 0)
        return HDR_TOKEN;
    if (strcasecmp(name, "Accept-Encoding") == 0)
        return HDR_ACCEPT_ENCODING;
    if (strcasecmp(name, "Content-Type") == 0)
        return HDR_CONTENT_TYPE;
    return HDR_OTHER;
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    tn_http_conn *c = p->data;
    if (c->header_name_done)
        finish_header(c);
    size_t room = MAX_HEADER_NAME - c->header_name_len;
    size_t take = n < room ? n : room;
    memcpy(c->header_name + c->header_name_len, at, take);
    c->header_name_len += take;
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    tn_http_conn *c = p->data;
    tn_http_req *r = c->req;
    if (!c->header_name_done) {
        c->header_name[c->header_name_len] = 0;
        c->header_name_done = true;
        c->header = classify(c->header_name);
        c->header_val_len = 0;
        char **slot = c->header == HDR_OPERATION_ID   ? &r->operation_id
                      : c->header == HDR_TOKEN        ? &r->token
                      : c->header == HDR_CONTENT_TYPE ? &r->content_type
                                                      : NULL;
        if (slot) {
            free(*slot); /* a repeated header: the last one wins */
            *slot = NULL;
        }
    }
    if (c->header == HDR_OPERATION_ID)
        return append(&r->operation_id, &c->header_val_len, at, n, MAX_HEADER_VAL) ? 0 : -1;
    if (c->header == HDR_TOKEN)
        return append(&r->token, &c->header_val_len, at, n, MAX_HEADER_VAL) ? 0 : -1;
    if (c->header == HDR_CONTENT_TYPE)
        return append(&r->content_type, &c->header_val_len, at, n, MAX_HEADER_VAL) ? 0 : -1;
    if (c->header == HDR_ACCEPT_ENCODING && memmem(at, n, "gzip", 4))
        r->accept_gzip = true;
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    tn_http_conn *c = p->data;
    if (c->header_name_done)
        finish_header(c);
    /* Refuse an announced oversized body before reading any of it. */
    if (p->content_length != ULLONG_MAX && p->content_length > c->srv->opt.max_body) {
        c->too_large = true;
        return -1;
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    tn_http_conn *c = p->data;
    if (!append(&c->req->body, &c->req->body_len, at, n, c->srv->opt.max_body)) {
        c->too_large = true;
        return -1;
    }
    return 0;
}

static int on_message_complete(http_parser *p)
{
    tn_http_conn *c = p->data;
    tn_http_req *r = c->req;
    if (!r->path)
        r->path = strdup("/");
    char *q = strchr(r->path, '?');
    if (q)
        *q = 0;
    if (!r->body) {
        r->body = strdup("");
        r->body_len = 0;
    }
    r->method = p->method;
    c->keep_alive = http_should_keep_alive(p);
    http_parser_pause(p, 1);
    return 0;
}

/* ---- writing ---- */

static void on_write(uv_write_t *w, int status)
{
    write_req *wr = (write_req *)w;
    tn_http_conn *c = wr->conn;
    free(wr->data);
    free(wr);
    c->busy = false;
    if (status < 0 || !c->keep_alive || c->srv->stopping || c->peer_gone) {
        conn_close(c);
        return;
    }
    /* Resume with whatever arrived behind the answered request. */
    http_parser_pause(&c->parser, 0);
    char *rest = c->pending;
    size_t rest_len = c->pending_len;
    c->pending = NULL;
    c->pending_len = 0;
    if (rest_len)
        conn_feed(c, rest, rest_len);
    free(rest);
}

static const char *status_text(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 413:
        return "Request Entity Too Large";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}

static void write_response(tn_http_conn *c, int status, const char *content_type, const char *body,
                           size_t len, const char *extra)
{
    static const char cors[] =
        "Access-Control-Allow-Origin: *\r\n"
        "Access-Control-Allow-Methods: *\r\n"
        "Access-Control-Allow-Headers: *\r\n"
        "Access-Control-Max-Age: 172800\r\n"
        "Access-Control-Allow-Credentials: false\r\n"
        "Access-Control-Expose-Headers: Content-Length, Access-Control-Allow-Origin, "
        "Access-Control-Allow-Headers,Cache-Control,Content-Language,Content-Type,Expires,"
        "Last-Modified,Pragma,FooBar\r\n";
    bool keep = c->keep_alive && !c->srv->stopping;
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\n%sContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: %s\r\n",
                     status, status_text(status), cors, content_type, len,
                     keep ? "keep-alive" : "close");
    size_t extra_len = extra ? strlen(extra) : 0;
    size_t total = (size_t)n + extra_len + 2 + len;
    write_req *wr = malloc(sizeof *wr);
    char *data = malloc(total);
    if (!wr || !data)
        abort();
    memcpy(data, head, (size_t)n);
    if (extra_len)
        memcpy(data + n, extra, extra_len);
    memcpy(data + n + extra_len, "\r\n", 2);
    if (len)
        memcpy(data + n + extra_len + 2, body, len);
    c->keep_alive = keep;
    wr->conn = c;
    wr->data = data;
    uv_buf_t buf = uv_buf_init(data, (unsigned)total);
    if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, &buf, 1, on_write) < 0) {
        free(data);
        free(wr);
        c->busy = false;
        conn_close(c);
    }
}

void tn_http_respond(tn_http_req *req, int status, const char *content_type, const char *body,
                     size_t len, const char *extra_headers)
{
    tn_http_conn *c = req->conn;
    if (c->req == req)
        c->req = NULL;
    req_free(req);
    if (c->peer_gone) {
        c->busy = false;
        conn_close(c);
        return;
    }
    write_response(c, status, content_type, body, len, extra_headers);
}

/* An error found while parsing: answer it and close, the stream is no longer trustworthy. */
static void reject(tn_http_conn *c, int status, const char *body)
{
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->busy = true;
    c->keep_alive = false;
    write_response(c, status, "application/json; charset=utf-8", body, strlen(body), NULL);
}

/* ---- reading ---- */

static void conn_feed(tn_http_conn *c, const char *data, size_t len)
{
    tn_http_server *srv = c->srv;
    if (c->busy) {
        /* Pipelined bytes wait; bound them so a client cannot make us buffer without limit. */
        if (c->pending_len + len > srv->opt.max_body + READ_BUF_SIZE) {
            conn_close(c); /* busy: closes once the answer in flight is written */
            return;
        }
        char *grown = realloc(c->pending, c->pending_len + len);
        if (!grown)
            abort();
        memcpy(grown + c->pending_len, data, len);
        c->pending = grown;
        c->pending_len += len;
        return;
    }
    size_t used = http_parser_execute(&c->parser, &srv->settings, data, len);
    enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);
    if (err == HPE_PAUSED) {
        if (used < len) {
            c->pending = malloc(len - used);
            if (!c->pending)
                abort();
            memcpy(c->pending, data + used, len - used);
            c->pending_len = len - used;
        }
        c->busy = true;
        tn_http_req *r = c->req;
        srv->opt.handler(r, srv->opt.data);
        return;
    }
    if (err != HPE_OK) {
        if (c->too_large) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "{\"errCode\":1001,\"errMsg\":\"ArgsError\",\"errDlt\":\"request body exceeds "
                     "max_body_bytes (%zu)\"}",
                     srv->opt.max_body);
            reject(c, 413, msg);
        } else {
            tn_log_debug(NULL, "http: bad request: %s", http_errno_description(err));
            reject(c, 400,
                   "{\"errCode\":1001,\"errMsg\":\"ArgsError\",\"errDlt\":\"malformed HTTP "
                   "request\"}");
        }
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    tn_http_conn *c = (tn_http_conn *)h;
    /* One shared buffer: reads are consumed before the next read callback. */
    buf->base = c->srv->read_buf;
    buf->len = sizeof c->srv->read_buf;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    tn_http_conn *c = (tn_http_conn *)s;
    if (nread < 0) {
        conn_close(c);
        return;
    }
    if (nread == 0)
        return;
    c->last_active_ms = uv_now(c->srv->loop);
    conn_feed(c, buf->base, (size_t)nread);
}

static void on_conn_closed(uv_handle_t *h)
{
    tn_http_conn *c = (tn_http_conn *)h;
    tn_http_server *srv = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->conn_count--;
    req_free(c->req);
    free(c->pending);
    free(c);
    maybe_free_server(srv);
}

/* A busy connection (request with a handler, or answer being written) is only marked: the
 * handler still holds its request, so the close happens once the answer is done. */
static void conn_close(tn_http_conn *c)
{
    if (c->closing)
        return;
    if (c->busy) {
        c->peer_gone = true;
        uv_read_stop((uv_stream_t *)&c->tcp);
        return;
    }
    c->closing = true;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_connection(uv_stream_t *listener, int status)
{
    tn_http_server *srv = listener->data;
    if (status < 0)
        return;
    tn_http_conn *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->srv = srv;
    uv_tcp_init(srv->loop, &c->tcp);
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->conn_count++;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0 || srv->conn_count > srv->opt.max_conns) {
        if (srv->conn_count > srv->opt.max_conns)
            tn_log_warn(NULL, "http: connection refused: max_conns (%d) reached",
                        srv->opt.max_conns);
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->last_active_ms = uv_now(srv->loop);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void on_sweep(uv_timer_t *t)
{
    tn_http_server *srv = t->data;
    uint64_t now = uv_now(srv->loop);
    uint64_t limit = (uint64_t)srv->opt.idle_timeout_s * 1000;
    for (tn_http_conn *c = srv->conns, *next; c; c = next) {
        next = c->next;
        if (!c->busy && !c->closing && now - c->last_active_ms >= limit)
            conn_close(c);
    }
}

static void on_server_handle_closed(uv_handle_t *h)
{
    tn_http_server *srv = h->data;
    srv->open_handles--;
    maybe_free_server(srv);
}

int tn_http_server_start(uv_loop_t *loop, const tn_http_options *opt, tn_http_server **out)
{
    tn_http_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return UV_ENOMEM;
    srv->loop = loop;
    srv->opt = *opt;
    srv->settings.on_message_begin = on_message_begin;
    srv->settings.on_url = on_url;
    srv->settings.on_header_field = on_header_field;
    srv->settings.on_header_value = on_header_value;
    srv->settings.on_headers_complete = on_headers_complete;
    srv->settings.on_body = on_body;
    srv->settings.on_message_complete = on_message_complete;

    struct sockaddr_storage addr;
    int rc = uv_ip4_addr(opt->ip, opt->port, (struct sockaddr_in *)&addr);
    if (rc < 0)
        rc = uv_ip6_addr(opt->ip, opt->port, (struct sockaddr_in6 *)&addr);
    uv_tcp_init(loop, &srv->listener);
    srv->listener.data = srv;
    srv->open_handles = 1;
    if (rc == 0)
        rc = uv_tcp_bind(&srv->listener, (struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&srv->listener, 1024, on_connection);
    if (rc < 0) {
        srv->stopping = true;
        uv_close((uv_handle_t *)&srv->listener, on_server_handle_closed);
        return rc;
    }
    uv_timer_init(loop, &srv->sweep);
    srv->sweep.data = srv;
    srv->open_handles++;
    uv_timer_start(&srv->sweep, on_sweep, 1000, 1000);
    *out = srv;
    return 0;
}

int tn_http_server_port(const tn_http_server *srv)
{
    struct sockaddr_storage addr;
    int len = sizeof addr;
    if (uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&addr, &len) < 0)
        return -1;
    if (addr.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    return ntohs(((struct sockaddr_in *)&addr)->sin_port);
}

void tn_http_server_stop(tn_http_server *srv)
{
    if (srv->stopping)
        return;
    srv->stopping = true;
    uv_close((uv_handle_t *)&srv->listener, on_server_handle_closed);
    uv_close((uv_handle_t *)&srv->sweep, on_server_handle_closed);
    for (tn_http_conn *c = srv->conns, *next; c; c = next) {
        next = c->next;
        if (!c->busy)
            conn_close(c);
    }
}
