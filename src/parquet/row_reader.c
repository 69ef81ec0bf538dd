/*
 * row_reader.c — record assembly: turning the repetition and definition levels of a set of
 * leaf columns back into nested rows (Dremel, "Nested Encoding" in the Parquet README). The
 * schema's shapes (schema.c) reduce every legacy list and map form to STRUCT, LIST, MAP and
 * REPEATED, so assembly is one recursive descent driven by the levels of the first projected
 * leaf under each node. Every level read is bounds-checked: inconsistent levels are CORRUPT.
 */
#include "parquet/reader.h"

#include <stdio.h>

struct col_state {
    idbpq_column_cursor *cur;
    idbpq_column_batch b;
    size_t lpos, vpos;
    int ended;
};

struct idbpq_row_reader {
    idbpq_reader *r;
    const idbpq_schema *s;
    int32_t n_cols, n_nodes;
    uint8_t *projected;             /* per column */
    uint8_t *present;               /* per node: some projected leaf below */
    int32_t *lead;                  /* per node: first projected column below, or -1 */
    int32_t *col_lo, *col_hi;       /* per node: its leaves' column range [lo, hi) */
    struct col_state *cols;
    int32_t rg;                     /* current row group; -1 before the first */
    int have_rg;
    uint64_t rows_left_meta;        /* no projected column: rows counted from metadata */
    struct idbpq__arena arena;      /* the current row */
    idbpq_datum row;
    struct idbpq__err err;
};

const char *idbpq_row_reader_errmsg(const idbpq_row_reader *rr)
{
    return rr ? rr->err.msg : "no row reader";
}

int idbpq_row_reader_node_present(const idbpq_row_reader *rr, int32_t node)
{
    if (!rr || node < 0 || node >= rr->n_nodes) return 0;
    return rr->present[node];
}

static void close_cursors(idbpq_row_reader *rr)
{
    for (int32_t c = 0; c < rr->n_cols; c++) {
        idbpq_column_cursor_free(rr->cols[c].cur);
        memset(&rr->cols[c], 0, sizeof rr->cols[c]);
    }
    rr->have_rg = 0;
}

void idbpq_row_reader_free(idbpq_row_reader *rr)
{
    if (!rr) return;
    const idbpq_allocator *alc = rr->r->alc;
    if (rr->cols) close_cursors(rr);
    idbpq__free(alc, rr->cols, sizeof *rr->cols * (size_t)rr->n_cols);
    idbpq__free(alc, rr->projected, (size_t)rr->n_cols);
    idbpq__free(alc, rr->present, (size_t)rr->n_nodes);
    idbpq__free(alc, rr->lead, sizeof *rr->lead * (size_t)rr->n_nodes);
    idbpq__free(alc, rr->col_lo, sizeof *rr->col_lo * (size_t)rr->n_nodes);
    idbpq__free(alc, rr->col_hi, sizeof *rr->col_hi * (size_t)rr->n_nodes);
    idbpq__arena_free(&rr->arena);
    idbpq__free(alc, rr, sizeof *rr);
}

