// One-to-one chat between two online Web users through the official JS SDK.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
    CbEvents,
    PLATFORM_WEB,
    assertNoSdkErrors,
    assertTextMessage,
    makeUsers,
    online,
    singleConvID,
    sleep,
    startServer,
    uid,
    until,
} from './lib.mjs';

test('A sends a text to B: B receives it, both conversation lists show it', { timeout: 60000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const cb = await online(server, b, tokens[b]);
    const conv = singleConvID(a, b);

    const sinceA = ca.mark();
    const sinceB = cb.mark();
    const { created, sent } = await ca.sendText(b, 'hello from A');

    // what sendMessage resolves with for the sender
    assert.equal(sent.clientMsgID, created.clientMsgID);
    assert.ok(typeof sent.serverMsgID === 'string' && sent.serverMsgID.length > 0, `serverMsgID: ${JSON.stringify(sent)}`);
    assert.ok(sent.sendTime > 1.6e12 && sent.sendTime < Date.now() + 60000, `sendTime: ${JSON.stringify(sent)}`);
    assert.equal(sent.status, 2, `status after a successful send: ${JSON.stringify(sent)}`);

    // what B sees
    const got = await cb.waitMessage(created.clientMsgID, { since: sinceB });
    assertTextMessage(got, { sendID: a, recvID: b, text: 'hello from A' });
    assert.equal(got.serverMsgID, sent.serverMsgID, 'B got the serverMsgID the sender was given');
    assert.equal(got.sendTime, sent.sendTime, 'B got the sendTime the sender was given');
    assert.equal(got.seq, 1, 'first message of a new conversation has seq 1');
    assert.equal(got.senderPlatformID, PLATFORM_WEB);
    assert.equal(got.senderNickname, `nick_${a}`);

    // conversation lists: si_<a>_<b> with the message as latest, on both sides
    for (const [c, peer] of [
        [cb, a],
        [ca, b],
    ]) {
        const cv = await until(
            async () => (await c.conversations()).find((x) => x.conversationID === conv),
            8000,
            `${c.label}: conversation ${conv} in getConversationListSplit`,
            () => c.diag(),
        );
        assert.equal(cv.conversationType, 1, JSON.stringify(cv));
        assert.equal(cv.userID, peer, JSON.stringify(cv));
        assert.equal(cv.showName, `nick_${peer}`, JSON.stringify(cv));
        const latest = JSON.parse(cv.latestMsg || 'null');
        assert.equal(latest?.clientMsgID, created.clientMsgID, `${c.label} latestMsg: ${cv.latestMsg}`);
        assert.equal(latest?.textElem?.content, 'hello from A', `${c.label} latestMsg: ${cv.latestMsg}`);
        assert.equal(cv.latestMsgSendTime, sent.sendTime, `${c.label}: ${JSON.stringify(cv)}`);
        if (c === cb) assert.equal(cv.unreadCount, 1, `${c.label} unreadCount: ${JSON.stringify(cv)}`);
    }

    await sleep(500);
    // and B got it exactly once
    assert.equal(cb.received(sinceB).filter((m) => m.clientMsgID === created.clientMsgID).length, 1, cb.diag());
    assertNoSdkErrors();

    await ca.close();
    await cb.close();
    await server.stop();
});

