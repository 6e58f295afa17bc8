/* Unit tests for core/jwt: tokens byte for byte as OpenIM signs them (checked against HMACs
 * computed here with OpenSSL), and verification errors as golang-jwt v4 + OpenIM report them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "jwt.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#define SECRET "openIM123"
#define NOW    1795443460 /* a fixed "now" between the known vector's iat and exp */

/* ---- helpers independent of the code under test ---- */

/* base64url without padding, via OpenSSL's standard encoder. */
static void b64url(const void *in, size_t n, char *out)
{
    int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = 0;
    for (char *p = out; *p; p++) {
        if (*p == '+')
            *p = '-';
        else if (*p == '/')
            *p = '_';
    }
}

/* Decodes a base64url segment (no padding) into out, NUL-terminated; returns the byte count. */
static int unb64url(const char *seg, size_t len, char *out)
{
    char buf[2048];
    assert_true(len + 4 < sizeof buf);
    memcpy(buf, seg, len);
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '-')
            buf[i] = '+';
        else if (buf[i] == '_')
            buf[i] = '/';
    }
    size_t pad = (4 - len % 4) % 4;
    for (size_t i = 0; i < pad; i++)
        buf[len + i] = '=';
    int n = EVP_DecodeBlock((unsigned char *)out, (unsigned char *)buf, (int)(len + pad));
    assert_true(n >= 0);
    n -= (int)pad;
    out[n] = 0;
    return n;
}

/* Builds header.claims.signature from raw JSON texts, signed with md (NULL: empty signature). */
static void make_token(const char *header_json, const char *claims_json, const EVP_MD *md,
                       const char *secret, char *out, size_t outlen)
{
    char h[512], c[4096], sig[256];
    b64url(header_json, strlen(header_json), h);
    b64url(claims_json, strlen(claims_json), c);
    int n = snprintf(out, outlen, "%s.%s", h, c);
    assert_true(n > 0 && (size_t)n < outlen);
    sig[0] = 0;
    if (md) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int maclen = 0;
        HMAC(md, secret, (int)strlen(secret), (unsigned char *)out, (size_t)n, mac, &maclen);
        b64url(mac, maclen, sig);
    }
    assert_true((size_t)n + 1 + strlen(sig) < outlen);
    strcat(out, ".");
    strcat(out, sig);
}

static const char hs256_header_json[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

static tn_ctx ctx;

static void fresh_ctx(void)
{
    tn_ctx_init(&ctx, "default", "op", NULL);
}

static tn_err verify(const char *secret, const char *token, tn_jwt_claims *out)
{
    fresh_ctx();
    return tn_jwt_verify(&ctx, secret, token, NOW, out);
}

static tn_jwt_claims claims_of(const char *user, int32_t platform, int64_t exp, int64_t iat)
{
    tn_jwt_claims c;
    memset(&c, 0, sizeof c);
    snprintf(c.user_id, sizeof c.user_id, "%s", user);
    c.platform_id = platform;
    c.exp = exp;
    c.iat = iat;
    return c;
}

/* ---- signing ---- */

static void test_sign_known_vector(void **state)
{
    (void)state;
    tn_jwt_claims c = claims_of("alice", 1, 1803219458, 1795443453);
    char tok[TN_JWT_MAX];
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    assert_string_equal(tok, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                             "eyJVc2VySUQiOiJhbGljZSIsIlBsYXRmb3JtSUQiOjEsImV4cCI6MTgwMzIxOTQ1OCwia"
                             "WF0IjoxNzk1NDQzNDUzfQ."
                             "BeMvfbx_pSVwPSDlT3g98cAhHeVjHJrvSKzoaFk9mxo");
}

static void test_sign_shape(void **state)
{
    (void)state;
    tn_jwt_claims c = claims_of("bob_2", 7, 1900000000, 1800000000);
    char tok[TN_JWT_MAX];
    assert_true(tn_jwt_sign("another secret", &c, tok, sizeof tok));

    const char *d1 = strchr(tok, '.');
    assert_non_null(d1);
    const char *d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);
    assert_null(strchr(d2 + 1, '.'));
    assert_null(strchr(tok, '=')); /* no padding anywhere */

    char expect_header[128];
    b64url(hs256_header_json, strlen(hs256_header_json), expect_header);
    assert_int_equal((size_t)(d1 - tok), strlen(expect_header));
    assert_memory_equal(tok, expect_header, strlen(expect_header));

    char json[1024];
    unb64url(d1 + 1, (size_t)(d2 - d1 - 1), json);
    assert_string_equal(
        json, "{\"UserID\":\"bob_2\",\"PlatformID\":7,\"exp\":1900000000,\"iat\":1800000000}");

    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), "another secret", 14, (const unsigned char *)tok, (size_t)(d2 - tok), mac,
         &maclen);
    assert_int_equal(maclen, 32);
    char sig[128];
    b64url(mac, maclen, sig);
    assert_string_equal(d2 + 1, sig);
}

