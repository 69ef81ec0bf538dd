// bench.mjs — idbpq in the browser against its floors and the browser Parquet peers, in real
// headless Chromium (playwright-core), on the same seeded records in one run. Driven by
// bench/browser/run.sh; README.md describes the method. Never asserted: prints a table and the
// targets, writes $BENCH_OUT/browser.json.
//
// Environment:
//   BENCH_BROWSER_N        record counts, comma-separated (default 100000,1000000)
//   BENCH_BROWSER_RUNS     runs per case (default 3 below 1,000,000 records, 1 from there)
//   BENCH_BROWSER_CASES    cases, comma-separated (default all; names in CASES below)
//   BENCH_BROWSER_TIMEOUT  seconds a case may take (default 120 + 1.2 ms a record)
//   BENCH_BROWSER_PORT     the page's port (default 47181; the filled profiles are tied to it)
//   BENCH_OUT              output folder (default bench/out); work files in $BENCH_OUT/browser/
//   CHROMIUM               the browser (default /usr/bin/chromium)
//   BENCH_BROWSER_DEBUG    set: the page's console, failed requests and workers on stderr
//   BENCH_BROWSER_PROFILE  set: a CPU profile of the page's main thread during each timed run, in
//                          $BENCH_OUT/browser/profiles/<N>-<case>-<run>.cpuprofile (DevTools
//                          opens it), and its top functions by self time on stderr. It slows
//                          the runs: their times are not comparable with unprofiled ones
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parquetMetadata } from 'hyparquet';
import { GEN_VERSION, SEED } from './data.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const benchDir = path.join(root, 'bench');
const require = createRequire(path.join(benchDir, 'package.json'));
const { chromium } = require('playwright-core');

const env = process.env;
const NS = (env.BENCH_BROWSER_N || '100000,1000000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
if (!NS.length || NS.some((n) => !Number.isInteger(n))) throw new Error(`BENCH_BROWSER_N: ${env.BENCH_BROWSER_N}`);
const OUT = path.resolve(root, env.BENCH_OUT || 'bench/out');
const WORK = path.join(OUT, 'browser');
const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
const PORT = Number(env.BENCH_BROWSER_PORT || 47181);
const ROW_GROUP_BYTES = 64 * 2 ** 20;    // idbpq's default rowGroupBytes (web/idbpq.d.ts)
const MiB = 2 ** 20;
const CLK_TCK = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100; } catch { return 100; } })();

// The cases, in the order they run (imports read the files the exports wrote).
const CASES = [
  { id: 'export-floor', op: 'export', tool: 'floor', label: 'floor: getAll pages, no conversion' },
  { id: 'export-idbpq', op: 'export', tool: 'idbpq', label: 'idbpq exportStore', budget: ROW_GROUP_BYTES },
  { id: 'export-idbpq-stream', op: 'export', tool: 'idbpq', label: 'idbpq exportStoreStream → byte counter', budget: ROW_GROUP_BYTES },
  { id: 'export-idbpq-rg16', op: 'export', tool: 'idbpq', label: 'idbpq exportStore, rowGroupBytes 16 MiB', budget: 16 * MiB },
  { id: 'export-hyparquet', op: 'export', tool: 'peer', label: 'hyparquet-writer (columnData)' },
  { id: 'export-parquet-wasm', op: 'export', tool: 'peer', label: 'apache-arrow → parquet-wasm' },
  { id: 'export-duckdb', op: 'export', tool: 'peer', label: 'duckdb-wasm (Arrow → COPY TO)' },
  { id: 'import-floor', op: 'import', tool: 'floor', label: 'floor: put objects, one transaction' },
  { id: 'import-idbpq', op: 'import', tool: 'idbpq', label: 'idbpq importParquet (idbpq file)', input: 'export-idbpq', budget: ROW_GROUP_BYTES },
  { id: 'import-idbpq-foreign', op: 'import', tool: 'idbpq', label: 'idbpq importParquet (hyparquet file)', input: 'export-hyparquet' },
  { id: 'import-hyparquet', op: 'import', tool: 'peer', label: 'hyparquet read + put (hyparquet file)', input: 'export-hyparquet' },
];
const WANT = env.BENCH_BROWSER_CASES ? env.BENCH_BROWSER_CASES.split(',').map((s) => s.trim()) : CASES.map((c) => c.id);
for (const w of WANT) if (!CASES.some((c) => c.id === w)) throw new Error(`BENCH_BROWSER_CASES: unknown case ${w}`);

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-precise-memory-info'];

