// oracle.mjs — checks `idbpq value` against Node's own V8 serializer, independently of the C
// code. A seeded generator makes random structured-clonable JS values (every type Node's
// v8.Serializer writes natively, deep nesting, sparse arrays, shared and cyclic references);
// Node serializes each one; then
//   1. `idbpq value --from v8 --to json` prints tagged JSON, which the small reader below
//      (written from docs/tagged-json.md and docs/value-model.md) turns back into a JS value;
//   2. that text goes through `idbpq value --from json --to v8`, and Node deserializes it.
// Both results must equal the original under a deep equality that also demands the same
// sharing and cycle structure (util.isDeepStrictEqual ignores identity).
// Usage: node oracle.mjs IDBPQ SEED COUNT TMPDIR. Prints "ok - value ..." / "not ok - value
// ...: why" lines, with the seed and value number on failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';

const [idbpq, seedArg, countArg, tmp] = process.argv.slice(2);
const SEED = Number(seedArg) >>> 0, COUNT = Number(countArg);

// ---- seeded generator ------------------------------------------------------------------
function mulberry32(a) {
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nodeRoundTrips(make, check) {
  try { return check(v8.deserialize(v8.serialize(make()))); } catch { return false; }
}
const HAVE_CAUSE = nodeRoundTrips(() => new Error('x', { cause: 1 }), (e) => e.cause === 1);
const HAVE_RESIZABLE = typeof ArrayBuffer.prototype.resize === 'function' &&
  nodeRoundTrips(() => new ArrayBuffer(4, { maxByteLength: 8 }), (b) => b.resizable && b.maxByteLength === 8);

const VIEWS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
  Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView];
const ERRORS = [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError];

function makeGen(seed) {
  const r = mulberry32(seed);
  const int = (n) => Math.floor(r() * n);
  const pool = [], buffers = [];
  const str = () => {
    const n = int(8), kind = int(3);
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = int(10);
      if (kind === 0 || c < 5) s += String.fromCharCode(0x20 + int(0x5f));
      else if (c < 7) s += String.fromCharCode(int(0x100));
      else if (c < 8) s += String.fromCharCode(0xd800 + int(0x800)); // surrogates, paired or lone
      else s += String.fromCharCode(int(0x10000));
    }
    return s;
  };
  const num = () => {
    switch (int(8)) {
      case 0: return -0;
      case 1: return NaN;
      case 2: return r() < 0.5 ? Infinity : -Infinity;
      case 3: return int(2 ** 31) - 2 ** 30;
      case 4: return 5e-324 * int(4);
      default: {
        const b = new DataView(new ArrayBuffer(8));
        b.setUint32(0, int(2 ** 32)); b.setUint32(4, int(2 ** 32));
        const d = b.getFloat64(0);
        return Number.isNaN(d) ? 0.25 : d;
      }
    }
  };
  const big = () => {
    let x = 0n;
    const n = int(4);
    for (let i = 0; i < n; i++) x = (x << 64n) | BigInt(int(2 ** 32)) << 32n | BigInt(int(2 ** 32));
    return r() < 0.5 ? -x : x;
  };
  const prim = () => {
    switch (int(7)) {
      case 0: return undefined;
      case 1: return null;
      case 2: return r() < 0.5;
      case 3: case 4: return num();
      case 5: return big();
      default: return str();
    }
  };
  const buffer = () => {
    const n = int(5) * 8;
    const b = HAVE_RESIZABLE && int(5) === 0 ? new ArrayBuffer(n, { maxByteLength: n + int(64) }) : new ArrayBuffer(n);
    const u = new Uint8Array(b);
    for (let i = 0; i < n; i++) u[i] = int(256);
    buffers.push(b);
    return b;
  };
  const key = (i) => { const k = int(5); return k === 0 ? String(i * 7) : k === 1 ? '$k' + i : 'k' + i; };
  const value = (depth) => (depth > 5 || int(3) === 0 ? prim() : obj(depth));
  const obj = (depth) => {
    let v;
    switch (int(15)) {
      case 0: case 1: {
        v = {}; pool.push(v);
        const n = int(5);
        for (let i = 0; i < n; i++) v[key(i)] = value(depth + 1);
        return v;
      }
      case 2: case 3: {
        v = []; pool.push(v);
        const style = int(4), n = int(6);
        if (style === 3) { v.length = 1000 + int(2 ** 20); for (let i = 0; i < n; i++) v[i * 100 + int(100)] = value(depth + 1); }
        else for (let i = 0; i < n; i++) { if (style === 1 && int(3) === 0) v.length = i + 1; else v[i] = value(depth + 1); }
        if (style === 2 || style === 3) v.extra = value(depth + 1);
        return v;
      }
      case 4: v = new Date(int(5) ? int(2 ** 40) : NaN); break;
      case 5: {
        const flags = ['', 'g', 'i', 'm', 's', 'y', 'u', 'd', 'gimsuyd', 'v', 'gv'][int(11)];
        v = new RegExp(['a+b', '[x-z]*', '\\d{2,3}', '', '(?:é|€)'][int(5)], flags);
        break;
      }
      case 6: { let p; do p = prim(); while (p === undefined || p === null); v = Object(p); break; }
      case 7: { v = new Map(); pool.push(v); const n = int(4); for (let i = 0; i < n; i++) v.set(value(depth + 1), value(depth + 1)); return v; }
      case 8: { v = new Set(); pool.push(v); const n = int(4); for (let i = 0; i < n; i++) v.add(value(depth + 1)); return v; }
      case 9: v = buffer(); break;
      case 10: {
        const C = VIEWS[int(VIEWS.length)];
        const b = buffers.length && int(2) ? buffers[int(buffers.length)] : buffer();
        const es = C === DataView ? 1 : C.BYTES_PER_ELEMENT, units = Math.floor(b.byteLength / es);
        const off = int(units + 1), len = int(units - off + 1);
        v = C === DataView ? new DataView(b, off * es, len) : new C(b, off * es, len);
        break;
      }
      case 11: {
        const C = ERRORS[int(ERRORS.length)];
        v = int(3) ? new C(str()) : new C();
        pool.push(v);
        if (int(2)) v.stack = str(); // V8 keeps any string stack
        if (HAVE_CAUSE && int(2)) v.cause = value(depth + 1);
        return v;
      }
      default:
        if (pool.length) return pool[int(pool.length)];
        return prim();
    }
    pool.push(v);
    return v;
  };
  return () => value(0);
}

