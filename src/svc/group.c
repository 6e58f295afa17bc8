/* Group records: create, set info, dismiss, mute; the group lists (info, search, joined,
 * abstracts); and the helpers every group file shares (permissions, profiles, tips). */
#include "group_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "rand.h"

enum { GROUP_WORKING = 2, APP_ADMIN_LEVEL = 2, GROUP_AT_NOTIFICATION = 4 };

/* ---- shared helpers ---- */

tn_err tn_group_store_fail(tn_ctx *ctx, tn_err e, const char *what)
{
    if (e == TN_ENOTFOUND)
        return tn_ctx_fail(ctx, e, "%s not found", what);
    return tn_ctx_fail(ctx, e, "store failed: %s", what);
}

tn_err tn_group_load(tn_svc *svc, tn_ctx *ctx, const char *group_id, tn_group *out)
{
    tn_group *list;
    size_t n;
    tn_err e = GOPS(svc)->groups_get(svc->store, ctx->app_id, &group_id, 1, ctx->arena, &list, &n);
    if (e)
        return tn_group_store_fail(ctx, e, "groups_get");
    if (n == 0)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "group %s not found", group_id);
    *out = list[0];
    return TN_OK;
}

tn_err tn_group_member_of(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id,
                          tn_group_member **out)
{
    tn_group_member *list;
    size_t n;
    tn_err e = GOPS(svc)->members_get(svc->store, ctx->app_id, group_id, &user_id, 1, ctx->arena,
                                      &list, &n);
    if (e)
        return tn_group_store_fail(ctx, e, "members_get");
    *out = n ? &list[0] : NULL;
    return TN_OK;
}

int tn_group_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool tn_group_is_manager(int32_t role_level)
{
    return role_level == TN_ROLE_OWNER || role_level == TN_ROLE_ADMIN;
}

tn_err tn_group_check_manager(tn_svc *svc, tn_ctx *ctx, const char *group_id, tn_group_member **op)
{
    tn_err e = tn_group_member_of(svc, ctx, group_id, ctx->op_user_id, op);
    if (e || ctx->is_admin)
        return e;
    if (!*op)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "%s is not a member of group %s", ctx->op_user_id,
                           group_id);
    if (!tn_group_is_manager((*op)->role_level))
        return tn_ctx_fail(ctx, TN_EPERM, "no group owner or admin");
    return TN_OK;
}

tn_err tn_group_check_member(tn_svc *svc, tn_ctx *ctx, const char *group_id)
{
    if (ctx->is_admin)
        return TN_OK;
    tn_group_view *v;
    tn_err e = tn_group_view_get(svc, ctx, group_id, &v);
    if (e)
        return tn_group_store_fail(ctx, e, "group view");
    bool member = v && tn_group_view_find(v, ctx->op_user_id);
    tn_group_view_put(v);
    return member ? TN_OK
                  : tn_ctx_fail(ctx, TN_EPERM, "op user %s is not in group %s", ctx->op_user_id,
                                group_id);
}

tn_err tn_group_users(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n, tn_user **out,
                      size_t *count)
{
    *out = NULL;
    *count = 0;
    if (n == 0)
        return TN_OK;
    tn_err e = UOPS(svc)->users_get(svc->store, ctx->app_id, ids, n, ctx->arena, out, count);
    return e ? tn_group_store_fail(ctx, e, "users_get") : TN_OK;
}

const tn_user *tn_group_user_find(const tn_user *users, size_t n, const char *id)
{
    /* users_get answers in the order asked; look there first */
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(users[i].user_id, id) == 0)
            return &users[i];
    return NULL;
}

tn_err tn_group_profiles(tn_svc *svc, tn_ctx *ctx, const tn_group_member *m, size_t n,
                         const tn_user ***out)
{
    const char **ids = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = m[i].user_id;
    tn_user *users;
    size_t k;
    tn_err e = tn_group_users(svc, ctx, ids, n, &users, &k);
    if (e)
        return e;
    const tn_user **p = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *p);
    /* users come back in the order asked, skipping unknown IDs */
    for (size_t i = 0, j = 0; i < n; i++) {
        if (j < k && strcmp(users[j].user_id, ids[i]) == 0)
            p[i] = &users[j++];
        else
            p[i] = tn_group_user_find(users, k, ids[i]);
    }
    *out = p;
    return TN_OK;
}

