#!/usr/bin/env bash
# 62_keys.sh — IndexedDB keys against real IndexedDB (headless Chromium):
#   tests/idb/keys_oracle.mjs asks Chromium indexedDB.cmp() on IDBPQ_KEYS_N (default 5000)
#   seeded random key pairs and createObjectStore() on a list of key path strings;
#   tests/idb/keycmp.c (built here against build/libidbpq.a) checks that idbpq_key_cmp, the
#   memcmp order of the sortable coding and idb_cmp1 on LevelDB record keys all give
#   Chromium's answer, and that key path validity matches. One "ok"/"not ok" line.
# Needs /usr/bin/chromium (apt-get install chromium) and tests/idb/node_modules (npm ci in
# tests/idb); without them it prints "# SKIPPED: why". Seed: IDBPQ_KEYS_SEED, else the date.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=${IDBPQ_KEYS_N:-5000}
SEED=${IDBPQ_KEYS_SEED:-$(date +%Y%m%d)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: keys-chromium (node is not installed)"; exit 0; fi
if [ ! -d tests/idb/node_modules/playwright-core ]; then
    echo "# SKIPPED: keys-chromium (no tests/idb/node_modules: npm ci in tests/idb)"; exit 0
fi
if [ ! -f "$BUILD/libidbpq.a" ]; then echo "not ok - keys-chromium: $BUILD/libidbpq.a missing (make)"; exit 0; fi
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -Wall -Wextra -Werror -Iinclude -Isrc \
        -o "$tmp/keycmp" tests/idb/keycmp.c "$BUILD/libidbpq.a" \
        -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm 2>"$tmp/cc.err"; then
    echo "not ok - keys-chromium: tests/idb/keycmp.c does not build"
    sed 's/^/#   /' "$tmp/cc.err" | head -20
    exit 0
fi
node tests/idb/keys_oracle.mjs "$SEED" "$N" "$tmp/oracle.txt" >"$tmp/node.out" 2>&1
rc=$?
if [ "$rc" = 3 ]; then grep '^# SKIPPED' "$tmp/node.out" | sed 's/SKIPPED: /SKIPPED: keys-chromium: /'; exit 0; fi
if [ "$rc" != 0 ]; then
    echo "not ok - keys-chromium: the oracle failed (exit $rc)"; sed 's/^/#   /' "$tmp/node.out" | head; exit 0
fi
cat "$tmp/node.out"
"$tmp/keycmp" <"$tmp/oracle.txt" >"$tmp/cmp.out"
rc=$?
summary=$(grep '^# keycmp:' "$tmp/cmp.out" | sed 's/^# keycmp: //')
if [ "$rc" = 0 ]; then
    echo "ok - keys-chromium seed $SEED: $summary"
else
    echo "not ok - keys-chromium seed $SEED: $summary (rerun with IDBPQ_KEYS_SEED=$SEED)"
    grep '^# mismatch' "$tmp/cmp.out" | head -20
fi
