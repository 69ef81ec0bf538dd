// lib.mjs — shared pieces of the oracle suites: running ./idbpq, a JSON reader that keeps
// number text exact, and comparisons of idbpq's `cat` JSON (the mapping of docs/cli.md)
// against the values DuckDB, hyparquet and parquet-wasm return.
//
// Every compare* function returns null when the values agree, else a short description of
// the first difference ("row 3 .a.b[2]: idbpq 5, duckdb 6").
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBTypeId } from '@duckdb/node-api';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
export const IDBPQ = process.env.IDBPQ ? path.resolve(process.env.IDBPQ) : path.join(ROOT, 'idbpq');
export const SHARED = path.resolve(ROOT, process.env.IDBPQ_SHARED || '../shared');

export function loadExceptions() {
    return JSON.parse(fs.readFileSync(path.join(HERE, 'exceptions.json'), 'utf8'));
}

// ----- TAP-ish output ---------------------------------------------------------------------
export function ok(suite, name, note) {
    console.log(`ok - ${suite} ${name}${note ? ` (${note})` : ''}`);
}
export function notOk(suite, name, why) {
    const one = String(why).replace(/\s+/g, ' ').slice(0, 600);
    console.log(`not ok - ${suite} ${name}: ${one}`);
}
export function comment(s) {
    for (const line of String(s).split('\n')) console.log(`# ${line}`);
}

// ----- running the CLI --------------------------------------------------------------------
/** Runs a binary; returns {status, signal, stdout, stderr, timedOut}. */
export function run(bin, args, { timeout = 60000, maxBuffer = 1 << 30 } = {}) {
    const r = spawnSync(bin, args, { timeout, maxBuffer, encoding: 'utf8', killSignal: 'SIGKILL' });
    return {
        status: r.status,
        signal: r.signal,
        stdout: r.stdout ?? '',
        stderr: r.stderr ?? '',
        timedOut: r.error?.code === 'ETIMEDOUT',
        error: r.error,
    };
}

export function idbpq(args, opts) {
    return run(IDBPQ, args, opts);
}

/** `idbpq cat FILE` parsed into rows (JObj), or throws with the reason. */
export function idbpqCat(file, extra = []) {
    const r = idbpq(['cat', file, ...extra]);
    if (r.timedOut) throw new Error('idbpq cat timed out');
    if (r.status !== 0) throw new Error(`idbpq cat exited ${r.status ?? r.signal}: ${r.stderr.trim().slice(0, 300)}`);
    const rows = [];
    const lines = r.stdout.split('\n');
    for (let i = 0; i < lines.length; i++) {
        if (lines[i] === '' && i === lines.length - 1) break;
        try {
            rows.push(parseJson(lines[i]));
        } catch (e) {
            throw new Error(`idbpq cat line ${i + 1} is not JSON (${e.message}): ${lines[i].slice(0, 120)}`);
        }
    }
    return rows;
}

export function idbpqMeta(file) {
    const r = idbpq(['meta', file, '--json']);
    if (r.status !== 0) throw new Error(`idbpq meta exited ${r.status ?? r.signal}: ${r.stderr.trim().slice(0, 300)}`);
    return JSON.parse(r.stdout);
}

// ----- JSON with exact numbers --------------------------------------------------------------
/** A JSON number, kept as its source text. */
export class RawNum {
    constructor(text) { this.text = text; }
    toString() { return this.text; }
}
/** A JSON object, kept as ordered pairs (duplicate keys survive). */
export class JObj {
    constructor() { this.keys = []; this.vals = []; }
    get(k) { const i = this.keys.indexOf(k); return i < 0 ? undefined : this.vals[i]; }
    toString() { return show(this); }
}

export function parseJson(text) {
    let i = 0;
    const s = text;
    const ws = () => { while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++; };
    const fail = (what) => { throw new Error(`${what} at ${i}`); };
    function value() {
        ws();
        const c = s[i];
        if (c === '{') {
            i++;
            const o = new JObj();
            ws();
            if (s[i] === '}') { i++; return o; }
            for (;;) {
                ws();
                if (s[i] !== '"') fail('expected key');
                const k = str();
                ws();
                if (s[i++] !== ':') fail('expected :');
                o.keys.push(k);
                o.vals.push(value());
                ws();
                if (s[i] === ',') { i++; continue; }
                if (s[i] === '}') { i++; return o; }
                fail('expected , or }');
            }
        }
        if (c === '[') {
            i++;
            const a = [];
            ws();
            if (s[i] === ']') { i++; return a; }
            for (;;) {
                a.push(value());
                ws();
                if (s[i] === ',') { i++; continue; }
                if (s[i] === ']') { i++; return a; }
                fail('expected , or ]');
            }
        }
        if (c === '"') return str();
        if (s.startsWith('true', i)) { i += 4; return true; }
        if (s.startsWith('false', i)) { i += 5; return false; }
        if (s.startsWith('null', i)) { i += 4; return null; }
        const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(s.slice(i, i + 400));
        if (!m) fail('bad value');
        i += m[0].length;
        return new RawNum(m[0]);
    }
    function str() {
        // JSON.parse handles escapes; find the closing quote first.
        let j = i + 1;
        for (;;) {
            if (j >= s.length) fail('unterminated string');
            if (s[j] === '\\') { j += 2; continue; }
            if (s[j] === '"') break;
            j++;
        }
        const r = JSON.parse(s.slice(i, j + 1));
        i = j + 1;
        return r;
    }
    const v = value();
    ws();
    if (i !== s.length) fail('trailing characters');
    return v;
}

