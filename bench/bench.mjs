// bench.mjs — runs the benchmark cases side by side and prints the comparison table.
// Called by bench/run.sh (which installs what is missing and generates the data first).
//
//   node bench/bench.mjs [--data lineitem,events] [--codec snappy,zstd] [--workload rewrite,scan]
//                        [--tool idbpq,duckdb-t1,duckdb,parquet-wasm] [--runs N] [--out DIR]
//                        [--idbpq PATH]
//
// Every case runs in its own process under /usr/bin/time -v (peak RSS). Times are the best of
// --runs (default 3). Results: the table on stdout, and OUT/results.md, OUT/results.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(HERE);

// ----- options ---------------------------------------------------------------------------
const argv = process.argv.slice(2);
const opts = {
    data: 'lineitem,events', codec: 'snappy,zstd', workload: 'rewrite,scan',
    tool: 'idbpq,duckdb-t1,duckdb,parquet-wasm', runs: '3',
    out: path.join(HERE, 'out'), idbpq: path.join(ROOT, 'idbpq'),
};
for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in opts)) {
        console.error(`bench: unknown argument ${argv[i]}\n` +
            'usage: bench.mjs [--data D,..] [--codec C,..] [--workload rewrite,scan] [--tool T,..] [--runs N] [--out DIR] [--idbpq PATH]');
        process.exit(2);
    }
    opts[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
}
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const DATA = list(opts.data), CODECS = list(opts.codec), WORK = list(opts.workload);
const TOOLS = list(opts.tool), RUNS = Number(opts.runs), OUT = path.resolve(opts.out);
const IDBPQ = path.resolve(opts.idbpq);
const ALL_TOOLS = ['idbpq', 'duckdb-t1', 'duckdb', 'parquet-wasm'];
for (const t of TOOLS) if (!ALL_TOOLS.includes(t)) { console.error(`bench: unknown tool ${t}`); process.exit(2); }
const TIME = '/usr/bin/time';

// ----- running one measured process ------------------------------------------------------
const rssFile = path.join(OUT, '.time-v.txt');

/** Runs argv under /usr/bin/time -v. Returns { wall, cpu (user+sys s), rssMB, stdout }; throws
 *  on failure. */
function measured(cmd, args) {
    fs.rmSync(rssFile, { force: true });
    const t0 = process.hrtime.bigint();
    const r = spawnSync(TIME, ['-v', '-o', rssFile, cmd, ...args],
        { encoding: 'utf8', maxBuffer: 64 << 20 });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.error) throw r.error;
    if (r.status !== 0) {
        throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${r.status}: ` +
            `${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
    }
    const tv = fs.readFileSync(rssFile, 'utf8');
    const num = (re) => Number(re.exec(tv)?.[1]);
    const kb = num(/Maximum resident set size \(kbytes\): (\d+)/);
    const cpu = num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/);
    return { wall, cpu, rssMB: kb / 1024, stdout: r.stdout };
}

const node = process.execPath;
const lastJson = (s) => JSON.parse(s.trim().split('\n').filter((l) => l.startsWith('{')).pop());

/** idbpq: RUNS separate processes, wall time of each (process start to exit). */
function runIdbpq(args, outFile) {
    const times = [], cpu = []; let rss = 0, stdout = '';
    for (let r = 0; r < RUNS; r++) {
        if (outFile) fs.rmSync(outFile, { force: true });
        const m = measured(IDBPQ, args);
        times.push(m.wall); cpu.push(m.cpu); rss = Math.max(rss, m.rssMB); stdout = m.stdout;
    }
    return { times, cpu, rssMB: rss, stdout };
}

/** A Node peer: one process doing all RUNS (timed inside), peak RSS of that process. */
function runNodePeer(script, args) {
    const m = measured(node, [path.join(HERE, script), ...args]);
    return { ...lastJson(m.stdout), rssMB: m.rssMB };
}

// ----- the cases -------------------------------------------------------------------------
const results = [];
const fileOf = (data, codec, tool) => path.join(OUT, `${data}.${codec}.${tool}.parquet`);
const mb = (b) => b / 1e6;
const best = (a) => Math.min(...a);
const log = (s) => process.stderr.write(s + '\n');