static void test_sign_escapes_user_id(void **state)
{
    (void)state;
    tn_jwt_claims c = claims_of("a\"b\\c", 2, 10, 5);
    char tok[TN_JWT_MAX];
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    const char *d1 = strchr(tok, '.');
    const char *d2 = strchr(d1 + 1, '.');
    char json[1024];
    unb64url(d1 + 1, (size_t)(d2 - d1 - 1), json);
    assert_string_equal(json, "{\"UserID\":\"a\\\"b\\\\c\",\"PlatformID\":2,\"exp\":10,\"iat\":5}");
}

static void test_sign_too_small_buffer(void **state)
{
    (void)state;
    tn_jwt_claims c = claims_of("alice", 1, 1803219458, 1795443453);
    char tok[64];
    assert_false(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    /* the known vector is 171 bytes plus NUL: exactly enough must work, one less must not */
    char exact[172];
    assert_true(tn_jwt_sign(SECRET, &c, exact, sizeof exact));
    assert_int_equal(strlen(exact), 171);
    assert_false(tn_jwt_sign(SECRET, &c, exact, sizeof exact - 1));
}

/* ---- verification ---- */

static void test_verify_roundtrip(void **state)
{
    (void)state;
    tn_jwt_claims c = claims_of("alice", 5, NOW + 100, NOW - 5), out;
    char tok[TN_JWT_MAX];
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    memset(&out, 0x55, sizeof out);
    assert_int_equal(verify(SECRET, tok, &out), TN_OK);
    assert_string_equal(out.user_id, "alice");
    assert_int_equal(out.platform_id, 5);
    assert_int_equal(out.exp, NOW + 100);
    assert_int_equal(out.iat, NOW - 5);
}

static void test_verify_known_vector(void **state)
{
    (void)state;
    tn_jwt_claims out;
    const char *tok = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                      "eyJVc2VySUQiOiJhbGljZSIsIlBsYXRmb3JtSUQiOjEsImV4cCI6MTgwMzIxOTQ1OCwiaWF0Ijox"
                      "Nzk1NDQzNDUzfQ.BeMvfbx_pSVwPSDlT3g98cAhHeVjHJrvSKzoaFk9mxo";
    assert_int_equal(verify(SECRET, tok, &out), TN_OK);
    assert_string_equal(out.user_id, "alice");
    assert_int_equal(out.platform_id, 1);
    assert_int_equal(out.exp, 1803219458);
    assert_int_equal(out.iat, 1795443453);
}

static void test_verify_wrong_secret(void **state)
{
    (void)state;
    tn_jwt_claims c = claims_of("alice", 1, NOW + 100, NOW - 5), out;
    char tok[TN_JWT_MAX];
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    assert_int_equal(verify("openIM124", tok, &out), TN_ETOKEN_UNKNOWN);
    assert_true(ctx.detail[0] != 0);
    assert_int_equal(verify("", tok, &out), TN_ETOKEN_UNKNOWN);
}

static void test_verify_tampered(void **state)
{
    (void)state;
    char tok[TN_JWT_MAX], other[TN_JWT_MAX], forged[2 * TN_JWT_MAX];
    tn_jwt_claims out;
    make_token(hs256_header_json, "{\"UserID\":\"alice\",\"PlatformID\":1,\"exp\":1900000000}",
               EVP_sha256(), SECRET, tok, sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_OK);
    /* the claims of another token with this token's signature */
    make_token(hs256_header_json, "{\"UserID\":\"admin\",\"PlatformID\":1,\"exp\":1900000000}",
               EVP_sha256(), "x", other, sizeof other);
    const char *sig = strrchr(tok, '.');
    const char *body_end = strrchr(other, '.');
    snprintf(forged, sizeof forged, "%.*s%s", (int)(body_end - other), other, sig);
    assert_int_equal(verify(SECRET, forged, &out), TN_ETOKEN_UNKNOWN);
    /* a truncated signature */
    tok[strlen(tok) - 2] = 0;
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_UNKNOWN);
}

