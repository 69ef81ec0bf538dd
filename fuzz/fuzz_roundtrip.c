/*
 * fuzz_roundtrip.c — writer and reader against each other. From the input bytes: a small
 * random schema (leaves of every physical type, structs, 3-level LISTs, MAPs, unannotated
 * repeated fields, nested up to depth 3), writer options (codec, page version, page and row
 * group sizes, dictionary, statistics, page index, CRCs, per-column encodings), and up to 40
 * rows in the generic representation. The rows are written with idbpq_writer_write_row to
 * memory, read back with idbpq_row_reader, and must come back equal (floats bit for bit).
 * The same file is then copied column by column (cursors → idbpq_writer_write_columns), and
 * the copy must read back equal too.
 */
#include "common/common.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

#define MAX_COLS 12
#define MAX_LEAVES 64 /* MAX_COLS is where nodes stop branching; a few more leaves follow */
#define MAX_DEPTH 3
#define MAX_ROWS 40

#define CHECK_ST(st, what, msg) check_st((st), (what), (msg), __LINE__)

static void check_st(idbpq_status st, const char *what, const char *msg, int line)
{
    if (st == IDBPQ_OK) return;
    fprintf(stderr, "%s:%d: %s failed: %s: %s\n", __FILE__, line, what, idbpq_status_name(st),
            msg ? msg : "");
    abort();
}

/* ---- data producer ------------------------------------------------------------------------- */

struct fdp {
    const uint8_t *p;
    size_t n;
};

static unsigned u8(struct fdp *f)
{
    if (!f->n) return 0;
    f->n--;
    return *f->p++;
}

static void bytes(struct fdp *f, void *out, size_t n)
{
    uint8_t *o = out;
    for (size_t i = 0; i < n; i++) o[i] = (uint8_t)u8(f);
}

/* ---- schema ---------------------------------------------------------------------------------- */

struct gen {
    idbpq_schema *s;
    struct fdp *f;
    int ncols;
};

static int32_t add(struct gen *g, int32_t parent, const char *name, idbpq_repetition rep,
                   idbpq_type type, int32_t tl, const idbpq_logical *lt)
{
    int32_t id = -1;
    idbpq_status st = idbpq_schema_add(g->s, parent, name, rep, type, tl, lt, &id);
    CHECK_ST(st, "idbpq_schema_add", idbpq_schema_errmsg(g->s));
    if (type != IDBPQ_GROUP) g->ncols++;
    return id;
}

static void gen_leaf(struct gen *g, int32_t parent, const char *name, idbpq_repetition rep)
{
    idbpq_type type = (idbpq_type)(u8(g->f) % 8);
    int32_t tl = type == IDBPQ_FIXED_LEN_BYTE_ARRAY ? (int32_t)(1 + u8(g->f) % 8) : 0;
    idbpq_logical lt;
    memset(&lt, 0, sizeof lt);
    unsigned a = u8(g->f) % 4;
    const idbpq_logical *plt = NULL;
    if (type == IDBPQ_BYTE_ARRAY && a == 1) {
        lt.kind = IDBPQ_LT_STRING;
        plt = &lt;
    } else if ((type == IDBPQ_INT32 || type == IDBPQ_INT64) && a == 1) {
        /* Unsigned integers: statistics and page index use unsigned order. */
        lt.kind = IDBPQ_LT_INTEGER;
        lt.bit_width = type == IDBPQ_INT32 ? 32 : 64;
        lt.is_signed = 0;
        plt = &lt;
    } else if (type == IDBPQ_FIXED_LEN_BYTE_ARRAY && a == 1) {
        lt.kind = IDBPQ_LT_FLOAT16;
        tl = 2;
        plt = &lt;
    }
    add(g, parent, name, rep, type, tl, plt);
}

static void gen_node(struct gen *g, int32_t parent, const char *name, idbpq_repetition rep,
                     int depth);

