// Groups through the official JS SDK: creation, group chat (sessionType 3), invitations and the
// history a new member sees, mutes, kicks, dismissal, and what a second device syncs at login.
//
// What the SDK (0.0.14) does, read from lib/index.modern.mjs, and therefore what is asserted:
//  * OnJoinedGroupAdded / OnJoinedGroupDeleted come only from deltas of
//    /group/get_incremental_join_groups, which the SDK calls on 1501 GroupCreated, 1511 Dismissed,
//    1508 MemberKicked / 1504 MemberQuit about itself, 1509 / 1510 about itself, and only after its
//    login sync stored a non-empty versionID.
//  * OnGroupMemberAdded / OnGroupMemberDeleted come from the tips of 1509 / 1508 (other users),
//    OnGroupDismissed from 1511; OnGroupMemberInfoChanged / OnGroupInfoChanged from mute tips.
//  * sendMessage to a group first checks locally that the sender is a member (cache, else
//    /group/get_group_members_info) and fails with 10002 without asking the server otherwise.
//    sendMessageNotOss skips that check for a conversation it already knows, so the server's
//    own answer (1203 not a member, 1204 dismissed) is read through it.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
    CbEvents,
    PLATFORM_WEB,
    PLATFORM_WINDOWS,
    assertNoSdkErrors,
    makeUsers,
    online,
    recordHttp,
    sleep,
    startServer,
    uid,
    until,
    userToken,
} from './lib.mjs';

recordHttp();

const HEX24 = /^[0-9a-f]{24}$/;
const groupConvID = (groupID) => `sg_${groupID}`;

/** Starts a server with users `names` (a is the owner), all online; A creates a group with `members`. */
async function setup(names, members) {
    const server = await startServer();
    const ids = Object.fromEntries(names.map((n) => [n, uid(n)]));
    const tokens = await makeUsers(server, Object.values(ids), PLATFORM_WEB);
    const c = {};
    for (const n of names) c[n] = await online(server, ids[n], tokens[ids[n]]);
    const since = Object.fromEntries(names.map((n) => [n, c[n].mark()]));
    const info = await c.a.must('createGroup', {
        memberUserIDs: members.map((n) => ids[n]),
        adminUserIDs: [],
        groupInfo: { groupName: 'conformance group', introduction: 'tests', groupType: 2 },
    });
    assert.ok(info?.groupID, `createGroup returned no groupInfo.groupID: ${JSON.stringify(info)}\n${c.a.diagHttp()}`);
    return { server, ids, tokens, c, since, groupID: info.groupID, info };
}

async function closeAll({ server, c }, extra = []) {
    for (const x of [...Object.values(c), ...extra]) await x.close();
    await server.stop();
}

function joinedEv(client, groupID, since, timeoutMs = 10000) {
    return client
        .waitEvent(CbEvents.OnJoinedGroupAdded, (e) => e.data?.groupID === groupID, { since, timeoutMs })
        .catch((e) => {
            throw new Error(`${e.message}\n${client.diagHttp()}`);
        });
}

async function joinedIDs(client) {
    const groups = await client.must('getJoinedGroupListPage', { offset: 0, count: 100 });
    return (groups ?? []).map((g) => g.groupID);
}

async function members(client, groupID) {
    const list = await client.must('getGroupMemberList', { groupID, offset: 0, count: 100 });
    return list ?? [];
}

/** Sends a group text from `from`, asserts success, returns the created message. */
async function sendOK(from, groupID, text) {
    const { created, result } = await from.trySendGroupText(groupID, text);
    assert.equal(result.errCode, 0, `${from.label}: group send of ${JSON.stringify(text)} failed: ${JSON.stringify(result)}\n${from.diagHttp()}`);
    return created;
}

/** Waits until every client in `to` received the message; returns the copies (same order). */
async function delivered(created, to, since = {}) {
    const out = [];
    for (const c of to) out.push(await c.waitMessage(created.clientMsgID, { since: since[c.userID] ?? 0, timeoutMs: 10000 }));
    return out;
}

