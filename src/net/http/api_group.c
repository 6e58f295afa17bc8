/* The /group routes (openim-rest.md §6): groups, members, join requests and their incremental
 * sync; each handler decodes its body, calls the group service, encodes the answer. */
#include <string.h>

#include "group.h"
#include "group_json.h"
#include "handlers.h"
#include "json.h"
#include "notify.h"
#include "version.h"

#define CTX  (call->ctx)
#define BODY (call->body)
#define SVC  (call->svc)

/* ---- decoding helpers ---- */

/* proto3 `optional bool sendMessage`: absent/null = the type's default */
static tn_err send_message(tn_api_call *call, int *out)
{
    json_t *v = tn_json_field(BODY, "sendMessage");
    *out = TN_NOTIFY_DEFAULT;
    if (!v || json_is_null(v))
        return TN_OK;
    if (!json_is_boolean(v))
        return tn_ctx_fail(CTX, TN_EARGS, "field sendMessage: cannot decode into bool");
    *out = json_is_true(v) ? TN_NOTIFY_MSG : TN_NOTIFY_NO_MSG;
    return TN_OK;
}

static tn_err group_id_field(tn_api_call *call, const char **group_id)
{
    return tn_json_str(CTX, BODY, "groupID", true, group_id);
}

static json_t *requests_json(const tn_group_request_list *l)
{
    if (l->count == 0)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++)
        json_array_append_new(a,
                              tn_json_group_request(&l->items[i], l->applicants[i], l->groups[i]));
    return a;
}

static json_t *members_json(const tn_group_member_list *l)
{
    return tn_json_group_members(l->items, l->profiles, l->count);
}

/* ---- groups ---- */

tn_err tn_api_group_create_group(tn_api_call *call)
{
    tn_group_create_req req = {0};
    json_t *gi;
    int64_t type, status, verification, look, apply;
    tn_err e;
    tn_group *in = &req.info;
    const char **members, **admins;
    if ((e = tn_json_str_list(CTX, BODY, "memberUserIDs", false, false, &members,
                              &req.member_count)) ||
        (e = tn_json_str_list(CTX, BODY, "adminUserIDs", false, false, &admins,
                              &req.admin_count)) ||
        (e = tn_json_str(CTX, BODY, "ownerUserID", false, &req.owner_user_id)) ||
        (e = send_message(call, &req.send_msg)) ||
        (e = tn_json_object(CTX, BODY, "groupInfo", true, &gi)) ||
        (e = tn_json_str(CTX, gi, "groupID", false, &in->group_id)) ||
        (e = tn_json_str(CTX, gi, "groupName", false, &in->group_name)) ||
        (e = tn_json_str(CTX, gi, "notification", false, &in->notification)) ||
        (e = tn_json_str(CTX, gi, "introduction", false, &in->introduction)) ||
        (e = tn_json_str(CTX, gi, "faceURL", false, &in->face_url)) ||
        (e = tn_json_str(CTX, gi, "ex", false, &in->ex)) ||
        (e = tn_json_int(CTX, gi, "status", false, 0, 3, &status)) ||
        (e = tn_json_str(CTX, gi, "creatorUserID", false, &in->creator_user_id)) ||
        (e = tn_json_int(CTX, gi, "groupType", false, INT32_MIN, INT32_MAX, &type)) ||
        (e = tn_json_int(CTX, gi, "needVerification", false, INT32_MIN, INT32_MAX,
                         &verification)) ||
        (e = tn_json_int(CTX, gi, "lookMemberInfo", false, INT32_MIN, INT32_MAX, &look)) ||
        (e = tn_json_int(CTX, gi, "applyMemberFriend", false, INT32_MIN, INT32_MAX, &apply)) ||
        (e = tn_json_str(CTX, gi, "notificationUserID", false, &in->notification_user_id)))
        return e;
    req.member_ids = members;
    req.admin_ids = admins;
    in->status = (int32_t)status;
    in->group_type = (int32_t)type;
    in->need_verification = (int32_t)verification;
    in->look_member_info = (int32_t)look;
    in->apply_member_friend = (int32_t)apply;
    tn_group g;
    if ((e = tn_group_create(SVC, CTX, &req, &g)))
        return e;
    call->data = json_pack("{s:o}", "groupInfo", tn_json_group_info(&g));
    return TN_OK;
}

