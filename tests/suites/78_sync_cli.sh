#!/usr/bin/env bash
# 78_sync_cli.sh — `idbpq sync PROFILE TABLE_DIR` on profiles written and changed by real
# headless Chromium (tests/sync/cli_sync_test.mjs): first sync, no-change sync, edits with
# copy-on-write and the Change Data Feed, dry run, conflicts under each policy and their log,
# a crash before the commit, concurrent syncs, a damaged state file, AddressSanitizer. The
# table is checked with `idbpq table show --rows` and, from a replay of its log written in the
# test, with DuckDB. "# SKIPPED: why" without Chromium or the node modules.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
IDBPQ=${IDBPQ:-./idbpq}
name=sync-cli
if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: $name (node is not installed)"; exit 0; fi
if [ ! -x /usr/bin/chromium ] || [ ! -d tests/idb/node_modules/playwright-core ]; then
    echo "# SKIPPED: $name (needs /usr/bin/chromium and tests/idb/node_modules: make deps)"; exit 0
fi
if [ ! -d tests/oracle/node_modules/@duckdb/node-api ]; then
    echo "# SKIPPED: $name (no tests/oracle/node_modules: make deps)"; exit 0
fi
if [ ! -x "$IDBPQ" ] || ! "$IDBPQ" sync --help >/dev/null 2>&1; then
    echo "not ok - $name: $IDBPQ has no sync command (make)"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -Iinclude -o "$tmp/cmp_records" \
        tests/mapping/cmp_records.c "$BUILD/libidbpq.a" -lsqlite3 -lzstd -lz -llz4 -lsnappy \
        -lbrotlienc -lbrotlidec -lm 2>"$tmp/cc.err"; then
    echo "not ok - $name: tests/mapping/cmp_records.c does not build"; sed 's/^/#   /' "$tmp/cc.err" | head; exit 0
fi
ASAN_BIN=
[ -x build-asan/idbpq ] && ASAN_BIN=build-asan/idbpq
timeout 900 node tests/sync/cli_sync_test.mjs "$IDBPQ" "$tmp/cmp_records" "$tmp" $ASAN_BIN
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || echo "not ok - $name: cli_sync_test.mjs exited $rc"
exit 0
