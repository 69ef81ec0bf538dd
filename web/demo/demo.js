// demo.js — the idbpq demo page (web/demo/index.html): lists this origin's IndexedDB databases,
// fills a sample store, exports a store to Parquet, imports a Parquet file into a store and shows
// a file's schema and first rows. Plain DOM code, no build step; the API is web/idbpq.d.ts.
//
// The page keeps no IndexedDB connection open between actions: an import that creates a store
// is a version upgrade, which waits for every other connection of that database to close.
// For the test (tests/web/demo_test.mjs): body[data-busy] is set while an action (and the
// listing refresh after it) runs, body[data-tasks] counts the actions finished, body[data-module]
// becomes "ready" or "error" once idbpq.js has loaded or failed, and a progress bar's
// data-updates counts the onProgress calls of the last run.

const $ = (id) => document.getElementById(id);

let idbpq = null;                // the module, once loaded and initialized
const state = {
  exported: null,                // { blob, name, url } of the last export
  picked: null,                  // the File chosen or dropped for import
  exportAbort: null,             // AbortController of the running export
  importAbort: null,
  busy: 0,
  tasks: 0,
};

// ---------------------------------------------------------------- messages

// Every failure lands here (besides the console), newest first; each stays until dismissed or
// pushed out by newer ones.
function message(kind, text) {
  const box = $('messages');
  const div = document.createElement('div');
  div.className = `msg ${kind}`;
  const time = new Date().toLocaleTimeString('en-GB');
  div.innerHTML = `<time></time><span class="text"></span><button type="button" title="Dismiss">×</button>`;
  div.querySelector('time').textContent = time;
  div.querySelector('.text').textContent = text;
  div.querySelector('button').onclick = () => div.remove();
  box.prepend(div);
  // A short history, oldest out first, errors last: what went wrong stays in view.
  while (box.children.length > 4) {
    const old = [...box.children].reverse();
    (old.find((m) => !m.classList.contains('error')) || old[0]).remove();
  }
}

function describe(e) {
  if (e && e.name === 'AbortError') return 'aborted';
  // idbpq.js starts its messages with "idbpq: ", which says nothing here.
  const text = (e && e.message ? e.message : String(e)).replace(/^idbpq: /, '');
  return e && e.name && e.name !== 'Error' && !text.startsWith(e.name) ? `${e.name}: ${text}` : text;
}

window.addEventListener('unhandledrejection', (ev) => message('error', `Unexpected error: ${describe(ev.reason)}`));
window.addEventListener('error', (ev) => message('error', `Unexpected error: ${ev.message}`));

// Runs one user action: buttons are disabled meanwhile, a failure becomes a message, and the
// database listing is refreshed afterwards whatever happened.
async function task(what, fn) {
  state.busy++;
  document.body.dataset.busy = what;
  updateButtons();
  try {
    return await fn();
  } catch (e) {
    if (e && e.name === 'AbortError') {
      message('info', `${what} aborted.`);
    } else {
      console.error(e);
      message('error', e && e.whole ? e.message : `${what} failed: ${describe(e)}`);
    }
  } finally {
    await refresh().catch((e) => message('error', `Reading the databases failed: ${describe(e)}`));
    if (--state.busy === 0) delete document.body.dataset.busy;
    document.body.dataset.tasks = String(++state.tasks);
    updateButtons();
  }
}

function updateButtons() {
  const busy = state.busy > 0;
  $('sample-fill').disabled = busy;
  $('refresh').disabled = busy;
  $('export-run').disabled = busy || !idbpq || !$('export-store').value;
  $('export-abort').disabled = !state.exportAbort;
  $('import-run').disabled = busy || !idbpq || !state.picked;
  $('import-abort').disabled = !state.importAbort;
  $('inspect-export').disabled = busy || !idbpq || !state.exported;
  $('inspect-picked').disabled = busy || !idbpq || !state.picked;
}

// ---------------------------------------------------------------- formatting

const nf = new Intl.NumberFormat('en-US');
const count = (n) => nf.format(n);

