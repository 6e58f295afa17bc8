/* Token issuance and checking as OpenIM does it: HS256 JWTs, a stored status per token, and the
 * multi-login policy applied when a token is issued (the gateway applies it again at connect). */
#include "auth.h"

#include <stdio.h>
#include <string.h>

#include "platform.h"

static int64_t lifetime_s(const tn_svc *svc)
{
    return (int64_t)svc->cfg->token_expire_days * 86400;
}

static tn_err sign(tn_svc *svc, tn_ctx *ctx, const char *user_id, int32_t platform_id,
                   tn_issued_token *out, tn_jwt_claims *claims)
{
    int64_t now_s = ctx->now_ms / 1000;
    memset(claims, 0, sizeof *claims);
    snprintf(claims->user_id, sizeof claims->user_id, "%s", user_id);
    claims->platform_id = platform_id;
    claims->exp = now_s + lifetime_s(svc);
    claims->iat = now_s - 5; /* as OpenIM: tolerates clients whose clock runs a little behind */
    if (!tn_jwt_sign(svc->cfg->secret, claims, out->token, sizeof out->token))
        return tn_ctx_fail(ctx, TN_ESERVER, "token does not fit");
    out->expire_seconds = lifetime_s(svc);
    return TN_OK;
}

/* Which live tokens a new token on new_platform pushes out, per policy (protocol §3.7 A).
 * live[] is in issue order (oldest first); returns true for tokens to kick. "Keep one" keeps
 * the newest, the choice OpenIM leaves to hash order. */
static void decide_kicks(const tn_config *cfg, int32_t new_platform, const tn_token_rec *live,
                         size_t n, bool *kick)
{
    int policy = cfg->multi_login_policy;
    tn_platform_class new_class = tn_platform_class_of(new_platform);
    for (size_t i = 0; i < n; i++) {
        kick[i] = false;
        /* a newer live token in the same group as live[i] (group per policy) */
        bool newer_same_group = false;
        size_t same_platform_after = 0;
        for (size_t j = i + 1; j < n; j++) {
            bool same;
            if (policy == 4)
                same = tn_platform_class_of(live[j].platform_id) ==
                       tn_platform_class_of(live[i].platform_id);
            else if (policy == 5)
                same = tn_platform_class_of(live[j].platform_id) != TN_CLASS_PC;
            else
                same = live[j].platform_id == live[i].platform_id;
            newer_same_group |= same;
            same_platform_after += live[j].platform_id == live[i].platform_id;
        }
        tn_platform_class cls = tn_platform_class_of(live[i].platform_id);
        switch (policy) {
        case 0: {
            /* cap per platform: count this platform's tokens newer than i, plus the new one */
            size_t newer = same_platform_after + (live[i].platform_id == new_platform);
            kick[i] = newer >= (size_t)cfg->multi_login_max_per_platform;
            break;
        }
        case 1:
            kick[i] = live[i].platform_id == new_platform || newer_same_group;
            break;
        case 4:
            kick[i] = cls == new_class || newer_same_group;
            break;
        case 5:
            if (cls == TN_CLASS_PC)
                kick[i] = false;
            else if (new_class != TN_CLASS_PC)
                kick[i] = true;
            else
                kick[i] = newer_same_group;
            break;
        default:
            kick[i] = false;
        }
    }
}

