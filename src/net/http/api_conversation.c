/* The /conversation routes: decode the OpenIM JSON body, call svc/conversation, encode the
 * answer (openim-rest.md §7; Conversation and MsgInfo shapes of §2). */
#include <string.h>

#include "conversation.h"
#include "handlers.h"
#include "json.h"
#include "sdkws.pb-c.h"

#define CTX  (call->ctx)
#define BODY (call->body)
#define SVC  (call->svc)

json_t *tn_api_conversation_json(const tn_conversation *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "ownerUserID", tn_json_string(c->owner_user_id));
    json_object_set_new(o, "conversationID", tn_json_string(c->conversation_id));
    json_object_set_new(o, "recvMsgOpt", json_integer(c->recv_msg_opt));
    json_object_set_new(o, "conversationType", json_integer(c->conversation_type));
    json_object_set_new(o, "userID", tn_json_string(c->user_id));
    json_object_set_new(o, "groupID", tn_json_string(c->group_id));
    json_object_set_new(o, "isPinned", json_boolean(c->is_pinned));
    json_object_set_new(o, "attachedInfo", tn_json_string(c->attached_info));
    json_object_set_new(o, "isPrivateChat", json_boolean(c->is_private_chat));
    json_object_set_new(o, "groupAtType", json_integer(c->group_at_type));
    json_object_set_new(o, "ex", tn_json_string(c->ex));
    json_object_set_new(o, "burnDuration", json_integer(c->burn_duration));
    json_object_set_new(o, "minSeq", json_integer(c->min_seq));
    json_object_set_new(o, "maxSeq", json_integer(c->max_seq));
    json_object_set_new(o, "msgDestructTime", json_integer(c->msg_destruct_time));
    json_object_set_new(o, "latestMsgDestructTime", json_integer(c->latest_msg_destruct_time));
    json_object_set_new(o, "isMsgDestruct", json_boolean(c->is_msg_destruct));
    return o;
}

/* An array of records; null when there are none (Go's nil slice). */
static json_t *conversations_json(const tn_conversation *list, size_t n)
{
    if (n == 0)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, tn_api_conversation_json(&list[i]));
    return a;
}

static tn_err owner_field(tn_api_call *call, const char *key, const char **owner)
{
    return tn_json_str(CTX, BODY, key, true, owner);
}

tn_err tn_api_conversation_get_all_conversations(tn_api_call *call)
{
    const char *owner;
    tn_conversation *list;
    size_t n;
    tn_err e;
    if ((e = owner_field(call, "ownerUserID", &owner)) ||
        (e = tn_conversation_get_all(SVC, CTX, owner, &list, &n)))
        return e;
    call->data = json_pack("{s:o}", "conversations", conversations_json(list, n));
    return TN_OK;
}

tn_err tn_api_conversation_get_conversation(tn_api_call *call)
{
    const char *owner, *id;
    tn_conversation c;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "conversationID", true, &id)) ||
        (e = owner_field(call, "ownerUserID", &owner)) ||
        (e = tn_conversation_get(SVC, CTX, owner, id, &c)))
        return e;
    call->data = json_pack("{s:o}", "conversation", tn_api_conversation_json(&c));
    return TN_OK;
}

tn_err tn_api_conversation_get_conversations(tn_api_call *call)
{
    const char *owner, **ids;
    size_t n, count;
    tn_conversation *list;
    tn_err e;
    if ((e = owner_field(call, "ownerUserID", &owner)) ||
        (e = tn_json_str_list(CTX, BODY, "conversationIDs", true, false, &ids, &n)) ||
        (e = tn_conversation_get_many(SVC, CTX, owner, ids, n, &list, &count)))
        return e;
    call->data = json_pack("{s:o}", "conversations", conversations_json(list, count));
    return TN_OK;
}

tn_err tn_api_conversation_get_owner_conversation(tn_api_call *call)
{
    const char *owner;
    tn_page page;
    tn_conversation *list;
    size_t n;
    int64_t total;
    tn_err e;
    if ((e = owner_field(call, "userID", &owner)) ||
        (e = tn_json_pagination(CTX, BODY, false, &page)) ||
        (e = tn_conversation_page(SVC, CTX, owner, page.offset, page.limit, &list, &n, &total)))
        return e;
    call->data = json_pack("{s:I,s:o}", "total", (json_int_t)total, "conversations",
                           conversations_json(list, n));
    return TN_OK;
}

