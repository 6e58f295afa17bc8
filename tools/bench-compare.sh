#!/usr/bin/env bash
# tern measured side by side with ejabberd on this machine: the same shapes (idle, login, 1:1 at a
# fixed rate and saturated) through tern-bench, one server at a time, then one table with ratios.
#
#   tools/bench-compare.sh            the full run (a few minutes), plots with gnuplot when present
#   QUICK=1 tools/bench-compare.sh    small counts, under 2 minutes
#   JSON=1                            also print {"tern": {...}, "ejabberd": {...}} as the last line
#   OUT=DIR                           keep the raw JSON (and plot data) in DIR
# Needs a release build (make); installs ejabberd (tools/ejabberd-bench.sh) when missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BUILD=${BUILD:-$ROOT/build}
BENCH=$BUILD/tern-bench
TERND=$BUILD/ternd
QUICK=${QUICK:-0}
JSON=${JSON:-0}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tern-compare.XXXXXX")
OUT=${OUT:-$WORK/out}
mkdir -p "$OUT"
C2S_PORT=${C2S_PORT:-25222}
EJ_HTTP_PORT=${EJ_HTTP_PORT:-25280}

if [ "$QUICK" != 0 ]; then
    IDLE_USERS=1000 LOGIN_USERS=1000 P2P_USERS=100 SECONDS_=4 FIXED_RATE=2000 SWEEP=""
else
    IDLE_USERS=10000 LOGIN_USERS=5000 P2P_USERS=200 SECONDS_=10 FIXED_RATE=10000
    SWEEP=${SWEEP:-1000,2000,5000,10000,15000,20000,30000}
fi

say() { [ "$JSON" != 0 ] && echo "$*" >&2 || echo "$*"; }

[ -x "$BENCH" ] && [ -x "$TERND" ] || { echo "bench-compare: build first (make)" >&2; exit 1; }
[ "$(ulimit -n)" -ge $((IDLE_USERS + 1000)) ] || ulimit -n $((IDLE_USERS + 1000)) 2>/dev/null || true

TERND_PID=""
cleanup() {
    [ -n "$TERND_PID" ] && kill "$TERND_PID" 2>/dev/null || true
    "$ROOT/tools/ejabberd-bench.sh" stop "$WORK/ejabberd" >/dev/null 2>&1 || true
    rm -rf "$WORK/tern" "$WORK/ejabberd"
    [ "$OUT" = "$WORK/out" ] && rm -rf "$WORK" || true
}
trap cleanup EXIT

# The shapes, the same for both servers, in three runs because their user counts differ.
run_bench() { # name target port api_port pid [extra tern-bench options...]
    local name=$1
    local common=(--target "$2" --server-name "$name" --port "$3" --api-port "$4" --server-pid "$5" --json)
    shift 5
    local sweep=()
    [ -n "$SWEEP" ] && sweep=(--sweep "$SWEEP")
    "$BENCH" "${common[@]}" "$@" --scenario idle --users "$IDLE_USERS" --seconds 2 \
        --prefix "${name}i$$_" >"$OUT/$name.idle.json" || true
    # two client processes: one alone is the limit for a fast server's logins
    "$BENCH" "${common[@]}" "$@" --scenario login --users "$LOGIN_USERS" --procs 2 \
        --prefix "${name}l$$_" >"$OUT/$name.login.json" || true
    "$BENCH" "${common[@]}" "$@" --scenario "p2p@$FIXED_RATE,p2p" --users "$P2P_USERS" \
        --seconds "$SECONDS_" --window 8 --prefix "${name}p$$_" "${sweep[@]}" \
        >"$OUT/$name.p2p.json" || true
}

# ---- tern ----
say "bench-compare: tern (ternd $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'))"
mkdir -p "$WORK/tern"
"$TERND" --data-dir "$WORK/tern" --listen-ip 127.0.0.1 --api-port 0 --ws-port 0 \
    --log-level info --max-conns-per-user 4 >"$WORK/ternd.log" 2>&1 &
TERND_PID=$!
for _ in $(seq 100); do
    grep -q "ws listening on" "$WORK/ternd.log" && break
    sleep 0.1
done
WS_PORT=$(sed -n 's/.*ws listening on [^:]*:\([0-9]*\).*/\1/p' "$WORK/ternd.log" | head -1)
API_PORT=$(sed -n 's/.*api listening on [^:]*:\([0-9]*\).*/\1/p' "$WORK/ternd.log" | head -1)
[ -n "$WS_PORT" ] || { cat "$WORK/ternd.log" >&2; exit 1; }
run_bench tern tern "$WS_PORT" "$API_PORT" "$TERND_PID"
kill "$TERND_PID"
wait "$TERND_PID" 2>/dev/null || true
TERND_PID=""

# ---- ejabberd ----
say "bench-compare: ejabberd"
EJ_PID=$("$ROOT/tools/ejabberd-bench.sh" start "$WORK/ejabberd" "$C2S_PORT" "$EJ_HTTP_PORT" | tail -1)
run_bench ejabberd xmpp "$C2S_PORT" "$EJ_HTTP_PORT" "$EJ_PID" --domain localhost
"$ROOT/tools/ejabberd-bench.sh" stop "$WORK/ejabberd" >/dev/null 2>&1 || true

# ---- one table ----
merge() { # name: the three runs' JSON objects joined into one
    local name=$1
    {
        printf '{'
        local first=1
        for part in idle login p2p; do
            local body
            body=$(tail -1 "$OUT/$name.$part.json" 2>/dev/null | sed -e 's/^{//' -e 's/}$//')
            [ -z "$body" ] && continue
            [ $first = 1 ] || printf ','
            printf '%s' "$body"
            first=0
        done
        printf '}\n'
    } >"$OUT/$name.json"
}
merge tern
merge ejabberd
say ""
say "$(uname -srm), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); data dir on $(df -T "$WORK" | awk 'NR==2{print $2}')"
args=(--compare "$OUT/tern.json" "$OUT/ejabberd.json")
[ -n "$SWEEP" ] && args+=(--plot "$OUT")
if [ "$JSON" != 0 ]; then
    "$BENCH" "${args[@]}" --json
else
    "$BENCH" "${args[@]}"
fi
if [ -n "$SWEEP" ] && ! command -v gnuplot >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gnuplot-nox \
        >/dev/null 2>&1 || true
fi
if [ -n "$SWEEP" ] && command -v gnuplot >/dev/null 2>&1; then
    gnuplot -e "dir='$OUT'" "$ROOT/tools/bench-plot.gp" && say "plot: $OUT/latency.png"
fi
