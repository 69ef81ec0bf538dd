// duck.mjs — one DuckDB benchmark case in its own process (so /usr/bin/time's peak RSS is
// DuckDB's work plus Node's baseline, nothing else). Prints one JSON line on stdout.
//   node duck.mjs rewrite IN OUT CODEC THREADS RUNS
//       COPY (SELECT * FROM read_parquet(IN)) TO OUT (FORMAT parquet, COMPRESSION CODEC)
//   node duck.mjs scan FILE THREADS RUNS
//       SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM read_parquet(FILE)
//   node duck.mjs idle      (loads DuckDB and exits: the RSS baseline)
// THREADS is a number or "default" (DuckDB's own: one per core). Every run gets a fresh
// database instance and connection; only the statement itself is timed (wall, and CPU time
// of all the process's threads).
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [op, ...a] = process.argv.slice(2);
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
let sql, threads, runs, out = null;
if (op === 'rewrite') {
    const [inp, outp, codec, th, n] = a;
    out = outp;
    sql = `COPY (SELECT * FROM read_parquet(${q(inp)})) TO ${q(outp)} ` +
          `(FORMAT parquet, COMPRESSION ${codec})`;
    threads = th; runs = Number(n || 3);
} else if (op === 'scan') {
    const [file, th, n] = a;
    sql = `SELECT count(*) AS rows, bit_xor(hash(COLUMNS(*))) FROM read_parquet(${q(file)})`;
    threads = th; runs = Number(n || 3);
} else if (op === 'idle') {
    // Baseline for the RSS column: Node + DuckDB loaded, one instance, nothing run.
    const inst = await DuckDBInstance.create(':memory:');
    await (await inst.connect()).run('SELECT 1');
    console.log(JSON.stringify({ tool: 'duckdb', idle: true }));
    process.exit(0);
} else {
    console.error('usage: node duck.mjs rewrite IN OUT CODEC THREADS RUNS | scan FILE THREADS RUNS');
    process.exit(2);
}

const times = [], cpu = [];
let rows = null, version = null, nthreads = null;
for (let r = 0; r < runs; r++) {
    if (out) fs.rmSync(out, { force: true });
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    if (threads !== 'default') await con.run(`SET threads = ${Number(threads)}`);
    if (version === null) {
        const v = await con.runAndReadAll(`SELECT version(), current_setting('threads')`);
        [version, nthreads] = v.getRows()[0].map(String);
    }
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const res = await con.runAndReadAll(sql);
    const t1 = process.hrtime.bigint();
    const c1 = process.cpuUsage(c0);
    times.push(Number(t1 - t0) / 1e9);
    cpu.push((c1.user + c1.system) / 1e6);   // every thread of the process
    const row = res.getRows()[0];
    rows = Number(row[0]);   // COPY returns the number of rows written; scan returns count(*)
    con.closeSync?.();
    inst.closeSync?.();
}
console.log(JSON.stringify({ tool: 'duckdb', version, threads: Number(nthreads), times, cpu, rows,
    bytes: out ? fs.statSync(out).size : null }));
