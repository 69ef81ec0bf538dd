/*
 * variant.c — JavaScript values into Parquet VARIANT bytes (VariantEncoding.md): which values
 * a VARIANT holds (idbpq__variant_class) and the encoder. The conventions are variant.h's.
 *
 * Encoding walks the value twice. The first walk finds everything that makes a value
 * unholdable, so that the second can fail only for memory or size, and collects every
 * property name. The names are then sorted into the metadata dictionary: the spec wants an
 * object's field ids in the order of their names, and with a sorted dictionary that is the
 * order of the ids themselves. The second walk writes the value: a container's children
 * first, then its header is slid in front of them, because the widths of its offsets depend
 * on the children's total size.
 */
#include "mapping/variant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The decoder's nesting limit: whatever is written can be read back. */
#define VAR_MAX_DEPTH 1000u

/* 10^38 as two 64-bit halves: decimal16 holds at most 38 digits. */
#define TEN38_HI 0x4b3b4ca85a86c47aull
#define TEN38_LO 0x098a224000000000ull

/* ---- classes -------------------------------------------------------------------------------- */

static int str_well_formed(const idbpq_str *s)
{
    if (!s->two_byte) return 1;
    const uint16_t *u = s->data;
    for (uint32_t i = 0; i < s->len; i++) {
        if (u[i] < 0xd800 || u[i] > 0xdfff) continue;
        if (u[i] > 0xdbff || i + 1 >= s->len || u[i + 1] < 0xdc00 || u[i + 1] > 0xdfff) return 0;
        i++;
    }
    return 1;
}

/* A BigInt's magnitude; 0 when it needs more than 128 bits. */
static int bigint_mag(const idbpq_value *v, uint64_t *hi, uint64_t *lo)
{
    uint32_t n = v->u.bigint.len;
    while (n && v->u.bigint.digits[n - 1] == 0) n--;
    if (n > 16) return 0;
    *hi = *lo = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t d = v->u.bigint.digits[i];
        if (i < 8) *lo |= d << (8 * i);
        else *hi |= d << (8 * (i - 8));
    }
    return 1;
}

static int bigint_fits(const idbpq_value *v)
{
    uint64_t hi, lo;
    return bigint_mag(v, &hi, &lo) && (hi < TEN38_HI || (hi == TEN38_HI && lo < TEN38_LO));
}

/* A time value JavaScript can have: TimeClip's range, whole milliseconds, and not -0 (TimeClip
 * makes it +0; V8 bytes can still hold it, and a timestamp would read back +0). */
static int date_valid(double ms)
{
    return fabs(ms) <= 8.64e15 && ms == floor(ms) && !(ms == 0 && signbit(ms));
}

static int number_is_int(double d)
{
    return fabs(d) <= 9007199254740992.0 && d == floor(d) && !(d == 0 && signbit(d));
}

static const char *array_flaw(const idbpq_value *v)
{
    if (v->u.array.n_props) return "an array with extra properties";
    if (v->u.array.length == 0) return NULL;
    if (v->u.array.sparse || !v->u.array.items) return "a sparse array";
    for (uint32_t i = 0; i < v->u.array.length; i++)
        if (!v->u.array.items[i] || v->u.array.items[i]->type == IDBPQ_V_HOLE)
            return "an array with holes";
    return NULL;
}

static const char *binary_flaw(const idbpq_value *v, uint32_t flags)
{
    const int u8 = (flags & IDBPQ__VAR_UINT8ARRAY) != 0;
    if (v->type == IDBPQ_V_ARRAY_BUFFER) {
        if (v->u.buffer.resizable) return "a resizable ArrayBuffer";
        if (u8) return "an ArrayBuffer (this column holds Uint8Arrays)";
        if (v->u.buffer.len > UINT32_MAX) return "an ArrayBuffer of 4 GiB or more";
        return NULL;
    }
    const idbpq_value *buf = v->u.view.buffer;
    if (v->u.view.kind != IDBPQ_VIEW_UINT8) return "a typed array or DataView other than Uint8Array";
    if (!u8) return "a Uint8Array (this column holds ArrayBuffers)";
    if (!buf || buf->type != IDBPQ_V_ARRAY_BUFFER || buf->u.buffer.resizable || v->u.view.flags)
        return "a Uint8Array over a resizable buffer";
    if (v->u.view.offset != 0 || v->u.view.length != buf->u.buffer.len)
        return "a Uint8Array that is not its whole buffer";
    if (buf->u.buffer.len > UINT32_MAX) return "a Uint8Array of 4 GiB or more";
    return NULL;
}

