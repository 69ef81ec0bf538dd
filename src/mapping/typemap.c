/*
 * typemap.c — the "idbpq" key of a file's key_value_metadata: a JSON document that carries
 * the store (database, name, key path, key generator, indexes), the type map (what each
 * column holds in JavaScript terms) and the record counts. Documented in docs/mapping.md
 * ("The metadata"); versioned by "format". Reading checks every name against the schema: a
 * document that lies is refused, not followed.
 */
#include <math.h>
#include <stdio.h>

#include "mapping/mapping.h"
#include "mapping/variant.h"

static const char *const js_names[IDBPQ__JS_COUNT] = {
    "null", "boolean", "number", "number:double", "bigint", "bigint:decimal", "bigint:text",
    "string", "Date", "binary", "typedarray", "object", "Array", "Set", "Map", "Blob", "File",
    "variant", "json", "foreign"};
static const char *const absent_names[3] = {"missing", "null", "undefined"};
static const char *const view_names[13] = {
    "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
    "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array",
    "BigUint64Array", "DataView"};
static const char *const vclass_names[] = {"",       "null",   "boolean",   "int",
                                           "double", "decimal", "string",   "timestamp",
                                           "binary", "object", "array"};

/* ---- writing ----------------------------------------------------------------------------- */

struct out {
    struct idbpq__buf b;
    idbpq_status st;
};

static void put(struct out *o, const char *s)
{
    if (o->st == IDBPQ_OK) o->st = idbpq__buf_append(&o->b, s, strlen(s));
}

/* A JSON string from UTF-8 (names in the schema, store names). */
static void put_cstr(struct out *o, const char *s)
{
    char tmp[8];
    put(o, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)*p;
            tmp[2] = 0;
        } else if (*p < 0x20) {
            snprintf(tmp, sizeof tmp, "\\u%04x", *p);
        } else {
            tmp[0] = (char)*p;
            tmp[1] = 0;
        }
        put(o, tmp);
    }
    put(o, "\"");
}

/* A JS string value (property names: lone surrogates survive as \uXXXX escapes). */
static void put_jstr(struct out *o, const idbpq_value *v)
{
    if (o->st != IDBPQ_OK) return;
    idbpq_buffer b = {o->b.p, o->b.len, o->b.cap, o->b.alc};
    o->st = idbpq_tjson_write(v, &b);
    o->b.p = b.data;
    o->b.len = b.len;
    o->b.cap = b.cap;
}

static void put_num(struct out *o, double d)
{
    char tmp[40];
    if (!isfinite(d)) d = 0;
    idbpq__fmt_number(tmp, d);
    put(o, tmp);
}

static void put_keypath(struct out *o, const idbpq_keypath *kp)
{
    if (kp->type == 1 && kp->n >= 1) {
        put_cstr(o, kp->paths[0]);
    } else if (kp->type == 2) {
        put(o, "[");
        for (uint32_t i = 0; i < kp->n; i++) {
            if (i) put(o, ",");
            put_cstr(o, kp->paths[i]);
        }
        put(o, "]");
    } else {
        put(o, "null");
    }
}

static void put_node(struct out *o, const idbpq_schema *s, const struct idbpq__jsnode *j,
                     int with_column);

static void put_children(struct out *o, const idbpq_schema *s, const struct idbpq__jsnode *j)
{
    if (j->js == IDBPQ__JS_OBJECT) {
        put(o, ",\"fields\":[");
        for (uint32_t i = 0; i < j->n_children; i++) {
            if (i) put(o, ",");
            put_node(o, s, &j->children[i], 1);
        }
        put(o, "]");
    } else if ((j->js == IDBPQ__JS_ARRAY || j->js == IDBPQ__JS_SET) && j->n_children == 1) {
        put(o, ",\"element\":");
        put_node(o, s, &j->children[0], 1);
    } else if (j->js == IDBPQ__JS_MAP && j->n_children == 2) {
        put(o, ",\"key\":");
        put_node(o, s, &j->children[0], 1);
        put(o, ",\"value\":");
        put_node(o, s, &j->children[1], 1);
    }
}

