// browser_page.js — the page side of tests/web/browser_test.mjs: builds IndexedDB stores of
// every shape and value type, drives web/idbpq.js, and compares what comes back with what
// went in. The comparison (canon) is written here, independent of v8wire.js and the wasm:
// a canonical text of a value graph (types, -0, NaN, lone surrogates, sharing and cycles,
// Blob bytes), with plain objects' properties sorted (a Parquet round trip may reorder them).
import * as idbpq from '/idbpq.js';

const T = {};
window.T = T;
window.idbpq = idbpq;

function req(r) { return new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); }); }
function txDone(tx) { return new Promise((res, rej) => { tx.oncomplete = () => res(); tx.onabort = () => rej(tx.error); }); }

async function openDb(name, upgrade, version) {
  const r = indexedDB.open(name, version);
  if (upgrade) r.onupgradeneeded = () => upgrade(r.result, r.transaction);
  return req(r);
}
T.deleteDb = (name) => req(indexedDB.deleteDatabase(name));

// ---- canonical text --------------------------------------------------------------------------

function canonSync(v, blobs) {
  const ids = new Map();
  const c = (x) => {
    if (x === undefined) return ['undefined'];
    if (x === null) return null;
    switch (typeof x) {
      case 'boolean': case 'string': return x;
      case 'number':
        if (Object.is(x, -0)) return ['-0'];
        return Number.isFinite(x) ? x : ['num', String(x)];
      case 'bigint': return ['bigint', x.toString()];
      default: break;
    }
    if (ids.has(x)) return ['ref', ids.get(x)];
    ids.set(x, ids.size);
    if (x instanceof Date) return ['Date', String(x.getTime())];
    if (x instanceof RegExp) return ['RegExp', x.source, x.flags];
    if (x instanceof Map) return ['Map', [...x].map(([k, w]) => [c(k), c(w)])];
    if (x instanceof Set) return ['Set', [...x].map(c)];
    if (x instanceof ArrayBuffer) return ['ArrayBuffer', [...new Uint8Array(x)].join(',')];
    if (ArrayBuffer.isView(x)) {
      const tag = Object.prototype.toString.call(x).slice(8, -1);
      return [tag, x.byteOffset, x.byteLength, x.buffer.byteLength, [...new Uint8Array(x.buffer, x.byteOffset, x.byteLength)].join(',')];
    }
    if (x instanceof Blob) {
      blobs.push(x);
      return x instanceof File ? ['File', x.name, x.type, x.size, x.lastModified, blobs.length - 1] : ['Blob', x.type, x.size, blobs.length - 1];
    }
    if (x instanceof Error) return ['Error', x.name, x.message];
    if (x instanceof Number || x instanceof String || x instanceof Boolean || (typeof BigInt !== 'undefined' && x instanceof Object && Object.prototype.toString.call(x) === '[object BigInt]'))
      return ['boxed', c(x.valueOf())];
    if (Array.isArray(x)) return ['Array', x.length, Object.keys(x).map((k) => [k, c(x[k])])];
    return ['Object', Object.keys(x).sort().map((k) => [k, c(x[k])])];
  };
  return c(v);
}

async function canon(v) {
  const blobs = [];
  const text = canonSync(v, blobs);
  const bytes = await Promise.all(blobs.map(async (b) => [...new Uint8Array(await b.arrayBuffer())].join(',')));
  return JSON.stringify([text, bytes]);
}

// Every record of a store as canonical text lines, keys and values.
async function dump(db, storeName) {
  const tx = db.transaction(storeName, 'readonly');
  const s = tx.objectStore(storeName);
  const [keys, values] = await Promise.all([req(s.getAllKeys()), req(s.getAll())]);
  const out = [];
  for (let i = 0; i < keys.length; i++) out.push(JSON.stringify(canonSync(keys[i], [])) + ' ' + await canon(values[i]));
  return out;
}

function shape(db, storeName) {
  const s = db.transaction(storeName, 'readonly').objectStore(storeName);
  const ix = [...s.indexNames].map((n) => { const i = s.index(n); return { name: n, keyPath: i.keyPath, unique: i.unique, multiEntry: i.multiEntry }; });
  return JSON.stringify({ keyPath: s.keyPath, autoIncrement: s.autoIncrement, indexes: ix });
}

