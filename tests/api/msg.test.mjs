// The /msg routes over REST: an app server sending as a user, seq and pull queries, read state,
// revoke, delete-for-me and clear, checked the way a client reading its history would see them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startTernd, api, ok, fails, adminToken, register, userToken, uid } from './harness.mjs';

let server, base, admin;
const A = uid('ma'), B = uid('mb'), C = uid('mc');
let ta, tb;

before(async () => {
    server = await startTernd();
    base = server.base;
    admin = await adminToken(base);
    await register(base, admin, [A, B, C].map((userID) => ({ userID, nickname: userID })));
    ta = await userToken(base, admin, A, 5);
    tb = await userToken(base, admin, B, 5);
});
after(async () => server.stop());

const conv = (x, y) => (x < y ? `si_${x}_${y}` : `si_${y}_${x}`);
const send = (from, to, text) =>
    ok(base, '/msg/send_msg', { sendID: from, recvID: to, contentType: 101, sessionType: 1, content: { content: text } }, { token: admin });
async function pull(user, conversationID, token, begin = 1, end = 100) {
    const j = await ok(base, '/msg/pull_msg_by_seq', { userID: user, seqRanges: [{ conversationID, begin, end, num: 100 }] }, { token });
    return j.data.msgs[conversationID]?.Msgs ?? [];
}
const text = (m) => (m.content ? JSON.parse(Buffer.from(m.content, 'base64').toString()).content : undefined);

test('send_msg: admin sends as a user; the receiver pulls it with every MsgData field', async () => {
    const r = await send(A, B, 'hello from the app server');
    assert.match(r.data.serverMsgID, /^[0-9a-f]{32}$/);
    assert.match(r.data.clientMsgID, /^[0-9a-f]{32}$/);
    assert.ok(Math.abs(r.data.sendTime - Date.now()) < 10000);
    const msgs = await pull(B, conv(A, B), tb);
    assert.equal(msgs.length, 1);
    const m = msgs[0];
    assert.equal(text(m), 'hello from the app server');
    assert.equal(m.seq, 1);
    assert.equal(m.sendID, A);
    assert.equal(m.recvID, B);
    assert.equal(m.clientMsgID, r.data.clientMsgID);
    assert.equal(m.serverMsgID, r.data.serverMsgID);
    assert.equal(m.msgFrom, 200);
    assert.equal(m.contentType, 101);
    for (const k of ['groupID', 'senderNickname', 'createTime', 'status', 'isRead', 'options', 'offlinePushInfo', 'atUserIDList', 'attachedInfo', 'ex'])
        assert.ok(k in m, `MsgData JSON lacks ${k}`);
    const seq = await ok(base, '/msg/newest_seq', { userID: B }, { token: tb });
    assert.equal(seq.data.maxSeqs[conv(A, B)], 1);
    assert.equal(seq.data.minSeqs, null);
});

test('send_msg: only admins; bad bodies are 1001 (HTTP 400 when not JSON)', async () => {
    await fails(base, '/msg/send_msg', { sendID: A, recvID: B, contentType: 101, sessionType: 1, content: { content: 'x' } }, 1002, { token: ta });
    await fails(base, '/msg/send_msg', { sendID: A, recvID: B, contentType: 101, sessionType: 1, content: {} }, 1001, { token: admin });
    await fails(base, '/msg/send_msg', { sendID: A, recvID: B, contentType: 999, sessionType: 1, content: { content: 'x' } }, 1001, { token: admin });
    await fails(base, '/msg/send_msg', { sendID: A, contentType: 101, sessionType: 1, content: { content: 'x' } }, 1001, { token: admin });
    await fails(base, '/msg/send_msg', { sendID: A, recvID: 'nobody_here', contentType: 101, sessionType: 1, content: { content: 'x' } }, 1004, { token: admin });
    const r = await api(base, '/msg/send_msg', undefined, { token: admin, rawBody: '{"sendID":' });
    assert.equal(r.status, 400);
    assert.equal(r.json.errCode, 1001);
});

