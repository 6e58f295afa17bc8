/* SQLite friends, friend requests and blacklists (store_friend.h), each write with its friend
 * version-log entries in the same transaction. */
#include <string.h>

#include "sqlite_conversation.h"

#define FRIEND_LOG  "friend"              /* version-log collection, key = owner */
#define SORT_MARKER "____S_O_R_T_I_D____" /* element written when a pin changes */

#define FRIEND_COLS                                                                                \
    "owner_user_id,friend_user_id,remark,create_time,add_source,operator_user_id,ex,is_pinned"
#define FRIEND_ORDER " ORDER BY is_pinned DESC, rowid"
#define FRIEND_KEY   "app=?1 AND owner_user_id=?2 AND friend_user_id=?3"
#define REQ_COLS                                                                                   \
    "from_user_id,to_user_id,handle_result,req_msg,create_time,handler_user_id,handle_msg,"        \
    "handle_time,ex"
#define REQ_KEY "app=?1 AND from_user_id=?2 AND to_user_id=?3"
/* ?3 = 1 when a handle_result filter is given, ?4 = its bit mask (bit r+1 for result r) */
#define REQ_FILTER " AND (?3=0 OR handle_result BETWEEN -1 AND 1 AND (?4>>(handle_result+1))&1=1)"
#define REQ_ORDER  " ORDER BY create_time DESC, rowid DESC"
#define BLACK_COLS "owner_user_id,block_user_id,create_time,add_source,operator_user_id,ex"

