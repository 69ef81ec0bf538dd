/*
 * key_coding.c — Chromium's two byte codings of IndexedDB keys:
 *   - the LevelDB backend's IDBKey coding (indexeddb-on-disk.md §1.5; Chromium
 *     content/browser/indexed_db/indexed_db_leveldb_coding.cc EncodeIDBKey/DecodeIDBKey);
 *   - the SQLite backend's sortable coding (§4.3; EncodeSortableIDBKey), whose memcmp order
 *     is the key order.
 * Decoders take untrusted bytes: depth and counts are checked before anything is allocated.
 */
#include "idb/idb.h"
#include "idb/ldb_coding.h" /* VarInt writer */

#include <math.h>

/* LevelDB IDBKey type bytes (Chromium kIndexedDBKey*TypeByte). */
enum { LDB_NULL = 0, LDB_STRING = 1, LDB_DATE = 2, LDB_NUMBER = 3, LDB_ARRAY = 4, LDB_MIN = 5,
       LDB_BINARY = 6 };
/* Sortable type bytes (kOrdered*TypeByte), the sentinel that ends strings and arrays, and
 * the marker before each 8-byte group of a binary. The string and binary forms are those
 * Chromium 156 writes (checked on its files): variable-length string units and grouped
 * binaries, not the older "01 hi lo" / "01 b" padding of indexeddb-on-disk.md §4.3. */
enum { SRT_SENTINEL = 0x00, SRT_GROUP = 0x09, SRT_NUMBER = 0x10, SRT_DATE = 0x20,
       SRT_STRING = 0x30, SRT_BINARY = 0x40, SRT_ARRAY = 0x50 };

/* ==== LevelDB IDBKey coding ================================================================= */

static idbpq_status ldb_encode(const idbpq_key *k, idbpq_buffer *out, unsigned depth)
{
    /* Chromium's EncodeIDBKeyRecursively refuses recursion levels above kMaximumDepth. */
    if (depth > IDBPQ__KEY_MAX_DEPTH) return IDBPQ_INVALID_ARG;
    uint8_t t;
    switch (k->type) {
    case IDBPQ_KEY_NUMBER:
    case IDBPQ_KEY_DATE: {
        if (isnan(k->u.number)) return IDBPQ_INVALID_ARG;
        uint8_t b[9];
        b[0] = k->type == IDBPQ_KEY_NUMBER ? LDB_NUMBER : LDB_DATE;
        memcpy(b + 1, &k->u.number, 8); /* "Double": host order (little-endian here) */
        return idbpq__kbuf_append(out, b, 9);
    }
    case IDBPQ_KEY_STRING: {
        /* StringWithLength: VarInt count of UTF-16 code units, then the units big-endian. */
        t = LDB_STRING;
        IDBPQ__TRY(idbpq__kbuf_append(out, &t, 1));
        IDBPQ__TRY(idbpq__ldb_put_varint(out, k->u.str.len));
        for (uint32_t i = 0; i < k->u.str.len; i++) {
            uint16_t u = idbpq__str_unit(&k->u.str, i);
            uint8_t be[2] = {(uint8_t)(u >> 8), (uint8_t)u};
            IDBPQ__TRY(idbpq__kbuf_append(out, be, 2));
        }
        return IDBPQ_OK;
    }
    case IDBPQ_KEY_BINARY:
        t = LDB_BINARY;
        IDBPQ__TRY(idbpq__kbuf_append(out, &t, 1));
        IDBPQ__TRY(idbpq__ldb_put_varint(out, k->u.binary.len));
        return idbpq__kbuf_append(out, k->u.binary.bytes, k->u.binary.len);
    case IDBPQ_KEY_ARRAY:
        t = LDB_ARRAY;
        IDBPQ__TRY(idbpq__kbuf_append(out, &t, 1));
        IDBPQ__TRY(idbpq__ldb_put_varint(out, k->u.array.n));
        for (uint32_t i = 0; i < k->u.array.n; i++)
            IDBPQ__TRY(ldb_encode(&k->u.array.items[i], out, depth + 1));
        return IDBPQ_OK;
    }
    return IDBPQ_INVALID_ARG;
}

