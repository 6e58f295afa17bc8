/* Friend rules as OpenIM applies them: permissions, applying and answering, one-sided deletes,
 * imports, blacklists, incremental sync of the friend log, and the friend notifications. */
#include "friend.h"

#include <string.h>

#include "friend_json.h"
#include "hmap.h"
#include "json.h"
#include "notify.h"

#define FS(svc)    ((svc)->store->friends)
#define STORE(svc) ((svc)->store)

#define ADD_BY_IMPORT 1 /* addSource of friendships an admin imported */

static tn_err store_fail(tn_ctx *ctx, tn_err e, const char *what)
{
    if (e == TN_ENOTFOUND)
        return tn_ctx_fail(ctx, e, "%s not found", what);
    return tn_ctx_fail(ctx, e, "store failed: %s", what);
}

/* ---- argument rules ---- */

static tn_err check_id_list(tn_ctx *ctx, const char *field, const char *const *ids, size_t n)
{
    if (n == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "%s is empty", field);
    if (n > TN_FRIEND_LIST_MAX)
        return tn_ctx_fail(ctx, TN_EARGS, "%s has more than %d IDs", field, TN_FRIEND_LIST_MAX);
    for (size_t i = 0; i < n; i++) {
        if (!ids[i] || !*ids[i])
            return tn_ctx_fail(ctx, TN_EARGS, "%s has an empty ID", field);
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return tn_ctx_fail(ctx, TN_EARGS, "%s has duplicate %s", field, ids[i]);
    }
    return TN_OK;
}

static tn_err either_or_admin(tn_ctx *ctx, const char *a, const char *b)
{
    if (ctx->is_admin || strcmp(ctx->op_user_id, a) == 0 || strcmp(ctx->op_user_id, b) == 0)
        return TN_OK;
    return tn_ctx_fail(ctx, TN_EPERM, "only %s, %s or an app admin may do this", a, b);
}

/* ---- profiles ---- */

/* users[i] = the profile of ids[i], NULL when unknown. */
static tn_err load_users(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n,
                         const tn_user ***users)
{
    const tn_user **out = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *out);
    *users = out;
    if (n == 0)
        return TN_OK;
    tn_user *found;
    size_t count;
    tn_err e =
        STORE(svc)->ops->users_get(STORE(svc), ctx->app_id, ids, n, ctx->arena, &found, &count);
    if (e)
        return store_fail(ctx, e, "users_get");
    tn_hmap m = {0};
    for (size_t i = 0; i < count; i++)
        tn_hmap_puts(&m, found[i].user_id, &found[i]);
    for (size_t i = 0; i < n; i++)
        out[i] = tn_hmap_gets(&m, ids[i]);
    tn_hmap_free(&m);
    return TN_OK;
}

/* 1004 naming the first of ids that is not registered. */
static tn_err require_users(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n,
                            const tn_user ***users)
{
    tn_err e = load_users(svc, ctx, ids, n, users);
    for (size_t i = 0; i < n && e == TN_OK; i++)
        if (!(*users)[i])
            e = tn_ctx_fail(ctx, TN_ENOTFOUND, "user %s not found", ids[i]);
    return e;
}

/* Friend records with their friends' profiles. */
static tn_err with_profiles(tn_svc *svc, tn_ctx *ctx, const tn_friend *list, size_t n,
                            tn_friend_full **out)
{
    const char **ids = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = list[i].friend_user_id;
    const tn_user **users;
    tn_err e = load_users(svc, ctx, ids, n, &users);
    if (e)
        return e;
    tn_friend_full *full = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *full);
    for (size_t i = 0; i < n; i++)
        full[i] = (tn_friend_full){.rec = list[i], .user = users[i]};
    *out = full;
    return TN_OK;
}

static tn_err blacks_with_profiles(tn_svc *svc, tn_ctx *ctx, const tn_black *list, size_t n,
                                   tn_black_full **out)
{
    const char **ids = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = list[i].block_user_id;
    const tn_user **users;
    tn_err e = load_users(svc, ctx, ids, n, &users);
    if (e)
        return e;
    tn_black_full *full = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *full);
    for (size_t i = 0; i < n; i++)
        full[i] = (tn_black_full){.rec = list[i], .user = users[i]};
    *out = full;
    return TN_OK;
}

