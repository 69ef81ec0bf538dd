// idbpq.js — IndexedDB object stores to and from Apache Parquet in the browser (page or
// Worker). The C core (idbpq.wasm) infers the schema, encodes and decodes Parquet; this
// module reads and writes IndexedDB and moves records across in the V8 wire format
// (v8wire.js), framed as wasm/api.c describes. The API and its options: idbpq.d.ts; the
// design (transactions, memory, errors): docs/browser.md.
import { V8Writer, readValue } from './v8wire.js';
import { wasiImports } from './wasi_shim.js';

const CODECS = { none: 0, uncompressed: 0, snappy: 1, gzip: 2, brotli: 4, lz4: 5, zstd: 6, lz4_raw: 7 };
const PARQUET_TYPE = 'application/vnd.apache.parquet';
const SPIN = IDBKeyRange.only(-Infinity); // a key no real store is keyed by often
const BATCH_RECORDS = 1000;
const BATCH_BYTES = 4 << 20;
const enc = new TextEncoder();
const dec = new TextDecoder();

let api = null;       // the wasm exports once loaded
let loading = null;

/** Loads idbpq.wasm (once); every other function calls it. */
export function init(options = {}) {
  if (!loading) loading = load(options).catch((e) => { loading = null; throw e; });
  return loading;
}

async function load({ wasm } = {}) {
  let mod = wasm ?? new URL('./idbpq.wasm', import.meta.url);
  let memory = null;
  const imports = wasiImports(() => memory);
  let inst;
  if (mod instanceof WebAssembly.Module) inst = await WebAssembly.instantiate(mod, imports);
  else {
    if (typeof mod === 'string' || mod instanceof URL) mod = await fetch(mod);
    if (mod instanceof Response) {
      if (!mod.ok) throw new Error(`idbpq: cannot load idbpq.wasm: HTTP ${mod.status} from ${mod.url}`);
      mod = await mod.arrayBuffer();
    }
    inst = (await WebAssembly.instantiate(mod, imports)).instance;
  }
  memory = inst.exports.memory;
  inst.exports._initialize?.();
  api = inst.exports;
}

// ---- wasm memory --------------------------------------------------------------------------

let heapBuf = null, heapU8 = null;
function heap() { // views die when memory grows
  if (api.memory.buffer !== heapBuf) { heapBuf = api.memory.buffer; heapU8 = new Uint8Array(heapBuf); }
  return heapU8;
}
function copyIn(bytes) {
  const p = api.ipq_alloc(bytes.length);
  if (!p) throw new Error('idbpq: out of WebAssembly memory');
  heap().set(bytes, p);
  return p;
}
function cString(s) { return copyIn(enc.encode(s + '\0')); }
function readCString(p) { const h = heap(); let e = p; while (h[e]) e++; return dec.decode(h.subarray(p, e)); }
function wasmError(what) { return new Error(`idbpq: ${what}: ${readCString(api.ipq_errmsg())}`); }

// ---- IndexedDB helpers --------------------------------------------------------------------

function done(req) {
  return new Promise((resolve, reject) => { req.onsuccess = () => resolve(req.result); req.onerror = () => reject(req.error); });
}
function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.addEventListener('complete', () => resolve());
    tx.addEventListener('abort', () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError')));
  });
}
function abortError(signal) { return signal.reason ?? new DOMException('aborted', 'AbortError'); }

