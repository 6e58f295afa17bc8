/* tern-bench's command line: parses options, refuses non-loopback targets, runs the scenarios in
 * order and prints their figures as a table or one JSON object; --compare joins two runs. */
#include <arpa/inet.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "run.h"

static void usage(FILE *f)
{
    fputs("usage: tern-bench [options] --scenario LIST\n"
          "       tern-bench --compare A.json B.json [--json] [--plot DIR]\n"
          "Load generator for tern's OpenIM gateway (and an XMPP peer), loopback only.\n"
          "Scenarios (comma-separated LIST, run in order; p2p@R runs p2p at R msgs/s):\n"
          "  login  connect --users users and log each in; logins/s and login latency\n"
          "  idle   hold --users logged-in connections; server RSS per connection (--server-pid)\n"
          "  p2p    --users/2 pairs, 1:1 text at --rate msgs/s (0 = saturated, --window in flight\n"
          "         per sender); delivered msgs/s, latency, lost and duplicated counts\n"
          "  group  --groups groups of --group-members members, the owner sends; deliveries/s\n"
          "  sync   a user with --sync-messages offline messages logs in and pulls them all\n"
          "Options:\n"
          "  --target tern|xmpp      protocol driver (default tern)\n"
          "  --server-name NAME      the name used in the output (default: the target)\n"
          "  --host ADDR             loopback address (default 127.0.0.1)\n"
          "  --port N                gateway / c2s port (default 10001; xmpp 5222)\n"
          "  --api-port N            tern REST API / ejabberd HTTP API port (default 10002; xmpp "
          "5280)\n"
          "  --domain D              XMPP domain (default localhost)\n"
          "  --secret S              tern admin secret / XMPP password (default openIM123)\n"
          "  --codec json|gob        tern envelope (default json)\n"
          "  --server-pid PID        read the server's RSS and CPU from /proc\n"
          "  --users N               connections for login / idle / p2p (default 1000)\n"
          "  --seconds S             measured phase of p2p / group, hold time of idle (default 5)\n"
          "  --rate R                offered msgs/s for p2p / group (default 0 = saturated)\n"
          "  --window W              saturated: messages in flight per sender (default 8)\n"
          "  --sweep R1,R2,...       p2p: one fixed-rate run per rate, as p2p_sweep\n"
          "  --groups G --group-members K   (default 1 group of 100)\n"
          "  --sync-messages N       (default 10000)\n"
          "  --connect-batch N       logins in flight at once (default 100)\n"
          "  --procs N               login / idle: spread the connections over N client\n"
          "                          processes (default: one per 15,000, as a process may\n"
          "                          hold only so many open files)\n"
          "  --prefix P              user name prefix (default unique per run)\n"
          "  --json                  print one JSON object on stdout instead of a table\n"
          "  --quiet                 no progress lines on stderr\n"
          "  --plot DIR              with --compare: write DIR/NAME.dat of each run's p2p_sweep\n"
          "Exit status: 0 when every scenario ran and lost or duplicated nothing.\n",
          f);
}

static bool loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

static json_t *load_json(const char *path)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j || !json_is_object(j)) {
        fprintf(stderr, "tern-bench: %s: %s\n", path, j ? "not a JSON object" : err.text);
        json_decref(j);
        return NULL;
    }
    return j;
}

static void print_value(json_t *v, char *out, size_t outlen)
{
    if (json_is_integer(v))
        snprintf(out, outlen, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(out, outlen, "%.2f", json_real_value(v));
    else if (json_is_string(v))
        snprintf(out, outlen, "%s", json_string_value(v));
    else
        snprintf(out, outlen, "%s", v ? "..." : "-");
}

/* The figures of two runs side by side with tern/peer ratios; --json prints both, last. */
/* offered msgs/s, delivered msgs/s, p50, p90, p99 (ms): one row per swept rate, for gnuplot */
static void write_plot_data(const char *dir, const char *name, json_t *run)
{
    json_t *rows = json_object_get(run, "p2p_sweep");
    if (!json_is_array(rows))
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/%s.dat", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "tern-bench: cannot write %s\n", path);
        return;
    }
    fprintf(f, "# offered_per_s msgs_per_s p50_ms p90_ms p99_ms\n");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        fprintf(f, "%lld %lld %.3f %.3f %.3f\n",
                (long long)json_integer_value(json_object_get(row, "offered_per_s")),
                (long long)json_integer_value(json_object_get(row, "msgs_per_s")),
                json_number_value(json_object_get(row, "p50_ms")),
                json_number_value(json_object_get(row, "p90_ms")),
                json_number_value(json_object_get(row, "p99_ms")));
    }
    fclose(f);
}

