// profile_live.mjs — a Chromium profile whose browser keeps running, and the truth about it
// (for tests/suites/68_profile_live.sh).
//
//   node tools/profile_live.mjs --out DIR --truth TDIR --backend leveldb|sqlite [--seed S]
//                               [--records N] [--chromium PATH]
//
// Launches headless Chromium on the user-data dir DIR (persistent context, the flags of
// tools/make_profile.mjs; for sqlite also --enable-features=IdbSqliteBackingStore) and writes the
// origins of make_profile.mjs (chat, notes, types: tools/profile_page.js, --records N spread over
// them, default 300) while the chat page keeps writing "ticks" (database "live", store "ticks",
// keyPath "i": three records per transaction every 20 ms, a Blob in every tenth). Then it stops
// the ticks, opens a connection to every database and keeps them open, and reads every origin
// back through IndexedDB into TDIR (the truth layout of make_profile.mjs). Chromium keeps
// running; the tool talks on stdout/stdin, one line each:
//   out: ready {"version","origins":[{id,url,backend}],"ticks":N}   the truth is written
//   in:  churn    out: churning N      ticks again (N written so far, some more since restart)
//   in:  stop     out: stopped N       ticks stopped after N; TDIR/ticks-final.jsonl is the
//                                      whole store "ticks" as IndexedDB returns it now
//   in:  close (or end of input)  out: closed      Chromium closed, exit 0
// Exit 1 on failure (message on stderr), 3 with "# SKIPPED: why" when Chromium or
// playwright-core is missing.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { CHROMIUM_ARGS, ROLES, step, makeServer, listen, originId, writeTruth, loadChromium } from './make_profile.mjs';

