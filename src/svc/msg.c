/* The send pipeline's synchronous half (decode, check, stamp, queue) and the read side: which
 * seqs a user may see and the stored MsgData bytes for them. Group commit is msg_writer.c. */
#include "msg.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <stdlib.h>

#include "log.h"
#include "group_view.h"
#include "msg_writer.h"
#include "pb_arena.h"
#include "store_friend.h"
#include "sdkws.pb-c.h"
#include "digest.h"
#include "rand.h"

#define PULL_MAX 10000 /* messages one range may return: bounds a reply's memory */

/* ---- helpers ---- */

char *tn_msg_pair_conversation_id(tn_arena *a, const char *prefix, const char *x, const char *y)
{
    bool swap = strcmp(x, y) > 0;
    return tn_arena_printf(a, "%s_%s_%s", prefix, swap ? y : x, swap ? x : y);
}

uint8_t *tn_msg_with_seq(tn_arena *a, const void *data, size_t len, int64_t seq, size_t *out_len)
{
    uint8_t *out = tn_arena_alloc(a, len + 11);
    memcpy(out, data, len);
    size_t n = len;
    out[n++] = 0x70; /* field 14, varint */
    uint64_t v = (uint64_t)seq;
    do {
        out[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    *out_len = n;
    return out;
}

/* MsgData{seq: N, status: 4}: what a pull returns for a seq with no stored message. */
static const uint8_t *placeholder(tn_arena *a, int64_t seq, size_t *len)
{
    static const uint8_t status_deleted[] = {0x88, 0x01, 0x04};
    return tn_msg_with_seq(a, status_deleted, sizeof status_deleted, seq, len);
}

static bool option(const Sdkws__MsgData *m, const char *key)
{
    for (size_t i = 0; i < m->n_options; i++)
        if (m->options[i]->key && strcmp(m->options[i]->key, key) == 0)
            return m->options[i]->value;
    return true; /* OpenIM: a missing switch is on */
}

static bool is_notification(const Sdkws__MsgData *m)
{
    for (size_t i = 0; i < m->n_options; i++)
        if (m->options[i]->key && strcmp(m->options[i]->key, "isNotNotification") == 0)
            return !m->options[i]->value;
    return false;
}

/* serverMsgID: lower-case hex MD5 of "<local time>-<sendID>-<random>", as OpenIM makes it. The
 * formatted second is kept per thread: a writer stamps thousands of messages in the same one. */
static void server_msg_id(const char *send_id, int64_t now_ms, char out[33])
{
    static __thread time_t stamped = -1;
    static __thread char stamp[32];
    static __thread size_t stamp_len;
    time_t t = (time_t)(now_ms / 1000);
    if (t != stamped) {
        struct tm tm;
        localtime_r(&t, &tm);
        stamp_len = strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S-", &tm);
        stamped = t;
    }
    char text[256];
    size_t id_len = strnlen(send_id, 128);
    memcpy(text, stamp, stamp_len);
    memcpy(text + stamp_len, send_id, id_len);
    size_t n = stamp_len + id_len;
    n += (size_t)snprintf(text + n, sizeof text - n, "-%u", tn_rand_fast32());
    tn_md5_hex(text, n, out);
}

static bool user_exists(tn_svc *svc, tn_ctx *ctx, const char *user_id, tn_user *out)
{
    tn_user *list;
    size_t n = 0;
    if (svc->store->ops->users_get(svc->store, ctx->app_id, &user_id, 1, ctx->arena, &list, &n) !=
        TN_OK)
        return false;
    if (n && out)
        *out = list[0];
    return n > 0;
}

/* A 1:1 message against the receiver's relations (protocol §6.6): a receiver who blocked the
 * sender refuses it (1302); with friend_verify on, only friends may write (1303). The app's
 * admins are never refused. */
static tn_err check_relation(tn_svc *svc, tn_ctx *ctx, const Sdkws__MsgData *m, bool blocked)
{
    if (tn_config_is_admin(svc->cfg, m->sendid) || strcmp(m->sendid, m->recvid) == 0)
        return TN_OK;
    const tn_friend_store_ops *f = svc->store->friends;
    tn_err e;
    if (blocked)
        return tn_ctx_fail(ctx, TN_EBLOCKED, "%s has blocked %s", m->recvid, m->sendid);
    if (!svc->cfg->friend_verify)
        return TN_OK;
    tn_friend *found;
    size_t n = 0;
    const char *peer = m->recvid;
    if ((e = f->friends_get(svc->store, ctx->app_id, m->sendid, &peer, 1, ctx->arena, &found, &n)))
        return tn_ctx_fail(ctx, e, "cannot read friends");
    return n ? TN_OK
             : tn_ctx_fail(ctx, TN_ENOT_FRIEND, "%s is not a friend of %s", m->recvid, m->sendid);
}

/* A group message against the group's state (protocol §6.6): it exists and is not dismissed;
 * the sender is a member, not muted, and the group is not muted unless they manage it. The
 * server's notifications and the app's admins pass. *out: the group's snapshot (a reference). */
static tn_err check_group_send(tn_svc *svc, tn_ctx *ctx, const Sdkws__MsgData *m,
                               bool notification_type, tn_group_view **out)
{
    if (!*m->groupid)
        return tn_ctx_fail(ctx, TN_EARGS, "groupID is empty");
    tn_group_view *g;
    tn_err e = tn_group_view_get(svc, ctx, m->groupid, &g);
    if (e)
        return tn_ctx_fail(ctx, e, "cannot read group %s", m->groupid);
    if (!g)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "group %s not found", m->groupid);
    *out = g;
    if (g->status == TN_GROUP_STATUS_DISMISSED && m->contenttype != 1511)
        return tn_ctx_fail(ctx, TN_EGROUP_DISMISSED, "group %s is dismissed", m->groupid);
    if (notification_type || tn_config_is_admin(svc->cfg, m->sendid))
        return TN_OK;
    const tn_group_view_member *me = tn_group_view_find(g, m->sendid);
    if (!me)
        return tn_ctx_fail(ctx, TN_ENOT_IN_GROUP, "%s is not a member of group %s", m->sendid,
                           m->groupid);
    if (me->role_level == TN_ROLE_OWNER)
        return TN_OK;
    if (me->mute_end_time >= ctx->now_ms)
        return tn_ctx_fail(ctx, TN_EMUTED_MEMBER, "%s is muted in group %s", m->sendid, m->groupid);
    if (g->status == TN_GROUP_STATUS_MUTED && me->role_level != TN_ROLE_ADMIN)
        return tn_ctx_fail(ctx, TN_EMUTED_GROUP, "group %s is muted", m->groupid);
    return TN_OK;
}

#define OPS(svc) ((svc)->store->ops)

/* ---- send ---- */

#define AT_TEXT    106
#define AT_ALL_TAG "AtAllTag"
#define AT_ME      1
#define AT_ALL     2
#define AT_ALL_ME  3

static void set_at_type(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char **owners,
                        size_t n, int32_t at_type)
{
    if (!n)
        return;
    tn_conversation_patch p = {
        .conversation_id = tn_arena_printf(ctx->arena, "sg_%s", group_id),
        .conversation_type = 3,
        .group_id = group_id,
        .has_group_at_type = true,
        .group_at_type = at_type,
    };
    tn_err e =
        OPS(svc)->conversations_set(svc->store, ctx->app_id, owners, n, &p, ctx->now_ms, NULL);
    if (e)
        tn_log_warn(ctx->operation_id, "group %s: @-mention state not saved (%d)", group_id, e);
}

void tn_msg_apply_mentions(tn_svc *svc, tn_msg_job *job)
{
    tn_group_view *g = job->group;
    if (!g)
        return;
    tn_ctx ctx = {.app_id = svc->cfg->app_id,
                  .operation_id = job->operation_id,
                  .now_ms = tn_now_ms(),
                  .arena = &job->arena};
    const char *sender = job->rec.send_id;
    const char **mentioned = tn_arena_calloc(&job->arena, job->at_count + 1, sizeof *mentioned);
    size_t nm = 0;
    for (size_t i = 0; i < job->at_count; i++)
        if (strcmp(job->at_users[i], sender) != 0 && tn_group_view_find(g, job->at_users[i]))
            mentioned[nm++] = job->at_users[i];
    if (job->at_all) {
        const char **rest = tn_arena_calloc(&job->arena, g->count + 1, sizeof *rest);
        size_t nr = 0;
        for (size_t i = 0; i < g->count; i++) {
            const char *u = g->members[i].user_id;
            bool named = false;
            for (size_t j = 0; j < nm && !named; j++)
                named = strcmp(mentioned[j], u) == 0;
            if (!named && strcmp(u, sender) != 0)
                rest[nr++] = u;
        }
        set_at_type(svc, &ctx, g->group_id, rest, nr, AT_ALL);
    }
    set_at_type(svc, &ctx, g->group_id, mentioned, nm, job->at_all ? AT_ALL_ME : AT_ME);
}

/* Decodes, checks and stamps one MsgData into job (whose arena holds the results). */
static tn_err prepare(tn_svc *svc, tn_ctx *ctx, const uint8_t *msg_data, size_t len,
                      tn_msg_job *job)
{
    if (!msg_data || !len)
        return tn_ctx_fail(ctx, TN_EARGS, "msgData is nil");
    /* decoded into the job's arena, which owns it: nothing to free, fields may be repointed */
    ProtobufCAllocator in_job = tn_pb_arena(&job->arena);
    Sdkws__MsgData *m = sdkws__msg_data__unpack(&in_job, len, msg_data);
    if (!m)
        return tn_ctx_fail(ctx, TN_EARGS, "msgData is not a valid MsgData protobuf");
    tn_err e = TN_OK;
    tn_group_view *group = NULL;
    if (!*m->sendid || strlen(m->sendid) > TN_ID_MAX) {
        e = tn_ctx_fail(ctx, TN_EARGS, "sendID is empty");
        goto out;
    }
    if (!ctx->is_admin && strcmp(m->sendid, ctx->op_user_id) != 0) {
        e = tn_ctx_fail(ctx, TN_EPERM, "sendID %s is not the connection's user %s", m->sendid,
                        ctx->op_user_id);
        goto out;
    }
    if (!*m->clientmsgid || strlen(m->clientmsgid) > TN_MSG_ID_MAX) {
        e = tn_ctx_fail(ctx, TN_EARGS, "clientMsgID is empty or longer than %d", TN_MSG_ID_MAX);
        goto out;
    }
    if (m->contenttype <= 0) {
        e = tn_ctx_fail(ctx, TN_EARGS, "contentType is empty");
        goto out;
    }
    bool notification_type = m->contenttype >= 1000 && m->contenttype <= 5000;
    if (notification_type && !ctx->is_admin) {
        e = tn_ctx_fail(ctx, TN_EPERM, "contentType %d is reserved for the server", m->contenttype);
        goto out;
    }
    const char *prefix;
    switch (m->sessiontype) {
    case 1:
        prefix = "si";
        break;
    case 4:
        prefix = "sn";
        break;
    case 3:
        prefix = "sg";
        break;
    default:
        e = tn_ctx_fail(ctx, TN_EARGS, "unknown sessionType %d", m->sessiontype);
        goto out;
    }
    bool group_chat = m->sessiontype == 3;
    tn_arena *a = &job->arena;
    bool notification = is_notification(m);
    const char *conv_id;
    tn_send_facts facts = {0};
    if (group_chat) {
        if ((e = check_group_send(svc, ctx, m, notification_type, &group)))
            goto out;
        if (!user_exists(svc, ctx, m->sendid, NULL)) {
            e = tn_ctx_fail(ctx, TN_ENOTFOUND, "sendID %s is not a registered user", m->sendid);
            goto out;
        }
        conv_id = tn_arena_printf(a, "%s_%s", notification ? "n" : "sg", m->groupid);
    } else {
        if (!*m->recvid) {
            e = tn_ctx_fail(ctx, TN_EARGS, "recvID is empty");
            goto out;
        }
        conv_id = tn_msg_pair_conversation_id(a, notification ? "n" : prefix, m->sendid, m->recvid);
        if ((e = svc->store->ops->msg_send_facts(svc->store, ctx->app_id, m->sendid, m->recvid,
                                                 conv_id, &facts))) {
            e = tn_ctx_fail(ctx, e, "cannot read the users");
            goto out;
        }
        if (!facts.receiver_exists) {
            e = tn_ctx_fail(ctx, TN_ENOTFOUND, "recvID %s is not a registered user", m->recvid);
            goto out;
        }
        if (!notification_type && (e = check_relation(svc, ctx, m, facts.blocked)))
            goto out;
        if (!facts.sender_exists) {
            e = tn_ctx_fail(ctx, TN_ENOTFOUND, "sendID %s is not a registered user", m->sendid);
            goto out;
        }
    }

    /* Stamp as OpenIM does: serverMsgID, sendTime when the client left it 0, sent status. */
    char smid[33];
    server_msg_id(m->sendid, ctx->now_ms, smid);
    m->servermsgid = smid;
    if (!m->sendtime)
        m->sendtime = ctx->now_ms;
    m->status = 2;
    m->seq = 0;

    size_t packed = sdkws__msg_data__get_packed_size(m);
    uint8_t *blob = tn_arena_alloc(a, packed);
    sdkws__msg_data__pack(m, blob);

    /* OpenIM forces typing notices (113) off the record, but only when the client sent an
     * options map at all (a quirk of its helper, kept for identical behaviour). */
    bool typing = m->contenttype == 113 && m->n_options > 0;
    job->store = option(m, "history") && !typing;
    /* A receiver who refuses messages (globally, or in this conversation) gets nothing; the
     * sender is told OK, as OpenIM does. Read receipts (2200) pass a conversation's refusal. */
    bool self_chat = strcmp(m->sendid, m->recvid) == 0;
    job->dropped =
        !group_chat && !notification_type && !self_chat && facts.receiver_global_recv_opt == 1;
    if (!group_chat && !notification && !self_chat && m->contenttype != 2200 &&
        facts.conversation_recv_opt == 1)
        job->dropped = true;
    job->rec = (tn_msg_rec){
        .conversation_id = conv_id,
        .client_msg_id = tn_arena_strdup(a, m->clientmsgid),
        .server_msg_id = tn_arena_strdup(a, smid),
        .send_id = tn_arena_strdup(a, m->sendid),
        .send_time = m->sendtime,
        .data = blob,
        .data_len = packed,
    };
    job->notification = notification;
    if (group_chat) {
        /* members own their group conversation from the moment they join */
        if (!notification)
            job->rec.reader = tn_arena_strdup(a, m->sendid);
        if (m->contenttype == AT_TEXT && m->n_atuseridlist) {
            job->at_users = tn_arena_calloc(a, m->n_atuseridlist, sizeof *job->at_users);
            for (size_t i = 0; i < m->n_atuseridlist; i++) {
                if (strcmp(m->atuseridlist[i], AT_ALL_TAG) == 0)
                    job->at_all = true;
                else
                    job->at_users[job->at_count++] = tn_arena_strdup(a, m->atuseridlist[i]);
            }
        }
        job->group = group;
        group = NULL;
    } else {
        /* Conversation records: the first message of a chat creates them for both sides. */
        if (!notification) {
            tn_conv_seed *seeds = tn_arena_calloc(a, 2, sizeof *seeds);
            int32_t type = m->sessiontype == 4 ? 4 : 1;
            seeds[0] = (tn_conv_seed){tn_arena_strdup(a, m->sendid), conv_id, type,
                                      tn_arena_strdup(a, m->recvid), ""};
            seeds[1] = (tn_conv_seed){tn_arena_strdup(a, m->recvid), conv_id, type,
                                      tn_arena_strdup(a, m->sendid), ""};
            job->rec.seeds = seeds;
            job->rec.seed_count = strcmp(m->sendid, m->recvid) == 0 ? 1 : 2;
            job->rec.reader = seeds[0].owner_user_id;
        }
        job->targets[job->target_count++] = tn_arena_strdup(a, m->recvid);
        if (option(m, "senderSync") && !typing && strcmp(m->sendid, m->recvid) != 0)
            job->targets[job->target_count++] = tn_arena_strdup(a, m->sendid);
    }
    job->operation_id = tn_arena_strdup(a, ctx->operation_id);
    job->origin_conn = ctx->conn_id;
out:
    tn_group_view_put(group);
    return e;
}

tn_err tn_msg_send(tn_svc *svc, tn_ctx *ctx, const uint8_t *msg_data, size_t len, tn_msg_sent_fn cb,
                   void *udata)
{
    tn_msg_job *job = tn_msg_job_new();
    tn_err e = prepare(svc, ctx, msg_data, len, job);
    if (e) {
        tn_msg_job_free(job);
        return e;
    }
    job->cb = cb;
    job->udata = udata;
    tn_msg_writer_submit(svc->writer, job);
    return TN_OK;
}

tn_err tn_msg_send_notice(tn_svc *svc, tn_ctx *ctx, const uint8_t *msg_data, size_t len,
                          const char *const *also_to, size_t also_count, const char *hold_user)
{
    tn_msg_job *job = tn_msg_job_new();
    tn_err e = prepare(svc, ctx, msg_data, len, job);
    if (e) {
        tn_msg_job_free(job);
        return e;
    }
    if (also_count) {
        job->also = tn_arena_calloc(&job->arena, also_count, sizeof *job->also);
        for (size_t i = 0; i < also_count; i++)
            job->also[i] = tn_arena_strdup(&job->arena, also_to[i]);
        job->also_count = also_count;
    }
    if (hold_user && *hold_user)
        job->hold_user = tn_arena_strdup(&job->arena, hold_user);
    tn_msg_writer_submit(svc->writer, job);
    return TN_OK;
}

void tn_msg_send_later(tn_svc *svc, const tn_ctx *ctx, const uint8_t *msg_data, size_t len,
                       tn_msg_sent_fn cb, void *udata)
{
    tn_msg_job *job = tn_msg_job_new();
    tn_arena *a = &job->arena;
    job->raw = tn_arena_alloc(a, len ? len : 1);
    if (len)
        memcpy(job->raw, msg_data, len);
    job->raw_len = len;
    job->raw_ctx = *ctx;
    job->raw_ctx.operation_id = tn_arena_strdup(a, ctx->operation_id);
    job->raw_ctx.arena = a;
    job->cb = cb;
    job->udata = udata;
    tn_msg_writer_submit(svc->writer, job);
}

/* The writer thread: prepares a job queued by tn_msg_send_later. */
tn_err tn_msg_prepare_queued(tn_svc *svc, tn_msg_job *job)
{
    tn_ctx ctx = job->raw_ctx;
    ctx.detail[0] = 0;
    tn_err e = prepare(svc, &ctx, job->raw, job->raw_len, job);
    if (e)
        snprintf(job->detail, sizeof job->detail, "%s", ctx.detail);
    return e;
}

/* ---- read side ---- */

static tn_err self_only(tn_ctx *ctx, const char *user_id)
{
    if (!*user_id)
        return tn_ctx_fail(ctx, TN_EARGS, "userID is empty");
    return tn_ctx_self_or_admin(ctx, user_id);
}

static bool is_notification_id(const char *conversation_id)
{
    return strncmp(conversation_id, "n_", 2) == 0;
}

/* The chat conversation a user must own to read conversation_id: itself for a chat ID, its
 * chat twin for an n_ ID (n_a_b ← si_a_b or sn_a_b); NULL when only ownership decides. */
static tn_err readable(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *conversation_id,
                       tn_conversation *record, bool *ok)
{
    memset(record, 0, sizeof *record);
    *ok = false;
    const char *candidates[3];
    size_t nc = 0;
    if (is_notification_id(conversation_id)) {
        const char *pair = conversation_id + 2;
        char *self_pair = tn_arena_printf(ctx->arena, "%s_%s", user_id, user_id);
        if (strcmp(pair, self_pair) == 0) {
            *ok = true;
            return TN_OK;
        }
        candidates[nc++] = tn_arena_printf(ctx->arena, "si_%s", pair);
        candidates[nc++] = tn_arena_printf(ctx->arena, "sn_%s", pair);
        candidates[nc++] = tn_arena_printf(ctx->arena, "sg_%s", pair); /* n_<groupID> */
    } else {
        candidates[nc++] = conversation_id;
    }
    tn_conversation *found;
    size_t n;
    tn_err e = OPS(svc)->conversations_get(svc->store, ctx->app_id, user_id, candidates, nc,
                                           ctx->arena, &found, &n);
    if (e)
        return tn_ctx_fail(ctx, e, "cannot read conversations");
    if (n) {
        *record = found[0];
        *ok = true;
    }
    return TN_OK;
}

static int64_t global_max(tn_svc *svc, tn_ctx *ctx, const char *conversation_id)
{
    int64_t max = 0;
    OPS(svc)->seq_max(svc->store, ctx->app_id, conversation_id, &max);
    return max;
}

/* The seqs user may read in conversation_id (protocol §6.7): from their own min seq (at least
 * 1) to the conversation's max, capped by their own max when they left; ok = they may read it. */
static tn_err read_window(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                          const char *conversation_id, bool *ok, int64_t *lo, int64_t *hi)
{
    tn_conversation rec;
    tn_err e = readable(svc, ctx, user_id, conversation_id, &rec, ok);
    if (e || !*ok)
        return e;
    *lo = rec.min_seq > 1 ? rec.min_seq : 1;
    *hi = global_max(svc, ctx, conversation_id);
    if (rec.max_seq && rec.max_seq < *hi)
        *hi = rec.max_seq;
    return TN_OK;
}

/* Messages begin..end with placeholders for missing seqs, into p. */
static const uint8_t *repack(tn_arena *a, Sdkws__MsgData *m, size_t *len)
{
    *len = sdkws__msg_data__get_packed_size(m);
    uint8_t *out = tn_arena_alloc(a, *len ? *len : 1);
    sdkws__msg_data__pack(m, out);
    return out;
}

/* How a revoked message reads (protocol §6.7): contentType 2101 and, as content,
 * {"detail": MessageRevokedContent JSON} built from the original and the revoker. */
static const uint8_t *revoked_view(tn_svc *svc, tn_ctx *ctx, const tn_msg_rec *rec, size_t *len)
{
    Sdkws__MsgData *m = sdkws__msg_data__unpack(NULL, rec->data_len, rec->data);
    if (!m)
        return placeholder(ctx->arena, rec->seq, len);
    tn_user revoker = {.nickname = ""};
    user_exists(svc, ctx, rec->revoker, &revoker);
    json_t *detail = json_pack(
        "{s:s,s:i,s:s,s:s,s:I,s:I,s:s,s:s,s:i,s:I,s:s}", "revokerID", rec->revoker, "revokerRole",
        0, "clientMsgID", m->clientmsgid, "revokerNickname", revoker.nickname, "revokeTime",
        (json_int_t)rec->revoke_time, "sourceMessageSendTime", (json_int_t)m->sendtime,
        "sourceMessageSendID", m->sendid, "sourceMessageSenderNickname", m->sendernickname,
        "sessionType", m->sessiontype, "seq", (json_int_t)rec->seq, "ex", m->ex);
    char *detail_text = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_t *content = json_pack("{s:s}", "detail", detail_text);
    char *content_text = json_dumps(content, JSON_COMPACT);
    ProtobufCBinaryData saved = m->content;
    m->content.data = (uint8_t *)content_text;
    m->content.len = strlen(content_text);
    m->contenttype = 2101;
    m->seq = rec->seq;
    const uint8_t *out = repack(ctx->arena, m, len);
    m->content = saved;
    free(content_text);
    free(detail_text);
    json_decref(content);
    json_decref(detail);
    sdkws__msg_data__free_unpacked(m, NULL);
    return out;
}

/* A message the user deleted for themself: its header without content, status 4. */
static const uint8_t *deleted_view(tn_ctx *ctx, const tn_msg_rec *rec, size_t *len)
{
    Sdkws__MsgData *m = sdkws__msg_data__unpack(NULL, rec->data_len, rec->data);
    if (!m)
        return placeholder(ctx->arena, rec->seq, len);
    ProtobufCBinaryData saved = m->content;
    m->content.data = NULL;
    m->content.len = 0;
    m->status = 4;
    m->seq = rec->seq;
    const uint8_t *out = repack(ctx->arena, m, len);
    m->content = saved;
    sdkws__msg_data__free_unpacked(m, NULL);
    return out;
}

/* Messages begin..end as user_id sees them, into p: stored bytes with their seq, revoked and
 * self-deleted ones rewritten, placeholders for seqs with nothing stored. */
static tn_err load_range(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *conversation_id,
                         int64_t begin, int64_t end, tn_msg_pulled *p)
{
    tn_msg_rec *recs;
    int64_t *deleted;
    size_t n, nd;
    tn_err e = OPS(svc)->msgs_range(svc->store, ctx->app_id, conversation_id, begin, end,
                                    ctx->arena, &recs, &n);
    if (e == TN_OK)
        e = OPS(svc)->msgs_deleted_for(svc->store, ctx->app_id, user_id, conversation_id, begin,
                                       end, ctx->arena, &deleted, &nd);
    if (e)
        return tn_ctx_fail(ctx, e, "cannot read messages");
    size_t want = end >= begin ? (size_t)(end - begin + 1) : 0;
    if (p->count + want > p->cap) {
        size_t cap = p->cap ? p->cap : 8;
        while (cap < p->count + want)
            cap *= 2;
        const uint8_t **grown = tn_arena_calloc(ctx->arena, cap, sizeof *grown);
        size_t *grown_lens = tn_arena_calloc(ctx->arena, cap, sizeof *grown_lens);
        if (p->count) {
            memcpy(grown, p->msgs, p->count * sizeof *grown);
            memcpy(grown_lens, p->lens, p->count * sizeof *grown_lens);
        }
        p->msgs = grown;
        p->lens = grown_lens;
        p->cap = cap;
    }
    const uint8_t **msgs = p->msgs;
    size_t *lens = p->lens;
    size_t k = 0, kd = 0;
    for (int64_t seq = begin; seq <= end; seq++) {
        while (k < n && recs[k].seq < seq)
            k++;
        while (kd < nd && deleted[kd] < seq)
            kd++;
        size_t *len = &lens[p->count];
        if (k >= n || recs[k].seq != seq)
            msgs[p->count] = placeholder(ctx->arena, seq, len);
        else if (kd < nd && deleted[kd] == seq)
            msgs[p->count] = deleted_view(ctx, &recs[k], len);
        else if (recs[k].revoker && *recs[k].revoker)
            msgs[p->count] = revoked_view(svc, ctx, &recs[k], len);
        else
            msgs[p->count] = tn_msg_with_seq(ctx->arena, recs[k].data, recs[k].data_len, seq, len);
        p->count++;
    }
    return TN_OK;
}

tn_err tn_msg_newest_seqs(tn_svc *svc, tn_ctx *ctx, const char *user_id, tn_seq_info **out,
                          size_t *count)
{
    tn_err e = self_only(ctx, user_id);
    if (e)
        return e;
    tn_conversation *convs;
    size_t n;
    if ((e = OPS(svc)->conversations_list(svc->store, ctx->app_id, user_id, ctx->arena, &convs,
                                          &n)))
        return tn_ctx_fail(ctx, e, "cannot read conversations");
    const char **ids = tn_arena_calloc(ctx->arena, 2 * n + 1, sizeof *ids);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = convs[i].conversation_id;
        ids[k++] = id;
        const char *rest = strchr(id, '_');
        if (rest && !is_notification_id(id))
            ids[k++] = tn_arena_printf(ctx->arena, "n%s", rest);
    }
    ids[k++] = tn_arena_printf(ctx->arena, "n_%s_%s", user_id, user_id);
    if ((e = OPS(svc)->seq_infos(svc->store, ctx->app_id, ids, k, ctx->arena, out, count)))
        return tn_ctx_fail(ctx, e, "cannot read seqs");
    /* a member who left reads up to the seq they left at (their record's max_seq) */
    for (size_t j = 0; j < n; j++) {
        if (!convs[j].max_seq)
            continue;
        for (size_t i = 0; i < *count; i++)
            if (convs[j].max_seq < (*out)[i].max_seq &&
                strcmp(convs[j].conversation_id, (*out)[i].conversation_id) == 0)
                (*out)[i].max_seq = convs[j].max_seq;
    }
    return TN_OK;
}

