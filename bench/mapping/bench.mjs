// bench.mjs — records <-> Parquet, idbpq against its peers on the same data in one run
// (driven by bench/mapping/run.sh, which builds bench_records and installs the peers).
//
//   node bench/mapping/bench.mjs --out DIR --idbpq BIN --api BIN [--records N]
//        [--data flat,nested,hetero] [--runs R] [--timeout SECONDS]
//
// Records -> Parquet, from the same JSONL (bench/mapping/gen.mjs):
//   idbpq pack        the CLI: parses the tagged JSON, two passes (infer, write); whole process
//   idbpq API         bench_records: the record writer on values decoded beforehand (the
//                     observe/begin/write/finish calls only)
//   hyparquet-writer  from JS objects parsed beforehand: type choice + parquetWriteRows
//   duckdb-t1/duckdb  read_json (whole file sampled) + COPY TO parquet, 1 thread / default
// Parquet -> records, all reading idbpq's file of the same data:
//   idbpq records     the CLI, tagged JSON lines to /dev/null; whole process
//   idbpq API         bench_records read: idbpq_record_reader_next on every record
//   hyparquet         parquetReadObjects: every row as a JS object
//   duckdb-t1/duckdb  COPY (SELECT * FROM read_parquet(F)) TO NDJSON
// Every case runs in its own process under /usr/bin/time (peak RSS, CPU). records/s and MB/s
// use the tool's timed section (see above; whole process for the CLI); MB/s is the JSONL
// input's size over that time, in both directions (the records' text size). "x idbpq" is
// idbpq's records/s over the peer's (the CLI's for the CLI-comparable rows): above 1, idbpq
// is faster. The best of R runs is kept (default 1). A case that takes more than --timeout
// seconds (default 300) is stopped and listed under "Failures".
// Writes DIR/results.json and DIR/results.md and prints the Markdown.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.lastIndexOf(name); return i >= 0 ? args[i + 1] : def; };
const OUT = path.resolve(opt('--out', path.join(HERE, '../out/mapping')));
const IDBPQ = path.resolve(opt('--idbpq', './idbpq'));
const API = path.resolve(opt('--api', path.join(OUT, 'bench_records')));
const N = Number(opt('--records', '1000000'));
const DATA = opt('--data', 'flat,nested,hetero').split(',');
const RUNS = Number(opt('--runs', '1'));
const TIMEOUT = Number(opt('--timeout', '300'));   // seconds per case
fs.mkdirSync(OUT, { recursive: true });

