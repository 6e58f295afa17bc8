/* Bump allocator over a list of chunks; a request typically fits in its first 4 KiB chunk.
 * Large allocations get a chunk of their own. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 4096
#define ALIGN      16

struct tn_arena_chunk {
    tn_arena_chunk *next;
    size_t cap;
    _Alignas(ALIGN) unsigned char data[];
};

static tn_arena_chunk *chunk_new(size_t cap, tn_arena_chunk *next)
{
    tn_arena_chunk *c = malloc(sizeof *c + cap);
    if (!c)
        abort();
    c->next = next;
    c->cap = cap;
    return c;
}

void tn_arena_init(tn_arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->first = NULL;
}

void tn_arena_init_in(tn_arena *a, void *buf, size_t size)
{
    tn_arena_init(a);
    if (((uintptr_t)buf & (ALIGN - 1)) || size <= sizeof(tn_arena_chunk))
        return; /* unusable: the arena simply allocates */
    tn_arena_chunk *c = buf;
    c->next = NULL;
    c->cap = size - sizeof *c;
    a->head = a->first = c;
}

void *tn_arena_alloc(tn_arena *a, size_t size)
{
    if (size > SIZE_MAX / 2)
        abort(); /* no request legitimately needs half the address space */
    size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (size == 0)
        size = ALIGN;
    if (a->head && a->used + size <= a->head->cap) {
        void *p = a->head->data + a->used;
        a->used += size;
        return p;
    }
    if (size > CHUNK_SIZE / 4) {
        /* A big block goes behind the head so the head's free space is not wasted. */
        tn_arena_chunk *c = chunk_new(size, a->head ? a->head->next : NULL);
        if (a->head)
            a->head->next = c;
        else {
            a->head = c;
            a->used = size;
        }
        return c->data;
    }
    a->head = chunk_new(CHUNK_SIZE, a->head);
    a->used = size;
    return a->head->data;
}

void *tn_arena_calloc(tn_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        abort();
    void *p = tn_arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}

char *tn_arena_strndup(tn_arena *a, const char *s, size_t n)
{
    char *p = tn_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *tn_arena_strdup(tn_arena *a, const char *s)
{
    return tn_arena_strndup(a, s, strlen(s));
}

void *tn_arena_grow(tn_arena *a, void *list, size_t *cap, size_t len, size_t elem)
{
    if (list && len < *cap)
        return list;
    size_t bigger = *cap ? *cap * 2 : 8;
    void *grown = tn_arena_alloc(a, bigger * elem);
    if (list && len)
        memcpy(grown, list, len * elem);
    *cap = bigger;
    return grown;
}

char *tn_arena_printf(tn_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = tn_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void tn_arena_free_all(tn_arena *a)
{
    tn_arena_chunk *c = a->head;
    while (c) {
        tn_arena_chunk *next = c->next;
        if (c != a->first)
            free(c);
        c = next;
    }
    /* ready for reuse, the caller's chunk first again */
    a->head = a->first;
    a->used = 0;
    if (a->first)
        a->first->next = NULL;
}
