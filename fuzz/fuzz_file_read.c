/*
 * fuzz_file_read.c — the whole public reader on hostile input: the input is an in-memory
 * Parquet file (idbpq_source_memory). It is opened, its metadata and schema are walked, every
 * column chunk of every row group is read with idbpq_column_cursor_read (and again in step
 * with idbpq_column_cursor_read_rows), then every row is assembled with idbpq_row_reader, and
 * a projected row reader skips and reads a few rows.
 *
 * Batches are checked against the contract of idbpq_column_batch in idbpq.h (levels within
 * the column's maxima, n_values = levels at max_def, n_rows = levels with rep 0, booleans 0/1)
 * and every value and datum is read through, so AddressSanitizer checks what they point to.
 * Work is bounded (level and datum budgets, tight reader limits) so no input can time out.
 */
#include "idbpq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define LEVEL_BUDGET 100000u   /* level entries read through cursors, per input */
#define DATUM_BUDGET 200000u   /* datum nodes walked through row readers, per input */
#define MAX_ROWS 10000u

static volatile uint64_t g_sum;

static void touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t s = 0;
    if (n) CHECK(b != NULL);
    for (size_t i = 0; i < n; i++) s += b[i];
    g_sum += s;
}

static void touch_str(const char *s)
{
    if (s) touch(s, strlen(s) + 1);
}

static void touch_msg(const char *m)
{
    CHECK(m != NULL);
    touch_str(m);
}

static void walk_meta(const idbpq_file_meta *m)
{
    touch_str(m->created_by);
    for (int32_t i = 0; i < m->num_kv; i++) {
        touch(m->kv[i].key.ptr, m->kv[i].key.len);
        if (m->kv[i].has_value) touch(m->kv[i].value.ptr, m->kv[i].value.len);
    }
    touch(m->column_orders, (size_t)m->num_column_orders * sizeof(int32_t));
    for (int32_t g = 0; g < m->num_row_groups; g++) {
        const idbpq_row_group_meta *rg = &m->row_groups[g];
        touch(rg->sorting_columns, (size_t)rg->num_sorting_columns * sizeof *rg->sorting_columns);
        for (int32_t c = 0; c < rg->num_columns; c++) {
            const idbpq_column_chunk_meta *cc = &rg->columns[c];
            touch_str(cc->path);
            touch_str(cc->file_path);
            touch(cc->encodings, (size_t)cc->num_encodings * sizeof *cc->encodings);
            if (cc->has_statistics) {
                if (cc->statistics.has_min) touch(cc->statistics.min.ptr, cc->statistics.min.len);
                if (cc->statistics.has_max) touch(cc->statistics.max.ptr, cc->statistics.max.len);
            }
        }
    }
}

static void walk_schema(const idbpq_schema *s)
{
    int32_t nn = idbpq_schema_num_nodes(s), nc = idbpq_schema_num_columns(s);
    CHECK(nn >= 1 && nc >= 0 && nc < nn);
    for (int32_t i = 0; i < nn; i++) {
        const idbpq_schema_node *n = idbpq_schema_node_at(s, i);
        CHECK(n != NULL);
        touch_str(n->name);
        touch_str(n->path);
        CHECK(n->num_children >= 0);
        for (int32_t k = 0; k < n->num_children; k++)
            CHECK(n->children[k] > i && n->children[k] < nn);
        if (n->type != IDBPQ_GROUP) {
            CHECK(n->column >= 0 && n->column < nc);
            CHECK(idbpq_schema_column(s, n->column) == n);
        }
        CHECK(n->max_def >= 0 && n->max_rep >= 0 && n->max_rep <= n->max_def);
    }
    CHECK(idbpq_schema_node_at(s, nn) == NULL && idbpq_schema_column(s, nc) == NULL);
}

static size_t value_width(idbpq_type t, int32_t type_length)
{
    switch (t) {
    case IDBPQ_BOOLEAN: return 1;
    case IDBPQ_INT32: case IDBPQ_FLOAT: return 4;
    case IDBPQ_INT64: case IDBPQ_DOUBLE: return 8;
    case IDBPQ_INT96: return 12;
    case IDBPQ_FIXED_LEN_BYTE_ARRAY: return (size_t)type_length;
    case IDBPQ_BYTE_ARRAY: return sizeof(idbpq_bytes);
    case IDBPQ_GROUP: break;
    }
    return 0;
}

