// page.js — the in-page half of the browser benchmark; bench.mjs drives it through
// window.bench (README.md says what each case does and what is timed):
//   fill(n, seed)                   the store 'items' of database 'bench', keyPath 'id'
//   prepare(kase, {n, seed, input}) opens the database, loads the case's library, fetches its
//                                   input file (imports); none of it timed
//   run(kase)                       the timed operation: {ms, records, bytes}
//   finish(kase, {n, seed, upload}) uploads the output (PUT), checks what an import wrote,
//                                   reports wasm memory; not timed
import { SEED, rng, record, records } from '/browser/data.js';

const DB = 'bench', STORE = 'items';
const IMPORT_DB = 'import', IMPORT_STORE = 'items2';
const PAGE = 1000;                 // getAll page, as idbpq's default pageSize
const IDBPQ_URL = '/web/idbpq.js';

const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
const txDone = (tx) => new Promise((res, rej) => {
  tx.oncomplete = () => res();
  tx.onerror = () => rej(tx.error);
  tx.onabort = () => rej(tx.error || new Error('transaction aborted'));
});
function openDb(name, version, upgrade) {
  return new Promise((res, rej) => {
    const r = version ? indexedDB.open(name, version) : indexedDB.open(name);
    r.onupgradeneeded = () => upgrade && upgrade(r.result);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
    r.onblocked = () => rej(new Error(`open ${name}: blocked`));
  });
}

// Every record of STORE in key order, getAll pages of PAGE records after the last key seen, in
// one readonly transaction (as idbpq's default snapshot export). onPage gets each page.
function readPages(db, onPage) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, 'readonly');
    const os = tx.objectStore(STORE);
    let n = 0;
    const next = (after) => {
      const r = os.getAll(after === undefined ? null : IDBKeyRange.lowerBound(after, true), PAGE);
      r.onsuccess = () => {
        const rows = r.result;
        n += rows.length;
        if (rows.length) onPage(rows);
        if (rows.length === PAGE) next(rows[rows.length - 1].id);
      };
    };
    tx.oncomplete = () => resolve(n);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('read transaction aborted'));
    next(undefined);
  });
}
async function readAll(db) {
  const rows = [];
  await readPages(db, (page) => { for (const r of page) rows.push(r); });
  return rows;
}
// All rows put in one readwrite transaction of a store that exists and is empty.
async function putAll(db, rows) {
  const tx = db.transaction(IMPORT_STORE, 'readwrite');
  const os = tx.objectStore(IMPORT_STORE);
  for (const r of rows) os.put(r);
  await txDone(tx);
}

/* ---- the peers ------------------------------------------------------------------------------ */

