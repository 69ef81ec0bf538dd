/*
 * v8_decode.c — reads V8's ValueSerializer format (versions 0-16; Node 20 writes 15, Chrome 150+
 * writes 16) into idbpq values, in one pass, with every allocation in the value batch.
 *
 * Follows ValueDeserializer in v8/src/objects/value-serializer.cc: the same tags, the same
 * object-id order (an id for every receiver when its reading starts; a view's after its
 * buffer's), the same checks (end-tag counts, view bounds and alignment, flags). Input is
 * untrusted: every length is checked against the bytes left before anything is allocated,
 * nesting is bounded by opts.max_depth, memory by opts.max_bytes, and errors name the tag and
 * the byte offset.
 */
#include "value/v8.h"

#include <stdio.h>

/* ---- errors, memory, primitives of the format ------------------------------------------- */

idbpq_status idbpq__v8r_fail(struct idbpq__v8r *r, idbpq_status st, const uint8_t *at,
                             const char *fmt, ...)
{
    if (!r->err) return st;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint64_t off = (uint64_t)(at - r->base) + r->base_off;
    return idbpq__verr(r->err, st, off, "%s%s", msg, r->where);
}

#define FAIL(at, ...) idbpq__v8r_fail(r, IDBPQ_CORRUPT, (at), __VA_ARGS__)

void idbpq__v8r_init(struct idbpq__v8r *r, idbpq_vbatch *b, const idbpq_v8_opts *o,
                     idbpq_error *err)
{
    memset(r, 0, offsetof(struct idbpq__v8r, ids_local));
    r->b = b;
    r->o = o;
    r->err = err;
    r->where = "";
    r->max_depth = o->max_depth ? o->max_depth : 1000;
    if (r->max_depth > IDBPQ__V8_HARD_DEPTH) r->max_depth = IDBPQ__V8_HARD_DEPTH;
    r->max_bytes = o->max_bytes ? o->max_bytes : ((uint64_t)1 << 30);
    r->ids = r->ids_local;
    r->cap_ids = (uint32_t)(sizeof r->ids_local / sizeof r->ids_local[0]);
    r->stk = r->stk_local;
    r->cap_stk = sizeof r->stk_local / sizeof r->stk_local[0];
}

void idbpq__v8r_done(struct idbpq__v8r *r)
{
    if (r->ids != r->ids_local) idbpq__free(r->b->alc, r->ids, r->cap_ids * sizeof *r->ids);
    if (r->stk != r->stk_local) idbpq__free(r->b->alc, r->stk, r->cap_stk * sizeof *r->stk);
    r->ids = r->ids_local;
    r->stk = r->stk_local;
    r->n_ids = 0;
    r->n_stk = 0;
}

void *idbpq__v8r_alloc(struct idbpq__v8r *r, size_t n)
{
    r->bytes += n;
    if (IDBPQ__UNLIKELY(r->bytes > r->max_bytes)) {
        idbpq__v8r_fail(r, IDBPQ_LIMIT, r->p, "decoded value exceeds max_bytes (%llu)",
                        (unsigned long long)r->max_bytes);
        return NULL;
    }
    void *p = idbpq_vbatch_alloc(r->b, n);
    if (!p) idbpq__v8r_fail(r, IDBPQ_NOMEM, r->p, "out of memory");
    return p;
}

idbpq_value *idbpq__v8r_new(struct idbpq__v8r *r, idbpq_vtype t)
{
    idbpq_value *v = idbpq__v8r_alloc(r, sizeof *v);
    if (v) {
        memset(v, 0, sizeof *v);
        v->type = (uint8_t)t;
    }
    return v;
}

/* ReadVarintLoop: 7 bits a byte while the shift is below the width, so a u32 takes at most 5
 * bytes and a u8 2; bits past the width are dropped. */
static inline int varint_bits(struct idbpq__v8r *r, unsigned bits, uint64_t *out)
{
    uint64_t v = 0;
    const uint8_t *p = r->p;
    for (unsigned shift = 0; shift < bits; shift += 7) {
        if (IDBPQ__UNLIKELY(p >= r->end)) return 0;
        uint8_t c = *p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) break;
    }
    r->p = p;
    *out = bits < 64 ? v & (((uint64_t)1 << bits) - 1) : v;
    return 1;
}

