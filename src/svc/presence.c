/* Presence table: key "<app>\0<user>" → connection counts per platform ID. A user leaves the
 * table when the last connection goes, so memory follows the online population. */
#include "presence.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"

struct tn_presence {
    pthread_mutex_t mu;
    tn_hmap users; /* → uint32_t counts[TN_PLATFORM_MAX + 1] */
};

static size_t make_key(char *key, size_t cap, const char *app, const char *user_id)
{
    size_t a = strlen(app), u = strlen(user_id);
    if (a + 1 + u > cap)
        u = cap - a - 1;
    memcpy(key, app, a);
    key[a] = 0;
    memcpy(key + a + 1, user_id, u);
    return a + 1 + u;
}

tn_presence *tn_presence_new(void)
{
    tn_presence *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    pthread_mutex_init(&p->mu, NULL);
    return p;
}

void tn_presence_free(tn_presence *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->users.cap; i++)
        if (p->users.slots[i].key)
            free(p->users.slots[i].value);
    tn_hmap_free(&p->users);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

void tn_presence_add(tn_presence *p, const char *app, const char *user_id, int32_t platform_id)
{
    if (!tn_platform_valid(platform_id))
        return;
    char key[512];
    size_t len = make_key(key, sizeof key, app, user_id);
    pthread_mutex_lock(&p->mu);
    uint32_t *counts = tn_hmap_get(&p->users, key, len);
    if (!counts) {
        counts = calloc(TN_PLATFORM_MAX + 1, sizeof *counts);
        if (!counts)
            abort();
        tn_hmap_put(&p->users, key, len, counts);
    }
    counts[platform_id]++;
    pthread_mutex_unlock(&p->mu);
}

void tn_presence_remove(tn_presence *p, const char *app, const char *user_id, int32_t platform_id)
{
    if (!tn_platform_valid(platform_id))
        return;
    char key[512];
    size_t len = make_key(key, sizeof key, app, user_id);
    pthread_mutex_lock(&p->mu);
    uint32_t *counts = tn_hmap_get(&p->users, key, len);
    if (counts && counts[platform_id]) {
        counts[platform_id]--;
        bool any = false;
        for (int i = 0; i <= TN_PLATFORM_MAX && !any; i++)
            any = counts[i] != 0;
        if (!any)
            free(tn_hmap_del(&p->users, key, len));
    }
    pthread_mutex_unlock(&p->mu);
}

size_t tn_presence_platforms(tn_presence *p, const char *app, const char *user_id, int32_t *out,
                             size_t max)
{
    char key[512];
    size_t len = make_key(key, sizeof key, app, user_id), n = 0;
    pthread_mutex_lock(&p->mu);
    uint32_t *counts = tn_hmap_get(&p->users, key, len);
    for (int i = 1; counts && i <= TN_PLATFORM_MAX && n < max; i++)
        if (counts[i])
            out[n++] = i;
    pthread_mutex_unlock(&p->mu);
    return n;
}