#define STMT_TABLE(X)                                                                              \
    X(FRIEND_ALL,                                                                                  \
      "SELECT " FRIEND_COLS " FROM friends WHERE app=?1 AND owner_user_id=?2" FRIEND_ORDER)        \
    X(FRIEND_GET, "SELECT " FRIEND_COLS " FROM friends WHERE " FRIEND_KEY)                         \
    X(FRIEND_PAGE,                                                                                 \
      "SELECT " FRIEND_COLS " FROM friends WHERE app=?1 AND owner_user_id=?2" FRIEND_ORDER         \
      " LIMIT ?3 OFFSET ?4")                                                                       \
    X(FRIEND_COUNT, "SELECT count(*) FROM friends WHERE app=?1 AND owner_user_id=?2")              \
    X(FRIEND_IDS,                                                                                  \
      "SELECT friend_user_id FROM friends WHERE app=?1 AND owner_user_id=?2" FRIEND_ORDER)         \
    X(FRIEND_OWNERS,                                                                               \
      "SELECT owner_user_id FROM friends WHERE app=?1 AND friend_user_id=?2 ORDER BY rowid")       \
    X(FRIEND_INSERT,                                                                               \
      "INSERT INTO friends(app,owner_user_id,friend_user_id,remark,create_time,"                   \
      "add_source,operator_user_id,ex,is_pinned) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9) "              \
      "ON CONFLICT(app,owner_user_id,friend_user_id) DO NOTHING")                                  \
    X(FRIEND_DELETE, "DELETE FROM friends WHERE " FRIEND_KEY)                                      \
    X(FRIEND_UPDATE, "UPDATE friends SET remark=coalesce(?4,remark),ex=coalesce(?5,ex),"           \
                     "is_pinned=coalesce(?6,is_pinned) WHERE " FRIEND_KEY)                         \
    X(REQ_GET, "SELECT " REQ_COLS " FROM friend_requests WHERE " REQ_KEY)                          \
    X(REQ_BETWEEN,                                                                                 \
      "SELECT " REQ_COLS " FROM friend_requests WHERE app=?1 AND "                                 \
      "((from_user_id=?2 AND to_user_id=?3) OR (from_user_id=?3 AND to_user_id=?2))" REQ_ORDER)    \
    X(REQ_TO_PAGE, "SELECT " REQ_COLS                                                              \
                   " FROM friend_requests WHERE app=?1 AND to_user_id=?2" REQ_FILTER REQ_ORDER     \
                   " LIMIT ?5 OFFSET ?6")                                                          \
    X(REQ_TO_COUNT,                                                                                \
      "SELECT count(*) FROM friend_requests WHERE app=?1 AND to_user_id=?2" REQ_FILTER)            \
    X(REQ_FROM_PAGE, "SELECT " REQ_COLS                                                            \
                     " FROM friend_requests WHERE app=?1 AND from_user_id=?2" REQ_FILTER REQ_ORDER \
                     " LIMIT ?5 OFFSET ?6")                                                        \
    X(REQ_FROM_COUNT,                                                                              \
      "SELECT count(*) FROM friend_requests WHERE app=?1 AND from_user_id=?2" REQ_FILTER)          \
    X(REQ_UNHANDLED, "SELECT count(*) FROM friend_requests WHERE app=?1 AND to_user_id=?2 "        \
                     "AND handle_result=0 AND create_time>?3")                                     \
    X(REQ_PUT, "INSERT INTO friend_requests(app,from_user_id,to_user_id,handle_result,req_msg,"    \
               "create_time,ex) VALUES(?1,?2,?3,0,?4,?5,?6) "                                      \
               "ON CONFLICT(app,from_user_id,to_user_id) DO UPDATE SET handle_result=0,"           \
               "handle_msg='',req_msg=excluded.req_msg,ex=excluded.ex,"                            \
               "create_time=excluded.create_time")                                                 \
    X(REQ_HANDLE, "UPDATE friend_requests SET handle_result=?4,handler_user_id=?5,handle_msg=?6,"  \
                  "handle_time=?7 WHERE " REQ_KEY " AND handle_result=0")                          \
    X(REQ_STATE, "SELECT handle_result FROM friend_requests WHERE " REQ_KEY)                       \
    X(BLACK_EXISTS, "SELECT 1 FROM blacks WHERE app=?1 AND owner_user_id=?2 AND block_user_id=?3") \
    X(BLACK_GET, "SELECT " BLACK_COLS " FROM blacks WHERE app=?1 AND owner_user_id=?2 "            \
                 "AND block_user_id=?3")                                                           \
    X(BLACK_ALL,                                                                                   \
      "SELECT " BLACK_COLS " FROM blacks WHERE app=?1 AND owner_user_id=?2 ORDER BY rowid")        \
    X(BLACK_PAGE, "SELECT " BLACK_COLS " FROM blacks WHERE app=?1 AND owner_user_id=?2 "           \
                  "ORDER BY rowid LIMIT ?3 OFFSET ?4")                                             \
    X(BLACK_COUNT, "SELECT count(*) FROM blacks WHERE app=?1 AND owner_user_id=?2")                \
    X(BLACK_INSERT, "INSERT INTO blacks(app,owner_user_id,block_user_id,create_time,add_source,"   \
                    "operator_user_id,ex) VALUES(?1,?2,?3,?4,?5,?6,?7) "                           \
                    "ON CONFLICT(app,owner_user_id,block_user_id) DO NOTHING")                     \
    X(BLACK_DELETE, "DELETE FROM blacks WHERE app=?1 AND owner_user_id=?2 AND block_user_id=?3")

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

static void bind_key(sqlite3_stmt *st, const char *app, const char *a, const char *b)
{
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
}

/* A single count(*) row. */
static tn_err count_rows(tn_sqlite_conn *c, sqlite3_stmt *st, int64_t *out, const char *what)
{
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    tn_sqlite_done(st);
    return rc == SQLITE_ROW ? TN_OK : tn_sqlite_fail(c->db, what);
}

/* The first column of every row, as strings in a. */
static tn_err collect_ids(tn_sqlite_conn *c, sqlite3_stmt *st, tn_arena *a, const char ***out,
                          size_t *count, const char *what)
{
    size_t cap = 0;
    tn_err e;
    *count = 0;
    *out = tn_sqlite_rows(c, st, a, NULL, sizeof **out, count, &cap, tn_sqlite_read_id, what, &e);
    return e;
}

/* ---- friends ---- */

