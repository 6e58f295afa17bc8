/* Push delivery: every push reaches each live connection of its users, in arrival order; a
 * group's members are walked a slice per loop iteration so a huge group never stalls the loop. */
#include <stdlib.h>
#include <string.h>

#include "group_view.h"
#include "gw_internal.h"

/* Member lookups per loop iteration before other connections get their turn. */
#define FANOUT_SLICE 2048

typedef struct gw_fanout {
    struct gw_fanout *next;
    tn_push *push;
    tn_refbuf *cache[4]; /* the push's frame per codec and compression, encoded once */
    size_t cursor;       /* next group member to visit */
    bool targets_done;
} gw_fanout;

/* Every live connection of one user (key "<app>\0<userID>"). */
static void deliver_user(tn_gateway *gw, gw_fanout *f, const char *key, size_t key_len,
                         const char *user_id)
{
    tn_push *p = f->push;
    bool hold = *p->hold_user && strcmp(p->hold_user, user_id) == 0;
    for (gw_conn *c = tn_hmap_get(&gw->users, key, key_len), *next; c; c = next) {
        next = c->user_next;
        /* an iOS app in the background gets offline push instead (OpenIM's rule) */
        if (c->state != GW_OPEN || (c->platform == 1 && c->background))
            continue;
        tn_refbuf *frame = gw_push_frame(p, f->cache, c->codec, c->gzip);
        /* the sender's own copy trails its reply; a later push never overtakes a held one, so
         * the SDK sees a conversation's seqs in order */
        if (hold || c->id == p->origin_conn || c->delayed)
            gw_delay_frame(gw, c, frame);
        else
            gw_write_frame(c, frame);
    }
}

static void deliver_id(tn_gateway *gw, gw_fanout *f, const char *user_id)
{
    const char *app = gw->svc->cfg->app_id;
    size_t alen = strlen(app), ulen = strlen(user_id);
    char key[512];
    if (alen + 1 + ulen > sizeof key)
        return;
    memcpy(key, app, alen + 1);
    memcpy(key + alen + 1, user_id, ulen);
    deliver_user(gw, f, key, alen + 1 + ulen, user_id);
}

/* Delivers up to *budget lookups of f; true when f is complete. */
static bool step(tn_gateway *gw, gw_fanout *f, size_t *budget)
{
    tn_push *p = f->push;
    tn_group_view *g = p->group;
    if (!f->targets_done) {
        for (size_t i = 0; i < p->target_count; i++)
            if (!g || !tn_group_view_find(g, p->targets[i])) /* members come below */
                deliver_id(gw, f, p->targets[i]);
        f->targets_done = true;
    }
    if (!g)
        return true;
    size_t online = gw->users.count;
    if (f->cursor == 0 && online * 4 < g->count) {
        /* far fewer users online than members left: walk the online ones instead, so offline
         * members cost nothing */
        const char *app = gw->svc->cfg->app_id;
        size_t alen = strlen(app), pos = 0, len;
        const char *key;
        while (tn_hmap_next(&gw->users, &pos, &key, &len, NULL)) {
            if (len <= alen || memcmp(key, app, alen + 1) != 0)
                continue;
            char user_id[TN_ID_MAX + 1];
            size_t ulen = len - alen - 1;
            if (ulen > TN_ID_MAX)
                continue;
            memcpy(user_id, key + alen + 1, ulen);
            user_id[ulen] = 0;
            if (tn_group_view_find(g, user_id))
                deliver_user(gw, f, key, len, user_id);
        }
        *budget = *budget > online ? *budget - online : 0;
        return true;
    }
    while (f->cursor < g->count && *budget) {
        deliver_id(gw, f, g->members[f->cursor++].user_id);
        (*budget)--;
    }
    return f->cursor == g->count;
}

static void fanout_free(gw_fanout *f)
{
    for (int i = 0; i < 4; i++)
        tn_refbuf_unref(f->cache[i]);
    tn_push_free(f->push);
    free(f);
}

static void on_idle(uv_idle_t *idle);

static void run(tn_gateway *gw)
{
    size_t budget = FANOUT_SLICE;
    while (gw->fanout_head && budget) {
        gw_fanout *f = gw->fanout_head;
        if (!step(gw, f, &budget))
            break;
        gw->fanout_head = f->next;
        if (!gw->fanout_head)
            gw->fanout_tail = NULL;
        fanout_free(f);
    }
    /* unfinished: go on next iteration, after the loop has polled for other connections */
    if (gw->fanout_head && !uv_is_active((uv_handle_t *)&gw->fanout_idle))
        uv_idle_start(&gw->fanout_idle, on_idle);
    else if (!gw->fanout_head && uv_is_active((uv_handle_t *)&gw->fanout_idle))
        uv_idle_stop(&gw->fanout_idle);
}

static void on_idle(uv_idle_t *idle)
{
    run(idle->data);
}

void gw_fanout_add(tn_gateway *gw, tn_push *p)
{
    gw_fanout *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    f->push = p;
    if (gw->fanout_tail)
        gw->fanout_tail->next = f;
    else
        gw->fanout_head = f;
    gw->fanout_tail = f;
    if (!uv_is_active((uv_handle_t *)&gw->fanout_idle))
        run(gw); /* nothing ahead of it: deliver now */
}

void gw_fanout_stop(tn_gateway *gw)
{
    for (gw_fanout *f = gw->fanout_head, *next; f; f = next) {
        next = f->next;
        fanout_free(f);
    }
    gw->fanout_head = gw->fanout_tail = NULL;
}
