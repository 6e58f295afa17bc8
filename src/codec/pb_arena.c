/* protobuf-c's allocator interface over tn_arena: blocks are bump-allocated and released with
 * the arena, never one by one. */
#include "pb_arena.h"

static void *arena_alloc(void *arena, size_t size)
{
    return tn_arena_alloc(arena, size);
}

static void arena_free(void *arena, void *block)
{
    (void)arena;
    (void)block;
}

ProtobufCAllocator tn_pb_arena(tn_arena *a)
{
    return (ProtobufCAllocator){.alloc = arena_alloc, .free = arena_free, .allocator_data = a};
}