static tn_err issue_user_token(tn_svc *svc, tn_ctx *ctx, const char *user_id, int32_t platform_id,
                               tn_issued_token *out)
{
    tn_jwt_claims claims;
    tn_err e = sign(svc, ctx, user_id, platform_id, out, &claims);
    if (e)
        return e;
    tn_token_rec *recs;
    size_t n;
    if ((e = svc->store->ops->tokens_list(svc->store, ctx->app_id, user_id, ctx->arena, &recs, &n)))
        return tn_ctx_fail(ctx, e, "cannot read tokens of %s", user_id);

    tn_token_change *changes = tn_arena_calloc(ctx->arena, n + 1, sizeof *changes);
    tn_token_rec *live = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *live);
    bool *kick = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *kick);
    size_t nc = 0, nlive = 0;
    for (size_t i = 0; i < n; i++) {
        tn_ctx scratch = *ctx;
        tn_jwt_claims old;
        bool dead = recs[i].status != TN_TOKEN_NORMAL ||
                    tn_jwt_verify(&scratch, svc->cfg->secret, recs[i].token, ctx->now_ms / 1000,
                                  &old) != TN_OK;
        if (dead)
            changes[nc++] = (tn_token_change){TN_TOKEN_OP_DELETE, recs[i]};
        else if (recs[i].platform_id != TN_PLATFORM_ADMIN)
            live[nlive++] = recs[i];
    }
    decide_kicks(svc->cfg, platform_id, live, nlive, kick);
    for (size_t i = 0; i < nlive; i++)
        if (kick[i])
            changes[nc++] = (tn_token_change){TN_TOKEN_OP_KICK, live[i]};
    changes[nc++] = (tn_token_change){
        TN_TOKEN_OP_PUT,
        {.token = out->token, .platform_id = platform_id, .expire_at = claims.exp}};
    if ((e = svc->store->ops->tokens_apply(svc->store, ctx->app_id, user_id, changes, nc)))
        return tn_ctx_fail(ctx, e, "cannot store token");
    return TN_OK;
}

static tn_err find_user(tn_svc *svc, tn_ctx *ctx, const char *user_id, tn_user *out)
{
    tn_user *list;
    size_t n;
    tn_err e =
        svc->store->ops->users_get(svc->store, ctx->app_id, &user_id, 1, ctx->arena, &list, &n);
    if (e)
        return tn_ctx_fail(ctx, e, "cannot read user %s", user_id);
    if (n == 0)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "user %s not found", user_id);
    *out = list[0];
    return TN_OK;
}

tn_err tn_auth_admin_token(tn_svc *svc, tn_ctx *ctx, const char *secret, const char *user_id,
                           tn_issued_token *out)
{
    if (strcmp(secret, svc->cfg->secret) != 0)
        return tn_ctx_fail(ctx, TN_EPERM, "secret invalid");
    if (!tn_config_is_admin(svc->cfg, user_id))
        return tn_ctx_fail(ctx, TN_EARGS, "%s is not an app admin userID", user_id);
    tn_user u = {0};
    tn_err e = find_user(svc, ctx, user_id, &u);
    if (e)
        return e;
    tn_jwt_claims claims;
    /* Admin tokens are not stored: they are checked by signature and admin list alone. */
    return sign(svc, ctx, user_id, TN_PLATFORM_ADMIN, out, &claims);
}

tn_err tn_auth_user_token(tn_svc *svc, tn_ctx *ctx, const char *user_id, int64_t platform_id,
                          tn_issued_token *out)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e)
        return e;
    if (platform_id == TN_PLATFORM_ADMIN)
        return tn_ctx_fail(ctx, TN_EPERM, "platformID %d is reserved for admin tokens",
                           TN_PLATFORM_ADMIN);
    if (!tn_platform_valid(platform_id))
        return tn_ctx_fail(ctx, TN_EARGS, "platformID %lld is invalid", (long long)platform_id);
    if (tn_config_is_admin(svc->cfg, user_id))
        return tn_ctx_fail(ctx, TN_EPERM, "%s is an app admin: use get_admin_token", user_id);
    tn_user u = {0};
    if ((e = find_user(svc, ctx, user_id, &u)))
        return e;
    if (u.app_manger_level >= 3)
        return tn_ctx_fail(ctx, TN_EARGS, "%s is a notification or robot account", user_id);
    return issue_user_token(svc, ctx, user_id, (int32_t)platform_id, out);
}

