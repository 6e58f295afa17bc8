/* A small blocking HTTP/1.1 client for tern-bench's set-up phase (registering users, fetching
 * tokens, creating groups): one keep-alive connection, JSON bodies, loopback only. */
#pragma once
#include <jansson.h>
#include <stdbool.h>

typedef struct tb_http {
    char host[64];
    int port;
    int fd; /* -1 = not connected; reconnects on demand */
} tb_http;

void tb_http_init(tb_http *c, const char *host, int port);
void tb_http_close(tb_http *c);
/* POSTs body (JSON text) with optional extra header lines ("Name: value\r\n" each). Returns the
 * HTTP status and the parsed JSON reply in *reply (NULL when the body is not JSON), or -1 with
 * why filled when the exchange failed. */
int tb_http_post(tb_http *c, const char *path, const char *headers, const char *body,
                 json_t **reply, char *why, size_t whylen);
