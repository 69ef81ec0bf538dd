/*
 * read_util.c — checked builders shared by the readers of the mapping layer (read_util.h).
 * Every length and byte comes from a file: nothing here trusts it.
 */
#include "mapping/read_util.h"

#include <math.h>
#include <stdio.h>

/* ---- messages ---------------------------------------------------------------------------- */

const char *idbpq__rd_path(const idbpq_schema *s, int32_t node)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(s, node);
    if (!n) return "?";
    if (node == 0 || !n->path || !*n->path) return "(root)";
    return n->path;
}

const char *idbpq__rd_kind_name(int kind)
{
    static const char *const names[] = {"null",   "boolean", "INT32", "INT64", "INT96", "FLOAT",
                                        "DOUBLE", "bytes",   "group", "list",  "map"};
    return kind >= 0 && kind < (int)(sizeof names / sizeof names[0]) ? names[kind] : "unknown";
}

idbpq_status idbpq__rd_mismatch(struct idbpq__rd *c, int32_t node, const char *what,
                                const idbpq_datum *d)
{
    return idbpq__fail(c->err, IDBPQ_CORRUPT, "column %s: expected %s, found %s",
                       idbpq__rd_path(c->s, node), what, idbpq__rd_kind_name(d ? d->kind : -1));
}

idbpq_status idbpq__rd_nomem(struct idbpq__rd *c)
{
    return idbpq__fail(c->err, IDBPQ_NOMEM, "out of memory converting a row");
}

/* ---- simple values ----------------------------------------------------------------------- */

idbpq_value *idbpq__rd_simple(idbpq_vbatch *b, idbpq_vtype t) { return idbpq_value_new(b, t); }

idbpq_value *idbpq__rd_bool(idbpq_vbatch *b, int v)
{
    idbpq_value *x = idbpq_value_new(b, IDBPQ_V_BOOLEAN);
    if (x) x->u.boolean = v != 0;
    return x;
}

idbpq_value *idbpq__rd_date(idbpq_vbatch *b, double ms)
{
    idbpq_value *x = idbpq_value_new(b, IDBPQ_V_DATE);
    /* TimeClip: what `new Date(ms)` would hold. */
    if (x) x->u.number = (isfinite(ms) && fabs(ms) <= 8.64e15) ? ms + 0.0 : NAN;
    return x;
}

idbpq_value *idbpq__rd_str_copy(idbpq_vbatch *b, const idbpq_value *s)
{
    if (s->u.str.two_byte) return idbpq__value_utf16(b, s->u.str.data, s->u.str.len);
    return idbpq__value_latin1(b, s->u.str.data, s->u.str.len);
}

idbpq_value *idbpq__rd_prop_key(idbpq_vbatch *b, const idbpq_value *name)
{
    uint32_t index;
    if (idbpq__name_index(&name->u.str, &index)) return idbpq_value_number(b, (double)index);
    return idbpq__rd_str_copy(b, name);
}

/* ---- strings ----------------------------------------------------------------------------- */

idbpq_status idbpq__rd_string(struct idbpq__rd *c, int32_t node, const uint8_t *p, uint32_t n,
                              idbpq_value **out)
{
    size_t at;
    int r = idbpq__value_utf8_strict(c->b, p, n, out, &at);
    if (r > 0)
        return idbpq__fail(c->err, IDBPQ_CORRUPT, "column %s: invalid UTF-8 at byte %zu",
                           idbpq__rd_path(c->s, node), at);
    return r < 0 ? idbpq__rd_nomem(c) : IDBPQ_OK;
}

/* ---- binary ------------------------------------------------------------------------------ */

static const uint8_t view_size[] = {1, 1, 1, 2, 2, 4, 4, 2, 4, 8, 8, 8, 1};

