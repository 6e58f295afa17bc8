/* The SQLite schema as an ordered list of migrations; PRAGMA user_version counts those applied.
 * Never edit a shipped migration: append a new one. */
#include "schema.h"

const char *const tn_sqlite_migrations[] = {
    /* 1: users, tokens, user commands, client config, messages, per-conversation seqs,
     * conversations and version logs */
    "CREATE TABLE users ("
    "  app TEXT NOT NULL, user_id TEXT NOT NULL, nickname TEXT NOT NULL DEFAULT '',"
    "  face_url TEXT NOT NULL DEFAULT '', ex TEXT NOT NULL DEFAULT '',"
    "  create_time INTEGER NOT NULL, app_manger_level INTEGER NOT NULL DEFAULT 0,"
    "  global_recv_msg_opt INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX users_id ON users(app, user_id);"
    "CREATE TABLE tokens ("
    "  app TEXT NOT NULL, user_id TEXT NOT NULL, token TEXT NOT NULL,"
    "  platform_id INTEGER NOT NULL, status INTEGER NOT NULL, expire_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX tokens_key ON tokens(app, user_id, token);"
    "CREATE TABLE user_commands ("
    "  app TEXT NOT NULL, user_id TEXT NOT NULL, type INTEGER NOT NULL, uuid TEXT NOT NULL,"
    "  value TEXT NOT NULL DEFAULT '', ex TEXT NOT NULL DEFAULT '', create_time INTEGER NOT NULL,"
    "  PRIMARY KEY (app, user_id, type, uuid));"
    "CREATE TABLE client_config ("
    "  app TEXT NOT NULL, user_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY (app, user_id, key));"
    "CREATE TABLE seqs ("
    "  app TEXT NOT NULL, conversation_id TEXT NOT NULL, max_seq INTEGER NOT NULL,"
    "  max_seq_time INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (app, conversation_id)) WITHOUT ROWID;"
    "CREATE TABLE msgs ("
    "  app TEXT NOT NULL, conversation_id TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  client_msg_id TEXT NOT NULL, server_msg_id TEXT NOT NULL, send_id TEXT NOT NULL,"
    "  send_time INTEGER NOT NULL, data BLOB NOT NULL,"
    "  PRIMARY KEY (app, conversation_id, seq)) WITHOUT ROWID;"
    "CREATE UNIQUE INDEX msgs_client_id ON msgs(app, conversation_id, client_msg_id);"
    /* conversations (one row per owner; creation order = rowid) and the version logs */
    "CREATE TABLE conversations ("
    "  app TEXT NOT NULL, owner_user_id TEXT NOT NULL, conversation_id TEXT NOT NULL,"
    "  recv_msg_opt INTEGER NOT NULL DEFAULT 0, conversation_type INTEGER NOT NULL DEFAULT 0,"
    "  user_id TEXT NOT NULL DEFAULT '', group_id TEXT NOT NULL DEFAULT '',"
    "  is_pinned INTEGER NOT NULL DEFAULT 0, attached_info TEXT NOT NULL DEFAULT '',"
    "  is_private_chat INTEGER NOT NULL DEFAULT 0, group_at_type INTEGER NOT NULL DEFAULT 0,"
    "  ex TEXT NOT NULL DEFAULT '', burn_duration INTEGER NOT NULL DEFAULT 0,"
    "  min_seq INTEGER NOT NULL DEFAULT 0, max_seq INTEGER NOT NULL DEFAULT 0,"
    "  msg_destruct_time INTEGER NOT NULL DEFAULT 0,"
    "  latest_msg_destruct_time INTEGER NOT NULL DEFAULT 0,"
    "  is_msg_destruct INTEGER NOT NULL DEFAULT 0, has_read_seq INTEGER NOT NULL DEFAULT 0,"
    "  create_time INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX conversations_key ON conversations(app, owner_user_id, conversation_id);"
    "CREATE TABLE version_heads ("
    "  app TEXT NOT NULL, collection TEXT NOT NULL, key TEXT NOT NULL,"
    "  version_id TEXT NOT NULL, version INTEGER NOT NULL,"
    "  PRIMARY KEY (app, collection, key)) WITHOUT ROWID;"
    "CREATE TABLE version_entries ("
    "  app TEXT NOT NULL, collection TEXT NOT NULL, key TEXT NOT NULL, element_id TEXT NOT NULL,"
    "  state INTEGER NOT NULL, version INTEGER NOT NULL, last_update INTEGER NOT NULL,"
    "  PRIMARY KEY (app, collection, key, element_id)) WITHOUT ROWID;"
    "CREATE INDEX version_entries_version ON version_entries(app, collection, key, version);",
};

const int tn_sqlite_migration_count =
    (int)(sizeof tn_sqlite_migrations / sizeof tn_sqlite_migrations[0]);
