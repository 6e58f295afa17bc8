/* Version-log rules of incremental sync (openim-rest.md §15.2, §15.4): when a client must resync
 * in full, which element IDs changed since its version, and the Go-compatible idHash. */
#include "version.h"

#include <string.h>

#include "buf.h"
#include "digest.h"

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool tn_version_id_valid(const char *id)
{
    if (!id || strlen(id) != 24)
        return false;
    bool nonzero = false;
    for (int i = 0; i < 24; i++) {
        int d = hex_digit(id[i]);
        if (d < 0)
            return false;
        nonzero |= d != 0;
    }
    return nonzero;
}

bool tn_version_wants_entries(const tn_version_head *head, const char *client_id,
                              int64_t client_version)
{
    return tn_version_id_valid(client_id) && client_version > 0 &&
           strcmp(client_id, head->version_id) == 0 && client_version < head->version;
}

static void push_id(tn_arena *a, const char ***list, size_t *count, size_t cap, const char *id)
{
    if (!*list)
        *list = tn_arena_calloc(a, cap, sizeof **list);
    (*list)[(*count)++] = id;
}

void tn_version_diff(const tn_version_head *head, const tn_version_entry *entries, size_t n,
                     const char *client_id, int64_t client_version, tn_arena *a,
                     tn_version_delta *out)
{
    memset(out, 0, sizeof *out);
    if (!tn_version_id_valid(client_id) || client_version <= 0 ||
        strcmp(client_id, head->version_id) != 0) {
        out->full = true; /* steps 2 and 3: unknown or foreign log */
    } else if (client_version == head->version) {
        return; /* step 4: up to date */
    } else if (head->version < client_version) {
        out->full = true; /* step 5: the client is ahead of the log */
    } else {
        size_t qualifying = 0;
        for (size_t i = 0; i < n; i++)
            qualifying += entries[i].version > client_version;
        if (qualifying > TN_VERSION_SYNC_LIMIT) {
            out->full = true;
        } else {
            for (size_t i = 0; i < n; i++) {
                const tn_version_entry *e = &entries[i];
                if (e->version <= client_version)
                    continue;
                out->changed = true;
                if (strcmp(e->element_id, TN_VERSION_SORT_MARKER) == 0) {
                    if (e->version > out->sort_version)
                        out->sort_version = e->version;
                    continue;
                }
                if (strcmp(e->element_id, TN_VERSION_INFO_MARKER) == 0)
                    continue;
                switch (e->state) {
                case TN_VERSION_INSERT:
                    push_id(a, &out->insert_ids, &out->insert_count, qualifying, e->element_id);
                    break;
                case TN_VERSION_UPDATE:
                    push_id(a, &out->update_ids, &out->update_count, qualifying, e->element_id);
                    break;
                case TN_VERSION_DELETE:
                    push_id(a, &out->delete_ids, &out->delete_count, qualifying, e->element_id);
                    break;
                default:
                    break;
                }
            }
        }
    }
    if (out->full)
        out->changed = true;
}

/* ---- idHash ---- */

/* Length of the valid UTF-8 sequence at p (Go's utf8.DecodeRune rules), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF)
        len = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0)
            lo = 0xA0;
        else if (b == 0xED)
            hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0)
            lo = 0x90;
        else if (b == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}

/* Go's encoding/json string encoding (HTML-escaped, invalid UTF-8 as \ufffd). */
static void go_json_string(tn_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    tn_buf_append_byte(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c < 0x80) {
            char esc[7];
            const char *out = NULL;
            size_t len = 2;
            switch (c) {
            case '\\':
            case '"':
                esc[0] = '\\', esc[1] = (char)c, out = esc;
                break;
            case '\b':
                out = "\\b";
                break;
            case '\f':
                out = "\\f";
                break;
            case '\n':
                out = "\\n";
                break;
            case '\r':
                out = "\\r";
                break;
            case '\t':
                out = "\\t";
                break;
            default:
                if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                    memcpy(esc, "\\u00", 4);
                    esc[4] = hex[c >> 4];
                    esc[5] = hex[c & 0xF];
                    out = esc;
                    len = 6;
                }
            }
            if (out)
                tn_buf_append(b, out, len);
            else
                tn_buf_append_byte(b, c);
            i++;
            continue;
        }
        size_t len = utf8_len(p + i, n - i);
        if (len == 0) {
            tn_buf_append(b, "\\ufffd", 6);
            i++;
        } else if (len == 3 && c == 0xE2 && p[i + 1] == 0x80 &&
                   (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
            tn_buf_append(b, p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
            i += 3;
        } else {
            tn_buf_append(b, p + i, len);
            i += len;
        }
    }
    tn_buf_append_byte(b, '"');
}

uint64_t tn_version_id_hash(const char *const *ids, size_t n)
{
    if (n == 0)
        return 0;
    tn_buf b = {0};
    tn_buf_append_byte(&b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            tn_buf_append_byte(&b, ',');
        go_json_string(&b, ids[i]);
    }
    tn_buf_append_byte(&b, ']');
    uint8_t md[TN_MD5_SIZE];
    tn_md5(b.data, b.len, md);
    tn_buf_free(&b);
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h << 8 | md[i];
    return h;
}

/* ---- store wrappers ---- */

tn_err tn_version_head_get(tn_svc *svc, tn_ctx *ctx, const char *collection, const char *key,
                           tn_version_head *head)
{
    tn_err e =
        svc->store->ops->version_head(svc->store, ctx->app_id, collection, key, ctx->arena, head);
    return e ? tn_ctx_fail(ctx, e, "store failed: %s version log", collection) : TN_OK;
}

tn_err tn_version_sync(tn_svc *svc, tn_ctx *ctx, const char *collection, const char *key,
                       const char *client_id, int64_t client_version, tn_version_head *head,
                       tn_version_delta *out)
{
    tn_err e = tn_version_head_get(svc, ctx, collection, key, head);
    if (e)
        return e;
    tn_version_entry *entries = NULL;
    size_t n = 0;
    if (tn_version_wants_entries(head, client_id, client_version)) {
        e = svc->store->ops->version_entries(svc->store, ctx->app_id, collection, key,
                                             client_version, ctx->arena, &entries, &n);
        if (e)
            return tn_ctx_fail(ctx, e, "store failed: %s version entries", collection);
    }
    tn_version_diff(head, entries, n, client_id, client_version, ctx->arena, out);
    return TN_OK;
}
