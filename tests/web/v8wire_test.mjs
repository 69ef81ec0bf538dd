// v8wire_test.mjs — web/v8wire.js against V8 itself (Node's base v8.Serializer and
// v8.Deserializer, which write typed arrays natively as browsers do, unlike v8.serialize) and
// against the C side (`idbpq value`). Prints TAP lines ("ok - ..." / "not ok - ...").
//
//   node tests/web/v8wire_test.mjs [COUNT]
//
// IDBPQ_V8WIRE_SEED=N reproduces a run (the seed is printed; default: today's date).
// IDBPQ_BIN=path/to/idbpq enables the C cross-check (else it prints "# SKIPPED").
import v8 from 'node:v8';
import util from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { V8Writer, readValue } from '../../web/v8wire.js';

const COUNT = +(process.argv[2] || 1500);
const SEED = BigInt(process.env.IDBPQ_V8WIRE_SEED || new Date().toISOString().slice(0, 10).replace(/-/g, ''));
const IDBPQ = process.env.IDBPQ_BIN || '';
console.log(`# v8wire: seed ${SEED} (IDBPQ_V8WIRE_SEED=${SEED} reproduces), ${COUNT} random values`);

// ---- TAP --------------------------------------------------------------------------------------
let failedAny = false;
function check(name, fn) {
  const problems = [];
  let note = '';
  try {
    note = fn((why) => problems.push(why)) || '';
  } catch (e) {
    problems.push(`threw ${e.stack}`);
  }
  if (problems.length) {
    failedAny = true;
    console.log(`not ok - v8wire: ${name}${note ? ` (${note})` : ''}: ${problems.length} problem(s)`);
    for (const p of problems.slice(0, 8)) console.log(`#   ${String(p).replace(/\n/g, '\n#   ').slice(0, 1500)}`);
  } else {
    console.log(`ok - v8wire: ${name}${note ? ` (${note})` : ''}`);
  }
}

// ---- seeded random ----------------------------------------------------------------------------
let state = SEED & 0xffffffffffffffffn;
function next64() {
  state = (state + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return z ^ (z >> 31n);
}
const rnd = () => Number(next64() >> 11n) / 2 ** 53;
const ri = (n) => Math.floor(rnd() * n);
const pick = (a) => a[ri(a.length)];

// ---- V8 ---------------------------------------------------------------------------------------
function v8bytes(v) {
  const s = new v8.Serializer();
  s.writeHeader();
  s.writeValue(v);
  return s.releaseBuffer();
}
function v8read(bytes) {
  const d = new v8.Deserializer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  d.readHeader();
  return d.readValue();
}
const writer = new V8Writer(64); // small, so that growing is exercised
function ours(v) {
  writer.reset();
  writer.writeValue(v);
  return writer.bytes().slice();
}

// ---- generator --------------------------------------------------------------------------------
const NUMS = [0, -0, 1, -1, 42, 2 ** 30, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32,
  2 ** 53, 0.5, -1.25, 1e300, 5e-324, NaN, Infinity, -Infinity, Math.PI];
function num() {
  switch (ri(4)) {
    case 0: return pick(NUMS);
    case 1: return ri(1000) - 500;
    case 2: return (rnd() - 0.5) * 1e6;
    default: return ri(2 ** 31) * (rnd() < 0.5 ? -1 : 1);
  }
}
function big() {
  let b = 0n;
  const n = ri(5);
  for (let i = 0; i < n; i++) b = (b << 64n) | next64();
  if (rnd() < 0.2) b >>= BigInt(ri(60)); // lengths that are not whole 64-bit digits
  if (rnd() < 0.3) b = BigInt(ri(100));
  return rnd() < 0.4 ? -b : b;
}
const UNITS = ['é', 'ü', '中', '文', '😀', 'ß', 'Ω', 'a', '\u0080', '\u009f', '\u00ff', '\u0100'];
function str(long = rnd() < 0.05) {
  const n = long ? 1000 + ri(12000) : ri(14);
  const kind = ri(6);
  const parts = [];
  for (let i = 0; i < n; i++) {
    if (kind === 0) parts.push(String.fromCharCode(97 + ri(26)));
    else if (kind === 1) parts.push(String.fromCharCode(ri(256)));
    else if (kind === 2) parts.push(pick(UNITS));
    else if (kind === 3) parts.push(String.fromCharCode(pick([0xd800, 0xdc00, 0xdbff, 0xdfff, 0x41, 0xe9, 0x2603])));
    else if (kind === 4) parts.push(i < 100 ? 'x' : pick(['a', 'é', '😀', '\ud800'])); // Latin-1 first
    else parts.push(pick(['id', 'name', 'x', '0', '12', '']));
  }
  return parts.join('');
}
const KEYS = ['id', 'name', 'a', 'b', 'é', '中', '0', '1', '17', '01', '-1', '1.5', '4294967294',
  '4294967295', '99999999999', '', 'length', 'constructor', 'toString', '$x', 'a b', '😀'];
const TA = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
  Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array];
