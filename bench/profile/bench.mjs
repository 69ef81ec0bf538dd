// bench.mjs — profile export against its floor, on the same generated Chromium profiles in one
// run (driven by bench/profile/run.sh, which builds the floors and generates the profiles).
//
//   node bench/profile/bench.mjs --profiles DIR --work DIR --idbpq BIN --floors DIR
//        --records N --small M [--backends leveldb,sqlite] [--runs R] [--timeout S]
//        [--results FILE]
//
// For each backend, on DIR/<backend>-<N>-v<version> (gen.json says what it holds):
//   floor          LevelDB: floor_leveldb on a fresh copy of the origin's LevelDB directory,
//                  block checksums verified (as idbpq's reader does) and not; then the blob
//                  directory read whole. SQLite: floor_sqlite, SELECT key, value FROM records
//                  of each database, then the blobs tables. The floors decode nothing.
//   idbpq export   ./idbpq export PROFILE -o OUT --quiet: default options (SNAPPY, 128M row
//                  groups), --codec zstd, --row-group-bytes 32M, --format jsonl (whole process)
// and on the ~4x smaller profile (M records) the floor and the export with default options and
// with --row-group-bytes 32M, for memory. OUT/export.json gives the records exported.
// Every case runs in its own process under /usr/bin/time (wall, CPU, peak RSS); the page cache
// is warmed first by reading every file of the profile. Floors' "s" is their timed section
// (iteration only, without leveldb_open); exports' "s" is the whole process. records/s =
// records in the profile / s; MB/s = the origin's IndexedDB bytes on disk (LevelDB + blob files,
// or the SQLite files) / s. "x floor" = s / the floor's s (LevelDB: verified iteration; SQLite:
// records scan); "x floor CPU" the same with user + system CPU of the whole processes; the target
// is the default export within 2x. Best of R runs (default 1).
// Writes the Markdown to --results (and prints it) and the figures to WORK/results.json.
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.lastIndexOf(name); return i >= 0 ? args[i + 1] : def; };
const PROFILES = path.resolve(opt('--profiles', 'bench/profile/out'));
const WORK = path.resolve(opt('--work', path.join(PROFILES, 'run')));
const IDBPQ = path.resolve(opt('--idbpq', './idbpq'));
const FLOORS = path.resolve(opt('--floors', WORK));
const N = Number(opt('--records', '1000000'));
const SMALL = Number(opt('--small', '250000'));
const BACKENDS = opt('--backends', 'leveldb,sqlite').split(',').filter(Boolean);
const RUNS = Number(opt('--runs', '1'));
const TIMEOUT = Number(opt('--timeout', '1200'));
const RESULTS = path.resolve(opt('--results', 'bench/profile/results.md'));
const VERSION = opt('--version', '1');
fs.mkdirSync(WORK, { recursive: true });

function timed(cmd, argv, ok = [0]) {
  const tfile = path.join(WORK, 'time.txt');
  fs.rmSync(tfile, { force: true });
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', tfile, 'timeout', '-k', '5', String(TIMEOUT), cmd, ...argv],
    { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26, encoding: 'utf8' });
  const t = fs.existsSync(tfile) ? fs.readFileSync(tfile, 'utf8').trim().split('\n').pop().split(' ').map(Number) : [NaN, 0, 0, 0];
  if (r.status === 124 || r.status === 137) throw new Error(`no result within ${TIMEOUT} s`);
  if (!ok.includes(r.status)) throw new Error(`exit ${r.status}: ${(r.stderr || '').replace(/\s+/g, ' ').slice(0, 300)}`);
  let json = null;
  try { json = JSON.parse((r.stdout || '').trim().split('\n').pop()); } catch { json = null; }
  return { wall: t[0], cpu: t[1] + t[2], rssMB: t[3] / 1024, json, stderr: r.stderr, status: r.status };
}
function best(f) {
  let b = null;
  for (let i = 0; i < RUNS; i++) { const r = f(); if (!b || r.seconds < b.seconds) b = r; }
  return b;
}
function du(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of fs.readdirSync(p)) n += du(path.join(p, e));
  return n;
}
function files(p, out = []) {
  if (!fs.existsSync(p)) return out;
  if (!fs.statSync(p).isDirectory()) { out.push(p); return out; }
  for (const e of fs.readdirSync(p)) files(path.join(p, e), out);
  return out;
}
function warm(dirs) {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const d of dirs) for (const f of files(d)) {
    const fd = fs.openSync(f, 'r');
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
    fs.closeSync(fd);
  }
}

