// profile_page.js — runs inside headless Chromium next to tests/chromium/page.js (served by
// tools/make_profile.mjs), whose globals it uses: gen (seeded random structured-clonable values),
// largeValues, tjson (tagged JSON printer), readBlobs, req, txDone.
//   writeOrigin(role, seed, n, fill) writes one origin's databases, through real upgrades, puts,
//                              overwrites, deletes and clear(); role "chat", "notes" or "types";
//                              n is the origin's share of records; fill (notes) writes enough
//                              to make LevelDB flush its log into an .ldb table.
//   dumpAll()                  reads every database of the origin back through IndexedDB:
//                              {databases:[{name,version,stores:[{name,keyPath,autoIncrement,
//                              indexes:[{name,keyPath,unique,multiEntry}],lines:"..."}]}]}
//                              with one {"key":..,"value":..} line per record in key order.
'use strict';

const T0 = 1735689600000; // 2025-01-01T00:00:00Z: every date is T0 plus seeded offsets

function openVersion(name, version, upgrade) {
  return new Promise((res, rej) => {
    const r = version ? indexedDB.open(name, version) : indexedDB.open(name);
    r.onupgradeneeded = (e) => upgrade && upgrade(r.result, r.transaction, e.oldVersion);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
    r.onblocked = () => rej(new Error('open ' + name + ' blocked'));
  });
}
function deleteDb(name) {
  return new Promise((res, rej) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => res();
    r.onerror = () => rej(r.error);
  });
}
// Runs fn(stores...) in one readwrite transaction and waits for it to commit.
async function inTx(db, names, fn) {
  const t = db.transaction(names, 'readwrite');
  fn(...names.map((n) => t.objectStore(n)));
  await txDone(t);
}

const WORDS = ['ok', 'meeting', 'tomorrow', 'lunch', 'deploy', 'review', 'the', 'build', 'is', 'green',
  'ship', 'it', 'café', 'naïve', 'über', '日本語', 'привет', '😀', 'thanks', 'see', 'you', 'at', '10:30',
  'standup', 'invoice', 'draft', 'PTO', 'budget', 'Q3', '🎉', 'done', 'blocked', 'on', 'CI'];
function words(g, n) { const a = []; for (let i = 0; i < n; i++) a.push(g.pick(WORDS)); return a.join(' '); }
// Incompressible: the same bytes snappy cannot shrink, so Chromium moves the value into a blob file.
function noise(g, n) { return g.bytes(n); }

/* ---- chat app ------------------------------------------------------------------------------- */

