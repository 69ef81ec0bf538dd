// duck.mjs — the DuckDB peers of bench/mapping (one case per process, for /usr/bin/time).
//   node duck.mjs write IN.jsonl OUT.parquet THREADS
//       COPY (SELECT * FROM read_json(IN, format 'newline_delimited', sample_size -1))
//       TO OUT (FORMAT parquet)      -- every line read for the schema, like idbpq's two passes
//   node duck.mjs read IN.parquet OUT.ndjson THREADS
//       COPY (SELECT * FROM read_parquet(IN)) TO OUT (FORMAT json)
// THREADS: a number or "default". Times the statement only (wall, and CPU of all threads).
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [op, inp, out, threads] = process.argv.slice(2);
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
let sql;
if (op === 'write') {
    sql = `COPY (SELECT * FROM read_json(${q(inp)}, format = 'newline_delimited', sample_size = -1)) ` +
          `TO ${q(out)} (FORMAT parquet)`;
} else if (op === 'read') {
    sql = `COPY (SELECT * FROM read_parquet(${q(inp)})) TO ${q(out)} (FORMAT json)`;
} else {
    console.error('usage: node duck.mjs write IN.jsonl OUT.parquet THREADS | read IN.parquet OUT.ndjson THREADS');
    process.exit(2);
}
fs.rmSync(out, { force: true });
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
if (threads && threads !== 'default') await con.run(`SET threads = ${Number(threads)}`);
const v = (await con.runAndReadAll(`SELECT version(), current_setting('threads')`)).getRows()[0].map(String);
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const res = await con.runAndReadAll(sql);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ tool: 'duckdb', version: v[0], threads: Number(v[1]), records: Number(res.getRows()[0][0]),
    seconds, cpu: (c.user + c.system) / 1e6, bytes: fs.statSync(out).size }));
if (op === 'read') fs.rmSync(out, { force: true });
