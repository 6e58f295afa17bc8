// Gateway connect: hello frame, parameter validation (HTTP-style 1602), token failures delivered
// HTTP-style or WS-style (isMsgResp), the `v` parameter form, plain GET → 400.
// openim-protocol.md §4.1–§4.3, §2.2, §3.3.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEFAULT_SECRET, forgeToken, ok } from '../api/harness.mjs';
import { decode, encode, httpGet, pb, queryString, rawConnect, RawWs, startEnv, upgradeRequest, vParam, wsFrame } from './client.mjs';

const ARGS_MSG = 'args err, need token, sendID, platformID';
let env;

before(async () => {
    env = await startEnv();
    await env.register('alice', 'bob', 'carol', 'dave', 'erin');
});

after(async () => {
    await env?.server.stop();
});

// Asserts an HTTP-style connect failure: HTTP 200, JSON content type, the error envelope.
function assertHttpStyle(r, code, errDlt, errMsg) {
    assert.equal(r.kind, 'http', `expected an HTTP answer, got ${r.kind} ${r.error ?? ''}`);
    assert.equal(r.status, 200, r.body);
    assert.match(r.headers['content-type'] ?? '', /^application\/json; charset=utf-8$/i);
    assert.ok(r.json, `body is not JSON: ${r.body}`);
    assert.equal(r.json.errCode, code, r.body);
    if (errMsg !== undefined) assert.equal(r.json.errMsg, errMsg, r.body);
    else assert.equal(typeof r.json.errMsg, 'string');
    assert.equal(typeof r.json.errDlt, 'string', r.body);
    if (errDlt instanceof RegExp) assert.match(r.json.errDlt, errDlt, r.body);
    else if (errDlt !== undefined) assert.ok(r.json.errDlt.startsWith(errDlt), `errDlt ${JSON.stringify(r.json.errDlt)} should start with ${JSON.stringify(errDlt)}`);
    assert.ok(!('data' in r.json), r.body);
}

// Asserts a WS-style failure: 101, one TEXT frame with the error envelope, then the server drops the
// TCP connection without a close frame (ws reports 1006).
async function assertWsStyle(r, code, errMsg) {
    assert.equal(r.kind, 'ws', `expected an upgrade, got ${r.kind} ${r.status ?? ''} ${r.body ?? r.error ?? ''}`);
    const c = r.client;
    const text = await c.nextText();
    const j = JSON.parse(text);
    assert.deepEqual(Object.keys(j), ['errCode', 'errMsg', 'errDlt'], text);
    assert.equal(j.errCode, code, text);
    if (errMsg !== undefined) assert.equal(j.errMsg, errMsg, text);
    assert.equal(typeof j.errDlt, 'string');
    const closed = await c.waitClosed();
    assert.equal(closed.code, 1006, `expected the TCP connection to end without a close frame, got close ${closed.code}`);
    assert.equal(c.envelopes.length, 0, 'no binary frame after a connect error');
    assert.equal(c.texts.length, 1, 'exactly one text frame');
    return j;
}

describe('successful connect', () => {
    test('isMsgResp=true: hello TEXT frame {"errCode":0,"errMsg":"","errDlt":""} first, then requests work', async () => {
        const tok = await env.token('alice', 1);
        const r = await rawConnect(env.wsBase, { ...env.params('alice', tok, 1), isMsgResp: 'true', sdkType: 'js' });
        assert.equal(r.kind, 'ws');
        const c = r.client;
        const hello = await c.nextText();
        assert.equal(hello, '{"errCode":0,"errMsg":"","errDlt":""}');
        const { env: rep } = await c.getMaxSeq();
        assert.equal(rep.errCode, 0);
        assert.equal(c.texts.length, 1, 'only the hello as text');
        await c.close();
    });

    test('isMsgResp absent (native Go SDK): no text frame at all, gob+gzip requests work', async () => {
        const tok = await env.token('alice', 1);
        const r = await rawConnect(env.wsBase, { ...env.params('alice', tok, 1), compression: 'gzip' });
        assert.equal(r.kind, 'ws');
        const c = r.client;
        const { env: rep } = await c.getMaxSeq();
        assert.equal(rep.errCode, 0);
        assert.equal(rep.reqIdentifier, 1001);
        assert.equal(c.texts.length, 0, `unexpected text frames: ${c.texts}`);
        await c.close();
    });

    test('isMsgResp=false (Go-bool "0") also sends no hello', async () => {
        const tok = await env.token('alice', 1);
        const r = await rawConnect(env.wsBase, { ...env.params('alice', tok, 1), isMsgResp: '0', sdkType: 'go' });
        assert.equal(r.kind, 'ws');
        const { env: rep } = await r.client.getMaxSeq();
        assert.equal(rep.errCode, 0);
        assert.equal(r.client.texts.length, 0);
        await r.client.close();
    });

    test('any request path is accepted (e.g. /msg_gateway behind a proxy)', async () => {
        const tok = await env.token('alice', 1);
        const r = await rawConnect(env.wsBase, { ...env.params('alice', tok, 1), isMsgResp: 'True', sdkType: 'js' }, { path: '/msg_gateway' });
        assert.equal(r.kind, 'ws');
        assert.equal(JSON.parse(await r.client.nextText()).errCode, 0);
        await r.client.close();
    });

    test('compression may be requested by the HTTP header "compression: gzip"', async () => {
        const tok = await env.token('alice', 1);
        const r = await rawConnect(env.wsBase, env.params('alice', tok, 1), { headers: { compression: 'gzip' }, gzip: true });
        assert.equal(r.kind, 'ws');
        const { env: rep } = await r.client.getMaxSeq();
        assert.equal(rep.errCode, 0);
        await r.client.close();
    });
});

