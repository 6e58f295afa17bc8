/* tern-bench's OpenIM driver: users and tokens over the REST API, then the gateway protocol as the
 * SDKs speak it (token login, 1003 send, 2001 push, 1001 / 1002 sync), JSON or gob envelope. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bench.h"
#include "buf.h"
#include "http.h"
#include "sdkws.pb-c.h"
#include "ws_client.h"
#include "ws_envelope.h"
#include "ws_frame.h"

enum { REQ_NEWEST_SEQ = 1001, REQ_PULL = 1002, REQ_SEND = 1003, PUSH = 2001 };
enum { PLATFORM = 5, TEXT = 101, SINGLE_CHAT = 1, GROUP_CHAT = 3, USER_MSG = 100 };
enum { REGISTER_BATCH = 500, PULL_PAGE = 100, PULLS_IN_FLIGHT = 4 };

struct tb_conn {
    tb_run *run;
    int user;
    char name[64];
    tb_ws *ws;
    bool logged_in;
    uint64_t sent; /* msgIncr and clientMsgID counter */
    /* sync: ranges still to ask for, and answers still awaited */
    char **sync_convs;
    int64_t *sync_next, *sync_max;
    size_t sync_n, sync_at;
    int pulls_in_flight;
};

static struct {
    tb_http http;
    char admin_token[1024];
    char **tokens;
    int ntokens;
    tn_ws_codec codec;
    tn_buf frame; /* scratch: one request being encoded */
    tn_arena arena;
} tern;

static bool call_api(const char *path, const char *token, json_t *body, json_t **data)
{
    char headers[1200], why[256];
    snprintf(headers, sizeof headers, "operationID: tern-bench\r\n%s%s%s", token ? "token: " : "",
             token ? token : "", token ? "\r\n" : "");
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    json_t *reply = NULL;
    int status = tb_http_post(&tern.http, path, headers, text, &reply, why, sizeof why);
    free(text);
    if (status != 200 || !reply || json_integer_value(json_object_get(reply, "errCode")) != 0) {
        if (status < 0)
            fprintf(stderr, "tern-bench: %s: %s\n", path, why);
        else
            fprintf(stderr, "tern-bench: %s: HTTP %d %s\n", path, status,
                    reply ? json_string_value(json_object_get(reply, "errMsg")) : "(no JSON)");
        json_decref(reply);
        return false;
    }
    if (data)
        *data = json_incref(json_object_get(reply, "data"));
    json_decref(reply);
    return true;
}

static bool prepare(tb_run *run, int n)
{
    const tb_options *o = tb_run_options(run);
    tern.codec = o->codec && strcmp(o->codec, "gob") == 0 ? TN_WS_GOB : TN_WS_JSON;
    tn_arena_init(&tern.arena);
    tb_http_init(&tern.http, o->host, o->api_port);
    json_t *data = NULL;
    if (!call_api("/auth/get_admin_token", NULL,
                  json_pack("{s:s, s:s}", "secret", o->secret, "userID", "imAdmin"), &data))
        return false;
    snprintf(tern.admin_token, sizeof tern.admin_token, "%s",
             json_string_value(json_object_get(data, "token")));
    json_decref(data);
    char name[64];
    for (int first = 0; first < n; first += REGISTER_BATCH) {
        json_t *users = json_array();
        for (int u = first; u < n && u < first + REGISTER_BATCH; u++) {
            tb_user_name(run, u, name, sizeof name);
            json_array_append_new(users, json_pack("{s:s, s:s}", "userID", name, "nickname", name));
        }
        if (!call_api("/user/user_register", tern.admin_token, json_pack("{s:o}", "users", users),
                      NULL))
            return false;
    }
    if (n < 1)
        return false;
    for (int u = 0; u < tern.ntokens; u++) /* a previous scenario's users */
        free(tern.tokens[u]);
    free(tern.tokens);
    tern.tokens = calloc((size_t)n, sizeof *tern.tokens);
    tern.ntokens = n;
    for (int u = 0; u < n; u++) {
        tb_user_name(run, u, name, sizeof name);
        if (!call_api("/auth/get_user_token", tern.admin_token,
                      json_pack("{s:s, s:i}", "userID", name, "platformID", PLATFORM), &data))
            return false;
        tern.tokens[u] = strdup(json_string_value(json_object_get(data, "token")));
        json_decref(data);
    }
    tb_http_close(&tern.http);
    return true;
}

