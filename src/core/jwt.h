/* OpenIM's tokens: HS256 JWTs with claims {UserID, PlatformID, exp, iat}, byte for byte as
 * OpenIM issues them, and their verification with OpenIM's error codes. No storage here. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#define TN_JWT_MAX 1024

typedef struct tn_jwt_claims {
    char user_id[TN_ID_MAX + 1];
    int32_t platform_id;
    int64_t exp; /* Unix seconds */
    int64_t iat;
} tn_jwt_claims;

/* Signs claims with secret into out (TN_JWT_MAX bytes). Returns false if it does not fit. */
bool tn_jwt_sign(const char *secret, const tn_jwt_claims *claims, char *out, size_t outlen);

/* Checks the signature (HS256/384/512) and times against now_s. Errors: TN_ETOKEN_MALFORMED,
 * TN_ETOKEN_EXPIRED, TN_ETOKEN_UNKNOWN (bad signature, iat in the future); detail in ctx. */
tn_err tn_jwt_verify(tn_ctx *ctx, const char *secret, const char *token, int64_t now_s,
                     tn_jwt_claims *out);
