/* Group membership rules: invite, kick, quit, owner transfer, member mutes and member info
 * (roles, nicknames), and the member lists. */
#include "group_internal.h"

#include <string.h>

#define INVITE_BATCH 50 /* members per write and per MemberInvited notice, as OpenIM sends them */

static tn_err require_group_id(tn_ctx *ctx, const char *group_id)
{
    return group_id && *group_id ? TN_OK : tn_ctx_fail(ctx, TN_EARGS, "groupID is empty");
}

static tn_err check_list(tn_ctx *ctx, const char *const *ids, size_t n, const char *field)
{
    if (n == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "%s is empty", field);
    if (n > TN_GROUP_LIST_MAX)
        return tn_ctx_fail(ctx, TN_EARGS, "%s has more than %d IDs", field, TN_GROUP_LIST_MAX);
    for (size_t i = 0; i < n; i++)
        if (!*ids[i])
            return tn_ctx_fail(ctx, TN_EARGS, "%s has an empty ID", field);
    return tn_group_ids_unique(ctx, ids, n, field) ? TN_OK : TN_EARGS;
}

/* ---- invite ---- */

/* MemberInvitedTips for the members just added; inviter NULL = the operator */
static void tell_invited(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *const *ids,
                         size_t n, const char *inviter, int send_msg)
{
    tn_group_member_list l;
    if (tn_group_members_load(svc, ctx, group_id, ids, n, &l))
        return;
    json_t *op = tn_group_op_json(svc, ctx, group_id);
    json_t *inviter_json = json_null();
    if (!inviter || strcmp(inviter, ctx->op_user_id) == 0) {
        inviter_json = json_incref(op);
    } else if (*inviter) {
        inviter_json = tn_group_member_json(svc, ctx, group_id, inviter);
        if (json_is_null(inviter_json)) { /* not (or no longer) a member */
            tn_user *u;
            size_t nu;
            if (tn_group_users(svc, ctx, &inviter, 1, &u, &nu) == TN_OK && nu) {
                tn_group_member outside = {
                    .group_id = group_id, .user_id = inviter, .operator_user_id = inviter};
                json_decref(inviter_json);
                inviter_json = tn_json_group_member(&outside, &u[0]);
            }
        }
    }
    json_t *tips =
        json_pack("{s:o,s:o,s:o,s:I}", "group", tn_group_info_json(svc, ctx, group_id), "opUser",
                  op, "invitedUserList", tn_json_group_members(l.items, l.profiles, l.count),
                  "operationTime", (json_int_t)ctx->now_ms);
    tn_group_set_versions(svc, ctx, group_id, tips, false);
    json_object_set_new(tips, "inviterUser", inviter_json);
    tn_group_tell(svc, ctx, group_id, 1509, tips, send_msg, NULL, 0);
}

