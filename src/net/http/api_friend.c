/* The /friend routes (openim-rest.md §5): friends, friend requests, blacklists and their
 * incremental sync; each handler decodes its body, calls the friend service, encodes the answer. */
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

tn_err tn_api_friend_delete_friend(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_get_friend_apply_list(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_get_designated_friend_apply(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_get_self_friend_apply_list(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_get_friend_list(tn_api_call *call)
{
    return empty_page(call, "userID", "friendsInfo", false);
}

/* The JS SDK asks before a first 1:1 send; with no friendships yet, nobody is a friend. */
tn_err tn_api_friend_get_designated_friends(tn_api_call *call)
{
    const char *owner, **ids;
    size_t n;
    tn_err e;
    if ((e = tn_json_str(call->ctx, call->body, "ownerUserID", true, &owner)) ||
        (e = tn_json_str_list(call->ctx, call->body, "friendUserIDs", true, false, &ids, &n)) ||
        (e = tn_ctx_self_or_admin(call->ctx, owner)))
        return e;
    call->data = json_pack("{s:[]}", "friendsInfo");
    return TN_OK;
}

tn_err tn_api_friend_add_friend(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_add_friend_response(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_set_friend_remark(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_add_black(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_get_black_list(tn_api_call *call)
{
    return empty_page(call, "userID", "blacks", false);
}

tn_err tn_api_friend_get_specified_blacks(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_remove_black(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_get_incremental_blacks(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_import_friend(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_is_friend(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_get_friend_id(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_get_specified_friends_info(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_update_friends(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

tn_err tn_api_friend_get_incremental_friends(tn_api_call *call)
{
    return incremental(call, TN_VERSION_FRIEND, true);
}

tn_err tn_api_friend_get_full_friend_user_ids(tn_api_call *call)
{
    return full_ids(call, TN_VERSION_FRIEND, "userIDs");
}

tn_err tn_api_friend_get_self_unhandled_apply_count(tn_api_call *call)
{
    return tn_ctx_fail(call->ctx, TN_ESERVER, "not implemented yet");
}

