/* Unit tests for core/config: defaults, the file < env < flag layering, every kind of bad input
 * (each error must name the key, variable or flag, and the file line), --help/--version. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ---- */

static char errbuf[1024];
static char path_buf[512];
static int file_seq;

static const char *tmp_dir(void)
{
    const char *d = getenv("TERN_TEST_TMP");
    return d && *d ? d : "/tmp";
}

/* Writes content to a fresh file under TERN_TEST_TMP; returns its path (static buffer). */
static const char *write_tmp(const char *suffix, const char *content)
{
    snprintf(path_buf, sizeof path_buf, "%s/config_test_%d_%d%s", tmp_dir(), (int)getpid(),
             ++file_seq, suffix);
    FILE *f = fopen(path_buf, "w");
    assert_non_null(f);
    assert_int_equal(fputs(content, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    return path_buf;
}

static int count(char **v)
{
    int n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* argv and envp lists, NULL-terminated; argv[0] is the program name. */
#define ARGV(...) ((char *[]){"ternd", __VA_ARGS__, NULL})
#define NOARGS    ((char *[]){"ternd", NULL})
#define ENVP(...) ((char *[]){__VA_ARGS__, NULL})
#define NOENV     ((char *[]){NULL})

static tn_config_status load(tn_config *cfg, char **argv, char **envp)
{
    errbuf[0] = '\0';
    return tn_config_load(cfg, count(argv), argv, envp, errbuf, sizeof errbuf);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* Loads expecting an error that contains every given fragment; checks cfg was emptied. */
static void expect_error(char **argv, char **envp, const char *a, const char *b)
{
    tn_config cfg;
    assert_int_equal(load(&cfg, argv, envp), TN_CONFIG_ERROR);
    assert_contains(errbuf, a);
    if (b)
        assert_contains(errbuf, b);
    assert_null(cfg.data_dir);
    assert_null(cfg.admin_user_ids[0]);
    tn_config_free(&cfg); /* documented as always safe */
}

/* Loads a file with content; expects an error mentioning path, "line N" and fragment. */
static void expect_file_error(const char *content, int line, const char *fragment)
{
    const char *path = write_tmp(".ini", content);
    char where[600];
    snprintf(where, sizeof where, "config file %s line %d: ", path, line);
    expect_error(ARGV("-c", (char *)path), NOENV, where, fragment);
    unlink(path);
}

/* Sets one option through a flag; returns the status and keeps cfg for inspection. */
static tn_config_status with_flag(tn_config *cfg, const char *flag, const char *value)
{
    return load(cfg, ARGV((char *)flag, (char *)value), NOENV);
}

/* ---- tests ---- */

static void test_defaults(void **state)
{
    (void)state;
    tn_config cfg;
    assert_int_equal(load(&cfg, NOARGS, NOENV), TN_CONFIG_OK);
    assert_string_equal(errbuf, "");
    assert_string_equal(cfg.data_dir, "./var");
    assert_string_equal(cfg.listen_ip, "0.0.0.0");
    assert_int_equal(cfg.api_port, 10002);
    assert_int_equal(cfg.ws_port, 10001);
    assert_string_equal(cfg.secret, "openIM123");
    assert_int_equal(cfg.admin_user_count, 1);
    assert_string_equal(cfg.admin_user_ids[0], "imAdmin");
    assert_null(cfg.admin_user_ids[1]);
    assert_int_equal(cfg.token_expire_days, 90);
    assert_int_equal(cfg.multi_login_policy, 1);
    assert_int_equal(cfg.multi_login_max_per_platform, 30);
    assert_int_equal(cfg.max_body_bytes, 4 * 1024 * 1024);
    assert_int_equal(cfg.max_frame_bytes, 1024 * 1024);
    assert_int_equal(cfg.max_conns_per_user, 32);
    assert_int_equal(cfg.max_conns, 100000);
    assert_int_equal(cfg.http_idle_timeout_s, 60);
    assert_int_equal(cfg.retention_days, 0);
    assert_int_equal(cfg.friend_verify, 0);
    assert_int_equal(cfg.group_history_for_new_members, 0);
    assert_string_equal(cfg.log_level, "info");
    assert_string_equal(cfg.app_id, "default");
    tn_config_free(&cfg);
    assert_null(cfg.data_dir);
    assert_null(cfg.admin_user_ids[0]);
    assert_int_equal(cfg.admin_user_count, 0);
    tn_config_free(&cfg); /* twice is fine */
}

static void test_table(void **state)
{
    (void)state;
    assert_int_equal(tn_config_option_count, 20);
    for (size_t i = 0; i < tn_config_option_count; i++) {
        const tn_config_option *o = &tn_config_options[i];
        assert_non_null(o->key);
        assert_non_null(o->env);
        assert_non_null(o->def);
        assert_non_null(o->doc);
        assert_int_equal(strncmp(o->env, "TERN_", 5), 0);
        for (size_t j = 0; o->key[j]; j++) /* env is TERN_ + KEY upper-cased */
            assert_int_equal(o->env[5 + j], o->key[j] >= 'a' && o->key[j] <= 'z'
                                                ? o->key[j] - 'a' + 'A'
                                                : o->key[j]);
        assert_int_equal(o->env[5 + strlen(o->key)], '\0');
        for (size_t j = i + 1; j < tn_config_option_count; j++) {
            assert_string_not_equal(o->key, tn_config_options[j].key);
            if (o->short_flag)
                assert_int_not_equal(o->short_flag, tn_config_options[j].short_flag);
        }
    }
}

static void test_file_overrides_default(void **state)
{
    (void)state;
    const char *path = write_tmp(".ini", "# a comment\n"
                                         "; another comment\n"
                                         "\n"
                                         "data_dir = /srv/tern\n"
                                         "api_port=8080\n"
                                         "  ws_port = 0\n" /* indented: not a continuation */
                                         "secret = s3cret\n"
                                         "admin_user_ids = root, ops_1\n"
                                         "max_body_bytes = 8M\n"
                                         "multi_login_policy = 5\n"
                                         "log_level = debug ; inline comment\n"
                                         "app_id = tenant_a\n");
    tn_config cfg;
    assert_int_equal(load(&cfg, ARGV("-c", (char *)path), NOENV), TN_CONFIG_OK);
    assert_string_equal(cfg.data_dir, "/srv/tern");
    assert_int_equal(cfg.api_port, 8080);
    assert_int_equal(cfg.ws_port, 0);
    assert_string_equal(cfg.secret, "s3cret");
    assert_int_equal(cfg.admin_user_count, 2);
    assert_string_equal(cfg.admin_user_ids[0], "root");
    assert_string_equal(cfg.admin_user_ids[1], "ops_1");
    assert_null(cfg.admin_user_ids[2]);
    assert_int_equal(cfg.max_body_bytes, 8 * 1024 * 1024);
    assert_int_equal(cfg.multi_login_policy, 5);
    assert_string_equal(cfg.log_level, "debug");
    assert_string_equal(cfg.app_id, "tenant_a");
    /* untouched keys keep their defaults */
    assert_string_equal(cfg.listen_ip, "0.0.0.0");
    assert_int_equal(cfg.token_expire_days, 90);
    tn_config_free(&cfg);

    /* --config FILE and --config=FILE name the file too */
    assert_int_equal(load(&cfg, ARGV("--config", (char *)path), NOENV), TN_CONFIG_OK);
    assert_int_equal(cfg.api_port, 8080);
    tn_config_free(&cfg);
    char arg[600];
    snprintf(arg, sizeof arg, "--config=%s", path);
    assert_int_equal(load(&cfg, ARGV(arg), NOENV), TN_CONFIG_OK);
    assert_int_equal(cfg.api_port, 8080);
    tn_config_free(&cfg);
    unlink(path);
}

static void test_env_overrides_file(void **state)
{
    (void)state;
    const char *path = write_tmp(".ini", "api_port = 8080\nws_port = 8081\nsecret = fromfile\n");
    tn_config cfg;
    assert_int_equal(
        load(&cfg, ARGV("-c", (char *)path),
             ENVP("PATH=/usr/bin", "TERN_API_PORT=9090", "TERN_SECRET=fromenv",
                  "TERN_ADMIN_USER_IDS=a,b,c", "TERN_MAX_FRAME_BYTES=64k", "TERNX=ignored")),
        TN_CONFIG_OK);
    assert_int_equal(cfg.api_port, 9090);
    assert_int_equal(cfg.ws_port, 8081); /* file value, no env */
    assert_string_equal(cfg.secret, "fromenv");
    assert_int_equal(cfg.admin_user_count, 3);
    assert_string_equal(cfg.admin_user_ids[2], "c");
    assert_int_equal(cfg.max_frame_bytes, 64 * 1024);
    tn_config_free(&cfg);

    /* a NULL envp is no environment */
    assert_int_equal(tn_config_load(&cfg, 1, NOARGS, NULL, errbuf, sizeof errbuf), TN_CONFIG_OK);
    assert_int_equal(cfg.api_port, 10002);
    tn_config_free(&cfg);
    unlink(path);
}

static void test_flag_overrides_env(void **state)
{
    (void)state;
    const char *path = write_tmp(".ini", "api_port = 8080\ndata_dir = /file\nws_port = 7000\n");
    tn_config cfg;
    /* -c after the flags: the file is still read first, so flags win. */
    assert_int_equal(
        load(&cfg, ARGV("-p", "7070", "-d", "/flag", "--retention-days", "30", "-c", (char *)path),
             ENVP("TERN_API_PORT=9090", "TERN_DATA_DIR=/env", "TERN_WS_PORT=6000",
                  "TERN_RETENTION_DAYS=7")),
        TN_CONFIG_OK);
    assert_int_equal(cfg.api_port, 7070);
    assert_string_equal(cfg.data_dir, "/flag");
    assert_int_equal(cfg.ws_port, 6000); /* env beats file */
    assert_int_equal(cfg.retention_days, 30);
    tn_config_free(&cfg);

    /* the last of repeated flags wins; -p8080 attaches the value */
    assert_int_equal(load(&cfg, ARGV("--api-port", "1", "-p8080"), NOENV), TN_CONFIG_OK);
    assert_int_equal(cfg.api_port, 8080);
    tn_config_free(&cfg);
    unlink(path);
}

static void test_flag_equals_form(void **state)
{
    (void)state;
    tn_config cfg;
    assert_int_equal(load(&cfg,
                          ARGV("--api-port=8080", "--listen-ip=127.0.0.1", "--secret=a=b",
                               "--multi-login-max-per-platform=3", "--max-body-bytes=1G",
                               "--admin-user-ids=x,y", "--secret-x", "1"),
                          NOENV),
                     TN_CONFIG_ERROR); /* one unknown flag among good ones fails the lot */
    assert_contains(errbuf, "unknown flag --secret-x");
    assert_null(cfg.secret);
    tn_config_free(&cfg);

    assert_int_equal(load(&cfg,
                          ARGV("--api-port=8080", "--listen-ip=::1", "--secret=a=b",
                               "--multi-login-max-per-platform=3", "--max-body-bytes=1G",
                               "--admin-user-ids=x,y", "--data-dir=--odd"),
                          NOENV),
                     TN_CONFIG_OK);
    assert_int_equal(cfg.api_port, 8080);
    assert_string_equal(cfg.listen_ip, "::1");
    assert_string_equal(cfg.secret, "a=b");
    assert_int_equal(cfg.multi_login_max_per_platform, 3);
    assert_int_equal(cfg.max_body_bytes, (int64_t)1 << 30);
    assert_int_equal(cfg.admin_user_count, 2);
    assert_string_equal(cfg.data_dir, "--odd");
    tn_config_free(&cfg);

    /* underscores are not flag spelling */
    expect_error(ARGV("--api_port=1"), NOENV, "unknown flag --api_port", NULL);
    /* a builtin without a value takes none */
    expect_error(ARGV("--help=yes"), NOENV, "--help", "takes no value");
}

static void test_unknown_file_key(void **state)
{
    (void)state;
    expect_file_error("api_port = 1\n# comment\napi_prot = 2\n", 3, "unknown key 'api_prot'");
    /* first error wins, later lines are not reported */
    expect_file_error("\n\n\n\nbogus = 1\nother = 2\n", 5, "unknown key 'bogus'");
}

static void test_section_rejected(void **state)
{
    (void)state;
    expect_file_error("api_port = 1\n[server]\nws_port = 2\n", 3, "unknown section [server]");
}

static void test_file_bad_values(void **state)
{
    (void)state;
    const char *path = write_tmp(".ini", "data_dir = /x\n\nws_port = 1\napi_port = 70000\n");
    char want[700];
    snprintf(want, sizeof want,
             "config file %s line 4: api_port: '70000' is out of range [0, 65535]", path);
    tn_config cfg;
    assert_int_equal(load(&cfg, ARGV("-c", (char *)path), NOENV), TN_CONFIG_ERROR);
    assert_string_equal(errbuf, want);
    assert_null(cfg.data_dir); /* the partly loaded config was freed */
    tn_config_free(&cfg);
    unlink(path);

    expect_file_error("api_port = 80a\n", 1, "api_port: '80a' is not a whole number");
    expect_file_error("api_port = -1\n", 1, "api_port: '-1' is out of range [0, 65535]");
    expect_file_error("token_expire_days = 0\n", 1, "token_expire_days: '0' is out of range");
    expect_file_error("max_conns = 99999999999999999999\n", 1, "max_conns: ");
    expect_file_error("secret =\n", 1, "secret: must not be empty");
    expect_file_error("listen_ip = localhost\n", 1, "listen_ip: 'localhost' is not an IPv4");
    expect_file_error("max_body_bytes = 4X\n", 1, "max_body_bytes: '4X' is not a size");
    expect_file_error("multi_login_policy = 3\n", 1, "multi_login_policy: '3'");
    expect_file_error("log_level = loud\n", 1, "log_level: 'loud'");
    expect_file_error("admin_user_ids = a,,b\n", 1, "admin_user_ids: ");
}

static void test_file_syntax(void **state)
{
    (void)state;
    expect_file_error("api_port = 1\njust words\n", 2, "syntax error");
    expect_file_error("[unterminated\n", 1, "syntax error");
    /* a syntax error before a bad key is the one reported */
    expect_file_error("oops\nbogus = 1\n", 1, "syntax error");

    /* a line longer than inih's buffer is refused, not split */
    char content[400];
    snprintf(content, sizeof content, "api_port = 1\nsecret = %0300d\n", 7);
    expect_file_error(content, 2, "longer than");

    /* a long value that fits is kept whole */
    snprintf(content, sizeof content, "secret = %0180d\n", 7);
    const char *path = write_tmp(".ini", content);
    tn_config cfg;
    assert_int_equal(load(&cfg, ARGV("-c", (char *)path), NOENV), TN_CONFIG_OK);
    assert_int_equal(strlen(cfg.secret), 180);
    tn_config_free(&cfg);
    unlink(path);
}

static void test_out_of_range_and_non_numeric(void **state)
{
    (void)state;
    expect_error(ARGV("--api-port", "65536"), NOENV, "flag --api-port: '65536' is out of range",
                 "[0, 65535]");
    expect_error(ARGV("-p", "http"), NOENV, "flag -p: 'http' is not a whole number", NULL);
    expect_error(ARGV("--max-conns", ""), NOENV, "--max-conns", "is not a whole number");
    expect_error(ARGV("--max-conns", " 5"), NOENV, "--max-conns", "is not a whole number");
    expect_error(ARGV("--http-idle-timeout-s=86401"), NOENV, "--http-idle-timeout-s",
                 "out of range [1, 86400]");
    expect_error(NOARGS, ENVP("TERN_WS_PORT=x1"), "environment variable TERN_WS_PORT",
                 "'x1' is not a whole number");
    expect_error(NOARGS, ENVP("TERN_RETENTION_DAYS=36501"), "TERN_RETENTION_DAYS",
                 "out of range [0, 36500]");

    tn_config cfg;
    assert_int_equal(with_flag(&cfg, "--api-port", "65535"), TN_CONFIG_OK);
    assert_int_equal(cfg.api_port, 65535);
    tn_config_free(&cfg);
    assert_int_equal(with_flag(&cfg, "--max-conns", "10000000"), TN_CONFIG_OK);
    assert_int_equal(cfg.max_conns, 10000000);
    tn_config_free(&cfg);
}

static void test_bytes(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t want;
    } good[] = {
        {"4096", 4096},
        {"1024", 1024},
        {"4K", 4096},
        {"4k", 4096},
        {"4M", 4 << 20},
        {"4m", 4 << 20},
        {"1G", (int64_t)1 << 30},
        {"1g", (int64_t)1 << 30},
        {"1048576K", (int64_t)1 << 30},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        tn_config cfg;
        assert_int_equal(with_flag(&cfg, "--max-body-bytes", good[i].text), TN_CONFIG_OK);
        assert_int_equal(cfg.max_body_bytes, good[i].want);
        tn_config_free(&cfg);
    }
    static const char *const bad[] = {"-1", "4X", "", "K", "4KB", "4 K", "1.5M", "+4", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(ARGV("--max-body-bytes", (char *)bad[i]), NOENV, "--max-body-bytes",
                     "is not a size");
    expect_error(ARGV("--max-body-bytes", "1023"), NOENV, "--max-body-bytes",
                 "'1023' is out of range [1K, 1G]");
    expect_error(ARGV("--max-body-bytes", "2G"), NOENV, "--max-body-bytes", "out of range");
    expect_error(ARGV("--max-frame-bytes", "65M"), NOENV, "--max-frame-bytes",
                 "out of range [1K, 64M]");
    expect_error(ARGV("--max-frame-bytes", "9999999999999999999"), NOENV, "--max-frame-bytes",
                 "out of range");
    expect_error(ARGV("--max-frame-bytes", "99999999999G"), NOENV, "--max-frame-bytes",
                 "out of range");
    expect_error(ARGV("--max-frame-bytes", "8589934592G"), NOENV, "--max-frame-bytes",
                 "out of range");
}

static void test_multi_login_policy(void **state)
{
    (void)state;
    static const char *const good[] = {"0", "1", "4", "5"};
    for (size_t i = 0; i < 4; i++) {
        tn_config cfg;
        assert_int_equal(with_flag(&cfg, "--multi-login-policy", good[i]), TN_CONFIG_OK);
        assert_int_equal(cfg.multi_login_policy, good[i][0] - '0');
        tn_config_free(&cfg);
    }
    static const char *const bad[] = {"2", "3", "6", "-1", "100"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(ARGV("--multi-login-policy", (char *)bad[i]), NOENV,
                     "flag --multi-login-policy: ", "is not a supported policy (0, 1, 4 or 5)");
    expect_error(NOARGS, ENVP("TERN_MULTI_LOGIN_POLICY=one"), "TERN_MULTI_LOGIN_POLICY",
                 "not a whole number");
}

static void test_log_level(void **state)
{
    (void)state;
    static const char *const good[] = {"debug", "info", "warn", "error"};
    for (size_t i = 0; i < 4; i++) {
        tn_config cfg;
        assert_int_equal(load(&cfg, NOARGS, ENVP(i % 2 ? "TERN_LOG_LEVEL=info" : "X=1")),
                         TN_CONFIG_OK);
        tn_config_free(&cfg);
        assert_int_equal(with_flag(&cfg, "--log-level", good[i]), TN_CONFIG_OK);
        assert_string_equal(cfg.log_level, good[i]);
        tn_config_free(&cfg);
    }
    expect_error(ARGV("--log-level", "verbose"), NOENV, "flag --log-level: 'verbose'",
                 "debug, info, warn, error");
    expect_error(NOARGS, ENVP("TERN_LOG_LEVEL=INFO"), "TERN_LOG_LEVEL", "'INFO'");
}

static void test_unknown_env(void **state)
{
    (void)state;
    expect_error(NOARGS, ENVP("HOME=/root", "TERN_FOO=1"), "unknown environment variable TERN_FOO",
                 NULL);
    expect_error(NOARGS, ENVP("TERN_API_PORTS=1"), "unknown environment variable TERN_API_PORTS",
                 NULL);
    expect_error(NOARGS, ENVP("TERN_API_POR=1"), "unknown environment variable TERN_API_POR", NULL);
    /* other prefixes and lower case are not ours */
    tn_config cfg;
    assert_int_equal(load(&cfg, NOARGS, ENVP("tern_foo=1", "TERNFOO=1", "XTERN_FOO=1")),
                     TN_CONFIG_OK);
    tn_config_free(&cfg);
}

static void test_unknown_flag(void **state)
{
    (void)state;
    expect_error(ARGV("--api-prot", "1"), NOENV, "unknown flag --api-prot", NULL);
    expect_error(ARGV("--bogus=1"), NOENV, "unknown flag --bogus", NULL);
    expect_error(ARGV("-x"), NOENV, "unknown flag -x", NULL);
    expect_error(ARGV("-hx"), NOENV, "unknown flag -hx", NULL);
    expect_error(ARGV("stray"), NOENV, "unexpected argument 'stray'", NULL);
    expect_error(ARGV("-"), NOENV, "unexpected argument '-'", NULL);
    /* an unknown flag is caught before the config file is even opened */
    expect_error(ARGV("-c", "/nonexistent/x.ini", "--nope"), NOENV, "unknown flag --nope", NULL);
}

static void test_missing_flag_value(void **state)
{
    (void)state;
    expect_error(ARGV("--api-port"), NOENV, "flag --api-port needs a value", NULL);
    expect_error(ARGV("-p"), NOENV, "flag -p needs a value", NULL);
    expect_error(ARGV("-c"), NOENV, "flag -c needs a value", NULL);
    expect_error(ARGV("--config"), NOENV, "flag --config needs a value", NULL);
    expect_error(ARGV("--data-dir", "--api-port", "1"), NOENV, "flag --data-dir needs a value",
                 NULL);
}

static void test_admin_list(void **state)
{
    (void)state;
    tn_config cfg;
    assert_int_equal(with_flag(&cfg, "--admin-user-ids", " alice , Bob_2,c "), TN_CONFIG_OK);
    assert_int_equal(cfg.admin_user_count, 3);
    assert_string_equal(cfg.admin_user_ids[0], "alice");
    assert_string_equal(cfg.admin_user_ids[1], "Bob_2");
    assert_string_equal(cfg.admin_user_ids[2], "c");
    assert_null(cfg.admin_user_ids[3]);
    assert_true(tn_config_is_admin(&cfg, "alice"));
    assert_true(tn_config_is_admin(&cfg, "Bob_2"));
    assert_true(tn_config_is_admin(&cfg, "c"));
    assert_false(tn_config_is_admin(&cfg, "imAdmin")); /* the default was replaced */
    assert_false(tn_config_is_admin(&cfg, "Alice"));
    assert_false(tn_config_is_admin(&cfg, "alic"));
    assert_false(tn_config_is_admin(&cfg, "alicex"));
    assert_false(tn_config_is_admin(&cfg, " alice"));
    assert_false(tn_config_is_admin(&cfg, ""));
    assert_false(tn_config_is_admin(&cfg, NULL));
    tn_config_free(&cfg);
    assert_false(tn_config_is_admin(&cfg, "alice"));

    /* exactly 16 is the limit */
    char list[256] = "";
    for (int i = 0; i < TN_CONFIG_MAX_ADMINS; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%su%d", i ? "," : "", i);
    assert_int_equal(with_flag(&cfg, "--admin-user-ids", list), TN_CONFIG_OK);
    assert_int_equal(cfg.admin_user_count, TN_CONFIG_MAX_ADMINS);
    assert_string_equal(cfg.admin_user_ids[15], "u15");
    assert_true(tn_config_is_admin(&cfg, "u15"));
    tn_config_free(&cfg);
    strcat(list, ",u16");
    expect_error(ARGV("--admin-user-ids", list), NOENV, "--admin-user-ids", "more than 16");

    expect_error(ARGV("--admin-user-ids", "a,,b"), NOENV, "--admin-user-ids", "empty item");
    expect_error(ARGV("--admin-user-ids", "a,"), NOENV, "--admin-user-ids", "empty item");
    expect_error(ARGV("--admin-user-ids", ""), NOENV, "--admin-user-ids", "empty item");
    expect_error(ARGV("--admin-user-ids", "a, ,b"), NOENV, "--admin-user-ids", "empty item");
    expect_error(ARGV("--admin-user-ids", "ok,bad-id"), NOENV, "'bad-id'",
                 "only letters, digits and '_'");
    expect_error(NOARGS, ENVP("TERN_ADMIN_USER_IDS=a b"), "TERN_ADMIN_USER_IDS", "'a b'");

    /* a later bad list leaves nothing behind (ASan checks the earlier one was freed) */
    expect_error(ARGV("--admin-user-ids", "x,y", "--admin-user-ids", "x,!"), NOENV, "'!'", NULL);
}

/* Runs tn_config_load with stdout captured into out. */
static tn_config_status load_capturing(char **argv, char **envp, char *out, size_t outlen)
{
    const char *path = write_tmp(".out", "");
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    tn_config cfg;
    tn_config_status st = load(&cfg, argv, envp);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    assert_null(cfg.data_dir); /* nothing kept after --help / --version */
    tn_config_free(&cfg);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, outlen - 1, f);
    out[n] = '\0';
    fclose(f);
    unlink(path);
    return st;
}

static void test_help_version(void **state)
{
    (void)state;
    static char out[16384];
    assert_int_equal(load_capturing(ARGV("--help"), NOENV, out, sizeof out), TN_CONFIG_EXIT_OK);
    assert_contains(out, "Usage: ternd");
    assert_contains(out, "-c, --config FILE");
    assert_contains(out, "-p, --api-port N");
    assert_contains(out, "-d, --data-dir");
    assert_contains(out, "--multi-login-max-per-platform N");
    assert_contains(out, "TERN_MAX_BODY_BYTES");
    assert_contains(out, "default 4M");
    assert_contains(out, "largest HTTP request body accepted");
    for (size_t i = 0; i < tn_config_option_count; i++) {
        assert_contains(out, tn_config_options[i].env);
        assert_contains(out, tn_config_options[i].doc);
    }

    assert_int_equal(load_capturing(ARGV("-h"), NOENV, out, sizeof out), TN_CONFIG_EXIT_OK);
    assert_contains(out, "--api-port");

    assert_int_equal(load_capturing(ARGV("--version"), NOENV, out, sizeof out), TN_CONFIG_EXIT_OK);
    assert_int_equal(strncmp(out, "ternd ", 6), 0);
    assert_true(strlen(out) > 7 && out[strlen(out) - 1] == '\n');
#ifdef TERN_VERSION
    assert_string_equal(out, "ternd " TERN_VERSION "\n");
#endif
    assert_int_equal(load_capturing(ARGV("-V"), NOENV, out, sizeof out), TN_CONFIG_EXIT_OK);
    assert_int_equal(strncmp(out, "ternd ", 6), 0);

    /* help works even when the config file or environment would not load */
    assert_int_equal(
        load_capturing(ARGV("-c", "/nonexistent/x.ini", "--help"), NOENV, out, sizeof out),
        TN_CONFIG_EXIT_OK);
    assert_int_equal(load_capturing(ARGV("--version"), ENVP("TERN_NOPE=1"), out, sizeof out),
                     TN_CONFIG_EXIT_OK);
}

static void test_missing_config_file(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/config_test_%d_absent.ini", tmp_dir(), (int)getpid());
    char want[700];
    snprintf(want, sizeof want, "config file %s: No such file or directory", path);
    tn_config cfg;
    assert_int_equal(load(&cfg, ARGV("-c", path), NOENV), TN_CONFIG_ERROR);
    assert_string_equal(errbuf, want);
    assert_null(cfg.secret);
    tn_config_free(&cfg);
}

static void test_markdown(void **state)
{
    (void)state;
    const char *path = write_tmp(".md", "");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    tn_config_print_markdown(f);
    fclose(f);
    f = fopen(path, "r");
    assert_non_null(f);
    static char md[16384];
    size_t n = fread(md, 1, sizeof md - 1, f);
    md[n] = '\0';
    fclose(f);
    unlink(path);
    assert_int_equal(strncmp(md, "| key | env | flag | default | meaning |\n|---|", 46), 0);
    assert_contains(md, "| `api_port` | `TERN_API_PORT` | `-p`, `--api-port` | `10002` | "
                        "REST API port (0 = any free port); range 0 to 65535 |\n");
    assert_contains(md, "| `max_body_bytes` | `TERN_MAX_BODY_BYTES` | `--max-body-bytes` | `4M` |");
    int rows = 0;
    for (const char *p = md; (p = strchr(p, '\n')); p++)
        rows++;
    assert_int_equal(rows, (int)tn_config_option_count + 2);
}

static void test_zeroed_free(void **state)
{
    (void)state;
    tn_config cfg;
    memset(&cfg, 0, sizeof cfg);
    tn_config_free(&cfg);
    tn_config_free(NULL);
    assert_false(tn_config_is_admin(&cfg, "imAdmin"));
    /* errbuf may be absent */
    assert_int_equal(tn_config_load(&cfg, 2, ARGV("--bogus"), NOENV, NULL, 0), TN_CONFIG_ERROR);
    tn_config_free(&cfg);
    /* a tiny errbuf is truncated, still terminated */
    char small[8];
    assert_int_equal(tn_config_load(&cfg, 2, ARGV("--bogus"), NOENV, small, sizeof small),
                     TN_CONFIG_ERROR);
    assert_int_equal(strlen(small), sizeof small - 1);
    tn_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_file_overrides_default),
        cmocka_unit_test(test_env_overrides_file),
        cmocka_unit_test(test_flag_overrides_env),
        cmocka_unit_test(test_flag_equals_form),
        cmocka_unit_test(test_unknown_file_key),
        cmocka_unit_test(test_section_rejected),
        cmocka_unit_test(test_file_bad_values),
        cmocka_unit_test(test_file_syntax),
        cmocka_unit_test(test_out_of_range_and_non_numeric),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_multi_login_policy),
        cmocka_unit_test(test_log_level),
        cmocka_unit_test(test_unknown_env),
        cmocka_unit_test(test_unknown_flag),
        cmocka_unit_test(test_missing_flag_value),
        cmocka_unit_test(test_admin_list),
        cmocka_unit_test(test_help_version),
        cmocka_unit_test(test_missing_config_file),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_zeroed_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
