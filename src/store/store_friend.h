/* The store interface of the social graph: friends, friend requests and blacklists, with the
 * friend version log (openim-rest.md §15) written in the same transaction as each change. */
#pragma once
#include "store.h"

/* Rules of store.h apply. The friend version log is collection "friend", key = owner userID,
 * elements = friend userIDs (and TN_VERSION_SORT_MARKER when a pin changes): every write op below
 * bumps each touched owner's log exactly once, inside its own transaction. */
struct tn_friend_store_ops {
    /* owner's friends among ids, in the order of ids; n == 0: all of them, in creation order */
    tn_err (*friends_get)(tn_store *s, const char *app, const char *owner, const char *const *ids,
                          size_t n, tn_arena *a, tn_friend **out, size_t *count);
    /* whether owner has blocked user */
    tn_err (*is_blocked)(tn_store *s, const char *app, const char *owner, const char *user,
                         bool *blocked);
    /* (the friend module adds the rest of its operations here) */
};
