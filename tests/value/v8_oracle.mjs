// v8_oracle.mjs — V8 itself as the oracle for idbpq's V8 codec.
//
// A seeded generator makes random structured-clonable values (every type V8 serializes
// natively: primitives with -0/NaN/BigInt, strings with lone surrogates and non-Latin-1, Dates
// incl. invalid, RegExps with flags, boxed primitives, objects with integer-like keys, dense and
// sparse arrays with holes and extra properties, Map, Set, (resizable) ArrayBuffers, every typed
// array and DataView incl. several views of one buffer, Errors with message/stack/cause, deep
// nesting, cycles and shared references). Each is serialized by `new v8.Serializer()`; the C
// driver (v8_roundtrip) decodes and re-encodes; `new v8.Deserializer()` on idbpq's bytes must
// give a value deep-equal to the original (sharing, cycles, NaN, -0, holes, key order), and
// idbpq's bytes must equal V8's, except where V8 itself is not canonical (it writes a number
// as 'N' or 'I' by its heap representation; both bytes are then compared as token streams).
//
// Usage: node v8_oracle.mjs DRIVER [COUNT] [SEED]. Prints TAP lines; exit 1 on a mismatch.
import v8 from 'node:v8';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const driver = process.argv[2];
const COUNT = +(process.argv[3] || 3000);
const SEED = BigInt(process.argv[4] || Date.now());

// ---- seeded random -------------------------------------------------------------------------
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

// ---- generator -----------------------------------------------------------------------------
const NUMS = [0, -0, 1, -1, 42, 2 ** 30, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32, 2 ** 53,
  0.5, -1.25, 1e300, 5e-324, NaN, Infinity, -Infinity, Math.PI];
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
  if (rnd() < 0.3) b = BigInt(ri(100));
  return rnd() < 0.4 ? -b : b;
}
function str() {
  const n = ri(12);
  let s = '';
  const kind = ri(5);
  for (let i = 0; i < n; i++) {
    if (kind === 0) s += String.fromCharCode(97 + ri(26));
    else if (kind === 1) s += String.fromCharCode(ri(256));
    else if (kind === 2) s += pick(['é', 'ü', '中', '文', '😀', 'ß', 'Ω', 'a']);
    else if (kind === 3) s += String.fromCharCode(pick([0xd800, 0xdc00, 0xdbff, 0x41, 0xe9, 0x2603]));
    else s += pick(['id', 'name', 'x', '0', '12', '']);
  }
  return s;
}
const TA = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
  Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array];

