/* Join requests: applying (or entering directly), answering, the request lists of applicants and
 * managers, and the unhandled count; with their 1503/1505/1506 notices. */
#include "group_internal.h"

#include <string.h>

/* the owner and admins of a group (role order) */
static tn_err managers(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char ***out,
                       size_t *count)
{
    tn_group_member *m;
    size_t n;
    tn_err e = GOPS(svc)->members_ordered(svc->store, ctx->app_id, group_id, ctx->arena, &m, &n);
    if (e)
        return tn_group_store_fail(ctx, e, "members_ordered");
    const char **ids = tn_arena_calloc(ctx->arena, n + 2, sizeof *ids);
    size_t k = 0;
    for (size_t i = 0; i < n && tn_group_is_manager(m[i].role_level); i++)
        ids[k++] = m[i].user_id;
    *out = ids;
    *count = k;
    return TN_OK;
}

static bool listed(const char *const *ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}

static const tn_user *profile_of(tn_svc *svc, tn_ctx *ctx, const char *user_id)
{
    tn_user *u;
    size_t n;
    return tn_group_users(svc, ctx, &user_id, 1, &u, &n) == TN_OK && n ? &u[0] : NULL;
}

static tn_err request_of(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id,
                         tn_group_request **out)
{
    size_t n;
    tn_err e = GOPS(svc)->requests_get(svc->store, ctx->app_id, group_id, &user_id, 1, ctx->arena,
                                       out, &n);
    if (e)
        return tn_group_store_fail(ctx, e, "requests_get");
    if (n == 0)
        *out = NULL;
    return TN_OK;
}

/* ---- join ---- */

tn_err tn_group_join(tn_svc *svc, tn_ctx *ctx, const tn_group_join_req *req)
{
    tn_group g;
    tn_err e;
    if (!req->group_id || !*req->group_id)
        return tn_ctx_fail(ctx, TN_EARGS, "groupID is empty");
    if (!req->applicant || !*req->applicant)
        return tn_ctx_fail(ctx, TN_EARGS, "inviterUserID is empty");
    if (req->join_source < 1 || req->join_source > 4)
        return tn_ctx_fail(ctx, TN_EARGS, "joinSource %d is invalid", req->join_source);
    if ((req->req_msg && strlen(req->req_msg) > TN_GROUP_TEXT_MAX) ||
        (req->ex && strlen(req->ex) > TN_GROUP_TEXT_MAX))
        return tn_ctx_fail(ctx, TN_EARGS, "reqMessage or ex is too long");
    const tn_user *applicant = profile_of(svc, ctx, req->applicant);
    if (!applicant)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "user %s not found", req->applicant);
    if ((e = tn_group_load(svc, ctx, req->group_id, &g)))
        return e;
    if (g.status == TN_GROUP_STATUS_DISMISSED)
        return tn_ctx_fail(ctx, TN_EGROUP_DISMISSED, "group %s is dismissed", req->group_id);
    tn_group_member *m;
    if ((e = tn_group_member_of(svc, ctx, req->group_id, req->applicant, &m)))
        return e;
    if (m)
        return tn_ctx_fail(ctx, TN_EARGS, "%s is already in group %s", req->applicant,
                           req->group_id);

    if (g.need_verification == 2) { /* anyone enters directly */
        tn_group_member nm = {.group_id = req->group_id,
                              .user_id = req->applicant,
                              .role_level = TN_ROLE_MEMBER,
                              .join_time = ctx->now_ms,
                              .join_source = req->join_source,
                              .operator_user_id = ctx->op_user_id,
                              .ex = "",
                              .inviter_user_id = req->applicant};
        e = GOPS(svc)->members_add(svc->store, ctx->app_id, req->group_id, &nm, 1,
                                   svc->cfg->group_history_for_new_members == 1, ctx->now_ms);
        if (e == TN_EDUP)
            return tn_ctx_fail(ctx, TN_EARGS, "%s is already in group %s", req->applicant,
                               req->group_id);
        if (e)
            return tn_group_store_fail(ctx, e, "members_add");
        tn_group_view_invalidate(svc, req->group_id);
        json_t *tips =
            json_pack("{s:o,s:o,s:I}", "group", tn_group_info_json(svc, ctx, req->group_id),
                      "entrantUser", tn_group_member_json(svc, ctx, req->group_id, req->applicant),
                      "operationTime", (json_int_t)ctx->now_ms);
        tn_group_set_versions(svc, ctx, req->group_id, tips, false);
        tn_group_tell(svc, ctx, req->group_id, 1510, tips, TN_NOTIFY_DEFAULT, NULL, 0);
        return TN_OK;
    }

    tn_group_request r = {.group_id = req->group_id,
                          .user_id = req->applicant,
                          .req_msg = req->req_msg ? req->req_msg : "",
                          .handle_msg = "",
                          .req_time = ctx->now_ms,
                          .handle_user_id = "",
                          .ex = req->ex ? req->ex : "",
                          .join_source = req->join_source,
                          .inviter_user_id = ""};
    if ((e = GOPS(svc)->requests_put(svc->store, ctx->app_id, &r, 1)))
        return tn_group_store_fail(ctx, e, "requests_put");
    /* JoinGroupApplication (1503) to the owner and admins, the applicant and the operator */
    const char **to;
    size_t k;
    if ((e = managers(svc, ctx, req->group_id, &to, &k)))
        return TN_OK; /* stored; the notice is lost */
    json_t *tips =
        json_pack("{s:o,s:o,s:s,s:s,s:o}", "group", tn_json_group_info(&g), "applicant",
                  tn_json_public_user(applicant), "reqMsg", r.req_msg, "uuid", tn_group_uuid(ctx),
                  "request", tn_json_group_request(&r, applicant, NULL));
    if (!listed(to, k, req->applicant))
        to[k++] = req->applicant;
    if (!listed(to, k, ctx->op_user_id))
        to[k++] = ctx->op_user_id;
    for (size_t i = 0; tips && i < k; i++)
        tn_notify_user(svc, ctx, ctx->op_user_id, to[i], 1503, tips, TN_NOTIFY_DEFAULT);
    json_decref(tips);
    return TN_OK;
}

