// read_check.mjs — the Delta reader against an independent replay and DuckDB
// (tests/suites/75_delta_read.sh).
//
//   node tests/delta/read_check.mjs IDBPQ TABLES_DIR [ASAN_IDBPQ] [FILTER]
//
// For every table under TABLES_DIR (and TABLES_DIR/golden/*):
//  * the live file set is computed here, independently of the C reader: the JSON commits are
//    replayed in JavaScript and a classic checkpoint is read with DuckDB's read_parquet; files
//    are keyed by (path, deletion vector id) as PROTOCOL.md "Action Reconciliation" says;
//  * a table whose protocol needs a reader feature idbpq refuses must be refused with that
//    feature named (EXPECT_REFUSED lists the corpus tables known to need one);
//  * otherwise `idbpq table show` must report the replay's version, live file count and
//    record count (numRecords minus deletion-vector cardinalities), at the latest version and
//    at an older one (time travel);
//  * when the corpus has the data files, DuckDB reads the live files (partition values
//    injected from the log as typed values, column-mapped names turned into the schema's,
//    deleted rows dropped by file_row_number with a JavaScript deletion-vector decoder) and
//    the rows must equal `idbpq table show --rows` as multisets of normalized values:
//    numbers (and numeric strings) compared as JS doubles, Dates and timestamps as ms since
//    the epoch, binary as hex, maps as lists of {key, value}, objects with sorted keys;
//    generated keys are not compared;
//  * for the CDF tables, `idbpq table changes --from 0` must equal the changes computed here:
//    `_change_data` files read by DuckDB (type from `_change_type`) when a version has cdc
//    actions, else rows of added files as inserts, of removed files as deletes, and for a
//    remove+add of one file with deletion vectors the rows between the two vectors.
// With ASAN_IDBPQ, `table show` (and --rows) of every table also runs under AddressSanitizer.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const require = createRequire(path.join(ROOT, 'tests/oracle/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');
import { decodeDv, z85 } from './dv.mjs';

const [IDBPQ_ARG, TABLES, ASAN_ARG = '', FILTER = ''] = process.argv.slice(2);
const IDBPQ = path.resolve(IDBPQ_ARG);
const ASAN = ASAN_ARG ? path.resolve(ASAN_ARG) : '';

const EXPECT_REFUSED = {
    simple_table_features: 'blahabl',
    'checkpoint-v2-table': 'v2Checkpoint',
    'spark-shredded-variant-preview-delta': 'variantShredding-preview',
};
const READER_OK = new Set(['columnMapping', 'deletionVectors', 'timestampNtz',
    'timestampWithoutTimezone', 'variantType', 'variantType-preview', 'vacuumProtocolCheck',
    'domainMetadata', 'appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed',
    'generatedColumns', 'identityColumns', 'inCommitTimestamp', 'allowColumnDefaults',
    'rowTracking', 'clustering', 'icebergCompatV1', 'icebergCompatV2', 'icebergCompatV3',
    'checkpointProtection']);
const CDF_TABLES = ['cdf-table', 'cdc_ict_table', 'simple_table_with_cdc', 'cdf-table-with-cdc-and-dvs'];

let failures = 0;
const ok = (name, note) => console.log(`ok - delta-read ${name}${note ? ` (${note})` : ''}`);
const notOk = (name, why) => {
    failures++;
    console.log(`not ok - delta-read ${name}: ${String(why).replace(/\s+/g, ' ').slice(0, 700)}`);
};
const sq = (s) => `'${String(s).replaceAll("'", "''")}'`;

function run(bin, args) {
    const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300000 });
    return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await inst.connect();
async function duckRows(sql) {
    const r = await con.runAndReadAll(sql);
    return r.getRowObjectsJS();
}

// ----- the independent replay ------------------------------------------------------------------
function dvId(dv) {
    if (!dv) return '';
    return dv.storageType + dv.pathOrInlineDv + (dv.offset != null ? `@${dv.offset}` : '');
}

