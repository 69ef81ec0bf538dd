// sync.js — incremental two-way sync between an IndexedDB object store and a Delta Lake table
// (docs/browser.md, "Sync"). The engine is idbpq's C sync (idbpq_sync) in idbpq_sync.wasm; its
// storage, store and state callbacks are this module's async functions, reached through JSPI
// (WebAssembly.Suspending / WebAssembly.promising): the C code awaits OPFS, fetch and
// IndexedDB as if they were calls. wasm/sync_api.c describes the byte layouts both ways.
// Tables live behind adapters (sync_tables.js): OPFS, a picked directory, an S3-style HTTP
// object store, or any object with the same methods.
import { V8Writer, readValue } from './v8wire.js';
import { wasiImports } from './wasi_shim.js';
import { PAGE, req, txDone, pager, openStateDb, stateSide } from './sync_state.js';

export { opfsTable, directoryTable, httpTable } from './sync_tables.js';

const S = { END: 21, IO: 30, EXISTS: 31, STATE: 40, ABORTED: 42 };
const STATUS_NAMES = { 1: 'NOMEM', 2: 'INVALID_ARG', 10: 'CORRUPT', 11: 'UNSUPPORTED', 12: 'LIMIT', 15: 'SCHEMA', 21: 'END', 30: 'IO', 31: 'EXISTS', 40: 'STATE', 41: 'CONFLICT', 42: 'ABORTED' };
const CODECS = { none: 0, uncompressed: 0, snappy: 1, gzip: 2, zstd: 6 };
const FOLD = 16 << 20;
const enc = new TextEncoder();
const dec = new TextDecoder();

// The imports sync_api.c declares (tools/wasm_imports.mjs checks the module against it).
export const SYNC_IMPORTS = ['take', 'io_list', 'io_open', 'io_size', 'io_read', 'io_close', 'io_put', 'io_create',
  'io_write', 'io_finish', 'io_remove', 'local_rewind', 'local_next', 'local_apply', 'state_load', 'state_rewind',
  'state_next', 'state_save', 'resolve', 'log', 'progress', 'should_abort', 'random', 'local_get', 'state_get'];
const SUSPENDING = new Set(['io_list', 'io_open', 'io_read', 'io_put', 'io_finish', 'io_remove', 'local_rewind',
  'local_next', 'local_apply', 'state_load', 'state_rewind', 'state_next', 'state_save', 'resolve', 'local_get',
  'state_get']);

let compiling = null;

/** Compiles idbpq_sync.wasm once (every call instantiates it afresh: one operation per
 *  instance, so that concurrent syncs never share a suspended stack, and memory is released). */
export function initSync({ wasm } = {}) {
  if (typeof WebAssembly.Suspending !== 'function' || typeof WebAssembly.promising !== 'function')
    return Promise.reject(new Error('idbpq: sync needs JavaScript Promise Integration (WebAssembly.Suspending; Chromium 137+)'));
  compiling ??= (async () => {
    let mod = wasm ?? new URL('./idbpq_sync.wasm', import.meta.url);
    if (mod instanceof WebAssembly.Module) return mod;
    if (typeof mod === 'string' || mod instanceof URL) mod = await fetch(mod);
    if (mod instanceof Response) {
      if (!mod.ok) throw new Error(`idbpq: cannot load idbpq_sync.wasm: HTTP ${mod.status} from ${mod.url}`);
      mod = await mod.arrayBuffer();
    }
    return WebAssembly.compile(mod);
  })().catch((e) => { compiling = null; throw e; });
  return compiling;
}

function statusError(status, message) { return Object.assign(new Error(message), { status }); }
function abortError(signal) { return signal?.reason ?? new DOMException('aborted', 'AbortError'); }

// ---- one instance per operation ----------------------------------------------------------

