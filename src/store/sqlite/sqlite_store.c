/* SQLite implementation of store.h: one connection per calling thread, statements prepared once
 * per connection, every write in a BEGIN IMMEDIATE transaction committed with fsync. */
#include "sqlite_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "log.h"
#include "msg_log.h"
#include "schema.h"
#include "sqlite_conversation.h"
#include "sqlite_internal.h"
#include "sqlite_msgs.h"

/* Every statement the backend runs, prepared lazily per connection. */
#define STMT_TABLE(X)                                                                              \
    X(USER_EXISTS, "SELECT 1 FROM users WHERE app=?1 AND user_id=?2")                              \
    X(SEND_FACTS, "SELECT (SELECT global_recv_msg_opt FROM users WHERE app=?1 AND user_id=?3),"    \
                  "EXISTS(SELECT 1 FROM users WHERE app=?1 AND user_id=?2),"                       \
                  "EXISTS(SELECT 1 FROM blacks WHERE app=?1 AND owner_user_id=?3 "                 \
                  "AND block_user_id=?2),"                                                         \
                  "(SELECT recv_msg_opt FROM conversations WHERE app=?1 AND owner_user_id=?3 "     \
                  "AND conversation_id=?4)")                                                       \
    X(USER_INSERT, "INSERT INTO users(app,user_id,nickname,face_url,ex,create_time,"               \
                   "app_manger_level,global_recv_msg_opt) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)")        \
    X(USER_GET, "SELECT user_id,nickname,face_url,ex,create_time,app_manger_level,"                \
                "global_recv_msg_opt FROM users WHERE app=?1 AND user_id=?2")                      \
    X(USER_UPDATE, "UPDATE users SET nickname=coalesce(?3,nickname),"                              \
                   "face_url=coalesce(?4,face_url),ex=coalesce(?5,ex),"                            \
                   "app_manger_level=coalesce(?6,app_manger_level),"                               \
                   "global_recv_msg_opt=coalesce(?7,global_recv_msg_opt) "                         \
                   "WHERE app=?1 AND user_id=?2")                                                  \
    X(USER_QUERY,                                                                                  \
      "SELECT user_id,nickname,face_url,ex,create_time,app_manger_level,"                          \
      "global_recv_msg_opt FROM users WHERE " USER_FILTER " ORDER BY rowid LIMIT ?7 OFFSET ?8")    \
    X(USER_COUNT, "SELECT count(*) FROM users WHERE " USER_FILTER)                                 \
    X(TOKENS_LIST, "SELECT token,platform_id,status,expire_at FROM tokens "                        \
                   "WHERE app=?1 AND user_id=?2 ORDER BY rowid")                                   \
    X(TOKEN_PUT, "INSERT OR REPLACE INTO tokens(app,user_id,token,platform_id,status,expire_at) "  \
                 "VALUES(?1,?2,?3,?4,0,?5)")                                                       \
    X(TOKEN_KICK, "UPDATE tokens SET status=2 WHERE app=?1 AND user_id=?2 AND token=?3")           \
    X(TOKEN_DELETE, "DELETE FROM tokens WHERE app=?1 AND user_id=?2 AND token=?3")                 \
    X(TOKEN_STATUS, "SELECT status FROM tokens WHERE app=?1 AND user_id=?2 AND token=?3 "          \
                    "AND platform_id=?4")                                                          \
    X(CMD_ADD, "INSERT INTO user_commands(app,user_id,type,uuid,value,ex,create_time) "            \
               "VALUES(?1,?2,?3,?4,?5,?6,?7)")                                                     \
    X(CMD_UPDATE, "UPDATE user_commands SET value=coalesce(?5,value),ex=coalesce(?6,ex) "          \
                  "WHERE app=?1 AND user_id=?2 AND type=?3 AND uuid=?4")                           \
    X(CMD_DELETE, "DELETE FROM user_commands WHERE app=?1 AND user_id=?2 AND type=?3 AND uuid=?4") \
    X(CMD_GET, "SELECT type,uuid,value,ex,create_time FROM user_commands "                         \
               "WHERE app=?1 AND user_id=?2 AND (?3=0 OR type=?3) ORDER BY rowid")                 \
    X(CFG_SET, "INSERT INTO client_config(app,user_id,key,value) VALUES(?1,?2,?3,?4) "             \
               "ON CONFLICT(app,user_id,key) DO UPDATE SET value=excluded.value")                  \
    X(CFG_DELETE, "DELETE FROM client_config WHERE app=?1 AND user_id=?2 AND key=?3")              \
    X(CFG_PAGE, "SELECT user_id,key,value FROM client_config WHERE " CFG_FILTER                    \
                " ORDER BY user_id,key LIMIT ?4 OFFSET ?5")                                        \
    X(CFG_COUNT, "SELECT count(*) FROM client_config WHERE " CFG_FILTER)                           \
    X(SEQ_MAX, "SELECT max_seq,max_seq_time FROM seqs WHERE app=?1 AND conversation_id=?2")        \
    X(MSG_REVOKE, "UPDATE msgs SET revoker=?4,revoke_time=?5 WHERE app=?1 AND conversation_id=?2 " \
                  "AND seq=?3 AND revoker=''")                                                     \
    X(MSG_EXISTS, "SELECT 1 FROM msgs WHERE app=?1 AND conversation_id=?2 AND seq=?3")             \
    X(MSG_DELETE_FOR, "INSERT OR IGNORE INTO msg_deletes(app,owner_user_id,conversation_id,seq) "  \
                      "VALUES(?1,?2,?3,?4)")                                                       \
    X(MSG_DELETED_FOR, "SELECT seq FROM msg_deletes WHERE app=?1 AND owner_user_id=?2 AND "        \
                       "conversation_id=?3 AND seq BETWEEN ?4 AND ?5 ORDER BY seq")                \
    X(CONV_MIN_SEQ, "UPDATE conversations SET min_seq=?4 WHERE app=?1 AND owner_user_id=?2 AND "   \
                    "conversation_id=?3")                                                          \
    X(MSG_RANGE, "SELECT seq,client_msg_id,server_msg_id,send_id,send_time,data,revoker,"          \
                 "revoke_time FROM msgs "                                                          \
                 "WHERE app=?1 AND conversation_id=?2 AND seq BETWEEN ?3 AND ?4 ORDER BY seq")