// A transaction commits as soon as it has no request pending when control returns to the
// event loop, and new requests are accepted only inside its request callbacks. To keep one
// transaction open across awaits that are not IndexedDB's (a slow consumer, Blob reads, file
// windows), a cheap request is kept in flight, and real requests are issued from its
// callback: the same technique as Dexie.waitFor.
class Pump {
  constructor(tx, store) {
    this.store = store;
    this.jobs = [];
    this.stopped = false;
    this.failed = null;
    tx.addEventListener('abort', () => { this.failed = tx.error ?? new DOMException('transaction aborted', 'AbortError'); this.flush(); });
    this.spin();
  }
  spin() {
    if (this.stopped) return;
    const r = this.store.count(SPIN);
    r.onsuccess = () => { this.flush(); this.spin(); };
  }
  flush() {
    const jobs = this.jobs;
    this.jobs = [];
    for (const j of jobs) j();
  }
  // Runs fn(store) while the transaction is active — now if it is (in a request's callback
  // or the microtasks after it), else from the next spin; resolves with what fn returns.
  run(fn) {
    if (!this.failed && !this.jobs.length) {
      try { return Promise.resolve(fn(this.store)); } catch (e) {
        if (e?.name !== 'TransactionInactiveError') return Promise.reject(e);
      }
    }
    return new Promise((resolve, reject) => {
      this.jobs.push(() => {
        if (this.failed) return reject(this.failed);
        try { resolve(fn(this.store)); } catch (e) { reject(e); }
      });
    });
  }
  // Issues a request while active; resolves with its result.
  request(make) { return this.run((s) => done(make(s))); }
  stop() { this.stopped = true; }
}

function describe(db, store) {
  const indexes = [];
  for (const name of store.indexNames) {
    const ix = store.index(name);
    indexes.push({ name, keyPath: ix.keyPath, unique: ix.unique, multiEntry: ix.multiEntry });
  }
  return {
    origin: globalThis.location?.origin ?? null, database: db.name, version: db.version,
    name: store.name, keyPath: store.keyPath, autoIncrement: store.autoIncrement, keyGenerator: 1, indexes,
  };
}

// The key of an in-line record from its key path (keys are valid: IndexedDB checked them).
function keyAt(value, path) {
  if (Array.isArray(path)) return path.map((p) => keyAt(value, p));
  if (path === '') return value;
  let v = value;
  for (const step of path.split('.')) v = v[step];
  return v;
}

function pick(value, columns, keep) {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out = {};
  for (const k of Object.keys(value)) if (columns.has(k) || keep.has(k)) out[k] = value[k];
  return out;
}

// ---- export -------------------------------------------------------------------------------

// Reads the store page by page: one readonly transaction kept open (snapshot), or one per page.
async function* pages(db, storeName, o, desc) {
  const inline = desc.keyPath !== null;
  const size = Math.max(1, o.pageSize ?? BATCH_RECORDS);
  const upper = o.range && o.range.upper !== undefined ? o.range : null;
  let range = o.range ?? null;
  let pump = null;
  if (o.snapshot !== false) {
    const tx = db.transaction(storeName, 'readonly');
    pump = new Pump(tx, tx.objectStore(storeName));
  }
  const read = (s, r) => {
    const v = s.getAll(r, size);
    const k = inline ? null : s.getAllKeys(r, size);
    return Promise.all([done(v), k && done(k)]);
  };
  // The next page is asked for before this one is handed on: IndexedDB reads it while the
  // caller encodes this one.
  const fetchPage = (r) => {
    const p = pump ? pump.run((s) => read(s, r)) : read(db.transaction(storeName, 'readonly').objectStore(storeName), r);
    p.catch(() => {}); // awaited below
    return p;
  };
  try {
    let next = fetchPage(range);
    for (;;) {
      const [values, keys] = await next;
      if (o.signal?.aborted) throw abortError(o.signal);
      if (!values.length) return;
      const full = values.length === size;
      if (full) {
        const last = inline ? keyAt(values[values.length - 1], desc.keyPath) : keys[keys.length - 1];
        range = upper ? IDBKeyRange.bound(last, upper.upper, true, upper.upperOpen) : IDBKeyRange.lowerBound(last, true);
        next = fetchPage(range);
      }
      yield { values, keys };
      if (!full) return;
    }
  } finally {
    pump?.stop();
  }
}

