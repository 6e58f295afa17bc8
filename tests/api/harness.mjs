// Shared harness for the HTTP API tests: starts a real ternd on ephemeral ports with a fresh data
// dir, speaks HTTP to it, and checks at shutdown that it exited cleanly without sanitizer reports.
// Only node built-ins (node:test, fetch, child_process, crypto, net, http); works on Node 18 and 20.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_SECRET = 'openIM123';
export const ADMIN_ID = 'imAdmin';
export const EXPIRE_SECONDS = 90 * 86400;

const SANITIZER_RE = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
const LISTEN_RE = /api listening on [^:\s]+:(\d+)/;

export function terndPath() {
    const p = process.env.TERND;
    assert.ok(p, 'TERND must name the ternd binary');
    return p;
}

export function tmpRoot() {
    const root = process.env.TERN_TEST_TMP || path.join(os.tmpdir(), 'terntest');
    fs.mkdirSync(root, { recursive: true });
    return root;
}

export function mkTmpDir(prefix = 'tern-') {
    return fs.mkdtempSync(path.join(tmpRoot(), prefix));
}

// The child's environment: ours, minus every TERN_* variable (ternd rejects unknown TERN_* names and
// ctest sets TERN_TEST_TMP for us), plus what the test asks for.
export function childEnv(extra = {}) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TERN_')) env[k] = v;
    return { ...env, ...extra };
}

const live = new Set();
process.on('exit', () => {
    for (const p of live) {
        try {
            p.kill('SIGKILL');
        } catch {}
    }
});

export function assertNoSanitizerReport(text, what = 'ternd output') {
    const m = SANITIZER_RE.exec(text);
    assert.ok(!m, `sanitizer report in ${what}:\n${tail(text, 6000)}`);
}

function tail(s, n = 4000) {
    return s.length > n ? '…' + s.slice(-n) : s;
}

function waitExit(proc, state, ms) {
    return new Promise((resolve) => {
        if (state.exit) return resolve(state.exit);
        const t = setTimeout(() => resolve(null), ms);
        proc.once('exit', (code, signal) => {
            clearTimeout(t);
            resolve({ code, signal });
        });
    });
}

/**
 * Starts ternd. Options:
 *   dataDir   existing dir to use (default: fresh mkdtemp under TERN_TEST_TMP)
 *   passDataDir false = do not pass --data-dir (the test sets it another way)
 *   secret    --secret value (default 'openIM123'; null = do not pass --secret)
 *   apiPort   --api-port value (default 0; null = do not pass)
 *   wsPort    --ws-port value (default 0; null = do not pass)
 *   logLevel  --log-level (default 'debug'; null = do not pass)
 *   extraArgs more arguments
 *   env       extra environment variables
 *   timeoutMs time to wait for the listening line (default 10000)
 * Returns {port, base, proc, dataDir, logs(), stop(), kill9(), exited()}.
 */
