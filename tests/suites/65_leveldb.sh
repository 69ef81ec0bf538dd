#!/usr/bin/env bash
# 65_leveldb.sh — the read-only LevelDB reader (src/stores/ldbr_*.c) against Debian's
# libleveldb: tests/leveldb/ldb_oracle.c, built here against build/libidbpq.a, makes random
# databases with libleveldb (bytewise and idb_cmp1 comparators, snappy on and off, many tables
# on several levels, last writes left in the log) and compares full scans, seeks and gets;
# then damage (a log cut mid-record, a flipped byte in a data block, a broken table footer:
# reported with file and offset, nothing shown that libleveldb would not show, the loss
# bounded by the damaged block or table) and a read while libleveldb holds the LOCK.
# Seeds: IDBPQ_LEVELDB_SEEDS (default "1 2 " + the date). Without the leveldb headers
# (Debian: libleveldb-dev) it prints "# SKIPPED: why".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SEEDS=${IDBPQ_LEVELDB_SEEDS:-"1 2 $(date +%Y%m%d)"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=leveldb

if [ ! -f /usr/include/leveldb/c.h ] && ! echo '#include <leveldb/c.h>' | ${CC:-cc} -E - >/dev/null 2>&1; then
    echo "# SKIPPED: $name (no leveldb headers: apt-get install libleveldb-dev)"; exit 0
fi
if [ ! -f "$BUILD/libidbpq.a" ]; then echo "not ok - $name: $BUILD/libidbpq.a missing (make)"; exit 0; fi
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Werror \
        -Iinclude -Isrc -o "$tmp/ldb_oracle" tests/leveldb/ldb_oracle.c "$BUILD/libidbpq.a" \
        -lleveldb -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm 2>"$tmp/cc.err"; then
    echo "not ok - $name: tests/leveldb/ldb_oracle.c does not build"
    sed 's/^/#   /' "$tmp/cc.err" | head -20
    exit 0
fi
mkdir "$tmp/work"
# shellcheck disable=SC2086
"$tmp/ldb_oracle" "$tmp/work" $SEEDS >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out"
if [ "$rc" != 0 ]; then
    echo "not ok - $name oracle exited $rc (seeds $SEEDS)"
    sed 's/^/#   /' "$tmp/err" | head -10
fi
if grep -q '^not ok' "$tmp/out"; then echo "# rerun with IDBPQ_LEVELDB_SEEDS=\"$SEEDS\""; fi
exit 0
