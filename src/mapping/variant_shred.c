/*
 * variant_shred.c — a JS value from a VARIANT group as the row reader assembles it, following
 * VariantShredding.md's reconstruction: `value` holds variant bytes, `typed_value` a shredded
 * primitive, array (LIST of {value, typed_value} elements) or object (a group of
 * {value, typed_value} fields).
 *
 * A shredded primitive is turned back into the few bytes of the variant primitive it stands
 * for and handed to idbpq__variant_decode, so that a shredded timestamp or decimal becomes
 * exactly the JS value an unshredded one does, under the same flags, by one set of rules.
 */
#include "mapping/variant.h"

#include <stdio.h>

struct shred {
    idbpq_vbatch *b;
    const idbpq_schema *s;
    const uint8_t *meta;
    size_t meta_len;
    uint32_t flags;
    struct idbpq__buf tmp;     /* a shredded primitive's variant bytes */
    struct idbpq__err *err;
};

/* The metadata of a VARIANT without field names: what shredded primitives decode against. */
static const uint8_t no_names[3] = {0x01, 0x00, 0x00};

static const idbpq_schema_node *node_of(const struct shred *sh, int32_t i)
{
    return idbpq_schema_node_at(sh->s, i);
}

static int32_t child_named(const struct shred *sh, int32_t group, const char *name, int32_t *pos)
{
    const idbpq_schema_node *g = node_of(sh, group);
    for (int32_t i = 0; i < g->num_children; i++) {
        if (strcmp(node_of(sh, g->children[i])->name, name) == 0) {
            if (pos) *pos = i;
            return g->children[i];
        }
    }
    return -1;
}

static idbpq_status corrupt(struct shred *sh, int32_t node, const char *what)
{
    return idbpq__fail(sh->err, IDBPQ_CORRUPT, "column %s: %s", node_of(sh, node)->path, what);
}

/* ---- what a typed_value column may be ------------------------------------------------------- */

enum typed {
    T_NONE = 0, T_BOOL, T_INT32, T_INT64, T_FLOAT, T_DOUBLE, T_DEC32, T_DEC64, T_DECBYTES,
    T_DATE, T_TIME, T_TIMESTAMP, T_BINARY, T_STRING, T_UUID, T_ARRAY, T_OBJECT
};

static enum typed typed_kind(const idbpq_schema_node *n)
{
    const idbpq_logical *lt = &n->logical;
    const int plain = lt->kind == IDBPQ_LT_NONE || lt->kind == IDBPQ_LT_UNKNOWN_ID;
    const int dec = lt->kind == IDBPQ_LT_DECIMAL && lt->scale >= 0 && lt->scale <= 38 &&
                    lt->precision <= 38 && lt->scale <= lt->precision;
    const int sint = lt->kind == IDBPQ_LT_INTEGER && lt->is_signed;
    if (n->repetition == IDBPQ_REPEATED) return T_NONE;
    switch (n->type) {
    case IDBPQ_BOOLEAN: return plain ? T_BOOL : T_NONE;
    case IDBPQ_INT32:
        if (plain || (sint && lt->bit_width <= 32)) return T_INT32;
        return lt->kind == IDBPQ_LT_DATE ? T_DATE : dec ? T_DEC32 : T_NONE;
    case IDBPQ_INT64:
        if (plain || sint) return T_INT64;
        if (lt->kind == IDBPQ_LT_TIME && lt->unit == IDBPQ_MICROS) return T_TIME;
        return lt->kind == IDBPQ_LT_TIMESTAMP ? T_TIMESTAMP : dec ? T_DEC64 : T_NONE;
    case IDBPQ_FLOAT: return plain ? T_FLOAT : T_NONE;
    case IDBPQ_DOUBLE: return plain ? T_DOUBLE : T_NONE;
    case IDBPQ_BYTE_ARRAY:
        return plain ? T_BINARY : lt->kind == IDBPQ_LT_STRING ? T_STRING : dec ? T_DECBYTES : T_NONE;
    case IDBPQ_FIXED_LEN_BYTE_ARRAY:
        if (lt->kind == IDBPQ_LT_UUID && n->type_length == 16) return T_UUID;
        return dec ? T_DECBYTES : T_NONE;
    case IDBPQ_GROUP:
        if (n->shape == IDBPQ_SHAPE_LIST) return T_ARRAY;
        return n->shape == IDBPQ_SHAPE_STRUCT && plain ? T_OBJECT : T_NONE;
    case IDBPQ_INT96: break;
    }
    return T_NONE;
}

