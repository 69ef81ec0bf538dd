// sync_tables.js — where a Delta table lives, for web/sync.js. A table is an object with
//   id                                   a stable name (the sync state is kept per store and id)
//   list(dir)       -> [{path, size, mtime}]   files directly in dir ('' the root), paths from
//                                              the table root; a missing dir lists nothing
//   open(path)      -> null | {size, read(offset, length) -> Uint8Array, close?()}
//   put(path, bytes, {ifAbsent}) -> boolean    a whole small file, never visible half written;
//                                              ifAbsent: false when the name was taken
//   write(path, blob)                          a data file, complete or not at all
//   remove(path)    -> boolean                 false when it did not exist
// Three are here: OPFS, a directory the user picked (File System Access), and an S3-style HTTP
// object store. Everything else (a signed S3 client, a cache) can be passed in the same shape.

const TAIL = 64 << 10; // what open() reads first: the Parquet footer and small files whole
const MID = 16 << 20;  // the rest of a data file up to this size is read in one request

function ioError(message, cause) { return Object.assign(new Error(message, cause ? { cause } : undefined), { status: 30 }); }
const missing = (e) => e?.name === 'NotFoundError' || e?.name === 'TypeMismatchError';
const hidden = (name) => name.startsWith('.') || name.endsWith('.crswap'); // our staging, Chromium's swap files

// ---- a directory handle (OPFS or picked) --------------------------------------------------------

// File System Access has no create-if-absent: getFileHandle({create}) makes an empty file that
// readers would see, and createWritable() replaces. So a file is written whole under a hidden
// name, then moved to its name; for put-if-absent the existence check and the move run under
// a Web Lock named after the table and the file, so two writers in this browser (tabs,
// workers) never both create it. Writers outside this browser (another machine writing the
// same directory) are not excluded: use httpTable against a store with conditional PUT then.
function handleTable(getRoot, id) {
  let rootP = null;
  const root = () => (rootP ??= getRoot());
  async function parent(path, create) {
    const parts = path.split('/');
    const name = parts.pop();
    let d = await root();
    for (const p of parts) {
      try { d = await d.getDirectoryHandle(p, { create }); } catch (e) { if (missing(e)) return [null, name]; throw e; }
    }
    return [d, name];
  }
  async function exists(d, name) {
    try { await d.getFileHandle(name); return true; } catch (e) { if (missing(e)) return false; throw e; }
  }
  async function place(path, data, ifAbsent) {
    const [d, name] = await parent(path, true);
    const tmp = `.${name}.${crypto.randomUUID()}.tmp`;
    const fh = await d.getFileHandle(tmp, { create: true });
    const w = await fh.createWritable();
    try { await w.write(data); await w.close(); } catch (e) {
      await w.abort().catch(() => {});
      await d.removeEntry(tmp).catch(() => {});
      throw e;
    }
    const go = async () => {
      if (ifAbsent && await exists(d, name)) { await d.removeEntry(tmp); return false; }
      // move() onto an existing name replaces it in Chromium: a plain put is an atomic replace.
      await fh.move(d, name);
      return true;
    };
    if (!ifAbsent || !globalThis.navigator?.locks) return go();
    return navigator.locks.request(`idbpq-table:${id}:${path}`, go);
  }
  return {
    id,
    async list(dir) {
      const d = dir ? (await parent(`${dir}/x`, false))[0] : await root();
      if (!d) return [];
      const out = [];
      for await (const [name, h] of d.entries()) {
        if (h.kind !== 'file' || hidden(name)) continue;
        const f = await h.getFile();
        out.push({ path: dir ? `${dir}/${name}` : name, size: f.size, mtime: f.lastModified });
      }
      return out;
    },
    async open(path) {
      const [d, name] = await parent(path, false);
      let file;
      try { file = d && await (await d.getFileHandle(name)).getFile(); } catch (e) { if (missing(e)) return null; throw e; }
      if (!file) return null;
      return { size: file.size, read: async (o, n) => new Uint8Array(await file.slice(o, o + n).arrayBuffer()) };
    },
    put: (path, bytes, { ifAbsent = false } = {}) => place(path, bytes, ifAbsent),
    write: (path, blob) => place(path, blob, false),
    async remove(path) {
      const [d, name] = await parent(path, false);
      try { if (!d) return false; await d.removeEntry(name); return true; } catch (e) { if (missing(e)) return false; throw e; }
    },
  };
}

/** A table in the origin private file system: a path under its root ('tables/contacts',
 *  created as needed) or a directory handle from it. */
export function opfsTable(dirHandleOrPath, { id } = {}) {
  if (typeof dirHandleOrPath === 'string') {
    const parts = dirHandleOrPath.split('/').filter(Boolean);
    return handleTable(async () => {
      let d = await navigator.storage.getDirectory();
      for (const p of parts) d = await d.getDirectoryHandle(p, { create: true });
      return d;
    }, id ?? `opfs:${parts.join('/')}`);
  }
  return handleTable(async () => dirHandleOrPath, id ?? `opfs:${dirHandleOrPath.name}`);
}

/** A table in a directory the user picked (showDirectoryPicker; readwrite permission granted).
 *  Pass an id that names the directory: the handle only knows its last name. */
export function directoryTable(handle, { id } = {}) {
  return handleTable(async () => handle, id ?? `dir:${handle.name}`);
}

