// /auth routes (openim-rest.md §3) and tokens (openim-protocol.md §3): JWT format, token errors,
// token store, force_logout, multi-login policies at issuance, custom secret.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    startTernd,
    api,
    ok,
    fails,
    adminToken,
    register,
    userToken,
    forgeToken,
    decodeJwt,
    jwtSignatureValid,
    b64url,
    uid,
    nowSec,
    DEFAULT_SECRET,
    ADMIN_ID,
    EXPIRE_SECONDS,
} from './harness.mjs';

// errCode a token gets on a protected route and from parse_token
async function tokenState(base, token) {
    const a = await api(base, '/user/get_users_info', { userIDs: [ADMIN_ID] }, { token });
    const b = await api(base, '/auth/parse_token', { token });
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(a.json.errCode, b.json.errCode, `protected route says ${a.text}, parse_token says ${b.text}`);
    return a.json.errCode;
}

describe('auth', () => {
    let srv;
    let base;
    let admin;

    before(async () => {
        srv = await startTernd();
        base = srv.base;
        admin = await adminToken(base);
    });
    after(async () => {
        await srv?.stop();
    });

    describe('get_admin_token', () => {
        it('wrong secret → 1002', async () => {
            const j = await fails(base, '/auth/get_admin_token', { secret: 'wrong', userID: ADMIN_ID }, 1002);
            assert.equal(j.errMsg, 'NoPermissionError');
        });

        it('empty secret → error, no token', async () => {
            const r = await api(base, '/auth/get_admin_token', { secret: '', userID: ADMIN_ID });
            assert.ok([1001, 1002].includes(r.json?.errCode), r.text);
            assert.ok(!('data' in r.json));
        });

        it('non-admin userID → 1001', async () => {
            const u = uid('plain');
            await register(base, admin, [u]);
            await fails(base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: u }, 1001);
            await fails(base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: 'nobody_at_all' }, 1001);
        });

        it('wrong secret is checked before the userID', async () => {
            await fails(base, '/auth/get_admin_token', { secret: 'nope', userID: 'not_admin' }, 1002);
        });

        it('success: HS256 JWT with claims UserID, PlatformID=10, exp, iat (in that order)', async () => {
            const before = nowSec();
            const j = await ok(base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID });
            const after = nowSec();
            assert.deepEqual(Object.keys(j.data).sort(), ['expireTimeSeconds', 'token']);
            assert.equal(j.data.expireTimeSeconds, EXPIRE_SECONDS);
            const d = decodeJwt(j.data.token);
            assert.deepEqual(d.header, { alg: 'HS256', typ: 'JWT' });
            assert.deepEqual(Object.keys(d.claims), ['UserID', 'PlatformID', 'exp', 'iat']);
            assert.equal(d.claims.UserID, ADMIN_ID);
            assert.equal(d.claims.PlatformID, 10);
            assert.ok(Number.isInteger(d.claims.exp) && Number.isInteger(d.claims.iat));
            assert.ok(d.claims.iat >= before - 6 && d.claims.iat <= after - 4, `iat ${d.claims.iat} not now-5 (${before})`);
            assert.ok(Math.abs(d.claims.exp - (d.claims.iat + 5 + EXPIRE_SECONDS)) <= 1, `exp ${d.claims.exp}`);
            assert.ok(jwtSignatureValid(j.data.token, DEFAULT_SECRET), 'signature does not verify with the secret');
            assert.ok(!/=/.test(j.data.token), 'base64url must not be padded');
        });

        it('admin token works on admin routes and parses as platform 10', async () => {
            const t = await adminToken(base);
            const p = await ok(base, '/auth/parse_token', { token: t });
            assert.equal(p.data.userID, ADMIN_ID);
            assert.equal(p.data.platformID, 10);
            assert.equal(p.data.expireTimeSeconds, decodeJwt(t).claims.exp);
            await ok(base, '/user/account_check', { checkUserIDs: [ADMIN_ID] }, { token: t });
        });

        it('several admin tokens are all valid at once (admin tokens are never kicked)', async () => {
            const t1 = await adminToken(base);
            await new Promise((r) => setTimeout(r, 1100)); // different iat → different token
            const t2 = await adminToken(base);
            assert.notEqual(t1, t2);
            assert.equal(await tokenState(base, t1), 0);
            assert.equal(await tokenState(base, t2), 0);
        });

        it('the imAdmin account exists as a user (appMangerLevel 3)', async () => {
            const j = await ok(base, '/user/get_users_info', { userIDs: [ADMIN_ID] }, { token: admin });
            assert.equal(j.data.usersInfo.length, 1);
            assert.equal(j.data.usersInfo[0].userID, ADMIN_ID);
            assert.equal(j.data.usersInfo[0].nickname, ADMIN_ID);
            assert.equal(j.data.usersInfo[0].appMangerLevel, 3);
        });
    });

    describe('get_user_token', () => {
        let u;
        before(async () => {
            u = uid('gut');
            await register(base, admin, [u]);
        });

        it('a user token may not call it → 1002', async () => {
            const t = await userToken(base, admin, u, 1);
            await fails(base, '/auth/get_user_token', { userID: u, platformID: 2 }, 1002, { token: t });
        });

        it('platformID 10 (Admin) → 1002', async () => {
            await fails(base, '/auth/get_user_token', { userID: u, platformID: 10 }, 1002, { token: admin });
        });

        it('unknown user → 1004', async () => {
            const j = await fails(base, '/auth/get_user_token', { userID: 'no_such_user_x', platformID: 1 }, 1004, { token: admin });
            assert.equal(j.errMsg, 'RecordNotFoundError');
        });

        it('admin ID as target → 1002', async () => {
            await fails(base, '/auth/get_user_token', { userID: ADMIN_ID, platformID: 1 }, 1002, { token: admin });
        });

        it('notification/robot account (appMangerLevel ≥ 3) → 1001', async () => {
            const n = uid('notif');
            const r = uid('robot');
            await register(base, admin, [
                { userID: n, nickname: 'N', appMangerLevel: 3 },
                { userID: r, nickname: 'R', appMangerLevel: 4 },
            ]);
            await fails(base, '/auth/get_user_token', { userID: n, platformID: 1 }, 1001, { token: admin });
            await fails(base, '/auth/get_user_token', { userID: r, platformID: 1 }, 1001, { token: admin });
        });

        it('missing userID → 1001', async () => {
            await fails(base, '/auth/get_user_token', { platformID: 1 }, 1001, { token: admin });
        });

        it('success: JWT for (userID, platformID), expireTimeSeconds = 90 days', async () => {
            for (const platformID of [1, 2, 3, 5, 9]) {
                const before = nowSec();
                const j = await ok(base, '/auth/get_user_token', { userID: u, platformID }, { token: admin });
                assert.deepEqual(Object.keys(j.data).sort(), ['expireTimeSeconds', 'token']);
                assert.equal(j.data.expireTimeSeconds, EXPIRE_SECONDS);
                const d = decodeJwt(j.data.token);
                assert.deepEqual(d.header, { alg: 'HS256', typ: 'JWT' });
                assert.deepEqual(Object.keys(d.claims), ['UserID', 'PlatformID', 'exp', 'iat']);
                assert.equal(d.claims.UserID, u);
                assert.equal(d.claims.PlatformID, platformID);
                assert.ok(Math.abs(d.claims.iat - (before - 5)) <= 2, `iat ${d.claims.iat} vs now ${before}`);
                assert.ok(Math.abs(d.claims.exp - (d.claims.iat + 5 + EXPIRE_SECONDS)) <= 1);
                assert.ok(jwtSignatureValid(j.data.token, DEFAULT_SECRET));
                // the token is usable on a protected route, as that user
                const me = await ok(base, '/user/get_users_info', { userIDs: [u] }, { token: j.data.token });
                assert.equal(me.data.usersInfo[0].userID, u);
            }
        });

        it('platform 11 (HarmonyOS) is accepted', async () => {
            const t = await userToken(base, admin, u, 11);
            assert.equal(decodeJwt(t).claims.PlatformID, 11);
            assert.equal(await tokenState(base, t), 0);
        });

        it('a user token is not admin: admin-only routes → 1002', async () => {
            const t = await userToken(base, admin, u, 7);
            await fails(base, '/user/account_check', { checkUserIDs: [u] }, 1002, { token: t });
            await fails(base, '/auth/force_logout', { userID: u, platformID: 1 }, 1002, { token: t });
        });
    });

    describe('parse_token and token errors', () => {
        let u;
        let tok;
        before(async () => {
            u = uid('pt');
            await register(base, admin, [u]);
            tok = await userToken(base, admin, u, 2);
        });

        it('returns userID, platformID and the absolute exp; no token header needed', async () => {
            const j = await ok(base, '/auth/parse_token', { token: tok });
            assert.deepEqual(Object.keys(j.data).sort(), ['expireTimeSeconds', 'platformID', 'userID']);
            assert.equal(j.data.userID, u);
            assert.equal(j.data.platformID, 2);
            assert.equal(j.data.expireTimeSeconds, decodeJwt(tok).claims.exp);
            assert.ok(j.data.expireTimeSeconds > nowSec() + EXPIRE_SECONDS - 60);
        });

        it('also works when a (different) token header is present', async () => {
            const j = await ok(base, '/auth/parse_token', { token: tok }, { token: admin });
            assert.equal(j.data.userID, u);
        });

        it('garbage → 1503', async () => {
            const j = await fails(base, '/auth/parse_token', { token: 'garbage' }, 1503);
            assert.equal(j.errMsg, 'TokenMalformedError');
            await fails(base, '/auth/parse_token', { token: 'a.b' }, 1503);
            await fails(base, '/auth/parse_token', { token: '!!!.@@@.###' }, 1503);
        });

        it('expired (forged, right secret) → 1501', async () => {
            const t = forgeToken(DEFAULT_SECRET, { UserID: u, PlatformID: 2, exp: nowSec() - 60, iat: nowSec() - 3600 });
            const j = await fails(base, '/auth/parse_token', { token: t }, 1501);
            assert.equal(j.errMsg, 'TokenExpiredError');
        });

        it('iat in the future → 1505', async () => {
            const t = forgeToken(DEFAULT_SECRET, { UserID: u, PlatformID: 2, iat: nowSec() + 3600 });
            await fails(base, '/auth/parse_token', { token: t }, 1505);
        });

        it('wrong secret → 1505', async () => {
            const t = forgeToken('not-the-secret', { UserID: u, PlatformID: 2 });
            await fails(base, '/auth/parse_token', { token: t }, 1505);
        });

        it('tampered claims (signature of other claims) → 1505', async () => {
            const d = decodeJwt(tok);
            const claims = JSON.parse(d.rawClaims);
            claims.PlatformID = 3;
            const t = `${tok.split('.')[0]}.${b64url(JSON.stringify(claims))}.${d.signature}`;
            await fails(base, '/auth/parse_token', { token: t }, 1505);
        });

        it('alg "none" → 1505', async () => {
            const h = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
            const c = b64url(JSON.stringify({ UserID: u, PlatformID: 2, exp: nowSec() + 3600, iat: nowSec() - 5 }));
            await fails(base, '/auth/parse_token', { token: `${h}.${c}.` }, 1505);
        });

        it('valid signature but never issued → 1507', async () => {
            // platform with no tokens at all for this user
            const t1 = forgeToken(DEFAULT_SECRET, { UserID: u, PlatformID: 4 });
            const j = await fails(base, '/auth/parse_token', { token: t1 }, 1507);
            assert.equal(j.errMsg, 'TokenNotExistError');
            // platform that has an issued token, but not this one
            const t2 = forgeToken(DEFAULT_SECRET, { UserID: u, PlatformID: 2, iat: nowSec() - 100 });
            await fails(base, '/auth/parse_token', { token: t2 }, 1507);
            // user that does not exist
            const t3 = forgeToken(DEFAULT_SECRET, { UserID: 'ghost_user', PlatformID: 1 });
            await fails(base, '/auth/parse_token', { token: t3 }, 1507);
        });

        it('the same errors come from the token middleware on a protected route', async () => {
            const cases = [
                ['garbage', 1503],
                [forgeToken(DEFAULT_SECRET, { UserID: u, PlatformID: 2, exp: nowSec() - 60, iat: nowSec() - 3600 }), 1501],
                [forgeToken(DEFAULT_SECRET, { UserID: u, PlatformID: 2, iat: nowSec() + 3600 }), 1505],
                [forgeToken('bad-secret', { UserID: u, PlatformID: 2 }), 1505],
                [forgeToken(DEFAULT_SECRET, { UserID: u, PlatformID: 4 }), 1507],
            ];
            for (const [t, code] of cases) {
                await fails(base, '/user/get_users_info', { userIDs: [u] }, code, { token: t });
                await fails(base, '/user/get_all_users_uid', { pagination: { pageNumber: 1, showNumber: 10 } }, code, { token: t });
            }
        });

        it('a forged admin token with a valid signature is accepted (admin tokens are not stored)', async () => {
            const t = forgeToken(DEFAULT_SECRET, { UserID: ADMIN_ID, PlatformID: 10 });
            await ok(base, '/user/account_check', { checkUserIDs: [u] }, { token: t });
            const p = await ok(base, '/auth/parse_token', { token: t });
            assert.equal(p.data.userID, ADMIN_ID);
            assert.equal(p.data.platformID, 10);
        });

        it('an expired admin token → 1501', async () => {
            const t = forgeToken(DEFAULT_SECRET, { UserID: ADMIN_ID, PlatformID: 10, exp: nowSec() - 1, iat: nowSec() - 100 });
            await fails(base, '/user/account_check', { checkUserIDs: [u] }, 1501, { token: t });
        });
    });

    describe('force_logout', () => {
        it('admin only → a user token gets 1002', async () => {
            const u = uid('fl');
            await register(base, admin, [u]);
            const t = await userToken(base, admin, u, 1);
            await fails(base, '/auth/force_logout', { userID: u, platformID: 1 }, 1002, { token: t });
            assert.equal(await tokenState(base, t), 0);
        });

        it('platformID out of 1..10 or missing userID → 1001', async () => {
            const u = uid('fl');
            await register(base, admin, [u]);
            await fails(base, '/auth/force_logout', { userID: u, platformID: 0 }, 1001, { token: admin });
            await fails(base, '/auth/force_logout', { userID: u, platformID: 11 }, 1001, { token: admin });
            await fails(base, '/auth/force_logout', { userID: u }, 1001, { token: admin });
            await fails(base, '/auth/force_logout', { platformID: 1 }, 1001, { token: admin });
        });

        it('kicks the tokens of that platform (1506), other platforms keep working', async () => {
            const u = uid('fl');
            await register(base, admin, [u]);
            const web = await userToken(base, admin, u, 5);
            const ios = await userToken(base, admin, u, 1);
            const r = await api(base, '/auth/force_logout', { userID: u, platformID: 1 }, { token: admin });
            assert.deepEqual(r.json, { errCode: 0, errMsg: '', errDlt: '' });
            const j = await fails(base, '/user/get_users_info', { userIDs: [u] }, 1506, { token: ios });
            assert.equal(j.errMsg, 'TokenKickedError');
            await fails(base, '/auth/parse_token', { token: ios }, 1506);
            assert.equal(await tokenState(base, web), 0);
            // a new login on the kicked platform works; the kicked entry is cleaned out (1507)
            await new Promise((r) => setTimeout(r, 1100)); // different iat → different token
            const ios2 = await userToken(base, admin, u, 1);
            assert.equal(await tokenState(base, ios2), 0);
            assert.equal(await tokenState(base, ios), 1507);
            assert.equal(await tokenState(base, web), 0);
        });

        it('for a platform without tokens it succeeds and changes nothing', async () => {
            const u = uid('fl');
            await register(base, admin, [u]);
            const t = await userToken(base, admin, u, 3);
            await ok(base, '/auth/force_logout', { userID: u, platformID: 4 }, { token: admin });
            assert.equal(await tokenState(base, t), 0);
        });
    });

    describe('multi-login policy 1 (default): one token per platform ID', () => {
        it('a second token on the same platform kicks the first; other platforms stay valid', async () => {
            const u = uid('ml1');
            await register(base, admin, [u]);
            const android = await userToken(base, admin, u, 2);
            const ios1 = await userToken(base, admin, u, 1);
            await new Promise((r) => setTimeout(r, 1100)); // different iat
            const ios2 = await userToken(base, admin, u, 1);
            assert.notEqual(ios1, ios2);
            assert.equal(await tokenState(base, ios1), 1506);
            assert.equal(await tokenState(base, ios2), 0);
            assert.equal(await tokenState(base, android), 0);
        });

        it('another user on the same platform is unaffected', async () => {
            const a = uid('ml1a');
            const b = uid('ml1b');
            await register(base, admin, [a, b]);
            const ta = await userToken(base, admin, a, 3);
            const tb = await userToken(base, admin, b, 3);
            assert.equal(await tokenState(base, ta), 0);
            assert.equal(await tokenState(base, tb), 0);
        });
    });

    describe('other policies and options', () => {
        it('--multi-login-policy 0: tokens on the same platform coexist', async () => {
            const s = await startTernd({ extraArgs: ['--multi-login-policy', '0'] });
            try {
                const a = await adminToken(s.base);
                const u = uid('ml0');
                await register(s.base, a, [u]);
                const t1 = await userToken(s.base, a, u, 1);
                await new Promise((r) => setTimeout(r, 1100));
                const t2 = await userToken(s.base, a, u, 1);
                assert.notEqual(t1, t2);
                assert.equal(await tokenState(s.base, t1), 0);
                assert.equal(await tokenState(s.base, t2), 0);
            } finally {
                await s.stop();
            }
        });

        it('--multi-login-policy 0 with --multi-login-max-per-platform 2: the third token kicks one older one', async () => {
            const s = await startTernd({ extraArgs: ['--multi-login-policy', '0', '--multi-login-max-per-platform', '2'] });
            try {
                const a = await adminToken(s.base);
                const u = uid('ml0m');
                await register(s.base, a, [u]);
                const ts = [];
                for (let i = 0; i < 3; i++) {
                    if (i) await new Promise((r) => setTimeout(r, 1100));
                    ts.push(await userToken(s.base, a, u, 2));
                }
                const states = [];
                for (const t of ts) states.push(await tokenState(s.base, t));
                assert.equal(states[2], 0, 'the new token must be valid');
                assert.deepEqual(states.slice(0, 2).sort(), [0, 1506], `states ${states}`);
            } finally {
                await s.stop();
            }
        });

        it('--multi-login-policy 4: one token per platform class', async () => {
            const s = await startTernd({ extraArgs: ['--multi-login-policy', '4'] });
            try {
                const a = await adminToken(s.base);
                const u = uid('ml4');
                await register(s.base, a, [u]);
                const ios = await userToken(s.base, a, u, 1); // Mobile
                const win = await userToken(s.base, a, u, 3); // PC
                const web = await userToken(s.base, a, u, 5); // Web
                const android = await userToken(s.base, a, u, 2); // Mobile → kicks iOS
                assert.equal(await tokenState(s.base, ios), 1506);
                assert.equal(await tokenState(s.base, win), 0);
                assert.equal(await tokenState(s.base, web), 0);
                assert.equal(await tokenState(s.base, android), 0);
                const linux = await userToken(s.base, a, u, 7); // PC → kicks Windows
                assert.equal(await tokenState(s.base, win), 1506);
                assert.equal(await tokenState(s.base, linux), 0);
                assert.equal(await tokenState(s.base, android), 0);
                assert.equal(await tokenState(s.base, web), 0);
            } finally {
                await s.stop();
            }
        });

        it('--multi-login-policy 5: any number of PC tokens, one non-PC token', async () => {
            const s = await startTernd({ extraArgs: ['--multi-login-policy', '5'] });
            try {
                const a = await adminToken(s.base);
                const u = uid('ml5');
                await register(s.base, a, [u]);
                const win = await userToken(s.base, a, u, 3);
                const mac = await userToken(s.base, a, u, 4);
                const ios = await userToken(s.base, a, u, 1);
                const android = await userToken(s.base, a, u, 2); // non-PC → kicks iOS
                assert.equal(await tokenState(s.base, ios), 1506);
                assert.equal(await tokenState(s.base, android), 0);
                assert.equal(await tokenState(s.base, win), 0);
                assert.equal(await tokenState(s.base, mac), 0);
                const web = await userToken(s.base, a, u, 5); // non-PC → kicks Android
                assert.equal(await tokenState(s.base, android), 1506);
                assert.equal(await tokenState(s.base, web), 0);
                const linux = await userToken(s.base, a, u, 7); // PC: the one non-PC token stays
                assert.equal(await tokenState(s.base, linux), 0);
                assert.equal(await tokenState(s.base, web), 0);
                assert.equal(await tokenState(s.base, win), 0);
                assert.equal(await tokenState(s.base, mac), 0);
            } finally {
                await s.stop();
            }
        });

        it('--secret s3cr3t: signs with it and accepts only it for get_admin_token', async () => {
            const s = await startTernd({ secret: 's3cr3t' });
            try {
                await fails(s.base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID }, 1002);
                const a = await adminToken(s.base, 's3cr3t');
                assert.ok(jwtSignatureValid(a, 's3cr3t'));
                assert.ok(!jwtSignatureValid(a, DEFAULT_SECRET));
                const u = uid('sec');
                await register(s.base, a, [u]);
                const t = await userToken(s.base, a, u, 1);
                assert.ok(jwtSignatureValid(t, 's3cr3t'));
                assert.equal(await tokenState(s.base, t), 0);
                // tokens signed with the default secret are rejected
                const forged = forgeToken(DEFAULT_SECRET, { UserID: ADMIN_ID, PlatformID: 10 });
                await fails(s.base, '/user/account_check', { checkUserIDs: [u] }, 1505, { token: forged });
                // and a token from another server with the default secret too
                await fails(s.base, '/auth/parse_token', { token: admin }, 1505);
            } finally {
                await s.stop();
            }
        });

        it('--token-expire-days 1: expireTimeSeconds and exp follow it', async () => {
            const s = await startTernd({ extraArgs: ['--token-expire-days', '1'] });
            try {
                const j = await ok(s.base, '/auth/get_admin_token', { secret: DEFAULT_SECRET, userID: ADMIN_ID });
                assert.equal(j.data.expireTimeSeconds, 86400);
                const c = decodeJwt(j.data.token).claims;
                assert.ok(Math.abs(c.exp - (c.iat + 5 + 86400)) <= 1);
                const u = uid('exp');
                await register(s.base, j.data.token, [u]);
                const t = await ok(s.base, '/auth/get_user_token', { userID: u, platformID: 1 }, { token: j.data.token });
                assert.equal(t.data.expireTimeSeconds, 86400);
            } finally {
                await s.stop();
            }
        });
    });
});
