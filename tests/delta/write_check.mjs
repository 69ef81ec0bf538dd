// write_check.mjs — suite 76: the Delta tables idbpq writes, checked by DuckDB and by an
// independent replay of the log in JavaScript (tests/suites/76_delta_write.sh runs it).
//
//   node tests/delta/write_check.mjs <write_driver> <idbpq> <tmpdir>
//
// Scenario "seq": a table is created, appended to, updated and deleted from (copy-on-write of
// the file holding a key), with a record that does not fit the schema (its value goes to
// `_raw`) and a checkpoint every 4 versions. After each commit: the rows DuckDB reads from the
// live files (the live set replayed here from the JSON commits, and again from the newest
// checkpoint read by DuckDB) equal the model; DuckDB's own min/max/null counts of each file
// agree with the add's stats where we wrote them; the `_change_data` rows of the commit equal
// the model's changes; `idbpq table show --rows` prints the model's records.
// Scenario "race": two processes append 20 times each at once: every commit lands once, the
// versions are contiguous, nothing is lost. Two processes rewriting the same file at once:
// one commits, the other gets CONFLICT. Scenario "crash": a writer killed between its data
// files and its commit leaves the previous version; the retry completes; vacuum removes the
// orphans and the replaced files and the live rows stay.
// Prints one "ok - delta-write ..." / "not ok - ..." line per check.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const require = createRequire(path.join(ROOT, 'tests/oracle/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [DRIVER, IDBPQ, TMP] = process.argv.slice(2);
let failures = 0;
function report(ok, name, detail) {
  console.log(`${ok ? 'ok' : 'not ok'} - delta-write ${name}`);
  if (!ok) {
    failures++;
    if (detail) console.log(String(detail).split('\n').slice(0, 12).map((l) => `#   ${l}`).join('\n'));
  }
}

const db = await (await DuckDBInstance.create(':memory:')).connect();
async function q(sql) { return (await db.runAndReadAll(sql)).getRowObjectsJson(); }
const lit = (s) => `'${s.replace(/'/g, "''")}'`;
const list = (files) => `[${files.map(lit).join(',')}]`;

// ---- records -----------------------------------------------------------------------------------
// Values as tagged JSON objects; the model keeps them by id.
function record(id, variant = 0) {
  const long = id % 3 === 0;
  return {
    id,
    name: (long ? 'é-long-name-'.repeat(4) : 'n') + String(id).padStart(4, '0') + (variant ? `v${variant}` : ''),
    score: id % 7 === 0 && !variant ? { $number: 'NaN' } : id + 0.5 + variant,
    tags: id % 4 === 0 ? null : Array.from({ length: id % 3 }, (_, k) => `t${k}`),
    when: { $date: 1767225600000 + id * 3600123 + variant },
    nested: { a: id * 10 + variant, s: `s${id % 5}` },
  };
}
const lines = (recs) => recs.map((v) => JSON.stringify({ value: v })).join('\n') + '\n';

function drive(args, input, env = {}) {
  const r = spawnSync(DRIVER, args, { input, env: { ...process.env, ...env }, encoding: 'utf8' });
  let out = null;
  try { out = JSON.parse(r.stdout.trim().split('\n').pop()); } catch { /* none */ }
  return { status: r.status, out, err: r.stderr };
}