/* ?1 app, ?2/?3 level range, ?4 user-id keyword, ?5 nickname keyword, ?6 exact user id */
#define USER_FILTER                                                                                \
    "app=?1 AND app_manger_level BETWEEN ?2 AND ?3 AND ((?4 IS NULL AND ?5 IS NULL)"               \
    " OR (?4 IS NOT NULL AND CASE WHEN ?6 THEN user_id=?4"                                         \
    " ELSE instr(lower(user_id),lower(?4))>0 END)"                                                 \
    " OR (?5 IS NOT NULL AND instr(lower(nickname),lower(?5))>0))"
/* ?1 app, ?2 user id or NULL, ?3 key or NULL */
#define CFG_FILTER "app=?1 AND (?2 IS NULL OR user_id=?2) AND (?3 IS NULL OR key=?3)"

enum {
#define STMT_ENUM(name, sql) STMT_##name,
    STMT_TABLE(STMT_ENUM)
#undef STMT_ENUM
        STMT_COUNT
};
_Static_assert(STMT_COUNT <= TN_SQLITE_MSGS_SLOT0, "statement slots overlap");

static const char *const stmt_sql[] = {
#define STMT_SQL(name, sql) sql,
    STMT_TABLE(STMT_SQL)
#undef STMT_SQL
};