// ---- deterministic data ----------------------------------------------------------------------

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

// One value of every kind structured clone keeps, varied by i.
function typesValue(i, r) {
  const shared = { s: 'shared' + i };
  const cyc = { name: 'cycle' }; cyc.self = cyc;
  const buf = new ArrayBuffer(16); new Uint8Array(buf).forEach((_, k, a) => { a[k] = (k * 7 + i) & 255; });
  const holes = [1, , 3]; holes.extra = 'x'; // eslint-disable-line no-sparse-arrays
  const sparse = []; sparse[1000] = i;
  const all = [
    undefined, null, true, false, 0, -0, NaN, Infinity, -Infinity, 2 ** 53 + 2, -1.5e-300, i,
    123456789012345678901234567890n, -5n, 'plain', '', 'lone \ud800 surrogate', 'emoji 😀 ü', 'x'.repeat(3000),
    new Date(1700000000000 + i), new Date(NaN), /a+b/gi, new Number(3), new String('boxed'), new Boolean(false), Object(7n),
    new Map([[1, 'one'], ['two', { n: 2 }], [new Date(5), null]]), new Set([1, 'a', shared]),
    buf, new Uint8Array(buf, 4, 8), new Float64Array([1.5, -0, NaN]), new Int16Array([-3, 4]), new BigInt64Array([-1n, 2n]),
    new DataView(buf, 2, 4), new RangeError('bad ' + i), new Blob(['blob ' + i], { type: 'text/plain' }),
    new File([new Uint8Array([0, 255, i & 255])], 'f' + i + '.bin', { type: 'application/octet-stream', lastModified: 1600000000000 + i }),
    { nested: { deep: { deeper: [i, { leaf: 'v' + i }] } } }, [shared, shared], cyc, holes, sparse, [],
  ];
  return all[i % all.length] === undefined && r() < 0.5 ? { wrapped: undefined } : all[i % all.length];
}

function appRecord(i, r) {
  const names = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Frances'];
  const rec = {
    id: i, name: names[i % names.length] + ' ' + Math.floor(r() * 1000), email: `user${i}@example.com`,
    age: 18 + Math.floor(r() * 60), score: Math.round(r() * 10000) / 100, active: r() < 0.7,
    created: new Date(1600000000000 + Math.floor(r() * 1e11)),
    address: { city: ['Paris', 'Oslo', 'Lima', 'Kyiv'][i % 4], zip: String(10000 + (i % 9000)) },
    tags: ['a', 'b', 'c', 'd', 'e'].slice(0, 1 + (i % 5)),
  };
  if (i % 7 === 0) rec.note = null;
  if (i % 11 === 0) rec.optional = 'present ' + i;
  return rec;
}

// Stores of every shape; each filled with n records.
T.fillShapes = async (dbName, n, seed) => {
  await T.deleteDb(dbName);
  const r = rng(seed);
  const db = await openDb(dbName, (d) => {
    const inl = d.createObjectStore('inline', { keyPath: 'id' });
    inl.createIndex('by_email', 'email', { unique: true });
    inl.createIndex('by_tags', 'tags', { multiEntry: true });
    inl.createIndex('by_city_age', ['address.city', 'age']);
    d.createObjectStore('outofline');
    d.createObjectStore('compound', { keyPath: ['k1', 'k2'] });
    d.createObjectStore('auto', { keyPath: 'id', autoIncrement: true }).createIndex('by_name', 'name');
    d.createObjectStore('autoout', { autoIncrement: true });
    d.createObjectStore('nested', { keyPath: 'a.b' });
    d.createObjectStore('types');
    d.createObjectStore('mixed', { keyPath: 'id' });
    d.createObjectStore('empty', { keyPath: 'id' });
  }, 1);
  const tx = db.transaction(db.objectStoreNames, 'readwrite');
  const st = (name) => tx.objectStore(name);
  const outKeys = [(i) => i * 1.5 - 100, (i) => 'k' + i, (i) => new Date(1e12 + i), (i) => new Uint8Array([i & 255, i >> 8, 7]).buffer, (i) => [i % 3, 'x' + i, [i]]];
  for (let i = 0; i < n; i++) {
    st('inline').put(appRecord(i, r));
    st('outofline').put(appRecord(i, r), outKeys[i % outKeys.length](i));
    st('compound').put({ k1: i % 10, k2: 'p' + i, v: r() });
    const a = appRecord(i, r); delete a.id; st('auto').put(a);
    st('autoout').put({ v: i, s: 's' + i });
    st('nested').put({ a: { b: 'key' + i }, c: i });
    st('types').put(typesValue(i, r), i);
    st('mixed').put({ id: i, v: [i, 'str' + i, { o: i }, [i], true, null, new Date(i), i + 0.5][i % 8] });
  }
  await txDone(tx);
  const stores = [...db.objectStoreNames];
  db.close();
  return stores;
};

