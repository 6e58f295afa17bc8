/* ternd: reads the configuration, locks the data dir, opens the store, wires the layers and runs
 * the event loop until SIGINT/SIGTERM, then drains requests and closes the store. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "api.h"
#include "config.h"
#include "gateway.h"
#include "http_server.h"
#include "log.h"
#include "msg.h"
#include "sqlite_store.h"
#include "svc.h"

extern char **environ;

typedef struct ternd {
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    tn_http_server *api_server;
    tn_gateway *gateway;
} ternd;

/* mkdir -p for the data dir. */
static int make_dirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return ENAMETOOLONG;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
            return errno;
        *p = '/';
    }
    if (mkdir(buf, 0700) < 0 && errno != EEXIST)
        return errno;
    return 0;
}

/* Holds an exclusive flock on <data_dir>/ternd.lock for the process's life: two ternd on one
 * SQLite file would each think they own seq allocation. */
static int lock_data_dir(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/ternd.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        tn_log_error(NULL, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char other[32] = "";
        ssize_t n = pread(fd, other, sizeof other - 1, 0);
        other[n > 0 ? n : 0] = 0;
        other[strcspn(other, "\n")] = 0;
        tn_log_error(NULL, "data dir %s is in use by another ternd (pid %s); lock %s is held", dir,
                     *other ? other : "?", path);
        close(fd);
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) != len)
        tn_log_warn(NULL, "cannot write pid to %s", path);
    return fd;
}

static void on_signal(uv_signal_t *sig, int signum)
{
    ternd *d = sig->data;
    tn_log_info(NULL, "%s: stopping (finishing requests in flight)",
                signum == SIGINT ? "SIGINT" : "SIGTERM");
    if (d->api_server) {
        tn_http_server_stop(d->api_server);
        d->api_server = NULL;
    }
    if (d->gateway)
        tn_gateway_stop(d->gateway);
    uv_close((uv_handle_t *)&d->sigint, NULL);
    uv_close((uv_handle_t *)&d->sigterm, NULL);
}

int main(int argc, char **argv)
{
    tn_config cfg;
    char err[512] = "";
    int rc = 1;
    signal(SIGPIPE, SIG_IGN);
    tn_config_status st = tn_config_load(&cfg, argc, argv, environ, err, sizeof err);
    if (st != TN_CONFIG_OK) {
        if (st == TN_CONFIG_ERROR)
            fprintf(stderr, "ternd: %s\n", err);
        tn_config_free(&cfg);
        return st == TN_CONFIG_EXIT_OK ? 0 : 2;
    }
    tn_log_level level = TN_LOG_INFO;
    tn_log_level_parse(cfg.log_level, &level);
    tn_log_set_level(level);

    int e = make_dirs(cfg.data_dir);
    if (e) {
        tn_log_error(NULL, "cannot create data dir %s: %s", cfg.data_dir, strerror(e));
        tn_config_free(&cfg);
        return 1;
    }
    int lock_fd = lock_data_dir(cfg.data_dir);
    if (lock_fd < 0) {
        tn_config_free(&cfg);
        return 1;
    }
    char db_path[4096];
    snprintf(db_path, sizeof db_path, "%s/tern.db", cfg.data_dir);
    tn_store *store = tn_sqlite_open(db_path, err, sizeof err);
    if (!store) {
        tn_log_error(NULL, "store: %s", err);
        goto out_lock;
    }
    tn_svc svc;
    if (tn_svc_init(&svc, &cfg, store) != TN_OK) {
        tn_log_error(NULL, "cannot create admin accounts");
        goto out_store;
    }

    ternd d = {0};
    uv_loop_init(&d.loop);
    svc.presence = tn_presence_new();
    svc.writer = tn_msg_writer_start(&svc);
    tn_gateway_options gw_opt = {
        .ip = cfg.listen_ip,
        .port = cfg.ws_port,
        .max_frame = (size_t)cfg.max_frame_bytes,
        .max_send_queue = (size_t)cfg.max_send_queue_bytes,
        .max_conns = cfg.max_conns,
        .max_conns_per_user = cfg.max_conns_per_user,
    };
    e = tn_gateway_start(&d.loop, &svc, &gw_opt, &d.gateway);
    if (e < 0) {
        tn_log_error(NULL, "cannot listen on %s:%d: %s", cfg.listen_ip, cfg.ws_port,
                     uv_strerror(e));
        uv_run(&d.loop, UV_RUN_DEFAULT);
        tn_msg_writer_stop(svc.writer);
        tn_gateway_free(d.gateway);
        uv_loop_close(&d.loop);
        tn_presence_free(svc.presence);
        tn_svc_free(&svc);
        goto out_store;
    }
    svc.sink = tn_gateway_sink(d.gateway);
    tn_api *api = tn_api_new(&d.loop, &svc);
    tn_http_options opt = {
        .ip = cfg.listen_ip,
        .port = cfg.api_port,
        .max_body = (size_t)cfg.max_body_bytes,
        .idle_timeout_s = cfg.http_idle_timeout_s,
        .max_conns = cfg.max_conns,
        .handler = tn_api_handle,
        .data = api,
    };
    e = tn_http_server_start(&d.loop, &opt, &d.api_server);
    if (e < 0) {
        tn_log_error(NULL, "cannot listen on %s:%d: %s", cfg.listen_ip, cfg.api_port,
                     uv_strerror(e));
        tn_gateway_stop(d.gateway);
        uv_run(&d.loop, UV_RUN_DEFAULT); /* lets the failed listener's close finish */
        goto out_loop;
    }
    uv_signal_init(&d.loop, &d.sigint);
    uv_signal_init(&d.loop, &d.sigterm);
    d.sigint.data = d.sigterm.data = &d;
    uv_signal_start(&d.sigint, on_signal, SIGINT);
    uv_signal_start(&d.sigterm, on_signal, SIGTERM);
    tn_log_info(NULL, "ternd %s: data dir %s, app %s", TERN_VERSION, cfg.data_dir, cfg.app_id);
    tn_log_info(NULL, "api listening on %s:%d", cfg.listen_ip, tn_http_server_port(d.api_server));
    tn_log_info(NULL, "ws listening on %s:%d", cfg.listen_ip, tn_gateway_port(d.gateway));

    uv_run(&d.loop, UV_RUN_DEFAULT);
    tn_log_info(NULL, "stopped");
    rc = 0;
out_loop:
    /* requests are finished; the writer drains what was queued, then the gateway goes */
    tn_msg_writer_stop(svc.writer);
    tn_gateway_free(d.gateway);
    if (uv_loop_close(&d.loop) != 0)
        tn_log_warn(NULL, "event loop closed with handles still open");
    tn_api_free(api);
    tn_presence_free(svc.presence);
    tn_svc_free(&svc);
out_store:
    tn_store_close(store);
out_lock:
    close(lock_fd);
    tn_config_free(&cfg);
    return rc;
}
