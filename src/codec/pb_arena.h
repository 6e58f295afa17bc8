/* protobuf-c decodes into an arena: every block of an unpacked message comes from the arena and
 * goes with it, so a decode on the message path makes no allocation of its own. */
#pragma once
#include <protobuf-c/protobuf-c.h>

#include "arena.h"

/* For unpack calls; free_unpacked with it frees nothing (the arena does, later). */
ProtobufCAllocator tn_pb_arena(tn_arena *a);
