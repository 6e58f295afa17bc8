// Friends and blacklist through the official JS SDK: applications, acceptance, friend lists,
// blocking, deletion and what a second device syncs at login (/friend routes + 12xx notifications).
//
// What the SDK (0.0.14) does, read from lib/index.modern.mjs, and therefore what is asserted:
//  * addFriend → /friend/add_friend; the target's SDK gets 1203 FriendApplicationNotification and
//    calls /friend/get_designated_friend_apply → OnFriendApplicationAdded(FriendRequest).
//  * acceptFriendApplication → /friend/add_friend_response, then /friend/get_incremental_friends
//    with the version seeded at login: the `insert` list becomes OnFriendAdded. The applicant's SDK
//    gets 1201 → OnFriendApplicationAccepted; it never emits OnFriendAdded for it (its handler
//    passes the sync function to Promise.all without calling it), so that is not asserted.
//  * OnFriendAdded/OnFriendDeleted only come from deltas of /friend/get_incremental_friends, and
//    only once a non-empty versionID was stored (the login answer must carry one).
//  * REST errors reach the app as errCode 10006 + the server's errMsg; the server's own errCode is
//    read from the recorded HTTP answer (recordHttp). WS send errors keep the server's errCode.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
    CbEvents,
    PLATFORM_WEB,
    PLATFORM_WINDOWS,
    assertNoSdkErrors,
    assertTextMessage,
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

async function friendIDs(c) {
    const list = await c.must('getFriendListPage', { offset: 0, count: 100 });
    return (list ?? []).map((f) => f.userID).sort();
}

/** A applies, B accepts; waits until both SDKs show the friendship. */
async function befriend(ca, cb, reqMsg = 'hi') {
    const sinceB = cb.mark();
    await ca.must('addFriend', { toUserID: cb.userID, reqMsg, ex: '' });
    await cb.waitEvent(CbEvents.OnFriendApplicationAdded, (e) => e.data?.fromUserID === ca.userID, { since: sinceB, timeoutMs: 10000 });
    await cb.must('acceptFriendApplication', { toUserID: ca.userID, handleMsg: 'ok' });
    for (const [c, peer] of [
        [ca, cb.userID],
        [cb, ca.userID],
    ]) {
        await until(async () => (await friendIDs(c)).includes(peer), 8000, `${c.label} friend list shows ${peer}`, () => c.diagHttp());
    }
}

/** The last recorded REST answer of `c` for `path` (asserts there is one). */
function lastAnswer(c, path, since = 0) {
    const calls = c.http(path, since);
    assert.ok(calls.length, `${c.label} made no ${path} call\n${c.diagHttp()}`);
    return calls[calls.length - 1];
}

