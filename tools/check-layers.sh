#!/bin/sh
# Fails when a layer reaches upward or around the store interface: no SQLite or libpq outside
# store backends, no libuv or sockets in svc/, no backend headers in svc/ or net/.
set -u
root=${1:-.}
cd "$root/src" || exit 2
bad=0
check() { # pattern, folders...
    pat=$1; shift
    hits=$(grep -rnE "$pat" "$@" 2>/dev/null)
    if [ -n "$hits" ]; then echo "layering violation ($pat):"; echo "$hits"; bad=1; fi
}
check '#include [<"](sqlite3|libpq-fe)\.h' core codec svc net store/*.h main.c
check '#include [<"](uv|http_parser|wslay/wslay)\.h' core codec svc store
check '#include [<"](sqlite_store|store_sqlite)' svc net codec core
check '#include [<"](http_server|router|routes)\.h' svc store codec core
check '#include [<"](auth|user|svc)\.h' core codec store
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad
