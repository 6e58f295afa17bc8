// Messages sent to a user who is not logged in reach him through the login sync.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
    Client,
    PLATFORM_WEB,
    assertNoSdkErrors,
    makeUsers,
    online,
    singleConvID,
    startServer,
    uid,
    until,
} from './lib.mjs';

test('B offline while A sends 3 messages; B logs in later and has them all', { timeout: 60000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const conv = singleConvID(a, b);
    const ca = await online(server, a, tokens[a]);

    const sent = [];
    for (const text of ['first', 'second', 'third']) {
        const r = await ca.sendText(b, text);
        assert.ok(r.sent.serverMsgID, JSON.stringify(r.sent));
        sent.push(r.sent);
    }

    const cb = new Client({ server, userID: b, token: tokens[b] });
    await cb.loginAndSync();

    // conversation list: the conversation exists, latest message is the third, 3 unread
    const cv = await until(
        async () => (await cb.conversations()).find((x) => x.conversationID === conv),
        5000,
        `B's conversation list shows ${conv} after the login sync`,
        () => cb.diag(),
    );
    const latest = JSON.parse(cv.latestMsg || 'null');
    assert.equal(latest?.clientMsgID, sent[2].clientMsgID, `latestMsg: ${cv.latestMsg}`);
    assert.equal(latest?.textElem?.content, 'third');
    assert.equal(latest?.seq, 3, `latestMsg seq: ${cv.latestMsg}`);
    assert.equal(cv.unreadCount, 3, `unreadCount: ${JSON.stringify(cv)}`);
    assert.equal(cv.latestMsgSendTime, sent[2].sendTime);
    assert.equal(cv.userID, a);
    const total = await cb.call('getTotalUnreadMsgCount');
    assert.equal(total, 3, 'total unread count (from /jssdk/get_active_conversations)');

    // history: all three, in order, no duplicates
    const h = await cb.history(conv, 20);
    assert.deepEqual(
        h.messageList.map((m) => [m.seq, m.textElem?.content, m.clientMsgID, m.serverMsgID, m.sendID, m.recvID]),
        sent.map((s, i) => [i + 1, ['first', 'second', 'third'][i], s.clientMsgID, s.serverMsgID, a, b]),
        `B's history: ${JSON.stringify(h.messageList.map((m) => [m.seq, m.textElem?.content]))}`,
    );
    assert.equal(h.isEnd, true);
    // paging: the last 2, then the one before
    const p1 = await cb.call('getAdvancedHistoryMessageList', {
        conversationID: conv,
        count: 2,
        startClientMsgID: '',
        viewType: 0,
    });
    assert.deepEqual(
        p1.messageList.map((m) => m.seq),
        [2, 3],
    );
    const p2 = await cb.call('getAdvancedHistoryMessageList', {
        conversationID: conv,
        count: 2,
        startClientMsgID: p1.messageList[0].clientMsgID,
        viewType: 0,
    });
    assert.deepEqual(
        p2.messageList.map((m) => m.seq),
        [1],
    );

    // the other way round: A goes offline, B answers, A comes back with a new tab
    await ca.close();
    const { created: reply } = await cb.sendText(a, 'welcome back');
    const ca2 = new Client({ server, userID: a, token: tokens[a], label: `${a}/tab2` });
    await ca2.loginAndSync();
    const h2 = await ca2.history(conv, 20);
    assert.deepEqual(
        h2.messageList.map((m) => m.textElem?.content),
        ['first', 'second', 'third', 'welcome back'],
    );
    assert.equal(h2.messageList[3].clientMsgID, reply.clientMsgID);
    const cvA = (await ca2.conversations()).find((x) => x.conversationID === conv);
    assert.ok(cvA, `A's conversation list lacks ${conv}\n${ca2.diag()}`);
    assert.equal(cvA.unreadCount, 1, `A's unread (its own 3 messages count as read): ${JSON.stringify(cvA)}`);
    assertNoSdkErrors();

    await cb.close();
    await ca2.close();
    await server.stop();
});
