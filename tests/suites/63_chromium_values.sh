#!/usr/bin/env bash
# 63_chromium_values.sh — values and key paths against real Chromium (issue 3, item 6):
#   tests/chromium/values_oracle.mjs drives headless Chromium on a fresh persistent profile:
#   the page (tests/chromium/page.js) stores IDBPQ_CHROMIUM_N (default 300) seeded random
#   structured-clonable values (plus large ones that Chromium snappy-compresses or moves into
#   blob files) in three object stores, reads them back through IndexedDB and prints them as
#   tagged JSON with its own printer; then it asks Chromium about IDBPQ_CHROMIUM_K (default
#   400) seeded (value, keyPath) cases.
#   tests/chromium/read_leveldb.c (built here against build/libidbpq.a and libleveldb) reads
#   a copy of the profile's LevelDB with the idb_cmp1 comparator and decodes every record with
#   idbpq; tests/chromium/compare.mjs compares the two texts record by record. The same driver
#   runs idbpq_key_extract on the key path cases and compares with Chromium's answers.
# "ok"/"not ok" lines: chromium-values values, chromium-values parquet (each store through
# idbpq pack / idbpq records, two passes and one pass), chromium-values keypaths.
# Needs /usr/bin/chromium, tests/idb/node_modules (npm ci in tests/idb) and the leveldb headers
# (Debian: libleveldb-dev); without them it prints "# SKIPPED: why".
# Seed: IDBPQ_CHROMIUM_SEED, else the date. READ_LEVELDB_V8_16_AS_15=1 (diagnostics) makes
# the driver relabel V8 format version 16 as 15 before decoding.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=${IDBPQ_CHROMIUM_N:-300}
K=${IDBPQ_CHROMIUM_K:-400}
SEED=${IDBPQ_CHROMIUM_SEED:-$(date +%Y%m%d)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=chromium-values

if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: $name (node is not installed)"; exit 0; fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then echo "# SKIPPED: $name (no /usr/bin/chromium: apt-get install chromium)"; exit 0; fi
if [ ! -d tests/idb/node_modules/playwright-core ]; then
    echo "# SKIPPED: $name (no tests/idb/node_modules: npm ci in tests/idb)"; exit 0
fi
if [ ! -f /usr/include/leveldb/c.h ] && ! echo '#include <leveldb/c.h>' | ${CC:-cc} -E - >/dev/null 2>&1; then
    echo "# SKIPPED: $name (no leveldb headers: apt-get install libleveldb-dev)"; exit 0
fi
if [ ! -f "$BUILD/libidbpq.a" ]; then echo "not ok - $name: $BUILD/libidbpq.a missing (make)"; exit 0; fi
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -Wall -Wextra -Werror -Iinclude \
        -o "$tmp/read_leveldb" tests/chromium/read_leveldb.c "$BUILD/libidbpq.a" \
        -lleveldb -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm 2>"$tmp/cc.err"; then
    echo "not ok - $name: tests/chromium/read_leveldb.c does not build"
    sed 's/^/#   /' "$tmp/cc.err" | head -20
    exit 0
fi

mkdir "$tmp/profile"
node tests/chromium/values_oracle.mjs "$SEED" "$N" "$K" "$tmp/profile" "$tmp" >"$tmp/node.out" 2>&1
rc=$?
if [ "$rc" = 3 ]; then grep '^# SKIPPED' "$tmp/node.out" | sed "s/SKIPPED: /SKIPPED: $name: /"; exit 0; fi
if [ "$rc" != 0 ]; then
    echo "not ok - $name: the Chromium oracle failed (exit $rc)"; sed 's/^/#   /' "$tmp/node.out" | head; exit 0
fi
cat "$tmp/node.out"

# 1. Values: the page's text against the driver's, record by record.
ldb=$(sed -n 1p "$tmp/leveldb.txt"); blobs=$(sed -n 2p "$tmp/leveldb.txt")
cp -r "$ldb" "$tmp/leveldb-copy"   # LevelDB writes on open: never the profile itself
"$tmp/read_leveldb" values "$tmp/leveldb-copy" "$blobs" values >"$tmp/driver_values.txt" 2>"$tmp/driver.err"
drc=$?
if [ "$drc" -ge 2 ]; then
    echo "not ok - $name values seed $SEED: read_leveldb failed (exit $drc)"; sed 's/^/#   /' "$tmp/driver.err" | head
else
    node tests/chromium/compare.mjs "$tmp/page_values.txt" "$tmp/driver_values.txt" >"$tmp/cmp.out" 2>&1
    crc=$?
    grep '^# read_leveldb:' "$tmp/driver.err"
    summary=$(grep '^# values:' "$tmp/cmp.out" | sed 's/^# values: //')
    failed=$(grep -c '"error":' "$tmp/driver_values.txt")
    if [ "$crc" = 0 ]; then
        echo "ok - $name values seed $SEED: $summary"
    else
        echo "not ok - $name values seed $SEED: $summary, $failed not decoded by idbpq (rerun with IDBPQ_CHROMIUM_SEED=$SEED)"
        grep -v '^# values:' "$tmp/cmp.out" | cut -c1-400
    fi
fi

# 3. The same stores through Parquet: each store's records as idbpq decoded them from the
#    profile go through `idbpq pack` (two passes, and one pass) and `idbpq records`, and must
#    equal what the page read back from IndexedDB (property order aside: docs/mapping.md).
if [ "$drc" -lt 2 ] && ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -Wall -Wextra -Werror \
        -Iinclude -o "$tmp/cmp_records" tests/mapping/cmp_records.c "$BUILD/libidbpq.a" \
        -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm 2>"$tmp/cc2.err"; then
    stores=$(sed -n 's/^{"store":\([0-9]*\),.*/\1/p' "$tmp/page_values.txt" | sort -u)
    for mode in two-pass one-pass; do
        flag=; [ "$mode" = one-pass ] && flag=--one-pass
        for st in $stores; do
            sed -n "s/^{\"store\":$st,/{/p" "$tmp/driver_values.txt" | grep -v '"error":' >"$tmp/s$st.jsonl"
            sed -n "s/^{\"store\":$st,/{/p" "$tmp/page_values.txt" >"$tmp/s$st.truth"
            if ! ./idbpq pack $flag "$tmp/s$st.jsonl" "$tmp/s$st.parquet" 2>"$tmp/pack.err"; then
                echo "not ok - $name parquet $mode store $st seed $SEED: pack failed"
                sed 's/^/#   /' "$tmp/pack.err" | head -5
                continue
            fi
            fb=$(grep -o '[0-9]* records kept exactly in _raw' "$tmp/pack.err" | cut -d' ' -f1)
            cols=$(grep -o '[0-9]* columns ([0-9]* VARIANT/JSON)' "$tmp/pack.err")
            ./idbpq records "$tmp/s$st.parquet" >"$tmp/s$st.back" 2>"$tmp/rec.err"
            if "$tmp/cmp_records" "$tmp/s$st.truth" "$tmp/s$st.back" >"$tmp/cmp2.out" 2>&1; then
                echo "ok - $name parquet $mode store $st seed $SEED: $(grep '^# records' "$tmp/cmp2.out" | sed 's/^# //'), $cols, ${fb:-0} in _raw"
            else
                echo "not ok - $name parquet $mode store $st seed $SEED: $(grep '^# records' "$tmp/cmp2.out" | sed 's/^# //') (rerun with IDBPQ_CHROMIUM_SEED=$SEED)"
                grep -v '^# records' "$tmp/cmp2.out" | head -8 | cut -c1-400
                sed 's/^/#   /' "$tmp/rec.err" | head -3
            fi
        done
    done
elif [ "$drc" -lt 2 ]; then
    echo "not ok - $name parquet: tests/mapping/cmp_records.c does not build"
    sed 's/^/#   /' "$tmp/cc2.err" | head -10
fi

# 2. Key paths: idbpq_key_extract against what Chromium's put() did.
"$tmp/read_leveldb" keypaths <"$tmp/page_keypaths.txt" >"$tmp/kp.out" 2>&1
krc=$?
summary=$(grep '^# keypaths:' "$tmp/kp.out" | sed 's/^# keypaths: //')
if [ "$krc" = 0 ]; then
    echo "ok - $name keypaths seed $SEED: $summary"
else
    echo "not ok - $name keypaths seed $SEED: ${summary:-driver exit $krc} (rerun with IDBPQ_CHROMIUM_SEED=$SEED)"
    grep -v '^# keypaths:' "$tmp/kp.out" | head -10 | cut -c1-400
fi
