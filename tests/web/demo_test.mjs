// demo_test.mjs — drives the demo page (web/demo/) in headless Chromium, for 74_demo.sh.
// Starts tools/serve.mjs on a free port and checks, printing one "ok - demo ..." or
// "not ok - demo ...: why" line per check:
//   serve       MIME types, / -> /demo/, directory redirects, no way out of web/
//   module      idbpq.js and idbpq.wasm load in the page (everything after needs them)
//   sample      the sample button fills idbpq-demo/contacts with N records; the listing shows
//               the count, the key path and both indexes
//   export      Export (zstd) runs with progress, offers idbpq-demo-contacts.parquet, the
//               download is a Parquet file
//   export cli  `idbpq records` gives the N records (ids, names, emails, dates, tags, a Blob and
//               a BigInt compared with what the page stored); `idbpq schema` has the columns
//   screenshot  the page after the export as a PNG (dimensions = the page's, not blank)
//   import      the downloaded file through the file input into a new store: the count, the
//               store's key path and indexes, inspect's schema and rows, every record equal
//   corrupt     the file with its footer cut, dropped on the page: visible errors naming the
//               file from inspecting and importing it; no store created, the database's
//               version and an existing store's records unchanged (mode replace)
//   page errors no uncaught exception in the page
// Usage: node tests/web/demo_test.mjs OUTDIR [SCREENSHOT]   (exit 3 with "# SKIPPED: why")
// Env: IDBPQ (the CLI, default ./idbpq), DEMO_N (records, default 2000), CHROMIUM,
//      IDBPQ_DEMO_SERVE (another serve.mjs, to try another tree's web/).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
// playwright-core comes from the Chromium key suite's node_modules (tests/idb).
const require = createRequire(path.join(root, 'tests', 'idb', 'package.json'));
const OUT = process.argv[2];
const SHOT = process.argv[3] || path.join(OUT, 'demo-after-export.png');
const N = Number(process.env.DEMO_N || 2000);
const IDBPQ = process.env.IDBPQ || path.join(root, 'idbpq');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SERVE = process.env.IDBPQ_DEMO_SERVE || path.join(root, 'tools', 'serve.mjs');
const WEB = path.join(path.dirname(SERVE), '..', 'web');   // what SERVE serves
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1280, height: 860 };
const STEP_MS = 120000;

const ok = (name, note) => console.log(`ok - demo ${name}${note ? ` (${note})` : ''}`);
function notOk(name, why, details = []) {
  console.log(`not ok - demo ${name}: ${why}`);
  for (const d of details) for (const line of String(d).split('\n').slice(0, 10)) console.log(`#   ${line}`);
}
// A check that throws is a "not ok" (with the stack when it is not a failed assertion); the
// rest still runs.
class Failed extends Error {}
async function check(name, fn) {
  try {
    return await fn();
  } catch (e) {
    notOk(name, String(e.message || e).split('\n')[0], e instanceof Failed ? [] : [e.stack || '']);
    return undefined;
  }
}
function assert(cond, why) { if (!cond) throw new Failed(why); }

