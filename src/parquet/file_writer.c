/*
 * file_writer.c — the public writer API. A file is "PAR1", the row groups' column chunks
 * (each: optional dictionary page, then data pages), the page indexes (every ColumnIndex,
 * then every OffsetIndex, PageIndex.md), the thrift FileMetaData, its 4-byte length and
 * "PAR1" (README.md "File Format"). Rows arrive as column batches or as idbpq_datum rows
 * (shredded in row_shred.c); a row group closes when a budget (bytes or rows) is passed,
 * so memory stays bounded by one row group. The footer says version 1, as parquet.thrift
 * now asks of every writer.
 */
#include "parquet/schema.h"
#include "parquet/writer.h"

#define STAGE_ROWS 4096           /* write_row: rows staged before reaching the columns */
#define STAGE_BYTES (4u << 20)
#define PIECE_ROWS 65536          /* write_columns: budgets are checked this often */

enum { W_OPEN = 0, W_FINISHED = 1, W_BROKEN = 2 };

struct idbpq_writer {
    const idbpq_allocator *alc;
    const idbpq_schema *schema;
    idbpq_sink sink;
    struct idbpq__err err;
    struct idbpq__wshared sh;
    int32_t n_cols;
    struct idbpq__colw *cols;
    idbpq_column_batch *rest;       /* push: what is left of each batch */
    idbpq_column_batch *staged;     /* write_row: views of the staged rows */
    struct idbpq__shredder shred;
    int state;
    uint64_t written;
    uint64_t row_group_bytes, max_rg_rows;
    uint64_t rg_rows;               /* rows in the open row group */
    int64_t total_rows;
    struct idbpq__arena keep;       /* copies of options, footer metadata */
    const char *created_by;
    int32_t num_kv;
    idbpq_kv *kv;
    int32_t n_sort;                 /* sorting columns declared for every row group */
    idbpq_sorting_column *sort;
    struct idbpq__buf rgs;          /* idbpq_row_group_meta[] */
    struct idbpq__buf ci, oi;       /* encoded page indexes, offsets patched at finish */
};

/* The message of the last idbpq_writer_open that failed on this thread (no handle exists). */
static _Thread_local struct idbpq__err open_err;

void idbpq_writer_opts_init(idbpq_writer_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = (uint32_t)sizeof *o;
    o->codec = IDBPQ_CODEC_SNAPPY;
    o->row_group_bytes = 128u << 20;
    o->max_row_group_rows = 1048576;
    o->page_bytes = 1u << 20;
    o->page_rows = 20000;
    o->page_version = 1;
    o->dictionary = 1;
    o->dictionary_bytes = 1u << 20;
    o->statistics = 1;
    o->page_index = 1;
    o->max_stat_bytes = 64;
}

const char *idbpq_writer_errmsg(const idbpq_writer *w) { return w ? w->err.msg : open_err.msg; }
uint64_t idbpq_writer_bytes_written(const idbpq_writer *w) { return w ? w->written : 0; }

/* ---- sink ----------------------------------------------------------------------------------- */

static idbpq_status put(idbpq_writer *w, const void *p, size_t n)
{
    if (n == 0) return IDBPQ_OK;
    idbpq_status st = w->sink.write(w->sink.ctx, p, n);
    if (st != IDBPQ_OK) {
        w->state = W_BROKEN;
        return idbpq__fail(&w->err, st == IDBPQ_NOMEM ? st : IDBPQ_IO,
                           "writing %zu bytes at offset %llu to %s failed (%s)", n,
                           (unsigned long long)w->written, w->sink.name ? w->sink.name : "sink",
                           idbpq_status_str(st));
    }
    w->written += n;
    return IDBPQ_OK;
}

/* ---- options -------------------------------------------------------------------------------- */

