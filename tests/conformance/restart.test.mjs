// ternd restarts under logged-in SDKs: they reconnect on their own, nothing is lost or duplicated.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
    CbEvents,
    PLATFORM_WEB,
    assertNoSdkErrors,
    makeUsers,
    online,
    restartServer,
    singleConvID,
    sleep,
    startServer,
    uid,
    until,
} from './lib.mjs';

// The SDK retries every 5 s after a drop; give it a few rounds.
const RECONNECT_MS = 25000;

async function waitReconnected(c, since) {
    await c.waitEvent(CbEvents.OnConnectSuccess, () => true, {
        since,
        timeoutMs: RECONNECT_MS,
        failOn: [CbEvents.OnKickedOffline, CbEvents.OnUserTokenInvalid, CbEvents.OnUserTokenExpired],
    });
    await c.waitEvent(CbEvents.OnSyncServerFinish, () => true, { since, timeoutMs: 10000, failOn: [CbEvents.OnSyncServerFailed] });
}

async function assertHistory(c, conv, expected) {
    // a sender's own last message joins its history when its pushed copy lands, just after the
    // send's reply: give it a moment before comparing
    let got = [];
    const deadline = Date.now() + 3000;
    do {
        const h = await c.history(conv, 50);
        got = h.messageList.map((m) => [m.seq, m.clientMsgID, m.textElem?.content]);
        if (got.length >= expected.length) break;
        await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    assert.deepEqual(
        got,
        expected.map((e, i) => [i + 1, e.clientMsgID, e.text]),
        `${c.label} history after restart: ${JSON.stringify(got)}`,
    );
}

for (const how of ['SIGTERM', 'SIGKILL']) {
    test(`ternd restarted after ${how}: SDKs reconnect, history complete`, { timeout: 80000 }, async () => {
        let server = await startServer();
        const a = uid('a');
        const b = uid('b');
        const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
        const conv = singleConvID(a, b);
        const ca = await online(server, a, tokens[a]);
        const cb = await online(server, b, tokens[b]);

        // messages acknowledged before the restart (SIGKILL: right before, no pause)
        const expected = [];
        const n = how === 'SIGTERM' ? 1 : 5;
        let sinceB = cb.mark();
        for (let i = 0; i < n; i++) {
            const text = `before ${i}`;
            const { created } = await ca.sendText(b, text);
            expected.push({ clientMsgID: created.clientMsgID, text });
        }
        if (how === 'SIGTERM') {
            await cb.waitMessage(expected[0].clientMsgID, { since: sinceB });
            await server.stop(); // asserts exit code 0 and no sanitizer report
        } else {
            await server.kill9();
        }
        const mark = { a: ca.mark(), b: cb.mark() };
        await sleep(300);
        server = await restartServer(server);
        ca.server = cb.server = server;

        await waitReconnected(ca, mark.a);
        await waitReconnected(cb, mark.b);

        // after the restart
        sinceB = cb.mark();
        const { created: m2, sent: s2 } = await ca.sendText(b, 'after restart');
        expected.push({ clientMsgID: m2.clientMsgID, text: 'after restart' });
        const got = await cb.waitMessage(m2.clientMsgID, { since: sinceB });
        assert.equal(got.seq, expected.length, `seq after restart continues (no reuse): ${JSON.stringify(got)}`);
        assert.equal(got.serverMsgID, s2.serverMsgID);

        // B: every message once, in order, on the live stream and in the history
        await until(
            () => expected.every((e) => cb.received().some((m) => m.clientMsgID === e.clientMsgID)),
            8000,
            'B saw every message through OnRecvNewMessages (live or by the reconnect sync)',
            () => cb.diag(),
        );
        const live = cb.received().filter((m) => m.sendID === a);
        assert.deepEqual(
            live.map((m) => m.clientMsgID),
            expected.map((e) => e.clientMsgID),
            `B's OnRecvNewMessages stream (order, duplicates): ${JSON.stringify(live.map((m) => [m.seq, m.textElem?.content]))}`,
        );
        await assertHistory(cb, conv, expected);
        await assertHistory(ca, conv, expected);

        const cv = (await cb.conversations()).find((x) => x.conversationID === conv);
        assert.ok(cv, `B's conversation list lacks ${conv}\n${cb.diag()}`);
        assert.equal(JSON.parse(cv.latestMsg).clientMsgID, m2.clientMsgID);
        assert.equal(cv.unreadCount, expected.length);
        assertNoSdkErrors();

        await ca.close();
        await cb.close();
        await server.stop();
    });
}
