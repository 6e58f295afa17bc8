// REST conventions (openim-rest.md §1): headers and middleware order, CORS, OPTIONS, 404, JSON
// decoding errors, body limits, the envelope, keep-alive and pipelining, gzip.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import {
    startTernd,
    api,
    ok,
    fails,
    adminToken,
    register,
    userToken,
    rawPost,
    rawExchange,
    uid,
    DEFAULT_SECRET,
    ADMIN_ID,
} from './harness.mjs';

function assertCors(h, what) {
    assert.equal(h['access-control-allow-origin'], '*', `${what}: Access-Control-Allow-Origin`);
    assert.equal(h['access-control-allow-methods'], '*', `${what}: Access-Control-Allow-Methods`);
    assert.equal(h['access-control-allow-headers'], '*', `${what}: Access-Control-Allow-Headers`);
    assert.equal(h['access-control-max-age'], '172800', `${what}: Access-Control-Max-Age`);
    assert.equal(h['access-control-allow-credentials'], 'false', `${what}: Access-Control-Allow-Credentials`);
    assert.ok(h['access-control-expose-headers'], `${what}: Access-Control-Expose-Headers missing`);
}

// One request through node:http with the given agent; resolves {status, headers, text, reused}.
function httpPost(port, pathname, body, headers, agent) {
    return new Promise((resolve, reject) => {
        const payload = Buffer.from(JSON.stringify(body));
        const req = http.request(
            {
                host: '127.0.0.1',
                port,
                path: pathname,
                method: 'POST',
                agent,
                headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length, ...headers },
            },
            (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () =>
                    resolve({
                        status: res.statusCode,
                        headers: res.headers,
                        body: Buffer.concat(chunks),
                        text: Buffer.concat(chunks).toString('utf8'),
                        reused: req.reusedSocket,
                        localPort: req.socket?.localPort,
                    }),
                );
            },
        );
        req.on('error', reject);
        req.end(payload);
    });
}

