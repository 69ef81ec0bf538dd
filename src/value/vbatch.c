/*
 * vbatch.c — value batches (an arena per batch of values), value constructors, and the small
 * internal tools the value layer shares: stateless error messages, string helpers, property
 * names, the array normalisation used by equality/hash/tagged JSON, and a pointer map.
 * Values never own memory themselves: resetting or freeing the batch releases them all.
 */
#include "value/value.h"

#include <stdio.h>

/* ---- batches ----------------------------------------------------------------------------- */

idbpq_status idbpq_vbatch_create(idbpq_vbatch **out, const idbpq_allocator *alc)
{
    if (!out) return IDBPQ_INVALID_ARG;
    *out = NULL;
    idbpq_vbatch *b = idbpq__malloc(alc, sizeof *b);
    if (!b) return IDBPQ_NOMEM;
    b->alc = idbpq__alc(alc);
    idbpq__arena_init(&b->arena, b->alc);
    *out = b;
    return IDBPQ_OK;
}

void idbpq_vbatch_reset(idbpq_vbatch *b)
{
    if (b) idbpq__arena_reset(&b->arena);
}

void idbpq_vbatch_free(idbpq_vbatch *b)
{
    if (!b) return;
    idbpq__arena_free(&b->arena);
    idbpq__free(b->alc, b, sizeof *b);
}

size_t idbpq_vbatch_size(const idbpq_vbatch *b) { return b ? b->arena.total : 0; }

void *idbpq_vbatch_alloc(idbpq_vbatch *b, size_t n)
{
    /* The arena rounds n up to 8: refuse sizes where that would wrap. */
    if (!b || n > SIZE_MAX / 2) return NULL;
    return idbpq__arena_alloc(&b->arena, n ? n : 1);
}

idbpq_value *idbpq_value_new(idbpq_vbatch *b, idbpq_vtype type)
{
    idbpq_value *v = idbpq_vbatch_alloc(b, sizeof *v);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->type = (uint8_t)type;
    return v;
}

idbpq_value *idbpq_value_number(idbpq_vbatch *b, double d)
{
    idbpq_value *v = idbpq_value_new(b, IDBPQ_V_NUMBER);
    if (v) v->u.number = d;
    return v;
}

idbpq_value *idbpq__value_latin1(idbpq_vbatch *b, const uint8_t *s, uint32_t n)
{
    idbpq_value *v = idbpq_value_new(b, IDBPQ_V_STRING);
    uint8_t *d = idbpq_vbatch_alloc(b, n);
    if (!v || !d) return NULL;
    if (n) memcpy(d, s, n);
    v->u.str = (idbpq_str){d, n, 0};
    return v;
}

idbpq_value *idbpq__value_utf16(idbpq_vbatch *b, const uint16_t *s, uint32_t n)
{
    if (n > UINT32_MAX / 2) return NULL;
    idbpq_value *v = idbpq_value_new(b, IDBPQ_V_STRING);
    uint16_t *d = idbpq_vbatch_alloc(b, (size_t)n * 2);
    if (!v || !d) return NULL;
    if (n) memcpy(d, s, (size_t)n * 2);
    v->u.str = (idbpq_str){d, n, 1};
    return v;
}

idbpq_value *idbpq__value_units(idbpq_vbatch *b, const uint16_t *s, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n && s[i] <= 0xff; i++) {}
    if (i < n) return idbpq__value_utf16(b, s, n);
    idbpq_value *v = idbpq_value_new(b, IDBPQ_V_STRING);
    uint8_t *d = idbpq_vbatch_alloc(b, n);
    if (!v || !d) return NULL;
    for (i = 0; i < n; i++) d[i] = (uint8_t)s[i];
    v->u.str = (idbpq_str){d, n, 0};
    return v;
}

/* UTF-8 (generalised: encoded surrogates become lone surrogate units, as WTF-8 says) to
 * UTF-16 units; malformed sequences become U+FFFD. */
