/* tn_hmap implementation: FNV-1a hashing, growth at 3/4 load, keys owned by the map.
 * Tombstones keep probe chains intact; a rehash on growth drops them. */
#include "hmap.h"

#include <stdlib.h>
#include <string.h>

static char tomb_marker;
#define TOMB (&tomb_marker)

static uint64_t hash_bytes(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static tn_hmap_slot *find(const tn_hmap *m, const void *key, size_t len, uint64_t h)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        tn_hmap_slot *s = &m->slots[i];
        if (!s->key)
            return NULL;
        if (s->key != TOMB && s->hash == h && s->key_len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

static void grow(tn_hmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    while (m->count * 4 >= cap * 3)
        cap *= 2;
    tn_hmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        abort();
    for (size_t i = 0; i < m->cap; i++) {
        tn_hmap_slot *s = &m->slots[i];
        if (!s->key || s->key == TOMB)
            continue;
        size_t j = s->hash & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = *s;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    m->used = m->count;
}

void *tn_hmap_get(const tn_hmap *m, const void *key, size_t len)
{
    tn_hmap_slot *s = find(m, key, len, hash_bytes(key, len));
    return s ? s->value : NULL;
}

void *tn_hmap_put(tn_hmap *m, const void *key, size_t len, void *value)
{
    uint64_t h = hash_bytes(key, len);
    tn_hmap_slot *s = find(m, key, len, h);
    if (s) {
        void *old = s->value;
        s->value = value;
        return old;
    }
    if ((m->used + 1) * 4 >= m->cap * 3)
        grow(m);
    size_t mask = m->cap - 1;
    size_t i = h & mask;
    while (m->slots[i].key && m->slots[i].key != TOMB)
        i = (i + 1) & mask;
    s = &m->slots[i];
    if (!s->key)
        m->used++;
    s->key = malloc(len ? len : 1);
    if (!s->key)
        abort();
    memcpy(s->key, key, len);
    s->key_len = len;
    s->hash = h;
    s->value = value;
    m->count++;
    return NULL;
}

void *tn_hmap_del(tn_hmap *m, const void *key, size_t len)
{
    tn_hmap_slot *s = find(m, key, len, hash_bytes(key, len));
    if (!s)
        return NULL;
    void *old = s->value;
    free(s->key);
    s->key = TOMB;
    s->value = NULL;
    m->count--;
    return old;
}

void tn_hmap_free(tn_hmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != TOMB)
            free(m->slots[i].key);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

bool tn_hmap_next(const tn_hmap *m, size_t *pos, const char **key, size_t *len, void **value)
{
    for (; *pos < m->cap; (*pos)++) {
        const tn_hmap_slot *s = &m->slots[*pos];
        if (s->key && s->key != TOMB) {
            if (key)
                *key = s->key;
            if (len)
                *len = s->key_len;
            if (value)
                *value = s->value;
            (*pos)++;
            return true;
        }
    }
    return false;
}
