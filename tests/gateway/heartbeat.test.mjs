// Gateway heartbeats, frame rules, limits, logout, kicks, multi-login at connect and online status.
// openim-protocol.md §3.7 B, §4.4, §4.5.4, §4.6, §4.8.8, §4.9.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';

import { ok } from '../api/harness.mjs';
import { encode, gobEncodeReq, pb, rawConnect, sleep, startEnv } from './client.mjs';

let env;

before(async () => {
    env = await startEnv({ extraArgs: ['--max-frame-bytes', '4096'] });
    await env.register('hb1', 'hb2', 'hb3', 'lo1', 'ko1', 'ml1', 'ml2', 'on1');
});

after(async () => {
    await env?.server.stop();
});

async function stillWorks(c) {
    const { env: rep } = await c.getMaxSeq();
    assert.equal(rep.errCode, 0);
}

describe('heartbeats', () => {
    test('WS PING → PONG with the same payload (also empty)', async () => {
        const c = await env.connect('hb1', { codec: 'gob' });
        const payload = Buffer.from(String(BigInt('0x' + crypto.randomBytes(8).toString('hex'))));
        c.ping(payload);
        const got = await c.waitUntil(() => c.pongs[0], 3000, 'pong');
        assert.deepEqual(got, payload);
        c.ping(Buffer.alloc(0));
        assert.equal((await c.waitUntil(() => c.pongs[1], 3000, 'pong')).length, 0);
        await stillWorks(c);
        await c.close();
    });

    test('text {"type":"ping","body":"x"} → text {"type":"pong","body":"x"}; no body → body null', async () => {
        const c = await env.connect('hb1', { codec: 'json' });
        c.sendRaw('{"type":"ping","body":"x"}', false);
        assert.deepEqual(JSON.parse(await c.nextText()), { type: 'pong', body: 'x' });
        c.sendRaw('{"type":"ping"}', false); // what the JS SDK sends every 10 s
        assert.deepEqual(JSON.parse(await c.nextText()), { type: 'pong', body: null });
        assert.equal(c.envelopes.length, 0, 'heartbeat replies are text frames');
        await stillWorks(c);
        await c.close();
    });

    test('text {"type":"pong"} and an unsolicited PONG frame are accepted silently', async () => {
        const c = await env.connect('hb1', { codec: 'json' });
        c.sendRaw('{"type":"pong"}', false);
        c.ws.pong(Buffer.from('p'));
        await stillWorks(c);
        assert.equal(c.texts.length, 1, 'only the hello');
        await c.close();
    });

    for (const [name, text] of [
        ['plain text', 'hello'],
        ['JSON of another type', '{"type":"hello"}'],
        ['JSON without type', '{"body":"x"}'],
    ]) {
        test(`any other text frame (${name}) → the server closes`, async () => {
            const c = await env.connect('hb1', { codec: 'json' });
            c.sendRaw(text, false);
            await c.waitClosed();
            assert.equal(c.texts.length, 1, 'no reply text');
        });
    }

    test('close handshake: the client closes with 1000 and the server answers', async () => {
        const c = await env.connect('hb1', { codec: 'gob' });
        const info = await c.close();
        assert.equal(info.code, 1000);
    });

    test('a request split into continuation frames is assembled', async () => {
        const c = await env.connect('hb2', { codec: 'json' });
        const msgIncr = 'frag-1';
        const body = Buffer.from(JSON.stringify({ reqIdentifier: 1001, msgIncr, sendID: 'hb2', operationID: 'op', data: encode(pb.GetMaxSeqReq, { userID: 'hb2' }).toString('base64') }));
        c.ws.send(body.subarray(0, 10), { binary: true, fin: false });
        c.ws.send(body.subarray(10, 30), { binary: true, fin: false });
        c.ws.send(body.subarray(30), { binary: true, fin: true });
        const rep = await c.waitUntil(() => c.envelopes.find((e) => e.msgIncr === msgIncr));
        assert.equal(rep.errCode, 0);
        await c.close();
    });
});

