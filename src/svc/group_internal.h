/* Shared by the group service files (group.c, group_member.c, group_request.c, group_sync.c):
 * loading groups and members, the permission checks, profiles, and building tips. */
#pragma once
#include <jansson.h>

#include "group.h"
#include "group_json.h"
#include "json.h"
#include "group_view.h"
#include "notify.h"

#define GOPS(svc) ((svc)->store->groups)
#define UOPS(svc) ((svc)->store->ops)

/* a store failure as the operation's error (not found keeps its code) */
tn_err tn_group_store_fail(tn_ctx *ctx, tn_err e, const char *what);

/* the group; 1004 when it does not exist */
tn_err tn_group_load(tn_svc *svc, tn_ctx *ctx, const char *group_id, tn_group *out);
/* user_id's member record in the group, or *out NULL */
tn_err tn_group_member_of(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id,
                          tn_group_member **out);
/* owner/admin or app admin (OpenIM's TakeGroupMember then role): not a member 1004, an
 * ordinary member 1002; *op = the operator's member record (NULL when not a member) */
tn_err tn_group_check_manager(tn_svc *svc, tn_ctx *ctx, const char *group_id, tn_group_member **op);
/* member or app admin: 1002 otherwise */
tn_err tn_group_check_member(tn_svc *svc, tn_ctx *ctx, const char *group_id);

tn_err tn_group_users(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n, tn_user **out,
                      size_t *count);
const tn_user *tn_group_user_find(const tn_user *users, size_t n, const char *id);
/* the profiles of members (parallel array, NULL where unknown) */
tn_err tn_group_profiles(tn_svc *svc, tn_ctx *ctx, const tn_group_member *m, size_t n,
                         const tn_user ***out);
/* members among ids with their profiles */
tn_err tn_group_members_load(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *const *ids,
                             size_t n, tn_group_member_list *out);

bool tn_group_is_manager(int32_t role_level);
int tn_group_cmp_str(const void *a, const void *b); /* qsort over const char * */
bool tn_group_ids_unique(tn_ctx *ctx, const char *const *ids, size_t n, const char *field);

/* ---- tips (built after the change committed) ---- */

/* GroupInfo as stored now, or null */
json_t *tn_group_info_json(tn_svc *svc, tn_ctx *ctx, const char *group_id);
/* the member with profile fallback, or null */
json_t *tn_group_member_json(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id);
/* OpenIM's opUser: the operator's member record; an app admin as role 60 / appMangerLevel 2; a
 * non-member as {groupID, userID, nickname, faceURL, operatorUserID} */
json_t *tn_group_op_json(tn_svc *svc, tn_ctx *ctx, const char *group_id);
/* groupMemberVersion / groupMemberVersionID (and groupSortVersion) = the member log now */
void tn_group_set_versions(tn_svc *svc, tn_ctx *ctx, const char *group_id, json_t *tips, bool sort);
/* a sessionType-3 notice to the group (plus also); tips is released */
void tn_group_tell(tn_svc *svc, tn_ctx *ctx, const char *group_id, int32_t type, json_t *tips,
                   int send_msg, const char *const *also, size_t also_count);
/* a random UUID (tips' uuid) */
const char *tn_group_uuid(tn_ctx *ctx);