describe('parameter errors: HTTP 200 + JSON envelope, errCode 1602, even with isMsgResp=true', () => {
    const good = async () => env.params('alice', await env.token('alice', 1), 1);
    const cases = [
        ['missing token', (p) => delete p.token, 'token is empty'],
        ['empty token', (p) => (p.token = ''), 'token is empty'],
        ['missing sendID', (p) => delete p.sendID, 'sendID is empty'],
        ['missing platformID (patch: Atoi("") fails first)', (p) => delete p.platformID, 'platformID is not int'],
        ['platformID not an int', (p) => (p.platformID = 'web'), 'platformID is not int'],
        ['platformID 1.5', (p) => (p.platformID = '1.5'), 'platformID is not int'],
        ['platformID 99 not in the platform table', (p) => (p.platformID = 99), 'platformID is invalid'],
        ['platformID 0', (p) => (p.platformID = 0), 'platformID is invalid'],
        ['sdkType not go/js', (p) => (p.sdkType = 'python'), 'sdkType is invalid'],
        ['isMsgResp not a Go-bool', (p) => (p.isMsgResp = 'yes'), 'isMsgResp is not bool'],
        // validation order (§4.2): platformID int → isMsgResp → isBackground → token → sendID → platform table → sdkType
        ['order: platformID-not-int before a missing token', (p) => ((p.platformID = 'x'), delete p.token), 'platformID is not int'],
        ['order: missing token before missing sendID', (p) => (delete p.token, delete p.sendID), 'token is empty'],
        ['order: missing sendID before invalid platform', (p) => (delete p.sendID, (p.platformID = 99)), 'sendID is empty'],
        ['order: invalid platform before bad sdkType', (p) => ((p.platformID = 99), (p.sdkType = 'x')), 'platformID is invalid'],
        ['order: isMsgResp checked before token', (p) => ((p.isMsgResp = 'nope'), delete p.token), 'isMsgResp is not bool'],
    ];
    for (const [name, mutate, dlt] of cases) {
        test(name, async () => {
            const p = await good();
            mutate(p);
            const withResp = { isMsgResp: 'true', ...p };
            assertHttpStyle(await rawConnect(env.wsBase, withResp), 1602, dlt, ARGS_MSG);
            if (!('isMsgResp' in p)) assertHttpStyle(await rawConnect(env.wsBase, p), 1602, dlt, ARGS_MSG);
        });
    }

    test('isBackground that is not a Go-bool → errCode 500 (patch)', async () => {
        const p = { ...(await good()), isBackground: 'maybe', isMsgResp: 'true' };
        assertHttpStyle(await rawConnect(env.wsBase, p), 500, undefined, 'ServerInternalError');
    });

    test('no query string at all → 1602', async () => {
        assertHttpStyle(await rawConnect(env.wsBase, {}), 1602, undefined, ARGS_MSG);
    });
});

