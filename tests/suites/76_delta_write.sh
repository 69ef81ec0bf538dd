#!/usr/bin/env bash
# 76_delta_write.sh — the Delta writer against DuckDB and an independent replay of the log:
#   tests/delta/write_driver.c (built here against $BUILD/libidbpq.a; it uses the internal
#   headers) creates, appends to, updates and deletes from tables the way the sync engine
#   does; tests/delta/write_check.mjs checks every commit (rows, stats, change data,
#   checkpoints, `idbpq table show --rows`), concurrent writers, a crash before the commit
#   (IDBPQ_TEST_CRASH_BEFORE_COMMIT=1, documented in src/sync/delta_txn.c) and vacuum.
# One "ok - delta-write ..." / "not ok - ..." line per check. Needs node and
# tests/oracle/node_modules (make deps).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
IDBPQ=${IDBPQ:-./idbpq}
name=delta-write
if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: $name (node is not installed)"; exit 0; fi
if [ ! -d tests/oracle/node_modules/@duckdb/node-api ]; then
    echo "# SKIPPED: $name (no tests/oracle/node_modules: make deps)"; exit 0
fi
if [ ! -f "$BUILD/libidbpq.a" ]; then echo "not ok - $name: $BUILD/libidbpq.a missing (make)"; exit 0; fi
if [ ! -x "$IDBPQ" ]; then echo "not ok - $name: $IDBPQ missing (make)"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Werror \
        -Iinclude -Isrc -o "$tmp/write_driver" tests/delta/write_driver.c "$BUILD/libidbpq.a" \
        -lsqlite3 -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm 2>"$tmp/cc.err"; then
    echo "not ok - $name: tests/delta/write_driver.c does not build"
    sed 's/^/#   /' "$tmp/cc.err" | head -20
    exit 0
fi
mkdir "$tmp/tables"
node tests/delta/write_check.mjs "$tmp/write_driver" "$IDBPQ" "$tmp/tables"
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || echo "not ok - $name: write_check.mjs exited $rc"
exit 0
