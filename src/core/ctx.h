/* The context of one operation (an HTTP request, later a WS request): who asks, for which app,
 * under which operationID, and the detail text of the error it ends with. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

#define TN_ID_MAX     128 /* longest user/group ID accepted, in bytes */
#define TN_DETAIL_MAX 256

typedef struct tn_ctx {
    const char *app_id;
    const char *operation_id;
    char op_user_id[TN_ID_MAX + 1]; /* empty until a token was verified */
    int op_platform;
    bool is_admin;
    int64_t now_ms;   /* fixed at the start of the operation */
    uint64_t conn_id; /* the gateway connection it came from; 0 for REST */
    tn_arena *arena;
    char detail[TN_DETAIL_MAX]; /* errDlt of the failure, if any */
} tn_ctx;

void tn_ctx_init(tn_ctx *ctx, const char *app_id, const char *operation_id, tn_arena *arena);

/* Records the failure's detail and returns code, so callers write `return tn_ctx_fail(...)`. */
tn_err tn_ctx_fail(tn_ctx *ctx, tn_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* TN_OK when the operation's user is user_id or an app admin, else TN_EPERM with a detail. */
tn_err tn_ctx_self_or_admin(tn_ctx *ctx, const char *user_id);
tn_err tn_ctx_admin_only(tn_ctx *ctx);

int64_t tn_now_ms(void);