describe('token failures', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const badTokens = [
        ['malformed (not a JWT) → 1503', () => 'not-a-jwt', 1503, 'TokenMalformedError'],
        ['expired → 1501', () => forgeToken(DEFAULT_SECRET, { UserID: 'bob', PlatformID: 1, exp: now() - 60, iat: now() - 3600 }), 1501, 'TokenExpiredError'],
        ['valid signature but never issued → 1507', () => forgeToken(DEFAULT_SECRET, { UserID: 'bob', PlatformID: 1 }), 1507, 'TokenNotExistError'],
        ['wrong signing secret → 1505', () => forgeToken('another-secret', { UserID: 'bob', PlatformID: 1 }), 1505, undefined],
    ];
    for (const [name, make, code, errMsg] of badTokens) {
        test(`${name}: WS-style with isMsgResp=true`, async () => {
            const p = { ...env.params('bob', make(), 1), isMsgResp: 'true', sdkType: 'js' };
            await assertWsStyle(await rawConnect(env.wsBase, p), code, errMsg);
        });
        test(`${name}: HTTP-style without isMsgResp`, async () => {
            const p = env.params('bob', make(), 1);
            assertHttpStyle(await rawConnect(env.wsBase, p), code, undefined, errMsg);
        });
    }

    test("another user's token (token uid ≠ sendID) → 1502, both delivery styles", async () => {
        const tok = await env.token('alice', 1);
        const p = env.params('bob', tok, 1);
        const j = await assertWsStyle(await rawConnect(env.wsBase, { ...p, isMsgResp: 'true' }), 1502, 'TokenInvalidError');
        assert.match(j.errDlt, /token uid alice != userID bob/);
        assertHttpStyle(await rawConnect(env.wsBase, p), 1502, /token uid alice != userID bob/, 'TokenInvalidError');
    });

    test("a token for another platform (token platform ≠ platformID) → 1502, both delivery styles", async () => {
        const tok = await env.token('alice', 1);
        const p = env.params('alice', tok, 2);
        const j = await assertWsStyle(await rawConnect(env.wsBase, { ...p, isMsgResp: 'true', sdkType: 'js' }), 1502, 'TokenInvalidError');
        assert.match(j.errDlt, /token platform 1 != platformID 2/);
        assertHttpStyle(await rawConnect(env.wsBase, p), 1502, /token platform 1 != platformID 2/, 'TokenInvalidError');
    });

    test('kicked token (after /auth/force_logout) → 1506 TokenKickedError', async () => {
        const tok = await env.newToken('carol', 3);
        const c = await env.connect('carol', { platformID: 3, token: tok });
        await c.close();
        await ok(env.base, '/auth/force_logout', { userID: 'carol', platformID: 3 }, { token: env.admin });
        const p = env.params('carol', tok, 3);
        await assertWsStyle(await rawConnect(env.wsBase, { ...p, isMsgResp: 'true', sdkType: 'js' }), 1506, 'TokenKickedError');
        assertHttpStyle(await rawConnect(env.wsBase, p), 1506, undefined, 'TokenKickedError');
        // a freshly issued token works again
        const fresh = await env.newToken('carol', 3);
        const c2 = await env.connect('carol', { platformID: 3, token: fresh });
        await c2.close();
    });

    test('a token replaced by a newer one for the same platform (multi-login policy 1 at issuance) is refused', async () => {
        const old = await env.newToken('dave', 2);
        await new Promise((r) => setTimeout(r, 1100)); // a different iat, else the same JWT comes back
        assert.notEqual(await env.newToken('dave', 2), old);
        const r = await rawConnect(env.wsBase, { ...env.params('dave', old, 2), isMsgResp: 'true', sdkType: 'js' });
        assert.equal(r.kind, 'ws');
        const j = JSON.parse(await r.client.nextText());
        assert.ok([1506, 1507].includes(j.errCode), `expected 1506 or 1507, got ${JSON.stringify(j)}`);
        assert.equal((await r.client.waitClosed()).code, 1006);
    });
});