/* ---- answer ---- */

tn_err tn_group_respond(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *applicant,
                        const char *handle_msg, int32_t handle_result)
{
    tn_group g;
    tn_group_member *op, *already;
    tn_group_request *r;
    tn_err e;
    if (!group_id || !*group_id || !applicant || !*applicant)
        return tn_ctx_fail(ctx, TN_EARGS, "groupID and fromUserID are required");
    if (handle_result != 1 && handle_result != -1)
        return tn_ctx_fail(ctx, TN_EARGS, "HandleResult unknown");
    if (handle_msg && strlen(handle_msg) > TN_GROUP_TEXT_MAX)
        return tn_ctx_fail(ctx, TN_EARGS, "handledMsg is too long");
    if ((e = tn_group_check_manager(svc, ctx, group_id, &op)) ||
        (e = tn_group_load(svc, ctx, group_id, &g)) ||
        (e = request_of(svc, ctx, group_id, applicant, &r)))
        return e;
    if (!r)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "no request of %s to group %s", applicant, group_id);
    if (r->handle_result != 0)
        return tn_ctx_fail(ctx, TN_EGROUP_REQ_HANDLED, "group request already processed");
    if ((e = tn_group_member_of(svc, ctx, group_id, applicant, &already)))
        return e;
    const tn_user *who = profile_of(svc, ctx, applicant);
    if (!who)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "user %s not found", applicant);
    tn_group_member nm = {.group_id = group_id,
                          .user_id = applicant,
                          .role_level = TN_ROLE_MEMBER,
                          .join_time = ctx->now_ms,
                          .join_source = r->join_source,
                          .operator_user_id = ctx->op_user_id,
                          .ex = "",
                          .inviter_user_id = r->inviter_user_id};
    bool add = handle_result == 1 && !already;
    e = GOPS(svc)->request_handle(svc->store, ctx->app_id, group_id, applicant, handle_result,
                                  handle_msg, ctx->op_user_id, add ? &nm : NULL,
                                  svc->cfg->group_history_for_new_members == 1, ctx->now_ms);
    if (e == TN_ENOTFOUND)
        return tn_ctx_fail(ctx, TN_EGROUP_REQ_HANDLED, "group request already processed");
    if (e == TN_EDUP) { /* joined meanwhile: answer the request alone */
        add = false;
        e = GOPS(svc)->request_handle(svc->store, ctx->app_id, group_id, applicant, handle_result,
                                      handle_msg, ctx->op_user_id, NULL, false, ctx->now_ms);
        if (e == TN_ENOTFOUND)
            return tn_ctx_fail(ctx, TN_EGROUP_REQ_HANDLED, "group request already processed");
    }
    if (e)
        return tn_group_store_fail(ctx, e, "request_handle");
    if (add)
        tn_group_view_invalidate(svc, group_id);

    /* 1505 / 1506 to the owner and admins (receiverAs 1) and the applicant (0) */
    tn_group_request *after;
    if (request_of(svc, ctx, group_id, applicant, &after) || !after)
        after = r;
    const char **to;
    size_t k;
    if (managers(svc, ctx, group_id, &to, &k) == TN_OK) {
        json_t *group_json = tn_group_info_json(svc, ctx, group_id);
        json_t *op_json = tn_group_op_json(svc, ctx, group_id);
        json_t *request_json = tn_json_group_request(after, who, NULL);
        const char *uuid = tn_group_uuid(ctx);
        to[k++] = applicant;
        for (size_t i = 0; i < k; i++) {
            bool to_applicant = i == k - 1;
            if (!to_applicant && strcmp(to[i], applicant) == 0)
                continue;
            json_t *tips =
                json_pack("{s:O,s:O,s:s,s:i,s:s,s:O}", "group", group_json, "opUser", op_json,
                          "handleMsg", handle_msg ? handle_msg : "", "receiverAs",
                          to_applicant ? 0 : 1, "uuid", uuid, "request", request_json);
            if (tips)
                tn_notify_user(svc, ctx, ctx->op_user_id, to[i], handle_result == 1 ? 1505 : 1506,
                               tips, TN_NOTIFY_DEFAULT);
            json_decref(tips);
        }
        json_decref(group_json);
        json_decref(op_json);
        json_decref(request_json);
    }
    if (!add)
        return TN_OK;
    if (r->inviter_user_id && *r->inviter_user_id) {
        /* MemberInvited (1509) naming the inviter of the request */
        json_t *op_json = tn_group_op_json(svc, ctx, group_id);
        json_t *inviter = strcmp(r->inviter_user_id, ctx->op_user_id) == 0
                              ? json_incref(op_json)
                              : tn_group_member_json(svc, ctx, group_id, r->inviter_user_id);
        json_t *tips = json_pack(
            "{s:o,s:o,s:[o],s:I}", "group", tn_group_info_json(svc, ctx, group_id), "opUser",
            op_json, "invitedUserList", tn_group_member_json(svc, ctx, group_id, applicant),
            "operationTime", (json_int_t)ctx->now_ms);
        tn_group_set_versions(svc, ctx, group_id, tips, false);
        json_object_set_new(tips, "inviterUser", inviter);
        tn_group_tell(svc, ctx, group_id, 1509, tips, TN_NOTIFY_DEFAULT, NULL, 0);
    } else {
        json_t *tips = json_pack("{s:o,s:o,s:I}", "group", tn_group_info_json(svc, ctx, group_id),
                                 "entrantUser", tn_group_member_json(svc, ctx, group_id, applicant),
                                 "operationTime", (json_int_t)ctx->now_ms);
        tn_group_set_versions(svc, ctx, group_id, tips, false);
        tn_group_tell(svc, ctx, group_id, 1510, tips, TN_NOTIFY_DEFAULT, NULL, 0);
    }
    return TN_OK;
}

