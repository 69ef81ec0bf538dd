/*
 * record_writer.c — the public record writer: records in, one Parquet file out.
 *
 * Two passes (observe everything, begin, write everything) give the exact schema with memory
 * for the shapes only. One pass holds a sample (copies of the first records, up to
 * sample_bytes), infers from it, writes it, and sends later records that do not fit to
 * `_raw`. Either way rows stream to the Parquet writer, whose buffered row group is the
 * other bound on memory. Keys are checked for order as they pass: when every key came in
 * IndexedDB order the file declares sorting_columns on the key column.
 *
 * A Delta table's files must all share one schema (idbpq__record_writer_fix): the writer
 * then takes the schema and type map of an existing file instead of inferring one, and
 * sends whatever does not fit to `_raw` / `_raw_key` as the one-pass mode does.
 */
#include <math.h>

#include "mapping/mapping.h"

enum { S_NEW, S_OBSERVING, S_SAMPLING, S_WRITING, S_FINISHED, S_BROKEN };

struct sample_rec {
    idbpq_value *key, *value;
    const char *extra;                 /* the extra column's text (NULL: null) */
    size_t extra_n;
};

struct idbpq_record_writer {
    const idbpq_allocator *alc;
    idbpq_record_writer_opts opts;
    struct idbpq__arena keep;          /* store copy, jsnodes */
    idbpq_store_desc store;
    int state;
    struct idbpq__err err;
    struct idbpq__infer infer;
    uint64_t observed;
    idbpq_schema *schema;
    struct idbpq__typemap tm;
    struct idbpq__todatum td;
    idbpq_writer *pw;
    idbpq_sink sink;
    idbpq_vbatch *sample;              /* one pass: the held records */
    struct idbpq__buf sample_recs;     /* struct sample_rec[] */
    idbpq_vbatch *scratch;             /* per record: extracted keys */
    idbpq_buffer raw;                  /* `_raw` text of the current record */
    idbpq_buffer key_now, key_prev;    /* sortable codings: order check */
    uint32_t key_types;                /* bit per idbpq_key_type seen */
    int key_high_units;                /* a string key with units >= U+D800 */
    int sorted;
    double max_number_key;             /* for the key generator */
    idbpq_keygen gen_observe, gen;     /* the reader's key generator replayed over the records
                                          of each pass (key_of) */
    idbpq_record_stats stats;
    /* Fixed schema (idbpq__record_writer_fix) */
    int fixed;                         /* fix() was called */
    idbpq_schema *tmpl;                /* the template's schema, copied; NULL: infer */
    idbpq_vbatch *tmpl_nodes;          /* the template's decoded type map lives here */
    const char *extra;                 /* extra STRING column at the root, or NULL */
    int32_t extra_node;
    void (*on_row)(void *ctx, const idbpq_datum *row);
    void *on_row_ctx;
};

void idbpq_record_writer_opts_init(idbpq_record_writer_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = (uint32_t)sizeof *o;
    idbpq_writer_opts_init(&o->parquet);
    o->shred_variants = 1;
    o->max_columns = 4000;
    o->max_depth = 24;
}

static idbpq_status fail_state(idbpq_record_writer *w, const char *what)
{
    return idbpq__fail(&w->err, IDBPQ_STATE, "%s: not valid now (%s)", what,
                       w->state == S_BROKEN ? "the writer failed earlier"
                       : w->state == S_FINISHED ? "the writer is finished"
                                                : "call order: observe*, begin, write*, finish");
}

