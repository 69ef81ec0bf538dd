#!/bin/sh
# The README's first command: shows idbpq on the bundled sample (samples/events.parquet):
# its schema, its metadata, a few rows as JSON lines, and a rewrite with another codec that is
# read back and compared.
set -e
cd "$(dirname "$0")/.."
IN=samples/events.parquet
OUT=${TMPDIR:-/tmp}/idbpq-demo-$$.parquet
trap 'rm -f "$OUT"' EXIT
echo "== idbpq schema $IN"
./idbpq schema "$IN"
echo "== idbpq meta $IN (first lines)"
./idbpq meta "$IN" | head -n 20
echo "== idbpq cat $IN --limit 3"
./idbpq cat "$IN" --limit 3
echo "== idbpq convert $IN OUT --codec zstd --page-version 2"
./idbpq convert "$IN" "$OUT" --codec zstd --page-version 2
if ./idbpq cat "$IN" | cmp -s - "$(./idbpq cat "$OUT" > "$OUT.json"; echo "$OUT.json")"; then
    echo "rewritten file reads back identically ($(wc -c < "$OUT") bytes)"
    rm -f "$OUT.json"
else
    rm -f "$OUT.json"
    echo "demo: the rewritten file differs from the original" >&2
    exit 1
fi