static tn_err requests_with_profiles(tn_svc *svc, tn_ctx *ctx, const tn_friend_request *list,
                                     size_t n, tn_request_full **out)
{
    const char **ids = tn_arena_calloc(ctx->arena, 2 * n + 1, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        ids[2 * i] = list[i].from_user_id;
        ids[2 * i + 1] = list[i].to_user_id;
    }
    const tn_user **users;
    tn_err e = load_users(svc, ctx, ids, 2 * n, &users);
    if (e)
        return e;
    tn_request_full *full = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *full);
    for (size_t i = 0; i < n; i++)
        full[i] = (tn_request_full){.rec = list[i], .from = users[2 * i], .to = users[2 * i + 1]};
    *out = full;
    return TN_OK;
}

/* ---- notifications ---- */

/* The head of owner's friend log now (zeros if it cannot be read: the change is done). */
static tn_version_head friend_head(tn_svc *svc, tn_ctx *ctx, const char *owner)
{
    tn_version_head h = {.version_id = "", .version = 0};
    char saved[TN_DETAIL_MAX];
    memcpy(saved, ctx->detail, sizeof saved);
    if (tn_version_head_get(svc, ctx, TN_VERSION_FRIEND, owner, &h) != TN_OK)
        h = (tn_version_head){.version_id = "", .version = 0};
    memcpy(ctx->detail, saved, sizeof saved);
    return h;
}

static void notify(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to, int32_t type,
                   json_t *tips)
{
    tn_notify_user(svc, ctx, from, to, type, tips, TN_NOTIFY_DEFAULT);
    json_decref(tips);
}

/* The stored request from→to as FriendRequest JSON, null when it cannot be read. */
static json_t *request_json(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                            const tn_user *from_user, const tn_user *to_user)
{
    tn_friend_request r;
    if (FS(svc)->request_get(STORE(svc), ctx->app_id, from, to, ctx->arena, &r) != TN_OK)
        return json_null();
    return tn_json_friend_request(&r, from_user, to_user);
}

static tn_err is_friend_of(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *user, bool *yes)
{
    tn_friend *found;
    size_t n = 0;
    tn_err e =
        FS(svc)->friends_get(STORE(svc), ctx->app_id, owner, &user, 1, ctx->arena, &found, &n);
    *yes = n > 0;
    return e ? store_fail(ctx, e, "friends_get") : TN_OK;
}

/* ---- writes ---- */

tn_err tn_friend_apply(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                       const char *req_msg, const char *ex)
{
    tn_err e = tn_ctx_self_or_admin(ctx, from);
    if (e)
        return e;
    if (strcmp(from, to) == 0)
        return tn_ctx_fail(ctx, TN_EADD_SELF, "cannot add yourself as a friend");
    const char *pair[2] = {to, from};
    const tn_user **users;
    if ((e = require_users(svc, ctx, pair, 2, &users)))
        return e;
    bool blocked = false;
    if ((e = FS(svc)->is_blocked(STORE(svc), ctx->app_id, to, from, &blocked)))
        return store_fail(ctx, e, "is_blocked");
    if (blocked)
        return tn_ctx_fail(ctx, TN_EBLOCKED, "%s has blocked %s", to, from);
    bool in1, in2;
    if ((e = is_friend_of(svc, ctx, from, to, &in1)) ||
        (e = is_friend_of(svc, ctx, to, from, &in2)))
        return e;
    if (in1 && in2)
        return tn_ctx_fail(ctx, TN_ERELATION_EXISTS, "%s and %s are already friends", from, to);
    tn_friend_request r = {
        .from_user_id = from,
        .to_user_id = to,
        .req_msg = req_msg ? req_msg : "",
        .create_time = ctx->now_ms,
        .ex = ex ? ex : "",
    };
    if ((e = FS(svc)->request_put(STORE(svc), ctx->app_id, &r)))
        return store_fail(ctx, e, "request_put");
    /* FriendApplicationNotification (1203) applicant → target */
    notify(svc, ctx, from, to, 1203,
           json_pack("{s:o,s:o}", "fromToUserID", tn_json_from_to(from, to), "request",
                     request_json(svc, ctx, from, to, users[1], users[0])));
    return TN_OK;
}

