#!/usr/bin/env bash
# 68_profile_live.sh — `idbpq ls` and `idbpq export` on a profile whose browser is running.
# For each backend (leveldb; sqlite with --enable-features=IdbSqliteBackingStore),
# tools/profile_live.mjs launches headless Chromium on a fresh user-data dir, writes the origins
# of tools/make_profile.mjs (IDBPQ_LIVE_RECORDS records, default 300: a value Chromium
# snappy-compresses, one it moves into a blob file, Blobs and Files) while a page keeps writing
# "ticks" (database "live"), stops the ticks, holds a connection to every database and writes
# the truth (what IndexedDB returns). With Chromium still running:
#   - it holds the files: each LevelDB LOCK / each SQLite database is locked (/proc/locks), and
#     every SQLite database has a -wal file (so that idbpq's copy path is what runs);
#   - ls --json equals the truth; export exits 0, export.json lists every store with the
#     truth's count, and `idbpq records` of every file equals the truth (cmp_records);
#   - then the ticks start again and export runs while Chromium writes: every other store
#     equals the truth, and "ticks" holds the first K ticks exactly (a consistent moment),
#     K at least the count when the export started;
#   - idbpq changes nothing in the profile: under strace (when installed) it opens no profile
#     file for writing, creates, removes, renames or locks nothing there; no file named like
#     idbpq's appears; files that differ before/after are listed as notes (Chromium writes even
#     when the page is idle: it checkpoints SQLite databases, compacts LevelDB);
#   - each run has a fresh TMPDIR, empty afterwards (the idbpq-snapshot-* copy is removed);
#     for SQLite the strace log shows the copy was made.
# Then Chromium is closed. "# SKIPPED: why" without node, Chromium or tests/idb/node_modules.
# Seed: IDBPQ_PROFILE_SEED, else the date; IDBPQ_LIVE_BACKENDS (default "leveldb sqlite").
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
IDBPQ=${IDBPQ:-./idbpq}
SEED=${IDBPQ_PROFILE_SEED:-$(date +%Y%m%d)}
NREC=${IDBPQ_LIVE_RECORDS:-300}
BACKENDS=${IDBPQ_LIVE_BACKENDS:-leveldb sqlite}
name=profile-live
tmp=$(cd "$(mktemp -d)" && pwd -P)
live_pid=""
cleanup() {
    exec 3>&- 4<&- 2>/dev/null
    if [ -n "$live_pid" ] && kill -0 "$live_pid" 2>/dev/null; then
        sleep 2; kill "$live_pid" 2>/dev/null; wait "$live_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
. tools/profile_suite.sh
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then echo "# SKIPPED: $name (no ${CHROMIUM:-/usr/bin/chromium}: apt-get install chromium)"; exit 0; fi
if [ ! -d tests/idb/node_modules/playwright-core ]; then echo "# SKIPPED: $name (no tests/idb/node_modules: npm ci in tests/idb)"; exit 0; fi
STRACE=""
if command -v strace >/dev/null 2>&1 && strace -f -qq -o /dev/null true 2>/dev/null; then STRACE=strace
else echo "# SKIPPED: $name strace checks (no working strace: only before/after digests are compared)"; fi

# idbpq_run LOG ARGS...: idbpq with a fresh TMPDIR ($tmp/tmpdir), under strace when there is one
# (its log in LOG).
idbpq_run() {
    local log=$1; shift
    rm -rf "$tmp/tmpdir"; mkdir "$tmp/tmpdir"
    if [ -n "$STRACE" ]; then
        TMPDIR="$tmp/tmpdir" timeout 300 strace -f -qq -y -o "$log" -e trace=%file,fcntl,flock "$IDBPQ" "$@"
    else
        : >"$log"; TMPDIR="$tmp/tmpdir" timeout 300 "$IDBPQ" "$@"
    fi
}
# writes_in LOG DIR: the syscalls of LOG that write, create, remove, rename or lock in DIR.
writes_in() {
    grep -F -- "$2" "$1" | grep -E '(O_WRONLY|O_RDWR|O_CREAT|O_TRUNC)|^[0-9]+ +(creat|mkdir|mkdirat|mknod|mknodat|rmdir|unlink|unlinkat|rename|renameat|renameat2|link|linkat|symlink|symlinkat|chmod|fchmod|fchmodat|chown|fchown|fchownat|lchown|truncate|ftruncate|utime|utimes|utimensat|futimesat|setxattr|lsetxattr|removexattr|lremovexattr|flock)\(|F_SETLK|F_SETLKW|F_OFD_SETLK' | head -5
}
digest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
# send WORD WANT: a command to tools/profile_live.mjs and its answer ("WANT ...") in $reply.
send() {
    [ -z "$1" ] || echo "$1" >&3
    reply=""
    IFS= read -r -t 240 reply <&4 || true
    case $reply in "$2"*) return 0 ;; esac
    return 1
}

