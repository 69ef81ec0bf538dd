// conformance.mjs — idbpq `cat` against independent readers over the parquet-testing corpus.
//
//   node tests/oracle/conformance.mjs [FILTER]
//
// One check per file (FILTER: only files whose path contains it):
//   data/**/*.parquet          idbpq cat == DuckDB read_parquet, row by row, value by value
//   data/**/*.parquet.encrypted idbpq cat exits 1 with a message containing "encrypted"
//   data/*_expect.csv          idbpq cat == the expected CSV values
//   shredded_variant/*.parquet idbpq cat == parquet-wasm (arrow-rs) at the Parquet level
//                              (DuckDB reconstructs VARIANT values, idbpq shows the groups);
//                              plus, where the case is not shredded, the metadata and value
//                              binaries == the expected case-NNN_row-K.variant.bin
// Files listed in exceptions.json "conformance" get the weaker check described there.
import fs from 'node:fs';
import path from 'node:path';
import {
    SHARED, ok, notOk, comment, idbpq, idbpqCat, idbpqMeta, duckRead, compareDuckRows,
    listFiles, loadExceptions, RawNum, JObj, show, b64,
} from './lib.mjs';
import { arrowRead, compareArrowRows } from './arrow.mjs';
import { hypRead, compareHypRows } from './hyp.mjs';

const SUITE = 'conformance';
const PT = path.join(SHARED, 'parquet-testing');
const filter = process.argv[2] || '';
const exceptions = loadExceptions().conformance;
const rel = (f) => path.relative(PT, f);

async function checkDuck(file) {
    const name = rel(file);
    const ex = exceptions[name];
    if (ex) return checkException(file, ex);
    let idb;
    try {
        idb = idbpqCat(file);
    } catch (e) {
        return notOk(SUITE, name, e.message);
    }
    let d;
    try {
        d = await duckRead(file);
    } catch (e) {
        return notOk(SUITE, name, `DuckDB cannot read it (add an exception if legitimate): ${e.message.split('\n')[0]}`);
    }
    const diff = compareDuckRows(d.names, d.types, d.rows, idb);
    if (diff) return notOk(SUITE, name, `vs duckdb: ${diff}`);
    ok(SUITE, name, `${idb.length} rows = duckdb`);
}

/** An exception (exceptions.json "conformance"). Fields:
 *    reason        why DuckDB cannot be the oracle (always printed)
 *    expect_error  idbpq must refuse the file: exit 1, stderr matching this regex
 *    oracle        "parquet-wasm" | "hyparquet": compare with that reader instead
 *    duckdb        options for the DuckDB comparison ({"checkUtc": false})
 *    columns       compare only these columns (idbpq cat --columns; the oracle projects too)
 *    rows          expected row count (default: num_rows from idbpq meta --json)
 *    skip_rows     row numbers left out of the value comparison
 *  Without expect_error, idbpq must read the file and give the expected number of rows. */
