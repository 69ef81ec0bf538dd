// page.js — runs inside headless Chromium for gen_profile.mjs: writes the records of a chat +
// notes app into IndexedDB. Deterministic: record i of a store is a function of (seed, i), so
// several tabs can each write a range of the same store.
//
//   window.setup()                      creates the databases, stores and indexes
//   window.write(store, start, end, opts) puts records [start, end) of STORE, BATCH puts per
//                                       transaction, two transactions in flight; returns
//                                       {records, blobs, bytes} (bytes: approximate value size)
//
// Databases and stores (the counts are set by gen_profile.mjs):
//   chat.users     keyPath 'id' (string)    index byName
//   chat.channels  keyPath 'id' (string)    index byKind
//   chat.messages  keyPath 'id' (number)    indexes byChannelTime [channelId, sentAt], byAuthor
//                                           author.id, byTag tags (multiEntry)
//   notes.notes    keyPath 'id', autoIncrement  indexes byUpdated updatedAt, byTag tags (multi)
//   notes.files    out-of-line string keys (paths); Blob or File per record; index byType
'use strict';

const SEED = 0x1d8b9;
// splitmix32-style hash: record i of store s gets its own stream.
function mix(h) {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
function rng(s, i) {
  let x = mix(mix(s ^ SEED) + i);
  return () => {
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, a) => a[Math.floor(r() * a.length)];
const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));

// Latin-1 words (one-byte strings in V8), then words and emoji outside Latin-1 (two-byte strings)
const WORDS = ('the of and to in is you that it he was for on are as with his they at be this have ' +
  'from or one had by word but not what all were we when your can said there use an each which she do ' +
  'how their if will up other about out many then them these so some her would make like him into time ' +
  'has look two more write go see number no way could people my than first water been call who oil its ' +
  'now find long down day did get come made may part meeting deploy review release build ticket merge ' +
  'lunch tomorrow friday thanks sure ok yes great idea plan sprint budget design customer invoice report ' +
  'café naïve über señor façade déjà vu smörgåsbord jalapeño crème brûlée garçon Zürich München São Paulo').split(' ');
const INTL = WORDS.concat(('Kraków Ελλάδα Москва привет спасибо 東京 日本語 ありがとう 你好 谢谢 서울 감사합니다 مرحبا שלום नमस्ते ' +
  '👍 🎉 😀 ❤️ 🚀 ✅ 🙏 😂 🔥 👀').split(' '));
const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Ken', 'Dennis', 'Barbara', 'Edsger', 'Frances',
  'José', 'Zoë', 'Søren', 'Łukasz', 'Ngozi', 'Yuki', '美咲', 'Андрей', 'Αλέξανδρος', 'Chloé', 'Björn', 'Priya'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Ritchie', 'Liskov',
  'Dijkstra', 'Allen', 'García', 'Müller', 'Kierkegaard', 'Nowak', 'Okafor', 'Tanaka', '佐藤', 'Иванов',
  'Παπαδόπουλος', 'Dubois', 'Ångström', 'Sharma'];
const EMOJI = ['👍', '❤️', '😂', '🎉', '🙏', '👀', '🔥', '✅'];
const TAGS = ['urgent', 'todo', 'idea', 'bug', 'q3', 'travel', 'family', 'work', 'finance', 'ops', 'read-later'];
const MIME = [['image/jpeg', 'jpg'], ['image/png', 'png'], ['application/pdf', 'pdf'], ['text/plain', 'txt'],
  ['application/zip', 'zip'], ['audio/mpeg', 'mp3']];
const T0 = Date.UTC(2021, 0, 1);

