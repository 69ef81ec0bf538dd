#!/usr/bin/env bash
# 66_profile_export.sh — `idbpq ls` and `idbpq export` on Chromium profiles against what
# IndexedDB itself returned (the truth written by tools/make_profile.mjs).
#   (a) the committed profile tests/data/profile (LevelDB and SQLite origins, made by real
#       Chromium: tests/data/README.md) with its truth tests/data/profile-truth, no browser:
#       - ls --json equals truth/ls.json ("path" aside) from the user-data dir, the profile dir,
#         the IndexedDB dir, one *.indexeddb.leveldb dir and one SQLite origin dir;
#       - export (Parquet) exits 0, export.json lists every store with the truth's record
#         count, and `idbpq records` of each file equals the truth (tests/mapping/cmp_records.c:
#         JS values, property order aside); export --format jsonl equals the truth too;
#       - --origin, --db and --store (repeated) export exactly the stores they name;
#       - the profile's files are unchanged afterwards.
#   (b) fresh profiles from real headless Chromium (tools/make_profile.mjs), for each seed in
#       IDBPQ_PROFILE_SEEDS (default: the date and 7) and each backend (leveldb, sqlite), with
#       IDBPQ_PROFILE_RECORDS records (default 2000): the same ls and export checks.
#       "# SKIPPED: why" without /usr/bin/chromium or tests/idb/node_modules.
# One "ok"/"not ok" line per check. Needs node and build/libidbpq.a (for cmp_records).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
IDBPQ=${IDBPQ:-./idbpq}
SEEDS=${IDBPQ_PROFILE_SEEDS:-"$(date +%Y%m%d) 7"}
NREC=${IDBPQ_PROFILE_RECORDS:-2000}
name=profile-export
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tools/profile_suite.sh

commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
run() { timeout 300 "$IDBPQ" "$@"; }
digest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

# check_ls LABEL PROFILE TRUTH: ls --json from every kind of PATH.
check_ls() {
    local label=$1 prof=$2 truth=$3 bad="" n=0 p o dir summary=""
    local idb="$prof/Default/IndexedDB"
    for p in "$prof" "$prof/Default" "$idb"; do
        n=$((n + 1))
        if ! run ls "$p" --json >"$tmp/ls.json" 2>"$tmp/ls.err"; then
            bad="$bad|ls $p exits $?: $(head -c 200 "$tmp/ls.err")"; continue
        fi
        $CHECK ls-equal "$truth/ls.json" "$tmp/ls.json" >"$tmp/lscmp" 2>&1 || bad="$bad|ls $p: $(head -c 400 "$tmp/lscmp")"
        [ -n "$summary" ] || summary=$(sed -n 's/^# ls: //p' "$tmp/lscmp")
    done
    # One origin directory of each backend.
    for o in $(node -e 'for (const o of JSON.parse(require("fs").readFileSync(process.argv[1])).origins) console.log(o.origin + "," + o.backend)' "$truth/ls.json"); do
        dir=${o%,*}
        case ${o#*,} in leveldb) dir="$idb/$dir.indexeddb.leveldb" ;; *) dir="$idb/$dir" ;; esac
        case " $seen_backends " in *" ${o#*,} "*) continue ;; esac
        seen_backends="$seen_backends ${o#*,}"
        n=$((n + 1))
        if ! run ls "$dir" --json >"$tmp/ls.json" 2>"$tmp/ls.err"; then
            bad="$bad|ls $dir exits $?: $(head -c 200 "$tmp/ls.err")"; continue
        fi
        $CHECK ls-equal "$truth/ls.json" "$tmp/ls.json" "${o%,*}" >"$tmp/lscmp" 2>&1 || bad="$bad|ls $dir: $(head -c 400 "$tmp/lscmp")"
    done
    seen_backends=""
    run ls "$prof" >"$tmp/ls.txt" 2>"$tmp/ls.err" && [ -s "$tmp/ls.txt" ] || bad="$bad|ls $prof (text) failed or printed nothing"
    if [ -z "$bad" ]; then
        echo "ok - $name ls $label: $n paths, $summary"
    else
        echo "not ok - $name ls $label"; echo "$bad" | tr '|' '\n' | sed '/^$/d;s/^/#   /' | head -12
    fi
}

