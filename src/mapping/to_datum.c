/*
 * to_datum.c — one record becomes one row (an idbpq_datum tree) following the type map.
 *
 * Whatever a column cannot hold exactly is not forced: the node is written as null (so the
 * typed columns stay a faithful projection of what they can say), and the record gets a
 * fallback reason; the record writer then also stores the whole value in `_raw`. Reasons
 * are the IDBPQ_FALLBACK_* codes; the first one met is the one counted.
 */
#include <math.h>

#include "mapping/mapping.h"
#include "mapping/variant.h"

#define MAX_GRAPH_DEPTH 4096

idbpq_status idbpq__todatum_init(struct idbpq__todatum *t, const idbpq_schema *s,
                                 const idbpq_allocator *alc)
{
    memset(t, 0, sizeof *t);
    t->alc = idbpq__alc(alc);
    t->schema = s;
    t->reason = -1;
    t->max_depth = 64;
    idbpq__arena_init(&t->arena, alc);
    idbpq__arena_init(&t->keep, alc);
    idbpq__pmap_init(&t->seen, alc);
    idbpq__buf_init(&t->scratch, alc);
    int32_t n = idbpq_schema_num_nodes(s);
    t->pos = idbpq__arena_alloc(&t->keep, sizeof *t->pos * (size_t)(n ? n : 1));
    if (!t->pos) return IDBPQ_NOMEM;
    for (int32_t i = 0; i < n; i++) {
        const idbpq_schema_node *g = idbpq_schema_node_at(s, i);
        for (int32_t c = 0; c < g->num_children; c++) t->pos[g->children[c]] = c;
    }
    t->pos[0] = 0;
    return IDBPQ_OK;
}

void idbpq__todatum_free(struct idbpq__todatum *t)
{
    idbpq__arena_free(&t->arena);
    idbpq__arena_free(&t->keep);
    idbpq__pmap_free(&t->seen);
    idbpq__buf_free(&t->scratch);
}

struct ctx {
    struct idbpq__todatum *t;
    struct idbpq__err *err;
};

static void flag(struct ctx *c, idbpq_fallback r)
{
    if (c->t->reason < 0) c->t->reason = (int)r;
}

static void *alloc(struct ctx *c, size_t n) { return idbpq__arena_alloc(&c->t->arena, n ? n : 1); }

/* ---- sharing ---------------------------------------------------------------------------- */

/* Whether any object is reachable twice (a shared or cyclic reference). Views reach their
 * buffers, so two views of one buffer count as sharing. */
static int shared(struct ctx *c, const idbpq_value *v, int depth)
{
    if (!v || !idbpq__is_object(v->type)) return 0;
    if (depth > MAX_GRAPH_DEPTH) return 1;
    if (idbpq__pmap_get(&c->t->seen, v)) return 1;
    if (idbpq__pmap_put(&c->t->seen, v, 1) != IDBPQ_OK) return 1;
    switch (v->type) {
    case IDBPQ_V_OBJECT:
        for (uint32_t i = 0; i < v->u.object.n; i++)
            if (shared(c, v->u.object.props[i].value, depth + 1)) return 1;
        return 0;
    case IDBPQ_V_ARRAY:
        if (v->u.array.items)
            for (uint32_t i = 0; i < v->u.array.length; i++)
                if (shared(c, v->u.array.items[i], depth + 1)) return 1;
        for (uint32_t i = 0; i < v->u.array.n_props; i++)
            if (shared(c, v->u.array.props[i].value, depth + 1)) return 1;
        return 0;
    case IDBPQ_V_MAP:
    case IDBPQ_V_SET: {
        uint32_t n = v->u.coll.n * (v->type == IDBPQ_V_MAP ? 2 : 1);
        for (uint32_t i = 0; i < n; i++)
            if (shared(c, v->u.coll.items[i], depth + 1)) return 1;
        return 0;
    }
    case IDBPQ_V_VIEW: return shared(c, v->u.view.buffer, depth + 1);
    case IDBPQ_V_BOXED: return shared(c, v->u.boxed, depth + 1);
    case IDBPQ_V_ERROR: return shared(c, v->u.error.cause, depth + 1);
    case IDBPQ_V_FILE_LIST:
        for (uint32_t i = 0; i < v->u.files.n; i++)
            if (shared(c, v->u.files.files[i], depth + 1)) return 1;
        return 0;
    default: return 0;
    }
}

/* ---- leaves ----------------------------------------------------------------------------- */

