/* The /msg routes: an app server's send_msg (admin, sends as any user through the same pipeline
 * as the gateway), seq and pull queries, server time, and the read-state writes. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "rand.h"
#include "handlers.h"
#include "json.h"
#include "msg.h"
#include "msg_json.h"
#include "sdkws.pb-c.h"

#define CTX  (call->ctx)
#define BODY (call->body)
#define SVC  (call->svc)

/* Required (non-empty) keys of send_msg's content object per contentType (openim-rest.md §8). */
static const struct {
    int32_t type;
    const char *required[8];
} content_rules[] = {
    {101, {"content"}},
    {102, {"sourcePicture", "bigPicture", "snapshotPicture"}},
    {103, {"sourceUrl", "duration"}},
    {104,
     {"videoUrl", "videoType", "videoSize", "duration", "snapshotUrl", "snapshotWidth",
      "snapshotHeight"}},
    {105, {"sourceUrl", "fileName", "fileSize"}},
    {106, {"atUserList"}},
    {110, {"data"}},
    {114, {NULL}},
    {118, {"content"}},
    {1400, {"notificationName", "notificationType", "text"}},
};

static bool empty_value(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
           (json_is_integer(v) && !json_integer_value(v)) ||
           (json_is_real(v) && json_real_value(v) == 0) || json_is_false(v) ||
           (json_is_array(v) && !json_array_size(v)) || (json_is_object(v) && !json_object_size(v));
}

static tn_err check_content(tn_ctx *ctx, int32_t type, json_t *content)
{
    for (size_t i = 0; i < sizeof content_rules / sizeof content_rules[0]; i++) {
        if (content_rules[i].type != type)
            continue;
        for (int k = 0; k < 8 && content_rules[i].required[k]; k++)
            if (empty_value(tn_json_field(content, content_rules[i].required[k])))
                return tn_ctx_fail(ctx, TN_EARGS, "content.%s is empty",
                                   content_rules[i].required[k]);
        return TN_OK;
    }
    return tn_ctx_fail(ctx, TN_EARGS, "contentType %d is not supported by send_msg", type);
}

typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool done;
    tn_msg_sent result;
} waiter;

static void on_sent(void *udata, const tn_msg_sent *r)
{
    waiter *w = udata;
    pthread_mutex_lock(&w->mu);
    w->result = *r;
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mu);
}

static void client_msg_id(const char *send_id, char out[33])
{
    char text[256];
    uint64_t r = (uint64_t)tn_rand_fast32() << 32 | tn_rand_fast32();
    int n = snprintf(text, sizeof text, "%lld%.128s%llu", (long long)tn_now_ms() * 1000000LL,
                     send_id, (unsigned long long)r);
    tn_md5_hex(text, (size_t)n, out);
}

