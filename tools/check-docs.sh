#!/bin/sh
# Fails when docs/api.md or docs/config.md differ from what the code's tables generate
# (run `make docs` to refresh them). Usage: check-docs.sh <repo> <tern-gen-docs binary>
root=$1 gen=$2 bad=0
for doc in api config; do
    if ! "$gen" $doc | diff -u "$root/docs/$doc.md" - ; then
        echo "docs/$doc.md is stale: run make docs"; bad=1
    fi
done
[ $bad -eq 0 ] && echo "docs: current"
exit $bad
