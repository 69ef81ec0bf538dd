#!/usr/bin/env bash
# 70_mapping_roundtrip.sh — the seeded property test of the record writer and reader
# (tests/mapping/roundtrip.c, built here against build/libidbpq.a and, when it exists,
# build-asan/libidbpq.a): store-like records (typed, mixed, optional, nested fields, keys of
# every type, in-line key paths, exotic values) written in two passes and in one pass, read
# back and compared record by record. One "ok"/"not ok" line per run and seed.
# Seeds: a fixed one (IDBPQ_RT_N records, default 100000), and two more from IDBPQ_TEST_SEED
# (else the time), IDBPQ_RT_N_MORE records each (default 20000); under ASan the fixed seed
# with IDBPQ_RT_N_ASAN records (default 5000). A failure prints the command that reruns it
# (add --runs oob2,... to pick runs, --keep to keep the files, --dump RUN for `idbpq pack` input).
set -u
cd "$(dirname "$0")/../.."
LIBS="-lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm"
FIXED=20240611
N=${IDBPQ_RT_N:-100000}
N_MORE=${IDBPQ_RT_N_MORE:-20000}
N_ASAN=${IDBPQ_RT_N_ASAN:-5000}
S2=${IDBPQ_TEST_SEED:-$(date +%s)}
S3=$((S2 + 1))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# mapping-roundtrip seeds: $FIXED (n=$N), $S2 and $S3 (n=$N_MORE); asan: $FIXED (n=$N_ASAN)"

for build in build build-asan; do
    lib=$build/libidbpq.a
    if [ ! -f "$lib" ]; then
        [ "$build" = build ] && echo "not ok - mapping-roundtrip: $lib missing (run make)"
        [ "$build" = build-asan ] && echo "# SKIPPED: mapping-roundtrip under ASan (no $lib: make asan)"
        continue
    fi
    san="" opt="-O2"
    if nm "$lib" 2>/dev/null | grep -q __asan_; then
        san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
        opt="-O1"
    fi
    bin=$tmp/roundtrip_$build
    # shellcheck disable=SC2086
    if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L $opt -g $san -Wall -Wextra -Wshadow -Werror \
            -Iinclude -Isrc -Itests/unit -o "$bin" tests/mapping/roundtrip.c "$lib" $LIBS \
            2>"$tmp/cc.err"; then
        echo "not ok - mapping-roundtrip ($build): tests/mapping/roundtrip.c does not build"
        sed 's/^/#   /' "$tmp/cc.err" | head -20
        continue
    fi
    if [ -n "$san" ]; then
        runs=("$FIXED $N_ASAN")
        label=" (asan)"
    else
        runs=("$FIXED $N" "$S2 $N_MORE" "$S3 $N_MORE")
        label=""
    fi
    for r in "${runs[@]}"; do
        set -- $r
        ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            TMPDIR="$tmp" "$bin" --seed "$1" --n "$2" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ -n "$san" ]; then
            sed 's/^\(not \)\{0,1\}ok - mapping-roundtrip /&asan /' "$tmp/out"
        else
            cat "$tmp/out"
        fi
        if [ "$rc" != 0 ]; then
            if ! grep -q '^not ok' "$tmp/out"; then
                echo "not ok - mapping-roundtrip$label seed $1: exit $rc"
            fi
            grep -m3 -E 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY' "$tmp/err" | sed 's/^/#   /'
            grep -m5 -E '^ +#[0-9]+ 0x' "$tmp/err" | sed 's/^/#   /'
            echo "#   rerun: ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -g $san -Iinclude -Isrc -Itests/unit" \
                "-o /tmp/roundtrip tests/mapping/roundtrip.c $lib $LIBS && /tmp/roundtrip --seed $1 --n $2"
        fi
    done
done
exit 0
