/* SQLite conversation records (one row per owner and conversation) and the generic version logs
 * of incremental sync (one head per collection and key, one entry per element). */
#include "sqlite_conversation.h"

#include <string.h>

#define CONV_COLS                                                                                  \
    "owner_user_id,conversation_id,recv_msg_opt,conversation_type,user_id,group_id,is_pinned,"     \
    "attached_info,is_private_chat,group_at_type,ex,burn_duration,min_seq,max_seq,"                \
    "msg_destruct_time,latest_msg_destruct_time,is_msg_destruct,has_read_seq,create_time"
#define CONV_KEY "app=?1 AND owner_user_id=?2 AND conversation_id=?3"

/* ?7..?15: the patch's fields, NULL when absent (see bind_patch) */
#define STMT_TABLE(X)                                                                              \
    X(CONV_LIST, "SELECT " CONV_COLS " FROM conversations WHERE app=?1 AND owner_user_id=?2 "      \
                 "ORDER BY rowid")                                                                 \
    X(CONV_GET, "SELECT " CONV_COLS " FROM conversations WHERE " CONV_KEY)                         \
    X(CONV_INSERT,                                                                                 \
      "INSERT INTO conversations(app,owner_user_id,conversation_id,conversation_type,user_id,"     \
      "group_id,recv_msg_opt,is_pinned,attached_info,is_private_chat,ex,burn_duration,"            \
      "group_at_type,msg_destruct_time,is_msg_destruct,create_time) VALUES(?1,?2,?3,?4,?5,?6,"     \
      "coalesce(?7,0),coalesce(?8,0),coalesce(?9,''),coalesce(?10,0),coalesce(?11,''),"            \
      "coalesce(?12,0),coalesce(?13,0),coalesce(?14,0),coalesce(?15,0),?16) "                      \
      "ON CONFLICT(app,owner_user_id,conversation_id) DO NOTHING")                                 \
    X(CONV_UPDATE,                                                                                 \
      "UPDATE conversations SET recv_msg_opt=coalesce(?7,recv_msg_opt),"                           \
      "is_pinned=coalesce(?8,is_pinned),attached_info=coalesce(?9,attached_info),"                 \
      "is_private_chat=coalesce(?10,is_private_chat),ex=coalesce(?11,ex),"                         \
      "burn_duration=coalesce(?12,burn_duration),group_at_type=coalesce(?13,group_at_type),"       \
      "msg_destruct_time=coalesce(?14,msg_destruct_time),"                                         \
      "is_msg_destruct=coalesce(?15,is_msg_destruct) WHERE " CONV_KEY " AND ("                     \
      "recv_msg_opt IS NOT coalesce(?7,recv_msg_opt) OR is_pinned IS NOT coalesce(?8,is_pinned)"   \
      " OR attached_info IS NOT coalesce(?9,attached_info)"                                        \
      " OR is_private_chat IS NOT coalesce(?10,is_private_chat) OR ex IS NOT coalesce(?11,ex)"     \
      " OR burn_duration IS NOT coalesce(?12,burn_duration)"                                       \
      " OR group_at_type IS NOT coalesce(?13,group_at_type)"                                       \
      " OR msg_destruct_time IS NOT coalesce(?14,msg_destruct_time)"                               \
      " OR is_msg_destruct IS NOT coalesce(?15,is_msg_destruct))")                                 \
    X(CONV_SEED, "INSERT INTO conversations(app,owner_user_id,conversation_id,conversation_type,"  \
                 "user_id,group_id,create_time) VALUES(?1,?2,?3,?4,?5,?6,?7) "                     \
                 "ON CONFLICT(app,owner_user_id,conversation_id) DO NOTHING")                      \
    X(CONV_READ, "UPDATE conversations SET has_read_seq=max(has_read_seq,?4) WHERE " CONV_KEY)     \
    X(HEAD_GET, "SELECT version_id,version FROM version_heads "                                    \
                "WHERE app=?1 AND collection=?2 AND key=?3")                                       \
    X(HEAD_CREATE, "INSERT INTO version_heads(app,collection,key,version_id,version) "             \
                   "VALUES(?1,?2,?3,lower(hex(randomblob(12))),1) "                                \
                   "ON CONFLICT(app,collection,key) DO NOTHING")                                   \
    X(HEAD_BUMP, "INSERT INTO version_heads(app,collection,key,version_id,version) "               \
                 "VALUES(?1,?2,?3,lower(hex(randomblob(12))),1) "                                  \
                 "ON CONFLICT(app,collection,key) DO UPDATE SET version=version+1 "                \
                 "RETURNING version")                                                              \
    X(ENTRY_PUT, "INSERT INTO version_entries(app,collection,key,element_id,state,version,"        \
                 "last_update) VALUES(?1,?2,?3,?4,?5,?6,?7) "                                      \
                 "ON CONFLICT(app,collection,key,element_id) DO UPDATE SET state=excluded.state,"  \
                 "version=excluded.version,last_update=excluded.last_update")                      \
    X(ENTRIES_AFTER, "SELECT element_id,state,version FROM version_entries "                       \
                     "WHERE app=?1 AND collection=?2 AND key=?3 AND version>?4 "                   \
                     "ORDER BY version,element_id")

