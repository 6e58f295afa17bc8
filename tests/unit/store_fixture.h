/* Shared by the unit tests that need a real SQLite store: a unique database path under
 * TERN_TEST_TMP, opening it (failing the test on error) and removing it with its WAL files. */
#pragma once
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "arena.h"
#include "sqlite_store.h"

static inline const char *tn_test_tmp_dir(void)
{
    const char *d = getenv("TERN_TEST_TMP");
    return d && *d ? d : "/tmp";
}

/* <tmp>/<name>_<pid>_<n>.db, n counting up per call */
static inline void tn_test_db_path(char *out, size_t len, const char *name)
{
    static int seq;
    snprintf(out, len, "%s/%s_%d_%d.db", tn_test_tmp_dir(), name, (int)getpid(), ++seq);
}

/* The message log's segment files of the database at path ("<path>-log.<n>"). */
static inline size_t tn_test_log_segments(const char *path, glob_t *g)
{
    char pattern[600];
    snprintf(pattern, sizeof pattern, "%s-log.*", path);
    return glob(pattern, 0, NULL, g) == 0 ? g->gl_pathc : 0;
}

static inline void tn_test_remove_db(const char *path)
{
    char p[600];
    glob_t g;
    for (size_t i = 0, n = tn_test_log_segments(path, &g); i < n; i++)
        unlink(g.gl_pathv[i]);
    globfree(&g);
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static inline tn_store *tn_test_open_store(const char *path)
{
    char err[256] = "";
    tn_store *s = tn_sqlite_open(path, err, sizeof err);
    if (!s)
        fail_msg("tn_sqlite_open(%s): %s", path, err);
    return s;
}

/* A fresh store per test: a cmocka state holding the store, its file and a scratch arena. */
typedef struct tn_store_fixture {
    char path[512];
    tn_store *s;
    tn_arena arena;
} tn_store_fixture;

static inline int tn_store_fixture_setup(void **state, const char *name)
{
    tn_store_fixture *f = calloc(1, sizeof *f);
    tn_test_db_path(f->path, sizeof f->path, name);
    tn_test_remove_db(f->path);
    f->s = tn_test_open_store(f->path);
    tn_arena_init(&f->arena);
    *state = f;
    return 0;
}

static inline int tn_store_fixture_teardown(void **state)
{
    tn_store_fixture *f = *state;
    if (f->s)
        tn_store_close(f->s);
    tn_arena_free_all(&f->arena);
    tn_test_remove_db(f->path);
    free(f);
    return 0;
}

/* The head of a version log (created when absent), failing the test on error. */
static inline tn_version_head tn_test_version_head(tn_store_fixture *f, const char *app,
                                                   const char *coll, const char *key)
{
    tn_version_head h = {0};
    assert_int_equal(f->s->ops->version_head(f->s, app, coll, key, &f->arena, &h), TN_OK);
    return h;
}

/* The entries of a version log written after version `after`, failing the test on error. */
static inline tn_version_entry *tn_test_version_entries(tn_store_fixture *f, const char *app,
                                                        const char *coll, const char *key,
                                                        int64_t after, size_t *n)
{
    tn_version_entry *list;
    assert_int_equal(f->s->ops->version_entries(f->s, app, coll, key, after, &f->arena, &list, n),
                     TN_OK);
    return list;
}
