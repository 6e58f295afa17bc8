/* Who is online where: per user, how many live gateway connections each platform has. Written
 * by the gateway (loop thread), read by REST services (pool threads); mutex-guarded. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

typedef struct tn_presence tn_presence;

tn_presence *tn_presence_new(void);
void tn_presence_free(tn_presence *p);
void tn_presence_add(tn_presence *p, const char *app, const char *user_id, int32_t platform_id);
void tn_presence_remove(tn_presence *p, const char *app, const char *user_id, int32_t platform_id);
/* Platform IDs with at least one live connection, ascending; returns how many (≤ max). */
size_t tn_presence_platforms(tn_presence *p, const char *app, const char *user_id, int32_t *out,
                             size_t max);
