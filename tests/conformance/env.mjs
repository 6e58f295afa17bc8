// Browser environment for the unmodified @openim/client-sdk running under Node 18/20.
// Must be imported before the SDK. It provides only what a browser has and Node lacks, plus
// bookkeeping the test harness needs; the SDK's own code is never touched.
//
//  * globalThis.WebSocket: the `ws` package behind the browser API. binaryType defaults to "blob"
//    as in browsers (the SDK calls `await data.arrayBuffer()` on binary frames, so it sees the
//    same Blob objects a browser hands it). Every socket is registered so that the harness can
//    close a client's sockets for good and trace the frames for failure messages.
//  * Timers started by SDK code are unref()'d. A browser tab has no notion of "the process stays
//    alive"; the SDK starts setInterval()s it never clears (its TTL caches' cleanup timers) and
//    reconnect timeouts, which would otherwise keep every test process alive forever.
//  * console output coming from the SDK (it logs at debug level by default and prints raw
//    objects with console.warn) is kept in a ring buffer instead of flooding the TAP stream;
//    set CONF_VERBOSE=1 to see it live.
//  * A REST call that fails after its client was closed is dropped, not reported.
//  * Unhandled promise rejections are recorded (a browser logs them and keeps running), so that
//    the tests can report SDK-internal failures caused by unexpected server answers.
import util from 'node:util';
import WebSocketImpl from 'ws';

export const VERBOSE = !!process.env.CONF_VERBOSE;

const SDK_FRAME_RE = /[\\/]node_modules[\\/](?:@openim[\\/]client-sdk|loglevel)[\\/]/;
function calledFromSdk() {
    const saved = Error.stackTraceLimit;
    Error.stackTraceLimit = 12;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = saved;
    return SDK_FRAME_RE.test(stack);
}

// ---------------------------------------------------------------------------------------- timers
for (const name of ['setTimeout', 'setInterval']) {
    const orig = globalThis[name];
    const wrapped = function (...args) {
        const t = orig.apply(this, args);
        if (calledFromSdk() && t && typeof t.unref === 'function') t.unref();
        return t;
    };
    if (orig[util.promisify.custom]) wrapped[util.promisify.custom] = orig[util.promisify.custom];
    globalThis[name] = wrapped;
}

// --------------------------------------------------------------------------------------- console
const LOG_MAX = 400;
export const sdkLog = [];
for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    const orig = console[name].bind(console);
    console[name] = (...args) => {
        if (!calledFromSdk()) return orig(...args);
        let line;
        try {
            line = util.format(...args.map((a) => (typeof a === 'string' ? a.replace(/%c/g, '') : a)));
        } catch {
            line = String(args[0]);
        }
        if (line.length > 600) line = line.slice(0, 600) + '…';
        sdkLog.push(`[sdk ${name}] ${line}`);
        if (sdkLog.length > LOG_MAX) sdkLog.shift();
        if (VERBOSE) process.stderr.write(`[sdk ${name}] ${line}\n`);
    };
}

// ------------------------------------------------------------------------- unhandled rejections
export const unhandled = [];
process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? reason.stack : util.inspect(reason, { depth: 4 });
    unhandled.push(text);
    process.stderr.write(`[conformance] unhandled rejection inside the SDK/test: ${text}\n`);
});

// ------------------------------------------------------------------ REST calls of closed clients
// The SDK follows some pushes with a REST call of its own (getOneConversationAndTryChange). One
// made by a client the test has already closed can fail against a server the test then stopped;
// its rejection would land in a later test. A closed client is a closed browser tab: such a
// failure is not reported, its promise simply never settles.
const fetchImpl = globalThis.fetch;
globalThis.fetch = async function (input, init = {}) {
    try {
        return await fetchImpl.call(this, input, init);
    } catch (e) {
        const h = init?.headers ?? {};
        const token = typeof h.get === 'function' ? h.get('token') : h.token;
        if (token && closedKeys.has(token)) return new Promise(() => {});
        throw e;
    }
};