// hyparquet-writer: the columns of the records, with the nested ones (address, tags) as a
// Parquet struct and list through an explicit schema (inferred, they would become JSON strings).
function hyparquetColumns(rows) {
  const col = (f) => rows.map((r) => r[f]);
  return [
    { name: 'id', data: col('id') }, { name: 'name', data: col('name') },
    { name: 'email', data: col('email') }, { name: 'age', data: col('age') },
    { name: 'visits', data: col('visits') }, { name: 'score', data: col('score') },
    { name: 'rating', data: col('rating') }, { name: 'level', data: col('level') },
    { name: 'created', data: col('created') }, { name: 'active', data: col('active') },
    { name: 'tags', data: col('tags') }, { name: 'address', data: col('address') },
    { name: 'phone', data: rows.map((r) => r.phone ?? null) },
  ];
}
const HYPARQUET_SCHEMA = [
  { name: 'root', num_children: 13 },
  { name: 'id', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'email', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'age', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'visits', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'score', type: 'DOUBLE', repetition_type: 'REQUIRED' },
  { name: 'rating', type: 'DOUBLE', repetition_type: 'REQUIRED' },
  { name: 'level', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'created', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'REQUIRED' },
  { name: 'active', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  { name: 'tags', converted_type: 'LIST', repetition_type: 'OPTIONAL', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'address', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'city', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'zip', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'phone', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
];

// apache-arrow: one typed vector per field, then an Arrow table.
function arrowTable(A, rows) {
  const col = (f) => rows.map((r) => r[f]);
  const vec = (f, type) => A.vectorFromArray(col(f), type);
  return new A.Table({
    id: vec('id', new A.Int32()), name: vec('name', new A.Utf8()), email: vec('email', new A.Utf8()),
    age: vec('age', new A.Int32()), visits: vec('visits', new A.Int32()),
    score: vec('score', new A.Float64()), rating: vec('rating', new A.Float64()),
    level: vec('level', new A.Utf8()),
    created: A.vectorFromArray(rows.map((r) => r.created.getTime()), new A.TimestampMillisecond()),
    active: vec('active', new A.Bool()),
    tags: vec('tags', new A.List(new A.Field('item', new A.Utf8(), false))),
    address: vec('address', new A.Struct([new A.Field('city', new A.Utf8(), true), new A.Field('zip', new A.Utf8(), true)])),
    phone: A.vectorFromArray(rows.map((r) => r.phone ?? null), new A.Utf8()),
  });
}

const S = {};   // the case's state between prepare, run and finish

async function loadIdbpq() {
  try {
    const m = await import(IDBPQ_URL);
    await m.init();
    return m;
  } catch (e) {
    throw new Error(`not available: idbpq did not load: ${e && e.message ? e.message : e}`);
  }
}
async function duckdbWasmBytes() {
  const ch = new BroadcastChannel('bench-wasm-memory');
  try {
    return await new Promise((res) => {
      const t = setTimeout(() => res(null), 5000);
      ch.onmessage = (e) => { clearTimeout(t); res(e.data.bytes); };
      ch.postMessage('query');
    });
  } finally { ch.close(); }
}

async function prepare(kase, { n, seed = SEED, input = null }) {
  const t0 = performance.now();
  S.kase = kase;
  S.out = null;
  S.progress = null;
  if (kase.startsWith('export-')) S.db = await openDb(DB);
  switch (kase) {
    case 'export-floor': break;
    case 'export-idbpq': case 'export-idbpq-stream': case 'export-idbpq-rg16': S.lib = await loadIdbpq(); break;
    case 'export-hyparquet': S.lib = await import('hyparquet-writer'); break;
    case 'export-parquet-wasm': {
      const pw = await import('parquet-wasm');
      await pw.default({ module_or_path: '/nm/parquet-wasm/esm/parquet_wasm_bg.wasm' });
      S.lib = { pw, A: await import('apache-arrow') };
      break;
    }
    case 'export-duckdb': {
      const duckdb = await import('@duckdb/duckdb-wasm');
      const worker = new Worker('/browser/duckdb-worker.js');
      const ddb = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
      await ddb.instantiate('/nm/@duckdb/duckdb-wasm/dist/duckdb-eh.wasm');
      const conn = await ddb.connect();
      // DuckDB-Wasm's own apache-arrow, whose tables its insertArrowTable takes.
      const A = await import('/nm/@duckdb/duckdb-wasm/node_modules/apache-arrow/Arrow.dom.mjs');
      S.lib = { ddb, conn, A, version: await ddb.getVersion() };
      break;
    }
    case 'import-floor':
      S.rows = records(n, seed);
      S.db = await openDb(IMPORT_DB, 1, (d) => d.createObjectStore(IMPORT_STORE, { keyPath: 'id' }));
      break;
    case 'import-idbpq': case 'import-idbpq-foreign': case 'import-hyparquet': {
      const r = await fetch(input);
      if (!r.ok) throw new Error(`input ${input}: HTTP ${r.status}`);
      S.blob = await r.blob();
      if (kase === 'import-hyparquet') {
        S.lib = await import('hyparquet');
        S.db = await openDb(IMPORT_DB, 1, (d) => d.createObjectStore(IMPORT_STORE, { keyPath: 'id' }));
      } else {
        S.lib = await loadIdbpq();
        S.db = await openDb(IMPORT_DB, 1);
      }
      break;
    }
    default: throw new Error(`unknown case ${kase}`);
  }
  return { loadMs: performance.now() - t0, duckdb: S.lib && S.lib.version ? S.lib.version : undefined };
}

async function run(kase) {
  const db = S.db, lib = S.lib;
  let records = null, bytes = null;
  const t0 = performance.now();
  switch (kase) {
    case 'export-floor':
      records = await readPages(db, () => {});
      break;
    case 'export-idbpq': case 'export-idbpq-rg16': {
      const rowGroupBytes = kase === 'export-idbpq-rg16' ? 16 * 2 ** 20 : undefined;
      S.out = await lib.exportStore(db, STORE, { codec: 'snappy', rowGroupBytes, onProgress: (p) => { S.progress = p; } });
      bytes = S.out.size;
      break;
    }
    case 'export-idbpq-stream': {
      let n = 0;
      await lib.exportStoreStream(db, STORE, { codec: 'snappy', onProgress: (p) => { S.progress = p; } })
        .pipeTo(new WritableStream({ write(c) { n += c.byteLength; } }));
      bytes = n;
      break;
    }
    case 'export-hyparquet': {
      const rows = await readAll(db);
      records = rows.length;
      S.out = lib.parquetWriteBuffer({ columnData: hyparquetColumns(rows), schema: HYPARQUET_SCHEMA, codec: 'SNAPPY' });
      bytes = S.out.byteLength;
      break;
    }
    case 'export-parquet-wasm': {
      const { pw, A } = lib;
      const rows = await readAll(db);
      records = rows.length;
      const ipc = A.tableToIPC(arrowTable(A, rows), 'stream');
      const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).build();
      S.out = pw.writeParquet(pw.Table.fromIPCStream(ipc), props);   // consumes the table and props
      bytes = S.out.byteLength;
      break;
    }
    case 'export-duckdb': {
      const { ddb, conn, A } = lib;
      const rows = await readAll(db);
      records = rows.length;
      await conn.insertArrowTable(arrowTable(A, rows), { name: 'items' });
      await conn.query("COPY items TO 'items.parquet' (FORMAT parquet, COMPRESSION snappy)");
      S.out = await ddb.copyFileToBuffer('items.parquet');
      bytes = S.out.byteLength;
      break;
    }
    case 'import-floor':
      await putAll(db, S.rows);
      records = S.rows.length;
      break;
    case 'import-idbpq': case 'import-idbpq-foreign': {
      const opts = kase === 'import-idbpq' ? { createStore: true } : { keyPath: 'id', createStore: true };
      const r = await lib.importParquet(db, IMPORT_STORE, S.blob, opts);
      S.db = r.db;
      records = r.records;
      bytes = S.blob.size;
      break;
    }
    case 'import-hyparquet': {
      const rows = await lib.parquetReadObjects({ file: await S.blob.arrayBuffer() });
      await putAll(db, rows);
      records = rows.length;
      bytes = S.blob.size;
      break;
    }
    default: throw new Error(`unknown case ${kase}`);
  }
  const ms = performance.now() - t0;
  // idbpq's last progress report says how many records it exported and how many of them went
  // to the _raw fallback column.
  if (S.progress) { records = S.progress.records; return { ms, records, bytes, fallbacks: S.progress.fallbacks ?? null }; }
  return { ms, records, bytes };
}

// Tagged JSON of a value (Dates, undefined and absent properties distinguishable).
function tj(v) {
  return JSON.stringify(v, function (k, x) {
    const raw = k === '' ? v : this[k];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (typeof raw === 'bigint') return { $bigint: String(raw) };
    return x === undefined ? { $undefined: true } : x;
  });
}
// Deep equality of records; absentIsNull: a property absent on one side equals null on the other
// (what a file without idbpq's type map can give back).
function same(a, b, absentIsNull = false) {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i], absentIsNull));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (has(a, k) && has(b, k)) { if (!same(a[k], b[k], absentIsNull)) return false; } else if (!absentIsNull || (has(a, k) ? a[k] : b[k]) !== null) return false;
    }
    return true;
  }
  return Object.is(a, b);
}

