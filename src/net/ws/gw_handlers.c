/* What each reqIdentifier does: decode its protobuf body, call the message service on the thread
 * pool (or hand a send to the group-commit writer), and encode the protobuf reply. */
#include <stdlib.h>
#include <string.h>

#include "gw_internal.h"
#include "log.h"
#include "msg.h"
#include "msg.pb-c.h"
#include "pbw.h"
#include "push.pb-c.h"
#include "sdkws.pb-c.h"

enum {
    REQ_NEWEST_SEQ = 1001,
    REQ_PULL_RANGES = 1002,
    REQ_SEND = 1003,
    REQ_SEND_SIGNAL = 1004,
    REQ_PULL_SEQS = 1005,
    REQ_READ_STATES = 1006,
    REQ_LAST_MSG = 1007,
    REQ_LOGOUT = 2003,
    REQ_BACKGROUND = 2004,
    REQ_SUB_STATUS = 2005,
};

typedef struct gw_work {
    uv_work_t work;
    gw_req *req;
} gw_work;

static void ctx_for(gw_req *r, tn_ctx *ctx)
{
    tn_svc *svc = r->gw->svc;
    tn_ctx_init(ctx, svc->cfg->app_id, r->req.operation_id, &r->arena);
    const char *user = r->key + strlen(r->key) + 1;
    snprintf(ctx->op_user_id, sizeof ctx->op_user_id, "%s", user);
    ctx->op_platform = r->platform;
    ctx->is_admin = tn_config_is_admin(svc->cfg, user);
    ctx->conn_id = r->conn_id;
}

static tn_err bad_body(tn_ctx *ctx, const char *what)
{
    return tn_ctx_fail(ctx, TN_EARGS, "data is not a valid %s protobuf", what);
}

/* PullMessageBySeqsResp and GetSeqMessageResp share their shape. */
static void encode_pulled(tn_buf *b, const tn_msg_pulled *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t entry = tn_pbw_open(b, p[i].notification ? 2 : 1);
        tn_pbw_string(b, 1, p[i].conversation_id);
        size_t value = tn_pbw_open(b, 2);
        for (size_t j = 0; j < p[i].count; j++)
            tn_pbw_bytes_always(b, 1, p[i].msgs[j], p[i].lens[j]);
        tn_pbw_bool(b, 2, p[i].is_end);
        tn_pbw_int(b, 3, p[i].end_seq);
        tn_pbw_close(b, value);
        tn_pbw_close(b, entry);
    }
}

static tn_err run_newest_seq(gw_req *r, tn_ctx *ctx)
{
    Sdkws__GetMaxSeqReq *q = sdkws__get_max_seq_req__unpack(NULL, r->req.data_len, r->req.data);
    if (!q)
        return bad_body(ctx, "GetMaxSeqReq");
    tn_seq_info *infos;
    size_t n;
    tn_err e = tn_msg_newest_seqs(r->gw->svc, ctx, q->userid, &infos, &n);
    sdkws__get_max_seq_req__free_unpacked(q, NULL);
    if (e)
        return e;
    for (size_t i = 0; i < n; i++) {
        size_t entry = tn_pbw_open(&r->data, 1);
        tn_pbw_string(&r->data, 1, infos[i].conversation_id);
        tn_pbw_int(&r->data, 2, infos[i].max_seq);
        tn_pbw_close(&r->data, entry);
    }
    return TN_OK;
}

static tn_err run_pull_ranges(gw_req *r, tn_ctx *ctx)
{
    Sdkws__PullMessageBySeqsReq *q =
        sdkws__pull_message_by_seqs_req__unpack(NULL, r->req.data_len, r->req.data);
    if (!q)
        return bad_body(ctx, "PullMessageBySeqsReq");
    tn_msg_seq_range *ranges = tn_arena_calloc(ctx->arena, q->n_seqranges + 1, sizeof *ranges);
    for (size_t i = 0; i < q->n_seqranges; i++)
        ranges[i] =
            (tn_msg_seq_range){tn_arena_strdup(ctx->arena, q->seqranges[i]->conversationid),
                               q->seqranges[i]->begin, q->seqranges[i]->end, q->seqranges[i]->num};
    tn_msg_pulled *p;
    size_t n;
    tn_err e = tn_msg_pull_ranges(r->gw->svc, ctx, q->userid, ranges, q->n_seqranges,
                                  q->order == SDKWS__PULL_ORDER__PullOrderDesc, &p, &n);
    sdkws__pull_message_by_seqs_req__free_unpacked(q, NULL);
    if (e == TN_OK)
        encode_pulled(&r->data, p, n);
    return e;
}