// ---- an independent reader of tagged JSON -----------------------------------------------
const CTORS = Object.fromEntries([...VIEWS, Float16ArrayIfAny()].filter(Boolean).map((c) => [c.name, c]));
function Float16ArrayIfAny() { return globalThis.Float16Array; }
function b64(s) { const b = Buffer.from(s, 'base64'); return new Uint8Array(b.buffer, b.byteOffset, b.length); }
function specialNumber(s) { return { '-0': -0, NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }[s]; }
function num(j) { return typeof j === 'number' ? j : specialNumber(j.$number); }

function readTagged(text) {
  const refs = [];
  const def = (o, k, v) => Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  const rd = (j) => {
    if (j === null || typeof j !== 'object') return j;
    if (Array.isArray(j)) { const a = []; refs.push(a); for (const x of j) a.push(rd(x)); return a; }
    const keys = Object.keys(j);
    if (!keys.length || !keys[0].startsWith('$')) {
      const o = {}; refs.push(o);
      for (const k of keys) def(o, k, rd(j[k]));
      return o;
    }
    switch (keys[0]) {
      case '$ref': if (!(j.$ref < refs.length)) throw new Error('bad $ref'); return refs[j.$ref];
      case '$number': return specialNumber(j.$number);
      case '$undefined': return undefined;
      case '$bigint': return BigInt(j.$bigint);
      case '$date': { const d = new Date(j.$date === null ? NaN : num(j.$date)); refs.push(d); return d; }
      case '$regexp': { const x = new RegExp(j.$regexp, j.$flags); refs.push(x); return x; }
      case '$binary': {
        const bytes = b64(j.$binary);
        const b = j.$maxByteLength !== undefined ? new ArrayBuffer(bytes.length, { maxByteLength: j.$maxByteLength }) : new ArrayBuffer(bytes.length);
        new Uint8Array(b).set(bytes);
        const v = j.$type === 'ArrayBuffer' ? b : j.$type === 'DataView' ? new DataView(b) : new CTORS[j.$type](b);
        refs.push(v);
        return v;
      }
      case '$view': {
        const i = refs.length; refs.push(null);
        const C = CTORS[j.$view], b = rd(j.$buffer);
        const es = C === DataView ? 1 : C.BYTES_PER_ELEMENT, tracking = (j.$flags ?? 0) & 1;
        const v = tracking ? new C(b, j.$offset) : new C(b, j.$offset, j.$length / es);
        refs[i] = v;
        return v;
      }
      case '$map': { const m = new Map(); refs.push(m); for (const [k, v] of j.$map) { const kk = rd(k); m.set(kk, rd(v)); } return m; }
      case '$set': { const s = new Set(); refs.push(s); for (const v of j.$set) s.add(rd(v)); return s; }
      case '$boxed': { const i = refs.length; refs.push(null); const b = Object(rd(j.$boxed)); refs[i] = b; return b; }
      case '$error': {
        const e = j.$error, C = ERRORS.find((c) => c.name === e.name);
        const x = 'message' in e ? new C(e.message) : new C();
        refs.push(x);
        if ('stack' in e) Object.defineProperty(x, 'stack', { value: e.stack, writable: true, configurable: true, enumerable: false });
        else delete x.stack;
        if ('cause' in e) Object.defineProperty(x, 'cause', { value: rd(e.cause), writable: true, configurable: true, enumerable: false });
        return x;
      }
      case '$array': {
        const a = new Array(j.$array.length); refs.push(a);
        for (const [k, v] of Object.entries(j.$array.items)) a[k] = rd(v);
        for (const [k, v] of Object.entries(j.$array.props ?? {})) def(a, k, rd(v));
        return a;
      }
      case '$object': { const o = {}; refs.push(o); for (const [k, v] of Object.entries(j.$object)) def(o, k, rd(v)); return o; }
      default: throw new Error('unknown tag ' + keys[0]);
    }
  };
  return rd(JSON.parse(text));
}