async function instantiate(op) {
  const mod = await initSync(op.wasmOptions);
  let memory = null, stash = null, nextHandle = 1;
  const handles = new Map();
  const u8 = () => new Uint8Array(memory.buffer);
  const text = (p, n) => dec.decode(u8().subarray(p, p + n));
  const copy = (p, n) => u8().slice(p, p + n);
  const leave = (bytes) => { stash = bytes; return bytes.length; };
  const fail = (e) => {
    op.errors.push(e);
    stash = enc.encode(String(e?.message ?? e));
    return -(e?.status ?? S.IO);
  };
  // A thrown policy callback stops the sync as an abort does (C polls should_abort too).
  const stopIfAborted = () => { if (op.signal?.aborted || op.callbackError) throw statusError(S.ABORTED, 'aborted'); };
  const noWrites = (what) => { if (op.dryRun) throw statusError(S.STATE, `dry run: the engine tried to ${what}`); };
  const fns = {
    take(dst, cap) {
      const s = stash ?? new Uint8Array(0);
      stash = null;
      const n = Math.min(cap, s.length);
      if (n) u8().set(s.subarray(0, n), dst);
      return n;
    },
    async io_list(p, n) {
      const dir = text(p, n);
      const w = new V8Writer(4096);
      for (const f of await op.table.list(dir)) {
        w.writeBytes(enc.encode(f.path + '\0')); // C uses the path in place
        w.writeF64(f.size);
        w.writeF64(f.mtime ?? -1);
      }
      return leave(w.bytes().slice());
    },
    async io_open(p, n) {
      const path = text(p, n);
      const f = await op.table.open(path);
      if (!f) { stash = enc.encode(`${path}: no such file`); return -S.END; }
      handles.set(nextHandle, f);
      return nextHandle++;
    },
    io_size: (h) => handles.get(h).size,
    async io_read(h, off, buf, len) {
      const bytes = await handles.get(h).read(off, len);
      if (bytes.length !== len) throw statusError(S.IO, `short read: ${bytes.length} of ${len} bytes at ${off}`);
      u8().set(bytes, buf);
      return 0;
    },
    io_close(h) { handles.get(h)?.close?.(); handles.delete(h); },
    async io_put(p, n, bp, bn, ifAbsent) {
      const path = text(p, n), bytes = copy(bp, bn);
      noWrites(`write ${path}`);
      if (ifAbsent) stopIfAborted(); // a commit: the last point where an abort leaves the table as it was
      const written = await op.table.put(path, bytes, { ifAbsent: !!ifAbsent });
      if (ifAbsent && !written) { stash = enc.encode(`${path} exists`); return -S.EXISTS; }
      return 0;
    },
    io_create(p, n) {
      const path = text(p, n);
      try { noWrites(`create ${path}`); } catch (e) { return fail(e); }
      handles.set(nextHandle, { path, parts: [], held: 0 });
      return nextHandle++;
    },
    io_write(h, p, n) {
      // Chunks gather into a Blob every 16 MiB: the page's heap holds at most that much of a file.
      const f = handles.get(h);
      f.parts.push(copy(p, n));
      f.held += n;
      if (f.held >= FOLD) { f.parts = [new Blob(f.parts)]; f.held = 0; }
      return 0;
    },
    async io_finish(h, keep) {
      const f = handles.get(h);
      handles.delete(h);
      if (keep) await op.table.write(f.path, new Blob(f.parts));
      return 0;
    },
    async io_remove(p, n) {
      const path = text(p, n);
      noWrites(`remove ${path}`);
      return (await op.table.remove(path)) === false ? (stash = enc.encode(`${path}: no such file`), -S.END) : 0;
    },
    async local_rewind() { op.local.rewind(); return 0; },
    async local_next() { return leave(await op.local.next()); },
    async local_apply(p, n, count) {
      noWrites('write the store');
      stopIfAborted();
      await op.local.apply(decodeOps(copy(p, n), count));
      return 0;
    },
    // A pull-only sync looks up the keys the table changed, one by one.
    async local_get(kp, kn) {
      const bytes = await op.local.get(readValue(u8(), kp, kp + kn).value);
      if (!bytes) { stash = enc.encode('absent'); return -S.END; }
      return leave(bytes);
    },
    async state_get(kp, kn, hp) {
      const digest = await op.state.get(readValue(u8(), kp, kp + kn).value);
      if (!digest) return 0;
      u8().set(digest, hp);
      return 1;
    },
    async state_load() {
      const h = await op.state.header();
      if (h == null) { stash = enc.encode('no state'); return -S.END; }
      return leave(enc.encode(h));
    },
    async state_rewind() { op.state.rewind(); return 0; },
    async state_next() { return leave(await op.state.next()); },
    async state_save(hp, hn, p, n, count) {
      noWrites('save the sync state');
      await op.state.save(text(hp, hn), decodeEntries(copy(p, n), count), op.log.splice(0));
      return 0;
    },
    async resolve(p, n) {
      try {
        return await resolveConflict(op, copy(p, n), (bytes) => { stash = bytes; });
      } catch (e) {
        op.callbackError ??= e;
        stash = enc.encode(String(e?.message ?? e));
        return -1;
      }
    },
    log(kp, kn, winner, lp, ln, tableVersion) {
      const key = readValue(u8(), kp, kp + kn).value;
      let line;
      try { line = JSON.parse(text(lp, ln)); } catch { line = text(lp, ln); }
      const entry = { key, winner: ['merged', 'local', 'table'][winner] ?? String(winner), tableVersion, decision: line, at: Date.now() };
      op.conflicts.push(entry);
      op.log.push(entry);
    },
    progress(p, n, done, total) { op.onProgress?.({ phase: text(p, n), done, total }); },
    should_abort: () => (op.signal?.aborted || op.callbackError ? 1 : 0),
    random(p, n) {
      for (let at = 0; at < n; at += 65536) crypto.getRandomValues(u8().subarray(p + at, p + Math.min(n, at + 65536)));
    },
  };
  const ipq = {};
  for (const name of SYNC_IMPORTS) {
    const f = fns[name];
    if (!SUSPENDING.has(name)) { ipq[name] = f; continue; }
    // An exception must not cross into C: it becomes -status with the message in the stash.
    ipq[name] = new WebAssembly.Suspending(async (...a) => { try { return await f(...a); } catch (e) { return fail(e); } });
  }
  const instance = await WebAssembly.instantiate(mod, { ...wasiImports(() => memory), ipq });
  memory = instance.exports.memory;
  instance.exports._initialize();
  const x = instance.exports;
  const cstr = (s) => { const b = enc.encode((s ?? '') + '\0'); const p = x.ipq_alloc(b.length); u8().set(b, p); return p; };
  const out = () => copy(x.ipq_out(), x.ipq_out_len());
  const errmsg = () => { const m = u8(); const p = x.ipq_errmsg(); let e = p; while (m[e]) e++; return text(p, e - p); };
  return { x, cstr, out, errmsg, promising: (name) => WebAssembly.promising(x[name]), u8 };
}

