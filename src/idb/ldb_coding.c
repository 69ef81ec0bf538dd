/*
 * ldb_coding.c — the primitive encodings of Chromium's IndexedDB LevelDB backend (Int,
 * VarInt, String, StringWithLength, Binary, Double, Bool, IDBKeyPath; indexeddb-on-disk.md
 * §1.3, §1.5, §1.6) and the values stored under data keys (§1.11: record, exists, index,
 * external-object list), blob journals (§1.7, §1.14) and blob file paths (§1.1).
 * Whole keys are in ldb_keys.c. Every decoder checks lengths against the bytes left before
 * using them; the only allocations are proportional to bytes actually present.
 */
#include "idb/ldb_coding.h"

#include <math.h>

/* ==== cursor ================================================================================ */

void idbpq__ldb_rd_init(struct idbpq__ldb_rd *r, const uint8_t *p, size_t n, idbpq_error *err)
{
    static const uint8_t none[1];
    if (!p) p = none, n = 0; /* so that p + 0 is never NULL + 0 */
    r->base = r->p = p;
    r->end = p + n;
    r->err = err;
}

idbpq_status idbpq__ldb_corrupt(struct idbpq__ldb_rd *r, const uint8_t *at, const char *what)
{
    return idbpq__verr(r->err, IDBPQ_CORRUPT, (uint64_t)(at - r->base), "leveldb coding: %s",
                       what);
}

/* Appends and, on failure, gives the status back (the caller restores the length). */
static idbpq_status put(idbpq_buffer *out, const void *p, size_t n)
{
    return idbpq__kbuf_append(out, p, n);
}

/* ==== Byte, Bool ============================================================================ */

idbpq_status idbpq__ldb_put_byte(idbpq_buffer *out, uint8_t v) { return put(out, &v, 1); }

idbpq_status idbpq__ldb_get_byte(struct idbpq__ldb_rd *r, uint8_t *v)
{
    if (r->p >= r->end) return idbpq__ldb_corrupt(r, r->p, "truncated: byte expected");
    *v = *r->p++;
    return IDBPQ_OK;
}

idbpq_status idbpq__ldb_put_bool(idbpq_buffer *out, int v) { return idbpq__ldb_put_byte(out, v != 0); }

idbpq_status idbpq__ldb_get_bool(struct idbpq__ldb_rd *r, int *v)
{
    uint8_t c = 0;
    IDBPQ__TRY(idbpq__ldb_get_byte(r, &c));
    *v = c != 0;
    return IDBPQ_OK;
}

/* ==== Int =================================================================================== */

unsigned idbpq__ldb_int_size(uint64_t v)
{
    unsigned n = 1;
    while (v >>= 8) n++;
    return n;
}

idbpq_status idbpq__ldb_put_int(idbpq_buffer *out, int64_t v)
{
    if (v < 0) return IDBPQ_INVALID_ARG;
    uint8_t b[8];
    uint64_t x = (uint64_t)v;
    unsigned n = idbpq__ldb_int_size(x);
    for (unsigned i = 0; i < n; i++) b[i] = (uint8_t)(x >> (8 * i));
    return put(out, b, n);
}

idbpq_status idbpq__ldb_get_int_n(struct idbpq__ldb_rd *r, unsigned n, int64_t *v)
{
    if (n < 1 || n > 8) return idbpq__ldb_corrupt(r, r->p, "Int wider than 8 bytes");
    if (idbpq__ldb_rd_left(r) < n) return idbpq__ldb_corrupt(r, r->p, "truncated Int");
    uint64_t x = 0;
    for (unsigned i = 0; i < n; i++) x |= (uint64_t)r->p[i] << (8 * i);
    if (x > (uint64_t)INT64_MAX) return idbpq__ldb_corrupt(r, r->p, "negative Int");
    r->p += n;
    *v = (int64_t)x;
    return IDBPQ_OK;
}

idbpq_status idbpq__ldb_get_int(struct idbpq__ldb_rd *r, int64_t *v)
{
    size_t n = idbpq__ldb_rd_left(r);
    if (n == 0) return idbpq__ldb_corrupt(r, r->p, "truncated: Int expected");
    if (n > 8) return idbpq__ldb_corrupt(r, r->p, "Int wider than 8 bytes");
    return idbpq__ldb_get_int_n(r, (unsigned)n, v);
}

