/* Unit tests for the generated protobuf code (the proto/ files, via protoc-c): the worked hex
 * examples of openim-protocol.md §5.1 encode byte-exactly and decode back; unknown fields are
 * skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "conversation.pb-c.h"
#include "msg.pb-c.h"
#include "push.pb-c.h"
#include "sdkws.pb-c.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t push_messages_hex[] = {
    0x0a, 0x48, 0x0a, 0x06, 0x73, 0x69, 0x5f, 0x61, 0x5f, 0x62, 0x12, 0x3e, 0x0a, 0x3c, 0x0a,
    0x01, 0x61, 0x12, 0x01, 0x62, 0x22, 0x02, 0x63, 0x31, 0x2a, 0x02, 0x73, 0x31, 0x30, 0x01,
    0x48, 0x01, 0x50, 0x64, 0x58, 0x65, 0x62, 0x10, 0x7b, 0x22, 0x63, 0x6f, 0x6e, 0x74, 0x65,
    0x6e, 0x74, 0x22, 0x3a, 0x22, 0x68, 0x69, 0x22, 0x7d, 0x70, 0x01, 0x78, 0x80, 0xd0, 0x95,
    0xff, 0xbc, 0x31, 0x80, 0x01, 0x80, 0xd0, 0x95, 0xff, 0xbc, 0x31, 0x88, 0x01, 0x02,
};
static const uint8_t max_seq_resp_hex[] = {0x0a, 0x0a, 0x0a, 0x06, 0x73, 0x69,
                                           0x5f, 0x61, 0x5f, 0x62, 0x10, 0x05};
static const uint8_t pull_req_hex[] = {0x0a, 0x02, 0x75, 0x31, 0x12, 0x0e, 0x0a, 0x06, 0x73, 0x69,
                                       0x5f, 0x61, 0x5f, 0x62, 0x10, 0x01, 0x18, 0x05, 0x20, 0x0a};

static const char content[] = "{\"content\":\"hi\"}";

static void test_push_messages_example(void **state)
{
    (void)state;
    Sdkws__MsgData md = SDKWS__MSG_DATA__INIT;
    md.sendid = "a";
    md.recvid = "b";
    md.clientmsgid = "c1";
    md.servermsgid = "s1";
    md.senderplatformid = 1;
    md.sessiontype = 1;
    md.msgfrom = 100;
    md.contenttype = 101;
    md.content.data = (uint8_t *)content;
    md.content.len = strlen(content);
    md.seq = 1;
    md.sendtime = md.createtime = 1700000000000;
    md.status = 2;
    Sdkws__MsgData *mds[] = {&md};
    Sdkws__PullMsgs pm = SDKWS__PULL_MSGS__INIT;
    pm.n_msgs = 1;
    pm.msgs = mds;
    Sdkws__PushMessages__MsgsEntry e = SDKWS__PUSH_MESSAGES__MSGS_ENTRY__INIT;
    e.key = "si_a_b";
    e.value = &pm;
    Sdkws__PushMessages__MsgsEntry *es[] = {&e};
    Sdkws__PushMessages push = SDKWS__PUSH_MESSAGES__INIT;
    push.n_msgs = 1;
    push.msgs = es;

    size_t n = sdkws__push_messages__get_packed_size(&push);
    assert_int_equal(n, sizeof push_messages_hex);
    uint8_t *buf = malloc(n);
    assert_int_equal(sdkws__push_messages__pack(&push, buf), n);
    assert_memory_equal(buf, push_messages_hex, n);
    free(buf);

    Sdkws__PushMessages *d =
        sdkws__push_messages__unpack(NULL, sizeof push_messages_hex, push_messages_hex);
    assert_non_null(d);
    assert_int_equal(d->n_msgs, 1);
    assert_int_equal(d->n_notificationmsgs, 0);
    assert_string_equal(d->msgs[0]->key, "si_a_b");
    Sdkws__PullMsgs *v = d->msgs[0]->value;
    assert_non_null(v);
    assert_int_equal(v->n_msgs, 1);
    assert_false(v->isend);
    Sdkws__MsgData *m = v->msgs[0];
    assert_string_equal(m->sendid, "a");
    assert_string_equal(m->recvid, "b");
    assert_string_equal(m->groupid, "");
    assert_string_equal(m->clientmsgid, "c1");
    assert_string_equal(m->servermsgid, "s1");
    assert_int_equal(m->senderplatformid, 1);
    assert_int_equal(m->sessiontype, 1);
    assert_int_equal(m->msgfrom, 100);
    assert_int_equal(m->contenttype, 101);
    assert_int_equal(m->content.len, strlen(content));
    assert_memory_equal(m->content.data, content, strlen(content));
    assert_int_equal(m->seq, 1);
    assert_int_equal(m->sendtime, 1700000000000);
    assert_int_equal(m->createtime, 1700000000000);
    assert_int_equal(m->status, 2);
    assert_null(m->offlinepushinfo);
    assert_int_equal(m->n_options, 0);
    sdkws__push_messages__free_unpacked(d, NULL);
}

static void test_get_max_seq_resp_example(void **state)
{
    (void)state;
    Sdkws__GetMaxSeqResp__MaxSeqsEntry e = SDKWS__GET_MAX_SEQ_RESP__MAX_SEQS_ENTRY__INIT;
    e.key = "si_a_b";
    e.value = 5;
    Sdkws__GetMaxSeqResp__MaxSeqsEntry *es[] = {&e};
    Sdkws__GetMaxSeqResp r = SDKWS__GET_MAX_SEQ_RESP__INIT;
    r.n_maxseqs = 1;
    r.maxseqs = es;
    uint8_t buf[64];
    size_t n = sdkws__get_max_seq_resp__pack(&r, buf);
    assert_int_equal(n, sizeof max_seq_resp_hex);
    assert_memory_equal(buf, max_seq_resp_hex, n);

    Sdkws__GetMaxSeqResp *d =
        sdkws__get_max_seq_resp__unpack(NULL, sizeof max_seq_resp_hex, max_seq_resp_hex);
    assert_non_null(d);
    assert_int_equal(d->n_maxseqs, 1);
    assert_int_equal(d->n_minseqs, 0);
    assert_string_equal(d->maxseqs[0]->key, "si_a_b");
    assert_int_equal(d->maxseqs[0]->value, 5);
    sdkws__get_max_seq_resp__free_unpacked(d, NULL);
}

static void test_pull_req_example(void **state)
{
    (void)state;
    Sdkws__SeqRange sr = SDKWS__SEQ_RANGE__INIT;
    sr.conversationid = "si_a_b";
    sr.begin = 1;
    sr.end = 5;
    sr.num = 10;
    Sdkws__SeqRange *srs[] = {&sr};
    Sdkws__PullMessageBySeqsReq r = SDKWS__PULL_MESSAGE_BY_SEQS_REQ__INIT;
    r.userid = "u1";
    r.n_seqranges = 1;
    r.seqranges = srs;
    uint8_t buf[64];
    size_t n = sdkws__pull_message_by_seqs_req__pack(&r, buf);
    assert_int_equal(n, sizeof pull_req_hex);
    assert_memory_equal(buf, pull_req_hex, n);

    Sdkws__PullMessageBySeqsReq *d =
        sdkws__pull_message_by_seqs_req__unpack(NULL, sizeof pull_req_hex, pull_req_hex);
    assert_non_null(d);
    assert_string_equal(d->userid, "u1");
    assert_int_equal(d->order, SDKWS__PULL_ORDER__PullOrderAsc);
    assert_int_equal(d->n_seqranges, 1);
    assert_string_equal(d->seqranges[0]->conversationid, "si_a_b");
    assert_int_equal(d->seqranges[0]->begin, 1);
    assert_int_equal(d->seqranges[0]->end, 5);
    assert_int_equal(d->seqranges[0]->num, 10);
    sdkws__pull_message_by_seqs_req__free_unpacked(d, NULL);
}

/* The GetMaxSeqReq body of the Go SDK's first frame, and the JS SDK's extra MsgData fields
 * (40 keyVersion, 41 dstUserIDs) skipped as unknown. */