// ---- records across the boundary (wasm/api.c's framing) --------------------------------------

// Frames records ({key, value}) with their Blob contents; the contents are read first.
async function frameRecords(w, records, withKeys) {
  const bytesOf = new Map();
  for (let pass = 0; pass < 2; pass++) {
    w.reset();
    const missing = new Set();
    for (const { key, value } of records) {
      w.beginRecord();
      const first = w.blobs.length;
      const k = w.reserveU32();
      if (withKeys) w.patchU32(k, w.writeValue(key));
      const v = w.reserveU32();
      w.patchU32(v, w.writeValue(value));
      w.writeU32(w.blobs.length - first);
      for (const blob of w.blobs.slice(first)) {
        const isFile = typeof File !== 'undefined' && blob instanceof File;
        const data = bytesOf.get(blob);
        if (!data) missing.add(blob);
        w.writeU32(isFile ? 1 : 0);
        w.writeF64(blob.size);
        w.writeF64(isFile ? blob.lastModified : 0);
        w.writeBytes(enc.encode(blob.type));
        w.writeBytes(enc.encode(isFile ? blob.name : ''));
        w.writeBytes(data ?? new Uint8Array(0));
      }
    }
    if (!missing.size) break;
    await Promise.all([...missing].map(async (b) => bytesOf.set(b, new Uint8Array(await b.arrayBuffer()))));
  }
  return w.bytes().slice();
}

// Reads one framed record at r.at: { key, value } (key undefined when none was sent).
function readRecord(u8, r) {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const u32 = () => { const v = dv.getUint32(r.at, true); r.at += 4; return v; };
  const str = () => { const l = u32(); const s = dec.decode(u8.subarray(r.at, r.at + l)); r.at += l; return s; };
  const kl = u32(), ks = r.at; r.at += kl;
  const vl = u32(), vs = r.at; r.at += vl;
  const blobs = [];
  for (let b = u32(); b > 0; b--) {
    const kind = u32();
    r.at += 8;
    const lastModified = dv.getFloat64(r.at, true); r.at += 8;
    const type = str(), name = str();
    const dl = u32();
    const data = u8.slice(r.at, r.at + dl); r.at += dl;
    blobs.push(kind ? new File([data], name, { type, lastModified }) : new Blob([data], { type }));
  }
  const blobAt = (i) => blobs[i];
  return { key: kl ? readValue(u8, ks, ks + kl, blobAt).value : undefined, value: readValue(u8, vs, vs + vl, blobAt).value };
}

function decodeOps(u8, count) {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const r = { at: 0 }, ops = [];
  for (let i = 0; i < count; i++) {
    const kind = dv.getUint32(r.at, true); r.at += 4;
    if (kind === 0) { ops.push({ type: 'put', ...readRecord(u8, r) }); continue; }
    const kl = dv.getUint32(r.at, true); r.at += 4;
    ops.push({ type: 'delete', key: readValue(u8, r.at, r.at + kl).value });
    r.at += kl;
  }
  return ops;
}

