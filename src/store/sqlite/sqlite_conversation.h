/* The SQLite backend's conversation records and generic version logs (openim-rest.md §15): the
 * store.h ops it implements and the helpers other backend files call inside their transactions. */
#pragma once
#include "sqlite_internal.h"

/* The version-log collection of conversations; the key is the owner's userID. */
#define TN_SQLITE_CONV_COLLECTION "conversation"

/* store.h ops (wired into sqlite_ops in sqlite_store.c) */
tn_err tn_sqlite_conversations_list(tn_store *s, const char *app, const char *owner, tn_arena *a,
                                    tn_conversation **out, size_t *count);
tn_err tn_sqlite_conversations_get(tn_store *s, const char *app, const char *owner,
                                   const char *const *ids, size_t n, tn_arena *a,
                                   tn_conversation **out, size_t *count);
tn_err tn_sqlite_conversations_set(tn_store *s, const char *app, const char *const *owners,
                                   size_t n, const tn_conversation_patch *p, int64_t now_ms,
                                   bool *changed);
tn_err tn_sqlite_conversation_mark_read(tn_store *s, const char *app, const char *owner,
                                        const char *conversation_id, int64_t seq);
tn_err tn_sqlite_version_head(tn_store *s, const char *app, const char *collection, const char *key,
                              tn_arena *a, tn_version_head *out);
tn_err tn_sqlite_version_entries(tn_store *s, const char *app, const char *collection,
                                 const char *key, int64_t after_version, tn_arena *a,
                                 tn_version_entry **out, size_t *count);

/* Helpers for writes that run inside a caller's transaction on connection c: none of them
 * BEGINs or COMMITs. */

/* Creates seed's conversation with defaults when absent, with a version-log insert entry for its
 * owner (+1); does nothing when it exists. */
tn_err tn_sqlite_conv_seed(tn_sqlite_conn *c, const char *app, const tn_conv_seed *seed,
                           int64_t now_ms);
/* Raises owner's has_read_seq to seq (never lowers it); no version bump; no record, no change. */
tn_err tn_sqlite_conv_read_to(tn_sqlite_conn *c, const char *app, const char *owner,
                              const char *conversation_id, int64_t seq);
/* One write operation on the log (collection, key): the head is created at version 1 when absent
 * (its entries then carry version 1), otherwise its version goes up by exactly 1; each element
 * gets one entry {state, that version, now_ms}, replacing its previous entry. n may be 0. */
tn_err tn_sqlite_version_bump(tn_sqlite_conn *c, const char *app, const char *collection,
                              const char *key, const char *const *element_ids,
                              const int32_t *states, size_t n, int64_t now_ms);
