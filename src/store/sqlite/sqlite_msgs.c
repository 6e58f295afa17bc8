/* Message appends for the SQLite backend: seqs assigned in memory, the batch made durable in the
 * message log (one fdatasync), then indexed into SQLite rows by a thread off the ack path. */
#include "sqlite_msgs.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "hmap.h"
#include "log.h"
#include "msg_log.h"
#include "sqlite_conversation.h"

#define STMT_TABLE(X)                                                                              \
    X(FIND, "SELECT seq,server_msg_id,send_time FROM msgs WHERE app=?1 AND conversation_id=?2 "    \
            "AND client_msg_id=?3")                                                                \
    X(SEQ_GET, "SELECT max_seq FROM seqs WHERE app=?1 AND conversation_id=?2")                     \
    X(SEQ_SET, "INSERT INTO seqs(app,conversation_id,max_seq,max_seq_time) VALUES(?1,?2,?3,?4) "   \
               "ON CONFLICT(app,conversation_id) DO UPDATE SET max_seq=excluded.max_seq,"          \
               "max_seq_time=excluded.max_seq_time WHERE excluded.max_seq>max_seq")                \
    X(INSERT, "INSERT OR IGNORE INTO msgs(app,conversation_id,seq,client_msg_id,server_msg_id,"    \
              "send_id,send_time,data) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)")                           \
    X(STATE_GET, "SELECT segment,offset FROM msg_log_state WHERE id=1")                            \
    X(STATE_SET, "UPDATE msg_log_state SET segment=?1,offset=?2 WHERE id=1")

enum {
    STMT_BEFORE_FIRST = TN_SQLITE_MSGS_SLOT0 - 1,
#define STMT_ENUM(name, sql) STMT_##name,
    STMT_TABLE(STMT_ENUM)
#undef STMT_ENUM
        STMT_END
};
_Static_assert(STMT_END <= TN_SQLITE_CONV_SLOT0, "statement slots overlap");

static const char *const stmt_sql[] = {
#define STMT_SQL(name, sql) sql,
    STMT_TABLE(STMT_SQL)
#undef STMT_SQL
};

#define PREPARE(c, st, id) TN_SQLITE_STMT(c, st, id, stmt_sql[(id)-TN_SQLITE_MSGS_SLOT0])

#define INDEX_ROUND_MAX 4096 /* records per indexing transaction (replay and live) */
#define SEQ_CACHE_MAX   65536
#define WAIT_LIMIT_S    10
/* How long the indexer lets records gather before a round unless a reader waits for them or a
 * round's worth is queued: bigger rounds write each conversation's pages once for many records. */
#define INDEX_DELAY_MS 1000
/* Records acknowledged but not indexed yet beyond which appends wait for the indexer: it runs at
 * a lower priority than the threads that acknowledge, so under overload it must not be left
 * behind without bound (memory, and the time a reader may wait for it). */
#define BACKLOG_MAX 65536
/* Pending records the indexer drops per hold of the lock that the writer takes per message. */
#define PENDING_DROP_SLICE 256

/* One appended record as the indexer needs it; its strings live in its batch's arena. */
typedef struct log_rec {
    const char *app;
    tn_msg_rec rec;
    int64_t now_ms;
    const char *key; /* dedup key: app \0 conversation \0 clientMsgID */
    size_t key_len;
} log_rec;

typedef struct batch {
    struct batch *next;
    tn_arena arena;
    log_rec *recs;
    size_t n;
    tn_log_pos end;
    uint64_t ticket;
} batch;

typedef struct seq_entry {
    int64_t max_seq;
    uint64_t ticket; /* the last batch that used it: evictable once that one is indexed */
} seq_entry;

struct tn_sqlite_msgs {
    tn_sqlite_store *store;
    char *log_base;
    tn_msg_log *log;

    pthread_mutex_t append_mu; /* one append at a time; owns seqs and the log's tail */
    tn_hmap seqs;              /* app \0 conversation -> seq_entry, the next seq's source */

    pthread_mutex_t mu; /* guards the queue, pending and the flags */
    pthread_cond_t wake, progress;
    batch *head, *tail;
    tn_hmap pending; /* dedup key -> log_rec of records not indexed yet */
    bool stopping, paused;
    size_t queued;       /* records in the queue */
    size_t backlog_max;  /* appends wait while this many records are pending (BACKLOG_MAX) */
    int waiters;         /* readers waiting for the indexer: it starts at once */
    struct timespec due; /* when the queue's first batch must be indexed at the latest */
    atomic_uint_fast64_t appended, indexed; /* batch tickets */