// ---- the log, replayed here -----------------------------------------------------------------------
function commitVersions(dir) {
  return fs.readdirSync(path.join(dir, '_delta_log')).filter((n) => /^\d{20}\.json$/.test(n))
    .map((n) => parseInt(n, 10)).sort((a, b) => a - b);
}
function readCommit(dir, v) {
  const text = fs.readFileSync(path.join(dir, '_delta_log', `${String(v).padStart(20, '0')}.json`), 'utf8');
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
function apply(state, actions) {
  for (const a of actions) {
    if (a.add) { state.live.set(a.add.path, a.add); state.removed.delete(a.add.path); }
    if (a.remove) { state.live.delete(a.remove.path); state.removed.set(a.remove.path, a.remove); }
    if (a.txn) state.txn.set(a.txn.appId, a.txn.version);
    if (a.metaData) state.meta = a.metaData;
    if (a.protocol) state.protocol = a.protocol;
  }
}
function replayJson(dir, upto) {
  const st = { live: new Map(), removed: new Map(), txn: new Map(), meta: null, protocol: null };
  for (const v of commitVersions(dir)) if (v <= upto) apply(st, readCommit(dir, v));
  return st;
}
// From the newest checkpoint at or before upto (read by DuckDB), then the commits after it.
async function replayCkpt(dir, upto) {
  const log = path.join(dir, '_delta_log');
  const cks = fs.readdirSync(log).filter((n) => /^\d{20}\.checkpoint\.parquet$/.test(n))
    .map((n) => parseInt(n, 10)).filter((v) => v <= upto).sort((a, b) => a - b);
  if (!cks.length) return null;
  const cv = cks[cks.length - 1];
  const rows = await q(`select to_json(add) a, to_json(remove) r, to_json(txn) t, to_json(metaData) m, to_json(protocol) p from read_parquet(${lit(path.join(log, `${String(cv).padStart(20, '0')}.checkpoint.parquet`))})`);
  const st = { live: new Map(), removed: new Map(), txn: new Map(), meta: null, protocol: null, from: cv, rows };
  for (const r of rows) {
    const a = r.a && JSON.parse(r.a), rm = r.r && JSON.parse(r.r), t = r.t && JSON.parse(r.t);
    if (a) st.live.set(a.path, a);
    if (rm) st.removed.set(rm.path, rm);
    if (t) st.txn.set(t.appId, Number(t.version));
    if (r.m) st.meta = JSON.parse(r.m);
    if (r.p) st.protocol = JSON.parse(r.p);
  }
  for (const v of commitVersions(dir)) if (v > cv && v <= upto) apply(st, readCommit(dir, v));
  return st;
}

// ---- checks ----------------------------------------------------------------------------------------
// JSON text with object keys sorted at every level.
const canon = (x) => (Array.isArray(x) ? `[${x.map(canon).join(',')}]`
  : x && typeof x === 'object' ? `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canon(x[k])}`).join(',')}}`
    : JSON.stringify(x));
function expectRow(v) {
  const nan = typeof v.score === 'object';
  return { id: v.id, name: v.name, score: nan ? 'NaN' : v.score, tags: v.tags, when: v.when.$date, a: v.nested.a, s: v.nested.s };
}
async function liveRows(dir, files) {
  if (!files.length) return [];
  const rows = await q(`select id::double id, name, case when isnan(score) then 'NaN' else score::varchar end score, tags, epoch_ms("when") "when", nested.a::double a, nested.s s, _raw from read_parquet(${list(files.map((f) => path.join(dir, f)))})`);
  return rows.map((r) => {
    if (r._raw) return expectRow(JSON.parse(r._raw)); // a misfit: its exact value is in _raw
    return { id: Number(r.id), name: r.name, score: r.score === 'NaN' ? 'NaN' : Number(r.score), tags: r.tags, when: Number(r.when), a: Number(r.a), s: r.s };
  });
}
function sameRows(got, model) {
  const g = got.map((r) => JSON.stringify(r)).sort(), m = [...model.values()].map((v) => JSON.stringify(expectRow(v))).sort();
  if (g.length !== m.length) return `rows: ${g.length} read, ${m.length} expected`;
  for (let i = 0; i < g.length; i++) if (g[i] !== m[i]) return `row ${i}: read ${g[i]}\nexpected ${m[i]}`;
  return null;
}
const utf8cmp = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
// Our stats of one file against DuckDB's aggregates over it; returns [problems, compared].
async function statsAgree(file, add) {
  const st = JSON.parse(add.stats);
  const [d] = await q(`select count(*) n, min(id)::double idmin, max(id)::double idmax, count(*)-count(id) idnull,
    min(name) nmin, max(name) nmax, count(*)-count(name) nnull, epoch_ms(min("when")) wmin, epoch_ms(max("when")) wmax,
    count(*)-count("when") wnull, min(score)::varchar smin, max(score)::varchar smax, bool_or(isnan(score)) snan,
    count(*)-count(score) snull, count(*)-count(tags) tnull, min(nested.a)::double amin, max(nested.a)::double amax,
    count(*)-count(nested.a) anull from read_parquet(${lit(file)})`);
  const bad = [];
  let n = 0;
  const eq = (what, ours, theirs) => { if (ours === undefined) return; n++; if (ours !== theirs) bad.push(`${what}: ours ${ours}, DuckDB ${theirs}`); };
  const mn = st.minValues || {}, mx = st.maxValues || {}, nc = st.nullCount || {};
  eq('numRecords', st.numRecords, Number(d.n));
  eq('id min', mn.id, Number(d.idmin)); eq('id max', mx.id, Number(d.idmax));
  eq('nested.a min', mn.nested?.a, Number(d.amin)); eq('nested.a max', mx.nested?.a, Number(d.amax));
  eq('nullCount id', nc.id, Number(d.idnull)); eq('nullCount name', nc.name, Number(d.nnull));
  eq('nullCount when', nc.when, Number(d.wnull)); eq('nullCount score', nc.score, Number(d.snull));
  eq('nullCount tags', nc.tags, Number(d.tnull)); eq('nullCount nested.a', nc.nested?.a, Number(d.anull));
  if (d.wmin !== null) { eq('when min', mn.when, new Date(Number(d.wmin)).toISOString()); eq('when max', mx.when, new Date(Number(d.wmax)).toISOString()); }
  if (d.snan) { if (mn.score !== undefined || mx.score !== undefined) bad.push('score has NaN but min/max were written'); n++; }
  else if (d.smin !== null) { eq('score min', mn.score, Number(d.smin)); eq('score max', mx.score, Number(d.smax)); }
  if (mn.name !== undefined && d.nmin !== null) {
    n++;
    const cp = [...d.nmin].length;
    if (cp <= 32 ? mn.name !== d.nmin : !(d.nmin.startsWith(mn.name) && [...mn.name].length === 32)) bad.push(`name min ${mn.name} vs ${d.nmin}`);
  }
  if (mx.name !== undefined && d.nmax !== null) {
    n++;
    if (utf8cmp(mx.name, d.nmax) < 0 || ([...d.nmax].length <= 32 && mx.name !== d.nmax)) bad.push(`name max ${mx.name} below or unlike ${d.nmax}`);
  }
  return [bad, n];
}

async function checkVersion(dir, model, label, changes) {
  const vs = commitVersions(dir);
  const v = vs[vs.length - 1];
  report(vs.every((x, i) => x === i), `${label}: versions 0..${v} contiguous`, vs.join(','));
  const js = replayJson(dir, v);
  const files = [...js.live.keys()];
  const err = sameRows(await liveRows(dir, files), model);
  report(!err, `${label}: DuckDB reads the live files as the model (${model.size} rows, ${files.length} files)`, err);
  let bad = [], compared = 0;
  for (const [p, add] of js.live) {
    if (!add.stats) { bad.push(`${p}: no stats`); continue; }
    const [b, n] = await statsAgree(path.join(dir, p), add);
    bad = bad.concat(b.map((x) => `${p}: ${x}`));
    compared += n;
  }
  report(!bad.length && compared > 0, `${label}: stats agree with DuckDB (${compared} values)`, bad.join('\n'));
  const actions = readCommit(dir, v);
  const cdc = actions.filter((a) => a.cdc).map((a) => a.cdc.path);
  if (changes) {
    const rows = cdc.length ? await q(`select _change_type t, id::double id, name from read_parquet(${list(cdc.map((f) => path.join(dir, f)))})`) : [];
    const got = rows.map((r) => `${r.t} ${Number(r.id)} ${r.name}`).sort();
    const want = changes.map((c) => `${c[0]} ${c[1].id} ${c[1].name}`).sort();
    report(JSON.stringify(got) === JSON.stringify(want), `${label}: _change_data rows are the commit's changes (${want.length})`,
      `got ${JSON.stringify(got)}\nwant ${JSON.stringify(want)}`);
  } else {
    report(cdc.length === 0 && actions[0].commitInfo?.isBlindAppend === !actions.some((a) => a.remove),
      `${label}: no change data for an insert-only commit`, JSON.stringify(actions[0]));
  }
  const ck = await replayCkpt(dir, v);
  if (ck) {
    const same = JSON.stringify([...ck.live.keys()].sort()) === JSON.stringify(files.sort()) &&
      JSON.stringify([...ck.txn].sort()) === JSON.stringify([...js.txn].sort()) && ck.meta?.id === js.meta.id &&
      JSON.stringify([...ck.removed.keys()].filter((p) => !js.live.has(p)).sort()) ===
        JSON.stringify([...js.removed.keys()].sort());
    report(same, `${label}: checkpoint ${ck.from} + commits give the same snapshot as the JSON log`,
      `ckpt live ${[...ck.live.keys()].length}, json live ${files.length}; txn ${JSON.stringify([...ck.txn])} vs ${JSON.stringify([...js.txn])}`);
  }
  const show = spawnSync(IDBPQ, ['table', 'show', '--rows', dir], { encoding: 'utf8' });
  if (show.status !== 0 && /unknown command|table: missing|Usage/i.test(show.stderr) && !/--rows/.test(show.stderr)) {
    console.log(`# SKIPPED: delta-write ${label}: idbpq table show --rows (not available)`);
  } else {
    const got = show.stdout.split('\n').filter((l) => l).map((l) => canon(JSON.parse(l).value)).sort();
    const want = [...model.values()].map((x) => canon(x)).sort();
    report(show.status === 0 && JSON.stringify(got) === JSON.stringify(want),
      `${label}: idbpq table show --rows prints the model's records`, show.stderr || `${got.length} vs ${want.length}`);
  }
}

