/*
 * schema.c — the schema tree: built from a footer's flat, depth-first SchemaElement list or
 * node by node by a writer; levels, paths and "shapes" computed once at finish. Shapes apply
 * LogicalTypes.md's backward-compatibility rules (legacy 2-level lists, MAP_KEY_VALUE,
 * unannotated repeated fields) so that row assembly and shredding only ever see five cases.
 */
#include "parquet/schema.h"

#include <stdio.h>

struct idbpq_schema {
    const idbpq_allocator *alc;
    struct idbpq__arena arena;      /* names, paths, children arrays, column paths */
    idbpq_schema_node *nodes;
    int32_t n_nodes, cap_nodes;
    int32_t *columns;               /* leaf node index per column */
    int32_t n_columns;
    const char ***col_paths;        /* path components per column */
    int32_t *col_path_len;
    int32_t *stack;                 /* builder: the current root-to-last-node path */
    int32_t stack_len;
    int finished;
    struct idbpq__err err;
};

static idbpq_status schema_alloc(idbpq_schema **out, const idbpq_allocator *alc)
{
    idbpq_schema *s = idbpq__calloc(alc, sizeof *s);
    if (!s) return IDBPQ_NOMEM;
    s->alc = idbpq__alc(alc);
    idbpq__arena_init(&s->arena, alc);
    *out = s;
    return IDBPQ_OK;
}

void idbpq_schema_free(idbpq_schema *s)
{
    if (!s) return;
    const idbpq_allocator *alc = s->alc;
    idbpq__free(alc, s->nodes, sizeof *s->nodes * (size_t)s->cap_nodes);
    idbpq__free(alc, s->stack, sizeof *s->stack * (size_t)s->cap_nodes);
    idbpq__arena_free(&s->arena);
    idbpq__free(alc, s, sizeof *s);
}

const char *idbpq_schema_errmsg(const idbpq_schema *s) { return s ? s->err.msg : "no schema"; }
int32_t idbpq_schema_num_nodes(const idbpq_schema *s) { return s ? s->n_nodes : 0; }
int32_t idbpq_schema_num_columns(const idbpq_schema *s) { return s ? s->n_columns : 0; }

const idbpq_schema_node *idbpq_schema_node_at(const idbpq_schema *s, int32_t i)
{
    if (!s || i < 0 || i >= s->n_nodes) return NULL;
    return &s->nodes[i];
}

const idbpq_schema_node *idbpq_schema_column(const idbpq_schema *s, int32_t c)
{
    if (!s || !s->finished || c < 0 || c >= s->n_columns) return NULL;
    return &s->nodes[s->columns[c]];
}

int32_t idbpq_schema_find_column(const idbpq_schema *s, const char *path)
{
    if (!s || !s->finished || !path) return -1;
    for (int32_t c = 0; c < s->n_columns; c++)
        if (strcmp(s->nodes[s->columns[c]].path, path) == 0) return c;
    return -1;
}

const char *const *idbpq__schema_column_path(const idbpq_schema *s, int32_t c, int32_t *n)
{
    if (!s || c < 0 || c >= s->n_columns) {
        *n = 0;
        return NULL;
    }
    *n = s->col_path_len[c];
    return s->col_paths[c];
}

static idbpq_status grow_nodes(idbpq_schema *s)
{
    if (s->n_nodes < s->cap_nodes) return IDBPQ_OK;
    int32_t cap = s->cap_nodes ? s->cap_nodes * 2 : 16;
    idbpq_schema_node *n = idbpq__realloc(s->alc, s->nodes, sizeof *n * (size_t)s->cap_nodes,
                                          sizeof *n * (size_t)cap);
    if (!n) return IDBPQ_NOMEM;
    s->nodes = n;
    int32_t *st = idbpq__realloc(s->alc, s->stack, sizeof *st * (size_t)s->cap_nodes,
                                 sizeof *st * (size_t)cap);
    if (!st) return IDBPQ_NOMEM;
    s->stack = st;
    s->cap_nodes = cap;
    return IDBPQ_OK;
}

/* ---- logical <-> converted types ---------------------------------------------------------- */

