/*
 * api.c — what idbpq.wasm exports to web/idbpq.js: a record writer that turns batches of
 * IndexedDB records into Parquet bytes, and a record reader that turns a Parquet file (its
 * footer, then one row group at a time) back into records.
 *
 * Records cross the boundary in one framing, both ways (little-endian; docs/browser.md):
 *
 *   record  = u32 key_len, key (V8 wire bytes; 0 bytes: no key — the store's key path holds it)
 *             u32 value_len, value (V8 wire bytes)
 *             u32 n_blobs, blob * n_blobs
 *   blob    = u32 kind (0 Blob, 1 File), f64 size, f64 lastModified,
 *             u32 type_len, type (UTF-8), u32 name_len, name (UTF-8), u32 data_len, data
 *
 * A value's Blob/File is written as Blink's indexed host object ('\\' 'i'/'e' n), n counting
 * the record's blobs from 0 — as IndexedDB itself stores them — so the value layer's
 * IndexedDB decoding (stores/idb_value.c) fills them in, and JavaScript makes real Blobs.
 *
 * JavaScript is single-threaded and owns the memory it passes in (ipq_alloc / ipq_free);
 * output buffers belong to the handle and stay valid until its next call. Every function
 * that can fail returns a negative number or NULL and leaves the reason in ipq_errmsg().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "mapping/mapping.h"
#include "parquet/reader.h"
#include "stores/stores.h"
#include "value/value.h"

#if defined(__wasm__)
#define EXPORT(name) __attribute__((export_name(#name)))
#else
#define EXPORT(name) /* built natively only by fuzz/fuzz_wasm_api.c, which includes this file */
#endif

static char errmsg[1024];

static void set_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
}

EXPORT(ipq_errmsg) const char *ipq_errmsg(void) { return errmsg; }
EXPORT(ipq_alloc) void *ipq_alloc(uint32_t n) { return malloc(n ? n : 1); }
EXPORT(ipq_free) void ipq_free(void *p) { free(p); }

/* ---- the record framing ------------------------------------------------------------------- */

struct frame {
    const uint8_t *p, *start, *end;
};

static int take(struct frame *f, void *out, size_t n)
{
    if ((size_t)(f->end - f->p) < n) return 0;
    memcpy(out, f->p, n);
    f->p += n;
    return 1;
}

static int take_bytes(struct frame *f, const uint8_t **out, uint32_t *len)
{
    if (!take(f, len, 4) || (size_t)(f->end - f->p) < *len) return 0;
    *out = f->p;
    f->p += *len;
    return 1;
}

/* Blob contents for the value layer: the bytes are in the batch JavaScript passed. */
struct blob_data {
    const uint8_t **bytes;
    uint32_t *lens;
};

static idbpq_status load_blob(void *ctx, size_t index, idbpq_vbatch *b, const uint8_t **bytes,
                              uint64_t *len, idbpq_error *err)
{
    (void)b;
    (void)err;
    struct blob_data *d = ctx;
    *bytes = d->bytes[index];
    *len = d->lens[index];
    return IDBPQ_OK;
}

