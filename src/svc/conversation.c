/* Conversation rules: who may read and change whose records, what set_conversations writes,
 * incremental sync of the conversation log, and read state / unread counts for the lists. */
#include "conversation.h"
#include "msg.h"
#include "store_friend.h"
#include "store_group.h"

#include <string.h>

#define STORE(svc) ((svc)->store)
#define OPS(svc)   ((svc)->store->ops)

#define GROUP_CHAT 3 /* conversationType of group chats */

static tn_err store_fail(tn_ctx *ctx, tn_err e, const char *what)
{
    if (e == TN_ENOTFOUND)
        return tn_ctx_fail(ctx, e, "%s not found", what);
    return tn_ctx_fail(ctx, e, "store failed: %s", what);
}

static tn_err list_all(tn_svc *svc, tn_ctx *ctx, const char *owner, tn_conversation **out,
                       size_t *count)
{
    tn_err e = OPS(svc)->conversations_list(STORE(svc), ctx->app_id, owner, ctx->arena, out, count);
    return e ? store_fail(ctx, e, "conversations_list") : TN_OK;
}

static tn_err get_many(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                       size_t n, tn_conversation **out, size_t *count)
{
    tn_err e =
        OPS(svc)->conversations_get(STORE(svc), ctx->app_id, owner, ids, n, ctx->arena, out, count);
    return e ? store_fail(ctx, e, "conversations_get") : TN_OK;
}

tn_err tn_conversation_get_all(tn_svc *svc, tn_ctx *ctx, const char *owner, tn_conversation **out,
                               size_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    return e ? e : list_all(svc, ctx, owner, out, count);
}

tn_err tn_conversation_get_many(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                                size_t n, tn_conversation **out, size_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    return e ? e : get_many(svc, ctx, owner, ids, n, out, count);
}

tn_err tn_conversation_get(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *id,
                           tn_conversation *out)
{
    tn_conversation *list;
    size_t n;
    tn_err e = tn_conversation_get_many(svc, ctx, owner, &id, 1, &list, &n);
    if (e)
        return e;
    if (n == 0)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "conversation %s of %s not found", id, owner);
    *out = list[0];
    return TN_OK;
}

tn_err tn_conversation_page(tn_svc *svc, tn_ctx *ctx, const char *owner, int64_t offset,
                            int64_t limit, tn_conversation **out, size_t *count, int64_t *total)
{
    tn_conversation *all;
    size_t n;
    tn_err e = tn_conversation_get_all(svc, ctx, owner, &all, &n);
    if (e)
        return e;
    *total = (int64_t)n;
    *out = all;
    *count = 0;
    if (limit > 0 && offset >= 0 && offset < (int64_t)n) {
        *out = all + offset;
        *count = (size_t)((int64_t)n - offset < limit ? (int64_t)n - offset : limit);
    }
    return TN_OK;
}

static tn_err filtered_ids(tn_svc *svc, tn_ctx *ctx, const char *owner, bool pinned,
                           const char ***ids, size_t *count)
{
    tn_conversation *all;
    size_t n;
    tn_err e = tn_conversation_get_all(svc, ctx, owner, &all, &n);
    if (e)
        return e;
    const char **list = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *list);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (pinned ? all[i].is_pinned : all[i].recv_msg_opt != 0)
            list[k++] = all[i].conversation_id;
    *ids = list;
    *count = k;
    return TN_OK;
}

tn_err tn_conversation_not_notify_ids(tn_svc *svc, tn_ctx *ctx, const char *owner,
                                      const char ***ids, size_t *count)
{
    return filtered_ids(svc, ctx, owner, false, ids, count);
}

tn_err tn_conversation_pinned_ids(tn_svc *svc, tn_ctx *ctx, const char *owner, const char ***ids,
                                  size_t *count)
{
    return filtered_ids(svc, ctx, owner, true, ids, count);
}

/* ---- writes ---- */

