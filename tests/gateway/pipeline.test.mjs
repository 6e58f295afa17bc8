// Pipelined requests on one connection: sends (1003) written back to back without waiting are all
// acknowledged, in send order, with consecutive seqs; any other request or frame sent behind them is
// answered after them and sees them, and what follows it waits for its answer. Also the input bound
// (reading pauses behind a stall and resumes) and connections that go away with sends in flight.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { siID, sleep, startEnv } from './client.mjs';

let env;

before(async () => {
    env = await startEnv();
});

after(async () => {
    await env?.server.stop();
});

// Every frame the client receives, in arrival order: 'text', 'pong' or the envelope's msgIncr.
function recordOrder(c) {
    const order = [];
    c.ws.on('message', (data, isBinary) => {
        if (!isBinary) return order.push('text');
        const env = c.envelopes[c.envelopes.length - 1]; // GwClient's listener ran first
        order.push(env?.msgIncr || `push ${env?.reqIdentifier}`);
    });
    c.ws.on('pong', () => order.push('pong'));
    return order;
}

// Writes n sends without waiting; returns their promises (in send order).
function burst(c, recvID, n, tag) {
    const sends = [];
    for (let i = 0; i < n; i++) sends.push(c.sendMsg({ recvID, text: `${tag} ${i}` }));
    return sends;
}

async function maxSeqOf(c, cid) {
    const { env: rep, resp } = await c.getMaxSeq();
    assert.equal(rep.errCode, 0, rep.errMsg);
    return resp.maxSeqs[cid] ?? 0;
}

// The acks of results arrived in this order among all the client's envelopes.
function assertAckOrder(c, results, what) {
    const incrs = new Set(results.map((r) => r.env.msgIncr));
    const got = c.envelopes.filter((e) => e.reqIdentifier === 1003 && incrs.has(e.msgIncr)).map((e) => e.msgIncr);
    assert.deepEqual(got, [...incrs], `${what}: acks out of send order`);
}

