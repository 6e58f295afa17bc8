/* The service bundle handed to every business function: configuration, the store, and the
 * presence hook that the gateway fills in. Services: no sockets, no SQL, no event loop. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "ctx.h"
#include "store.h"

typedef struct tn_svc {
    const tn_config *cfg;
    tn_store *store;
} tn_svc;

/* Creates the configured admin accounts that do not exist yet (nickname = ID, level 3). */
tn_err tn_svc_init(tn_svc *svc, const tn_config *cfg, tn_store *store);

/* letters, digits (any non-ASCII byte counts as a letter) and '_', 1..TN_ID_MAX bytes */
bool tn_user_id_valid(const char *id);