static int encoding_fits(int enc, int type)
{
    switch (enc) {
    case IDBPQ_ENC_PLAIN: return 1;
    case IDBPQ_ENC_RLE: return type == IDBPQ_BOOLEAN;
    case IDBPQ_ENC_DELTA_BINARY_PACKED: return type == IDBPQ_INT32 || type == IDBPQ_INT64;
    case IDBPQ_ENC_DELTA_LENGTH_BYTE_ARRAY: return type == IDBPQ_BYTE_ARRAY;
    case IDBPQ_ENC_DELTA_BYTE_ARRAY:
        return type == IDBPQ_BYTE_ARRAY || type == IDBPQ_FIXED_LEN_BYTE_ARRAY;
    case IDBPQ_ENC_BYTE_STREAM_SPLIT:
        return type == IDBPQ_FLOAT || type == IDBPQ_DOUBLE || type == IDBPQ_INT32 ||
               type == IDBPQ_INT64 || type == IDBPQ_FIXED_LEN_BYTE_ARRAY;
    default: return 0;
    }
}

static idbpq_status copy_kv(idbpq_writer *w, const idbpq_kv *src, int32_t n, idbpq_kv **out)
{
    *out = NULL;
    if (n <= 0) return IDBPQ_OK;
    if (!src) return idbpq__fail(&w->err, IDBPQ_INVALID_ARG, "options: kv is NULL, num_kv %d", n);
    idbpq_kv *kv = idbpq__arena_alloc(&w->keep, sizeof *kv * (size_t)n);
    if (!kv) return IDBPQ_NOMEM;
    for (int32_t i = 0; i < n; i++) {
        kv[i] = src[i];
        const idbpq_bytes *b[2] = {&src[i].key, &src[i].value};
        idbpq_bytes *d[2] = {&kv[i].key, &kv[i].value};
        for (int k = 0; k < 2; k++) {
            if (!b[k]->len) continue;
            uint8_t *p = idbpq__arena_alloc(&w->keep, b[k]->len);
            if (!p) return IDBPQ_NOMEM;
            memcpy(p, b[k]->ptr, b[k]->len);
            d[k]->ptr = p;
        }
    }
    *out = kv;
    return IDBPQ_OK;
}

/* Per-column settings: defaults, then the column's options (matched by dotted path). */
static idbpq_status resolve_column(idbpq_writer *w, const idbpq_writer_opts *o, int32_t c,
                                   struct idbpq__colw_cfg *cfg)
{
    const idbpq_schema_node *leaf = idbpq_schema_column(w->schema, c);
    memset(cfg, 0, sizeof *cfg);
    cfg->col = c;
    cfg->leaf = leaf;
    cfg->type = leaf->type;
    cfg->type_length = leaf->type_length;
    cfg->width = leaf->type == IDBPQ_BOOLEAN ? 1 : idbpq__value_width(leaf->type, leaf->type_length);
    cfg->max_def = leaf->max_def;
    cfg->max_rep = leaf->max_rep;
    cfg->order = idbpq__column_order(leaf->type, leaf->type_length, &leaf->logical,
                                     leaf->converted_type);
    cfg->statistics = o->statistics != 0;
    /* Dictionary for every type but BOOLEAN (two values: RLE or bit-packing is as good). */
    cfg->dictionary = o->dictionary != 0 && leaf->type != IDBPQ_BOOLEAN;
    cfg->fallback = IDBPQ_ENC_PLAIN;
    if (o->page_version == 2) {
        if (leaf->type == IDBPQ_BOOLEAN) cfg->fallback = IDBPQ_ENC_RLE;
        if (leaf->type == IDBPQ_INT32 || leaf->type == IDBPQ_INT64)
            cfg->fallback = IDBPQ_ENC_DELTA_BINARY_PACKED;
        if (leaf->type == IDBPQ_BYTE_ARRAY) cfg->fallback = IDBPQ_ENC_DELTA_LENGTH_BYTE_ARRAY;
    }
    for (int32_t i = 0; i < o->num_column_opts; i++) {
        const idbpq_column_opts *co = &o->column_opts[i];
        if (!co->path || strcmp(co->path, leaf->path) != 0) continue;
        int enc = co->encoding;
        if (enc == IDBPQ_ENC_PLAIN_DICTIONARY || enc == IDBPQ_ENC_RLE_DICTIONARY) {
            if (leaf->type == IDBPQ_BOOLEAN)
                return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                                   "column %s: dictionary encoding is not offered for BOOLEAN",
                                   leaf->path);
            cfg->dictionary = 1;
        } else if (enc != IDBPQ_ENC_AUTO) {
            if (!encoding_fits(enc, leaf->type)) {
                const char *en = idbpq_encoding_name((idbpq_encoding)enc);
                return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                                   "column %s: encoding %s cannot encode %s values", leaf->path,
                                   en ? en : "(unknown)", idbpq_type_name(leaf->type));
            }
            /* An explicit encoding is the page encoding, unless a dictionary is asked too. */
            cfg->fallback = enc;
            if (co->dictionary < 0) cfg->dictionary = 0;
        }
        if (co->dictionary >= 0) cfg->dictionary = co->dictionary != 0 && leaf->type != IDBPQ_BOOLEAN;
        if (co->statistics >= 0) cfg->statistics = co->statistics != 0;
        idbpq_kv *kv;
        IDBPQ__TRY(copy_kv(w, co->kv, co->num_kv, &kv));
        cfg->kv = kv;
        cfg->num_kv = kv ? co->num_kv : 0;
    }
    return IDBPQ_OK;
}

