// keys_oracle.mjs — asks real IndexedDB (headless Chromium) about keys, for 62_keys.sh:
//   1. indexedDB.cmp(a, b) on N seeded random key pairs (numbers incl. -0, ±Infinity, tiny and
//      huge; dates; strings with lone surrogates and non-BMP characters; ArrayBuffers and
//      Uint8Array views at an offset; nested arrays);
//   2. which key path strings createObjectStore accepts (the spec's "valid key path").
// Writes one line per case to OUT (the text key form keycmp.c reads):
//   cmp <keyA> <keyB> <-1|0|1>
//   path <hex of the UTF-8 path> <1 valid | 0 SyntaxError>
// Key text form: n<16 hex: double bits> d<16 hex> s<4 hex per UTF-16 unit>. b<2 hex per byte>.
//   [<key>,<key>...] ; strings and binaries end with '.'.
// Usage: node keys_oracle.mjs SEED N OUT   (exit 3 with a reason when Chromium cannot run)
import http from 'node:http';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [seed, N, out] = [Number(process.argv[2] || 1), Number(process.argv[3] || 5000), process.argv[4]];
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function rng(a) { // mulberry32
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const R = rng(seed);
const pick = (a) => a[Math.floor(R() * a.length)];
const NUMS = [0, -0, 1, -1, 0.5, -0.5, 1e-300, -1e-300, 5e-324, -5e-324, Number.MAX_VALUE,
  -Number.MAX_VALUE, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2, 3, 1e21, 123456.789];
const UNITS = [0x61, 0x62, 0x41, 0, 0xe9, 0xff, 0x100, 0x7ff, 0x800, 0xd800, 0xdbff, 0xdc00,
  0xdfff, 0xfffd, 0xffff, 0xd83d, 0xde00];

function randNum() {
  if (R() < 0.5) return pick(NUMS);
  if (R() < 0.5) return Math.floor((R() - 0.5) * 200);
  const b = new DataView(new ArrayBuffer(8));
  b.setUint32(0, (R() * 2 ** 32) >>> 0); b.setUint32(4, (R() * 2 ** 32) >>> 0);
  const d = b.getFloat64(0);
  return Number.isNaN(d) ? R() * 1e10 : d;
}
// Keys are described as {t, v}: plain data the page turns into real keys.
function randKey(depth) {
  const t = pick(depth < 3 ? 'nndssbba' : 'nndssbb');
  if (t === 'n') return { t, v: randNum() };
  if (t === 'd') return { t, v: R() < 0.3 ? pick([0, -0, 8.64e15, -8.64e15, 1]) : Math.floor((R() - 0.5) * 1e13) };
  if (t === 's') { const n = Math.floor(R() * 5); const u = []; for (let i = 0; i < n; i++) u.push(R() < 0.6 ? pick(UNITS) : Math.floor(R() * 65536)); return { t, v: u }; }
  if (t === 'b') { const n = Math.floor(R() * 5); const u = []; for (let i = 0; i < n; i++) u.push(pick([0, 1, 0x7f, 0x80, 0xff, Math.floor(R() * 256)])); return { t, v: u, view: R() < 0.5 }; }
  const n = Math.floor(R() * 4); const a = []; for (let i = 0; i < n; i++) a.push(randKey(depth + 1));
  return { t: 'a', v: a };
}
// Mutations of a key make close pairs (equal, one unit off, prefix) likelier than chance.
function near(k) {
  const c = structuredClone(k);
  if (R() < 0.3) return c;
  if ((c.t === 's' || c.t === 'b') && c.v.length && R() < 0.5) { c.v.pop(); return c; }
  if (c.t === 'a' && c.v.length) { c.v[c.v.length - 1] = R() < 0.5 ? near(c.v[c.v.length - 1]) : randKey(3); return c; }
  if (c.t === 'n' && R() < 0.5) { c.v = c.v === 0 ? -0 : -c.v; return c; }
  return randKey(1);
}
const hex = (n, w) => n.toString(16).padStart(w, '0');
function text(k) {
  if (k.t === 'n' || k.t === 'd') {
    const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, k.v);
    return k.t + hex(b.getUint32(0), 8) + hex(b.getUint32(4), 8);
  }
  if (k.t === 's') return 's' + k.v.map((u) => hex(u, 4)).join('') + '.';
  if (k.t === 'b') return 'b' + k.v.map((u) => hex(u, 2)).join('') + '.';
  return '[' + k.v.map(text).join(',') + ']';
}