int idbpq__v8_varint32(struct idbpq__v8r *r, uint32_t *out)
{
    /* The common one-byte case first: lengths, counts and small ints. */
    if (IDBPQ__LIKELY(r->p < r->end && *r->p < 0x80)) {
        *out = *r->p++;
        return 1;
    }
    uint64_t v;
    if (!varint_bits(r, 32, &v)) return 0;
    *out = (uint32_t)v;
    return 1;
}

int idbpq__v8_varint64(struct idbpq__v8r *r, uint64_t *out) { return varint_bits(r, 64, out); }

static int varint8(struct idbpq__v8r *r, uint8_t *out)
{
    uint64_t v;
    if (!varint_bits(r, 8, &v)) return 0;
    *out = (uint8_t)v;
    return 1;
}

static inline int read_double(struct idbpq__v8r *r, double *d)
{
    if (IDBPQ__UNLIKELY(r->end - r->p < 8)) return 0;
    memcpy(d, r->p, 8);
    r->p += 8;
    /* ReadDouble canonicalises NaN; so do we (equality compares NaN payloads bit-exactly). */
    if (*d != *d) {
        uint64_t q = 0x7ff8000000000000ull;
        memcpy(d, &q, 8);
    }
    return 1;
}

/* The next tag, skipping kPadding; 0 at the end of the data (0 is never a tag). */
static inline uint8_t peek_tag(struct idbpq__v8r *r)
{
    const uint8_t *p = r->p;
    while (p < r->end && *p == 0) p++;
    return p < r->end ? *p : 0;
}

static inline uint8_t read_tag(struct idbpq__v8r *r)
{
    while (r->p < r->end && *r->p == 0) r->p++;
    return r->p < r->end ? *r->p++ : 0;
}

static int grow(struct idbpq__v8r *r, void **arr, void *local, size_t *cap, size_t elem)
{
    size_t nc = *cap * 2;
    void *n;
    if (*arr == local) {
        n = idbpq__malloc(r->b->alc, nc * elem);
        if (n) memcpy(n, *arr, *cap * elem);
    } else {
        n = idbpq__realloc(r->b->alc, *arr, *cap * elem, nc * elem);
    }
    if (!n) {
        idbpq__v8r_fail(r, IDBPQ_NOMEM, r->p, "out of memory");
        return 0;
    }
    *arr = n;
    *cap = nc;
    return 1;
}

static inline int push(struct idbpq__v8r *r, idbpq_value *v)
{
    if (IDBPQ__UNLIKELY(r->n_stk == r->cap_stk) &&
        !grow(r, (void **)&r->stk, r->stk_local, &r->cap_stk, sizeof *r->stk))
        return 0;
    r->stk[r->n_stk++] = v;
    return 1;
}

/* Gives v the next object id (AddObjectWithID). */
static inline int add_id(struct idbpq__v8r *r, idbpq_value *v)
{
    if (IDBPQ__UNLIKELY(r->n_ids == r->cap_ids)) {
        size_t cap = r->cap_ids;
        if (cap >= UINT32_MAX / 2 ||
            !grow(r, (void **)&r->ids, r->ids_local, &cap, sizeof *r->ids))
            return 0;
        r->cap_ids = (uint32_t)cap;
    }
    r->ids[r->n_ids++] = v;
    return 1;
}

/* ---- strings ------------------------------------------------------------------------------ */

static idbpq_value *str_latin1(struct idbpq__v8r *r, const uint8_t *s, uint32_t n)
{
    /* The value and its characters in one piece of the arena. */
    idbpq_value *v = idbpq__v8r_alloc(r, sizeof *v + n);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->type = IDBPQ_V_STRING;
    uint8_t *d = (uint8_t *)(v + 1);
    if (n) memcpy(d, s, n);
    v->u.str.data = d;
    v->u.str.len = n;
    return v;
}

static idbpq_value *str_utf16(struct idbpq__v8r *r, const uint8_t *s, uint32_t units)
{
    idbpq_value *v = idbpq__v8r_alloc(r, sizeof *v + (size_t)units * 2);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->type = IDBPQ_V_STRING;
    uint8_t *d = (uint8_t *)(v + 1); /* UTF-16LE on the wire, host order here (LE host) */
    if (units) memcpy(d, s, (size_t)units * 2);
    v->u.str.data = d;
    v->u.str.len = units;
    v->u.str.two_byte = 1;
    return v;
}