tn_err tn_msg_pull_ranges(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                          const tn_msg_seq_range *ranges, size_t n, int order, tn_msg_pulled **out,
                          size_t *count)
{
    tn_err e = self_only(ctx, user_id);
    if (e)
        return e;
    tn_msg_pulled *res = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *res);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const tn_msg_seq_range *r = &ranges[i];
        int64_t lo, hi;
        bool ok;
        if ((e = read_window(svc, ctx, user_id, r->conversation_id, &ok, &lo, &hi)))
            return e;
        if (!ok)
            continue; /* OpenIM skips ranges of conversations the user does not have */
        if (lo > r->end)
            continue;
        int64_t begin = r->begin > lo ? r->begin : lo;
        int64_t end = r->end < hi ? r->end : hi;
        if (end < begin)
            continue;
        bool notification = is_notification_id(r->conversation_id);
        int64_t num = r->num > PULL_MAX ? PULL_MAX : r->num;
        if (!notification && end - begin + 1 > num)
            begin = end - num + 1;
        if (end - begin + 1 > PULL_MAX)
            begin = end - PULL_MAX + 1;
        if (end < begin)
            continue;
        tn_msg_pulled *p = &res[k];
        p->conversation_id = r->conversation_id;
        p->notification = notification;
        p->is_end = order == 0 ? hi <= r->end : r->begin <= lo;
        if ((e = load_range(svc, ctx, user_id, r->conversation_id, begin, end, p)))
            return e;
        if (p->count)
            k++;
    }
    *out = res;
    *count = k;
    return TN_OK;
}

