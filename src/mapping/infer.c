/*
 * infer.c — the first half of schema inference: statistics of the values seen at each path
 * ("shapes"). A shape counts values by kind (docs/mapping.md, "Inference"); objects keep one
 * child shape per property in first-seen order, arrays and Sets one for their elements, Maps
 * one for keys and one for values. plan.c turns the shapes into a schema.
 *
 * Memory is the shapes, not the records: at most max_shapes of them. An object whose
 * properties would pass that bound (a dictionary keyed by ids, say) is marked wide, its
 * children are no longer followed, and it will be written as one VARIANT column.
 */
#include <math.h>

#include "mapping/mapping.h"
#include "mapping/variant.h"

#define WIDE_FIELDS 2000   /* properties of one object shape past which it goes VARIANT */

struct walk {
    struct idbpq__infer *in;
    struct idbpq__pmap *seen;  /* objects of the current record: a repeat is not followed */
};

static struct idbpq__shape *shape_new(struct idbpq__infer *in)
{
    struct idbpq__shape *s = idbpq__calloc(in->alc, sizeof *s);
    if (s) in->n_shapes++;
    return s;
}

static void shape_free(const idbpq_allocator *alc, struct idbpq__shape *s)
{
    if (!s) return;
    for (uint32_t i = 0; i < s->n_fields; i++) shape_free(alc, s->fields[i]);
    idbpq__free(alc, s->fields, s->cap_fields * sizeof *s->fields);
    idbpq__free(alc, (void *)s->names, s->cap_fields * sizeof *s->names);
    idbpq__free(alc, s->name_numeric, s->cap_fields);
    idbpq__free(alc, s->order, s->cap_fields * sizeof *s->order);
    idbpq__free(alc, s->index, s->index_cap * sizeof *s->index);
    shape_free(alc, s->elem);
    shape_free(alc, s->map_key);
    shape_free(alc, s->map_val);
    idbpq__free(alc, s, sizeof *s);
}

idbpq_status idbpq__infer_init(struct idbpq__infer *in, const idbpq_allocator *alc,
                               uint64_t max_shapes, uint32_t max_depth)
{
    memset(in, 0, sizeof *in);
    in->alc = idbpq__alc(alc);
    in->max_shapes = max_shapes ? max_shapes : 100000;
    in->max_depth = max_depth ? max_depth : 24;
    idbpq__pmap_init(&in->seen, in->alc);
    IDBPQ__TRY(idbpq_vbatch_create(&in->names, alc));
    in->root = shape_new(in);
    in->key = shape_new(in);
    return in->root && in->key ? IDBPQ_OK : IDBPQ_NOMEM;
}

void idbpq__infer_free(struct idbpq__infer *in)
{
    shape_free(in->alc, in->root);
    shape_free(in->alc, in->key);
    idbpq_vbatch_free(in->names);
    idbpq__pmap_free(&in->seen);
    memset(in, 0, sizeof *in);
}

/* ---- property lookup ------------------------------------------------------------------------ */

static idbpq_status index_rebuild(struct idbpq__infer *in, struct idbpq__shape *s)
{
    uint32_t cap = 16;
    while (cap < s->n_fields * 2 + 2) cap *= 2;
    uint32_t *ix = idbpq__calloc(in->alc, cap * sizeof *ix);
    if (!ix) return IDBPQ_NOMEM;
    for (uint32_t i = 0; i < s->n_fields; i++) {
        uint32_t h = idbpq__str_hash(&s->names[i]->u.str) & (cap - 1);
        while (ix[h]) h = (h + 1) & (cap - 1);
        ix[h] = i + 1;
    }
    idbpq__free(in->alc, s->index, s->index_cap * sizeof *s->index);
    s->index = ix;
    s->index_cap = cap;
    return IDBPQ_OK;
}

/* The child shape of property `name`, created when new. pos: the property's position in the
 * record (records usually list properties in column order, so order[pos] is nearly always
 * it); *field gets the field's index. after: the field of the record's previous property
 * (UINT32_MAX for the first), where a new field is placed in column order. */