tn_err tn_api_msg_send_msg(tn_api_call *call)
{
    const char *send_id, *recv_id, *group_id, *nickname, *face_url, *ex;
    int64_t content_type, session_type, platform, send_time;
    bool online_only, not_offline_push;
    json_t *content, *push;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "sendID", true, &send_id)) ||
        (e = tn_json_str(CTX, BODY, "recvID", false, &recv_id)) ||
        (e = tn_json_str(CTX, BODY, "groupID", false, &group_id)) ||
        (e = tn_json_str(CTX, BODY, "senderNickname", false, &nickname)) ||
        (e = tn_json_str(CTX, BODY, "senderFaceURL", false, &face_url)) ||
        (e = tn_json_str(CTX, BODY, "ex", false, &ex)) ||
        (e = tn_json_int(CTX, BODY, "senderPlatformID", false, 0, INT32_MAX, &platform)) ||
        (e = tn_json_int(CTX, BODY, "contentType", true, 1, INT32_MAX, &content_type)) ||
        (e = tn_json_int(CTX, BODY, "sessionType", true, 1, 4, &session_type)) ||
        (e = tn_json_int(CTX, BODY, "sendTime", false, 0, INT64_MAX, &send_time)) ||
        (e = tn_json_bool(CTX, BODY, "isOnlineOnly", &online_only)) ||
        (e = tn_json_bool(CTX, BODY, "notOfflinePush", &not_offline_push)) ||
        (e = tn_json_object(CTX, BODY, "content", true, &content)) ||
        (e = tn_json_object(CTX, BODY, "offlinePushInfo", false, &push)))
        return e;
    if (content_type == 1400)
        session_type = 4;
    else if (session_type == 4)
        return tn_ctx_fail(CTX, TN_EARGS, "sessionType 4 is only for contentType 1400");
    if ((session_type == 1 || session_type == 4) && !*recv_id)
        return tn_ctx_fail(CTX, TN_EARGS, "recvID is empty");
    if ((e = check_content(CTX, (int32_t)content_type, content)))
        return e;

    /* content is stored as the JSON of the object received, keys sorted (Go map order) */
    char *text = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
    if (content_type == 1400) {
        json_t *wrapped = json_pack("{s:s}", "detail", text);
        free(text);
        text = json_dumps(wrapped, JSON_COMPACT);
        json_decref(wrapped);
    }
    char cmid[33];
    client_msg_id(send_id, cmid);
    Sdkws__MsgData m = SDKWS__MSG_DATA__INIT;
    m.sendid = (char *)send_id;
    m.recvid = (char *)recv_id;
    m.groupid = (char *)group_id;
    m.clientmsgid = cmid;
    m.senderplatformid = (int32_t)platform;
    m.sendernickname = (char *)nickname;
    m.senderfaceurl = (char *)face_url;
    m.sessiontype = (int32_t)session_type;
    m.msgfrom = 200;
    m.contenttype = (int32_t)content_type;
    m.content.data = (uint8_t *)text;
    m.content.len = strlen(text);
    m.createtime = CTX->now_ms;
    m.sendtime = send_time;
    m.status = 1;
    m.ex = (char *)ex;
    Sdkws__MsgData__OptionsEntry entries[5], *entry_ptrs[5];
    const char *off[5];
    size_t ne = 0;
    if (online_only) {
        off[ne++] = "history";
        off[ne++] = "persistent";
        off[ne++] = "senderSync";
        off[ne++] = "conversationUpdate";
    }
    if (not_offline_push)
        off[ne++] = "offlinePush";
    for (size_t i = 0; i < ne; i++) {
        sdkws__msg_data__options_entry__init(&entries[i]);
        entries[i].key = (char *)off[i];
        entries[i].value = 0;
        entry_ptrs[i] = &entries[i];
    }
    m.n_options = ne;
    m.options = entry_ptrs;
    Sdkws__OfflinePushInfo info = SDKWS__OFFLINE_PUSH_INFO__INIT;
    if (push) {
        const char *title, *desc, *pex, *sound;
        bool badge;
        if ((e = tn_json_str(CTX, push, "title", false, &title)) ||
            (e = tn_json_str(CTX, push, "desc", false, &desc)) ||
            (e = tn_json_str(CTX, push, "ex", false, &pex)) ||
            (e = tn_json_str(CTX, push, "iOSPushSound", false, &sound)) ||
            (e = tn_json_bool(CTX, push, "iOSBadgeCount", &badge))) {
            free(text);
            return e;
        }
        info.title = (char *)title;
        info.desc = (char *)desc;
        info.ex = (char *)pex;
        info.iospushsound = (char *)sound;
        info.iosbadgecount = badge;
        m.offlinepushinfo = &info;
    }
    size_t len = sdkws__msg_data__get_packed_size(&m);
    uint8_t *packed = tn_arena_alloc(CTX->arena, len);
    sdkws__msg_data__pack(&m, packed);
    free(text);

    waiter w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    if ((e = tn_msg_send(SVC, CTX, packed, len, on_sent, &w)))
        return e;
    pthread_mutex_lock(&w.mu);
    while (!w.done)
        pthread_cond_wait(&w.cond, &w.mu);
    pthread_mutex_unlock(&w.mu);
    if (w.result.err)
        return tn_ctx_fail(CTX, w.result.err, "%s", w.result.detail);
    call->data = json_pack("{s:s,s:s,s:I}", "serverMsgID", w.result.server_msg_id, "clientMsgID",
                           w.result.client_msg_id, "sendTime", (json_int_t)w.result.send_time);
    return TN_OK;
}

tn_err tn_api_msg_newest_seq(tn_api_call *call)
{
    const char *user_id;
    tn_seq_info *infos;
    size_t n;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_msg_newest_seqs(SVC, CTX, user_id, &infos, &n)))
        return e;
    json_t *max = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(max, infos[i].conversation_id, json_integer(infos[i].max_seq));
    call->data = json_pack("{s:o,s:n}", "maxSeqs", max, "minSeqs");
    return TN_OK;
}