/* Int32Value wrappers of GroupInfoForSet / SetGroupInfoExReq */
static tn_err int_wrappers(tn_api_call *call, json_t *obj, tn_group_patch *p)
{
    int64_t v1, v2, v3;
    tn_err e;
    if ((e = tn_json_int_wrapper(CTX, obj, "needVerification", INT32_MIN, INT32_MAX,
                                 &p->has_need_verification, &v1)) ||
        (e = tn_json_int_wrapper(CTX, obj, "lookMemberInfo", INT32_MIN, INT32_MAX,
                                 &p->has_look_member_info, &v2)) ||
        (e = tn_json_int_wrapper(CTX, obj, "applyMemberFriend", INT32_MIN, INT32_MAX,
                                 &p->has_apply_member_friend, &v3)))
        return e;
    p->need_verification = (int32_t)v1;
    p->look_member_info = (int32_t)v2;
    p->apply_member_friend = (int32_t)v3;
    return TN_OK;
}

tn_err tn_api_group_set_group_info(tn_api_call *call)
{
    tn_group_patch p = {0};
    json_t *s;
    tn_err e;
    if ((e = tn_json_object(CTX, BODY, "groupInfoForSet", true, &s)) ||
        (e = tn_json_str(CTX, s, "groupID", true, &p.group_id)) ||
        (e = tn_json_str(CTX, s, "groupName", false, &p.group_name)) ||
        (e = tn_json_str(CTX, s, "notification", false, &p.notification)) ||
        (e = tn_json_str(CTX, s, "introduction", false, &p.introduction)) ||
        (e = tn_json_str(CTX, s, "faceURL", false, &p.face_url)) ||
        (e = tn_json_str_wrapper(CTX, s, "ex", &p.ex)) || (e = int_wrappers(call, s, &p)))
        return e;
    return tn_group_set_info(SVC, CTX, &p, false);
}

tn_err tn_api_group_set_group_info_ex(tn_api_call *call)
{
    tn_group_patch p = {0};
    tn_err e;
    if ((e = group_id_field(call, &p.group_id)) ||
        (e = tn_json_str_wrapper(CTX, BODY, "groupName", &p.group_name)) ||
        (e = tn_json_str_wrapper(CTX, BODY, "notification", &p.notification)) ||
        (e = tn_json_str_wrapper(CTX, BODY, "introduction", &p.introduction)) ||
        (e = tn_json_str_wrapper(CTX, BODY, "faceURL", &p.face_url)) ||
        (e = tn_json_str_wrapper(CTX, BODY, "ex", &p.ex)) || (e = int_wrappers(call, BODY, &p)))
        return e;
    return tn_group_set_info(SVC, CTX, &p, true);
}

tn_err tn_api_group_dismiss_group(tn_api_call *call)
{
    const char *group_id;
    bool delete_member;
    int send;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_bool(CTX, BODY, "deleteMember", &delete_member)) ||
        (e = send_message(call, &send)))
        return e;
    return tn_group_dismiss(SVC, CTX, group_id, delete_member, send);
}

static tn_err mute_group(tn_api_call *call, bool mute)
{
    const char *group_id;
    tn_err e = group_id_field(call, &group_id);
    return e ? e : tn_group_mute(SVC, CTX, group_id, mute);
}

tn_err tn_api_group_mute_group(tn_api_call *call)
{
    return mute_group(call, true);
}

tn_err tn_api_group_cancel_mute_group(tn_api_call *call)
{
    return mute_group(call, false);
}

tn_err tn_api_group_get_groups_info(tn_api_call *call)
{
    const char **ids;
    size_t n, count;
    tn_group *groups;
    tn_err e;
    if ((e = tn_json_str_list(CTX, BODY, "groupIDs", true, true, &ids, &n)) ||
        (e = tn_group_infos(SVC, CTX, ids, n, &groups, &count)))
        return e;
    call->data = json_pack("{s:o}", "groupInfos", tn_json_group_infos(groups, count));
    return TN_OK;
}

