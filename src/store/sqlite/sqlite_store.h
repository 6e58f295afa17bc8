/* The embedded default backend: one SQLite file in WAL mode, fsync on every commit.
 * Only main.c and tests include this; services see it through store.h alone. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* Opens (creating if needed) the database at path and brings its schema to the current version.
 * Returns NULL with a message in err on failure. */
tn_store *tn_sqlite_open(const char *path, char *err, size_t errlen);

/* Tests: holds the message indexer; a store closed while it is held keeps the unindexed
 * messages in its log only, as after a crash, and the next open replays them. */
void tn_sqlite_pause_indexer(tn_store *s, bool paused);
/* Test hooks: appends wait while max records are not indexed (0: the default bound); and how
 * many are not indexed now. */
void tn_sqlite_set_backlog_limit(tn_store *s, size_t max);
size_t tn_sqlite_unindexed(tn_store *s);
/* Test hook: fn runs inside a message append, after each lookup of an already indexed resend.
 * Set it while no append runs. */
void tn_sqlite_set_find_hook(tn_store *s, void (*fn)(void *), void *udata);
