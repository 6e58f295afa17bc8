/* The /jssdk routes (openim-rest.md §12): the JS SDK's conversation-list helpers, answered in
 * JSON or, for a protobuf Content-Type, as base64 of the protobuf response in a JSON string. */
#include <string.h>

#include "base64.h"
#include "conversation.h"
#include "group_json.h"
#include "handlers.h"
#include "jssdk.pb-c.h"
#include "json.h"
#include "msg_json.h"

#define CTX  (call->ctx)
#define BODY (call->body)
#define SVC  (call->svc)

typedef enum body_mode { MODE_JSON, MODE_PB, MODE_BAD } body_mode;

static body_mode mode_of(const char *content_type)
{
    if (!content_type || !*content_type || strstr(content_type, "application/json"))
        return MODE_JSON;
    if (strstr(content_type, "application/x-protobuf") ||
        strstr(content_type, "application/protobuf"))
        return MODE_PB;
    return MODE_BAD;
}

static tn_err request_mode(tn_api_call *call, body_mode *mode)
{
    const char *type = call->content_type;
    *mode = mode_of(type);
    if (*mode == MODE_BAD)
        return tn_ctx_fail(CTX, TN_EARGS, "unsupported content type %s", type ? type : "");
    if (*mode == MODE_JSON && !BODY)
        return tn_ctx_fail(CTX, TN_EARGS, "request body must be a JSON object");
    return TN_OK;
}

static tn_err bad_pb(tn_api_call *call, const char *what)
{
    return tn_ctx_fail(CTX, TN_EARGS, "protobuf: cannot decode %s", what);
}

/* ---- JSON answers ---- */

static json_t *nullable_array(json_t *a)
{
    if (json_array_size(a))
        return a;
    json_decref(a);
    return json_null();
}

/* MsgData of §2 as JSON; messages are stored without their seq, which the record carries. */
static json_t *msg_json(const tn_msg_rec *m)
{
    json_t *o = tn_msg_json(m->data, m->data_len);
    if (!o)
        return json_null();
    json_object_set_new(o, "seq", json_integer(m->seq));
    return o;
}

/* jssdk's FriendInfoOnly: the friend record without the friend's profile */
static json_t *friend_only_json(const tn_friend *f)
{
    return json_pack("{s:s,s:s,s:s,s:I,s:i,s:s,s:s,s:b}", "ownerUserID", f->owner_user_id,
                     "friendUserID", f->friend_user_id, "remark", f->remark, "createTime",
                     (json_int_t)f->create_time, "addSource", f->add_source, "operatorUserID",
                     f->operator_user_id, "ex", f->ex, "isPinned", f->is_pinned);
}

static json_t *answer_json(const tn_conversation_summary *list, size_t n, int64_t unread)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const tn_conversation_summary *s = &list[i];
        json_array_append_new(
            a, json_pack("{s:o,s:o,s:o,s:o,s:o,s:I,s:I}", "conversation",
                         tn_api_conversation_json(&s->conv), "lastMsg",
                         s->last_msg ? msg_json(s->last_msg) : json_null(), "user",
                         s->peer ? tn_json_user(s->peer) : json_null(), "friend",
                         s->friend_of ? friend_only_json(s->friend_of) : json_null(), "group",
                         s->group ? tn_json_group_info(s->group) : json_null(), "maxSeq",
                         (json_int_t)s->max_seq, "readSeq", (json_int_t)s->read_seq));
    }
    return json_pack("{s:I,s:o}", "unreadCount", (json_int_t)unread, "conversations",
                     nullable_array(a));
}

/* ---- protobuf answers ---- */

static char *str(const char *s)
{
    return (char *)(s ? s : "");
}