function record(row) {
    results.push(row);
    log(`  ${row.workload.padEnd(7)} ${row.data.padEnd(8)} ${row.codec.padEnd(6)} ` +
        `${(row.file || '').padEnd(12)} ${row.tool.padEnd(12)} ${row.seconds.toFixed(3)} s ` +
        `(cpu ${row.cpu.toFixed(2)} s)` +
        (row.bytes != null ? `  ${mb(row.bytes).toFixed(1)} MB` : '') +
        `  RSS ${row.rssMB.toFixed(0)} MB` + (row.note ? `  (${row.note})` : ''));
}

function rewrite(data, codec, tool) {
    const inp = path.join(OUT, `${data}.parquet`);
    const out = fileOf(data, codec, tool);
    let r;
    if (tool === 'idbpq') {
        r = runIdbpq(['convert', inp, out, '--codec', codec], out);
        r.bytes = fs.statSync(out).size;
    } else if (tool === 'duckdb-t1' || tool === 'duckdb') {
        r = runNodePeer('duck.mjs', ['rewrite', inp, out, codec, tool === 'duckdb' ? 'default' : '1', String(RUNS)]);
    } else {
        r = runNodePeer('pqwasm.mjs', ['rewrite', inp, out, codec, String(RUNS)]);
    }
    record({ workload: 'rewrite', data, codec, file: null, tool, seconds: best(r.times), cpu: best(r.cpu),
        times: r.times, bytes: r.bytes, rssMB: r.rssMB, rows: r.rows ?? null, version: r.version,
        threads: r.threads ?? (tool === 'idbpq' || tool === 'parquet-wasm' ? 1 : null),
        note: tool === 'parquet-wasm' ? `warm; cold ${r.cold.toFixed(2)} s` : '' });
}

function scan(data, codec, src, tool) {
    const file = fileOf(data, codec, src);
    let r, rows, note = '';
    if (tool === 'idbpq') {
        r = runIdbpq(['scan', file], null);
        rows = Number(/rows=(\d+)/.exec(r.stdout)?.[1]);
        note = r.stdout.trim().split('\n').pop();
    } else if (tool === 'duckdb-t1' || tool === 'duckdb') {
        r = runNodePeer('duck.mjs', ['scan', file, tool === 'duckdb' ? 'default' : '1', String(RUNS)]);
        rows = r.rows;
    } else {
        r = runNodePeer('pqwasm.mjs', ['scan', file, String(RUNS)]);
        rows = r.rows;
        note = `warm; cold ${r.cold.toFixed(2)} s`;
    }
    record({ workload: 'scan', data, codec, file: `${src}'s`, tool, seconds: best(r.times), cpu: best(r.cpu),
        times: r.times, bytes: null, rssMB: r.rssMB, rows, threads: r.threads ?? null, note,
        version: r.version });
}

/** Makes sure the file a scan reads exists (when rewrite was not selected in this run). */
function ensureSource(data, codec, src) {
    const f = fileOf(data, codec, src);
    if (fs.existsSync(f)) return;
    log(`  (writing ${path.basename(f)} for the scan)`);
    const inp = path.join(OUT, `${data}.parquet`);
    if (src === 'idbpq') measured(IDBPQ, ['convert', inp, f, '--codec', codec]);
    else measured(node, [path.join(HERE, 'duck.mjs'), 'rewrite', inp, f, codec, '1', '1']);
}

// ----- environment -----------------------------------------------------------------------
function sh(cmd) {
    const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
    return (r.stdout || '').trim();
}
const env = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: sh('nproc'),
    cpu: sh("grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'"),
    mem: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: sh('uname -r'),
    node: process.version,
    idbpq: sh(`'${IDBPQ}' --version 2>&1 | head -1`),
    commit: sh(`cd '${ROOT}' && git rev-parse --short HEAD 2>/dev/null`) +
        (sh(`cd '${ROOT}' && git status --porcelain -- src cli include Makefile 2>/dev/null`)
            ? ' + uncommitted changes in src/cli' : ''),
    cc: sh('cc --version 2>/dev/null | head -1'),
    duckdb: null,
    parquetWasm: JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules/parquet-wasm/package.json'), 'utf8')).version,
    duckdbNodeApi: JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules/@duckdb/node-api/package.json'), 'utf8')).version,
    runs: RUNS,
};

