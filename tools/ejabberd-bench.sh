#!/usr/bin/env bash
# Starts and stops a throwaway ejabberd node (Debian's ejabberd package) for tern-bench's xmpp target:
# config from bench/ejabberd/ejabberd.yml.in, Mnesia spool and logs in DIR, listeners on loopback only.
#
#   tools/ejabberd-bench.sh start DIR C2S_PORT HTTP_PORT [DOMAIN]   (DOMAIN defaults to localhost)
#       installs ejabberd when missing, starts the node, waits until c2s accepts and /api answers,
#       prints the PID of the Erlang VM (beam.smp) as the last line of stdout.
#   tools/ejabberd-bench.sh stop DIR
#       SIGTERM to the VM (init:stop, Mnesia closes cleanly), SIGKILL after 15 s.
#
# The VM is started with erl directly, as the calling user: ejabberdctl insists on su to the ejabberd
# user and on its own paths, and the Debian service (systemd / init.d) is never used nor started.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TEMPLATE="$ROOT/bench/ejabberd/ejabberd.yml.in"
EJABBERD_LIBS=/usr/lib/x86_64-linux-gnu
COOKIE=ternbench

die() {
    echo "ejabberd-bench: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start DIR C2S_PORT HTTP_PORT [DOMAIN] | stop DIR" >&2
    exit 2
}

# Is the ejabberd package installed (its Erlang application present)?
installed() {
    local apps=("$EJABBERD_LIBS"/ejabberd-*/ebin)
    [ "$(dpkg-query -W -f='${Status}' ejabberd 2>/dev/null || true)" = "install ok installed" ] &&
        [ -d "${apps[0]}" ] && command -v erl >/dev/null && command -v epmd >/dev/null
}