// The log at version `at` (null: latest): {version, protocol, metaData, live: Map, cpVersion}.
async function replay(dir, at) {
    const log = path.join(dir, '_delta_log');
    const names = fs.readdirSync(log).filter((n) => /^\d{20}\./.test(n));
    const commits = new Set(), cps = new Map();
    for (const n of names) {
        const v = Number(n.slice(0, 20));
        let m;
        if (/^\d{20}\.json$/.test(n)) commits.add(v);
        else if (/^\d{20}\.checkpoint\.parquet$/.test(n)) cps.set(v, [n]);
        else if ((m = /^\d{20}\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/.exec(n))) {
            const parts = names.filter((x) => x.startsWith(n.slice(0, 20) + '.checkpoint.') &&
                x.endsWith(`.${m[2]}.parquet`));
            if (parts.length === Number(m[2])) cps.set(v, parts.sort());
        }
    }
    const latest = Math.max(...commits, ...cps.keys());
    const version = at ?? latest;
    const cpv = Math.max(-1, ...[...cps.keys()].filter((v) => v <= version));
    for (let v = cpv + 1; v <= version; v++) if (!commits.has(v)) throw new Error(`commit ${v} missing`);
    const live = new Map();
    let protocol = null, metaData = null;
    const add = (a) => live.set(a.path + '|' + dvId(a.deletionVector), a);
    const remove = (r) => live.delete(r.path + '|' + dvId(r.deletionVector));
    if (cpv >= 0) {
        for (const part of cps.get(cpv)) {
            const rows = await duckRows(`SELECT * FROM read_parquet(${sq(path.join(log, part))})`);
            for (const row of rows) {
                if (row.protocol) protocol = row.protocol;
                if (row.metaData) metaData = row.metaData;
                if (row.add) add(duckAction(row.add));
                if (row.remove) remove(duckAction(row.remove));
            }
        }
    }
    for (let v = cpv + 1; v <= version; v++) {
        const acts = fs.readFileSync(path.join(log, `${String(v).padStart(20, '0')}.json`), 'utf8')
            .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
        for (const a of acts) if (a.remove) remove(a.remove);
        for (const a of acts) {
            if (a.add) add(a.add);
            if (a.protocol) protocol = a.protocol;
            if (a.metaData) metaData = a.metaData;
        }
    }
    if (metaData && metaData.configuration && !(metaData.configuration instanceof Object && !Array.isArray(metaData.configuration)))
        metaData.configuration = {};
    if (metaData && Array.isArray(metaData.configuration)) metaData.configuration = Object.fromEntries(metaData.configuration.map((e) => [e.key, e.value]));
    return { version, latest, protocol, metaData, live, cpVersion: cpv, commits };
}

// A checkpoint's add/remove struct as the JSON action would be.
function duckAction(a) {
    const o = { ...a };
    if (Array.isArray(a.partitionValues)) o.partitionValues = Object.fromEntries(a.partitionValues.map((e) => [e.key, e.value]));
    if (!o.stats && a.stats_parsed) o.stats = JSON.stringify({ numRecords: Number(a.stats_parsed.numRecords) });
    if (o.deletionVector) o.deletionVector = { ...o.deletionVector, cardinality: Number(o.deletionVector.cardinality) };
    return o;
}

function refusalOf(protocol) {
    if (!protocol) return null;
    for (const f of protocol.readerFeatures ?? []) if (!READER_OK.has(f)) return f;
    if (Number(protocol.minReaderVersion) > 3) return `reader version ${protocol.minReaderVersion}`;
    return null;
}

function expectedRecords(live) {
    let n = 0;
    for (const a of live.values()) {
        const s = a.stats ? JSON.parse(a.stats) : null;
        if (!s || s.numRecords == null) return 'unknown';
        n += Number(s.numRecords) - (a.deletionVector ? Number(a.deletionVector.cardinality) : 0);
    }
    return String(n);
}