#define GET_CONN(s, c)     TN_SQLITE_CONN(s, c)
#define PREPARE(c, st, id) TN_SQLITE_STMT(c, st, id, stmt_sql[id])

/* ---- users ---- */

static void read_user(sqlite3_stmt *st, tn_arena *a, tn_user *u)
{
    u->user_id = tn_sqlite_col_text(st, 0, a);
    u->nickname = tn_sqlite_col_text(st, 1, a);
    u->face_url = tn_sqlite_col_text(st, 2, a);
    u->ex = tn_sqlite_col_text(st, 3, a);
    u->create_time = sqlite3_column_int64(st, 4);
    u->app_manger_level = sqlite3_column_int(st, 5);
    u->global_recv_msg_opt = sqlite3_column_int(st, 6);
}

static tn_err users_insert(tn_store *s, const char *app, const tn_user *users, size_t n,
                           const char **dup_id)
{
    GET_CONN(s, c);
    PREPARE(c, exists, STMT_USER_EXISTS);
    PREPARE(c, ins, STMT_USER_INSERT);
    tn_err e = tn_sqlite_begin(c);
    if (e)
        return e;
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        sqlite3_bind_text(exists, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(exists, 2, users[i].user_id, -1, SQLITE_STATIC);
        int rc = sqlite3_step(exists);
        tn_sqlite_done(exists);
        if (rc == SQLITE_ROW) {
            *dup_id = users[i].user_id;
            e = TN_EREGISTERED;
            break;
        }
        if (rc != SQLITE_DONE) {
            e = tn_sqlite_fail(c->db, "user exists");
            break;
        }
        const tn_user *u = &users[i];
        sqlite3_bind_text(ins, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, u->user_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, u->nickname ? u->nickname : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, u->face_url ? u->face_url : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, u->ex ? u->ex : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 6, u->create_time);
        sqlite3_bind_int(ins, 7, u->app_manger_level);
        sqlite3_bind_int(ins, 8, u->global_recv_msg_opt);
        e = tn_sqlite_exec(c, ins);
    }
    return tn_sqlite_end(c, e);
}

static tn_err users_get(tn_store *s, const char *app, const char *const *ids, size_t n, tn_arena *a,
                        tn_user **out, size_t *count)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_USER_GET);
    tn_user *list = tn_arena_calloc(a, n ? n : 1, sizeof *list);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(ids[i], ids[j]) == 0;
        if (seen)
            continue;
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ids[i], -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            read_user(st, a, &list[k++]);
        tn_sqlite_done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return tn_sqlite_fail(c->db, "users_get");
    }
    *out = list;
    *count = k;
    return TN_OK;
}

static tn_err msg_send_facts(tn_store *s, const char *app, const char *send_id, const char *recv_id,
                             const char *conversation_id, tn_send_facts *out)
{
    TN_SQLITE_WAIT(s);
    GET_CONN(s, c);
    PREPARE(c, st, STMT_SEND_FACTS);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, send_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, recv_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, conversation_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = (tn_send_facts){
            .receiver_exists = sqlite3_column_type(st, 0) != SQLITE_NULL,
            .receiver_global_recv_opt = sqlite3_column_int(st, 0),
            .sender_exists = sqlite3_column_int(st, 1) != 0,
            .blocked = sqlite3_column_int(st, 2) != 0,
            .conversation_recv_opt = sqlite3_column_int(st, 3),
        };
    tn_sqlite_done(st);
    return rc == SQLITE_ROW ? TN_OK : tn_sqlite_fail(c->db, "send facts");
}

static tn_err user_update(tn_store *s, const char *app, const tn_user_patch *p)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_USER_UPDATE);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->user_id, -1, SQLITE_STATIC);
    tn_sqlite_bind_text(st, 3, p->nickname);
    tn_sqlite_bind_text(st, 4, p->face_url);
    tn_sqlite_bind_text(st, 5, p->ex);
    if (p->has_level)
        sqlite3_bind_int(st, 6, p->app_manger_level);
    if (p->has_recv_opt)
        sqlite3_bind_int(st, 7, p->global_recv_msg_opt);
    tn_err e = tn_sqlite_exec(c, st);
    if (e == TN_OK && sqlite3_changes(c->db) == 0)
        return TN_ENOTFOUND;
    return e;
}