/* The class, and when it is NONE, why (a noun phrase for messages). */
static idbpq__vclass classify(const idbpq_value *v, uint32_t flags, const char **why)
{
    const char *w = NULL;
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_NULL: return IDBPQ__VC_NULL;
    case IDBPQ_V_BOOLEAN: return IDBPQ__VC_BOOLEAN;
    case IDBPQ_V_NUMBER: return number_is_int(v->u.number) ? IDBPQ__VC_INT : IDBPQ__VC_DOUBLE;
    case IDBPQ_V_BIGINT:
        if (bigint_fits(v)) return IDBPQ__VC_DECIMAL;
        w = "a BigInt of more than 38 digits";
        break;
    case IDBPQ_V_STRING:
        if (str_well_formed(&v->u.str)) return IDBPQ__VC_STRING;
        w = "a string with a lone surrogate";
        break;
    case IDBPQ_V_DATE:
        if (date_valid(v->u.number)) return IDBPQ__VC_TIMESTAMP;
        w = "an invalid Date";
        break;
    case IDBPQ_V_OBJECT: return IDBPQ__VC_OBJECT;
    case IDBPQ_V_ARRAY:
        if (!(w = array_flaw(v))) return IDBPQ__VC_ARRAY;
        break;
    case IDBPQ_V_ARRAY_BUFFER:
    case IDBPQ_V_VIEW:
        if (!(w = binary_flaw(v, flags))) return IDBPQ__VC_BINARY;
        break;
    case IDBPQ_V_UNDEFINED: w = "undefined"; break;
    case IDBPQ_V_REGEXP: w = "a RegExp"; break;
    case IDBPQ_V_BOXED: w = "a boxed primitive"; break;
    case IDBPQ_V_MAP: w = "a Map"; break;
    case IDBPQ_V_SET: w = "a Set"; break;
    case IDBPQ_V_ERROR: w = "an Error"; break;
    case IDBPQ_V_BLOB: w = "a Blob"; break;
    case IDBPQ_V_FILE: w = "a File"; break;
    case IDBPQ_V_FILE_LIST: w = "a FileList"; break;
    case IDBPQ_V_HOST: w = "a host object"; break;
    case IDBPQ_V_HOLE: w = "a hole"; break;
    default: w = "a value of unknown type"; break;
    }
    if (why) *why = w;
    return IDBPQ__VC_NONE;
}

idbpq__vclass idbpq__variant_class(const idbpq_value *v, uint32_t flags)
{
    return v ? classify(v, flags, NULL) : IDBPQ__VC_NONE;
}

/* ---- the encoder's state, paths for messages -------------------------------------------------- */

struct name {          /* one property name met by the first walk */
    const uint8_t *p;  /* into enc.names (set once the walk is over: the buffer moves) */
    size_t off;
    uint32_t len, seq; /* seq: the property's number in walk order */
};

struct slot {          /* a child of the container being written: its field id and offset */
    uint32_t id, off;
};

struct frame {         /* a step of the path: a property key, or an array index */
    const idbpq_value *key;
    uint32_t index;
};

struct enc {
    uint32_t flags, max_depth, depth;
    const idbpq_allocator *alc;
    struct idbpq__err *err;
    struct idbpq__pmap seen;
    struct idbpq__buf names;
    struct name *ents;
    size_t n_ents, cap_ents;
    uint32_t *ids;          /* dictionary id of property number seq */
    size_t cap_ids;
    uint32_t n_dict, next_prop;
    struct slot *slots;     /* a stack: each container's children above its parent's */
    size_t n_slots, cap_slots;
    struct frame path[VAR_MAX_DEPTH + 1];
};