idbpq_status idbpq_record_writer_create(idbpq_record_writer **out, const idbpq_store_desc *store,
                                        const idbpq_record_writer_opts *opts,
                                        const idbpq_allocator *alc)
{
    if (!out) return IDBPQ_INVALID_ARG;
    *out = NULL;
    alc = idbpq__alc(alc);
    idbpq_record_writer *w = idbpq__calloc(alc, sizeof *w);
    if (!w) return IDBPQ_NOMEM;
    w->alc = alc;
    if (opts) {
        if (opts->struct_size != sizeof *opts) {
            idbpq__free(alc, w, sizeof *w);
            return IDBPQ_INVALID_ARG;
        }
        w->opts = *opts;
    } else {
        idbpq_record_writer_opts_init(&w->opts);
    }
    if (!w->opts.max_columns) w->opts.max_columns = 4000;
    if (!w->opts.max_depth) w->opts.max_depth = 24;
    if (!w->opts.sample_bytes) {
        uint64_t rg = w->opts.parquet.row_group_bytes;
        w->opts.sample_bytes = rg && rg < (64u << 20) ? rg : (64u << 20);
    }
    idbpq__arena_init(&w->keep, alc);
    idbpq__buf_init(&w->sample_recs, alc);
    idbpq_buffer_init(&w->raw, alc);
    idbpq_buffer_init(&w->key_now, alc);
    idbpq_buffer_init(&w->key_prev, alc);
    w->sorted = 1;
    w->max_number_key = 0;
    idbpq_keygen_init(&w->gen_observe);
    idbpq_keygen_init(&w->gen);
    idbpq_status st = idbpq__store_copy(&w->keep, store, &w->store);
    if (st == IDBPQ_OK) st = idbpq__infer_init(&w->infer, alc, 0, w->opts.max_depth);
    if (st == IDBPQ_OK) st = idbpq_vbatch_create(&w->scratch, alc);
    if (st != IDBPQ_OK) {
        idbpq_record_writer_free(w);
        return st;
    }
    *out = w;
    return IDBPQ_OK;
}

void idbpq_record_writer_free(idbpq_record_writer *w)
{
    if (!w) return;
    idbpq_writer_free(w->pw);
    idbpq__todatum_free(&w->td);
    idbpq_schema_free(w->schema);
    idbpq_schema_free(w->tmpl);
    idbpq_vbatch_free(w->tmpl_nodes);
    idbpq__infer_free(&w->infer);
    idbpq_vbatch_free(w->sample);
    idbpq_vbatch_free(w->scratch);
    idbpq__buf_free(&w->sample_recs);
    idbpq_buffer_free(&w->raw);
    idbpq_buffer_free(&w->key_now);
    idbpq_buffer_free(&w->key_prev);
    idbpq__arena_free(&w->keep);
    idbpq__free(w->alc, w, sizeof *w);
}

const char *idbpq_record_writer_errmsg(const idbpq_record_writer *w)
{
    return w ? w->err.msg : "no record writer";
}

static int out_of_line(const idbpq_record_writer *w) { return w->store.key_path.type == 0; }

/* The record's key as an IndexedDB key (extracted for in-line stores). With out-of-line keys
 * *norm gets the key's canonical value, idbpq_key_to_value(*out), in scratch: the `_key`
 * column is inferred from and written with that form, never the caller's. A key is only a
 * key: an ArrayBuffer and a Uint8Array (or a DataView, or a view of part of a buffer) over
 * the same bytes are one binary key, and an array key may repeat a Date. As values they do
 * not all fit one column (a BYTE_ARRAY column or a VARIANT's binary holds one binary kind; a
 * VARIANT refuses a shared Date), and a key that does not fit fails the write: there is no
 * `_raw` for keys in two passes. The reader gives keys in the canonical form anyway. */
