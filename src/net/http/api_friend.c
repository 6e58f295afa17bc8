/* The /friend routes (openim-rest.md §5): friends, friend requests, blacklists and their
 * incremental sync; each handler decodes its body, calls the friend service, encodes the answer. */
#include "friend.h"
#include "friend_json.h"
#include "handlers.h"
#include "json.h"

#define CTX  (call->ctx)
#define BODY (call->body)
#define SVC  (call->svc)

/* gRPC Unimplemented as OpenIM's gateway passes it through (no name in err.h yet) */

/* ---- encoding ---- */

/* FriendInfo[] with friendUser; null when empty (Go's nil slice), [] when empty_array */
static json_t *friends_json(const tn_friend_full *list, size_t n, bool empty_array)
{
    if (n == 0 && !empty_array)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, tn_json_friend_info(&list[i].rec, list[i].user));
    return a;
}

static json_t *blacks_json(const tn_black_full *list, size_t n, bool empty_array)
{
    if (n == 0 && !empty_array)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, tn_json_black_info(&list[i].rec, list[i].user));
    return a;
}

static json_t *requests_json(const tn_request_full *list, size_t n)
{
    if (n == 0)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, tn_json_friend_request(&list[i].rec, list[i].from, list[i].to));
    return a;
}

/* ---- decoding ---- */

/* {ownerKey: string, otherKey: string}, both required */
static tn_err two_ids(tn_api_call *call, const char *k1, const char **v1, const char *k2,
                      const char **v2)
{
    tn_err e = tn_json_str(CTX, BODY, k1, true, v1);
    return e ? e : tn_json_str(CTX, BODY, k2, true, v2);
}

/* ---- friends ---- */

tn_err tn_api_friend_add_friend(tn_api_call *call)
{
    const char *from, *to, *req_msg, *ex;
    tn_err e;
    if ((e = two_ids(call, "fromUserID", &from, "toUserID", &to)) ||
        (e = tn_json_str(CTX, BODY, "reqMsg", false, &req_msg)) ||
        (e = tn_json_str(CTX, BODY, "ex", false, &ex)))
        return e;
    return tn_friend_apply(SVC, CTX, from, to, req_msg, ex);
}

tn_err tn_api_friend_add_friend_response(tn_api_call *call)
{
    const char *from, *to, *msg;
    int64_t result;
    tn_err e;
    if ((e = two_ids(call, "fromUserID", &from, "toUserID", &to)) ||
        (e = tn_json_int(CTX, BODY, "handleResult", false, INT32_MIN, INT32_MAX, &result)) ||
        (e = tn_json_str(CTX, BODY, "handleMsg", false, &msg)))
        return e;
    return tn_friend_respond(SVC, CTX, from, to, (int32_t)result, msg);
}

tn_err tn_api_friend_delete_friend(tn_api_call *call)
{
    const char *owner, *friend_id;
    tn_err e = two_ids(call, "ownerUserID", &owner, "friendUserID", &friend_id);
    return e ? e : tn_friend_delete(SVC, CTX, owner, friend_id);
}

tn_err tn_api_friend_set_friend_remark(tn_api_call *call)
{
    const char *owner, *friend_id, *remark;
    tn_err e;
    if ((e = two_ids(call, "ownerUserID", &owner, "friendUserID", &friend_id)) ||
        (e = tn_json_str(CTX, BODY, "remark", false, &remark)))
        return e;
    return tn_friend_set_remark(SVC, CTX, owner, friend_id, remark);
}

tn_err tn_api_friend_update_friends(tn_api_call *call)
{
    const char *owner, **ids;
    size_t n;
    tn_friend_patch p = {0};
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "ownerUserID", true, &owner)) ||
        (e = tn_json_str_list(CTX, BODY, "friendUserIDs", true, true, &ids, &n)) ||
        (e = tn_json_bool_wrapper(CTX, BODY, "isPinned", &p.has_pinned, &p.is_pinned)) ||
        (e = tn_json_str_wrapper(CTX, BODY, "remark", &p.remark)) ||
        (e = tn_json_str_wrapper(CTX, BODY, "ex", &p.ex)))
        return e;
    return tn_friend_update(SVC, CTX, owner, ids, n, &p);
}

tn_err tn_api_friend_import_friend(tn_api_call *call)
{
    const char *owner, **ids;
    size_t n;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "ownerUserID", true, &owner)) ||
        (e = tn_json_str_list(CTX, BODY, "friendUserIDs", true, true, &ids, &n)))
        return e;
    return tn_friend_import(SVC, CTX, owner, ids, n);
}

