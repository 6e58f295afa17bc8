/* The REST front: OpenIM's middleware order (CORS/OPTIONS, operationID, token), JSON decoding,
 * the route's handler run on the thread pool, and the {errCode, errMsg, errDlt, data} envelope. */
#pragma once
#include <uv.h>

#include "http_server.h"
#include "svc.h"

typedef struct tn_api tn_api;

tn_api *tn_api_new(uv_loop_t *loop, tn_svc *svc);
/* Requests still running keep the api alive; call after the loop has finished them. */
void tn_api_free(tn_api *api);
/* The tn_http_handler of the REST listener (data = the tn_api). */
void tn_api_handle(tn_http_req *req, void *data);
