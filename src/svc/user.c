/* User rules: who may register, read and change whom, what a valid account is, and how the
 * notification-account, user-command and client-config records behave. */
#include "user.h"

#include "friend.h"
#include "log.h"

#include "msg.h"
#include "rand.h"

#include <stdio.h>
#include <string.h>

#define STORE(svc) ((svc)->store)
#define OPS(svc)   ((svc)->store->ops)

static tn_err store_fail(tn_ctx *ctx, tn_err e, const char *what)
{
    if (e == TN_ENOTFOUND)
        return tn_ctx_fail(ctx, e, "%s not found", what);
    return tn_ctx_fail(ctx, e, "store failed: %s", what);
}

static tn_err require_user(tn_svc *svc, tn_ctx *ctx, const char *user_id, tn_user *out)
{
    tn_user *list;
    size_t n;
    tn_err e = OPS(svc)->users_get(STORE(svc), ctx->app_id, &user_id, 1, ctx->arena, &list, &n);
    if (e)
        return store_fail(ctx, e, "users_get");
    if (n == 0)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "user %s not found", user_id);
    if (out)
        *out = list[0];
    return TN_OK;
}

static tn_err check_unique(tn_ctx *ctx, const char *const *ids, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return tn_ctx_fail(ctx, TN_EARGS, "%s has duplicate %s", field, ids[i]);
    return TN_OK;
}

tn_err tn_user_register(tn_svc *svc, tn_ctx *ctx, tn_user *users, size_t n)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e)
        return e;
    if (n == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "users is empty");
    const char **ids = tn_arena_calloc(ctx->arena, n, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        tn_user *u = &users[i];
        if (!*u->user_id)
            return tn_ctx_fail(ctx, TN_EARGS, "users[%zu].userID is empty", i);
        if (!tn_user_id_valid(u->user_id))
            return tn_ctx_fail(ctx, TN_EARGS,
                               "userID %s is invalid: letters, digits and '_' only, at most %d "
                               "bytes",
                               u->user_id, TN_ID_MAX);
        if (!*u->nickname)
            return tn_ctx_fail(ctx, TN_EARGS, "users[%zu].nickname is empty", i);
        if (u->global_recv_msg_opt < 0 || u->global_recv_msg_opt > 2)
            return tn_ctx_fail(ctx, TN_EARGS, "globalRecvMsgOpt %d is invalid",
                               u->global_recv_msg_opt);
        u->create_time = ctx->now_ms;
        ids[i] = u->user_id;
    }
    if ((e = check_unique(ctx, ids, n, "users")))
        return e;
    const char *dup = NULL;
    e = OPS(svc)->users_insert(STORE(svc), ctx->app_id, users, n, &dup);
    if (e == TN_EREGISTERED)
        return tn_ctx_fail(ctx, e, "userID %s is already registered", dup);
    return e ? store_fail(ctx, e, "users_insert") : TN_OK;
}

tn_err tn_user_update(tn_svc *svc, tn_ctx *ctx, const tn_user_patch *patch)
{
    tn_err e = tn_ctx_self_or_admin(ctx, patch->user_id);
    if (e)
        return e;
    if (patch->has_level && !ctx->is_admin)
        return tn_ctx_fail(ctx, TN_EPERM, "only an app admin may change appMangerLevel");
    if (patch->has_recv_opt && (patch->global_recv_msg_opt < 0 || patch->global_recv_msg_opt > 2))
        return tn_ctx_fail(ctx, TN_EARGS, "globalRecvMsgOpt %d is invalid",
                           patch->global_recv_msg_opt);
    e = OPS(svc)->user_update(STORE(svc), ctx->app_id, patch);
    if (e == TN_ENOTFOUND)
        return tn_ctx_fail(ctx, e, "user %s not found", patch->user_id);
    if (e)
        return store_fail(ctx, e, "user_update");
    /* UserInfoUpdatedNotification (1303): the user's devices refresh their profile; push-only,
     * from the operator as OpenIM sends it */
    json_t *tips = json_pack("{s:s}", "userID", patch->user_id);
    tn_msg_notify(svc, ctx, *ctx->op_user_id ? ctx->op_user_id : patch->user_id, patch->user_id,
                  1303, tips, false);
    json_decref(tips);
    /* friends show the new name and face: their friend logs change, and they are told (1209) */
    if ((patch->nickname || patch->face_url) &&
        tn_friend_profile_changed(svc, ctx, patch->user_id) != TN_OK)
        tn_log_warn(ctx->operation_id, "friends of %s not told of the new profile: %s",
                    patch->user_id, ctx->detail);
    return TN_OK;
}

