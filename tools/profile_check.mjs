// profile_check.mjs — helpers for the profile suites (tests/suites/66_profile_export.sh,
// 67_profile_damage.sh); JSON work that bash cannot do on its own.
//   ls-equal TRUTH.json ACTUAL.json [ORIGIN...]
//       `idbpq ls --json` output against truth/ls.json (only ORIGINs when given), "path"
//       ignored; prints "# ls: N origins, M databases, K stores" or the first difference; exit 1
//       when they differ.
//   plan TRUTH.json [--origin O] [--db D] [--store S]... [other export option and value]...
//       the stores an export with these filters must write, one per line:
//       origin TAB database TAB store TAB records TAB <originId>/<safe db>/<safe store>
//   export-json OUTDIR/export.json
//       checks its shape; prints one line per store as plan does (file without extension,
//       records exported) and then "damaged TAB file TAB offset-or-key TAB what" per damage.
//   log-cut FILE.log
//       a byte offset in the middle of the last record of at least 1000 bytes (a write batch
//       with data) of a LevelDB log (32 KiB blocks, 7-byte headers), to truncate it there.
//   ldb-pick FILE.ldb
//       a byte offset in the middle of a data block of an .ldb table that holds only records of
//       object stores (its last key and the previous block's last key are records), to flip a
//       byte there.
import fs from 'node:fs';
import { safeName } from './make_profile.mjs';

const die = (msg, code = 2) => { process.stderr.write(`profile_check: ${msg}\n`); process.exit(code); };
const load = (f) => { try { return JSON.parse(fs.readFileSync(f, 'utf8')); } catch (e) { die(`${f}: ${e.message}`, 1); } };

