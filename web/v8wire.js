// v8wire.js — JavaScript values to and from V8's ValueSerializer bytes (format 15, with
// Blink's Blob/File/FileList forms), which idbpq.wasm reads and writes. Browsers make these
// bytes for IndexedDB but no API returns them, hence this codec. docs/web-wire.md says what
// it keeps of structuredClone and of V8's bytes. Assumes a little-endian host (every browser).

const OP = Object.prototype;
const objToString = OP.toString;
const hasOwn = OP.hasOwnProperty;
const getProto = Object.getPrototypeOf;
const keysOf = Object.keys;
const ownDesc = Object.getOwnPropertyDescriptor;
const getter = (o, k) => ownDesc(o, k)?.get;
const fromCharCode = String.fromCharCode;
const u8slice = Uint8Array.prototype.slice; // a Node Buffer's own slice() does not copy
const G = globalThis;
// Tables looked up by names that a value controls (Symbol.toStringTag, Error name): no
// prototype, so that "constructor" or "toString" find nothing.
const dict = (o) => Object.assign(Object.create(null), o);

// Intrinsic brand checks: each throws on an object of the wrong kind, so neither a spoofed
// Symbol.toStringTag nor a shadowing own property can fool the writer.
const reSource = getter(RegExp.prototype, 'source');
// V8's flag bits (regexp-flags.h): g i m y u s linear(64, no JavaScript getter) d v.
const RE_BITS = [['global', 1], ['ignoreCase', 2], ['multiline', 4], ['sticky', 8],
  ['unicode', 16], ['dotAll', 32], ['hasIndices', 128], ['unicodeSets', 256]]
  .map(([k, bit]) => [getter(RegExp.prototype, k), bit]).filter((x) => x[0]);
const RE_LETTERS = 'gimyusldv';
const mapSize = getter(Map.prototype, 'size');
const mapEntries = Map.prototype.entries;
const setSize = getter(Set.prototype, 'size');
const setValues = Set.prototype.values;
const abLength = getter(ArrayBuffer.prototype, 'byteLength'); // throws on SharedArrayBuffer
const abResizable = getter(ArrayBuffer.prototype, 'resizable');
const abMax = getter(ArrayBuffer.prototype, 'maxByteLength');
const TA = getProto(Int8Array.prototype);
const taName = getter(TA, Symbol.toStringTag);
const taBuffer = getter(TA, 'buffer');
const taOffset = getter(TA, 'byteOffset');
const taLength = getter(TA, 'byteLength');
const taKeys = TA.keys; // throws on an out-of-bounds or detached view (ValidateTypedArray)
const dvBuffer = getter(DataView.prototype, 'buffer');
const dvOffset = getter(DataView.prototype, 'byteOffset');
const dvLength = getter(DataView.prototype, 'byteLength'); // throws when out of bounds
const isWellFormed = String.prototype.isWellFormed || function () { return !/\p{Cs}/u.test(this); };
// Objects that hold no other values: the brand check that gives their content, and how it
// is written.
const LEAF = dict({
  Date: [Date.prototype.getTime, (w, t) => w._double(0x44, t)], // D
  Boolean: [Boolean.prototype.valueOf, (w, b) => w._tag(b ? 0x79 : 0x78)], // y x
  Number: [Number.prototype.valueOf, (w, d) => w._double(0x6e, d)], // n
  String: [String.prototype.valueOf, (w, s) => (w._tag(0x73), w._str(s))], // s
  BigInt: [BigInt.prototype.valueOf, (w, b) => w._bigint(0x7a, b)], // z
  RegExp: [reSource, (w, src, v) => {
    let flags = 0;
    for (const [get, bit] of RE_BITS) if (get.call(v)) flags |= bit;
    w._tag(0x52); // R
    w._str(src);
    w._varint(flags);
  }],
});
// Blob, File and FileList where the runtime has them, each by a getter that checks the brand.
const HOST = { Blob: G.Blob && getter(G.Blob.prototype, 'size'),
  File: G.File && getter(G.File.prototype, 'name'),
  FileList: G.FileList && getter(G.FileList.prototype, 'length') };

// ArrayBufferView subtags by constructor name, and constructors by subtag (Float16Array
// where the runtime has it).
const VIEW_TAG = dict({});
const VIEW_BY_TAG = [];
for (const [name, t] of [['Int8Array', 'b'], ['Uint8Array', 'B'], ['Uint8ClampedArray', 'C'],
  ['Int16Array', 'w'], ['Uint16Array', 'W'], ['Int32Array', 'd'], ['Uint32Array', 'D'],
  ['Float16Array', 'h'], ['Float32Array', 'f'], ['Float64Array', 'F'], ['BigInt64Array', 'q'],
  ['BigUint64Array', 'Q'], ['DataView', '?']]) {
  VIEW_TAG[name] = t.charCodeAt(0);
  VIEW_BY_TAG[t.charCodeAt(0)] = G[name];
}
// Error prototypes: V8 writes the sub-tag when `name` is one of these, else Error.
const ERRORS = dict({ EvalError: 0x45, RangeError: 0x52, ReferenceError: 0x46, SyntaxError: 0x53,
  TypeError: 0x54, URIError: 0x55 });
const ERROR_BY_TAG = [];
for (const k in ERRORS) ERROR_BY_TAG[ERRORS[k]] = G[k];

// TextEncoder and TextDecoder cost a fixed 0.3-1 us a call in Chromium (0.06-0.08 us in
// Node), a plain loop 1.5-3 ns a character: strings from these lengths on go through them.
const enc = new TextEncoder();
const utf8 = new TextDecoder();
let cp1252, utf16; // made when first needed
const ENCODE_LONG = 1024;
const DECODE_LONG = 256;

