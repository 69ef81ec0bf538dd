#!/usr/bin/env bash
# 69_profile_buckets.sh — IndexedDB in storage buckets (navigator.storageBuckets), which
# Chromium keeps under <profile>/WebStorage/<bucket id>/IndexedDB/ instead of IndexedDB/:
# tools/profile_buckets.mjs has real headless Chromium write a chat app's databases into a
# bucket, with each backend, and records what IndexedDB reads back; `idbpq ls --json` must
# list the bucket as origin "<origin id>@<bucket name>" with the truth's databases and stores,
# and `idbpq export --format jsonl` must give every record back.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
IDBPQ=${IDBPQ:-./idbpq}
name=profile-buckets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tools/profile_suite.sh
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then echo "# SKIPPED: $name (no /usr/bin/chromium)"; exit 0; fi
for backend in leveldb sqlite; do
    prof="$tmp/$backend"
    node tools/profile_buckets.mjs --out "$prof" --backend "$backend" >"$tmp/mk.out" 2>&1
    rc=$?
    if [ "$rc" = 3 ]; then grep '^# SKIPPED' "$tmp/mk.out" | sed "s/SKIPPED: /SKIPPED: $name: /"; exit 0; fi
    if [ "$rc" != 0 ]; then
        echo "not ok - $name $backend: tools/profile_buckets.mjs failed (exit $rc)"; sed 's/^/#   /' "$tmp/mk.out" | head; continue
    fi
    cat "$tmp/mk.out"
    mv "$prof/truth" "$tmp/truth-$backend"
    truth="$tmp/truth-$backend"
    bad=""
    "$IDBPQ" ls "$prof" --json >"$tmp/ls.json" 2>"$tmp/ls.err" || bad="ls exits $?: $(head -c 200 "$tmp/ls.err")"
    [ -n "$bad" ] || $CHECK ls-equal "$truth/ls.json" "$tmp/ls.json" >"$tmp/lscmp" 2>&1 || bad="ls: $(head -c 400 "$tmp/lscmp")"
    rm -rf "$tmp/out"
    "$IDBPQ" export "$prof" -o "$tmp/out" --format jsonl --quiet 2>"$tmp/exp.err" || bad="$bad export exits $?: $(head -c 200 "$tmp/exp.err")"
    n=0; nbad=0
    for t in $(cd "$truth" && find . -name '*.jsonl' | sort); do
        n=$((n + $(grep -c . "$truth/$t")))
        if [ -f "$tmp/out/$t" ]; then
            d=$(cmpn "$truth/$t" "$tmp/out/$t"); nbad=$((nbad + d))
            [ "$d" = 0 ] || bad="$bad $t: $d differ"
        else
            bad="$bad $t missing"
        fi
    done
    if [ -z "$bad" ] && [ "$n" -gt 0 ]; then
        echo "ok - $name $backend: $(sed -n 's/^# ls: //p' "$tmp/lscmp"), $n records, 0 mismatches"
    else
        echo "not ok - $name $backend: $n records, $nbad mismatches; $bad" | cut -c1-600
    fi
done