/* ==== VarInt ================================================================================ */

idbpq_status idbpq__ldb_put_varint(idbpq_buffer *out, int64_t v)
{
    if (v < 0) return IDBPQ_INVALID_ARG;
    uint8_t b[10];
    size_t n = 0;
    uint64_t x = (uint64_t)v;
    do {
        b[n] = (uint8_t)(x & 0x7f);
        x >>= 7;
        if (x) b[n] |= 0x80;
        n++;
    } while (x);
    return put(out, b, n);
}

idbpq_status idbpq__ldb_get_varint_slow(struct idbpq__ldb_rd *r, int64_t *v)
{
    const uint8_t *at = r->p;
    uint64_t x;
    if (idbpq__read_uleb(&r->p, r->end, &x) != 0) {
        r->p = at;
        return idbpq__ldb_corrupt(r, at, "truncated or overlong VarInt");
    }
    if (x > (uint64_t)INT64_MAX) {
        r->p = at;
        return idbpq__ldb_corrupt(r, at, "negative VarInt");
    }
    *v = (int64_t)x;
    return IDBPQ_OK;
}

/* ==== Double ================================================================================ */

idbpq_status idbpq__ldb_put_double(idbpq_buffer *out, double v) { return put(out, &v, 8); }

idbpq_status idbpq__ldb_get_double(struct idbpq__ldb_rd *r, double *v)
{
    if (idbpq__ldb_rd_left(r) < 8) return idbpq__ldb_corrupt(r, r->p, "truncated Double");
    memcpy(v, r->p, 8);
    r->p += 8;
    return IDBPQ_OK;
}

/* ==== String, StringWithLength ============================================================== */

idbpq_status idbpq__ldb_put_string(idbpq_buffer *out, const idbpq_str *s)
{
    if (!s || (!s->data && s->len)) return IDBPQ_INVALID_ARG;
    uint8_t tmp[128];
    size_t k = 0;
    for (uint32_t i = 0; i < s->len; i++) {
        uint16_t u = idbpq__str_unit(s, i);
        tmp[k++] = (uint8_t)(u >> 8);
        tmp[k++] = (uint8_t)u;
        if (k == sizeof tmp) {
            IDBPQ__TRY(put(out, tmp, k));
            k = 0;
        }
    }
    return put(out, tmp, k);
}

idbpq_status idbpq__ldb_utf16be_to_str(idbpq_vbatch *b, struct idbpq__ldb_bytes be,
                                       idbpq_str *s)
{
    if (!b || (be.n & 1) || be.n / 2 > UINT32_MAX || (!be.p && be.n)) return IDBPQ_INVALID_ARG;
    size_t n = be.n / 2;
    uint16_t *u = idbpq__kalloc(b, n * 2);
    if (!u) return IDBPQ_NOMEM;
    for (size_t i = 0; i < n; i++) u[i] = (uint16_t)(be.p[2 * i] << 8 | be.p[2 * i + 1]);
    s->data = u;
    s->len = (uint32_t)n;
    s->two_byte = 1;
    return IDBPQ_OK;
}

static idbpq_status str_from(struct idbpq__ldb_rd *r, idbpq_vbatch *b, struct idbpq__ldb_bytes be,
                             idbpq_str *s)
{
    if (be.n / 2 > UINT32_MAX) return idbpq__ldb_corrupt(r, be.p, "string too long");
    idbpq_status st = idbpq__ldb_utf16be_to_str(b, be, s);
    if (st == IDBPQ_NOMEM)
        return idbpq__verr(r->err, st, (uint64_t)(be.p - r->base), "out of memory");
    return st;
}

idbpq_status idbpq__ldb_get_string(struct idbpq__ldb_rd *r, idbpq_vbatch *b, idbpq_str *s)
{
    struct idbpq__ldb_bytes be = {r->p, idbpq__ldb_rd_left(r)};
    if (be.n & 1) return idbpq__ldb_corrupt(r, r->p, "String of an odd number of bytes");
    IDBPQ__TRY(str_from(r, b, be, s));
    r->p = r->end;
    return IDBPQ_OK;
}