tn_err tn_msg_pull_seqs(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                        const tn_msg_conv_seqs *convs, size_t n, int order, tn_msg_pulled **out,
                        size_t *count)
{
    tn_err e = self_only(ctx, user_id);
    if (e)
        return e;
    tn_msg_pulled *res = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *res);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const tn_msg_conv_seqs *c = &convs[i];
        int64_t lo, hi;
        bool ok;
        if ((e = read_window(svc, ctx, user_id, c->conversation_id, &ok, &lo, &hi)))
            return e;
        /* OpenIM answers one PullMsgs per requested conversation, empty when nothing is
         * readable (the JS SDK reads the answer's maps without checking them) */
        tn_msg_pulled *p = &res[k++];
        p->conversation_id = c->conversation_id;
        p->notification = is_notification_id(c->conversation_id);
        if (!ok || c->count > PULL_MAX)
            continue;
        for (size_t j = 0; j < c->count; j++) {
            int64_t seq = c->seqs[j];
            if (seq <= 0)
                continue;
            if (seq < lo || seq > hi) {
                if ((seq < lo && order == 1) || (seq > hi && order == 0)) {
                    p->is_end = true;
                    p->end_seq = seq < lo ? lo : hi;
                }
                continue;
            }
            if ((e = load_range(svc, ctx, user_id, c->conversation_id, seq, seq, p)))
                return e;
        }
    }
    *out = res;
    *count = k;
    return TN_OK;
}

