#!/usr/bin/env node
// browser_test.mjs — web/idbpq.js in real Chromium (issue 6, item 4). Serves web/ and the
// test page (tests/web/browser_page.js) from 127.0.0.1, drives headless Chromium on a
// persistent profile, and prints "ok - ..." / "not ok - ..." lines:
//   every store shape (in-line, out-of-line, compound, nested and autoIncrement keys,
//   indexes) and every value type round-trips export → import exactly; the streaming export
//   gives the Blob export's bytes; a file DuckDB wrote imports as the mapping rules say (by
//   URL with and without HTTP ranges, by key column, key path and generated keys); a
//   100,000-record store exports and imports; an abort in the middle and corrupt files leave
//   the store (and the database version) as it was; import modes; a consistent snapshot; and
//   the files the browser writes read the same as those `idbpq export` writes from the same
//   profile on disk.
// Usage: node tests/web/browser_test.mjs IDBPQ_CLI TMPDIR   (env IDBPQ_BROWSER_SEED, _BIG)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const [cli, tmp] = process.argv.slice(2);
const SEED = Number(process.env.IDBPQ_BROWSER_SEED ?? new Date().toISOString().slice(0, 10).replace(/-/g, ''));
const BIG = Number(process.env.IDBPQ_BROWSER_BIG ?? 100000);
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const { chromium } = createRequire(path.join(root, 'tests', 'idb', 'package.json'))('playwright-core');

let failed = 0;
function check(name, ok, detail) {
  if (ok) console.log(`ok - browser ${name}`);
  else { failed++; console.log(`not ok - browser ${name}${detail ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)).slice(0, 1500) : ''}`); }
}

// ---- static server: /  -> web/, /t/ -> tests/web/, /f/ -> files with Range, /g/ -> files without
const MIME = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8', '.parquet': 'application/vnd.apache.parquet' };
const fixtures = path.join(tmp, 'files');
fs.mkdirSync(fixtures, { recursive: true });
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/t/page.html') {
    res.writeHead(200, { 'content-type': MIME['.html'] });
    return res.end('<!doctype html><meta charset="utf-8"><title>idbpq tests</title><script type="module" src="/t/browser_page.js"></script>');
  }
  if (u.pathname === '/favicon.ico') { res.writeHead(204); return res.end(); }
  let file;
  const ranges = u.pathname.startsWith('/f/');
  if (u.pathname.startsWith('/t/')) file = path.join(here, u.pathname.slice(3));
  else if (ranges || u.pathname.startsWith('/g/')) file = path.join(fixtures, u.pathname.slice(3));
  else file = path.join(root, 'web', u.pathname);
  if (!file.startsWith(root) && !file.startsWith(fixtures) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404); return res.end(); }
  const body = fs.readFileSync(file);
  const type = MIME[path.extname(file)] ?? 'application/octet-stream';
  const m = ranges && /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (m) {
    const a = Number(m[1]), b = Math.min(Number(m[2]), body.length - 1);
    res.writeHead(206, { 'content-type': type, 'content-range': `bytes ${a}-${b}/${body.length}`, 'content-length': b - a + 1 });
    return res.end(body.subarray(a, b + 1));
  }
  res.writeHead(200, { 'content-type': type, 'content-length': body.length });
  res.end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