test('A applies, B accepts: events on both sides, both friend lists, then a chat', { timeout: 90000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const cb = await online(server, b, tokens[b]);
    const sinceA = ca.mark();
    const sinceB = cb.mark();
    const t0 = Date.now();

    // A applies
    await ca.must('addFriend', { toUserID: b, reqMsg: 'hello B, it is A', ex: '' });
    const applied = await cb.waitEvent(
        CbEvents.OnFriendApplicationAdded,
        (e) => e.data?.fromUserID === a && e.data?.toUserID === b,
        { since: sinceB, timeoutMs: 10000 },
    );
    const req = applied.data;
    assert.equal(req.reqMsg, 'hello B, it is A', `reqMsg in B's OnFriendApplicationAdded: ${JSON.stringify(req)}`);
    assert.equal(req.handleResult, 0, `pending application: ${JSON.stringify(req)}`);
    assert.equal(req.fromNickname, `nick_${a}`, `fromNickname: ${JSON.stringify(req)}`);
    assert.equal(req.toNickname, `nick_${b}`, `toNickname: ${JSON.stringify(req)}`);
    assert.ok(req.createTime >= t0 - 5000 && req.createTime < Date.now() + 60000, `createTime (ms): ${JSON.stringify(req)}`);
    // the applicant's own SDK shows the application too (it fetches it after add_friend)
    await ca.waitEvent(CbEvents.OnFriendApplicationAdded, (e) => e.data?.toUserID === b, { since: sinceA, timeoutMs: 5000 });

    // application lists: B as recipient (SDK reads `FriendRequests`), A as applicant (`friendRequests`)
    const recv = await cb.must('getFriendApplicationListAsRecipient', { offset: 0, count: 20 });
    assert.ok(
        recv.some((r) => r.fromUserID === a && r.reqMsg === 'hello B, it is A' && r.handleResult === 0),
        `B's getFriendApplicationListAsRecipient lacks A's request: ${JSON.stringify(recv)}\n${cb.diagHttp()}`,
    );
    const sent = await ca.must('getFriendApplicationListAsApplicant', { offset: 0, count: 20 });
    assert.ok(
        sent.some((r) => r.toUserID === b && r.handleResult === 0),
        `A's getFriendApplicationListAsApplicant lacks the request to B: ${JSON.stringify(sent)}\n${ca.diagHttp()}`,
    );
    assert.deepEqual(await friendIDs(ca), [], 'no friendship before the answer');

    // B accepts
    const sinceA2 = ca.mark();
    const sinceB2 = cb.mark();
    await cb.must('acceptFriendApplication', { toUserID: a, handleMsg: 'welcome A' });
    const added = await cb.waitEvent(CbEvents.OnFriendAdded, (e) => e.data?.userID === a, { since: sinceB2, timeoutMs: 10000 }).catch((e) => {
        throw new Error(`${e.message}\n${cb.diagHttp()}`);
    });
    assert.equal(added.data.nickname, `nick_${a}`, `B's OnFriendAdded: ${JSON.stringify(added.data)}`);
    assert.equal(added.data.ownerUserID, b, `B's OnFriendAdded: ${JSON.stringify(added.data)}`);
    await cb.waitEvent(CbEvents.OnFriendApplicationAccepted, (e) => e.data?.fromUserID === a, { since: sinceB2, timeoutMs: 5000 });
    const accepted = await ca.waitEvent(
        CbEvents.OnFriendApplicationAccepted,
        (e) => e.data?.fromUserID === a && e.data?.toUserID === b,
        { since: sinceA2, timeoutMs: 10000 },
    );
    assert.equal(accepted.data.handleResult, 1, `A's OnFriendApplicationAccepted: ${JSON.stringify(accepted.data)}`);
    assert.equal(accepted.data.handleMsg, 'welcome A', `A's OnFriendApplicationAccepted: ${JSON.stringify(accepted.data)}`);

    // both friend lists
    const listA = await ca.must('getFriendListPage', { offset: 0, count: 100 });
    const listB = await cb.must('getFriendListPage', { offset: 0, count: 100 });
    assert.deepEqual(listA.map((f) => f.userID), [b], `A's friends: ${JSON.stringify(listA)}`);
    assert.deepEqual(listB.map((f) => f.userID), [a], `B's friends: ${JSON.stringify(listB)}`);
    assert.equal(listA[0].nickname, `nick_${b}`, JSON.stringify(listA[0]));
    assert.equal(listA[0].ownerUserID, a, JSON.stringify(listA[0]));
    assert.deepEqual(await ca.must('checkFriend', [b]), [{ result: 1, userID: b }]);
    assert.deepEqual(await cb.must('checkFriend', [a]), [{ result: 1, userID: a }]);
    const spec = await ca.must('getSpecifiedFriendsInfo', [b]);
    assert.deepEqual(spec.map((f) => f.userID), [b], `getSpecifiedFriendsInfo: ${JSON.stringify(spec)}`);

    // and they chat
    const since3 = cb.mark();
    const created = await ca.must('createTextMessage', 'now we are friends');
    await ca.must('sendMessage', { recvID: b, groupID: '', message: created });
    const got = await cb.waitMessage(created.clientMsgID, { since: since3 });
    assertTextMessage(got, { sendID: a, recvID: b, text: 'now we are friends' });
    assertNoSdkErrors();

    await ca.close();
    await cb.close();
    await server.stop();
});