function timed(cmd, argv, { stdoutFile } = {}) {
    const tfile = path.join(OUT, 'time.txt');
    const out = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'pipe';
    fs.rmSync(tfile, { force: true });
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', tfile, 'timeout', '-k', '5', String(TIMEOUT), cmd, ...argv],
        { stdio: ['ignore', out, 'pipe'], maxBuffer: 1 << 26, encoding: 'utf8' });
    if (stdoutFile) fs.closeSync(out);
    const t = fs.readFileSync(tfile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    if (r.status === 124 || r.status === 137) throw new Error(`${path.basename(cmd)} ${argv.slice(0, 2).join(' ')}: no result within ${TIMEOUT} s (peak RSS ${Math.round(t[3] / 1024)} MB)`);
    if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${argv.join(' ')}: exit ${r.status}: ${(r.stderr || '').replace(/\s+/g, ' ').slice(0, 300)}`);
    let json = null;
    if (!stdoutFile) {
        const line = (r.stdout || '').trim().split('\n').pop();
        try { json = JSON.parse(line); } catch { json = null; }
    }
    return { wall: t[0], cpu: t[1] + t[2], rssMB: t[3] / 1024, json, stderr: r.stderr };
}
function best(f) {
    let b = null;
    for (let i = 0; i < RUNS; i++) {
        const r = f();
        if (!b || r.seconds < b.seconds) b = r;
    }
    return b;
}

// ----- data ----------------------------------------------------------------------------------
const genHash = crypto.createHash('sha256').update(fs.readFileSync(path.join(HERE, 'gen.mjs'))).digest('hex').slice(0, 16);
function input(kind) {
    const f = path.join(OUT, `${kind}-${N}.jsonl`);
    const stamp = `${f}.gen`;
    if (!fs.existsSync(f) || !fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== genHash) {
        const r = spawnSync('node', [path.join(HERE, 'gen.mjs'), f, kind, String(N)], { stdio: 'inherit' });
        if (r.status !== 0) throw new Error('gen.mjs failed');
        fs.writeFileSync(stamp, genHash);
    }
    return f;
}

// ----- cases ---------------------------------------------------------------------------------
const node = process.execPath;
// hyparquet keeps every row in memory: give its processes room (the machine's RAM less 2 GiB)
const HEAP = `--max-old-space-size=${Math.max(4096, Math.floor(os.totalmem() / 2 ** 20) - 2048)}`;
const results = [];
const note = [];
for (const kind of DATA) {
    const inp = input(kind);
    const inBytes = fs.statSync(inp).size;
    const pq = (tool) => path.join(OUT, `${kind}.${tool}.parquet`);
    const row = (dir, tool, r, extra = {}) => {
        const rec = { data: kind, dir, tool, records: r.records ?? N, seconds: r.seconds, cpu: r.cpu, rssMB: r.rssMB,
            bytes: r.bytes ?? null, inBytes, ...extra };
        results.push(rec);
        console.error(`# ${kind} ${dir} ${tool}: ${rec.seconds.toFixed(2)} s, ${Math.round(rec.records / rec.seconds)} rec/s, ` +
            `cpu ${rec.cpu.toFixed(2)} s, rss ${rec.rssMB.toFixed(0)} MB${rec.bytes ? `, ${rec.bytes} bytes` : ''}`);
        return rec;
    };
    const attempt = (label, f) => {
        try { return f(); } catch (e) { note.push(`${kind} ${label}: failed: ${e.message.split('\n')[0]}`); console.error(`# ${kind} ${label}: ${e.message}`); return null; }
    };

    // records -> Parquet
    attempt('idbpq pack', () => row('write', 'idbpq pack', best(() => {
        const t = timed(IDBPQ, ['pack', inp, pq('idbpq'), '--values', '--key-path', 'id', '--quiet']);
        return { seconds: t.wall, cpu: t.cpu, rssMB: t.rssMB, bytes: fs.statSync(pq('idbpq')).size };
    }), { budgetMB: 128 }));
    attempt('idbpq pack 32M', () => row('write', 'idbpq pack --row-group-bytes 32M', best(() => {
        const t = timed(IDBPQ, ['pack', inp, pq('idbpq32'), '--values', '--key-path', 'id', '--quiet', '--row-group-bytes', '32M']);
        return { seconds: t.wall, cpu: t.cpu, rssMB: t.rssMB, bytes: fs.statSync(pq('idbpq32')).size };
    }), { budgetMB: 32 }));
    attempt('idbpq API', () => row('write', 'idbpq API (record writer)', best(() => {
        const t = timed(API, ['write', inp, pq('api'), '--key-path', 'id']);
        return { seconds: t.json.seconds, cpu: t.json.cpu, rssMB: t.rssMB, bytes: t.json.bytes, records: t.json.records };
    })));
    attempt('hyparquet-writer', () => row('write', 'hyparquet-writer', best(() => {
        const t = timed(node, [HEAP, path.join(HERE, 'hyp.mjs'), 'write', inp, pq('hyparquet')]);
        return { seconds: t.json.seconds, cpu: t.json.cpu, rssMB: t.rssMB, bytes: t.json.bytes, records: t.json.records, parse: t.json.parse_seconds };
    })));
    for (const th of ['1', 'default']) {
        const name = th === '1' ? 'duckdb-t1' : 'duckdb';
        attempt(name, () => row('write', name, best(() => {
            const t = timed(node, [path.join(HERE, 'duck.mjs'), 'write', inp, pq(name), th]);
            return { seconds: t.json.seconds, cpu: t.json.cpu, rssMB: t.rssMB, bytes: t.json.bytes, records: t.json.records, threads: t.json.threads };
        })));
    }

    // Parquet -> records, on idbpq's file
    const file = pq('idbpq');
    if (!fs.existsSync(file)) continue;
    attempt('idbpq records', () => row('read', 'idbpq records', best(() => {
        const t = timed(IDBPQ, ['records', file], { stdoutFile: '/dev/null' });
        return { seconds: t.wall, cpu: t.cpu, rssMB: t.rssMB };
    })));
    attempt('idbpq API read', () => row('read', 'idbpq API (record reader)', best(() => {
        const t = timed(API, ['read', file]);
        return { seconds: t.json.seconds, cpu: t.json.cpu, rssMB: t.rssMB, records: t.json.records };
    })));
    attempt('hyparquet', () => row('read', 'hyparquet (rows as objects)', best(() => {
        const t = timed(node, [HEAP, path.join(HERE, 'hyp.mjs'), 'read', file]);
        return { seconds: t.json.seconds, cpu: t.json.cpu, rssMB: t.rssMB, records: t.json.records };
    })));
    for (const th of ['1', 'default']) {
        const name = th === '1' ? 'duckdb-t1' : 'duckdb';
        attempt(`${name} read`, () => row('read', `${name} (to NDJSON)`, best(() => {
            const t = timed(node, [path.join(HERE, 'duck.mjs'), 'read', file, path.join(OUT, `${kind}.${name}.ndjson`), th]);
            return { seconds: t.json.seconds, cpu: t.json.cpu, rssMB: t.rssMB, records: t.json.records };
        })));
    }
}