static void gen_children(struct gen *g, int32_t parent, int depth, unsigned n)
{
    char name[16];
    for (unsigned i = 0; i < n; i++) {
        snprintf(name, sizeof name, "f%u", i);
        idbpq_repetition rep = (idbpq_repetition)(u8(g->f) % 3);
        gen_node(g, parent, name, rep, depth + 1);
    }
}

static void gen_node(struct gen *g, int32_t parent, const char *name, idbpq_repetition rep,
                     int depth)
{
    unsigned kind = u8(g->f) % 6;
    if (depth >= MAX_DEPTH || g->ncols >= MAX_COLS - 2) kind = 0;
    idbpq_logical lt;
    memset(&lt, 0, sizeof lt);
    switch (kind) {
    case 3: { /* struct */
        int32_t id = add(g, parent, name, rep, IDBPQ_GROUP, 0, NULL);
        gen_children(g, id, depth, 1 + u8(g->f) % 3);
        break;
    }
    case 4: { /* LIST: <opt|req> group (LIST) { repeated group list { <opt|req> element } } */
        lt.kind = IDBPQ_LT_LIST;
        int32_t id = add(g, parent, name, rep == IDBPQ_REPEATED ? IDBPQ_OPTIONAL : rep,
                         IDBPQ_GROUP, 0, &lt);
        int32_t l = add(g, id, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL);
        gen_node(g, l, "element", (idbpq_repetition)(u8(g->f) % 2), depth + 2);
        break;
    }
    case 5: { /* MAP: group (MAP) { repeated group key_value { required key; value } } */
        lt.kind = IDBPQ_LT_MAP;
        int32_t id = add(g, parent, name, rep == IDBPQ_REPEATED ? IDBPQ_OPTIONAL : rep,
                         IDBPQ_GROUP, 0, &lt);
        int32_t kv = add(g, id, "key_value", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL);
        gen_leaf(g, kv, "key", IDBPQ_REQUIRED);
        gen_node(g, kv, "value", (idbpq_repetition)(u8(g->f) % 2), depth + 2);
        break;
    }
    default:
        gen_leaf(g, parent, name, rep);
        break;
    }
}

/* ---- rows ---------------------------------------------------------------------------------- */

struct rows {
    const idbpq_schema *s;
    struct fdp *f;
    struct idbpq__arena *a;
};

static idbpq_datum *items(struct rows *r, size_t n)
{
    if (n == 0) return NULL;
    idbpq_datum *d = idbpq__arena_alloc(r->a, n * sizeof *d);
    CHECK(d != NULL);
    memset(d, 0, n * sizeof *d);
    return d;
}

static void gen_field(struct rows *r, int32_t node, idbpq_datum *out);

static void gen_value(struct rows *r, const idbpq_schema_node *n, idbpq_datum *out)
{
    struct fdp *f = r->f;
    switch (n->type) {
    case IDBPQ_BOOLEAN:
        out->kind = IDBPQ_DATUM_BOOLEAN;
        out->u.boolean = (int32_t)(u8(f) & 1);
        break;
    case IDBPQ_INT32:
        out->kind = IDBPQ_DATUM_INT32;
        bytes(f, &out->u.i32, u8(f) & 1 ? 4 : 1); /* small values make dictionaries */
        break;
    case IDBPQ_INT64:
        out->kind = IDBPQ_DATUM_INT64;
        bytes(f, &out->u.i64, u8(f) & 1 ? 8 : 1);
        break;
    case IDBPQ_INT96:
        out->kind = IDBPQ_DATUM_INT96;
        bytes(f, out->u.i96, 12);
        break;
    case IDBPQ_FLOAT:
        out->kind = IDBPQ_DATUM_FLOAT;
        bytes(f, &out->u.f32, 4);
        break;
    case IDBPQ_DOUBLE:
        out->kind = IDBPQ_DATUM_DOUBLE;
        bytes(f, &out->u.f64, 8);
        break;
    case IDBPQ_BYTE_ARRAY:
    case IDBPQ_FIXED_LEN_BYTE_ARRAY: {
        size_t len = n->type == IDBPQ_BYTE_ARRAY ? u8(f) % 12 : (size_t)n->type_length;
        uint8_t *b = idbpq__arena_alloc(r->a, len ? len : 1);
        CHECK(b != NULL);
        bytes(f, b, len);
        out->kind = IDBPQ_DATUM_BYTES;
        out->len = (uint32_t)len;
        out->u.bytes = b;
        break;
    }
    case IDBPQ_GROUP:
        CHECK(!"a group as a leaf");
    }
}