// ---- scenario: a sequence of commits ------------------------------------------------------------------
async function seq() {
  const dir = path.join(TMP, 'seq');
  const model = new Map();
  const put = async (recs, label, args = []) => {
    const changes = [];
    for (const r of recs) {
      if (model.has(r.id)) changes.push(['update_preimage', model.get(r.id)], ['update_postimage', r]);
      else changes.push(['insert', r]);
    }
    const res = drive(['put', dir, '--keypath', 'id', '--ckpt', '4', '--app', 'idbpq:seq', '--txn', label.length, ...args], lines(recs));
    report(res.status === 0, `${label}: committed (${JSON.stringify(res.out)})`, res.err);
    for (const r of recs) model.set(r.id, r);
    await checkVersion(dir, model, label, res.out?.removes ? changes : null);
  };
  const del = async (ids, label) => {
    const changes = ids.filter((i) => model.has(i)).map((i) => ['delete', model.get(i)]);
    const res = drive(['del', dir, '--ckpt', '4'], ids.map((i) => String(i)).join('\n') + '\n');
    report(res.status === 0, `${label}: committed (${JSON.stringify(res.out)})`, res.err);
    for (const i of ids) model.delete(i);
    await checkVersion(dir, model, label, changes);
  };
  const range = (a, b, variant = 0) => Array.from({ length: b - a + 1 }, (_, k) => record(a + k, variant));
  await put(range(1, 30), 'create');
  const proto = readCommit(dir, 0).find((a) => a.protocol)?.protocol;
  const meta = readCommit(dir, 0).find((a) => a.metaData)?.metaData;
  report(proto?.minReaderVersion === 1 && proto?.minWriterVersion === 4 && meta?.configuration['delta.enableChangeDataFeed'] === 'true' &&
    JSON.parse(meta.configuration['idbpq.store']).keyPath === 'id' && readCommit(dir, 0)[0].commitInfo,
    'create: commitInfo first, protocol (1,4), CDF on, idbpq.store', JSON.stringify(proto));
  await put(range(31, 50), 'append');
  await put([record(3, 1), record(12, 2), record(40, 1), record(35, 3), record(51, 0)], 'update');
  await del([2, 12, 33, 49], 'delete');
  await put(range(60, 64), 'append-2');
  const misfit = { ...record(61, 4), score: 'not a number' };
  await put([misfit, record(70)], 'misfit');
  await del(range(60, 70).map((r) => r.id), 'delete-file');
  const ckpts = fs.readdirSync(path.join(dir, '_delta_log')).filter((n) => n.endsWith('.checkpoint.parquet'));
  report(ckpts.length >= 1 && fs.existsSync(path.join(dir, '_delta_log', '_last_checkpoint')),
    `checkpoints written every 4 versions (${ckpts.join(' ')})`);
  const last = JSON.parse(fs.readFileSync(path.join(dir, '_delta_log', '_last_checkpoint'), 'utf8'));
  const ckRows = await q(`select count(*) n, count(add) adds from read_parquet(${lit(path.join(dir, '_delta_log', `${String(last.version).padStart(20, '0')}.checkpoint.parquet`))})`);
  report(Number(ckRows[0].n) === last.size && Number(ckRows[0].adds) === last.numOfAddFiles,
    `_last_checkpoint agrees with the checkpoint DuckDB reads (${last.size} rows, ${last.numOfAddFiles} adds)`, JSON.stringify([last, ckRows]));
}