# check_after LABEL LOG PROFILE BEFORE: what one idbpq run left in the profile and in TMPDIR.
check_after() {
    local label=$1 log=$2 prof=$3 before=$4 bad="" w
    if [ -n "$(ls -A "$tmp/tmpdir")" ]; then bad="$bad|TMPDIR not empty after: $(ls -A "$tmp/tmpdir" | head -3 | tr '\n' ' ')"; fi
    if [ -n "$STRACE" ]; then
        w=$(writes_in "$log" "$prof")
        [ -z "$w" ] || bad="$bad|idbpq wrote in the profile: $(echo "$w" | cut -c1-300 | tr '|\n' ',|')"
    fi
    find "$prof" -iname '*idbpq*' | head -3 >"$tmp/named"
    [ ! -s "$tmp/named" ] || bad="$bad|files named like idbpq's in the profile: $(tr '\n' ' ' <"$tmp/named")"
    digest "$prof/Default/IndexedDB" >"$tmp/after"
    if ! cmp -s "$before" "$tmp/after"; then
        diff "$before" "$tmp/after" | grep '^[<>]' | awk '{ print $1, $3 }' | sort -k2 -u >"$tmp/changed"
        [ "$idle" = 0 ] || echo "# note: $label: files that changed in the IndexedDB directory while idbpq ran: $(awk '{ print $2 }' "$tmp/changed" | head -6 | tr '\n' ' ')"
    fi
    if [ -z "$bad" ]; then echo "ok - $name $label: profile untouched by idbpq, TMPDIR empty after${STRACE:+ (strace)}"
    else echo "not ok - $name $label: profile or TMPDIR"; echo "$bad" | tr '|' '\n' | sed '/^$/d;s/^/#   /' | head -8; fi
}

# check_stores PLAN OUT: every store of PLAN against the truth, from the files in OUT.
# With ticks=K0 set, the store "ticks" holds K >= K0 records equal to the first K lines of
# $truth/ticks-final.jsonl.
check_stores() {
    local plan=$1 out=$2 bad="" nstores=0 nrec=0 nbad=0 o d s want f got k
    while IFS=$'\t' read -r o d s want f; do
        nstores=$((nstores + 1))
        if ! timeout 300 "$IDBPQ" records "$out/$f.parquet" >"$tmp/got.jsonl" 2>"$tmp/rec.err"; then
            bad="$bad|records $f.parquet: $(head -c 200 "$tmp/rec.err")"; nbad=$((nbad + want)); nrec=$((nrec + want)); continue
        fi
        if [ -n "$ticks" ] && [ "$d/$s" = live/ticks ]; then
            k=$(grep -c . "$tmp/got.jsonl")
            [ "$k" -ge "$ticks" ] || bad="$bad|ticks: $k records exported, $ticks were there before the export"
            head -n "$k" "$truth/ticks-final.jsonl" >"$tmp/want.jsonl"
            ticks_seen=$k; want=$k
        else
            cp "$truth/$f.jsonl" "$tmp/want.jsonl"
        fi
        nrec=$((nrec + want))
        got=$(cmpn "$tmp/want.jsonl" "$tmp/got.jsonl")
        if [ "$got" != 0 ]; then
            nbad=$((nbad + got))
            bad="$bad|$o / $d / $s: $got of $want differ: $(grep -v '^# records' "$tmp/cmp.out" | head -3 | cut -c1-300 | tr '\n' ' ')"
        fi
    done <"$plan"
    summary="$nstores stores, $nrec records, $nbad mismatches"
    stores_bad=$bad
}

