/* Owns ternd's option table and the loader that layers default < config file (INI, libinih) <
 * TERN_* environment < command-line flags, plus --help, --version and the Markdown reference. */
#include "config.h"

#include "log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#ifndef TERN_VERSION
#define TERN_VERSION "dev"
#endif

/* Ownership: every string in a tn_config is heap-allocated. tn_config_load starts by zeroing cfg
 * (so free any earlier contents first) and, when it returns TN_CONFIG_ERROR or TN_CONFIG_EXIT_OK,
 * releases everything it allocated and leaves cfg zeroed. Callers may therefore simply always call
 * tn_config_free after tn_config_load: it is safe on a zeroed, partially filled or freed config. */

#define KIB ((int64_t)1 << 10)
#define MIB ((int64_t)1 << 20)
#define GIB ((int64_t)1 << 30)

#define OPT(k, e, t, field, d, lo, hi, sf, text)                                                   \
    {                                                                                              \
        .key = k, .env = e, .type = t, .offset = offsetof(tn_config, field), .def = d, .min = lo,  \
        .max = hi, .short_flag = sf, .doc = text                                                   \
    }

const tn_config_option tn_config_options[] = {
    OPT("data_dir", "TERN_DATA_DIR", TN_CFG_STRING, data_dir, "./var", 0, 0, 'd',
        "directory holding the SQLite store and the lock file"),
    OPT("listen_ip", "TERN_LISTEN_IP", TN_CFG_STRING, listen_ip, "0.0.0.0", 0, 0, 0,
        "address both listeners bind"),
    OPT("api_port", "TERN_API_PORT", TN_CFG_INT, api_port, "10002", 0, 65535, 'p',
        "REST API port (0 = any free port)"),
    OPT("ws_port", "TERN_WS_PORT", TN_CFG_INT, ws_port, "10001", 0, 65535, 0,
        "WebSocket gateway port (0 = any free port)"),
    OPT("secret", "TERN_SECRET", TN_CFG_STRING, secret, "openIM123", 0, 0, 0,
        "shared secret: signs tokens (HS256) and unlocks /auth/get_admin_token"),
    OPT("admin_user_ids", "TERN_ADMIN_USER_IDS", TN_CFG_STR_LIST, admin_user_ids, "imAdmin", 0, 0,
        0, "comma-separated app-admin user IDs (max 16), created at start-up"),
    OPT("token_expire_days", "TERN_TOKEN_EXPIRE_DAYS", TN_CFG_INT, token_expire_days, "90", 1,
        36500, 0, "token lifetime in days"),
    OPT("multi_login_policy", "TERN_MULTI_LOGIN_POLICY", TN_CFG_INT, multi_login_policy, "1", 0, 5,
        0,
        "0 never kick (cap per platform), 1 one per platform, 4 one per platform class, "
        "5 PC plus one other"),
    OPT("multi_login_max_per_platform", "TERN_MULTI_LOGIN_MAX_PER_PLATFORM", TN_CFG_INT,
        multi_login_max_per_platform, "30", 1, 10000, 0, "live tokens per platform under policy 0"),
    OPT("max_body_bytes", "TERN_MAX_BODY_BYTES", TN_CFG_BYTES, max_body_bytes, "4M", 1024, GIB, 0,
        "largest HTTP request body accepted"),
    OPT("max_frame_bytes", "TERN_MAX_FRAME_BYTES", TN_CFG_BYTES, max_frame_bytes, "1M", 1024,
        64 * MIB, 0, "largest WebSocket message accepted by the gateway (OpenIM: 51200)"),
    OPT("max_send_queue_bytes", "TERN_MAX_SEND_QUEUE_BYTES", TN_CFG_BYTES, max_send_queue_bytes,
        "4M", 64 * KIB, GIB, 0,
        "bytes queued to one gateway connection before a client that stops reading is cut off"),
    OPT("max_conns_per_user", "TERN_MAX_CONNS_PER_USER", TN_CFG_INT, max_conns_per_user, "32", 1,
        100000, 0, "live gateway connections per user"),
    OPT("max_conns", "TERN_MAX_CONNS", TN_CFG_INT, max_conns, "100000", 1, 10000000, 0,
        "live connections per listener (REST and gateway each count their own)"),
    OPT("http_idle_timeout_s", "TERN_HTTP_IDLE_TIMEOUT_S", TN_CFG_INT, http_idle_timeout_s, "60", 1,
        86400, 0, "idle keep-alive HTTP connections are closed after this many seconds"),
    OPT("retention_days", "TERN_RETENTION_DAYS", TN_CFG_INT, retention_days, "0", 0, 36500, 0,
        "days messages are kept (0 = forever)"),
    OPT("friend_verify", "TERN_FRIEND_VERIFY", TN_CFG_INT, friend_verify, "0", 0, 1, 0,
        "1: only friends may send each other 1:1 messages (others get 1303)"),
    OPT("group_history_for_new_members", "TERN_GROUP_HISTORY_FOR_NEW_MEMBERS", TN_CFG_INT,
        group_history_for_new_members, "0", 0, 1, 0,
        "1: a new group member also reads the messages sent before they joined"),
    OPT("log_level", "TERN_LOG_LEVEL", TN_CFG_STRING, log_level, "info", 0, 0, 0,
        "debug, info, warn or error"),
    OPT("app_id", "TERN_APP_ID", TN_CFG_STRING, app_id, "default", 0, 0, 0,
        "tenant ID stamped on every stored record"),
};