idbpq_value *idbpq_value_string_utf8(idbpq_vbatch *b, const char *s, size_t n)
{
    if (!b || (!s && n) || n > UINT32_MAX) return NULL;
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    uint16_t *u = idbpq__malloc(b->alc, (n ? n : 1) * 2);
    if (!u) return NULL;
    uint32_t k = 0;
    while (p < end) {
        uint32_t c = *p, need, min;
        if (c < 0x80) { u[k++] = (uint16_t)c; p++; continue; }
        if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; c &= 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; c &= 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; c &= 0x07; }
        else { u[k++] = 0xfffd; p++; continue; }
        if ((size_t)(end - p) <= need) need = 99;
        uint32_t j;
        for (j = 1; need != 99 && j <= need; j++) {
            if ((p[j] & 0xc0) != 0x80) break;
            c = (c << 6) | (p[j] & 0x3f);
        }
        if (need == 99 || j <= need || c < min || c > 0x10ffff) { u[k++] = 0xfffd; p++; continue; }
        p += need + 1;
        if (c >= 0x10000) {
            c -= 0x10000;
            u[k++] = (uint16_t)(0xd800 + (c >> 10));
            u[k++] = (uint16_t)(0xdc00 + (c & 0x3ff));
        } else {
            u[k++] = (uint16_t)c;
        }
    }
    idbpq_value *v = idbpq__value_units(b, u, k);
    idbpq__free(b->alc, u, (n ? n : 1) * 2);
    return v;
}

int idbpq__str_equal(const idbpq_str *a, const idbpq_str *b)
{
    if (a->len != b->len) return 0;
    if (a->two_byte == b->two_byte)
        return a->len == 0 ||
               memcmp(a->data, b->data, (size_t)a->len * (a->two_byte ? 2u : 1u)) == 0;
    for (uint32_t i = 0; i < a->len; i++)
        if (idbpq__str_unit(a, i) != idbpq__str_unit(b, i)) return 0;
    return 1;
}

/* ---- errors ------------------------------------------------------------------------------ */

idbpq_status idbpq__verr(idbpq_error *err, idbpq_status st, uint64_t offset, const char *fmt,
                         ...)
{
    if (!err) return st;
    va_list ap;
    err->status = st;
    err->offset = offset;
    err->line = err->column = 0;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return st;
}

/* ---- property names and arrays ------------------------------------------------------------ */

idbpq_str idbpq__key_name(const idbpq_value *key, char tmp[32])
{
    if (key->type == IDBPQ_V_STRING) return key->u.str;
    size_t n = idbpq__fmt_number(tmp, key->type == IDBPQ_V_NUMBER ? key->u.number : 0);
    return (idbpq_str){tmp, (uint32_t)n, 0};
}

int idbpq__name_index(const idbpq_str *name, uint32_t *index)
{
    if (name->len == 0 || name->len > 10) return 0;
    uint64_t v = 0;
    for (uint32_t i = 0; i < name->len; i++) {
        uint16_t c = idbpq__str_unit(name, i);
        if (c < '0' || c > '9' || (i == 0 && c == '0' && name->len > 1)) return 0;
        v = v * 10 + (uint64_t)(c - '0');
    }
    if (v >= 0xffffffffull) return 0;
    *index = (uint32_t)v;
    return 1;
}

static int prop_index(const idbpq_prop *p, uint32_t *index)
{
    char tmp[32];
    idbpq_str s = idbpq__key_name(p->key, tmp);
    return idbpq__name_index(&s, index);
}

void idbpq__array_split_free(struct idbpq__asplit *s, const idbpq_allocator *alc)
{
    idbpq__free(alc, s->elems, s->cap_elems * sizeof *s->elems);
    idbpq__free(alc, (void *)s->extras, s->cap_extras * sizeof *s->extras);
    memset(s, 0, sizeof *s);
}

static void sort_elems(struct idbpq__aelem *e, uint32_t n)
{
    /* Usually sorted already; insertion sort when nearly so, else a heap sort (no
     * recursion, no quadratic worst case on hostile orders). */
    uint32_t i, bad = 0;
    for (i = 1; i < n; i++) bad += e[i - 1].index > e[i].index;
    if (!bad) return;
    if (bad < 16) {
        for (i = 1; i < n; i++) {
            struct idbpq__aelem x = e[i];
            uint32_t j = i;
            while (j > 0 && e[j - 1].index > x.index) { e[j] = e[j - 1]; j--; }
            e[j] = x;
        }
        return;
    }
    /* heap sort */
    for (i = n / 2; i-- > 0;) {
        uint32_t r = i;
        for (;;) {
            uint32_t c = 2 * r + 1;
            if (c >= n) break;
            if (c + 1 < n && e[c + 1].index > e[c].index) c++;
            if (e[r].index >= e[c].index) break;
            struct idbpq__aelem t = e[r]; e[r] = e[c]; e[c] = t;
            r = c;
        }
    }
    for (uint32_t end = n - 1; end > 0; end--) {
        struct idbpq__aelem t = e[0]; e[0] = e[end]; e[end] = t;
        uint32_t r = 0;
        for (;;) {
            uint32_t c = 2 * r + 1;
            if (c >= end) break;
            if (c + 1 < end && e[c + 1].index > e[c].index) c++;
            if (e[r].index >= e[c].index) break;
            struct idbpq__aelem t2 = e[r]; e[r] = e[c]; e[c] = t2;
            r = c;
        }
    }
}

