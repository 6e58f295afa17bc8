// tern-bench's smoke run against a real ternd: a few seconds of each scenario with small counts.
// It checks what a user of the benchmark relies on: every message arrives exactly once, the
// figures are present and plausible, and a bad target is refused. The full benchmark is not here.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';

import { startTernd } from '../api/harness.mjs';

let server, wsPort;

before(async () => {
    server = await startTernd({ logLevel: 'info' });
    // the gateway's line may follow the API's
    let m = null;
    for (let i = 0; i < 100 && !m; i++) {
        m = server.logs().match(/ws listening on [^:\s]+:(\d+)/);
        if (!m) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(m, 'ternd printed no ws port:\n' + server.logs());
    wsPort = Number(m[1]);
});

after(async () => {
    await server?.stop();
});

function bench(args) {
    const bin = process.env.TERN_BENCH;
    assert.ok(bin, 'TERN_BENCH must name the tern-bench binary');
    return new Promise((resolve) => {
        const p = spawn(bin, ['--port', String(wsPort), '--api-port', String(server.port), ...args], {
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '', err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('exit', (code) => {
            let json = null;
            try {
                json = JSON.parse(out.trim().split('\n').pop());
            } catch {}
            resolve({ code, out, err, json });
        });
    });
}

test('p2p, saturated and at a fixed rate: every message once, with latencies', async () => {
    const r = await bench(['--json', '--scenario', 'p2p', '--users', '20', '--seconds', '2', '--window', '4']);
    assert.equal(r.code, 0, r.err + r.out);
    const j = r.json;
    assert.equal(j.server, 'tern');
    assert.ok(j.p2p_sent > 100, `sent ${j.p2p_sent}`);
    assert.equal(j.p2p_lost, 0);
    assert.equal(j.p2p_dup, 0);
    assert.equal(j.p2p_send_failed, 0);
    assert.ok(j.p2p_msgs_per_s > 0);
    assert.ok(j.p2p_p50_ms > 0 && j.p2p_p50_ms <= j.p2p_p99_ms && j.p2p_p99_ms <= j.p2p_max_ms);

    const f = await bench(['--json', '--scenario', 'p2p', '--users', '10', '--seconds', '2', '--rate', '200', '--codec', 'gob']);
    assert.equal(f.code, 0, f.err + f.out);
    assert.equal(f.json.p2p_fixed_lost, 0);
    assert.equal(f.json.p2p_fixed_dup, 0);
    // 200 msgs/s offered for 2 s: the pacer sends about 400
    assert.ok(f.json.p2p_fixed_sent >= 360 && f.json.p2p_fixed_sent <= 420, `sent ${f.json.p2p_fixed_sent}`);
});

test('login and idle read the server from /proc', async () => {
    const r = await bench(['--json', '--scenario', 'login,idle', '--users', '50', '--seconds', '1',
        '--server-pid', String(server.proc.pid)]);
    assert.equal(r.code, 0, r.err + r.out);
    assert.equal(r.json.login_failed, 0);
    assert.ok(r.json.logins_per_s > 0);
    assert.equal(r.json.idle_conns, 50);
    assert.equal(r.json.idle_dropped, 0);
    assert.ok(r.json.idle_rss_mib > 1, `rss ${r.json.idle_rss_mib}`);
    assert.equal(typeof r.json.idle_kib_per_conn, 'number');
});

test('login and idle spread over client processes count every connection once', async () => {
    const r = await bench(['--json', '--scenario', 'login,idle', '--users', '90', '--procs', '3',
        '--seconds', '1', '--server-pid', String(server.proc.pid)]);
    assert.equal(r.code, 0, r.err + r.out);
    assert.equal(r.json.login_procs, 3);
    assert.equal(r.json.login_failed, 0);
    assert.ok(r.json.logins_per_s > 0);
    assert.ok(r.json.login_p50_ms > 0 && r.json.login_p50_ms <= r.json.login_max_ms);
    assert.equal(r.json.idle_procs, 3);
    assert.equal(r.json.idle_conns, 90);
    assert.equal(r.json.idle_dropped, 0);
    assert.ok(r.json.idle_rss_loaded_mib >= r.json.idle_rss_mib);

    const bad = await bench(['--scenario', 'login', '--procs', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--procs must be 1 to 64/);
});

test('group fan-out and offline sync deliver everything once', async () => {
    const g = await bench(['--json', '--scenario', 'group', '--groups', '2', '--group-members', '15', '--seconds', '1', '--window', '2']);
    assert.equal(g.code, 0, g.err + g.out);
    assert.ok(g.json.group_sent > 0);
    assert.equal(g.json.group_lost, 0);
    assert.equal(g.json.group_dup, 0);

    const s = await bench(['--json', '--scenario', 'sync', '--sync-messages', '600']);
    assert.equal(s.code, 0, s.err + s.out);
    assert.equal(s.json.sync_received, 600);
    assert.equal(s.json.sync_dup, 0);
    assert.ok(s.json.sync_s > 0);
});

test('ternd stops cleanly while messages are in flight', async () => {
    // its own server: SIGTERM lands in the middle of a saturated run
    const own = await startTernd({ logLevel: 'info' });
    let m = null;
    for (let i = 0; i < 100 && !m; i++) {
        m = own.logs().match(/ws listening on [^:\s]+:(\d+)/);
        if (!m) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(m, own.logs());
    const p = spawn(process.env.TERN_BENCH, ['--port', m[1], '--api-port', String(own.port), '--json',
        '--scenario', 'p2p', '--users', '40', '--seconds', '4', '--window', '8'], { stdio: 'ignore' });
    const benchDone = new Promise((resolve) => p.on('exit', resolve));
    // well into the sending phase: logins take a fraction of a second here
    await new Promise((r) => setTimeout(r, 1500));
    await own.stop(); // exit code 0, no sanitizer report (leaks included)
    p.kill('SIGKILL');
    await benchDone;
});

test('a target that is not on this machine is refused', async () => {
    const r = await bench(['--host', '10.1.2.3', '--scenario', 'login']);
    assert.equal(r.code, 2);
    assert.match(r.err, /not a loopback address/);
});
