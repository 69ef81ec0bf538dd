// v8wire_bench.mjs — throughput of web/v8wire.js (V8Writer, readValue) against Node's native
// v8.serialize / v8.deserialize on the same values. Nothing is asserted; not part of
// `make test`.
//
//   node bench/web/v8wire_bench.mjs [--records N] [--seconds S per measurement] [--chromium]
//
// Cases: realistic IndexedDB records (12 fields: ints, floats, short strings, a Date, a
// nested object, an array of 3 strings), then records holding one 10 KB string (ASCII,
// Latin-1, two-byte), which take the TextEncoder/TextDecoder paths. v8wire writes a batch
// into one growing buffer, as web/idbpq.js does; native calls go one record at a time, as
// they must. Decoding reads the bytes v8.serialize made (the C encoder writes strings the same
// way). --chromium also runs v8wire in headless Chromium (/usr/bin/chromium, playwright-core
// from bench/node_modules), the engine that matters, and compares it with Node's native
// numbers.
import v8 from 'node:v8';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as v8wire from '../../web/v8wire.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? +process.argv[i + 1] : def;
};
const N = arg('--records', 20000);
const SECONDS = arg('--seconds', 2.5);
const CHROMIUM = process.argv.includes('--chromium');

// makeCases and core run both in Node and (stringified) in the page: they use nothing from
// outside themselves.
function makeCases(N) {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const ri = (n) => Math.floor(rnd() * n);
  const W = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel',
    'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa'];
  const words = (n) => Array.from({ length: n }, () => W[ri(16)]).join(' ');
  const record = (i) => ({
    id: i,
    sku: `SKU-${100000 + ri(900000)}`,
    name: words(2 + ri(3)),
    email: `${W[ri(16)]}.${W[ri(16)]}@example.com`,
    price: Math.round(rnd() * 100000) / 100,
    qty: ri(1000),
    rating: rnd() * 5,
    active: rnd() < 0.7,
    created: new Date(1.6e12 + ri(1e11)),
    address: { street: `${ri(999)} ${words(2)} St`, city: W[ri(16)], zip: String(10000 + ri(89999)) },
    tags: [W[ri(16)], W[ri(16)], W[ri(16)]],
    note: rnd() < 0.5 ? null : words(3 + ri(5)),
  });
  const long = (i, base) => ({ id: i, body: base.repeat(Math.ceil(10240 / base.length)).slice(0, 10240) });
  return [
    ['realistic records', Array.from({ length: N }, (_, i) => record(i))],
    ['10 KB ASCII strings', Array.from({ length: 500 }, (_, i) => long(i, 'lorem ipsum dolor sit amet '))],
    ['10 KB Latin-1 strings', Array.from({ length: 500 }, (_, i) => long(i, 'naïve café déjà vu über '))],
    ['10 KB two-byte strings', Array.from({ length: 500 }, (_, i) => long(i, 'данные 数据 データ '))],
  ];
}

// Seconds per call of fn: the best of 5 rounds of about seconds/5 each, after a warm-up
// call (the best round is the one least disturbed by whatever else the machine runs).
function timer(seconds) {
  return (fn) => {
    fn();
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      let calls = 0, t;
      const t0 = performance.now();
      do {
        fn();
        calls++;
        t = (performance.now() - t0) / 1e3;
      } while (t < seconds / 5);
      best = Math.min(best, t / calls);
    }
    return best;
  };
}

function core(mod, cases, time, natives) {
  const w = new mod.V8Writer();
  return cases.map(([label, values], k) => {
    const n = values.length;
    const enc = time(() => {
      w.reset();
      for (let i = 0; i < n; i++) w.writeValue(values[i]);
    });
    const { bytes, ends } = natives[k];
    const dec = time(() => {
      for (let i = 0, p = 0; i < n; i++) p = mod.readValue(bytes, p, ends[i]).end;
    });
    return { label, n, bytes: bytes.length, enc, dec };
  });
}

// The native side, and the bytes the decoders read.
function native(values, time) {
  const bufs = values.map((v) => v8.serialize(v));
  const bytes = new Uint8Array(Buffer.concat(bufs));
  const ends = [];
  bufs.reduce((p, b) => (ends.push(p + b.length), p + b.length), 0);
  const enc = time(() => { for (const v of values) v8.serialize(v); });
  const dec = time(() => { for (const b of bufs) v8.deserialize(b); });
  return { bytes, ends, enc, dec };
}

const time = timer(SECONDS);
const cases = makeCases(N);
const natives = cases.map(([, values]) => native(values, time));
const ours = core(v8wire, cases, time, natives);
const fmt = (x, w = 7) => x.toFixed(0).padStart(w);
console.log(`# node ${process.version}; ratio = v8wire speed / native v8.serialize or v8.deserialize speed`);
const print = (where, res) => {
  for (const r of res) {
    const nat = natives[res.indexOf(r)];
    const mb = r.bytes / 1e6;
    for (const [what, t, tn] of [['encode', r.enc, nat.enc], ['decode', r.dec, nat.dec]]) {
      console.log(`${where.padEnd(8)} ${r.label.padEnd(23)} ${what}  v8wire ${fmt(r.n / t / 1e3)} k rec/s ${fmt(mb / t, 5)} MB/s | ` +
        `native ${fmt(r.n / tn / 1e3)} k rec/s ${fmt(mb / tn, 5)} MB/s | ratio ${(tn / t).toFixed(2)}`);
    }
  }
};
print('node', ours);

if (CHROMIUM) {
  const require = createRequire(import.meta.url);
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    console.log('# --chromium: playwright-core is missing (npm ci in bench/)');
    process.exit(0);
  }
  const src = fs.readFileSync(fileURLToPath(new URL('../../web/v8wire.js', import.meta.url)), 'utf8');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true });
  try {
    const page = await browser.newPage();
    const version = browser.version();
    const res = await page.evaluate(async ([src, fns, N, S, nat]) => {
      const mod = await import(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      const [makeCases, timer, core] = fns.map((f) => (0, eval)(`(${f})`));
      const natives = nat.map(({ b64, ends }) => ({ bytes: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), ends }));
      return core(mod, makeCases(N), timer(S), natives);
    }, [src, [makeCases, timer, core].map(String), N, SECONDS,
      natives.map((x) => ({ b64: Buffer.from(x.bytes).toString('base64'), ends: x.ends }))]);
    console.log(`# Chromium ${version}: v8wire in the page; native = Node's v8.serialize / v8.deserialize above`);
    print('chromium', res);
  } finally {
    await browser.close();
  }
}