/* join requests for the invitees instead of members (needVerification 1, ordinary inviter) */
static tn_err invite_requests(tn_svc *svc, tn_ctx *ctx, const tn_group *g, const tn_user *users,
                              const char *const *ids, size_t n)
{
    tn_group_request *r = tn_arena_calloc(ctx->arena, n, sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i] = (tn_group_request){.group_id = g->group_id,
                                  .user_id = ids[i],
                                  .req_msg = "",
                                  .handle_msg = "",
                                  .req_time = ctx->now_ms,
                                  .handle_user_id = "",
                                  .ex = "",
                                  .join_source = 2, /* invitation */
                                  .inviter_user_id = ctx->op_user_id};
    tn_err e = GOPS(svc)->requests_put(svc->store, ctx->app_id, r, n);
    if (e)
        return tn_group_store_fail(ctx, e, "requests_put");
    /* JoinGroupApplication (1503) per invitee to the owner and admins, the invitee and the
     * inviter */
    tn_group_member *m;
    size_t nm;
    if (GOPS(svc)->members_ordered(svc->store, ctx->app_id, g->group_id, ctx->arena, &m, &nm))
        nm = 0;
    for (size_t i = 0; i < n; i++) {
        const tn_user *u = tn_group_user_find(users, n, ids[i]);
        json_t *tips =
            json_pack("{s:o,s:o,s:s,s:s,s:o}", "group", tn_json_group_info(g), "applicant",
                      tn_json_public_user(u), "reqMsg", "", "uuid", tn_group_uuid(ctx), "request",
                      tn_json_group_request(&r[i], u, NULL));
        const char **to = tn_arena_calloc(ctx->arena, nm + 2, sizeof *to);
        size_t k = 0;
        for (size_t j = 0; j < nm && tn_group_is_manager(m[j].role_level); j++)
            to[k++] = m[j].user_id;
        to[k++] = ids[i];
        to[k++] = ctx->op_user_id;
        for (size_t j = 0; tips && j < k; j++) {
            bool seen = false;
            for (size_t x = 0; x < j && !seen; x++)
                seen = strcmp(to[x], to[j]) == 0;
            if (!seen)
                tn_notify_user(svc, ctx, ctx->op_user_id, to[j], 1503, tips, TN_NOTIFY_DEFAULT);
        }
        json_decref(tips);
    }
    return TN_OK;
}

tn_err tn_group_invite(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *const *ids,
                       size_t n, int send_msg)
{
    tn_group g;
    tn_err e;
    if ((e = require_group_id(ctx, group_id)) || (e = check_list(ctx, ids, n, "invitedUserIDs")) ||
        (e = tn_group_load(svc, ctx, group_id, &g)))
        return e;
    if (g.status == TN_GROUP_STATUS_DISMISSED)
        return tn_ctx_fail(ctx, TN_EGROUP_DISMISSED, "group %s is dismissed", group_id);
    tn_user *users;
    size_t nu;
    if ((e = tn_group_users(svc, ctx, ids, n, &users, &nu)))
        return e;
    if (nu != n)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "user not found");
    tn_group_member *op = NULL;
    if (!ctx->is_admin) {
        if ((e = tn_group_member_of(svc, ctx, group_id, ctx->op_user_id, &op)))
            return e;
        if (!op)
            return tn_ctx_fail(ctx, TN_ENOTFOUND, "%s is not a member of group %s", ctx->op_user_id,
                               group_id);
    }
    tn_group_member_list already;
    if ((e = tn_group_members_load(svc, ctx, group_id, ids, n, &already)))
        return e;
    if (already.count)
        return tn_ctx_fail(ctx, TN_EARGS, "%s is already in group %s", already.items[0].user_id,
                           group_id);
    if (g.need_verification == 1 && op && !tn_group_is_manager(op->role_level))
        return invite_requests(svc, ctx, &g, users, ids, n);

    bool history = svc->cfg->group_history_for_new_members == 1;
    for (size_t start = 0; start < n; start += INVITE_BATCH) {
        size_t k = n - start < INVITE_BATCH ? n - start : INVITE_BATCH;
        tn_group_member *m = tn_arena_calloc(ctx->arena, k, sizeof *m);
        for (size_t i = 0; i < k; i++)
            m[i] = (tn_group_member){.group_id = group_id,
                                     .user_id = ids[start + i],
                                     .role_level = TN_ROLE_MEMBER,
                                     .join_time = ctx->now_ms,
                                     .join_source = 2,
                                     .operator_user_id = ctx->op_user_id,
                                     .inviter_user_id = ctx->op_user_id};
        e = GOPS(svc)->members_add(svc->store, ctx->app_id, group_id, m, k, history, ctx->now_ms);
        if (e == TN_EDUP)
            return tn_ctx_fail(ctx, TN_EARGS, "an invitee is already in group %s", group_id);
        if (e)
            return tn_group_store_fail(ctx, e, "members_add");
        tn_group_view_invalidate(svc, group_id);
        tell_invited(svc, ctx, group_id, ids + start, k, NULL, send_msg);
    }
    return TN_OK;
}