async function writeChat(g, n) {
  const { int, pick } = g;
  const USERS = ['ana', 'bo', 'chen', 'dmitri', 'élodie', 'fatima', 'gus', '李雷'];
  const CONV = ['general', 'random', 'dev', 'design', 'support', 'ops'];
  const nMsg = Math.max(20, Math.round(n * 0.78)), nContacts = Math.max(8, Math.round(n * 0.1));
  const nOutbox = Math.max(6, Math.round(n * 0.07));
  // v1: messages only; v2: conversations, contacts, outbox, legacy; v3: indexes, drafts, legacy dropped.
  let db = await openVersion('chat', 1, (d) => d.createObjectStore('messages', { keyPath: 'id' }));
  const message = (i, edit) => {
    const m = {
      id: 'm' + String(i).padStart(6, '0'),
      conversationId: pick(CONV),
      author: { handle: pick(USERS), device: pick(['web', 'ios', 'android']) },
      text: words(g, 1 + int(14)),
      sentAt: new Date(T0 + i * 61000 + int(60000)),
      tags: Array.from(new Set(Array.from({ length: int(4) }, () => pick(['todo', 'urgent', 'fyi', 'q', 'link'])))),
    };
    if (g.R() < 0.15) m.reactions = new Map(Array.from({ length: 1 + int(3) }, () => [pick(['👍', '❤️', '😂', '🎉']), 1 + int(5)]));
    if (g.R() < 0.05) m.attachment = new File([g.bytes(16 + int(400))], pick(['photo.jpg', 'log.txt', 'résumé.pdf']),
      { type: pick(['image/jpeg', 'text/plain', 'application/pdf']), lastModified: T0 - int(1e9) });
    if (g.R() < 0.05) m.replyTo = 'm' + String(int(i + 1)).padStart(6, '0');
    if (edit) { m.text = 'edited: ' + words(g, 3); m.editedAt = new Date(T0 + 9e8 + i); }
    return m;
  };
  await inTx(db, ['messages'], (s) => { for (let i = 0; i < nMsg / 2; i++) s.put(message(i)); });
  db.close();
  db = await openVersion('chat', 2, (d) => {
    d.createObjectStore('conversations', { keyPath: ['workspace', 'slug'] });
    d.createObjectStore('contacts', { keyPath: 'meta.id' });
    d.createObjectStore('outbox', { autoIncrement: true });
    d.createObjectStore('legacy sessions');
  });
  await inTx(db, ['conversations', 'contacts', 'outbox', 'legacy sessions'], (cv, ct, ob, lg) => {
    for (const w of ['acme', 'globex']) for (const c of CONV)
      cv.put({ workspace: w, slug: c, title: '#' + c, members: USERS.slice(0, 2 + int(6)), muted: g.R() < 0.2, createdAt: new Date(T0 - int(1e10)) });
    for (let i = 0; i < nContacts; i++)
      ct.put({ meta: { id: 'u' + (1000 + i * 7), updatedAt: new Date(T0 + int(1e9)) }, name: pick(USERS) + ' ' + i,
        email: 'user' + i + '@example.com', phone: g.R() < 0.5 ? '+1-555-' + String(1000 + int(9000)) : null,
        avatar: g.R() < 0.3 ? new Blob([g.bytes(32 + int(200))], { type: 'image/png' }) : undefined });
    for (let i = 0; i < nOutbox; i++) ob.put({ conversationId: pick(CONV), text: words(g, 4), queuedAt: new Date(T0 + i * 1000), attempts: int(3) });
    for (let i = 0; i < 5; i++) lg.put({ token: g.string(12) }, 's' + i);
  });
  db.close();
  db = await openVersion('chat', 3, (d, t) => {
    const m = t.objectStore('messages');
    m.createIndex('byConversation', 'conversationId');
    m.createIndex('bySentAt', 'sentAt');
    m.createIndex('byTag', 'tags', { multiEntry: true });
    t.objectStore('contacts').createIndex('byEmail', 'email', { unique: true });
    t.objectStore('conversations').createIndex('byMember', 'members', { multiEntry: true });
    d.createObjectStore('drafts', { keyPath: 'conversationId' });
    d.deleteObjectStore('legacy sessions');
  });
  await inTx(db, ['messages'], (s) => { for (let i = Math.ceil(nMsg / 2); i < nMsg; i++) s.put(message(i)); });
  // Edits (overwrite with a different value) and deletions, each in its own transaction.
  await inTx(db, ['messages'], (s) => { for (let i = 0; i < nMsg; i += 9) s.put(message(i, true)); });
  await inTx(db, ['messages', 'outbox'], (s, ob) => {
    for (let i = 4; i < nMsg; i += 13) s.delete('m' + String(i).padStart(6, '0'));
    ob.delete(IDBKeyRange.upperBound(Math.floor(nOutbox / 2)));
  });
  await inTx(db, ['outbox'], (ob) => ob.put({ conversationId: 'dev', text: 'retry', queuedAt: new Date(T0), attempts: 0 }));
  db.close();

  // "données": one store whose name has spaces and non-ASCII, out-of-line string keys.
  db = await openVersion('données', 2, (d) => {
    d.createObjectStore('réglages d’affichage 🎨');
    d.createObjectStore('état');
  });
  await inTx(db, ['réglages d’affichage 🎨', 'état'], (s, e) => {
    s.put('sombre', 'thème'); s.put('fr-FR', 'langue'); s.put(14, 'taille de police'); s.put(true, 'animations');
    s.put({ gauche: 240, droite: 320 }, 'panneaux'); s.put(new Date(T0), 'dernière visite'); s.put(['😀', 'é'], 'récents');
    e.put({ onglet: 'général', défilement: 0.5 }, 'fenêtre principale');
  });
  await inTx(db, ['réglages d’affichage 🎨'], (s) => { s.put('clair', 'thème'); s.delete('animations'); });
  db.close();

  // "a/b:c": a name that needs escaping, an HTTP-cache-like store keyed by URLs.
  db = await openVersion('a/b:c', 2, (d) => d.createObjectStore('cache:v2/entries', { keyPath: 'url' }));
  await inTx(db, ['cache:v2/entries'], (s) => {
    for (let i = 0; i < 12; i++) s.put({ url: 'https://api.example.com/v1/items?page=' + i, status: 200, etag: 'W/"' + (i * 7919).toString(16) + '"',
      body: new Blob([JSON.stringify({ page: i, items: [i, i + 1] })], { type: 'application/json' }), fetchedAt: new Date(T0 + i) });
  });
  db.close();
  return nMsg + nContacts + nOutbox + 12 + 12;
}