// ---- deep equality with identity -------------------------------------------------------
function deepEqual(a, b) {
  const ma = new Map(), mb = new Map();
  const where = [];
  const fail = (why) => { throw new Error(`${why} at ${where.join('') || '(root)'}`); };
  const eq = (x, y) => {
    if (typeof x !== typeof y) fail(`type ${typeof x} vs ${typeof y}`);
    if (x === null || (typeof x !== 'object' && typeof x !== 'function')) {
      if (!Object.is(x, y)) fail(`${String(x)} vs ${String(y)}`);
      return;
    }
    if (y === null) fail('object vs null');
    if (ma.has(x) || mb.has(y)) {
      if (ma.get(x) !== y || mb.get(y) !== x) fail('sharing/cycle structure differs');
      return;
    }
    ma.set(x, y); mb.set(y, x);
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) fail(`prototype ${x.constructor?.name} vs ${y.constructor?.name}`);
    const tag = Object.prototype.toString.call(x);
    if (x instanceof Date) { if (!Object.is(x.getTime(), y.getTime())) fail('date'); return; }
    if (x instanceof RegExp) { if (x.source !== y.source || x.flags !== y.flags) fail('regexp'); return; }
    if (['[object Number]', '[object String]', '[object Boolean]', '[object BigInt]'].includes(tag)) {
      if (!Object.is(x.valueOf(), y.valueOf())) fail('boxed'); return;
    }
    if (x instanceof ArrayBuffer) {
      if (x.byteLength !== y.byteLength || x.resizable !== y.resizable || x.maxByteLength !== y.maxByteLength) fail('buffer shape');
      if (Buffer.compare(Buffer.from(x), Buffer.from(y))) fail('buffer bytes');
      return;
    }
    if (ArrayBuffer.isView(x)) {
      if (x.byteOffset !== y.byteOffset || x.byteLength !== y.byteLength) fail('view window');
      where.push('.buffer'); eq(x.buffer, y.buffer); where.pop();
      return;
    }
    if (x instanceof Error) {
      for (const k of ['message', 'stack', 'cause']) {
        const hx = Object.hasOwn(x, k), hy = Object.hasOwn(y, k);
        if (hx !== hy) fail(`error ${k} presence`);
        if (hx) { where.push('.' + k); eq(x[k], y[k]); where.pop(); }
      }
      return;
    }
    if (x instanceof Map || x instanceof Set) {
      if (x.size !== y.size) fail('size');
      const ex = [...x.entries()], ey = [...y.entries()];
      for (let i = 0; i < ex.length; i++) { where.push(`<${i}>`); eq(ex[i][0], ey[i][0]); eq(ex[i][1], ey[i][1]); where.pop(); }
      return;
    }
    if (Array.isArray(x) && x.length !== y.length) fail(`length ${x.length} vs ${y.length}`);
    const kx = Reflect.ownKeys(x), ky = Reflect.ownKeys(y);
    if (kx.join('\u0000') !== ky.join('\u0000')) fail(`keys [${kx}] vs [${ky}]`);
    for (const k of kx) { where.push(`[${JSON.stringify(k)}]`); eq(x[k], y[k]); where.pop(); }
  };
  eq(a, b);
}

