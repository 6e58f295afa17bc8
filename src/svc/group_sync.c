/* Incremental sync of groups (openim-rest.md §15): the joined-groups log per user, the member
 * log per group (single and batch), and the full ID lists behind them. */
#include "group_internal.h"

#include <string.h>

#define BATCH_ITEM_LIMIT 500 /* items after which a batch answer stops adding groups */

tn_err tn_group_incremental_joined(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                                   const char *version_id, int64_t version, tn_group_join_sync *out)
{
    memset(out, 0, sizeof *out);
    tn_err e = tn_ctx_self_or_admin(ctx, user_id);
    if (e || (e = tn_version_sync(svc, ctx, TN_VERSION_JOIN_GROUP, user_id, version_id, version,
                                  &out->head, &out->delta)))
        return e;
    const tn_version_delta *d = &out->delta;
    if (d->insert_count &&
        (e = GOPS(svc)->groups_get(svc->store, ctx->app_id, d->insert_ids, d->insert_count,
                                   ctx->arena, &out->insert, &out->insert_count)))
        return tn_group_store_fail(ctx, e, "groups_get");
    if (d->update_count &&
        (e = GOPS(svc)->groups_get(svc->store, ctx->app_id, d->update_ids, d->update_count,
                                   ctx->arena, &out->update, &out->update_count)))
        return tn_group_store_fail(ctx, e, "groups_get");
    return TN_OK;
}

/* the member-log delta of a group the caller may read; *skip when it is dismissed */
static tn_err member_sync(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *version_id,
                          int64_t version, tn_group_member_sync *out, bool *dismissed)
{
    memset(out, 0, sizeof *out);
    out->group_id = group_id;
    tn_group g;
    tn_err e;
    if (!group_id || !*group_id)
        return tn_ctx_fail(ctx, TN_EARGS, "groupID is empty");
    if ((e = tn_group_load(svc, ctx, group_id, &g)) ||
        (e = tn_group_check_member(svc, ctx, group_id)))
        return e;
    *dismissed = g.status == TN_GROUP_STATUS_DISMISSED;
    if (*dismissed)
        return tn_ctx_fail(ctx, TN_EGROUP_DISMISSED, "group %s is dismissed", group_id);
    if ((e = tn_version_sync(svc, ctx, TN_VERSION_GROUP_MEMBER, group_id, version_id, version,
                             &out->head, &out->delta)))
        return e;
    const tn_version_delta *d = &out->delta;
    if ((e = tn_group_members_load(svc, ctx, group_id, d->insert_ids, d->insert_count,
                                   &out->insert)) ||
        (e = tn_group_members_load(svc, ctx, group_id, d->update_ids, d->update_count,
                                   &out->update)))
        return e;
    if (d->full || d->changed) {
        /* the group as of now (the member count may have moved since g was read) */
        tn_group *now;
        size_t n;
        if ((e = GOPS(svc)->groups_get(svc->store, ctx->app_id, &group_id, 1, ctx->arena, &now,
                                       &n)))
            return tn_group_store_fail(ctx, e, "groups_get");
        out->group = n ? &now[0] : NULL;
    }
    return TN_OK;
}

tn_err tn_group_incremental_members(tn_svc *svc, tn_ctx *ctx, const char *group_id,
                                    const char *version_id, int64_t version,
                                    tn_group_member_sync *out)
{
    bool dismissed = false;
    return member_sync(svc, ctx, group_id, version_id, version, out, &dismissed);
}

tn_err tn_group_incremental_members_batch(tn_svc *svc, tn_ctx *ctx, const tn_group_sync_req *reqs,
                                          size_t n, tn_group_member_sync **out, size_t *count)
{
    if (n == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "reqList is empty");
    tn_group_member_sync *list = tn_arena_calloc(ctx->arena, n, sizeof *list);
    size_t k = 0, items = 0;
    for (size_t i = 0; i < n && items < BATCH_ITEM_LIMIT; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(reqs[j].group_id, reqs[i].group_id) == 0;
        if (seen)
            continue;
        bool dismissed = false;
        tn_err e = member_sync(svc, ctx, reqs[i].group_id, reqs[i].version_id, reqs[i].version,
                               &list[k], &dismissed);
        if (e && dismissed) {
            ctx->detail[0] = '\0';
            continue;
        }
        if (e)
            return e;
        const tn_version_delta *d = &list[k].delta;
        items += list[k].insert.count + list[k].update.count + d->delete_count;
        k++;
    }
    *out = list;
    *count = k;
    return TN_OK;
}

static void answer_ids(const char **ids, size_t n, uint64_t id_hash, bool *equal, const char ***out,
                       size_t *count)
{
    *equal = tn_version_id_hash(ids, n) == id_hash;
    *out = *equal ? NULL : ids;
    *count = *equal ? 0 : n;
}

tn_err tn_group_full_member_ids(tn_svc *svc, tn_ctx *ctx, const char *group_id, uint64_t id_hash,
                                tn_version_head *head, bool *equal, const char ***ids,
                                size_t *count)
{
    const char **all;
    size_t n;
    tn_err e = tn_group_member_ids(svc, ctx, group_id, &all, &n);
    if (e || (e = tn_version_head_get(svc, ctx, TN_VERSION_GROUP_MEMBER, group_id, head)))
        return e;
    answer_ids(all, n, id_hash, equal, ids, count);
    return TN_OK;
}

tn_err tn_group_full_joined_ids(tn_svc *svc, tn_ctx *ctx, const char *user_id, uint64_t id_hash,
                                tn_version_head *head, bool *equal, const char ***ids,
                                size_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, user_id);
    if (e || (e = tn_version_head_get(svc, ctx, TN_VERSION_JOIN_GROUP, user_id, head)))
        return e;
    tn_group_member *m;
    size_t n;
    if ((e = GOPS(svc)->memberships(svc->store, ctx->app_id, user_id, ctx->arena, &m, &n)))
        return tn_group_store_fail(ctx, e, "memberships");
    const char **all = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *all);
    for (size_t i = 0; i < n; i++)
        all[i] = m[i].group_id;
    answer_ids(all, n, id_hash, equal, ids, count);
    return TN_OK;
}