// Exports a store, imports the file into a fresh database with createStore, compares.
T.roundTrip = async (dbName, storeName, exportOpts = {}) => {
  const db = await openDb(dbName);
  const blob = await idbpq.exportStore(db, storeName, exportOpts);
  const want = await dump(db, storeName);
  const wantShape = shape(db, storeName);
  db.close();
  const target = dbName + '-rt-' + storeName;
  await T.deleteDb(target);
  const db2 = await openDb(target);
  const res = await idbpq.importParquet(db2, storeName, blob, { createStore: true });
  const got = await dump(res.db, storeName);
  const gotShape = shape(res.db, storeName);
  let firstDiff = -1;
  for (let i = 0; i < Math.max(want.length, got.length); i++) if (want[i] !== got[i]) { firstDiff = i; break; }
  // autoIncrement stores continue after the imported keys
  let nextKeys = null;
  const s0 = res.db.transaction(storeName, 'readonly').objectStore(storeName);
  if (s0.autoIncrement) {
    const dbo = await openDb(dbName);
    const add = async (d) => { const tx = d.transaction(storeName, 'readwrite'); const k = await req(tx.objectStore(storeName).add(s0.keyPath ? { extra: 1 } : { extra: 1 })); tx.abort(); return k; };
    nextKeys = [await add(dbo), await add(res.db)];
    dbo.close();
  }
  res.db.close();
  return { records: want.length, imported: res.records, size: blob.size, same: firstDiff < 0 && want.length === got.length,
    firstDiff, want: firstDiff >= 0 ? want[firstDiff]?.slice(0, 400) : null, got: firstDiff >= 0 ? got[firstDiff]?.slice(0, 400) : null,
    shapeSame: wantShape === gotShape, wantShape, gotShape, nextKeys };
};

// The streaming export gives the same bytes as the Blob one.
T.streamSame = async (dbName, storeName) => {
  const db = await openDb(dbName);
  const blob = new Uint8Array(await (await idbpq.exportStore(db, storeName)).arrayBuffer());
  const parts = [];
  await idbpq.exportStoreStream(db, storeName).pipeTo(new WritableStream({
    async write(chunk) { parts.push(chunk); await new Promise((r) => setTimeout(r, 5)); }, // a slow consumer
  }));
  db.close();
  const s = new Uint8Array(await new Blob(parts).arrayBuffer());
  return { blob: blob.length, stream: s.length, same: s.length === blob.length && s.every((b, i) => b === blob[i]) };
};

// Fills store 'big' of dbName with n app records.
T.fillBig = async (dbName, n, seed) => {
  await T.deleteDb(dbName);
  const db = await openDb(dbName, (d) => d.createObjectStore('big', { keyPath: 'id' }).createIndex('by_email', 'email'), 1);
  const r = rng(seed);
  for (let i = 0; i < n; i += 10000) {
    const tx = db.transaction('big', 'readwrite');
    for (let j = i; j < Math.min(n, i + 10000); j++) tx.objectStore('big').put(appRecord(j, r));
    await txDone(tx);
  }
  db.close();
};