/* ---- lists ---- */

static bool result_wanted(const tn_group_request_filter *f, int32_t result)
{
    if (f->result_count == 0)
        return true;
    for (size_t i = 0; i < f->result_count; i++)
        if (f->results[i] == result)
            return true;
    return false;
}

/* one page of reqs (already filtered), with applicants (when with_users) and groups resolved */
static tn_err fill(tn_svc *svc, tn_ctx *ctx, tn_group_request *reqs, size_t n, int64_t offset,
                   int64_t limit, bool with_users, tn_group_request_list *out)
{
    memset(out, 0, sizeof *out);
    out->total = (int64_t)n;
    if (limit <= 0 || offset < 0 || offset >= (int64_t)n)
        return TN_OK;
    size_t k = (size_t)((int64_t)n - offset < limit ? (int64_t)n - offset : limit);
    out->items = reqs + offset;
    out->count = k;
    out->applicants = tn_arena_calloc(ctx->arena, k, sizeof *out->applicants);
    out->groups = tn_arena_calloc(ctx->arena, k, sizeof *out->groups);
    const char **uids = tn_arena_calloc(ctx->arena, k, sizeof *uids);
    const char **gids = tn_arena_calloc(ctx->arena, k, sizeof *gids);
    size_t nu = 0, ng = 0;
    for (size_t i = 0; i < k; i++) {
        if (!listed(uids, nu, out->items[i].user_id))
            uids[nu++] = out->items[i].user_id;
        if (!listed(gids, ng, out->items[i].group_id))
            gids[ng++] = out->items[i].group_id;
    }
    tn_user *users = NULL;
    size_t found_u = 0, found_g = 0;
    tn_group *groups;
    tn_err e;
    if (with_users && (e = tn_group_users(svc, ctx, uids, nu, &users, &found_u)))
        return e;
    if ((e = GOPS(svc)->groups_get(svc->store, ctx->app_id, gids, ng, ctx->arena, &groups,
                                   &found_g)))
        return tn_group_store_fail(ctx, e, "groups_get");
    for (size_t i = 0; i < k; i++) {
        out->applicants[i] = tn_group_user_find(users, found_u, out->items[i].user_id);
        for (size_t j = 0; j < found_g; j++)
            if (strcmp(groups[j].group_id, out->items[i].group_id) == 0)
                out->groups[i] = &groups[j];
    }
    return TN_OK;
}