idbpq_status idbpq__ldb_put_string_with_length(idbpq_buffer *out, const idbpq_str *s)
{
    if (!s) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(idbpq__ldb_put_varint(out, s->len));
    return idbpq__ldb_put_string(out, s);
}

idbpq_status idbpq__ldb_get_swl_raw(struct idbpq__ldb_rd *r, struct idbpq__ldb_bytes *body)
{
    const uint8_t *at = r->p;
    int64_t n = 0;
    IDBPQ__TRY(idbpq__ldb_get_varint(r, &n));
    if ((uint64_t)n > idbpq__ldb_rd_left(r) / 2) {
        r->p = at;
        return idbpq__ldb_corrupt(r, at, "StringWithLength past the end");
    }
    body->p = r->p;
    body->n = 2 * (size_t)n;
    r->p += body->n;
    return IDBPQ_OK;
}

idbpq_status idbpq__ldb_get_string_with_length(struct idbpq__ldb_rd *r, idbpq_vbatch *b,
                                               idbpq_str *s)
{
    struct idbpq__ldb_bytes be;
    IDBPQ__TRY(idbpq__ldb_get_swl_raw(r, &be));
    return str_from(r, b, be, s);
}

/* ==== Binary ================================================================================ */

idbpq_status idbpq__ldb_put_binary(idbpq_buffer *out, const uint8_t *p, size_t n)
{
    if ((!p && n) || (uint64_t)n > (uint64_t)INT64_MAX) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(idbpq__ldb_put_varint(out, (int64_t)n));
    return put(out, p, n);
}

idbpq_status idbpq__ldb_get_binary(struct idbpq__ldb_rd *r, struct idbpq__ldb_bytes *v)
{
    const uint8_t *at = r->p;
    int64_t n = 0;
    IDBPQ__TRY(idbpq__ldb_get_varint(r, &n));
    if ((uint64_t)n > idbpq__ldb_rd_left(r)) {
        r->p = at;
        return idbpq__ldb_corrupt(r, at, "Binary past the end");
    }
    v->p = r->p;
    v->n = (size_t)n;
    r->p += n;
    return IDBPQ_OK;
}

/* ==== IDBKey (structure only) =============================================================== */

static idbpq_status idbkey_skip(struct idbpq__ldb_rd *r, int sentinels, unsigned depth)
{
    const uint8_t *at = r->p;
    int64_t n = 0;
    double d;
    if (depth > IDBPQ__KEY_MAX_DEPTH) return idbpq__ldb_corrupt(r, at, "key arrays nested too deep");
    if (r->p >= r->end) return idbpq__ldb_corrupt(r, at, "truncated: key type byte expected");
    switch (*r->p++) {
    case 0:
    case 5:
        if (sentinels) return IDBPQ_OK;
        return idbpq__ldb_corrupt(r, at, "range sentinel (max/min key) where a key is stored");
    case 1: {
        struct idbpq__ldb_bytes body;
        return idbpq__ldb_get_swl_raw(r, &body);
    }
    case 2:
    case 3:
        IDBPQ__TRY(idbpq__ldb_get_double(r, &d));
        if (isnan(d)) return idbpq__ldb_corrupt(r, at, "NaN is not a key");
        return IDBPQ_OK;
    case 4:
        IDBPQ__TRY(idbpq__ldb_get_varint(r, &n));
        if ((uint64_t)n > idbpq__ldb_rd_left(r)) return idbpq__ldb_corrupt(r, at, "array count past the end");
        while (n--) IDBPQ__TRY(idbkey_skip(r, sentinels, depth + 1));
        return IDBPQ_OK;
    case 6: {
        struct idbpq__ldb_bytes body;
        return idbpq__ldb_get_binary(r, &body);
    }
    default:
        return idbpq__ldb_corrupt(r, at, "unknown key type byte");
    }
}

idbpq_status idbpq__ldb_get_idbkey_raw(struct idbpq__ldb_rd *r, int allow_sentinels,
                                       struct idbpq__ldb_bytes *key)
{
    const uint8_t *at = r->p;
    idbpq_status st = idbkey_skip(r, allow_sentinels, 0);
    if (st != IDBPQ_OK) {
        r->p = at;
        return st;
    }
    key->p = at;
    key->n = (size_t)(r->p - at);
    return IDBPQ_OK;
}

/* ==== IDBKeyPath ============================================================================ */

