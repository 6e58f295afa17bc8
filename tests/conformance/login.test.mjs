// Login with the official JS SDK: connect result, login sync (REST + WS 1006), token errors,
// and the text heartbeat keeping an idle connection up.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
    Client,
    CbEvents,
    DEFAULT_SECRET,
    FATAL_LOGIN_EVENTS,
    PLATFORM_WEB,
    assertNoSdkErrors,
    forgeToken,
    makeUsers,
    online,
    sleep,
    startServer,
    uid,
} from './lib.mjs';
import { wsTrace } from './env.mjs';

test('two users log in on Web, connect and finish the login sync', { timeout: 45000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);

    const ca = new Client({ server, userID: a, token: tokens[a] });
    const cb = new Client({ server, userID: b, token: tokens[b] });
    // both log in concurrently, like two browser tabs
    await Promise.all([ca.loginAndSync(), cb.loginAndSync()]);

    for (const [c, id] of [
        [ca, a],
        [cb, b],
    ]) {
        const names = c.events.map((e) => e.name);
        assert.ok(names.indexOf(CbEvents.OnConnecting) < names.indexOf(CbEvents.OnConnectSuccess), `${id}: ${names}`);
        assert.ok(names.indexOf(CbEvents.OnSyncServerStart) < names.indexOf(CbEvents.OnSyncServerFinish), `${id}: ${names}`);
        for (const bad of [...FATAL_LOGIN_EVENTS, CbEvents.OnConnectFailed]) {
            assert.ok(!names.includes(bad), `${id}: unexpected ${bad}\n${c.diag()}`);
        }
        assert.equal(await c.call('getLoginStatus'), 3, `${id}: login status must be Logged (3)`);
        // self info comes from the login sync (/user/get_users_info)
        const self = await c.call('getSelfUserInfo');
        assert.equal(self?.userID, id, JSON.stringify(self));
        assert.equal(self?.nickname, `nick_${id}`, JSON.stringify(self));
        // new users: no conversations
        const convs = await c.conversations();
        assert.deepEqual(convs, [], `${id}: conversation list of a new user: ${JSON.stringify(convs)}`);
        // the other user's public info through the SDK
        const other = id === a ? b : a;
        const infos = await c.call('getUsersInfo', [other]);
        assert.equal(infos?.[0]?.userID, other, JSON.stringify(infos));
    }
    assertNoSdkErrors();

    await ca.close();
    await cb.close();
    await server.stop();
});

// A login that the gateway refuses: the SDK must get the connect result as a TEXT frame
// (isMsgResp=true) carrying the token error code, and raise the matching events.
async function refusedLogin(server, userID, token, expectEvent, expectCode) {
    const c = new Client({ server, userID, token, label: `${userID}/${expectEvent}` });
    const since = c.mark();
    await c.login().catch(() => {}); // sdk.login resolves once the socket is open
    const failed = await c.waitEvent(CbEvents.OnConnectFailed, () => true, {
        since,
        timeoutMs: 8000,
        failOn: [CbEvents.OnConnectSuccess],
    });
    assert.equal(failed.errCode, expectCode, `OnConnectFailed errCode\n${c.diag()}`);
    const ev = await c.waitEvent(expectEvent, () => true, { since, timeoutMs: 3000 });
    assert.equal(ev.errCode, expectCode, `${expectEvent} errCode\n${c.diag()}`);
    assert.ok(!c.events.some((e) => e.name === CbEvents.OnConnectSuccess), c.diag());
    await c.close();
}

test('refused tokens raise OnUserTokenInvalid / OnUserTokenExpired', { timeout: 45000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const now = Math.floor(Date.now() / 1000);

    // signed with another secret -> 1505 (signature invalid) -> OnUserTokenInvalid
    await refusedLogin(server, a, forgeToken('not-the-secret', { UserID: a, PlatformID: 5 }), CbEvents.OnUserTokenInvalid, 1505);
    // not a JWT at all -> 1503 -> OnUserTokenInvalid
    await refusedLogin(server, a, 'garbage', CbEvents.OnUserTokenInvalid, 1503);
    // right secret, expired -> 1501 -> OnUserTokenExpired
    await refusedLogin(
        server,
        a,
        forgeToken(DEFAULT_SECRET, { UserID: a, PlatformID: 5, exp: now - 60, iat: now - 3600 }),
        CbEvents.OnUserTokenExpired,
        1501,
    );
    // right secret, valid, but never issued by the server -> 1507 -> OnUserTokenInvalid
    // (claims differ from the issued token's: a JWT of the same claims in the same second IS it)
    await refusedLogin(
        server,
        a,
        forgeToken(DEFAULT_SECRET, { UserID: a, PlatformID: 5, iat: now - 100 }),
        CbEvents.OnUserTokenInvalid,
        1507,
    );
    // B's real token presented as A -> 1502 -> OnUserTokenInvalid
    await refusedLogin(server, a, tokens[b], CbEvents.OnUserTokenInvalid, 1502);

    // the refused attempts did not break anything: A logs in with the real token
    const ca = await online(server, a, tokens[a]);
    await ca.close();
    await server.stop();
});

test('an idle Web session stays connected (text ping/pong heartbeat)', { timeout: 60000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const tokens = await makeUsers(server, [a], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const since = ca.mark();
    // the SDK sends {"type":"ping"} every 10 s and drops the connection if the previous ping got
    // no {"type":"pong"} by the next one; 25 s covers two rounds.
    const t0 = Date.now();
    await sleep(24000);
    const later = ca.events.slice(since).map((e) => e.name);
    const mine = wsTrace.filter((e) => e.key === tokens[a] && e.t >= t0);
    assert.ok(!mine.some((e) => e.dir === 'closed'), `the SDK's socket was closed while idle\n${ca.diag()}`);
    assert.ok(
        mine.some((e) => e.dir === 'S>C text' && /"type"\s*:\s*"pong"/.test(e.text)),
        `no {"type":"pong"} text frame answered the SDK's pings\n${ca.diag()}`,
    );
    assert.ok(
        !later.includes(CbEvents.OnConnecting) && !later.includes(CbEvents.OnConnectSuccess),
        `connection was dropped and re-established while idle: ${later}\n${ca.diag()}`,
    );
    assert.equal(await ca.call('getLoginStatus'), 3);
    await ca.close();
    await server.stop();
});
