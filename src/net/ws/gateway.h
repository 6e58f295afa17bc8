/* The OpenIM WebSocket gateway: listener, upgrade with token login, sessions per user, request
 * dispatch by reqIdentifier, pushes, kicks and heartbeats. Implements svc's push sink. */
#pragma once
#include <uv.h>

#include "push.h"
#include "svc.h"

typedef struct tn_gateway tn_gateway;

typedef struct tn_gateway_options {
    const char *ip;
    int port;
    size_t max_frame;      /* largest incoming message */
    size_t max_send_queue; /* bytes waiting to be written before a slow reader is cut off */
    int max_conns;
    int max_conns_per_user;
} tn_gateway_options;

int tn_gateway_start(uv_loop_t *loop, tn_svc *svc, const tn_gateway_options *opt, tn_gateway **out);
int tn_gateway_port(const tn_gateway *gw);
/* The sink services deliver to; valid until tn_gateway_free. */
const tn_push_sink *tn_gateway_sink(tn_gateway *gw);
/* Stops accepting and closes every connection; the loop then runs dry. */
void tn_gateway_stop(tn_gateway *gw);
/* After the loop has ended and the message writer has stopped: handles or drops the last
 * events, closes the wake-up handle (running the loop once more) and frees the gateway. */
void tn_gateway_free(tn_gateway *gw);
