/* JSON shapes of the social graph (openim-rest.md §2): FriendInfo, BlackInfo, FriendRequest,
 * and FromToUserID, shared by the /friend answers and the friend tips. */
#pragma once
#include <jansson.h>

#include "model.h"

/* FriendInfo; friendUser is the friend's UserInfo, null when user is NULL */
json_t *tn_json_friend_info(const tn_friend *f, const tn_user *user);
/* BlackInfo; blackUserInfo is the blocked user's PublicUserInfo, null when user is NULL */
json_t *tn_json_black_info(const tn_black *b, const tn_user *user);
/* FriendRequest; names and faces from the two profiles ("" when NULL) */
json_t *tn_json_friend_request(const tn_friend_request *r, const tn_user *from, const tn_user *to);
/* FromToUserID {fromUserID, toUserID} */
json_t *tn_json_from_to(const char *from, const char *to);