static idbpq_status check_opts(idbpq_writer *w, const idbpq_writer_opts *o)
{
    if (o->struct_size != sizeof *o)
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                           "options: struct_size %u (use idbpq_writer_opts_init)",
                           (unsigned)o->struct_size);
    if ((int)o->codec < 0 || !idbpq_codec_can_write(o->codec)) {
        const char *cn = idbpq_codec_name(o->codec);
        return idbpq__fail(&w->err, IDBPQ_UNSUPPORTED, "options: codec %s cannot be written",
                           cn ? cn : "(unknown)");
    }
    if (o->page_version != 1 && o->page_version != 2)
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG, "options: page_version %d (1 or 2)",
                           (int)o->page_version);
    if (!o->row_group_bytes || !o->max_row_group_rows || !o->page_bytes || !o->page_rows)
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                           "options: row group and page budgets must be positive");
    if (o->num_kv < 0 || o->num_column_opts < 0 || (o->num_column_opts && !o->column_opts))
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG, "options: bad counts");
    for (int32_t i = 0; i < o->num_column_opts; i++) {
        const char *p = o->column_opts[i].path;
        if (!p || idbpq_schema_find_column(w->schema, p) < 0)
            return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                               "options: column_opts[%d]: no column \"%s\" in the schema", i,
                               p ? p : "(null)");
    }
    return IDBPQ_OK;
}

static void writer_free(idbpq_writer *w)
{
    if (w->cols)
        for (int32_t c = 0; c < w->n_cols; c++) idbpq__colw_free(&w->cols[c]);
    idbpq__free(w->alc, w->cols, sizeof *w->cols * (size_t)w->n_cols);
    idbpq__free(w->alc, w->rest, sizeof *w->rest * (size_t)w->n_cols);
    idbpq__free(w->alc, w->staged, sizeof *w->staged * (size_t)w->n_cols);
    idbpq__shred_free(&w->shred);
    if (w->sh.codec_ctx) idbpq__codec_ctx_free(w->sh.codec_ctx);
    idbpq__buf_free(&w->sh.body);
    idbpq__buf_free(&w->sh.comp);
    idbpq__buf_free(&w->sh.hdr);
    idbpq__buf_free(&w->sh.enc);
    idbpq__buf_free(&w->sh.tmp);
    idbpq__buf_free(&w->rgs);
    idbpq__buf_free(&w->ci);
    idbpq__buf_free(&w->oi);
    idbpq__arena_free(&w->keep);
    idbpq__free(w->alc, w, sizeof *w);
}

void idbpq_writer_free(idbpq_writer *w)
{
    if (w) writer_free(w);
}

