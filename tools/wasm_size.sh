#!/bin/sh
# wasm_size.sh BUDGET FILE...: raw and gzip -9 sizes of what a page downloads (the module and
# the JS next to it); fails when the gzipped total passes BUDGET bytes.
set -e
budget=$1
shift
total=0
printf '%-28s %10s %10s\n' file raw gzip-9
for f in "$@"; do
    [ -f "$f" ] || continue
    raw=$(wc -c < "$f")
    gz=$(gzip -9 -n -c "$f" | wc -c)
    total=$((total + gz))
    printf '%-28s %10d %10d\n' "$f" "$raw" "$gz"
done
printf '%-28s %10s %10d  (budget %d = %d KB)\n' total '' "$total" "$budget" $((budget / 1024))
if [ "$total" -gt "$budget" ]; then
    echo "wasm: over the size budget by $((total - budget)) bytes gzipped (docs/internals/wasm.md)" >&2
    exit 1
fi