static void send_request(tb_conn *c, int32_t req_id, const uint8_t *data, size_t len)
{
    char incr[32];
    snprintf(incr, sizeof incr, "%" PRIu64, ++c->sent);
    tn_ws_request r = {.req_identifier = req_id,
                       .send_id = c->name,
                       .operation_id = "tern-bench",
                       .msg_incr = incr,
                       .data = data,
                       .data_len = len};
    tern.frame.len = 0;
    tn_ws_encode_request(tern.codec, &r, NULL, &tern.frame);
    tb_ws_send(c->ws, TN_WS_OP_BINARY, tern.frame.data, tern.frame.len);
}

/* The text of a text message's content, {"content":"..."}; ours never holds a quote. */
static bool text_of(const ProtobufCBinaryData *content, const char **text, size_t *len)
{
    static const char key[] = "\"content\":\"";
    const char *p = memmem(content->data, content->len, key, sizeof key - 1);
    if (!p)
        return false;
    p += sizeof key - 1;
    const char *end = memchr(p, '"', content->len - (size_t)(p - (const char *)content->data));
    if (!end)
        return false;
    *text = p;
    *len = (size_t)(end - p);
    return true;
}

/* One conversation's messages from a push or a pull: the chat texts of the other side. */
static void report_msgs(tb_conn *c, const Sdkws__PullMsgs *list)
{
    for (size_t k = 0; list && k < list->n_msgs; k++) {
        Sdkws__MsgData *m = list->msgs[k];
        const char *text;
        size_t len;
        if (m->contenttype != TEXT || strcmp(m->sendid, c->name) == 0 ||
            !text_of(&m->content, &text, &len))
            continue; /* the sender's own copy, a notification */
        tb_received(c->run, c->user, text, len);
    }
}

static void on_push(tb_conn *c, const tn_ws_response *r)
{
    Sdkws__PushMessages *p = sdkws__push_messages__unpack(NULL, r->data_len, r->data);
    if (!p)
        return;
    for (size_t i = 0; i < p->n_msgs; i++)
        report_msgs(c, p->msgs[i]->value);
    sdkws__push_messages__free_unpacked(p, NULL);
}

static void pull_more(tb_conn *c)
{
    while (c->pulls_in_flight < PULLS_IN_FLIGHT && c->sync_at < c->sync_n) {
        size_t i = c->sync_at;
        Sdkws__SeqRange range = SDKWS__SEQ_RANGE__INIT;
        range.conversationid = c->sync_convs[i];
        range.begin = c->sync_next[i];
        range.end = range.begin + PULL_PAGE - 1;
        if (range.end > c->sync_max[i])
            range.end = c->sync_max[i];
        range.num = range.end - range.begin + 1;
        c->sync_next[i] = range.end + 1;
        if (c->sync_next[i] > c->sync_max[i])
            c->sync_at++;
        Sdkws__SeqRange *ranges[1] = {&range};
        Sdkws__PullMessageBySeqsReq q = SDKWS__PULL_MESSAGE_BY_SEQS_REQ__INIT;
        q.userid = c->name;
        q.n_seqranges = 1;
        q.seqranges = ranges;
        uint8_t *buf = malloc(sdkws__pull_message_by_seqs_req__get_packed_size(&q));
        size_t len = sdkws__pull_message_by_seqs_req__pack(&q, buf);
        send_request(c, REQ_PULL, buf, len);
        free(buf);
        c->pulls_in_flight++;
    }
    if (c->pulls_in_flight == 0 && c->sync_at >= c->sync_n)
        tb_synced(c->run, c->user);
}