static idbpq_status open_writer(idbpq_writer *w, const idbpq_writer_opts *o)
{
    IDBPQ__TRY(check_opts(w, o));
    w->row_group_bytes = o->row_group_bytes;
    w->max_rg_rows = o->max_row_group_rows;
    struct idbpq__wshared *sh = &w->sh;
    sh->codec = o->codec;
    sh->level = o->level;
    sh->page_version = o->page_version;
    sh->page_crc = o->page_crc != 0;
    sh->page_index = o->page_index != 0;
    sh->page_bytes = o->page_bytes;
    sh->page_rows = o->page_rows;
    sh->dictionary_bytes = o->dictionary_bytes;
    sh->max_stat_bytes = o->max_stat_bytes ? o->max_stat_bytes : UINT32_MAX;
    IDBPQ__TRY(idbpq__codec_ctx_create(&sh->codec_ctx, w->alc));
    const char *cb = o->created_by ? o->created_by : "idbpq version " IDBPQ_VERSION_STRING;
    w->created_by = idbpq__arena_strndup(&w->keep, cb, strlen(cb));
    if (!w->created_by) return IDBPQ_NOMEM;
    IDBPQ__TRY(copy_kv(w, o->kv, o->num_kv, &w->kv));
    w->num_kv = w->kv ? o->num_kv : 0;
    w->cols = idbpq__calloc(w->alc, sizeof *w->cols * (size_t)w->n_cols);
    w->rest = idbpq__calloc(w->alc, sizeof *w->rest * (size_t)w->n_cols);
    w->staged = idbpq__calloc(w->alc, sizeof *w->staged * (size_t)w->n_cols);
    if (!w->cols || !w->rest || !w->staged) return IDBPQ_NOMEM;
    for (int32_t c = 0; c < w->n_cols; c++) {
        struct idbpq__colw_cfg cfg;
        IDBPQ__TRY(resolve_column(w, o, c, &cfg));
        IDBPQ__TRY(idbpq__colw_init(&w->cols[c], &cfg, sh));
    }
    IDBPQ__TRY(idbpq__shred_init(&w->shred, w->schema, w->alc, &w->err));
    return put(w, "PAR1", 4);
}

idbpq_status idbpq_writer_open(idbpq_writer **out, const idbpq_schema *schema,
                               const idbpq_sink *sink, const idbpq_writer_opts *opts,
                               const idbpq_allocator *alc)
{
    idbpq__err_clear(&open_err);
    if (!out || !schema || !sink || !sink->write)
        return idbpq__fail(&open_err, IDBPQ_INVALID_ARG, "writer_open: NULL argument");
    *out = NULL;
    if (idbpq_schema_num_columns(schema) <= 0 || !idbpq_schema_column(schema, 0))
        return idbpq__fail(&open_err, IDBPQ_INVALID_ARG,
                           "writer_open: the schema is not finished or has no columns");
    idbpq_writer_opts defaults;
    if (!opts) {
        idbpq_writer_opts_init(&defaults);
        opts = &defaults;
    }
    idbpq_writer *w = idbpq__calloc(alc, sizeof *w);
    if (!w) return idbpq__fail(&open_err, IDBPQ_NOMEM, "writer_open: out of memory");
    w->alc = idbpq__alc(alc);
    w->schema = schema;
    w->sink = *sink;
    w->n_cols = idbpq_schema_num_columns(schema);
    w->sh.alc = w->alc;
    w->sh.err = &w->err;
    idbpq__buf_init(&w->sh.body, alc);
    idbpq__buf_init(&w->sh.comp, alc);
    idbpq__buf_init(&w->sh.hdr, alc);
    idbpq__buf_init(&w->sh.enc, alc);
    idbpq__buf_init(&w->sh.tmp, alc);
    idbpq__buf_init(&w->rgs, alc);
    idbpq__buf_init(&w->ci, alc);
    idbpq__buf_init(&w->oi, alc);
    idbpq__arena_init(&w->keep, alc);
    idbpq_status st = open_writer(w, opts);
    if (st != IDBPQ_OK) {
        if (!w->err.msg[0]) idbpq__fail(&w->err, st, "writer_open: %s", idbpq_status_str(st));
        open_err = w->err;
        writer_free(w);
        return st;
    }
    *out = w;
    return IDBPQ_OK;
}

