// Conformance harness: runs the official, unmodified @openim/client-sdk (pure JS, JSON envelope)
// against a real ternd. Wraps tests/api/harness.mjs (ternd on random ports, fresh data dir,
// clean-exit and sanitizer checks) and adds the gateway port, SDK clients and event waiting.
//
// Env: TERND (binary), TERN_TEST_TMP (scratch), CONF_VERBOSE=1 (print SDK logs and WS frames live).
import './env.mjs';
import assert from 'node:assert/strict';
import { after } from 'node:test';
import {
    startTernd,
    adminToken,
    register,
    userToken,
    api,
    ok,
    forgeToken,
    uid,
    DEFAULT_SECRET,
    assertNoSanitizerReport,
} from '../api/harness.mjs';
import { closeSocketsFor, reopenToken, closeAllSockets, traceTail, sdkLog, unhandled, VERBOSE } from './env.mjs';

// The package ships four builds of the same source. lib/index.js (CJS, what Node's resolver
// picks), lib/index.es.js (what bundlers pick via "module") and lib/index.umd.js are transpiled
// with loose-mode array spread: `[...seqMap.entries()]` became `[].concat(seqMap.entries())`,
// so the SDK's reconnect sync (WS 1002 pulls of the seqs missed while offline) throws
// "Cannot read properties of undefined (reading '0')". lib/index.modern.mjs keeps the real spread.
// We test the server, not that SDK bug, so we load the modern build.
const SDK_ENTRY = '@openim/client-sdk/lib/index.modern.mjs';
let sdkModule;
try {
    sdkModule = await import(SDK_ENTRY);
} catch (e) {
    throw new Error(
        `cannot load ${SDK_ENTRY} (${e.message}); run \`npm ci\` in tests/conformance first`,
    );
}
export const { getSDK, CbEvents, LogLevel, SessionType, MessageType, Platform } = sdkModule;

export { api, ok, forgeToken, uid, DEFAULT_SECRET, adminToken, register, userToken };

export const PLATFORM_WEB = 5;
export const PLATFORM_WINDOWS = 3;

const WS_RE = /ws listening on [^:\s]+:(\d+)/;