idbpq_status idbpq_row_reader_open(idbpq_reader *r, const int32_t *columns, int32_t n_columns,
                                   idbpq_row_reader **out)
{
    if (!r || !out || n_columns < 0 || (n_columns > 0 && !columns)) return IDBPQ_INVALID_ARG;
    *out = NULL;
    const idbpq_allocator *alc = r->alc;
    idbpq_row_reader *rr = idbpq__calloc(alc, sizeof *rr);
    if (!rr) return IDBPQ_NOMEM;
    rr->r = r;
    rr->s = r->schema;
    rr->n_cols = idbpq_schema_num_columns(rr->s);
    rr->n_nodes = idbpq_schema_num_nodes(rr->s);
    rr->rg = -1;
    idbpq__arena_init(&rr->arena, alc);
    rr->projected = idbpq__calloc(alc, (size_t)rr->n_cols + 1);
    rr->present = idbpq__calloc(alc, (size_t)rr->n_nodes);
    rr->lead = idbpq__malloc(alc, sizeof *rr->lead * (size_t)rr->n_nodes);
    rr->col_lo = idbpq__malloc(alc, sizeof *rr->col_lo * (size_t)rr->n_nodes);
    rr->col_hi = idbpq__malloc(alc, sizeof *rr->col_hi * (size_t)rr->n_nodes);
    rr->cols = idbpq__calloc(alc, sizeof *rr->cols * (size_t)(rr->n_cols + 1));
    if (!rr->projected || !rr->present || !rr->lead || !rr->col_lo || !rr->col_hi || !rr->cols) {
        idbpq_row_reader_free(rr);
        return IDBPQ_NOMEM;
    }
    for (int32_t i = 0; i < n_columns; i++) {
        if (columns[i] < 0 || columns[i] >= rr->n_cols) {
            idbpq__fail(&r->err, IDBPQ_INVALID_ARG, "no column %d", columns[i]);
            idbpq_row_reader_free(rr);
            return IDBPQ_INVALID_ARG;
        }
        rr->projected[columns[i]] = 1;
    }
    if (n_columns == 0) memset(rr->projected, 1, (size_t)rr->n_cols);
    /* Leaves under a node are a contiguous column range (depth-first order); walk nodes
     * backwards so that children are done before parents. */
    for (int32_t i = rr->n_nodes - 1; i >= 0; i--) {
        const idbpq_schema_node *n = idbpq_schema_node_at(rr->s, i);
        if (n->type != IDBPQ_GROUP) {
            rr->col_lo[i] = n->column;
            rr->col_hi[i] = n->column + 1;
        } else if (n->num_children > 0) {
            rr->col_lo[i] = rr->col_lo[n->children[0]];
            rr->col_hi[i] = rr->col_hi[n->children[n->num_children - 1]];
        } else {
            rr->col_lo[i] = rr->col_hi[i] = 0;
        }
        rr->lead[i] = -1;
        for (int32_t c = rr->col_lo[i]; c < rr->col_hi[i]; c++)
            if (rr->projected[c]) {
                rr->lead[i] = c;
                break;
            }
        rr->present[i] = rr->lead[i] >= 0;
    }
    *out = rr;
    return IDBPQ_OK;
}

/* ---- level access ----------------------------------------------------------------------- */

static idbpq_status corrupt_levels(idbpq_row_reader *rr, int32_t col, const char *why)
{
    const idbpq_schema_node *leaf = idbpq_schema_column(rr->s, col);
    return idbpq__fail(&rr->err, IDBPQ_CORRUPT,
                       "inconsistent levels in column %s of row group %d: %s", leaf->path, rr->rg, why);
}

/* Makes sure column c has a level to look at (refilling only between rows). 1 if it does. */
static idbpq_status refill(idbpq_row_reader *rr, int32_t c, int *has)
{
    struct col_state *cs = &rr->cols[c];
    if (cs->lpos < cs->b.n_levels) {
        *has = 1;
        return IDBPQ_OK;
    }
    *has = 0;
    if (cs->ended) return IDBPQ_OK;
    idbpq_status st = idbpq_column_cursor_read(cs->cur, 4096, &cs->b);
    if (st == IDBPQ_END) {
        cs->ended = 1;
        cs->b.n_levels = 0;
        return IDBPQ_OK;
    }
    if (st != IDBPQ_OK) {
        idbpq__fail(&rr->err, st, "%s", idbpq_column_cursor_errmsg(cs->cur));
        return st;
    }
    cs->lpos = cs->vpos = 0;
    *has = cs->b.n_levels > 0;
    return IDBPQ_OK;
}

static inline int has_level(const struct col_state *cs) { return cs->lpos < cs->b.n_levels; }

static inline uint16_t cur_def(const struct col_state *cs, const idbpq_schema_node *leaf)
{
    return cs->b.def ? cs->b.def[cs->lpos] : (uint16_t)leaf->max_def;
}

static inline uint16_t cur_rep(const struct col_state *cs)
{
    return cs->b.rep ? cs->b.rep[cs->lpos] : 0;
}

/* Definition level of the node's lead column at its current position. */
static idbpq_status lead_def(idbpq_row_reader *rr, int32_t node, uint16_t *d)
{
    int32_t c = rr->lead[node];
    struct col_state *cs = &rr->cols[c];
    if (!has_level(cs)) return corrupt_levels(rr, c, "levels end inside a row");
    *d = cur_def(cs, idbpq_schema_column(rr->s, c));
    return IDBPQ_OK;
}

