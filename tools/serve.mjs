#!/usr/bin/env node
// serve.mjs — serves the repository's web/ directory (idbpq.js, idbpq.wasm, the demo page) over
// HTTP for a browser, with no dependencies: `make serve`, or `node tools/serve.mjs`.
//   --port N (or PORT; default 8080; 0 picks a free port)   --host H (or HOST; default 127.0.0.1)
// Prints "idbpq: serving web/ at http://HOST:PORT/ (demo: http://HOST:PORT/demo/)" once
// listening; tests start it with --port 0 and read the URL from that line.
// A module page needs real MIME types (browsers refuse a module script served as text/plain, and
// WebAssembly.instantiateStreaming wants application/wasm), hence this rather than a file:// URL.
// Nothing outside web/ is reachable: not by "..", not by %2e%2e, not through a symlink.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fs.realpathSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'web'));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.parquet': 'application/vnd.apache.parquet',
};

function option(name, envName, fallback) {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}` && i + 1 < args.length) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return process.env[envName] || fallback;
}

function usage(message) {
  process.stderr.write(`serve.mjs: ${message}\nusage: node tools/serve.mjs [--port N] [--host H]\n`);
  process.exit(2);
}

for (const a of process.argv.slice(2)) {
  if (a === '-h' || a === '--help') usage('serves web/ over HTTP');
}
const host = option('host', 'HOST', '127.0.0.1');
const portText = option('port', 'PORT', '8080');
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) usage(`bad port "${portText}"`);

function send(res, status, text, headers = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text + '\n');
}

// The file under ROOT that a URL path names, or null. Decoding happens once, before the
// check, so an encoded "../" is normalized away like a plain one; realpath then catches a
// symlink inside web/ that points out of it.
function resolve(urlPath) {
  let decoded;
  try { decoded = decodeURIComponent(urlPath); } catch { return null; }
  if (decoded.includes('\0')) return null;
  const file = path.join(ROOT, path.normalize(decoded));
  let real;
  try { real = fs.realpathSync(file); } catch { return null; }
  if (real !== ROOT && !real.startsWith(ROOT + path.sep)) return null;
  return real;
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    return;
  }
  const urlPath = new URL(req.url, 'http://x').pathname;
  if (urlPath === '/') { send(res, 302, 'see /demo/', { location: '/demo/' }); return; }
  let file = resolve(urlPath);
  if (!file) { send(res, 404, 'not found'); return; }
  let stat = fs.statSync(file);
  if (stat.isDirectory()) {
    // Relative links in index.html (demo.js, ../idbpq.js) need the trailing slash.
    if (!urlPath.endsWith('/')) { send(res, 301, 'moved', { location: urlPath + '/' }); return; }
    file = path.join(file, 'index.html');
    try { stat = fs.statSync(file); } catch { send(res, 404, 'not found'); return; }
  }
  if (!stat.isFile()) { send(res, 404, 'not found'); return; }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream',
    'content-length': stat.size,
    // idbpq.wasm and idbpq.js change with every `make wasm`: a stale cached copy would be confusing.
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') { res.end(); return; }
  fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
});

server.on('error', (e) => {
  process.stderr.write(`serve.mjs: cannot listen on ${host}:${port}: ${e.message}` +
    (e.code === 'EADDRINUSE' ? ' (another port: --port N or PORT=N)' : '') + '\n');
  process.exit(1);
});
server.listen(port, host, () => {
  const a = server.address();
  const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  const base = `http://${shown}:${a.port}/`;
  console.log(`idbpq: serving web/ at ${base} (demo: ${base}demo/)`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { server.close(); process.exit(0); });
