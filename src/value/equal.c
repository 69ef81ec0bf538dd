/*
 * equal.c — deep equality of two value graphs. Payloads compare exactly (numbers by bits,
 * with every NaN equal to every NaN; strings by UTF-16 code units whatever their width;
 * arrays as JavaScript sees them, whether stored dense or sparse). Objects must also
 * correspond one to one: both graphs are walked in the same canonical order and each object
 * gets the number of its first visit; a revisit on one side must meet the object with the
 * same number on the other. That makes shared and cyclic structure part of equality.
 */
#include "value/value.h"

#include <math.h>

struct eq {
    struct idbpq__pmap ma, mb;     /* object -> first-visit number, one map per graph */
    uint32_t next;
    int oom;
    uint32_t flags;                /* IDBPQ_EQ_* */
};

static int eqv(struct eq *e, const idbpq_value *a, const idbpq_value *b);

static int num_eq(double x, double y)
{
    if (isnan(x) || isnan(y)) return isnan(x) && isnan(y);
    return memcmp(&x, &y, sizeof x) == 0;
}

static int opt_str_eq(const idbpq_value *a, const idbpq_value *b)
{
    static const idbpq_str empty = {"", 0, 0};
    const idbpq_str *x = a && a->type == IDBPQ_V_STRING ? &a->u.str : &empty;
    const idbpq_str *y = b && b->type == IDBPQ_V_STRING ? &b->u.str : &empty;
    return idbpq__str_equal(x, y);
}

static int opt_eq(struct eq *e, const idbpq_value *a, const idbpq_value *b)
{
    if (!a || !b) return a == b;
    return eqv(e, a, b);
}

static int bigint_eq(const idbpq_value *a, const idbpq_value *b)
{
    uint32_t la = a->u.bigint.len, lb = b->u.bigint.len;
    while (la && a->u.bigint.digits[la - 1] == 0) la--;
    while (lb && b->u.bigint.digits[lb - 1] == 0) lb--;
    if (la != lb) return 0;
    if (la && !a->u.bigint.negative != !b->u.bigint.negative) return 0;
    return la == 0 || memcmp(a->u.bigint.digits, b->u.bigint.digits, la) == 0;
}

static int key_eq(const idbpq_value *a, const idbpq_value *b)
{
    char ta[32], tb[32];
    if (!a || !b) return a == b;
    idbpq_str x = idbpq__key_name(a, ta), y = idbpq__key_name(b, tb);
    return idbpq__str_equal(&x, &y);
}

static int props_eq(struct eq *e, const idbpq_prop *const *pa, const idbpq_prop *a,
                    const idbpq_prop *const *pb, const idbpq_prop *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        const idbpq_prop *x = pa ? pa[i] : &a[i], *y = pb ? pb[i] : &b[i];
        if (!key_eq(x->key, y->key) || !opt_eq(e, x->value, y->value)) return 0;
    }
    return 1;
}

/* Plain objects under IDBPQ_EQ_UNORDERED: the same names with equal values, in any order.
 * Walking a's order and finding each name in b keeps both walks in step. */
static int props_eq_unordered(struct eq *e, const idbpq_prop *a, const idbpq_prop *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = i < n && key_eq(a[i].key, b[i].key) ? i : n;
        for (uint32_t k = 0; j == n && k < n; k++)
            if (key_eq(a[i].key, b[k].key)) j = k;
        if (j == n || !opt_eq(e, a[i].value, b[j].value)) return 0;
    }
    return 1;
}

static int array_eq(struct eq *e, const idbpq_value *a, const idbpq_value *b)
{
    if (a->u.array.length != b->u.array.length) return 0;
    if (a->u.array.items && b->u.array.items && !a->u.array.n_props && !b->u.array.n_props) {
        for (uint32_t i = 0; i < a->u.array.length; i++)
            if (!opt_eq(e, a->u.array.items[i], b->u.array.items[i])) return 0;
        return 1;
    }
    struct idbpq__asplit x, y;
    const idbpq_allocator *alc = idbpq__alc(NULL);
    if (idbpq__array_split(a, alc, &x) != IDBPQ_OK) { e->oom = 1; return 0; }
    if (idbpq__array_split(b, alc, &y) != IDBPQ_OK) {
        idbpq__array_split_free(&x, alc);
        e->oom = 1;
        return 0;
    }
    int r = x.n_elems == y.n_elems && x.n_extras == y.n_extras;
    for (uint32_t i = 0; r && i < x.n_elems; i++)
        r = x.elems[i].index == y.elems[i].index && opt_eq(e, x.elems[i].value, y.elems[i].value);
    if (r) r = props_eq(e, x.extras, NULL, y.extras, NULL, x.n_extras);
    idbpq__array_split_free(&x, alc);
    idbpq__array_split_free(&y, alc);
    return r;
}

static int bytes_eq(const uint8_t *a, const uint8_t *b, uint64_t n)
{
    return n == 0 || (a && b && memcmp(a, b, (size_t)n) == 0);
}