// ---- scenario: concurrent writers -------------------------------------------------------------------
function run(args, input, env = {}) {
  return new Promise((resolve) => {
    const p = spawn(DRIVER, args, { env: { ...process.env, ...env } });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (status) => resolve({ status, out, err }));
    p.stdin.end(input);
  });
}
async function race() {
  const dir = path.join(TMP, 'race');
  drive(['put', dir, '--keypath', 'id'], lines([record(1)]));
  const writer = async (base, app) => {
    const res = [];
    for (let i = 1; i <= 20; i++)
      res.push(await run(['put', dir, '--app', app, '--txn', String(i), '--attempts', '100', '--ckpt', '10'], lines([record(base + i)])));
    return res;
  };
  const [a, b] = await Promise.all([writer(1000, 'A'), writer(2000, 'B')]);
  const all = a.concat(b);
  const failed = all.filter((r) => r.status !== 0);
  report(!failed.length, 'race: 40 concurrent appends all committed', failed.map((r) => r.err).join('\n'));
  const vs = commitVersions(dir);
  report(vs.length === 41 && vs.every((x, i) => x === i), `race: versions 0..${vs.length - 1} contiguous`, vs.join(','));
  const committed = all.map((r) => { try { return JSON.parse(r.out).version; } catch { return -1; } }).sort((x, y) => x - y);
  report(JSON.stringify(committed) === JSON.stringify(Array.from({ length: 40 }, (_, i) => i + 1)),
    'race: each commit landed exactly once', committed.join(','));
  const retried = all.filter((r) => { try { return JSON.parse(r.out).attempts > 1; } catch { return false; } }).length;
  console.log(`# race: ${retried} commits retried after losing a version`);
  const model = new Map([[1, record(1)]]);
  for (let i = 1; i <= 20; i++) { model.set(1000 + i, record(1000 + i)); model.set(2000 + i, record(2000 + i)); }
  const js = replayJson(dir, vs[vs.length - 1]);
  const err = sameRows(await liveRows(dir, [...js.live.keys()]), model);
  report(!err, 'race: nothing lost (41 rows)', err);
  report(js.txn.get('A') === 20 && js.txn.get('B') === 20, 'race: txn versions of both writers are 20', JSON.stringify([...js.txn]));
  // Two rewrites of the same file at once: one wins, the other conflicts.
  const dir2 = path.join(TMP, 'race2');
  drive(['put', dir2, '--keypath', 'id'], lines([record(1), record(2), record(3)]));
  const [x, y] = await Promise.all([
    run(['put', dir2, '--sleep-ms', '300'], lines([record(2, 1)])),
    run(['put', dir2, '--sleep-ms', '300'], lines([record(2, 2)]))]);
  const codes = [x.status, y.status].sort();
  report(codes[0] === 0 && codes[1] === 3 && /CONFLICT/.test(x.err + y.err),
    'race: two rewrites of one file: one commits, the other gets CONFLICT', `${x.status} ${x.err} / ${y.status} ${y.err}`);
  const winner = x.status === 0 ? 1 : 2;
  const err2 = sameRows(await liveRows(dir2, [...replayJson(dir2, 99).live.keys()]), new Map([[1, record(1)], [2, record(2, winner)], [3, record(3)]]));
  report(!err2 && commitVersions(dir2).length === 2, 'race: the winner\'s row is in the table', err2);
}