/* Reads the next framed record into b. Key is NULL when none was sent. */
static idbpq_status read_record(struct frame *f, idbpq_vbatch *b, const idbpq_store_desc *store,
                                idbpq_value **key, idbpq_value **value, idbpq_error *e)
{
    const uint8_t *kp, *vp;
    uint32_t kn, vn, nx;
    size_t at = (size_t)(f->p - f->start);
    if (!take_bytes(f, &kp, &kn) || !take_bytes(f, &vp, &vn) || !take(f, &nx, 4))
        return idbpq__verr(e, IDBPQ_CORRUPT, at, "record framing cut short");
    struct idbpq__ldb_xobj *x = NULL;
    struct blob_data d = {NULL, NULL};
    if (nx) {
        if (nx > (size_t)(f->end - f->p) / 28)
            return idbpq__verr(e, IDBPQ_CORRUPT, at, "%u blobs cannot fit in the batch", nx);
        x = idbpq_vbatch_alloc(b, nx * sizeof *x);
        d.bytes = idbpq_vbatch_alloc(b, nx * sizeof *d.bytes);
        d.lens = idbpq_vbatch_alloc(b, nx * sizeof *d.lens);
        if (!x || !d.bytes || !d.lens) return IDBPQ_NOMEM;
        memset(x, 0, nx * sizeof *x);
    }
    for (uint32_t i = 0; i < nx; i++) {
        uint32_t kind;
        double size, modified;
        const uint8_t *mime, *name;
        uint32_t mn, nn;
        if (!take(f, &kind, 4) || !take(f, &size, 8) || !take(f, &modified, 8) ||
            !take_bytes(f, &mime, &mn) || !take_bytes(f, &name, &nn) ||
            !take_bytes(f, &d.bytes[i], &d.lens[i]))
            return idbpq__verr(e, IDBPQ_CORRUPT, at, "blob %u of the record cut short", i);
        if (!(size >= 0 && size <= 9007199254740992.0)) /* NaN too: a cast would trap */
            return idbpq__verr(e, IDBPQ_CORRUPT, at, "blob %u of the record: size %g", i, size);
        idbpq_value *m = idbpq_value_string_utf8(b, (const char *)mime, mn);
        idbpq_value *nm = idbpq_value_string_utf8(b, (const char *)name, nn);
        if (!m || !nm) return IDBPQ_NOMEM;
        x[i].type = kind ? IDBPQ__LDB_XO_FILE : IDBPQ__LDB_XO_BLOB;
        x[i].mime = m->u.str;
        x[i].name = nm->u.str;
        x[i].size = (int64_t)size;
        x[i].last_modified_ms = modified;
    }
    *key = NULL;
    if (kn) {
        idbpq_v8_opts o;
        idbpq_v8_opts_init(&o);
        idbpq_status st = idbpq_v8_decode(b, kp, kn, &o, key, e);
        if (st != IDBPQ_OK) return st;
    }
    struct idbpq__stored_value sv = {vp, vn, x, nx, load_blob, &d};
    return idbpq__idb_value_decode(b, &sv, store, *key, value, e);
}

static idbpq_status put_u32(struct idbpq__buf *o, uint32_t v) { return idbpq__buf_append(o, &v, 4); }

static idbpq_status put_bytes(struct idbpq__buf *o, const void *p, size_t n)
{
    IDBPQ__TRY(put_u32(o, (uint32_t)n));
    return idbpq__buf_append(o, p, n);
}

static idbpq_status put_str(struct idbpq__buf *o, const idbpq_value *s)
{
    if (!s || s->type != IDBPQ_V_STRING) return put_u32(o, 0);
    uint8_t tmp[256];
    size_t need = (size_t)s->u.str.len * 3;
    uint8_t *u = need <= sizeof tmp ? tmp : malloc(need ? need : 1);
    if (!u) return IDBPQ_NOMEM;
    int lone = 0;
    size_t n = idbpq__str_to_utf8(&s->u.str, u, &lone);
    idbpq_status st = put_bytes(o, u, n);
    if (u != tmp) free(u);
    return st;
}

/* Numbers the Blobs of a record being sent to JavaScript, in the order the encoder writes. */
struct blob_list {
    idbpq_value **v;
    uint32_t n, cap;
};

static idbpq_status number_blob(void *ctx, idbpq_value *v)
{
    struct blob_list *l = ctx;
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? 2 * l->cap : 8;
        idbpq_value **g = realloc(l->v, cap * sizeof *g);
        if (!g) return IDBPQ_NOMEM;
        l->v = g;
        l->cap = cap;
    }
    v->u.blob.index = l->n;
    l->v[l->n++] = v;
    return IDBPQ_OK;
}

