/* Plain records shared by codecs, services and store backends: users, tokens, user commands, client
 * config, messages. Strings are borrowed (request arena or caller); no behaviour lives here. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tn_user {
    const char *user_id;
    const char *nickname;
    const char *face_url;
    const char *ex;
    int64_t create_time;      /* Unix ms */
    int32_t app_manger_level; /* OpenIM's spelling: 0 user, 1 app user, 3 notification, 4 robot */
    int32_t global_recv_msg_opt; /* 0 receive, 1 refuse, 2 receive without offline push */
} tn_user;

/* A partial update: NULL strings and has_* = false leave the stored value alone. */
typedef struct tn_user_patch {
    const char *user_id;
    const char *nickname;
    const char *face_url;
    const char *ex;
    bool has_level;
    int32_t app_manger_level;
    bool has_recv_opt;
    int32_t global_recv_msg_opt;
} tn_user_patch;

typedef struct tn_user_query {
    const char *user_id_like;  /* substring, NULL = any */
    const char *nickname_like; /* substring, NULL = any; with user_id_like: either matches */
    bool exact_user_id;        /* user_id_like must match the whole ID */
    int32_t level_min, level_max;
    int64_t offset, limit; /* limit 0 = count only */
} tn_user_query;

typedef enum tn_token_status {
    TN_TOKEN_NORMAL = 0,
    TN_TOKEN_INVALID = 1,
    TN_TOKEN_KICKED = 2,
    TN_TOKEN_EXPIRED = 3,
} tn_token_status;

typedef struct tn_token_rec {
    const char *token;
    int32_t platform_id;
    int32_t status;
    int64_t expire_at; /* Unix seconds (the JWT's exp) */
} tn_token_rec;

/* One step of a token issuance or revocation, applied atomically by tokens_apply. */
typedef enum tn_token_op {
    TN_TOKEN_OP_PUT,    /* insert token with status NORMAL */
    TN_TOKEN_OP_KICK,   /* set status KICKED */
    TN_TOKEN_OP_DELETE, /* forget it (dead entries) */
} tn_token_op;

typedef struct tn_token_change {
    tn_token_op op;
    tn_token_rec rec;
} tn_token_change;

typedef struct tn_user_command {
    int32_t type;
    const char *uuid;
    const char *value; /* NULL = unchanged in an update */
    const char *ex;
    int64_t create_time;
} tn_user_command;

typedef struct tn_kv {
    const char *user_id; /* "" = global */
    const char *key;
    const char *value;
} tn_kv;

/* A stored message: the protobuf MsgData bytes plus the columns needed to find it. */
typedef struct tn_msg_rec {
    const char *conversation_id;
    const char *client_msg_id;
    const char *server_msg_id;
    const char *send_id;
    int64_t seq; /* assigned by msgs_append */
    int64_t send_time;
    const void *data; /* encoded MsgData */
    size_t data_len;
} tn_msg_rec;