static int ident_char(uint16_t c, int first)
{
    return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

/* "a.b[3]", or "" at the top; cut short (with "...") when it would not fit. */
static void path_text(const struct enc *e, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (uint32_t d = 0; d < e->depth && o + 40 < cap; d++) {
        const struct frame *f = &e->path[d];
        if (!f->key) {
            o += (size_t)snprintf(out + o, cap - o, "[%u]", f->index);
            continue;
        }
        char tmp[32];
        idbpq_str s = idbpq__key_name(f->key, tmp);
        int ident = s.len > 0 && s.len <= 40;
        for (uint32_t i = 0; ident && i < s.len; i++) ident = ident_char(idbpq__str_unit(&s, i), i == 0);
        if (ident) {
            if (o) out[o++] = '.';
        } else if (f->key->type == IDBPQ_V_NUMBER) {
            o += (size_t)snprintf(out + o, cap - o, "[%s]", tmp);
            continue;
        } else {
            out[o++] = '[';
            out[o++] = '"';
        }
        for (uint32_t i = 0; i < s.len && o + 12 < cap; i++) {
            uint16_t c = idbpq__str_unit(&s, i);
            if (i == 24 && s.len > 28) {
                o += (size_t)snprintf(out + o, cap - o, "...");
                break;
            }
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') out[o++] = (char)c;
            else o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
        }
        if (!ident) {
            out[o++] = '"';
            out[o++] = ']';
        }
        out[o] = 0;
    }
    if (e->depth && o + 40 >= cap) snprintf(out + o, cap - o, "...");
}

static idbpq_status refuse(struct enc *e, idbpq_status st, const char *why)
{
    char path[320];
    path_text(e, path, sizeof path);
    return idbpq__fail(e->err, st, "%s: %s (a VARIANT cannot hold it)", path[0] ? path : "value",
                       why);
}

static idbpq_status grow(struct enc *e, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return IDBPQ_OK;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need) nc *= 2;
    void *p = idbpq__realloc(e->alc, *arr, *cap * elem, nc * elem);
    if (!p) return idbpq__fail(e->err, IDBPQ_NOMEM, "out of memory encoding a VARIANT");
    *arr = p;
    *cap = nc;
    return IDBPQ_OK;
}

/* ---- UTF-8 ------------------------------------------------------------------------------------ */

/* For well-formed strings (checked by classify). */
static uint64_t utf8_len(const idbpq_str *s)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < s->len; i++) {
        uint16_t c = idbpq__str_unit(s, i);
        if (c < 0x80) n += 1;
        else if (c < 0x800) n += 2;
        else if (c >= 0xd800 && c <= 0xdbff) n += 4, i++;
        else n += 3;
    }
    return n;
}

static uint8_t *utf8_put(uint8_t *o, const idbpq_str *s)
{
    for (uint32_t i = 0; i < s->len; i++) {
        uint32_t c = idbpq__str_unit(s, i);
        if (c < 0x80) {
            *o++ = (uint8_t)c;
        } else if (c < 0x800) {
            *o++ = (uint8_t)(0xc0 | c >> 6);
            *o++ = (uint8_t)(0x80 | (c & 0x3f));
        } else if (c >= 0xd800 && c <= 0xdbff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (idbpq__str_unit(s, ++i) - 0xdc00u);
            *o++ = (uint8_t)(0xf0 | c >> 18);
            *o++ = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
            *o++ = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
            *o++ = (uint8_t)(0x80 | (c & 0x3f));
        } else {
            *o++ = (uint8_t)(0xe0 | c >> 12);
            *o++ = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
            *o++ = (uint8_t)(0x80 | (c & 0x3f));
        }
    }
    return o;
}

/* ---- first walk: check, collect names -------------------------------------------------------- */