static idbpq_status field_of(struct idbpq__infer *in, struct idbpq__shape *s, const idbpq_str *name,
                             int numeric, uint32_t pos, uint32_t after, struct idbpq__shape **out,
                             uint32_t *field)
{
    *out = NULL;
    if (pos < s->n_fields) {
        uint32_t g = s->order[pos];
        if (idbpq__str_equal(&s->names[g]->u.str, name)) {
            *out = s->fields[g];
            *field = g;
            return IDBPQ_OK;
        }
    }
    if (s->index) {
        uint32_t h = idbpq__str_hash(name) & (s->index_cap - 1);
        for (; s->index[h]; h = (h + 1) & (s->index_cap - 1))
            if (idbpq__str_equal(&s->names[s->index[h] - 1]->u.str, name)) {
                *out = s->fields[s->index[h] - 1];
                *field = s->index[h] - 1;
                return IDBPQ_OK;
            }
    } else {
        for (uint32_t i = 0; i < s->n_fields; i++)
            if (idbpq__str_equal(&s->names[i]->u.str, name)) {
                *out = s->fields[i];
                *field = i;
                return IDBPQ_OK;
            }
    }
    if (s->n_fields >= WIDE_FIELDS || in->n_shapes >= in->max_shapes) {
        s->wide = 1;
        return IDBPQ_OK;
    }
    if (s->n_fields == s->cap_fields) {
        uint32_t cap = s->cap_fields ? s->cap_fields * 2 : 8;
        void *f = idbpq__realloc(in->alc, s->fields, s->cap_fields * sizeof *s->fields,
                                 cap * sizeof *s->fields);
        if (!f) return IDBPQ_NOMEM;
        s->fields = f;
        void *n = idbpq__realloc(in->alc, (void *)s->names, s->cap_fields * sizeof *s->names,
                                 cap * sizeof *s->names);
        if (!n) return IDBPQ_NOMEM;
        s->names = n;
        void *k = idbpq__realloc(in->alc, s->name_numeric, s->cap_fields, cap);
        if (!k) return IDBPQ_NOMEM;
        s->name_numeric = k;
        void *o = idbpq__realloc(in->alc, s->order, s->cap_fields * sizeof *s->order,
                                 cap * sizeof *s->order);
        if (!o) return IDBPQ_NOMEM;
        s->order = o;
        s->cap_fields = cap;
    }
    idbpq_value *nv = name->two_byte
                          ? idbpq__value_utf16(in->names, name->data, name->len)
                          : idbpq__value_latin1(in->names, name->data, name->len);
    struct idbpq__shape *c = shape_new(in);
    if (!nv || !c) {
        idbpq__free(in->alc, c, sizeof *c);
        return IDBPQ_NOMEM;
    }
    uint32_t at = 0; /* position in column order: right after `after` */
    if (after != UINT32_MAX)
        for (uint32_t k = 0; k < s->n_fields; k++)
            if (s->order[k] == after) at = k + 1;
    memmove(s->order + at + 1, s->order + at, (s->n_fields - at) * sizeof *s->order);
    s->order[at] = s->n_fields;
    *field = s->n_fields;
    s->names[s->n_fields] = nv;
    s->name_numeric[s->n_fields] = (uint8_t)numeric;
    s->fields[s->n_fields++] = c;
    if (s->n_fields > 8 && (s->n_fields * 2 + 2 > s->index_cap || !s->index))
        IDBPQ__TRY(index_rebuild(in, s));
    else if (s->index) {
        uint32_t h = idbpq__str_hash(name) & (s->index_cap - 1);
        while (s->index[h]) h = (h + 1) & (s->index_cap - 1);
        s->index[h] = s->n_fields;
    }
    *out = c;
    return IDBPQ_OK;
}

/* ---- kinds ---------------------------------------------------------------------------------- */

