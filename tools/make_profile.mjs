// make_profile.mjs — a real Chromium user-data dir with IndexedDB data, and the truth about it.
//
//   node tools/make_profile.mjs --out DIR --seed S [--backend leveldb|sqlite|both] [--records N]
//                               [--chromium PATH] [--quiet]
//
// Serves tests/chromium/page.js and tools/profile_page.js on 127.0.0.1 ports (and localhost when
// Chromium reaches it), launches headless Chromium on DIR (persistent context) and, per backend,
// writes three origins: a chat app (databases "chat", "données", "a/b:c"), a notes/todo app
// ("notes", "todo") and "types" (every structured-clone type and key type, values Chromium
// snappy-compresses or moves into blob files). --records N (default 3000) is spread over them.
// The SQLite backend is a second launch with --enable-features=IdbSqliteBackingStore on new
// origins (other ports). After each backend's launch, Chromium is started again on DIR and
// reads every origin back through IndexedDB; that is the truth:
//   DIR/truth/<originId>/<safeName(db)>/<safeName(store)>.jsonl  {"key":..,"value":..} per record
//   DIR/truth/ls.json   {"origins":[{"origin","backend","databases":[{"name","version","stores":
//                       [{"name","keyPath","autoIncrement","records","indexes":[...]}]}]}]}
// Exit 0 on success, 1 on failure (message on stderr), 3 with "# SKIPPED: why" when Chromium or
// playwright-core is missing.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');

// File-safe form of a database or store name (the CLI uses the same rule): the name's UTF-8
// bytes (a lone surrogate first becomes U+FFFD); [A-Za-z0-9_-], bytes >= 0x80 and '.' (except
// as the first byte) are kept, every other byte is written %XX (uppercase hex); "" is "%".
export function safeName(name) {
  if (name === '') return '%';
  const bytes = Buffer.from(String(name).toWellFormed(), 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    const keep = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ||
      c === 0x5f || c === 0x2d || c >= 0x80 || (c === 0x2e && i > 0);
    out += keep ? String.fromCharCode(c) : '%' + c.toString(16).toUpperCase().padStart(2, '0');
  }
  // Kept bytes >= 0x80 are a valid UTF-8 sequence: decode the kept runs back to text.
  return Buffer.from(out, 'latin1').toString('utf8');
}

// Chromium's directory name for an http origin (indexeddb-on-disk.md §0).
export function originId(host, port) { return `http_${host}_${port}`; }

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const ROLES = [['chat', 0.45], ['notes', 0.25], ['types', 0.30]];
const STEP_MS = 60000;

function parseArgs(argv) {
  const o = { out: null, seed: 1, backend: 'both', records: 3000, chromium: process.env.CHROMIUM || '/usr/bin/chromium', quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    if (a === '--out') o.out = v();
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--backend') o.backend = v();
    else if (a === '--records') o.records = Number(v());
    else if (a === '--chromium') o.chromium = v();
    else if (a === '--quiet') o.quiet = true;
    else usage(`unknown argument ${a}`);
  }
  if (!o.out) usage('--out DIR is required');
  if (!Number.isInteger(o.seed)) usage('--seed must be an integer');
  if (!Number.isInteger(o.records) || o.records < 0) usage('--records must be a non-negative integer');
  if (!['leveldb', 'sqlite', 'both'].includes(o.backend)) usage('--backend is leveldb, sqlite or both');
  return o;
}
function usage(msg) {
  process.stderr.write(`make_profile: ${msg}\nusage: node tools/make_profile.mjs --out DIR --seed S ` +
    '[--backend leveldb|sqlite|both] [--records N] [--chromium PATH] [--quiet]\n');
  process.exit(2);
}