/* The legacy ConvertedType a writer must add alongside a LogicalType (LogicalTypes.md). */
static int32_t converted_for(const idbpq_logical *lt)
{
    switch (lt->kind) {
    case IDBPQ_LT_STRING: return IDBPQ_CT_UTF8;
    case IDBPQ_LT_MAP: return IDBPQ_CT_MAP;
    case IDBPQ_LT_LIST: return IDBPQ_CT_LIST;
    case IDBPQ_LT_ENUM: return IDBPQ_CT_ENUM;
    case IDBPQ_LT_DECIMAL: return IDBPQ_CT_DECIMAL;
    case IDBPQ_LT_DATE: return IDBPQ_CT_DATE;
    case IDBPQ_LT_TIME:
        return lt->unit == IDBPQ_MILLIS ? IDBPQ_CT_TIME_MILLIS
               : lt->unit == IDBPQ_MICROS ? IDBPQ_CT_TIME_MICROS : IDBPQ_CT_NONE;
    case IDBPQ_LT_TIMESTAMP:
        /* Also for isAdjustedToUTC=false: the spec asks writers to add it either way. */
        return lt->unit == IDBPQ_MILLIS ? IDBPQ_CT_TIMESTAMP_MILLIS
               : lt->unit == IDBPQ_MICROS ? IDBPQ_CT_TIMESTAMP_MICROS : IDBPQ_CT_NONE;
    case IDBPQ_LT_INTEGER:
        switch (lt->bit_width) {
        case 8: return lt->is_signed ? IDBPQ_CT_INT_8 : IDBPQ_CT_UINT_8;
        case 16: return lt->is_signed ? IDBPQ_CT_INT_16 : IDBPQ_CT_UINT_16;
        case 32: return lt->is_signed ? IDBPQ_CT_INT_32 : IDBPQ_CT_UINT_32;
        case 64: return lt->is_signed ? IDBPQ_CT_INT_64 : IDBPQ_CT_UINT_64;
        default: return IDBPQ_CT_NONE;
        }
    case IDBPQ_LT_JSON: return IDBPQ_CT_JSON;
    case IDBPQ_LT_BSON: return IDBPQ_CT_BSON;
    case IDBPQ_LT_INTERVAL: return IDBPQ_CT_INTERVAL;
    case IDBPQ_LT_NONE:
    case IDBPQ_LT_NULL:
    case IDBPQ_LT_UUID:
    case IDBPQ_LT_FLOAT16:
    case IDBPQ_LT_VARIANT:
    case IDBPQ_LT_GEOMETRY:
    case IDBPQ_LT_GEOGRAPHY:
    case IDBPQ_LT_UNKNOWN_ID: return IDBPQ_CT_NONE;
    }
    return IDBPQ_CT_NONE;
}

/* A reader's fallback when a file has only the ConvertedType (LogicalTypes.md: TIME_* and
 * TIMESTAMP_* legacy annotations mean UTC-adjusted). */
static idbpq_logical logical_from_converted(int32_t ct, int32_t scale, int32_t precision)
{
    idbpq_logical lt;
    memset(&lt, 0, sizeof lt);
    lt.kind = IDBPQ_LT_NONE;
    switch (ct) {
    case IDBPQ_CT_UTF8: lt.kind = IDBPQ_LT_STRING; break;
    case IDBPQ_CT_MAP:
    case IDBPQ_CT_MAP_KEY_VALUE: lt.kind = IDBPQ_LT_MAP; break;
    case IDBPQ_CT_LIST: lt.kind = IDBPQ_LT_LIST; break;
    case IDBPQ_CT_ENUM: lt.kind = IDBPQ_LT_ENUM; break;
    case IDBPQ_CT_DECIMAL:
        lt.kind = IDBPQ_LT_DECIMAL;
        lt.scale = scale < 0 ? 0 : scale;
        lt.precision = precision;
        break;
    case IDBPQ_CT_DATE: lt.kind = IDBPQ_LT_DATE; break;
    case IDBPQ_CT_TIME_MILLIS:
    case IDBPQ_CT_TIME_MICROS:
        lt.kind = IDBPQ_LT_TIME;
        lt.utc = 1;
        lt.unit = ct == IDBPQ_CT_TIME_MILLIS ? IDBPQ_MILLIS : IDBPQ_MICROS;
        break;
    case IDBPQ_CT_TIMESTAMP_MILLIS:
    case IDBPQ_CT_TIMESTAMP_MICROS:
        lt.kind = IDBPQ_LT_TIMESTAMP;
        lt.utc = 1;
        lt.unit = ct == IDBPQ_CT_TIMESTAMP_MILLIS ? IDBPQ_MILLIS : IDBPQ_MICROS;
        break;
    case IDBPQ_CT_UINT_8: case IDBPQ_CT_UINT_16: case IDBPQ_CT_UINT_32: case IDBPQ_CT_UINT_64:
    case IDBPQ_CT_INT_8: case IDBPQ_CT_INT_16: case IDBPQ_CT_INT_32: case IDBPQ_CT_INT_64: {
        static const int8_t widths[] = {8, 16, 32, 64};
        int k = ct >= IDBPQ_CT_INT_8 ? ct - IDBPQ_CT_INT_8 : ct - IDBPQ_CT_UINT_8;
        lt.kind = IDBPQ_LT_INTEGER;
        lt.bit_width = widths[k];
        lt.is_signed = ct >= IDBPQ_CT_INT_8;
        break;
    }
    case IDBPQ_CT_JSON: lt.kind = IDBPQ_LT_JSON; break;
    case IDBPQ_CT_BSON: lt.kind = IDBPQ_LT_BSON; break;
    case IDBPQ_CT_INTERVAL: lt.kind = IDBPQ_LT_INTERVAL; break;
    default: break;
    }
    return lt;
}