static int bigint_kind(const idbpq_value *v)
{
    uint32_t n = v->u.bigint.len;
    const uint8_t *d = v->u.bigint.digits;
    if (n < 8 || (n == 8 && d[7] < 0x80)) return IDBPQ__K_BIGINT64;
    if (n == 8 && v->u.bigint.negative && d[7] == 0x80) {
        int rest = 0;
        for (int i = 0; i < 7; i++) rest |= d[i];
        if (!rest) return IDBPQ__K_BIGINT64; /* -2^63 */
    }
    if (n > 16) return IDBPQ__K_BIGINT_BIG;
    /* 10^38 - 1 < 2^127: compare the magnitude with 10^38 (little-endian 16 bytes). */
    static const uint8_t e38[16] = {0x00, 0x00, 0x00, 0x00, 0x40, 0x22, 0x8a, 0x09,
                                    0x7a, 0xc4, 0x86, 0x5a, 0xa8, 0x4c, 0x3b, 0x4b};
    for (int i = 15; i >= 0; i--) {
        uint8_t b = i < (int)n ? d[i] : 0;
        if (b != e38[i]) return b < e38[i] ? IDBPQ__K_BIGINT38 : IDBPQ__K_BIGINT_BIG;
    }
    return IDBPQ__K_BIGINT_BIG; /* exactly 10^38 */
}

int idbpq__value_kind(const idbpq_value *v)
{
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_UNDEFINED: return IDBPQ__K_UNDEFINED;
    case IDBPQ_V_NULL: return IDBPQ__K_NULL;
    case IDBPQ_V_BOOLEAN: return IDBPQ__K_BOOLEAN;
    case IDBPQ_V_NUMBER: {
        double d = v->u.number;
        if (d == floor(d) && fabs(d) <= 9007199254740992.0 && !(d == 0 && signbit(d)))
            return IDBPQ__K_INT;
        return IDBPQ__K_DOUBLE;
    }
    case IDBPQ_V_BIGINT: return bigint_kind(v);
    case IDBPQ_V_STRING: return IDBPQ__K_STRING;
    case IDBPQ_V_DATE: return IDBPQ__K_DATE;
    case IDBPQ_V_ARRAY_BUFFER: return IDBPQ__K_BUFFER;
    case IDBPQ_V_VIEW: return IDBPQ__K_VIEW;
    case IDBPQ_V_OBJECT: return IDBPQ__K_OBJECT;
    case IDBPQ_V_ARRAY: return IDBPQ__K_ARRAY;
    case IDBPQ_V_SET: return IDBPQ__K_SET;
    case IDBPQ_V_MAP: return IDBPQ__K_MAP;
    case IDBPQ_V_BLOB: return IDBPQ__K_BLOB;
    case IDBPQ_V_FILE: return IDBPQ__K_FILE;
    case IDBPQ_V_REGEXP:
    case IDBPQ_V_BOXED:
    case IDBPQ_V_ERROR:
    case IDBPQ_V_FILE_LIST:
    case IDBPQ_V_HOST:
    case IDBPQ_V_HOLE:
    default: return IDBPQ__K_OTHER;
    }
}

/* ---- the walk ------------------------------------------------------------------------------- */

static idbpq_status observe(struct walk *w, struct idbpq__shape *s, const idbpq_value *v,
                            uint32_t depth, int *holdable);

