/* tern-bench's XMPP driver (tb_driver_xmpp): registration over ejabberd's mod_http_api, login,
 * 1:1 chat, offline sync, and the small XML stanza splitter they need. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "bench.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#define XMPP_RESOURCE     "bench"
#define XMPP_MAX_STANZA   (1u << 20) /* a peer element bigger than this drops the connection */
#define XMPP_READ_CHUNK   4096
#define XMPP_REG_PARALLEL 4 /* registration connections to mod_http_api */

/* ------------------------------------------------------------------------------------------ */
/* XML tokens. The splitter only needs to know where tags start and end, which tags close which,
 * and where text is; names keep their prefix (stream:features) and local_is() ignores it. */

typedef enum {
    XT_INCOMPLETE, /* the buffer ends inside the token */
    XT_BAD,
    XT_TEXT,
    XT_START, /* <a ...> */
    XT_EMPTY, /* <a .../> */
    XT_END,   /* </a> */
    XT_SKIP,  /* <?...?>, <!--...--> */
    XT_CDATA,
} xtok_kind;

typedef struct {
    xtok_kind kind;
    const char *name; /* START, EMPTY, END */
    size_t nlen;
    const char *attrs; /* START, EMPTY: the text after the name, before > or /> */
    size_t alen;
    const char *text; /* TEXT (raw, entities not decoded), CDATA (the content) */
    size_t tlen;
    const char *end; /* one past the token */
} xtok;

static const char *find_seq(const char *p, const char *end, const char *seq)
{
    size_t n = strlen(seq);
    if ((size_t)(end - p) < n)
        return NULL;
    const char *r = memmem(p, (size_t)(end - p), seq, n);
    return r;
}

static bool is_name_end(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '/' || ch == '>';
}

static xtok_kind xml_token(const char *p, const char *end, xtok *t)
{
    memset(t, 0, sizeof *t);
    if (p >= end)
        return t->kind = XT_INCOMPLETE;
    if (*p != '<') {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        t->text = p;
        t->end = lt ? lt : end;
        t->tlen = (size_t)(t->end - p);
        return t->kind = XT_TEXT;
    }
    if (end - p < 2)
        return t->kind = XT_INCOMPLETE;
    if (p[1] == '?') {
        const char *q = find_seq(p + 2, end, "?>");
        if (!q)
            return t->kind = XT_INCOMPLETE;
        t->end = q + 2;
        return t->kind = XT_SKIP;
    }
    if (p[1] == '!') {
        if (end - p < 9)
            return t->kind = XT_INCOMPLETE;
        if (memcmp(p, "<!--", 4) == 0) {
            const char *q = find_seq(p + 4, end, "-->");
            if (!q)
                return t->kind = XT_INCOMPLETE;
            t->end = q + 3;
            return t->kind = XT_SKIP;
        }
        if (memcmp(p, "<![CDATA[", 9) == 0) {
            const char *q = find_seq(p + 9, end, "]]>");
            if (!q)
                return t->kind = XT_INCOMPLETE;
            t->text = p + 9;
            t->tlen = (size_t)(q - (p + 9));
            t->end = q + 3;
            return t->kind = XT_CDATA;
        }
        return t->kind = XT_BAD; /* DOCTYPE and the like are not allowed in XMPP */
    }
    bool closing = p[1] == '/';
    const char *s = p + (closing ? 2 : 1);
    const char *q = s;
    while (q < end && !is_name_end(*q))
        q++;
    if (q == end)
        return t->kind = XT_INCOMPLETE;
    if (q == s)
        return t->kind = XT_BAD;
    t->name = s;
    t->nlen = (size_t)(q - s);
    const char *attrs = q;
    char last = 0; /* the last character outside quotes before > */
    while (q < end) {
        char ch = *q;
        if (ch == '"' || ch == '\'') {
            const char *cq = memchr(q + 1, ch, (size_t)(end - q - 1));
            if (!cq)
                return t->kind = XT_INCOMPLETE;
            q = cq + 1;
            last = ch;
            continue;
        }
        if (ch == '<')
            return t->kind = XT_BAD;
        if (ch == '>') {
            t->end = q + 1;
            if (closing)
                return t->kind = XT_END;
            if (last == '/') {
                t->attrs = attrs;
                t->alen = (size_t)(q - 1 - attrs);
                return t->kind = XT_EMPTY;
            }
            t->attrs = attrs;
            t->alen = (size_t)(q - attrs);
            return t->kind = XT_START;
        }
        if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n')
            last = ch;
        q++;
    }
    return t->kind = XT_INCOMPLETE;
}

/* The name without its prefix equals local. */
static bool local_is(const char *name, size_t nlen, const char *local)
{
    const char *colon = memchr(name, ':', nlen);
    if (colon) {
        nlen -= (size_t)(colon + 1 - name);
        name = colon + 1;
    }
    size_t l = strlen(local);
    return nlen == l && memcmp(name, local, l) == 0;
}

static bool name_is(const char *name, size_t nlen, const char *full)
{
    size_t l = strlen(full);
    return nlen == l && memcmp(name, full, l) == 0;
}

/* Finds attribute key in a START / EMPTY token; *v gets the raw value (entities not decoded),
 * *quote the quote character around it. */