for (const variant of [
    { name: 'JSON envelope', codec: 'json', gzip: false, tag: 'j' },
    { name: 'gob envelope + gzip', codec: 'gob', gzip: true, tag: 'g' },
]) {
    describe(`pipelined sends (${variant.name})`, () => {
        const A = `pipe_a_${variant.tag}`;
        const B = `pipe_b_${variant.tag}`;
        const cid = siID(A, B);
        const conn = (uid, o = {}) => env.connect(uid, { codec: variant.codec, gzip: variant.gzip, ...o });
        let a, b;

        before(async () => {
            await env.register(A, B);
            a = await conn(A, { platformID: 1 });
            b = await conn(B, { platformID: 2 });
        });
        after(async () => {
            await a?.close();
            await b?.close();
        });

        test('50 sends back to back: every one acked with errCode 0, in order, seqs consecutive; B gets all 50 in order', async () => {
            const start = await maxSeqOf(a, cid);
            const N = 50;
            const results = await Promise.all(burst(a, B, N, 'burst'));
            for (const [i, r] of results.entries()) {
                assert.equal(r.env.errCode, 0, `send ${i}: ${r.env.errCode} ${r.env.errMsg}`);
                assert.equal(r.resp.clientMsgID, r.msg.clientMsgID, `send ${i}: ack of another message`);
            }
            assertAckOrder(a, results, 'burst of 50');
            const ids = results.map((r) => r.msg.clientMsgID);
            // the pushed copies carry the seqs the writer gave, in the order it took the sends
            const got = await b.waitPushedMsgs((x) => ids.includes(x.msg.clientMsgID), N, 10000);
            assert.deepEqual(
                got.map((x) => x.msg.clientMsgID),
                ids,
                'B: push order is not send order',
            );
            assert.deepEqual(
                got.map((x) => x.msg.seq),
                ids.map((_, i) => start + 1 + i),
                'B: seqs not consecutive in send order',
            );
            const own = await a.waitPushedMsgs((x) => ids.includes(x.msg.clientMsgID), N, 10000);
            assert.deepEqual(
                own.map((x) => x.msg.seq),
                ids.map((_, i) => start + 1 + i),
                'A (sender sync): seqs',
            );
            assert.equal(await maxSeqOf(a, cid), start + N);
        });

        test('1001 and 1002 written right behind a burst (not waiting) see its last seq', async () => {
            const start = await maxSeqOf(a, cid);
            const N = 40;
            const sends = burst(a, B, N, 'then 1001');
            const newest = a.getMaxSeq(); // written behind the sends, before any ack came
            const results = await Promise.all(sends);
            const { env: rep, resp } = await newest;
            assert.equal(rep.errCode, 0);
            assert.equal(resp.maxSeqs[cid], start + N, '1001 did not see the whole burst');
            // its reply came after every ack of the burst
            const pos = (incr) => a.envelopes.findIndex((e) => e.msgIncr === incr);
            for (const r of results) assert.ok(pos(r.env.msgIncr) < pos(rep.msgIncr), '1001 answered before a send of the burst');

            const sends2 = burst(a, B, N, 'then 1002');
            const pull = a.pullRanges([{ conversationID: cid, begin: start + 1, end: start + 2 * N + 10, num: 3 * N }]);
            const results2 = await Promise.all(sends2);
            const { env: prep, resp: presp } = await pull;
            assert.equal(prep.errCode, 0, prep.errMsg);
            const msgs = presp.msgs[cid]?.Msgs ?? [];
            assert.deepEqual(
                msgs.map((m) => m.seq),
                Array.from({ length: 2 * N }, (_, i) => start + 1 + i),
                '1002 did not see the whole burst',
            );
            assert.equal(msgs[msgs.length - 1].clientMsgID, results2[N - 1].msg.clientMsgID);
            assertAckOrder(a, [...results, ...results2], 'two bursts');
        });

        test('a request between two bursts is answered between them: it sees the first burst only', async () => {
            const start = await maxSeqOf(a, cid);
            const order = recordOrder(a);
            const first = burst(a, B, 10, 'before');
            const newest = a.getMaxSeq();
            const second = burst(a, B, 10, 'after');
            const r1 = await Promise.all(first);
            const { env: rep, resp } = await newest;
            const r2 = await Promise.all(second);
            for (const r of [...r1, ...r2]) assert.equal(r.env.errCode, 0);
            // the sends behind it waited for its answer, those before it were all stored
            assert.equal(resp.maxSeqs[cid], start + 10, 'the 1001 between the bursts saw the wrong max seq');
            const incrs = [...r1.map((r) => r.env.msgIncr), rep.msgIncr, ...r2.map((r) => r.env.msgIncr)];
            assert.deepEqual(
                order.filter((x) => incrs.includes(x)),
                incrs,
                'replies not in request order',
            );
            assert.equal(await maxSeqOf(a, cid), start + 20);
        });
    });
}

