// sync_state.js — web/sync.js's sync state: what a store held at its last sync with a table,
// as record key -> 16-byte content digest in key order, plus the engine's JSON header and the
// log of conflict decisions. It lives in its own IndexedDB database (never the app's):
//   syncs   { id, header, database, store, table, savedAt } by id (one per store and table)
//   chunks  [id, first key] -> { keys: [record keys, sorted], digests: Uint8Array(16 × n) }
//   log     { sync: id, database, store, table, key, winner, tableVersion, decision, at }
// Entries are kept in chunks of about CHUNK keys because IndexedDB's cost is per record: a
// state of 30,000 entries saves in a fraction of a second as 30 chunks, where 30,000 records
// took 4 s in Chromium (and reading them 3 s). Keys stay IndexedDB keys, ordered by
// indexedDB.cmp, which is the engine's key order.
import { V8Writer } from './v8wire.js';

const CHUNK = 1000;
const AHEAD = 4;   // chunks a state page holds
export const PAGE = 1000;

export function req(r) { return new Promise((ok, err) => { r.onsuccess = () => ok(r.result); r.onerror = () => err(r.error); }); }
export function txDone(tx) {
  return new Promise((ok, err) => {
    tx.oncomplete = () => ok();
    tx.onabort = () => err(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
}

// Framed pages in key order, one read ahead: IndexedDB reads the next page while the engine
// works on this one. read(after) -> { data, after, last }; frame(data) -> bytes.
export function pager(read, frame) {
  let ahead = null, done = false;
  const fetchAfter = (after) => {
    const p = read(after).then(async (r) => ({ ...r, bytes: await frame(r.data) }));
    p.catch(() => {}); // awaited by next()
    return p;
  };
  return {
    rewind() { ahead = null; done = false; },
    async next() {
      if (done) return new Uint8Array(0);
      const page = await (ahead ?? fetchAfter(undefined));
      done = page.last;
      ahead = done ? null : fetchAfter(page.after);
      return page.bytes;
    },
  };
}

export function openStateDb(name) {
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => {
    const d = r.result;
    d.createObjectStore('syncs', { keyPath: 'id' });
    d.createObjectStore('chunks');
    d.createObjectStore('log', { autoIncrement: true }).createIndex('sync', 'sync');
  };
  return req(r);
}

const cmp = (a, b) => indexedDB.cmp(a, b);

// A chunk's entries with the updates (sorted, one per key) merged in.
function merge(keys, digests, ups) {
  const k = [], d = [];
  let i = 0, j = 0;
  while (i < keys.length || j < ups.length) {
    const c = i === keys.length ? 1 : j === ups.length ? -1 : cmp(keys[i], ups[j].key);
    if (c < 0) { k.push(keys[i]); d.push(digests.subarray(16 * i, 16 * i + 16)); i++; continue; }
    if (!ups[j].deleted) { k.push(ups[j].key); d.push(ups[j].digest); }
    if (c === 0) i++;
    j++;
  }
  return { k, d };
}

function pack(k, d) {
  const digests = new Uint8Array(16 * k.length);
  d.forEach((x, i) => digests.set(x, 16 * i));
  return { keys: k, digests };
}

// The state of one store and table (id): pages for the engine, the header, and saves.
export function stateSide(sdb, id, about) {
  const range = IDBKeyRange.bound([id], [id + '\0'], false, true); // every [id, first key]
  const w = new V8Writer();
  const pages = pager(async (after) => {
    const s = sdb.transaction('chunks').objectStore('chunks');
    const r = after === undefined ? range : IDBKeyRange.bound(after, [id + '\0'], true, true);
    const [ck, chunks] = await Promise.all([req(s.getAllKeys(r, AHEAD)), req(s.getAll(r, AHEAD))]);
    return { data: chunks, after: ck[ck.length - 1], last: ck.length < AHEAD };
  }, (chunks) => {
    w.reset();
    for (const c of chunks) {
      c.keys.forEach((k, i) => {
        const at = w.reserveU32();
        w.patchU32(at, w.writeValue(k));
        w.writeBytes(c.digests.subarray(16 * i, 16 * i + 16));
      });
    }
    return w.bytes().slice();
  });
  // get(key): the chunk holding key (the last whose first key is <= it) is kept, since a
  // pull-only sync asks for keys in order and most fall in the chunk asked before.
  let held = null;
  const find = (c, key) => {
    let lo = 0, hi = c.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1, k = cmp(c.keys[mid], key);
      if (k === 0) return c.digests.slice(16 * mid, 16 * mid + 16);
      if (k < 0) lo = mid + 1; else hi = mid;
    }
    return null;
  };
  return {
    ...pages,
    async get(key) {
      if (held && cmp(held.first, key) <= 0 && (held.next === null || cmp(key, held.next) < 0)) return find(held.chunk, key);
      const s = sdb.transaction('chunks').objectStore('chunks');
      const [before, after] = await Promise.all([
        req(s.openCursor(IDBKeyRange.bound([id], [id, key]), 'prev')).then((c) => (c ? { first: c.key[1], chunk: c.value } : null)),
        req(s.getKey(IDBKeyRange.bound([id, key], [id + '\0'], true, true))),
      ]);
      if (!before) return null; // every chunk starts after key
      held = { ...before, next: after ? after[1] : null };
      return find(held.chunk, key);
    },
    async header() { return (await req(sdb.transaction('syncs').objectStore('syncs').get(id)))?.header ?? null; },
    // One transaction: the entries, the header and the decisions logged since the last save
    // land together or not at all. Only the chunks the updates fall in are read and rewritten;
    // one that grows past twice CHUNK is split, an emptied one removed.
    async save(header, entries, log) {
      held = null;
      const tx = sdb.transaction(['syncs', 'chunks', 'log'], 'readwrite', { durability: 'strict' });
      const ended = txDone(tx), cs = tx.objectStore('chunks');
      try {
        if (entries.length) {
          const ups = [];
          for (const e of entries.slice().sort((a, b) => cmp(a.key, b.key))) { // stable: the last update of a key wins
            if (ups.length && cmp(ups[ups.length - 1].key, e.key) === 0) ups[ups.length - 1] = e;
            else ups.push(e);
          }
          const firsts = (await req(cs.getAllKeys(range))).map((k) => k[1]);
          // Chunk c holds the keys from firsts[c] up to firsts[c + 1]; keys before the first
          // chunk go to it too.
          const groups = new Map();
          let c = 0;
          for (const u of ups) {
            while (c + 1 < firsts.length && cmp(firsts[c + 1], u.key) <= 0) c++;
            if (!groups.has(c)) groups.set(c, []);
            groups.get(c).push(u);
          }
          const olds = await Promise.all([...groups.keys()].map((g) => (firsts.length ? req(cs.get([id, firsts[g]])) : null)));
          [...groups].forEach(([g, us], n) => {
            const old = olds[n] ?? { keys: [], digests: new Uint8Array(0) };
            const { k, d } = merge(old.keys, old.digests, us);
            if (firsts.length) cs.delete([id, firsts[g]]);
            const pieces = k.length > 2 * CHUNK ? Math.ceil(k.length / CHUNK) : 1;
            const size = Math.ceil(k.length / pieces);
            for (let at = 0; at < k.length; at += size) cs.put(pack(k.slice(at, at + size), d.slice(at, at + size)), [id, k[at]]);
          });
        }
        const ls = tx.objectStore('log');
        for (const l of log) ls.add({ sync: id, ...about, ...l });
        if (header !== null) tx.objectStore('syncs').put({ id, header, ...about, savedAt: Date.now() });
      } catch (e) {
        try { tx.abort(); } catch { /* over already */ }
        await ended.catch(() => {});
        throw e;
      }
      await ended;
    },
  };
}
