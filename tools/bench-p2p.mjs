// 1:1 messaging through the gateway: P sender→receiver pairs, each sender keeping W messages in
// flight (a new send per ack), for D seconds. Prints delivered msgs/s, send→receive latency
// percentiles, lost and duplicated counts. JSON envelope (the JS SDK's), loopback only.
// Usage: node --experimental-websocket tools/bench-p2p.mjs [pairs=20] [window=8] [seconds=10]
// Needs a release build (`make`). A quick measurement; the full load generator is tern-bench.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const P = Number(process.argv[2] ?? 20), W = Number(process.argv[3] ?? 8), D = Number(process.argv[4] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'tern-p2p-'));
const ternd = spawn(new URL('../build/ternd', import.meta.url).pathname,
    ['--data-dir', dir, '--api-port', '0', '--ws-port', '0', '--listen-ip', '127.0.0.1',
     '--max-conns-per-user', '4'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
ternd.stderr.on('data', (d) => { if (log.length < 8192) log += d; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function port(what) {
    for (let i = 0; i < 200; i++) {
        const m = log.match(new RegExp(`${what} listening on [^:\\s]+:(\\d+)`));
        if (m) return Number(m[1]);
        await sleep(50);
    }
    throw new Error('ternd did not start: ' + log);
}

// protobuf: just enough to write a text MsgData
const varint = (v) => { const b = []; do { b.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0)); v = Math.floor(v / 128); } while (v); return b; };
const field = (n, bytes) => Buffer.from([(n << 3) | 2, ...varint(bytes.length), ...bytes]);
const num = (n, v) => Buffer.from([n << 3, ...varint(v)]);
function msgData(from, to, id, text) {
    return Buffer.concat([field(1, Buffer.from(from)), field(2, Buffer.from(to)), field(4, Buffer.from(id)),
        num(9, 1), num(10, 100), num(11, 101), field(12, Buffer.from(JSON.stringify({ content: text })))]);
}

const lat = [];
const seen = new Set();
let sent = 0, acked = 0, delivered = 0, dup = 0, stop = false;
const t0 = process.hrtime.bigint();
const nowUs = () => Number((process.hrtime.bigint() - t0) / 1000n);

try {
    const api = `http://127.0.0.1:${await port('api')}`, ws = `ws://127.0.0.1:${await port('ws')}`;
    const post = async (path, body, token) => (await fetch(api + path, {
        method: 'POST', body: JSON.stringify(body), headers: { operationID: 'bench', ...(token ? { token } : {}) },
    })).json();
    const admin = (await post('/auth/get_admin_token', { secret: 'openIM123', userID: 'imAdmin' })).data.token;
    const users = Array.from({ length: 2 * P }, (_, i) => `p2p${i}`);
    await post('/user/user_register', { users: users.map((userID) => ({ userID, nickname: userID })) }, admin);
    const token = {};
    for (const u of users) token[u] = (await post('/auth/get_user_token', { userID: u, platformID: 5 }, admin)).data.token;
    const open = (u) => new Promise((resolve, reject) => {
        const s = new WebSocket(`${ws}/?sendID=${u}&token=${token[u]}&platformID=5&operationID=b&isMsgResp=true&sdkType=js`);
        s.binaryType = 'arraybuffer';
        s.onmessage = () => resolve(s);
        s.onerror = reject;
    });
    const conns = {};
    for (const u of users) conns[u] = await open(u);
    const enc = new TextEncoder(), dec = new TextDecoder();
    for (let p = 0; p < P; p++) {
        const from = users[2 * p], to = users[2 * p + 1];
        const sc = conns[from], rc = conns[to];
        let n = 0;
        const sendOne = () => {
            if (stop) return;
            const id = `${from}-${n++}`;
            const data = msgData(from, to, id, `${id}|${nowUs()}`).toString('base64');
            sc.send(enc.encode(JSON.stringify({ reqIdentifier: 1003, sendID: from, operationID: 'b', msgIncr: id, data })));
            sent++;
        };
        sc.onmessage = (ev) => {
            if (typeof ev.data === 'string') return;
            const r = JSON.parse(dec.decode(ev.data));
            if (r.reqIdentifier === 1003) {
                if (r.errCode) throw new Error(`send failed: ${r.errCode} ${r.errMsg}`);
                acked++;
                sendOne();
            }
        };
        rc.onmessage = (ev) => {
            if (typeof ev.data === 'string') return;
            const r = JSON.parse(dec.decode(ev.data));
            if (r.reqIdentifier !== 2001) return;
            const m = Buffer.from(r.data, 'base64').toString('latin1').match(/"content":"([^|"]+)\|(\d+)"/);
            if (!m) return;
            if (seen.has(m[1])) { dup++; return; }
            seen.add(m[1]);
            delivered++;
            lat.push(nowUs() - Number(m[2]));
        };
        for (let i = 0; i < W; i++) sendOne();
    }
    const start = Date.now();
    await sleep(D * 1000);
    stop = true;
    const elapsed = (Date.now() - start) / 1000;
    await sleep(1000); // let the last messages land
    lat.sort((a, b) => a - b);
    const pct = (q) => (lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] / 1000).toFixed(2);
    console.log(`pairs ${P}, window ${W}, ${D} s: sent ${sent}, acked ${acked}, delivered ${delivered}`);
    console.log(`delivered ${(delivered / elapsed).toFixed(0)} msgs/s; latency ms p50 ${pct(0.5)} p90 ${pct(0.9)} p99 ${pct(0.99)} max ${(lat[lat.length - 1] / 1000).toFixed(2)}`);
    console.log(`lost ${acked - delivered > 0 ? acked - delivered : 0}, duplicated ${dup}`);
    for (const s of Object.values(conns)) s.close();
} finally {
    ternd.kill('SIGTERM');
    await sleep(300);
    rmSync(dir, { recursive: true, force: true });
}
