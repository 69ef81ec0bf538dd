/*
 * variant_decode.c — Parquet VARIANT bytes (VariantEncoding.md) into JavaScript values, with
 * the reading conventions of variant.h.
 *
 * Input is untrusted: every count, offset and length is checked against the bytes it points
 * into before use, and messages give the byte offset. Values may share bytes: nothing in the
 * format stops two offsets from pointing at one value, and a few hundred bytes of nested
 * arrays whose elements all point at the same child would expand exponentially. So every
 * value decoded pays for the bytes it occupies itself (a container its header, ids and
 * offsets) out of a budget of the value's size: a layout without overlap never runs out, and
 * what is built stays proportional to the input.
 */
#include "mapping/variant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define VAR_MAX_DEPTH 1000u

struct dec {
    idbpq_vbatch *b;
    uint32_t flags;
    struct idbpq__err *err;
    /* metadata */
    const uint8_t *m;
    size_t m_len;
    uint32_t n_dict;
    unsigned m_w;              /* offset width */
    size_t m_offs, m_str;      /* where the offsets and the strings start */
    idbpq_value **keys;        /* dictionary strings decoded so far */
    /* value */
    const uint8_t *v;
    size_t v_len;
    uint64_t budget;
};

static uint64_t rd_le(const uint8_t *p, unsigned n)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < n; i++) x |= (uint64_t)p[i] << (8 * i);
    return x;
}

static idbpq_status bad(struct dec *d, size_t at, const char *fmt, ...) IDBPQ__PRINTF(3, 4);
static idbpq_status bad(struct dec *d, size_t at, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return idbpq__fail(d->err, IDBPQ_CORRUPT, "VARIANT value, byte %zu: %s", at, msg);
}

static idbpq_status bad_meta(struct dec *d, size_t at, const char *what)
{
    return idbpq__fail(d->err, IDBPQ_CORRUPT, "VARIANT metadata, byte %zu: %s", at, what);
}

static idbpq_status nomem(struct dec *d)
{
    return idbpq__fail(d->err, IDBPQ_NOMEM, "out of memory decoding a VARIANT");
}

static idbpq_value *new_value(struct dec *d, idbpq_vtype t)
{
    return idbpq_value_new(d->b, t);
}

/* ---- metadata ------------------------------------------------------------------------------ */

static idbpq_status parse_meta(struct dec *d, const uint8_t *m, size_t len)
{
    d->m = m;
    d->m_len = len;
    if (len < 1) return bad_meta(d, 0, "empty (a header byte is needed)");
    unsigned version = m[0] & 0x0f;
    if (version != 1)
        return idbpq__fail(d->err, version > 1 ? IDBPQ_UNSUPPORTED : IDBPQ_CORRUPT,
                           "VARIANT metadata, byte 0: version %u (only 1 is known)", version);
    unsigned w = (m[0] >> 6) + 1;
    if (len < 1 + (size_t)w) return bad_meta(d, 1, "truncated dictionary size");
    d->m_w = w;
    d->n_dict = (uint32_t)rd_le(m + 1, w);
    d->m_offs = 1 + w;
    uint64_t str = 1 + w + ((uint64_t)d->n_dict + 1) * w;
    if (str > len) return bad_meta(d, d->m_offs, "the dictionary's offsets run past the end");
    d->m_str = (size_t)str;
    if (rd_le(m + d->m_offs, w) != 0) return bad_meta(d, d->m_offs, "the first offset is not 0");
    uint64_t last = rd_le(m + d->m_offs + (size_t)d->n_dict * w, w);
    if (str + last != len)
        return bad_meta(d, d->m_offs + (size_t)d->n_dict * w,
                        str + last > len ? "the strings run past the end"
                                         : "bytes left over after the strings");
    return IDBPQ_OK;
}

/* Dictionary string `id`'s bytes; `at` is the value byte that named it. */
static idbpq_status dict_string(struct dec *d, uint64_t id, size_t at, const uint8_t **p,
                                uint32_t *n)
{
    if (id >= d->n_dict)
        return bad(d, at, "field id %llu is not in the dictionary (%u strings)",
                   (unsigned long long)id, d->n_dict);
    size_t o = d->m_offs + (size_t)id * d->m_w;
    uint64_t a = rd_le(d->m + o, d->m_w), z = rd_le(d->m + o + d->m_w, d->m_w);
    if (a > z || d->m_str + z > d->m_len)
        return bad_meta(d, o, "a dictionary string's offsets are out of order");
    *p = d->m + d->m_str + a;
    *n = (uint32_t)(z - a);
    return IDBPQ_OK;
}

