/* The answers of incremental sync and full ID lists (openim-rest.md §15), one shape for the
 * conversation, friend, joined-group and group-member logs. */
#include "handlers.h"
#include "json.h"

json_t *tn_api_sync_json(const tn_version_head *head, const tn_version_delta *d, json_t *insert,
                         json_t *update)
{
    return json_pack("{s:I,s:o,s:b,s:o,s:o,s:o}", "version", (json_int_t)head->version, "versionID",
                     tn_json_string(head->version_id), "full", d->full, "delete",
                     tn_json_ids_or_null(d->delete_ids, d->delete_count), "insert", insert,
                     "update", update);
}

json_t *tn_api_full_ids_json(const tn_version_head *head, bool equal, const char *key,
                             const char *const *ids, size_t n)
{
    return json_pack("{s:I,s:o,s:b,s:o}", "version", (json_int_t)head->version, "versionID",
                     tn_json_string(head->version_id), "equal", equal, key,
                     equal ? json_null() : tn_json_str_array(ids, n));
}
