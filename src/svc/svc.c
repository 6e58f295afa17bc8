/* Service bundle set-up (admin accounts exist before the first request) and the user-ID rule
 * shared by every service that accepts new IDs. */
#include "svc.h"

#include <string.h>

#include "group_view.h"
#include "log.h"

bool tn_user_id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > TN_ID_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        bool ok = *p >= 0x80 || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= 'A' && *p <= 'Z') || *p == '_';
        if (!ok)
            return false;
    }
    return true;
}

tn_err tn_svc_init(tn_svc *svc, const tn_config *cfg, tn_store *store)
{
    memset(svc, 0, sizeof *svc);
    svc->cfg = cfg;
    svc->store = store;
    svc->group_views = tn_group_views_new();
    tn_arena arena;
    tn_arena_init(&arena);
    tn_err e = TN_OK;
    for (int i = 0; i < cfg->admin_user_count && e == TN_OK; i++) {
        const char *id = cfg->admin_user_ids[i];
        tn_user *found;
        size_t n;
        e = store->ops->users_get(store, cfg->app_id, &id, 1, &arena, &found, &n);
        if (e || n)
            continue;
        tn_user admin = {.user_id = id,
                         .nickname = id,
                         .face_url = "",
                         .ex = "",
                         .create_time = tn_now_ms(),
                         .app_manger_level = 3};
        const char *dup;
        e = store->ops->users_insert(store, cfg->app_id, &admin, 1, &dup);
        if (e == TN_OK)
            tn_log_info(NULL, "created admin account %s", id);
    }
    tn_arena_free_all(&arena);
    return e;
}

void tn_svc_free(tn_svc *svc)
{
    tn_group_views_free(svc->group_views);
    svc->group_views = NULL;
}