export async function startTernd(opts = {}) {
    const dataDir = opts.dataDir ?? mkTmpDir('data-');
    const secret = opts.secret === undefined ? DEFAULT_SECRET : opts.secret;
    const apiPort = opts.apiPort === undefined ? 0 : opts.apiPort;
    const wsPort = opts.wsPort === undefined ? 0 : opts.wsPort;
    const logLevel = opts.logLevel === undefined ? 'debug' : opts.logLevel;
    const args = opts.passDataDir === false ? [] : ['--data-dir', dataDir];
    if (apiPort !== null) args.push('--api-port', String(apiPort));
    if (wsPort !== null) args.push('--ws-port', String(wsPort));
    if (secret !== null) args.push('--secret', secret);
    if (logLevel !== null) args.push('--log-level', logLevel);
    args.push(...(opts.extraArgs ?? []));

    const proc = spawn(terndPath(), args, {
        env: childEnv(opts.env),
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(proc);
    const state = { stderr: '', stdout: '', exit: null };
    proc.stderr.setEncoding('utf8');
    proc.stdout.setEncoding('utf8');
    proc.stderr.on('data', (d) => (state.stderr += d));
    proc.stdout.on('data', (d) => (state.stdout += d));
    proc.on('exit', (code, signal) => {
        state.exit = { code, signal };
        live.delete(proc);
    });
    const logs = () => state.stderr + (state.stdout ? '\n[stdout]\n' + state.stdout : '');

    const port = await new Promise((resolve, reject) => {
        const timeoutMs = opts.timeoutMs ?? 10000;
        let done = false;
        const finish = (err, val) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            proc.stderr.off('data', check);
            proc.stdout.off('data', check);
            proc.off('exit', onExit);
            err ? reject(err) : resolve(val);
        };
        const check = () => {
            const m = LISTEN_RE.exec(state.stderr) || LISTEN_RE.exec(state.stdout);
            if (m) finish(null, Number(m[1]));
        };
        const onExit = (code, signal) =>
            setImmediate(() => {
                check();
                finish(
                    new Error(
                        `ternd exited (code ${code}, signal ${signal}) before listening; args ${args.join(' ')}\n${tail(logs())}`,
                    ),
                );
            });
        const timer = setTimeout(() => {
            proc.kill('SIGKILL');
            finish(new Error(`ternd did not print "api listening on" within ${timeoutMs} ms\n${tail(logs())}`));
        }, timeoutMs);
        proc.stderr.on('data', check);
        proc.stdout.on('data', check);
        proc.on('exit', onExit);
        check();
    });

    const server = {
        port,
        base: `http://127.0.0.1:${port}`,
        proc,
        dataDir,
        args,
        logs,
        exited: () => state.exit,
        // SIGTERM, wait for exit, require exit code 0 and no sanitizer report.
        async stop() {
            if (!state.exit) proc.kill('SIGTERM');
            let r = await waitExit(proc, state, 10000);
            if (!r) {
                proc.kill('SIGKILL');
                await waitExit(proc, state, 5000);
                assert.fail(`ternd did not exit within 10 s of SIGTERM\n${tail(logs())}`);
            }
            // let the pipes drain
            await new Promise((res) => setTimeout(res, 20));
            assertNoSanitizerReport(logs());
            assert.equal(r.signal, null, `ternd died by signal ${r.signal}\n${tail(logs())}`);
            assert.equal(r.code, 0, `ternd exit code ${r.code}\n${tail(logs())}`);
        },
        async kill9() {
            if (!state.exit) proc.kill('SIGKILL');
            await waitExit(proc, state, 10000);
        },
    };
    return server;
}

// Runs ternd to completion with the given argv (no defaults added); returns {code, signal, stdout, stderr}.
export function runTernd(args, { env = {}, timeoutMs = 10000 } = {}) {
    return new Promise((resolve, reject) => {
        const proc = spawn(terndPath(), args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
        live.add(proc);
        let stdout = '';
        let stderr = '';
        proc.stdout.setEncoding('utf8');
        proc.stderr.setEncoding('utf8');
        proc.stdout.on('data', (d) => (stdout += d));
        proc.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => {
            proc.kill('SIGKILL');
            reject(new Error(`ternd ${args.join(' ')} did not exit within ${timeoutMs} ms\n${tail(stderr)}`));
        }, timeoutMs);
        proc.on('close', (code, signal) => {
            clearTimeout(timer);
            live.delete(proc);
            resolve({ code, signal, stdout, stderr });
        });
    });
}

export function randomOpID() {
    return 'op-' + crypto.randomBytes(8).toString('hex');
}

/**
 * POST base+path. body is JSON-encoded unless rawBody (string/Buffer) is given.
 * opts: token, operationID (null = omit the header), rawBody, headers, method.
 * Returns {status, headers (lower-case plain object), text, json (undefined if not JSON)}.
 */
export async function api(base, pathname, body = {}, opts = {}) {
    const headers = {};
    if (opts.operationID !== null) headers.operationID = opts.operationID ?? randomOpID();
    if (opts.token) headers.token = opts.token;
    Object.assign(headers, opts.headers ?? {});
    const method = opts.method ?? 'POST';
    const init = { method, headers };
    if (method !== 'GET' && method !== 'HEAD') {
        init.body = opts.rawBody !== undefined ? opts.rawBody : JSON.stringify(body);
    }
    const res = await fetch(base + pathname, init);
    const text = await res.text();
    let json;
    try {
        json = JSON.parse(text);
    } catch {}
    const h = {};
    res.headers.forEach((v, k) => (h[k.toLowerCase()] = v));
    return { status: res.status, headers: h, text, json };
}

// Asserts HTTP 200 + errCode 0 and returns the whole envelope.
export async function ok(base, pathname, body, opts) {
    const r = await api(base, pathname, body, opts);
    assert.equal(r.status, 200, `${pathname}: HTTP ${r.status} ${r.text}`);
    assert.ok(r.json, `${pathname}: not JSON: ${r.text}`);
    assert.equal(r.json.errCode, 0, `${pathname}: ${r.text}`);
    assert.equal(r.json.errMsg, '', `${pathname}: ${r.text}`);
    assert.equal(r.json.errDlt, '', `${pathname}: ${r.text}`);
    return r.json;
}

// Asserts an error envelope with the given errCode (HTTP 200 unless status given); returns it.
export async function fails(base, pathname, body, code, opts = {}) {
    const r = await api(base, pathname, body, opts);
    assert.ok(r.json, `${pathname}: not JSON (HTTP ${r.status}): ${r.text}`);
    assert.equal(r.json.errCode, code, `${pathname}: expected errCode ${code}, got ${r.text}`);
    assert.equal(r.status, opts.status ?? 200, `${pathname}: HTTP status ${r.status}: ${r.text}`);
    assert.ok(!('data' in r.json), `${pathname}: error envelope must not carry data: ${r.text}`);
    assert.equal(typeof r.json.errMsg, 'string');
    assert.equal(typeof r.json.errDlt, 'string');
    return r.json;
}

export async function adminToken(base, secret = DEFAULT_SECRET) {
    const j = await ok(base, '/auth/get_admin_token', { secret, userID: ADMIN_ID });
    assert.equal(typeof j.data?.token, 'string');
    return j.data.token;
}

// users: array of userID strings or UserInfo objects (nickname defaults to the userID).
export async function register(base, adminTok, users) {
    const list = users.map((u) => (typeof u === 'string' ? { userID: u, nickname: u } : { nickname: u.userID, ...u }));
    const j = await ok(base, '/user/user_register', { users: list }, { token: adminTok });
    return j;
}

export async function userToken(base, adminTok, userID, platformID = 1) {
    const j = await ok(base, '/auth/get_user_token', { userID, platformID }, { token: adminTok });
    assert.equal(typeof j.data?.token, 'string');
    return j.data.token;
}

export function b64url(buf) {
    return Buffer.from(buf).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

// An HS256 JWT built the way OpenIM (golang-jwt) builds it.
// claims: {UserID, PlatformID, exp, iat} (keys kept in this order; missing exp/iat are filled).
export function forgeToken(secret, claims) {
    const now = Math.floor(Date.now() / 1000);
    const c = {
        UserID: claims.UserID,
        PlatformID: claims.PlatformID,
        exp: claims.exp ?? now + EXPIRE_SECONDS,
        iat: claims.iat ?? now - 5,
    };
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(JSON.stringify(c));
    const sig = b64url(crypto.createHmac('sha256', secret).update(`${header}.${payload}`).digest());
    return `${header}.${payload}.${sig}`;
}

// Splits a JWT into decoded {header, claims, signature, signingInput}.
export function decodeJwt(token) {
    const parts = token.split('.');
    assert.equal(parts.length, 3, `not a JWT: ${token}`);
    const dec = (s) => JSON.parse(Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
    return {
        header: dec(parts[0]),
        claims: dec(parts[1]),
        rawHeader: Buffer.from(parts[0], 'base64').toString('utf8'),
        rawClaims: Buffer.from(parts[1], 'base64').toString('utf8'),
        signature: parts[2],
        signingInput: `${parts[0]}.${parts[1]}`,
    };
}

export function jwtSignatureValid(token, secret) {
    const d = decodeJwt(token);
    return b64url(crypto.createHmac('sha256', secret).update(d.signingInput).digest()) === d.signature;
}

// A port that was free a moment ago.
export function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const p = s.address().port;
            s.close(() => resolve(p));
        });
    });
}

