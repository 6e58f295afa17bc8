/* The SQLite backend's message append path: the message log, the in-memory seqs and pending
 * records, and the indexer thread that turns logged records into rows. Backend-only. */
#pragma once
#include "sqlite_internal.h"

/* Replays what the log holds beyond the database's recorded position, then starts the indexer.
 * NULL with a message in err on failure. */
tn_sqlite_msgs *tn_sqlite_msgs_open(tn_sqlite_store *s, char *err, size_t errlen);
/* Indexes everything queued, syncs the database and removes the log files it no longer needs. */
void tn_sqlite_msgs_close(tn_sqlite_msgs *ms);
/* store.h's msgs_append: durable in the log when it returns, indexed shortly after. */
tn_err tn_sqlite_msgs_append(tn_store *s, const char *app, tn_msg_rec *msgs, size_t n,
                             bool *duplicate, tn_arena *a);
/* store.h's reads_begin / reads_end: one read transaction, no waiting for the indexer. */
tn_err tn_sqlite_reads_begin(tn_store *s);
void tn_sqlite_reads_end(tn_store *s);
/* Holds the indexer (tests: a store closed while paused leaves its records in the log only). */
void tn_sqlite_msgs_pause(tn_sqlite_msgs *ms, bool paused);
/* Test hooks: the unindexed-record bound appends wait on (0: the default), and the count now. */
void tn_sqlite_msgs_set_backlog(tn_sqlite_msgs *ms, size_t max);
size_t tn_sqlite_msgs_unindexed(tn_sqlite_msgs *ms);
/* Test hook: fn runs inside an append, after each lookup of a stored duplicate. Set it while
 * no append runs. */
void tn_sqlite_msgs_set_find_hook(tn_sqlite_msgs *ms, void (*fn)(void *), void *udata);
