// Acked means stored: 200 messages sent over two connections (gob+gzip and JSON) with several
// requests in flight, ternd killed with SIGKILL right after the last ack, restarted on the same data
// dir; every acked message must be there exactly once with contiguous seqs per conversation.
// openim-protocol.md §4.8.3, §6.6, §6.7.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { ok } from '../api/harness.mjs';
import { siID, startEnv } from './client.mjs';

const TOTAL = 200;
const WINDOW = 16; // requests in flight per connection

let env;
let env2;

after(async () => {
    if (env && !env.server.exited()) await env.server.kill9();
    await env2?.server.stop();
});

test('every acked message survives kill -9 exactly once, seqs contiguous', async () => {
    env = await startEnv();
    const [U1, U2, U3] = await env.register('dur_u1', 'dur_u2', 'dur_u3');
    const senders = [
        { uid: U1, conn: await env.connect(U1, { codec: 'gob', gzip: true, platformID: 2 }), peers: [U2, U3] },
        { uid: U2, conn: await env.connect(U2, { codec: 'json', platformID: 5 }), peers: [U1, U3] },
    ];
    // tokens for the restarted server (they are stored in the data dir)
    const tokens = { [U1]: await env.token(U1, 2), [U2]: await env.token(U2, 5), [U3]: await env.newToken(U3, 3) };

    const acked = new Map(); // clientMsgID → {serverMsgID, conversationID, sendID, text}
    let next = 0;
    async function pump(s) {
        for (;;) {
            const i = next++;
            if (i >= TOTAL) return;
            const recvID = s.peers[i % 2];
            const text = `durable #${i} from ${s.uid}`;
            const { env: rep, resp, msg } = await s.conn.sendMsg({ recvID, text });
            assert.equal(rep.errCode, 0, `send #${i}: ${rep.errCode} ${rep.errMsg}`);
            assert.equal(resp.clientMsgID, msg.clientMsgID);
            acked.set(msg.clientMsgID, { serverMsgID: resp.serverMsgID, conversationID: siID(s.uid, recvID), sendID: s.uid, text: JSON.stringify({ content: text }) });
        }
    }
    const workers = [];
    for (const s of senders) for (let w = 0; w < WINDOW; w++) workers.push(pump(s));
    await Promise.all(workers);
    assert.equal(acked.size, TOTAL);
    await env.server.kill9(); // right after the last ack: no graceful flush
    assert.equal(env.server.exited()?.signal, 'SIGKILL');

    env2 = await startEnv({ dataDir: env.server.dataDir });

    // pull every conversation over the gateway (1001 for the maxes, 1002 for the messages)
    const byConv = new Map();
    // conversation → [reader, peer]
    const reader = { [siID(U1, U2)]: [U1, U2], [siID(U1, U3)]: [U3, U1], [siID(U2, U3)]: [U2, U3] };
    const platform = { [U1]: 2, [U2]: 5, [U3]: 3 };
    let stored = 0;
    for (const [cid, [uid, peer]] of Object.entries(reader)) {
        const c = await env2.connect(uid, { codec: uid === U2 ? 'json' : 'gob', platformID: platform[uid], token: tokens[uid] });
        const { resp: max } = await c.getMaxSeq();
        const maxSeq = max.maxSeqs[cid];
        assert.ok(maxSeq > 0, `${cid} missing from 1001: ${JSON.stringify(max.maxSeqs)}`);
        const { resp } = await c.pullRanges([{ conversationID: cid, begin: 1, end: maxSeq, num: maxSeq }]);
        const msgs = resp.msgs[cid]?.Msgs ?? [];
        assert.deepEqual(
            msgs.map((m) => m.seq),
            Array.from({ length: maxSeq }, (_, i) => i + 1),
            `${cid}: seqs not 1..${maxSeq}`,
        );
        for (const m of msgs) assert.notEqual(m.status, 4, `${cid} seq ${m.seq} is a placeholder (lost message)`);
        byConv.set(cid, msgs);
        stored += msgs.length;
        // the next message continues the sequence (no seq reused after the crash)
        const { env: rep, msg } = await c.sendMsg({ recvID: peer, text: 'after restart' });
        assert.equal(rep.errCode, 0);
        const [p] = await c.waitPushedMsgs((x) => x.msg.clientMsgID === msg.clientMsgID);
        assert.equal(p.msg.seq, maxSeq + 1, `${cid}: seq after restart`);
        await c.close();
    }

    const seen = new Map();
    for (const [cid, msgs] of byConv) {
        for (const m of msgs) {
            assert.ok(!seen.has(m.clientMsgID), `duplicate clientMsgID ${m.clientMsgID} (${cid} seq ${m.seq} and ${seen.get(m.clientMsgID)})`);
            seen.set(m.clientMsgID, `${cid} seq ${m.seq}`);
        }
    }
    const missing = [];
    for (const [id, a] of acked) {
        const where = seen.get(id);
        if (!where) {
            missing.push(id);
            continue;
        }
        assert.ok(where.startsWith(a.conversationID + ' '), `${id} stored in ${where}, sent to ${a.conversationID}`);
    }
    assert.deepEqual(missing, [], `${missing.length} acked messages lost after kill -9`);
    for (const msgs of byConv.values())
        for (const m of msgs) {
            const a = acked.get(m.clientMsgID);
            assert.ok(a, `stored message ${m.clientMsgID} was never sent`);
            assert.equal(m.serverMsgID, a.serverMsgID);
            assert.equal(m.sendID, a.sendID);
            assert.equal(m.text, a.text);
        }
    assert.equal(stored, TOTAL);

    // the same picture over REST
    const cid = siID(U1, U2);
    const j = await ok(
        env2.base,
        '/msg/pull_msg_by_seq',
        { userID: U1, seqRanges: [{ conversationID: cid, begin: 1, end: byConv.get(cid).length, num: 1000 }], order: 0 },
        { token: env2.admin },
    );
    const rest = j.data.msgs[cid].Msgs;
    assert.deepEqual(
        rest.map((m) => m.clientMsgID),
        byConv.get(cid).map((m) => m.clientMsgID),
    );
});