static tn_err store_set(tn_svc *svc, tn_ctx *ctx, const char *const *owners, size_t n,
                        const tn_conversation_patch *p, bool *changed)
{
    tn_err e =
        OPS(svc)->conversations_set(STORE(svc), ctx->app_id, owners, n, p, ctx->now_ms, changed);
    return e ? store_fail(ctx, e, "conversations_set") : TN_OK;
}

tn_err tn_conversation_set(tn_svc *svc, tn_ctx *ctx, const char *const *owners, size_t n,
                           const tn_conversation_patch *p)
{
    tn_err e;
    if (n == 0)
        return tn_ctx_fail(ctx, TN_EARGS, "userIDs is empty");
    for (size_t i = 0; i < n; i++)
        if ((e = tn_ctx_self_or_admin(ctx, owners[i])))
            return e;
    if (!p->conversation_id || !*p->conversation_id)
        return tn_ctx_fail(ctx, TN_EARGS, "conversation.conversationID is empty");
    if (p->conversation_type != 1 && p->conversation_type != GROUP_CHAT &&
        p->conversation_type != 4)
        return tn_ctx_fail(ctx, TN_EARGS, "conversation.conversationType %d is invalid",
                           p->conversation_type);
    if (p->conversation_type == 1 && (!p->user_id || !*p->user_id))
        return tn_ctx_fail(ctx, TN_EARGS, "conversation.userID is empty");
    if (p->conversation_type == GROUP_CHAT && (!p->group_id || !*p->group_id))
        return tn_ctx_fail(ctx, TN_EARGS, "conversation.groupID is empty");

    /* Every present field except isPrivateChat, written to each owner (created when missing). */
    tn_conversation_patch fields = *p;
    fields.has_is_private_chat = false;
    bool any = fields.has_recv_msg_opt || fields.has_is_pinned || fields.has_attached_info ||
               fields.has_ex || fields.has_burn_duration || fields.has_group_at_type ||
               fields.has_msg_destruct_time || fields.has_is_msg_destruct;
    if (any) {
        bool *changed = tn_arena_calloc(ctx->arena, n, sizeof *changed);
        if ((e = store_set(svc, ctx, owners, n, &fields, changed)))
            return e;
        /* ConversationChangeNotification (1300) to each owner whose record changed, so their
         * other devices re-sync; push-only, as OpenIM's default notification config has it */
        for (size_t i = 0; i < n; i++) {
            if (!changed[i])
                continue;
            json_t *tips = json_pack("{s:s,s:[s]}", "userID", owners[i], "conversationIDList",
                                     p->conversation_id);
            tn_msg_notify(svc, ctx, owners[i], owners[i], 1300, tips, false);
            json_decref(tips);
        }
    }

    /* isPrivateChat outside groups: both sides of the chat, each created when missing. */
    if (p->has_is_private_chat && p->conversation_type != GROUP_CHAT) {
        tn_conversation_patch priv = {
            .conversation_id = p->conversation_id,
            .conversation_type = p->conversation_type,
            .user_id = p->user_id,
            .group_id = p->group_id,
            .has_is_private_chat = true,
            .is_private_chat = p->is_private_chat,
        };
        if ((e = store_set(svc, ctx, owners, n, &priv, NULL)))
            return e;
        if (p->user_id && *p->user_id) {
            for (size_t i = 0; i < n; i++) {
                priv.user_id = owners[i]; /* the peer's record points back at the owner */
                if ((e = store_set(svc, ctx, &p->user_id, 1, &priv, NULL)))
                    return e;
            }
        }
        /* ConversationPrivateChatNotification (1701) per owner, to both sides, push-only */
        for (size_t i = 0; p->user_id && *p->user_id && i < n; i++) {
            json_t *tips =
                json_pack("{s:s,s:s,s:b,s:s}", "recvID", p->user_id, "sendID", owners[i],
                          "isPrivate", p->is_private_chat, "conversationID", p->conversation_id);
            tn_msg_notify(svc, ctx, owners[i], p->user_id, 1701, tips, false);
            json_decref(tips);
        }
    }
    return TN_OK;
}