idbpq_status idbpq__array_split(const idbpq_value *arr, const idbpq_allocator *alc,
                                struct idbpq__asplit *out)
{
    memset(out, 0, sizeof *out);
    uint32_t n_items = arr->u.array.items ? arr->u.array.length : 0;
    uint32_t n_props = arr->u.array.props ? arr->u.array.n_props : 0;
    out->cap_elems = (size_t)n_items + n_props;
    out->cap_extras = n_props;
    if (out->cap_elems) {
        out->elems = idbpq__malloc(alc, out->cap_elems * sizeof *out->elems);
        if (!out->elems) return IDBPQ_NOMEM;
    }
    if (out->cap_extras) {
        out->extras = idbpq__malloc(alc, out->cap_extras * sizeof *out->extras);
        if (!out->extras) { idbpq__array_split_free(out, alc); return IDBPQ_NOMEM; }
    }
    for (uint32_t i = 0; i < n_items; i++) {
        const idbpq_value *it = arr->u.array.items[i];
        if (it && it->type != IDBPQ_V_HOLE) out->elems[out->n_elems++] = (struct idbpq__aelem){i, it};
    }
    for (uint32_t i = 0; i < n_props; i++) {
        const idbpq_prop *p = &arr->u.array.props[i];
        uint32_t idx;
        if (prop_index(p, &idx)) out->elems[out->n_elems++] = (struct idbpq__aelem){idx, p->value};
        else out->extras[out->n_extras++] = p;
    }
    sort_elems(out->elems, out->n_elems);
    return IDBPQ_OK;
}

/* ---- pointer map -------------------------------------------------------------------------- */

void idbpq__pmap_init(struct idbpq__pmap *m, const idbpq_allocator *alc)
{
    memset(m, 0, sizeof *m);
    m->alc = idbpq__alc(alc);
}

void idbpq__pmap_free(struct idbpq__pmap *m)
{
    idbpq__free(m->alc, (void *)m->keys, m->cap * sizeof *m->keys);
    idbpq__free(m->alc, m->vals, m->cap * sizeof *m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->n = 0;
}

void idbpq__pmap_clear(struct idbpq__pmap *m)
{
    if (m->n == 0) return;
    if (m->cap > 4096) { /* one large record must not make every later clear slow */
        idbpq__pmap_free(m);
        return;
    }
    memset((void *)m->keys, 0, m->cap * sizeof *m->keys);
    m->n = 0;
}

static size_t phash(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

uint32_t *idbpq__pmap_get(const struct idbpq__pmap *m, const void *key)
{
    if (!m->cap) return NULL;
    for (size_t i = phash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == key) return &m->vals[i];
        if (!m->keys[i]) return NULL;
    }
}

static void pmap_insert(const void **keys, uint32_t *vals, size_t cap, const void *k, uint32_t v)
{
    size_t i = phash(k, cap);
    while (keys[i]) i = (i + 1) & (cap - 1);
    keys[i] = k;
    vals[i] = v;
}

idbpq_status idbpq__pmap_put(struct idbpq__pmap *m, const void *key, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        const void **keys = idbpq__calloc(m->alc, cap * sizeof *keys);
        uint32_t *vals = idbpq__malloc(m->alc, cap * sizeof *vals);
        if (!keys || !vals) {
            idbpq__free(m->alc, (void *)keys, cap * sizeof *keys);
            idbpq__free(m->alc, vals, cap * sizeof *vals);
            return IDBPQ_NOMEM;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) pmap_insert(keys, vals, cap, m->keys[i], m->vals[i]);
        size_t n = m->n;
        idbpq__pmap_free(m);
        m->n = n;
        m->keys = keys;
        m->vals = vals;
        m->cap = cap;
    }
    pmap_insert(m->keys, m->vals, m->cap, key, val);
    m->n++;
    return IDBPQ_OK;
}

/* One-byte (Latin-1) strings: runs of ASCII are copied 8 bytes at a time (most text is
 * ASCII, and this conversion runs for every string a Parquet column gets). */
static size_t latin1_to_utf8(const uint8_t *p, uint32_t len, uint8_t *out)
{
    size_t n = 0;
    uint32_t i = 0;
    while (i < len) {
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ull) break;
            memcpy(out + n, &w, 8);
            n += 8;
            i += 8;
        }
        for (uint32_t stop = i + 8 < len ? i + 8 : len; i < stop; i++) {
            uint8_t c = p[i];
            if (c < 0x80) {
                out[n++] = c;
            } else {
                out[n++] = (uint8_t)(0xc0 | (c >> 6));
                out[n++] = (uint8_t)(0x80 | (c & 0x3f));
            }
        }
    }
    return n;
}

