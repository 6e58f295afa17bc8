/* SQLite groups, members and join requests (store_group.h), each write with its version-log
 * entries and the members' group conversations in the same transaction. */
#include <stdlib.h>
#include <string.h>

#include "sqlite_conversation.h"

/* The version-log collections and marker elements (the same strings as svc/version.h) */
#define MEMBER_LOG  "group_member"        /* TN_VERSION_GROUP_MEMBER, key groupID */
#define JOIN_LOG    "join_group"          /* TN_VERSION_JOIN_GROUP, key userID */
#define INFO_MARKER ""                    /* TN_VERSION_INFO_MARKER */
#define SORT_MARKER "____S_O_R_T_I_D____" /* TN_VERSION_SORT_MARKER */
#define GROUP_CHAT  3                     /* conversationType of sg_ conversations */

#define GROUP_COLS                                                                                 \
    "g.group_id,g.group_name,g.notification,g.introduction,g.face_url,"                            \
    "coalesce((SELECT user_id FROM group_members m WHERE m.app=g.app AND m.group_id=g.group_id "   \
    "AND m.role_level=100 LIMIT 1),''),g.create_time,"                                             \
    "(SELECT count(*) FROM group_members m WHERE m.app=g.app AND m.group_id=g.group_id),g.ex,"     \
    "g.status,g.creator_user_id,g.group_type,g.need_verification,g.look_member_info,"              \
    "g.apply_member_friend,g.notification_update_time,g.notification_user_id"
#define MEMBER_COLS                                                                                \
    "group_id,user_id,role_level,join_time,nickname,face_url,join_source,operator_user_id,ex,"     \
    "mute_end_time,inviter_user_id"
#define REQUEST_COLS                                                                               \
    "group_id,user_id,handle_result,req_msg,handle_msg,req_time,handle_user_id,handle_time,ex,"    \
    "join_source,inviter_user_id,rowid"
#define CONV_KEY "app=?1 AND owner_user_id=?2 AND conversation_id=?3"