// ---------------------------------------------------------------- the server

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVE, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error(`serve.mjs printed no URL in 10 s: ${out}${err}`)); }, 10000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) { clearTimeout(timer); resolve({ child, base: m[0] }); }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve.mjs exited ${code}: ${err.trim()}`)); });
  });
}

// A raw GET: fetch() would normalize "../" away before the server sees it.
function rawGet(base, rawPath) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const r = http.request({ host: u.hostname, port: u.port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    r.on('error', reject);
    r.end();
  });
}

async function checkServe(base) {
  const expect = async (p, status, header, value) => {
    const r = await rawGet(base, p);
    assert(r.status === status, `GET ${p}: status ${r.status}, expected ${status}`);
    if (header) assert(r.headers[header] === value, `GET ${p}: ${header} "${r.headers[header]}", expected "${value}"`);
    return r;
  };
  await expect('/', 302, 'location', '/demo/');
  await expect('/demo', 301, 'location', '/demo/');
  await expect('/demo/', 200, 'content-type', 'text/html; charset=utf-8');
  await expect('/demo/index.html', 200, 'content-type', 'text/html; charset=utf-8');
  await expect('/demo/demo.js', 200, 'content-type', 'text/javascript; charset=utf-8');
  await expect('/demo/demo.css', 200, 'content-type', 'text/css; charset=utf-8');
  const types = ['html', 'js', 'css'];
  if (fs.existsSync(path.join(WEB, 'idbpq.js'))) {
    await expect('/idbpq.js', 200, 'content-type', 'text/javascript; charset=utf-8'); types.push('idbpq.js');
  }
  if (fs.existsSync(path.join(WEB, 'idbpq.wasm'))) {
    await expect('/idbpq.wasm', 200, 'content-type', 'application/wasm'); types.push('wasm');
  }
  await expect('/no-such-file.png', 404);
  // Every way out of web/ to the repository's Makefile must fail.
  const escapes = ['/../Makefile', '/demo/../../Makefile', '/%2e%2e/Makefile', '/..%2fMakefile',
    '/demo/%2e%2e%2f%2e%2e%2fMakefile', '/%2e%2e%5cMakefile', '/demo/..%00/x'];
  for (const p of escapes) {
    const r = await rawGet(base, p);
    assert(r.status !== 200 && !/^\s*#|wasm:/m.test(r.body), `GET ${p} reached outside web/ (status ${r.status})`);
  }
  ok('serve', `MIME types of ${types.join(', ')}; / -> /demo/; ${escapes.length} escapes from web/ refused`);
}

// ---------------------------------------------------------------- the page

// Runs an action and waits until the page has finished it and the listing refresh after it.
async function act(page, action) {
  const before = await page.evaluate(() => Number(document.body.dataset.tasks || 0));
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.tasks || 0) > n && !document.body.dataset.busy,
    before, { timeout: STEP_MS });
}

// Drops a file on an element the way a user's drag and drop does (a drop event carrying it).
async function dropFile(page, selector, file) {
  const b64 = fs.readFileSync(file).toString('base64');
  await page.evaluate(([sel, name, b64]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type: 'application/vnd.apache.parquet' }));
    document.querySelector(sel).dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [selector, path.basename(file), b64]);
}

const errorsShown = (page) => page.$$eval('#messages .msg.error .text', (els) => els.map((e) => e.textContent));

// The listing's row for a store: { count, text } or null.
function storeRow(page, db, store) {
  return page.evaluate(([db, store]) => {
    const tr = [...document.querySelectorAll('#databases tr[data-store]')]
      .find((r) => r.dataset.db === db && r.dataset.store === store);
    return tr ? { count: Number(tr.dataset.count), text: tr.innerText.replace(/\s+/g, ' ') } : null;
  }, [db, store]);
}

function dbState(page, name) {
  return page.evaluate((name) => new Promise((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onerror = () => reject(r.error);
    r.onsuccess = () => {
      const db = r.result;
      const stores = [...db.objectStoreNames];
      const out = { version: db.version, stores, counts: {} };
      if (!stores.length) { db.close(); resolve(out); return; }
      const tx = db.transaction(stores);
      for (const s of stores) tx.objectStore(s).count().onsuccess = (e) => { out.counts[s] = e.target.result; };
      tx.oncomplete = () => { db.close(); resolve(out); };
    };
  }), name);
}

// In the page: every record of store a equals the one under the same key in store b (Blobs by
// content, Dates by time, BigInts, nested objects and arrays, property order aside).
function compareStores(page, dbName, a, b) {
  return page.evaluate(async ([dbName, a, b]) => {
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open(dbName);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const all = (store) => new Promise((resolve, reject) => {
      const s = db.transaction(store).objectStore(store);
      const keys = s.getAllKeys();
      const values = s.getAll();
      values.onsuccess = () => resolve({ keys: keys.result, values: values.result });
      values.onerror = () => reject(values.error);
    });
    const [x, y] = [await all(a), await all(b)];
    db.close();
    let blobs = 0;
    async function same(u, v, where) {
      if (typeof u !== typeof v) return `${where}: ${typeof u} vs ${typeof v}`;
      if (u === null || typeof u !== 'object') return Object.is(u, v) ? null : `${where}: ${String(u)} vs ${String(v)}`;
      if (v === null) return `${where}: null on one side`;
      if (Object.prototype.toString.call(u) !== Object.prototype.toString.call(v)) {
        return `${where}: ${Object.prototype.toString.call(u)} vs ${Object.prototype.toString.call(v)}`;
      }
      if (u instanceof Date) return u.getTime() === v.getTime() || (isNaN(u) && isNaN(v)) ? null : `${where}: ${u.toISOString()} vs ${v.toISOString()}`;
      if (u instanceof Blob) {
        blobs++;
        if (u.type !== v.type || u.size !== v.size) return `${where}: Blob ${u.type}/${u.size} vs ${v.type}/${v.size}`;
        const [p, q] = [new Uint8Array(await u.arrayBuffer()), new Uint8Array(await v.arrayBuffer())];
        return p.every((c, i) => c === q[i]) ? null : `${where}: Blob contents differ`;
      }
      const ku = Object.keys(u).sort();
      const kv = Object.keys(v).sort();
      if (ku.join() !== kv.join()) return `${where}: properties [${ku}] vs [${kv}]`;
      for (const k of ku) {
        const d = await same(u[k], v[k], `${where}.${k}`);
        if (d) return d;
      }
      return null;
    }
    if (x.keys.length !== y.keys.length) return { diff: `${x.keys.length} records vs ${y.keys.length}` };
    for (let i = 0; i < x.keys.length; i++) {
      const d = (await same(x.keys[i], y.keys[i], `key #${i}`)) || (await same(x.values[i], y.values[i], `record ${x.keys[i]}`));
      if (d) return { diff: d };
    }
    return { records: x.keys.length, blobs };
  }, [dbName, a, b]);
}