function showFields(out) {
    const f = {};
    for (const l of out.split('\n')) {
        const m = /^(version|files|records): (.*)$/.exec(l);
        if (m) f[m[1]] = m[2];
    }
    return f;
}

// ----- rows ------------------------------------------------------------------------------------
function decodePath(p) { return decodeURIComponent(p.replace(/%(?![0-9a-fA-F]{2})/g, '%25')); }

function partValue(type, s) {
    if (s === null || s === undefined) return null;
    if (type === 'string') return s;
    if (s === '') return null;
    if (['long', 'integer', 'short', 'byte', 'float', 'double'].includes(type) || /^decimal/.test(type)) return Number(s);
    if (type === 'boolean') return s.toLowerCase() === 'true';
    if (type === 'date' || type === 'timestamp' || type === 'timestamp_ntz') {
        const iso = s.includes('T') ? s : s.replace(' ', 'T');
        return new Date(/Z$|[+-]\d\d:?\d\d$/.test(iso) || type === 'date' && !iso.includes('T') ? iso : iso + 'Z');
    }
    return s;
}

function schemaOf(md) {
    const s = md?.schemaString ? JSON.parse(md.schemaString) : { fields: [] };
    const mode = md?.configuration?.['delta.columnMapping.mode'] ?? 'none';
    return s.fields.map((f) => ({
        name: f.name, type: f.type,
        physical: mode !== 'none' ? (f.metadata?.['delta.columnMapping.physicalName'] ?? f.name) : f.name,
        partition: (md.partitionColumns ?? []).includes(f.name),
    }));
}

// The logical rows of one file (deleted rows dropped unless keepAll), with file_row_number.
async function fileRows(dir, action, fields, { keepAll = false, extra = [] } = {}) {
    const file = path.join(dir, decodePath(action.path));
    const rows = await duckRows(`SELECT * FROM read_parquet(${sq(file)}, file_row_number=true)`);
    const del = action.deletionVector && !keepAll ? decodeDv(dir, action.deletionVector) : null;
    const out = [];
    for (const r of rows) {
        if (del && del.has(Number(r.file_row_number))) continue;
        const o = {};
        for (const f of fields) {
            o[f.name] = f.partition ? partValue(typeof f.type === 'string' ? f.type : '', action.partitionValues?.[f.physical])
                : (r[f.physical] ?? null);
        }
        for (const e of extra) o[e] = r[e];
        o.__row = Number(r.file_row_number);
        out.push(o);
    }
    return out;
}

function canon(v) {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'number' || typeof v === 'bigint') return 'N' + String(Number(v));
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'string') return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v) ? 'N' + String(Number(v)) : JSON.stringify(v);
    if (v instanceof Date) return 'T' + v.getTime();
    if (v instanceof Uint8Array) return 'X' + Buffer.from(v).toString('hex');
    if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
    if (typeof v === 'object') {
        if ('$date' in v) return 'T' + Math.trunc(Number(v.$date));
        if ('$binary' in v) return 'X' + Buffer.from(v.$binary, 'base64').toString('hex');
        if ('$bigint' in v) return 'N' + String(Number(v.$bigint));
        if ('$map' in v) return canon(v.$map.map(([key, value]) => ({ key, value })));
        if ('$number' in v) return 'N' + String(Number(v.$number));
        return '{' + Object.keys(v).filter((k) => k !== '__row').sort()
            .map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
    }
    return JSON.stringify(String(v));
}

function multisetDiff(a, b) {
    const m = new Map();
    for (const x of a) m.set(x, (m.get(x) ?? 0) + 1);
    for (const x of b) m.set(x, (m.get(x) ?? 0) - 1);
    for (const [k, n] of m) if (n !== 0) return `${n > 0 ? 'idbpq' : 'duckdb'} has ${Math.abs(n)} more of ${k.slice(0, 300)}`;
    return null;
}

function parseLines(out) {
    return out.split('\n').filter((l) => l).map((l) => JSON.parse(l));
}

