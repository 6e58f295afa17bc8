// Kicks: admin force_logout, and a second login on the same platform (default multi-login policy).
import assert from 'node:assert/strict';
import test from 'node:test';
import {
    CbEvents,
    Client,
    PLATFORM_WEB,
    api,
    assertNoSdkErrors,
    makeUsers,
    ok,
    online,
    singleConvID,
    sleep,
    startServer,
    uid,
    userToken,
} from './lib.mjs';

test('force_logout: B gets OnKickedOffline, B\'s old token is refused (1506)', { timeout: 60000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const cb = await online(server, b, tokens[b]);
    const sinceA = ca.mark();
    const sinceB = cb.mark();

    await ok(server.base, '/auth/force_logout', { userID: b, platformID: PLATFORM_WEB }, { token: server.admin });
    await cb.waitEvent(CbEvents.OnKickedOffline, () => true, { since: sinceB, timeoutMs: 5000 });
    assert.equal(await cb.sdk.getLoginStatus().then((r) => r.data), 1, 'B is logged out after the kick');
    // the kicked SDK stays down (no reconnect with the dead token)
    await sleep(6500);
    assert.ok(
        !cb.events.slice(sinceB).some((e) => e.name === CbEvents.OnConnectSuccess),
        `kicked SDK reconnected\n${cb.diag()}`,
    );
    // A was not affected
    assert.ok(!ca.events.slice(sinceA).some((e) => e.name === CbEvents.OnKickedOffline || e.name === CbEvents.OnConnecting), ca.diag());

    // B's old token: refused by the REST API ...
    const r = await api(server.base, '/user/get_users_info', { userIDs: [b] }, { token: tokens[b] });
    assert.equal(r.json?.errCode, 1506, `REST with the kicked token: ${r.text}`);
    // ... and by the gateway: a new tab with the old token gets OnKickedOffline (1506)
    const old = new Client({ server, userID: b, token: tokens[b], label: `${b}/old-token` });
    const since = old.mark();
    await old.login().catch(() => {});
    const failed = await old.waitEvent(CbEvents.OnConnectFailed, () => true, {
        since,
        timeoutMs: 8000,
        failOn: [CbEvents.OnConnectSuccess],
    });
    assert.equal(failed.errCode, 1506, old.diag());
    const kicked = await old.waitEvent(CbEvents.OnKickedOffline, () => true, { since, timeoutMs: 3000 });
    assert.equal(kicked.errCode, 1506);
    await old.close();

    // A keeps chatting; B comes back with a fresh token and gets the message
    const { created } = await ca.sendText(b, 'are you there?');
    const fresh = await userToken(server.base, server.admin, b, PLATFORM_WEB);
    const cb2 = await online(server, b, fresh, PLATFORM_WEB, `${b}/fresh`);
    const h = await cb2.history(singleConvID(a, b), 10);
    assert.deepEqual(
        h.messageList.map((m) => m.clientMsgID),
        [created.clientMsgID],
    );
    assertNoSdkErrors();

    await ca.close();
    await cb.close();
    await cb2.close();
    await server.stop();
});

test('a second Web login of the same user kicks the first tab', { timeout: 45000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const first = await online(server, a, tokens[a], PLATFORM_WEB, `${a}/tab1`);
    const since = first.mark();

    // JWTs carry whole seconds: a token issued in the same second is the same token, and a
    // login presenting the same token is never kicked. Wait for a distinct one.
    await new Promise((r) => setTimeout(r, 1100));
    const token2 = await userToken(server.base, server.admin, a, PLATFORM_WEB);
    assert.notEqual(token2, tokens[a]);
    const second = await online(server, a, token2, PLATFORM_WEB, `${a}/tab2`);
    await first.waitEvent(CbEvents.OnKickedOffline, () => true, { since, timeoutMs: 5000 });
    assert.ok(!second.events.some((e) => e.name === CbEvents.OnKickedOffline), second.diag());

    // the surviving tab works
    const cb = await online(server, b, tokens[b]);
    const sinceB = cb.mark();
    const { created } = await second.sendText(b, 'from the second tab');
    await cb.waitMessage(created.clientMsgID, { since: sinceB });
    // the first tab's token is dead
    const r = await api(server.base, '/user/get_users_info', { userIDs: [a] }, { token: tokens[a] });
    assert.equal(r.json?.errCode, 1506, `REST with the replaced token: ${r.text}`);
    assertNoSdkErrors();

    await first.close();
    await second.close();
    await cb.close();
    await server.stop();
});
