// page.js — runs inside headless Chromium (served by values_oracle.mjs). Two entry points:
//   runValues(seed, n)   stores seeded random structured-clonable values in IndexedDB
//                        (database "values": store 1 keyPath "id", store 2 out-of-line keys,
//                        store 3 autoIncrement with keyPath "id"), reads every record back and
//                        returns one line per record: {"store":S,"key":<tagged>,"value":<tagged>}
//   runKeyPaths(seed, n) puts n seeded (value, keyPath) cases into stores with that key path
//                        (database "keypaths", one store per case) and returns one line per case:
//                        s|a <TAB> count <TAB> path... <TAB> <tagged value> <TAB> key:<tagged>|error:<name>
// The tagged JSON printer here follows ../shared/docs/tagged-json.md and docs/value-model.md on
// its own; it shares nothing with the C printer.
'use strict';

function rng(a) { // mulberry32
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/* ---- tagged JSON printer ------------------------------------------------------------------ */

const ctag = (v) => Object.prototype.toString.call(v).slice(8, -1);
const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const isObj = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';
const VIEWS = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array',
  'BigUint64Array', 'DataView'];
const ERRORS = ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError',
  'URIError'];

function b64(u8) {
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
  return btoa(s);
}
function num(n) {
  if (Object.is(n, -0)) return '{"$number":"-0"}';
  if (Number.isNaN(n)) return '{"$number":"NaN"}';
  if (n === Infinity) return '{"$number":"Infinity"}';
  if (n === -Infinity) return '{"$number":"-Infinity"}';
  return String(n);
}
const str = (s) => JSON.stringify(s); // escapes as the spec says: controls, '"', '\\', lone surrogates

function kindOf(v) {
  const t = ctag(v);
  if (ArrayBuffer.isView(v)) return 'view';
  if (t === 'Number' || t === 'String' || t === 'Boolean' || t === 'BigInt') return 'boxed';
  return t; // Object Array Date RegExp Map Set ArrayBuffer Error Blob File FileList
}
// Canonical array index: "0", "17", ... below 2^32 - 1.
const isIndex = (k) => /^(0|[1-9][0-9]*)$/.test(k) && Number(k) < 4294967295;

function children(v) {
  switch (kindOf(v)) {
    case 'view': return [v.buffer];
    case 'Map': { const out = []; for (const [k, x] of v) out.push(k, x); return out; }
    case 'Set': return [...v];
    case 'Error': return hasOwn(v, 'cause') ? [v.cause] : [];
    case 'FileList': return [...v];
    case 'Object': case 'Array': return Object.keys(v).map((k) => v[k]);
    default: return [];
  }
}

// Contents of every Blob/File reachable from the values (asynchronous, so done before printing).
async function readBlobs(values) {
  const data = new Map(), seen = new Set();
  const walk = (v) => {
    if (!isObj(v) || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Blob) data.set(v, null);
    children(v).forEach(walk);
  };
  values.forEach(walk);
  for (const b of data.keys()) data.set(b, new Uint8Array(await b.arrayBuffer()));
  return data;
}

// Is a view length-tracking? Grow its resizable buffer by 8 bytes and watch the view's length.
function viewFlags(v) {
  const b = v.buffer;
  if (!b.resizable) return 0;
  let flags = 2;
  const old = b.byteLength, len = v.byteLength;
  if (old + 8 <= b.maxByteLength) {
    b.resize(old + 8);
    if (v.byteLength !== len) flags |= 1;
    b.resize(old);
  }
  return flags;
}

