/* Conversations (openim-rest.md §7, §12): a user's conversation records, their settings, read
 * state and unread counts, incremental sync, and the summaries behind the conversation lists. */
#pragma once
#include "svc.h"
#include "version.h"

/* Every call checks that the operation's user is the owner or an app admin (1002 otherwise). */

tn_err tn_conversation_get_all(tn_svc *svc, tn_ctx *ctx, const char *owner, tn_conversation **out,
                               size_t *count);
/* the existing ones among ids, in the order of ids */
tn_err tn_conversation_get_many(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                                size_t n, tn_conversation **out, size_t *count);
tn_err tn_conversation_get(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *id,
                           tn_conversation *out); /* 1004 when missing */
/* one page in creation order; limit 0 = only the total */
tn_err tn_conversation_page(tn_svc *svc, tn_ctx *ctx, const char *owner, int64_t offset,
                            int64_t limit, tn_conversation **out, size_t *count, int64_t *total);
/* IDs of the conversations with recvMsgOpt != 0 */
tn_err tn_conversation_not_notify_ids(tn_svc *svc, tn_ctx *ctx, const char *owner,
                                      const char ***ids, size_t *count);
tn_err tn_conversation_pinned_ids(tn_svc *svc, tn_ctx *ctx, const char *owner, const char ***ids,
                                  size_t *count);

/* set_conversations: the patch's present fields for every owner (created when missing);
 * isPrivateChat goes to both sides of a non-group chat. */
tn_err tn_conversation_set(tn_svc *svc, tn_ctx *ctx, const char *const *owners, size_t n,
                           const tn_conversation_patch *p);
/* update_conversations_by_user: ex on all of user's conversations; ex NULL = no-op */
tn_err tn_conversation_update_ex(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *ex);

/* get_incremental_conversations: the log head, the delta and the inserted/updated records */
typedef struct tn_conversation_sync {
    tn_version_head head;
    tn_version_delta delta;
    tn_conversation *insert, *update;
    size_t insert_count, update_count;
} tn_conversation_sync;
tn_err tn_conversation_incremental(tn_svc *svc, tn_ctx *ctx, const char *owner,
                                   const char *version_id, int64_t version,
                                   tn_conversation_sync *out);
/* get_full_conversation_ids: ids is NULL (count 0) when id_hash matched (*equal) */
tn_err tn_conversation_full_ids(tn_svc *svc, tn_ctx *ctx, const char *owner, uint64_t id_hash,
                                tn_version_head *head, bool *equal, const char ***ids,
                                size_t *count);

/* One conversation with its read state and newest message, for the list routes. */
typedef struct tn_conversation_summary {
    tn_conversation conv;
    int64_t max_seq;     /* the newest readable seq (the owner's cap when set), 0 = no messages */
    int64_t read_seq;    /* the owner's has_read_seq */
    int64_t unread;      /* max(0, max_seq - read_seq) */
    int64_t latest_time; /* ms of the newest message, or the record's createTime without one */
    const tn_msg_rec *last_msg; /* the message at max_seq; NULL when none is stored */
    const tn_user *peer;        /* a chat without groupID: the profile of conv.user_id, or NULL */
    const tn_user *sender;      /* whose name and face the list shows (MsgInfo), or NULL */
    const tn_friend *friend_of; /* a chat with a friend: the owner's friend record, or NULL */
    const tn_group *group;      /* a group conversation: the group, or NULL */
} tn_conversation_summary;

/* get_sorted_conversation_list: ids empty = all; pinned first, each part newest first; one page
 * of it. conversation_total counts those with messages; 1004 when no conversation matched. */
tn_err tn_conversation_sorted(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                              size_t n, int64_t offset, int64_t limit,
                              tn_conversation_summary **out, size_t *count,
                              int64_t *conversation_total, int64_t *unread_total);
/* /jssdk/get_conversations for the operation's user: those of ids that have a message;
 * unread over all of ids that exist. */
tn_err tn_conversation_jssdk_get(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n,
                                 tn_conversation_summary **out, size_t *count, int64_t *unread);
/* /jssdk/get_active_conversations: the top `limit` (1..500, else 100) conversations with a
 * message, pinned first then newest; unread over all of the user's conversations. */
tn_err tn_conversation_jssdk_active(tn_svc *svc, tn_ctx *ctx, int64_t limit,
                                    tn_conversation_summary **out, size_t *count, int64_t *unread);