function bytes(n) {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB'];
  let u = -1;
  do { n /= 1000; u++; } while (n >= 1000 && u < units.length - 1);
  return `${n.toFixed(n < 10 ? 2 : 1)} ${units[u]}`;
}

const seconds = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

function keyPathText(kp) {
  if (kp === null || kp === undefined) return null;
  return Array.isArray(kp) ? `[${kp.join(', ')}]` : kp;
}

// A download name from database and store names, which may hold any character.
const fileName = (db, store) => `${db}-${store}.parquet`.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');

function isoDate(d) {
  return Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString().replace('.000Z', 'Z');
}

// One line for any value a record can hold, so that a row stays a row: strings quoted only
// inside structures, nesting cut at three levels and at a few members.
function compact(v, depth = 0) {
  const MEMBERS = 4;
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined': return 'undefined';
    case 'bigint': return `${v}n`;
    case 'string': return depth ? JSON.stringify(v) : v;
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'boolean': return String(v);
    case 'symbol': case 'function': return String(v);
  }
  if (depth > 2) return '…';
  if (v instanceof Date) return isoDate(v);
  if (typeof File !== 'undefined' && v instanceof File) return `File "${v.name}" (${bytes(v.size)}${v.type ? ', ' + v.type : ''})`;
  if (v instanceof Blob) return `Blob(${bytes(v.size)}${v.type ? ', ' + v.type : ''})`;
  if (v instanceof ArrayBuffer) return `ArrayBuffer(${v.byteLength})`;
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView) return `DataView(${v.byteLength})`;
    const shown = Array.from(v.slice(0, MEMBERS), (x) => compact(x, depth + 1));
    return `${v.constructor.name}(${v.length}) [${shown.join(', ')}${v.length > MEMBERS ? ', …' : ''}]`;
  }
  if (v instanceof RegExp) return String(v);
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  const list = (items, n, open, close) => {
    const shown = items.slice(0, MEMBERS).join(', ');
    return `${open}${shown}${n > MEMBERS ? `, …+${n - MEMBERS}` : ''}${close}`;
  };
  if (Array.isArray(v)) return list(v.slice(0, MEMBERS).map((x) => compact(x, depth + 1)), v.length, '[', ']');
  if (v instanceof Map) {
    const items = [...v].slice(0, MEMBERS).map(([k, x]) => `${compact(k, depth + 1)} => ${compact(x, depth + 1)}`);
    return list(items, v.size, `Map(${v.size}) {`, '}');
  }
  if (v instanceof Set) return list([...v].slice(0, MEMBERS).map((x) => compact(x, depth + 1)), v.size, `Set(${v.size}) {`, '}');
  const keys = Object.keys(v);
  return list(keys.slice(0, MEMBERS).map((k) => `${k}: ${compact(v[k], depth + 1)}`), keys.length, '{', '}');
}

// The CSS class that colours a cell by the kind of its value.
function kind(v) {
  if (v === null || v === undefined) return 'v-null';
  if (typeof v === 'number' || typeof v === 'bigint') return 'v-num';
  if (typeof v === 'string') return 'v-str';
  if (typeof v === 'boolean') return 'v-bool';
  if (v instanceof Date) return 'v-date';
  if (v instanceof Blob || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return 'v-bin';
  return 'v-obj';
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function cell(v, tag = 'td') {
  const text = compact(v);
  const td = el(tag, { class: kind(v) }, text.length > 80 ? text.slice(0, 79) + '…' : text);
  if (text.length > 80) td.title = text.slice(0, 2000);
  return td;
}

// A <dl> of label: value pairs; a third member gives the value's element an id (the test reads it).
function stats(pairs) {
  return el('dl', { class: 'stats' }, ...pairs.map(([label, value, id]) =>
    el('div', {}, el('dt', {}, label), el('dd', id ? { id } : {}, value))));
}

function table(head, rows, attrs = {}) {
  return el('table', attrs,
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows));
}

// ---------------------------------------------------------------- IndexedDB

const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

const finished = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error || new DOMException('The transaction was aborted', 'AbortError'));
});