static idbpq_status key_of(idbpq_record_writer *w, const idbpq_value *key, const idbpq_value *value,
                           idbpq_key **out, const idbpq_value **norm, idbpq_keygen *gen)
{
    *norm = NULL;
    idbpq_error e;
    idbpq_status st;
    if (out_of_line(w)) {
        if (!key)
            return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                               "record %llu: no key (the store has no key path)",
                               (unsigned long long)w->stats.records);
        st = idbpq_key_from_value(w->scratch, key, out, &e);
    } else {
        st = idbpq_key_extract(w->scratch, value, &w->store.key_path, out, &e);
        if (st == IDBPQ_END && w->store.auto_increment) {
            *out = NULL; /* the key generator would have made one: nothing to check */
            /* ...unless it is spent. The reader makes that key by replaying the generator
             * over the rows (from 1, moved past explicit number keys: record_reader.c), and
             * IndexedDB refuses to generate past 2^53 (ConstraintError): after a key above
             * 2^53 such a record could be neither stored nor read back. gen: the generator
             * of this pass, NULL when the record was counted already (a held sample). */
            double next;
            if (gen && idbpq_keygen_next(gen, &next) != IDBPQ_OK)
                return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                                   "record %llu: no key, and the key generator is past 2^53",
                                   (unsigned long long)w->stats.records);
            return IDBPQ_OK;
        }
        if (st == IDBPQ_END)
            return idbpq__fail(&w->err, IDBPQ_INVALID_ARG,
                               "record %llu: the key path does not resolve in the value",
                               (unsigned long long)w->stats.records);
    }
    if (st != IDBPQ_OK)
        return idbpq__fail(&w->err, st, "record %llu: invalid key: %s",
                           (unsigned long long)w->stats.records, e.msg);
    if (out_of_line(w) && !(*norm = idbpq_key_to_value(w->scratch, *out)))
        return idbpq__fail(&w->err, IDBPQ_NOMEM, "out of memory");
    if (gen && !out_of_line(w)) idbpq_keygen_update(gen, *out); /* as the reader does */
    return IDBPQ_OK;
}

idbpq_status idbpq_record_writer_observe(idbpq_record_writer *w, const idbpq_value *key,
                                         const idbpq_value *value)
{
    if (!w || !value) return IDBPQ_INVALID_ARG;
    if (w->state != S_NEW && w->state != S_OBSERVING) return fail_state(w, "observe");
    w->state = S_OBSERVING;
    idbpq_vbatch_reset(w->scratch);
    idbpq_key *k;
    const idbpq_value *kv;
    IDBPQ__TRY(key_of(w, key, value, &k, &kv, &w->gen_observe));
    w->observed++;
    idbpq_status st = idbpq__infer_add(&w->infer, kv, value);
    if (st != IDBPQ_OK) w->state = S_BROKEN;
    return st;
}

/* ---- starting the file ---------------------------------------------------------------------- */

/* A copy of schema s (node numbers kept: nodes are added in footer order), plus a STRING
 * column `extra` at the end of the root when given (its node is the last one). */
static idbpq_status schema_copy(idbpq_record_writer *w, const idbpq_schema *s, const char *extra,
                                idbpq_schema **out)
{
    idbpq_schema *c;
    IDBPQ__TRY(idbpq_schema_create(&c, w->alc));
    idbpq_status st = IDBPQ_OK;
    int32_t n = idbpq_schema_num_nodes(s), node;
    for (int32_t i = 1; i < n && st == IDBPQ_OK; i++) {
        const idbpq_schema_node *g = idbpq_schema_node_at(s, i);
        st = idbpq_schema_add(c, g->parent, g->name, g->repetition, g->type, g->type_length,
                              g->logical.kind == IDBPQ_LT_NONE ? NULL : &g->logical, &node);
        if (st == IDBPQ_OK && node != i) st = IDBPQ_INVALID_ARG;
    }
    if (st == IDBPQ_OK && extra) {
        for (int32_t i = 1; i < n; i++)
            if (idbpq_schema_node_at(s, i)->parent == 0 &&
                strcmp(idbpq_schema_node_at(s, i)->name, extra) == 0)
                st = idbpq__fail(&w->err, IDBPQ_SCHEMA, "the schema has a column %s already",
                                 extra);
        idbpq_logical l;
        memset(&l, 0, sizeof l);
        l.kind = IDBPQ_LT_STRING;
        if (st == IDBPQ_OK)
            st = idbpq_schema_add(c, 0, extra, IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &l,
                                  &w->extra_node);
    }
    if (st == IDBPQ_OK) st = idbpq_schema_finish(c);
    if (st != IDBPQ_OK) {
        if (!w->err.msg[0]) idbpq__fail(&w->err, st, "schema copy: %s", idbpq_schema_errmsg(c));
        idbpq_schema_free(c);
        return st;
    }
    *out = c;
    return IDBPQ_OK;
}

