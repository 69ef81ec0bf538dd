#!/usr/bin/env bash
# 71_mapping_duckdb.sh — records <-> Parquet against DuckDB (tests/mapping/duckdb_check.mjs):
#   1. `idbpq pack` of small tagged JSON cases (tests/mapping/pack_cases.mjs): DuckDB's DESCRIBE
#      shows the SQL types of the mapping rules, DuckDB reads the input's values, and
#      `idbpq records` prints the input records back;
#   2. Parquet files DuckDB writes (tests/mapping/foreign_cases.mjs): `idbpq records` prints
#      what the foreign-file rules give for the values DuckDB reads from the same files, with
#      the reader's options.
# One "ok - mapping-duckdb ..." / "not ok - ..." line per check. Needs node and
# tests/oracle/node_modules (make deps); FILTER=substring limits the cases.
set -u
cd "$(dirname "$0")/../.."
IDBPQ=${IDBPQ:-./idbpq}
if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: mapping-duckdb (node is not installed)"; exit 0; fi
if [ ! -d tests/oracle/node_modules/@duckdb/node-api ]; then
    echo "# SKIPPED: mapping-duckdb (no tests/oracle/node_modules: make deps)"; exit 0
fi
if [ ! -x "$IDBPQ" ]; then echo "not ok - mapping-duckdb: $IDBPQ missing (make)"; exit 0; fi
if ! "$IDBPQ" pack --help >/dev/null 2>&1 || ! "$IDBPQ" records --help >/dev/null 2>&1; then
    echo "not ok - mapping-duckdb: $IDBPQ has no pack/records command"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node tests/mapping/duckdb_check.mjs "$IDBPQ" "$tmp" "${FILTER:-}"
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || echo "not ok - mapping-duckdb: duckdb_check.mjs exited $rc"
exit 0
