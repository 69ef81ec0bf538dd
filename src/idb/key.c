/*
 * key.c — the IndexedDB key model: comparison ("compare two keys"), conversion of a
 * JavaScript value to a key ("convert a value to a key") and back, plus the small helpers the
 * rest of src/idb shares (error recording, string order, batch allocation, buffer appends).
 * Spec: W3C Indexed Database API 3.0, §2.8 Keys and §7.1 "convert a value to a key".
 */
#include "idb/idb.h"

#include <math.h>
#include <stdio.h>

/* ---- shared helpers ----------------------------------------------------------------------- */

int idbpq__kstr_cmp(const idbpq_str *a, const idbpq_str *b)
{
    uint32_t n = a->len < b->len ? a->len : b->len;
    if (!a->two_byte && !b->two_byte) {
        int c = n ? memcmp(a->data, b->data, n) : 0;
        if (c) return c < 0 ? -1 : 1;
    } else {
        for (uint32_t i = 0; i < n; i++) {
            uint16_t x = idbpq__str_unit(a, i), y = idbpq__str_unit(b, i);
            if (x != y) return x < y ? -1 : 1;
        }
    }
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

void *idbpq__kalloc(idbpq_vbatch *b, size_t n)
{
    void *p = idbpq_vbatch_alloc(b, n ? n : 1);
    if (p) memset(p, 0, n ? n : 1);
    return p;
}

idbpq_status idbpq__kbuf_append(idbpq_buffer *out, const void *p, size_t n)
{
    if (!out) return IDBPQ_INVALID_ARG;
    if (n > SIZE_MAX - out->len) return IDBPQ_NOMEM;
    if (out->len + n > out->cap) {
        size_t cap = out->cap ? out->cap : 64;
        while (cap < out->len + n) cap = cap > SIZE_MAX / 2 ? out->len + n : cap * 2;
        uint8_t *np = idbpq__realloc(out->alc, out->data, out->cap, cap);
        if (!np) return IDBPQ_NOMEM;
        out->data = np;
        out->cap = cap;
    }
    if (n) memcpy(out->data + out->len, p, n);
    out->len += n;
    return IDBPQ_OK;
}

/* ---- compare two keys ---------------------------------------------------------------------- */

/* Spec "compare two keys": types order Number < Date < String < Binary < Array (our enum
 * numbers follow that order); numbers and dates numerically (so -0 == +0); strings by code
 * unit; binary bytewise then by length; arrays item by item, then the shorter first. */
int idbpq_key_cmp(const idbpq_key *a, const idbpq_key *b)
{
    if (a->type != b->type) return a->type < b->type ? -1 : 1;
    switch (a->type) {
    case IDBPQ_KEY_NUMBER:
    case IDBPQ_KEY_DATE:
        return a->u.number < b->u.number ? -1 : a->u.number > b->u.number ? 1 : 0;
    case IDBPQ_KEY_STRING:
        return idbpq__kstr_cmp(&a->u.str, &b->u.str);
    case IDBPQ_KEY_BINARY: {
        uint32_t n = a->u.binary.len < b->u.binary.len ? a->u.binary.len : b->u.binary.len;
        int c = n ? memcmp(a->u.binary.bytes, b->u.binary.bytes, n) : 0;
        if (c) return c < 0 ? -1 : 1;
        return a->u.binary.len < b->u.binary.len ? -1 : a->u.binary.len > b->u.binary.len;
    }
    case IDBPQ_KEY_ARRAY: {
        uint32_t n = a->u.array.n < b->u.array.n ? a->u.array.n : b->u.array.n;
        for (uint32_t i = 0; i < n; i++) {
            int c = idbpq_key_cmp(&a->u.array.items[i], &b->u.array.items[i]);
            if (c) return c;
        }
        return a->u.array.n < b->u.array.n ? -1 : a->u.array.n > b->u.array.n;
    }
    }
    return 0;
}

/* ---- convert a value to a key ------------------------------------------------------------- */

/* The arrays being converted, innermost first: the spec's `seen` list. Chromium (Blink's
 * CreateIDBKeyFromValue) pops an array when done with it, so only ancestors count: the same
 * array twice side by side ([a, a]) is a valid key, an array inside itself is not. */
struct ancestor {
    const idbpq_value *v;
    const struct ancestor *up;
};

static idbpq_status str_copy(idbpq_vbatch *b, const idbpq_str *s, idbpq_str *out)
{
    size_t bytes = (size_t)s->len * (s->two_byte ? 2 : 1);
    void *p = idbpq__kalloc(b, bytes);
    if (!p) return IDBPQ_NOMEM;
    if (bytes) memcpy(p, s->data, bytes);
    out->data = p;
    out->len = s->len;
    out->two_byte = s->two_byte;
    return IDBPQ_OK;
}

static idbpq_status bytes_key(idbpq_vbatch *b, const uint8_t *p, uint64_t len, idbpq_key *k,
                              idbpq_error *err)
{
    if (len > UINT32_MAX)
        return idbpq__verr(err, IDBPQ_LIMIT, 0, "binary key of %llu bytes is too large",
                              (unsigned long long)len);
    uint8_t *c = idbpq__kalloc(b, (size_t)len);
    if (!c) return IDBPQ_NOMEM;
    if (len) memcpy(c, p, (size_t)len);
    k->type = IDBPQ_KEY_BINARY;
    k->u.binary.bytes = c;
    k->u.binary.len = (uint32_t)len;
    return IDBPQ_OK;
}

/* The array index a property key names, or -1: integer-like numbers, or canonical decimal
 * strings ("0", "17", not "017") below 2^32 - 1. */
static int64_t prop_index(const idbpq_value *key)
{
    if (!key) return -1;
    if (key->type == IDBPQ_V_NUMBER) {
        double d = key->u.number;
        if (d >= 0 && d < 4294967295.0 && d == floor(d)) return (int64_t)d;
        return -1;
    }
    if (key->type != IDBPQ_V_STRING) return -1;
    const idbpq_str *s = &key->u.str;
    if (s->len == 0 || s->len > 10) return -1;
    if (s->len > 1 && idbpq__str_unit(s, 0) == '0') return -1;
    int64_t v = 0;
    for (uint32_t i = 0; i < s->len; i++) {
        uint16_t c = idbpq__str_unit(s, i);
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    return v < 4294967295LL ? v : -1;
}

static const char *vtype_name(unsigned t)
{
    static const char *const names[] = {
        "undefined", "null",   "boolean",     "number",      "bigint", "string", "object",
        "array",     "Date",   "RegExp",      "boxed primitive", "Map", "Set", "ArrayBuffer",
        "ArrayBufferView", "Error", "Blob", "File", "FileList", "host object", "array hole"};
    return t < sizeof names / sizeof names[0] ? names[t] : "unknown value";
}

static idbpq_status to_key(idbpq_vbatch *b, const idbpq_value *v, const struct ancestor *seen,
                           unsigned depth, idbpq_key *k, idbpq_error *err);

static idbpq_status array_to_key(idbpq_vbatch *b, const idbpq_value *v,
                                 const struct ancestor *seen, unsigned depth, idbpq_key *k,
                                 idbpq_error *err)
{
    for (const struct ancestor *a = seen; a; a = a->up)
        if (a->v == v)
            return idbpq__verr(err, IDBPQ_INVALID_ARG, 0,
                                  "not a valid key: an array that contains itself");
    if (depth >= IDBPQ__KEY_MAX_DEPTH)
        return idbpq__verr(err, IDBPQ_INVALID_ARG, 0,
                              "not a valid key: arrays nested deeper than %d",
                              IDBPQ__KEY_MAX_DEPTH);
    struct ancestor me = {v, seen};
    uint32_t len = v->u.array.length;
    if (!v->u.array.sparse && len && !v->u.array.items)
        return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "array value without items");
    /* A sparse array is a key only when every index below length is present; count first
     * so that a huge, mostly empty array is refused without allocating for it. */
    if (v->u.array.sparse) {
        uint32_t present = 0;
        for (uint32_t i = 0; i < v->u.array.n_props; i++) {
            int64_t ix = prop_index(v->u.array.props[i].key);
            if (ix >= 0 && ix < len) present++;
        }
        if (present < len)
            return idbpq__verr(err, IDBPQ_INVALID_ARG, 0,
                                  "not a valid key: array with holes (%u of %u elements)",
                                  present, len);
    }
    idbpq_key *items = idbpq__kalloc(b, (size_t)len * sizeof *items);
    if (!items) return IDBPQ_NOMEM;
    if (!v->u.array.sparse) {
        for (uint32_t i = 0; i < len; i++) {
            const idbpq_value *it = v->u.array.items[i];
            if (!it || it->type == IDBPQ_V_HOLE)
                return idbpq__verr(err, IDBPQ_INVALID_ARG, 0,
                                      "not a valid key: array hole at index %u", i);
            idbpq_status st = to_key(b, it, &me, depth + 1, &items[i], err);
            if (st != IDBPQ_OK) return st;
        }
    } else {
        for (uint32_t i = 0; i < v->u.array.n_props; i++) {
            int64_t ix = prop_index(v->u.array.props[i].key);
            if (ix < 0 || ix >= len) continue;
            idbpq_status st = to_key(b, v->u.array.props[i].value, &me, depth + 1,
                                     &items[ix], err);
            if (st != IDBPQ_OK) return st;
        }
        for (uint32_t i = 0; i < len; i++) /* type 0: an index given by no property */
            if (items[i].type == 0)
                return idbpq__verr(err, IDBPQ_INVALID_ARG, 0,
                                      "not a valid key: array hole at index %u", i);
    }
    k->type = IDBPQ_KEY_ARRAY;
    k->u.array.items = items;
    k->u.array.n = len;
    return IDBPQ_OK;
}

static idbpq_status to_key(idbpq_vbatch *b, const idbpq_value *v, const struct ancestor *seen,
                           unsigned depth, idbpq_key *k, idbpq_error *err)
{
    if (!v) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "no value");
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_NUMBER:
        if (isnan(v->u.number))
            return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "not a valid key: NaN");
        k->type = IDBPQ_KEY_NUMBER;
        k->u.number = v->u.number;
        return IDBPQ_OK;
    case IDBPQ_V_DATE:
        if (isnan(v->u.number))
            return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "not a valid key: invalid Date");
        k->type = IDBPQ_KEY_DATE;
        k->u.number = v->u.number;
        return IDBPQ_OK;
    case IDBPQ_V_STRING:
        k->type = IDBPQ_KEY_STRING;
        return str_copy(b, &v->u.str, &k->u.str);
    case IDBPQ_V_ARRAY_BUFFER:
        if (v->u.buffer.len && !v->u.buffer.bytes)
            return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "ArrayBuffer without bytes");
        return bytes_key(b, v->u.buffer.bytes, v->u.buffer.len, k, err);
    case IDBPQ_V_VIEW: {
        /* The viewed bytes only (spec: "get a copy of the bytes held by the buffer source"). */
        const idbpq_value *buf = v->u.view.buffer;
        if (!buf || buf->type != IDBPQ_V_ARRAY_BUFFER)
            return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "view without an ArrayBuffer");
        uint64_t off = v->u.view.offset, len = v->u.view.length;
        if (off > buf->u.buffer.len || len > buf->u.buffer.len - off ||
            (len && !buf->u.buffer.bytes))
            return idbpq__verr(err, IDBPQ_INVALID_ARG, 0,
                                  "view [%llu, +%llu) outside its %llu-byte buffer",
                                  (unsigned long long)off, (unsigned long long)len,
                                  (unsigned long long)buf->u.buffer.len);
        return bytes_key(b, len ? buf->u.buffer.bytes + off : NULL, len, k, err);
    }
    case IDBPQ_V_ARRAY:
        return array_to_key(b, v, seen, depth, k, err);
    case IDBPQ_V_UNDEFINED:
    case IDBPQ_V_NULL:
    case IDBPQ_V_BOOLEAN:
    case IDBPQ_V_BIGINT:
    case IDBPQ_V_OBJECT:
    case IDBPQ_V_REGEXP:
    case IDBPQ_V_BOXED:
    case IDBPQ_V_MAP:
    case IDBPQ_V_SET:
    case IDBPQ_V_ERROR:
    case IDBPQ_V_BLOB:
    case IDBPQ_V_FILE:
    case IDBPQ_V_FILE_LIST:
    case IDBPQ_V_HOST:
    case IDBPQ_V_HOLE:
        break;
    }
    return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "not a valid key: %s",
                          vtype_name(v->type));
}