idbpq_status idbpq_key_encode_leveldb(const idbpq_key *k, idbpq_buffer *out)
{
    if (!k || !out) return IDBPQ_INVALID_ARG;
    size_t mark = out->len;
    idbpq_status st = ldb_encode(k, out, 0);
    if (st != IDBPQ_OK) out->len = mark; /* leave no half-written key behind */
    return st;
}

struct dec {
    idbpq_vbatch *b;
    const uint8_t *start, *p, *end;
    idbpq_error *err;
};

static idbpq_status corrupt(struct dec *d, const uint8_t *at, const char *what)
{
    return idbpq__verr(d->err, IDBPQ_CORRUPT, (uint64_t)(at - d->start), "key: %s", what);
}

/* A VarInt as Chromium writes it: LEB128, at most 10 bytes, minimal (so that re-encoding a
 * decoded key gives its bytes back). */
static idbpq_status get_varint(struct dec *d, uint64_t *v)
{
    const uint8_t *at = d->p;
    if (idbpq__read_uleb(&d->p, d->end, v) != 0) return corrupt(d, at, "truncated VarInt");
    if (d->p - at > 1 && d->p[-1] == 0) return corrupt(d, at, "non-minimal VarInt");
    return IDBPQ_OK;
}

static idbpq_status ldb_decode(struct dec *d, idbpq_key *k, unsigned depth)
{
    const uint8_t *at = d->p;
    if (depth > IDBPQ__KEY_MAX_DEPTH) return corrupt(d, at, "arrays nested too deep");
    if (d->p >= d->end) return corrupt(d, at, "truncated: type byte expected");
    uint8_t t = *d->p++;
    uint64_t n;
    switch (t) {
    case LDB_NUMBER:
    case LDB_DATE: {
        if (d->end - d->p < 8) return corrupt(d, at, "truncated double");
        double v;
        memcpy(&v, d->p, 8);
        if (isnan(v)) return corrupt(d, at, "NaN is not a key");
        d->p += 8;
        k->type = t == LDB_NUMBER ? IDBPQ_KEY_NUMBER : IDBPQ_KEY_DATE;
        k->u.number = v;
        return IDBPQ_OK;
    }
    case LDB_STRING: {
        IDBPQ__TRY(get_varint(d, &n));
        if (n > (uint64_t)(d->end - d->p) / 2 || n > UINT32_MAX)
            return corrupt(d, at, "string length past the end");
        uint16_t *u = idbpq__kalloc(d->b, (size_t)n * 2);
        if (!u) return IDBPQ_NOMEM;
        for (uint64_t i = 0; i < n; i++) u[i] = (uint16_t)(d->p[2 * i] << 8 | d->p[2 * i + 1]);
        d->p += 2 * n;
        k->type = IDBPQ_KEY_STRING;
        k->u.str.data = u;
        k->u.str.len = (uint32_t)n;
        k->u.str.two_byte = 1;
        return IDBPQ_OK;
    }
    case LDB_BINARY: {
        IDBPQ__TRY(get_varint(d, &n));
        if (n > (uint64_t)(d->end - d->p) || n > UINT32_MAX)
            return corrupt(d, at, "binary length past the end");
        uint8_t *c = idbpq__kalloc(d->b, (size_t)n);
        if (!c) return IDBPQ_NOMEM;
        if (n) memcpy(c, d->p, (size_t)n);
        d->p += n;
        k->type = IDBPQ_KEY_BINARY;
        k->u.binary.bytes = c;
        k->u.binary.len = (uint32_t)n;
        return IDBPQ_OK;
    }
    case LDB_ARRAY: {
        IDBPQ__TRY(get_varint(d, &n));
        /* Every item takes at least 2 bytes: refuse counts the input cannot hold. */
        if (n > (uint64_t)(d->end - d->p) / 2) return corrupt(d, at, "array count past the end");
        idbpq_key *items = idbpq__kalloc(d->b, (size_t)n * sizeof *items);
        if (!items) return IDBPQ_NOMEM;
        for (uint64_t i = 0; i < n; i++) IDBPQ__TRY(ldb_decode(d, &items[i], depth + 1));
        k->type = IDBPQ_KEY_ARRAY;
        k->u.array.items = items;
        k->u.array.n = (uint32_t)n;
        return IDBPQ_OK;
    }
    case LDB_NULL:
    case LDB_MIN:
        return corrupt(d, at, "range sentinel (max/min key) where a key is stored");
    default:
        return corrupt(d, at, "unknown key type byte");
    }
}