/* The content of a present node. */
static void gen_present(struct rows *r, int32_t node, idbpq_datum *out)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(r->s, node);
    idbpq_shape shape = n->shape;
    if (shape == IDBPQ_SHAPE_REPEATED)
        shape = n->type == IDBPQ_GROUP ? IDBPQ_SHAPE_STRUCT : IDBPQ_SHAPE_PRIMITIVE;
    switch (shape) {
    case IDBPQ_SHAPE_PRIMITIVE:
        gen_value(r, n, out);
        break;
    case IDBPQ_SHAPE_STRUCT:
        out->kind = IDBPQ_DATUM_GROUP;
        out->len = (uint32_t)n->num_children;
        out->u.items = items(r, (size_t)n->num_children);
        for (int32_t i = 0; i < n->num_children; i++)
            gen_field(r, n->children[i], &out->u.items[i]);
        break;
    case IDBPQ_SHAPE_LIST: {
        unsigned k = u8(r->f) % 4;
        out->kind = IDBPQ_DATUM_LIST;
        out->len = k;
        out->u.items = items(r, k);
        int32_t rep = n->children[0];
        for (unsigned i = 0; i < k; i++) {
            if (n->element == rep) gen_present(r, rep, &out->u.items[i]);
            else gen_field(r, n->element, &out->u.items[i]);
        }
        break;
    }
    case IDBPQ_SHAPE_MAP: {
        unsigned k = u8(r->f) % 4;
        out->kind = IDBPQ_DATUM_MAP;
        out->len = k;
        out->u.items = items(r, 2 * (size_t)k);
        for (unsigned i = 0; i < k; i++) {
            gen_field(r, n->element, &out->u.items[2 * i]);
            if (n->map_value >= 0) gen_field(r, n->map_value, &out->u.items[2 * i + 1]);
        }
        break;
    }
    case IDBPQ_SHAPE_REPEATED:
        break;
    }
}

static void gen_field(struct rows *r, int32_t node, idbpq_datum *out)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(r->s, node);
    memset(out, 0, sizeof *out);
    if (n->repetition == IDBPQ_REPEATED && n->shape != IDBPQ_SHAPE_MAP &&
        n->shape != IDBPQ_SHAPE_LIST) {
        unsigned k = u8(r->f) % 4;
        out->kind = IDBPQ_DATUM_LIST;
        out->len = k;
        out->u.items = items(r, k);
        for (unsigned i = 0; i < k; i++) gen_present(r, node, &out->u.items[i]);
        return;
    }
    if (n->repetition == IDBPQ_OPTIONAL && u8(r->f) % 4 == 0) return; /* null */
    gen_present(r, node, out);
}

/* Equal as read back: kinds, lengths, and values bit for bit. */
static int datum_equal(const idbpq_datum *a, const idbpq_datum *b, const char **why)
{
    if (a->kind != b->kind) {
        *why = "kind";
        return 0;
    }
    switch ((idbpq_datum_kind)a->kind) {
    case IDBPQ_DATUM_NULL: return 1;
    case IDBPQ_DATUM_BOOLEAN: return (a->u.boolean != 0) == (b->u.boolean != 0) || (*why = "boolean", 0);
    case IDBPQ_DATUM_INT32: return a->u.i32 == b->u.i32 || (*why = "int32", 0);
    case IDBPQ_DATUM_INT64: return a->u.i64 == b->u.i64 || (*why = "int64", 0);
    case IDBPQ_DATUM_INT96: return memcmp(a->u.i96, b->u.i96, 12) == 0 || (*why = "int96", 0);
    case IDBPQ_DATUM_FLOAT: return memcmp(&a->u.f32, &b->u.f32, 4) == 0 || (*why = "float", 0);
    case IDBPQ_DATUM_DOUBLE: return memcmp(&a->u.f64, &b->u.f64, 8) == 0 || (*why = "double", 0);
    case IDBPQ_DATUM_BYTES:
        if (a->len != b->len) return (*why = "bytes length", 0);
        return a->len == 0 || memcmp(a->u.bytes, b->u.bytes, a->len) == 0 || (*why = "bytes", 0);
    case IDBPQ_DATUM_GROUP:
    case IDBPQ_DATUM_LIST:
    case IDBPQ_DATUM_MAP: {
        if (a->len != b->len) return (*why = "item count", 0);
        size_t n = (size_t)a->len * (a->kind == IDBPQ_DATUM_MAP ? 2 : 1);
        for (size_t i = 0; i < n; i++)
            if (!datum_equal(&a->u.items[i], &b->u.items[i], why)) return 0;
        return 1;
    }
    }
    *why = "unknown kind";
    return 0;
}