/* UTF-8 of a JS string into the arena; a lone surrogate becomes U+FFFD and flags STRING. */
static idbpq_status utf8(struct ctx *c, const idbpq_str *s, idbpq_datum *d)
{
    if (!s->two_byte) {
        /* Latin-1: ASCII is already UTF-8. */
        const uint8_t *p = s->data;
        uint32_t hi = 0;
        for (uint32_t i = 0; i < s->len; i++) hi |= p[i];
        if (hi < 0x80) {
            d->kind = IDBPQ_DATUM_BYTES;
            d->len = s->len;
            d->u.bytes = p;
            return IDBPQ_OK;
        }
    }
    uint8_t *out = alloc(c, (size_t)s->len * 3);
    if (!out) return IDBPQ_NOMEM;
    int lone = 0;
    size_t n = idbpq__str_to_utf8(s, out, &lone);
    if (lone) flag(c, IDBPQ_FALLBACK_STRING);
    d->kind = IDBPQ_DATUM_BYTES;
    d->len = (uint32_t)n;
    d->u.bytes = out;
    return IDBPQ_OK;
}

static int bigint_to_i64(const idbpq_value *v, int64_t *out)
{
    uint32_t n = v->u.bigint.len;
    if (n > 8) return 0;
    uint64_t m = 0;
    for (uint32_t i = n; i-- > 0;) m = (m << 8) | v->u.bigint.digits[i];
    if (v->u.bigint.negative && n) {
        if (m > (uint64_t)1 << 63) return 0;
        *out = m == (uint64_t)1 << 63 ? INT64_MIN : -(int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX) return 0;
        *out = (int64_t)m;
    }
    return 1;
}

/* BigInt of at most 38 digits -> 16-byte big-endian two's complement. */
static int bigint_to_dec(const idbpq_value *v, uint8_t out[16])
{
    uint32_t n = v->u.bigint.len;
    if (n > 16 || idbpq__value_kind(v) == IDBPQ__K_BIGINT_BIG) return 0;
    uint8_t le[16] = {0};
    if (n) memcpy(le, v->u.bigint.digits, n); /* 0n has no digits (NULL) */
    if (v->u.bigint.negative) {
        unsigned carry = 1;
        for (int i = 0; i < 16; i++) {
            unsigned x = (uint8_t)~le[i] + carry;
            le[i] = (uint8_t)x;
            carry = x >> 8;
        }
    }
    for (int i = 0; i < 16; i++) out[i] = le[15 - i];
    return 1;
}