/* Appends one framed record (key may be NULL). */
static idbpq_status write_record(struct idbpq__buf *o, idbpq_vbatch *b, struct blob_list *bl,
                                 const idbpq_value *key, idbpq_value *value, idbpq_error *e)
{
    idbpq_v8_opts opts;
    idbpq_v8_opts_init(&opts);
    idbpq_buffer tmp;
    idbpq_buffer_init(&tmp, NULL);
    bl->n = 0;
    idbpq_status st = idbpq__value_each_blob(b, value, number_blob, bl);
    if (st == IDBPQ_OK && key) st = idbpq_v8_encode(key, &opts, &tmp, e);
    size_t klen = tmp.len;
    if (st == IDBPQ_OK) st = idbpq_v8_encode(value, &opts, &tmp, e);
    if (st == IDBPQ_OK) st = put_bytes(o, tmp.data, klen);
    if (st == IDBPQ_OK) st = put_bytes(o, tmp.data + klen, tmp.len - klen);
    idbpq_buffer_free(&tmp);
    if (st == IDBPQ_OK) st = put_u32(o, bl->n);
    for (uint32_t i = 0; st == IDBPQ_OK && i < bl->n; i++) {
        const idbpq_value *x = bl->v[i];
        double size = (double)x->u.blob.size, modified = x->u.blob.last_modified;
        uint32_t kind = x->type == IDBPQ_V_FILE;
        if ((st = put_u32(o, kind)) != IDBPQ_OK || (st = idbpq__buf_append(o, &size, 8)) ||
            (st = idbpq__buf_append(o, &modified, 8)) || (st = put_str(o, x->u.blob.mime)) ||
            (st = put_str(o, kind ? x->u.blob.name : NULL)))
            break;
        if (!x->u.blob.bytes && x->u.blob.size)
            st = idbpq__verr(e, IDBPQ_CORRUPT, 0, "a Blob of %llu bytes without its contents",
                             (unsigned long long)x->u.blob.size);
        else
            st = put_bytes(o, x->u.blob.bytes, (size_t)x->u.blob.size);
    }
    return st;
}

/* ---- writer: records -> Parquet ------------------------------------------------------------ */

typedef struct ipq_writer {
    idbpq_record_writer *rw;
    idbpq_vbatch *b;              /* the values of the batch being written */
    idbpq_vbatch *sb;             /* the store description */
    idbpq_store_desc store;
    struct idbpq__buf out;        /* Parquet bytes JavaScript has not taken yet */
    int begun;
    idbpq_record_stats stats;
} ipq_writer;

static idbpq_status out_write(void *ctx, const void *buf, size_t len)
{
    return idbpq__buf_append(&((ipq_writer *)ctx)->out, buf, len);
}

EXPORT(ipq_writer_free) void ipq_writer_free(ipq_writer *w)
{
    if (!w) return;
    idbpq_record_writer_free(w->rw);
    idbpq_vbatch_free(w->b);
    idbpq_vbatch_free(w->sb);
    idbpq__buf_free(&w->out);
    free(w);
}

/* store_json: the store description (origin, database, version, name, keyPath,
 * autoIncrement, keyGenerator, indexes) as the file metadata writes it. */
