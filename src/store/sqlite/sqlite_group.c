/* SQLite groups, members and join requests (store_group.h), each write with its version-log
 * entries and the members' group conversations in the same transaction. */
#include <string.h>

#include "sqlite_conversation.h"

#define GROUP_COLS                                                                                 \
    "g.group_id,g.group_name,g.notification,g.introduction,g.face_url,"                           \
    "coalesce((SELECT user_id FROM group_members m WHERE m.app=g.app AND m.group_id=g.group_id "  \
    "AND m.role_level=100 LIMIT 1),''),g.create_time,"                                             \
    "(SELECT count(*) FROM group_members m WHERE m.app=g.app AND m.group_id=g.group_id),g.ex,"     \
    "g.status,g.creator_user_id,g.group_type,g.need_verification,g.look_member_info,"              \
    "g.apply_member_friend,g.notification_update_time,g.notification_user_id"
#define MEMBER_COLS                                                                                \
    "group_id,user_id,role_level,join_time,nickname,face_url,join_source,operator_user_id,ex,"     \
    "mute_end_time,inviter_user_id"

#define STMT_TABLE(X)                                                                              \
    X(GROUP_GET, "SELECT " GROUP_COLS " FROM groups g WHERE g.app=?1 AND g.group_id=?2")           \
    X(MEMBERS_ALL, "SELECT " MEMBER_COLS " FROM group_members WHERE app=?1 AND group_id=?2 "       \
                   "ORDER BY user_id")

enum {
    STMT_BEFORE_FIRST = TN_SQLITE_GROUP_SLOT0 - 1,
#define STMT_ENUM(name, sql) STMT_##name,
    STMT_TABLE(STMT_ENUM)
#undef STMT_ENUM
        STMT_END
};
_Static_assert(STMT_END <= TN_SQLITE_SLOTS - 3, "group statements overlap BEGIN/COMMIT");

static const char *const stmt_sql[] = {
#define STMT_SQL(name, sql) sql,
    STMT_TABLE(STMT_SQL)
#undef STMT_SQL
};

#define PREPARE(c, st, id) TN_SQLITE_STMT(c, st, id, stmt_sql[(id)-TN_SQLITE_GROUP_SLOT0])

static void read_group(sqlite3_stmt *st, tn_arena *a, tn_group *g)
{
    g->group_id = tn_sqlite_col_text(st, 0, a);
    g->group_name = tn_sqlite_col_text(st, 1, a);
    g->notification = tn_sqlite_col_text(st, 2, a);
    g->introduction = tn_sqlite_col_text(st, 3, a);
    g->face_url = tn_sqlite_col_text(st, 4, a);
    g->owner_user_id = tn_sqlite_col_text(st, 5, a);
    g->create_time = sqlite3_column_int64(st, 6);
    g->member_count = (uint32_t)sqlite3_column_int64(st, 7);
    g->ex = tn_sqlite_col_text(st, 8, a);
    g->status = sqlite3_column_int(st, 9);
    g->creator_user_id = tn_sqlite_col_text(st, 10, a);
    g->group_type = sqlite3_column_int(st, 11);
    g->need_verification = sqlite3_column_int(st, 12);
    g->look_member_info = sqlite3_column_int(st, 13);
    g->apply_member_friend = sqlite3_column_int(st, 14);
    g->notification_update_time = sqlite3_column_int64(st, 15);
    g->notification_user_id = tn_sqlite_col_text(st, 16, a);
}

static void read_member(sqlite3_stmt *st, tn_arena *a, tn_group_member *m)
{
    m->group_id = tn_sqlite_col_text(st, 0, a);
    m->user_id = tn_sqlite_col_text(st, 1, a);
    m->role_level = sqlite3_column_int(st, 2);
    m->join_time = sqlite3_column_int64(st, 3);
    m->nickname = tn_sqlite_col_text(st, 4, a);
    m->face_url = tn_sqlite_col_text(st, 5, a);
    m->join_source = sqlite3_column_int(st, 6);
    m->operator_user_id = tn_sqlite_col_text(st, 7, a);
    m->ex = tn_sqlite_col_text(st, 8, a);
    m->mute_end_time = sqlite3_column_int64(st, 9);
    m->inviter_user_id = tn_sqlite_col_text(st, 10, a);
}

static tn_err groups_get(tn_store *s, const char *app, const char *const *ids, size_t n,
                         tn_arena *a, tn_group **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_GROUP_GET);
    *out = n ? tn_arena_calloc(a, n, sizeof **out) : NULL;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ids[i], -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            read_group(st, a, &(*out)[(*count)++]);
        tn_sqlite_done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return tn_sqlite_fail(c->db, "groups");
    }
    return TN_OK;
}

static tn_err members_all(tn_store *s, const char *app, const char *group_id, tn_arena *a,
                          tn_group_member **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_MEMBERS_ALL);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, group_id, -1, SQLITE_STATIC);
    *out = NULL;
    *count = 0;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = tn_arena_grow(a, *out, &cap, *count, sizeof **out);
        read_member(st, a, &(*out)[(*count)++]);
    }
    tn_sqlite_done(st);
    return rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, "group members");
}

const tn_group_store_ops tn_sqlite_group_ops = {
    .groups_get = groups_get,
    .members_all = members_all,
};
