#!/usr/bin/env bash
# 69_profile_keypath1.sh — Chromium's SQLite backend stores a key path as text with an
# array's members joined by spaces, so the one-member array ["x"] and the string "x" are the
# same bytes (Chromium itself reads "x" back after a restart). idbpq tells them apart from a
# record (docs/profiles.md). Real headless Chromium writes a store with keyPath ["x"] and one
# with keyPath "x" whose value at x is an array [7] (keys [7] there too); `idbpq ls --json`
# must give ["x"] and "x", and the exported Parquet must give back the keys IndexedDB returned.
set -u
cd "$(dirname "$0")/../.."
IDBPQ=${IDBPQ:-./idbpq}
name=profile-keypath1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: $name (node is not installed)"; exit 0; fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then echo "# SKIPPED: $name (no /usr/bin/chromium)"; exit 0; fi
if [ ! -d tests/idb/node_modules/playwright-core ]; then echo "# SKIPPED: $name (no tests/idb/node_modules)"; exit 0; fi
cat >"$tmp/write.mjs" <<'JS'
import path from 'node:path';
import { createRequire } from 'node:module';
import { CHROMIUM_ARGS, makeServer, listen, step } from '../tools/make_profile.mjs';
JS
sed -i "s|'../tools/make_profile.mjs'|'$PWD/tools/make_profile.mjs'|" "$tmp/write.mjs"
cat >>"$tmp/write.mjs" <<'JS'
const require = createRequire(path.join(process.env.REPO, 'tests', 'idb', 'package.json'));
const { chromium } = require('playwright-core');
const server = makeServer();
const port = await listen(server, 0);
const ctx = await chromium.launchPersistentContext(process.argv[2], { executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true, timeout: 60000, args: [...CHROMIUM_ARGS, '--enable-features=IdbSqliteBackingStore'] });
const page = await ctx.newPage();
await step('load', page.goto(`http://127.0.0.1:${port}/`));
const keys = await step('write', page.evaluate(async () => {
  const db = await new Promise((res, rej) => { const r = indexedDB.open('kp', 1); r.onupgradeneeded = () => {
    r.result.createObjectStore('member', { keyPath: ['x'] }); r.result.createObjectStore('string', { keyPath: 'x' }); };
    r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const tx = db.transaction(['member', 'string'], 'readwrite');
  for (const x of [5, 'b', 9]) tx.objectStore('member').put({ x, n: 1 });
  tx.objectStore('string').put({ x: [7], n: 2 });
  tx.objectStore('string').put({ x: 3, n: 3 });
  await new Promise((r) => { tx.oncomplete = r; });
  const out = {};
  for (const s of ['member', 'string']) out[s] = await new Promise((r) => { const q = db.transaction(s).objectStore(s).getAllKeys(); q.onsuccess = () => r(q.result); });
  return JSON.stringify(out);
}));
await ctx.close(); server.close();
console.log(keys);
JS
if ! (cd "$tmp" && REPO=$OLDPWD timeout 120 node write.mjs "$tmp/prof") >"$tmp/keys.json" 2>"$tmp/node.err"; then
    echo "not ok - $name: the Chromium page failed"; sed 's/^/#   /' "$tmp/node.err" | head -5; exit 0
fi
"$IDBPQ" ls "$tmp/prof" --json >"$tmp/ls.json" 2>"$tmp/ls.err"
kps=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));const s=j.origins[0].databases[0].stores;console.log(s.map(x=>x.name+"="+JSON.stringify(x.keyPath)).join(" "))' "$tmp/ls.json")
if [ "$kps" = 'member=["x"] string="x"' ]; then
    echo "ok - $name ls: $kps"
else
    echo "not ok - $name ls: $kps (want member=[\"x\"] string=\"x\")"; sed 's/^/#   /' "$tmp/ls.err" | head -3
fi
"$IDBPQ" export "$tmp/prof" -o "$tmp/out" --quiet 2>"$tmp/exp.err"
got=$(for s in member string; do "$IDBPQ" records "$tmp"/out/*/kp/$s.parquet | node -e 'const l=require("fs").readFileSync(0,"utf8").trim().split("\n").map(x=>JSON.parse(x).key);process.stdout.write(JSON.stringify(l))'; echo; done | paste -sd' ')
want=$(node -e 'const k=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(JSON.stringify(k.member)+" "+JSON.stringify(k.string))' "$tmp/keys.json")
if [ "$got" = "$want" ]; then
    echo "ok - $name export: keys as IndexedDB returned them: $got"
else
    echo "not ok - $name export: keys $got, IndexedDB returned $want"; sed 's/^/#   /' "$tmp/exp.err" | head -3
fi