static Conversation__Conversation *conversation_pb(tn_arena *a, const tn_conversation *c)
{
    Conversation__Conversation *p = tn_arena_alloc(a, sizeof *p);
    conversation__conversation__init(p);
    p->owneruserid = str(c->owner_user_id);
    p->conversationid = str(c->conversation_id);
    p->recvmsgopt = c->recv_msg_opt;
    p->conversationtype = c->conversation_type;
    p->userid = str(c->user_id);
    p->groupid = str(c->group_id);
    p->ispinned = c->is_pinned;
    p->attachedinfo = str(c->attached_info);
    p->isprivatechat = c->is_private_chat;
    p->groupattype = c->group_at_type;
    p->ex = str(c->ex);
    p->burnduration = c->burn_duration;
    p->minseq = c->min_seq;
    p->maxseq = c->max_seq;
    p->msgdestructtime = c->msg_destruct_time;
    p->latestmsgdestructtime = c->latest_msg_destruct_time;
    p->ismsgdestruct = c->is_msg_destruct;
    return p;
}

static Jssdk__UserInfo *user_pb(tn_arena *a, const tn_user *u)
{
    Jssdk__UserInfo *p = tn_arena_alloc(a, sizeof *p);
    jssdk__user_info__init(p);
    p->userid = str(u->user_id);
    p->nickname = str(u->nickname);
    p->faceurl = str(u->face_url);
    p->ex = str(u->ex);
    p->createtime = u->create_time;
    p->appmangerlevel = u->app_manger_level;
    p->globalrecvmsgopt = u->global_recv_msg_opt;
    return p;
}

static Jssdk__FriendInfoOnly *friend_pb(tn_arena *a, const tn_friend *f)
{
    Jssdk__FriendInfoOnly *p = tn_arena_alloc(a, sizeof *p);
    jssdk__friend_info_only__init(p);
    p->owneruserid = str(f->owner_user_id);
    p->frienduserid = str(f->friend_user_id);
    p->remark = str(f->remark);
    p->createtime = f->create_time;
    p->addsource = f->add_source;
    p->operatoruserid = str(f->operator_user_id);
    p->ex = str(f->ex);
    p->ispinned = f->is_pinned;
    return p;
}

static Jssdk__GroupInfo *group_pb(tn_arena *a, const tn_group *g)
{
    Jssdk__GroupInfo *p = tn_arena_alloc(a, sizeof *p);
    jssdk__group_info__init(p);
    p->groupid = str(g->group_id);
    p->groupname = str(g->group_name);
    p->notification = str(g->notification);
    p->introduction = str(g->introduction);
    p->faceurl = str(g->face_url);
    p->owneruserid = str(g->owner_user_id);
    p->createtime = g->create_time;
    p->membercount = g->member_count;
    p->ex = str(g->ex);
    p->status = g->status;
    p->creatoruserid = str(g->creator_user_id);
    p->grouptype = g->group_type;
    p->needverification = g->need_verification;
    p->lookmemberinfo = g->look_member_info;
    p->applymemberfriend = g->apply_member_friend;
    p->notificationupdatetime = g->notification_update_time;
    p->notificationuserid = str(g->notification_user_id);
    return p;
}

/* ConversationMsg list; unpacked[i] holds the decoded last messages to free after packing. */
static Jssdk__ConversationMsg **messages_pb(tn_arena *a, const tn_conversation_summary *list,
                                            size_t n, Sdkws__MsgData **unpacked)
{
    Jssdk__ConversationMsg **out = tn_arena_calloc(a, n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        const tn_conversation_summary *s = &list[i];
        Jssdk__ConversationMsg *m = tn_arena_alloc(a, sizeof *m);
        jssdk__conversation_msg__init(m);
        m->conversation = conversation_pb(a, &s->conv);
        unpacked[i] = NULL;
        if (s->last_msg) {
            const tn_msg_rec *r = s->last_msg;
            Sdkws__MsgData *d = sdkws__msg_data__unpack(NULL, r->data_len, r->data);
            if (d) {
                d->seq = r->seq; /* messages are stored without their seq */
                unpacked[i] = d;
                m->lastmsg = d;
            }
        }
        if (s->peer)
            m->user = user_pb(a, s->peer);
        if (s->friend_of)
            m->friend_ = friend_pb(a, s->friend_of);
        if (s->group)
            m->group = group_pb(a, s->group);
        m->maxseq = s->max_seq;
        m->readseq = s->read_seq;
        out[i] = m;
    }
    return out;
}