static idbpq_status unsupported(struct shred *sh, const idbpq_schema_node *n)
{
    char lt[64] = "";
    const idbpq_logical *l = &n->logical;
    switch (l->kind) {
    case IDBPQ_LT_INTEGER:
        snprintf(lt, sizeof lt, " INTEGER(%d,%s)", l->bit_width, l->is_signed ? "true" : "false");
        break;
    case IDBPQ_LT_DECIMAL: snprintf(lt, sizeof lt, " DECIMAL(%d,%d)", l->precision, l->scale); break;
    case IDBPQ_LT_NONE: case IDBPQ_LT_UNKNOWN_ID: break;
    case IDBPQ_LT_STRING: case IDBPQ_LT_MAP: case IDBPQ_LT_LIST: case IDBPQ_LT_ENUM:
    case IDBPQ_LT_DATE: case IDBPQ_LT_TIME: case IDBPQ_LT_TIMESTAMP: case IDBPQ_LT_NULL:
    case IDBPQ_LT_JSON: case IDBPQ_LT_BSON: case IDBPQ_LT_UUID: case IDBPQ_LT_FLOAT16:
    case IDBPQ_LT_VARIANT: case IDBPQ_LT_GEOMETRY: case IDBPQ_LT_GEOGRAPHY:
    case IDBPQ_LT_INTERVAL:
    default: snprintf(lt, sizeof lt, " with logical type %d", (int)l->kind); break;
    }
    const char *pt = n->type == IDBPQ_GROUP ? "group" : idbpq_type_name(n->type);
    return idbpq__fail(sh->err, IDBPQ_UNSUPPORTED,
                       "column %s: a shredded typed_value of type %s%s%s is not supported", n->path,
                       n->repetition == IDBPQ_REPEATED ? "repeated " : "", pt ? pt : "?", lt);
}

static idbpq_status check_pair(struct shred *sh, int32_t group);

/* Checks a typed_value subtree before any data is looked at: a type that cannot be read is
 * refused even where every row is null. */
static idbpq_status check_typed(struct shred *sh, int32_t node)
{
    const idbpq_schema_node *n = node_of(sh, node);
    switch (typed_kind(n)) {
    case T_NONE: return unsupported(sh, n);
    case T_ARRAY: {
        const idbpq_schema_node *el = node_of(sh, n->element);
        if (el->type != IDBPQ_GROUP || el->shape != IDBPQ_SHAPE_STRUCT)
            return corrupt(sh, n->element, "a shredded array's element is not a group");
        return check_pair(sh, n->element);
    }
    case T_OBJECT:
        for (int32_t i = 0; i < n->num_children; i++) {
            const idbpq_schema_node *f = node_of(sh, n->children[i]);
            if (f->type != IDBPQ_GROUP || f->shape != IDBPQ_SHAPE_STRUCT)
                return corrupt(sh, n->children[i], "a shredded object's field is not a group");
            for (int32_t j = 0; j < i; j++)
                if (strcmp(node_of(sh, n->children[j])->name, f->name) == 0)
                    return corrupt(sh, n->children[i], "two shredded fields of one name");
            IDBPQ__TRY(check_pair(sh, n->children[i]));
        }
        return IDBPQ_OK;
    case T_BOOL: case T_INT32: case T_INT64: case T_FLOAT: case T_DOUBLE: case T_DEC32:
    case T_DEC64: case T_DECBYTES: case T_DATE: case T_TIME: case T_TIMESTAMP: case T_BINARY:
    case T_STRING: case T_UUID: break;
    }
    return IDBPQ_OK;
}