function decodeEntries(u8, count) {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const out = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const deleted = dv.getUint32(at, true), kl = dv.getUint32(at + 4, true);
    at += 8;
    const key = readValue(u8, at, at + kl).value;
    at += kl;
    out.push({ key, deleted: !!deleted, digest: u8.slice(at, at + 16) });
    at += 16;
  }
  return out;
}

async function resolveConflict(op, u8, setStash) {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const hasLocal = dv.getUint32(0, true), hasTable = dv.getUint32(4, true), tableVersion = dv.getFloat64(8, true);
  const kl = dv.getUint32(16, true);
  const key = readValue(u8, 20, 20 + kl).value;
  const r = { at: 20 + kl };
  const local = hasLocal ? readRecord(u8, r).value : undefined;
  const table = hasTable ? readRecord(u8, r).value : undefined;
  const answer = await op.policy({ key, local, table, localDeleted: !hasLocal, tableDeleted: !hasTable, tableVersion });
  if (answer === 'local') return 1;
  if (answer === 'table') return 2;
  const bytes = await frameRecords(new V8Writer(), [{ value: answer }], false);
  setStash(bytes);
  return 3 + bytes.length;
}

// ---- the store side -------------------------------------------------------------------------

function describe(db, storeName) {
  const s = db.transaction(storeName, 'readonly').objectStore(storeName);
  const indexes = [...s.indexNames].map((n) => { const ix = s.index(n); return { name: n, keyPath: ix.keyPath, unique: ix.unique, multiEntry: ix.multiEntry }; });
  return { origin: globalThis.location?.origin ?? null, database: db.name, version: db.version, name: s.name, keyPath: s.keyPath, autoIncrement: s.autoIncrement, keyGenerator: 1, indexes };
}

// The store: one short readonly transaction per page (the engine also writes the store while
// it runs, so no transaction is held across the sync).
function localSide(db, storeName, desc) {
  const w = new V8Writer();
  const pages = pager(async (after) => {
    const s = db.transaction(storeName, 'readonly').objectStore(storeName);
    const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
    const [keys, values] = await Promise.all([req(s.getAllKeys(range, PAGE)), req(s.getAll(range, PAGE))]);
    return { data: keys.map((key, i) => ({ key, value: values[i] })), after: keys[keys.length - 1], last: keys.length < PAGE };
  }, (records) => frameRecords(w, records, true));
  const one = new V8Writer();
  return {
    ...pages,
    async get(key) {
      const value = await req(db.transaction(storeName, 'readonly').objectStore(storeName).get(key));
      return value === undefined ? null : (await frameRecords(one, [{ key, value }], true)).slice();
    },
    async apply(ops) {
      const tx = db.transaction(storeName, 'readwrite', { durability: 'strict' });
      const s = tx.objectStore(storeName), ended = txDone(tx);
      for (const o of ops) {
        if (o.type === 'delete') s.delete(o.key);
        else if (desc.keyPath !== null) s.put(o.value);
        else s.put(o.value, o.key);
      }
      await ended;
    },
  };
}

// db: an IDBDatabase or its name; table: an adapter or its id.
function syncId(db, storeName, table) { return JSON.stringify([db?.name ?? db, storeName, table?.id ?? table]); }

// ---- API ------------------------------------------------------------------------------------

function policyOf(p) {
  if (p === undefined || p === 'prefer-table') return { code: 2 };
  if (p === 'prefer-local') return { code: 1 };
  if (typeof p === 'function') return { code: 4, fn: p };
  if (p && typeof p === 'object' && typeof p.newest === 'string') return { code: 3, field: p.newest };
  throw new TypeError(`idbpq: unknown sync policy ${JSON.stringify(p)} ('prefer-local', 'prefer-table', {newest: field}, or a function)`);
}

export async function syncStore(db, storeName, table, options = {}) {
  const o = options;
  const policy = policyOf(o.policy);
  const direction = o.direction ?? 'both';
  if (!['both', 'push', 'pull'].includes(direction)) throw new TypeError(`idbpq: unknown direction "${direction}" (both, push, pull)`);
  const codec = CODECS[(o.codec ?? 'snappy').toLowerCase()];
  if (codec === undefined) throw new TypeError(`idbpq: unknown codec "${o.codec}" (snappy, zstd, gzip, none)`);
  if (o.signal?.aborted) throw abortError(o.signal);
  const desc = describe(db, storeName);
  const sdb = await openStateDb(o.stateDb ?? 'idbpq-sync');
  const id = syncId(db, storeName, table);
  const about = { database: db.name, store: storeName, table: table.id };
  const op = {
    table, dryRun: !!o.dryRun, signal: o.signal, onProgress: o.onProgress, policy: policy.fn, wasmOptions: o.wasm,
    local: localSide(db, storeName, desc), state: stateSide(sdb, id, about),
    errors: [], conflicts: [], log: [],
  };
  // One sync of a store with a table at a time in this browser (tabs and workers included):
  // the state database is read at the start and written at the end.
  const run = () => runSync(op, desc, o, policy, direction, codec);
  try {
    return globalThis.navigator?.locks ? await navigator.locks.request(`idbpq-sync:${id}`, run) : await run();
  } finally {
    sdb.close();
  }
}

