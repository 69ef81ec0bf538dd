// bench.mjs — idbpq's V8 codec against Node's native v8.deserialize / v8.serialize on the same
// bytes: records shaped like app data (ids, strings, dates, nested arrays and objects, some
// binary). Usage: node bench.mjs V8_BENCH_BINARY [RECORDS] [SECONDS]. Prints a table.
import v8 from 'node:v8';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const bin = process.argv[2];
const N = +(process.argv[3] || 20000);
const SECONDS = +(process.argv[4] || 2);

let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const ri = (n) => Math.floor(rnd() * n);
const words = ['alpha', 'beta', 'gamma', 'delta', 'inbox', 'draft', 'urgent', 'café', 'naïve', 'todo'];
const text = (n) => Array.from({ length: n }, () => words[ri(words.length)]).join(' ');

function record(i) {
  const r = {
    id: i,
    uuid: `${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}-4a1b-9c2d-${ri(1e12).toString(16)}`,
    title: text(4 + ri(6)),
    body: text(20 + ri(60)),
    author: { id: ri(1000), name: text(2), email: `user${ri(1e5)}@example.com` },
    createdAt: new Date(1.6e12 + ri(1e11)),
    updatedAt: new Date(1.6e12 + ri(1e11)),
    score: rnd() * 100,
    version: ri(50),
    done: rnd() < 0.5,
    tags: Array.from({ length: ri(5) }, () => words[ri(words.length)]),
    history: Array.from({ length: ri(6) }, () => ({ at: new Date(1.6e12 + ri(1e11)), op: words[ri(4)], n: ri(100) })),
  };
  if (rnd() < 0.2) r.attachment = new Uint8Array(Array.from({ length: 64 + ri(256) }, () => ri(256)));
  if (rnd() < 0.1) r.note = '注意: ' + text(5);
  return r;
}

const values = Array.from({ length: N }, (_, i) => record(i));
const bufs = values.map((v) => { const s = new v8.Serializer(); s.writeHeader(); s.writeValue(v); return s.releaseBuffer(); });
const bytes = bufs.reduce((a, b) => a + b.length, 0);

function best(fn) {
  let b = Infinity;
  const end = Date.now() + SECONDS * 1000;
  do { const t0 = process.hrtime.bigint(); fn(); const t = Number(process.hrtime.bigint() - t0) / 1e9; if (t < b) b = t; } while (Date.now() < end);
  return b;
}
const nodeDec = best(() => { for (const b of bufs) v8.deserialize(b); });
const nodeEnc = best(() => { for (const v of values) v8.serialize(v); });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'v8b-'));
const file = path.join(tmp, 'records.bin');
fs.writeFileSync(file, Buffer.concat(bufs.flatMap((b) => { const h = Buffer.alloc(4); h.writeUInt32LE(b.length); return [h, b]; })));
const c = JSON.parse(execFileSync(bin, [file, String(SECONDS)]).toString());
fs.rmSync(tmp, { recursive: true, force: true });

const mb = (s) => (bytes / 1e6 / s).toFixed(1);
const vps = (s) => Math.round(N / s).toLocaleString('en-US');
console.log(`# ${N} records, ${bytes} bytes (${(bytes / N).toFixed(0)} B/record), best of ${SECONDS}s per cell`);
console.log('| operation | idbpq MB/s | Node MB/s | idbpq values/s | Node values/s | idbpq / Node |');
console.log('|---|---:|---:|---:|---:|---:|');
console.log(`| decode | ${mb(c.decode_s)} | ${mb(nodeDec)} | ${vps(c.decode_s)} | ${vps(nodeDec)} | ${(nodeDec / c.decode_s).toFixed(2)}x |`);
console.log(`| encode | ${mb(c.encode_s)} | ${mb(nodeEnc)} | ${vps(c.encode_s)} | ${vps(nodeEnc)} | ${(nodeEnc / c.encode_s).toFixed(2)}x |`);