EXPORT(ipq_writer_new)
ipq_writer *ipq_writer_new(const char *store_json, uint32_t json_len, int codec, int level,
                           double row_group_bytes, int mixed_as_json)
{
    ipq_writer *w = calloc(1, sizeof *w);
    if (!w) {
        set_err("out of memory");
        return NULL;
    }
    idbpq__buf_init(&w->out, NULL);
    struct idbpq__err err = {0};
    idbpq_status st = idbpq_vbatch_create(&w->b, NULL);
    if (st == IDBPQ_OK) st = idbpq_vbatch_create(&w->sb, NULL);
    if (st == IDBPQ_OK)
        st = idbpq__store_json_read(w->sb, store_json, json_len, &w->store, &err);
    if (st != IDBPQ_OK) {
        set_err("%s", err.msg[0] ? err.msg : idbpq_status_str(st));
        ipq_writer_free(w);
        return NULL;
    }
    idbpq_record_writer_opts o;
    idbpq_record_writer_opts_init(&o);
    o.parquet.codec = (idbpq_codec)codec;
    o.parquet.level = level;
    if (!(row_group_bytes >= 0 && row_group_bytes <= 1e15)) {
        set_err("row group budget %g is not a byte count", row_group_bytes);
        ipq_writer_free(w);
        return NULL;
    }
    if (row_group_bytes >= 1) o.parquet.row_group_bytes = (uint64_t)row_group_bytes;
    /* Row groups a browser can read back one at a time (an import loads one whole group),
     * and that readers can skip by: DuckDB's size, where the library's default is 2^20. */
    o.parquet.max_row_group_rows = 122880;
    /* One pass holds its sample decoded (several times its wire size) while writing it into
     * the first row group: a quarter of the budget keeps the two together near the budget,
     * where the library's default (the whole budget) peaked at over 3 times it. */
    o.sample_bytes = o.parquet.row_group_bytes / 4 > (1u << 20) ? o.parquet.row_group_bytes / 4
                                                               : (1u << 20);
    o.mixed_as_json = mixed_as_json;
    if ((st = idbpq_record_writer_create(&w->rw, &w->store, &o, NULL)) != IDBPQ_OK) {
        set_err("%s", w->rw ? idbpq_record_writer_errmsg(w->rw) : idbpq_status_str(st));
        ipq_writer_free(w);
        return NULL;
    }
    return w;
}

static int fail_writer(ipq_writer *w, uint32_t i, idbpq_status st, const idbpq_error *e)
{
    const char *m = e && e->msg[0] ? e->msg : idbpq_record_writer_errmsg(w->rw);
    set_err("record %u of the batch: %s", i, m && m[0] ? m : idbpq_status_str(st));
    return -1;
}

/* Decodes every record of the batch and observes (pass 1) or writes it. Returns the number
 * of records, or -1. */
static int writer_batch(ipq_writer *w, const uint8_t *batch, uint32_t len, int observe)
{
    struct frame f = {batch, batch, batch + len};
    idbpq_vbatch_reset(w->b);
    uint32_t i = 0;
    if (!observe && !w->begun) {
        idbpq_sink sink = {w, out_write, "parquet"};
        idbpq_status st = idbpq_record_writer_begin(w->rw, &sink);
        if (st != IDBPQ_OK) return fail_writer(w, 0, st, NULL);
        w->begun = 1;
    }
    for (; f.p < f.end; i++) {
        idbpq_value *key, *value;
        idbpq_error e = {0};
        idbpq_status st = read_record(&f, w->b, &w->store, &key, &value, &e);
        if (st == IDBPQ_OK) {
            e.msg[0] = 0;
            st = observe ? idbpq_record_writer_observe(w->rw, key, value)
                         : idbpq_record_writer_write(w->rw, key, value);
        }
        if (st != IDBPQ_OK) return fail_writer(w, i, st, &e);
    }
    return (int)i;
}

EXPORT(ipq_writer_observe) int ipq_writer_observe(ipq_writer *w, const uint8_t *p, uint32_t n)
{
    return writer_batch(w, p, n, 1);
}

EXPORT(ipq_writer_write) int ipq_writer_write(ipq_writer *w, const uint8_t *p, uint32_t n)
{
    return writer_batch(w, p, n, 0);
}

EXPORT(ipq_writer_finish) int ipq_writer_finish(ipq_writer *w)
{
    if (!w->begun && writer_batch(w, NULL, 0, 0) < 0) return -1;
    idbpq_status st = idbpq_record_writer_finish(w->rw, &w->stats);
    if (st != IDBPQ_OK) return fail_writer(w, 0, st, NULL);
    return 0;
}