static idbpq_status start(idbpq_record_writer *w)
{
    if (w->tmpl) {
        /* The template's schema and type map (decoded in fix()); nothing is inferred. */
        IDBPQ__TRY(schema_copy(w, w->tmpl, w->extra, &w->schema));
    } else {
        struct idbpq__plan_opts po;
        memset(&po, 0, sizeof po);
        po.mixed_as_json = w->opts.mixed_as_json;
        po.shred_variants = w->opts.shred_variants;
        po.max_columns = w->opts.max_columns;
        po.max_depth = w->opts.max_depth;
        po.out_of_line_key = out_of_line(w);
        /* A fixed-schema file may become the template of later ones: keys they cannot
         * hold need `_raw_key` even when this file saw every key. */
        po.one_pass = w->observed == 0 || w->fixed;
        po.delta_names = w->fixed;
        IDBPQ__TRY(idbpq__plan(&w->infer, &po, &w->keep, w->alc, &w->schema, &w->tm, &w->err));
        if (w->extra) {
            idbpq_schema *planned = w->schema;
            w->schema = NULL;
            idbpq_status st = schema_copy(w, planned, w->extra, &w->schema);
            idbpq_schema_free(planned);
            IDBPQ__TRY(st);
        }
    }
    IDBPQ__TRY(idbpq__todatum_init(&w->td, w->schema, w->alc));
    w->td.max_depth = w->opts.max_depth + 40;
    w->td.one_pass = w->observed == 0 || w->fixed;
    idbpq_status st = idbpq_writer_open(&w->pw, w->schema, &w->sink, &w->opts.parquet, w->alc);
    if (st != IDBPQ_OK)
        return idbpq__fail(&w->err, st, "%s", idbpq_writer_errmsg(NULL));
    w->stats.columns = (uint32_t)idbpq_schema_num_columns(w->schema);
    w->state = S_WRITING;
    return IDBPQ_OK;
}

idbpq_status idbpq__record_writer_fix(idbpq_record_writer *w, const struct idbpq__rw_fixed *f)
{
    if (!w || !f) return IDBPQ_INVALID_ARG;
    if (w->state != S_NEW || w->fixed) return fail_state(w, "fix");
    w->fixed = 1;
    w->on_row = f->on_row;
    w->on_row_ctx = f->on_row_ctx;
    if (f->extra && !(w->extra = idbpq__arena_strndup(&w->keep, f->extra, strlen(f->extra))))
        return IDBPQ_NOMEM;
    if (!f->schema) return IDBPQ_OK;
    if (!f->typemap)
        return idbpq__fail(&w->err, IDBPQ_INVALID_ARG, "a template needs its type map");
    IDBPQ__TRY(schema_copy(w, f->schema, NULL, &w->tmpl));
    IDBPQ__TRY(idbpq_vbatch_create(&w->tmpl_nodes, w->alc));
    idbpq_store_desc ignored;
    idbpq_status st = idbpq__typemap_decode(w->tmpl_nodes, w->tmpl, f->typemap, f->typemap_len,
                                            &w->tm, &ignored, &w->err);
    if (st != IDBPQ_OK) return st;
    if (w->tm.has_key != out_of_line(w))
        return idbpq__fail(&w->err, IDBPQ_SCHEMA,
                           "the template %s a `_key` column but the store's keys are %s",
                           w->tm.has_key ? "has" : "lacks", out_of_line(w) ? "out-of-line"
                                                                            : "in-line");
    return IDBPQ_OK;
}

const idbpq_schema *idbpq__record_writer_schema(const idbpq_record_writer *w)
{
    return w && w->state >= S_WRITING ? w->schema : NULL;
}

idbpq_status idbpq_record_writer_begin(idbpq_record_writer *w, const idbpq_sink *sink)
{
    if (!w || !sink || !sink->write) return IDBPQ_INVALID_ARG;
    if (w->state != S_NEW && w->state != S_OBSERVING) return fail_state(w, "begin");
    w->sink = *sink;
    if (w->state == S_NEW && !w->tmpl) {
        w->state = S_SAMPLING;
        return idbpq_vbatch_create(&w->sample, w->alc);
    }
    idbpq_status st = start(w);
    if (st != IDBPQ_OK) w->state = S_BROKEN;
    return st;
}