/* A null or empty node: one level per projected leaf below it, each below the node's def. */
static idbpq_status consume_null(idbpq_row_reader *rr, const idbpq_schema_node *n, int32_t node)
{
    for (int32_t c = rr->col_lo[node]; c < rr->col_hi[node]; c++) {
        if (!rr->projected[c]) continue;
        struct col_state *cs = &rr->cols[c];
        if (!has_level(cs)) return corrupt_levels(rr, c, "levels end inside a row");
        if (cur_def(cs, idbpq_schema_column(rr->s, c)) >= n->max_def)
            return corrupt_levels(rr, c, "a value where its parent is null");
        cs->lpos++;
    }
    return IDBPQ_OK;
}

/* ---- assembly --------------------------------------------------------------------------- */

static idbpq_status read_field(idbpq_row_reader *rr, int32_t node, idbpq_datum *out, int depth);
static idbpq_status read_present(idbpq_row_reader *rr, int32_t node, idbpq_datum *out, int depth);

static idbpq_status read_leaf(idbpq_row_reader *rr, const idbpq_schema_node *n, idbpq_datum *out)
{
    struct col_state *cs = &rr->cols[n->column];
    if (!has_level(cs)) return corrupt_levels(rr, n->column, "levels end inside a row");
    if (cur_def(cs, n) != n->max_def)
        return corrupt_levels(rr, n->column, "a missing value where one is required");
    cs->lpos++;
    size_t i = cs->vpos++;
    if (i >= cs->b.n_values) return corrupt_levels(rr, n->column, "more levels than values");
    const uint8_t *v = cs->b.values;
    switch (n->type) {
    case IDBPQ_BOOLEAN:
        out->kind = IDBPQ_DATUM_BOOLEAN;
        out->u.boolean = v[i];
        break;
    case IDBPQ_INT32:
        out->kind = IDBPQ_DATUM_INT32;
        memcpy(&out->u.i32, v + i * 4, 4);
        break;
    case IDBPQ_INT64:
        out->kind = IDBPQ_DATUM_INT64;
        memcpy(&out->u.i64, v + i * 8, 8);
        break;
    case IDBPQ_INT96:
        out->kind = IDBPQ_DATUM_INT96;
        memcpy(out->u.i96, v + i * 12, 12);
        break;
    case IDBPQ_FLOAT:
        out->kind = IDBPQ_DATUM_FLOAT;
        memcpy(&out->u.f32, v + i * 4, 4);
        break;
    case IDBPQ_DOUBLE:
        out->kind = IDBPQ_DATUM_DOUBLE;
        memcpy(&out->u.f64, v + i * 8, 8);
        break;
    case IDBPQ_BYTE_ARRAY: {
        idbpq_bytes b;
        memcpy(&b, v + i * sizeof b, sizeof b);
        out->kind = IDBPQ_DATUM_BYTES;
        out->len = b.len;
        out->u.bytes = b.ptr;
        break;
    }
    case IDBPQ_FIXED_LEN_BYTE_ARRAY:
        out->kind = IDBPQ_DATUM_BYTES;
        out->len = (uint32_t)n->type_length;
        out->u.bytes = v + i * (size_t)n->type_length;
        break;
    case IDBPQ_GROUP:
        return corrupt_levels(rr, n->column, "a group as a leaf");
    }
    return IDBPQ_OK;
}

/* Grows an item array in the row arena (doubling; the old copy stays in the arena). */
static idbpq_datum *grow_items(idbpq_row_reader *rr, idbpq_datum *items, uint32_t need,
                               uint32_t *cap)
{
    if (need <= *cap) return items;
    uint32_t n = *cap; /* every filled entry lies within the old capacity */
    uint32_t ncap = *cap ? *cap * 2 : 4;
    while (ncap < need) ncap *= 2;
    if (ncap > (1u << 30)) return NULL;
    idbpq_datum *ni = idbpq__arena_alloc(&rr->arena, sizeof *ni * ncap);
    if (!ni) return NULL;
    if (n) memcpy(ni, items, sizeof *ni * n);
    *cap = ncap;
    return ni;
}

static idbpq_status check_row_size(idbpq_row_reader *rr)
{
    if (rr->arena.total > rr->r->opts.limits.max_row_bytes)
        return idbpq__fail(&rr->err, IDBPQ_LIMIT,
                           "a row of row group %d needs more than the limit of %llu bytes", rr->rg,
                           (unsigned long long)rr->r->opts.limits.max_row_bytes);
    return IDBPQ_OK;
}

/* The entries of repeated node `rep_node` (a LIST's repeated group, a map's key/value group,
 * or an unannotated repeated field). Each entry is read by `entry`. */
