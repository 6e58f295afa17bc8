/* tern-bench's scenarios (login, idle, p2p, group, sync) over any driver, login and idle also over
 * forked client processes, and the counting behind their figures: each message carries its sender,
 * sequence and send time, so loss, duplication and latency are measured at the receiver. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "proc.h"
#include "stats.h"

enum {
    DRAIN_SECONDS = 10,
    USERS_PER_PROC = 15000, /* connections per client process unless --procs says otherwise */
};

struct tb_run {
    uv_loop_t *loop;
    tb_options opt;
    const tb_driver *drv;
    char prefix[48];
    uint64_t epoch_ns;
    uv_timer_t tick;  /* wakes the loop so the waits below can check their deadlines */
    uv_timer_t pacer; /* fixed-rate sends */
    int nusers;
    tb_conn **conns;
    /* logins */
    int connect_next, connect_end, connects_in_flight, logged_in, login_failed;
    uint64_t *login_started_us;
    tb_hist login_hist;
    char error[256];
    /* messages: every receiver keeps a bitmap of the sequence numbers it saw */
    uint8_t **seen;
    size_t *seen_bytes;
    uint64_t *next_seq; /* per sender user (p2p) or per group */
    tb_hist lat;
    uint64_t sent, acked, received, received_in_window, dup, send_failed, disconnected, synced;
    bool sending;
    uint64_t phase_start_us, phase_end_us;
    /* p2p: pairs (2i sends to 2i + 1); group: groups of group_members users, owner first */
    int pairs, groups;
    char (*group_ids)[80];
    uint32_t **group_pending; /* per group, per seq: members still to receive it */
    size_t *group_pending_cap;
    uint64_t rr;       /* round robin over senders at a fixed rate */
    bool stop_holding; /* a child process of a split login / idle: the parent said stop */
    double last_progress_us;
};

uv_loop_t *tb_run_loop(tb_run *run)
{
    return run->loop;
}

const tb_options *tb_run_options(const tb_run *run)
{
    return &run->opt;
}

void tb_user_name(const tb_run *run, int user, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s%d", run->prefix, user);
}

static uint64_t now_us(const tb_run *run)
{
    return (uv_hrtime() - run->epoch_ns) / 1000;
}