idbpq_status idbpq__rd_binary(struct idbpq__rd *c, int32_t node, const uint8_t *p, uint32_t n,
                              int view, idbpq_value **out)
{
    if (view != IDBPQ__VIEW_BUFFER && (view < 0 || view > IDBPQ_VIEW_DATAVIEW))
        return idbpq__fail(c->err, IDBPQ_CORRUPT, "column %s: unknown view kind %d",
                           idbpq__rd_path(c->s, node), view);
    if (view != IDBPQ__VIEW_BUFFER && n % view_size[view] != 0)
        return idbpq__fail(c->err, IDBPQ_CORRUPT,
                           "column %s: %u bytes are not a whole number of %u-byte elements",
                           idbpq__rd_path(c->s, node), n, view_size[view]);
    idbpq_value *buf = idbpq_value_new(c->b, IDBPQ_V_ARRAY_BUFFER);
    uint8_t *copy = idbpq_vbatch_alloc(c->b, n);
    if (!buf || !copy) return idbpq__rd_nomem(c);
    if (n) memcpy(copy, p, n);
    buf->u.buffer.bytes = copy;
    buf->u.buffer.len = buf->u.buffer.max_len = n;
    if (view == IDBPQ__VIEW_BUFFER) {
        *out = buf;
        return IDBPQ_OK;
    }
    idbpq_value *v = idbpq_value_new(c->b, IDBPQ_V_VIEW);
    if (!v) return idbpq__rd_nomem(c);
    v->u.view.buffer = buf;
    v->u.view.kind = (idbpq_view_kind)view;
    v->u.view.offset = 0;
    v->u.view.length = n;
    *out = v;
    return IDBPQ_OK;
}

/* ---- BigInts ----------------------------------------------------------------------------- */

static idbpq_value *bigint_le(idbpq_vbatch *b, uint8_t *le, size_t n, int negative)
{
    while (n && le[n - 1] == 0) n--;
    idbpq_value *v = idbpq_value_new(b, IDBPQ_V_BIGINT);
    if (!v) return NULL;
    v->u.bigint.digits = n ? le : NULL;
    v->u.bigint.len = (uint32_t)n;
    v->u.bigint.negative = negative && n > 0;
    return v;
}

idbpq_value *idbpq__rd_bigint_be(idbpq_vbatch *b, const uint8_t *be, size_t n, int is_signed)
{
    if (n > UINT32_MAX) return NULL;
    int neg = is_signed && n && (be[0] & 0x80);
    uint8_t *le = idbpq_vbatch_alloc(b, n);
    if (!le) return NULL;
    for (size_t i = 0; i < n; i++) le[i] = be[n - 1 - i];
    if (neg) { /* magnitude = ~x + 1 */
        unsigned carry = 1;
        for (size_t i = 0; i < n; i++) {
            unsigned t = (uint8_t)~le[i] + carry;
            le[i] = (uint8_t)t;
            carry = t >> 8;
        }
    }
    return bigint_le(b, le, n, neg);
}

idbpq_value *idbpq__rd_bigint_i64(idbpq_vbatch *b, int64_t v)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    uint8_t *le = idbpq_vbatch_alloc(b, 8);
    if (!le) return NULL;
    idbpq__st_le64(le, mag);
    return bigint_le(b, le, 8, v < 0);
}

idbpq_value *idbpq__rd_bigint_u64(idbpq_vbatch *b, uint64_t v)
{
    uint8_t *le = idbpq_vbatch_alloc(b, 8);
    if (!le) return NULL;
    idbpq__st_le64(le, v);
    return bigint_le(b, le, 8, 0);
}

idbpq_status idbpq__rd_bigint_text(struct idbpq__rd *c, int32_t node, const uint8_t *p,
                                   uint32_t n, idbpq_value **out)
{
    uint32_t i = 0;
    int neg = n > 0 && p[0] == '-';
    i = (uint32_t)neg;
    if (i == n)
        return idbpq__fail(c->err, IDBPQ_CORRUPT, "column %s: empty BigInt text",
                           idbpq__rd_path(c->s, node));
    for (uint32_t k = i; k < n; k++)
        if (p[k] < '0' || p[k] > '9')
            return idbpq__fail(c->err, IDBPQ_CORRUPT,
                               "column %s: BigInt text has a non-digit at byte %u",
                               idbpq__rd_path(c->s, node), k);
    if (n - i > IDBPQ__RD_MAX_BIGINT_DIGITS)
        return idbpq__fail(c->err, IDBPQ_LIMIT, "column %s: BigInt of more than %u digits",
                           idbpq__rd_path(c->s, node), IDBPQ__RD_MAX_BIGINT_DIGITS);
    /* Base 2^32 limbs, nine digits at a time. */
    size_t cap = (size_t)(n - i) / 9 + 2, used = 0;
    uint32_t *limb = idbpq_vbatch_alloc(c->b, cap * 4);
    if (!limb) return idbpq__rd_nomem(c);
    while (i < n) {
        uint32_t chunk = 0, mul = 1;
        for (int k = 0; k < 9 && i < n; k++, i++) {
            chunk = chunk * 10 + (uint32_t)(p[i] - '0');
            mul *= 10;
        }
        uint64_t carry = chunk;
        for (size_t k = 0; k < used; k++) {
            uint64_t t = (uint64_t)limb[k] * mul + carry;
            limb[k] = (uint32_t)t;
            carry = t >> 32;
        }
        if (carry) limb[used++] = (uint32_t)carry;
    }
    /* Limbs are little-endian words: on a little-endian host, their bytes are the digits. */
    idbpq_value *v = bigint_le(c->b, (uint8_t *)limb, used * 4, neg);
    if (!v) return idbpq__rd_nomem(c);
    *out = v;
    return IDBPQ_OK;
}