/* ---- strings ------------------------------------------------------------------------------- */

/* A string value in the narrowest form (Latin-1 when every code point is below 256). */
static idbpq_status utf8_value(struct dec *d, const uint8_t *s, uint32_t n, size_t at,
                               int is_meta, idbpq_value **out)
{
    size_t bad_at;
    int r = idbpq__value_utf8_strict(d->b, s, n, out, &bad_at);
    if (r < 0) return nomem(d);
    if (r > 0) {
        if (is_meta) return bad_meta(d, at + bad_at, "a dictionary string is not UTF-8");
        return bad(d, at + bad_at, "a string is not UTF-8");
    }
    return IDBPQ_OK;
}

/* Property key for dictionary string `id`, decoded once per call. Names that are array
 * indices become NUMBER keys, as V8 gives them. */
static idbpq_status key_value(struct dec *d, uint64_t id, size_t at, idbpq_value **out)
{
    const uint8_t *p;
    uint32_t n;
    IDBPQ__TRY(dict_string(d, id, at, &p, &n));
    if (!d->keys) {
        d->keys = idbpq__calloc(d->b->alc, (size_t)d->n_dict * sizeof *d->keys);
        if (!d->keys) return nomem(d);
    }
    if (d->keys[id]) {
        *out = d->keys[id];
        return IDBPQ_OK;
    }
    idbpq_value *k;
    IDBPQ__TRY(utf8_value(d, p, n, (size_t)(p - d->m), 1, &k));
    uint32_t index;
    if (idbpq__name_index(&k->u.str, &index)) {
        k = idbpq_value_number(d->b, index);
        if (!k) return nomem(d);
    }
    *out = d->keys[id] = k;
    return IDBPQ_OK;
}

/* ---- numbers ------------------------------------------------------------------------------- */

static idbpq_status bigint_value(struct dec *d, int neg, uint64_t hi, uint64_t lo,
                                 idbpq_value **out)
{
    idbpq_value *v = new_value(d, IDBPQ_V_BIGINT);
    uint8_t *dig = idbpq_vbatch_alloc(d->b, 16);
    if (!v || !dig) return nomem(d);
    uint32_t n = 0;
    for (unsigned i = 0; i < 16; i++) {
        dig[i] = (uint8_t)((i < 8 ? lo : hi) >> (8 * (i & 7)));
        if (dig[i]) n = i + 1;
    }
    v->u.bigint.digits = dig;
    v->u.bigint.len = n;
    v->u.bigint.negative = neg && n;
    *out = v;
    return IDBPQ_OK;
}

static idbpq_status int64_value(struct dec *d, int64_t x, idbpq_value **out)
{
    const int64_t lim = (int64_t)1 << 53;
    if (!(d->flags & IDBPQ__VAR_INT64_BIGINT) && x >= -lim && x <= lim) {
        *out = idbpq_value_number(d->b, (double)x);
        return *out ? IDBPQ_OK : nomem(d);
    }
    return bigint_value(d, x < 0, 0, x < 0 ? 0 - (uint64_t)x : (uint64_t)x, out);
}

/* Decimal digits of a 128-bit magnitude; out needs 40 bytes. */
static size_t mag_digits(uint64_t hi, uint64_t lo, char *out)
{
    uint32_t w[4] = {(uint32_t)(hi >> 32), (uint32_t)hi, (uint32_t)(lo >> 32), (uint32_t)lo};
    char t[40];
    size_t n = 0;
    do {
        uint64_t r = 0;
        for (int k = 0; k < 4; k++) {
            uint64_t cur = r << 32 | w[k];
            w[k] = (uint32_t)(cur / 10);
            r = cur % 10;
        }
        t[n++] = (char)('0' + r);
    } while (w[0] | w[1] | w[2] | w[3]);
    for (size_t i = 0; i < n; i++) out[i] = t[n - 1 - i];
    out[n] = 0;
    return n;
}

/* Significant digits and exponent of a number's text ("0.00120" -> "12", -4). */
static void sig_digits(const char *s, char *dig, long *exp)
{
    size_t n = 0;
    long e = 0, frac = 0;
    int seen_point = 0;
    for (; *s && *s != 'e'; s++) {
        if (*s == '.') seen_point = 1;
        else if (*s >= '0' && *s <= '9') {
            if (n || *s != '0') dig[n++] = *s;
            frac += seen_point;
        }
    }
    if (*s == 'e') e = strtol(s + 1, NULL, 10);
    e -= frac;
    while (n > 0 && dig[n - 1] == '0') n--, e++;
    dig[n] = 0;
    *exp = e;
}

