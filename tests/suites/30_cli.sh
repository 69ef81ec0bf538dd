#!/usr/bin/env bash
# 30_cli.sh — tests of the idbpq command-line tool, run from the repo root against ./idbpq.
#   1. every tests/cli/<case>.sh: stdout must equal <case>.sh.stdout.exact (when present),
#      the exit code <case>.sh.exit (default 0), and stderr must match the extended regex in
#      <case>.sh.stderr.re (when present). Cases with a "# needs: corpus" line use
#      $DATA (parquet-testing/data) and are skipped without it.
#   2. convert round trips over corpus files, codecs and page versions (cat of the copy must
#      equal cat of the original), and atomicity (a failing convert leaves no OUT file).
# Prints one "ok - cli NAME" / "not ok - cli NAME" line per check.
# `bash tests/suites/30_cli.sh --accept` rewrites the .stdout.exact files from the current
# output: review the diff (git diff tests/cli) before committing it.
set -u
cd "$(dirname "$0")/../.."
IDBPQ=${IDBPQ:-./idbpq}
SHARED=${IDBPQ_SHARED:-../shared}
DATA=$SHARED/parquet-testing/data
accept=0
[ "${1:-}" = "--accept" ] && accept=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export IDBPQ DATA TMPDIR="$tmp"

have_corpus=1
if [ ! -d "$DATA" ]; then
    have_corpus=0
    echo "# SKIPPED: cli corpus checks (no ../shared/parquet-testing)"
fi
if [ ! -x "$IDBPQ" ]; then
    echo "not ok - cli binary $IDBPQ missing (run make)"
    exit 0
fi

ok() { echo "ok - cli $1"; }
notok() { echo "not ok - cli $1"; [ -n "${2:-}" ] && echo "#   $2"; }