#define STMT_TABLE(X)                                                                              \
    X(GROUP_GET, "SELECT " GROUP_COLS " FROM groups g WHERE g.app=?1 AND g.group_id=?2")           \
    X(MEMBERS_ALL, "SELECT " MEMBER_COLS " FROM group_members WHERE app=?1 AND group_id=?2 "       \
                   "ORDER BY user_id")                                                             \
    X(GROUP_INSERT,                                                                                \
      "INSERT INTO groups(app,group_id,group_name,notification,introduction,face_url,"             \
      "create_time,ex,status,creator_user_id,group_type,need_verification,look_member_info,"       \
      "apply_member_friend,notification_update_time,notification_user_id) VALUES(?1,?2,?3,?4,"     \
      "?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16) ON CONFLICT(app,group_id) DO NOTHING")          \
    X(GROUP_EXISTS, "SELECT status FROM groups WHERE app=?1 AND group_id=?2")                      \
    X(GROUP_UPDATE,                                                                                \
      "UPDATE groups SET group_name=coalesce(?3,group_name),"                                      \
      "notification=coalesce(?4,notification),introduction=coalesce(?5,introduction),"             \
      "face_url=coalesce(?6,face_url),ex=coalesce(?7,ex),"                                         \
      "need_verification=coalesce(?8,need_verification),"                                          \
      "look_member_info=coalesce(?9,look_member_info),"                                            \
      "apply_member_friend=coalesce(?10,apply_member_friend),status=coalesce(?11,status),"         \
      "notification_update_time=CASE WHEN ?4 IS NULL THEN notification_update_time ELSE ?12 END,"  \
      "notification_user_id=CASE WHEN ?4 IS NULL THEN notification_user_id ELSE ?13 END "          \
      "WHERE app=?1 AND group_id=?2")                                                              \
    X(MAX_SEQ, "SELECT max_seq FROM seqs WHERE app=?1 AND conversation_id=?2")                     \
    X(MEMBER_INSERT,                                                                               \
      "INSERT INTO group_members(app,group_id,user_id,role_level,join_time,nickname,face_url,"     \
      "join_source,operator_user_id,ex,mute_end_time,inviter_user_id) VALUES(?1,?2,?3,?4,?5,?6,"   \
      "?7,?8,?9,?10,?11,?12) ON CONFLICT(app,group_id,user_id) DO NOTHING")                        \
    X(MEMBER_DELETE, "DELETE FROM group_members WHERE app=?1 AND group_id=?2 AND user_id=?3")      \
    X(MEMBER_IDS, "SELECT user_id FROM group_members WHERE app=?1 AND group_id=?2 "                \
                  "ORDER BY role_level DESC,join_time,rowid")                                      \
    X(MEMBER_UPDATE,                                                                               \
      "UPDATE group_members SET nickname=coalesce(?4,nickname),face_url=coalesce(?5,face_url),"    \
      "ex=coalesce(?6,ex),role_level=coalesce(?7,role_level),"                                     \
      "mute_end_time=coalesce(?8,mute_end_time) WHERE app=?1 AND group_id=?2 AND user_id=?3")      \
    X(MEMBER_GET, "SELECT " MEMBER_COLS " FROM group_members "                                     \
                  "WHERE app=?1 AND group_id=?2 AND user_id=?3")                                   \
    X(MEMBERS_ORDERED, "SELECT " MEMBER_COLS " FROM group_members WHERE app=?1 AND group_id=?2 "   \
                       "ORDER BY role_level DESC,join_time,rowid")                                 \
    X(MEMBERSHIPS, "SELECT " MEMBER_COLS " FROM group_members WHERE app=?1 AND user_id=?2 "        \
                   "ORDER BY role_level DESC,join_time,rowid")                                     \
    X(GROUPS_COUNT, "SELECT count(*) FROM groups g WHERE g.app=?1 AND g.status<>2 "                \
                    "AND instr(g.group_name,?2)>0")                                                \
    X(GROUPS_SEARCH, "SELECT " GROUP_COLS " FROM groups g WHERE g.app=?1 AND g.status<>2 "         \
                     "AND instr(g.group_name,?2)>0 ORDER BY g.create_time DESC,g.rowid DESC "      \
                     "LIMIT ?4 OFFSET ?3")                                                         \
    X(CONV_JOIN_INSERT,                                                                            \
      "INSERT INTO conversations(app,owner_user_id,conversation_id,conversation_type,group_id,"    \
      "min_seq,max_seq,create_time) VALUES(?1,?2,?3,?4,?5,?6,0,?7) "                               \
      "ON CONFLICT(app,owner_user_id,conversation_id) DO NOTHING")                                 \
    X(CONV_JOIN_UPDATE, "UPDATE conversations SET min_seq=?4,max_seq=0 WHERE " CONV_KEY            \
                        " AND (min_seq<>?4 OR max_seq<>0)")                                        \
    X(CONV_LEAVE, "UPDATE conversations SET max_seq=?4 WHERE " CONV_KEY " AND max_seq<>?4")        \
    X(REQUEST_PUT,                                                                                 \
      "INSERT INTO group_requests(app,group_id,user_id,handle_result,req_msg,handle_msg,"          \
      "req_time,handle_user_id,handle_time,ex,join_source,inviter_user_id) VALUES(?1,?2,?3,?4,"    \
      "?5,?6,?7,?8,?9,?10,?11,?12) ON CONFLICT(app,group_id,user_id) DO UPDATE SET "               \
      "handle_result=excluded.handle_result,req_msg=excluded.req_msg,"                             \
      "handle_msg=excluded.handle_msg,req_time=excluded.req_time,"                                 \
      "handle_user_id=excluded.handle_user_id,handle_time=excluded.handle_time,ex=excluded.ex,"    \
      "join_source=excluded.join_source,inviter_user_id=excluded.inviter_user_id")                 \
    X(REQUEST_HANDLE, "UPDATE group_requests SET handle_result=?4,handle_msg=?5,"                  \
                      "handle_user_id=?6,handle_time=?7 "                                          \
                      "WHERE app=?1 AND group_id=?2 AND user_id=?3 AND handle_result=0")           \
    X(REQUEST_GET, "SELECT " REQUEST_COLS " FROM group_requests "                                  \
                   "WHERE app=?1 AND group_id=?2 AND user_id=?3")                                  \
    X(REQUESTS_TO_GROUP, "SELECT " REQUEST_COLS " FROM group_requests "                            \
                         "WHERE app=?1 AND group_id=?2")                                           \
    X(REQUESTS_OF_USER, "SELECT " REQUEST_COLS " FROM group_requests WHERE app=?1 AND user_id=?2 " \
                        "ORDER BY req_time DESC,rowid DESC")

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