size_t idbpq__str_to_utf8(const idbpq_str *s, uint8_t *out, int *lone)
{
    if (!s->two_byte) return latin1_to_utf8(s->data, s->len, out);
    const uint16_t *u = s->data;
    size_t n = 0;
    for (uint32_t i = 0; i < s->len; i++) {
        /* runs of ASCII units, 4 at a time */
        while (i + 4 <= s->len) {
            uint64_t w;
            memcpy(&w, u + i, 8);
            if (w & 0xff80ff80ff80ff80ull) break;
            out[n] = (uint8_t)u[i];
            out[n + 1] = (uint8_t)u[i + 1];
            out[n + 2] = (uint8_t)u[i + 2];
            out[n + 3] = (uint8_t)u[i + 3];
            n += 4;
            i += 4;
        }
        if (i == s->len) break;
        uint32_t c = idbpq__str_unit(s, i);
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < s->len) {
            uint32_t d = idbpq__str_unit(s, i + 1);
            if (d >= 0xdc00 && d < 0xe000) {
                c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
                i++;
            }
        }
        if (c >= 0xd800 && c < 0xe000) {
            c = 0xfffd;
            if (lone) *lone = 1;
        }
        if (c < 0x80) out[n++] = (uint8_t)c;
        else if (c < 0x800) {
            out[n++] = (uint8_t)(0xc0 | (c >> 6));
            out[n++] = (uint8_t)(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            out[n++] = (uint8_t)(0xe0 | (c >> 12));
            out[n++] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
            out[n++] = (uint8_t)(0x80 | (c & 0x3f));
        } else {
            out[n++] = (uint8_t)(0xf0 | (c >> 18));
            out[n++] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
            out[n++] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
            out[n++] = (uint8_t)(0x80 | (c & 0x3f));
        }
    }
    return n;
}

uint32_t idbpq__str_hash(const idbpq_str *s)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < s->len; i++) h = (h ^ idbpq__str_unit(s, i)) * 16777619u;
    return h;
}

/* The code point at p[*i] (strict UTF-8), advancing *i; -1 when malformed. */
static int32_t utf8_next_strict(const uint8_t *p, size_t n, size_t *i)
{
    uint32_t c = p[*i], need, min;
    if (c < 0x80) {
        (*i)++;
        return (int32_t)c;
    }
    if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; c &= 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; c &= 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; c &= 0x07; }
    else return -1;
    if (n - *i <= need) return -1;
    for (uint32_t j = 1; j <= need; j++) {
        if ((p[*i + j] & 0xc0) != 0x80) return -1;
        c = c << 6 | (p[*i + j] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return -1;
    *i += need + 1;
    return (int32_t)c;
}

int idbpq__value_utf8_strict(idbpq_vbatch *b, const uint8_t *p, size_t n, idbpq_value **out,
                             size_t *bad_at)
{
    size_t i = 0, units;
    int32_t max = 0;
    while (i < n && p[i] < 0x80) i++;
    units = i;
    while (i < n) {
        size_t at = i;
        int32_t cp = utf8_next_strict(p, n, &i);
        if (cp < 0) {
            *bad_at = at;
            return 1;
        }
        units += cp >= 0x10000 ? 2 : 1;
        if (cp > max) max = cp;
    }
    if (units > UINT32_MAX) return -1;
    idbpq_value *v = idbpq_value_new(b, IDBPQ_V_STRING);
    if (!v) return -1;
    if (max < 256) { /* ASCII and Latin-1: one byte a unit */
        uint8_t *d = idbpq_vbatch_alloc(b, units);
        if (!d) return -1;
        for (size_t k = 0, j = 0; j < n; k++) d[k] = (uint8_t)utf8_next_strict(p, n, &j);
        v->u.str = (idbpq_str){d, (uint32_t)units, 0};
    } else {
        uint16_t *d = idbpq_vbatch_alloc(b, units * 2);
        if (!d) return -1;
        for (size_t k = 0, j = 0; j < n;) {
            uint32_t cp = (uint32_t)utf8_next_strict(p, n, &j);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                d[k++] = (uint16_t)(0xd800 + (cp >> 10));
                d[k++] = (uint16_t)(0xdc00 + (cp & 0x3ff));
            } else {
                d[k++] = (uint16_t)cp;
            }
        }
        v->u.str = (idbpq_str){d, (uint32_t)units, 1};
    }
    *out = v;
    return 0;
}
