/* The group snapshot cache: one immutable view per group, shared by reference between the send
 * path, notifications and the gateway's fan-out; a write drops the view, the next read rebuilds. */
#include "group_view.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "store_group.h"

struct tn_group_views {
    pthread_mutex_t mu;
    tn_hmap map;         /* groupID -> tn_group_view (one reference held by the map) */
    uint64_t generation; /* +1 per invalidation: a load that raced one is not cached */
};

tn_group_views *tn_group_views_new(void)
{
    tn_group_views *gv = calloc(1, sizeof *gv);
    if (!gv)
        abort();
    pthread_mutex_init(&gv->mu, NULL);
    return gv;
}

void tn_group_views_free(tn_group_views *gv)
{
    if (!gv)
        return;
    size_t pos = 0;
    void *v;
    while (tn_hmap_next(&gv->map, &pos, NULL, NULL, &v))
        tn_group_view_put(v);
    tn_hmap_free(&gv->map);
    pthread_mutex_destroy(&gv->mu);
    free(gv);
}

tn_group_view *tn_group_view_ref(tn_group_view *v)
{
    atomic_fetch_add(&v->refs, 1);
    return v;
}

void tn_group_view_put(tn_group_view *v)
{
    if (v && atomic_fetch_sub(&v->refs, 1) == 1)
        free(v); /* one block: members and strings live behind the struct */
}

static int by_user(const void *key, const void *elem)
{
    return strcmp(key, ((const tn_group_view_member *)elem)->user_id);
}

const tn_group_view_member *tn_group_view_find(const tn_group_view *v, const char *user_id)
{
    return bsearch(user_id, v->members, v->count, sizeof *v->members, by_user);
}

/* One allocation holding the struct, the member array and every string; m comes sorted by
 * user_id (store_group.h's members_all), which bsearch relies on. */
static tn_group_view *build(const tn_group *g, const tn_group_member *m, size_t n)
{
    size_t bytes =
        sizeof(tn_group_view) + n * sizeof(tn_group_view_member) + strlen(g->group_id) + 1;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(m[i].user_id) + 1;
    tn_group_view *v = malloc(bytes);
    if (!v)
        abort();
    atomic_init(&v->refs, 1);
    v->status = g->status;
    v->count = n;
    v->members = (tn_group_view_member *)(v + 1);
    char *p = (char *)(v->members + n);
    size_t len = strlen(g->group_id) + 1;
    v->group_id = memcpy(p, g->group_id, len);
    p += len;
    for (size_t i = 0; i < n; i++) {
        len = strlen(m[i].user_id) + 1;
        v->members[i] = (tn_group_view_member){memcpy(p, m[i].user_id, len), m[i].role_level,
                                               m[i].mute_end_time};
        p += len;
    }
    return v;
}

tn_err tn_group_view_get(tn_svc *svc, tn_ctx *ctx, const char *group_id, tn_group_view **out)
{
    tn_group_views *gv = svc->group_views;
    *out = NULL;
    pthread_mutex_lock(&gv->mu);
    tn_group_view *v = tn_hmap_gets(&gv->map, group_id);
    if (v)
        tn_group_view_ref(v);
    uint64_t generation = gv->generation;
    pthread_mutex_unlock(&gv->mu);
    if (v) {
        *out = v;
        return TN_OK;
    }
    const tn_group_store_ops *ops = svc->store->groups;
    tn_arena arena;
    tn_arena_init(&arena);
    tn_group *g;
    tn_group_member *m = NULL;
    size_t ng = 0, nm = 0;
    tn_err e = ops->groups_get(svc->store, ctx->app_id, &group_id, 1, &arena, &g, &ng);
    if (e == TN_OK && ng)
        e = ops->members_all(svc->store, ctx->app_id, group_id, &arena, &m, &nm);
    if (e == TN_OK && ng) {
        v = build(g, m, nm);
        pthread_mutex_lock(&gv->mu);
        if (gv->generation == generation) {
            tn_group_view *old = tn_hmap_puts(&gv->map, group_id, tn_group_view_ref(v));
            if (old)
                tn_group_view_put(old);
        }
        pthread_mutex_unlock(&gv->mu);
        *out = v;
    }
    tn_arena_free_all(&arena);
    return e;
}

void tn_group_view_invalidate(tn_svc *svc, const char *group_id)
{
    tn_group_views *gv = svc->group_views;
    pthread_mutex_lock(&gv->mu);
    gv->generation++;
    tn_group_view *old = tn_hmap_dels(&gv->map, group_id);
    pthread_mutex_unlock(&gv->mu);
    tn_group_view_put(old);
}