/* ---- row groups ----------------------------------------------------------------------------- */

static uint64_t buffered(const idbpq_writer *w)
{
    uint64_t n = 0;
    for (int32_t c = 0; c < w->n_cols; c++) n += idbpq__colw_buffered(&w->cols[c]);
    return n;
}

static idbpq_status close_rg_inner(idbpq_writer *w)
{
    int32_t ordinal = (int32_t)(w->rgs.len / sizeof(idbpq_row_group_meta));
    idbpq_column_chunk_meta *cm = idbpq__arena_alloc(&w->keep, sizeof *cm * (size_t)w->n_cols);
    if (!cm) return IDBPQ_NOMEM;
    idbpq_row_group_meta g;
    memset(&g, 0, sizeof g);
    g.num_rows = (int64_t)w->rg_rows;
    g.file_offset = (int64_t)w->written;
    g.ordinal = ordinal;
    g.num_columns = w->n_cols;
    g.columns = cm;
    for (int32_t c = 0; c < w->n_cols; c++) {
        struct idbpq__colw *col = &w->cols[c];
        IDBPQ__TRY(idbpq__colw_close(col));
        uint64_t at = w->written;
        IDBPQ__TRY(put(w, col->dictpage.p, col->dictpage.len));
        for (struct idbpq__wblock *b = col->chunk.head; b; b = b->next)
            IDBPQ__TRY(put(w, idbpq__wblock_data(b), b->len));
        IDBPQ__TRY(idbpq__colw_meta(col, at, &w->keep, &cm[c]));
        if (w->sh.page_index) {
            /* Offsets relative to the index buffers for now; made absolute at finish. */
            uint64_t ci0 = w->ci.len, oi0 = w->oi.len;
            IDBPQ__TRY(idbpq__colw_page_index(col, at, &w->ci, &cm[c].column_index_length,
                                              &w->oi, &cm[c].offset_index_length));
            cm[c].column_index_offset = cm[c].column_index_length ? (int64_t)ci0 : -1;
            cm[c].offset_index_offset = (int64_t)oi0;
        }
        g.total_byte_size += cm[c].total_uncompressed_size;
        g.total_compressed_size += cm[c].total_compressed_size;
        idbpq__colw_reset(col);
    }
    IDBPQ__TRY(idbpq__buf_append(&w->rgs, &g, sizeof g));
    w->total_rows += (int64_t)w->rg_rows;
    w->rg_rows = 0;
    return IDBPQ_OK;
}

static idbpq_status close_rg(idbpq_writer *w)
{
    if (w->rg_rows == 0) return IDBPQ_OK;
    int32_t ordinal = (int32_t)(w->rgs.len / sizeof(idbpq_row_group_meta));
    idbpq_status st = close_rg_inner(w);
    if (st != IDBPQ_OK) {
        w->state = W_BROKEN;
        if (st == IDBPQ_NOMEM && !w->err.msg[0]) idbpq__fail(&w->err, st, "out of memory");
        idbpq__err_prefix(&w->err, "row group %d: ", (int)ordinal);
    }
    return st;
}

/* Level index and value index where row `rows` of batch b starts. */
static void cut(const idbpq_column_batch *b, const struct idbpq__colw_cfg *cfg, size_t rows,
                size_t *lv, size_t *vv)
{
    size_t l = rows;
    if (cfg->max_rep > 0) {
        size_t seen = 0;
        for (l = 0; l < b->n_levels; l++)
            if (b->rep[l] == 0 && seen++ == rows) break;
    }
    size_t v = l;
    if (cfg->max_def > 0) {
        v = idbpq__levels_count(b->def, l, (uint16_t)cfg->max_def, NULL);
    }
    *lv = l;
    *vv = v;
}