static void bind2(sqlite3_stmt *st, const char *app, const char *b)
{
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
}

static void bind3(sqlite3_stmt *st, const char *app, const char *b, const char *c)
{
    bind2(st, app, b);
    sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static void read_group(sqlite3_stmt *st, tn_arena *a, void *row)
{
    tn_group *g = row;
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

static void read_member(sqlite3_stmt *st, tn_arena *a, void *row)
{
    tn_group_member *m = row;
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

/* returns the rowid (column 11), the order of arrival */
static int64_t read_request(sqlite3_stmt *st, tn_arena *a, tn_group_request *r)
{
    r->group_id = tn_sqlite_col_text(st, 0, a);
    r->user_id = tn_sqlite_col_text(st, 1, a);
    r->handle_result = sqlite3_column_int(st, 2);
    r->req_msg = tn_sqlite_col_text(st, 3, a);
    r->handle_msg = tn_sqlite_col_text(st, 4, a);
    r->req_time = sqlite3_column_int64(st, 5);
    r->handle_user_id = tn_sqlite_col_text(st, 6, a);
    r->handle_time = sqlite3_column_int64(st, 7);
    r->ex = tn_sqlite_col_text(st, 8, a);
    r->join_source = sqlite3_column_int(st, 9);
    r->inviter_user_id = tn_sqlite_col_text(st, 10, a);
    return sqlite3_column_int64(st, 11);
}

/* ---- log entries of one write, gathered and then written as one step ---- */

typedef struct log_batch {
    const char **ids;
    int32_t *states;
    size_t n, cap_ids, cap_states;
} log_batch;

static void batch_add(tn_arena *a, log_batch *b, const char *id, int32_t state)
{
    b->ids = tn_arena_grow(a, b->ids, &b->cap_ids, b->n, sizeof *b->ids);
    b->states = tn_arena_grow(a, b->states, &b->cap_states, b->n, sizeof *b->states);
    b->ids[b->n] = id;
    b->states[b->n++] = state;
}

static tn_err bump_member_log(tn_sqlite_conn *c, const char *app, const char *group_id,
                              const log_batch *b, int64_t now_ms)
{
    return tn_sqlite_version_bump(c, app, MEMBER_LOG, group_id, b->ids, b->states, b->n, now_ms);
}

/* ---- membership and group conversations (inside a transaction) ---- */

static tn_err group_max_seq(tn_sqlite_conn *c, const char *app, const char *conv_id, int64_t *out)
{
    PREPARE(c, st, STMT_MAX_SEQ);
    bind2(st, app, conv_id);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    tn_sqlite_done(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, "group max seq");
}

/* whether group_id exists */
static tn_err group_exists(tn_sqlite_conn *c, const char *app, const char *group_id, bool *exists)
{
    PREPARE(c, st, STMT_GROUP_EXISTS);
    bind2(st, app, group_id);
    int rc = sqlite3_step(st);
    *exists = rc == SQLITE_ROW;
    tn_sqlite_done(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, "group exists");
}

/* The owner's sg_ record joins the read window [min_seq, newest]; a version entry when it was
 * created or changed. */
static tn_err conv_join(tn_sqlite_conn *c, const char *app, const char *owner, const char *conv_id,
                        const char *group_id, int64_t min_seq, int64_t now_ms)
{
    PREPARE(c, ins, STMT_CONV_JOIN_INSERT);
    PREPARE(c, upd, STMT_CONV_JOIN_UPDATE);
    bind3(ins, app, owner, conv_id);
    sqlite3_bind_int(ins, 4, GROUP_CHAT);
    sqlite3_bind_text(ins, 5, group_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 6, min_seq);
    sqlite3_bind_int64(ins, 7, now_ms);
    tn_err e = tn_sqlite_exec(c, ins);
    if (e)
        return e;
    int32_t state = TN_VERSION_INSERT;
    if (sqlite3_changes(c->db) == 0) {
        bind3(upd, app, owner, conv_id);
        sqlite3_bind_int64(upd, 4, min_seq);
        if ((e = tn_sqlite_exec(c, upd)) || sqlite3_changes(c->db) == 0)
            return e;
        state = TN_VERSION_UPDATE;
    }
    return tn_sqlite_version_bump(c, app, TN_SQLITE_CONV_COLLECTION, owner, &conv_id, &state, 1,
                                  now_ms);
}

static tn_err conv_leave(tn_sqlite_conn *c, const char *app, const char *owner, const char *conv_id,
                         int64_t max_seq, int64_t now_ms)
{
    PREPARE(c, st, STMT_CONV_LEAVE);
    bind3(st, app, owner, conv_id);
    sqlite3_bind_int64(st, 4, max_seq);
    tn_err e = tn_sqlite_exec(c, st);
    if (e || sqlite3_changes(c->db) == 0)
        return e;
    int32_t state = TN_VERSION_UPDATE;
    return tn_sqlite_version_bump(c, app, TN_SQLITE_CONV_COLLECTION, owner, &conv_id, &state, 1,
                                  now_ms);
}

/* Inserts members (TN_EDUP when one exists), their conversations and joined-groups entries;
 * their insert entries go to b. */
static tn_err join(tn_sqlite_conn *c, tn_arena *a, const char *app, const char *group_id,
                   const tn_group_member *m, size_t n, bool history, int64_t now_ms, log_batch *b)
{
    PREPARE(c, ins, STMT_MEMBER_INSERT);
    const char *conv_id = tn_arena_printf(a, "sg_%s", group_id);
    int64_t max_seq;
    tn_err e = group_max_seq(c, app, conv_id, &max_seq);
    int64_t min_seq = history ? 0 : max_seq + 1;
    int32_t insert = TN_VERSION_INSERT;
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        bind3(ins, app, group_id, m[i].user_id);
        sqlite3_bind_int(ins, 4, m[i].role_level);
        sqlite3_bind_int64(ins, 5, m[i].join_time);
        sqlite3_bind_text(ins, 6, or_empty(m[i].nickname), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, or_empty(m[i].face_url), -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 8, m[i].join_source);
        sqlite3_bind_text(ins, 9, or_empty(m[i].operator_user_id), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 10, or_empty(m[i].ex), -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 11, m[i].mute_end_time);
        sqlite3_bind_text(ins, 12, or_empty(m[i].inviter_user_id), -1, SQLITE_STATIC);
        if ((e = tn_sqlite_exec(c, ins)))
            break;
        if (sqlite3_changes(c->db) == 0)
            return TN_EDUP;
        if ((e = conv_join(c, app, m[i].user_id, conv_id, group_id, min_seq, now_ms)))
            break;
        e = tn_sqlite_version_bump(c, app, JOIN_LOG, m[i].user_id, &group_id, &insert, 1, now_ms);
        batch_add(a, b, m[i].user_id, TN_VERSION_INSERT);
    }
    return e;
}

/* Deletes the members among ids, caps their conversations, writes their joined-groups delete
 * entries; their delete entries go to b. */
static tn_err leave(tn_sqlite_conn *c, tn_arena *a, const char *app, const char *group_id,
                    const char *const *ids, size_t n, int64_t now_ms, log_batch *b)
{
    PREPARE(c, del, STMT_MEMBER_DELETE);
    const char *conv_id = tn_arena_printf(a, "sg_%s", group_id);
    int64_t max_seq;
    tn_err e = group_max_seq(c, app, conv_id, &max_seq);
    int32_t gone = TN_VERSION_DELETE;
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        bind3(del, app, group_id, ids[i]);
        if ((e = tn_sqlite_exec(c, del)) || sqlite3_changes(c->db) == 0)
            continue;
        if ((e = conv_leave(c, app, ids[i], conv_id, max_seq, now_ms)))
            break;
        e = tn_sqlite_version_bump(c, app, JOIN_LOG, ids[i], &group_id, &gone, 1, now_ms);
        batch_add(a, b, ids[i], TN_VERSION_DELETE);
    }
    return e;
}

/* ---- reads ---- */

static tn_err groups_get(tn_store *s, const char *app, const char *const *ids, size_t n,
                         tn_arena *a, tn_group **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_GROUP_GET);
    *out = n ? tn_arena_calloc(a, n, sizeof **out) : NULL;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        bind2(st, app, ids[i]);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            read_group(st, a, &(*out)[(*count)++]);
        tn_sqlite_done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return tn_sqlite_fail(c->db, "groups");
    }
    return TN_OK;
}

