#!/usr/bin/env bash
# 64_ldb_keys.sh — Chromium's LevelDB key coding (src/idb/ldb_coding.h) against a profile real
# Chromium wrote. A small page (inline below) makes object stores with string, array and no key
# paths and autoIncrement, indexes (plain, unique, multiEntry, array key path), records under
# keys of every type (numbers, dates, strings with lone surrogates, binary, nested arrays), Blobs,
# Files, a large value Chromium moves into a blob file, deletions, a deleted store, index and
# database, and a second database. tests/chromium/ldb_keys_check.c (built here against
# build/libidbpq.a and libleveldb) walks a copy of the LevelDB with the idb_cmp1 comparator:
# every key must parse to a known kind (the LevelDB Scopes area aside) and rebuild to the same
# bytes, and every value must decode as its kind says. One "ok"/"not ok" line.
# Needs /usr/bin/chromium, tests/idb/node_modules (npm ci in tests/idb) and the leveldb headers
# (Debian: libleveldb-dev); without them it prints "# SKIPPED: why". Seed: IDBPQ_LDB_SEED, else
# the date.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SEED=${IDBPQ_LDB_SEED:-$(date +%Y%m%d)}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=ldb-keys-chromium

if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: $name (node is not installed)"; exit 0; fi
if [ ! -x "$CHROMIUM" ]; then echo "# SKIPPED: $name (no $CHROMIUM: apt-get install chromium)"; exit 0; fi
if [ ! -d tests/idb/node_modules/playwright-core ]; then
    echo "# SKIPPED: $name (no tests/idb/node_modules: npm ci in tests/idb)"; exit 0
fi
if ! echo '#include <leveldb/c.h>' | ${CC:-cc} -E - >/dev/null 2>&1; then
    echo "# SKIPPED: $name (no leveldb headers: apt-get install libleveldb-dev)"; exit 0
fi
if [ ! -f "$BUILD/libidbpq.a" ]; then echo "not ok - $name: $BUILD/libidbpq.a missing (make)"; exit 0; fi
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -Wall -Wextra -Werror -Iinclude -Isrc \
        -o "$tmp/ldb_keys_check" tests/chromium/ldb_keys_check.c "$BUILD/libidbpq.a" \
        -lleveldb -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm 2>"$tmp/cc.err"; then
    echo "not ok - $name: tests/chromium/ldb_keys_check.c does not build"
    sed 's/^/#   /' "$tmp/cc.err" | head -20
    exit 0
fi

cat >"$tmp/page.js" <<'EOF'
// Writes the databases ldb_keys_check reads; returns a count of what it stored.
window.run = async (seed) => {
  let s = seed >>> 0;
  const R = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const int = (n) => Math.floor(R() * n);
  const pick = (a) => a[int(a.length)];
  const str = () => { let r = ''; const n = int(5); for (let i = 0; i < n; i++)
    r += pick(['a', 'b', '\u00e9', '\u65e5', '\ud800', '\udc00', '\0', '\uffff', '\ud83d\ude00']); return r; };
  const key = (d) => { switch (int(d < 2 ? 6 : 5)) {
    case 0: return pick([0, -0, 1, -1.5, 1e300, -Infinity, Infinity, int(1e6)]);
    case 1: return new Date(pick([0, 1e12, -1e12, 8.64e15]));
    case 2: case 3: return str();
    case 4: return new Uint8Array(Array.from({ length: int(5) }, () => int(256))).buffer;
    default: return Array.from({ length: int(3) }, () => key(d + 1)); } };
  const bytes = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = int(256); return b; };
  const done = (r) => new Promise((ok, bad) => { r.onsuccess = () => ok(r.result); r.onerror = () => bad(r.error); });
  const tx = (db, stores, f) => new Promise((ok, bad) => { const t = db.transaction(stores, 'readwrite');
    f(t); t.oncomplete = ok; t.onerror = t.onabort = () => bad(t.error); });
  const open = (name, v, up) => { const r = indexedDB.open(name, v); r.onupgradeneeded = (e) => up(r.result, e, r.transaction); return done(r); };

  await done(indexedDB.deleteDatabase('gone')).catch(() => {});
  const g = await open('gone', 1, (d) => d.createObjectStore('x').put(1, 1));
  g.close();
  await done(indexedDB.deleteDatabase('gone'));

  const db = await open('ldbkeys', 2, (d) => {
    d.createObjectStore('plain');
    const p = d.createObjectStore('people', { keyPath: 'id' });
    p.createIndex('by_name', 'name');
    p.createIndex('by_tags', 'tags', { multiEntry: true });
    p.createIndex('by_pair', ['name', 'age'], { unique: false });
    p.createIndex('by_\u00e9', 'n.\u00e9');
    const a = d.createObjectStore('auto', { keyPath: 'k.id', autoIncrement: true });
    a.createIndex('email', 'email', { unique: true });
    d.createObjectStore('noauto', { autoIncrement: true });
    d.createObjectStore('files');
    d.createObjectStore('tmp').createIndex('x', 'x');
    d.deleteObjectStore('tmp');
    d.createObjectStore('\u65e5\ud800');
  });
  let n = 0;
  await tx(db, ['plain', 'people', 'auto', 'noauto', 'files'], (t) => {
    for (let i = 0; i < 150; i++) { t.objectStore('plain').put({ i, v: str() }, key(0)); n++; }
    for (let i = 0; i < 60; i++) {
      t.objectStore('people').put({ id: key(0), name: str(), age: int(90),
        tags: Array.from({ length: int(4) }, () => key(1)), n: { '\u00e9': key(1) } }); n++; }
    for (let i = 0; i < 20; i++) { t.objectStore('auto').put({ k: {}, email: 'e' + i + str() }); n++; }
    for (let i = 0; i < 5; i++) { t.objectStore('noauto').put(str()); n++; }
    const f = t.objectStore('files');
    f.put(new Blob([bytes(100)], { type: 'text/plain' }), 'blob');
    f.put(new Blob([]), 'empty');
    f.put(new File([bytes(3000)], 'r\u00e9sum\u00e9.pdf', { type: 'application/pdf', lastModified: 1700000000123 }), 'file');
    f.put({ list: [new Blob([bytes(7)]), new File([bytes(9)], 'f', { lastModified: 0 })] }, 'two');
    f.put({ big: bytes(200000) }, 'big'); // Chromium moves values this large into a blob file
    n += 5;
  });
  await tx(db, ['plain', 'people'], (t) => {
    t.objectStore('plain').delete(IDBKeyRange.lowerBound(0.5));
    t.objectStore('people').openCursor().onsuccess = (e) => { const c = e.target.result;
      if (c) { if (R() < 0.3) c.delete(); c.continue(); } };
  });
  db.close();
  const db2 = await open('ldbkeys', 3, (d, e, t) => {
    t.objectStore('people').deleteIndex('by_pair');
    d.deleteObjectStore('noauto');
  });
  db2.close();
  const o = await open('other \u00e9', 7, (d) => d.createObjectStore('s', { keyPath: ['a', 'b'] }).put({ a: 1, b: [2] }));
  o.close();
  return n;
};
EOF