/* ---- writing -------------------------------------------------------------------------------- */

/* Order of keys and the key generator's state. */
static idbpq_status track_key(idbpq_record_writer *w, const idbpq_key *k)
{
    if (!k) {
        w->sorted = 0;
        return IDBPQ_OK;
    }
    w->key_types |= 1u << k->type;
    if (k->type == IDBPQ_KEY_NUMBER && k->u.number > w->max_number_key)
        w->max_number_key = k->u.number;
    if (k->type == IDBPQ_KEY_STRING)
        for (uint32_t i = 0; i < k->u.str.len; i++)
            if (idbpq__str_unit(&k->u.str, i) >= 0xd800) {
                w->key_high_units = 1;
                break;
            }
    if (!w->sorted) return IDBPQ_OK;
    w->key_now.len = 0;
    IDBPQ__TRY(idbpq_key_encode_sortable(k, &w->key_now));
    if (w->stats.records > 0) {
        size_t a = w->key_prev.len, b = w->key_now.len;
        int c = memcmp(w->key_prev.data, w->key_now.data, a < b ? a : b);
        if (c > 0 || (c == 0 && a >= b)) w->sorted = 0;
    }
    idbpq_buffer t = w->key_prev;
    w->key_prev = w->key_now;
    w->key_now = t;
    return IDBPQ_OK;
}

static idbpq_status write_one(idbpq_record_writer *w, const idbpq_value *key,
                              const idbpq_value *value, idbpq_keygen *gen, const char *extra,
                              size_t extra_n)
{
    idbpq_vbatch_reset(w->scratch);
    idbpq_key *k;
    const idbpq_value *kv;
    IDBPQ__TRY(key_of(w, key, value, &k, &kv, gen));
    IDBPQ__TRY(track_key(w, k));
    idbpq_datum *row;
    IDBPQ__TRY(idbpq__todatum_row(&w->td, &w->tm, kv, value, &row, &w->err));
    if (w->td.reason >= 0) {
        w->raw.len = 0;
        idbpq_status st = idbpq_tjson_write(value, &w->raw);
        if (st != IDBPQ_OK)
            return idbpq__fail(&w->err, st, "record %llu: tagged JSON of the value failed",
                               (unsigned long long)w->stats.records);
        if (w->raw.len > UINT32_MAX)
            return idbpq__fail(&w->err, IDBPQ_LIMIT, "record %llu: value over 4 GiB",
                               (unsigned long long)w->stats.records);
        idbpq_datum *r = &row->u.items[w->td.pos[w->tm.raw_node]];
        r->kind = IDBPQ_DATUM_BYTES;
        r->len = (uint32_t)w->raw.len;
        r->u.bytes = w->raw.data;
        w->stats.fallbacks++;
        w->stats.by_reason[w->td.reason]++;
    }
    if (w->extra && extra) {
        if (extra_n > UINT32_MAX) return IDBPQ_LIMIT;
        idbpq_datum *x = &row->u.items[w->td.pos[w->extra_node]];
        x->kind = IDBPQ_DATUM_BYTES;
        x->len = (uint32_t)extra_n;
        x->u.bytes = extra_n ? (const uint8_t *)extra : (const uint8_t *)"";
    }
    if (w->on_row) w->on_row(w->on_row_ctx, row);
    idbpq_status st = idbpq_writer_write_row(w->pw, row);
    if (st != IDBPQ_OK)
        return idbpq__fail(&w->err, st, "record %llu: %s", (unsigned long long)w->stats.records,
                           idbpq_writer_errmsg(w->pw));
    w->stats.records++;
    return IDBPQ_OK;
}