const log = (s) => process.stderr.write(`bench/browser: ${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (b) => (b == null ? null : b / MiB);

/* ---- the static server ---------------------------------------------------------------------- */

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json',
  '.map': 'application/json', '.parquet': 'application/vnd.apache.parquet' };
const WEB_COPY = path.join(WORK, 'web');   // idbpq as it was when the run started
const MOUNTS = { '/browser/': here, '/nm/': path.join(benchDir, 'node_modules'), '/web/': WEB_COPY };
let filesDir = null;   // where /out/ reads and writes (the current N's outputs)

function resolveUrl(url) {
  const p = decodeURIComponent(new URL(url, 'http://x').pathname);
  if (p === '/' || p === '/index.html') return path.join(here, 'page.html');
  if (p === '/favicon.ico') return path.join(here, 'favicon.ico');   // missing: a 404
  for (const [prefix, dir] of Object.entries(MOUNTS)) {
    if (!p.startsWith(prefix)) continue;
    const f = path.resolve(dir, '.' + p.slice(prefix.length - 1));
    return f.startsWith(dir + path.sep) ? f : null;
  }
  if (p.startsWith('/out/') && filesDir && /^\/out\/[\w.-]+$/.test(p)) return path.join(filesDir, p.slice(5));
  return null;
}
function makeServer() {
  return http.createServer((req, res) => {
    const f = resolveUrl(req.url);
    const fail = (code) => { res.writeHead(code, { 'content-type': 'text/plain' }); res.end(String(code)); };
    if (!f) return fail(404);
    if (req.method === 'PUT') {
      if (!f.startsWith(filesDir + path.sep)) return fail(403);
      const tmp = f + '.tmp';
      const w = fs.createWriteStream(tmp);
      req.pipe(w);
      w.on('finish', () => { fs.renameSync(tmp, f); res.writeHead(201); res.end(); });
      w.on('error', () => fail(500));
      return undefined;
    }
    fs.stat(f, (err, st) => {
      if (err || !st.isFile()) return fail(404);
      res.writeHead(200, { 'content-type': MIME[path.extname(f)] || 'application/octet-stream',
        'content-length': st.size, 'cache-control': 'no-store' });
      fs.createReadStream(f).pipe(res);
      return undefined;
    });
    return undefined;
  });
}
async function listen(server) {
  try {
    await new Promise((res, rej) => { server.once('error', rej); server.listen(PORT, '127.0.0.1', res); });
  } catch {
    log(`port ${PORT} is taken: another port (the filled profiles, tied to their port, are filled again)`);
    await new Promise((res, rej) => { server.once('error', rej); server.listen(0, '127.0.0.1', res); });
  }
  return server.address().port;
}

/* ---- processes ------------------------------------------------------------------------------ */

// CPU seconds (user + system) a process has used so far.
function procCpu(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch { return null; }
}
function cpuOf(procs) {
  const m = new Map();
  for (const p of procs) { const c = procCpu(p.pid); if (c != null) m.set(p.pid, { type: p.type, cpu: c }); }
  return m;
}
// CPU used between two cpuOf() readings, by process type (renderer, browser, storage, other).
function cpuDelta(a, b) {
  const out = { total: 0, renderer: 0, browser: 0, storage: 0, other: 0 };
  for (const [pid, x] of b) {
    const d = x.cpu - (a.get(pid) ? a.get(pid).cpu : 0);
    const k = x.type === 'renderer' ? 'renderer' : x.type === 'browser' ? 'browser' : /StorageService/.test(x.type) ? 'storage' : 'other';
    out[k] += d;
    out.total += d;
  }
  return out;
}
function procStatus(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => { const m = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s); return m ? Number(m[1]) * 1024 : null; };
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch { return null; }
}
// Live processes whose command line mentions DIR (the browser and its children name their
// --user-data-dir).
function processesOf(dir) {
  const out = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try { if (fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(dir)) out.push(Number(e)); } catch { /* gone */ }
  }
  return out;
}
async function reap(dir) {
  for (let i = 0; i < 20; i++) {
    const left = processesOf(dir);
    if (!left.length) return 0;
    if (i >= 5) for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    await sleep(200);
  }
  return processesOf(dir).length;
}

/* ---- one browser launch --------------------------------------------------------------------- */

let current = null;   // {ctx, dir} of the open browser, for the exit handlers
function step(what, promise, ms, crashed) {
  let timer;
  return Promise.race([promise, crashed,
    new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what}: no answer after ${Math.round(ms / 1000)} s (timeout)`)), ms); })])
    .finally(() => clearTimeout(timer));
}
async function withBrowser(dir, url, timeoutMs, fn) {
  const ctx = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
  current = { ctx, dir };
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e.message || e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
      if (env.BENCH_BROWSER_DEBUG) log(`console.${m.type()}: ${m.text()}`);
    });
    if (env.BENCH_BROWSER_DEBUG) {
      page.on('requestfailed', (q) => log(`request failed: ${q.url()} ${q.failure() && q.failure().errorText}`));
      page.on('response', (q) => { if (q.status() >= 400) log(`HTTP ${q.status()}: ${q.url()}`); });
      page.on('worker', (w) => log(`worker ${w.url()}`));
    }
    let crash;
    const crashed = new Promise((_, rej) => { crash = rej; });
    crashed.catch(() => {});
    page.on('crash', () => crash(new Error('the renderer crashed (out of memory?)')));
    await step('load the page', page.goto(url), 60000, crashed);
    const ready = await step('page scripts', page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 }).then(() => true), 35000, crashed)
      .catch((e) => { throw new Error(`the page did not start: ${e.message} ${errors.join('; ')}`); });
    const browser = ctx.browser();
    const bs = await browser.newBrowserCDPSession();
    const cdp = await ctx.newCDPSession(page);
    return await fn({ page, bs, cdp, crashed, errors, ready, version: browser.version(),
      call: (what, f, arg, ms = timeoutMs) => step(what, page.evaluate(f, arg), ms, crashed) });
  } finally {
    await step('close Chromium', ctx.close(), 30000, new Promise(() => {})).catch((e) => log(e.message));
    current = null;
    const left = await reap(dir);
    if (left) log(`${left} Chromium processes of ${dir} would not end`);
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: closing Chromium`);
    const c = current;
    (c ? c.ctx.close().catch(() => {}).then(() => reap(c.dir)) : Promise.resolve()).finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  if (!current) return;
  for (const pid of processesOf(current.dir)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
});

async function processInfo(bs) {
  const { processInfo } = await bs.send('SystemInfo.getProcessInfo');
  return processInfo.map((p) => ({ type: p.type, pid: p.id }));
}
function memoryOf(procs) {
  const st = procs.map((p) => ({ ...p, ...procStatus(p.pid) })).filter((p) => p.hwm != null);
  const renderers = st.filter((p) => p.type === 'renderer').sort((a, b) => b.hwm - a.hwm);
  const one = (t) => st.find((p) => p.type === t) || null;
  return { renderer: renderers[0] || null, renderers, browser: one('browser'),
    storage: st.find((p) => /StorageService/.test(p.type)) || null };
}

// JS heap: the page's V8 heap from CDP every 50 ms (it cannot answer while the page runs a long
// synchronous call), and every isolate's heap size at the start of each of its GCs from a V8
// trace (taken whatever the thread is doing, workers included).
function heapSampler(cdp) {
  let peak = 0, samples = 0, stop = false;
  const loop = (async () => {
    while (!stop) {
      const t = Date.now();
      try { const h = await cdp.send('Runtime.getHeapUsage'); peak = Math.max(peak, h.usedSize); samples++; } catch { /* page busy or gone */ }
      await sleep(Math.max(0, 50 - (Date.now() - t)));
    }
  })();
  return { async end() { stop = true; await Promise.race([loop, sleep(2000)]); return { peak, samples }; } };
}
async function startGcTrace(bs) {
  const events = [];
  let all = 0;
  const onData = (e) => { all += e.value.length; for (const v of e.value) if (v.args && v.args.usedHeapSizeBefore !== undefined) events.push(v); };
  bs.on('Tracing.dataCollected', onData);
  await bs.send('Tracing.start', { traceConfig: { includedCategories: ['v8'], recordMode: 'recordContinuously' }, transferMode: 'ReportEvents' });
  return {
    async end() {
      const done = new Promise((r) => bs.once('Tracing.tracingComplete', r));
      await bs.send('Tracing.end');
      await Promise.race([done, sleep(30000)]);
      bs.off('Tracing.dataCollected', onData);
      // Per process, the main thread (tid = pid) and the other isolates (workers).
      const per = new Map();
      for (const e of events) {
        const p = per.get(e.pid) || new Map();
        p.set(e.tid, Math.max(p.get(e.tid) || 0, e.args.usedHeapSizeBefore));
        per.set(e.pid, p);
      }
      let best = { main: 0, workers: 0, gcs: events.length, events: all };
      for (const [pid, threads] of per) {
        let main = 0, workers = 0;
        for (const [tid, v] of threads) { if (tid === pid) main = v; else workers += v; }
        if (main + workers > best.main + best.workers) best = { main, workers, gcs: events.length, events: all };
      }
      return best;
    },
  };
}

async function saveProfile(cdp, name) {
  const { profile } = await cdp.send('Profiler.stop');
  const dir = path.join(WORK, 'profiles');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name + '.cpuprofile'), JSON.stringify(profile));
  // Self time per function from the samples.
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map();
  const dt = profile.timeDeltas || [];
  (profile.samples || []).forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const k = `${f.functionName || '(anonymous)'} ${f.url ? path.basename(f.url) + ':' + (f.lineNumber + 1) : ''}`.trim();
    self.set(k, (self.get(k) || 0) + (dt[i + 1] || 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  log(`profile ${name}: ${fmt(total)} ms sampled; by self time:\n` + top.map(([k, v]) => `    ${fmt(v).padStart(7)} ms ${(100 * v / total).toFixed(1).padStart(5)} %  ${k}`).join('\n'));
}

/* ---- the filled profiles -------------------------------------------------------------------- */

async function template(n, port, version) {
  const dir = path.join(WORK, `profile-${n}-s${SEED}-v${GEN_VERSION}`);
  const metaFile = path.join(dir, 'bench-meta.json');
  if (fs.existsSync(metaFile)) {
    const m = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (m.port === port && m.chromium === version && m.records === n) return dir;
    log(`${dir} was filled for port ${m.port}, Chromium ${m.chromium}: filling it again`);
  }
  for (const d of fs.readdirSync(WORK)) {
    if (d.startsWith(`profile-${n}-`)) fs.rmSync(path.join(WORK, d), { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  log(`filling ${n.toLocaleString('en-US')} records into ${path.relative(root, dir)} (not timed)`);
  const timeout = 120000 + n * 4;
  const count = await withBrowser(dir, `http://127.0.0.1:${port}/`, timeout, ({ call }) => call('fill', ([k, s]) => window.bench.fill(k, s), [n, SEED]));
  if (count !== n) throw new Error(`fill: the store holds ${count} records, not ${n}`);
  // A second launch reads everything once, so that LevelDB's recovery and compaction of the
  // fill's log happen here and not in a measured run.
  await withBrowser(dir, `http://127.0.0.1:${port}/`, timeout, async ({ call }) => {
    await call('settle', () => window.bench.prepare('export-floor', {}).then(() => window.bench.run('export-floor')));
    await sleep(3000);
  });
  fs.writeFileSync(metaFile, JSON.stringify({ records: n, seed: SEED, gen: GEN_VERSION, port, chromium: version }) + '\n');
  log(`filled in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return dir;
}

/* ---- one measurement ------------------------------------------------------------------------ */

async function measure(kase, n, tmpl, port, run) {
  const work = path.join(WORK, 'run-profile');
  fs.rmSync(work, { recursive: true, force: true });
  execFileSync('cp', ['-a', tmpl, work]);
  const timeout = Number(env.BENCH_BROWSER_TIMEOUT || 0) * 1000 || 120000 + n * 1.2;
  const input = kase.input ? `/out/${kase.input}.parquet` : null;
  const upload = kase.op === 'export' && kase.tool !== 'floor' && kase.id !== 'export-idbpq-stream' ? `/out/${kase.id}.parquet` : null;
  const r = { case: kase.id, n, run, ok: false };
  const t0 = Date.now();
  try {
    await withBrowser(work, `http://127.0.0.1:${port}/`, timeout, async ({ call, bs, cdp, errors }) => {
      try {
        const p = await call(`${kase.id}: prepare`, ([k, o]) => window.bench.prepare(k, o), [kase.id, { n, seed: SEED, input }]);
        r.loadMs = p.loadMs;
        if (p.duckdb) r.duckdb = p.duckdb;
      } catch (e) {
        const m = e.message.split('\n')[0];
        r.unavailable = /not available/.test(m);
        r.error = r.unavailable ? m.replace(/^.*?(not available)/, '$1') : `prepare: ${m}`;
        return;
      }
      const procs1 = await processInfo(bs);
      const before = memoryOf(procs1);
      r.rendererBefore = before.renderer ? before.renderer.rss : null;
      const sampler = heapSampler(cdp);
      const trace = await startGcTrace(bs);
      const cpu0 = cpuOf(procs1);
      if (env.BENCH_BROWSER_PROFILE) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 1000 }); await cdp.send('Profiler.start'); }
      let res;
      try {
        res = await call(`${kase.id}: run`, (k) => window.bench.run(k), kase.id);
      } catch (e) {
        r.error = e.message.split('\n')[0] + (errors.length ? ` (${errors.slice(-2).join('; ')})` : '');
      }
      if (env.BENCH_BROWSER_PROFILE) await saveProfile(cdp, `${n}-${kase.id}-${run}`).catch((e) => log(`profile: ${e.message}`));
      const procs2 = await processInfo(bs).catch(() => procs1);
      r.cpu = cpuDelta(cpu0, cpuOf(procs2));
      const heap = await sampler.end();
      const gc = await trace.end().catch(() => ({ main: 0, workers: 0, gcs: 0 }));
      const mem = memoryOf(procs2);
      r.renderer = mem.renderer ? mem.renderer.hwm : null;
      r.renderers = mem.renderers.map((p) => ({ pid: p.pid, hwm: p.hwm }));
      r.browserHwm = mem.browser ? mem.browser.hwm : null;
      r.storageHwm = mem.storage ? mem.storage.hwm : null;
      r.heapCdp = heap.peak || null;
      r.heapSamples = heap.samples;
      r.heapGcMain = gc.main || null;
      r.heapGcWorkers = gc.workers || null;
      r.gcs = gc.gcs;
      r.traceEvents = gc.events;
      r.heap = Math.max(heap.peak, gc.main) + gc.workers || null;
      if (!res) return;
      Object.assign(r, { ms: res.ms, records: res.records, bytes: res.bytes, ok: true });
      const fin = await call(`${kase.id}: finish`, ([k, o]) => window.bench.finish(k, o), [kase.id, { n, seed: SEED, upload }], Math.max(timeout, 120000))
        .catch((e) => ({ error: e.message }));
      if (fin.error) r.note = `finish: ${fin.error}`;
      r.wasm = fin.wasmBytes ?? null;
      if (kase.op === 'import') Object.assign(r, { count: fin.count, checked: fin.checked, mismatches: fin.mismatches, mismatchesBeyondAbsent: fin.mismatchesBeyondAbsent, firstMismatch: fin.firstMismatch });
      if (res.fallbacks != null) r.fallbacks = res.fallbacks;
    });
  } catch (e) {
    if (!r.error) r.error = e.message.split('\n')[0];
  }
  r.wallS = (Date.now() - t0) / 1000;
  fs.rmSync(work, { recursive: true, force: true });
  // What the export wrote, from its footer.
  if (r.ok && upload) {
    const f = path.join(filesDir, `${kase.id}.parquet`);
    try {
      const buf = fs.readFileSync(f);
      const md = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
      r.file = { bytes: buf.length, rows: Number(md.num_rows), rowGroups: md.row_groups.length, createdBy: md.created_by || null,
        columns: md.schema.filter((s) => s.type).map((s) => `${s.name}:${s.type}${s.converted_type ? '/' + s.converted_type : ''}${s.logical_type ? '/' + s.logical_type.type : ''}`) };
      if (r.records == null) r.records = r.file.rows;
      if (r.bytes != null && r.bytes !== buf.length) r.note = `uploaded ${buf.length} bytes of ${r.bytes}`;
    } catch (e) { r.file = { error: `footer: ${e.message}` }; }
  }
  return r;
}