const pairs = [];
for (let i = 0; i < N; i++) { const a = randKey(0); pairs.push([a, R() < 0.5 ? near(a) : randKey(0)]); }

// Key path strings: valid and invalid, ASCII and beyond.
const PATHS = ['', 'a', 'a.b', 'a.b.c', '$', '_', '$a_1', 'a1.b2', 'length', 'é', 'ñame.x', 'Ωmega',
  'a\u200cb', 'a\u200db', '\u200ca', 'x\u0301', '\u0301x', '日本', 'a.日本.c', '𝒜', 'a𝒜', '\u2118', '\u212e',
  '\u309b', 'ゝ', 'a·b', '·a', '\u0660', 'a\u0660', 'ⅰ', '_\u00b7', 'a.', '.a', 'a..b', '1a', 'a-b', 'a b',
  ' a', 'a ', 'a.1', 'a[0]', 'a/b', "a'b", 'a\\u0062', '\u00aa', '\u00ba', '\u00b5', 'a\u00b7', '\u2e2f',
  'a\ufeff', '\ufeff', 'if', 'class', 'a.if', 'null', 'true', 'a\u2028', '😀', 'a😀', 'ℝ', 'a\u0300',
  '\u1885', '\u1886', 'a\u1369', '\u1369', 'x\u30fb', 'x\uff65', 'x\u00ad', 'a\u180e'];

async function main() {
  let chromium;
  try { ({ chromium } = require('playwright-core')); } catch (e) {
    console.log('# SKIPPED: playwright-core is not installed (npm ci in tests/idb)'); process.exit(3);
  }
  if (!fs.existsSync(CHROMIUM)) { console.log(`# SKIPPED: ${CHROMIUM} not found (apt-get install chromium)`); process.exit(3); }
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); res.end('<!doctype html><title>keys</title>');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  } catch (e) {
    console.log('# SKIPPED: Chromium does not start: ' + String(e.message).split('\n')[0]); server.close(); process.exit(3);
  }
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const cmp = await page.evaluate((ps) => {
    function mk(k) {
      if (k.t === 'n') return k.v;
      if (k.t === 'd') return new Date(k.v);
      if (k.t === 's') return String.fromCharCode(...k.v);
      if (k.t === 'b') {
        if (!k.view) return new Uint8Array(k.v).buffer;
        const big = new Uint8Array(k.v.length + 3); big.set(k.v, 2); // a view at an offset
        return new Uint8Array(big.buffer, 2, k.v.length);
      }
      return k.v.map(mk);
    }
    return ps.map(([a, b]) => { try { return indexedDB.cmp(mk(a), mk(b)); } catch (e) { return "error:" + e.name; } });
  }, pairs);
  const paths = await page.evaluate(async (list) => {
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('paths' + Math.random(), 1);
      r.onupgradeneeded = () => {
        const out = list.map((p, i) => { try { r.result.createObjectStore('s' + i, { keyPath: p }); return 1; } catch (e) { return e.name === 'SyntaxError' ? 0 : -1; } });
        r.transaction.oncomplete = () => res(out);
        r.transaction.onabort = () => rej(new Error('abort'));
      };
      r.onerror = () => rej(r.error);
    });
    return db;
  }, PATHS);
  await browser.close();
  server.close();
  const lines = pairs.map(([a, b], i) => `cmp ${text(a)} ${text(b)} ${cmp[i]}`);
  PATHS.forEach((p, i) => lines.push(`path ${Buffer.from(p, 'utf8').toString('hex') || '-'} ${paths[i]}`));
  fs.writeFileSync(out, lines.join('\n') + '\n');
  console.log(`# chromium ${browser.version ? browser.version() : ''}: ${pairs.length} key pairs, ${PATHS.length} key paths`);
}
main().catch((e) => { console.log('# SKIPPED: oracle failed: ' + e.message); process.exit(3); });