// ----- main ------------------------------------------------------------------------------
fs.mkdirSync(OUT, { recursive: true });
for (const d of DATA) {
    if (!fs.existsSync(path.join(OUT, `${d}.parquet`))) {
        console.error(`bench: ${path.join(OUT, `${d}.parquet`)} is missing (run.sh generates it)`);
        process.exit(1);
    }
}
log(`bench: ${env.cpu}, ${env.nproc} CPUs, ${env.mem}; idbpq ${env.idbpq} (${env.commit}); ` +
    `best of ${RUNS}`);
const baseline = {};
if (TOOLS.some((t) => t.startsWith('duckdb'))) baseline.duckdb = measured(node, [path.join(HERE, 'duck.mjs'), 'idle']).rssMB;
if (TOOLS.includes('parquet-wasm')) baseline['parquet-wasm'] = measured(node, [path.join(HERE, 'pqwasm.mjs'), 'idle']).rssMB;

const failures = [];
const attempt = (label, fn) => {
    try { fn(); } catch (e) { failures.push(`${label}: ${e.message}`); log(`  FAILED ${label}: ${e.message}`); }
};
const t0 = Date.now();
const load0 = os.loadavg()[0].toFixed(2);
for (const data of DATA) {
    const input = path.join(OUT, `${data}.parquet`);
    log(`${data}: ${input} (${mb(fs.statSync(input).size).toFixed(1)} MB, zstd, written by DuckDB)`);
    for (const codec of CODECS) {
        if (WORK.includes('rewrite')) {
            for (const tool of TOOLS) attempt(`rewrite ${data} ${codec} ${tool}`, () => rewrite(data, codec, tool));
        }
        if (WORK.includes('scan')) {
            for (const src of ['duckdb-t1', 'idbpq']) {
                attempt(`prepare ${data} ${codec} ${src}`, () => ensureSource(data, codec, src));
                for (const tool of TOOLS) attempt(`scan ${data} ${codec} ${src}'s ${tool}`, () => scan(data, codec, src, tool));
            }
        }
    }
}
env.duckdb = results.find((r) => r.tool.startsWith('duckdb'))?.version ?? null;
const elapsed = (Date.now() - t0) / 1000;

// ----- ratios, checks, table -------------------------------------------------------------
const key = (r) => `${r.workload}|${r.data}|${r.codec}|${r.file}`;
const ref = new Map(results.filter((r) => r.tool === 'duckdb-t1').map((r) => [key(r), r]));
for (const r of results) {
    const d = ref.get(key(r));
    r.timeRatio = d ? r.seconds / d.seconds : null;
    r.cpuRatio = d && d.cpu > 0 ? r.cpu / d.cpu : null;
    r.sizeRatio = d && r.bytes != null && d.bytes ? r.bytes / d.bytes : null;
}
// Row counts must agree between tools on the same data (a cheap guard against a tool that
// silently skipped something).
const rowsBy = new Map();
for (const r of results) {
    if (r.rows == null) continue;
    const k = r.data;
    if (!rowsBy.has(k)) rowsBy.set(k, new Map());
    rowsBy.get(k).set(`${r.workload} ${r.codec} ${r.file || ''} ${r.tool}`.replace(/\s+/g, ' '), r.rows);
}
const checks = [];
for (const [data, m] of rowsBy) {
    const counts = new Set(m.values());
    if (counts.size > 1) checks.push(`row counts differ on ${data}: ${[...m].map(([k, v]) => `${k}=${v}`).join(', ')}`);
}

const fmt = (x, d) => (x == null || Number.isNaN(x) ? '—' : x.toFixed(d));
const header = ['workload', 'data', 'codec', 'file', 'tool', 'seconds', 'cpu s', 'MB out', 'peak RSS MB',
    'time × duck-t1', 'cpu × duck-t1', 'size × duck-t1'];