test('get_server_time is the server clock in ms', async () => {
    const j = await ok(base, '/msg/get_server_time', {}, { token: ta });
    assert.ok(Math.abs(j.data.serverTime - Date.now()) < 5000);
});

test('pull_msg_by_seq: someone else\'s messages are not readable', async () => {
    await fails(base, '/msg/pull_msg_by_seq', { userID: B, seqRanges: [] }, 1002, { token: ta });
    const tc = await userToken(base, admin, C, 5);
    const j = await ok(base, '/msg/pull_msg_by_seq', { userID: C, seqRanges: [{ conversationID: conv(A, B), begin: 1, end: 10, num: 10 }] }, { token: tc });
    assert.equal(j.data.msgs[conv(A, B)], undefined, 'a stranger pulled a 1:1 chat');
});

test('read state: mark_conversation_as_read raises hasReadSeq, never above maxSeq', async () => {
    const cid = conv(A, B);
    await send(A, B, 'second');
    let j = await ok(base, '/msg/get_conversations_has_read_and_max_seq', { userID: B }, { token: tb });
    assert.deepEqual({ maxSeq: j.data.seqs[cid].maxSeq, hasReadSeq: j.data.seqs[cid].hasReadSeq }, { maxSeq: 2, hasReadSeq: 0 });
    await fails(base, '/msg/mark_conversation_as_read', { userID: B, conversationID: cid, hasReadSeq: 3 }, 1001, { token: tb });
    await ok(base, '/msg/mark_conversation_as_read', { userID: B, conversationID: cid, hasReadSeq: 2 }, { token: tb });
    j = await ok(base, '/msg/get_conversations_has_read_and_max_seq', { userID: B, conversationIDs: [cid] }, { token: tb });
    assert.equal(j.data.seqs[cid].hasReadSeq, 2);
    await fails(base, '/msg/set_conversation_has_read_seq', { userID: B, conversationID: cid, hasReadSeq: 2 }, 1002, { token: ta });

    // A (the peer) gets a HasReadReceipt (2200) naming the seqs B read, stored with the pair
    const ncid = cid.replace(/^si/, 'n');
    const readNote = async () => {
        const r = await ok(base, '/msg/pull_msg_by_seq', { userID: A, seqRanges: [{ conversationID: ncid, begin: 1, end: 100, num: 100 }] }, { token: ta });
        return r.data.notificationMsgs[ncid]?.Msgs ?? [];
    };
    let notes = [];
    for (let i = 0; i < 50 && !notes.length; i++) {
        notes = await readNote();
        if (!notes.length) await new Promise((r) => setTimeout(r, 20));
    }
    const receipt = notes.at(-1);
    assert.equal(receipt.contentType, 2200);
    assert.equal(receipt.sendID, B);
    assert.equal(receipt.recvID, A);
    const tips = JSON.parse(JSON.parse(Buffer.from(receipt.content, 'base64').toString()).detail);
    assert.deepEqual(tips, { markAsReadUserID: B, conversationID: cid, seqs: [1, 2], hasReadSeq: 2 });
    // set_conversation_has_read_seq tells only the reader's own devices, nothing is stored
    await ok(base, '/msg/set_conversation_has_read_seq', { userID: B, conversationID: cid, hasReadSeq: 2 }, { token: tb });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await readNote()).length, notes.length);
});