tn_err tn_api_friend_get_friend_list(tn_api_call *call)
{
    tn_page page;
    const char *owner;
    tn_friend_full *list;
    size_t n;
    int64_t total;
    tn_err e;
    if ((e = tn_json_pagination(CTX, BODY, true, &page)) ||
        (e = tn_json_str(CTX, BODY, "userID", true, &owner)) ||
        (e = tn_friend_page(SVC, CTX, owner, page.offset, page.limit, &list, &n, &total)))
        return e;
    call->data = json_pack("{s:o,s:I}", "friendsInfo", friends_json(list, n, false), "total",
                           (json_int_t)total);
    return TN_OK;
}

/* The JS SDK asks before a first 1:1 send: indexed lookups of the named IDs only. */
tn_err tn_api_friend_get_designated_friends(tn_api_call *call)
{
    const char *owner, **ids;
    size_t n, count;
    tn_friend_full *list;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "ownerUserID", true, &owner)) ||
        (e = tn_json_str_list(CTX, BODY, "friendUserIDs", true, false, &ids, &n)) ||
        (e = tn_friend_designated(SVC, CTX, owner, ids, n, &list, &count)))
        return e;
    call->data = json_pack("{s:o}", "friendsInfo", friends_json(list, count, true));
    return TN_OK;
}

tn_err tn_api_friend_get_specified_friends_info(tn_api_call *call)
{
    const char *owner, **ids;
    size_t n, count;
    tn_friend_relation *list;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "ownerUserID", true, &owner)) ||
        (e = tn_json_str_list(CTX, BODY, "userIDList", true, true, &ids, &n)) ||
        (e = tn_friend_specified(SVC, CTX, owner, ids, n, &list, &count)))
        return e;
    json_t *infos = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(
            infos,
            json_pack("{s:o,s:o,s:o}", "userInfo", tn_json_user(list[i].user), "friendInfo",
                      list[i].friend_rec ? tn_json_friend_info(list[i].friend_rec, NULL)
                                         : json_null(),
                      "blackInfo",
                      list[i].black ? tn_json_black_info(list[i].black, NULL) : json_null()));
    call->data = json_pack("{s:o}", "infos", infos);
    return TN_OK;
}

tn_err tn_api_friend_is_friend(tn_api_call *call)
{
    const char *u1, *u2;
    bool in1, in2;
    tn_err e;
    if ((e = two_ids(call, "userID1", &u1, "userID2", &u2)) ||
        (e = tn_friend_check(SVC, CTX, u1, u2, &in1, &in2)))
        return e;
    call->data = json_pack("{s:b,s:b}", "inUser1Friends", in1, "inUser2Friends", in2);
    return TN_OK;
}

tn_err tn_api_friend_get_friend_id(tn_api_call *call)
{
    const char *owner, **ids;
    size_t n;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &owner)) ||
        (e = tn_friend_ids(SVC, CTX, owner, &ids, &n)))
        return e;
    call->data = json_pack("{s:o}", "friendIDs", tn_json_str_array(ids, n));
    return TN_OK;
}

tn_err tn_api_friend_get_incremental_friends(tn_api_call *call)
{
    const char *owner, *version_id;
    int64_t version;
    tn_friend_sync s;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &owner)) ||
        (e = tn_json_str(CTX, BODY, "versionID", false, &version_id)) ||
        (e = tn_json_int(CTX, BODY, "version", false, 0, INT64_MAX, &version)) ||
        (e = tn_friend_incremental(SVC, CTX, owner, version_id, version, &s)))
        return e;
    call->data = tn_api_sync_json(&s.head, &s.delta, friends_json(s.insert, s.insert_count, false),
                                  friends_json(s.update, s.update_count, false));
    json_object_set_new(call->data, "sortVersion", json_integer(s.delta.sort_version));
    return TN_OK;
}

tn_err tn_api_friend_get_full_friend_user_ids(tn_api_call *call)
{
    const char *owner, **ids;
    int64_t hash;
    size_t n;
    bool equal;
    tn_version_head head;
    tn_err e;
    if ((e = tn_json_int(CTX, BODY, "idHash", false, 0, INT64_MAX, &hash)) ||
        (e = tn_json_str(CTX, BODY, "userID", true, &owner)) ||
        (e = tn_friend_full_ids(SVC, CTX, owner, (uint64_t)hash, &head, &equal, &ids, &n)))
        return e;
    call->data = tn_api_full_ids_json(&head, equal, "userIDs", ids, n);
    return TN_OK;
}

