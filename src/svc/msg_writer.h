/* The message writer's job record, shared by the send pipeline (which fills it) and the writer
 * thread (which stores it, calls back, then pushes it). Internal to svc/. */
#pragma once
#include "msg.h"

typedef struct tn_msg_job {
    struct tn_msg_job *next;
    tn_arena arena; /* owns every string and the blob below */
    tn_msg_rec rec;
    bool store;        /* history on: gets a seq and is durable before the ack */
    bool dropped;      /* accepted but not delivered (receiver refuses messages) */
    bool notification; /* lives in an n_ conversation */
    const char *operation_id;
    uint64_t origin_conn;
    const char *hold_user; /* see tn_push */
    const char *targets[2];
    size_t target_count;
    struct tn_group_view *group; /* a group message: its members are targets too (a reference) */
    const char **also;           /* more users told (a group notice to the kicked / quitter) */
    size_t also_count;
    /* an @-message (AtText) of a group: whose conversations get a groupAtType */
    const char **at_users;
    size_t at_count;
    bool at_all;
    tn_msg_sent_fn cb;
    void *udata;
    /* queued undecoded by tn_msg_send_later: the writer prepares it */
    uint8_t *raw;
    size_t raw_len;
    tn_ctx raw_ctx;
    tn_err failed;
    char detail[TN_DETAIL_MAX];
    /* the arena's first chunk: a text message's copies and decode fit, costing no allocation */
    _Alignas(16) unsigned char arena_mem[3072];
} tn_msg_job;

tn_msg_job *tn_msg_job_new(void);
void tn_msg_job_free(tn_msg_job *job);
tn_err tn_msg_prepare_queued(tn_svc *svc, tn_msg_job *job);
/* tn_msg_send for the server's notifications: also_to users receive the push besides the
 * message's own recipients; hold_user's devices receive it after the self-push delay. */
/* After an @-message is stored: the mentioned members' group conversations get groupAtType
 * (1 @me, 2 @all, 3 both), as OpenIM sets them. */
void tn_msg_apply_mentions(tn_svc *svc, tn_msg_job *job);
tn_err tn_msg_send_notice(tn_svc *svc, tn_ctx *ctx, const uint8_t *msg_data, size_t len,
                          const char *const *also_to, size_t also_count, const char *hold_user);
void tn_msg_writer_submit(tn_msg_writer *w, tn_msg_job *job);