tn_err tn_conversation_update_ex(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *ex)
{
    tn_conversation *all;
    size_t n;
    tn_err e = tn_conversation_get_all(svc, ctx, user_id, &all, &n);
    if (e || !ex)
        return e;
    /* One write per conversation whose ex differs (each is one step of the owner's log). */
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        if (strcmp(all[i].ex, ex) == 0)
            continue;
        tn_conversation_patch p = {.conversation_id = all[i].conversation_id,
                                   .conversation_type = all[i].conversation_type,
                                   .user_id = all[i].user_id,
                                   .group_id = all[i].group_id,
                                   .has_ex = true,
                                   .ex = ex};
        e = store_set(svc, ctx, &user_id, 1, &p, NULL);
    }
    return e;
}

/* ---- incremental sync ---- */

tn_err tn_conversation_incremental(tn_svc *svc, tn_ctx *ctx, const char *owner,
                                   const char *version_id, int64_t version,
                                   tn_conversation_sync *out)
{
    memset(out, 0, sizeof *out);
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e || (e = tn_version_sync(svc, ctx, TN_VERSION_CONVERSATION, owner, version_id, version,
                                  &out->head, &out->delta)))
        return e;
    const tn_version_delta *d = &out->delta;
    if (d->insert_count && (e = get_many(svc, ctx, owner, d->insert_ids, d->insert_count,
                                         &out->insert, &out->insert_count)))
        return e;
    if (d->update_count && (e = get_many(svc, ctx, owner, d->update_ids, d->update_count,
                                         &out->update, &out->update_count)))
        return e;
    return TN_OK;
}

tn_err tn_conversation_full_ids(tn_svc *svc, tn_ctx *ctx, const char *owner, uint64_t id_hash,
                                tn_version_head *head, bool *equal, const char ***ids,
                                size_t *count)
{
    tn_err e = tn_ctx_self_or_admin(ctx, owner);
    if (e || (e = tn_version_head_get(svc, ctx, TN_VERSION_CONVERSATION, owner, head)))
        return e;
    tn_conversation *all;
    size_t n;
    if ((e = list_all(svc, ctx, owner, &all, &n)))
        return e;
    const char **list = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *list);
    for (size_t i = 0; i < n; i++)
        list[i] = all[i].conversation_id;
    *equal = tn_version_id_hash(list, n) == id_hash;
    *ids = *equal ? NULL : list;
    *count = *equal ? 0 : n;
    return TN_OK;
}

/* ---- summaries: read state, newest message, profiles ---- */

/* Global max seq and its time for each of convs (0 when none). */
static tn_err load_seqs(tn_svc *svc, tn_ctx *ctx, const tn_conversation *convs, size_t n,
                        int64_t *max_seq, int64_t *max_time)
{
    const char **ids = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        ids[i] = convs[i].conversation_id;
        max_seq[i] = max_time[i] = 0;
    }
    tn_err e;
    if (!OPS(svc)->seq_infos) { /* backends without seq times: max seqs only */
        for (size_t i = 0; i < n; i++)
            if ((e = OPS(svc)->seq_max(STORE(svc), ctx->app_id, ids[i], &max_seq[i])))
                return store_fail(ctx, e, "seq_max");
        return TN_OK;
    }
    tn_seq_info *infos;
    size_t k;
    if ((e = OPS(svc)->seq_infos(STORE(svc), ctx->app_id, ids, n, ctx->arena, &infos, &k)))
        return store_fail(ctx, e, "seq_infos");
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i < n; i++)
            if (strcmp(ids[i], infos[j].conversation_id) == 0) {
                max_seq[i] = infos[j].max_seq;
                max_time[i] = infos[j].max_seq_time;
            }
    return TN_OK;
}

static const tn_user *find_user(const tn_user *users, size_t n, const char *id)
{
    for (size_t i = 0; id && *id && i < n; i++)
        if (strcmp(users[i].user_id, id) == 0)
            return &users[i];
    return NULL;
}

/* The owner's friend record of each chat peer and the group of each group conversation (what the
 * JS SDK's /jssdk answers show beside the conversation). */
