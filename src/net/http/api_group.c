/* The /group routes (openim-rest.md §6): groups, members, join requests and their incremental
 * sync; each handler decodes its body, calls the group service, encodes the answer. */
#include "handlers.h"
#include "json.h"
#include "version.h"

#define CTX  (call->ctx)
#define BODY (call->body)
#define SVC  (call->svc)

/* The caller's userID field, which must be the operation's user or an app admin. */
static tn_err self_field(tn_api_call *call, const char *key, const char **user_id)
{
    tn_err e = tn_json_str(CTX, BODY, key, true, user_id);
    return e ? e : tn_ctx_self_or_admin(CTX, *user_id);
}

/* {version, versionID, full, delete, insert, update, sortVersion} of the user's log in
 * collection. No element of these collections can exist yet, so inserts and updates resolve to
 * no records (null) and only deleted IDs could be listed. */
static tn_err incremental(tn_api_call *call, const char *collection, bool with_sort)
{
    const char *user_id, *version_id;
    int64_t version;
    tn_version_head head;
    tn_version_delta d;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_json_str(CTX, BODY, "versionID", false, &version_id)) ||
        (e = tn_json_int(CTX, BODY, "version", false, 0, INT64_MAX, &version)) ||
        (e = tn_ctx_self_or_admin(CTX, user_id)) ||
        (e = tn_version_sync(SVC, CTX, collection, user_id, version_id, version, &head, &d)))
        return e;
    call->data =
        json_pack("{s:I,s:o,s:b,s:o,s:n,s:n,s:I}", "version", (json_int_t)head.version, "versionID",
                  tn_json_string(head.version_id), "full", d.full, "delete",
                  d.delete_count ? tn_json_str_array(d.delete_ids, d.delete_count) : json_null(),
                  "insert", "update", "sortVersion", (json_int_t)(with_sort ? d.sort_version : 0));
    return TN_OK;
}

/* {version, versionID, equal, <ids_key>}: the ID list is empty, whose idHash is 0. */
static tn_err full_ids(tn_api_call *call, const char *collection, const char *ids_key)
{
    const char *user_id;
    int64_t hash;
    tn_version_head head;
    tn_err e;
    if ((e = tn_json_int(CTX, BODY, "idHash", false, 0, INT64_MAX, &hash)) ||
        (e = self_field(call, "userID", &user_id)) ||
        (e = tn_version_head_get(SVC, CTX, collection, user_id, &head)))
        return e;
    bool equal = (uint64_t)hash == tn_version_id_hash(NULL, 0);
    call->data = json_pack("{s:I,s:o,s:b,s:o}", "version", (json_int_t)head.version, "versionID",
                           tn_json_string(head.version_id), "equal", equal, ids_key,
                           equal ? json_null() : json_array());
    return TN_OK;
}

/* A paged list route: required pagination and owner field; no records, total 0. */
static tn_err empty_page(tn_api_call *call, const char *owner_key, const char *list_key,
                         bool total_first)
{
    tn_page page;
    const char *user_id;
    tn_err e;
    if ((e = tn_json_pagination(CTX, BODY, true, &page)) ||
        (e = self_field(call, owner_key, &user_id)))
        return e;
    call->data = total_first ? json_pack("{s:i,s:n}", "total", 0, list_key)
                             : json_pack("{s:n,s:i}", list_key, "total", 0);
    return TN_OK;
}

tn_err tn_api_group_create_group(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_set_group_info(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_set_group_info_ex(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_join_group(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_quit_group(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_group_application_response(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_transfer_group(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_recv_group_application_list(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_user_req_group_application_list(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_group_users_req_application_list(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_specified_user_group_request_info(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_groups_info(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_kick_group(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_group_members_info(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_group_member_list(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_invite_user_to_group(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_joined_group_list(tn_api_call *call)
{
    return empty_page(call, "fromUserID", "groups", true);
}

tn_err tn_api_group_dismiss_group(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_mute_group_member(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_cancel_mute_group_member(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_mute_group(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_cancel_mute_group(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_set_group_member_info(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_group_abstract_info(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_groups(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_group_member_user_id(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_incremental_join_groups(tn_api_call *call)
{
    return incremental(call, TN_VERSION_JOIN_GROUP, false);
}

tn_err tn_api_group_get_incremental_group_members(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_incremental_group_members_batch(tn_api_call *call)
{
    json_t *list = tn_json_field(BODY, "reqList");
    if (!list || json_is_null(list) || (json_is_array(list) && json_array_size(list) == 0))
        return tn_ctx_fail(CTX, TN_EARGS, "reqList is empty");
    if (!json_is_array(list))
        return tn_ctx_fail(CTX, TN_EARGS, "field reqList: cannot decode into []object");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *item = json_array_get(list, i);
        const char *group_id, *version_id;
        int64_t version;
        tn_err e;
        if (!json_is_object(item))
            return tn_ctx_fail(CTX, TN_EARGS, "reqList[%zu] is not an object", i);
        if ((e = tn_json_str(CTX, item, "groupID", true, &group_id)) ||
            (e = tn_json_str(CTX, item, "versionID", false, &version_id)) ||
            (e = tn_json_int(CTX, item, "version", false, 0, INT64_MAX, &version)))
            return e;
        /* no group exists yet: the first entry names an unknown group */
        return tn_ctx_fail(CTX, TN_ENOTFOUND, "group %s not found", group_id);
    }
    return TN_OK;
}

tn_err tn_api_group_get_full_group_member_user_ids(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_group_get_full_join_group_ids(tn_api_call *call)
{
    return full_ids(call, TN_VERSION_JOIN_GROUP, "groupIDs");
}

tn_err tn_api_group_get_group_application_unhandled_count(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

