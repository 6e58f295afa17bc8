/* Unit tests for store/sqlite/paced_vfs: connections open their files through it, a checkpoint's
 * syncs write back in windows before the real sync, and the data reads back whole. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "paced_vfs.h"
#include "store_fixture.h"

static sqlite3 *open_db(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                     SQLITE_OK);
    return db;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* 4 MiB through the WAL into the database: the checkpoint syncs both files, each written back in
 * windows of 256 KiB (16 or more per file) before its fsync; nothing is lost on the way. */
static void test_checkpoint_written_back_in_windows(void **state)
{
    (void)state;
    char path[512];
    tn_test_db_path(path, sizeof path, "paced_vfs_test");
    tn_sqlite_paced_vfs_register();
    assert_string_equal(sqlite3_vfs_find(NULL)->zName, "tern-paced");
    sqlite3 *db = open_db(path);
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;"
             "CREATE TABLE t(n INTEGER PRIMARY KEY, b BLOB NOT NULL);");
    exec(db, "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 2000) "
             "INSERT INTO t SELECT n, randomblob(2048) FROM k");
    uint64_t before = tn_sqlite_paced_windows();
    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    uint64_t windows = tn_sqlite_paced_windows() - before;
    if (windows < 32)
        fail_msg("the checkpoint wrote back in %llu windows, expected 32 or more",
                 (unsigned long long)windows);
    sqlite3_close(db);

    db = open_db(path);
    assert_int_equal(one_int(db, "SELECT count(*) FROM t WHERE length(b) = 2048"), 2000);
    assert_int_equal(one_int(db, "SELECT count(*) FROM pragma_integrity_check WHERE "
                                 "integrity_check = 'ok'"),
                     1);
    sqlite3_close(db);
    tn_test_remove_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checkpoint_written_back_in_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