tn_err tn_api_group_get_groups(tn_api_call *call)
{
    tn_page page;
    const char *name, *group_id;
    tn_group *groups;
    tn_group_member_list owners;
    size_t n;
    int64_t total;
    tn_err e;
    if ((e = tn_json_pagination(CTX, BODY, true, &page)) ||
        (e = tn_json_str(CTX, BODY, "groupName", false, &name)) ||
        (e = tn_json_str(CTX, BODY, "groupID", false, &group_id)) ||
        (e = tn_group_search(SVC, CTX, group_id, name, page.offset, page.limit, &groups, &owners,
                             &n, &total)))
        return e;
    json_t *list = n ? json_array() : json_null();
    for (size_t i = 0; i < n; i++) {
        const tn_group_member *o = &owners.items[i];
        const tn_user *u = owners.profiles[i];
        const char *nick = o->nickname && *o->nickname ? o->nickname : u ? u->nickname : "";
        json_array_append_new(list, json_pack("{s:o,s:o,s:o}", "groupInfo",
                                              tn_json_group_info(&groups[i]), "groupOwnerUserName",
                                              tn_json_string(nick), "groupOwnerUserID",
                                              tn_json_string(groups[i].owner_user_id)));
    }
    call->data = json_pack("{s:I,s:o}", "total", (json_int_t)total, "groups", list);
    return TN_OK;
}

tn_err tn_api_group_get_joined_group_list(tn_api_call *call)
{
    tn_page page;
    const char *user_id;
    tn_group *groups;
    size_t n;
    int64_t total;
    tn_err e;
    if ((e = tn_json_pagination(CTX, BODY, true, &page)) ||
        (e = tn_json_str(CTX, BODY, "fromUserID", true, &user_id)) ||
        (e = tn_group_joined(SVC, CTX, user_id, page.offset, page.limit, &groups, &n, &total)))
        return e;
    call->data = json_pack("{s:I,s:o}", "total", (json_int_t)total, "groups",
                           tn_json_group_infos(groups, n));
    return TN_OK;
}

tn_err tn_api_group_get_group_abstract_info(tn_api_call *call)
{
    const char **ids;
    size_t n;
    tn_group_abstract *list;
    tn_err e;
    if ((e = tn_json_str_list(CTX, BODY, "groupIDs", true, true, &ids, &n)) ||
        (e = tn_group_abstracts(SVC, CTX, ids, n, &list)))
        return e;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:o,s:I,s:I}", "groupID",
                                           tn_json_string(list[i].group_id), "groupMemberNumber",
                                           (json_int_t)list[i].member_count, "groupMemberListHash",
                                           (json_int_t)(list[i].member_hash & INT64_MAX)));
    call->data = json_pack("{s:o}", "groupAbstractInfos", a);
    return TN_OK;
}

/* ---- members ---- */

tn_err tn_api_group_invite_user_to_group(tn_api_call *call)
{
    const char *group_id, *reason, **ids;
    size_t n;
    int send;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_str(CTX, BODY, "reason", false, &reason)) ||
        (e = tn_json_str_list(CTX, BODY, "invitedUserIDs", true, true, &ids, &n)) ||
        (e = send_message(call, &send)))
        return e;
    return tn_group_invite(SVC, CTX, group_id, ids, n, send);
}

tn_err tn_api_group_kick_group(tn_api_call *call)
{
    const char *group_id, *reason, **ids;
    size_t n;
    int send;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_str_list(CTX, BODY, "kickedUserIDs", true, true, &ids, &n)) ||
        (e = tn_json_str(CTX, BODY, "reason", false, &reason)) || (e = send_message(call, &send)))
        return e;
    return tn_group_kick(SVC, CTX, group_id, ids, n, send);
}

tn_err tn_api_group_quit_group(tn_api_call *call)
{
    const char *group_id, *user_id;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_str(CTX, BODY, "userID", false, &user_id)))
        return e;
    return tn_group_quit(SVC, CTX, group_id, user_id);
}

tn_err tn_api_group_transfer_group(tn_api_call *call)
{
    const char *group_id, *old_owner, *new_owner;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_str(CTX, BODY, "oldOwnerUserID", true, &old_owner)) ||
        (e = tn_json_str(CTX, BODY, "newOwnerUserID", true, &new_owner)))
        return e;
    return tn_group_transfer(SVC, CTX, group_id, old_owner, new_owner);
}

tn_err tn_api_group_mute_group_member(tn_api_call *call)
{
    const char *group_id, *user_id;
    int64_t seconds;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_json_int(CTX, BODY, "mutedSeconds", true, 0, UINT32_MAX, &seconds)))
        return e;
    return tn_group_mute_member(SVC, CTX, group_id, user_id, seconds);
}

tn_err tn_api_group_cancel_mute_group_member(tn_api_call *call)
{
    const char *group_id, *user_id;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_str(CTX, BODY, "userID", true, &user_id)))
        return e;
    return tn_group_mute_member(SVC, CTX, group_id, user_id, 0);
}

tn_err tn_api_group_set_group_member_info(tn_api_call *call)
{
    json_t *list = tn_json_field(BODY, "members");
    if (!list || json_is_null(list) || (json_is_array(list) && json_array_size(list) == 0))
        return tn_ctx_fail(CTX, TN_EARGS, "members is empty");
    if (!json_is_array(list))
        return tn_ctx_fail(CTX, TN_EARGS, "field members: cannot decode into []object");
    size_t n = json_array_size(list);
    tn_group_member_patch *p = tn_arena_calloc(CTX->arena, n, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_array_get(list, i);
        int64_t role;
        tn_err e;
        if (!json_is_object(m))
            return tn_ctx_fail(CTX, TN_EARGS, "members[%zu] is not an object", i);
        if ((e = tn_json_str(CTX, m, "groupID", true, &p[i].group_id)) ||
            (e = tn_json_str(CTX, m, "userID", true, &p[i].user_id)) ||
            (e = tn_json_str_wrapper(CTX, m, "nickname", &p[i].nickname)) ||
            (e = tn_json_str_wrapper(CTX, m, "faceURL", &p[i].face_url)) ||
            (e = tn_json_int_wrapper(CTX, m, "roleLevel", INT32_MIN, INT32_MAX,
                                     &p[i].has_role_level, &role)) ||
            (e = tn_json_str_wrapper(CTX, m, "ex", &p[i].ex)))
            return e;
        p[i].role_level = (int32_t)role;
    }
    return tn_group_set_members(SVC, CTX, p, n);
}

tn_err tn_api_group_get_group_members_info(tn_api_call *call)
{
    const char *group_id, **ids;
    size_t n;
    tn_group_member_list l;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_str_list(CTX, BODY, "userIDs", true, true, &ids, &n)) ||
        (e = tn_group_members_info(SVC, CTX, group_id, ids, n, &l)))
        return e;
    call->data = json_pack("{s:o}", "members", members_json(&l));
    return TN_OK;
}

tn_err tn_api_group_get_group_member_list(tn_api_call *call)
{
    tn_page page;
    const char *group_id, *keyword;
    int64_t filter, total;
    tn_group_member_list l;
    tn_err e;
    if ((e = tn_json_pagination(CTX, BODY, true, &page)) || (e = group_id_field(call, &group_id)) ||
        (e = tn_json_int(CTX, BODY, "filter", false, 0, 5, &filter)) ||
        (e = tn_json_str(CTX, BODY, "keyword", false, &keyword)) ||
        (e = tn_group_member_page(SVC, CTX, group_id, keyword, page.offset, page.limit, &l,
                                  &total)))
        return e;
    call->data = json_pack("{s:I,s:o}", "total", (json_int_t)total, "members", members_json(&l));
    return TN_OK;
}

tn_err tn_api_group_get_group_member_user_id(tn_api_call *call)
{
    const char *group_id, **ids;
    size_t n;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_group_member_ids(SVC, CTX, group_id, &ids, &n)))
        return e;
    call->data = json_pack("{s:o}", "userIDs", tn_json_ids_or_null(ids, n));
    return TN_OK;
}

/* ---- join requests ---- */

