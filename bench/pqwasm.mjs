// pqwasm.mjs — one parquet-wasm (arrow-rs compiled to wasm) case in its own process. Prints
// one JSON line on stdout.
//   node pqwasm.mjs rewrite IN OUT CODEC RUNS   readParquet(bytes) -> writeParquet(table, props)
//   node pqwasm.mjs scan FILE RUNS              readParquet(bytes): every value decoded into
//                                               Arrow buffers in wasm memory
//   node pqwasm.mjs idle                        (loads parquet-wasm and exits: the RSS baseline)
// The file is read into memory once, before timing; the output is written after timing. One
// untimed warm-up run comes first (the first call compiles and grows wasm memory), then RUNS
// timed ("warm") runs.
import fs from 'node:fs';
import * as pw from 'parquet-wasm';

const version = JSON.parse(fs.readFileSync(
    new URL('./node_modules/parquet-wasm/package.json', import.meta.url), 'utf8')).version;
// Rows in a Table (only counted in the untimed warm-up run).
const countRows = (t) => {
    let n = 0;
    for (let i = 0; i < t.numBatches; i++) {
        const b = t.recordBatch(i);
        n += b.numRows;
        b.free();
    }
    return n;
};
const [op, ...a] = process.argv.slice(2);
let once, runs, out = null, outBytes = null;
if (op === 'rewrite') {
    const [inp, outp, codec, n] = a;
    const comp = pw.Compression[codec.toUpperCase()];
    if (comp === undefined) { console.error(`pqwasm: unknown codec ${codec}`); process.exit(2); }
    const bytes = new Uint8Array(fs.readFileSync(inp));
    out = outp; runs = Number(n || 3);
    once = (count) => {
        const table = pw.readParquet(bytes);
        const rows = count ? countRows(table) : null;
        const props = new pw.WriterPropertiesBuilder().setCompression(comp).build();
        outBytes = pw.writeParquet(table, props);   // consumes (frees) table and props
        return rows;
    };
} else if (op === 'scan') {
    const [file, n] = a;
    const bytes = new Uint8Array(fs.readFileSync(file));
    runs = Number(n || 3);
    once = (count) => {
        const table = pw.readParquet(bytes);
        const rows = count ? countRows(table) : null;
        table.free();
        return rows;
    };
} else if (op === 'idle') {
    // Baseline for the RSS column: Node + parquet-wasm loaded, nothing run.
    console.log(JSON.stringify({ tool: 'parquet-wasm', idle: true }));
    process.exit(0);
} else {
    console.error('usage: node pqwasm.mjs rewrite IN OUT CODEC RUNS | scan FILE RUNS');
    process.exit(2);
}

const c0 = process.hrtime.bigint();
const rows = once(true);
const cold = Number(process.hrtime.bigint() - c0) / 1e9;
const times = [], cpu = [];
for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    once(false);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1e6);
}
if (out) fs.writeFileSync(out, outBytes);
console.log(JSON.stringify({ tool: 'parquet-wasm', version, cold, times, cpu, rows,
    bytes: out ? fs.statSync(out).size : null,
    wasmMemoryMB: pw.wasmMemory ? pw.wasmMemory().buffer.byteLength / 2 ** 20 : null }));