/* A group of `value` and/or `typed_value` (the VARIANT itself, a field or an element). */
static idbpq_status check_pair(struct shred *sh, int32_t group)
{
    int32_t value = child_named(sh, group, "value", NULL);
    int32_t typed = child_named(sh, group, "typed_value", NULL);
    if (value < 0 && typed < 0) return corrupt(sh, group, "neither value nor typed_value");
    if (value >= 0 && node_of(sh, value)->type != IDBPQ_BYTE_ARRAY)
        return corrupt(sh, value, "a variant value column that is not binary");
    return typed >= 0 ? check_typed(sh, typed) : IDBPQ_OK;
}

/* ---- reconstruction ------------------------------------------------------------------------------ */

static idbpq_status decode_value(struct shred *sh, int32_t node, const idbpq_datum *v,
                                 idbpq_value **out)
{
    if (v->kind != IDBPQ_DATUM_BYTES) return corrupt(sh, node, "a variant value that is not bytes");
    idbpq_status st = idbpq__variant_decode(sh->b, sh->meta, sh->meta_len, v->u.bytes, v->len,
                                            sh->flags, out, sh->err);
    if (st != IDBPQ_OK) idbpq__err_prefix(sh->err, "column %s: ", node_of(sh, node)->path);
    return st;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* A big-endian two's-complement decimal of any length as decimal16's 16 little-endian bytes. */
static int decimal_bytes(const uint8_t *p, uint32_t n, uint8_t out[16])
{
    uint8_t fill = n && (p[0] & 0x80) ? 0xff : 0x00;
    for (uint32_t i = 0; n > 16 && i < n - 16; i++)
        if (p[i] != fill) return 0;
    if (n > 16 && ((p[n - 16] ^ fill) & 0x80)) return 0;
    for (uint32_t i = 0; i < 16; i++) out[i] = i < n ? p[n - 1 - i] : fill;
    return 1;
}

/* The variant primitive a typed_value stands for, in sh->tmp. */
static idbpq_status typed_bytes(struct shred *sh, int32_t node, const idbpq_datum *t)
{
    const idbpq_schema_node *n = node_of(sh, node);
    const enum typed k = typed_kind(n);
    static const uint8_t want[] = {
        [T_BOOL] = IDBPQ_DATUM_BOOLEAN, [T_INT32] = IDBPQ_DATUM_INT32, [T_DATE] = IDBPQ_DATUM_INT32,
        [T_DEC32] = IDBPQ_DATUM_INT32, [T_INT64] = IDBPQ_DATUM_INT64, [T_DEC64] = IDBPQ_DATUM_INT64,
        [T_TIME] = IDBPQ_DATUM_INT64, [T_TIMESTAMP] = IDBPQ_DATUM_INT64,
        [T_FLOAT] = IDBPQ_DATUM_FLOAT, [T_DOUBLE] = IDBPQ_DATUM_DOUBLE,
        [T_DECBYTES] = IDBPQ_DATUM_BYTES, [T_BINARY] = IDBPQ_DATUM_BYTES,
        [T_STRING] = IDBPQ_DATUM_BYTES, [T_UUID] = IDBPQ_DATUM_BYTES, [T_ARRAY] = 0, [T_OBJECT] = 0};
    if (t->kind != want[k]) return corrupt(sh, node, "a value that does not match its type");
    const uint8_t scale = (uint8_t)n->logical.scale;
    uint8_t b[18];
    size_t len = 0;
    const uint8_t *tail = NULL;
    uint32_t tail_len = 0;
    switch (k) {
    case T_BOOL: b[len++] = t->u.boolean ? 1 << 2 : 2 << 2; break;
    case T_INT32: case T_DATE: case T_DEC32:
        b[len++] = k == T_INT32 ? 5 << 2 : k == T_DATE ? 11 << 2 : 8 << 2;
        if (k == T_DEC32) b[len++] = scale;
        put_le(b + len, (uint32_t)t->u.i32, 4);
        len += 4;
        break;
    case T_INT64: case T_DEC64: case T_TIME: case T_TIMESTAMP: {
        int64_t x = t->u.i64;
        unsigned type = k == T_INT64 ? 6 : k == T_DEC64 ? 9 : k == T_TIME ? 17 : 0;
        if (k == T_TIMESTAMP) {
            const int utc = n->logical.utc;
            if (n->logical.unit == IDBPQ_NANOS) {
                type = utc ? 18 : 19;
            } else {
                type = utc ? 12 : 13;
                /* Milliseconds: as microseconds, saturated (far past any valid Date). */
                if (n->logical.unit == IDBPQ_MILLIS)
                    x = x > INT64_MAX / 1000 ? INT64_MAX : x < INT64_MIN / 1000 ? INT64_MIN : x * 1000;
            }
        }
        b[len++] = (uint8_t)(type << 2);
        if (k == T_DEC64) b[len++] = scale;
        put_le(b + len, (uint64_t)x, 8);
        len += 8;
        break;
    }
    case T_FLOAT:
        b[len++] = 14 << 2;
        memcpy(b + len, &t->u.f32, 4);
        len += 4;
        break;
    case T_DOUBLE:
        b[len++] = 7 << 2;
        memcpy(b + len, &t->u.f64, 8);
        len += 8;
        break;
    case T_DECBYTES:
        b[len++] = 10 << 2;
        b[len++] = scale;
        if (!decimal_bytes(t->u.bytes, t->len, b + len))
            return corrupt(sh, node, "a decimal of more than 16 bytes");
        len += 16;
        break;
    case T_UUID:
        b[len++] = 20 << 2;
        tail = t->u.bytes;
        tail_len = 16;
        break;
    case T_BINARY: case T_STRING:
        b[len++] = k == T_BINARY ? 15 << 2 : 16 << 2;
        put_le(b + len, t->len, 4);
        len += 4;
        tail = t->u.bytes;
        tail_len = t->len;
        break;
    case T_NONE: case T_ARRAY: case T_OBJECT: return unsupported(sh, n);
    }
    idbpq__buf_reset(&sh->tmp);
    if (idbpq__buf_append(&sh->tmp, b, len) != IDBPQ_OK ||
        (tail_len && idbpq__buf_append(&sh->tmp, tail, tail_len) != IDBPQ_OK))
        return idbpq__fail(sh->err, IDBPQ_NOMEM, "out of memory reading a VARIANT");
    return IDBPQ_OK;
}

static idbpq_status typed_primitive(struct shred *sh, int32_t node, const idbpq_datum *t,
                                    idbpq_value **out)
{
    IDBPQ__TRY(typed_bytes(sh, node, t));
    idbpq_status st = idbpq__variant_decode(sh->b, no_names, sizeof no_names, sh->tmp.p,
                                            sh->tmp.len, sh->flags, out, sh->err);
    if (st != IDBPQ_OK) idbpq__err_prefix(sh->err, "column %s: ", node_of(sh, node)->path);
    return st;
}

static idbpq_status rebuild(struct shred *sh, int32_t group, const idbpq_datum *d, idbpq_value **out);

/* A shredded field's name as a property key (array-index names as NUMBER keys, as V8 has). */
static idbpq_status field_key(struct shred *sh, const char *name, idbpq_value **out)
{
    idbpq_value *k = idbpq_value_string_utf8(sh->b, name, strlen(name));
    uint32_t index;
    if (k && idbpq__name_index(&k->u.str, &index)) k = idbpq_value_number(sh->b, index);
    *out = k;
    return k ? IDBPQ_OK : idbpq__fail(sh->err, IDBPQ_NOMEM, "out of memory reading a VARIANT");
}

/* Whether a residual field of `value` is also one of the shredded fields (keys[0..n)), which
 * the spec forbids. A hash table of the shredded names keeps it linear in both. */
static idbpq_status check_disjoint(struct shred *sh, int32_t value_node, idbpq_value *const *keys,
                                   uint32_t n, const idbpq_value *rest)
{
    if (!n || !rest->u.object.n) return IDBPQ_OK;
    size_t cap = 16;
    while (cap < (size_t)n * 2) cap *= 2;
    uint32_t *tab = idbpq__malloc(sh->b->alc, cap * sizeof *tab);
    if (!tab) return idbpq__fail(sh->err, IDBPQ_NOMEM, "out of memory reading a VARIANT");
    memset(tab, 0xff, cap * sizeof *tab);
    char tmp[32];
    for (uint32_t i = 0; i < n; i++) {
        idbpq_str s = idbpq__key_name(keys[i], tmp);
        size_t h = idbpq__str_hash(&s) & (cap - 1);
        while (tab[h] != UINT32_MAX) h = (h + 1) & (cap - 1);
        tab[h] = i;
    }
    idbpq_status st = IDBPQ_OK;
    for (uint32_t j = 0; j < rest->u.object.n && st == IDBPQ_OK; j++) {
        idbpq_str s = idbpq__key_name(rest->u.object.props[j].key, tmp);
        for (size_t h = idbpq__str_hash(&s) & (cap - 1); tab[h] != UINT32_MAX; h = (h + 1) & (cap - 1)) {
            char t2[32];
            idbpq_str x = idbpq__key_name(keys[tab[h]], t2);
            if (idbpq__str_equal(&s, &x)) {
                st = corrupt(sh, value_node, "a field of a partially shredded object is also "
                                             "in its value");
                break;
            }
        }
    }
    idbpq__free(sh->b->alc, tab, cap * sizeof *tab);
    return st;
}

/* Shredded fields in schema order, then the residual object's in its own order. */
static idbpq_status typed_object(struct shred *sh, int32_t node, const idbpq_datum *t,
                                 int32_t value_node, const idbpq_datum *value, idbpq_value **out)
{
    const idbpq_schema_node *n = node_of(sh, node);
    const uint32_t nf = (uint32_t)n->num_children;
    if (t->kind != IDBPQ_DATUM_GROUP || t->len != nf)
        return corrupt(sh, node, "a shredded object's data does not match the schema");
    idbpq_value *rest = NULL;
    if (value) {
        IDBPQ__TRY(decode_value(sh, value_node, value, &rest));
        if (rest->type != IDBPQ_V_OBJECT)
            return corrupt(sh, value_node, "the value of a shredded object is not an object");
    }
    const uint32_t nr = rest ? rest->u.object.n : 0;
    idbpq_value *v = idbpq_value_new(sh->b, IDBPQ_V_OBJECT);
    idbpq_value **keys = nf ? idbpq_vbatch_alloc(sh->b, nf * sizeof *keys) : NULL;
    idbpq_prop *props = nf + nr ? idbpq_vbatch_alloc(sh->b, (size_t)(nf + nr) * sizeof *props) : NULL;
    if (!v || (nf && !keys) || (nf + nr && !props))
        return idbpq__fail(sh->err, IDBPQ_NOMEM, "out of memory reading a VARIANT");
    uint32_t k = 0;
    for (uint32_t i = 0; i < nf; i++) {
        idbpq_value *fv;
        IDBPQ__TRY(field_key(sh, node_of(sh, n->children[i])->name, &keys[i]));
        IDBPQ__TRY(rebuild(sh, n->children[i], &t->u.items[i], &fv));
        if (fv) props[k++] = (idbpq_prop){keys[i], fv};
    }
    if (rest) {
        IDBPQ__TRY(check_disjoint(sh, value_node, keys, nf, rest));
        for (uint32_t j = 0; j < nr; j++) props[k++] = rest->u.object.props[j];
    }
    v->u.object.props = k ? props : NULL;
    v->u.object.n = k;
    *out = v;
    return IDBPQ_OK;
}

static idbpq_status typed_array(struct shred *sh, int32_t node, const idbpq_datum *t,
                                idbpq_value **out)
{
    const int32_t el = node_of(sh, node)->element;
    if (t->kind != IDBPQ_DATUM_LIST)
        return corrupt(sh, node, "a shredded array's data does not match the schema");
    idbpq_value *v = idbpq_value_new(sh->b, IDBPQ_V_ARRAY);
    idbpq_value **items = t->len ? idbpq_vbatch_alloc(sh->b, (size_t)t->len * sizeof *items) : NULL;
    if (!v || (t->len && !items))
        return idbpq__fail(sh->err, IDBPQ_NOMEM, "out of memory reading a VARIANT");
    for (uint32_t i = 0; i < t->len; i++) {
        IDBPQ__TRY(rebuild(sh, el, &t->u.items[i], &items[i]));
        /* Elements cannot be missing; parquet-testing's reference reads such a one as null. */
        if (!items[i] && !(items[i] = idbpq_value_new(sh->b, IDBPQ_V_NULL)))
            return idbpq__fail(sh->err, IDBPQ_NOMEM, "out of memory reading a VARIANT");
    }
    v->u.array.items = items;
    v->u.array.length = t->len;
    *out = v;
    return IDBPQ_OK;
}

/* The value of a {value, typed_value} group; NULL when both are null (missing). */
static idbpq_status rebuild(struct shred *sh, int32_t group, const idbpq_datum *d, idbpq_value **out)
{
    *out = NULL;
    if (d->kind == IDBPQ_DATUM_NULL) return IDBPQ_OK;
    const idbpq_schema_node *g = node_of(sh, group);
    if (d->kind != IDBPQ_DATUM_GROUP || d->len != (uint32_t)g->num_children)
        return corrupt(sh, group, "the group's data does not match the schema");
    int32_t vpos = -1, tpos = -1;
    const int32_t vnode = child_named(sh, group, "value", &vpos);
    const int32_t tnode = child_named(sh, group, "typed_value", &tpos);
    const idbpq_datum *v = vnode >= 0 && d->u.items[vpos].kind != IDBPQ_DATUM_NULL ? &d->u.items[vpos] : NULL;
    const idbpq_datum *t = tnode >= 0 && d->u.items[tpos].kind != IDBPQ_DATUM_NULL ? &d->u.items[tpos] : NULL;
    if (!t) return v ? decode_value(sh, vnode, v, out) : IDBPQ_OK;
    const enum typed k = typed_kind(node_of(sh, tnode));
    if (k == T_OBJECT) return typed_object(sh, tnode, t, vnode, v, out);
    if (v) return corrupt(sh, group, "conflicting value and typed_value (both set, not an object)");
    return k == T_ARRAY ? typed_array(sh, tnode, t, out) : typed_primitive(sh, tnode, t, out);
}

idbpq_status idbpq__variant_from_datum(idbpq_vbatch *b, const idbpq_schema *s, int32_t node,
                                       const idbpq_datum *d, uint32_t flags, idbpq_value **out,
                                       struct idbpq__err *err)
{
    if (!out) return idbpq__fail(err, IDBPQ_INVALID_ARG, "variant_from_datum: NULL out");
    *out = NULL;
    const idbpq_schema_node *n = s ? idbpq_schema_node_at(s, node) : NULL;
    if (!b || !n || n->type != IDBPQ_GROUP)
        return idbpq__fail(err, IDBPQ_INVALID_ARG, "variant_from_datum: node %d is not a group", node);
    struct shred sh = {b, s, NULL, 0, flags, {0}, err};
    int32_t mpos = -1;
    const int32_t mnode = child_named(&sh, node, "metadata", &mpos);
    if (mnode < 0 || node_of(&sh, mnode)->type != IDBPQ_BYTE_ARRAY)
        return corrupt(&sh, node, "a VARIANT group without a binary metadata column");
    IDBPQ__TRY(check_pair(&sh, node));
    if (!d || d->kind == IDBPQ_DATUM_NULL) return IDBPQ_OK;
    if (d->kind != IDBPQ_DATUM_GROUP || d->len != (uint32_t)n->num_children)
        return corrupt(&sh, node, "the group's data does not match the schema");
    const idbpq_datum *m = &d->u.items[mpos];
    if (m->kind != IDBPQ_DATUM_BYTES) return corrupt(&sh, mnode, "the metadata is missing");
    sh.meta = m->u.bytes;
    sh.meta_len = m->len;
    /* The metadata is checked even when no value bytes will be read against it. */
    static const uint8_t null_value[1] = {0};
    idbpq_value *probe;
    idbpq_status st = idbpq__variant_decode(b, sh.meta, sh.meta_len, null_value, 1, flags, &probe, err);
    if (st != IDBPQ_OK) {
        idbpq__err_prefix(err, "column %s: ", node_of(&sh, mnode)->path);
        return st;
    }
    idbpq__buf_init(&sh.tmp, b->alc);
    st = rebuild(&sh, node, d, out);
    idbpq__buf_free(&sh.tmp);
    if (st != IDBPQ_OK) *out = NULL;
    return st;
}
