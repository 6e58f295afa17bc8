// /user routes (openim-rest.md §4): registration, profile reads and updates, listing and search,
// status stubs, user commands, notification accounts, client config; persistence across restarts
// and the data-dir lock.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    startTernd,
    runTernd,
    api,
    ok,
    fails,
    adminToken,
    register,
    userToken,
    uid,
    mkTmpDir,
    DEFAULT_SECRET,
    ADMIN_ID,
} from './harness.mjs';

const USER_INFO_KEYS = ['appMangerLevel', 'createTime', 'ex', 'faceURL', 'globalRecvMsgOpt', 'nickname', 'userID'];
const PAGE = (pageNumber, showNumber) => ({ pagination: { pageNumber, showNumber } });

async function getUser(base, token, userID) {
    const j = await ok(base, '/user/get_users_info', { userIDs: [userID] }, { token });
    assert.equal(j.data.usersInfo?.length, 1, `user ${userID} not found: ${JSON.stringify(j)}`);
    return j.data.usersInfo[0];
}

async function exists(base, admin, ids) {
    const j = await ok(base, '/user/account_check', { checkUserIDs: ids }, { token: admin });
    const m = {};
    for (const r of j.data.results) m[r.userID] = r.accountStatus;
    return m;
}

const list = (x) => x ?? []; // server may send null for an empty list