static tn_err ids_answer(tn_api_call *call, bool pinned)
{
    const char *owner, **ids;
    size_t n;
    tn_err e = owner_field(call, "userID", &owner);
    if (e || (e = pinned ? tn_conversation_pinned_ids(SVC, CTX, owner, &ids, &n)
                         : tn_conversation_not_notify_ids(SVC, CTX, owner, &ids, &n)))
        return e;
    call->data = json_pack("{s:o}", "conversationIDs", tn_json_ids_or_null(ids, n));
    return TN_OK;
}

tn_err tn_api_conversation_get_not_notify_conversation_ids(tn_api_call *call)
{
    return ids_answer(call, false);
}

tn_err tn_api_conversation_get_pinned_conversation_ids(tn_api_call *call)
{
    return ids_answer(call, true);
}

tn_err tn_api_conversation_set_conversations(tn_api_call *call)
{
    const char **owners;
    size_t n;
    json_t *c;
    tn_conversation_patch p = {0};
    int64_t type, opt, burn, at, destruct, seq;
    bool has_min, has_max;
    tn_err e;
    if ((e = tn_json_str_list(CTX, BODY, "userIDs", true, false, &owners, &n)) ||
        (e = tn_json_object(CTX, BODY, "conversation", true, &c)) ||
        (e = tn_json_str(CTX, c, "conversationID", true, &p.conversation_id)) ||
        (e = tn_json_int(CTX, c, "conversationType", true, INT32_MIN, INT32_MAX, &type)) ||
        (e = tn_json_str(CTX, c, "userID", false, &p.user_id)) ||
        (e = tn_json_str(CTX, c, "groupID", false, &p.group_id)) ||
        (e = tn_json_int_wrapper(CTX, c, "recvMsgOpt", INT32_MIN, INT32_MAX, &p.has_recv_msg_opt,
                                 &opt)) ||
        (e = tn_json_bool_wrapper(CTX, c, "isPinned", &p.has_is_pinned, &p.is_pinned)) ||
        (e = tn_json_str_wrapper(CTX, c, "attachedInfo", &p.attached_info)) ||
        (e = tn_json_bool_wrapper(CTX, c, "isPrivateChat", &p.has_is_private_chat,
                                  &p.is_private_chat)) ||
        (e = tn_json_str_wrapper(CTX, c, "ex", &p.ex)) ||
        (e = tn_json_int_wrapper(CTX, c, "burnDuration", INT32_MIN, INT32_MAX, &p.has_burn_duration,
                                 &burn)) ||
        (e = tn_json_int_wrapper(CTX, c, "minSeq", INT64_MIN, INT64_MAX, &has_min, &seq)) ||
        (e = tn_json_int_wrapper(CTX, c, "maxSeq", INT64_MIN, INT64_MAX, &has_max, &seq)) ||
        (e = tn_json_int_wrapper(CTX, c, "groupAtType", INT32_MIN, INT32_MAX, &p.has_group_at_type,
                                 &at)) ||
        (e = tn_json_int_wrapper(CTX, c, "msgDestructTime", INT64_MIN, INT64_MAX,
                                 &p.has_msg_destruct_time, &destruct)) ||
        (e = tn_json_bool_wrapper(CTX, c, "isMsgDestruct", &p.has_is_msg_destruct,
                                  &p.is_msg_destruct)))
        return e;
    /* minSeq / maxSeq are accepted and ignored, as OpenIM does here */
    p.conversation_type = (int32_t)type;
    p.has_attached_info = p.attached_info != NULL;
    p.has_ex = p.ex != NULL;
    p.recv_msg_opt = (int32_t)opt;
    p.burn_duration = (int32_t)burn;
    p.group_at_type = (int32_t)at;
    p.msg_destruct_time = destruct;
    return tn_conversation_set(SVC, CTX, owners, n, &p);
}

tn_err tn_api_conversation_update_conversations_by_user(tn_api_call *call)
{
    const char *user_id, *ex;
    tn_err e;
    if ((e = owner_field(call, "userID", &user_id)) ||
        (e = tn_json_str_wrapper(CTX, BODY, "ex", &ex)))
        return e;
    return tn_conversation_update_ex(SVC, CTX, user_id, ex);
}

tn_err tn_api_conversation_get_incremental_conversations(tn_api_call *call)
{
    const char *owner, *version_id;
    int64_t version;
    tn_conversation_sync s;
    tn_err e;
    if ((e = owner_field(call, "userID", &owner)) ||
        (e = tn_json_str(CTX, BODY, "versionID", false, &version_id)) ||
        (e = tn_json_int(CTX, BODY, "version", false, 0, INT64_MAX, &version)) ||
        (e = tn_conversation_incremental(SVC, CTX, owner, version_id, version, &s)))
        return e;
    call->data = tn_api_sync_json(&s.head, &s.delta, conversations_json(s.insert, s.insert_count),
                                  conversations_json(s.update, s.update_count));
    return TN_OK;
}

