/*
 * plan.c — the second half of schema inference: shapes become a Parquet schema and the type
 * map that says what each node holds in JavaScript terms. The rules are docs/mapping.md's
 * "Inference"; in short: one kind of value at a path gives a typed column (numbers INT64 only
 * when every one is a safe integer), several kinds give a VARIANT (or JSON text), and the
 * absences seen (missing, null, undefined) decide what a null means — with a small sibling
 * column when an object property has more than one kind of absence.
 */
#include <stdio.h>
#include <strings.h>

#include "mapping/mapping.h"
#include "mapping/variant.h"

/* Value families: kinds that share one column form. */
enum fam {
    F_NONE = 0, F_BOOL, F_NUMBER, F_BIGINT, F_STRING, F_DATE, F_BINARY, F_TYPED, F_OBJECT,
    F_ARRAY, F_SET, F_MAP, F_BLOB, F_FILE
};

struct planner {
    idbpq_schema *s;
    struct idbpq__arena *arena;
    const struct idbpq__plan_opts *o;
    struct idbpq__err *err;
    uint32_t leaves;            /* leaf columns planned so far */
    uint32_t budget;            /* max_columns */
};

static int is_typed_view(int kind) { return kind != IDBPQ_VIEW_UINT8 && kind != IDBPQ_VIEW_DATAVIEW; }

/* The families present at s (bit set) and, for a single typed-array family, its view kind. */
static uint32_t families(const struct idbpq__shape *s, int *typed_kind)
{
    uint32_t f = 0;
    const uint64_t *k = s->kinds;
    if (k[IDBPQ__K_BOOLEAN]) f |= 1u << F_BOOL;
    if (k[IDBPQ__K_INT] || k[IDBPQ__K_DOUBLE]) f |= 1u << F_NUMBER;
    if (k[IDBPQ__K_BIGINT64] || k[IDBPQ__K_BIGINT38] || k[IDBPQ__K_BIGINT_BIG]) f |= 1u << F_BIGINT;
    if (k[IDBPQ__K_STRING]) f |= 1u << F_STRING;
    if (k[IDBPQ__K_DATE]) f |= 1u << F_DATE;
    if (k[IDBPQ__K_BUFFER] || s->views[IDBPQ_VIEW_UINT8] || s->views[IDBPQ_VIEW_DATAVIEW])
        f |= 1u << F_BINARY;
    int n_typed = 0;
    for (int v = 0; v < 13; v++)
        if (s->views[v] && is_typed_view(v)) {
            n_typed++;
            *typed_kind = v;
        }
    if (n_typed == 1) f |= 1u << F_TYPED;
    if (n_typed > 1) f |= (1u << F_TYPED) | (1u << F_NONE); /* two typed kinds: a conflict */
    if (k[IDBPQ__K_OBJECT]) f |= 1u << F_OBJECT;
    if (k[IDBPQ__K_ARRAY]) f |= 1u << F_ARRAY;
    if (k[IDBPQ__K_SET]) f |= 1u << F_SET;
    if (k[IDBPQ__K_MAP]) f |= 1u << F_MAP;
    if (k[IDBPQ__K_BLOB]) f |= 1u << F_BLOB;
    if (k[IDBPQ__K_FILE]) f |= 1u << F_FILE;
    return f;
}

