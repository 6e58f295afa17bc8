/* The delivery interface services call after a message is durable: the gateway implements it
 * (and a cluster bus later). Implementations take ownership and may be called from any thread. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refbuf.h"

struct tn_group_view;

typedef struct tn_push {
    tn_refbuf *msg; /* MsgData bytes, seq included; one reference owned by the push */
    char *conversation_id;
    char *operation_id;   /* the send's operationID, echoed in the push as OpenIM does */
    uint64_t origin_conn; /* the connection that sent it (0: REST), answered first */
    /* a notice caused by a REST call: the caller's devices get it after the self-push delay,
     * once the SDK has handled the call's answer ("" = none) */
    char *hold_user;
    bool notification; /* an n_ conversation: goes into notificationMsgs */
    /* a group message: every member of this snapshot receives it besides targets (one
     * reference owned by the push); NULL for 1:1 */
    struct tn_group_view *group;
    size_t target_count;
    char *targets[]; /* user IDs: every live connection of each receives the message */
} tn_push;

/* One allocation: the strings are copied behind the struct. msg's reference is taken over;
 * group (may be NULL) is set by the caller afterwards, its reference taken over too. */
tn_push *tn_push_new(tn_refbuf *msg, const char *conversation_id, const char *operation_id,
                     uint64_t origin_conn, const char *hold_user, bool notification,
                     const char *const *targets, size_t target_count);
void tn_push_free(tn_push *p);

typedef struct tn_push_sink {
    void (*push)(void *impl, const char *app, tn_push *p);
    /* closes the user's live connections on one platform (0 = all) after a kick frame */
    void (*kick)(void *impl, const char *app, const char *user_id, int32_t platform_id);
    /* optional: what this thread delivers between hold and release (pushes, kicks and the
     * answers of requests it completes) goes out together at release, in order */
    void (*hold)(void *impl);
    void (*release)(void *impl);
    void *impl;
} tn_push_sink;
