// Read state with the real JS SDK: B reads A's messages; A's SDK gets the read receipt and B's
// unread count drops to zero, as a chat app's "read" ticks and badges show.
import assert from 'node:assert/strict';
import test from 'node:test';
import { CbEvents, PLATFORM_WEB, makeUsers, online, singleConvID, startServer, uid, until } from './lib.mjs';

test('B marks the conversation read: A gets OnRecvC2CReadReceipt, B has 0 unread', { timeout: 60000 }, async () => {
    const server = await startServer();
    const a = uid('a');
    const b = uid('b');
    const tokens = await makeUsers(server, [a, b], PLATFORM_WEB);
    const ca = await online(server, a, tokens[a]);
    const cb = await online(server, b, tokens[b]);
    const conv = singleConvID(a, b);
    const sinceB = cb.mark();
    const ids = [];
    for (const text of ['one', 'two']) ids.push((await ca.sendText(b, text)).created.clientMsgID);
    await until(() => ids.every((id) => cb.received(sinceB).some((m) => m.clientMsgID === id)), 10000, 'B got both', () => cb.diag());
    const unreadBefore = await until(async () => {
        const cv = (await cb.conversations()).find((x) => x.conversationID === conv);
        return cv && cv.unreadCount === 2 && cv;
    }, 5000, "B's conversation shows 2 unread", () => cb.diag());
    assert.equal(unreadBefore.unreadCount, 2);

    const sinceA = ca.mark();
    await cb.call('markConversationMessageAsRead', conv);
    const receipt = await ca.waitEvent(CbEvents.OnRecvC2CReadReceipt, () => true, { since: sinceA, timeoutMs: 10000 });
    const list = JSON.stringify(receipt.data);
    for (const id of ids) assert.ok(list.includes(id), `the receipt names ${id}: ${list}`);
    await until(async () => {
        const cv = (await cb.conversations()).find((x) => x.conversationID === conv);
        return cv && cv.unreadCount === 0;
    }, 5000, "B's conversation shows 0 unread after reading", () => cb.diag());
    assert.equal(await cb.call('getTotalUnreadMsgCount'), 0);

    await ca.close();
    await cb.close();
    await server.stop();
});