/* ---- building ----------------------------------------------------------------------------- */

static idbpq_status add_node(idbpq_schema *s, int32_t parent, const char *name, size_t name_len,
                             idbpq_repetition rep, idbpq_type type, int32_t type_length,
                             int32_t *out)
{
    IDBPQ__TRY(grow_nodes(s));
    idbpq_schema_node *n = &s->nodes[s->n_nodes];
    memset(n, 0, sizeof *n);
    n->name = idbpq__arena_strndup(&s->arena, name, name_len);
    if (!n->name) return IDBPQ_NOMEM;
    n->parent = parent;
    n->type = type;
    n->repetition = rep;
    n->type_length = type_length;
    n->converted_type = IDBPQ_CT_NONE;
    n->scale = n->precision = -1;
    n->field_id = -1;
    n->column = -1;
    n->element = n->map_value = -1;
    n->logical.kind = IDBPQ_LT_NONE;
    *out = s->n_nodes++;
    return IDBPQ_OK;
}

idbpq_status idbpq_schema_create(idbpq_schema **out, const idbpq_allocator *alc)
{
    if (!out) return IDBPQ_INVALID_ARG;
    *out = NULL;
    idbpq_schema *s;
    IDBPQ__TRY(schema_alloc(&s, alc));
    int32_t root;
    idbpq_status st = add_node(s, -1, "schema", 6, IDBPQ_REQUIRED, IDBPQ_GROUP, 0, &root);
    if (st != IDBPQ_OK) {
        idbpq_schema_free(s);
        return st;
    }
    s->stack[0] = 0;
    s->stack_len = 1;
    *out = s;
    return IDBPQ_OK;
}

