// The ternd process: command line, config file (INI key = value), TERN_* environment, precedence
// flag > env > file > default, and clean shutdown on SIGTERM.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
    startTernd,
    runTernd,
    api,
    ok,
    fails,
    adminToken,
    freePort,
    mkTmpDir,
    assertNoSanitizerReport,
    DEFAULT_SECRET,
    ADMIN_ID,
} from './harness.mjs';

function writeConfig(text) {
    const dir = mkTmpDir('cfg-');
    const p = path.join(dir, 'ternd.ini');
    fs.writeFileSync(p, text);
    return p;
}

// Runs ternd expecting a start-up failure; returns its combined output.
async function expectStartFailure(args, env = {}) {
    const dataDir = mkTmpDir('fail-');
    const r = await runTernd(['--data-dir', dataDir, '--api-port', '0', '--ws-port', '0', ...args], { env });
    assert.notEqual(r.code, 0, `ternd ${args.join(' ')} should fail; stdout ${r.stdout} stderr ${r.stderr}`);
    assert.equal(r.signal, null, `ternd died by signal ${r.signal}: ${r.stderr}`);
    assertNoSanitizerReport(r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout + r.stderr, /api listening on/);
    return r.stderr + r.stdout;
}

async function secretWorks(base, secret) {
    const r = await api(base, '/auth/get_admin_token', { secret, userID: ADMIN_ID });
    return r.json?.errCode === 0;
}

