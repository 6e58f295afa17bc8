/* A hash map from byte-string keys to pointers (open addressing, linear probing, tombstones).
 * The map copies keys; values are the caller's. Not thread-safe: one owner thread. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct tn_hmap_slot {
    char *key; /* NULL = empty; TN_HMAP_TOMB = deleted */
    size_t key_len;
    uint64_t hash;
    void *value;
} tn_hmap_slot;

typedef struct tn_hmap {
    tn_hmap_slot *slots;
    size_t cap;  /* power of two, or 0 */
    size_t used; /* live + tombstones */
    size_t count;
} tn_hmap;

void *tn_hmap_get(const tn_hmap *m, const void *key, size_t len);
/* Inserts or replaces; returns the previous value (NULL if none). */
void *tn_hmap_put(tn_hmap *m, const void *key, size_t len, void *value);
/* Removes; returns the removed value (NULL if absent). */
void *tn_hmap_del(tn_hmap *m, const void *key, size_t len);
void tn_hmap_free(tn_hmap *m);
/* Iteration: start with *pos = 0; each call yields the next live entry (false at the end). The
 * map must not change meanwhile. */
bool tn_hmap_next(const tn_hmap *m, size_t *pos, const char **key, size_t *len, void **value);

/* NUL-terminated string keys */
#define tn_hmap_gets(m, s)    tn_hmap_get((m), (s), strlen(s))
#define tn_hmap_puts(m, s, v) tn_hmap_put((m), (s), strlen(s), (v))
#define tn_hmap_dels(m, s)    tn_hmap_del((m), (s), strlen(s))
