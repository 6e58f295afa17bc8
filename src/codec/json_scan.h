/* A strict, allocation-free JSON reader for flat envelopes: it validates a whole document that
 * must be one object and hands over each top-level member as spans into the caller's buffer. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum tn_json_kind {
    TN_JSON_STRING,
    TN_JSON_NUMBER,
    TN_JSON_TRUE,
    TN_JSON_FALSE,
    TN_JSON_NULL,
    TN_JSON_OBJECT,
    TN_JSON_ARRAY,
} tn_json_kind;

/* A value as it stands in the document. A string's span is its content between the quotes,
 * still escaped when escaped is true; other kinds span their whole text. */
typedef struct tn_json_span {
    tn_json_kind kind;
    const char *p;
    size_t len;
    bool escaped;
    bool integer; /* a number without fraction or exponent */
} tn_json_span;

/* Called per member in document order; returning false stops the scan (the callback says why). */
typedef bool (*tn_json_member_fn)(void *ud, const tn_json_span *key, const tn_json_span *value);

/* Checks buf as RFC 8259 JSON holding one object (strings valid UTF-8, no lone surrogates, no
 * \u0000 in keys) and calls fn per member. False with a reason in why when the text is not
 * such a document, or when fn refused a member (why is then left to fn). */
bool tn_json_scan_object(const char *buf, size_t len, tn_json_member_fn fn, void *ud, char *why,
                         size_t whylen);

/* A string span unescaped into out, which holds at least span->len + 1 bytes; returns the length
 * written before the NUL it adds. The span must come from tn_json_scan_object. */
size_t tn_json_unescape(const tn_json_span *s, char *out);

/* Length of the valid UTF-8 sequence at s (Go's utf8.DecodeRune rules: no overlongs, surrogates
 * or values above U+10FFFF), or 0 when it is invalid; *rune gets the code point. */
size_t tn_json_utf8_rune(const unsigned char *s, size_t n, uint32_t *rune);

/* An integer number span within [INT64_MIN, INT64_MAX]. */
bool tn_json_int64(const tn_json_span *s, int64_t *out);