/* Every row of a member query keyed by (app, key): a group's members or a user's memberships. */
static tn_err member_rows(tn_store *s, int stmt, const char *app, const char *key, tn_arena *a,
                          tn_group_member **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, stmt);
    bind2(st, app, key);
    size_t cap = 0;
    tn_err e;
    *count = 0;
    *out =
        tn_sqlite_rows(c, st, a, NULL, sizeof **out, count, &cap, read_member, "group members", &e);
    return e;
}

static tn_err members_all(tn_store *s, const char *app, const char *group_id, tn_arena *a,
                          tn_group_member **out, size_t *count)
{
    return member_rows(s, STMT_MEMBERS_ALL, app, group_id, a, out, count);
}

static tn_err members_ordered(tn_store *s, const char *app, const char *group_id, tn_arena *a,
                              tn_group_member **out, size_t *count)
{
    return member_rows(s, STMT_MEMBERS_ORDERED, app, group_id, a, out, count);
}

static tn_err memberships(tn_store *s, const char *app, const char *user_id, tn_arena *a,
                          tn_group_member **out, size_t *count)
{
    return member_rows(s, STMT_MEMBERSHIPS, app, user_id, a, out, count);
}

static bool seen_before(const char *const *ids, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(ids[i], ids[j]) == 0)
            return true;
    return false;
}