/* ---- memory sink ----------------------------------------------------------------------------- */

static idbpq_status mem_write(void *ctx, const void *buf, size_t len)
{
    return idbpq__buf_append(ctx, buf, len);
}

/* ---- writer options ----------------------------------------------------------------------------- */

static idbpq_encoding pick_encoding(idbpq_type t, unsigned sel)
{
    static const idbpq_encoding b[] = {IDBPQ_ENC_PLAIN, IDBPQ_ENC_RLE};
    static const idbpq_encoding i[] = {IDBPQ_ENC_PLAIN, IDBPQ_ENC_DELTA_BINARY_PACKED,
                                       IDBPQ_ENC_BYTE_STREAM_SPLIT};
    static const idbpq_encoding fl[] = {IDBPQ_ENC_PLAIN, IDBPQ_ENC_BYTE_STREAM_SPLIT};
    static const idbpq_encoding ba[] = {IDBPQ_ENC_PLAIN, IDBPQ_ENC_DELTA_LENGTH_BYTE_ARRAY,
                                        IDBPQ_ENC_DELTA_BYTE_ARRAY};
    static const idbpq_encoding fx[] = {IDBPQ_ENC_PLAIN, IDBPQ_ENC_DELTA_BYTE_ARRAY,
                                        IDBPQ_ENC_BYTE_STREAM_SPLIT};
    switch (t) {
    case IDBPQ_BOOLEAN: return b[sel % 2];
    case IDBPQ_INT32: case IDBPQ_INT64: return i[sel % 3];
    case IDBPQ_FLOAT: case IDBPQ_DOUBLE: return fl[sel % 2];
    case IDBPQ_BYTE_ARRAY: return ba[sel % 3];
    case IDBPQ_FIXED_LEN_BYTE_ARRAY: return fx[sel % 3];
    case IDBPQ_INT96: case IDBPQ_GROUP: break;
    }
    return IDBPQ_ENC_PLAIN;
}

static void gen_opts(struct fdp *f, const idbpq_schema *s, idbpq_writer_opts *o,
                     idbpq_column_opts *co)
{
    static const idbpq_codec codecs[] = {IDBPQ_CODEC_UNCOMPRESSED, IDBPQ_CODEC_SNAPPY,
                                         IDBPQ_CODEC_GZIP, IDBPQ_CODEC_ZSTD,
                                         IDBPQ_CODEC_LZ4_RAW, IDBPQ_CODEC_LZ4,
                                         IDBPQ_CODEC_BROTLI};
    idbpq_writer_opts_init(o);
    unsigned a = u8(f), b = u8(f), c = u8(f);
    o->codec = codecs[a % 7];
    if (!idbpq_codec_can_write(o->codec)) o->codec = IDBPQ_CODEC_UNCOMPRESSED;
    o->level = o->codec == IDBPQ_CODEC_BROTLI ? 1 : 0; /* brotli's default (11) is slow */
    o->page_version = (a >> 3) & 1 ? 2 : 1;
    o->dictionary = (a >> 4) & 1;
    o->statistics = (a >> 5) & 1;
    o->page_index = (a >> 6) & 1;
    o->page_crc = (a >> 7) & 1;
    o->page_rows = 1 + b % 16;
    o->page_bytes = 64 + (uint64_t)(b >> 4) * 256;
    o->max_row_group_rows = 1 + c % 32;
    o->dictionary_bytes = (c >> 5) & 1 ? 64 : 1u << 20;
    o->max_stat_bytes = 1 + (c >> 6) * 8;
    int32_t nc = idbpq_schema_num_columns(s), k = 0;
    for (int32_t i = 0; i < nc; i++) {
        unsigned sel = u8(f);
        if (sel % 3 != 0) continue;
        const idbpq_schema_node *leaf = idbpq_schema_column(s, i);
        memset(&co[k], 0, sizeof co[k]);
        co[k].path = leaf->path;
        co[k].encoding = pick_encoding(leaf->type, sel >> 2);
        co[k].dictionary = (int32_t)((sel >> 4) % 3) - 1;
        co[k].statistics = (int32_t)((sel >> 6) % 3) - 1;
        k++;
    }
    o->num_column_opts = k;
    o->column_opts = co;
}