static idbpq_status decode_common(idbpq_vbatch *b, const uint8_t *p, size_t n, idbpq_key **out,
                                  size_t *used, idbpq_error *err, int sortable);

idbpq_status idbpq_key_decode_leveldb(idbpq_vbatch *b, const uint8_t *p, size_t n,
                                      idbpq_key **out, size_t *used, idbpq_error *err)
{
    return decode_common(b, p, n, out, used, err, 0);
}

/* ==== sortable coding ======================================================================= */

/* Doubles as 8 big-endian bytes whose unsigned order is numeric order: negative numbers get
 * every bit inverted, the others only the sign bit set. Chromium's EncodeSortableDouble also
 * sends -0 down the second path, where its sign bit is set anyway: ±0 both encode as
 * 80 00 00 00 00 00 00 00, so equal keys have equal bytes. 7F FF..FF (what -0 would give
 * through the first path) is never written, and the decoder refuses it. */
static uint64_t sortable_bits(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    if (signbit(v) && v != 0) return ~bits;
    return bits | 0x8000000000000000ull;
}

/* One UTF-16 unit of a sortable string, in 1-3 bytes whose memcmp order is the units' order
 * and never 00 (the sentinel): c < 7F as c + 1; 7F..3FFF as 8000 | c big-endian (80 7F ..
 * BF FF); 4000..FFFF as FF then c big-endian. */
static size_t srt_unit(uint16_t u, uint8_t c[3])
{
    if (u < 0x7f) {
        c[0] = (uint8_t)(u + 1);
        return 1;
    }
    if (u <= 0x3fff) {
        c[0] = (uint8_t)(0x80 | u >> 8);
        c[1] = (uint8_t)u;
        return 2;
    }
    c[0] = 0xff;
    c[1] = (uint8_t)(u >> 8);
    c[2] = (uint8_t)u;
    return 3;
}

static idbpq_status srt_encode(const idbpq_key *k, idbpq_buffer *out, unsigned depth)
{
    if (depth > IDBPQ__KEY_MAX_DEPTH) return IDBPQ_INVALID_ARG;
    uint8_t b[9];
    switch (k->type) {
    case IDBPQ_KEY_NUMBER:
    case IDBPQ_KEY_DATE: {
        if (isnan(k->u.number)) return IDBPQ_INVALID_ARG;
        uint64_t bits = sortable_bits(k->u.number);
        b[0] = k->type == IDBPQ_KEY_NUMBER ? SRT_NUMBER : SRT_DATE;
        for (int i = 0; i < 8; i++) b[1 + i] = (uint8_t)(bits >> (56 - 8 * i));
        return idbpq__kbuf_append(out, b, 9);
    }
    case IDBPQ_KEY_STRING:
        b[0] = SRT_STRING;
        IDBPQ__TRY(idbpq__kbuf_append(out, b, 1));
        for (uint32_t i = 0; i < k->u.str.len; i++) {
            uint8_t c[3];
            size_t n = srt_unit(idbpq__str_unit(&k->u.str, i), c);
            IDBPQ__TRY(idbpq__kbuf_append(out, c, n));
        }
        b[0] = SRT_SENTINEL;
        return idbpq__kbuf_append(out, b, 1);
    case IDBPQ_KEY_BINARY: {
        /* Groups of 8 bytes, each after a 09 marker, the last one zero-padded; then the count
         * of bytes of the last group (1..8), or a lone 00 for no bytes. */
        const uint8_t *bytes = k->u.binary.bytes;
        uint32_t len = k->u.binary.len;
        b[0] = SRT_BINARY;
        IDBPQ__TRY(idbpq__kbuf_append(out, b, 1));
        for (uint32_t at = 0; at < len; at += 8) {
            uint8_t g[9] = {SRT_GROUP};
            uint32_t take = len - at < 8 ? len - at : 8;
            memcpy(g + 1, bytes + at, take);
            IDBPQ__TRY(idbpq__kbuf_append(out, g, 9));
        }
        b[0] = len ? (uint8_t)(len - 8 * ((len - 1) / 8)) : 0;
        return idbpq__kbuf_append(out, b, 1);
    }
    case IDBPQ_KEY_ARRAY:
        b[0] = SRT_ARRAY;
        IDBPQ__TRY(idbpq__kbuf_append(out, b, 1));
        for (uint32_t i = 0; i < k->u.array.n; i++)
            IDBPQ__TRY(srt_encode(&k->u.array.items[i], out, depth + 1));
        b[0] = SRT_SENTINEL;
        return idbpq__kbuf_append(out, b, 1);
    }
    return IDBPQ_INVALID_ARG;
}