/* Whether mag / 10^scale is a double that JavaScript prints as the same decimal. Only small
 * cases are tried: mag and 10^scale are then exact doubles and one division rounds
 * correctly; anything else is left to the string form. */
static int decimal_number(uint64_t mag, unsigned scale, double *out)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (mag > (uint64_t)1 << 53 || scale > 22) return 0;
    double x = (double)mag / p10[scale];
    char want[24], num[40], got[40];
    snprintf(want, sizeof want, "%llu", (unsigned long long)mag);
    long e_want, e_got;
    sig_digits(want, want, &e_want);
    e_want -= (long)scale;
    idbpq__fmt_number(num, x);
    sig_digits(num, got, &e_got);
    if (strcmp(want, got) != 0 || (want[0] && e_want != e_got)) return 0;
    *out = x;
    return 1;
}

static idbpq_status decimal_value(struct dec *d, int neg, uint64_t hi, uint64_t lo,
                                  unsigned scale, size_t at, idbpq_value **out)
{
    if (scale > 38) return bad(d, at, "decimal scale %u is above 38", scale);
    /* The spec's decimals have at most 38 digits, as the encoder's BigInts do. */
    if (hi > 0x4b3b4ca85a86c47aull || (hi == 0x4b3b4ca85a86c47aull && lo >= 0x098a224000000000ull))
        return bad(d, at, "a decimal of more than 38 digits");
    if (scale == 0 && (d->flags & IDBPQ__VAR_DECIMAL_BIGINT))
        return bigint_value(d, neg, hi, lo, out);
    double x;
    if (!(d->flags & IDBPQ__VAR_DECIMAL_STRING) && !hi && decimal_number(lo, scale, &x)) {
        *out = idbpq_value_number(d->b, neg && x != 0 ? -x : x);
        return *out ? IDBPQ_OK : nomem(d);
    }
    char dig[40], t[96];
    size_t n = mag_digits(hi, lo, dig), o = 0;
    if (neg && (hi || lo)) t[o++] = '-';
    if (n > scale) {
        memcpy(t + o, dig, n - scale);
        o += n - scale;
    } else {
        t[o++] = '0';
    }
    if (scale) {
        t[o++] = '.';
        for (size_t i = n; i < scale; i++) t[o++] = '0';
        size_t k = n > scale ? scale : n;
        memcpy(t + o, dig + n - k, k);
        o += k;
    }
    *out = idbpq__value_latin1(d->b, (const uint8_t *)t, (uint32_t)o);
    return *out ? IDBPQ_OK : nomem(d);
}

/* A Date from ms, as `new Date(ms)` would make it: outside ±8.64e15 it is invalid. */
static idbpq_status date_value(struct dec *d, double ms, idbpq_value **out)
{
    idbpq_value *v = new_value(d, IDBPQ_V_DATE);
    if (!v) return nomem(d);
    v->u.number = fabs(ms) <= 8.64e15 ? ms + 0.0 : NAN;
    *out = v;
    return IDBPQ_OK;
}

static int64_t floor_div(int64_t x, int64_t y)
{
    int64_t q = x / y;
    return q - (x % y < 0);
}

/* ---- primitives ------------------------------------------------------------------------------ */

static idbpq_status binary_value(struct dec *d, const uint8_t *p, uint32_t n, idbpq_value **out)
{
    idbpq_value *buf = new_value(d, IDBPQ_V_ARRAY_BUFFER);
    if (!buf) return nomem(d);
    if (n) {
        uint8_t *c = idbpq_vbatch_alloc(d->b, n);
        if (!c) return nomem(d);
        memcpy(c, p, n);
        buf->u.buffer.bytes = c;
    }
    buf->u.buffer.len = buf->u.buffer.max_len = n;
    if (!(d->flags & IDBPQ__VAR_UINT8ARRAY)) {
        *out = buf;
        return IDBPQ_OK;
    }
    idbpq_value *view = new_value(d, IDBPQ_V_VIEW);
    if (!view) return nomem(d);
    view->u.view.buffer = buf;
    view->u.view.kind = IDBPQ_VIEW_UINT8;
    view->u.view.length = n;
    *out = view;
    return IDBPQ_OK;
}

