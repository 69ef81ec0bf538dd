# The sample chat store (samples/store.jsonl: optional and late properties, null vs missing,
# a VARIANT field, Maps, Sets, binary, a RegExp and a shared reference) packed with a key path,
# then printed back by `idbpq records`: byte for byte the input (column order follows the
# records' own property order; the two exotic records come back from _raw), in two passes and
# in one pass. Then the schema DuckDB and others see.
cd "$(dirname "$0")/../.." || exit 1
for mode in "" --one-pass; do
    "$IDBPQ" pack $mode --quiet samples/store.jsonl "$TMPDIR/store.parquet" --key-path id \
        --store messages --db chat --index byChannel=channel || exit 1
    "$IDBPQ" records "$TMPDIR/store.parquet" > "$TMPDIR/store.back" || exit 1
    if cmp -s samples/store.jsonl "$TMPDIR/store.back"; then echo "identical${mode:+ ($mode)}"; else
        diff samples/store.jsonl "$TMPDIR/store.back" | head -4; fi
done
"$IDBPQ" schema "$TMPDIR/store.parquet"