/* ---- notes and todo app --------------------------------------------------------------------- */

async function writeNotes(g, n, fill) {
  const { int, pick } = g;
  const nNotes = Math.max(10, Math.round(n * 0.5)), nTasks = Math.max(10, Math.round(n * 0.45));
  const FOLDERS = ['inbox', 'work', 'personal', 'recettes', 'archive'];
  let db = await openVersion('notes', 4, (d) => {
    const s = d.createObjectStore('notes', { keyPath: 'id', autoIncrement: true });
    s.createIndex('byFolder', 'folder');
    s.createIndex('byUpdated', 'updatedAt');
    s.createIndex('byLabel', 'labels', { multiEntry: true });
    d.createObjectStore('folders', { keyPath: 'id' });
    d.createObjectStore('trash', { keyPath: 'id' });
    d.createObjectStore('attachments', { autoIncrement: true });
    d.createObjectStore('revisions', { keyPath: ['noteId', 'rev'] });
  });
  const note = (i) => {
    const v = { folder: pick(FOLDERS), title: words(g, 1 + int(4)), body: words(g, 5 + int(40)), pinned: g.R() < 0.1,
      labels: Array.from(new Set(Array.from({ length: int(3) }, () => pick(['idea', 'later', 'read', 'home'])))),
      createdAt: new Date(T0 + i * 3600e3), updatedAt: new Date(T0 + i * 3600e3 + int(1e8)) };
    if (g.R() < 0.1) v.checklist = Array.from({ length: 1 + int(5) }, (_, j) => ({ text: words(g, 2), done: j % 2 === 0 }));
    if (g.R() < 0.05) v.geo = { lat: 48.8566 + g.R(), lon: 2.3522 - g.R() };
    return v;
  };
  await inTx(db, ['notes', 'folders', 'trash', 'attachments'], (s, f, tr, at) => {
    FOLDERS.forEach((id, i) => f.put({ id, name: id[0].toUpperCase() + id.slice(1), order: i, color: pick(['#f00', '#0a0', '#00f', null]) }));
    for (let i = 0; i < nNotes; i++) s.put(note(i));
    // A long note: compressible text over 64 KiB (Chromium snappy-compresses it).
    s.put({ folder: 'archive', title: 'meeting transcript', body: ('Ana: the deploy is green. Bo: ship it. ').repeat(1700),
      labels: ['read'], createdAt: new Date(T0), updatedAt: new Date(T0) });
    for (let i = 0; i < 6; i++) tr.put({ id: 't' + i, deletedAt: new Date(T0 + i), note: note(1000 + i) });
    at.put(new File([g.bytes(3000)], 'scan.png', { type: 'image/png', lastModified: T0 - 5000 }));
    at.put(new Blob(['plain text attachment ✓'], { type: 'text/plain;charset=utf-8' }));
    // An incompressible attachment over 64 KiB: Chromium moves the whole value into a blob file.
    at.put({ name: 'recording.raw', data: noise(g, 66000 + int(1000)).buffer, sampleRate: 48000 });
  });
  await inTx(db, ['notes'], (s) => { for (let i = 1; i <= nNotes; i += 7) { const v = note(i); v.id = i; v.title = 'rev 2: ' + v.title; s.put(v); } });
  await inTx(db, ['notes', 'trash'], (s, tr) => { for (let i = 3; i <= nNotes; i += 11) s.delete(i); tr.clear(); });
  // Revision history. With fill, 84 revisions of about 52 KB each (under 64 KiB: Chromium keeps
  // them as they are), 4.3 MB in all: more than LevelDB's 4 MB write buffer, so the LevelDB
  // backend flushes everything written so far into an .ldb table (the padding compresses well:
  // the table stays small). Then the history is pruned to 4 short revisions (in the new log).
  const nRev = fill ? 84 : 8, revKey = (j) => [1 + (j % 5), j];
  for (let i = 0; i < nRev; i += 12)
    await inTx(db, ['revisions'], (s) => {
      for (let j = i; j < Math.min(nRev, i + 12); j++)
        s.put({ noteId: revKey(j)[0], rev: j, editor: g.pick(['ana', 'bo']), body: ('rev ' + j + '\n').padEnd(fill ? 52000 : 100, '.') });
    });
  await inTx(db, ['revisions'], (s) => {
    for (let j = 4; j < nRev; j++) s.delete(revKey(j));
    for (let j = 0; j < 4; j++) s.put({ noteId: revKey(j)[0], rev: j, editor: 'ana', body: 'rev ' + j + ': ' + words(g, 5) });
  });
  // Written after the flush: lands in the new log.
  await inTx(db, ['trash'], (tr) => { for (let i = 0; i < 3; i++) tr.put({ id: 'u' + i, deletedAt: new Date(T0 + 1e6 + i), note: note(2000 + i) }); });
  db.close();

  db = await openVersion('todo', 2, (d) => {
    const s = d.createObjectStore('tasks', { keyPath: 'id' });
    s.createIndex('byDue', 'due');
    s.createIndex('byProjectDone', ['project', 'done']);
    d.createObjectStore('projects', { keyPath: 'slug' });
    d.createObjectStore('sync state');
  });
  await inTx(db, ['tasks', 'projects', 'sync state'], (s, p, ss) => {
    for (const slug of ['home', 'work', 'garden']) p.put({ slug, title: slug, archived: false });
    for (let i = 0; i < nTasks; i++)
      s.put({ id: i + 1, project: pick(['home', 'work', 'garden']), title: words(g, 2 + int(5)), done: 0,
        due: g.R() < 0.7 ? new Date(T0 + int(3e9)) : null, priority: int(4), estimate: g.R() < 0.3 ? 0.25 * int(16) : undefined });
    ss.put({ lastPull: new Date(T0 + 5e8), cursor: 'c_' + g.string(6), pending: new Set([1, 2, 3]) }, 'server');
    ss.put(123456789012345678901234567890n, 'revision');
  });
  await inTx(db, ['tasks'], (s) => { for (let i = 1; i <= nTasks; i += 3) s.put({ id: i, project: 'work', title: 'done: ' + words(g, 2), done: 1, due: null, priority: 0, completedAt: new Date(T0 + i) }); });
  await inTx(db, ['tasks'], (s) => { s.delete(IDBKeyRange.bound(5, 8)); });
  db.close();

  // A database created and deleted again: nothing of it may appear.
  db = await openVersion('old-cache', 1, (d) => d.createObjectStore('x'));
  await inTx(db, ['x'], (s) => { for (let i = 0; i < 20; i++) s.put('gone ' + i, i); });
  db.close();
  await deleteDb('old-cache');
  return nNotes + nTasks;
}

