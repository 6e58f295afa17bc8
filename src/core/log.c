/* Formats log lines as "<UTC time> <LEVEL> [op=<operationID>] <text>" and writes each with one
 * write(2), so lines from worker threads never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static tn_log_level min_level = TN_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void tn_log_set_level(tn_log_level level)
{
    min_level = level;
}

bool tn_log_enabled(tn_log_level level)
{
    return level >= min_level;
}

bool tn_log_level_parse(const char *name, tn_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (tn_log_level)i;
            return true;
        }
    }
    return false;
}

void tn_log(tn_log_level level, const char *op, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    static const char *const upper[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, upper[level]);
    if (op && *op)
        n += snprintf(line + n, sizeof line - (size_t)n, "[op=%.64s] ", op);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    /* One event, one line: a newline inside the text would forge a second event. */
    for (size_t i = (size_t)n; i < len; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
