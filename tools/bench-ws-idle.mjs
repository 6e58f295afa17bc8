// Measures ternd's memory per idle authenticated gateway connection: RSS before and after
// opening N WebSocket logins (U users × N/U connections, JSON envelope), read from /proc.
// Usage: node --experimental-websocket tools/bench-ws-idle.mjs [N=10000] [users=100]
// (Node 22+: no flag). Needs a release build (`make`). Loopback only; stops by itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.argv[2] ?? 10000), USERS = Number(process.argv[3] ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'tern-idle-'));
const ternd = spawn(new URL('../build/ternd', import.meta.url).pathname,
    ['--data-dir', dir, '--api-port', '0', '--ws-port', '0', '--listen-ip', '127.0.0.1',
     '--max-conns-per-user', String(Math.ceil(N / USERS) + 1)],
    { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
ternd.stderr.on('data', (d) => { if (log.length < 4096) log += d; });
async function port(what) {
    for (let i = 0; i < 200; i++) {
        const m = log.match(new RegExp(`${what} listening on [^:\\s]+:(\\d+)`));
        if (m) return Number(m[1]);
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('ternd did not start: ' + log);
}
const rssKiB = () => Number(readFileSync(`/proc/${ternd.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
try {
    const api = `http://127.0.0.1:${await port('api')}`, ws = `ws://127.0.0.1:${await port('ws')}`;
    const post = async (path, body, token) => (await fetch(api + path, {
        method: 'POST', body: JSON.stringify(body),
        headers: { operationID: 'bench', ...(token ? { token } : {}) },
    })).json();
    const admin = (await post('/auth/get_admin_token', { secret: 'openIM123', userID: 'imAdmin' })).data.token;
    const ids = Array.from({ length: USERS }, (_, i) => `idle${i}`);
    await post('/user/user_register', { users: ids.map((userID) => ({ userID, nickname: userID })) }, admin);
    const tokens = [];
    for (const id of ids) tokens.push((await post('/auth/get_user_token', { userID: id, platformID: 5 }, admin)).data.token);
    await sleep(500);
    const before = rssKiB();
    const socks = [];
    for (let i = 0; i < N; i += 200) {
        await Promise.all(Array.from({ length: Math.min(200, N - i) }, (_, j) => new Promise((resolve, reject) => {
            const u = (i + j) % USERS;
            const s = new WebSocket(`${ws}/?sendID=${ids[u]}&token=${tokens[u]}&platformID=5&operationID=b&isMsgResp=true&sdkType=js`);
            s.onmessage = () => resolve();
            s.onerror = reject;
            socks.push(s);
        })));
    }
    await sleep(1000);
    const after = rssKiB();
    console.log(`connections: ${N} (${USERS} users), ternd RSS ${before} KiB -> ${after} KiB`);
    console.log(`per idle authenticated connection: ${((after - before) / N * 1024).toFixed(0)} bytes`);
    for (const s of socks) s.close();
} finally {
    ternd.kill('SIGTERM');
    await sleep(300);
    rmSync(dir, { recursive: true, force: true });
}