idbpq_status idbpq_schema_add(idbpq_schema *s, int32_t parent, const char *name,
                              idbpq_repetition rep, idbpq_type type, int32_t type_length,
                              const idbpq_logical *logical, int32_t *out_node)
{
    if (!s) return IDBPQ_INVALID_ARG;
    if (s->finished) return idbpq__fail(&s->err, IDBPQ_STATE, "schema is already finished");
    if (!name || !*name)
        return idbpq__fail(&s->err, IDBPQ_INVALID_ARG, "schema: a field needs a name");
    if (rep != IDBPQ_REQUIRED && rep != IDBPQ_OPTIONAL && rep != IDBPQ_REPEATED)
        return idbpq__fail(&s->err, IDBPQ_INVALID_ARG, "schema: field %s: bad repetition", name);
    if (type != IDBPQ_GROUP && (type < IDBPQ_BOOLEAN || type > IDBPQ_FIXED_LEN_BYTE_ARRAY))
        return idbpq__fail(&s->err, IDBPQ_INVALID_ARG, "schema: field %s: bad type %d", name,
                           (int)type);
    if (type == IDBPQ_FIXED_LEN_BYTE_ARRAY && type_length <= 0)
        return idbpq__fail(&s->err, IDBPQ_INVALID_ARG,
                           "schema: field %s: FIXED_LEN_BYTE_ARRAY needs a length > 0", name);
    /* Nodes are kept in the footer's depth-first order: the parent must be the last node
     * added or one of its ancestors (a recursive builder does this naturally). */
    int32_t k = s->stack_len;
    while (k > 0 && s->stack[k - 1] != parent) k--;
    if (k == 0 || s->nodes[parent].type != IDBPQ_GROUP)
        return idbpq__fail(&s->err, IDBPQ_INVALID_ARG,
                           "schema: field %s: parent %d is not an open group (add fields in "
                           "depth-first order)", name, (int)parent);
    int32_t id;
    IDBPQ__TRY(add_node(s, parent, name, strlen(name), rep, type, type_length, &id));
    idbpq_schema_node *n = &s->nodes[id];
    if (logical) {
        n->logical = *logical;
        if (logical->crs) {
            n->logical.crs = idbpq__arena_strndup(&s->arena, logical->crs, strlen(logical->crs));
            if (!n->logical.crs) return IDBPQ_NOMEM;
        }
        n->converted_type = converted_for(logical);
        if (logical->kind == IDBPQ_LT_DECIMAL) {
            n->scale = logical->scale;
            n->precision = logical->precision;
        }
    }
    s->nodes[parent].num_children++;
    s->stack_len = k;
    s->stack[s->stack_len++] = id;
    if (out_node) *out_node = id;
    return IDBPQ_OK;
}

/* ---- finishing: children arrays, levels, paths, columns, shapes ---------------------------- */

static int is_list_annotated(const idbpq_schema_node *n)
{
    return n->logical.kind == IDBPQ_LT_LIST || n->converted_type == IDBPQ_CT_LIST;
}

static int is_map_annotated(const idbpq_schema_node *n)
{
    return n->logical.kind == IDBPQ_LT_MAP || n->converted_type == IDBPQ_CT_MAP ||
           n->converted_type == IDBPQ_CT_MAP_KEY_VALUE;
}

/* Decides the element of a LIST-annotated group g (LogicalTypes.md, "Backward-compatibility
 * rules", applied in order). Returns -1 if g does not have a list's structure. */
static int32_t list_element(const idbpq_schema *s, int32_t g)
{
    const idbpq_schema_node *gn = &s->nodes[g];
    if (gn->num_children != 1) return -1;
    int32_t r = gn->children[0];
    const idbpq_schema_node *rn = &s->nodes[r];
    if (rn->repetition != IDBPQ_REPEATED) return -1;
    if (rn->type != IDBPQ_GROUP) return r;                       /* rule 1 */
    if (rn->num_children != 1) return r;                         /* rule 2 (0 children too) */
    if (s->nodes[rn->children[0]].repetition == IDBPQ_REPEATED) return r; /* rule 3 */
    char tuple[IDBPQ__ERRMSG_SIZE];
    snprintf(tuple, sizeof tuple, "%s_tuple", gn->name);
    if (strcmp(rn->name, "array") == 0 || strcmp(rn->name, tuple) == 0) return r; /* rule 4 */
    return rn->children[0];                                       /* rule 5: 3-level */
}

