#!/bin/sh
# Measures a fresh release ternd: idle RSS, then requests/s of /user/get_users_info with wrk.
# Usage: tools/bench-api.sh [seconds] [connections]; needs `make` first and wrk installed.
set -eu
secs=${1:-10} conns=${2:-50}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
port=$((20000 + $$ % 20000))
"$root/build/ternd" --data-dir "$dir/data" --api-port $port --listen-ip 127.0.0.1 2>"$dir/log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
sleep 1
echo "idle RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
api=http://127.0.0.1:$port
token() { sed 's/.*"token":"\([^"]*\)".*/\1/'; }
admin=$(curl -s -H 'operationID: b' -d '{"secret":"openIM123","userID":"imAdmin"}' \
    $api/auth/get_admin_token | token)
curl -s -H 'operationID: b' -H "token: $admin" $api/user/user_register \
    -d '{"users":[{"userID":"alice","nickname":"Alice"},{"userID":"bob","nickname":"Bob"}]}' >/dev/null
user=$(curl -s -H 'operationID: b' -H "token: $admin" -d '{"userID":"alice","platformID":1}' \
    $api/auth/get_user_token | token)
cat >"$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"userIDs":["alice","bob"]}'
wrk.headers["operationID"] = "bench"
wrk.headers["token"] = "$user"
LUA
wrk -t2 -c"$conns" -d"${secs}s" -s "$dir/post.lua" $api/user/get_users_info
echo "RSS after load: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