// ---- run -------------------------------------------------------------------------------
function run(args, input) {
  const r = spawnSync(idbpq, ['value', ...args], { input, maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return r;
}

// Values V8 cannot read back itself (an Error whose cause reaches the error: V8 numbers the
// error only after reading its cause) are regenerated: they are no test of idbpq.
function serializeReadable(v) {
  const s = new v8.Serializer();
  s.writeHeader();
  s.writeValue(v);
  const bytes = s.releaseBuffer();
  try { v8.deserialize(bytes); return bytes; } catch { return null; }
}

const results = { tojson: [0, []], fromjson: [0, []] };
let regenerated = 0;
for (let i = 0; i < COUNT; i++) {
  let v, bytes = null;
  for (let attempt = 0; !bytes; attempt++) {
    v = makeGen((SEED * 1000003 + i + attempt * 7777777) >>> 0)();
    bytes = serializeReadable(v);
    if (!bytes) regenerated++;
  }
  const file = path.join(tmp, `v${i}.bin`);
  fs.writeFileSync(file, bytes);
  const note = (dir, why) => { if (results[dir][1].length < 5) results[dir][1].push(`seed ${SEED} value ${i} (${file}): ${why}`); };
  const r1 = run(['--from', 'v8', '--to', 'json', file]);
  if (r1.status !== 0) { note('tojson', `exit ${r1.status}: ${r1.stderr}`); continue; }
  const text = r1.stdout.toString('utf8');
  try { deepEqual(v, readTagged(text)); results.tojson[0]++; } catch (e) { note('tojson', `${e.message}; text ${text.slice(0, 300)}`); }
  const r2 = run(['--from', 'json', '--to', 'v8'], text);
  if (r2.status !== 0) { note('fromjson', `exit ${r2.status}: ${r2.stderr}`); continue; }
  try {
    const d = new v8.Deserializer(r2.stdout);
    d.readHeader();
    deepEqual(v, d.readValue());
    results.fromjson[0]++;
  } catch (e) { note('fromjson', `${e.message}; text ${text.slice(0, 300)}`); }
}
for (const [name, [passed, fails]] of Object.entries(results)) {
  if (!fails.length && passed === COUNT) console.log(`ok - value oracle ${name === 'tojson' ? 'v8->json' : 'json->v8'} (${passed} random values, seed ${SEED})`);
  else console.log(`not ok - value oracle ${name === 'tojson' ? 'v8->json' : 'json->v8'}: ${COUNT - passed} of ${COUNT} differ; ${fails.join(' | ')}`);
}
console.log(`# value oracle: cause ${HAVE_CAUSE ? 'on' : 'off'}, resizable buffers ${HAVE_RESIZABLE ? 'on' : 'off'}, ${regenerated} values V8 cannot read back were regenerated`);