tn_err tn_api_conversation_get_full_conversation_ids(tn_api_call *call)
{
    const char *owner, **ids;
    int64_t hash;
    size_t n;
    bool equal;
    tn_version_head head;
    tn_err e;
    if ((e = tn_json_int(CTX, BODY, "idHash", false, 0, INT64_MAX, &hash)) ||
        (e = owner_field(call, "userID", &owner)) ||
        (e = tn_conversation_full_ids(SVC, CTX, owner, (uint64_t)hash, &head, &equal, &ids, &n)))
        return e;
    call->data = tn_api_full_ids_json(&head, equal, "conversationIDs", ids, n);
    return TN_OK;
}

/* ---- get_sorted_conversation_list ---- */

static json_t *bytes_string(const void *p, size_t n)
{
    json_t *s = n ? json_stringn(p, n) : NULL;
    return s ? s : json_string("");
}

/* MsgInfo of §2 from the stored message (decoded here: the service keeps it opaque). */
static json_t *msg_info_json(const tn_conversation_summary *s)
{
    const tn_msg_rec *m = s->last_msg;
    Sdkws__MsgData *d = sdkws__msg_data__unpack(NULL, m->data_len, m->data);
    const char *group_id = d ? d->groupid : s->conv.group_id;
    json_t *o = json_object();
    json_object_set_new(o, "serverMsgID", tn_json_string(m->server_msg_id));
    json_object_set_new(o, "clientMsgID", tn_json_string(m->client_msg_id));
    json_object_set_new(o, "sessionType",
                        json_integer(d ? d->sessiontype : s->conv.conversation_type));
    json_object_set_new(o, "sendID", tn_json_string(m->send_id));
    json_object_set_new(o, "recvID", tn_json_string(d ? d->recvid : ""));
    json_object_set_new(o, "senderName", tn_json_string(s->sender ? s->sender->nickname : ""));
    json_object_set_new(o, "faceURL", tn_json_string(s->sender ? s->sender->face_url : ""));
    json_object_set_new(o, "groupID", tn_json_string(group_id));
    /* groups are not stored yet: no name, face, type or member count to show */
    json_object_set_new(o, "groupName", json_string(""));
    json_object_set_new(o, "groupFaceURL", json_string(""));
    json_object_set_new(o, "groupType", json_integer(0));
    json_object_set_new(o, "groupMemberCount", json_integer(0));
    json_object_set_new(o, "LatestMsgRecvTime", json_integer(m->send_time));
    json_object_set_new(o, "msgFrom", json_integer(d ? d->msgfrom : 0));
    json_object_set_new(o, "contentType", json_integer(d ? d->contenttype : 0));
    json_object_set_new(o, "content",
                        d ? bytes_string(d->content.data, d->content.len) : json_string(""));
    json_object_set_new(o, "ex", tn_json_string(d ? d->ex : ""));
    if (d)
        sdkws__msg_data__free_unpacked(d, NULL);
    return o;
}

tn_err tn_api_conversation_get_sorted_conversation_list(tn_api_call *call)
{
    const char *owner, **ids;
    size_t n, count;
    tn_page page;
    tn_conversation_summary *list;
    int64_t total, unread;
    tn_err e;
    if ((e = owner_field(call, "userID", &owner)) ||
        (e = tn_json_str_list(CTX, BODY, "conversationIDs", false, false, &ids, &n)) ||
        (e = tn_json_pagination(CTX, BODY, true, &page)) ||
        (e = tn_conversation_sorted(SVC, CTX, owner, ids, n, page.offset, page.limit, &list, &count,
                                    &total, &unread)))
        return e;
    json_t *elems = json_array();
    for (size_t i = 0; i < count; i++) {
        const tn_conversation_summary *s = &list[i];
        json_array_append_new(elems,
                              json_pack("{s:o,s:i,s:I,s:b,s:o}", "conversationID",
                                        tn_json_string(s->conv.conversation_id), "recvMsgOpt",
                                        s->conv.recv_msg_opt, "unreadCount", (json_int_t)s->unread,
                                        "IsPinned", s->conv.is_pinned, "msgInfo",
                                        s->last_msg ? msg_info_json(s) : json_null()));
    }
    call->data = json_pack("{s:I,s:I,s:o}", "conversationTotal", (json_int_t)total, "unreadTotal",
                           (json_int_t)unread, "conversationElems", elems);
    return TN_OK;
}