describe('limits and frame rules', () => {
    test('a message larger than --max-frame-bytes (4096) → close code 1009', async () => {
        const c = await env.connect('hb2', { codec: 'json' });
        // just under the limit still works
        const { env: okRep } = await c.sendMsg({ recvID: 'hb3', text: 'y'.repeat(2000) });
        assert.equal(okRep.errCode, 0);
        c.sendRaw(Buffer.alloc(5000, 0x41));
        const info = await c.waitClosed();
        assert.equal(info.code, 1009);
    });

    test('an oversized text frame → close code 1009', async () => {
        const c = await env.connect('hb2', { codec: 'json' });
        c.sendRaw(JSON.stringify({ type: 'ping', body: 'z'.repeat(8000) }), false);
        assert.equal((await c.waitClosed()).code, 1009);
    });

    test('an oversized message sent in small fragments → close code 1009', async () => {
        const c = await env.connect('hb2', { codec: 'json' });
        for (let i = 0; i < 5; i++) c.ws.send(Buffer.alloc(1000, 0x20), { binary: true, fin: false });
        c.ws.send(Buffer.alloc(1000, 0x20), { binary: true, fin: true });
        assert.equal((await c.waitClosed()).code, 1009);
    });

    test('gzip connection: a plain (non-gzip) binary frame → the server closes', async () => {
        const c = await env.connect('hb2', { codec: 'gob', gzip: true });
        await stillWorks(c);
        c.sendRaw(gobEncodeReq({ reqIdentifier: 1001, sendID: 'hb2', msgIncr: 'plain', operationID: 'op', data: encode(pb.GetMaxSeqReq, { userID: 'hb2' }) }));
        await c.waitClosed();
        assert.equal(c.envelopes.filter((e) => e.msgIncr === 'plain').length, 0);
    });

    test('a gzip frame that inflates far beyond the frame limit (gzip bomb) → closed', async () => {
        const c = await env.connect('hb2', { codec: 'gob', gzip: true });
        const bomb = zlib.gzipSync(Buffer.alloc(1024 * 1024));
        assert.ok(bomb.length < 4096);
        c.sendRaw(bomb);
        await c.waitClosed();
        assert.equal(c.envelopes.length, 0);
    });

    test('gzip connection (JSON codec): replies and pushes are gzip too', async () => {
        const c = await env.connect('hb3', { codec: 'json', gzip: true });
        const { env: rep } = await c.getMaxSeq();
        assert.equal(rep.errCode, 0);
        await c.close();
    });
});

describe('per-connection limits (a second ternd)', () => {
    let env2;
    before(async () => {
        env2 = await startEnv({ extraArgs: ['--max-conns-per-user', '2', '--max-send-queue-bytes', '64K'] });
        await env2.register('lim1', 'lim2');
    });
    after(async () => {
        await env2?.server.stop();
    });

    test('--max-conns-per-user 2: a third connection of the same user is refused with 1601', async () => {
        const c1 = await env2.connect('lim1', { platformID: 1, codec: 'json' });
        const c2 = await env2.connect('lim1', { platformID: 2, codec: 'json' });
        const tok = await env2.token('lim1', 3);
        const r = await rawConnect(env2.wsBase, { ...env2.params('lim1', tok, 3), isMsgResp: 'true', sdkType: 'js' });
        const code = r.kind === 'http' ? r.json?.errCode : JSON.parse(await r.client.nextText()).errCode;
        assert.equal(code, 1601);
        assert.ok(c1.isOpen && c2.isOpen);
        await c1.close();
        await sleep(100);
        const c3 = await env2.connect('lim1', { platformID: 3, codec: 'json', token: tok });
        await c3.close();
        await c2.close();
    });

    test('a client that stops reading is cut off once its send queue passes the limit; others unaffected', async () => {
        const reader = await env2.connect('lim2', { platformID: 2, codec: 'json' });
        const sender = await env2.connect('lim1', { platformID: 1, codec: 'gob' });
        reader.ws._socket.pause(); // stop reading: the kernel buffers fill, then ternd's queue
        const big = 'x'.repeat(400 * 1024);
        const sends = [];
        for (let i = 0; i < 40; i++) sends.push(sender.sendMsg({ recvID: 'lim2', text: big, options: { senderSync: false } }));
        for (const r of await Promise.all(sends)) assert.equal(r.env.errCode, 0);
        reader.ws._socket.resume();
        const info = await reader.waitClosed(10000);
        assert.notEqual(info.code, 1000);
        assert.ok(reader.pushedMsgs().length < 40, 'every push arrived: the reader was not cut off');
        assert.ok(sender.isOpen);
        const { env: rep } = await sender.getMaxSeq();
        assert.equal(rep.errCode, 0);
        await sender.close();
    });
});