describe('heartbeats and other frames inside a burst', () => {
    let a, j;
    before(async () => {
        await env.register('pipe_hb_a', 'pipe_hb_b');
        a = await env.connect('pipe_hb_a', { codec: 'gob', platformID: 2 });
        j = await env.connect('pipe_hb_a', { codec: 'json', platformID: 5 });
    });
    after(async () => {
        await a?.close();
        await j?.close();
    });

    test('a WS PING between sends: PONG after the acks of the sends before it; every send acked in order', async () => {
        const order = recordOrder(a);
        const first = burst(a, 'pipe_hb_b', 15, 'ping before');
        a.ping(Buffer.from('hb'));
        const second = burst(a, 'pipe_hb_b', 15, 'ping after');
        const results = await Promise.all([...first, ...second]);
        for (const r of results) assert.equal(r.env.errCode, 0);
        assertAckOrder(a, results, 'around a ping');
        await a.waitUntil(() => a.pongs.length >= 1, 5000, 'pong');
        assert.deepEqual(a.pongs[0], Buffer.from('hb'));
        const firstIncrs = (await Promise.all(first)).map((r) => r.env.msgIncr);
        const pongAt = order.indexOf('pong');
        for (const incr of firstIncrs) assert.ok(order.indexOf(incr) < pongAt, 'PONG overtook an ack of an earlier send');
    });

    test('a text {"type":"ping"} (JS SDK heartbeat) between sends is answered; every send acked in order', async () => {
        const order = recordOrder(j);
        const texts = j.texts.length;
        const first = burst(j, 'pipe_hb_b', 15, 'text ping before');
        j.sendRaw('{"type":"ping"}', false);
        const second = burst(j, 'pipe_hb_b', 15, 'text ping after');
        const results = await Promise.all([...first, ...second]);
        for (const r of results) assert.equal(r.env.errCode, 0);
        assertAckOrder(j, results, 'around a text ping');
        await j.waitUntil(() => j.texts.length > texts, 5000, 'pong text');
        assert.deepEqual(JSON.parse(j.texts[texts]), { type: 'pong', body: null });
        const pongAt = order.indexOf('text');
        for (const r of await Promise.all(first)) assert.ok(order.indexOf(r.env.msgIncr) < pongAt, 'pong overtook an earlier ack');
    });

    test('2004 and 2005 inside a burst are answered in place', async () => {
        const order = recordOrder(j);
        const first = burst(j, 'pipe_hb_b', 8, 'before 2004');
        const bg = j.setBackground(false);
        const mid = burst(j, 'pipe_hb_b', 8, 'before 2005');
        const sub = j.subscribe(['pipe_hb_b']);
        const last = burst(j, 'pipe_hb_b', 8, 'after 2005');
        const r1 = await Promise.all(first);
        const bgRep = await bg;
        const r2 = await Promise.all(mid);
        const { env: subRep } = await sub;
        const r3 = await Promise.all(last);
        assert.equal(bgRep.errCode, 0);
        assert.equal(subRep.errCode, 0);
        const incrs = [...r1.map((r) => r.env.msgIncr), bgRep.msgIncr, ...r2.map((r) => r.env.msgIncr), subRep.msgIncr, ...r3.map((r) => r.env.msgIncr)];
        for (const r of [...r1, ...r2, ...r3]) assert.equal(r.env.errCode, 0);
        assert.deepEqual(
            order.filter((x) => incrs.includes(x)),
            incrs,
            'replies not in request order',
        );
    });

    test('a close frame right behind a burst: every send is acked before the server closes', async () => {
        const c = await env.connect('pipe_hb_a', { codec: 'json', platformID: 3 });
        const sends = burst(c, 'pipe_hb_b', 20, 'then close');
        const closed = c.close();
        const results = await Promise.all(sends);
        for (const r of results) assert.equal(r.env.errCode, 0);
        assertAckOrder(c, results, 'before close');
        assert.equal((await closed).code, 1000);
    });
});