test('B refuses: A gets OnFriendApplicationRejected, no friendship, A may apply again', { timeout: 90000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const cb = await online(server, b, tokens[b]);
    const sinceB = cb.mark();
    await ca.must('addFriend', { toUserID: b, reqMsg: 'first try', ex: '' });
    await cb.waitEvent(CbEvents.OnFriendApplicationAdded, (e) => e.data?.fromUserID === a, { since: sinceB, timeoutMs: 10000 });
    const sinceA = ca.mark();
    await cb.must('refuseFriendApplication', { toUserID: a, handleMsg: 'no thanks' });
    const rej = await ca.waitEvent(CbEvents.OnFriendApplicationRejected, (e) => e.data?.toUserID === b, { since: sinceA, timeoutMs: 10000 });
    assert.equal(rej.data.handleResult, -1, JSON.stringify(rej.data));
    assert.equal(rej.data.handleMsg, 'no thanks', JSON.stringify(rej.data));
    assert.deepEqual(await friendIDs(ca), []);
    assert.deepEqual(await friendIDs(cb), []);
    // a new application resets the request to pending
    const sinceB2 = cb.mark();
    await ca.must('addFriend', { toUserID: b, reqMsg: 'second try', ex: '' });
    const again = await cb.waitEvent(CbEvents.OnFriendApplicationAdded, (e) => e.data?.reqMsg === 'second try', { since: sinceB2, timeoutMs: 10000 });
    assert.equal(again.data.handleResult, 0, JSON.stringify(again.data));
    assertNoSdkErrors();

    await ca.close();
    await cb.close();
    await server.stop();
});