cat >"$tmp/oracle.mjs" <<'EOF'
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
const [root, seed, profile, pagejs, out] = process.argv.slice(2);
const require = createRequire(path.join(root, 'tests', 'idb', 'package.json'));
const { chromium } = require('playwright-core');
const js = fs.readFileSync(pagejs);
const server = http.createServer((req, res) => {
  if (req.url === '/page.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(js); return; }
  res.writeHead(200, { 'content-type': 'text/html' }); res.end('<!doctype html><script src="/page.js"></script>');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
let ctx;
try {
  ctx = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
} catch (e) { console.log('# SKIPPED: Chromium does not start: ' + String(e.message).split('\n')[0]); server.close(); process.exit(3); }
const version = ctx.browser() ? ctx.browser().version() : '';
const page = ctx.pages()[0] || await ctx.newPage();
await page.goto(`http://127.0.0.1:${port}/`);
const n = await page.evaluate((s) => window.run(s), Number(seed));
await ctx.close();
server.close();
const base = path.join(profile, 'Default', 'IndexedDB', `http_127.0.0.1_${port}.indexeddb`);
fs.writeFileSync(out, `${base}.leveldb\n${base}.blob\n`);
console.log(`# chromium ${version}: ${n} records written`);
EOF

mkdir "$tmp/profile"
node "$tmp/oracle.mjs" "$PWD" "$SEED" "$tmp/profile" "$tmp/page.js" "$tmp/dirs.txt" >"$tmp/node.out" 2>&1
rc=$?
if [ "$rc" = 3 ]; then grep '^# SKIPPED' "$tmp/node.out" | sed "s/SKIPPED: /SKIPPED: $name: /"; exit 0; fi
if [ "$rc" != 0 ]; then
    echo "not ok - $name: the Chromium page failed (exit $rc)"; sed 's/^/#   /' "$tmp/node.out" | head; exit 0
fi
cat "$tmp/node.out"
ldb=$(sed -n 1p "$tmp/dirs.txt"); blobs=$(sed -n 2p "$tmp/dirs.txt")
cp -r "$ldb" "$tmp/leveldb-copy"   # LevelDB writes on open: never the profile itself
"$tmp/ldb_keys_check" "$tmp/leveldb-copy" "$blobs" >"$tmp/check.out" 2>&1
crc=$?
summary=$(grep '^# ldb_keys:' "$tmp/check.out" | sed 's/^# ldb_keys: //')
if [ "$crc" = 0 ]; then
    echo "ok - $name seed $SEED: $summary"
else
    echo "not ok - $name seed $SEED: ${summary:-checker exit $crc} (rerun with IDBPQ_LDB_SEED=$SEED)"
    grep -v '^# ldb_keys:' "$tmp/check.out" | head -20 | cut -c1-300
fi