static tn_err run_pull_seqs(gw_req *r, tn_ctx *ctx)
{
    Msg__GetSeqMessageReq *q = msg__get_seq_message_req__unpack(NULL, r->req.data_len, r->req.data);
    if (!q)
        return bad_body(ctx, "GetSeqMessageReq");
    tn_msg_conv_seqs *convs = tn_arena_calloc(ctx->arena, q->n_conversations + 1, sizeof *convs);
    for (size_t i = 0; i < q->n_conversations; i++) {
        Msg__ConversationSeqs *cs = q->conversations[i];
        int64_t *seqs = tn_arena_calloc(ctx->arena, cs->n_seqs + 1, sizeof *seqs);
        memcpy(seqs, cs->seqs, cs->n_seqs * sizeof *seqs);
        convs[i] =
            (tn_msg_conv_seqs){tn_arena_strdup(ctx->arena, cs->conversationid), seqs, cs->n_seqs};
    }
    tn_msg_pulled *p;
    size_t n;
    tn_err e = tn_msg_pull_seqs(r->gw->svc, ctx, q->userid, convs, q->n_conversations,
                                q->order == SDKWS__PULL_ORDER__PullOrderDesc, &p, &n);
    msg__get_seq_message_req__free_unpacked(q, NULL);
    if (e == TN_OK)
        encode_pulled(&r->data, p, n);
    return e;
}

