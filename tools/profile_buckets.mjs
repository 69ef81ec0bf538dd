// profile_buckets.mjs — a Chromium profile whose IndexedDB lives in a storage bucket
// (navigator.storageBuckets: <profile>/WebStorage/<bucket id>/IndexedDB/, not IndexedDB/),
// with the truth of what IndexedDB returns, in the layout of tools/make_profile.mjs. The
// bucket's origin id is "<origin id>@<bucket name>", as idbpq names it.
//   node tools/profile_buckets.mjs --out DIR --backend leveldb|sqlite [--seed S] [--records N]
// Exit 3 with "# SKIPPED: why" when Chromium or playwright-core is missing.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, makeServer, listen, originId, safeName, step, writeTruth } from './make_profile.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const out = opt('--out'), backend = opt('--backend', 'leveldb');
const seed = Number(opt('--seed', '11')), records = Number(opt('--records', '150'));
const BUCKET = 'inbox';
if (!out || !['leveldb', 'sqlite'].includes(backend)) {
  process.stderr.write('usage: node tools/profile_buckets.mjs --out DIR --backend leveldb|sqlite [--seed S] [--records N]\n');
  process.exit(2);
}
const require = createRequire(path.join(here, '..', 'tests', 'idb', 'package.json'));
let chromium;
try { ({ chromium } = require('playwright-core')); } catch { console.log('# SKIPPED: playwright-core is not installed (npm ci in tests/idb)'); process.exit(3); }
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(exe)) { console.log(`# SKIPPED: ${exe} not found (apt-get install chromium)`); process.exit(3); }

const dir = path.resolve(out);
const server = makeServer();
const port = await listen(server, 0);
const url = `http://127.0.0.1:${port}/`;
const launch = () => chromium.launchPersistentContext(dir, {
  executablePath: exe, headless: true, timeout: 60000,
  args: backend === 'sqlite' ? [...CHROMIUM_ARGS, '--enable-features=IdbSqliteBackingStore'] : CHROMIUM_ARGS,
});
// Runs fn in the page with `indexedDB` resolving to the bucket's factory, so that the page
// scripts of tools/profile_page.js write and read inside the bucket.
async function inBucket(ctx, what, fn, arg) {
  const page = await ctx.newPage();
  try {
    await step('load', page.goto(url));
    return await step(what, page.evaluate(async ([src, a, name]) => {
      if (!navigator.storageBuckets) throw new Error('no navigator.storageBuckets');
      const bucket = await navigator.storageBuckets.open(name);
      Object.defineProperty(window, 'indexedDB', { value: bucket.indexedDB, configurable: true });
      return (0, eval)(src)(a);
    }, [fn.toString(), arg, BUCKET]));
  } finally { await page.close().catch(() => {}); }
}
let version = '';
let ctx = await launch();
try {
  version = ctx.browser() ? ctx.browser().version() : '';
  await inBucket(ctx, 'write', ([s, n]) => window.writeOrigin('chat', s, n, false), [seed, records]);
} finally { await ctx.close().catch(() => {}); }
ctx = await launch();
let dump;
try { dump = await inBucket(ctx, 'read back', () => window.dumpAll(), null); } finally { await ctx.close().catch(() => {}); }
server.close();
const ws = path.join(dir, 'Default', 'WebStorage');
if (!fs.existsSync(ws)) throw new Error(`no ${ws}: the bucket was not stored on disk`);
const id = `${originId('127.0.0.1', port)}@${BUCKET}`;
const { nstores, nrec } = writeTruth(path.join(dir, 'truth'), [{ origin: { id, backend }, dump }]);
// Records under the file-safe origin name, as idbpq export writes them ('@' is not kept).
fs.renameSync(path.join(dir, 'truth', id), path.join(dir, 'truth', safeName(id)));
console.log(`# chromium ${version}: bucket ${id} (${backend}), ${nstores} stores, ${nrec} records`);