/* ---- reading back ------------------------------------------------------------------------------ */

static void read_back(const struct idbpq__buf *file, const idbpq_datum *rows, size_t nrows,
                      const char *what)
{
    idbpq_source src;
    idbpq_source_memory(&src, file->p, file->len, what);
    char err[512] = "";
    idbpq_reader *r = NULL;
    idbpq_status st = idbpq_reader_open(&r, &src, NULL, NULL, err, sizeof err);
    CHECK_ST(st, "idbpq_reader_open", err);
    CHECK(idbpq_reader_meta(r)->num_rows == (int64_t)nrows);
    idbpq_row_reader *rr = NULL;
    st = idbpq_row_reader_open(r, NULL, 0, &rr);
    CHECK_ST(st, "idbpq_row_reader_open", idbpq_reader_errmsg(r));
    for (size_t i = 0; i < nrows; i++) {
        const idbpq_datum *row = NULL;
        st = idbpq_row_reader_next(rr, &row);
        CHECK_ST(st, "idbpq_row_reader_next", idbpq_row_reader_errmsg(rr));
        const char *why = "";
        if (!datum_equal(&rows[i], row, &why)) {
            fprintf(stderr, "%s: row %zu of %zu differs (%s)\n", what, i, nrows, why);
            abort();
        }
    }
    const idbpq_datum *row = NULL;
    st = idbpq_row_reader_next(rr, &row);
    if (st != IDBPQ_END) fprintf(stderr, "%s: after the last row: %s\n", what, idbpq_status_name(st));
    CHECK(st == IDBPQ_END);
    idbpq_row_reader_free(rr);
    idbpq_reader_free(r);
}