static tn_err members_get(tn_store *s, const char *app, const char *group_id,
                          const char *const *user_ids, size_t n, tn_arena *a, tn_group_member **out,
                          size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_MEMBER_GET);
    *out = tn_arena_calloc(a, n ? n : 1, sizeof **out);
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        if (n <= 1024 && seen_before(user_ids, i))
            continue;
        bind3(st, app, group_id, user_ids[i]);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            read_member(st, a, &(*out)[(*count)++]);
        tn_sqlite_done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return tn_sqlite_fail(c->db, "group member");
    }
    return TN_OK;
}

static tn_err groups_search(tn_store *s, const char *app, const char *name, int64_t offset,
                            int64_t limit, tn_arena *a, tn_group **out, size_t *count,
                            int64_t *total)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, cnt, STMT_GROUPS_COUNT);
    PREPARE(c, st, STMT_GROUPS_SEARCH);
    bind2(cnt, app, or_empty(name));
    int rc = sqlite3_step(cnt);
    *total = rc == SQLITE_ROW ? sqlite3_column_int64(cnt, 0) : 0;
    tn_sqlite_done(cnt);
    if (rc != SQLITE_ROW)
        return tn_sqlite_fail(c->db, "groups count");
    *out = NULL;
    *count = 0;
    if (limit <= 0)
        return TN_OK;
    bind2(st, app, or_empty(name));
    sqlite3_bind_int64(st, 3, offset);
    sqlite3_bind_int64(st, 4, limit);
    size_t cap = 0;
    tn_err e;
    *out =
        tn_sqlite_rows(c, st, a, NULL, sizeof **out, count, &cap, read_group, "groups search", &e);
    return e;
}

/* ---- writes ---- */

static tn_err group_create(tn_store *s, const char *app, const tn_group *g,
                           const tn_group_member *members, size_t n, bool history, int64_t now_ms)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, ins, STMT_GROUP_INSERT);
    tn_arena a;
    tn_arena_init(&a);
    log_batch b = {0};
    tn_err e = tn_sqlite_begin(c);
    if (e == TN_OK) {
        bind2(ins, app, g->group_id);
        sqlite3_bind_text(ins, 3, or_empty(g->group_name), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, or_empty(g->notification), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, or_empty(g->introduction), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, or_empty(g->face_url), -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 7, g->create_time);
        sqlite3_bind_text(ins, 8, or_empty(g->ex), -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 9, g->status);
        sqlite3_bind_text(ins, 10, or_empty(g->creator_user_id), -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 11, g->group_type);
        sqlite3_bind_int(ins, 12, g->need_verification);
        sqlite3_bind_int(ins, 13, g->look_member_info);
        sqlite3_bind_int(ins, 14, g->apply_member_friend);
        sqlite3_bind_int64(ins, 15, g->notification_update_time);
        sqlite3_bind_text(ins, 16, or_empty(g->notification_user_id), -1, SQLITE_STATIC);
        e = tn_sqlite_exec(c, ins);
        if (e == TN_OK && sqlite3_changes(c->db) == 0)
            e = TN_EDUP;
    }
    if (e == TN_OK)
        e = join(c, &a, app, g->group_id, members, n, history, now_ms, &b);
    if (e == TN_OK)
        e = bump_member_log(c, app, g->group_id, &b, now_ms);
    e = tn_sqlite_end(c, e);
    tn_arena_free_all(&a);
    return e;
}

