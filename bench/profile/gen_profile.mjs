// gen_profile.mjs — a Chromium profile with N records of a chat + notes app, written by real
// headless Chromium (page.js) through IndexedDB, for bench/profile/run.sh.
//
//   node bench/profile/gen_profile.mjs OUTDIR [--backend leveldb|sqlite] [--records N]
//        [--tabs K] [--batch B]
//
// OUTDIR/profile is the user-data directory (Default/IndexedDB/... inside); OUTDIR/gen.json
// says what was written: {version, backend, records, stores, blobs, seconds, write_seconds,
// chromium, chromium_full, origin, indexeddb (paths relative to OUTDIR), bytes, files}. The profile is built in OUTDIR.tmp and renamed
// when complete, so an interrupted run leaves nothing that looks finished.
// --backend sqlite launches Chromium with --enable-features=IdbSqliteBackingStore.
// --tabs K: K tabs of the same origin write disjoint ranges at once (default 1); --batch B puts
// per readwrite transaction (default 5000), two transactions in flight per tab.
// Records are deterministic (page.js): the same N gives the same records for both backends.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const GEN_VERSION = 1;   // bump when page.js or this file changes what is written

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'tests', 'idb', 'package.json'));
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.lastIndexOf(name); return i >= 0 ? args[i + 1] : def; };
const OUTDIR = path.resolve(args[0] || '');
const BACKEND = opt('--backend', 'leveldb');
const N = Number(opt('--records', '1000000'));
const TABS = Number(opt('--tabs', '1'));
const BATCH = Number(opt('--batch', '5000'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
if (!args[0] || !['leveldb', 'sqlite'].includes(BACKEND) || !(N >= 1000)) {
  console.error('usage: gen_profile.mjs OUTDIR [--backend leveldb|sqlite] [--records N>=1000] [--tabs K] [--batch B]');
  process.exit(2);
}
if (BACKEND === 'sqlite') ARGS.push('--enable-features=IdbSqliteBackingStore');

function duBytes(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of fs.readdirSync(p)) n += duBytes(path.join(p, e));
  return n;
}
function countFiles(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return 1;
  let n = 0;
  for (const e of fs.readdirSync(p)) n += countFiles(path.join(p, e));
  return n;
}

async function main() {
  const { chromium } = require('playwright-core');
  const tmp = OUTDIR + '.tmp';
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const js = fs.readFileSync(path.join(here, 'page.js'));
  const server = http.createServer((req, res) => {
    if (req.url === '/page.js') { res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }); res.end(js); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>profile</title><script src="/page.js"></script>');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  const t0 = performance.now();
  const ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'),
    { executablePath: CHROMIUM, headless: true, args: ARGS });
  const pages = [ctx.pages()[0] || await ctx.newPage()];
  while (pages.length < TABS) pages.push(await ctx.newPage());
  for (const p of pages) {
    p.on('pageerror', (e) => console.error(`gen_profile: page error: ${e.message}`));
    await p.goto(`http://127.0.0.1:${port}/`);
  }
  const ua = await pages[0].evaluate(() => navigator.userAgent);
  const version = (ua.match(/Chrome\/([\d.]+)/) || [])[1] || '';
  await pages[0].evaluate(() => window.setup());
  const C = await pages[0].evaluate((n) => window.counts(n), N);

  // Jobs: the small stores whole, the messages in chunks; each tab takes the next job.
  const jobs = [['users', 0, C.users], ['channels', 0, C.channels], ['notes', 0, C.notes], ['files', 0, C.files]];
  const chunk = Math.max(BATCH, Math.ceil(C.messages / (TABS * 8) / BATCH) * BATCH);
  for (let s = 0; s < C.messages; s += chunk) jobs.push(['messages', s, Math.min(C.messages, s + chunk)]);
  let blobs = 0, done = 0, next = 0;
  const tw = performance.now();
  await Promise.all(pages.map(async (p) => {
    while (next < jobs.length) {
      const [store, s, e] = jobs[next++];
      const r = await p.evaluate(([st, a, b, n, bt]) => window.write(st, a, b, n, bt), [store, s, e, N, BATCH]);
      blobs += r.blobs;
      done += r.records;
      const el = (performance.now() - tw) / 1000;
      process.stderr.write(`gen_profile: ${BACKEND} ${done}/${N} records, ${el.toFixed(1)} s, ${Math.round(done / el)} records/s\r`);
    }
  }));
  const writeSeconds = (performance.now() - tw) / 1000;
  process.stderr.write('\n');
  const stores = await pages[0].evaluate(() => window.countAll());
  for (const p of pages) await p.evaluate(() => window.closeAll());
  await ctx.close();
  server.close();
  const seconds = (performance.now() - t0) / 1000;

  const idb = path.join('profile', 'Default', 'IndexedDB');
  const origin = `http_127.0.0.1_${port}`;
  const parts = BACKEND === 'leveldb'
    ? [path.join(idb, `${origin}.indexeddb.leveldb`), path.join(idb, `${origin}.indexeddb.blob`)]
    : [path.join(idb, origin)];
  const present = parts.filter((p) => fs.existsSync(path.join(tmp, p)));
  if (!present.length) throw new Error(`no IndexedDB data under ${path.join(tmp, idb)}`);
  if (BACKEND === 'sqlite' && fs.existsSync(path.join(tmp, idb, `${origin}.indexeddb.leveldb`)))
    throw new Error('asked for the SQLite backend, Chromium wrote LevelDB');
  const total = Object.values(stores).reduce((a, b) => a + b, 0);
  if (total !== N) throw new Error(`IndexedDB holds ${total} records, ${N} were written`);
  let full = '';
  try { full = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { full = ''; }
  const info = {
    version: GEN_VERSION, backend: BACKEND, records: total, stores, blobs, tabs: TABS, batch: BATCH,
    seconds: Math.round(seconds * 10) / 10, write_seconds: Math.round(writeSeconds * 10) / 10,
    chromium: version, chromium_full: full, origin, indexeddb: present,
    bytes: present.reduce((a, p) => a + duBytes(path.join(tmp, p)), 0),
    files: present.reduce((a, p) => a + countFiles(path.join(tmp, p)), 0),
  };
  fs.writeFileSync(path.join(tmp, 'gen.json'), JSON.stringify(info, null, 1) + '\n');
  fs.rmSync(OUTDIR, { recursive: true, force: true });
  fs.renameSync(tmp, OUTDIR);
  console.error(`gen_profile: ${BACKEND}: ${total} records (${blobs} Blobs and Files) in ${info.seconds} s ` +
    `(writing ${info.write_seconds} s, ${Math.round(total / writeSeconds)} records/s), ${(info.bytes / 1e6).toFixed(1)} MB on disk, ` +
    `Chromium ${version}`);
}
main().catch((e) => { console.error('gen_profile: ' + (e.stack || e.message)); process.exit(1); });