static void put_node(struct out *o, const idbpq_schema *s, const struct idbpq__jsnode *j,
                     int with_column)
{
    put(o, "{\"js\":\"");
    put(o, j->js < IDBPQ__JS_COUNT ? js_names[j->js] : "?");
    put(o, "\"");
    if (with_column) {
        put(o, ",\"column\":");
        put_cstr(o, idbpq_schema_node_at(s, j->node)->name);
    }
    if (j->prop) {
        put(o, ",\"property\":");
        put_jstr(o, j->prop);
        if (j->key_number) put(o, ",\"numericKey\":true");
    }
    put(o, ",\"absent\":\"");
    put(o, absent_names[j->absent < 3 ? j->absent : 0]);
    put(o, "\"");
    if (j->absent_node >= 0) {
        put(o, ",\"absentColumn\":");
        put_cstr(o, idbpq_schema_node_at(s, j->absent_node)->name);
    }
    if (j->js == IDBPQ__JS_BINARY || j->js == IDBPQ__JS_TYPED) {
        put(o, ",\"view\":\"");
        put(o, j->view == IDBPQ__VIEW_BUFFER ? "ArrayBuffer" : view_names[j->view % 13]);
        put(o, "\"");
    }
    if (j->js == IDBPQ__JS_VARIANT) {
        put(o, j->view ? ",\"binary\":\"Uint8Array\"" : ",\"binary\":\"ArrayBuffer\"");
        if (j->shred) {
            put(o, ",\"shredded\":\"");
            put(o, vclass_names[j->shred < 11 ? j->shred : 0]);
            put(o, "\"");
        }
    }
    put_children(o, s, j);
    put(o, "}");
}

static void put_store(struct out *o, const idbpq_store_desc *st)
{
    put(o, "{\"origin\":");
    if (st && st->origin) put_cstr(o, st->origin); else put(o, "null");
    put(o, ",\"database\":");
    if (st && st->database) put_cstr(o, st->database); else put(o, "null");
    put(o, ",\"version\":");
    put_num(o, st ? (double)st->db_version : 0);
    put(o, ",\"name\":");
    if (st && st->name) put_cstr(o, st->name); else put(o, "null");
    put(o, ",\"keyPath\":");
    idbpq_keypath none = {0, 0, NULL};
    put_keypath(o, st ? &st->key_path : &none);
    put(o, st && st->auto_increment ? ",\"autoIncrement\":true" : ",\"autoIncrement\":false");
    put(o, ",\"keyGenerator\":");
    put_num(o, st && st->auto_increment ? st->key_generator : 1);
    put(o, ",\"indexes\":[");
    for (uint32_t i = 0; st && i < st->n_indexes; i++) {
        const idbpq_index_desc *ix = &st->indexes[i];
        if (i) put(o, ",");
        put(o, "{\"name\":");
        put_cstr(o, ix->name ? ix->name : "");
        put(o, ",\"keyPath\":");
        put_keypath(o, &ix->key_path);
        put(o, ix->unique ? ",\"unique\":true" : ",\"unique\":false");
        put(o, ix->multi_entry ? ",\"multiEntry\":true}" : ",\"multiEntry\":false}");
    }
    put(o, "]}");
}

idbpq_status idbpq__store_json_write(const idbpq_store_desc *store, idbpq_buffer *out)
{
    struct out o;
    o.b = (struct idbpq__buf){out->data, out->len, out->cap, idbpq__alc(out->alc)};
    o.st = IDBPQ_OK;
    put_store(&o, store);
    out->data = o.b.p;
    out->len = o.b.len;
    out->cap = o.b.cap;
    return o.st;
}