// The width and height a PNG's IHDR chunk declares.
function pngSize(buf) {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buf.length < 33 || !buf.subarray(0, 8).equals(sig) || buf.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), complete: buf.toString('latin1', buf.length - 8, buf.length - 4) === 'IEND' };
}

// ---------------------------------------------------------------- the steps

async function run(page, base) {
  await page.goto(base + 'demo/');
  const state = await page.waitForFunction(() => document.body.dataset.module, null, { timeout: 60000 })
    .then((h) => h.jsonValue()).catch(() => 'timeout');
  if (state !== 'ready') {
    const why = state === 'timeout' ? 'the page did not finish loading idbpq.js in 60 s'
      : await page.evaluate(() => document.body.dataset.moduleError);
    notOk('module', `idbpq.js failed to load: ${why}`);
    console.log('# the sample, export, import and corrupt-file checks need idbpq.js and were not run');
    return;
  }
  ok('module', 'idbpq.js + idbpq.wasm loaded and initialized');

  // --- sample data
  const sampled = await check('sample', async () => {
    await page.fill('#sample-count', String(N));
    await act(page, () => page.click('#sample-fill'));
    const errs = await errorsShown(page);
    assert(!errs.length, `error shown: ${errs[0]}`);
    const row = await storeRow(page, 'idbpq-demo', 'contacts');
    assert(row, 'the listing has no idbpq-demo / contacts');
    assert(row.count === N, `the listing says ${row.count} records, expected ${N}`);
    for (const want of [/\bid\b/, /email\s*unique/i, /tags\s*multiEntry/i]) assert(want.test(row.text), `the listing row "${row.text}" lacks ${want}`);
    ok('sample', `idbpq-demo / contacts listed with ${N} records, key path id, email unique, tags multiEntry`);
    return true;
  });
  if (!sampled) return;

  // --- export
  const file = path.join(OUT, 'idbpq-demo-contacts.parquet');
  const exported = await check('export', async () => {
    await page.selectOption('#export-store', JSON.stringify(['idbpq-demo', 'contacts']));
    await page.selectOption('#export-codec', 'zstd');
    await act(page, () => page.click('#export-run'));
    const errs = await errorsShown(page);
    assert(!errs.length, `error shown: ${errs[0]}`);
    const shown = await page.evaluate(() => ({
      link: document.querySelector('#export-link')?.getAttribute('download'),
      href: document.querySelector('#export-link')?.href,
      records: document.querySelector('#export-records')?.textContent,
      updates: Number(document.querySelector('#export-progress').dataset.updates || 0),
      full: document.querySelector('#export-progress').value === document.querySelector('#export-progress').max,
    }));
    assert(shown.link === 'idbpq-demo-contacts.parquet', `the download link is named "${shown.link}"`);
    assert(/^blob:/.test(shown.href || ''), `the download link is "${shown.href}", not a blob: URL`);
    assert(shown.records === N.toLocaleString('en-US'), `the result says "${shown.records}" records`);
    assert(shown.updates > 0, 'onProgress was never called (the progress bar never moved)');
    assert(shown.full, 'the progress bar is not full at the end');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: STEP_MS }), page.click('#export-link')]);
    assert(download.suggestedFilename() === 'idbpq-demo-contacts.parquet', `the download is named "${download.suggestedFilename()}"`);
    await download.saveAs(file);
    const buf = fs.readFileSync(file);
    assert(buf.length > 12 && buf.toString('latin1', 0, 4) === 'PAR1' && buf.toString('latin1', buf.length - 4) === 'PAR1',
      `the download (${buf.length} bytes) is not a Parquet file`);
    ok('export', `zstd, ${shown.updates} progress updates, downloaded ${download.suggestedFilename()}, ${buf.length} bytes`);
    return true;
  });

  if (exported) {
    await check('export cli', async () => {
      const run = (args) => execFileSync(IDBPQ, args, { maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const lines = run(['records', file]).split('\n').filter(Boolean);
      assert(lines.length === N, `idbpq records gives ${lines.length} lines, expected ${N}`);
      // What the page stored, in the CLI's tagged JSON terms, for fields of each kind.
      const truth = await page.evaluate(() => new Promise((resolve, reject) => {
        const r = indexedDB.open('idbpq-demo');
        r.onerror = () => reject(r.error);
        r.onsuccess = () => {
          const q = r.result.transaction('contacts').objectStore('contacts').getAll();
          q.onsuccess = () => {
            r.result.close();
            resolve(q.result.map((c) => ({
              id: c.id, name: c.name, email: c.email, createdAt: c.createdAt.getTime(), tags: c.tags,
              geo: c.address.geo, followers: c.followers === undefined ? null : String(c.followers),
              card: c.card ? { type: c.card.type, size: c.card.size } : null,
            })));
          };
        };
      }));
      const byId = new Map(truth.map((t) => [t.id, t]));
      let blobs = 0;
      let bigints = 0;
      for (const line of lines) {
        const { key, value: v } = JSON.parse(line);
        const t = byId.get(key);
        assert(t, `idbpq records has key ${JSON.stringify(key)}, which the store does not`);
        byId.delete(key);
        const got = {
          id: v.id, name: v.name, email: v.email, createdAt: v.createdAt && v.createdAt.$date, tags: v.tags,
          geo: v.address && v.address.geo, followers: v.followers ? v.followers.$bigint : null,
          card: v.card && v.card.$blob ? { type: v.card.$blob.type, size: v.card.$blob.size } : null,
        };
        blobs += got.card ? 1 : 0;
        bigints += got.followers ? 1 : 0;
        assert(JSON.stringify(got) === JSON.stringify(t), `record ${key}: ${JSON.stringify(got)} vs the store's ${JSON.stringify(t)}`);
      }
      const schema = run(['schema', file]);
      const cols = ['id', 'name', 'email', 'age', 'score', 'balance', 'active', 'createdAt', 'address', 'street', 'city',
        'country', 'zip', 'geo', 'lat', 'lon', 'tags', 'visits', 'phone', 'company', 'lastLogin', 'notes', 'card', 'followers'];
      const missing = cols.filter((c) => !new RegExp(`\\b${c}\\b`).test(schema));
      assert(!missing.length, `idbpq schema lacks ${missing.join(', ')}`);
      const meta = run(['meta', file]);
      assert(/ZSTD/.test(meta), 'idbpq meta shows no ZSTD column chunk though zstd was chosen');
      ok('export cli', `idbpq records: ${N} records matching the store (${blobs} Blobs, ${bigints} BigInts); ` +
        `idbpq schema: ${cols.length} expected columns; zstd`);
    });

    await check('screenshot', async () => {
      fs.mkdirSync(path.dirname(SHOT), { recursive: true });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: SHOT, fullPage: true });
      const page_ = await page.evaluate(() => ({ w: document.documentElement.clientWidth, h: document.documentElement.scrollHeight }));
      const buf = fs.readFileSync(SHOT);
      const png = pngSize(buf);
      assert(png, `${SHOT} is not a PNG`);
      assert(png.complete, `${SHOT} has no IEND chunk at its end`);
      assert(png.width === page_.w && png.height === page_.h, `${png.width}x${png.height}, the page is ${page_.w}x${page_.h}`);
      // A blank or nearly empty page compresses to a few kB; this one has tables full of text.
      assert(buf.length > 40000, `only ${buf.length} bytes: blank?`);
      ok('screenshot', `${path.relative(root, SHOT)}: ${png.width}x${png.height} PNG, ${Math.round(buf.length / 1024)} KiB`);
    });

    // --- import the downloaded file into a new store
    const imported = await check('import', async () => {
      await act(page, () => page.setInputFiles('#import-file', file));
      const name = await page.inputValue('#import-store');
      assert(name === 'contacts', `the store name defaults to "${name}", not to the file's store "contacts"`);
      await page.fill('#import-db', 'idbpq-demo');
      await page.fill('#import-store', 'contacts_copy');
      await page.selectOption('#import-mode', 'add');
      await act(page, () => page.click('#import-run'));
      const errs = await errorsShown(page);
      assert(!errs.length, `error shown: ${errs[0]}`);
      const row = await storeRow(page, 'idbpq-demo', 'contacts_copy');
      assert(row, 'the listing has no idbpq-demo / contacts_copy after the import');
      assert(row.count === N, `the listing says ${row.count} records in contacts_copy, expected ${N}`);
      for (const want of [/\bid\b/, /email\s*unique/i, /tags\s*multiEntry/i]) assert(want.test(row.text), `contacts_copy's row "${row.text}" lacks ${want}`);
      const shown = await page.evaluate(() => ({
        records: document.querySelector('#import-records')?.textContent,
        updates: Number(document.querySelector('#import-progress').dataset.updates || 0),
        title: document.querySelector('#inspect-title').textContent,
        columns: [...document.querySelectorAll('#inspect-columns tbody tr td:first-child')].map((td) => td.textContent),
        head: [...document.querySelectorAll('#inspect-rows thead th')].map((th) => th.textContent),
        rows: document.querySelectorAll('#inspect-rows tbody tr').length,
        first: document.querySelector('#inspect-rows tbody tr')?.innerText || '',
      }));
      assert(shown.records === N.toLocaleString('en-US'), `the import result says "${shown.records}" records`);
      assert(shown.updates > 0, 'onProgress was never called during the import');
      assert(shown.title === 'idbpq-demo-contacts.parquet', `inspect shows "${shown.title}", not the chosen file`);
      for (const c of ['id', 'email', 'createdAt']) assert(shown.columns.some((p) => p === c || p.startsWith(c + '.')), `inspect's schema lacks ${c}: ${shown.columns.join(' ')}`);
      assert(shown.columns.some((p) => p.startsWith('address.')), `inspect's schema has no address.* column: ${shown.columns.join(' ')}`);
      assert(shown.rows === Math.min(20, N), `inspect shows ${shown.rows} rows`);
      for (const h of ['id', 'email', 'createdAt', 'address', 'tags']) assert(shown.head.includes(h), `inspect's row table has no ${h} column: ${shown.head.join(' ')}`);
      // The first contact: id 1, an @example.com email, an ISO date, its BigInt shown with "n".
      assert(/example\.com/.test(shown.first) && /\d{4}-\d\d-\d\dT/.test(shown.first) && /9007199254740994n/.test(shown.first),
        `inspect's first row does not show the email, date and BigInt readably: ${shown.first.replace(/\s+/g, ' ')}`);
      const cmp = await compareStores(page, 'idbpq-demo', 'contacts', 'contacts_copy');
      assert(!cmp.diff, `contacts_copy differs from contacts: ${cmp.diff}`);
      ok('import', `${N} records into contacts_copy (mode add, store created with key path and indexes), ` +
        `every record equal to contacts (${cmp.blobs} Blobs compared); inspect shows ${shown.columns.length} columns and ${shown.rows} rows`);
      return true;
    });

    // --- a corrupt file: the export with its footer cut off
    await check('corrupt', async () => {
      const buf = fs.readFileSync(file);
      const footer = buf.readUInt32LE(buf.length - 8);
      const bad = path.join(OUT, 'broken.parquet');
      fs.writeFileSync(bad, buf.subarray(0, buf.length - 8 - footer));
      const before = await dbState(page, 'idbpq-demo');
      // Dropped this time (the good file went through the file input).
      await act(page, () => dropFile(page, '#drop-zone', bad));
      const picked = await page.textContent('#drop-text');
      assert(picked.includes('broken.parquet'), `the drop zone says "${picked}" after broken.parquet was dropped`);
      const inspectErr = (await errorsShown(page)).find((e) => /^Inspecting broken\.parquet failed: \S/.test(e));
      assert(inspectErr, `no visible error from inspecting the dropped broken.parquet: ${JSON.stringify(await errorsShown(page))}`);
      await page.fill('#import-store', 'broken');
      await act(page, () => page.click('#import-run'));
      const errs = await errorsShown(page);
      const shown = errs.find((e) => /^Import of broken\.parquet\b/.test(e));
      assert(shown, `no visible error names broken.parquet after its import; errors: ${JSON.stringify(errs)}`);
      const cause = shown.replace(/^.*? failed:\s*/, '');
      assert(cause.length > 5 && cause !== shown, `the error says nothing about the cause: "${shown}"`);
      let after = await dbState(page, 'idbpq-demo');
      assert(!after.stores.includes('broken'), 'the failed import created the store "broken"');
      assert(after.version === before.version, `the failed import changed the database's version ${before.version} -> ${after.version}`);
      assert(!(await storeRow(page, 'idbpq-demo', 'broken')), 'the listing shows a store "broken"');
      // The same file into an existing store, mode replace: the store keeps its records.
      if (imported) {
        await page.fill('#import-store', 'contacts_copy');
        await page.selectOption('#import-mode', 'replace');
        await act(page, () => page.click('#import-run'));
        after = await dbState(page, 'idbpq-demo');
        assert(after.counts.contacts_copy === N, `a failed replace import left contacts_copy with ${after.counts.contacts_copy} records, not ${N}`);
        assert(after.version === before.version, `the failed replace import changed the database's version ${before.version} -> ${after.version}`);
      }
      ok('corrupt', `footer cut: "${shown.slice(0, 160)}"; no store created, version ${after.version} kept` +
        (imported ? `, contacts_copy kept its ${N} records under mode replace` : ''));
    });
  }
}

