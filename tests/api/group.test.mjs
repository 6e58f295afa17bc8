// /group routes (openim-rest.md §6): groups, members, roles, mutes, join requests, the two version
// logs behind incremental sync (§15), shapes (§2), the permission matrix (owner / group admin /
// member / non-member / app admin), bad inputs, and the members' group conversations.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTernd, api, ok, fails, adminToken, register, userToken, uid } from './harness.mjs';

const PAGE = (pageNumber, showNumber) => ({ pagination: { pageNumber, showNumber } });
const list = (x) => x ?? []; // the server may send null for an empty list
const GROUP_KEYS = [
    'groupID',
    'groupName',
    'notification',
    'introduction',
    'faceURL',
    'ownerUserID',
    'createTime',
    'memberCount',
    'ex',
    'status',
    'creatorUserID',
    'groupType',
    'needVerification',
    'lookMemberInfo',
    'applyMemberFriend',
    'notificationUpdateTime',
    'notificationUserID',
];
const MEMBER_KEYS = [
    'groupID',
    'userID',
    'roleLevel',
    'joinTime',
    'nickname',
    'faceURL',
    'appMangerLevel',
    'joinSource',
    'operatorUserID',
    'ex',
    'muteEndTime',
    'inviterUserID',
];
const REQUEST_KEYS = [
    'userInfo',
    'groupInfo',
    'handleResult',
    'reqMsg',
    'handleMsg',
    'reqTime',
    'handleUserID',
    'handleTime',
    'ex',
    'joinSource',
    'inviterUserID',
];
const MEMBER_INCR_KEYS = ['version', 'versionID', 'full', 'delete', 'insert', 'update', 'group', 'sortVersion'];
const JOIN_INCR_KEYS = ['version', 'versionID', 'full', 'delete', 'insert', 'update', 'sortVersion'];

function idHash(ids) {
    if (ids.length === 0) return 0n;
    return crypto.createHash('md5').update(JSON.stringify(ids)).digest().readBigUInt64BE(0);
}