// Frames one page of records for ipq_writer_write. Blob contents are read first (async) when
// the page has any: the page is then framed again with the bytes at hand.
async function frame(w, page, o, desc, keepCols) {
  const { values, keys } = page;
  const inline = desc.keyPath !== null;
  let bytesOf = null;
  for (;;) {
    w.reset();
    let n = 0, missing = null;
    for (let i = 0; i < values.length; i++) {
      const key = inline ? undefined : keys[i];
      let value = values[i];
      if (o.filter && !o.filter(value, inline ? keyAt(value, desc.keyPath) : key)) continue;
      if (o.columns) value = pick(value, o.columns, keepCols);
      w.beginRecord();
      const first = w.blobs.length;
      const k = w.reserveU32();
      if (!inline) w.patchU32(k, w.writeValue(key));
      const v = w.reserveU32();
      w.patchU32(v, w.writeValue(value));
      const blobs = w.blobs.length - first;
      w.writeU32(blobs);
      for (let b = first; b < first + blobs; b++) {
        const blob = w.blobs[b];
        const data = bytesOf?.get(blob);
        if (!data) { (missing ??= new Set()).add(blob); w.writeU32(0); continue; }
        const file = typeof File !== 'undefined' && blob instanceof File;
        w.writeU32(file ? 1 : 0);
        w.writeF64(blob.size);
        w.writeF64(file ? blob.lastModified : 0);
        w.writeBytes(enc.encode(blob.type));
        w.writeBytes(enc.encode(file ? blob.name : ''));
        w.writeBytes(data);
      }
      n++;
    }
    if (!missing) return n;
    bytesOf = new Map();
    await Promise.all([...missing].map(async (b) => bytesOf.set(b, new Uint8Array(await b.arrayBuffer()))));
  }
}

async function* exportChunks(db, storeName, o = {}) {
  await init();
  const codec = CODECS[(o.codec ?? 'snappy').toLowerCase()];
  if (codec === undefined) throw new Error(`idbpq: unknown codec "${o.codec}" (snappy, zstd, gzip, none)`);
  let desc, total;
  {
    const tx = db.transaction(storeName, 'readonly');
    const store = tx.objectStore(storeName);
    desc = describe(db, store);
    total = await done(store.count(o.range ?? null));
  }
  const keepCols = new Set([desc.keyPath ?? []].flat().map((p) => p.split('.')[0]));
  const opts = { ...o, columns: o.columns ? new Set(o.columns) : null };
  const json = enc.encode(JSON.stringify(desc));
  const jp = copyIn(json);
  const h = api.ipq_writer_new(jp, json.length, codec, o.level ?? 0, o.rowGroupBytes ?? 64 * 2 ** 20, o.mixedAsJson ? 1 : 0);
  api.ipq_free(jp);
  if (!h) throw wasmError(`export of "${storeName}"`);
  const w = new V8Writer();
  let records = 0, bytes = 0;
  const progress = (phase) => o.onProgress?.({ phase, records, total, bytes });
  async function* feed(fn, phase) {
    for await (const page of pages(db, storeName, opts, desc)) {
      const n = await frame(w, page, opts, desc, keepCols);
      const p = copyIn(w.bytes());
      const r = fn(h, p, w.length);
      api.ipq_free(p);
      if (r < 0) throw wasmError(`export of "${storeName}" near record ${records + 1}`);
      records += n;
      progress(phase);
      const out = drain(h);
      if (out) { bytes += out.length; yield out; }
    }
  }
  try {
    if (o.twoPass) {
      for await (const _ of feed(api.ipq_writer_observe, 'read')); // eslint-disable-line no-unused-vars
      records = 0;
    }
    yield* feed(api.ipq_writer_write, 'write');
    if (api.ipq_writer_finish(h) < 0) throw wasmError(`export of "${storeName}"`);
    const out = drain(h);
    if (out) { bytes += out.length; yield out; }
    o.onProgress?.({ phase: 'done', records, total, bytes, fallbacks: api.ipq_writer_stat(h, 1) });
  } finally {
    api.ipq_writer_free(h);
  }
}

function drain(h) {
  const n = api.ipq_writer_out_len(h);
  if (!n) return null;
  const p = api.ipq_writer_out(h);
  const out = heap().slice(p, p + n);
  api.ipq_writer_out_clear(h);
  return out;
}

