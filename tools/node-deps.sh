#!/bin/sh
# Installs the npm packages the Node test suites pin (client SDKs, ws, playwright-core), once per
# lock file change. Packages come from the npm registry; nothing is downloaded at test time.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$root"/tests/*/; do
    [ -f "$dir/package-lock.json" ] || continue
    stamp="$dir/node_modules/.package-lock.json"
    if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
        echo "npm ci in ${dir#"$root"/}" >&2
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
done
