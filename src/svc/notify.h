/* Server notifications (openim-protocol.md §7, openim-rest.md §1.9): OpenIM's per-type defaults
 * (notification.yml) declared once, and the two senders services call after a change commits. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "svc.h"

enum {
    TN_NOTIFY_DEFAULT = -1, /* the type's configured isSendMsg */
    TN_NOTIFY_NO_MSG = 0,
    TN_NOTIFY_MSG = 1, /* also a stored copy in the chat conversation (a grey tip) */
};

/* sessionType 1 from → to, pushed online to both users' devices under the n_ pair conversation;
 * when the type's isSendMsg is on (send_msg overrides), also a stored copy in the si_ chat.
 * tips is encoded as the content's detail; not stolen. Errors are logged, never returned to
 * fail the change that caused them. */
void tn_notify_user(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                    int32_t content_type, json_t *tips, int send_msg);

typedef struct tn_group_notice {
    const char *from; /* the operator */
    const char *group_id;
    int32_t content_type;
    json_t *tips; /* not stolen */
    int send_msg; /* TN_NOTIFY_DEFAULT, or the route's sendMessage */
    /* users told besides the current members (the quitter, the kicked, a dismissed group's
     * members removed in the same change) */
    const char *const *also_to;
    size_t also_count;
    /* 1502 and 1519 carry the operator's profile */
    const char *sender_nickname, *sender_face_url;
} tn_group_notice;

/* sessionType 3 to every current member of the group (plus also_to), under n_<groupID>; with
 * isSendMsg also a stored copy in sg_<groupID>, which takes the group's next seq. */
void tn_notify_group(tn_svc *svc, tn_ctx *ctx, const tn_group_notice *n);