idbpq_status idbpq__typemap_encode(const idbpq_schema *s, const struct idbpq__typemap *tm,
                                   const idbpq_store_desc *store,
                                   const struct idbpq__meta_counts *counts, idbpq_buffer *out)
{
    struct out o;
    o.b = (struct idbpq__buf){out->data, out->len, out->cap, idbpq__alc(out->alc)};
    o.st = IDBPQ_OK;
    char tmp[64];
    put(&o, "{\"format\":1,\"writer\":\"idbpq " IDBPQ_VERSION_STRING "\",\"store\":");
    put_store(&o, store);
    snprintf(tmp, sizeof tmp, ",\"records\":%llu,\"fallbacks\":%llu,\"fallbackReasons\":{",
             (unsigned long long)counts->records, (unsigned long long)counts->fallbacks);
    put(&o, tmp);
    int first = 1;
    for (int r = 0; r < IDBPQ_FALLBACK_COUNT; r++) {
        if (!counts->by_reason[r]) continue;
        snprintf(tmp, sizeof tmp, "%s\"%s\":%llu", first ? "" : ",",
                 idbpq_fallback_name((idbpq_fallback)r), (unsigned long long)counts->by_reason[r]);
        put(&o, tmp);
        first = 0;
    }
    put(&o, counts->sorted ? "},\"sorted\":true" : "},\"sorted\":false");
    put(&o, ",\"key\":");
    if (tm->has_key) put_node(&o, s, &tm->key, 1);
    else put(&o, "null");
    put(&o, ",\"root\":");
    put(&o, tm->value_is_root ? "true" : "false");
    put(&o, ",\"value\":");
    put_node(&o, s, &tm->value, !tm->value_is_root);
    put(&o, ",\"raw\":");
    if (tm->raw_node >= 0) put_cstr(&o, idbpq_schema_node_at(s, tm->raw_node)->name);
    else put(&o, "null");
    if (tm->raw_key_node >= 0) {
        put(&o, ",\"rawKey\":");
        put_cstr(&o, idbpq_schema_node_at(s, tm->raw_key_node)->name);
    }
    put(&o, "}");
    out->data = o.b.p;
    out->len = o.b.len;
    out->cap = o.b.cap;
    return o.st;
}

/* ---- reading ----------------------------------------------------------------------------- */

struct rd {
    idbpq_vbatch *b;
    const idbpq_schema *s;
    struct idbpq__err *err;
};

static const idbpq_value *get(const idbpq_value *obj, const char *name)
{
    if (!obj || obj->type != IDBPQ_V_OBJECT) return NULL;
    size_t n = strlen(name);
    for (uint32_t i = 0; i < obj->u.object.n; i++) {
        const idbpq_value *k = obj->u.object.props[i].key;
        if (k->type != IDBPQ_V_STRING || k->u.str.len != n || k->u.str.two_byte) continue;
        if (memcmp(k->u.str.data, name, n) == 0) return obj->u.object.props[i].value;
    }
    return NULL;
}

/* A string value as UTF-8 in the batch; NULL when it is not a string (or out of memory). */
static const char *str_cstr(struct rd *r, const idbpq_value *v)
{
    if (!v || v->type != IDBPQ_V_STRING) return NULL;
    const idbpq_str *s = &v->u.str;
    char *out = idbpq_vbatch_alloc(r->b, (size_t)s->len * 3 + 1);
    if (!out) return NULL;
    size_t n = idbpq__str_to_utf8(s, (uint8_t *)out, NULL);
    out[n] = 0;
    return out;
}

static const char *get_cstr(struct rd *r, const idbpq_value *obj, const char *name)
{
    return str_cstr(r, get(obj, name));
}

static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

/* The child of group `parent` named `name`, or -1. */
static int32_t child_named(const idbpq_schema *s, int32_t parent, const char *name)
{
    const idbpq_schema_node *g = idbpq_schema_node_at(s, parent);
    if (!g || !name) return -1;
    for (int32_t i = 0; i < g->num_children; i++)
        if (strcmp(idbpq_schema_node_at(s, g->children[i])->name, name) == 0) return g->children[i];
    return -1;
}

static idbpq_status bad(struct rd *r, const char *what, int32_t node)
{
    const idbpq_schema_node *n = r->s ? idbpq_schema_node_at(r->s, node) : NULL;
    return idbpq__fail(r->err, IDBPQ_CORRUPT, "idbpq metadata: %s (under \"%s\")", what,
                       n && n->path ? n->path : "(root)");
}

/* Checks that node has the Parquet form its kind is written with, so that reading can trust
 * the shapes of the datums. */
