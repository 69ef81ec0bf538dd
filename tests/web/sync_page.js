// sync_page.js — the page side of tests/web/sync_test.mjs: fills and edits IndexedDB stores,
// runs web/sync.js against a table (HTTP or OPFS), and reports stores, results and logs in
// plain JSON for the driver to compare.
import * as sync from '/sync.js';
import * as state from '/sync_state.js';
import { readValue } from '/v8wire.js';

const T = {};
window.T = T;
window.sync = sync;

function req(r) { return new Promise((ok, err) => { r.onsuccess = () => ok(r.result); r.onerror = () => err(r.error); }); }
function txDone(tx) { return new Promise((ok, err) => { tx.oncomplete = () => ok(); tx.onabort = () => err(tx.error); }); }

const STORE = 'items';
async function open(name) {
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'id' });
  return req(r);
}

// { dir } stands for a directory the user picked: the picker needs a gesture, so an OPFS
// directory handle is handed to directoryTable instead (the same File System Access calls).
function tableOf(spec) {
  if (spec.http) return sync.httpTable(spec.http);
  if (spec.opfs) return sync.opfsTable(spec.opfs);
  if (spec.dir) {
    const handle = (async () => {
      let d = await navigator.storage.getDirectory();
      for (const p of spec.dir.split('/')) d = await d.getDirectoryHandle(p, { create: true });
      return d;
    })();
    return whenHandle(`picked:${spec.dir}`, handle);
  }
  throw new Error(`no table in ${JSON.stringify(spec)}`);
}
// directoryTable takes a handle at once; the page's handle comes from a promise, so each call
// waits for it and goes to a table made over the real handle.
function whenHandle(id, handle) {
  const real = handle.then((h) => sync.directoryTable(h, { id }));
  const out = { id };
  for (const m of ['list', 'open', 'put', 'write', 'remove']) out[m] = async (...a) => (await real)[m](...a);
  return out;
}

// Records carry a Blob now and then, so that Blob contents cross both ways.
function record(id, name, updatedAt, extra = {}) {
  const v = { id, name, n: id * 1.5, updatedAt, tags: [name, String(id)], ...extra };
  return v;
}
T.record = record;

T.fill = async (db, ids, name = 'v0', updatedAt = 1000) => {
  const d = await open(db);
  const tx = d.transaction(STORE, 'readwrite');
  for (const id of ids) tx.objectStore(STORE).put(record(id, `${name}-${id}`, updatedAt, id % 50 === 7 ? { file: new Blob([`blob ${id}`], { type: 'text/plain' }) } : {}));
  await txDone(tx);
  d.close();
};

// puts: [[id, name, updatedAt]], dels: [id]
T.edit = async (db, puts = [], dels = []) => {
  const d = await open(db);
  const tx = d.transaction(STORE, 'readwrite');
  for (const [id, name, at] of puts) tx.objectStore(STORE).put(record(id, name, at));
  for (const id of dels) tx.objectStore(STORE).delete(id);
  await txDone(tx);
  d.close();
};

// The store as plain JSON (Blobs as their text), in key order.
async function plain(v) {
  if (v instanceof Blob) return { blob: await v.text(), type: v.type };
  if (Array.isArray(v)) return Promise.all(v.map(plain));
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = await plain(v[k]);
    return o;
  }
  return v;
}
T.plain = plain;
T.dump = async (db) => {
  const d = await open(db);
  const all = await req(d.transaction(STORE).objectStore(STORE).getAll());
  d.close();
  return plain(all);
};

const merge = (c) => {
  if (!c.local || !c.table) return c.local ? 'local' : 'table';
  return { ...c.table, name: `${c.local.name}+${c.table.name}`, updatedAt: Math.max(c.local.updatedAt, c.table.updatedAt) };
};
const seen = [];

// options.policy 'merge' is the callback above; options.abortAt aborts at the first progress
// report of that phase (or 'start': right away); options.killAt calls the driver's kill hook.
T.sync = async (db, spec, options = {}) => {
  const d = await open(db);
  const o = { ...options };
  const ctl = new AbortController();
  const progress = [];
  if (o.policy === 'merge') o.policy = (c) => { seen.push(c); return merge(c); };
  if (o.policy === 'throw') o.policy = () => { throw new Error('the callback refused'); };
  o.signal = ctl.signal;
  o.onProgress = (p) => {
    progress.push(p.phase);
    if (options.abortAt === p.phase) ctl.abort();
    if (options.killAt === p.phase && p.done > 0) window.killMe?.(p.phase);
  };
  if (options.abortAt === 'start') ctl.abort();
  delete o.abortAt;
  delete o.killAt;
  const t0 = performance.now();
  try {
    const r = await sync.syncStore(d, STORE, tableOf(spec), o);
    return { ...r, conflicts: await plain(r.conflicts), ms: Math.round(performance.now() - t0), phases: [...new Set(progress)] };
  } catch (e) {
    return { error: `${e.name}: ${e.message}`, errorName: e.name, cause: String(e.cause ?? ''), phases: [...new Set(progress)] };
  } finally {
    d.close();
  }
};