describe('logout, kicks, multi-login', () => {
    test('2003 logout → reply (errCode 0, no data) then the server closes; the token stays valid', async () => {
        const tok = await env.token('lo1', 2);
        const c = await env.connect('lo1', { platformID: 2, codec: 'gob', token: tok });
        const rep = await c.request(2003, encode(pb.DelUserPushTokenReq, { userID: 'lo1', platformID: 2 }));
        assert.equal(rep.reqIdentifier, 2003);
        assert.equal(rep.errCode, 0);
        assert.ok(!rep.data || rep.data.length === 0);
        await c.waitClosed();
        const again = await env.connect('lo1', { platformID: 2, codec: 'gob', token: tok });
        await stillWorks(again);
        await again.close();
    });

    test('2003 logout on a JSON connection', async () => {
        const c = await env.connect('lo1', { platformID: 3, codec: 'json' });
        const rep = await c.request(2003, encode(pb.DelUserPushTokenReq, { userID: 'lo1', platformID: 3 }));
        assert.equal(rep.errCode, 0);
        await c.waitClosed();
    });

    test('/auth/force_logout → the connection gets a bare 2002 frame, then is closed; other platforms stay', async () => {
        const gobConn = await env.connect('ko1', { platformID: 1, codec: 'gob' });
        const other = await env.connect('ko1', { platformID: 2, codec: 'json' });
        await ok(env.base, '/auth/force_logout', { userID: 'ko1', platformID: 1 }, { token: env.admin });
        const kick = await gobConn.nextPush(2002);
        assert.equal(kick.msgIncr, '');
        assert.equal(kick.operationID, '');
        assert.equal(kick.errCode, 0);
        assert.equal(kick.errMsg, '');
        assert.ok(!kick.data || kick.data.length === 0);
        await gobConn.waitClosed();
        // the kick is the last thing on that connection
        assert.equal(gobConn.envelopes[gobConn.envelopes.length - 1], kick);
        await sleep(200);
        assert.ok(other.isOpen, 'platform 2 connection was closed too');
        await stillWorks(other);
        await other.close();
    });

    test('force_logout on a JSON connection: 2002 envelope is JSON with data null', async () => {
        const c = await env.connect('ko1', { platformID: 3, codec: 'json' });
        await ok(env.base, '/auth/force_logout', { userID: 'ko1', platformID: 3 }, { token: env.admin });
        const kick = await c.nextPush(2002);
        assert.ok(kick.json.data === null || kick.json.data === '', JSON.stringify(kick.json));
        await c.waitClosed();
    });

    test('policy 1: a second connection with the SAME token on the same platform → both stay', async () => {
        const tok = await env.newToken('ml1', 1);
        const c1 = await env.connect('ml1', { platformID: 1, codec: 'json', token: tok });
        const c2 = await env.connect('ml1', { platformID: 1, codec: 'gob', token: tok });
        await sleep(300);
        assert.ok(c1.isOpen && c2.isOpen);
        assert.equal(c1.pushes.filter((p) => p.reqIdentifier === 2002).length, 0);
        await stillWorks(c1);
        await stillWorks(c2);
        // both receive a message for ml1
        const s = await env.connect('ml2', { platformID: 1, codec: 'json' });
        const { msg } = await s.sendMsg({ recvID: 'ml1', text: 'to both' });
        await c1.waitPushedMsgs((x) => x.msg.clientMsgID === msg.clientMsgID);
        await c2.waitPushedMsgs((x) => x.msg.clientMsgID === msg.clientMsgID);
        await s.close();
        await c1.close();
        await c2.close();
    });

    test('policy 1: a connection with a NEW token on the same platform kicks the old one (2002); other platforms stay', async () => {
        const t1 = await env.newToken('ml1', 2);
        const old = await env.connect('ml1', { platformID: 2, codec: 'gob', token: t1 });
        const pc = await env.connect('ml1', { platformID: 3, codec: 'json' });
        await sleep(1100); // a different iat, else the same JWT comes back
        const t2 = await env.newToken('ml1', 2);
        assert.notEqual(t2, t1);
        assert.ok(old.isOpen, 'issuing a token alone does not close a live connection');
        const fresh = await env.connect('ml1', { platformID: 2, codec: 'json', token: t2 });
        const kick = await old.nextPush(2002);
        assert.equal(kick.errCode, 0);
        await old.waitClosed();
        await sleep(200);
        assert.ok(fresh.isOpen);
        assert.ok(pc.isOpen);
        assert.equal(fresh.pushes.filter((p) => p.reqIdentifier === 2002).length, 0);
        await stillWorks(fresh);
        // the old token is now refused
        const r = await rawConnect(env.wsBase, { ...env.params('ml1', t1, 2), isMsgResp: 'true', sdkType: 'js' });
        assert.equal(r.kind, 'ws');
        assert.ok([1506, 1507].includes(JSON.parse(await r.client.nextText()).errCode));
        await fresh.close();
        await pc.close();
    });
});