tn_err tn_user_get_many(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n, tn_user **out,
                        size_t *count)
{
    tn_err e = OPS(svc)->users_get(STORE(svc), ctx->app_id, ids, n, ctx->arena, out, count);
    return e ? store_fail(ctx, e, "users_get") : TN_OK;
}

tn_err tn_user_find(tn_svc *svc, tn_ctx *ctx, const tn_user_query *q, tn_user **out, size_t *count,
                    int64_t *total)
{
    tn_err e = OPS(svc)->users_query(STORE(svc), ctx->app_id, q, ctx->arena, out, count, total);
    return e ? store_fail(ctx, e, "users_query") : TN_OK;
}

tn_err tn_user_account_check(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n,
                             bool *registered)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e || (e = check_unique(ctx, ids, n, "checkUserIDs")))
        return e;
    tn_user *found;
    size_t count;
    if ((e = tn_user_get_many(svc, ctx, ids, n, &found, &count)))
        return e;
    for (size_t i = 0; i < n; i++) {
        registered[i] = false;
        for (size_t j = 0; j < count && !registered[i]; j++)
            registered[i] = strcmp(ids[i], found[j].user_id) == 0;
    }
    return TN_OK;
}

tn_err tn_user_online_status(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n,
                             tn_user_online *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].user_id = ids[i];
        out[i].platform_count = svc->presence
                                    ? tn_presence_platforms(svc->presence, ctx->app_id, ids[i],
                                                            out[i].platforms, TN_PLATFORM_SLOTS)
                                    : 0;
    }
    return TN_OK;
}

/* ---- notification accounts ---- */

static tn_err generate_account_id(tn_svc *svc, tn_ctx *ctx, char *out, size_t outlen)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        unsigned char r[8];
        if (!tn_rand_bytes(r, sizeof r))
            return tn_ctx_fail(ctx, TN_ESERVER, "no randomness");
        uint64_t v = 0;
        memcpy(&v, r, sizeof v);
        snprintf(out, outlen, "%010llu", (unsigned long long)(v % 9000000000ULL + 1000000000ULL));
        const char *id = out;
        tn_user *found;
        size_t n;
        tn_err e = OPS(svc)->users_get(STORE(svc), ctx->app_id, &id, 1, ctx->arena, &found, &n);
        if (e)
            return store_fail(ctx, e, "users_get");
        if (n == 0)
            return TN_OK;
    }
    return tn_ctx_fail(ctx, TN_ESERVER, "cannot find a free account ID");
}

tn_err tn_user_add_notification_account(tn_svc *svc, tn_ctx *ctx, tn_user *account)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e)
        return e;
    if (!*account->nickname)
        return tn_ctx_fail(ctx, TN_EARGS, "nickName is empty");
    if (account->app_manger_level < 3)
        return tn_ctx_fail(ctx, TN_EARGS, "appMangerLevel must be 3 (notification) or 4 (robot)");
    if (!*account->user_id) {
        char *id = tn_arena_alloc(ctx->arena, 16);
        if ((e = generate_account_id(svc, ctx, id, 16)))
            return e;
        account->user_id = id;
    } else if (!tn_user_id_valid(account->user_id)) {
        return tn_ctx_fail(ctx, TN_EARGS, "userID %s is invalid", account->user_id);
    }
    account->create_time = ctx->now_ms;
    const char *dup;
    e = OPS(svc)->users_insert(STORE(svc), ctx->app_id, account, 1, &dup);
    if (e == TN_EREGISTERED)
        return tn_ctx_fail(ctx, TN_EARGS, "userID %s is already in use", dup);
    return e ? store_fail(ctx, e, "users_insert") : TN_OK;
}

