// /friend routes (openim-rest.md §5): friend requests, friendships, one-sided deletes, remarks and
// pins, imports, blacklists, the friend version log behind incremental sync (§15), shapes (§2),
// the permission matrix (self / other user / app admin) and bad inputs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTernd, api, ok, fails, adminToken, register, userToken, uid } from './harness.mjs';

const PAGE = (pageNumber, showNumber) => ({ pagination: { pageNumber, showNumber } });
const list = (x) => x ?? []; // the server may send null for an empty list
const USER_KEYS = ['userID', 'nickname', 'faceURL', 'ex', 'createTime', 'appMangerLevel', 'globalRecvMsgOpt'];
const PUBLIC_USER_KEYS = ['userID', 'nickname', 'faceURL', 'ex'];
const FRIEND_KEYS = ['ownerUserID', 'remark', 'createTime', 'friendUser', 'addSource', 'operatorUserID', 'ex', 'isPinned'];
const BLACK_KEYS = ['ownerUserID', 'createTime', 'blackUserInfo', 'addSource', 'operatorUserID', 'ex'];
const REQUEST_KEYS = [
    'fromUserID',
    'fromNickname',
    'fromFaceURL',
    'toUserID',
    'toNickname',
    'toFaceURL',
    'handleResult',
    'reqMsg',
    'createTime',
    'handlerUserID',
    'handleMsg',
    'handleTime',
    'ex',
];
const INCR_KEYS = ['version', 'versionID', 'full', 'delete', 'insert', 'update', 'sortVersion'];

function idHash(ids) {
    if (ids.length === 0) return 0n;
    return crypto.createHash('md5').update(JSON.stringify(ids)).digest().readBigUInt64BE(0);
}

