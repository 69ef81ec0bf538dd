#!/usr/bin/env node
// wasm_api_seeds.mjs — writes the seed corpus of fuzz/fuzz_wasm_api.c (fuzz/corpus/fuzz_wasm_api):
// record batches framed as web/idbpq.js frames them (web/v8wire.js: key, value, Blobs), for the
// writer, and the Parquet files of fuzz/corpus/fuzz_records for the reader. Node >= 18.
// Usage: node fuzz/wasm_api_seeds.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { V8Writer } from '../web/v8wire.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'fuzz', 'corpus', 'fuzz_wasm_api');
fs.mkdirSync(out, { recursive: true });
const enc = new TextEncoder();

// One batch, framed like idbpq.js's frame(): key (or none), value, then the record's Blobs.
async function batch(records, inline) {
  const w = new V8Writer();
  for (const [key, value] of records) {
    w.beginRecord();
    const base = w.blobs.length;
    const k = w.reserveU32();
    if (!inline) w.patchU32(k, w.writeValue(key));
    const v = w.reserveU32();
    w.patchU32(v, w.writeValue(value));
    const blobs = w.blobs.slice(base);
    w.writeU32(blobs.length);
    for (const b of blobs) {
      const file = b instanceof File;
      w.writeU32(file ? 1 : 0);
      w.writeF64(b.size);
      w.writeF64(file ? b.lastModified : 0);
      w.writeBytes(enc.encode(b.type));
      w.writeBytes(enc.encode(file ? b.name : ''));
      w.writeBytes(new Uint8Array(await b.arrayBuffer()));
    }
  }
  return Buffer.from(w.bytes());
}

const app = (i) => ({ id: i, name: 'user ' + i, email: `u${i}@example.com`, score: i * 1.5, when: new Date(1e12 + i),
  tags: ['a', 'b'].slice(0, 1 + (i % 2)), address: { city: 'Oslo', zip: String(1000 + i) }, big: BigInt(i) ** 3n });
const odd = [undefined, null, 'lone \ud800', new Map([[1, 'x']]), new Set([1, 2]), new Uint8Array([1, 2, 3]), [1, , 3], /re/g, -0, NaN]; // eslint-disable-line no-sparse-arrays
const seeds = {
  'outofline': [0x01, await batch(Array.from({ length: 20 }, (_, i) => [i % 3 ? 'k' + i : [i, new Date(i)], app(i)]), false)],
  'inline': [0x03, await batch(Array.from({ length: 20 }, (_, i) => [null, app(i)]), true)],
  'inline-observed': [0x07, await batch(Array.from({ length: 10 }, (_, i) => [null, { ...app(i), odd: odd[i] }]), true)],
  'blobs': [0x05, await batch([[1, { b: new Blob(['hello'], { type: 'text/plain' }), f: new File([new Uint8Array([0, 1])], 'f.bin', { lastModified: 5 }) }], [2, { none: 1 }]], false)],
  'mixed': [0x01, await batch(odd.map((v, i) => [i, v]), false)],
};
for (const [name, [mode, bytes]] of Object.entries(seeds)) fs.writeFileSync(path.join(out, `writer-${name}`), Buffer.concat([Buffer.from([mode]), bytes]));
const files = path.join(root, 'fuzz', 'corpus', 'fuzz_records');
let n = 0;
for (const f of fs.readdirSync(files)) {
  const b = fs.readFileSync(path.join(files, f));
  if (b.subarray(0, 4).toString() !== 'PAR1') continue;
  fs.writeFileSync(path.join(out, `reader-${f}`), Buffer.concat([Buffer.from([(n++ % 4) * 2]), b]));
}
console.log(`wasm_api_seeds: ${Object.keys(seeds).length} writer seeds, ${n} reader seeds in ${path.relative(root, out)}`);
