// values_oracle.mjs — real Chromium writes a profile, for 63_chromium_values.sh.
// Serves tests/chromium/page.js from 127.0.0.1, launches headless Chromium on a fresh persistent
// profile (PROFILE), and in the page:
//   runValues(SEED, N)   → OUT/page_values.txt (what the page read back, as tagged JSON)
//   runKeyPaths(SEED, K) → OUT/page_keypaths.txt (key path cases and Chromium's answers)
// then closes the context so the profile is complete on disk and writes OUT/leveldb.txt with
// the origin's LevelDB directory and blob directory.
// Usage: node values_oracle.mjs SEED N K PROFILE OUT   (exit 3 with "# SKIPPED: why")
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// playwright-core comes from the Chromium key suite's node_modules (tests/idb).
const require = createRequire(path.join(here, '..', 'idb', 'package.json'));
const [seed, N, K, profile, out] = [Number(process.argv[2] || 1), Number(process.argv[3] || 300),
  Number(process.argv[4] || 300), process.argv[5], process.argv[6]];
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main() {
  let chromium;
  try { ({ chromium } = require('playwright-core')); } catch (e) {
    console.log('# SKIPPED: playwright-core is not installed (npm ci in tests/idb)'); process.exit(3);
  }
  if (!fs.existsSync(CHROMIUM)) { console.log(`# SKIPPED: ${CHROMIUM} not found (apt-get install chromium)`); process.exit(3); }
  const js = fs.readFileSync(path.join(here, 'page.js'));
  const server = http.createServer((req, res) => {
    if (req.url === '/page.js') { res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }); res.end(js); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>values</title><script src="/page.js"></script>');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  } catch (e) {
    console.log('# SKIPPED: Chromium does not start: ' + String(e.message).split('\n')[0]); server.close(); process.exit(3);
  }
  const version = ctx.browser() ? ctx.browser().version() : '';
  const page = ctx.pages()[0] || await ctx.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  const vals = await page.evaluate(([s, n]) => window.runValues(s, n), [seed, N]);
  fs.writeFileSync(path.join(out, 'page_values.txt'), vals.lines);
  const kps = await page.evaluate(([s, n]) => window.runKeyPaths(s, n), [seed, K]);
  fs.writeFileSync(path.join(out, 'page_keypaths.txt'), kps);
  await ctx.close();
  server.close();
  const base = path.join(profile, 'Default', 'IndexedDB', `http_127.0.0.1_${port}.indexeddb`);
  fs.writeFileSync(path.join(out, 'leveldb.txt'), `${base}.leveldb\n${base}.blob\n`);
  console.log(`# chromium ${version}: ${vals.tried} puts, ${vals.lines.split('\n').length - 1} records read back, ` +
    `${kps.split('\n').length - 1} key path cases`);
}
main().catch((e) => { console.log('# oracle failed: ' + (e.stack || e.message)); process.exit(1); });