// ----- one table ---------------------------------------------------------------------------------
async function checkTable(name, dir) {
    let rp;
    try {
        rp = await replay(dir, null);
    } catch (e) {
        notOk(`${name} replay`, e.message);
        return;
    }
    const show = run(IDBPQ, ['table', 'show', dir]);
    const refused = refusalOf(rp.protocol);
    const expect = EXPECT_REFUSED[name];
    if (expect && refused !== expect) notOk(`${name} expected refusal`, `replay finds ${refused}, expected ${expect}`);
    if (refused) {
        if (show.status === 1 && show.stderr.includes(refused.replace(/^reader version /, ''))) ok(`${name} refused`, show.stderr.trim().replace(/^idbpq: /, '').slice(0, 160));
        else notOk(`${name} refused`, `exit ${show.status ?? show.signal}, stderr ${show.stderr.trim()}`);
        if (ASAN) asanCheck(name, ['table', 'show', dir], 1);
        return;
    }
    if (show.status !== 0) { notOk(`${name} show`, show.stderr.trim()); return; }
    const got = showFields(show.stdout);
    const want = { version: String(rp.version), files: String(rp.live.size), records: expectedRecords(rp.live) };
    const d = ['version', 'files', 'records'].filter((k) => got[k] !== want[k]);
    if (d.length) notOk(`${name} snapshot`, `idbpq ${JSON.stringify(got)}, replay ${JSON.stringify(want)}`);
    else ok(`${name} snapshot`, `version ${want.version}, ${want.files} files, ${want.records} records`);
    if (ASAN) asanCheck(name, ['table', 'show', dir, '--files'], null);
    // Time travel: the newest older version the log still reaches.
    const older = [...Array(rp.version).keys()].reverse().find((v) => v >= 0);
    if (older !== undefined) {
        let old = null;
        try { old = await replay(dir, older); } catch { /* commits cleaned up: not reachable */ }
        const r = run(IDBPQ, ['table', 'show', dir, '--version', String(older)]);
        if (!old) {
            if (r.status === 1 && /missing/.test(r.stderr)) ok(`${name} time travel ${older}`, 'refused: the log no longer reaches it');
            else notOk(`${name} time travel ${older}`, `exit ${r.status}: ${r.stderr.trim()}`);
        } else {
            const g = showFields(r.stdout), w = { version: String(older), files: String(old.live.size), records: expectedRecords(old.live) };
            if (r.status !== 0 || ['version', 'files', 'records'].some((k) => g[k] !== w[k]))
                notOk(`${name} time travel ${older}`, `idbpq ${JSON.stringify(g)} ${r.stderr.trim()}, replay ${JSON.stringify(w)}`);
            else ok(`${name} time travel ${older}`, `${w.files} files`);
        }
    }
    // Rows, when the corpus has the data files.
    const missing = [...rp.live.values()].filter((a) => !fs.existsSync(path.join(dir, decodePath(a.path))));
    if (missing.length) { ok(`${name} rows`, `SKIP: ${missing.length} data files not in the corpus (log only)`); return; }
    const fields = schemaOf(rp.metaData);
    if (ASAN) asanCheck(name, ['table', 'show', dir, '--rows'], null);
    const rows = run(IDBPQ, ['table', 'show', dir, '--rows']);
    if (rows.status !== 0) { notOk(`${name} rows`, rows.stderr.trim()); return; }
    const idb = parseLines(rows.stdout).map((r) => canon(r.value));
    const duck = [];
    let dvs = 0;
    for (const a of rp.live.values()) {
        if (a.deletionVector) dvs++;
        for (const r of await fileRows(dir, a, fields)) duck.push(canon(r));
    }
    const diff = multisetDiff(idb, duck);
    if (diff) notOk(`${name} rows`, `${idb.length} vs ${duck.length} rows: ${diff}`);
    else ok(`${name} rows`, `${idb.length} rows agree with DuckDB${dvs ? `, ${dvs} deletion vectors` : ''}`);
    if (CDF_TABLES.includes(name)) await checkChanges(name, dir, rp, fields);
}

