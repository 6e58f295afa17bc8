/* The /user routes: decode the OpenIM JSON body, call svc/user, encode the answer.
 * Shapes follow openim-rest.md §4, including its odd spellings (CommandResp, nickName). */
#include <string.h>

#include "handlers.h"
#include "json.h"
#include "user.h"

#define CTX  (call->ctx)
#define BODY (call->body)
#define SVC  (call->svc)

static json_t *users_array(const tn_user *users, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, tn_json_user(&users[i]));
    return a;
}

static tn_err decode_user(tn_ctx *ctx, json_t *o, tn_user *u)
{
    int64_t level, opt;
    tn_err e;
    memset(u, 0, sizeof *u);
    if ((e = tn_json_str(ctx, o, "userID", false, &u->user_id)) ||
        (e = tn_json_str(ctx, o, "nickname", false, &u->nickname)) ||
        (e = tn_json_str(ctx, o, "faceURL", false, &u->face_url)) ||
        (e = tn_json_str(ctx, o, "ex", false, &u->ex)) ||
        (e = tn_json_int(ctx, o, "appMangerLevel", false, INT32_MIN, INT32_MAX, &level)) ||
        (e = tn_json_int(ctx, o, "globalRecvMsgOpt", false, INT32_MIN, INT32_MAX, &opt)))
        return e;
    u->app_manger_level = (int32_t)level;
    u->global_recv_msg_opt = (int32_t)opt;
    return TN_OK;
}

tn_err tn_api_user_register(tn_api_call *call)
{
    json_t *list = tn_json_field(BODY, "users");
    if (!list || json_is_null(list))
        return tn_ctx_fail(CTX, TN_EARGS, "users is empty");
    if (!json_is_array(list))
        return tn_ctx_fail(CTX, TN_EARGS, "field users: cannot decode into []UserInfo");
    size_t n = json_array_size(list);
    tn_user *users = tn_arena_calloc(CTX->arena, n ? n : 1, sizeof *users);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(list, i);
        if (!json_is_object(item))
            return tn_ctx_fail(CTX, TN_EARGS, "users[%zu] is not an object", i);
        tn_err e = decode_user(CTX, item, &users[i]);
        if (e)
            return e;
    }
    return tn_user_register(SVC, CTX, users, n);
}

tn_err tn_api_user_update_info(tn_api_call *call)
{
    json_t *info;
    tn_user u;
    tn_err e;
    if ((e = tn_json_object(CTX, BODY, "userInfo", true, &info)) ||
        (e = decode_user(CTX, info, &u)))
        return e;
    if (!*u.user_id)
        return tn_ctx_fail(CTX, TN_EARGS, "userInfo.userID is empty");
    /* update_user_info applies only non-empty / non-zero fields */
    tn_user_patch p = {
        .user_id = u.user_id,
        .nickname = *u.nickname ? u.nickname : NULL,
        .face_url = *u.face_url ? u.face_url : NULL,
        .ex = *u.ex ? u.ex : NULL,
        .has_level = u.app_manger_level != 0,
        .app_manger_level = u.app_manger_level,
        .has_recv_opt = u.global_recv_msg_opt != 0,
        .global_recv_msg_opt = u.global_recv_msg_opt,
    };
    return tn_user_update(SVC, CTX, &p);
}

tn_err tn_api_user_update_info_ex(tn_api_call *call)
{
    json_t *info;
    tn_user_patch p = {0};
    int64_t opt;
    tn_err e;
    if ((e = tn_json_object(CTX, BODY, "userInfo", true, &info)) ||
        (e = tn_json_str(CTX, info, "userID", true, &p.user_id)) ||
        (e = tn_json_str_wrapper(CTX, info, "nickname", &p.nickname)) ||
        (e = tn_json_str_wrapper(CTX, info, "faceURL", &p.face_url)) ||
        (e = tn_json_str_wrapper(CTX, info, "ex", &p.ex)) ||
        (e = tn_json_int_wrapper(CTX, info, "globalRecvMsgOpt", INT32_MIN, INT32_MAX,
                                 &p.has_recv_opt, &opt)))
        return e;
    p.global_recv_msg_opt = (int32_t)opt;
    return tn_user_update(SVC, CTX, &p);
}

