// hyp.mjs — hyparquet (pure JS) as an oracle. Custom parsers keep timestamps and dates
// exact (hyparquet's defaults are millisecond Dates); unannotated binary stays bytes.
// hyparquet returns DECIMAL as a double: those are compared as doubles (exceptions.json).
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { RawNum, JObj, show, floatOf, sameFloat, parseDate, parseTime, parseTimestamp, b64 } from './lib.mjs';

class HTs { constructor(ns) { this.ns = ns; } toString() { return `ts(${this.ns}ns)`; } }
class HDate { constructor(days) { this.days = days; } toString() { return `date(${this.days})`; } }

const parsers = {
    timestampFromMilliseconds: (v) => new HTs(BigInt(v) * 1000000n),
    timestampFromMicroseconds: (v) => new HTs(BigInt(v) * 1000n),
    timestampFromNanoseconds: (v) => new HTs(BigInt(v)),
    dateFromDays: (d) => new HDate(Number(d)),
    stringFromBytes: (b) => (b == null ? b : Buffer.from(b).toString('utf8')),
    jsonFromBytes: (b) => (b == null ? b : Buffer.from(b).toString('utf8')),
    geometryFromBytes: (b) => b,
    geographyFromBytes: (b) => b,
};

export async function hypRead(bytes) {
    const u8 = new Uint8Array(bytes);
    const file = u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength);
    return parquetReadObjects({ file, compressors, parsers, utf8: false });
}

function closeDouble(a, b) {
    if (sameFloat(a, b)) return true;
    return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= Math.abs(b) * 2 ** -50;
}

export function compareHyp(h, j, where) {
    const diff = (why) => `${where}: ${why}`;
    const both = () => `idbpq ${show(j)}, hyparquet ${show(h)}`;
    if (h === null || h === undefined) return j === null ? null : diff(both());
    if (j === null) return diff(both());
    if (typeof h === 'boolean') return h === j ? null : diff(both());
    if ((typeof h === 'bigint' || typeof h === 'number') && typeof j === 'string' && parseTime(j)) {
        // TIME comes back as its raw integer: MILLIS (3 digits), MICROS (6) or NANOS (9).
        const t = parseTime(j);
        const per = t.digits === 3 ? 1000000n : t.digits === 6 ? 1000n : 1n;
        return BigInt(h) * per === t.ns ? null : diff(both());
    }
    if (typeof h === 'bigint') {
        if (!(j instanceof RawNum) || !/^-?\d+$/.test(j.text)) return diff(`not an integer: ${both()}`);
        return BigInt(j.text) === h ? null : diff(both());
    }
    if (typeof h === 'number') {
        if (j instanceof RawNum && /^-?\d+$/.test(j.text) && Number.isInteger(h) && BigInt(j.text) === BigInt(h)) return null;
        const g = floatOf(j);
        if (g === undefined) return diff(`not a number: ${both()}`);
        // FLOAT columns come back widened to double; DECIMAL as a double (see exceptions.json).
        return sameFloat(g, h) || sameFloat(Math.fround(g), h) || closeDouble(g, h) ? null : diff(both());
    }
    if (typeof h === 'string') return h === j ? null : diff(both());
    if (h instanceof Uint8Array) {
        if (typeof j !== 'string') return diff(`binary: ${both()}`);
        return j === b64(h) ? null : diff(`idbpq ${show(j)}, hyparquet base64 ${show(b64(h))}`);
    }
    if (h instanceof HTs) {
        const t = typeof j === 'string' ? parseTimestamp(j) : null;
        if (!t) return diff(`not a timestamp: ${both()}`);
        return t.ns === h.ns ? null : diff(both());
    }
    if (h instanceof HDate) {
        const d = typeof j === 'string' ? parseDate(j) : null;
        return d === h.days ? null : diff(both());
    }
    if (Array.isArray(h) || ArrayBuffer.isView(h)) {
        const arr = Array.from(h);
        if (!Array.isArray(j)) return diff(`not an array: ${both()}`);
        if (arr.length !== j.length) return diff(`list length idbpq ${j.length}, hyparquet ${arr.length}`);
        for (let k = 0; k < arr.length; k++) {
            const r = compareHyp(arr[k], j[k], `${where}[${k}]`);
            if (r) return r;
        }
        return null;
    }
    if (typeof h === 'object') {
        const hk = Object.keys(h);
        let pairs;
        if (j instanceof JObj) pairs = j.keys.map((k, n) => [k, j.vals[n]]);
        else if (Array.isArray(j)) {
            // A map with non-string keys: hyparquet makes an object keyed by String(key).
            pairs = j.map((e) => [e instanceof JObj ? e.get('key') : undefined, e instanceof JObj ? e.get('value') : undefined]);
            pairs = pairs.map(([k, v]) => [k instanceof RawNum ? k.text : typeof k === 'string' ? k : show(k), v]);
        } else return diff(`not an object: ${both()}`);
        // JS objects list integer-like keys first, in ascending order: hyparquet's maps lose
        // their entry order there, so keys are compared as sets and values by key.
        const sorted = (a) => [...a].sort().join('\u0000');
        if (pairs.length !== hk.length || sorted(pairs.map((p) => p[0])) !== sorted(hk)) {
            return diff(`keys idbpq [${pairs.map((p) => p[0]).join(',')}], hyparquet [${hk.join(',')}]`);
        }
        for (const [k, v] of pairs) {
            const r = compareHyp(h[k], v, `${where}.${k}`);
            if (r) return r;
        }
        return null;
    }
    return diff(`hyparquet value kind not handled: ${both()}`);
}

export function compareHypRows(rows, idbRows) {
    if (rows.length !== idbRows.length) return `row count: idbpq ${idbRows.length}, hyparquet ${rows.length}`;
    for (let r = 0; r < rows.length; r++) {
        const d = compareHyp(rows[r], idbRows[r], `row ${r}`);
        if (d) return d;
    }
    return null;
}