/* ---- every structured-clone type and key type ----------------------------------------------- */

function keyCases(g) {
  const { int } = g;
  const b = (a) => new Uint8Array(a).buffer;
  const keys = [0, 1, -1, 0.5, 1e-7, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, 2 ** 53, -(2 ** 31),
    new Date(0), new Date(-8.64e15), new Date(8.64e15), new Date(T0), new Date(-1),
    '', 'a', 'A', 'é', 'e\u0301', '日本', '😀', '\ud83d', '\ude00', 'x\udfffy', 'a\u0000b', ' ', '~', '\uffff', '\u{10ffff}',
    b([]), b([0]), b([0, 0]), b([255]), b([1, 2, 3]), new Uint8Array([9, 8, 7]), new Int16Array([-1, 2]), new DataView(b([4, 5, 6, 7]), 1, 2),
    [], [0], [[]], [1, 'a'], ['a', 1], [new Date(0), b([1])], [[1, [2, [3]]]], ['😀', '\ud800'], [Infinity, -Infinity]];
  for (let i = 0; i < 8; i++) keys.push(int(1e6) - 5e5, g.string(6), new Date(T0 + int(1e12) - 5e11));
  return keys;
}

async function writeTypes(g, n) {
  const { int } = g;
  const nValues = Math.max(20, Math.round(n * 0.55)), nInline = Math.max(10, Math.round(n * 0.2));
  const nAuto = Math.max(10, Math.round(n * 0.15)), nRand = Math.max(10, Math.round(n * 0.1));
  const db = await openVersion('types', 5, (d) => {
    d.createObjectStore('values');
    d.createObjectStore('keys');
    d.createObjectStore('large');
    const s = d.createObjectStore('inline', { keyPath: 'id' });
    s.createIndex('byP0', 'p0');
    d.createObjectStore('auto', { keyPath: 'id', autoIncrement: true });
    d.createObjectStore('empty');
    d.createObjectStore('nested keypath', { keyPath: 'a.b.c' });
  });
  const randKey = (depth) => {
    switch (int(depth < 2 ? 6 : 5)) {
      case 0: case 1: { const x = g.number(); return Number.isNaN(x) ? 0.25 : x; }
      case 2: return new Date(int(2 ** 42) - 2 ** 41);
      case 3: return g.string(6);
      case 4: return g.bytes(int(6)).buffer;
      default: return Array.from({ length: int(4) }, () => randKey(depth + 1));
    }
  };
  await inTx(db, ['values', 'keys', 'inline', 'auto', 'nested keypath'], (v, k, il, au, nk) => {
    for (let i = 0; i < nValues; i++) v.put(g.value(), i);
    keyCases(g).forEach((key, i) => k.put({ i, type: Object.prototype.toString.call(key).slice(8, -1) }, key));
    for (let i = 0; i < nRand; i++) k.put(g.value(1), randKey(0));
    for (let i = 0; i < nInline; i++) { const o = { id: i < nInline / 2 ? i : 'k' + g.string(5) }; const m = int(4); for (let j = 0; j < m; j++) o['p' + j] = g.value(1); il.put(o); }
    for (let i = 0; i < nAuto; i++) { const o = {}; const m = int(3); for (let j = 0; j < m; j++) o['q' + j] = g.value(1); au.put(o); }
    for (let i = 0; i < 5; i++) nk.put({ a: { b: { c: 'c' + i } }, i });
  });
  await inTx(db, ['large'], (s) => {
    s.put('lorem ipsum dolor sit amet '.repeat(2600), 'compressible text');   // snappy
    s.put({ samples: noise(g, 66500).buffer, codec: 'raw' }, 'random bytes');  // blob file
    s.put({ doc: new File([g.bytes(2048)], 'report.pdf', { type: 'application/pdf', lastModified: T0 + 42 }), size: 2048 }, 'a file');
    s.put([new Blob(['blob one'], { type: 'text/plain' }), new Blob([]), { n: 1 }], 'blobs');
  });
  await inTx(db, ['values', 'auto'], (v, au) => {
    for (let i = 0; i < nValues; i += 10) v.put(g.value(), i);      // overwritten
    for (let i = 5; i < nValues; i += 17) v.delete(i);              // deleted
    au.put({ q0: 'explicit key' , id: 1e6 });                        // moves the key generator
    au.put({ q0: 'after explicit' });
  });
  db.close();
  return nValues + nInline + nAuto;
}

