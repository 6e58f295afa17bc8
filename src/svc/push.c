/* tn_push construction: the push and all its strings in one block, so the event loop frees
 * a delivered push with one call whatever thread built it. */
#include "push.h"

#include <stdlib.h>
#include <string.h>

#include "group_view.h"

tn_push *tn_push_new(tn_refbuf *msg, const char *conversation_id, const char *operation_id,
                     uint64_t origin_conn, const char *hold_user, bool notification,
                     const char *const *targets, size_t target_count)
{
    if (!hold_user)
        hold_user = "";
    size_t extra = strlen(conversation_id) + 1 + strlen(operation_id) + 1 + strlen(hold_user) + 1;
    for (size_t i = 0; i < target_count; i++)
        extra += strlen(targets[i]) + 1;
    tn_push *p = malloc(sizeof *p + target_count * sizeof(char *) + extra);
    if (!p)
        abort();
    char *cursor = (char *)(p->targets + target_count);
    p->msg = msg;
    p->notification = notification;
    p->group = NULL;
    p->target_count = target_count;
    p->conversation_id = strcpy(cursor, conversation_id);
    cursor += strlen(conversation_id) + 1;
    p->operation_id = strcpy(cursor, operation_id);
    cursor += strlen(operation_id) + 1;
    p->origin_conn = origin_conn;
    p->hold_user = strcpy(cursor, hold_user);
    cursor += strlen(hold_user) + 1;
    for (size_t i = 0; i < target_count; i++) {
        p->targets[i] = strcpy(cursor, targets[i]);
        cursor += strlen(targets[i]) + 1;
    }
    return p;
}

void tn_push_free(tn_push *p)
{
    if (!p)
        return;
    tn_refbuf_unref(p->msg);
    tn_group_view_put(p->group);
    free(p);
}