// A clone error on its way up: each container adds its step to `path` as it passes.
class CloneError extends Error {
  constructor(what) {
    super(what);
    this.path = [];
  }
}
const refuse = (what) => { throw new CloneError(what); };
const NO = {};
const PLAIN = 1, MAP = 2, SET = 3, ERROR = 4, VIEW = 5; // what _special leaves to _obj
const brand = (f, v) => { try { return f.call(v); } catch { return NO; } };
// Path steps as JavaScript writes them: .name, [3], ["a b"].
const step = (k) => (typeof k === 'number' || isIndex(k) ? `[${k}]`
  : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
const via = (e, k, raw) => {
  if (e instanceof CloneError) e.path.push(raw ? k : step(k));
  return e;
};

// A canonical array index ("0", "17"; not "017" nor "4294967295"): V8 writes such keys as
// numbers, every other key as a string.
function isIndex(k) {
  const n = k.length;
  if (n === 0 || n > 10) return false;
  let c = k.charCodeAt(0);
  if (c < 48 || c > 57 || (c === 48 && n > 1)) return false;
  for (let i = 1; i < n; i++) {
    c = k.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return n < 10 || +k < 4294967295;
}

const varintLen = (n) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

function putVarint(u8, p, n) { // n: an integer in [0, 2^32)
  while (n > 0x7f) {
    u8[p++] = n | 0x80;
    n >>>= 7;
  }
  u8[p++] = n;
  return p;
}

export class V8Writer {
  constructor(initialBytes = 65536) {
    this._u8 = new Uint8Array(Math.max(64, initialBytes | 0));
    this._dv = new DataView(this._u8.buffer);
    this._pos = 0;
    this._start = 0;      // where the current value began: V8 aligns two-byte strings to it
    this.blobs = [];
    this._blobBase = 0;   // blobs.length at beginRecord()
    // Objects by id (every JSReceiver takes the next id when first written). Searching a
    // short array beats a Map for typical records; from 32 objects on a Map takes over.
    this._objs = [];
    this._nobj = 0;
    this._ids = null;
  }

  reset() {
    this._pos = 0;
    this.blobs.length = 0;
    this._blobBase = 0;
  }

  get length() { return this._pos; }

  bytes() { return this._u8.subarray(0, this._pos); }

  beginRecord() { this._blobBase = this.blobs.length; }

  writeU32(n) {
    this._need(4);
    this._dv.setUint32(this._pos, n, true);
    this._pos += 4;
  }

  reserveU32() {
    const at = this._pos;
    this.writeU32(0);
    return at;
  }

  patchU32(at, n) { this._dv.setUint32(at, n, true); }

  writeF64(x) { // framing helpers: a little-endian float64, and length-prefixed bytes
    this._need(8);
    this._dv.setFloat64(this._pos, x, true);
    this._pos += 8;
  }

  writeBytes(u8) {
    this.writeU32(u8.length);
    this._need(u8.length);
    this._u8.set(u8, this._pos);
    this._pos += u8.length;
  }

  writeValue(v) {
    const start = this._pos, nblobs = this.blobs.length;
    this._start = start;
    try {
      this._need(2);
      this._u8[start] = 0xff;
      this._u8[start + 1] = 15;
      this._pos = start + 2;
      this._val(v);
    } catch (e) {
      this._pos = start;
      this.blobs.length = nblobs;
      if (e instanceof CloneError) throw new TypeError(`value${e.path.reverse().join('')}: ${e.message}`);
      throw e;
    } finally {
      // Forget the objects: the writer must not keep the caller's values alive.
      if (this._ids !== null) this._ids = null;
      else this._objs.fill(undefined, 0, this._nobj);
      this._nobj = 0;
    }
    return this._pos - start;
  }

  _need(n) {
    if (this._pos + n > this._u8.length) this._grow(n);
  }

  _grow(n) {
    let cap = this._u8.length * 2;
    while (cap < this._pos + n) cap *= 2;
    const u8 = new Uint8Array(cap);
    u8.set(this._u8.subarray(0, this._pos));
    this._u8 = u8;
    this._dv = new DataView(u8.buffer);
  }

  _tag(t) {
    this._need(1);
    this._u8[this._pos++] = t;
  }

  _varint(n) {
    this._need(5);
    this._pos = putVarint(this._u8, this._pos, n);
  }

  _tagVarint(t, n) {
    this._need(6);
    this._u8[this._pos] = t;
    this._pos = putVarint(this._u8, this._pos + 1, n);
  }

  _double(t, d) {
    this._need(9);
    this._u8[this._pos] = t;
    this._dv.setFloat64(this._pos + 1, d, true);
    this._pos += 9;
  }

  _val(v) {
    switch (typeof v) {
      case 'string': return this._str(v);
      case 'number': return this._num(v);
      case 'boolean': return this._tag(v ? 0x54 : 0x46); // T F
      case 'undefined': return this._tag(0x5f); // _
      case 'object': return v === null ? this._tag(0x30) : this._obj(v);
      case 'bigint': return this._bigint(0x5a, v); // Z
      default: return refuse(`${typeof v} cannot be cloned`);
    }
  }

  _num(v) {
    if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
      this._need(6);
      this._u8[this._pos] = 0x49; // I, zigzag
      this._pos = putVarint(this._u8, this._pos + 1, ((v << 1) ^ (v >> 31)) >>> 0);
    } else {
      this._double(0x4e, v); // N
    }
  }

  _bigint(t, v) {
    const neg = v < 0n;
    if (neg) v = -v;
    let n = 0; // 64-bit digits, as a 64-bit V8 writes them
    for (let x = v; x > 0n; x >>= 64n) n++;
    if (n > 0x1000000) refuse('BigInt too large');
    this._need(6 + 8 * n);
    this._u8[this._pos] = t;
    let p = putVarint(this._u8, this._pos + 1, (n * 16 + (neg ? 1 : 0)) >>> 0);
    for (let i = 0; i < n; i++, p += 8, v >>= 64n) this._dv.setBigUint64(p, BigInt.asUintN(64, v), true);
    this._pos = p;
  }

  // One-byte '"' when every unit is below 256, else two-byte 'c'.
  _str(s) {
    const n = s.length;
    if (n >= ENCODE_LONG) return this._strLong(s);
    this._need(2 * n + 8);
    const u8 = this._u8;
    const p = putVarint(u8, this._pos + 1, n);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) return this._str2(s);
      u8[p + i] = c;
    }
    u8[this._pos] = 0x22;
    this._pos = p + n;
  }

  // TextEncoder: ASCII as '"', other well-formed text as 'S' UTF-8. Text that starts with
  // units past Latin-1 goes to the loop: it copies two-byte text faster than TextEncoder.
  _strLong(s) {
    const n = s.length, pos = this._pos;
    for (let i = 0; i < 64; i++) if (s.charCodeAt(i) > 255) return this._str2(s);
    this._need(3 * n + 8);
    const vl = varintLen(n), at = pos + 1 + vl;
    const w = enc.encodeInto(s, this._u8.subarray(at)).written;
    const u8 = this._u8;
    if (w === n) { // every unit took one byte: ASCII, and UTF-8 is Latin-1
      u8[pos] = 0x22;
      putVarint(u8, pos + 1, n);
      this._pos = at + n;
    } else if (isWellFormed.call(s)) { // nothing was replaced by U+FFFD: UTF-8 is exact
      const wl = varintLen(w);
      if (wl !== vl) u8.copyWithin(pos + 1 + wl, at, at + w);
      u8[pos] = 0x53; // S
      this._pos = putVarint(u8, pos + 1, w) + w;
    } else {
      this._str2(s);
    }
  }

  _str2(s) {
    const n = s.length, bytes = 2 * n;
    this._need(bytes + 8);
    const u8 = this._u8;
    let p = this._pos;
    // V8 pads so that the characters start at an even offset from the value's start.
    if ((p - this._start + 1 + varintLen(bytes)) & 1) u8[p++] = 0;
    u8[p] = 0x63; // c
    p = putVarint(u8, p + 1, bytes);
    if (n >= 64 && !(p & 1)) { // aligned: a third faster through a Uint16Array
      const u16 = new Uint16Array(u8.buffer, p, n);
      for (let i = 0; i < n; i++) u16[i] = s.charCodeAt(i);
      this._pos = p + bytes;
      return;
    }
    for (let i = 0; i < n; i++, p += 2) {
      const c = s.charCodeAt(i);
      u8[p] = c;
      u8[p + 1] = c >> 8;
    }
    this._pos = p;
  }

  _key(k) {
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && isIndex(k)) this._num(+k);
    else this._str(k);
  }

  // The id of an object already written, or -1.
  _find(v) {
    if (this._ids !== null) {
      const id = this._ids.get(v);
      return id === undefined ? -1 : id;
    }
    const objs = this._objs;
    for (let i = 0, n = this._nobj; i < n; i++) if (objs[i] === v) return i;
    return -1;
  }

  _add(v) {
    const id = this._nobj++;
    if (this._ids !== null) {
      this._ids.set(v, id);
    } else if (id < 32) {
      this._objs[id] = v;
    } else {
      this._ids = new Map();
      for (let i = 0; i < id; i++) this._ids.set(this._objs[i], i);
      this._ids.set(v, id);
      this._objs.fill(undefined);
    }
  }

  _obj(v) {
    const id = this._find(v);
    if (id >= 0) return this._tagVarint(0x5e, id); // ^
    if (Array.isArray(v)) {
      this._add(v);
      return this._array(v);
    }
    const proto = getProto(v);
    if (proto === OP || proto === null) {
      this._add(v);
      return this._plain(v);
    }
    // Containers recurse from here rather than from _special, whose frame is large: deep
    // values then fit the stack about as well as they do for V8.
    switch (this._special(v)) {
      case MAP: return this._map(v);
      case SET: return this._set(v);
      case ERROR: return this._error(v);
      case VIEW: return this._view(v, brand(taName, v) ?? 'DataView');
      case PLAIN:
        this._add(v);
        return this._plain(v);
      default: // written
    }
  }

  _plain(v) {
    const keys = keysOf(v);
    // An object with index keys may be an arguments object, which V8 refuses; checking only
    // then keeps the brand test off the common path.
    if (keys.length && keys[0].charCodeAt(0) <= 57 && objToString.call(v) === '[object Arguments]') {
      refuse('arguments object cannot be cloned');
    }
    this._tag(0x6f); // o
    this._props(v, keys, 0, 0x7b, 0); // {
  }

  _array(a) {
    const len = a.length, keys = keysOf(a), nk = keys.length;
    // V8 writes packed arrays dense and holey ones sparse; JavaScript cannot tell the two
    // apart, so: dense unless mostly empty (the rule of the tagged JSON reader too).
    if (len > 2 * nk + 64) {
      this._tagVarint(0x61, len); // a
      return this._props(a, keys, 0, 0x40, len); // @
    }
    this._tagVarint(0x41, len); // A
    let present = 0, i = 0;
    try {
      for (; i < len; i++) {
        const x = a[i];
        if (x === undefined && !(i in a)) {
          this._tag(0x2d); // - hole
        } else {
          this._val(x);
          present++;
        }
      }
    } catch (e) {
      throw via(e, i);
    }
    // Object.keys lists the indices first: what follows the present elements is extra.
    this._props(a, keys, nk > present ? present : nk, 0x24, len); // $
  }

  // keys[from..] of o, then the end tag, the count written and (arrays) the length.
  _props(o, keys, from, end, len) {
    const n = keys.length;
    let written = 0, i = from;
    try {
      for (; i < n; i++) {
        const k = keys[i], x = o[k];
        // V8 skips a property that a getter met earlier deleted.
        if (x === undefined && !hasOwn.call(o, k)) continue;
        this._key(k);
        this._val(x);
        written++;
      }
    } catch (e) {
      throw via(e, keys[i]);
    }
    this._need(11);
    this._u8[this._pos] = end;
    const p = putVarint(this._u8, this._pos + 1, written);
    this._pos = end === 0x7b ? p : putVarint(this._u8, p, len);
  }

  // Everything that is neither a plain object nor an array, by its brand: writes what holds
  // no other values, returns what kind of container the rest is. A failed brand check means
  // a spoofed Symbol.toStringTag: the object is then a plain one, as for V8.
  _special(v) {
    const name = objToString.call(v).slice(8, -1);
    const leaf = LEAF[name];
    if (leaf) {
      const x = brand(leaf[0], v);
      if (x === NO) return PLAIN;
      this._add(v);
      return leaf[1](this, x, v);
    }
    switch (name) {
      case 'Map': return brand(mapSize, v) === NO ? PLAIN : MAP;
      case 'Set': return brand(setSize, v) === NO ? PLAIN : SET;
      case 'ArrayBuffer': if (brand(abLength, v) === NO) break; return this._buffer(v);
      case 'Error': return ERROR;
      case 'Blob': case 'File': case 'FileList':
        if (!HOST[name] || brand(HOST[name], v) === NO) break;
        return this._host(v, name);
      case 'Object': break;
      default:
        if (ArrayBuffer.isView(v)) return VIEW;
        // Platform objects (DOM nodes, ImageData...), WeakMap, Promise, Symbol wrappers,
        // Intl objects, iterators, generators: structuredClone refuses them or (a few
        // platform objects) needs Blink's own serializer, which only the browser has. They
        // are known by a tag that names the interface whose prototype they inherit; any
        // other tag is a class's own, and its instances are plain objects.
        if (/Iterator|Generator|^Intl\./.test(name) || inherits(v, G[name])) {
          return refuse(`${name} cannot be cloned`);
        }
    }
    return PLAIN;
  }

  _map(m) {
    // V8 copies the entries first, so a getter met on the way cannot change what is written.
    const flat = [];
    for (const [k, x] of mapEntries.call(m)) flat.push(k, x);
    this._add(m);
    this._tag(0x3b); // ;
    let i = 0;
    try {
      for (; i < flat.length; i++) this._val(flat[i]);
    } catch (e) {
      throw via(e, `<${i & 1 ? 'value' : 'key'} ${i >> 1}>`, true);
    }
    this._tagVarint(0x3a, flat.length); // :
  }

  _set(s) {
    const items = [...setValues.call(s)];
    this._add(s);
    this._tag(0x27); // '
    let i = 0;
    try {
      for (; i < items.length; i++) this._val(items[i]);
    } catch (e) {
      throw via(e, `<item ${i}>`, true);
    }
    this._tagVarint(0x2c, items.length); // ,
  }

  _buffer(ab) {
    const len = abLength.call(ab);
    let bytes;
    try {
      bytes = new Uint8Array(ab, 0, len); // throws on a detached buffer
    } catch {
      refuse('detached ArrayBuffer cannot be cloned');
    }
    if (len > 0xffffffff) refuse('ArrayBuffer over 4 GiB cannot be written in V8 format 15');
    this._add(ab);
    if (abResizable && abResizable.call(ab)) {
      this._tagVarint(0x7e, len); // ~
      this._varint(abMax.call(ab));
    } else {
      this._tagVarint(0x42, len); // B
    }
    this._need(len);
    this._u8.set(bytes, this._pos);
    this._pos += len;
  }

  _view(v, name) {
    const dv = name === 'DataView';
    const buf = dv ? dvBuffer.call(v) : taBuffer.call(v);
    let len = viewLength(v, dv);
    if (len < 0) refuse(`out-of-bounds or detached ${name} cannot be cloned`);
    const off = dv ? dvOffset.call(v) : taOffset.call(v);
    const size = dv ? 1 : G[name].BYTES_PER_ELEMENT;
    const flags = abResizable && abResizable.call(buf) ? 2 | tracks(v, buf, off, len, size, dv) : 0;
    // V8 writes its length field, which is 0 for a length-tracking view (readers ignore it).
    if (flags & 1) len = 0;
    // The buffer first (or a reference to it), then the view takes the next id.
    try {
      this._obj(buf);
    } catch (e) {
      throw via(e, 'buffer');
    }
    this._add(v);
    this._need(17);
    const u8 = this._u8;
    u8[this._pos] = 0x56; // V
    u8[this._pos + 1] = VIEW_TAG[name];
    this._pos = putVarint(u8, putVarint(u8, putVarint(u8, this._pos + 2, off), len), flags);
  }

  _error(v) {
    // As V8: message and cause are own data properties, name and stack are read through
    // the prototype chain; the order of the reads is V8's.
    const md = ownDesc(v, 'message'), cd = ownDesc(v, 'cause');
    const proto = ERRORS[`${v.name}`]; // ToString, which throws on a Symbol as V8's does
    this._add(v);
    this._tag(0x72); // r
    if (proto) this._tag(proto);
    if (md && 'value' in md) {
      this._tag(0x6d); // m
      this._str(`${md.value}`);
    }
    const stack = v.stack;
    if (cd && 'value' in cd) {
      this._tag(0x63); // c
      try {
        this._val(cd.value);
      } catch (e) {
        throw via(e, 'cause');
      }
    }
    if (typeof stack === 'string') {
      this._tag(0x73); // s
      this._str(stack);
    }
    this._tag(0x2e); // .
  }

  // Blink's IndexedDB forms: the index of the Blob/File among the record's blobs.
  _host(v, name) {
    this._add(v);
    this._tag(0x5c); // \
    if (name === 'FileList') {
      const n = v.length;
      this._tagVarint(0x4c, n); // L
      for (let i = 0; i < n; i++) this._varint(this._blob(v[i]));
    } else {
      this._tagVarint(name === 'File' ? 0x65 : 0x69, this._blob(v)); // e i
    }
  }

  _blob(b) {
    const blobs = this.blobs, base = this._blobBase;
    let i = blobs.indexOf(b, base);
    if (i < 0) i = blobs.push(b) - 1;
    return i - base;
  }
}