idbpq_status idbpq_key_encode_sortable(const idbpq_key *k, idbpq_buffer *out)
{
    if (!k || !out) return IDBPQ_INVALID_ARG;
    size_t mark = out->len;
    idbpq_status st = srt_encode(k, out, 0);
    if (st != IDBPQ_OK) out->len = mark;
    return st;
}

/* Reads one string unit at q (canonical forms only: another form of the same unit would
 * compare differently). Returns its length, 0 when malformed. */
static size_t srt_unit_read(const uint8_t *q, const uint8_t *end, uint16_t *u)
{
    if (*q < 0x80) {
        *u = (uint16_t)(*q - 1);
        return 1;
    }
    if (*q <= 0xbf) {
        if (end - q < 2) return 0;
        *u = (uint16_t)((q[0] & 0x3f) << 8 | q[1]);
        return *u >= 0x7f ? 2 : 0;
    }
    if (*q != 0xff || end - q < 3) return 0;
    *u = (uint16_t)(q[1] << 8 | q[2]);
    return *u >= 0x4000 ? 3 : 0;
}

/* Counts the units before the sentinel (nothing is allocated before the input is checked). */
static idbpq_status srt_count(struct dec *d, uint64_t *count)
{
    const uint8_t *q = d->p;
    uint64_t n = 0;
    for (;;) {
        if (q >= d->end) return corrupt(d, q, "truncated: no sentinel");
        if (*q == SRT_SENTINEL) break;
        uint16_t u;
        size_t w = srt_unit_read(q, d->end, &u);
        if (!w) return corrupt(d, q, "bad string unit");
        q += w;
        n++;
    }
    if (n > UINT32_MAX) return corrupt(d, d->p, "too long");
    *count = n;
    return IDBPQ_OK;
}

/* Checks a grouped binary and counts its bytes. */
static idbpq_status srt_binary_len(struct dec *d, uint64_t *len)
{
    const uint8_t *q = d->p;
    uint64_t groups = 0;
    for (;;) {
        if (q >= d->end) return corrupt(d, q, "truncated binary");
        if (*q != SRT_GROUP) break;
        if (d->end - q < 10) return corrupt(d, q, "truncated binary group");
        q += 9;
        groups++;
    }
    *len = 0;
    uint8_t last = *q;
    if (groups ? (last < 1 || last > 8) : last != 0) return corrupt(d, q, "bad binary length byte");
    for (unsigned i = last; groups && i < 8; i++)
        if (q[-8 + (int)i]) return corrupt(d, q - 8 + i, "binary padding is not zero");
    *len = groups ? 8 * (groups - 1) + last : 0;
    if (*len > UINT32_MAX) return corrupt(d, d->p, "too long");
    return IDBPQ_OK;
}