export async function exportStore(db, storeName, options = {}) {
  // Chunks are folded into a Blob every 16 MiB: the browser keeps Blob data outside the
  // page's heap (and on disk when large), so the page holds at most that much of the file.
  const parts = [];
  let held = 0;
  for await (const chunk of exportChunks(db, storeName, options)) {
    parts.push(chunk);
    held += chunk.length;
    if (held >= 16 << 20) { parts.splice(0, parts.length, new Blob(parts)); held = 0; }
  }
  return new Blob(parts, { type: PARQUET_TYPE });
}

export function exportStoreStream(db, storeName, options = {}) {
  let it = null;
  return new ReadableStream({
    async pull(ctl) {
      it ??= exportChunks(db, storeName, options);
      const { value, done: end } = await it.next();
      if (end) ctl.close(); else ctl.enqueue(value);
    },
    async cancel() { await it?.return(); },
  }, { highWaterMark: 1 });
}

export async function exportDatabase(db, options = {}) {
  const out = [];
  for (const store of options.stores ?? [...db.objectStoreNames]) out.push({ store, blob: await exportStore(db, store, options) });
  return out;
}

// ---- Parquet sources ----------------------------------------------------------------------

// A source as { size, name, read(offset, length) -> Promise<Uint8Array> }.
async function openSource(src) {
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) {
    const u8 = src instanceof ArrayBuffer ? new Uint8Array(src) : new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
    return { size: u8.length, name: 'buffer', read: async (o, n) => u8.subarray(o, o + n) };
  }
  if (typeof ReadableStream !== 'undefined' && src instanceof ReadableStream) {
    // Parquet's footer is at the end: the stream is kept as a Blob (which the browser may
    // hold on disk) before reading.
    src = await new Response(src).blob();
  }
  if (typeof src === 'string' || src instanceof URL) return openUrl(String(src));
  if (src instanceof Blob) {
    return { size: src.size, name: src.name || 'blob', read: async (o, n) => new Uint8Array(await src.slice(o, o + n).arrayBuffer()) };
  }
  throw new TypeError('idbpq: a Parquet source is a Blob/File, ArrayBuffer, typed array, URL or ReadableStream');
}

async function openUrl(url) {
  // Ranges when the server serves them (only the footer and one row group in memory at a
  // time); otherwise the whole response as a Blob.
  const probe = await fetch(url, { headers: { Range: 'bytes=0-0' } });
  const total = /\/(\d+)$/.exec(probe.headers.get('Content-Range') ?? '');
  if (probe.status === 206 && total) {
    await probe.body?.cancel();
    return {
      size: Number(total[1]), name: url,
      async read(o, n) {
        const r = await fetch(url, { headers: { Range: `bytes=${o}-${o + n - 1}` } });
        const b = new Uint8Array(await r.arrayBuffer());
        if (r.status !== 206 || b.length !== n) throw new Error(`idbpq: ${url}: the server answered bytes ${o}..${o + n} with HTTP ${r.status} and ${b.length} bytes`);
        return b;
      },
    };
  }
  if (!probe.ok) throw new Error(`idbpq: ${url}: HTTP ${probe.status}`);
  const blob = await probe.blob();
  return { size: blob.size, name: url, read: async (o, n) => new Uint8Array(await blob.slice(o, o + n).arrayBuffer()) };
}