tn_err tn_msg_read_states(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                          const char *const *conversation_ids, size_t n, tn_msg_read_state **out,
                          size_t *count)
{
    tn_err e = self_only(ctx, user_id);
    if (e)
        return e;
    tn_conversation *convs;
    size_t nc;
    e = n ? OPS(svc)->conversations_get(svc->store, ctx->app_id, user_id, conversation_ids, n,
                                        ctx->arena, &convs, &nc)
          : OPS(svc)->conversations_list(svc->store, ctx->app_id, user_id, ctx->arena, &convs, &nc);
    if (e)
        return tn_ctx_fail(ctx, e, "cannot read conversations");
    const char **ids = tn_arena_calloc(ctx->arena, nc ? nc : 1, sizeof *ids);
    for (size_t i = 0; i < nc; i++)
        ids[i] = convs[i].conversation_id;
    tn_seq_info *infos;
    size_t ni;
    if ((e = OPS(svc)->seq_infos(svc->store, ctx->app_id, ids, nc, ctx->arena, &infos, &ni)))
        return tn_ctx_fail(ctx, e, "cannot read seqs");
    tn_msg_read_state *res = tn_arena_calloc(ctx->arena, nc ? nc : 1, sizeof *res);
    for (size_t i = 0; i < nc; i++) {
        res[i].conversation_id = convs[i].conversation_id;
        res[i].has_read_seq = convs[i].has_read_seq;
        for (size_t j = 0; j < ni; j++) {
            if (strcmp(infos[j].conversation_id, convs[i].conversation_id) != 0)
                continue;
            res[i].max_seq = infos[j].max_seq;
            res[i].max_seq_time = infos[j].max_seq_time;
        }
        if (convs[i].max_seq && convs[i].max_seq < res[i].max_seq)
            res[i].max_seq = convs[i].max_seq;
    }
    *out = res;
    *count = nc;
    return TN_OK;
}

