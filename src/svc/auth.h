/* Tokens: issuing admin and user tokens under the multi-login policy, verifying a presented
 * token against the signature and the token store, and revoking (force logout). */
#pragma once
#include "jwt.h"
#include "svc.h"

typedef struct tn_issued_token {
    char token[TN_JWT_MAX];
    int64_t expire_seconds; /* lifetime, as get_*_token answers it */
} tn_issued_token;

tn_err tn_auth_admin_token(tn_svc *svc, tn_ctx *ctx, const char *secret, const char *user_id,
                           tn_issued_token *out);
tn_err tn_auth_user_token(tn_svc *svc, tn_ctx *ctx, const char *user_id, int64_t platform_id,
                          tn_issued_token *out);
/* Full check of a token (signature, expiry, store status). */
tn_err tn_auth_parse(tn_svc *svc, tn_ctx *ctx, const char *token, tn_jwt_claims *out);
/* tn_auth_parse, then makes the token's user the operation's user. */
tn_err tn_auth_authenticate(tn_svc *svc, tn_ctx *ctx, const char *token);
tn_err tn_auth_force_logout(tn_svc *svc, tn_ctx *ctx, const char *user_id, int64_t platform_id);
/* Multi-login at connect (protocol §3.7 B): marks kicked the user's other stored tokens that
 * the policy rules out next to a new connection on platform_id presenting token. */
tn_err tn_auth_connect_kick(tn_svc *svc, tn_ctx *ctx, const char *user_id, int32_t platform_id,
                            const char *token);