const size_t tn_config_option_count = sizeof tn_config_options / sizeof tn_config_options[0];

/* ---- value checks beyond type and range, attached to options by field offset ---- */

typedef bool (*check_fn)(const char *text, int64_t num, char *why, size_t whylen);

static bool check_listen_ip(const char *text, int64_t num, char *why, size_t whylen)
{
    (void)num;
    unsigned char addr[16];
    if (inet_pton(AF_INET, text, addr) == 1 || inet_pton(AF_INET6, text, addr) == 1)
        return true;
    snprintf(why, whylen, "'%.64s' is not an IPv4 or IPv6 address", text);
    return false;
}

static bool check_policy(const char *text, int64_t num, char *why, size_t whylen)
{
    if (num == 0 || num == 1 || num == 4 || num == 5)
        return true;
    snprintf(why, whylen, "'%.64s' is not a supported policy (0, 1, 4 or 5)", text);
    return false;
}

static bool check_log_level(const char *text, int64_t num, char *why, size_t whylen)
{
    (void)num;
    tn_log_level level;
    if (tn_log_level_parse(text, &level))
        return true;
    snprintf(why, whylen, "'%.64s' is not one of debug, info, warn, error", text);
    return false;
}

static const struct {
    size_t offset;
    check_fn check;
} checks[] = {
    {offsetof(tn_config, listen_ip), check_listen_ip},
    {offsetof(tn_config, multi_login_policy), check_policy},
    {offsetof(tn_config, log_level), check_log_level},
};

static check_fn check_for(const tn_config_option *opt)
{
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (checks[i].offset == opt->offset)
            return checks[i].check;
    return NULL;
}

/* ---- parsing one value ---- */

static void format_bytes(int64_t v, char *buf, size_t len)
{
    if (v != 0 && v % GIB == 0)
        snprintf(buf, len, "%" PRId64 "G", v / GIB);
    else if (v != 0 && v % MIB == 0)
        snprintf(buf, len, "%" PRId64 "M", v / MIB);
    else if (v != 0 && v % KIB == 0)
        snprintf(buf, len, "%" PRId64 "K", v / KIB);
    else
        snprintf(buf, len, "%" PRId64, v);
}

