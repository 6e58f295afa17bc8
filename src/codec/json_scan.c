/* The envelope JSON reader: one pass that validates the grammar, escapes and UTF-8 and reports
 * the top-level members as spans, so a gateway frame costs no tree and no allocation. */
#include "json_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 128 /* nesting of skipped values; a frame's members are flat */

typedef struct scanner {
    const unsigned char *start, *p, *end;
    int depth;
    char *why;
    size_t whylen;
} scanner;

__attribute__((format(printf, 2, 3))) static bool fail(scanner *s, const char *fmt, ...)
{
    if (s->why && s->whylen) {
        char what[96];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        snprintf(s->why, s->whylen, "json: %s at byte %zu", what, (size_t)(s->p - s->start));
    }
    return false;
}

static void skip_space(scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int hex4(const unsigned char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i];
        int d = c >= '0' && c <= '9'   ? (int)(c - '0')
                : c >= 'a' && c <= 'f' ? (int)(c - 'a' + 10)
                : c >= 'A' && c <= 'F' ? (int)(c - 'A' + 10)
                                       : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

size_t tn_json_utf8_rune(const unsigned char *s, size_t n, uint32_t *rune)
{
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xbf;
    if (c < 0xc2 || c > 0xf4)
        return 0;
    if (c < 0xe0) {
        len = 2;
        *rune = c & 0x1f;
    } else if (c < 0xf0) {
        len = 3;
        *rune = c & 0x0f;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else {
        len = 4;
        *rune = c & 0x07;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (i > 1 && (s[i] < 0x80 || s[i] > 0xbf))
            return 0;
        *rune = *rune << 6 | (s[i] & 0x3f);
    }
    return len;
}

/* \uXXXX at s->p (after the backslash and u were seen), pairs included; advances past it. */
static bool unicode_escape(scanner *s, bool key)
{
    if (s->end - s->p < 6)
        return fail(s, "truncated \\u escape");
    int u = hex4(s->p + 2);
    if (u < 0)
        return fail(s, "invalid \\u escape");
    if (u >= 0xdc00 && u <= 0xdfff)
        return fail(s, "lone surrogate \\u%04x", (unsigned)u);
    if (u >= 0xd800 && u <= 0xdbff) {
        int low = s->end - s->p >= 12 && s->p[6] == '\\' && s->p[7] == 'u' ? hex4(s->p + 8) : -1;
        if (low < 0xdc00 || low > 0xdfff)
            return fail(s, "lone surrogate \\u%04x", (unsigned)u);
        s->p += 6;
    }
    if (u == 0 && key)
        return fail(s, "\\u0000 in an object key");
    s->p += 6;
    return true;
}

static bool scan_string(scanner *s, tn_json_span *out, bool key)
{
    const unsigned char *first = ++s->p;
    bool escaped = false;
    while (s->p < s->end) {
        unsigned c = *s->p;
        if (c == '"') {
            *out = (tn_json_span){TN_JSON_STRING, (const char *)first, (size_t)(s->p - first),
                                  escaped, false};
            s->p++;
            return true;
        }
        if (c < 0x20)
            return fail(s, "control character in a string");
        if (c == '\\') {
            escaped = true;
            unsigned e = s->p + 1 < s->end ? s->p[1] : 0;
            if (e == 'u') {
                if (!unicode_escape(s, key))
                    return false;
                continue;
            }
            if (!e || !strchr("\"\\/bfnrt", (int)e))
                return fail(s, "invalid escape");
            s->p += 2;
            continue;
        }
        if (c < 0x80) {
            s->p++;
            continue;
        }
        uint32_t rune;
        size_t n = tn_json_utf8_rune(s->p, (size_t)(s->end - s->p), &rune);
        if (!n)
            return fail(s, "invalid UTF-8 in a string");
        s->p += n;
    }
    return fail(s, "unterminated string");
}

static bool digits(scanner *s)
{
    const unsigned char *from = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > from;
}

static bool scan_number(scanner *s, tn_json_span *out)
{
    const unsigned char *first = s->p;
    if (*s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (!(s->p < s->end && *s->p >= '1' && *s->p <= '9') || !digits(s))
        return fail(s, "invalid number");
    bool integer = true;
    if (s->p < s->end && *s->p == '.') {
        integer = false;
        s->p++;
        if (!digits(s))
            return fail(s, "invalid number");
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        integer = false;
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!digits(s))
            return fail(s, "invalid number");
    }
    *out =
        (tn_json_span){TN_JSON_NUMBER, (const char *)first, (size_t)(s->p - first), false, integer};
    return true;
}

static bool scan_literal(scanner *s, const char *word, tn_json_kind kind, tn_json_span *out)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return fail(s, "invalid literal");
    *out = (tn_json_span){kind, (const char *)s->p, n, false, false};
    s->p += n;
    return true;
}

static bool scan_value(scanner *s, tn_json_span *out);

/* An object or array after its opening bracket; members of an object go to fn when given. */
static bool scan_container(scanner *s, bool object, tn_json_member_fn fn, void *ud)
{
    if (++s->depth > MAX_DEPTH)
        return fail(s, "nested too deeply");
    unsigned char close = object ? '}' : ']';
    skip_space(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return true;
    }
    for (;;) {
        tn_json_span key = {0}, value;
        if (object) {
            skip_space(s);
            if (s->p >= s->end || *s->p != '"')
                return fail(s, "expected a member name");
            if (!scan_string(s, &key, true))
                return false;
            skip_space(s);
            if (s->p >= s->end || *s->p != ':')
                return fail(s, "expected ':'");
            s->p++;
        }
        if (!scan_value(s, &value))
            return false;
        if (fn && !fn(ud, &key, &value))
            return false;
        skip_space(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == close) {
            s->p++;
            s->depth--;
            return true;
        }
        return fail(s, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static bool scan_value(scanner *s, tn_json_span *out)
{
    skip_space(s);
    if (s->p >= s->end)
        return fail(s, "unexpected end");
    const unsigned char *first = s->p;
    switch (*s->p) {
    case '"':
        return scan_string(s, out, false);
    case '{':
    case '[': {
        bool object = *s->p == '{';
        s->p++;
        if (!scan_container(s, object, NULL, NULL))
            return false;
        *out = (tn_json_span){object ? TN_JSON_OBJECT : TN_JSON_ARRAY, (const char *)first,
                              (size_t)(s->p - first), false, false};
        return true;
    }
    case 't':
        return scan_literal(s, "true", TN_JSON_TRUE, out);
    case 'f':
        return scan_literal(s, "false", TN_JSON_FALSE, out);
    case 'n':
        return scan_literal(s, "null", TN_JSON_NULL, out);
    default:
        if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
            return scan_number(s, out);
        return fail(s, "unexpected character");
    }
}

bool tn_json_scan_object(const char *buf, size_t len, tn_json_member_fn fn, void *ud, char *why,
                         size_t whylen)
{
    scanner s = {(const unsigned char *)buf,
                 (const unsigned char *)buf,
                 (const unsigned char *)buf + len,
                 0,
                 why,
                 whylen};
    skip_space(&s);
    if (s.p >= s.end || *s.p != '{')
        return fail(&s, "the document is not an object");
    s.p++;
    if (!scan_container(&s, true, fn, ud))
        return false;
    skip_space(&s);
    return s.p == s.end || fail(&s, "text after the object");
}

static size_t put_utf8(char *out, unsigned u)
{
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xc0 | u >> 6);
        out[1] = (char)(0x80 | (u & 0x3f));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xe0 | u >> 12);
        out[1] = (char)(0x80 | (u >> 6 & 0x3f));
        out[2] = (char)(0x80 | (u & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | u >> 18);
    out[1] = (char)(0x80 | (u >> 12 & 0x3f));
    out[2] = (char)(0x80 | (u >> 6 & 0x3f));
    out[3] = (char)(0x80 | (u & 0x3f));
    return 4;
}

size_t tn_json_unescape(const tn_json_span *s, char *out)
{
    if (!s->escaped) {
        memcpy(out, s->p, s->len);
        out[s->len] = 0;
        return s->len;
    }
    const unsigned char *p = (const unsigned char *)s->p, *end = p + s->len;
    size_t o = 0;
    while (p < end) {
        if (*p != '\\') {
            out[o++] = (char)*p++;
            continue;
        }
        unsigned e = p[1];
        p += 2;
        switch (e) {
        case 'b':
            out[o++] = '\b';
            break;
        case 'f':
            out[o++] = '\f';
            break;
        case 'n':
            out[o++] = '\n';
            break;
        case 'r':
            out[o++] = '\r';
            break;
        case 't':
            out[o++] = '\t';
            break;
        case 'u': {
            unsigned u = (unsigned)hex4(p);
            p += 4;
            if (u >= 0xd800 && u <= 0xdbff) { /* the scan checked the low half follows */
                u = 0x10000 + ((u - 0xd800) << 10) + ((unsigned)hex4(p + 2) - 0xdc00);
                p += 6;
            }
            o += put_utf8(out + o, u);
            break;
        }
        default: /* " \ / */
            out[o++] = (char)e;
        }
    }
    out[o] = 0;
    return o;
}

bool tn_json_int64(const tn_json_span *s, int64_t *out)
{
    if (s->kind != TN_JSON_NUMBER || !s->integer)
        return false;
    const char *p = s->p, *end = p + s->len;
    bool negative = *p == '-';
    if (negative)
        p++;
    /* accumulate negatively: INT64_MIN has no positive twin */
    int64_t v = 0;
    for (; p < end; p++) {
        int d = *p - '0';
        if (v < (INT64_MIN + d) / 10)
            return false;
        v = v * 10 - d;
    }
    if (!negative) {
        if (v == INT64_MIN)
            return false;
        v = -v;
    }
    *out = v;
    return true;
}
