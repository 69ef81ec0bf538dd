// bench.mjs — the measurements of bench/sync/run.sh (see there). Each case runs under
// /usr/bin/time (wall and CPU seconds, peak RSS); the best of --runs is kept.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.lastIndexOf(n); return i >= 0 ? args[i + 1] : d; };
const BASE = opt('--base'), OUT = opt('--out'), IDBPQ = opt('--idbpq');
const RUNS = Number(opt('--runs', '3'));
const SEL = ['--db', 'chat', '--store', 'messages'];
const W = path.join(OUT, 'work');

function timed(cmd, argv) {
  const tf = path.join(OUT, 'time.txt');
  const out = execFileSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', tf, cmd, ...argv],
    { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  const [e, u, s, m] = fs.readFileSync(tf, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { s: e, cpu: u + s, rss: m / 1024, out };
}
const du = (p) => Number(execFileSync('du', ['-sb', p], { encoding: 'utf8' }).split('\t')[0]);
const rm = (p) => fs.rmSync(p, { recursive: true, force: true });
const cp = (a, b) => { rm(b); execFileSync('cp', ['-a', a, b]); };
const best = (f) => { let b = null; for (let i = 0; i < RUNS; i++) { const r = f(i); if (!b || r.s < b.s) b = r; } return b; };

fs.mkdirSync(W, { recursive: true });
const rows = [];
// 1. Full export of the store.
const exp = best(() => {
  rm(path.join(W, 'export'));
  const r = timed(IDBPQ, ['export', path.join(BASE, 'profile'), '-o', path.join(W, 'export'), '--quiet', ...SEL]);
  r.bytes = du(path.join(W, 'export'));
  return r;
});
rows.push(['full export (one Parquet file)', exp, '']);
// 2. First sync: the whole store into a new table.
const T0 = path.join(W, 'T0'), S0 = path.join(W, 'S0.state');
const first = best(() => {
  rm(T0); rm(S0);
  const r = timed(IDBPQ, ['sync', path.join(BASE, 'profile'), T0, ...SEL, '--state', S0, '--json']);
  r.res = JSON.parse(r.out.trim());
  r.bytes = r.res.bytesWritten;
  return r;
});
const files0 = fs.readdirSync(T0).filter((n) => n.endsWith('.parquet')).length;
rows.push(['first sync (a new Delta table)', first, `${files0} data files`]);
// 3. Syncs after 1 % changed.
for (const mode of ['recent', 'random']) {
  const mut = JSON.parse(fs.readFileSync(path.join(OUT, `mut-${mode}`, 'mutate.json'), 'utf8'));
  const T = path.join(W, 'T-' + mode), S = path.join(W, `S-${mode}.state`);
  const r = best(() => {
    cp(T0, T); fs.copyFileSync(S0, S);
    const x = timed(IDBPQ, ['sync', path.join(OUT, `mut-${mode}`, 'profile'), T, ...SEL, '--state', S, '--json']);
    x.res = JSON.parse(x.out.trim());
    x.bytes = x.res.bytesWritten;
    return x;
  });
  rows.push([`sync after 1 % changed, ${mode} (${mut.updated} updated, ${mut.deleted} deleted, ${mut.inserted} new)`, r,
    `${r.res.filesRemoved} of ${files0} files rewritten, ${r.res.cdcFiles} change-data file`]);
}

// 4. The other client: a browser pulls the same change (pull.mjs, in Chromium).
const pulls = [];
if (!args.includes('--no-browser')) {
  const exportFile = execFileSync('find', [path.join(W, 'export'), '-name', '*.parquet'], { encoding: 'utf8' }).trim().split('\n')[0];
  const out = execFileSync('node', ['bench/sync/pull.mjs', '--work', W, '--export', exportFile, '--runs', '1'],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of out.split('\n')) if (line.startsWith('{')) pulls.push(JSON.parse(line));
}

const fmt = (n, d = 2) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
let md = `| case | s | × full export | CPU s | peak RSS MB | bytes written | × export bytes | notes |\n|---|---:|---:|---:|---:|---:|---:|---|\n`;
for (const [name, r, note] of rows)
  md += `| ${name} | ${fmt(r.s)} | ${fmt(r.s / exp.s)} | ${fmt(r.cpu)} | ${fmt(r.rss, 0)} | ${fmt(r.bytes, 0)} | ${fmt(r.bytes / exp.bytes, 3)} | ${note} |\n`;
const cpu = execFileSync('sh', ['-c', "nproc; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2; free -g | awk '/Mem:/{print $2}'"], { encoding: 'utf8' }).trim().split('\n');
const gen = JSON.parse(fs.readFileSync(path.join(BASE, 'gen.json'), 'utf8'));
const head = `# idbpq sync benchmark\n\nMachine: nproc ${cpu[0]},${cpu[1]}, ${cpu[2]} GiB RAM. Store chat.messages (${gen.stores['chat.messages'].toLocaleString('en-US')} records) of the ${gen.records.toLocaleString('en-US')}-record LevelDB profile written by Chromium ${gen.chromium} (bench/profile). Best of ${RUNS}; page cache warm.\n\n`;
let md2 = '';
if (pulls.length) {
  const full = pulls.find((p) => p.case.startsWith('full import'));
  md2 = `\n## The other client: a browser pulls the change (Chromium, web/sync.js over S3-style HTTP)\n\n` +
    `| case | s | × full import | records read from the store | applied (upserts / deletes) |\n|---|---:|---:|---:|---|\n`;
  for (const p of pulls)
    md2 += `| ${p.case} | ${fmt(p.s)} | ${fmt(p.s / full.s)} | ${p.scanned ?? '–'} | ${p.pulled ? `${p.pulled.upserts} / ${p.pulled.deletes}` : `${p.records} imported`} |\n`;
}
fs.writeFileSync('bench/sync/results.md', head + md + md2);
console.log(head + md + md2);