static bool xml_attr(const xtok *t, const char *key, const char **v, size_t *vlen, char *quote)
{
    const char *p = t->attrs, *end = t->attrs + t->alen;
    size_t klen = strlen(key);
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        const char *k = p;
        while (p < end && *p != '=' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            p++;
        size_t kl = (size_t)(p - k);
        while (p < end && *p != '=')
            p++;
        if (p >= end)
            return false;
        p++;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        if (p >= end || (*p != '"' && *p != '\''))
            return false;
        char qc = *p++;
        const char *vs = p;
        const char *ve = memchr(p, qc, (size_t)(end - p));
        if (!ve)
            return false;
        if (kl == klen && memcmp(k, key, klen) == 0) {
            *v = vs;
            *vlen = (size_t)(ve - vs);
            if (quote)
                *quote = qc;
            return true;
        }
        p = ve + 1;
    }
    return false;
}

static bool attr_is(const xtok *t, const char *key, const char *want)
{
    const char *v;
    size_t vl;
    return xml_attr(t, key, &v, &vl, NULL) && vl == strlen(want) && memcmp(v, want, vl) == 0;
}

/* An element: its start token and the span of its content (between the start and end tags). */
typedef struct {
    xtok head;
    const char *inner, *inner_end;
    const char *end; /* one past the whole element */
} xelem;

/* Reads one whole element starting at p (whose first token is head, START or EMPTY).
 * Returns XT_START on success, XT_INCOMPLETE or XT_BAD. */
static xtok_kind xml_element(const char *p, const char *end, const xtok *head, xelem *e)
{
    e->head = *head;
    if (head->kind == XT_EMPTY) {
        e->inner = e->inner_end = e->end = head->end;
        return XT_START;
    }
    (void)p;
    int depth = 1;
    const char *q = head->end;
    xtok t;
    while (depth > 0) {
        const char *at = q;
        switch (xml_token(q, end, &t)) {
        case XT_INCOMPLETE:
            return XT_INCOMPLETE;
        case XT_BAD:
            return XT_BAD;
        case XT_START:
            depth++;
            break;
        case XT_END:
            if (--depth == 0) {
                if (t.nlen != head->nlen || memcmp(t.name, head->name, t.nlen) != 0)
                    return XT_BAD;
                e->inner = head->end;
                e->inner_end = at;
                e->end = t.end;
                return XT_START;
            }
            break;
        default:
            break;
        }
        q = t.end;
    }
    return XT_BAD;
}

/* The first direct child of parent with the given local name. */
static bool xml_child(const xelem *parent, const char *local, xelem *out)
{
    const char *q = parent->inner, *end = parent->inner_end;
    xtok t;
    while (q < end) {
        xtok_kind k = xml_token(q, end, &t);
        if (k == XT_INCOMPLETE || k == XT_BAD || k == XT_END)
            return false;
        if (k == XT_START || k == XT_EMPTY) {
            xelem e;
            if (xml_element(q, end, &t, &e) != XT_START)
                return false;
            if (local_is(t.name, t.nlen, local)) {
                *out = e;
                return true;
            }
            q = e.end;
            continue;
        }
        q = t.end;
    }
    return false;
}

/* The local name of the first child element, e.g. the condition inside <error>. */
static bool xml_first_child_name(const xelem *parent, const char **name, size_t *nlen)
{
    const char *q = parent->inner, *end = parent->inner_end;
    xtok t;
    while (q < end) {
        xtok_kind k = xml_token(q, end, &t);
        if (k == XT_START || k == XT_EMPTY) {
            const char *colon = memchr(t.name, ':', t.nlen);
            *name = colon ? colon + 1 : t.name;
            *nlen = t.nlen - (size_t)(*name - t.name);
            return true;
        }
        if (k != XT_TEXT && k != XT_SKIP && k != XT_CDATA)
            return false;
        q = t.end;
    }
    return false;
}