function inherits(v, C) {
  const p = typeof C === 'function' && C.prototype;
  if (p) for (let o = getProto(v); o; o = getProto(o)) if (o === p) return true;
  return false;
}

// A view's byte length; -1 when it is out of bounds or its buffer detached.
function viewLength(v, dv) {
  try {
    if (dv) return dvLength.call(v);
    taKeys.call(v);
    return taLength.call(v);
  } catch {
    return -1;
  }
}

// 1 if a view over a resizable buffer tracks the buffer's length. JavaScript cannot ask, so
// the buffer is resized by one element and back: a tracking view follows, a fixed one does
// not. The contents are restored. Only a view that reaches the buffer's end needs the test.
function tracks(v, buf, off, len, size, dv) {
  const blen = abLength.call(buf);
  if (off + len + size <= blen) return 0;
  const max = abMax.call(buf);
  if (blen + size <= max) {
    buf.resize(blen + size);
    const grew = viewLength(v, dv) !== len;
    buf.resize(blen);
    return grew ? 1 : 0;
  }
  if (blen < size) return 0;
  const keep = new Uint8Array(buf, blen - size, size).slice();
  buf.resize(blen - size);
  const followed = viewLength(v, dv) === len - size;
  buf.resize(blen);
  new Uint8Array(buf, blen - size, size).set(keep);
  return followed ? 1 : 0;
}