// ---- scenario: a crash between data files and commit --------------------------------------------------
async function crash() {
  const dir = path.join(TMP, 'crash');
  drive(['put', dir, '--keypath', 'id'], lines([record(1), record(2), record(3)]));
  const before = fs.readdirSync(dir).filter((n) => n.endsWith('.parquet')).length;
  const r = drive(['put', dir], lines([record(2, 5)]), { IDBPQ_TEST_CRASH_BEFORE_COMMIT: '1' });
  const after = fs.readdirSync(dir).filter((n) => n.endsWith('.parquet')).length;
  report(r.status === 86 && commitVersions(dir).length === 1 && after > before,
    'crash: the writer died after its data file, before its commit', `exit ${r.status}, files ${before} -> ${after}`);
  const old = new Map([[1, record(1)], [2, record(2)], [3, record(3)]]);
  let err = sameRows(await liveRows(dir, [...replayJson(dir, 99).live.keys()]), old);
  report(!err, 'crash: readers see the previous version', err);
  const show = spawnSync(IDBPQ, ['table', 'show', '--rows', dir], { encoding: 'utf8' });
  if (show.status === 0) report(show.stdout.includes('"name":"n0002"') && !show.stdout.includes('n0002v5'), 'crash: idbpq table show --rows sees the previous version', show.stdout);
  const retry = drive(['put', dir], lines([record(2, 5)]));
  report(retry.status === 0 && retry.out.version === 1, 'crash: the retry commits version 1', retry.err);
  old.set(2, record(2, 5));
  err = sameRows(await liveRows(dir, [...replayJson(dir, 99).live.keys()]), old);
  report(!err, 'crash: the retry\'s row is read', err);
  const dry = drive(['vacuum', dir, '0', '--dry-run']);
  const vac = drive(['vacuum', dir, '0']);
  const left = fs.readdirSync(dir).filter((n) => n.endsWith('.parquet')).sort();
  const live = [...replayJson(dir, 99).live.keys()].sort();
  report(dry.status === 0 && vac.status === 0 && dry.out.files === vac.out.files && vac.out.files >= 2 &&
    JSON.stringify(left) === JSON.stringify(live), `vacuum: orphan and replaced files deleted (${vac.out?.files}), live ones kept`,
    `${JSON.stringify(dry.out)} ${JSON.stringify(vac.out)} left ${left} live ${live} ${vac.err}`);
  err = sameRows(await liveRows(dir, live), old);
  report(!err && fs.readdirSync(path.join(dir, '_delta_log')).length >= 2, 'vacuum: the table reads the same afterwards', err);
}

