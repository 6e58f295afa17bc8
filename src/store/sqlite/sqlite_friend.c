/* SQLite friends, friend requests and blacklists (store_friend.h), each write with its friend
 * version-log entries in the same transaction. */
#include <string.h>

#include "sqlite_conversation.h"

#define FRIEND_COLS                                                                                \
    "owner_user_id,friend_user_id,remark,create_time,add_source,operator_user_id,ex,is_pinned"

#define STMT_TABLE(X)                                                                              \
    X(FRIEND_ALL, "SELECT " FRIEND_COLS " FROM friends WHERE app=?1 AND owner_user_id=?2 "         \
                  "ORDER BY rowid")                                                                \
    X(FRIEND_GET, "SELECT " FRIEND_COLS " FROM friends WHERE app=?1 AND owner_user_id=?2 "         \
                  "AND friend_user_id=?3")                                                         \
    X(BLACK_EXISTS, "SELECT 1 FROM blacks WHERE app=?1 AND owner_user_id=?2 AND block_user_id=?3")

enum {
    STMT_BEFORE_FIRST = TN_SQLITE_FRIEND_SLOT0 - 1,
#define STMT_ENUM(name, sql) STMT_##name,
    STMT_TABLE(STMT_ENUM)
#undef STMT_ENUM
        STMT_END
};
_Static_assert(STMT_END <= TN_SQLITE_GROUP_SLOT0, "statement slots overlap");

static const char *const stmt_sql[] = {
#define STMT_SQL(name, sql) sql,
    STMT_TABLE(STMT_SQL)
#undef STMT_SQL
};

#define PREPARE(c, st, id) TN_SQLITE_STMT(c, st, id, stmt_sql[(id)-TN_SQLITE_FRIEND_SLOT0])

static void read_friend(sqlite3_stmt *st, tn_arena *a, tn_friend *f)
{
    f->owner_user_id = tn_sqlite_col_text(st, 0, a);
    f->friend_user_id = tn_sqlite_col_text(st, 1, a);
    f->remark = tn_sqlite_col_text(st, 2, a);
    f->create_time = sqlite3_column_int64(st, 3);
    f->add_source = sqlite3_column_int(st, 4);
    f->operator_user_id = tn_sqlite_col_text(st, 5, a);
    f->ex = tn_sqlite_col_text(st, 6, a);
    f->is_pinned = sqlite3_column_int(st, 7) != 0;
}

/* Appends the rows of st (bound, not stepped) to a growing array in a. */
static tn_err collect_friends(tn_sqlite_conn *c, sqlite3_stmt *st, tn_arena *a, tn_friend **out,
                              size_t *count, size_t *cap)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = tn_arena_grow(a, *out, cap, *count, sizeof **out);
        read_friend(st, a, &(*out)[(*count)++]);
    }
    tn_sqlite_done(st);
    return rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, "friends");
}

static tn_err friends_get(tn_store *s, const char *app, const char *owner, const char *const *ids,
                          size_t n, tn_arena *a, tn_friend **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    *out = NULL;
    *count = 0;
    size_t cap = 0;
    if (n == 0) {
        PREPARE(c, st, STMT_FRIEND_ALL);
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
        return collect_friends(c, st, a, out, count, &cap);
    }
    PREPARE(c, st, STMT_FRIEND_GET);
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ids[i], -1, SQLITE_STATIC);
        tn_err e = collect_friends(c, st, a, out, count, &cap);
        if (e)
            return e;
    }
    return TN_OK;
}

static tn_err is_blocked(tn_store *s, const char *app, const char *owner, const char *user,
                         bool *blocked)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_BLACK_EXISTS);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    tn_sqlite_done(st);
    *blocked = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, "blacks");
}

const tn_friend_store_ops tn_sqlite_friend_ops = {
    .friends_get = friends_get,
    .is_blocked = is_blocked,
};