if (globalThis.Float16Array) TA.push(globalThis.Float16Array);

function leaf() {
  switch (ri(15)) {
    case 0: return undefined;
    case 1: return null;
    case 2: return rnd() < 0.5;
    case 3: case 4: return num();
    case 5: return big();
    case 6: case 7: return str();
    case 8: return new Date(rnd() < 0.2 ? NaN : Math.floor((rnd() - 0.3) * 4e12));
    case 9: {
      const flags = ['', 'g', 'i', 'gim', 'sy', 'u', 'd', 'v', 'gimsuyd'];
      return new RegExp(pick(['a+b', '^x$', '[0-9]{2,}', '\\d', '', 'é|中', '/', '\n']), pick(flags));
    }
    case 10: return pick([() => new Boolean(rnd() < 0.5), () => new Number(num()),
      () => new String(str()), () => Object(big())])();
    case 11: {
      const ab = new ArrayBuffer(ri(24));
      new Uint8Array(ab).forEach((_, i, a) => { a[i] = ri(256); });
      return ab;
    }
    case 12: return view();
    case 13: return rnd() < 0.5 ? str(true) : str();
    default: return str();
  }
}
function view() {
  const resizable = rnd() < 0.25;
  const len = 8 * (1 + ri(4));
  const ab = resizable ? new ArrayBuffer(len, { maxByteLength: len + 8 * ri(3) }) : new ArrayBuffer(len);
  new Uint8Array(ab).forEach((_, i, a) => { a[i] = ri(256); });
  const T = rnd() < 0.15 ? DataView : pick(TA);
  const size = T === DataView ? 1 : T.BYTES_PER_ELEMENT;
  const off = size * ri(Math.floor(len / size));
  if (resizable && rnd() < 0.5) return T === DataView ? new DataView(ab, off) : new T(ab, off);
  const cnt = ri(Math.floor((len - off) / size) + 1);
  return T === DataView ? new DataView(ab, off, cnt) : new T(ab, off, cnt);
}

