// /conversation routes (openim-rest.md §7), /jssdk in JSON and protobuf mode (§12), version logs
// and idHash (§15), and the friend/group login-sync routes before relations exist (§5, §6, §16.2).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTernd, api, ok, fails, adminToken, register, userToken, uid } from './harness.mjs';

const CONVERSATION_KEYS = [
    'attachedInfo',
    'burnDuration',
    'conversationID',
    'conversationType',
    'ex',
    'groupAtType',
    'groupID',
    'isMsgDestruct',
    'isPinned',
    'isPrivateChat',
    'latestMsgDestructTime',
    'maxSeq',
    'minSeq',
    'msgDestructTime',
    'ownerUserID',
    'recvMsgOpt',
    'userID',
];
const PAGE = (pageNumber, showNumber) => ({ pagination: { pageNumber, showNumber } });
const list = (x) => x ?? []; // the server may send null for an empty list
const VERSION_ID_RE = /^[0-9a-f]{24}$/;

// §15.4: first 8 bytes (big-endian) of MD5 over the compact JSON array, as a BigInt
function idHash(ids) {
    if (ids.length === 0) return 0n;
    return crypto.createHash('md5').update(JSON.stringify(ids)).digest().readBigUInt64BE(0);
}

const singleID = (a, b) => (a < b ? `si_${a}_${b}` : `si_${b}_${a}`);