// ------------------------------------------------------------------------------------- WebSocket
const TRACE_MAX = 600;
export const wsTrace = []; // {t, key, dir, text}
export const sockets = new Set();
const closedKeys = new Set();
let shuttingDown = false;

function keyOf(url) {
    try {
        const u = new URL(url);
        return u.searchParams.get('token') ?? '';
    } catch {
        return '';
    }
}
function who(url) {
    try {
        const u = new URL(url);
        return `${u.searchParams.get('sendID')}/p${u.searchParams.get('platformID')}`;
    } catch {
        return '?';
    }
}

function trace(ws, dir, text) {
    if (text.length > 500) text = text.slice(0, 500) + '…';
    wsTrace.push({ t: Date.now(), key: ws._confKey, who: ws._confWho, dir, text });
    if (wsTrace.length > TRACE_MAX) wsTrace.shift();
    if (VERBOSE) process.stderr.write(`[ws ${ws._confWho} ${dir}] ${text}\n`);
}

function describeEnvelope(text) {
    try {
        const j = JSON.parse(text);
        const n = j.data ? Buffer.from(j.data, 'base64').length : 0;
        return `{reqIdentifier:${j.reqIdentifier}, msgIncr:${JSON.stringify(j.msgIncr)}, operationID:${JSON.stringify(j.operationID)}, errCode:${j.errCode}, errMsg:${JSON.stringify(j.errMsg)}, data:${n}B}`;
    } catch {
        return `non-JSON binary frame: ${JSON.stringify(text.slice(0, 200))}`;
    }
}

export class BrowserWebSocket extends WebSocketImpl {
    constructor(url, protocols) {
        super(url, protocols);
        this.binaryType = 'blob';
        this._confKey = keyOf(url);
        this._confWho = who(url);
        sockets.add(this);
        trace(this, 'open?', String(url).replace(/token=[^&]+/, 'token=…'));
        this.on('open', () => trace(this, 'opened', ''));
        this.on('message', (data, isBinary) => {
            if (!isBinary) return trace(this, 'S>C text', data.toString());
            const p = data instanceof Blob ? data.text() : Promise.resolve(Buffer.from(data).toString());
            p.then((t) => trace(this, 'S>C bin', describeEnvelope(t)));
        });
        this.on('close', (code, reason) => {
            sockets.delete(this);
            trace(this, 'closed', `code ${code} ${reason ?? ''}`);
        });
        this.on('error', (e) => trace(this, 'error', e.message));
        if (shuttingDown || closedKeys.has(this._confKey)) this.close();
    }

    send(data, ...rest) {
        if (typeof data === 'string') trace(this, 'C>S text', data);
        else {
            try {
                trace(this, 'C>S bin', describeEnvelope(Buffer.from(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength).toString()));
            } catch {}
        }
        return super.send(data, ...rest);
    }
}

globalThis.WebSocket = BrowserWebSocket;

// Closes (for good) every socket that presents this token: later sockets with the token are
// closed as soon as the SDK opens them (it reconnects on its own schedule).
export async function closeSocketsFor(token, graceMs = 1500) {
    closedKeys.add(token);
    const mine = [...sockets].filter((s) => s._confKey === token);
    for (const s of mine) if (s.readyState !== WebSocketImpl.CLOSED) s.close();
    const deadline = Date.now() + graceMs;
    while (mine.some((s) => s.readyState !== WebSocketImpl.CLOSED) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
    }
    for (const s of mine) if (s.readyState !== WebSocketImpl.CLOSED) s.terminate();
}

export function reopenToken(token) {
    closedKeys.delete(token);
}

export async function closeAllSockets() {
    shuttingDown = true;
    for (const s of sockets) s.terminate();
    await new Promise((r) => setTimeout(r, 20));
}

export function traceTail(filter = () => true, n = 40) {
    return wsTrace
        .filter(filter)
        .slice(-n)
        .map((e) => `  ${new Date(e.t).toISOString().slice(11, 23)} ${e.who} ${e.dir} ${e.text}`)
        .join('\n');
}