install_ejabberd() {
    echo "ejabberd-bench: installing the ejabberd package" >&2
    # A policy-rc.d that answers 101 keeps the package's service from being started by its postinst.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        made_policy=1
    fi
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ejabberd >&2 || rc=$?
    if [ "$rc" -ne 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || true
        rc=0
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ejabberd >&2 || rc=$?
    fi
    [ "$made_policy" -eq 1 ] && rm -f "$policy"
    [ "$rc" -eq 0 ] || die "apt-get install ejabberd failed"
    # Should the distribution's node have been started anyway, stop it: it would hold 5222 / 5280.
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl disable --now ejabberd >/dev/null 2>&1 || true
    fi
    if [ -f /run/ejabberd/ejabberd.pid ]; then
        timeout 20 /usr/sbin/ejabberdctl stop >/dev/null 2>&1 || true
    fi
}

# The node name is a function of DIR so that a restart on the same spool finds its Mnesia schema.
node_name() {
    echo "tb$(printf '%s' "$1" | cksum | cut -d' ' -f1)@localhost"
}

# A live (not zombie) beam.smp: a VM killed here may stay a zombie when nothing reaps it.
alive_beam() {
    local stat
    [ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = beam.smp ] || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# POST /api/status over a plain socket; succeeds on an HTTP 200 answer.
api_ready() {
    local reply
    # shellcheck disable=SC2016 # expanded by the inner bash
    reply=$(timeout 3 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "POST /api/status HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}" >&3
        head -c 64 <&3' _ "$1" 2>/dev/null) || return 1
    case "$reply" in
    "HTTP/1.1 200"*) return 0 ;;
    *) return 1 ;;
    esac
}

start() {
    if [ $# -lt 3 ] || [ $# -gt 4 ]; then
        usage
    fi
    local dir=$1 c2s=$2 http=$3 domain=${4:-localhost}
    if ! [[ "$c2s" =~ ^[0-9]+$ && "$http" =~ ^[0-9]+$ ]]; then
        die "ports must be numbers"
    fi
    [ -r "$TEMPLATE" ] || die "missing $TEMPLATE"
    installed || install_ejabberd
    local apps=("$EJABBERD_LIBS"/ejabberd-*/ebin)
    [ -d "${apps[0]}" ] || die "ejabberd's Erlang application not found under $EJABBERD_LIBS"

    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    local old
    old=$(cat "$dir/beam.pid" 2>/dev/null || true)
    if alive_beam "$old"; then
        die "a node already runs on $dir (pid $old); stop it first"
    fi
    port_open "$c2s" && die "port $c2s is already taken"
    port_open "$http" && die "port $http is already taken"

    sed -e "s|@C2S_PORT@|$c2s|g" -e "s|@HTTP_PORT@|$http|g" -e "s|@DOMAIN@|$domain|g" \
        "$TEMPLATE" >"$dir/ejabberd.yml"
    mkdir -p "$dir/mnesia"
    rm -f "$dir/beam.pid" "$dir/ejabberd.pid"
    local node
    node=$(node_name "$dir")
    if ! epmd -names >/dev/null 2>&1; then
        : >"$dir/epmd.ours"
    fi

    # erl's script execs erlexec which execs beam.smp: the background job's PID becomes the VM's.
    (
        cd "$dir"
        export HOME="$dir" ERL_LIBS="$EJABBERD_LIBS" ERL_MAX_PORTS=65536 ERL_MAX_ETS_TABLES=2800
        export EJABBERD_CONFIG_PATH="$dir/ejabberd.yml" EJABBERD_LOG_PATH="$dir/ejabberd.log"
        export EJABBERD_PID_PATH="$dir/ejabberd.pid" ERL_CRASH_DUMP="$dir/erl_crash.dump"
        export ERL_CRASH_DUMP_BYTES=0 CONTRIB_MODULES_PATH="$dir/contrib"
        export ERL_INETRC="$dir/inetrc"
        printf '{lookup,["file","native"]}.\n{host,{127,0,0,1},["localhost"]}.\n' >"$dir/inetrc"
        # shellcheck disable=SC2086 # EJABBERD_BENCH_ERL_ARGS: extra emulator flags, word-split
        exec setsid erl -sname "$node" -setcookie "$COOKIE" -noinput -noshell \
            +P 1048576 ${EJABBERD_BENCH_ERL_ARGS:-} -mnesia dir "\"$dir/mnesia\"" -s ejabberd \
            </dev/null >"$dir/erl.out" 2>&1
    ) &
    local pid=$!

    local i beam=""
    for ((i = 0; i < 600; i++)); do
        if [ -z "$beam" ]; then
            if alive_beam "$pid"; then
                beam=$pid
            elif alive_beam "$(cat "$dir/ejabberd.pid" 2>/dev/null || true)"; then
                beam=$(cat "$dir/ejabberd.pid") # setsid forked: ejabberd wrote its own pid
            elif ! kill -0 "$pid" 2>/dev/null && [ "$i" -ge 100 ]; then
                tail -n 30 "$dir/erl.out" "$dir/ejabberd.log" >&2 2>/dev/null || true
                die "the Erlang VM exited during startup (see $dir/erl.out, $dir/ejabberd.log)"
            fi
        fi
        if [ -n "$beam" ]; then
            echo "$beam" >"$dir/beam.pid"
            if ! alive_beam "$beam"; then
                tail -n 30 "$dir/erl.out" "$dir/ejabberd.log" >&2 2>/dev/null || true
                die "the Erlang VM exited during startup (see $dir/erl.out, $dir/ejabberd.log)"
            fi
            if port_open "$c2s" && api_ready "$http"; then
                echo "$beam"
                return 0
            fi
        fi
        sleep 0.1
    done
    [ -n "$beam" ] && kill -KILL "$beam" 2>/dev/null
    die "ejabberd did not come up within 60 s (see $dir/erl.out, $dir/ejabberd.log)"
}

stop() {
    [ $# -eq 1 ] || usage
    local dir=$1
    [ -d "$dir" ] || return 0
    local pid i
    pid=$(cat "$dir/beam.pid" 2>/dev/null || true)
    if alive_beam "$pid"; then
        # The VM's SIGTERM handler runs init:stop(): applications stop, Mnesia closes its files.
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 150; i++)); do
            alive_beam "$pid" || break
            sleep 0.1
        done
        if alive_beam "$pid"; then
            echo "ejabberd-bench: pid $pid still up after 15 s, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            for ((i = 0; i < 50; i++)); do
                alive_beam "$pid" || break
                sleep 0.1
            done
        fi
    fi
    rm -f "$dir/beam.pid"
    # epmd: only when this script started it and no other node is registered with it.
    if [ -e "$dir/epmd.ours" ]; then
        rm -f "$dir/epmd.ours"
        if ! epmd -names 2>/dev/null | grep -q '^name '; then
            epmd -kill >/dev/null 2>&1 || true
        fi
    fi
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
start) start "$@" ;;
stop) stop "$@" ;;
*) usage ;;
esac
