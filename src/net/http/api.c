/* REST request pipeline. Cheap checks (OPTIONS, method, headers) answer on the loop thread;
 * anything touching the store (token status, the handler) runs on the libuv thread pool. */
#include "api.h"

#include <http_parser.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "auth.h"
#include "log.h"
#include "routes.h"

struct tn_api {
    uv_loop_t *loop;
    tn_svc *svc;
};

typedef struct api_job {
    uv_work_t work;
    tn_api *api;
    tn_http_req *req;
    const tn_route *route; /* NULL: unknown path, answered 404 after the token check */
    bool needs_token;
    int status;
    const char *content_type;
    char *body;
    size_t body_len;
    bool gzipped;
    tn_err code;
} api_job;

static const char json_content_type[] = "application/json; charset=utf-8";

tn_api *tn_api_new(uv_loop_t *loop, tn_svc *svc)
{
    tn_api *api = calloc(1, sizeof *api);
    if (!api)
        abort();
    api->loop = loop;
    api->svc = svc;
    return api;
}

void tn_api_free(tn_api *api)
{
    free(api);
}

/* The envelope as text; data is stolen. */
static char *envelope(tn_err code, const char *detail, json_t *data)
{
    json_t *o = json_object();
    json_object_set_new(o, "errCode", json_integer(code));
    json_object_set_new(o, "errMsg", json_string(code ? tn_err_name(code) : ""));
    json_object_set_new(o, "errDlt", json_string(code ? detail : ""));
    if (data && code == TN_OK)
        json_object_set_new(o, "data", data);
    else
        json_decref(data);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        abort();
    return text;
}

static void respond_text(tn_http_req *req, int status, const char *type, const char *text)
{
    tn_http_respond(req, status, type, text, strlen(text), NULL);
}

static void respond_envelope(tn_http_req *req, tn_err code, const char *detail)
{
    char *text = envelope(code, detail, NULL);
    tn_log_info(req->operation_id, "POST %s errCode=%d %s", req->path, code, detail);
    respond_text(req, 200, json_content_type, text);
    free(text);
}

static bool token_whitelisted(const char *path)
{
    return strncmp(path, "/auth/get_admin_token", 21) == 0 ||
           strncmp(path, "/auth/parse_token", 17) == 0;
}

/* gzip-encodes job->body in place when the client accepts it (OpenIM's gin gzip middleware
 * does the same for every answer); done on the worker so the loop never compresses. */
static void maybe_gzip(api_job *job)
{
    job->body_len = strlen(job->body);
    if (!job->req->accept_gzip)
        return;
    z_stream z = {0};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return;
    uLong cap = deflateBound(&z, job->body_len);
    unsigned char *out = malloc(cap);
    if (!out)
        abort();
    z.next_in = (unsigned char *)job->body;
    z.avail_in = (uInt)job->body_len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
        free(job->body);
        job->body = (char *)out;
        job->body_len = z.total_out;
        job->gzipped = true;
    } else {
        free(out);
    }
    deflateEnd(&z);
}

static void run_job(uv_work_t *w)
{
    api_job *job = w->data;
    tn_http_req *req = job->req;
    tn_svc *svc = job->api->svc;
    tn_arena arena;
    tn_arena_init(&arena);
    tn_ctx ctx;
    tn_ctx_init(&ctx, svc->cfg->app_id, req->operation_id, &arena);
    json_t *body = NULL;
    tn_api_call call = {.svc = svc, .ctx = &ctx};
    job->status = 200;
    job->content_type = json_content_type;

    tn_err e = job->needs_token ? tn_auth_authenticate(svc, &ctx, req->token) : TN_OK;
    if (e == TN_OK && !job->route) {
        job->status = 404;
        job->content_type = "text/plain";
        job->body = strdup("404 page not found");
        goto out;
    }
    if (e == TN_OK && job->route->perm == TN_PERM_ADMIN)
        e = tn_ctx_admin_only(&ctx);
    call.content_type = req->content_type;
    call.raw_body = (const uint8_t *)req->body;
    call.raw_body_len = req->body_len;
    bool protobuf_body = e == TN_OK && job->route->protobuf && req->content_type &&
                         (strstr(req->content_type, "application/x-protobuf") ||
                          strstr(req->content_type, "application/protobuf"));
    if (e == TN_OK && !protobuf_body) {
        json_error_t jerr;
        body = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, &jerr);
        if (!body || !json_is_object(body)) {
            if (body)
                e = tn_ctx_fail(&ctx, TN_EARGS, "request body must be a JSON object");
            else
                e = tn_ctx_fail(&ctx, TN_EARGS, "json: %s", jerr.text);
            if (job->route->bind_json)
                job->status = 400;
        }
    }
    if (e == TN_OK) {
        call.body = body;
        e = job->route->fn(&call);
    }
    if (e == TN_EDATABASE && !ctx.detail[0])
        tn_ctx_fail(&ctx, e, "database error");
    job->code = e;
    job->body = envelope(e, ctx.detail, call.data);
    call.data = NULL;
    if (e)
        tn_log_info(ctx.operation_id, "POST %s errCode=%d %s", req->path, e, ctx.detail);
out:
    maybe_gzip(job);
    json_decref(call.data);
    json_decref(body);
    tn_arena_free_all(&arena);
}

static void job_done(uv_work_t *w, int status)
{
    api_job *job = w->data;
    tn_http_req *req = job->req;
    if (status == UV_ECANCELED || !job->body) {
        char *text = envelope(TN_ESERVER, "request cancelled", NULL);
        respond_text(req, 500, json_content_type, text);
        free(text);
    } else {
        uint64_t us = (uv_hrtime() - req->start_ns) / 1000;
        tn_log_debug(req->operation_id, "POST %s -> %d errCode=%d in %llu us", req->path,
                     job->status, job->code, (unsigned long long)us);
        tn_http_respond(req, job->status, job->content_type, job->body, job->body_len,
                        job->gzipped ? "Content-Encoding: gzip\r\n" : NULL);
    }
    free(job->body);
    free(job);
}

void tn_api_handle(tn_http_req *req, void *data)
{
    tn_api *api = data;
    if (req->method == HTTP_OPTIONS) {
        respond_text(req, 200, json_content_type, "\"Options Request!\"");
        return;
    }
    const tn_route *route = tn_route_find(req->path);
    if (req->method != HTTP_POST) {
        tn_log_debug(NULL, "%s %s -> 404", http_method_str(req->method), req->path);
        respond_text(req, 404, "text/plain", "404 page not found");
        return;
    }
    if (!req->operation_id || !*req->operation_id) {
        respond_envelope(req, TN_EARGS, "header must have operationID");
        return;
    }
    bool needs_token = !token_whitelisted(req->path);
    if (needs_token && (!req->token || !*req->token)) {
        respond_envelope(req, TN_EARGS, "header must have token");
        return;
    }
    api_job *job = calloc(1, sizeof *job);
    if (!job)
        abort();
    job->api = api;
    job->req = req;
    job->route = route;
    job->needs_token = needs_token;
    job->work.data = job;
    if (uv_queue_work(api->loop, &job->work, run_job, job_done) < 0) {
        free(job);
        respond_envelope(req, TN_ESERVER, "cannot schedule request");
    }
}
