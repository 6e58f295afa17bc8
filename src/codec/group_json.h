/* JSON shapes of groups (openim-rest.md §2): GroupInfo, GroupMemberFullInfo, GroupRequest and
 * PublicUserInfo, shared by the /group answers and the group notification tips. */
#pragma once
#include <jansson.h>
#include <stddef.h>

#include "model.h"

json_t *tn_json_group_info(const tn_group *g);
/* an array of GroupInfo; null when n is 0 (Go's nil slice) */
json_t *tn_json_group_infos(const tn_group *g, size_t n);

/* GroupMemberFullInfo; profile is the member's user record (NULL when unknown): an empty group
 * nickname or faceURL falls back to the profile's, appMangerLevel is the profile's. */
json_t *tn_json_group_member(const tn_group_member *m, const tn_user *profile);
/* an array of members with their profiles (profiles[i] may be NULL); null when n is 0 */
json_t *tn_json_group_members(const tn_group_member *m, const tn_user *const *profiles, size_t n);

/* GroupRequest: applicant's PublicUserInfo and the GroupInfo, each null when NULL */
json_t *tn_json_group_request(const tn_group_request *r, const tn_user *applicant,
                              const tn_group *group);