// Builds one raw HTTP/1.1 POST request.
export function rawPost(pathname, body, headers = {}) {
    const b = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    let s = `POST ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\n`;
    for (const [k, v] of Object.entries(headers)) s += `${k}: ${v}\r\n`;
    return Buffer.concat([Buffer.from(s + '\r\n'), b]);
}

// Parses as many complete HTTP/1.1 responses as buf holds. Returns {responses, rest}.
export function parseResponses(buf) {
    const responses = [];
    let off = 0;
    for (;;) {
        const end = buf.indexOf('\r\n\r\n', off);
        if (end < 0) break;
        const head = buf.subarray(off, end).toString('latin1').split('\r\n');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
        if (!m) throw new Error(`bad status line: ${head[0]}`);
        const headers = {};
        for (const line of head.slice(1)) {
            const i = line.indexOf(':');
            if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        let p = end + 4;
        let body;
        if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
            const chunks = [];
            let complete = false;
            for (;;) {
                const le = buf.indexOf('\r\n', p);
                if (le < 0) break;
                const n = parseInt(buf.subarray(p, le).toString('latin1'), 16);
                if (n === 0) {
                    const te = buf.indexOf('\r\n\r\n', le);
                    const te2 = buf.subarray(le + 2, le + 4).toString('latin1') === '\r\n' ? le + 4 : te >= 0 ? te + 4 : -1;
                    if (te2 < 0) break;
                    p = te2;
                    complete = true;
                    break;
                }
                if (buf.length < le + 2 + n + 2) break;
                chunks.push(buf.subarray(le + 2, le + 2 + n));
                p = le + 2 + n + 2;
            }
            if (!complete) break;
            body = Buffer.concat(chunks);
        } else {
            const n = Number(headers['content-length'] ?? 0);
            if (buf.length < p + n) break;
            body = buf.subarray(p, p + n);
            p += n;
        }
        responses.push({ status: Number(m[1]), headers, text: body.toString('utf8') });
        off = p;
    }
    return { responses, rest: buf.subarray(off) };
}