/* Decimal integer, optionally negative; *overflow is set when it does not fit in 64 bits. */
static bool parse_int(const char *s, int64_t *out, bool *overflow)
{
    *overflow = false;
    const char *digits = s[0] == '-' ? s + 1 : s;
    if (!isdigit((unsigned char)digits[0]))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0')
        return false;
    if (errno == ERANGE)
        *overflow = true;
    *out = v;
    return true;
}

/* Non-negative integer with an optional K, M or G suffix (powers of 1024). */
static bool parse_bytes(const char *s, int64_t *out, bool *overflow)
{
    *overflow = false;
    if (!isdigit((unsigned char)s[0]))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    int shift = 0;
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    default:
        break;
    }
    if (*end != '\0')
        return false;
    if (errno == ERANGE || v > (INT64_MAX >> shift)) {
        *overflow = true;
        return true;
    }
    *out = (int64_t)v << shift;
    return true;
}

static bool valid_user_id(const char *id)
{
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

static void free_list(char **list)
{
    for (int i = 0; i < TN_CONFIG_MAX_ADMINS; i++) {
        free(list[i]);
        list[i] = NULL;
    }
}

/* Splits text on commas into list (all or nothing); returns the count, or -1 with why filled. */
static int parse_list(const char *text, char **list, char *why, size_t whylen)
{
    int n = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *stop = comma ? comma : p + strlen(p);
        const char *a = p, *b = stop;
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (a == b) {
            snprintf(why, whylen, "'%.64s' has an empty item", text);
            goto fail;
        }
        if (n == TN_CONFIG_MAX_ADMINS) {
            snprintf(why, whylen, "more than %d IDs", TN_CONFIG_MAX_ADMINS);
            goto fail;
        }
        list[n] = strndup(a, (size_t)(b - a));
        if (!list[n]) {
            snprintf(why, whylen, "out of memory");
            goto fail;
        }
        if (!valid_user_id(list[n++])) {
            snprintf(why, whylen, "'%.64s' may contain only letters, digits and '_'", list[n - 1]);
            goto fail;
        }
        if (!comma)
            return n;
        p = comma + 1;
    }
fail:
    free_list(list);
    return -1;
}

/* Parses text as opt's type, checks it and stores it in cfg. On failure fills why (which does
 * not name the option: the caller prefixes the source) and leaves cfg unchanged. */
static bool set_value(tn_config *cfg, const tn_config_option *opt, const char *text, char *why,
                      size_t whylen)
{
    char *field = (char *)cfg + opt->offset;
    check_fn check = check_for(opt);
    int64_t num = 0;
    bool overflow;

    switch (opt->type) {
    case TN_CFG_STRING: {
        if (text[0] == '\0') {
            snprintf(why, whylen, "must not be empty");
            return false;
        }
        if (check && !check(text, 0, why, whylen))
            return false;
        char *copy = strdup(text);
        if (!copy) {
            snprintf(why, whylen, "out of memory");
            return false;
        }
        char **slot = (char **)field;
        free(*slot);
        *slot = copy;
        return true;
    }
    case TN_CFG_INT:
    case TN_CFG_BYTES: {
        bool bytes = opt->type == TN_CFG_BYTES;
        bool ok = bytes ? parse_bytes(text, &num, &overflow) : parse_int(text, &num, &overflow);
        if (!ok) {
            if (bytes)
                snprintf(why, whylen,
                         "'%.64s' is not a size (a whole number with an optional K, M or G "
                         "suffix)",
                         text);
            else
                snprintf(why, whylen, "'%.64s' is not a whole number", text);
            return false;
        }
        /* A check (say, the list of policies) explains a bad value better than the range. */
        if (check && !overflow && !check(text, num, why, whylen))
            return false;
        if (overflow || num < opt->min || num > opt->max) {
            char lo[32], hi[32];
            if (bytes) {
                format_bytes(opt->min, lo, sizeof lo);
                format_bytes(opt->max, hi, sizeof hi);
            } else {
                snprintf(lo, sizeof lo, "%" PRId64, opt->min);
                snprintf(hi, sizeof hi, "%" PRId64, opt->max);
            }
            snprintf(why, whylen, "'%.64s' is out of range [%s, %s]", text, lo, hi);
            return false;
        }
        if (bytes)
            *(int64_t *)field = num;
        else
            *(int *)field = (int)num;
        return true;
    }
    case TN_CFG_STR_LIST: {
        char *list[TN_CONFIG_MAX_ADMINS] = {0};
        int n = parse_list(text, list, why, whylen);
        if (n < 0)
            return false;
        char **slot = (char **)field;
        free_list(slot);
        memcpy(slot, list, sizeof list);
        cfg->admin_user_count = n;
        return true;
    }
    }
    snprintf(why, whylen, "option has an unknown type");
    return false;
}