static tn_err attach_relations(tn_svc *svc, tn_ctx *ctx, const char *owner,
                               tn_conversation_summary *list, size_t n)
{
    const char **peers = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *peers);
    const char **groups = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *groups);
    size_t np = 0, ng = 0;
    for (size_t i = 0; i < n; i++) {
        if (*list[i].conv.group_id)
            groups[ng++] = list[i].conv.group_id;
        else if (*list[i].conv.user_id && strcmp(list[i].conv.user_id, owner) != 0)
            peers[np++] = list[i].conv.user_id;
    }
    tn_friend *friends = NULL;
    tn_group *found = NULL;
    size_t nf = 0, nfound = 0;
    tn_err e;
    if (np && (e = STORE(svc)->friends->friends_get(STORE(svc), ctx->app_id, owner, peers, np,
                                                    ctx->arena, &friends, &nf)))
        return store_fail(ctx, e, "friends_get");
    if (ng && (e = STORE(svc)->groups->groups_get(STORE(svc), ctx->app_id, groups, ng, ctx->arena,
                                                  &found, &nfound)))
        return store_fail(ctx, e, "groups_get");
    for (size_t i = 0; i < n; i++) {
        tn_conversation_summary *s = &list[i];
        for (size_t j = 0; j < nf && *s->conv.user_id && !*s->conv.group_id; j++)
            if (strcmp(friends[j].friend_user_id, s->conv.user_id) == 0)
                s->friend_of = &friends[j];
        for (size_t j = 0; j < nfound && *s->conv.group_id; j++)
            if (strcmp(found[j].group_id, s->conv.group_id) == 0)
                s->group = &found[j];
    }
    return TN_OK;
}

/* The owner's summaries of convs (same order). */
static tn_err summarize(tn_svc *svc, tn_ctx *ctx, const char *owner, const tn_conversation *convs,
                        size_t n, tn_conversation_summary **out)
{
    tn_conversation_summary *list = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *list);
    int64_t *max_seq = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *max_seq);
    int64_t *max_time = tn_arena_calloc(ctx->arena, n ? n : 1, sizeof *max_time);
    tn_err e = load_seqs(svc, ctx, convs, n, max_seq, max_time);
    if (e)
        return e;
    const char **who = tn_arena_calloc(ctx->arena, 2 * n + 1, sizeof *who);
    size_t nwho = 0;
    for (size_t i = 0; i < n; i++) {
        tn_conversation_summary *s = &list[i];
        s->conv = convs[i];
        /* the owner's cap (member who left a group) replaces the global max */
        s->max_seq = convs[i].max_seq > 0 ? convs[i].max_seq : max_seq[i];
        s->read_seq = convs[i].has_read_seq;
        s->unread = s->max_seq > s->read_seq ? s->max_seq - s->read_seq : 0;
        if (s->max_seq > 0) {
            tn_msg_rec *msgs;
            size_t k;
            if ((e = OPS(svc)->msgs_range(STORE(svc), ctx->app_id, convs[i].conversation_id,
                                          s->max_seq, s->max_seq, ctx->arena, &msgs, &k)))
                return store_fail(ctx, e, "msgs_range");
            if (k)
                s->last_msg = &msgs[0];
        }
        s->latest_time = max_time[i]   ? max_time[i]
                         : s->last_msg ? s->last_msg->send_time
                                       : convs[i].create_time;
        if (!*convs[i].group_id && *convs[i].user_id)
            who[nwho++] = convs[i].user_id;
        if (s->last_msg && s->last_msg->send_id && *s->last_msg->send_id)
            who[nwho++] = s->last_msg->send_id;
    }
    tn_user *users = NULL;
    size_t nusers = 0;
    if (nwho &&
        (e = OPS(svc)->users_get(STORE(svc), ctx->app_id, who, nwho, ctx->arena, &users, &nusers)))
        return store_fail(ctx, e, "users_get");
    if ((e = attach_relations(svc, ctx, owner, list, n)))
        return e;
    for (size_t i = 0; i < n; i++) {
        tn_conversation_summary *s = &list[i];
        if (!*s->conv.group_id)
            s->peer = find_user(users, nusers, s->conv.user_id);
        if (!s->last_msg)
            continue;
        /* a chat shows the peer, also for one's own last message; a group shows the sender */
        bool mine = s->last_msg->send_id && strcmp(s->last_msg->send_id, owner) == 0;
        s->sender =
            !*s->conv.group_id && mine ? s->peer : find_user(users, nusers, s->last_msg->send_id);
    }
    *out = list;
    return TN_OK;
}