static size_t keep_wanted(tn_group_request *r, size_t n, const tn_group_request_filter *f,
                          bool by_group)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!result_wanted(f, r[i].handle_result))
            continue;
        if (by_group && f->group_count && !listed(f->group_ids, f->group_count, r[i].group_id))
            continue;
        r[k++] = r[i];
    }
    return k;
}

tn_err tn_group_recv_requests(tn_svc *svc, tn_ctx *ctx, const char *manager,
                              const tn_group_request_filter *f, tn_group_request_list *out)
{
    tn_err e = tn_ctx_self_or_admin(ctx, manager);
    if (e)
        return e;
    const char **gids = NULL;
    size_t ng = 0;
    if (f->group_count) {
        gids = tn_arena_calloc(ctx->arena, f->group_count, sizeof *gids);
        for (size_t i = 0; i < f->group_count; i++) {
            if (listed(gids, ng, f->group_ids[i]))
                continue;
            tn_group_member *op;
            if (!ctx->is_admin && (e = tn_group_check_manager(svc, ctx, f->group_ids[i], &op)))
                return e;
            gids[ng++] = f->group_ids[i];
        }
    } else {
        tn_group_member *m;
        size_t n;
        if ((e = GOPS(svc)->memberships(svc->store, ctx->app_id, manager, ctx->arena, &m, &n)))
            return tn_group_store_fail(ctx, e, "memberships");
        gids = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *gids);
        for (size_t i = 0; i < n; i++)
            if (tn_group_is_manager(m[i].role_level))
                gids[ng++] = m[i].group_id;
    }
    tn_group_request *reqs;
    size_t n;
    if ((e = GOPS(svc)->requests_to_groups(svc->store, ctx->app_id, gids, ng, ctx->arena, &reqs,
                                           &n)))
        return tn_group_store_fail(ctx, e, "requests_to_groups");
    n = keep_wanted(reqs, n, f, false);
    return fill(svc, ctx, reqs, n, f->offset, f->limit, true, out);
}

