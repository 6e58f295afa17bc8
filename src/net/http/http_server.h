/* An HTTP/1.1 server on the libuv loop: keep-alive, pipelining (one request in flight per
 * connection, answered in order), body and header limits, idle timeout, graceful stop. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct tn_http_server tn_http_server;
typedef struct tn_http_conn tn_http_conn;

typedef struct tn_http_req {
    tn_http_conn *conn;
    unsigned method;    /* enum http_method */
    char *path;         /* without the query string; NUL-terminated */
    char *operation_id; /* header values, NULL when absent */
    char *token;
    char *content_type;
    bool accept_gzip;
    char *body; /* NUL-terminated; body_len excludes the NUL */
    size_t body_len;
    uint64_t start_ns;
} tn_http_req;

/* Called on the loop thread for each complete request. The handler owns req until it passes it
 * to tn_http_respond, exactly once, from the loop thread. */
typedef void (*tn_http_handler)(tn_http_req *req, void *data);

typedef struct tn_http_options {
    const char *ip;
    int port; /* 0 = any free port */
    size_t max_body;
    int idle_timeout_s;
    int max_conns;
    tn_http_handler handler;
    void *data;
} tn_http_options;

/* Binds and listens; 0 or a negative libuv error. */
int tn_http_server_start(uv_loop_t *loop, const tn_http_options *opt, tn_http_server **out);
int tn_http_server_port(const tn_http_server *srv);
/* Stops accepting, closes idle connections, lets in-flight requests finish and then closes
 * their connections; frees the server when the last handle is closed. */
void tn_http_server_stop(tn_http_server *srv);

/* Sends the answer and frees req. body is copied; extra_headers is a block of
 * "Name: value\r\n" lines or NULL. */
void tn_http_respond(tn_http_req *req, int status, const char *content_type, const char *body,
                     size_t len, const char *extra_headers);
