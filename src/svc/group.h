/* Groups (openim-rest.md §6): creating and changing groups, membership (invite, join, kick,
 * quit, roles, mutes), join requests, the group lists and the incremental sync of both logs. */
#pragma once
#include "store_group.h"
#include "svc.h"
#include "version.h"

/* Text bounds checked before anything is stored (OpenIM sets none; 1001 beyond). */
#define TN_GROUP_NAME_MAX 255   /* groupName, member nicknames */
#define TN_GROUP_URL_MAX  2048  /* faceURL */
#define TN_GROUP_TEXT_MAX 65535 /* notification, introduction, ex, request messages */
#define TN_GROUP_LIST_MAX 1000  /* IDs in one member/invite/kick/abstract list */

/* Members with the user records their JSON falls back to (profiles[i] may be NULL). */
typedef struct tn_group_member_list {
    tn_group_member *items;
    const tn_user **profiles;
    size_t count;
} tn_group_member_list;

/* Join requests with the applicant's profile and the group (either may be NULL → null). */
typedef struct tn_group_request_list {
    tn_group_request *items;
    const tn_user **applicants;
    const tn_group **groups;
    size_t count;
    int64_t total;
} tn_group_request_list;

/* ---- groups (group.c) ---- */

typedef struct tn_group_create_req {
    tn_group info; /* groupInfo as given; group_id "" = generate a numeric ID */
    const char *owner_user_id;
    const char *const *admin_ids;
    size_t admin_count;
    const char *const *member_ids;
    size_t member_count;
    int send_msg; /* TN_NOTIFY_DEFAULT or sendMessage */
} tn_group_create_req;
/* *out: the group as created (owner and member count filled) */
tn_err tn_group_create(tn_svc *svc, tn_ctx *ctx, const tn_group_create_req *req, tn_group *out);

/* set_group_info (ex_route false: "" strings mean unchanged) and set_group_info_ex (absent
 * fields are NULL / has_* false; a blank groupName ignores the whole request) */
tn_err tn_group_set_info(tn_svc *svc, tn_ctx *ctx, const tn_group_patch *p, bool ex_route);

tn_err tn_group_dismiss(tn_svc *svc, tn_ctx *ctx, const char *group_id, bool delete_members,
                        int send_msg);
/* mute_group (status 3) / cancel_mute_group (status 0) */
tn_err tn_group_mute(tn_svc *svc, tn_ctx *ctx, const char *group_id, bool mute);

/* get_groups_info: the existing ones among ids (each once) */
tn_err tn_group_infos(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n, tn_group **out,
                      size_t *count);
/* get_groups: group_id (exact, dismissed included) or else name search; owners[i] = the
 * owner's member record with profile fallback applied (may be NULL) */
tn_err tn_group_search(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *name,
                       int64_t offset, int64_t limit, tn_group **out, tn_group_member_list *owners,
                       size_t *count, int64_t *total);
/* get_joined_group_list: one page of user_id's groups (role desc, join order) */
tn_err tn_group_joined(tn_svc *svc, tn_ctx *ctx, const char *user_id, int64_t offset, int64_t limit,
                       tn_group **out, size_t *count, int64_t *total);

typedef struct tn_group_abstract {
    const char *group_id;
    uint32_t member_count;
    uint64_t member_hash;
} tn_group_abstract;
tn_err tn_group_abstracts(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n,
                          tn_group_abstract **out);

/* ---- members (group_member.c) ---- */

tn_err tn_group_invite(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *const *ids,
                       size_t n, int send_msg);
tn_err tn_group_kick(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *const *ids,
                     size_t n, int send_msg);
/* user_id "" = the operation's user */
tn_err tn_group_quit(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id);
tn_err tn_group_transfer(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *old_owner,
                         const char *new_owner);
/* seconds > 0 mutes until now + seconds; 0 cancels */
tn_err tn_group_mute_member(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id,
                            int64_t seconds);
/* set_group_member_info: role_level only 60 or 20 */
tn_err tn_group_set_members(tn_svc *svc, tn_ctx *ctx, const tn_group_member_patch *p, size_t n);

