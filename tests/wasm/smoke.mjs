// Harness self-check without ternd: loads the SDK in Chromium and calls login() against a
// WebSocket address where nothing listens. The SDK must load, resolve login() and sit in
// OnConnecting / OnConnectFailed. Run: node tests/wasm/smoke.mjs   (prints the page log)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { CHROMIUM, SdkUser, checkInstall, describeWsFrame, launchChromium, startStatic } from './lib.mjs';

// The gob example from openim-protocol.md §4.5.2 (a Go SDK GetNewestSeq request), to check the
// frame decoder used in the logs.
const example = Buffer.from(
    '66ff810301010c47656e6572616c57735265710 1ff8200 0106 010d 526571 4964656e746966696572 0104 00 0105 546f6b656e 010c 00 0106 53656e644944 010c 00 010b 4f7065726174696f6e4944 010c 00 0107 4d7367496e6372 010c 00 0104 44617461 010a 00 0000 1cff8201fe07d2020275310103 6f7031 0104 75315f31 0104 0a027531 00'.replace(
        /\s/g,
        '',
    ),
    'hex',
);
const d = describeWsFrame(example);
assert.match(d, /GeneralWsReq\{ReqIdentifier=1001 SendID="u1" OperationID="op1" MsgIncr="u1_1"\} Data\(4B\)=\{1:"u1"\}/, d);

if (!fs.existsSync(CHROMIUM)) {
    console.log(`${CHROMIUM} is absent (apt-get install chromium)`);
    process.exit(0);
}
checkInstall();

const deadPort = await new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
    });
});

const isolate = process.env.WASM_NO_ISOLATION ? false : true;
const st = await startStatic({ isolate });
const browser = await launchChromium();
const u = new SdkUser('probe', { apiBase: `http://127.0.0.1:${deadPort}` });
let failed = false;
try {
    const t = Date.now();
    await u.open(browser, st.base);
    const isolated = await u.page.evaluate(() => self.crossOriginIsolated);
    u.note(`crossOriginIsolated=${isolated}`);
    const r = await u.login({
        userID: 'probe',
        token: 'x.y.z',
        apiAddr: `http://127.0.0.1:${deadPort}`,
        wsAddr: `ws://127.0.0.1:${deadPort}`,
    });
    if (!r.ok) throw new Error(`login rejected: ${JSON.stringify(r.error)}`);
    u.note(`login resolved with ${JSON.stringify(r.value)} after ${Date.now() - t} ms`);
    await u.waitEvent('OnConnecting', () => true, 20000);
    await u.waitEvent('OnConnectFailed', () => true, 20000).catch((e) => u.note(String(e)));
    u.note(`static requests: ${st.requests.join(', ')}`);
} catch (e) {
    failed = true;
    u.note(`FAILED: ${e.stack || e}`);
} finally {
    console.log(u.dump(2000));
    await u.close();
    await browser.close();
    await st.close();
}
process.exit(failed ? 1 : 0);