/* Hands rows to the columns, closing row groups on the way (batches already valid). */
static idbpq_status push(idbpq_writer *w, const idbpq_column_batch *batches, size_t n_rows)
{
    idbpq_column_batch *rest = w->rest;
    memcpy(rest, batches, sizeof *rest * (size_t)w->n_cols);
    while (n_rows > 0) {
        uint64_t room = w->max_rg_rows - w->rg_rows;
        size_t take = n_rows;
        if (take > room) take = (size_t)room;
        if (take > PIECE_ROWS && take < n_rows) take = PIECE_ROWS;
        if (n_rows > PIECE_ROWS && take > PIECE_ROWS) take = PIECE_ROWS;
        for (int32_t c = 0; c < w->n_cols; c++) {
            idbpq_column_batch *b = &rest[c];
            struct idbpq__colw *col = &w->cols[c];
            size_t lv = b->n_levels, vv = b->n_values;
            if (take < n_rows) cut(b, &col->cfg, take, &lv, &vv);
            idbpq_status st = idbpq__colw_write(col, b->def, b->rep, lv, b->values, vv);
            if (st != IDBPQ_OK) {
                w->state = W_BROKEN;
                idbpq__err_prefix(&w->err, "row group %d: ",
                                  (int)(w->rgs.len / sizeof(idbpq_row_group_meta)));
                return st;
            }
            if (take < n_rows) {
                if (b->def) b->def += lv;
                if (b->rep) b->rep += lv;
                b->n_levels -= lv;
                b->n_values -= vv;
                b->values = col->cfg.type == IDBPQ_BYTE_ARRAY
                                ? (const void *)((const idbpq_bytes *)b->values + vv)
                                : (const void *)((const uint8_t *)b->values + vv * col->cfg.width);
            }
        }
        w->rg_rows += take;
        n_rows -= take;
        if (w->rg_rows >= w->max_rg_rows || buffered(w) >= w->row_group_bytes)
            IDBPQ__TRY(close_rg(w));
    }
    return IDBPQ_OK;
}

static idbpq_status check_state(idbpq_writer *w)
{
    if (w->state == W_FINISHED)
        return idbpq__fail(&w->err, IDBPQ_STATE, "the writer is finished");
    if (w->state == W_BROKEN)
        return idbpq__fail(&w->err, IDBPQ_STATE, "the writer failed earlier; free it");
    return IDBPQ_OK;
}

/* ---- column batches -------------------------------------------------------------------------- */

static idbpq_status check_batch(idbpq_writer *w, int32_t c, const idbpq_column_batch *b,
                                size_t n_rows)
{
    const struct idbpq__colw_cfg *cfg = &w->cols[c].cfg;
    const char *path = cfg->leaf->path;
    int rg = (int)(w->rgs.len / sizeof(idbpq_row_group_meta));
    if ((int)b->type != cfg->type ||
        (cfg->type == IDBPQ_FIXED_LEN_BYTE_ARRAY && b->type_length != cfg->type_length))
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                           "row group %d, column %s: batch of type %s, the column is %s", rg,
                           path, idbpq_type_name(b->type) ? idbpq_type_name(b->type) : "?",
                           idbpq_type_name((idbpq_type)cfg->type));
    if (b->n_rows != n_rows)
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                           "row group %d, column %s: batch has %zu rows, expected %zu", rg, path,
                           b->n_rows, n_rows);
    size_t nl = b->n_levels;
    if (cfg->max_rep > 0) {
        if (nl && !b->rep)
            return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                               "row group %d, column %s: repetition levels missing", rg, path);
        const uint16_t *r = b->rep;
        uint16_t top = 0;
        size_t rows = idbpq__levels_count(r, nl, 0, &top);
        if (nl && r[0] != 0)
            return idbpq__fail(&w->err, IDBPQ_SCHEMA,
                               "row group %d, column %s: the first repetition level is %u, "
                               "not 0", rg, path, (unsigned)r[0]);
        if (top > (uint16_t)cfg->max_rep)
            return idbpq__fail(&w->err, IDBPQ_SCHEMA,
                               "row group %d, column %s: repetition level %u above max %d", rg,
                               path, (unsigned)top, (int)cfg->max_rep);
        if (rows != n_rows)
            return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                               "row group %d, column %s: levels hold %zu rows, n_rows is %zu",
                               rg, path, rows, n_rows);
    } else if (nl != n_rows) {
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                           "row group %d, column %s: %zu levels for %zu rows of a flat column",
                           rg, path, nl, n_rows);
    }
    size_t nv = nl;
    if (cfg->max_def > 0) {
        if (nl && !b->def)
            return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                               "row group %d, column %s: definition levels missing", rg, path);
        const uint16_t md = (uint16_t)cfg->max_def;
        uint16_t top = 0;
        nv = idbpq__levels_count(b->def, nl, md, &top);
        if (top > md)
            return idbpq__fail(&w->err, IDBPQ_SCHEMA,
                               "row group %d, column %s: definition level %u above max %d", rg,
                               path, (unsigned)top, (int)md);
    }
    if (nv != b->n_values)
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                           "row group %d, column %s: levels define %zu values, n_values is %zu",
                           rg, path, nv, b->n_values);
    if (nv && !b->values)
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                           "row group %d, column %s: values is NULL", rg, path);
    return IDBPQ_OK;
}