static idbpq_status read_entries(idbpq_row_reader *rr, int32_t rep_node, int32_t elem,
                                 int32_t map_key, int32_t map_value, idbpq_datum *out, int depth)
{
    const idbpq_schema_node *rn = idbpq_schema_node_at(rr->s, rep_node);
    uint16_t d;
    IDBPQ__TRY(lead_def(rr, rep_node, &d));
    out->kind = map_key >= 0 ? IDBPQ_DATUM_MAP : IDBPQ_DATUM_LIST;
    out->len = 0;
    out->u.items = NULL;
    if (d < rn->max_def) return consume_null(rr, rn, rep_node); /* empty */
    struct col_state *lead = &rr->cols[rr->lead[rep_node]];
    idbpq_datum *items = NULL;
    uint32_t n = 0, cap = 0, per = map_key >= 0 ? 2 : 1;
    for (;;) {
        items = grow_items(rr, items, n + per, &cap);
        if (!items) return idbpq__fail(&rr->err, IDBPQ_NOMEM, "out of memory assembling a row");
        if (map_key >= 0) {
            IDBPQ__TRY(read_field(rr, map_key, &items[n], depth + 1));
            if (map_value >= 0) IDBPQ__TRY(read_field(rr, map_value, &items[n + 1], depth + 1));
            else memset(&items[n + 1], 0, sizeof items[n + 1]);
        } else if (elem == rep_node) {
            IDBPQ__TRY(read_present(rr, elem, &items[n], depth + 1));
        } else {
            IDBPQ__TRY(read_field(rr, elem, &items[n], depth + 1));
        }
        n += per;
        IDBPQ__TRY(check_row_size(rr));
        /* Another entry follows when the lead's next level repeats at this node's level. */
        if (!has_level(lead) || cur_rep(lead) != rn->max_rep) break;
    }
    out->len = map_key >= 0 ? n / 2 : n;
    out->u.items = items;
    return IDBPQ_OK;
}

/* Node `node` is known to be present (its own optional/repeated level is satisfied). */
static idbpq_status read_present(idbpq_row_reader *rr, int32_t node, idbpq_datum *out, int depth)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(rr->s, node);
    memset(out, 0, sizeof *out);
    if (n->type != IDBPQ_GROUP) return read_leaf(rr, n, out);
    switch (n->shape) {
    case IDBPQ_SHAPE_LIST:
        return read_entries(rr, n->children[0], n->element, -1, -1, out, depth);
    case IDBPQ_SHAPE_MAP: {
        int32_t kv = idbpq_schema_node_at(rr->s, n->element)->parent;
        if (kv == node) break; /* a repeated MAP_KEY_VALUE group read as one entry: struct */
        return read_entries(rr, kv, -1, n->element, n->map_value, out, depth);
    }
    case IDBPQ_SHAPE_PRIMITIVE:
    case IDBPQ_SHAPE_STRUCT:
    case IDBPQ_SHAPE_REPEATED:
        break;
    }
    idbpq_datum *items = NULL;
    if (n->num_children > 0) {
        items = idbpq__arena_alloc(&rr->arena, sizeof *items * (size_t)n->num_children);
        if (!items) return idbpq__fail(&rr->err, IDBPQ_NOMEM, "out of memory assembling a row");
    }
    for (int32_t i = 0; i < n->num_children; i++)
        IDBPQ__TRY(read_field(rr, n->children[i], &items[i], depth + 1));
    out->kind = IDBPQ_DATUM_GROUP;
    out->len = (uint32_t)n->num_children;
    out->u.items = items;
    return IDBPQ_OK;
}

/* A field of a present group: handles the field's own optional or repeated level. */
static idbpq_status read_field(idbpq_row_reader *rr, int32_t node, idbpq_datum *out, int depth)
{
    memset(out, 0, sizeof *out);
    if (!rr->present[node]) return IDBPQ_OK; /* not projected: a NULL placeholder */
    if (depth > 2 * (int)rr->r->opts.limits.max_nesting_depth + 8)
        return idbpq__fail(&rr->err, IDBPQ_LIMIT, "row nesting too deep");
    const idbpq_schema_node *n = idbpq_schema_node_at(rr->s, node);
    if (n->repetition == IDBPQ_REPEATED) {
        if (n->shape == IDBPQ_SHAPE_MAP)
            return read_entries(rr, node, -1, n->element, n->map_value, out, depth);
        return read_entries(rr, node, node, -1, -1, out, depth);
    }
    if (n->repetition == IDBPQ_OPTIONAL) {
        uint16_t d;
        IDBPQ__TRY(lead_def(rr, node, &d));
        if (d < n->max_def) return consume_null(rr, n, node);
    }
    return read_present(rr, node, out, depth);
}