// ---- reading -------------------------------------------------------------------------------

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

function fail(what, at) {
  const e = new Error(`v8wire: ${what} at byte ${at}`);
  e.v8wire = true;
  throw e;
}

// A Latin-1 string. Short: a loop, then fromCharCode.apply on a reused array (faster than
// on a subarray). Long: TextDecoder's 'latin1', which is windows-1252 and so exact unless a
// byte is in 0x80-0x9F; those (rare) go by fromCharCode.apply in chunks.
const chars = [];
function latin1(u8, p, n) {
  if (n < 8) {
    let s = '';
    for (let i = p, e = p + n; i < e; i++) s += fromCharCode(u8[i]);
    return s;
  }
  if (n < DECODE_LONG) {
    chars.length = n;
    for (let i = 0; i < n; i++) chars[i] = u8[p + i];
    return fromCharCode.apply(null, chars);
  }
  const sub = u8.subarray(p, p + n);
  if (!hasC1(u8, p, n)) return (cp1252 ||= new TextDecoder('windows-1252')).decode(sub);
  let s = '';
  for (let i = 0; i < n; i += 8192) s += fromCharCode.apply(null, sub.subarray(i, i + 8192));
  return s;
}

// Whether u8[p, p+n) holds a byte in 0x80-0x9F, four bytes at a time where aligned: a byte
// b is one when (b & 0xE0) ^ 0x80 is zero.
function hasC1(u8, p, n) {
  const e = p + n;
  while (p < e && (u8.byteOffset + p) & 3) if ((u8[p++] & 0xe0) === 0x80) return true;
  const words = (e - p) >> 2;
  if (words) {
    const w32 = new Uint32Array(u8.buffer, u8.byteOffset + p, words);
    for (let i = 0; i < words; i++) {
      const x = (w32[i] & 0xe0e0e0e0) ^ 0x80808080;
      if ((x - 0x01010101) & ~x & 0x80808080) return true;
    }
    p += words * 4;
  }
  while (p < e) if ((u8[p++] & 0xe0) === 0x80) return true;
  return false;
}