static void test_verify_expired(void **state)
{
    (void)state;
    tn_jwt_claims c = claims_of("alice", 1, NOW - 1, NOW - 100), out;
    char tok[TN_JWT_MAX];
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_EXPIRED);
    assert_true(ctx.detail[0] != 0);
    /* expiry wins over a bad signature, as OpenIM reports it */
    assert_int_equal(verify("wrong", tok, &out), TN_ETOKEN_EXPIRED);
    /* golang-jwt: valid only while now < exp */
    c = claims_of("alice", 1, NOW, NOW - 100);
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_EXPIRED);
    c = claims_of("alice", 1, NOW + 1, NOW - 100);
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    assert_int_equal(verify(SECRET, tok, &out), TN_OK);
}

static void test_verify_issued_in_future(void **state)
{
    (void)state;
    tn_jwt_claims c = claims_of("alice", 1, NOW + 1000, NOW + 1), out;
    char tok[TN_JWT_MAX];
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_UNKNOWN);
    c = claims_of("alice", 1, NOW + 1000, NOW); /* iat == now is fine */
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    assert_int_equal(verify(SECRET, tok, &out), TN_OK);
}

static void test_verify_missing_times(void **state)
{
    (void)state;
    /* golang-jwt does not require exp or iat */
    char tok[TN_JWT_MAX];
    tn_jwt_claims out;
    make_token(hs256_header_json, "{\"UserID\":\"carol\",\"PlatformID\":3}", EVP_sha256(), SECRET,
               tok, sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_OK);
    assert_string_equal(out.user_id, "carol");
    assert_int_equal(out.platform_id, 3);
    assert_int_equal(out.exp, 0);
    assert_int_equal(out.iat, 0);
}

static void test_verify_segments(void **state)
{
    (void)state;
    tn_jwt_claims c = claims_of("alice", 1, NOW + 100, NOW - 5), out;
    char tok[TN_JWT_MAX], buf[TN_JWT_MAX + 8];
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));

    /* two segments: drop the signature */
    snprintf(buf, sizeof buf, "%.*s", (int)(strrchr(tok, '.') - tok), tok);
    assert_int_equal(verify(SECRET, buf, &out), TN_ETOKEN_MALFORMED);
    assert_true(ctx.detail[0] != 0);
    /* four segments */
    snprintf(buf, sizeof buf, "%s.abc", tok);
    assert_int_equal(verify(SECRET, buf, &out), TN_ETOKEN_MALFORMED);
    /* one segment, empty */
    assert_int_equal(verify(SECRET, "abc", &out), TN_ETOKEN_MALFORMED);
    assert_int_equal(verify(SECRET, "", &out), TN_ETOKEN_MALFORMED);
    assert_int_equal(verify(SECRET, "..", &out), TN_ETOKEN_MALFORMED);
}

static void test_verify_garbage_base64(void **state)
{
    (void)state;
    tn_jwt_claims c = claims_of("alice", 1, NOW + 100, NOW - 5), out;
    char tok[TN_JWT_MAX], buf[TN_JWT_MAX];
    assert_true(tn_jwt_sign(SECRET, &c, tok, sizeof tok));
    const char *d1 = strchr(tok, '.');
    /* a character outside the base64url alphabet in the claims */
    snprintf(buf, sizeof buf, "%.*s.!!!!%s", (int)(d1 - tok), tok, d1 + 1);
    assert_int_equal(verify(SECRET, buf, &out), TN_ETOKEN_MALFORMED);
    /* standard-alphabet characters are not base64url */
    snprintf(buf, sizeof buf, "%.*s.ab+/%s", (int)(d1 - tok), tok, d1 + 1);
    assert_int_equal(verify(SECRET, buf, &out), TN_ETOKEN_MALFORMED);
    /* garbage header */
    snprintf(buf, sizeof buf, "%%%%%s", d1);
    assert_int_equal(verify(SECRET, buf, &out), TN_ETOKEN_MALFORMED);
}

static void test_verify_non_json_claims(void **state)
{
    (void)state;
    char tok[TN_JWT_MAX];
    tn_jwt_claims out;
    make_token(hs256_header_json, "hello", EVP_sha256(), SECRET, tok, sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_MALFORMED);
    make_token(hs256_header_json, "[1,2,3]", EVP_sha256(), SECRET, tok, sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_MALFORMED);
    make_token("not json", "{\"UserID\":\"a\"}", EVP_sha256(), SECRET, tok, sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_MALFORMED);
    /* claims of the wrong types */
    make_token(hs256_header_json, "{\"UserID\":5,\"PlatformID\":1}", EVP_sha256(), SECRET, tok,
               sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_MALFORMED);
    make_token(hs256_header_json, "{\"UserID\":\"a\",\"PlatformID\":\"1\"}", EVP_sha256(), SECRET,
               tok, sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_MALFORMED);
    make_token(hs256_header_json, "{\"UserID\":\"a\",\"exp\":\"soon\"}", EVP_sha256(), SECRET, tok,
               sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_MALFORMED);
}