/* pinned first, then newest first; stable (insertion sort: lists are per user and short) */
static bool before(const tn_conversation_summary *x, const tn_conversation_summary *y)
{
    if (x->conv.is_pinned != y->conv.is_pinned)
        return x->conv.is_pinned;
    return x->latest_time > y->latest_time;
}

static void sort_summaries(tn_conversation_summary *list, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        tn_conversation_summary cur = list[i];
        size_t j = i;
        while (j > 0 && before(&cur, &list[j - 1])) {
            list[j] = list[j - 1];
            j--;
        }
        list[j] = cur;
    }
}

tn_err tn_conversation_sorted(tn_svc *svc, tn_ctx *ctx, const char *owner, const char *const *ids,
                              size_t n, int64_t offset, int64_t limit,
                              tn_conversation_summary **out, size_t *count,
                              int64_t *conversation_total, int64_t *unread_total)
{
    tn_conversation *convs;
    size_t nc;
    tn_err e = n ? tn_conversation_get_many(svc, ctx, owner, ids, n, &convs, &nc)
                 : tn_conversation_get_all(svc, ctx, owner, &convs, &nc);
    if (e)
        return e;
    if (nc == 0)
        return tn_ctx_fail(ctx, TN_ENOTFOUND, "no conversation of %s found", owner);
    tn_conversation_summary *list;
    if ((e = summarize(svc, ctx, owner, convs, nc, &list)))
        return e;
    *conversation_total = *unread_total = 0;
    for (size_t i = 0; i < nc; i++) {
        *conversation_total += list[i].last_msg != NULL;
        *unread_total += list[i].unread;
    }
    sort_summaries(list, nc);
    *out = list;
    *count = 0;
    if (limit > 0 && offset >= 0 && offset < (int64_t)nc) {
        *out = list + offset;
        *count = (size_t)((int64_t)nc - offset < limit ? (int64_t)nc - offset : limit);
    }
    return TN_OK;
}

/* keeps the summaries that have a last message, in order */
static size_t keep_with_message(tn_conversation_summary *list, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (list[i].last_msg)
            list[k++] = list[i];
    return k;
}

tn_err tn_conversation_jssdk_get(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n,
                                 tn_conversation_summary **out, size_t *count, int64_t *unread)
{
    const char *owner = ctx->op_user_id;
    tn_conversation *convs;
    size_t nc;
    tn_err e = get_many(svc, ctx, owner, ids, n, &convs, &nc);
    if (e)
        return e;
    tn_conversation_summary *list;
    if ((e = summarize(svc, ctx, owner, convs, nc, &list)))
        return e;
    *unread = 0;
    for (size_t i = 0; i < nc; i++)
        *unread += list[i].unread;
    *out = list;
    *count = keep_with_message(list, nc);
    return TN_OK;
}

tn_err tn_conversation_jssdk_active(tn_svc *svc, tn_ctx *ctx, int64_t limit,
                                    tn_conversation_summary **out, size_t *count, int64_t *unread)
{
    const char *owner = ctx->op_user_id;
    if (limit <= 0 || limit > 500)
        limit = 100;
    tn_conversation *convs;
    size_t nc;
    tn_err e = list_all(svc, ctx, owner, &convs, &nc);
    if (e)
        return e;
    tn_conversation_summary *list;
    if ((e = summarize(svc, ctx, owner, convs, nc, &list)))
        return e;
    *unread = 0;
    for (size_t i = 0; i < nc; i++)
        *unread += list[i].unread;
    size_t k = keep_with_message(list, nc);
    sort_summaries(list, k);
    *out = list;
    *count = k < (size_t)limit ? k : (size_t)limit;
    return TN_OK;
}