static idbpq_status set_shapes(idbpq_schema *s)
{
    uint8_t *consumed_by_parent = idbpq__arena_alloc(&s->arena, (size_t)s->n_nodes);
    if (!consumed_by_parent) return IDBPQ_NOMEM;
    memset(consumed_by_parent, 0, (size_t)s->n_nodes);
    /* Parents come before children in depth-first order, so one forward pass sees a LIST or
     * MAP before the repeated node it consumes. `consumed` marks a repeated node whose
     * repetition belongs to its LIST/MAP parent. */
    for (int32_t i = 1; i < s->n_nodes; i++) {
        idbpq_schema_node *n = &s->nodes[i];
        int consumed = consumed_by_parent[i];
        if (n->type != IDBPQ_GROUP) {
            n->shape = (n->repetition == IDBPQ_REPEATED && !consumed) ? IDBPQ_SHAPE_REPEATED
                                                                      : IDBPQ_SHAPE_PRIMITIVE;
            continue;
        }
        n->shape = IDBPQ_SHAPE_STRUCT;
        if (is_list_annotated(n)) {
            int32_t el = list_element(s, i);
            if (el >= 0) {
                n->shape = IDBPQ_SHAPE_LIST;
                n->element = el;
                consumed_by_parent[n->children[0]] = 1;
                continue;
            }
        }
        if (is_map_annotated(n)) {
            /* MAP { repeated group key_value { key; [value;] } }; a MAP_KEY_VALUE group
             * outside a MAP is itself the repeated key/value group. Names are not enforced:
             * key and value are taken by position. */
            int32_t kv = -1;
            if (n->repetition == IDBPQ_REPEATED && !consumed) {
                kv = i;
            } else if (n->num_children == 1 &&
                       s->nodes[n->children[0]].repetition == IDBPQ_REPEATED &&
                       s->nodes[n->children[0]].type == IDBPQ_GROUP) {
                kv = n->children[0];
            }
            if (kv >= 0) {
                const idbpq_schema_node *kvn = &s->nodes[kv];
                if (kvn->num_children >= 1 && kvn->num_children <= 2) {
                    n->shape = IDBPQ_SHAPE_MAP;
                    n->element = kvn->children[0];
                    n->map_value = kvn->num_children == 2 ? kvn->children[1] : -1;
                    if (kv != i) consumed_by_parent[kv] = 1;
                    continue;
                }
            }
        }
        if (n->repetition == IDBPQ_REPEATED && !consumed) n->shape = IDBPQ_SHAPE_REPEATED;
    }
    return IDBPQ_OK;
}

static idbpq_status finish(idbpq_schema *s, uint32_t max_depth)
{
    /* Children arrays. */
    for (int32_t i = 0; i < s->n_nodes; i++) {
        idbpq_schema_node *n = &s->nodes[i];
        if (n->num_children > 0) {
            int32_t *kids = idbpq__arena_alloc(&s->arena, sizeof *kids * (size_t)n->num_children);
            if (!kids) return IDBPQ_NOMEM;
            n->children = kids;
        }
        n->num_children = 0; /* refilled below */
    }
    for (int32_t i = 1; i < s->n_nodes; i++) {
        idbpq_schema_node *p = &s->nodes[s->nodes[i].parent];
        ((int32_t *)p->children)[p->num_children++] = i;
    }
    /* Levels, depth, paths, columns. */
    s->n_columns = 0;
    for (int32_t i = 0; i < s->n_nodes; i++) {
        idbpq_schema_node *n = &s->nodes[i];
        if (i == 0) {
            n->max_def = n->max_rep = 0;
            n->depth = 0;
            n->path = "";
            n->shape = IDBPQ_SHAPE_STRUCT;
            continue;
        }
        const idbpq_schema_node *p = &s->nodes[n->parent];
        n->depth = p->depth + 1;
        if ((uint32_t)n->depth > max_depth)
            return idbpq__fail(&s->err, IDBPQ_LIMIT,
                               "schema: nesting deeper than the limit of %u levels at field %s",
                               max_depth, n->name);
        n->max_def = (int16_t)(p->max_def + (n->repetition != IDBPQ_REQUIRED));
        n->max_rep = (int16_t)(p->max_rep + (n->repetition == IDBPQ_REPEATED));
        size_t plen = strlen(p->path), nlen = strlen(n->name);
        char *path = idbpq__arena_alloc(&s->arena, plen + nlen + 2);
        if (!path) return IDBPQ_NOMEM;
        if (plen) {
            memcpy(path, p->path, plen);
            path[plen] = '.';
            memcpy(path + plen + 1, n->name, nlen + 1);
        } else {
            memcpy(path, n->name, nlen + 1);
        }
        n->path = path;
        if (n->type != IDBPQ_GROUP) s->n_columns++;
    }
    s->columns = idbpq__arena_alloc(&s->arena, sizeof *s->columns * (size_t)(s->n_columns + 1));
    s->col_paths = idbpq__arena_alloc(&s->arena, sizeof *s->col_paths * (size_t)(s->n_columns + 1));
    s->col_path_len = idbpq__arena_alloc(&s->arena, sizeof *s->col_path_len * (size_t)(s->n_columns + 1));
    if (!s->columns || !s->col_paths || !s->col_path_len) return IDBPQ_NOMEM;
    int32_t c = 0;
    for (int32_t i = 1; i < s->n_nodes; i++) {
        idbpq_schema_node *n = &s->nodes[i];
        if (n->type == IDBPQ_GROUP) continue;
        n->column = c;
        s->columns[c] = i;
        const char **comp = idbpq__arena_alloc(&s->arena, sizeof *comp * (size_t)n->depth);
        if (!comp) return IDBPQ_NOMEM;
        for (int32_t j = i, d = n->depth; j > 0; j = s->nodes[j].parent) comp[--d] = s->nodes[j].name;
        s->col_paths[c] = comp;
        s->col_path_len[c] = n->depth;
        c++;
    }
    IDBPQ__TRY(set_shapes(s));
    s->finished = 1;
    return IDBPQ_OK;
}