tn_err tn_api_group_join_group(tn_api_call *call)
{
    tn_group_join_req req = {0};
    int64_t source;
    tn_err e;
    if ((e = group_id_field(call, &req.group_id)) ||
        (e = tn_json_str(CTX, BODY, "reqMessage", false, &req.req_msg)) ||
        (e = tn_json_int(CTX, BODY, "joinSource", true, 1, 4, &source)) ||
        (e = tn_json_str(CTX, BODY, "inviterUserID", true, &req.applicant)) ||
        (e = tn_json_str(CTX, BODY, "ex", false, &req.ex)))
        return e;
    req.join_source = (int32_t)source;
    return tn_group_join(SVC, CTX, &req);
}

tn_err tn_api_group_group_application_response(tn_api_call *call)
{
    const char *group_id, *from, *msg;
    int64_t result;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_str(CTX, BODY, "fromUserID", true, &from)) ||
        (e = tn_json_str(CTX, BODY, "handledMsg", false, &msg)) ||
        (e = tn_json_int(CTX, BODY, "handleResult", true, INT32_MIN, INT32_MAX, &result)))
        return e;
    return tn_group_respond(SVC, CTX, group_id, from, msg, (int32_t)result);
}

/* the filters and page of the two paged request lists */
static tn_err request_filter(tn_api_call *call, tn_group_request_filter *f)
{
    tn_page page;
    const char **ids;
    int32_t *results;
    tn_err e;
    memset(f, 0, sizeof *f);
    if ((e = tn_json_pagination(CTX, BODY, true, &page)) ||
        (e = tn_json_str_list(CTX, BODY, "groupIDs", false, false, &ids, &f->group_count)) ||
        (e = tn_json_int32_list(CTX, BODY, "handleResults", &results, &f->result_count)))
        return e;
    f->group_ids = ids;
    f->results = results;
    f->offset = page.offset;
    f->limit = page.limit;
    return TN_OK;
}

static tn_err requests_answer(tn_api_call *call, const tn_group_request_list *l)
{
    call->data =
        json_pack("{s:I,s:o}", "total", (json_int_t)l->total, "groupRequests", requests_json(l));
    return TN_OK;
}

tn_err tn_api_group_get_recv_group_application_list(tn_api_call *call)
{
    tn_group_request_filter f;
    const char *user_id;
    tn_group_request_list l;
    tn_err e;
    if ((e = request_filter(call, &f)) ||
        (e = tn_json_str(CTX, BODY, "fromUserID", true, &user_id)) ||
        (e = tn_group_recv_requests(SVC, CTX, user_id, &f, &l)))
        return e;
    return requests_answer(call, &l);
}

tn_err tn_api_group_get_user_req_group_application_list(tn_api_call *call)
{
    tn_group_request_filter f;
    const char *user_id;
    tn_group_request_list l;
    tn_err e;
    if ((e = request_filter(call, &f)) || (e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_group_user_requests(SVC, CTX, user_id, &f, &l)))
        return e;
    return requests_answer(call, &l);
}

tn_err tn_api_group_get_group_users_req_application_list(tn_api_call *call)
{
    const char *group_id, **ids;
    size_t n;
    tn_group_request_list l;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_str_list(CTX, BODY, "userIDs", false, false, &ids, &n)) ||
        (e = tn_group_users_requests(SVC, CTX, group_id, ids, n, &l)))
        return e;
    return requests_answer(call, &l);
}

tn_err tn_api_group_get_specified_user_group_request_info(tn_api_call *call)
{
    const char *group_id, *user_id;
    tn_group_request_list l;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_group_user_request(SVC, CTX, group_id, user_id, &l)))
        return e;
    return requests_answer(call, &l);
}

tn_err tn_api_group_get_group_application_unhandled_count(tn_api_call *call)
{
    const char *user_id;
    int64_t since, count;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_json_int(CTX, BODY, "time", false, INT64_MIN, INT64_MAX, &since)) ||
        (e = tn_group_unhandled_count(SVC, CTX, user_id, since, &count)))
        return e;
    call->data = json_pack("{s:I}", "count", (json_int_t)count);
    return TN_OK;
}

/* ---- incremental sync ---- */

static tn_err version_fields(tn_api_call *call, json_t *obj, const char **version_id,
                             int64_t *version)
{
    tn_err e = tn_json_str(CTX, obj, "versionID", false, version_id);
    return e ? e : tn_json_int(CTX, obj, "version", false, 0, INT64_MAX, version);
}