static void utf8_put(char **o, unsigned long cp)
{
    unsigned char *u = (unsigned char *)*o;
    if (cp < 0x80) {
        *u++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *u++ = (unsigned char)(0xc0 | (cp >> 6));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *u++ = (unsigned char)(0xe0 | (cp >> 12));
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else {
        *u++ = (unsigned char)(0xf0 | (cp >> 18));
        *u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    }
    *o = (char *)u;
}

/* Decodes the five predefined entities and character references of s[0..n) into o, which has
 * room for n bytes (decoding never grows the text); returns the decoded length. */
static size_t xml_unescape(const char *s, size_t n, char *o)
{
    char *start = o;
    const char *end = s + n;
    while (s < end) {
        if (*s != '&') {
            *o++ = *s++;
            continue;
        }
        const char *semi = memchr(s, ';', (size_t)(end - s));
        size_t el = semi ? (size_t)(semi - s + 1) : 0;
        if (el == 4 && memcmp(s, "&lt;", 4) == 0)
            *o++ = '<';
        else if (el == 4 && memcmp(s, "&gt;", 4) == 0)
            *o++ = '>';
        else if (el == 5 && memcmp(s, "&amp;", 5) == 0)
            *o++ = '&';
        else if (el == 6 && memcmp(s, "&quot;", 6) == 0)
            *o++ = '"';
        else if (el == 6 && memcmp(s, "&apos;", 6) == 0)
            *o++ = '\'';
        else if (el >= 4 && el <= 10 && s[1] == '#') {
            bool hex = s[2] == 'x' || s[2] == 'X';
            unsigned long cp = 0;
            bool ok = true;
            for (const char *d = s + (hex ? 3 : 2); d < semi; d++) {
                int v;
                if (*d >= '0' && *d <= '9')
                    v = *d - '0';
                else if (hex && *d >= 'a' && *d <= 'f')
                    v = *d - 'a' + 10;
                else if (hex && *d >= 'A' && *d <= 'F')
                    v = *d - 'A' + 10;
                else {
                    ok = false;
                    break;
                }
                cp = cp * (hex ? 16 : 10) + (unsigned long)v;
            }
            /* a reference is at least 4 bytes long and its UTF-8 at most 4 */
            if (!ok || semi == s + (hex ? 3 : 2) || cp > 0x10ffff) {
                memcpy(o, s, el);
                o += el;
            } else {
                utf8_put(&o, cp);
            }
        } else {
            *o++ = *s++; /* not an entity we know: keep the ampersand as is */
            continue;
        }
        s += el;
    }
    return (size_t)(o - start);
}

/* ------------------------------------------------------------------------------------------ */
/* Connections */

typedef enum {
    ST_CONNECTING,
    ST_FEATURES1, /* waiting for the first <stream:features> (SASL) */
    ST_AUTH,      /* waiting for <success/> */
    ST_FEATURES2, /* waiting for the features of the restarted stream (bind) */
    ST_BINDING,   /* bind (+ session, presence) sent; waiting for the 'ready' barrier */
    ST_ONLINE,
    ST_DEAD,
} conn_state;

/* Writes are batched per loop iteration: send() and the login steps only queue bytes and mark the
 * connection dirty; the flusher's prepare and check handles (before and after the loop's poll)
 * write each dirty connection once, with uv_try_write, falling back to uv_write when the socket
 * is full. One flusher per loop, alive while it has connections; its handles are unreferenced. */
typedef struct flusher {
    uv_prepare_t prepare;
    uv_check_t check;
    uv_loop_t *loop;
    tb_conn *dirty; /* doubly linked through dirty_prev / dirty_next */
    int conns;
    int open_handles;
} flusher;

static flusher *current_flusher;

struct tb_conn {
    uv_tcp_t tcp;
    flusher *fl;
    tb_conn *dirty_prev, *dirty_next;
    bool dirty;
    uv_connect_t connect_req;
    uv_write_t write_req;
    tb_run *run;
    int user;
    conn_state state;
    bool writing;       /* write_req is in flight with wbuf */
    bool owner_closed;  /* close() was called: report nothing more */
    bool handle_closed; /* uv_close was called on tcp */
    bool presence_sent;
    bool bind_ok;
    bool in_connect; /* inside xmpp_connect: a failure is reported from on_closed, later */
    bool report_on_close;
    bool acks;          /* report tb_sent_ok (sync scenario): a ping after each write of messages */
    int unacked;        /* messages queued since the last such ping */
    int refused;        /* message errors since the last ping answer: not acknowledged */
    bool sync_on_login; /* sync() came before the login finished */
    int syncs;          /* sync barriers in flight */
    char *in;           /* bytes read and not yet consumed */
    size_t inlen, incap;
    char *out; /* bytes queued, written at the next flush */
    size_t outlen, outcap;
    char *wbuf; /* what uv_write is writing when the socket was full */
    size_t wcap;
    char *scratch; /* decoded bodies */
    size_t scap;
    char err[160];
};

static void flusher_closed(uv_handle_t *h)
{
    flusher *fl = h->data;
    if (--fl->open_handles == 0)
        free(fl);
}

static void undirty(tb_conn *c)
{
    if (!c->dirty)
        return;
    if (c->dirty_prev)
        c->dirty_prev->dirty_next = c->dirty_next;
    else
        c->fl->dirty = c->dirty_next;
    if (c->dirty_next)
        c->dirty_next->dirty_prev = c->dirty_prev;
    c->dirty = false;
    c->dirty_prev = c->dirty_next = NULL;
}

static void conn_free(tb_conn *c)
{
    undirty(c);
    flusher *fl = c->fl;
    if (fl && --fl->conns == 0) {
        if (current_flusher == fl)
            current_flusher = NULL;
        uv_close((uv_handle_t *)&fl->prepare, flusher_closed);
        uv_close((uv_handle_t *)&fl->check, flusher_closed);
    }
    free(c->in);
    free(c->out);
    free(c->wbuf);
    free(c->scratch);
    free(c);
}

static void on_closed(uv_handle_t *h)
{
    tb_conn *c = h->data;
    c->handle_closed = true;
    if (c->owner_closed) {
        conn_free(c);
        return;
    }
    if (c->report_on_close) /* the scenario has its handle by now; it frees it with close() */
        tb_logged_in(c->run, c->user, c->err);
}

static void close_handle(tb_conn *c)
{
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

/* The connection failed or went away: report it once (as a failed login before tb_logged_in).
 * The reason is what, or "what: detail". */
static void conn_fail(tb_conn *c, const char *what, const char *detail)
{
    if (c->state == ST_DEAD)
        return;
    bool logging_in = c->state != ST_ONLINE;
    c->state = ST_DEAD;
    snprintf(c->err, sizeof c->err, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
    close_handle(c);
    if (c->owner_closed)
        return;
    if (c->in_connect)
        c->report_on_close = true;
    else if (logging_in)
        tb_logged_in(c->run, c->user, c->err);
    else
        tb_disconnected(c->run, c->user, c->err);
}

static bool grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 512;
    while (n < need)
        n *= 2;
    char *b = realloc(*buf, n);
    if (!b)
        return false;
    *buf = b;
    *cap = n;
    return true;
}

static void out_put(tb_conn *c, const char *s, size_t n)
{
    if (!grow(&c->out, &c->outcap, c->outlen + n)) {
        conn_fail(c, "out of memory", NULL);
        return;
    }
    memcpy(c->out + c->outlen, s, n);
    c->outlen += n;
}

static void out_str(tb_conn *c, const char *s)
{
    out_put(c, s, strlen(s));
}

/* Appends s escaped for XML text and attribute values. */
static void out_esc(tb_conn *c, const char *s)
{
    size_t n = strlen(s);
    if (!grow(&c->out, &c->outcap, c->outlen + 6 * n)) {
        conn_fail(c, "out of memory", NULL);
        return;
    }
    char *o = c->out + c->outlen;
    for (; *s; s++) {
        switch (*s) {
        case '<':
            memcpy(o, "&lt;", 4), o += 4;
            break;
        case '>':
            memcpy(o, "&gt;", 4), o += 4;
            break;
        case '&':
            memcpy(o, "&amp;", 5), o += 5;
            break;
        case '\'':
            memcpy(o, "&apos;", 6), o += 6;
            break;
        case '"':
            memcpy(o, "&quot;", 6), o += 6;
            break;
        default:
            *o++ = *s;
        }
    }
    c->outlen = (size_t)(o - c->out);
}

static void flush(tb_conn *c);
static void write_now(tb_conn *c);
static void out_ping(tb_conn *c, const char *id);

static void on_written(uv_write_t *req, int status)
{
    tb_conn *c = req->data;
    c->writing = false;
    if (c->state == ST_DEAD || c->owner_closed)
        return;
    if (status < 0) {
        conn_fail(c, "write", uv_strerror(status));
        return;
    }
    write_now(c); /* what was queued while the socket was full */
}

static void flush_all(flusher *fl)
{
    while (fl->dirty) {
        tb_conn *c = fl->dirty;
        undirty(c);
        write_now(c);
    }
}

static void on_prepare(uv_prepare_t *h)
{
    flush_all(h->data);
}

static void on_check(uv_check_t *h)
{
    flush_all(h->data);
}

static flusher *flusher_for(uv_loop_t *loop)
{
    if (current_flusher && current_flusher->loop == loop)
        return current_flusher;
    flusher *fl = calloc(1, sizeof *fl);
    if (!fl)
        return NULL;
    fl->loop = loop;
    uv_prepare_init(loop, &fl->prepare);
    uv_check_init(loop, &fl->check);
    fl->prepare.data = fl->check.data = fl;
    fl->open_handles = 2;
    uv_prepare_start(&fl->prepare, on_prepare);
    uv_check_start(&fl->check, on_check);
    uv_unref((uv_handle_t *)&fl->prepare);
    uv_unref((uv_handle_t *)&fl->check);
    current_flusher = fl;
    return fl;
}

/* Writes what is queued unless a write is in flight; its completion writes what came meanwhile,
 * so a burst of sends costs one write. */
/* The messages queued since the last barrier are acknowledged together when the server answers
 * this ping: it handles a connection's stanzas in order, and routes (delivers or stores) a message
 * before it reads the next stanza. */
static void ack_barrier(tb_conn *c)
{
    if (!c->unacked)
        return;
    char id[24];
    snprintf(id, sizeof id, "a%d", c->unacked);
    c->unacked = 0;
    out_ping(c, id);
}

/* Queued bytes go out at the flusher's next turn, together with whatever else comes before it. */
static void flush(tb_conn *c)
{
    if (c->dirty || c->outlen == 0 || c->state == ST_DEAD || !c->fl)
        return;
    flusher *fl = c->fl;
    c->dirty = true;
    c->dirty_prev = NULL;
    c->dirty_next = fl->dirty;
    if (fl->dirty)
        fl->dirty->dirty_prev = c;
    fl->dirty = c;
}

static void write_now(tb_conn *c)
{
    if (c->writing || c->outlen == 0 || c->state == ST_DEAD || c->state == ST_CONNECTING)
        return;
    ack_barrier(c);
    uv_buf_t buf = uv_buf_init(c->out, (unsigned)c->outlen);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
    if (n == (int)c->outlen) {
        c->outlen = 0;
        return;
    }
    if (n < 0 && n != UV_EAGAIN) {
        conn_fail(c, "write", uv_strerror(n));
        return;
    }
    size_t done = n > 0 ? (size_t)n : 0;
    /* the socket is full: uv_write the rest from wbuf; out collects what comes meanwhile */
    char *b = c->wbuf;
    size_t bc = c->wcap;
    c->wbuf = c->out;
    c->wcap = c->outcap;
    c->out = b;
    c->outcap = bc;
    buf = uv_buf_init(c->wbuf + done, (unsigned)(c->outlen - done));
    c->outlen = 0;
    c->write_req.data = c;
    int rc = uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &buf, 1, on_written);
    if (rc < 0) {
        conn_fail(c, "write", uv_strerror(rc));
        return;
    }
    c->writing = true;
}

static void out_stream_header(tb_conn *c)
{
    out_str(c, "<?xml version='1.0'?><stream:stream to='");
    out_esc(c, tb_run_options(c->run)->domain);
    out_str(c, "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
               "version='1.0'>");
}

static void out_ping(tb_conn *c, const char *id)
{
    out_str(c, "<iq type='get' id='");
    out_str(c, id);
    out_str(c, "' to='");
    out_esc(c, tb_run_options(c->run)->domain);
    out_str(c, "'><ping xmlns='urn:xmpp:ping'/></iq>");
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t base64(const unsigned char *s, size_t n, char *o)
{
    char *start = o;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        *o++ = b64[(v >> 18) & 63];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
    return (size_t)(o - start);
}

static void send_auth(tb_conn *c)
{
    char name[256], plain[768], enc[1100];
    tb_user_name(c->run, c->user, name, sizeof name);
    const char *secret = tb_run_options(c->run)->secret;
    size_t nl = strlen(name), sl = strlen(secret);
    if (nl + sl + 2 > sizeof plain) {
        conn_fail(c, "user name or password too long", NULL);
        return;
    }
    plain[0] = 0; /* no authorization identity */
    memcpy(plain + 1, name, nl);
    plain[1 + nl] = 0;
    memcpy(plain + 2 + nl, secret, sl);
    size_t el = base64((const unsigned char *)plain, nl + sl + 2, enc);
    out_str(c, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>");
    out_put(c, enc, el);
    out_str(c, "</auth>");
    flush(c);
}

/* The sync scenario: initial presence waits for sync() (it is what makes ejabberd send the stored
 * messages), and sends are acknowledged. Elsewhere XMPP's own traffic is left as it is. */
static bool sync_scenario(const tb_run *run)
{
    const char *s = tb_run_options(run)->scenario;
    return s && strcmp(s, "sync") == 0;
}

static void on_features(tb_conn *c, const xelem *e)
{
    xelem child, sub;
    if (c->state == ST_FEATURES1) {
        if (xml_child(e, "starttls", &child) && xml_child(&child, "required", &sub)) {
            conn_fail(c, "the server requires STARTTLS", NULL);
            return;
        }
        bool plain = false;
        if (xml_child(e, "mechanisms", &child)) {
            const char *q = child.inner, *end = child.inner_end;
            xtok t;
            while (q < end && !plain) {
                xtok_kind k = xml_token(q, end, &t);
                if (k != XT_START && k != XT_EMPTY) {
                    if (k == XT_INCOMPLETE || k == XT_BAD)
                        break;
                    q = t.end;
                    continue;
                }
                xelem m;
                if (xml_element(q, end, &t, &m) != XT_START)
                    break;
                plain = local_is(t.name, t.nlen, "mechanism") && m.inner_end - m.inner == 5 &&
                        memcmp(m.inner, "PLAIN", 5) == 0;
                q = m.end;
            }
        }
        if (!plain) {
            conn_fail(c, "the server offers no SASL PLAIN", NULL);
            return;
        }
        c->state = ST_AUTH;
        send_auth(c);
        return;
    }
    if (c->state != ST_FEATURES2)
        return;
    if (!xml_child(e, "bind", &child)) {
        conn_fail(c, "the server offers no resource binding", NULL);
        return;
    }
    /* Pipelined: bind, session (when not optional), initial presence, then a ping whose answer
     * says that everything before it was processed. */
    out_str(c, "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
               "<resource>" XMPP_RESOURCE "</resource></bind></iq>");
    if (xml_child(e, "session", &child) && !xml_child(&child, "optional", &sub))
        out_str(c, "<iq type='set' id='sess'><session "
                   "xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>");
    if (!c->acks) {
        out_str(c, "<presence/>");
        c->presence_sent = true;
    }
    out_ping(c, "ready");
    c->state = ST_BINDING;
    flush(c);
}

/* Answers an iq get/set from the server: pings with a result, anything else with an error. */
static void answer_iq(tb_conn *c, const xelem *e)
{
    const char *id = NULL, *from = NULL;
    size_t idl = 0, froml = 0;
    char idq = '\'', fromq = '\'';
    xml_attr(&e->head, "id", &id, &idl, &idq);
    bool has_from = xml_attr(&e->head, "from", &from, &froml, &fromq);
    xelem ping;
    bool is_ping = xml_child(e, "ping", &ping) && attr_is(&ping.head, "xmlns", "urn:xmpp:ping");
    out_str(c, is_ping ? "<iq type='result'" : "<iq type='error'");
    if (id) {
        /* the raw value goes back inside the quote it came in, so it needs no re-escaping */
        out_str(c, " id=");
        out_put(c, &idq, 1);
        out_put(c, id, idl);
        out_put(c, &idq, 1);
    }
    if (has_from) {
        out_str(c, " to=");
        out_put(c, &fromq, 1);
        out_put(c, from, froml);
        out_put(c, &fromq, 1);
    }
    if (is_ping)
        out_str(c, "/>");
    else
        out_str(c, "><error type='cancel'><service-unavailable "
                   "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    flush(c);
}

static void xmpp_sync(tb_conn *c);

static void on_iq(tb_conn *c, const xelem *e)
{
    const char *type, *id;
    size_t tl, idl;
    if (!xml_attr(&e->head, "type", &type, &tl, NULL))
        return;
    if ((tl == 3 && memcmp(type, "get", 3) == 0) || (tl == 3 && memcmp(type, "set", 3) == 0)) {
        answer_iq(c, e);
        return;
    }
    bool error = tl == 5 && memcmp(type, "error", 5) == 0;
    if (!xml_attr(&e->head, "id", &id, &idl, NULL))
        return;
    if (c->state == ST_BINDING) {
        if (idl == 4 && memcmp(id, "bind", 4) == 0) {
            if (error) {
                conn_fail(c, "resource binding refused", NULL);
                return;
            }
            c->bind_ok = true;
        } else if (idl == 4 && memcmp(id, "sess", 4) == 0) {
            if (error) {
                conn_fail(c, "session establishment refused", NULL);
                return;
            }
        } else if (idl == 5 && memcmp(id, "ready", 5) == 0) {
            /* A ping error (no mod_ping) is as good a barrier as a result. */
            if (!c->bind_ok) {
                conn_fail(c, "no answer to resource binding", NULL);
                return;
            }
            c->state = ST_ONLINE;
            tb_logged_in(c->run, c->user, NULL);
            if (c->sync_on_login && c->state == ST_ONLINE && !c->owner_closed) {
                c->sync_on_login = false;
                xmpp_sync(c);
            }
        }
        return;
    }
    if (c->state != ST_ONLINE)
        return;
    if (idl == 4 && memcmp(id, "sync", 4) == 0 && c->syncs > 0) {
        c->syncs--;
        tb_synced(c->run, c->user);
    } else if (idl > 1 && id[0] == 'a') {
        int n = 0;
        for (size_t i = 1; i < idl && id[i] >= '0' && id[i] <= '9' && n < 100000000; i++)
            n = n * 10 + (id[i] - '0');
        /* the errors for this write's refused messages came before this answer */
        n -= c->refused < n ? c->refused : n;
        c->refused = 0;
        for (int i = 0; i < n && c->state == ST_ONLINE && !c->owner_closed; i++)
            tb_sent_ok(c->run, c->user);
    }
}

static void on_message(tb_conn *c, const xelem *e)
{
    const char *type;
    size_t tl;
    if (!xml_attr(&e->head, "type", &type, &tl, NULL))
        return; /* type normal: nothing the bench sends */
    if (tl == 5 && memcmp(type, "error", 5) == 0) {
        xelem err;
        const char *cond = "error";
        size_t cl = 5;
        if (xml_child(e, "error", &err))
            xml_first_child_name(&err, &cond, &cl);
        snprintf(c->err, sizeof c->err, "message refused: %.*s", (int)cl, cond);
        c->refused++;
        tb_send_failed(c->run, c->user, c->err);
        return;
    }
    if (!(tl == 4 && memcmp(type, "chat", 4) == 0))
        return;
    xelem body;
    if (!xml_child(e, "body", &body))
        return; /* chat states and receipts */
    size_t raw = (size_t)(body.inner_end - body.inner);
    if (!grow(&c->scratch, &c->scap, raw + 1)) {
        conn_fail(c, "out of memory", NULL);
        return;
    }
    size_t n = 0;
    const char *q = body.inner, *end = body.inner_end;
    xtok t;
    while (q < end) {
        xtok_kind k = xml_token(q, end, &t);
        if (k == XT_TEXT)
            n += xml_unescape(t.text, t.tlen, c->scratch + n);
        else if (k == XT_CDATA)
            memcpy(c->scratch + n, t.text, t.tlen), n += t.tlen;
        else if (k == XT_INCOMPLETE || k == XT_BAD)
            break;
        q = t.end;
    }
    c->scratch[n] = 0;
    tb_received(c->run, c->user, c->scratch, n);
}

static void on_stream_error(tb_conn *c, const xelem *e)
{
    const char *cond = "stream error";
    size_t cl = strlen(cond);
    xml_first_child_name(e, &cond, &cl);
    char what[64];
    snprintf(what, sizeof what, "%.*s", (int)cl, cond);
    conn_fail(c, "stream error", what);
}

/* One top-level element of the stream. */
static void on_element(tb_conn *c, const xelem *e)
{
    const xtok *h = &e->head;
    if (local_is(h->name, h->nlen, "message") && c->state >= ST_BINDING)
        on_message(c, e);
    else if (local_is(h->name, h->nlen, "presence"))
        return;
    else if (local_is(h->name, h->nlen, "iq"))
        on_iq(c, e);
    else if (name_is(h->name, h->nlen, "stream:features"))
        on_features(c, e);
    else if (name_is(h->name, h->nlen, "stream:error"))
        on_stream_error(c, e);
    else if (local_is(h->name, h->nlen, "success") && c->state == ST_AUTH) {
        c->state = ST_FEATURES2;
        out_stream_header(c); /* the stream restarts after SASL */
        flush(c);
    } else if (local_is(h->name, h->nlen, "failure") && c->state == ST_AUTH) {
        const char *cond = "failure";
        size_t cl = 7;
        xml_first_child_name(e, &cond, &cl);
        char what[64];
        snprintf(what, sizeof what, "%.*s", (int)cl, cond);
        conn_fail(c, "authentication failed", what);
    }
}

/* Splits what was read into top-level elements; keeps an incomplete tail for the next read. */
static void process_input(tb_conn *c)
{
    const char *p = c->in, *end = c->in + c->inlen;
    while (p < end && c->state != ST_DEAD && !c->owner_closed) {
        xtok t;
        xtok_kind k = xml_token(p, end, &t);
        if (k == XT_INCOMPLETE)
            break;
        if (k == XT_BAD) {
            conn_fail(c, "malformed XML from the server", NULL);
            return;
        }
        if (k == XT_START && name_is(t.name, t.nlen, "stream:stream")) {
            p = t.end; /* the (re)opened stream: its features follow */
            continue;
        }
        if (k == XT_END) {
            conn_fail(c, "the server closed the stream", NULL);
            return;
        }
        if (k == XT_START || k == XT_EMPTY) {
            xelem e;
            xtok_kind r = xml_element(p, end, &t, &e);
            if (r == XT_INCOMPLETE)
                break;
            if (r == XT_BAD) {
                conn_fail(c, "malformed XML from the server", NULL);
                return;
            }
            on_element(c, &e);
            p = e.end;
            continue;
        }
        p = t.end; /* whitespace between stanzas, <?xml ...?>, comments */
    }
    if (c->state == ST_DEAD || c->owner_closed)
        return;
    size_t left = (size_t)(end - p);
    if (left > XMPP_MAX_STANZA) {
        conn_fail(c, "stanza over 1 MiB from the server", NULL);
        return;
    }
    if (left && p != c->in)
        memmove(c->in, p, left);
    c->inlen = left;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    tb_conn *c = h->data;
    if (!grow(&c->in, &c->incap, c->inlen + XMPP_READ_CHUNK)) {
        *buf = uv_buf_init(NULL, 0);
        return;
    }
    *buf = uv_buf_init(c->in + c->inlen, (unsigned)(c->incap - c->inlen));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    tb_conn *c = s->data;
    if (!c || c->state == ST_DEAD || c->owner_closed)
        return;
    if (nread < 0) {
        conn_fail(c, "connection lost",
                  nread == UV_EOF ? "closed by the server" : uv_strerror((int)nread));
        return;
    }
    if (nread == 0)
        return;
    c->inlen += (size_t)nread;
    process_input(c);
}

static void on_connect(uv_connect_t *req, int status)
{
    tb_conn *c = req->data;
    if (c->state == ST_DEAD || c->owner_closed)
        return;
    if (status < 0) {
        conn_fail(c, "connect", uv_strerror(status));
        return;
    }
    int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (rc < 0) {
        conn_fail(c, "read", uv_strerror(rc));
        return;
    }
    c->state = ST_FEATURES1;
    out_stream_header(c);
    flush(c);
}

static bool resolve(const char *host, int port, struct sockaddr_storage *ss)
{
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)ss) == 0)
        return true;
    return uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss) == 0;
}

