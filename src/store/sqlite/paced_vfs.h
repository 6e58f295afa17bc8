/* The VFS every tern SQLite connection opens files through: SQLite's own unix VFS, whose syncs
 * of the database and WAL files write back in bounded windows before the real fsync. */
#pragma once
#include <sqlite3.h>
#include <stdint.h>

/* Makes it the default VFS; once per process, before the first connection opens. */
void tn_sqlite_paced_vfs_register(void);
/* Windows written back so far (tests). */
uint64_t tn_sqlite_paced_windows(void);