describe('online status over REST', () => {
    async function onlineStatus(uid) {
        const j = await ok(env.base, '/user/get_users_online_status', { userIDs: [uid] }, { token: env.admin });
        const s = j.data.find((x) => x.userID === uid);
        assert.ok(s, JSON.stringify(j));
        return s;
    }
    const platforms = (s) => (s.detailPlatformStatus ?? []).map((d) => d.platformID).sort((x, y) => x - y);

    test('/user/get_users_online_status shows the online platforms and goes back to offline', async () => {
        const s0 = await onlineStatus('on1');
        assert.equal(s0.status, 0);
        assert.deepEqual(platforms(s0), []);
        const c1 = await env.connect('on1', { platformID: 2, codec: 'gob' });
        const c2 = await env.connect('on1', { platformID: 5, codec: 'json' });
        const s1 = await onlineStatus('on1');
        assert.equal(s1.status, 1);
        assert.deepEqual(platforms(s1), [2, 5]);
        await c1.close();
        let s2;
        for (let i = 0; i < 50; i++) {
            s2 = await onlineStatus('on1');
            if (platforms(s2).length === 1) break;
            await sleep(50);
        }
        assert.deepEqual(platforms(s2), [5]);
        assert.equal(s2.status, 1);
        c2.terminate(); // abrupt TCP close, no close frame
        let s3;
        for (let i = 0; i < 50; i++) {
            s3 = await onlineStatus('on1');
            if (s3.status === 0) break;
            await sleep(50);
        }
        assert.equal(s3.status, 0);
        assert.deepEqual(platforms(s3), []);
    });
});

describe('shutdown', () => {
    test('SIGTERM closes open connections with close code 1001 and ternd exits 0', async () => {
        const c = await env.connect('hb3', { codec: 'json' });
        const t = await env.connect('hb3', { platformID: 2, codec: 'gob' });
        await env.server.stop();
        const info = await c.waitClosed();
        assert.equal(info.code, 1001);
        assert.equal((await t.waitClosed()).code, 1001);
        env = null;
    });
});
