#!/bin/sh
# Installs the Debian packages tern needs to build, run and test, skipping those present.
# Usage: tools/deps.sh [build|test]; runs apt-get only as root, otherwise prints the command.
set -eu
build_pkgs="build-essential cmake pkg-config libuv1-dev libhttp-parser-dev libwslay-dev \
libjansson-dev libprotobuf-c-dev protobuf-c-compiler libsqlite3-dev nettle-dev zlib1g-dev \
libinih-dev"
test_pkgs="libcmocka-dev libssl-dev clang-format curl chromium"
want="$build_pkgs"
[ "${1:-build}" = test ] && want="$want $test_pkgs"
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
# Node may come from another packager (nodesource bundles npm): look for the commands.
if [ "${1:-build}" = test ]; then
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "tern needs these Debian packages:$missing" >&2
    echo "run: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