    pthread_t thread;
    bool thread_started;
    /* the indexer's: where it has applied to, and the oldest segment file still on disk */
    tn_log_pos applied;
    uint64_t oldest_segment;
    void (*after_find)(void *); /* test hook: runs after each stored-duplicate lookup */
    void *after_find_udata;
};

/* Threads inside tn_sqlite_reads_begin read the committed state without waiting. */
static __thread int snapshot_depth;

/* ---- record encoding ---- */

static void put_u64(tn_buf *b, uint64_t v)
{
    uint8_t p[8];
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    tn_buf_append(b, p, sizeof p);
}

static void put_bytes(tn_buf *b, const void *data, size_t len)
{
    put_u64(b, len);
    tn_buf_append(b, data, len);
}

static void put_str(tn_buf *b, const char *s)
{
    put_bytes(b, s ? s : "", s ? strlen(s) : 0);
}

static void encode(tn_buf *b, const char *app, const tn_msg_rec *m, int64_t now_ms)
{
    size_t at = tn_msg_log_frame_begin(b);
    tn_buf_append_byte(b, 1); /* record version */
    put_str(b, app);
    put_str(b, m->conversation_id);
    put_u64(b, (uint64_t)m->seq);
    put_str(b, m->client_msg_id);
    put_str(b, m->server_msg_id);
    put_str(b, m->send_id);
    put_u64(b, (uint64_t)m->send_time);
    put_u64(b, (uint64_t)now_ms);
    put_bytes(b, m->data, m->data_len);
    put_str(b, m->reader);
    put_u64(b, m->seed_count);
    for (size_t i = 0; i < m->seed_count; i++) {
        const tn_conv_seed *s = &m->seeds[i];
        put_str(b, s->owner_user_id);
        put_str(b, s->conversation_id);
        put_u64(b, (uint64_t)(uint32_t)s->conversation_type);
        put_str(b, s->user_id);
        put_str(b, s->group_id);
    }
    tn_msg_log_frame_end(b, at);
}

typedef struct reader {
    const uint8_t *p, *end;
    tn_arena *a;
    bool ok;
} reader;