/* One pass: the sample is full (or the input ended): fix the schema and write the sample. */
static idbpq_status flush_sample(idbpq_record_writer *w)
{
    IDBPQ__TRY(start(w));
    const struct sample_rec *r = (const struct sample_rec *)(void *)w->sample_recs.p;
    size_t n = w->sample_recs.len / sizeof *r;
    for (size_t i = 0; i < n; i++) IDBPQ__TRY(write_one(w, r[i].key, r[i].value, NULL, r[i].extra, r[i].extra_n));
    idbpq_vbatch_free(w->sample);
    w->sample = NULL;
    idbpq__buf_free(&w->sample_recs);
    idbpq__buf_init(&w->sample_recs, w->alc);
    return IDBPQ_OK;
}

static idbpq_status hold(idbpq_record_writer *w, const idbpq_value *key, const idbpq_value *value,
                         const char *extra, size_t extra_n)
{
    idbpq_vbatch_reset(w->scratch);
    idbpq_key *k;
    const idbpq_value *kv;
    /* refuse a bad key now, not at the flush */
    IDBPQ__TRY(key_of(w, key, value, &k, &kv, &w->gen));
    struct sample_rec r;
    r.key = kv ? idbpq_value_copy(w->sample, kv) : NULL;
    r.value = idbpq_value_copy(w->sample, value);
    r.extra = NULL;
    r.extra_n = extra_n;
    if (extra) {
        char *x = idbpq_vbatch_alloc(w->sample, extra_n + 1);
        if (!x) return IDBPQ_NOMEM;
        memcpy(x, extra, extra_n);
        r.extra = x;
    }
    if (!r.value || (kv && !r.key)) return IDBPQ_NOMEM;
    IDBPQ__TRY(idbpq__buf_append(&w->sample_recs, &r, sizeof r));
    IDBPQ__TRY(idbpq__infer_add(&w->infer, r.key, r.value));
    if (idbpq_vbatch_size(w->sample) >= w->opts.sample_bytes) return flush_sample(w);
    return IDBPQ_OK;
}

idbpq_status idbpq__record_writer_write_extra(idbpq_record_writer *w, const idbpq_value *key,
                                             const idbpq_value *value, const char *extra,
                                             size_t extra_n)
{
    if (!w || !value) return IDBPQ_INVALID_ARG;
    idbpq_status st;
    if (w->state == S_SAMPLING) st = hold(w, key, value, extra, extra_n);
    else if (w->state == S_WRITING) st = write_one(w, key, value, &w->gen, extra, extra_n);
    else return fail_state(w, "write");
    /* A bad key is the caller's mistake about one record, not a broken file. */
    if (st != IDBPQ_OK && st != IDBPQ_INVALID_ARG) w->state = S_BROKEN;
    return st;
}

idbpq_status idbpq_record_writer_write(idbpq_record_writer *w, const idbpq_value *key,
                                       const idbpq_value *value)
{
    return idbpq__record_writer_write_extra(w, key, value, NULL, 0);
}

/* ---- finishing ------------------------------------------------------------------------------ */

/* The leaf column of a single-path in-line key, or -1. */
static int32_t keypath_column(const idbpq_record_writer *w, const struct idbpq__jsnode **leaf)
{
    if (w->store.key_path.type != 1 || !w->tm.value_is_root) return -1;
    const struct idbpq__jsnode *j = &w->tm.value;
    const char *p = w->store.key_path.paths[0];
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        const struct idbpq__jsnode *next = NULL;
        for (uint32_t i = 0; j->js == IDBPQ__JS_OBJECT && i < j->n_children; i++) {
            const idbpq_str *s = &j->children[i].prop->u.str;
            if (s->len != n || s->two_byte) continue;
            if (memcmp(s->data, p, n) == 0) next = &j->children[i];
        }
        if (!next) return -1;
        j = next;
        p = dot ? dot + 1 : p + n;
    }
    *leaf = j;
    return idbpq_schema_node_at(w->schema, j->node)->column;
}