idbpq_status idbpq_schema_finish(idbpq_schema *s)
{
    if (!s) return IDBPQ_INVALID_ARG;
    if (s->finished) return IDBPQ_OK;
    for (int32_t i = 0; i < s->n_nodes; i++)
        if (s->nodes[i].type == IDBPQ_GROUP && s->nodes[i].num_children == 0 && i > 0)
            return idbpq__fail(&s->err, IDBPQ_INVALID_ARG,
                               "schema: group %s has no fields", s->nodes[i].name);
    return finish(s, 1000);
}

/* ---- from and to the footer's SchemaElements ---------------------------------------------- */

idbpq_status idbpq__schema_from_elements(const struct idbpq__schema_element *el, int32_t n,
                                         uint32_t max_depth, const idbpq_allocator *alc,
                                         idbpq_schema **out, struct idbpq__err *err)
{
    *out = NULL;
    if (n < 1) return idbpq__fail(err, IDBPQ_CORRUPT, "schema: the footer has no schema");
    if (el[0].num_children < 0 || el[0].type >= 0)
        return idbpq__fail(err, IDBPQ_CORRUPT, "schema: the root element is not a group");
    idbpq_schema *s;
    IDBPQ__TRY(schema_alloc(&s, alc));
    idbpq_status st = IDBPQ_OK;
    /* A stack of (node, children still expected) walks the depth-first list. */
    int32_t *remaining = idbpq__malloc(alc, sizeof *remaining * (size_t)n);
    int32_t *nodes = idbpq__malloc(alc, sizeof *nodes * (size_t)n);
    int32_t depth = 0;
    if (!remaining || !nodes) {
        st = IDBPQ_NOMEM;
        goto out;
    }
    for (int32_t i = 0; i < n; i++) {
        const struct idbpq__schema_element *e = &el[i];
        while (depth > 0 && remaining[depth - 1] == 0) depth--;
        if (i > 0 && depth == 0) {
            st = idbpq__fail(err, IDBPQ_CORRUPT,
                             "schema: element %d (%s) is outside the root's %d children", i,
                             e->name ? e->name : "?", el[0].num_children);
            goto out;
        }
        if ((uint32_t)depth > max_depth) {
            st = idbpq__fail(err, IDBPQ_LIMIT, "schema: nesting deeper than the limit of %u",
                             max_depth);
            goto out;
        }
        int is_group = e->num_children > 0 || (e->type < 0 && i > 0) || i == 0;
        if (i > 0 && e->type < 0 && e->num_children <= 0) {
            /* A group without children cannot hold data; some writers emit them for empty
             * structs. It has no columns: keep it as an empty group. */
            is_group = 1;
        }
        if (!is_group && (e->type < IDBPQ_BOOLEAN || e->type > IDBPQ_FIXED_LEN_BYTE_ARRAY)) {
            st = idbpq__fail(err, IDBPQ_CORRUPT, "schema: element %d (%s) has bad type %d", i,
                             e->name ? e->name : "?", (int)e->type);
            goto out;
        }
        if (!is_group && e->type == IDBPQ_FIXED_LEN_BYTE_ARRAY && e->type_length <= 0) {
            st = idbpq__fail(err, IDBPQ_CORRUPT,
                             "schema: element %d (%s) is FIXED_LEN_BYTE_ARRAY without a length",
                             i, e->name ? e->name : "?");
            goto out;
        }
        int32_t rep = e->repetition;
        if (i == 0) rep = IDBPQ_REQUIRED;
        else if (rep < 0) rep = IDBPQ_OPTIONAL; /* absent: be lenient, as arrow is */
        else if (rep > IDBPQ_REPEATED) {
            st = idbpq__fail(err, IDBPQ_CORRUPT, "schema: element %d (%s) has bad repetition %d",
                             i, e->name ? e->name : "?", (int)rep);
            goto out;
        }
        int32_t id;
        const char *nm = e->name ? e->name : "";
        st = add_node(s, i == 0 ? -1 : nodes[depth - 1], nm, strlen(nm), (idbpq_repetition)rep,
                      is_group ? IDBPQ_GROUP : (idbpq_type)e->type,
                      e->type_length > 0 ? e->type_length : 0, &id);
        if (st != IDBPQ_OK) goto out;
        idbpq_schema_node *nd = &s->nodes[id];
        nd->converted_type = e->converted_type;
        nd->scale = e->scale;
        nd->precision = e->precision;
        nd->field_id = e->field_id;
        if (e->has_logical && e->logical.kind != IDBPQ_LT_UNKNOWN_ID) {
            nd->logical = e->logical;
            if (e->logical.crs) {
                nd->logical.crs = idbpq__arena_strndup(&s->arena, e->logical.crs,
                                                       strlen(e->logical.crs));
                if (!nd->logical.crs) {
                    st = IDBPQ_NOMEM;
                    goto out;
                }
            }
        } else if (e->converted_type >= 0) {
            nd->logical = logical_from_converted(e->converted_type, e->scale, e->precision);
        } else if (e->has_logical) {
            nd->logical.kind = IDBPQ_LT_UNKNOWN_ID; /* read as unannotated */
        }
        if (i > 0) {
            remaining[depth - 1]--;
            s->nodes[nodes[depth - 1]].num_children++;
        }
        if (is_group && e->num_children > 0) {
            nodes[depth] = id;
            remaining[depth] = e->num_children;
            depth++;
        }
    }
    while (depth > 0 && remaining[depth - 1] == 0) depth--;
    if (depth > 0) {
        st = idbpq__fail(err, IDBPQ_CORRUPT,
                         "schema: the footer lists %d elements but the groups declare more "
                         "children", n);
        goto out;
    }
    st = finish(s, max_depth);
    if (st != IDBPQ_OK) {
        if (err && s->err.msg[0]) idbpq__fail(err, st, "%s", s->err.msg);
        else if (err && st == IDBPQ_NOMEM) idbpq__fail(err, st, "schema: out of memory");
    }
out:
    idbpq__free(alc, remaining, sizeof *remaining * (size_t)n);
    idbpq__free(alc, nodes, sizeof *nodes * (size_t)n);
    if (st != IDBPQ_OK) {
        if (st == IDBPQ_NOMEM && err && !err->msg[0]) idbpq__fail(err, st, "out of memory");
        idbpq_schema_free(s);
        return st;
    }
    *out = s;
    return IDBPQ_OK;
}

