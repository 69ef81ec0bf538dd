// duckdb_check.mjs — records <-> Parquet against DuckDB (tests/suites/71_mapping_duckdb.sh).
//
//   node tests/mapping/duckdb_check.mjs IDBPQ TMPDIR [FILTER]
//
// 1. pack: each case of tests/mapping/pack_cases.mjs is a few tagged JSON records. `idbpq pack`
//    writes them; DuckDB's DESCRIBE must show the SQL types the mapping rules give (struct,
//    list, map, timestamp with time zone, bigint vs double, variant, JSON text, blob, decimal, typed
//    arrays as lists of their element type, `_key`, `_value`, `_raw`); DuckDB must read every
//    column (SELECT *) and count as many records in `_raw` as the case has values no column
//    can hold (usually none); for
//    some cases DuckDB's values are compared with the input's; and `idbpq records` of the
//    file must print the input records back (property order aside).
// 2. foreign: DuckDB writes Parquet files of many types (tests/mapping/foreign_cases.mjs);
//    `idbpq records` must print each row as the documented rules say, the expectation being
//    computed here from the values DuckDB itself reads back from the same file (INT64 ->
//    Number up to 2^53, else BigInt; DECIMAL -> Number when exact, else a string; DATE and
//    TIMESTAMP -> Date; LIST -> array; MAP -> Map; STRUCT -> object; BLOB -> Uint8Array;
//    UUID -> string; keys 1, 2, 3... unless --key-column), with the reader's options.
// One "ok - mapping-duckdb NAME" / "not ok - mapping-duckdb NAME: why" line per check.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseJson, RawNum, JObj, show } from '../oracle/lib.mjs';
import { PACK_CASES } from './pack_cases.mjs';
import { FOREIGN_CASES } from './foreign_cases.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const require = createRequire(path.join(ROOT, 'tests/oracle/package.json'));
const { DuckDBInstance, DuckDBTypeId: T } = require('@duckdb/node-api');

const [IDBPQ_ARG, TMP, FILTER = ''] = process.argv.slice(2);
const IDBPQ = path.resolve(IDBPQ_ARG || path.join(ROOT, 'idbpq'));
const tmp = TMP || fs.mkdtempSync('/tmp/mapping-duckdb-');
let failures = 0;

const ok = (name, note) => console.log(`ok - mapping-duckdb ${name}${note ? ` (${note})` : ''}`);
const notOk = (name, why) => {
    failures++;
    console.log(`not ok - mapping-duckdb ${name}: ${String(why).replace(/\s+/g, ' ').slice(0, 900)}`);
};

function run(args, { input } = {}) {
    const r = spawnSync(IDBPQ, args, { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 60000, input });
    return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const sq = (s) => `'${String(s).replaceAll("'", "''")}'`;

// ----- canonical text of tagged JSON: object properties as sets, numbers by value ------------
function numCanon(t) { // a JSON number is a double: compare by value
    return String(Number(t));
}
export function canon(v) {
    if (v === null || typeof v === 'boolean') return String(v);
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number') return 'N' + numCanon(String(v));
    if (typeof v === 'bigint') return 'N' + String(Number(v));
    if (v instanceof RawNum) return 'N' + numCanon(v.text);
    if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
    if (v instanceof JObj) {
        const p = v.keys.map((k, i) => `${JSON.stringify(k)}:${canon(v.vals[i])}`);
        p.sort();
        return '{' + p.join(',') + '}';
    }
    throw new Error(`canon: unexpected ${typeof v} ${show(v)}`);
}
/** Tagged JSON text of parsed structures (for messages). */
export function text(v) {
    if (v === null || typeof v === 'boolean') return String(v);
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    if (v instanceof RawNum) return v.text;
    if (Array.isArray(v)) return '[' + v.map(text).join(',') + ']';
    if (v instanceof JObj) return '{' + v.keys.map((k, i) => `${JSON.stringify(k)}:${text(v.vals[i])}`).join(',') + '}';
    return String(v);
}
/** A JObj from [key, value] pairs (values: JS numbers, strings, JObj, arrays...). */
export function obj(pairs) {
    const o = new JObj();
    for (const [k, v] of pairs) { o.keys.push(k); o.vals.push(v); }
    return o;
}

function parseLines(text, what) {
    const out = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
        if (lines[i] === '' && i === lines.length - 1) break;
        try {
            out.push(parseJson(lines[i]));
        } catch (e) {
            throw new Error(`${what} line ${i + 1} is not JSON (${e.message}): ${lines[i].slice(0, 200)}`);
        }
    }
    return out;
}