tn_err tn_group_members_info(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *const *ids,
                             size_t n, tn_group_member_list *out);
/* get_group_member_list: role desc then join order, keyword on userID or nickname */
tn_err tn_group_member_page(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *keyword,
                            int64_t offset, int64_t limit, tn_group_member_list *out,
                            int64_t *total);
tn_err tn_group_member_ids(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char ***ids,
                           size_t *count);

/* ---- join requests (group_request.c) ---- */

typedef struct tn_group_join_req {
    const char *group_id;
    const char *req_msg;
    int32_t join_source;
    const char *applicant; /* inviterUserID on the wire */
    const char *ex;
} tn_group_join_req;
tn_err tn_group_join(tn_svc *svc, tn_ctx *ctx, const tn_group_join_req *req);
/* handle_result 1 agree, -1 refuse */
tn_err tn_group_respond(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *applicant,
                        const char *handle_msg, int32_t handle_result);

/* Filters of the two paged request lists (empty = any). */
typedef struct tn_group_request_filter {
    const char *const *group_ids;
    size_t group_count;
    const int32_t *results;
    size_t result_count;
    int64_t offset, limit;
} tn_group_request_filter;
/* get_recv_group_applicationList: requests to the groups manager manages */
tn_err tn_group_recv_requests(tn_svc *svc, tn_ctx *ctx, const char *manager,
                              const tn_group_request_filter *f, tn_group_request_list *out);
/* get_user_req_group_applicationList: user_id's own requests */
tn_err tn_group_user_requests(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                              const tn_group_request_filter *f, tn_group_request_list *out);
/* get_group_users_req_application_list (applicants left NULL, as OpenIM answers) */
tn_err tn_group_users_requests(tn_svc *svc, tn_ctx *ctx, const char *group_id,
                               const char *const *user_ids, size_t n, tn_group_request_list *out);
/* get_specified_user_group_request_info */
tn_err tn_group_user_request(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id,
                             tn_group_request_list *out);
/* pending requests to the groups user_id manages, made after since_ms (0 = all) */
tn_err tn_group_unhandled_count(tn_svc *svc, tn_ctx *ctx, const char *user_id, int64_t since_ms,
                                int64_t *count);

/* ---- incremental sync (group_sync.c) ---- */

typedef struct tn_group_join_sync {
    tn_version_head head;
    tn_version_delta delta;
    tn_group *insert, *update;
    size_t insert_count, update_count;
} tn_group_join_sync;
tn_err tn_group_incremental_joined(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                                   const char *version_id, int64_t version,
                                   tn_group_join_sync *out);

typedef struct tn_group_member_sync {
    const char *group_id;
    tn_version_head head;
    tn_version_delta delta;
    tn_group_member_list insert, update;
    tn_group *group; /* NULL when nothing changed */
} tn_group_member_sync;
tn_err tn_group_incremental_members(tn_svc *svc, tn_ctx *ctx, const char *group_id,
                                    const char *version_id, int64_t version,
                                    tn_group_member_sync *out);

typedef struct tn_group_sync_req {
    const char *group_id;
    const char *version_id;
    int64_t version;
} tn_group_sync_req;
/* each group once, dismissed ones skipped, stopping once 500 changed items were collected */
tn_err tn_group_incremental_members_batch(tn_svc *svc, tn_ctx *ctx, const tn_group_sync_req *reqs,
                                          size_t n, tn_group_member_sync **out, size_t *count);

/* the full ID lists: ids NULL (count 0) when id_hash matched (*equal) */
tn_err tn_group_full_member_ids(tn_svc *svc, tn_ctx *ctx, const char *group_id, uint64_t id_hash,
                                tn_version_head *head, bool *equal, const char ***ids,
                                size_t *count);
tn_err tn_group_full_joined_ids(tn_svc *svc, tn_ctx *ctx, const char *user_id, uint64_t id_hash,
                                tn_version_head *head, bool *equal, const char ***ids,
                                size_t *count);
