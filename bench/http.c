/* One request at a time over a kept-alive socket; a reply is read whole by Content-Length (or to
 * EOF when the server closes). Set-up speed matters (thousands of tokens) but not concurrency. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io.h"

void tb_http_init(tb_http *c, const char *host, int port)
{
    snprintf(c->host, sizeof c->host, "%s", host);
    c->port = port;
    c->fd = -1;
}

void tb_http_close(tb_http *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static bool open_socket(tb_http *c, char *why, size_t whylen)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
    if (inet_pton(AF_INET, c->host, &sa.sin_addr) != 1) {
        snprintf(why, whylen, "bad address %s", c->host);
        return false;
    }
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        snprintf(why, whylen, "connect %s:%d: %s", c->host, c->port, strerror(errno));
        tb_http_close(c);
        return false;
    }
    return true;
}

/* Reads one reply into a malloc'd buffer; returns the status or -1. */
static int read_reply(tb_http *c, char **body, size_t *body_len, char *why, size_t whylen)
{
    size_t cap = 16384, len = 0;
    char *buf = malloc(cap);
    long content_length = -1;
    size_t head_len = 0;
    int status = -1;
    bool server_closes = false;
    for (;;) {
        if (head_len && content_length >= 0 && len >= head_len + (size_t)content_length)
            break;
        if (len + 1 >= cap)
            buf = realloc(buf, cap *= 2);
        ssize_t r = read(c->fd, buf + len, cap - len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (head_len && (server_closes || content_length < 0))
                break;
            snprintf(why, whylen, "connection closed mid-reply");
            free(buf);
            return -1;
        }
        len += (size_t)r;
        buf[len] = 0;
        if (!head_len) {
            char *end = strstr(buf, "\r\n\r\n");
            if (!end)
                continue;
            head_len = (size_t)(end - buf) + 4;
            status = atoi(buf + 9);
            for (char *line = strstr(buf, "\r\n"); line && line < end;
                 line = strstr(line + 2, "\r\n")) {
                if (!strncasecmp(line + 2, "Content-Length:", 15))
                    content_length = strtol(line + 17, NULL, 10);
                else if (!strncasecmp(line + 2, "Connection: close", 17))
                    server_closes = true;
            }
        }
    }
    size_t n = content_length >= 0 ? (size_t)content_length : len - head_len;
    memmove(buf, buf + head_len, n);
    buf[n] = 0;
    *body = buf;
    *body_len = n;
    if (server_closes || content_length < 0)
        tb_http_close(c);
    return status;
}

int tb_http_post(tb_http *c, const char *path, const char *headers, const char *body,
                 json_t **reply, char *why, size_t whylen)
{
    *reply = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        bool fresh = c->fd < 0;
        if (fresh && !open_socket(c, why, whylen))
            return -1;
        size_t blen = strlen(body);
        size_t cap = strlen(path) + strlen(headers ? headers : "") + 256;
        char *head = malloc(cap);
        int hn = snprintf(head, cap,
                          "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                          "Content-Length: %zu\r\n%s\r\n",
                          path, c->host, c->port, blen, headers ? headers : "");
        bool sent = tb_write_full(c->fd, head, (size_t)hn) && tb_write_full(c->fd, body, blen);
        free(head);
        char *rbody = NULL;
        size_t rlen = 0;
        int status = sent ? read_reply(c, &rbody, &rlen, why, whylen) : -1;
        if (status < 0) {
            tb_http_close(c);
            if (!fresh)
                continue; /* a kept-alive socket the server had closed: retry once */
            if (!sent)
                snprintf(why, whylen, "write to %s:%d failed", c->host, c->port);
            return -1;
        }
        *reply = json_loadb(rbody, rlen, 0, NULL);
        free(rbody);
        return status;
    }
    return -1;
}