// Property names repeat from record to record: a small cache by content returns the string
// made before, which also spares the engine internalizing a new copy on every store.
const keys = new Array(512).fill('');
function key1(u8, p, n) {
  if (n > 24) return latin1(u8, p, n);
  let h = n;
  for (let i = 0; i < n; i++) h = (h * 31 + u8[p + i]) | 0;
  const slot = h & 511, k = keys[slot];
  if (k.length === n) {
    let i = 0;
    while (i < n && k.charCodeAt(i) === u8[p + i]) i++;
    if (i === n) return k;
  }
  return (keys[slot] = latin1(u8, p, n));
}

function twoByte(u8, p, n) { // n units
  if (n >= DECODE_LONG) {
    // TextDecoder is fastest but turns lone surrogates into U+FFFD: in fatal mode it
    // refuses them instead, and the loops below copy them exactly.
    try {
      utf16 ||= new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
      return utf16.decode(u8.subarray(p, p + 2 * n));
    } catch { /* lone surrogates */ }
  }
  let s = '';
  if ((u8.byteOffset + p) % 2 === 0) {
    const u16 = new Uint16Array(u8.buffer, u8.byteOffset + p, n);
    for (let i = 0; i < n; i += 8192) s += fromCharCode.apply(null, u16.subarray(i, i + 8192));
    return s;
  }
  for (let i = 0; i < n; i++, p += 2) s += fromCharCode(u8[p] | (u8[p + 1] << 8));
  return s;
}