static uint64_t get_u64(reader *r)
{
    if (r->end - r->p < 8) {
        r->ok = false;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    return v;
}

static const void *get_bytes(reader *r, size_t *len)
{
    uint64_t n = get_u64(r);
    if (!r->ok || n > (uint64_t)(r->end - r->p)) {
        r->ok = false;
        *len = 0;
        return "";
    }
    char *out = tn_arena_alloc(r->a, n + 1);
    memcpy(out, r->p, n);
    out[n] = 0;
    r->p += n;
    *len = n;
    return out;
}

static const char *get_str(reader *r)
{
    size_t n;
    return get_bytes(r, &n);
}

static bool decode(const uint8_t *p, size_t len, tn_arena *a, log_rec *out)
{
    reader r = {p + 1, p + len, a, len > 0 && p[0] == 1};
    tn_msg_rec *m = &out->rec;
    *out = (log_rec){0};
    out->app = get_str(&r);
    m->conversation_id = get_str(&r);
    m->seq = (int64_t)get_u64(&r);
    m->client_msg_id = get_str(&r);
    m->server_msg_id = get_str(&r);
    m->send_id = get_str(&r);
    m->send_time = (int64_t)get_u64(&r);
    out->now_ms = (int64_t)get_u64(&r);
    m->data = get_bytes(&r, &m->data_len);
    m->reader = get_str(&r);
    if (!*m->reader)
        m->reader = NULL;
    uint64_t nseeds = get_u64(&r);
    if (!r.ok || nseeds > 16)
        return false;
    tn_conv_seed *seeds = tn_arena_calloc(a, nseeds ? nseeds : 1, sizeof *seeds);
    for (size_t i = 0; i < nseeds; i++) {
        seeds[i].owner_user_id = get_str(&r);
        seeds[i].conversation_id = get_str(&r);
        seeds[i].conversation_type = (int32_t)get_u64(&r);
        seeds[i].user_id = get_str(&r);
        seeds[i].group_id = get_str(&r);
    }
    m->seeds = seeds;
    m->seed_count = nseeds;
    return r.ok && r.p == r.end;
}

/* ---- keys ---- */

static const char *join_key(tn_arena *a, const char *x, const char *y, const char *z, size_t *len)
{
    size_t lx = strlen(x), ly = strlen(y), lz = z ? strlen(z) : 0;
    *len = lx + 1 + ly + (z ? 1 + lz : 0);
    char *k = tn_arena_alloc(a, *len + 1);
    memcpy(k, x, lx + 1);
    memcpy(k + lx + 1, y, ly + 1);
    if (z)
        memcpy(k + lx + 1 + ly + 1, z, lz + 1);
    return k;
}

/* ---- applying records to SQLite (the indexer and replay) ---- */

/* Writes the rows of recs and the log position in one transaction. The statements are
 * idempotent, so a record applied twice (replay after a crash mid-round) changes nothing. */
static tn_err apply(tn_sqlite_conn *c, log_rec **recs, size_t n, tn_log_pos end)
{
    PREPARE(c, ins, STMT_INSERT);
    PREPARE(c, seq, STMT_SEQ_SET);
    PREPARE(c, state, STMT_STATE_SET);
    tn_arena a;
    tn_arena_init(&a);
    /* per round: each conversation's last record, each (owner, conversation)'s last read and
     * first seed; the rest would be rewritten with the same or a smaller value */
    tn_hmap last_of_conv = {0}, last_read = {0}, seeded = {0};
    tn_err e = tn_sqlite_begin_nowait(c);
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        const log_rec *r = recs[i];
        const tn_msg_rec *m = &r->rec;
        sqlite3_bind_text(ins, 1, r->app, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, m->conversation_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, m->seq);
        sqlite3_bind_text(ins, 4, m->client_msg_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, m->server_msg_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, m->send_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 7, m->send_time);
        sqlite3_bind_blob(ins, 8, m->data, (int)m->data_len, SQLITE_STATIC);
        e = tn_sqlite_exec(c, ins);
        size_t klen;
        const char *k = join_key(&a, r->app, m->conversation_id, NULL, &klen);
        tn_hmap_put(&last_of_conv, k, klen, (void *)r);
        for (size_t j = 0; j < m->seed_count && e == TN_OK; j++) {
            const tn_conv_seed *s = &m->seeds[j];
            k = join_key(&a, r->app, s->owner_user_id, s->conversation_id, &klen);
            if (!tn_hmap_get(&seeded, k, klen)) {
                tn_hmap_put(&seeded, k, klen, (void *)s);
                e = tn_sqlite_conv_seed(c, r->app, s, r->now_ms);
            }
        }
        if (m->reader) {
            k = join_key(&a, r->app, m->reader, m->conversation_id, &klen);
            tn_hmap_put(&last_read, k, klen, (void *)r);
        }
    }
    size_t pos = 0;
    const char *k;
    size_t klen;
    void *v;
    while (e == TN_OK && tn_hmap_next(&last_of_conv, &pos, &k, &klen, &v)) {
        const log_rec *r = v;
        sqlite3_bind_text(seq, 1, r->app, -1, SQLITE_STATIC);
        sqlite3_bind_text(seq, 2, r->rec.conversation_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(seq, 3, r->rec.seq);
        sqlite3_bind_int64(seq, 4, r->now_ms);
        e = tn_sqlite_exec(c, seq);
    }
    pos = 0;
    while (e == TN_OK && tn_hmap_next(&last_read, &pos, &k, &klen, &v)) {
        const log_rec *r = v;
        e = tn_sqlite_conv_read_to(c, r->app, r->rec.reader, r->rec.conversation_id, r->rec.seq);
    }
    if (e == TN_OK) {
        sqlite3_bind_int64(state, 1, (int64_t)end.segment);
        sqlite3_bind_int64(state, 2, (int64_t)end.offset);
        e = tn_sqlite_exec(c, state);
    }
    e = tn_sqlite_end(c, e);
    tn_hmap_free(&last_of_conv);
    tn_hmap_free(&last_read);
    tn_hmap_free(&seeded);
    tn_arena_free_all(&a);
    return e;
}

/* Makes every commit so far durable (the indexer's commits skip the fsync; the log covered
 * them): one commit at synchronous=FULL syncs the whole WAL. */
static tn_err sync_database(tn_sqlite_conn *c)
{
    tn_err e = sqlite3_exec(c->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) == SQLITE_OK
                   ? TN_OK
                   : tn_sqlite_fail(c->db, "synchronous=FULL");
    if (e == TN_OK) {
        e = tn_sqlite_begin_nowait(c);
        if (e == TN_OK)
            e = sqlite3_exec(c->db, "UPDATE msg_log_state SET segment=segment WHERE id=1", NULL,
                             NULL, NULL) == SQLITE_OK
                    ? TN_OK
                    : tn_sqlite_fail(c->db, "log state touch");
        e = tn_sqlite_end(c, e);
    }
    sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    return e;
}

/* Removes the segments wholly applied; they must be synced into the database first. */
static void drop_applied_segments(tn_sqlite_msgs *ms, tn_sqlite_conn *c, bool including_current)
{
    uint64_t below = ms->applied.segment + (including_current ? 1 : 0);
    if (ms->oldest_segment >= below)
        return;
    if (sync_database(c) != TN_OK)
        return;
    for (; ms->oldest_segment < below; ms->oldest_segment++)
        tn_msg_log_remove(ms->log_base, ms->oldest_segment);
}

/* ---- the indexer thread ---- */

static void free_batch(batch *b)
{
    tn_arena_free_all(&b->arena);
    free(b);
}

static void *indexer_main(void *arg)
{
    tn_sqlite_msgs *ms = arg;
    pthread_setname_np(pthread_self(), "tn-indexer");
    /* a round is a burst of background work: the loop and the writer, which acknowledge and
     * deliver, go first when they wake (BACKLOG_MAX bounds how far it may fall behind) */
    setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
    tn_sqlite_conn *c = tn_sqlite_conn_get(&ms->store->base);
    /* a round touches a random leaf of the clientMsgID index per message: a cache too small
     * for the hot index pages spills them mid-round and reads them back next round */
    if (c)
        sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536", NULL, NULL,
                     NULL);
    for (;;) {
        pthread_mutex_lock(&ms->mu);
        for (;;) {
            if (ms->stopping)
                break;
            if (!ms->head || ms->paused) {
                pthread_cond_wait(&ms->wake, &ms->mu);
                continue;
            }
            if (ms->waiters || ms->queued >= INDEX_ROUND_MAX ||
                pthread_cond_timedwait(&ms->wake, &ms->mu, &ms->due) == ETIMEDOUT)
                break;
        }
        if ((!ms->head || ms->paused) && ms->stopping) {
            pthread_mutex_unlock(&ms->mu);
            break;
        }
        batch *list = ms->head;
        ms->head = ms->tail = NULL;
        ms->queued = 0;
        pthread_mutex_unlock(&ms->mu);

        size_t total = 0;
        for (batch *b = list; b; b = b->next)
            total += b->n;
        log_rec **recs = malloc((total ? total : 1) * sizeof *recs);
        if (!recs)
            abort();
        size_t k = 0;
        batch *last = list;
        for (batch *b = list; b; b = b->next) {
            for (size_t i = 0; i < b->n; i++)
                recs[k++] = &b->recs[i];
            last = b;
        }
        tn_err e = c ? apply(c, recs, total, last->end) : TN_EDATABASE;
        for (int attempt = 1; e != TN_OK; attempt++) {
            /* the records are safe in the log; readers wait until they are indexed */
            tn_log_error(NULL, "message indexer: %zu records not indexed (%d); retrying", total, e);
            struct timespec pause = {0, 200 * 1000 * 1000};
            nanosleep(&pause, NULL);
            if (!c)
                c = tn_sqlite_conn_get(&ms->store->base);
            e = c ? apply(c, recs, total, last->end) : TN_EDATABASE;
            if (e != TN_OK && attempt >= 50 && ms->stopping)
                break; /* give up at shutdown: the next start replays the log */
        }
        free(recs);
        if (e == TN_OK)
            ms->applied = last->end;

        /* in slices, so the writer, which checks pending for every message, never waits long
         * for this thread (it runs at a lower priority) */
        size_t in_slice = 0;
        pthread_mutex_lock(&ms->mu);
        for (batch *b = list; b; b = b->next)
            for (size_t i = 0; i < b->n; i++) {
                tn_hmap_del(&ms->pending, b->recs[i].key, b->recs[i].key_len);
                if (++in_slice == PENDING_DROP_SLICE) {
                    pthread_mutex_unlock(&ms->mu);
                    in_slice = 0;
                    pthread_mutex_lock(&ms->mu);
                }
            }
        atomic_store(&ms->indexed, last->ticket);
        pthread_cond_broadcast(&ms->progress);
        pthread_mutex_unlock(&ms->mu);
        for (batch *b = list, *next; b; b = next) {
            next = b->next;
            free_batch(b);
        }
        if (e == TN_OK && c)
            drop_applied_segments(ms, c, false);
    }
    return NULL;
}

