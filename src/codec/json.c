/* Request-field decoding and shared response shapes for the OpenIM JSON dialect.
 * No I/O and no business rules: services decide what a value means. */
#include "json.h"

#include <string.h>
#include <strings.h>

json_t *tn_json_field(json_t *obj, const char *key)
{
    if (!json_is_object(obj))
        return NULL;
    json_t *v = json_object_get(obj, key);
    if (v)
        return v;
    const char *k;
    json_object_foreach(obj, k, v)
    {
        if (strcasecmp(k, key) == 0)
            return v;
    }
    return NULL;
}

static const char *type_name(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    case JSON_NULL:
        return "null";
    }
    return "value";
}

static tn_err wrong_type(tn_ctx *ctx, const char *key, const char *want, json_t *v)
{
    return tn_ctx_fail(ctx, TN_EARGS, "field %s: cannot decode %s into %s", key, type_name(v),
                       want);
}

static tn_err missing(tn_ctx *ctx, const char *key)
{
    return tn_ctx_fail(ctx, TN_EARGS, "%s is empty", key);
}

tn_err tn_json_str(tn_ctx *ctx, json_t *obj, const char *key, bool required, const char **out)
{
    json_t *v = tn_json_field(obj, key);
    *out = "";
    if (v && !json_is_null(v)) {
        if (!json_is_string(v))
            return wrong_type(ctx, key, "string", v);
        *out = json_string_value(v);
    }
    if (required && !**out)
        return missing(ctx, key);
    return TN_OK;
}

tn_err tn_json_str_wrapper(tn_ctx *ctx, json_t *obj, const char *key, const char **out)
{
    json_t *v = tn_json_field(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return TN_OK;
    if (!json_is_string(v))
        return wrong_type(ctx, key, "string", v);
    *out = json_string_value(v);
    return TN_OK;
}

tn_err tn_json_bool_wrapper(tn_ctx *ctx, json_t *obj, const char *key, bool *present, bool *out)
{
    json_t *v = tn_json_field(obj, key);
    *present = v && !json_is_null(v);
    *out = false;
    if (!*present)
        return TN_OK;
    if (!json_is_boolean(v))
        return tn_ctx_fail(ctx, TN_EARGS, "field %s: cannot decode into bool", key);
    *out = json_is_true(v);
    return TN_OK;
}

tn_err tn_json_int32_list(tn_ctx *ctx, json_t *obj, const char *key, int32_t **out, size_t *n)
{
    json_t *v = tn_json_field(obj, key);
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return TN_OK;
    if (!json_is_array(v))
        return tn_ctx_fail(ctx, TN_EARGS, "field %s: cannot decode into []int32", key);
    size_t len = json_array_size(v);
    int32_t *list = tn_arena_calloc(ctx->arena, len ? len : 1, sizeof *list);
    for (size_t i = 0; i < len; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_integer(item) || json_integer_value(item) < INT32_MIN ||
            json_integer_value(item) > INT32_MAX)
            return tn_ctx_fail(ctx, TN_EARGS, "field %s[%zu]: cannot decode into int32", key, i);
        list[i] = (int32_t)json_integer_value(item);
    }
    *out = list;
    *n = len;
    return TN_OK;
}

static tn_err int_value(tn_ctx *ctx, json_t *v, const char *key, int64_t min, int64_t max,
                        int64_t *out)
{
    /* Go's encoding/json refuses any number with a fraction or exponent for an int field */
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
    } else {
        return wrong_type(ctx, key, "integer", v);
    }
    if (*out < min || *out > max)
        return tn_ctx_fail(ctx, TN_EARGS, "field %s: %lld is out of range [%lld, %lld]", key,
                           (long long)*out, (long long)min, (long long)max);
    return TN_OK;
}

tn_err tn_json_int(tn_ctx *ctx, json_t *obj, const char *key, bool required, int64_t min,
                   int64_t max, int64_t *out)
{
    json_t *v = tn_json_field(obj, key);
    *out = 0;
    if (!v || json_is_null(v))
        return required ? missing(ctx, key) : TN_OK;
    /* Zero means "missing" for a required field, but only when zero is outside the range. */
    if (json_is_integer(v) && json_integer_value(v) == 0 && required)
        return missing(ctx, key);
    return int_value(ctx, v, key, min, max, out);
}