describe('friend', () => {
    let srv, base, admin;
    const users = {}; // name -> {id, tok}

    const call = (path, body, who) => ok(base, path, body, { token: who === 'admin' ? admin : users[who].tok });
    const refuse = (path, body, code, who) => fails(base, path, body, code, { token: who === 'admin' ? admin : users[who].tok });
    const id = (name) => users[name].id;

    async function newUsers(...names) {
        const list = names.map((n) => ({ userID: uid(n), nickname: n.toUpperCase(), faceURL: `http://f/${n}.png` }));
        await register(base, admin, list);
        for (let i = 0; i < names.length; i++) {
            users[names[i]] = { id: list[i].userID, tok: await userToken(base, admin, list[i].userID, 5) };
        }
    }

    const apply = (from, to, reqMsg = '', who = from) => call('/friend/add_friend', { fromUserID: id(from), toUserID: id(to), reqMsg, ex: 'ax' }, who);
    const respond = (from, to, handleResult, who = to) =>
        call('/friend/add_friend_response', { fromUserID: id(from), toUserID: id(to), handleResult, handleMsg: 'hm' }, who);
    const incr = async (owner, version = 0, versionID = '') =>
        (await call('/friend/get_incremental_friends', { userID: id(owner), version, versionID }, owner)).data;
    const isFriend = async (a, b) => (await call('/friend/is_friend', { userID1: id(a), userID2: id(b) }, a)).data;
    const friendList = async (owner, page = PAGE(1, 100)) => (await call('/friend/get_friend_list', { userID: id(owner), ...page }, owner)).data;
    const received = async (user, extra = {}) =>
        (await call('/friend/get_friend_apply_list', { userID: id(user), ...PAGE(1, 100), ...extra }, user)).data;

    before(async () => {
        srv = await startTernd();
        base = srv.base;
        admin = await adminToken(base);
        await newUsers('alice', 'bob', 'carol', 'dave', 'eve');
    });
    after(async () => {
        await srv?.stop();
    });

    describe('add_friend', () => {
        it('bad inputs: missing IDs 1001, self 1301, unknown user 1004, other user 1002', async () => {
            await refuse('/friend/add_friend', { toUserID: id('bob') }, 1001, 'alice');
            await refuse('/friend/add_friend', { fromUserID: id('alice'), toUserID: '' }, 1001, 'alice');
            await refuse('/friend/add_friend', { fromUserID: id('alice'), toUserID: id('alice') }, 1301, 'alice');
            await refuse('/friend/add_friend', { fromUserID: id('alice'), toUserID: 'nobody_here' }, 1004, 'alice');
            await refuse('/friend/add_friend', { fromUserID: 'nobody_here', toUserID: id('alice') }, 1004, 'admin');
            await refuse('/friend/add_friend', { fromUserID: id('alice'), toUserID: id('bob') }, 1002, 'carol');
            await refuse('/friend/add_friend', { fromUserID: id('alice'), toUserID: 5 }, 1001, 'alice');
        });
    });

    describe('apply → list → accept → friends both ways → incremental → one-sided delete', () => {
        let aliceLog, bobLog;

        it('seeds the friend logs: first sync is full with null lists', async () => {
            aliceLog = await incr('alice');
            bobLog = await incr('bob');
            assert.deepEqual(Object.keys(aliceLog), INCR_KEYS);
            assert.equal(aliceLog.full, true);
            assert.equal(aliceLog.insert, null);
            assert.match(aliceLog.versionID, /^[0-9a-f]{24}$/);
        });

        it('add_friend answers without data; the request is listed on both sides', async () => {
            const j = await apply('alice', 'bob', 'hello');
            assert.ok(!('data' in j));
            const r = await received('bob');
            assert.deepEqual(Object.keys(r), ['FriendRequests', 'total']);
            assert.equal(r.total, 1);
            const req = r.FriendRequests[0];
            assert.deepEqual(Object.keys(req), REQUEST_KEYS);
            assert.equal(req.fromUserID, id('alice'));
            assert.equal(req.fromNickname, 'ALICE');
            assert.equal(req.fromFaceURL, 'http://f/alice.png');
            assert.equal(req.toUserID, id('bob'));
            assert.equal(req.toNickname, 'BOB');
            assert.equal(req.handleResult, 0);
            assert.equal(req.reqMsg, 'hello');
            assert.equal(req.ex, 'ax');
            assert.ok(req.createTime > 0);
            assert.equal(req.handleTime, 0);

            const s = (await call('/friend/get_self_friend_apply_list', { userID: id('alice'), ...PAGE(1, 10) }, 'alice')).data;
            assert.deepEqual(Object.keys(s), ['friendRequests', 'total']);
            assert.equal(s.total, 1);
            assert.equal(s.friendRequests[0].toUserID, id('bob'));
            // nothing sent by bob, nothing received by alice
            assert.equal((await call('/friend/get_self_friend_apply_list', { userID: id('bob'), ...PAGE(1, 10) }, 'bob')).data.total, 0);
            assert.deepEqual(list((await received('alice')).FriendRequests), []);

            for (const who of ['alice', 'bob', 'admin']) {
                const d = (await call('/friend/get_designated_friend_apply', { fromUserID: id('alice'), toUserID: id('bob') }, who)).data;
                assert.equal(d.friendRequests.length, 1, who);
                assert.equal(d.friendRequests[0].reqMsg, 'hello');
            }
            await refuse('/friend/get_designated_friend_apply', { fromUserID: id('alice'), toUserID: id('bob') }, 1002, 'carol');
            await refuse('/friend/get_designated_friend_apply', { fromUserID: id('alice') }, 1001, 'alice');

            const c = (await call('/friend/get_self_unhandled_apply_count', { userID: id('bob') }, 'bob')).data;
            assert.deepEqual(c, { count: 1 });
            const later = (await call('/friend/get_self_unhandled_apply_count', { userID: id('bob'), time: Date.now() + 60000 }, 'bob')).data;
            assert.equal(later.count, 0);
            await refuse('/friend/get_self_unhandled_apply_count', { userID: id('bob') }, 1002, 'alice');
            await call('/friend/get_self_unhandled_apply_count', { userID: id('bob') }, 'admin');
        });

        it('re-applying resets the request (new message, still one request)', async () => {
            await apply('alice', 'bob', 'hello again');
            const r = await received('bob');
            assert.equal(r.total, 1);
            assert.equal(r.FriendRequests[0].reqMsg, 'hello again');
        });

        it('respond: only the target (or admin), 1 or -1, the request must exist', async () => {
            await refuse('/friend/add_friend_response', { fromUserID: id('alice'), toUserID: id('bob'), handleResult: 1 }, 1002, 'alice');
            await refuse('/friend/add_friend_response', { fromUserID: id('alice'), toUserID: id('bob'), handleResult: 2 }, 1001, 'bob');
            await refuse('/friend/add_friend_response', { fromUserID: id('alice'), toUserID: id('bob'), handleResult: 0 }, 1001, 'bob');
            await refuse('/friend/add_friend_response', { fromUserID: id('carol'), toUserID: id('bob'), handleResult: 1 }, 1004, 'bob');
            await refuse('/friend/add_friend_response', { toUserID: id('bob'), handleResult: 1 }, 1001, 'bob');
        });

        it('accept makes them friends both ways; answering again is 1001', async () => {
            const j = await respond('alice', 'bob', 1);
            assert.ok(!('data' in j));
            assert.deepEqual(await isFriend('alice', 'bob'), { inUser1Friends: true, inUser2Friends: true });
            const r = (await received('bob')).FriendRequests[0];
            assert.equal(r.handleResult, 1);
            assert.equal(r.handlerUserID, id('bob'));
            assert.equal(r.handleMsg, 'hm');
            assert.ok(r.handleTime > 0);
            await refuse('/friend/add_friend_response', { fromUserID: id('alice'), toUserID: id('bob'), handleResult: 1 }, 1001, 'bob');
            await refuse('/friend/add_friend_response', { fromUserID: id('alice'), toUserID: id('bob'), handleResult: -1 }, 1001, 'bob');
            assert.equal((await call('/friend/get_self_unhandled_apply_count', { userID: id('bob') }, 'bob')).data.count, 0);
            // already friends both ways
            await refuse('/friend/add_friend', { fromUserID: id('alice'), toUserID: id('bob') }, 1304, 'alice');
            await refuse('/friend/add_friend', { fromUserID: id('bob'), toUserID: id('alice') }, 1304, 'bob');
        });

        it('friend lists: FriendInfo with friendUser; friend IDs', async () => {
            for (const [owner, other] of [
                ['alice', 'bob'],
                ['bob', 'alice'],
            ]) {
                const l = await friendList(owner);
                assert.deepEqual(Object.keys(l), ['friendsInfo', 'total']);
                assert.equal(l.total, 1);
                const fi = l.friendsInfo[0];
                assert.deepEqual(Object.keys(fi), FRIEND_KEYS);
                assert.equal(fi.ownerUserID, id(owner));
                assert.equal(fi.addSource, 2);
                assert.equal(fi.operatorUserID, id('alice'));
                assert.equal(fi.isPinned, false);
                assert.equal(fi.remark, '');
                assert.deepEqual(Object.keys(fi.friendUser), USER_KEYS);
                assert.equal(fi.friendUser.userID, id(other));
                assert.equal(fi.friendUser.nickname, other.toUpperCase());
                const ids = (await call('/friend/get_friend_id', { userID: id(owner) }, owner)).data;
                assert.deepEqual(ids, { friendIDs: [id(other)] });
            }
        });

        it('incremental sync shows the inserts on both logs', async () => {
            for (const [owner, log, other] of [
                ['alice', aliceLog, 'bob'],
                ['bob', bobLog, 'alice'],
            ]) {
                const d = await incr(owner, log.version, log.versionID);
                assert.equal(d.full, false);
                assert.equal(d.versionID, log.versionID);
                assert.equal(d.version, log.version + 1);
                assert.equal(d.delete, null);
                assert.equal(d.update, null);
                assert.equal(d.sortVersion, 0);
                assert.equal(d.insert.length, 1);
                assert.deepEqual(Object.keys(d.insert[0]), FRIEND_KEYS);
                assert.equal(d.insert[0].friendUser.userID, id(other));
                log.version = d.version;
            }
            const full = (await call('/friend/get_full_friend_user_ids', { userID: id('alice'), idHash: 0 }, 'alice')).data;
            assert.deepEqual(full, { version: aliceLog.version, versionID: aliceLog.versionID, equal: false, userIDs: [id('bob')] });
            // the client's hash of the same list: equal, no list (sent as raw JSON: it is a uint64)
            const h = idHash([id('bob')]);
            if (h < 1n << 63n) {
                const r = await api(base, '/friend/get_full_friend_user_ids', undefined, {
                    token: users.alice.tok,
                    rawBody: `{"userID":"${id('alice')}","idHash":${h}}`,
                });
                assert.equal(r.json.errCode, 0, r.text);
                assert.equal(r.json.data.equal, true);
                assert.equal(r.json.data.userIDs, null);
            }
        });

        it('delete_friend is one-sided: the owner log gets a delete, the friend keeps the record', async () => {
            await refuse('/friend/delete_friend', { ownerUserID: id('alice'), friendUserID: id('bob') }, 1002, 'bob');
            await refuse('/friend/delete_friend', { ownerUserID: id('alice') }, 1001, 'alice');
            await refuse('/friend/delete_friend', { ownerUserID: id('alice'), friendUserID: id('carol') }, 1004, 'alice');
            const j = await call('/friend/delete_friend', { ownerUserID: id('alice'), friendUserID: id('bob') }, 'alice');
            assert.ok(!('data' in j));
            assert.deepEqual(await isFriend('alice', 'bob'), { inUser1Friends: false, inUser2Friends: true });
            assert.equal((await friendList('alice')).total, 0);
            assert.equal((await friendList('bob')).total, 1);

            const d = await incr('alice', aliceLog.version, aliceLog.versionID);
            assert.equal(d.full, false);
            assert.equal(d.version, aliceLog.version + 1);
            assert.deepEqual(d.delete, [id('bob')]);
            assert.equal(d.insert, null);
            assert.equal(d.update, null);
            const b = await incr('bob', bobLog.version, bobLog.versionID);
            assert.equal(b.version, bobLog.version, "bob's log is untouched");
            assert.equal(b.delete, null);
            aliceLog.version = d.version;
        });

        it('not friends both ways any more: alice may apply again; the old request goes back to pending', async () => {
            await apply('alice', 'bob', 'sorry');
            const r = (await received('bob')).FriendRequests[0];
            assert.equal(r.handleResult, 0);
            assert.equal(r.reqMsg, 'sorry');
            assert.equal(r.handleMsg, '');
            await respond('alice', 'bob', 1);
            assert.deepEqual(await isFriend('alice', 'bob'), { inUser1Friends: true, inUser2Friends: true });
            const d = await incr('alice', aliceLog.version, aliceLog.versionID);
            assert.equal(d.insert.length, 1);
            assert.equal(d.delete, null);
            const b = await incr('bob', bobLog.version, bobLog.versionID);
            assert.equal(b.version, bobLog.version, 'bob already had alice: no new entry');
        });
    });

    describe('refusal and request filters', () => {
        it('refuse leaves no friendship; handleResults filters; re-apply resets', async () => {
            await apply('carol', 'dave', 'hi dave');
            await apply('eve', 'dave', 'hi from eve');
            await respond('carol', 'dave', -1);
            assert.deepEqual(await isFriend('carol', 'dave'), { inUser1Friends: false, inUser2Friends: false });
            const all = await received('dave');
            assert.equal(all.total, 2);
            assert.equal(all.FriendRequests[0].fromUserID, id('eve'), 'newest first');
            const refused = await received('dave', { handleResults: [-1] });
            assert.equal(refused.total, 1);
            assert.equal(refused.FriendRequests[0].fromUserID, id('carol'));
            assert.equal(refused.FriendRequests[0].handleResult, -1);
            const pending = await received('dave', { handleResults: [0] });
            assert.equal(pending.total, 1);
            assert.equal(pending.FriendRequests[0].fromUserID, id('eve'));
            assert.equal((await received('dave', { handleResults: [1] })).total, 0);
            assert.equal((await received('dave', { handleResults: [0, -1] })).total, 2);
            await refuse('/friend/get_friend_apply_list', { userID: id('dave'), ...PAGE(1, 10), handleResults: 'x' }, 1001, 'dave');
            // page 2 of size 1
            const p2 = await received('dave', PAGE(2, 1));
            assert.equal(p2.total, 2);
            assert.equal(p2.FriendRequests.length, 1);
            assert.equal(p2.FriendRequests[0].fromUserID, id('carol'));
            const p3 = await received('dave', PAGE(3, 1));
            assert.deepEqual(list(p3.FriendRequests), []);
            assert.equal(p3.total, 2);

            await apply('carol', 'dave', 'please');
            assert.equal((await received('dave', { handleResults: [-1] })).total, 0);
            assert.equal((await call('/friend/get_self_unhandled_apply_count', { userID: id('dave') }, 'dave')).data.count, 2);
        });

        it('pagination is required on the list routes (missing or pageNumber < 1 → 1001)', async () => {
            for (const [path, key] of [
                ['/friend/get_friend_apply_list', 'userID'],
                ['/friend/get_self_friend_apply_list', 'userID'],
                ['/friend/get_friend_list', 'userID'],
                ['/friend/get_black_list', 'userID'],
            ]) {
                await refuse(path, { [key]: id('dave') }, 1001, 'dave');
                await refuse(path, { [key]: id('dave'), ...PAGE(0, 10) }, 1001, 'dave');
                await refuse(path, { [key]: id('dave'), ...PAGE(-1, 10) }, 1001, 'dave');
                await refuse(path, { ...PAGE(1, 10) }, 1001, 'dave');
                await refuse(path, { [key]: id('dave'), ...PAGE(1, 10) }, 1002, 'carol');
                const j = await call(path, { [key]: id('dave'), ...PAGE(1, 0) }, 'admin');
                assert.equal(typeof j.data.total, 'number', path);
            }
        });
    });

    describe('remarks, pins and update_friends', () => {
        let owner, a, b, log;
        before(async () => {
            await newUsers('pinner', 'fa', 'fb');
            owner = 'pinner';
            a = 'fa';
            b = 'fb';
            await call('/friend/import_friend', { ownerUserID: id(owner), friendUserIDs: [id(a), id(b)] }, 'admin');
            log = await incr(owner);
        });

        it('set_friend_remark: friend only; the log gets an update', async () => {
            await refuse('/friend/set_friend_remark', { ownerUserID: id(owner), friendUserID: id('alice'), remark: 'x' }, 1004, owner);
            await refuse('/friend/set_friend_remark', { ownerUserID: id(owner), friendUserID: id(a), remark: 'x' }, 1002, a);
            await refuse('/friend/set_friend_remark', { ownerUserID: id(owner), remark: 'x' }, 1001, owner);
            const j = await call('/friend/set_friend_remark', { ownerUserID: id(owner), friendUserID: id(a), remark: 'Buddy' }, owner);
            assert.ok(!('data' in j));
            const d = await incr(owner, log.version, log.versionID);
            assert.equal(d.version, log.version + 1);
            assert.equal(d.update.length, 1);
            assert.equal(d.update[0].remark, 'Buddy');
            assert.equal(d.update[0].friendUser.userID, id(a));
            assert.equal(d.sortVersion, 0);
            log.version = d.version;
            // "" is a valid remark
            await call('/friend/set_friend_remark', { ownerUserID: id(owner), friendUserID: id(a), remark: '' }, 'admin');
            log.version++;
        });

        it('update_friends: wrappers leave absent fields alone; a pin writes the sort marker', async () => {
            await refuse('/friend/update_friends', { ownerUserID: id(owner), friendUserIDs: [] }, 1001, owner);
            await refuse('/friend/update_friends', { ownerUserID: id(owner) }, 1001, owner);
            await refuse('/friend/update_friends', { ownerUserID: id(owner), friendUserIDs: [id(a), id(a)], ex: 'x' }, 1001, owner);
            await refuse('/friend/update_friends', { ownerUserID: id(owner), friendUserIDs: [id(a), id('alice')], ex: 'x' }, 1004, owner);
            await refuse('/friend/update_friends', { ownerUserID: id(owner), friendUserIDs: [id(a)], ex: 'x' }, 1002, b);
            await refuse('/friend/update_friends', { ownerUserID: id(owner), friendUserIDs: [id(a)], isPinned: 'yes' }, 1001, owner);

            await call('/friend/update_friends', { ownerUserID: id(owner), friendUserIDs: [id(a), id(b)], ex: 'both' }, owner);
            let d = await incr(owner, log.version, log.versionID);
            assert.equal(d.version, log.version + 1);
            assert.equal(d.update.length, 2);
            assert.equal(d.sortVersion, 0);
            for (const fi of d.update) assert.equal(fi.ex, 'both');
            log.version = d.version;

            await call('/friend/update_friends', { ownerUserID: id(owner), friendUserIDs: [id(b)], isPinned: true, remark: null }, owner);
            d = await incr(owner, log.version, log.versionID);
            assert.equal(d.version, log.version + 1);
            assert.equal(d.sortVersion, d.version);
            assert.equal(d.update.length, 1, 'the sort marker is not an ID');
            assert.equal(d.update[0].isPinned, true);
            assert.equal(d.update[0].ex, 'both');
            log.version = d.version;

            // pinned first in lists and ID lists
            const l = await friendList(owner);
            assert.deepEqual(
                l.friendsInfo.map((f) => f.friendUser.userID),
                [id(b), id(a)],
            );
            assert.deepEqual((await call('/friend/get_friend_id', { userID: id(owner) }, owner)).data.friendIDs, [id(b), id(a)]);
            const full = (await call('/friend/get_full_friend_user_ids', { userID: id(owner) }, owner)).data;
            assert.deepEqual(full.userIDs, [id(b), id(a)]);
            // page 2 of 1
            const p = await friendList(owner, PAGE(2, 1));
            assert.equal(p.total, 2);
            assert.equal(p.friendsInfo[0].friendUser.userID, id(a));
            const empty = await friendList(owner, PAGE(3, 1));
            assert.deepEqual(list(empty.friendsInfo), []);
            assert.equal(empty.total, 2);
        });
    });

    describe('import_friend', () => {
        it('admin only; mutual friendships with addSource 1; bad inputs', async () => {
            await newUsers('imp', 'i1', 'i2');
            const body = { ownerUserID: id('imp'), friendUserIDs: [id('i1'), id('i2')] };
            await refuse('/friend/import_friend', body, 1002, 'imp');
            await refuse('/friend/import_friend', { ownerUserID: id('imp'), friendUserIDs: [] }, 1001, 'admin');
            await refuse('/friend/import_friend', { ownerUserID: id('imp') }, 1001, 'admin');
            await refuse('/friend/import_friend', { friendUserIDs: [id('i1')] }, 1001, 'admin');
            await refuse('/friend/import_friend', { ownerUserID: id('imp'), friendUserIDs: [id('i1'), id('i1')] }, 1001, 'admin');
            await refuse('/friend/import_friend', { ownerUserID: id('imp'), friendUserIDs: [id('i1'), id('imp')] }, 1301, 'admin');
            await refuse('/friend/import_friend', { ownerUserID: id('imp'), friendUserIDs: [id('i1'), 'ghost_user'] }, 1004, 'admin');
            await refuse('/friend/import_friend', { ownerUserID: 'ghost_user', friendUserIDs: [id('i1')] }, 1004, 'admin');
            assert.equal((await friendList('imp')).total, 0, 'refused imports change nothing');

            const j = await call('/friend/import_friend', body, 'admin');
            assert.ok(!('data' in j));
            const l = await friendList('imp');
            assert.equal(l.total, 2);
            assert.equal(l.friendsInfo[0].addSource, 1);
            assert.deepEqual(await isFriend('imp', 'i1'), { inUser1Friends: true, inUser2Friends: true });
            assert.deepEqual(await isFriend('i2', 'imp'), { inUser1Friends: true, inUser2Friends: true });
            const log = await incr('imp');
            // importing again is harmless
            await call('/friend/import_friend', body, 'admin');
            assert.equal((await friendList('imp')).total, 2);
            assert.equal((await incr('imp', log.version, log.versionID)).version, log.version);
        });
    });

    describe('reads of specific friends', () => {
        it('get_designated_friends: only friends, [] for none; self or admin', async () => {
            const d = (await call('/friend/get_designated_friends', { ownerUserID: id('alice'), friendUserIDs: [id('carol'), id('bob')] }, 'alice')).data;
            assert.deepEqual(Object.keys(d), ['friendsInfo']);
            assert.equal(d.friendsInfo.length, 1);
            assert.equal(d.friendsInfo[0].friendUser.userID, id('bob'));
            const none = (await call('/friend/get_designated_friends', { ownerUserID: id('alice'), friendUserIDs: [id('carol')] }, 'alice')).data;
            assert.deepEqual(none, { friendsInfo: [] });
            const empty = (await call('/friend/get_designated_friends', { ownerUserID: id('alice'), friendUserIDs: [] }, 'alice')).data;
            assert.deepEqual(empty, { friendsInfo: [] });
            await refuse('/friend/get_designated_friends', { ownerUserID: id('alice') }, 1001, 'alice');
            await refuse('/friend/get_designated_friends', { ownerUserID: id('alice'), friendUserIDs: [id('bob'), id('bob')] }, 1001, 'alice');
            await refuse('/friend/get_designated_friends', { ownerUserID: id('alice'), friendUserIDs: [id('bob')] }, 1002, 'bob');
            await call('/friend/get_designated_friends', { ownerUserID: id('alice'), friendUserIDs: [id('bob')] }, 'admin');
        });

        it('is_friend: one of the two or admin', async () => {
            await refuse('/friend/is_friend', { userID1: id('alice'), userID2: id('bob') }, 1002, 'carol');
            await refuse('/friend/is_friend', { userID1: id('alice') }, 1001, 'alice');
            const j = (await call('/friend/is_friend', { userID1: id('bob'), userID2: id('alice') }, 'alice')).data;
            assert.deepEqual(j, { inUser1Friends: true, inUser2Friends: true });
            await call('/friend/is_friend', { userID1: id('alice'), userID2: id('bob') }, 'admin');
        });

        it('get_friend_id and get_full_friend_user_ids: self or admin; idHash equal → null list', async () => {
            await refuse('/friend/get_friend_id', { userID: id('alice') }, 1002, 'bob');
            await refuse('/friend/get_friend_id', {}, 1001, 'alice');
            const ids = (await call('/friend/get_friend_id', { userID: id('alice') }, 'admin')).data.friendIDs;
            assert.deepEqual(ids, [id('bob')]);
            const j = (await call('/friend/get_full_friend_user_ids', { userID: id('alice'), idHash: 0 }, 'alice')).data;
            assert.deepEqual(Object.keys(j), ['version', 'versionID', 'equal', 'userIDs']);
            assert.deepEqual(j.userIDs, [id('bob')]);
            await refuse('/friend/get_full_friend_user_ids', { userID: id('alice') }, 1002, 'bob');
        });

        it('get_specified_friends_info: existing users only, friend and black info without profiles', async () => {
            await call('/friend/add_black', { ownerUserID: id('bob'), blackUserID: id('carol') }, 'bob');
            const j = (
                await call('/friend/get_specified_friends_info', { ownerUserID: id('bob'), userIDList: [id('alice'), 'ghost_user', id('carol'), id('dave')] }, 'bob')
            ).data;
            assert.deepEqual(Object.keys(j), ['infos']);
            assert.equal(j.infos.length, 3);
            const [a, c, d] = j.infos;
            assert.deepEqual(Object.keys(a), ['userInfo', 'friendInfo', 'blackInfo']);
            assert.deepEqual(Object.keys(a.userInfo), USER_KEYS);
            assert.equal(a.userInfo.userID, id('alice'));
            assert.deepEqual(Object.keys(a.friendInfo), FRIEND_KEYS);
            assert.equal(a.friendInfo.ownerUserID, id('bob'));
            assert.equal(a.friendInfo.friendUser, null);
            assert.equal(a.blackInfo, null);
            assert.equal(c.userInfo.userID, id('carol'));
            assert.equal(c.friendInfo, null);
            assert.deepEqual(Object.keys(c.blackInfo), BLACK_KEYS);
            assert.equal(c.blackInfo.blackUserInfo, null);
            assert.equal(d.friendInfo, null);
            assert.equal(d.blackInfo, null);
            await refuse('/friend/get_specified_friends_info', { ownerUserID: id('bob'), userIDList: [] }, 1001, 'bob');
            await refuse('/friend/get_specified_friends_info', { ownerUserID: id('bob'), userIDList: [id('alice'), id('alice')] }, 1001, 'bob');
            const tooMany = Array.from({ length: 1001 }, (_, i) => `u${i}`);
            await refuse('/friend/get_specified_friends_info', { ownerUserID: id('bob'), userIDList: tooMany }, 1001, 'bob');
            await refuse('/friend/get_specified_friends_info', { ownerUserID: id('bob'), userIDList: [id('alice')] }, 1002, 'alice');
            await call('/friend/get_specified_friends_info', { ownerUserID: id('bob'), userIDList: [id('alice')] }, 'admin');
            await call('/friend/remove_black', { ownerUserID: id('bob'), blackUserID: id('carol') }, 'bob');
        });
    });

    describe('blacklist', () => {
        it('add_black: self or admin, both users exist, not twice, not oneself', async () => {
            await refuse('/friend/add_black', { ownerUserID: id('alice'), blackUserID: id('eve') }, 1002, 'eve');
            await refuse('/friend/add_black', { ownerUserID: id('alice') }, 1001, 'alice');
            await refuse('/friend/add_black', { ownerUserID: id('alice'), blackUserID: 'ghost_user' }, 1004, 'alice');
            await refuse('/friend/add_black', { ownerUserID: id('alice'), blackUserID: id('alice') }, 1001, 'alice');
            const j = await call('/friend/add_black', { ownerUserID: id('alice'), blackUserID: id('eve'), ex: 'spam' }, 'alice');
            assert.ok(!('data' in j));
            await refuse('/friend/add_black', { ownerUserID: id('alice'), blackUserID: id('eve') }, 1003, 'alice');
            await call('/friend/add_black', { ownerUserID: id('alice'), blackUserID: id('dave') }, 'admin');
        });

        it('a blocked user cannot apply (1302); the blocker still can', async () => {
            await refuse('/friend/add_friend', { fromUserID: id('eve'), toUserID: id('alice') }, 1302, 'eve');
            await refuse('/friend/add_friend', { fromUserID: id('eve'), toUserID: id('alice') }, 1302, 'admin');
            await apply('alice', 'eve', 'one-way');
        });

        it('get_black_list: BlackInfo with the PublicUserInfo, in blocking order; pages', async () => {
            const l = (await call('/friend/get_black_list', { userID: id('alice'), ...PAGE(1, 10) }, 'alice')).data;
            assert.deepEqual(Object.keys(l), ['blacks', 'total']);
            assert.equal(l.total, 2);
            const b = l.blacks[0];
            assert.deepEqual(Object.keys(b), BLACK_KEYS);
            assert.equal(b.ownerUserID, id('alice'));
            assert.equal(b.ex, 'spam');
            assert.equal(b.operatorUserID, id('alice'));
            assert.ok(b.createTime > 0);
            assert.deepEqual(b.blackUserInfo, { userID: id('eve'), nickname: 'EVE', faceURL: 'http://f/eve.png', ex: '' });
            assert.equal(l.blacks[1].blackUserInfo.userID, id('dave'));
            assert.equal(l.blacks[1].operatorUserID, 'imAdmin');
            const p2 = (await call('/friend/get_black_list', { userID: id('alice'), ...PAGE(2, 1) }, 'admin')).data;
            assert.equal(p2.blacks.length, 1);
            assert.equal(p2.blacks[0].blackUserInfo.userID, id('dave'));
            await refuse('/friend/get_black_list', { userID: id('alice'), ...PAGE(1, 10) }, 1002, 'eve');
        });

        it('get_specified_blacks: only blocked IDs, total = their number', async () => {
            const j = (await call('/friend/get_specified_blacks', { ownerUserID: id('alice'), userIDList: [id('bob'), id('eve')] }, 'alice')).data;
            assert.deepEqual(Object.keys(j), ['blacks', 'total']);
            assert.equal(j.total, 1);
            assert.equal(j.blacks[0].blackUserInfo.userID, id('eve'));
            const none = (await call('/friend/get_specified_blacks', { ownerUserID: id('alice'), userIDList: [id('bob')] }, 'alice')).data;
            assert.deepEqual(none, { blacks: [], total: 0 });
            await refuse('/friend/get_specified_blacks', { ownerUserID: id('alice'), userIDList: [] }, 1001, 'alice');
            await refuse('/friend/get_specified_blacks', { ownerUserID: id('alice'), userIDList: [id('eve'), id('eve')] }, 1001, 'alice');
            await refuse('/friend/get_specified_blacks', { ownerUserID: id('alice'), userIDList: [id('eve')] }, 1002, 'eve');
        });

        it('remove_black: self or admin; then the user may apply again', async () => {
            await refuse('/friend/remove_black', { ownerUserID: id('alice'), blackUserID: id('eve') }, 1002, 'eve');
            await refuse('/friend/remove_black', { ownerUserID: id('alice') }, 1001, 'alice');
            const j = await call('/friend/remove_black', { ownerUserID: id('alice'), blackUserID: id('eve') }, 'alice');
            assert.ok(!('data' in j));
            await call('/friend/remove_black', { ownerUserID: id('alice'), blackUserID: id('eve') }, 'alice'); // not blocked: fine
            await call('/friend/remove_black', { ownerUserID: id('alice'), blackUserID: id('dave') }, 'admin');
            assert.equal((await call('/friend/get_black_list', { userID: id('alice'), ...PAGE(1, 10) }, 'alice')).data.total, 0);
            await apply('eve', 'alice', 'unblocked');
        });

        it('get_incremental_blacks: errCode 12, not implemented (as OpenIM v3.8)', async () => {
            const r = await api(base, '/friend/get_incremental_blacks', { userID: id('alice') }, { token: users.alice.tok });
            assert.equal(r.status, 200);
            assert.equal(r.json.errCode, 12);
            assert.equal(r.json.errDlt, 'method getIncrementalBlacks not implemented');
            assert.ok(!('data' in r.json));
        });
    });

    describe('incremental sync rules', () => {
        it('self or admin; userID required; stale versionID → full', async () => {
            await refuse('/friend/get_incremental_friends', { userID: id('alice') }, 1002, 'bob');
            await refuse('/friend/get_incremental_friends', {}, 1001, 'alice');
            const head = await incr('alice');
            const viaAdmin = (await call('/friend/get_incremental_friends', { userID: id('alice'), version: head.version, versionID: head.versionID }, 'admin')).data;
            assert.equal(viaAdmin.full, false);
            const stale = await incr('alice', 1, 'aaaaaaaaaaaaaaaaaaaaaaaa');
            assert.equal(stale.full, true);
            assert.equal(stale.versionID, head.versionID);
            const ahead = await incr('alice', head.version + 5, head.versionID);
            assert.equal(ahead.full, true);
        });
    });
});