# check_export LABEL PROFILE TRUTH FORMAT [FILTERS...]: export, then every store against the truth.
check_export() {
    local label=$1 prof=$2 truth=$3 fmt=$4
    shift 4
    local out="$tmp/out" bad="" nstores=0 nrec=0 nbad=0 o d s want f got rc
    rm -rf "$out"
    run export "$prof" -o "$out" --format "$fmt" --quiet "$@" >"$tmp/exp.out" 2>"$tmp/exp.err"
    rc=$?
    [ "$rc" = 0 ] || bad="$bad|export exits $rc: $(head -c 300 "$tmp/exp.err")"
    $CHECK plan "$truth/ls.json" "$@" | sort >"$tmp/plan"
    if ! $CHECK export-json "$out/export.json" >"$tmp/ej" 2>"$tmp/ej.err"; then
        bad="$bad|export.json: $(head -c 300 "$tmp/ej.err")"
    else
        grep -v '^damaged' "$tmp/ej" | cut -f1-5 | sort >"$tmp/got"
        if ! cmp -s "$tmp/plan" "$tmp/got"; then
            bad="$bad|export.json stores (origin, database, store, records, file) differ from the truth: $(diff "$tmp/plan" "$tmp/got" | grep '^[<>]' | head -6 | tr '\n' '|')"
        fi
        grep -q '^damaged' "$tmp/ej" && bad="$bad|export.json reports damage: $(grep '^damaged' "$tmp/ej" | head -3 | tr '\n' ' ')"
        awk -F'\t' '$6 != 0 { print }' "$tmp/ej" | grep -v '^damaged' | head -1 | grep -q . && bad="$bad|a store has damaged != 0"
    fi
    # Exactly the planned files, no others.
    (cd "$out" 2>/dev/null && find . -type f -name "*.$fmt" | sed 's|^\./||' | sort) >"$tmp/files"
    cut -f5 "$tmp/plan" | sed "s/\$/.$fmt/" | sort >"$tmp/wantfiles"
    cmp -s "$tmp/files" "$tmp/wantfiles" || bad="$bad|files written differ: $(diff "$tmp/wantfiles" "$tmp/files" | grep '^[<>]' | head -4 | tr '\n' '|')"
    while IFS=$'\t' read -r o d s want f; do
        nstores=$((nstores + 1)); nrec=$((nrec + want))
        if [ ! -f "$out/$f.$fmt" ]; then bad="$bad|$f.$fmt missing"; nbad=$((nbad + want)); continue; fi
        if [ "$fmt" = parquet ]; then
            run records "$out/$f.parquet" >"$tmp/got.jsonl" 2>"$tmp/rec.err" || { bad="$bad|records $f.parquet: $(head -c 200 "$tmp/rec.err")"; nbad=$((nbad + want)); continue; }
        else
            cp "$out/$f.jsonl" "$tmp/got.jsonl"
        fi
        got=$(cmpn "$truth/$f.jsonl" "$tmp/got.jsonl")
        if [ "$got" != 0 ]; then
            nbad=$((nbad + got))
            bad="$bad|$o / $d / $s: $got of $want differ: $(grep -v '^# records' "$tmp/cmp.out" | head -3 | cut -c1-300 | tr '\n' ' ')"
        fi
    done <"$tmp/plan"
    local summary="$nstores stores, $(commas $nrec) records, $(commas $nbad) mismatches"
    if [ -z "$bad" ]; then
        echo "ok - $name $label: $summary"
    else
        echo "not ok - $name $label: $summary"; echo "$bad" | tr '|' '\n' | sed '/^$/d;s/^/#   /' | head -12
    fi
}

# check_profile LABEL PROFILE TRUTH: everything above, on a copy (the copy must not change).
check_profile() {
    local label=$1 prof=$2 truth=$3
    local copy="$tmp/profile-copy"
    rm -rf "$copy"; cp -a "$prof" "$copy"
    digest "$copy" >"$tmp/before"
    seen_backends=""
    check_ls "$label" "$copy" "$truth"
    check_export "export parquet $label" "$copy" "$truth" parquet
    check_export "export jsonl $label" "$copy" "$truth" jsonl --codec zstd
    local first_origin
    first_origin=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).origins[0].origin)' "$truth/ls.json")
    check_export "export --origin $label" "$copy" "$truth" jsonl --origin "$first_origin"
    check_export "export --db $label" "$copy" "$truth" jsonl --db "données"
    check_export "export --db (escaped name) $label" "$copy" "$truth" parquet --db "a/b:c"
    check_export "export --store $label" "$copy" "$truth" jsonl --store messages --store "réglages d’affichage 🎨" --store empty
    local chat_origin
    chat_origin=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).origins.find((o) => o.databases.some((d) => d.name === "chat")).origin)' "$truth/ls.json")
    check_export "export --origin --db --store $label" "$copy" "$truth" parquet --origin "$chat_origin" --db chat --store messages --store contacts --row-group-bytes 65536
    digest "$copy" >"$tmp/after"
    if cmp -s "$tmp/before" "$tmp/after"; then
        echo "ok - $name profile unchanged $label"
    else
        echo "not ok - $name profile unchanged $label: ls/export changed $(diff "$tmp/before" "$tmp/after" | grep '^[<>]' | head -3 | tr '\n' ' ')"
    fi
}

# (a) the committed profile.
check_profile "committed" tests/data/profile tests/data/profile-truth
# The export reads in a second thread (cli/pipe.c); one-record batches make every record a
# hand-over between the threads, where a lost batch or a reused slot would show.
for i in 1 2 3; do
    IDBPQ_EXPORT_BATCH=1 check_export "export one-record batches (run $i)" tests/data/profile \
        tests/data/profile-truth jsonl
done

# (b) fresh profiles from real Chromium.
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then echo "# SKIPPED: $name fresh profiles (no /usr/bin/chromium: apt-get install chromium)"; exit 0; fi
if [ ! -d tests/idb/node_modules/playwright-core ]; then echo "# SKIPPED: $name fresh profiles (no tests/idb/node_modules: npm ci in tests/idb)"; exit 0; fi
for seed in $SEEDS; do
    for backend in leveldb sqlite; do
        rm -rf "$tmp/fresh"
        node tools/make_profile.mjs --out "$tmp/fresh" --seed "$seed" --backend "$backend" --records "$NREC" --quiet >"$tmp/mk.out" 2>&1
        rc=$?
        if [ "$rc" = 3 ]; then grep '^# SKIPPED' "$tmp/mk.out" | sed "s/SKIPPED: /SKIPPED: $name: /"; exit 0; fi
        if [ "$rc" != 0 ]; then
            echo "not ok - $name $backend seed $seed: tools/make_profile.mjs failed (exit $rc)"; sed 's/^/#   /' "$tmp/mk.out" | head; continue
        fi
        cat "$tmp/mk.out"
        # The truth lives inside the user-data dir: move it out, as in the committed layout.
        mv "$tmp/fresh/truth" "$tmp/fresh-truth"
        check_profile "$backend seed $seed" "$tmp/fresh" "$tmp/fresh-truth"
        rm -rf "$tmp/fresh-truth"
    done
done
