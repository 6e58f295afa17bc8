/* Server notifications: OpenIM's notification.yml defaults as one table, and the builder that
 * turns a tips object into MsgData sent through the normal pipeline (group commit, fan-out). */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msg.h"
#include "msg_writer.h"
#include "sdkws.pb-c.h"
#include "rand.h"

/* isSendMsg and offlinePush.enable of each configurable type (protocol §7.4); every type has
 * reliabilityLevel 1: the notification itself is online-only. Types not listed: both off. */
typedef struct notify_default {
    int32_t type;
    bool send_msg;
    bool offline_push;
} notify_default;

static const notify_default defaults[] = {
    {1201, true, true},  {1202, false, true}, {1203, false, true}, {1501, true, false},
    {1503, false, true}, {1504, true, false}, {1505, false, true}, {1506, false, true},
    {1507, true, false}, {1508, true, false}, {1509, true, false}, {1510, true, false},
    {1511, true, false}, {1512, true, false}, {1513, true, false}, {1514, true, false},
    {1515, true, false}, {1519, true, false}, {1520, true, false}, {1701, true, false},
};

static notify_default lookup(int32_t type)
{
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (defaults[i].type == type)
            return defaults[i];
    return (notify_default){type, false, false};
}

typedef enum emit_kind {
    EMIT_ONLINE, /* the notification: n_ conversation, seq 0, pushed only */
    EMIT_STORED, /* a notification kept in the n_ conversation (2101, 2102, 2200) */
    EMIT_CHAT,   /* isSendMsg's copy: a stored message of the chat conversation */
} emit_kind;

typedef struct emit_args {
    const char *from, *recv, *group_id;
    int32_t session_type;
    int32_t content_type;
    const char *content; /* {"detail": tips} as JSON text */
    emit_kind kind;
    bool offline_push;
    const char *nickname, *face_url;
    const char *const *also;
    size_t also_count;
} emit_args;

static void set_option(Sdkws__MsgData__OptionsEntry *o, const char *key, bool on)
{
    sdkws__msg_data__options_entry__init(o);
    o->key = (char *)key;
    o->value = on;
}

static void emit(tn_svc *svc, tn_ctx *ctx, const emit_args *a)
{
    Sdkws__MsgData__OptionsEntry opts[5], *ptrs[5];
    size_t n = 0;
    if (a->kind == EMIT_CHAT) {
        set_option(&opts[n++], "offlinePush", a->offline_push);
        set_option(&opts[n++], "unreadCount", true);
    } else {
        set_option(&opts[n++], "isNotNotification", false);
        set_option(&opts[n++], "unreadCount", false);
        set_option(&opts[n++], "offlinePush", a->offline_push);
        if (a->kind == EMIT_ONLINE) {
            set_option(&opts[n++], "history", false);
            set_option(&opts[n++], "persistent", false);
        }
    }
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &opts[i];
    unsigned char rnd[16];
    if (!tn_rand_bytes(rnd, sizeof rnd))
        memset(rnd, 0, sizeof rnd);
    char cmid[33];
    for (int i = 0; i < 16; i++)
        snprintf(cmid + 2 * i, 3, "%02x", rnd[i]);
    Sdkws__MsgData m = SDKWS__MSG_DATA__INIT;
    m.sendid = (char *)a->from;
    m.recvid = (char *)a->recv;
    m.groupid = (char *)(a->group_id ? a->group_id : "");
    m.clientmsgid = cmid;
    m.sessiontype = a->session_type;
    m.msgfrom = 200;
    m.contenttype = a->content_type;
    m.content.data = (uint8_t *)a->content;
    m.content.len = strlen(a->content);
    m.createtime = ctx->now_ms;
    m.sendernickname = (char *)(a->nickname ? a->nickname : "");
    m.senderfaceurl = (char *)(a->face_url ? a->face_url : "");
    m.n_options = n;
    m.options = ptrs;
    size_t len = sdkws__msg_data__get_packed_size(&m);
    uint8_t *packed = tn_arena_alloc(ctx->arena, len);
    sdkws__msg_data__pack(&m, packed);
    tn_ctx sys = *ctx; /* the server speaks: notification content types need an admin */
    sys.is_admin = true;
    sys.conn_id = 0;
    /* a change made over REST: the caller's SDK must handle the answer before the notice, or it
     * applies the change twice (once per path) */
    const char *hold = ctx->conn_id ? NULL : ctx->op_user_id;
    if (tn_msg_send_notice(svc, &sys, packed, len, a->also, a->also_count, hold) != TN_OK)
        tn_log_warn(ctx->operation_id, "notification %d from %s to %s not sent: %s",
                    a->content_type, a->from, a->recv, sys.detail);
}

/* {"detail": "<tips JSON>"} as OpenIM's NotificationElem; free() the result. */
static char *content_of(json_t *tips)
{
    char *tips_text = json_dumps(tips, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_t *content = json_pack("{s:s}", "detail", tips_text ? tips_text : "{}");
    char *text = json_dumps(content, JSON_COMPACT);
    json_decref(content);
    free(tips_text);
    return text;
}

static bool wants_msg(const notify_default *d, int send_msg)
{
    return send_msg == TN_NOTIFY_DEFAULT ? d->send_msg : send_msg == TN_NOTIFY_MSG;
}

/* The online notification, then (isSendMsg) its stored copy in the chat conversation. a holds
 * everything but content, kind and offline push. */
static void notify(tn_svc *svc, tn_ctx *ctx, emit_args *a, json_t *tips, int send_msg)
{
    if (!svc->writer)
        return; /* a bundle without messaging (unit tests): nobody to tell */
    notify_default d = lookup(a->content_type);
    bool msg = wants_msg(&d, send_msg);
    char *content = content_of(tips);
    a->content = content;
    a->kind = EMIT_ONLINE;
    a->offline_push = d.offline_push && !msg;
    emit(svc, ctx, a);
    if (msg) {
        a->kind = EMIT_CHAT;
        a->offline_push = d.offline_push;
        emit(svc, ctx, a);
    }
    free(content);
}

void tn_notify_user(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                    int32_t content_type, json_t *tips, int send_msg)
{
    emit_args a = {.from = from, .recv = to, .session_type = 1, .content_type = content_type};
    notify(svc, ctx, &a, tips, send_msg);
}

void tn_notify_group(tn_svc *svc, tn_ctx *ctx, const tn_group_notice *n)
{
    emit_args a = {.from = n->from,
                   .recv = n->group_id,
                   .group_id = n->group_id,
                   .session_type = 3,
                   .content_type = n->content_type,
                   .nickname = n->sender_nickname,
                   .face_url = n->sender_face_url,
                   .also = n->also_to,
                   .also_count = n->also_count};
    notify(svc, ctx, &a, n->tips, n->send_msg);
}

tn_err tn_msg_notify(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                     int32_t content_type, json_t *tips, bool stored)
{
    if (!stored) {
        tn_notify_user(svc, ctx, from, to, content_type, tips, TN_NOTIFY_DEFAULT);
        return TN_OK;
    }
    if (!svc->writer)
        return TN_OK;
    char *content = content_of(tips);
    emit(svc, ctx,
         &(emit_args){.from = from,
                      .recv = to,
                      .session_type = 1,
                      .content_type = content_type,
                      .content = content,
                      .kind = EMIT_STORED});
    free(content);
    return TN_OK; /* the change itself stands; a lost notice is caught up by the next pull */
}
