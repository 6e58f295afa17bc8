/* The message log: append-only segment files of checksummed records, made durable with one
 * write and one fdatasync per batch. It knows bytes and files only, never SQLite. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* A segment is rotated once it holds this much; the indexer then removes the old one. */
#define TN_MSG_LOG_SEGMENT_BYTES (64u << 20)

/* A place in the log: the byte just after a record. */
typedef struct tn_log_pos {
    uint64_t segment;
    uint64_t offset;
} tn_log_pos;

typedef struct tn_msg_log tn_msg_log;

/* Framing: a record is appended to b as [u32 length][u32 crc32][payload]. Call begin, append the
 * payload to b, then end with begin's result. */
size_t tn_msg_log_frame_begin(tn_buf *b);
void tn_msg_log_frame_end(tn_buf *b, size_t at);

/* Opens segment number `segment` of the log at base (files are "<base>-log.<number>"), created
 * empty; the directory is synced so the new file survives a crash. */
tn_msg_log *tn_msg_log_open(const char *base, uint64_t segment, char *err, size_t errlen);
void tn_msg_log_close(tn_msg_log *l);
/* Writes framed records and syncs them. *end: the log position after them. A failed write is
 * zeroed again and may be retried; after a failed sync the log refuses every later append
 * (what reached the disk is unknown), so the process must restart and replay. */
tn_err tn_msg_log_append(tn_msg_log *l, const uint8_t *data, size_t len, tn_log_pos *end);
/* Starts the next segment once the current one is full; false (logged) if it cannot. */
bool tn_msg_log_rotate_if_full(tn_msg_log *l);

/* The segment numbers present at base, ascending, in a malloc'd array (NULL when none). */
tn_err tn_msg_log_list(const char *base, uint64_t **segments, size_t *count);
tn_err tn_msg_log_remove(const char *base, uint64_t segment);
/* Renames every segment to "<segment>.orphaned", out of the replay's way: for a database created
 * anew next to the log of one that was deleted, whose records must not reappear in it. */
tn_err tn_msg_log_set_aside(const char *base);

/* Calls fn for each whole record of a segment from offset on, in order; stops at the end or at
 * the first torn or corrupt record (*clean false then). fn returning false stops too. */
typedef bool (*tn_msg_log_record_fn)(const uint8_t *payload, size_t len, tn_log_pos end,
                                     void *udata);
tn_err tn_msg_log_replay(const char *base, uint64_t segment, uint64_t offset,
                         tn_msg_log_record_fn fn, void *udata, bool *clean);