test('blacklist: B blocks A → A cannot write (1302) nor apply (1302); unblocked → works again', { timeout: 90000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const cb = await online(server, b, tokens[b]);

    // before: A can write to B
    const c0 = await ca.must('createTextMessage', 'before the block');
    await ca.must('sendMessage', { recvID: b, groupID: '', message: c0 });
    await cb.waitMessage(c0.clientMsgID);

    const sinceB = cb.mark();
    await cb.must('addBlack', { toUserID: a, ex: '' });
    const blackEv = await cb.waitEvent(CbEvents.OnBlackAdded, (e) => e.data?.userID === a, { since: sinceB, timeoutMs: 8000 }).catch((e) => {
        throw new Error(`${e.message}\n${cb.diagHttp()}`);
    });
    assert.equal(blackEv.data.ownerUserID, b, JSON.stringify(blackEv.data));
    assert.equal(blackEv.data.nickname, `nick_${a}`, JSON.stringify(blackEv.data));
    const blacks = await cb.must('getBlackList', { offset: 0, count: 20 });
    assert.deepEqual(blacks.map((x) => x.userID), [a], `B's getBlackList: ${JSON.stringify(blacks)}`);
    assert.deepEqual(await ca.must('getBlackList', { offset: 0, count: 20 }), [], "A's own blacklist stays empty");

    // A's message is refused with 1302 (WS 1003 answer)
    const sinceRecv = cb.mark();
    const c1 = await ca.must('createTextMessage', 'while blocked');
    const r1 = await ca.attempt('sendMessage', { recvID: b, groupID: '', message: c1 });
    assert.equal(r1.errCode, 1302, `sendMessage to a user who blocked the sender: ${JSON.stringify(r1)}\n${ca.diag()}`);

    // A's friend application is refused with 1302 (REST; the SDK reports 10006 + errMsg)
    const t = Date.now();
    const r2 = await ca.attempt('addFriend', { toUserID: b, reqMsg: 'please', ex: '' });
    assert.notEqual(r2.errCode, 0, `addFriend to a user who blocked the applicant succeeded\n${ca.diagHttp()}`);
    const addCall = lastAnswer(ca, '/friend/add_friend', t);
    assert.equal(addCall.res?.errCode, 1302, `/friend/add_friend answer: ${JSON.stringify(addCall.res)}`);
    await sleep(500);
    assert.equal(cb.received(sinceRecv).filter((m) => m.clientMsgID === c1.clientMsgID).length, 0, 'the refused message reached B');
    assert.ok(
        !cb.events.slice(sinceRecv).some((e) => e.name === CbEvents.OnFriendApplicationAdded),
        `B got an application from a blocked user\n${cb.diag()}`,
    );

    // B unblocks: messages go through again
    await cb.must('removeBlack', a);
    await until(async () => (await cb.must('getBlackList', { offset: 0, count: 20 })).length === 0, 5000, "B's blacklist empty after removeBlack", () => cb.diagHttp());
    const c2 = await ca.must('createTextMessage', 'after the block');
    const r3 = await ca.attempt('sendMessage', { recvID: b, groupID: '', message: c2 });
    assert.equal(r3.errCode, 0, `sendMessage after removeBlack: ${JSON.stringify(r3)}\n${ca.diag()}`);
    const got = await cb.waitMessage(c2.clientMsgID);
    assertTextMessage(got, { sendID: a, recvID: b, text: 'after the block' });
    // and an application is accepted again
    await ca.must('addFriend', { toUserID: b, reqMsg: 'friends?', ex: '' });
    await cb.waitEvent(CbEvents.OnFriendApplicationAdded, (e) => e.data?.fromUserID === a && e.data?.reqMsg === 'friends?', { timeoutMs: 8000 });
    assertNoSdkErrors();

    await ca.close();
    await cb.close();
    await server.stop();
});

test('A deletes B: one-sided, A gets OnFriendDeleted, B keeps A', { timeout: 90000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const cb = await online(server, b, tokens[b]);
    await befriend(ca, cb);

    const sinceA = ca.mark();
    const sinceB = cb.mark();
    await ca.must('deleteFriend', b);
    const del = await ca.waitEvent(CbEvents.OnFriendDeleted, (e) => e.data?.userID === b, { since: sinceA, timeoutMs: 8000 }).catch((e) => {
        throw new Error(`${e.message}\n${ca.diagHttp()}`);
    });
    assert.ok(del);
    assert.deepEqual(await friendIDs(ca), [], "A's friend list after deleting B");
    assert.deepEqual(await friendIDs(cb), [a], "B's friend list keeps A (deletion is one-sided)");
    assert.deepEqual(await ca.must('checkFriend', [b]), [{ result: 0, userID: b }]);
    assert.deepEqual(await cb.must('checkFriend', [a]), [{ result: 1, userID: a }]);
    await sleep(800);
    assert.ok(
        !cb.events.slice(sinceB).some((e) => e.name === CbEvents.OnFriendDeleted),
        `B must not see a friend deletion (B's list did not change)\n${cb.diag()}`,
    );
    // Exactly one OnFriendDeleted on A's side. The SDK suppresses its own echo of 1205 by the
    // operationID of the delete_friend call, which it only records once the REST reply has been
    // processed: if the 1205 push reaches the operator's tab before that reply (OpenIM's push comes
    // through Kafka and the push service, well after it), the SDK runs a second incremental sync
    // from the same version and reports the deletion twice.
    const dels = ca.events.slice(sinceA).filter((e) => e.name === CbEvents.OnFriendDeleted);
    assert.equal(
        dels.length,
        1,
        `A got ${dels.length} OnFriendDeleted for one deleteFriend: the 1205 push to the operator's own ` +
            `connection must not overtake the /friend/delete_friend reply\n${ca.diag()}`,
    );
    assertNoSdkErrors();

    await ca.close();
    await cb.close();
    await server.stop();
});

