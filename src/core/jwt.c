/* JWT encode/verify with HMAC-SHA2 (core/digest) and jansson. Claims keep OpenIM's key order so a
 * tern token is indistinguishable from an OpenIM one; verification mirrors golang-jwt v4 as OpenIM
 * uses it. */
#include "jwt.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "digest.h"

/* base64url of {"alg":"HS256","typ":"JWT"}, the header golang-jwt writes */
static const char hs256_header[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

static tn_hmac_alg digest_for(const char *alg)
{
    if (strcmp(alg, "HS256") == 0)
        return TN_HMAC_SHA256;
    if (strcmp(alg, "HS384") == 0)
        return TN_HMAC_SHA384;
    if (strcmp(alg, "HS512") == 0)
        return TN_HMAC_SHA512;
    return TN_HMAC_NONE;
}

bool tn_jwt_sign(const char *secret, const tn_jwt_claims *claims, char *out, size_t outlen)
{
    json_t *c = json_object();
    json_object_set_new(c, "UserID", json_string(claims->user_id));
    json_object_set_new(c, "PlatformID", json_integer(claims->platform_id));
    json_object_set_new(c, "exp", json_integer(claims->exp));
    json_object_set_new(c, "iat", json_integer(claims->iat));
    char *payload = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(c);
    if (!payload)
        return false;
    size_t plen = strlen(payload);
    size_t need = sizeof hs256_header + tn_b64_encoded_len(plen, true) + 1 + 43 + 1;
    if (need > outlen) {
        free(payload);
        return false;
    }
    size_t n = (size_t)snprintf(out, outlen, "%s.", hs256_header);
    n += tn_b64_encode(payload, plen, out + n, true);
    free(payload);
    uint8_t mac[TN_HMAC_MAX_SIZE];
    size_t maclen = tn_hmac(TN_HMAC_SHA256, secret, strlen(secret), out, n, mac);
    out[n++] = '.';
    tn_b64_encode(mac, maclen, out + n, true);
    return true;
}

/* Decodes one base64url segment holding a JSON object. */
static json_t *segment_json(const char *seg, size_t len)
{
    unsigned char buf[TN_JWT_MAX];
    size_t n;
    if (len > sizeof buf || !tn_b64_decode(seg, len, buf, &n, true))
        return NULL;
    json_t *j = json_loadb((const char *)buf, n, 0, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static bool numeric_claim(json_t *claims, const char *key, int64_t *out)
{
    json_t *v = json_object_get(claims, key);
    if (!v || json_is_null(v)) {
        *out = 0;
        return true;
    }
    if (json_is_integer(v))
        *out = json_integer_value(v);
    else if (json_is_real(v))
        *out = (int64_t)json_real_value(v);
    else
        return false;
    return true;
}

tn_err tn_jwt_verify(tn_ctx *ctx, const char *secret, const char *token, int64_t now_s,
                     tn_jwt_claims *out)
{
    size_t len = strlen(token);
    const char *dot1 = memchr(token, '.', len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
        return tn_ctx_fail(ctx, TN_ETOKEN_MALFORMED,
                           "token contains an invalid number of segments");
    if (len >= TN_JWT_MAX)
        return tn_ctx_fail(ctx, TN_ETOKEN_MALFORMED, "token is too long");

    json_t *header = segment_json(token, (size_t)(dot1 - token));
    json_t *claims = segment_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    tn_err e = TN_OK;
    if (!header || !claims) {
        e = tn_ctx_fail(ctx, TN_ETOKEN_MALFORMED, "token segment is not base64url JSON");
        goto out;
    }
    json_t *uid = json_object_get(claims, "UserID");
    json_t *pid = json_object_get(claims, "PlatformID");
    if ((uid && !json_is_string(uid) && !json_is_null(uid)) ||
        (pid && !json_is_integer(pid) && !json_is_null(pid)) ||
        !numeric_claim(claims, "exp", &out->exp) || !numeric_claim(claims, "iat", &out->iat)) {
        e = tn_ctx_fail(ctx, TN_ETOKEN_MALFORMED, "token claims have the wrong types");
        goto out;
    }
    const char *user_id = uid && json_is_string(uid) ? json_string_value(uid) : "";
    if (strlen(user_id) > TN_ID_MAX) {
        e = tn_ctx_fail(ctx, TN_ETOKEN_MALFORMED, "token UserID is too long");
        goto out;
    }
    snprintf(out->user_id, sizeof out->user_id, "%s", user_id);
    out->platform_id = pid && json_is_integer(pid) ? (int32_t)json_integer_value(pid) : 0;

    /* golang-jwt checks the claims' times before the signature and OpenIM reports expiry
     * first, so an expired token says "expired" whatever its signature. */
    if (out->exp && now_s >= out->exp) {
        e = tn_ctx_fail(ctx, TN_ETOKEN_EXPIRED, "token is expired");
        goto out;
    }
    if (out->iat && now_s < out->iat) {
        e = tn_ctx_fail(ctx, TN_ETOKEN_UNKNOWN, "Token used before issued");
        goto out;
    }
    json_t *alg = json_object_get(header, "alg");
    tn_hmac_alg md = json_is_string(alg) ? digest_for(json_string_value(alg)) : TN_HMAC_NONE;
    if (md == TN_HMAC_NONE) {
        e = tn_ctx_fail(ctx, TN_ETOKEN_UNKNOWN, "signing method (alg) is unavailable");
        goto out;
    }
    uint8_t mac[TN_HMAC_MAX_SIZE], given[TN_HMAC_MAX_SIZE + 3];
    size_t given_len = 0;
    size_t sig_len = len - (size_t)(dot2 + 1 - token);
    size_t maclen = tn_hmac(md, secret, strlen(secret), token, (size_t)(dot2 - token), mac);
    if (sig_len > tn_b64_encoded_len(TN_HMAC_MAX_SIZE, true) + 2 ||
        !tn_b64_decode(dot2 + 1, sig_len, given, &given_len, true) || given_len != maclen ||
        !tn_digest_equal(mac, given, maclen)) {
        e = tn_ctx_fail(ctx, TN_ETOKEN_UNKNOWN, "signature is invalid");
        goto out;
    }
out:
    json_decref(header);
    json_decref(claims);
    return e;
}