async function writeOrigin(role, seed, n, fill) {
  const g = gen(seed);
  if (role === 'chat') return writeChat(g, n);
  if (role === 'notes') return writeNotes(g, n, fill);
  if (role === 'types') return writeTypes(g, n);
  throw new Error('unknown role ' + role);
}

/* ---- read back -------------------------------------------------------------------------------- */

const byUnits = (a, b) => (a < b ? -1 : a > b ? 1 : 0); // JS string order is UTF-16 code unit order

async function dumpAll() {
  const infos = (await indexedDB.databases()).map((d) => d.name).sort(byUnits);
  const out = [];
  for (const name of infos) {
    const db = await openVersion(name, 0, null);
    const stores = [];
    for (const sn of [...db.objectStoreNames]) {
      const t = db.transaction([sn]);
      const s = t.objectStore(sn);
      const indexes = [...s.indexNames].map((iname) => {
        const ix = s.index(iname);
        return { name: iname, keyPath: ix.keyPath, unique: ix.unique, multiEntry: ix.multiEntry };
      });
      const keys = await req(s.getAllKeys()), vals = await req(s.getAll());
      const blobs = await readBlobs(vals);
      const lines = keys.map((k, i) => '{"key":' + tjson(k) + ',"value":' + tjson(vals[i], blobs) + '}\n');
      stores.push({ name: sn, keyPath: s.keyPath, autoIncrement: s.autoIncrement, indexes, records: keys.length, lines: lines.join('') });
    }
    out.push({ name, version: db.version, stores });
    db.close();
  }
  return { databases: out };
}

window.writeOrigin = writeOrigin;
window.dumpAll = dumpAll;
