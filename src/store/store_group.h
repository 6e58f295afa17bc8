/* The store interface of groups: group records, members, join requests, with the group-member
 * and joined-groups version logs written in the same transaction as each change. */
#pragma once
#include "store.h"

/* Rules of store.h apply. Version logs (openim-rest.md §15): "group_member" keyed by groupID
 * (elements: member userIDs, TN_VERSION_INFO_MARKER "" for group-info changes,
 * TN_VERSION_SORT_MARKER for role order), "join_group" keyed by userID (elements: groupIDs).
 *
 * Membership and conversations move together, in the same transaction:
 * - a member added gets the group conversation "sg_<groupID>" (conversation_type 3, group_id
 *   set; created with a conversation-log insert when absent) with max_seq 0 (reads up to the
 *   group's newest seq) and min_seq = the group's current max seq + 1 unless the caller lets new
 *   members read history;
 * - a member removed (kick, quit, dismiss with deleteMember) keeps the record, its max_seq set to
 *   the group's current max seq: they read what they saw, nothing newer. */
struct tn_group_store_ops {
    /* the existing groups among ids, in the order of ids; owner_user_id and member_count
     * filled; dismissed groups included (status 2) */
    tn_err (*groups_get)(tn_store *s, const char *app, const char *const *ids, size_t n,
                         tn_arena *a, tn_group **out, size_t *count);
    /* every current member of a group, ordered by user_id (byte order); none: count 0 */
    tn_err (*members_all)(tn_store *s, const char *app, const char *group_id, tn_arena *a,
                          tn_group_member **out, size_t *count);
    /* (the group module adds the rest of its operations here) */
};