// Connects, writes payload in ONE write, and reads until `count` responses arrived.
export function rawExchange(port, payload, count, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
        const sock = net.connect(port, '127.0.0.1');
        let buf = Buffer.alloc(0);
        const timer = setTimeout(() => {
            sock.destroy();
            reject(new Error(`only got ${parseResponses(buf).responses.length}/${count} responses: ${buf.toString('latin1')}`));
        }, timeoutMs);
        sock.on('connect', () => sock.write(payload));
        sock.on('data', (d) => {
            buf = Buffer.concat([buf, d]);
            let parsed;
            try {
                parsed = parseResponses(buf);
            } catch (e) {
                clearTimeout(timer);
                sock.destroy();
                return reject(e);
            }
            if (parsed.responses.length >= count) {
                clearTimeout(timer);
                sock.destroy();
                resolve(parsed.responses);
            }
        });
        sock.on('error', (e) => {
            clearTimeout(timer);
            reject(e);
        });
        sock.on('close', () => {
            const parsed = parseResponses(buf);
            if (parsed.responses.length < count) {
                clearTimeout(timer);
                reject(new Error(`connection closed after ${parsed.responses.length}/${count} responses: ${buf.toString('latin1')}`));
            }
        });
    });
}

export const nowMs = () => Date.now();
export const nowSec = () => Math.floor(Date.now() / 1000);
export const uid = (prefix = 'u') => `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