/* ---- summary -------------------------------------------------------------------------------- */

const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const maxOf = (a) => { const v = a.filter((x) => x != null); return v.length ? Math.max(...v) : null; };

function summarize(n, kase, runs) {
  const ok = runs.filter((r) => r.ok);
  const s = { n, case: kase.id, op: kase.op, tool: kase.tool, label: kase.label, runs: runs.length, okRuns: ok.length };
  const failed = runs.filter((r) => !r.ok);
  if (failed.length) s.error = failed[0].error || 'failed';
  if (failed.some((r) => r.unavailable)) s.unavailable = true;
  if (!ok.length) return s;
  s.ms = median(ok.map((r) => r.ms));
  s.times = ok.map((r) => r.ms);
  s.msPer1000 = s.ms / (n / 1000);
  const cpus = ok.filter((r) => r.cpu);
  if (cpus.length) {
    s.cpu = {};
    for (const k of ['total', 'renderer', 'browser', 'storage', 'other']) s.cpu[k] = median(cpus.map((r) => r.cpu[k]));
  }
  s.bytes = ok[ok.length - 1].bytes ?? (ok[ok.length - 1].file && ok[ok.length - 1].file.bytes) ?? null;
  s.heap = maxOf(ok.map((r) => r.heap));
  s.heapCdp = maxOf(ok.map((r) => r.heapCdp));
  s.renderer = maxOf(ok.map((r) => r.renderer));
  s.rendererBefore = maxOf(ok.map((r) => r.rendererBefore));
  s.rendererExtra = maxOf(ok.map((r) => (r.renderer != null && r.rendererBefore != null ? r.renderer - r.rendererBefore : null)));
  s.storageHwm = maxOf(ok.map((r) => r.storageHwm));
  s.browserHwm = maxOf(ok.map((r) => r.browserHwm));
  s.wasm = maxOf(ok.map((r) => r.wasm));
  const last = ok[ok.length - 1];
  if (last.file) s.file = last.file;
  if (last.records != null) s.records = last.records;
  if (kase.op === 'import') Object.assign(s, { count: last.count, checked: last.checked, mismatches: last.mismatches, mismatchesBeyondAbsent: last.mismatchesBeyondAbsent, firstMismatch: last.firstMismatch });
  if (last.fallbacks != null) s.fallbacks = last.fallbacks;
  const notes = [];
  if (s.records != null && s.records !== n) notes.push(`${s.records} records, not ${n}`);
  if (s.file && s.file.rows != null && s.file.rows !== n) notes.push(`file has ${s.file.rows} rows`);
  if (s.file && s.file.error) notes.push(s.file.error);
  if (kase.op === 'import' && s.count !== n) notes.push(`store holds ${s.count}`);
  if (kase.op === 'import' && s.mismatches) {
    notes.push(`${s.mismatches}/${s.checked} checked records differ` +
      (s.mismatchesBeyondAbsent ? ` (${s.mismatchesBeyondAbsent} beyond absent → null)` : ' (only: an absent phone comes back null)'));
  }
  if (s.fallbacks) notes.push(`${s.fallbacks} records in the _raw fallback column`);
  for (const r of ok) if (r.note) notes.push(r.note);
  if (s.okRuns < s.runs) notes.push(`${s.runs - s.okRuns} of ${s.runs} runs failed`);
  if (notes.length) s.notes = notes;
  return s;
}