function assertGroupText(m, { sendID, groupID, text }) {
    const ctx = JSON.stringify(m);
    assert.equal(m.sendID, sendID, `sendID: ${ctx}`);
    assert.equal(m.groupID, groupID, `groupID: ${ctx}`);
    assert.equal(m.sessionType, 3, `sessionType: ${ctx}`);
    assert.equal(m.contentType, 101, `contentType: ${ctx}`);
    assert.equal(m.textElem?.content, text, `textElem.content: ${ctx}`);
    assert.ok(Number.isInteger(m.seq) && m.seq >= 1, `seq: ${ctx}`);
    assert.ok(typeof m.serverMsgID === 'string' && m.serverMsgID.length > 0, `serverMsgID: ${ctx}`);
}

test('A creates a group with B and C: all see it, members and roles are right', { timeout: 90000 }, async () => {
    const g = await setup(['a', 'b', 'c'], ['b', 'c']);
    const { c, ids, groupID, info, since } = g;
    assert.equal(info.groupName, 'conformance group', JSON.stringify(info));
    assert.equal(info.ownerUserID, ids.a, JSON.stringify(info));
    assert.equal(info.creatorUserID, ids.a, JSON.stringify(info));
    assert.equal(info.memberCount, 3, JSON.stringify(info));
    assert.equal(info.groupType, 2, JSON.stringify(info));
    assert.equal(info.status, 0, JSON.stringify(info));

    for (const n of ['b', 'c']) {
        const ev = await joinedEv(c[n], groupID, since[n]);
        assert.equal(ev.data.groupName, 'conformance group', `${n}: ${JSON.stringify(ev.data)}`);
        assert.equal(ev.data.ownerUserID, ids.a, `${n}: ${JSON.stringify(ev.data)}`);
    }
    for (const n of ['a', 'b', 'c']) {
        const groups = await c[n].must('getJoinedGroupListPage', { offset: 0, count: 100 });
        const mine = groups.find((x) => x.groupID === groupID);
        assert.ok(mine, `${n}: getJoinedGroupListPage lacks the group: ${JSON.stringify(groups)}\n${c[n].diagHttp()}`);
        assert.equal(mine.memberCount, 3, JSON.stringify(mine));
        assert.equal(mine.ownerUserID, ids.a, JSON.stringify(mine));
    }
    const list = await members(c.b, groupID);
    assert.equal(list.length, 3, `getGroupMemberList: ${JSON.stringify(list)}`);
    const role = Object.fromEntries(list.map((m) => [m.userID, m.roleLevel]));
    assert.deepEqual(role, { [ids.a]: 100, [ids.b]: 20, [ids.c]: 20 }, `roles: ${JSON.stringify(list)}`);
    assert.equal(list[0].userID, ids.a, 'members sorted by roleLevel: owner first');
    for (const m of list) {
        assert.equal(m.groupID, groupID, JSON.stringify(m));
        assert.equal(m.nickname, `nick_${m.userID}`, JSON.stringify(m));
    }
    const infos = await c.c.must('getSpecifiedGroupsInfo', [groupID]);
    assert.equal(infos[0]?.groupID, groupID, JSON.stringify(infos));
    assertNoSdkErrors();
    await closeAll(g);
});