tn_err tn_api_user_set_global_msg_recv_opt(tn_api_call *call)
{
    tn_user_patch p = {.has_recv_opt = true};
    int64_t opt;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &p.user_id)) ||
        (e = tn_json_int(CTX, BODY, "globalRecvMsgOpt", false, 0, 2, &opt)))
        return e;
    p.global_recv_msg_opt = (int32_t)opt;
    return tn_user_update(SVC, CTX, &p);
}

tn_err tn_api_user_get_users_info(tn_api_call *call)
{
    const char **ids;
    size_t n, count;
    tn_user *users;
    tn_err e;
    if ((e = tn_json_str_list(CTX, BODY, "userIDs", true, false, &ids, &n)) ||
        (e = tn_user_get_many(SVC, CTX, ids, n, &users, &count)))
        return e;
    call->data = json_pack("{s:o}", "usersInfo", users_array(users, count));
    return TN_OK;
}

tn_err tn_api_user_get_all_users_uid(tn_api_call *call)
{
    tn_page page;
    tn_err e = tn_json_pagination(CTX, BODY, true, &page);
    if (e)
        return e;
    tn_user_query q = {
        .level_min = INT32_MIN, .level_max = INT32_MAX, .offset = page.offset, .limit = page.limit};
    tn_user *users;
    size_t n;
    int64_t total;
    if ((e = tn_user_find(SVC, CTX, &q, &users, &n, &total)))
        return e;
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, tn_json_string(users[i].user_id));
    call->data = json_pack("{s:I,s:o}", "total", (json_int_t)total, "userIDs", ids);
    return TN_OK;
}

tn_err tn_api_user_account_check(tn_api_call *call)
{
    const char **ids;
    size_t n;
    tn_err e = tn_json_str_list(CTX, BODY, "checkUserIDs", true, true, &ids, &n);
    if (e)
        return e;
    bool *registered = tn_arena_calloc(CTX->arena, n, sizeof *registered);
    if ((e = tn_user_account_check(SVC, CTX, ids, n, registered)))
        return e;
    json_t *results = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(results, json_pack("{s:o,s:i}", "userID", tn_json_string(ids[i]),
                                                 "accountStatus", registered[i] ? 1 : 0));
    call->data = json_pack("{s:o}", "results", results);
    return TN_OK;
}

tn_err tn_api_user_get_users(tn_api_call *call)
{
    tn_page page;
    const char *user_id, *nickname;
    tn_err e;
    if ((e = tn_json_pagination(CTX, BODY, true, &page)) ||
        (e = tn_json_str(CTX, BODY, "userID", false, &user_id)) ||
        (e = tn_json_str(CTX, BODY, "nickName", false, &nickname)))
        return e;
    /* Ordinary accounts only: admins and notification accounts are listed elsewhere. */
    tn_user_query q = {.user_id_like = *user_id ? user_id : NULL,
                       .nickname_like = *nickname ? nickname : NULL,
                       .level_min = 0,
                       .level_max = 1,
                       .offset = page.offset,
                       .limit = page.limit};
    tn_user *users;
    size_t n;
    int64_t total;
    if ((e = tn_user_find(SVC, CTX, &q, &users, &n, &total)))
        return e;
    call->data = json_pack("{s:I,s:o}", "total", (json_int_t)total, "users", users_array(users, n));
    return TN_OK;
}