// Opens the file: its footer is read and checked before anything else happens.
async function openParquet(src, o = {}) {
  await init();
  const { size, name } = src;
  if (size < 12) throw new Error(`idbpq: ${name}: ${size} bytes is too small for a Parquet file (at least 12)`);
  const end = await src.read(size - 8, 8);
  if (dec.decode(end.subarray(4)) !== 'PAR1') {
    const hex = [...end.subarray(4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`idbpq: ${name}: not a Parquet file (its last 4 bytes, at byte ${size - 4}, are ${hex}, not "PAR1")`);
  }
  const footer = new DataView(end.buffer, end.byteOffset, 8).getUint32(0, true);
  if (footer + 12 > size) throw new Error(`idbpq: ${name}: the footer length ${footer} at byte ${size - 8} is larger than the file (${size} bytes)`);
  const tail = await src.read(size - footer - 8, footer + 8);
  const head = await src.read(0, 4);
  const hp = copyIn(head), tp = copyIn(tail), np = cString(name), kp = cString(o.keyColumn ?? '');
  const h = api.ipq_reader_open(size, hp, tp, tail.length, np, kp, o.int64 === 'bigint' ? 1 : 0, 0);
  api.ipq_free(hp);
  api.ipq_free(np);
  api.ipq_free(kp);
  if (!h) throw wasmError('cannot read the file');
  const n = api.ipq_reader_info(h);
  if (n < 0) { api.ipq_reader_free(h); throw wasmError(name); }
  const info = JSON.parse(dec.decode(heap().subarray(api.ipq_reader_out(h), api.ipq_reader_out(h) + n)));
  return { h, info, src };
}

// Yields arrays of { key, value } (key undefined for in-line and generated keys are kept as
// the file gives them), one row group window at a time.
async function* fileRecords(file, o = {}) {
  const { h, info, src } = file;
  let left = o.limit ?? Infinity;
  for (const g of info.rowGroups) {
    if (left <= 0) return;
    const bytes = await src.read(g.start, g.end - g.start);
    api.ipq_reader_window(h, g.start, copyIn(bytes), bytes.length);
    let rows = g.rows;
    while (rows > 0 && left > 0) {
      const n = api.ipq_reader_next(h, Math.min(rows, left, BATCH_RECORDS), BATCH_BYTES);
      if (n < 0) throw wasmError('reading records');
      if (n === 0) break;
      rows -= n;
      left -= n;
      yield { records: unframe(api.ipq_reader_out(h), api.ipq_reader_out_len(h), n), bytes: g.end, rows: n };
    }
  }
}

function unframe(p, len, n) {
  const u8 = heap().subarray(p, p + len);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const out = new Array(n);
  let at = 0;
  const u32 = () => { const v = dv.getUint32(at, true); at += 4; return v; };
  const str = () => { const l = u32(); const s = dec.decode(u8.subarray(at, at + l)); at += l; return s; };
  for (let i = 0; i < n; i++) {
    const kl = u32(), ks = at; at += kl;
    const vl = u32(), vs = at; at += vl;
    const nb = u32();
    const blobs = [];
    for (let b = 0; b < nb; b++) {
      const kind = u32();
      at += 8; // size: the data's length says it
      const lastModified = dv.getFloat64(at, true); at += 8;
      const type = str(), name = str();
      const dl = u32();
      const data = u8.slice(at, at + dl); at += dl;
      blobs.push(kind ? new File([data], name, { type, lastModified }) : new Blob([data], { type }));
    }
    const blobAt = (k) => blobs[k];
    out[i] = {
      key: kl ? readValue(u8, ks, ks + kl, blobAt).value : undefined,
      value: readValue(u8, vs, vs + vl, blobAt).value,
    };
  }
  return out;
}

export async function inspectParquet(source, options = {}) {
  const file = await openParquet(await openSource(source));
  try {
    const rows = [];
    for await (const b of fileRecords(file, { limit: options.rows ?? 20 })) rows.push(...b.records);
    const i = file.info;
    return { numRows: i.numRows, rowGroups: i.rowGroups.length, createdBy: i.createdBy, native: i.native, store: i.store, columns: i.columns, rows };
  } finally {
    api.ipq_reader_free(file.h);
  }
}

// ---- import -------------------------------------------------------------------------------

function sameKeyPath(a, b) { return JSON.stringify(a ?? null) === JSON.stringify(b ?? null); }

// The store to create (or expect) for this file and these options.
function targetStore(info, o) {
  const s = info.store;
  if (o.keyPath !== undefined) return { keyPath: o.keyPath, autoIncrement: false, indexes: s.indexes, generated: false };
  if (o.keyColumn) return { keyPath: null, autoIncrement: false, indexes: s.indexes, generated: false };
  const generated = !info.native && s.keyPath === null && s.autoIncrement;
  return { keyPath: s.keyPath, autoIncrement: s.autoIncrement, indexes: s.indexes, generated };
}

// Opens db at the next version and creates the store in the upgrade transaction; resolves
// with that transaction (the import runs inside it: if it fails, the store never existed)
// and the promise of the new connection.
function upgrade(db, storeName, t) {
  const name = db.name, version = db.version + 1;
  db.close();
  return new Promise((resolve, reject) => {
    const rq = indexedDB.open(name, version);
    const opened = new Promise((res, rej) => {
      rq.addEventListener('success', () => res(rq.result));
      rq.addEventListener('error', () => rej(rq.error));
    });
    opened.catch(() => {});
    rq.onupgradeneeded = () => {
      try {
        const s = rq.result.createObjectStore(storeName, { keyPath: t.keyPath, autoIncrement: t.autoIncrement });
        for (const ix of t.indexes ?? []) s.createIndex(ix.name, ix.keyPath, { unique: ix.unique, multiEntry: ix.multiEntry });
        resolve({ tx: rq.transaction, opened });
      } catch (e) {
        rq.transaction.abort();
        reject(e);
      }
    };
    rq.addEventListener('error', () => reject(rq.error));
  });
}

export async function importParquet(db, storeName, source, options = {}) {
  const o = options;
  const mode = o.mode ?? 'put';
  if (!['add', 'put', 'replace', 'skip-existing'].includes(mode)) throw new Error(`idbpq: unknown import mode "${mode}" (add, put, replace, skip-existing)`);
  if (o.keyPath !== undefined && o.keyColumn) throw new Error('idbpq: keyPath and keyColumn exclude each other');
  const file = await openParquet(await openSource(source), o);
  const { info } = file;
  const t = targetStore(info, o);
  const exists = db.objectStoreNames.contains(storeName);
  try {
    if (!exists && !o.createStore)
      throw new Error(`idbpq: database "${db.name}" has no store "${storeName}" (pass createStore: true to create it from the file)`);
    let inline = t.keyPath !== null;
    if (exists) {
      const s = db.transaction(storeName, 'readonly').objectStore(storeName);
      if (info.native && !o.keyColumn && o.keyPath === undefined && !sameKeyPath(s.keyPath, t.keyPath))
        throw new Error(`idbpq: store "${storeName}" has key path ${JSON.stringify(s.keyPath)}, the file's records have ${JSON.stringify(t.keyPath)}`);
      inline = s.keyPath !== null;
      if (!inline && !s.autoIncrement && t.generated)
        throw new Error(`idbpq: store "${storeName}" has out-of-line keys and the file has no key column (pass keyColumn, or import into an autoIncrement store)`);
    }
    if (o.signal?.aborted) throw abortError(o.signal);
    const stats = { records: 0, skipped: 0 };
    let newDb = db;
    if (o.transaction === 'paged') {
      if (!exists) { const u = await upgrade(db, storeName, t); newDb = await u.opened; }
      await writePaged(newDb, storeName, file, o, mode, inline, t.generated, stats);
    } else if (!exists) {
      const u = await upgrade(db, storeName, t);
      try {
        await writeAll(u.tx, storeName, file, o, mode, inline, t.generated, stats);
        newDb = await u.opened;
      } catch (e) {
        await u.opened.catch(() => {});
        throw Object.assign(e, { db: await reopen(db.name) });
      }
    } else {
      const tx = db.transaction(storeName, 'readwrite');
      await writeAll(tx, storeName, file, o, mode, inline, t.generated, stats);
    }
    o.onProgress?.({ phase: 'done', records: stats.records, total: info.numRows, bytes: file.src.size });
    return { db: newDb, records: stats.records, skipped: stats.skipped, store: { ...info.store, name: storeName, keyPath: t.keyPath, autoIncrement: t.autoIncrement } };
  } finally {
    api.ipq_reader_free(file.h);
  }
}

function reopen(name) { return done(indexedDB.open(name)); }

// The records of a batch the options keep (filter, columns).
function kept(batch, o, stats) {
  if (!o.filter && !o.columns) return batch;
  const cols = o.columns ? new Set(o.columns) : null, none = new Set();
  const out = [];
  for (const r of batch) {
    if (o.filter && !o.filter(r.value, r.key)) { stats.skipped++; continue; }
    out.push(cols ? { key: r.key, value: pick(r.value, cols, none) } : r);
  }
  return out;
}

// Issues the writes of one batch; resolves when every request it made has been answered
// (the writes, and skip-existing's checks). The first put throws (TransactionInactiveError)
// before anything is issued when the transaction is not active, so a Pump can retry the call.
function issue(store, batch, mode, inline, generated, stats) {
  let open = 1, settle;
  const answered = new Promise((r) => { settle = r; });
  const release = () => { if (--open === 0) settle(); };
  for (const { key, value } of batch) {
    const k = inline || generated ? undefined : key;
    let req;
    if (generated) req = store.add(value);
    else if (mode === 'put' || mode === 'replace') req = k === undefined ? store.put(value) : store.put(value, k);
    else req = k === undefined ? store.add(value) : store.add(value, k);
    if (mode === 'skip-existing') {
      // ConstraintError is also a unique index refusing a new key: that one must still fail
      // the import, so the key's presence decides.
      req.onerror = (ev) => {
        if (req.error?.name !== 'ConstraintError') return;
        ev.preventDefault();
        open++;
        const q = store.count(k === undefined ? keyAt(value, store.keyPath) : k);
        q.onsuccess = () => {
          if (q.result) { stats.skipped++; stats.records--; } else {
            stats.failure ??= req.error;
            store.transaction.abort();
          }
          release();
        };
        q.onerror = release;
      };
    }
    stats.records++;
    open++;
    req.addEventListener('success', release);
    req.addEventListener('error', release);
  }
  release();
  return answered;
}

async function writeAll(tx, storeName, file, o, mode, inline, generated, stats) {
  const ended = finished(tx);
  ended.catch(() => {});
  const pump = new Pump(tx, tx.objectStore(storeName));
  const onAbort = () => { try { tx.abort(); } catch { /* already over */ } };
  o.signal?.addEventListener('abort', onAbort);
  let read = 0;
  try {
    if (mode === 'replace') await pump.request((s) => s.clear());
    let inflight = Promise.resolve();
    for await (const b of fileRecords(file)) {
      if (o.signal?.aborted) throw abortError(o.signal);
      await inflight; // at most two batches of requests queued: bounded memory
      const batch = kept(b.records, o, stats);
      inflight = pump.run((s) => issue(s, batch, mode, inline, generated, stats));
      inflight.catch(() => {}); // awaited above on the next turn, or the failure is `ended`'s
      read += b.rows;
      o.onProgress?.({ phase: 'write', records: read, total: file.info.numRows, bytes: b.bytes });
    }
    await inflight;
    pump.stop();
    try { tx.commit?.(); } catch { /* it finished already: `ended` says how */ }
    await ended;
  } catch (e) {
    pump.stop();
    try { tx.abort(); } catch { /* already over */ }
    await ended.catch(() => {});
    if (o.signal?.aborted) throw abortError(o.signal);
    throw recordError(e, stats);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (o.signal?.aborted) throw abortError(o.signal);
}

function recordError(e, stats) {
  e = stats.failure ?? e;
  if (e instanceof DOMException && e.name === 'ConstraintError')
    return new Error(`idbpq: import stopped near record ${stats.records}: ${e.message} (nothing was written)`, { cause: e });
  return e;
}

// One transaction per batch: an abort keeps what was committed.
async function writePaged(db, storeName, file, o, mode, inline, generated, stats) {
  let first = true;
  for await (const b of fileRecords(file)) {
    if (o.signal?.aborted) throw abortError(o.signal);
    const tx = db.transaction(storeName, 'readwrite');
    const ended = finished(tx);
    const s = tx.objectStore(storeName);
    if (first && mode === 'replace') s.clear();
    first = false;
    issue(s, kept(b.records, o, stats), mode, inline, generated, stats);
    try { await ended; } catch (e) { throw recordError(e, stats); }
    o.onProgress?.({ phase: 'write', records: stats.records, total: file.info.numRows, bytes: b.bytes });
  }
}
