/* The service bundle handed to every business function: configuration, the store, and the
 * presence hook that the gateway fills in. Services: no sockets, no SQL, no event loop. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "ctx.h"
#include "presence.h"
#include "push.h"
#include "store.h"

typedef struct tn_msg_writer tn_msg_writer;
typedef struct tn_group_views tn_group_views;

typedef struct tn_svc {
    const tn_config *cfg;
    tn_store *store;
    tn_presence *presence;       /* who is online (filled by the gateway) */
    const tn_push_sink *sink;    /* where durable messages go; NULL: nobody is connected */
    tn_msg_writer *writer;       /* group commit of messages */
    tn_group_views *group_views; /* group snapshots for sends and fan-out (group_view.h) */
} tn_svc;

/* Sets the bundle up and creates the configured admin accounts that do not exist yet
 * (nickname = ID, level 3). presence, sink and writer are wired by the caller. */
tn_err tn_svc_init(tn_svc *svc, const tn_config *cfg, tn_store *store);
/* Frees what tn_svc_init made (not the store, writer or presence). */
void tn_svc_free(tn_svc *svc);

/* letters, digits (any non-ASCII byte counts as a letter) and '_', 1..TN_ID_MAX bytes */
bool tn_user_id_valid(const char *id);
