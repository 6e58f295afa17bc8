/* Group commit: one thread takes every message queued since its last commit, checks them in one
 * read snapshot, appends them with one fsync, then acknowledges and pushes each. */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msg_writer.h"

#include "group_view.h"

#define BATCH_MAX 1024

struct tn_msg_writer {
    tn_svc *svc;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    tn_msg_job *head, *tail;
    bool stopping;
};

tn_msg_job *tn_msg_job_new(void)
{
    tn_msg_job *job = malloc(sizeof *job);
    if (!job)
        abort();
    memset(job, 0, offsetof(tn_msg_job, arena_mem));
    tn_arena_init_in(&job->arena, job->arena_mem, sizeof job->arena_mem);
    return job;
}

void tn_msg_job_free(tn_msg_job *job)
{
    tn_group_view_put(job->group);
    tn_arena_free_all(&job->arena);
    free(job);
}

void tn_msg_writer_submit(tn_msg_writer *w, tn_msg_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mu);
}

static void copy_id(char *out, size_t cap, const char *id)
{
    size_t n = id ? strnlen(id, cap - 1) : 0;
    memcpy(out, id ? id : "", n);
    out[n] = 0;
}

/* Acknowledge first, then push: the sender's SDK must see its ack before its own pushed copy. */
static void finish(tn_msg_writer *w, tn_msg_job *job, tn_err e, bool duplicate)
{
    tn_svc *svc = w->svc;
    if (job->failed)
        e = job->failed;
    tn_msg_sent r = {.err = e,
                     .detail = job->failed ? job->detail
                               : e         ? "cannot store the message"
                                           : ""};
    copy_id(r.server_msg_id, sizeof r.server_msg_id, job->rec.server_msg_id);
    copy_id(r.client_msg_id, sizeof r.client_msg_id, job->rec.client_msg_id);
    r.send_time = job->rec.send_time;
    r.seq = job->store ? job->rec.seq : 0;
    r.duplicate = duplicate;
    r.dropped = job->dropped;
    if (job->cb)
        job->cb(job->udata, &r);
    if (e || duplicate || job->dropped)
        return;
    if (job->at_count || job->at_all)
        tn_msg_apply_mentions(svc, job);
    if (!svc->sink)
        return;
    size_t len = job->rec.data_len;
    const uint8_t *bytes = job->rec.data;
    if (job->store)
        bytes = tn_msg_with_seq(&job->arena, job->rec.data, job->rec.data_len, job->rec.seq, &len);
    const char *const *targets = job->targets;
    size_t ntargets = job->target_count;
    if (job->also_count) {
        const char **all = tn_arena_calloc(&job->arena, ntargets + job->also_count, sizeof *all);
        memcpy(all, job->targets, ntargets * sizeof *all);
        memcpy(all + ntargets, job->also, job->also_count * sizeof *all);
        targets = all;
        ntargets += job->also_count;
    }
    tn_push *p = tn_push_new(tn_refbuf_new(bytes, len), job->rec.conversation_id,
                             job->operation_id ? job->operation_id : "", job->origin_conn,
                             job->hold_user, job->notification, targets, ntargets);
    if (job->group)
        p->group = tn_group_view_ref(job->group);
    svc->sink->push(svc->sink->impl, svc->cfg->app_id, p);
}

static void commit_batch(tn_msg_writer *w, tn_msg_job *batch)
{
    tn_svc *svc = w->svc;
    tn_msg_rec recs[BATCH_MAX];
    bool dup[BATCH_MAX];
    tn_msg_job *jobs[BATCH_MAX];
    size_t n = 0;
    tn_arena arena;
    tn_arena_init(&arena);
    /* the batch's checks in one read snapshot: one lock round trip instead of one per read */
    bool snapshot = svc->store->ops->reads_begin(svc->store) == TN_OK;
    for (tn_msg_job *j = batch; j; j = j->next) {
        if (j->raw)
            j->failed = tn_msg_prepare_queued(svc, j);
        if (j->store && !j->dropped && !j->failed) {
            jobs[n] = j;
            recs[n++] = j->rec;
        }
    }
    if (snapshot)
        svc->store->ops->reads_end(svc->store);
    tn_err e = TN_OK;
    if (n) {
        e = svc->store->ops->msgs_append(svc->store, svc->cfg->app_id, recs, n, dup, &arena);
        if (e)
            tn_log_error(NULL, "msg writer: append of %zu messages failed (%d)", n, e);
    }
    size_t k = 0;
    const tn_push_sink *sink = svc->sink;
    if (sink && sink->hold)
        sink->hold(sink->impl);
    for (tn_msg_job *j = batch, *next; j; j = next) {
        next = j->next;
        bool duplicate = false;
        if (k < n && jobs[k] == j) {
            /* a duplicate comes back with the original's seq and serverMsgID */
            j->rec.seq = recs[k].seq;
            if (dup[k]) {
                j->rec.server_msg_id = tn_arena_strdup(&j->arena, recs[k].server_msg_id);
                j->rec.send_time = recs[k].send_time;
            }
            duplicate = dup[k];
            k++;
        }
        finish(w, j, e, duplicate);
        tn_msg_job_free(j);
    }
    if (sink && sink->release)
        sink->release(sink->impl);
    tn_arena_free_all(&arena);
}

static void *writer_main(void *arg)
{
    tn_msg_writer *w = arg;
    pthread_setname_np(pthread_self(), "tn-writer");
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->cond, &w->mu);
        if (!w->head && w->stopping) {
            pthread_mutex_unlock(&w->mu);
            return NULL;
        }
        /* take up to BATCH_MAX jobs; the rest wait for the next round */
        tn_msg_job *batch = w->head, *last = w->head;
        size_t n = 1;
        while (last->next && n < BATCH_MAX) {
            last = last->next;
            n++;
        }
        w->head = last->next;
        if (!w->head)
            w->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&w->mu);
        commit_batch(w, batch);
    }
}

tn_msg_writer *tn_msg_writer_start(tn_svc *svc)
{
    tn_msg_writer *w = calloc(1, sizeof *w);
    if (!w)
        abort();
    w->svc = svc;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cond, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        free(w);
        return NULL;
    }
    return w;
}

void tn_msg_writer_stop(tn_msg_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