const define = (o, k, v, enumerable) =>
  Object.defineProperty(o, k, { value: v, writable: true, enumerable, configurable: true });

class Reader {
  constructor() {
    this.u8 = null;
    this.p = 0;
    this.end = 0;
    this.version = 15;
    this.ids = [];
    this.blobAt = null;
  }

  // The next tag, padding skipped; fails at the end of the data.
  tag() {
    const u8 = this.u8, end = this.end;
    let p = this.p;
    while (p < end) {
      const t = u8[p++];
      if (t !== 0) {
        this.p = p;
        return t;
      }
    }
    return fail('truncated: a value was expected', end);
  }

  // The next tag, padding skipped, without taking it; -1 at the end.
  peek() {
    const u8 = this.u8, end = this.end;
    for (let p = this.p; p < end; p++) if (u8[p] !== 0) return u8[p];
    return -1;
  }

  // V8's ReadVarint<uint32_t>: at most 5 bytes, higher bits dropped.
  u32() {
    const u8 = this.u8;
    let p = this.p;
    if (p < this.end && u8[p] < 0x80) {
      this.p = p + 1;
      return u8[p];
    }
    return this.u64(32) >>> 0;
  }

  // A varint of up to `bits` bits (64: sizes from format 16 on) as a number, exact below 2^53.
  u64(bits = 64) {
    const u8 = this.u8;
    let p = this.p, v = 0;
    for (let shift = 0; shift < bits; shift += 7) {
      if (p >= this.end) fail('truncated varint', p);
      const c = u8[p++];
      v += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) break;
    }
    this.p = p;
    return v;
  }

  size() { return this.version >= 16 ? this.u64() : this.u32(); }

  u8var() { // ReadVarint<uint8_t>: at most 2 bytes
    const u8 = this.u8;
    let p = this.p;
    if (p >= this.end) fail('truncated varint', p);
    let v = u8[p++];
    if (v & 0x80) {
      if (p >= this.end) fail('truncated varint', p);
      v = (v & 0x7f) | (u8[p++] << 7);
    }
    this.p = p;
    return v & 0xff;
  }

  double() {
    const u8 = this.u8, p = this.p;
    if (this.end - p < 8) fail('truncated double', p);
    for (let i = 0; i < 8; i++) f64b[i] = u8[p + i];
    this.p = p + 8;
    return f64[0];
  }

  // Takes n bytes, or fails before anything is allocated for them.
  take(n, what, at) {
    const p = this.p;
    if (n > this.end - p) fail(`${what} of ${n} bytes runs past the end`, at);
    this.p = p + n;
    return p;
  }

  string(t, at) {
    const n = this.u32();
    const p = this.take(n, 'string', at);
    if (t === 0x22) return latin1(this.u8, p, n);
    if (t === 0x63) {
      if (n & 1) fail('two-byte string of odd byte length', at);
      return twoByte(this.u8, p, n / 2);
    }
    return utf8.decode(this.u8.subarray(p, p + n));
  }

  // A string where V8 wants one (RegExp source, Error message...).
  tstring(what) {
    const at = this.p, s = this.value();
    if (typeof s !== 'string') fail(`${what} is not a string`, at);
    return s;
  }

  // A property key: a string or a number.
  key() {
    const at = this.p, u8 = this.u8;
    if (at < this.end && u8[at] === 0x22) { // the common case, without the switch
      this.p = at + 1;
      const n = this.u32();
      return key1(u8, this.take(n, 'string', at), n);
    }
    const k = this.value();
    if (typeof k !== 'string' && typeof k !== 'number') fail('property key is not a string or number', at);
    return k;
  }

  // (key value)* up to the end tag, then its count; returns the count read.
  props(o, endTag, what, at) {
    let n = 0;
    for (;;) {
      const t = this.peek();
      if (t === endTag) break;
      if (t < 0) fail(`truncated ${what}: no end tag '${fromCharCode(endTag)}'`, this.end);
      const kat = this.p;
      const k = this.key();
      const v = this.value();
      if (k === '__proto__') define(o, k, v, true); // an own property, not the prototype
      else if (k === 'length' && Array.isArray(o)) fail('array property "length"', kat);
      else o[k] = v;
      n++;
    }
    this.tag();
    const cat = this.p, want = this.u32();
    if (want !== n) fail(`${what} (at byte ${at}) end count ${want}, read ${n}`, cat);
  }

  arrayEnd(len, at) {
    const p = this.p;
    if (this.u32() !== len) fail(`array (at byte ${at}) end length differs from ${len}`, p);
  }

  value() {
    const t = this.tag();
    const at = this.p - 1;
    switch (t) {
      case 0x5f: return undefined; // _
      case 0x30: return null; // 0
      case 0x54: return true; // T
      case 0x46: return false; // F
      case 0x49: { // I
        const z = this.u32();
        return (z >>> 1) ^ -(z & 1);
      }
      case 0x55: return this.u32(); // U
      case 0x4e: return this.double(); // N
      case 0x5a: return this.bigint(at); // Z
      case 0x22: case 0x63: case 0x53: return this.string(t, at); // " c S
      case 0x5e: { // ^
        const id = this.u32();
        if (id >= this.ids.length) fail(`reference to object id ${id}; ${this.ids.length} assigned`, at);
        return this.afterBuffer(this.ids[id]);
      }
      case 0x6f: { // o
        const o = {};
        this.ids.push(o);
        this.props(o, 0x7b, "object ('o')", at);
        return o;
      }
      case 0x41: { // A
        const len = this.u32();
        // Every element takes a byte at least: refuse a length the input cannot hold.
        if (len > this.end - this.p) fail(`dense array of length ${len} in ${this.end - this.p} bytes`, at);
        const a = [];
        this.ids.push(a);
        for (let i = 0; i < len; i++) {
          if (this.peek() === 0x2d) this.tag(); // - hole
          else a[i] = this.value();
        }
        a.length = len;
        this.props(a, 0x24, "dense array ('A')", at);
        this.arrayEnd(len, at);
        return a;
      }
      case 0x61: { // a
        const len = this.u32();
        const a = [];
        a.length = len; // costs nothing: no elements are made
        this.ids.push(a);
        this.props(a, 0x40, "sparse array ('a')", at);
        this.arrayEnd(len, at);
        return a;
      }
      case 0x44: return this.push(new Date(this.double())); // D
      case 0x79: case 0x78: return this.push(Object(t === 0x79)); // y x
      case 0x6e: return this.push(Object(this.double())); // n
      case 0x7a: return this.push(Object(this.bigint(at))); // z
      case 0x73: { // s
        const id = this.ids.push(null) - 1;
        return (this.ids[id] = Object(this.tstring('String object content')));
      }
      case 0x52: return this.regexp(at); // R
      case 0x3b: case 0x27: { // ; '
        const map = t === 0x3b, end = map ? 0x3a : 0x2c, c = this.push(map ? new Map() : new Set());
        let n = 0;
        for (let e; (e = this.peek()) !== end; n++) {
          if (e < 0) fail(`truncated ${map ? 'Map' : 'Set'}: no end tag`, this.end);
          const k = this.value();
          if (map) c.set(k, this.value()), n++;
          else c.add(k);
        }
        this.tag();
        const cat = this.p, want = this.u32();
        if (want !== n) fail(`${map ? 'Map' : 'Set'} (at byte ${at}) end count ${want}, read ${n}`, cat);
        return c;
      }
      case 0x42: case 0x7e: return this.afterBuffer(this.buffer(t === 0x7e, at)); // B ~
      case 0x72: return this.error(); // r
      case 0x5c: return this.host(); // \
      case 0x3f: this.u32(); return this.value(); // ? (verify object count)
      case 0x2d: return fail("hole ('-') outside a dense array", at);
      case 0x56: return fail("view ('V') not right after an ArrayBuffer", at);
      case 0xff: return fail('version tag (0xFF) inside a value', at);
      default:
        return fail(t >= 0x20 && t < 0x7f ? `unknown or unstorable tag '${fromCharCode(t)}'`
          : `unknown tag 0x${t.toString(16)}`, at);
    }
  }

  push(o) {
    this.ids.push(o);
    return o;
  }

  bigint(at) {
    const bits = this.u32();
    const n = (bits >>> 1) & 0x3fffffff;
    const p = this.take(n, 'BigInt', at);
    const u8 = this.u8;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(u8[p + i]);
    return bits & 1 ? -v : v;
  }

  regexp(at) {
    const id = this.ids.push(null) - 1;
    const src = this.tstring('RegExp source');
    const fat = this.p, bits = this.u32();
    if (bits >> 9) fail(`RegExp flags 0x${bits.toString(16)} have unknown bits`, fat);
    let flags = '';
    for (let i = 0; i < 9; i++) if (bits & (1 << i)) flags += RE_LETTERS[i];
    try {
      return (this.ids[id] = new RegExp(src, flags));
    } catch (e) {
      return fail(`RegExp /${src}/${flags} cannot be made here (${e.message})`, at);
    }
  }

  buffer(resizable, at) {
    const len = this.size();
    let max = len;
    if (resizable) {
      max = this.size();
      if (len > max) fail('resizable ArrayBuffer length above its maximum', at);
    }
    const p = this.take(len, 'ArrayBuffer', at);
    let ab;
    if (resizable) {
      try {
        ab = new ArrayBuffer(len, { maxByteLength: max });
      } catch (e) {
        fail(`resizable ArrayBuffer of up to ${max} bytes (${e.message})`, at);
      }
      if (ab.resizable !== true) fail('resizable ArrayBuffer: not supported by this runtime', at);
      new Uint8Array(ab).set(this.u8.subarray(p, p + len));
    } else {
      ab = u8slice.call(this.u8, p, p + len).buffer;
    }
    return this.push(ab);
  }

  // A view follows its buffer (or a reference to it) directly.
  afterBuffer(v) {
    if (v instanceof ArrayBuffer && this.peek() === 0x56) {
      this.tag();
      return this.view(v, this.p - 1);
    }
    return v;
  }

  view(buf, at) {
    const sub = this.u8var(), off = this.size(), len = this.size();
    const flags = this.version >= 14 ? this.u32() : 0;
    const blen = buf.byteLength;
    if (off > blen || len > blen - off) fail(`view [${off}, +${len}) outside its ${blen}-byte buffer`, at);
    const C = VIEW_BY_TAG[sub];
    if (!C) fail(`view subtag 0x${sub.toString(16)}: unknown, or not in this runtime`, at);
    const size = C.BYTES_PER_ELEMENT || 1;
    if (off % size || len % size) fail(`view offset ${off} or length ${len} not a multiple of ${size}`, at);
    // As V8's ValidateJSArrayBufferViewFlags.
    const rab = buf.resizable === true;
    if ((flags & 3) && !rab) fail(`view flags ${flags} over a non-resizable buffer`, at);
    if (rab && !(flags & 2)) fail('view over a resizable buffer without the RAB flag', at);
    return this.push(flags & 1 ? new C(buf, off) : new C(buf, off, len / size));
  }

  error() {
    // Made before its fields so that its cause can refer to it (V8 itself cannot read that
    // back; the C side can).
    const id = this.ids.push(null) - 1;
    let Ctor = Error, message, stack, cause, hasCause = false;
    for (;;) {
      const st = this.p, t = this.u8var();
      if (t === 0x2e) break; // .
      if (t === 0x6d) message = this.tstring('Error message'); // m
      else if (t === 0x73) stack = this.tstring('Error stack'); // s
      else if (t === 0x63) { // c
        if (!this.ids[id]) this.ids[id] = new Ctor();
        hasCause = true;
        cause = this.value();
      } else if (ERROR_BY_TAG[t]) Ctor = ERROR_BY_TAG[t];
      else fail(`unknown Error sub-tag 0x${t.toString(16)}`, st);
    }
    const e = this.ids[id] || new Ctor();
    if (getProto(e) !== Ctor.prototype) Object.setPrototypeOf(e, Ctor.prototype);
    if (message !== undefined) define(e, 'message', message, false);
    if (hasCause) define(e, 'cause', cause, false);
    define(e, 'stack', stack, false); // undefined when none was written, as V8 does
    return (this.ids[id] = e);
  }

  host() {
    const id = this.ids.push(null) - 1;
    const t = this.tag(), at = this.p - 1;
    let v;
    switch (t) {
      case 0x69: v = this.blob(this.u32(), 'blob', at); break; // i
      case 0x65: v = this.blob(this.u32(), 'file', at); break; // e
      case 0x4c: case 0x6c: { // L l
        const n = this.u32();
        if (n > this.end - this.p) fail(`FileList of ${n} files in ${this.end - this.p} bytes`, at);
        const files = [];
        for (let i = 0; i < n; i++) files.push(t === 0x4c ? this.blob(this.u32(), 'file', at) : this.file(at));
        v = fileList(files);
        break;
      }
      case 0x62: { // b: a Blob known by its type and size only (uuid, type, size)
        this.hstr(at);
        const type = this.hstr(at);
        this.u64();
        v = new Blob([], { type });
        break;
      }
      case 0x66: v = this.file(at); break; // f
      default:
        fail(`host object '${fromCharCode(t)}' is not supported in JavaScript`, at);
    }
    return (this.ids[id] = v);
  }

  blob(index, kind, at) {
    const b = this.blobAt ? this.blobAt(index, kind) : undefined;
    if (b == null) fail(`no ${kind} #${index} (blobAt)`, at);
    return b;
  }

  hstr(at) { // Blink's string: varint byte length + UTF-8
    const n = this.u32();
    const p = this.take(n, 'host object string', at);
    return utf8.decode(this.u8.subarray(p, p + n));
  }

  // Blink's File without an index, in the layout of Blink 7 on (what the C encoder writes):
  // path, name, relative path, uuid, type, has snapshot [size, lastModified], user visible.
  // Its description comes through, not its contents.
  file(at) {
    this.hstr(at);
    const name = this.hstr(at);
    this.hstr(at);
    this.hstr(at);
    const opts = { type: this.hstr(at) };
    if (this.u32()) {
      this.u64();
      const lm = this.double();
      if (lm === lm) opts.lastModified = lm;
    }
    this.u32();
    return new File([], name, opts);
  }
}