/* ---- kick, quit ---- */

tn_err tn_group_kick(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *const *ids,
                     size_t n, int send_msg)
{
    tn_group g;
    tn_err e;
    if ((e = require_group_id(ctx, group_id)) || (e = tn_group_load(svc, ctx, group_id, &g)) ||
        (e = check_list(ctx, ids, n, "kickedUserIDs")))
        return e;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ids[i], ctx->op_user_id) == 0)
            return tn_ctx_fail(ctx, TN_EARGS, "opUserID in KickedUserIDs");
        if (strcmp(ids[i], g.owner_user_id) == 0)
            return tn_ctx_fail(ctx, TN_EARGS, "ownerUID can not Kick");
    }
    tn_group_member_list kicked;
    tn_group_member *op;
    if ((e = tn_group_members_load(svc, ctx, group_id, ids, n, &kicked)) ||
        (e = tn_group_member_of(svc, ctx, group_id, ctx->op_user_id, &op)))
        return e;
    for (size_t i = 0; i < n; i++) {
        const tn_group_member *m = NULL;
        for (size_t j = 0; j < kicked.count && !m; j++)
            if (strcmp(kicked.items[j].user_id, ids[i]) == 0)
                m = &kicked.items[j];
        if (!m)
            return tn_ctx_fail(ctx, TN_EUSER_NOT_FOUND, "%s is not in group %s", ids[i], group_id);
        if (ctx->is_admin)
            continue;
        if (!op)
            return tn_ctx_fail(ctx, TN_EPERM, "opUserID no in group");
        if (op->role_level == TN_ROLE_ADMIN && tn_group_is_manager(m->role_level))
            return tn_ctx_fail(ctx, TN_EPERM,
                               "group admins cannot remove the group owner and other admins");
        if (op->role_level != TN_ROLE_OWNER && op->role_level != TN_ROLE_ADMIN)
            return tn_ctx_fail(ctx, TN_EPERM, "opUserID no permission");
    }
    if ((e = GOPS(svc)->members_remove(svc->store, ctx->app_id, group_id, ids, n, ctx->now_ms)))
        return tn_group_store_fail(ctx, e, "members_remove");
    tn_group_view_invalidate(svc, group_id);
    json_t *tips = json_pack("{s:o,s:o,s:o,s:I}", "group", tn_group_info_json(svc, ctx, group_id),
                             "opUser", tn_group_op_json(svc, ctx, group_id), "kickedUserList",
                             tn_json_group_members(kicked.items, kicked.profiles, kicked.count),
                             "operationTime", (json_int_t)ctx->now_ms);
    tn_group_set_versions(svc, ctx, group_id, tips, false);
    tn_group_tell(svc, ctx, group_id, 1508, tips, send_msg, ids, n);
    return TN_OK;
}

tn_err tn_group_quit(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id)
{
    tn_err e;
    if ((e = require_group_id(ctx, group_id)))
        return e;
    if (!user_id || !*user_id)
        user_id = ctx->op_user_id;
    else if ((e = tn_ctx_self_or_admin(ctx, user_id)))
        return e;
    tn_group_member_list l;
    if ((e = tn_group_members_load(svc, ctx, group_id, &user_id, 1, &l)))
        return e;
    if (l.count == 0)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "%s is not a member of group %s", user_id, group_id);
    if (l.items[0].role_level == TN_ROLE_OWNER)
        return tn_ctx_fail(ctx, TN_EPERM, "group owner can't quit");
    if ((e = GOPS(svc)->members_remove(svc->store, ctx->app_id, group_id, &user_id, 1,
                                       ctx->now_ms)))
        return tn_group_store_fail(ctx, e, "members_remove");
    tn_group_view_invalidate(svc, group_id);
    json_t *tips = json_pack("{s:o,s:o,s:I}", "group", tn_group_info_json(svc, ctx, group_id),
                             "quitUser", tn_json_group_member(&l.items[0], l.profiles[0]),
                             "operationTime", (json_int_t)ctx->now_ms);
    tn_group_set_versions(svc, ctx, group_id, tips, false);
    tn_group_tell(svc, ctx, group_id, 1504, tips, TN_NOTIFY_DEFAULT, &user_id, 1);
    return TN_OK;
}