function tail(s, n = 3000) {
    return s.length > n ? '…' + s.slice(-n) : s;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------- servers
const servers = new Set();

/**
 * Starts ternd (options as tests/api/harness.mjs startTernd) and waits for both listening lines.
 * Returns the harness server plus {wsPort, apiAddr, wsAddr, admin (admin token)}.
 */
export async function startServer(opts = {}) {
    const s = await startTernd(opts);
    servers.add(s);
    const deadline = Date.now() + (opts.timeoutMs ?? 10000);
    let m;
    while (!(m = WS_RE.exec(s.logs())) && Date.now() < deadline && !s.exited()) await sleep(20);
    if (!m) {
        await s.kill9();
        servers.delete(s);
        assert.fail(`ternd did not print "ws listening on <ip>:<port>" (args ${s.args.join(' ')})\n${tail(s.logs())}`);
    }
    s.wsPort = Number(m[1]);
    s.apiAddr = s.base;
    s.wsAddr = `ws://127.0.0.1:${s.wsPort}`;
    s.admin = await adminToken(s.base);
    const stop = s.stop.bind(s);
    s.stop = async () => {
        servers.delete(s);
        await stop();
    };
    const kill9 = s.kill9.bind(s);
    s.kill9 = async () => {
        servers.delete(s);
        assertNoSanitizerReport(s.logs(), 'ternd output before SIGKILL');
        await kill9();
    };
    return s;
}

/** Same data dir and same ports as a stopped server `prev`. */
export async function restartServer(prev, opts = {}) {
    return startServer({ ...opts, dataDir: prev.dataDir, apiPort: prev.port, wsPort: prev.wsPort });
}

/** Registers users (nickname = `nick_<id>`) and returns {id: token} for the given platform. */
export async function makeUsers(server, ids, platformID = PLATFORM_WEB) {
    await register(
        server.base,
        server.admin,
        ids.map((id) => ({ userID: id, nickname: `nick_${id}` })),
    );
    const out = {};
    for (const id of ids) out[id] = await userToken(server.base, server.admin, id, platformID);
    return out;
}

export function singleConvID(a, b) {
    const [x, y] = [a, b].sort();
    return `si_${x}_${y}`;
}

// -------------------------------------------------------------------------------------- waiting

/**
 * Waits until `emitter` emits `event` with a payload for which predicate(payload) is truthy.
 * Rejects with a clear message after timeoutMs.
 */
export function waitFor(emitter, event, predicate = () => true, timeoutMs = 10000, describe = '') {
    return new Promise((resolve, reject) => {
        const onEvent = (payload) => {
            let hit;
            try {
                hit = predicate(payload);
            } catch (e) {
                hit = false;
            }
            if (hit) {
                clearTimeout(timer);
                emitter.off(event, onEvent);
                resolve(payload);
            }
        };
        const timer = setTimeout(() => {
            emitter.off(event, onEvent);
            reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}${describe ? ` (${describe})` : ''}`));
        }, timeoutMs);
        emitter.on(event, onEvent);
    });
}

/** Polls fn() until it returns a truthy value; returns it. */
export async function until(fn, timeoutMs, what, diag = () => '') {
    const deadline = Date.now() + timeoutMs;
    let last, lastErr;
    for (;;) {
        try {
            last = await fn();
            if (last) return last;
        } catch (e) {
            lastErr = e;
        }
        if (Date.now() > deadline) {
            assert.fail(
                `timed out after ${timeoutMs} ms: ${what}` +
                    (lastErr ? `\nlast error: ${fmtErr(lastErr)}` : '') +
                    `\n${diag()}`,
            );
        }
        await sleep(100);
    }
}

export function fmtErr(e) {
    if (e instanceof Error) return e.stack ?? e.message;
    try {
        return JSON.stringify(e);
    } catch {
        return String(e);
    }
}

// -------------------------------------------------------------------------------------- clients
const clients = new Set();

/**
 * One SDK instance (= one browser tab) for one user on one platform.
 * Every SDK event is recorded in `events` ({name, data, errCode, errMsg, operationID, t}).
 */
export class Client {
    constructor({ server, userID, token, platformID = PLATFORM_WEB, label }) {
        this.server = server;
        this.userID = userID;
        this.token = token;
        this.platformID = platformID;
        this.label = label ?? `${userID}/p${platformID}`;
        this.events = [];
        this.sdk = getSDK();
        for (const name of new Set(Object.values(CbEvents))) {
            this.sdk.on(name, (ev) => this.events.push({ ...ev, name, t: Date.now() }));
        }
        clients.add(this);
    }

    /** Index into `events`; pass as `since` to only look at later events. */
    mark() {
        return this.events.length;
    }

    /** Calls sdk.login; resolves when the WS is open (as the SDK does), without waiting for sync. */
    async login({ server = this.server } = {}) {
        this.server = server;
        reopenToken(this.token);
        try {
            return await this.sdk.login({
                userID: this.userID,
                token: this.token,
                platformID: this.platformID,
                apiAddr: server.apiAddr,
                wsAddr: server.wsAddr,
                logLevel: VERBOSE ? LogLevel.Debug : LogLevel.Warn,
            });
        } catch (e) {
            throw new Error(`${this.label}: sdk.login rejected: ${fmtErr(e)}\n${this.diag()}`);
        }
    }

    /** login + OnConnectSuccess + OnSyncServerFinish (fails fast on OnSyncServerFailed / token events). */
    async loginAndSync(timeoutMs = 15000) {
        const since = this.mark();
        await this.login();
        await this.waitEvent(CbEvents.OnConnectSuccess, () => true, { since, timeoutMs, failOn: FATAL_LOGIN_EVENTS });
        await this.waitEvent(CbEvents.OnSyncServerFinish, () => true, { since, timeoutMs, failOn: FATAL_LOGIN_EVENTS });
    }

    /**
     * Waits for an SDK event (already recorded since `since`, or future) matching pred(eventObj).
     * failOn: event names that abort the wait immediately.
     */
    waitEvent(name, pred = () => true, { since = 0, timeoutMs = 10000, failOn = [] } = {}) {
        const start = Date.now();
        return new Promise((resolve, reject) => {
            let idx = since;
            const tick = () => {
                for (; idx < this.events.length; idx++) {
                    const ev = this.events[idx];
                    if (failOn.includes(ev.name)) {
                        return reject(
                            new Error(
                                `${this.label}: got ${ev.name} (errCode ${ev.errCode}, errMsg ${JSON.stringify(ev.errMsg)}) while waiting for ${name}\n${this.diag()}`,
                            ),
                        );
                    }
                    let hit = false;
                    if (ev.name === name) {
                        try {
                            hit = pred(ev);
                        } catch {}
                    }
                    if (hit) return resolve(ev);
                }
                if (Date.now() - start > timeoutMs) {
                    return reject(new Error(`${this.label}: timed out after ${timeoutMs} ms waiting for ${name}\n${this.diag()}`));
                }
                setTimeout(tick, 25);
            };
            tick();
        });
    }

    /** All messages delivered through OnRecvNewMessages since `since`. */
    received(since = 0) {
        return this.events
            .slice(since)
            .filter((e) => e.name === CbEvents.OnRecvNewMessages)
            .flatMap((e) => e.data ?? []);
    }

    /** Waits until OnRecvNewMessages delivered a message with this clientMsgID; returns it. */
    async waitMessage(clientMsgID, { since = 0, timeoutMs = 10000 } = {}) {
        await this.waitEvent(
            CbEvents.OnRecvNewMessages,
            (ev) => (ev.data ?? []).some((m) => m.clientMsgID === clientMsgID),
            { since, timeoutMs },
        );
        return this.received(since).find((m) => m.clientMsgID === clientMsgID);
    }

    /** Calls an SDK method; returns `data`, or fails with the SDK's error object. */
    async call(method, ...args) {
        try {
            const r = await this.sdk[method](...args);
            return r.data;
        } catch (e) {
            throw new Error(`${this.label}: ${method}(${JSON.stringify(args).slice(0, 300)}) failed: ${fmtErr(e)}\n${this.diag()}`);
        }
    }

    /** createTextMessage + sendMessage; returns {created, sent}. */
    async sendText(recvID, text) {
        const created = await this.call('createTextMessage', text);
        const sent = await this.call('sendMessage', { recvID, groupID: '', message: created });
        return { created, sent };
    }

    async conversations(count = 50) {
        return this.call('getConversationListSplit', { offset: 0, count });
    }

    async history(conversationID, count = 50) {
        return this.call('getAdvancedHistoryMessageList', {
            conversationID,
            count,
            startClientMsgID: '',
            viewType: 0,
        });
    }

    /**
     * Calls an SDK method and returns the SDK's whole answer {errCode, errMsg, data, ...}, also
     * when it failed (the SDK resolves failed calls with errCode set; it only rejects when logged out).
     */
    async attempt(method, ...args) {
        try {
            return await this.sdk[method](...args);
        } catch (e) {
            if (e && typeof e === 'object' && 'errCode' in e) return e;
            return { errCode: -1, errMsg: fmtErr(e), data: null };
        }
    }

    /** Calls an SDK method; returns `data`, fails unless the SDK reports errCode 0. */
    async must(method, ...args) {
        const r = await this.attempt(method, ...args);
        if (!r || r.errCode !== 0) {
            const last = this.http().slice(-3).map(fmtHttp).join('\n');
            assert.fail(
                `${this.label}: ${method}(${JSON.stringify(args).slice(0, 300)}) answered errCode ${r?.errCode} ` +
                    `errMsg ${JSON.stringify(r?.errMsg)}\nlast REST calls:\n${last || '  (none recorded)'}\n${this.diag()}`,
            );
        }
        return r.data;
    }

    /** createTextMessage + sendMessage to a group; returns {created, result} (result = SDK answer, errCode included). */
    async trySendGroupText(groupID, text, method = 'sendMessage') {
        const created = await this.must('createTextMessage', text);
        const result = await this.attempt(method, { recvID: '', groupID, message: created });
        return { created, result };
    }

    /** REST calls this client made (needs recordHttp()); path: exact path or undefined for all. */
    http(path, since = 0) {
        return httpLog.filter((e) => e.t >= since && e.token === this.token && (!path || e.path === path));
    }

    /** diag() plus this client's last REST calls (needs recordHttp()). */
    diagHttp(n = 15) {
        const calls = this.http().slice(-n).map(fmtHttp).join('\n');
        return `${this.diag()}\nREST calls of ${this.label} (last ${n}):\n${calls || '  (none recorded)'}`;
    }

    diag() {
        const evs = this.events
            .slice(-25)
            .map(
                (e) =>
                    `  ${new Date(e.t).toISOString().slice(11, 23)} ${e.name}` +
                    (e.errCode ? ` errCode=${e.errCode} errMsg=${JSON.stringify(e.errMsg)}` : '') +
                    (e.data != null ? ` data=${JSON.stringify(e.data).slice(0, 200)}` : ''),
            )
            .join('\n');
        const unh = unhandled.length ? `\nunhandled rejections (SDK internals):\n${unhandled.slice(-5).join('\n')}` : '';
        const logs = sdkLog.length ? `\nlast SDK log lines:\n${sdkLog.slice(-15).join('\n')}` : '';
        return (
            `events of ${this.label} (last 25):\n${evs || '  (none)'}` +
            `\nWS frames of ${this.label} (last 40):\n${traceTail((e) => e.key === this.token) || '  (none)'}` +
            unh +
            logs +
            (this.server ? `\nternd log tail:\n${tail(this.server.logs(), 2500)}` : '')
        );
    }

    /** Logs out (if still logged in) and closes this client's sockets for good. */
    async close() {
        clients.delete(this);
        // Sockets first, reconnects refused: a socket that drops while the SDK logs out makes it
        // reconnect and re-sync with the API address logout already cleared.
        await closeSocketsFor(this.token);
        try {
            await Promise.race([this.sdk.logout(), sleep(2000)]);
        } catch {}
    }
}

export function fmtHttp(e) {
    const res = typeof e.res === 'string' ? e.res : JSON.stringify(e.res);
    return `  ${new Date(e.t).toISOString().slice(11, 23)} ${e.path} ${JSON.stringify(e.req)?.slice(0, 200)} -> HTTP ${e.status} ${res?.slice(0, 400)}`;
}

export const FATAL_LOGIN_EVENTS = [
    CbEvents.OnSyncServerFailed,
    CbEvents.OnUserTokenInvalid,
    CbEvents.OnUserTokenExpired,
    CbEvents.OnKickedOffline,
];

/** Creates and logs in a client, waiting for the end of its login sync. */
export async function online(server, userID, token, platformID = PLATFORM_WEB, label) {
    const c = new Client({ server, userID, token, platformID, label });
    await c.loginAndSync();
    return c;
}

/** Asserts that no SDK-internal promise failed so far (they indicate a server answer the SDK could not use). */
export function assertNoSdkErrors() {
    assert.equal(unhandled.length, 0, `SDK-internal errors (unhandled rejections):\n${unhandled.join('\n')}`);
}

/** Message fields every delivered single-chat text message must carry. */
export function assertTextMessage(m, { sendID, recvID, text }) {
    const ctx = JSON.stringify(m);
    assert.equal(m.sendID, sendID, `sendID: ${ctx}`);
    assert.equal(m.recvID, recvID, `recvID: ${ctx}`);
    assert.equal(m.sessionType, 1, `sessionType: ${ctx}`);
    assert.equal(m.contentType, 101, `contentType: ${ctx}`);
    assert.equal(m.msgFrom, 100, `msgFrom: ${ctx}`);
    assert.equal(m.textElem?.content, text, `textElem.content: ${ctx}`);
    assert.ok(Number.isInteger(m.seq) && m.seq >= 1, `seq must be >= 1: ${ctx}`);
    assert.ok(typeof m.serverMsgID === 'string' && m.serverMsgID.length > 0, `serverMsgID: ${ctx}`);
    assert.ok(typeof m.clientMsgID === 'string' && m.clientMsgID.length > 0, `clientMsgID: ${ctx}`);
    assert.ok(Number.isFinite(m.sendTime) && m.sendTime > 1.6e12 && m.sendTime < Date.now() + 60000, `sendTime (ms): ${ctx}`);
}

// ------------------------------------------------------------------------------ HTTP recording
// Opt-in (recordHttp()): wraps globalThis.fetch so that every REST call the SDK makes is kept with
// its answer. The SDK turns a REST error into errCode 10006 + the server's errMsg (the server's
// errCode is lost), so tests that want the server's code read it from here.
export const httpLog = []; // {t, token, path, req, status, res (parsed JSON or text)}
const HTTP_MAX = 2000;
let httpRecording = false;

export function recordHttp() {
    if (httpRecording) return;
    httpRecording = true;
    const orig = globalThis.fetch;
    globalThis.fetch = async function (input, init = {}) {
        const url = typeof input === 'string' ? input : input?.url ?? String(input);
        let path = url;
        try {
            path = new URL(url).pathname;
        } catch {}
        const h = init?.headers ?? {};
        const token = typeof h.get === 'function' ? h.get('token') : h.token;
        let req;
        try {
            req = typeof init?.body === 'string' ? JSON.parse(init.body) : init?.body ? `<${init.body.length ?? '?'} bytes>` : undefined;
        } catch {
            req = init.body;
        }
        const entry = { t: Date.now(), token: token ?? '', path, req, status: 0, res: undefined };
        httpLog.push(entry);
        if (httpLog.length > HTTP_MAX) httpLog.shift();
        const res = await orig.call(this, input, init);
        entry.status = res.status;
        try {
            const text = await res.clone().text();
            try {
                entry.res = JSON.parse(text);
            } catch {
                entry.res = text;
            }
        } catch {}
        return res;
    };
}

// --------------------------------------------------------------------------------------- cleanup
// Every test file: close remaining clients, then stop remaining servers (exit 0 + no sanitizer).
after(async () => {
    for (const c of [...clients]) await c.close();
    await closeAllSockets();
    const errs = [];
    for (const s of [...servers]) {
        try {
            await s.stop();
        } catch (e) {
            errs.push(e);
        }
    }
    if (errs.length) throw errs[0];
});