// Does this idbpq have the export command?
function exportAvailable() {
  const r = spawnSync(IDBPQ, ['export', '--help'], { encoding: 'utf8' });
  return !/unknown command/.test(r.stderr || '') && r.status !== 127 && !r.error;
}
const HAVE_EXPORT = exportAvailable();
if (!HAVE_EXPORT) console.error('export: not available yet (this idbpq has no export command); the floors only');

const results = [];
const notes = [];
const profiles = {};
for (const backend of BACKENDS) {
  for (const n of [N, SMALL]) {
    const dir = path.join(PROFILES, `${backend}-${n}-v${VERSION}`);
    if (!fs.existsSync(path.join(dir, 'gen.json'))) { notes.push(`${backend} ${n.toLocaleString('en-US')}: no profile (${dir})`); continue; }
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'gen.json'), 'utf8'));
    info.dir = dir;
    info.parts = info.indexeddb.map((p) => path.join(dir, p));
    profiles[`${backend}-${n}`] = info;
    const big = n === N;
    const row = (tool, kind, r, extra = {}) => {
      const rec = { backend, n, records: info.records, bytes: info.bytes, tool, kind, ...r, ...extra };
      results.push(rec);
      console.error(`# ${backend} ${n}: ${tool}: ${rec.seconds.toFixed(2)} s (process ${rec.wall.toFixed(2)} s), ` +
        `${Math.round(rec.records / rec.seconds)} records/s, cpu ${rec.cpu.toFixed(2)} s, rss ${rec.rssMB.toFixed(0)} MB`);
      return rec;
    };
    const attempt = (label, f) => {
      try { return f(); } catch (e) {
        notes.push(`${backend} ${n.toLocaleString('en-US')}: ${label}: failed: ${e.message.split('\n')[0]}`);
        console.error(`# ${backend} ${n}: ${label}: ${e.message}`);
        return null;
      }
    };
    warm(info.parts);

    // ---- floors ----
    if (backend === 'leveldb') {
      const [ldb, blobDir] = info.parts;
      const copy = path.join(WORK, 'leveldb-copy');
      for (const verify of big ? [true, false] : [true]) {
        attempt(`floor ${verify ? 'verify' : 'no verify'}`, () => {
          const r = best(() => {
            fs.rmSync(copy, { recursive: true, force: true });
            fs.cpSync(ldb, copy, { recursive: true });
            warm([copy]);
            const t = timed(path.join(FLOORS, 'floor_leveldb'),
              [copy, ...(verify ? [] : ['--no-verify']), ...(verify && blobDir ? ['--blob-dir', blobDir] : [])]);
            return { seconds: t.json.seconds, wall: t.wall, cpu: t.cpu, rssMB: t.rssMB, json: t.json };
          });
          row(`floor: libleveldb iteration${verify ? ', checksums verified' : ', no checksum verification'}`, verify ? 'floor' : 'floor-alt', r,
            { entries: r.json.entries, open: r.json.open_seconds });
          if (verify && blobDir) {
            row(`floor: the above + every blob file read (${r.json.blob_files.toLocaleString('en-US')} files)`, 'floor-blobs',
              { ...r, seconds: r.json.seconds + r.json.blob_seconds });
          }
        });
      }
      fs.rmSync(copy, { recursive: true, force: true });
    } else {
      // a -wal file means a read-only open that writes -shm: then scan a copy
      const wal = files(info.parts[0]).some((f) => f.endsWith('-wal'));
      const copy = path.join(WORK, 'sqlite-copy');
      if (wal) { fs.rmSync(copy, { recursive: true, force: true }); fs.cpSync(info.parts[0], copy, { recursive: true }); }
      attempt('floor', () => {
        const r = best(() => {
          const t = timed(path.join(FLOORS, 'floor_sqlite'), wal ? [copy] : info.parts);
          return { seconds: t.json.seconds, wall: t.wall, cpu: t.cpu, rssMB: t.rssMB, json: t.json };
        });
        row('floor: libsqlite3 SELECT key, value FROM records', 'floor', r, { entries: r.json.entries });
        row(`floor: the above + the blobs tables (${r.json.blob_rows.toLocaleString('en-US')} rows)`, 'floor-blobs',
          { ...r, seconds: r.json.seconds + r.json.blob_seconds });
      });
      fs.rmSync(copy, { recursive: true, force: true });
    }

    // ---- exports ----
    if (!HAVE_EXPORT) continue;
    const variants = big
      ? [['idbpq export', []], ['idbpq export --codec zstd', ['--codec', 'zstd']],
        ['idbpq export --row-group-bytes 32M', ['--row-group-bytes', '32M']], ['idbpq export --format jsonl', ['--format', 'jsonl']]]
      : [['idbpq export', []], ['idbpq export --row-group-bytes 32M', ['--row-group-bytes', '32M']]];
    const out = path.join(WORK, 'export');
    for (const [label, extra] of variants) {
      attempt(label, () => {
        const r = best(() => {
          fs.rmSync(out, { recursive: true, force: true });
          // exit 1: damaged records were skipped or a store failed (export.json says which)
          const t = timed(IDBPQ, ['export', path.join(info.dir, 'profile'), '-o', out, '--quiet', ...extra], [0, 1]);
          let man = { stores: [] };
          try { man = JSON.parse(fs.readFileSync(path.join(out, 'export.json'), 'utf8')); } catch { /* none */ }
          const sum = (k) => man.stores.reduce((a, x) => a + (x[k] || 0), 0);
          return { seconds: t.wall, wall: t.wall, cpu: t.cpu, rssMB: t.rssMB, outBytes: du(out), outFiles: files(out).length,
            status: t.status, exported: sum('records'), fallbacks: sum('fallbacks'), damaged: sum('damaged'),
            failedStores: man.stores.filter((x) => x.file === null).map((x) => `${x.database}.${x.store}`),
            stderr: (t.stderr || '').trim().split('\n').slice(0, 3).join(' / ') };
        });
        row(label, label === 'idbpq export' ? 'export' : 'export-alt', r);
        if (r.status !== 0 || r.exported !== info.records) {
          notes.push(`${backend} ${n.toLocaleString('en-US')}: ${label}: exit ${r.status}, ${r.exported.toLocaleString('en-US')} of ` +
            `${info.records.toLocaleString('en-US')} records exported, ${r.damaged} damaged` +
            `${r.failedStores.length ? `, stores failed: ${r.failedStores.join(', ')}` : ''}${r.stderr ? ` (${r.stderr.slice(0, 300)})` : ''}`);
        }
      });
    }
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// ---- report ----
const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '—'
  : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0]?.model || 'cpu';