static int form_ok(const idbpq_schema *s, const struct idbpq__jsnode *j)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(s, j->node);
    if (!n) return 0;
    switch (j->js) {
    case IDBPQ__JS_NULL: return n->type == IDBPQ_INT32;
    case IDBPQ__JS_BOOLEAN: return n->type == IDBPQ_BOOLEAN;
    case IDBPQ__JS_INT:
    case IDBPQ__JS_BIGINT:
    case IDBPQ__JS_DATE: return n->type == IDBPQ_INT64;
    case IDBPQ__JS_DOUBLE: return n->type == IDBPQ_DOUBLE;
    case IDBPQ__JS_BIGINT_DEC: return n->type == IDBPQ_FIXED_LEN_BYTE_ARRAY && n->type_length == 16;
    case IDBPQ__JS_BIGINT_TEXT:
    case IDBPQ__JS_STRING:
    case IDBPQ__JS_BINARY:
    case IDBPQ__JS_JSON: return n->type == IDBPQ_BYTE_ARRAY;
    case IDBPQ__JS_TYPED:
    case IDBPQ__JS_ARRAY:
    case IDBPQ__JS_SET: return n->shape == IDBPQ_SHAPE_LIST;
    case IDBPQ__JS_MAP: return n->shape == IDBPQ_SHAPE_MAP && n->map_value >= 0;
    case IDBPQ__JS_OBJECT:
    case IDBPQ__JS_BLOB:
    case IDBPQ__JS_FILE: return n->type == IDBPQ_GROUP && n->shape == IDBPQ_SHAPE_STRUCT;
    case IDBPQ__JS_VARIANT: return n->type == IDBPQ_GROUP && n->logical.kind == IDBPQ_LT_VARIANT;
    default: return 0;
    }
}

static idbpq_status rd_node(struct rd *r, const idbpq_value *o, int32_t parent, int with_column,
                            int depth, struct idbpq__jsnode *j);

static idbpq_status rd_child(struct rd *r, const idbpq_value *o, int32_t parent, int depth,
                             struct idbpq__jsnode **out)
{
    struct idbpq__jsnode *c = idbpq_vbatch_alloc(r->b, sizeof *c);
    if (!c) return IDBPQ_NOMEM;
    memset(c, 0, sizeof *c);
    *out = c;
    return rd_node(r, o, parent, 1, depth + 1, c);
}

