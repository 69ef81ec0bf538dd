// compare.mjs — compares the page's records with read_leveldb's (63_chromium_values.sh).
// Both files hold one {"store":S,"key":K,"value":V} line per record. Lines are sorted, paired
// by their store and key text, and compared as text. Prints "# values: N records, M mismatches"
// and, for the first few mismatches, where the texts part (with some context); exit 1 on any.
// Usage: node compare.mjs PAGE_FILE DRIVER_FILE
import fs from 'node:fs';

const read = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.length).sort();
const head = (l) => { const i = l.search(/,"(value|error)":/); return i < 0 ? l : l.slice(0, i); };
const [page, drv] = [read(process.argv[2]), read(process.argv[3])];
const byKey = new Map(drv.map((l) => [head(l), l]));
let bad = 0, shown = 0;
const show = (msg) => { if (shown++ < 9) console.log('# ' + msg.replace(/\n/g, '\\n')); };
const cut = (s, a, b) => (a > 0 ? '…' : '') + s.slice(Math.max(0, a), b) + (b < s.length ? '…' : '');
for (const l of page) {
  const k = head(l), d = byKey.get(k);
  byKey.delete(k);
  if (d === l) continue;
  bad++;
  if (d === undefined) { show(`mismatch: ${cut(k, 0, 200)}: not in the driver's output`); continue; }
  let i = 0;
  while (i < l.length && l[i] === d[i]) i++;
  show(`mismatch at ${cut(k, 0, 200)}, char ${i}:`);
  show(`  page:   ${cut(l, i - 120, i + 120)}`);
  show(`  driver: ${cut(d, i - 120, i + 120)}`);
}
for (const k of byKey.keys()) { bad++; show(`mismatch: ${cut(k, 0, 200)}: only in the driver's output`); }
console.log(`# values: ${page.length} records, ${bad} mismatches`);
process.exit(bad ? 1 : 0);
