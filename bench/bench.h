/* tern-bench's shared vocabulary: the options of a run, the driver interface that each server
 * protocol implements (OpenIM gateway, XMPP), and the reports drivers make back to the scenarios.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct tb_run tb_run;
typedef struct tb_conn tb_conn; /* one driver connection; opaque to the scenarios */

typedef struct tb_options {
    const char *scenario; /* login | idle | p2p | group | sync */
    const char *target;   /* tern | xmpp: which driver */
    const char *host;     /* a loopback address; anything else is refused */
    int port;             /* tern: WebSocket gateway; xmpp: c2s listener */
    int api_port;       /* tern: REST API; xmpp: ejabberd's mod_http_api listener (registration) */
    const char *domain; /* xmpp: the virtual host users live on */
    const char *secret; /* tern: the admin secret; xmpp: every user's password */
    const char *prefix; /* user names are prefix + index; unique per run */
    const char *codec;  /* tern: json | gob envelope */
    int server_pid;     /* 0 = do not read the server's RSS and CPU */
    int users;          /* idle / login: connections (one user each); p2p: 2 x pairs */
    int group_members;  /* group: members per group */
    int groups;         /* group: how many groups */
    int sync_messages;  /* sync: offline messages waiting for the user */
    double seconds;     /* measured phase of p2p / group */
    double rate;        /* p2p / group: offered messages per second; 0 = saturated */
    int window;         /* saturated: messages in flight per sender (send -> receive) */
    int connect_batch;  /* connects in flight at once during login / idle */
    int procs;  /* login / idle: client processes sharing the connections (0: one per 15,000) */
    bool json;  /* print one JSON object instead of the table */
    bool quiet; /* no progress lines */
} tb_options;

/* Blocking calls and socket work happen on the run's loop, which the scenario owns. */
uv_loop_t *tb_run_loop(tb_run *run);
const tb_options *tb_run_options(const tb_run *run);
/* "prefix<index>", the user's name (OpenIM userID, XMPP localpart) */
void tb_user_name(const tb_run *run, int user, char *out, size_t outlen);

typedef struct tb_driver {
    const char *name;
    /* Before any clock starts, blocking: make users 0..n-1 able to log in (register them, fetch
     * tokens). Prints the reason to stderr and returns false on failure. */
    bool (*prepare)(tb_run *run, int nusers);
    /* Connects user on the run's loop and logs in; the driver reports with tb_logged_in. The
     * handle is valid until close. */
    tb_conn *(*connect)(tb_run *run, int user);
    /* Queues one 1:1 text message (NUL-terminated ASCII) to to_user. */
    void (*send)(tb_conn *c, int to_user, const char *text);
    /* Closes the connection; the driver frees it and reports nothing more for it. */
    void (*close)(tb_conn *c);
    /* Optional, NULL where the protocol or the peer lacks it. */
    /* Blocking: creates a group holding users [first, first + n); writes its id into out. */
    bool (*group_create)(tb_run *run, int owner, int first, int n, char *out, size_t outlen);
    /* Queues one text message to a group made by group_create. */
    void (*group_send)(tb_conn *c, const char *group, const char *text);
    /* Starts pulling everything stored for the user since its last read; the messages are
     * reported with tb_received like pushes are, then tb_synced once all are in. */
    void (*sync)(tb_conn *c);
} tb_driver;

extern const tb_driver tb_driver_tern;
extern const tb_driver tb_driver_xmpp;

/* Driver reports. error is NULL on success. */
void tb_logged_in(tb_run *run, int user, const char *error);
/* A chat message (not a notification, not the sender's own copy) arrived for user. */
void tb_received(tb_run *run, int user, const char *text, size_t len);
/* The server accepted a message (tern: the 1003 reply; XMPP has no such reply). */
void tb_sent_ok(tb_run *run, int user);
/* The send of a message was refused by the server (an error reply). */
void tb_send_failed(tb_run *run, int user, const char *why);
void tb_synced(tb_run *run, int user);
/* The connection went away without close being called. */
void tb_disconnected(tb_run *run, int user, const char *why);