static idbpq_status rd_node(struct rd *r, const idbpq_value *o, int32_t parent, int with_column,
                            int depth, struct idbpq__jsnode *j)
{
    if (depth > 200) return bad(r, "nesting too deep", parent);
    if (!o || o->type != IDBPQ_V_OBJECT) return bad(r, "a node is not an object", parent);
    int js = name_index(js_names, IDBPQ__JS_COUNT - 1, get_cstr(r, o, "js"));
    if (js < 0) return bad(r, "unknown \"js\" kind", parent);
    j->js = (uint8_t)js;
    j->node = parent;
    if (with_column) {
        j->node = child_named(r->s, parent, get_cstr(r, o, "column"));
        if (j->node < 0) return bad(r, "\"column\" names no child", parent);
    }
    int a = name_index(absent_names, 3, get_cstr(r, o, "absent"));
    j->absent = (uint8_t)(a < 0 ? IDBPQ__ABS_NULL : a);
    j->absent_node = -1;
    const char *ac = get_cstr(r, o, "absentColumn");
    if (ac) {
        j->absent_node = child_named(r->s, parent, ac);
        const idbpq_schema_node *an = idbpq_schema_node_at(r->s, j->absent_node);
        if (!an || an->type != IDBPQ_INT32) return bad(r, "bad \"absentColumn\"", parent);
    }
    const idbpq_value *prop = get(o, "property");
    if (prop) {
        if (prop->type != IDBPQ_V_STRING) return bad(r, "\"property\" is not a string", parent);
        j->prop = prop;
        const idbpq_value *nk = get(o, "numericKey");
        j->key_number = nk && nk->type == IDBPQ_V_BOOLEAN && nk->u.boolean;
        uint32_t ix;
        if (j->key_number && !idbpq__name_index(&prop->u.str, &ix))
            return bad(r, "\"numericKey\" on a name that is not an index", parent);
    }
    if (js == IDBPQ__JS_BINARY || js == IDBPQ__JS_TYPED) {
        const char *v = get_cstr(r, o, "view");
        int k = name_index(view_names, 13, v);
        if (v && strcmp(v, "ArrayBuffer") == 0 && js == IDBPQ__JS_BINARY) j->view = IDBPQ__VIEW_BUFFER;
        else if (k >= 0) j->view = (uint8_t)k;
        else return bad(r, "bad \"view\"", parent);
        if (js == IDBPQ__JS_TYPED && (k == IDBPQ_VIEW_DATAVIEW || k == IDBPQ_VIEW_UINT8 || k < 0))
            return bad(r, "bad typed array \"view\"", parent);
    }
    if (js == IDBPQ__JS_VARIANT) {
        const char *b = get_cstr(r, o, "binary");
        j->view = b && strcmp(b, "Uint8Array") == 0;
        int sh = name_index(vclass_names, 11, get_cstr(r, o, "shredded"));
        j->shred = (uint8_t)(sh > 0 ? sh : 0);
    }
    if (!form_ok(r->s, j) && !(js == IDBPQ__JS_OBJECT && j->node == 0))
        return bad(r, "a column does not have the form its kind is written with", j->node);
    const idbpq_schema_node *n = idbpq_schema_node_at(r->s, j->node);
    if (js == IDBPQ__JS_OBJECT) {
        const idbpq_value *f = get(o, "fields");
        if (!f || f->type != IDBPQ_V_ARRAY || f->u.array.sparse)
            return bad(r, "object without \"fields\"", j->node);
        j->n_children = f->u.array.length;
        j->children = idbpq_vbatch_alloc(r->b, sizeof *j->children * (j->n_children + 1));
        if (!j->children) return IDBPQ_NOMEM;
        memset(j->children, 0, sizeof *j->children * (j->n_children + 1));
        for (uint32_t i = 0; i < j->n_children; i++) {
            IDBPQ__TRY(rd_node(r, f->u.array.items[i], j->node, 1, depth + 1, &j->children[i]));
            if (!j->children[i].prop) return bad(r, "field without \"property\"", j->node);
        }
    } else if (js == IDBPQ__JS_ARRAY || js == IDBPQ__JS_SET) {
        /* The element lives under LIST's repeated group. */
        int32_t rep = n->num_children == 1 ? n->children[0] : -1;
        if (rep < 0) return bad(r, "LIST without its repeated group", j->node);
        struct idbpq__jsnode *c;
        IDBPQ__TRY(rd_child(r, get(o, "element"), rep, depth, &c));
        if (c->node != n->element) return bad(r, "\"element\" is not the LIST's element", j->node);
        j->n_children = 1;
        j->children = c;
    } else if (js == IDBPQ__JS_MAP) {
        int32_t kv = n->num_children == 1 ? n->children[0] : -1;
        if (kv < 0) return bad(r, "MAP without key_value", j->node);
        j->children = idbpq_vbatch_alloc(r->b, 2 * sizeof *j->children);
        if (!j->children) return IDBPQ_NOMEM;
        memset(j->children, 0, 2 * sizeof *j->children);
        j->n_children = 2;
        IDBPQ__TRY(rd_node(r, get(o, "key"), kv, 1, depth + 1, &j->children[0]));
        IDBPQ__TRY(rd_node(r, get(o, "value"), kv, 1, depth + 1, &j->children[1]));
        if (j->children[0].node != n->element || j->children[1].node != n->map_value)
            return bad(r, "MAP key/value do not match the schema", j->node);
    }
    return IDBPQ_OK;
}

static idbpq_status rd_keypath(struct rd *r, const idbpq_value *v, idbpq_keypath *kp)
{
    memset(kp, 0, sizeof *kp);
    if (!v || v->type == IDBPQ_V_NULL) return IDBPQ_OK;
    const idbpq_value *one[1] = {v};
    const idbpq_value *const *items = one;
    uint32_t n = 1;
    kp->type = 1;
    if (v->type == IDBPQ_V_ARRAY && !v->u.array.sparse) {
        kp->type = 2;
        n = v->u.array.length;
        items = (const idbpq_value *const *)v->u.array.items;
    }
    const char **paths = idbpq_vbatch_alloc(r->b, sizeof *paths * (n + 1));
    if (!paths) return IDBPQ_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        if (items[i]->type != IDBPQ_V_STRING) return bad(r, "a keyPath is not a string", 0);
        if (!(paths[i] = str_cstr(r, items[i]))) return IDBPQ_NOMEM;
    }
    kp->n = n;
    kp->paths = paths;
    return IDBPQ_OK;
}

static double get_num(const idbpq_value *o, const char *name, double dflt)
{
    const idbpq_value *v = get(o, name);
    return v && v->type == IDBPQ_V_NUMBER && isfinite(v->u.number) ? v->u.number : dflt;
}

