/* The store interface of the social graph: friends, friend requests and blacklists, with the
 * friend version log (openim-rest.md §15) written in the same transaction as each change. */
#pragma once
#include "store.h"

/* A partial update of friend records: NULL strings and has_pinned = false leave values alone. */
typedef struct tn_friend_patch {
    const char *remark;
    const char *ex;
    bool has_pinned;
    bool is_pinned;
} tn_friend_patch;

/* Rules of store.h apply. The friend version log is collection "friend", key = owner userID,
 * elements = friend userIDs (and "____S_O_R_T_I_D____" when a pin changes): every write op below
 * that changes friend records bumps each touched owner's log exactly once, inside its own
 * transaction. Requests and blacklists have no version log. A friend list's order is pinned
 * first, then creation order. */
struct tn_friend_store_ops {
    /* ---- friends ---- */
    /* owner's friends among ids, in the order of ids; n == 0: all of them, in list order */
    tn_err (*friends_get)(tn_store *s, const char *app, const char *owner, const char *const *ids,
                          size_t n, tn_arena *a, tn_friend **out, size_t *count);
    /* one page of owner's friends in list order and their total; limit 0 = only the total */
    tn_err (*friends_page)(tn_store *s, const char *app, const char *owner, int64_t offset,
                           int64_t limit, tn_arena *a, tn_friend **out, size_t *count,
                           int64_t *total);
    /* owner's friend userIDs in list order */
    tn_err (*friend_ids)(tn_store *s, const char *app, const char *owner, tn_arena *a,
                         const char ***out, size_t *count);
    /* creates those of friends that do not exist yet (existing ones are left as they are);
     * each owner who gained a friend: one bump with an insert entry per new friend. added[i]
     * (may be NULL) tells which records were created. */
    tn_err (*friends_add)(tn_store *s, const char *app, const tn_friend *friends, size_t n,
                          bool *added);
    /* removes owner's record of friend_id (one-sided); owner's log: delete(friend_id).
     * TN_ENOTFOUND when there is no such record. */
    tn_err (*friend_delete)(tn_store *s, const char *app, const char *owner, const char *friend_id,
                            int64_t now_ms);
    /* writes p's present fields to owner's records of ids (those that exist); nothing present:
     * no write. Owner's log: one bump, update(ids), plus the sort marker when has_pinned. */
    tn_err (*friends_update)(tn_store *s, const char *app, const char *owner,
                             const char *const *ids, size_t n, const tn_friend_patch *p,
                             int64_t now_ms);
    /* a user's profile changed: every owner whose list holds user gets one bump with
     * update(user), all in one transaction; *owners lists them (from a) */
    tn_err (*friend_owners_touch)(tn_store *s, const char *app, const char *user, int64_t now_ms,
                                  tn_arena *a, const char ***owners, size_t *count);

    /* ---- friend requests (one per from→to pair) ---- */
    /* TN_ENOTFOUND when absent */
    tn_err (*request_get)(tn_store *s, const char *app, const char *from, const char *to,
                          tn_arena *a, tn_friend_request *out);
    /* the requests between two users in both directions, newest first */
    tn_err (*requests_between)(tn_store *s, const char *app, const char *user1, const char *user2,
                               tn_arena *a, tn_friend_request **out, size_t *count);
    /* one page, newest first, of the requests received by user (received) or sent by it; with
     * nresults > 0 only those whose handle_result is among results; limit 0 = only the total */
    tn_err (*requests_page)(tn_store *s, const char *app, const char *user, bool received,
                            const int32_t *results, size_t nresults, int64_t offset, int64_t limit,
                            tn_arena *a, tn_friend_request **out, size_t *count, int64_t *total);
    /* pending requests received by to, created after after_ms (0: all) */
    tn_err (*requests_unhandled)(tn_store *s, const char *app, const char *to, int64_t after_ms,
                                 int64_t *count);
    /* creates r (pending), or resets the existing from→to request to pending with r's req_msg,
     * ex and create_time and an empty handle_msg */
    tn_err (*request_put)(tn_store *s, const char *app, const tn_friend_request *r);
    /* answers the pending request from→to with r's handle_result (1 agree, -1 refuse),
     * handler_user_id, handle_msg and handle_time. TN_ENOTFOUND: no such request;
     * TN_EFRIEND_REQ_HANDLED: not pending. Agreeing, in the same transaction: a pending
     * to→from request is marked agreed too, and the two friendships are created where missing
     * (add_source 2, operator from, create_time handle_time), each new one with its owner's
     * one bump (insert). */
    tn_err (*request_answer)(tn_store *s, const char *app, const tn_friend_request *r);

    /* ---- blacklists ---- */
    /* whether owner has blocked user */
    tn_err (*is_blocked)(tn_store *s, const char *app, const char *owner, const char *user,
                         bool *blocked);
    /* owner's blacklist entries among ids, in the order of ids; n == 0: all, in creation order */
    tn_err (*blacks_get)(tn_store *s, const char *app, const char *owner, const char *const *ids,
                         size_t n, tn_arena *a, tn_black **out, size_t *count);
    /* one page in creation order and the total; limit 0 = only the total */
    tn_err (*blacks_page)(tn_store *s, const char *app, const char *owner, int64_t offset,
                          int64_t limit, tn_arena *a, tn_black **out, size_t *count,
                          int64_t *total);
    /* TN_EDUP when owner already blocked that user */
    tn_err (*black_add)(tn_store *s, const char *app, const tn_black *b);
    /* TN_ENOTFOUND when owner had not blocked user */
    tn_err (*black_remove)(tn_store *s, const char *app, const char *owner, const char *user);
};