const fmt = (v, d = 0) => (v == null || Number.isNaN(v) ? '—' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
function table(n, sums, runs) {
  const floor = { export: sums.find((s) => s.case === 'export-floor'), import: sums.find((s) => s.case === 'import-floor') };
  const head = ['case', 'ms', 'ms/1000', '× floor', 'CPU s', 'MB out', 'JS heap MB', 'renderer MB', 'wasm MB', 'notes'];
  const rows = sums.map((s) => {
    const f = floor[s.op];
    const ratio = s.ms != null && f && f.ms ? s.ms / f.ms : null;
    const note = s.ms == null ? (s.unavailable ? s.error : `FAILED: ${s.error}`) : (s.notes || []).join('; ');
    return [`${s.op} ${s.label}`, fmt(s.ms), fmt(s.msPer1000, 2), ratio == null ? '—' : fmt(ratio, 2) + '×', s.cpu ? fmt(s.cpu.total, 1) : '—',
      s.bytes == null || s.tool === 'floor' ? '—' : fmt(s.bytes / 1e6, 1), fmt(mb(s.heap)), fmt(mb(s.renderer)), fmt(mb(s.wasm), 1), note];
  });
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => '| ' + r.map((c, i) => (i === 0 || i === r.length - 1 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join(' | ') + ' |';
  return [`### ${n.toLocaleString('en-US')} records (${runs === 1 ? '1 run' : `median of ${runs} runs`}; memory: the highest of the runs)`, '',
    line(head), '|' + w.map((x, i) => (i === 0 || i === w.length - 1 ? '-'.repeat(x + 2) : '-'.repeat(x + 1) + ':')).join('|') + '|', ...rows.map(line)].join('\n');
}

function targets(all, ns) {
  const out = [];
  const add = (name, met, detail) => out.push({ name, met, detail });
  const big = Math.max(...ns);
  for (const n of ns) {
    const s = (id) => all.find((x) => x.n === n && x.case === id && x.ms != null);
    const N = n.toLocaleString('en-US');
    const ef = s('export-floor'), ei = s('export-idbpq'), imf = s('import-floor'), ii = s('import-idbpq');
    // The CPU ratio rides along: it is the steadier one on a loaded machine.
    const cpuRatio = (a, b) => (a.cpu && b.cpu ? `; CPU ${fmt(a.cpu.total, 1)} s / ${fmt(b.cpu.total, 1)} s = ${fmt(a.cpu.total / b.cpu.total, 2)}×` : '');
    if (ef && ei) add(`${N}: export within 1.3× of the bare read`, ei.ms / ef.ms <= 1.3, `${fmt(ei.ms)} ms / ${fmt(ef.ms)} ms = ${fmt(ei.ms / ef.ms, 2)}×${cpuRatio(ei, ef)}`);
    else add(`${N}: export within 1.3× of the bare read`, null, 'not measured');
    if (imf && ii) add(`${N}: import within 1.1× of the bare write`, ii.ms / imf.ms <= 1.1, `${fmt(ii.ms)} ms / ${fmt(imf.ms)} ms = ${fmt(ii.ms / imf.ms, 2)}×${cpuRatio(ii, imf)}`);
    else add(`${N}: import within 1.1× of the bare write`, null, 'not measured');
    for (const [op, fl, me] of [['export', ef, ei], ['import', imf, ii]]) {
      const peers = all.filter((x) => x.n === n && x.op === op && x.tool === 'peer' && x.ms != null);
      const name = `${N}: ${op} conversion cost (time − floor) at least 3× below the fastest peer's`;
      if (!fl || !me || !peers.length) { add(name, null, 'not measured'); continue; }
      const best = peers.reduce((a, b) => (a.ms < b.ms ? a : b));
      const mine = me.ms - fl.ms, theirs = best.ms - fl.ms;
      add(name, mine * 3 <= theirs, `idbpq ${fmt(mine)} ms, ${best.label} ${fmt(theirs)} ms: ${mine > 0 ? fmt(theirs / mine, 2) + '× below' : 'idbpq at or under the floor'}`);
    }
  }
  // Memory: what idbpq's operation costs the renderer beyond the bare operation, at the largest
  // N, against its row-group budget (the row group being built plus its encoded copy:
  // 2 × rowGroupBytes). Export: the renderer's peak over the export floor's peak at the same N
  // (the floor's own growth, V8's heap and IPC buffers of the reads, is not idbpq's). Import:
  // the renderer's growth during the run (the import floor holds every object, so its peak
  // says nothing about idbpq).
  for (const c of CASES.filter((x) => x.budget)) {
    const over = (x) => {
      if (x.op === 'import') return x.rendererExtra;
      const f = all.find((y) => y.n === x.n && y.case === 'export-floor' && y.renderer != null);
      return f && x.renderer != null ? x.renderer - f.renderer : null;
    };
    const at = ns.map((n) => all.find((x) => x.n === n && x.case === c.id && x.ms != null)).filter(Boolean);
    const what = c.op === 'import' ? 'renderer growth during the import' : 'renderer peak over the floor\'s';
    const name = `memory of ${c.id} bounded by its row-group budget (${what} ≤ 2 × ${c.budget / MiB} MiB at ${big.toLocaleString('en-US')} records)`;
    const b = at.find((x) => x.n === big);
    if (!b || over(b) == null) { add(name, null, 'not measured'); continue; }
    const detail = at.map((x) => `${x.n.toLocaleString('en-US')}: +${fmt(mb(over(x)))} MiB, wasm ${fmt(mb(x.wasm))} MiB (${fmt(x.wasm / c.budget, 1)}× the budget), JS heap ${fmt(mb(x.heap))} MiB`).join('; ');
    add(name, over(b) <= 2 * c.budget, detail);
  }
  return out;
}

function printTargets(tg) {
  const mark = (m) => (m === true ? 'MET    ' : m === false ? 'NOT MET' : 'n/a    ');
  console.log('Targets:');
  for (const t of tg) console.log(`  ${mark(t.met)} ${t.name} — ${t.detail}`);
}

// node bench.mjs --from-json FILE: the tables and targets again from the runs a JSON holds
// (after a change to the summary or the targets; nothing is measured). FILE is rewritten.
function fromJson(file) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const ns = json.records;
  const all = [], tables = [];
  for (const n of ns) {
    const sums = [];
    let runs = 1;
    for (const kase of CASES) {
      const rs = json.runs.filter((r) => r.n === n && r.case === kase.id);
      if (!rs.length) continue;
      runs = Math.max(runs, ...rs.map((r) => r.run));
      sums.push(summarize(n, kase, rs));
    }
    all.push(...sums);
    const t = table(n, sums, runs);
    tables.push(t);
    console.log('\n' + t + '\n');
  }
  const tg = targets(all, ns);
  printTargets(tg);
  console.log(`\nChromium ${json.chromium}; ${json.machine.cpus} CPUs, load average at the end of the run ${json.machine.loadavg.map((x) => x.toFixed(2)).join(' ')}`);
  Object.assign(json, { summary: all, targets: tg, tables, rerendered: new Date().toISOString() });
  fs.writeFileSync(file, JSON.stringify(json, null, 1) + '\n');
}

/* ---- main ----------------------------------------------------------------------------------- */

async function main() {
  if (!fs.existsSync(CHROMIUM)) { log(`${CHROMIUM} not found (apt-get install chromium)`); process.exit(1); }
  fs.mkdirSync(WORK, { recursive: true });
  // A private copy of web/'s modules and wasm: a rebuild during the run changes nothing under
  // test. Their hashes go into the JSON.
  fs.rmSync(WEB_COPY, { recursive: true, force: true });
  fs.mkdirSync(WEB_COPY, { recursive: true });
  const idbpqFiles = {};
  for (const f of fs.readdirSync(path.join(root, 'web'))) {
    if (!/\.(m?js|wasm)$/.test(f)) continue;
    fs.copyFileSync(path.join(root, 'web', f), path.join(WEB_COPY, f));
    idbpqFiles[f] = createHash('sha256').update(fs.readFileSync(path.join(WEB_COPY, f))).digest('hex').slice(0, 16);
  }
  const server = makeServer();
  const port = await listen(server);
  // Chromium's version (from a short launch on a throwaway profile).
  const probe = path.join(WORK, 'probe-profile');
  fs.rmSync(probe, { recursive: true, force: true });
  const version = await withBrowser(probe, `http://127.0.0.1:${port}/`, 30000, async ({ version: v }) => v);
  fs.rmSync(probe, { recursive: true, force: true });
  const versions = {};
  for (const p of ['apache-arrow', '@duckdb/duckdb-wasm', 'hyparquet', 'hyparquet-writer', 'parquet-wasm', 'playwright-core']) {
    try { versions[p] = JSON.parse(fs.readFileSync(path.join(benchDir, 'node_modules', p, 'package.json'), 'utf8')).version; } catch { versions[p] = null; }
  }
  let commit = null;
  try { commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
  log(`Chromium ${version}, port ${port}, N = ${NS.join(', ')}, cases: ${WANT.join(', ')}`);

  const all = [], raw = [], tables = [];
  for (const n of NS) {
    const runs = Number(env.BENCH_BROWSER_RUNS || 0) || (n >= 1000000 ? 1 : 3);
    filesDir = path.join(WORK, `files-${n}`);
    fs.mkdirSync(filesDir, { recursive: true });
    const tmpl = await template(n, port, version);
    const sums = [];
    for (const kase of CASES.filter((c) => WANT.includes(c.id))) {
      const rs = [];
      if (kase.input && !fs.existsSync(path.join(filesDir, `${kase.input}.parquet`))) {
        rs.push({ case: kase.id, n, run: 1, ok: false, error: `not available: no input file (${kase.input} did not write one)`, unavailable: true });
      } else {
        for (let i = 1; i <= runs; i++) {
          const r = await measure(kase, n, tmpl, port, i);
          rs.push(r);
          log(`${n} ${kase.id} run ${i}: ` + (r.ok ? `${fmt(r.ms)} ms, renderer ${fmt(mb(r.renderer))} MiB, JS heap ${fmt(mb(r.heap))} MiB, wasm ${fmt(mb(r.wasm), 1)} MiB` : r.error));
          if (r.unavailable) break;
          if (!r.ok && /timeout|crashed/.test(r.error || '')) break;   // the next runs would fail the same way, slowly
        }
      }
      raw.push(...rs);
      sums.push(summarize(n, kase, rs));
      // An export that failed leaves no file behind for the imports.
      if (kase.op === 'export' && !rs.some((r) => r.ok)) fs.rmSync(path.join(filesDir, `${kase.id}.parquet`), { force: true });
    }
    all.push(...sums);
    const t = table(n, sums, runs);
    tables.push(t);
    console.log('\n' + t + '\n');
  }
  server.close();

  const tg = targets(all, NS);
  printTargets(tg);
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`\nChromium ${version}; ${os.cpus().length} CPUs, load average ${load}; peers: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);

  const json = { date: new Date().toISOString(), commit, chromium: version, node: process.version,
    machine: { cpus: os.cpus().length, model: os.cpus()[0] && os.cpus()[0].model, memBytes: os.totalmem(), loadavg: os.loadavg() },
    versions, idbpqFiles, seed: SEED, gen: GEN_VERSION, records: NS, rowGroupBytes: ROW_GROUP_BYTES,
    summary: all, targets: tg, runs: raw, tables };
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'browser.json'), JSON.stringify(json, null, 1) + '\n');
  log(`wrote ${path.relative(root, path.join(OUT, 'browser.json'))}`);
}

if (process.argv[2] === '--from-json') { fromJson(process.argv[3] || path.join(OUT, 'browser.json')); process.exit(0); }
main().catch(async (e) => {
  log(e.stack || e.message);
  if (current) { await current.ctx.close().catch(() => {}); await reap(current.dir); }
  process.exit(1);
});