static tn_err members_add(tn_store *s, const char *app, const char *group_id,
                          const tn_group_member *members, size_t n, bool history, int64_t now_ms)
{
    TN_SQLITE_CONN(s, c);
    tn_arena a;
    tn_arena_init(&a);
    log_batch b = {0};
    bool exists = false;
    tn_err e = tn_sqlite_begin(c);
    if (e == TN_OK && (e = group_exists(c, app, group_id, &exists)) == TN_OK && !exists)
        e = TN_ENOTFOUND;
    if (e == TN_OK)
        e = join(c, &a, app, group_id, members, n, history, now_ms, &b);
    if (e == TN_OK)
        e = bump_member_log(c, app, group_id, &b, now_ms);
    e = tn_sqlite_end(c, e);
    tn_arena_free_all(&a);
    return e;
}

static tn_err members_remove(tn_store *s, const char *app, const char *group_id,
                             const char *const *user_ids, size_t n, int64_t now_ms)
{
    TN_SQLITE_CONN(s, c);
    tn_arena a;
    tn_arena_init(&a);
    log_batch b = {0};
    tn_err e = tn_sqlite_begin(c);
    if (e == TN_OK)
        e = leave(c, &a, app, group_id, user_ids, n, now_ms, &b);
    if (e == TN_OK && b.n)
        e = bump_member_log(c, app, group_id, &b, now_ms);
    e = tn_sqlite_end(c, e);
    tn_arena_free_all(&a);
    return e;
}

static void bind_text_opt(sqlite3_stmt *st, int i, const char *v)
{
    tn_sqlite_bind_text(st, i, v);
}

static void bind_int_opt(sqlite3_stmt *st, int i, bool present, int64_t v)
{
    if (present)
        sqlite3_bind_int64(st, i, v);
}

/* the patch, inside a transaction; TN_ENOTFOUND without the group */
static tn_err update_group(tn_sqlite_conn *c, const char *app, const tn_group_patch *p)
{
    PREPARE(c, st, STMT_GROUP_UPDATE);
    bind2(st, app, p->group_id);
    bind_text_opt(st, 3, p->group_name);
    bind_text_opt(st, 4, p->notification);
    bind_text_opt(st, 5, p->introduction);
    bind_text_opt(st, 6, p->face_url);
    bind_text_opt(st, 7, p->ex);
    bind_int_opt(st, 8, p->has_need_verification, p->need_verification);
    bind_int_opt(st, 9, p->has_look_member_info, p->look_member_info);
    bind_int_opt(st, 10, p->has_apply_member_friend, p->apply_member_friend);
    bind_int_opt(st, 11, p->has_status, p->status);
    sqlite3_bind_int64(st, 12, p->notification_update_time);
    sqlite3_bind_text(st, 13, or_empty(p->notification_user_id), -1, SQLITE_STATIC);
    tn_err e = tn_sqlite_exec(c, st);
    return e ? e : sqlite3_changes(c->db) == 0 ? TN_ENOTFOUND : TN_OK;
}

static tn_err group_update(tn_store *s, const char *app, const tn_group_patch *p, int64_t now_ms)
{
    TN_SQLITE_CONN(s, c);
    const char *marker = INFO_MARKER;
    int32_t state = TN_VERSION_UPDATE;
    tn_err e = tn_sqlite_begin(c);
    if (e == TN_OK)
        e = update_group(c, app, p);
    if (e == TN_OK)
        e = tn_sqlite_version_bump(c, app, MEMBER_LOG, p->group_id, &marker, &state, 1, now_ms);
    return tn_sqlite_end(c, e);
}