tn_err tn_api_group_get_incremental_join_groups(tn_api_call *call)
{
    const char *user_id, *version_id;
    int64_t version;
    tn_group_join_sync s;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = version_fields(call, BODY, &version_id, &version)) ||
        (e = tn_group_incremental_joined(SVC, CTX, user_id, version_id, version, &s)))
        return e;
    call->data = tn_api_sync_json(&s.head, &s.delta, tn_json_group_infos(s.insert, s.insert_count),
                                  tn_json_group_infos(s.update, s.update_count));
    json_object_set_new(call->data, "sortVersion", json_integer(0)); /* never sorted (§15.2) */
    return TN_OK;
}

static json_t *member_sync_json(const tn_group_member_sync *s)
{
    json_t *o =
        tn_api_sync_json(&s->head, &s->delta, members_json(&s->insert), members_json(&s->update));
    json_object_set_new(o, "group", s->group ? tn_json_group_info(s->group) : json_null());
    json_object_set_new(o, "sortVersion", json_integer(s->delta.sort_version));
    return o;
}

tn_err tn_api_group_get_incremental_group_members(tn_api_call *call)
{
    const char *group_id, *version_id;
    int64_t version;
    tn_group_member_sync s;
    tn_err e;
    if ((e = group_id_field(call, &group_id)) ||
        (e = version_fields(call, BODY, &version_id, &version)) ||
        (e = tn_group_incremental_members(SVC, CTX, group_id, version_id, version, &s)))
        return e;
    call->data = member_sync_json(&s);
    return TN_OK;
}

tn_err tn_api_group_get_incremental_group_members_batch(tn_api_call *call)
{
    json_t *list = tn_json_field(BODY, "reqList");
    if (!list || json_is_null(list) || (json_is_array(list) && json_array_size(list) == 0))
        return tn_ctx_fail(CTX, TN_EARGS, "reqList is empty");
    if (!json_is_array(list))
        return tn_ctx_fail(CTX, TN_EARGS, "field reqList: cannot decode into []object");
    size_t n = json_array_size(list);
    tn_group_sync_req *reqs = tn_arena_calloc(CTX->arena, n, sizeof *reqs);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(list, i);
        tn_err e;
        if (!json_is_object(item))
            return tn_ctx_fail(CTX, TN_EARGS, "reqList[%zu] is not an object", i);
        if ((e = tn_json_str(CTX, item, "groupID", true, &reqs[i].group_id)) ||
            (e = version_fields(call, item, &reqs[i].version_id, &reqs[i].version)))
            return e;
    }
    tn_group_member_sync *out;
    size_t count;
    tn_err e = tn_group_incremental_members_batch(SVC, CTX, reqs, n, &out, &count);
    if (e)
        return e;
    json_t *resp = json_object();
    for (size_t i = 0; i < count; i++)
        json_object_set_new(resp, out[i].group_id, member_sync_json(&out[i]));
    call->data = json_pack("{s:o}", "respList", resp);
    return TN_OK;
}

tn_err tn_api_group_get_full_group_member_user_ids(tn_api_call *call)
{
    const char *group_id, **ids;
    int64_t hash;
    size_t n;
    bool equal;
    tn_version_head head;
    tn_err e;
    if ((e = tn_json_int(CTX, BODY, "idHash", false, 0, INT64_MAX, &hash)) ||
        (e = group_id_field(call, &group_id)) ||
        (e = tn_group_full_member_ids(SVC, CTX, group_id, (uint64_t)hash, &head, &equal, &ids, &n)))
        return e;
    call->data = tn_api_full_ids_json(&head, equal, "userIDs", ids, n);
    return TN_OK;
}

tn_err tn_api_group_get_full_join_group_ids(tn_api_call *call)
{
    const char *user_id, **ids;
    int64_t hash;
    size_t n;
    bool equal;
    tn_version_head head;
    tn_err e;
    if ((e = tn_json_int(CTX, BODY, "idHash", false, 0, INT64_MAX, &hash)) ||
        (e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_group_full_joined_ids(SVC, CTX, user_id, (uint64_t)hash, &head, &equal, &ids, &n)))
        return e;
    call->data = tn_api_full_ids_json(&head, equal, "groupIDs", ids, n);
    return TN_OK;
}