static void bind_user_filter(sqlite3_stmt *st, const char *app, const tn_user_query *q)
{
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, q->level_min);
    sqlite3_bind_int(st, 3, q->level_max);
    tn_sqlite_bind_text(st, 4, q->user_id_like);
    tn_sqlite_bind_text(st, 5, q->nickname_like);
    sqlite3_bind_int(st, 6, q->exact_user_id);
}

static tn_err users_query(tn_store *s, const char *app, const tn_user_query *q, tn_arena *a,
                          tn_user **out, size_t *count, int64_t *total)
{
    GET_CONN(s, c);
    PREPARE(c, cnt, STMT_USER_COUNT);
    PREPARE(c, st, STMT_USER_QUERY);
    bind_user_filter(cnt, app, q);
    int rc = sqlite3_step(cnt);
    *total = rc == SQLITE_ROW ? sqlite3_column_int64(cnt, 0) : 0;
    tn_sqlite_done(cnt);
    if (rc != SQLITE_ROW)
        return tn_sqlite_fail(c->db, "users count");
    *out = NULL;
    *count = 0;
    if (q->limit <= 0 || q->offset >= *total)
        return TN_OK;
    int64_t room = *total - q->offset < q->limit ? *total - q->offset : q->limit;
    tn_user *list = tn_arena_calloc(a, (size_t)room, sizeof *list);
    bind_user_filter(st, app, q);
    sqlite3_bind_int64(st, 7, q->limit);
    sqlite3_bind_int64(st, 8, q->offset);
    size_t k = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < (size_t)room)
        read_user(st, a, &list[k++]);
    tn_sqlite_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return tn_sqlite_fail(c->db, "users query");
    *out = list;
    *count = k;
    return TN_OK;
}

/* ---- tokens ---- */

static tn_err tokens_list(tn_store *s, const char *app, const char *user_id, tn_arena *a,
                          tn_token_rec **out, size_t *count)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_TOKENS_LIST);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
    size_t cap = 8, k = 0;
    tn_token_rec *list = tn_arena_alloc(a, cap * sizeof *list);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list = tn_arena_grow(a, list, &cap, k, sizeof *list);
        list[k].token = tn_sqlite_col_text(st, 0, a);
        list[k].platform_id = sqlite3_column_int(st, 1);
        list[k].status = sqlite3_column_int(st, 2);
        list[k].expire_at = sqlite3_column_int64(st, 3);
        k++;
    }
    tn_sqlite_done(st);
    if (rc != SQLITE_DONE)
        return tn_sqlite_fail(c->db, "tokens_list");
    *out = list;
    *count = k;
    return TN_OK;
}

static tn_err tokens_apply(tn_store *s, const char *app, const char *user_id,
                           const tn_token_change *changes, size_t n)
{
    GET_CONN(s, c);
    PREPARE(c, put, STMT_TOKEN_PUT);
    PREPARE(c, kick, STMT_TOKEN_KICK);
    PREPARE(c, del, STMT_TOKEN_DELETE);
    tn_err e = tn_sqlite_begin(c);
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        const tn_token_change *ch = &changes[i];
        sqlite3_stmt *st = ch->op == TN_TOKEN_OP_PUT    ? put
                           : ch->op == TN_TOKEN_OP_KICK ? kick
                                                        : del;
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ch->rec.token, -1, SQLITE_STATIC);
        if (ch->op == TN_TOKEN_OP_PUT) {
            sqlite3_bind_int(st, 4, ch->rec.platform_id);
            sqlite3_bind_int64(st, 5, ch->rec.expire_at);
        }
        e = tn_sqlite_exec(c, st);
    }
    return tn_sqlite_end(c, e);
}

