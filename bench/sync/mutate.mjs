// mutate.mjs — changes 1 % of a store in a copy of a Chromium profile, through real headless
// Chromium, for bench/sync/run.sh: the "app kept writing" between two syncs.
//
//   node bench/sync/mutate.mjs SRC_PROFILE_DIR DST_DIR --origin-port P [--db chat]
//        [--store messages] [--fraction 0.01] [--mode random|recent] [--seed N]
//
// SRC_PROFILE_DIR is a generated profile directory (bench/profile/out/<...>/profile); it is
// copied to DST_DIR/profile and changed there. The page must be served on the port of the
// origin the profile's IndexedDB belongs to (gen.json's origin http_127.0.0.1_<port>).
// Of the changed records 60 % are updated (text and editedAt), 20 % deleted and 20 % inserted
// as new keys after the last one. --mode random picks them uniformly over the store;
// --mode recent picks the last keys (an app editing and appending recent messages).
// DST_DIR/mutate.json says what was done: {updated, deleted, inserted, seconds}.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'tests', 'idb', 'package.json'));
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.lastIndexOf(name); return i >= 0 ? args[i + 1] : def; };
const [SRC, DST] = args;
const PORT = Number(opt('--origin-port', '0'));
const DB = opt('--db', 'chat'), STORE = opt('--store', 'messages');
const FRACTION = Number(opt('--fraction', '0.01'));
const MODE = opt('--mode', 'random');
const SEED = Number(opt('--seed', '7'));
if (!SRC || !DST || !PORT || !['random', 'recent'].includes(MODE)) {
  console.error('usage: mutate.mjs SRC_PROFILE_DIR DST_DIR --origin-port P [--mode random|recent]');
  process.exit(2);
}
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Runs in the page: picks and changes the records in transactions of 2000.
const PAGE = `<!doctype html><title>mutate</title><script>
window.mutate = async (db, store, fraction, mode, seed) => {
  let x = seed >>> 0;
  const rnd = () => { x = (x + 0x6d2b79f5) | 0; let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const d = await new Promise((res, rej) => { const q = indexedDB.open(db); q.onsuccess = () => res(q.result); q.onerror = () => rej(q.error); });
  const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const keys = await req(d.transaction(store).objectStore(store).getAllKeys());
  const n = Math.max(1, Math.round(keys.length * fraction));
  let picked;
  if (mode === 'recent') picked = keys.slice(keys.length - Math.round(n * 0.8));
  else {
    const s = new Set();
    while (s.size < Math.round(n * 0.8)) s.add(keys[Math.floor(rnd() * keys.length)]);
    picked = [...s];
  }
  const upd = picked.filter((_, i) => i % 4 !== 3), del = picked.filter((_, i) => i % 4 === 3);
  const ins = n - upd.length - del.length;
  const last = keys[keys.length - 1];
  const when = new Date(Date.UTC(2026, 10, 1));
  const done = (t) => new Promise((res, rej) => { t.oncomplete = res; t.onerror = () => rej(t.error); t.onabort = () => rej(t.error); });
  for (let i = 0; i < upd.length; i += 2000) {
    const t = d.transaction(store, 'readwrite'), os = t.objectStore(store);
    for (const k of upd.slice(i, i + 2000)) {
      const g = os.get(k);
      g.onsuccess = () => { const v = g.result; v.text = v.text + ' (edited)'; v.editedAt = when; os.put(v); };
    }
    await done(t);
  }
  for (let i = 0; i < del.length; i += 2000) {
    const t = d.transaction(store, 'readwrite'), os = t.objectStore(store);
    for (const k of del.slice(i, i + 2000)) os.delete(k);
    await done(t);
  }
  { const t = d.transaction(store, 'readwrite'), os = t.objectStore(store);
    const g = os.get(keys[0]);
    g.onsuccess = () => { for (let i = 1; i <= ins; i++) { const v = structuredClone(g.result); v.id = last + i; v.text = 'new message ' + i; v.sentAt = when; os.put(v); } };
    await done(t); }
  d.close();
  return { updated: upd.length, deleted: del.length, inserted: ins, total: keys.length };
};
</script>`;

async function main() {
  const { chromium } = require('playwright-core');
  fs.rmSync(DST, { recursive: true, force: true });
  fs.mkdirSync(DST, { recursive: true });
  execFileSync('cp', ['-a', SRC, path.join(DST, 'profile')]);
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise((r) => server.listen(PORT, '127.0.0.1', r));
  const t0 = performance.now();
  const ctx = await chromium.launchPersistentContext(path.join(DST, 'profile'),
    { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ARGS });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('pageerror', (e) => console.error(`mutate: page error: ${e.message}`));
  await page.goto(`http://127.0.0.1:${PORT}/`);
  const r = await page.evaluate(([a, b, c, d, e]) => window.mutate(a, b, c, d, e), [DB, STORE, FRACTION, MODE, SEED]);
  await ctx.close();
  server.close();
  r.seconds = Math.round((performance.now() - t0) / 100) / 10;
  r.mode = MODE;
  fs.writeFileSync(path.join(DST, 'mutate.json'), JSON.stringify(r) + '\n');
  console.error(`mutate: ${MODE}: ${r.updated} updated, ${r.deleted} deleted, ${r.inserted} inserted of ${r.total} in ${r.seconds} s`);
}
main().catch((e) => { console.error('mutate: ' + (e.stack || e.message)); process.exit(1); });