static void test_small_bodies_and_unknown_fields(void **state)
{
    (void)state;
    static const uint8_t req[] = {0x0a, 0x02, 0x75, 0x31};
    Sdkws__GetMaxSeqReq *g = sdkws__get_max_seq_req__unpack(NULL, sizeof req, req);
    assert_non_null(g);
    assert_string_equal(g->userid, "u1");
    sdkws__get_max_seq_req__free_unpacked(g, NULL);

    static const uint8_t md[] = {0x0a, 0x01, 0x61, 0xc0, 0x02, 0x07, 0xca, 0x02, 0x02, 0x75, 0x32};
    Sdkws__MsgData *m = sdkws__msg_data__unpack(NULL, sizeof md, md);
    assert_non_null(m);
    assert_string_equal(m->sendid, "a");
    sdkws__msg_data__free_unpacked(m, NULL);

    /* Truncated input fails cleanly. */
    assert_null(
        sdkws__push_messages__unpack(NULL, sizeof push_messages_hex - 1, push_messages_hex));

    /* An empty message is zero bytes. */
    Sdkws__SetAppBackgroundStatusResp empty = SDKWS__SET_APP_BACKGROUND_STATUS_RESP__INIT;
    assert_int_equal(sdkws__set_app_background_status_resp__get_packed_size(&empty), 0);
}