// ---- scenario: a VARIANT, a name needing column mapping, names equal ignoring case ---------------------
async function features() {
  const dir = path.join(TMP, 'features');
  const recs = [{ id: 1, 'my field': 'x', mixed: 1, A: 1, a: 2 }, { id: 2, 'my field': 'y', mixed: 'two', A: 3, a: 4 }];
  const r = drive(['put', dir, '--keypath', 'id'], lines(recs));
  report(r.status === 0, 'features: committed', r.err);
  const c0 = readCommit(dir, 0);
  const p = c0.find((a) => a.protocol)?.protocol, m = c0.find((a) => a.metaData)?.metaData;
  report(p?.minReaderVersion === 3 && p?.minWriterVersion === 7 &&
    JSON.stringify([...p.readerFeatures].sort()) === '["columnMapping","variantType"]' &&
    JSON.stringify([...p.writerFeatures].sort()) === '["changeDataFeed","columnMapping","variantType"]',
    'features: protocol (3,7) with exactly variantType, columnMapping and changeDataFeed', JSON.stringify(p));
  const fields = JSON.parse(m.schemaString).fields;
  const lower = fields.map((f) => f.name.toLowerCase());
  report(m.configuration['delta.columnMapping.mode'] === 'name' && Number(m.configuration['delta.columnMapping.maxColumnId']) === fields.length &&
    fields.every((f) => f.metadata['delta.columnMapping.physicalName'] === f.name) &&
    fields.find((f) => f.name === 'mixed')?.type === 'variant' && new Set(lower).size === lower.length,
    'features: column mapping (name mode, physical names), variant type, names unique ignoring case', m.schemaString);
  const files = [...replayJson(dir, 0).live.keys()].map((f) => path.join(dir, f));
  const rows = await q(`select id::double id, "my field" f, mixed::varchar mx from read_parquet(${list(files)}) order by id`);
  report(JSON.stringify(rows.map((x) => [Number(x.id), x.f, x.mx])) === '[[1,"x","1"],[2,"y","two"]]',
    'features: DuckDB reads the columns by their physical names', JSON.stringify(rows));
  const show = spawnSync(IDBPQ, ['table', 'show', '--rows', dir], { encoding: 'utf8' });
  const got = show.stdout.split('\n').filter((l) => l).map((l) => canon(JSON.parse(l).value)).sort();
  report(show.status === 0 && JSON.stringify(got) === JSON.stringify(recs.map(canon).sort()),
    'features: idbpq table show --rows gives the records back (a and A apart)', show.stderr || got.join('\n'));
}