/* Copies a file column by column, as `idbpq convert` does: cursors in step, write_columns. */
static void copy_columns(const struct idbpq__buf *file, const idbpq_schema *s,
                         const idbpq_writer_opts *o, struct idbpq__buf *out)
{
    idbpq_source src;
    idbpq_source_memory(&src, file->p, file->len, "written");
    char err[512] = "";
    idbpq_reader *r = NULL;
    CHECK_ST(idbpq_reader_open(&r, &src, NULL, NULL, err, sizeof err), "idbpq_reader_open", err);
    idbpq_sink sink = {out, mem_write, "copy"};
    idbpq_writer *w = NULL;
    CHECK_ST(idbpq_writer_open(&w, s, &sink, o, NULL), "idbpq_writer_open (copy)", "");
    int32_t nc = idbpq_schema_num_columns(s);
    idbpq_column_cursor *cur[MAX_LEAVES];
    idbpq_column_batch bat[MAX_LEAVES];
    CHECK(nc <= MAX_LEAVES);
    const idbpq_file_meta *m = idbpq_reader_meta(r);
    for (int32_t g = 0; g < m->num_row_groups; g++) {
        for (int32_t c = 0; c < nc; c++)
            CHECK_ST(idbpq_column_cursor_open(r, g, c, &cur[c]), "idbpq_column_cursor_open",
                     idbpq_reader_errmsg(r));
        for (;;) {
            size_t n = 0;
            int32_t ends = 0;
            for (int32_t c = 0; c < nc; c++) {
                idbpq_status st = idbpq_column_cursor_read_rows(cur[c], 3, &bat[c]);
                if (st == IDBPQ_END) {
                    ends++;
                    continue;
                }
                CHECK_ST(st, "idbpq_column_cursor_read_rows", idbpq_column_cursor_errmsg(cur[c]));
                if (c == 0) n = bat[c].n_rows;
                CHECK(bat[c].n_rows == n);
            }
            /* The columns of a row group hold the same rows: they end together. */
            CHECK(ends == 0 || ends == nc);
            if (ends) break;
            CHECK_ST(idbpq_writer_write_columns(w, bat, n), "idbpq_writer_write_columns",
                     idbpq_writer_errmsg(w));
        }
        for (int32_t c = 0; c < nc; c++) idbpq_column_cursor_free(cur[c]);
    }
    CHECK_ST(idbpq_writer_finish(w), "idbpq_writer_finish (copy)", idbpq_writer_errmsg(w));
    idbpq_writer_free(w);
    idbpq_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fdp f = {data, size};
    struct gen g = {NULL, &f, 0};
    CHECK(idbpq_schema_create(&g.s, NULL) == IDBPQ_OK);
    unsigned ntop = 1 + u8(&f) % 4;
    gen_children(&g, 0, 0, ntop);
    idbpq_status st = idbpq_schema_finish(g.s);
    CHECK_ST(st, "idbpq_schema_finish", idbpq_schema_errmsg(g.s));
    CHECK(idbpq_schema_num_columns(g.s) == g.ncols);

    idbpq_writer_opts o;
    idbpq_column_opts co[MAX_LEAVES];
    gen_opts(&f, g.s, &o, co);

    struct idbpq__arena arena;
    idbpq__arena_init(&arena, NULL);
    struct rows r = {g.s, &f, &arena};
    size_t nrows = u8(&f) % (MAX_ROWS + 1);
    idbpq_datum *rows = items(&r, nrows ? nrows : 1);
    unsigned flush_every = u8(&f) % 8; /* 0: never flush explicitly */

    struct idbpq__buf file, copy;
    idbpq__buf_init(&file, NULL);
    idbpq__buf_init(&copy, NULL);
    idbpq_sink sink = {&file, mem_write, "roundtrip"};
    idbpq_writer *w = NULL;
    st = idbpq_writer_open(&w, g.s, &sink, &o, NULL);
    CHECK_ST(st, "idbpq_writer_open", "");
    for (size_t i = 0; i < nrows; i++) {
        gen_present(&r, 0, &rows[i]);
        st = idbpq_writer_write_row(w, &rows[i]);
        CHECK_ST(st, "idbpq_writer_write_row", idbpq_writer_errmsg(w));
        if (flush_every && (i + 1) % flush_every == 0) {
            st = idbpq_writer_flush_row_group(w);
            CHECK_ST(st, "idbpq_writer_flush_row_group", idbpq_writer_errmsg(w));
        }
    }
    st = idbpq_writer_finish(w);
    CHECK_ST(st, "idbpq_writer_finish", idbpq_writer_errmsg(w));
    CHECK(idbpq_writer_bytes_written(w) == file.len);
    idbpq_writer_free(w);

#ifdef FUZZ_DEBUG
    fprintf(stderr, "columns %d, rows %zu, codec %d, page v%d, dictionary %d, %zu bytes\n",
            g.ncols, nrows, (int)o.codec, (int)o.page_version, (int)o.dictionary, file.len);
#endif
    read_back(&file, rows, nrows, "written by rows");
    copy_columns(&file, g.s, &o, &copy);
    read_back(&copy, rows, nrows, "copied by columns");

    idbpq__buf_free(&copy);
    idbpq__buf_free(&file);
    idbpq__arena_free(&arena);
    idbpq_schema_free(g.s);
    return 0;
}
