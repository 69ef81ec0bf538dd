// gen.mjs — app-shaped records as JSONL (one bare tagged-JSON value a line: `idbpq pack
// --values` input, and plain NDJSON for DuckDB apart from Dates, written {"$date":ms}).
//
//   node bench/mapping/gen.mjs OUT.jsonl KIND RECORDS [SEED]
//
// KIND:
//   flat    an events table: id, ts (Date), user_id, session, type, page, duration_ms,
//           value (double), ok (boolean), country — ten scalar fields, every record alike
//   nested  a CRM / chat store: id, name, email, createdAt (Date), score, company {name,
//           size, address {street, city, zip, country}}, tags [string], contacts [{type,
//           value}], messages [{from, at (Date), text, reactions [string]}]
//   hetero  what apps accumulate: id, kind, a `payload` of mixed types (number, string,
//           object, array, boolean), `value` number or numeric string or null, optional
//           fields (present 5-60 %), a `meta` object whose keys vary, an `extra` field that
//           is sometimes an array and sometimes an object
// Deterministic: the same arguments give the same bytes.
import fs from 'node:fs';

const [out, kind, nArg, seedArg] = process.argv.slice(2);
if (!out || !['flat', 'nested', 'hetero'].includes(kind)) {
    console.error('usage: node gen.mjs OUT.jsonl flat|nested|hetero RECORDS [SEED]');
    process.exit(2);
}
const N = Number(nArg || 1000000);
let s = Number(seedArg || 42) >>> 0;
const R = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n) => Math.floor(R() * n);
const pick = (a) => a[int(a.length)];
const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed',
    'do', 'eiusmod', 'tempor', 'incididunt', 'ut', 'labore', 'et', 'dolore', 'magna', 'aliqua',
    'enim', 'ad', 'minim', 'veniam', 'quis', 'nostrud', 'exercitation', 'ullamco', 'laboris',
    'nisi', 'aliquip', 'ex', 'ea', 'commodo', 'consequat', 'café', 'naïve', '日本', 'über'];
const words = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
const hex = (n) => { let r = ''; for (let i = 0; i < n; i++) r += '0123456789abcdef'[int(16)]; return r; };
const date = (ms) => ({ $date: ms });
const T0 = 1.69e12;
const COUNTRIES = ['US', 'DE', 'FR', 'JP', 'BR', 'IN', 'GB', 'CA', 'ES', 'IT', 'NL', 'SE'];
const TYPES = ['view', 'click', 'scroll', 'purchase', 'signup', 'login', 'logout', 'search'];
const PAGES = ['/', '/home', '/products', '/products/42', '/cart', '/checkout', '/account', '/search?q=shoes', '/blog/how-to'];
const CITIES = ['Berlin', 'Paris', 'Tokyo', 'São Paulo', 'Toronto', 'Madrid', 'Boston', 'Austin'];
const EMOJI = ['👍', '❤️', '😂', '🎉', '👀'];

function flat(i) {
    return {
        id: i + 1,
        ts: date(T0 + i * 997 + int(997)),
        user_id: int(200000),
        session: `${hex(8)}-${hex(4)}-${hex(4)}`,
        type: pick(TYPES),
        page: pick(PAGES),
        duration_ms: int(60000),
        value: Math.round(R() * 100000) / 100,
        ok: R() < 0.93,
        country: pick(COUNTRIES),
    };
}

function nested(i) {
    const nMsg = int(6);
    return {
        id: i + 1,
        name: `${pick(['Ann', 'Bob', 'Chloé', 'Dmitri', 'Eva', 'Farah', 'Gus', 'Hana'])} ${pick(['Smith', 'Müller', 'Tanaka', 'Silva', 'Khan', 'Novak'])}`,
        email: `user${i}@example.${pick(['com', 'org', 'de', 'jp'])}`,
        createdAt: date(T0 - int(3e10)),
        score: Math.round(R() * 1e4) / 100,
        company: {
            name: `${pick(['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'])} ${pick(['Inc', 'GmbH', 'KK', 'Ltda'])}`,
            size: int(5000),
            address: { street: `${int(999)} ${pick(WORDS)} street`, city: pick(CITIES), zip: String(10000 + int(89999)), country: pick(COUNTRIES) },
        },
        tags: Array.from({ length: int(4) }, () => pick(['vip', 'lead', 'churn-risk', 'beta', 'partner', 'new'])),
        contacts: Array.from({ length: 1 + int(3) }, () => (R() < 0.5
            ? { type: 'phone', value: `+${int(99)} ${int(999999999)}` }
            : { type: 'email', value: `${hex(6)}@mail.example` })),
        messages: Array.from({ length: nMsg }, (_, k) => ({
            from: R() < 0.5 ? 'agent' : 'customer',
            at: date(T0 + i * 1000 + k * 60000),
            text: words(3 + int(15)),
            reactions: Array.from({ length: int(3) }, () => pick(EMOJI)),
        })),
    };
}

function hetero(i) {
    const v = { id: i + 1, kind: pick(['note', 'task', 'event', 'contact', 'file']) };
    const r = R();
    v.payload = r < 0.35 ? int(1e6) : r < 0.6 ? words(1 + int(4)) : r < 0.8
        ? { title: words(2), done: R() < 0.5, n: int(100) }
        : r < 0.95 ? [int(10), int(10), words(1)] : R() < 0.5;
    const q = R();
    v.value = q < 0.5 ? Math.round(R() * 1e5) / 100 : q < 0.8 ? String(int(1e5)) : null;
    if (R() < 0.6) v.title = words(1 + int(5));
    if (R() < 0.3) v.due = date(T0 + int(1e10));
    if (R() < 0.2) v.priority = int(5);
    if (R() < 0.05) v.archived = true;
    if (R() < 0.4) {
        const meta = {};
        const n = int(4);
        for (let k = 0; k < n; k++) meta[pick(['source', 'device', 'app', 'version', 'lang', 'tz', 'ref'])] = R() < 0.7 ? words(1) : int(100);
        v.meta = meta;
    }
    if (R() < 0.25) v.extra = R() < 0.5 ? [words(1), int(9)] : { a: int(9), b: words(1) };
    return v;
}

const make = { flat, nested, hetero }[kind];
const fd = fs.openSync(out + '.tmp', 'w');
let buf = [];
let bytes = 0;
for (let i = 0; i < N; i++) {
    buf.push(JSON.stringify(make(i)));
    if (buf.length === 10000) {
        const chunk = buf.join('\n') + '\n';
        bytes += Buffer.byteLength(chunk);
        fs.writeSync(fd, chunk);
        buf = [];
    }
}
if (buf.length) {
    const chunk = buf.join('\n') + '\n';
    bytes += Buffer.byteLength(chunk);
    fs.writeSync(fd, chunk);
}
fs.closeSync(fd);
fs.renameSync(out + '.tmp', out);
console.error(`gen: ${out}: ${N} ${kind} records, ${bytes} bytes`);