tn_err tn_friend_respond(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                         int32_t handle_result, const char *handle_msg)
{
    tn_err e = tn_ctx_self_or_admin(ctx, to);
    if (e)
        return e;
    if (handle_result != 1 && handle_result != -1)
        return tn_ctx_fail(ctx, TN_EARGS, "handleResult %d is invalid: 1 agree, -1 refuse",
                           handle_result);
    tn_friend_request r = {
        .from_user_id = from,
        .to_user_id = to,
        .handle_result = handle_result,
        .handler_user_id = *ctx->op_user_id ? ctx->op_user_id : to,
        .handle_msg = handle_msg ? handle_msg : "",
        .handle_time = ctx->now_ms,
    };
    e = FS(svc)->request_answer(STORE(svc), ctx->app_id, &r);
    if (e == TN_ENOTFOUND)
        return tn_ctx_fail(ctx, e, "no friend request from %s to %s", from, to);
    if (e == TN_EFRIEND_REQ_HANDLED)
        return tn_ctx_fail(ctx, TN_EARGS, "the friend request has been processed");
    if (e)
        return store_fail(ctx, e, "request_answer");

    const char *pair[2] = {from, to};
    const tn_user **users;
    if (load_users(svc, ctx, pair, 2, &users) != TN_OK)
        users = tn_arena_calloc(ctx->arena, 2, sizeof *users);
    json_t *request = request_json(svc, ctx, from, to, users[0], users[1]);
    if (handle_result == 1) {
        /* FriendApplicationApprovedNotification (1201) responder → applicant, with the
         * applicant's friend log as it is now */
        tn_version_head h = friend_head(svc, ctx, from);
        notify(svc, ctx, to, from, 1201,
               json_pack("{s:o,s:s,s:I,s:o,s:o}", "fromToUserID", tn_json_from_to(from, to),
                         "handleMsg", r.handle_msg, "friendVersion", (json_int_t)h.version,
                         "friendVersionID", tn_json_string(h.version_id), "request", request));
    } else {
        /* FriendApplicationRejectedNotification (1202) responder → applicant */
        notify(svc, ctx, to, from, 1202,
               json_pack("{s:o,s:s,s:o}", "fromToUserID", tn_json_from_to(from, to), "handleMsg",
                         r.handle_msg, "request", request));
    }
    return TN_OK;
}

tn_err tn_friend_delete(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *friend_id)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e)
        return e;
    e = FS(svc)->friend_delete(STORE(svc), ctx->app_id, owner, friend_id, ctx->now_ms);
    if (e == TN_ENOTFOUND)
        return tn_ctx_fail(ctx, e, "%s is not a friend of %s", friend_id, owner);
    if (e)
        return store_fail(ctx, e, "friend_delete");
    /* FriendDeletedNotification (1205) owner → ex-friend, with the owner's log */
    tn_version_head h = friend_head(svc, ctx, owner);
    notify(svc, ctx, owner, friend_id, 1205,
           json_pack("{s:o,s:I,s:o}", "fromToUserID", tn_json_from_to(owner, friend_id),
                     "friendVersion", (json_int_t)h.version, "friendVersionID",
                     tn_json_string(h.version_id)));
    return TN_OK;
}

/* 1004 unless every one of ids is owner's friend. */
static tn_err require_friends(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                              size_t n)
{
    tn_friend *found;
    size_t count;
    tn_err e =
        FS(svc)->friends_get(STORE(svc), ctx->app_id, owner, ids, n, ctx->arena, &found, &count);
    if (e)
        return store_fail(ctx, e, "friends_get");
    for (size_t i = 0, j = 0; i < n; i++) {
        /* found keeps the order of ids, without the missing ones */
        if (j < count && strcmp(found[j].friend_user_id, ids[i]) == 0)
            j++;
        else
            return tn_ctx_fail(ctx, TN_ENOTFOUND, "%s is not a friend of %s", ids[i], owner);
    }
    return TN_OK;
}

static tn_err update_friends(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                             size_t n, const tn_friend_patch *p)
{
    tn_err e = FS(svc)->friends_update(STORE(svc), ctx->app_id, owner, ids, n, p, ctx->now_ms);
    return e ? store_fail(ctx, e, "friends_update") : TN_OK;
}

tn_err tn_friend_set_remark(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *friend_id,
                            const char *remark)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e || (e = require_friends(svc, ctx, owner, &friend_id, 1)))
        return e;
    tn_friend_patch p = {.remark = remark ? remark : ""};
    if ((e = update_friends(svc, ctx, owner, &friend_id, 1, &p)))
        return e;
    /* FriendRemarkSetNotification (1206) owner → friend, with the owner's log */
    tn_version_head h = friend_head(svc, ctx, owner);
    notify(svc, ctx, owner, friend_id, 1206,
           json_pack("{s:o,s:I,s:o,s:I}", "fromToUserID", tn_json_from_to(owner, friend_id),
                     "friendVersion", (json_int_t)h.version, "friendVersionID",
                     tn_json_string(h.version_id), "friendSortVersion", (json_int_t)0));
    return TN_OK;
}