static int compare(const char *a_path, const char *b_path, bool as_json, const char *plot_dir)
{
    json_t *a = load_json(a_path), *b = a ? load_json(b_path) : NULL;
    if (!a || !b) {
        json_decref(a);
        return 2;
    }
    const char *an = json_string_value(json_object_get(a, "server")),
               *bn = json_string_value(json_object_get(b, "server"));
    an = an ? an : "a";
    bn = bn ? bn : "b";
    if (plot_dir) {
        write_plot_data(plot_dir, an, a);
        write_plot_data(plot_dir, bn, b);
    }
    printf("%-28s %14s %14s %10s\n", "figure", an, bn, "ratio");
    const char *key;
    json_t *v;
    json_object_foreach(a, key, v)
    {
        if (json_is_array(v) || json_is_object(v) || !strcmp(key, "server"))
            continue;
        json_t *w = json_object_get(b, key);
        char av[64], bv[64], ratio[32] = "";
        print_value(v, av, sizeof av);
        print_value(w, bv, sizeof bv);
        if (json_is_number(v) && json_is_number(w) && json_number_value(w) != 0)
            snprintf(ratio, sizeof ratio, "%.2f", json_number_value(v) / json_number_value(w));
        printf("%-28s %14s %14s %10s\n", key, av, bv, ratio);
    }
    if (as_json) {
        json_t *both = json_object();
        json_object_set(both, an, a);
        json_object_set(both, bn, b);
        char *text = json_dumps(both, JSON_COMPACT | JSON_REAL_PRECISION(6));
        printf("%s\n", text);
        free(text);
        json_decref(both);
    }
    json_decref(a);
    json_decref(b);
    return 0;
}

static void print_table(json_t *out)
{
    const char *key;
    json_t *v;
    json_object_foreach(out, key, v)
    {
        if (json_is_array(v)) {
            printf("%s:\n  %-10s %10s %9s %9s %9s %9s %6s %6s\n", key, "offered", "msgs/s",
                   "p50 ms", "p90 ms", "p99 ms", "max ms", "lost", "dup");
            size_t i;
            json_t *row;
            json_array_foreach(v, i, row)
            {
                printf("  %-10lld %10lld %9.2f %9.2f %9.2f %9.2f %6lld %6lld\n",
                       (long long)json_integer_value(json_object_get(row, "offered_per_s")),
                       (long long)json_integer_value(json_object_get(row, "msgs_per_s")),
                       json_number_value(json_object_get(row, "p50_ms")),
                       json_number_value(json_object_get(row, "p90_ms")),
                       json_number_value(json_object_get(row, "p99_ms")),
                       json_number_value(json_object_get(row, "max_ms")),
                       (long long)json_integer_value(json_object_get(row, "lost")),
                       (long long)json_integer_value(json_object_get(row, "dup")));
            }
            continue;
        }
        char val[128];
        print_value(v, val, sizeof val);
        printf("%-28s %s\n", key, val);
    }
}