static idbpq_status add_name(struct enc *e, const idbpq_value *key)
{
    char tmp[32];
    idbpq_str s = idbpq__key_name(key, tmp);
    if (!str_well_formed(&s)) return refuse(e, IDBPQ_UNSUPPORTED, "a property name with a lone surrogate");
    uint64_t n = utf8_len(&s);
    if (n > UINT32_MAX) return refuse(e, IDBPQ_LIMIT, "a property name of 4 GiB or more");
    IDBPQ__TRY(grow(e, (void **)&e->ents, &e->cap_ents, e->n_ents + 1, sizeof *e->ents));
    /* At least a byte: an empty first name must not leave the buffer unallocated. */
    if (idbpq__buf_reserve(&e->names, (size_t)n + 1) != IDBPQ_OK)
        return idbpq__fail(e->err, IDBPQ_NOMEM, "out of memory encoding a VARIANT");
    e->ents[e->n_ents] = (struct name){NULL, e->names.len, (uint32_t)n, (uint32_t)e->n_ents};
    e->names.len = (size_t)(utf8_put(e->names.p + e->names.len, &s) - e->names.p);
    e->n_ents++;
    return e->n_ents > UINT32_MAX ? refuse(e, IDBPQ_LIMIT, "more than 2^32 properties") : IDBPQ_OK;
}

static idbpq_status mark_seen(struct enc *e, const idbpq_value *v)
{
    if (idbpq__pmap_get(&e->seen, v)) return refuse(e, IDBPQ_UNSUPPORTED, "a shared or cyclic reference");
    if (idbpq__pmap_put(&e->seen, v, 0) != IDBPQ_OK)
        return idbpq__fail(e->err, IDBPQ_NOMEM, "out of memory encoding a VARIANT");
    return IDBPQ_OK;
}

static idbpq_status check(struct enc *e, const idbpq_value *v)
{
    const char *why = "";
    idbpq__vclass c = classify(v, e->flags, &why);
    if (c == IDBPQ__VC_NONE) return refuse(e, IDBPQ_UNSUPPORTED, why);
    if (c == IDBPQ__VC_STRING && utf8_len(&v->u.str) > UINT32_MAX)
        return refuse(e, IDBPQ_LIMIT, "a string of 4 GiB or more");
    if (!idbpq__is_object(v->type)) return IDBPQ_OK;
    IDBPQ__TRY(mark_seen(e, v));
    if (v->type == IDBPQ_V_VIEW) return mark_seen(e, v->u.view.buffer);
    if (c != IDBPQ__VC_OBJECT && c != IDBPQ__VC_ARRAY) return IDBPQ_OK;
    uint32_t n = c == IDBPQ__VC_OBJECT ? v->u.object.n : v->u.array.length;
    if (n && e->depth >= e->max_depth) {
        char msg[64];
        snprintf(msg, sizeof msg, "nesting deeper than %u levels", e->max_depth);
        return refuse(e, IDBPQ_LIMIT, msg);
    }
    for (uint32_t i = 0; i < n; i++) {
        struct frame *f = &e->path[e->depth++];
        if (c == IDBPQ__VC_OBJECT) {
            *f = (struct frame){v->u.object.props[i].key, 0};
            idbpq_status st = add_name(e, f->key);
            if (st == IDBPQ_OK) st = check(e, v->u.object.props[i].value);
            e->depth--;
            IDBPQ__TRY(st);
        } else {
            *f = (struct frame){NULL, i};
            idbpq_status st = check(e, v->u.array.items[i]);
            e->depth--;
            IDBPQ__TRY(st);
        }
    }
    return IDBPQ_OK;
}

/* ---- the dictionary ------------------------------------------------------------------------------ */

