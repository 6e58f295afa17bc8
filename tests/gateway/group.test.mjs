// Group messaging over the gateway, both envelope codecs: sessionType 3 sends to sg_<groupID>
// (one seq per group, every member's connections get the push, the sender's too), refusals
// (non-member 1203, muted member 1402, muted group 1403, dismissed 1204, unknown group 1004),
// the join/leave read window (a joiner reads from their join on, a kicked member up to their
// kick), @-mentions (groupAtType), and group notifications (1501 with its stored copy).
// openim-protocol.md §6.6–§6.8, §7; openim-rest.md §6.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ok } from '../api/harness.mjs';
import { startEnv } from './client.mjs';

let env;

before(async () => {
    env = await startEnv();
});

after(async () => {
    await env?.server.stop();
});

const rest = (path, body, token = env.admin) => ok(env.base, path, body, { token });

async function createGroup(owner, members, extra = {}) {
    const r = await rest('/group/create_group', {
        ownerUserID: owner,
        memberUserIDs: members,
        groupInfo: { groupName: 'g', groupType: 2, ...extra },
    });
    return r.data.groupInfo.groupID;
}

const text = (m) => JSON.parse(Buffer.from(m.content).toString()).content;

for (const variant of [
    { name: 'JSON envelope (sdkType=js)', codec: 'json', tag: 'j' },
    { name: 'gob envelope + gzip (Go SDK)', codec: 'gob', tag: 'g' },
]) {
    describe(variant.name, () => {
        const u = (n) => `${n}_grp_${variant.tag}`;
        const [A, B, C, D, E] = ['ann', 'ben', 'cat', 'dan', 'eve'].map(u);
        const conn = (uid, o = {}) => env.connect(uid, { codec: variant.codec, ...o });
        let a, b, c, gid, cid;

        before(async () => {
            await env.register(A, B, C, D, E);
            a = await conn(A);
            b = await conn(B);
            c = await conn(C);
            gid = await createGroup(A, [B, C]);
            cid = `sg_${gid}`;
        });
        after(async () => {
            for (const x of [a, b, c]) await x?.close();
        });

        test('creating the group notifies every member (1501) and stores its tip in sg_', async () => {
            for (const x of [a, b, c]) {
                const [n] = await x.waitPushedMsgs((p) => p.notification && p.msg.contentType === 1501 && p.msg.groupID === gid);
                assert.equal(n.conversationID, `n_${gid}`);
                assert.equal(n.msg.sessionType, 3);
                assert.equal(n.msg.seq ?? 0, 0, 'the notification itself is online-only');
                const tips = JSON.parse(JSON.parse(Buffer.from(n.msg.content).toString()).detail);
                assert.equal(tips.group.groupID, gid);
                assert.equal(tips.group.memberCount, 3);
                assert.equal(tips.memberList.length, 3, JSON.stringify(tips.memberList));
                const [tip] = await x.waitPushedMsgs((p) => !p.notification && p.msg.contentType === 1501 && p.conversationID === cid);
                assert.equal(tip.msg.seq, 1, 'the grey tip takes the group seq 1');
            }
        });

        test('a member sends: every member gets it with one seq, the sender too; seqs go on per group', async () => {
            const { env: rep, msg, resp } = await a.sendMsg({ sessionType: 3, groupID: gid, text: 'hi all' });
            assert.equal(rep.errCode, 0, rep.errMsg);
            assert.ok(resp.serverMsgID);
            const seqs = [];
            for (const x of [a, b, c]) {
                const [p] = await x.waitPushedMsgs((m) => m.msg.clientMsgID === msg.clientMsgID);
                assert.equal(p.conversationID, cid);
                assert.equal(p.notification, false);
                assert.equal(p.msg.groupID, gid);
                assert.equal(text(p.msg), 'hi all');
                seqs.push(p.msg.seq);
            }
            assert.ok(seqs.every((s) => s === seqs[0]) && seqs[0] >= 2, `seqs ${seqs}`);
            const { msg: reply } = await b.sendMsg({ sessionType: 3, groupID: gid, text: 'hello' });
            const [r] = await c.waitPushedMsgs((m) => m.msg.clientMsgID === reply.clientMsgID);
            assert.equal(r.msg.seq, seqs[0] + 1);
            // members see the group in their newest seqs and can pull it
            const { resp: max } = await c.getMaxSeq();
            assert.equal(max.maxSeqs[cid], seqs[0] + 1);
            const { resp: pulled } = await c.pullSeqs([{ conversationID: cid, seqs: [seqs[0], seqs[0] + 1] }]);
            assert.deepEqual(pulled.msgs[cid].Msgs.map(text), ['hi all', 'hello']);
        });

        test('refusals: non-member 1203, unknown group 1004, muted member 1402, muted group 1403', async () => {
            const d = await conn(D);
            try {
                const { env: r1 } = await d.sendMsg({ sessionType: 3, groupID: gid, text: 'let me in' });
                assert.equal(r1.errCode, 1203, r1.errMsg);
                const { env: r2 } = await d.sendMsg({ sessionType: 3, groupID: 'no_such_group_x', text: 'x' });
                assert.equal(r2.errCode, 1004, r2.errMsg);
            } finally {
                await d.close();
            }
            await rest('/group/mute_group_member', { groupID: gid, userID: C, mutedSeconds: 60 });
            const { env: r3 } = await c.sendMsg({ sessionType: 3, groupID: gid, text: 'muted' });
            assert.equal(r3.errCode, 1402, r3.errMsg);
            await rest('/group/cancel_mute_group_member', { groupID: gid, userID: C });
            const { env: r4 } = await c.sendMsg({ sessionType: 3, groupID: gid, text: 'unmuted' });
            assert.equal(r4.errCode, 0, r4.errMsg);
            await rest('/group/mute_group', { groupID: gid });
            const { env: r5 } = await b.sendMsg({ sessionType: 3, groupID: gid, text: 'group muted' });
            assert.equal(r5.errCode, 1403, r5.errMsg);
            const { env: r6 } = await a.sendMsg({ sessionType: 3, groupID: gid, text: 'owner speaks' });
            assert.equal(r6.errCode, 0, 'the owner still speaks in a muted group');
            await rest('/group/cancel_mute_group', { groupID: gid });
            const { env: r7 } = await b.sendMsg({ sessionType: 3, groupID: gid, text: 'group open' });
            assert.equal(r7.errCode, 0, r7.errMsg);
        });

        test('a joiner reads from their join on; a kicked member gets the kick and nothing after', async () => {
            const { msg: before } = await a.sendMsg({ sessionType: 3, groupID: gid, text: 'before D' });
            await b.waitPushedMsgs((m) => m.msg.clientMsgID === before.clientMsgID);
            await rest('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [D] });
            const d = await conn(D);
            try {
                const { resp: max } = await d.getMaxSeq();
                const top = max.maxSeqs[cid];
                assert.ok(top >= 1, `D has the group conversation: ${JSON.stringify(max.maxSeqs)}`);
                const { resp: old } = await d.pullRanges([{ conversationID: cid, begin: 1, end: top, num: 100 }]);
                const oldTexts = (old.msgs?.[cid]?.Msgs ?? []).filter((m) => m.contentType === 101).map(text);
                assert.ok(!oldTexts.includes('before D'), `D must not read earlier messages: ${oldTexts}`);
                const { msg: after } = await a.sendMsg({ sessionType: 3, groupID: gid, text: 'after D' });
                const [p] = await d.waitPushedMsgs((m) => m.msg.clientMsgID === after.clientMsgID);
                const { resp: pulled } = await d.pullSeqs([{ conversationID: cid, seqs: [p.msg.seq] }]);
                assert.deepEqual(pulled.msgs[cid].Msgs.map(text), ['after D']);

                await rest('/group/kick_group', { groupID: gid, kickedUserIDs: [D], reason: 'bye' });
                await d.waitPushedMsgs((m) => m.msg.contentType === 1508 && m.msg.groupID === gid);
                const { msg: later } = await a.sendMsg({ sessionType: 3, groupID: gid, text: 'after kick' });
                await b.waitPushedMsgs((m) => m.msg.clientMsgID === later.clientMsgID);
                await new Promise((r) => setTimeout(r, 200));
                assert.ok(!d.pushedMsgs().some((m) => m.msg.clientMsgID === later.clientMsgID), 'kicked member got a later message');
                const { env: refused } = await d.sendMsg({ sessionType: 3, groupID: gid, text: 'still here?' });
                assert.equal(refused.errCode, 1203);
                const { resp: capped } = await d.pullSeqs([{ conversationID: cid, seqs: [later.seq ?? p.msg.seq + 10] }]);
                assert.equal((capped.msgs?.[cid]?.Msgs ?? []).filter((m) => m.content?.length).length, 0, 'kicked member reads nothing newer');
            } finally {
                await d.close();
            }
        });

        test('@-mentions set groupAtType on the mentioned members’ conversations (1 @me, 2 @all, 3 both)', async () => {
            const atType = async (owner) => {
                const r = await rest('/conversation/get_conversations', { ownerUserID: owner, conversationIDs: [cid] });
                return r.data.conversations[0]?.groupAtType;
            };
            const mention = async (list) => {
                const { env: rep, msg } = await a.sendMsg({
                    sessionType: 3, groupID: gid, contentType: 106, atUserIDList: list,
                    content: JSON.stringify({ text: '@', atUserList: list }),
                });
                assert.equal(rep.errCode, 0, rep.errMsg);
                await c.waitPushedMsgs((m) => m.msg.clientMsgID === msg.clientMsgID);
            };
            await mention([B]);
            assert.equal(await atType(B), 1);
            assert.equal(await atType(C), 0);
            await mention(['AtAllTag', C]);
            assert.equal(await atType(C), 3);
            assert.equal(await atType(B), 2);
            assert.equal(await atType(A), 0, 'the sender is not mentioned by their own @all');
        });

        test('dismissing ends the group: members are told (1511), sends answer 1204', async () => {
            const g2 = await createGroup(A, [B]);
            await rest('/group/dismiss_group', { groupID: g2 });
            await b.waitPushedMsgs((m) => m.msg.contentType === 1511 && m.msg.groupID === g2);
            const { env: r } = await a.sendMsg({ sessionType: 3, groupID: g2, text: 'anyone?' });
            assert.equal(r.errCode, 1204, r.errMsg);
        });
    });
}