// ----- DuckDB ----------------------------------------------------------------------------------
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
async function sql(q) {
    const r = await con.runAndReadAll(q);
    return { rows: r.getRows(), json: r.getRowsJson(), names: r.columnNames(), types: r.columnTypes() };
}
async function describe(file) {
    const r = await sql(`DESCRIBE SELECT * FROM read_parquet(${sq(file)})`);
    const m = new Map();
    for (const row of r.rows) m.set(String(row[0]), String(row[1]));
    return m;
}
// Scalars to strings, deeply (DuckDB's JSON rows give BIGINT as strings, DOUBLE as numbers).
function flat(v) {
    if (v === null || v === undefined) return null;
    if (Array.isArray(v)) return v.map(flat);
    if (typeof v === 'object') {
        const o = {};
        for (const k of Object.keys(v)) o[k] = flat(v[k]);
        return o;
    }
    return String(v);
}

// ----- 1. pack cases ---------------------------------------------------------------------------
const SUITE_FILTER = (name) => !FILTER || name.includes(FILTER);

for (const c of PACK_CASES) {
    if (!SUITE_FILTER(c.name)) continue;
    const input = path.join(tmp, `${c.name}.jsonl`);
    const out = path.join(tmp, `${c.name}.parquet`);
    const lines = c.lines.map((l) => l.trim()).filter((l) => l);
    fs.writeFileSync(input, lines.join('\n') + '\n');
    fs.rmSync(out, { force: true });
    const p = run(['pack', input, out, '--quiet', ...(c.args || [])]);
    if (p.status !== 0) {
        notOk(`pack ${c.name}`, `idbpq pack exited ${p.status ?? p.signal}: ${p.stderr.trim().slice(0, 400)}`);
        continue;
    }
    // types
    let types;
    try {
        types = await describe(out);
    } catch (e) {
        notOk(`pack ${c.name} types`, `DuckDB cannot read the file: ${e.message}`);
        continue;
    }
    const problems = [];
    for (const [col, want] of Object.entries(c.types)) {
        const got = types.get(col);
        if (want === '*') continue; // any type, or absent
        if (got === undefined) problems.push(`no column ${col} (want ${want})`);
        else if (got !== want) problems.push(`${col}: ${got}, want ${want}`);
    }
    const oneKeyed = (c.args || []).includes('--one-pass') && !(c.args || []).includes('--key-path');
    for (const [col, got] of types) {
        if (col in c.types || col === '_raw') continue;
        if (col === '_raw_key' && oneKeyed) { // one-pass files with a `_key` column
            if (got !== 'VARCHAR') problems.push(`_raw_key: ${got}, want VARCHAR`);
            continue;
        }
        problems.push(`unexpected column ${col} ${got}`);
    }
    if (types.get('_raw') !== 'VARCHAR') problems.push(`_raw: ${types.get('_raw') ?? 'missing'}, want VARCHAR`);
    if (problems.length) notOk(`pack ${c.name} types`, problems.join('; ') + ` [all: ${[...types].map(([k, v]) => `${k} ${v}`).join(', ')}]`);
    else ok(`pack ${c.name} types`, [...types].map(([k, v]) => `${k} ${v}`).join(', '));

    // DuckDB reads every column of every row (SELECT *)
    try {
        const r = await sql(`SELECT * FROM read_parquet(${sq(out)})`);
        if (r.rows.length === lines.length) ok(`pack ${c.name} duckdb select *`);
        else notOk(`pack ${c.name} duckdb select *`, `${r.rows.length} rows, want ${lines.length}`);
    } catch (e) {
        notOk(`pack ${c.name} duckdb select *`, e.message);
    }
    // records in `_raw`: none unless the case has some that no column can hold (counted from
    // the column chunks' null counts, which DuckDB gives without parsing the JSON)
    try {
        const want = c.fallbacks ?? 0;
        const r = await sql(`SELECT sum(num_values), sum(stats_null_count) FROM parquet_metadata(${sq(out)}) WHERE path_in_schema = '_raw'`);
        const [values, nulls] = r.rows[0].map((x) => (x === null ? null : Number(x)));
        if (values === null || nulls === null) notOk(`pack ${c.name} fallbacks`, 'no _raw column chunk or no null count');
        else if (values - nulls === want) ok(`pack ${c.name} fallbacks`, `${values - nulls} in _raw`);
        else notOk(`pack ${c.name} fallbacks`, `${values - nulls} records in _raw, want ${want}`);
    } catch (e) {
        notOk(`pack ${c.name} fallbacks`, e.message);
    }

    // values DuckDB reads
    for (const [i, chk] of (c.values || []).entries()) {
        const name = `pack ${c.name} duckdb values${c.values.length > 1 ? ` ${i + 1}` : ''}`;
        try {
            const r = await sql(chk.sql.replaceAll('FILE', `read_parquet(${sq(out)})`));
            const got = JSON.stringify(flat(r.json));
            const want = JSON.stringify(flat(chk.expect));
            if (got === want) ok(name);
            else notOk(name, `${chk.sql}: duckdb ${got}, want ${want}`);
        } catch (e) {
            notOk(name, `${chk.sql}: ${e.message}`);
        }
    }

    // records back
    const r = run(['records', out, ...(c.recordsArgs || [])]);
    if (r.status !== 0) {
        notOk(`pack ${c.name} records`, `idbpq records exited ${r.status ?? r.signal}: ${r.stderr.trim().slice(0, 400)}`);
        continue;
    }
    try {
        const want = (c.expectRecords || lines).map((l) => canon(parseJson(l)));
        const got = parseLines(r.stdout, 'idbpq records').map(canon);
        let why = null;
        if (got.length !== want.length) why = `${got.length} records, want ${want.length}`;
        for (let k = 0; !why && k < want.length; k++) {
            if (got[k] !== want[k]) why = `record ${k + 1}: got ${r.stdout.split('\n')[k].slice(0, 400)} want ${(c.expectRecords || lines)[k].slice(0, 400)}`;
        }
        if (why) notOk(`pack ${c.name} records`, why);
        else ok(`pack ${c.name} records`, `${got.length} records back`);
    } catch (e) {
        notOk(`pack ${c.name} records`, e.message);
    }
}

