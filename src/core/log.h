/* Leveled, one-line-per-event logging to stderr; every line of a request carries its operationID.
 * Thread-safe (one write(2) per line); no allocation. */
#pragma once
#include <stdbool.h>

typedef enum tn_log_level {
    TN_LOG_DEBUG,
    TN_LOG_INFO,
    TN_LOG_WARN,
    TN_LOG_ERROR,
} tn_log_level;

void tn_log_set_level(tn_log_level level);
bool tn_log_enabled(tn_log_level level);
/* "debug", "info", "warn", "error" → level; false if the name is not one of them. */
bool tn_log_level_parse(const char *name, tn_log_level *out);

/* op may be NULL (events outside a request). */
void tn_log(tn_log_level level, const char *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define tn_log_debug(op, ...) tn_log(TN_LOG_DEBUG, op, __VA_ARGS__)
#define tn_log_info(op, ...)  tn_log(TN_LOG_INFO, op, __VA_ARGS__)
#define tn_log_warn(op, ...)  tn_log(TN_LOG_WARN, op, __VA_ARGS__)
#define tn_log_error(op, ...) tn_log(TN_LOG_ERROR, op, __VA_ARGS__)