tn_err tn_auth_parse(tn_svc *svc, tn_ctx *ctx, const char *token, tn_jwt_claims *out)
{
    tn_err e = tn_jwt_verify(ctx, svc->cfg->secret, token, ctx->now_ms / 1000, out);
    if (e)
        return e;
    if (tn_config_is_admin(svc->cfg, out->user_id))
        return TN_OK;
    int32_t status = 0;
    e = svc->store->ops->token_status(svc->store, ctx->app_id, out->user_id, out->platform_id,
                                      token, &status);
    if (e == TN_ENOTFOUND)
        return tn_ctx_fail(ctx, TN_ETOKEN_NOT_EXIST, "token not found");
    if (e)
        return tn_ctx_fail(ctx, e, "cannot read token status");
    if (status == TN_TOKEN_KICKED)
        return tn_ctx_fail(ctx, TN_ETOKEN_KICKED, "token has been kicked");
    if (status != TN_TOKEN_NORMAL)
        return tn_ctx_fail(ctx, TN_ETOKEN_UNKNOWN, "token status %d", status);
    return TN_OK;
}

tn_err tn_auth_authenticate(tn_svc *svc, tn_ctx *ctx, const char *token)
{
    tn_jwt_claims claims;
    tn_err e = tn_auth_parse(svc, ctx, token, &claims);
    if (e)
        return e;
    snprintf(ctx->op_user_id, sizeof ctx->op_user_id, "%s", claims.user_id);
    ctx->op_platform = claims.platform_id;
    ctx->is_admin = tn_config_is_admin(svc->cfg, claims.user_id);
    return TN_OK;
}

tn_err tn_auth_force_logout(tn_svc *svc, tn_ctx *ctx, const char *user_id, int64_t platform_id)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e)
        return e;
    if (platform_id < 1 || platform_id > TN_PLATFORM_ADMIN)
        return tn_ctx_fail(ctx, TN_EARGS, "platformID %lld is invalid", (long long)platform_id);
    tn_token_rec *recs;
    size_t n;
    if ((e = svc->store->ops->tokens_list(svc->store, ctx->app_id, user_id, ctx->arena, &recs, &n)))
        return tn_ctx_fail(ctx, e, "cannot read tokens of %s", user_id);
    tn_token_change *changes = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *changes);
    size_t nc = 0;
    for (size_t i = 0; i < n; i++)
        if (recs[i].platform_id == platform_id && recs[i].status == TN_TOKEN_NORMAL)
            changes[nc++] = (tn_token_change){TN_TOKEN_OP_KICK, recs[i]};
    if (nc && (e = svc->store->ops->tokens_apply(svc->store, ctx->app_id, user_id, changes, nc)))
        return tn_ctx_fail(ctx, e, "cannot revoke tokens");
    /* live connections on that platform get a kick frame and are closed */
    if (svc->sink)
        svc->sink->kick(svc->sink->impl, ctx->app_id, user_id, (int32_t)platform_id);
    return TN_OK;
}

tn_err tn_auth_connect_kick(tn_svc *svc, tn_ctx *ctx, const char *user_id, int32_t platform_id,
                            const char *token)
{
    int policy = svc->cfg->multi_login_policy;
    tn_platform_class cls = tn_platform_class_of(platform_id);
    if (policy == 0 || (policy == 5 && cls == TN_CLASS_PC))
        return TN_OK;
    tn_token_rec *recs;
    size_t n;
    tn_err e =
        svc->store->ops->tokens_list(svc->store, ctx->app_id, user_id, ctx->arena, &recs, &n);
    if (e)
        return tn_ctx_fail(ctx, e, "cannot read tokens of %s", user_id);
    tn_token_change *changes = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *changes);
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].status != TN_TOKEN_NORMAL || strcmp(recs[i].token, token) == 0)
            continue;
        bool out = policy == 4 ? tn_platform_class_of(recs[i].platform_id) == cls
                               : recs[i].platform_id == platform_id; /* policies 1 and 5 */
        if (out)
            changes[nc++] = (tn_token_change){TN_TOKEN_OP_KICK, recs[i]};
    }
    if (nc && (e = svc->store->ops->tokens_apply(svc->store, ctx->app_id, user_id, changes, nc)))
        return tn_ctx_fail(ctx, e, "cannot mark tokens kicked");
    return TN_OK;
}