static tn_err token_status(tn_store *s, const char *app, const char *user_id, int32_t platform_id,
                           const char *token, int32_t *status)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_TOKEN_STATUS);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, platform_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *status = sqlite3_column_int(st, 0);
    tn_sqlite_done(st);
    if (rc == SQLITE_DONE)
        return TN_ENOTFOUND;
    return rc == SQLITE_ROW ? TN_OK : tn_sqlite_fail(c->db, "token_status");
}

/* ---- user commands ---- */

static tn_err command_add(tn_store *s, const char *app, const char *user_id,
                          const tn_user_command *cmd)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_CMD_ADD);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, cmd->type);
    sqlite3_bind_text(st, 4, cmd->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, cmd->value ? cmd->value : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, cmd->ex ? cmd->ex : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, cmd->create_time);
    int rc = sqlite3_step(st);
    tn_sqlite_done(st);
    if (rc == SQLITE_CONSTRAINT)
        return TN_EDUP;
    return rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, "command_add");
}

static tn_err command_update(tn_store *s, const char *app, const char *user_id,
                             const tn_user_command *cmd)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_CMD_UPDATE);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, cmd->type);
    sqlite3_bind_text(st, 4, cmd->uuid, -1, SQLITE_STATIC);
    tn_sqlite_bind_text(st, 5, cmd->value);
    tn_sqlite_bind_text(st, 6, cmd->ex);
    tn_err e = tn_sqlite_exec(c, st);
    if (e == TN_OK && sqlite3_changes(c->db) == 0)
        return TN_ENOTFOUND;
    return e;
}

static tn_err command_delete(tn_store *s, const char *app, const char *user_id, int32_t type,
                             const char *uuid)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_CMD_DELETE);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, type);
    sqlite3_bind_text(st, 4, uuid, -1, SQLITE_STATIC);
    tn_err e = tn_sqlite_exec(c, st);
    if (e == TN_OK && sqlite3_changes(c->db) == 0)
        return TN_ENOTFOUND;
    return e;
}

static tn_err commands_get(tn_store *s, const char *app, const char *user_id, int32_t type,
                           tn_arena *a, tn_user_command **out, size_t *count)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_CMD_GET);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, type);
    size_t cap = 8, k = 0;
    tn_user_command *list = tn_arena_alloc(a, cap * sizeof *list);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list = tn_arena_grow(a, list, &cap, k, sizeof *list);
        list[k].type = sqlite3_column_int(st, 0);
        list[k].uuid = tn_sqlite_col_text(st, 1, a);
        list[k].value = tn_sqlite_col_text(st, 2, a);
        list[k].ex = tn_sqlite_col_text(st, 3, a);
        list[k].create_time = sqlite3_column_int64(st, 4);
        k++;
    }
    tn_sqlite_done(st);
    if (rc != SQLITE_DONE)
        return tn_sqlite_fail(c->db, "commands_get");
    *out = list;
    *count = k;
    return TN_OK;
}

/* ---- client config ---- */

static tn_err client_config_set(tn_store *s, const char *app, const tn_kv *kvs, size_t n)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_CFG_SET);
    tn_err e = tn_sqlite_begin(c);
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kvs[i].user_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, kvs[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, kvs[i].value, -1, SQLITE_STATIC);
        e = tn_sqlite_exec(c, st);
    }
    return tn_sqlite_end(c, e);
}

static tn_err client_config_delete(tn_store *s, const char *app, const char *user_id,
                                   const char *const *keys, size_t n)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_CFG_DELETE);
    tn_err e = tn_sqlite_begin(c);
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, keys[i], -1, SQLITE_STATIC);
        e = tn_sqlite_exec(c, st);
    }
    return tn_sqlite_end(c, e);
}