test('group chat: A writes, B and C get it with one seq; B answers, A and C get the next seq', { timeout: 90000 }, async () => {
    const g = await setup(['a', 'b', 'c'], ['b', 'c']);
    const { c, ids, groupID, since } = g;
    await joinedEv(c.b, groupID, since.b);
    await joinedEv(c.c, groupID, since.c);

    const s1 = { [ids.a]: c.a.mark(), [ids.b]: c.b.mark(), [ids.c]: c.c.mark() };
    const m1 = await sendOK(c.a, groupID, 'hello group');
    const [onB, onC] = await delivered(m1, [c.b, c.c], s1);
    assertGroupText(onB, { sendID: ids.a, groupID, text: 'hello group' });
    assertGroupText(onC, { sendID: ids.a, groupID, text: 'hello group' });
    assert.equal(onB.seq, onC.seq, 'one seq for every member');
    assert.equal(onB.serverMsgID, onC.serverMsgID);
    assert.equal(onB.senderNickname, `nick_${ids.a}`, JSON.stringify(onB));

    const m2 = await sendOK(c.b, groupID, 'reply from B');
    const [onA2, onC2] = await delivered(m2, [c.a, c.c], s1);
    assertGroupText(onA2, { sendID: ids.b, groupID, text: 'reply from B' });
    assert.equal(onC2.seq, onA2.seq);
    assert.equal(onA2.seq, onB.seq + 1, `consecutive seqs: A's message ${onB.seq}, B's reply ${onA2.seq}`);

    await sleep(800);
    // once each, and the senders' own tabs do not see their messages as new
    assert.equal(c.b.received(s1[ids.b]).filter((m) => m.clientMsgID === m1.clientMsgID).length, 1, c.b.diag());
    assert.equal(c.c.received(s1[ids.c]).filter((m) => m.clientMsgID === m1.clientMsgID).length, 1, c.c.diag());
    assert.equal(c.c.received(s1[ids.c]).filter((m) => m.clientMsgID === m2.clientMsgID).length, 1, c.c.diag());
    assert.equal(c.a.received(s1[ids.a]).filter((m) => m.clientMsgID === m1.clientMsgID).length, 0, `A saw its own message as new\n${c.a.diag()}`);

    // C's conversation list shows the group conversation with B's reply as latest
    const cv = await until(
        async () => (await c.c.conversations()).find((x) => x.conversationID === groupConvID(groupID)),
        8000,
        `C's conversation list shows ${groupConvID(groupID)}`,
        () => c.c.diagHttp(),
    );
    assert.equal(cv.conversationType, 3, JSON.stringify(cv));
    assert.equal(cv.groupID, groupID, JSON.stringify(cv));
    let latest = cv.latestMsg;
    await until(
        async () => {
            latest = (await c.c.conversations()).find((x) => x.conversationID === groupConvID(groupID))?.latestMsg;
            return JSON.parse(latest || '{}').clientMsgID === m2.clientMsgID;
        },
        5000,
        "C's latestMsg is B's reply",
        () => `latestMsg: ${latest}`,
    );
    // history on C holds both messages in order
    const h = await c.c.history(groupConvID(groupID), 50);
    const texts = h.messageList.filter((m) => m.contentType === 101).map((m) => m.textElem?.content);
    assert.deepEqual(texts, ['hello group', 'reply from B'], `C's history: ${JSON.stringify(h.messageList.map((m) => [m.seq, m.contentType]))}`);
    assertNoSdkErrors();
    await closeAll(g);
});

test('A invites D: D joins, sees only what was sent after the join, gets new messages', { timeout: 90000 }, async () => {
    const g = await setup(['a', 'b', 'c', 'd'], ['b', 'c']);
    const { c, ids, groupID, since } = g;
    await joinedEv(c.b, groupID, since.b);

    const s0 = { [ids.b]: c.b.mark() };
    const before = [];
    for (const t of ['before D 1', 'before D 2']) before.push(await sendOK(c.a, groupID, t));
    const [lastBefore] = await delivered(before[1], [c.b], s0);

    const sD = c.d.mark();
    const sB = c.b.mark();
    await c.a.must('inviteUserToGroup', { groupID, reason: 'welcome', userIDList: [ids.d] });
    const ev = await joinedEv(c.d, groupID, sD);
    assert.equal(ev.data.memberCount, 4, `D's OnJoinedGroupAdded: ${JSON.stringify(ev.data)}`);
    const added = await c.b.waitEvent(CbEvents.OnGroupMemberAdded, (e) => e.data?.userID === ids.d && e.data?.groupID === groupID, {
        since: sB,
        timeoutMs: 8000,
    });
    assert.equal(added.data.roleLevel, 20, JSON.stringify(added.data));
    assert.ok((await joinedIDs(c.d)).includes(groupID), 'D lists the group');
    assert.deepEqual(
        (await members(c.a, groupID)).map((m) => m.userID).sort(),
        [ids.a, ids.b, ids.c, ids.d].sort(),
    );

    const s1 = { [ids.d]: c.d.mark(), [ids.b]: c.b.mark() };
    const after = await sendOK(c.a, groupID, 'after D joined');
    const [onD, onB] = await delivered(after, [c.d, c.b], s1);
    assertGroupText(onD, { sendID: ids.a, groupID, text: 'after D joined' });
    assert.equal(onD.seq, onB.seq);
    const fromD = await sendOK(c.d, groupID, 'hi from D');
    await delivered(fromD, [c.a, c.b, c.c]);

    // D's history: only what came after the join (group_history_for_new_members = 0)
    await sleep(300);
    const h = await c.d.history(groupConvID(groupID), 50);
    const texts = h.messageList.filter((m) => m.contentType === 101).map((m) => m.textElem?.content);
    assert.deepEqual(
        texts,
        ['after D joined', 'hi from D'],
        `D's history of the group (seqs ${JSON.stringify(h.messageList.map((m) => [m.seq, m.contentType, m.textElem?.content]))})`,
    );
    assert.ok(
        h.messageList.every((m) => m.seq > lastBefore.seq),
        `D's history reaches below its join (last seq before it: ${lastBefore.seq}): ${JSON.stringify(h.messageList.map((m) => m.seq))}`,
    );
    // B, a member from the start, still sees everything
    const hb = await c.b.history(groupConvID(groupID), 50);
    const textsB = hb.messageList.filter((m) => m.contentType === 101).map((m) => m.textElem?.content);
    assert.deepEqual(textsB, ['before D 1', 'before D 2', 'after D joined', 'hi from D']);
    assertNoSdkErrors();
    await closeAll(g);
});

