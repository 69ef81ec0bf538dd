/*
 * copy.c — deep copy of a value graph into another batch. Objects met twice are copied
 * once (a map from the original to the copy's number), so sharing and cycles are kept: the
 * copy is idbpq_value_equal to the original. Used to hold a sample of records past the
 * lifetime of the caller's batch.
 */
#include "value/value.h"

struct cp {
    idbpq_vbatch *b;
    struct idbpq__pmap map;      /* original object -> index in copies */
    idbpq_value **copies;
    size_t n, cap;
    const idbpq_allocator *alc;
    int depth;
    int fail;
};

static void *dup_bytes(struct cp *c, const void *p, size_t n)
{
    if (!n) return (void *)"";
    void *q = idbpq_vbatch_alloc(c->b, n);
    if (!q) {
        c->fail = 1;
        return NULL;
    }
    memcpy(q, p, n);
    return q;
}

static idbpq_value *cp(struct cp *c, const idbpq_value *v);

static idbpq_value **cp_items(struct cp *c, idbpq_value *const *items, size_t n)
{
    if (!items) return NULL;
    idbpq_value **out = idbpq_vbatch_alloc(c->b, sizeof *out * (n ? n : 1));
    if (!out) {
        c->fail = 1;
        return NULL;
    }
    for (size_t i = 0; i < n && !c->fail; i++) out[i] = cp(c, items[i]);
    return out;
}

static idbpq_prop *cp_props(struct cp *c, const idbpq_prop *props, uint32_t n)
{
    if (!props || !n) return NULL;
    idbpq_prop *out = idbpq_vbatch_alloc(c->b, sizeof *out * n);
    if (!out) {
        c->fail = 1;
        return NULL;
    }
    for (uint32_t i = 0; i < n && !c->fail; i++) {
        out[i].key = cp(c, props[i].key);
        out[i].value = cp(c, props[i].value);
    }
    return out;
}

static idbpq_value *cp_opt(struct cp *c, const idbpq_value *v) { return v ? cp(c, v) : NULL; }

static idbpq_value *cp(struct cp *c, const idbpq_value *v)
{
    if (c->fail) return NULL;
    if (idbpq__is_object(v->type)) {
        uint32_t *ix = idbpq__pmap_get(&c->map, v);
        if (ix) return c->copies[*ix];
    }
    if (++c->depth > 10000) { /* decoders nest at most 1000 deep */
        c->fail = 1;
        return NULL;
    }
    idbpq_value *o = idbpq_value_new(c->b, (idbpq_vtype)v->type);
    if (!o) {
        c->fail = 1;
        return NULL;
    }
    o->u = v->u;
    if (idbpq__is_object(v->type)) {
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 16;
            void *p = idbpq__realloc(c->alc, c->copies, c->cap * sizeof *c->copies,
                                     cap * sizeof *c->copies);
            if (!p) {
                c->fail = 1;
                return NULL;
            }
            c->copies = p;
            c->cap = cap;
        }
        c->copies[c->n] = o;
        if (idbpq__pmap_put(&c->map, v, (uint32_t)c->n++) != IDBPQ_OK) {
            c->fail = 1;
            return NULL;
        }
    }
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_STRING:
        o->u.str.data = dup_bytes(c, v->u.str.data, (size_t)v->u.str.len * (v->u.str.two_byte ? 2 : 1));
        break;
    case IDBPQ_V_BIGINT: o->u.bigint.digits = dup_bytes(c, v->u.bigint.digits, v->u.bigint.len); break;
    case IDBPQ_V_OBJECT: o->u.object.props = cp_props(c, v->u.object.props, v->u.object.n); break;
    case IDBPQ_V_ARRAY:
        o->u.array.items = cp_items(c, v->u.array.items, v->u.array.items ? v->u.array.length : 0);
        o->u.array.props = cp_props(c, v->u.array.props, v->u.array.n_props);
        break;
    case IDBPQ_V_REGEXP: o->u.regexp.source = cp_opt(c, v->u.regexp.source); break;
    case IDBPQ_V_BOXED: o->u.boxed = cp_opt(c, v->u.boxed); break;
    case IDBPQ_V_MAP:
    case IDBPQ_V_SET:
        o->u.coll.items = cp_items(c, v->u.coll.items,
                                   (size_t)v->u.coll.n * (v->type == IDBPQ_V_MAP ? 2 : 1));
        break;
    case IDBPQ_V_ARRAY_BUFFER:
        o->u.buffer.bytes = dup_bytes(c, v->u.buffer.bytes, (size_t)v->u.buffer.len);
        break;
    case IDBPQ_V_VIEW: o->u.view.buffer = cp_opt(c, v->u.view.buffer); break;
    case IDBPQ_V_ERROR:
        o->u.error.message = cp_opt(c, v->u.error.message);
        o->u.error.stack = cp_opt(c, v->u.error.stack);
        o->u.error.cause = cp_opt(c, v->u.error.cause);
        break;
    case IDBPQ_V_BLOB:
    case IDBPQ_V_FILE:
        o->u.blob.mime = cp_opt(c, v->u.blob.mime);
        o->u.blob.name = cp_opt(c, v->u.blob.name);
        if (v->u.blob.bytes) o->u.blob.bytes = dup_bytes(c, v->u.blob.bytes, (size_t)v->u.blob.size);
        break;
    case IDBPQ_V_FILE_LIST: o->u.files.files = cp_items(c, v->u.files.files, v->u.files.n); break;
    case IDBPQ_V_HOST: o->u.host.bytes = dup_bytes(c, v->u.host.bytes, v->u.host.len); break;
    case IDBPQ_V_UNDEFINED:
    case IDBPQ_V_NULL:
    case IDBPQ_V_BOOLEAN:
    case IDBPQ_V_NUMBER:
    case IDBPQ_V_DATE:
    case IDBPQ_V_HOLE:
    default: break;
    }
    c->depth--;
    return c->fail ? NULL : o;
}

idbpq_value *idbpq_value_copy(idbpq_vbatch *b, const idbpq_value *v)
{
    if (!b || !v) return NULL;
    struct cp c;
    memset(&c, 0, sizeof c);
    c.b = b;
    c.alc = b->alc;
    idbpq__pmap_init(&c.map, c.alc);
    idbpq_value *out = cp(&c, v);
    idbpq__pmap_free(&c.map);
    idbpq__free(c.alc, c.copies, c.cap * sizeof *c.copies);
    return c.fail ? NULL : out;
}