static idbpq_status uuid_value(struct dec *d, const uint8_t *p, idbpq_value **out)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t t[36];
    size_t o = 0;
    for (unsigned i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) t[o++] = '-';
        t[o++] = (uint8_t)hex[p[i] >> 4];
        t[o++] = (uint8_t)hex[p[i] & 15];
    }
    *out = idbpq__value_latin1(d->b, t, 36);
    return *out ? IDBPQ_OK : nomem(d);
}

static idbpq_status spend(struct dec *d, size_t at, uint64_t n)
{
    if (n > d->budget) return bad(d, at, "values overlap (more value bytes than the value has)");
    d->budget -= n;
    return IDBPQ_OK;
}

/* Fixed sizes after the header byte, by primitive type id; strings and binaries add theirs. */
static const uint8_t prim_size[21] = {0, 0, 0, 1, 2, 4, 8, 8, 5, 9, 17, 4, 8, 8, 4, 4, 4, 8, 8, 8, 16};

static idbpq_status primitive(struct dec *d, size_t at, size_t limit, size_t *end, idbpq_value **out)
{
    const unsigned type = d->v[at] >> 2;
    if (type > 20)
        return idbpq__fail(d->err, IDBPQ_UNSUPPORTED, "VARIANT value, byte %zu: primitive type %u is unknown", at, type);
    const uint8_t *p = d->v + at + 1;
    uint64_t size = 1 + (uint64_t)prim_size[type];
    if (at + size > limit) return bad(d, at, "primitive type %u runs past the end", type);
    uint32_t n = 0;
    if (type == 15 || type == 16) {
        n = (uint32_t)rd_le(p, 4);
        size += n;
        if (at + size > limit)
            return bad(d, at, "a %s of %u bytes runs past the end", type == 15 ? "binary" : "string", n);
        p += 4;
    }
    IDBPQ__TRY(spend(d, at, size));
    *end = at + (size_t)size;
    idbpq_value *v = NULL;
    int64_t x;
    uint64_t lo, hi;
    switch (type) {
    case 0: v = new_value(d, IDBPQ_V_NULL); break;
    case 1: case 2:
        if ((v = new_value(d, IDBPQ_V_BOOLEAN))) v->u.boolean = type == 1;
        break;
    case 3: v = idbpq_value_number(d->b, (int8_t)p[0]); break;
    case 4: v = idbpq_value_number(d->b, (int16_t)rd_le(p, 2)); break;
    case 5: v = idbpq_value_number(d->b, (int32_t)rd_le(p, 4)); break;
    case 6: return int64_value(d, (int64_t)rd_le(p, 8), out);
    case 7: {
        double f;
        memcpy(&f, p, 8);
        v = idbpq_value_number(d->b, f);
        break;
    }
    case 14: {
        float f;
        memcpy(&f, p, 4);
        v = idbpq_value_number(d->b, f);
        break;
    }
    case 8: case 9: case 10:
        x = type == 8 ? (int32_t)rd_le(p + 1, 4) : (int64_t)rd_le(p + 1, 8);
        lo = type == 10 ? rd_le(p + 1, 8) : (uint64_t)x;
        hi = type == 10 ? rd_le(p + 9, 8) : (uint64_t)(x >> 63);
        if (hi >> 63) {
            lo = ~lo + 1;
            hi = ~hi + (lo == 0);
            return decimal_value(d, 1, hi, lo, p[0], at, out);
        }
        return decimal_value(d, 0, hi, lo, p[0], at, out);
    case 11: return date_value(d, (int32_t)rd_le(p, 4) * 86400000.0, out);
    case 12: case 13:
        return date_value(d, (double)floor_div((int64_t)rd_le(p, 8), 1000), out);
    case 18: case 19:
        return date_value(d, (double)floor_div((int64_t)rd_le(p, 8), 1000000), out);
    case 17: v = idbpq_value_number(d->b, (double)(int64_t)rd_le(p, 8) / 1000.0); break;
    case 15: return binary_value(d, p, n, out);
    case 16: return utf8_value(d, p, n, (size_t)(p - d->v), 0, out);
    case 20: return uuid_value(d, p, out);
    default: break;
    }
    if (!v) return nomem(d);
    *out = v;
    return IDBPQ_OK;
}

/* ---- objects and arrays ------------------------------------------------------------------------ */