test('mutes: a muted member gets 1402, a muted group 1403 for members, the owner still writes', { timeout: 120000 }, async () => {
    const g = await setup(['a', 'b', 'c'], ['b', 'c']);
    const { c, ids, groupID, since } = g;
    await joinedEv(c.b, groupID, since.b);
    await joinedEv(c.c, groupID, since.c);
    await delivered(await sendOK(c.a, groupID, 'warm-up'), [c.b, c.c]);

    // A mutes C for 10 minutes
    const sC = c.c.mark();
    const t = Date.now();
    await c.a.must('changeGroupMemberMute', { groupID, userID: ids.c, mutedSeconds: 600 });
    const changed = await c.c.waitEvent(
        CbEvents.OnGroupMemberInfoChanged,
        (e) => e.data?.userID === ids.c && e.data?.muteEndTime > t,
        { since: sC, timeoutMs: 8000 },
    );
    const end = changed.data.muteEndTime;
    assert.ok(end >= t + 590000 && end <= Date.now() + 610000, `muteEndTime (ms) ≈ now + 600 s: ${JSON.stringify(changed.data)}`);
    const muted = (await members(c.a, groupID)).find((m) => m.userID === ids.c);
    assert.ok(muted.muteEndTime > Date.now(), `getGroupMemberList muteEndTime: ${JSON.stringify(muted)}`);
    let r = await c.c.trySendGroupText(groupID, 'C while muted');
    assert.equal(r.result.errCode, 1402, `muted member's send: ${JSON.stringify(r.result)}\n${c.c.diag()}`);
    await delivered(await sendOK(c.b, groupID, 'B is not muted'), [c.a, c.c]);

    // unmute: C writes again
    await c.a.must('changeGroupMemberMute', { groupID, userID: ids.c, mutedSeconds: 0 });
    await c.c.waitEvent(CbEvents.OnGroupMemberInfoChanged, (e) => e.data?.userID === ids.c && e.data?.muteEndTime <= Date.now(), {
        since: sC,
        timeoutMs: 8000,
    });
    await delivered(await sendOK(c.c, groupID, 'C unmuted'), [c.a, c.b]);

    // whole group muted: members get 1403, the owner still writes
    const sB = c.b.mark();
    await c.a.must('changeGroupMute', { groupID, isMute: true });
    const gi = await c.b.waitEvent(CbEvents.OnGroupInfoChanged, (e) => e.data?.groupID === groupID && e.data?.status === 3, {
        since: sB,
        timeoutMs: 8000,
    });
    assert.equal(gi.data.status, 3, JSON.stringify(gi.data));
    r = await c.b.trySendGroupText(groupID, 'B in a muted group');
    assert.equal(r.result.errCode, 1403, `member's send in a muted group: ${JSON.stringify(r.result)}\n${c.b.diag()}`);
    r = await c.c.trySendGroupText(groupID, 'C in a muted group');
    assert.equal(r.result.errCode, 1403, `member's send in a muted group: ${JSON.stringify(r.result)}`);
    await delivered(await sendOK(c.a, groupID, 'owner in a muted group'), [c.b, c.c]);

    await c.a.must('changeGroupMute', { groupID, isMute: false });
    await c.b.waitEvent(CbEvents.OnGroupInfoChanged, (e) => e.data?.groupID === groupID && e.data?.status === 0, { since: sB, timeoutMs: 8000 });
    await delivered(await sendOK(c.b, groupID, 'B after the group mute'), [c.a, c.c]);
    assertNoSdkErrors();
    await closeAll(g);
});