/* every member's user ID, into a */
static tn_err member_ids(tn_sqlite_conn *c, tn_arena *a, const char *app, const char *group_id,
                         const char ***out, size_t *count)
{
    PREPARE(c, st, STMT_MEMBER_IDS);
    bind2(st, app, group_id);
    size_t cap = 0;
    tn_err e;
    *count = 0;
    *out = tn_sqlite_rows(c, st, a, NULL, sizeof **out, count, &cap, tn_sqlite_read_id,
                          "group member ids", &e);
    return e;
}

static tn_err group_dismiss(tn_store *s, const char *app, const char *group_id, bool delete_members,
                            int64_t now_ms)
{
    TN_SQLITE_CONN(s, c);
    tn_arena a;
    tn_arena_init(&a);
    log_batch b = {0};
    batch_add(&a, &b, INFO_MARKER, TN_VERSION_UPDATE);
    tn_group_patch p = {
        .group_id = group_id, .has_status = true, .status = TN_GROUP_STATUS_DISMISSED};
    const char **ids = NULL;
    size_t n = 0;
    tn_err e = tn_sqlite_begin(c);
    if (e == TN_OK)
        e = update_group(c, app, &p);
    if (e == TN_OK && delete_members && (e = member_ids(c, &a, app, group_id, &ids, &n)) == TN_OK)
        e = leave(c, &a, app, group_id, ids, n, now_ms, &b);
    if (e == TN_OK)
        e = bump_member_log(c, app, group_id, &b, now_ms);
    e = tn_sqlite_end(c, e);
    tn_arena_free_all(&a);
    return e;
}

static tn_err members_update(tn_store *s, const char *app, const tn_group_member_patch *p, size_t n,
                             int64_t now_ms)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_MEMBER_UPDATE);
    tn_arena a;
    tn_arena_init(&a);
    bool *done = tn_arena_calloc(&a, n ? n : 1, sizeof *done);
    tn_err e = tn_sqlite_begin(c);
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        bind3(st, app, p[i].group_id, p[i].user_id);
        bind_text_opt(st, 4, p[i].nickname);
        bind_text_opt(st, 5, p[i].face_url);
        bind_text_opt(st, 6, p[i].ex);
        bind_int_opt(st, 7, p[i].has_role_level, p[i].role_level);
        bind_int_opt(st, 8, p[i].has_mute_end_time, p[i].mute_end_time);
        if ((e = tn_sqlite_exec(c, st)) == TN_OK && sqlite3_changes(c->db) == 0)
            e = TN_ENOTFOUND;
    }
    /* one log step per group, covering its members in the order given */
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        if (done[i])
            continue;
        log_batch b = {0};
        bool sort = false;
        for (size_t j = i; j < n; j++) {
            if (done[j] || strcmp(p[j].group_id, p[i].group_id) != 0)
                continue;
            done[j] = true;
            batch_add(&a, &b, p[j].user_id, TN_VERSION_UPDATE);
            sort |= p[j].has_role_level;
        }
        if (sort)
            batch_add(&a, &b, SORT_MARKER, TN_VERSION_UPDATE);
        e = bump_member_log(c, app, p[i].group_id, &b, now_ms);
    }
    e = tn_sqlite_end(c, e);
    tn_arena_free_all(&a);
    return e;
}

/* ---- join requests ---- */

static tn_err requests_put(tn_store *s, const char *app, const tn_group_request *r, size_t n)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_REQUEST_PUT);
    tn_err e = tn_sqlite_begin(c);
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        bind3(st, app, r[i].group_id, r[i].user_id);
        sqlite3_bind_int(st, 4, r[i].handle_result);
        sqlite3_bind_text(st, 5, or_empty(r[i].req_msg), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, or_empty(r[i].handle_msg), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, r[i].req_time);
        sqlite3_bind_text(st, 8, or_empty(r[i].handle_user_id), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, r[i].handle_time);
        sqlite3_bind_text(st, 10, or_empty(r[i].ex), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 11, r[i].join_source);
        sqlite3_bind_text(st, 12, or_empty(r[i].inviter_user_id), -1, SQLITE_STATIC);
        e = tn_sqlite_exec(c, st);
    }
    return tn_sqlite_end(c, e);
}