/* Field numbers of the other packages, checked on the wire. */
static void test_other_packages(void **state)
{
    (void)state;
    uint8_t buf[256];

    Msg__ConversationSeqs cs = MSG__CONVERSATION_SEQS__INIT;
    cs.conversationid = "c";
    int64_t seqs[] = {1, 2};
    cs.n_seqs = 2;
    cs.seqs = seqs;
    size_t n = msg__conversation_seqs__pack(&cs, buf);
    static const uint8_t cs_hex[] = {0x12, 0x01, 0x63, 0x1a, 0x02, 0x01, 0x02}; /* packed seqs */
    assert_int_equal(n, sizeof cs_hex);
    assert_memory_equal(buf, cs_hex, n);

    Sdkws__MsgData md = SDKWS__MSG_DATA__INIT;
    md.sendid = "a";
    Msg__SendMsgResp sr = MSG__SEND_MSG_RESP__INIT;
    sr.servermsgid = "s";
    sr.sendtime = 1;
    sr.modify = &md;
    n = msg__send_msg_resp__pack(&sr, buf);
    static const uint8_t sr_hex[] = {0x0a, 0x01, 0x73, 0x18, 0x01, 0x22, 0x03, 0x0a, 0x01, 0x61};
    assert_int_equal(n, sizeof sr_hex);
    assert_memory_equal(buf, sr_hex, n);

    Push__DelUserPushTokenReq del = PUSH__DEL_USER_PUSH_TOKEN_REQ__INIT;
    del.userid = "u";
    del.platformid = 5;
    n = push__del_user_push_token_req__pack(&del, buf);
    static const uint8_t del_hex[] = {0x0a, 0x01, 0x75, 0x10, 0x05};
    assert_int_equal(n, sizeof del_hex);
    assert_memory_equal(buf, del_hex, n);

    Conversation__Conversation c = CONVERSATION__CONVERSATION__INIT;
    c.maxseq = 7;
    c.ismsgdestruct = 1;
    n = conversation__conversation__pack(&c, buf);
    static const uint8_t c_hex[] = {0x70, 0x07, 0x88, 0x01, 0x01};
    assert_int_equal(n, sizeof c_hex);
    assert_memory_equal(buf, c_hex, n);

    Msg__Seqs s = MSG__SEQS__INIT;
    s.maxseq = 3;
    s.hasreadseq = 2;
    s.maxseqtime = 1;
    Msg__GetConversationsHasReadAndMaxSeqResp__SeqsEntry e =
        MSG__GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ_RESP__SEQS_ENTRY__INIT;
    e.key = "c";
    e.value = &s;
    Msg__GetConversationsHasReadAndMaxSeqResp__SeqsEntry *es[] = {&e};
    Msg__GetConversationsHasReadAndMaxSeqResp hr =
        MSG__GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ_RESP__INIT;
    hr.n_seqs = 1;
    hr.seqs = es;
    n = msg__get_conversations_has_read_and_max_seq_resp__pack(&hr, buf);
    static const uint8_t hr_hex[] = {0x0a, 0x0b, 0x0a, 0x01, 0x63, 0x12, 0x06,
                                     0x08, 0x03, 0x10, 0x02, 0x18, 0x01};
    assert_int_equal(n, sizeof hr_hex);
    assert_memory_equal(buf, hr_hex, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_messages_example),
        cmocka_unit_test(test_get_max_seq_resp_example),
        cmocka_unit_test(test_pull_req_example),
        cmocka_unit_test(test_small_bodies_and_unknown_fields),
        cmocka_unit_test(test_other_packages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
