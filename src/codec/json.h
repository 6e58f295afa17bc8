/* Typed access to OpenIM JSON request bodies (Go encoding/json rules: case-insensitive keys,
 * null = zero value, no quoted numbers) and JSON shapes of shared records (UserInfo, …).
 * Every decode failure is TN_EARGS with a detail naming the field. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"
#include "model.h"

typedef struct tn_page {
    int64_t offset;
    int64_t limit; /* 0 when showNumber ≤ 0: an empty page, total still counted */
    bool given;
} tn_page;

/* The member named key; falls back to a case-insensitive match as Go does. NULL if absent. */
json_t *tn_json_field(json_t *obj, const char *key);

/* A string; absent or null gives "" (or NULL for a wrapper-style field via tn_json_str_wrapper).
 * required: "" counts as missing. */
tn_err tn_json_str(tn_ctx *ctx, json_t *obj, const char *key, bool required, const char **out);
/* OpenIM's StringValue wrapper: absent/null → *out = NULL (leave unchanged). */
tn_err tn_json_str_wrapper(tn_ctx *ctx, json_t *obj, const char *key, const char **out);
/* OpenIM's BoolValue wrapper: absent/null → *present = false. */
tn_err tn_json_bool_wrapper(tn_ctx *ctx, json_t *obj, const char *key, bool *present, bool *out);
/* An optional []int32 (absent/null: none), in ctx's arena. */
tn_err tn_json_int32_list(tn_ctx *ctx, json_t *obj, const char *key, int32_t **out, size_t *n);
/* An integer within [min, max]; absent/null gives 0. required: 0 counts as missing. */
tn_err tn_json_int(tn_ctx *ctx, json_t *obj, const char *key, bool required, int64_t min,
                   int64_t max, int64_t *out);
/* Int32Value wrapper / proto3 optional: absent/null → *present = false. */
tn_err tn_json_int_wrapper(tn_ctx *ctx, json_t *obj, const char *key, int64_t min, int64_t max,
                           bool *present, int64_t *out);
tn_err tn_json_bool(tn_ctx *ctx, json_t *obj, const char *key, bool *out);
/* A list of strings into the ctx arena; required: null/absent is missing (an empty list is not,
 * unless nonempty is set). */
tn_err tn_json_str_list(tn_ctx *ctx, json_t *obj, const char *key, bool required, bool nonempty,
                        const char ***out, size_t *n);
/* A nested object; absent/null gives NULL unless required. */
tn_err tn_json_object(tn_ctx *ctx, json_t *obj, const char *key, bool required, json_t **out);
/* `pagination` {pageNumber, showNumber}: required rejects absence and pageNumber < 1. */
tn_err tn_json_pagination(tn_ctx *ctx, json_t *obj, bool required, tn_page *out);

json_t *tn_json_user(const tn_user *u);
/* PublicUserInfo {userID, nickname, faceURL, ex}; null for NULL */
json_t *tn_json_public_user(const tn_user *u);
json_t *tn_json_str_array(const char *const *v, size_t n);
/* tn_json_str_array, or null for none (Go's nil slice) */
json_t *tn_json_ids_or_null(const char *const *ids, size_t n);
/* json_string for possibly-invalid UTF-8 input stored by an earlier version: never NULL. */
json_t *tn_json_string(const char *s);