/* sorting_columns, only when it holds in Parquet's own order too. */
static idbpq_status declare_order(idbpq_record_writer *w)
{
    /* An in-line key lives in the value's columns, which a fallback record may leave null;
     * `_key` is written for every record. */
    if (!w->sorted || w->stats.records == 0 || (w->stats.fallbacks && !w->tm.has_key))
        return IDBPQ_OK;
    const struct idbpq__jsnode *j = NULL;
    int32_t col;
    if (w->tm.has_key) {
        j = &w->tm.key;
        col = idbpq_schema_node_at(w->schema, j->node)->column;
    } else {
        col = keypath_column(w, &j);
    }
    if (col < 0 || !j) return IDBPQ_OK;
    int ok = (w->key_types == 1u << IDBPQ_KEY_NUMBER &&
              (j->js == IDBPQ__JS_INT || j->js == IDBPQ__JS_DOUBLE)) ||
             (w->key_types == 1u << IDBPQ_KEY_DATE && j->js == IDBPQ__JS_DATE) ||
             (w->key_types == 1u << IDBPQ_KEY_STRING && j->js == IDBPQ__JS_STRING &&
              !w->key_high_units);
    if (!ok) return IDBPQ_OK;
    idbpq_sorting_column sc = {col, 0, 0};
    w->stats.sorted = 1;
    return idbpq_writer_set_sorting_columns(w->pw, &sc, 1);
}

static void count_variants(const struct idbpq__jsnode *j, uint32_t *n)
{
    if (j->js == IDBPQ__JS_VARIANT || j->js == IDBPQ__JS_JSON) (*n)++;
    for (uint32_t i = 0; i < j->n_children; i++) count_variants(&j->children[i], n);
}

static idbpq_status finish_inner(idbpq_record_writer *w)
{
    if (w->state == S_SAMPLING) IDBPQ__TRY(flush_sample(w));
    IDBPQ__TRY(declare_order(w));
    if (w->store.auto_increment && w->max_number_key >= w->store.key_generator) {
        double next = floor(w->max_number_key) + 1;
        w->store.key_generator = next > 9007199254740992.0 ? 9007199254740992.0 : next;
    }
    struct idbpq__meta_counts mc;
    memset(&mc, 0, sizeof mc);
    mc.records = w->stats.records;
    mc.fallbacks = w->stats.fallbacks;
    memcpy(mc.by_reason, w->stats.by_reason, sizeof mc.by_reason);
    mc.sorted = w->stats.sorted;
    idbpq_buffer doc;
    idbpq_buffer_init(&doc, w->alc);
    idbpq_status st = idbpq__typemap_encode(w->schema, &w->tm, &w->store, &mc, &doc);
    if (st == IDBPQ_OK) {
        /* The caller's key-value pairs, then ours. */
        int32_t n = w->opts.parquet.num_kv;
        idbpq_kv *kv = idbpq__arena_alloc(&w->keep, sizeof *kv * (size_t)(n + 1));
        if (!kv) st = IDBPQ_NOMEM;
        else {
            for (int32_t i = 0; i < n; i++) kv[i] = w->opts.parquet.kv[i];
            kv[n].key.ptr = (const uint8_t *)IDBPQ__META_KEY;
            kv[n].key.len = (uint32_t)strlen(IDBPQ__META_KEY);
            kv[n].value.ptr = doc.data;
            kv[n].value.len = (uint32_t)doc.len;
            kv[n].has_value = 1;
            st = idbpq_writer_set_kv(w->pw, kv, n + 1);
        }
    }
    idbpq_buffer_free(&doc);
    IDBPQ__TRY(st);
    st = idbpq_writer_finish(w->pw);
    if (st != IDBPQ_OK) return idbpq__fail(&w->err, st, "%s", idbpq_writer_errmsg(w->pw));
    w->stats.bytes_out = idbpq_writer_bytes_written(w->pw);
    count_variants(&w->tm.value, &w->stats.variant_fields);
    if (w->tm.has_key) count_variants(&w->tm.key, &w->stats.variant_fields);
    return IDBPQ_OK;
}

idbpq_status idbpq_record_writer_finish(idbpq_record_writer *w, idbpq_record_stats *stats)
{
    if (!w) return IDBPQ_INVALID_ARG;
    if (w->state != S_SAMPLING && w->state != S_WRITING) return fail_state(w, "finish");
    idbpq_status st = finish_inner(w);
    w->state = st == IDBPQ_OK ? S_FINISHED : S_BROKEN;
    if (stats) *stats = w->stats;
    return st;
}