// Runs in the page (injected as source): the ticking writer and the held connections.
function liveTicks() {
  const T0 = 1735689600000;
  const t = { n: 0, timer: null, busy: null, error: null, db: null, held: [] };
  const open = (name, upgrade) => new Promise((res, rej) => {
    const r = indexedDB.open(name);
    r.onupgradeneeded = () => upgrade && upgrade(r.result);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const tick = (i) => {
    const v = { i, at: new Date(T0 + i * 1000), text: 'tick ' + i + ' ✓', pad: 'x'.repeat((i % 7) * 40) };
    if (i % 10 === 0) v.blob = new Blob(['tick blob ' + i], { type: 'text/plain' });
    return v;
  };
  window.tickStart = async () => {
    if (!t.db) t.db = await open('live', (d) => d.createObjectStore('ticks', { keyPath: 'i' }));
    if (t.timer) return t.n;
    t.timer = setInterval(() => {
      if (t.busy || t.error) return;
      const x = t.db.transaction(['ticks'], 'readwrite'), s = x.objectStore('ticks');
      for (let k = 0; k < 3; k++) s.put(tick(t.n + k));
      t.busy = txDone(x).then(() => { t.n += 3; }, (e) => { t.error = String(e); }).finally(() => { t.busy = null; });
    }, 20);
    return t.n;
  };
  window.tickCount = () => { if (t.error) throw new Error('ticks: ' + t.error); return t.n; };
  window.tickStop = async () => {
    clearInterval(t.timer); t.timer = null;
    while (t.busy) await t.busy;
    return window.tickCount();
  };
  window.holdAll = async () => {
    for (const d of await indexedDB.databases()) t.held.push(await open(d.name));
    return t.held.length;
  };
}

function parseArgs(argv) {
  const o = { out: null, truth: null, backend: null, seed: 1, records: 300, chromium: process.env.CHROMIUM || '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    if (a === '--out') o.out = v();
    else if (a === '--truth') o.truth = v();
    else if (a === '--backend') o.backend = v();
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--records') o.records = Number(v());
    else if (a === '--chromium') o.chromium = v();
    else usage(`unknown argument ${a}`);
  }
  if (!o.out || !o.truth) usage('--out DIR and --truth TDIR are required');
  if (!['leveldb', 'sqlite'].includes(o.backend)) usage('--backend is leveldb or sqlite');
  if (!Number.isInteger(o.seed) || !Number.isInteger(o.records) || o.records < 0) usage('--seed and --records are integers');
  return o;
}
function usage(msg) {
  process.stderr.write(`profile_live: ${msg}\nusage: node tools/profile_live.mjs --out DIR --truth TDIR ` +
    '--backend leveldb|sqlite [--seed S] [--records N] [--chromium PATH]\n');
  process.exit(2);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const { chromium } = loadChromium(o.chromium, 'profile_live');

  const out = path.resolve(o.out);
  fs.mkdirSync(out, { recursive: true });
  const args = o.backend === 'sqlite' ? [...CHROMIUM_ARGS, '--enable-features=IdbSqliteBackingStore'] : CHROMIUM_ARGS;
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(out, { executablePath: o.chromium, headless: true, args, timeout: 60000 });
  } catch (e) {
    console.log('# SKIPPED: Chromium does not start: ' + String(e.message).split('\n')[0]); process.exit(3);
  }
  const servers = [];
  try {
    const version = ctx.browser() ? ctx.browser().version() : '';
    const pages = [];
    for (const [ri, [role, share]] of ROLES.entries()) {
      const server = makeServer();
      servers.push(server);
      const port = await listen(server, 0);
      const url = `http://127.0.0.1:${port}/`;
      const page = await ctx.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await step(`load ${url}`, page.goto(url));
      await page.addScriptTag({ content: `(${liveTicks})();` });
      const ready = await page.evaluate(() => typeof window.writeOrigin === 'function' && typeof window.tickStart === 'function');
      if (!ready) throw new Error(`${url}: the page scripts did not load ${errors.join('; ')}`);
      if (ri === 0) await step('start ticks', page.evaluate(() => window.tickStart()));
      const n = Math.round(o.records * share), seed = (o.seed * 31 + ri) | 0;
      await step(`write ${role} at ${url}`, page.evaluate(([r, s, k, f]) => window.writeOrigin(r, s, k, f), [role, seed, n, o.backend === 'leveldb']));
      pages.push({ page, origin: { id: originId('127.0.0.1', port), url, backend: o.backend } });
    }
    const ticker = pages[0].page;
    let ticks = await step('stop ticks', ticker.evaluate(() => window.tickStop()));
    const truth = [];
    for (const { page, origin } of pages) {
      await step(`hold ${origin.url}`, page.evaluate(() => window.holdAll()));
      truth.push({ origin, dump: await step(`read back ${origin.url}`, page.evaluate(() => window.dumpAll())) });
    }
    writeTruth(path.resolve(o.truth), truth);
    console.log('ready ' + JSON.stringify({ version, origins: pages.map((p) => p.origin), ticks }));

    for await (const line of readline.createInterface({ input: process.stdin })) {
      const cmd = line.trim();
      if (cmd === 'churn') {
        const from = await step('restart ticks', ticker.evaluate(() => window.tickStart()));
        // Wait for a few transactions past the restart, so the writes are really going on.
        const t0 = Date.now();
        while ((ticks = await ticker.evaluate(() => window.tickCount())) < from + 9 && Date.now() - t0 < 20000)
          await new Promise((r) => setTimeout(r, 50));
        console.log(`churning ${ticks}`);
      } else if (cmd === 'stop') {
        ticks = await step('stop ticks', ticker.evaluate(() => window.tickStop()));
        const dump = await step('read back ticks', ticker.evaluate(() => window.dumpAll()));
        const live = dump.databases.find((d) => d.name === 'live').stores.find((s) => s.name === 'ticks');
        fs.writeFileSync(path.join(path.resolve(o.truth), 'ticks-final.jsonl'), live.lines);
        console.log(`stopped ${ticks}`);
      } else if (cmd === 'close') break;
      else if (cmd !== '') throw new Error(`unknown command ${JSON.stringify(cmd)}`);
    }
  } finally {
    await step('close Chromium', ctx.close()).catch(() => {});
    for (const s of servers) s.close();
  }
  console.log('closed');
  process.exit(0); // stdin may still be open
}

main().catch((e) => { process.stderr.write('profile_live: ' + (e.stack || e.message) + '\n'); process.exit(1); });