/* Rows staged by write_row go to the columns (before anything else is written). */
static idbpq_status flush_stage(idbpq_writer *w)
{
    if (w->shred.n_rows == 0) return IDBPQ_OK;
    idbpq_status st = idbpq__shred_batches(&w->shred, w->staged);
    if (st == IDBPQ_OK) st = push(w, w->staged, w->shred.n_rows);
    if (st != IDBPQ_OK) w->state = W_BROKEN;
    idbpq__shred_reset(&w->shred);
    return st;
}

idbpq_status idbpq_writer_write_columns(idbpq_writer *w, const idbpq_column_batch *batches,
                                        size_t n_rows)
{
    if (!w) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(check_state(w));
    idbpq__err_clear(&w->err);
    if (n_rows == 0) return IDBPQ_OK;
    if (!batches)
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG, "write_columns: batches is NULL");
    for (int32_t c = 0; c < w->n_cols; c++) IDBPQ__TRY(check_batch(w, c, &batches[c], n_rows));
    IDBPQ__TRY(flush_stage(w));
    return push(w, batches, n_rows);
}

idbpq_status idbpq_writer_write_row(idbpq_writer *w, const idbpq_datum *row)
{
    if (!w) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(check_state(w));
    idbpq__err_clear(&w->err);
    idbpq_status st = idbpq__shred_row(&w->shred, row);
    if (st != IDBPQ_OK) {
        idbpq__err_prefix(&w->err, "row %lld: ",
                          (long long)(w->total_rows + (int64_t)w->rg_rows +
                                      (int64_t)w->shred.n_rows));
        return st;
    }
    if (w->shred.n_rows >= STAGE_ROWS || w->shred.bytes >= STAGE_BYTES ||
        w->rg_rows + w->shred.n_rows >= w->max_rg_rows)
        return flush_stage(w);
    return IDBPQ_OK;
}

idbpq_status idbpq_writer_flush_row_group(idbpq_writer *w)
{
    if (!w) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(check_state(w));
    idbpq__err_clear(&w->err);
    IDBPQ__TRY(flush_stage(w));
    return close_rg(w);
}

/* ---- finish ---------------------------------------------------------------------------------- */

