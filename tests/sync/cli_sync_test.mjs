// cli_sync_test.mjs — `idbpq sync PROFILE TABLE_DIR` scenarios against real Chromium profiles,
// checked against independent readers (suite 78_sync_cli.sh).
//
//   node tests/sync/cli_sync_test.mjs IDBPQ CMP_RECORDS TMPDIR [ASAN_IDBPQ]
//
// The store is written and changed by headless Chromium (profile_ops.mjs). The truth of what
// the store holds is `idbpq export --format jsonl` of the profile (its agreement with
// IndexedDB itself is suite 66's business). After each sync the table must hold exactly that:
//   - by our Delta reader: `idbpq table show --rows` compared record by record (cmp_records);
//   - by DuckDB: the live files, found by a replay of the _delta_log JSON written here (not
//     idbpq's reader), read with read_parquet: the key set and a typed column agree.
// Scenarios: first sync; no-change sync; edits/deletes/inserts (copy-on-write of only the
// files holding the keys; the Change Data Feed equals the diff of the truths); dry run; a
// conflict under each policy with its log; a crash between data files and commit; concurrent
// syncs of two profiles; a damaged state file; the profile left unchanged.
// One "ok - sync-cli ..." / "not ok - ..." line per check.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { withProfile } from './profile_ops.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const requireOracle = createRequire(path.join(here, '..', 'oracle', 'package.json'));
const [IDBPQ, CMP, TMP, ASAN] = process.argv.slice(2);
const PORT = 40000 + (process.pid % 20000);
let failures = 0;
const ok = (cond, what, detail = '') => {
  console.log(`${cond ? 'ok' : 'not ok'} - sync-cli ${what}${!cond && detail ? ` (${detail})` : ''}`);
  if (!cond) failures++;
  return cond;
};
const run = (args, env = {}) => execFileSync(IDBPQ, args, { encoding: 'utf8', maxBuffer: 1 << 30,
  env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
const tryRun = (bin, args, env = {}) => {
  try {
    return { code: 0, out: execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 30,
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) { return { code: e.status ?? -1, signal: e.signal, out: String(e.stdout || ''), err: String(e.stderr || '') }; }
};
const SEL = ['--db', 'app', '--store', 'items'];

// ---- truths and table reads ------------------------------------------------------------------

function truth(profile, file) {
  const out = path.join(TMP, 'export-' + path.basename(file));
  fs.rmSync(out, { recursive: true, force: true });
  run(['export', profile, '-o', out, '--format', 'jsonl', '--quiet', ...SEL]);
  const f = execFileSync('find', [out, '-name', 'items.jsonl'], { encoding: 'utf8' }).trim();
  fs.copyFileSync(f, file);
  return file;
}
function tableRows(table, file, bin = IDBPQ) {
  fs.writeFileSync(file, execFileSync(bin, ['table', 'show', table, '--rows'], { encoding: 'utf8', maxBuffer: 1 << 30 }));
  return file;
}
function cmp(want, got) {
  const r = tryRun(CMP, [want, got]);
  return { same: r.code === 0, msg: (r.out + (r.err || '')).split('\n').slice(0, 3).join(' | ') };
}

const byKey = (file) => new Map(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => [JSON.stringify(JSON.parse(l).key), l]));

// The live files by replaying the log's JSON commits (checkpoints are read only when the
// JSON commits before them are gone, which these tables never do).
function replay(table) {
  const log = path.join(table, '_delta_log');
  const names = fs.readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n)).sort();
  const live = new Map();
  let version = -1, protocol = null, meta = null;
  names.forEach((n, i) => {
    const v = Number(n.slice(0, 20));
    if (v !== i) throw new Error(`commit ${n} out of sequence`);
    version = v;
    for (const line of fs.readFileSync(path.join(log, n), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const a = JSON.parse(line);
      if (a.add) live.set(a.add.path, a.add);
      if (a.remove) live.delete(a.remove.path);
      if (a.protocol) protocol = a.protocol;
      if (a.metaData) meta = a.metaData;
    }
  });
  return { version, live: [...live.values()], protocol, meta };
}

let duck;
async function duckRows(table) {
  if (!duck) {
    const { DuckDBInstance } = requireOracle('@duckdb/node-api');
    duck = await (await DuckDBInstance.create(':memory:')).connect();
  }
  const { live } = replay(table);
  if (!live.length) return [];
  const files = live.map((a) => `'${path.join(table, decodeURIComponent(a.path)).replaceAll("'", "''")}'`);
  // Records no column could hold exactly are in `_raw` (tagged JSON of the whole value) with
  // their columns null; take id and name from there for those.
  const r = await duck.runAndReadAll(`SELECT id, name, _raw FROM read_parquet([${files.join(',')}])`);
  const rows = r.getRowObjectsJS().map((x) => {
    if (x._raw === null) return { id: Number(x.id), name: x.name };
    const v = JSON.parse(x._raw);
    return { id: v.id, name: v.name };
  });
  return rows.sort((a, b) => a.id - b.id);
}
async function checkTable(label, table, want) {
  const got = tableRows(table, path.join(TMP, 'rows.jsonl'));
  const c = cmp(want, got);
  ok(c.same, `${label}: the table read by idbpq equals the store`, c.msg);
  const rows = await duckRows(table);
  const truthRows = fs.readFileSync(want, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).value);
  truthRows.sort((a, b) => a.id - b.id);
  const same = rows.length === truthRows.length &&
    rows.every((r, i) => r.id === truthRows[i].id && r.name === truthRows[i].name);
  const bad = rows.findIndex((r, i) => !truthRows[i] || r.id !== truthRows[i].id || r.name !== truthRows[i].name);
  ok(same, `${label}: DuckDB reads the live files (from the log's JSON) as the store (${rows.length} rows)`,
    `${rows.length} vs ${truthRows.length} rows; first difference at ${bad}: ${JSON.stringify(rows[bad])} vs ${JSON.stringify(truthRows[bad])}`);
}
function syncJson(profile, table, state, extra = [], env = {}, bin = IDBPQ) {
  const r = tryRun(bin, ['sync', profile, table, ...SEL, '--state', state, '--json',
    '--target-file-bytes', '16K', '--row-group-bytes', '16K', ...extra], env);
  let res = null;
  try { res = JSON.parse(r.out.trim().split('\n').pop()); } catch { res = null; }
  return { ...r, res };
}
const digest = (dir) => {
  const h = crypto.createHash('sha256');
  for (const f of execFileSync('find', [dir, '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort())
    h.update(f.slice(dir.length) + '\0').update(fs.readFileSync(f));
  return h.digest('hex');
};
const cp = (a, b) => { fs.rmSync(b, { recursive: true, force: true }); execFileSync('cp', ['-a', a, b]); };
const profileOf = (dir) => path.join(dir, 'profile');

// ---- scenarios ---------------------------------------------------------------------------------

async function main() {
  const A = path.join(TMP, 'A'), T = path.join(TMP, 'T'), S = path.join(TMP, 'A.state');
  fs.mkdirSync(A, { recursive: true });
  await withProfile(profileOf(A), PORT, (p) => p.evaluate(() => window.app.fill(20000, 11)));
  const pA = profileOf(A);
  const t0 = truth(pA, path.join(TMP, 't0.jsonl'));

  // 1. First sync: the table is created with every record.
  const before = digest(pA);
  let r = syncJson(pA, T, S);
  ok(r.code === 0 && r.res && r.res.committedVersion === 0 && r.res.pushed.inserts === 20000,
    'first sync creates the table at version 0 with 20000 inserts', r.err || r.out);
  ok(digest(pA) === before, 'the profile is not modified by sync');
  const rep0 = replay(T);
  ok(rep0.protocol && rep0.protocol.minReaderVersion <= 3 && rep0.meta &&
     rep0.meta.configuration['delta.enableChangeDataFeed'] === 'true' && 'idbpq.store' in rep0.meta.configuration,
  'the table has Change Data Feed on and the store description in its metadata', JSON.stringify(rep0.protocol));
  ok(rep0.live.length > 3, `copy-on-write needs several files: ${rep0.live.length} data files of about 16 KiB`);
  const stats = rep0.live.map((a) => JSON.parse(a.stats || '{}'));
  ok(stats.reduce((s, x) => s + (x.numRecords || 0), 0) === 20000, 'per-file numRecords add up to the store');
  const ranges = rep0.live.map((a) => [a.tags?.['idbpq.minKey'], a.tags?.['idbpq.maxKey']]).sort();
  ok(ranges.every((x, i) => x[0] && x[1] && x[0] <= x[1] && (i === 0 || ranges[i - 1][1] < x[0])),
    'data files carry disjoint key ranges');
  await checkTable('first sync', T, t0);

  // 2. Nothing changed: nothing committed.
  r = syncJson(pA, T, S);
  ok(r.code === 0 && r.res && r.res.committedVersion === -1 && replay(T).version === 0,
    'a sync without changes commits nothing', r.err || r.out);

  // 3. Edits, deletes and inserts: only the files holding them are rewritten.
  const upd = [5, 6, 7, 1500, 1501, 2990], del = [10, 11, 2000], ins = 20001;
  await withProfile(pA, PORT, async (p) => {
    await p.evaluate(([u]) => window.app.update(u, { name: 'edited', editedAt: { $date: Date.UTC(2026, 0, 2) } }), [upd]);
    await p.evaluate(([d]) => window.app.del(d), [del]);
    await p.evaluate(([i]) => window.app.insert(i, 4, 99), [ins]);
  });
  const t1 = truth(pA, path.join(TMP, 't1.jsonl'));
  r = syncJson(pA, T, S);
  ok(r.code === 0 && r.res && r.res.committedVersion === 1 && r.res.pushed.updates === 6 &&
     r.res.pushed.deletes === 3 && r.res.pushed.inserts === 4,
  'edits sync as 6 updates, 3 deletes, 4 inserts at version 1', r.err || r.out);
  const rep1 = replay(T);
  ok(r.res && r.res.filesRemoved > 0 && r.res.filesRemoved < rep0.live.length,
    `copy-on-write rewrote ${r.res?.filesRemoved} of ${rep0.live.length} files`);
  await checkTable('after edits', T, t1);
  // The Change Data Feed of version 1 is the diff of the two truths.
  const ch = run(['table', 'changes', T, '--from', '0', '--to', '1']).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const kinds = {};
  for (const c of ch) kinds[c.type] = (kinds[c.type] || 0) + 1;
  ok(kinds.update_preimage === 6 && kinds.update_postimage === 6 && kinds.delete === 3 && kinds.insert === 4 &&
     ch.every((c) => c.version === 1), 'the Change Data Feed of version 1 holds exactly the changes', JSON.stringify(kinds));
  const b0 = byKey(t0), b1 = byKey(t1);
  const post = ch.filter((c) => c.type === 'update_postimage' || c.type === 'insert');
  const pre = ch.filter((c) => c.type === 'update_preimage' || c.type === 'delete');
  const cmpSet = (list, map, name) => {
    const w = path.join(TMP, name + '.want'), g = path.join(TMP, name + '.got');
    fs.writeFileSync(w, list.map((c) => map.get(JSON.stringify(c.key))).join('\n') + '\n');
    fs.writeFileSync(g, list.map((c) => JSON.stringify({ key: c.key, value: c.value })).join('\n') + '\n');
    return cmp(w, g);
  };
  let c1 = cmpSet(post, b1, 'post');
  ok(c1.same, 'post-images and inserts equal the store after the edits', c1.msg);
  c1 = cmpSet(pre, b0, 'pre');
  ok(c1.same, 'pre-images and deleted rows equal the store before the edits', c1.msg);
  const cdcFiles = rep1.live.length && fs.existsSync(path.join(T, '_change_data')) ? fs.readdirSync(path.join(T, '_change_data')) : [];
  ok(cdcFiles.length === 1, 'one _change_data file for the commit');
  if (cdcFiles.length) {
    const q = await duck.runAndReadAll(`SELECT _change_type, count(*) AS n FROM read_parquet('${path.join(T, '_change_data', cdcFiles[0])}') GROUP BY 1 ORDER BY 1`);
    const dk = Object.fromEntries(q.getRowObjectsJS().map((x) => [x._change_type, Number(x.n)]));
    const sorted = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
    ok(sorted(dk) === sorted(kinds), 'DuckDB reads the same change kinds from _change_data', JSON.stringify(dk));
  }

  // 4. Dry run: reports, writes nothing.
  await withProfile(pA, PORT, (p) => p.evaluate(() => window.app.update([100, 200], { name: 'dry' })));
  const logBefore = digest(path.join(T, '_delta_log')), stBefore = fs.readFileSync(S);
  const dry = syncJson(pA, T, S, ['--dry-run']);
  ok(dry.code === 0 && dry.res && dry.res.pushed.updates === 2 && digest(path.join(T, '_delta_log')) === logBefore &&
     fs.readFileSync(S).equals(stBefore), 'a dry run reports 2 updates and changes neither the table nor the state', dry.err || dry.out);
  r = syncJson(pA, T, S);
  ok(r.code === 0 && r.res && r.res.pushed.updates === 2 && r.res.committedVersion === 2, 'the real run then pushes them');
  const t2 = truth(pA, path.join(TMP, 't2.jsonl'));
  await checkTable('after the dry run', T, t2);

  // 5. Conflicts: profile B (a copy of A with its own state) changes keys A changes too.
  for (const [policy, expect] of [['prefer-local', 'A'], ['prefer-table', 'B'], ['newest:editedAt', 'mixed']]) {
    const tag = policy.replace(/\W/g, '');
    const B = path.join(TMP, 'B-' + tag), TB = path.join(TMP, 'T-' + tag), SA = path.join(TMP, 'SA-' + tag), SB = path.join(TMP, 'SB-' + tag);
    const A2 = path.join(TMP, 'A-' + tag);
    cp(A, A2); cp(A, B); cp(T, TB); fs.copyFileSync(S, SA);
    r = syncJson(profileOf(B), TB, SB);   // B's first sync: its records equal the table's
    ok(r.code === 0 && r.res && r.res.committedVersion === -1, `${policy}: a second replica's first sync finds nothing to push`, r.err || r.out);
    await withProfile(profileOf(A2), PORT, (p) => p.evaluate(() => Promise.all([
      window.app.update([300], { name: 'A', editedAt: { $date: Date.UTC(2026, 5, 1) } }),
    ]).then(() => window.app.update([301], { name: 'A', editedAt: { $date: Date.UTC(2026, 1, 1) } }))));
    await withProfile(profileOf(B), PORT, (p) => p.evaluate(() => window.app.update([300, 301], { name: 'B', editedAt: { $date: Date.UTC(2026, 3, 1) } })));
    r = syncJson(profileOf(B), TB, SB);
    ok(r.code === 0 && r.res && r.res.pushed.updates === 2, `${policy}: B pushes its two edits`, r.err || r.out);
    const log = path.join(TMP, 'conflicts-' + tag + '.jsonl');
    r = syncJson(profileOf(A2), TB, SA, ['--policy', policy, '--conflict-log', log]);
    ok(r.code === 0 && r.res && r.res.conflicts.total === 2, `${policy}: A's sync meets 2 conflicts`, r.err || r.out);
    const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    const rows = new Map(fs.readFileSync(tableRows(TB, path.join(TMP, 'rows-' + tag)), 'utf8').split('\n').filter(Boolean).map((l) => { const o = JSON.parse(l); return [o.key, o.value.name]; }));
    const want = expect === 'mixed' ? { 300: 'A 300', 301: 'B 301' } : { 300: `${expect} 300`, 301: `${expect} 301` };
    ok(rows.get(300) === want[300] && rows.get(301) === want[301], `${policy}: the table holds ${JSON.stringify(want)}`, `${rows.get(300)}, ${rows.get(301)}`);
    const winners = lines.map((l) => `${l.key}:${l.winner}`).sort().join(',');
    const wantW = expect === 'A' ? '300:local,301:local' : expect === 'B' ? '300:table,301:table' : '300:local,301:table';
    ok(lines.length === 2 && winners === wantW && lines.every((l) => l.local && l.table && l.reason),
      `${policy}: the conflict log records both decisions`, winners);
  }

  // 6. A crash between the data files and the commit.
  const C = path.join(TMP, 'C'), TC = path.join(TMP, 'TC'), SC = path.join(TMP, 'SC');
  cp(A, C); cp(T, TC); fs.copyFileSync(S, SC);
  await withProfile(profileOf(C), PORT, (p) => p.evaluate(() => window.app.update([400, 401], { name: 'crash' })));
  const vBefore = replay(TC).version;
  r = syncJson(profileOf(C), TC, SC, [], { IDBPQ_TEST_CRASH_BEFORE_COMMIT: '1' });
  ok(r.code !== 0 && replay(TC).version === vBefore, 'a sync killed before its commit leaves the table at its version', `exit ${r.code}`);
  const again = tryRun(IDBPQ, ['table', 'show', TC]);
  ok(again.code === 0, 'the table still reads after the crash');
  r = syncJson(profileOf(C), TC, SC);
  ok(r.code === 0 && r.res && r.res.pushed.updates === 2 && replay(TC).version === vBefore + 1, 'the next sync completes it', r.err || r.out);
  await checkTable('after the crash', TC, truth(profileOf(C), path.join(TMP, 'tc.jsonl')));

  // 7. Two replicas syncing at once, disjoint edits, three rounds: every commit lands.
  const D = path.join(TMP, 'D'), E = path.join(TMP, 'E'), TD = path.join(TMP, 'TD'), SD = path.join(TMP, 'SD'), SE = path.join(TMP, 'SE');
  cp(A, D); cp(A, E); cp(T, TD); fs.copyFileSync(S, SD); fs.copyFileSync(S, SE);
  let landed = 0, rounds = 0;
  for (let k = 0; k < 3; k++) {
    await withProfile(profileOf(D), PORT, (p) => p.evaluate(([i]) => window.app.update([500 + i], { name: 'D' + i }), [k]));
    await withProfile(profileOf(E), PORT, (p) => p.evaluate(([i]) => window.app.update([2500 + i], { name: 'E' + i }), [k]));
    const go = (prof, st) => new Promise((res) => {
      const ch2 = spawn(IDBPQ, ['sync', prof, TD, ...SEL, '--state', st, '--json', '--target-file-bytes', '16K', '--row-group-bytes', '16K']);
      let out = '';
      ch2.stdout.on('data', (d) => { out += d; });
      ch2.on('close', (code) => res({ code, out }));
    });
    const [x, y] = await Promise.all([go(profileOf(D), SD), go(profileOf(E), SE)]);
    landed += [x, y].filter((z) => z.code === 0).length;
    rounds++;
  }
  const repD = replay(TD);
  ok(landed === 2 * rounds, `concurrent syncs: all ${2 * rounds} syncs succeed`, `${landed} succeeded`);
  const namesD = new Map(fs.readFileSync(tableRows(TD, path.join(TMP, 'rowsD')), 'utf8').split('\n').filter(Boolean).map((l) => { const o = JSON.parse(l); return [o.key, o.value.name]; }));
  ok([0, 1, 2].every((i) => namesD.get(500 + i) === `D${i} ${500 + i}` && namesD.get(2500 + i) === `E${i} ${2500 + i}`),
    `concurrent syncs: nothing lost (versions 0..${repD.version})`);

  // 8. A damaged state file is refused, naming it.
  const bad = path.join(TMP, 'bad.state');
  fs.writeFileSync(bad, fs.readFileSync(S).subarray(0, Math.max(20, fs.statSync(S).size - 7)));
  r = syncJson(pA, T, bad);
  ok(r.code === 1 && (r.err || '').includes('bad.state'), 'a truncated state file fails with its name', r.err);

  // 9. Under AddressSanitizer: a sync with edits, and reading the table.
  if (ASAN && fs.existsSync(ASAN)) {
    const F = path.join(TMP, 'F'), TF = path.join(TMP, 'TF'), SF = path.join(TMP, 'SF');
    cp(A, F); cp(T, TF); fs.copyFileSync(S, SF);
    await withProfile(profileOf(F), PORT, (p) => p.evaluate(() => window.app.update([7, 8, 2999], { name: 'asan' }).then(() => window.app.del([9]))));
    r = syncJson(profileOf(F), TF, SF, [], {}, ASAN);
    ok(r.code === 0 && r.res && r.res.pushed.updates === 3, 'AddressSanitizer build: sync with edits', (r.err || '').slice(0, 300));
    const rr = tryRun(ASAN, ['table', 'show', TF, '--rows']);
    ok(rr.code === 0, 'AddressSanitizer build: table show --rows', (rr.err || '').slice(0, 300));
  } else {
    console.log('# SKIPPED: sync-cli AddressSanitizer checks (no build-asan/idbpq)');
  }
}

main().then(() => process.exit(failures ? 1 : 0), (e) => {
  console.log(`not ok - sync-cli: ${e.stack || e.message}`);
  process.exit(1);
});