/* Checks a batch against the idbpq_column_batch contract; returns its level count. */
static size_t check_batch(const idbpq_schema_node *leaf, const idbpq_column_batch *b,
                          size_t max_rows)
{
    CHECK(b->n_levels > 0 && b->n_values <= b->n_levels);
    CHECK(b->n_rows >= 1 && b->n_rows <= max_rows && b->n_rows <= b->n_levels);
    CHECK(b->type == leaf->type);
    if (b->type == IDBPQ_FIXED_LEN_BYTE_ARRAY) CHECK(b->type_length == leaf->type_length);
    size_t at_max = b->n_levels, starts = b->n_levels;
    if (leaf->max_def > 0) {
        CHECK(b->def != NULL);
        at_max = 0;
        for (size_t i = 0; i < b->n_levels; i++) {
            CHECK(b->def[i] <= (uint16_t)leaf->max_def);
            at_max += b->def[i] == (uint16_t)leaf->max_def;
        }
    }
    if (leaf->max_rep > 0) {
        CHECK(b->rep != NULL && b->rep[0] == 0);
        starts = 0;
        for (size_t i = 0; i < b->n_levels; i++) {
            CHECK(b->rep[i] <= (uint16_t)leaf->max_rep);
            starts += b->rep[i] == 0;
        }
    }
    CHECK(at_max == b->n_values);
    CHECK(starts == b->n_rows);
    if (b->n_values) {
        size_t w = value_width(b->type, b->type_length);
        touch(b->values, b->n_values * w);
        if (b->type == IDBPQ_BYTE_ARRAY) {
            const idbpq_bytes *v = b->values;
            for (size_t i = 0; i < b->n_values; i++) touch(v[i].ptr, v[i].len);
        } else if (b->type == IDBPQ_BOOLEAN) {
#ifndef FUZZ_SKIP_RLE_WIDTH /* see fuzz_page_decoders.c */
            const uint8_t *v = b->values;
            for (size_t i = 0; i < b->n_values; i++) CHECK(v[i] <= 1);
#endif
        }
    }
    return b->n_levels;
}

/* Reads every column chunk with cursors; `in_step` uses read_rows with a small row count. */
static void read_columns(idbpq_reader *r, int in_step, size_t *budget)
{
    const idbpq_file_meta *m = idbpq_reader_meta(r);
    const idbpq_schema *s = idbpq_reader_schema(r);
    int32_t nc = idbpq_schema_num_columns(s);
    for (int32_t g = 0; g < m->num_row_groups && *budget > 0; g++) {
        for (int32_t c = 0; c < nc && *budget > 0; c++) {
            const idbpq_schema_node *leaf = idbpq_schema_column(s, c);
            idbpq_column_cursor *cur = NULL;
            idbpq_status st = idbpq_column_cursor_open(r, g, c, &cur);
            if (st != IDBPQ_OK) {
                CHECK(cur == NULL);
                touch_msg(idbpq_reader_errmsg(r));
                continue;
            }
            size_t max_rows = in_step ? 7 : 1000;
            int short_batch = 0;
            for (;;) {
                idbpq_column_batch b;
                memset(&b, 0, sizeof b);
                st = in_step ? idbpq_column_cursor_read_rows(cur, max_rows, &b)
                             : idbpq_column_cursor_read(cur, max_rows, &b);
                if (st == IDBPQ_END) {
                    CHECK(b.n_levels == 0);
                    /* Exhausted stays exhausted. */
                    CHECK(idbpq_column_cursor_read(cur, 1, &b) == IDBPQ_END);
                    break;
                }
                if (st != IDBPQ_OK) {
                    touch_msg(idbpq_column_cursor_errmsg(cur));
                    break;
                }
                size_t n = check_batch(leaf, &b, max_rows);
                /* read_rows returns fewer rows than asked only at the end of the chunk. */
                CHECK(!short_batch);
                if (in_step && b.n_rows < max_rows) short_batch = 1;
                if (n >= *budget) {
                    *budget = 0;
                    break;
                }
                *budget -= n;
            }
            idbpq_column_cursor_free(cur);
        }
    }
}