// ----- 2. foreign files ------------------------------------------------------------------------
const TWO53 = 2n ** 53n;
// docs/mapping.md: DECIMAL -> "Number when the decimal is exact as a double, else its string"
// (the string: the decimal's digits with `scale` fraction digits, as DuckDB prints it).
function decimalText(unscaled, scale) {
    const neg = unscaled < 0n;
    let s = (neg ? -unscaled : unscaled).toString();
    if (scale > 0) {
        s = s.padStart(scale + 1, '0');
        s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
    }
    return (neg ? '-' : '') + s;
}
// Number(text) is the correctly rounded double: the decimal is exact iff that double equals it
// (checked with BigInts: n = ±mant * 2^e against unscaled / 10^scale).
function exactDoubleOf(n, unscaled, scale) {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, n);
    const bits = dv.getBigUint64(0);
    const expBits = Number((bits >> 52n) & 0x7ffn);
    let mant = bits & ((1n << 52n) - 1n);
    let e;
    if (expBits === 0) e = -1074;
    else { mant |= 1n << 52n; e = expBits - 1075; }
    const neg = bits >> 63n ? -1n : 1n;
    const p10 = 10n ** BigInt(scale);
    const lhs = e >= 0 ? neg * mant * (1n << BigInt(e)) * p10 : neg * mant * p10;
    const rhs = e >= 0 ? unscaled : unscaled * (1n << BigInt(-e));
    return lhs === rhs ? n : null;
}
export function decimalExpect(unscaled, scale, asString) {
    const text = decimalText(unscaled, scale);
    if (asString) return text;
    const n = exactDoubleOf(Number(text), unscaled, scale);
    return n === null ? text : n;
}