test('several messages arrive in order with consecutive seqs, both directions', { timeout: 60000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const cb = await online(server, b, tokens[b]);
    const conv = singleConvID(a, b);
    const sinceA = ca.mark();
    const sinceB = cb.mark();

    const N = 6;
    const sentIDs = [];
    for (let i = 0; i < N; i++) {
        const { created } = await ca.sendText(b, `m${i}`);
        sentIDs.push(created.clientMsgID);
    }
    await until(
        () => sentIDs.every((id) => cb.received(sinceB).some((m) => m.clientMsgID === id)),
        10000,
        `B receives all ${N} messages`,
        () => cb.diag(),
    );
    const got = cb.received(sinceB).filter((m) => m.sendID === a);
    assert.deepEqual(
        got.map((m) => m.clientMsgID),
        sentIDs,
        `B's OnRecvNewMessages order/duplicates: ${JSON.stringify(got.map((m) => [m.seq, m.textElem?.content]))}`,
    );
    assert.deepEqual(
        got.map((m) => m.textElem?.content),
        sentIDs.map((_, i) => `m${i}`),
    );
    const seqs = got.map((m) => m.seq);
    assert.deepEqual(seqs, Array.from({ length: N }, (_, i) => seqs[0] + i), `consecutive seqs: ${seqs}`);
    assert.equal(seqs[0], 1);

    // B answers: the seq continues in the same conversation
    const { created: reply } = await cb.sendText(a, 'reply from B');
    const r = await ca.waitMessage(reply.clientMsgID, { since: sinceA });
    assertTextMessage(r, { sendID: b, recvID: a, text: 'reply from B' });
    assert.equal(r.seq, N + 1, `reply seq continues the conversation: ${JSON.stringify(r)}`);

    // both histories hold the N+1 messages in order, no duplicates (a sender's own message joins
    // its history when its pushed copy lands, a moment after the reply)
    for (const c of [ca, cb]) {
        let seen = [];
        const h = await until(async () => {
            const got = await c.history(conv, 50);
            seen = got.messageList.map((m) => [m.seq, m.textElem?.content]);
            return got.messageList.length === N + 1 && got;
        }, 3000, `${c.label} history holds ${N + 1} messages`, () => `history: ${JSON.stringify(seen)}\n${c.diag()}`);
        const texts = h.messageList.map((m) => m.textElem?.content);
        assert.deepEqual(texts, [...sentIDs.map((_, i) => `m${i}`), 'reply from B'], `${c.label} history: ${JSON.stringify(texts)}`);
        assert.deepEqual(
            h.messageList.map((m) => m.seq),
            Array.from({ length: N + 1 }, (_, i) => i + 1),
        );
    }
    // unread count of B's conversation: N messages from A (B's own reply moved its read seq)
    const cvB = (await cb.conversations()).find((x) => x.conversationID === conv);
    assert.ok(cvB, `B's conversation list lacks ${conv}`);
    assert.equal(JSON.parse(cvB.latestMsg).clientMsgID, reply.clientMsgID, `B latestMsg: ${cvB.latestMsg}`);
    for (const [c, since] of [
        [ca, sinceA],
        [cb, sinceB],
    ]) {
        assert.ok(!c.events.slice(since).some((e) => e.name === CbEvents.OnConnecting), `${c.label} reconnected\n${c.diag()}`);
    }
    assertNoSdkErrors();

    await ca.close();
    await cb.close();
    await server.stop();
});

// The JS SDK recognises the pushed copy (2001) of a message sent from this very tab by the
// operationID of the 1003 request, and only once the 1003 reply has been processed. If the push
// reaches the tab together with the reply (same TCP read / same event-loop turn), the SDK treats
// the copy as a new incoming message: OnRecvNewMessages for the sender's own message and +1 on
// its own unread count. OpenIM never shows this because its push comes tens of ms after the
// reply (Kafka + push service); a fast single-process server must also not deliver the copy to
// the sending connection in the same breath as the reply.
test('the sending tab does not see its own messages as new or unread', { timeout: 60000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const cb = await online(server, b, tokens[b]);
    const conv = singleConvID(a, b);
    const sinceA = ca.mark();
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push((await ca.sendText(b, `echo ${i}`)).created.clientMsgID);
    await until(() => ids.every((id) => cb.received().some((m) => m.clientMsgID === id)), 10000, 'B got all 10', () => cb.diag());
    await sleep(800);
    const echoed = ca.received(sinceA).filter((m) => ids.includes(m.clientMsgID));
    const ops = ca.events.slice(sinceA).filter((e) => e.name === CbEvents.OnRecvNewMessages).map((e) => e.operationID);
    assert.equal(
        echoed.length,
        0,
        `${echoed.length}/10 of the sender's own messages came back to the sending tab as new ` +
            `(OnRecvNewMessages operationIDs ${JSON.stringify(ops)}). The 2001 push to the sending ` +
            `connection must carry the 1003 request's operationID and must not arrive together with ` +
            `the 1003 reply\n${ca.diag()}`,
    );
    const cv = (await ca.conversations()).find((x) => x.conversationID === conv);
    assert.ok(cv, ca.diag());
    assert.equal(cv.unreadCount, 0, `sender's own messages counted as unread: ${JSON.stringify(cv)}`);
    assert.equal(await ca.call('getTotalUnreadMsgCount'), 0);
    // B: every message exactly once
    for (const id of ids) assert.equal(cb.received().filter((m) => m.clientMsgID === id).length, 1, cb.diag());
    assertNoSdkErrors();

    await ca.close();
    await cb.close();
    await server.stop();
});
