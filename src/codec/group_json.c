/* GroupInfo, GroupMemberFullInfo and GroupRequest as OpenIM's JSON: every field
 * present in proto order, zero values included, null for an absent nested record. */
#include "group_json.h"

#include "json.h"

json_t *tn_json_group_info(const tn_group *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "groupID", tn_json_string(g->group_id));
    json_object_set_new(o, "groupName", tn_json_string(g->group_name));
    json_object_set_new(o, "notification", tn_json_string(g->notification));
    json_object_set_new(o, "introduction", tn_json_string(g->introduction));
    json_object_set_new(o, "faceURL", tn_json_string(g->face_url));
    json_object_set_new(o, "ownerUserID", tn_json_string(g->owner_user_id));
    json_object_set_new(o, "createTime", json_integer(g->create_time));
    json_object_set_new(o, "memberCount", json_integer(g->member_count));
    json_object_set_new(o, "ex", tn_json_string(g->ex));
    json_object_set_new(o, "status", json_integer(g->status));
    json_object_set_new(o, "creatorUserID", tn_json_string(g->creator_user_id));
    json_object_set_new(o, "groupType", json_integer(g->group_type));
    json_object_set_new(o, "needVerification", json_integer(g->need_verification));
    json_object_set_new(o, "lookMemberInfo", json_integer(g->look_member_info));
    json_object_set_new(o, "applyMemberFriend", json_integer(g->apply_member_friend));
    json_object_set_new(o, "notificationUpdateTime", json_integer(g->notification_update_time));
    json_object_set_new(o, "notificationUserID", tn_json_string(g->notification_user_id));
    return o;
}

json_t *tn_json_group_infos(const tn_group *g, size_t n)
{
    if (n == 0)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, tn_json_group_info(&g[i]));
    return a;
}

static const char *fallback(const char *own, const char *profile)
{
    return own && *own ? own : profile ? profile : "";
}

json_t *tn_json_group_member(const tn_group_member *m, const tn_user *profile)
{
    json_t *o = json_object();
    json_object_set_new(o, "groupID", tn_json_string(m->group_id));
    json_object_set_new(o, "userID", tn_json_string(m->user_id));
    json_object_set_new(o, "roleLevel", json_integer(m->role_level));
    json_object_set_new(o, "joinTime", json_integer(m->join_time));
    json_object_set_new(o, "nickname",
                        tn_json_string(fallback(m->nickname, profile ? profile->nickname : NULL)));
    json_object_set_new(o, "faceURL",
                        tn_json_string(fallback(m->face_url, profile ? profile->face_url : NULL)));
    json_object_set_new(o, "appMangerLevel", json_integer(profile ? profile->app_manger_level : 0));
    json_object_set_new(o, "joinSource", json_integer(m->join_source));
    json_object_set_new(o, "operatorUserID", tn_json_string(m->operator_user_id));
    json_object_set_new(o, "ex", tn_json_string(m->ex));
    json_object_set_new(o, "muteEndTime", json_integer(m->mute_end_time));
    json_object_set_new(o, "inviterUserID", tn_json_string(m->inviter_user_id));
    return o;
}

json_t *tn_json_group_members(const tn_group_member *m, const tn_user *const *profiles, size_t n)
{
    if (n == 0)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, tn_json_group_member(&m[i], profiles ? profiles[i] : NULL));
    return a;
}

json_t *tn_json_group_request(const tn_group_request *r, const tn_user *applicant,
                              const tn_group *group)
{
    json_t *o = json_object();
    json_object_set_new(o, "userInfo", tn_json_public_user(applicant));
    json_object_set_new(o, "groupInfo", group ? tn_json_group_info(group) : json_null());
    json_object_set_new(o, "handleResult", json_integer(r->handle_result));
    json_object_set_new(o, "reqMsg", tn_json_string(r->req_msg));
    json_object_set_new(o, "handleMsg", tn_json_string(r->handle_msg));
    json_object_set_new(o, "reqTime", json_integer(r->req_time));
    json_object_set_new(o, "handleUserID", tn_json_string(r->handle_user_id));
    json_object_set_new(o, "handleTime", json_integer(r->handle_time));
    json_object_set_new(o, "ex", tn_json_string(r->ex));
    json_object_set_new(o, "joinSource", json_integer(r->join_source));
    json_object_set_new(o, "inviterUserID", tn_json_string(r->inviter_user_id));
    return o;
}