describe('the `v` parameter (base64url JSON, patch)', () => {
    test('v carries every parameter; hello and requests work', async () => {
        const tok = await env.token('erin', 5);
        const v = vParam({ token: tok, userID: 'erin', platformID: 5, operationID: 'op-v', compression: '', sdkType: 'js', sendResponse: true, background: false });
        const r = await rawConnect(env.wsBase, { v }, { codec: 'json', gzip: false, userID: 'erin' });
        assert.equal(r.kind, 'ws', r.body);
        assert.equal(await r.client.nextText(), '{"errCode":0,"errMsg":"","errDlt":""}');
        const { env: rep } = await r.client.getMaxSeq();
        assert.equal(rep.errCode, 0);
        await r.client.close();
    });

    test('with v present every other query parameter is ignored', async () => {
        const tok = await env.token('erin', 5);
        const v = vParam({ token: tok, userID: 'erin', platformID: 5, operationID: 'op-v', sdkType: 'go', compression: 'gzip', sendResponse: false });
        // the plain parameters below are all invalid and would fail on their own
        const q = `v=${v}&platformID=abc&sdkType=bogus&sendID=nobody&token=x&isMsgResp=maybe`;
        const r = await rawConnect(env.wsBase, q, { codec: 'gob', gzip: true, userID: 'erin' });
        assert.equal(r.kind, 'ws', r.body);
        const { env: rep } = await r.client.getMaxSeq();
        assert.equal(rep.errCode, 0);
        assert.equal(r.client.texts.length, 0, 'sendResponse false: no hello');
        await r.client.close();
    });

    test('v with a bad token and sendResponse=true → WS-style error', async () => {
        const v = vParam({ token: 'garbage', userID: 'erin', platformID: 5, operationID: 'op', sdkType: 'js', sendResponse: true });
        await assertWsStyle(await rawConnect(env.wsBase, `v=${v}`, { codec: 'json' }), 1503, 'TokenMalformedError');
    });

    test('v that is not base64url → 1602 "data is not base64"', async () => {
        assertHttpStyle(await rawConnect(env.wsBase, 'v=%21%21%21%21'), 1602, 'data is not base64', ARGS_MSG);
    });

    test('v that is not JSON → 1602 "data is not json"', async () => {
        assertHttpStyle(await rawConnect(env.wsBase, `v=${Buffer.from('not json').toString('base64url')}`), 1602, 'data is not json', ARGS_MSG);
    });

    test('v missing the token → 1602 "token is empty"', async () => {
        const v = vParam({ userID: 'erin', platformID: 5, operationID: 'op' });
        assertHttpStyle(await rawConnect(env.wsBase, `v=${v}`), 1602, 'token is empty', ARGS_MSG);
    });
});

describe('non-WebSocket requests', () => {
    test('plain GET with valid parameters and token → HTTP 400', async () => {
        const tok = await env.token('alice', 1);
        const r = await httpGet(env.wsPort, '/?' + queryString(env.params('alice', tok, 1)));
        assert.equal(r.status, 400, r.body);
    });

    test('plain GET with invalid parameters → HTTP-style 1602 (parameters are checked first)', async () => {
        const r = await httpGet(env.wsPort, '/?platformID=1');
        assert.equal(r.status, 200);
        const j = JSON.parse(r.body);
        assert.equal(j.errCode, 1602);
    });

    test('plain GET with a bad token → HTTP-style token error', async () => {
        const r = await httpGet(env.wsPort, '/?' + queryString(env.params('alice', 'bad', 1)));
        assert.equal(r.status, 200);
        assert.equal(JSON.parse(r.body).errCode, 1503);
    });

    test('the gateway still serves after all of the above', async () => {
        const c = await env.connect('alice', { codec: 'gob' });
        const r = await c.request(1001, encode(pb.GetMaxSeqReq, { userID: 'alice' }));
        assert.equal(r.errCode, 0);
        decode(pb.GetMaxSeqResp, r.data);
        await c.close();
    });
});