/* UTF-8 of valid UTF-16 (surrogates paired) into b, NUL-terminated. */
static idbpq_status utf16be_to_utf8(struct idbpq__ldb_rd *r, idbpq_vbatch *b,
                                    struct idbpq__ldb_bytes be, const char **out)
{
    size_t n = be.n / 2;
    if (n > SIZE_MAX / 3 - 1) return idbpq__ldb_corrupt(r, be.p, "key path too long");
    char *s = idbpq__kalloc(b, 3 * n + 1); /* a unit gives at most 3 bytes; a pair gives 4 */
    if (!s) return idbpq__verr(r->err, IDBPQ_NOMEM, (uint64_t)(be.p - r->base), "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = (uint32_t)(be.p[2 * i] << 8 | be.p[2 * i + 1]);
        if (c >= 0xdc00 && c < 0xe000)
            return idbpq__ldb_corrupt(r, be.p + 2 * i, "lone surrogate in a key path");
        if (c >= 0xd800 && c < 0xdc00) {
            uint32_t lo = i + 1 < n ? (uint32_t)(be.p[2 * i + 2] << 8 | be.p[2 * i + 3]) : 0;
            if (lo < 0xdc00 || lo >= 0xe000)
                return idbpq__ldb_corrupt(r, be.p + 2 * i, "lone surrogate in a key path");
            c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
            i++;
        }
        if (c < 0x80) {
            s[k++] = (char)c;
        } else if (c < 0x800) {
            s[k++] = (char)(0xc0 | c >> 6);
            s[k++] = (char)(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            s[k++] = (char)(0xe0 | c >> 12);
            s[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
            s[k++] = (char)(0x80 | (c & 0x3f));
        } else {
            s[k++] = (char)(0xf0 | c >> 18);
            s[k++] = (char)(0x80 | ((c >> 12) & 0x3f));
            s[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
            s[k++] = (char)(0x80 | (c & 0x3f));
        }
    }
    s[k] = 0;
    *out = s;
    return IDBPQ_OK;
}

/* Strict UTF-8 → UTF-16 units; returns the unit count or -1 for invalid UTF-8. With u NULL
 * only counts. */
static long long utf8_to_utf16(const char *z, uint16_t *u)
{
    const uint8_t *s = (const uint8_t *)z;
    long long n = 0;
    while (*s) {
        uint32_t c = *s, min;
        int more;
        if (c < 0x80) more = 0, min = 0;
        else if ((c & 0xe0) == 0xc0) more = 1, c &= 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0) more = 2, c &= 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0) more = 3, c &= 0x07, min = 0x10000;
        else return -1;
        s++;
        for (int j = 0; j < more; j++, s++) {
            if ((*s & 0xc0) != 0x80) return -1;
            c = c << 6 | (*s & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000)) return -1;
        if (c >= 0x10000) {
            if (u) {
                u[n] = (uint16_t)(0xd800 + ((c - 0x10000) >> 10));
                u[n + 1] = (uint16_t)(0xdc00 + ((c - 0x10000) & 0x3ff));
            }
            n += 2;
        } else {
            if (u) u[n] = (uint16_t)c;
            n++;
        }
        if (n > (long long)UINT32_MAX) return -1;
    }
    return n;
}

static idbpq_status put_path_swl(idbpq_buffer *out, const char *z)
{
    if (!z) return IDBPQ_INVALID_ARG;
    long long n = utf8_to_utf16(z, NULL);
    if (n < 0) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(idbpq__ldb_put_varint(out, n));
    /* Convert in chunks through a small stack buffer: re-walk the UTF-8 per code point. */
    uint8_t tmp[128];
    size_t k = 0;
    const char *s = z;
    while (*s) {
        /* length of this UTF-8 sequence (already validated) */
        uint8_t c0 = (uint8_t)*s;
        size_t len = c0 < 0x80 ? 1 : c0 < 0xe0 ? 2 : c0 < 0xf0 ? 3 : 4;
        char one[5] = {0};
        memcpy(one, s, len);
        uint16_t u[2];
        long long m = utf8_to_utf16(one, u);
        for (long long j = 0; j < m; j++) {
            tmp[k++] = (uint8_t)(u[j] >> 8);
            tmp[k++] = (uint8_t)u[j];
        }
        if (k > sizeof tmp - 4) {
            IDBPQ__TRY(put(out, tmp, k));
            k = 0;
        }
        s += len;
    }
    return put(out, tmp, k);
}

idbpq_status idbpq__ldb_put_keypath(idbpq_buffer *out, const idbpq_keypath *kp)
{
    if (!kp || !out) return IDBPQ_INVALID_ARG;
    size_t mark = out->len;
    idbpq_status st = IDBPQ_INVALID_ARG;
    uint8_t head[3] = {0, 0, (uint8_t)kp->type};
    switch (kp->type) {
    case 0:
        st = put(out, head, 3);
        break;
    case 1:
        if (!kp->paths || kp->n != 1) break;
        if ((st = put(out, head, 3)) == IDBPQ_OK) st = put_path_swl(out, kp->paths[0]);
        break;
    case 2:
        if (!kp->paths && kp->n) break;
        if ((st = put(out, head, 3)) != IDBPQ_OK) break;
        if ((st = idbpq__ldb_put_varint(out, kp->n)) != IDBPQ_OK) break;
        for (uint32_t i = 0; i < kp->n && st == IDBPQ_OK; i++) st = put_path_swl(out, kp->paths[i]);
        break;
    default:
        break;
    }
    if (st != IDBPQ_OK) out->len = mark;
    return st;
}

idbpq_status idbpq__ldb_get_keypath(struct idbpq__ldb_rd *r, idbpq_vbatch *b, idbpq_keypath *kp)
{
    const uint8_t *at = r->p;
    size_t left = idbpq__ldb_rd_left(r);
    struct idbpq__ldb_bytes be;
    const char **paths;
    if (left < 3 || r->p[0] != 0 || r->p[1] != 0) {
        /* Legacy: the whole value is one String. */
        if (left & 1) return idbpq__ldb_corrupt(r, at, "legacy key path of an odd byte count");
        be.p = r->p;
        be.n = left;
        paths = idbpq__kalloc(b, sizeof *paths);
        if (!paths) return idbpq__verr(r->err, IDBPQ_NOMEM, (uint64_t)(at - r->base), "out of memory");
        IDBPQ__TRY(utf16be_to_utf8(r, b, be, &paths[0]));
        r->p = r->end;
        kp->type = 1;
        kp->n = 1;
        kp->paths = paths;
        return IDBPQ_OK;
    }
    uint8_t type = r->p[2];
    r->p += 3;
    int64_t count = 1;
    switch (type) {
    case 0:
        kp->type = 0;
        kp->n = 0;
        kp->paths = NULL;
        break;
    case 1:
    case 2:
        if (type == 2) {
            IDBPQ__TRY(idbpq__ldb_get_varint(r, &count));
            /* each path takes at least one byte (its VarInt count) */
            if ((uint64_t)count > idbpq__ldb_rd_left(r))
                return idbpq__ldb_corrupt(r, at + 3, "key path count past the end");
        }
        paths = idbpq__kalloc(b, (size_t)count * sizeof *paths);
        if (!paths) return idbpq__verr(r->err, IDBPQ_NOMEM, (uint64_t)(at - r->base), "out of memory");
        for (int64_t i = 0; i < count; i++) {
            IDBPQ__TRY(idbpq__ldb_get_swl_raw(r, &be));
            IDBPQ__TRY(utf16be_to_utf8(r, b, be, &paths[i]));
        }
        kp->type = type;
        kp->n = (uint32_t)count;
        kp->paths = paths;
        break;
    default:
        return idbpq__ldb_corrupt(r, at + 2, "unknown key path type");
    }
    if (r->p != r->end) return idbpq__ldb_corrupt(r, r->p, "bytes after the key path");
    return IDBPQ_OK;
}

/* ==== values of data keys =================================================================== */

idbpq_status idbpq__ldb_record_value(const uint8_t *p, size_t n, int64_t *version,
                                     struct idbpq__ldb_bytes *ssv, idbpq_error *err)
{
    struct idbpq__ldb_rd r;
    idbpq__ldb_rd_init(&r, p, n, err);
    IDBPQ__TRY(idbpq__ldb_get_varint(&r, version));
    ssv->p = r.p;
    ssv->n = idbpq__ldb_rd_left(&r);
    return IDBPQ_OK;
}

idbpq_status idbpq__ldb_exists_value(const uint8_t *p, size_t n, int64_t *version,
                                     idbpq_error *err)
{
    struct idbpq__ldb_rd r;
    idbpq__ldb_rd_init(&r, p, n, err);
    return idbpq__ldb_get_int(&r, version);
}

idbpq_status idbpq__ldb_index_value(const uint8_t *p, size_t n, int64_t *version,
                                    struct idbpq__ldb_bytes *primary, idbpq_error *err)
{
    struct idbpq__ldb_rd r;
    idbpq__ldb_rd_init(&r, p, n, err);
    IDBPQ__TRY(idbpq__ldb_get_varint(&r, version));
    return idbpq__ldb_get_idbkey_raw(&r, 0, primary);
}

/* One entry; with b NULL only checks (the counting pass). */
static idbpq_status xobj_one(struct idbpq__ldb_rd *r, idbpq_vbatch *b, struct idbpq__ldb_xobj *x)
{
    const uint8_t *at = r->p;
    struct idbpq__ldb_bytes be;
    memset(x, 0, sizeof *x);
    IDBPQ__TRY(idbpq__ldb_get_byte(r, &x->type));
    switch (x->type) {
    case IDBPQ__LDB_XO_BLOB:
    case IDBPQ__LDB_XO_FILE:
        at = r->p;
        IDBPQ__TRY(idbpq__ldb_get_varint(r, &x->blob_number));
        if (x->blob_number < IDBPQ__LDB_MIN_BLOB_NUMBER)
            return idbpq__ldb_corrupt(r, at, "blob number below 2");
        IDBPQ__TRY(idbpq__ldb_get_swl_raw(r, &be));
        if (b) IDBPQ__TRY(str_from(r, b, be, &x->mime));
        IDBPQ__TRY(idbpq__ldb_get_varint(r, &x->size));
        if (x->type == IDBPQ__LDB_XO_FILE) {
            IDBPQ__TRY(idbpq__ldb_get_swl_raw(r, &be));
            if (b) IDBPQ__TRY(str_from(r, b, be, &x->name));
            IDBPQ__TRY(idbpq__ldb_get_varint(r, &x->last_modified_us));
            x->last_modified_ms =
                (double)(x->last_modified_us - IDBPQ__LDB_WINDOWS_EPOCH_DELTA_US) / 1000.0;
        }
        return IDBPQ_OK;
    case IDBPQ__LDB_XO_FSA:
        IDBPQ__TRY(idbpq__ldb_get_binary(r, &be));
        if (b) {
            uint8_t *c = idbpq__kalloc(b, be.n);
            if (!c) return idbpq__verr(r->err, IDBPQ_NOMEM, (uint64_t)(be.p - r->base), "out of memory");
            if (be.n) memcpy(c, be.p, be.n);
            x->token.p = c;
            x->token.n = be.n;
        }
        return IDBPQ_OK;
    default:
        return idbpq__ldb_corrupt(r, at, "unknown external object type");
    }
}

idbpq_status idbpq__ldb_xobjs_decode(idbpq_vbatch *b, const uint8_t *p, size_t n,
                                     struct idbpq__ldb_xobj **out, size_t *count,
                                     idbpq_error *err)
{
    if (out) *out = NULL;
    if (count) *count = 0;
    if (!b || !out || !count || (!p && n))
        return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    struct idbpq__ldb_rd r;
    struct idbpq__ldb_xobj x;
    size_t c = 0;
    /* Pass 1 checks everything and counts, so the array is sized by entries present. */
    idbpq__ldb_rd_init(&r, p, n, err);
    while (r.p < r.end) {
        IDBPQ__TRY(xobj_one(&r, NULL, &x));
        c++;
    }
    if (!c) return IDBPQ_OK;
    struct idbpq__ldb_xobj *arr = idbpq__kalloc(b, c * sizeof *arr);
    if (!arr) return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    idbpq__ldb_rd_init(&r, p, n, err);
    for (size_t i = 0; i < c; i++) IDBPQ__TRY(xobj_one(&r, b, &arr[i]));
    *out = arr;
    *count = c;
    return IDBPQ_OK;
}

static idbpq_status xobjs_put(const struct idbpq__ldb_xobj *x, size_t n, idbpq_buffer *out)
{
    for (size_t i = 0; i < n; i++, x++) {
        IDBPQ__TRY(idbpq__ldb_put_byte(out, x->type));
        switch (x->type) {
        case IDBPQ__LDB_XO_BLOB:
        case IDBPQ__LDB_XO_FILE:
            if (x->blob_number < IDBPQ__LDB_MIN_BLOB_NUMBER || x->size < 0)
                return IDBPQ_INVALID_ARG;
            IDBPQ__TRY(idbpq__ldb_put_varint(out, x->blob_number));
            IDBPQ__TRY(idbpq__ldb_put_string_with_length(out, &x->mime));
            IDBPQ__TRY(idbpq__ldb_put_varint(out, x->size));
            if (x->type == IDBPQ__LDB_XO_FILE) {
                IDBPQ__TRY(idbpq__ldb_put_string_with_length(out, &x->name));
                IDBPQ__TRY(idbpq__ldb_put_varint(out, x->last_modified_us));
            }
            break;
        case IDBPQ__LDB_XO_FSA:
            IDBPQ__TRY(idbpq__ldb_put_binary(out, x->token.p, x->token.n));
            break;
        default:
            return IDBPQ_INVALID_ARG;
        }
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__ldb_xobjs_encode(const struct idbpq__ldb_xobj *x, size_t n,
                                     idbpq_buffer *out)
{
    if (!out || (!x && n)) return IDBPQ_INVALID_ARG;
    size_t mark = out->len;
    idbpq_status st = xobjs_put(x, n, out);
    if (st != IDBPQ_OK) out->len = mark;
    return st;
}

/* ==== blob journals and paths =============================================================== */

idbpq_status idbpq__ldb_journal_decode(idbpq_vbatch *b, const uint8_t *p, size_t n,
                                       struct idbpq__ldb_journal_entry **out, size_t *count,
                                       idbpq_error *err)
{
    if (out) *out = NULL;
    if (count) *count = 0;
    if (!b || !out || !count || (!p && n))
        return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    struct idbpq__ldb_rd r;
    size_t c = 0;
    for (int pass = 0; pass < 2; pass++) {
        struct idbpq__ldb_journal_entry *arr = NULL;
        if (pass == 1) {
            if (!c) return IDBPQ_OK;
            arr = idbpq__kalloc(b, c * sizeof *arr);
            if (!arr) return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
        }
        idbpq__ldb_rd_init(&r, p, n, err);
        size_t i = 0;
        while (r.p < r.end) {
            struct idbpq__ldb_journal_entry e;
            const uint8_t *at = r.p;
            IDBPQ__TRY(idbpq__ldb_get_varint(&r, &e.db_id));
            if (e.db_id < 1) return idbpq__ldb_corrupt(&r, at, "journal: database id 0");
            at = r.p;
            IDBPQ__TRY(idbpq__ldb_get_varint(&r, &e.blob_number));
            if (e.blob_number < 1) return idbpq__ldb_corrupt(&r, at, "journal: blob number 0");
            if (arr) arr[i] = e;
            i++;
        }
        c = i;
        if (arr) *out = arr;
    }
    *count = c;
    return IDBPQ_OK;
}

static size_t put_hex(char *o, uint64_t v, unsigned min_digits)
{
    char tmp[16];
    unsigned n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v || n < min_digits);
    for (unsigned i = 0; i < n; i++) o[i] = tmp[n - 1 - i];
    return n;
}

idbpq_status idbpq__ldb_blob_path(int64_t db, int64_t blob_number, char *out, size_t cap)
{
    if (!out || db < 1 || blob_number < 1 || cap < IDBPQ__LDB_BLOB_PATH_MAX)
        return IDBPQ_INVALID_ARG;
    /* file_path_util.cc GetBlobFileNameForKey: bits 8..15 of the number name the
     * sub-directory (not number >> 8, which differs from 65536 on). */
    size_t k = put_hex(out, (uint64_t)db, 1);
    out[k++] = '/';
    k += put_hex(out + k, ((uint64_t)blob_number & 0xff00) >> 8, 2);
    out[k++] = '/';
    k += put_hex(out + k, (uint64_t)blob_number, 1);
    out[k] = 0;
    return IDBPQ_OK;
}