static const char **copy_ids(tn_arena *a, char **ids, size_t n)
{
    const char **out = tn_arena_calloc(a, n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = tn_arena_strdup(a, ids[i]);
    return out;
}

static tn_err run_read_states(gw_req *r, tn_ctx *ctx)
{
    Msg__GetConversationsHasReadAndMaxSeqReq *q =
        msg__get_conversations_has_read_and_max_seq_req__unpack(NULL, r->req.data_len, r->req.data);
    if (!q)
        return bad_body(ctx, "GetConversationsHasReadAndMaxSeqReq");
    const char **ids = copy_ids(ctx->arena, q->conversationids, q->n_conversationids);
    tn_msg_read_state *st;
    size_t n;
    tn_err e = tn_msg_read_states(r->gw->svc, ctx, q->userid, ids, q->n_conversationids, &st, &n);
    msg__get_conversations_has_read_and_max_seq_req__free_unpacked(q, NULL);
    if (e)
        return e;
    for (size_t i = 0; i < n; i++) {
        size_t entry = tn_pbw_open(&r->data, 1);
        tn_pbw_string(&r->data, 1, st[i].conversation_id);
        size_t value = tn_pbw_open(&r->data, 2);
        tn_pbw_int(&r->data, 1, st[i].max_seq);
        tn_pbw_int(&r->data, 2, st[i].has_read_seq);
        tn_pbw_int(&r->data, 3, st[i].max_seq_time);
        tn_pbw_close(&r->data, value);
        tn_pbw_close(&r->data, entry);
    }
    return TN_OK;
}

static tn_err run_last_msg(gw_req *r, tn_ctx *ctx)
{
    Msg__GetLastMessageReq *q =
        msg__get_last_message_req__unpack(NULL, r->req.data_len, r->req.data);
    if (!q)
        return bad_body(ctx, "GetLastMessageReq");
    const char **ids = copy_ids(ctx->arena, q->conversationids, q->n_conversationids);
    tn_msg_pulled *p;
    size_t n;
    tn_err e = tn_msg_last(r->gw->svc, ctx, q->userid, ids, q->n_conversationids, &p, &n);
    msg__get_last_message_req__free_unpacked(q, NULL);
    if (e)
        return e;
    for (size_t i = 0; i < n; i++) {
        size_t entry = tn_pbw_open(&r->data, 1);
        tn_pbw_string(&r->data, 1, p[i].conversation_id);
        tn_pbw_bytes_always(&r->data, 2, p[i].msgs[0], p[i].lens[0]);
        tn_pbw_close(&r->data, entry);
    }
    return TN_OK;
}

/* Writer thread: the message is durable (or failed); the loop sends the reply. */
static void on_sent(void *udata, const tn_msg_sent *s)
{
    gw_req *r = udata;
    r->err = s->err;
    snprintf(r->detail, sizeof r->detail, "%s", s->detail);
    if (s->err == TN_OK && !s->dropped) {
        tn_pbw_string(&r->data, 1, s->server_msg_id);
        tn_pbw_string(&r->data, 2, s->client_msg_id);
        tn_pbw_int(&r->data, 3, s->send_time);
        r->has_data = true;
    }
    r->ev.kind = GW_EV_REPLY;
    r->ev.req = r;
    gw_post(r->gw, &r->ev);
}

static void run(uv_work_t *w)
{
    gw_work *work = w->data;
    gw_req *r = work->req;
    tn_ctx ctx;
    ctx_for(r, &ctx);
    tn_err e;
    switch (r->req.req_identifier) {
    case REQ_NEWEST_SEQ:
        e = run_newest_seq(r, &ctx);
        break;
    case REQ_PULL_RANGES:
        e = run_pull_ranges(r, &ctx);
        break;
    case REQ_PULL_SEQS:
        e = run_pull_seqs(r, &ctx);
        break;
    case REQ_READ_STATES:
        e = run_read_states(r, &ctx);
        break;
    case REQ_LAST_MSG:
        e = run_last_msg(r, &ctx);
        break;
    default:
        e = tn_ctx_fail(&ctx, TN_EARGS, "unknown reqIdentifier");
    }
    r->err = e;
    r->has_data = e == TN_OK;
    snprintf(r->detail, sizeof r->detail, "%s", ctx.detail);
}

static void reply_now(gw_conn *c, gw_req *r)
{
    tn_ws_response resp = {.req_identifier = r->req.req_identifier,
                           .msg_incr = r->req.msg_incr,
                           .operation_id = r->req.operation_id,
                           .err_code = r->err,
                           .err_msg = r->err ? tn_err_name(r->err) : "",
                           .data =
                               r->has_data ? (r->data.data ? r->data.data : (uint8_t *)"") : NULL,
                           .data_len = r->data.len};
    if (r->err)
        tn_log_info(r->req.operation_id, "gateway: %s req %d failed: %d %s", c->user_id,
                    r->req.req_identifier, r->err, r->detail);
    gw_send_reply(c, &resp);
    gw_resume(c);
}

static void done(uv_work_t *w, int status)
{
    gw_work *work = w->data;
    gw_req *r = work->req;
    free(work);
    gw_conn *c = gw_conn_find(r->gw, r->conn_id);
    if (status < 0)
        r->err = TN_ESERVER;
    if (c && c->state == GW_OPEN)
        reply_now(c, r);
    gw_req_free(r);
}

static bool to_pool(gw_conn *c, gw_req *r)
{
    gw_work *work = calloc(1, sizeof *work);
    if (!work)
        abort();
    work->req = r;
    work->work.data = work;
    if (uv_queue_work(c->gw->loop, &work->work, run, done) < 0) {
        free(work);
        r->err = TN_ESERVER;
        reply_now(c, r);
        gw_req_free(r);
    }
    return true;
}

bool gw_pipelined(const gw_req *r)
{
    return r->req.req_identifier == REQ_SEND;
}

bool gw_dispatch(gw_conn *c, gw_req *r)
{
    switch (r->req.req_identifier) {
    case REQ_SEND: {
        /* straight to the message writer, which checks it before its commit */
        tn_ctx ctx;
        ctx_for(r, &ctx);
        tn_msg_send_later(r->gw->svc, &ctx, r->req.data, r->req.data_len, on_sent, r);
        return true;
    }
    case REQ_NEWEST_SEQ:
    case REQ_PULL_RANGES:
    case REQ_PULL_SEQS:
    case REQ_READ_STATES:
    case REQ_LAST_MSG:
        return to_pool(c, r);
    case REQ_SEND_SIGNAL:
        /* legacy: OpenIM's handler sends without data and answers "msgData is nil" */
        r->err = TN_EARGS;
        snprintf(r->detail, sizeof r->detail, "msgData is nil");
        reply_now(c, r);
        gw_req_free(r);
        return true;
    case REQ_LOGOUT:
        /* answered, then the connection ends; the token stays valid (OpenIM) */
        r->has_data = true;
        reply_now(c, r);
        gw_req_free(r);
        return false;
    case REQ_BACKGROUND: {
        Sdkws__SetAppBackgroundStatusReq *q =
            sdkws__set_app_background_status_req__unpack(NULL, r->req.data_len, r->req.data);
        if (q) {
            c->background = q->isbackground;
            sdkws__set_app_background_status_req__free_unpacked(q, NULL);
            r->has_data = true;
        } else {
            r->err = TN_EARGS;
            snprintf(r->detail, sizeof r->detail, "data is not SetAppBackgroundStatusReq");
        }
        reply_now(c, r);
        gw_req_free(r);
        return true;
    }
    case REQ_SUB_STATUS:
        gw_presence_subscribe(c, r);
        reply_now(c, r);
        gw_req_free(r);
        return true;
    default:
        tn_log_info(r->req.operation_id, "gateway: %s sent unknown reqIdentifier %d", c->user_id,
                    r->req.req_identifier);
        gw_req_free(r);
        return false;
    }
}