static int popcount(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

/* A Map's keys must be one primitive family, never absent, for a Parquet MAP. */
static int map_keys_ok(const struct idbpq__shape *k)
{
    if (!k || k->kinds[IDBPQ__K_NULL] || k->kinds[IDBPQ__K_UNDEFINED] || k->kinds[IDBPQ__K_OTHER])
        return k && k->seen == 0;
    int tk = 0;
    uint32_t f = families(k, &tk);
    if (popcount(f) > 1) return 0;
    return f == 0 || f == 1u << F_BOOL || f == 1u << F_NUMBER || f == 1u << F_BIGINT ||
           f == 1u << F_STRING || f == 1u << F_DATE || f == 1u << F_BINARY;
}

/* What a value of mixed kinds becomes: VARIANT, or JSON text when asked or when too many of
 * its values are ones a VARIANT cannot hold. */
static int mixed_kind(const struct planner *p, const struct idbpq__shape *s)
{
    if (p->o->mixed_as_json) return IDBPQ__JS_JSON;
    if (s->unholdable * 10 > s->seen) return IDBPQ__JS_JSON;
    return IDBPQ__JS_VARIANT;
}

static int decide(const struct planner *p, const struct idbpq__shape *s, int *typed_kind)
{
    if (s->wide) return mixed_kind(p, s);
    uint32_t f = families(s, typed_kind);
    if (f == 0) return IDBPQ__JS_NULL;
    if (popcount(f) > 1) return mixed_kind(p, s);
    const uint64_t *k = s->kinds;
    switch (f) {
    case 1u << F_BOOL: return IDBPQ__JS_BOOLEAN;
    case 1u << F_NUMBER: return k[IDBPQ__K_DOUBLE] ? IDBPQ__JS_DOUBLE : IDBPQ__JS_INT;
    case 1u << F_BIGINT:
        return k[IDBPQ__K_BIGINT_BIG]  ? IDBPQ__JS_BIGINT_TEXT
               : k[IDBPQ__K_BIGINT38] ? IDBPQ__JS_BIGINT_DEC
                                      : IDBPQ__JS_BIGINT;
    case 1u << F_STRING: return IDBPQ__JS_STRING;
    case 1u << F_DATE: return IDBPQ__JS_DATE;
    case 1u << F_BINARY: return IDBPQ__JS_BINARY;
    case 1u << F_TYPED: return IDBPQ__JS_TYPED;
    case 1u << F_OBJECT: return IDBPQ__JS_OBJECT;
    case 1u << F_ARRAY: return IDBPQ__JS_ARRAY;
    case 1u << F_SET: return IDBPQ__JS_SET;
    case 1u << F_MAP: return map_keys_ok(s->map_key) ? IDBPQ__JS_MAP : mixed_kind(p, s);
    case 1u << F_BLOB: return IDBPQ__JS_BLOB;
    case 1u << F_FILE: return IDBPQ__JS_FILE;
    default: return mixed_kind(p, s);
    }
}

/* Leaf columns a shape needs when planned typed (for the column budget). */
static uint32_t cost(const struct planner *p, const struct idbpq__shape *s, uint32_t depth)
{
    int tk = 0;
    int js = decide(p, s, &tk);
    switch (js) {
    case IDBPQ__JS_OBJECT: {
        uint32_t n = 0;
        /* + 1 a field: a rough bound on its `__absent` sibling */
        for (uint32_t i = 0; i < s->n_fields && n < p->budget; i++)
            n += cost(p, s->fields[i], depth + 1) + 1;
        return n ? n : 1;
    }
    case IDBPQ__JS_ARRAY:
    case IDBPQ__JS_SET: return s->elem ? cost(p, s->elem, depth + 1) : 1;
    case IDBPQ__JS_MAP: return 1 + (s->map_val ? cost(p, s->map_val, depth + 1) : 1);
    case IDBPQ__JS_BLOB: return 3;
    case IDBPQ__JS_FILE: return 5;
    case IDBPQ__JS_VARIANT: return 3;
    default: return 1;
    }
}

/* ---- names ---------------------------------------------------------------------------------- */

/* UTF-8 of a property name; a lone surrogate becomes U+FFFD (the type map keeps the name
 * exactly); "" becomes "_". */
static char *utf8_name(struct idbpq__arena *a, const idbpq_str *s)
{
    char *out = idbpq__arena_alloc(a, (size_t)s->len * 3 + 2);
    if (!out) return NULL;
    size_t n = idbpq__str_to_utf8(s, (uint8_t *)out, NULL);
    if (n == 0) out[n++] = '_';
    out[n] = 0;
    return out;
}

/* Whether `name` is already a child of group `parent` (ignoring ASCII case when ci). */
static int name_taken(const idbpq_schema *s, int32_t parent, const char *name, int ci)
{
    /* Children lists exist only once the schema is finished: scan by parent. Groups are
     * added depth-first, so a group's children follow it. */
    int32_t n = idbpq_schema_num_nodes(s);
    for (int32_t i = parent + 1; i < n; i++) {
        const idbpq_schema_node *c = idbpq_schema_node_at(s, i);
        if (c->parent == parent &&
            (ci ? !strcasecmp(c->name, name) : strcmp(c->name, name) == 0))
            return 1;
    }
    return 0;
}

/* name, or name~2, name~3... : the first one free under parent (and not reserved at the root).
 * For Delta tables (delta_names) names also differ ignoring case, and `_change_type` (the
 * change-data column) is reserved. */
static const char *unique_name(struct planner *p, int32_t parent, const char *name)
{
    static const char *const reserved[] = {"_key", "_raw", "_value", "_change_type"};
    int ci = p->o->delta_names;
    int clash = name_taken(p->s, parent, name, ci);
    if (parent == 0)
        for (size_t i = 0; i < (ci ? 4u : 3u); i++)
            clash |= ci ? !strcasecmp(name, reserved[i]) : strcmp(name, reserved[i]) == 0;
    if (!clash) return name;
    size_t len = strlen(name);
    char *out = idbpq__arena_alloc(p->arena, len + 16);
    if (!out) return NULL;
    for (unsigned k = 2;; k++) {
        snprintf(out, len + 16, "%s~%u", name, k);
        if (!name_taken(p->s, parent, out, ci)) return out;
    }
}

/* ---- schema building ------------------------------------------------------------------------ */

static idbpq_status add(struct planner *p, int32_t parent, const char *name, idbpq_repetition rep,
                        idbpq_type type, int32_t len, const idbpq_logical *lt, int32_t *node)
{
    idbpq_status st = idbpq_schema_add(p->s, parent, name, rep, type, len, lt, node);
    if (st != IDBPQ_OK)
        return idbpq__fail(p->err, st, "schema: %s", idbpq_schema_errmsg(p->s));
    if (type != IDBPQ_GROUP) p->leaves++;
    return IDBPQ_OK;
}

static idbpq_logical lt_of(idbpq_logical_kind k)
{
    idbpq_logical l;
    memset(&l, 0, sizeof l);
    l.kind = k;
    return l;
}

static idbpq_status add_leaf(struct planner *p, int32_t parent, const char *name,
                             idbpq_repetition rep, int js, int view, int32_t *node)
{
    idbpq_logical l = lt_of(IDBPQ_LT_NONE);
    switch (js) {
    case IDBPQ__JS_NULL:
        l.kind = IDBPQ_LT_NULL;
        return add(p, parent, name, rep, IDBPQ_INT32, 0, &l, node);
    case IDBPQ__JS_BOOLEAN: return add(p, parent, name, rep, IDBPQ_BOOLEAN, 0, NULL, node);
    case IDBPQ__JS_INT:
    case IDBPQ__JS_BIGINT: return add(p, parent, name, rep, IDBPQ_INT64, 0, NULL, node);
    case IDBPQ__JS_DOUBLE: return add(p, parent, name, rep, IDBPQ_DOUBLE, 0, NULL, node);
    case IDBPQ__JS_BIGINT_DEC:
        l.kind = IDBPQ_LT_DECIMAL;
        l.precision = 38;
        l.scale = 0;
        return add(p, parent, name, rep, IDBPQ_FIXED_LEN_BYTE_ARRAY, 16, &l, node);
    case IDBPQ__JS_BIGINT_TEXT:
    case IDBPQ__JS_STRING:
        l.kind = IDBPQ_LT_STRING;
        return add(p, parent, name, rep, IDBPQ_BYTE_ARRAY, 0, &l, node);
    case IDBPQ__JS_JSON:
        /* STRING, not the JSON logical type: tagged JSON keeps a lone surrogate as a \udXXX
         * escape, valid JSON that DuckDB's JSON parser refuses for the whole column. */
        l.kind = IDBPQ_LT_STRING;
        return add(p, parent, name, rep, IDBPQ_BYTE_ARRAY, 0, &l, node);
    case IDBPQ__JS_DATE:
        l.kind = IDBPQ_LT_TIMESTAMP;
        l.utc = 1;
        l.unit = IDBPQ_MILLIS;
        return add(p, parent, name, rep, IDBPQ_INT64, 0, &l, node);
    case IDBPQ__JS_BINARY: return add(p, parent, name, rep, IDBPQ_BYTE_ARRAY, 0, NULL, node);
    default: (void)view; return idbpq__fail(p->err, IDBPQ_INVALID_ARG, "plan: kind %d is no leaf", js);
    }
}

/* The element leaf of a typed array's LIST. */
static idbpq_status add_typed_elem(struct planner *p, int32_t parent, int view, int32_t *node)
{
    idbpq_logical l = lt_of(IDBPQ_LT_INTEGER);
    l.is_signed = 1;
    switch ((idbpq_view_kind)view) {
    case IDBPQ_VIEW_INT8: l.bit_width = 8; break;
    case IDBPQ_VIEW_UINT8:
    case IDBPQ_VIEW_UINT8_CLAMPED: l.bit_width = 8; l.is_signed = 0; break;
    case IDBPQ_VIEW_INT16: l.bit_width = 16; break;
    case IDBPQ_VIEW_UINT16: l.bit_width = 16; l.is_signed = 0; break;
    case IDBPQ_VIEW_INT32: l.bit_width = 32; break;
    case IDBPQ_VIEW_UINT32:
        return add(p, parent, "element", IDBPQ_REQUIRED, IDBPQ_INT64, 0, NULL, node);
    case IDBPQ_VIEW_FLOAT16:
    case IDBPQ_VIEW_FLOAT32:
        return add(p, parent, "element", IDBPQ_REQUIRED, IDBPQ_FLOAT, 0, NULL, node);
    case IDBPQ_VIEW_FLOAT64:
        return add(p, parent, "element", IDBPQ_REQUIRED, IDBPQ_DOUBLE, 0, NULL, node);
    case IDBPQ_VIEW_BIGINT64:
        return add(p, parent, "element", IDBPQ_REQUIRED, IDBPQ_INT64, 0, NULL, node);
    case IDBPQ_VIEW_BIGUINT64:
        l.bit_width = 64;
        l.is_signed = 0;
        return add(p, parent, "element", IDBPQ_REQUIRED, IDBPQ_INT64, 0, &l, node);
    case IDBPQ_VIEW_DATAVIEW:
    default: return idbpq__fail(p->err, IDBPQ_INVALID_ARG, "plan: view kind %d", view);
    }
    return add(p, parent, "element", IDBPQ_REQUIRED, IDBPQ_INT32, 0, &l, node);
}

/* The default absence of a node and whether a sibling column must tell them apart. A
 * VARIANT keeps null as a value (variant null), JSON text keeps null and undefined. */
static void absences(const struct idbpq__shape *s, uint64_t missing, int field, int js,
                     uint8_t *absent, int *need_sibling)
{
    uint64_t n_null = s->kinds[IDBPQ__K_NULL], n_undef = s->kinds[IDBPQ__K_UNDEFINED];
    if (js == IDBPQ__JS_VARIANT) n_null = 0;
    if (js == IDBPQ__JS_JSON) n_null = n_undef = 0;
    int kinds = (missing > 0) + (n_null > 0) + (n_undef > 0);
    *need_sibling = field && kinds > 1;
    if (field && missing >= n_null && missing >= n_undef) *absent = IDBPQ__ABS_MISSING;
    else *absent = n_null >= n_undef ? IDBPQ__ABS_NULL : IDBPQ__ABS_UNDEFINED;
    if (!field && !n_null && !n_undef) *absent = IDBPQ__ABS_NULL;
    if (!field && js == IDBPQ__JS_VARIANT) *absent = IDBPQ__ABS_UNDEFINED;
}

static idbpq_status plan_node(struct planner *p, const struct idbpq__shape *s, int32_t parent,
                              const char *name, uint64_t missing, int field, uint32_t depth,
                              struct idbpq__jsnode *j);

static int vclass_of_kind(int k)
{
    switch (k) {
    case IDBPQ__K_BOOLEAN: return IDBPQ__VC_BOOLEAN;
    case IDBPQ__K_INT: return IDBPQ__VC_INT;
    case IDBPQ__K_DOUBLE: return IDBPQ__VC_DOUBLE;
    case IDBPQ__K_STRING: return IDBPQ__VC_STRING;
    case IDBPQ__K_DATE: return IDBPQ__VC_TIMESTAMP;
    default: return IDBPQ__VC_NONE;
    }
}

static void binary_votes(const struct idbpq__shape *s, int depth, uint64_t *u8, uint64_t *ab)
{
    if (!s || depth > 64) return;
    *u8 += s->views[IDBPQ_VIEW_UINT8];
    *ab += s->kinds[IDBPQ__K_BUFFER];
    for (uint32_t i = 0; i < s->n_fields; i++) binary_votes(s->fields[i], depth + 1, u8, ab);
    binary_votes(s->elem, depth + 1, u8, ab);
    binary_votes(s->map_key, depth + 1, u8, ab);
    binary_votes(s->map_val, depth + 1, u8, ab);
}

static idbpq_status plan_variant(struct planner *p, const struct idbpq__shape *s, int32_t parent,
                                 const char *name, struct idbpq__jsnode *j)
{
    idbpq_logical l = lt_of(IDBPQ_LT_VARIANT);
    l.variant_version = 1;
    /* Binary values are whichever of Uint8Array / ArrayBuffer is more common in the whole
     * subtree (a VARIANT holds nested values too). */
    uint64_t u8 = 0, ab = 0;
    binary_votes(s, 0, &u8, &ab);
    j->view = u8 > ab;
    /* Shred the dominant primitive type, when it is at least half of the values. */
    int best = -1;
    uint64_t best_n = 0, present = 0;
    for (int k = 0; k < IDBPQ__K_COUNT; k++) {
        if (k == IDBPQ__K_NULL || k == IDBPQ__K_UNDEFINED) continue;
        present += s->kinds[k];
        if (s->kinds[k] > best_n) {
            best_n = s->kinds[k];
            best = k;
        }
    }
    int vc = best >= 0 ? vclass_of_kind(best) : IDBPQ__VC_NONE;
    if (!p->o->shred_variants || s->wide || best_n * 2 < present) vc = IDBPQ__VC_NONE;
    j->shred = (uint8_t)vc;
    int32_t g, dummy;
    IDBPQ__TRY(add(p, parent, name, IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &l, &g));
    j->node = g;
    IDBPQ__TRY(add(p, g, "metadata", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, NULL, &dummy));
    IDBPQ__TRY(add(p, g, "value", vc ? IDBPQ_OPTIONAL : IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, NULL,
                   &dummy));
    if (!vc) return IDBPQ_OK;
    idbpq_logical t = lt_of(IDBPQ_LT_NONE);
    switch (vc) {
    case IDBPQ__VC_BOOLEAN:
        return add(p, g, "typed_value", IDBPQ_OPTIONAL, IDBPQ_BOOLEAN, 0, NULL, &dummy);
    case IDBPQ__VC_INT:
        return add(p, g, "typed_value", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, NULL, &dummy);
    case IDBPQ__VC_DOUBLE:
        return add(p, g, "typed_value", IDBPQ_OPTIONAL, IDBPQ_DOUBLE, 0, NULL, &dummy);
    case IDBPQ__VC_STRING:
        t.kind = IDBPQ_LT_STRING;
        return add(p, g, "typed_value", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &t, &dummy);
    case IDBPQ__VC_TIMESTAMP:
        t.kind = IDBPQ_LT_TIMESTAMP;
        t.utc = 1;
        t.unit = IDBPQ_MICROS;
        return add(p, g, "typed_value", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, &t, &dummy);
    default: return IDBPQ_OK;
    }
}

static idbpq_status plan_list(struct planner *p, const struct idbpq__shape *elem, int32_t parent,
                              const char *name, uint32_t depth, struct idbpq__jsnode *j)
{
    idbpq_logical l = lt_of(IDBPQ_LT_LIST);
    int32_t g, rep;
    IDBPQ__TRY(add(p, parent, name, IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &l, &g));
    IDBPQ__TRY(add(p, g, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &rep));
    j->node = g;
    j->n_children = 1;
    j->children = idbpq__arena_alloc(p->arena, sizeof *j->children);
    if (!j->children) return IDBPQ_NOMEM;
    memset(j->children, 0, sizeof *j->children);
    static const struct idbpq__shape empty;
    return plan_node(p, elem ? elem : &empty, rep, "element", 0, 0, depth + 1, j->children);
}

static idbpq_status plan_object(struct planner *p, const struct idbpq__shape *s, int32_t g,
                                uint32_t depth, struct idbpq__jsnode *j)
{
    j->children = idbpq__arena_alloc(p->arena, sizeof *j->children * (s->n_fields + 1));
    if (!j->children) return IDBPQ_NOMEM;
    memset(j->children, 0, sizeof *j->children * (s->n_fields + 1));
    j->n_children = 0;
    for (uint32_t k = 0; k < s->n_fields; k++) {
        uint32_t i = s->order[k];
        const struct idbpq__shape *c = s->fields[i];
        /* A property whose every value has no column form (a RegExp, a shared reference)
         * only ever appears in records kept in `_raw`: no column for it. */
        if (c->seen && c->kinds[IDBPQ__K_OTHER] == c->seen) continue;
        struct idbpq__jsnode *cj = &j->children[j->n_children++];
        cj->prop = s->names[i];
        cj->key_number = s->name_numeric[i];
        char *n8 = utf8_name(p->arena, &s->names[i]->u.str);
        const char *name = n8 ? unique_name(p, g, n8) : NULL;
        if (!name) return IDBPQ_NOMEM;
        uint64_t missing = s->objects_seen > c->seen ? s->objects_seen - c->seen : 0;
        IDBPQ__TRY(plan_node(p, c, g, name, missing, 1, depth + 1, cj));
        uint8_t absent;
        int sibling;
        absences(c, missing, 1, cj->js, &absent, &sibling);
        if (sibling) {
            size_t len = strlen(name);
            char *sn = idbpq__arena_alloc(p->arena, len + 9);
            if (!sn) return IDBPQ_NOMEM;
            memcpy(sn, name, len);
            memcpy(sn + len, "__absent", 9);
            const char *su = unique_name(p, g, sn);
            if (!su) return IDBPQ_NOMEM;
            idbpq_logical l = lt_of(IDBPQ_LT_INTEGER);
            l.bit_width = 8;
            l.is_signed = 1;
            IDBPQ__TRY(add(p, g, su, IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &l, &cj->absent_node));
        }
    }
    return IDBPQ_OK;
}

/* Plans shape s as child `name` of schema group `parent`. missing: how often the property was
 * absent from its objects (fields only). */
static idbpq_status plan_node(struct planner *p, const struct idbpq__shape *s, int32_t parent,
                              const char *name, uint64_t missing, int field, uint32_t depth,
                              struct idbpq__jsnode *j)
{
    int typed_kind = 0;
    int js = decide(p, s, &typed_kind);
    int sibling;
    j->absent_node = -1;
    /* Columns past the budget, and depth past the limit, fold into one VARIANT / JSON. */
    if (js == IDBPQ__JS_OBJECT || js == IDBPQ__JS_ARRAY || js == IDBPQ__JS_SET ||
        js == IDBPQ__JS_MAP) {
        uint32_t need = cost(p, s, depth);
        if (depth >= p->o->max_depth || p->leaves + need > p->budget)
            js = p->o->mixed_as_json || s->unholdable ? IDBPQ__JS_JSON : IDBPQ__JS_VARIANT;
    }
    j->js = (uint8_t)js;
    absences(s, missing, field, js, &j->absent, &sibling);
    switch (js) {
    case IDBPQ__JS_OBJECT: {
        idbpq_logical none = lt_of(IDBPQ_LT_NONE);
        int32_t g;
        IDBPQ__TRY(add(p, parent, name, IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &none, &g));
        j->node = g;
        IDBPQ__TRY(plan_object(p, s, g, depth, j));
        if (j->n_children == 0) {
            /* Parquet groups need a child: objects that never had a property (with a column) get a
             * placeholder that is always null. */
            int32_t d;
            idbpq_logical l = lt_of(IDBPQ_LT_NULL);
            IDBPQ__TRY(add(p, g, "_empty", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &l, &d));
        }
        return IDBPQ_OK;
    }
    case IDBPQ__JS_ARRAY:
    case IDBPQ__JS_SET: return plan_list(p, s->elem, parent, name, depth, j);
    case IDBPQ__JS_TYPED: {
        idbpq_logical l = lt_of(IDBPQ_LT_LIST);
        int32_t g, rep, e;
        j->view = (uint8_t)typed_kind;
        IDBPQ__TRY(add(p, parent, name, IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &l, &g));
        IDBPQ__TRY(add(p, g, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &rep));
        j->node = g;
        return add_typed_elem(p, rep, typed_kind, &e);
    }
    case IDBPQ__JS_MAP: {
        idbpq_logical l = lt_of(IDBPQ_LT_MAP);
        int32_t g, kv;
        IDBPQ__TRY(add(p, parent, name, IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &l, &g));
        IDBPQ__TRY(add(p, g, "key_value", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &kv));
        j->node = g;
        j->n_children = 2;
        j->children = idbpq__arena_alloc(p->arena, 2 * sizeof *j->children);
        if (!j->children) return IDBPQ_NOMEM;
        memset(j->children, 0, 2 * sizeof *j->children);
        static const struct idbpq__shape empty;
        const struct idbpq__shape *ks = s->map_key ? s->map_key : &empty;
        int kt = 0;
        int kjs = decide(p, ks, &kt);
        if (kjs == IDBPQ__JS_NULL) kjs = IDBPQ__JS_STRING; /* only empty Maps: any key type */
        j->children[0].js = (uint8_t)kjs;
        j->children[0].absent_node = -1;
        if (kjs == IDBPQ__JS_BINARY)
            j->children[0].view = ks->views[IDBPQ_VIEW_UINT8] > ks->kinds[IDBPQ__K_BUFFER]
                                      ? IDBPQ_VIEW_UINT8
                                      : IDBPQ__VIEW_BUFFER;
        IDBPQ__TRY(add_leaf(p, kv, "key", IDBPQ_REQUIRED, kjs, 0, &j->children[0].node));
        return plan_node(p, s->map_val ? s->map_val : &empty, kv, "value", 0, 0, depth + 1,
                         &j->children[1]);
    }
    case IDBPQ__JS_BLOB:
    case IDBPQ__JS_FILE: {
        idbpq_logical none = lt_of(IDBPQ_LT_NONE);
        int32_t g, d;
        IDBPQ__TRY(add(p, parent, name, IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &none, &g));
        j->node = g;
        if (js == IDBPQ__JS_FILE)
            IDBPQ__TRY(add_leaf(p, g, "name", IDBPQ_OPTIONAL, IDBPQ__JS_STRING, 0, &d));
        IDBPQ__TRY(add_leaf(p, g, "type", IDBPQ_OPTIONAL, IDBPQ__JS_STRING, 0, &d));
        IDBPQ__TRY(add_leaf(p, g, "size", IDBPQ_OPTIONAL, IDBPQ__JS_INT, 0, &d));
        if (js == IDBPQ__JS_FILE)
            IDBPQ__TRY(add_leaf(p, g, "lastModified", IDBPQ_OPTIONAL, IDBPQ__JS_DATE, 0, &d));
        return add_leaf(p, g, "data", IDBPQ_OPTIONAL, IDBPQ__JS_BINARY, 0, &d);
    }
    case IDBPQ__JS_VARIANT: return plan_variant(p, s, parent, name, j);
    case IDBPQ__JS_BINARY: {
        uint64_t best = s->kinds[IDBPQ__K_BUFFER];
        j->view = IDBPQ__VIEW_BUFFER;
        if (s->views[IDBPQ_VIEW_UINT8] > best) {
            best = s->views[IDBPQ_VIEW_UINT8];
            j->view = IDBPQ_VIEW_UINT8;
        }
        if (s->views[IDBPQ_VIEW_DATAVIEW] > best) j->view = IDBPQ_VIEW_DATAVIEW;
        return add_leaf(p, parent, name, IDBPQ_OPTIONAL, js, 0, &j->node);
    }
    default: return add_leaf(p, parent, name, IDBPQ_OPTIONAL, js, 0, &j->node);
    }
}

idbpq_status idbpq__plan(const struct idbpq__infer *in, const struct idbpq__plan_opts *o,
                         struct idbpq__arena *arena, const idbpq_allocator *alc,
                         idbpq_schema **schema, struct idbpq__typemap *tm,
                         struct idbpq__err *err)
{
    struct planner p;
    memset(&p, 0, sizeof p);
    memset(tm, 0, sizeof *tm);
    p.arena = arena;
    p.o = o;
    p.err = err;
    p.budget = o->max_columns ? o->max_columns : 4000;
    IDBPQ__TRY(idbpq_schema_create(&p.s, alc));
    idbpq_status st = IDBPQ_OK;
    tm->raw_node = tm->raw_key_node = -1;
    if (o->out_of_line_key) {
        tm->has_key = 1;
        st = plan_node(&p, in->key, 0, "_key", 0, 0, 0, &tm->key);
        /* Keys must come back exactly: when one seen cannot be held by the typed column (a
         * string with a lone surrogate), the whole column is tagged JSON text. */
        if (st == IDBPQ_OK && in->key->unholdable && tm->key.js != IDBPQ__JS_JSON) {
            p.leaves = 0;
            idbpq_schema_free(p.s);
            IDBPQ__TRY(idbpq_schema_create(&p.s, alc));
            memset(&tm->key, 0, sizeof tm->key);
            tm->key.js = IDBPQ__JS_JSON;
            tm->key.absent = IDBPQ__ABS_NULL;
            tm->key.absent_node = -1;
            st = add_leaf(&p, 0, "_key", IDBPQ_OPTIONAL, IDBPQ__JS_JSON, 0, &tm->key.node);
        }
        /* One pass: a later key of a kind the sample did not have goes to `_raw_key`. */
        if (st == IDBPQ_OK && o->one_pass && tm->key.js != IDBPQ__JS_JSON) {
            idbpq_logical l = lt_of(IDBPQ_LT_STRING);
            st = add(&p, 0, "_raw_key", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &l, &tm->raw_key_node);
        }
    }
    /* The value: its properties are the top-level columns when every record is an object
     * (others fall back); a `_value` column otherwise. */
    const struct idbpq__shape *r = in->root;
    int tk = 0;
    uint64_t objects = r->kinds[IDBPQ__K_OBJECT];
    int as_root = st == IDBPQ_OK && objects > 0 && !r->wide && objects * 2 >= r->seen &&
                  decide(&p, r, &tk) == IDBPQ__JS_OBJECT;
    if (!as_root && objects > 0 && objects * 2 >= r->seen && !r->wide) {
        /* Mostly objects with a few non-objects: still columns, the rest falls back. */
        as_root = 1;
    }
    if (st == IDBPQ_OK && as_root) {
        tm->value_is_root = 1;
        tm->value.js = IDBPQ__JS_OBJECT;
        tm->value.node = 0;
        tm->value.absent_node = -1;
        st = plan_object(&p, r, 0, 0, &tm->value);
    } else if (st == IDBPQ_OK) {
        st = plan_node(&p, r, 0, "_value", 0, 0, 0, &tm->value);
    }
    if (st == IDBPQ_OK) { /* STRING, not JSON: see add_leaf */
        idbpq_logical l = lt_of(IDBPQ_LT_STRING);
        st = add(&p, 0, "_raw", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &l, &tm->raw_node);
    }
    if (st == IDBPQ_OK && idbpq_schema_finish(p.s) != IDBPQ_OK)
        st = idbpq__fail(err, IDBPQ_INVALID_ARG, "schema: %s", idbpq_schema_errmsg(p.s));
    if (st != IDBPQ_OK) {
        idbpq_schema_free(p.s);
        return st;
    }
    *schema = p.s;
    return IDBPQ_OK;
}
