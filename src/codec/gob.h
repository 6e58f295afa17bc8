/* The subset of Go's encoding/gob that the gateway envelope uses: one struct whose fields are
 * builtin scalars, sent as a self-contained stream (type definition, then one value). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define TN_GOB_FIRST_USER_ID 64 /* Go's firstUserId: struct type ids start here */
#define TN_GOB_MAX_FIELDS    32 /* a type definition with more fields is rejected */

/* Field kinds = gob's builtin type ids. float (4) and non-builtin types are not supported. */
typedef enum tn_gob_kind {
    TN_GOB_BOOL = 1,
    TN_GOB_INT = 2, /* every Go signed integer kind */
    TN_GOB_UINT = 3,
    TN_GOB_BYTES = 5,
    TN_GOB_STRING = 6,
} tn_gob_kind;

/* One struct field with its value. Encoding reads name (NUL-terminated), kind and the value
 * member for the kind; a zero value is omitted from the stream, as Go does. Decoding fills every
 * member; name and p then point into the decoded input and are not NUL-terminated. */
typedef struct tn_gob_field {
    const char *name;
    size_t name_len; /* decode only */
    tn_gob_kind kind;
    bool set;         /* decode: the value carried this field (false = zero value) */
    int64_t i;        /* TN_GOB_INT; TN_GOB_BOOL as 0 / 1 */
    uint64_t u;       /* TN_GOB_UINT */
    const uint8_t *p; /* TN_GOB_STRING, TN_GOB_BYTES */
    size_t len;
} tn_gob_field;

/* A decoded stream: the struct's type (name from the definition, id from its message) and its
 * fields in definition order. */
typedef struct tn_gob_struct {
    const char *type_name; /* into the input, type_name_len bytes */
    size_t type_name_len;
    int32_t type_id;
    size_t nfields;
    tn_gob_field fields[TN_GOB_MAX_FIELDS];
} tn_gob_struct;

/* Primitives. put_* append to b; get_* read from *p (< end), advance it and fail when the input
 * ends early or is malformed. */
void tn_gob_put_uint(tn_buf *b, uint64_t v);
void tn_gob_put_int(tn_buf *b, int64_t v);
void tn_gob_put_bytes(tn_buf *b, const void *data, size_t len);
bool tn_gob_get_uint(const uint8_t **p, const uint8_t *end, uint64_t *v);
bool tn_gob_get_int(const uint8_t **p, const uint8_t *end, int64_t *v);

/* Appends a complete stream: the definition of struct type_name (id type_id ≥ 64) with the
 * given fields in order, then the value message. */
void tn_gob_encode_struct(tn_buf *out, const char *type_name, int32_t type_id,
                          const tn_gob_field *fields, size_t n);
/* Decodes a complete stream: exactly one struct type definition then one value of that type, and
 * nothing after it. On failure returns false and writes a one-line reason into why. */
bool tn_gob_decode_struct(const uint8_t *buf, size_t len, tn_gob_struct *out, char *why,
                          size_t whylen);
/* The decoded field with exactly this name (gob matches names case-sensitively), or NULL. */
const tn_gob_field *tn_gob_field_named(const tn_gob_struct *s, const char *name);
