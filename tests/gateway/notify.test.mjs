// Conversation-change notifications over the gateway: set_conversations tells the owner's devices
// (1300) and, for private chat, both sides (1701) — pushed, not stored, as OpenIM's defaults.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { ok } from '../api/harness.mjs';
import { siID, startEnv } from './client.mjs';

let env;
before(async () => {
    env = await startEnv();
    await env.register('nt1', 'nt2');
});
after(async () => env.server.stop());

const tipsOf = (m) => JSON.parse(JSON.parse(Buffer.from(m.content).toString()).detail);

test('set_conversations pushes 1300 to the owner and 1701 to both sides of a private chat', async () => {
    const a = await env.connect('nt1', { platformID: 5 });
    const a2 = await env.connect('nt1', { platformID: 3, codec: 'gob' });
    const b = await env.connect('nt2', { platformID: 2 });
    const cid = siID('nt1', 'nt2');
    await ok(env.base, '/conversation/set_conversations',
        { userIDs: ['nt1'], conversation: { conversationID: cid, conversationType: 1, userID: 'nt2', isPinned: true } }, { token: env.admin });
    for (const c of [a, a2]) {
        const [p] = await c.waitPushedMsgs((x) => x.msg.contentType === 1300);
        assert.equal(p.notification, true);
        assert.equal(p.msg.seq ?? 0, 0, 'push-only notification was stored');
        assert.deepEqual(tipsOf(p.msg), { userID: 'nt1', conversationIDList: [cid] });
    }
    assert.equal(b.pushedMsgs().filter((x) => x.msg.contentType === 1300).length, 0, 'another user told');

    await ok(env.base, '/conversation/set_conversations',
        { userIDs: ['nt1'], conversation: { conversationID: cid, conversationType: 1, userID: 'nt2', isPrivateChat: true } }, { token: env.admin });
    for (const c of [a, b]) {
        const [p] = await c.waitPushedMsgs((x) => x.msg.contentType === 1701);
        assert.deepEqual(tipsOf(p.msg), { recvID: 'nt2', sendID: 'nt1', isPrivate: true, conversationID: cid });
    }
    // nothing was stored: no notification conversation has a seq
    const seqs = await ok(env.base, '/msg/newest_seq', { userID: 'nt1' }, { token: env.admin });
    assert.equal(seqs.data.maxSeqs['n_nt1_nt1'] ?? 0, 0);
    assert.equal(seqs.data.maxSeqs['n_nt1_nt2'] ?? 0, 0);
    for (const c of [a, a2, b]) await c.close();
});

test('a profile update pushes 1303 to the user\'s devices', async () => {
    const a = await env.connect('nt1', { platformID: 5 });
    await ok(env.base, '/user/update_user_info_ex', { userInfo: { userID: 'nt1', nickname: 'New Name' } }, { token: env.admin });
    const [p] = await a.waitPushedMsgs((x) => x.msg.contentType === 1303);
    assert.deepEqual(tipsOf(p.msg), { userID: 'nt1' });
    assert.equal(p.msg.recvID, 'nt1');
    await a.close();
});
