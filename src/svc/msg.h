/* Messages: the send pipeline (validate, stamp, group-commit, then push) and the read side the
 * gateway and REST share (newest seqs, pulls by range or seq list, read state, last message). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "svc.h"

#define TN_MSG_ID_MAX 64

typedef struct tn_msg_sent {
    tn_err err;
    const char *detail;
    char server_msg_id[TN_MSG_ID_MAX + 1];
    char client_msg_id[TN_MSG_ID_MAX + 1];
    int64_t send_time;
    int64_t seq;    /* 0 when the message is not stored (history off) */
    bool duplicate; /* the clientMsgID was stored before: the original's result */
    bool dropped;   /* the receiver refuses messages: accepted, not delivered */
} tn_msg_sent;

/* Runs on the message writer's thread once the message is durable (or failed). */
typedef void (*tn_msg_sent_fn)(void *udata, const tn_msg_sent *r);

/* Decodes and validates an encoded MsgData sent by ctx's user (an admin may send as anyone),
 * stamps it and queues it for the group commit. TN_OK: cb runs exactly once, later, from the
 * writer thread, before the message is pushed. Any error: cb never runs. */
tn_err tn_msg_send(tn_svc *svc, tn_ctx *ctx, const uint8_t *msg_data, size_t len, tn_msg_sent_fn cb,
                   void *udata);

/* tn_msg_send with the checks done by the writer thread itself (no hand-off to a pool thread
 * first: the gateway's path). cb always runs once, with the error if the message is refused. */
void tn_msg_send_later(tn_svc *svc, const tn_ctx *ctx, const uint8_t *msg_data, size_t len,
                       tn_msg_sent_fn cb, void *udata);

/* The writer: a thread that appends everything queued meanwhile in one transaction. */
tn_msg_writer *tn_msg_writer_start(tn_svc *svc);
/* Finishes what is queued, then stops the thread. */
void tn_msg_writer_stop(tn_msg_writer *w);

/* ---- read side ---- */

typedef struct tn_msg_pulled {
    const char *conversation_id;
    bool notification; /* an n_ conversation */
    size_t count;
    const uint8_t **msgs; /* encoded MsgData with seq, ascending */
    size_t *lens;
    size_t cap; /* room in msgs/lens */
    bool is_end;
    int64_t end_seq;
} tn_msg_pulled;

typedef struct tn_msg_seq_range {
    const char *conversation_id;
    int64_t begin, end, num;
} tn_msg_seq_range;

typedef struct tn_msg_conv_seqs {
    const char *conversation_id;
    const int64_t *seqs;
    size_t count;
} tn_msg_conv_seqs;

typedef struct tn_msg_read_state {
    const char *conversation_id;
    int64_t max_seq;
    int64_t has_read_seq;
    int64_t max_seq_time;
} tn_msg_read_state;

/* 1001: max seq of every conversation the user has (and their notification twins), > 0 only. */
tn_err tn_msg_newest_seqs(tn_svc *svc, tn_ctx *ctx, const char *user_id, tn_seq_info **out,
                          size_t *count);
/* 1002: seq ranges; order 0 ascending, 1 descending. */
tn_err tn_msg_pull_ranges(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                          const tn_msg_seq_range *ranges, size_t n, int order, tn_msg_pulled **out,
                          size_t *count);
/* 1005: explicit seq lists. */
tn_err tn_msg_pull_seqs(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                        const tn_msg_conv_seqs *convs, size_t n, int order, tn_msg_pulled **out,
                        size_t *count);
/* 1006: read state of the given conversations (all of the user's when n == 0). */
tn_err tn_msg_read_states(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                          const char *const *conversation_ids, size_t n, tn_msg_read_state **out,
                          size_t *count);
/* 1007: the newest message of each conversation that has one (one-element tn_msg_pulled). */
tn_err tn_msg_last(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                   const char *const *conversation_ids, size_t n, tn_msg_pulled **out,
                   size_t *count);
/* Mark-as-read: raise the user's read seq of a conversation (≤ its max seq). RECEIPT also sends
 * the HasReadReceipt notification (2200) as OpenIM's mark-as-read routes do; SELF tells only the
 * reader's own devices (set_conversation_has_read_seq). */
typedef enum tn_read_notice {
    TN_READ_QUIET,
    TN_READ_RECEIPT,
    TN_READ_SELF,
} tn_read_notice;
tn_err tn_msg_mark_read(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *conversation_id,
                        int64_t has_read_seq, const int64_t *seqs, size_t nseqs,
                        tn_read_notice notice);

/* MsgData bytes with seq appended as a last field 14 (protobuf: the last value wins), in the
 * arena; how a stored message gets the seq it was given. */
uint8_t *tn_msg_with_seq(tn_arena *a, const void *data, size_t len, int64_t seq, size_t *out_len);
/* The 1:1 / notification conversation ID of a pair, sorted as OpenIM does: prefix_<min>_<max>. */
char *tn_msg_pair_conversation_id(tn_arena *a, const char *prefix, const char *x, const char *y);

/* A server notification from one user to another (or to themself) in the n_ conversation of
 * the pair, built like OpenIM's (msgFrom 200, content {"detail": tips JSON}): stored (it takes a
 * seq there) or online only, pushed to both sides. tips is not stolen. */
tn_err tn_msg_notify(tn_svc *svc, tn_ctx *ctx, const char *from, const char *to,
                     int32_t content_type, json_t *tips, bool stored);

/* Revoke (openim-rest.md §8): the sender (or an app admin) takes back a 1:1 message; readers
 * then see contentType 2101, and both sides get a MsgRevokeNotification (2101). */
tn_err tn_msg_revoke(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *conversation_id,
                     int64_t seq);
/* Deletion for oneself: the user's pulls show these seqs without content (status 4). */
tn_err tn_msg_delete_for(tn_svc *svc, tn_ctx *ctx, const char *user_id, const char *conversation_id,
                         const int64_t *seqs, size_t n);
/* Clearing for oneself: the user's read window starts after the current max seq; n == 0 clears
 * every conversation of the user. */
tn_err tn_msg_clear_for(tn_svc *svc, tn_ctx *ctx, const char *user_id,
                        const char *const *conversation_ids, size_t n);