/* ---- mutes ---- */

/* who may (un)mute target: the owner anyone but the owner, an admin ordinary members */
static tn_err check_mute(tn_svc *svc, tn_ctx *ctx, const char *group_id,
                         const tn_group_member *target)
{
    if (ctx->is_admin)
        return TN_OK;
    tn_group_member *op;
    tn_err e = tn_group_member_of(svc, ctx, group_id, ctx->op_user_id, &op);
    if (e)
        return e;
    if (!op)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "%s is not a member of group %s", ctx->op_user_id,
                           group_id);
    if (target->role_level == TN_ROLE_OWNER)
        return tn_ctx_fail(ctx, TN_EPERM, "set group owner mute");
    if (target->role_level == TN_ROLE_ADMIN && op->role_level != TN_ROLE_OWNER)
        return tn_ctx_fail(ctx, TN_EPERM, "set group admin mute");
    if (!tn_group_is_manager(op->role_level))
        return tn_ctx_fail(ctx, TN_EPERM, "set group ordinary users mute");
    return TN_OK;
}

/* writes the mute end and tells the group (1512 / 1513) */
static tn_err set_mute(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id,
                       int64_t seconds)
{
    tn_group_member_patch p = {.group_id = group_id,
                               .user_id = user_id,
                               .has_mute_end_time = true,
                               .mute_end_time = seconds ? ctx->now_ms + seconds * 1000 : 0};
    tn_err e = GOPS(svc)->members_update(svc->store, ctx->app_id, &p, 1, ctx->now_ms);
    if (e)
        return tn_group_store_fail(ctx, e, "members_update");
    tn_group_view_invalidate(svc, group_id);
    json_t *tips =
        json_pack("{s:o,s:o,s:I,s:o}", "group", tn_group_info_json(svc, ctx, group_id), "opUser",
                  tn_group_op_json(svc, ctx, group_id), "operationTime", (json_int_t)ctx->now_ms,
                  "mutedUser", tn_group_member_json(svc, ctx, group_id, user_id));
    if (seconds)
        json_object_set_new(tips, "mutedSeconds", json_integer(seconds));
    tn_group_set_versions(svc, ctx, group_id, tips, false);
    tn_group_tell(svc, ctx, group_id, seconds ? 1512 : 1513, tips, TN_NOTIFY_DEFAULT, NULL, 0);
    return TN_OK;
}

tn_err tn_group_mute_member(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id,
                            int64_t seconds)
{
    tn_err e;
    if ((e = require_group_id(ctx, group_id)))
        return e;
    if (!user_id || !*user_id)
        return tn_ctx_fail(ctx, TN_EARGS, "userID is empty");
    if (seconds < 0)
        return tn_ctx_fail(ctx, TN_EARGS, "mutedSeconds is invalid");
    tn_group_member *target;
    if ((e = tn_group_member_of(svc, ctx, group_id, user_id, &target)))
        return e;
    if (!target)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "%s is not a member of group %s", user_id, group_id);
    if ((e = check_mute(svc, ctx, group_id, target)))
        return e;
    return set_mute(svc, ctx, group_id, user_id, seconds);
}

/* ---- owner transfer ---- */

static json_t *member_info_tips(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id)
{
    json_t *tips =
        json_pack("{s:o,s:o,s:I,s:o}", "group", tn_group_info_json(svc, ctx, group_id), "opUser",
                  tn_group_op_json(svc, ctx, group_id), "operationTime", (json_int_t)ctx->now_ms,
                  "changedUser", tn_group_member_json(svc, ctx, group_id, user_id));
    tn_group_set_versions(svc, ctx, group_id, tips, true);
    return tips;
}

