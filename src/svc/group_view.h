/* What the send path and the fan-out need of a group on every message, without a store read:
 * an immutable, ref-counted snapshot (status, members sorted by ID with role and mute), cached
 * per group and replaced after every group write. */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc.h"

typedef struct tn_group_view_member {
    const char *user_id;
    int32_t role_level;
    int64_t mute_end_time; /* Unix ms */
} tn_group_view_member;

typedef struct tn_group_view {
    atomic_int refs;
    char *group_id;
    int32_t status; /* TN_GROUP_STATUS_* */
    size_t count;
    tn_group_view_member *members; /* sorted by user_id (strcmp) */
} tn_group_view;

/* The current snapshot of group_id with a reference the caller must put; NULL with TN_OK when
 * no such group exists. Loads from the store on a miss. */
tn_err tn_group_view_get(tn_svc *svc, tn_ctx *ctx, const char *group_id, tn_group_view **out);
tn_group_view *tn_group_view_ref(tn_group_view *v);
void tn_group_view_put(tn_group_view *v);
/* The member entry of user_id, or NULL. */
const tn_group_view_member *tn_group_view_find(const tn_group_view *v, const char *user_id);

/* Every write to a group (info, status, members, roles, mutes) calls this after its commit. */
void tn_group_view_invalidate(tn_svc *svc, const char *group_id);

/* The cache itself (created by tn_svc_init, freed by tn_svc_free). */
typedef struct tn_group_views tn_group_views;
tn_group_views *tn_group_views_new(void);
void tn_group_views_free(tn_group_views *gv);