static void walk_datum(const idbpq_datum *d, size_t *budget, int depth)
{
    CHECK(depth < 1000);
    if (*budget == 0) return;
    (*budget)--;
    switch ((idbpq_datum_kind)d->kind) {
    case IDBPQ_DATUM_NULL: case IDBPQ_DATUM_INT32: case IDBPQ_DATUM_INT64:
    case IDBPQ_DATUM_INT96: case IDBPQ_DATUM_FLOAT: case IDBPQ_DATUM_DOUBLE:
        break;
    case IDBPQ_DATUM_BOOLEAN:
#ifndef FUZZ_SKIP_RLE_WIDTH
        CHECK(d->u.boolean == 0 || d->u.boolean == 1);
#endif
        break;
    case IDBPQ_DATUM_BYTES:
        touch(d->u.bytes, d->len);
        break;
    case IDBPQ_DATUM_GROUP:
    case IDBPQ_DATUM_LIST:
    case IDBPQ_DATUM_MAP: {
        size_t n = (size_t)d->len * (d->kind == IDBPQ_DATUM_MAP ? 2 : 1);
        if (n) CHECK(d->u.items != NULL);
        for (size_t i = 0; i < n && *budget > 0; i++) walk_datum(&d->u.items[i], budget, depth + 1);
        break;
    }
    default:
        CHECK(!"unknown datum kind");
    }
}

static void read_rows(idbpq_reader *r, const int32_t *cols, int32_t ncols, uint64_t skip,
                      size_t *budget)
{
    idbpq_row_reader *rr = NULL;
    idbpq_status st = idbpq_row_reader_open(r, cols, ncols, &rr);
    if (st != IDBPQ_OK) {
        CHECK(rr == NULL);
        touch_msg(idbpq_reader_errmsg(r));
        return;
    }
    if (skip && idbpq_row_reader_skip(rr, skip) != IDBPQ_OK) {
        touch_msg(idbpq_row_reader_errmsg(rr));
        idbpq_row_reader_free(rr);
        return;
    }
    const idbpq_schema *s = idbpq_reader_schema(r);
    int32_t nn = idbpq_schema_num_nodes(s);
    for (int32_t i = 0; i < nn; i++) idbpq_row_reader_node_present(rr, i);
    for (unsigned k = 0; k < MAX_ROWS && *budget > 0; k++) {
        const idbpq_datum *row = NULL;
        st = idbpq_row_reader_next(rr, &row);
        if (st == IDBPQ_END) break;
        if (st != IDBPQ_OK) {
            touch_msg(idbpq_row_reader_errmsg(rr));
            break;
        }
        CHECK(row != NULL && row->kind == IDBPQ_DATUM_GROUP);
        walk_datum(row, budget, 0);
    }
    idbpq_row_reader_free(rr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    idbpq_source src;
    idbpq_source_memory(&src, data, size, "fuzz");
    idbpq_reader_opts opts;
    idbpq_reader_opts_init(&opts);
    opts.limits.max_footer_bytes = 1u << 20;
    opts.limits.max_page_bytes = 4u << 20;
    opts.limits.max_dictionary_bytes = 4u << 20;
    opts.limits.max_nesting_depth = 64;
    opts.limits.max_decompression_ratio = 1000;
    opts.limits.max_row_bytes = 4u << 20;
    opts.limits.max_page_values = 1u << 20;
    char err[256];
    idbpq_reader *r = NULL;
    idbpq_status st = idbpq_reader_open(&r, &src, &opts, NULL, err, sizeof err);
    if (st != IDBPQ_OK) {
        CHECK(r == NULL);
        CHECK(memchr(err, 0, sizeof err) != NULL);
        return 0;
    }
    walk_meta(idbpq_reader_meta(r));
    walk_schema(idbpq_reader_schema(r));

    size_t levels = LEVEL_BUDGET;
    read_columns(r, 0, &levels);
    levels = LEVEL_BUDGET / 4;
    read_columns(r, 1, &levels);

    size_t datums = DATUM_BUDGET;
    read_rows(r, NULL, 0, 0, &datums);
    /* A projection of the last column, after skipping a row. */
    int32_t nc = idbpq_schema_num_columns(idbpq_reader_schema(r));
    if (nc > 0) {
        int32_t last = nc - 1;
        datums = DATUM_BUDGET / 4;
        read_rows(r, &last, 1, 1, &datums);
    }
    idbpq_reader_free(r);
    return 0;
}