// ---- the DuckDB-written file and its expected records (from the formula, not from DuckDB)
const DUCK_N = 2000;
async function writeDuckFile(file) {
  const { DuckDBInstance } = createRequire(path.join(root, 'tests', 'oracle', 'package.json'))('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT i AS id, i * 1.5 AS d, 'name' || i AS s, i % 2 = 0 AS b,
      DATE '2020-01-01' + CAST(i AS INTEGER) AS dt, TIMESTAMP '2021-01-01 00:00:00' + to_seconds(i) AS ts,
      [i, i + 1] AS l, {'a': i, 'b': 'x' || i} AS st, MAP {'k': i} AS m, CAST(i * 100 AS DECIMAL(10,2)) AS dec,
      CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS n, CAST(9007199254740993 AS BIGINT) + i AS big,
      CAST('bl' || (i % 10) AS BLOB) AS bl
    FROM range(0, ${DUCK_N}) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 500)`);
  c.closeSync?.();
}
function duckExpected(i, withId) {
  const v = {
    b: i % 2 === 0, big: 'B:' + (9007199254740993n + BigInt(i)), bl: 'U:' + [...Buffer.from('bl' + (i % 10))].join(','),
    d: i * 1.5, dec: i * 100, dt: 'D:' + (Date.UTC(2020, 0, 1) + i * 86400000), l: [i, i + 1],
    m: { $map: [['k', i]] }, n: i % 3 === 0 ? null : i, s: 'name' + i, st: { a: i, b: 'x' + i },
    ts: 'D:' + (Date.UTC(2021, 0, 1) + i * 1000),
  };
  if (withId) v.id = i;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
}

const profile = path.join(tmp, 'profile');
const ctx = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
const page = ctx.pages()[0] ?? await ctx.newPage();
page.setDefaultTimeout(600000);
const consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push(String(e)));
const run = (fn, ...args) => page.evaluate(([f, a]) => window.T[f](...a), [fn, args]);
let browserFiles = null;
try {
  await page.goto(`${base}/t/page.html`);
  await page.waitForFunction(() => window.T?.ready, null, { timeout: 30000 });
  const loaded = await page.evaluate(() => window.idbpq.init().then(() => 'ok', (e) => String(e)));
  check('module loads (idbpq.js + idbpq.wasm)', loaded === 'ok', loaded);
  if (loaded !== 'ok') throw new Error('idbpq did not load');
  console.log(`# seed ${SEED}`);

  // 1. every shape and value type
  const stores = await run('fillShapes', 'shapes', 300, SEED);
  for (const s of stores) {
    const r = await run('roundTrip', 'shapes', s, {});
    const nextOk = !r.nextKeys || JSON.stringify(r.nextKeys[0]) === JSON.stringify(r.nextKeys[1]);
    check(`round trip store "${s}" (${r.records} records, ${r.size} bytes)`, r.same && r.shapeSame && nextOk && r.imported === r.records, r);
  }
  for (const [s, o] of [['inline', { twoPass: true, codec: 'zstd' }], ['types', { codec: 'gzip', rowGroupBytes: 65536 }], ['mixed', { mixedAsJson: true, codec: 'none' }], ['outofline', { snapshot: false, pageSize: 7 }]]) {
    const r = await run('roundTrip', 'shapes', s, o);
    check(`round trip store "${s}" with ${JSON.stringify(o)}`, r.same && r.shapeSame, r);
  }
  const st = await run('streamSame', 'shapes', 'inline');
  check(`streaming export equals the Blob export (${st.blob} bytes)`, st.same, st);
  const ins = await run('inspect', 'shapes', 'inline');
  check('inspectParquet: schema, store and first rows', ins.numRows === 300 && ins.native && ins.store.keyPath === 'id' && ins.rows.length === 5 &&
    ins.rows[0].id === 0 && ins.columns.some((c) => c.path === 'address.city' && c.logicalType === 'STRING') && ins.codecs.join() === 'ZSTD' &&
    ins.store.indexes.length === 3, ins);
  check('exportDatabase: one file per store', ins.database.length === stores.length && ins.database.every(([, n]) => n > 0), ins.database);

  // 2. a file DuckDB wrote
  const duck = path.join(fixtures, 'duck.parquet');
  await writeDuckFile(duck);
  for (const [how, url, opts] of [['by key column, ranged URL', `${base}/f/duck.parquet`, { keyColumn: 'id' }],
    ['by key path, URL without ranges', `${base}/g/duck.parquet`, { keyPath: 'id' }],
    ['with generated keys', `${base}/f/duck.parquet`, {}]]) {
    const r = await run('importUrl', 'duck', url, opts);
    let bad = -1;
    for (let i = 0; i < DUCK_N; i++) {
      const wantKey = opts.keyColumn || opts.keyPath ? i : i + 1;
      if (JSON.stringify(r.values[i]) !== JSON.stringify(duckExpected(i, !opts.keyColumn)) || r.keys[i] !== wantKey) { bad = i; break; }
    }
    check(`DuckDB file imports ${how} (${r.records} records)`, r.records === DUCK_N && r.values.length === DUCK_N && bad < 0,
      bad >= 0 ? { i: bad, key: r.keys[bad], got: r.values[bad], want: duckExpected(bad, !opts.keyColumn), shape: r.shape } : { records: r.records, n: r.values.length });
  }

  // 3. a large store
  await run('fillBig', 'big', BIG, SEED);
  const big = await run('bigRoundTrip', 'big', {});
  check(`${BIG}-record store exports (${big.size} bytes, ${big.exportMs} ms) and imports (${big.importMs} ms) exactly`,
    big.want.count === BIG && big.got.count === BIG && big.want.sha === big.got.sha && big.indexes.join() === 'by_email' && big.progressCalls > 1, big);

  // 4. abort in the middle
  const ab = await run('abortImport', 'abort', 'big', false);
  check('abort during a replace import leaves the store as it was', /AbortError/.test(ab.error ?? '') && ab.seen >= 20000 && ab.after.sha === ab.before.sha && ab.after.count === 50, ab);
  const ab2 = await run('abortImport', 'abort2', 'big', true);
  check('abort during an import that creates the store: no store, same version', /AbortError/.test(ab2.error ?? '') && !ab2.stores.includes('fresh') && ab2.version === 1 && ab2.after.sha === ab2.before.sha, ab2);

  // 5. corrupt files
  const good = Buffer.from(await run('exportBase64', 'big', 'big', { rowGroupBytes: 1 << 20 }), 'base64');
  const goodFile = path.join(tmp, 'good.parquet');
  fs.writeFileSync(goodFile, good);
  const meta = JSON.parse(execFileSync(cli, ['meta', '--json', goodFile], { maxBuffer: 1 << 28 }).toString());
  const rgs = meta.row_groups;
  const lastRg = rgs[rgs.length - 1];
  const col0 = lastRg.columns[0];
  const pageAt = Number(col0.dictionary_page_offset >= 4 ? col0.dictionary_page_offset : col0.data_page_offset);
  const smashed = Buffer.from(good);
  smashed.fill(0xff, pageAt, pageAt + 64);
  const cases = [
    ['footer cut off', good.subarray(0, good.length - 100), /corrupt\.parquet/],
    ['not Parquet at all', Buffer.from('id,name\n1,a\n'.repeat(10)), /not a Parquet file/],
    ['footer length larger than the file', Buffer.concat([good.subarray(0, 200), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.from('PAR1')]), /footer length/],
    [`a page of the last of ${rgs.length} row groups smashed (byte ${pageAt})`, smashed, /corrupt\.parquet/],
  ];
  for (const [what, bytes, re] of cases) {
    for (const create of [false, true]) {
      const r = await run('corruptImport', 'corrupt', [...bytes], create);
      check(`corrupt file (${what}${create ? ', creating the store' : ''}): clear error, nothing written`,
        r.error && re.test(r.error) && r.after.sha === r.before.sha && !r.stores.includes('fresh') && r.version === 1, r);
    }
  }

  // 6. modes, filter, columns, paged transactions
  const m = await run('modes', 'modes');
  check('mode add on existing keys fails and writes nothing', /exist|constraint/i.test(m.add) && m.afterAdd.n === 100 && m.afterAdd.news === 0, m);
  check('mode skip-existing keeps existing records', m.skip.records === 50 && m.skip.skipped === 50 && m.skip.n === 150 && m.skip.news === 50, m.skip);
  check('mode put upserts', m.put.n === 150 && m.put.news === 100, m.put);
  check('mode replace clears first', m.replace.n === 100 && m.replace.news === 100, m.replace);
  check('paged transactions with filter and columns', m.paged.records === 50 && m.paged.skipped === 50 && JSON.stringify(m.pagedSample) === '{"id":52}', m);
  check('a missing store without createStore is an error', /createStore/.test(m.missing), m.missing);
  check('skip-existing: a new key refused by a unique index fails the import, nothing written', /constraint|index|exist/i.test(m.uniqueBad) && m.uniqueBad !== 'no error' && m.uniqueBadCount === 1, m);
  check('skip-existing: present keys skipped, new ones added', m.uniqueOk.records === 1 && m.uniqueOk.skipped === 1 && m.uniqueOk.count === 2, m.uniqueOk);

  const wk = await run('worker', 'shapes', 'inline');
  check('the module in a Worker: export and import', !wk.error && wk.count === 300 && wk.copied === 300 && wk.records === 300 && wk.size > 0, wk);
  const ea = await run('exportAbort', 'big');
  check('an aborted export rejects with AbortError and releases its transaction', ea.error === 'AbortError' && ea.pages === 3, ea);

  // 7. snapshot
  const sn = await run('snapshot', 'big');
  check('snapshot export holds the records there were when it started (a writer started meanwhile waits)', sn.fileRows === sn.before && sn.after === sn.before + 100, sn);

  // 8. browser and CLI read the same: files of the same stores
  browserFiles = {};
  for (const s of stores) {
    if (s === 'empty') continue;
    const f = path.join(tmp, `browser-${s}.parquet`);
    fs.writeFileSync(f, Buffer.from(await run('exportBase64', 'shapes', s, {}), 'base64'));
    browserFiles[s] = f;
  }
  check('no errors on the page console', consoleErrors.length === 0, consoleErrors.slice(0, 5));
} catch (e) {
  check('scenarios ran to the end', false, String(e.stack ?? e) + ' | page console: ' + consoleErrors.slice(0, 5).join(' | '));
} finally {
  await ctx.close();
  server.close();
}