/* Runs p2p once per rate and collects the rows as p2p_sweep. */
static bool sweep(uv_loop_t *loop, tb_options opt, const tb_driver *drv, const char *prefix,
                  const char *rates, json_t *out)
{
    json_t *rows = json_array();
    bool ok = true;
    char *list = strdup(rates), *save = NULL;
    for (char *r = strtok_r(list, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
        opt.rate = atof(r);
        opt.scenario = "p2p";
        char p[96];
        snprintf(p, sizeof p, "%ss%s_", prefix, r);
        json_t *one = json_object();
        ok = tb_scenario_run(loop, &opt, drv, p, one) && ok;
        json_t *row = json_object();
        const char *key;
        json_t *v;
        json_object_foreach(one, key, v)
        {
            const char *k = !strncmp(key, "p2p_fixed_", 10) ? key + 10
                            : !strncmp(key, "p2p_", 4)      ? key + 4
                                                            : key;
            json_object_set(row, k, v);
        }
        json_decref(one);
        json_array_append_new(rows, row);
    }
    free(list);
    json_object_set_new(out, "p2p_sweep", rows);
    return ok;
}

int main(int argc, char **argv)
{
    tb_options opt = {.scenario = NULL,
                      .target = "tern",
                      .host = "127.0.0.1",
                      .domain = "localhost",
                      .secret = "openIM123",
                      .codec = "json",
                      .users = 1000,
                      .group_members = 100,
                      .groups = 1,
                      .sync_messages = 10000,
                      .seconds = 5,
                      .window = 8,
                      .connect_batch = 100};
    const char *server_name = NULL, *prefix = NULL, *sweep_rates = NULL, *plot_dir = NULL;
    enum {
        OPT_TARGET = 256,
        OPT_NAME,
        OPT_HOST,
        OPT_PORT,
        OPT_API,
        OPT_DOMAIN,
        OPT_SECRET,
        OPT_CODEC,
        OPT_PID,
        OPT_USERS,
        OPT_SECONDS,
        OPT_RATE,
        OPT_WINDOW,
        OPT_SWEEP,
        OPT_GROUPS,
        OPT_MEMBERS,
        OPT_SYNC,
        OPT_BATCH,
        OPT_PREFIX,
        OPT_PROCS,
        OPT_JSON,
        OPT_QUIET,
        OPT_SCENARIO,
        OPT_COMPARE,
        OPT_PLOT,
        OPT_HELP
    };
    static const struct option longopts[] = {{"target", 1, 0, OPT_TARGET},
                                             {"server-name", 1, 0, OPT_NAME},
                                             {"host", 1, 0, OPT_HOST},
                                             {"port", 1, 0, OPT_PORT},
                                             {"api-port", 1, 0, OPT_API},
                                             {"domain", 1, 0, OPT_DOMAIN},
                                             {"secret", 1, 0, OPT_SECRET},
                                             {"codec", 1, 0, OPT_CODEC},
                                             {"server-pid", 1, 0, OPT_PID},
                                             {"users", 1, 0, OPT_USERS},
                                             {"seconds", 1, 0, OPT_SECONDS},
                                             {"rate", 1, 0, OPT_RATE},
                                             {"window", 1, 0, OPT_WINDOW},
                                             {"sweep", 1, 0, OPT_SWEEP},
                                             {"groups", 1, 0, OPT_GROUPS},
                                             {"group-members", 1, 0, OPT_MEMBERS},
                                             {"sync-messages", 1, 0, OPT_SYNC},
                                             {"connect-batch", 1, 0, OPT_BATCH},
                                             {"prefix", 1, 0, OPT_PREFIX},
                                             {"json", 0, 0, OPT_JSON},
                                             {"quiet", 0, 0, OPT_QUIET},
                                             {"scenario", 1, 0, OPT_SCENARIO},
                                             {"compare", 0, 0, OPT_COMPARE},
                                             {"help", 0, 0, OPT_HELP},
                                             {"plot", 1, 0, OPT_PLOT},
                                             {"procs", 1, 0, OPT_PROCS},
                                             {0, 0, 0, 0}};
    bool do_compare = false;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_TARGET:
            opt.target = optarg;
            break;
        case OPT_NAME:
            server_name = optarg;
            break;
        case OPT_HOST:
            opt.host = optarg;
            break;
        case OPT_PORT:
            opt.port = atoi(optarg);
            break;
        case OPT_API:
            opt.api_port = atoi(optarg);
            break;
        case OPT_DOMAIN:
            opt.domain = optarg;
            break;
        case OPT_SECRET:
            opt.secret = optarg;
            break;
        case OPT_CODEC:
            opt.codec = optarg;
            break;
        case OPT_PID:
            opt.server_pid = atoi(optarg);
            break;
        case OPT_USERS:
            opt.users = atoi(optarg);
            break;
        case OPT_SECONDS:
            opt.seconds = atof(optarg);
            break;
        case OPT_RATE:
            opt.rate = atof(optarg);
            break;
        case OPT_WINDOW:
            opt.window = atoi(optarg);
            break;
        case OPT_SWEEP:
            sweep_rates = optarg;
            break;
        case OPT_GROUPS:
            opt.groups = atoi(optarg);
            break;
        case OPT_MEMBERS:
            opt.group_members = atoi(optarg);
            break;
        case OPT_SYNC:
            opt.sync_messages = atoi(optarg);
            break;
        case OPT_BATCH:
            opt.connect_batch = atoi(optarg);
            break;
        case OPT_PREFIX:
            prefix = optarg;
            break;
        case OPT_PROCS:
            opt.procs = atoi(optarg);
            if (opt.procs < 1 || opt.procs > 64) {
                fprintf(stderr, "tern-bench: --procs must be 1 to 64\n");
                return 2;
            }
            break;
        case OPT_JSON:
            opt.json = true;
            break;
        case OPT_QUIET:
            opt.quiet = true;
            break;
        case OPT_SCENARIO:
            opt.scenario = optarg;
            break;
        case OPT_COMPARE:
            do_compare = true;
            break;
        case OPT_PLOT:
            plot_dir = optarg;
            break;
        case OPT_HELP:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (do_compare) {
        if (argc - optind != 2) {
            usage(stderr);
            return 2;
        }
        return compare(argv[optind], argv[optind + 1], opt.json, plot_dir);
    }
    bool xmpp = strcmp(opt.target, "xmpp") == 0;
    const tb_driver *drv = xmpp ? &tb_driver_xmpp : &tb_driver_tern;
    if (!xmpp && strcmp(opt.target, "tern") != 0) {
        fprintf(stderr, "tern-bench: --target must be tern or xmpp\n");
        return 2;
    }
    if (!opt.scenario && !sweep_rates) {
        usage(stderr);
        return 2;
    }
    if (!loopback(opt.host)) {
        fprintf(stderr,
                "tern-bench: %s is not a loopback address; tern-bench only loads "
                "servers on this machine\n",
                opt.host);
        return 2;
    }
    if (opt.users < 1 || opt.group_members < 2 || opt.groups < 1 || opt.sync_messages < 1 ||
        opt.seconds <= 0 || opt.rate < 0 || opt.window < 1 || opt.connect_batch < 1 ||
        (strcmp(opt.codec, "json") != 0 && strcmp(opt.codec, "gob") != 0)) {
        fprintf(stderr, "tern-bench: an option is out of range (see --help)\n");
        return 2;
    }
    if (!opt.port)
        opt.port = xmpp ? 5222 : 10001;
    if (!opt.api_port)
        opt.api_port = xmpp ? 5280 : 10002;
    char default_prefix[48];
    if (!prefix) {
        snprintf(default_prefix, sizeof default_prefix, "tb%lx%x_", (long)time(NULL),
                 (unsigned)getpid());
        prefix = default_prefix;
    }

    uv_loop_t loop;
    uv_loop_init(&loop);
    json_t *out = json_object();
    json_object_set_new(out, "server", json_string(server_name ? server_name : drv->name));
    bool ok = true;
    char *list = strdup(opt.scenario ? opt.scenario : ""), *save = NULL;
    int index = 0;
    for (char *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save), index++) {
        if (!tb_scenario_known(s) && !(strncmp(s, "p2p@", 4) == 0 && atof(s + 4) >= 0)) {
            fprintf(stderr, "tern-bench: unknown scenario %s\n", s);
            ok = false;
            break;
        }
        tb_options one = opt;
        char *at = strchr(s, '@'); /* p2p@RATE: this run's offered rate */
        if (at) {
            *at = 0;
            one.rate = atof(at + 1);
        }
        one.scenario = s;
        char p[64];
        snprintf(p, sizeof p, "%s%d_", prefix, index);
        ok = tb_scenario_run(&loop, &one, drv, p, out) && ok;
    }
    free(list);
    if (sweep_rates) {
        char p[64];
        snprintf(p, sizeof p, "%sw_", prefix);
        ok = sweep(&loop, opt, drv, p, sweep_rates, out) && ok;
    }
    if (opt.json) {
        char *text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(6));
        printf("%s\n", text);
        free(text);
    } else {
        print_table(out);
    }
    json_decref(out);
    uv_loop_close(&loop);
    return ok ? 0 : 1;
}
