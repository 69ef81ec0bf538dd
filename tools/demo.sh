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

# Records: a chat app's store (samples/store.jsonl, tagged JSON records) to typed Parquet and
# back. The round trip must give every record back (property order aside: docs/mapping.md).
STORE=samples/store.jsonl
PQ=${TMPDIR:-/tmp}/idbpq-demo-$$-store.parquet
trap 'rm -f "$OUT" "$PQ" "$PQ.jsonl"' EXIT
echo "== idbpq pack $STORE OUT --key-path id --store messages --db chat"
./idbpq pack "$STORE" "$PQ" --key-path id --store messages --db chat --db-version 3 \
    --index byChannel=channel --index byAuthor=author.id
echo "== idbpq schema OUT"
./idbpq schema "$PQ"
echo "== idbpq records OUT --limit 3"
./idbpq records "$PQ" --limit 3
./idbpq records "$PQ" > "$PQ.jsonl"
echo "records read back: $(wc -l < "$PQ.jsonl") of $(wc -l < "$STORE")"