enum {
    STMT_BEFORE_FIRST = TN_SQLITE_CONV_SLOT0 - 1,
#define STMT_ENUM(name, sql) STMT_##name,
    STMT_TABLE(STMT_ENUM)
#undef STMT_ENUM
        STMT_END
};
_Static_assert(STMT_END <= TN_SQLITE_FRIEND_SLOT0, "statement slots overlap");

static const char *const stmt_sql[] = {
#define STMT_SQL(name, sql) sql,
    STMT_TABLE(STMT_SQL)
#undef STMT_SQL
};

#define PREPARE(c, st, id) TN_SQLITE_STMT(c, st, id, stmt_sql[(id)-TN_SQLITE_CONV_SLOT0])

static void bind_key(sqlite3_stmt *st, const char *a, const char *b, const char *c)
{
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
}

/* ---- version logs ---- */

tn_err tn_sqlite_version_bump(tn_sqlite_conn *c, const char *app, const char *collection,
                              const char *key, const char *const *element_ids,
                              const int32_t *states, size_t n, int64_t now_ms)
{
    PREPARE(c, bump, STMT_HEAD_BUMP);
    PREPARE(c, put, STMT_ENTRY_PUT);
    bind_key(bump, app, collection, key);
    int rc = sqlite3_step(bump);
    int64_t version = rc == SQLITE_ROW ? sqlite3_column_int64(bump, 0) : 0;
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(bump);
    tn_sqlite_done(bump);
    if (rc != SQLITE_DONE || version <= 0)
        return tn_sqlite_fail(c->db, "version bump");
    tn_err e = TN_OK;
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        bind_key(put, app, collection, key);
        sqlite3_bind_text(put, 4, element_ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int(put, 5, states[i]);
        sqlite3_bind_int64(put, 6, version);
        sqlite3_bind_int64(put, 7, now_ms);
        e = tn_sqlite_exec(c, put);
    }
    return e;
}

/* TN_ENOTFOUND when absent */
static tn_err head_read(tn_sqlite_conn *c, const char *app, const char *collection, const char *key,
                        tn_arena *a, tn_version_head *out)
{
    PREPARE(c, st, STMT_HEAD_GET);
    bind_key(st, app, collection, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->version_id = tn_sqlite_col_text(st, 0, a);
        out->version = sqlite3_column_int64(st, 1);
    }
    tn_sqlite_done(st);
    if (rc == SQLITE_DONE)
        return TN_ENOTFOUND;
    return rc == SQLITE_ROW ? TN_OK : tn_sqlite_fail(c->db, "version head");
}

tn_err tn_sqlite_version_head(tn_store *s, const char *app, const char *collection, const char *key,
                              tn_arena *a, tn_version_head *out)
{
    TN_SQLITE_WAIT(s);
    TN_SQLITE_CONN(s, c);
    PREPARE(c, create, STMT_HEAD_CREATE);
    tn_err e = head_read(c, app, collection, key, a, out);
    if (e != TN_ENOTFOUND)
        return e;
    /* first query of this key: create the head (version 1), racing writers included */
    if ((e = tn_sqlite_begin(c)))
        return e;
    bind_key(create, app, collection, key);
    e = tn_sqlite_exec(c, create);
    if (e == TN_OK)
        e = head_read(c, app, collection, key, a, out);
    if (e == TN_ENOTFOUND)
        e = tn_sqlite_fail(c->db, "version head vanished");
    return tn_sqlite_end(c, e);
}