/* The owner's rows: all of them through `all` when n == 0, else those of ids through `one`
 * (in the order of ids). */
static void *owner_rows(tn_sqlite_conn *c, sqlite3_stmt *all, sqlite3_stmt *one, const char *app,
                        const char *owner, const char *const *ids, size_t n, tn_arena *a,
                        size_t elem, tn_sqlite_row_fn read, size_t *count, tn_err *e)
{
    void *list = NULL;
    size_t cap = 0;
    *count = 0;
    *e = TN_OK;
    if (n == 0) {
        bind_key(all, app, owner, NULL);
        return tn_sqlite_rows(c, all, a, NULL, elem, count, &cap, read, sqlite3_sql(all), e);
    }
    for (size_t i = 0; i < n && *e == TN_OK; i++) {
        bind_key(one, app, owner, ids[i]);
        list = tn_sqlite_rows(c, one, a, list, elem, count, &cap, read, sqlite3_sql(one), e);
    }
    return list;
}

/* One page (limit rows from offset) of the owner's rows, and how many there are in all. */
static void *owner_page(tn_sqlite_conn *c, sqlite3_stmt *cnt, sqlite3_stmt *page, const char *app,
                        const char *owner, int64_t offset, int64_t limit, tn_arena *a, size_t elem,
                        tn_sqlite_row_fn read, size_t *count, int64_t *total, tn_err *e)
{
    size_t cap = 0;
    *count = 0;
    bind_key(cnt, app, owner, NULL);
    *e = count_rows(c, cnt, total, sqlite3_sql(cnt));
    if (*e || limit <= 0 || offset < 0 || offset >= *total)
        return NULL;
    bind_key(page, app, owner, NULL);
    sqlite3_bind_int64(page, 3, limit);
    sqlite3_bind_int64(page, 4, offset);
    return tn_sqlite_rows(c, page, a, NULL, elem, count, &cap, read, sqlite3_sql(page), e);
}

static void read_friend(sqlite3_stmt *st, tn_arena *a, void *row)
{
    tn_friend *f = row;
    f->owner_user_id = tn_sqlite_col_text(st, 0, a);
    f->friend_user_id = tn_sqlite_col_text(st, 1, a);
    f->remark = tn_sqlite_col_text(st, 2, a);
    f->create_time = sqlite3_column_int64(st, 3);
    f->add_source = sqlite3_column_int(st, 4);
    f->operator_user_id = tn_sqlite_col_text(st, 5, a);
    f->ex = tn_sqlite_col_text(st, 6, a);
    f->is_pinned = sqlite3_column_int(st, 7) != 0;
}

static tn_err friends_get(tn_store *s, const char *app, const char *owner, const char *const *ids,
                          size_t n, tn_arena *a, tn_friend **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, all, STMT_FRIEND_ALL);
    PREPARE(c, one, STMT_FRIEND_GET);
    tn_err e;
    *out = owner_rows(c, all, one, app, owner, ids, n, a, sizeof **out, read_friend, count, &e);
    return e;
}

static tn_err friends_page(tn_store *s, const char *app, const char *owner, int64_t offset,
                           int64_t limit, tn_arena *a, tn_friend **out, size_t *count,
                           int64_t *total)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, cnt, STMT_FRIEND_COUNT);
    PREPARE(c, page, STMT_FRIEND_PAGE);
    tn_err e;
    *out = owner_page(c, cnt, page, app, owner, offset, limit, a, sizeof **out, read_friend, count,
                      total, &e);
    return e;
}

static tn_err friend_ids(tn_store *s, const char *app, const char *owner, tn_arena *a,
                         const char ***out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_FRIEND_IDS);
    bind_key(st, app, owner, NULL);
    return collect_ids(c, st, a, out, count, "friend ids");
}