idbpq_value *idbpq__v8r_utf8(struct idbpq__v8r *r, const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n && s[i] < 0x80) i++;
    if (i == n) return str_latin1(r, s, n);
    /* At most one UTF-16 unit per byte; narrowed afterwards when every unit fits Latin-1. */
    idbpq_value *v = idbpq__v8r_alloc(r, sizeof *v + (size_t)n * 2);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->type = IDBPQ_V_STRING;
    uint16_t *u = (uint16_t *)(void *)(v + 1);
    uint32_t k = 0, maxu = 0;
    const uint8_t *p = s, *end = s + n;
    while (p < end) {
        uint32_t c = *p;
        if (c < 0x80) { u[k++] = (uint16_t)c; p++; continue; }
        uint32_t need, lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) { need = 1; c &= 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) {
            need = 2; c &= 0x0f;
            if (c == 0) lo = 0xa0;          /* no overlongs */
            if (c == 0xd) hi = 0x9f;        /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3; c &= 0x07;
            if (c == 0) lo = 0x90;
            if (c == 4) hi = 0x8f;
        } else { u[k++] = 0xfffd; maxu = 0xfffd; p++; continue; }
        /* Replace the maximal invalid subpart with one U+FFFD (the WHATWG rule V8 follows). */
        uint32_t j = 1;
        for (; j <= need; j++) {
            if (p + j >= end || p[j] < lo || p[j] > hi) break;
            c = (c << 6) | (p[j] & 0x3f);
            lo = 0x80;
            hi = 0xbf;
        }
        if (j <= need) { u[k++] = 0xfffd; maxu = 0xfffd; p += j; continue; }
        p += need + 1;
        if (c >= 0x10000) {
            c -= 0x10000;
            u[k++] = (uint16_t)(0xd800 + (c >> 10));
            u[k++] = (uint16_t)(0xdc00 + (c & 0x3ff));
            maxu = 0xffff;
        } else {
            u[k++] = (uint16_t)c;
            if (c > maxu) maxu = c;
        }
    }
    v->u.str.data = u;
    v->u.str.len = k;
    if (maxu <= 0xff) {
        uint8_t *d = (uint8_t *)u; /* narrowing in place: the write index never passes reads */
        for (uint32_t t = 0; t < k; t++) d[t] = (uint8_t)u[t];
    } else {
        v->u.str.two_byte = 1;
    }
    return v;
}

/* A string after its tag ('"', 'c' or 'S'). */
static idbpq_status read_string_body(struct idbpq__v8r *r, uint8_t tag, const uint8_t *at,
                                     idbpq_value **out)
{
    uint32_t n;
    if (!idbpq__v8_varint32(r, &n)) return FAIL(at, "truncated string length (tag '%c')", tag);
    if (n > (size_t)(r->end - r->p))
        return FAIL(at, "string of %u bytes runs past the end (tag '%c')", n, tag);
    const uint8_t *s = r->p;
    r->p += n;
    idbpq_value *v;
    if (tag == '"') {
        v = str_latin1(r, s, n);
    } else if (tag == 'c') {
        if (n & 1) return FAIL(at, "two-byte string of odd byte length %u (tag 'c')", n);
        v = str_utf16(r, s, n / 2);
    } else {
        v = idbpq__v8r_utf8(r, s, n);
    }
    if (!v) return r->err ? r->err->status : IDBPQ_NOMEM;
    *out = v;
    return IDBPQ_OK;
}

static idbpq_status read_value(struct idbpq__v8r *r, idbpq_value **out);

/* ReadString: a tagged string from format 12 on, raw UTF-8 before. */
static idbpq_status read_string(struct idbpq__v8r *r, idbpq_value **out, const char *what)
{
    const uint8_t *at = r->p;
    if (r->version < 12) return read_string_body(r, 'S', at, out);
    IDBPQ__TRY(read_value(r, out));
    if ((*out)->type != IDBPQ_V_STRING) return FAIL(at, "%s is not a string", what);
    return IDBPQ_OK;
}

/* ---- containers --------------------------------------------------------------------------- */

static idbpq_status pop_props(struct idbpq__v8r *r, size_t base, idbpq_prop **props,
                              uint32_t *n)
{
    size_t k = (r->n_stk - base) / 2;
    *n = (uint32_t)k;
    *props = NULL;
    if (k) {
        idbpq_prop *pr = idbpq__v8r_alloc(r, k * sizeof *pr);
        if (!pr) return r->err ? r->err->status : IDBPQ_NOMEM;
        memcpy(pr, r->stk + base, k * sizeof *pr); /* {key, value} pairs, same layout */
        *props = pr;
    }
    r->n_stk = base;
    return IDBPQ_OK;
}