/* ---- friend requests ---- */

static tn_err request_page(tn_api_call *call, bool received, const char *list_key)
{
    const char *user;
    tn_page page;
    int32_t *results;
    size_t nresults, n;
    tn_request_full *list;
    int64_t total;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user)) ||
        (e = tn_json_pagination(CTX, BODY, true, &page)) ||
        (e = tn_json_int32_list(CTX, BODY, "handleResults", &results, &nresults)) ||
        (e = tn_friend_requests(SVC, CTX, user, received, results, nresults, page.offset,
                                page.limit, &list, &n, &total)))
        return e;
    call->data =
        json_pack("{s:o,s:I}", list_key, requests_json(list, n), "total", (json_int_t)total);
    return TN_OK;
}

/* received requests: the key is capitalised on the wire (the JS SDK reads FriendRequests) */
tn_err tn_api_friend_get_friend_apply_list(tn_api_call *call)
{
    return request_page(call, true, "FriendRequests");
}

tn_err tn_api_friend_get_self_friend_apply_list(tn_api_call *call)
{
    return request_page(call, false, "friendRequests");
}

tn_err tn_api_friend_get_designated_friend_apply(tn_api_call *call)
{
    const char *from, *to;
    tn_request_full *list;
    size_t n;
    tn_err e;
    if ((e = two_ids(call, "fromUserID", &from, "toUserID", &to)) ||
        (e = tn_friend_requests_between(SVC, CTX, from, to, &list, &n)))
        return e;
    call->data = json_pack("{s:o}", "friendRequests", requests_json(list, n));
    return TN_OK;
}

tn_err tn_api_friend_get_self_unhandled_apply_count(tn_api_call *call)
{
    const char *user;
    int64_t time, count;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user)) ||
        (e = tn_json_int(CTX, BODY, "time", false, INT64_MIN, INT64_MAX, &time)) ||
        (e = tn_friend_unhandled_count(SVC, CTX, user, time, &count)))
        return e;
    call->data = json_pack("{s:I}", "count", (json_int_t)count);
    return TN_OK;
}

/* ---- blacklists ---- */

tn_err tn_api_friend_add_black(tn_api_call *call)
{
    const char *owner, *black, *ex;
    tn_err e;
    if ((e = two_ids(call, "ownerUserID", &owner, "blackUserID", &black)) ||
        (e = tn_json_str(CTX, BODY, "ex", false, &ex)))
        return e;
    return tn_friend_black_add(SVC, CTX, owner, black, ex);
}

tn_err tn_api_friend_remove_black(tn_api_call *call)
{
    const char *owner, *black;
    tn_err e = two_ids(call, "ownerUserID", &owner, "blackUserID", &black);
    return e ? e : tn_friend_black_remove(SVC, CTX, owner, black);
}

tn_err tn_api_friend_get_black_list(tn_api_call *call)
{
    tn_page page;
    const char *owner;
    tn_black_full *list;
    size_t n;
    int64_t total;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &owner)) ||
        (e = tn_json_pagination(CTX, BODY, true, &page)) ||
        (e = tn_friend_black_page(SVC, CTX, owner, page.offset, page.limit, &list, &n, &total)))
        return e;
    call->data =
        json_pack("{s:o,s:I}", "blacks", blacks_json(list, n, false), "total", (json_int_t)total);
    return TN_OK;
}

tn_err tn_api_friend_get_specified_blacks(tn_api_call *call)
{
    const char *owner, **ids;
    size_t n, count;
    tn_black_full *list;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "ownerUserID", true, &owner)) ||
        (e = tn_json_str_list(CTX, BODY, "userIDList", true, true, &ids, &n)) ||
        (e = tn_friend_black_specified(SVC, CTX, owner, ids, n, &list, &count)))
        return e;
    call->data = json_pack("{s:o,s:I}", "blacks", blacks_json(list, count, true), "total",
                           (json_int_t)count);
    return TN_OK;
}

/* Routed but not implemented by OpenIM v3.8's friend service: gRPC Unimplemented for any
 * valid token; clients never call it. */
tn_err tn_api_friend_get_incremental_blacks(tn_api_call *call)
{
    return tn_ctx_fail(CTX, TN_EUNIMPLEMENTED, "method getIncrementalBlacks not implemented");
}