// A sync run in a module Worker (sync_worker.js).
T.worker = (db, spec) => new Promise((resolve) => {
  const w = new Worker('/t/sync_worker.js', { type: 'module' });
  w.onmessage = (e) => { w.terminate(); resolve(e.data); };
  w.onerror = (e) => { w.terminate(); resolve({ error: String(e.message ?? e) }); };
  w.postMessage({ db, spec });
});

T.conflictLog = async (db, spec) => plain(await sync.readConflictLog({ db: { name: db }, store: STORE, table: tableOf(spec).id }));
T.mergeSeen = () => plain(seen);

T.inspect = async (spec, rows = 100000) => {
  const info = await sync.inspectTable(tableOf(spec), { rows });
  if (!info) return null;
  return { ...info, rows: await plain(info.rows.map((r) => r.value)) };
};

// Every file of an OPFS directory, base64, for the driver to check on disk.
T.opfsFiles = async (path) => {
  let d = await navigator.storage.getDirectory();
  for (const p of path.split('/')) d = await d.getDirectoryHandle(p);
  const out = {};
  const walk = async (dir, rel) => {
    for await (const [name, h] of dir.entries()) {
      const r = rel ? `${rel}/${name}` : name;
      if (h.kind === 'directory') await walk(h, r);
      else {
        const b = new Uint8Array(await (await h.getFile()).arrayBuffer());
        let s = '';
        for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192));
        out[r] = btoa(s);
      }
    }
  };
  await walk(d, '');
  return out;
};

// What the state database holds for one store and table: its header and entry count.
T.state = async (db, spec, stateDb = 'idbpq-sync') => {
  if (!(await indexedDB.databases()).some((x) => x.name === stateDb)) return null;
  const d = await req(indexedDB.open(stateDb));
  const id = JSON.stringify([db, STORE, tableOf(spec).id]);
  const tx = d.transaction(['syncs', 'chunks']);
  const [sync, chunks] = await Promise.all([req(tx.objectStore('syncs').get(id)),
    req(tx.objectStore('chunks').getAll(IDBKeyRange.bound([id], [id + '\0'], false, true)))]);
  d.close();
  return { header: sync?.header ?? null, savedAt: sync?.savedAt ?? null, entries: chunks.reduce((n, c) => n + c.keys.length, 0) };
};

// The chunked state (sync_state.js) against a sorted array: seeded random saves of upserts and
// deletes of mixed key types (numbers, strings, dates, binary, arrays), then the pages read back
// must be the reference's entries in key order, digests included.
T.stateFuzz = async (seed, rounds) => {
  let x = seed >>> 0 || 1;
  const rnd = (n) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
  const keyOf = () => {
    switch (rnd(5)) {
      case 0: return rnd(5000) - 2500;
      case 1: return 's' + rnd(3000);
      case 2: return new Date(rnd(2000) * 1000);
      case 3: return new Uint8Array([rnd(256), rnd(256)]).buffer;
      default: return [rnd(50), 'k' + rnd(40)];
    }
  };
  const name = `idbpq-sync-fuzz-${seed}`;
  await req(indexedDB.deleteDatabase(name));
  const sdb = await state.openStateDb(name);
  const side = state.stateSide(sdb, 'fuzz', {});
  const ref = [];
  const find = (k) => { let lo = 0, hi = ref.length; while (lo < hi) { const m = (lo + hi) >> 1; if (indexedDB.cmp(ref[m].key, k) < 0) lo = m + 1; else hi = m; } return lo; };
  try {
    for (let r = 0; r < rounds; r++) {
      const n = r === 0 ? 5000 : rnd(r % 7 === 0 ? 3000 : 300);
      const ups = [];
      for (let i = 0; i < n; i++) {
        const key = keyOf(), digest = new Uint8Array(16).map(() => rnd(256));
        ups.push({ key, digest, deleted: rnd(4) === 0 });
      }
      await side.save(`h${r}`, ups, []);
      for (const u of ups) {
        const at = find(u.key), hit = at < ref.length && indexedDB.cmp(ref[at].key, u.key) === 0;
        if (u.deleted) { if (hit) ref.splice(at, 1); } else if (hit) ref[at].digest = u.digest; else ref.splice(at, 0, { key: u.key, digest: u.digest });
      }
      side.rewind();
      const got = [];
      for (let b = await side.next(); b.length; b = await side.next()) {
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        for (let at = 0; at < b.length;) {
          const kl = dv.getUint32(at, true);
          const key = readValue(b, at + 4, at + 4 + kl).value;
          at += 4 + kl + 4;
          got.push({ key, digest: b.slice(at, at + 16) });
          at += 16;
        }
      }
      const same = got.length === ref.length && got.every((g, i) => indexedDB.cmp(g.key, ref[i].key) === 0 && g.digest.every((v, j) => v === ref[i].digest[j]));
      if (!same || (await side.header()) !== `h${r}`) return { round: r, entries: ref.length, got: got.length, ok: false };
    }
    const chunks = await req(sdb.transaction('chunks').objectStore('chunks').count());
    return { ok: true, entries: ref.length, chunks };
  } finally {
    sdb.close();
    await req(indexedDB.deleteDatabase(name));
  }
};

T.ready = true;