static void free_unpacked(Sdkws__MsgData **unpacked, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (unpacked[i])
            sdkws__msg_data__free_unpacked(unpacked[i], NULL);
}

/* data = JSON string of the standard base64 of the packed message */
static json_t *pb_data(tn_arena *a, const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = tn_arena_alloc(a, len ? len : 1);
    protobuf_c_message_pack(msg, buf);
    char *b64 = tn_arena_alloc(a, tn_b64_encoded_len(len, false) + 1);
    tn_b64_encode(buf, len, b64, false);
    return json_string(b64);
}

/* Both responses are {1 unreadCount, 2 conversations}; resp is either message. */
static json_t *answer_pb(tn_arena *a, const tn_conversation_summary *list, size_t n, int64_t unread,
                         bool active)
{
    Sdkws__MsgData **unpacked = tn_arena_calloc(a, n ? n : 1, sizeof *unpacked);
    Jssdk__ConversationMsg **msgs = messages_pb(a, list, n, unpacked);
    json_t *data;
    if (active) {
        Jssdk__GetActiveConversationsResp r = JSSDK__GET_ACTIVE_CONVERSATIONS_RESP__INIT;
        r.unreadcount = unread;
        r.n_conversations = n;
        r.conversations = msgs;
        data = pb_data(a, &r.base);
    } else {
        Jssdk__GetConversationsResp r = JSSDK__GET_CONVERSATIONS_RESP__INIT;
        r.unreadcount = unread;
        r.n_conversations = n;
        r.conversations = msgs;
        data = pb_data(a, &r.base);
    }
    free_unpacked(unpacked, n);
    return data;
}

/* ---- handlers ---- */

tn_err tn_api_jssdk_get_conversations(tn_api_call *call)
{
    body_mode mode;
    const char **ids = NULL;
    size_t n = 0;
    tn_err e = request_mode(call, &mode);
    if (e)
        return e;
    /* ownerUserID is ignored: the conversations are the token user's */
    if (mode == MODE_PB) {
        Jssdk__GetConversationsReq *req =
            jssdk__get_conversations_req__unpack(NULL, call->raw_body_len, call->raw_body);
        if (!req)
            return bad_pb(call, "jssdk.GetConversationsReq");
        n = req->n_conversationids;
        ids = tn_arena_calloc(CTX->arena, n ? n : 1, sizeof *ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = tn_arena_strdup(CTX->arena, req->conversationids[i]);
        jssdk__get_conversations_req__free_unpacked(req, NULL);
    } else if ((e = tn_json_str_list(CTX, BODY, "conversationIDs", false, false, &ids, &n))) {
        return e;
    }
    tn_conversation_summary *list;
    size_t count;
    int64_t unread;
    if ((e = tn_conversation_jssdk_get(SVC, CTX, ids, n, &list, &count, &unread)))
        return e;
    call->data = mode == MODE_PB ? answer_pb(CTX->arena, list, count, unread, false)
                                 : answer_json(list, count, unread);
    return TN_OK;
}

tn_err tn_api_jssdk_get_active_conversations(tn_api_call *call)
{
    body_mode mode;
    int64_t limit = 0;
    tn_err e = request_mode(call, &mode);
    if (e)
        return e;
    if (mode == MODE_PB) {
        Jssdk__GetActiveConversationsReq *req =
            jssdk__get_active_conversations_req__unpack(NULL, call->raw_body_len, call->raw_body);
        if (!req)
            return bad_pb(call, "jssdk.GetActiveConversationsReq");
        limit = req->count;
        jssdk__get_active_conversations_req__free_unpacked(req, NULL);
    } else if ((e = tn_json_int(CTX, BODY, "count", false, INT64_MIN, INT64_MAX, &limit))) {
        return e;
    }
    tn_conversation_summary *list;
    size_t count;
    int64_t unread;
    if ((e = tn_conversation_jssdk_active(SVC, CTX, limit, &list, &count, &unread)))
        return e;
    call->data = mode == MODE_PB ? answer_pb(CTX->arena, list, count, unread, true)
                                 : answer_json(list, count, unread);
    return TN_OK;
}