describe('conventions', () => {
    let srv;
    let base;
    let admin;
    let alice;
    let aliceTok;

    before(async () => {
        srv = await startTernd();
        base = srv.base;
        admin = await adminToken(base);
        alice = uid('alice');
        await register(base, admin, [alice]);
        aliceTok = await userToken(base, admin, alice, 1);
    });

    after(async () => {
        await srv?.stop();
    });

    describe('headers and middleware order', () => {
        it('missing operationID → HTTP 200, errCode 1001 mentioning operationID', async () => {
            const j = await fails(base, '/user/get_users_info', { userIDs: [alice] }, 1001, {
                operationID: null,
                token: admin,
            });
            assert.equal(j.errMsg, 'ArgsError');
            assert.match(j.errDlt, /operationID/);
        });

        it('missing operationID is checked even on whitelisted routes', async () => {
            const j = await fails(base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID }, 1001, {
                operationID: null,
            });
            assert.match(j.errDlt, /operationID/);
        });

        it('empty operationID header counts as missing', async () => {
            await fails(base, '/user/get_users_info', { userIDs: [alice] }, 1001, {
                operationID: '',
                token: admin,
            });
        });

        it('missing token on a protected route → 1001 mentioning token', async () => {
            const j = await fails(base, '/user/get_users_info', { userIDs: [alice] }, 1001);
            assert.equal(j.errMsg, 'ArgsError');
            assert.match(j.errDlt, /token/);
        });

        it('operationID check runs before the token check', async () => {
            const j = await fails(base, '/user/get_users_info', { userIDs: [alice] }, 1001, { operationID: null });
            assert.match(j.errDlt, /operationID/);
        });

        it('token check runs before body decoding', async () => {
            // garbage body, no token: the token error wins
            const j = await fails(base, '/user/get_users_info', null, 1001, { rawBody: '{nope' });
            assert.match(j.errDlt, /token/);
            // garbage body, invalid token: the token error (1503) wins
            await fails(base, '/user/get_users_info', null, 1503, { rawBody: '{nope', token: 'garbage' });
        });

        it('get_admin_token and parse_token need no token header', async () => {
            const j = await ok(base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID });
            assert.equal(typeof j.data.token, 'string');
            const p = await ok(base, '/auth/parse_token', { token: aliceTok });
            assert.equal(p.data.userID, alice);
        });

        it('header names are case-insensitive (operationid, TOKEN)', async () => {
            const r = await api(base, '/user/get_users_info', { userIDs: [alice] }, {
                operationID: null,
                headers: { operationid: 'lower-case-op', TOKEN: aliceTok },
            });
            assert.equal(r.status, 200);
            assert.equal(r.json?.errCode, 0, r.text);
        });

        it('the reqFuncName header is ignored', async () => {
            await ok(base, '/user/get_users_info', { userIDs: [alice] }, { token: aliceTok, headers: { reqFuncName: 'GetUsersInfo' } });
        });
    });

    describe('CORS and OPTIONS', () => {
        it('OPTIONS on an API path → 200, body "Options Request!", CORS headers, no header checks', async () => {
            const r = await api(base, '/user/get_users_info', undefined, { method: 'OPTIONS', operationID: null });
            assert.equal(r.status, 200);
            assert.equal(r.text, '"Options Request!"');
            assertCors(r.headers, 'OPTIONS');
        });

        it('OPTIONS on an unknown path → 200 with the same body', async () => {
            const r = await api(base, '/no/such/route', undefined, { method: 'OPTIONS', operationID: null });
            assert.equal(r.status, 200);
            assert.equal(r.text, '"Options Request!"');
            assert.equal(r.headers['access-control-allow-origin'], '*');
        });

        it('OPTIONS with CORS preflight headers', async () => {
            const r = await api(base, '/auth/get_user_token', undefined, {
                method: 'OPTIONS',
                operationID: null,
                headers: {
                    Origin: 'http://example.com',
                    'Access-Control-Request-Method': 'POST',
                    'Access-Control-Request-Headers': 'token,operationID,content-type',
                },
            });
            assert.equal(r.status, 200);
            assertCors(r.headers, 'preflight');
        });

        it('CORS headers on a normal successful POST', async () => {
            const r = await api(base, '/user/get_users_info', { userIDs: [alice] }, { token: aliceTok });
            assert.equal(r.json?.errCode, 0, r.text);
            assertCors(r.headers, 'POST');
        });

        it('CORS headers on an error response', async () => {
            const r = await api(base, '/user/get_users_info', { userIDs: [alice] }, { operationID: null });
            assert.equal(r.json?.errCode, 1001);
            assert.equal(r.headers['access-control-allow-origin'], '*');
        });

        it('JSON responses have Content-Type application/json; charset=utf-8', async () => {
            const r = await api(base, '/user/get_users_info', { userIDs: [alice] }, { token: aliceTok });
            assert.match(r.headers['content-type'] ?? '', /^application\/json;\s*charset=utf-8$/i);
        });
    });

    describe('unknown routes', () => {
        it('unknown POST route with valid headers → HTTP 404 "404 page not found"', async () => {
            const r = await api(base, '/user/no_such_route', {}, { token: admin });
            assert.equal(r.status, 404);
            assert.equal(r.text, '404 page not found');
        });

        it('unknown top-level POST route with a user token → 404', async () => {
            const r = await api(base, '/nothing_here', {}, { token: aliceTok });
            assert.equal(r.status, 404);
            assert.equal(r.text, '404 page not found');
        });

        it('unknown POST route without operationID → 1001 envelope (middleware first)', async () => {
            const j = await fails(base, '/user/no_such_route', {}, 1001, { operationID: null, token: admin });
            assert.match(j.errDlt, /operationID/);
        });

        it('unknown POST route without token → 1001 envelope', async () => {
            const j = await fails(base, '/user/no_such_route', {}, 1001);
            assert.match(j.errDlt, /token/);
        });

        it('GET on a POST route → 404 (no 405), no header checks', async () => {
            const r = await api(base, '/auth/get_admin_token', undefined, { method: 'GET', operationID: null });
            assert.equal(r.status, 404);
            assert.equal(r.text, '404 page not found');
        });

        it('GET on an unknown path → 404', async () => {
            const r = await api(base, '/definitely/not/here', undefined, { method: 'GET', operationID: null });
            assert.equal(r.status, 404);
            assert.equal(r.text, '404 page not found');
        });
    });

    describe('JSON decoding', () => {
        it('malformed JSON → 1001', async () => {
            await fails(base, '/user/get_users_info', null, 1001, { token: aliceTok, rawBody: '{"userIDs": [' });
        });

        it('not an object (array, string) → 1001', async () => {
            await fails(base, '/user/get_users_info', null, 1001, { token: aliceTok, rawBody: '[1,2]' });
            await fails(base, '/user/get_users_info', null, 1001, { token: aliceTok, rawBody: '"hello"' });
        });

        it('empty body → 1001', async () => {
            await fails(base, '/user/get_users_info', null, 1001, { token: aliceTok, rawBody: '' });
            await fails(base, '/auth/get_admin_token', null, 1001, { rawBody: '' });
        });

        it('"{}" is a valid body for a route with no required fields', async () => {
            const j = await ok(base, '/user/get_user_client_config', null, { token: aliceTok, rawBody: '{}' });
            assert.ok('data' in j);
        });

        it('wrong field type: userIDs as a string → 1001 naming userIDs', async () => {
            const j = await fails(base, '/user/get_users_info', { userIDs: 'x' }, 1001, { token: aliceTok });
            assert.match(j.errDlt, /userIDs/i);
        });

        it('wrong field type: quoted number for platformID → 1001 naming platformID', async () => {
            const j = await fails(base, '/auth/get_user_token', { userID: alice, platformID: '2' }, 1001, { token: admin });
            assert.match(j.errDlt, /platformID/i);
        });

        it('wrong field type: number where a string is expected → 1001', async () => {
            const j = await fails(base, '/auth/get_admin_token', { secret: 123, userID: ADMIN_ID }, 1001);
            assert.match(j.errDlt, /secret/i);
        });

        it('wrong field type: fractional number for an int → 1001', async () => {
            await fails(base, '/auth/get_user_token', { userID: alice, platformID: 1.5 }, 1001, { token: admin });
        });

        it('wrong element type inside an array → 1001', async () => {
            await fails(base, '/user/get_users_info', { userIDs: [alice, 7] }, 1001, { token: aliceTok });
        });

        it('missing required field → 1001 naming it', async () => {
            const j = await fails(base, '/user/get_users_info', {}, 1001, { token: aliceTok });
            assert.match(j.errDlt, /userIDs/i);
            const k = await fails(base, '/auth/parse_token', {}, 1001);
            assert.match(k.errDlt, /token/i);
        });

        it('unknown keys are ignored', async () => {
            const j = await ok(base, '/user/get_users_info', { userIDs: [alice], bogus: { x: [1, 2] }, more: null }, { token: aliceTok });
            assert.equal(j.data.usersInfo.length, 1);
        });

        it('null for a field is the zero value', async () => {
            await fails(base, '/user/get_users_info', { userIDs: null }, 1001, { token: aliceTok });
        });

        it('JSON string escapes and non-ASCII are decoded', async () => {
            const id = uid('esc');
            await register(base, admin, [{ userID: id, nickname: 'Zo\u00eb \u4f60\u597d "q" \\ \n' }]);
            const j = await ok(base, '/user/get_users_info', { userIDs: [id] }, { token: admin });
            assert.equal(j.data.usersInfo[0].nickname, 'Zo\u00eb \u4f60\u597d "q" \\ \n');
            const raw = `{"userIDs":["${id.replace(/_/g, '\\u005f')}"]}`;
            const r = await api(base, '/user/get_users_info', null, { token: admin, rawBody: raw });
            assert.equal(r.json?.errCode, 0, r.text);
            assert.equal(r.json.data.usersInfo[0].userID, id);
        });

        it('malformed JSON on a BindJSON route (get_users_online_status) → HTTP 400 with 1001', async () => {
            await fails(base, '/user/get_users_online_status', null, 1001, { token: admin, rawBody: '{"userIDs":', status: 400 });
        });
    });

    describe('envelope', () => {
        it('empty response: exactly {errCode:0, errMsg:"", errDlt:""} without data (force_logout)', async () => {
            const r = await api(base, '/auth/force_logout', { userID: alice, platformID: 3 }, { token: admin });
            assert.equal(r.status, 200);
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
        });

        it('empty response: user_register has no data key', async () => {
            const r = await api(base, '/user/user_register', { users: [{ userID: uid('env'), nickname: 'n' }] }, { token: admin });
            assert.equal(r.status, 200);
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
        });

        it('success with payload: errCode 0, errMsg "", errDlt "", data object', async () => {
            const r = await api(base, '/auth/parse_token', { token: aliceTok });
            assert.deepEqual(Object.keys(r.json).sort(), ['data', 'errCode', 'errDlt', 'errMsg']);
            assert.equal(r.json.errCode, 0);
            assert.equal(r.json.errMsg, '');
            assert.equal(r.json.errDlt, '');
            assert.equal(typeof r.json.data, 'object');
        });

        it('error: errMsg is the code name, no data key', async () => {
            const r = await api(base, '/user/user_register', { users: [{ userID: uid('x'), nickname: 'x' }] }, { token: aliceTok });
            assert.equal(r.status, 200);
            assert.equal(r.json.errCode, 1002);
            assert.equal(r.json.errMsg, 'NoPermissionError');
            assert.ok(!('data' in r.json));
        });
    });

    describe('body limit', () => {
        let small;
        before(async () => {
            small = await startTernd({ extraArgs: ['--max-body-bytes', '4096'] });
        });
        after(async () => {
            await small?.stop();
        });

        it('a 10 KB body with --max-body-bytes 4096 → errCode 1001, and the server keeps serving', async () => {
            const big = { secret: DEFAULT_SECRET, userID: ADMIN_ID, pad: 'x'.repeat(10 * 1024) };
            const r = await api(small.base, '/auth/get_admin_token', big);
            assert.ok(r.status === 200 || r.status === 413, `HTTP ${r.status}`);
            assert.equal(r.json?.errCode, 1001, r.text);
            assert.ok(!('data' in r.json));
            // a body under the limit still works, on a fresh connection and repeatedly
            for (let i = 0; i < 3; i++) {
                const j = await ok(small.base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID });
                assert.equal(typeof j.data.token, 'string');
            }
        });

        it('a body just under the limit is accepted', async () => {
            const body = { secret: DEFAULT_SECRET, userID: ADMIN_ID, pad: '' };
            body.pad = 'y'.repeat(4000 - JSON.stringify(body).length);
            await ok(small.base, '/auth/get_admin_token', body);
        });

        it('an oversized body announced by Content-Length on a raw socket → 1001 response', async () => {
            const req = rawPost('/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID, pad: 'z'.repeat(20000) }, { operationID: 'big' });
            const [res] = await rawExchange(small.port, req, 1);
            assert.ok(res.status === 200 || res.status === 413, `HTTP ${res.status}`);
            assert.equal(JSON.parse(res.text).errCode, 1001);
            await ok(small.base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID });
        });
    });

    describe('idle timeout', () => {
        it('--http-idle-timeout-s 1 closes an idle keep-alive connection', async () => {
            const s = await startTernd({ extraArgs: ['--http-idle-timeout-s', '1'] });
            try {
                const net = await import('node:net');
                const closedAfter = await new Promise((resolve, reject) => {
                    const sock = net.connect(s.port, '127.0.0.1');
                    let t0;
                    let buf = '';
                    sock.on('connect', () =>
                        sock.write(rawPost('/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID }, { operationID: 'idle' })),
                    );
                    sock.on('data', (d) => {
                        buf += d;
                        if (!t0 && /\r\n\r\n/.test(buf)) t0 = Date.now();
                    });
                    sock.on('close', () => resolve(t0 ? Date.now() - t0 : -1));
                    sock.on('error', () => {});
                    setTimeout(() => {
                        sock.destroy();
                        reject(new Error('idle connection still open after 5 s'));
                    }, 5000);
                });
                assert.ok(closedAfter >= 500 && closedAfter < 4000, `closed after ${closedAfter} ms`);
            } finally {
                await s.stop();
            }
        });
    });

    describe('connections', () => {
        it('keep-alive: several requests reuse one connection', async () => {
            const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
            try {
                const results = [];
                for (let i = 0; i < 4; i++) {
                    results.push(
                        await httpPost(srv.port, '/user/get_users_info', { userIDs: [alice] }, { operationID: `ka-${i}`, token: aliceTok }, agent),
                    );
                }
                for (const r of results) {
                    assert.equal(r.status, 200);
                    assert.equal(JSON.parse(r.text).errCode, 0, r.text);
                }
                assert.equal(results[0].reused, false);
                for (const r of results.slice(1)) assert.equal(r.reused, true, 'socket was not reused');
                assert.ok(results.every((r) => r.localPort === results[0].localPort), 'different local ports');
            } finally {
                agent.destroy();
            }
        });

        it('keep-alive survives an error response (1001) and a 404', async () => {
            const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
            try {
                const a = await httpPost(srv.port, '/user/get_users_info', {}, { operationID: 'e1', token: aliceTok }, agent);
                assert.equal(JSON.parse(a.text).errCode, 1001);
                const b = await httpPost(srv.port, '/nope', {}, { operationID: 'e2', token: aliceTok }, agent);
                assert.equal(b.status, 404);
                const c = await httpPost(srv.port, '/user/get_users_info', { userIDs: [alice] }, { operationID: 'e3', token: aliceTok }, agent);
                assert.equal(JSON.parse(c.text).errCode, 0);
                assert.equal(b.reused, true);
                assert.equal(c.reused, true);
            } finally {
                agent.destroy();
            }
        });

        it('pipelining: 3 requests in one write → 3 responses in order', async () => {
            const payload = Buffer.concat([
                rawPost('/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID }, { operationID: 'p1' }),
                rawPost('/user/get_users_info', { userIDs: [alice] }, { operationID: 'p2' }), // no token → 1001
                rawPost('/auth/parse_token', { token: 'garbage' }, { operationID: 'p3' }), // → 1503
            ]);
            const res = await rawExchange(srv.port, payload, 3);
            assert.equal(res.length, 3);
            const [a, b, c] = res.map((r) => JSON.parse(r.text));
            assert.equal(a.errCode, 0);
            assert.equal(typeof a.data.token, 'string');
            assert.equal(b.errCode, 1001);
            assert.match(b.errDlt, /token/);
            assert.equal(c.errCode, 1503);
        });

        it('pipelining: 10 identical requests → 10 responses', async () => {
            const one = rawPost('/user/get_users_info', { userIDs: [alice] }, { operationID: 'pp', token: aliceTok });
            const res = await rawExchange(srv.port, Buffer.concat(Array(10).fill(one)), 10);
            for (const r of res) {
                assert.equal(r.status, 200);
                assert.equal(JSON.parse(r.text).data.usersInfo[0].userID, alice);
            }
        });

        it('a request split across many small writes is handled', async () => {
            const payload = rawPost('/user/get_users_info', { userIDs: [alice] }, { operationID: 'split', token: aliceTok });
            const net = await import('node:net');
            const res = await new Promise((resolve, reject) => {
                const s = net.connect(srv.port, '127.0.0.1');
                let buf = '';
                s.setNoDelay(true);
                s.on('connect', async () => {
                    for (let i = 0; i < payload.length; i += 7) {
                        s.write(payload.subarray(i, i + 7));
                        await new Promise((r) => setTimeout(r, 1));
                    }
                });
                s.on('data', (d) => {
                    buf += d.toString('latin1');
                    const i = buf.indexOf('\r\n\r\n');
                    const m = /content-length:\s*(\d+)/i.exec(buf);
                    if (i >= 0 && m && buf.length >= i + 4 + Number(m[1])) {
                        s.destroy();
                        resolve(buf.slice(i + 4, i + 4 + Number(m[1])));
                    }
                });
                s.on('error', reject);
                setTimeout(() => reject(new Error('timeout: ' + buf)), 5000);
            });
            assert.equal(JSON.parse(res).errCode, 0);
        });

        it('HTTP/1.0 request without keep-alive is answered', async () => {
            const body = JSON.stringify({ token: aliceTok });
            const req = Buffer.from(
                `POST /auth/parse_token HTTP/1.0\r\nHost: x\r\noperationID: h10\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
            );
            const net = await import('node:net');
            const text = await new Promise((resolve, reject) => {
                const s = net.connect(srv.port, '127.0.0.1');
                let buf = '';
                s.on('connect', () => s.write(req));
                s.on('data', (d) => (buf += d.toString('utf8')));
                s.on('end', () => resolve(buf));
                s.on('error', reject);
                setTimeout(() => reject(new Error('HTTP/1.0 connection not closed by server: ' + buf)), 5000);
            });
            assert.match(text, /^HTTP\/1\.[01] 200/);
            assert.equal(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).data.userID, alice);
        });

        it('gzip when the client sends Accept-Encoding: gzip', async () => {
            const r = await httpPost(srv.port, '/user/get_users_info', { userIDs: [alice] }, {
                operationID: 'gz',
                token: aliceTok,
                'Accept-Encoding': 'gzip',
            });
            assert.equal(r.status, 200);
            assert.equal(r.headers['content-encoding'], 'gzip');
            const j = JSON.parse(zlib.gunzipSync(r.body).toString('utf8'));
            assert.equal(j.data.usersInfo[0].userID, alice);
        });

        it('no gzip without Accept-Encoding', async () => {
            const r = await httpPost(srv.port, '/user/get_users_info', { userIDs: [alice] }, { operationID: 'nogz', token: aliceTok });
            assert.equal(r.headers['content-encoding'], undefined);
            assert.equal(JSON.parse(r.text).errCode, 0);
        });

        it('a chunked request body is accepted', async () => {
            const body = JSON.stringify({ userIDs: [alice] });
            const head = `POST /user/get_users_info HTTP/1.1\r\nHost: x\r\noperationID: chunked\r\ntoken: ${aliceTok}\r\nTransfer-Encoding: chunked\r\n\r\n`;
            const chunks = [body.slice(0, 5), body.slice(5)].map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`).join('');
            const [res] = await rawExchange(srv.port, Buffer.from(head + chunks + '0\r\n\r\n'), 1);
            assert.equal(res.status, 200);
            assert.equal(JSON.parse(res.text).data.usersInfo[0].userID, alice);
        });

        it('Expect: 100-continue is honoured (body sent after the headers)', async () => {
            const body = JSON.stringify({ token: aliceTok });
            const net = await import('node:net');
            const text = await new Promise((resolve, reject) => {
                const s = net.connect(srv.port, '127.0.0.1');
                let buf = '';
                s.on('connect', () => {
                    s.write(`POST /auth/parse_token HTTP/1.1\r\nHost: x\r\noperationID: exp\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
                    setTimeout(() => s.write(body), 300);
                });
                s.on('data', (d) => {
                    buf += d.toString('utf8');
                    const m = /HTTP\/1\.1 200[^]*?\r\n\r\n/.exec(buf);
                    const cl = /content-length:\s*(\d+)/i.exec(buf);
                    if (m && cl && buf.length >= m.index + m[0].length + Number(cl[1])) {
                        s.destroy();
                        resolve(buf.slice(m.index + m[0].length, m.index + m[0].length + Number(cl[1])));
                    }
                });
                s.on('error', reject);
                setTimeout(() => reject(new Error('no response: ' + buf)), 5000);
            });
            assert.equal(JSON.parse(text).data.userID, alice);
        });
    });

    describe('robustness (the server must survive and keep serving)', () => {
        const stillServing = async () => {
            await ok(base, '/user/get_users_info', { userIDs: [alice] }, { token: aliceTok });
        };
        const sendRaw = async (bytes, waitMs = 1000) => {
            const net = await import('node:net');
            return new Promise((resolve) => {
                const s = net.connect(srv.port, '127.0.0.1');
                let buf = Buffer.alloc(0);
                const done = () => {
                    s.destroy();
                    resolve(buf.toString('latin1'));
                };
                s.on('connect', () => s.write(bytes));
                s.on('data', (d) => (buf = Buffer.concat([buf, d])));
                s.on('error', done);
                s.on('close', done);
                setTimeout(done, waitMs);
            });
        };

        it('a garbage request line gets a 4xx or a closed connection', async () => {
            const out = await sendRaw('HELLO WORLD\r\n\r\n');
            assert.ok(out === '' || /^HTTP\/1\.[01] 4\d\d/.test(out), out);
            await stillServing();
        });

        it('a huge header is refused without harm', async () => {
            const out = await sendRaw(`POST /auth/parse_token HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(200 * 1024)}\r\n\r\n`);
            assert.ok(out === '' || /^HTTP\/1\.[01] 4\d\d/.test(out), out.slice(0, 200));
            await stillServing();
        });

        it('a connection closed in the middle of a body is harmless', async () => {
            await sendRaw(`POST /auth/parse_token HTTP/1.1\r\nHost: x\r\noperationID: cut\r\nContent-Length: 500\r\n\r\n{"token":"ab`, 200);
            await stillServing();
        });

        it('deeply nested JSON → 1001, no crash', async () => {
            const deep = '{"userIDs":' + '['.repeat(100000) + ']'.repeat(100000) + '}';
            const r = await api(base, '/user/get_users_info', null, { token: aliceTok, rawBody: deep });
            assert.equal(r.json?.errCode, 1001, r.text.slice(0, 300));
            await stillServing();
        });

        it('invalid UTF-8 in a JSON string does not crash the server', async () => {
            const raw = Buffer.concat([Buffer.from('{"userIDs":["'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"]}')]);
            const r = await api(base, '/user/get_users_info', null, { token: aliceTok, rawBody: raw });
            assert.equal(r.status, 200);
            assert.ok(r.json && typeof r.json.errCode === 'number', r.text);
            await stillServing();
        });

        it('an int32 field out of range (platformID 2^32+1) → 1001, not wrapped', async () => {
            await fails(base, '/auth/get_user_token', { userID: alice, platformID: 4294967297 }, 1001, { token: admin });
            await fails(base, '/user/get_all_users_uid', { pagination: { pageNumber: 4294967297, showNumber: 10 } }, 1001, { token: aliceTok });
        });

        // Go keeps \u0000 inside strings; tern refuses the request instead of truncating the
        // value at the NUL (a documented difference: nothing is stored half).
        it('a NUL character inside a string is refused whole (1001), nothing stored', async () => {
            const id = uid('nul');
            const r = await fails(base, '/user/user_register', { users: [{ userID: id, nickname: 'a\u0000b' }] }, 1001, { token: admin });
            assert.match(r.errDlt, /NUL|\\u0000/);
            const m = await ok(base, '/user/account_check', { checkUserIDs: [id] }, { token: admin });
            assert.equal(m.data.results[0].accountStatus, 0);
        });

        it('a NUL character inside a userID is rejected (1001)', async () => {
            await fails(base, '/user/user_register', { users: [{ userID: 'ab\u0000cd', nickname: 'n' }] }, 1001, { token: admin });
            const m = await ok(base, '/user/account_check', { checkUserIDs: ['ab'] }, { token: admin });
            assert.equal(m.data.results[0].accountStatus, 0);
        });

        it('concurrent registrations of one ID: exactly one succeeds, the rest get 1102', async () => {
            const id = uid('race');
            const rs = await Promise.all(
                Array.from({ length: 10 }, () => api(base, '/user/user_register', { users: [{ userID: id, nickname: 'r' }] }, { token: admin })),
            );
            const codes = rs.map((r) => r.json?.errCode).sort();
            assert.deepEqual(codes, [0, ...Array(9).fill(1102)], rs.map((r) => r.text).join('\n'));
        });

        it('concurrent registrations of distinct IDs all succeed', async () => {
            const ids = Array.from({ length: 20 }, () => uid('par'));
            const rs = await Promise.all(ids.map((id) => api(base, '/user/user_register', { users: [{ userID: id, nickname: 'p' }] }, { token: admin })));
            for (const r of rs) assert.equal(r.json?.errCode, 0, r.text);
            const j = await ok(base, '/user/account_check', { checkUserIDs: ids }, { token: admin });
            assert.ok(j.data.results.every((x) => x.accountStatus === 1));
        });

        it('many concurrent requests are all answered', async () => {
            const rs = await Promise.all(
                Array.from({ length: 50 }, () => api(base, '/user/get_users_info', { userIDs: [alice] }, { token: aliceTok })),
            );
            for (const r of rs) assert.equal(r.json?.errCode, 0, r.text);
        });
    });
});