static idbpq_status finish_inner(idbpq_writer *w)
{
    IDBPQ__TRY(flush_stage(w));
    IDBPQ__TRY(close_rg(w));
    idbpq_row_group_meta *rgs = (idbpq_row_group_meta *)(void *)w->rgs.p;
    int32_t n_rg = (int32_t)(w->rgs.len / sizeof *rgs);
    if (w->sh.page_index) {
        /* PageIndex.md: column indexes, then offset indexes, after the row groups. */
        uint64_t ci_base = w->written;
        IDBPQ__TRY(put(w, w->ci.p, w->ci.len));
        uint64_t oi_base = w->written;
        IDBPQ__TRY(put(w, w->oi.p, w->oi.len));
        for (int32_t g = 0; g < n_rg; g++) {
            idbpq_column_chunk_meta *cm = (idbpq_column_chunk_meta *)rgs[g].columns;
            for (int32_t c = 0; c < rgs[g].num_columns; c++) {
                if (cm[c].column_index_offset >= 0) cm[c].column_index_offset += (int64_t)ci_base;
                if (cm[c].offset_index_offset >= 0) cm[c].offset_index_offset += (int64_t)oi_base;
            }
        }
    }
    struct idbpq__file_metadata md;
    memset(&md, 0, sizeof md);
    IDBPQ__TRY(idbpq__schema_to_elements(w->schema, &w->keep, &md.schema, &md.n_schema));
    int32_t *orders = idbpq__arena_alloc(&w->keep, sizeof *orders * (size_t)w->n_cols);
    if (!orders) return IDBPQ_NOMEM;
    for (int32_t c = 0; c < w->n_cols; c++) orders[c] = 1; /* TYPE_ORDER */
    for (int32_t g = 0; g < n_rg; g++) {
        rgs[g].num_sorting_columns = w->n_sort;
        rgs[g].sorting_columns = w->sort;
    }
    md.pub.version = 1;
    md.pub.num_rows = w->total_rows;
    md.pub.created_by = w->created_by;
    md.pub.num_row_groups = n_rg;
    md.pub.row_groups = rgs;
    md.pub.num_kv = w->num_kv;
    md.pub.kv = w->kv;
    md.pub.num_column_orders = w->n_cols;
    md.pub.column_orders = orders;
    struct idbpq__buf *f = &w->sh.body;
    f->len = 0;
    IDBPQ__TRY(idbpq__meta_encode_file(&md, f));
    if (f->len > UINT32_MAX)
        return idbpq__fail(&w->err, IDBPQ_LIMIT, "footer of %zu bytes is too large", f->len);
    uint8_t tail[8];
    idbpq__st_le32(tail, (uint32_t)f->len);
    memcpy(tail + 4, "PAR1", 4);
    IDBPQ__TRY(put(w, f->p, f->len));
    return put(w, tail, 8);
}

idbpq_status idbpq_writer_set_kv(idbpq_writer *w, const idbpq_kv *kv, int32_t n)
{
    if (!w || n < 0) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(check_state(w));
    idbpq_kv *copy = NULL;
    IDBPQ__TRY(copy_kv(w, kv, n, &copy));
    w->kv = copy;
    w->num_kv = copy ? n : 0;
    return IDBPQ_OK;
}

idbpq_status idbpq_writer_set_sorting_columns(idbpq_writer *w, const idbpq_sorting_column *cols,
                                              int32_t n)
{
    if (!w || n < 0 || (n && !cols)) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(check_state(w));
    for (int32_t i = 0; i < n; i++)
        if (cols[i].column < 0 || cols[i].column >= w->n_cols)
            return idbpq__fail(&w->err, IDBPQ_INVALID_ARG, "sorting column %d out of range",
                               (int)cols[i].column);
    idbpq_sorting_column *copy = NULL;
    if (n) {
        copy = idbpq__arena_alloc(&w->keep, sizeof *copy * (size_t)n);
        if (!copy) return IDBPQ_NOMEM;
        memcpy(copy, cols, sizeof *copy * (size_t)n);
    }
    w->sort = copy;
    w->n_sort = n;
    return IDBPQ_OK;
}

idbpq_status idbpq_writer_finish(idbpq_writer *w)
{
    if (!w) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(check_state(w));
    idbpq__err_clear(&w->err);
    idbpq_status st = finish_inner(w);
    if (st != IDBPQ_OK) {
        w->state = W_BROKEN;
        if (!w->err.msg[0]) idbpq__fail(&w->err, st, "finish: %s", idbpq_status_str(st));
        return st;
    }
    w->state = W_FINISHED;
    return IDBPQ_OK;
}