tn_err tn_user_update_notification_account(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                                           const char *nickname, const char *face_url)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e)
        return e;
    if (!*nickname && !*face_url)
        return tn_ctx_fail(ctx, TN_EARGS, "nickName and faceURL are both empty");
    tn_user u = {0};
    if ((e = require_user(svc, ctx, user_id, &u)))
        return e;
    if (u.app_manger_level < 3)
        return tn_ctx_fail(ctx, TN_EARGS, "%s is not a notification account", user_id);
    tn_user_patch p = {.user_id = user_id,
                       .nickname = *nickname ? nickname : NULL,
                       .face_url = *face_url ? face_url : NULL};
    e = OPS(svc)->user_update(STORE(svc), ctx->app_id, &p);
    if (e)
        return store_fail(ctx, e, "user_update");
    if (tn_friend_profile_changed(svc, ctx, user_id) != TN_OK)
        tn_log_warn(ctx->operation_id, "friends of %s not told of the new profile: %s", user_id,
                    ctx->detail);
    return TN_OK;
}

tn_err tn_user_search_notification_accounts(tn_svc *svc, tn_ctx *ctx, const char *keyword,
                                            bool has_level, int32_t level, int64_t offset,
                                            int64_t limit, tn_user **out, size_t *count,
                                            int64_t *total)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e)
        return e;
    tn_user_query q = {.level_min = has_level ? level : 3,
                       .level_max = has_level ? level : 1000,
                       .limit = INT32_MAX};
    tn_user *all;
    size_t n;
    int64_t all_total;
    /* An exact userID match wins; otherwise the keyword searches nicknames. */
    if (*keyword) {
        q.user_id_like = keyword;
        q.exact_user_id = true;
        if ((e = tn_user_find(svc, ctx, &q, &all, &n, &all_total)))
            return e;
        if (n == 0) {
            q.user_id_like = NULL;
            q.exact_user_id = false;
            q.nickname_like = keyword;
        }
    }
    if (!*keyword || q.nickname_like) {
        if ((e = tn_user_find(svc, ctx, &q, &all, &n, &all_total)))
            return e;
    }
    /* Admin accounts share level 3 but are not notification accounts. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!tn_config_is_admin(svc->cfg, all[i].user_id))
            all[k++] = all[i];
    *total = (int64_t)k;
    *count = 0;
    *out = all;
    if (offset < (int64_t)k && limit > 0) {
        *out = all + offset;
        *count = (size_t)((int64_t)k - offset < limit ? (int64_t)k - offset : limit);
    }
    return TN_OK;
}

/* ---- user commands ---- */

static tn_err command_access(tn_svc *svc, tn_ctx *ctx, const char *user_id, int32_t type,
                             bool need_type)
{
    tn_err e = tn_ctx_self_or_admin(ctx, user_id);
    if (e)
        return e;
    if (need_type && type == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "type is empty");
    return require_user(svc, ctx, user_id, NULL);
}

tn_err tn_user_command_add(tn_svc *svc, tn_ctx *ctx, const char *user_id, const tn_user_command *c)
{
    tn_err e = command_access(svc, ctx, user_id, c->type, true);
    if (e)
        return e;
    tn_user_command row = *c;
    row.create_time = ctx->now_ms;
    e = OPS(svc)->command_add(STORE(svc), ctx->app_id, user_id, &row);
    if (e == TN_EDUP)
        return tn_ctx_fail(ctx, e, "command type %d uuid %s exists", c->type, c->uuid);
    return e ? store_fail(ctx, e, "command_add") : TN_OK;
}