// A digest of a store's canonical records (for stores too large to ship to Node).
async function digest(db, storeName) {
  const lines = [];
  let range = null;
  for (;;) {
    const s = db.transaction(storeName, 'readonly').objectStore(storeName);
    const [keys, values] = await Promise.all([req(s.getAllKeys(range, 5000)), req(s.getAll(range, 5000))]);
    for (let i = 0; i < keys.length; i++) lines.push(JSON.stringify(canonSync(keys[i], [])) + JSON.stringify(canonSync(values[i], [])));
    if (keys.length < 5000) break;
    range = IDBKeyRange.lowerBound(keys[keys.length - 1], true);
  }
  const h = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(lines.join('\n')));
  return { count: lines.length, sha: [...new Uint8Array(h)].map((b) => b.toString(16).padStart(2, '0')).join('') };
}
T.digest = async (dbName, storeName) => { const db = await openDb(dbName); try { return await digest(db, storeName); } finally { db.close(); } };

// Big store: export (timed here only for information) then import into another database.
T.bigRoundTrip = async (dbName, opts = {}) => {
  const db = await openDb(dbName);
  let t = performance.now();
  let progressCalls = 0;
  const blob = await idbpq.exportStore(db, 'big', { ...opts, onProgress: () => progressCalls++ });
  const exportMs = performance.now() - t;
  const want = await digest(db, 'big');
  db.close();
  await T.deleteDb(dbName + '-copy');
  const db2 = await openDb(dbName + '-copy');
  t = performance.now();
  const res = await idbpq.importParquet(db2, 'big', blob, { createStore: true, transaction: opts.transaction });
  const importMs = performance.now() - t;
  const got = await digest(res.db, 'big');
  const indexes = [...res.db.transaction('big', 'readonly').objectStore('big').indexNames];
  res.db.close();
  return { want, got, size: blob.size, exportMs: Math.round(exportMs), importMs: Math.round(importMs), progressCalls, indexes };
};

// Abort in the middle of an import: the store keeps exactly what it had.
T.abortImport = async (dbName, sourceDb, createStore) => {
  const src = await openDb(sourceDb);
  const blob = await idbpq.exportStore(src, 'big');
  src.close();
  await T.deleteDb(dbName);
  let db = await openDb(dbName, (d) => d.createObjectStore('target', { keyPath: 'id' }), 1);
  { const tx = db.transaction('target', 'readwrite'); for (let i = 0; i < 50; i++) tx.objectStore('target').put({ id: -1 - i, keep: true }); await txDone(tx); }
  const before = await digest(db, 'target');
  const ac = new AbortController();
  let seen = 0, error = null;
  try {
    await idbpq.importParquet(db, createStore ? 'fresh' : 'target', blob, {
      mode: createStore ? 'put' : 'replace', createStore, signal: ac.signal,
      onProgress: (p) => { seen = p.records; if (p.records >= 20000) ac.abort(); },
    });
  } catch (e) { error = `${e.name}: ${e.message}`; if (e.db) db = e.db; }
  if (createStore) db = await openDb(dbName);
  const after = await digest(db, 'target');
  const stores = [...db.objectStoreNames];
  const version = db.version;
  db.close();
  return { before, after, seen, error, stores, version };
};

// Corrupt files: a clear error, and nothing written.
T.corruptImport = async (dbName, bytes, createStore) => {
  await T.deleteDb(dbName);
  let db = await openDb(dbName, (d) => d.createObjectStore('target', { keyPath: 'id' }), 1);
  { const tx = db.transaction('target', 'readwrite'); for (let i = 0; i < 10; i++) tx.objectStore('target').put({ id: -1 - i }); await txDone(tx); }
  const before = await digest(db, 'target');
  let error = null;
  try {
    const file = new File([new Uint8Array(bytes)], 'corrupt.parquet');
    await idbpq.importParquet(db, createStore ? 'fresh' : 'target', file, { mode: 'put', createStore, keyPath: createStore ? undefined : undefined });
  } catch (e) { error = String(e.message); if (e.db) db = e.db; }
  db.close();
  db = await openDb(dbName);
  const after = await digest(db, 'target');
  const r = { error, before, after, stores: [...db.objectStoreNames], version: db.version };
  db.close();
  return r;
};

