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
#define R_PB(path, name, perm)                                                                     \
    {                                                                                              \
        path, tn_api_##name, TN_PERM_##perm, false, true                                           \
    }

const tn_route tn_routes[] = {
    R("/auth/force_logout", auth_force_logout, ADMIN),
    R("/auth/get_admin_token", auth_get_admin_token, NONE),
    R("/auth/get_user_token", auth_get_user_token, ADMIN),
    R("/auth/parse_token", auth_parse_token, NONE),
    R("/conversation/get_all_conversations", conversation_get_all_conversations, SELF_OR_ADMIN),
    R("/conversation/get_conversation", conversation_get_conversation, SELF_OR_ADMIN),
    R("/conversation/get_conversations", conversation_get_conversations, SELF_OR_ADMIN),
    R("/conversation/get_full_conversation_ids", conversation_get_full_conversation_ids,
      SELF_OR_ADMIN),
    R("/conversation/get_incremental_conversations", conversation_get_incremental_conversations,
      SELF_OR_ADMIN),
    R("/conversation/get_not_notify_conversation_ids", conversation_get_not_notify_conversation_ids,
      SELF_OR_ADMIN),
    R("/conversation/get_owner_conversation", conversation_get_owner_conversation, SELF_OR_ADMIN),
    R("/conversation/get_pinned_conversation_ids", conversation_get_pinned_conversation_ids,
      SELF_OR_ADMIN),
    R("/conversation/get_sorted_conversation_list", conversation_get_sorted_conversation_list,
      SELF_OR_ADMIN),
    R("/conversation/set_conversations", conversation_set_conversations, SELF_OR_ADMIN),
    R("/conversation/update_conversations_by_user", conversation_update_conversations_by_user,
      SELF_OR_ADMIN),
    R("/friend/add_black", friend_add_black, SELF_OR_ADMIN),
    R("/friend/add_friend", friend_add_friend, SELF_OR_ADMIN),
    R("/friend/add_friend_response", friend_add_friend_response, SELF_OR_ADMIN),
    R("/friend/delete_friend", friend_delete_friend, SELF_OR_ADMIN),
    R("/friend/get_black_list", friend_get_black_list, SELF_OR_ADMIN),
    R("/friend/get_designated_friend_apply", friend_get_designated_friend_apply, TOKEN),
    R("/friend/get_designated_friends", friend_get_designated_friends, SELF_OR_ADMIN),
    R("/friend/get_friend_apply_list", friend_get_friend_apply_list, SELF_OR_ADMIN),
    R("/friend/get_friend_id", friend_get_friend_id, SELF_OR_ADMIN),
    R("/friend/get_friend_list", friend_get_friend_list, SELF_OR_ADMIN),
    R("/friend/get_full_friend_user_ids", friend_get_full_friend_user_ids, SELF_OR_ADMIN),
    R("/friend/get_incremental_blacks", friend_get_incremental_blacks, TOKEN),
    R("/friend/get_incremental_friends", friend_get_incremental_friends, SELF_OR_ADMIN),
    R("/friend/get_self_friend_apply_list", friend_get_self_friend_apply_list, SELF_OR_ADMIN),
    R("/friend/get_self_unhandled_apply_count", friend_get_self_unhandled_apply_count,
      SELF_OR_ADMIN),
    R("/friend/get_specified_blacks", friend_get_specified_blacks, SELF_OR_ADMIN),
    R("/friend/get_specified_friends_info", friend_get_specified_friends_info, SELF_OR_ADMIN),
    R("/friend/import_friend", friend_import_friend, ADMIN),
    R("/friend/is_friend", friend_is_friend, TOKEN),
    R("/friend/remove_black", friend_remove_black, SELF_OR_ADMIN),
    R("/friend/set_friend_remark", friend_set_friend_remark, SELF_OR_ADMIN),
    R("/friend/update_friends", friend_update_friends, SELF_OR_ADMIN),
    R("/group/cancel_mute_group", group_cancel_mute_group, TOKEN),
    R("/group/cancel_mute_group_member", group_cancel_mute_group_member, TOKEN),
    R("/group/create_group", group_create_group, SELF_OR_ADMIN),
    R("/group/dismiss_group", group_dismiss_group, TOKEN),
    R("/group/get_full_group_member_user_ids", group_get_full_group_member_user_ids, TOKEN),
    R("/group/get_full_join_group_ids", group_get_full_join_group_ids, SELF_OR_ADMIN),
    R("/group/get_group_abstract_info", group_get_group_abstract_info, TOKEN),
    R("/group/get_group_application_unhandled_count", group_get_group_application_unhandled_count,
      SELF_OR_ADMIN),
    R("/group/get_group_member_list", group_get_group_member_list, TOKEN),
    R("/group/get_group_member_user_id", group_get_group_member_user_id, TOKEN),
    R("/group/get_group_members_info", group_get_group_members_info, TOKEN),
    R("/group/get_group_users_req_application_list", group_get_group_users_req_application_list,
      TOKEN),
    R("/group/get_groups", group_get_groups, TOKEN),
    R("/group/get_groups_info", group_get_groups_info, TOKEN),
    R("/group/get_incremental_group_members", group_get_incremental_group_members, TOKEN),
    R("/group/get_incremental_group_members_batch", group_get_incremental_group_members_batch,
      TOKEN),
    R("/group/get_incremental_join_groups", group_get_incremental_join_groups, SELF_OR_ADMIN),
    R("/group/get_joined_group_list", group_get_joined_group_list, SELF_OR_ADMIN),
    R("/group/get_recv_group_applicationList", group_get_recv_group_application_list,
      SELF_OR_ADMIN),
    R("/group/get_specified_user_group_request_info", group_get_specified_user_group_request_info,
      TOKEN),
    R("/group/get_user_req_group_applicationList", group_get_user_req_group_application_list,
      SELF_OR_ADMIN),
    R("/group/group_application_response", group_group_application_response, TOKEN),
    R("/group/invite_user_to_group", group_invite_user_to_group, TOKEN),
    R("/group/join_group", group_join_group, TOKEN),
    R("/group/kick_group", group_kick_group, TOKEN),
    R("/group/mute_group", group_mute_group, TOKEN),
    R("/group/mute_group_member", group_mute_group_member, TOKEN),
    R("/group/quit_group", group_quit_group, SELF_OR_ADMIN),
    R("/group/set_group_info", group_set_group_info, TOKEN),
    R("/group/set_group_info_ex", group_set_group_info_ex, TOKEN),
    R("/group/set_group_member_info", group_set_group_member_info, TOKEN),
    R("/group/transfer_group", group_transfer_group, TOKEN),
    R_PB("/jssdk/get_active_conversations", jssdk_get_active_conversations, TOKEN),
    R_PB("/jssdk/get_conversations", jssdk_get_conversations, TOKEN),
    R("/msg/clear_conversation_msg", msg_clear_conversation_msg, SELF_OR_ADMIN),
    R("/msg/delete_msgs", msg_delete_msgs, SELF_OR_ADMIN),
    R("/msg/get_conversations_has_read_and_max_seq", msg_get_conversations_has_read_and_max_seq,
      SELF_OR_ADMIN),
    R("/msg/get_server_time", msg_get_server_time, TOKEN),
    R("/msg/mark_conversation_as_read", msg_mark_conversation_as_read, SELF_OR_ADMIN),
    R("/msg/mark_msgs_as_read", msg_mark_msgs_as_read, SELF_OR_ADMIN),
    R("/msg/newest_seq", msg_newest_seq, SELF_OR_ADMIN),
    R("/msg/pull_msg_by_seq", msg_pull_msg_by_seq, SELF_OR_ADMIN),
    R("/msg/revoke_msg", msg_revoke_msg, SELF_OR_ADMIN),
    R_BIND("/msg/send_msg", msg_send_msg, ADMIN),
    R("/msg/set_conversation_has_read_seq", msg_set_conversation_has_read_seq, SELF_OR_ADMIN),
    R("/msg/user_clear_all_msg", msg_user_clear_all_msg, SELF_OR_ADMIN),
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
