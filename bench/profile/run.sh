#!/usr/bin/env bash
# bench/profile/run.sh — idbpq export of a Chromium profile against its floor (a bare iteration
# of the same LevelDB with Debian's libleveldb, of the same SQLite records tables with
# libsqlite3), side by side in one run, for both of Chromium's IndexedDB backends. Never
# asserted: prints a Markdown table (records/s, MB/s, peak RSS, ratio to the floor) and writes
# bench/profile/results.md. `make bench` runs it after bench/mapping/run.sh.
#
#   bash bench/profile/run.sh [--backends leveldb,sqlite] [--runs R] [--timeout S]
#
# The profiles are written by real headless Chromium (bench/profile/gen_profile.mjs, minutes per
# backend) and cached in bench/profile/out/<backend>-<records>-v<generator version>/; they are
# generated only when missing. Environment: BENCH_PROFILE_RECORDS (default 1000000; the small
# profile for the memory check has a quarter), BENCH_PROFILE_OUT (default bench/profile/out),
# BUILD (default build), IDBPQ (default ./idbpq), CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
IDBPQ=${IDBPQ:-./idbpq}
PROFILES=${BENCH_PROFILE_OUT:-bench/profile/out}
WORK=$PROFILES/run
N=${BENCH_PROFILE_RECORDS:-1000000}
SMALL=$((N / 4))
VERSION=$(sed -n 's/^export const GEN_VERSION = \([0-9]*\).*/\1/p' bench/profile/gen_profile.mjs)
BACKENDS=leveldb,sqlite
prev=
for a in "$@"; do [ "$prev" = --backends ] && BACKENDS=$a; prev=$a; done

say() { echo "bench/profile: $*" >&2; }
if [ ! -x /usr/bin/time ]; then
    say "installing GNU time (/usr/bin/time)"
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq time >/dev/null
fi
command -v node >/dev/null || { say "node is needed (make deps)"; exit 1; }
[ -x "$IDBPQ" ] || { say "$IDBPQ is missing: run make"; exit 1; }
[ -f "$BUILD/libidbpq.a" ] || { say "$BUILD/libidbpq.a is missing: run make"; exit 1; }
for h in leveldb/c.h sqlite3.h; do
    echo "#include <$h>" | ${CC:-cc} -E - >/dev/null 2>&1 \
        || { say "no <$h>: apt-get install libleveldb-dev libsqlite3-dev"; exit 1; }
done

# The floors, built here against Debian's libraries.
mkdir -p "$WORK"
CFL="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror"
${CC:-cc} $CFL -Iinclude -o "$WORK/floor_leveldb.tmp" bench/profile/floor_leveldb.c "$BUILD/libidbpq.a" \
    -lleveldb -lsqlite3 -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm
${CC:-cc} $CFL -o "$WORK/floor_sqlite.tmp" bench/profile/floor_sqlite.c -lsqlite3
mv -f "$WORK/floor_leveldb.tmp" "$WORK/floor_leveldb"
mv -f "$WORK/floor_sqlite.tmp" "$WORK/floor_sqlite"
# A private copy: a rebuild during the run changes neither the binary under test nor fails on it.
cp "$IDBPQ" "$WORK/idbpq.tmp" && mv -f "$WORK/idbpq.tmp" "$WORK/idbpq"

# The profiles: generated once per generator version (older versions are removed).
for d in "$PROFILES"/*-v*; do
    [ -d "$d" ] || continue
    case "$d" in *-v"$VERSION"|*-v"$VERSION".tmp) ;; *) say "removing $d (older generator)"; rm -rf "$d" ;; esac
done
for b in ${BACKENDS//,/ }; do
    for n in "$N" "$SMALL"; do
        d=$PROFILES/$b-$n-v$VERSION
        [ -f "$d/gen.json" ] && continue
        if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ] || [ ! -d tests/idb/node_modules/playwright-core ]; then
            say "cannot generate $d: needs ${CHROMIUM:-/usr/bin/chromium} and tests/idb/node_modules (make deps)"
            exit 1
        fi
        say "generating $d with headless Chromium ($n records; minutes)"
        node bench/profile/gen_profile.mjs "$d" --backend "$b" --records "$n"
    done
done

exec node bench/profile/bench.mjs --profiles "$PROFILES" --work "$WORK" --idbpq "$WORK/idbpq" \
    --floors "$WORK" --records "$N" --small "$SMALL" --version "$VERSION" \
    --results bench/profile/results.md "$@"