function leaf() {
  switch (ri(14)) {
    case 0: return undefined;
    case 1: return null;
    case 2: return rnd() < 0.5;
    case 3: case 4: return num();
    case 5: return big();
    case 6: case 7: return str();
    case 8: return new Date(rnd() < 0.2 ? NaN : Math.floor((rnd() - 0.3) * 4e12));
    case 9: {
      const flags = ['', 'g', 'i', 'gim', 'sy', 'u', 'd', 'v', 'gimsuyd'];
      return new RegExp(pick(['a+b', '^x$', '[0-9]{2,}', '\\d', '', 'é|中']), pick(flags));
    }
    case 10: return pick([() => new Boolean(rnd() < 0.5), () => new Number(num()),
      () => new String(str()), () => Object(big())])();
    case 11: {
      const ab = new ArrayBuffer(ri(24));
      new Uint8Array(ab).forEach((_, i, a) => { a[i] = ri(256); });
      return ab;
    }
    case 12: return view();
    default: return str();
  }
}
function view() {
  const resizable = rnd() < 0.2;
  const len = 8 * (1 + ri(4));
  const ab = resizable ? new ArrayBuffer(len, { maxByteLength: len * 2 }) : new ArrayBuffer(len);
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
  if (depth <= 0 || rnd() < 0.35) return leaf();
  let v;
  switch (ri(9)) {
    case 0: case 1: {
      v = {};
      pool.push(v);
      const n = ri(6);
      for (let i = 0; i < n; i++) {
        const k = rnd() < 0.25 ? String(ri(20)) : pick(['id', 'name', 'a', 'b', 'é', '中', str()]);
        v[k] = gen(depth - 1, pool);
      }
      break;
    }
    case 2: case 3: {
      const n = ri(6);
      v = [];
      pool.push(v);
      for (let i = 0; i < n; i++) v.push(gen(depth - 1, pool));
      if (rnd() < 0.25) delete v[ri(n + 1)];           // a hole
      if (rnd() < 0.15) v[n + ri(50)] = gen(depth - 1, pool); // sparse tail
      if (rnd() < 0.15) v.extra = gen(depth - 1, pool);
      if (rnd() < 0.05) { v.length = 1000 + ri(5); }
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
    case 6: { // several views of one buffer
      const ab = new ArrayBuffer(16);
      new Uint8Array(ab).forEach((_, i, a) => { a[i] = ri(256); });
      v = [new Uint8Array(ab), new Int16Array(ab, 2, 3), new DataView(ab, 4), ab];
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
      break;
    }
    default: v = leaf();
  }
  return v;
}

// ---- deep equality with sharing --------------------------------------------------------------
function deepEqual(a, b, seen = new Map(), where = '$') {
  const fail = (why) => { throw new Error(`${where}: ${why}`); };
  if (typeof a !== typeof b) fail(`type ${typeof a} vs ${typeof b}`);
  if (a === null || typeof a !== 'object') {
    if (!Object.is(a, b)) fail(`${String(a)} vs ${String(b)}`);
    return;
  }
  if (b === null) fail('null');
  if (seen.has(a)) { if (seen.get(a) !== b) fail('sharing differs'); return; }
  seen.set(a, b);
  const ta = Object.prototype.toString.call(a), tb = Object.prototype.toString.call(b);
  if (ta !== tb) fail(`${ta} vs ${tb}`);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) fail('prototype');
  if (a instanceof Date) { if (!Object.is(a.getTime(), b.getTime())) fail('date'); return; }
  if (a instanceof RegExp) { if (a.source !== b.source || a.flags !== b.flags) fail('regexp'); return; }
  if (a instanceof Boolean || a instanceof Number || a instanceof String || ta === '[object BigInt]') {
    if (!Object.is(a.valueOf(), b.valueOf())) fail('boxed'); return;
  }
  if (a instanceof ArrayBuffer) {
    if (a.byteLength !== b.byteLength || a.resizable !== b.resizable || a.maxByteLength !== b.maxByteLength) fail('buffer shape');
    if (Buffer.compare(Buffer.from(a), Buffer.from(b))) fail('buffer bytes');
    return;
  }
  if (ArrayBuffer.isView(a)) {
    if (a.byteOffset !== b.byteOffset || a.byteLength !== b.byteLength) fail('view shape');
    deepEqual(a.buffer, b.buffer, seen, where + '.buffer');
    return;
  }
  if (a instanceof Error) {
    for (const k of ['name', 'message', 'stack']) {
      if (Object.hasOwn(a, k) !== Object.hasOwn(b, k) && k !== 'name') fail(`error ${k} presence`);
      if (a[k] !== b[k]) fail(`error ${k}: ${a[k]} vs ${b[k]}`);
    }
    if (Object.hasOwn(a, 'cause') !== Object.hasOwn(b, 'cause')) fail('cause presence');
    if (Object.hasOwn(a, 'cause')) deepEqual(a.cause, b.cause, seen, where + '.cause');
    return;
  }
  if (a instanceof Map) {
    const ea = [...a], eb = [...b];
    if (ea.length !== eb.length) fail('map size');
    ea.forEach(([k, v], i) => { deepEqual(k, eb[i][0], seen, `${where}<k${i}>`); deepEqual(v, eb[i][1], seen, `${where}<v${i}>`); });
    return;
  }
  if (a instanceof Set) {
    const ea = [...a], eb = [...b];
    if (ea.length !== eb.length) fail('set size');
    ea.forEach((v, i) => deepEqual(v, eb[i], seen, `${where}{${i}}`));
    return;
  }
  if (Array.isArray(a) && a.length !== b.length) fail(`length ${a.length} vs ${b.length}`);
  const ka = Reflect.ownKeys(a), kb = Reflect.ownKeys(b);
  if (ka.join('\u0001') !== kb.join('\u0001')) fail(`keys [${ka}] vs [${kb}]`);
  for (const k of ka) deepEqual(a[k], b[k], seen, `${where}.${String(k)}`);
}

