/* Incremental sync over version logs (openim-rest.md §15): the pure decision of what a client
 * with (versionID, version) must be sent, the idHash of full ID lists, and their store wrappers. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc.h"

/* Collections (the store's version-log namespaces); keys are userIDs or groupIDs. */
#define TN_VERSION_CONVERSATION "conversation" /* key owner userID, elements conversationIDs */
#define TN_VERSION_FRIEND       "friend"       /* key owner userID, elements friend userIDs */
#define TN_VERSION_JOIN_GROUP   "join_group"   /* key userID, elements groupIDs */
#define TN_VERSION_GROUP_MEMBER "group_member" /* key groupID, elements member userIDs */

#define TN_VERSION_SYNC_LIMIT  200 /* more changed elements than this: full resync */
#define TN_VERSION_SORT_MARKER "____S_O_R_T_I_D____"
#define TN_VERSION_INFO_MARKER "" /* group-member log: "group info changed" */

/* What an incremental answer carries besides the log head. ID lists are NULL when empty; marker
 * elements never appear in them. */
typedef struct tn_version_delta {
    bool full;
    const char **insert_ids, **update_ids, **delete_ids;
    size_t insert_count, update_count, delete_count;
    int64_t sort_version; /* version of the newest sort-marker entry in the range, else 0 */
    bool changed;         /* the range held any entry (markers included), or full */
} tn_version_delta;

/* A valid, non-zero 24-hex-digit ObjectID (either case, as Go's ObjectIDFromHex accepts). */
bool tn_version_id_valid(const char *id);

/* Whether the entries after client_version are needed to answer (step 5 of §15.2). */
bool tn_version_wants_entries(const tn_version_head *head, const char *client_id,
                              int64_t client_version);

/* §15.2 steps 2-6 as a pure function: entries are the log's entries with version >
 * client_version (others are ignored); ID strings are borrowed from entries, arrays come from a. */
void tn_version_diff(const tn_version_head *head, const tn_version_entry *entries, size_t n,
                     const char *client_id, int64_t client_version, tn_arena *a,
                     tn_version_delta *out);

/* §15.4: the first 8 bytes (big-endian) of MD5 over Go's json.Marshal of ids; 0 for none. */
uint64_t tn_version_id_hash(const char *const *ids, size_t n);

/* Loads (creating when absent) the head of (collection, key) and computes the delta for the
 * client's (client_id, client_version). No permission check: callers do theirs first. */
tn_err tn_version_sync(tn_svc *svc, tn_ctx *ctx, const char *collection, const char *key,
                       const char *client_id, int64_t client_version, tn_version_head *head,
                       tn_version_delta *out);

/* The head of (collection, key) (created when absent), for full-ID-list answers. */
tn_err tn_version_head_get(tn_svc *svc, tn_ctx *ctx, const char *collection, const char *key,
                           tn_version_head *head);