idbpq_status idbpq__schema_to_elements(const idbpq_schema *s, struct idbpq__arena *arena,
                                       struct idbpq__schema_element **out, int32_t *n_out)
{
    struct idbpq__schema_element *el = idbpq__arena_alloc(arena, sizeof *el * (size_t)s->n_nodes);
    if (!el) return IDBPQ_NOMEM;
    for (int32_t i = 0; i < s->n_nodes; i++) {
        const idbpq_schema_node *n = &s->nodes[i];
        struct idbpq__schema_element *e = &el[i];
        memset(e, 0, sizeof *e);
        e->name = n->name;
        e->type = n->type == IDBPQ_GROUP ? -1 : (int32_t)n->type;
        e->type_length = n->type == IDBPQ_FIXED_LEN_BYTE_ARRAY ? n->type_length : -1;
        e->repetition = i == 0 ? -1 : (int32_t)n->repetition;
        e->num_children = n->type == IDBPQ_GROUP ? n->num_children : -1;
        e->converted_type = n->converted_type;
        e->scale = n->scale;
        e->precision = n->precision;
        e->field_id = n->field_id;
        /* INTERVAL exists only as a ConvertedType; NONE writes no LogicalType. */
        e->has_logical = n->logical.kind != IDBPQ_LT_NONE && n->logical.kind != IDBPQ_LT_INTERVAL &&
                         n->logical.kind != IDBPQ_LT_UNKNOWN_ID;
        e->logical = n->logical;
    }
    *out = el;
    *n_out = s->n_nodes;
    return IDBPQ_OK;
}
