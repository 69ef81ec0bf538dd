// profile_ops.mjs — runs test code in headless Chromium against the IndexedDB of a persistent
// profile, for the sync suites: creating a small app store, and changing it between syncs.
//
//   import { withProfile } from './profile_ops.mjs';
//   const r = await withProfile(DIR, PORT, async (page) => page.evaluate(...));
//
// The page (127.0.0.1:PORT, so the origin and its IndexedDB stay the same across launches)
// defines window.app with helpers: open(db), fill(n, seed), update(ids, fields), del(ids),
// insert(from, n, seed), all(store) -> count. Values cover the mapping's kinds: numbers,
// BigInt, strings (also non-Latin-1), Dates, nested objects, arrays, Maps, bytes, a field of
// mixed types (VARIANT), and an occasional value only `_raw` can hold (a shared reference).
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'idb', 'package.json'));

export const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const PAGE = `<!doctype html><title>sync test</title><script>
const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
const done = (t) => new Promise((res, rej) => { t.oncomplete = res; t.onerror = () => rej(t.error); t.onabort = () => rej(t.error || new Error('abort')); });
function rng(seed) { let x = seed >>> 0; return () => { x = (x + 0x6d2b79f5) | 0; let t = Math.imul(x ^ (x >>> 15), 1 | x);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const WORDS = 'alpha beta gamma delta café naïve Zürich 東京 привет 👍 ticket merge review'.split(' ');
function item(id, r) {
  const w = () => WORDS[Math.floor(r() * WORDS.length)];
  const v = { id, name: w() + ' ' + w() + ' ' + id, n: Math.floor(r() * 1e6), score: r() * 100,
    when: new Date(Date.UTC(2024, 0, 1) + Math.floor(r() * 3e10)), tags: [w(), w()].slice(0, Math.floor(r() * 3)),
    nested: { a: Math.floor(r() * 10), b: w() }, editedAt: new Date(Date.UTC(2025, 0, 1)) };
  if (r() < 0.3) v.big = BigInt(Math.floor(r() * 1e9)) * 1000000000n;
  if (r() < 0.3) v.mixed = r() < 0.5 ? Math.floor(r() * 100) : w();
  if (r() < 0.2) v.bytes = new Uint8Array([id & 255, 1, 2, 3]);
  if (r() < 0.2) v.map = new Map([[w(), 1], ['k' + id, 2]]);
  if (r() < 0.01) { const s = { shared: true }; v.p = s; v.q = s; }
  return v;
}
window.app = {
  async open() {
    const q = indexedDB.open('app', 1);
    q.onupgradeneeded = () => {
      const db = q.result;
      db.createObjectStore('items', { keyPath: 'id' }).createIndex('byName', 'name');
      db.createObjectStore('docs');
    };
    return req(q);
  },
  async fill(n, seed) {
    const db = await this.open(), r = rng(seed);
    const t = db.transaction(['items', 'docs'], 'readwrite');
    for (let i = 1; i <= n; i++) t.objectStore('items').put(item(i, r));
    for (let i = 0; i < Math.ceil(n / 6); i++) t.objectStore('docs').put({ title: 'doc ' + i, body: WORDS[i % WORDS.length].repeat(i % 7 + 1) }, 'doc/' + String(i).padStart(5, '0'));
    await done(t); db.close(); return n;
  },
  // fields: plain object merged into each record (Dates as {$date: ms})
  async update(ids, fields, store = 'items') {
    const db = await this.open(), t = db.transaction(store, 'readwrite'), os = t.objectStore(store);
    const f = {};
    for (const [k, v] of Object.entries(fields)) f[k] = v && typeof v === 'object' && '$date' in v ? new Date(v.$date) : v;
    for (const id of ids) { const g = os.get(id); g.onsuccess = () => os.put(Object.assign(g.result, f, typeof f.name === 'string' ? { name: f.name + ' ' + id } : {})); }
    await done(t); db.close(); return ids.length;
  },
  async del(ids, store = 'items') {
    const db = await this.open(), t = db.transaction(store, 'readwrite');
    for (const id of ids) t.objectStore(store).delete(id);
    await done(t); db.close(); return ids.length;
  },
  async insert(from, n, seed) {
    const db = await this.open(), r = rng(seed), t = db.transaction('items', 'readwrite');
    for (let i = 0; i < n; i++) t.objectStore('items').put(item(from + i, r));
    await done(t); db.close(); return n;
  },
  async count(store = 'items') { const db = await this.open(); const c = await req(db.transaction(store).objectStore(store).count()); db.close(); return c; },
};
</script>`;

// Runs fn(page) with Chromium on the persistent profile DIR, the page at 127.0.0.1:PORT.
export async function withProfile(dir, port, fn) {
  const { chromium } = require('playwright-core');
  const server = http.createServer((q, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise((r, j) => { server.once('error', j); server.listen(port, '127.0.0.1', r); });
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(dir, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ARGS });
    const page = ctx.pages()[0] || await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    const r = await fn(page);
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
    return r;
  } finally {
    if (ctx) await ctx.close();
    server.close();
  }
}