static void test_verify_alg_none(void **state)
{
    (void)state;
    char tok[TN_JWT_MAX];
    tn_jwt_claims out;
    const char *claims = "{\"UserID\":\"imAdmin\",\"PlatformID\":10,\"exp\":1900000000}";
    make_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims, NULL, SECRET, tok, sizeof tok);
    tn_err e = verify(SECRET, tok, &out);
    assert_int_not_equal(e, TN_OK);
    assert_int_equal(e, TN_ETOKEN_UNKNOWN);
    /* even with a signature that would match under HS256 */
    make_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims, EVP_sha256(), SECRET, tok, sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_UNKNOWN);
    /* no alg at all, or an RSA alg */
    make_token("{\"typ\":\"JWT\"}", claims, EVP_sha256(), SECRET, tok, sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_UNKNOWN);
    make_token("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims, EVP_sha256(), SECRET, tok,
               sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_UNKNOWN);
}

static void test_verify_other_hmac_algs(void **state)
{
    (void)state;
    char tok[TN_JWT_MAX];
    tn_jwt_claims out;
    const char *claims = "{\"UserID\":\"dave\",\"PlatformID\":2,\"exp\":1900000000,"
                         "\"iat\":1700000000}";
    make_token("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", claims, EVP_sha512(), SECRET, tok,
               sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_OK);
    assert_string_equal(out.user_id, "dave");
    assert_int_equal(out.platform_id, 2);
    assert_int_equal(out.exp, 1900000000);
    assert_int_equal(out.iat, 1700000000);
    assert_int_equal(verify("nope", tok, &out), TN_ETOKEN_UNKNOWN);

    make_token("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", claims, EVP_sha384(), SECRET, tok,
               sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_OK);

    /* header says HS512, signature is HS256 */
    make_token("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", claims, EVP_sha256(), SECRET, tok,
               sizeof tok);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_UNKNOWN);
}

static void test_verify_too_long(void **state)
{
    (void)state;
    char tok[4096];
    tn_jwt_claims out;
    char claims[2048];
    char id[TN_JWT_MAX - 100];
    memset(id, 'x', sizeof id - 1);
    id[sizeof id - 1] = 0;
    snprintf(claims, sizeof claims, "{\"UserID\":\"%s\",\"PlatformID\":1}", id);
    make_token(hs256_header_json, claims, EVP_sha256(), SECRET, tok, sizeof tok);
    assert_true(strlen(tok) >= TN_JWT_MAX);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_MALFORMED);
    /* a UserID longer than TN_ID_MAX in a token that fits */
    memset(id, 'y', TN_ID_MAX + 1);
    id[TN_ID_MAX + 1] = 0;
    snprintf(claims, sizeof claims, "{\"UserID\":\"%s\",\"PlatformID\":1}", id);
    make_token(hs256_header_json, claims, EVP_sha256(), SECRET, tok, sizeof tok);
    assert_true(strlen(tok) < TN_JWT_MAX);
    assert_int_equal(verify(SECRET, tok, &out), TN_ETOKEN_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_known_vector),
        cmocka_unit_test(test_sign_shape),
        cmocka_unit_test(test_sign_escapes_user_id),
        cmocka_unit_test(test_sign_too_small_buffer),
        cmocka_unit_test(test_verify_roundtrip),
        cmocka_unit_test(test_verify_known_vector),
        cmocka_unit_test(test_verify_wrong_secret),
        cmocka_unit_test(test_verify_tampered),
        cmocka_unit_test(test_verify_expired),
        cmocka_unit_test(test_verify_issued_in_future),
        cmocka_unit_test(test_verify_missing_times),
        cmocka_unit_test(test_verify_segments),
        cmocka_unit_test(test_verify_garbage_base64),
        cmocka_unit_test(test_verify_non_json_claims),
        cmocka_unit_test(test_verify_alg_none),
        cmocka_unit_test(test_verify_other_hmac_algs),
        cmocka_unit_test(test_verify_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