char *idbpq__rd_magnitude_text(idbpq_vbatch *b, const uint8_t *le, size_t n, size_t *len)
{
    while (n && le[n - 1] == 0) n--;
    size_t nl = (n + 3) / 4;
    uint32_t *limb = idbpq__malloc(b->alc, (nl ? nl : 1) * 4);
    /* 2.41 decimal digits per byte, rounded up, plus the NUL. */
    size_t cap = n * 5 / 2 + 2;
    char *out = idbpq_vbatch_alloc(b, cap);
    if (!limb || !out) {
        idbpq__free(b->alc, limb, (nl ? nl : 1) * 4);
        return NULL;
    }
    memset(limb, 0, (nl ? nl : 1) * 4);
    for (size_t i = 0; i < n; i++) limb[i / 4] |= (uint32_t)le[i] << (8 * (i % 4));
    size_t k = cap - 1;
    out[k] = 0;
    /* Nine digits per division by 10^9, least significant first. */
    while (nl) {
        uint64_t rem = 0;
        for (size_t j = nl; j-- > 0;) {
            uint64_t cur = rem << 32 | limb[j];
            limb[j] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        while (nl && limb[nl - 1] == 0) nl--;
        for (int d = 0; d < 9 && (nl || rem); d++) {
            out[--k] = (char)('0' + rem % 10);
            rem /= 10;
        }
    }
    idbpq__free(b->alc, limb, ((n + 3) / 4 ? (n + 3) / 4 : 1) * 4);
    if (k == cap - 1) out[--k] = '0';
    *len = cap - 1 - k;
    return out + k;
}

/* ---- duplicate keys ---------------------------------------------------------------------- */

static uint64_t hash_units(const idbpq_str *s)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < s->len; i++) h = (h ^ idbpq__str_unit(s, i)) * 1099511628211ull;
    return h;
}

static int prop_same(const idbpq_value *a, const idbpq_value *b)
{
    char ta[32], tb[32];
    idbpq_str x = idbpq__key_name(a, ta), y = idbpq__key_name(b, tb);
    return idbpq__str_equal(&x, &y);
}

static uint64_t prop_hash(const idbpq_value *k)
{
    char t[32];
    idbpq_str x = idbpq__key_name(k, t);
    return hash_units(&x);
}

/* SameValueZero for the values built here; objects are never equal to another. */
static int svz_same(const idbpq_value *a, const idbpq_value *b)
{
    if (a == b) return 1;
    if (a->type != b->type) return 0;
    switch (a->type) { /* the primitives; objects have identity */
    case IDBPQ_V_UNDEFINED: case IDBPQ_V_NULL: return 1;
    case IDBPQ_V_BOOLEAN: return a->u.boolean == b->u.boolean;
    case IDBPQ_V_NUMBER:
        return a->u.number == b->u.number || (isnan(a->u.number) && isnan(b->u.number));
    case IDBPQ_V_STRING: return idbpq__str_equal(&a->u.str, &b->u.str);
    case IDBPQ_V_BIGINT:
        return a->u.bigint.negative == b->u.bigint.negative &&
               a->u.bigint.len == b->u.bigint.len &&
               (a->u.bigint.len == 0 ||
                memcmp(a->u.bigint.digits, b->u.bigint.digits, a->u.bigint.len) == 0);
    default: return 0;
    }
}