function openDb(name, version, upgrade) {
  return new Promise((resolve, reject) => {
    const r = version ? indexedDB.open(name, version) : indexedDB.open(name);
    r.onupgradeneeded = () => upgrade && upgrade(r.result, r.transaction);
    r.onsuccess = () => {
      const db = r.result;
      // Let another connection's upgrade through rather than block it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    r.onerror = () => reject(r.error);
    r.onblocked = () => message('info', `Waiting for other tabs to close database "${name}"…`);
  });
}

async function describeDb(name) {
  const db = await openDb(name);
  try {
    const names = [...db.objectStoreNames];
    const stores = [];
    if (names.length) {
      const tx = db.transaction(names, 'readonly');
      for (const n of names) {
        const s = tx.objectStore(n);
        const indexes = [...s.indexNames].map((i) => {
          const x = s.index(i);
          return { name: i, keyPath: x.keyPath, unique: x.unique, multiEntry: x.multiEntry };
        });
        stores.push({ name: n, keyPath: s.keyPath, autoIncrement: s.autoIncrement, indexes, count: request(s.count()) });
      }
      for (const s of stores) s.count = await s.count;
    }
    return { name, version: db.version, stores };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- the listing

let refreshSeq = 0;

async function refresh() {
  const seq = ++refreshSeq;
  const list = (await indexedDB.databases()).filter((d) => d.name).sort((a, b) => a.name.localeCompare(b.name));
  const dbs = [];
  for (const d of list) dbs.push(await describeDb(d.name));
  if (seq !== refreshSeq) return;   // a later refresh is under way and will render
  renderDatabases(dbs);
  fillStoreSelect(dbs);
}

function indexChips(indexes) {
  if (!indexes.length) return el('span', { class: 'muted' }, 'none');
  const span = el('span', { class: 'chips' });
  for (const ix of indexes) {
    const kp = keyPathText(ix.keyPath);
    const chip = el('span', { class: 'chip' }, ix.name);
    if (kp !== ix.name) chip.append(el('small', {}, ` → ${kp}`));
    if (ix.unique) chip.append(el('small', { class: 'flag' }, 'unique'));
    if (ix.multiEntry) chip.append(el('small', { class: 'flag' }, 'multiEntry'));
    span.append(chip);
  }
  return span;
}

function renderDatabases(dbs) {
  const box = $('databases');
  box.replaceChildren();
  if (!dbs.length) {
    box.append(el('p', { class: 'empty' }, 'No databases yet: fill the sample store or import a file.'));
    return;
  }
  for (const db of dbs) {
    const rows = db.stores.map((s) => {
      const kp = keyPathText(s.keyPath);
      return el('tr', { dataset: { db: db.name, store: s.name, count: String(s.count) } },
        el('td', { class: 'store-name' }, s.name),
        el('td', { class: 'num count' }, count(s.count)),
        el('td', {}, kp === null ? el('span', { class: 'muted' }, 'out-of-line') : el('code', {}, kp)),
        el('td', {}, s.autoIncrement ? 'yes' : el('span', { class: 'muted' }, 'no')),
        el('td', {}, indexChips(s.indexes)));
    });
    const body = rows.length
      ? table(['Store', 'Records', 'Key path', 'autoIncrement', 'Indexes'], rows, { class: 'stores' })
      : el('p', { class: 'empty' }, 'No object stores.');
    box.append(el('div', { class: 'db', dataset: { db: db.name, version: String(db.version) } },
      el('h3', {}, db.name, el('span', { class: 'muted' }, ` version ${db.version}`)), body));
  }
}

function fillStoreSelect(dbs) {
  const sel = $('export-store');
  const before = sel.value;
  sel.replaceChildren();
  for (const db of dbs) {
    for (const s of db.stores) {
      sel.append(el('option', { value: JSON.stringify([db.name, s.name]) }, `${db.name} / ${s.name} (${count(s.count)})`));
    }
  }
  if (!sel.options.length) sel.append(el('option', { value: '' }, 'no stores yet'));
  if ([...sel.options].some((o) => o.value === before)) sel.value = before;
}

// ---------------------------------------------------------------- sample data

// A small seeded generator (mulberry32): the same N gives the same records every time.
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ada', 'Björn', 'Chiara', 'Dmitri', 'Emeka', 'Fatima', 'Grace', 'Hiro', 'Ingrid', 'João',
  'Kavya', 'Liam', 'Mei', 'Nadia', 'Olu', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Valentina',
  'Wei', 'Ximena', 'Yusuf', 'Zoë'];
const LAST = ['Andersen', 'Baptiste', 'Chen', 'Dubois', 'Eriksen', 'Fernández', 'García', 'Haddad', 'Ivanova',
  'Jensen', 'Kowalski', 'López', 'Müller', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka',
  'Unger', 'Varga', 'Weber', 'Yilmaz', 'Zhang'];
const CITIES = [
  ['Oslo', 'Norway', 59.91, 10.75], ['Lisbon', 'Portugal', 38.72, -9.14], ['Lagos', 'Nigeria', 6.52, 3.38],
  ['Osaka', 'Japan', 34.69, 135.5], ['Lima', 'Peru', -12.05, -77.04], ['Toronto', 'Canada', 43.65, -79.38],
  ['Pune', 'India', 18.52, 73.86], ['Kraków', 'Poland', 50.06, 19.94], ['Austin', 'USA', 30.27, -97.74],
  ['Melbourne', 'Australia', -37.81, 144.96], ['Nairobi', 'Kenya', -1.29, 36.82], ['Valencia', 'Spain', 39.47, -0.38]];
const STREETS = ['Main St', 'Harbour Rd', 'Elm Ave', 'Station Sq', 'Mill Lane', 'Park Row', 'Kirkegata', 'Rua Augusta'];
const TAGS = ['friend', 'family', 'work', 'customer', 'supplier', 'vip', 'newsletter', 'conference', 'neighbour', 'gym'];
const COMPANIES = ['Northwind', 'Acme', 'Globex', 'Initech', 'Umbrella', 'Stark Industries', 'Hooli', 'Vandelay'];
const TITLES = ['Engineer', 'Designer', 'Manager', 'Analyst', 'Founder', 'Consultant'];

function makeContact(id, r) {
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (n) => Math.floor(r() * n);
  const first = pick(FIRST);
  const last = pick(LAST);
  const [city, country, lat, lon] = pick(CITIES);
  const email = `${first}.${last}.${id}@example.com`.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const tags = TAGS.filter(() => r() < 0.18);
  const c = {
    id,
    name: `${first} ${last}`,
    email,
    age: 18 + int(70),
    score: Math.round(r() * 10000) / 100,
    balance: Math.round((r() - 0.25) * 500000) / 100,
    active: r() < 0.8,
    createdAt: new Date(Date.UTC(2019, 0, 1) + int(6 * 365) * 86400000 + int(86400) * 1000),
    address: {
      street: `${1 + int(250)} ${pick(STREETS)}`,
      city,
      country,
      zip: String(int(100000)).padStart(5, '0'),
      geo: { lat: +(lat + (r() - 0.5) / 10).toFixed(5), lon: +(lon + (r() - 0.5) / 10).toFixed(5) },
    },
    tags,
    visits: Array.from({ length: int(5) }, () => 1 + int(40)),
  };
  // Optional fields: absent in some records, as real data has them.
  if (r() < 0.6) c.phone = `+${1 + int(98)} ${100 + int(900)} ${1000 + int(9000)} ${int(1000)}`;
  if (r() < 0.35) c.company = { name: pick(COMPANIES), title: pick(TITLES), since: 2000 + int(25) };
  if (r() < 0.2) c.lastLogin = new Date(Date.UTC(2025, 0, 1) + int(300 * 86400) * 1000);
  if (r() < 0.1) c.notes = `Met at ${pick(['a conference', 'the gym', 'school', 'a meetup'])} in ${city}.`;
  if (id % 40 === 0) {
    const card = `BEGIN:VCARD\r\nVERSION:4.0\r\nFN:${c.name}\r\nEMAIL:${email}\r\nADR:;;${c.address.street};${city};;;${country}\r\nEND:VCARD\r\n`;
    c.card = new Blob([card], { type: 'text/vcard' });
  }
  // BigInts past 2^53: the kind of value JSON loses and Parquet's INT64 keeps.
  if (id <= 2) c.followers = 9007199254740993n + BigInt(id);
  return c;
}

async function fillSample(n) {
  const DB = 'idbpq-demo';
  const STORE = 'contacts';
  const t0 = performance.now();
  let db = await openDb(DB);
  if (!db.objectStoreNames.contains(STORE)) {
    const version = db.version + 1;
    db.close();
    db = await openDb(DB, version, (udb) => {
      const s = udb.createObjectStore(STORE, { keyPath: 'id' });
      s.createIndex('email', 'email', { unique: true });
      s.createIndex('tags', 'tags', { multiEntry: true });
    });
  }
  try {
    const tx = db.transaction(STORE, 'readwrite');
    const s = tx.objectStore(STORE);
    s.clear();
    const r = random(20240601);
    for (let id = 1; id <= n; id++) s.put(makeContact(id, r));
    await finished(tx);
  } finally {
    db.close();
  }
  message('ok', `Filled ${DB} / ${STORE} with ${count(n)} records in ${seconds(performance.now() - t0)}.`);
  return JSON.stringify([DB, STORE]);
}

// ---------------------------------------------------------------- export

function showProgress(bar, p) {
  bar.dataset.updates = String(Number(bar.dataset.updates || 0) + 1);
  if (p.phase === 'done') { bar.max = 1; bar.value = 1; return; }
  if (p.total) {
    bar.max = p.total;
    bar.value = Math.min(p.records, p.total);
  } else {
    bar.removeAttribute('value');   // indeterminate
  }
}

async function runExport() {
  const [dbName, storeName] = JSON.parse($('export-store').value);
  const codec = $('export-codec').value;
  const bar = $('export-progress');
  bar.max = 1; bar.value = 0; bar.dataset.updates = '0';
  const out = $('export-result');
  out.hidden = true;
  state.exportAbort = new AbortController();
  updateButtons();
  const t0 = performance.now();
  let last = null;
  let blob;
  const db = await openDb(dbName);
  try {
    blob = await idbpq.exportStore(db, storeName, {
      codec,
      signal: state.exportAbort.signal,
      onProgress: (p) => { last = p; showProgress(bar, p); },
    });
  } catch (e) {
    bar.value = 0;
    throw e;
  } finally {
    db.close();
    state.exportAbort = null;
    updateButtons();
  }
  const ms = performance.now() - t0;
  bar.max = 1; bar.value = 1;
  const name = fileName(dbName, storeName);
  if (state.exported) URL.revokeObjectURL(state.exported.url);
  state.exported = { blob, name, url: URL.createObjectURL(blob) };
  const records = last ? last.records : null;

  const facts = [
    ['records', records === null ? '?' : count(records), 'export-records'],
    ['size', bytes(blob.size), 'export-size'],
    ['time', seconds(ms)],
    ['codec', codec],
  ];
  if (last && last.fallbacks) facts.push(['kept in _raw', count(last.fallbacks)]);
  const link = el('a', { id: 'export-link', class: 'button', href: state.exported.url, download: name }, `Download ${name}`);
  out.replaceChildren(stats(facts), link);
  out.hidden = false;
  message('ok', `Exported ${dbName} / ${storeName}: ${records === null ? '' : count(records) + ' records, '}${bytes(blob.size)} in ${seconds(ms)}.`);
  await inspect(blob, name);
}

// ---------------------------------------------------------------- import

async function pickFile(file) {
  if (!file) return;
  state.picked = file;
  $('drop-text').textContent = `${file.name} (${bytes(file.size)})`;
  $('drop-zone').classList.add('has-file');
  // The store name defaults to the one the file was exported from, else to the file's name.
  $('import-store').value = file.name.replace(/\.parquet$/i, '') || 'imported';
  updateButtons();
  if (!idbpq) return;
  await task('Inspecting ' + file.name, async () => {
    const info = await inspect(file, file.name);
    if (info.store && info.store.name) $('import-store').value = info.store.name;
  });
}

function parseKeyPath(text) {
  text = text.trim();
  if (!text) return undefined;
  return text.includes(',') ? text.split(',').map((s) => s.trim()) : text;
}

async function runImport() {
  const file = state.picked;
  const dbName = $('import-db').value.trim();
  const storeName = $('import-store').value.trim();
  if (!dbName || !storeName) throw new Error('a database and a store name are needed');
  const bar = $('import-progress');
  bar.max = 1; bar.value = 0; bar.dataset.updates = '0';
  $('import-result').hidden = true;
  const options = {
    mode: $('import-mode').value,
    createStore: true,
    onProgress: (p) => showProgress(bar, p),
  };
  const keyPath = parseKeyPath($('import-keypath').value);
  if (keyPath !== undefined) options.keyPath = keyPath;

  // Opening a database that does not exist creates it; if the import then fails, that empty
  // database is removed again so a failed import leaves nothing behind.
  const existed = (await indexedDB.databases()).some((d) => d.name === dbName);
  const t0 = performance.now();
  const db = await openDb(dbName);
  state.importAbort = new AbortController();
  options.signal = state.importAbort.signal;
  updateButtons();
  let result;
  try {
    result = await idbpq.importParquet(db, storeName, file, options);
  } catch (e) {
    bar.value = 0;
    db.close();
    if (!existed) await removeIfEmpty(dbName);
    if (e && e.name === 'AbortError') throw e;
    const err = new Error(`Import of ${file.name} into ${dbName} / ${storeName} failed: ${describe(e)}`, { cause: e });
    err.whole = true;   // says what failed already: task() shows it as it is
    throw err;
  } finally {
    state.importAbort = null;
    updateButtons();
  }
  db.close();
  result.db.close();
  const ms = performance.now() - t0;
  bar.max = 1; bar.value = 1;
  const out = $('import-result');
  out.replaceChildren(stats([
    ['records', count(result.records), 'import-records'],
    ['skipped', count(result.skipped)],
    ['time', seconds(ms)],
    ['into', `${dbName} / ${storeName}`],
  ]));
  out.hidden = false;
  message('ok', `Imported ${count(result.records)} records from ${file.name} into ${dbName} / ${storeName}` +
    `${result.skipped ? ` (${count(result.skipped)} skipped)` : ''} in ${seconds(ms)}.`);
}

async function removeIfEmpty(name) {
  const db = await openDb(name);
  const empty = db.objectStoreNames.length === 0;
  db.close();
  // A connection the failed import left open would block the deletion: wait a moment, not forever.
  if (empty) {
    await Promise.race([request(indexedDB.deleteDatabase(name)).catch(() => {}),
      new Promise((resolve) => setTimeout(resolve, 2000))]);
  }
}

// ---------------------------------------------------------------- inspect

async function inspect(source, label) {
  const info = await idbpq.inspectParquet(source, { rows: 20 });
  $('inspect-title').textContent = label;
  const d = info.store || {};
  const facts = [
    ['rows', count(info.numRows)],
    ['row groups', count(info.rowGroups)],
    ['written by', info.createdBy || '—'],
    ['kind', info.native ? 'idbpq file (exact round trip)' : 'foreign Parquet file'],
  ];
  // One codec for every column is the usual case: said once here instead of on each row.
  const codecs = [...new Set(info.columns.map((c) => c.codec))];
  facts.push(['codec', codecs.join(', ') || '—']);
  if (d.name) facts.push(['store', `${d.database ? d.database + ' / ' : ''}${d.name}`]);
  facts.push(['key path', keyPathText(d.keyPath) ?? 'out-of-line']);
  if (d.autoIncrement) facts.push(['autoIncrement', 'yes']);
  if (d.indexes && d.indexes.length) facts.push(['indexes', indexChips(d.indexes)]);
  const summary = stats(facts);

  const columns = table(['Column', 'Type', 'Logical type'], info.columns.map((c) =>
    el('tr', {}, el('td', {}, el('code', {}, c.path)), el('td', {}, c.type),
      el('td', {}, c.logicalType || el('span', { class: 'muted' }, '—')))),
  { id: 'inspect-columns', class: 'schema' });

  // Row table columns: the key (when out-of-line) and every top-level property, in the
  // order they first appear, so optional fields get a column too.
  const props = [];
  const seen = new Set();
  for (const r of info.rows) {
    if (r.value !== null && typeof r.value === 'object' && !(r.value instanceof Date) && !Array.isArray(r.value)) {
      for (const k of Object.keys(r.value)) if (!seen.has(k)) { seen.add(k); props.push(k); }
    }
  }
  const showKey = d.keyPath === null || d.keyPath === undefined || !props.length;
  const head = [...(showKey ? ['key'] : []), ...(props.length ? props : ['value'])];
  const rows = info.rows.map((r) => {
    const tr = el('tr', {});
    if (showKey) tr.append(cell(r.key));
    if (!props.length) tr.append(cell(r.value));
    const isObject = r.value !== null && typeof r.value === 'object';
    for (const p of props) tr.append(isObject && p in r.value ? cell(r.value[p]) : el('td', { class: 'v-absent' }, ''));
    return tr;
  });
  const rowsBox = el('div', { class: 'rows-box' },
    el('h3', {}, `First ${count(info.rows.length)} of ${count(info.numRows)} rows`),
    el('div', { class: 'scroll' }, table(head, rows, { id: 'inspect-rows', class: 'rows' })));
  $('inspect').replaceChildren(summary,
    el('div', { class: 'inspect-grid' },
      el('div', { class: 'schema-box' }, el('h3', {}, `${count(info.columns.length)} columns`), el('div', { class: 'scroll' }, columns)),
      rowsBox));
  return info;
}

// ---------------------------------------------------------------- wiring

async function loadModule() {
  const status = $('module-status');
  try {
    const m = await import('../idbpq.js');
    await m.init();
    idbpq = m;
    status.textContent = 'idbpq.js + idbpq.wasm loaded';
    status.className = 'status ok';
    document.body.dataset.module = 'ready';
  } catch (e) {
    console.error(e);
    let text = `idbpq.js did not load: ${describe(e)}`;
    if (/wasm|fetch|404/i.test(text)) text += ' (is web/idbpq.wasm built? make wasm)';
    status.textContent = 'idbpq.js did not load';
    status.className = 'status error';
    document.body.dataset.moduleError = text;
    document.body.dataset.module = 'error';
    message('error', text);
  }
  updateButtons();
}

function wire() {
  $('refresh').onclick = () => task('Reading the databases', async () => {});
  $('sample-form').onsubmit = (ev) => {
    ev.preventDefault();
    const n = Math.floor(Number($('sample-count').value));
    if (!(n >= 1 && n <= 1e6)) { message('error', 'The number of records must be between 1 and 1,000,000.'); return; }
    let chosen = null;
    task('Filling the sample store', async () => { chosen = await fillSample(n); })
      .then(() => { if (chosen) { $('export-store').value = chosen; updateButtons(); } });
  };
  $('export-form').onsubmit = (ev) => { ev.preventDefault(); task('Export', runExport); };
  $('export-abort').onclick = () => state.exportAbort && state.exportAbort.abort();
  $('import-form').onsubmit = (ev) => { ev.preventDefault(); task('Import', runImport); };
  $('import-abort').onclick = () => state.importAbort && state.importAbort.abort();
  $('import-file').onchange = () => {
    const file = $('import-file').files[0];
    $('import-file').value = '';   // so that choosing the same file again is a change too
    pickFile(file);
  };
  $('inspect-export').onclick = () => task('Inspect', () => inspect(state.exported.blob, state.exported.name));
  $('inspect-picked').onclick = () => task('Inspect', () => inspect(state.picked, state.picked.name));
  $('export-store').onchange = updateButtons;

  const zone = $('drop-zone');
  // A file dropped anywhere else would make the browser navigate away to it.
  for (const t of ['dragover', 'drop']) window.addEventListener(t, (ev) => ev.preventDefault());
  zone.addEventListener('dragover', () => zone.classList.add('over'));
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (ev) => {
    zone.classList.remove('over');
    const file = ev.dataTransfer && ev.dataTransfer.files[0];
    if (file) pickFile(file);
  });
}

wire();
updateButtons();
task('Reading the databases', async () => {});
loadModule();