// About one text in six uses words outside Latin-1 (and so is a two-byte string).
function text(r, lo, hi) {
  const n = int(r, lo, hi);
  const words = r() < 0.15 ? INTL : WORDS;
  let s = '';
  while (s.length < n) {
    s += pick(r, words);
    s += r() < 0.08 ? '. ' : ' ';
  }
  return s.slice(0, n);
}
function bytes(r, n) {
  const b = new Uint8Array(n);
  const v = new Uint32Array(b.buffer, 0, n >> 2);
  for (let i = 0; i < v.length; i++) v[i] = (r() * 4294967296) >>> 0;
  for (let i = v.length * 4; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}

// Counts per store for a total of N records (N is the messages' share plus the rest).
function counts(N) {
  const users = Math.max(50, Math.round(N / 500));
  const channels = Math.max(10, Math.round(N / 2000));
  const notes = Math.round(N * 0.03);
  const files = Math.round(N * 0.005);
  return { users, channels, notes, files, messages: N - users - channels - notes - files };
}

const userName = (k) => `${FIRST[k % FIRST.length]} ${LAST[Math.floor(k / FIRST.length) % LAST.length]}`;

function user(i) {
  const r = rng(1, i);
  return {
    id: `u${i}`, name: userName(i), email: `user${i}@example.com`,
    status: pick(r, ['online', 'away', 'offline', 'dnd']),
    createdAt: new Date(T0 - int(r, 0, 900) * 86400000),
    prefs: { theme: pick(r, ['light', 'dark', 'system']), notifications: r() < 0.8, lang: pick(r, ['en', 'fr', 'de', 'ja', 'pt-BR']) },
  };
}
function channel(i, C) {
  const r = rng(2, i);
  const members = [];
  for (let k = int(r, 2, 40); k > 0; k--) members.push(`u${int(r, 0, C.users - 1)}`);
  return {
    id: `c${i}`, name: `#${pick(r, WORDS)}-${i}`, kind: pick(r, ['public', 'private', 'dm']),
    topic: r() < 0.5 ? text(r, 10, 120) : null, members, createdAt: new Date(T0 + i * 3600000),
  };
}
function message(i, C) {
  const r = rng(3, i);
  const a = int(r, 0, C.users - 1);
  const m = {
    id: i, channelId: `c${int(r, 0, C.channels - 1)}`, author: { id: `u${a}`, name: userName(a) },
    text: '', sentAt: new Date(T0 + i * 29000 + int(r, 0, 28000)),
  };
  const x = r();
  // 2 % longer messages (quoted replies, code); 0.05 % pasted logs over 64 KiB
  m.text = x < 0.0005 ? text(r, 70000, 150000) : x < 0.02 ? text(r, 1000, 8000) : text(r, 10, 500);
  if (r() < 0.1) m.editedAt = new Date(m.sentAt.getTime() + int(r, 1000, 3600000));
  if (r() < 0.2) m.replyTo = Math.max(0, i - int(r, 1, 500));
  if (r() < 0.25) {
    const re = new Map();
    for (let k = int(r, 1, 4); k > 0; k--) re.set(pick(r, EMOJI), int(r, 1, 12));
    m.reactions = re;
  }
  m.tags = [];
  if (r() < 0.1) for (let k = int(r, 1, 3); k > 0; k--) m.tags.push(pick(r, TAGS));
  let blobs = 0;
  if (r() < 0.05) {
    m.attachments = [];
    for (let k = int(r, 1, 3); k > 0; k--) {
      const [mime, ext] = pick(r, MIME);
      const att = { name: `${pick(r, WORDS)}_${i}_${k}.${ext}`, mime, size: int(r, 1000, 5000000) };
      // one message in a thousand carries a thumbnail Blob
      if (r() < 0.02) { att.thumb = new Blob([bytes(r, int(r, 2000, 20000))], { type: 'image/jpeg' }); blobs++; }
      m.attachments.push(att);
    }
  }
  if (r() < 0.01) m.pinned = true;
  return [m, blobs];
}
function note(i) {
  const r = rng(4, i);
  const created = T0 + i * 900000;
  const n = {
    title: text(r, 5, 60), body: '', tags: [], createdAt: new Date(created),
    updatedAt: new Date(created + int(r, 0, 30 * 86400000)), archived: r() < 0.1,
    checklist: r() < 0.2 ? Array.from({ length: int(r, 1, 8) }, () => ({ text: text(r, 5, 40), done: r() < 0.5 })) : [],
  };
  const x = r();
  // 1 % long documents over 64 KiB (compressible), 1 % with an inline image (incompressible)
  n.body = x < 0.01 ? text(r, 70000, 120000) : text(r, 100, 3000);
  if (x >= 0.01 && x < 0.02) n.image = bytes(r, int(r, 70000, 200000));
  for (let k = int(r, 0, 3); k > 0; k--) n.tags.push(pick(r, TAGS));
  return [n, 0];
}
function file(i) {
  const r = rng(5, i);
  const [mime, ext] = pick(r, MIME);
  const data = bytes(r, int(r, 500, 40000));
  const name = `${pick(r, WORDS)}-${i}.${ext}`;
  const path = `/${pick(r, ['photos', 'docs', 'downloads', 'shared'])}/${2021 + (i % 4)}/${name}`;
  const lastModified = T0 + i * 60000;
  const content = r() < 0.4 ? new File([data], name, { type: mime, lastModified }) : new Blob([data], { type: mime });
  return [[{ path, mime, size: data.length, addedAt: new Date(lastModified), content }, path], 1];
}

function open(name) {
  return new Promise((res, rej) => {
    const q = indexedDB.open(name, 1);
    q.onupgradeneeded = () => {
      const db = q.result;
      if (name === 'chat') {
        db.createObjectStore('users', { keyPath: 'id' }).createIndex('byName', 'name');
        db.createObjectStore('channels', { keyPath: 'id' }).createIndex('byKind', 'kind');
        const m = db.createObjectStore('messages', { keyPath: 'id' });
        m.createIndex('byChannelTime', ['channelId', 'sentAt']);
        m.createIndex('byAuthor', 'author.id');
        m.createIndex('byTag', 'tags', { multiEntry: true });
      } else {
        const n = db.createObjectStore('notes', { keyPath: 'id', autoIncrement: true });
        n.createIndex('byUpdated', 'updatedAt');
        n.createIndex('byTag', 'tags', { multiEntry: true });
        db.createObjectStore('files').createIndex('byType', 'mime');
      }
    };
    q.onsuccess = () => res(q.result);
    q.onerror = () => rej(q.error);
  });
}

const DBS = {};
async function db(name) { return DBS[name] || (DBS[name] = await open(name)); }
window.counts = counts;
window.setup = async () => { await db('chat'); await db('notes'); return counts(1); };

window.write = async (store, start, end, N, batch) => {
  const C = counts(N);
  const d = await db(store === 'notes' || store === 'files' ? 'notes' : 'chat');
  const make = { users: (i) => [user(i), 0], channels: (i) => [channel(i, C), 0], messages: (i) => message(i, C),
    notes: (i) => note(i), files: (i) => file(i) }[store];
  let blobs = 0;
  const inflight = [];
  for (let s = start; s < end; s += batch) {
    const e = Math.min(end, s + batch);
    const tx = d.transaction(store, 'readwrite', { durability: 'relaxed' });
    const os = tx.objectStore(store);
    for (let i = s; i < e; i++) {
      const [v, b] = make(i);
      blobs += b;
      if (store === 'files') os.put(v[0], v[1]); else os.put(v);
    }
    inflight.push(new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); tx.onabort = () => rej(tx.error); }));
    if (inflight.length >= 2) await inflight.shift();
  }
  await Promise.all(inflight);
  return { records: end - start, blobs };
};

// After writing: every store's count, through IndexedDB itself.
window.countAll = async () => {
  const out = {};
  for (const [name, stores] of [['chat', ['users', 'channels', 'messages']], ['notes', ['notes', 'files']]]) {
    const d = await db(name);
    for (const s of stores) {
      out[`${name}.${s}`] = await new Promise((res, rej) => {
        const q = d.transaction(s).objectStore(s).count();
        q.onsuccess = () => res(q.result); q.onerror = () => rej(q.error);
      });
    }
  }
  return out;
};
window.closeAll = () => { for (const k of Object.keys(DBS)) DBS[k].close(); };