test('a second device of A syncs the same friend list at login and follows later changes', { timeout: 90000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const c = uid('c');
    const tokens = await makeUsers(server, [a, b, c], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const cb = await online(server, b, tokens[b]);
    const cc = await online(server, c, tokens[c]);
    await befriend(ca, cb);
    await befriend(ca, cc);
    await ca.must('deleteFriend', c);
    await until(async () => !(await friendIDs(ca)).includes(c), 5000, 'A no longer lists C', () => ca.diagHttp());
    const expected = await friendIDs(ca);
    assert.deepEqual(expected, [b]);

    // A logs in on a second device (a new SDK instance)
    const tokenWin = await userToken(server.base, server.admin, a, PLATFORM_WINDOWS);
    const t = Date.now();
    const a2 = await online(server, a, tokenWin, PLATFORM_WINDOWS, `${a}/windows`);

    // what its login sync fetched
    const incr = lastAnswer(a2, '/friend/get_incremental_friends', t);
    assert.equal(incr.res?.errCode, 0, `/friend/get_incremental_friends: ${JSON.stringify(incr.res)}`);
    assert.deepEqual(incr.req, { userID: a, version: 0, versionID: '' }, 'first sync request of a fresh SDK');
    assert.match(String(incr.res.data?.versionID), HEX24, `friend log versionID: ${JSON.stringify(incr.res.data)}`);
    assert.ok(incr.res.data.version >= 1, `friend log version: ${JSON.stringify(incr.res.data)}`);
    const full = lastAnswer(a2, '/friend/get_full_friend_user_ids', t);
    assert.equal(full.res?.errCode, 0, `/friend/get_full_friend_user_ids: ${JSON.stringify(full.res)}`);
    assert.deepEqual([...(full.res.data?.userIDs ?? [])].sort(), expected, `full friend IDs: ${JSON.stringify(full.res.data)}`);
    assert.equal(full.res.data.versionID, incr.res.data.versionID, 'same friend log in both answers');
    // what the SDK now holds
    assert.deepEqual([...a2.sdk.relationTrigger.cache.cachedFriendIDs].sort(), expected, "the SDK's friend ID cache");
    assert.deepEqual(await friendIDs(a2), expected, "second device's getFriendListPage");
    const l1 = await ca.must('getFriendListPage', { offset: 0, count: 100 });
    const l2 = await a2.must('getFriendListPage', { offset: 0, count: 100 });
    assert.deepEqual(l2, l1, 'both devices see identical friend records');

    // a later change on the first device reaches the second one as an incremental delta:
    // 1205 (sent to B, and to A's other devices) → /friend/get_incremental_friends → delete [B]
    const since2 = a2.mark();
    const t2 = Date.now();
    await ca.must('deleteFriend', b);
    await a2.waitEvent(CbEvents.OnFriendDeleted, (e) => e.data?.userID === b, { since: since2, timeoutMs: 8000 }).catch((e) => {
        throw new Error(`${e.message}\n${a2.diagHttp()}`);
    });
    const delta = lastAnswer(a2, '/friend/get_incremental_friends', t2);
    assert.equal(delta.req.versionID, incr.res.data.versionID, 'the second sync sends the stored versionID');
    assert.equal(delta.res.data?.full, false, `incremental answer: ${JSON.stringify(delta.res)}`);
    assert.deepEqual(delta.res.data?.delete, [b], `incremental answer: ${JSON.stringify(delta.res)}`);
    assert.ok(delta.res.data.version > incr.res.data.version, `version grew: ${JSON.stringify(delta.res.data)}`);
    assert.deepEqual(await friendIDs(a2), []);
    assertNoSdkErrors();

    for (const x of [ca, cb, cc, a2]) await x.close();
    await server.stop();
});