tn_err tn_group_transfer(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *old_owner,
                         const char *new_owner)
{
    tn_group g;
    tn_err e;
    if ((e = require_group_id(ctx, group_id)))
        return e;
    if (!old_owner || !*old_owner || !new_owner || !*new_owner)
        return tn_ctx_fail(ctx, TN_EARGS, "oldOwnerUserID and newOwnerUserID are required");
    if ((e = tn_group_load(svc, ctx, group_id, &g)))
        return e;
    if (g.status == TN_GROUP_STATUS_DISMISSED)
        return tn_ctx_fail(ctx, TN_EGROUP_DISMISSED, "group %s is dismissed", group_id);
    if (strcmp(old_owner, new_owner) == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "OldOwnerUserID == NewOwnerUserID");
    tn_group_member *old_m, *new_m;
    if ((e = tn_group_member_of(svc, ctx, group_id, old_owner, &old_m)) ||
        (e = tn_group_member_of(svc, ctx, group_id, new_owner, &new_m)))
        return e;
    if (!old_m || !new_m)
        return tn_ctx_fail(ctx, TN_EARGS, "user not in group %s", !old_m ? old_owner : new_owner);
    if (old_m->role_level != TN_ROLE_OWNER) {
        if (!ctx->is_admin)
            return tn_ctx_fail(ctx, TN_EPERM, "no permission transfer group owner");
        return tn_ctx_fail(ctx, TN_EARGS, "%s is not the owner of group %s", old_owner, group_id);
    }
    if (!ctx->is_admin && strcmp(ctx->op_user_id, old_owner) != 0)
        return tn_ctx_fail(ctx, TN_EPERM, "no permission transfer group owner");
    if (new_m->mute_end_time > ctx->now_ms && (e = set_mute(svc, ctx, group_id, new_owner, 0)))
        return e;
    tn_group_member_patch p[2] = {
        {.group_id = group_id,
         .user_id = old_owner,
         .has_role_level = true,
         .role_level = new_m->role_level},
        {.group_id = group_id,
         .user_id = new_owner,
         .has_role_level = true,
         .role_level = TN_ROLE_OWNER},
    };
    if ((e = GOPS(svc)->members_update(svc->store, ctx->app_id, p, 2, ctx->now_ms)))
        return tn_group_store_fail(ctx, e, "members_update");
    tn_group_view_invalidate(svc, group_id);
    json_t *tips =
        json_pack("{s:o,s:o,s:o,s:s,s:I,s:o}", "group", tn_group_info_json(svc, ctx, group_id),
                  "opUser", tn_group_op_json(svc, ctx, group_id), "newGroupOwner",
                  tn_group_member_json(svc, ctx, group_id, new_owner), "oldGroupOwner", old_owner,
                  "operationTime", (json_int_t)ctx->now_ms, "oldGroupOwnerInfo",
                  tn_group_member_json(svc, ctx, group_id, old_owner));
    tn_group_set_versions(svc, ctx, group_id, tips, false);
    tn_group_tell(svc, ctx, group_id, 1507, tips, TN_NOTIFY_DEFAULT, NULL, 0);
    return TN_OK;
}

/* ---- member info ---- */

