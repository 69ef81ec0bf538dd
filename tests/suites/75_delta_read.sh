#!/usr/bin/env bash
# 75_delta_read.sh — the Delta Lake reader (docs/delta.md):
#   1. every table of ../shared/delta-tables against an independent JavaScript log replay and
#      DuckDB (tests/delta/read_check.mjs): refusals by feature name, version / files /
#      records, time travel, rows, and the Change Data Feed of the CDF tables; `table show` of
#      every table also under AddressSanitizer when build-asan/idbpq (IDBPQ_ASAN) exists;
#   2. damaged logs and deletion vectors (copies in a temporary directory): a truncated commit,
#      a commit that is not JSON, a missing commit, a lying checkpoint, a DV file with a bad
#      CRC or an absurd size — each must fail with exit 1 and a message naming the file and
#      where, never crash (run with the ASan binary when there is one).
# One "ok - delta-read ..." / "not ok - ..." line per check. FILTER=substring limits part 1.
set -u
cd "$(dirname "$0")/../.."
IDBPQ=${IDBPQ:-./idbpq}
IDBPQ_ASAN=${IDBPQ_ASAN:-build-asan/idbpq}
TABLES=../shared/delta-tables
if [ ! -d "$TABLES" ]; then echo "# SKIPPED: delta-read (no ../shared/delta-tables)"; exit 0; fi
if [ ! -x "$IDBPQ" ]; then echo "not ok - delta-read: $IDBPQ missing (make)"; exit 0; fi
if ! "$IDBPQ" table --help >/dev/null 2>&1; then
    echo "not ok - delta-read: $IDBPQ has no table command"; exit 0
fi
asan=""
[ -x "$IDBPQ_ASAN" ] && "$IDBPQ_ASAN" table --help >/dev/null 2>&1 && asan=$IDBPQ_ASAN
[ -n "$asan" ] || echo "# delta-read: no ASan binary ($IDBPQ_ASAN): part 2 runs $IDBPQ"

# ----- 1. the corpus -------------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1; then
    echo "# SKIPPED: delta-read corpus (node is not installed)"
elif [ ! -d tests/oracle/node_modules/@duckdb/node-api ]; then
    echo "# SKIPPED: delta-read corpus (no tests/oracle/node_modules: make deps)"
else
    node tests/delta/read_check.mjs "$IDBPQ" "$TABLES" "$asan" "${FILTER:-}"
    rc=$?
    [ "$rc" = 0 ] || [ "$rc" = 1 ] || echo "not ok - delta-read: read_check.mjs exited $rc"
fi

# ----- 2. damaged input ----------------------------------------------------------------------
bin=${asan:-$IDBPQ}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME PATTERN ARGS...: exit 1, stderr matching PATTERN, no sanitizer report.
expect() {
    local name=$1 pat=$2
    shift 2
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" = 1 ] && grep -Eq "$pat" "$tmp/err" && ! grep -Eq "Sanitizer|runtime error" "$tmp/err"; then
        echo "ok - delta-read damaged $name ($(head -c 200 "$tmp/err" | tr '\n' ' '))"
    else
        echo "not ok - delta-read damaged $name: exit $rc, stderr: $(head -c 400 "$tmp/err" | tr '\n' ' ')"
    fi
}
c=(_delta_log/00000000000000000000.json _delta_log/00000000000000000001.json
   _delta_log/00000000000000000002.json)

cp -r "$TABLES/simple_table" "$tmp/trunc"
head -c 150 "$tmp/trunc/${c[1]}" >"$tmp/t" && mv "$tmp/t" "$tmp/trunc/${c[1]}"
expect "truncated commit" "00000000000000000001\.json line 1 \(offset 0\): JSON: .* at byte 1[0-9][0-9]" \
    table show "$tmp/trunc"

cp -r "$TABLES/simple_table" "$tmp/notjson"
printf '{"add":{"path":"a.parquet","size":1}}\nthis is not json\n' >"$tmp/notjson/${c[2]}"
expect "commit not JSON" "00000000000000000002\.json line 2 \(offset 38\): JSON: unexpected character at byte 0" \
    table show "$tmp/notjson"

cp -r "$TABLES/simple_table" "$tmp/gap"
rm "$tmp/gap/${c[1]}"
expect "missing commit" "commit 00000000000000000001\.json is missing" table show "$tmp/gap"
expect "missing commit (log)" "." table changes "$tmp/gap" --from 0

cp -r "$TABLES/simple_table_with_checkpoint" "$tmp/ckpt"
cp=$(ls "$tmp"/ckpt/_delta_log/*.checkpoint.parquet | head -1)
head -c 300 "$cp" >"$tmp/t" && mv "$tmp/t" "$cp"
expect "truncated checkpoint" "checkpoint\.parquet" table show "$tmp/ckpt"
# A checkpoint that parses but lies: another table's checkpoint in its place.
cp -r "$TABLES/simple_table_with_checkpoint" "$tmp/lie"
other=$(ls "$TABLES"/delta-1.2.1-only-struct-stats/_delta_log/*.checkpoint.parquet | head -1)
cp "$other" "$(ls "$tmp"/lie/_delta_log/*.checkpoint.parquet | head -1)"
"$bin" table show "$tmp/lie" --rows >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 1 ] && grep -q "data file .* is missing" "$tmp/err" && ! grep -q Sanitizer "$tmp/err"; then
    echo "ok - delta-read damaged lying checkpoint ($(head -c 200 "$tmp/err"))"
else
    echo "not ok - delta-read damaged lying checkpoint: exit $rc: $(head -c 300 "$tmp/err")"
fi

dvt=table-with-dv-small
dv=$(ls "$TABLES/$dvt"/deletion_vector_*.bin | head -1)
cp -r "$TABLES/$dvt" "$tmp/crc"
f="$tmp/crc/$(basename "$dv")"
python3 - "$f" <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[20] ^= 0xff; open(p, 'wb').write(b)
EOF
expect "DV bad CRC" "deletion_vector_.*\.bin: offset [0-9]+: CRC-32" table show "$tmp/crc" --rows
cp -r "$TABLES/$dvt" "$tmp/dvsize"
f="$tmp/dvsize/$(basename "$dv")"
python3 - "$f" <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[1:5] = b'\x7f\xff\xff\xf0'; open(p, 'wb').write(b)
EOF
expect "DV absurd size" "deletion_vector_.*\.bin: offset 1: size field" table show "$tmp/dvsize" --rows
cp -r "$TABLES/$dvt" "$tmp/dvlog"
sed -i 's/"sizeInBytes":36/"sizeInBytes":2000000000/' "$tmp"/dvlog/_delta_log/*.json
expect "DV size in log past the file" "deletion_vector_.*\.bin: offset 1: a vector of 2000000000 bytes" \
    table show "$tmp/dvlog" --rows
exit 0