async function finish(kase, { n, seed = SEED, upload = null }) {
  const out = { wasmBytes: self.benchWasmBytes() || null };
  if (kase === 'export-duckdb' && S.lib) {
    out.wasmBytes = await duckdbWasmBytes();
  }
  if (upload && S.out) {
    const r = await fetch(upload, { method: 'PUT', body: S.out });
    if (!r.ok) throw new Error(`upload ${upload}: HTTP ${r.status}`);
    out.uploaded = S.out.size ?? S.out.byteLength;
  }
  if (kase.startsWith('import-')) {
    // What the import wrote: the count, and every k-th record against the generated one.
    const os = () => S.db.transaction(IMPORT_STORE).objectStore(IMPORT_STORE);
    out.count = await req(os().count());
    const step = Math.max(1, Math.floor(n / 500));
    const R = rng(seed);
    let checked = 0, mismatches = 0, beyond = 0;
    for (let i = 0; i < n; i++) {
      const want = record(R, i);
      if (i % step) continue;
      const got = await req(os().get(want.id));
      checked++;
      if (!same(want, got)) {
        mismatches++;
        if (!same(want, got, true)) beyond++;
        if (!out.firstMismatch || (beyond === 1 && !same(want, got, true))) out.firstMismatch = { want: tj(want), got: tj(got) };
      }
    }
    out.checked = checked;
    out.mismatches = mismatches;
    out.mismatchesBeyondAbsent = beyond;
  }
  return out;
}

window.bench = {
  async fill(n, seed = SEED) {
    const db = await openDb(DB, 1, (d) => d.createObjectStore(STORE, { keyPath: 'id' }));
    const R = rng(seed);
    for (let i = 0; i < n;) {
      const tx = db.transaction(STORE, 'readwrite');
      const os = tx.objectStore(STORE);
      for (const end = Math.min(n, i + 10000); i < end; i++) os.put(record(R, i));
      await txDone(tx);
    }
    const count = await req(db.transaction(STORE).objectStore(STORE).count());
    db.close();
    return count;
  },
  prepare, run, finish,
};
window.benchReady = true;