/* OpenIM's rules for the members of one group in a set_group_member_info request */
static tn_err check_member_set(tn_svc *svc, tn_ctx *ctx, const tn_group_member_patch *p, size_t n,
                               const char *group_id)
{
    const char *op_id = ctx->op_user_id;
    const char **ids = tn_arena_calloc(ctx->arena, n + 1, sizeof *ids);
    size_t k = 0;
    const tn_group_member_patch *self = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(p[i].group_id, group_id) != 0)
            continue;
        for (size_t j = 0; j < k; j++)
            if (strcmp(ids[j], p[i].user_id) == 0)
                return tn_ctx_fail(ctx, TN_EARGS, "repeat group %s user %s", group_id,
                                   p[i].user_id);
        ids[k++] = p[i].user_id;
        if (strcmp(p[i].user_id, op_id) == 0)
            self = &p[i];
    }
    if (!self)
        ids[k++] = op_id;
    tn_group_member_list found;
    tn_err e = tn_group_members_load(svc, ctx, group_id, ids, k, &found);
    if (e)
        return e;
    const tn_group_member *op = NULL;
    for (size_t i = 0; i < found.count; i++)
        if (strcmp(found.items[i].user_id, op_id) == 0)
            op = &found.items[i];
    size_t missing = k - found.count;
    if (missing == 1 && !op)
        return ctx->is_admin ? TN_OK : tn_ctx_fail(ctx, TN_EPERM, "user not in group");
    if (missing)
        return tn_ctx_fail(ctx, TN_EARGS, "user not in group");
    if (ctx->is_admin)
        return TN_OK;
    for (size_t i = 0; i < found.count; i++) {
        const tn_group_member *m = &found.items[i];
        bool is_op = m == op;
        if (op->role_level == TN_ROLE_ADMIN) {
            if (m->role_level == TN_ROLE_OWNER)
                return tn_ctx_fail(ctx, TN_EPERM, "admin can not change group owner");
            if (m->role_level == TN_ROLE_ADMIN && !is_op)
                return tn_ctx_fail(ctx, TN_EPERM, "admin can not change other group admin");
        } else if (op->role_level != TN_ROLE_OWNER) {
            if (!is_op)
                return tn_ctx_fail(ctx, TN_EPERM, "ordinary users can not change other role level");
        }
    }
    if (self && self->has_role_level) {
        if (self->role_level > op->role_level)
            return tn_ctx_fail(ctx, TN_EPERM, "can not improve role level by self");
        if (op->role_level == TN_ROLE_OWNER)
            return tn_ctx_fail(ctx, TN_EARGS, "group owner can not change own role level");
    }
    return TN_OK;
}

tn_err tn_group_set_members(tn_svc *svc, tn_ctx *ctx, const tn_group_member_patch *p, size_t n)
{
    tn_err e;
    if (n == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "members empty");
    if (n > TN_GROUP_LIST_MAX)
        return tn_ctx_fail(ctx, TN_EARGS, "members has more than %d entries", TN_GROUP_LIST_MAX);
    for (size_t i = 0; i < n; i++) {
        if (!p[i].group_id || !*p[i].group_id || !p[i].user_id || !*p[i].user_id)
            return tn_ctx_fail(ctx, TN_EARGS, "members[%zu]: groupID and userID are required", i);
        if (p[i].has_role_level && p[i].role_level == TN_ROLE_OWNER)
            return tn_ctx_fail(ctx, TN_EPERM, "cannot set ungroup owner");
        if (p[i].has_role_level && p[i].role_level != TN_ROLE_ADMIN &&
            p[i].role_level != TN_ROLE_MEMBER)
            return tn_ctx_fail(ctx, TN_EARGS, "invalid role level %d", p[i].role_level);
        if ((p[i].nickname && strlen(p[i].nickname) > TN_GROUP_NAME_MAX) ||
            (p[i].face_url && strlen(p[i].face_url) > TN_GROUP_URL_MAX) ||
            (p[i].ex && strlen(p[i].ex) > TN_GROUP_TEXT_MAX))
            return tn_ctx_fail(ctx, TN_EARGS, "members[%zu]: a field is too long", i);
    }
    for (size_t i = 0; i < n; i++) {
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(p[j].group_id, p[i].group_id) != 0;
        if (first && (e = check_member_set(svc, ctx, p, n, p[i].group_id)))
            return e;
    }
    e = GOPS(svc)->members_update(svc->store, ctx->app_id, p, n, ctx->now_ms);
    if (e == TN_ENOTFOUND)
        return tn_ctx_fail(ctx, TN_EARGS, "user not in group");
    if (e)
        return tn_group_store_fail(ctx, e, "members_update");
    for (size_t i = 0; i < n; i++)
        tn_group_view_invalidate(svc, p[i].group_id);
    for (size_t i = 0; i < n; i++) {
        if (p[i].has_role_level)
            tn_group_tell(svc, ctx, p[i].group_id, p[i].role_level == TN_ROLE_ADMIN ? 1517 : 1518,
                          member_info_tips(svc, ctx, p[i].group_id, p[i].user_id),
                          TN_NOTIFY_DEFAULT, NULL, 0);
        if (p[i].nickname || p[i].face_url || p[i].ex)
            tn_group_tell(svc, ctx, p[i].group_id, 1516,
                          member_info_tips(svc, ctx, p[i].group_id, p[i].user_id),
                          TN_NOTIFY_DEFAULT, NULL, 0);
    }
    return TN_OK;
}

