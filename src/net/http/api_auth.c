/* The /auth routes: decode the JSON body, call svc/auth, encode the answer.
 * Token rules live in svc/auth.c; nothing here decides who may do what. */
#include "auth.h"
#include "handlers.h"
#include "json.h"

static json_t *token_data(const tn_issued_token *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "token", json_string(t->token));
    json_object_set_new(o, "expireTimeSeconds", json_integer(t->expire_seconds));
    return o;
}

tn_err tn_api_auth_get_admin_token(tn_api_call *call)
{
    const char *secret, *user_id;
    tn_err e;
    if ((e = tn_json_str(call->ctx, call->body, "secret", true, &secret)) ||
        (e = tn_json_str(call->ctx, call->body, "userID", true, &user_id)))
        return e;
    tn_issued_token t;
    if ((e = tn_auth_admin_token(call->svc, call->ctx, secret, user_id, &t)))
        return e;
    call->data = token_data(&t);
    return TN_OK;
}

tn_err tn_api_auth_get_user_token(tn_api_call *call)
{
    const char *user_id;
    int64_t platform;
    tn_err e;
    if ((e = tn_json_int(call->ctx, call->body, "platformID", false, INT32_MIN, INT32_MAX,
                         &platform)) ||
        (e = tn_json_str(call->ctx, call->body, "userID", true, &user_id)))
        return e;
    tn_issued_token t;
    if ((e = tn_auth_user_token(call->svc, call->ctx, user_id, platform, &t)))
        return e;
    call->data = token_data(&t);
    return TN_OK;
}

tn_err tn_api_auth_parse_token(tn_api_call *call)
{
    const char *token;
    tn_err e = tn_json_str(call->ctx, call->body, "token", true, &token);
    tn_jwt_claims claims;
    if (e || (e = tn_auth_parse(call->svc, call->ctx, token, &claims)))
        return e;
    json_t *o = json_object();
    json_object_set_new(o, "userID", json_string(claims.user_id));
    json_object_set_new(o, "platformID", json_integer(claims.platform_id));
    json_object_set_new(o, "expireTimeSeconds", json_integer(claims.exp));
    call->data = o;
    return TN_OK;
}

tn_err tn_api_auth_force_logout(tn_api_call *call)
{
    const char *user_id;
    int64_t platform;
    tn_err e;
    if ((e = tn_json_int(call->ctx, call->body, "platformID", true, INT32_MIN, INT32_MAX,
                         &platform)) ||
        (e = tn_json_str(call->ctx, call->body, "userID", true, &user_id)))
        return e;
    return tn_auth_force_logout(call->svc, call->ctx, user_id, platform);
}