# ----- 1. case files ------------------------------------------------------------------------
for case in tests/cli/*.sh; do
    [ -e "$case" ] || continue
    name=$(basename "$case" .sh)
    if grep -q '^# needs: corpus' "$case" && [ "$have_corpus" = 0 ]; then
        continue
    fi
    bash "$case" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    want_rc=0
    [ -f "$case.exit" ] && want_rc=$(cat "$case.exit")
    if [ "$accept" = 1 ] && [ "$rc" = "$want_rc" ] && [ -f "$case.stdout.exact" ]; then
        cp "$tmp/out" "$case.stdout.exact"
    fi
    why=""
    if [ "$rc" != "$want_rc" ]; then
        why="exit $rc, expected $want_rc: $(head -c 300 "$tmp/err")"
    elif [ -f "$case.stdout.exact" ] && ! cmp -s "$tmp/out" "$case.stdout.exact"; then
        why="stdout differs: $(diff "$case.stdout.exact" "$tmp/out" | head -5 | tr '\n' '|')"
    elif [ -f "$case.stderr.re" ] && ! grep -Eq -f "$case.stderr.re" "$tmp/err"; then
        why="stderr does not match $(cat "$case.stderr.re"): $(head -c 300 "$tmp/err")"
    fi
    if [ -z "$why" ]; then ok "$name"; else notok "$name" "$why"; fi
done

# ----- 2. convert round trips ---------------------------------------------------------------
if [ "$have_corpus" = 1 ]; then
    files="alltypes_plain.parquet alltypes_dictionary.parquet nested_lists.snappy.parquet
           nested_maps.snappy.parquet nullable.impala.parquet nonnullable.impala.parquet
           repeated_no_annotation.parquet list_columns.parquet byte_array_decimal.parquet
           fixed_length_decimal_legacy.parquet int96_from_spark.parquet
           delta_encoding_optional_column.parquet datapage_v2.snappy.parquet
           nested_structs.rust.parquet map_no_value.parquet"
    settings="--codec=uncompressed
              --codec=snappy
              --codec=zstd --page-version=2
              --codec=gzip --dictionary=off --page-bytes=1K
              --codec=lz4_raw --page-version=2 --dictionary=off --no-statistics --crc"
    for f in $files; do
        [ -f "$DATA/$f" ] || continue
        if ! "$IDBPQ" cat "$DATA/$f" >"$tmp/orig.jsonl" 2>"$tmp/err"; then
            notok "convert $f (cat of the original failed)" "$(head -c 300 "$tmp/err")"
            continue
        fi
        while read -r opts; do
            [ -n "$opts" ] || continue
            rm -f "$tmp/copy.parquet"
            # shellcheck disable=SC2086
            if ! "$IDBPQ" convert "$DATA/$f" "$tmp/copy.parquet" $opts 2>"$tmp/err"; then
                notok "convert $f $opts" "$(head -c 300 "$tmp/err")"
            elif ! "$IDBPQ" cat "$tmp/copy.parquet" >"$tmp/copy.jsonl" 2>"$tmp/err"; then
                notok "convert $f $opts (cat of the copy failed)" "$(head -c 300 "$tmp/err")"
            elif ! cmp -s "$tmp/orig.jsonl" "$tmp/copy.jsonl"; then
                notok "convert $f $opts" "$(diff "$tmp/orig.jsonl" "$tmp/copy.jsonl" | head -4 | tr '\n' '|')"
            else
                ok "convert $f $opts"
            fi
        done <<<"$settings"
    done

    # File key/value metadata is carried over (column key/value metadata too, but the only
    # corpus file with some has an empty row group, which convert does not copy).
    src="$DATA/data_index_bloom_encoding_with_length.parquet"
    if [ -f "$src" ]; then
        rm -f "$tmp/kv.parquet"
        kv() { "$IDBPQ" meta --json "$1" |
               sed 's/.*"footer_length":[0-9]*,\("key_value_metadata":.*\),"column_orders".*/\1/'; }
        if "$IDBPQ" convert "$src" "$tmp/kv.parquet" 2>"$tmp/err" &&
            [ -n "$(kv "$src")" ] && [ "$(kv "$tmp/kv.parquet")" = "$(kv "$src")" ]; then
            ok "convert keeps file key/value metadata"
        else
            notok "convert keeps file key/value metadata" "$(head -c 300 "$tmp/err")"
        fi
    fi

    # A failing convert (truncated input) exits 1 and leaves no OUT file.
    f="$DATA/alltypes_plain.parquet"
    head -c $(($(wc -c <"$f") / 2)) "$f" >"$tmp/trunc.parquet"
    rm -f "$tmp/never.parquet"
    "$IDBPQ" convert "$tmp/trunc.parquet" "$tmp/never.parquet" 2>"$tmp/err"
    rc=$?
    if [ "$rc" = 1 ] && [ ! -e "$tmp/never.parquet" ] && grep -q "^idbpq: $tmp/trunc.parquet: " "$tmp/err"; then
        ok "convert of a truncated file fails without output"
    else
        notok "convert of a truncated file fails without output" "exit $rc, $(head -c 200 "$tmp/err")"
    fi
    # Pages zeroed, footer intact: the error comes mid-write; no OUT either.
    f="$DATA/alltypes_plain.parquet"
    size=$(wc -c <"$f")
    flen=$("$IDBPQ" meta --json "$f" | grep -o '"footer_length":[0-9]*' | cut -d: -f2)
    cp "$f" "$tmp/zeroed.parquet"
    dd if=/dev/zero of="$tmp/zeroed.parquet" bs=1 seek=4 count=$((size - 12 - ${flen:-0})) \
        conv=notrunc status=none
    rm -f "$tmp/never.parquet"
    "$IDBPQ" convert "$tmp/zeroed.parquet" "$tmp/never.parquet" 2>"$tmp/err"
    rc=$?
    if [ "$rc" = 1 ] && [ ! -e "$tmp/never.parquet" ]; then
        ok "convert of corrupt pages fails without output"
    else
        notok "convert of corrupt pages fails without output" "exit $rc, $(head -c 200 "$tmp/err")"
    fi
    leftovers=$(find "$tmp" -name 'never.parquet*' | head -3)
    if [ -z "$leftovers" ]; then ok "convert leaves no temporary files"; else
        notok "convert leaves no temporary files" "$leftovers"; fi

    # scan: every column decoded, counts as expected.
    if "$IDBPQ" scan "$DATA/alltypes_plain.parquet" >"$tmp/scan" 2>"$tmp/err" &&
        grep -Eq '^rows=8 values=[0-9]+ nulls=0 checksum=[0-9a-f]{16}$' "$tmp/scan"; then
        ok "scan alltypes_plain"
    else
        notok "scan alltypes_plain" "$(cat "$tmp/scan" "$tmp/err" | head -c 300)"
    fi
fi
exit 0
