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

typedef struct tn_conv_seed tn_conv_seed;

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
    /* conversation records to create if absent (both sides of a first 1:1 message) */
    const tn_conv_seed *seeds;
    size_t seed_count;
    const char *reader;  /* this owner's has_read_seq advances to the new seq (the sender) */
    const char *revoker; /* read back: "" unless the message was revoked */
    int64_t revoke_time;
} tn_msg_rec;

/* A user's view of one conversation (OpenIM's conversation.Conversation plus the read cursor). */
typedef struct tn_conversation {
    const char *owner_user_id;
    const char *conversation_id;
    int32_t recv_msg_opt;
    int32_t conversation_type; /* 1 single, 3 group, 4 notification */
    const char *user_id;       /* single chat: the peer */
    const char *group_id;
    bool is_pinned;
    const char *attached_info;
    bool is_private_chat;
    int32_t group_at_type;
    const char *ex;
    int32_t burn_duration;
    int64_t min_seq; /* per-user read window; 0 = none */
    int64_t max_seq;
    int64_t msg_destruct_time;
    int64_t latest_msg_destruct_time;
    bool is_msg_destruct;
    int64_t has_read_seq;
    int64_t create_time;
} tn_conversation;

/* set_conversations: only the has_* fields are written; the record is created when missing. */
typedef struct tn_conversation_patch {
    const char *conversation_id;
    int32_t conversation_type;
    const char *user_id;
    const char *group_id;
    bool has_recv_msg_opt, has_is_pinned, has_attached_info, has_is_private_chat, has_ex,
        has_burn_duration, has_group_at_type, has_msg_destruct_time, has_is_msg_destruct;
    int32_t recv_msg_opt;
    bool is_pinned;
    const char *attached_info;
    bool is_private_chat;
    const char *ex;
    int32_t burn_duration;
    int32_t group_at_type;
    int64_t msg_destruct_time;
    bool is_msg_destruct;
} tn_conversation_patch;

/* A conversation record a stored message must find in place for one owner (created with
 * defaults when absent: the first message of a chat creates it for both sides). */
struct tn_conv_seed {
    const char *owner_user_id;
    const char *conversation_id;
    int32_t conversation_type;
    const char *user_id;
    const char *group_id;
};

/* Version logs (incremental sync, openim-rest.md §15): one head per (collection, key). */
typedef enum tn_version_state {
    TN_VERSION_INSERT = 1,
    TN_VERSION_DELETE = 2,
    TN_VERSION_UPDATE = 3,
} tn_version_state;

typedef struct tn_version_head {
    const char *version_id; /* 24 lower-case hex chars */
    int64_t version;
} tn_version_head;

typedef struct tn_version_entry {
    const char *element_id;
    int32_t state;
    int64_t version;
} tn_version_entry;

/* Per-conversation seq state. */
typedef struct tn_seq_info {
    const char *conversation_id;
    int64_t max_seq;
    int64_t max_seq_time; /* ms of the newest allocation */
} tn_seq_info;

/* ---- relations (openim-rest.md §2: FriendInfo, BlackInfo, FriendRequest) ---- */

typedef struct tn_friend {
    const char *owner_user_id;
    const char *friend_user_id;
    const char *remark;
    int64_t create_time;
    int32_t add_source; /* 1 imported by an admin, 2 through an application */
    const char *operator_user_id;
    const char *ex;
    bool is_pinned;
} tn_friend;

typedef struct tn_black {
    const char *owner_user_id;
    const char *block_user_id;
    int64_t create_time;
    int32_t add_source;
    const char *operator_user_id;
    const char *ex;
} tn_black;

typedef struct tn_friend_request {
    const char *from_user_id;
    const char *to_user_id;
    int32_t handle_result; /* 0 pending, 1 agreed, -1 refused */
    const char *req_msg;
    int64_t create_time;
    const char *handler_user_id;
    const char *handle_msg;
    int64_t handle_time;
    const char *ex;
} tn_friend_request;

/* ---- groups (openim-rest.md §2: GroupInfo, GroupMemberFullInfo, GroupRequest) ---- */

enum {
    TN_GROUP_STATUS_OK = 0,
    TN_GROUP_STATUS_BANNED = 1,
    TN_GROUP_STATUS_DISMISSED = 2,
    TN_GROUP_STATUS_MUTED = 3,
};
enum {
    TN_ROLE_OWNER = 100,
    TN_ROLE_ADMIN = 60,
    TN_ROLE_MEMBER = 20,
};

typedef struct tn_group {
    const char *group_id;
    const char *group_name;
    const char *notification;
    const char *introduction;
    const char *face_url;
    const char *owner_user_id; /* read back: the member with role 100 */
    int64_t create_time;
    uint32_t member_count; /* read back */
    const char *ex;
    int32_t status;
    const char *creator_user_id;
    int32_t group_type; /* 2 */
    int32_t need_verification;
    int32_t look_member_info;
    int32_t apply_member_friend;
    int64_t notification_update_time;
    const char *notification_user_id;
} tn_group;

typedef struct tn_group_member {
    const char *group_id;
    const char *user_id;
    int32_t role_level;
    int64_t join_time;
    const char *nickname; /* group nickname as stored ("" = none) */
    const char *face_url;
    int32_t join_source;
    const char *operator_user_id;
    const char *ex;
    int64_t mute_end_time; /* Unix ms, 0 = never muted */
    const char *inviter_user_id;
} tn_group_member;

typedef struct tn_group_request {
    const char *group_id;
    const char *user_id; /* the applicant */
    int32_t handle_result;
    const char *req_msg;
    const char *handle_msg;
    int64_t req_time;
    const char *handle_user_id;
    int64_t handle_time;
    const char *ex;
    int32_t join_source;
    const char *inviter_user_id;
} tn_group_request;