test('kick: C is removed, gets OnJoinedGroupDeleted, no longer receives, cannot send (1203)', { timeout: 90000 }, async () => {
    const g = await setup(['a', 'b', 'c'], ['b', 'c']);
    const { c, ids, groupID, since } = g;
    await joinedEv(c.c, groupID, since.c);
    await delivered(await sendOK(c.a, groupID, 'before the kick'), [c.b, c.c]);

    const sB = c.b.mark();
    const sC = c.c.mark();
    await c.a.must('kickGroupMember', { groupID, reason: 'bye', userIDList: [ids.c] });
    await c.c
        .waitEvent(CbEvents.OnJoinedGroupDeleted, (e) => e.data?.groupID === groupID, { since: sC, timeoutMs: 10000 })
        .catch((e) => {
            throw new Error(`${e.message}\n${c.c.diagHttp()}`);
        });
    await c.b.waitEvent(CbEvents.OnGroupMemberDeleted, (e) => e.data?.userID === ids.c, { since: sB, timeoutMs: 8000 });
    assert.ok(!(await joinedIDs(c.c)).includes(groupID), "the group is gone from C's list");
    assert.deepEqual((await members(c.a, groupID)).map((m) => m.userID).sort(), [ids.a, ids.b].sort());

    // later messages reach B, not C
    const sC2 = c.c.mark();
    const m = await sendOK(c.a, groupID, 'after the kick');
    await delivered(m, [c.b]);
    await sleep(1000);
    assert.equal(c.c.received(sC2).filter((x) => x.clientMsgID === m.clientMsgID).length, 0, `a kicked member got a group message\n${c.c.diag()}`);

    // C cannot write: the app's send fails; the server itself answers 1203
    const viaSdk = await c.c.trySendGroupText(groupID, 'kicked C via sendMessage');
    assert.notEqual(viaSdk.result.errCode, 0, `kicked member's sendMessage succeeded\n${c.c.diag()}`);
    const viaServer = await c.c.trySendGroupText(groupID, 'kicked C via the server', 'sendMessageNotOss');
    assert.equal(viaServer.result.errCode, 1203, `server answer to a kicked member's send: ${JSON.stringify(viaServer.result)}\n${c.c.diag()}`);
    await sleep(500);
    assert.ok(!c.b.received(sB).some((x) => x.sendID === ids.c && x.contentType === 101), 'a refused message reached B');
    assertNoSdkErrors();
    await closeAll(g);
});

test('dismiss: members get OnGroupDismissed, nobody can send (1204)', { timeout: 90000 }, async () => {
    const g = await setup(['a', 'b', 'c'], ['b', 'c']);
    const { c, ids, groupID, since } = g;
    await joinedEv(c.b, groupID, since.b);
    await joinedEv(c.c, groupID, since.c);
    await delivered(await sendOK(c.a, groupID, 'before dismissal'), [c.b, c.c]);

    const s = { b: c.b.mark(), c: c.c.mark() };
    await c.a.must('dismissGroup', groupID);
    for (const n of ['b', 'c']) {
        // (tips.group is read before the status change in OpenIM, so its status is not asserted)
        await c[n]
            .waitEvent(CbEvents.OnGroupDismissed, (e) => e.data?.groupID === groupID, { since: s[n], timeoutMs: 10000 })
            .catch((e) => {
                throw new Error(`${e.message}\n${c[n].diagHttp()}`);
            });
    }
    for (const n of ['a', 'b']) {
        const r = await c[n].trySendGroupText(groupID, `${n} after dismissal`, 'sendMessageNotOss');
        assert.equal(r.result.errCode, 1204, `${n}: send to a dismissed group: ${JSON.stringify(r.result)}\n${c[n].diag()}`);
        const r2 = await c[n].trySendGroupText(groupID, `${n} after dismissal (sendMessage)`);
        assert.notEqual(r2.result.errCode, 0, `${n}: sendMessage to a dismissed group succeeded`);
    }
    assertNoSdkErrors();
    await closeAll(g);
});