if (browserFiles) {
  const out = path.join(tmp, 'cli-export');
  try { execFileSync(cli, ['export', profile, '-o', out, '--db', 'shapes', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] }); } catch (e) { check('idbpq export of the browser profile', false, String(e.stderr ?? e)); }
  const origin = fs.existsSync(out) ? fs.readdirSync(out).find((d) => fs.statSync(path.join(out, d)).isDirectory()) : null;
  for (const [s, f] of Object.entries(browserFiles)) {
    const c = origin && path.join(out, origin, 'shapes', `${s}.parquet`);
    if (!c || !fs.existsSync(c)) { check(`browser and CLI files of "${s}" read the same`, false, `no CLI file ${c}`); continue; }
    const rec = (file) => execFileSync(cli, ['records', file], { maxBuffer: 1 << 28 }).toString();
    const sch = (file) => execFileSync(cli, ['schema', file]).toString();
    const a = rec(f), b = rec(c);
    check(`browser and CLI files of "${s}" read the same (${a.split('\n').length - 1} records, same schema)`, a === b && a.length > 0 && sch(f) === sch(c),
      a === b ? 'schemas differ' : `first difference at line ${a.split('\n').findIndex((l, i) => l !== b.split('\n')[i])}`);
  }
}
console.log(`# browser: ${failed} failed`);
process.exit(0);
