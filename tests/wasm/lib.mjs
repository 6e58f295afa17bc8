// Browser side of the wasm conformance test: a static server for the page and the SDK's assets, a
// Chromium launcher (Debian's /usr/bin/chromium through playwright-core; never a downloaded
// browser), and SdkUser, one browser context running one unmodified @openim/wasm-client-sdk.
// Every console line, SDK event, API call and WebSocket frame of a page is kept in its log, which
// the test prints when something fails. Node 18 and 20; only node built-ins and playwright-core.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import url from 'node:url';
import zlib from 'node:zlib';

export const HERE = path.dirname(url.fileURLToPath(import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
export const SDK_DIR = path.join(HERE, 'node_modules', '@openim', 'wasm-client-sdk');
export const SDK_VERSION = '3.8.5';
export const PLATFORM_WEB = 5;
export const CALL_TIMEOUT_MS = 30000;
export const LOGIN_TIMEOUT_MS = 90000;

const t0 = Date.now();
export const stamp = () => ((Date.now() - t0) / 1000).toFixed(3).padStart(8);

export function checkInstall() {
    const pj = path.join(SDK_DIR, 'package.json');
    if (!fs.existsSync(pj)) {
        throw new Error(`${SDK_DIR} is missing: run "npm ci" in ${HERE}`);
    }
    const v = JSON.parse(fs.readFileSync(pj, 'utf8')).version;
    if (v !== SDK_VERSION) throw new Error(`@openim/wasm-client-sdk is ${v}, expected ${SDK_VERSION}: run "npm ci" in ${HERE}`);
    for (const f of ['assets/wasm_exec.js', 'assets/openIM.wasm', 'assets/sql-wasm.wasm', 'lib/index.es.js', 'lib/worker.js']) {
        if (!fs.existsSync(path.join(SDK_DIR, f))) throw new Error(`${SDK_DIR}/${f} is missing: run "npm ci" in ${HERE}`);
    }
}

// ---------------------------------------------------------------------------------------------
// Static HTTP server: the page plus the package's files, with MIME types, ETag and Last-Modified
// (the SDK keeps openIM.wasm in the Cache API and revalidates it with a HEAD request).

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>tern wasm conformance</title>
<script src="/wasm_exec.js"></script>
<script type="module">
import { getSDK, CbEvents } from '/lib/index.es.js';
const sdk = getSDK({ coreWasmPath: '/openIM.wasm', sqlWasmPath: '/sql-wasm.wasm', debug: true });
for (const ev of new Set(Object.values(CbEvents))) {
    sdk.on(ev, (d) => {
        let s;
        try { s = JSON.stringify(d); } catch (e) { s = JSON.stringify({ unserializable: String(e) }); }
        window.ternEvent(ev, s);
    });
}
window.ternSDK = sdk;
window.ternReady = true;
// resolves once openIM.wasm is compiled and the Go runtime started (null when that failed)
Promise.resolve(sdk.wasmInitializedPromise).then((go) => { window.ternWasmReady = go ? 'ok' : 'failed'; },
    (e) => { window.ternWasmReady = 'failed: ' + e; });
</script></head><body>tern wasm conformance</body></html>
`;

const MIME = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.wasm': 'application/wasm',
    '.json': 'application/json',
    '.map': 'application/json',
};

function resolveStatic(pathname) {
    if (pathname === '/' || pathname === '/index.html') return { page: true };
    const fixed = {
        '/wasm_exec.js': 'assets/wasm_exec.js',
        '/openIM.wasm': 'assets/openIM.wasm',
        '/sql-wasm.wasm': 'assets/sql-wasm.wasm',
    };
    if (fixed[pathname]) return { file: path.join(SDK_DIR, fixed[pathname]) };
    if (pathname.startsWith('/lib/')) {
        const rel = path.posix.normalize(pathname.slice(1));
        if (!rel.startsWith('lib/') || rel.includes('..')) return null;
        const f = path.join(SDK_DIR, rel);
        if (fs.existsSync(f) && fs.statSync(f).isFile()) return { file: f };
    }
    return null;
}

/** Starts the static server on 127.0.0.1:0. isolate: send COOP/COEP (cross-origin isolation). */
export async function startStatic({ isolate = true } = {}) {
    const requests = [];
    const pageBuf = Buffer.from(PAGE);
    const pageTag = '"' + crypto.createHash('sha1').update(pageBuf).digest('hex') + '"';
    const pageTime = new Date().toUTCString();
    const srv = http.createServer((req, res) => {
        const u = new URL(req.url, 'http://x');
        requests.push(`${req.method} ${u.pathname}`);
        const common = { 'Cache-Control': 'no-cache', 'Cross-Origin-Resource-Policy': 'same-origin' };
        if (isolate) {
            common['Cross-Origin-Opener-Policy'] = 'same-origin';
            common['Cross-Origin-Embedder-Policy'] = 'require-corp';
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.writeHead(405, { ...common, Allow: 'GET, HEAD' });
            return res.end();
        }
        if (u.pathname === '/favicon.ico') {
            res.writeHead(204, common);
            return res.end();
        }
        const r = resolveStatic(u.pathname);
        if (!r) {
            res.writeHead(404, { ...common, 'Content-Type': 'text/plain' });
            return res.end('not found\n');
        }
        let etag, lastModified, size, type, body;
        if (r.page) {
            etag = pageTag;
            lastModified = pageTime;
            size = pageBuf.length;
            type = MIME['.html'];
            body = pageBuf;
        } else {
            const st = fs.statSync(r.file);
            etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
            lastModified = st.mtime.toUTCString();
            size = st.size;
            type = MIME[path.extname(r.file)] || 'application/octet-stream';
        }
        const headers = { ...common, 'Content-Type': type, ETag: etag, 'Last-Modified': lastModified };
        if (req.headers['if-none-match'] === etag) {
            res.writeHead(304, headers);
            return res.end();
        }
        headers['Content-Length'] = String(size);
        res.writeHead(200, headers);
        if (req.method === 'HEAD') return res.end();
        if (body) return res.end(body);
        fs.createReadStream(r.file).pipe(res);
    });
    await new Promise((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', resolve);
    });
    const port = srv.address().port;
    return {
        port,
        base: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
            new Promise((resolve) => {
                srv.closeAllConnections?.();
                srv.close(() => resolve());
            }),
    };
}

// ---------------------------------------------------------------------------------------------
// Chromium.

export const CHROMIUM_ARGS = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-dev-shm-usage',
    '--no-proxy-server',
    '--disable-component-update',
    '--disable-domain-reliability',
    '--disable-sync',
    '--metrics-recording-only',
    '--no-first-run',
    '--no-default-browser-check',
];

export async function launchChromium() {
    const { chromium } = await import('playwright-core');
    return chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: 30000,
    });
}

// ---------------------------------------------------------------------------------------------
// Debug decoding of the WebSocket frames (gzip → gob → protobuf), for the logs only.

function gobReader(buf) {
    let p = 0;
    const r = {
        get pos() {
            return p;
        },
        eof: () => p >= buf.length,
        uint() {
            if (p >= buf.length) throw new Error('gob: eof');
            const b = buf[p++];
            if (b < 128) return b;
            const n = 256 - b;
            if (n > 8 || p + n > buf.length) throw new Error('gob: bad uint');
            let v = 0n;
            for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(buf[p++]);
            return Number(v);
        },
        int() {
            const u = BigInt(r.uint());
            return Number(u & 1n ? ~(u >> 1n) : u >> 1n);
        },
        bytes() {
            const n = r.uint();
            if (p + n > buf.length) throw new Error('gob: short bytes');
            const b = buf.subarray(p, p + n);
            p += n;
            return b;
        },
        skipTo(end) {
            p = end;
        },
    };
    return r;
}

// Reads a struct as (delta, value) pairs, calling field(index) for each.
function gobStruct(r, field) {
    let idx = -1;
    for (;;) {
        const d = r.uint();
        if (d === 0) return;
        idx += d;
        field(idx);
    }
}

/** Decodes one self-contained gob stream (type definition + one struct value of int, string and
 *  []byte fields) as the SDK and the gateway exchange them. Returns {typeName, values}. */
export function gobDecodeStruct(buf) {
    const r = gobReader(buf);
    const types = new Map();
    while (!r.eof()) {
        const len = r.uint();
        const end = r.pos + len;
        const id = r.int();
        if (id < 0) {
            const def = { name: '', fields: [] };
            gobStruct(r, (wi) => {
                if (wi !== 2) throw new Error('gob: not a struct type');
                gobStruct(r, (si) => {
                    if (si === 0)
                        gobStruct(r, (ci) => {
                            if (ci === 0) def.name = r.bytes().toString();
                            else r.int();
                        });
                    else if (si === 1) {
                        const n = r.uint();
                        for (let i = 0; i < n; i++) {
                            const f = { name: '', type: 0 };
                            gobStruct(r, (fi) => {
                                if (fi === 0) f.name = r.bytes().toString();
                                else f.type = r.int();
                            });
                            def.fields.push(f);
                        }
                    }
                });
            });
            types.set(-id, def);
            r.skipTo(end);
            continue;
        }
        const def = types.get(id);
        if (!def) throw new Error(`gob: value of undefined type ${id}`);
        const values = {};
        gobStruct(r, (fi) => {
            const f = def.fields[fi];
            if (!f) throw new Error(`gob: field ${fi} out of range`);
            if (f.type === 2) values[f.name] = r.int();
            else if (f.type === 1 || f.type === 3) values[f.name] = r.uint();
            else if (f.type === 6) values[f.name] = r.bytes().toString('utf8');
            else if (f.type === 5) values[f.name] = Buffer.from(r.bytes());
            else throw new Error(`gob: field ${f.name} has unsupported type ${f.type}`);
        });
        return { typeName: def.name, values };
    }
    throw new Error('gob: no value');
}

function pbVarint(b, p) {
    let v = 0n;
    let s = 0n;
    for (;;) {
        if (p >= b.length) throw new Error('pb: eof');
        const x = b[p++];
        v |= BigInt(x & 0x7f) << s;
        if (!(x & 0x80)) return [v, p];
        s += 7n;
        if (s > 70n) throw new Error('pb: long varint');
    }
}

/** A generic, schema-less protobuf rendering ("1:"u1" 2:{1:5}"), for logs. */
export function pbDump(b, depth = 0) {
    const out = [];
    let p = 0;
    while (p < b.length) {
        let key;
        [key, p] = pbVarint(b, p);
        const fn = Number(key >> 3n);
        const wt = Number(key & 7n);
        if (fn === 0) throw new Error('pb: field 0');
        if (wt === 0) {
            let v;
            [v, p] = pbVarint(b, p);
            out.push(`${fn}:${v}`);
        } else if (wt === 2) {
            let n;
            [n, p] = pbVarint(b, p);
            n = Number(n);
            if (p + n > b.length) throw new Error('pb: short');
            const sub = b.subarray(p, p + n);
            p += n;
            const txt = sub.toString('utf8');
            const printable = /^[\x20-\x7e\u00a0-\uffff]*$/.test(txt) && !txt.includes('\ufffd');
            let nested = null;
            if (depth < 6 && n > 0) {
                try {
                    nested = pbDump(sub, depth + 1);
                } catch {}
            }
            if (printable && (nested === null || /^[\w.:/{}"\- ]*$/.test(txt))) out.push(`${fn}:${JSON.stringify(txt)}`);
            else if (nested !== null) out.push(`${fn}:{${nested}}`);
            else out.push(`${fn}:0x${sub.toString('hex')}`);
        } else if (wt === 1) {
            if (p + 8 > b.length) throw new Error('pb: short');
            out.push(`${fn}:f64(0x${b.subarray(p, p + 8).toString('hex')})`);
            p += 8;
        } else if (wt === 5) {
            if (p + 4 > b.length) throw new Error('pb: short');
            out.push(`${fn}:f32(0x${b.subarray(p, p + 4).toString('hex')})`);
            p += 4;
        } else throw new Error(`pb: wire type ${wt}`);
    }
    return out.join(' ');
}

const ANSI_RE = /\x1b\[[0-9;]*m/g;

function clip(s, n = 1500) {
    return s.length > n ? s.slice(0, n) + `…(+${s.length - n})` : s;
}

export function describeWsFrame(payload) {
    if (typeof payload === 'string') return `TEXT ${clip(payload, 400)}`;
    const raw = Buffer.from(payload);
    let buf = raw;
    let gz = '';
    if (raw[0] === 0x1f && raw[1] === 0x8b) {
        try {
            buf = zlib.gunzipSync(raw);
            gz = 'gz ';
        } catch (e) {
            return `BINARY ${raw.length}B gzip error ${e.message}: ${raw.subarray(0, 64).toString('hex')}`;
        }
    }
    try {
        const { typeName, values } = gobDecodeStruct(buf);
        const parts = [];
        for (const [k, v] of Object.entries(values)) {
            if (k === 'Data') continue;
            parts.push(`${k}=${JSON.stringify(v)}`);
        }
        let data = '';
        if (values.Data) {
            try {
                data = ` Data(${values.Data.length}B)={${pbDump(values.Data)}}`;
            } catch (e) {
                data = ` Data(${values.Data.length}B)=0x${values.Data.subarray(0, 200).toString('hex')} (not protobuf: ${e.message})`;
            }
        }
        return clip(`${gz}${typeName}{${parts.join(' ')}}${data}`);
    } catch (e) {
        return `BINARY ${gz}${buf.length}B (${e.message}) ${buf.subarray(0, 96).toString('hex')}`;
    }
}

// ---------------------------------------------------------------------------------------------
// One SDK in one browser context.

export class SdkUser {
    constructor(name, { apiBase } = {}) {
        this.name = name;
        this.apiBase = apiBase;
        this.log = [];
        this.events = [];
        this.waiters = new Set();
        this.sockets = []; // one record per WebSocket the page opened
        this.fatal = null;
    }

    note(line) {
        this.log.push(`${stamp()} [${this.name}] ${line}`);
    }

    async open(browser, staticBase) {
        this.context = await browser.newContext({ serviceWorkers: 'block' });
        const page = (this.page = await this.context.newPage());
        await page.exposeFunction('ternEvent', (name, json) => this._onEvent(name, json));
        // Includes the workers' console. The SDK's list of "registe <method>" lines is noise.
        page.on('console', (m) => {
            const text = m.text().replace(ANSI_RE, '');
            if (text.startsWith('=> (database api) registe ')) return;
            this.note(`console.${m.type()}: ${clip(text, 4000)}`);
        });
        page.on('pageerror', (e) => this.note(`PAGEERROR ${e.stack || e.message || e}`));
        page.on('crash', () => {
            this.fatal = 'page crashed';
            this.note('PAGE CRASHED');
            this._wake();
        });
        page.on('worker', (w) => {
            this.note(`worker started ${w.url().slice(0, 120)}`);
        });
        page.on('requestfailed', (req) => this.note(`REQUEST FAILED ${req.method()} ${req.url()} ${req.failure()?.errorText}`));
        page.on('request', (req) => {
            if (this.apiBase && req.url().startsWith(this.apiBase)) {
                const body = req.postData();
                this.note(`http> ${req.method()} ${req.url().slice(this.apiBase.length)} ${body ? clip(body, 800) : ''}`);
            }
        });
        page.on('response', async (res) => {
            if (this.apiBase && res.url().startsWith(this.apiBase)) {
                let text = '';
                if (res.request().method() !== 'OPTIONS') {
                    try {
                        text = clip(await res.text(), 1200);
                    } catch (e) {
                        text = `(body unavailable: ${e.message})`;
                    }
                }
                this.note(`http< ${res.status()} ${res.request().method()} ${res.url().slice(this.apiBase.length)} ${text}`);
            }
        });
        page.on('websocket', (ws) => {
            const rec = { url: ws.url(), received: [], sent: 0, closed: false, error: null };
            this.sockets.push(rec);
            this.note(`ws open ${ws.url()}`);
            ws.on('framesent', (f) => {
                rec.sent++;
                this.note(`ws> ${describeWsFrame(f.payload)}`);
            });
            ws.on('framereceived', (f) => {
                rec.received.push(typeof f.payload === 'string' ? { text: f.payload } : { binary: f.payload.length });
                this.note(`ws< ${describeWsFrame(f.payload)}`);
            });
            ws.on('socketerror', (e) => {
                rec.error = String(e);
                this.note(`ws error ${e}`);
            });
            ws.on('close', () => {
                rec.closed = true;
                this.note('ws closed');
            });
        });
        this.note(`goto ${staticBase}/`);
        await page.goto(staticBase + '/', { waitUntil: 'load', timeout: 30000 });
        await page.waitForFunction(() => window.ternReady === true, null, { timeout: 30000 });
        this.note('SDK module loaded');
        // Wait for the Go core (36 MB of wasm) to start before anything else happens, so that
        // pages do not compete for the CPU while one of them logs in.
        await page.waitForFunction(() => window.ternWasmReady !== undefined, null, { timeout: 60000 });
        const w = await page.evaluate(() => window.ternWasmReady);
        if (w !== 'ok') throw new Error(`${this.name}: openIM.wasm did not start: ${w}`);
        this.note('page ready (Go core started)');
    }

    _onEvent(name, json) {
        let d;
        try {
            d = JSON.parse(json);
        } catch {
            d = { raw: json };
        }
        const ev = { name, data: d, at: Date.now() };
        this.events.push(ev);
        this.note(`EVENT ${name} ${clip(json, 1500)}`);
        this._wake();
    }

    _wake() {
        for (const w of [...this.waiters]) w();
    }

    /** Resolves with the first event named `name` (or one of the names; at index ≥ from) for which
     *  pred(data, name) is true. */
    waitEvent(name, pred = () => true, timeoutMs = 30000, from = 0) {
        const names = Array.isArray(name) ? name : [name];
        return new Promise((resolve, reject) => {
            const check = () => {
                if (this.fatal) return finish(new Error(`${this.name}: ${this.fatal}`));
                for (let i = from; i < this.events.length; i++) {
                    const e = this.events[i];
                    let okp = false;
                    try {
                        okp = names.includes(e.name) && pred(e.data, e.name);
                    } catch {}
                    if (okp) return finish(null, e);
                }
            };
            const timer = setTimeout(() => {
                const seen = this.events.map((e) => e.name).join(', ');
                finish(new Error(`${this.name}: no ${names.join('|')} event matching within ${timeoutMs} ms; events so far: ${seen || '(none)'}`));
            }, timeoutMs);
            const finish = (err, val) => {
                clearTimeout(timer);
                this.waiters.delete(check);
                err ? reject(err) : resolve(val);
            };
            this.waiters.add(check);
            check();
        });
    }

    has(name) {
        return this.events.some((e) => e.name === name);
    }

    /** Calls sdk[method](...args) in the page; returns {ok, value} or {ok:false, error}. Throws if
     *  the call has not settled within CALL_TIMEOUT_MS. */
    async call(method, ...args) {
        return this.callWithin(CALL_TIMEOUT_MS, method, ...args);
    }

    async callWithin(timeoutMs, method, ...args) {
        this.note(`call ${method} ${clip(JSON.stringify(args), 600)}`);
        let timer;
        const timeout = new Promise((_, reject) => {
            timer = setTimeout(
                () => reject(new Error(`${this.name}: ${method} did not settle within ${timeoutMs} ms`)),
                timeoutMs,
            );
        });
        const evaluated = this.page.evaluate(
            async ([m, a]) => {
                try {
                    const v = await window.ternSDK[m](...a);
                    return { ok: true, value: v === undefined ? null : JSON.parse(JSON.stringify(v)) };
                } catch (e) {
                    let err;
                    try {
                        err = e instanceof Error ? { message: e.message, stack: e.stack } : JSON.parse(JSON.stringify(e));
                    } catch {
                        err = String(e);
                    }
                    return { ok: false, error: err };
                }
            },
            [method, args],
        );
        evaluated.catch(() => {}); // still handled by the race; no unhandled rejection after a timeout
        let r;
        try {
            r = await Promise.race([evaluated, timeout]);
        } catch (e) {
            this.note(`call ${method} failed: ${e.message}`);
            throw e;
        } finally {
            clearTimeout(timer);
        }
        this.note(`call ${method} -> ${clip(JSON.stringify(r), 1500)}`);
        return r;
    }

    /** Like call, but throws unless it resolved; returns the resolved value. */
    async must(method, ...args) {
        const r = await this.call(method, ...args);
        if (!r.ok) throw new Error(`${this.name}: ${method} rejected: ${JSON.stringify(r.error)}`);
        return r.value;
    }

    /** sdk.login(); returns {ok, value} or {ok:false, error} like call(). It resolves once the local
     *  DB is open and the connection goroutines run (not waiting for the WebSocket). */
    async login({ userID, token, apiAddr, wsAddr }) {
        return this.callWithin(LOGIN_TIMEOUT_MS, 'login', {
            userID,
            token,
            platformID: PLATFORM_WEB,
            apiAddr,
            wsAddr,
            logLevel: 5,
            isLogStandardOutput: true,
        });
    }

    /** Throws away the browser context (its IndexedDB, caches, SDK) and opens a fresh one; the log
     *  is kept. */
    async reopen(browser, staticBase) {
        this.note('---- reopening in a fresh browser context');
        await this.close();
        this.events = [];
        this.sockets = [];
        this.fatal = null;
        await this.open(browser, staticBase);
    }

    async close() {
        try {
            await this.context?.close();
        } catch {}
    }

    /** The lines that usually explain a failure: the SDK's ERROR/WARN log lines, console errors,
     *  page errors, failed requests, WebSocket errors/closes, error events and step markers. */
    highlights(maxLines = 80) {
        const re = /\tERROR\t|\tWARN\t|console\.error|PAGEERROR|PAGE CRASHED|REQUEST FAILED|ws error|ws closed|---- |EVENT On(ConnectFailed|UserToken|KickedOffline|SyncServerFailed)|"errCode":[1-9]/;
        // "(invoked by go wasm)" lines are the local DB's answers ("no conversation with id …"): normal misses
        const l = this.log.filter((x) => re.test(x) && !x.includes('(invoked by go wasm)'));
        const head = l.length > maxLines ? [`… ${l.length - maxLines} earlier ones omitted`] : [];
        return [...head, ...l.slice(-maxLines)].map((x) => clip(x, 700)).join('\n');
    }

    dump(maxLines = 400) {
        const l = this.log;
        const head = l.length > maxLines ? [`… ${l.length - maxLines} earlier lines omitted (full log in the log file)`] : [];
        return [...head, ...l.slice(-maxLines)].join('\n');
    }
}