/* Inserts f when absent (*added tells), inside the caller's transaction; no version bump. */
static tn_err insert_friend(tn_sqlite_conn *c, const char *app, const tn_friend *f, bool *added)
{
    PREPARE(c, st, STMT_FRIEND_INSERT);
    bind_key(st, app, f->owner_user_id, f->friend_user_id);
    sqlite3_bind_text(st, 4, f->remark ? f->remark : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, f->create_time);
    sqlite3_bind_int(st, 6, f->add_source);
    sqlite3_bind_text(st, 7, f->operator_user_id ? f->operator_user_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, f->ex ? f->ex : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, f->is_pinned);
    tn_err e = tn_sqlite_exec(c, st);
    *added = e == TN_OK && sqlite3_changes(c->db) > 0;
    return e;
}

/* Inserts the absent ones of friends, then bumps each owner who gained any exactly once with
 * insert entries for the new friends. Inside the caller's transaction. */
static tn_err add_friends(tn_sqlite_conn *c, const char *app, const tn_friend *friends, size_t n,
                          int64_t now_ms, bool *added)
{
    tn_arena a;
    tn_arena_init(&a);
    bool *new_ = tn_arena_calloc(&a, n ? n : 1, sizeof *new_);
    bool *done = tn_arena_calloc(&a, n ? n : 1, sizeof *done);
    const char **ids = tn_arena_calloc(&a, n ? n : 1, sizeof *ids);
    int32_t *states = tn_arena_calloc(&a, n ? n : 1, sizeof *states);
    tn_err e = TN_OK;
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        e = insert_friend(c, app, &friends[i], &new_[i]);
        if (added)
            added[i] = new_[i];
    }
    /* one bump per owner, over all of that owner's new friends */
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        if (!new_[i] || done[i])
            continue;
        size_t k = 0;
        for (size_t j = i; j < n; j++) {
            if (new_[j] && !done[j] &&
                strcmp(friends[j].owner_user_id, friends[i].owner_user_id) == 0) {
                done[j] = true;
                ids[k] = friends[j].friend_user_id;
                states[k++] = TN_VERSION_INSERT;
            }
        }
        e = tn_sqlite_version_bump(c, app, FRIEND_LOG, friends[i].owner_user_id, ids, states, k,
                                   now_ms);
    }
    tn_arena_free_all(&a);
    return e;
}

static tn_err friends_add(tn_store *s, const char *app, const tn_friend *friends, size_t n,
                          bool *added)
{
    TN_SQLITE_CONN(s, c);
    int64_t now_ms = n ? friends[0].create_time : 0;
    tn_err e = tn_sqlite_begin(c);
    if (e == TN_OK)
        e = add_friends(c, app, friends, n, now_ms, added);
    return tn_sqlite_end(c, e);
}

static tn_err friend_delete(tn_store *s, const char *app, const char *owner, const char *friend_id,
                            int64_t now_ms)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_FRIEND_DELETE);
    tn_err e = tn_sqlite_begin(c);
    if (e)
        return e;
    bind_key(st, app, owner, friend_id);
    e = tn_sqlite_exec(c, st);
    if (e == TN_OK && sqlite3_changes(c->db) == 0)
        e = TN_ENOTFOUND;
    int32_t state = TN_VERSION_DELETE;
    if (e == TN_OK)
        e = tn_sqlite_version_bump(c, app, FRIEND_LOG, owner, &friend_id, &state, 1, now_ms);
    return tn_sqlite_end(c, e);
}