# run_export TAG: export while the browser runs, into $tmp/out-TAG (strace log
# $tmp/strace.TAG); its exit status in $export_rc.
run_export() {
    digest "$idb" >"$tmp/before"
    rm -rf "$tmp/out-$1"
    idbpq_run "$tmp/strace.$1" export "$prof" -o "$tmp/out-$1" --quiet >"$tmp/exp.out" 2>"$tmp/exp.err"
    export_rc=$?
}
# verify_export LABEL TAG: what run_export TAG wrote against the truth. With $ticks set (the
# export ran while Chromium wrote ticks), "ticks" is checked as check_stores says.
verify_export() {
    local label=$1 tag=$2 bad="" out="$tmp/out-$2" skip='!($2 == "live" && $3 == "ticks")'
    [ -n "$ticks" ] || skip=1
    [ "$export_rc" = 0 ] || bad="$bad|export exits $export_rc: $(head -4 "$tmp/exp.err" | cut -c1-400 | tr '\n' '|')"
    if [ "$backend" = sqlite ] && [ -n "$STRACE" ] && ! grep -q 'idbpq-snapshot-' "$tmp/strace.$tag"; then
        bad="$bad|no idbpq-snapshot-* directory was made: the SQLite copy path did not run"
    fi
    $CHECK plan "$truth/ls.json" | sort >"$tmp/plan"
    if ! $CHECK export-json "$out/export.json" >"$tmp/ej" 2>"$tmp/ej.err"; then
        bad="$bad|export.json: $(head -c 300 "$tmp/ej.err")"
    else
        grep -q '^damaged' "$tmp/ej" && bad="$bad|export.json reports damage: $(grep '^damaged' "$tmp/ej" | head -3 | cut -c1-400 | tr '\n' '|')"
        grep -v '^damaged' "$tmp/ej" | cut -f1-5 | sort | awk -F'\t' "$skip" >"$tmp/got.x"
        awk -F'\t' "$skip" "$tmp/plan" >"$tmp/plan.x"
        cmp -s "$tmp/plan.x" "$tmp/got.x" || bad="$bad|export.json stores differ from the truth: $(diff "$tmp/plan.x" "$tmp/got.x" | grep '^[<>]' | head -6 | tr '\n' '|')"
    fi
    ticks_seen=""
    check_stores "$tmp/plan" "$out"
    bad="$bad$stores_bad"
    [ -z "$ticks" ] || summary="$summary; ticks: ${ticks_seen:-?} exported, $ticks before the export"
    if [ -z "$bad" ]; then echo "ok - $name $label: $summary (browser running)"
    else echo "not ok - $name $label: $summary (browser running)"; echo "$bad" | tr '|' '\n' | sed '/^$/d;s/^/#   /' | head -12; fi
}