const memKB = Number((fs.readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s*(\d+)/) || [])[1] || 0);
const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
const anyInfo = Object.values(profiles)[0];
let chromium = anyInfo?.chromium_full || '';
if (!chromium) try { chromium = execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { chromium = anyInfo?.chromium || '?'; }
let rev = '';
try { rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { rev = ''; }
const L = [];
L.push('# idbpq profile export benchmark');
L.push('');
L.push(`Machine: nproc ${nproc}, ${cpu}, ${fmt(memKB / 2 ** 20, 1)} GiB RAM, Linux ${os.release()}. ` +
  `Profiles written by ${chromium} (headless, bench/profile/gen_profile.mjs). ./idbpq as built in the working tree at ${rev || "?"}; ` +
  `best of ${RUNS} run(s); page cache warm.`);
L.push('');
L.push('Floors decode nothing: libleveldb (Debian) iterates every entry of a copy of the LevelDB with the idb_cmp1 ' +
  'comparator; libsqlite3 (Debian) runs `SELECT key, value FROM records` on each database; every key and value ' +
  'byte is read. Floor "s" is the iteration alone (not leveldb_open, which replays the log into a table); ' +
  'export "s" is the whole process (`idbpq export PROFILE -o OUT --quiet`: open, decode, map, encode, compress, ' +
  'write). records/s = records in the profile ÷ s; MB/s = the origin\'s IndexedDB bytes on disk ÷ s; ' +
  '"× floor" = s ÷ the floor\'s s (LevelDB: checksums verified); "× floor CPU" = CPU s ÷ the floor process\'s ' +
  'CPU s (user + system, whole processes: the fairer figure when the machine is busy). Peak RSS is the ' +
  'process\'s; libleveldb maps its tables, so the floor\'s RSS counts the mapped file pages it touched.');
if (!HAVE_EXPORT) { L.push(''); L.push('**export: not available yet** (the idbpq under test has no `export` command): floors only.'); }
for (const backend of BACKENDS) {
  for (const n of [N, SMALL]) {
    const info = profiles[`${backend}-${n}`];
    const rs = results.filter((r) => r.backend === backend && r.n === n);
    if (!info) continue;
    const floor = rs.find((r) => r.kind === 'floor');
    const st = Object.entries(info.stores).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    L.push('');
    L.push(`## ${backend === 'leveldb' ? 'LevelDB' : 'SQLite'} backend, ${fmt(info.records)} records, ${fmt(info.bytes / 1e6, 1)} MB on disk`);
    L.push('');
    L.push(`${st}; ${fmt(info.blobs)} Blobs/Files; ${fmt(info.files)} files in ${info.indexeddb.map((p) => path.basename(p)).join(' + ')}. ` +
      `Generated in ${fmt(info.seconds, 0)} s (${fmt(info.records / info.write_seconds)} records/s written, ${info.batch} puts per transaction).`);
    L.push('');
    L.push('| case | s | records/s | MB/s | process s | CPU s | peak RSS MB | output MB | × floor | × floor CPU |');
    L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rs) {
      L.push(`| ${r.tool} | ${fmt(r.seconds, 2)} | ${fmt(r.records / r.seconds)} | ${fmt(r.bytes / 1e6 / r.seconds, 1)} | ` +
        `${fmt(r.wall, 2)} | ${fmt(r.cpu, 2)} | ${fmt(r.rssMB)} | ${r.outBytes ? fmt(r.outBytes / 1e6, 1) : ''} | ` +
        `${floor ? fmt(r.seconds / floor.seconds, 2) : ''} | ${floor && !r.kind.startsWith('floor') ? fmt(r.cpu / floor.cpu, 2) : ''} |`);
    }
    const ex = rs.find((r) => r.kind === 'export');
    if (floor && ex) {
      const x = ex.seconds / floor.seconds;
      L.push('');
      L.push(`Target (the whole export within 2× of the floor): ${fmt(x, 2)}× — ${x <= 2 ? 'met' : '**missed**'}. ` +
        `Default export: ${fmt(ex.exported)} of ${fmt(info.records)} records in ${fmt(ex.outFiles)} files, ` +
        `${fmt(ex.fallbacks)} written through the lossless fallback, ${fmt(ex.damaged)} damaged.`);
    }
  }
}
// memory: the default export on both sizes
const mem = [];
for (const backend of BACKENDS) {
  const a = results.find((r) => r.backend === backend && r.n === SMALL && r.kind === 'export');
  const b = results.find((r) => r.backend === backend && r.n === N && r.kind === 'export');
  if (a && b) mem.push([backend, a, b]);
}
if (mem.length) {
  L.push('');
  L.push('## Memory against profile size (default export)');
  L.push('');
  L.push('| backend | records | MB on disk | s | peak RSS MB | with --row-group-bytes 32M: s | peak RSS MB |');
  L.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const [backend, a, b] of mem) {
    for (const r of [a, b]) {
      const m = results.find((x) => x.backend === backend && x.n === r.n && x.tool === 'idbpq export --row-group-bytes 32M');
      L.push(`| ${backend} | ${fmt(r.records)} | ${fmt(r.bytes / 1e6, 1)} | ${fmt(r.seconds, 2)} | ${fmt(r.rssMB)} | ` +
        `${m ? fmt(m.seconds, 2) : '—'} | ${m ? fmt(m.rssMB) : '—'} |`);
    }
  }
  L.push('');
  for (const [backend, a, b] of mem) {
    const m = (r) => results.find((x) => x.backend === backend && x.n === r.n && x.tool === 'idbpq export --row-group-bytes 32M');
    const [ma, mb] = [m(a), m(b)];
    L.push(`${backend}: ${fmt(b.records / a.records, 1)}× the records, peak RSS ×${fmt(b.rssMB / a.rssMB, 2)} ` +
      `(${fmt(a.rssMB)} → ${fmt(b.rssMB)} MB)` + (ma && mb ? `; with --row-group-bytes 32M ×${fmt(mb.rssMB / ma.rssMB, 2)} ` +
      `(${fmt(ma.rssMB)} → ${fmt(mb.rssMB)} MB)` : '') + '.');
  }
  L.push('');
  L.push('Peak RSS follows the row-group budget, not the profile: it grows until the largest store fills one row ' +
    'group (128 MB by default), then stays there; with a 32 MB budget both sizes are past it.');
}
L.push('');
L.push('For reference (from the issue, not measured in this run): google/dfindexeddb (Python) takes 24 s and ' +
  '171 MB for a 14 MB profile of about 20,000 records on this machine.');
if (notes.length) { L.push(''); L.push('Failures:'); for (const x of notes) L.push(`- ${x}`); }
const md = L.join('\n') + '\n';
fs.writeFileSync(RESULTS, md);
fs.writeFileSync(path.join(WORK, 'results.json'), JSON.stringify({ records: N, small: SMALL, runs: RUNS, export: HAVE_EXPORT, profiles, results, notes }, null, 1));
process.stdout.write(md);
