/* SQLite's unix VFS with paced syncs: the database and WAL files remember what was written since
 * their last sync, and a sync writes that back a window at a time before the real fsync. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sync_file_range */
#endif
#include "paced_vfs.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A WAL checkpoint writes up to 4 MiB to the database file and then syncs it: all of it reaches
 * the disk queue at once, and the message log's fdatasync, which an acknowledgement waits for,
 * queues behind it. Written back PACE_WINDOW bytes at a time, each window waited for, the log's
 * sync waits for one window at most. */
#define PACE_WINDOW (256 * 1024)

typedef struct written {
    int64_t off, len;
} written;

/* Lives right behind the unix VFS's own file object, in the same allocation. */
typedef struct paced {
    const sqlite3_io_methods *real; /* the unix VFS's methods for this file */
    int fd; /* our own descriptor of the file, for sync_file_range; -1: not paced */
    written *runs;
    size_t n, cap;
} paced;

static sqlite3_vfs *unix_vfs;
static size_t extra_at; /* where our part of a file object starts: behind the unix VFS's */
static sqlite3_vfs paced_vfs;
/* The unix VFS gives database files and journal/WAL files different method tables (with and
 * without locking); each gets a paced copy. */
#define METHOD_TABLES 4
static struct {
    const sqlite3_io_methods *real;
    sqlite3_io_methods paced;
} tables[METHOD_TABLES];
static atomic_uint_fast64_t windows_written;

static paced *extra_of(sqlite3_file *f)
{
    return (paced *)((char *)f + extra_at);
}

static void note_write(paced *p, int64_t off, int64_t len)
{
    if (p->n && p->runs[p->n - 1].off + p->runs[p->n - 1].len == off) {
        p->runs[p->n - 1].len += len;
        return;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        written *grown = realloc(p->runs, cap * sizeof *grown);
        if (!grown)
            return; /* unpaced then: the real sync still makes it durable */
        p->runs = grown;
        p->cap = cap;
    }
    p->runs[p->n++] = (written){off, len};
}

static int cmp_run(const void *a, const void *b)
{
    int64_t x = ((const written *)a)->off, y = ((const written *)b)->off;
    return x < y ? -1 : x > y;
}

/* Writes back what was written since the last sync, window by window, each one finished before
 * the next starts. Durability still comes from the real sync that follows. */
static void write_back(paced *p)
{
    qsort(p->runs, p->n, sizeof *p->runs, cmp_run);
    size_t i = 0;
    while (i < p->n) {
        /* runs less than a window apart go back as one span (clean pages cost nothing) */
        int64_t from = p->runs[i].off, to = from + p->runs[i].len;
        for (i++; i < p->n && p->runs[i].off <= to + PACE_WINDOW; i++) {
            int64_t end = p->runs[i].off + p->runs[i].len;
            to = end > to ? end : to;
        }
        for (int64_t at = from; at < to; at += PACE_WINDOW) {
            int64_t len = to - at < PACE_WINDOW ? to - at : PACE_WINDOW;
            sync_file_range(p->fd, at, len,
                            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                SYNC_FILE_RANGE_WAIT_AFTER);
            atomic_fetch_add(&windows_written, 1);
        }
    }
    p->n = 0;
}

static int paced_write(sqlite3_file *f, const void *data, int amount, sqlite3_int64 offset)
{
    paced *p = extra_of(f);
    int rc = p->real->xWrite(f, data, amount, offset);
    if (rc == SQLITE_OK)
        note_write(p, offset, amount);
    return rc;
}

static int paced_sync(sqlite3_file *f, int flags)
{
    paced *p = extra_of(f);
    if (p->n)
        write_back(p);
    return p->real->xSync(f, flags);
}

static int paced_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    paced *p = extra_of(f);
    p->n = 0; /* what lay past the new end is gone; what lies before it the sync still covers */
    return p->real->xTruncate(f, size);
}

static int paced_close(sqlite3_file *f)
{
    paced *p = extra_of(f);
    if (p->fd >= 0)
        close(p->fd);
    free(p->runs);
    p->runs = NULL;
    return p->real->xClose(f);
}

/* The paced copy of a unix method table, made on first use; NULL when the slots are full. */
static const sqlite3_io_methods *paced_table(const sqlite3_io_methods *real)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    const sqlite3_io_methods *found = NULL;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < METHOD_TABLES && !found; i++) {
        if (!tables[i].real) {
            tables[i].real = real;
            tables[i].paced = *real;
            tables[i].paced.xWrite = paced_write;
            tables[i].paced.xSync = paced_sync;
            tables[i].paced.xTruncate = paced_truncate;
            tables[i].paced.xClose = paced_close;
        }
        if (tables[i].real == real)
            found = &tables[i].paced;
    }
    pthread_mutex_unlock(&mu);
    return found;
}

static int paced_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
                      int *out_flags)
{
    (void)vfs;
    paced *p = extra_of(f);
    *p = (paced){.fd = -1};
    int rc = unix_vfs->xOpen(unix_vfs, name, f, flags, out_flags);
    if (rc != SQLITE_OK || !f->pMethods || !name ||
        !(flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)))
        return rc;
    const sqlite3_io_methods *methods = paced_table(f->pMethods);
    if (!methods)
        return rc; /* more method tables than expected: this file is left as it is */
    p->fd = open(name, O_RDONLY | O_CLOEXEC);
    if (p->fd >= 0) {
        p->real = f->pMethods;
        f->pMethods = methods;
    }
    return rc;
}

static void register_vfs(void)
{
    unix_vfs = sqlite3_vfs_find("unix");
    if (!unix_vfs)
        return;
    extra_at = ((size_t)unix_vfs->szOsFile + _Alignof(paced) - 1) & ~(_Alignof(paced) - 1);
    paced_vfs = *unix_vfs;
    paced_vfs.zName = "tern-paced";
    paced_vfs.szOsFile = (int)(extra_at + sizeof(paced));
    paced_vfs.xOpen = paced_open;
    paced_vfs.pNext = NULL;
    sqlite3_vfs_register(&paced_vfs, 1);
}

void tn_sqlite_paced_vfs_register(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_vfs);
}

uint64_t tn_sqlite_paced_windows(void)
{
    return atomic_load(&windows_written);
}
