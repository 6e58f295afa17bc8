// Group messaging through the gateway. Creates one group of N members (timing create_group),
// connects every member (JSON envelope, loopback), then one member sends M messages keeping W in
// flight; prints deliveries/s over all members, send→receive latency percentiles, lost and
// duplicated deliveries, and ternd's RSS. With BENCH_GROUPS=K (env) it instead creates K groups of N
// members drawn from 10·N users, sends one message to each and prints RSS (memory per group).
// With BENCH_OFFLINE=1 it connects nobody: it builds the group, then times M sends to it over
// REST (/msg/send_msg, fsync included) with every member offline.
// Usage: node --experimental-websocket tools/bench-group.mjs [members=2000] [messages=200] [window=4]
// Needs a release build (`make`). A quick measurement; the full load generator is tern-bench.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.argv[2] ?? 2000), M = Number(process.argv[3] ?? 200), W = Number(process.argv[4] ?? 4);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 0);
const OFFLINE = process.env.BENCH_OFFLINE === '1';
const dir = mkdtempSync(join(tmpdir(), 'tern-group-'));
const ternd = spawn(new URL('../build/ternd', import.meta.url).pathname,
    ['--data-dir', dir, '--api-port', '0', '--ws-port', '0', '--listen-ip', '127.0.0.1'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
ternd.stderr.on('data', (d) => { if (log.length < 8192) log += d; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssKiB = () => Number(readFileSync(`/proc/${ternd.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
async function port(what) {
    for (let i = 0; i < 200; i++) {
        const m = log.match(new RegExp(`${what} listening on [^:\\s]+:(\\d+)`));
        if (m) return Number(m[1]);
        await sleep(50);
    }
    throw new Error('ternd did not start: ' + log);
}

// protobuf: just enough to write a group text MsgData
const varint = (v) => { const b = []; do { b.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0)); v = Math.floor(v / 128); } while (v); return b; };
const field = (n, bytes) => Buffer.from([(n << 3) | 2, ...varint(bytes.length), ...bytes]);
const num = (n, v) => Buffer.from([n << 3, ...varint(v)]);
const groupMsg = (from, groupID, id, text) => Buffer.concat([field(1, Buffer.from(from)), field(3, Buffer.from(groupID)),
    field(4, Buffer.from(id)), num(9, 3), num(10, 100), num(11, 101), field(12, Buffer.from(JSON.stringify({ content: text })))]);

try {
    const api = `http://127.0.0.1:${await port('api')}`, ws = `ws://127.0.0.1:${await port('ws')}`;
    const post = async (path, body, token) => {
        const r = await (await fetch(api + path, {
            method: 'POST', body: JSON.stringify(body), headers: { operationID: 'bench', ...(token ? { token } : {}) },
        })).json();
        if (r.errCode) throw new Error(`${path}: ${r.errCode} ${r.errMsg} ${r.errDlt}`);
        return r.data;
    };
    const admin = (await post('/auth/get_admin_token', { secret: 'openIM123', userID: 'imAdmin' })).token;
    const nusers = GROUPS ? 10 * N : N;
    const users = Array.from({ length: nusers }, (_, i) => `g${i}`);
    for (let i = 0; i < nusers; i += 1000)
        await post('/user/user_register', { users: users.slice(i, i + 1000).map((userID) => ({ userID, nickname: userID })) }, admin);
    const rss0 = rssKiB();
    // create_group takes up to 1000 members, invite_user_to_group 1000 more per call
    const create = async (members) => {
        const t = process.hrtime.bigint();
        const d = await post('/group/create_group', {
            ownerUserID: members[0], memberUserIDs: members.slice(1, 1000), groupInfo: { groupName: 'bench', groupType: 2 },
        }, admin);
        const groupID = d.groupInfo.groupID;
        for (let i = 1000; i < members.length; i += 1000)
            await post('/group/invite_user_to_group', { groupID, invitedUserIDs: members.slice(i, i + 1000) }, admin);
        return { groupID, ms: Number(process.hrtime.bigint() - t) / 1e6 };
    };

    if (GROUPS) {
        const times = [];
        for (let g = 0; g < GROUPS; g++) {
            const members = Array.from({ length: N }, (_, i) => users[(g * 97 + i * 7) % nusers]);
            const { groupID, ms } = await create([...new Set(members)]);
            times.push(ms);
            await post('/msg/send_msg', { sendID: members[0], groupID, sessionType: 3, contentType: 101, content: { content: 'hi' } }, admin);
        }
        await sleep(500);
        const rss = rssKiB();
        console.log(`${GROUPS} groups × ${N} members (${nusers} users): create avg ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(1)} ms`);
        console.log(`RSS ${rss0} KiB after registering users -> ${rss} KiB with the groups cached (+${rss - rss0} KiB)`);
    } else if (OFFLINE) {
        const { groupID, ms } = await create(users);
        console.log(`group of ${N} members created (create_group + invites of 1000): ${ms.toFixed(1)} ms; RSS ${rssKiB()} KiB`);
        for (let i = 0; i < M; i++) {
            const t = process.hrtime.bigint();
            await post('/msg/send_msg', { sendID: users[1], groupID, sessionType: 3, contentType: 101, content: { content: `m${i}` } }, admin);
            console.log(`send ${i + 1} with all ${N} members offline: ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(1)} ms`);
        }
        console.log(`RSS ${rssKiB()} KiB`);
    } else {
        const { groupID, ms } = await create(users);
        console.log(`group of ${N} members created (create_group + invites of 1000): ${ms.toFixed(1)} ms`);
        const token = {};
        for (const u of users) token[u] = (await post('/auth/get_user_token', { userID: u, platformID: 5 }, admin)).token;
        const open = (u) => new Promise((resolve, reject) => {
            const s = new WebSocket(`${ws}/?sendID=${u}&token=${token[u]}&platformID=5&operationID=b&isMsgResp=true&sdkType=js`);
            s.binaryType = 'arraybuffer';
            s.onmessage = () => resolve(s);
            s.onerror = reject;
        });
        const conns = [];
        for (let i = 0; i < N; i += 200) conns.push(...await Promise.all(users.slice(i, i + 200).map(open)));
        const rssOnline = rssKiB();
        const t0 = process.hrtime.bigint();
        const nowUs = () => Number((process.hrtime.bigint() - t0) / 1000n);
        const enc = new TextEncoder(), dec = new TextDecoder();
        const lat = [];
        const seen = new Set();
        let sent = 0, acked = 0, delivered = 0, dup = 0;
        const sender = conns[0], from = users[0];
        const sendOne = () => {
            if (sent >= M) return;
            const id = `m${sent}`;
            const data = groupMsg(from, groupID, id, `${id}|${nowUs()}`).toString('base64');
            sender.send(enc.encode(JSON.stringify({ reqIdentifier: 1003, sendID: from, operationID: 'b', msgIncr: id, data })));
            sent++;
        };
        conns.forEach((c, i) => {
            c.onmessage = (ev) => {
                if (typeof ev.data === 'string') return;
                const r = JSON.parse(dec.decode(ev.data));
                if (r.reqIdentifier === 1003 && c === sender) {
                    if (r.errCode) throw new Error(`send failed: ${r.errCode} ${r.errMsg}`);
                    acked++;
                    sendOne();
                    return;
                }
                if (r.reqIdentifier !== 2001) return;
                const m = Buffer.from(r.data, 'base64').toString('latin1').match(/"content":"(m\d+)\|(\d+)"/);
                if (!m) return;
                const key = `${i}:${m[1]}`;
                if (seen.has(key)) { dup++; return; }
                seen.add(key);
                delivered++;
                lat.push(nowUs() - Number(m[2]));
            };
        });
        const start = Date.now();
        for (let i = 0; i < W; i++) sendOne();
        const want = M * N;
        for (let i = 0; i < 600 && delivered + dup < want; i++) await sleep(100);
        const elapsed = (Date.now() - start) / 1000;
        lat.sort((a, b) => a - b);
        const pct = (q) => (lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] / 1000).toFixed(1);
        console.log(`${N} members online, ${M} messages, window ${W}: ${delivered} deliveries in ${elapsed.toFixed(2)} s`);
        console.log(`${(delivered / elapsed).toFixed(0)} deliveries/s; latency ms p50 ${pct(0.5)} p90 ${pct(0.9)} p99 ${pct(0.99)} max ${pct(1)}`);
        console.log(`lost ${want - delivered}, duplicated ${dup}; RSS ${rss0} KiB before connecting, ${rssOnline} KiB with ${N} online, ${rssKiB()} KiB after`);
        for (const s of conns) s.close();
    }
} finally {
    ternd.kill('SIGTERM');
    await sleep(300);
    rmSync(dir, { recursive: true, force: true });
}