/* ---- rows and row groups ----------------------------------------------------------------- */

static idbpq_status open_row_group(idbpq_row_reader *rr, int32_t g)
{
    close_cursors(rr);
    rr->rg = g;
    for (int32_t c = 0; c < rr->n_cols; c++) {
        if (!rr->projected[c]) continue;
        idbpq_status st = idbpq_column_cursor_open(rr->r, g, c, &rr->cols[c].cur);
        if (st != IDBPQ_OK) {
            idbpq__fail(&rr->err, st, "%s", rr->r->err.msg);
            return st;
        }
    }
    rr->have_rg = 1;
    rr->rows_left_meta = (uint64_t)rr->r->md.pub.row_groups[g].num_rows;
    return IDBPQ_OK;
}

idbpq_status idbpq_row_reader_next(idbpq_row_reader *rr, const idbpq_datum **row)
{
    if (!rr || !row) return IDBPQ_INVALID_ARG;
    *row = NULL;
    if (rr->err.status != IDBPQ_OK && rr->err.status != IDBPQ_END) return rr->err.status;
    idbpq__arena_reset(&rr->arena);
    const idbpq_file_meta *m = &rr->r->md.pub;
    int32_t lead = rr->lead[0];
    for (;;) {
        if (!rr->have_rg) {
            if (rr->rg + 1 >= m->num_row_groups) return IDBPQ_END;
            IDBPQ__TRY(open_row_group(rr, rr->rg + 1));
        }
        if (lead < 0) {
            /* Nothing projected: rows come from the row group's count. */
            if (rr->rows_left_meta > 0) {
                rr->rows_left_meta--;
                break;
            }
            rr->have_rg = 0;
            continue;
        }
        int any = 0, all = 1;
        for (int32_t c = 0; c < rr->n_cols; c++) {
            if (!rr->projected[c]) continue;
            int has;
            IDBPQ__TRY(refill(rr, c, &has));
            any |= has;
            all &= has;
        }
        if (all) break;
        if (any) {
            for (int32_t c = 0; c < rr->n_cols; c++)
                if (rr->projected[c] && !has_level(&rr->cols[c]))
                    return corrupt_levels(rr, c, "the column has fewer rows than the others");
        }
        rr->have_rg = 0; /* every column ended: next row group */
    }
    const idbpq_schema_node *root = idbpq_schema_node_at(rr->s, 0);
    if (lead >= 0) {
        for (int32_t c = 0; c < rr->n_cols; c++)
            if (rr->projected[c] && cur_rep(&rr->cols[c]) != 0)
                return corrupt_levels(rr, c, "a row does not start with repetition level 0");
    }
    idbpq_datum *items = NULL;
    if (root->num_children > 0) {
        items = idbpq__arena_alloc(&rr->arena, sizeof *items * (size_t)root->num_children);
        if (!items) return idbpq__fail(&rr->err, IDBPQ_NOMEM, "out of memory assembling a row");
    }
    for (int32_t i = 0; i < root->num_children; i++)
        IDBPQ__TRY(read_field(rr, root->children[i], &items[i], 1));
    rr->row.kind = IDBPQ_DATUM_GROUP;
    rr->row.len = (uint32_t)root->num_children;
    rr->row.u.items = items;
    /* After a row, every column must be at the start of the next row (or its end). */
    for (int32_t c = 0; c < rr->n_cols; c++) {
        if (!rr->projected[c]) continue;
        const struct col_state *cs = &rr->cols[c];
        if (has_level(cs) && cur_rep(cs) != 0)
            return corrupt_levels(rr, c, "levels left over after a row");
    }
    *row = &rr->row;
    return IDBPQ_OK;
}

idbpq_status idbpq_row_reader_skip(idbpq_row_reader *rr, uint64_t n)
{
    if (!rr) return IDBPQ_INVALID_ARG;
    const idbpq_datum *row;
    for (uint64_t i = 0; i < n; i++) {
        idbpq_status st = idbpq_row_reader_next(rr, &row);
        if (st != IDBPQ_OK) return st;
    }
    return IDBPQ_OK;
}