tn_err tn_msg_last(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                   const char *const *conversation_ids, size_t n, tn_msg_pulled **out,
                   size_t *count)
{
    tn_msg_read_state *states;
    size_t ns;
    tn_err e = tn_msg_read_states(svc, ctx, user_id, conversation_ids, n, &states, &ns);
    if (e)
        return e;
    tn_msg_pulled *res = tn_arena_calloc(ctx->arena, ns ? ns : 1, sizeof *res);
    size_t k = 0;
    for (size_t i = 0; i < ns; i++) {
        if (!states[i].max_seq)
            continue;
        tn_msg_pulled *p = &res[k];
        p->conversation_id = states[i].conversation_id;
        if ((e = load_range(svc, ctx, user_id, p->conversation_id, states[i].max_seq,
                            states[i].max_seq, p)))
            return e;
        k++;
    }
    *out = res;
    *count = k;
    return TN_OK;
}

/* ---- revoke, delete, clear ---- */

tn_err tn_msg_revoke(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *conversation_id,
                     int64_t seq)
{
    tn_err e = self_only(ctx, user_id);
    if (e)
        return e;
    if (seq < 1)
        return tn_ctx_fail(ctx, TN_EARGS, "seq must be at least 1");
    if (strncmp(conversation_id, "si_", 3) != 0 && strncmp(conversation_id, "sn_", 3) != 0)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "conversation %s not found", conversation_id);
    bool ok;
    int64_t lo, hi;
    if ((e = read_window(svc, ctx, user_id, conversation_id, &ok, &lo, &hi)))
        return e;
    if (!ok)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "conversation %s not found", conversation_id);
    tn_msg_rec *recs;
    size_t n;
    if ((e = OPS(svc)->msgs_range(svc->store, ctx->app_id, conversation_id, seq, seq, ctx->arena,
                                  &recs, &n)))
        return tn_ctx_fail(ctx, e, "cannot read the message");
    if (!n)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "no message with seq %lld", (long long)seq);
    if (*recs[0].revoker)
        return tn_ctx_fail(ctx, TN_EREVOKED, "message already revoked");
    if (strcmp(recs[0].send_id, user_id) != 0 && !ctx->is_admin)
        return tn_ctx_fail(ctx, TN_EPERM, "only the sender may revoke a 1:1 message");
    Sdkws__MsgData *m = sdkws__msg_data__unpack(NULL, recs[0].data_len, recs[0].data);
    if (!m)
        return tn_ctx_fail(ctx, TN_EDATA, "stored message is unreadable");
    const char *peer =
        tn_arena_strdup(ctx->arena, strcmp(m->sendid, user_id) == 0 ? m->recvid : m->sendid);
    json_t *tips =
        json_pack("{s:s,s:s,s:I,s:i,s:I,s:s,s:b}", "revokerUserID", user_id, "clientMsgID",
                  m->clientmsgid, "revokeTime", (json_int_t)ctx->now_ms, "sesstionType",
                  m->sessiontype, "seq", (json_int_t)seq, "conversationID", conversation_id,
                  "isAdminRevoke", strcmp(recs[0].send_id, user_id) != 0);
    sdkws__msg_data__free_unpacked(m, NULL);
    e = OPS(svc)->msg_revoke(svc->store, ctx->app_id, conversation_id, seq, user_id, ctx->now_ms);
    if (e == TN_EREVOKED)
        e = tn_ctx_fail(ctx, e, "message already revoked");
    else if (e)
        e = tn_ctx_fail(ctx, e, "cannot revoke");
    else
        e = tn_msg_notify(svc, ctx, user_id, peer, 2101, tips, true);
    json_decref(tips);
    return e;
}

