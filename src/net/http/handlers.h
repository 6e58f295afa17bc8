/* Every REST handler, one per route; each decodes its body, calls one service function and
 * encodes the answer. Listed here so routes.c can build its table. */
#pragma once
#include "routes.h"

#define TN_AUTH_HANDLERS(X)                                                                        \
    X(auth_get_admin_token)                                                                        \
    X(auth_get_user_token)                                                                         \
    X(auth_parse_token)                                                                            \
    X(auth_force_logout)

#define TN_USER_HANDLERS(X)                                                                        \
    X(user_register)                                                                               \
    X(user_update_info)                                                                            \
    X(user_update_info_ex)                                                                         \
    X(user_set_global_msg_recv_opt)                                                                \
    X(user_get_users_info)                                                                         \
    X(user_get_all_users_uid)                                                                      \
    X(user_account_check)                                                                          \
    X(user_get_users)                                                                              \
    X(user_get_users_online_status)                                                                \
    X(user_get_users_online_token_detail)                                                          \
    X(user_subscribe_users_status)                                                                 \
    X(user_get_users_status)                                                                       \
    X(user_get_subscribe_users_status)                                                             \
    X(user_command_add)                                                                            \
    X(user_command_delete)                                                                         \
    X(user_command_update)                                                                         \
    X(user_command_get)                                                                            \
    X(user_command_get_all)                                                                        \
    X(user_add_notification_account)                                                               \
    X(user_update_notification_account)                                                            \
    X(user_search_notification_account)                                                            \
    X(user_get_client_config)                                                                      \
    X(user_set_client_config)                                                                      \
    X(user_del_client_config)                                                                      \
    X(user_page_client_config)

#define TN_DECLARE_HANDLER(name) tn_err tn_api_##name(tn_api_call *call);
TN_AUTH_HANDLERS(TN_DECLARE_HANDLER)
TN_USER_HANDLERS(TN_DECLARE_HANDLER)
#undef TN_DECLARE_HANDLER