static idbpq_status value_at(struct dec *d, size_t at, size_t limit, uint32_t depth, size_t *end,
                             idbpq_value **out);

/* The layout shared by objects and arrays: counts, ids, offsets and where the values lie. */
struct layout {
    uint32_t n;
    unsigned idw, offw;
    size_t ids, offs, fields, end;
};

static idbpq_status container_layout(struct dec *d, size_t at, size_t limit, int obj,
                                     struct layout *l)
{
    const unsigned h = d->v[at] >> 2;
    const unsigned nw = (h >> (obj ? 4 : 2)) & 1 ? 4 : 1;
    l->offw = (h & 3) + 1;
    l->idw = obj ? ((h >> 2) & 3) + 1 : 0;
    if (limit - at - 1 < nw) return bad(d, at, "truncated element count");
    l->n = (uint32_t)rd_le(d->v + at + 1, nw);
    l->ids = at + 1 + nw;
    uint64_t offs = l->ids + (uint64_t)l->n * l->idw;
    uint64_t fields = offs + ((uint64_t)l->n + 1) * l->offw;
    if (fields > limit)
        return bad(d, at, "the ids and offsets of %u %s run past the end", l->n,
                   obj ? "fields" : "elements");
    l->offs = (size_t)offs;
    l->fields = (size_t)fields;
    uint64_t total = rd_le(d->v + l->offs + (size_t)l->n * l->offw, l->offw);
    if (fields + total > limit)
        return bad(d, l->offs + (size_t)l->n * l->offw, "the values (%llu bytes) run past the end",
                   (unsigned long long)total);
    l->end = (size_t)(fields + total);
    return spend(d, at, fields - at);
}

/* Offset of child i, checked to leave room for its header byte. */
static idbpq_status child_offset(struct dec *d, const struct layout *l, uint32_t i, size_t *off)
{
    size_t o = l->offs + (size_t)i * l->offw;
    uint64_t x = rd_le(d->v + o, l->offw);
    if (l->fields + x >= l->end) return bad(d, o, "offset %llu is past the values", (unsigned long long)x);
    *off = (size_t)x;
    return IDBPQ_OK;
}

static idbpq_status depth_ok(struct dec *d, size_t at, uint32_t depth)
{
    if (depth + 1 <= VAR_MAX_DEPTH) return IDBPQ_OK;
    return idbpq__fail(d->err, IDBPQ_LIMIT, "VARIANT value, byte %zu: nesting deeper than %u", at,
                       VAR_MAX_DEPTH);
}

static idbpq_status array_at(struct dec *d, size_t at, size_t limit, uint32_t depth, size_t *end,
                             idbpq_value **out)
{
    struct layout l;
    IDBPQ__TRY(container_layout(d, at, limit, 0, &l));
    if (l.n) IDBPQ__TRY(depth_ok(d, at, depth));
    idbpq_value *v = new_value(d, IDBPQ_V_ARRAY);
    idbpq_value **items = l.n ? idbpq_vbatch_alloc(d->b, (size_t)l.n * sizeof *items) : NULL;
    if (!v || (l.n && !items)) return nomem(d);
    for (uint32_t i = 0; i < l.n; i++) {
        size_t off, e;
        IDBPQ__TRY(child_offset(d, &l, i, &off));
        IDBPQ__TRY(value_at(d, l.fields + off, l.end, depth + 1, &e, &items[i]));
    }
    v->u.array.items = items;
    v->u.array.length = l.n;
    *end = l.end;
    *out = v;
    return IDBPQ_OK;
}

struct order {
    uint32_t off, i;
};

static int order_cmp(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* The spec wants field names in byte order, which makes duplicates neighbours. */
static idbpq_status check_names(struct dec *d, const struct layout *l)
{
    const uint8_t *prev = NULL;
    uint32_t prev_n = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        size_t at = l->ids + (size_t)i * l->idw;
        const uint8_t *p;
        uint32_t n;
        IDBPQ__TRY(dict_string(d, rd_le(d->v + at, l->idw), at, &p, &n));
        if (i) {
            uint32_t k = n < prev_n ? n : prev_n;
            int c = k ? memcmp(prev, p, k) : 0;
            if (c == 0 && prev_n == n) return bad(d, at, "an object has two fields of one name");
            if (c > 0 || (c == 0 && prev_n > n))
                return bad(d, at, "an object's field names are not in sorted order");
        }
        prev = p;
        prev_n = n;
    }
    return IDBPQ_OK;
}