EXPORT(ipq_writer_out) const uint8_t *ipq_writer_out(ipq_writer *w) { return w->out.p; }
EXPORT(ipq_writer_out_len) uint32_t ipq_writer_out_len(ipq_writer *w) { return (uint32_t)w->out.len; }
EXPORT(ipq_writer_out_clear) void ipq_writer_out_clear(ipq_writer *w) { w->out.len = 0; }

/* After finish: 0 records, 1 records in `_raw`, 2 leaf columns, 3 file bytes. */
EXPORT(ipq_writer_stat) double ipq_writer_stat(ipq_writer *w, int which)
{
    switch (which) {
    case 0: return (double)w->stats.records;
    case 1: return (double)w->stats.fallbacks;
    case 2: return (double)w->stats.columns;
    case 3: return (double)w->stats.bytes_out;
    default: return -1;
    }
}

/* ---- reader: Parquet -> records ------------------------------------------------------------ */

/* The file is not in memory: JavaScript loads its footer, then one row group's byte range at
 * a time (the ranges are in ipq_reader_info), and the reader reads from those windows. */
struct window {
    double off;
    uint8_t *p;
    uint32_t len;
};

typedef struct ipq_reader {
    idbpq_source src;
    struct window head, tail, cur;
    uint8_t magic[4];             /* the head window: the file's leading magic */
    idbpq_reader *r;
    idbpq_record_reader *rr;
    idbpq_vbatch *b;
    struct idbpq__buf out;
    struct blob_list blobs;
    char name[256];
    char key_column[256];
} ipq_reader;

static idbpq_status window_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    ipq_reader *h = ctx;
    const struct window *w[3] = {&h->cur, &h->tail, &h->head};
    for (int i = 0; i < 3; i++) {
        double o = (double)off;
        if (w[i]->p && o >= w[i]->off && o + (double)len <= w[i]->off + w[i]->len) {
            memcpy(buf, w[i]->p + (size_t)(o - w[i]->off), len);
            return IDBPQ_OK;
        }
    }
    set_err("%s: bytes %llu..%llu are outside the footer and the row group loaded", h->name,
            (unsigned long long)off, (unsigned long long)(off + len));
    return IDBPQ_IO;
}

EXPORT(ipq_reader_free) void ipq_reader_free(ipq_reader *h)
{
    if (!h) return;
    idbpq_record_reader_free(h->rr);
    idbpq_reader_free(h->r);
    idbpq_vbatch_free(h->b);
    idbpq__buf_free(&h->out);
    free(h->blobs.v);
    free(h->tail.p);
    free(h->cur.p);
    free(h);
}

/* head: the file's first 4 bytes (copied). tail: its last tail_len bytes (at least the
 * footer, its length and the magic), allocated with ipq_alloc; the handle owns it from now
 * on, also when opening fails.
 * key_column: "" for none. int64_bigint, map_object: idbpq_record_reader_opts. */
