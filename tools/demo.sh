#!/bin/sh
# The README's first command (the main job): exports the bundled Chromium profile
# (tests/data/profile: LevelDB and SQLite origins written by real Chromium) to Parquet with
# `idbpq ls` / `idbpq export`, and shows what came out; then the Parquet side on its own:
# a sample Parquet file's schema, metadata and rows, a rewrite with another codec, and a
# store of tagged JSON records packed to typed Parquet and back.
set -e
cd "$(dirname "$0")/.."
PROFILE=tests/data/profile
EXPORT=${TMPDIR:-/tmp}/idbpq-demo-$$-export
trap 'rm -rf "$EXPORT"' EXIT
echo "== idbpq ls $PROFILE"
./idbpq ls "$PROFILE"
echo "== idbpq export $PROFILE -o OUT"
./idbpq export "$PROFILE" -o "$EXPORT"
MSG=$EXPORT/http_127.0.0.1_43732/chat/messages.parquet
echo "== files written (OUT/<origin>/<database>/<store>.parquet), the first of them:"
(cd "$EXPORT" && find . -name '*.parquet' | sort | head -n 8)
echo "== idbpq schema OUT/http_127.0.0.1_43732/chat/messages.parquet"
./idbpq schema "$MSG"
echo "== idbpq cat OUT/http_127.0.0.1_43732/chat/messages.parquet --limit 2   (the columns)"
./idbpq cat "$MSG" --limit 2
echo "== idbpq records OUT/http_127.0.0.1_43732/chat/messages.parquet --limit 2   (the IndexedDB records)"
./idbpq records "$MSG" --limit 2

IN=samples/events.parquet
OUT=${TMPDIR:-/tmp}/idbpq-demo-$$.parquet
trap 'rm -rf "$OUT" "$EXPORT"' EXIT
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
trap 'rm -rf "$OUT" "$PQ" "$PQ.jsonl" "$EXPORT"' EXIT
echo "== idbpq pack $STORE OUT --key-path id --store messages --db chat"
./idbpq pack "$STORE" "$PQ" --key-path id --store messages --db chat --db-version 3 \
    --index byChannel=channel --index byAuthor=author.id
echo "== idbpq schema OUT"
./idbpq schema "$PQ"
echo "== idbpq records OUT --limit 3"
./idbpq records "$PQ" --limit 3
./idbpq records "$PQ" > "$PQ.jsonl"
echo "records read back: $(wc -l < "$PQ.jsonl") of $(wc -l < "$STORE")"