static json_t *pulled_json(const tn_msg_pulled *p, size_t n, bool notification)
{
    json_t *map = json_object();
    for (size_t i = 0; i < n; i++) {
        if (p[i].notification != notification)
            continue;
        json_t *msgs = json_array();
        for (size_t j = 0; j < p[i].count; j++) {
            json_t *m = tn_msg_json(p[i].msgs[j], p[i].lens[j]);
            if (m)
                json_array_append_new(msgs, m);
        }
        json_object_set_new(map, p[i].conversation_id,
                            json_pack("{s:o,s:b,s:I}", "Msgs", msgs, "isEnd", p[i].is_end, "endSeq",
                                      (json_int_t)p[i].end_seq));
    }
    return map;
}

tn_err tn_api_msg_pull_msg_by_seq(tn_api_call *call)
{
    const char *user_id;
    int64_t order;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_json_int(CTX, BODY, "order", false, 0, 1, &order)))
        return e;
    json_t *list = tn_json_field(BODY, "seqRanges");
    if (list && !json_is_null(list) && !json_is_array(list))
        return tn_ctx_fail(CTX, TN_EARGS, "field seqRanges: cannot decode into []SeqRange");
    size_t n = json_array_size(list);
    tn_msg_seq_range *ranges = tn_arena_calloc(CTX->arena, n + 1, sizeof *ranges);
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(list, i);
        if (!json_is_object(r))
            return tn_ctx_fail(CTX, TN_EARGS, "seqRanges[%zu] is not an object", i);
        if ((e = tn_json_str(CTX, r, "conversationID", true, &ranges[i].conversation_id)) ||
            (e = tn_json_int(CTX, r, "begin", false, INT64_MIN, INT64_MAX, &ranges[i].begin)) ||
            (e = tn_json_int(CTX, r, "end", false, INT64_MIN, INT64_MAX, &ranges[i].end)) ||
            (e = tn_json_int(CTX, r, "num", false, INT64_MIN, INT64_MAX, &ranges[i].num)))
            return e;
    }
    tn_msg_pulled *p;
    size_t count;
    if ((e = tn_msg_pull_ranges(SVC, CTX, user_id, ranges, n, (int)order, &p, &count)))
        return e;
    call->data = json_pack("{s:o,s:o}", "msgs", pulled_json(p, count, false), "notificationMsgs",
                           pulled_json(p, count, true));
    return TN_OK;
}

tn_err tn_api_msg_get_server_time(tn_api_call *call)
{
    call->data = json_pack("{s:I}", "serverTime", (json_int_t)CTX->now_ms);
    return TN_OK;
}

tn_err tn_api_msg_get_conversations_has_read_and_max_seq(tn_api_call *call)
{
    const char *user_id, **ids;
    size_t n, count;
    tn_msg_read_state *st;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_json_str_list(CTX, BODY, "conversationIDs", false, false, &ids, &n)) ||
        (e = tn_msg_read_states(SVC, CTX, user_id, ids, n, &st, &count)))
        return e;
    json_t *seqs = json_object();
    for (size_t i = 0; i < count; i++)
        json_object_set_new(seqs, st[i].conversation_id,
                            json_pack("{s:I,s:I,s:I}", "maxSeq", (json_int_t)st[i].max_seq,
                                      "hasReadSeq", (json_int_t)st[i].has_read_seq, "maxSeqTime",
                                      (json_int_t)st[i].max_seq_time));
    call->data = json_pack("{s:o,s:n}", "seqs", seqs, "pinnedConversationIDs");
    return TN_OK;
}

static tn_err read_args(tn_api_call *call, const char **user_id, const char **conversation_id)
{
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "conversationID", true, conversation_id)) ||
        (e = tn_json_str(CTX, BODY, "userID", true, user_id)))
        return e;
    return TN_OK;
}

static tn_err int64_list(tn_api_call *call, const char *key, int64_t **out, size_t *n)
{
    json_t *list = tn_json_field(BODY, key);
    if (!json_is_array(list) || !json_array_size(list))
        return tn_ctx_fail(CTX, TN_EARGS, "%s is empty", key);
    *n = json_array_size(list);
    *out = tn_arena_calloc(CTX->arena, *n, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        json_t *v = json_array_get(list, i);
        if (!json_is_integer(v))
            return tn_ctx_fail(CTX, TN_EARGS, "%s[%zu] is not an integer", key, i);
        (*out)[i] = json_integer_value(v);
    }
    return TN_OK;
}