tn_err tn_group_user_requests(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                              const tn_group_request_filter *f, tn_group_request_list *out)
{
    tn_err e = tn_ctx_self_or_admin(ctx, user_id);
    if (e)
        return e;
    if (!profile_of(svc, ctx, user_id))
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "user %s not found", user_id);
    tn_group_request *reqs;
    size_t n;
    if ((e = GOPS(svc)->requests_of_user(svc->store, ctx->app_id, user_id, ctx->arena, &reqs, &n)))
        return tn_group_store_fail(ctx, e, "requests_of_user");
    n = keep_wanted(reqs, n, f, true);
    return fill(svc, ctx, reqs, n, f->offset, f->limit, true, out);
}

tn_err tn_group_users_requests(tn_svc *svc, tn_ctx *ctx, const char *group_id,
                               const char *const *user_ids, size_t n, tn_group_request_list *out)
{
    tn_group g;
    tn_group_member *op;
    tn_err e;
    if (!group_id || !*group_id)
        return tn_ctx_fail(ctx, TN_EARGS, "groupID is empty");
    if ((e = tn_group_check_manager(svc, ctx, group_id, &op)) ||
        (e = tn_group_load(svc, ctx, group_id, &g)))
        return e;
    tn_group_request *reqs = NULL;
    size_t k = 0;
    if (n && (e = GOPS(svc)->requests_get(svc->store, ctx->app_id, group_id, user_ids, n,
                                          ctx->arena, &reqs, &k)))
        return tn_group_store_fail(ctx, e, "requests_get");
    /* OpenIM answers these without the applicants' profiles */
    return fill(svc, ctx, reqs, k, 0, (int64_t)k, false, out);
}

tn_err tn_group_user_request(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id,
                             tn_group_request_list *out)
{
    tn_group g;
    tn_err e;
    if (!group_id || !*group_id || !user_id || !*user_id)
        return tn_ctx_fail(ctx, TN_EARGS, "groupID and userID are required");
    if ((e = tn_group_load(svc, ctx, group_id, &g)))
        return e;
    if (strcmp(user_id, ctx->op_user_id) != 0 && !ctx->is_admin) {
        tn_group_member *op;
        if ((e = tn_group_member_of(svc, ctx, group_id, ctx->op_user_id, &op)))
            return e;
        if (!op || !tn_group_is_manager(op->role_level))
            return tn_ctx_fail(ctx, TN_EPERM, "opUser no permission");
    }
    tn_group_request *r;
    if ((e = request_of(svc, ctx, group_id, user_id, &r)))
        return e;
    return fill(svc, ctx, r, r ? 1 : 0, 0, 1, true, out);
}

tn_err tn_group_unhandled_count(tn_svc *svc, tn_ctx *ctx, const char *user_id, int64_t since_ms,
                                int64_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, user_id);
    if (e)
        return e;
    tn_group_member *m;
    size_t n;
    if ((e = GOPS(svc)->memberships(svc->store, ctx->app_id, user_id, ctx->arena, &m, &n)))
        return tn_group_store_fail(ctx, e, "memberships");
    const char **gids = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *gids);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++)
        if (tn_group_is_manager(m[i].role_level))
            gids[ng++] = m[i].group_id;
    tn_group_request *reqs;
    size_t nr;
    if ((e = GOPS(svc)->requests_to_groups(svc->store, ctx->app_id, gids, ng, ctx->arena, &reqs,
                                           &nr)))
        return tn_group_store_fail(ctx, e, "requests_to_groups");
    *count = 0;
    for (size_t i = 0; i < nr; i++)
        if (reqs[i].handle_result == 0 && (since_ms == 0 || reqs[i].req_time > since_ms))
            (*count)++;
    return TN_OK;
}