/* (key value)* up to end_tag, as ReadJSObjectProperties; keys must be strings or numbers. */
static idbpq_status read_props(struct idbpq__v8r *r, uint8_t end_tag, const char *what)
{
    for (;;) {
        uint8_t t = peek_tag(r);
        if (t == end_tag) {
            read_tag(r);
            return IDBPQ_OK;
        }
        if (t == 0) return FAIL(r->end, "truncated %s: no end tag '%c'", what, end_tag);
        const uint8_t *at = r->p;
        idbpq_value *k, *v;
        IDBPQ__TRY(read_value(r, &k));
        if (k->type != IDBPQ_V_STRING && k->type != IDBPQ_V_NUMBER)
            return FAIL(at, "%s property key is not a string or number", what);
        IDBPQ__TRY(read_value(r, &v));
        if (!push(r, k) || !push(r, v)) return r->err ? r->err->status : IDBPQ_NOMEM;
    }
}

static idbpq_status read_object(struct idbpq__v8r *r, const uint8_t *at, idbpq_value *v)
{
    size_t base = r->n_stk;
    IDBPQ__TRY(read_props(r, '{', "object ('o')"));
    uint32_t want;
    const uint8_t *cnt = r->p;
    if (!idbpq__v8_varint32(r, &want)) return FAIL(cnt, "truncated object end count ('{')");
    if (want != (r->n_stk - base) / 2)
        return FAIL(cnt, "object ('o' at %llu) has %zu properties, end tag says %u",
                    (unsigned long long)(at - r->base + r->base_off), (r->n_stk - base) / 2,
                    want);
    return pop_props(r, base, &v->u.object.props, &v->u.object.n);
}

static idbpq_status read_array_end(struct idbpq__v8r *r, idbpq_value *v, size_t base,
                                   uint32_t length, char end_tag)
{
    uint32_t nprops, len2;
    const uint8_t *cnt = r->p;
    if (!idbpq__v8_varint32(r, &nprops) || !idbpq__v8_varint32(r, &len2))
        return FAIL(cnt, "truncated array end ('%c')", end_tag);
    if (nprops != (r->n_stk - base) / 2 || len2 != length)
        return FAIL(cnt, "array end ('%c') says %u properties, length %u; read %zu, %u",
                    end_tag, nprops, len2, (r->n_stk - base) / 2, length);
    return pop_props(r, base, &v->u.array.props, &v->u.array.n_props);
}

static idbpq_status read_dense(struct idbpq__v8r *r, const uint8_t *at, idbpq_value *v)
{
    uint32_t length = v->u.array.length;
    if (length) {
        v->u.array.items = idbpq__v8r_alloc(r, (size_t)length * sizeof(idbpq_value *));
        if (!v->u.array.items) return r->err ? r->err->status : IDBPQ_NOMEM;
    }
    for (uint32_t i = 0; i < length; i++) {
        idbpq_value *e;
        if (peek_tag(r) == '-') {
            read_tag(r);
            e = NULL;
        } else {
            IDBPQ__TRY(read_value(r, &e));
            /* Before version 11 undefined in a dense array meant the hole. */
            if (r->version < 11 && e->type == IDBPQ_V_UNDEFINED) e = NULL;
        }
        if (!e) {
            if (!r->hole && !(r->hole = idbpq__v8r_new(r, IDBPQ_V_HOLE)))
                return r->err ? r->err->status : IDBPQ_NOMEM;
            e = r->hole;
        }
        v->u.array.items[i] = e;
    }
    (void)at;
    size_t base = r->n_stk;
    IDBPQ__TRY(read_props(r, '$', "dense array ('A')"));
    return read_array_end(r, v, base, length, '$');
}

static idbpq_status read_collection(struct idbpq__v8r *r, idbpq_value *v, uint8_t end_tag,
                                    int per_entry, const char *what)
{
    size_t base = r->n_stk;
    for (;;) {
        uint8_t t = peek_tag(r);
        if (t == end_tag) {
            read_tag(r);
            break;
        }
        if (t == 0) return FAIL(r->end, "truncated %s: no end tag '%c'", what, end_tag);
        for (int k = 0; k < per_entry; k++) {
            idbpq_value *e;
            IDBPQ__TRY(read_value(r, &e));
            if (!push(r, e)) return r->err ? r->err->status : IDBPQ_NOMEM;
        }
    }
    uint32_t want;
    const uint8_t *cnt = r->p;
    size_t got = r->n_stk - base;
    if (!idbpq__v8_varint32(r, &want)) return FAIL(cnt, "truncated %s end count", what);
    if (want != got) return FAIL(cnt, "%s end count %u, read %zu", what, want, got);
    v->u.coll.n = per_entry == 2 ? (uint32_t)(got / 2) : (uint32_t)got;
    if (got) {
        v->u.coll.items = idbpq__v8r_alloc(r, got * sizeof(idbpq_value *));
        if (!v->u.coll.items) return r->err ? r->err->status : IDBPQ_NOMEM;
        memcpy(v->u.coll.items, r->stk + base, got * sizeof(idbpq_value *));
    }
    r->n_stk = base;
    return IDBPQ_OK;
}