/* BigInt -> decimal text. */
static idbpq_status bigint_text(struct ctx *c, const idbpq_value *v, idbpq_datum *d)
{
    uint32_t n = v->u.bigint.len;
    uint8_t *mag = alloc(c, n);
    char *digits = alloc(c, (size_t)n * 3 + 3);
    if (!mag || !digits) return IDBPQ_NOMEM;
    if (n) memcpy(mag, v->u.bigint.digits, n);
    size_t nd = 0;
    uint32_t len = n;
    while (len && mag[len - 1] == 0) len--;
    do { /* divide by 10, most significant byte first */
        unsigned rem = 0;
        for (uint32_t i = len; i-- > 0;) {
            unsigned cur = (rem << 8) | mag[i];
            mag[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
        }
        digits[nd++] = (char)('0' + rem);
        while (len && mag[len - 1] == 0) len--;
    } while (len);
    char *out = alloc(c, nd + 1);
    if (!out) return IDBPQ_NOMEM;
    size_t k = 0;
    if (v->u.bigint.negative && !(nd == 1 && digits[0] == '0')) out[k++] = '-';
    while (nd) out[k++] = digits[--nd];
    d->kind = IDBPQ_DATUM_BYTES;
    d->len = (uint32_t)k;
    d->u.bytes = (const uint8_t *)out;
    return IDBPQ_OK;
}

/* A view or buffer's bytes when it is exactly a whole, fixed-size buffer. */
static int whole_bytes(const idbpq_value *v, const uint8_t **p, uint64_t *n)
{
    if (v->type == IDBPQ_V_ARRAY_BUFFER) {
        if (v->u.buffer.resizable) return 0;
        *p = v->u.buffer.bytes;
        *n = v->u.buffer.len;
        return 1;
    }
    const idbpq_value *b = v->u.view.buffer;
    if (!b || b->type != IDBPQ_V_ARRAY_BUFFER || b->u.buffer.resizable || v->u.view.flags ||
        v->u.view.offset != 0 || v->u.view.length != b->u.buffer.len)
        return 0;
    *p = b->u.buffer.bytes;
    *n = b->u.buffer.len;
    return 1;
}

float idbpq__half_to_float(uint16_t h)
{
    uint32_t s = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 0x1f, m = h & 0x3ff, bits;
    if (e == 0) {
        if (m == 0) bits = s;
        else { /* subnormal: normalise */
            e = 127 - 15 + 1;
            while (!(m & 0x400)) {
                m <<= 1;
                e--;
            }
            bits = s | (e << 23) | ((m & 0x3ff) << 13);
        }
    } else if (e == 31) {
        bits = s | 0x7f800000u | (m << 13);
    } else {
        bits = s | ((e - 15 + 127) << 23) | (m << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* A typed array as a LIST datum of its elements. */
static idbpq_status typed_list(struct ctx *c, const struct idbpq__jsnode *j, const idbpq_value *v,
                               idbpq_datum *d)
{
    const uint8_t *p;
    uint64_t n;
    if (v->type != IDBPQ_V_VIEW || v->u.view.kind != (idbpq_view_kind)j->view) {
        flag(c, IDBPQ_FALLBACK_SCHEMA);
        return IDBPQ_OK;
    }
    if (!whole_bytes(v, &p, &n)) {
        flag(c, IDBPQ_FALLBACK_VIEW);
        return IDBPQ_OK;
    }
    static const uint8_t width[13] = {1, 1, 1, 2, 2, 4, 4, 2, 4, 8, 8, 8, 1};
    uint32_t w = width[j->view % 13];
    if (n % w || n / w > UINT32_MAX) {
        flag(c, IDBPQ_FALLBACK_VIEW);
        return IDBPQ_OK;
    }
    uint32_t count = (uint32_t)(n / w);
    idbpq_datum *items = alloc(c, sizeof *items * count);
    if (!items) return IDBPQ_NOMEM;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = p + (size_t)i * w;
        idbpq_datum *it = &items[i];
        switch ((idbpq_view_kind)j->view) {
        case IDBPQ_VIEW_INT8: it->kind = IDBPQ_DATUM_INT32; it->u.i32 = (int8_t)e[0]; break;
        case IDBPQ_VIEW_UINT8:
        case IDBPQ_VIEW_UINT8_CLAMPED: it->kind = IDBPQ_DATUM_INT32; it->u.i32 = e[0]; break;
        case IDBPQ_VIEW_INT16: {
            int16_t x;
            memcpy(&x, e, 2);
            it->kind = IDBPQ_DATUM_INT32;
            it->u.i32 = x;
            break;
        }
        case IDBPQ_VIEW_UINT16: {
            uint16_t x;
            memcpy(&x, e, 2);
            it->kind = IDBPQ_DATUM_INT32;
            it->u.i32 = x;
            break;
        }
        case IDBPQ_VIEW_INT32:
            it->kind = IDBPQ_DATUM_INT32;
            memcpy(&it->u.i32, e, 4);
            break;
        case IDBPQ_VIEW_UINT32: {
            uint32_t x;
            memcpy(&x, e, 4);
            it->kind = IDBPQ_DATUM_INT64;
            it->u.i64 = x;
            break;
        }
        case IDBPQ_VIEW_FLOAT16: {
            uint16_t x;
            memcpy(&x, e, 2);
            it->kind = IDBPQ_DATUM_FLOAT;
            it->u.f32 = idbpq__half_to_float(x);
            break;
        }
        case IDBPQ_VIEW_FLOAT32:
            it->kind = IDBPQ_DATUM_FLOAT;
            memcpy(&it->u.f32, e, 4);
            break;
        case IDBPQ_VIEW_FLOAT64:
            it->kind = IDBPQ_DATUM_DOUBLE;
            memcpy(&it->u.f64, e, 8);
            break;
        case IDBPQ_VIEW_BIGINT64:
        case IDBPQ_VIEW_BIGUINT64:
            it->kind = IDBPQ_DATUM_INT64;
            memcpy(&it->u.i64, e, 8);
            break;
        case IDBPQ_VIEW_DATAVIEW:
        default: return idbpq__fail(c->err, IDBPQ_INVALID_ARG, "typed array kind %d", j->view);
        }
    }
    d->kind = IDBPQ_DATUM_LIST;
    d->len = count;
    d->u.items = items;
    return IDBPQ_OK;
}

/* ---- the walk ----------------------------------------------------------------------------- */

static idbpq_status conv(struct ctx *c, const struct idbpq__jsnode *j, const idbpq_value *v,
                         idbpq_datum *d, uint32_t depth);

/* The absence kind of v (IDBPQ__ABS_*), or -1 when v is a value. NULL pointer = missing. */
static int absence_of(const idbpq_value *v)
{
    if (!v) return IDBPQ__ABS_MISSING;
    if (v->type == IDBPQ_V_NULL) return IDBPQ__ABS_NULL;
    if (v->type == IDBPQ_V_UNDEFINED) return IDBPQ__ABS_UNDEFINED;
    return -1;
}

/* Whether a null datum at j tells the absence `a` apart (VARIANT keeps null as a value, JSON
 * keeps null and undefined as values). */
static int absence_is_value(const struct idbpq__jsnode *j, int a)
{
    if (j->js == IDBPQ__JS_JSON) return a != IDBPQ__ABS_MISSING;
    if (j->js == IDBPQ__JS_VARIANT) return a == IDBPQ__ABS_NULL;
    return 0;
}

static idbpq_status child_index(struct ctx *c, struct idbpq__jsnode *j)
{
    uint32_t cap = 16;
    while (cap < j->n_children * 2 + 2) cap *= 2;
    uint32_t *ix = idbpq__arena_alloc(&c->t->keep, cap * sizeof *ix);
    if (!ix) return IDBPQ_NOMEM;
    memset(ix, 0, cap * sizeof *ix);
    for (uint32_t i = 0; i < j->n_children; i++) {
        uint32_t h = idbpq__str_hash(&j->children[i].prop->u.str) & (cap - 1);
        while (ix[h]) h = (h + 1) & (cap - 1);
        ix[h] = i + 1;
    }
    j->index = ix;
    j->index_cap = cap;
    return IDBPQ_OK;
}

/* The child of object node j for property name, or NULL. */
static struct idbpq__jsnode *find_child(struct ctx *c, struct idbpq__jsnode *j,
                                        const idbpq_str *name, uint32_t guess)
{
    if (guess < j->n_children && idbpq__str_equal(&j->children[guess].prop->u.str, name))
        return &j->children[guess];
    if (j->n_children <= 8) {
        for (uint32_t i = 0; i < j->n_children; i++)
            if (idbpq__str_equal(&j->children[i].prop->u.str, name)) return &j->children[i];
        return NULL;
    }
    if (!j->index && child_index(c, j) != IDBPQ_OK) return NULL;
    uint32_t h = idbpq__str_hash(name);
    for (h &= j->index_cap - 1; j->index[h]; h = (h + 1) & (j->index_cap - 1)) {
        struct idbpq__jsnode *ch = &j->children[j->index[h] - 1];
        if (idbpq__str_equal(&ch->prop->u.str, name)) return ch;
    }
    return NULL;
}

static idbpq_status conv_object(struct ctx *c, struct idbpq__jsnode *j, const idbpq_value *v,
                                idbpq_datum *d, uint32_t depth)
{
    const idbpq_schema_node *g = idbpq_schema_node_at(c->t->schema, j->node);
    uint32_t n_items = (uint32_t)g->num_children;
    idbpq_datum *items = alloc(c, sizeof *items * n_items);
    /* one flag per child: was its property present */
    const idbpq_value **got = alloc(c, sizeof *got * (j->n_children ? j->n_children : 1));
    if (!items || !got) return IDBPQ_NOMEM;
    memset(items, 0, sizeof *items * n_items); /* all IDBPQ_DATUM_NULL */
    memset(got, 0, sizeof *got * (j->n_children ? j->n_children : 1));
    for (uint32_t i = 0; i < v->u.object.n; i++) {
        const idbpq_prop *p = &v->u.object.props[i];
        char tmp[32];
        idbpq_str name = idbpq__key_name(p->key, tmp);
        struct idbpq__jsnode *ch = find_child(c, j, &name, i);
        /* Matched by name: a Number key and the string of the same index are one property
         * in JavaScript (and equal by idbpq_value_equal); the column keeps the first form. */
        if (!ch) { /* plan.c gives no column to properties that only ever held such values */
            flag(c, idbpq__value_kind(p->value) == IDBPQ__K_OTHER ? IDBPQ_FALLBACK_TYPE
                                                                   : IDBPQ_FALLBACK_SCHEMA);
            continue;
        }
        got[ch - j->children] = p->value;
        /* A duplicate name cannot come from a real object; the last one wins, as in JS. */
    }
    for (uint32_t i = 0; i < j->n_children; i++) {
        struct idbpq__jsnode *ch = &j->children[i];
        const idbpq_value *pv = got[i];
        idbpq_datum *it = &items[c->t->pos[ch->node]];
        int a = absence_of(pv);
        if (a >= 0 && !absence_is_value(ch, a)) {
            if (ch->absent_node >= 0) {
                if (a != IDBPQ__ABS_MISSING) {
                    idbpq_datum *s = &items[c->t->pos[ch->absent_node]];
                    s->kind = IDBPQ_DATUM_INT32;
                    s->u.i32 = a;
                }
            } else if (a != ch->absent) {
                flag(c, IDBPQ_FALLBACK_ABSENT);
            }
            continue;
        }
        IDBPQ__TRY(conv(c, ch, pv, it, depth + 1));
    }
    d->kind = IDBPQ_DATUM_GROUP;
    d->len = n_items;
    d->u.items = items;
    return IDBPQ_OK;
}

/* An element of a LIST or a Map value: absences must be the node's own. */
static idbpq_status conv_item(struct ctx *c, const struct idbpq__jsnode *j, const idbpq_value *v,
                              idbpq_datum *d, uint32_t depth)
{
    int a = absence_of(v);
    if (a >= 0 && !absence_is_value(j, a)) {
        if (a != j->absent) flag(c, IDBPQ_FALLBACK_ABSENT);
        d->kind = IDBPQ_DATUM_NULL;
        return IDBPQ_OK;
    }
    return conv(c, j, v, d, depth);
}

static idbpq_status conv_list(struct ctx *c, const struct idbpq__jsnode *j, idbpq_value *const *src,
                              uint32_t n, idbpq_datum *d, uint32_t depth)
{
    idbpq_datum *items = alloc(c, sizeof *items * n);
    if (!items) return IDBPQ_NOMEM;
    memset(items, 0, sizeof *items * n);
    for (uint32_t i = 0; i < n; i++) {
        if (src[i]->type == IDBPQ_V_HOLE) {
            flag(c, IDBPQ_FALLBACK_ARRAY);
            continue;
        }
        IDBPQ__TRY(conv_item(c, &j->children[0], src[i], &items[i], depth + 1));
    }
    d->kind = IDBPQ_DATUM_LIST;
    d->len = n;
    d->u.items = items;
    return IDBPQ_OK;
}

static idbpq_status conv_map(struct ctx *c, const struct idbpq__jsnode *j, const idbpq_value *v,
                             idbpq_datum *d, uint32_t depth)
{
    uint32_t n = v->u.coll.n;
    idbpq_datum *items = alloc(c, sizeof *items * 2 * (size_t)n);
    if (!items) return IDBPQ_NOMEM;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        idbpq_datum *kd = &items[2 * k];
        memset(kd, 0, 2 * sizeof *kd);
        int before = c->t->reason;
        IDBPQ__TRY(conv(c, &j->children[0], v->u.coll.items[2 * i], kd, depth + 1));
        if (kd->kind == IDBPQ_DATUM_NULL) { /* a key the column cannot hold: entry dropped */
            if (before == c->t->reason) flag(c, IDBPQ_FALLBACK_SCHEMA);
            continue;
        }
        IDBPQ__TRY(conv_item(c, &j->children[1], v->u.coll.items[2 * i + 1], kd + 1, depth + 1));
        k++;
    }
    d->kind = IDBPQ_DATUM_MAP;
    d->len = k;
    d->u.items = items;
    return IDBPQ_OK;
}

static idbpq_status conv_blob(struct ctx *c, const struct idbpq__jsnode *j, const idbpq_value *v,
                              idbpq_datum *d)
{
    int file = j->js == IDBPQ__JS_FILE;
    if (v->type != (file ? IDBPQ_V_FILE : IDBPQ_V_BLOB)) {
        flag(c, IDBPQ_FALLBACK_SCHEMA);
        return IDBPQ_OK;
    }
    uint32_t n = file ? 5 : 3, k = 0;
    idbpq_datum *items = alloc(c, sizeof *items * n);
    if (!items) return IDBPQ_NOMEM;
    memset(items, 0, sizeof *items * n);
    if (file) {
        if (v->u.blob.name && v->u.blob.name->type == IDBPQ_V_STRING)
            IDBPQ__TRY(utf8(c, &v->u.blob.name->u.str, &items[k]));
        k++;
    }
    if (v->u.blob.mime && v->u.blob.mime->type == IDBPQ_V_STRING)
        IDBPQ__TRY(utf8(c, &v->u.blob.mime->u.str, &items[k]));
    k++;
    if (v->u.blob.size > (uint64_t)INT64_MAX) flag(c, IDBPQ_FALLBACK_NUMBER);
    items[k].kind = IDBPQ_DATUM_INT64;
    items[k++].u.i64 = (int64_t)v->u.blob.size;
    if (file) {
        double lm = v->u.blob.last_modified;
        /* -0 too: the INT64 column would give +0 back (see IDBPQ__JS_DATE below) */
        if (lm != floor(lm) || fabs(lm) > 8.64e15 || (lm == 0 && signbit(lm)))
            flag(c, IDBPQ_FALLBACK_NUMBER);
        else {
            items[k].kind = IDBPQ_DATUM_INT64;
            items[k].u.i64 = (int64_t)lm;
        }
        k++;
    }
    if (v->u.blob.bytes) {
        if (v->u.blob.size > UINT32_MAX) flag(c, IDBPQ_FALLBACK_NUMBER);
        else {
            items[k].kind = IDBPQ_DATUM_BYTES;
            items[k].len = (uint32_t)v->u.blob.size;
            items[k].u.bytes = v->u.blob.bytes;
        }
    }
    d->kind = IDBPQ_DATUM_GROUP;
    d->len = n;
    d->u.items = items;
    return IDBPQ_OK;
}

static idbpq_status conv_variant(struct ctx *c, const struct idbpq__jsnode *j, const idbpq_value *v,
                                 idbpq_datum *d)
{
    uint32_t flags = j->view ? IDBPQ__VAR_UINT8ARRAY : 0;
    int typed = j->shred && idbpq__variant_class(v, flags) == j->shred;
    idbpq_datum *items = alloc(c, sizeof *items * 3);
    if (!items) return IDBPQ_NOMEM;
    memset(items, 0, sizeof *items * 3);
    static const uint8_t empty_meta[3] = {0x01, 0x00, 0x00};
    if (typed) {
        items[0].kind = IDBPQ_DATUM_BYTES;
        items[0].len = 3;
        items[0].u.bytes = empty_meta;
        idbpq_datum *t = &items[2];
        switch (j->shred) {
        case IDBPQ__VC_BOOLEAN: t->kind = IDBPQ_DATUM_BOOLEAN; t->u.boolean = v->u.boolean != 0; break;
        case IDBPQ__VC_INT: t->kind = IDBPQ_DATUM_INT64; t->u.i64 = (int64_t)v->u.number; break;
        case IDBPQ__VC_DOUBLE: t->kind = IDBPQ_DATUM_DOUBLE; t->u.f64 = v->u.number; break;
        case IDBPQ__VC_STRING: IDBPQ__TRY(utf8(c, &v->u.str, t)); break;
        case IDBPQ__VC_TIMESTAMP:
            t->kind = IDBPQ_DATUM_INT64;
            t->u.i64 = (int64_t)v->u.number * 1000;
            break;
        default: typed = 0; break;
        }
    }
    if (!typed) {
        struct idbpq__buf meta, val;
        idbpq__buf_init(&meta, c->t->alc);
        idbpq__buf_init(&val, c->t->alc);
        struct idbpq__err e;
        idbpq_status st = idbpq__variant_encode(v, flags, c->t->max_depth, &meta, &val, &e);
        uint8_t *mp = st == IDBPQ_OK ? alloc(c, meta.len) : NULL;
        uint8_t *vp = st == IDBPQ_OK ? alloc(c, val.len) : NULL;
        if (mp && vp) {
            memcpy(mp, meta.p, meta.len);
            memcpy(vp, val.p, val.len);
            items[0].kind = items[1].kind = IDBPQ_DATUM_BYTES;
            items[0].len = (uint32_t)meta.len;
            items[0].u.bytes = mp;
            items[1].len = (uint32_t)val.len;
            items[1].u.bytes = vp;
        }
        idbpq__buf_free(&meta);
        idbpq__buf_free(&val);
        if (st == IDBPQ_NOMEM || (st == IDBPQ_OK && (!mp || !vp))) return IDBPQ_NOMEM;
        if (st != IDBPQ_OK) {
            flag(c, IDBPQ_FALLBACK_VARIANT);
            return IDBPQ_OK; /* the whole group null */
        }
    }
    d->kind = IDBPQ_DATUM_GROUP;
    d->len = (uint32_t)idbpq_schema_node_at(c->t->schema, j->node)->num_children;
    d->u.items = items;
    return IDBPQ_OK;
}

static idbpq_status conv_json(struct ctx *c, const idbpq_value *v, idbpq_datum *d)
{
    idbpq_buffer b;
    idbpq_buffer_init(&b, c->t->alc);
    idbpq_status st = idbpq_tjson_write(v, &b);
    uint8_t *p = st == IDBPQ_OK ? alloc(c, b.len) : NULL;
    if (p) {
        memcpy(p, b.data, b.len);
        d->kind = IDBPQ_DATUM_BYTES;
        d->len = (uint32_t)b.len;
        d->u.bytes = p;
    }
    idbpq_buffer_free(&b);
    if (st == IDBPQ_OK && !p) return IDBPQ_NOMEM;
    return st;
}

static idbpq_status conv(struct ctx *c, const struct idbpq__jsnode *jc, const idbpq_value *v,
                         idbpq_datum *d, uint32_t depth)
{
    struct idbpq__jsnode *j = (struct idbpq__jsnode *)jc; /* object nodes cache an index */
    d->kind = IDBPQ_DATUM_NULL;
    int k = idbpq__value_kind(v);
    if (k == IDBPQ__K_OTHER && j->js != IDBPQ__JS_JSON) {
        flag(c, IDBPQ_FALLBACK_TYPE);
        return IDBPQ_OK;
    }
    switch (j->js) {
    case IDBPQ__JS_BOOLEAN:
        if (k != IDBPQ__K_BOOLEAN) break;
        d->kind = IDBPQ_DATUM_BOOLEAN;
        d->u.boolean = v->u.boolean != 0;
        return IDBPQ_OK;
    case IDBPQ__JS_INT:
        if (k != IDBPQ__K_INT) {
            if (k == IDBPQ__K_DOUBLE) flag(c, IDBPQ_FALLBACK_NUMBER);
            break;
        }
        d->kind = IDBPQ_DATUM_INT64;
        d->u.i64 = (int64_t)v->u.number;
        return IDBPQ_OK;
    case IDBPQ__JS_DOUBLE:
        if (k != IDBPQ__K_INT && k != IDBPQ__K_DOUBLE) break;
        d->kind = IDBPQ_DATUM_DOUBLE;
        d->u.f64 = v->u.number;
        return IDBPQ_OK;
    case IDBPQ__JS_BIGINT:
        if (v->type != IDBPQ_V_BIGINT) break;
        if (!bigint_to_i64(v, &d->u.i64)) {
            flag(c, IDBPQ_FALLBACK_NUMBER);
            return IDBPQ_OK;
        }
        d->kind = IDBPQ_DATUM_INT64;
        return IDBPQ_OK;
    case IDBPQ__JS_BIGINT_DEC: {
        if (v->type != IDBPQ_V_BIGINT) break;
        uint8_t *b = alloc(c, 16);
        if (!b) return IDBPQ_NOMEM;
        if (!bigint_to_dec(v, b)) {
            flag(c, IDBPQ_FALLBACK_NUMBER);
            return IDBPQ_OK;
        }
        d->kind = IDBPQ_DATUM_BYTES;
        d->len = 16;
        d->u.bytes = b;
        return IDBPQ_OK;
    }
    case IDBPQ__JS_BIGINT_TEXT:
        if (v->type != IDBPQ_V_BIGINT) break;
        return bigint_text(c, v, d);
    case IDBPQ__JS_STRING:
        if (v->type != IDBPQ_V_STRING) break;
        return utf8(c, &v->u.str, d);
    case IDBPQ__JS_DATE: {
        if (v->type != IDBPQ_V_DATE) break;
        double ms = v->u.number;
        /* A Date of -0 (not creatable in JS, but V8 bytes and tagged JSON hold it) would
         * read back +0 from the INT64 column: it cannot be held exactly (NUMBER). */
        if (isnan(ms) || ms != floor(ms) || fabs(ms) > 8.64e15 || (ms == 0 && signbit(ms))) {
            flag(c, IDBPQ_FALLBACK_NUMBER);
            return IDBPQ_OK;
        }
        d->kind = IDBPQ_DATUM_INT64;
        d->u.i64 = (int64_t)ms;
        return IDBPQ_OK;
    }
    case IDBPQ__JS_BINARY: {
        int match = j->view == IDBPQ__VIEW_BUFFER ? v->type == IDBPQ_V_ARRAY_BUFFER
                                                  : v->type == IDBPQ_V_VIEW &&
                                                        v->u.view.kind == (idbpq_view_kind)j->view;
        if (!match) {
            if (k == IDBPQ__K_BUFFER || k == IDBPQ__K_VIEW) {
                flag(c, IDBPQ_FALLBACK_VIEW);
                return IDBPQ_OK;
            }
            break;
        }
        const uint8_t *p;
        uint64_t n;
        if (!whole_bytes(v, &p, &n) || n > UINT32_MAX) {
            flag(c, IDBPQ_FALLBACK_VIEW);
            return IDBPQ_OK;
        }
        d->kind = IDBPQ_DATUM_BYTES;
        d->len = (uint32_t)n;
        d->u.bytes = n ? p : (const uint8_t *)"";
        return IDBPQ_OK;
    }
    case IDBPQ__JS_TYPED: return typed_list(c, j, v, d);
    case IDBPQ__JS_OBJECT:
        if (v->type != IDBPQ_V_OBJECT) break;
        return conv_object(c, j, v, d, depth);
    case IDBPQ__JS_ARRAY:
        if (v->type != IDBPQ_V_ARRAY) break;
        if (v->u.array.sparse || v->u.array.n_props) {
            flag(c, IDBPQ_FALLBACK_ARRAY);
            if (v->u.array.sparse) return IDBPQ_OK;
        }
        return conv_list(c, j, v->u.array.items, v->u.array.length, d, depth);
    case IDBPQ__JS_SET:
        if (v->type != IDBPQ_V_SET) break;
        return conv_list(c, j, v->u.coll.items, v->u.coll.n, d, depth);
    case IDBPQ__JS_MAP:
        if (v->type != IDBPQ_V_MAP) break;
        return conv_map(c, j, v, d, depth);
    case IDBPQ__JS_BLOB:
    case IDBPQ__JS_FILE: return conv_blob(c, j, v, d);
    case IDBPQ__JS_VARIANT: return conv_variant(c, j, v, d);
    case IDBPQ__JS_JSON: return conv_json(c, v, d);
    case IDBPQ__JS_NULL:
    case IDBPQ__JS_FOREIGN:
    default: break;
    }
    /* A kind this column does not hold: seen after the schema was fixed (or the caller's
     * second pass differs from its first). */
    flag(c, IDBPQ_FALLBACK_SCHEMA);
    return IDBPQ_OK;
}

idbpq_status idbpq__todatum_row(struct idbpq__todatum *t, const struct idbpq__typemap *tm,
                                const idbpq_value *key, const idbpq_value *value,
                                idbpq_datum **row, struct idbpq__err *err)
{
    struct ctx c = {t, err};
    idbpq__arena_reset(&t->arena);
    idbpq__pmap_clear(&t->seen);
    t->reason = -1;
    const idbpq_schema_node *root = idbpq_schema_node_at(t->schema, 0);
    uint32_t n = (uint32_t)root->num_children;
    idbpq_datum *items = alloc(&c, sizeof *items * n), *r = alloc(&c, sizeof *r);
    if (!items || !r) return IDBPQ_NOMEM;
    memset(items, 0, sizeof *items * n);
    r->kind = IDBPQ_DATUM_GROUP;
    r->len = n;
    r->u.items = items;
    *row = r;
    if (tm->has_key) {
        idbpq_datum *kd = &items[t->pos[tm->key.node]];
        int before = t->reason;
        IDBPQ__TRY(key ? conv(&c, &tm->key, key, kd, 0) : IDBPQ_OK);
        if (key && (kd->kind == IDBPQ_DATUM_NULL || t->reason != before) &&
            tm->raw_key_node >= 0) {
            /* One pass: the key's exact text goes to `_raw_key`. */
            kd->kind = IDBPQ_DATUM_NULL;
            t->reason = before;
            IDBPQ__TRY(conv_json(&c, key, &items[t->pos[tm->raw_key_node]]));
        } else if (!key || kd->kind == IDBPQ_DATUM_NULL || t->reason != before) {
            return idbpq__fail(err, IDBPQ_SCHEMA,
                               "the record's key does not fit the `_key` column (%s)",
                               key ? "a key type not seen when the schema was fixed"
                                   : "no key given");
        }
    }
    if (shared(&c, value, 0)) {
        t->reason = IDBPQ_FALLBACK_GRAPH;
        return IDBPQ_OK; /* only `_raw`: a projection would have to unfold the graph */
    }
    if (tm->value_is_root) {
        if (value->type != IDBPQ_V_OBJECT) {
            t->reason = IDBPQ_FALLBACK_ROOT;
            return IDBPQ_OK;
        }
        idbpq_datum obj;
        IDBPQ__TRY(conv_object(&c, (struct idbpq__jsnode *)&tm->value, value, &obj, 0));
        /* conv_object laid the items out over the root's children: take them over, keeping
         * the key's slots (`_key`, and `_raw_key` when the key went there). */
        for (uint32_t i = 0; i < n; i++)
            if (!(tm->has_key && i == (uint32_t)t->pos[tm->key.node]) &&
                !(tm->raw_key_node >= 0 && i == (uint32_t)t->pos[tm->raw_key_node]))
                items[i] = obj.u.items[i];
    } else {
        idbpq_datum *vd = &items[t->pos[tm->value.node]];
        IDBPQ__TRY(conv_item(&c, &tm->value, value, vd, 0));
    }
    return IDBPQ_OK;
}