const rows = results.map((r) => [r.workload, r.data, r.codec, r.file || '—', r.tool,
    fmt(r.seconds, 3), fmt(r.cpu, 2), r.bytes != null ? fmt(mb(r.bytes), 1) : '—', fmt(r.rssMB, 0),
    fmt(r.timeRatio, 2), fmt(r.cpuRatio, 2), fmt(r.sizeRatio, 3)]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const right = new Set([5, 6, 7, 8, 9, 10, 11]);
const line = (cells) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
const text = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
const md = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (right.has(i) ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

// Targets (reported, never asserted).
const targets = [];
for (const data of DATA) for (const codec of CODECS) {
    const g = (w, t, f = null) => results.find((r) => r.workload === w && r.data === data && r.codec === codec && r.tool === t && r.file === f);
    const iw = g('rewrite', 'idbpq'), dw = g('rewrite', 'duckdb-t1');
    if (iw && dw) {
        targets.push(`rewrite ${data} ${codec}: idbpq ${fmt(iw.timeRatio, 2)}× DuckDB-t1 time ` +
            `(cpu ${fmt(iw.cpuRatio, 2)}×; target ≤ 1.00) ` +
            `${iw.timeRatio <= 1 ? 'met' : 'MISSED'}; size ${fmt(iw.sizeRatio * 100, 1)} % (target ≤ 105 %) ` +
            `${iw.sizeRatio <= 1.05 ? 'met' : 'MISSED'}`);
    }
    for (const src of ['duckdb-t1', 'idbpq']) {
        const is = g('scan', 'idbpq', `${src}'s`);
        if (is && is.timeRatio != null) {
            targets.push(`scan ${data} ${codec} (${src}'s file): idbpq ${fmt(is.timeRatio, 2)}× DuckDB-t1 time ` +
                `(cpu ${fmt(is.cpuRatio, 2)}×; target ≤ 1.00) ${is.timeRatio <= 1 ? 'met' : 'MISSED'}`);
        }
    }
}

const envLines = [
    `Machine: ${env.cpu}, nproc ${env.nproc}, ${env.mem} RAM, Linux ${env.kernel}`,
    `Versions: idbpq ${env.idbpq} (commit ${env.commit}, ${env.cc}), DuckDB ${env.duckdb ?? '?'} ` +
        `(@duckdb/node-api ${env.duckdbNodeApi}), parquet-wasm ${env.parquetWasm}, Node ${env.node}`,
    `Best of ${RUNS}; parquet-wasm warm (one untimed warm-up run first); ` +
        `DuckDB "duckdb" = default threads (${results.find((r) => r.tool === 'duckdb')?.threads ?? '?'})`,
    `RSS baselines (process that only loads the peer): ` +
        Object.entries(baseline).map(([k, v]) => `${k} ${v.toFixed(0)} MB`).join(', '),
    `Load average (1 min) at start / end: ${load0} / ${os.loadavg()[0].toFixed(2)} ` +
        `(other work on the machine makes wall times noisy; the cpu columns are steadier)`,
    `Bench wall time: ${elapsed.toFixed(0)} s`,
];
console.log('\n' + envLines.join('\n') + '\n');
console.log(text);
console.log('\nTargets (not asserted):\n' + targets.map((t) => `  ${t}`).join('\n'));
if (checks.length) console.log('\nCHECKS:\n' + checks.map((c) => `  ${c}`).join('\n'));
if (failures.length) console.log('\nFAILED CASES:\n' + failures.map((f) => `  ${f}`).join('\n'));

fs.writeFileSync(path.join(OUT, 'results.md'),
    envLines.map((l) => `- ${l}`).join('\n') + '\n\n' + md + '\n\nTargets (not asserted):\n\n' +
    targets.map((t) => `- ${t}`).join('\n') + '\n' +
    (checks.length ? '\nChecks:\n\n' + checks.map((c) => `- ${c}`).join('\n') + '\n' : '') +
    (failures.length ? '\nFailed cases:\n\n' + failures.map((c) => `- ${c}`).join('\n') + '\n' : ''));
fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify({ env, baseline, results, targets, checks, failures }, null, 1));
log(`bench: wrote ${path.join(OUT, 'results.md')} and results.json`);
process.exit(failures.length ? 1 : 0);
