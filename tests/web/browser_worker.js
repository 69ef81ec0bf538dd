// browser_worker.js — idbpq.js in a module Worker (suite 73): export a store and import the
// file into a new database, all inside the worker; posts the counts back.
import * as idbpq from '/idbpq.js';

const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });

self.onmessage = async ({ data: { dbName, storeName } }) => {
  try {
    const db = await req(indexedDB.open(dbName));
    const blob = await idbpq.exportStore(db, storeName, { codec: 'zstd' });
    const count = await req(db.transaction(storeName).objectStore(storeName).count());
    db.close();
    await req(indexedDB.deleteDatabase(dbName + '-worker'));
    const target = await req(indexedDB.open(dbName + '-worker'));
    const res = await idbpq.importParquet(target, storeName, blob, { createStore: true });
    const copied = await req(res.db.transaction(storeName).objectStore(storeName).count());
    res.db.close();
    self.postMessage({ count, copied, records: res.records, size: blob.size });
  } catch (e) {
    self.postMessage({ error: String(e && e.stack || e) });
  }
};