function gen(depth, pool) {
  if (pool.length && rnd() < 0.08) return pick(pool); // shared reference or cycle
  if (depth <= 0 || rnd() < 0.3) return leaf();
  let v;
  switch (ri(11)) {
    case 0: case 1: {
      v = rnd() < 0.1 ? Object.create(null) : rnd() < 0.1 ? new (class K { #p = 1; })() : {};
      pool.push(v);
      const n = ri(6);
      for (let i = 0; i < n; i++) {
        const k = rnd() < 0.6 ? pick(KEYS) : str();
        if (rnd() < 0.05) Object.defineProperty(v, k, { get: () => 7, enumerable: true, configurable: true });
        else if (rnd() < 0.05) Object.defineProperty(v, k, { value: 1, enumerable: false, configurable: true });
        else Object.defineProperty(v, k, { value: gen(depth - 1, pool), enumerable: true, writable: true, configurable: true });
      }
      if (rnd() < 0.05) Object.defineProperty(v, '__proto__', { value: gen(depth - 1, pool), enumerable: true, writable: true, configurable: true });
      if (rnd() < 0.05) v[Symbol('s')] = 1; // skipped, as by V8
      break;
    }
    case 2: case 3: {
      const n = ri(6);
      v = [];
      pool.push(v);
      for (let i = 0; i < n; i++) v.push(gen(depth - 1, pool));
      if (rnd() < 0.25) delete v[ri(n + 1)]; // a hole
      if (rnd() < 0.15) v[n + ri(50)] = gen(depth - 1, pool); // holes up to a tail element
      if (rnd() < 0.15) v[pick(['extra', 'x', '4294967295', '-0'])] = gen(depth - 1, pool);
      if (rnd() < 0.05) v.length = 1000 + ri(5); // mostly empty: sparse
      if (rnd() < 0.02) v.length = 2 ** 32 - 1;
      break;
    }
    case 4: {
      v = new Map();
      pool.push(v);
      const n = ri(4);
      for (let i = 0; i < n; i++) v.set(rnd() < 0.5 ? str() : gen(depth - 1, pool), gen(depth - 1, pool));
      break;
    }
    case 5: {
      v = new Set();
      pool.push(v);
      const n = ri(4);
      for (let i = 0; i < n; i++) v.add(gen(depth - 1, pool));
      break;
    }
    case 6: { // several views of one buffer, the buffer too
      const ab = rnd() < 0.3 ? new ArrayBuffer(16, { maxByteLength: 32 }) : new ArrayBuffer(16);
      new Uint8Array(ab).forEach((_, i, a) => { a[i] = ri(256); });
      v = [new Uint8Array(ab), new Int16Array(ab, 2, 3), new DataView(ab, 4), ab, new Uint32Array(ab, 8)];
      if (rnd() < 0.5) v.reverse();
      pool.push(v);
      break;
    }
    case 7: {
      const E = pick([Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]);
      const opts = rnd() < 0.4 ? { cause: gen(depth - 1, []) } : undefined;
      v = rnd() < 0.2 ? new E(undefined, opts) : new E(str(), opts);
      if (rnd() < 0.5) v.stack = str();
      else if (rnd() < 0.3) delete v.stack;
      if (rnd() < 0.1) v.name = pick(['TypeError', 'Custom', 'RangeError']);
      break;
    }
    case 8: { // deep nesting (below the C decoder's default limit of 1000)
      v = leaf();
      for (let i = ri(400); i > 0; i--) v = rnd() < 0.5 ? [v] : { d: v };
      break;
    }
    case 9: { // a typical record
      v = { id: ri(1e6), name: str(), price: num(), when: new Date(ri(2e12)), tags: [str(), str(), str()], nested: { a: num(), b: str() } };
      pool.push(v);
      break;
    }
    default: v = leaf();
  }
  return v;
}

// ---- equality: structure, sharing, cycles, -0, holes, key order ---------------------------
function tracks(view) { // whether a view over a resizable buffer follows the buffer's length
  const b = view.buffer;
  if (!b.resizable || b.byteLength === b.maxByteLength) return null;
  const before = view.byteLength, len = b.byteLength;
  b.resize(b.maxByteLength);
  const after = view.byteLength;
  b.resize(len);
  return before !== after;
}
function deepEqual(a, b, seen = new Map(), where = 'value') {
  const fail = (why) => { throw new Error(`${where}: ${why}`); };
  if (typeof a !== typeof b) fail(`type ${typeof a} vs ${typeof b}`);
  if (a === null || typeof a !== 'object') {
    if (!Object.is(a, b)) fail(`${String(a).slice(0, 80)} vs ${String(b).slice(0, 80)}`);
    return;
  }
  if (b === null) fail('null');
  if (seen.has(a)) {
    if (seen.get(a) !== b) fail('sharing differs');
    return;
  }
  seen.set(a, b);
  const ta = Object.prototype.toString.call(a), tb = Object.prototype.toString.call(b);
  if (ta !== tb) fail(`${ta} vs ${tb}`);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) fail('prototype');
  if (a instanceof Date) { if (!Object.is(a.getTime(), b.getTime())) fail('date'); return; }
  if (a instanceof RegExp) { if (a.source !== b.source || a.flags !== b.flags) fail('regexp'); return; }
  if (a instanceof Boolean || a instanceof Number || a instanceof String || ta === '[object BigInt]') {
    if (!Object.is(a.valueOf(), b.valueOf())) fail('boxed');
    return;
  }
  if (a instanceof ArrayBuffer) {
    if (a.byteLength !== b.byteLength || a.resizable !== b.resizable || a.maxByteLength !== b.maxByteLength) fail('buffer shape');
    if (Buffer.compare(Buffer.from(a), Buffer.from(b))) fail('buffer bytes');
    return;
  }
  if (ArrayBuffer.isView(a)) {
    if (a.byteOffset !== b.byteOffset || a.byteLength !== b.byteLength) fail('view shape');
    deepEqual(a.buffer, b.buffer, seen, `${where}.buffer`);
    if (tracks(a) !== tracks(b)) fail('length tracking');
    return;
  }
  if (a instanceof Error) {
    for (const k of ['name', 'message', 'stack']) {
      if (k !== 'name' && Object.hasOwn(a, k) !== Object.hasOwn(b, k)) fail(`error ${k} presence`);
      if (a[k] !== b[k]) fail(`error ${k}: ${a[k]} vs ${b[k]}`);
    }
    if (Object.hasOwn(a, 'cause') !== Object.hasOwn(b, 'cause')) fail('cause presence');
    if (Object.hasOwn(a, 'cause')) deepEqual(a.cause, b.cause, seen, `${where}.cause`);
    return;
  }
  if (a instanceof Map) {
    const ea = [...a], eb = [...b];
    if (ea.length !== eb.length) fail('map size');
    ea.forEach(([k, v], i) => {
      deepEqual(k, eb[i][0], seen, `${where}<key ${i}>`);
      deepEqual(v, eb[i][1], seen, `${where}<value ${i}>`);
    });
    return;
  }
  if (a instanceof Set) {
    const ea = [...a], eb = [...b];
    if (ea.length !== eb.length) fail('set size');
    ea.forEach((v, i) => deepEqual(v, eb[i], seen, `${where}<item ${i}>`));
    return;
  }
  if (typeof Blob !== 'undefined' && a instanceof Blob) { if (a !== b) fail('a different Blob'); return; }
  if (Array.isArray(a) && a.length !== b.length) fail(`length ${a.length} vs ${b.length}`);
  const ka = Reflect.ownKeys(a), kb = Reflect.ownKeys(b);
  if (ka.join('\u0001') !== kb.join('\u0001')) fail(`keys [${ka.slice(0, 20)}] vs [${kb.slice(0, 20)}]`);
  for (const k of ka) {
    const da = Object.getOwnPropertyDescriptor(a, k), db = Object.getOwnPropertyDescriptor(b, k);
    if (da.enumerable !== db.enumerable) fail(`${String(k)}: enumerable differs`);
    deepEqual(da.value, db.value, seen, `${where}.${String(k)}`);
  }
}
// util.isDeepStrictEqual as well, where it holds for V8's own round trip (it calls two
// invalid Dates different).
const same = (a, b) => {
  deepEqual(a, b);
  if (!util.isDeepStrictEqual(a, b) && util.isDeepStrictEqual(a, v8read(v8bytes(a)))) {
    throw new Error('util.isDeepStrictEqual says they differ');
  }
};
const hex = (u8, n = 300) => Buffer.from(u8).toString('hex').slice(0, n);

// ---- random values through both codecs ---------------------------------------------------
const values = [];
for (let i = 0; i < COUNT; i++) values.push(gen(1 + ri(5), []));
// V8 reading its own bytes is the reference: some values change on V8's round trip (an Error's
// stack, getters become data), and ours must change the same way.
const refs = values.map((v) => v8read(v8bytes(v)));
const oursBytes = values.map(ours);
const theirBytes = values.map(v8bytes);

check(`V8's Deserializer reads V8Writer's bytes as it reads its own (seed ${SEED})`, (bad) => {
  let identical = 0;
  values.forEach((v, i) => {
    try {
      same(refs[i], v8read(oursBytes[i]));
    } catch (e) {
      bad(`#${i}: ${e.message}\n ours ${hex(oursBytes[i])}\n v8's ${hex(theirBytes[i])}`);
    }
    if (Buffer.compare(Buffer.from(oursBytes[i]), theirBytes[i]) === 0) identical++;
  });
  return `${identical} of ${COUNT} byte-identical to V8's; the rest differ where V8 decides by representation`;
});

check('readValue reads V8\'s bytes and V8Writer\'s bytes', (bad) => {
  values.forEach((v, i) => {
    for (const [who, bytes] of [['v8', theirBytes[i]], ['ours', oursBytes[i]]]) {
      try {
        const r = readValue(bytes, 0, bytes.length);
        if (r.end !== bytes.length) throw new Error(`end ${r.end} of ${bytes.length}`);
        same(refs[i], r.value);
      } catch (e) {
        bad(`#${i} (${who}'s bytes): ${e.message}\n bytes ${hex(bytes)}`);
      }
    }
  });
});

check('bytes equal V8\'s where V8 is canonical (two-byte padding, keys, views, errors)', (bad) => {
  const e = new RangeError('m', { cause: 1 });
  e.stack = 's';
  const ab = new ArrayBuffer(8, { maxByteLength: 16 });
  const cases = [['x', '€'], ['xy', '€'], { a: '€', 'é': 'ü€' }, '€', ['a', ['b', ['c', '€€']]],
    { 1: 'a', b: 2, 3000000000: 1, 4294967295: 2, '01': 3 }, [1, 2, 3], Object.assign([1, 2], { x: 1 }),
    new Uint16Array([1, 2]), [new Uint8Array(ab, 2), new Uint8Array(ab, 0, 4), ab], e,
    new Map([[1, { a: 1n }], ['k', -(2n ** 64n)]]), new Set(['😀']), /a\/b/dgimsuy, Object('€'),
    { s: 'x'.repeat(2000) }, [new Date(0), new Date(NaN)], { n: [-0, NaN, 2 ** 31, 0.5] }];
  for (const v of cases) {
    const o = ours(v), t = v8bytes(v);
    if (Buffer.compare(Buffer.from(o), t)) bad(`${util.inspect(v).slice(0, 80)}\n ours ${hex(o)}\n v8's ${hex(t)}`);
  }
});

// ---- the C side -----------------------------------------------------------------------------
function run(args, input) {
  return new Promise((resolve) => {
    const p = execFile(IDBPQ, args, { encoding: 'buffer', maxBuffer: 1 << 28 }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code ?? 1 : 0, out: stdout, err: stderr.toString() }));
    if (input) p.stdin.end(input);
  });
}
async function pool(items, fn, width = 2) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

