// One user on two devices (Web + Windows) at once: the other device sees what this one sends.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
    CbEvents,
    PLATFORM_WEB,
    PLATFORM_WINDOWS,
    assertNoSdkErrors,
    assertTextMessage,
    makeUsers,
    online,
    singleConvID,
    sleep,
    startServer,
    uid,
    until,
    userToken,
} from './lib.mjs';

test('A on Web and Windows: A(web) sends to B, A(windows) gets the copy, B gets it once', { timeout: 60000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const tokenAWin = await userToken(server.base, server.admin, a, PLATFORM_WINDOWS);
    const conv = singleConvID(a, b);

    const aWeb = await online(server, a, tokens[a], PLATFORM_WEB, `${a}/web`);
    const aWin = await online(server, a, tokenAWin, PLATFORM_WINDOWS, `${a}/windows`);
    const cb = await online(server, b, tokens[b]);
    // logging in on Windows must not have kicked the Web session (default policy: one per platform)
    assert.ok(!aWeb.events.some((e) => e.name === CbEvents.OnKickedOffline), aWeb.diag());

    const s = { web: aWeb.mark(), win: aWin.mark(), b: cb.mark() };
    const { created, sent } = await aWeb.sendText(b, 'sent from web');

    const onWin = await aWin.waitMessage(created.clientMsgID, { since: s.win });
    assertTextMessage(onWin, { sendID: a, recvID: b, text: 'sent from web' });
    assert.equal(onWin.serverMsgID, sent.serverMsgID);
    assert.equal(onWin.senderPlatformID, PLATFORM_WEB);
    const onB = await cb.waitMessage(created.clientMsgID, { since: s.b });
    assert.equal(onB.seq, onWin.seq, 'same seq on every device');

    // the Windows tab's conversation list follows
    const cvWin = await until(
        async () => (await aWin.conversations()).find((x) => x.conversationID === conv),
        8000,
        `A(windows) conversation list shows ${conv}`,
        () => aWin.diag(),
    );
    assert.equal(JSON.parse(cvWin.latestMsg || 'null')?.clientMsgID, created.clientMsgID, cvWin.latestMsg);
    assert.equal(cvWin.unreadCount, 0, `own message is not unread on the other device: ${JSON.stringify(cvWin)}`);

    await sleep(800); // let duplicates, if any, arrive
    const count = (c, since) => c.received(since).filter((m) => m.clientMsgID === created.clientMsgID).length;
    assert.equal(count(cb, s.b), 1, `B must get the message exactly once\n${cb.diag()}`);
    assert.equal(count(aWin, s.win), 1, `A(windows) must get the copy exactly once\n${aWin.diag()}`);
    // (that the sending tab itself does not see its message as new is checked in chat.test.mjs)

    // B answers: both of A's devices receive it once
    const s2 = { web: aWeb.mark(), win: aWin.mark() };
    const { created: reply } = await cb.sendText(a, 'reply to both');
    const r1 = await aWeb.waitMessage(reply.clientMsgID, { since: s2.web });
    const r2 = await aWin.waitMessage(reply.clientMsgID, { since: s2.win });
    assert.equal(r1.seq, onB.seq + 1);
    assert.equal(r2.seq, onB.seq + 1);
    await sleep(500);
    assert.equal(aWeb.received(s2.web).filter((m) => m.clientMsgID === reply.clientMsgID).length, 1);
    assert.equal(aWin.received(s2.win).filter((m) => m.clientMsgID === reply.clientMsgID).length, 1);

    // Windows sends too: Web gets the copy
    const s3 = aWeb.mark();
    const { created: fromWin } = await aWin.sendText(b, 'sent from windows');
    const w = await aWeb.waitMessage(fromWin.clientMsgID, { since: s3 });
    assert.equal(w.senderPlatformID, PLATFORM_WINDOWS);
    assert.equal(w.seq, onB.seq + 2);

    // histories agree on every device
    for (const c of [aWeb, aWin, cb]) {
        // the sending device gets its own copy a moment after the send's reply
        let h = await c.history(conv, 20);
        for (let i = 0; i < 30 && h.messageList.length < 3; i++) {
            await new Promise((r) => setTimeout(r, 100));
            h = await c.history(conv, 20);
        }
        assert.deepEqual(
            h.messageList.map((m) => m.textElem?.content),
            ['sent from web', 'reply to both', 'sent from windows'],
            `${c.label}`,
        );
    }
    assertNoSdkErrors();

    await aWeb.close();
    await aWin.close();
    await cb.close();
    await server.stop();
});
