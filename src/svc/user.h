/* Users: registration, profile reads and partial updates, listings and search, notification
 * accounts, user commands, client config, and online status as the gateway reports it. */
#pragma once
#include "platform.h"
#include "svc.h"

#define TN_PLATFORM_SLOTS TN_PLATFORM_MAX

tn_err tn_user_register(tn_svc *svc, tn_ctx *ctx, tn_user *users, size_t n);
tn_err tn_user_update(tn_svc *svc, tn_ctx *ctx, const tn_user_patch *patch);
tn_err tn_user_get_many(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n, tn_user **out,
                        size_t *count);
/* users_query with the caller's filters; levels are the caller's choice. */
tn_err tn_user_find(tn_svc *svc, tn_ctx *ctx, const tn_user_query *q, tn_user **out, size_t *count,
                    int64_t *total);
/* registered[i] tells whether ids[i] exists; duplicates in ids are rejected. */
tn_err tn_user_account_check(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n,
                             bool *registered);

/* Online presence: platforms with a live gateway connection (from svc->presence). */
typedef struct tn_user_online {
    const char *user_id;
    int32_t platforms[TN_PLATFORM_SLOTS];
    size_t platform_count;
} tn_user_online;
tn_err tn_user_online_status(tn_svc *svc, tn_ctx *ctx, const char *const *ids, size_t n,
                             tn_user_online *out);

/* Notification accounts (appMangerLevel ≥ 3): user_id may be "" to have one generated. */
tn_err tn_user_add_notification_account(tn_svc *svc, tn_ctx *ctx, tn_user *account);
tn_err tn_user_update_notification_account(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                                           const char *nickname, const char *face_url);
tn_err tn_user_search_notification_accounts(tn_svc *svc, tn_ctx *ctx, const char *keyword,
                                            bool has_level, int32_t level, int64_t offset,
                                            int64_t limit, tn_user **out, size_t *count,
                                            int64_t *total);

/* User commands */
tn_err tn_user_command_add(tn_svc *svc, tn_ctx *ctx, const char *user_id, const tn_user_command *c);
tn_err tn_user_command_update(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                              const tn_user_command *c);
tn_err tn_user_command_delete(tn_svc *svc, tn_ctx *ctx, const char *user_id, int32_t type,
                              const char *uuid);
tn_err tn_user_commands_get(tn_svc *svc, tn_ctx *ctx, const char *user_id, int32_t type,
                            tn_user_command **out, size_t *count);

/* Client config: user values override global ones in get. */
tn_err tn_user_client_config_get(tn_svc *svc, tn_ctx *ctx, const char *user_id, tn_kv **out,
                                 size_t *count);
tn_err tn_user_client_config_set(tn_svc *svc, tn_ctx *ctx, const char *user_id, tn_kv *kvs,
                                 size_t n);
tn_err tn_user_client_config_delete(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                                    const char *const *keys, size_t n);
tn_err tn_user_client_config_page(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *key,
                                  int64_t offset, int64_t limit, tn_kv **out, size_t *count,
                                  int64_t *total);