function tjson(root, blobs) {
  const bufIn = new Map(), seen = new Set(), refs = new Map();
  let next = 0;
  const countEdge = (c) => {
    if (!isObj(c)) return;
    if (c instanceof ArrayBuffer) { bufIn.set(c, (bufIn.get(c) || 0) + 1); return; }
    if (seen.has(c)) return;
    seen.add(c);
    children(c).forEach(countEdge);
  };
  countEdge(root);
  const props = (o, keys) => '{' + keys.map((k) => str(k) + ':' + p(o[k])).join(',') + '}';
  function blob(v) {
    const file = v instanceof File, parts = [];
    if (file) parts.push('"name":' + str(v.name));
    parts.push('"type":' + str(v.type), '"size":' + v.size);
    if (file) parts.push('"lastModified":' + num(v.lastModified));
    const d = blobs && blobs.get(v);
    if (d) parts.push('"data":' + str(b64(d)));
    return (file ? '{"$file":{' : '{"$blob":{') + parts.join(',') + '}}';
  }
  function p(v) {
    switch (typeof v) {
      case 'undefined': return '{"$undefined":true}';
      case 'boolean': return v ? 'true' : 'false';
      case 'number': return num(v);
      case 'bigint': return '{"$bigint":"' + String(v) + '"}';
      case 'string': return str(v);
    }
    if (v === null) return 'null';
    if (refs.has(v)) return '{"$ref":' + refs.get(v) + '}';
    refs.set(v, next++);
    const k = kindOf(v);
    switch (k) {
      case 'Object': {
        const keys = Object.keys(v), text = props(v, keys);
        return keys.some((x) => x[0] === '$') ? '{"$object":' + text + '}' : text;
      }
      case 'Array': {
        const keys = Object.keys(v), items = keys.filter(isIndex), extra = keys.filter((x) => !isIndex(x));
        if (items.length === v.length && !extra.length) return '[' + items.map((x) => p(v[x])).join(',') + ']';
        let s = '{"$array":{"length":' + v.length + ',"items":' + props(v, items);
        if (extra.length) s += ',"props":' + props(v, extra);
        return s + '}}';
      }
      case 'Date': { const t = v.getTime(); return '{"$date":' + (Number.isNaN(t) ? 'null' : num(t)) + '}'; }
      case 'RegExp': {
        const order = 'dgilmsuvy', f = [...v.flags].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join('');
        return '{"$regexp":' + str(v.source) + ',"$flags":' + str(f) + '}';
      }
      case 'boxed': return '{"$boxed":' + p(v.valueOf()) + '}';
      case 'Map': return '{"$map":[' + [...v].map(([a, b]) => '[' + p(a) + ',' + p(b) + ']').join(',') + ']}';
      case 'Set': return '{"$set":[' + [...v].map(p).join(',') + ']}';
      case 'ArrayBuffer':
        return '{"$binary":' + str(b64(new Uint8Array(v))) + ',"$type":"ArrayBuffer"' +
          (v.resizable ? ',"$maxByteLength":' + v.maxByteLength : '') + '}';
      case 'view': {
        const name = ctag(v), b = v.buffer, flags = viewFlags(v);
        if (!VIEWS.includes(name)) throw new Error('unknown view ' + name);
        if (!refs.has(b) && bufIn.get(b) === 1 && v.byteOffset === 0 && v.byteLength === b.byteLength &&
            !b.resizable && flags === 0)
          return '{"$binary":' + str(b64(new Uint8Array(b))) + ',"$type":' + str(name) + '}';
        // A length-tracking view's length follows its buffer; V8 stores 0 as its byte length
        // and the model keeps what V8 stores.
        return '{"$view":' + str(name) + ',"$buffer":' + p(b) + ',"$offset":' + v.byteOffset +
          ',"$length":' + (flags & 1 ? 0 : v.byteLength) + (flags ? ',"$flags":' + flags : '') + '}';
      }
      case 'Error': {
        const name = ERRORS.includes(v.name) ? v.name : 'Error';
        let s = '{"$error":{"name":' + str(name);
        if (hasOwn(v, 'message')) s += ',"message":' + str(String(v.message));
        if (typeof v.stack === 'string') s += ',"stack":' + str(v.stack);
        if (hasOwn(v, 'cause')) s += ',"cause":' + p(v.cause);
        return s + '}}';
      }
      case 'Blob': case 'File': return blob(v);
      case 'FileList': return '{"$filelist":[' + [...v].map(p).join(',') + ']}';
    }
    throw new Error('tjson: cannot print a ' + ctag(v));
  }
  return p(root);
}

/* ---- random values -------------------------------------------------------------------------- */