// ----- report --------------------------------------------------------------------------------
const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const lines = [];
lines.push(`# idbpq records ⇄ Parquet benchmark`);
lines.push('');
lines.push(`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; node ${process.version}; ` +
    `${N.toLocaleString('en-US')} records per data set; best of ${RUNS} run(s); SNAPPY everywhere.`);
lines.push('"× idbpq CLI" = idbpq\'s records/s ÷ the peer\'s (idbpq pack for writing, idbpq records for reading), "× idbpq API" the same with ' +
    'the library calls alone (bench_records): above 1 idbpq is faster. ' +
    'MB/s = JSONL input bytes ÷ time. Times: CLI rows whole process; API rows the library calls only; hyparquet-writer type choice + write ' +
    '(JSON.parse before, not counted); DuckDB the COPY statement. RSS = peak of the process (Node peers include Node and, for hyparquet, every row in memory).');
for (const kind of DATA) {
    const rs = results.filter((r) => r.data === kind);
    if (!rs.length) continue;
    const inBytes = rs[0].inBytes;
    lines.push('');
    lines.push(`## ${kind} (${fmt(inBytes / 1e6, 1)} MB of JSONL)`);
    for (const dir of ['write', 'read']) {
        const d = rs.filter((r) => r.dir === dir);
        if (!d.length) continue;
        const base = d.find((r) => r.tool === (dir === 'write' ? 'idbpq pack' : 'idbpq records'));
        const api = d.find((r) => r.tool.startsWith('idbpq API'));
        lines.push('');
        lines.push(dir === 'write' ? '| records → Parquet | s | records/s | MB/s | file bytes | CPU s | peak RSS MB | × idbpq CLI | × idbpq API |'
            : '| Parquet → records | s | records/s | MB/s | | CPU s | peak RSS MB | × idbpq CLI | × idbpq API |');
        lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
        for (const r of d) {
            const rate = r.records / r.seconds;
            const peer = !r.tool.startsWith('idbpq');
            const ratio = base && peer ? (base.records / base.seconds) / rate : null;
            const ratioApi = api && peer ? (api.records / api.seconds) / rate : null;
            lines.push(`| ${r.tool} | ${fmt(r.seconds, 2)} | ${fmt(rate)} | ${fmt(inBytes / 1e6 / r.seconds, 1)} | ` +
                `${r.bytes ? fmt(r.bytes) : ''} | ${fmt(r.cpu, 2)} | ${fmt(r.rssMB)} | ${ratio ? fmt(ratio, 2) : ''} | ${ratioApi ? fmt(ratioApi, 2) : ''} |`);
        }
    }
    const packs = rs.filter((r) => r.budgetMB);
    for (const p of packs) {
        const limit = p.budgetMB + 32;
        lines.push('');
        lines.push(`idbpq pack peak RSS (${p.tool}): ${fmt(p.rssMB)} MB against the row-group budget ${p.budgetMB} MB + 32 MB = ${limit} MB: ` +
            `${p.rssMB <= limit ? 'within' : `**over by ${fmt(p.rssMB - limit)} MB**`}.`);
    }
}
if (note.length) { lines.push(''); lines.push('Failures:'); for (const n of note) lines.push(`- ${n}`); }
const md = lines.join('\n') + '\n';
fs.writeFileSync(path.join(OUT, 'results.md'), md);
fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify({ records: N, runs: RUNS, results, notes: note }, null, 1));
process.stdout.write(md);