describe('process', () => {
    describe('command line', () => {
        it('--help exits 0 and documents --api-port', async () => {
            const r = await runTernd(['--help']);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /--api-port/);
            assert.match(r.stdout, /--data-dir/);
            assert.match(r.stdout, /--secret/);
            assertNoSanitizerReport(r.stderr);
        });

        it('-h is --help', async () => {
            const r = await runTernd(['-h']);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /--api-port/);
        });

        it('--version exits 0 and prints a version', async () => {
            const r = await runTernd(['--version']);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /ternd/i);
            assert.ok(r.stdout.trim().length > 0);
            assertNoSanitizerReport(r.stderr);
        });

        it('--help wins even with other flags and does not start a server', async () => {
            const r = await runTernd(['--api-port', '0', '--help']);
            assert.equal(r.code, 0);
            assert.doesNotMatch(r.stdout + r.stderr, /api listening on/);
        });

        it('an unknown flag exits non-zero naming it', async () => {
            const out = await expectStartFailure(['--bogus-flag', '1']);
            assert.match(out, /--bogus-flag/);
        });

        it('an unknown short flag or stray argument exits non-zero', async () => {
            assert.match(await expectStartFailure(['-Q']), /-Q/);
            assert.match(await expectStartFailure(['stray']), /stray/);
        });

        it('a flag without its value exits non-zero naming it', async () => {
            const r = await runTernd(['--data-dir', mkTmpDir('fail-'), '--secret']);
            assert.notEqual(r.code, 0);
            assert.match(r.stderr + r.stdout, /--secret/);
        });

        it('bad values exit non-zero naming the flag', async () => {
            assert.match(await expectStartFailure(['--api-port', 'abc']), /api-port/);
            assert.match(await expectStartFailure(['--api-port', '70000']), /api-port/);
            assert.match(await expectStartFailure(['--multi-login-policy', '2']), /multi-login-policy/);
            assert.match(await expectStartFailure(['--log-level', 'loud']), /log-level/);
            assert.match(await expectStartFailure(['--max-body-bytes', '12Q']), /max-body-bytes/);
            assert.match(await expectStartFailure(['--listen-ip', 'not-an-ip']), /listen-ip/);
        });

        it('--flag=value form works', async () => {
            const s = await startTernd({ apiPort: null, secret: null, extraArgs: ['--api-port=0', '--secret=eqsecret'] });
            try {
                assert.ok(await secretWorks(s.base, 'eqsecret'));
            } finally {
                await s.stop();
            }
        });

        it('--listen-ip 127.0.0.1 is reported in the listening line', async () => {
            const s = await startTernd({ extraArgs: ['--listen-ip', '127.0.0.1'] });
            try {
                assert.match(s.logs(), /api listening on 127\.0\.0\.1:\d+/);
                await adminToken(s.base);
            } finally {
                await s.stop();
            }
        });

        it('--admin-user-ids: every listed ID is an admin and exists as a user', async () => {
            const s = await startTernd({ extraArgs: ['--admin-user-ids', 'boss,imAdmin'] });
            try {
                const boss = await ok(s.base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: 'boss' });
                const t = boss.data.token;
                const u = await ok(s.base, '/user/get_users_info', { userIDs: ['boss'] }, { token: t });
                assert.equal(u.data.usersInfo[0]?.userID, 'boss');
                assert.equal(u.data.usersInfo[0].nickname, 'boss');
                assert.equal(u.data.usersInfo[0].appMangerLevel, 3);
                await ok(s.base, '/user/account_check', { checkUserIDs: ['boss'] }, { token: t });
                await adminToken(s.base);
            } finally {
                await s.stop();
            }
        });
        it('--admin-user-ids without imAdmin: imAdmin is no admin', async () => {
            const s = await startTernd({ extraArgs: ['--admin-user-ids', 'chief'] });
            try {
                await fails(s.base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID }, 1001);
                await ok(s.base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: 'chief' });
            } finally {
                await s.stop();
            }
        });

        it('--admin-user-ids with an invalid ID fails naming the flag', async () => {
            assert.match(await expectStartFailure(['--admin-user-ids', 'a:b']), /admin-user-ids/);
        });
    });

    describe('config file and environment', () => {
        it('a config file with an unknown key fails, naming the key and the line', async () => {
            const p = writeConfig('# ternd test config\nlog_level = debug\nbogus_key = 1\n');
            const out = await expectStartFailure(['--config', p]);
            assert.match(out, /bogus_key/);
            assert.match(out, /line 3\b|:3\b/);
        });

        it('a config file with a bad value fails, naming the key and the line', async () => {
            const p = writeConfig('log_level = debug\n\nmulti_login_policy = 3\n');
            const out = await expectStartFailure(['-c', p]);
            assert.match(out, /multi_login_policy/);
            assert.match(out, /line 3\b|:3\b/);
        });

        it('a missing config file fails naming it', async () => {
            const p = path.join(mkTmpDir('cfg-'), 'missing.ini');
            const out = await expectStartFailure(['--config', p]);
            assert.ok(out.includes(p), out);
        });

        it('an unknown TERN_* variable fails naming it', async () => {
            const out = await expectStartFailure([], { TERN_BOGUS_SETTING: '1' });
            assert.match(out, /TERN_BOGUS_SETTING/);
        });

        it('a bad TERN_* value fails naming the variable', async () => {
            const out = await expectStartFailure([], { TERN_MULTI_LOGIN_POLICY: 'x' });
            assert.match(out, /TERN_MULTI_LOGIN_POLICY/);
        });

        it('settings come from the config file (key = value, comments)', async () => {
            const port = await freePort();
            const p = writeConfig(`; comment\n# another\napi_port = ${port}\nsecret = filesecret\nmax_body_bytes = 4K\n`);
            const s = await startTernd({ apiPort: null, secret: null, extraArgs: ['--config', p] });
            try {
                assert.equal(s.port, port);
                assert.ok(await secretWorks(s.base, 'filesecret'));
                assert.ok(!(await secretWorks(s.base, DEFAULT_SECRET)));
                const big = await api(s.base, '/auth/get_admin_token', { secret: 'filesecret', userID: ADMIN_ID, pad: 'x'.repeat(8192) });
                assert.equal(big.json?.errCode, 1001, big.text);
            } finally {
                await s.stop();
            }
        });

        it('TERN_API_PORT and TERN_SECRET are read from the environment', async () => {
            const port = await freePort();
            const s = await startTernd({ apiPort: null, secret: null, env: { TERN_API_PORT: String(port), TERN_SECRET: 'envsecret' } });
            try {
                assert.equal(s.port, port);
                assert.ok(await secretWorks(s.base, 'envsecret'));
            } finally {
                await s.stop();
            }
        });

        it('precedence: env beats file', async () => {
            const filePort = await freePort();
            const envPort = await freePort();
            const p = writeConfig(`api_port = ${filePort}\nsecret = filesecret\n`);
            const s = await startTernd({
                apiPort: null,
                secret: null,
                extraArgs: ['--config', p],
                env: { TERN_API_PORT: String(envPort), TERN_SECRET: 'envsecret' },
            });
            try {
                assert.equal(s.port, envPort);
                assert.ok(await secretWorks(s.base, 'envsecret'));
                assert.ok(!(await secretWorks(s.base, 'filesecret')));
            } finally {
                await s.stop();
            }
        });

        it('precedence: flag beats env and file', async () => {
            const filePort = await freePort();
            const envPort = await freePort();
            const p = writeConfig(`api_port = ${filePort}\nsecret = filesecret\n`);
            const s = await startTernd({
                apiPort: 0,
                secret: 'flagsecret',
                extraArgs: ['--config', p],
                env: { TERN_API_PORT: String(envPort), TERN_SECRET: 'envsecret' },
            });
            try {
                assert.notEqual(s.port, envPort);
                assert.notEqual(s.port, filePort);
                assert.ok(await secretWorks(s.base, 'flagsecret'));
                assert.ok(!(await secretWorks(s.base, 'envsecret')));
                assert.ok(!(await secretWorks(s.base, 'filesecret')));
            } finally {
                await s.stop();
            }
        });

        it('precedence holds whatever the order of --config among the flags', async () => {
            const p = writeConfig('secret = filesecret\n');
            const s = await startTernd({ secret: null, extraArgs: ['--secret', 'flagsecret', '--config', p] });
            try {
                assert.ok(await secretWorks(s.base, 'flagsecret'));
                assert.ok(!(await secretWorks(s.base, 'filesecret')));
            } finally {
                await s.stop();
            }
        });

        it('TERN_DATA_DIR selects the data dir', async () => {
            const dir = mkTmpDir('envdata-');
            const a = await startTernd({ dataDir: dir });
            const at = await adminToken(a.base);
            await ok(a.base, '/user/user_register', { users: [{ userID: 'env_dir_user', nickname: 'x' }] }, { token: at });
            await a.stop();
            // start without --data-dir, with TERN_DATA_DIR
            const s = await startTernd({ dataDir: dir, passDataDir: false, env: { TERN_DATA_DIR: dir } });
            try {
                const t = await adminToken(s.base);
                const j = await ok(s.base, '/user/account_check', { checkUserIDs: ['env_dir_user'] }, { token: t });
                assert.equal(j.data.results[0].accountStatus, 1);
            } finally {
                await s.stop();
            }
        });
    });

    describe('shutdown', () => {
        it('SIGTERM while idle exits 0 without sanitizer reports', async () => {
            const s = await startTernd();
            await adminToken(s.base);
            await s.stop();
        });

        it('SIGTERM right after start exits 0', async () => {
            const s = await startTernd();
            await s.stop();
        });

        it('SIGTERM with an idle keep-alive connection and a half-sent request open exits 0 promptly', async () => {
            const s = await startTernd();
            await adminToken(s.base);
            const idle = net.connect(s.port, '127.0.0.1');
            const half = net.connect(s.port, '127.0.0.1');
            await Promise.all([new Promise((r) => idle.on('connect', r)), new Promise((r) => half.on('connect', r))]);
            idle.on('error', () => {});
            half.on('error', () => {});
            half.write('POST /auth/get_admin_token HTTP/1.1\r\nHost: x\r\noperationID: half\r\nContent-Length: 100\r\n\r\n{"sec');
            await new Promise((r) => setTimeout(r, 100));
            const t0 = Date.now();
            try {
                await s.stop();
            } finally {
                idle.destroy();
                half.destroy();
            }
            assert.ok(Date.now() - t0 < 10000);
        });

        it('after SIGTERM the port is released: a new ternd can bind it', async () => {
            const port = await freePort();
            const a = await startTernd({ apiPort: port });
            assert.equal(a.port, port);
            await a.stop();
            const b = await startTernd({ apiPort: port });
            try {
                assert.equal(b.port, port);
                await adminToken(b.base);
            } finally {
                await b.stop();
            }
        });

        it('a port already in use makes start-up fail with a message', async () => {
            const blocker = net.createServer();
            await new Promise((r) => blocker.listen(0, '0.0.0.0', r));
            const port = blocker.address().port;
            try {
                const dataDir = mkTmpDir('busy-');
                const r = await runTernd(['--data-dir', dataDir, '--api-port', String(port), '--ws-port', '0']);
                assert.notEqual(r.code, 0);
                assertNoSanitizerReport(r.stderr);
                assert.match(r.stderr + r.stdout, new RegExp(`${port}|in use|EADDRINUSE`, 'i'));
            } finally {
                blocker.close();
            }
        });

        it('repeated start/stop cycles on one data dir stay clean', async () => {
            const dir = mkTmpDir('cycle-');
            for (let i = 0; i < 3; i++) {
                const s = await startTernd({ dataDir: dir });
                const t = await adminToken(s.base);
                await fails(s.base, '/user/user_register', { users: [] }, 1001, { token: t });
                await s.stop();
            }
        });
    });
});