EXPORT(ipq_reader_open)
ipq_reader *ipq_reader_open(double size, const uint8_t *head, uint8_t *tail, uint32_t tail_len,
                            const char *name,
                            const char *key_column, int int64_bigint, int map_object)
{
    ipq_reader *h = calloc(1, sizeof *h);
    if (!h) {
        free(tail);
        set_err("out of memory");
        return NULL;
    }
    if (!(size >= tail_len && size <= 9007199254740992.0)) { /* NaN too */
        free(tail);
        free(h);
        set_err("file size %g does not hold the %u bytes read from its end", size, tail_len);
        return NULL;
    }
    idbpq__buf_init(&h->out, NULL);
    snprintf(h->name, sizeof h->name, "%s", name && name[0] ? name : "parquet");
    snprintf(h->key_column, sizeof h->key_column, "%s", key_column ? key_column : "");
    memcpy(h->magic, head, 4);
    h->head = (struct window){0, h->magic, 4};
    h->tail = (struct window){size - tail_len, tail, tail_len};
    h->src = (idbpq_source){h, (uint64_t)size, window_read, NULL, h->name};
    errmsg[0] = 0;
    char err[512] = "";
    idbpq_reader_opts ro;
    idbpq_reader_opts_init(&ro);
    idbpq_status st = idbpq_reader_open(&h->r, &h->src, &ro, NULL, err, sizeof err);
    if (st != IDBPQ_OK) {
        if (err[0]) set_err("%s", err);
        else if (!errmsg[0]) set_err("%s: %s", h->name, idbpq_status_str(st));
        ipq_reader_free(h);
        return NULL;
    }
    idbpq_record_reader_opts o;
    idbpq_record_reader_opts_init(&o);
    o.int64_bigint = int64_bigint;
    o.map_object = map_object;
    o.key_column = h->key_column[0] ? h->key_column : NULL;
    if ((st = idbpq_vbatch_create(&h->b, NULL)) != IDBPQ_OK ||
        (st = idbpq_record_reader_open(&h->rr, h->r, &o, NULL)) != IDBPQ_OK) {
        set_err("%s: %s", h->name, h->rr ? idbpq_record_reader_errmsg(h->rr)
                                          : idbpq_status_str(st));
        ipq_reader_free(h);
        return NULL;
    }
    return h;
}

static void put_json_str(struct idbpq__buf *o, const char *s, idbpq_vbatch *b)
{
    idbpq_value *v = s ? idbpq_value_string_utf8(b, s, strlen(s)) : NULL;
    idbpq_buffer t;
    idbpq_buffer_init(&t, NULL);
    if (v && idbpq_tjson_write(v, &t) == IDBPQ_OK) idbpq__buf_append(o, t.data, t.len);
    else idbpq__buf_append(o, "null", 4);
    idbpq_buffer_free(&t);
}

static void put_text(struct idbpq__buf *o, const char *s) { idbpq__buf_append(o, s, strlen(s)); }

/* The byte range a row group's column chunks occupy (as column_cursor.c reads them). */
static void row_group_range(const idbpq_row_group_meta *g, double *start, double *end)
{
    *start = -1;
    *end = 0;
    for (int32_t c = 0; c < g->num_columns; c++) {
        const idbpq_column_chunk_meta *m = &g->columns[c];
        int64_t s = idbpq__chunk_start(m);
        if (*start < 0 || (double)s < *start) *start = (double)s;
        if ((double)(s + m->total_compressed_size) > *end)
            *end = (double)(s + m->total_compressed_size);
    }
    if (*start < 0) *start = 0;
}

/* The file as JSON: {"numRows","createdBy","native","store","columns":[{path,type,
 * logicalType,codec}],"rowGroups":[{rows,start,end}]}. Returns its length (the text is at
 * ipq_reader_out), or -1. */
