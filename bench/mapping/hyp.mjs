// hyp.mjs — the hyparquet peers of bench/mapping (one case per process, for /usr/bin/time).
//   node hyp.mjs write IN.jsonl OUT.parquet   hyparquet-writer from JS objects: the lines are
//       parsed first (JSON.parse, {"$date":ms} revived as Dates; not timed, reported as
//       parse_seconds), then timed: a pass over the objects to choose each top-level field's
//       type (integers within int32 INT32, other numbers DOUBLE, strings STRING, booleans
//       BOOLEAN, Dates TIMESTAMP, objects and arrays JSON, mixed kinds VARIANT) and
//       parquetWriteRows (SNAPPY, hyparquet-writer's default row groups).
//   node hyp.mjs read FILE.parquet            hyparquet: parquetReadObjects, every row as a JS
//       object (timed).
// Prints one JSON line: records, seconds, cpu, parse_seconds, bytes.
import fs from 'node:fs';
import { parquetWriteRows, fileWriter } from 'hyparquet-writer';
import { parquetReadObjects, asyncBufferFromFile } from 'hyparquet';

const [op, inp, out] = process.argv.slice(2);
const revive = (k, v) => (v && typeof v === 'object' && !Array.isArray(v) && '$date' in v
    && Object.keys(v).length === 1 ? new Date(v.$date) : v);

if (op === 'write') {
    const p0 = process.hrtime.bigint();
    const buf = fs.readFileSync(inp);  // bytes: a file past 512 MB cannot be one JS string
    const rows = [];
    let start = 0;
    for (;;) {
        const nl = buf.indexOf(10, start);
        const end = nl < 0 ? buf.length : nl;
        if (end > start) rows.push(JSON.parse(buf.toString('utf8', start, end), revive));
        if (nl < 0) break;
        start = nl + 1;
    }
    const parseSeconds = Number(process.hrtime.bigint() - p0) / 1e9;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    // field -> kinds seen
    const kinds = new Map();
    for (const r of rows) {
        for (const k in r) {
            const v = r[k];
            let kind;
            if (v === null || v === undefined) continue;
            else if (typeof v === 'number') kind = Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? 'int' : 'double';
            else if (typeof v === 'string') kind = 'string';
            else if (typeof v === 'boolean') kind = 'boolean';
            else if (v instanceof Date) kind = 'date';
            else if (Array.isArray(v)) kind = 'array';
            else kind = 'object';
            let s = kinds.get(k);
            if (!s) kinds.set(k, (s = new Set()));
            s.add(kind);
        }
    }
    const columns = [];
    for (const [name, s] of kinds) {
        if (s.has('int') && s.has('double') && s.size === 2) { s.delete('int'); }
        let type;
        if (s.size > 1) type = 'VARIANT';
        else {
            const k = [...s][0];
            type = { int: 'INT32', double: 'DOUBLE', string: 'STRING', boolean: 'BOOLEAN', date: 'TIMESTAMP', array: 'JSON', object: 'JSON' }[k];
        }
        columns.push({ name, type });
    }
    await parquetWriteRows({ writer: fileWriter(out), rows, columns, codec: 'SNAPPY' });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    console.log(JSON.stringify({ tool: 'hyparquet-writer', records: rows.length, seconds,
        cpu: (c.user + c.system) / 1e6, parse_seconds: parseSeconds, bytes: fs.statSync(out).size,
        types: Object.fromEntries(columns.map((c2) => [c2.name, c2.type])) }));
} else if (op === 'read') {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const file = await asyncBufferFromFile(inp);
    const rows = await parquetReadObjects({ file });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    console.log(JSON.stringify({ tool: 'hyparquet', records: rows.length, seconds, cpu: (c.user + c.system) / 1e6 }));
} else {
    console.error('usage: node hyp.mjs write IN.jsonl OUT.parquet | read FILE.parquet');
    process.exit(2);
}