/* ---- waiting for the indexer ---- */

tn_err tn_sqlite_wait_indexed(tn_sqlite_store *s)
{
    tn_sqlite_msgs *ms = s->msgs;
    if (!ms || snapshot_depth)
        return TN_OK;
    uint64_t target = atomic_load(&ms->appended);
    if (atomic_load(&ms->indexed) >= target)
        return TN_OK;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_LIMIT_S;
    tn_err e = TN_OK;
    pthread_mutex_lock(&ms->mu);
    ms->waiters++;
    pthread_cond_signal(&ms->wake);
    while (atomic_load(&ms->indexed) < target) {
        if (pthread_cond_timedwait(&ms->progress, &ms->mu, &until) == ETIMEDOUT) {
            tn_log_error(NULL, "store: messages still not indexed after %d s", WAIT_LIMIT_S);
            e = TN_EDATABASE;
            break;
        }
    }
    ms->waiters--;
    pthread_mutex_unlock(&ms->mu);
    return e;
}

tn_err tn_sqlite_reads_begin(tn_store *s)
{
    TN_SQLITE_CONN(s, c);
    snapshot_depth++;
    if (!c->snapshot && sqlite3_get_autocommit(c->db)) {
        if (sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
            return tn_sqlite_fail(c->db, "begin reads");
        c->snapshot = true;
    }
    return TN_OK;
}

void tn_sqlite_reads_end(tn_store *s)
{
    if (snapshot_depth)
        snapshot_depth--;
    tn_sqlite_conn *c = tn_sqlite_conn_get(s);
    if (c && c->snapshot) {
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
        c->snapshot = false;
    }
}

/* ---- append ---- */

/* A pending record with m's key: m takes its seq, serverMsgID and sendTime. Under ms->mu. */
static bool take_pending(tn_sqlite_msgs *ms, const char *key, size_t klen, tn_msg_rec *m,
                         tn_arena *a)
{
    const log_rec *p = tn_hmap_get(&ms->pending, key, klen);
    if (!p)
        return false;
    m->seq = p->rec.seq;
    m->server_msg_id = tn_arena_strdup(a, p->rec.server_msg_id);
    m->send_time = p->rec.send_time;
    return true;
}

static tn_err find_stored(tn_sqlite_msgs *ms, tn_sqlite_conn *c, const char *app, tn_msg_rec *m,
                          tn_arena *a, bool *found)
{
    PREPARE(c, st, STMT_FIND);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->conversation_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->client_msg_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found) {
        m->seq = sqlite3_column_int64(st, 0);
        m->server_msg_id = tn_sqlite_col_text(st, 1, a);
        m->send_time = sqlite3_column_int64(st, 2);
    }
    tn_sqlite_done(st);
    if (ms->after_find)
        ms->after_find(ms->after_find_udata);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TN_OK : tn_sqlite_fail(c->db, "msg find");
}