function tagNumber(n) {
    if (Number.isNaN(n)) return obj([['$number', 'NaN']]);
    if (n === Infinity) return obj([['$number', 'Infinity']]);
    if (n === -Infinity) return obj([['$number', '-Infinity']]);
    if (Object.is(n, -0)) return obj([['$number', '-0']]);
    return new RawNum(String(n));
}
function int64(v, o) {
    const b = BigInt(v);
    if (!o.int64Bigint && (b <= TWO53 && b >= -TWO53)) return new RawNum(b.toString());
    return obj([['$bigint', b.toString()]]);
}
function floorDiv(a, b) {
    const q = a / b;
    return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}
const dateOf = (ms) => obj([['$date', new RawNum(String(ms))]]);

/** The tagged JSON (as parsed structures) `idbpq records` should print for a DuckDB value. */
export function expectOf(type, v, o) {
    if (v === null || v === undefined) return null;
    switch (type.typeId) {
    case T.BOOLEAN: return v;
    case T.TINYINT: case T.SMALLINT: case T.INTEGER: case T.UTINYINT: case T.USMALLINT:
    case T.UINTEGER:
        return new RawNum(String(v));
    case T.BIGINT: case T.UBIGINT: return int64(v, o);
    case T.FLOAT: case T.DOUBLE: return tagNumber(v);
    case T.DECIMAL: return decimalExpect(v.value, v.scale, o.decimalString);
    case T.VARCHAR:
        if (type.alias === 'JSON' && o.jsonParse) return parseJson(v);
        return v;
    case T.UUID: return v.toString();
    case T.BLOB: return obj([['$binary', Buffer.from(v.bytes).toString('base64')], ['$type', 'Uint8Array']]);
    case T.DATE: return dateOf(BigInt(v.days) * 86400000n);
    case T.TIMESTAMP: case T.TIMESTAMP_TZ: return dateOf(floorDiv(BigInt(v.micros), 1000n));
    case T.TIMESTAMP_MS: return dateOf(BigInt(v.millis));
    case T.TIMESTAMP_NS: return dateOf(floorDiv(BigInt(v.nanos), 1000000n));
    case T.TIMESTAMP_S: return dateOf(BigInt(v.seconds) * 1000n);
    case T.TIME: return new RawNum(String(floorDiv(BigInt(v.micros), 1000n))); // ms since midnight
    case T.INTERVAL: // {months, days, milliseconds}
        return obj([['months', new RawNum(String(v.months))], ['days', new RawNum(String(v.days))],
            ['milliseconds', new RawNum(String(floorDiv(BigInt(v.micros), 1000n)))]]);
    case T.LIST: case T.ARRAY: return v.items.map((x) => expectOf(type.valueType, x, o));
    case T.STRUCT: {
        const pairs = [];
        type.entryNames.forEach((n, k) => {
            const e = expectOf(type.entryTypes[k], v.entries[n], o);
            if (!(e === null && o.nullsOmit)) pairs.push([n, e]);
        });
        return obj(pairs);
    }
    case T.MAP: {
        const stringKeys = type.keyType.typeId === T.VARCHAR;
        if (o.mapObject && stringKeys) return obj(v.entries.map((e) => [e.key, expectOf(type.valueType, e.value, o)]));
        return obj([['$map', v.entries.map((e) => [expectOf(type.keyType, e.key, o), expectOf(type.valueType, e.value, o)])]]);
    }
    case T.VARIANT: return expectOf(v.type, v.value, o);
    default: throw new Error(`no expectation rule for DuckDB type ${type.toString()}`);
    }
}