__attribute__((format(printf, 2, 3))) static void note_error(tb_run *run, const char *fmt, ...)
{
    if (run->error[0])
        return; /* the first error explains the rest */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(run->error, sizeof run->error, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void progress(tb_run *run, const char *fmt, ...)
{
    if (run->opt.quiet || run->opt.json)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "  [%s %s] ", run->drv->name, run->opt.scenario);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- logins ---- */

static void connect_more(tb_run *run)
{
    while (run->connect_next < run->connect_end &&
           run->connects_in_flight < run->opt.connect_batch) {
        int u = run->connect_next++;
        run->connects_in_flight++;
        run->login_started_us[u] = now_us(run);
        run->conns[u] = run->drv->connect(run, u);
    }
}

void tb_logged_in(tb_run *run, int user, const char *error)
{
    run->connects_in_flight--;
    if (error) {
        run->login_failed++;
        note_error(run, "login of user %d: %s", user, error);
    } else {
        run->logged_in++;
        tb_hist_add(&run->login_hist, now_us(run) - run->login_started_us[user]);
    }
    connect_more(run);
}

void tb_disconnected(tb_run *run, int user, const char *why)
{
    run->disconnected++;
    note_error(run, "user %d disconnected: %s", user, why);
}

/* ---- messages ---- */

static void send_one(tb_run *run, int sender_slot, uint64_t intended_us)
{
    char text[96];
    if (run->groups) {
        int owner = sender_slot * run->opt.group_members;
        uint64_t seq = run->next_seq[sender_slot]++;
        snprintf(text, sizeof text, "tb %d %" PRIu64 " %" PRIu64, sender_slot, seq, intended_us);
        size_t need = (size_t)seq + 1;
        if (need > run->group_pending_cap[sender_slot]) {
            size_t cap = run->group_pending_cap[sender_slot] * 2 + 1024;
            run->group_pending[sender_slot] =
                realloc(run->group_pending[sender_slot], cap * sizeof(uint32_t));
            run->group_pending_cap[sender_slot] = cap;
        }
        run->group_pending[sender_slot][seq] = (uint32_t)(run->opt.group_members - 1);
        run->drv->group_send(run->conns[owner], run->group_ids[sender_slot], text);
    } else {
        int from = 2 * sender_slot;
        uint64_t seq = run->next_seq[from]++;
        snprintf(text, sizeof text, "tb %d %" PRIu64 " %" PRIu64, from, seq, intended_us);
        run->drv->send(run->conns[from], from + 1, text);
    }
    run->sent++;
}

static int senders(const tb_run *run)
{
    return run->groups ? run->groups : run->pairs;
}

/* true when it is the first time this receiver sees seq */
static bool mark_seen(tb_run *run, int user, uint64_t seq)
{
    size_t byte = (size_t)(seq >> 3);
    if (byte >= run->seen_bytes[user]) {
        size_t cap = (byte + 1) * 2 + 64;
        run->seen[user] = realloc(run->seen[user], cap);
        memset(run->seen[user] + run->seen_bytes[user], 0, cap - run->seen_bytes[user]);
        run->seen_bytes[user] = cap;
    }
    uint8_t bit = (uint8_t)(1u << (seq & 7));
    if (run->seen[user][byte] & bit)
        return false;
    run->seen[user][byte] |= bit;
    return true;
}

void tb_received(tb_run *run, int user, const char *text, size_t len)
{
    char buf[96];
    if (len >= sizeof buf)
        return;
    memcpy(buf, text, len);
    buf[len] = 0;
    int from;
    uint64_t seq, sent_us;
    if (sscanf(buf, "tb %d %" SCNu64 " %" SCNu64, &from, &seq, &sent_us) != 3)
        return; /* not one of ours */
    if (user < 0 || user >= run->nusers)
        return;
    if (!mark_seen(run, user, seq)) {
        run->dup++;
        return;
    }
    uint64_t now = now_us(run);
    run->received++;
    if (now <= run->phase_end_us || run->phase_end_us == 0)
        run->received_in_window++;
    tb_hist_add(&run->lat, now > sent_us ? now - sent_us : 0);
    if (!run->sending || run->opt.rate > 0)
        return;
    /* saturated: a message that has fully arrived makes room for the sender's next one */
    if (run->groups) {
        if (from < 0 || from >= run->groups || seq >= run->group_pending_cap[from])
            return;
        if (--run->group_pending[from][seq] == 0)
            send_one(run, from, now_us(run));
    } else if (from >= 0 && from / 2 < run->pairs) {
        send_one(run, from / 2, now_us(run));
    }
}

void tb_sent_ok(tb_run *run, int user)
{
    (void)user;
    run->acked++;
}

void tb_send_failed(tb_run *run, int user, const char *why)
{
    run->send_failed++;
    note_error(run, "send by user %d refused: %s", user, why);
}

void tb_synced(tb_run *run, int user)
{
    (void)user;
    run->synced++;
}

static void on_pace(uv_timer_t *t)
{
    tb_run *run = t->data;
    if (!run->sending)
        return;
    /* a starved client catches up, but never past the phase: rate × seconds is the offer */
    uint64_t now = now_us(run);
    if (now > run->phase_end_us)
        now = run->phase_end_us;
    double elapsed = (double)(now - run->phase_start_us) / 1e6;
    uint64_t due = (uint64_t)(elapsed * run->opt.rate);
    uint64_t sent_in_phase = run->sent;
    for (; sent_in_phase < due; sent_in_phase++) {
        uint64_t intended =
            run->phase_start_us + (uint64_t)((double)sent_in_phase * 1e6 / run->opt.rate);
        send_one(run, (int)(run->rr++ % (uint64_t)senders(run)), intended);
    }
}

/* ---- waiting on the loop ---- */

static void on_tick(uv_timer_t *t)
{
    (void)t; /* only wakes uv_run so that the caller's condition and deadline are checked */
}

typedef bool (*tb_done_fn)(tb_run *run);

/* Runs the loop until done() or the deadline; reports progress about once a second. */
static bool run_until(tb_run *run, tb_done_fn done, double seconds, const char *what)
{
    uint64_t deadline = now_us(run) + (uint64_t)(seconds * 1e6);
    while (!done(run)) {
        uint64_t now = now_us(run);
        if (now >= deadline)
            return false;
        if ((double)now - run->last_progress_us >= 1e6) {
            run->last_progress_us = (double)now;
            progress(run, "%s: logged in %d/%d, sent %" PRIu64 ", received %" PRIu64, what,
                     run->logged_in, run->nusers, run->sent, run->received);
        }
        uv_run(run->loop, UV_RUN_ONCE);
    }
    return true;
}

static bool logins_done(tb_run *run)
{
    return run->connect_next == run->connect_end && run->connects_in_flight == 0;
}

static bool never(tb_run *run)
{
    (void)run;
    return false;
}

/* a group message reaches every member but its sender */
static uint64_t expected_deliveries(const tb_run *run)
{
    return run->groups ? run->sent * (uint64_t)(run->opt.group_members - 1) : run->sent;
}

static bool all_delivered(tb_run *run)
{
    return run->received + run->send_failed >= expected_deliveries(run);
}

static bool all_acked(tb_run *run)
{
    return run->acked + run->send_failed >= run->sent;
}

static bool all_synced(tb_run *run)
{
    return run->synced >= 1 && run->received >= (uint64_t)run->opt.sync_messages;
}

/* ---- set-up and tear-down ---- */

static tb_run *run_new(uv_loop_t *loop, const tb_options *opt, const tb_driver *drv, int nusers,
                       const char *prefix)
{
    tb_run *run = calloc(1, sizeof *run);
    run->loop = loop;
    run->opt = *opt;
    run->drv = drv;
    snprintf(run->prefix, sizeof run->prefix, "%s", prefix);
    run->epoch_ns = uv_hrtime();
    run->nusers = nusers;
    run->conns = calloc((size_t)nusers, sizeof *run->conns);
    run->login_started_us = calloc((size_t)nusers, sizeof *run->login_started_us);
    run->seen = calloc((size_t)nusers, sizeof *run->seen);
    run->seen_bytes = calloc((size_t)nusers, sizeof *run->seen_bytes);
    run->next_seq = calloc((size_t)nusers + 1, sizeof *run->next_seq);
    uv_timer_init(loop, &run->tick);
    uv_timer_start(&run->tick, on_tick, 50, 50);
    uv_timer_init(loop, &run->pacer);
    run->pacer.data = run;
    return run;
}

static void run_free(tb_run *run)
{
    for (int u = 0; u < run->nusers; u++) {
        if (run->conns[u])
            run->drv->close(run->conns[u]);
        free(run->seen[u]);
    }
    uv_timer_stop(&run->tick);
    uv_timer_stop(&run->pacer);
    uv_close((uv_handle_t *)&run->tick, NULL);
    uv_close((uv_handle_t *)&run->pacer, NULL);
    /* let the closes reach the server and the handles finish */
    uint64_t until = uv_hrtime() + 300 * 1000000ull;
    while (uv_hrtime() < until && uv_run(run->loop, UV_RUN_NOWAIT))
        ;
    for (int g = 0; g < run->groups; g++)
        free(run->group_pending[g]);
    free(run->group_pending);
    free(run->group_pending_cap);
    free(run->group_ids);
    free(run->conns);
    free(run->login_started_us);
    free(run->seen);
    free(run->seen_bytes);
    free(run->next_seq);
    free(run);
}

/* Connects users [first, end) and waits for every login; false (with run->error) on failure. */
static bool login_all(tb_run *run, int first, int end)
{
    run->connect_next = first;
    run->connect_end = end;
    connect_more(run);
    double budget = 30 + (end - first) / 200.0;
    if (!run_until(run, logins_done, budget, "logging in")) {
        note_error(run, "logins did not finish in %.0f s", budget);
        return false;
    }
    return run->login_failed == 0;
}

static void put_ms(json_t *out, const char *key, double us)
{
    json_object_set_new(out, key, json_real(round(us / 10.0) / 100.0));
}

static void put_latency(json_t *out, const char *prefix, const tb_hist *h)
{
    static const struct {
        const char *name;
        double q;
    } qs[] = {{"p50", .5}, {"p90", .9}, {"p99", .99}, {"max", 1}};
    char key[96];
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        snprintf(key, sizeof key, "%.60s_%s_ms", prefix, qs[i].name);
        put_ms(out, key, tb_hist_quantile(h, qs[i].q));
    }
}

static double server_cpu_s(const tb_run *run)
{
    return run->opt.server_pid ? tb_proc_cpu_s(run->opt.server_pid) : 0;
}

/* CPU as % of one core over the phase: the server's (when its pid is known) and the client's */
static void put_cpu_used(json_t *out, const char *prefix, const tb_run *run, double server_s,
                         double client_s, double seconds)
{
    char key[64];
    if (run->opt.server_pid) {
        snprintf(key, sizeof key, "%s_server_cpu_pct", prefix);
        json_object_set_new(out, key, json_integer(lround(server_s / seconds * 100)));
    }
    snprintf(key, sizeof key, "%s_client_cpu_pct", prefix);
    json_object_set_new(out, key, json_integer(lround(client_s / seconds * 100)));
}

static void put_cpu(json_t *out, const char *prefix, const tb_run *run, double server0,
                    double client0, double seconds)
{
    put_cpu_used(out, prefix, run, server_cpu_s(run) - server0, tb_proc_cpu_s(0) - client0,
                 seconds);
}

static bool fail_with(tb_run *run, json_t *out, const char *prefix)
{
    char key[64];
    snprintf(key, sizeof key, "%s_error", prefix);
    json_object_set_new(out, key, json_string(run->error[0] ? run->error : "failed"));
    return false;
}

/* ---- scenarios ---- */

/* ---- login and idle: in this process, or spread over child processes ---- */

/* The logins of a run, counted here or merged from the child processes. */
typedef struct login_tally {
    int logged_in, failed;
    uint64_t disconnected;
    double seconds;      /* first connect to last login */
    double server_cpu_s; /* meanwhile */
    double client_cpu_s; /* every client process's */
    tb_hist hist;
} login_tally;

/* What a child process reports: once its logins are done, and again when told to stop. */
typedef struct child_report {
    login_tally counts;        /* its own; the timings and CPU fields are left out */
    uint64_t start_ns, end_ns; /* uv_hrtime: the same clock in every process */
    char error[256];
} child_report;

typedef struct child {
    pid_t pid;
    int ctl; /* to the child: one byte = go; closed = stop holding */
    int rep; /* from the child: its reports */
} child;

static void on_stop_holding(uv_poll_t *h, int status, int events)
{
    (void)status;
    (void)events;
    tb_run *run = h->data;
    run->stop_holding = true;
    uv_poll_stop(h);
}

static bool stop_holding(tb_run *run)
{
    return run->stop_holding;
}

/* What this process counted of its logins so far. */
static void count_logins(login_tally *t, const tb_run *run)
{
    t->logged_in = run->logged_in;
    t->failed = run->login_failed;
    t->disconnected = run->disconnected;
    t->hist = run->login_hist;
}

static void report_fill(child_report *r, const tb_run *run)
{
    count_logins(&r->counts, run);
    memcpy(r->error, run->error, sizeof r->error);
}

/* A child process: logs users [first, end) in when told to go, reports, keeps their connections
 * served until the parent closes ctl, reports again and exits. */
static _Noreturn void child_main(tb_run *run, int first, int end, int ctl, int rep)
{
    uv_loop_fork(run->loop);
    child_report r = {0};
    char go;
    if (!tb_read_full(ctl, &go, 1))
        _exit(1);
    r.start_ns = uv_hrtime();
    login_all(run, first, end);
    r.end_ns = uv_hrtime();
    report_fill(&r, run);
    if (!tb_write_full(rep, &r, sizeof r))
        _exit(1);
    uv_poll_t watch;
    uv_poll_init(run->loop, &watch, ctl);
    watch.data = run;
    uv_poll_start(&watch, UV_READABLE | UV_DISCONNECT, on_stop_holding);
    run_until(run, stop_holding, 24 * 3600.0, "holding");
    report_fill(&r, run);
    _exit(tb_write_full(rep, &r, sizeof r) ? 0 : 1);
}

/* Starts procs children, each with its share of the run's users; returns how many started. */
static int fork_children(tb_run *run, child *kids, int procs)
{
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < procs; i++) {
        int ctl[2], rep[2];
        if (pipe2(ctl, O_CLOEXEC) != 0)
            return i;
        if (pipe2(rep, O_CLOEXEC) != 0) {
            close(ctl[0]);
            close(ctl[1]);
            return i;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(ctl[1]);
            close(rep[0]);
            for (int k = 0; k < i; k++) {
                close(kids[k].ctl);
                close(kids[k].rep);
            }
            int first = (int)((long)run->nusers * i / procs);
            int end = (int)((long)run->nusers * (i + 1) / procs);
            child_main(run, first, end, ctl[0], rep[1]);
        }
        close(ctl[0]);
        close(rep[1]);
        if (pid < 0) {
            close(ctl[1]);
            close(rep[0]);
            return i;
        }
        kids[i] = (child){pid, ctl[1], rep[0]};
    }
    return procs;
}