tn_err tn_msg_delete_for(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *conversation_id,
                         const int64_t *seqs, size_t n)
{
    tn_err e = self_only(ctx, user_id);
    if (e)
        return e;
    if (!n)
        return tn_ctx_fail(ctx, TN_EARGS, "seqs is empty");
    bool ok;
    int64_t lo, hi;
    if ((e = read_window(svc, ctx, user_id, conversation_id, &ok, &lo, &hi)))
        return e;
    if (!ok)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "conversation %s not found", conversation_id);
    for (size_t i = 0; i < n; i++)
        if (seqs[i] < 1 || seqs[i] > hi)
            return tn_ctx_fail(ctx, TN_EARGS, "seq %lld is not in the conversation",
                               (long long)seqs[i]);
    e = OPS(svc)->msgs_delete_for(svc->store, ctx->app_id, user_id, conversation_id, seqs, n);
    return e ? tn_ctx_fail(ctx, e, "cannot delete") : TN_OK;
}

tn_err tn_msg_clear_for(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                        const char *const *conversation_ids, size_t n)
{
    tn_err e = self_only(ctx, user_id);
    if (e)
        return e;
    tn_conversation *convs = NULL;
    size_t nc = 0;
    if (!n) {
        if ((e = OPS(svc)->conversations_list(svc->store, ctx->app_id, user_id, ctx->arena, &convs,
                                              &nc)))
            return tn_ctx_fail(ctx, e, "cannot read conversations");
        const char **ids = tn_arena_calloc(ctx->arena, nc ? nc : 1, sizeof *ids);
        for (size_t i = 0; i < nc; i++)
            ids[i] = convs[i].conversation_id;
        conversation_ids = ids;
        n = nc;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t max = global_max(svc, ctx, conversation_ids[i]);
        e = OPS(svc)->conversation_set_min_seq(svc->store, ctx->app_id, user_id,
                                               conversation_ids[i], max + 1);
        if (e == TN_ENOTFOUND)
            return tn_ctx_fail(ctx, e, "conversation %s not found", conversation_ids[i]);
        if (e)
            return tn_ctx_fail(ctx, e, "cannot clear");
        /* what was unread is gone too */
        if (max)
            OPS(svc)->conversation_mark_read(svc->store, ctx->app_id, user_id, conversation_ids[i],
                                             max);
    }
    return TN_OK;
}

