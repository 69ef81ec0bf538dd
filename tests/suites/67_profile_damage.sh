#!/usr/bin/env bash
# 67_profile_damage.sh — `idbpq export` on damaged copies of the committed profile
# (tests/data/profile, truth in tests/data/profile-truth); no browser needed. Cases:
#   log-truncated  the LevelDB .log with the most data is cut in the middle of its last write
#                  batch that carries data (tools/profile_check.mjs log-cut);
#   ldb-flipped    one byte is flipped in a data block holding object-store records of the
#                  largest .ldb table (tools/profile_check.mjs ldb-pick);
#   blob-deleted   the largest file of an *.indexeddb.blob directory (a value Chromium moved out
#                  of line) is deleted;
#   sqlite-value   one record's value in the largest SQLite database becomes X'FF15' (sqlite3).
# For each, with ./idbpq and with build-asan/idbpq when it exists: export exits 1 (not a crash,
# not 0), export.json names the damage (file, and offset or key), stderr mentions the damaged
# file, every record that is exported equals the truth (cmp_records: mismatches and extras are
# not allowed, only missing records), and at most IDBPQ_DAMAGE_MAX_MISSING (default 40) records
# are missing. Needs node, sqlite3 (for the last case) and build/libidbpq.a.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
IDBPQ=${IDBPQ:-./idbpq}
MAXMISS=${IDBPQ_DAMAGE_MAX_MISSING:-40}
PROFILE=tests/data/profile
TRUTH=tests/data/profile-truth
name=profile-damage
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tools/profile_suite.sh
bins="$IDBPQ"
if [ -x build-asan/idbpq ]; then
    if build-asan/idbpq export --help >/dev/null 2>&1; then bins="$bins build-asan/idbpq"
    else echo "# SKIPPED: $name with build-asan/idbpq (it has no export command: make asan)"; fi
fi
$CHECK plan "$TRUTH/ls.json" | sort >"$tmp/plan"

largest() { find "$@" -type f -printf '%s %p\n' 2>/dev/null | sort -n | tail -1 | cut -d' ' -f2-; }