/* ---- scalars with payloads ---------------------------------------------------------------- */

static idbpq_status read_bigint(struct idbpq__v8r *r, const uint8_t *at, idbpq_value *v)
{
    uint32_t bitfield;
    if (!idbpq__v8_varint32(r, &bitfield)) return FAIL(at, "truncated BigInt bitfield");
    /* GetBitfieldForSerialization: bit 0 sign, bits 1-30 the digits' byte length. */
    uint32_t n = (bitfield >> 1) & 0x3fffffffu;
    if (n > (size_t)(r->end - r->p))
        return FAIL(at, "BigInt of %u bytes runs past the end", n);
    if (n > (1u << 27)) return FAIL(at, "BigInt of %u bytes exceeds V8's maximum", n);
    const uint8_t *d = r->p;
    r->p += n;
    while (n && d[n - 1] == 0) n--; /* FromSerializedDigits trims high zero digits */
    v->u.bigint.len = n;
    v->u.bigint.negative = n && (bitfield & 1);
    if (n) {
        uint8_t *c = idbpq__v8r_alloc(r, n);
        if (!c) return r->err ? r->err->status : IDBPQ_NOMEM;
        memcpy(c, d, n);
        v->u.bigint.digits = c;
    }
    return IDBPQ_OK;
}

/* Buffer and view sizes: 32-bit varints up to version 15, full 64-bit ones from 16. */
static int size_varint(struct idbpq__v8r *r, uint64_t *out)
{
    if (r->version >= 16) return idbpq__v8_varint64(r, out);
    uint32_t v;
    if (!idbpq__v8_varint32(r, &v)) return 0;
    *out = v;
    return 1;
}

static idbpq_status read_array_buffer(struct idbpq__v8r *r, const uint8_t *at, idbpq_value *v,
                                      int resizable)
{
    uint64_t len, max;
    if (!size_varint(r, &len)) return FAIL(at, "truncated ArrayBuffer length");
    max = len;
    if (resizable) {
        if (!size_varint(r, &max))
            return FAIL(at, "truncated resizable ArrayBuffer max length ('~')");
        if (len > max)
            return FAIL(at, "resizable ArrayBuffer length %llu above its maximum %llu",
                        (unsigned long long)len, (unsigned long long)max);
    }
    if (len > (uint64_t)(r->end - r->p))
        return FAIL(at, "ArrayBuffer of %llu bytes runs past the end ('%c')",
                    (unsigned long long)len, resizable ? '~' : 'B');
    if (len) {
        uint8_t *c = idbpq__v8r_alloc(r, (size_t)len);
        if (!c) return r->err ? r->err->status : IDBPQ_NOMEM;
        memcpy(c, r->p, (size_t)len);
        v->u.buffer.bytes = c;
    }
    r->p += len;
    v->u.buffer.len = len;
    v->u.buffer.max_len = max;
    v->u.buffer.resizable = resizable;
    return IDBPQ_OK;
}