// ---- an S3-style object store over HTTP -------------------------------------------------------

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function xmlText(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e) => (e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e] ?? m));
}
function tag(xml, name) { const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml); return m ? xmlText(m[1]) : null; }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A table under an S3-style HTTP object store: GET with Range, PUT (If-None-Match: * for
 *  commits; 412 means the version is taken), DELETE, and ListObjectsV2
 *  (?list-type=2&prefix=...) whose XML is read without DOMParser (Workers have none).
 *  baseUrl is path-style (https://host/bucket/path/to/table) unless options.bucket gives the
 *  bucket's URL. headers go on every request; fetch replaces globalThis.fetch (to sign
 *  requests, say). Cross-origin, the server must expose Content-Range and allow the PUT. */
export function httpTable(baseUrl, { headers = {}, fetch: fetchFn, bucket, id } = {}) {
  const f = fetchFn ?? ((...a) => globalThis.fetch(...a));
  const u = new URL(baseUrl, globalThis.location?.href);
  let bucketUrl, prefix;
  if (bucket) {
    bucketUrl = String(new URL(bucket, u)).replace(/\/$/, '');
    prefix = decodeURIComponent(u.href.startsWith(bucketUrl + '/') ? u.href.slice(bucketUrl.length + 1) : '');
  } else {
    const segs = u.pathname.split('/').filter(Boolean);
    if (!segs.length) throw new TypeError(`idbpq: ${baseUrl} names no bucket`);
    bucketUrl = `${u.origin}/${segs[0]}`;
    prefix = segs.slice(1).map(decodeURIComponent).join('/');
  }
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  const url = (path) => `${bucketUrl}/${(prefix + path).split('/').map(encodeURIComponent).join('/')}`;
  // no-store: a cached listing or log file would hide other writers' commits.
  const call = async (method, path, init = {}) => {
    try { return await f(url(path), { method, cache: 'no-store', ...init, headers: { ...headers, ...init.headers } }); } catch (e) {
      throw ioError(`${method} ${url(path)}: ${e.message}`, e);
    }
  };
  const check = (r, what) => { if (!r.ok) throw ioError(`${what}: HTTP ${r.status}`); return r; };
  return {
    id: id ?? `${bucketUrl}/${prefix}`,
    async list(dir) {
      const p = prefix + (dir ? `${dir}/` : '');
      const out = [];
      let token = null;
      do {
        const q = new URLSearchParams({ 'list-type': '2', prefix: p, delimiter: '/' });
        if (token) q.set('continuation-token', token);
        let r;
        try { r = await f(`${bucketUrl}?${q}`, { headers, cache: 'no-store' }); } catch (e) { throw ioError(`listing ${p}: ${e.message}`, e); }
        const xml = await check(r, `listing ${p}`).text();
        for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
          const key = tag(m[1], 'Key');
          if (!key?.startsWith(p)) continue;
          const t = Date.parse(tag(m[1], 'LastModified') ?? '');
          out.push({ path: key.slice(prefix.length), size: Number(tag(m[1], 'Size')), mtime: Number.isFinite(t) ? t : -1 });
        }
        token = tag(xml, 'IsTruncated') === 'true' ? tag(xml, 'NextContinuationToken') : null;
      } while (token);
      return out;
    },
    async open(path) {
      // The last 64 KiB first: small files (commits) whole, a Parquet footer, and the size.
      const r = await call('GET', path, { headers: { Range: `bytes=-${TAIL}` } });
      if (r.status === 404) return null;
      if (r.status === 416) return { size: 0, read: async () => new Uint8Array(0) };
      const tail = new Uint8Array(await check(r, `GET ${path}`).arrayBuffer());
      const total = /\/(\d+)$/.exec(r.headers.get('content-range') ?? '');
      const size = r.status === 206 && total ? Number(total[1]) : tail.length;
      const tailAt = size - tail.length;
      const get = async (o, n) => {
        const q = await call('GET', path, { headers: { Range: `bytes=${o}-${o + n - 1}` } });
        const b = new Uint8Array(await check(q, `GET ${path} bytes ${o}..${o + n}`).arrayBuffer());
        if (q.status !== 206 && b.length === size) return b.subarray(o, o + n);
        if (b.length !== n) throw ioError(`GET ${path} bytes ${o}..${o + n}: ${b.length} bytes came`);
        return b;
      };
      // The Parquet reader asks for one column chunk at a time; up to 16 MiB, everything from
      // the first such read to the tail comes in one request instead.
      let mid = null, midAt = 0;
      return {
        size,
        async read(o, n) {
          if (o >= tailAt && o + n <= size) return tail.subarray(o - tailAt, o - tailAt + n);
          if (mid && o >= midAt && o + n <= midAt + mid.length) return mid.subarray(o - midAt, o - midAt + n);
          if (o + n <= tailAt && tailAt - o <= MID) { mid = await get(o, tailAt - o); midAt = o; return mid.subarray(0, n); }
          return get(o, n);
        },
      };
    },
    async put(path, bytes, { ifAbsent = false } = {}) {
      for (let attempt = 0; ; attempt++) {
        const r = await call('PUT', path, { body: bytes, headers: ifAbsent ? { 'If-None-Match': '*' } : {} });
        if (r.ok) return true;
        if (ifAbsent && r.status === 412) return false;
        // S3 answers 409 while another conditional write of the same key is in flight.
        if (ifAbsent && r.status === 409 && attempt < 6) { await sleep(50 << attempt); continue; }
        throw ioError(`PUT ${path}: HTTP ${r.status}`);
      }
    },
    async write(path, blob) { check(await call('PUT', path, { body: blob }), `PUT ${path}`); },
    async remove(path) {
      const r = await call('DELETE', path);
      if (r.status === 404) return false;
      check(r, `DELETE ${path}`);
      return true;
    },
  };
}