/* An optional list of seqs: absent or null is empty. */
static tn_err optional_seqs(tn_api_call *call, int64_t **out, size_t *n)
{
    json_t *v = tn_json_field(BODY, "seqs");
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v) || (json_is_array(v) && !json_array_size(v)))
        return TN_OK;
    return int64_list(call, "seqs", out, n);
}

static tn_err mark_read(tn_api_call *call, tn_read_notice notice)
{
    const char *user_id, *conversation_id;
    int64_t seq, *seqs = NULL;
    size_t n = 0;
    tn_err e;
    if ((e = read_args(call, &user_id, &conversation_id)) ||
        (e = tn_json_int(CTX, BODY, "hasReadSeq", true, 1, INT64_MAX, &seq)) ||
        (e = optional_seqs(call, &seqs, &n)))
        return e;
    return tn_msg_mark_read(SVC, CTX, user_id, conversation_id, seq, seqs, n, notice);
}

tn_err tn_api_msg_set_conversation_has_read_seq(tn_api_call *call)
{
    return mark_read(call, TN_READ_SELF);
}

tn_err tn_api_msg_mark_conversation_as_read(tn_api_call *call)
{
    return mark_read(call, TN_READ_RECEIPT);
}

tn_err tn_api_msg_mark_msgs_as_read(tn_api_call *call)
{
    const char *user_id, *conversation_id;
    int64_t *seqs = NULL;
    size_t n = 0;
    tn_err e;
    if ((e = read_args(call, &user_id, &conversation_id)) ||
        (e = int64_list(call, "seqs", &seqs, &n)))
        return e;
    for (size_t i = 0; i < n; i++)
        if (seqs[i] <= 0)
            return tn_ctx_fail(CTX, TN_EARGS, "seqs[%zu] is not a positive seq", i);
    /* the read seq moves to the last listed seq, as OpenIM's check reads it */
    return tn_msg_mark_read(SVC, CTX, user_id, conversation_id, seqs[n - 1], seqs, n,
                            TN_READ_RECEIPT);
}

tn_err tn_api_msg_revoke_msg(tn_api_call *call)
{
    const char *user_id, *conversation_id;
    int64_t seq;
    tn_err e;
    if ((e = read_args(call, &user_id, &conversation_id)) ||
        (e = tn_json_int(CTX, BODY, "seq", true, 1, INT64_MAX, &seq)))
        return e;
    return tn_msg_revoke(SVC, CTX, user_id, conversation_id, seq);
}

/* deleteSyncOpt: only the caller's own view can be cleared so far; a request to clear the
 * other side too is refused rather than half done. */
static tn_err self_only_sync(tn_api_call *call)
{
    json_t *opt;
    bool other;
    tn_err e;
    if ((e = tn_json_object(CTX, BODY, "deleteSyncOpt", false, &opt)) ||
        (e = tn_json_bool(CTX, opt, "IsSyncOther", &other)))
        return e;
    if (other)
        return tn_ctx_fail(CTX, TN_EARGS, "deleteSyncOpt.IsSyncOther is not supported yet");
    return TN_OK;
}

tn_err tn_api_msg_delete_msgs(tn_api_call *call)
{
    const char *user_id, *conversation_id;
    int64_t *seqs = NULL;
    size_t n = 0;
    tn_err e;
    if ((e = read_args(call, &user_id, &conversation_id)) ||
        (e = int64_list(call, "seqs", &seqs, &n)) || (e = self_only_sync(call)))
        return e;
    return tn_msg_delete_for(SVC, CTX, user_id, conversation_id, seqs, n);
}

tn_err tn_api_msg_clear_conversation_msg(tn_api_call *call)
{
    const char *user_id, **ids;
    size_t n;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_json_str_list(CTX, BODY, "conversationIDs", true, true, &ids, &n)) ||
        (e = self_only_sync(call)))
        return e;
    return tn_msg_clear_for(SVC, CTX, user_id, ids, n);
}

tn_err tn_api_msg_user_clear_all_msg(tn_api_call *call)
{
    const char *user_id;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) || (e = self_only_sync(call)))
        return e;
    return tn_msg_clear_for(SVC, CTX, user_id, NULL, 0);
}