// Every browser step gets a deadline: a hung Chromium fails the run instead of stalling it.
export function step(what, promise, ms = STEP_MS) {
  let timer;
  return Promise.race([promise, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what}: no answer after ${ms / 1000} s`)), ms); })])
    .finally(() => clearTimeout(timer));
}

function mulberry(a) {
  return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

export function makeServer() {
  const files = { '/page.js': path.join(root, 'tests', 'chromium', 'page.js'), '/profile_page.js': path.join(here, 'profile_page.js') };
  return http.createServer((req, res) => {
    if (files[req.url]) { res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }); res.end(fs.readFileSync(files[req.url])); return; }
    if (req.url === '/favicon.ico') { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><meta charset="utf-8"><title>app</title><script src="/page.js"></script><script src="/profile_page.js"></script>');
  });
}
// Listens on the seed's preferred port, or any free one when that is taken.
export async function listen(server, port) {
  try {
    await new Promise((res, rej) => { server.once('error', rej); server.listen(port, '127.0.0.1', res); });
  } catch {
    await new Promise((res, rej) => { server.once('error', rej); server.listen(0, '127.0.0.1', res); });
  }
  return server.address().port;
}

// Writes the truth files into TDIR (replacing it) from [{origin: {id, backend}, dump: dumpAll()}]
// (the layout described at the top); returns {nstores, nrec}.
export function writeTruth(tdir, truth) {
  fs.rmSync(tdir, { recursive: true, force: true });
  const ls = { origins: [] };
  let nrec = 0, nstores = 0;
  for (const { origin, dump } of truth) {
    const dbs = [];
    for (const db of dump.databases) {
      const stores = [];
      const ddir = path.join(tdir, origin.id, safeName(db.name));
      fs.mkdirSync(ddir, { recursive: true });
      for (const s of db.stores) {
        fs.writeFileSync(path.join(ddir, safeName(s.name) + '.jsonl'), s.lines);
        stores.push({ name: s.name, keyPath: s.keyPath, autoIncrement: s.autoIncrement, records: s.records, indexes: s.indexes });
        nrec += s.records; nstores++;
      }
      dbs.push({ name: db.name, version: db.version, stores });
    }
    ls.origins.push({ origin: origin.id, backend: origin.backend, databases: dbs });
  }
  ls.origins.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  fs.writeFileSync(path.join(tdir, 'ls.json'), JSON.stringify(ls, null, 1) + '\n');
  return { nstores, nrec };
}

// playwright-core's chromium, or exit 3 with "# SKIPPED: why" when it or the browser at
// CHROMIUM_PATH is missing; and a watchdog that ends the process (exit 1, message named WHO)
// after 300 s unless it is cleared.
export function loadChromium(chromiumPath, who) {
  const require = createRequire(path.join(root, 'tests', 'idb', 'package.json'));
  let chromium;
  try { ({ chromium } = require('playwright-core')); } catch {
    console.log('# SKIPPED: playwright-core is not installed (npm ci in tests/idb)'); process.exit(3);
  }
  if (!fs.existsSync(chromiumPath)) { console.log(`# SKIPPED: ${chromiumPath} not found (apt-get install chromium)`); process.exit(3); }
  const watchdog = setTimeout(() => { process.stderr.write(`${who}: gave up after 300 s\n`); process.exit(1); }, 300000);
  watchdog.unref();
  return { chromium, watchdog };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (s) => { if (!o.quiet) process.stderr.write(`# ${s}\n`); };
  const { chromium, watchdog } = loadChromium(o.chromium, 'make_profile');

  const out = path.resolve(o.out);
  fs.mkdirSync(out, { recursive: true });
  const backends = o.backend === 'both' ? ['leveldb', 'sqlite'] : [o.backend];
  const R = mulberry(o.seed ^ 0x9e3779b9);
  const servers = [];
  const origins = []; // {id, url, backend, role}
  let version = '';

  async function launch(features) {
    const args = features ? [...CHROMIUM_ARGS, '--enable-features=' + features] : CHROMIUM_ARGS;
    let ctx;
    try {
      ctx = await chromium.launchPersistentContext(out, { executablePath: o.chromium, headless: true, args, timeout: STEP_MS });
    } catch (e) {
      console.log('# SKIPPED: Chromium does not start: ' + String(e.message).split('\n')[0]); process.exit(3);
    }
    ctx.setDefaultTimeout(STEP_MS);
    if (ctx.browser()) version = ctx.browser().version();
    return ctx;
  }
  async function onPage(ctx, url, fn) {
    const page = await ctx.newPage();
    try {
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await step(`load ${url}`, page.goto(url));
      const ready = await step(`scripts of ${url}`, page.evaluate(() => typeof window.writeOrigin === 'function' && typeof window.tjson === 'function'));
      if (!ready) throw new Error(`${url}: the page scripts did not load ${errors.join('; ')}`);
      return await fn(page);
    } finally { await page.close().catch(() => {}); }
  }

  const truth = [];
  for (const [bi, backend] of backends.entries()) {
    const features = backend === 'sqlite' ? 'IdbSqliteBackingStore' : '';
    const mine = [];
    let ctx = await launch(features);
    try {
      for (const [ri, [role, share]] of ROLES.entries()) {
        const server = makeServer();
        servers.push(server);
        const port = await listen(server, 20000 + Math.floor(R() * 40000));
        // The third origin is localhost when Chromium reaches it.
        let host = '127.0.0.1';
        if (ri === 2) {
          const ok = await onPage(ctx, `http://localhost:${port}/`, async () => true).catch(() => false);
          if (ok) host = 'localhost';
        }
        const url = `http://${host}:${port}/`;
        const n = Math.round(o.records * share);
        const seed = (o.seed * 31 + ri) | 0;
        const t0 = Date.now();
        await onPage(ctx, url, (page) => step(`write ${role} at ${url}`, page.evaluate(([r, s, k, f]) => window.writeOrigin(r, s, k, f), [role, seed, n, backend === 'leveldb'])));
        log(`${backend}: ${role} written at ${url} (${Date.now() - t0} ms)`);
        mine.push({ id: originId(host, port), url, backend, role });
      }
    } finally { await step('close Chromium', ctx.close()).catch(() => {}); }

    // Fresh launch: read everything back from disk through IndexedDB.
    ctx = await launch(features);
    try {
      for (const org of mine) {
        const dump = await onPage(ctx, org.url, (page) => step(`read back ${org.url}`, page.evaluate(() => window.dumpAll())));
        truth.push({ origin: org, dump });
      }
    } finally { await step('close Chromium', ctx.close()).catch(() => {}); }
    origins.push(...mine);
    log(`${backend}: read back`);
  }
  for (const s of servers) s.close();

  // Each origin must be on disk in its backend's layout, and the other launches must not have
  // removed it.
  const idbDir = path.join(out, 'Default', 'IndexedDB');
  for (const org of origins) {
    const dir = path.join(idbDir, org.backend === 'leveldb' ? `${org.id}.indexeddb.leveldb` : org.id);
    if (!fs.existsSync(dir)) throw new Error(`${org.backend} origin ${org.url} is not on disk at ${dir}`);
    if (org.backend === 'sqlite' && fs.existsSync(path.join(idbDir, `${org.id}.indexeddb.leveldb`)))
      throw new Error(`${org.url} was written with LevelDB although the SQLite backend was enabled`);
  }

  // The truth files.
  const { nstores, nrec } = writeTruth(path.join(out, 'truth'), truth);
  console.log(`# chromium ${version}: ${origins.length} origins (${backends.join(', ')}), ${nstores} stores, ${nrec} records in ${out}`);
  clearTimeout(watchdog);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { process.stderr.write('make_profile: ' + (e.stack || e.message) + '\n'); process.exit(1); });
}
