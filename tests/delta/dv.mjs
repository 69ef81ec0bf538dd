// dv.mjs — a deletion vector decoder written from PROTOCOL.md "Deletion Vector Format", for
// the Delta read checks (read_check.mjs): Z85, the DV file (version byte, big-endian size,
// payload, big-endian CRC-32), and the RoaringBitmap portable 64-bit layout. Returns the set
// of deleted row indexes.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const ALPHA = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

export function z85(s) {
    const out = Buffer.alloc(s.length / 5 * 4);
    for (let i = 0; i < s.length; i += 5) {
        let v = 0;
        for (let k = 0; k < 5; k++) v = v * 85 + ALPHA.indexOf(s[i + k]);
        out.writeUInt32BE(v, i / 5 * 4);
    }
    return out;
}

function uuidText(b) {
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function roaring(buf) {
    if (buf.readUInt32LE(0) !== 1681511377) throw new Error('bad DV magic');
    let p = 4;
    const rows = new Set();
    const buckets = Number(buf.readBigUInt64LE(p));
    p += 8;
    for (let b = 0; b < buckets; b++) {
        const high = BigInt(buf.readUInt32LE(p));
        p += 4;
        const cookie = buf.readUInt32LE(p);
        p += 4;
        let n, runFlags = null;
        if ((cookie & 0xffff) === 12347) {
            n = (cookie >>> 16) + 1;
            runFlags = buf.subarray(p, p + Math.ceil(n / 8));
            p += Math.ceil(n / 8);
        } else {
            n = buf.readUInt32LE(p);
            p += 4;
        }
        const keys = [], cards = [];
        for (let i = 0; i < n; i++) {
            keys.push(buf.readUInt16LE(p));
            cards.push(buf.readUInt16LE(p + 2) + 1);
            p += 4;
        }
        if (!runFlags || n >= 4) p += 4 * n;
        for (let i = 0; i < n; i++) {
            const base = Number((high << 32n) | (BigInt(keys[i]) << 16n));
            if (runFlags && (runFlags[i >> 3] >> (i & 7)) & 1) {
                const runs = buf.readUInt16LE(p);
                p += 2;
                for (let r = 0; r < runs; r++) {
                    const s = buf.readUInt16LE(p), l = buf.readUInt16LE(p + 2);
                    p += 4;
                    for (let x = s; x <= s + l; x++) rows.add(base + x);
                }
            } else if (cards[i] > 4096) {
                for (let w = 0; w < 8192; w++)
                    for (let bit = 0; bit < 8; bit++) if ((buf[p + w] >> bit) & 1) rows.add(base + w * 8 + bit);
                p += 8192;
            } else {
                for (let k = 0; k < cards[i]; k++) rows.add(base + buf.readUInt16LE(p + 2 * k));
                p += 2 * cards[i];
            }
        }
    }
    return rows;
}

export function decodeDv(tableDir, dv) {
    let payload;
    if (dv.storageType === 'i') {
        payload = z85(dv.pathOrInlineDv).subarray(0, Number(dv.sizeInBytes));
    } else if (dv.storageType === 'u') {
        const s = dv.pathOrInlineDv;
        const prefix = s.slice(0, s.length - 20);
        const file = path.join(tableDir, prefix, `deletion_vector_${uuidText(z85(s.slice(-20)))}.bin`);
        const b = fs.readFileSync(file);
        const off = dv.offset ?? 1;
        const size = b.readUInt32BE(off);
        payload = b.subarray(off + 4, off + 4 + size);
        if (zlib.crc32 && (zlib.crc32(payload) >>> 0) !== b.readUInt32BE(off + 4 + size)) throw new Error('DV CRC');
    } else {
        throw new Error(`DV storage ${dv.storageType}`);
    }
    const rows = roaring(payload);
    if (rows.size !== Number(dv.cardinality)) throw new Error(`DV cardinality ${rows.size} != ${dv.cardinality}`);
    return rows;
}