tn_err tn_group_members_load(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *const *ids,
                             size_t n, tn_group_member_list *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return TN_OK;
    tn_err e = GOPS(svc)->members_get(svc->store, ctx->app_id, group_id, ids, n, ctx->arena,
                                      &out->items, &out->count);
    if (e)
        return tn_group_store_fail(ctx, e, "members_get");
    return tn_group_profiles(svc, ctx, out->items, out->count, &out->profiles);
}

bool tn_group_ids_unique(tn_ctx *ctx, const char *const *ids, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0) {
                tn_ctx_fail(ctx, TN_EARGS, "%s has duplicate %s", field, ids[i]);
                return false;
            }
    return true;
}

/* ---- tips ---- */

json_t *tn_group_info_json(tn_svc *svc, tn_ctx *ctx, const char *group_id)
{
    tn_group *g;
    size_t n;
    if (GOPS(svc)->groups_get(svc->store, ctx->app_id, &group_id, 1, ctx->arena, &g, &n) || !n)
        return json_null();
    return tn_json_group_info(&g[0]);
}

json_t *tn_group_member_json(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *user_id)
{
    tn_group_member_list l;
    if (tn_group_members_load(svc, ctx, group_id, &user_id, 1, &l) || l.count == 0)
        return json_null();
    return tn_json_group_member(&l.items[0], l.profiles[0]);
}

json_t *tn_group_op_json(tn_svc *svc, tn_ctx *ctx, const char *group_id)
{
    const char *op = ctx->op_user_id;
    tn_user *u;
    size_t nu;
    tn_group_users(svc, ctx, &op, 1, &u, &nu);
    if (ctx->is_admin) {
        tn_user profile = nu ? u[0] : (tn_user){.user_id = op};
        profile.app_manger_level = APP_ADMIN_LEVEL;
        tn_group_member m = {.group_id = group_id, .user_id = op, .role_level = TN_ROLE_ADMIN};
        return tn_json_group_member(&m, &profile);
    }
    tn_group_member *m = NULL;
    if (tn_group_member_of(svc, ctx, group_id, op, &m) == TN_OK && m)
        return tn_json_group_member(m, nu ? &u[0] : NULL);
    tn_group_member outside = {.group_id = group_id, .user_id = op, .operator_user_id = op};
    json_t *j = tn_json_group_member(&outside, nu ? &u[0] : NULL);
    json_object_set_new(j, "appMangerLevel", json_integer(0));
    return j;
}

void tn_group_set_versions(tn_svc *svc, tn_ctx *ctx, const char *group_id, json_t *tips, bool sort)
{
    tn_version_head h = {.version_id = ""};
    if (UOPS(svc)->version_head(svc->store, ctx->app_id, TN_VERSION_GROUP_MEMBER, group_id,
                                ctx->arena, &h))
        h = (tn_version_head){.version_id = ""};
    json_object_set_new(tips, "groupMemberVersion", json_integer(h.version));
    json_object_set_new(tips, "groupMemberVersionID", tn_json_string(h.version_id));
    if (!sort)
        return;
    /* the version of the newest sort-marker entry */
    int64_t sort_version = 0;
    tn_version_entry *entries;
    size_t n;
    if (UOPS(svc)->version_entries(svc->store, ctx->app_id, TN_VERSION_GROUP_MEMBER, group_id, 0,
                                   ctx->arena, &entries, &n) == TN_OK)
        for (size_t i = 0; i < n; i++)
            if (strcmp(entries[i].element_id, TN_VERSION_SORT_MARKER) == 0)
                sort_version = entries[i].version;
    json_object_set_new(tips, "groupSortVersion", json_integer(sort_version));
}