static int get_bool(const idbpq_value *o, const char *name)
{
    const idbpq_value *v = get(o, name);
    return v && v->type == IDBPQ_V_BOOLEAN && v->u.boolean;
}

static idbpq_status rd_store(struct rd *r, const idbpq_value *o, idbpq_store_desc *st)
{
    memset(st, 0, sizeof *st);
    st->key_generator = 1;
    if (!o || o->type != IDBPQ_V_OBJECT) return IDBPQ_OK;
    st->origin = get_cstr(r, o, "origin");
    st->database = get_cstr(r, o, "database");
    double ver = get_num(o, "version", 0);
    st->db_version = ver >= 0 && ver < 1.8e19 ? (uint64_t)ver : 0;
    st->name = get_cstr(r, o, "name");
    IDBPQ__TRY(rd_keypath(r, get(o, "keyPath"), &st->key_path));
    st->auto_increment = get_bool(o, "autoIncrement");
    st->key_generator = get_num(o, "keyGenerator", 1);
    const idbpq_value *ix = get(o, "indexes");
    if (ix && ix->type == IDBPQ_V_ARRAY && !ix->u.array.sparse && ix->u.array.length) {
        uint32_t n = ix->u.array.length;
        idbpq_index_desc *d = idbpq_vbatch_alloc(r->b, sizeof *d * n);
        if (!d) return IDBPQ_NOMEM;
        for (uint32_t i = 0; i < n; i++) {
            const idbpq_value *e = ix->u.array.items[i];
            d[i].name = get_cstr(r, e, "name");
            if (!d[i].name) return bad(r, "an index without a name", 0);
            IDBPQ__TRY(rd_keypath(r, get(e, "keyPath"), &d[i].key_path));
            d[i].unique = get_bool(e, "unique");
            d[i].multi_entry = get_bool(e, "multiEntry");
        }
        st->indexes = d;
        st->n_indexes = n;
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__store_json_read(idbpq_vbatch *b, const char *json, size_t len,
                                    idbpq_store_desc *store, struct idbpq__err *err)
{
    struct rd r = {b, NULL, err};
    idbpq_value *doc;
    idbpq_error e;
    idbpq_status st = idbpq_tjson_parse(b, json, len, &doc, &e);
    if (st != IDBPQ_OK)
        return idbpq__fail(err, st == IDBPQ_NOMEM ? st : IDBPQ_INVALID_ARG,
                           "store description: line %u, column %u: %s", e.line, e.column, e.msg);
    if (doc->type != IDBPQ_V_OBJECT)
        return idbpq__fail(err, IDBPQ_INVALID_ARG, "store description: not a JSON object");
    return rd_store(&r, doc, store);
}

idbpq_status idbpq__typemap_decode(idbpq_vbatch *b, const idbpq_schema *s, const char *json,
                                   size_t len, struct idbpq__typemap *tm,
                                   idbpq_store_desc *store, struct idbpq__err *err)
{
    struct rd r = {b, s, err};
    memset(tm, 0, sizeof *tm);
    tm->raw_node = tm->raw_key_node = -1;
    idbpq_value *doc;
    idbpq_error e;
    idbpq_status st = idbpq_tjson_parse(b, json, len, &doc, &e);
    if (st != IDBPQ_OK)
        return idbpq__fail(err, st == IDBPQ_NOMEM ? st : IDBPQ_CORRUPT,
                           "idbpq metadata: line %u, column %u: %s", e.line, e.column, e.msg);
    if (doc->type != IDBPQ_V_OBJECT) return bad(&r, "not a JSON object", 0);
    double fmt = get_num(doc, "format", -1);
    if (fmt != IDBPQ__META_FORMAT)
        return idbpq__fail(err, fmt > IDBPQ__META_FORMAT ? IDBPQ_UNSUPPORTED : IDBPQ_CORRUPT,
                           "idbpq metadata: format %g (this version reads format %d)", fmt,
                           IDBPQ__META_FORMAT);
    IDBPQ__TRY(rd_store(&r, get(doc, "store"), store));
    const idbpq_value *key = get(doc, "key");
    if (key && key->type != IDBPQ_V_NULL) {
        tm->has_key = 1;
        IDBPQ__TRY(rd_node(&r, key, 0, 1, 0, &tm->key));
    }
    tm->value_is_root = get_bool(doc, "root");
    IDBPQ__TRY(rd_node(&r, get(doc, "value"), 0, !tm->value_is_root, 0, &tm->value));
    if (tm->value_is_root && tm->value.js != IDBPQ__JS_OBJECT)
        return bad(&r, "a root value that is not an object", 0);
    const char *raw = get_cstr(&r, doc, "raw");
    if (raw) {
        tm->raw_node = child_named(s, 0, raw);
        const idbpq_schema_node *rn = idbpq_schema_node_at(s, tm->raw_node);
        if (!rn || rn->type != IDBPQ_BYTE_ARRAY) return bad(&r, "bad \"raw\" column", 0);
    }
    const char *rk = get_cstr(&r, doc, "rawKey");
    if (rk) {
        tm->raw_key_node = child_named(s, 0, rk);
        const idbpq_schema_node *kn = idbpq_schema_node_at(s, tm->raw_key_node);
        if (!kn || kn->type != IDBPQ_BYTE_ARRAY || !tm->has_key)
            return bad(&r, "bad \"rawKey\" column", 0);
    }
    return IDBPQ_OK;
}

/* ---- store descriptions -------------------------------------------------------------------- */

static const char *dup(struct idbpq__arena *a, const char *s)
{
    return s ? idbpq__arena_strndup(a, s, strlen(s)) : NULL;
}

static idbpq_status copy_keypath(struct idbpq__arena *a, const idbpq_keypath *in, idbpq_keypath *out)
{
    *out = *in;
    if (in->type == 0 || !in->n) {
        out->paths = NULL;
        out->n = 0;
        out->type = 0;
        return IDBPQ_OK;
    }
    const char **p = idbpq__arena_alloc(a, sizeof *p * in->n);
    if (!p) return IDBPQ_NOMEM;
    for (uint32_t i = 0; i < in->n; i++)
        if (!(p[i] = dup(a, in->paths[i] ? in->paths[i] : ""))) return IDBPQ_NOMEM;
    out->paths = p;
    return IDBPQ_OK;
}

idbpq_status idbpq__store_copy(struct idbpq__arena *a, const idbpq_store_desc *in,
                               idbpq_store_desc *out)
{
    memset(out, 0, sizeof *out);
    out->key_generator = 1;
    if (!in) return IDBPQ_OK;
    *out = *in;
    out->origin = dup(a, in->origin);
    out->database = dup(a, in->database);
    out->name = dup(a, in->name);
    IDBPQ__TRY(copy_keypath(a, &in->key_path, &out->key_path));
    if (in->n_indexes) {
        if (!in->indexes) return IDBPQ_INVALID_ARG;
        idbpq_index_desc *d = idbpq__arena_alloc(a, sizeof *d * in->n_indexes);
        if (!d) return IDBPQ_NOMEM;
        for (uint32_t i = 0; i < in->n_indexes; i++) {
            d[i] = in->indexes[i];
            d[i].name = dup(a, in->indexes[i].name ? in->indexes[i].name : "");
            IDBPQ__TRY(copy_keypath(a, &in->indexes[i].key_path, &d[i].key_path));
        }
        out->indexes = d;
    }
    return IDBPQ_OK;
}

/* ---- fallback reasons ----------------------------------------------------------------------- */

static const char *const fb_names[] = {
#define IDBPQ_FB_NAME_(name, msg) #name,
    IDBPQ_FALLBACK_MAP(IDBPQ_FB_NAME_)
#undef IDBPQ_FB_NAME_
};
static const char *const fb_msgs[] = {
#define IDBPQ_FB_MSG_(name, msg) msg,
    IDBPQ_FALLBACK_MAP(IDBPQ_FB_MSG_)
#undef IDBPQ_FB_MSG_
};

const char *idbpq_fallback_name(idbpq_fallback f)
{
    return (unsigned)f < IDBPQ_FALLBACK_COUNT ? fb_names[f] : "UNKNOWN";
}

const char *idbpq_fallback_str(idbpq_fallback f)
{
    return (unsigned)f < IDBPQ_FALLBACK_COUNT ? fb_msgs[f] : "unknown";
}