static tn_err seq_entry_get(tn_sqlite_msgs *ms, tn_sqlite_conn *c, const char *key, size_t klen,
                            const char *app, const char *conv, seq_entry **out)
{
    seq_entry *se = tn_hmap_get(&ms->seqs, key, klen);
    if (se) {
        *out = se;
        return TN_OK;
    }
    if (ms->seqs.count >= SEQ_CACHE_MAX) {
        /* forget conversations whose records are all indexed: SQLite has their seq again */
        uint64_t indexed = atomic_load(&ms->indexed);
        size_t pos = 0;
        const char *k;
        size_t kl;
        void *v;
        tn_hmap keep = {0};
        while (tn_hmap_next(&ms->seqs, &pos, &k, &kl, &v)) {
            if (((seq_entry *)v)->ticket > indexed)
                tn_hmap_put(&keep, k, kl, v);
            else
                free(v);
        }
        tn_hmap_free(&ms->seqs);
        ms->seqs = keep;
    }
    PREPARE(c, st, STMT_SEQ_GET);
    sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, conv, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t max = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    tn_sqlite_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return tn_sqlite_fail(c->db, "seq get");
    se = calloc(1, sizeof *se);
    if (!se)
        abort();
    se->max_seq = max;
    tn_hmap_put(&ms->seqs, key, klen, se);
    *out = se;
    return TN_OK;
}

/* A copy of m in b's arena, for the indexer. */
static void keep_record(batch *b, const char *app, const tn_msg_rec *m, int64_t now_ms,
                        const char *key, size_t key_len)
{
    tn_arena *a = &b->arena;
    log_rec *r = &b->recs[b->n++];
    r->app = tn_arena_strdup(a, app);
    r->now_ms = now_ms;
    r->key = memcpy(tn_arena_alloc(a, key_len + 1), key, key_len + 1);
    r->key_len = key_len;
    tn_msg_rec *c = &r->rec;
    c->conversation_id = tn_arena_strdup(a, m->conversation_id);
    c->client_msg_id = tn_arena_strdup(a, m->client_msg_id);
    c->server_msg_id = tn_arena_strdup(a, m->server_msg_id);
    c->send_id = tn_arena_strdup(a, m->send_id);
    c->seq = m->seq;
    c->send_time = m->send_time;
    void *data = tn_arena_alloc(a, m->data_len ? m->data_len : 1);
    memcpy(data, m->data, m->data_len);
    c->data = data;
    c->data_len = m->data_len;
    c->reader = m->reader ? tn_arena_strdup(a, m->reader) : NULL;
    tn_conv_seed *seeds = tn_arena_calloc(a, m->seed_count ? m->seed_count : 1, sizeof *seeds);
    for (size_t i = 0; i < m->seed_count; i++) {
        const tn_conv_seed *s = &m->seeds[i];
        seeds[i] = (tn_conv_seed){tn_arena_strdup(a, s->owner_user_id),
                                  tn_arena_strdup(a, s->conversation_id), s->conversation_type,
                                  tn_arena_strdup(a, s->user_id ? s->user_id : ""),
                                  tn_arena_strdup(a, s->group_id ? s->group_id : "")};
    }
    c->seeds = seeds;
    c->seed_count = m->seed_count;
}