static tn_err friends_update(tn_store *s, const char *app, const char *owner,
                             const char *const *ids, size_t n, const tn_friend_patch *p,
                             int64_t now_ms)
{
    if (!p->remark && !p->ex && !p->has_pinned)
        return TN_OK;
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_FRIEND_UPDATE);
    tn_arena a;
    tn_arena_init(&a);
    const char **elems = tn_arena_calloc(&a, n + 1, sizeof *elems);
    int32_t *states = tn_arena_calloc(&a, n + 1, sizeof *states);
    size_t k = 0;
    tn_err e = tn_sqlite_begin(c);
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        bind_key(st, app, owner, ids[i]);
        tn_sqlite_bind_text(st, 4, p->remark);
        tn_sqlite_bind_text(st, 5, p->ex);
        if (p->has_pinned)
            sqlite3_bind_int(st, 6, p->is_pinned);
        else
            sqlite3_bind_null(st, 6);
        e = tn_sqlite_exec(c, st);
        if (e == TN_OK && sqlite3_changes(c->db) > 0) {
            elems[k] = ids[i];
            states[k++] = TN_VERSION_UPDATE;
        }
    }
    if (e == TN_OK && p->has_pinned) {
        elems[k] = SORT_MARKER;
        states[k++] = TN_VERSION_UPDATE;
    }
    if (e == TN_OK)
        e = tn_sqlite_version_bump(c, app, FRIEND_LOG, owner, elems, states, k, now_ms);
    e = tn_sqlite_end(c, e);
    tn_arena_free_all(&a);
    return e;
}

static tn_err friend_owners_touch(tn_store *s, const char *app, const char *user, int64_t now_ms,
                                  tn_arena *a, const char ***owners, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_FRIEND_OWNERS);
    *owners = NULL;
    *count = 0;
    tn_err e = tn_sqlite_begin(c);
    if (e)
        return e;
    bind_key(st, app, user, NULL);
    e = collect_ids(c, st, a, owners, count, "friend owners");
    int32_t state = TN_VERSION_UPDATE;
    for (size_t i = 0; i < *count && e == TN_OK; i++)
        e = tn_sqlite_version_bump(c, app, FRIEND_LOG, (*owners)[i], &user, &state, 1, now_ms);
    if ((e = tn_sqlite_end(c, e))) {
        *owners = NULL;
        *count = 0;
    }
    return e;
}

/* ---- friend requests ---- */

static void read_request(sqlite3_stmt *st, tn_arena *a, void *row)
{
    tn_friend_request *r = row;
    r->from_user_id = tn_sqlite_col_text(st, 0, a);
    r->to_user_id = tn_sqlite_col_text(st, 1, a);
    r->handle_result = sqlite3_column_int(st, 2);
    r->req_msg = tn_sqlite_col_text(st, 3, a);
    r->create_time = sqlite3_column_int64(st, 4);
    r->handler_user_id = tn_sqlite_col_text(st, 5, a);
    r->handle_msg = tn_sqlite_col_text(st, 6, a);
    r->handle_time = sqlite3_column_int64(st, 7);
    r->ex = tn_sqlite_col_text(st, 8, a);
}

static tn_err collect_requests(tn_sqlite_conn *c, sqlite3_stmt *st, tn_arena *a,
                               tn_friend_request **out, size_t *count)
{
    size_t cap = 0;
    tn_err e;
    *count = 0;
    *out = tn_sqlite_rows(c, st, a, NULL, sizeof **out, count, &cap, read_request,
                          "friend requests", &e);
    return e;
}

static tn_err request_get(tn_store *s, const char *app, const char *from, const char *to,
                          tn_arena *a, tn_friend_request *out)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_REQ_GET);
    bind_key(st, app, from, to);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_request(st, a, out);
    tn_sqlite_done(st);
    if (rc == SQLITE_DONE)
        return TN_ENOTFOUND;
    return rc == SQLITE_ROW ? TN_OK : tn_sqlite_fail(c->db, "friend request");
}

static tn_err requests_between(tn_store *s, const char *app, const char *user1, const char *user2,
                               tn_arena *a, tn_friend_request **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_REQ_BETWEEN);
    bind_key(st, app, user1, user2);
    return collect_requests(c, st, a, out, count);
}

static void bind_filter(sqlite3_stmt *st, const int32_t *results, size_t n)
{
    int64_t mask = 0;
    for (size_t i = 0; i < n; i++)
        if (results[i] >= -1 && results[i] <= 1)
            mask |= (int64_t)1 << (results[i] + 1);
    sqlite3_bind_int(st, 3, n > 0);
    sqlite3_bind_int64(st, 4, mask);
}