static tn_err client_config_page(tn_store *s, const char *app, const char *user_id, const char *key,
                                 int64_t offset, int64_t limit, tn_arena *a, tn_kv **out,
                                 size_t *count, int64_t *total)
{
    GET_CONN(s, c);
    PREPARE(c, cnt, STMT_CFG_COUNT);
    PREPARE(c, st, STMT_CFG_PAGE);
    sqlite3_bind_text(cnt, 1, app, -1, SQLITE_STATIC);
    tn_sqlite_bind_text(cnt, 2, user_id);
    tn_sqlite_bind_text(cnt, 3, key);
    int rc = sqlite3_step(cnt);
    *total = rc == SQLITE_ROW ? sqlite3_column_int64(cnt, 0) : 0;
    tn_sqlite_done(cnt);
    if (rc != SQLITE_ROW)
        return tn_sqlite_fail(c->db, "config count");
    *out = NULL;
    *count = 0;
    if (limit <= 0 || offset >= *total)
        return TN_OK;
    int64_t room = *total - offset < limit ? *total - offset : limit;
    tn_kv *list = tn_arena_calloc(a, (size_t)room, sizeof *list);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    tn_sqlite_bind_text(st, 2, user_id);
    tn_sqlite_bind_text(st, 3, key);
    sqlite3_bind_int64(st, 4, limit);
    sqlite3_bind_int64(st, 5, offset);
    size_t k = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < (size_t)room) {
        list[k].user_id = tn_sqlite_col_text(st, 0, a);
        list[k].key = tn_sqlite_col_text(st, 1, a);
        list[k].value = tn_sqlite_col_text(st, 2, a);
        k++;
    }
    tn_sqlite_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return tn_sqlite_fail(c->db, "config page");
    *out = list;
    *count = k;
    return TN_OK;
}

/* ---- messages ---- */

static tn_err seq_max(tn_store *s, const char *app, const char *conversation_id, int64_t *max)
{
    TN_SQLITE_WAIT(s);
    GET_CONN(s, c);
    PREPARE(c, st, STMT_SEQ_MAX);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, conversation_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *max = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    tn_sqlite_done(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, "seq_max");
}

static tn_err msg_revoke(tn_store *s, const char *app, const char *conversation_id, int64_t seq,
                         const char *revoker, int64_t revoke_time)
{
    TN_SQLITE_WAIT(s);
    GET_CONN(s, c);
    PREPARE(c, st, STMT_MSG_REVOKE);
    PREPARE(c, ex, STMT_MSG_EXISTS);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, conversation_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, seq);
    sqlite3_bind_text(st, 4, revoker, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, revoke_time);
    tn_err e = tn_sqlite_exec(c, st);
    if (e || sqlite3_changes(c->db) == 1)
        return e;
    sqlite3_bind_text(ex, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(ex, 2, conversation_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ex, 3, seq);
    int rc = sqlite3_step(ex);
    tn_sqlite_done(ex);
    if (rc == SQLITE_ROW)
        return TN_EREVOKED;
    return rc == SQLITE_DONE ? TN_ENOTFOUND : tn_sqlite_fail(c->db, "msg exists");
}

static tn_err msgs_delete_for(tn_store *s, const char *app, const char *owner,
                              const char *conversation_id, const int64_t *seqs, size_t n)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_MSG_DELETE_FOR);
    tn_err e = tn_sqlite_begin(c);
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, conversation_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, seqs[i]);
        e = tn_sqlite_exec(c, st);
    }
    return tn_sqlite_end(c, e);
}