/* ReadJSArrayBufferView: the 'V' right after buffer `buf` (its tag already consumed). */
static idbpq_status read_view(struct idbpq__v8r *r, const uint8_t *at, idbpq_value *buf,
                              idbpq_value **out)
{
    uint8_t sub;
    uint64_t off, len;
    uint32_t flags = 0;
    uint64_t blen = buf->u.buffer.len;
    if (!varint8(r, &sub) || !size_varint(r, &off) || !size_varint(r, &len))
        return FAIL(at, "truncated view ('V')");
    if (off > blen || len > blen - off)
        return FAIL(at, "view ('V' '%c') [%llu, +%llu) outside its %llu-byte buffer", sub,
                    (unsigned long long)off, (unsigned long long)len, (unsigned long long)blen);
    if ((r->version >= 14 || r->v13_view_flags) && !idbpq__v8_varint32(r, &flags))
        return FAIL(at, "truncated view flags ('V')");
    idbpq_view_kind kind;
    unsigned size;
    switch (sub) {
    case 'b': kind = IDBPQ_VIEW_INT8; size = 1; break;
    case 'B': kind = IDBPQ_VIEW_UINT8; size = 1; break;
    case 'C': kind = IDBPQ_VIEW_UINT8_CLAMPED; size = 1; break;
    case 'w': kind = IDBPQ_VIEW_INT16; size = 2; break;
    case 'W': kind = IDBPQ_VIEW_UINT16; size = 2; break;
    case 'd': kind = IDBPQ_VIEW_INT32; size = 4; break;
    case 'D': kind = IDBPQ_VIEW_UINT32; size = 4; break;
    case 'h': kind = IDBPQ_VIEW_FLOAT16; size = 2; break; /* Float16Array, newer V8 */
    case 'f': kind = IDBPQ_VIEW_FLOAT32; size = 4; break;
    case 'F': kind = IDBPQ_VIEW_FLOAT64; size = 8; break;
    case 'q': kind = IDBPQ_VIEW_BIGINT64; size = 8; break;
    case 'Q': kind = IDBPQ_VIEW_BIGUINT64; size = 8; break;
    case '?': kind = IDBPQ_VIEW_DATAVIEW; size = 1; break;
    default: return FAIL(at, "unknown view subtag 0x%02x ('V')", sub);
    }
    if (off % size || len % size)
        return FAIL(at, "view ('V' '%c') offset %llu / length %llu not multiples of %u", sub,
                    (unsigned long long)off, (unsigned long long)len, size);
    /* ValidateJSArrayBufferViewFlags: length-tracking / RAB-backed only over a resizable
     * buffer, and a view over a resizable buffer must say so. */
    int tracking = flags & 1, rab = (flags >> 1) & 1;
    if ((tracking || rab) && !buf->u.buffer.resizable)
        return FAIL(at, "view flags %u over a non-resizable buffer ('V')", flags);
    if (buf->u.buffer.resizable && !rab)
        return FAIL(at, "view over a resizable buffer without the RAB flag ('V')");
    idbpq_value *v = idbpq__v8r_new(r, IDBPQ_V_VIEW);
    if (!v || !add_id(r, v)) return r->err ? r->err->status : IDBPQ_NOMEM;
    v->u.view.buffer = buf;
    v->u.view.kind = kind;
    v->u.view.offset = off;
    v->u.view.length = len;
    v->u.view.flags = flags & 3;
    *out = v;
    return IDBPQ_OK;
}

static idbpq_status read_error(struct idbpq__v8r *r, const uint8_t *at, idbpq_value *v)
{
    v->u.error.kind = IDBPQ_ERR_ERROR;
    for (;;) {
        uint8_t t;
        const uint8_t *tat = r->p;
        if (!varint8(r, &t)) return FAIL(at, "truncated Error ('r'): no end sub-tag '.'");
        switch (t) {
        case 'E': v->u.error.kind = IDBPQ_ERR_EVAL; break;
        case 'R': v->u.error.kind = IDBPQ_ERR_RANGE; break;
        case 'F': v->u.error.kind = IDBPQ_ERR_REFERENCE; break;
        case 'S': v->u.error.kind = IDBPQ_ERR_SYNTAX; break;
        case 'T': v->u.error.kind = IDBPQ_ERR_TYPE; break;
        case 'U': v->u.error.kind = IDBPQ_ERR_URI; break;
        case 'm': IDBPQ__TRY(read_string(r, &v->u.error.message, "Error message")); break;
        case 's': IDBPQ__TRY(read_string(r, &v->u.error.stack, "Error stack")); break;
        case 'c': IDBPQ__TRY(read_value(r, &v->u.error.cause)); break;
        case '.': return IDBPQ_OK;
        default: return FAIL(tat, "unknown Error sub-tag 0x%02x ('r')", t);
        }
    }
}

/* ---- the value switch --------------------------------------------------------------------- */

static idbpq_value *new_receiver(struct idbpq__v8r *r, idbpq_vtype t)
{
    idbpq_value *v = idbpq__v8r_new(r, t);
    if (v && !add_id(r, v)) return NULL;
    return v;
}

#define NEWR(t)                                                    \
    do {                                                           \
        if (!(v = new_receiver(r, (t))))                           \
            return r->err ? r->err->status : IDBPQ_NOMEM;          \
    } while (0)
