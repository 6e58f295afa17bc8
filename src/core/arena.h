/* Per-request arenas: everything a request decodes, loads from the store or builds for its answer
 * lives here and is released at once when the answer has been written. Single-threaded use. */
#pragma once
#include <stddef.h>

typedef struct tn_arena_chunk tn_arena_chunk;

typedef struct tn_arena {
    tn_arena_chunk *head;
    size_t used;           /* bytes used in head */
    tn_arena_chunk *first; /* the caller's memory given to tn_arena_init_in: never freed */
} tn_arena;

void tn_arena_init(tn_arena *a);
/* An arena whose first chunk is the caller's size bytes at buf (16-byte aligned, outliving the
 * arena's use): an object that embeds one serves a small request without any allocation. */
void tn_arena_init_in(tn_arena *a, void *buf, size_t size);
/* Never returns NULL: running out of memory aborts, as there is no sane partial answer. */
void *tn_arena_alloc(tn_arena *a, size_t size);
void *tn_arena_calloc(tn_arena *a, size_t n, size_t size);
char *tn_arena_strdup(tn_arena *a, const char *s);
char *tn_arena_strndup(tn_arena *a, const char *s, size_t n);
/* Room for element `len` of a list growing in the arena: returns list itself when it has
 * room, else a copy with twice the capacity (the old block is left to the arena). */
void *tn_arena_grow(tn_arena *a, void *list, size_t *cap, size_t len, size_t elem);
char *tn_arena_printf(tn_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tn_arena_free_all(tn_arena *a);