static uint64_t svz_hash(const idbpq_value *v)
{
    uint64_t h = (uint64_t)v->type * 0x9e3779b97f4a7c15ull;
    switch (v->type) {
    case IDBPQ_V_BOOLEAN: return h + (uint64_t)(v->u.boolean != 0);
    case IDBPQ_V_NUMBER: {
        double d = v->u.number;
        uint64_t bits;
        if (d == 0) d = 0; /* +0 and -0 are the same key */
        if (isnan(d)) return h + 1;
        memcpy(&bits, &d, 8);
        return h ^ (bits * 0xff51afd7ed558ccdull);
    }
    case IDBPQ_V_STRING: return h ^ hash_units(&v->u.str);
    case IDBPQ_V_BIGINT: {
        idbpq_str s = {v->u.bigint.digits, v->u.bigint.len, 0};
        return h ^ hash_units(&s) ^ (uint64_t)v->u.bigint.negative;
    }
    default: return h ^ (uint64_t)(uintptr_t)v; /* identity */
    }
}

/* keys[i*stride] are the keys, values keys[i*stride + stride - 1] (for props: separate).
 * Generic over the two layouts through accessors. */
struct dd {
    idbpq_prop *props;
    idbpq_value **items;
    uint32_t stride;
};

static const idbpq_value *dd_key(const struct dd *d, uint32_t i)
{
    return d->props ? d->props[i].key : d->items[(size_t)i * d->stride];
}
static int dd_same(const struct dd *d, uint32_t i, uint32_t j)
{
    return d->props ? prop_same(dd_key(d, i), dd_key(d, j)) : svz_same(dd_key(d, i), dd_key(d, j));
}
static uint64_t dd_hash(const struct dd *d, uint32_t i)
{
    return d->props ? prop_hash(dd_key(d, i)) : svz_hash(dd_key(d, i));
}
/* Entry `from` replaces the value of entry `to` (a Set's items have no separate value). */
static void dd_take(struct dd *d, uint32_t to, uint32_t from)
{
    if (d->props) d->props[to].value = d->props[from].value;
    else if (d->stride == 2) d->items[(size_t)to * 2 + 1] = d->items[(size_t)from * 2 + 1];
}
static void dd_move(struct dd *d, uint32_t to, uint32_t from)
{
    if (d->props) d->props[to] = d->props[from];
    else
        for (uint32_t k = 0; k < d->stride; k++)
            d->items[(size_t)to * d->stride + k] = d->items[(size_t)from * d->stride + k];
}

static idbpq_status dedupe(idbpq_vbatch *b, struct dd *d, uint32_t *n)
{
    uint32_t cnt = *n, out = 0;
    if (cnt < 2) return IDBPQ_OK;
    uint8_t small[64] = {0};
    uint8_t *drop = cnt <= sizeof small ? small : idbpq__calloc(b->alc, cnt);
    if (!drop) return IDBPQ_NOMEM;
    int any = 0;
    if (cnt <= 16) {
        for (uint32_t i = 1; i < cnt; i++)
            for (uint32_t j = 0; j < i; j++)
                if (!drop[j] && dd_same(d, j, i)) {
                    dd_take(d, j, i);
                    drop[i] = any = 1;
                    break;
                }
    } else {
        size_t cap = 32;
        while (cap < (size_t)cnt * 2) cap *= 2;
        uint32_t *slot = idbpq__calloc(b->alc, cap * 4); /* entry + 1, 0 = empty */
        if (!slot) {
            if (drop != small) idbpq__free(b->alc, drop, cnt);
            return IDBPQ_NOMEM;
        }
        for (uint32_t i = 0; i < cnt; i++) {
            size_t h = (size_t)dd_hash(d, i) & (cap - 1);
            for (;; h = (h + 1) & (cap - 1)) {
                if (!slot[h]) {
                    slot[h] = i + 1;
                    break;
                }
                if (dd_same(d, slot[h] - 1, i)) {
                    dd_take(d, slot[h] - 1, i);
                    drop[i] = any = 1;
                    break;
                }
            }
        }
        idbpq__free(b->alc, slot, cap * 4);
    }
    if (any) {
        for (uint32_t i = 0; i < cnt; i++)
            if (!drop[i]) dd_move(d, out++, i);
        *n = out;
    }
    if (drop != small) idbpq__free(b->alc, drop, cnt);
    return IDBPQ_OK;
}

idbpq_status idbpq__rd_dedupe_props(idbpq_vbatch *b, idbpq_prop *props, uint32_t *n)
{
    struct dd d = {props, NULL, 1};
    return dedupe(b, &d, n);
}

idbpq_status idbpq__rd_dedupe_coll(idbpq_vbatch *b, idbpq_value **items, uint32_t *n,
                                   uint32_t stride)
{
    struct dd d = {NULL, items, stride};
    return dedupe(b, &d, n);
}