#define NEWP(t)                                                    \
    do {                                                           \
        if (!(v = idbpq__v8r_new(r, (t))))                         \
            return r->err ? r->err->status : IDBPQ_NOMEM;          \
    } while (0)

static idbpq_status read_internal(struct idbpq__v8r *r, idbpq_value **out)
{
    uint8_t tag = read_tag(r);
    const uint8_t *at = r->p - 1;
    idbpq_value *v = NULL;
    switch (tag) {
    case 0: return FAIL(r->end, "truncated: a value was expected");
    case '?': {
        uint32_t ignored;
        if (!idbpq__v8_varint32(r, &ignored)) return FAIL(at, "truncated object count ('?')");
        return read_value(r, out);
    }
    case '_': NEWP(IDBPQ_V_UNDEFINED); break;
    case '0': NEWP(IDBPQ_V_NULL); break;
    case 'T': NEWP(IDBPQ_V_BOOLEAN); v->u.boolean = 1; break;
    case 'F': NEWP(IDBPQ_V_BOOLEAN); break;
    case 'I': {
        uint32_t z;
        if (!idbpq__v8_varint32(r, &z)) return FAIL(at, "truncated int32 ('I')");
        NEWP(IDBPQ_V_NUMBER);
        v->u.number = (double)(int32_t)((z >> 1) ^ (0u - (z & 1)));
        break;
    }
    case 'U': {
        uint32_t u;
        if (!idbpq__v8_varint32(r, &u)) return FAIL(at, "truncated uint32 ('U')");
        NEWP(IDBPQ_V_NUMBER);
        v->u.number = (double)u;
        break;
    }
    case 'N': {
        double d;
        if (!read_double(r, &d)) return FAIL(at, "truncated double ('N')");
        NEWP(IDBPQ_V_NUMBER);
        v->u.number = d;
        break;
    }
    case 'Z': NEWP(IDBPQ_V_BIGINT); IDBPQ__TRY(read_bigint(r, at, v)); break;
    case '"':
    case 'c':
    case 'S': return read_string_body(r, tag, at, out);
    case '^': {
        uint32_t id;
        if (!idbpq__v8_varint32(r, &id)) return FAIL(at, "truncated object reference ('^')");
        if (id >= r->n_ids)
            return FAIL(at, "reference ('^') to object id %u; only %u assigned", id, r->n_ids);
        *out = r->ids[id];
        return IDBPQ_OK;
    }
    case 'o': NEWR(IDBPQ_V_OBJECT); IDBPQ__TRY(read_object(r, at, v)); break;
    case 'A':
    case 'a': {
        uint32_t length;
        if (!idbpq__v8_varint32(r, &length)) return FAIL(at, "truncated array length ('%c')", tag);
        /* Each element takes a byte at least: a longer dense array cannot be real. */
        if (tag == 'A' && length > (size_t)(r->end - r->p))
            return FAIL(at, "dense array ('A') of length %u in %zu bytes", length,
                        (size_t)(r->end - r->p));
        NEWR(IDBPQ_V_ARRAY);
        v->u.array.length = length;
        if (tag == 'A') {
            IDBPQ__TRY(read_dense(r, at, v));
        } else {
            v->u.array.sparse = 1;
            size_t base = r->n_stk;
            IDBPQ__TRY(read_props(r, '@', "sparse array ('a')"));
            IDBPQ__TRY(read_array_end(r, v, base, length, '@'));
        }
        break;
    }
    case 'D': {
        double d;
        if (!read_double(r, &d)) return FAIL(at, "truncated Date ('D')");
        NEWR(IDBPQ_V_DATE);
        v->u.number = d;
        break;
    }
    case 'y':
    case 'x':
    case 'n':
    case 'z':
    case 's': {
        NEWR(IDBPQ_V_BOXED);
        idbpq_value *in;
        if (tag == 'y' || tag == 'x') {
            if (!(in = idbpq__v8r_new(r, IDBPQ_V_BOOLEAN))) return r->err->status;
            in->u.boolean = tag == 'y';
        } else if (tag == 'n') {
            double d;
            if (!read_double(r, &d)) return FAIL(at, "truncated Number object ('n')");
            if (!(in = idbpq__v8r_new(r, IDBPQ_V_NUMBER))) return r->err->status;
            in->u.number = d;
        } else if (tag == 'z') {
            if (!(in = idbpq__v8r_new(r, IDBPQ_V_BIGINT))) return r->err->status;
            IDBPQ__TRY(read_bigint(r, at, in));
        } else {
            IDBPQ__TRY(read_string(r, &in, "String object ('s') content"));
        }
        v->u.boxed = in;
        break;
    }
    case 'R': {
        NEWR(IDBPQ_V_REGEXP);
        IDBPQ__TRY(read_string(r, &v->u.regexp.source, "RegExp ('R') source"));
        uint32_t flags;
        const uint8_t *fat = r->p;
        if (!idbpq__v8_varint32(r, &flags)) return FAIL(fat, "truncated RegExp flags ('R')");
        /* ReadJSRegExp refuses bits past the known flags (g i m y u s linear d v). */
        if (flags >> 9) return FAIL(fat, "RegExp ('R') flags 0x%x has unknown bits", flags);
        v->u.regexp.flags = flags;
        break;
    }
    case ';': NEWR(IDBPQ_V_MAP); IDBPQ__TRY(read_collection(r, v, ':', 2, "Map (';')")); break;
    case '\'': NEWR(IDBPQ_V_SET); IDBPQ__TRY(read_collection(r, v, ',', 1, "Set (''')")); break;
    case 'B':
    case '~':
        NEWR(IDBPQ_V_ARRAY_BUFFER);
        IDBPQ__TRY(read_array_buffer(r, at, v, tag == '~'));
        break;
    case 'r': NEWR(IDBPQ_V_ERROR); IDBPQ__TRY(read_error(r, at, v)); break;
    case '\\':
        if (r->version < 13) goto unknown;
        NEWR(IDBPQ_V_HOST);
        IDBPQ__TRY(idbpq__blink_read_host(r, v));
        break;
    case 't': return FAIL(at, "transferred ArrayBuffer ('t') cannot be stored");
    case 'u': return FAIL(at, "SharedArrayBuffer ('u') cannot be stored");
    case 'w': return FAIL(at, "WebAssembly module transfer ('w') cannot be stored");
    case 'm': return FAIL(at, "WebAssembly memory ('m') cannot be stored");
    case '-': return FAIL(at, "hole ('-') outside a dense array");
    case 'V': return FAIL(at, "view ('V') not right after an ArrayBuffer");
    case 0xff: return FAIL(at, "version tag (0xFF) inside a value");
    default:
    unknown:
        if (tag == 'p' && r->version >= 15)
            return FAIL(at, "shared object ('p') cannot be stored");
        /* Before format 13 every unknown tag was the embedder's: Blink's tag byte itself. */
        if (r->version < 13) {
            r->p = at;
            NEWR(IDBPQ_V_HOST);
            IDBPQ__TRY(idbpq__blink_read_host(r, v));
            break;
        }
        if (tag >= 0x20 && tag < 0x7f) return FAIL(at, "unknown tag '%c'", tag);
        return FAIL(at, "unknown tag 0x%02x", tag);
    }
    *out = v;
    return IDBPQ_OK;
}