/* ---- read state ---- */

tn_err tn_msg_mark_read(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *conversation_id,
                        int64_t has_read_seq, const int64_t *seqs, size_t nseqs,
                        tn_read_notice notice)
{
    tn_err e = self_only(ctx, user_id);
    if (e)
        return e;
    if (!*conversation_id)
        return tn_ctx_fail(ctx, TN_EARGS, "conversationID is empty");
    int64_t max = global_max(svc, ctx, conversation_id);
    if (has_read_seq > max)
        return tn_ctx_fail(ctx, TN_EARGS, "hasReadSeq %lld is above maxSeq %lld",
                           (long long)has_read_seq, (long long)max);
    tn_conversation *conv;
    size_t nconv = 0;
    if ((e = OPS(svc)->conversations_get(svc->store, ctx->app_id, user_id, &conversation_id, 1,
                                         ctx->arena, &conv, &nconv)))
        return tn_ctx_fail(ctx, e, "cannot read the conversation");
    if (!nconv)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "conversation %s not found", conversation_id);
    int64_t before = conv[0].has_read_seq;
    e = OPS(svc)->conversation_mark_read(svc->store, ctx->app_id, user_id, conversation_id,
                                         has_read_seq);
    if (e)
        return tn_ctx_fail(ctx, e, "cannot store the read seq");
    if (notice == TN_READ_QUIET)
        return TN_OK;
    /* HasReadReceipt (2200, protocol §7.5): on a 1:1 chat the peer learns which seqs were
     * read (stored in the pair's notification conversation, pushed to both sides, so the
     * reader's other devices follow too); elsewhere only the reader's devices, online. */
    bool peer = notice == TN_READ_RECEIPT && conv[0].conversation_type == 1 && *conv[0].user_id;
    json_t *list = json_array();
    for (int64_t s = before + 1;
         notice == TN_READ_RECEIPT && s <= has_read_seq && s - before <= 1000; s++)
        json_array_append_new(list, json_integer(s));
    for (size_t i = 0; i < nseqs; i++)
        if (seqs[i] > has_read_seq || seqs[i] <= before)
            json_array_append_new(list, json_integer(seqs[i]));
    json_t *tips = json_pack("{s:s,s:s,s:o,s:I}", "markAsReadUserID", user_id, "conversationID",
                             conversation_id, "seqs", json_array_size(list) ? list : json_null(),
                             "hasReadSeq", (json_int_t)has_read_seq);
    if (!json_array_size(list))
        json_decref(list);
    e = tn_msg_notify(svc, ctx, user_id, peer ? conv[0].user_id : user_id, 2200, tips, peer);
    json_decref(tips);
    return e;
}