if (!IDBPQ || !fs.existsSync(IDBPQ)) {
  console.log('# SKIPPED: v8wire C cross-check (no idbpq binary: set IDBPQ_BIN or build with make)');
} else {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'v8wire-'));
  const n = Math.min(COUNT, +(process.env.IDBPQ_V8WIRE_C_COUNT || 400));
  const idx = Array.from({ length: n }, (_, i) => i);
  const file = (name, bytes) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, bytes);
    return f;
  };
  const res = await pool(idx, async (i) => {
    const a = await run(['value', '--from', 'v8', '--to', 'json', file(`o${i}`, oursBytes[i])]);
    const b = await run(['value', '--from', 'v8', '--to', 'json', file(`t${i}`, theirBytes[i])]);
    const c = await run(['value', '--from', 'v8', '--to', 'v8', path.join(tmp, `o${i}`)]);
    return { a, b, c };
  });
  check(`idbpq value decodes V8Writer's bytes to the tagged JSON of V8's bytes (${n} values)`, (bad) => {
    res.forEach(({ a, b }, i) => {
      if (b.code !== 0) return; // the C side refuses V8's own bytes too: reported below
      if (a.code !== 0) bad(`#${i}: idbpq refuses ours: ${a.err.trim()}\n ours ${hex(oursBytes[i])}`);
      else if (Buffer.compare(a.out, b.out)) bad(`#${i}: tagged JSON differs\n ours ${a.out.toString().slice(0, 300)}\n v8's ${b.out.toString().slice(0, 300)}`);
    });
    const refused = res.filter((r) => r.b.code !== 0);
    if (refused.length) return `${refused.length} values the C side refuses from V8 as well, e.g. ${refused[0].b.err.trim()}`;
  });
  check(`readValue reads what the C encoder writes for them (idbpq value --from v8 --to v8)`, (bad) => {
    res.forEach(({ c }, i) => {
      if (c.code !== 0) return;
      try {
        const u8 = new Uint8Array(c.out);
        const r = readValue(u8, 0, u8.length);
        if (r.end !== u8.length) throw new Error(`end ${r.end} of ${u8.length}`);
        same(refs[i], r.value);
      } catch (e) {
        bad(`#${i}: ${e.message}\n C's ${hex(c.out)}`);
      }
    });
  });
  // Host objects as the C encoder writes them: indexed (i, e, L) and described (b, f, l).
  const hosts = await pool([
    '[{"$blob":{"type":"text/plain","size":3,"index":0}},{"$file":{"name":"a.txt","type":"text/plain","size":3,"lastModified":5,"index":1}},{"$filelist":[{"$file":{"name":"b","type":"","size":0,"lastModified":7,"index":1}},{"$file":{"name":"c","type":"","size":0,"lastModified":7,"index":0}}]}]',
    '[{"$blob":{"type":"text/plain","size":3}},{"$file":{"name":"ä.txt","type":"text/x","size":3,"lastModified":1700000000000}},{"$filelist":[{"$file":{"name":"n","type":"","size":0,"lastModified":{"$number":"NaN"}}}]}]',
  ], (json) => run(['value', '--from', 'json', '--to', 'v8', '-'], json));
  check('readValue reads the C encoder\'s Blob, File and FileList forms', (bad) => {
    const [indexed, described] = hosts.map((h) => {
      if (h.code) bad(`idbpq: ${h.err}`);
      return new Uint8Array(h.out);
    });
    const b0 = new Blob(['abc']), f1 = new File(['xyz'], 'a.txt');
    const calls = [];
    const v = readValue(indexed, 0, indexed.length, (i, kind) => (calls.push(`${i}${kind}`), [b0, f1][i])).value;
    if (calls.join() !== '0blob,1file,1file,0file') bad(`blobAt calls ${calls}`);
    if (v[0] !== b0 || v[1] !== f1 || !Array.isArray(v[2]) || v[2][0] !== f1 || v[2][1] !== b0) bad('indexed forms: wrong objects');
    const d = readValue(described, 0, described.length).value;
    if (!(d[0] instanceof Blob) || d[0].type !== 'text/plain' || d[0].size !== 0) bad(`'b': ${util.inspect(d[0])}`);
    if (!(d[1] instanceof File) || d[1].name !== 'ä.txt' || d[1].type !== 'text/x' || d[1].lastModified !== 1700000000000) bad(`'f': ${util.inspect(d[1])}`);
    if (!Array.isArray(d[2]) || !(d[2][0] instanceof File) || d[2][0].name !== 'n') bad(`'l': ${util.inspect(d[2])}`);
    try {
      readValue(indexed, 0, indexed.length, () => undefined);
      bad('a blobAt without the Blob did not fail');
    } catch (e) {
      if (!/at byte \d+/.test(e.message)) bad(`blobAt failure: ${e.message}`);
    }
  });
  fs.rmSync(tmp, { recursive: true, force: true });
}

