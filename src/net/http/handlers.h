/* Every REST handler, one per route; each decodes its body, calls one service function and
 * encodes the answer. Listed here so routes.c can build its table. */
#pragma once
#include "routes.h"
#include "version.h"

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

/* api_conversation.c, api_jssdk.c */
#define TN_CONVERSATION_HANDLERS(X)                                                                \
    X(conversation_get_sorted_conversation_list)                                                   \
    X(conversation_get_all_conversations)                                                          \
    X(conversation_get_conversation)                                                               \
    X(conversation_get_conversations)                                                              \
    X(conversation_set_conversations)                                                              \
    X(conversation_get_full_conversation_ids)                                                      \
    X(conversation_get_incremental_conversations)                                                  \
    X(conversation_get_owner_conversation)                                                         \
    X(conversation_get_not_notify_conversation_ids)                                                \
    X(conversation_get_pinned_conversation_ids)                                                    \
    X(conversation_update_conversations_by_user)                                                   \
    X(jssdk_get_conversations)                                                                     \
    X(jssdk_get_active_conversations)                                                              \
/* api_friend.c */
#define TN_FRIEND_HANDLERS(X)                                                                      \
    X(friend_delete_friend)                                                                        \
    X(friend_get_friend_apply_list)                                                                \
    X(friend_get_designated_friend_apply)                                                          \
    X(friend_get_self_friend_apply_list)                                                           \
    X(friend_get_friend_list)                                                                      \
    X(friend_get_designated_friends)                                                               \
    X(friend_add_friend)                                                                           \
    X(friend_add_friend_response)                                                                  \
    X(friend_set_friend_remark)                                                                    \
    X(friend_add_black)                                                                            \
    X(friend_get_black_list)                                                                       \
    X(friend_get_specified_blacks)                                                                 \
    X(friend_remove_black)                                                                         \
    X(friend_get_incremental_blacks)                                                               \
    X(friend_import_friend)                                                                        \
    X(friend_is_friend)                                                                            \
    X(friend_get_friend_id)                                                                        \
    X(friend_get_specified_friends_info)                                                           \
    X(friend_update_friends)                                                                       \
    X(friend_get_incremental_friends)                                                              \
    X(friend_get_full_friend_user_ids)                                                             \
    X(friend_get_self_unhandled_apply_count)

/* api_group.c */
#define TN_GROUP_HANDLERS(X)                                                                       \
    X(group_create_group)                                                                          \
    X(group_set_group_info)                                                                        \
    X(group_set_group_info_ex)                                                                     \
    X(group_join_group)                                                                            \
    X(group_quit_group)                                                                            \
    X(group_group_application_response)                                                            \
    X(group_transfer_group)                                                                        \
    X(group_get_recv_group_application_list)                                                       \
    X(group_get_user_req_group_application_list)                                                   \
    X(group_get_group_users_req_application_list)                                                  \
    X(group_get_specified_user_group_request_info)                                                 \
    X(group_get_groups_info)                                                                       \
    X(group_kick_group)                                                                            \
    X(group_get_group_members_info)                                                                \
    X(group_get_group_member_list)                                                                 \
    X(group_invite_user_to_group)                                                                  \
    X(group_get_joined_group_list)                                                                 \
    X(group_dismiss_group)                                                                         \
    X(group_mute_group_member)                                                                     \
    X(group_cancel_mute_group_member)                                                              \
    X(group_mute_group)                                                                            \
    X(group_cancel_mute_group)                                                                     \
    X(group_set_group_member_info)                                                                 \
    X(group_get_group_abstract_info)                                                               \
    X(group_get_groups)                                                                            \
    X(group_get_group_member_user_id)                                                              \
    X(group_get_incremental_join_groups)                                                           \
    X(group_get_incremental_group_members)                                                         \
    X(group_get_incremental_group_members_batch)                                                   \
    X(group_get_full_group_member_user_ids)                                                        \
    X(group_get_full_join_group_ids)                                                               \
    X(group_get_group_application_unhandled_count)

#define TN_MSG_HANDLERS(X)                                                                         \
    X(msg_send_msg)                                                                                \
    X(msg_newest_seq)                                                                              \
    X(msg_pull_msg_by_seq)                                                                         \
    X(msg_get_server_time)                                                                         \
    X(msg_get_conversations_has_read_and_max_seq)                                                  \
    X(msg_set_conversation_has_read_seq)                                                           \
    X(msg_mark_conversation_as_read)                                                               \
    X(msg_mark_msgs_as_read)                                                                       \
    X(msg_revoke_msg)                                                                              \
    X(msg_delete_msgs)                                                                             \
    X(msg_clear_conversation_msg)                                                                  \
    X(msg_user_clear_all_msg)

#define TN_DECLARE_HANDLER(name) tn_err tn_api_##name(tn_api_call *call);
TN_AUTH_HANDLERS(TN_DECLARE_HANDLER)
TN_USER_HANDLERS(TN_DECLARE_HANDLER)
TN_CONVERSATION_HANDLERS(TN_DECLARE_HANDLER)
TN_MSG_HANDLERS(TN_DECLARE_HANDLER)
TN_FRIEND_HANDLERS(TN_DECLARE_HANDLER)
TN_GROUP_HANDLERS(TN_DECLARE_HANDLER)
#undef TN_DECLARE_HANDLER

/* api_sync.c: {version, versionID, full, delete, insert, update} of an incremental sync
 * (insert and update are stolen), and {version, versionID, equal, <key>} of a full ID list */
json_t *tn_api_sync_json(const tn_version_head *head, const tn_version_delta *d, json_t *insert,
                         json_t *update);
json_t *tn_api_full_ids_json(const tn_version_head *head, bool equal, const char *key,
                             const char *const *ids, size_t n);

/* OpenIM's Conversation record as JSON (api_conversation.c; also used by api_jssdk.c) */
json_t *tn_api_conversation_json(const tn_conversation *c);