static idbpq_status object_at(struct dec *d, size_t at, size_t limit, uint32_t depth, size_t *end,
                              idbpq_value **out)
{
    struct layout l;
    IDBPQ__TRY(container_layout(d, at, limit, 1, &l));
    if (l.n) IDBPQ__TRY(depth_ok(d, at, depth));
    IDBPQ__TRY(check_names(d, &l));
    idbpq_value *v = new_value(d, IDBPQ_V_OBJECT);
    idbpq_prop *props = l.n ? idbpq_vbatch_alloc(d->b, (size_t)l.n * sizeof *props) : NULL;
    if (!v || (l.n && !props)) return nomem(d);
    /* Properties come out in the order of their values, which is the JS order idbpq wrote. */
    struct order *ord = NULL;
    size_t prev = 0;
    int sorted = 1;
    for (uint32_t i = 0; i < l.n && sorted; i++) {
        size_t off;
        IDBPQ__TRY(child_offset(d, &l, i, &off));
        sorted = i == 0 || off > prev;
        prev = off;
    }
    if (!sorted) {
        ord = idbpq__malloc(d->b->alc, (size_t)l.n * sizeof *ord);
        if (!ord) return nomem(d);
        for (uint32_t i = 0; i < l.n; i++)
            ord[i] = (struct order){(uint32_t)rd_le(d->v + l.offs + (size_t)i * l.offw, l.offw), i};
        qsort(ord, l.n, sizeof *ord, order_cmp);
    }
    idbpq_status st = IDBPQ_OK;
    for (uint32_t k = 0; k < l.n && st == IDBPQ_OK; k++) {
        uint32_t i = ord ? ord[k].i : k;
        size_t off, e, id_at = l.ids + (size_t)i * l.idw;
        st = child_offset(d, &l, i, &off);
        if (st == IDBPQ_OK) st = key_value(d, rd_le(d->v + id_at, l.idw), id_at, &props[k].key);
        if (st == IDBPQ_OK) st = value_at(d, l.fields + off, l.end, depth + 1, &e, &props[k].value);
    }
    idbpq__free(d->b->alc, ord, (size_t)l.n * sizeof *ord);
    IDBPQ__TRY(st);
    v->u.object.props = props;
    v->u.object.n = l.n;
    *end = l.end;
    *out = v;
    return IDBPQ_OK;
}

static idbpq_status value_at(struct dec *d, size_t at, size_t limit, uint32_t depth, size_t *end,
                             idbpq_value **out)
{
    if (at >= limit) return bad(d, at, "a value is missing (no bytes left)");
    const uint8_t h = d->v[at];
    switch (h & 3) {
    case 0: return primitive(d, at, limit, end, out);
    case 1: {
        uint32_t n = h >> 2;
        if (limit - at - 1 < n) return bad(d, at, "a short string of %u bytes runs past the end", n);
        IDBPQ__TRY(spend(d, at, 1 + (uint64_t)n));
        *end = at + 1 + n;
        return utf8_value(d, d->v + at + 1, n, at + 1, 0, out);
    }
    case 2: return object_at(d, at, limit, depth, end, out);
    default: return array_at(d, at, limit, depth, end, out);
    }
}

idbpq_status idbpq__variant_decode(idbpq_vbatch *b, const uint8_t *meta, size_t meta_len,
                                   const uint8_t *val, size_t val_len, uint32_t flags,
                                   idbpq_value **out, struct idbpq__err *err)
{
    if (!out) return idbpq__fail(err, IDBPQ_INVALID_ARG, "variant_decode: NULL out");
    *out = NULL;
    if (!b || (!meta && meta_len) || (!val && val_len))
        return idbpq__fail(err, IDBPQ_INVALID_ARG, "variant_decode: NULL argument");
    struct dec d;
    memset(&d, 0, sizeof d);
    d.b = b;
    d.flags = flags;
    d.err = err;
    d.v = val;
    d.v_len = val_len;
    d.budget = val_len;
    IDBPQ__TRY(parse_meta(&d, meta, meta_len));
    size_t end = 0;
    idbpq_value *v = NULL;
    idbpq_status st = value_at(&d, 0, val_len, 0, &end, &v);
    if (st == IDBPQ_OK && end != val_len)
        st = bad(&d, end, "%zu bytes left over after the value", val_len - end);
    idbpq__free(b->alc, d.keys, (size_t)d.n_dict * sizeof *d.keys);
    if (st == IDBPQ_OK) *out = v;
    return st;
}