static tn_err msgs_deleted_for(tn_store *s, const char *app, const char *owner,
                               const char *conversation_id, int64_t begin, int64_t end, tn_arena *a,
                               int64_t **out, size_t *count)
{
    GET_CONN(s, c);
    PREPARE(c, st, STMT_MSG_DELETED_FOR);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, conversation_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, begin);
    sqlite3_bind_int64(st, 5, end);
    size_t cap = 0, k = 0;
    int64_t *list = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list = tn_arena_grow(a, list, &cap, k, sizeof *list);
        list[k++] = sqlite3_column_int64(st, 0);
    }
    tn_sqlite_done(st);
    if (rc != SQLITE_DONE)
        return tn_sqlite_fail(c->db, "msgs_deleted_for");
    *out = list;
    *count = k;
    return TN_OK;
}

static tn_err conversation_set_min_seq(tn_store *s, const char *app, const char *owner,
                                       const char *conversation_id, int64_t min_seq)
{
    TN_SQLITE_WAIT(s);
    GET_CONN(s, c);
    PREPARE(c, st, STMT_CONV_MIN_SEQ);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, conversation_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, min_seq);
    tn_err e = tn_sqlite_exec(c, st);
    if (e == TN_OK && sqlite3_changes(c->db) == 0)
        return TN_ENOTFOUND;
    return e;
}

static tn_err seq_infos(tn_store *s, const char *app, const char *const *ids, size_t n, tn_arena *a,
                        tn_seq_info **out, size_t *count)
{
    TN_SQLITE_WAIT(s);
    GET_CONN(s, c);
    PREPARE(c, st, STMT_SEQ_MAX);
    tn_seq_info *list = tn_arena_calloc(a, n ? n : 1, sizeof *list);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ids[i], -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
            list[k].conversation_id = ids[i];
            list[k].max_seq = sqlite3_column_int64(st, 0);
            list[k].max_seq_time = sqlite3_column_int64(st, 1);
            k++;
        }
        tn_sqlite_done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return tn_sqlite_fail(c->db, "seq_infos");
    }
    *out = list;
    *count = k;
    return TN_OK;
}

static tn_err msgs_range(tn_store *s, const char *app, const char *conversation_id, int64_t begin,
                         int64_t end, tn_arena *a, tn_msg_rec **out, size_t *count)
{
    TN_SQLITE_WAIT(s);
    GET_CONN(s, c);
    PREPARE(c, st, STMT_MSG_RANGE);
    *out = NULL;
    *count = 0;
    if (end < begin)
        return TN_OK;
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, conversation_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, begin);
    sqlite3_bind_int64(st, 4, end);
    size_t cap = 16, k = 0;
    tn_msg_rec *list = tn_arena_alloc(a, cap * sizeof *list);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list = tn_arena_grow(a, list, &cap, k, sizeof *list);
        tn_msg_rec *m = &list[k++];
        m->conversation_id = conversation_id;
        m->seq = sqlite3_column_int64(st, 0);
        m->client_msg_id = tn_sqlite_col_text(st, 1, a);
        m->server_msg_id = tn_sqlite_col_text(st, 2, a);
        m->send_id = tn_sqlite_col_text(st, 3, a);
        m->send_time = sqlite3_column_int64(st, 4);
        m->data_len = (size_t)sqlite3_column_bytes(st, 5);
        void *d = tn_arena_alloc(a, m->data_len ? m->data_len : 1);
        if (m->data_len)
            memcpy(d, sqlite3_column_blob(st, 5), m->data_len);
        m->data = d;
        m->revoker = tn_sqlite_col_text(st, 6, a);
        m->revoke_time = sqlite3_column_int64(st, 7);
    }
    tn_sqlite_done(st);
    if (rc != SQLITE_DONE)
        return tn_sqlite_fail(c->db, "msgs_range");
    *out = list;
    *count = k;
    return TN_OK;
}

/* ---- lifecycle ---- */

static void close_store(tn_store *base)
{
    tn_sqlite_store *s = (tn_sqlite_store *)base;
    tn_sqlite_msgs_close(s->msgs);
    tn_sqlite_close_conns(s);
    pthread_key_delete(s->key);
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    free(s);
}