static tb_conn *xmpp_connect(tb_run *run, int user)
{
    const tb_options *opt = tb_run_options(run);
    tb_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->run = run;
    c->user = user;
    c->state = ST_CONNECTING;
    c->acks = sync_scenario(run);
    c->connect_req.data = c;
    c->fl = flusher_for(tb_run_loop(run));
    if (!c->fl) {
        free(c);
        return NULL;
    }
    c->fl->conns++;
    int rc = uv_tcp_init(tb_run_loop(run), &c->tcp);
    if (rc < 0) {
        conn_free(c);
        return NULL;
    }
    c->tcp.data = c;
    c->in_connect = true;
    struct sockaddr_storage ss;
    if (!resolve(opt->host, opt->port, &ss)) {
        conn_fail(c, "bad host", opt->host);
    } else {
        rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&ss, on_connect);
        if (rc < 0)
            conn_fail(c, "connect", uv_strerror(rc));
        else
            uv_tcp_nodelay(&c->tcp, 1);
    }
    c->in_connect = false;
    return c;
}

static void xmpp_send(tb_conn *c, int to_user, const char *text)
{
    if (c->state == ST_DEAD)
        return; /* tb_disconnected said it */
    if (c->state != ST_ONLINE) {
        tb_send_failed(c->run, c->user, "not logged in");
        return;
    }
    char name[256];
    tb_user_name(c->run, to_user, name, sizeof name);
    out_str(c, "<message type='chat' to='");
    out_esc(c, name);
    out_put(c, "@", 1);
    out_esc(c, tb_run_options(c->run)->domain);
    out_str(c, "'><body>");
    out_esc(c, text);
    out_str(c, "</body></message>");
    if (c->acks)
        c->unacked++;
    flush(c);
}

