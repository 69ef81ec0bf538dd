// pull.mjs — the other client's side of bench/sync: a browser that keeps chat.messages in its
// IndexedDB pulls the same 1 % change that `idbpq sync` pushed, through web/sync.js over the
// S3-style HTTP store of tests/web/table_server.mjs, in headless Chromium. Side by side:
//   full import   importParquet (web/idbpq.js) of the store's full export into an empty store
//   first pull    syncStore(direction 'pull') of the whole table into an empty store
//   pull, 1 %     syncStore(direction 'pull') of version 1 (recent, then random): only the
//                 changed keys are looked up
//   sync, 1 %     syncStore(both directions) of the same change: the whole store is read to
//                 find the client's own changes
//
//   node bench/sync/pull.mjs --work DIR --export FILE.parquet [--runs R]
//
// DIR holds T0 (the table of the first sync) and T-recent / T-random (after each push), as
// bench.mjs leaves them. The client after its first pull (its Chromium profile) is kept in
// DIR/client and copied for each case, so every case starts from the same store. Prints JSON
// lines {case, s, records, ...} for bench.mjs to put in the table.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startTableServer } from '../../tests/web/table_server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'tests', 'idb', 'package.json'));
const { chromium } = require('playwright-core');
const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.lastIndexOf(n); return i >= 0 ? args[i + 1] : d; };
const W = path.resolve(opt('--work')), EXPORT = path.resolve(opt('--export'));
const RUNS = Number(opt('--runs', '1'));
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const rm = (p) => fs.rmSync(p, { recursive: true, force: true });
const cp = (a, b) => { rm(b); execFileSync('cp', ['-a', a, b]); };
const emit = (o) => console.log(JSON.stringify(o));

// The page: an empty store shaped like chat.messages (the table's description has its indexes).
const PAGE_FN = async ([op, url, fileUrl]) => {
  const sync = await import('/sync.js');
  const { importParquet } = await import('/idbpq.js');
  const open = (name) => new Promise((res, rej) => {
    const q = indexedDB.open(name, 1);
    q.onupgradeneeded = () => {
      const m = q.result.createObjectStore('messages', { keyPath: 'id' });
      m.createIndex('byChannelTime', ['channelId', 'sentAt']);
      m.createIndex('byAuthor', 'author.id');
      m.createIndex('byTag', 'tags', { multiEntry: true });
    };
    q.onsuccess = () => res(q.result);
    q.onerror = () => rej(q.error);
  });
  const count = (db) => new Promise((res) => { const r = db.transaction('messages').objectStore('messages').count(); r.onsuccess = () => res(r.result); });
  const t0 = performance.now();
  if (op === 'import') {
    const db = await open('imported');
    const r = await importParquet(db, 'messages', fileUrl, { mode: 'put' });
    const s = (performance.now() - t0) / 1000;
    return { s, records: r.records, count: await count(r.db) };
  }
  const db = await open('chat');
  const r = await sync.syncStore(db, 'messages', sync.httpTable(url), { direction: op === 'sync' ? 'both' : 'pull' });
  const s = (performance.now() - t0) / 1000;
  return { s, scanned: r.scanned, pulled: r.pulled, pushed: r.pushed, to: r.toVersion, count: await count(db) };
};

async function inBrowser(profileDir, srv, op, table) {
  const ctx = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ARGS });
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    page.setDefaultTimeout(3600000);
    await page.goto(`${srv.url}/t/sync.html`);
    return await page.evaluate(PAGE_FN, [op, `${srv.bucket}/${table}`, `${srv.bucket}/export.parquet`]);
  } finally {
    await ctx.close();
  }
}

const S3 = path.join(W, 'pull-s3');
rm(S3);
fs.mkdirSync(S3, { recursive: true });
fs.copyFileSync(EXPORT, path.join(S3, 'export.parquet'));
const srv = await startTableServer({ dir: S3 });
try {
  // The full import, into an empty store of a fresh profile.
  for (let i = 0; i < RUNS; i++) {
    rm(path.join(W, 'client-import'));
    const r = await inBrowser(path.join(W, 'client-import'), srv, 'import');
    emit({ case: 'full import (importParquet)', ...r });
  }
  // The first pull; the client it leaves is the starting point of the others.
  const base = path.join(W, 'client');
  cp(path.join(W, 'T0'), path.join(S3, 't'));
  for (let i = 0; i < RUNS; i++) {
    rm(base);
    const r = await inBrowser(base, srv, 'pull', 't');
    emit({ case: 'first pull (syncStore, an empty store)', ...r });
  }
  for (const mode of ['recent', 'random']) {
    for (const op of ['pull', 'sync']) {
      for (let i = 0; i < RUNS; i++) {
        cp(path.join(W, `T-${mode}`), path.join(S3, 't'));
        const c = path.join(W, 'client-case');
        cp(base, c);
        const r = await inBrowser(c, srv, op, 't');
        emit({ case: `${op === 'pull' ? 'pull' : 'sync (both ways)'} after 1 % changed, ${mode}`, ...r });
      }
    }
  }
} finally {
  await srv.close();
  rm(path.join(W, 'client-case'));
}