static void on_newest_seq(tb_conn *c, const tn_ws_response *r)
{
    Sdkws__GetMaxSeqResp *p = sdkws__get_max_seq_resp__unpack(NULL, r->data_len, r->data);
    if (!p) {
        tb_synced(c->run, c->user);
        return;
    }
    c->sync_convs = calloc(p->n_maxseqs + 1, sizeof *c->sync_convs);
    c->sync_next = calloc(p->n_maxseqs + 1, sizeof *c->sync_next);
    c->sync_max = calloc(p->n_maxseqs + 1, sizeof *c->sync_max);
    for (size_t i = 0; i < p->n_maxseqs; i++) {
        if (p->maxseqs[i]->value <= 0)
            continue;
        c->sync_convs[c->sync_n] = strdup(p->maxseqs[i]->key);
        c->sync_next[c->sync_n] = 1;
        c->sync_max[c->sync_n++] = p->maxseqs[i]->value;
    }
    sdkws__get_max_seq_resp__free_unpacked(p, NULL);
    pull_more(c);
}

static void on_pulled(tb_conn *c, const tn_ws_response *r)
{
    c->pulls_in_flight--;
    Sdkws__PullMessageBySeqsResp *p =
        r->data ? sdkws__pull_message_by_seqs_resp__unpack(NULL, r->data_len, r->data) : NULL;
    if (p) {
        for (size_t i = 0; i < p->n_msgs; i++)
            report_msgs(c, p->msgs[i]->value);
        sdkws__pull_message_by_seqs_resp__free_unpacked(p, NULL);
    }
    pull_more(c);
}

static void on_ws_message(tb_ws *ws, void *ud, uint8_t *data, size_t len)
{
    (void)ws;
    tb_conn *c = ud;
    if (!c->logged_in) { /* isMsgResp: the first text frame says whether login worked */
        c->logged_in = true;
        json_t *j = json_loadb((const char *)data, len, 0, NULL);
        json_int_t code = j ? json_integer_value(json_object_get(j, "errCode")) : -1;
        char why[200];
        snprintf(why, sizeof why, "login refused: %.*s", (int)(len > 150 ? 150 : len),
                 (const char *)data);
        json_decref(j);
        tb_logged_in(c->run, c->user, code == 0 ? NULL : why);
        return;
    }
    tn_ws_response r;
    char why[128];
    if (!tn_ws_decode_response(tern.codec, data, len, &tern.arena, &r, why, sizeof why)) {
        tn_arena_free_all(&tern.arena);
        return;
    }
    switch (r.req_identifier) {
    case PUSH:
        on_push(c, &r);
        break;
    case REQ_SEND:
        if (r.err_code)
            tb_send_failed(c->run, c->user, r.err_msg);
        else
            tb_sent_ok(c->run, c->user);
        break;
    case REQ_NEWEST_SEQ:
        on_newest_seq(c, &r);
        break;
    case REQ_PULL:
        on_pulled(c, &r);
        break;
    }
    tn_arena_free_all(&tern.arena);
}

static void on_ws_closed(tb_ws *ws, void *ud, const char *why)
{
    (void)ws;
    tb_conn *c = ud;
    c->ws = NULL;
    if (!c->logged_in) {
        c->logged_in = true;
        tb_logged_in(c->run, c->user, why);
    } else {
        tb_disconnected(c->run, c->user, why);
    }
}

static const tb_ws_events events = {.message = on_ws_message, .closed = on_ws_closed};

static tb_conn *connect_user(tb_run *run, int user)
{
    const tb_options *o = tb_run_options(run);
    tb_conn *c = calloc(1, sizeof *c);
    c->run = run;
    c->user = user;
    tb_user_name(run, user, c->name, sizeof c->name);
    char target[1400];
    snprintf(target, sizeof target,
             "/?sendID=%s&token=%s&platformID=%d&operationID=tb-%d&isMsgResp=true&sdkType=%s",
             c->name, user < tern.ntokens ? tern.tokens[user] : "", PLATFORM, user,
             tern.codec == TN_WS_GOB ? "go" : "js");
    c->ws = tb_ws_open(tb_run_loop(run), o->host, o->port, target, &events, c);
    return c;
}