tn_err tn_sqlite_version_entries(tn_store *s, const char *app, const char *collection,
                                 const char *key, int64_t after_version, tn_arena *a,
                                 tn_version_entry **out, size_t *count)
{
    TN_SQLITE_WAIT(s);
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_ENTRIES_AFTER);
    bind_key(st, app, collection, key);
    sqlite3_bind_int64(st, 4, after_version);
    size_t cap = 16, k = 0;
    tn_version_entry *list = tn_arena_alloc(a, cap * sizeof *list);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list = tn_arena_grow(a, list, &cap, k, sizeof *list);
        list[k].element_id = tn_sqlite_col_text(st, 0, a);
        list[k].state = sqlite3_column_int(st, 1);
        list[k].version = sqlite3_column_int64(st, 2);
        k++;
    }
    tn_sqlite_done(st);
    if (rc != SQLITE_DONE)
        return tn_sqlite_fail(c->db, "version entries");
    *out = list;
    *count = k;
    return TN_OK;
}

/* ---- conversations ---- */

static void read_conv(sqlite3_stmt *st, tn_arena *a, tn_conversation *v)
{
    v->owner_user_id = tn_sqlite_col_text(st, 0, a);
    v->conversation_id = tn_sqlite_col_text(st, 1, a);
    v->recv_msg_opt = sqlite3_column_int(st, 2);
    v->conversation_type = sqlite3_column_int(st, 3);
    v->user_id = tn_sqlite_col_text(st, 4, a);
    v->group_id = tn_sqlite_col_text(st, 5, a);
    v->is_pinned = sqlite3_column_int(st, 6) != 0;
    v->attached_info = tn_sqlite_col_text(st, 7, a);
    v->is_private_chat = sqlite3_column_int(st, 8) != 0;
    v->group_at_type = sqlite3_column_int(st, 9);
    v->ex = tn_sqlite_col_text(st, 10, a);
    v->burn_duration = sqlite3_column_int(st, 11);
    v->min_seq = sqlite3_column_int64(st, 12);
    v->max_seq = sqlite3_column_int64(st, 13);
    v->msg_destruct_time = sqlite3_column_int64(st, 14);
    v->latest_msg_destruct_time = sqlite3_column_int64(st, 15);
    v->is_msg_destruct = sqlite3_column_int(st, 16) != 0;
    v->has_read_seq = sqlite3_column_int64(st, 17);
    v->create_time = sqlite3_column_int64(st, 18);
}

tn_err tn_sqlite_conversations_list(tn_store *s, const char *app, const char *owner, tn_arena *a,
                                    tn_conversation **out, size_t *count)
{
    TN_SQLITE_WAIT(s);
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_CONV_LIST);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    size_t cap = 16, k = 0;
    tn_conversation *list = tn_arena_alloc(a, cap * sizeof *list);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list = tn_arena_grow(a, list, &cap, k, sizeof *list);
        read_conv(st, a, &list[k++]);
    }
    tn_sqlite_done(st);
    if (rc != SQLITE_DONE)
        return tn_sqlite_fail(c->db, "conversations_list");
    *out = list;
    *count = k;
    return TN_OK;
}

tn_err tn_sqlite_conversations_get(tn_store *s, const char *app, const char *owner,
                                   const char *const *ids, size_t n, tn_arena *a,
                                   tn_conversation **out, size_t *count)
{
    TN_SQLITE_WAIT(s);
    TN_SQLITE_CONN(s, c);
    PREPARE(c, st, STMT_CONV_GET);
    tn_conversation *list = tn_arena_calloc(a, n ? n : 1, sizeof *list);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(ids[i], ids[j]) == 0;
        if (seen)
            continue;
        bind_key(st, app, owner, ids[i]);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            read_conv(st, a, &list[k++]);
        tn_sqlite_done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return tn_sqlite_fail(c->db, "conversations_get");
    }
    *out = list;
    *count = k;
    return TN_OK;
}

static void bind_int_if(sqlite3_stmt *st, int i, bool present, int64_t v)
{
    if (present)
        sqlite3_bind_int64(st, i, v);
}