typedef struct seq_undo {
    seq_entry *entry;
    int64_t max_seq;
    uint64_t ticket;
} seq_undo;

tn_err tn_sqlite_msgs_append(tn_store *base, const char *app, tn_msg_rec *msgs, size_t n,
                             bool *duplicate, tn_arena *a)
{
    tn_sqlite_store *s = (tn_sqlite_store *)base;
    tn_sqlite_msgs *ms = s->msgs;
    TN_SQLITE_CONN(base, c);
    int64_t now_ms = tn_now_ms();
    pthread_mutex_lock(&ms->append_mu);
    pthread_mutex_lock(&ms->mu);
    while (ms->pending.count >= ms->backlog_max && !ms->stopping && !ms->paused) {
        ms->waiters++; /* the indexer starts its round now instead of after its delay */
        pthread_cond_signal(&ms->wake);
        pthread_cond_wait(&ms->progress, &ms->mu);
        ms->waiters--;
    }
    pthread_mutex_unlock(&ms->mu);
    uint64_t ticket = atomic_load(&ms->appended) + 1;
    batch *b = calloc(1, sizeof *b);
    if (!b)
        abort();
    tn_arena_init(&b->arena);
    b->recs = tn_arena_calloc(&b->arena, n ? n : 1, sizeof *b->recs);
    seq_undo *undo = tn_arena_calloc(a, n ? n : 1, sizeof *undo);
    size_t nundo = 0;
    tn_buf out = {0};
    const char **keys = tn_arena_calloc(a, n ? n : 1, sizeof *keys);
    size_t *key_lens = tn_arena_calloc(a, n ? n : 1, sizeof *key_lens);
    for (size_t i = 0; i < n; i++)
        keys[i] = join_key(a, app, msgs[i].conversation_id, msgs[i].client_msg_id, &key_lens[i]);
    /* 1. resends of records still waiting for the indexer, all looked up before the stored
     * lookups below take their snapshot: the indexer drops a record from pending only after
     * committing its row, so a record missing here is visible to that snapshot */
    pthread_mutex_lock(&ms->mu);
    for (size_t i = 0; i < n; i++)
        duplicate[i] = take_pending(ms, keys[i], key_lens[i], &msgs[i], a);
    pthread_mutex_unlock(&ms->mu);
    /* 2. resends of indexed records, in one read transaction */
    bool own_txn = sqlite3_get_autocommit(c->db);
    tn_err e = own_txn && sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK
                   ? tn_sqlite_fail(c->db, "begin")
                   : TN_OK;
    for (size_t i = 0; i < n && e == TN_OK; i++)
        if (!duplicate[i])
            e = find_stored(ms, c, app, &msgs[i], a, &duplicate[i]);
    /* 3. the new ones get their seqs; a clientMsgID twice in this batch is stored once */
    for (size_t i = 0; i < n && e == TN_OK; i++) {
        tn_msg_rec *m = &msgs[i];
        if (duplicate[i])
            continue;
        pthread_mutex_lock(&ms->mu);
        duplicate[i] = take_pending(ms, keys[i], key_lens[i], m, a);
        pthread_mutex_unlock(&ms->mu);
        if (duplicate[i])
            continue;
        seq_entry *se = NULL;
        if ((e = seq_entry_get(ms, c, keys[i], strlen(app) + 1 + strlen(m->conversation_id), app,
                               m->conversation_id, &se)))
            break;
        undo[nundo++] = (seq_undo){se, se->max_seq, se->ticket};
        m->seq = ++se->max_seq;
        se->ticket = ticket;
        keep_record(b, app, m, now_ms, keys[i], key_lens[i]);
        pthread_mutex_lock(&ms->mu);
        tn_hmap_put(&ms->pending, keys[i], key_lens[i], &b->recs[b->n - 1]);
        pthread_mutex_unlock(&ms->mu);
        encode(&out, app, m, now_ms);
    }
    if (own_txn)
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (e == TN_OK && b->n)
        e = tn_msg_log_append(ms->log, out.data, out.len, &b->end);
    tn_buf_free(&out);
    if (e != TN_OK || !b->n) {
        while (nundo--) {
            undo[nundo].entry->max_seq = undo[nundo].max_seq;
            undo[nundo].entry->ticket = undo[nundo].ticket;
        }
        pthread_mutex_lock(&ms->mu);
        for (size_t i = 0; i < b->n; i++)
            tn_hmap_del(&ms->pending, b->recs[i].key, b->recs[i].key_len);
        pthread_mutex_unlock(&ms->mu);
        free_batch(b);
        pthread_mutex_unlock(&ms->append_mu);
        return e;
    }
    b->ticket = ticket;
    pthread_mutex_lock(&ms->mu);
    if (ms->tail) {
        ms->tail->next = b;
    } else {
        ms->head = b;
        clock_gettime(CLOCK_MONOTONIC, &ms->due);
        ms->due.tv_nsec += INDEX_DELAY_MS * 1000000L;
        if (ms->due.tv_nsec >= 1000000000L) {
            ms->due.tv_sec++;
            ms->due.tv_nsec -= 1000000000L;
        }
    }
    ms->tail = b;
    ms->queued += b->n;
    atomic_store(&ms->appended, ticket);
    if (ms->head == b || ms->queued >= INDEX_ROUND_MAX)
        pthread_cond_signal(&ms->wake);
    pthread_mutex_unlock(&ms->mu);
    tn_msg_log_rotate_if_full(ms->log);
    pthread_mutex_unlock(&ms->append_mu);
    return TN_OK;
}