/* The stored (offline) messages come when the session turns available: sync sends the initial
 * presence if login deferred it, then a ping; ejabberd routes the stored messages to the session
 * while it handles the presence, before it reads the ping, so once the ping is answered every
 * stored message has been reported. */
static void xmpp_sync(tb_conn *c)
{
    if (c->state == ST_DEAD)
        return; /* the failure was reported */
    if (c->state != ST_ONLINE) {
        c->sync_on_login = true;
        return;
    }
    ack_barrier(c);
    if (!c->presence_sent) {
        out_str(c, "<presence/>");
        c->presence_sent = true;
    }
    c->syncs++;
    out_ping(c, "sync");
    flush(c);
}

static void xmpp_close(tb_conn *c)
{
    if (!c)
        return;
    c->owner_closed = true;
    if (c->handle_closed) {
        conn_free(c); /* the socket went away before */
        return;
    }
    c->state = ST_DEAD;
    close_handle(c); /* on_closed frees */
}

/* ------------------------------------------------------------------------------------------ */
/* Registration: POST /api/register on mod_http_api over a few blocking keep-alive connections,
 * driven by poll(). A user already registered (409) gets its password set with change_password
 * (mod_admin_extra), so re-runs are idempotent even when the secret changed. */

typedef struct {
    int fd;
    int user;   /* -1: idle */
    bool reset; /* the request is change_password */
    char req[1024];
    size_t reqlen, reqoff;
    char resp[4096];
    size_t resplen;
} reg_conn;

