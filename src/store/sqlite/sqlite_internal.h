/* Shared plumbing of the SQLite backend's files: per-thread connections, the statement cache
 * (each file owns a range of slots), binding/reading helpers and transactions. Backend-only. */
#pragma once
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "store.h"
#include "store_friend.h"
#include "store_group.h"

#define TN_SQLITE_SLOTS 256
/* slot ranges, one per file: sqlite_store.c 0..47, sqlite_msgs.c 48..63,
 * sqlite_conversation.c 64..127, sqlite_friend.c 128..175, sqlite_group.c 176..252; the last 3:
 * BEGIN, COMMIT, ROLLBACK */
#define TN_SQLITE_MSGS_SLOT0   48
#define TN_SQLITE_CONV_SLOT0   64
#define TN_SQLITE_FRIEND_SLOT0 128
#define TN_SQLITE_GROUP_SLOT0  176

typedef struct tn_sqlite_store tn_sqlite_store;
typedef struct tn_sqlite_msgs tn_sqlite_msgs;

typedef struct tn_sqlite_conn {
    sqlite3 *db;
    tn_sqlite_store *store;
    bool snapshot; /* a read transaction opened by reads_begin is open */
    sqlite3_stmt *stmts[TN_SQLITE_SLOTS];
    struct tn_sqlite_conn *next;
} tn_sqlite_conn;

struct tn_sqlite_store {
    tn_store base;
    char *path;
    tn_sqlite_msgs *msgs; /* the message log and its indexer */
    pthread_key_t key;
    pthread_mutex_t mu; /* guards conns */
    tn_sqlite_conn *conns;
};

tn_err tn_sqlite_fail(sqlite3 *db, const char *what);
sqlite3 *tn_sqlite_open_db(const char *path, char *err, size_t errlen);
/* The calling thread's connection, opened on first use; NULL after logging on failure. */
tn_sqlite_conn *tn_sqlite_conn_get(tn_store *s);
/* The statement in slot, prepared from sql on first use; NULL after logging. */
sqlite3_stmt *tn_sqlite_stmt(tn_sqlite_conn *c, int slot, const char *sql);
void tn_sqlite_done(sqlite3_stmt *st);
void tn_sqlite_bind_text(sqlite3_stmt *st, int i, const char *v); /* NULL binds NULL */
const char *tn_sqlite_col_text(sqlite3_stmt *st, int i, tn_arena *a);
tn_err tn_sqlite_exec(tn_sqlite_conn *c, sqlite3_stmt *st); /* step once, reset */
/* Reads the current row of st into one list element. */
typedef void (*tn_sqlite_row_fn)(sqlite3_stmt *st, tn_arena *a, void *elem);
/* Steps st (bound) to its end and resets it, appending each row to list, a list of elem-byte
 * elements growing in a (*count and *cap start at 0 and carry over between calls); returns the
 * list, which moves as it grows. *e: TN_OK, or the failure (logged as what). */
void *tn_sqlite_rows(tn_sqlite_conn *c, sqlite3_stmt *st, tn_arena *a, void *list, size_t elem,
                     size_t *count, size_t *cap, tn_sqlite_row_fn read, const char *what,
                     tn_err *e);
/* A tn_sqlite_row_fn for lists of strings: the first column. */
void tn_sqlite_read_id(sqlite3_stmt *st, tn_arena *a, void *elem);
/* BEGIN IMMEDIATE, once every acknowledged message is indexed (a write sees them all). */
tn_err tn_sqlite_begin(tn_sqlite_conn *c);
/* BEGIN IMMEDIATE without that wait: the indexer's own transactions. */
tn_err tn_sqlite_begin_nowait(tn_sqlite_conn *c);
tn_err tn_sqlite_end(tn_sqlite_conn *c, tn_err e); /* commit if e == TN_OK, else roll back */
void tn_sqlite_close_conns(tn_sqlite_store *s);

/* Waits until every message acknowledged so far is indexed, so that a read of messages, seqs or
 * conversations sees it. No wait inside reads_begin (the writer's checks read the committed
 * state). TN_EDATABASE if the indexer is stuck. */
tn_err tn_sqlite_wait_indexed(tn_sqlite_store *s);

#define TN_SQLITE_WAIT(s)                                                                          \
    do {                                                                                           \
        tn_err wait_err_ = tn_sqlite_wait_indexed((tn_sqlite_store *)(s));                         \
        if (wait_err_)                                                                             \
            return wait_err_;                                                                      \
    } while (0)

/* the op tables of the other files, wired into the store by sqlite_store.c */
extern const tn_friend_store_ops tn_sqlite_friend_ops;
extern const tn_group_store_ops tn_sqlite_group_ops;

#define TN_SQLITE_CONN(s, c)                                                                       \
    tn_sqlite_conn *c = tn_sqlite_conn_get(s);                                                     \
    if (!c)                                                                                        \
    return TN_EDATABASE

#define TN_SQLITE_STMT(c, st, slot, sql)                                                           \
    sqlite3_stmt *st = tn_sqlite_stmt(c, slot, sql);                                               \
    if (!st)                                                                                       \
    return TN_EDATABASE