describe('input bound and connections that go away', () => {
    test('a 1001 followed by 2 MB of sends without reading a reply: reading pauses and resumes, all acked in order', async () => {
        await env.register('pipe_big_a', 'pipe_big_b');
        const c = await env.connect('pipe_big_a', { codec: 'json', platformID: 2 }); // no gzip: the bytes stay big
        const cid = siID('pipe_big_a', 'pipe_big_b');
        const N = 128;
        const text = 'x'.repeat(16 * 1024); // 128 × 16 KiB: far past the server's input bound
        const newest = c.getMaxSeq();
        const sends = [];
        for (let i = 0; i < N; i++) sends.push(c.sendMsg({ recvID: 'pipe_big_b', text: `${i} ${text}`, options: { senderSync: false } }));
        const { env: rep } = await newest;
        assert.equal(rep.errCode, 0);
        const results = await Promise.all(sends);
        for (const [i, r] of results.entries()) assert.equal(r.env.errCode, 0, `send ${i}: ${r.env.errMsg}`);
        assertAckOrder(c, results, '2 MB of sends');
        assert.equal(await maxSeqOf(c, cid), N);
        const { resp } = await c.pullRanges([{ conversationID: cid, begin: 1, end: N, num: N }]);
        assert.deepEqual(
            resp.msgs[cid].Msgs.map((m) => m.clientMsgID),
            results.map((r) => r.msg.clientMsgID),
        );
        await c.close();
    });

    test('connections dropped with sends in flight or waiting: the server carries on', async () => {
        await env.register('pipe_gone_a', 'pipe_gone_b');
        for (let round = 0; round < 5; round++) {
            for (const codec of ['json', 'gob']) {
                const c = await env.connect('pipe_gone_a', { codec, platformID: 2 });
                const sends = burst(c, 'pipe_gone_b', 40, `gone ${round}`);
                c.getMaxSeq().catch(() => {}); // a barrier with sends parked behind it
                burst(c, 'pipe_gone_b', 40, `gone ${round} more`).forEach((p) => p.catch(() => {}));
                sends.forEach((p) => p.catch(() => {}));
                if (round % 2) await sleep(round); // sometimes after some acks came
                c.terminate();
                await c.closed;
            }
        }
        // whatever was stored is contiguous, and the user's next send goes on from there
        const c = await env.connect('pipe_gone_a', { codec: 'json', platformID: 2 });
        const cid = siID('pipe_gone_a', 'pipe_gone_b');
        await sleep(200);
        const max = await maxSeqOf(c, cid);
        const { env: rep, resp } = await c.sendMsg({ recvID: 'pipe_gone_b', text: 'after' });
        assert.equal(rep.errCode, 0);
        assert.ok(resp);
        assert.equal(await maxSeqOf(c, cid), max + 1);
        if (max) {
            const { resp: pulled } = await c.pullRanges([{ conversationID: cid, begin: 1, end: max + 1, num: max + 1 }]);
            assert.deepEqual(
                pulled.msgs[cid].Msgs.map((m) => m.seq),
                Array.from({ length: max + 1 }, (_, i) => i + 1),
            );
        }
        await c.close();
    });
});

describe('a reader that pauses (a second ternd, 64 MB send queue)', () => {
    let env2;
    before(async () => {
        env2 = await startEnv({ extraArgs: ['--max-send-queue-bytes', '64M'] });
        await env2.register('pipe_slow_a', 'pipe_slow_b');
    });
    after(async () => {
        await env2?.server.stop();
    });

    test('every push arrives intact once it reads again, past what the kernel buffers (writes taken in part)', async () => {
        const reader = await env2.connect('pipe_slow_b', { codec: 'json', platformID: 2 });
        const sender = await env2.connect('pipe_slow_a', { codec: 'gob', platformID: 2 });
        reader.ws._socket.pause(); // the kernel buffers fill, then ternd queues
        const N = 32;
        const text = (i) => `${i} ${'y'.repeat(500 * 1024 + i * 1001)}`; // ~16 MB, odd sizes
        const results = await Promise.all(Array.from({ length: N }, (_, i) => sender.sendMsg({ recvID: 'pipe_slow_b', text: text(i), options: { senderSync: false } })));
        for (const r of results) assert.equal(r.env.errCode, 0);
        await sleep(100);
        reader.ws._socket.resume();
        const ids = results.map((r) => r.msg.clientMsgID);
        const got = await reader.waitPushedMsgs((x) => ids.includes(x.msg.clientMsgID), N, 20000);
        assert.deepEqual(
            got.map((x) => x.msg.clientMsgID),
            ids,
        );
        for (const [i, x] of got.entries()) assert.equal(x.msg.text, JSON.stringify({ content: text(i) }));
        assert.deepEqual(reader.decodeErrors, []);
        assert.ok(reader.isOpen);
        await reader.close();
        await sender.close();
    });
});