tn_err tn_json_int_wrapper(tn_ctx *ctx, json_t *obj, const char *key, int64_t min, int64_t max,
                           bool *present, int64_t *out)
{
    json_t *v = tn_json_field(obj, key);
    *present = false;
    *out = 0;
    if (!v || json_is_null(v))
        return TN_OK;
    *present = true;
    return int_value(ctx, v, key, min, max, out);
}

tn_err tn_json_bool(tn_ctx *ctx, json_t *obj, const char *key, bool *out)
{
    json_t *v = tn_json_field(obj, key);
    *out = false;
    if (!v || json_is_null(v))
        return TN_OK;
    if (!json_is_boolean(v))
        return wrong_type(ctx, key, "bool", v);
    *out = json_is_true(v);
    return TN_OK;
}

tn_err tn_json_str_list(tn_ctx *ctx, json_t *obj, const char *key, bool required, bool nonempty,
                        const char ***out, size_t *n)
{
    json_t *v = tn_json_field(obj, key);
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return required ? missing(ctx, key) : TN_OK;
    if (!json_is_array(v))
        return wrong_type(ctx, key, "[]string", v);
    size_t len = json_array_size(v);
    if (nonempty && len == 0)
        return missing(ctx, key);
    const char **list = tn_arena_calloc(ctx->arena, len ? len : 1, sizeof *list);
    for (size_t i = 0; i < len; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_string(item))
            return wrong_type(ctx, key, "[]string", item);
        list[i] = json_string_value(item);
    }
    *out = list;
    *n = len;
    return TN_OK;
}

tn_err tn_json_object(tn_ctx *ctx, json_t *obj, const char *key, bool required, json_t **out)
{
    json_t *v = tn_json_field(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? missing(ctx, key) : TN_OK;
    if (!json_is_object(v))
        return wrong_type(ctx, key, "object", v);
    *out = v;
    return TN_OK;
}

tn_err tn_json_pagination(tn_ctx *ctx, json_t *obj, bool required, tn_page *out)
{
    json_t *p;
    tn_err e = tn_json_object(ctx, obj, "pagination", required, &p);
    memset(out, 0, sizeof *out);
    if (e || !p)
        return e;
    int64_t page, show;
    if ((e = tn_json_int(ctx, p, "pageNumber", false, INT32_MIN, INT32_MAX, &page)) ||
        (e = tn_json_int(ctx, p, "showNumber", false, INT32_MIN, INT32_MAX, &show)))
        return e;
    if (required && page < 1)
        return tn_ctx_fail(ctx, TN_EARGS, "pageNumber is invalid");
    out->given = true;
    if (page < 1 || show <= 0)
        return TN_OK;
    out->offset = (page - 1) * show;
    out->limit = show;
    return TN_OK;
}

json_t *tn_json_string(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

json_t *tn_json_user(const tn_user *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "userID", tn_json_string(u->user_id));
    json_object_set_new(o, "nickname", tn_json_string(u->nickname));
    json_object_set_new(o, "faceURL", tn_json_string(u->face_url));
    json_object_set_new(o, "ex", tn_json_string(u->ex));
    json_object_set_new(o, "createTime", json_integer(u->create_time));
    json_object_set_new(o, "appMangerLevel", json_integer(u->app_manger_level));
    json_object_set_new(o, "globalRecvMsgOpt", json_integer(u->global_recv_msg_opt));
    return o;
}

json_t *tn_json_public_user(const tn_user *u)
{
    if (!u)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "userID", tn_json_string(u->user_id));
    json_object_set_new(o, "nickname", tn_json_string(u->nickname));
    json_object_set_new(o, "faceURL", tn_json_string(u->face_url));
    json_object_set_new(o, "ex", tn_json_string(u->ex));
    return o;
}

json_t *tn_json_ids_or_null(const char *const *ids, size_t n)
{
    return n ? tn_json_str_array(ids, n) : json_null();
}

json_t *tn_json_str_array(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, tn_json_string(v[i]));
    return a;
}
