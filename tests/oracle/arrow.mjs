// arrow.mjs — parquet-wasm (arrow-rs) as an oracle: read a Parquet file into Arrow, walk the
// Arrow buffers directly (apache-arrow's accessors round timestamps to milliseconds and
// decimals to doubles), and compare with idbpq's `cat` JSON.
import * as pw from 'parquet-wasm';
import { tableFromIPC, Type } from 'apache-arrow';
import {
    RawNum, JObj, show, floatOf, sameFloat, decimalUnscaled, parseDate, parseTime,
    parseTimestamp, b64,
} from './lib.mjs';

/** Reads Parquet bytes with parquet-wasm: an apache-arrow Table. */
export async function arrowRead(bytes) {
    const t = pw.readParquet(new Uint8Array(bytes));
    return tableFromIPC(t.intoIPCStream());
}

function valid(data, i) {
    if (data.typeId === Type.Null) return false;
    const bm = data.nullBitmap;
    if (!bm || bm.length === 0 || data.nullCount === 0) return true;
    const k = data.offset + i;
    return (bm[k >> 3] >> (k & 7)) & 1;
}

function i64(values, i) {
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) return BigInt.asIntN(64, values[i]);
    // Older layouts: pairs of 32-bit words.
    return BigInt.asIntN(64, (BigInt(values[2 * i + 1] >>> 0) << 32n) | BigInt(values[2 * i] >>> 0));
}

function halfToFloat(h) {
    const e = (h >> 10) & 31;
    const m = h & 1023;
    let v;
    if (e === 0) v = m * 2 ** -24;
    else if (e === 31) v = m ? NaN : Infinity;
    else v = (m + 1024) * 2 ** (e - 25);
    return h & 0x8000 ? -v : v;
}

function bytesAt(data, i) {
    const t = data.type;
    if (t.typeId === Type.FixedSizeBinary) return data.values.subarray(i * t.byteWidth, (i + 1) * t.byteWidth);
    const o = data.valueOffsets;
    return data.values.subarray(Number(o[i]), Number(o[i + 1]));
}

const UNIT_NS = [1000000000n, 1000000n, 1000n, 1n]; // arrow TimeUnit SECOND..NANOSECOND