static idbpq_status srt_decode(struct dec *d, idbpq_key *k, unsigned depth)
{
    const uint8_t *at = d->p;
    if (depth > IDBPQ__KEY_MAX_DEPTH) return corrupt(d, at, "arrays nested too deep");
    if (d->p >= d->end) return corrupt(d, at, "truncated: type byte expected");
    uint8_t t = *d->p++;
    uint64_t n = 0;
    switch (t) {
    case SRT_NUMBER:
    case SRT_DATE: {
        if (d->end - d->p < 8) return corrupt(d, at, "truncated double");
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++) bits = bits << 8 | d->p[i];
        if (bits == 0x7fffffffffffffffull) return corrupt(d, at, "non-canonical -0");
        bits = (bits & 0x8000000000000000ull) ? bits ^ 0x8000000000000000ull : ~bits;
        double v;
        memcpy(&v, &bits, 8);
        if (isnan(v)) return corrupt(d, at, "NaN is not a key");
        d->p += 8;
        k->type = t == SRT_NUMBER ? IDBPQ_KEY_NUMBER : IDBPQ_KEY_DATE;
        k->u.number = v;
        return IDBPQ_OK;
    }
    case SRT_STRING: {
        IDBPQ__TRY(srt_count(d, &n));
        uint16_t *u = idbpq__kalloc(d->b, (size_t)n * 2);
        if (!u) return IDBPQ_NOMEM;
        for (uint64_t i = 0; i < n; i++) d->p += srt_unit_read(d->p, d->end, &u[i]);
        d->p++; /* sentinel */
        k->type = IDBPQ_KEY_STRING;
        k->u.str.data = u;
        k->u.str.len = (uint32_t)n;
        k->u.str.two_byte = 1;
        return IDBPQ_OK;
    }
    case SRT_BINARY: {
        IDBPQ__TRY(srt_binary_len(d, &n));
        uint8_t *c = idbpq__kalloc(d->b, (size_t)n);
        if (!c && n) return IDBPQ_NOMEM;
        for (uint64_t off = 0; off < n; off += 8, d->p += 9)
            memcpy(c + off, d->p + 1, n - off < 8 ? (size_t)(n - off) : 8);
        d->p++; /* the length byte */
        k->type = IDBPQ_KEY_BINARY;
        k->u.binary.bytes = c;
        k->u.binary.len = (uint32_t)n;
        return IDBPQ_OK;
    }
    case SRT_ARRAY: {
        /* The count is known only at the sentinel: grow the item array geometrically in the
         * batch (the abandoned copies are at most as large as the final one). Every item
         * takes at least 2 input bytes, so the total stays proportional to the input. */
        idbpq_key *items = NULL;
        uint32_t cap = 0;
        n = 0;
        for (;;) {
            if (d->p >= d->end) return corrupt(d, at, "truncated array: no sentinel");
            if (*d->p == SRT_SENTINEL) break;
            if (n == cap) {
                uint32_t ncap = cap ? cap * 2 : 4;
                if (cap >= UINT32_MAX / 2) return corrupt(d, d->p, "array too long");
                idbpq_key *ni = idbpq__kalloc(d->b, (size_t)ncap * sizeof *ni);
                if (!ni) return IDBPQ_NOMEM;
                if (n) memcpy(ni, items, (size_t)n * sizeof *ni);
                items = ni;
                cap = ncap;
            }
            IDBPQ__TRY(srt_decode(d, &items[n], depth + 1));
            n++;
        }
        d->p++;
        k->type = IDBPQ_KEY_ARRAY;
        k->u.array.items = items;
        k->u.array.n = (uint32_t)n;
        return IDBPQ_OK;
    }
    default:
        return corrupt(d, at, t == SRT_SENTINEL ? "sentinel where a key starts"
                                                 : "unknown sortable type byte");
    }
}

idbpq_status idbpq_key_decode_sortable(idbpq_vbatch *b, const uint8_t *p, size_t n,
                                       idbpq_key **out, size_t *used, idbpq_error *err)
{
    return decode_common(b, p, n, out, used, err, 1);
}

static idbpq_status decode_common(idbpq_vbatch *b, const uint8_t *p, size_t n, idbpq_key **out,
                                  size_t *used, idbpq_error *err, int sortable)
{
    if (out) *out = NULL;
    if (used) *used = 0;
    if (!b || (!p && n) || !out) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    struct dec d = {b, p, p, p + n, err};
    idbpq_key *k = idbpq__kalloc(b, sizeof *k);
    if (!k) return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    idbpq_status st = sortable ? srt_decode(&d, k, 0) : ldb_decode(&d, k, 0);
    if (st == IDBPQ_NOMEM) return idbpq__verr(err, st, (uint64_t)(d.p - p), "out of memory");
    if (st != IDBPQ_OK) return st;
    *out = k;
    if (used) *used = (size_t)(d.p - p);
    return IDBPQ_OK;
}
