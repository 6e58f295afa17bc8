/* The store interface: every persistent read or write a service makes goes through these calls,
 * whatever the backend. Services include this header and never a backend's. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "model.h"

/* Rules for every operation:
 * - Safe to call from several threads at once (the HTTP layer runs services on a thread pool).
 * - app is the tenant ID; every record is keyed by it.
 * - Lists are allocated in the caller's arena; strings in results live as long as the arena.
 * - Errors are tn_err codes: TN_ENOTFOUND, TN_EREGISTERED, TN_EDUP where noted, TN_EDATABASE
 *   for backend failures. A write either commits whole and durably (fsync) or not at all. */
typedef struct tn_store tn_store;

/* What a 1:1 send is checked against, read together (see msg_send_facts). */
typedef struct tn_send_facts {
    bool receiver_exists, sender_exists;
    int32_t receiver_global_recv_opt; /* the receiver's global_recv_msg_opt */
    bool blocked;                     /* the receiver has blocked the sender */
    int32_t conversation_recv_opt;    /* the receiver's recv_msg_opt there; 0 without a record */
} tn_send_facts;

typedef struct tn_store_ops {
    void (*close)(tn_store *s);

    /* users */
    tn_err (*users_insert)(tn_store *s, const char *app, const tn_user *users, size_t n,
                           const char **dup_id); /* TN_EREGISTERED if any exists, none inserted */
    tn_err (*users_get)(tn_store *s, const char *app, const char *const *ids, size_t n, tn_arena *a,
                        tn_user **out, size_t *count);
    tn_err (*user_update)(tn_store *s, const char *app, const tn_user_patch *p); /* ENOTFOUND */
    tn_err (*users_query)(tn_store *s, const char *app, const tn_user_query *q, tn_arena *a,
                          tn_user **out, size_t *count, int64_t *total);

    /* tokens of one user, all platforms */
    tn_err (*tokens_list)(tn_store *s, const char *app, const char *user_id, tn_arena *a,
                          tn_token_rec **out, size_t *count);
    tn_err (*tokens_apply)(tn_store *s, const char *app, const char *user_id,
                           const tn_token_change *changes, size_t n);
    tn_err (*token_status)(tn_store *s, const char *app, const char *user_id, int32_t platform_id,
                           const char *token, int32_t *status); /* ENOTFOUND */

    /* user commands (favourites, recent items … stored for clients) */
    tn_err (*command_add)(tn_store *s, const char *app, const char *user_id,
                          const tn_user_command *c); /* TN_EDUP if (type, uuid) exists */
    tn_err (*command_update)(tn_store *s, const char *app, const char *user_id,
                             const tn_user_command *c); /* ENOTFOUND */
    tn_err (*command_delete)(tn_store *s, const char *app, const char *user_id, int32_t type,
                             const char *uuid); /* ENOTFOUND */
    tn_err (*commands_get)(tn_store *s, const char *app, const char *user_id,
                           int32_t type /* 0 = all */, tn_arena *a, tn_user_command **out,
                           size_t *count);

    /* client config: key/value pairs, global (user "") or per user */
    tn_err (*client_config_set)(tn_store *s, const char *app, const tn_kv *kvs, size_t n);
    tn_err (*client_config_delete)(tn_store *s, const char *app, const char *user_id,
                                   const char *const *keys, size_t n);
    tn_err (*client_config_page)(tn_store *s, const char *app, const char *user_id /* NULL any */,
                                 const char *key /* NULL any */, int64_t offset, int64_t limit,
                                 tn_arena *a, tn_kv **out, size_t *count, int64_t *total);

    /* A batch of reads on the calling thread in one snapshot (the message writer's checks of a
     * whole batch): they see what is committed and do not wait for messages still being made
     * readable. reads_end closes it; writes inside it are allowed and end the snapshot. */
    tn_err (*reads_begin)(tn_store *s);
    void (*reads_end)(tn_store *s);
    /* Everything a 1:1 send from send_id to recv_id in conversation_id is checked against, in
     * one read: it runs once per message on the writer thread. */
    tn_err (*msg_send_facts)(tn_store *s, const char *app, const char *send_id, const char *recv_id,
                             const char *conversation_id, tn_send_facts *out);

    /* messages: the append assigns each record the next seq of its conversation and makes the
     * whole batch durable in one transaction (the gateway's group commit hands it many senders'
     * messages at once). A record whose (conversation, client_msg_id) is already stored is not
     * written again: it comes back with the stored seq and server_msg_id, marked duplicate.
     * In the same transaction: the records' conversation seeds are created when absent (with a
     * version-log insert for their owner) and the reader's has_read_seq moves to the new seq.
     * Durable when it returns; other reads and writes see the batch once they run after it. */
    tn_err (*msgs_append)(tn_store *s, const char *app, tn_msg_rec *msgs, size_t n, bool *duplicate,
                          tn_arena *a);
    tn_err (*seq_max)(tn_store *s, const char *app, const char *conversation_id, int64_t *max);
    tn_err (*msgs_range)(tn_store *s, const char *app, const char *conversation_id, int64_t begin,
                         int64_t end, tn_arena *a, tn_msg_rec **out,
                         size_t *count); /* seqs in [begin, end], ascending */
    /* marks a stored message revoked (ENOTFOUND: no such seq; TN_EREVOKED: already) */
    tn_err (*msg_revoke)(tn_store *s, const char *app, const char *conversation_id, int64_t seq,
                         const char *revoker, int64_t revoke_time);
    /* per-user deletion: owner no longer sees these seqs' content */
    tn_err (*msgs_delete_for)(tn_store *s, const char *app, const char *owner,
                              const char *conversation_id, const int64_t *seqs, size_t n);
    tn_err (*msgs_deleted_for)(tn_store *s, const char *app, const char *owner,
                               const char *conversation_id, int64_t begin, int64_t end, tn_arena *a,
                               int64_t **out, size_t *count); /* ascending */
    /* the owner's read window starts at min_seq (clearing a conversation for oneself) */
    tn_err (*conversation_set_min_seq)(tn_store *s, const char *app, const char *owner,
                                       const char *conversation_id, int64_t min_seq);
    /* max seq and its time for each conversation that has one; unknown IDs are left out */
    tn_err (*seq_infos)(tn_store *s, const char *app, const char *const *conversation_ids, size_t n,
                        tn_arena *a, tn_seq_info **out, size_t *count);

    /* conversations of one owner, in creation order */
    tn_err (*conversations_list)(tn_store *s, const char *app, const char *owner, tn_arena *a,
                                 tn_conversation **out, size_t *count);
    /* the existing ones among ids, in the order of ids */
    tn_err (*conversations_get)(tn_store *s, const char *app, const char *owner,
                                const char *const *ids, size_t n, tn_arena *a,
                                tn_conversation **out, size_t *count);
    /* creates missing records and writes the patch's present fields for every owner, each
     * owner's conversation version log +1 (insert or update) when something changed;
     * changed[i] (may be NULL) tells which owners saw a change */
    tn_err (*conversations_set)(tn_store *s, const char *app, const char *const *owners, size_t n,
                                const tn_conversation_patch *p, int64_t now_ms, bool *changed);
    /* raises owner's has_read_seq to seq (never lowers it); ENOTFOUND without a record */
    tn_err (*conversation_mark_read)(tn_store *s, const char *app, const char *owner,
                                     const char *conversation_id, int64_t seq);

    /* version logs: the head (created at version 1 with a fresh versionID when absent) and
     * the entries written after a version, one per element, ascending by version */
    tn_err (*version_head)(tn_store *s, const char *app, const char *collection, const char *key,
                           tn_arena *a, tn_version_head *out);
    tn_err (*version_entries)(tn_store *s, const char *app, const char *collection, const char *key,
                              int64_t after_version, tn_arena *a, tn_version_entry **out,
                              size_t *count);
} tn_store_ops;

typedef struct tn_friend_store_ops tn_friend_store_ops; /* store_friend.h */
typedef struct tn_group_store_ops tn_group_store_ops;   /* store_group.h */

struct tn_store {
    const tn_store_ops *ops;
    const tn_friend_store_ops *friends; /* friends, friend requests, blacklists */
    const tn_group_store_ops *groups;   /* groups, members, join requests */
};

static inline void tn_store_close(tn_store *s)
{
    s->ops->close(s);
}