static tn_err online_status(tn_api_call *call, tn_user_online **out, const char ***ids, size_t *n)
{
    tn_err e = tn_json_str_list(CTX, BODY, "userIDs", true, false, ids, n);
    if (e)
        return e;
    *out = tn_arena_calloc(CTX->arena, *n ? *n : 1, sizeof **out);
    return tn_user_online_status(SVC, CTX, *ids, *n, *out);
}

static json_t *platform_ids(const tn_user_online *o)
{
    if (o->platform_count == 0)
        return json_null();
    json_t *a = json_array();
    for (size_t j = 0; j < o->platform_count; j++)
        json_array_append_new(a, json_integer(o->platforms[j]));
    return a;
}

tn_err tn_api_user_get_users_online_status(tn_api_call *call)
{
    tn_user_online *st;
    const char **ids;
    size_t n;
    tn_err e = online_status(call, &st, &ids, &n);
    if (e)
        return e;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *detail = json_null();
        if (st[i].platform_count) {
            detail = json_array();
            for (size_t j = 0; j < st[i].platform_count; j++)
                json_array_append_new(detail, json_pack("{s:i,s:s,s:b,s:s}", "platformID",
                                                        st[i].platforms[j], "connID", "",
                                                        "isBackground", 0, "token", ""));
        }
        json_array_append_new(a, json_pack("{s:o,s:i,s:o}", "userID", tn_json_string(ids[i]),
                                           "status", st[i].platform_count ? 1 : 0,
                                           "detailPlatformStatus", detail));
    }
    call->data = a;
    return TN_OK;
}

tn_err tn_api_user_get_users_online_token_detail(tn_api_call *call)
{
    tn_user_online *st;
    const char **ids;
    size_t n;
    tn_err e = online_status(call, &st, &ids, &n);
    if (e)
        return e;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!st[i].platform_count)
            continue;
        json_t *per = json_array();
        for (size_t j = 0; j < st[i].platform_count; j++)
            json_array_append_new(per, json_pack("{s:i,s:i,s:[]}", "platformID", st[i].platforms[j],
                                                 "total", 0, "token"));
        json_array_append_new(a, json_pack("{s:o,s:i,s:o}", "userID", tn_json_string(ids[i]),
                                           "status", 1, "singlePlatformToken", per));
    }
    /* OpenIM answers null, not [], when nobody is online. */
    if (json_array_size(a) == 0) {
        json_decref(a);
        a = json_null();
    }
    call->data = a;
    return TN_OK;
}

tn_err tn_api_user_get_users_status(tn_api_call *call)
{
    tn_user_online *st;
    const char **ids;
    size_t n;
    tn_err e = online_status(call, &st, &ids, &n);
    if (e)
        return e;
    if (n == 0)
        return tn_ctx_fail(CTX, TN_EARGS, "userIDs is empty");
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:o,s:i,s:o}", "userID", tn_json_string(ids[i]),
                                              "status", st[i].platform_count ? 1 : 0, "platformIDs",
                                              platform_ids(&st[i])));
    call->data = json_pack("{s:o}", "statusList", list);
    return TN_OK;
}

tn_err tn_api_user_subscribe_users_status(tn_api_call *call)
{
    const char *user_id, **ids;
    size_t n;
    int64_t genre;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_json_str_list(CTX, BODY, "userIDs", true, false, &ids, &n)) ||
        (e = tn_json_int(CTX, BODY, "genre", true, 1, 2, &genre)) ||
        (e = tn_ctx_self_or_admin(CTX, user_id)))
        return e;
    /* Presence subscriptions live on the gateway (reqIdentifier 2005), as in OpenIM v3.8. */
    call->data = json_pack("{s:n}", "statusList");
    return TN_OK;
}

tn_err tn_api_user_get_subscribe_users_status(tn_api_call *call)
{
    const char *user_id;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_ctx_self_or_admin(CTX, user_id)))
        return e;
    call->data = json_pack("{s:n}", "statusList");
    return TN_OK;
}

/* ---- user commands ---- */