/* ---- open: replay what the last run left in the log ---- */

typedef struct replay_state {
    tn_sqlite_conn *c;
    tn_arena arena;
    log_rec *recs;
    log_rec **refs;
    size_t n;
    tn_log_pos end;
    tn_err e;
    size_t total;
} replay_state;

static bool replay_flush(replay_state *r)
{
    if (r->n && r->e == TN_OK) {
        r->e = apply(r->c, r->refs, r->n, r->end);
        r->total += r->n;
    }
    r->n = 0;
    tn_arena_free_all(&r->arena);
    tn_arena_init(&r->arena);
    return r->e == TN_OK;
}

static bool replay_record(const uint8_t *payload, size_t len, tn_log_pos end, void *udata)
{
    replay_state *r = udata;
    if (!decode(payload, len, &r->arena, &r->recs[r->n])) {
        tn_log_error(NULL, "message log: undecodable record before %llu:%llu",
                     (unsigned long long)end.segment, (unsigned long long)end.offset);
        r->e = TN_EDATABASE;
        return false;
    }
    r->refs[r->n] = &r->recs[r->n];
    r->n++;
    r->end = end;
    return r->n < INDEX_ROUND_MAX || replay_flush(r);
}

static tn_err replay(tn_sqlite_msgs *ms, tn_sqlite_conn *c, char *err, size_t errlen,
                     uint64_t *next_segment)
{
    PREPARE(c, st, STMT_STATE_GET);
    tn_log_pos from = {0, 0};
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        from = (tn_log_pos){(uint64_t)sqlite3_column_int64(st, 0),
                            (uint64_t)sqlite3_column_int64(st, 1)};
    tn_sqlite_done(st);
    uint64_t *segs;
    size_t nsegs;
    tn_err e = tn_msg_log_list(ms->log_base, &segs, &nsegs);
    if (e) {
        snprintf(err, errlen, "cannot list the message log");
        return e;
    }
    replay_state r = {.c = c};
    tn_arena_init(&r.arena);
    r.recs = malloc(INDEX_ROUND_MAX * sizeof *r.recs);
    r.refs = malloc(INDEX_ROUND_MAX * sizeof *r.refs);
    if (!r.recs || !r.refs)
        abort();
    for (size_t i = 0; i < nsegs && e == TN_OK; i++) {
        if (segs[i] < from.segment)
            continue;
        bool clean;
        e = tn_msg_log_replay(ms->log_base, segs[i], segs[i] == from.segment ? from.offset : 0,
                              replay_record, &r, &clean);
        if (e == TN_OK && r.e == TN_OK)
            replay_flush(&r);
        if (e == TN_OK)
            e = r.e;
        if (e == TN_OK && !clean && i + 1 < nsegs) {
            /* only the last batch of the last segment can be torn (its sync never finished) */
            snprintf(err, errlen, "message log segment %llu is corrupt before its end",
                     (unsigned long long)segs[i]);
            e = TN_EDATABASE;
        }
    }
    if (e != TN_OK && !*err)
        snprintf(err, errlen, "cannot replay the message log");
    if (r.total)
        tn_log_info(NULL, "store: replayed %zu messages from the message log", r.total);
    ms->applied = r.total ? r.end : from;
    *next_segment = (nsegs && segs[nsegs - 1] >= from.segment ? segs[nsegs - 1] : from.segment) + 1;
    /* every listed segment is applied now; once that is on disk they can go */
    if (e == TN_OK && nsegs && sync_database(c) == TN_OK)
        for (size_t i = 0; i < nsegs; i++)
            tn_msg_log_remove(ms->log_base, segs[i]);
    free(segs);
    free(r.recs);
    free(r.refs);
    tn_arena_free_all(&r.arena);
    return e;
}

