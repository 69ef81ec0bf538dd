#!/usr/bin/env node
// sync_test.mjs — web/sync.js in real Chromium (suite 77): clients with their own IndexedDB
// sync stores through Delta tables served by table_server.mjs (S3-style HTTP) and kept in
// OPFS, and every scenario ends with the table checked against the store three ways: our
// reader in the page (inspectTable), `idbpq table show --rows` on the server's directory, and
// DuckDB reading the live files found by replaying the _delta_log JSON here (independently of
// idbpq). Prints "ok - browser-sync ..." / "not ok - browser-sync ..." lines.
// Usage: node tests/web/sync_test.mjs IDBPQ_CLI TMPDIR
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startTableServer } from './table_server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const [cli, tmp] = process.argv.slice(2);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const { chromium } = createRequire(path.join(root, 'tests', 'idb', 'package.json'))('playwright-core');
const { DuckDBInstance } = createRequire(path.join(root, 'tests', 'oracle', 'package.json'))('@duckdb/node-api');

let failed = 0;
function check(name, ok, detail) {
  if (ok) console.log(`ok - browser-sync ${name}`);
  else {
    failed++;
    console.log(`not ok - browser-sync ${name}${detail === undefined ? '' : ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)).slice(0, 1500)}`);
  }
}

const srv = await startTableServer({ dir: path.join(tmp, 's3') });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ARGS, timeout: 60000 });
const duck = await (await DuckDBInstance.create(':memory:')).connect();
const consoleErrors = [];

// A client: a browser context (its own IndexedDB and OPFS) and its current page.
async function client(name) {
  const ctx = await browser.newContext();
  const c = { name, ctx, page: null, killed: null };
  c.open = async () => {
    const page = await ctx.newPage();
    page.setDefaultTimeout(120000);
    page.on('pageerror', (e) => consoleErrors.push(`${name}: ${e}`));
    page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource|net::ERR/.test(m.text())) consoleErrors.push(`${name}: ${m.text()}`); });
    await page.exposeFunction('killMe', (phase) => { if (!c.killed) { c.killed = phase; page.close().catch(() => {}); } });
    await page.goto(`${srv.url}/t/sync.html`);
    await page.waitForFunction(() => window.T?.ready, null, { timeout: 30000 });
    c.page = page;
    c.killed = null;
    return page;
  };
  c.run = (fn, ...args) => c.page.evaluate(([f, a]) => window.T[f](...a), [fn, args]);
  await c.open();
  return c;
}

const http = (t) => ({ http: `${srv.bucket}/${t}` });
const dirOf = (t) => path.join(srv.root, t);