async function checkException(file, ex) {
    const name = rel(file);
    const note = `exception: ${ex.reason}`;
    if (ex.expect_error) {
        const r = idbpq(['cat', file], { timeout: 20000 });
        if (r.status === 1 && new RegExp(ex.expect_error, 'i').test(r.stderr)) return ok(SUITE, name, `${note}; refused`);
        return notOk(SUITE, name, `expected exit 1 and /${ex.expect_error}/, got exit ${r.status ?? r.signal}: ${r.stderr.trim().slice(0, 200)} (${note})`);
    }
    let idb;
    try {
        idb = idbpqCat(file);
    } catch (e) {
        return notOk(SUITE, name, `${e.message} (${note})`);
    }
    let rows = ex.rows;
    if (rows === undefined) {
        try {
            rows = idbpqMeta(file).num_rows;
        } catch (e) {
            return notOk(SUITE, name, e.message);
        }
    }
    if (idb.length !== rows) return notOk(SUITE, name, `idbpq cat gave ${idb.length} rows, expected ${rows} (${note})`);
    const cols = ex.columns ? ex.columns.split(',') : null;
    if (cols) {
        try {
            idb = idbpqCat(file, ['--columns', ex.columns]);
        } catch (e) {
            return notOk(SUITE, name, `${e.message} (${note})`);
        }
    }
    let diff = null;
    let what = `${idb.length} rows`;
    try {
        if (ex.oracle === 'parquet-wasm') {
            const a = await arrowRead(fs.readFileSync(file));
            diff = compareArrowRows(a, idb, cols);
            what += ' = parquet-wasm';
        } else if (ex.oracle === 'hyparquet') {
            let h = await hypRead(fs.readFileSync(file));
            if (cols) h = h.map((o) => Object.fromEntries(cols.map((c) => [c, o[c]])));
            diff = compareHypRows(h, idb);
            what += ' = hyparquet';
        } else if (ex.duckdb) {
            const d = await duckRead(file, cols ? cols.map((c) => `"${c}"`).join(',') : '*');
            const keep = (_, k) => !(ex.skip_rows || []).includes(k);
            diff = compareDuckRows(d.names, d.types, d.rows.filter(keep), idb.filter(keep), ex.duckdb);
            if (ex.skip_rows) what += ` (rows ${ex.skip_rows} not compared)`;
            what += ` = duckdb (${JSON.stringify(ex.duckdb)})`;
        }
    } catch (e) {
        return notOk(SUITE, name, `${ex.oracle || 'duckdb'} cannot read it: ${String(e.message ?? e).split('\n')[0]} (${note})`);
    }
    if (diff) return notOk(SUITE, name, `vs ${ex.oracle || 'duckdb'}: ${diff} (${note})`);
    ok(SUITE, name, `${note}; ${what}${cols ? ` (columns ${ex.columns})` : ''}`);
}

function checkEncrypted(file) {
    const name = rel(file);
    const r = idbpq(['cat', file], { timeout: 20000 });
    if (r.status === 1 && /encrypted/i.test(r.stderr)) return ok(SUITE, name, 'refused: encrypted');
    notOk(SUITE, name, `expected exit 1 and "encrypted", got exit ${r.status ?? r.signal}: ${r.stderr.trim().slice(0, 200)}`);
}

// ----- *_expect.csv -------------------------------------------------------------------------
function parseCsv(text) {
    // RFC 4180 with one twist that matters here: an empty unquoted field is NULL, "" is ''.
    const rows = [];
    let row = [];
    let i = 0;
    while (i < text.length) {
        let v;
        if (text[i] === '"') {
            let j = i + 1;
            let s = '';
            for (;;) {
                if (text[j] === '"' && text[j + 1] === '"') { s += '"'; j += 2; continue; }
                if (text[j] === '"') break;
                s += text[j++];
            }
            v = s;
            i = j + 1;
        } else {
            let j = i;
            while (j < text.length && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
            v = j === i ? null : text.slice(i, j);
            i = j;
        }
        row.push(v);
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '\r') i++;
        if (text[i] === '\n' || i >= text.length) { i++; rows.push(row); row = []; }
    }
    return rows;
}

function checkExpectCsv(csv) {
    const name = rel(csv);
    const pq = csv.replace(/_expect\.csv$/, '.parquet');
    if (!fs.existsSync(pq)) {
        comment(`SKIPPED: ${SUITE} ${name} (${rel(pq)} is not in this copy of the corpus)`);
        return;
    }
    let idb;
    try {
        idb = idbpqCat(pq);
    } catch (e) {
        return notOk(SUITE, name, e.message);
    }
    const rows = parseCsv(fs.readFileSync(csv, 'utf8'));
    const header = rows.shift();
    if (rows.length !== idb.length) return notOk(SUITE, name, `row count: idbpq ${idb.length}, csv ${rows.length}`);
    for (let r = 0; r < rows.length; r++) {
        const j = idb[r];
        if (j.keys.length !== header.length) return notOk(SUITE, name, `row ${r}: idbpq ${j.keys.length} columns, csv ${header.length}`);
        for (let c = 0; c < header.length; c++) {
            const want = rows[r][c];
            const v = j.vals[c];
            const got = v === null ? null : v instanceof RawNum ? v.text : typeof v === 'string' ? v : show(v);
            if (got !== want) {
                return notOk(SUITE, name, `row ${r} column ${j.keys[c]}: idbpq ${show(v)}, csv ${want === null ? 'empty (null)' : JSON.stringify(want)}`);
            }
        }
    }
    ok(SUITE, name, `${rows.length} rows = csv`);
}