/* ReadObject: one value, and the view that follows an ArrayBuffer. */
static idbpq_status read_value(struct idbpq__v8r *r, idbpq_value **out)
{
    if (IDBPQ__UNLIKELY(++r->depth > r->max_depth))
        return idbpq__v8r_fail(r, IDBPQ_LIMIT, r->p, "nesting deeper than max_depth (%u)",
                               r->max_depth);
    idbpq_status st = read_internal(r, out);
    if (st == IDBPQ_OK && IDBPQ__UNLIKELY((*out)->type == IDBPQ_V_ARRAY_BUFFER) &&
        peek_tag(r) == 'V') {
        read_tag(r);
        st = read_view(r, r->p - 1, *out, out);
    }
    r->depth--;
    return st;
}

idbpq_status idbpq__v8_read(struct idbpq__v8r *r, idbpq_value **out)
{
    const uint8_t *start = r->p;
    idbpq_status st = read_value(r, out);
    if (st == IDBPQ_CORRUPT && r->version == 13 && !r->v13_view_flags) {
        /* crbug.com/1284506: a V8 bug wrote view flags in some version-13 data; V8 reads
         * such data again expecting them (ReadObjectWrapper). Keep the first error. */
        idbpq_error first;
        if (r->err) first = *r->err;
        r->p = start;
        r->depth = 0;
        r->n_ids = 0;
        r->n_stk = 0;
        r->v13_view_flags = 1;
        if (read_value(r, out) == IDBPQ_OK) return IDBPQ_OK;
        if (r->err) *r->err = first;
    }
    return st;
}
