/* The REST route table: path, handler, permission. The dispatcher, the README's compatibility
 * table and the coverage check all read this one table. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "svc.h"

/* Routes with the protobuf flag receive a protobuf request raw (body NULL) when its
 * Content-Type says so; every other request arrives as a decoded JSON object. */
typedef struct tn_api_call {
    tn_svc *svc;
    tn_ctx *ctx;
    json_t *body; /* the request object; NULL for a protobuf request */
    json_t *data; /* the answer's data; NULL leaves the key out, as OpenIM does for empty */
    const char *content_type; /* NULL when absent */
    const uint8_t *raw_body;
    size_t raw_body_len;
} tn_api_call;

typedef tn_err (*tn_api_fn)(tn_api_call *call);

typedef enum tn_perm {
    TN_PERM_NONE,          /* no token */
    TN_PERM_TOKEN,         /* any valid token */
    TN_PERM_SELF_OR_ADMIN, /* the service compares the target user with the caller */
    TN_PERM_ADMIN,         /* app admins only; checked before the handler runs */
} tn_perm;

typedef struct tn_route {
    const char *path;
    tn_api_fn fn;
    tn_perm perm;
    bool bind_json; /* OpenIM decodes with gin BindJSON: malformed JSON answers HTTP 400 */
    bool protobuf;  /* /jssdk: a protobuf Content-Type selects a protobuf body and answer */
} tn_route;

extern const tn_route tn_routes[];
extern const size_t tn_route_count;

const tn_route *tn_route_find(const char *path);
const char *tn_perm_name(tn_perm perm);