describe('raw frames', () => {
    const OP_TEXT = 1;
    const OP_BINARY = 2;
    const OP_CLOSE = 8;
    const OP_PING = 9;

    async function openRaw(uid, extra = {}, tail = Buffer.alloc(0)) {
        const tok = await env.token(uid, 1);
        const r = new RawWs(env.wsPort);
        await r.connected;
        r.write(Buffer.concat([upgradeRequest('/?' + queryString({ ...env.params(uid, tok, 1), isMsgResp: 'true', sdkType: 'js', ...extra })), tail]));
        await r.waitUntil(() => r.status, 5000, 'HTTP status');
        return r;
    }

    test('frames sent in the same TCP write as the upgrade request are handled after login', async () => {
        const tok = await env.token('bob', 1);
        const req = upgradeRequest('/?' + queryString({ ...env.params('bob', tok, 1), isMsgResp: 'true', sdkType: 'js' }));
        const data = encode(pb.GetMaxSeqReq, { userID: 'bob' }).toString('base64');
        const env1 = Buffer.from(JSON.stringify({ reqIdentifier: 1001, msgIncr: 'early-1', sendID: 'bob', operationID: 'op', data }));
        const r = new RawWs(env.wsPort);
        await r.connected;
        r.write(Buffer.concat([req, wsFrame(OP_TEXT, '{"type":"ping","body":"early"}'), wsFrame(OP_PING, 'pp'), wsFrame(OP_BINARY, env1)]));
        await r.waitUntil(() => r.frames.length >= 4, 5000, '4 frames');
        assert.equal(r.status, 101);
        assert.match(r.head, /\r\nSec-WebSocket-Accept: [A-Za-z0-9+/]{27}=/i);
        const [hello, pong, ctrlPong, reply] = r.frames;
        assert.deepEqual([hello.opcode, JSON.parse(hello.payload).errCode], [OP_TEXT, 0], 'hello first');
        assert.deepEqual(JSON.parse(pong.payload), { type: 'pong', body: 'early' });
        assert.deepEqual([ctrlPong.opcode, ctrlPong.payload.toString()], [10, 'pp']);
        assert.equal(reply.opcode, OP_BINARY);
        const j = JSON.parse(reply.payload);
        assert.equal(j.msgIncr, 'early-1');
        assert.equal(j.errCode, 0);
        for (const f of r.frames) assert.equal(f.masked, false, 'server frames are never masked');
        r.destroy();
    });

    test('an unmasked client frame → protocol error close (1002)', async () => {
        const r = await openRaw('bob');
        r.write(wsFrame(OP_TEXT, '{"type":"ping"}', { mask: false }));
        await r.waitEnded();
        const close = r.frames.find((f) => f.opcode === OP_CLOSE);
        assert.ok(close, 'close frame');
        assert.equal(close.payload.readUInt16BE(0), 1002);
        assert.ok(!r.frames.some((f) => f.opcode === OP_TEXT && f.payload.includes('pong')));
    });

    test('RSV bits set (no extension negotiated) → close 1002', async () => {
        const r = await openRaw('bob');
        r.write(wsFrame(OP_TEXT, '{"type":"ping"}', { rsv: 4 }));
        await r.waitEnded();
        assert.equal(r.frames.find((f) => f.opcode === OP_CLOSE)?.payload.readUInt16BE(0), 1002);
    });

    test('an unknown opcode → close 1002', async () => {
        const r = await openRaw('bob');
        r.write(wsFrame(0x3, 'x'));
        await r.waitEnded();
        assert.equal(r.frames.find((f) => f.opcode === OP_CLOSE)?.payload.readUInt16BE(0), 1002);
    });

    test('a fragmented control frame / oversize control frame → close 1002', async () => {
        for (const frame of [wsFrame(OP_PING, 'x', { fin: false }), wsFrame(OP_PING, Buffer.alloc(126, 0x61))]) {
            const r = await openRaw('bob');
            r.write(frame);
            await r.waitEnded();
            assert.equal(r.frames.find((f) => f.opcode === OP_CLOSE)?.payload.readUInt16BE(0), 1002);
        }
    });

    test('client close 1000 → the server echoes a close frame and ends the TCP connection', async () => {
        const r = await openRaw('bob');
        const p = Buffer.alloc(2);
        p.writeUInt16BE(1000);
        r.write(wsFrame(OP_CLOSE, p));
        await r.waitEnded();
        const close = r.frames.find((f) => f.opcode === OP_CLOSE);
        assert.ok(close);
        assert.equal(close.payload.readUInt16BE(0), 1000);
    });

    test('a ping interleaved between the fragments of a message is answered and the message assembled', async () => {
        const r = await openRaw('bob');
        const data = encode(pb.GetMaxSeqReq, { userID: 'bob' }).toString('base64');
        const body = Buffer.from(JSON.stringify({ reqIdentifier: 1001, msgIncr: 'frag-ping', sendID: 'bob', operationID: 'op', data }));
        r.write(Buffer.concat([wsFrame(OP_BINARY, body.subarray(0, 7), { fin: false }), wsFrame(OP_PING, 'mid'), wsFrame(0, body.subarray(7), { fin: true })]));
        await r.waitUntil(() => r.frames.find((f) => f.opcode === OP_BINARY), 5000, 'reply');
        assert.ok(r.frames.find((f) => f.opcode === 10 && f.payload.toString() === 'mid'));
        assert.equal(JSON.parse(r.frames.find((f) => f.opcode === OP_BINARY).payload).errCode, 0);
        r.destroy();
    });

    test('a continuation frame with no message started → close 1002', async () => {
        const r = await openRaw('bob');
        r.write(wsFrame(0, 'x'));
        await r.waitEnded();
        assert.equal(r.frames.find((f) => f.opcode === OP_CLOSE)?.payload.readUInt16BE(0), 1002);
    });
});