// ---- token streams, for V8's non-canonical number choices ---------------------------------------
function tokens(buf) {
  let p = 0;
  const out = [];
  const byte = () => buf[p++];
  const varint = () => { let v = 0, s = 0, c; do { c = buf[p++]; v += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80); return v; };
  const tag = () => { while (buf[p] === 0) p++; return buf[p++]; };
  const peek = () => { let q = p; while (buf[q] === 0) q++; return buf[q]; };
  const dbl = () => { const d = buf.readDoubleLE(p); p += 8; return d; };
  const bytes = (n) => { const s = buf.subarray(p, p + n).toString('hex'); p += n; return s; };
  function value() {
    const t = tag();
    const c = String.fromCharCode(t);
    switch (c) {
      case 'I': { const z = varint(); out.push('#' + String(z % 2 ? -(z + 1) / 2 : z / 2)); return; }
      case 'U': out.push('#' + varint()); return;
      case 'N': { const d = dbl(); out.push('#' + (Object.is(d, -0) ? '-0' : String(d))); return; }
      case '"': case 'c': case 'S': { const n = varint(); out.push(c + bytes(n)); return; }
      case 'Z': case 'z': { const bf = varint(); out.push(c + bf + bytes(Math.floor(bf / 2))); return; }
      case 'D': case 'n': out.push(c + dbl()); return;
      case 'B': { const n = varint(); out.push(c + bytes(n)); break; }
      case '~': { const n = varint(), m = varint(); out.push(c + m + bytes(n)); break; }
      case 'R': out.push(c); value(); out.push('f' + varint()); return;
      case 's': out.push(c); value(); return;
      case '^': out.push(c + varint()); break;
      case 'o': case ';': case "'": out.push(c); while (!'{:,'.includes(String.fromCharCode(peek()))) value(); out.push(String.fromCharCode(tag()) + varint()); return;
      case 'a': case 'A': {
        const n = varint(); out.push(c + n);
        if (c === 'A') for (let i = 0; i < n; i++) { if (peek() === 0x2d) { tag(); out.push('-'); } else value(); }
        while (!'@$'.includes(String.fromCharCode(peek()))) value();
        out.push(String.fromCharCode(tag()) + varint() + ',' + varint()); return;
      }
      case 'r': out.push(c); for (;;) { const s = String.fromCharCode(byte()); out.push('r' + s); if (s === '.') return; if (s === 'm' || s === 's' || s === 'c') value(); }
      default: out.push(c); return;
    }
    if (peek() === 0x56) { tag(); out.push('V' + [byte(), varint(), varint(), varint()].join(',')); }
  }
  tag(); varint();
  value();
  return out.join(' ');
}

// ---- run -------------------------------------------------------------------------------------
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'v8o-'));
const values = [], inputs = [];
for (let i = 0; i < COUNT; i++) {
  const v = gen(1 + ri(5), []);
  const s = new v8.Serializer();
  s.writeHeader();
  s.writeValue(v);
  const bytes = s.releaseBuffer();
  values.push(v);
  inputs.push(bytes);
}
const inFile = path.join(tmp, 'in.bin'), outFile = path.join(tmp, 'out.bin');
fs.writeFileSync(inFile, Buffer.concat(inputs.flatMap((b) => {
  const h = Buffer.alloc(4); h.writeUInt32LE(b.length); return [h, b];
})));
execFileSync(driver, [inFile, outFile], { stdio: ['ignore', 'ignore', 'inherit'] });
const res = fs.readFileSync(outFile);
let p = 0, identical = 0, numberOnly = 0, bad = 0;
const failures = [];
for (let i = 0; i < COUNT; i++) {
  const st = res[p], eq = res[p + 1], len = res.readUInt32LE(p + 2);
  const body = res.subarray(p + 6, p + 6 + len);
  p += 6 + len;
  const report = (why) => { bad++; if (failures.length < 10) failures.push(`#${i}: ${why}\n#   input ${inputs[i].toString('hex').slice(0, 400)}`); };
  if (st !== 0) { report(`decode/encode failed: ${body.toString()}`); continue; }
  if (!eq) { report('idbpq: decode(encode(v)) != v'); }
  let back;
  try {
    const d = new v8.Deserializer(body);
    d.readHeader();
    back = d.readValue();
  } catch (e) { report(`V8 cannot read idbpq's bytes: ${e.message}\n#   ours ${body.toString('hex').slice(0, 400)}`); continue; }
  // V8's own reading of its own bytes is the reference: a value does not always survive V8's
  // round trip unchanged (an Error without a stack gets one), and ours must match V8's.
  const ref = (() => { const d = new v8.Deserializer(inputs[i]); d.readHeader(); return d.readValue(); })();
  try { deepEqual(ref, back); } catch (e) { report(`not deep-equal: ${e.message}`); continue; }
  if (Buffer.compare(body, inputs[i]) === 0) identical++;
  else {
    let same = false;
    try { same = tokens(body) === tokens(inputs[i]); } catch { same = false; }
    if (same) numberOnly++;
    else report(`bytes differ beyond number encoding\n#   ours ${body.toString('hex').slice(0, 400)}`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
const summary = `${COUNT} values (seed ${SEED}): ${identical} byte-identical, ${numberOnly} differing only in V8's I/N number choice, ${bad} mismatches`;
if (bad) {
  console.log(`not ok - v8 oracle: ${summary}`);
  for (const f of failures) console.log(`#   ${f}`);
  console.log(`#   rerun: node tests/value/v8_oracle.mjs ${driver} ${COUNT} ${SEED}`);
  process.exit(1);
}
console.log(`ok - v8 oracle: ${summary}`);