static void bind_text_if(sqlite3_stmt *st, int i, bool present, const char *v)
{
    if (present)
        sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

/* ?7..?15 of CONV_INSERT / CONV_UPDATE; an absent field stays NULL */
static void bind_patch(sqlite3_stmt *st, const tn_conversation_patch *p)
{
    bind_int_if(st, 7, p->has_recv_msg_opt, p->recv_msg_opt);
    bind_int_if(st, 8, p->has_is_pinned, p->is_pinned);
    bind_text_if(st, 9, p->has_attached_info, p->attached_info);
    bind_int_if(st, 10, p->has_is_private_chat, p->is_private_chat);
    bind_text_if(st, 11, p->has_ex, p->ex);
    bind_int_if(st, 12, p->has_burn_duration, p->burn_duration);
    bind_int_if(st, 13, p->has_group_at_type, p->group_at_type);
    bind_int_if(st, 14, p->has_msg_destruct_time, p->msg_destruct_time);
    bind_int_if(st, 15, p->has_is_msg_destruct, p->is_msg_destruct);
}

static tn_err set_one(tn_sqlite_conn *c, const char *app, const char *owner,
                      const tn_conversation_patch *p, int64_t now_ms, bool *changed)
{
    PREPARE(c, ins, STMT_CONV_INSERT);
    PREPARE(c, upd, STMT_CONV_UPDATE);
    bind_key(ins, app, owner, p->conversation_id);
    sqlite3_bind_int(ins, 4, p->conversation_type);
    sqlite3_bind_text(ins, 5, p->user_id ? p->user_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, p->group_id ? p->group_id : "", -1, SQLITE_STATIC);
    bind_patch(ins, p);
    sqlite3_bind_int64(ins, 16, now_ms);
    tn_err e = tn_sqlite_exec(c, ins);
    if (e)
        return e;
    int32_t state = TN_VERSION_INSERT;
    if (sqlite3_changes(c->db) == 0) {
        bind_key(upd, app, owner, p->conversation_id);
        bind_patch(upd, p);
        if ((e = tn_sqlite_exec(c, upd)))
            return e;
        if (sqlite3_changes(c->db) == 0) {
            *changed = false;
            return TN_OK;
        }
        state = TN_VERSION_UPDATE;
    }
    *changed = true;
    return tn_sqlite_version_bump(c, app, TN_SQLITE_CONV_COLLECTION, owner, &p->conversation_id,
                                  &state, 1, now_ms);
}

tn_err tn_sqlite_conversations_set(tn_store *s, const char *app, const char *const *owners,
                                   size_t n, const tn_conversation_patch *p, int64_t now_ms,
                                   bool *changed)
{
    TN_SQLITE_CONN(s, c);
    tn_err e = tn_sqlite_begin(c);
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        bool ch = false;
        e = set_one(c, app, owners[i], p, now_ms, &ch);
        if (changed)
            changed[i] = ch;
    }
    return tn_sqlite_end(c, e);
}

tn_err tn_sqlite_conv_read_to(tn_sqlite_conn *c, const char *app, const char *owner,
                              const char *conversation_id, int64_t seq)
{
    PREPARE(c, st, STMT_CONV_READ);
    bind_key(st, app, owner, conversation_id);
    sqlite3_bind_int64(st, 4, seq);
    return tn_sqlite_exec(c, st);
}

tn_err tn_sqlite_conversation_mark_read(tn_store *s, const char *app, const char *owner,
                                        const char *conversation_id, int64_t seq)
{
    TN_SQLITE_WAIT(s);
    TN_SQLITE_CONN(s, c);
    tn_err e = tn_sqlite_conv_read_to(c, app, owner, conversation_id, seq);
    if (e == TN_OK && sqlite3_changes(c->db) == 0)
        return TN_ENOTFOUND;
    return e;
}

tn_err tn_sqlite_conv_seed(tn_sqlite_conn *c, const char *app, const tn_conv_seed *seed,
                           int64_t now_ms)
{
    PREPARE(c, st, STMT_CONV_SEED);
    bind_key(st, app, seed->owner_user_id, seed->conversation_id);
    sqlite3_bind_int(st, 4, seed->conversation_type);
    sqlite3_bind_text(st, 5, seed->user_id ? seed->user_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, seed->group_id ? seed->group_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, now_ms);
    tn_err e = tn_sqlite_exec(c, st);
    if (e || sqlite3_changes(c->db) == 0)
        return e;
    int32_t state = TN_VERSION_INSERT;
    return tn_sqlite_version_bump(c, app, TN_SQLITE_CONV_COLLECTION, seed->owner_user_id,
                                  &seed->conversation_id, &state, 1, now_ms);
}