// ---- scenario: out-of-line keys, one the `_key` column cannot hold ---------------------------------------
async function keys() {
  const dir = path.join(TMP, 'keys');
  const first = [{ key: 1, value: { x: 1 } }, { key: 2, value: { x: 2 } }];
  const later = [{ key: 'str', value: { x: 3 } }, { key: [1, 2], value: { x: 'four' } }];
  const a = drive(['put', dir], first.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const b = drive(['put', dir], later.map((r) => JSON.stringify(r)).join('\n') + '\n');
  report(a.status === 0 && b.status === 0, 'keys: two commits with out-of-line keys', a.err + b.err);
  const files = [...replayJson(dir, 9).live.keys()].map((f) => path.join(dir, f));
  const rows = await q(`select _key::double k, _raw_key rk, _raw r from read_parquet(${list(files)}) order by k nulls last, rk`);
  report(rows.filter((r) => r.rk !== null).length === 2 && rows.filter((r) => r.k !== null).length === 2,
    'keys: keys the template\'s _key cannot hold are in _raw_key', JSON.stringify(rows));
  const show = spawnSync(IDBPQ, ['table', 'show', '--rows', dir], { encoding: 'utf8' });
  const got = show.stdout.split('\n').filter((l) => l).map((l) => canon(JSON.parse(l))).sort();
  report(show.status === 0 && JSON.stringify(got) === JSON.stringify(first.concat(later).map(canon).sort()),
    'keys: idbpq table show --rows gives every key and value back', show.stderr || got.join('\n'));
}

try {
  await keys();
  await features();
  await seq();
  await race();
  await crash();
} catch (e) {
  report(false, 'script', e.stack);
}
process.exit(failures ? 1 : 0);