# damage CASE: makes $tmp/p (a fresh copy) damaged; sets $target (the damaged file) and $hint
# (what stderr must mention).
damage() {
    rm -rf "$tmp/p"; cp -a "$PROFILE" "$tmp/p"
    local idb="$tmp/p/Default/IndexedDB" off row db
    case $1 in
    log-truncated)
        target=$(largest "$idb"/*.indexeddb.leveldb -name '*.log')
        off=$($CHECK log-cut "$target") || return 1
        truncate -s "$off" "$target" ;;
    ldb-flipped)
        target=$(largest "$idb"/*.indexeddb.leveldb -name '*.ldb')
        [ -n "$target" ] || return 1
        off=$($CHECK ldb-pick "$target") || return 1
        node -e 'const fs=require("fs"),[f,o]=process.argv.slice(1);const fd=fs.openSync(f,"r+"),b=Buffer.alloc(1);fs.readSync(fd,b,0,1,+o);b[0]^=0x5a;fs.writeSync(fd,b,0,1,+o);fs.closeSync(fd)' "$target" "$off" ;;
    blob-deleted)
        target=$(largest "$idb"/*.indexeddb.blob)
        [ -n "$target" ] || return 1
        rm "$target" ;;
    sqlite-value)
        command -v sqlite3 >/dev/null 2>&1 || { echo "# SKIPPED: $name sqlite-value (no sqlite3: apt-get install sqlite3)"; return 2; }
        target=$(largest "$idb" -mindepth 2 -maxdepth 2 ! -path '*.indexeddb.*' ! -name '*-wal' ! -name '*-shm' ! -name '*-journal')
        [ -n "$target" ] || return 1
        row=$(sqlite3 "$target" 'SELECT row_id FROM records ORDER BY row_id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM records)') || return 1
        sqlite3 "$target" "UPDATE records SET value = X'FF15' WHERE row_id = $row" || return 1 ;;
    esac
    hint=$(basename "$target")
    return 0
}

for case in log-truncated ldb-flipped blob-deleted sqlite-value; do
    damage "$case"
    drc=$?
    [ "$drc" = 2 ] && continue
    if [ "$drc" != 0 ]; then echo "not ok - $name $case: could not damage the profile copy (target: ${target:-none})"; continue; fi
    for bin in $bins; do
        label="$case ($bin)"
        out="$tmp/out"; rm -rf "$out"
        timeout 300 "$bin" export "$tmp/p" -o "$out" --quiet >"$tmp/exp.out" 2>"$tmp/exp.err"
        rc=$?
        bad=""
        [ "$rc" = 1 ] || bad="$bad|export exits $rc, expected 1 (${target#$tmp/p/}): $(grep -v '^$' "$tmp/exp.err" | head -3 | cut -c1-300 | tr '\n' ' ')"
        grep -q 'ERROR: AddressSanitizer\|runtime error:' "$tmp/exp.err" && bad="$bad|sanitizer: $(grep -m1 'ERROR: AddressSanitizer\|runtime error:' "$tmp/exp.err" | cut -c1-300)"
        grep -qF "$hint" "$tmp/exp.err" || bad="$bad|stderr does not mention $hint"
        nmiss=0; ndamaged=0
        if ! $CHECK export-json "$out/export.json" >"$tmp/ej" 2>"$tmp/ej.err"; then
            bad="$bad|export.json: $(head -c 300 "$tmp/ej.err")"
        else
            grep '^damaged' "$tmp/ej" >"$tmp/dmg"
            ndamaged=$(wc -l <"$tmp/dmg")
            [ "$ndamaged" -gt 0 ] || bad="$bad|export.json lists no damage"
            awk -F'\t' '$3 == "" { exit 1 }' "$tmp/dmg" || bad="$bad|a damage entry has neither offset nor key: $(awk -F'\t' '$3 == ""' "$tmp/dmg" | head -1)"
            grep -qF "$hint" "$tmp/dmg" || bad="$bad|no damage entry names $hint: $(head -2 "$tmp/dmg" | tr '\n' ' ' | cut -c1-300)"
            grep -v '^damaged' "$tmp/ej" | cut -f1-3,5 | sort >"$tmp/got"
            cut -f1-3,5 "$tmp/plan" | sort >"$tmp/want"
            cmp -s "$tmp/want" "$tmp/got" || bad="$bad|export.json stores differ from the truth: $(diff "$tmp/want" "$tmp/got" | grep '^[<>]' | head -4 | tr '\n' '|')"
        fi
        # Every exported record equals the truth; only missing records are allowed.
        while IFS=$'\t' read -r o d s want f; do
            if [ -f "$out/$f.parquet" ]; then
                timeout 300 "$IDBPQ" records "$out/$f.parquet" >"$tmp/got.jsonl" 2>"$tmp/rec.err" || { bad="$bad|records $f.parquet: $(head -c 200 "$tmp/rec.err")"; continue; }
            else
                : >"$tmp/got.jsonl"
            fi
            have=$(grep -c . "$tmp/got.jsonl")
            nb=$(cmpn "$TRUTH/$f.jsonl" "$tmp/got.jsonl")
            if [ "$nb" != $((want - have)) ]; then
                bad="$bad|$o / $d / $s: $have of $want exported, ${nb:-?} differ: $(grep -v '^# records\|^# missing' "$tmp/cmp.out" | head -2 | cut -c1-300 | tr '\n' ' ')"
            fi
            [ "$have" -lt "$want" ] && nmiss=$((nmiss + want - have))
        done <"$tmp/plan"
        [ "$nmiss" -le "$MAXMISS" ] || bad="$bad|$nmiss records missing (at most $MAXMISS expected)"
        summary="${target#$tmp/p/}: exit $rc, $ndamaged damage entries, $nmiss records missing"
        if [ -z "$bad" ]; then
            echo "ok - $name $label: $summary"
        else
            echo "not ok - $name $label: $summary"; echo "$bad" | tr '|' '\n' | sed '/^$/d;s/^/#   /' | head -10
        fi
    done
done