function diff(a, b, where) {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null))
    return `${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${where}: ${a.length} entries vs ${b.length} (${JSON.stringify(a.map((x) => x && x.name || x.origin || x))} vs ${JSON.stringify(b.map((x) => x && x.name || x.origin || x))})`.slice(0, 600);
    for (let i = 0; i < a.length; i++) { const d = diff(a[i], b[i], `${where}[${i}]`); if (d) return d; }
    return null;
  }
  if (a && typeof a === 'object') {
    const ka = Object.keys(a).filter((k) => k !== 'path').sort(), kb = Object.keys(b).filter((k) => k !== 'path').sort();
    if (ka.join() !== kb.join()) return `${where}: keys ${ka} vs ${kb}`;
    const tag = a.origin || a.name;
    for (const k of ka) { const d = diff(a[k], b[k], `${where}${tag !== undefined ? `(${tag})` : ''}.${k}`); if (d) return d; }
    return null;
  }
  return a === b ? null : `${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

function plan(truth, { origins = [], dbs = [], stores = [] } = {}) {
  const out = [];
  for (const o of truth.origins) {
    if (origins.length && !origins.includes(o.origin)) continue;
    for (const d of o.databases) {
      if (dbs.length && !dbs.includes(d.name)) continue;
      for (const s of d.stores) {
        if (stores.length && !stores.includes(s.name)) continue;
        out.push([o.origin, d.name, s.name, s.records, `${o.origin}/${safeName(d.name)}/${safeName(s.name)}`]);
      }
    }
  }
  return out;
}

// Snappy raw format, for an .ldb index block.
function unsnappy(b) {
  let p = 0, n = 0, s = 0, c;
  do { c = b[p++]; n += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80);
  const out = Buffer.alloc(n);
  let o = 0;
  while (p < b.length) {
    const t = b[p++];
    if ((t & 3) === 0) {
      let len = t >> 2;
      if (len >= 60) { const nb = len - 59; len = 0; for (let i = 0; i < nb; i++) len += b[p++] * 256 ** i; }
      len++; b.copy(out, o, p, p + len); p += len; o += len;
      continue;
    }
    let len, off;
    if ((t & 3) === 1) { len = ((t >> 2) & 7) + 4; off = ((t >> 5) << 8) | b[p++]; }
    else if ((t & 3) === 2) { len = (t >> 2) + 1; off = b.readUInt16LE(p); p += 2; }
    else { len = (t >> 2) + 1; off = b.readUInt32LE(p); p += 4; }
    for (let i = 0; i < len; i++, o++) out[o] = out[o - off];
  }
  return out;
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'ls-equal') {
  const [tf, af, ...only] = args;
  const t = load(tf), a = load(af);
  if (only.length) t.origins = t.origins.filter((o) => only.includes(o.origin));
  if (!a || !Array.isArray(a.origins)) die(`${af}: no "origins" array`, 1);
  for (const o of a.origins) if (typeof o.path !== 'string') die(`${af}: origin ${o.origin} has no "path"`, 1);
  const d = diff(t, a, 'ls');
  if (d) { console.log(`# ls differs: ${d}`); process.exit(1); }
  const nd = t.origins.reduce((n, o) => n + o.databases.length, 0);
  const ns = t.origins.reduce((n, o) => n + o.databases.reduce((m, db) => m + db.stores.length, 0), 0);
  console.log(`# ls: ${t.origins.length} origins, ${nd} databases, ${ns} stores`);
} else if (cmd === 'plan') {
  const f = { origins: [], dbs: [], stores: [] };
  for (let i = 1; i < args.length; i += 2) {
    const k = { '--origin': 'origins', '--db': 'dbs', '--store': 'stores' }[args[i]];
    if (i + 1 >= args.length) die(`plan: ${args[i]} needs a value`);
    if (k) f[k].push(args[i + 1]); // other export options (--codec C, ...) select nothing
  }
  for (const row of plan(load(args[0]), f)) console.log(row.join('\t'));
} else if (cmd === 'export-json') {
  const e = load(args[0]);
  if (!e || !Array.isArray(e.stores) || !Array.isArray(e.damaged)) die(`${args[0]}: needs "stores" and "damaged" arrays`, 1);
  for (const s of e.stores) {
    for (const k of ['origin', 'database', 'store', 'file']) if (typeof s[k] !== 'string') die(`${args[0]}: a store without "${k}": ${JSON.stringify(s).slice(0, 200)}`, 1);
    for (const k of ['records', 'fallbacks', 'damaged']) if (!Number.isInteger(s[k])) die(`${args[0]}: store ${s.store} without integer "${k}"`, 1);
    console.log([s.origin, s.database, s.store, s.records, s.file.replace(/\.(parquet|jsonl)$/, ''), s.damaged].join('\t'));
  }
  for (const d of e.damaged) {
    if (typeof d.file !== 'string' || typeof d.what !== 'string') die(`${args[0]}: a damage entry without "file"/"what": ${JSON.stringify(d).slice(0, 200)}`, 1);
    const where = Number.isInteger(d.offset) ? d.offset : d.key !== undefined ? 'key ' + JSON.stringify(d.key) : '';
    console.log(['damaged', d.file, where, d.what].join('\t'));
  }
} else if (cmd === 'log-cut') {
  const b = fs.readFileSync(args[0]);
  let off = 0, lastStart = -1, lastEnd = -1;
  while (off + 7 <= b.length) {
    const left = 32768 - (off % 32768);
    if (left < 7) { off += left; continue; }
    const len = b.readUInt16LE(off + 4), type = b[off + 6];
    if (type === 0 && len === 0) { off += left; continue; } // zero padding
    if (off + 7 + len > b.length) break;
    if ((type === 1 || type === 2) && (len >= 1000 || lastStart < 0)) { lastStart = off; lastEnd = off + 7 + len; }
    else if ((type === 3 || type === 4) && lastStart >= 0 && lastEnd === off) lastEnd = off + 7 + len;
    off += 7 + len;
  }
  if (lastStart < 0) die(`${args[0]}: no log record found`, 1);
  console.log(lastStart + Math.floor((lastEnd - lastStart) / 2));
} else if (cmd === 'ldb-pick') {
  const b = fs.readFileSync(args[0]);
  if (b.length < 48 || b.readUInt32LE(b.length - 8) !== 0x8b80fb57) die(`${args[0]}: not an .ldb table`, 1);
  let p = b.length - 48;
  const varint = (buf) => { let v = 0, s = 0, c; do { c = buf[p++]; v += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80); return v; };
  varint(b); varint(b); // metaindex handle
  const io = varint(b), is = varint(b);
  let blk = b.subarray(io, io + is);
  if (b[io + is] === 1) blk = unsnappy(blk);
  const nr = blk.readUInt32LE(blk.length - 4), end = blk.length - 4 - 4 * nr;
  const handles = [];
  let key = Buffer.alloc(0);
  p = 0;
  while (p < end) {
    const shared = varint(blk), nonShared = varint(blk), vlen = varint(blk);
    key = Buffer.concat([key.subarray(0, shared), blk.subarray(p, p + nonShared)]);
    p += nonShared;
    const v = blk.subarray(p, p + vlen); p += vlen;
    const save = p; p = 0;
    const off = varint(v), size = varint(v);
    p = save;
    handles.push({ off, size, key: key.subarray(0, key.length - 8) });
  }
  // IndexedDB key prefix: byte with the id lengths, then database, object store and index ids.
  const indexId = (k) => { const l = k[0], a = (l >> 5) + 1, o = ((l >> 2) & 7) + 1, x = (l & 3) + 1; let v = 0; for (let i = 0; i < x; i++) v += k[1 + a + o + i] * 256 ** i; return v; };
  // A block between two record keys holds records only (no schema metadata).
  const isRecord = (x) => x.key.length > 4 && indexId(x.key) === 1;
  const h = handles.find((x, i) => i > 0 && isRecord(handles[i - 1]) && isRecord(x)) || handles[handles.length >> 1];
  console.log(h.off + (h.size >> 1));
} else {
  die('usage: profile_check.mjs ls-equal|plan|export-json|log-cut|ldb-pick ...');
}