for (const c of FOREIGN_CASES) {
    if (!SUITE_FILTER(c.name)) continue;
    const file = path.join(tmp, `foreign-${c.name}.parquet`);
    try {
        fs.rmSync(file, { force: true });
        await con.run(`COPY (${c.sql}) TO ${sq(file)} (FORMAT parquet${c.copyOpts ? ', ' + c.copyOpts : ''})`);
    } catch (e) {
        if (c.optional) { console.log(`# mapping-duckdb foreign ${c.name}: DuckDB cannot write it (${e.message.split('\n')[0]}); not checked`); continue; }
        notOk(`foreign ${c.name}`, `DuckDB COPY failed: ${e.message}`);
        continue;
    }
    let back;
    try {
        back = await sql(`SELECT * FROM read_parquet(${sq(file)})`);
    } catch (e) {
        notOk(`foreign ${c.name}`, `DuckDB cannot read its own file: ${e.message}`);
        continue;
    }
    const typeNote = back.names.map((n, i) => `${n} ${back.types[i]}`).join(', ');
    for (const variant of c.variants || [{ args: [] }]) {
        const o = {
            int64Bigint: variant.args.includes('--int64-bigint'),
            decimalString: variant.args.includes('--decimal-string'),
            mapObject: variant.args.includes('--map-object'),
            jsonParse: variant.args.includes('--json-parse'),
            nullsOmit: variant.args.includes('--nulls-omit'),
        };
        const kc = variant.args.indexOf('--key-column');
        const keyCol = kc >= 0 ? variant.args[kc + 1] : null;
        const li = variant.args.indexOf('--limit');
        const limit = li >= 0 ? Number(variant.args[li + 1]) : Infinity;
        const name = `foreign ${c.name}${variant.args.length ? ' ' + variant.args.join(' ') : ''}`;
        let want;
        try {
            want = back.rows.slice(0, limit).map((row, r) => {
                const pairs = [];
                let key = new RawNum(String(r + 1));
                back.names.forEach((n, k) => {
                    const e = expectOf(back.types[k], row[k], o);
                    if (n === keyCol) { key = e; return; }
                    if (!(e === null && o.nullsOmit)) pairs.push([n, e]);
                });
                return obj([['key', key], ['value', obj(pairs)]]);
            });
        } catch (e) {
            notOk(name, `expectation: ${e.message}`);
            continue;
        }
        if (process.env.SHOW_EXPECT) for (const w of want) console.log(`# want ${name}: ${text(w)}`);
        const r = run(['records', file, ...variant.args]);
        if (r.status !== 0) {
            notOk(name, `idbpq records exited ${r.status ?? r.signal}: ${r.stderr.trim().slice(0, 400)} [${typeNote}]`);
            continue;
        }
        let got;
        try {
            got = parseLines(r.stdout, 'idbpq records');
        } catch (e) {
            notOk(name, e.message);
            continue;
        }
        let why = null;
        if (got.length !== want.length) why = `${got.length} records, want ${want.length}`;
        for (let k = 0; !why && k < want.length; k++) {
            const g = got[k], w = want[k];
            if (canon(g) === canon(w)) continue;
            // name the first property that differs
            const gv = g instanceof JObj ? g.get('value') : undefined;
            const wv = w.get('value');
            if (canon(g.get?.('key')) !== canon(w.get('key'))) {
                why = `record ${k + 1} key: got ${show(g.get?.('key'))}, want ${show(w.get('key'))}`;
                break;
            }
            if (gv instanceof JObj) {
                for (const p of new Set([...wv.keys, ...gv.keys])) {
                    const a = gv.keys.includes(p) ? canon(gv.get(p)) : '(absent)';
                    const b = wv.keys.includes(p) ? canon(wv.get(p)) : '(absent)';
                    if (a !== b) { why = `record ${k + 1} .${p}: got ${a}, want ${b}`; break; }
                }
            }
            why = why || `record ${k + 1}: got ${canon(g)}, want ${canon(w)}`;
        }
        if (why) notOk(name, `${why} [${typeNote}]`);
        else ok(name, `${got.length} records`);
    }
    // Reader-only types whose mapping is not pinned by a rule: idbpq must read them.
    for (const extra of c.readOnly || []) {
        const r = run(['records', file, ...extra]);
        const n = r.stdout.split('\n').filter((l) => l).length;
        if (r.status === 0 && n === back.rows.length) ok(`foreign ${c.name} reads ${extra.join(' ')}`.trim());
        else notOk(`foreign ${c.name} reads`, `exit ${r.status ?? r.signal}, ${n} lines: ${r.stderr.trim().slice(0, 300)}`);
    }
}

process.exitCode = failures ? 1 : 0;