EXPORT(ipq_reader_info) int ipq_reader_info(ipq_reader *h)
{
    struct idbpq__buf *o = &h->out;
    const idbpq_file_meta *m = idbpq_reader_meta(h->r);
    const idbpq_schema *s = idbpq_reader_schema(h->r);
    idbpq_vbatch_reset(h->b);
    char tmp[320];
    o->len = 0;
    snprintf(tmp, sizeof tmp, "{\"numRows\":%lld,\"native\":%s,\"createdBy\":",
             (long long)m->num_rows, idbpq_record_reader_native(h->rr) ? "true" : "false");
    put_text(o, tmp);
    put_json_str(o, m->created_by, h->b);
    put_text(o, ",\"store\":");
    idbpq_buffer sj;
    idbpq_buffer_init(&sj, NULL);
    if (idbpq__store_json_write(idbpq_record_reader_store(h->rr), &sj) != IDBPQ_OK) {
        idbpq_buffer_free(&sj);
        set_err("out of memory");
        return -1;
    }
    idbpq__buf_append(o, sj.data, sj.len);
    idbpq_buffer_free(&sj);
    put_text(o, ",\"columns\":[");
    for (int32_t c = 0; c < idbpq_schema_num_columns(s); c++) {
        const idbpq_schema_node *n = idbpq_schema_column(s, c);
        char ann[256];
        idbpq_schema_node_annotation(n, ann, sizeof ann);
        const char *codec = m->num_row_groups && c < m->row_groups[0].num_columns
                                ? idbpq_codec_name(m->row_groups[0].columns[c].codec)
                                : NULL;
        put_text(o, c ? ",{\"path\":" : "{\"path\":");
        put_json_str(o, n->path, h->b);
        snprintf(tmp, sizeof tmp, ",\"type\":\"%s\",\"logicalType\":",
                 idbpq_type_name(n->type) ? idbpq_type_name(n->type) : "?");
        put_text(o, tmp);
        put_json_str(o, ann, h->b);
        put_text(o, ",\"codec\":");
        put_json_str(o, codec ? codec : "", h->b);
        put_text(o, "}");
    }
    put_text(o, "],\"rowGroups\":[");
    for (int32_t g = 0; g < m->num_row_groups; g++) {
        double start, end;
        row_group_range(&m->row_groups[g], &start, &end);
        snprintf(tmp, sizeof tmp, "%s{\"rows\":%lld,\"start\":%.0f,\"end\":%.0f}", g ? "," : "",
                 (long long)m->row_groups[g].num_rows, start, end);
        put_text(o, tmp);
    }
    put_text(o, "]}");
    if (idbpq__buf_append(o, "", 0) != IDBPQ_OK || !o->p) {
        set_err("out of memory");
        return -1;
    }
    return (int)o->len;
}

/* The bytes [off, off + len) of the file, allocated with ipq_alloc; the handle owns them
 * (and frees the previous window). */
EXPORT(ipq_reader_window) void ipq_reader_window(ipq_reader *h, double off, uint8_t *p, uint32_t len)
{
    free(h->cur.p);
    h->cur = (struct window){off, p, len};
}

/* Up to max_records records (stopping early past max_bytes of output) into ipq_reader_out.
 * Returns how many (0 after the last), or -1. */
EXPORT(ipq_reader_next) int ipq_reader_next(ipq_reader *h, uint32_t max_records, uint32_t max_bytes)
{
    h->out.len = 0;
    uint32_t n = 0;
    while (n < max_records && h->out.len < max_bytes) {
        idbpq_vbatch_reset(h->b);
        idbpq_value *key = NULL, *value = NULL;
        errmsg[0] = 0;
        idbpq_status st = idbpq_record_reader_next(h->rr, h->b, &key, &value);
        if (st == IDBPQ_END) break;
        if (st != IDBPQ_OK) {
            /* A read outside the windows set errmsg itself; the reader's message names the
             * file and the position. */
            const char *m = idbpq_record_reader_errmsg(h->rr);
            if (m && m[0]) set_err("%s", m);
            else if (!errmsg[0]) set_err("%s: %s", h->name, idbpq_status_str(st));
            return -1;
        }
        idbpq_error e = {0};
        if ((st = write_record(&h->out, h->b, &h->blobs, key, value, &e)) != IDBPQ_OK) {
            set_err("%s: record cannot be handed over: %s", h->name,
                    e.msg[0] ? e.msg : idbpq_status_str(st));
            return -1;
        }
        n++;
    }
    return (int)n;
}

EXPORT(ipq_reader_out) const uint8_t *ipq_reader_out(ipq_reader *h) { return h->out.p; }
EXPORT(ipq_reader_out_len) uint32_t ipq_reader_out_len(ipq_reader *h) { return (uint32_t)h->out.len; }