/* The run's users logged in by procs child processes at once; with hold, their connections are
 * kept for the hold time and the server's RSS is read at its end (into *rss_loaded). */
static bool split_logins(tb_run *run, int procs, bool hold, login_tally *t, int64_t *rss_loaded)
{
    child *kids = calloc((size_t)procs, sizeof *kids);
    child_report r;
    int started = fork_children(run, kids, procs);
    bool ok = started == procs;
    if (!ok)
        note_error(run, "cannot start %d client processes: %s", procs, strerror(errno));
    progress(run, "logging in %d users over %d processes", run->nusers, started);
    double server0 = server_cpu_s(run);
    char go = 'g';
    for (int i = 0; i < started; i++)
        ok = tb_write_full(kids[i].ctl, &go, 1) && ok;
    uint64_t first_ns = UINT64_MAX, last_ns = 0;
    for (int i = 0; i < started; i++) {
        if (!tb_read_full(kids[i].rep, &r, sizeof r)) {
            note_error(run, "client process %d ended during its logins", i);
            ok = false;
            continue;
        }
        t->logged_in += r.counts.logged_in;
        t->failed += r.counts.failed;
        tb_hist_merge(&t->hist, &r.counts.hist);
        first_ns = r.start_ns < first_ns ? r.start_ns : first_ns;
        last_ns = r.end_ns > last_ns ? r.end_ns : last_ns;
        if (r.error[0])
            note_error(run, "%s", r.error);
    }
    t->seconds = last_ns > first_ns ? (double)(last_ns - first_ns) / 1e9 : 1e-9;
    t->server_cpu_s = server_cpu_s(run) - server0;
    for (int i = 0; i < started; i++)
        t->client_cpu_s += tb_proc_cpu_s(kids[i].pid);
    if (hold && ok) {
        double hold_s = run->opt.seconds > 0 ? run->opt.seconds : 2;
        progress(run, "holding %d connections for %.0f s", t->logged_in, hold_s);
        struct timespec d = {(time_t)hold_s, (long)((hold_s - (double)(time_t)hold_s) * 1e9)};
        while (nanosleep(&d, &d) != 0 && errno == EINTR)
            ;
        *rss_loaded = tb_proc_rss_kib(run->opt.server_pid);
    }
    for (int i = 0; i < started; i++) {
        close(kids[i].ctl); /* stop holding */
        if (tb_read_full(kids[i].rep, &r, sizeof r)) {
            t->disconnected += r.counts.disconnected;
            if (r.error[0])
                note_error(run, "%s", r.error);
        } else {
            note_error(run, "client process %d ended while holding", i);
            ok = false;
        }
        close(kids[i].rep);
    }
    for (int i = 0; i < started; i++) {
        int status;
        while (waitpid(kids[i].pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    free(kids);
    return ok && t->failed == 0;
}

static int procs_for(const tb_run *run)
{
    int procs =
        run->opt.procs ? run->opt.procs : (run->nusers + USERS_PER_PROC - 1) / USERS_PER_PROC;
    return procs > run->nusers ? run->nusers : procs < 1 ? 1 : procs;
}

/* Logins in this process, or over procs children (hold: keep them for the hold time). */
static bool logins(tb_run *run, int procs, bool hold, login_tally *t, int64_t *rss_loaded)
{
    if (procs > 1)
        return split_logins(run, procs, hold, t, rss_loaded);
    double server0 = server_cpu_s(run), me0 = tb_proc_cpu_s(0);
    uint64_t t0 = now_us(run);
    bool ok = login_all(run, 0, run->nusers);
    t->seconds = (double)(now_us(run) - t0) / 1e6;
    t->server_cpu_s = server_cpu_s(run) - server0;
    t->client_cpu_s = tb_proc_cpu_s(0) - me0;
    if (ok && hold) {
        /* hold them: a connection must stay up, and the server's memory settles */
        run_until(run, never, run->opt.seconds > 0 ? run->opt.seconds : 2, "holding");
        *rss_loaded = tb_proc_rss_kib(run->opt.server_pid);
    }
    count_logins(t, run);
    return ok;
}

static bool scenario_login(tb_run *run, json_t *out)
{
    login_tally t = {0};
    int procs = procs_for(run);
    bool ok = logins(run, procs, false, &t, NULL);
    json_object_set_new(out, "login_users", json_integer(run->nusers));
    json_object_set_new(out, "login_procs", json_integer(procs));
    json_object_set_new(out, "logins_per_s", json_integer(lround(t.logged_in / t.seconds)));
    json_object_set_new(out, "login_failed", json_integer(t.failed));
    put_latency(out, "login", &t.hist);
    put_cpu_used(out, "login", run, t.server_cpu_s, t.client_cpu_s, t.seconds);
    return ok || fail_with(run, out, "login");
}

static bool scenario_idle(tb_run *run, json_t *out)
{
    int pid = run->opt.server_pid;
    if (!pid) {
        note_error(run, "idle needs --server-pid to read the server's memory");
        return fail_with(run, out, "idle");
    }
    login_tally t = {0};
    int procs = procs_for(run);
    int64_t before = tb_proc_rss_kib(pid), after = before;
    json_object_set_new(out, "idle_rss_mib", json_real(round(before / 102.4) / 10.0));
    if (!logins(run, procs, true, &t, &after))
        return fail_with(run, out, "idle");
    json_object_set_new(out, "idle_conns", json_integer(t.logged_in));
    json_object_set_new(out, "idle_procs", json_integer(procs));
    json_object_set_new(out, "idle_rss_loaded_mib", json_real(round(after / 102.4) / 10.0));
    json_object_set_new(out, "idle_kib_per_conn",
                        json_real(round((double)(after - before) / run->nusers * 100) / 100));
    json_object_set_new(out, "idle_dropped", json_integer((json_int_t)t.disconnected));
    return t.disconnected == 0 || fail_with(run, out, "idle");
}

/* The measured phase of p2p and group: send for opt.seconds, then wait for the stragglers. True
 * when every message arrived exactly once and no connection dropped. */
static bool send_phase(tb_run *run, json_t *out, const char *prefix)
{
    double cpu0 = tb_proc_cpu_s(run->opt.server_pid), me0 = tb_proc_cpu_s(0);
    run->sending = true;
    run->phase_start_us = now_us(run);
    run->phase_end_us = run->phase_start_us + (uint64_t)(run->opt.seconds * 1e6);
    if (run->opt.rate > 0) {
        uv_timer_start(&run->pacer, on_pace, 1, 1);
    } else {
        int window = run->opt.window > 0 ? run->opt.window : 1;
        for (int s = 0; s < senders(run); s++)
            for (int w = 0; w < window; w++)
                send_one(run, s, now_us(run));
    }
    run_until(run, never, run->opt.seconds, "sending");
    run->sending = false;
    uv_timer_stop(&run->pacer);
    double seconds = (double)(now_us(run) - run->phase_start_us) / 1e6;
    put_cpu(out, prefix, run, cpu0, me0, seconds);
    /* A message still missing after the drain is lost only if nothing arrived in its last
     * second; otherwise the server was behind the offered load and it is counted as late. */
    bool arriving = false;
    for (int waited = 0; waited < DRAIN_SECONDS && !all_delivered(run); waited++) {
        uint64_t before = run->received;
        run_until(run, all_delivered, 1, "draining");
        arriving = run->received > before;
    }
    uint64_t expected = expected_deliveries(run);
    uint64_t missing = expected > run->received + run->send_failed
                           ? expected - run->received - run->send_failed
                           : 0;
    if (missing && arriving)
        note_error(run,
                   "the server fell behind: %" PRIu64 " messages still on their way %d s "
                   "after the sending stopped",
                   missing, DRAIN_SECONDS);
    char key[64];
#define PUT(name, value)                                                                           \
    do {                                                                                           \
        snprintf(key, sizeof key, "%s_%s", prefix, name);                                          \
        json_object_set_new(out, key, value);                                                      \
    } while (0)
    PUT("offered_per_s", json_integer(lround(run->opt.rate)));
    PUT("sent", json_integer((json_int_t)run->sent));
    PUT("msgs_per_s", json_integer(lround(run->received_in_window / run->opt.seconds)));
    PUT("lost", json_integer((json_int_t)(arriving ? 0 : missing)));
    PUT("late", json_integer((json_int_t)(arriving ? missing : 0)));
    PUT("dup", json_integer((json_int_t)run->dup));
    PUT("send_failed", json_integer((json_int_t)run->send_failed));
#undef PUT
    put_latency(out, prefix, &run->lat);
    return run->disconnected == 0 && run->dup == 0 && missing == 0;
}

static bool scenario_p2p(tb_run *run, json_t *out)
{
    const char *prefix = run->opt.rate > 0 ? "p2p_fixed" : "p2p";
    run->pairs = run->nusers / 2;
    if (!login_all(run, 0, run->nusers))
        return fail_with(run, out, prefix);
    bool ok = send_phase(run, out, prefix);
    char key[64];
    snprintf(key, sizeof key, "%s_pairs", prefix);
    json_object_set_new(out, key, json_integer(run->pairs));
    if (run->opt.rate == 0) {
        snprintf(key, sizeof key, "%s_window", prefix);
        json_object_set_new(out, key, json_integer(run->opt.window));
    }
    return ok || fail_with(run, out, prefix);
}

static bool scenario_group(tb_run *run, json_t *out)
{
    if (!run->drv->group_create) {
        json_object_set_new(out, "group_unavailable",
                            json_string("this target's driver has no groups"));
        return true;
    }
    int k = run->opt.group_members;
    run->groups = run->nusers / k;
    run->group_ids = calloc((size_t)run->groups, sizeof *run->group_ids);
    run->group_pending = calloc((size_t)run->groups, sizeof *run->group_pending);
    run->group_pending_cap = calloc((size_t)run->groups, sizeof *run->group_pending_cap);
    for (int g = 0; g < run->groups; g++)
        if (!run->drv->group_create(run, g * k, g * k, k, run->group_ids[g],
                                    sizeof run->group_ids[g])) {
            note_error(run, "could not create group %d", g);
            return fail_with(run, out, "group");
        }
    if (!login_all(run, 0, run->nusers))
        return fail_with(run, out, "group");
    /* the group-created notices land first; they are not counted (not text from "tb") */
    run_until(run, never, 0.5, "settling");
    bool ok = send_phase(run, out, "group");
    json_object_set_new(out, "group_members", json_integer(k));
    json_object_set_new(out, "group_count", json_integer(run->groups));
    return ok || fail_with(run, out, "group");
}

static bool scenario_sync(tb_run *run, json_t *out)
{
    if (!run->drv->sync) {
        json_object_set_new(out, "sync_unavailable",
                            json_string("this target's driver cannot sync"));
        return true;
    }
    int n = run->opt.sync_messages;
    if (!login_all(run, 0, 1)) /* the sender only: the receiver is offline */
        return fail_with(run, out, "sync");
    uint64_t t0 = now_us(run);
    for (int i = 0; i < n; i++) {
        char text[96];
        snprintf(text, sizeof text, "tb 0 %d %" PRIu64, i, now_us(run));
        run->drv->send(run->conns[0], 1, text);
        run->sent++;
        if (i % 256 == 255 && !run_until(run, all_acked, 30, "storing"))
            break;
    }
    if (!run_until(run, all_acked, 60, "storing") || run->send_failed) {
        note_error(run, "the %d offline messages were not all stored", n);
        return fail_with(run, out, "sync");
    }
    double store_s = (double)(now_us(run) - t0) / 1e6;
    uint64_t t1 = now_us(run);
    if (!login_all(run, 1, 2))
        return fail_with(run, out, "sync");
    run->drv->sync(run->conns[1]);
    bool ok = run_until(run, all_synced, 60, "syncing");
    double sync_s = (double)(now_us(run) - t1) / 1e6;
    json_object_set_new(out, "sync_messages", json_integer(n));
    json_object_set_new(out, "sync_store_s", json_real(round(store_s * 1000) / 1000));
    json_object_set_new(out, "sync_s", json_real(round(sync_s * 1000) / 1000));
    json_object_set_new(out, "sync_msgs_per_s", json_integer(lround(run->received / sync_s)));
    json_object_set_new(out, "sync_received", json_integer((json_int_t)run->received));
    json_object_set_new(out, "sync_dup", json_integer((json_int_t)run->dup));
    if (!ok)
        note_error(run, "sync got %" PRIu64 " of %d messages", run->received, n);
    return (ok && run->dup == 0) || fail_with(run, out, "sync");
}

static const struct {
    const char *name;
    bool (*run)(tb_run *, json_t *);
} scenarios[] = {
    {"login", scenario_login}, {"idle", scenario_idle}, {"p2p", scenario_p2p},
    {"group", scenario_group}, {"sync", scenario_sync},
};

bool tb_scenario_known(const char *name)
{
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (strcmp(scenarios[i].name, name) == 0)
            return true;
    return false;
}

int tb_scenario_users(const tb_options *opt)
{
    const char *s = opt->scenario;
    if (strcmp(s, "sync") == 0)
        return 2;
    if (strcmp(s, "group") == 0)
        return opt->groups * opt->group_members;
    if (strcmp(s, "p2p") == 0)
        return opt->users < 2 ? 2 : opt->users & ~1;
    return opt->users;
}

bool tb_scenario_run(uv_loop_t *loop, const tb_options *opt, const tb_driver *drv,
                     const char *prefix, json_t *out)
{
    int nusers = tb_scenario_users(opt);
    tb_run *run = run_new(loop, opt, drv, nusers, prefix);
    progress(run, "preparing %d users", nusers);
    bool ok = drv->prepare(run, nusers);
    if (!ok) {
        note_error(run, "preparing the users failed (see above)");
        fail_with(run, out, opt->scenario);
    }
    for (size_t i = 0; ok && i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (strcmp(scenarios[i].name, opt->scenario) == 0)
            ok = scenarios[i].run(run, out);
    if (!ok && !opt->json)
        fprintf(stderr, "tern-bench: %s on %s: %s\n", opt->scenario, drv->name,
                run->error[0] ? run->error : "failed");
    run_free(run);
    return ok;
}