/* Observes v's children under s; *holdable is cleared when one of them cannot be a VARIANT. */
static idbpq_status observe_children(struct walk *w, struct idbpq__shape *s, const idbpq_value *v,
                                     uint32_t depth, int *holdable)
{
    struct idbpq__infer *in = w->in;
    int h = 1;
    switch (v->type) {
    case IDBPQ_V_OBJECT:
        s->objects_seen++;
        if (s->wide) break;
        uint32_t prev = UINT32_MAX;
        for (uint32_t i = 0; i < v->u.object.n; i++) {
            const idbpq_prop *p = &v->u.object.props[i];
            char tmp[32];
            idbpq_str name = idbpq__key_name(p->key, tmp);
            struct idbpq__shape *c;
            IDBPQ__TRY(field_of(in, s, &name, p->key->type == IDBPQ_V_NUMBER, i, prev, &c, &prev));
            if (!c) break; /* went wide */
            IDBPQ__TRY(observe(w, c, p->value, depth + 1, &h));
        }
        break;
    case IDBPQ_V_ARRAY:
        if (!s->elem && !(s->elem = shape_new(in))) return IDBPQ_NOMEM;
        if (v->u.array.sparse || v->u.array.n_props) h = 0;
        if (!v->u.array.sparse)
            for (uint32_t i = 0; i < v->u.array.length; i++) {
                const idbpq_value *it = v->u.array.items[i];
                if (it->type == IDBPQ_V_HOLE) { h = 0; continue; }
                IDBPQ__TRY(observe(w, s->elem, it, depth + 1, &h));
            }
        else
            for (uint32_t i = 0; i < v->u.array.n_props; i++)
                IDBPQ__TRY(observe(w, s->elem, v->u.array.props[i].value, depth + 1, &h));
        break;
    case IDBPQ_V_SET:
        h = 0;
        if (!s->elem && !(s->elem = shape_new(in))) return IDBPQ_NOMEM;
        for (uint32_t i = 0; i < v->u.coll.n; i++)
            IDBPQ__TRY(observe(w, s->elem, v->u.coll.items[i], depth + 1, &h));
        break;
    case IDBPQ_V_MAP:
        h = 0;
        if (!s->map_key && !(s->map_key = shape_new(in))) return IDBPQ_NOMEM;
        if (!s->map_val && !(s->map_val = shape_new(in))) return IDBPQ_NOMEM;
        for (uint32_t i = 0; i < v->u.coll.n; i++) {
            IDBPQ__TRY(observe(w, s->map_key, v->u.coll.items[2 * i], depth + 1, &h));
            IDBPQ__TRY(observe(w, s->map_val, v->u.coll.items[2 * i + 1], depth + 1, &h));
        }
        break;
    default: break;
    }
    if (!h) *holdable = 0;
    return IDBPQ_OK;
}

static idbpq_status observe(struct walk *w, struct idbpq__shape *s, const idbpq_value *v,
                            uint32_t depth, int *holdable)
{
    int k = idbpq__value_kind(v);
    s->seen++;
    s->kinds[k]++;
    if (k == IDBPQ__K_VIEW) s->views[v->u.view.kind < 13 ? v->u.view.kind : 12]++;
    int h = k == IDBPQ__K_UNDEFINED || k == IDBPQ__K_OTHER || k == IDBPQ__K_BIGINT_BIG ||
                    k == IDBPQ__K_SET || k == IDBPQ__K_MAP || k == IDBPQ__K_BLOB ||
                    k == IDBPQ__K_FILE
                ? 0
                : idbpq__variant_class(v, 0) != IDBPQ__VC_NONE ||
                      idbpq__variant_class(v, IDBPQ__VAR_UINT8ARRAY) != IDBPQ__VC_NONE;
    if (idbpq__is_object(v->type) &&
        (k == IDBPQ__K_OBJECT || k == IDBPQ__K_ARRAY || k == IDBPQ__K_SET || k == IDBPQ__K_MAP)) {
        if (idbpq__pmap_get(w->seen, v)) {
            /* Shared or cyclic: the record falls back to `_raw`. Not walked again (a cycle
             * would not end), and not counted as an object here, so this path does not get a
             * group made only from such references. */
            h = 0;
            s->kinds[k]--;
            s->kinds[IDBPQ__K_OTHER]++;
        } else if (depth >= w->in->max_depth) {
            s->wide = 1; /* too deep for columns: this path becomes a VARIANT */
            if (k == IDBPQ__K_OBJECT) s->objects_seen++;
        } else {
            IDBPQ__TRY(idbpq__pmap_put(w->seen, v, 1));
            IDBPQ__TRY(observe_children(w, s, v, depth, &h));
        }
    }
    if (!h) {
        s->unholdable++;
        *holdable = 0;
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__infer_add(struct idbpq__infer *in, const idbpq_value *key,
                              const idbpq_value *value)
{
    struct walk w;
    w.in = in;
    w.seen = &in->seen;
    int h = 1;
    idbpq__pmap_clear(&in->seen);
    idbpq_status st = observe(&w, in->root, value, 0, &h);
    if (st == IDBPQ_OK && key) {
        idbpq__pmap_clear(&in->seen);
        st = observe(&w, in->key, key, 0, &h);
    }
    return st;
}
