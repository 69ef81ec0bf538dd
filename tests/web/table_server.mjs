#!/usr/bin/env node
// table_server.mjs — a small S3-style object store over a directory, for the browser sync
// tests (suite 77): web/sync.js's httpTable talks to it the way it talks to S3 or MinIO.
//   /s3/<key>                       GET (Range: a-b, a-, -n), HEAD, PUT, DELETE
//   /s3?list-type=2&prefix=P&delimiter=/&continuation-token=T   ListObjectsV2 XML
//   PUT with If-None-Match: *       atomic create: written to a temporary file, then link(2)ed
//                                   to its name; 412 when the name exists (nothing written)
//   plain PUT                       atomic replace: temporary file, then rename(2)
//   /t/<file>                       tests/web/ files, /t/sync.html the test page
//   /<file>                         web/ files (the modules and the wasm)
// No dependencies. Run alone: `node tests/web/table_server.mjs DIR [PORT]`; or import
// startTableServer({ dir }) and use its fault hooks:
//   server.faults.push({ method: 'PUT', match: /_delta_log\/\d+\.json$/, nth: 1, action: 'drop' })
// 'drop' destroys the connection once the body has been received and before anything is
// written; 'fail' answers 503; 'hold' keeps the request until server.release(write): then it
// is carried out (write true) or its connection dropped (for a page closed while its commit
// is in flight). f.fired(key) is called when a fault fires. A fault fires once, on the nth
// match; after that it keeps refusing (drop, fail) that one key until it is removed from
// server.faults — browsers retry a PUT whose reused connection was reset, and the retry must
// not be what lands.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.resolve(here, '..', '..', 'web');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8', '.json': 'application/json' };
const TMP = '.tmp'; // under the root, never listed

