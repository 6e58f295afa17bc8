/* Connection and statement plumbing for the SQLite backend: one connection per calling thread
 * (WAL, synchronous=FULL, busy timeout), lazily prepared persistent statements, transactions. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "paced_vfs.h"
#include "sqlite_internal.h"

tn_err tn_sqlite_fail(sqlite3 *db, const char *what)
{
    tn_log_error(NULL, "sqlite: %s: %s", what, sqlite3_errmsg(db));
    return TN_EDATABASE;
}

/* SQLite counts every allocation under one process-wide mutex unless told not to; with the
 * writer and the indexer both busy that mutex was a tenth of the writer's time. Files go through
 * the paced VFS, so a checkpoint's write-back does not queue ahead of the message log's sync. */
static void configure_library(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    tn_sqlite_paced_vfs_register();
}

sqlite3 *tn_sqlite_open_db(const char *path, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_library);
    sqlite3 *db = NULL;
    /* NOMUTEX: a connection belongs to one thread, so SQLite's own locking would be waste */
    int rc = sqlite3_open_v2(
        path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "no memory");
        sqlite3_close(db);
        return NULL;
    }
    /* FULL: a commit returns only after the WAL is fsync'd, so an acknowledged write survives
     * kill -9 and power loss. Throughput comes from batching, not from weaker syncs. */
    const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          "PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    sqlite3_busy_timeout(db, 10000);
    if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

tn_sqlite_conn *tn_sqlite_conn_get(tn_store *base)
{
    tn_sqlite_store *s = (tn_sqlite_store *)base;
    tn_sqlite_conn *c = pthread_getspecific(s->key);
    if (c)
        return c;
    char err[256];
    sqlite3 *db = tn_sqlite_open_db(s->path, err, sizeof err);
    if (!db) {
        tn_log_error(NULL, "sqlite: %s", err);
        return NULL;
    }
    c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->db = db;
    c->store = s;
    pthread_mutex_lock(&s->mu);
    c->next = s->conns;
    s->conns = c;
    pthread_mutex_unlock(&s->mu);
    pthread_setspecific(s->key, c);
    return c;
}

sqlite3_stmt *tn_sqlite_stmt(tn_sqlite_conn *c, int slot, const char *sql)
{
    if (!c->stmts[slot] && sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                              &c->stmts[slot], NULL) != SQLITE_OK) {
        tn_sqlite_fail(c->db, sql);
        return NULL;
    }
    return c->stmts[slot];
}

void tn_sqlite_done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

void tn_sqlite_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

const char *tn_sqlite_col_text(sqlite3_stmt *st, int i, tn_arena *a)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return tn_arena_strndup(a, t ? (const char *)t : "", (size_t)sqlite3_column_bytes(st, i));
}

void *tn_sqlite_rows(tn_sqlite_conn *c, sqlite3_stmt *st, tn_arena *a, void *list, size_t elem,
                     size_t *count, size_t *cap, tn_sqlite_row_fn read, const char *what, tn_err *e)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list = tn_arena_grow(a, list, cap, *count, elem);
        read(st, a, (char *)list + elem * (*count)++);
    }
    tn_sqlite_done(st);
    *e = rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, what);
    return list;
}

void tn_sqlite_read_id(sqlite3_stmt *st, tn_arena *a, void *elem)
{
    *(const char **)elem = tn_sqlite_col_text(st, 0, a);
}

tn_err tn_sqlite_exec(tn_sqlite_conn *c, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    tn_err e =
        (rc == SQLITE_DONE || rc == SQLITE_ROW) ? TN_OK : tn_sqlite_fail(c->db, sqlite3_sql(st));
    tn_sqlite_done(st);
    return e;
}

static tn_err run(tn_sqlite_conn *c, const char *sql)
{
    /* BEGIN/COMMIT/ROLLBACK share the last three slots of the cache */
    int slot = sql[0] == 'B'   ? TN_SQLITE_SLOTS - 3
               : sql[0] == 'C' ? TN_SQLITE_SLOTS - 2
                               : TN_SQLITE_SLOTS - 1;
    sqlite3_stmt *st = tn_sqlite_stmt(c, slot, sql);
    return st ? tn_sqlite_exec(c, st) : TN_EDATABASE;
}

tn_err tn_sqlite_begin_nowait(tn_sqlite_conn *c)
{
    if (c->snapshot) {
        /* a write inside the writer's read batch: the batch goes on in autocommit reads */
        run(c, "COMMIT");
        c->snapshot = false;
    }
    return run(c, "BEGIN IMMEDIATE");
}

tn_err tn_sqlite_begin(tn_sqlite_conn *c)
{
    tn_err e = tn_sqlite_wait_indexed(c->store);
    return e ? e : tn_sqlite_begin_nowait(c);
}

tn_err tn_sqlite_end(tn_sqlite_conn *c, tn_err e)
{
    if (e == TN_OK) {
        e = run(c, "COMMIT");
        if (e == TN_OK)
            return TN_OK;
    }
    if (!sqlite3_get_autocommit(c->db))
        run(c, "ROLLBACK");
    return e;
}

void tn_sqlite_close_conns(tn_sqlite_store *s)
{
    for (tn_sqlite_conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        for (int i = 0; i < TN_SQLITE_SLOTS; i++)
            sqlite3_finalize(c->stmts[i]);
        sqlite3_close(c->db);
        free(c);
    }
    s->conns = NULL;
}