function le32(b, o) {
    return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

function floorDiv(a, b) {
    const q = a / b;
    return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** Compares element i of Arrow `data` with idbpq JSON value j. */
export function compareArrow(data, i, j, where) {
    const diff = (why) => `${where}: ${why}`;
    const t = data.type;
    if (!valid(data, i)) return j === null ? null : diff(`idbpq ${show(j)}, arrow null`);
    if (j === null) return diff(`idbpq null, arrow non-null ${t}`);
    switch (t.typeId) {
    case Type.Bool: {
        const k = data.offset + i;
        const v = !!((data.values[k >> 3] >> (k & 7)) & 1);
        return j === v ? null : diff(`idbpq ${show(j)}, arrow ${v}`);
    }
    case Type.Int: {
        const v = t.bitWidth === 64 ? (t.isSigned ? i64(data.values, i) : BigInt.asUintN(64, i64(data.values, i))) : BigInt(data.values[i]);
        if (!(j instanceof RawNum) || !/^-?\d+$/.test(j.text)) return diff(`not an integer: idbpq ${show(j)}, arrow ${v}`);
        return BigInt(j.text) === v ? null : diff(`idbpq ${j.text}, arrow ${v}`);
    }
    case Type.Float: {
        let v = data.values[i];
        if (t.precision === 0) v = halfToFloat(v);
        let g = floatOf(j);
        if (g === undefined) return diff(`not a float: idbpq ${show(j)}`);
        if (t.precision !== 2) g = Math.fround(g);
        return sameFloat(g, v) ? null : diff(`idbpq ${show(j)}, arrow ${show(v)}`);
    }
    case Type.Decimal: {
        const words = t.bitWidth / 32;
        let v = 0n;
        for (let w = words - 1; w >= 0; w--) v = (v << 32n) | BigInt(data.values[i * words + w] >>> 0);
        v = BigInt.asIntN(t.bitWidth, v);
        if (!(j instanceof RawNum)) return diff(`decimal not a number: idbpq ${show(j)}`);
        const u = decimalUnscaled(j.text, t.scale);
        return u === v ? null : diff(`idbpq ${j.text}, arrow unscaled ${v} scale ${t.scale}`);
    }
    case Type.Utf8:
    case Type.LargeUtf8: {
        const s = Buffer.from(bytesAt(data, i)).toString('utf8');
        return j === s ? null : diff(`idbpq ${show(j)}, arrow ${show(s)}`);
    }
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary: {
        const b = bytesAt(data, i);
        if (typeof j === 'string') {
            if (b.length === 16 && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(j)) {
                return j.replace(/-/g, '') === Buffer.from(b).toString('hex') ? null : diff(`uuid idbpq ${j}, arrow ${Buffer.from(b).toString('hex')}`);
            }
            return j === b64(b) ? null : diff(`idbpq ${show(j)}, arrow base64 ${show(b64(b))}`);
        }
        if (j instanceof JObj && b.length === 12) {
            const want = [le32(b, 0), le32(b, 4), le32(b, 8)];
            const got = ['months', 'days', 'millis'].map((k) => (j.get(k) instanceof RawNum ? Number(j.get(k).text) : NaN));
            return got.every((x, k) => x === want[k]) ? null : diff(`interval idbpq ${show(j)}, arrow ${want}`);
        }
        return diff(`binary: idbpq ${show(j)}, arrow ${show(b)}`);
    }
    case Type.Date: {
        const d = typeof j === 'string' ? parseDate(j) : null;
        if (d === null) return diff(`not a date: ${show(j)}`);
        const v = t.unit === 0 ? data.values[i] : Number(i64(data.values, i) / 86400000n);
        return d === v ? null : diff(`idbpq ${j}, arrow days ${v}`);
    }
    case Type.Time: {
        const tt = typeof j === 'string' ? parseTime(j) : null;
        if (!tt) return diff(`not a time: ${show(j)}`);
        const raw = t.bitWidth === 64 ? i64(data.values, i) : BigInt(data.values[i]);
        const per = UNIT_NS[t.unit];
        return floorDiv(tt.ns, per) === raw ? null : diff(`idbpq ${j}, arrow ${raw} (unit ${t.unit})`);
    }
    case Type.Timestamp: {
        const ts = typeof j === 'string' ? parseTimestamp(j) : null;
        if (!ts) return diff(`not a timestamp: ${show(j)}`);
        const raw = i64(data.values, i);
        const per = UNIT_NS[t.unit];
        if (floorDiv(ts.ns, per) !== raw) return diff(`idbpq ${j}, arrow ${raw} (unit ${t.unit})`);
        if (ts.z !== !!t.timezone) return diff(`idbpq ${j} ${ts.z ? 'has' : 'lacks'} "Z", arrow timezone ${t.timezone ?? 'none'}`);
        return null;
    }
    case Type.Interval: {
        if (!(j instanceof JObj)) return diff(`interval not an object: ${show(j)}`);
        return diff(`arrow interval layout not compared: idbpq ${show(j)}`);
    }
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: {
        if (!Array.isArray(j)) return diff(`not an array: idbpq ${show(j)}`);
        let a;
        let b;
        if (t.typeId === Type.FixedSizeList) { a = i * t.listSize; b = a + t.listSize; }
        else { a = Number(data.valueOffsets[i]); b = Number(data.valueOffsets[i + 1]); }
        if (b - a !== j.length) return diff(`list length idbpq ${j.length}, arrow ${b - a}: ${show(j)}`);
        const child = data.children[0];
        for (let k = 0; k < j.length; k++) {
            const r = compareArrow(child, a + k, j[k], `${where}[${k}]`);
            if (r) return r;
        }
        return null;
    }
    case Type.Struct: {
        if (!(j instanceof JObj)) return diff(`not an object: idbpq ${show(j)}`);
        const names = t.children.map((f) => f.name);
        if (names.length !== j.keys.length || names.some((n, k) => n !== j.keys[k])) {
            return diff(`fields idbpq [${j.keys.join(',')}], arrow [${names.join(',')}]`);
        }
        for (let k = 0; k < names.length; k++) {
            const r = compareArrow(data.children[k], i, j.vals[k], `${where}.${names[k]}`);
            if (r) return r;
        }
        return null;
    }
    case Type.Map: {
        const a = Number(data.valueOffsets[i]);
        const b = Number(data.valueOffsets[i + 1]);
        const ent = data.children[0];
        let pairs;
        if (j instanceof JObj) pairs = j.keys.map((k, n) => [k, j.vals[n]]);
        else if (Array.isArray(j)) pairs = j.map((e) => (e instanceof JObj ? [e.get('key'), e.get('value')] : [undefined, undefined]));
        else return diff(`map not an object or array: ${show(j)}`);
        if (pairs.length !== b - a) return diff(`map size idbpq ${pairs.length}, arrow ${b - a}`);
        for (let k = 0; k < pairs.length; k++) {
            let r = compareArrow(ent.children[0], a + k, pairs[k][0], `${where}{key ${k}}`);
            if (r) return r;
            if (ent.children[1]) {
                r = compareArrow(ent.children[1], a + k, pairs[k][1], `${where}{${show(pairs[k][0])}}`);
                if (r) return r;
            }
        }
        return null;
    }
    case Type.Dictionary: {
        const idx = Number(data.values[i]);
        const dict = data.dictionary.data[0];
        return compareArrow(dict, idx, j, where);
    }
    default:
        return diff(`arrow type ${t} not handled by the comparison: idbpq ${show(j)}`);
    }
}

/** Whole table against idbpq rows. */
export function compareArrowRows(table, idbRows, only = null) {
    if (table.numRows !== idbRows.length) return `row count: idbpq ${idbRows.length}, arrow ${table.numRows}`;
    const all = table.schema.fields.map((f) => f.name);
    const pick = all.map((n, k) => k).filter((k) => !only || only.includes(all[k]));
    const names = pick.map((k) => all[k]);
    let r = 0;
    for (const batch of table.batches) {
        const cols = batch.data.children;
        for (let i = 0; i < batch.numRows; i++, r++) {
            const j = idbRows[r];
            if (!(j instanceof JObj)) return `row ${r}: not an object`;
            if (j.keys.length !== names.length || names.some((n, k) => n !== j.keys[k])) {
                return `row ${r}: columns idbpq [${j.keys.join(',')}], arrow [${names.join(',')}]`;
            }
            for (let c = 0; c < names.length; c++) {
                const d = compareArrow(cols[pick[c]], i, j.vals[c], `row ${r} column ${names[c]}`);
                if (d) return d;
            }
        }
    }
    return null;
}