function xml(s) { return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`); }

// The file a key names, or null when the key leaves the root or names the temporary area.
function keyPath(root, key) {
  if (!key || key.split('/').some((s) => s === '' || s === '.' || s === '..') || key === TMP || key.startsWith(TMP + '/')) return null;
  return path.join(root, ...key.split('/'));
}

function listFiles(root, prefix) {
  // Walks only the directory the prefix is in (and below): enough for a table's layout.
  const slash = prefix.lastIndexOf('/');
  const start = slash < 0 ? '' : prefix.slice(0, slash);
  const out = [];
  const walk = (rel) => {
    let ents;
    try { ents = fs.readdirSync(path.join(root, rel), { withFileTypes: true }); } catch { return; }
    for (const e of ents) {
      const k = rel ? `${rel}/${e.name}` : e.name;
      if (k === TMP) continue;
      if (e.isDirectory()) { if (k.startsWith(prefix) || prefix.startsWith(k + '/')) walk(k); } else if (e.isFile() && k.startsWith(prefix)) {
        const st = fs.statSync(path.join(root, rel, e.name));
        out.push({ key: k, size: st.size, mtime: st.mtime });
      }
    }
  };
  walk(start);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function listXml(root, q, pageKeys) {
  const prefix = q.get('prefix') ?? '';
  const delim = q.get('delimiter') ?? '';
  const max = Math.max(1, Math.min(pageKeys, Number(q.get('max-keys') ?? pageKeys)));
  const after = q.get('continuation-token') ? Buffer.from(q.get('continuation-token'), 'base64url').toString() : q.get('start-after') ?? '';
  const contents = [], prefixes = new Set();
  let truncated = false, last = '';
  for (const f of listFiles(root, prefix)) {
    if (f.key <= after) continue;
    const rest = f.key.slice(prefix.length);
    const cut = delim ? rest.indexOf(delim) : -1;
    if (cut >= 0) { prefixes.add(prefix + rest.slice(0, cut + 1)); continue; }
    if (contents.length === max) { truncated = true; break; }
    contents.push(f);
    last = f.key;
  }
  let body = '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Name>s3</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${contents.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`;
  if (truncated) body += `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>`;
  for (const f of contents)
    body += `<Contents><Key>${xml(f.key)}</Key><LastModified>${f.mtime.toISOString()}</LastModified><ETag>"${f.size}-${f.mtime.getTime()}"</ETag><Size>${f.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
  for (const p of [...prefixes].sort()) body += `<CommonPrefixes><Prefix>${xml(p)}</Prefix></CommonPrefixes>`;
  return body + '</ListBucketResult>';
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

// Writes body durably under a temporary name and returns that name.
function stage(root, body) {
  const dir = path.join(root, TMP);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, crypto.randomUUID());
  const fd = fs.openSync(tmp, 'wx');
  try { fs.writeSync(fd, body); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  return tmp;
}

function putObject(root, file, body, ifAbsent) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = stage(root, body);
  try {
    if (ifAbsent) {
      try { fs.linkSync(tmp, file); } catch (e) { if (e.code === 'EEXIST') return 412; throw e; }
      return 200;
    }
    fs.renameSync(tmp, file);
    return 200;
  } finally { fs.rmSync(tmp, { force: true }); }
}

function range(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let a, b;
  if (m[1] === '') { a = Math.max(0, size - Number(m[2])); b = size - 1; } else { a = Number(m[1]); b = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1); }
  return a > b || a >= size ? 'bad' : [a, b];
}

// pageKeys: the most keys a listing page holds (S3's 1000; less makes tests page).
export function startTableServer({ dir, port = 0, host = '127.0.0.1', log = null, pageKeys = 1000 } = {}) {
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true });
  const faults = [];
  const held = [];
  const counts = new Map();
  const stats = { requests: 0, puts: 0, conditionalPuts: 0, refused: 0 };
  const fault = (method, key) => {
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i];
      if (f.method !== method || !f.match.test(key)) continue;
      if (f.key !== undefined) { if (f.key === key) return f.action === 'fail' ? 'fail' : 'drop'; continue; }
      const n = (counts.get(f) ?? 0) + 1;
      counts.set(f, n);
      if (n === (f.nth ?? 1)) { f.key = key; f.fired?.(key); return f.action; }
    }
    return null;
  };
  const server = http.createServer(async (req, res) => {
    stats.requests++;
    const u = new URL(req.url, 'http://x');
    const send = (status, body = '', headers = {}) => {
      res.writeHead(status, { 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      log?.(`${req.method} ${req.url}`);
      if (u.pathname === '/s3' || u.pathname === '/s3/') {
        if (req.method !== 'GET' || u.searchParams.get('list-type') !== '2') return send(400, 'only ListObjectsV2 on the bucket');
        return send(200, listXml(root, u.searchParams, pageKeys), { 'content-type': 'application/xml' });
      }
      if (u.pathname.startsWith('/s3/')) {
        const key = decodeURIComponent(u.pathname.slice(4));
        const file = keyPath(root, key);
        if (!file) return send(400, `bad key ${key}`);
        if (req.method === 'PUT') {
          const body = await readBody(req);
          const action = fault('PUT', key);
          if (action === 'drop') return req.socket.destroy();
          if (action === 'fail') return send(503, 'injected failure');
          if (action === 'hold' && !(await new Promise((r) => held.push(r)))) return req.socket.destroy();
          const ifAbsent = req.headers['if-none-match'] === '*';
          stats.puts++;
          if (ifAbsent) stats.conditionalPuts++;
          const status = putObject(root, file, body, ifAbsent);
          if (status === 412) stats.refused++;
          return send(status, status === 412 ? 'PreconditionFailed' : '', { etag: `"${body.length}"` });
        }
        if (req.method === 'DELETE') {
          if (fault('DELETE', key) === 'fail') return send(503, 'injected failure');
          fs.rmSync(file, { force: true });
          return send(204);
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') return send(405);
        let st;
        try { st = fs.statSync(file); } catch { st = null; }
        if (!st?.isFile()) return send(404, 'NoSuchKey');
        if (req.method === 'GET' && fault('GET', key) === 'fail') return send(503, 'injected failure');
        const headers = { 'content-type': 'application/octet-stream', 'last-modified': st.mtime.toUTCString(), 'accept-ranges': 'bytes' };
        const r = range(req.headers.range, st.size);
        if (r === 'bad') return send(416, '', { 'content-range': `bytes */${st.size}` });
        if (r) {
          const fd = fs.openSync(file, 'r');
          const buf = Buffer.alloc(r[1] - r[0] + 1);
          try { fs.readSync(fd, buf, 0, buf.length, r[0]); } finally { fs.closeSync(fd); }
          return send(206, buf, { ...headers, 'content-range': `bytes ${r[0]}-${r[1]}/${st.size}`, 'content-length': buf.length });
        }
        return send(200, req.method === 'HEAD' ? '' : fs.readFileSync(file), { ...headers, 'content-length': st.size });
      }
      if (u.pathname === '/t/sync.html') return send(200, '<!doctype html><meta charset="utf-8"><title>idbpq sync tests</title><script type="module" src="/t/sync_page.js"></script>', { 'content-type': TYPES['.html'] });
      if (u.pathname === '/favicon.ico') return send(204);
      const base = u.pathname.startsWith('/t/') ? here : WEB;
      const file = path.resolve(base, '.' + decodeURIComponent(u.pathname.startsWith('/t/') ? u.pathname.slice(2) : u.pathname));
      if (!file.startsWith(base + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return send(404, 'not found');
      return send(200, fs.readFileSync(file), { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    } catch (e) {
      if (!res.headersSent) send(500, String(e));
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => {
    const url = `http://${host}:${server.address().port}`;
    resolve({
      url, bucket: `${url}/s3`, root, faults, stats, server,
      release(write = true) { for (const r of held.splice(0)) r(write); },
      close() { this.release(false); server.closeAllConnections?.(); return new Promise((r) => server.close(r)); },
    });
  }));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, port] = process.argv.slice(2);
  if (!dir) { process.stderr.write('usage: node tests/web/table_server.mjs DIR [PORT]\n'); process.exit(2); }
  const s = await startTableServer({ dir, port: Number(port ?? 0) });
  console.log(`table_server: ${s.root} at ${s.bucket}/ (pages at ${s.url}/t/sync.html)`);
}
