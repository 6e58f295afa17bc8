/* ternd's configuration: the one option table (name, type, default, env var, doc) and the loader
 * that layers defaults < config file < TERN_* environment < command-line flags. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TN_CONFIG_MAX_ADMINS 16

typedef struct tn_config {
    char *data_dir;
    char *listen_ip;
    int api_port;
    int ws_port;
    char *secret;
    char *admin_user_ids[TN_CONFIG_MAX_ADMINS]; /* NULL-terminated */
    int admin_user_count;
    int token_expire_days;
    int multi_login_policy; /* 0, 1, 4 or 5 as OpenIM's multiLogin.policy */
    int multi_login_max_per_platform;
    int64_t max_body_bytes;
    int64_t max_frame_bytes;
    int64_t max_send_queue_bytes;
    int max_conns_per_user;
    int max_conns;
    int http_idle_timeout_s;
    int retention_days;
    int friend_verify;                 /* 1: 1:1 messages need a friendship (1303) */
    int group_history_for_new_members; /* 1: a joiner reads the group's earlier messages */
    char *log_level;
    char *app_id;
} tn_config;

typedef enum tn_config_type {
    TN_CFG_STRING,
    TN_CFG_INT,
    TN_CFG_BYTES,    /* integer with optional K/M/G suffix (powers of 1024) */
    TN_CFG_STR_LIST, /* comma-separated, into admin_user_ids */
} tn_config_type;

typedef struct tn_config_option {
    const char *key; /* config-file key; flag is --key with '_' as '-' */
    const char *env; /* TERN_<KEY> */
    tn_config_type type;
    size_t offset;    /* into tn_config */
    const char *def;  /* default, as text */
    int64_t min, max; /* for ints and bytes */
    char short_flag;  /* 0 if none */
    const char *doc;  /* one line */
} tn_config_option;

extern const tn_config_option tn_config_options[];
extern const size_t tn_config_option_count;

/* Result of loading: TN_CONFIG_OK to run, TN_CONFIG_EXIT_OK after --help/--version (exit 0),
 * TN_CONFIG_ERROR with a message naming the key (and file line) in errbuf (exit 2). */
typedef enum tn_config_status {
    TN_CONFIG_OK,
    TN_CONFIG_EXIT_OK,
    TN_CONFIG_ERROR,
} tn_config_status;

/* Builds cfg from defaults, the file named by -c/--config (if any), the TERN_* variables in envp
 * and argv. Unknown keys in the file, unknown TERN_* variables and unknown flags are errors.
 * --help and --version print to stdout and return TN_CONFIG_EXIT_OK. */
tn_config_status tn_config_load(tn_config *cfg, int argc, char **argv, char **envp, char *errbuf,
                                size_t errlen);
void tn_config_free(tn_config *cfg);
bool tn_config_is_admin(const tn_config *cfg, const char *user_id);
/* Writes the option table as a Markdown table (docs/config.md is generated from this). */
void tn_config_print_markdown(void *file);