// Export a store as bytes (to Node, base64).
T.exportBase64 = async (dbName, storeName, opts = {}) => {
  const db = await openDb(dbName);
  const blob = await idbpq.exportStore(db, storeName, opts);
  db.close();
  const u8 = new Uint8Array(await blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
  return btoa(s);
};

// Imports the file at url (a foreign file) and returns its records normalized for comparison.
T.importUrl = async (dbName, url, opts) => {
  await T.deleteDb(dbName);
  const db = await openDb(dbName);
  const res = await idbpq.importParquet(db, 'data', url, { createStore: true, ...opts });
  const tx = res.db.transaction('data', 'readonly');
  const s = tx.objectStore('data');
  const [keys, values] = await Promise.all([req(s.getAllKeys()), req(s.getAll())]);
  const shp = shape(res.db, 'data');
  res.db.close();
  return { records: res.records, shape: shp, keys: keys.map(norm), values: values.map(norm) };
};

// JSON-able form for comparing with an oracle in Node.
function norm(v) {
  if (v === null || v === undefined) return v ?? null;
  if (typeof v === 'bigint') return 'B:' + v;
  if (v instanceof Date) return 'D:' + v.getTime();
  if (v instanceof Map) return { $map: [...v].map(([k, w]) => [norm(k), norm(w)]) };
  if (v instanceof Uint8Array) return 'U:' + [...v].join(',');
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, norm(v[k])]));
  return v;
}

// Modes: add (fails on an existing key, nothing written), put, replace, skip-existing.
T.modes = async (dbName) => {
  await T.deleteDb(dbName);
  const db = await openDb(dbName, (d) => d.createObjectStore('s', { keyPath: 'id' }), 1);
  { const tx = db.transaction('s', 'readwrite'); for (let i = 0; i < 100; i++) tx.objectStore('s').put({ id: i, v: 'old' }); await txDone(tx); }
  // a file with ids 50..149, v 'new'
  await T.deleteDb(dbName + '-src');
  const src = await openDb(dbName + '-src', (d) => d.createObjectStore('s', { keyPath: 'id' }), 1);
  { const tx = src.transaction('s', 'readwrite'); for (let i = 50; i < 150; i++) tx.objectStore('s').put({ id: i, v: 'new' }); await txDone(tx); }
  const file = await idbpq.exportStore(src, 's');
  src.close();
  const count = async () => {
    const s = db.transaction('s', 'readonly').objectStore('s');
    const all = await req(s.getAll());
    return { n: all.length, news: all.filter((x) => x.v === 'new').length };
  };
  const out = {};
  try { await idbpq.importParquet(db, 's', file, { mode: 'add' }); out.add = 'no error'; } catch (e) { out.add = e.message; }
  out.afterAdd = await count();
  const skip = await idbpq.importParquet(db, 's', file, { mode: 'skip-existing' });
  out.skip = { records: skip.records, skipped: skip.skipped, ...(await count()) };
  await idbpq.importParquet(db, 's', file, { mode: 'put' });
  out.put = await count();
  await idbpq.importParquet(db, 's', file, { mode: 'replace' });
  out.replace = await count();
  const paged = await idbpq.importParquet(db, 's', file, { mode: 'put', transaction: 'paged', filter: (v) => v.id % 2 === 0, columns: ['id'] });
  out.paged = { records: paged.records, skipped: paged.skipped };
  const s = db.transaction('s', 'readonly').objectStore('s');
  out.pagedSample = await req(s.get(52));
  try { await idbpq.importParquet(db, 'nope', file, {}); out.missing = 'no error'; } catch (e) { out.missing = e.message; }
  db.close();
  // skip-existing skips present keys, but a new key refused by a unique index fails the import
  await T.deleteDb(dbName + '-u');
  const u = await openDb(dbName + '-u', (d) => d.createObjectStore('u', { keyPath: 'id' }).createIndex('e', 'email', { unique: true }), 1);
  { const tx = u.transaction('u', 'readwrite'); tx.objectStore('u').put({ id: 1, email: 'a' }); await txDone(tx); }
  const uf = async (recs) => {
    await T.deleteDb(dbName + '-uf');
    const d = await openDb(dbName + '-uf', (x) => x.createObjectStore('u', { keyPath: 'id' }), 1);
    const tx = d.transaction('u', 'readwrite'); for (const r of recs) tx.objectStore('u').put(r); await txDone(tx);
    const f = await idbpq.exportStore(d, 'u'); d.close(); return f;
  };
  const okFile = await uf([{ id: 1, email: 'a' }, { id: 3, email: 'c' }]);
  const badFile = await uf([{ id: 1, email: 'a' }, { id: 2, email: 'a' }, { id: 4, email: 'd' }]);
  try { await idbpq.importParquet(u, 'u', badFile, { mode: 'skip-existing' }); out.uniqueBad = 'no error'; } catch (e) { out.uniqueBad = e.message; }
  out.uniqueBadCount = await req(u.transaction('u').objectStore('u').count());
  const ok = await idbpq.importParquet(u, 'u', okFile, { mode: 'skip-existing' });
  out.uniqueOk = { records: ok.records, skipped: ok.skipped, count: await req(u.transaction('u').objectStore('u').count()) };
  u.close();
  return out;
};

