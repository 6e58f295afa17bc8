/* Operation context helpers: failure recording and the two permission checks every service uses.
 * The wall clock is read here once per operation. */
#include "ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t tn_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tn_ctx_init(tn_ctx *ctx, const char *app_id, const char *operation_id, tn_arena *arena)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->app_id = app_id;
    ctx->operation_id = operation_id ? operation_id : "";
    ctx->arena = arena;
    ctx->now_ms = tn_now_ms();
}

tn_err tn_ctx_fail(tn_ctx *ctx, tn_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->detail, sizeof ctx->detail, fmt, ap);
    va_end(ap);
    return code;
}

tn_err tn_ctx_self_or_admin(tn_ctx *ctx, const char *user_id)
{
    if (ctx->is_admin || strcmp(ctx->op_user_id, user_id) == 0)
        return TN_OK;
    return tn_ctx_fail(ctx, TN_EPERM, "opUserID %s is not %s or an app admin", ctx->op_user_id,
                       user_id);
}

tn_err tn_ctx_admin_only(tn_ctx *ctx)
{
    if (ctx->is_admin)
        return TN_OK;
    return tn_ctx_fail(ctx, TN_EPERM, "opUserID %s is not an app admin", ctx->op_user_id);
}