static tn_err requests_page(tn_store *s, const char *app, const char *user, bool received,
                            const int32_t *results, size_t nresults, int64_t offset, int64_t limit,
                            tn_arena *a, tn_friend_request **out, size_t *count, int64_t *total)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, cnt_to, STMT_REQ_TO_COUNT);
    PREPARE(c, cnt_from, STMT_REQ_FROM_COUNT);
    PREPARE(c, page_to, STMT_REQ_TO_PAGE);
    PREPARE(c, page_from, STMT_REQ_FROM_PAGE);
    sqlite3_stmt *cnt = received ? cnt_to : cnt_from;
    sqlite3_stmt *page = received ? page_to : page_from;
    *out = NULL;
    *count = 0;
    bind_key(cnt, app, user, NULL);
    bind_filter(cnt, results, nresults);
    tn_err e = count_rows(c, cnt, total, "friend requests count");
    if (e || limit <= 0 || offset < 0 || offset >= *total)
        return e;
    bind_key(page, app, user, NULL);
    bind_filter(page, results, nresults);
    sqlite3_bind_int64(page, 5, limit);
    sqlite3_bind_int64(page, 6, offset);
    return collect_requests(c, page, a, out, count);
}

static tn_err requests_unhandled(tn_store *s, const char *app, const char *to, int64_t after_ms,
                                 int64_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_REQ_UNHANDLED);
    bind_key(st, app, to, NULL);
    sqlite3_bind_int64(st, 3, after_ms);
    return count_rows(c, st, count, "unhandled friend requests");
}

static tn_err request_put(tn_store *s, const char *app, const tn_friend_request *r)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_REQ_PUT);
    bind_key(st, app, r->from_user_id, r->to_user_id);
    sqlite3_bind_text(st, 4, r->req_msg ? r->req_msg : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, r->create_time);
    sqlite3_bind_text(st, 6, r->ex ? r->ex : "", -1, SQLITE_STATIC);
    return tn_sqlite_exec(c, st);
}

/* Marks from→to handled when it is pending; *changed tells whether it was. */
static tn_err mark_handled(tn_sqlite_conn *c, const char *app, const char *from, const char *to,
                           const tn_friend_request *r, bool *changed)
{
    PREPARE(c, st, STMT_REQ_HANDLE);
    bind_key(st, app, from, to);
    sqlite3_bind_int(st, 4, r->handle_result);
    sqlite3_bind_text(st, 5, r->handler_user_id ? r->handler_user_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->handle_msg ? r->handle_msg : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, r->handle_time);
    tn_err e = tn_sqlite_exec(c, st);
    *changed = e == TN_OK && sqlite3_changes(c->db) > 0;
    return e;
}

/* Why from→to could not be marked: TN_ENOTFOUND or TN_EFRIEND_REQ_HANDLED. */
static tn_err unmarked_reason(tn_sqlite_conn *c, const char *app, const char *from, const char *to)
{
    PREPARE(c, st, STMT_REQ_STATE);
    bind_key(st, app, from, to);
    int rc = sqlite3_step(st);
    tn_sqlite_done(st);
    if (rc == SQLITE_ROW)
        return TN_EFRIEND_REQ_HANDLED;
    return rc == SQLITE_DONE ? TN_ENOTFOUND : tn_sqlite_fail(c->db, "friend request state");
}

static tn_err request_answer(tn_store *s, const char *app, const tn_friend_request *r)
{
    TN_SQLITE_CONN(s, c);
    tn_err e = tn_sqlite_begin(c);
    if (e)
        return e;
    bool changed = false;
    e = mark_handled(c, app, r->from_user_id, r->to_user_id, r, &changed);
    if (e == TN_OK && !changed)
        e = unmarked_reason(c, app, r->from_user_id, r->to_user_id);
    if (e == TN_OK && r->handle_result == 1) {
        /* the other direction's pending request is answered by the same agreement */
        bool reverse;
        e = mark_handled(c, app, r->to_user_id, r->from_user_id, r, &reverse);
        tn_friend pair[2] = {
            {.owner_user_id = r->to_user_id,
             .friend_user_id = r->from_user_id,
             .create_time = r->handle_time,
             .add_source = 2,
             .operator_user_id = r->from_user_id},
            {.owner_user_id = r->from_user_id,
             .friend_user_id = r->to_user_id,
             .create_time = r->handle_time,
             .add_source = 2,
             .operator_user_id = r->from_user_id},
        };
        if (e == TN_OK)
            e = add_friends(c, app, pair, 2, r->handle_time, NULL);
    }
    return tn_sqlite_end(c, e);
}