function fileList(files) {
  if (typeof DataTransfer === 'function') {
    try {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(f);
      return dt.files;
    } catch { /* not constructible here */ }
  }
  return files;
}

let idle = new Reader();

export function readValue(u8, pos = 0, end = u8.length, blobAt = undefined) {
  let r = idle;
  if (r) idle = null; // a blobAt that reads values itself gets a reader of its own
  else r = new Reader();
  r.u8 = u8;
  r.p = pos;
  r.end = end;
  r.blobAt = blobAt;
  r.version = 15;
  try {
    if (!(pos >= 0 && pos <= end && end <= u8.length)) fail(`range [${pos}, ${end}) outside the ${u8.length}-byte input`, pos);
    if (r.peek() === 0xff) {
      r.tag();
      const at = r.p, v = r.u32();
      if (v < 13 || v > 16) fail(`V8 format version ${v} (13 to 16 are read)`, at);
      r.version = v;
    }
    const value = r.value();
    return { value, end: r.p };
  } catch (e) {
    if (e.v8wire) throw e;
    // What the runtime refused (nesting too deep for the stack, an invalid RegExp...) still
    // says where.
    return fail(`${e.name}: ${e.message}`, r.p);
  } finally {
    r.u8 = null;
    r.blobAt = null;
    r.ids.length = 0;
    idle = r;
  }
}