static tn_err decode_command(tn_api_call *call, const char **user_id, tn_user_command *c,
                             bool need_uuid)
{
    int64_t type;
    tn_err e;
    memset(c, 0, sizeof *c);
    if ((e = tn_json_str(CTX, BODY, "userID", true, user_id)) ||
        (e = tn_json_int(CTX, BODY, "type", true, INT32_MIN, INT32_MAX, &type)) ||
        (e = tn_json_str(CTX, BODY, "uuid", need_uuid, &c->uuid)) ||
        (e = tn_json_str_wrapper(CTX, BODY, "value", &c->value)) ||
        (e = tn_json_str_wrapper(CTX, BODY, "ex", &c->ex)))
        return e;
    c->type = (int32_t)type;
    return TN_OK;
}

tn_err tn_api_user_command_add(tn_api_call *call)
{
    const char *user_id;
    tn_user_command c;
    tn_err e = decode_command(call, &user_id, &c, true);
    return e ? e : tn_user_command_add(SVC, CTX, user_id, &c);
}

tn_err tn_api_user_command_update(tn_api_call *call)
{
    const char *user_id;
    tn_user_command c;
    tn_err e = decode_command(call, &user_id, &c, true);
    return e ? e : tn_user_command_update(SVC, CTX, user_id, &c);
}

tn_err tn_api_user_command_delete(tn_api_call *call)
{
    const char *user_id;
    tn_user_command c;
    tn_err e = decode_command(call, &user_id, &c, true);
    return e ? e : tn_user_command_delete(SVC, CTX, user_id, c.type, c.uuid);
}

static tn_err commands_answer(tn_api_call *call, const char *user_id, int32_t type)
{
    tn_user_command *list;
    size_t n;
    tn_err e = tn_user_commands_get(SVC, CTX, user_id, type, &list, &n);
    if (e)
        return e;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:i,s:I,s:o,s:o,s:o}", "type", list[i].type, "createTime",
                         (json_int_t)list[i].create_time, "uuid", tn_json_string(list[i].uuid),
                         "value", tn_json_string(list[i].value), "ex", tn_json_string(list[i].ex)));
    call->data = json_pack("{s:o}", "CommandResp", a);
    return TN_OK;
}

tn_err tn_api_user_command_get(tn_api_call *call)
{
    const char *user_id;
    tn_user_command c;
    tn_err e = decode_command(call, &user_id, &c, false);
    return e ? e : commands_answer(call, user_id, c.type);
}

tn_err tn_api_user_command_get_all(tn_api_call *call)
{
    const char *user_id;
    tn_err e = tn_json_str(CTX, BODY, "userID", true, &user_id);
    return e ? e : commands_answer(call, user_id, 0);
}

/* ---- notification accounts ---- */

static json_t *account_json(const tn_user *u)
{
    return json_pack("{s:o,s:o,s:o,s:i}", "userID", tn_json_string(u->user_id), "faceURL",
                     tn_json_string(u->face_url), "nickName", tn_json_string(u->nickname),
                     "appMangerLevel", u->app_manger_level);
}

tn_err tn_api_user_add_notification_account(tn_api_call *call)
{
    tn_user u = {.ex = ""};
    int64_t level;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", false, &u.user_id)) ||
        (e = tn_json_str(CTX, BODY, "nickName", true, &u.nickname)) ||
        (e = tn_json_str(CTX, BODY, "faceURL", false, &u.face_url)) ||
        (e = tn_json_int(CTX, BODY, "appMangerLevel", true, INT32_MIN, INT32_MAX, &level)))
        return e;
    u.app_manger_level = (int32_t)level;
    if ((e = tn_user_add_notification_account(SVC, CTX, &u)))
        return e;
    call->data = account_json(&u);
    return TN_OK;
}