test('revoke_msg: the sender takes a message back; both sides then read a 2101 revoke', async () => {
    const cid = conv(A, B);
    const r = await send(A, B, 'oops');
    const seq = (await pull(B, cid, tb)).find((m) => m.clientMsgID === r.data.clientMsgID).seq;
    await fails(base, '/msg/revoke_msg', { userID: B, conversationID: cid, seq }, 1002, { token: tb });
    await ok(base, '/msg/revoke_msg', { userID: A, conversationID: cid, seq }, { token: ta });
    await fails(base, '/msg/revoke_msg', { userID: A, conversationID: cid, seq }, 1404, { token: ta });
    await fails(base, '/msg/revoke_msg', { userID: A, conversationID: cid, seq: 999 }, 1004, { token: ta });
    for (const [user, token] of [[A, ta], [B, tb]]) {
        const m = (await pull(user, cid, token)).find((x) => x.seq === seq);
        assert.equal(m.contentType, 2101);
        const detail = JSON.parse(JSON.parse(Buffer.from(m.content, 'base64').toString()).detail);
        assert.equal(detail.clientMsgID, r.data.clientMsgID);
        assert.equal(detail.revokerID, A);
        assert.equal(detail.sourceMessageSendID, A);
        assert.equal(detail.seq, seq);
    }
    // the MsgRevokeNotification is stored in the pair's notification conversation
    const ncid = cid.replace(/^si/, 'n');
    const seqs = await ok(base, '/msg/newest_seq', { userID: B }, { token: tb });
    assert.ok(seqs.data.maxSeqs[ncid] >= 1, JSON.stringify(seqs.data));
    const j = await ok(base, '/msg/pull_msg_by_seq', { userID: B, seqRanges: [{ conversationID: ncid, begin: 1, end: 10, num: 10 }] }, { token: tb });
    const note = j.data.notificationMsgs[ncid].Msgs.at(-1);
    assert.equal(note.contentType, 2101);
    const tips = JSON.parse(JSON.parse(Buffer.from(note.content, 'base64').toString()).detail);
    assert.equal(tips.revokerUserID, A);
    assert.equal(tips.seq, seq);
    assert.equal(tips.conversationID, cid);
});

test('delete_msgs: gone from my history only; clear_conversation_msg and user_clear_all_msg', async () => {
    const cid = conv(A, B);
    const r = await send(B, A, 'delete me');
    const seq = (await pull(A, cid, ta)).find((m) => m.clientMsgID === r.data.clientMsgID).seq;
    await fails(base, '/msg/delete_msgs', { userID: A, conversationID: cid, seqs: [] }, 1001, { token: ta });
    await ok(base, '/msg/delete_msgs', { userID: A, conversationID: cid, seqs: [seq] }, { token: ta });
    const mine = (await pull(A, cid, ta)).find((m) => m.seq === seq);
    assert.equal(mine.status, 4);
    assert.equal(mine.content, '');
    assert.equal(text((await pull(B, cid, tb)).find((m) => m.seq === seq)), 'delete me', 'deleted for the other side too');

    const before = (await pull(A, cid, ta)).length;
    assert.ok(before >= 3);
    await ok(base, '/msg/clear_conversation_msg', { userID: A, conversationIDs: [cid] }, { token: ta });
    assert.equal((await pull(A, cid, ta)).length, 0, 'cleared conversation still readable');
    assert.equal((await pull(B, cid, tb)).length, before, 'clearing for me cleared for B');
    const after = await send(B, A, 'after the clear');
    const visible = await pull(A, cid, ta);
    assert.deepEqual(visible.map((m) => m.clientMsgID), [after.data.clientMsgID]);
    const st = await ok(base, '/msg/get_conversations_has_read_and_max_seq', { userID: A, conversationIDs: [cid] }, { token: ta });
    assert.equal(st.data.seqs[cid].maxSeq - st.data.seqs[cid].hasReadSeq, 1, 'only the new message is unread');

    await ok(base, '/msg/user_clear_all_msg', { userID: B }, { token: tb });
    assert.equal((await pull(B, cid, tb)).length, 0);
    await fails(base, '/msg/clear_conversation_msg', { userID: B, conversationIDs: [cid], deleteSyncOpt: { IsSyncOther: true } }, 1001, { token: tb });
    await fails(base, '/msg/clear_conversation_msg', { userID: B, conversationIDs: ['si_x_y'] }, 1004, { token: tb });
});