static int object_eq(struct eq *e, const idbpq_value *a, const idbpq_value *b)
{
    uint32_t i;
    switch ((idbpq_vtype)a->type) {
    case IDBPQ_V_OBJECT:
        if (a->u.object.n != b->u.object.n) return 0;
        if (e->flags & IDBPQ_EQ_UNORDERED)
            return props_eq_unordered(e, a->u.object.props, b->u.object.props, a->u.object.n);
        return props_eq(e, NULL, a->u.object.props, NULL, b->u.object.props, a->u.object.n);
    case IDBPQ_V_ARRAY: return array_eq(e, a, b);
    case IDBPQ_V_DATE: return num_eq(a->u.number, b->u.number);
    case IDBPQ_V_REGEXP:
        return a->u.regexp.flags == b->u.regexp.flags &&
               opt_str_eq(a->u.regexp.source, b->u.regexp.source);
    case IDBPQ_V_BOXED: return opt_eq(e, a->u.boxed, b->u.boxed);
    case IDBPQ_V_MAP:
    case IDBPQ_V_SET: {
        uint32_t n = a->u.coll.n * (a->type == IDBPQ_V_MAP ? 2u : 1u);
        if (a->u.coll.n != b->u.coll.n) return 0;
        for (i = 0; i < n; i++)
            if (!opt_eq(e, a->u.coll.items[i], b->u.coll.items[i])) return 0;
        return 1;
    }
    case IDBPQ_V_ARRAY_BUFFER:
        return a->u.buffer.len == b->u.buffer.len &&
               !a->u.buffer.resizable == !b->u.buffer.resizable &&
               (!a->u.buffer.resizable || a->u.buffer.max_len == b->u.buffer.max_len) &&
               bytes_eq(a->u.buffer.bytes, b->u.buffer.bytes, a->u.buffer.len);
    case IDBPQ_V_VIEW:
        return a->u.view.kind == b->u.view.kind && a->u.view.offset == b->u.view.offset &&
               a->u.view.length == b->u.view.length && a->u.view.flags == b->u.view.flags &&
               opt_eq(e, a->u.view.buffer, b->u.view.buffer);
    case IDBPQ_V_ERROR:
        return a->u.error.kind == b->u.error.kind &&
               !a->u.error.message == !b->u.error.message &&
               opt_str_eq(a->u.error.message, b->u.error.message) &&
               !a->u.error.stack == !b->u.error.stack &&
               opt_str_eq(a->u.error.stack, b->u.error.stack) &&
               opt_eq(e, a->u.error.cause, b->u.error.cause);
    case IDBPQ_V_BLOB:
    case IDBPQ_V_FILE:
        /* The external-object index is where the bytes live, not what they are: ignored. */
        if (a->u.blob.size != b->u.blob.size || !opt_str_eq(a->u.blob.mime, b->u.blob.mime) ||
            !a->u.blob.bytes != !b->u.blob.bytes ||
            (a->u.blob.bytes && !bytes_eq(a->u.blob.bytes, b->u.blob.bytes, a->u.blob.size)))
            return 0;
        return a->type == IDBPQ_V_BLOB ||
               (opt_str_eq(a->u.blob.name, b->u.blob.name) &&
                num_eq(a->u.blob.last_modified, b->u.blob.last_modified));
    case IDBPQ_V_FILE_LIST:
        if (a->u.files.n != b->u.files.n) return 0;
        for (i = 0; i < a->u.files.n; i++)
            if (!opt_eq(e, a->u.files.files[i], b->u.files.files[i])) return 0;
        return 1;
    case IDBPQ_V_HOST:
        return a->u.host.tag == b->u.host.tag && a->u.host.len == b->u.host.len &&
               bytes_eq(a->u.host.bytes, b->u.host.bytes, a->u.host.len);
    case IDBPQ_V_UNDEFINED: case IDBPQ_V_NULL: case IDBPQ_V_BOOLEAN: case IDBPQ_V_NUMBER:
    case IDBPQ_V_BIGINT: case IDBPQ_V_STRING: case IDBPQ_V_HOLE:
    default: return 0;
    }
}

static int eqv(struct eq *e, const idbpq_value *a, const idbpq_value *b)
{
    if (e->oom) return 0;
    if (a->type != b->type) return 0;
    switch ((idbpq_vtype)a->type) {
    case IDBPQ_V_UNDEFINED: case IDBPQ_V_NULL: case IDBPQ_V_HOLE: return 1;
    case IDBPQ_V_BOOLEAN: return !a->u.boolean == !b->u.boolean;
    case IDBPQ_V_NUMBER: return num_eq(a->u.number, b->u.number);
    case IDBPQ_V_BIGINT: return bigint_eq(a, b);
    case IDBPQ_V_STRING: return idbpq__str_equal(&a->u.str, &b->u.str);
    case IDBPQ_V_OBJECT: case IDBPQ_V_ARRAY: case IDBPQ_V_DATE: case IDBPQ_V_REGEXP:
    case IDBPQ_V_BOXED: case IDBPQ_V_MAP: case IDBPQ_V_SET: case IDBPQ_V_ARRAY_BUFFER:
    case IDBPQ_V_VIEW: case IDBPQ_V_ERROR: case IDBPQ_V_BLOB: case IDBPQ_V_FILE:
    case IDBPQ_V_FILE_LIST: case IDBPQ_V_HOST: break;
    default: return 0;
    }
    uint32_t *ia = idbpq__pmap_get(&e->ma, a), *ib = idbpq__pmap_get(&e->mb, b);
    if (ia || ib) return ia && ib && *ia == *ib;
    if (idbpq__pmap_put(&e->ma, a, e->next) != IDBPQ_OK ||
        idbpq__pmap_put(&e->mb, b, e->next) != IDBPQ_OK) {
        e->oom = 1;
        return 0;
    }
    e->next++;
    return object_eq(e, a, b);
}

int idbpq_value_equal(const idbpq_value *a, const idbpq_value *b)
{
    return idbpq_value_equal_ex(a, b, 0);
}

int idbpq_value_equal_ex(const idbpq_value *a, const idbpq_value *b, uint32_t flags)
{
    if (!a || !b) return a == b;
    struct eq e;
    e.flags = flags;
    idbpq__pmap_init(&e.ma, NULL);
    idbpq__pmap_init(&e.mb, NULL);
    e.next = 0;
    e.oom = 0;
    int r = eqv(&e, a, b);
    idbpq__pmap_free(&e.ma);
    idbpq__pmap_free(&e.mb);
    return r && !e.oom;
}