// ---- the table as DuckDB sees it: live files from a replay of the JSON log ------------------
function replay(dir, upTo = Infinity) {
  const log = path.join(dir, '_delta_log');
  const commits = fs.existsSync(log) ? fs.readdirSync(log).filter((f) => /^\d{20}\.json$/.test(f) && Number(f.slice(0, 20)) <= upTo).sort() : [];
  const live = new Map();
  for (const f of commits) {
    for (const line of fs.readFileSync(path.join(log, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const a = JSON.parse(line);
      if (a.add) live.set(a.add.path, a.add);
      if (a.remove) live.delete(a.remove.path);
    }
  }
  return { version: commits.length - 1, files: [...live.keys()].map((p) => path.join(dir, decodeURIComponent(p))) };
}

// The fields every test record has, in one canonical text per record (key order).
function canon(r) {
  return JSON.stringify([Number(r.id), r.name, Number(r.n), Number(r.updatedAt), (r.tags ?? []).map(String)]);
}
function canonAll(records) { return records.map(canon).sort(); }

async function duckRows(files) {
  if (!files.length) return [];
  const list = files.map((f) => `'${f.replace(/'/g, "''")}'`).join(',');
  const reader = await duck.runAndReadAll(`SELECT id, name, n, "updatedAt", tags FROM read_parquet([${list}], union_by_name = true)`);
  return reader.getRowObjectsJS().map((r) => ({ ...r, tags: r.tags?.items ?? r.tags }));
}

function cliRows(dir) {
  const out = execFileSync(cli, ['table', 'show', '--rows', dir], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const recs = [];
  for (const line of out.split('\n')) {
    const m = line.indexOf('{');
    if (m < 0) continue;
    try { const v = JSON.parse(line.slice(m)); if (v && typeof v === 'object' && 'id' in (v.value ?? v)) recs.push(v.value ?? v); } catch { /* a header line */ }
  }
  return recs;
}

// The table at dir equals the store (a dump); `page` reads it with inspectTable too.
async function tableIs(label, dir, store, c, spec) {
  const want = canonAll(store);
  const { version, files } = replay(dir);
  let got;
  try { got = canonAll(await duckRows(files)); } catch (e) { got = String(e); }
  check(`${label}: DuckDB over the live files of the log replay (v${version}, ${files.length} files) equals the store (${want.length} records)`,
    JSON.stringify(got) === JSON.stringify(want), firstDiff(got, want));
  try { got = canonAll(cliRows(dir)); } catch (e) { got = String(e.stderr ?? e); }
  check(`${label}: idbpq table show --rows equals the store`, JSON.stringify(got) === JSON.stringify(want), firstDiff(got, want));
  if (c) {
    const info = await c.run('inspect', spec);
    got = info ? canonAll(info.rows) : 'no table';
    check(`${label}: inspectTable (the wasm reader over ${spec.http ? 'HTTP' : 'OPFS'}) equals the store at v${info?.version}`,
      JSON.stringify(got) === JSON.stringify(want) && info.version === version, firstDiff(got, want));
  }
  return version;
}
function firstDiff(got, want) {
  if (!Array.isArray(got)) return got;
  const i = got.findIndex((g, k) => g !== want[k]);
  return { got: got.length, want: want.length, at: i, g: got[i] ?? got[want.length], w: want[i] ?? want[got.length] };
}
const same = async (a, db1, b, db2) => JSON.stringify(await a.run('dump', db1)) === JSON.stringify(await b.run('dump', db2));
const ids = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
// Both clients start from the same n records: A pushes them, B pulls them.
async function start(A, B, db, t, n) {
  await A.run('fill', db, ids(1, n));
  await A.run('sync', db, t);
  await B.run('sync', db, t);
}
const pushedNothing = (r) => !r.error && r.committedVersion === null && r.pushed.inserts + r.pushed.updates + r.pushed.deletes === 0;
const brief = (r) => r.error ?? { from: r.fromVersion, to: r.toVersion, c: r.committedVersion, pulled: r.pulled, pushed: r.pushed, conflicts: r.conflictCounts, attempts: r.attempts };

const scenarios = {
  // A pull-only sync looks up the keys the table changed instead of reading the whole store;
  // a local edit stays for a later push, a key changed on both sides follows the policy.
  async pullOnly(A, B) {
    const t = http('po'), db = 'po';
    await start(A, B, db, t, 200);
    await A.run('edit', db, [[3, 'A3', 3000], [4, 'A4', 3000], [50, 'A50', 3000], [201, 'new-201', 3000]], [7]);
    let r = await A.run('sync', db, t);
    check('pull only: A pushes 3 updates, 1 insert, 1 delete', r.pushed?.updates === 3 && r.pushed.inserts === 1 && r.pushed.deletes === 1, brief(r));
    await B.run('edit', db, [[4, 'B4', 2000], [120, 'B120', 2000]]);
    r = await B.run('sync', db, t, { direction: 'pull' });
    const store = await B.run('dump', db);
    const name = (id) => store.find((x) => x.id === id)?.name ?? null;
    check('pull only: B looks up the 5 changed keys, not its 200 records, and applies them (the table wins key 4)',
      r.scanned <= 5 && r.pulled?.upserts === 4 && r.pulled.deletes === 1 && r.committedVersion === null &&
      name(3) === 'A3' && name(4) === 'A4' && name(201) === 'new-201' && name(7) === null && name(120) === 'B120' &&
      r.conflictCounts?.total === 1, { ...brief(r), scanned: r.scanned });
    r = await B.run('sync', db, t);
    check('pull only: its own edit is pushed by the next two-way sync', r.pushed?.updates === 1 && r.pulled.upserts === 0, brief(r));
    await A.run('sync', db, t);
    check('pull only: both stores end equal', await same(A, db, B, db));
    await tableIs('pull only', dirOf('po'), await A.run('dump', db), null, t);
  },

  // Two clients, edits and deletes on each side, through HTTP.
  async twoClients(A, B) {
    const t = http('t1');
    await A.run('fill', 'app', ids(1, 300));
    let r = await A.run('sync', 'app', t);
    check(`first push creates the table (${r.ms} ms)`, r.pushed?.inserts === 300 && r.committedVersion === 0, brief(r));
    r = await B.run('sync', 'app', t);
    check('a second client pulls every record (Blobs too)', r.pulled?.upserts === 300 && await same(A, 'app', B, 'app'), brief(r));
    await A.run('edit', 'app', ids(1, 10).map((i) => [i, `a-${i}`, 2000]).concat(ids(301, 305).map((i) => [i, `new-${i}`, 2000])), ids(11, 15));
    await B.run('edit', 'app', ids(100, 104).map((i) => [i, `b-${i}`, 2000]), [200]);
    const ra = await A.run('sync', 'app', t, { checkpointInterval: 1 });
    const ckpt = fs.existsSync(path.join(dirOf('t1'), '_delta_log', '00000000000000000001.checkpoint.parquet'));
    let inCkpt = [];
    if (ckpt) {
      const q = await duck.runAndReadAll(`SELECT "add".path AS p FROM read_parquet('${path.join(dirOf('t1'), '_delta_log', '00000000000000000001.checkpoint.parquet')}') WHERE "add" IS NOT NULL ORDER BY p`);
      inCkpt = q.getRowObjectsJS().map((r) => path.join(dirOf('t1'), decodeURIComponent(r.p)));
    }
    check(`a checkpoint after the commit (checkpointInterval 1): its adds, read by DuckDB, are the log's live files at v1`,
      ckpt && JSON.stringify(inCkpt) === JSON.stringify(replay(dirOf('t1'), 1).files.sort()), { ckpt, inCkpt });
    check('edits and deletes push as inserts, updates, deletes', ra.pushed?.inserts === 5 && ra.pushed.updates === 10 && ra.pushed.deletes === 5 && ra.committedVersion === 1, brief(ra));
    const rb = await B.run('sync', 'app', t);
    check('the other side pulls them and pushes its own', rb.pulled?.upserts === 15 && rb.pulled.deletes === 5 && rb.pushed.updates === 5 && rb.pushed.deletes === 1, brief(rb));
    const rc = await A.run('sync', 'app', t);
    check('and the first pulls those: both stores equal', rc.pulled?.upserts === 5 && rc.pulled.deletes === 1 && rc.committedVersion === null && await same(A, 'app', B, 'app'), brief(rc));
    const r2 = await A.run('sync', 'app', t);
    check('a sync with nothing to do commits nothing', pushedNothing(r2) && r2.pulled.upserts === 0, brief(r2));
    await tableIs('two clients', dirOf('t1'), await A.run('dump', 'app'), A, t);
  },

  async policies(A, B) {
    {
      // A callback that throws: the sync rejects with its error and commits nothing.
      const t = http('pol-throw'), db = 'pol-throw';
      await start(A, B, db, t, 10);
      await A.run('edit', db, [[3, 'A3', 3000]]);
      await B.run('edit', db, [[3, 'B3', 2000]]);
      await B.run('sync', db, t);
      const store = await A.run('dump', db);
      const r = await A.run('sync', db, t, { policy: 'throw' });
      check('a callback policy that throws rejects the sync with its error, nothing committed or applied',
        /the callback refused/.test(r.error ?? '') && replay(dirOf('pol-throw')).version === 1 && JSON.stringify(store) === JSON.stringify(await A.run('dump', db)), r);
    }
    const want = {
      'prefer-local': { 5: 'A5', 6: null, winners: ['local', 'local'] },
      'prefer-table': { 5: 'B5', 6: 'B6', winners: ['table', 'table'] },
      newest: { 5: 'A5', 6: 'B6', winners: ['local', 'table'] },
      merge: { 5: 'A5+B5', 6: 'B6', winners: ['merged', 'table'] },
    };
    for (const [name, w] of Object.entries(want)) {
      const t = http(`pol-${name}`), db = `pol-${name}`;
      const policy = name === 'newest' ? { newest: 'updatedAt' } : name;
      await start(A, B, db, t, 20);
      await A.run('edit', db, [[5, 'A5', 3000]], [6]);
      await B.run('edit', db, [[5, 'B5', 2000], [6, 'B6', 2500]]);
      await B.run('sync', db, t);
      const r = await A.run('sync', db, t, { policy });
      const store = await A.run('dump', db);
      const v5 = store.find((x) => x.id === 5)?.name ?? null, v6 = store.find((x) => x.id === 6)?.name ?? null;
      const winners = (r.conflicts ?? []).map((c) => c.winner).sort();
      check(`policy ${name}: the store holds the winners and the result lists the decisions`,
        v5 === w[5] && v6 === w[6] && r.conflictCounts?.total === 2 && JSON.stringify(winners) === JSON.stringify([...w.winners].sort()), { v5, v6, r: brief(r), winners });
      const log = await A.run('conflictLog', db, t);
      check(`policy ${name}: the conflict log in the state database has both keys and winners`,
        log.length === 2 && JSON.stringify(log.map((l) => l.key).sort()) === '[5,6]' && JSON.stringify(log.map((l) => l.winner).sort()) === JSON.stringify([...w.winners].sort()), log);
      await B.run('sync', db, t);
      check(`policy ${name}: the other client converges`, await same(A, db, B, db));
      if (name === 'merge') {
        const seen = await A.run('mergeSeen');
        const c5 = seen.find((c) => c.key === 5);
        check('the callback policy sees key, local and table values, and deletes as such', c5?.local?.name === 'A5' && c5?.table?.name === 'B5' && seen.some((c) => c.key === 6 && c.localDeleted && c.table?.name === 'B6'), seen);
      }
      await tableIs(`policy ${name}`, dirOf(`pol-${name}`), store, name === 'merge' ? A : null, t);
    }
  },

  // The page dies while its commit is in flight (the server holds the PUT, then drops it).
  async crash(A, B) {
    const t = http('t3');
    await A.run('fill', 'crash', ids(1, 100));
    await A.run('sync', 'crash', t);
    const before = await A.run('dump', 'crash');
    await A.run('edit', 'crash', ids(1, 5).map((i) => [i, `c-${i}`, 2000]), [50]);
    let fired;
    const commit = new Promise((r) => { fired = r; });
    srv.faults.push({ method: 'PUT', match: /^t3\/_delta_log\/\d{20}\.json$/, action: 'hold', fired });
    const running = A.run('sync', 'crash', t).catch((e) => ({ error: String(e) }));
    await Promise.race([commit, new Promise((r) => setTimeout(r, 60000))]);
    await A.page.close();
    srv.release(false);
    await running;
    await new Promise((r) => setTimeout(r, 300)); // a retry the network stack may still send is refused
    srv.faults.length = 0;
    const orphans = fs.readdirSync(dirOf('t3')).filter((f) => f.endsWith('.parquet')).length;
    const v = await tableIs('page closed during its commit: the table is still the previous version', dirOf('t3'), before, B, t);
    check(`the commit did not land (v${v}), its data files were written (${orphans} files on disk)`, v === 0 && orphans > replay(dirOf('t3')).files.length);
    await A.open();
    const r = await A.run('sync', 'crash', t);
    check('the next sync completes it', r.committedVersion === 1 && r.pushed?.updates === 5 && r.pushed.deletes === 1, brief(r));
    await tableIs('after the crash, synced again', dirOf('t3'), await A.run('dump', 'crash'), null, t);
    // The server fails the commit PUT: the sync rejects, nothing is visible, the next one lands.
    await A.run('edit', 'crash', [[7, 'd-7', 3000]]);
    srv.faults.push({ method: 'PUT', match: /^t3\/_delta_log\/\d{20}\.json$/, action: 'drop' });
    const bad = await A.run('sync', 'crash', t);
    srv.faults.length = 0;
    check('a commit PUT dropped by the server fails the sync', !!bad.error && replay(dirOf('t3')).version === 1, bad);
    const ok = await A.run('sync', 'crash', t);
    check('and the next sync commits the change', ok.committedVersion === 2 && ok.pushed?.updates === 1, brief(ok));
    await tableIs('after the failed commit, synced again', dirOf('t3'), await A.run('dump', 'crash'), null, t);
    // The page dies while its commit is in flight, and the commit lands anyway: the state was
    // not saved, so the next sync meets its own commit (the txn action says whose it is).
    await A.run('edit', 'crash', [[8, 'e-8', 4000]], [9]);
    const landed = new Promise((r) => { fired = r; });
    srv.faults.push({ method: 'PUT', match: /^t3\/_delta_log\/\d{20}\.json$/, action: 'hold', fired: (k) => fired(k) });
    const running2 = A.run('sync', 'crash', t).catch((e) => ({ error: String(e) }));
    await Promise.race([landed, new Promise((r) => setTimeout(r, 60000))]);
    await A.page.close();
    srv.faults.length = 0;
    srv.release(true);
    await running2;
    await new Promise((r) => setTimeout(r, 300));
    await A.open();
    const v3 = replay(dirOf('t3')).version;
    const again = await A.run('sync', 'crash', t);
    check(`a commit that landed after its page died (v${v3}): the next sync pushes nothing again`, v3 === 3 && pushedNothing(again), brief(again));
    await tableIs('after a commit that outlived its page', dirOf('t3'), await A.run('dump', 'crash'), null, t);
  },

  async concurrent(A, B) {
    const t = http('t4');
    await start(A, B, 'conc', t, 100);
    await A.run('edit', 'conc', ids(1, 10).map((i) => [i, `a-${i}`, 2000]));
    await B.run('edit', 'conc', ids(50, 60).map((i) => [i, `b-${i}`, 2000]).concat(ids(200, 210).map((i) => [i, `b-${i}`, 2000])));
    const [ra, rb] = await Promise.all([A.run('sync', 'conc', t), B.run('sync', 'conc', t)]);
    const versions = [ra.committedVersion, rb.committedVersion].sort();
    check(`two writers at once: both commits land (attempts ${ra.attempts} and ${rb.attempts})`, !ra.error && !rb.error && JSON.stringify(versions) === '[1,2]', [brief(ra), brief(rb)]);
    await A.run('sync', 'conc', t);
    await B.run('sync', 'conc', t);
    const store = await A.run('dump', 'conc');
    check('nothing lost: both stores hold both edits', await same(A, 'conc', B, 'conc') && store.length === 111 && store.find((x) => x.id === 5).name === 'a-5' && store.find((x) => x.id === 55).name === 'b-55');
    await tableIs('two concurrent writers', dirOf('t4'), store, null, t);
    // Inserts past every file's key range: new files, so the loser of the race only retries
    // its commit at the next version (412 from the server, then put-if-absent again).
    const before = srv.stats.refused;
    await A.run('edit', 'conc', ids(1001, 1020).map((i) => [i, `a-${i}`, 3000]));
    await B.run('edit', 'conc', ids(2001, 2020).map((i) => [i, `b-${i}`, 3000]));
    const [ra2, rb2] = await Promise.all([A.run('sync', 'conc', t), B.run('sync', 'conc', t)]);
    await A.run('sync', 'conc', t);
    await B.run('sync', 'conc', t);
    const store2 = await A.run('dump', 'conc');
    check(`two writers appending at once: both land (attempts ${ra2.attempts} and ${rb2.attempts}, ${srv.stats.refused - before} commits refused with 412)`,
      !ra2.error && !rb2.error && ra2.committedVersion !== rb2.committedVersion && store2.length === store.length + 40 && await same(A, 'conc', B, 'conc'), [brief(ra2), brief(rb2)]);
    await tableIs('two writers appending at once', dirOf('t4'), store2, null, t);
  },

  async resumePull(A, B) {
    const t = http('t5');
    await A.run('fill', 'big', ids(1, 6000));
    await A.run('sync', 'big', t);
    const killed = await B.run('sync', 'big', t, { killAt: 'pull' }).catch((e) => ({ error: String(e) }));
    const phase = B.killed;
    await B.open();
    const partial = (await B.run('dump', 'big')).length;
    const r = await B.run('sync', 'big', t);
    check(`a pull killed midway (page closed in phase "${phase}", ${partial} records were in) resumes: no loss`, !!phase && (await same(A, 'big', B, 'big')), { killed: brief(killed), r: brief(r) });
    check('and no duplicates: the resumed sync pushes nothing back', pushedNothing(r), brief(r));
    await tableIs('after the resumed pull', dirOf('t5'), await B.run('dump', 'big'), null, t);
  },

  async dryRunAbort(A, B) {
    const t = http('t6');
    await start(A, B, 'dry', t, 200);
    await A.run('edit', 'dry', ids(1, 3).map((i) => [i, `x-${i}`, 2000]).concat(ids(300, 303).map((i) => [i, `x-${i}`, 2000])), [10, 11]);
    await B.run('edit', 'dry', [[100, 'y-100', 2000], [101, 'y-101', 2000]]);
    await B.run('sync', 'dry', t);
    const store = await A.run('dump', 'dry');
    const files = JSON.stringify(fs.readdirSync(dirOf('t6')).sort()) + JSON.stringify(fs.readdirSync(path.join(dirOf('t6'), '_delta_log')).sort());
    const state = await A.run('state', 'dry', t);
    const d = await A.run('sync', 'dry', t, { dryRun: true });
    check('dryRun reports what would move', d.pushed?.inserts === 4 && d.pushed.updates === 3 && d.pushed.deletes === 2 && d.pulled.upserts === 2 && d.committedVersion === null, brief(d));
    const files2 = JSON.stringify(fs.readdirSync(dirOf('t6')).sort()) + JSON.stringify(fs.readdirSync(path.join(dirOf('t6'), '_delta_log')).sort());
    const state2 = await A.run('state', 'dry', t);
    check(`dryRun changes nothing: store, table files, state (${state.entries} entries)`, files === files2 && JSON.stringify(store) === JSON.stringify(await A.run('dump', 'dry')) &&
      state.entries === 200 && JSON.stringify(state) === JSON.stringify(state2), [state, state2]);
    // Before the pull is applied an abort leaves everything as it was; later (writing the
    // push) the table is unchanged, and the store may hold what was pulled.
    const log = () => JSON.stringify(fs.readdirSync(path.join(dirOf('t6'), '_delta_log')).sort());
    const log0 = log();
    for (const at of ['start', 'pull', 'write']) {
      const a = await A.run('sync', 'dry', t, { abortAt: at });
      const storeSame = at === 'write' || JSON.stringify(store) === JSON.stringify(await A.run('dump', 'dry'));
      check(`abort (${at}) rejects with AbortError, the table unchanged${at === 'write' ? '' : ', the store unchanged'}`,
        a.errorName === 'AbortError' && replay(dirOf('t6')).version === 1 && log() === log0 && storeSame, a);
    }
    const r = await A.run('sync', 'dry', t);
    check('the real sync then pushes what dryRun said', r.pushed?.inserts === 4 && r.pushed.updates === 3 && r.pushed.deletes === 2 && r.committedVersion === 2, brief(r));
    await tableIs('after dryRun and aborts', dirOf('t6'), await A.run('dump', 'dry'), null, t);
  },

  // direction: 'pull' leaves the store's changes for a later push.
  async directions(A, B) {
    const t = http('t7');
    await start(A, B, 'dir', t, 50);
    await B.run('edit', 'dir', [[10, 'b-10', 2000]]);
    await B.run('sync', 'dir', t);
    await A.run('edit', 'dir', [[20, 'a-20', 2000]], [21]);
    const q = await A.run('sync', 'dir', t, { direction: 'pull' });
    const a1 = await A.run('dump', 'dir');
    check('direction pull: the table\'s changes come, the store\'s wait (neither counted nor committed)', q.pulled?.upserts === 1 && q.pushed.updates === 0 && q.pushed.deletes === 0 &&
      q.committedVersion === null && replay(dirOf('t7')).version === 1 && a1.find((x) => x.id === 10)?.name === 'b-10' && a1.find((x) => x.id === 20)?.name === 'a-20', brief(q));
    const p = await A.run('sync', 'dir', t, { direction: 'push' });
    check('direction push: then the store\'s go', p.pushed?.updates === 1 && p.pushed.deletes === 1 && p.pulled.upserts === 0 && p.committedVersion === 2, brief(p));
    await B.run('sync', 'dir', t);
    check('after push and pull both stores equal', await same(A, 'dir', B, 'dir'));
    await tableIs('pull, then push', dirOf('t7'), await A.run('dump', 'dir'), null, t);
    // A table another engine wrote (the Delta corpus), read by inspectTable over HTTP.
    const corpus = '/work/shared/delta-tables/simple_table';
    if (fs.existsSync(corpus)) {
      fs.cpSync(corpus, dirOf('foreign'), { recursive: true });
      const info = await A.run('inspect', http('foreign'));
      const { version, files } = replay(dirOf('foreign'));
      const want = (await duck.runAndReadAll(`SELECT id FROM read_parquet([${files.map((f) => `'${f}'`).join(',')}]) ORDER BY id`)).getRowObjectsJS().map((r) => Number(r.id));
      const got = (info?.rows ?? []).map((r) => r.id).sort((x, y) => x - y);
      check(`inspectTable reads a table Spark wrote (v${info?.version}, ${info?.files.length} files, ${got.length} rows as DuckDB reads them)`,
        info?.version === version && info.store === null && JSON.stringify(got) === JSON.stringify(want), { got, want });
    } else console.log(`# SKIPPED: inspectTable on ${corpus} (not on this machine)`);
  },

  // The module in a Worker: one client syncs from a worker, over HTTP and OPFS.
  async worker(A, B) {
    for (const t of [http('tw'), { opfs: 'tables/worker' }]) {
      const how = t.http ? 'HTTP' : 'OPFS';
      await A.run('fill', 'wk', ids(1, 120));
      const r = await A.run('worker', 'wk', t);
      check(`in a Worker over ${how}: the store pushes (${r.tableFiles} files at v${r.tableVersion})`, !r.error && r.pushed?.inserts === 120 && r.tableVersion === 0, r);
      await A.run('edit', 'wk', [[5, 'w-5', 2000]], [6]);
      const r2 = await A.run('worker', 'wk', t);
      check(`in a Worker over ${how}: an edit and a delete push`, !r2.error && r2.pushed?.updates === 1 && r2.pushed.deletes === 1, r2);
      if (t.http) {
        await B.run('sync', 'wk', t);
        check('what a Worker pushed, another client pulls', await same(A, 'wk', B, 'wk'));
        await tableIs('pushed from a Worker', dirOf('tw'), await A.run('dump', 'wk'), null, t);
      }
      await A.run('edit', 'wk', [], ids(1, 120)); // the next table starts empty
      await A.run('worker', 'wk', t); // and this one ends empty: the deletes pushed
    }
  },

  // Two databases of one origin share a table in OPFS.
  async opfs(A) {
    const t = { opfs: 'tables/shared' };
    await A.run('fill', 'o1', ids(1, 250));
    const r1 = await A.run('sync', 'o1', t);
    const r2 = await A.run('sync', 'o2', t);
    check('OPFS: one database pushes, another pulls', r1.pushed?.inserts === 250 && r2.pulled?.upserts === 250 && await same(A, 'o1', A, 'o2'), [brief(r1), brief(r2)]);
    await A.run('edit', 'o2', ids(1, 20).map((i) => [i, `o2-${i}`, 2000]), ids(30, 39));
    await A.run('edit', 'o1', [[240, 'o1-240', 2000]]);
    const r3 = await A.run('sync', 'o2', t), r4 = await A.run('sync', 'o1', t), r5 = await A.run('sync', 'o2', t);
    check('OPFS: edits and deletes both ways converge', await same(A, 'o1', A, 'o2') && r4.pulled?.upserts === 20 && r4.pulled.deletes === 10, [brief(r3), brief(r4), brief(r5)]);
    // Both databases commit at once: put-if-absent under the Web Lock lets one take the version.
    await A.run('edit', 'o1', ids(1001, 1010).map((i) => [i, `o1-${i}`, 3000]));
    await A.run('edit', 'o2', ids(2001, 2010).map((i) => [i, `o2-${i}`, 3000]));
    const [c1, c2] = await Promise.all([A.run('sync', 'o1', t), A.page.evaluate(() => window.T.sync('o2', { opfs: 'tables/shared' }))]);
    await A.run('sync', 'o1', t);
    await A.run('sync', 'o2', t);
    check(`OPFS: two databases commit at once, both land (versions ${c1.committedVersion} and ${c2.committedVersion})`,
      !c1.error && !c2.error && c1.committedVersion !== c2.committedVersion && (await A.run('dump', 'o1')).length === 260 && await same(A, 'o1', A, 'o2'), [brief(c1), brief(c2)]);
    const r6 = await A.run('sync', 'o3', { dir: 'tables/shared' });
    check('directoryTable (over an OPFS handle) on the same directory: a third database pulls it all', r6.pulled?.upserts === 260 && await same(A, 'o1', A, 'o3'), brief(r6));
    const files = await A.run('opfsFiles', 'tables/shared');
    const dir = path.join(tmp, 'opfs-copy');
    for (const [p, b64] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), Buffer.from(b64, 'base64'));
    }
    check('OPFS: no staging files left behind', !Object.keys(files).some((f) => f.split('/').pop().startsWith('.')), Object.keys(files));
    await tableIs('OPFS table', dir, await A.run('dump', 'o1'), A, t);
  },
};

// httpTable itself, in Node (its fetch is the browser's API), against a server whose listings
// hold 2 keys a page: conditional PUT, listing pages and XML escapes, ranged reads, deletes.
async function httpAdapter() {
  const s = await startTableServer({ dir: path.join(tmp, 'adapter'), pageKeys: 2 });
  try {
    const { httpTable } = await import(path.join(root, 'web', 'sync_tables.js'));
    const t = httpTable(`${s.bucket}/a/t`);
    const first = await t.put('_delta_log/00000000000000000000.json', Buffer.from('one'), { ifAbsent: true });
    const second = await t.put('_delta_log/00000000000000000000.json', Buffer.from('two'), { ifAbsent: true });
    check('httpTable: put-if-absent creates once, then answers false (412); the first bytes stay', first === true && second === false &&
      fs.readFileSync(path.join(s.root, 'a/t/_delta_log/00000000000000000000.json'), 'utf8') === 'one');
    const names = ['x&y<z>.parquet', 'b.parquet', 'c d.parquet', "q'uo\"te.parquet", 'e.parquet'];
    const big = Buffer.alloc(200000, 7);
    big.write('head', 0);
    big.write('tail', big.length - 4);
    for (const n of names) await t.write(n, new Blob([n === 'b.parquet' ? big : Buffer.from(n)]));
    const listed = (await t.list('')).map((f) => f.path).sort();
    const logs = (await t.list('_delta_log')).map((f) => f.path);
    check(`httpTable: listings follow continuation tokens (2 keys a page) and decode XML escapes`, JSON.stringify(listed) === JSON.stringify([...names].sort()) &&
      JSON.stringify(logs) === '["_delta_log/00000000000000000000.json"]' && (await t.list('nothing')).length === 0, { listed, logs });
    const f = await t.open('b.parquet');
    const reads = [await f.read(0, 4), await f.read(big.length - 4, 4), await f.read(100000, 3)].map((b) => Buffer.from(b).toString('latin1'));
    check('httpTable: open reads the tail first, then ranges; sizes from Content-Range', f.size === big.length &&
      JSON.stringify(reads) === JSON.stringify(['head', 'tail', '\x07\x07\x07']) && (await t.open('missing.parquet')) === null, { size: f.size, reads });
    check('httpTable: remove', (await t.remove('e.parquet')) === true && !fs.existsSync(path.join(s.root, 'a/t/e.parquet')));
  } catch (e) {
    check('httpTable in Node ran to the end', false, String(e.stack ?? e));
  } finally {
    await s.close();
  }
}

try {
  await httpAdapter();
  const A = await client('A'), B = await client('B');
  const fz = await A.run('stateFuzz', Number(process.env.IDBPQ_SYNC_SEED ?? 77), 40);
  check(`the chunked state database: 40 rounds of random saves read back in key order (${fz.entries} entries in ${fz.chunks} chunks)`, fz.ok, fz);
  const only = process.env.IDBPQ_SYNC_ONLY?.split(',');
  for (const [name, fn] of Object.entries(scenarios)) {
    if (only && !only.includes(name)) continue;
    const t0 = Date.now();
    try { await fn(A, B); } catch (e) { check(`scenario ${name} ran to the end`, false, String(e.stack ?? e)); }
    if (!A.page || A.page.isClosed()) await A.open();
    if (!B.page || B.page.isClosed()) await B.open();
    console.log(`# ${name}: ${Date.now() - t0} ms`);
  }
  check('no errors on the pages\' consoles', consoleErrors.length === 0, consoleErrors.slice(0, 5));
} catch (e) {
  check('scenarios ran to the end', false, String(e.stack ?? e));
} finally {
  await browser.close();
  await srv.close();
}
console.log(`# browser-sync: ${failed} failed`);
process.exit(0);