/* ---- member lists ---- */

/* the group exists (1004) and the operator may read its members (1002) */
static tn_err readable(tn_svc *svc, tn_ctx *ctx, const char *group_id, tn_group *g)
{
    tn_err e = require_group_id(ctx, group_id);
    if (e || (e = tn_group_load(svc, ctx, group_id, g)))
        return e;
    return tn_group_check_member(svc, ctx, group_id);
}

tn_err tn_group_members_info(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *const *ids,
                             size_t n, tn_group_member_list *out)
{
    tn_group g;
    tn_err e;
    if (n == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "userIDs empty");
    if ((e = readable(svc, ctx, group_id, &g)))
        return e;
    return tn_group_members_load(svc, ctx, group_id, ids, n, out);
}

static bool contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

tn_err tn_group_member_page(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *keyword,
                            int64_t offset, int64_t limit, tn_group_member_list *out,
                            int64_t *total)
{
    tn_group g;
    tn_err e = readable(svc, ctx, group_id, &g);
    if (e)
        return e;
    tn_group_member *m;
    size_t n;
    if ((e = GOPS(svc)->members_ordered(svc->store, ctx->app_id, group_id, ctx->arena, &m, &n)))
        return tn_group_store_fail(ctx, e, "members_ordered");
    memset(out, 0, sizeof *out);
    if (keyword && *keyword) {
        const tn_user **profiles;
        if ((e = tn_group_profiles(svc, ctx, m, n, &profiles)))
            return e;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const char *nick = *m[i].nickname ? m[i].nickname
                               : profiles[i]  ? profiles[i]->nickname
                                              : "";
            if (contains(m[i].user_id, keyword) || contains(nick, keyword)) {
                m[k] = m[i];
                profiles[k++] = profiles[i];
            }
        }
        n = k;
    }
    *total = (int64_t)n;
    if (limit <= 0 || offset < 0 || offset >= (int64_t)n)
        return TN_OK;
    out->items = m + offset;
    out->count = (size_t)((int64_t)n - offset < limit ? (int64_t)n - offset : limit);
    return tn_group_profiles(svc, ctx, out->items, out->count, &out->profiles);
}

tn_err tn_group_member_ids(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char ***ids,
                           size_t *count)
{
    tn_group g;
    tn_err e = readable(svc, ctx, group_id, &g);
    if (e)
        return e;
    tn_group_member *m;
    size_t n;
    if ((e = GOPS(svc)->members_ordered(svc->store, ctx->app_id, group_id, ctx->arena, &m, &n)))
        return tn_group_store_fail(ctx, e, "members_ordered");
    const char **list = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *list);
    for (size_t i = 0; i < n; i++)
        list[i] = m[i].user_id;
    *ids = list;
    *count = n;
    return TN_OK;
}