// A consistent snapshot: writes issued during an export wait for it; the file holds exactly
// the records there were when it started.
T.snapshot = async (dbName) => {
  const db = await openDb(dbName);
  const before = await req(db.transaction('big', 'readonly').objectStore('big').count());
  let started;
  const reading = new Promise((r) => { started = r; });
  const stream = idbpq.exportStoreStream(db, 'big', { pageSize: 500, onProgress: () => started() });
  const parts = [];
  let wrote = false;
  const writer = (async () => {
    await reading; // the export's transaction exists: the writer's comes after it
    const tx = db.transaction('big', 'readwrite');
    for (let i = 0; i < 100; i++) tx.objectStore('big').put({ id: 1e9 + i, late: true });
    await txDone(tx);
    wrote = true;
  })();
  let wroteDuring = false;
  await stream.pipeTo(new WritableStream({ async write(c) { parts.push(c); await new Promise((r) => setTimeout(r, 10)); wroteDuring ||= wrote; } }));
  await writer;
  const after = await req(db.transaction('big', 'readonly').objectStore('big').count());
  // clean up the late records
  { const tx = db.transaction('big', 'readwrite'); tx.objectStore('big').delete(IDBKeyRange.lowerBound(1e9)); await txDone(tx); }
  db.close();
  const info = await idbpq.inspectParquet(new Blob(parts), { rows: 3 });
  return { before, after, fileRows: info.numRows, wroteDuring };
};

T.inspect = async (dbName, storeName) => {
  const db = await openDb(dbName);
  const blob = await idbpq.exportStore(db, storeName, { codec: 'zstd' });
  const db2 = await idbpq.exportDatabase(db, { codec: 'gzip' });
  db.close();
  const info = await idbpq.inspectParquet(blob, { rows: 5 });
  return { numRows: info.numRows, native: info.native, store: info.store, columns: info.columns, rows: info.rows.map((r) => norm(r.value)), codecs: [...new Set(info.columns.map((c) => c.codec))], database: db2.map((x) => [x.store, x.blob.size]) };
};

// The module in a Worker.
T.worker = (dbName, storeName) => new Promise((resolve) => {
  const w = new Worker('/t/browser_worker.js', { type: 'module' });
  w.onmessage = (e) => { resolve(e.data); w.terminate(); };
  w.onerror = (e) => { resolve({ error: e.message }); w.terminate(); };
  w.postMessage({ dbName, storeName });
});

// An export aborted midway rejects with the signal's reason and leaves its transaction.
T.exportAbort = async (dbName) => {
  const db = await openDb(dbName);
  const ac = new AbortController();
  let error = null, pages = 0;
  try {
    await idbpq.exportStore(db, 'big', { pageSize: 500, signal: ac.signal, onProgress: () => { if (++pages === 3) ac.abort(); } });
  } catch (e) { error = e.name; }
  // the store is writable again (the export's readonly transaction ended)
  const tx = db.transaction('big', 'readwrite');
  tx.objectStore('big').put({ id: 2e9 });
  tx.objectStore('big').delete(2e9);
  await txDone(tx);
  db.close();
  return { error, pages };
};

T.ready = true;