tn_sqlite_msgs *tn_sqlite_msgs_open(tn_sqlite_store *s, char *err, size_t errlen)
{
    tn_sqlite_msgs *ms = calloc(1, sizeof *ms);
    if (!ms)
        abort();
    ms->store = s;
    ms->backlog_max = BACKLOG_MAX;
    size_t n = strlen(s->path) + 1;
    ms->log_base = malloc(n);
    if (!ms->log_base)
        abort();
    memcpy(ms->log_base, s->path, n);
    pthread_mutex_init(&ms->append_mu, NULL);
    pthread_mutex_init(&ms->mu, NULL);
    pthread_condattr_t monotonic;
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_cond_init(&ms->wake, &monotonic);
    pthread_condattr_destroy(&monotonic);
    pthread_cond_init(&ms->progress, NULL);
    err[0] = 0;
    tn_sqlite_conn *c = tn_sqlite_conn_get(&s->base);
    uint64_t next_segment = 0;
    if (!c || replay(ms, c, err, errlen, &next_segment) != TN_OK ||
        !(ms->log = tn_msg_log_open(ms->log_base, next_segment, err, errlen))) {
        if (!*err)
            snprintf(err, errlen, "cannot open the message log");
        tn_sqlite_msgs_close(ms);
        return NULL;
    }
    ms->oldest_segment = next_segment;
    if (pthread_create(&ms->thread, NULL, indexer_main, ms) != 0) {
        snprintf(err, errlen, "cannot start the message indexer");
        tn_sqlite_msgs_close(ms);
        return NULL;
    }
    ms->thread_started = true;
    return ms;
}

void tn_sqlite_msgs_set_backlog(tn_sqlite_msgs *ms, size_t max)
{
    pthread_mutex_lock(&ms->mu);
    ms->backlog_max = max ? max : BACKLOG_MAX;
    pthread_cond_broadcast(&ms->progress);
    pthread_mutex_unlock(&ms->mu);
}

void tn_sqlite_msgs_set_find_hook(tn_sqlite_msgs *ms, void (*fn)(void *), void *udata)
{
    ms->after_find = fn;
    ms->after_find_udata = udata;
}

size_t tn_sqlite_msgs_unindexed(tn_sqlite_msgs *ms)
{
    pthread_mutex_lock(&ms->mu);
    size_t n = ms->pending.count;
    pthread_mutex_unlock(&ms->mu);
    return n;
}

void tn_sqlite_msgs_pause(tn_sqlite_msgs *ms, bool paused)
{
    pthread_mutex_lock(&ms->mu);
    ms->paused = paused;
    pthread_cond_signal(&ms->wake);
    pthread_cond_broadcast(&ms->progress);
    pthread_mutex_unlock(&ms->mu);
}

void tn_sqlite_msgs_close(tn_sqlite_msgs *ms)
{
    if (!ms)
        return;
    if (ms->thread_started) {
        pthread_mutex_lock(&ms->mu);
        ms->stopping = true;
        pthread_cond_signal(&ms->wake);
        pthread_cond_broadcast(&ms->progress);
        pthread_mutex_unlock(&ms->mu);
        pthread_join(ms->thread, NULL);
        /* everything indexed: the log is no longer needed once the database is synced */
        tn_sqlite_conn *c = tn_sqlite_conn_get(&ms->store->base);
        if (!ms->head && c)
            drop_applied_segments(ms, c, true);
    }
    /* a paused indexer leaves its records in the log, as a crash would: the next open replays */
    for (batch *b = ms->head, *next; b; b = next) {
        next = b->next;
        free_batch(b);
    }
    size_t pos = 0;
    const char *k;
    size_t kl;
    void *v;
    while (tn_hmap_next(&ms->seqs, &pos, &k, &kl, &v))
        free(v);
    tn_hmap_free(&ms->seqs);
    tn_hmap_free(&ms->pending);
    tn_msg_log_close(ms->log);
    pthread_cond_destroy(&ms->wake);
    pthread_cond_destroy(&ms->progress);
    pthread_mutex_destroy(&ms->mu);
    pthread_mutex_destroy(&ms->append_mu);
    free(ms->log_base);
    free(ms);
}