idbpq_status idbpq_key_from_value(idbpq_vbatch *b, const idbpq_value *v, idbpq_key **out,
                                  idbpq_error *err)
{
    if (out) *out = NULL;
    if (!b || !v || !out) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    idbpq_key *k = idbpq__kalloc(b, sizeof *k);
    if (!k) return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    idbpq_status st = to_key(b, v, NULL, 0, k, err);
    if (st == IDBPQ_NOMEM) return idbpq__verr(err, st, 0, "out of memory");
    if (st != IDBPQ_OK) return st;
    *out = k;
    return IDBPQ_OK;
}

/* ---- key to value ---------------------------------------------------------------------------- */

static idbpq_value *to_value(idbpq_vbatch *b, const idbpq_key *k, unsigned depth)
{
    if (depth > IDBPQ__KEY_MAX_DEPTH) return NULL;
    idbpq_value *v;
    switch (k->type) {
    case IDBPQ_KEY_NUMBER:
    case IDBPQ_KEY_DATE:
        v = idbpq_value_new(b, k->type == IDBPQ_KEY_NUMBER ? IDBPQ_V_NUMBER : IDBPQ_V_DATE);
        if (v) v->u.number = k->u.number;
        return v;
    case IDBPQ_KEY_STRING:
        v = idbpq_value_new(b, IDBPQ_V_STRING);
        if (v && str_copy(b, &k->u.str, &v->u.str) != IDBPQ_OK) return NULL;
        return v;
    case IDBPQ_KEY_BINARY: {
        v = idbpq_value_new(b, IDBPQ_V_ARRAY_BUFFER);
        if (!v) return NULL;
        uint8_t *c = idbpq__kalloc(b, k->u.binary.len);
        if (!c) return NULL;
        if (k->u.binary.len) memcpy(c, k->u.binary.bytes, k->u.binary.len);
        v->u.buffer.bytes = c;
        v->u.buffer.len = v->u.buffer.max_len = k->u.binary.len;
        return v;
    }
    case IDBPQ_KEY_ARRAY: {
        v = idbpq_value_new(b, IDBPQ_V_ARRAY);
        if (!v) return NULL;
        idbpq_value **items = idbpq__kalloc(b, (size_t)k->u.array.n * sizeof *items);
        if (!items) return NULL;
        for (uint32_t i = 0; i < k->u.array.n; i++)
            if (!(items[i] = to_value(b, &k->u.array.items[i], depth + 1))) return NULL;
        v->u.array.items = items;
        v->u.array.length = k->u.array.n;
        return v;
    }
    }
    return NULL;
}

idbpq_value *idbpq_key_to_value(idbpq_vbatch *b, const idbpq_key *k)
{
    if (!b || !k) return NULL;
    return to_value(b, k, 0);
}