test("a second device of B syncs the same groups and members at login and follows new groups", { timeout: 120000 }, async () => {
    const g = await setup(['a', 'b', 'c', 'd'], ['b', 'c']);
    const { server, c, ids, groupID, since } = g;
    await joinedEv(c.b, groupID, since.b);
    await c.a.must('inviteUserToGroup', { groupID, reason: '', userIDList: [ids.d] });
    await joinedEv(c.d, groupID, 0);
    const sB = c.b.mark();
    await c.a.must('kickGroupMember', { groupID, reason: '', userIDList: [ids.c] });
    await c.b.waitEvent(CbEvents.OnGroupMemberDeleted, (e) => e.data?.userID === ids.c, { since: sB, timeoutMs: 8000 });
    const expectedGroups = await c.b.must('getJoinedGroupListPage', { offset: 0, count: 100 });
    const expectedMembers = await members(c.b, groupID);
    assert.deepEqual(expectedMembers.map((m) => m.userID).sort(), [ids.a, ids.b, ids.d].sort());

    const tokenWin = await userToken(server.base, server.admin, ids.b, PLATFORM_WINDOWS);
    const t = Date.now();
    const b2 = await online(server, ids.b, tokenWin, PLATFORM_WINDOWS, `${ids.b}/windows`);

    // what its login sync fetched
    const jg = b2.http('/group/get_incremental_join_groups', t).at(-1);
    assert.ok(jg, `no /group/get_incremental_join_groups at login\n${b2.diagHttp()}`);
    assert.equal(jg.res?.errCode, 0, JSON.stringify(jg.res));
    assert.match(String(jg.res.data?.versionID), HEX24, `joined-groups log versionID: ${JSON.stringify(jg.res.data)}`);
    const fj = b2.http('/group/get_full_join_group_ids', t).at(-1);
    assert.ok(fj, `no /group/get_full_join_group_ids at login\n${b2.diagHttp()}`);
    assert.deepEqual(fj.res?.data?.groupIDs, [groupID], `full joined group IDs: ${JSON.stringify(fj.res)}`);
    const batch = b2.http('/group/get_incremental_group_members_batch', t).at(-1);
    assert.ok(batch, `no /group/get_incremental_group_members_batch at login\n${b2.diagHttp()}`);
    assert.deepEqual(batch.req, { userID: ids.b, reqList: [{ groupID, version: 0, versionID: '' }] });
    const entry = batch.res?.data?.respList?.[groupID];
    assert.ok(entry, `respList lacks the group: ${JSON.stringify(batch.res)}`);
    assert.match(String(entry.versionID), HEX24, `member log versionID: ${JSON.stringify(entry)}`);
    assert.ok(entry.version >= 3, `member log version after create + invite + kick: ${JSON.stringify(entry)}`);
    assert.equal(entry.group?.groupID, groupID, `respList[g].group (full sync carries the group): ${JSON.stringify(entry)}`);
    assert.equal(entry.group?.memberCount, 3, JSON.stringify(entry.group));
    // what the SDK now holds
    assert.ok(b2.sdk.groupTrigger.syncer.checkIsJoinGroup(groupID), 'SDK stored a member version for the group');
    assert.equal(b2.sdk.groupTrigger.cache.cachedGroups.get(groupID)?.groupID, groupID, 'SDK cached the group info');
    assert.equal(await b2.must('isJoinGroup', groupID), true);
    const users = await b2.must('getUsersInGroup', { groupID, userIDList: [ids.a, ids.b, ids.c, ids.d] });
    assert.deepEqual([...users].sort(), [ids.a, ids.b, ids.d].sort(), 'getUsersInGroup (full member ID route)');
    // same lists as the first device
    assert.deepEqual(await b2.must('getJoinedGroupListPage', { offset: 0, count: 100 }), expectedGroups);
    assert.deepEqual(await members(b2, groupID), expectedMembers);

    // a new group reaches the second device as an incremental delta of the joined-groups log
    const s2 = b2.mark();
    const t2 = Date.now();
    const info2 = await c.a.must('createGroup', { memberUserIDs: [ids.b], adminUserIDs: [], groupInfo: { groupName: 'second group', groupType: 2 } });
    await joinedEv(b2, info2.groupID, s2);
    const delta = b2.http('/group/get_incremental_join_groups', t2).at(-1);
    assert.equal(delta.req.versionID, jg.res.data.versionID, 'the second sync sends the stored versionID');
    assert.equal(delta.res.data?.full, false, JSON.stringify(delta.res));
    assert.deepEqual((delta.res.data?.insert ?? []).map((x) => x.groupID), [info2.groupID], JSON.stringify(delta.res));
    assert.deepEqual((await joinedIDs(b2)).sort(), [groupID, info2.groupID].sort());
    assertNoSdkErrors();
    await closeAll(g, [b2]);
});