static void send_msg(tb_conn *c, const char *recv, const char *group, const char *text)
{
    if (!c->ws)
        return;
    char client_id[96], content[256];
    snprintf(client_id, sizeof client_id, "%s-%" PRIu64, c->name, c->sent + 1);
    int clen = snprintf(content, sizeof content, "{\"content\":\"%s\"}", text);
    Sdkws__MsgData m = SDKWS__MSG_DATA__INIT;
    m.sendid = c->name;
    m.recvid = (char *)(recv ? recv : "");
    m.groupid = (char *)(group ? group : "");
    m.clientmsgid = client_id;
    m.senderplatformid = PLATFORM;
    m.sessiontype = group ? GROUP_CHAT : SINGLE_CHAT;
    m.msgfrom = USER_MSG;
    m.contenttype = TEXT;
    m.content = (ProtobufCBinaryData){(size_t)clen, (uint8_t *)content};
    uint8_t buf[1024];
    size_t len = sdkws__msg_data__pack(&m, buf);
    send_request(c, REQ_SEND, buf, len);
}

static void send_text(tb_conn *c, int to_user, const char *text)
{
    char to[64];
    tb_user_name(c->run, to_user, to, sizeof to);
    send_msg(c, to, NULL, text);
}

static void send_group(tb_conn *c, const char *group, const char *text)
{
    send_msg(c, NULL, group, text);
}

static void close_conn(tb_conn *c)
{
    if (c->ws)
        tb_ws_close(c->ws);
    for (size_t i = 0; i < c->sync_n; i++)
        free(c->sync_convs[i]);
    free(c->sync_convs);
    free(c->sync_next);
    free(c->sync_max);
    free(c);
}

static void sync_start(tb_conn *c)
{
    Sdkws__GetMaxSeqReq q = SDKWS__GET_MAX_SEQ_REQ__INIT;
    q.userid = c->name;
    uint8_t buf[128];
    size_t len = sdkws__get_max_seq_req__pack(&q, buf);
    send_request(c, REQ_NEWEST_SEQ, buf, len);
}

/* The names of users *at.. (before end, the owner left out), at most max; *at moves past them. */
static json_t *member_ids(tb_run *run, int *at, int end, int owner, size_t max)
{
    json_t *ids = json_array();
    for (; *at < end && json_array_size(ids) < max; (*at)++)
        if (*at != owner) {
            char name[64];
            tb_user_name(run, *at, name, sizeof name);
            json_array_append_new(ids, json_string(name));
        }
    return ids;
}

/* create_group takes at most 1,000 members; the rest are invited 1,000 at a time. */
static bool group_create(tb_run *run, int owner, int first, int n, char *out, size_t outlen)
{
    const tb_options *o = tb_run_options(run);
    tb_http_init(&tern.http, o->host, o->api_port);
    char name[64];
    tb_user_name(run, owner, name, sizeof name);
    int at = first;
    json_t *members = member_ids(run, &at, first + n, owner, 999), *data = NULL;
    bool ok =
        call_api("/group/create_group", tern.admin_token,
                 json_pack("{s:o, s:s, s:{s:s, s:i}}", "memberUserIDs", members, "ownerUserID",
                           name, "groupInfo", "groupName", "bench", "groupType", 2),
                 &data);
    const char *id =
        ok ? json_string_value(json_object_get(json_object_get(data, "groupInfo"), "groupID"))
           : NULL;
    ok = id != NULL;
    if (ok)
        snprintf(out, outlen, "%s", id);
    json_decref(data);
    while (ok && at < first + n) {
        json_t *more = member_ids(run, &at, first + n, owner, 1000);
        if (!call_api("/group/invite_user_to_group", tern.admin_token,
                      json_pack("{s:s, s:o, s:s}", "groupID", out, "invitedUserIDs", more, "reason",
                                "bench"),
                      NULL))
            ok = false;
    }
    tb_http_close(&tern.http);
    return ok;
}

const tb_driver tb_driver_tern = {
    .name = "tern",
    .prepare = prepare,
    .connect = connect_user,
    .send = send_text,
    .close = close_conn,
    .group_create = group_create,
    .group_send = send_group,
    .sync = sync_start,
};