// ----- shredded VARIANT -----------------------------------------------------------------------
function checkVariant(file, cases) {
    const name = rel(file);
    const ex = exceptions[name];
    return (async () => {
        const c = cases.get(path.basename(file));
        if (c && c.error_message) {
            // An invalid case: idbpq shows the Parquet level, which is valid; it must read it.
            return checkException(file, { reason: `invalid as a variant (${c.error_message}); read at the Parquet level`, oracle: 'parquet-wasm' });
        }
        if (ex) return checkException(file, ex);
        let idb;
        try {
            idb = idbpqCat(file);
        } catch (e) {
            return notOk(SUITE, name, e.message);
        }
        let a;
        try {
            a = await arrowRead(fs.readFileSync(file));
        } catch (e) {
            return notOk(SUITE, name, `parquet-wasm cannot read it: ${e.message ?? e}`);
        }
        const diff = compareArrowRows(a, idb);
        if (diff) return notOk(SUITE, name, `vs parquet-wasm: ${diff}`);
        // Unshredded cases: the binaries must be the expected variant bytes.
        let binChecked = 0;
        for (let r = 0; r < idb.length; r++) {
            const bin = file.replace(/\.parquet$/, `_row-${r}.variant.bin`);
            if (!fs.existsSync(bin)) continue;
            const row = idb[r];
            const v = row.get('var');
            if (!(v instanceof JObj) || v.get('typed_value') !== undefined && v.get('typed_value') !== null) continue;
            const meta = v.get('metadata');
            const val = v.get('value');
            if (typeof meta !== 'string' || typeof val !== 'string') {
                return notOk(SUITE, name, `row ${r}: unshredded variant without metadata/value binaries: ${show(v)}`);
            }
            const got = Buffer.concat([Buffer.from(meta, 'base64'), Buffer.from(val, 'base64')]);
            const want = fs.readFileSync(bin);
            if (!got.equals(want)) {
                return notOk(SUITE, name, `row ${r}: metadata+value ${got.toString('hex').slice(0, 80)} != ${path.basename(bin)} ${want.toString('hex').slice(0, 80)}`);
            }
            binChecked++;
        }
        ok(SUITE, name, `${idb.length} rows = parquet-wasm${binChecked ? `; ${binChecked} = variant.bin` : ''}`);
    })();
}

// ----- main -----------------------------------------------------------------------------------
const data = path.join(PT, 'data');
if (!fs.existsSync(data)) {
    console.log(`# SKIPPED: ${SUITE} (no corpus at ${data})`);
    process.exit(0);
}
const want = (f) => !filter || f.includes(filter);
for (const f of listFiles(data, (p) => p.endsWith('.parquet') && want(p))) await checkDuck(f);
for (const f of listFiles(data, (p) => p.endsWith('.parquet.encrypted') && want(p))) checkEncrypted(f);
for (const f of listFiles(data, (p) => p.endsWith('_expect.csv') && want(p))) checkExpectCsv(f);
const sv = path.join(PT, 'shredded_variant');
if (fs.existsSync(sv)) {
    let cases = new Map();
    try {
        cases = new Map(JSON.parse(fs.readFileSync(path.join(sv, 'cases.json'), 'utf8')).map((c) => [c.parquet_file, c]));
    } catch { /* no cases.json: every case is checked at the Parquet level only */ }
    for (const f of listFiles(sv, (p) => p.endsWith('.parquet') && want(p))) await checkVariant(f, cases);
} else {
    console.log(`# SKIPPED: ${SUITE} shredded_variant (no ${sv})`);
}
for (const k of Object.keys(exceptions)) {
    if (!fs.existsSync(path.join(PT, k))) comment(`exception for ${k}: file not in this corpus`);
}
process.exit(0);