async function checkChanges(name, dir, rp, fields) {
    const want = [];
    for (let v = 1; v <= rp.version; v++) {
        const acts = fs.readFileSync(path.join(dir, '_delta_log', `${String(v).padStart(20, '0')}.json`), 'utf8')
            .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
        const cdcs = acts.filter((a) => a.cdc).map((a) => a.cdc);
        if (cdcs.length) {
            for (const c of cdcs)
                for (const r of await fileRows(dir, c, fields, { extra: ['_change_type'] })) {
                    const t = r._change_type;
                    delete r._change_type;
                    want.push(`${v} ${t} ${canon(r)}`);
                }
            continue;
        }
        const adds = acts.filter((a) => a.add?.dataChange).map((a) => a.add);
        const rms = acts.filter((a) => a.remove?.dataChange).map((a) => a.remove);
        for (const rm of rms) {
            if (adds.some((a) => a.path === rm.path)) continue;
            for (const r of await fileRows(dir, rm, fields)) want.push(`${v} delete ${canon(r)}`);
        }
        for (const a of adds) {
            const rm = rms.find((x) => x.path === a.path);
            if (!rm) {
                for (const r of await fileRows(dir, a, fields)) want.push(`${v} insert ${canon(r)}`);
                continue;
            }
            const was = rm.deletionVector ? decodeDv(dir, rm.deletionVector) : new Set();
            const now = a.deletionVector ? decodeDv(dir, a.deletionVector) : new Set();
            for (const r of await fileRows(dir, a, fields, { keepAll: true })) {
                if (now.has(r.__row) && !was.has(r.__row)) want.push(`${v} delete ${canon(r)}`);
                if (was.has(r.__row) && !now.has(r.__row)) want.push(`${v} insert ${canon(r)}`);
            }
        }
    }
    const r = run(IDBPQ, ['table', 'changes', dir, '--from', '0']);
    if (r.status !== 0) { notOk(`${name} changes`, r.stderr.trim()); return; }
    const got = parseLines(r.stdout).map((c) => `${c.version} ${c.type} ${canon(c.value)}`);
    const diff = multisetDiff(got, want);
    if (diff) notOk(`${name} changes`, `${got.length} vs ${want.length}: ${diff}`);
    else ok(`${name} changes`, `${got.length} changes in versions 1..${rp.version} agree`);
}

function asanCheck(name, args, wantStatus) {
    const r = run(ASAN, args);
    const clean = !/Sanitizer|runtime error/.test(r.stderr) && r.signal === null &&
        (wantStatus === null ? r.status === 0 : r.status === wantStatus);
    const what = ['show', ...args.slice(3)].join(' ');
    if (clean) ok(`${name} asan ${what}`);
    else notOk(`${name} asan ${what}`, `exit ${r.status ?? r.signal}: ${r.stderr.slice(0, 400)}`);
}

// ----- main --------------------------------------------------------------------------------------
const tables = [];
for (const n of fs.readdirSync(TABLES).sort()) {
    const d = path.join(TABLES, n);
    if (fs.existsSync(path.join(d, '_delta_log'))) tables.push([n, d]);
    else if (fs.statSync(d).isDirectory())
        for (const m of fs.readdirSync(d).sort())
            if (fs.existsSync(path.join(d, m, '_delta_log'))) tables.push([`${n}/${m}`, path.join(d, m)]);
}
if (z85('vBn[lx{q8@P<9BNH/isA').toString('hex') !== '61d16c75699446b7a15b8b538852e50e') notOk('z85 vector', 'JS decoder is wrong');
for (const [name, dir] of tables) {
    if (FILTER && !name.includes(FILTER)) continue;
    try {
        await checkTable(name, dir);
    } catch (e) {
        notOk(name, e.stack ?? e.message);
    }
}
process.exit(failures ? 1 : 0);