// ---- minimal protobuf (jssdk messages) ----
function varint(n) {
    let v = BigInt(n);
    const out = [];
    do {
        let b = Number(v & 0x7fn);
        v >>= 7n;
        if (v) b |= 0x80;
        out.push(b);
    } while (v);
    return out;
}
function pbString(field, s) {
    const b = Buffer.from(s, 'utf8');
    return Buffer.from([...varint((field << 3) | 2), ...varint(b.length), ...b]);
}
function pbInt(field, n) {
    return Buffer.from([...varint(field << 3), ...varint(n)]);
}
// Decodes one message level into {field: [values]} (varints as BigInt, length-delimited as Buffer).
function pbDecode(buf) {
    const out = {};
    let i = 0;
    const readVarint = () => {
        let v = 0n;
        let shift = 0n;
        for (;;) {
            const b = buf[i++];
            v |= BigInt(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
            shift += 7n;
        }
    };
    while (i < buf.length) {
        const tag = Number(readVarint());
        const field = tag >> 3;
        const wire = tag & 7;
        let val;
        if (wire === 0) val = readVarint();
        else if (wire === 2) {
            const len = Number(readVarint());
            val = buf.subarray(i, i + len);
            i += len;
        } else throw new Error(`unexpected wire type ${wire}`);
        (out[field] ??= []).push(val);
    }
    return out;
}

describe('conversation', () => {
    let srv;
    let base;
    let admin;
    let alice;
    let bob;
    let carol;
    let aliceTok;
    let bobTok;
    let carolTok;

    const incr = (tok, userID, versionID = '', version = 0) =>
        ok(base, '/conversation/get_incremental_conversations', { userID, versionID, version }, { token: tok });
    const setConv = (tok, userIDs, conversation) => ok(base, '/conversation/set_conversations', { userIDs, conversation }, { token: tok });
    const getConv = async (tok, ownerUserID, conversationID) =>
        (await ok(base, '/conversation/get_conversation', { ownerUserID, conversationID }, { token: tok })).data.conversation;

    before(async () => {
        srv = await startTernd();
        base = srv.base;
        admin = await adminToken(base);
        alice = uid('alice');
        bob = uid('bob');
        carol = uid('carol');
        await register(base, admin, [
            { userID: alice, nickname: 'Alice' },
            { userID: bob, nickname: 'Bob', faceURL: 'http://f/b.png' },
            { userID: carol, nickname: 'Carol' },
        ]);
        aliceTok = await userToken(base, admin, alice, 1);
        bobTok = await userToken(base, admin, bob, 5);
        carolTok = await userToken(base, admin, carol, 2);
    });
    after(async () => {
        await srv?.stop();
    });

    describe('get_incremental_conversations', () => {
        it('first sync: full with the log head and null lists; the head is stable', async () => {
            const u = uid('fresh');
            await register(base, admin, [u]);
            const tok = await userToken(base, admin, u);
            const j = await incr(tok, u);
            assert.deepEqual(Object.keys(j.data), ['version', 'versionID', 'full', 'delete', 'insert', 'update']);
            assert.equal(j.data.full, true);
            assert.equal(j.data.version, 1);
            assert.match(j.data.versionID, VERSION_ID_RE);
            assert.equal(j.data.delete, null);
            assert.equal(j.data.insert, null);
            assert.equal(j.data.update, null);
            const again = await incr(tok, u, j.data.versionID, j.data.version);
            assert.deepEqual(again.data, { ...j.data, full: false });
        });

        it('after a known version: the insert, then the update, then nothing', async () => {
            const cid = singleID(alice, carol);
            const v0 = (await incr(aliceTok, alice)).data;
            await setConv(aliceTok, [alice], { conversationID: cid, conversationType: 1, userID: carol, recvMsgOpt: 2 });
            const v1 = (await incr(aliceTok, alice, v0.versionID, v0.version)).data;
            assert.equal(v1.full, false);
            assert.equal(v1.versionID, v0.versionID);
            assert.equal(v1.version, v0.version + 1);
            assert.equal(list(v1.insert).length, 1);
            assert.deepEqual(Object.keys(v1.insert[0]).sort(), CONVERSATION_KEYS);
            assert.equal(v1.insert[0].conversationID, cid);
            assert.equal(v1.insert[0].recvMsgOpt, 2);
            assert.equal(v1.insert[0].ownerUserID, alice);
            assert.deepEqual(list(v1.update), []);
            assert.deepEqual(list(v1.delete), []);

            await setConv(aliceTok, [alice], { conversationID: cid, conversationType: 1, userID: carol, ex: 'e1' });
            const v2 = (await incr(aliceTok, alice, v1.versionID, v1.version)).data;
            assert.equal(v2.full, false);
            assert.equal(v2.version, v1.version + 1);
            assert.deepEqual(list(v2.insert), []);
            assert.equal(list(v2.update).length, 1);
            assert.equal(v2.update[0].ex, 'e1');
            assert.equal(v2.update[0].recvMsgOpt, 2);
            // from the first version the element shows once, as its latest state (update)
            const since0 = (await incr(aliceTok, alice, v0.versionID, v0.version)).data;
            assert.deepEqual(list(since0.insert), []);
            assert.deepEqual(
                list(since0.update).map((c) => c.conversationID),
                [cid],
            );

            const same = (await incr(aliceTok, alice, v2.versionID, v2.version)).data;
            assert.equal(same.full, false);
            assert.equal(same.version, v2.version);
            assert.equal(same.insert, null);
            assert.equal(same.update, null);
        });

        it('bad, foreign or future versions → full', async () => {
            const h = (await incr(aliceTok, alice)).data;
            for (const [versionID, version] of [
                ['zz', h.version],
                ['000000000000000000000000', h.version],
                ['0123456789abcdef01234567', h.version],
                [h.versionID, 0],
                [h.versionID, h.version + 5],
            ]) {
                const j = (await incr(aliceTok, alice, versionID, version)).data;
                assert.equal(j.full, true, `${versionID}/${version}`);
                assert.equal(j.versionID, h.versionID);
                assert.equal(j.version, h.version);
                assert.equal(j.insert, null);
            }
        });

        it("another user's log → 1002; admin may read it; userID required; bad version → 1001", async () => {
            await fails(base, '/conversation/get_incremental_conversations', { userID: bob, versionID: '', version: 0 }, 1002, { token: aliceTok });
            await incr(admin, bob);
            await fails(base, '/conversation/get_incremental_conversations', { versionID: '', version: 0 }, 1001, { token: aliceTok });
            await fails(base, '/conversation/get_incremental_conversations', { userID: alice, version: '3' }, 1001, { token: aliceTok });
            await fails(base, '/conversation/get_incremental_conversations', { userID: alice, version: -1 }, 1001, { token: aliceTok });
        });
    });

    describe('set_conversations', () => {
        it('creates for every owner, then writes only the present fields', async () => {
            const gid = `sg_${uid('g')}`;
            await setConv(admin, [alice, bob], { conversationID: gid, conversationType: 3, groupID: gid.slice(3), isPinned: true, attachedInfo: 'att' });
            for (const owner of [alice, bob]) {
                const c = await getConv(admin, owner, gid);
                assert.deepEqual(Object.keys(c), [
                    'ownerUserID',
                    'conversationID',
                    'recvMsgOpt',
                    'conversationType',
                    'userID',
                    'groupID',
                    'isPinned',
                    'attachedInfo',
                    'isPrivateChat',
                    'groupAtType',
                    'ex',
                    'burnDuration',
                    'minSeq',
                    'maxSeq',
                    'msgDestructTime',
                    'latestMsgDestructTime',
                    'isMsgDestruct',
                ]);
                assert.equal(c.ownerUserID, owner);
                assert.equal(c.conversationType, 3);
                assert.equal(c.groupID, gid.slice(3));
                assert.equal(c.isPinned, true);
                assert.equal(c.attachedInfo, 'att');
                assert.equal(c.recvMsgOpt, 0);
            }
            await setConv(aliceTok, [alice], {
                conversationID: gid,
                conversationType: 3,
                groupID: gid.slice(3),
                recvMsgOpt: 1,
                isPinned: null,
                ex: 'x',
                burnDuration: 30,
                groupAtType: 2,
                msgDestructTime: 3600,
                isMsgDestruct: true,
                minSeq: 9,
                maxSeq: 9,
            });
            const c = await getConv(aliceTok, alice, gid);
            assert.equal(c.isPinned, true, 'null wrapper leaves isPinned');
            assert.equal(c.attachedInfo, 'att');
            assert.equal(c.recvMsgOpt, 1);
            assert.equal(c.ex, 'x');
            assert.equal(c.burnDuration, 30);
            assert.equal(c.groupAtType, 2);
            assert.equal(c.msgDestructTime, 3600);
            assert.equal(c.isMsgDestruct, true);
            assert.equal(c.minSeq, 0, 'minSeq is ignored');
            assert.equal(c.maxSeq, 0, 'maxSeq is ignored');
            assert.equal((await getConv(bobTok, bob, gid)).recvMsgOpt, 0, "bob's record is untouched");
        });

        it('an unchanged value does not move the version', async () => {
            const cid = singleID(bob, carol);
            await setConv(bobTok, [bob], { conversationID: cid, conversationType: 1, userID: carol, isPinned: true });
            const h = (await incr(bobTok, bob)).data;
            await setConv(bobTok, [bob], { conversationID: cid, conversationType: 1, userID: carol, isPinned: true });
            const j = (await incr(bobTok, bob, h.versionID, h.version)).data;
            assert.equal(j.version, h.version);
            assert.equal(j.full, false);
            // no field at all: nothing is created
            const other = `si_${uid('none')}`;
            await setConv(bobTok, [bob], { conversationID: other, conversationType: 1, userID: carol });
            await fails(base, '/conversation/get_conversation', { ownerUserID: bob, conversationID: other }, 1004, { token: bobTok });
        });

        it('isPrivateChat goes to both sides of a single chat', async () => {
            const cid = singleID(alice, bob);
            await setConv(aliceTok, [alice], { conversationID: cid, conversationType: 1, userID: bob, isPrivateChat: true });
            const mine = await getConv(aliceTok, alice, cid);
            assert.equal(mine.isPrivateChat, true);
            assert.equal(mine.userID, bob);
            const peer = await getConv(bobTok, bob, cid);
            assert.equal(peer.isPrivateChat, true);
            assert.equal(peer.userID, alice, "the peer's record points back at the owner");
            assert.equal(peer.conversationType, 1);
            await setConv(aliceTok, [alice], { conversationID: cid, conversationType: 1, userID: bob, isPrivateChat: false });
            assert.equal((await getConv(bobTok, bob, cid)).isPrivateChat, false);
        });

        it("another user's record → 1002 and nothing is written", async () => {
            const cid = `si_${uid('x')}`;
            await fails(
                base,
                '/conversation/set_conversations',
                { userIDs: [alice, bob], conversation: { conversationID: cid, conversationType: 1, userID: carol, isPinned: true } },
                1002,
                { token: aliceTok },
            );
            await fails(base, '/conversation/get_conversation', { ownerUserID: alice, conversationID: cid }, 1004, { token: aliceTok });
        });

        it('invalid requests → 1001', async () => {
            const conv = { conversationID: 'si_a_b', conversationType: 1, userID: 'b', isPinned: true };
            const bad = [
                { conversation: conv },
                { userIDs: [], conversation: conv },
                { userIDs: [alice] },
                { userIDs: [alice], conversation: { ...conv, conversationID: '' } },
                { userIDs: [alice], conversation: { ...conv, conversationType: 0 } },
                { userIDs: [alice], conversation: { ...conv, conversationType: 7 } },
                { userIDs: [alice], conversation: { ...conv, userID: '' } },
                { userIDs: [alice], conversation: { conversationID: 'sg_x', conversationType: 3, isPinned: true } },
                { userIDs: [alice], conversation: { ...conv, isPinned: 'yes' } },
                { userIDs: [alice], conversation: { ...conv, recvMsgOpt: '1' } },
                { userIDs: alice, conversation: conv },
            ];
            for (const body of bad) await fails(base, '/conversation/set_conversations', body, 1001, { token: aliceTok });
        });
    });

    describe('reads', () => {
        let owner;
        let tok;
        const ids = [];
        before(async () => {
            owner = uid('reader');
            await register(base, admin, [owner]);
            tok = await userToken(base, admin, owner);
            for (let i = 0; i < 4; i++) {
                const cid = `sg_${owner}_${i}`;
                ids.push(cid);
                const c = { conversationID: cid, conversationType: 3, groupID: `${owner}_${i}`, ex: `e${i}` };
                if (i === 1) c.recvMsgOpt = 1;
                if (i === 2) c.recvMsgOpt = 2;
                if (i === 3) c.isPinned = true;
                await setConv(tok, [owner], c);
            }
        });

        it('get_conversation: found, missing → 1004, other → 1002, missing fields → 1001', async () => {
            const c = await getConv(tok, owner, ids[2]);
            assert.equal(c.conversationID, ids[2]);
            assert.equal(c.ex, 'e2');
            await fails(base, '/conversation/get_conversation', { ownerUserID: owner, conversationID: 'nope' }, 1004, { token: tok });
            await fails(base, '/conversation/get_conversation', { ownerUserID: owner, conversationID: ids[0] }, 1002, { token: aliceTok });
            await fails(base, '/conversation/get_conversation', { ownerUserID: owner }, 1001, { token: tok });
            await fails(base, '/conversation/get_conversation', { conversationID: ids[0] }, 1001, { token: tok });
            assert.equal((await getConv(admin, owner, ids[0])).conversationID, ids[0]);
        });

        it('get_conversations: existing ones in request order; null IDs → 1001', async () => {
            const j = await ok(base, '/conversation/get_conversations', { ownerUserID: owner, conversationIDs: [ids[3], 'nope', ids[0]] }, { token: tok });
            assert.deepEqual(
                j.data.conversations.map((c) => c.conversationID),
                [ids[3], ids[0]],
            );
            const none = await ok(base, '/conversation/get_conversations', { ownerUserID: owner, conversationIDs: [] }, { token: tok });
            assert.deepEqual(list(none.data.conversations), []);
            await fails(base, '/conversation/get_conversations', { ownerUserID: owner }, 1001, { token: tok });
            await fails(base, '/conversation/get_conversations', { ownerUserID: owner, conversationIDs: [ids[0]] }, 1002, { token: bobTok });
        });

        it('get_all_conversations: creation order; other → 1002', async () => {
            const j = await ok(base, '/conversation/get_all_conversations', { ownerUserID: owner }, { token: tok });
            assert.deepEqual(
                j.data.conversations.map((c) => c.conversationID),
                ids,
            );
            await fails(base, '/conversation/get_all_conversations', { ownerUserID: owner }, 1002, { token: aliceTok });
            await fails(base, '/conversation/get_all_conversations', {}, 1001, { token: tok });
        });

        it('get_owner_conversation: pages with total; no pagination → total only', async () => {
            const p2 = await ok(base, '/conversation/get_owner_conversation', { userID: owner, ...PAGE(2, 3) }, { token: tok });
            assert.equal(p2.data.total, 4);
            assert.deepEqual(
                p2.data.conversations.map((c) => c.conversationID),
                [ids[3]],
            );
            const bare = await ok(base, '/conversation/get_owner_conversation', { userID: owner }, { token: tok });
            assert.deepEqual(bare.data, { total: 4, conversations: null });
            const past = await ok(base, '/conversation/get_owner_conversation', { userID: owner, ...PAGE(9, 3) }, { token: tok });
            assert.deepEqual(list(past.data.conversations), []);
            await fails(base, '/conversation/get_owner_conversation', { userID: owner, ...PAGE(1, 3) }, 1002, { token: bobTok });
        });

        it('get_not_notify_conversation_ids and get_pinned_conversation_ids', async () => {
            const nn = await ok(base, '/conversation/get_not_notify_conversation_ids', { userID: owner }, { token: tok });
            assert.deepEqual(nn.data.conversationIDs, [ids[1], ids[2]]);
            const pin = await ok(base, '/conversation/get_pinned_conversation_ids', { userID: owner }, { token: tok });
            assert.deepEqual(pin.data.conversationIDs, [ids[3]]);
            const u = uid('empty');
            const empty = await ok(base, '/conversation/get_pinned_conversation_ids', { userID: u }, { token: admin });
            assert.deepEqual(list(empty.data.conversationIDs), []);
            await fails(base, '/conversation/get_not_notify_conversation_ids', { userID: owner }, 1002, { token: aliceTok });
            await fails(base, '/conversation/get_pinned_conversation_ids', { userID: owner }, 1002, { token: aliceTok });
            await fails(base, '/conversation/get_pinned_conversation_ids', {}, 1001, { token: tok });
        });

        it('get_full_conversation_ids: the IDs, or null when idHash matches', async () => {
            const h = (await incr(tok, owner)).data;
            const j = await ok(base, '/conversation/get_full_conversation_ids', { userID: owner, idHash: 0 }, { token: tok });
            assert.deepEqual(Object.keys(j.data), ['version', 'versionID', 'equal', 'conversationIDs']);
            assert.equal(j.data.version, h.version);
            assert.equal(j.data.versionID, h.versionID);
            assert.equal(j.data.equal, false);
            assert.deepEqual(j.data.conversationIDs, ids);

            // a user whose ID list hashes below 2^63 (JSON numbers above cannot be sent exactly)
            let u;
            let cid;
            for (let i = 0; ; i++) {
                u = uid('hash');
                cid = `sg_${u}`;
                if (idHash([cid]) < 2n ** 63n) break;
            }
            await setConv(admin, [u], { conversationID: cid, conversationType: 3, groupID: u, ex: '' });
            const raw = `{"userID":"${u}","idHash":${idHash([cid]).toString()}}`;
            const eq = await ok(base, '/conversation/get_full_conversation_ids', {}, { token: admin, rawBody: raw });
            assert.equal(eq.data.equal, true);
            assert.equal(eq.data.conversationIDs, null);
            // known vector: ["a","b"]
            assert.equal(idHash(['a', 'b']), 16518927257079726733n);

            // no conversations: the empty list hashes to 0
            const none = await ok(base, '/conversation/get_full_conversation_ids', { userID: uid('nobody'), idHash: 0 }, { token: admin });
            assert.equal(none.data.equal, true);
            assert.equal(none.data.conversationIDs, null);
            assert.equal(none.data.version, 1);
            await fails(base, '/conversation/get_full_conversation_ids', { userID: owner, idHash: 0 }, 1002, { token: aliceTok });
            await fails(base, '/conversation/get_full_conversation_ids', { userID: owner, idHash: -1 }, 1001, { token: tok });
        });

        it('get_sorted_conversation_list: pinned first, unread 0 without messages', async () => {
            const j = await ok(base, '/conversation/get_sorted_conversation_list', { userID: owner, ...PAGE(1, 10) }, { token: tok });
            assert.deepEqual(Object.keys(j.data), ['conversationTotal', 'unreadTotal', 'conversationElems']);
            assert.equal(j.data.conversationTotal, 0);
            assert.equal(j.data.unreadTotal, 0);
            const elems = j.data.conversationElems;
            assert.equal(elems.length, 4);
            assert.deepEqual(Object.keys(elems[0]), ['conversationID', 'recvMsgOpt', 'unreadCount', 'IsPinned', 'msgInfo']);
            assert.equal(elems[0].conversationID, ids[3]);
            assert.equal(elems[0].IsPinned, true);
            assert.equal(elems[0].msgInfo, null);
            assert.equal(elems[0].unreadCount, 0);
            assert.deepEqual(new Set(elems.map((e) => e.conversationID)), new Set(ids));
            const byID = Object.fromEntries(elems.map((e) => [e.conversationID, e]));
            assert.equal(byID[ids[1]].recvMsgOpt, 1);

            const some = await ok(
                base,
                '/conversation/get_sorted_conversation_list',
                { userID: owner, conversationIDs: [ids[0], ids[1], 'nope'], ...PAGE(2, 1) },
                { token: tok },
            );
            assert.equal(some.data.conversationElems.length, 1);
            const past = await ok(base, '/conversation/get_sorted_conversation_list', { userID: owner, ...PAGE(3, 5) }, { token: tok });
            assert.deepEqual(list(past.data.conversationElems), []);

            await fails(base, '/conversation/get_sorted_conversation_list', { userID: owner }, 1001, { token: tok });
            await fails(base, '/conversation/get_sorted_conversation_list', { userID: owner, ...PAGE(0, 5) }, 1001, { token: tok });
            await fails(base, '/conversation/get_sorted_conversation_list', { userID: owner, ...PAGE(1, 5) }, 1002, { token: aliceTok });
            await fails(base, '/conversation/get_sorted_conversation_list', { userID: uid('none'), ...PAGE(1, 5) }, 1004, { token: admin });
        });

        it('update_conversations_by_user: ex on all conversations; absent ex is a no-op', async () => {
            const u = uid('ex');
            await register(base, admin, [u]);
            const t = await userToken(base, admin, u);
            for (const i of [0, 1]) await setConv(t, [u], { conversationID: `sg_${u}_${i}`, conversationType: 3, groupID: `${u}_${i}`, ex: 'old' });
            const h = (await incr(t, u)).data;
            await ok(base, '/conversation/update_conversations_by_user', { userID: u }, { token: t });
            assert.equal((await incr(t, u, h.versionID, h.version)).data.version, h.version);
            await ok(base, '/conversation/update_conversations_by_user', { userID: u, ex: 'new' }, { token: t });
            const all = await ok(base, '/conversation/get_all_conversations', { ownerUserID: u }, { token: t });
            assert.deepEqual(
                all.data.conversations.map((c) => c.ex),
                ['new', 'new'],
            );
            const d = (await incr(t, u, h.versionID, h.version)).data;
            assert.equal(d.full, false);
            assert.equal(list(d.update).length, 2);
            await fails(base, '/conversation/update_conversations_by_user', { userID: u, ex: 'x' }, 1002, { token: aliceTok });
            await fails(base, '/conversation/update_conversations_by_user', { ex: 'x' }, 1001, { token: t });
        });
    });

    describe('jssdk', () => {
        it('JSON mode: only conversations with messages; ownerUserID is the token user', async () => {
            const json = { token: carolTok, headers: { 'Content-Type': 'application/json; charset=utf-8' } };
            const cid = singleID(carol, bob);
            await setConv(carolTok, [carol], { conversationID: cid, conversationType: 1, userID: bob, isPinned: true });
            const j = await ok(base, '/jssdk/get_conversations', { ownerUserID: bob, conversationIDs: [cid] }, json);
            assert.deepEqual(Object.keys(j.data), ['unreadCount', 'conversations']);
            assert.equal(j.data.unreadCount, 0);
            assert.deepEqual(list(j.data.conversations), []);
            const a = await ok(base, '/jssdk/get_active_conversations', { ownerUserID: bob, count: 20 }, json);
            assert.equal(a.data.unreadCount, 0);
            assert.deepEqual(list(a.data.conversations), []);
            // no Content-Type at all is JSON too (a Buffer body makes fetch send none)
            const bare = Buffer.from(JSON.stringify({ count: 5 }));
            await ok(base, '/jssdk/get_active_conversations', undefined, { token: carolTok, rawBody: bare });
            await fails(base, '/jssdk/get_conversations', { conversationIDs: 'x' }, 1001, json);
            await fails(base, '/jssdk/get_active_conversations', { count: 'x' }, 1001, json);
        });

        it('protobuf mode: data is base64 of the protobuf response; other types → 1001', async () => {
            const req = Buffer.concat([pbString(1, carol), pbInt(2, 20)]);
            const headers = { 'Content-Type': 'application/x-protobuf' };
            const probe = await api(base, '/jssdk/get_active_conversations', undefined, { token: carolTok, rawBody: req, headers });
            assert.equal(probe.json?.errCode, 0, probe.text);
            assert.equal(typeof probe.json.data, 'string');
            const resp = pbDecode(Buffer.from(probe.json.data, 'base64'));
            assert.equal(resp[2], undefined, 'no conversation has a message');

            const cid = singleID(carol, bob);
            const req2 = Buffer.concat([pbString(1, bob), pbString(2, cid), pbString(2, 'nope')]);
            const r2 = await api(base, '/jssdk/get_conversations', undefined, {
                token: carolTok,
                rawBody: req2,
                headers: { 'Content-Type': 'application/protobuf' },
            });
            assert.equal(r2.json?.errCode, 0, r2.text);
            assert.equal(typeof r2.json.data, 'string');
            assert.deepEqual(pbDecode(Buffer.from(r2.json.data, 'base64')), {});

            // an empty protobuf body is an empty request (count 0 → the default)
            const empty = await api(base, '/jssdk/get_active_conversations', undefined, { token: carolTok, rawBody: Buffer.alloc(0), headers });
            assert.equal(empty.json?.errCode, 0, empty.text);
            // a truncated protobuf body → 1001
            await fails(base, '/jssdk/get_conversations', undefined, 1001, { token: carolTok, rawBody: req2.subarray(0, 5), headers });
            // neither JSON nor protobuf → 1001
            await fails(base, '/jssdk/get_conversations', undefined, 1001, {
                token: carolTok,
                rawBody: '{}',
                headers: { 'Content-Type': 'text/plain' },
            });
        });
    });

    describe('with messages (sent by /msg/send_msg)', () => {
        let sender;
        let recv;
        let senderTok;
        let recvTok;
        let cid;
        let before0;
        const send = (text) =>
            ok(base, '/msg/send_msg', { sendID: sender, recvID: recv, contentType: 101, sessionType: 1, content: { content: text } }, { token: admin });

        before(async () => {
            sender = uid('s');
            recv = uid('r');
            await register(base, admin, [
                { userID: sender, nickname: 'Sender', faceURL: 'http://f/s.png' },
                { userID: recv, nickname: 'Receiver', faceURL: 'http://f/r.png' },
            ]);
            senderTok = await userToken(base, admin, sender);
            recvTok = await userToken(base, admin, recv);
            cid = singleID(sender, recv);
            before0 = (await incr(recvTok, recv)).data;
            await send('one');
            await send('two');
        });

        it('the first message creates both records (insert in each log)', async () => {
            const d = (await incr(recvTok, recv, before0.versionID, before0.version)).data;
            assert.equal(d.full, false);
            assert.deepEqual(
                list(d.insert).map((c) => [c.conversationID, c.userID, c.conversationType]),
                [[cid, sender, 1]],
            );
            assert.equal((await getConv(senderTok, sender, cid)).userID, recv);
        });

        it('get_sorted_conversation_list: unread for the receiver, none for the sender; msgInfo', async () => {
            const r = (await ok(base, '/conversation/get_sorted_conversation_list', { userID: recv, ...PAGE(1, 10) }, { token: recvTok })).data;
            assert.equal(r.conversationTotal, 1);
            assert.equal(r.unreadTotal, 2);
            const e = r.conversationElems[0];
            assert.equal(e.conversationID, cid);
            assert.equal(e.unreadCount, 2);
            assert.deepEqual(Object.keys(e.msgInfo), [
                'serverMsgID',
                'clientMsgID',
                'sessionType',
                'sendID',
                'recvID',
                'senderName',
                'faceURL',
                'groupID',
                'groupName',
                'groupFaceURL',
                'groupType',
                'groupMemberCount',
                'LatestMsgRecvTime',
                'msgFrom',
                'contentType',
                'content',
                'ex',
            ]);
            assert.equal(e.msgInfo.sendID, sender);
            assert.equal(e.msgInfo.recvID, recv);
            assert.equal(e.msgInfo.senderName, 'Sender');
            assert.equal(e.msgInfo.faceURL, 'http://f/s.png');
            assert.equal(e.msgInfo.contentType, 101);
            assert.equal(e.msgInfo.sessionType, 1);
            assert.deepEqual(JSON.parse(e.msgInfo.content), { content: 'two' });
            assert.ok(e.msgInfo.LatestMsgRecvTime > 0);

            const s = (await ok(base, '/conversation/get_sorted_conversation_list', { userID: sender, ...PAGE(1, 10) }, { token: senderTok })).data;
            assert.equal(s.unreadTotal, 0, "the sender's own messages are read");
            assert.equal(s.conversationElems[0].unreadCount, 0);
            // one's own last message shows the peer's name and face
            assert.equal(s.conversationElems[0].msgInfo.senderName, 'Receiver');
            assert.equal(s.conversationElems[0].msgInfo.faceURL, 'http://f/r.png');
        });

        it('jssdk JSON: lastMsg, peer profile, seqs and unread', async () => {
            const json = { token: recvTok, headers: { 'Content-Type': 'application/json' } };
            for (const [path, body] of [
                ['/jssdk/get_conversations', { conversationIDs: [cid, 'nope'] }],
                ['/jssdk/get_active_conversations', { count: 0 }],
            ]) {
                const j = (await ok(base, path, body, json)).data;
                assert.equal(j.unreadCount, 2, path);
                assert.equal(j.conversations.length, 1, path);
                const c = j.conversations[0];
                assert.deepEqual(Object.keys(c), ['conversation', 'lastMsg', 'user', 'friend', 'group', 'maxSeq', 'readSeq']);
                assert.equal(c.conversation.conversationID, cid);
                assert.equal(c.conversation.ownerUserID, recv);
                assert.equal(c.maxSeq, 2);
                assert.equal(c.readSeq, 0);
                assert.equal(c.lastMsg.seq, 2);
                assert.equal(c.lastMsg.sendID, sender);
                assert.equal(Buffer.from(c.lastMsg.content, 'base64').toString(), '{"content":"two"}');
                assert.equal(c.user.userID, sender);
                assert.equal(c.user.nickname, 'Sender');
                assert.equal(c.friend, null);
                assert.equal(c.group, null);
            }
            const mine = (await ok(base, '/jssdk/get_active_conversations', {}, { token: senderTok, headers: json.headers })).data;
            assert.equal(mine.unreadCount, 0);
            assert.equal(mine.conversations[0].readSeq, 2);
            assert.equal(mine.conversations[0].user.userID, recv);
        });

        it('jssdk protobuf: the same answer, base64 of GetActiveConversationsResp', async () => {
            const headers = { 'Content-Type': 'application/x-protobuf' };
            const r = await api(base, '/jssdk/get_active_conversations', undefined, {
                token: recvTok,
                rawBody: Buffer.concat([pbString(1, recv), pbInt(2, 20)]),
                headers,
            });
            assert.equal(r.json?.errCode, 0, r.text);
            const resp = pbDecode(Buffer.from(r.json.data, 'base64'));
            assert.deepEqual(resp[1], [2n], 'unreadCount');
            assert.equal(resp[2].length, 1);
            const msg = pbDecode(resp[2][0]);
            assert.equal(pbDecode(msg[1][0])[2][0].toString(), cid, 'conversation.conversationID');
            const last = pbDecode(msg[2][0]);
            assert.deepEqual(last[14], [2n], 'lastMsg.seq');
            assert.equal(last[1][0].toString(), sender, 'lastMsg.sendID');
            assert.equal(pbDecode(msg[3][0])[1][0].toString(), sender, 'user.userID');
            assert.deepEqual(msg[6], [2n], 'maxSeq');
            assert.equal(msg[7], undefined, 'readSeq 0 is not encoded');
        });
    });

    describe('login sync of friends and groups', () => {
        for (const [path, collection] of [
            ['/friend/get_incremental_friends', 'friend'],
            ['/group/get_incremental_join_groups', 'join_group'],
        ]) {
            it(`${path}: full on first sync, then up to date; self or admin`, async () => {
                const j = await ok(base, path, { userID: alice, version: 0, versionID: '' }, { token: aliceTok });
                assert.deepEqual(j.data, { version: 1, versionID: j.data.versionID, full: true, delete: null, insert: null, update: null, sortVersion: 0 });
                assert.match(j.data.versionID, VERSION_ID_RE);
                const again = await ok(base, path, { userID: alice, version: 1, versionID: j.data.versionID }, { token: aliceTok });
                assert.equal(again.data.full, false);
                assert.equal(again.data.versionID, j.data.versionID);
                const viaAdmin = await ok(base, path, { userID: alice, version: 0, versionID: '' }, { token: admin });
                assert.equal(viaAdmin.data.versionID, j.data.versionID, `${collection} log is per user`);
                await fails(base, path, { userID: alice, version: 0, versionID: '' }, 1002, { token: bobTok });
                await fails(base, path, { version: 0, versionID: '' }, 1001, { token: aliceTok });
            });
        }

        it('each collection has its own log', async () => {
            const f = await ok(base, '/friend/get_incremental_friends', { userID: bob }, { token: bobTok });
            const g = await ok(base, '/group/get_incremental_join_groups', { userID: bob }, { token: bobTok });
            const c = await incr(bobTok, bob);
            assert.equal(new Set([f.data.versionID, g.data.versionID, c.data.versionID]).size, 3);
        });

        for (const [path, key, collectionPath] of [
            ['/friend/get_full_friend_user_ids', 'userIDs', '/friend/get_incremental_friends'],
            ['/group/get_full_join_group_ids', 'groupIDs', '/group/get_incremental_join_groups'],
        ]) {
            it(`${path}: empty list, equal for idHash 0`, async () => {
                const j = await ok(base, path, { idHash: 0, userID: carol }, { token: carolTok });
                assert.deepEqual(Object.keys(j.data), ['version', 'versionID', 'equal', key]);
                assert.equal(j.data.equal, true);
                assert.equal(j.data[key], null);
                const inc = await ok(base, collectionPath, { userID: carol }, { token: carolTok });
                assert.equal(j.data.versionID, inc.data.versionID);
                assert.equal(j.data.version, inc.data.version);
                const other = await ok(base, path, { idHash: 12345, userID: carol }, { token: carolTok });
                assert.equal(other.data.equal, false);
                assert.deepEqual(list(other.data[key]), []);
                await fails(base, path, { idHash: 0, userID: carol }, 1002, { token: aliceTok });
                await fails(base, path, { idHash: 0 }, 1001, { token: carolTok });
            });
        }

        for (const [path, owner, listKey] of [
            ['/friend/get_friend_list', 'userID', 'friendsInfo'],
            ['/friend/get_black_list', 'userID', 'blacks'],
            ['/group/get_joined_group_list', 'fromUserID', 'groups'],
        ]) {
            it(`${path}: empty page with total 0; pagination required`, async () => {
                const j = await ok(base, path, { [owner]: alice, ...PAGE(1, 20) }, { token: aliceTok });
                assert.equal(j.data.total, 0);
                assert.deepEqual(list(j.data[listKey]), []);
                assert.deepEqual(Object.keys(j.data).sort(), [listKey, 'total'].sort());
                await fails(base, path, { [owner]: alice }, 1001, { token: aliceTok });
                await fails(base, path, { [owner]: alice, ...PAGE(0, 20) }, 1001, { token: aliceTok });
                await fails(base, path, { ...PAGE(1, 20) }, 1001, { token: aliceTok });
                await fails(base, path, { [owner]: alice, ...PAGE(1, 20) }, 1002, { token: bobTok });
                await ok(base, path, { [owner]: alice, ...PAGE(1, 20) }, { token: admin });
            });
        }

        it('/group/get_incremental_group_members_batch: empty reqList → 1001, unknown group → 1004', async () => {
            await fails(base, '/group/get_incremental_group_members_batch', { userID: alice, reqList: [] }, 1001, { token: aliceTok });
            await fails(base, '/group/get_incremental_group_members_batch', { userID: alice }, 1001, { token: aliceTok });
            await fails(base, '/group/get_incremental_group_members_batch', { userID: alice, reqList: [{ groupID: '' }] }, 1001, { token: aliceTok });
            await fails(
                base,
                '/group/get_incremental_group_members_batch',
                { userID: alice, reqList: [{ groupID: 'g_none', version: 0, versionID: '' }] },
                1004,
                { token: aliceTok },
            );
        });
    });
});