tn_err tn_friend_update(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                        size_t n, const tn_friend_patch *p)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e || (e = check_id_list(ctx, "friendUserIDs", ids, n)) ||
        (e = require_friends(svc, ctx, owner, ids, n)))
        return e;
    if (!p->remark && !p->ex && !p->has_pinned)
        return TN_OK; /* nothing to change */
    if ((e = update_friends(svc, ctx, owner, ids, n, p)))
        return e;
    /* FriendsInfoUpdateNotification (1210) owner → owner, as OpenIM fills it (no fromUserID) */
    tn_version_head h = friend_head(svc, ctx, owner);
    notify(svc, ctx, owner, owner, 1210,
           json_pack("{s:o,s:o,s:I,s:o}", "fromToUserID", tn_json_from_to("", owner), "friendIDs",
                     tn_json_str_array(ids, n), "friendVersion", (json_int_t)h.version,
                     "friendVersionID", tn_json_string(h.version_id)));
    return TN_OK;
}

tn_err tn_friend_import(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                        size_t n)
{
    tn_err e = tn_ctx_admin_only(ctx);
    if (e || (e = check_id_list(ctx, "friendUserIDs", ids, n)))
        return e;
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], owner) == 0)
            return tn_ctx_fail(ctx, TN_EADD_SELF, "friendUserIDs contains ownerUserID");
    const tn_user **users;
    if ((e = require_users(svc, ctx, &owner, 1, &users)) ||
        (e = require_users(svc, ctx, ids, n, &users)))
        return e;
    tn_friend *pairs = tn_arena_calloc(ctx->arena, 2 * n, sizeof *pairs);
    for (size_t i = 0; i < n; i++) {
        tn_friend base = {.remark = "",
                          .create_time = ctx->now_ms,
                          .add_source = ADD_BY_IMPORT,
                          .operator_user_id = ctx->op_user_id,
                          .ex = ""};
        pairs[2 * i] = base;
        pairs[2 * i].owner_user_id = owner;
        pairs[2 * i].friend_user_id = ids[i];
        pairs[2 * i + 1] = base;
        pairs[2 * i + 1].owner_user_id = ids[i];
        pairs[2 * i + 1].friend_user_id = owner;
    }
    if ((e = FS(svc)->friends_add(STORE(svc), ctx->app_id, pairs, 2 * n, NULL)))
        return store_fail(ctx, e, "friends_add");
    /* FriendApplicationApprovedNotification (1201) per friend, friend → owner, no request */
    tn_version_head h = friend_head(svc, ctx, owner);
    for (size_t i = 0; i < n; i++)
        notify(svc, ctx, ids[i], owner, 1201,
               json_pack("{s:o,s:s,s:I,s:o,s:n}", "fromToUserID", tn_json_from_to(owner, ids[i]),
                         "handleMsg", "", "friendVersion", (json_int_t)h.version, "friendVersionID",
                         tn_json_string(h.version_id), "request"));
    return TN_OK;
}

tn_err tn_friend_profile_changed(tn_svc *svc, tn_ctx *ctx, const char *user_id)
{
    const char **owners;
    size_t n;
    tn_err e = FS(svc)->friend_owners_touch(STORE(svc), ctx->app_id, user_id, ctx->now_ms,
                                            ctx->arena, &owners, &n);
    if (e)
        return store_fail(ctx, e, "friend_owners_touch");
    /* FriendInfoUpdatedNotification (1209) operator → each owner holding the user */
    const char *op = *ctx->op_user_id ? ctx->op_user_id : user_id;
    for (size_t i = 0; i < n; i++)
        notify(svc, ctx, op, owners[i], 1209, json_pack("{s:s}", "userID", user_id));
    return TN_OK;
}

tn_err tn_friend_black_add(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *black_id,
                           const char *ex)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e)
        return e;
    if (strcmp(owner, black_id) == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "cannot block yourself");
    const char *pair[2] = {owner, black_id};
    const tn_user **users;
    if ((e = require_users(svc, ctx, pair, 2, &users)))
        return e;
    tn_black b = {
        .owner_user_id = owner,
        .block_user_id = black_id,
        .create_time = ctx->now_ms,
        .operator_user_id = ctx->op_user_id,
        .ex = ex ? ex : "",
    };
    e = FS(svc)->black_add(STORE(svc), ctx->app_id, &b);
    if (e == TN_EDUP)
        return tn_ctx_fail(ctx, e, "%s has already blocked %s", owner, black_id);
    if (e)
        return store_fail(ctx, e, "black_add");
    /* BlackAddedNotification (1207) owner → blocked user */
    notify(svc, ctx, owner, black_id, 1207,
           json_pack("{s:o}", "fromToUserID", tn_json_from_to(owner, black_id)));
    return TN_OK;
}

