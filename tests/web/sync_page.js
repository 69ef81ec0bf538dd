// sync_page.js — the page side of tests/web/sync_test.mjs: fills and edits IndexedDB stores,
// runs web/sync.js against a table (HTTP or OPFS), and reports stores, results and logs in
// plain JSON for the driver to compare.
import * as sync from '/sync.js';

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
  const tx = d.transaction(['syncs', 'entries']);
  const [sync, entries] = await Promise.all([req(tx.objectStore('syncs').get(id)),
    req(tx.objectStore('entries').count(IDBKeyRange.bound([id], [id + '\0'], false, true)))]);
  d.close();
  return { header: sync?.header ?? null, savedAt: sync?.savedAt ?? null, entries };
};

T.ready = true;