async function main() {
  let chromium;
  try { ({ chromium } = require('playwright-core')); } catch (e) {
    console.log('# SKIPPED: demo (playwright-core is not installed: npm ci in tests/idb)'); process.exit(3);
  }
  if (!fs.existsSync(CHROMIUM)) { console.log(`# SKIPPED: demo (${CHROMIUM} not found: apt-get install chromium)`); process.exit(3); }
  fs.mkdirSync(OUT, { recursive: true });

  let server;
  try {
    server = await startServer();
  } catch (e) {
    notOk('serve', e.message); return;
  }
  let browser;
  try {
    await check('serve', () => checkServe(server.base));
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    } catch (e) {
      console.log('# SKIPPED: demo (Chromium does not start: ' + String(e.message).split('\n')[0] + ')'); process.exitCode = 3; return;
    }
    const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true, locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await run(page, server.base);
    if (pageErrors.length) notOk('page errors', `${pageErrors.length} uncaught in the page`, pageErrors.slice(0, 3));
    else ok('page errors', 'none uncaught');
  } finally {
    if (browser) await browser.close();
    server.child.kill();
  }
}

main().catch((e) => { console.log('not ok - demo: the driver failed: ' + String(e.message).split('\n')[0]); console.log((e.stack || '').replace(/^/gm, '#   ')); process.exit(1); });