function gen(seed) {
  const R = rng(seed);
  const int = (n) => Math.floor(R() * n);
  const pick = (a) => a[int(a.length)];
  const UNITS = [0x61, 0x7a, 0x20, 0x22, 0x5c, 0x0a, 0x09, 0x01, 0x7f, 0xe9, 0xff, 0x100, 0x3a9, 0x65e5,
    0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfffd, 0xffff, 0x2028, 0x24];
  const NUMS = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 1e21, 1e-7, 123456.789, 5e-324,
    Number.MAX_VALUE, 2 ** 53, -(2 ** 31), 2 ** 32, 0.1 + 0.2];
  function string(max = 8) {
    const n = int(max + 1), u = [];
    const mode = int(4); // 0 ASCII, 1 Latin-1, 2 any units, 3 with a non-BMP pair
    for (let i = 0; i < n; i++) {
      if (mode === 0) u.push(0x61 + int(26));
      else if (mode === 1) u.push(R() < 0.5 ? 0x61 + int(26) : 0xa0 + int(96));
      else if (mode === 2) u.push(R() < 0.6 ? pick(UNITS) : int(65536));
      else if (R() < 0.3) u.push(0xd83d, 0xde00); else u.push(pick(UNITS));
    }
    return String.fromCharCode(...u);
  }
  function bytes(n) { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = int(256); return b; }
  function number() {
    if (R() < 0.5) return pick(NUMS);
    if (R() < 0.5) return int(2000) - 1000;
    const d = new DataView(new ArrayBuffer(8));
    d.setUint32(0, int(2 ** 32)); d.setUint32(4, int(2 ** 32));
    return d.getFloat64(0); // any double, NaN payloads too
  }
  function bigint() {
    const r = R();
    if (r < 0.2) return pick([0n, 1n, -1n, 2n ** 63n, -(2n ** 64n), 2n ** 200n + 7n]);
    let v = 0n; const n = 1 + int(40);
    for (let i = 0; i < n; i++) v = v * 10n + BigInt(int(10));
    return R() < 0.5 ? -v : v;
  }
  function prim() {
    switch (int(8)) {
      case 0: return pick([undefined, null, true, false]);
      case 1: case 2: return number();
      case 3: return bigint();
      default: return string();
    }
  }
  const KEYS = ['a', 'b', 'id2', '0', '1', '7', '42', '4294967294', '4294967295', '-1', '01', '1.5', '$x',
    '$', 'a b', '', 'length', '__proto__x', '\u00e9t\u00e9', '\u65e5', '\ud800'];
  function view(buf, kind) {
    const C = globalThis[kind], es = C.BYTES_PER_ELEMENT || 1;
    const max = Math.floor(buf.byteLength / es);
    const off = int(max + 1), len = int(max - off + 1);
    return kind === 'DataView' ? new DataView(buf, off * es, len * es) : new C(buf, off * es, len);
  }
  const kinds = VIEWS.filter((k) => typeof globalThis[k] === 'function');
  function value(pool, d) {
    if (d > 4 || R() < 0.25) return prim();
    if (pool.length && R() < 0.08) return pick(pool); // shared or cyclic
    const k = int(20);
    let v;
    switch (k) {
      case 0: case 1: { // plain object (pooled before its children: cycles)
        v = {}; pool.push(v);
        const n = int(6);
        for (let i = 0; i < n; i++) v[R() < 0.6 ? pick(KEYS) : string(4)] = value(pool, d + 1);
        return v;
      }
      case 2: case 3: { // dense array, maybe holes and extra properties
        const n = int(7); v = new Array(n); pool.push(v);
        for (let i = 0; i < n; i++) if (R() < 0.8) v[i] = value(pool, d + 1);
        if (R() < 0.2) v.extra = value(pool, d + 1);
        if (R() < 0.1) v['$p'] = 1;
        return v;
      }
      case 4: { // sparse array
        v = []; pool.push(v);
        v.length = pick([10, 1000, 100000, 2 ** 32 - 1]);
        const n = int(4);
        for (let i = 0; i < n; i++) v[int(v.length)] = value(pool, d + 1);
        if (R() < 0.3) v.name = string(3);
        return v;
      }
      case 5: return new Date(pick([0, NaN, 8.64e15, -8.64e15, 1700000000000, int(2 ** 42) - 2 ** 41, 0.5]));
      case 6: {
        const src = pick(['a+b', '', '/', '[\\u{1F600}]', '\\d{2,}$', '(?<n>x)\\k<n>', '\u00e9\u65e5', '^\\s*$']);
        let flags = ['', 'g', 'gi', 'm', 's', 'y', 'd', 'gimsyd'][int(8)];
        if (R() < 0.3) flags += 'u';
        try { return new RegExp(src, flags); } catch { return new RegExp('x', flags); }
      }
      case 7: return pick([() => new Number(number()), () => new String(string()), () => new Boolean(R() < 0.5),
        () => Object(bigint())])();
      case 8: { v = new Map(); pool.push(v); const n = int(4); for (let i = 0; i < n; i++) v.set(value(pool, d + 1), value(pool, d + 1)); return v; }
      case 9: { v = new Set(); pool.push(v); const n = int(4); for (let i = 0; i < n; i++) v.add(value(pool, d + 1)); return v; }
      case 10: {
        if (R() < 0.3) { // resizable: whole buffer, a fixed view and a length-tracking one
          const n = 8 * int(4), b = new ArrayBuffer(n, { maxByteLength: n + 16 + 8 * int(3) });
          new Uint8Array(b).set(bytes(n));
          const r = int(3);
          if (r === 0) return b;
          if (r === 1) return new Uint8Array(b, 0, n);
          return [new Uint16Array(b), new DataView(b, 0)];
        }
        v = bytes(int(17)); return v.buffer;
      }
      case 11: { // a typed array or DataView over its own buffer
        const kind = pick(kinds), es = (globalThis[kind].BYTES_PER_ELEMENT || 1);
        return new globalThis[kind](bytes(es * int(5)).buffer);
      }
      case 12: { // several views of one buffer (and maybe the buffer)
        const b = bytes(8 * (1 + int(4))).buffer, out = [];
        const n = 1 + int(3);
        for (let i = 0; i < n; i++) out.push(view(b, pick(kinds)));
        if (R() < 0.4) out.push(b);
        return R() < 0.5 ? out : { views: out };
      }
      case 13: {
        const C = globalThis[pick(ERRORS)], r = int(4);
        if (r === 0) return new C();
        if (r === 1) return new C(string());
        v = new C(string(), { cause: value(pool, d + 1) });
        return v;
      }
      case 14: {
        const type = pick(['', 'text/plain', 'application/octet-stream', 'image/png', 'text/html;charset=utf-8']);
        return new Blob([bytes(pick([0, 1, 5, 100, 3000]))], { type });
      }
      case 15: {
        const type = pick(['', 'text/plain', 'application/json']);
        return new File([bytes(pick([0, 3, 64, 2000]))], pick(['a.txt', 'r\u00e9sum\u00e9.pdf', '\u65e5.bin', 'x']),
          { type, lastModified: pick([0, 1700000000000, 1, 946684800123, int(2 ** 40)]) });
      }
      case 16: { // FileList, through DataTransfer
        const dt = new DataTransfer(), n = int(3);
        for (let i = 0; i < n; i++) dt.items.add(new File([bytes(1 + int(20))], 'f' + i + '.txt', { type: 'text/plain', lastModified: 1600000000000 + i }));
        return dt.files;
      }
      case 17: { const b = new Blob([bytes(10)]); return [b, b, { b }]; } // one Blob reached thrice
      default: return string(40);
    }
  }
  return { R, int, pick, value: (d = 0) => value([], d), bytes, string, number, bigint };
}