static const tn_store_ops sqlite_ops = {
    .close = close_store,
    .users_insert = users_insert,
    .users_get = users_get,
    .user_update = user_update,
    .users_query = users_query,
    .tokens_list = tokens_list,
    .tokens_apply = tokens_apply,
    .token_status = token_status,
    .command_add = command_add,
    .command_update = command_update,
    .command_delete = command_delete,
    .commands_get = commands_get,
    .client_config_set = client_config_set,
    .client_config_delete = client_config_delete,
    .client_config_page = client_config_page,
    .reads_begin = tn_sqlite_reads_begin,
    .msg_send_facts = msg_send_facts,
    .reads_end = tn_sqlite_reads_end,
    .msgs_append = tn_sqlite_msgs_append,
    .seq_max = seq_max,
    .msgs_range = msgs_range,
    .seq_infos = seq_infos,
    .msg_revoke = msg_revoke,
    .msgs_delete_for = msgs_delete_for,
    .msgs_deleted_for = msgs_deleted_for,
    .conversation_set_min_seq = conversation_set_min_seq,
    .conversations_list = tn_sqlite_conversations_list,
    .conversations_get = tn_sqlite_conversations_get,
    .conversations_set = tn_sqlite_conversations_set,
    .conversation_mark_read = tn_sqlite_conversation_mark_read,
    .version_head = tn_sqlite_version_head,
    .version_entries = tn_sqlite_version_entries,
};

/* created: the database was empty, so any message log beside it belonged to another one */
static bool migrate(sqlite3 *db, bool *created, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    *created = version == 0;
    if (version > tn_sqlite_migration_count) {
        snprintf(err, errlen, "database schema version %d is newer than this ternd knows (%d)",
                 version, tn_sqlite_migration_count);
        return false;
    }
    for (int v = version; v < tn_sqlite_migration_count; v++) {
        char *msg = NULL;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d;", v + 1);
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, tn_sqlite_migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, errlen, "schema migration %d failed: %s", v + 1, msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return false;
        }
        tn_log_info(NULL, "store: applied schema migration %d", v + 1);
    }
    return true;
}

tn_store *tn_sqlite_open(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = tn_sqlite_open_db(path, err, errlen);
    if (!db)
        return NULL;
    bool created = false;
    bool ok = migrate(db, &created, err, errlen);
    sqlite3_close(db);
    if (!ok)
        return NULL;
    if (created && tn_msg_log_set_aside(path) != TN_OK) {
        snprintf(err, errlen, "cannot set aside the message log of a deleted database");
        return NULL;
    }
    tn_sqlite_store *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->base.ops = &sqlite_ops;
    s->base.friends = &tn_sqlite_friend_ops;
    s->base.groups = &tn_sqlite_group_ops;
    s->path = strdup(path);
    pthread_mutex_init(&s->mu, NULL);
    /* No destructor: connections outlive their threads' exit and are closed by close_store. */
    pthread_key_create(&s->key, NULL);
    if (!(s->msgs = tn_sqlite_msgs_open(s, err, errlen))) {
        close_store(&s->base);
        return NULL;
    }
    return &s->base;
}

void tn_sqlite_set_backlog_limit(tn_store *base, size_t max)
{
    tn_sqlite_msgs_set_backlog(((tn_sqlite_store *)base)->msgs, max);
}

size_t tn_sqlite_unindexed(tn_store *base)
{
    return tn_sqlite_msgs_unindexed(((tn_sqlite_store *)base)->msgs);
}

void tn_sqlite_set_find_hook(tn_store *base, void (*fn)(void *), void *udata)
{
    tn_sqlite_msgs_set_find_hook(((tn_sqlite_store *)base)->msgs, fn, udata);
}

void tn_sqlite_pause_indexer(tn_store *base, bool paused)
{
    tn_sqlite_msgs_pause(((tn_sqlite_store *)base)->msgs, paused);
}