tn_err tn_api_user_update_notification_account(tn_api_call *call)
{
    const char *user_id, *nickname, *face_url;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", true, &user_id)) ||
        (e = tn_json_str(CTX, BODY, "nickName", false, &nickname)) ||
        (e = tn_json_str(CTX, BODY, "faceURL", false, &face_url)))
        return e;
    return tn_user_update_notification_account(SVC, CTX, user_id, nickname, face_url);
}

tn_err tn_api_user_search_notification_account(tn_api_call *call)
{
    const char *keyword;
    bool has_level;
    int64_t level;
    tn_page page;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "keyword", false, &keyword)) ||
        (e = tn_json_int_wrapper(CTX, BODY, "appManagerLevel", INT32_MIN, INT32_MAX, &has_level,
                                 &level)) ||
        (e = tn_json_pagination(CTX, BODY, true, &page)))
        return e;
    tn_user *list;
    size_t n;
    int64_t total;
    if ((e = tn_user_search_notification_accounts(SVC, CTX, keyword, has_level, (int32_t)level,
                                                  page.offset, page.limit, &list, &n, &total)))
        return e;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, account_json(&list[i]));
    call->data = json_pack("{s:I,s:o}", "total", (json_int_t)total, "notificationAccounts", a);
    return TN_OK;
}

/* ---- client config ---- */

tn_err tn_api_user_get_client_config(tn_api_call *call)
{
    const char *user_id;
    tn_kv *kvs;
    size_t n;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", false, &user_id)) ||
        (e = tn_user_client_config_get(SVC, CTX, user_id, &kvs, &n)))
        return e;
    json_t *configs = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(configs, kvs[i].key, tn_json_string(kvs[i].value));
    call->data = json_pack("{s:o}", "configs", configs);
    return TN_OK;
}

tn_err tn_api_user_set_client_config(tn_api_call *call)
{
    const char *user_id;
    json_t *configs;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", false, &user_id)) ||
        (e = tn_json_object(CTX, BODY, "configs", false, &configs)))
        return e;
    size_t n = configs ? json_object_size(configs) : 0, i = 0;
    tn_kv *kvs = tn_arena_calloc(CTX->arena, n ? n : 1, sizeof *kvs);
    const char *key;
    json_t *value;
    json_object_foreach(configs, key, value)
    {
        if (!json_is_string(value))
            return tn_ctx_fail(CTX, TN_EARGS, "configs.%s must be a string", key);
        kvs[i++] = (tn_kv){.key = key, .value = json_string_value(value)};
    }
    return tn_user_client_config_set(SVC, CTX, user_id, kvs, n);
}

tn_err tn_api_user_del_client_config(tn_api_call *call)
{
    const char *user_id, **keys;
    size_t n;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", false, &user_id)) ||
        (e = tn_json_str_list(CTX, BODY, "keys", false, false, &keys, &n)))
        return e;
    return tn_user_client_config_delete(SVC, CTX, user_id, keys, n);
}

tn_err tn_api_user_page_client_config(tn_api_call *call)
{
    const char *user_id, *key;
    tn_page page;
    tn_err e;
    if ((e = tn_json_str(CTX, BODY, "userID", false, &user_id)) ||
        (e = tn_json_str(CTX, BODY, "key", false, &key)) ||
        (e = tn_json_pagination(CTX, BODY, false, &page)))
        return e;
    if (!page.given)
        page.limit = INT32_MAX; /* no pagination: everything */
    tn_kv *kvs;
    size_t n;
    int64_t total;
    if ((e = tn_user_client_config_page(SVC, CTX, user_id, key, page.offset, page.limit, &kvs, &n,
                                        &total)))
        return e;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:o,s:o,s:o}", "key", tn_json_string(kvs[i].key),
                                           "userID", tn_json_string(kvs[i].user_id), "value",
                                           tn_json_string(kvs[i].value)));
    call->data = json_pack("{s:I,s:o}", "total", (json_int_t)total, "configs", a);
    return TN_OK;
}