static int name_cmp(const void *a, const void *b)
{
    const struct name *x = a, *y = b;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->p, y->p, n) : 0;
    if (c) return c;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static unsigned width_of(uint64_t max)
{
    return max <= 0xff ? 1 : max <= 0xffff ? 2 : max <= 0xffffff ? 3 : 4;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Sorts the names, gives every property its id and writes the metadata. */
static idbpq_status write_meta(struct enc *e, struct idbpq__buf *meta)
{
    for (size_t i = 0; i < e->n_ents; i++) e->ents[i].p = e->names.p + e->ents[i].off;
    if (e->n_ents > 1) qsort(e->ents, e->n_ents, sizeof *e->ents, name_cmp);
    IDBPQ__TRY(grow(e, (void **)&e->ids, &e->cap_ids, e->n_ents ? e->n_ents : 1, sizeof *e->ids));
    uint64_t bytes = 0;
    uint32_t n = 0;
    for (size_t i = 0; i < e->n_ents; i++) {
        const struct name *x = &e->ents[i];
        if (i == 0 || x->len != x[-1].len || (x->len && memcmp(x->p, x[-1].p, x->len) != 0)) {
            n++;
            bytes += x->len;
        }
        e->ids[x->seq] = n - 1;
    }
    if (bytes > UINT32_MAX) return refuse(e, IDBPQ_LIMIT, "property names of 4 GiB or more in all");
    e->n_dict = n;
    unsigned w = width_of(bytes > n ? bytes : n);
    size_t total = 1 + (size_t)w * (n + 2) + (size_t)bytes;
    if (idbpq__buf_reserve(meta, total) != IDBPQ_OK)
        return idbpq__fail(e->err, IDBPQ_NOMEM, "out of memory encoding a VARIANT");
    uint8_t *p = meta->p + meta->len;
    p[0] = (uint8_t)(0x01 | 0x10 | (w - 1) << 6); /* version 1, sorted_strings */
    put_le(p + 1, n, w);
    uint8_t *offs = p + 1 + w, *str = offs + (size_t)w * (n + 1);
    uint64_t at = 0;
    uint32_t k = 0;
    put_le(offs, 0, w);
    for (size_t i = 0; i < e->n_ents; i++) {
        const struct name *x = &e->ents[i];
        if (i && e->ids[x->seq] == e->ids[x[-1].seq]) continue;
        if (x->len) memcpy(str + at, x->p, x->len);
        at += x->len;
        put_le(offs + (size_t)w * ++k, at, w);
    }
    meta->len += total;
    return IDBPQ_OK;
}

/* ---- second walk: the value bytes ------------------------------------------------------------ */

static idbpq_status put_bytes(struct enc *e, struct idbpq__buf *out, uint8_t head, const void *p,
                              size_t n, int with_len)
{
    if (idbpq__buf_reserve(out, 5 + n) != IDBPQ_OK)
        return idbpq__fail(e->err, IDBPQ_NOMEM, "out of memory encoding a VARIANT");
    uint8_t *o = out->p + out->len;
    *o++ = head;
    if (with_len) {
        put_le(o, n, 4);
        o += 4;
    }
    if (n) memcpy(o, p, n);
    out->len = (size_t)(o + n - out->p);
    return IDBPQ_OK;
}

static idbpq_status put_number(struct enc *e, struct idbpq__buf *out, double d)
{
    uint8_t b[8];
    if (!number_is_int(d)) {
        memcpy(b, &d, 8);
        return put_bytes(e, out, 7 << 2, b, 8, 0);
    }
    int64_t x = (int64_t)d;
    unsigned type = x >= INT8_MIN && x <= INT8_MAX     ? 3
                    : x >= INT16_MIN && x <= INT16_MAX ? 4
                    : x >= INT32_MIN && x <= INT32_MAX ? 5
                                                       : 6;
    static const uint8_t width[7] = {0, 0, 0, 1, 2, 4, 8};
    put_le(b, (uint64_t)x, width[type]);
    return put_bytes(e, out, (uint8_t)(type << 2), b, width[type], 0);
}

/* decimal4/8/16 with scale 0, by the spec's precision table (9, 18, 38 digits). */
static idbpq_status put_decimal(struct enc *e, struct idbpq__buf *out, const idbpq_value *v)
{
    uint64_t hi, lo;
    bigint_mag(v, &hi, &lo);
    int neg = v->u.bigint.negative && (hi || lo);
    uint8_t b[17] = {0};
    unsigned type, width;
    if (!hi && lo <= 999999999ull) type = 8, width = 4;
    else if (!hi && lo <= 999999999999999999ull) type = 9, width = 8;
    else type = 10, width = 16;
    if (neg) {
        lo = ~lo + 1;
        hi = ~hi + (lo == 0);
    }
    put_le(b + 1, lo, width < 8 ? width : 8);
    if (width == 16) put_le(b + 9, hi, 8);
    return put_bytes(e, out, (uint8_t)(type << 2), b, 1 + width, 0);
}

static idbpq_status put_string(struct enc *e, struct idbpq__buf *out, const idbpq_str *s)
{
    uint64_t n = utf8_len(s);
    if (idbpq__buf_reserve(out, 5 + (size_t)n) != IDBPQ_OK)
        return idbpq__fail(e->err, IDBPQ_NOMEM, "out of memory encoding a VARIANT");
    uint8_t *o = out->p + out->len;
    if (n < 64) {
        *o++ = (uint8_t)(n << 2 | 1);
    } else {
        *o++ = 16 << 2;
        put_le(o, n, 4);
        o += 4;
    }
    out->len = (size_t)(utf8_put(o, s) - out->p);
    return IDBPQ_OK;
}

static idbpq_status put_value(struct enc *e, struct idbpq__buf *out, const idbpq_value *v);

static int slot_cmp(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Writes the children of an object or array, then slides its header in front of them. */
static idbpq_status put_container(struct enc *e, struct idbpq__buf *out, const idbpq_value *v)
{
    const int obj = v->type == IDBPQ_V_OBJECT;
    const uint32_t n = obj ? v->u.object.n : v->u.array.length;
    const size_t start = out->len, base = e->n_slots;
    IDBPQ__TRY(grow(e, (void **)&e->slots, &e->cap_slots, base + n, sizeof *e->slots));
    e->n_slots = base + n;
    for (uint32_t i = 0; i < n; i++) {
        size_t off = out->len - start;
        if (off > UINT32_MAX) return refuse(e, IDBPQ_LIMIT, "an object or array of 4 GiB or more");
        e->slots[base + i] = (struct slot){obj ? e->ids[e->next_prop++] : 0, (uint32_t)off};
        e->path[e->depth++] = (struct frame){obj ? v->u.object.props[i].key : NULL, i};
        idbpq_status st = put_value(e, out, obj ? v->u.object.props[i].value : v->u.array.items[i]);
        e->depth--;
        IDBPQ__TRY(st);
    }
    const size_t size = out->len - start;
    if (size > UINT32_MAX) return refuse(e, IDBPQ_LIMIT, "an object or array of 4 GiB or more");
    struct slot *sl = n ? e->slots + base : NULL;
    unsigned idw = obj ? 1 : 0;
    if (obj && n) {
        /* Field ids in name order = id order; the values stay in property order. */
        for (uint32_t i = 1; i < n; i++) {
            if (sl[i].id < sl[i - 1].id) {
                qsort(sl, n, sizeof *sl, slot_cmp);
                break;
            }
        }
        for (uint32_t i = 1; i < n; i++)
            if (sl[i].id == sl[i - 1].id)
                return refuse(e, IDBPQ_UNSUPPORTED, "an object with two properties of one name");
        idw = width_of(sl[n - 1].id);
    }
    const unsigned offw = width_of(size), nw = n > 0xff ? 4 : 1;
    const size_t head = 1 + nw + (size_t)n * idw + ((size_t)n + 1) * offw;
    if (idbpq__buf_reserve(out, head) != IDBPQ_OK)
        return idbpq__fail(e->err, IDBPQ_NOMEM, "out of memory encoding a VARIANT");
    uint8_t *p = out->p + start;
    if (size) memmove(p + head, p, size);
    if (obj) *p++ = (uint8_t)(2 | ((nw == 4) << 4 | (idw - 1) << 2 | (offw - 1)) << 2);
    else *p++ = (uint8_t)(3 | ((nw == 4) << 2 | (offw - 1)) << 2);
    put_le(p, n, nw);
    p += nw;
    for (uint32_t i = 0; obj && i < n; i++, p += idw) put_le(p, sl[i].id, idw);
    for (uint32_t i = 0; i < n; i++, p += offw) put_le(p, sl[i].off, offw);
    put_le(p, size, offw);
    out->len += head;
    e->n_slots = base;
    return IDBPQ_OK;
}

static idbpq_status put_value(struct enc *e, struct idbpq__buf *out, const idbpq_value *v)
{
    uint8_t b[8];
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_NULL: return put_bytes(e, out, 0, NULL, 0, 0);
    case IDBPQ_V_BOOLEAN: return put_bytes(e, out, v->u.boolean ? 1 << 2 : 2 << 2, NULL, 0, 0);
    case IDBPQ_V_NUMBER: return put_number(e, out, v->u.number);
    case IDBPQ_V_BIGINT: return put_decimal(e, out, v);
    case IDBPQ_V_STRING: return put_string(e, out, &v->u.str);
    case IDBPQ_V_DATE:
        /* timestamp (µs, UTC): whole ms within ±8.64e15 times 1000 fit easily. */
        put_le(b, (uint64_t)((int64_t)v->u.number * 1000), 8);
        return put_bytes(e, out, 12 << 2, b, 8, 0);
    case IDBPQ_V_ARRAY_BUFFER:
        return put_bytes(e, out, 15 << 2, v->u.buffer.bytes, (size_t)v->u.buffer.len, 1);
    case IDBPQ_V_VIEW: {
        const idbpq_value *buf = v->u.view.buffer;
        return put_bytes(e, out, 15 << 2, buf->u.buffer.bytes, (size_t)buf->u.buffer.len, 1);
    }
    case IDBPQ_V_OBJECT:
    case IDBPQ_V_ARRAY: return put_container(e, out, v);
    case IDBPQ_V_UNDEFINED: case IDBPQ_V_REGEXP: case IDBPQ_V_BOXED: case IDBPQ_V_MAP:
    case IDBPQ_V_SET: case IDBPQ_V_ERROR: case IDBPQ_V_BLOB: case IDBPQ_V_FILE:
    case IDBPQ_V_FILE_LIST: case IDBPQ_V_HOST: case IDBPQ_V_HOLE:
    default: break;
    }
    return refuse(e, IDBPQ_UNSUPPORTED, "a value the first walk should have refused");
}

idbpq_status idbpq__variant_encode(const idbpq_value *v, uint32_t flags, uint32_t max_depth,
                                   struct idbpq__buf *meta, struct idbpq__buf *val,
                                   struct idbpq__err *err)
{
    if (!v || !meta || !val) return idbpq__fail(err, IDBPQ_INVALID_ARG, "variant_encode: NULL argument");
    const size_t meta_len = meta->len, val_len = val->len;
    struct enc *e = idbpq__calloc(val->alc, sizeof *e);
    if (!e) return idbpq__fail(err, IDBPQ_NOMEM, "out of memory encoding a VARIANT");
    e->flags = flags;
    e->max_depth = max_depth && max_depth < VAR_MAX_DEPTH ? max_depth : VAR_MAX_DEPTH;
    e->alc = val->alc;
    e->err = err;
    idbpq__pmap_init(&e->seen, e->alc);
    idbpq__buf_init(&e->names, e->alc);
    idbpq_status st = check(e, v);
    if (st == IDBPQ_OK) st = write_meta(e, meta);
    if (st == IDBPQ_OK) st = put_value(e, val, v);
    idbpq__pmap_free(&e->seen);
    idbpq__buf_free(&e->names);
    idbpq__free(e->alc, e->ents, e->cap_ents * sizeof *e->ents);
    idbpq__free(e->alc, e->ids, e->cap_ids * sizeof *e->ids);
    idbpq__free(e->alc, e->slots, e->cap_slots * sizeof *e->slots);
    idbpq__free(e->alc, e, sizeof *e);
    if (st != IDBPQ_OK) {
        meta->len = meta_len;
        val->len = val_len;
    }
    return st;
}