async function runSync(op, desc, o, policy, direction, codec) {
  const m = await instantiate(op);
  const json = enc.encode(JSON.stringify(desc));
  const jp = m.x.ipq_alloc(json.length);
  m.u8().set(json, jp);
  const st = await m.promising('ipq_sync')(jp, json.length, policy.code, m.cstr(policy.field), op.dryRun ? 1 : 0,
    direction !== 'pull' ? 1 : 0, direction !== 'push' ? 1 : 0, codec, o.level ?? 0, o.targetFileBytes ?? 0,
    o.checkpointInterval ?? 0, o.maxAttempts ?? 0, m.cstr(o.keyColumn));
  if (st === S.ABORTED || (st && (o.signal?.aborted || op.callbackError))) throw op.callbackError ?? abortError(o.signal);
  if (st) {
    const e = statusError(STATUS_NAMES[st] ?? st, `idbpq: sync of "${desc.name}" with ${op.table.id}: ${m.errmsg()}`);
    if (op.errors.length) e.cause = op.errors[0];
    throw e;
  }
  if (op.log.length && !op.dryRun) await op.state.save(null, [], op.log.splice(0)); // decisions after the last save
  const r = JSON.parse(dec.decode(m.out()));
  return {
    fromVersion: r.fromVersion, toVersion: r.toVersion, committedVersion: r.committedVersion < 0 ? null : r.committedVersion,
    pulled: { upserts: r.pulledUpserts, deletes: r.pulledDeletes },
    pushed: { inserts: r.pushedInserts, updates: r.pushedUpdates, deletes: r.pushedDeletes },
    conflicts: op.conflicts,
    conflictCounts: { total: r.conflicts, local: r.conflictsLocal, table: r.conflictsTable, merged: r.conflictsMerged },
    scanned: r.scanned, filesAdded: r.filesAdded, filesRemoved: r.filesRemoved, cdcFiles: r.cdcFiles,
    bytesWritten: r.bytesWritten, attempts: r.attempts, dryRun: op.dryRun,
  };
}

/** The conflict decisions logged in the state database, oldest first: those of one store and
 *  table (db, store and table given: an IDBDatabase or its name, the store's name, the
 *  table or its id), else every decision, filtered by db and store when given. */
export async function readConflictLog({ stateDb = 'idbpq-sync', db, store, table } = {}) {
  const sdb = await openStateDb(stateDb);
  try {
    const s = sdb.transaction('log').objectStore('log');
    const all = db && store && table ? await req(s.index('sync').getAll(syncId(db, store, table))) : await req(s.getAll());
    return all.filter((e) => (!db || e.database === (db.name ?? db)) && (!store || e.store === store) && (!table || e.table === (table.id ?? table)));
  } finally {
    sdb.close();
  }
}

/** A table's snapshot: metadata, live files, and the first `rows` records. */
export async function inspectTable(table, options = {}) {
  const op = { table, dryRun: true, errors: [], conflicts: [], log: [], wasmOptions: options.wasm };
  const m = await instantiate(op);
  const r = await m.promising('ipq_table_open')(options.version ?? -1);
  if (r === 1) return null;
  if (r < 0) throw Object.assign(new Error(`idbpq: table ${table.id}: ${m.errmsg()}`), op.errors.length ? { cause: op.errors[0] } : {});
  m.x.ipq_table_info();
  const info = JSON.parse(dec.decode(m.out()));
  const rows = [];
  const next = m.promising('ipq_table_rows');
  const kc = m.cstr(options.keyColumn);
  for (let left = options.rows ?? 20; left > 0;) {
    const n = await next(Math.min(left, PAGE), kc);
    if (n < 0) throw new Error(`idbpq: table ${table.id}: ${m.errmsg()}`);
    if (n === 0) break;
    const u8 = m.out(), at = { at: 0 };
    for (let i = 0; i < n; i++) rows.push(readRecord(u8, at));
    left -= n;
  }
  return { ...info, rows };
}