describe('group', () => {
    let srv, base, admin;
    const users = {}; // name -> {id, tok}

    const tokOf = (who) => (who === 'admin' ? admin : users[who].tok);
    const call = (path, body, who) => ok(base, path, body, { token: tokOf(who) });
    const refuse = (path, body, code, who) => fails(base, path, body, code, { token: tokOf(who) });
    const id = (name) => (name === 'admin' ? 'imAdmin' : users[name].id);

    async function newUsers(...names) {
        const l = names.map((n) => ({ userID: uid(n), nickname: n.toUpperCase(), faceURL: `http://f/${n}.png` }));
        await register(base, admin, l);
        for (let i = 0; i < names.length; i++) users[names[i]] = { id: l[i].userID, tok: await userToken(base, admin, l[i].userID, 5) };
    }

    // a group owned by owner with admins and members (names); returns its groupID
    async function newGroup(owner, { admins = [], members = [], info = {}, who = owner } = {}) {
        const j = await call(
            '/group/create_group',
            {
                ownerUserID: id(owner),
                adminUserIDs: admins.map(id),
                memberUserIDs: members.map(id),
                groupInfo: { groupType: 2, groupName: 'team', ...info },
            },
            who,
        );
        return j.data.groupInfo.groupID;
    }
    const info = async (gid, who = 'admin') => (await call('/group/get_groups_info', { groupIDs: [gid] }, who)).data.groupInfos[0];
    const memberList = async (gid, who = 'admin', extra = {}) =>
        (await call('/group/get_group_member_list', { groupID: gid, ...PAGE(1, 100), ...extra }, who)).data;
    const member = async (gid, name, who = 'admin') =>
        list((await call('/group/get_group_members_info', { groupID: gid, userIDs: [id(name)] }, who)).data.members)[0];
    const memberIncr = async (gid, version = 0, versionID = '', who = 'admin') =>
        (await call('/group/get_incremental_group_members', { groupID: gid, version, versionID }, who)).data;
    const joinIncr = async (name, version = 0, versionID = '') =>
        (await call('/group/get_incremental_join_groups', { userID: id(name), version, versionID }, name)).data;
    const conv = async (name, gid) =>
        (await call('/conversation/get_conversation', { ownerUserID: id(name), conversationID: `sg_${gid}` }, 'admin')).data.conversation;

    before(async () => {
        srv = await startTernd();
        base = srv.base;
        admin = await adminToken(base);
        await newUsers('owner', 'adm', 'mem', 'out', 'x1', 'x2', 'x3', 'x4');
    });
    after(async () => {
        await srv?.stop();
    });

    describe('create_group', () => {
        it('owner + admins + members + op; shapes; memberCount; generated numeric ID', async () => {
            await refuse('/group/create_group', { ownerUserID: id('owner'), groupInfo: { groupType: 2 } }, 1002, 'x1');
            const r = await call(
                '/group/create_group',
                {
                    ownerUserID: id('owner'),
                    adminUserIDs: [id('adm')],
                    memberUserIDs: [id('mem')],
                    groupInfo: { groupType: 2, groupName: 'g', introduction: 'intro', ex: 'e', needVerification: 1, creatorUserID: id('owner') },
                },
                'owner',
            );
            const g = r.data.groupInfo;
            assert.deepEqual(Object.keys(r.data), ['groupInfo']);
            assert.deepEqual(Object.keys(g), GROUP_KEYS);
            assert.match(g.groupID, /^\d+$/);
            assert.equal(g.ownerUserID, id('owner'));
            assert.equal(g.memberCount, 3);
            assert.equal(g.groupType, 2);
            assert.equal(g.needVerification, 1);
            assert.equal(g.introduction, 'intro');
            const again = await info(g.groupID, 'mem');
            assert.deepEqual(again, g);
            const ms = await memberList(g.groupID, 'mem');
            assert.equal(ms.total, 3);
            assert.deepEqual(Object.keys(ms.members[0]), MEMBER_KEYS);
            assert.deepEqual(
                ms.members.map((m) => [m.userID, m.roleLevel]),
                [
                    [id('owner'), 100],
                    [id('adm'), 60],
                    [id('mem'), 20],
                ],
            );
            assert.equal(ms.members[0].nickname, 'OWNER', 'nickname falls back to the profile');
            assert.equal(ms.members[0].faceURL, 'http://f/owner.png');
            assert.equal(ms.members[1].joinSource, 2);
            assert.equal(ms.members[1].inviterUserID, id('owner'));
        });

        it('an app admin creates for someone without becoming a member; chosen IDs; 1202', async () => {
            const gid = uid('grp');
            const j = await call('/group/create_group', { ownerUserID: id('owner'), memberUserIDs: [id('mem')], groupInfo: { groupID: gid, groupType: 2 } }, 'admin');
            assert.equal(j.data.groupInfo.groupID, gid);
            assert.equal(j.data.groupInfo.memberCount, 2);
            assert.equal(await member(gid, 'admin'), undefined, 'the operator is checked, not added (as OpenIM)');
            const o = await member(gid, 'owner');
            assert.equal(o.roleLevel, 100);
            assert.equal(o.appMangerLevel, 0, 'appMangerLevel comes from the user');
            await refuse('/group/create_group', { ownerUserID: id('owner'), groupInfo: { groupID: gid, groupType: 2 } }, 1202, 'owner');
        });

        it('bad inputs: groupType, owner, duplicates, unknown users, lengths, list size', async () => {
            const mk = (body, code, who = 'owner') => refuse('/group/create_group', body, code, who);
            const o = id('owner');
            await mk({ ownerUserID: o, groupInfo: { groupType: 1 } }, 1001);
            await mk({ ownerUserID: o }, 1001);
            await mk({ groupInfo: { groupType: 2 } }, 1001);
            await mk({ ownerUserID: o, memberUserIDs: [id('mem'), id('mem')], groupInfo: { groupType: 2 } }, 1001);
            await mk({ ownerUserID: o, adminUserIDs: [id('mem')], memberUserIDs: [id('mem')], groupInfo: { groupType: 2 } }, 1001);
            await mk({ ownerUserID: o, memberUserIDs: [o], groupInfo: { groupType: 2 } }, 1001);
            await mk({ ownerUserID: o, memberUserIDs: ['nobody_here'], groupInfo: { groupType: 2 } }, 1101);
            await mk({ ownerUserID: o, memberUserIDs: [''], groupInfo: { groupType: 2 } }, 1001);
            await mk({ ownerUserID: o, groupInfo: { groupType: 2, groupName: 'n'.repeat(256) } }, 1001);
            await mk({ ownerUserID: o, groupInfo: { groupType: 2, groupID: 'has space' } }, 1001);
            await mk({ ownerUserID: o, groupInfo: { groupType: 2, needVerification: 7 } }, 1001);
            await mk({ ownerUserID: o, groupInfo: { groupType: '2' } }, 1001);
            const many = Array.from({ length: 1001 }, (_, i) => `u${i}`);
            await mk({ ownerUserID: o, memberUserIDs: many, groupInfo: { groupType: 2 } }, 1001);
            await mk({ ownerUserID: o, groupInfo: { groupType: 2 }, sendMessage: 'yes' }, 1001);
            await mk({ ownerUserID: id('mem'), groupInfo: { groupType: 2 } }, 1002);
        });

        it('members get the group conversation with its read window', async () => {
            const gid = await newGroup('owner', { members: ['mem'] });
            const c = await conv('mem', gid);
            assert.equal(c.conversationType, 3);
            assert.equal(c.groupID, gid);
            assert.equal(c.minSeq, 1);
            assert.equal(c.maxSeq, 0);
        });
    });

    describe('get_groups_info / get_groups / abstract info', () => {
        it('get_groups_info: existing ones once; 1001 when empty', async () => {
            const gid = await newGroup('owner');
            const j = await call('/group/get_groups_info', { groupIDs: [gid, 'nope', gid] }, 'out');
            assert.equal(j.data.groupInfos.length, 1);
            await refuse('/group/get_groups_info', { groupIDs: [] }, 1001, 'out');
            await refuse('/group/get_groups_info', {}, 1001, 'out');
            const none = await call('/group/get_groups_info', { groupIDs: ['nope'] }, 'out');
            assert.equal(none.data.groupInfos, null);
        });

        it('get_groups: by ID, by name (newest first), with owner name; pagination', async () => {
            const name = uid('findme');
            const g1 = await newGroup('owner', { info: { groupName: `${name} one` } });
            const g2 = await newGroup('owner', { info: { groupName: `${name} two` } });
            const j = await call('/group/get_groups', { groupName: name, ...PAGE(1, 10) }, 'out');
            assert.equal(j.data.total, 2);
            assert.deepEqual(
                j.data.groups.map((g) => g.groupInfo.groupID),
                [g2, g1],
            );
            assert.deepEqual(Object.keys(j.data.groups[0]), ['groupInfo', 'groupOwnerUserName', 'groupOwnerUserID']);
            assert.equal(j.data.groups[0].groupOwnerUserName, 'OWNER');
            assert.equal(j.data.groups[0].groupOwnerUserID, id('owner'));
            const p2 = await call('/group/get_groups', { groupName: name, ...PAGE(2, 1) }, 'out');
            assert.equal(p2.data.total, 2);
            assert.equal(p2.data.groups[0].groupInfo.groupID, g1);
            const past = await call('/group/get_groups', { groupName: name, ...PAGE(5, 10) }, 'out');
            assert.equal(past.data.total, 2);
            assert.deepEqual(list(past.data.groups), []);
            const byId = await call('/group/get_groups', { groupID: g1, groupName: 'zzz', ...PAGE(1, 10) }, 'out');
            assert.equal(byId.data.total, 1);
            await refuse('/group/get_groups', { groupName: name }, 1001, 'out');
            await refuse('/group/get_groups', { groupName: name, ...PAGE(0, 10) }, 1001, 'out');
        });

        it('get_group_abstract_info: member or app admin; 1201 unknown; hash changes with members', async () => {
            const gid = await newGroup('owner', { members: ['mem'] });
            const a = await call('/group/get_group_abstract_info', { groupIDs: [gid] }, 'mem');
            assert.deepEqual(Object.keys(a.data.groupAbstractInfos[0]), ['groupID', 'groupMemberNumber', 'groupMemberListHash']);
            assert.equal(a.data.groupAbstractInfos[0].groupMemberNumber, 2);
            await refuse('/group/get_group_abstract_info', { groupIDs: [gid] }, 1002, 'out');
            await refuse('/group/get_group_abstract_info', { groupIDs: [gid, 'nope'] }, 1201, 'admin');
            await refuse('/group/get_group_abstract_info', { groupIDs: [gid, gid] }, 1001, 'admin');
            await refuse('/group/get_group_abstract_info', { groupIDs: [] }, 1001, 'admin');
            await call('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [id('x1')] }, 'owner');
            const b = await call('/group/get_group_abstract_info', { groupIDs: [gid] }, 'admin');
            assert.equal(b.data.groupAbstractInfos[0].groupMemberNumber, 3);
            assert.notEqual(b.data.groupAbstractInfos[0].groupMemberListHash, a.data.groupAbstractInfos[0].groupMemberListHash);
        });
    });

    describe('set_group_info / set_group_info_ex', () => {
        it('permission matrix: owner, admin, app admin yes; member 1002; non-member 1004', async () => {
            const gid = await newGroup('owner', { admins: ['adm'], members: ['mem'] });
            for (const who of ['owner', 'adm', 'admin']) await call('/group/set_group_info', { groupInfoForSet: { groupID: gid, introduction: `by ${who}` } }, who);
            await refuse('/group/set_group_info', { groupInfoForSet: { groupID: gid, introduction: 'm' } }, 1002, 'mem');
            await refuse('/group/set_group_info', { groupInfoForSet: { groupID: gid, introduction: 'm' } }, 1004, 'out');
            await refuse('/group/set_group_info_ex', { groupID: gid, introduction: 'm' }, 1002, 'mem');
            await refuse('/group/set_group_info_ex', { groupID: gid, introduction: 'm' }, 1004, 'out');
            await refuse('/group/set_group_info', { groupInfoForSet: { groupID: 'nope', introduction: 'm' } }, 1004, 'admin');
            await refuse('/group/set_group_info', { groupInfoForSet: { introduction: 'm' } }, 1001, 'admin');
            await refuse('/group/set_group_info', {}, 1001, 'admin');
            await refuse('/group/set_group_info', { groupInfoForSet: { groupID: gid, groupName: 'n'.repeat(300) } }, 1001, 'owner');
            await refuse('/group/set_group_info_ex', { groupID: gid, needVerification: 9 }, 1001, 'owner');
            assert.equal((await info(gid)).introduction, 'by admin');
        });

        it('set_group_info: "" leaves fields; notification sets time and user and groupAtType 4', async () => {
            const gid = await newGroup('owner', { members: ['mem'], info: { groupName: 'orig', introduction: 'i0' } });
            const before = await memberIncr(gid);
            await call('/group/set_group_info', { groupInfoForSet: { groupID: gid, groupName: '', notification: 'read me', needVerification: 2 } }, 'owner');
            const g = await info(gid);
            assert.equal(g.groupName, 'orig');
            assert.equal(g.introduction, 'i0');
            assert.equal(g.notification, 'read me');
            assert.equal(g.notificationUserID, id('owner'));
            assert.ok(g.notificationUpdateTime > 0);
            assert.equal(g.needVerification, 2);
            assert.equal((await conv('mem', gid)).groupAtType, 4);
            // the info marker: one step, group returned, no member entries
            const d = await memberIncr(gid, before.version, before.versionID);
            assert.equal(d.version, before.version + 1);
            assert.equal(d.full, false);
            assert.equal(d.insert, null);
            assert.equal(d.update, null);
            assert.equal(d.delete, null);
            assert.equal(d.group.notification, 'read me');
            // nothing to change: no step
            await call('/group/set_group_info', { groupInfoForSet: { groupID: gid, groupName: '' } }, 'owner');
            assert.equal((await memberIncr(gid)).version, d.version);
        });

        it('set_group_info_ex: wrappers; blank name ignores everything; notification cleared', async () => {
            const gid = await newGroup('owner', { info: { groupName: 'orig', notification: 'n1', ex: 'e0' } });
            await call('/group/set_group_info_ex', { groupID: gid, groupName: '  ', introduction: 'nope' }, 'owner');
            assert.equal((await info(gid)).introduction, '');
            await call('/group/set_group_info_ex', { groupID: gid, notification: '  trimmed  ', ex: '', lookMemberInfo: 1, applyMemberFriend: 1 }, 'owner');
            let g = await info(gid);
            assert.equal(g.notification, 'trimmed');
            assert.equal(g.ex, '');
            assert.equal(g.lookMemberInfo, 1);
            assert.equal(g.applyMemberFriend, 1);
            assert.equal(g.groupName, 'orig');
            await call('/group/set_group_info_ex', { groupID: gid, notification: '', groupName: 'new' }, 'owner');
            g = await info(gid);
            assert.equal(g.notification, '');
            assert.equal(g.groupName, 'new');
            await refuse('/group/set_group_info_ex', { groupID: gid, lookMemberInfo: '1' }, 1001, 'owner');
        });
    });

    describe('the whole flow with incremental sync', () => {
        it('create → invite → join with verification → list → accept → kick → quit → transfer → mute → dismiss', async () => {
            await newUsers('fo', 'fa', 'fm', 'fj', 'fk', 'fq');
            const gid = await newGroup('fo', { admins: ['fa'], members: ['fm'], info: { needVerification: 0 } });
            assert.equal((await info(gid)).memberCount, 3);
            let v = await memberIncr(gid, 0, '', 'fm');
            assert.equal(v.full, true);
            assert.equal(v.version, 1);
            assert.deepEqual(Object.keys(v), MEMBER_INCR_KEYS);
            assert.equal(v.group.memberCount, 3, 'full answers carry the group');
            let jv = await joinIncr('fm');
            assert.deepEqual(Object.keys(jv), JOIN_INCR_KEYS);

            // invite fk (needVerification 0: invitations are direct)
            await call('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [id('fk')], reason: 'r' }, 'fm');
            let d = await memberIncr(gid, v.version, v.versionID, 'fm');
            assert.equal(d.version, v.version + 1);
            assert.equal(d.full, false);
            assert.deepEqual(
                d.insert.map((m) => m.userID),
                [id('fk')],
            );
            assert.equal(d.insert[0].inviterUserID, id('fm'));
            assert.equal(d.group.memberCount, 4);
            v = d;
            const fkJoin = await joinIncr('fk');
            assert.equal(fkJoin.full, true);
            const fkIds = await call('/group/get_full_join_group_ids', { userID: id('fk'), idHash: 0 }, 'fk');
            assert.deepEqual(fkIds.data.groupIDs, [gid]);

            // join with verification: a request, nothing in the member log
            await call('/group/join_group', { groupID: gid, reqMessage: 'let me in', joinSource: 3, inviterUserID: id('fj'), ex: 'jx' }, 'fj');
            d = await memberIncr(gid, v.version, v.versionID, 'fm');
            assert.equal(d.version, v.version);
            assert.equal(d.group, null, 'nothing changed: no group');
            await refuse('/group/join_group', { groupID: gid, joinSource: 3, inviterUserID: id('fm') }, 1001, 'fm');

            // the application lists
            const recv = await call('/group/get_recv_group_applicationList', { fromUserID: id('fa'), ...PAGE(1, 10) }, 'fa');
            assert.equal(recv.data.total, 1);
            assert.deepEqual(Object.keys(recv.data), ['total', 'groupRequests']);
            const req = recv.data.groupRequests[0];
            assert.deepEqual(Object.keys(req), REQUEST_KEYS);
            assert.deepEqual(req.userInfo, { userID: id('fj'), nickname: 'FJ', faceURL: 'http://f/fj.png', ex: '' });
            assert.equal(req.groupInfo.groupID, gid);
            assert.equal(req.reqMsg, 'let me in');
            assert.equal(req.handleResult, 0);
            assert.equal(req.joinSource, 3);
            assert.equal(req.ex, 'jx');
            const mine = await call('/group/get_user_req_group_applicationList', { userID: id('fj'), ...PAGE(1, 10) }, 'fj');
            assert.equal(mine.data.total, 1);
            assert.equal(mine.data.groupRequests[0].groupInfo.groupID, gid);
            const spec = await call('/group/get_specified_user_group_request_info', { groupID: gid, userID: id('fj') }, 'fj');
            assert.equal(spec.data.total, 1);
            await refuse('/group/get_specified_user_group_request_info', { groupID: gid, userID: id('fj') }, 1002, 'fm');
            const byUsers = await call('/group/get_group_users_req_application_list', { groupID: gid, userIDs: [id('fj')] }, 'fo');
            assert.equal(byUsers.data.total, 1);
            assert.equal(byUsers.data.groupRequests[0].userInfo, null, 'as OpenIM answers');
            await refuse('/group/get_group_users_req_application_list', { groupID: gid, userIDs: [id('fj')] }, 1002, 'fm');
            const cnt = await call('/group/get_group_application_unhandled_count', { userID: id('fo') }, 'fo');
            assert.equal(cnt.data.count, 1);
            const later = await call('/group/get_group_application_unhandled_count', { userID: id('fo'), time: Date.now() + 60000 }, 'fo');
            assert.equal(later.data.count, 0);

            // accept (member may not; owner does); a second answer is 1206
            await refuse('/group/group_application_response', { groupID: gid, fromUserID: id('fj'), handleResult: 1 }, 1002, 'fm');
            await refuse('/group/group_application_response', { groupID: gid, fromUserID: id('fj'), handleResult: 2 }, 1001, 'fo');
            await call('/group/group_application_response', { groupID: gid, fromUserID: id('fj'), handledMsg: 'welcome', handleResult: 1 }, 'fa');
            await refuse('/group/group_application_response', { groupID: gid, fromUserID: id('fj'), handleResult: -1 }, 1206, 'fo');
            await refuse('/group/group_application_response', { groupID: gid, fromUserID: id('fq'), handleResult: 1 }, 1004, 'fo');
            const handled = await call('/group/get_specified_user_group_request_info', { groupID: gid, userID: id('fj') }, 'fa');
            assert.equal(handled.data.groupRequests[0].handleResult, 1);
            assert.equal(handled.data.groupRequests[0].handleMsg, 'welcome');
            assert.equal(handled.data.groupRequests[0].handleUserID, id('fa'));
            const only = await call('/group/get_recv_group_applicationList', { fromUserID: id('fo'), handleResults: [0], ...PAGE(1, 10) }, 'fo');
            assert.equal(only.data.total, 0);
            d = await memberIncr(gid, v.version, v.versionID, 'fm');
            assert.equal(d.version, v.version + 1);
            assert.deepEqual(
                d.insert.map((m) => [m.userID, m.joinSource, m.roleLevel]),
                [[id('fj'), 3, 20]],
            );
            v = d;
            assert.ok((await conv('fj', gid)).minSeq >= 1, 'a joiner reads from after the group’s newest seq');

            // kick: admin may kick members, not admins; delete entry; frozen conversation
            await refuse('/group/kick_group', { groupID: gid, kickedUserIDs: [id('fo')] }, 1001, 'fa');
            await refuse('/group/kick_group', { groupID: gid, kickedUserIDs: [id('fa')] }, 1001, 'fa');
            await refuse('/group/kick_group', { groupID: gid, kickedUserIDs: [id('fk')] }, 1002, 'fm');
            await refuse('/group/kick_group', { groupID: gid, kickedUserIDs: [id('fq')] }, 1101, 'fo');
            await refuse('/group/kick_group', { groupID: gid, kickedUserIDs: [id('fk'), id('fk')] }, 1001, 'fo');
            await refuse('/group/kick_group', { groupID: gid, kickedUserIDs: [] }, 1001, 'fo');
            await refuse('/group/kick_group', { groupID: 'nope', kickedUserIDs: [id('fk')] }, 1004, 'fo');
            await call('/group/kick_group', { groupID: gid, kickedUserIDs: [id('fk')], reason: 'bye', sendMessage: false }, 'fa');
            d = await memberIncr(gid, v.version, v.versionID, 'fm');
            assert.deepEqual(d.delete, [id('fk')]);
            assert.equal(d.group.memberCount, 4);
            v = d;
            const fkAfter = await joinIncr('fk', fkJoin.version, fkJoin.versionID);
            assert.deepEqual(fkAfter.delete, [gid]);
            await refuse('/group/get_group_member_list', { groupID: gid, ...PAGE(1, 10) }, 1002, 'fk');

            // quit: owner may not; a member quits itself
            await refuse('/group/quit_group', { groupID: gid }, 1002, 'fo');
            await refuse('/group/quit_group', { groupID: gid, userID: id('fj') }, 1002, 'fm');
            await refuse('/group/quit_group', { groupID: gid }, 1004, 'fq');
            await call('/group/quit_group', { groupID: gid }, 'fj');
            d = await memberIncr(gid, v.version, v.versionID, 'fm');
            assert.deepEqual(d.delete, [id('fj')]);
            v = d;

            // transfer: roles swap, sort marker
            await refuse('/group/transfer_group', { groupID: gid, oldOwnerUserID: id('fo'), newOwnerUserID: id('fm') }, 1002, 'fa');
            await refuse('/group/transfer_group', { groupID: gid, oldOwnerUserID: id('fo'), newOwnerUserID: id('fo') }, 1001, 'fo');
            await refuse('/group/transfer_group', { groupID: gid, oldOwnerUserID: id('fo'), newOwnerUserID: id('fq') }, 1001, 'fo');
            await call('/group/transfer_group', { groupID: gid, oldOwnerUserID: id('fo'), newOwnerUserID: id('fa') }, 'fo');
            assert.equal((await info(gid)).ownerUserID, id('fa'));
            assert.equal((await member(gid, 'fo')).roleLevel, 60, 'the old owner takes the new one’s role');
            d = await memberIncr(gid, v.version, v.versionID, 'fm');
            assert.equal(d.version, v.version + 1);
            assert.equal(d.sortVersion, d.version);
            assert.deepEqual(d.update.map((m) => m.userID).sort(), [id('fo'), id('fa')].sort());
            v = d;

            // mutes: member mute (muteEndTime), group mute (status 3 and back)
            await call('/group/mute_group_member', { groupID: gid, userID: id('fm'), mutedSeconds: 60 }, 'fa');
            const muted = await member(gid, 'fm');
            assert.ok(muted.muteEndTime > Date.now() + 50000 && muted.muteEndTime < Date.now() + 70000);
            d = await memberIncr(gid, v.version, v.versionID, 'fm');
            assert.deepEqual(
                d.update.map((m) => m.userID),
                [id('fm')],
            );
            assert.equal(d.sortVersion, 0);
            v = d;
            await call('/group/cancel_mute_group_member', { groupID: gid, userID: id('fm') }, 'fa');
            assert.equal((await member(gid, 'fm')).muteEndTime, 0);
            await call('/group/mute_group', { groupID: gid }, 'fo');
            assert.equal((await info(gid)).status, 3);
            await call('/group/cancel_mute_group', { groupID: gid }, 'fo');
            assert.equal((await info(gid)).status, 0);
            d = await memberIncr(gid, v.version, v.versionID, 'fm');
            assert.equal(d.version, v.version + 3);
            assert.equal(d.group.status, 0);
            v = d;

            // dismiss: only the owner; status 2; then 1204 where the spec says
            await refuse('/group/dismiss_group', { groupID: gid }, 1002, 'fo');
            await call('/group/dismiss_group', { groupID: gid }, 'fa');
            assert.equal((await info(gid)).status, 2);
            await refuse('/group/dismiss_group', { groupID: gid }, 1204, 'fa');
            await refuse('/group/set_group_info', { groupInfoForSet: { groupID: gid, introduction: 'x' } }, 1204, 'fa');
            await refuse('/group/set_group_info_ex', { groupID: gid, introduction: 'x' }, 1204, 'fa');
            await refuse('/group/join_group', { groupID: gid, joinSource: 3, inviterUserID: id('fq') }, 1204, 'fq');
            await refuse('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [id('fq')] }, 1204, 'fa');
            await refuse('/group/transfer_group', { groupID: gid, oldOwnerUserID: id('fa'), newOwnerUserID: id('fo') }, 1204, 'fa');
            await refuse('/group/get_incremental_group_members', { groupID: gid, version: 0, versionID: '' }, 1204, 'fm');
            const batch = await call(
                '/group/get_incremental_group_members_batch',
                { userID: id('fm'), reqList: [{ groupID: gid, version: 0, versionID: '' }] },
                'fm',
            );
            assert.deepEqual(batch.data.respList, {}, 'dismissed groups are skipped');
            // deleteMember on a dismissed group removes everyone
            await call('/group/dismiss_group', { groupID: gid, deleteMember: true }, 'admin');
            assert.equal((await info(gid)).memberCount, 0);
            const fmIds = await call('/group/get_full_join_group_ids', { userID: id('fm'), idHash: 0 }, 'fm');
            assert.equal(fmIds.data.equal, true);
            assert.equal(fmIds.data.groupIDs, null);
        });
    });

    describe('join_group', () => {
        it('needVerification 2 enters directly; bad inputs', async () => {
            const gid = await newGroup('owner', { info: { needVerification: 2 } });
            await call('/group/join_group', { groupID: gid, joinSource: 4, inviterUserID: id('x2') }, 'x2');
            const m = await member(gid, 'x2');
            assert.equal(m.roleLevel, 20);
            assert.equal(m.joinSource, 4);
            assert.equal((await info(gid)).memberCount, 2);
            const j = await joinIncr('x2');
            assert.equal(j.full, true);
            await refuse('/group/join_group', { groupID: gid, joinSource: 4, inviterUserID: id('x2') }, 1001, 'x2');
            await refuse('/group/join_group', { groupID: gid, joinSource: 5, inviterUserID: id('x3') }, 1001, 'x3');
            await refuse('/group/join_group', { groupID: gid, inviterUserID: id('x3') }, 1001, 'x3');
            await refuse('/group/join_group', { groupID: gid, joinSource: 3 }, 1001, 'x3');
            await refuse('/group/join_group', { groupID: gid, joinSource: 3, inviterUserID: 'ghost_user' }, 1004, 'x3');
            await refuse('/group/join_group', { groupID: 'nope', joinSource: 3, inviterUserID: id('x3') }, 1004, 'x3');
            await refuse('/group/join_group', { joinSource: 3, inviterUserID: id('x3') }, 1001, 'x3');
        });

        it('refusing a request; re-applying replaces it', async () => {
            const gid = await newGroup('owner', { admins: ['adm'] });
            await call('/group/join_group', { groupID: gid, joinSource: 3, inviterUserID: id('x3'), reqMessage: 'a' }, 'x3');
            await call('/group/group_application_response', { groupID: gid, fromUserID: id('x3'), handleResult: -1, handledMsg: 'no' }, 'adm');
            assert.equal((await info(gid)).memberCount, 2);
            let r = await call('/group/get_user_req_group_applicationList', { userID: id('x3'), groupIDs: [gid], ...PAGE(1, 10) }, 'x3');
            assert.equal(r.data.groupRequests[0].handleResult, -1);
            await call('/group/join_group', { groupID: gid, joinSource: 3, inviterUserID: id('x3'), reqMessage: 'b' }, 'x3');
            r = await call('/group/get_user_req_group_applicationList', { userID: id('x3'), groupIDs: [gid], ...PAGE(1, 10) }, 'x3');
            assert.equal(r.data.total, 1);
            assert.equal(r.data.groupRequests[0].handleResult, 0);
            assert.equal(r.data.groupRequests[0].reqMsg, 'b');
            await refuse('/group/get_user_req_group_applicationList', { userID: id('x3'), ...PAGE(1, 10) }, 1002, 'x4');
            await refuse('/group/get_user_req_group_applicationList', { userID: id('x3') }, 1001, 'x3');
            await refuse('/group/get_recv_group_applicationList', { fromUserID: id('adm'), ...PAGE(1, 10) }, 1002, 'x3');
            await refuse('/group/get_recv_group_applicationList', { fromUserID: id('x3'), groupIDs: [gid], ...PAGE(1, 10) }, 1004, 'x3');
            const viaAdmin = await call('/group/get_recv_group_applicationList', { fromUserID: id('adm'), groupIDs: [gid], ...PAGE(1, 10) }, 'admin');
            assert.equal(viaAdmin.data.total, 1);
            await refuse('/group/get_group_application_unhandled_count', { userID: id('adm') }, 1002, 'x3');
        });
    });

    describe('invite_user_to_group', () => {
        it('needVerification 1: an ordinary inviter makes requests, an admin adds directly', async () => {
            const gid = await newGroup('owner', { admins: ['adm'], members: ['mem'], info: { needVerification: 1 } });
            await call('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [id('x1')] }, 'mem');
            assert.equal((await info(gid)).memberCount, 3);
            const r = await call('/group/get_recv_group_applicationList', { fromUserID: id('owner'), ...PAGE(1, 10) }, 'owner');
            const req = r.data.groupRequests.find((q) => q.groupInfo.groupID === gid);
            assert.equal(req.userInfo.userID, id('x1'));
            assert.equal(req.inviterUserID, id('mem'));
            assert.equal(req.joinSource, 2);
            // accepting an invited request names the inviter
            await call('/group/group_application_response', { groupID: gid, fromUserID: id('x1'), handleResult: 1 }, 'owner');
            assert.equal((await member(gid, 'x1')).inviterUserID, id('mem'));
            await call('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [id('x2')] }, 'adm');
            assert.equal((await member(gid, 'x2')).roleLevel, 20);
        });

        it('bad inputs and permissions', async () => {
            const gid = await newGroup('owner', { members: ['mem'] });
            await refuse('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [id('x3')] }, 1004, 'out');
            await refuse('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: ['ghost_user'] }, 1004, 'owner');
            await refuse('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [id('x3'), id('x3')] }, 1001, 'owner');
            await refuse('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [] }, 1001, 'owner');
            await refuse('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [id('mem')] }, 1001, 'owner');
            await refuse('/group/invite_user_to_group', { groupID: 'nope', invitedUserIDs: [id('x3')] }, 1004, 'owner');
            await call('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: [id('x3')] }, 'admin');
            assert.equal((await member(gid, 'x3')).operatorUserID, 'imAdmin');
        });

        it('many invitees: one member-log step per 50', async () => {
            const names = Array.from({ length: 120 }, (_, i) => `bulk${i}`);
            const ids = names.map((n) => uid(n));
            await register(base, admin, ids);
            const gid = await newGroup('owner');
            const v = await memberIncr(gid);
            await call('/group/invite_user_to_group', { groupID: gid, invitedUserIDs: ids }, 'owner');
            const d = await memberIncr(gid, v.version, v.versionID);
            assert.equal(d.version, v.version + 3);
            assert.equal(d.insert.length, 120);
            assert.equal((await info(gid)).memberCount, 121);
        });
    });

    describe('members: lists, roles, mutes', () => {
        let gid;
        before(async () => {
            gid = await newGroup('owner', { admins: ['adm'], members: ['mem', 'x1'] });
        });

        it('get_group_member_list: member or app admin; order; keyword; pagination', async () => {
            await refuse('/group/get_group_member_list', { groupID: gid, ...PAGE(1, 10) }, 1002, 'out');
            await refuse('/group/get_group_member_list', { groupID: 'nope', ...PAGE(1, 10) }, 1004, 'admin');
            await refuse('/group/get_group_member_list', { groupID: gid }, 1001, 'mem');
            await refuse('/group/get_group_member_list', { groupID: gid, ...PAGE(0, 10) }, 1001, 'mem');
            await refuse('/group/get_group_member_list', { groupID: gid, filter: 6, ...PAGE(1, 10) }, 1001, 'mem');
            const all = await memberList(gid, 'mem');
            assert.deepEqual(
                all.members.map((m) => m.userID),
                [id('owner'), id('adm'), id('mem'), id('x1')],
            );
            const p = await memberList(gid, 'mem', PAGE(2, 2));
            assert.equal(p.total, 4);
            assert.deepEqual(
                p.members.map((m) => m.userID),
                [id('mem'), id('x1')],
            );
            const past = await memberList(gid, 'mem', PAGE(3, 2));
            assert.equal(past.total, 4);
            assert.deepEqual(list(past.members), []);
            const kw = await memberList(gid, 'mem', { keyword: 'ADM' });
            assert.equal(kw.total, 1);
            assert.equal(kw.members[0].userID, id('adm'));
            const ids = await call('/group/get_group_member_user_id', { groupID: gid }, 'mem');
            assert.deepEqual(ids.data.userIDs, all.members.map((m) => m.userID));
            await refuse('/group/get_group_member_user_id', { groupID: gid }, 1002, 'out');
            const info2 = await call('/group/get_group_members_info', { groupID: gid, userIDs: [id('mem'), id('out')] }, 'mem');
            assert.equal(info2.data.members.length, 1);
            await refuse('/group/get_group_members_info', { groupID: gid, userIDs: [] }, 1001, 'mem');
            await refuse('/group/get_group_members_info', { groupID: gid, userIDs: [id('mem')] }, 1002, 'out');
            const full = await call('/group/get_full_group_member_user_ids', { groupID: gid, idHash: 0 }, 'mem');
            assert.deepEqual(Object.keys(full.data), ['version', 'versionID', 'equal', 'userIDs']);
            assert.deepEqual(full.data.userIDs, ids.data.userIDs);
            const h = idHash(ids.data.userIDs);
            if (h <= BigInt(Number.MAX_SAFE_INTEGER)) {
                const eq = await call('/group/get_full_group_member_user_ids', { groupID: gid, idHash: Number(h) }, 'mem');
                assert.equal(eq.data.equal, true);
            }
            await refuse('/group/get_full_group_member_user_ids', { groupID: gid, idHash: 0 }, 1002, 'out');
        });

        it('set_group_member_info: role rules, nicknames, errors', async () => {
            const set = (m, who) => call('/group/set_group_member_info', { members: [{ groupID: gid, ...m }] }, who);
            const no = (m, code, who) => refuse('/group/set_group_member_info', { members: [{ groupID: gid, ...m }] }, code, who);
            await no({ userID: id('mem'), roleLevel: 100 }, 1002, 'owner');
            await no({ userID: id('mem'), roleLevel: 30 }, 1001, 'owner');
            await no({ userID: id('owner'), roleLevel: 60 }, 1001, 'owner');
            await no({ userID: id('owner'), nickname: 'x' }, 1002, 'adm');
            await no({ userID: id('mem'), nickname: 'x' }, 1002, 'x1');
            await no({ userID: id('x1'), roleLevel: 60 }, 1002, 'x1');
            await no({ userID: id('mem'), nickname: 'x' }, 1002, 'out');
            await no({ userID: id('out'), nickname: 'x' }, 1001, 'owner');
            await no({ userID: id('mem'), nickname: 'n'.repeat(300) }, 1001, 'owner');
            await refuse('/group/set_group_member_info', { members: [] }, 1001, 'owner');
            await refuse(
                '/group/set_group_member_info',
                { members: [{ groupID: gid, userID: id('mem'), nickname: 'a' }, { groupID: gid, userID: id('mem'), ex: 'b' }] },
                1001,
                'owner',
            );
            const v = await memberIncr(gid);
            await set({ userID: id('x1'), nickname: 'Xavier', ex: 'xe' }, 'x1');
            const x1 = await member(gid, 'x1');
            assert.equal(x1.nickname, 'Xavier');
            assert.equal(x1.ex, 'xe');
            await set({ userID: id('mem'), roleLevel: 60 }, 'owner');
            assert.equal((await member(gid, 'mem')).roleLevel, 60);
            const d = await memberIncr(gid, v.version, v.versionID);
            assert.equal(d.version, v.version + 2);
            assert.equal(d.sortVersion, d.version);
            await no({ userID: id('mem'), nickname: 'by adm' }, 1002, 'adm');
            await set({ userID: id('mem'), roleLevel: 20 }, 'admin');
            await set({ userID: id('adm'), roleLevel: 20 }, 'adm'); // lowering oneself is allowed
            assert.equal((await member(gid, 'adm')).roleLevel, 20);
            await set({ userID: id('adm'), roleLevel: 60 }, 'owner');
            const kw = await memberList(gid, 'mem', { keyword: 'Xav' });
            assert.equal(kw.total, 1);
        });

        it('mute_group_member: who may mute whom', async () => {
            await refuse('/group/mute_group_member', { groupID: gid, userID: id('owner'), mutedSeconds: 10 }, 1002, 'adm');
            await refuse('/group/mute_group_member', { groupID: gid, userID: id('adm'), mutedSeconds: 10 }, 1002, 'adm');
            await refuse('/group/mute_group_member', { groupID: gid, userID: id('x1'), mutedSeconds: 10 }, 1002, 'mem');
            await refuse('/group/mute_group_member', { groupID: gid, userID: id('x1'), mutedSeconds: 10 }, 1004, 'out');
            await refuse('/group/mute_group_member', { groupID: gid, userID: id('out'), mutedSeconds: 10 }, 1004, 'owner');
            await refuse('/group/mute_group_member', { groupID: gid, userID: id('x1'), mutedSeconds: 0 }, 1001, 'owner');
            await refuse('/group/mute_group_member', { groupID: gid, userID: id('x1') }, 1001, 'owner');
            await call('/group/mute_group_member', { groupID: gid, userID: id('adm'), mutedSeconds: 10 }, 'owner');
            await call('/group/mute_group_member', { groupID: gid, userID: id('x1'), mutedSeconds: 10 }, 'adm');
            await refuse('/group/cancel_mute_group_member', { groupID: gid, userID: id('x1') }, 1002, 'mem');
            await call('/group/cancel_mute_group_member', { groupID: gid, userID: id('x1') }, 'admin');
            assert.equal((await member(gid, 'x1')).muteEndTime, 0);
            // transferring to a muted member lifts the mute
            await call('/group/transfer_group', { groupID: gid, oldOwnerUserID: id('owner'), newOwnerUserID: id('adm') }, 'owner');
            const adm = await member(gid, 'adm');
            assert.equal(adm.roleLevel, 100);
            assert.equal(adm.muteEndTime, 0);
            await call('/group/transfer_group', { groupID: gid, oldOwnerUserID: id('adm'), newOwnerUserID: id('owner') }, 'admin');
            assert.equal((await info(gid)).ownerUserID, id('owner'));
        });

        it('mute_group / cancel_mute_group: owner or admin', async () => {
            await refuse('/group/mute_group', { groupID: gid }, 1002, 'x1');
            await refuse('/group/mute_group', { groupID: gid }, 1004, 'out');
            await refuse('/group/mute_group', { groupID: 'nope' }, 1004, 'admin');
            await refuse('/group/mute_group', {}, 1001, 'admin');
            await call('/group/mute_group', { groupID: gid }, 'adm');
            assert.equal((await info(gid)).status, 3);
            await call('/group/cancel_mute_group', { groupID: gid }, 'admin');
            assert.equal((await info(gid)).status, 0);
        });
    });

    describe('incremental sync', () => {
        it('get_incremental_join_groups: inserts and deletes as GroupInfo / IDs', async () => {
            await newUsers('sj');
            const first = await joinIncr('sj');
            const g1 = await newGroup('owner', { members: ['sj'] });
            const g2 = await newGroup('owner', { members: ['sj'] });
            let d = await joinIncr('sj', first.version, first.versionID);
            assert.equal(d.version, first.version + 2);
            assert.deepEqual(d.insert.map((g) => g.groupID).sort(), [g1, g2].sort());
            assert.equal(d.sortVersion, 0);
            // group info edits do not touch this log
            await call('/group/set_group_info_ex', { groupID: g1, introduction: 'x' }, 'owner');
            const same = await joinIncr('sj', d.version, d.versionID);
            assert.equal(same.version, d.version);
            await call('/group/quit_group', { groupID: g2 }, 'sj');
            const after2 = await joinIncr('sj', d.version, d.versionID);
            assert.deepEqual(after2.delete, [g2]);
            assert.equal(after2.insert, null);
            const full = await call('/group/get_full_join_group_ids', { userID: id('sj'), idHash: 0 }, 'sj');
            assert.deepEqual(full.data.groupIDs, [g1]);
            assert.equal(full.data.version, after2.version);
            await refuse('/group/get_incremental_join_groups', { userID: id('sj') }, 1002, 'out');
            await refuse('/group/get_full_join_group_ids', { userID: id('sj') }, 1002, 'out');
            const joined = await call('/group/get_joined_group_list', { fromUserID: id('sj'), ...PAGE(1, 10) }, 'sj');
            assert.equal(joined.data.total, 1);
            assert.equal(joined.data.groups[0].groupID, g1);
            await refuse('/group/get_joined_group_list', { fromUserID: id('sj'), ...PAGE(1, 10) }, 1002, 'out');
        });

        it('get_incremental_group_members: permissions, stale versionID, batch', async () => {
            const gid = await newGroup('owner', { members: ['mem'] });
            await refuse('/group/get_incremental_group_members', { groupID: gid }, 1002, 'out');
            await refuse('/group/get_incremental_group_members', { groupID: 'nope' }, 1004, 'out');
            await refuse('/group/get_incremental_group_members', {}, 1001, 'out');
            const h = await memberIncr(gid, 0, '', 'mem');
            const stale = await memberIncr(gid, h.version, '0123456789abcdef01234567', 'mem');
            assert.equal(stale.full, true);
            const same = await memberIncr(gid, h.version, h.versionID, 'mem');
            assert.equal(same.full, false);
            assert.equal(same.group, null);
            const g2 = await newGroup('owner', { members: ['mem'] });
            const b = await call(
                '/group/get_incremental_group_members_batch',
                {
                    userID: id('mem'),
                    reqList: [
                        { groupID: gid, version: h.version, versionID: h.versionID },
                        { groupID: g2, version: 0, versionID: '' },
                        { groupID: gid, version: 0, versionID: '' },
                    ],
                },
                'mem',
            );
            assert.deepEqual(Object.keys(b.data.respList).sort(), [gid, g2].sort());
            assert.equal(b.data.respList[gid].full, false, 'duplicates processed once (the first)');
            assert.equal(b.data.respList[g2].full, true);
            assert.deepEqual(Object.keys(b.data.respList[g2]), MEMBER_INCR_KEYS);
            await refuse('/group/get_incremental_group_members_batch', { userID: id('out'), reqList: [{ groupID: gid }] }, 1002, 'out');
        });
    });

    describe('quit_group and kick by the app admin', () => {
        it('app admin may quit someone and kick anyone but the owner', async () => {
            const gid = await newGroup('owner', { admins: ['adm'], members: ['mem', 'x1'] });
            await call('/group/quit_group', { groupID: gid, userID: id('x1') }, 'admin');
            await call('/group/kick_group', { groupID: gid, kickedUserIDs: [id('adm')] }, 'admin');
            await refuse('/group/kick_group', { groupID: gid, kickedUserIDs: [id('owner')] }, 1001, 'admin');
            await call('/group/kick_group', { groupID: gid, kickedUserIDs: [id('mem')] }, 'owner');
            assert.equal((await info(gid)).memberCount, 1);
            // the window of a removed member is frozen: later group messages stay out of it
            const c = await conv('mem', gid);
            assert.ok(c.maxSeq >= 1);
            await call('/group/set_group_info', { groupInfoForSet: { groupID: gid, notification: 'more' } }, 'owner');
            await new Promise((r) => setTimeout(r, 100));
            assert.equal((await conv('mem', gid)).maxSeq, c.maxSeq);
        });

        it('dismiss with deleteMember right away writes delete entries', async () => {
            await newUsers('dd');
            const gid = await newGroup('owner', { members: ['dd'] });
            const j = await joinIncr('dd');
            await refuse('/group/dismiss_group', { groupID: gid, deleteMember: true }, 1002, 'dd');
            await refuse('/group/dismiss_group', { groupID: 'nope' }, 1004, 'owner');
            await call('/group/dismiss_group', { groupID: gid, deleteMember: true }, 'owner');
            const d = await joinIncr('dd', j.version, j.versionID);
            assert.deepEqual(d.delete, [gid]);
            assert.equal((await info(gid)).status, 2);
        });
    });

    it('unknown routes under /group still 404', async () => {
        const r = await api(base, '/group/nope', {}, { token: admin });
        assert.equal(r.status, 404);
    });
});
