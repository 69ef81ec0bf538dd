// sync_worker.js — web/sync.js in a module Worker (suite 77): the page's database "items"
// store synced to an HTTP or OPFS table from inside the worker (JSPI, IndexedDB, fetch and
// OPFS as a worker has them); posts the result back.
import * as sync from '/sync.js';

self.onmessage = async ({ data: { db: name, spec } }) => {
  try {
    const db = await new Promise((ok, err) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => err(r.error); });
    const table = spec.http ? sync.httpTable(spec.http) : sync.opfsTable(spec.opfs);
    const r = await sync.syncStore(db, 'items', table);
    const info = await sync.inspectTable(table, { rows: 0 });
    db.close();
    self.postMessage({ ...r, conflicts: r.conflicts.length, tableVersion: info.version, tableFiles: info.numFiles });
  } catch (e) {
    self.postMessage({ error: String(e && e.stack || e) });
  }
};