static int reg_open(const tb_options *opt)
{
    struct sockaddr_storage ss;
    if (!resolve(opt->host, opt->api_port, &ss))
        return -1;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    socklen_t sl =
        ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static size_t json_str(char *o, size_t room, const char *s)
{
    size_t n = 0;
    if (n < room)
        o[n++] = '"';
    for (; *s && n + 7 < room; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            o[n++] = '\\';
            o[n++] = (char)ch;
        } else if (ch < 0x20) {
            n += (size_t)snprintf(o + n, room - n, "\\u%04x", ch);
        } else {
            o[n++] = (char)ch;
        }
    }
    if (n < room)
        o[n++] = '"';
    return n;
}

static bool reg_build(tb_run *run, reg_conn *r, int user, bool reset)
{
    const tb_options *opt = tb_run_options(run);
    char name[256], body[768];
    tb_user_name(run, user, name, sizeof name);
    size_t bl = 0;
    bl += (size_t)snprintf(body + bl, sizeof body - bl, "{\"user\":");
    bl += json_str(body + bl, sizeof body - bl, name);
    bl += (size_t)snprintf(body + bl, sizeof body - bl, ",\"host\":");
    bl += json_str(body + bl, sizeof body - bl, opt->domain);
    bl += (size_t)snprintf(body + bl, sizeof body - bl, reset ? ",\"newpass\":" : ",\"password\":");
    bl += json_str(body + bl, sizeof body - bl, opt->secret);
    if (bl + 2 >= sizeof body)
        return false;
    body[bl++] = '}';
    int n = snprintf(r->req, sizeof r->req,
                     "POST /api/%s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%.*s",
                     reset ? "change_password" : "register", opt->host, opt->api_port, bl, (int)bl,
                     body);
    if (n < 0 || (size_t)n >= sizeof r->req)
        return false;
    r->reqlen = (size_t)n;
    r->reqoff = 0;
    r->resplen = 0;
    r->user = user;
    r->reset = reset;
    return true;
}

/* 1: a whole response is in resp (status and body set), 0: more to read, -1: malformed. */
static int reg_parse(reg_conn *r, int *status, const char **body, size_t *blen)
{
    const char *hend = find_seq(r->resp, r->resp + r->resplen, "\r\n\r\n");
    if (!hend)
        return r->resplen >= sizeof r->resp - 1 ? -1 : 0;
    if (sscanf(r->resp, "HTTP/1.%*d %d", status) != 1)
        return -1;
    size_t clen = 0;
    const char *p = r->resp;
    while (p < hend) {
        const char *eol = find_seq(p, hend + 2, "\r\n");
        if (!eol)
            break;
        if ((size_t)(eol - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
            clen = strtoul(p + 15, NULL, 10);
        p = eol + 2;
    }
    size_t have = r->resplen - (size_t)(hend + 4 - r->resp);
    if (clen >= sizeof r->resp - (size_t)(hend + 4 - r->resp))
        return -1;
    if (have < clen)
        return 0;
    *body = hend + 4;
    *blen = clen;
    return 1;
}

static bool xmpp_prepare(tb_run *run, int nusers)
{
    const tb_options *opt = tb_run_options(run);
    if (!opt->api_port || !opt->domain || !opt->secret) {
        fprintf(stderr, "xmpp: registration needs the api port, the domain and the secret\n");
        return false;
    }
    reg_conn rc[XMPP_REG_PARALLEL];
    int npar = nusers < XMPP_REG_PARALLEL ? nusers : XMPP_REG_PARALLEL;
    int next = 0, done = 0;
    bool ok = true;
    for (int i = 0; i < npar; i++) {
        rc[i].fd = reg_open(opt);
        rc[i].user = -1;
        if (rc[i].fd < 0) {
            fprintf(stderr, "xmpp: cannot connect to mod_http_api on %s:%d: %s\n", opt->host,
                    opt->api_port, strerror(errno));
            for (int j = 0; j < i; j++)
                close(rc[j].fd);
            return false;
        }
    }
    while (ok && done < nusers) {
        struct pollfd pf[XMPP_REG_PARALLEL];
        for (int i = 0; i < npar; i++) {
            if (rc[i].user < 0 && next < nusers) {
                if (!reg_build(run, &rc[i], next, false)) {
                    fprintf(stderr, "xmpp: user name, domain or secret too long\n");
                    ok = false;
                    break;
                }
                next++;
            }
            pf[i].fd = rc[i].fd;
            pf[i].events = rc[i].user < 0 ? 0 : rc[i].reqoff < rc[i].reqlen ? POLLOUT : POLLIN;
            pf[i].revents = 0;
        }
        if (!ok)
            break;
        if (poll(pf, (nfds_t)npar, 30000) <= 0) {
            fprintf(stderr, "xmpp: mod_http_api does not answer\n");
            ok = false;
            break;
        }
        for (int i = 0; i < npar && ok; i++) {
            reg_conn *r = &rc[i];
            if (!pf[i].revents || r->user < 0)
                continue;
            if (r->reqoff < r->reqlen) {
                ssize_t w = write(r->fd, r->req + r->reqoff, r->reqlen - r->reqoff);
                if (w < 0 && errno != EINTR && errno != EAGAIN) {
                    fprintf(stderr, "xmpp: register: write: %s\n", strerror(errno));
                    ok = false;
                } else if (w > 0) {
                    r->reqoff += (size_t)w;
                }
                continue;
            }
            ssize_t n = read(r->fd, r->resp + r->resplen, sizeof r->resp - 1 - r->resplen);
            if (n <= 0) {
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                    continue;
                fprintf(stderr, "xmpp: register: mod_http_api closed the connection\n");
                ok = false;
                break;
            }
            r->resplen += (size_t)n;
            r->resp[r->resplen] = 0;
            int status = 0;
            const char *body = NULL;
            size_t blen = 0;
            int pr = reg_parse(r, &status, &body, &blen);
            if (pr == 0)
                continue;
            if (pr < 0) {
                fprintf(stderr, "xmpp: register: malformed answer from mod_http_api\n");
                ok = false;
                break;
            }
            if (!r->reset && status == 409 && find_seq(body, body + blen, "already registered")) {
                if (!reg_build(run, r, r->user, true)) {
                    ok = false;
                    break;
                }
                continue;
            }
            /* change_password answers 200 with 0 (ok) or 1 */
            if (status != 200 || (r->reset && !(blen == 1 && body[0] == '0'))) {
                fprintf(stderr, "xmpp: %s user %d: HTTP %d %.*s\n",
                        r->reset ? "change_password" : "register", r->user, status, (int)blen,
                        body);
                ok = false;
                break;
            }
            r->user = -1;
            done++;
        }
    }
    for (int i = 0; i < npar; i++)
        close(rc[i].fd);
    return ok;
}

const tb_driver tb_driver_xmpp = {
    .name = "xmpp",
    .prepare = xmpp_prepare,
    .connect = xmpp_connect,
    .send = xmpp_send,
    .close = xmpp_close,
    .group_create = NULL,
    .group_send = NULL,
    .sync = xmpp_sync,
};