/* ---- errors ---- */

static void fail(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
    if (!errbuf || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

/* ---- config file ---- */

typedef struct file_ctx {
    tn_config *cfg;
    const char *path;
    FILE *fp;
    int line;     /* line number of the line inih is working on */
    int err_line; /* 0 while no error was recorded */
    char err[512];
} file_ctx;

/* fgets for inih that counts lines (as inih does), refuses lines longer than inih's buffer (which
 * inih would silently split in two) and drops leading blanks, so that an indented line is an
 * ordinary line rather than inih's continuation of the previous value. */
static char *read_line(char *str, int num, void *stream)
{
    file_ctx *fc = stream;
    if (fc->err_line)
        return NULL; /* stop at the first error */
    int n = 0, c = EOF;
    while (n < num - 1 && (c = getc(fc->fp)) != EOF) {
        if (n == 0 && (c == ' ' || c == '\t'))
            continue;
        str[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (n == 0)
        return NULL;
    fc->line++;
    if (n == num - 1 && str[n - 1] != '\n') {
        c = getc(fc->fp);
        if (c != EOF && c != '\n') {
            fc->err_line = fc->line;
            snprintf(fc->err, sizeof fc->err, "line is longer than %d characters", num - 2);
            return NULL;
        }
    }
    str[n] = '\0';
    return str;
}

static const tn_config_option *find_key(const char *key)
{
    for (size_t i = 0; i < tn_config_option_count; i++)
        if (strcmp(tn_config_options[i].key, key) == 0)
            return &tn_config_options[i];
    return NULL;
}

static int on_ini_entry(void *user, const char *section, const char *name, const char *value)
{
    file_ctx *fc = user;
    if (fc->err_line)
        return 0;
    if (section && section[0]) {
        snprintf(fc->err, sizeof fc->err, "unknown section [%.64s] (keys go at the top level)",
                 section);
        fc->err_line = fc->line;
        return 0;
    }
    const tn_config_option *opt = find_key(name);
    if (!opt) {
        snprintf(fc->err, sizeof fc->err, "unknown key '%.64s'", name);
        fc->err_line = fc->line;
        return 0;
    }
    char why[256];
    if (!set_value(fc->cfg, opt, value, why, sizeof why)) {
        snprintf(fc->err, sizeof fc->err, "%s: %s", opt->key, why);
        fc->err_line = fc->line;
        return 0;
    }
    return 1;
}

static bool load_file(tn_config *cfg, const char *path, char *errbuf, size_t errlen)
{
    file_ctx fc = {.cfg = cfg, .path = path};
    fc.fp = fopen(path, "r");
    if (!fc.fp) {
        fail(errbuf, errlen, "config file %s: %s", path, strerror(errno));
        return false;
    }
    int rc = ini_parse_stream(read_line, &fc, on_ini_entry, &fc);
    bool read_error = ferror(fc.fp) != 0;
    fclose(fc.fp);
    if (rc > 0 && (fc.err_line == 0 || rc < fc.err_line)) {
        fail(errbuf, errlen, "config file %s line %d: syntax error (expected key = value)", path,
             rc);
        return false;
    }
    if (fc.err_line) {
        fail(errbuf, errlen, "config file %s line %d: %s", path, fc.err_line, fc.err);
        return false;
    }
    if (rc != 0 || read_error) {
        fail(errbuf, errlen, "config file %s: read error", path);
        return false;
    }
    return true;
}

/* ---- environment ---- */

static bool load_env(tn_config *cfg, char **envp, char *errbuf, size_t errlen)
{
    static const char prefix[] = "TERN_";
    for (char **e = envp; e && *e; e++) {
        if (strncmp(*e, prefix, sizeof prefix - 1) != 0)
            continue;
        const char *eq = strchr(*e, '=');
        size_t namelen = eq ? (size_t)(eq - *e) : strlen(*e);
        const char *value = eq ? eq + 1 : "";
        const tn_config_option *opt = NULL;
        for (size_t i = 0; i < tn_config_option_count && !opt; i++)
            if (strncmp(tn_config_options[i].env, *e, namelen) == 0 &&
                tn_config_options[i].env[namelen] == '\0')
                opt = &tn_config_options[i];
        if (!opt) {
            fail(errbuf, errlen, "unknown environment variable %.*s", (int)namelen, *e);
            return false;
        }
        char why[256];
        if (!set_value(cfg, opt, value, why, sizeof why)) {
            fail(errbuf, errlen, "environment variable %s: %s", opt->env, why);
            return false;
        }
    }
    return true;
}

/* ---- command line ---- */

/* Flags that are not options of the table. */
typedef enum builtin {
    FLAG_OPTION,
    FLAG_CONFIG,
    FLAG_HELP,
    FLAG_VERSION,
} builtin;

static const struct {
    const char *name;
    char short_flag;
    builtin kind;
    bool takes_value;
    const char *doc;
} builtins[] = {
    {"config", 'c', FLAG_CONFIG, true, "INI file of key = value lines (no sections)"},
    {"help", 'h', FLAG_HELP, false, "print this help and exit"},
    {"version", 'V', FLAG_VERSION, false, "print the version and exit"},
};
#define N_BUILTINS (sizeof builtins / sizeof builtins[0])

/* One recognised flag: a table option or a builtin. */
typedef struct flag {
    builtin kind;
    const tn_config_option *opt;
    bool takes_value;
} flag;

/* Does the long flag name (len bytes, '-' between words) spell key ('_' between words)? */
static bool long_name_is(const char *name, size_t len, const char *key)
{
    size_t i = 0;
    for (; i < len && key[i]; i++) {
        char c = name[i] == '-' ? '_' : name[i];
        if (c != key[i] || name[i] == '_')
            return false;
    }
    return i == len && key[i] == '\0';
}

static bool find_long(const char *name, size_t len, flag *out)
{
    for (size_t i = 0; i < tn_config_option_count; i++)
        if (long_name_is(name, len, tn_config_options[i].key)) {
            *out = (flag){FLAG_OPTION, &tn_config_options[i], true};
            return true;
        }
    for (size_t i = 0; i < N_BUILTINS; i++)
        if (long_name_is(name, len, builtins[i].name)) {
            *out = (flag){builtins[i].kind, NULL, builtins[i].takes_value};
            return true;
        }
    return false;
}

static bool find_short(char c, flag *out)
{
    for (size_t i = 0; i < tn_config_option_count; i++)
        if (tn_config_options[i].short_flag && tn_config_options[i].short_flag == c) {
            *out = (flag){FLAG_OPTION, &tn_config_options[i], true};
            return true;
        }
    for (size_t i = 0; i < N_BUILTINS; i++)
        if (builtins[i].short_flag == c) {
            *out = (flag){builtins[i].kind, NULL, builtins[i].takes_value};
            return true;
        }
    return false;
}

static const char *type_metavar(tn_config_type type)
{
    switch (type) {
    case TN_CFG_INT:
        return "N";
    case TN_CFG_BYTES:
        return "SIZE";
    case TN_CFG_STR_LIST:
        return "ID,...";
    case TN_CFG_STRING:
        break;
    }
    return "TEXT";
}

static void long_name(const char *key, char *buf, size_t len)
{
    size_t i = 0;
    for (; key[i] && i + 1 < len; i++)
        buf[i] = key[i] == '_' ? '-' : key[i];
    buf[i] = '\0';
}

static void print_help(FILE *out)
{
    fprintf(out, "Usage: ternd [options]\n"
                 "An OpenIM-compatible IM server. Each option is read, lowest precedence first,\n"
                 "from its default, the config file, its TERN_* environment variable and its "
                 "flag.\n\n");
    for (size_t i = 0; i < N_BUILTINS; i++)
        fprintf(out, "  -%c, --%s%s\n        %s\n", builtins[i].short_flag, builtins[i].name,
                builtins[i].takes_value ? " FILE" : "", builtins[i].doc);
    for (size_t i = 0; i < tn_config_option_count; i++) {
        const tn_config_option *opt = &tn_config_options[i];
        char name[64];
        long_name(opt->key, name, sizeof name);
        if (opt->short_flag)
            fprintf(out, "  -%c, --%s %s\n", opt->short_flag, name, type_metavar(opt->type));
        else
            fprintf(out, "      --%s %s\n", name, type_metavar(opt->type));
        fprintf(out, "        %s\n        (default %s, env %s, file key %s)\n", opt->doc, opt->def,
                opt->env, opt->key);
    }
}

/* Walks argv. With apply false: checks every flag, records the config file path and handles
 * --help/--version. With apply true: stores each option's value in cfg, in order. */
static tn_config_status scan_argv(tn_config *cfg, int argc, char **argv, bool apply,
                                  const char **config_path, char *errbuf, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        flag f;
        const char *value = NULL;
        int name_len; /* of the flag as typed, for messages */
        if (arg[0] == '-' && arg[1] == '-' && arg[2] != '\0') {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            name_len = (int)len + 2;
            if (!find_long(name, len, &f)) {
                fail(errbuf, errlen, "unknown flag %.*s (try --help)", name_len, arg);
                return TN_CONFIG_ERROR;
            }
            if (eq && !f.takes_value) {
                fail(errbuf, errlen, "flag %.*s takes no value", name_len, arg);
                return TN_CONFIG_ERROR;
            }
            if (eq)
                value = eq + 1;
        } else if (arg[0] == '-' && arg[1] != '\0' && arg[1] != '-') {
            name_len = 2;
            if (!find_short(arg[1], &f)) {
                fail(errbuf, errlen, "unknown flag %.2s (try --help)", arg);
                return TN_CONFIG_ERROR;
            }
            if (arg[2] != '\0') {
                if (!f.takes_value) {
                    fail(errbuf, errlen, "unknown flag %s (try --help)", arg);
                    return TN_CONFIG_ERROR;
                }
                value = arg + 2; /* -p8080 */
            }
        } else {
            fail(errbuf, errlen, "unexpected argument '%.64s' (try --help)", arg);
            return TN_CONFIG_ERROR;
        }

        if (f.takes_value && !value) {
            /* A following "--flag" is taken as a forgotten value; use --key=--x to mean it. */
            const char *next = i + 1 < argc ? argv[i + 1] : NULL;
            if (!next || (next[0] == '-' && next[1] == '-' && next[2] != '\0')) {
                fail(errbuf, errlen, "flag %.*s needs a value", name_len, arg);
                return TN_CONFIG_ERROR;
            }
            value = next;
            i++;
        }

        switch (f.kind) {
        case FLAG_HELP:
            if (!apply) {
                print_help(stdout);
                return TN_CONFIG_EXIT_OK;
            }
            break;
        case FLAG_VERSION:
            if (!apply) {
                printf("ternd %s\n", TERN_VERSION);
                return TN_CONFIG_EXIT_OK;
            }
            break;
        case FLAG_CONFIG:
            if (!apply)
                *config_path = value;
            break;
        case FLAG_OPTION:
            if (apply) {
                char why[256];
                if (!set_value(cfg, f.opt, value, why, sizeof why)) {
                    fail(errbuf, errlen, "flag %.*s: %s", name_len, arg, why);
                    return TN_CONFIG_ERROR;
                }
            }
            break;
        }
    }
    return TN_CONFIG_OK;
}

/* ---- public ---- */

tn_config_status tn_config_load(tn_config *cfg, int argc, char **argv, char **envp, char *errbuf,
                                size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    if (errbuf && errlen)
        errbuf[0] = '\0';

    const char *config_path = NULL;
    tn_config_status st = scan_argv(cfg, argc, argv, false, &config_path, errbuf, errlen);
    if (st != TN_CONFIG_OK)
        goto out;

    st = TN_CONFIG_ERROR;
    for (size_t i = 0; i < tn_config_option_count; i++) {
        const tn_config_option *opt = &tn_config_options[i];
        char why[256];
        if (!set_value(cfg, opt, opt->def, why, sizeof why)) {
            fail(errbuf, errlen, "default of %s: %s", opt->key, why);
            goto out;
        }
    }
    if (config_path && !load_file(cfg, config_path, errbuf, errlen))
        goto out;
    if (!load_env(cfg, envp, errbuf, errlen))
        goto out;
    st = scan_argv(cfg, argc, argv, true, &config_path, errbuf, errlen);

out:
    if (st != TN_CONFIG_OK)
        tn_config_free(cfg);
    return st;
}

void tn_config_free(tn_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < tn_config_option_count; i++) {
        const tn_config_option *opt = &tn_config_options[i];
        char *field = (char *)cfg + opt->offset;
        if (opt->type == TN_CFG_STRING) {
            char **slot = (char **)field;
            free(*slot);
            *slot = NULL;
        } else if (opt->type == TN_CFG_STR_LIST) {
            free_list((char **)field);
        }
    }
    cfg->admin_user_count = 0;
}

bool tn_config_is_admin(const tn_config *cfg, const char *user_id)
{
    if (!cfg || !user_id)
        return false;
    for (int i = 0; i < cfg->admin_user_count && i < TN_CONFIG_MAX_ADMINS; i++)
        if (cfg->admin_user_ids[i] && strcmp(cfg->admin_user_ids[i], user_id) == 0)
            return true;
    return false;
}

void tn_config_print_markdown(void *file)
{
    FILE *out = file;
    fprintf(out, "| key | env | flag | default | meaning |\n"
                 "|---|---|---|---|---|\n");
    for (size_t i = 0; i < tn_config_option_count; i++) {
        const tn_config_option *opt = &tn_config_options[i];
        char name[64];
        long_name(opt->key, name, sizeof name);
        fprintf(out, "| `%s` | `%s` | ", opt->key, opt->env);
        if (opt->short_flag)
            fprintf(out, "`-%c`, ", opt->short_flag);
        fprintf(out, "`--%s` | `%s` | %s", name, opt->def, opt->doc);
        if (opt->type == TN_CFG_INT && !check_for(opt)) {
            fprintf(out, "; range %" PRId64 " to %" PRId64, opt->min, opt->max);
        } else if (opt->type == TN_CFG_BYTES) {
            char lo[32], hi[32];
            format_bytes(opt->min, lo, sizeof lo);
            format_bytes(opt->max, hi, sizeof hi);
            fprintf(out, "; range %s to %s, suffixes K, M, G (powers of 1024)", lo, hi);
        }
        fprintf(out, " |\n");
    }
}