static tn_err request_handle(tn_store *s, const char *app, const char *group_id,
                             const char *user_id, int32_t handle_result, const char *handle_msg,
                             const char *handler_user_id, const tn_group_member *member,
                             bool history, int64_t now_ms)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_REQUEST_HANDLE);
    tn_arena a;
    tn_arena_init(&a);
    log_batch b = {0};
    tn_err e = tn_sqlite_begin(c);
    if (e == TN_OK) {
        bind3(st, app, group_id, user_id);
        sqlite3_bind_int(st, 4, handle_result);
        sqlite3_bind_text(st, 5, or_empty(handle_msg), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, or_empty(handler_user_id), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, now_ms);
        if ((e = tn_sqlite_exec(c, st)) == TN_OK && sqlite3_changes(c->db) == 0)
            e = TN_ENOTFOUND;
    }
    if (e == TN_OK && member) {
        e = join(c, &a, app, group_id, member, 1, history, now_ms, &b);
        if (e == TN_OK)
            e = bump_member_log(c, app, group_id, &b, now_ms);
    }
    e = tn_sqlite_end(c, e);
    tn_arena_free_all(&a);
    return e;
}

static tn_err requests_get(tn_store *s, const char *app, const char *group_id,
                           const char *const *user_ids, size_t n, tn_arena *a,
                           tn_group_request **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_REQUEST_GET);
    *out = tn_arena_calloc(a, n ? n : 1, sizeof **out);
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        if (n <= 1024 && seen_before(user_ids, i))
            continue;
        bind3(st, app, group_id, user_ids[i]);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            read_request(st, a, &(*out)[(*count)++]);
        tn_sqlite_done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return tn_sqlite_fail(c->db, "group request");
    }
    return TN_OK;
}

typedef struct ranked_request {
    tn_group_request r;
    int64_t rowid;
} ranked_request;

static int newest_first(const void *x, const void *y)
{
    const ranked_request *a = x, *b = y;
    if (a->r.req_time != b->r.req_time)
        return a->r.req_time > b->r.req_time ? -1 : 1;
    return a->rowid > b->rowid ? -1 : a->rowid < b->rowid;
}

static tn_err requests_to_groups(tn_store *s, const char *app, const char *const *group_ids,
                                 size_t n, tn_arena *a, tn_group_request **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_REQUESTS_TO_GROUP);
    ranked_request *list = NULL;
    size_t k = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        if (n <= 1024 && seen_before(group_ids, i))
            continue;
        bind2(st, app, group_ids[i]);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            list = tn_arena_grow(a, list, &cap, k, sizeof *list);
            list[k].rowid = read_request(st, a, &list[k].r);
            k++;
        }
        tn_sqlite_done(st);
        if (rc != SQLITE_DONE)
            return tn_sqlite_fail(c->db, "group requests");
    }
    if (k > 1)
        qsort(list, k, sizeof *list, newest_first);
    *out = tn_arena_calloc(a, k ? k : 1, sizeof **out);
    for (size_t i = 0; i < k; i++)
        (*out)[i] = list[i].r;
    *count = k;
    return TN_OK;
}

static tn_err requests_of_user(tn_store *s, const char *app, const char *user_id, tn_arena *a,
                               tn_group_request **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_REQUESTS_OF_USER);
    bind2(st, app, user_id);
    *out = NULL;
    *count = 0;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = tn_arena_grow(a, *out, &cap, *count, sizeof **out);
        read_request(st, a, &(*out)[(*count)++]);
    }
    tn_sqlite_done(st);
    return rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, "group requests of user");
}

const tn_group_store_ops tn_sqlite_group_ops = {
    .groups_get = groups_get,
    .members_all = members_all,
    .group_create = group_create,
    .members_add = members_add,
    .members_remove = members_remove,
    .group_update = group_update,
    .group_dismiss = group_dismiss,
    .members_update = members_update,
    .members_get = members_get,
    .members_ordered = members_ordered,
    .memberships = memberships,
    .groups_search = groups_search,
    .requests_put = requests_put,
    .request_handle = request_handle,
    .requests_get = requests_get,
    .requests_to_groups = requests_to_groups,
    .requests_of_user = requests_of_user,
};