describe('user', () => {
    let srv;
    let base;
    let admin;
    let alice;
    let bob;
    let aliceTok;
    let bobTok;

    before(async () => {
        srv = await startTernd();
        base = srv.base;
        admin = await adminToken(base);
        alice = uid('alice');
        bob = uid('bob');
        await register(base, admin, [
            { userID: alice, nickname: 'Alice', faceURL: 'http://f/a.png', ex: '{"a":1}' },
            { userID: bob, nickname: 'Bob' },
        ]);
        aliceTok = await userToken(base, admin, alice, 1);
        bobTok = await userToken(base, admin, bob, 2);
    });
    after(async () => {
        await srv?.stop();
    });

    describe('user_register', () => {
        it('admin only: a user token → 1002, nothing created', async () => {
            const id = uid('r');
            await fails(base, '/user/user_register', { users: [{ userID: id, nickname: 'x' }] }, 1002, { token: aliceTok });
            assert.deepEqual(await exists(base, admin, [id]), { [id]: 0 });
        });

        it('batch registration stores every field; createTime is server time in ms', async () => {
            const ids = [uid('b1'), uid('b2'), uid('b3')];
            const t0 = Date.now();
            const r = await api(
                base,
                '/user/user_register',
                {
                    users: [
                        { userID: ids[0], nickname: 'One', faceURL: 'http://x/1.png', ex: 'ex1', createTime: 1, globalRecvMsgOpt: 2 },
                        { userID: ids[1], nickname: 'Two', appMangerLevel: 1 },
                        { userID: ids[2], nickname: 'Three' },
                    ],
                },
                { token: admin },
            );
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
            const j = await ok(base, '/user/get_users_info', { userIDs: ids }, { token: admin });
            assert.equal(j.data.usersInfo.length, 3);
            const by = Object.fromEntries(j.data.usersInfo.map((u) => [u.userID, u]));
            for (const u of j.data.usersInfo) {
                assert.deepEqual(Object.keys(u).sort(), USER_INFO_KEYS);
                assert.ok(Number.isInteger(u.createTime));
                assert.ok(Math.abs(u.createTime - t0) < 60000, `createTime ${u.createTime} is not ms near ${t0}`);
            }
            assert.deepEqual(
                { ...by[ids[0]], createTime: 0 },
                { userID: ids[0], nickname: 'One', faceURL: 'http://x/1.png', ex: 'ex1', createTime: 0, appMangerLevel: 0, globalRecvMsgOpt: 2 },
            );
            assert.deepEqual(
                { ...by[ids[1]], createTime: 0 },
                { userID: ids[1], nickname: 'Two', faceURL: '', ex: '', createTime: 0, appMangerLevel: 1, globalRecvMsgOpt: 0 },
            );
            assert.equal(by[ids[2]].nickname, 'Three');
        });

        it('duplicate userID within the batch → 1001, nothing created', async () => {
            const a = uid('d');
            const b = uid('d');
            await fails(
                base,
                '/user/user_register',
                { users: [{ userID: a, nickname: 'a' }, { userID: b, nickname: 'b' }, { userID: a, nickname: 'c' }] },
                1001,
                { token: admin },
            );
            assert.deepEqual(await exists(base, admin, [a, b]), { [a]: 0, [b]: 0 });
        });

        it('already registered → 1102 and nothing from the batch is created', async () => {
            const fresh = uid('n');
            const j = await fails(
                base,
                '/user/user_register',
                { users: [{ userID: fresh, nickname: 'new' }, { userID: alice, nickname: 'again' }] },
                1102,
                { token: admin },
            );
            assert.equal(j.errMsg, 'RegisteredAlreadyError');
            assert.deepEqual(await exists(base, admin, [fresh]), { [fresh]: 0 });
            assert.equal((await getUser(base, admin, alice)).nickname, 'Alice');
            // the admin account counts as registered too
            await fails(base, '/user/user_register', { users: [{ userID: ADMIN_ID, nickname: 'x' }] }, 1102, { token: admin });
        });

        it('invalid userIDs → 1001', async () => {
            for (const bad of ['a:b', 'a b', 'a-b', 'a/b', '']) {
                await fails(base, '/user/user_register', { users: [{ userID: bad, nickname: 'n' }] }, 1001, { token: admin });
            }
            // one bad ID spoils the batch
            const good = uid('g');
            await fails(
                base,
                '/user/user_register',
                { users: [{ userID: good, nickname: 'g' }, { userID: 'x:y', nickname: 'n' }] },
                1001,
                { token: admin },
            );
            assert.deepEqual(await exists(base, admin, [good]), { [good]: 0 });
        });

        it('Unicode letters, digits and underscore are valid in userIDs', async () => {
            const ids = ['Zo\u00eb_' + uid('x').slice(2), '\u7528\u6237' + Date.now()];
            await register(base, admin, ids);
            const m = await exists(base, admin, ids);
            assert.equal(m[ids[0]], 1);
            assert.equal(m[ids[1]], 1);
            const u = await getUser(base, admin, ids[1]);
            assert.equal(u.userID, ids[1]);
        });

        it('empty nickname → 1001', async () => {
            const id = uid('nn');
            await fails(base, '/user/user_register', { users: [{ userID: id, nickname: '' }] }, 1001, { token: admin });
            await fails(base, '/user/user_register', { users: [{ userID: id }] }, 1001, { token: admin });
            assert.deepEqual(await exists(base, admin, [id]), { [id]: 0 });
        });

        it('empty or missing users → 1001', async () => {
            await fails(base, '/user/user_register', { users: [] }, 1001, { token: admin });
            await fails(base, '/user/user_register', {}, 1001, { token: admin });
        });
    });

    describe('get_users_info', () => {
        it('returns the users with all UserInfo fields; unknown IDs are omitted', async () => {
            const j = await ok(base, '/user/get_users_info', { userIDs: [alice, 'nobody_here_1', bob] }, { token: bobTok });
            assert.deepEqual(Object.keys(j.data), ['usersInfo']);
            assert.equal(j.data.usersInfo.length, 2);
            const a = j.data.usersInfo.find((u) => u.userID === alice);
            assert.deepEqual(Object.keys(a).sort(), USER_INFO_KEYS);
            assert.equal(a.nickname, 'Alice');
            assert.equal(a.faceURL, 'http://f/a.png');
            assert.equal(a.ex, '{"a":1}');
            assert.equal(a.appMangerLevel, 0);
            assert.equal(a.globalRecvMsgOpt, 0);
            assert.ok(Math.abs(a.createTime - Date.now()) < 120000);
            assert.ok(j.data.usersInfo.some((u) => u.userID === bob));
        });

        it('only unknown IDs → empty list', async () => {
            const j = await ok(base, '/user/get_users_info', { userIDs: ['nobody_here_2'] }, { token: aliceTok });
            assert.equal(list(j.data.usersInfo).length, 0);
        });

        it('missing userIDs → 1001', async () => {
            await fails(base, '/user/get_users_info', {}, 1001, { token: aliceTok });
        });
    });

    describe('update_user_info', () => {
        it('self: only non-empty fields change', async () => {
            const id = uid('up');
            await register(base, admin, [{ userID: id, nickname: 'Orig', faceURL: 'http://f/o', ex: 'ox' }]);
            const t = await userToken(base, admin, id, 3);
            const r = await api(base, '/user/update_user_info', { userInfo: { userID: id, nickname: 'New', faceURL: '', ex: '' } }, { token: t });
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
            let u = await getUser(base, t, id);
            assert.equal(u.nickname, 'New');
            assert.equal(u.faceURL, 'http://f/o');
            assert.equal(u.ex, 'ox');
            await ok(base, '/user/update_user_info', { userInfo: { userID: id, ex: 'ex2', globalRecvMsgOpt: 1 } }, { token: t });
            u = await getUser(base, t, id);
            assert.equal(u.nickname, 'New');
            assert.equal(u.ex, 'ex2');
            assert.equal(u.globalRecvMsgOpt, 1);
            // zero globalRecvMsgOpt is "not set"
            await ok(base, '/user/update_user_info', { userInfo: { userID: id, nickname: 'New2', globalRecvMsgOpt: 0 } }, { token: t });
            u = await getUser(base, t, id);
            assert.equal(u.nickname, 'New2');
            assert.equal(u.globalRecvMsgOpt, 1);
        });

        it('another user → 1002, unchanged', async () => {
            await fails(base, '/user/update_user_info', { userInfo: { userID: alice, nickname: 'Hacked' } }, 1002, { token: bobTok });
            assert.equal((await getUser(base, admin, alice)).nickname, 'Alice');
        });

        it('admin may update anyone', async () => {
            const id = uid('upa');
            await register(base, admin, [{ userID: id, nickname: 'N' }]);
            await ok(base, '/user/update_user_info', { userInfo: { userID: id, faceURL: 'http://f/admin' } }, { token: admin });
            const u = await getUser(base, admin, id);
            assert.equal(u.faceURL, 'http://f/admin');
            assert.equal(u.nickname, 'N');
        });

        it('createTime in the request is ignored', async () => {
            const id = uid('upc');
            await register(base, admin, [id]);
            const before = (await getUser(base, admin, id)).createTime;
            await ok(base, '/user/update_user_info', { userInfo: { userID: id, nickname: 'x', createTime: 12345 } }, { token: admin });
            assert.equal((await getUser(base, admin, id)).createTime, before);
        });

        it('missing userInfo or userInfo.userID → 1001', async () => {
            await fails(base, '/user/update_user_info', {}, 1001, { token: admin });
            await fails(base, '/user/update_user_info', { userInfo: { nickname: 'x' } }, 1001, { token: admin });
        });

        it('unknown user → error', async () => {
            const r = await api(base, '/user/update_user_info', { userInfo: { userID: 'ghost_upd', nickname: 'x' } }, { token: admin });
            assert.notEqual(r.json?.errCode, 0, r.text);
            assert.ok(!('data' in r.json));
            assert.deepEqual(await exists(base, admin, ['ghost_upd']), { ghost_upd: 0 });
        });
    });

    describe('update_user_info_ex', () => {
        it('null/absent = unchanged, "" clears', async () => {
            const id = uid('ex');
            await register(base, admin, [{ userID: id, nickname: 'Nick', faceURL: 'http://f/e', ex: 'EX' }]);
            const t = await userToken(base, admin, id, 5);
            await ok(base, '/user/update_user_info_ex', { userInfo: { userID: id, ex: '', faceURL: null } }, { token: t });
            let u = await getUser(base, t, id);
            assert.equal(u.ex, '');
            assert.equal(u.faceURL, 'http://f/e');
            assert.equal(u.nickname, 'Nick');
            await ok(base, '/user/update_user_info_ex', { userInfo: { userID: id, nickname: 'Nick2', globalRecvMsgOpt: 2 } }, { token: t });
            u = await getUser(base, t, id);
            assert.equal(u.nickname, 'Nick2');
            assert.equal(u.globalRecvMsgOpt, 2);
            assert.equal(u.faceURL, 'http://f/e');
            // globalRecvMsgOpt 0 given explicitly is applied (wrapper present)
            await ok(base, '/user/update_user_info_ex', { userInfo: { userID: id, globalRecvMsgOpt: 0, faceURL: '' } }, { token: t });
            u = await getUser(base, t, id);
            assert.equal(u.globalRecvMsgOpt, 0);
            assert.equal(u.faceURL, '');
            assert.equal(u.nickname, 'Nick2');
        });

        it('another user → 1002; admin ok', async () => {
            await fails(base, '/user/update_user_info_ex', { userInfo: { userID: alice, ex: 'x' } }, 1002, { token: bobTok });
            const id = uid('exa');
            await register(base, admin, [{ userID: id, nickname: 'A', ex: 'keep' }]);
            await ok(base, '/user/update_user_info_ex', { userInfo: { userID: id, nickname: 'B' } }, { token: admin });
            const u = await getUser(base, admin, id);
            assert.equal(u.nickname, 'B');
            assert.equal(u.ex, 'keep');
        });

        it('wrong wrapper type (quoted number for globalRecvMsgOpt) → 1001', async () => {
            await fails(base, '/user/update_user_info_ex', { userInfo: { userID: alice, globalRecvMsgOpt: '1' } }, 1001, { token: aliceTok });
        });

        it('missing userInfo.userID → 1001', async () => {
            await fails(base, '/user/update_user_info_ex', { userInfo: { nickname: 'x' } }, 1001, { token: admin });
        });
    });

    describe('set_global_msg_recv_opt', () => {
        it('self sets it; visible in get_users_info', async () => {
            const id = uid('g');
            await register(base, admin, [id]);
            const t = await userToken(base, admin, id, 1);
            const r = await api(base, '/user/set_global_msg_recv_opt', { userID: id, globalRecvMsgOpt: 2 }, { token: t });
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
            assert.equal((await getUser(base, t, id)).globalRecvMsgOpt, 2);
            await ok(base, '/user/set_global_msg_recv_opt', { userID: id, globalRecvMsgOpt: 1 }, { token: admin });
            assert.equal((await getUser(base, t, id)).globalRecvMsgOpt, 1);
        });

        it('another user → 1002', async () => {
            await fails(base, '/user/set_global_msg_recv_opt', { userID: alice, globalRecvMsgOpt: 1 }, 1002, { token: bobTok });
            assert.equal((await getUser(base, admin, alice)).globalRecvMsgOpt, 0);
        });

        it('out of range → 1001; missing userID → 1001', async () => {
            await fails(base, '/user/set_global_msg_recv_opt', { userID: alice, globalRecvMsgOpt: 5 }, 1001, { token: aliceTok });
            await fails(base, '/user/set_global_msg_recv_opt', { globalRecvMsgOpt: 1 }, 1001, { token: admin });
        });

        it('unknown user → error', async () => {
            const r = await api(base, '/user/set_global_msg_recv_opt', { userID: 'ghost_g', globalRecvMsgOpt: 1 }, { token: admin });
            assert.notEqual(r.json?.errCode, 0, r.text);
        });
    });

    describe('listing (fresh server)', () => {
        let s;
        let a;
        let t;
        const plain = ['lst_alpha_1', 'lst_alpha_2', 'lst_beta_3', 'lst_gamma_4'];
        before(async () => {
            s = await startTernd();
            a = await adminToken(s.base);
            await register(s.base, a, [
                { userID: plain[0], nickname: 'Alpha One' },
                { userID: plain[1], nickname: 'Second', appMangerLevel: 1 },
                { userID: plain[2], nickname: 'Beta Three' },
                { userID: plain[3], nickname: 'Gamma alpha' },
                { userID: 'lst_appadmin', nickname: 'App Admin', appMangerLevel: 2 },
                { userID: 'lst_notif', nickname: 'Notif alpha', appMangerLevel: 3 },
                { userID: 'lst_robot', nickname: 'Robot', appMangerLevel: 4 },
            ]);
            t = await userToken(s.base, a, plain[0], 1);
        });
        after(async () => {
            await s?.stop();
        });

        it('get_all_users_uid: total counts every user incl. the admin account; pages cover all', async () => {
            const all = [...plain, 'lst_appadmin', 'lst_notif', 'lst_robot', ADMIN_ID].sort();
            const first = await ok(s.base, '/user/get_all_users_uid', PAGE(1, 3), { token: t });
            assert.deepEqual(Object.keys(first.data).sort(), ['total', 'userIDs']);
            assert.equal(first.data.total, all.length);
            assert.equal(first.data.userIDs.length, 3);
            const seen = [];
            for (let p = 1; p <= 3; p++) {
                const j = await ok(s.base, '/user/get_all_users_uid', PAGE(p, 3), { token: a });
                assert.equal(j.data.total, all.length);
                seen.push(...list(j.data.userIDs));
            }
            assert.deepEqual(seen.sort(), all);
            const past = await ok(s.base, '/user/get_all_users_uid', PAGE(10, 3), { token: a });
            assert.equal(list(past.data.userIDs).length, 0);
            assert.equal(past.data.total, all.length);
        });

        it('get_all_users_uid: pagination required, pageNumber ≥ 1', async () => {
            await fails(s.base, '/user/get_all_users_uid', {}, 1001, { token: t });
            await fails(s.base, '/user/get_all_users_uid', PAGE(0, 10), 1001, { token: t });
        });

        it('get_users: only appMangerLevel 0/1 users, with total and pagination', async () => {
            const j = await ok(s.base, '/user/get_users', PAGE(1, 100), { token: t });
            assert.deepEqual(Object.keys(j.data).sort(), ['total', 'users']);
            assert.equal(j.data.total, plain.length);
            assert.deepEqual(j.data.users.map((u) => u.userID).sort(), plain);
            for (const u of j.data.users) assert.deepEqual(Object.keys(u).sort(), USER_INFO_KEYS);
            const p2 = await ok(s.base, '/user/get_users', PAGE(2, 3), { token: a });
            assert.equal(p2.data.total, plain.length);
            assert.equal(p2.data.users.length, 1);
            const p1 = await ok(s.base, '/user/get_users', PAGE(1, 3), { token: a });
            assert.equal(p1.data.users.length, 3);
            assert.deepEqual([...p1.data.users, ...p2.data.users].map((u) => u.userID).sort(), plain);
        });

        it('get_users: search by userID keyword', async () => {
            const j = await ok(s.base, '/user/get_users', { ...PAGE(1, 100), userID: 'alpha' }, { token: t });
            assert.equal(j.data.total, 2);
            assert.deepEqual(j.data.users.map((u) => u.userID).sort(), ['lst_alpha_1', 'lst_alpha_2']);
        });

        it('get_users: search by nickName keyword', async () => {
            const j = await ok(s.base, '/user/get_users', { ...PAGE(1, 100), nickName: 'Beta' }, { token: t });
            assert.equal(j.data.total, 1);
            assert.equal(j.data.users[0].userID, 'lst_beta_3');
            assert.equal(j.data.users[0].nickname, 'Beta Three');
            const none = await ok(s.base, '/user/get_users', { ...PAGE(1, 100), nickName: 'zzz_no_match' }, { token: t });
            assert.equal(none.data.total, 0);
            assert.equal(list(none.data.users).length, 0);
        });

        it('get_users: pagination required', async () => {
            await fails(s.base, '/user/get_users', {}, 1001, { token: t });
            await fails(s.base, '/user/get_users', PAGE(0, 10), 1001, { token: t });
        });

        it('account_check: admin only; accountStatus 1/0 for each ID', async () => {
            await fails(s.base, '/user/account_check', { checkUserIDs: [plain[0]] }, 1002, { token: t });
            const j = await ok(s.base, '/user/account_check', { checkUserIDs: [plain[0], 'nope_1', ADMIN_ID, 'lst_robot'] }, { token: a });
            assert.deepEqual(Object.keys(j.data), ['results']);
            assert.equal(j.data.results.length, 4);
            for (const r of j.data.results) assert.deepEqual(Object.keys(r).sort(), ['accountStatus', 'userID']);
            const m = Object.fromEntries(j.data.results.map((r) => [r.userID, r.accountStatus]));
            assert.deepEqual(m, { [plain[0]]: 1, nope_1: 0, [ADMIN_ID]: 1, lst_robot: 1 });
        });

        it('account_check: duplicates or empty list → 1001', async () => {
            await fails(s.base, '/user/account_check', { checkUserIDs: [plain[0], plain[0]] }, 1001, { token: a });
            await fails(s.base, '/user/account_check', { checkUserIDs: [] }, 1001, { token: a });
            await fails(s.base, '/user/account_check', {}, 1001, { token: a });
        });
    });

    describe('status', () => {
        it('get_users_online_status: admin only', async () => {
            await fails(base, '/user/get_users_online_status', { userIDs: [alice] }, 1002, { token: aliceTok });
        });

        it('get_users_online_status: everyone offline, bare array in request order', async () => {
            const ids = [bob, alice, 'nobody_online'];
            const j = await ok(base, '/user/get_users_online_status', { userIDs: ids }, { token: admin });
            assert.ok(Array.isArray(j.data), `data must be an array: ${JSON.stringify(j)}`);
            assert.deepEqual(
                j.data.map((e) => e.userID),
                ids,
            );
            for (const e of j.data) {
                assert.equal(e.status, 0);
                assert.equal(e.detailPlatformStatus ?? null, null);
            }
        });

        it('get_users_status: status 0 for every requested user', async () => {
            const j = await ok(base, '/user/get_users_status', { userID: alice, userIDs: [alice, bob] }, { token: aliceTok });
            assert.deepEqual(Object.keys(j.data), ['statusList']);
            const m = Object.fromEntries(j.data.statusList.map((e) => [e.userID, e]));
            assert.deepEqual(Object.keys(m).sort(), [alice, bob].sort());
            for (const e of j.data.statusList) {
                assert.equal(e.status, 0);
                assert.equal(list(e.platformIDs).length, 0);
            }
        });

        it('get_users_status: empty userIDs → 1001', async () => {
            await fails(base, '/user/get_users_status', { userID: alice, userIDs: [] }, 1001, { token: aliceTok });
        });

        it('subscribe_users_status / get_subscribe_users_status: statusList null', async () => {
            const s = await ok(base, '/user/subscribe_users_status', { userID: alice, userIDs: [bob], genre: 1 }, { token: aliceTok });
            assert.ok('statusList' in s.data, JSON.stringify(s));
            assert.equal(s.data.statusList, null);
            const g = await ok(base, '/user/get_subscribe_users_status', { userID: alice }, { token: aliceTok });
            assert.ok('statusList' in g.data, JSON.stringify(g));
            assert.equal(g.data.statusList, null);
            const u = await ok(base, '/user/subscribe_users_status', { userID: alice, userIDs: [bob], genre: 2 }, { token: aliceTok });
            assert.equal(u.data.statusList, null);
        });

        it('subscribe_users_status: missing genre/userIDs → 1001', async () => {
            await fails(base, '/user/subscribe_users_status', { userID: alice, userIDs: [bob] }, 1001, { token: aliceTok });
            await fails(base, '/user/subscribe_users_status', { userID: alice, genre: 1 }, 1001, { token: aliceTok });
        });
    });

    describe('user commands', () => {
        it('add / get / get_all / update / delete round trip', async () => {
            const id = uid('cmd');
            await register(base, admin, [id]);
            const t = await userToken(base, admin, id, 1);
            const t0 = Date.now();
            let r = await api(base, '/user/process_user_command_add', { userID: id, type: 1, uuid: 'c1', value: 'v1' }, { token: t });
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
            await ok(base, '/user/process_user_command_add', { userID: id, type: 2, uuid: 'c2', value: 'v2' }, { token: t });
            await ok(base, '/user/process_user_command_add', { userID: id, type: 1, uuid: 'c3', value: 'v3' }, { token: admin });

            let g = await ok(base, '/user/process_user_command_get', { userID: id, type: 1 }, { token: t });
            assert.deepEqual(Object.keys(g.data), ['CommandResp']);
            assert.equal(g.data.CommandResp.length, 2);
            const c1 = g.data.CommandResp.find((c) => c.uuid === 'c1');
            assert.deepEqual(Object.keys(c1).sort(), ['createTime', 'ex', 'type', 'uuid', 'value']);
            assert.equal(c1.type, 1);
            assert.equal(c1.value, 'v1');
            assert.equal(c1.ex, '');
            assert.ok(Math.abs(c1.createTime - t0) < 60000, `createTime ${c1.createTime} not ms`);
            assert.deepEqual(g.data.CommandResp.map((c) => c.uuid).sort(), ['c1', 'c3']);

            let all = await ok(base, '/user/process_user_command_get_all', { userID: id }, { token: t });
            assert.deepEqual(Object.keys(all.data), ['CommandResp']);
            assert.deepEqual(all.data.CommandResp.map((c) => `${c.type}/${c.uuid}/${c.value}`).sort(), ['1/c1/v1', '1/c3/v3', '2/c2/v2']);

            r = await api(base, '/user/process_user_command_update', { userID: id, type: 1, uuid: 'c1', value: 'v1b' }, { token: t });
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
            await ok(base, '/user/process_user_command_update', { userID: id, type: 1, uuid: 'c1', ex: 'e1' }, { token: t });
            g = await ok(base, '/user/process_user_command_get', { userID: id, type: 1 }, { token: t });
            const c1b = g.data.CommandResp.find((c) => c.uuid === 'c1');
            assert.equal(c1b.value, 'v1b');
            assert.equal(c1b.ex, 'e1');

            r = await api(base, '/user/process_user_command_delete', { userID: id, type: 1, uuid: 'c1' }, { token: t });
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
            g = await ok(base, '/user/process_user_command_get', { userID: id, type: 1 }, { token: t });
            assert.deepEqual(list(g.data.CommandResp).map((c) => c.uuid), ['c3']);
            await ok(base, '/user/process_user_command_delete', { userID: id, type: 1, uuid: 'c3' }, { token: admin });
            g = await ok(base, '/user/process_user_command_get', { userID: id, type: 1 }, { token: admin });
            assert.ok('CommandResp' in g.data);
            assert.equal(list(g.data.CommandResp).length, 0);
            all = await ok(base, '/user/process_user_command_get_all', { userID: id }, { token: t });
            assert.deepEqual(all.data.CommandResp.map((c) => c.uuid), ['c2']);
        });

        it('another user → 1002 on every command route', async () => {
            const body = { userID: alice, type: 1, uuid: 'x', value: 'y' };
            await fails(base, '/user/process_user_command_add', body, 1002, { token: bobTok });
            await fails(base, '/user/process_user_command_update', body, 1002, { token: bobTok });
            await fails(base, '/user/process_user_command_delete', body, 1002, { token: bobTok });
            await fails(base, '/user/process_user_command_get', { userID: alice, type: 1 }, 1002, { token: bobTok });
            await fails(base, '/user/process_user_command_get_all', { userID: alice }, 1002, { token: bobTok });
        });

        it('type 0, empty uuid or missing userID → 1001', async () => {
            await fails(base, '/user/process_user_command_add', { userID: alice, type: 0, uuid: 'x', value: 'v' }, 1001, { token: aliceTok });
            await fails(base, '/user/process_user_command_add', { userID: alice, type: 1, uuid: '', value: 'v' }, 1001, { token: aliceTok });
            await fails(base, '/user/process_user_command_get', { userID: alice, type: 0 }, 1001, { token: aliceTok });
            await fails(base, '/user/process_user_command_get_all', {}, 1001, { token: admin });
        });
    });

    describe('notification accounts', () => {
        let n1;
        before(async () => {
            const j = await ok(base, '/user/add_notification_account', { nickName: 'System News', faceURL: 'http://f/n', appMangerLevel: 3 }, { token: admin });
            n1 = j.data;
        });

        it('add_notification_account with empty userID generates a 10-digit ID', async () => {
            assert.deepEqual(Object.keys(n1).sort(), ['appMangerLevel', 'faceURL', 'nickName', 'userID']);
            assert.match(n1.userID, /^\d{10}$/);
            assert.equal(n1.nickName, 'System News');
            assert.equal(n1.faceURL, 'http://f/n');
            assert.equal(n1.appMangerLevel, 3);
            const u = await getUser(base, admin, n1.userID);
            assert.equal(u.nickname, 'System News');
            assert.equal(u.appMangerLevel, 3);
        });

        it('add_notification_account with a given userID uses it; a used ID → 1001', async () => {
            const id = uid('bot');
            const j = await ok(base, '/user/add_notification_account', { userID: id, nickName: 'Bot', appMangerLevel: 4 }, { token: admin });
            assert.equal(j.data.userID, id);
            assert.equal(j.data.appMangerLevel, 4);
            await fails(base, '/user/add_notification_account', { userID: id, nickName: 'Bot2', appMangerLevel: 4 }, 1001, { token: admin });
            await fails(base, '/user/add_notification_account', { userID: alice, nickName: 'Bot3', appMangerLevel: 3 }, 1001, { token: admin });
            assert.equal((await getUser(base, admin, alice)).nickname, 'Alice');
        });

        it('appMangerLevel < 3 or empty nickName → 1001; non-admin → 1002', async () => {
            await fails(base, '/user/add_notification_account', { nickName: 'x', appMangerLevel: 2 }, 1001, { token: admin });
            await fails(base, '/user/add_notification_account', { nickName: 'x', appMangerLevel: 0 }, 1001, { token: admin });
            await fails(base, '/user/add_notification_account', { nickName: '', appMangerLevel: 3 }, 1001, { token: admin });
            await fails(base, '/user/add_notification_account', { nickName: 'x', appMangerLevel: 3 }, 1002, { token: aliceTok });
        });

        it('a notification account cannot get a user token (1001)', async () => {
            await fails(base, '/auth/get_user_token', { userID: n1.userID, platformID: 1 }, 1001, { token: admin });
        });

        it('search_notification_account by exact userID, by nickname, and all', async () => {
            let j = await ok(base, '/user/search_notification_account', { keyword: n1.userID, ...PAGE(1, 10) }, { token: admin });
            assert.deepEqual(Object.keys(j.data).sort(), ['notificationAccounts', 'total']);
            assert.equal(j.data.total, 1);
            assert.deepEqual(j.data.notificationAccounts, [n1]);
            j = await ok(base, '/user/search_notification_account', { keyword: 'System News', ...PAGE(1, 10) }, { token: admin });
            assert.ok(j.data.notificationAccounts.some((a) => a.userID === n1.userID));
            j = await ok(base, '/user/search_notification_account', PAGE(1, 100), { token: admin });
            assert.equal(j.data.total, j.data.notificationAccounts.length);
            const ids = j.data.notificationAccounts.map((a) => a.userID);
            assert.ok(ids.includes(n1.userID));
            assert.ok(!ids.includes(ADMIN_ID), 'admin IDs are excluded');
            assert.ok(!ids.includes(alice), 'ordinary users are excluded');
            for (const a of j.data.notificationAccounts) assert.ok(a.appMangerLevel >= 3);
        });

        it('search_notification_account filters by appManagerLevel', async () => {
            const j = await ok(base, '/user/search_notification_account', { appManagerLevel: 4, ...PAGE(1, 100) }, { token: admin });
            assert.ok(j.data.total >= 1);
            for (const a of j.data.notificationAccounts) assert.equal(a.appMangerLevel, 4);
        });

        it('search_notification_account: pagination required; admin only', async () => {
            await fails(base, '/user/search_notification_account', { keyword: '' }, 1001, { token: admin });
            await fails(base, '/user/search_notification_account', PAGE(1, 10), 1002, { token: aliceTok });
        });

        it('update_notification_account changes only the given fields', async () => {
            const j = await ok(base, '/user/add_notification_account', { nickName: 'Old', faceURL: 'http://f/old', appMangerLevel: 3 }, { token: admin });
            const id = j.data.userID;
            const r = await api(base, '/user/update_notification_account', { userID: id, nickName: 'Renamed' }, { token: admin });
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
            let s = await ok(base, '/user/search_notification_account', { keyword: id, ...PAGE(1, 10) }, { token: admin });
            assert.deepEqual(s.data.notificationAccounts, [{ userID: id, nickName: 'Renamed', faceURL: 'http://f/old', appMangerLevel: 3 }]);
            await ok(base, '/user/update_notification_account', { userID: id, faceURL: 'http://f/new' }, { token: admin });
            s = await ok(base, '/user/search_notification_account', { keyword: id, ...PAGE(1, 10) }, { token: admin });
            assert.equal(s.data.notificationAccounts[0].faceURL, 'http://f/new');
            assert.equal(s.data.notificationAccounts[0].nickName, 'Renamed');
            assert.equal((await getUser(base, admin, id)).nickname, 'Renamed');
        });

        it('update_notification_account: nothing to change → 1001; unknown → error; non-admin → 1002', async () => {
            await fails(base, '/user/update_notification_account', { userID: n1.userID }, 1001, { token: admin });
            const r = await api(base, '/user/update_notification_account', { userID: 'ghost_na', nickName: 'x' }, { token: admin });
            assert.notEqual(r.json?.errCode, 0, r.text);
            await fails(base, '/user/update_notification_account', { userID: n1.userID, nickName: 'x' }, 1002, { token: aliceTok });
        });
    });

    describe('client config', () => {
        it('set / get / page / del round trip, user values override global ones', async () => {
            const id = uid('cc');
            await register(base, admin, [id]);
            const t = await userToken(base, admin, id, 1);
            let r = await api(base, '/user/set_user_client_config', { userID: '', configs: { theme: 'dark', lang: 'en' } }, { token: admin });
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
            await ok(base, '/user/set_user_client_config', { userID: id, configs: { theme: 'light', font: 'big' } }, { token: admin });

            let g = await ok(base, '/user/get_user_client_config', { userID: id }, { token: t });
            assert.deepEqual(Object.keys(g.data), ['configs']);
            assert.deepEqual(g.data.configs, { theme: 'light', lang: 'en', font: 'big' });
            g = await ok(base, '/user/get_user_client_config', { userID: '' }, { token: t });
            assert.equal(g.data.configs.theme, 'dark');
            assert.equal(g.data.configs.lang, 'en');
            assert.equal(g.data.configs.font, undefined);
            g = await ok(base, '/user/get_user_client_config', { userID: id }, { token: admin });
            assert.deepEqual(g.data.configs, { theme: 'light', lang: 'en', font: 'big' });

            const p = await ok(base, '/user/page_user_client_config', { userID: id, ...PAGE(1, 10) }, { token: admin });
            assert.deepEqual(Object.keys(p.data).sort(), ['configs', 'total']);
            assert.equal(p.data.total, 2);
            assert.deepEqual(
                p.data.configs.map((c) => `${c.userID}|${c.key}|${c.value}`).sort(),
                [`${id}|font|big`, `${id}|theme|light`],
            );
            const p2 = await ok(base, '/user/page_user_client_config', { userID: id, ...PAGE(2, 1) }, { token: admin });
            assert.equal(p2.data.total, 2);
            assert.equal(p2.data.configs.length, 1);

            r = await api(base, '/user/del_user_client_config', { userID: id, keys: ['theme'] }, { token: admin });
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
            g = await ok(base, '/user/get_user_client_config', { userID: id }, { token: t });
            assert.deepEqual(g.data.configs, { theme: 'dark', lang: 'en', font: 'big' });
            // overwrite a value
            await ok(base, '/user/set_user_client_config', { userID: id, configs: { font: 'small' } }, { token: admin });
            g = await ok(base, '/user/get_user_client_config', { userID: id }, { token: t });
            assert.equal(g.data.configs.font, 'small');
            // clean up the global keys so other tests are not affected
            await ok(base, '/user/del_user_client_config', { userID: '', keys: ['theme', 'lang'] }, { token: admin });
        });

        it('get for another user → 1002', async () => {
            await fails(base, '/user/get_user_client_config', { userID: alice }, 1002, { token: bobTok });
        });

        it('set / del / page are admin only', async () => {
            await fails(base, '/user/set_user_client_config', { userID: alice, configs: { a: 'b' } }, 1002, { token: aliceTok });
            await fails(base, '/user/del_user_client_config', { userID: alice, keys: ['a'] }, 1002, { token: aliceTok });
            await fails(base, '/user/page_user_client_config', PAGE(1, 10), 1002, { token: aliceTok });
        });

        it('set for an unknown user → error', async () => {
            const r = await api(base, '/user/set_user_client_config', { userID: 'ghost_cc', configs: { a: 'b' } }, { token: admin });
            assert.notEqual(r.json?.errCode, 0, r.text);
        });
    });

    describe('persistence and data-dir lock', () => {
        it('users, tokens and token states survive a SIGTERM restart', async () => {
            const dir = mkTmpDir('persist-');
            let s = await startTernd({ dataDir: dir });
            const a = await adminToken(s.base);
            const u = uid('p');
            const v = uid('p');
            await register(s.base, a, [{ userID: u, nickname: 'Persist', faceURL: 'http://f/p', ex: 'px' }, v]);
            const t = await userToken(s.base, a, u, 1);
            const kicked = await userToken(s.base, a, v, 2);
            await ok(s.base, '/auth/force_logout', { userID: v, platformID: 2 }, { token: a });
            await ok(s.base, '/user/process_user_command_add', { userID: u, type: 7, uuid: 'keep', value: 'me' }, { token: t });
            await ok(s.base, '/user/set_user_client_config', { userID: u, configs: { k: 'v' } }, { token: a });
            const before = await getUser(s.base, a, u);
            await s.stop();

            s = await startTernd({ dataDir: dir });
            try {
                const after = await getUser(s.base, t, u);
                assert.deepEqual(after, before);
                const p = await ok(s.base, '/auth/parse_token', { token: t });
                assert.equal(p.data.userID, u);
                await fails(s.base, '/auth/parse_token', { token: kicked }, 1506);
                await ok(s.base, '/user/account_check', { checkUserIDs: [u] }, { token: a }); // admin token still valid
                const c = await ok(s.base, '/user/process_user_command_get', { userID: u, type: 7 }, { token: t });
                assert.equal(c.data.CommandResp[0].value, 'me');
                const g = await ok(s.base, '/user/get_user_client_config', { userID: u }, { token: t });
                assert.equal(g.data.configs.k, 'v');
                await fails(s.base, '/user/user_register', { users: [{ userID: u, nickname: 'x' }] }, 1102, { token: a });
            } finally {
                await s.stop();
            }
        });

        it('acknowledged registrations survive kill -9', async () => {
            const dir = mkTmpDir('kill9-');
            let s = await startTernd({ dataDir: dir });
            const a = await adminToken(s.base);
            const ids = Array.from({ length: 5 }, () => uid('k'));
            for (const id of ids) await register(s.base, a, [id]);
            const t = await userToken(s.base, a, ids[0], 1);
            await s.kill9();
            s = await startTernd({ dataDir: dir });
            try {
                const m = await exists(s.base, a, ids);
                for (const id of ids) assert.equal(m[id], 1, `${id} lost after kill -9`);
                assert.equal((await ok(s.base, '/auth/parse_token', { token: t })).data.userID, ids[0]);
            } finally {
                await s.stop();
            }
        });

        it('a second ternd on the same data dir fails to start; the first keeps serving', async () => {
            const s = await startTernd();
            try {
                const r = await runTernd(
                    ['--data-dir', s.dataDir, '--api-port', '0', '--ws-port', '0', '--secret', DEFAULT_SECRET, '--log-level', 'debug'],
                    { timeoutMs: 10000 },
                );
                assert.notEqual(r.code, 0, `second ternd exited ${r.code}: ${r.stderr}`);
                assert.match(r.stderr + r.stdout, /lock|in use|already|busy/i);
                assert.doesNotMatch(r.stderr, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/);
                await adminToken(s.base);
            } finally {
                await s.stop();
            }
        });
    });
});
