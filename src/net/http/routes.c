/* The route table itself, sorted by path so lookups are a binary search.
 * Adding a route: one row here, one handler in api_<group>.c, one test in tests/api/. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "handlers.h"

#define R(path, name, perm)                                                                        \
    {                                                                                              \
        path, tn_api_##name, TN_PERM_##perm, false                                                 \
    }
#define R_BIND(path, name, perm)                                                                   \
    {                                                                                              \
        path, tn_api_##name, TN_PERM_##perm, true                                                  \
    }

const tn_route tn_routes[] = {
    R("/auth/force_logout", auth_force_logout, ADMIN),
    R("/auth/get_admin_token", auth_get_admin_token, NONE),
    R("/auth/get_user_token", auth_get_user_token, ADMIN),
    R("/auth/parse_token", auth_parse_token, NONE),
    R("/user/account_check", user_account_check, ADMIN),
    R("/user/add_notification_account", user_add_notification_account, ADMIN),
    R("/user/del_user_client_config", user_del_client_config, ADMIN),
    R("/user/get_all_users_uid", user_get_all_users_uid, TOKEN),
    R("/user/get_subscribe_users_status", user_get_subscribe_users_status, SELF_OR_ADMIN),
    R("/user/get_user_client_config", user_get_client_config, SELF_OR_ADMIN),
    R("/user/get_users", user_get_users, TOKEN),
    R("/user/get_users_info", user_get_users_info, TOKEN),
    R_BIND("/user/get_users_online_status", user_get_users_online_status, ADMIN),
    R_BIND("/user/get_users_online_token_detail", user_get_users_online_token_detail, ADMIN),
    R("/user/get_users_status", user_get_users_status, TOKEN),
    R("/user/page_user_client_config", user_page_client_config, ADMIN),
    R("/user/process_user_command_add", user_command_add, SELF_OR_ADMIN),
    R("/user/process_user_command_delete", user_command_delete, SELF_OR_ADMIN),
    R("/user/process_user_command_get", user_command_get, SELF_OR_ADMIN),
    R("/user/process_user_command_get_all", user_command_get_all, SELF_OR_ADMIN),
    R("/user/process_user_command_update", user_command_update, SELF_OR_ADMIN),
    R("/user/search_notification_account", user_search_notification_account, ADMIN),
    R("/user/set_global_msg_recv_opt", user_set_global_msg_recv_opt, SELF_OR_ADMIN),
    R("/user/set_user_client_config", user_set_client_config, ADMIN),
    R("/user/subscribe_users_status", user_subscribe_users_status, SELF_OR_ADMIN),
    R("/user/update_notification_account", user_update_notification_account, ADMIN),
    R("/user/update_user_info", user_update_info, SELF_OR_ADMIN),
    R("/user/update_user_info_ex", user_update_info_ex, SELF_OR_ADMIN),
    R("/user/user_register", user_register, ADMIN),
};

const size_t tn_route_count = sizeof tn_routes / sizeof tn_routes[0];

static int by_path(const void *key, const void *elem)
{
    return strcmp(key, ((const tn_route *)elem)->path);
}

const tn_route *tn_route_find(const char *path)
{
    return bsearch(path, tn_routes, tn_route_count, sizeof tn_routes[0], by_path);
}

const char *tn_perm_name(tn_perm perm)
{
    static const char *const names[] = {"none", "token", "self or admin", "admin"};
    return names[perm];
}