tn_err tn_user_command_update(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                              const tn_user_command *c)
{
    tn_err e = command_access(svc, ctx, user_id, c->type, true);
    if (e)
        return e;
    e = OPS(svc)->command_update(STORE(svc), ctx->app_id, user_id, c);
    return e ? store_fail(ctx, e, "user command") : TN_OK;
}

tn_err tn_user_command_delete(tn_svc *svc, tn_ctx *ctx, const char *user_id, int32_t type,
                              const char *uuid)
{
    tn_err e = command_access(svc, ctx, user_id, type, true);
    if (e)
        return e;
    e = OPS(svc)->command_delete(STORE(svc), ctx->app_id, user_id, type, uuid);
    return e ? store_fail(ctx, e, "user command") : TN_OK;
}

tn_err tn_user_commands_get(tn_svc *svc, tn_ctx *ctx, const char *user_id, int32_t type,
                            tn_user_command **out, size_t *count)
{
    tn_err e = command_access(svc, ctx, user_id, type, false);
    if (e)
        return e;
    e = OPS(svc)->commands_get(STORE(svc), ctx->app_id, user_id, type, ctx->arena, out, count);
    return e ? store_fail(ctx, e, "commands_get") : TN_OK;
}

/* ---- client config ---- */

tn_err tn_user_client_config_get(tn_svc *svc, tn_ctx *ctx, const char *user_id, tn_kv **out,
                                 size_t *count)
{
    tn_err e;
    if (*user_id && (e = tn_ctx_self_or_admin(ctx, user_id)))
        return e;
    tn_kv *global, *mine = NULL;
    size_t ng, nm = 0;
    int64_t total;
    if ((e = OPS(svc)->client_config_page(STORE(svc), ctx->app_id, "", NULL, 0, INT32_MAX,
                                          ctx->arena, &global, &ng, &total)))
        return store_fail(ctx, e, "client_config_page");
    if (*user_id && (e = OPS(svc)->client_config_page(STORE(svc), ctx->app_id, user_id, NULL, 0,
                                                      INT32_MAX, ctx->arena, &mine, &nm, &total)))
        return store_fail(ctx, e, "client_config_page");
    tn_kv *merged = tn_arena_calloc(ctx->arena, ng + nm + 1, sizeof *merged);
    size_t k = 0;
    for (size_t i = 0; i < ng; i++) {
        bool overridden = false;
        for (size_t j = 0; j < nm && !overridden; j++)
            overridden = strcmp(global[i].key, mine[j].key) == 0;
        if (!overridden)
            merged[k++] = global[i];
    }
    for (size_t j = 0; j < nm; j++)
        merged[k++] = mine[j];
    *out = merged;
    *count = k;
    return TN_OK;
}

tn_err tn_user_client_config_set(tn_svc *svc, tn_ctx *ctx, const char *user_id, tn_kv *kvs,
                                 size_t n)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e || (*user_id && (e = require_user(svc, ctx, user_id, NULL))))
        return e;
    for (size_t i = 0; i < n; i++) {
        if (!*kvs[i].key)
            return tn_ctx_fail(ctx, TN_EARGS, "configs has an empty key");
        kvs[i].user_id = user_id;
    }
    e = OPS(svc)->client_config_set(STORE(svc), ctx->app_id, kvs, n);
    return e ? store_fail(ctx, e, "client_config_set") : TN_OK;
}

tn_err tn_user_client_config_delete(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                                    const char *const *keys, size_t n)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e)
        return e;
    e = OPS(svc)->client_config_delete(STORE(svc), ctx->app_id, user_id, keys, n);
    return e ? store_fail(ctx, e, "client_config_delete") : TN_OK;
}

tn_err tn_user_client_config_page(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *key,
                                  int64_t offset, int64_t limit, tn_kv **out, size_t *count,
                                  int64_t *total)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e)
        return e;
    e = OPS(svc)->client_config_page(STORE(svc), ctx->app_id, *user_id ? user_id : NULL,
                                     *key ? key : NULL, offset, limit, ctx->arena, out, count,
                                     total);
    return e ? store_fail(ctx, e, "client_config_page") : TN_OK;
}