/** Short text of any value, for messages. */
export function show(v, depth = 0) {
    if (v === null || v === undefined) return String(v);
    if (v instanceof RawNum) return v.text;
    if (typeof v === 'string') return JSON.stringify(v.length > 80 ? v.slice(0, 80) + '…' : v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (typeof v === 'boolean') return String(v);
    if (depth > 3) return '…';
    if (Array.isArray(v)) return `[${v.slice(0, 8).map((x) => show(x, depth + 1)).join(',')}${v.length > 8 ? ',…' : ''}]`;
    if (v instanceof JObj) return `{${v.keys.slice(0, 8).map((k, j) => `${JSON.stringify(k)}:${show(v.vals[j], depth + 1)}`).join(',')}}`;
    if (v instanceof Uint8Array) return `bytes(${v.length}):${Buffer.from(v.slice(0, 24)).toString('hex')}`;
    if (v instanceof Date) return v.toISOString();
    try {
        const t = String(v);
        return t.length > 120 ? t.slice(0, 120) + '…' : t;
    } catch {
        return Object.prototype.toString.call(v);
    }
}

// ----- canonical parsing of idbpq value text ------------------------------------------------
function daysFromCivil(y, m, d) {
    y -= m <= 2 ? 1 : 0;
    const era = Math.floor(y / 400);
    const yoe = y - era * 400;
    const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
}

/** "YYYY-MM-DD" (or "+YYYYY-MM-DD", "-YYYY-MM-DD") to days since 1970-01-01, or null. */
export function parseDate(t) {
    const m = /^([+-]?)(\d{4,})-(\d{2})-(\d{2})$/.exec(t);
    if (!m) return null;
    const y = (m[1] === '-' ? -1 : 1) * Number(m[2]);
    return daysFromCivil(y, Number(m[3]), Number(m[4]));
}

/** "HH:MM:SS[.f{1,9}]" to nanoseconds (BigInt) and the number of fraction digits. */
export function parseTime(t) {
    const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(t);
    if (!m) return null;
    const frac = (m[4] || '').padEnd(9, '0');
    const ns = ((BigInt(m[1]) * 60n + BigInt(m[2])) * 60n + BigInt(m[3])) * 1000000000n + BigInt(frac);
    return { ns, digits: (m[4] || '').length };
}

/** "DATE'T'TIME[Z]" to {ns (BigInt since epoch), z (bool), digits}. */
export function parseTimestamp(t) {
    const m = /^(.+)T(.+?)(Z?)$/.exec(t);
    if (!m) return null;
    const d = parseDate(m[1]);
    const tod = parseTime(m[2]);
    if (d === null || !tod) return null;
    return { ns: BigInt(d) * 86400000000000n + tod.ns, z: m[3] === 'Z', digits: tod.digits };
}

function floorDiv(a, b) {
    const q = a / b;
    return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** A JS number from idbpq's float text ("NaN", "Infinity", "-Infinity" are strings). */
export function floatOf(j) {
    if (j instanceof RawNum) return Number(j.text);
    if (j === 'NaN') return NaN;
    if (j === 'Infinity') return Infinity;
    if (j === '-Infinity') return -Infinity;
    return undefined;
}

export function sameFloat(a, b) {
    if (Number.isNaN(a) && Number.isNaN(b)) return true;
    return Object.is(a, b);
}

/** Decimal text with exactly `scale` fraction digits to its unscaled BigInt, or null. */
export function decimalUnscaled(text, scale) {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
    if (!m) return null;
    const frac = m[3] || '';
    if (frac.length !== scale) return null;
    const v = BigInt(m[2] + frac);
    return m[1] === '-' ? -v : v;
}

export function b64(bytes) {
    return Buffer.from(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength ?? bytes.length).toString('base64');
}

// ----- DuckDB values against idbpq JSON ---------------------------------------------------
const T = DuckDBTypeId;
const INT_TYPES = new Set([T.TINYINT, T.SMALLINT, T.INTEGER, T.BIGINT, T.UTINYINT, T.USMALLINT,
    T.UINTEGER, T.UBIGINT, T.HUGEINT, T.UHUGEINT]);

/**
 * Compares one DuckDB value (of DuckDB type `type`) with idbpq's JSON value `j`.
 * `opts.variant(type, dv, j, where)` handles VARIANT values (else they are a difference).
 */
export function compareDuck(type, dv, j, where, opts = {}) {
    const diff = (why) => `${where || '(row)'}: ${why}`;
    const both = () => `idbpq ${show(j)}, duckdb ${show(dv)}`;
    if (dv === null || dv === undefined) return j === null ? null : diff(`idbpq ${show(j)}, duckdb null`);
    if (j === null) return diff(`idbpq null, duckdb ${show(dv)}`);
    const id = type.typeId;
    switch (id) {
    case T.BOOLEAN:
        return j === dv ? null : diff(both());
    case T.FLOAT:
    case T.DOUBLE: {
        let v = floatOf(j);
        if (v === undefined) return diff(`not a float: ${both()}`);
        if (id === T.FLOAT) v = Math.fround(v);
        return sameFloat(v, dv) ? null : diff(both());
    }
    case T.DECIMAL: {
        if (!(j instanceof RawNum)) return diff(`decimal not a JSON number: ${both()}`);
        const u = decimalUnscaled(j.text, dv.scale);
        if (u === null) return diff(`decimal text is not ${dv.scale} fraction digits: ${both()}`);
        return u === dv.value ? null : diff(both());
    }
    case T.VARCHAR:
        return j === dv ? null : diff(both());
    case T.BLOB:
    case T.GEOMETRY:
    case T.BIT: {
        if (typeof j !== 'string') return diff(`binary not a string: ${both()}`);
        return j === b64(dv.bytes) ? null : diff(`idbpq ${show(j)}, duckdb base64 ${show(b64(dv.bytes))}`);
    }
    case T.UUID:
        return j === dv.toString() ? null : diff(both());
    case T.DATE: {
        const d = typeof j === 'string' ? parseDate(j) : null;
        if (d === null) return diff(`not a date: ${both()}`);
        return d === dv.days ? null : diff(both());
    }
    case T.TIME:
    case T.TIME_TZ:
    case T.TIME_NS: {
        const t = typeof j === 'string' ? parseTime(j) : null;
        if (!t) return diff(`not a time: ${both()}`);
        const got = id === T.TIME_NS ? t.ns : floorDiv(t.ns, 1000n);
        const want = id === T.TIME_NS ? BigInt(dv.nanos) : BigInt(dv.micros);
        return got === want ? null : diff(both());
    }
    case T.TIMESTAMP:
    case T.TIMESTAMP_TZ:
    case T.TIMESTAMP_MS:
    case T.TIMESTAMP_NS:
    case T.TIMESTAMP_S: {
        const t = typeof j === 'string' ? parseTimestamp(j) : null;
        if (!t) return diff(`not a timestamp: ${both()}`);
        let got;
        let want;
        if (id === T.TIMESTAMP_NS) { got = t.ns; want = BigInt(dv.nanos); }
        else if (id === T.TIMESTAMP_MS) { got = floorDiv(t.ns, 1000000n); want = BigInt(dv.millis); }
        else if (id === T.TIMESTAMP_S) { got = floorDiv(t.ns, 1000000000n); want = BigInt(dv.seconds); }
        else { got = floorDiv(t.ns, 1000n); want = BigInt(dv.micros); }
        if (got !== want) return diff(both());
        if (opts.checkUtc !== false && t.z !== (id === T.TIMESTAMP_TZ)) {
            return diff(`${t.z ? 'UTC-adjusted ("Z")' : 'local (no "Z")'} in idbpq, duckdb type ${type.toString()}: ${both()}`);
        }
        return null;
    }
    case T.INTERVAL: {
        if (!(j instanceof JObj)) return diff(`interval not an object: ${both()}`);
        const mo = j.get('months'); const da = j.get('days'); const ms = j.get('millis');
        if (!(mo instanceof RawNum && da instanceof RawNum && ms instanceof RawNum)) return diff(`bad interval: ${both()}`);
        const good = BigInt(mo.text) === BigInt(dv.months) && BigInt(da.text) === BigInt(dv.days)
            && BigInt(ms.text) * 1000n === BigInt(dv.micros);
        return good ? null : diff(both());
    }
    case T.SQLNULL:
        return j === null ? null : diff(both());
    case T.ENUM:
        return j === String(dv) ? null : diff(both());
    case T.LIST:
    case T.ARRAY: {
        if (!Array.isArray(j)) return diff(`not an array: ${both()}`);
        const items = dv.items;
        if (items.length !== j.length) return diff(`list length idbpq ${j.length}, duckdb ${items.length}: ${both()}`);
        for (let k = 0; k < items.length; k++) {
            const r = compareDuck(type.valueType, items[k], j[k], `${where}[${k}]`, opts);
            if (r) return r;
        }
        return null;
    }
    case T.STRUCT: {
        if (!(j instanceof JObj)) return diff(`not an object: ${both()}`);
        const names = type.entryNames;
        if (names.length !== j.keys.length || names.some((n, k) => n !== j.keys[k])) {
            return diff(`fields idbpq [${j.keys.join(',')}], duckdb [${names.join(',')}]`);
        }
        for (let k = 0; k < names.length; k++) {
            const r = compareDuck(type.entryTypes[k], dv.entries[names[k]], j.vals[k], `${where}.${names[k]}`, opts);
            if (r) return r;
        }
        return null;
    }
    case T.MAP: {
        const ents = dv.entries;
        let pairs;
        if (j instanceof JObj) {
            pairs = j.keys.map((k, n) => [k, j.vals[n]]);
        } else if (Array.isArray(j)) {
            pairs = [];
            for (const e of j) {
                if (!(e instanceof JObj) || e.keys.length !== 2 || e.keys[0] !== 'key' || e.keys[1] !== 'value') {
                    return diff(`map entry not {"key","value"}: ${show(e)}`);
                }
                pairs.push([e.vals[0], e.vals[1]]);
            }
        } else {
            return diff(`map not an object or array: ${both()}`);
        }
        if (pairs.length !== ents.length) return diff(`map size idbpq ${pairs.length}, duckdb ${ents.length}: ${both()}`);
        for (let k = 0; k < ents.length; k++) {
            let r = compareDuck(type.keyType, ents[k].key, pairs[k][0], `${where}{key ${k}}`, opts);
            if (r) return r;
            r = compareDuck(type.valueType, ents[k].value, pairs[k][1], `${where}{${show(pairs[k][0])}}`, opts);
            if (r) return r;
        }
        return null;
    }
    case T.VARIANT:
        if (opts.variant) return opts.variant(type, dv, j, where);
        return diff(`VARIANT not compared: ${both()}`);
    default:
        if (INT_TYPES.has(id)) {
            if (!(j instanceof RawNum) || !/^-?\d+$/.test(j.text)) return diff(`not an integer: ${both()}`);
            return BigInt(j.text) === BigInt(dv) ? null : diff(both());
        }
        return diff(`DuckDB type ${type.toString()} not handled by the comparison: ${both()}`);
    }
}

/** Compares whole results: DuckDB (names, types, rows as arrays) against idbpq JObj rows. */
export function compareDuckRows(names, types, duckRows, idbRows, opts = {}) {
    if (duckRows.length !== idbRows.length) {
        return `row count: idbpq ${idbRows.length}, duckdb ${duckRows.length}`;
    }
    for (let r = 0; r < duckRows.length; r++) {
        const j = idbRows[r];
        if (!(j instanceof JObj)) return `row ${r}: idbpq row is not an object`;
        if (j.keys.length !== names.length || names.some((n, k) => n !== j.keys[k])) {
            return `row ${r}: columns idbpq [${j.keys.join(',')}], duckdb [${names.join(',')}]`;
        }
        for (let c = 0; c < names.length; c++) {
            const d = compareDuck(types[c], duckRows[r][c], j.vals[c], `row ${r} column ${names[c]}`, opts);
            if (d) return d;
        }
    }
    return null;
}

// ----- DuckDB -----------------------------------------------------------------------------
let duckCon = null;
export async function duck() {
    if (duckCon) return duckCon;
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
    duckCon = await inst.connect();
    return duckCon;
}

/** SELECT * FROM read_parquet(file): {names, types, rows}. */
export async function duckRead(file, select = '*') {
    const con = await duck();
    const r = await con.runAndReadAll(`SELECT ${select} FROM read_parquet(${sqlStr(file)})`);
    return { names: r.columnNames(), types: r.columnTypes(), rows: r.getRows() };
}

export function sqlStr(s) {
    return `'${String(s).replace(/'/g, "''")}'`;
}

export function listFiles(dir, pred) {
    const out = [];
    const walk = (d) => {
        let ents;
        try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
        for (const e of ents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (pred(p)) out.push(p);
        }
    };
    walk(dir);
    return out;
}