void tn_group_tell(tn_svc *svc, tn_ctx *ctx, const char *group_id, int32_t type, json_t *tips,
                   int send_msg, const char *const *also, size_t also_count)
{
    if (!tips)
        return;
    tn_group_notice n = {.from = ctx->op_user_id,
                         .group_id = group_id,
                         .content_type = type,
                         .tips = tips,
                         .send_msg = send_msg,
                         .also_to = also,
                         .also_count = also_count};
    if (type == 1502 || type == 1519) { /* these carry the operator's profile */
        const char *op = ctx->op_user_id;
        tn_user *u;
        size_t nu;
        if (tn_group_users(svc, ctx, &op, 1, &u, &nu) == TN_OK && nu) {
            n.sender_nickname = u[0].nickname;
            n.sender_face_url = u[0].face_url;
        }
    }
    tn_notify_group(svc, ctx, &n);
    json_decref(tips);
}

const char *tn_group_uuid(tn_ctx *ctx)
{
    unsigned char b[16];
    if (!tn_rand_bytes(b, sizeof b))
        memset(b, 0, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    return tn_arena_printf(ctx->arena,
                           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                           b[12], b[13], b[14], b[15]);
}

/* ---- validation ---- */

static tn_err check_len(tn_ctx *ctx, const char *field, const char *v, size_t max)
{
    if (v && strlen(v) > max)
        return tn_ctx_fail(ctx, TN_EARGS, "%s is longer than %zu bytes", field, max);
    return TN_OK;
}

static tn_err check_texts(tn_ctx *ctx, const char *name, const char *notification,
                          const char *introduction, const char *face_url, const char *ex)
{
    tn_err e;
    if ((e = check_len(ctx, "groupName", name, TN_GROUP_NAME_MAX)) ||
        (e = check_len(ctx, "notification", notification, TN_GROUP_TEXT_MAX)) ||
        (e = check_len(ctx, "introduction", introduction, TN_GROUP_TEXT_MAX)) ||
        (e = check_len(ctx, "faceURL", face_url, TN_GROUP_URL_MAX)) ||
        (e = check_len(ctx, "ex", ex, TN_GROUP_TEXT_MAX)))
        return e;
    return TN_OK;
}

static tn_err check_verification(tn_ctx *ctx, bool present, int32_t v)
{
    if (present && (v < 0 || v > 2))
        return tn_ctx_fail(ctx, TN_EARGS, "needVerification %d is invalid", v);
    return TN_OK;
}

/* a caller-chosen groupID: 1..TN_ID_MAX bytes, no spaces or control characters */
static bool group_id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > TN_ID_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

/* ---- create ---- */

static tn_err generate_id(tn_svc *svc, tn_ctx *ctx, const char **out)
{
    for (int i = 0; i < 10; i++) {
        uint32_t r;
        if (!tn_rand_bytes(&r, sizeof r))
            return tn_ctx_fail(ctx, TN_ESERVER, "no random bytes");
        const char *id = tn_arena_printf(ctx->arena, "%u", r);
        tn_group *g;
        size_t n;
        tn_err e = GOPS(svc)->groups_get(svc->store, ctx->app_id, &id, 1, ctx->arena, &g, &n);
        if (e)
            return tn_group_store_fail(ctx, e, "groups_get");
        if (n == 0) {
            *out = id;
            return TN_OK;
        }
    }
    return tn_ctx_fail(ctx, TN_EDATA, "group id gen error");
}

tn_err tn_group_create(tn_svc *svc, tn_ctx *ctx, const tn_group_create_req *req, tn_group *out)
{
    const tn_group *in = &req->info;
    tn_err e;
    if (in->group_type != GROUP_WORKING)
        return tn_ctx_fail(ctx, TN_EARGS, "group type only supports %d", GROUP_WORKING);
    if (!req->owner_user_id || !*req->owner_user_id)
        return tn_ctx_fail(ctx, TN_EARGS, "no group owner");
    if ((e = tn_ctx_self_or_admin(ctx, req->owner_user_id)))
        return e;
    if (req->member_count > TN_GROUP_LIST_MAX)
        return tn_ctx_fail(ctx, TN_EARGS, "memberUserIDs has more than %d IDs", TN_GROUP_LIST_MAX);
    if ((e = check_texts(ctx, in->group_name, in->notification, in->introduction, in->face_url,
                         in->ex)) ||
        (e = check_verification(ctx, true, in->need_verification)))
        return e;
    if (in->group_id && *in->group_id && !group_id_valid(in->group_id))
        return tn_ctx_fail(ctx, TN_EARGS, "groupID %s is invalid", in->group_id);

    /* members: owner, admins, members; the operator (an app admin when not the owner) is
     * checked with them but, as in OpenIM, not added */
    size_t n = 1 + req->admin_count + req->member_count + 1;
    const char **ids = tn_arena_calloc(ctx->arena, n, sizeof *ids);
    int32_t *roles = tn_arena_calloc(ctx->arena, n, sizeof *roles);
    size_t k = 0;
    ids[k] = req->owner_user_id, roles[k++] = TN_ROLE_OWNER;
    for (size_t i = 0; i < req->admin_count; i++)
        ids[k] = req->admin_ids[i], roles[k++] = TN_ROLE_ADMIN;
    for (size_t i = 0; i < req->member_count; i++)
        ids[k] = req->member_ids[i], roles[k++] = TN_ROLE_MEMBER;
    bool op_listed = false;
    for (size_t i = 0; i < k && !op_listed; i++)
        op_listed = strcmp(ids[i], ctx->op_user_id) == 0;
    size_t nm = k; /* the members proper */
    if (!op_listed)
        ids[k] = ctx->op_user_id, roles[k++] = TN_ROLE_MEMBER;
    for (size_t i = 0; i < k; i++)
        if (!*ids[i])
            return tn_ctx_fail(ctx, TN_EARGS, "empty userID among the members");
    /* duplicates: a hash-free check that stays fast for the largest lists */
    if (k <= 64) {
        if (!tn_group_ids_unique(ctx, ids, k, "group members"))
            return TN_EARGS;
    } else {
        const char **sorted = tn_arena_calloc(ctx->arena, k, sizeof *sorted);
        memcpy(sorted, ids, k * sizeof *ids);
        qsort(sorted, k, sizeof *sorted, tn_group_cmp_str);
        for (size_t i = 1; i < k; i++)
            if (strcmp(sorted[i - 1], sorted[i]) == 0)
                return tn_ctx_fail(ctx, TN_EARGS, "group member repeated: %s", sorted[i]);
    }
    tn_user *users;
    size_t nu;
    if ((e = tn_group_users(svc, ctx, ids, k, &users, &nu)))
        return e;
    if (nu != k)
        return tn_ctx_fail(ctx, TN_EUSER_NOT_FOUND, "user not found");

    tn_group g = *in;
    if (g.group_id && *g.group_id) {
        tn_group *found;
        size_t nf;
        if ((e = GOPS(svc)->groups_get(svc->store, ctx->app_id, &g.group_id, 1, ctx->arena, &found,
                                       &nf)))
            return tn_group_store_fail(ctx, e, "groups_get");
        if (nf)
            return tn_ctx_fail(ctx, TN_EGROUP_EXISTS, "group id existed %s", g.group_id);
    } else if ((e = generate_id(svc, ctx, &g.group_id))) {
        return e;
    }
    g.create_time = ctx->now_ms;
    if (g.notification && *g.notification) {
        g.notification_update_time = ctx->now_ms;
        if (!g.notification_user_id || !*g.notification_user_id)
            g.notification_user_id = ctx->op_user_id;
    }
    tn_group_member *members = tn_arena_calloc(ctx->arena, nm, sizeof *members);
    for (size_t i = 0; i < nm; i++)
        members[i] = (tn_group_member){.group_id = g.group_id,
                                       .user_id = ids[i],
                                       .role_level = roles[i],
                                       .join_time = ctx->now_ms,
                                       .nickname = "",
                                       .face_url = "",
                                       .join_source = 2, /* invitation */
                                       .operator_user_id = ctx->op_user_id,
                                       .ex = "",
                                       .inviter_user_id = ctx->op_user_id};
    e = GOPS(svc)->group_create(svc->store, ctx->app_id, &g, members, nm,
                                svc->cfg->group_history_for_new_members == 1, ctx->now_ms);
    if (e == TN_EDUP)
        return tn_ctx_fail(ctx, TN_EGROUP_EXISTS, "group id existed %s", g.group_id);
    if (e)
        return tn_group_store_fail(ctx, e, "group_create");
    tn_group_view_invalidate(svc, g.group_id);
    g.owner_user_id = req->owner_user_id;
    g.member_count = (uint32_t)nm;
    *out = g;

    /* GroupCreatedTips: memberList runs up to the operator, as OpenIM builds it */
    json_t *list = json_array();
    json_t *op_json = NULL;
    for (size_t i = 0; i < nm; i++) {
        const tn_user *u = tn_group_user_find(users, nu, ids[i]);
        json_array_append_new(list, tn_json_group_member(&members[i], u));
        if (strcmp(ids[i], ctx->op_user_id) == 0) {
            op_json = tn_json_group_member(&members[i], u);
            break;
        }
    }
    if (!op_json)
        op_json = tn_group_op_json(svc, ctx, g.group_id);
    json_t *group_json = tn_json_group_info(&g);
    json_t *tips =
        json_pack("{s:O,s:O,s:o,s:I,s:o}", "group", group_json, "opUser", op_json, "memberList",
                  list, "operationTime", (json_int_t)ctx->now_ms, "groupOwnerUser",
                  tn_json_group_member(&members[0], tn_group_user_find(users, nu, ids[0])));
    tn_group_set_versions(svc, ctx, g.group_id, tips, false);
    tn_group_tell(svc, ctx, g.group_id, 1501, tips, req->send_msg, NULL, 0);
    if (g.notification && *g.notification) {
        tips = json_pack("{s:O,s:O}", "opUser", op_json, "group", group_json);
        tn_group_set_versions(svc, ctx, g.group_id, tips, false);
        tn_group_tell(svc, ctx, g.group_id, 1519, tips, TN_NOTIFY_MSG, NULL, 0);
    }
    json_decref(group_json);
    json_decref(op_json);
    return TN_OK;
}

/* ---- set info ---- */

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* s without leading and trailing white space, in the arena */
static const char *trim(tn_ctx *ctx, const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return tn_arena_strndup(ctx->arena, s, n);
}

/* groupAtType 4 (a new notice) on every member's group conversation */
static void mark_notice(tn_svc *svc, tn_ctx *ctx, const char *group_id)
{
    tn_group_member *m;
    size_t n;
    if (GOPS(svc)->members_ordered(svc->store, ctx->app_id, group_id, ctx->arena, &m, &n) || !n)
        return;
    const char **owners = tn_arena_calloc(ctx->arena, n, sizeof *owners);
    for (size_t i = 0; i < n; i++)
        owners[i] = m[i].user_id;
    tn_conversation_patch p = {.conversation_id = tn_arena_printf(ctx->arena, "sg_%s", group_id),
                               .conversation_type = 3,
                               .group_id = group_id,
                               .has_group_at_type = true,
                               .group_at_type = GROUP_AT_NOTIFICATION};
    tn_err e =
        UOPS(svc)->conversations_set(svc->store, ctx->app_id, owners, n, &p, ctx->now_ms, NULL);
    if (e)
        tn_log_warn(ctx->operation_id, "groupAtType of group %s not set: error %d", group_id, e);
}

tn_err tn_group_set_info(tn_svc *svc, tn_ctx *ctx, const tn_group_patch *in, bool ex_route)
{
    tn_group_patch p = *in;
    tn_group_member *op;
    tn_group g;
    tn_err e;
    if (!p.group_id || !*p.group_id)
        return tn_ctx_fail(ctx, TN_EARGS, "groupID is empty");
    if ((e = tn_group_check_manager(svc, ctx, p.group_id, &op)) ||
        (e = tn_group_load(svc, ctx, p.group_id, &g)))
        return e;
    if (g.status == TN_GROUP_STATUS_DISMISSED)
        return tn_ctx_fail(ctx, TN_EGROUP_DISMISSED, "group %s is dismissed", p.group_id);
    if (ex_route) {
        if (p.group_name && blank(p.group_name))
            return TN_OK; /* OpenIM ignores the whole request */
        if (p.notification)
            p.notification = trim(ctx, p.notification);
    } else {
        /* GroupInfoForSet: "" = unchanged */
        if (p.group_name && !*p.group_name)
            p.group_name = NULL;
        if (p.notification && !*p.notification)
            p.notification = NULL;
        if (p.introduction && !*p.introduction)
            p.introduction = NULL;
        if (p.face_url && !*p.face_url)
            p.face_url = NULL;
    }
    if ((e = check_texts(ctx, p.group_name, p.notification, p.introduction, p.face_url, p.ex)) ||
        (e = check_verification(ctx, p.has_need_verification, p.need_verification)))
        return e;
    p.has_status = false;
    bool others = p.introduction || p.face_url || p.ex || p.has_need_verification ||
                  p.has_look_member_info || p.has_apply_member_friend;
    if (!p.group_name && !p.notification && !others)
        return TN_OK;
    if (p.notification) {
        p.notification_update_time = ctx->now_ms;
        p.notification_user_id = ctx->op_user_id;
    }
    if ((e = GOPS(svc)->group_update(svc->store, ctx->app_id, &p, ctx->now_ms)))
        return tn_group_store_fail(ctx, e, "group_update");
    tn_group_view_invalidate(svc, p.group_id);

    json_t *group_json = tn_group_info_json(svc, ctx, p.group_id);
    json_t *op_json = tn_group_op_json(svc, ctx, p.group_id);
    if (p.notification && (*p.notification || ex_route)) {
        if (*p.notification)
            mark_notice(svc, ctx, p.group_id);
        json_t *tips = json_pack("{s:O,s:O}", "opUser", op_json, "group", group_json);
        tn_group_set_versions(svc, ctx, p.group_id, tips, false);
        tn_group_tell(svc, ctx, p.group_id, 1519, tips,
                      *p.notification ? TN_NOTIFY_MSG : TN_NOTIFY_NO_MSG, NULL, 0);
    }
    if (p.group_name) {
        json_t *tips = json_pack("{s:O,s:O}", "opUser", op_json, "group", group_json);
        tn_group_set_versions(svc, ctx, p.group_id, tips, false);
        tn_group_tell(svc, ctx, p.group_id, 1520, tips, TN_NOTIFY_DEFAULT, NULL, 0);
    }
    if (others) {
        json_t *tips =
            json_pack("{s:O,s:i,s:O}", "opUser", op_json, "muteTime", 0, "group", group_json);
        tn_group_set_versions(svc, ctx, p.group_id, tips, false);
        tn_group_tell(svc, ctx, p.group_id, 1502, tips, TN_NOTIFY_DEFAULT, NULL, 0);
    }
    json_decref(group_json);
    json_decref(op_json);
    return TN_OK;
}

/* ---- dismiss, mute ---- */

tn_err tn_group_dismiss(tn_svc *svc, tn_ctx *ctx, const char *group_id, bool delete_members,
                        int send_msg)
{
    tn_group g;
    tn_err e;
    if (!group_id || !*group_id)
        return tn_ctx_fail(ctx, TN_EARGS, "groupID is empty");
    if ((e = tn_group_load(svc, ctx, group_id, &g)))
        return e;
    if (!ctx->is_admin && strcmp(g.owner_user_id, ctx->op_user_id) != 0)
        return tn_ctx_fail(ctx, TN_EPERM, "not group owner");
    if (!delete_members && g.status == TN_GROUP_STATUS_DISMISSED)
        return tn_ctx_fail(ctx, TN_EGROUP_DISMISSED, "group status is dismissed");
    if ((e = GOPS(svc)->group_dismiss(svc->store, ctx->app_id, group_id, delete_members,
                                      ctx->now_ms)))
        return tn_group_store_fail(ctx, e, "group_dismiss");
    tn_group_view_invalidate(svc, group_id);
    if (!delete_members) {
        json_t *tips = json_pack("{s:o,s:o,s:I}", "group", tn_group_info_json(svc, ctx, group_id),
                                 "opUser", tn_group_op_json(svc, ctx, group_id), "operationTime",
                                 (json_int_t)ctx->now_ms);
        tn_group_tell(svc, ctx, group_id, 1511, tips, send_msg, NULL, 0);
    }
    return TN_OK;
}

tn_err tn_group_mute(tn_svc *svc, tn_ctx *ctx, const char *group_id, bool mute)
{
    tn_group_member *op;
    tn_group g;
    tn_err e;
    if (!group_id || !*group_id)
        return tn_ctx_fail(ctx, TN_EARGS, "groupID is empty");
    if ((e = tn_group_check_manager(svc, ctx, group_id, &op)) ||
        (e = tn_group_load(svc, ctx, group_id, &g)))
        return e;
    if (g.status == TN_GROUP_STATUS_DISMISSED)
        return tn_ctx_fail(ctx, TN_EGROUP_DISMISSED, "group %s is dismissed", group_id);
    tn_group_patch p = {.group_id = group_id,
                        .has_status = true,
                        .status = mute ? TN_GROUP_STATUS_MUTED : TN_GROUP_STATUS_OK};
    if ((e = GOPS(svc)->group_update(svc->store, ctx->app_id, &p, ctx->now_ms)))
        return tn_group_store_fail(ctx, e, "group_update");
    tn_group_view_invalidate(svc, group_id);
    json_t *tips =
        json_pack("{s:o,s:o,s:I}", "group", tn_group_info_json(svc, ctx, group_id), "opUser",
                  tn_group_op_json(svc, ctx, group_id), "operationTime", (json_int_t)ctx->now_ms);
    tn_group_set_versions(svc, ctx, group_id, tips, false);
    tn_group_tell(svc, ctx, group_id, mute ? 1514 : 1515, tips, TN_NOTIFY_DEFAULT, NULL, 0);
    return TN_OK;
}

/* ---- lists ---- */

tn_err tn_group_infos(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n, tn_group **out,
                      size_t *count)
{
    if (n == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "groupIDs is empty");
    tn_err e = GOPS(svc)->groups_get(svc->store, ctx->app_id, ids, n, ctx->arena, out, count);
    if (e)
        return tn_group_store_fail(ctx, e, "groups_get");
    /* each group once */
    size_t k = 0;
    for (size_t i = 0; i < *count; i++) {
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = strcmp((*out)[j].group_id, (*out)[i].group_id) == 0;
        if (!seen)
            (*out)[k++] = (*out)[i];
    }
    *count = k;
    return TN_OK;
}

tn_err tn_group_search(tn_svc *svc, tn_ctx *ctx, const char *group_id, const char *name,
                       int64_t offset, int64_t limit, tn_group **out, tn_group_member_list *owners,
                       size_t *count, int64_t *total)
{
    tn_err e;
    if (group_id && *group_id) {
        if ((e = GOPS(svc)->groups_get(svc->store, ctx->app_id, &group_id, 1, ctx->arena, out,
                                       count)))
            return tn_group_store_fail(ctx, e, "groups_get");
        *total = (int64_t)*count;
    } else if ((e = GOPS(svc)->groups_search(svc->store, ctx->app_id, name ? name : "", offset,
                                             limit, ctx->arena, out, count, total))) {
        return tn_group_store_fail(ctx, e, "groups_search");
    }
    /* each group's owner, with profile */
    owners->items = tn_arena_calloc(ctx->arena, *count ? *count : 1, sizeof *owners->items);
    owners->profiles = tn_arena_calloc(ctx->arena, *count ? *count : 1, sizeof *owners->profiles);
    owners->count = *count;
    for (size_t i = 0; i < *count; i++) {
        tn_group_member_list l;
        const char *owner = (*out)[i].owner_user_id;
        if (*owner && (e = tn_group_members_load(svc, ctx, (*out)[i].group_id, &owner, 1, &l)))
            return e;
        if (*owner && l.count) {
            owners->items[i] = l.items[0];
            owners->profiles[i] = l.profiles[0];
        }
    }
    return TN_OK;
}

tn_err tn_group_joined(tn_svc *svc, tn_ctx *ctx, const char *user_id, int64_t offset, int64_t limit,
                       tn_group **out, size_t *count, int64_t *total)
{
    tn_err e = tn_ctx_self_or_admin(ctx, user_id);
    if (e)
        return e;
    tn_group_member *m;
    size_t n;
    if ((e = GOPS(svc)->memberships(svc->store, ctx->app_id, user_id, ctx->arena, &m, &n)))
        return tn_group_store_fail(ctx, e, "memberships");
    *total = (int64_t)n;
    *out = NULL;
    *count = 0;
    if (limit <= 0 || offset < 0 || offset >= (int64_t)n)
        return TN_OK;
    size_t k = (size_t)((int64_t)n - offset < limit ? (int64_t)n - offset : limit);
    const char **ids = tn_arena_calloc(ctx->arena, k, sizeof *ids);
    for (size_t i = 0; i < k; i++)
        ids[i] = m[offset + (int64_t)i].group_id;
    e = GOPS(svc)->groups_get(svc->store, ctx->app_id, ids, k, ctx->arena, out, count);
    return e ? tn_group_store_fail(ctx, e, "groups_get") : TN_OK;
}

tn_err tn_group_abstracts(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n,
                          tn_group_abstract **out)
{
    if (n == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "groupIDs is empty");
    if (n > TN_GROUP_LIST_MAX)
        return tn_ctx_fail(ctx, TN_EARGS, "groupIDs has more than %d IDs", TN_GROUP_LIST_MAX);
    if (!tn_group_ids_unique(ctx, ids, n, "groupIDs"))
        return TN_EARGS;
    tn_group *groups;
    size_t ng;
    tn_err e = GOPS(svc)->groups_get(svc->store, ctx->app_id, ids, n, ctx->arena, &groups, &ng);
    if (e)
        return tn_group_store_fail(ctx, e, "groups_get");
    if (ng != n)
        for (size_t i = 0; i < n; i++) {
            bool found = false;
            for (size_t j = 0; j < ng && !found; j++)
                found = strcmp(groups[j].group_id, ids[i]) == 0;
            if (!found)
                return tn_ctx_fail(ctx, TN_EGROUP_NOT_FOUND, "not found group %s", ids[i]);
        }
    tn_group_abstract *list = tn_arena_calloc(ctx->arena, n, sizeof *list);
    for (size_t i = 0; i < n; i++) {
        if ((e = tn_group_check_member(svc, ctx, ids[i])))
            return e;
        tn_group_member *m;
        size_t nm;
        if ((e = GOPS(svc)->members_all(svc->store, ctx->app_id, ids[i], ctx->arena, &m, &nm)))
            return tn_group_store_fail(ctx, e, "members_all");
        const char **uids = tn_arena_calloc(ctx->arena, nm ? nm : 1, sizeof *uids);
        for (size_t j = 0; j < nm; j++)
            uids[j] = m[j].user_id;
        list[i] = (tn_group_abstract){.group_id = ids[i],
                                      .member_count = (uint32_t)nm,
                                      .member_hash = tn_version_id_hash(uids, nm)};
    }
    *out = list;
    return TN_OK;
}
