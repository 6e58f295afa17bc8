/* Friends, friend requests and blacklists (openim-rest.md §5): who may read and change whose
 * relations, OpenIM's rules for applying, answering and importing, and the friend notifications. */
#pragma once
#include "store_friend.h"
#include "svc.h"
#include "version.h"

#define TN_FRIEND_LIST_MAX 1000 /* longest userID list a request may carry */

/* Records with the profiles their answers show; a profile is NULL for an unknown user. */
typedef struct tn_friend_full {
    tn_friend rec;
    const tn_user *user; /* the friend */
} tn_friend_full;

typedef struct tn_black_full {
    tn_black rec;
    const tn_user *user; /* the blocked user */
} tn_black_full;

typedef struct tn_request_full {
    tn_friend_request rec;
    const tn_user *from, *to;
} tn_request_full;

/* get_specified_friends_info: one existing user and the owner's relations to it */
typedef struct tn_friend_relation {
    const tn_user *user;
    const tn_friend *friend_rec; /* NULL: not a friend */
    const tn_black *black;       /* NULL: not blocked */
} tn_friend_relation;

/* Every call checks its permission first (1002): the owner / the user named, or an app admin;
 * import only for app admins; the pair calls for either of the two users. */

/* ---- writes ---- */

/* add_friend: from asks to (1301 self, 1004 unknown user, 1302 blocked by to, 1304 already
 * friends both ways); re-applying resets the request to pending. Notifies 1203 from → to. */
tn_err tn_friend_apply(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                       const char *req_msg, const char *ex);
/* add_friend_response by to: 1 agree (both friendships), -1 refuse; 1004 no request, 1001 not
 * pending. Notifies 1201 / 1202 to → from. */
tn_err tn_friend_respond(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                         int32_t handle_result, const char *handle_msg);
/* one-sided (1004 when not a friend); notifies 1205 owner → friend */
tn_err tn_friend_delete(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *friend_id);
/* 1004 when not a friend; notifies 1206 owner → friend */
tn_err tn_friend_set_remark(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *friend_id,
                            const char *remark);
/* update_friends: every id must be a friend (1004); notifies 1210 owner → owner */
tn_err tn_friend_update(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                        size_t n, const tn_friend_patch *p);
/* import_friend (admin): mutual friendships with every id; notifies 1201 id → owner for each */
tn_err tn_friend_import(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                        size_t n);
/* After user's nickname or faceURL changed: every owner whose friend list holds user gets an
 * update entry in their friend log and a 1209 FriendInfoUpdated notification (from the
 * operator). No permission check: the profile change already passed its own. */
tn_err tn_friend_profile_changed(tn_svc *svc, tn_ctx *ctx, const char *user_id);

/* add_black: 1001 self, 1004 unknown user, 1003 already blocked; notifies 1207 */
tn_err tn_friend_black_add(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *black_id,
                           const char *ex);
/* remove_black: not blocked is no error (and no notification); notifies 1208 */
tn_err tn_friend_black_remove(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *black_id);

/* ---- reads ---- */

/* one page in list order (pinned first) with profiles; limit 0 = only the total */
tn_err tn_friend_page(tn_svc *svc, tn_ctx *ctx, const char *owner, int64_t offset, int64_t limit,
                      tn_friend_full **out, size_t *count, int64_t *total);
/* those of ids that are friends, in the order of ids (1001 on duplicates) */
tn_err tn_friend_designated(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                            size_t n, tn_friend_full **out, size_t *count);
tn_err tn_friend_ids(tn_svc *svc, tn_ctx *ctx, const char *owner, const char ***ids, size_t *count);
/* is_friend: *in1 = user2 is in user1's list, *in2 the other way */
tn_err tn_friend_check(tn_svc *svc, tn_ctx *ctx, const char *user1, const char *user2, bool *in1,
                       bool *in2);
/* get_specified_friends_info: one entry per existing user of ids (1001: empty, duplicates, over
 * TN_FRIEND_LIST_MAX) */
tn_err tn_friend_specified(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                           size_t n, tn_friend_relation **out, size_t *count);

/* get_incremental_friends: the log head, the delta and the inserted/updated friends */
typedef struct tn_friend_sync {
    tn_version_head head;
    tn_version_delta delta;
    tn_friend_full *insert, *update;
    size_t insert_count, update_count;
} tn_friend_sync;
tn_err tn_friend_incremental(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *version_id,
                             int64_t version, tn_friend_sync *out);
/* get_full_friend_user_ids: ids is NULL (count 0) when id_hash matched (*equal) */
tn_err tn_friend_full_ids(tn_svc *svc, tn_ctx *ctx, const char *owner, uint64_t id_hash,
                          tn_version_head *head, bool *equal, const char ***ids, size_t *count);

/* requests received by (received) or sent by user, newest first, filtered by handle results
 * when nresults > 0; limit 0 = only the total */
tn_err tn_friend_requests(tn_svc *svc, tn_ctx *ctx, const char *user, bool received,
                          const int32_t *results, size_t nresults, int64_t offset, int64_t limit,
                          tn_request_full **out, size_t *count, int64_t *total);
/* get_designated_friend_apply: both directions between from and to */
tn_err tn_friend_requests_between(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                                  tn_request_full **out, size_t *count);
/* pending requests user received after after_ms (0: all) */
tn_err tn_friend_unhandled_count(tn_svc *svc, tn_ctx *ctx, const char *user, int64_t after_ms,
                                 int64_t *count);

tn_err tn_friend_black_page(tn_svc *svc, tn_ctx *ctx, const char *owner, int64_t offset,
                            int64_t limit, tn_black_full **out, size_t *count, int64_t *total);
/* those of ids that owner blocked, in the order of ids (1001: empty, duplicates, too many) */
tn_err tn_friend_black_specified(tn_svc *svc, tn_ctx *ctx, const char *owner,
                                 const char *const *ids, size_t n, tn_black_full **out,
                                 size_t *count);