// ---- refusals, as structuredClone ---------------------------------------------------------
check('refuses what structuredClone refuses, with the path; clones what it clones', (bad) => {
  const det = new ArrayBuffer(8);
  structuredClone(det, { transfer: [det] });
  const rab = new ArrayBuffer(8, { maxByteLength: 16 });
  const oob = new Uint8Array(rab, 4, 4);
  rab.resize(2);
  const refused = [
    [{ items: [1, 2, 3, { f: () => 1 }] }, /^value\.items\[3\]\.f: function cannot be cloned$/],
    [Symbol('s'), /^value: symbol cannot be cloned$/],
    [{ 'a b': [new WeakMap()] }, /^value\["a b"\]\[0\]: WeakMap cannot be cloned$/],
    [new Map([['k', new WeakSet()]]), /^value<value 0>: WeakSet cannot be cloned$/],
    [new Set([1, Promise.resolve()]), /^value<item 1>: Promise cannot be cloned$/],
    [new WeakRef({}), /WeakRef cannot be cloned/],
    [(function () { return arguments; })(1, 2), /arguments object cannot be cloned/],
    [Object(Symbol('x')), /Symbol cannot be cloned/],
    [(function* () {})(), /Generator cannot be cloned/],
    [[1].values(), /Array Iterator cannot be cloned/],
    [new Intl.NumberFormat(), /NumberFormat cannot be cloned/],
    [{ s: new SharedArrayBuffer(4) }, /^value\.s: SharedArrayBuffer cannot be cloned$/],
    [[det], /^value\[0\]: detached ArrayBuffer/],
    [[oob], /^value\[0\]: out-of-bounds/],
    [new RangeError('x', { cause: { f() {} } }), /^value\.cause\.f: function cannot be cloned$/],
  ];
  for (const [v, re] of refused) {
    let v8threw = false;
    try { v8bytes(v); } catch { v8threw = true; }
    if (!v8threw && !(v instanceof SharedArrayBuffer)) bad(`V8 itself accepts ${util.inspect(v)}: the case is wrong`);
    writer.reset();
    writer.writeValue('before');
    const len = writer.length;
    try {
      writer.writeValue(v);
      bad(`accepted ${util.inspect(v)}`);
    } catch (e) {
      if (!(e instanceof TypeError) || !re.test(e.message)) bad(`${util.inspect(v)}: ${e.name}: ${e.message}`);
    }
    if (writer.length !== len) bad('a refused value left bytes behind');
  }
  // Cloned although they are not plain: as V8 does, they become plain objects.
  const named = new Error('m');
  named.name = 'constructor'; // a name that an ordinary object lookup would find
  try { same(v8read(v8bytes(named)), v8read(ours(named))); } catch (e) { bad(`Error named constructor: ${e.message}`); }
  const spoof = Object.create({ x: 1 });
  spoof[Symbol.toStringTag] = 'Date';
  spoof.y = 2;
  for (const v of [new (class { #p = 1; q = 2; })(), Math, JSON, Object.create(Date.prototype), spoof,
    { [Symbol.toStringTag]: 'Map', a: 1 }, Object.create({ [Symbol.toStringTag]: 'toString' }),
    new (class Money { get [Symbol.toStringTag]() { return 'Money'; } constructor() { this.c = 1; } })(), Object.defineProperty({}, 'g', { get: () => 5, enumerable: true })]) {
    try {
      same(v8read(v8bytes(v)), v8read(ours(v)));
    } catch (e) {
      bad(`${util.inspect(v)}: ${e.message}`);
    }
  }
  // A getter that deletes a later property: V8 skips it.
  const o = { a: 1, get b() { delete this.c; return 2; }, c: 3, d: 4 };
  try { same(v8read(v8bytes({ ...o, get b() { delete this.c; return 2; } })), v8read(ours(o))); } catch (e) { bad(`getter deleting: ${e.message}`); }
});

// ---- writer API ---------------------------------------------------------------------------
check('V8Writer: framing, several values, reset, bytes(), growth', (bad) => {
  const w = new V8Writer(16);
  const at = w.reserveU32();
  const vals = [{ a: 1 }, 'x'.repeat(5000), [1, 2, 3], null, new Date(1)];
  let total = 4;
  for (const v of vals) total += w.writeValue(v);
  w.writeU32(0xdeadbeef);
  w.patchU32(at, vals.length);
  if (w.length !== total + 4) bad(`length ${w.length}, expected ${total + 4}`);
  const u8 = w.bytes();
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  if (dv.getUint32(0, true) !== vals.length || dv.getUint32(total, true) !== 0xdeadbeef) bad('u32 framing');
  let p = 4;
  for (const v of vals) {
    const r = readValue(u8, p, total);
    try { same(v8read(v8bytes(v)), r.value); } catch (e) { bad(e.message); }
    p = r.end;
  }
  if (p !== total) bad(`read to ${p}, wrote to ${total}`);
  // float64 and length-prefixed bytes, through a growth
  const big = new Uint8Array(70000).map((_, i) => i * 31);
  w.writeF64(-0.1);
  w.writeBytes(big);
  const v2 = w.bytes(), d2 = new DataView(v2.buffer, v2.byteOffset, v2.byteLength);
  if (d2.getFloat64(total + 4, true) !== -0.1) bad('writeF64');
  if (d2.getUint32(total + 12, true) !== big.length || v2.subarray(total + 16).some((b, i) => b !== big[i]) || w.length !== total + 16 + big.length)
    bad('writeBytes');
  w.reset();
  if (w.length !== 0 || w.bytes().length !== 0 || w.blobs.length !== 0) bad('reset');
  if (w.writeValue(1) !== 4 || hex(w.bytes()) !== 'ff0f4902') bad(`after reset: ${hex(w.bytes())}`);
  // Two-byte strings align to the value's start wherever it begins in the buffer.
  for (let k = 0; k < 3; k++) {
    w.reset();
    for (let j = 0; j < k; j++) w.writeValue(true); // 3 bytes: odd and even offsets
    const s = w.length;
    w.writeValue(['x', '€']);
    if (hex(w.bytes().subarray(s)) !== hex(v8bytes(['x', '€']))) bad(`alignment at offset ${s}`);
  }
});

check('Blob, File: blobs list, indexes per record, the same object once, blobAt', (bad) => {
  const w = new V8Writer();
  const b1 = new Blob(['one'], { type: 'text/plain' }), b2 = new Blob(['two']);
  const f1 = new File(['f'], 'f.txt', { lastModified: 5 });
  w.beginRecord();
  w.writeValue({ a: b1, b: [b1, f1], c: new Map([[b2, f1]]) });
  const e1 = w.length;
  if (w.blobs.length !== 3 || w.blobs[0] !== b1 || w.blobs[1] !== f1 || w.blobs[2] !== b2) bad(`blobs ${w.blobs.length}`);
  w.beginRecord();
  w.writeValue([b2, b1]);
  w.writeValue(b2); // a second value of the same record: the same index
  const e2 = w.length;
  if (w.blobs.length !== 5 || w.blobs[3] !== b2 || w.blobs[4] !== b1) bad('second record\'s blobs');
  const u8 = w.bytes();
  if (hex(u8.subarray(e1)) !== 'ff0f41025c69005c6901240002ff0f5c6900') bad(`second record's bytes ${hex(u8.subarray(e1))}`);
  const calls = [];
  const r1 = readValue(u8, 0, e1, (i, kind) => (calls.push(`${i}${kind}`), w.blobs[i]));
  const v = r1.value;
  if (v.a !== b1 || v.b[0] !== b1 || v.b[1] !== f1 || [...v.c][0][0] !== b2 || [...v.c][0][1] !== f1) bad('first record read back');
  if (calls.join() !== '0blob,1file,2blob') bad(`blobAt calls ${calls} (a repeated Blob is a back-reference)`);
  const r2 = readValue(u8, e1, e2, (i) => w.blobs[3 + i]);
  if (r2.value[0] !== b2 || r2.value[1] !== b1) bad('second record read back');
  // V8 (which has no Blob serializer in Node) numbers host objects like any object: the ids
  // after a Blob must match, which the '^' to the array below checks.
  const loop = [b1];
  loop.push(loop);
  w.reset();
  w.writeValue(loop);
  const back = readValue(w.bytes(), 0, w.length, () => b1).value;
  if (back[1] !== back || back[0] !== b1) bad(`ids after a host object: ${hex(w.bytes())}`);
  // A FileList as Blink writes it (no FileList in Node: bytes made by hand) reads as Files.
  const fl = Uint8Array.from([0xff, 0x0f, 0x5c, 0x4c, 0x02, 0x01, 0x00]);
  const got = readValue(fl, 0, fl.length, (i, kind) => (kind === 'file' ? [f1, f1][i] : null)).value;
  if (!Array.isArray(got) || got.length !== 2 || got[0] !== f1) bad('FileList');
  // A refused value of a record takes its blobs back out.
  w.reset();
  w.beginRecord();
  try { w.writeValue([b1, () => 1]); } catch { /* expected */ }
  if (w.blobs.length !== 0) bad('blobs of a refused value stay');
});

// ---- reading: versions, padding, malformed input -----------------------------------------
check('readValue: versions 13-16, no header, padding, what it refuses', (bad) => {
  const ok = (hexs, expect) => {
    const u8 = Buffer.from(hexs, 'hex');
    try {
      const r = readValue(u8, 0, u8.length);
      deepEqual(expect, r.value);
      if (r.end !== u8.length) bad(`${hexs}: end ${r.end}`);
    } catch (e) {
      bad(`${hexs}: ${e.message}`);
    }
  };
  const no = (hexs, re = /at byte \d+/) => {
    const u8 = Buffer.from(hexs, 'hex');
    try {
      readValue(u8, 0, u8.length);
      bad(`${hexs}: accepted`);
    } catch (e) {
      if (!re.test(e.message) || !e.message.startsWith('v8wire: ')) bad(`${hexs}: ${e.message}`);
    }
  };
  ok('4902', 1);
  ok('ff0d4902', 1);
  ok('ff0e4902', 1);
  ok('ff104902', 1);
  ok('00ff0f00004902', 1);
  ok('ff0f6f0022016149027b01', { a: 1 });
  const view = () => new Uint8Array(Uint8Array.from([1, 2]).buffer, 1, 1);
  ok('ff0d4202010256420101', view()); // format 13: no view flags
  ok('ff10420201025642010100', view()); // format 16: 64-bit sizes
  ok('ff0f5303c3a978', 'éx');
  ok('ff0f3f024103490249044906240003', [1, 2, 3]); // '?' verify count
  ok('ff0f554a', 74);
  no('ff0c4902', /version 12/);
  no('ff114902', /version 17/);
  no('', /truncated/);
  no('ff0f2d', /hole/);
  no('ff0f56', /view/);
  no('ff0f70', /'p'/);
  no('ff0f74', /'t'/);
  no('ff0f5e00', /reference/);
  no('ff0f6f7b01', /end count/);
  no('ff0f4101490224000f', /length/);
  no('ff0f52490200', /RegExp source is not a string/);
  no('ff0f52220161ff7f', /flags/);
  no('ff0f420201025642010200', /outside/);
  no('ff0f42030102035677000100', /multiple/);
  no('ff0f4204010203045642000203', /non-resizable/);
  no('ff0f6303616263', /odd/);
  no('ff0f5c23', /host object/);
  no('ff0f72', /truncated/);
  no('ff0f7258', /sub-tag/);
  no('ff0f7e0402', /maximum/);
  no('ff0f6f22095f5f70726f746f5f5f', /truncated/);
  // __proto__ is an own property, not the prototype.
  const u8 = ours(JSON.parse('{"__proto__": {"polluted": 1}}'));
  const r = readValue(u8, 0, u8.length).value;
  if (Object.getPrototypeOf(r) !== Object.prototype || !Object.hasOwn(r, '__proto__')) bad('__proto__');
});

const RX = /^v8wire: .* at byte \d+$/s;
function mustFailClean(u8, end, what, bad) {
  const t0 = performance.now();
  try {
    const r = readValue(u8, 0, end, () => new Blob([]));
    if (!(r.end <= end)) bad(`${what}: end ${r.end} past ${end}`);
    return true;
  } catch (e) {
    if (!(e instanceof Error) || !RX.test(e.message)) bad(`${what}: ${e && e.name}: ${e && e.message}`);
    return false;
  } finally {
    if (performance.now() - t0 > 2000) bad(`${what}: took ${performance.now() - t0} ms`);
  }
}

check('truncation at every offset fails with "at byte"', (bad) => {
  let cuts = 0;
  const samples = [...oursBytes.slice(0, 40), ...theirBytes.slice(0, 40)].filter((b) => b.length < 4000);
  samples.push(ours({ a: [1, 'é€', new Date(0), new Map([[1n, new Set([/x/g])]])], b: new Float64Array([1, 2]), c: new RangeError('m', { cause: [] }) }));
  for (const u8 of samples) {
    for (let k = 0; k < u8.length; k++, cuts++) {
      // The one prefix that is a whole value: an ArrayBuffer cut before its view's 'V'.
      let q = k;
      while (u8[q] === 0) q++;
      if (mustFailClean(u8, k, `cut at ${k} of ${hex(u8, 120)}`, bad) && u8[q] !== 0x56) bad(`cut at ${k} of ${hex(u8, 120)}: a prefix read as a whole value`);
    }
  }
  return `${cuts} cuts`;
});

check('random byte changes: a value or an Error "at byte", quickly', (bad) => {
  let n = 0;
  for (let i = 0; i < 3000; i++) {
    const src = pick(i & 1 ? oursBytes : theirBytes);
    if (!src.length) continue;
    const u8 = src.slice();
    for (let j = 1 + ri(4); j > 0; j--) u8[ri(u8.length)] = rnd() < 0.5 ? ri(256) : pick([0, 0xff, 0x80, 0x7f, 0x5e, 0x41, 0x61, 0x22, 0x63, 0x56]);
    mustFailClean(u8, u8.length, `flipped ${hex(u8, 120)}`, bad);
    n++;
  }
  return `${n} inputs`;
});

check('absurd lengths and nesting fail before allocating, without hanging', (bad) => {
  const cases = [
    'ff0f22ffffffff0f', 'ff0f63feffffff0f00', 'ff0f53ffffffff0f', 'ff0f41ffffffff0f',
    'ff0f42ffffffff0f', 'ff0f7effffffff0fffffffff0f', 'ff0f5affffffff0f', 'ff0f5cffffffff0f',
    'ff0f5c4cffffffff0f', 'ff0f5c62ffffffff0f', 'ff0f5effffffff0f', 'ff0f7a3f', 'ff0f61ffffffff0f',
    'ff10427f7f7f7f7f7f7f7f7f01', 'ff0f' + '41ffffff0f'.repeat(3),
  ];
  for (const h of cases) {
    const u8 = Buffer.from(h, 'hex');
    if (mustFailClean(u8, u8.length, h, bad)) bad(`${h}: accepted`);
  }
  for (const unit of ['6f', '4101', '61ff01', '3b', '27', '7263', '5c']) { // 200000 levels
    const u8 = Buffer.from('ff0f' + unit.repeat(200000), 'hex');
    if (mustFailClean(u8, u8.length, `nesting of ${unit}`, bad)) bad(`nesting of ${unit}: accepted`);
  }
  // Deep but sound: 1000 levels, the C decoder's default limit (V8's own serializer runs out
  // of stack at about 3000, V8Writer at about 2000).
  for (const wrap of [(d) => [d], (d) => ({ d }), (d) => new Map([['k', d]])]) {
    let deep = 0;
    for (let i = 0; i < 1000; i++) deep = wrap(deep);
    try { same(v8read(v8bytes(deep)), readValue(ours(deep), 0).value); } catch (e) { bad(`deep value: ${e.message}`); }
  }
});

if (failedAny) process.exitCode = 1;
