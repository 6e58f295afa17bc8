#!/bin/sh
# Fails when any tracked C file differs from .clang-format's layout.
cd "${1:-.}" || exit 2
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
[ -z "$files" ] && files=$(find src tests tools -name '*.[ch]')
echo "$files" | xargs clang-format --dry-run -Werror && echo "format: ok"
