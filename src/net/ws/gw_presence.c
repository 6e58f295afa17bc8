/* Online-status subscriptions (reqIdentifier 2005): which connections watch which users, the
 * reply with current platforms, and a status push whenever a watched user's platforms change. */
#include <stdlib.h>
#include <string.h>

#include "gw_internal.h"
#include "pbw.h"
#include "sdkws.pb-c.h"

typedef struct gw_watchers {
    size_t n, cap;
    uint64_t *ids;
} gw_watchers;

static size_t user_key(tn_gateway *gw, const char *user_id, char *key, size_t cap)
{
    const char *app = gw->svc->cfg->app_id;
    size_t alen = strlen(app), ulen = strlen(user_id);
    if (alen + 1 + ulen > cap)
        return 0;
    memcpy(key, app, alen + 1);
    memcpy(key + alen + 1, user_id, ulen);
    return alen + 1 + ulen;
}

/* SubUserOnlineStatusElem{userID, onlinePlatformIDs (packed)} into b as field 1 of the tips. */
static void encode_status(tn_gateway *gw, tn_buf *b, const char *user_id)
{
    int32_t platforms[TN_PLATFORM_MAX];
    size_t n = tn_presence_platforms(gw->svc->presence, gw->svc->cfg->app_id, user_id, platforms,
                                     TN_PLATFORM_MAX);
    size_t elem = tn_pbw_open(b, 1);
    tn_pbw_string(b, 1, user_id);
    if (n) {
        size_t packed = tn_pbw_open(b, 2);
        for (size_t i = 0; i < n; i++)
            tn_pbw_varint(b, (uint64_t)platforms[i]);
        tn_pbw_close(b, packed);
    }
    tn_pbw_close(b, elem);
}

static void watch(tn_gateway *gw, const char *user_id, uint64_t id)
{
    char key[512];
    size_t len = user_key(gw, user_id, key, sizeof key);
    if (!len)
        return;
    gw_watchers *w = tn_hmap_get(&gw->watchers, key, len);
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w)
            abort();
        tn_hmap_put(&gw->watchers, key, len, w);
    }
    for (size_t i = 0; i < w->n; i++)
        if (w->ids[i] == id)
            return;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        w->ids = realloc(w->ids, w->cap * sizeof *w->ids);
        if (!w->ids)
            abort();
    }
    w->ids[w->n++] = id;
}

static void unwatch(tn_gateway *gw, const char *user_id, uint64_t id)
{
    char key[512];
    size_t len = user_key(gw, user_id, key, sizeof key);
    gw_watchers *w = len ? tn_hmap_get(&gw->watchers, key, len) : NULL;
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        if (w->ids[i] == id)
            w->ids[i--] = w->ids[--w->n];
    if (!w->n) {
        tn_hmap_del(&gw->watchers, key, len);
        free(w->ids);
        free(w);
    }
}

static void notify(gw_conn *c)
{
    tn_gateway *gw = c->gw;
    gw_watchers *w = tn_hmap_get(&gw->watchers, c->key, c->key_len);
    if (!w)
        return;
    tn_buf tips = {0};
    encode_status(gw, &tips, c->user_id);
    tn_ws_response resp = {.req_identifier = 2005, .data = tips.data, .data_len = tips.len};
    for (size_t i = 0; i < w->n; i++) {
        gw_conn *watcher = gw_conn_find(gw, w->ids[i]);
        if (watcher && watcher != c)
            gw_send_reply(watcher, &resp);
    }
    tn_buf_free(&tips);
}

void gw_presence_connected(gw_conn *c)
{
    notify(c);
}

void gw_presence_disconnected(gw_conn *c)
{
    notify(c);
    for (size_t i = 0; i < c->nsubs; i++) {
        unwatch(c->gw, c->subs[i], c->id);
        free(c->subs[i]);
    }
    free(c->subs);
    c->subs = NULL;
    c->nsubs = 0;
}

static void drop_sub(gw_conn *c, const char *user_id)
{
    for (size_t i = 0; i < c->nsubs; i++)
        if (strcmp(c->subs[i], user_id) == 0) {
            free(c->subs[i]);
            c->subs[i] = c->subs[--c->nsubs];
            return;
        }
}

void gw_presence_subscribe(gw_conn *c, gw_req *r)
{
    tn_gateway *gw = c->gw;
    Sdkws__SubUserOnlineStatus *q =
        sdkws__sub_user_online_status__unpack(NULL, r->req.data_len, r->req.data);
    if (!q) {
        r->err = TN_EARGS;
        snprintf(r->detail, sizeof r->detail, "data is not SubUserOnlineStatus");
        return;
    }
    for (size_t i = 0; i < q->n_unsubscribeuserid; i++) {
        unwatch(gw, q->unsubscribeuserid[i], c->id);
        drop_sub(c, q->unsubscribeuserid[i]);
    }
    for (size_t i = 0; i < q->n_subscribeuserid; i++) {
        const char *u = q->subscribeuserid[i];
        bool known = false;
        for (size_t j = 0; j < c->nsubs && !known; j++)
            known = strcmp(c->subs[j], u) == 0;
        if (!known && c->nsubs < 10000) {
            c->subs = realloc(c->subs, (c->nsubs + 1) * sizeof *c->subs);
            if (!c->subs)
                abort();
            c->subs[c->nsubs++] = strdup(u);
            watch(gw, u, c->id);
        }
        encode_status(gw, &r->data, u);
    }
    r->has_data = true;
    sdkws__sub_user_online_status__free_unpacked(q, NULL);
}