/* ---- blacklists ---- */

static void read_black(sqlite3_stmt *st, tn_arena *a, void *row)
{
    tn_black *b = row;
    b->owner_user_id = tn_sqlite_col_text(st, 0, a);
    b->block_user_id = tn_sqlite_col_text(st, 1, a);
    b->create_time = sqlite3_column_int64(st, 2);
    b->add_source = sqlite3_column_int(st, 3);
    b->operator_user_id = tn_sqlite_col_text(st, 4, a);
    b->ex = tn_sqlite_col_text(st, 5, a);
}

static tn_err is_blocked(tn_store *s, const char *app, const char *owner, const char *user,
                         bool *blocked)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_BLACK_EXISTS);
    bind_key(st, app, owner, user);
    int rc = sqlite3_step(st);
    tn_sqlite_done(st);
    *blocked = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, "blacks");
}

static tn_err blacks_get(tn_store *s, const char *app, const char *owner, const char *const *ids,
                         size_t n, tn_arena *a, tn_black **out, size_t *count)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, all, STMT_BLACK_ALL);
    PREPARE(c, one, STMT_BLACK_GET);
    tn_err e;
    *out = owner_rows(c, all, one, app, owner, ids, n, a, sizeof **out, read_black, count, &e);
    return e;
}

static tn_err blacks_page(tn_store *s, const char *app, const char *owner, int64_t offset,
                          int64_t limit, tn_arena *a, tn_black **out, size_t *count, int64_t *total)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, cnt, STMT_BLACK_COUNT);
    PREPARE(c, page, STMT_BLACK_PAGE);
    tn_err e;
    *out = owner_page(c, cnt, page, app, owner, offset, limit, a, sizeof **out, read_black, count,
                      total, &e);
    return e;
}

static tn_err black_add(tn_store *s, const char *app, const tn_black *b)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_BLACK_INSERT);
    bind_key(st, app, b->owner_user_id, b->block_user_id);
    sqlite3_bind_int64(st, 4, b->create_time);
    sqlite3_bind_int(st, 5, b->add_source);
    sqlite3_bind_text(st, 6, b->operator_user_id ? b->operator_user_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, b->ex ? b->ex : "", -1, SQLITE_STATIC);
    tn_err e = tn_sqlite_exec(c, st);
    return e == TN_OK && sqlite3_changes(c->db) == 0 ? TN_EDUP : e;
}

static tn_err black_remove(tn_store *s, const char *app, const char *owner, const char *user)
{
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_BLACK_DELETE);
    bind_key(st, app, owner, user);
    tn_err e = tn_sqlite_exec(c, st);
    return e == TN_OK && sqlite3_changes(c->db) == 0 ? TN_ENOTFOUND : e;
}

const tn_friend_store_ops tn_sqlite_friend_ops = {
    .friends_get = friends_get,
    .friends_page = friends_page,
    .friend_ids = friend_ids,
    .friends_add = friends_add,
    .friend_delete = friend_delete,
    .friends_update = friends_update,
    .friend_owners_touch = friend_owners_touch,
    .request_get = request_get,
    .requests_between = requests_between,
    .requests_page = requests_page,
    .requests_unhandled = requests_unhandled,
    .request_put = request_put,
    .request_answer = request_answer,
    .is_blocked = is_blocked,
    .blacks_get = blacks_get,
    .blacks_page = blacks_page,
    .black_add = black_add,
    .black_remove = black_remove,
};