function req(r) { return new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); }); }
function txDone(t) { return new Promise((res, rej) => { t.oncomplete = res; t.onabort = () => rej(t.error); t.onerror = () => rej(t.error); }); }

function openDb(name, upgrade) {
  return new Promise((res, rej) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => upgrade(r.result);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
}

// Large values: compressible ones (Chromium snappy-compresses them) and random ones (moved
// into a blob file), some next to Blobs.
function largeValues(g) {
  return [
    'abc'.repeat(40000),
    '\u65e5\u672c'.repeat(30000),
    { big: new Uint8Array(200000), n: 1 },
    [g.bytes(100000).buffer],
    { s: g.string(0) + String.fromCharCode(...Array.from({ length: 40000 }, () => 0x100 + g.int(0xfe00))) },
    { file: new File([g.bytes(5000)], 'big.bin', { type: 'application/x-big', lastModified: 1234567890123 }), data: g.bytes(90000) },
    new Array(20000).fill(0).map((_, i) => i * 1.5),
  ];
}

async function runValues(seed, n) {
  const g = gen(seed);
  const db = await openDb('values', (d) => {
    d.createObjectStore('inline', { keyPath: 'id' });
    d.createObjectStore('outofline');
    d.createObjectStore('auto', { keyPath: 'id', autoIncrement: true });
  });
  const randKey = (depth) => {
    switch (g.int(depth < 2 ? 6 : 5)) {
      case 0: case 1: { const x = g.number(); return Number.isNaN(x) ? 0.25 : x; }
      case 2: return new Date(g.int(2 ** 42) - 2 ** 41);
      case 3: return g.string(6);
      case 4: return g.bytes(g.int(6)).buffer;
      default: return Array.from({ length: g.int(4) }, () => randKey(depth + 1));
    }
  };
  const large = largeValues(g);
  const t = db.transaction(['inline', 'outofline', 'auto'], 'readwrite');
  const s1 = t.objectStore('inline'), s2 = t.objectStore('outofline'), s3 = t.objectStore('auto');
  let tried = 0;
  for (let i = 0; i < n; i++) {
    const r = g.int(3);
    if (r === 0) { const v = { id: i }; const m = g.int(4); for (let j = 0; j < m; j++) v['p' + j] = g.value(1); s1.put(v); }
    else if (r === 1) s2.put(g.value(), randKey(0));
    else { const v = {}; const m = g.int(3); for (let j = 0; j < m; j++) v['q' + j] = g.value(1); s3.put(v); }
    tried++;
  }
  large.forEach((v, i) => { s2.put(v, 'large' + i); tried++; });
  s1.put({ id: 'large', v: large[2] }); tried++;
  s3.put({ big: 'xyz'.repeat(30000) }); tried++;
  await txDone(t);
  const lines = [];
  const t2 = db.transaction(['inline', 'outofline', 'auto']);
  const stores = ['inline', 'outofline', 'auto'];
  const all = [];
  for (let s = 0; s < 3; s++) {
    const st = t2.objectStore(stores[s]);
    all.push([s + 1, await req(st.getAllKeys()), await req(st.getAll())]);
  }
  const blobs = await readBlobs(all.flatMap((x) => x[2]));
  for (const [s, keys, vals] of all)
    keys.forEach((k, i) => lines.push('{"store":' + s + ',"key":' + tjson(k) + ',"value":' + tjson(vals[i], blobs) + '}'));
  db.close();
  return { tried, lines: lines.join('\n') + '\n' };
}

/* ---- key paths ------------------------------------------------------------------------------ */

async function runKeyPaths(seed, n) {
  const g = gen(seed ^ 0x5eed);
  const { int, pick } = g;
  const PATHS = ['a', 'b', 'a.b', 'a.b.c', '', 'length', 'a.length', 's.length', 'arr.length', 'blob.size',
    'blob.type', 'file.name', 'file.lastModified', 'file.size', 'file.type', 'x.y', 'id', 'a.b.length',
    'buf.byteLength', 'm.size', 'd.length', 'u.length'];
  const keyish = (d) => {
    switch (int(d < 2 ? 17 : 16)) {
      case 0: return g.number();
      case 1: return int(100);
      case 2: return g.string(4);
      case 3: return new Date(pick([0, NaN, 1700000000000, 8.64e15]));
      case 4: return g.bytes(int(5)).buffer;
      case 5: { const b = g.bytes(8).buffer; return pick([new Uint8Array(b, 1, 3), new DataView(b, 2, 4), new Int16Array(b), new Float64Array(b)]); }
      case 6: return pick([true, false, null, undefined]);
      case 7: return g.bigint();
      case 8: return new Number(3);
      case 9: return { b: keyish(d + 1), length: int(3) };
      case 10: return new Blob([g.bytes(int(9))], { type: pick(['', 'text/plain', 'a/b']) });
      case 11: return new File([g.bytes(int(9))], pick(['n.txt', '', '\u65e5']), { type: 'x/y', lastModified: pick([0, 1700000000000, 5]) });
      case 12: { const a = [keyish(d + 1), keyish(d + 1)]; if (g.R() < 0.2) a.push(a); return a; }
      case 13: return new Map([[1, 2]]);
      case 14: return [1, 'a', [2, new Date(0)]];
      case 15: return new Set([1]);
      default: return [keyish(d + 1)];
    }
  };
  const cases = [];
  for (let i = 0; i < n; i++) {
    let kp = pick(PATHS);
    if (g.R() < 0.25) kp = Array.from({ length: 1 + int(3) }, () => pick(PATHS));
    let v;
    if (g.R() < 0.15) v = keyish(0);
    else {
      v = {};
      for (const f of ['a', 'b', 's', 'arr', 'blob', 'file', 'x', 'id', 'buf', 'm', 'd', 'u']) if (g.R() < 0.35) v[f] = keyish(0);
      if (g.R() < 0.5) v.a = { b: g.R() < 0.7 ? keyish(1) : { c: keyish(1) } };
      if (g.R() < 0.2) v.file = new File([g.bytes(3)], 'f.txt', { type: 'text/plain', lastModified: 42 });
      if (g.R() < 0.2) v.blob = new Blob([g.bytes(4)], { type: 'T/X' });
      if (g.R() < 0.2) v.s = g.string(6);
      if (g.R() < 0.2) v.arr = [1, 2, 3].slice(0, int(4));
    }
    // Most of the time make each path resolve (to a valid or an invalid key).
    const special = {
      length: () => pick([g.string(5), [1, 2, 3].slice(0, int(4)), { length: keyish(1) }]),
      size: () => pick([new Blob([g.bytes(int(6))]), new Map([[1, 2]]), { size: keyish(1) }]),
      type: () => new Blob([], { type: pick(['', 'text/x', 'A/B']) }),
      name: () => new File([], pick(['', 'n', '\u00e9.txt'])),
      lastModified: () => new File([], 'f', { lastModified: pick([0, 7, 1700000000000]) }),
      byteLength: () => g.bytes(int(9)).buffer,
    };
    for (const path of (Array.isArray(kp) ? kp : [kp])) {
      if (path === '' || g.R() < 0.3 || !isObj(v)) continue;
      const seg = path.split('.');
      let o = v;
      for (let j = 0; j < seg.length - 1 && isObj(o); j++) {
        const last = j === seg.length - 2;
        if (last && special[seg[j + 1]] && g.R() < 0.7) { try { o[seg[j]] = special[seg[j + 1]](); } catch {} o = null; break; }
        if (!isObj(o[seg[j]]) || ArrayBuffer.isView(o[seg[j]])) o[seg[j]] = {};
        o = o[seg[j]];
      }
      if (isObj(o) && !(o instanceof Blob)) try { o[seg[seg.length - 1]] = g.R() < 0.6 ? pick([int(100), g.string(3), new Date(int(2 ** 40)), [int(9), 'x']]) : keyish(1); } catch {}
    }
    cases.push({ kp, v });
  }
  const db = await openDb('keypaths', (d) => cases.forEach((c, i) => d.createObjectStore('c' + i, { keyPath: c.kp })));
  const t = db.transaction(cases.map((_, i) => 'c' + i), 'readwrite');
  const results = cases.map((c, i) => {
    try { t.objectStore('c' + i).put(c.v); return null; } catch (e) { return 'error:' + e.name; }
  });
  await txDone(t);
  const t2 = db.transaction(cases.map((_, i) => 'c' + i));
  for (let i = 0; i < cases.length; i++) {
    if (results[i]) continue;
    const keys = await req(t2.objectStore('c' + i).getAllKeys());
    results[i] = keys.length === 1 ? 'key:' + tjson(keys[0]) : 'error:stored ' + keys.length + ' keys';
  }
  db.close();
  const blobs = await readBlobs(cases.map((c) => c.v));
  return cases.map((c, i) => {
    const paths = Array.isArray(c.kp) ? c.kp : [c.kp];
    return [Array.isArray(c.kp) ? 'a' : 's', paths.length, ...paths, tjson(c.v, blobs), results[i]].join('\t');
  }).join('\n') + '\n';
}

window.runValues = runValues;
window.runKeyPaths = runKeyPaths;
