// Gateway messaging over both envelope codecs (JSON for the JS SDK, gob+gzip for the Go SDK):
// 1003 send + 2001 pushes, seqs, idempotent resend, 1001/1002/1005/1006/1007 sync, 2004, 2005
// subscriptions, 1004, send rejections, and what closes the connection.
// openim-protocol.md §4.4–§4.9, §5.1, §5.4, §6.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';

import { ok } from '../api/harness.mjs';
import { clientMsgID, decode, encode, GENERAL_WS_REQ_FIELDS, GOB, gobTypeDef, gobValue, pb, siID, sleep, startEnv } from './client.mjs';

let env;

before(async () => {
    env = await startEnv();
});

after(async () => {
    await env?.server.stop();
});

const HEX32 = /^[0-9a-f]{32}$/;

async function stillUsable(c) {
    const { env: rep } = await c.getMaxSeq();
    assert.equal(rep.errCode, 0);
}

function msgsOf(resp, cid) {
    return resp?.msgs?.[cid]?.Msgs ?? [];
}

for (const variant of [
    { name: 'JSON envelope (sdkType=js)', codec: 'json', gzip: false, tag: 'j' },
    { name: 'gob envelope + gzip (Go SDK)', codec: 'gob', gzip: true, tag: 'g' },
]) {
    describe(variant.name, () => {
        const u = (n) => `${n}_${variant.tag}`;
        const A = u('alice');
        const B = u('bob');
        const C = u('carol');
        const D = u('dave');
        const E = u('erin');
        const F = u('frank');
        const conn = (uid, o = {}) => env.connect(uid, { codec: variant.codec, gzip: variant.gzip, ...o });
        let a, b;

        before(async () => {
            await env.register(A, B, C, D, E, F);
            a = await conn(A, { platformID: 1 });
            b = await conn(B, { platformID: 2 });
        });
        after(async () => {
            await a?.close();
            await b?.close();
        });

        test('1003 send A→B: ack, push to B and to the sending connection (senderSync)', async () => {
            const before = Date.now();
            const { env: rep, msg, resp } = await a.sendMsg({ recvID: B, text: 'first message' });
            assert.equal(rep.reqIdentifier, 1003);
            assert.equal(rep.msgIncr, rep.req.msgIncr, 'msgIncr echoed');
            assert.equal(rep.operationID, rep.req.operationID, 'operationID echoed');
            assert.equal(rep.errCode, 0, rep.errMsg);
            assert.equal(rep.errMsg, '');
            assert.match(resp.serverMsgID, HEX32);
            assert.equal(resp.clientMsgID, msg.clientMsgID);
            assert.ok(resp.sendTime >= before - 1000 && resp.sendTime <= Date.now() + 1000, `sendTime ${resp.sendTime}`);
            // clients may also decode the ack as msg.SendMsgResp: modify (4) is not set
            assert.equal(decode(pb.SendMsgResp, rep.data).modify, null);

            const cid = siID(A, B);
            for (const [who, c] of [
                ['B', b],
                ['A (sender sync)', a],
            ]) {
                const [p] = await c.waitPushedMsgs((x) => x.msg.clientMsgID === msg.clientMsgID);
                assert.equal(p.env.reqIdentifier, 2001, who);
                assert.equal(p.env.msgIncr, '', `${who}: push has empty msgIncr`);
                assert.equal(p.env.errCode, 0);
                assert.equal(p.conversationID, cid, who);
                assert.equal(p.notification, false);
                const pm = decode(pb.PushMessages, p.env.data);
                assert.deepEqual(Object.keys(pm.msgs), [cid], `${who}: exactly one map entry`);
                assert.deepEqual(pm.notificationMsgs, {});
                assert.equal(pm.msgs[cid].Msgs.length, 1);
                assert.equal(pm.msgs[cid].isEnd, false);
                const m = p.msg;
                assert.equal(m.seq, 1, `${who}: first message of the conversation has seq 1`);
                assert.equal(m.serverMsgID, resp.serverMsgID);
                assert.equal(m.sendID, A);
                assert.equal(m.recvID, B);
                assert.equal(m.sessionType, 1);
                assert.equal(m.contentType, 101);
                assert.equal(m.msgFrom, 100);
                assert.equal(m.text, JSON.stringify({ content: 'first message' }));
                assert.equal(m.sendTime, resp.sendTime, 'pushed sendTime = acked sendTime');
                assert.equal(m.createTime, msg.createTime);
                assert.equal(m.senderPlatformID, 1);
                assert.notEqual(m.status, 1, 'status "sending" is not pushed back');
            }
        });

        test('options senderSync=false: only the recipient gets the push', async () => {
            const { resp, msg } = await a.sendMsg({ recvID: B, text: 'no sync', options: { senderSync: false } });
            assert.ok(resp);
            await b.waitPushedMsgs((x) => x.msg.clientMsgID === msg.clientMsgID);
            // a later normal message reaches A; pushes are ordered, so the first would have come first
            const { msg: marker } = await a.sendMsg({ recvID: B, text: 'marker' });
            await a.waitPushedMsgs((x) => x.msg.clientMsgID === marker.clientMsgID);
            assert.equal(a.pushedMsgs().filter((x) => x.msg.clientMsgID === msg.clientMsgID).length, 0, 'sender got a push despite senderSync=false');
        });

        test('N messages: consecutive seqs, pushes arrive in order, several requests in flight', async () => {
            const { resp: maxBefore } = await a.getMaxSeq();
            const cid = siID(A, B);
            const start = maxBefore.maxSeqs[cid];
            const N = 20;
            // all sent without waiting: the server answers them one at a time, in order
            const sends = [];
            for (let i = 0; i < N; i++) sends.push(a.sendMsg({ recvID: B, text: `burst ${i}` }));
            const results = await Promise.all(sends);
            const ids = results.map((r) => {
                assert.equal(r.env.errCode, 0);
                return r.msg.clientMsgID;
            });
            const inOrder = a.envelopes.filter((e) => e.reqIdentifier === 1003 && results.some((r) => r.env.msgIncr === e.msgIncr)).map((e) => e.msgIncr);
            assert.deepEqual(inOrder, results.map((r) => r.env.msgIncr), 'replies come in request order');
            for (const c of [b, a]) {
                const got = await c.waitPushedMsgs((x) => ids.includes(x.msg.clientMsgID), N);
                assert.deepEqual(got.map((x) => x.msg.clientMsgID), ids, 'push order = send order');
                assert.deepEqual(
                    got.map((x) => x.msg.seq),
                    ids.map((_, i) => start + 1 + i),
                    'seqs consecutive',
                );
            }
            const { resp: maxAfter } = await a.getMaxSeq();
            assert.equal(maxAfter.maxSeqs[cid], start + N);
        });

        test("an answer never overtakes the sender's own copy: pushes reach a connection in seq order", async () => {
            const cid = siID(A, B);
            // A's own copy is held back briefly after the reply; B's answer, sent at once, must
            // still reach A after it, or the SDK sees seq n+1 before seq n
            const { msg: mine } = await a.sendMsg({ recvID: B, text: 'question' });
            const { msg: answer } = await b.sendMsg({ recvID: A, text: 'answer' });
            const got = await a.waitPushedMsgs((x) => x.conversationID === cid && [mine.clientMsgID, answer.clientMsgID].includes(x.msg.clientMsgID), 2);
            assert.deepEqual(
                got.map((x) => x.msg.clientMsgID),
                [mine.clientMsgID, answer.clientMsgID],
                `A's pushes: ${JSON.stringify(got.map((x) => [x.msg.seq, x.msg.content]))}`,
            );
            assert.equal(got[1].msg.seq, got[0].msg.seq + 1);
        });

        test('resending the same clientMsgID: same serverMsgID, no new seq, no second push', async () => {
            const cid = siID(A, B);
            const id = clientMsgID();
            const first = await a.sendMsg({ recvID: B, text: 'once', clientMsgID: id });
            await b.waitPushedMsgs((x) => x.msg.clientMsgID === id);
            const max1 = (await a.getMaxSeq()).resp.maxSeqs[cid];
            const second = await a.sendMsg({ recvID: B, text: 'once', clientMsgID: id });
            assert.equal(second.env.errCode, 0, second.env.errMsg);
            assert.equal(second.resp.serverMsgID, first.resp.serverMsgID);
            assert.equal(second.resp.clientMsgID, id);
            assert.equal(second.resp.sendTime, first.resp.sendTime);
            const max2 = (await a.getMaxSeq()).resp.maxSeqs[cid];
            assert.equal(max2, max1, 'no new seq');
            const { msg: marker } = await a.sendMsg({ recvID: B, text: 'after resend' });
            await b.waitPushedMsgs((x) => x.msg.clientMsgID === marker.clientMsgID);
            assert.equal(b.pushedMsgs().filter((x) => x.msg.clientMsgID === id).length, 1, 'B got the message twice');
            const pulled = await b.pullRanges([{ conversationID: cid, begin: 1, end: max2 + 1, num: 1000 }]);
            assert.equal(msgsOf(pulled.resp, cid).filter((m) => m.clientMsgID === id).length, 1, 'stored twice');
        });

        test('1001 GetNewestSeq lists the conversation with its max seq; no zero entries, no minSeqs', async () => {
            const cid = siID(A, B);
            const { env: rep, resp } = await b.getMaxSeq();
            assert.equal(rep.errCode, 0);
            assert.equal(rep.reqIdentifier, 1001);
            const pushedMax = Math.max(...b.pushedMsgs().filter((x) => x.conversationID === cid).map((x) => x.msg.seq));
            assert.equal(resp.maxSeqs[cid], pushedMax);
            for (const [k, v] of Object.entries(resp.maxSeqs)) assert.ok(v > 0, `entry ${k} with max 0`);
            assert.deepEqual(resp.minSeqs, {});
            // a user with no conversations gets an empty map
            const f = await conn(F, { platformID: 3 });
            const { resp: empty } = await f.getMaxSeq();
            assert.deepEqual(empty.maxSeqs, {});
            // asking for someone else's seqs is refused
            const other = await f.getMaxSeq(A);
            assert.notEqual(other.env.errCode, 0);
            await f.close();
        });

        describe('sync of a 10-message conversation C→D', () => {
            let c, d;
            const cid = siID(C, D);
            const sent = [];
            before(async () => {
                c = await conn(C, { platformID: 3 });
                d = await conn(D, { platformID: 5 });
                for (let i = 1; i <= 10; i++) sent.push((await c.sendMsg({ recvID: D, text: `m${i}` })).msg.clientMsgID);
                await d.waitPushedMsgs((x) => x.conversationID === cid, 10);
            });
            after(async () => {
                await c?.close();
                await d?.close();
            });

            const seqsOf = (resp) => msgsOf(resp, cid).map((m) => m.seq);

            test('1002 whole range: stored messages in seq order with their content', async () => {
                const { env: rep, resp } = await d.pullRanges([{ conversationID: cid, begin: 1, end: 10, num: 100 }]);
                assert.equal(rep.errCode, 0);
                assert.equal(rep.reqIdentifier, 1002);
                const msgs = msgsOf(resp, cid);
                assert.deepEqual(msgs.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
                assert.deepEqual(msgs.map((m) => m.clientMsgID), sent);
                assert.deepEqual(msgs.map((m) => m.text), sent.map((_, i) => JSON.stringify({ content: `m${i + 1}` })));
                for (const m of msgs) {
                    assert.equal(m.sendID, C);
                    assert.equal(m.recvID, D);
                    assert.match(m.serverMsgID, HEX32);
                }
                assert.deepEqual(resp.notificationMsgs, {});
                assert.equal(resp.msgs[cid].isEnd, true, 'end 10 reaches the max');
            });

            test('1002 num smaller than the range → the last num seqs', async () => {
                const { resp } = await d.pullRanges([{ conversationID: cid, begin: 1, end: 10, num: 3 }]);
                assert.deepEqual(seqsOf(resp), [8, 9, 10]);
                const { resp: r2 } = await d.pullRanges([{ conversationID: cid, begin: 2, end: 7, num: 2 }]);
                assert.deepEqual(seqsOf(r2), [6, 7]);
                assert.equal(r2.msgs[cid].isEnd, false, 'end 7 < max 10');
            });

            test('1002 with begin omitted (0) → from the first seq (no stored message is invented)', async () => {
                const { resp } = await d.pullRanges([{ conversationID: cid, end: 10, num: 100 }]);
                const msgs = msgsOf(resp, cid);
                const real = msgs.filter((m) => m.seq >= 1);
                assert.deepEqual(real.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
                for (const m of msgs.filter((x) => x.seq < 1)) assert.equal(m.status, 4, 'seq 0 may only be a placeholder');
            });

            test('1002 end beyond the max is clamped; a range past the max is omitted', async () => {
                const { resp } = await d.pullRanges([{ conversationID: cid, begin: 5, end: 1000, num: 100 }]);
                assert.deepEqual(seqsOf(resp), [5, 6, 7, 8, 9, 10]);
                assert.equal(resp.msgs[cid].isEnd, true);
                const { resp: none } = await d.pullRanges([{ conversationID: cid, begin: 11, end: 20, num: 10 }]);
                assert.deepEqual(none.msgs, {});
            });

            test('1002 several ranges; a conversation the user does not have is skipped', async () => {
                const { resp } = await c.pullRanges([
                    { conversationID: cid, begin: 9, end: 10, num: 10 },
                    { conversationID: siID(A, B), begin: 1, end: 5, num: 10 },
                ]);
                assert.deepEqual(Object.keys(resp.msgs), [cid]);
                assert.deepEqual(seqsOf(resp), [9, 10]);
            });

            test("1002 for another user's userID is refused", async () => {
                const { env: rep } = await d.pullRanges([{ conversationID: cid, begin: 1, end: 10, num: 10 }], 0, C);
                assert.notEqual(rep.errCode, 0);
            });

            test('1005 explicit seqs (PullMsgBySeqList): exactly the asked seqs', async () => {
                const { env: rep, resp } = await d.pullSeqs([{ conversationID: cid, seqs: [2, 4, 9] }]);
                assert.equal(rep.errCode, 0);
                assert.equal(rep.reqIdentifier, 1005);
                const msgs = msgsOf(resp, cid);
                assert.deepEqual(msgs.map((m) => m.seq).sort((x, y) => x - y), [2, 4, 9]);
                for (const m of msgs) assert.equal(m.clientMsgID, sent[m.seq - 1]);
                assert.equal(resp.msgs[cid].isEnd, false);
            });

            test('1005 a seq above the max (order asc) → isEnd with endSeq = max; seqs ≤ 0 ignored', async () => {
                const { resp } = await d.pullSeqs([{ conversationID: cid, seqs: [0, -3, 10, 15] }]);
                const pm = resp.msgs[cid];
                assert.ok(pm, 'conversation present');
                assert.deepEqual(pm.Msgs.map((m) => m.seq), [10]);
                assert.equal(pm.isEnd, true);
                assert.equal(pm.endSeq, 10);
                const { resp: only } = await d.pullSeqs([{ conversationID: cid, seqs: [11] }]);
                assert.equal(only.msgs[cid]?.isEnd, true);
                assert.equal(only.msgs[cid]?.endSeq, 10);
                assert.equal(only.msgs[cid]?.Msgs.length, 0);
            });

            test("1006 has-read/max seq: the sender's hasReadSeq = its last message's seq, the reader's 0", async () => {
                const before = Date.now();
                const { env: rep, resp } = await c.hasReadAndMaxSeq([cid]);
                assert.equal(rep.errCode, 0);
                assert.equal(rep.reqIdentifier, 1006);
                const s = resp.seqs[cid];
                assert.equal(s.maxSeq, 10);
                assert.equal(s.hasReadSeq, 10);
                assert.ok(s.maxSeqTime > before - 60000 && s.maxSeqTime <= Date.now() + 1000, `maxSeqTime ${s.maxSeqTime}`);
                const { resp: dr } = await d.hasReadAndMaxSeq([]);
                assert.equal(dr.seqs[cid].maxSeq, 10);
                assert.equal(dr.seqs[cid].hasReadSeq, 0);
                // D now answers: D's hasReadSeq follows its own message
                await d.sendMsg({ recvID: C, text: 'reply' });
                const { resp: dr2 } = await d.hasReadAndMaxSeq([cid]);
                assert.equal(dr2.seqs[cid].maxSeq, 11);
                assert.equal(dr2.seqs[cid].hasReadSeq, 11);
                const { resp: cr2 } = await c.hasReadAndMaxSeq([cid]);
                assert.equal(cr2.seqs[cid].hasReadSeq, 10);
            });

            test('1007 last message per conversation; conversations without messages absent', async () => {
                const { env: rep, resp } = await c.lastMessage([cid, siID(C, 'nobody_at_all')]);
                assert.equal(rep.errCode, 0);
                assert.equal(rep.reqIdentifier, 1007);
                assert.deepEqual(Object.keys(resp.msgs), [cid]);
                const m = resp.msgs[cid];
                assert.equal(m.seq, 11);
                assert.equal(m.sendID, D);
                assert.equal(m.text, JSON.stringify({ content: 'reply' }));
            });
        });

        test('2004 SetBackgroundStatus → errCode 0 and no data', async () => {
            for (const bg of [true, false]) {
                const rep = await a.setBackground(bg);
                assert.equal(rep.reqIdentifier, 2004);
                assert.equal(rep.errCode, 0);
                assert.ok(!rep.data || rep.data.length === 0, 'empty SetAppBackgroundStatusResp');
            }
        });

        test('2005 subscribe: reply with current platforms, then pushes when the user connects/disconnects', async () => {
            const e1 = await conn(E, { platformID: 3 });
            const { env: rep, resp } = await a.subscribe([E, F]);
            assert.equal(rep.errCode, 0);
            assert.equal(rep.reqIdentifier, 2005);
            assert.equal(rep.msgIncr, rep.req.msgIncr);
            const byUser = Object.fromEntries(resp.subscribers.map((s) => [s.userID, s.onlinePlatformIDs]));
            assert.deepEqual(byUser, { [E]: [3], [F]: [] });

            const pushesFor = (uid) => a.pushes.filter((p) => p.reqIdentifier === 2005).map((p) => decode(pb.SubUserOnlineStatusTips, p.data)).filter((t) => t.subscribers.some((s) => s.userID === uid));
            const f1 = await conn(F, { platformID: 2 });
            const on = await a.nextPush(2005, (p) => decode(pb.SubUserOnlineStatusTips, p.data).subscribers[0]?.userID === F);
            assert.equal(on.msgIncr, '');
            assert.equal(on.operationID, '');
            assert.equal(on.errCode, 0);
            assert.deepEqual(decode(pb.SubUserOnlineStatusTips, on.data).subscribers, [{ userID: F, onlinePlatformIDs: [2] }]);
            await f1.close();
            const off = await a.nextPush(2005, (p) => decode(pb.SubUserOnlineStatusTips, p.data).subscribers[0]?.userID === F);
            assert.deepEqual(decode(pb.SubUserOnlineStatusTips, off.data).subscribers, [{ userID: F, onlinePlatformIDs: [] }]);

            // a second platform of E shows up as both
            const e2 = await conn(E, { platformID: 5 });
            const both = await a.nextPush(2005, (p) => decode(pb.SubUserOnlineStatusTips, p.data).subscribers[0]?.userID === E);
            assert.deepEqual(decode(pb.SubUserOnlineStatusTips, both.data).subscribers[0].onlinePlatformIDs.sort(), [3, 5]);

            // unsubscribe: no further pushes about E
            const { env: un } = await a.subscribe([], [E]);
            assert.equal(un.errCode, 0);
            const n = pushesFor(E).length;
            await e1.close();
            await e2.close();
            const g = await conn(F, { platformID: 2 }); // still subscribed to F: an event to sync on
            await a.nextPush(2005, (p) => decode(pb.SubUserOnlineStatusTips, p.data).subscribers[0]?.userID === F);
            assert.equal(pushesFor(E).length, n, 'pushes about an unsubscribed user');
            await g.close();
        });

        test('a message to oneself: conversation si_<a>_<a>, exactly one push per connection', async () => {
            const self = await conn(C, { platformID: 7 });
            const { env: rep, msg } = await self.sendMsg({ recvID: C, text: 'note to self' });
            assert.equal(rep.errCode, 0);
            const [p] = await self.waitPushedMsgs((x) => x.msg.clientMsgID === msg.clientMsgID);
            assert.equal(p.conversationID, `si_${C}_${C}`);
            assert.ok(p.msg.seq >= 1);
            const { msg: marker } = await self.sendMsg({ recvID: C, text: 'marker' });
            await self.waitPushedMsgs((x) => x.msg.clientMsgID === marker.clientMsgID);
            assert.equal(self.pushedMsgs().filter((x) => x.msg.clientMsgID === msg.clientMsgID).length, 1, 'self message pushed twice');
            await self.close();
        });

        test('options history=false: pushed with seq 0 to online users, not stored, no seq used', async () => {
            const cid = siID(A, B);
            const max0 = (await a.getMaxSeq()).resp.maxSeqs[cid];
            const { env: rep, msg } = await a.sendMsg({ recvID: B, text: 'typing...', options: { history: false, persistent: false, senderSync: false, unreadCount: false } });
            assert.equal(rep.errCode, 0);
            const [p] = await b.waitPushedMsgs((x) => x.msg.clientMsgID === msg.clientMsgID);
            assert.equal(p.msg.seq, 0);
            assert.equal(p.conversationID, cid);
            assert.equal((await a.getMaxSeq()).resp.maxSeqs[cid], max0, 'max seq moved');
            const { resp } = await b.pullRanges([{ conversationID: cid, begin: 1, end: max0 + 5, num: 1000 }]);
            assert.equal(msgsOf(resp, cid).filter((m) => m.clientMsgID === msg.clientMsgID).length, 0, 'stored');
            const { msg: next } = await a.sendMsg({ recvID: B, text: 'stored again' });
            const [q] = await b.waitPushedMsgs((x) => x.msg.clientMsgID === next.clientMsgID);
            assert.equal(q.msg.seq, max0 + 1, 'seqs stay contiguous');
        });

        test('an iOS (platform 1) connection in background (2004) gets no online push', async () => {
            const ios = await conn(E, { platformID: 1 });
            const web = await conn(E, { platformID: 5 });
            const s = await conn(D, { platformID: 3 });
            assert.equal((await ios.setBackground(true)).errCode, 0);
            assert.equal((await web.setBackground(true)).errCode, 0);
            const { msg: m1 } = await s.sendMsg({ recvID: E, text: 'while in background' });
            await web.waitPushedMsgs((x) => x.msg.clientMsgID === m1.clientMsgID); // web in background still gets it
            assert.equal((await ios.setBackground(false)).errCode, 0);
            const { msg: m2 } = await s.sendMsg({ recvID: E, text: 'foreground again' });
            await ios.waitPushedMsgs((x) => x.msg.clientMsgID === m2.clientMsgID);
            assert.equal(ios.pushedMsgs().filter((x) => x.msg.clientMsgID === m1.clientMsgID).length, 0, 'iOS in background got an online push');
            await ios.close();
            await web.close();
            await s.close();
        });

        test('recipient with global recvMsgOpt 1: errCode 0 with no body, nothing delivered or stored', async () => {
            const G = u('gina');
            await env.register(G);
            await ok(env.base, '/user/set_global_msg_recv_opt', { userID: G, globalRecvMsgOpt: 1 }, { token: env.admin });
            const g = await conn(G, { platformID: 2 });
            const { env: rep, msg } = await a.sendMsg({ recvID: G, text: 'unwanted' });
            assert.equal(rep.errCode, 0, rep.errMsg);
            assert.ok(!rep.data || rep.data.length === 0, 'dropped message: empty reply body');
            const { msg: marker } = await a.sendMsg({ recvID: B, text: 'marker3' });
            await a.waitPushedMsgs((x) => x.msg.clientMsgID === marker.clientMsgID);
            await sleep(100);
            assert.equal(g.pushedMsgs().length, 0);
            assert.equal(a.pushedMsgs().filter((x) => x.msg.clientMsgID === msg.clientMsgID).length, 0);
            const { resp } = await a.getMaxSeq();
            assert.equal(resp.maxSeqs[siID(A, G)] ?? 0, 0);
            await g.close();
        });

        test('a conversation muted by the recipient (recvMsgOpt 1): accepted, not delivered, not stored', async () => {
            const H = u('hugo');
            await env.register(H);
            const h = await conn(H, { platformID: 2 });
            const cid = siID(A, H);
            const { msg: first } = await a.sendMsg({ recvID: H, text: 'before mute' });
            await h.waitPushedMsgs((x) => x.msg.clientMsgID === first.clientMsgID);
            await ok(env.base, '/conversation/set_conversations',
                { userIDs: [H], conversation: { conversationID: cid, conversationType: 1, userID: A, recvMsgOpt: 1 } }, { token: env.admin });
            const { env: rep, msg } = await a.sendMsg({ recvID: H, text: 'while muted' });
            assert.equal(rep.errCode, 0, rep.errMsg);
            assert.ok(!rep.data || rep.data.length === 0, 'dropped message: empty reply body');
            const { msg: marker } = await a.sendMsg({ recvID: B, text: 'marker4' });
            await a.waitPushedMsgs((x) => x.msg.clientMsgID === marker.clientMsgID);
            await sleep(100);
            assert.equal(h.pushedMsgs().filter((x) => x.msg.clientMsgID === msg.clientMsgID).length, 0, 'muted conversation delivered');
            assert.equal((await a.getMaxSeq()).resp.maxSeqs[cid], 1, 'a dropped message used a seq');
            await h.close();
        });

        test('typing (113) with an options map is never stored and not synced to the sender', async () => {
            const cid = siID(A, B);
            const max0 = (await a.getMaxSeq()).resp.maxSeqs[cid];
            const { env: rep, msg } = await a.sendMsg({ recvID: B, contentType: 113, text: 'yes', options: { unreadCount: false } });
            assert.equal(rep.errCode, 0, rep.errMsg);
            const [p] = await b.waitPushedMsgs((x) => x.msg.clientMsgID === msg.clientMsgID);
            assert.equal(p.msg.seq, 0);
            assert.equal((await a.getMaxSeq()).resp.maxSeqs[cid], max0, 'typing used a seq');
            await sleep(100);
            assert.equal(a.pushedMsgs().filter((x) => x.msg.clientMsgID === msg.clientMsgID).length, 0, 'typing echoed to the sender');
        });

        test('sessionType 2 (legacy write group) → 1001; group chat to a missing group → error', async () => {
            const { env: r2 } = await a.sendMsg({ recvID: B, sessionType: 2, groupID: 'g1', text: 'x' });
            assert.equal(r2.errCode, 1001);
            assert.equal(r2.errMsg, 'ArgsError');
            const { env: r3 } = await a.sendMsg({ recvID: '', sessionType: 3, groupID: 'no_such_group', text: 'x' });
            assert.notEqual(r3.errCode, 0);
            const { env: r9 } = await a.sendMsg({ recvID: B, sessionType: 9, text: 'x' });
            assert.equal(r9.errCode, 1001);
        });

        test('1004 (legacy signal) → errCode 1001 ArgsError, no data', async () => {
            const rep = await a.request(1004, encode(pb.MsgData, { sendID: A, recvID: B, clientMsgID: clientMsgID(), sessionType: 1, contentType: 101, content: Buffer.from('{}') }));
            assert.equal(rep.reqIdentifier, 1004);
            assert.equal(rep.errCode, 1001);
            assert.equal(rep.errMsg, 'ArgsError');
            assert.ok(!rep.data || rep.data.length === 0);
            if (variant.codec === 'json') assert.equal(rep.json.data, null, 'JSON data is null on error');
        });

        test('a send whose MsgData.sendID is not the connection user is refused and not delivered', async () => {
            const { env: rep, msg } = await a.sendMsg({ sendID: C, recvID: B, text: 'forged' });
            assert.notEqual(rep.errCode, 0, 'forged sender accepted');
            assert.equal(typeof rep.errMsg, 'string');
            const { msg: marker } = await a.sendMsg({ recvID: B, text: 'marker2' });
            await b.waitPushedMsgs((x) => x.msg.clientMsgID === marker.clientMsgID);
            assert.equal(b.pushedMsgs().filter((x) => x.msg.clientMsgID === msg.clientMsgID).length, 0);
        });

        test('a send to an unknown recvID → 1004 RecordNotFoundError', async () => {
            const { env: rep } = await a.sendMsg({ recvID: 'no_such_user_' + variant.tag, text: 'x' });
            assert.equal(rep.errCode, 1004);
            assert.equal(rep.errMsg, 'RecordNotFoundError');
            assert.ok(a.isOpen);
        });

        test('garbage protobuf in Data → error reply, connection stays usable', async () => {
            for (const id of [1001, 1002, 1003, 1005, 1006, 1007]) {
                const rep = await a.request(id, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12]));
                assert.equal(rep.reqIdentifier, id);
                assert.notEqual(rep.errCode, 0, `reqIdentifier ${id} accepted garbage`);
                assert.equal(typeof rep.errMsg, 'string');
                assert.ok(rep.errMsg.length > 0);
            }
            const { env: ok } = await a.getMaxSeq();
            assert.equal(ok.errCode, 0);
            assert.ok(a.isOpen);
        });

        test('an envelope whose SendID is not the connection user → closed, no reply', async () => {
            const c = await conn(C, { platformID: 3 });
            const req = c.sendEnvelope({ reqIdentifier: 1001, sendID: D, data: encode(pb.GetMaxSeqReq, { userID: C }) });
            await c.waitClosed();
            assert.equal(c.envelopes.filter((e) => e.msgIncr === req.msgIncr).length, 0);
        });

        test('an unknown reqIdentifier → closed, no reply', async () => {
            const c = await conn(C, { platformID: 3 });
            const req = c.sendEnvelope({ reqIdentifier: 9999, data: Buffer.alloc(0) });
            await c.waitClosed();
            assert.equal(c.envelopes.filter((e) => e.msgIncr === req.msgIncr).length, 0);
            const c2 = await conn(C, { platformID: 3 });
            c2.sendEnvelope({ reqIdentifier: 2001, data: Buffer.alloc(0) }); // a push id is not a request
            await c2.waitClosed();
        });

        test('malformed envelope bytes → closed', async () => {
            const bad = variant.codec === 'json' ? [Buffer.from('{"reqIdentifier":1001,'), Buffer.from('[1,2,3]')] : [Buffer.from([0x05, 0x01, 0x02, 0x03, 0x04, 0x05]), Buffer.from('not gob at all')];
            for (const raw of bad) {
                const c = await conn(C, { platformID: 3 });
                c.sendRaw(variant.gzip ? zlib.gzipSync(raw) : raw);
                await c.waitClosed();
                assert.equal(c.envelopes.length, 0);
            }
        });

        if (variant.codec === 'json') {
            test('JSON reply layout: keys in Go order, base64 data', async () => {
                const { env: rep } = await a.getMaxSeq();
                assert.deepEqual(Object.keys(rep.json), ['reqIdentifier', 'msgIncr', 'operationID', 'errCode', 'errMsg', 'data']);
                assert.equal(typeof rep.json.data, 'string');
                assert.match(rep.json.data, /^[A-Za-z0-9+/]*={0,2}$/);
            });

            test("JSON envelope keys match case-insensitively (Go's decoder); unknown keys ignored", async () => {
                const data = encode(pb.GetMaxSeqReq, { userID: A }).toString('base64');
                a.sendRaw(Buffer.from(JSON.stringify({ ReqIdentifier: 1001, MSGINCR: 'ci-1', SendId: A, operationid: 'op-ci', Data: data, extra: [1, 2] })));
                const rep = await a.waitUntil(() => a.envelopes.find((e) => e.msgIncr === 'ci-1'));
                assert.equal(rep.errCode, 0);
                assert.equal(rep.operationID, 'op-ci');
            });

            test('JSON data with bad base64 → closed (envelope decode error)', async () => {
                const c = await conn(C, { platformID: 3 });
                c.sendRaw(Buffer.from(JSON.stringify({ reqIdentifier: 1001, msgIncr: 'x', sendID: C, operationID: 'o', data: 'CgJ1MQ' })));
                await c.waitClosed();
            });
        } else {
            test("gob replies: every frame is gzip'd and carries OpenIM's Resp type definition", async () => {
                const { env: rep } = await a.getMaxSeq();
                assert.equal(rep.gobType.name, 'Resp');
                assert.ok(rep.gobType.id >= 64);
                assert.deepEqual(rep.gobType.fields, [
                    ['ReqIdentifier', GOB.int],
                    ['MsgIncr', GOB.string],
                    ['OperationID', GOB.string],
                    ['ErrCode', GOB.int],
                    ['ErrMsg', GOB.string],
                    ['Data', GOB.bytes],
                ]);
                for (const e of a.envelopes) assert.equal(e.gobType.name, 'Resp', 'type definition in every frame');
            });

            test('gob requests: any type id ≥ 64, any field order/subset, int32-sized ReqIdentifier', async () => {
                const data = encode(pb.GetMaxSeqReq, { userID: A });
                // no Token field, different order, type id 70, another type name
                const fields = [
                    ['Data', GOB.bytes],
                    ['MsgIncr', GOB.string],
                    ['ReqIdentifier', GOB.int],
                    ['SendID', GOB.string],
                    ['OperationID', GOB.string],
                ];
                const raw = Buffer.concat([gobTypeDef('Req', 70, fields), gobValue(70, fields, [data, 'custom-incr-1', 1001, A, 'op-custom'])]);
                a.sendRaw(zlib.gzipSync(raw));
                const rep = await a.waitUntil(() => a.envelopes.find((e) => e.msgIncr === 'custom-incr-1'));
                assert.equal(rep.errCode, 0);
                assert.equal(rep.operationID, 'op-custom');
                decode(pb.GetMaxSeqResp, rep.data);
                // the SDK's exact layout with a non-empty Token (ignored by the server)
                const raw2 = Buffer.concat([
                    gobTypeDef('GeneralWsReq', 64, GENERAL_WS_REQ_FIELDS),
                    gobValue(64, GENERAL_WS_REQ_FIELDS, [1001, 'some-token', A, 'op2', 'custom-incr-2', data]),
                ]);
                a.sendRaw(zlib.gzipSync(raw2));
                const rep2 = await a.waitUntil(() => a.envelopes.find((e) => e.msgIncr === 'custom-incr-2'));
                assert.equal(rep2.errCode, 0);
            });

            test('gob field with the wrong type (ReqIdentifier as string) → closed', async () => {
                const c = await conn(C, { platformID: 3 });
                const fields = [
                    ['ReqIdentifier', GOB.string],
                    ['SendID', GOB.string],
                    ['MsgIncr', GOB.string],
                ];
                c.sendRaw(zlib.gzipSync(Buffer.concat([gobTypeDef('GeneralWsReq', 64, fields), gobValue(64, fields, ['1001', C, 'x'])])));
                await c.waitClosed();
                assert.equal(c.envelopes.length, 0);
            });
        }

        test('a connection dropped or kicked with many requests queued: the server stays healthy', async () => {
            for (const how of ['terminate', 'force_logout']) {
                const c = await conn(C, { platformID: 4 });
                for (let i = 0; i < 40; i++) {
                    const data = i % 2 ? encode(pb.GetMaxSeqReq, { userID: C }) : encode(pb.MsgData, { sendID: C, recvID: D, clientMsgID: clientMsgID(), sessionType: 1, msgFrom: 100, contentType: 101, content: Buffer.from('{"content":"q"}') });
                    c.sendEnvelope({ reqIdentifier: i % 2 ? 1001 : 1003, data });
                }
                if (how === 'terminate') c.terminate();
                else await ok(env.base, '/auth/force_logout', { userID: C, platformID: 4 }, { token: env.admin });
                await c.waitClosed();
                await env.newToken(C, 4);
            }
            // messages that were accepted are all there with contiguous seqs
            const d = await conn(D, { platformID: 6 });
            const cid = siID(C, D);
            const { resp: max } = await d.getMaxSeq();
            const { resp } = await d.pullRanges([{ conversationID: cid, begin: 1, end: max.maxSeqs[cid], num: 10000 }]);
            const msgs = msgsOf(resp, cid);
            assert.deepEqual(msgs.map((m) => m.seq), Array.from({ length: max.maxSeqs[cid] }, (_, i) => i + 1));
            for (const m of msgs) assert.notEqual(m.status, 4);
            await d.close();
            await stillUsable(a);
        });

        test('the connections used above are still open and in sync', async () => {
            assert.ok(a.isOpen && b.isOpen);
            assert.equal(a.decodeErrors.length, 0, String(a.decodeErrors[0]?.error));
            assert.equal(b.decodeErrors.length, 0, String(b.decodeErrors[0]?.error));
            assert.equal(b.texts.length, 1, 'only the hello was a text frame');
            await sleep(10);
        });
    });
}