tn_err tn_friend_black_remove(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *black_id)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e)
        return e;
    e = FS(svc)->black_remove(STORE(svc), ctx->app_id, owner, black_id);
    if (e == TN_ENOTFOUND)
        return TN_OK; /* OpenIM answers success */
    if (e)
        return store_fail(ctx, e, "black_remove");
    /* BlackDeletedNotification (1208) owner → unblocked user */
    notify(svc, ctx, owner, black_id, 1208,
           json_pack("{s:o}", "fromToUserID", tn_json_from_to(owner, black_id)));
    return TN_OK;
}

/* ---- reads ---- */

tn_err tn_friend_page(tn_svc *svc, tn_ctx *ctx, const char *owner, int64_t offset, int64_t limit,
                      tn_friend_full **out, size_t *count, int64_t *total)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e)
        return e;
    tn_friend *list;
    if ((e = FS(svc)->friends_page(STORE(svc), ctx->app_id, owner, offset, limit, ctx->arena, &list,
                                   count, total)))
        return store_fail(ctx, e, "friends_page");
    return with_profiles(svc, ctx, list, *count, out);
}

tn_err tn_friend_designated(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                            size_t n, tn_friend_full **out, size_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e)
        return e;
    *out = NULL;
    *count = 0;
    if (n == 0)
        return TN_OK;
    if ((e = check_id_list(ctx, "friendUserIDs", ids, n)))
        return e;
    tn_friend *list;
    if ((e = FS(svc)->friends_get(STORE(svc), ctx->app_id, owner, ids, n, ctx->arena, &list,
                                  count)))
        return store_fail(ctx, e, "friends_get");
    return with_profiles(svc, ctx, list, *count, out);
}

tn_err tn_friend_ids(tn_svc *svc, tn_ctx *ctx, const char *owner, const char ***ids, size_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e)
        return e;
    e = FS(svc)->friend_ids(STORE(svc), ctx->app_id, owner, ctx->arena, ids, count);
    return e ? store_fail(ctx, e, "friend_ids") : TN_OK;
}

tn_err tn_friend_check(tn_svc *svc, tn_ctx *ctx, const char *user1, const char *user2, bool *in1,
                       bool *in2)
{
    *in1 = *in2 = false;
    tn_err e = either_or_admin(ctx, user1, user2);
    if (e || (e = is_friend_of(svc, ctx, user1, user2, in1)) ||
        (e = is_friend_of(svc, ctx, user2, user1, in2)))
        return e;
    return TN_OK;
}

tn_err tn_friend_specified(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                           size_t n, tn_friend_relation **out, size_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e || (e = check_id_list(ctx, "userIDList", ids, n)))
        return e;
    const tn_user **users;
    tn_friend *friends;
    tn_black *blacks;
    size_t nf, nb;
    if ((e = load_users(svc, ctx, ids, n, &users)))
        return e;
    if ((e = FS(svc)->friends_get(STORE(svc), ctx->app_id, owner, ids, n, ctx->arena, &friends,
                                  &nf)))
        return store_fail(ctx, e, "friends_get");
    if ((e = FS(svc)->blacks_get(STORE(svc), ctx->app_id, owner, ids, n, ctx->arena, &blacks, &nb)))
        return store_fail(ctx, e, "blacks_get");
    tn_friend_relation *list = tn_arena_calloc(ctx->arena, n, sizeof *list);
    size_t k = 0, jf = 0, jb = 0;
    for (size_t i = 0; i < n; i++) {
        /* friends and blacks keep the order of ids, without the missing ones */
        const tn_friend *f =
            jf < nf && strcmp(friends[jf].friend_user_id, ids[i]) == 0 ? &friends[jf++] : NULL;
        const tn_black *b =
            jb < nb && strcmp(blacks[jb].block_user_id, ids[i]) == 0 ? &blacks[jb++] : NULL;
        if (users[i])
            list[k++] = (tn_friend_relation){.user = users[i], .friend_rec = f, .black = b};
    }
    *out = list;
    *count = k;
    return TN_OK;
}

