/* Declares the migration list the SQLite backend applies at open. */
#pragma once

extern const char *const tn_sqlite_migrations[];
extern const int tn_sqlite_migration_count;