for backend in $BACKENDS; do
    prof="$tmp/p-$backend" truth="$tmp/t-$backend" idb="$tmp/p-$backend/Default/IndexedDB"
    rm -f "$tmp/in" "$tmp/out"; mkfifo "$tmp/in" "$tmp/out"
    node tools/profile_live.mjs --out "$prof" --truth "$truth" --backend "$backend" --seed "$SEED" \
        --records "$NREC" <"$tmp/in" >"$tmp/out" 2>"$tmp/live.err" &
    live_pid=$!
    exec 3>"$tmp/in" 4<"$tmp/out"
    if ! send "" ready; then
        case $reply in
        "# SKIPPED"*) echo "${reply/SKIPPED: /SKIPPED: $name: }"; exit 0 ;;
        esac
        echo "not ok - $name $backend: tools/profile_live.mjs did not get ready: ${reply:-no answer}"
        sed 's/^/#   /' "$tmp/live.err" | head -8
        exec 3>&- 4<&-; wait "$live_pid"; live_pid=""; continue
    fi
    ticks=""
    idle=1
    echo "# $name $backend: chromium $(echo "$reply" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p'), $(echo "$reply" | sed -n 's/.*"ticks":\([0-9]*\).*/\1/p') ticks written, browser running"

    # Chromium holds its files.
    bad="" held=""
    if [ "$backend" = leveldb ]; then
        for d in "$idb"/*.indexeddb.leveldb; do
            ino=$(stat -c %i "$d/LOCK" 2>/dev/null) || { bad="$bad|$d has no LOCK"; continue; }
            grep -Eq ":$ino " /proc/locks || bad="$bad|$(basename "$d")/LOCK is not locked"
            held="$held LOCK"
        done
    else
        for f in $(find "$idb" -mindepth 2 -maxdepth 2 -type f ! -name '*-wal' ! -name '*-journal' ! -name '*-shm' | sort); do
            head -c 16 "$f" | grep -q '^SQLite format 3' || continue
            held="$held db"
            if [ ! -e "$f-wal" ]; then bad="$bad|$(basename "$(dirname "$f")")/$(basename "$f") has no -wal file: idbpq opens it in place, its copy path is not tested"
            elif [ ! -s "$f-wal" ]; then echo "# note: $name sqlite: $(basename "$f")-wal is empty"; fi
            grep -Eq ":$(stat -c %i "$f") " /proc/locks || bad="$bad|$(basename "$f") is not locked"
        done
        [ -z "$(find "$idb" -name '*.indexeddb.leveldb')" ] || bad="$bad|a LevelDB origin appeared although the SQLite backend is on"
    fi
    [ -n "$held" ] || bad="$bad|no database files found in $idb"
    what=$([ "$backend" = leveldb ] && echo "LevelDB LOCKs held" || echo "SQLite databases locked, each with a -wal file")
    if [ -z "$bad" ]; then echo "ok - $name $backend: browser holds its files ($(echo $held | wc -w) $what)"
    else echo "not ok - $name $backend: browser holds its files"; echo "$bad" | tr '|' '\n' | sed '/^$/d;s/^/#   /' | head -8; fi

    # ls while Chromium runs, idle.
    digest "$idb" >"$tmp/before"
    if idbpq_run "$tmp/strace.ls" ls "$prof" --json >"$tmp/ls.json" 2>"$tmp/ls.err"; then
        if $CHECK ls-equal "$truth/ls.json" "$tmp/ls.json" >"$tmp/lscmp" 2>&1; then
            echo "ok - $name $backend ls: $(sed -n 's/^# ls: //p' "$tmp/lscmp") (browser running)"
        else
            echo "not ok - $name $backend ls (browser running)"; sed 's/^/#   /' "$tmp/lscmp" | head -4
        fi
    else
        echo "not ok - $name $backend ls (browser running): exit $?: $(head -c 300 "$tmp/ls.err")"
    fi
    check_after "$backend ls" "$tmp/strace.ls" "$prof" "$tmp/before"

    # export while Chromium runs, idle.
    run_export idle
    verify_export "$backend" idle
    check_after "$backend export" "$tmp/strace.idle" "$prof" "$tmp/before"

    # export while Chromium writes; the ticks it must hold are known after "stop".
    if send churn churning; then
        idle=0 ticks=${reply#churning }
        run_export busy
        if send stop stopped; then verify_export "$backend while writing" busy
        else echo "not ok - $name $backend while writing: tools/profile_live.mjs did not stop: ${reply:-no answer}"; sed 's/^/#   /' "$tmp/live.err" | head -6; fi
        check_after "$backend export while writing" "$tmp/strace.busy" "$prof" "$tmp/before"
    else
        echo "not ok - $name $backend while writing: tools/profile_live.mjs did not churn: ${reply:-no answer}"; sed 's/^/#   /' "$tmp/live.err" | head -6
    fi

    send close closed || { echo "not ok - $name $backend: Chromium did not close: ${reply:-no answer}"; sed 's/^/#   /' "$tmp/live.err" | head -6; }
    exec 3>&- 4<&-
    wait "$live_pid"; live_pid=""
    rm -rf "$prof" "$truth" "$tmp"/out-*
done