static tn_err get_full(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                       size_t n, tn_friend_full **out, size_t *count)
{
    tn_friend *list;
    tn_err e =
        FS(svc)->friends_get(STORE(svc), ctx->app_id, owner, ids, n, ctx->arena, &list, count);
    if (e)
        return store_fail(ctx, e, "friends_get");
    return with_profiles(svc, ctx, list, *count, out);
}

tn_err tn_friend_incremental(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *version_id,
                             int64_t version, tn_friend_sync *out)
{
    memset(out, 0, sizeof *out);
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e || (e = tn_version_sync(svc, ctx, TN_VERSION_FRIEND, owner, version_id, version,
                                  &out->head, &out->delta)))
        return e;
    const tn_version_delta *d = &out->delta;
    if (d->insert_count && (e = get_full(svc, ctx, owner, d->insert_ids, d->insert_count,
                                         &out->insert, &out->insert_count)))
        return e;
    if (d->update_count && (e = get_full(svc, ctx, owner, d->update_ids, d->update_count,
                                         &out->update, &out->update_count)))
        return e;
    return TN_OK;
}

tn_err tn_friend_full_ids(tn_svc *svc, tn_ctx *ctx, const char *owner, uint64_t id_hash,
                          tn_version_head *head, bool *equal, const char ***ids, size_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e || (e = tn_version_head_get(svc, ctx, TN_VERSION_FRIEND, owner, head)))
        return e;
    const char **list;
    size_t n;
    if ((e = FS(svc)->friend_ids(STORE(svc), ctx->app_id, owner, ctx->arena, &list, &n)))
        return store_fail(ctx, e, "friend_ids");
    *equal = tn_version_id_hash(list, n) == id_hash;
    *ids = *equal ? NULL : list;
    *count = *equal ? 0 : n;
    return TN_OK;
}

tn_err tn_friend_requests(tn_svc *svc, tn_ctx *ctx, const char *user, bool received,
                          const int32_t *results, size_t nresults, int64_t offset, int64_t limit,
                          tn_request_full **out, size_t *count, int64_t *total)
{
    tn_err e = tn_ctx_self_or_admin(ctx, user);
    if (e)
        return e;
    tn_friend_request *list;
    if ((e = FS(svc)->requests_page(STORE(svc), ctx->app_id, user, received, results, nresults,
                                    offset, limit, ctx->arena, &list, count, total)))
        return store_fail(ctx, e, "requests_page");
    return requests_with_profiles(svc, ctx, list, *count, out);
}

tn_err tn_friend_requests_between(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                                  tn_request_full **out, size_t *count)
{
    tn_err e = either_or_admin(ctx, from, to);
    if (e)
        return e;
    tn_friend_request *list;
    if ((e = FS(svc)->requests_between(STORE(svc), ctx->app_id, from, to, ctx->arena, &list,
                                       count)))
        return store_fail(ctx, e, "requests_between");
    return requests_with_profiles(svc, ctx, list, *count, out);
}

tn_err tn_friend_unhandled_count(tn_svc *svc, tn_ctx *ctx, const char *user, int64_t after_ms,
                                 int64_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, user);
    if (e)
        return e;
    e = FS(svc)->requests_unhandled(STORE(svc), ctx->app_id, user, after_ms, count);
    return e ? store_fail(ctx, e, "requests_unhandled") : TN_OK;
}

tn_err tn_friend_black_page(tn_svc *svc, tn_ctx *ctx, const char *owner, int64_t offset,
                            int64_t limit, tn_black_full **out, size_t *count, int64_t *total)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e)
        return e;
    tn_black *list;
    if ((e = FS(svc)->blacks_page(STORE(svc), ctx->app_id, owner, offset, limit, ctx->arena, &list,
                                  count, total)))
        return store_fail(ctx, e, "blacks_page");
    return blacks_with_profiles(svc, ctx, list, *count, out);
}

tn_err tn_friend_black_specified(tn_svc *svc, tn_ctx *ctx, const char *owner,
                                 const char *const *ids, size_t n, tn_black_full **out,
                                 size_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e || (e = check_id_list(ctx, "userIDList", ids, n)))
        return e;
    tn_black *list;
    if ((e = FS(svc)->blacks_get(STORE(svc), ctx->app_id, owner, ids, n, ctx->arena, &list, count)))
        return store_fail(ctx, e, "blacks_get");
    return blacks_with_profiles(svc, ctx, list, *count, out);
}
