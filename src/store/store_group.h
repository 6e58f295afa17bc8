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
 *   the group's current max seq: they read what they saw, nothing newer.
 *
 * Each write below is one transaction and one step of every log it touches: the group's
 * member log +1 (insert / delete / update entries, markers) and, for members joining or leaving,
 * each of their joined-groups logs +1. An existing conversation whose window changes gets an
 * update entry in its owner's conversation log. */

/* A partial update of a group: NULL strings and has_* = false leave the stored value alone. */
typedef struct tn_group_patch {
    const char *group_id;
    const char *group_name, *notification, *introduction, *face_url, *ex;
    bool has_need_verification, has_look_member_info, has_apply_member_friend, has_status;
    int32_t need_verification, look_member_info, apply_member_friend, status;
    /* written with notification (when it is not NULL) */
    int64_t notification_update_time;
    const char *notification_user_id;
} tn_group_patch;

/* A partial update of one member, same conventions. */
typedef struct tn_group_member_patch {
    const char *group_id;
    const char *user_id;
    const char *nickname, *face_url, *ex;
    bool has_role_level, has_mute_end_time;
    int32_t role_level;
    int64_t mute_end_time;
} tn_group_member_patch;

struct tn_group_store_ops {
    /* the existing groups among ids, in the order of ids; owner_user_id and member_count
     * filled; dismissed groups included (status 2) */
    tn_err (*groups_get)(tn_store *s, const char *app, const char *const *ids, size_t n,
                         tn_arena *a, tn_group **out, size_t *count);
    /* every current member of a group, ordered by user_id (byte order); none: count 0 */
    tn_err (*members_all)(tn_store *s, const char *app, const char *group_id, tn_arena *a,
                          tn_group_member **out, size_t *count);

    /* ---- writes (history: joiners read the group's earlier messages, min_seq 0) ---- */

    /* the group (create_time as given) with its first members; TN_EDUP when group_id exists,
     * nothing written. One member-log step inserting every member. */
    tn_err (*group_create)(tn_store *s, const char *app, const tn_group *g,
                           const tn_group_member *members, size_t n, bool history, int64_t now_ms);
    /* new members of an existing group; TN_ENOTFOUND without the group, TN_EDUP when one of them
     * is a member already (nothing written) */
    tn_err (*members_add)(tn_store *s, const char *app, const char *group_id,
                          const tn_group_member *members, size_t n, bool history, int64_t now_ms);
    /* members leave (those not in the group are skipped); their conversations are capped */
    tn_err (*members_remove)(tn_store *s, const char *app, const char *group_id,
                             const char *const *user_ids, size_t n, int64_t now_ms);
    /* the patch's fields plus the info marker; TN_ENOTFOUND without the group */
    tn_err (*group_update)(tn_store *s, const char *app, const tn_group_patch *p, int64_t now_ms);
    /* status 2 plus the info marker; delete_members: every member also leaves as in
     * members_remove (the same log step); TN_ENOTFOUND without the group */
    tn_err (*group_dismiss)(tn_store *s, const char *app, const char *group_id, bool delete_members,
                            int64_t now_ms);
    /* member patches, possibly over several groups: per group one member-log step with an
     * update entry per member (and the sort marker when a role changed); TN_ENOTFOUND when one of
     * them is not a member (nothing written) */
    tn_err (*members_update)(tn_store *s, const char *app, const tn_group_member_patch *p, size_t n,
                             int64_t now_ms);

    /* ---- member reads ---- */

    /* the current members among user_ids, in the order of user_ids (duplicates once) */
    tn_err (*members_get)(tn_store *s, const char *app, const char *group_id,
                          const char *const *user_ids, size_t n, tn_arena *a, tn_group_member **out,
                          size_t *count);
    /* every member in the group's order: role level descending, then join order */
    tn_err (*members_ordered)(tn_store *s, const char *app, const char *group_id, tn_arena *a,
                              tn_group_member **out, size_t *count);
    /* one user's memberships (group_id, role …): role level descending, then join order */
    tn_err (*memberships)(tn_store *s, const char *app, const char *user_id, tn_arena *a,
                          tn_group_member **out, size_t *count);
    /* groups not dismissed whose name contains name ("" = any), newest first; one page
     * (limit 0: only the total) */
    tn_err (*groups_search)(tn_store *s, const char *app, const char *name, int64_t offset,
                            int64_t limit, tn_arena *a, tn_group **out, size_t *count,
                            int64_t *total);

    /* ---- join requests ---- */

    /* stores the requests, each replacing an earlier one of the same (group, user) */
    tn_err (*requests_put)(tn_store *s, const char *app, const tn_group_request *r, size_t n);
    /* answers the pending request of user_id (TN_ENOTFOUND when there is none); with member,
     * that member is added in the same transaction exactly as members_add does */
    tn_err (*request_handle)(tn_store *s, const char *app, const char *group_id,
                             const char *user_id, int32_t handle_result, const char *handle_msg,
                             const char *handler_user_id, const tn_group_member *member,
                             bool history, int64_t now_ms);
    /* the requests to group_id from user_ids, in the order of user_ids */
    tn_err (*requests_get)(tn_store *s, const char *app, const char *group_id,
                           const char *const *user_ids, size_t n, tn_arena *a,
                           tn_group_request **out, size_t *count);
    /* every request to any of group_ids, newest first */
    tn_err (*requests_to_groups)(tn_store *s, const char *app, const char *const *group_ids,
                                 size_t n, tn_arena *a, tn_group_request **out, size_t *count);
    /* every request made by user_id, newest first */
    tn_err (*requests_of_user)(tn_store *s, const char *app, const char *user_id, tn_arena *a,
                               tn_group_request **out, size_t *count);
};
