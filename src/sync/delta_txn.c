/*
 * delta_txn.c — one commit of a Delta table: its actions, the put-if-absent of the next log
 * version, and on a lost race the conflict check against the winners and the retry.
 *
 * The commit file holds commitInfo first (notes §1.2), then protocol and metaData when the
 * table is created or changes, the txn, removes, adds and cdc actions (PROTOCOL.md "Actions";
 * notes §3, §8 for the exact shape). Exclusivity of a version comes from io->put(if_absent):
 * link(2) on a directory, If-None-Match over HTTP (notes §5.1). A loser reads each winning
 * commit and fails with CONFLICT when the winner changed the protocol or metadata, wrote a txn
 * for our appId, removed a file we remove, or added a file whose key range (the
 * idbpq.minKey/maxKey tags; none: the whole key space) meets a key range we remove or add;
 * otherwise the same actions are retried at the next version (notes §5.2) — the data files
 * are never rewritten. A checkpoint follows every checkpoint_interval-th version
 * (delta_ckpt_write.c); its failure does not undo the commit.
 *
 * Test hook: IDBPQ_TEST_CRASH_BEFORE_COMMIT=1 in the environment ends the process (_exit 86)
 * after the data files are written and before the commit is put, as a crash there would;
 * suite 76 checks that readers still see the previous version and that a retry completes.
 */
#include "sync/delta.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mapping/mapping.h"
#include "sync/delta_write.h"

int64_t idbpq__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *idbpq__kv_find(const idbpq_kv *kv, uint32_t n, const char *key)
{
    const idbpq_kv *e = idbpq__kv_get(kv, n, key);
    return e && e->has_value ? (const char *)e->value.ptr : NULL;
}

static char *xdup(struct idbpq__dtx *x, const char *s, size_t n)
{
    return idbpq__arena_strndup(&x->a, s, n == SIZE_MAX ? strlen(s) : n);
}

idbpq_status idbpq__dtx_begin(struct idbpq__dtx **out, const idbpq_table_io *io, idbpq_table *t,
                              const idbpq_allocator *alc, struct idbpq__err *err)
{
    *out = NULL;
    if (t) {
        IDBPQ__TRY(idbpq__delta_check_write(idbpq__table_protocol(t), idbpq__table_metadata(t),
                                            err));
        const struct idbpq__delta_metadata *m = idbpq__table_metadata(t);
        if (m && m->n_partition_columns)
            return idbpq__fail(err, IDBPQ_UNSUPPORTED,
                               "the table is partitioned (by %s): idbpq writes unpartitioned "
                               "tables only", m->partition_columns[0]);
    }
    alc = idbpq__alc(alc);
    struct idbpq__dtx *x = idbpq__calloc(alc, sizeof *x);
    if (!x) return IDBPQ_NOMEM;
    x->alc = alc;
    x->io = io;
    x->t = t;
    x->read_version = t ? idbpq_table_get_meta(t)->version : -1;
    idbpq__arena_init(&x->a, alc);
    idbpq__buf_init(&x->txn, alc);
    idbpq__buf_init(&x->removes, alc);
    idbpq__buf_init(&x->adds, alc);
    idbpq__buf_init(&x->cdcs, alc);
    if (t) {
        const struct idbpq__delta_metadata *m = idbpq__table_metadata(t);
        const char *ao = m ? idbpq__kv_find(m->configuration, m->n_configuration, "delta.appendOnly")
                           : NULL;
        x->append_only = ao && strcmp(ao, "true") == 0;
    }
    *out = x;
    return IDBPQ_OK;
}

void idbpq__dtx_free(struct idbpq__dtx *x)
{
    if (!x) return;
    idbpq__buf_free(&x->txn);
    idbpq__buf_free(&x->removes);
    idbpq__buf_free(&x->adds);
    idbpq__buf_free(&x->cdcs);
    idbpq__free(x->alc, x->removed, sizeof *x->removed * x->cap_removed);
    idbpq__free(x->alc, x->ranges, sizeof *x->ranges * x->cap_ranges);
    idbpq__arena_free(&x->a);
    idbpq__free(x->alc, x, sizeof *x);
}

idbpq_status idbpq__dtx_set_metadata(struct idbpq__dtx *x, const char *schema_string,
                                     int needs_variant, int needs_column_mapping,
                                     const idbpq_store_desc *store, const idbpq_kv *config,
                                     uint32_t n_config, struct idbpq__err *err)
{
    if (!schema_string) return idbpq__fail(err, IDBPQ_INVALID_ARG, "metaData without a schema");
    x->set_meta = 1;
    x->needs_variant = needs_variant;
    x->needs_cm = needs_column_mapping;
    if (!(x->schema_string = xdup(x, schema_string, SIZE_MAX))) return IDBPQ_NOMEM;
    x->config = idbpq__arena_alloc(&x->a, sizeof *x->config * (n_config + 1));
    if (!x->config) return IDBPQ_NOMEM;
    for (uint32_t i = 0; i < n_config; i++) {
        idbpq_kv *k = &x->config[i];
        char *kk = xdup(x, (const char *)config[i].key.ptr, config[i].key.len);
        char *vv = config[i].has_value
                       ? xdup(x, (const char *)config[i].value.ptr, config[i].value.len) : NULL;
        if (!kk || (config[i].has_value && !vv)) return IDBPQ_NOMEM;
        k->key.ptr = (const uint8_t *)kk;
        k->key.len = config[i].key.len;
        k->value.ptr = (const uint8_t *)vv;
        k->value.len = config[i].value.len;
        k->has_value = config[i].has_value;
    }
    x->n_config = n_config;
    if (store) {
        idbpq_buffer b;
        idbpq_buffer_init(&b, x->alc);
        idbpq_status st = idbpq__store_json_write(store, &b);
        if (st == IDBPQ_OK && !(x->store_json = xdup(x, (const char *)b.data, b.len)))
            st = IDBPQ_NOMEM;
        idbpq_buffer_free(&b);
        IDBPQ__TRY(st);
    }
    return IDBPQ_OK;
}

/* ---- file actions ----------------------------------------------------------------------------- */

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = h[p[i] >> 4];
        out[2 * i + 1] = h[p[i] & 15];
    }
    out[2 * n] = 0;
}

/* Hex text back to bytes in the arena; NULL when it is not even-length hex. */
static uint8_t *unhex(struct idbpq__arena *a, const char *s, size_t *n)
{
    size_t len = strlen(s);
    if (len % 2) return NULL;
    uint8_t *out = idbpq__arena_alloc(a, len / 2 + 1);
    if (!out) return NULL;
    for (size_t i = 0; i < len; i += 2) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[i + (size_t)k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return NULL;
            v = v * 16 + d;
        }
        out[i / 2] = (uint8_t)v;
    }
    *n = len / 2;
    return out;
}

static idbpq_status add_range(struct idbpq__dtx *x, struct idbpq__drange r)
{
    if (x->n_ranges == x->cap_ranges) {
        uint32_t cap = x->cap_ranges ? x->cap_ranges * 2 : 8;
        struct idbpq__drange *v = idbpq__realloc(x->alc, x->ranges, sizeof *v * x->cap_ranges,
                                         sizeof *v * cap);
        if (!v) return IDBPQ_NOMEM;
        x->ranges = v;
        x->cap_ranges = cap;
    }
    x->ranges[x->n_ranges++] = r;
    return IDBPQ_OK;
}

/* The key range an add's tags give (unbounded without both tags), copied into a. */
struct idbpq__drange idbpq__drange_of_tags(struct idbpq__arena *a, const idbpq_kv *tags, uint32_t n)
{
    struct idbpq__drange r = {NULL, NULL, 0, 0};
    const char *lo = idbpq__kv_find(tags, n, IDBPQ__TAG_MIN_KEY), *hi = idbpq__kv_find(tags, n, IDBPQ__TAG_MAX_KEY);
    if (!lo || !hi) return r;
    char *l = idbpq__arena_strndup(a, lo, strlen(lo)), *h = idbpq__arena_strndup(a, hi, strlen(hi));
    if (!l || !h) return r;
    r.lo = unhex(a, l, &r.lo_n);
    r.hi = unhex(a, h, &r.hi_n);
    if (!r.lo || !r.hi) r.lo = r.hi = NULL;
    return r;
}

int idbpq__dkey_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    return c ? c : (an < bn ? -1 : an > bn);
}

int idbpq__drange_meets(const struct idbpq__drange *a, const struct idbpq__drange *b)
{
    if (!a->lo || !b->lo) return 1;
    return idbpq__dkey_cmp(a->lo, a->lo_n, b->hi, b->hi_n) <= 0 &&
           idbpq__dkey_cmp(b->lo, b->lo_n, a->hi, a->hi_n) <= 0;
}

/* {"<action>":{"path":...,"partitionValues":{},"size":N — the start of add and cdc lines. */
static idbpq_status file_line(struct idbpq__buf *b, const char *action,
                              const struct idbpq__dfile_info *f)
{
    IDBPQ__TRY(idbpq__jw_raw(b, "{\""));
    IDBPQ__TRY(idbpq__jw_raw(b, action));
    IDBPQ__TRY(idbpq__jw_raw(b, "\":{\"path\":"));
    IDBPQ__TRY(idbpq__jw_str(b, f->path, strlen(f->path)));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"partitionValues\":{},\"size\":"));
    return idbpq__jw_int(b, (int64_t)f->size);
}

static idbpq_status line_start(struct idbpq__buf *b, const char *action)
{
    IDBPQ__TRY(idbpq__jw_raw(b, "{\""));
    IDBPQ__TRY(idbpq__jw_raw(b, action));
    return idbpq__jw_raw(b, "\":{");
}

idbpq_status idbpq__dtx_add(struct idbpq__dtx *x, const struct idbpq__dfile_info *f,
                            int data_change, struct idbpq__err *err)
{
    (void)err;
    struct idbpq__buf *b = &x->adds;
    IDBPQ__TRY(file_line(b, "add", f));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"modificationTime\":"));
    IDBPQ__TRY(idbpq__jw_int(b, idbpq__now_ms()));
    IDBPQ__TRY(idbpq__jw_raw(b, data_change ? ",\"dataChange\":true" : ",\"dataChange\":false"));
    if (f->stats) {
        IDBPQ__TRY(idbpq__jw_key(b, "stats", 0));
        IDBPQ__TRY(idbpq__jw_str(b, f->stats, strlen(f->stats)));
    }
    struct idbpq__drange r = {NULL, NULL, 0, 0};
    if (f->min_key && f->max_key) {
        char *lo = idbpq__arena_alloc(&x->a, f->min_key_len * 2 + 1);
        char *hi = idbpq__arena_alloc(&x->a, f->max_key_len * 2 + 1);
        if (!lo || !hi) return IDBPQ_NOMEM;
        hex(lo, f->min_key, f->min_key_len);
        hex(hi, f->max_key, f->max_key_len);
        IDBPQ__TRY(idbpq__jw_raw(b, ",\"tags\":{"));
        IDBPQ__TRY(idbpq__jw_key(b, IDBPQ__TAG_MIN_KEY, 1));
        IDBPQ__TRY(idbpq__jw_str(b, lo, strlen(lo)));
        IDBPQ__TRY(idbpq__jw_key(b, IDBPQ__TAG_MAX_KEY, 0));
        IDBPQ__TRY(idbpq__jw_str(b, hi, strlen(hi)));
        IDBPQ__TRY(idbpq__jw_raw(b, "}"));
        r.lo = unhex(&x->a, lo, &r.lo_n);
        r.hi = unhex(&x->a, hi, &r.hi_n);
    }
    IDBPQ__TRY(idbpq__jw_raw(b, "}}\n"));
    if (!x->typemap && f->typemap && !(x->typemap = xdup(x, f->typemap, SIZE_MAX)))
        return IDBPQ_NOMEM;
    x->n_adds++;
    x->add_rows += f->rows;
    x->add_bytes += f->size;
    return add_range(x, r);
}

static idbpq_status write_dv(struct idbpq__buf *b, const idbpq_table_dv *dv)
{
    char st[2] = {dv->storage_type, 0};
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"deletionVector\":{"));
    IDBPQ__TRY(idbpq__jw_key(b, "storageType", 1));
    IDBPQ__TRY(idbpq__jw_str(b, st, 1));
    IDBPQ__TRY(idbpq__jw_key(b, "pathOrInlineDv", 0));
    IDBPQ__TRY(idbpq__jw_str(b, dv->path_or_inline, strlen(dv->path_or_inline)));
    if (dv->offset >= 0) {
        IDBPQ__TRY(idbpq__jw_key(b, "offset", 0));
        IDBPQ__TRY(idbpq__jw_int(b, dv->offset));
    }
    IDBPQ__TRY(idbpq__jw_key(b, "sizeInBytes", 0));
    IDBPQ__TRY(idbpq__jw_int(b, dv->size));
    IDBPQ__TRY(idbpq__jw_key(b, "cardinality", 0));
    IDBPQ__TRY(idbpq__jw_int(b, dv->cardinality));
    return idbpq__jw_raw(b, "}");
}

static idbpq_status write_kv_map(struct idbpq__buf *b, const idbpq_kv *kv, uint32_t n)
{
    IDBPQ__TRY(idbpq__jw_raw(b, "{"));
    for (uint32_t i = 0; i < n; i++) {
        if (i) IDBPQ__TRY(idbpq__jw_raw(b, ","));
        IDBPQ__TRY(idbpq__jw_str(b, (const char *)kv[i].key.ptr, kv[i].key.len));
        IDBPQ__TRY(idbpq__jw_raw(b, ":"));
        if (kv[i].has_value) IDBPQ__TRY(idbpq__jw_str(b, (const char *)kv[i].value.ptr, kv[i].value.len));
        else IDBPQ__TRY(idbpq__jw_raw(b, "null"));
    }
    return idbpq__jw_raw(b, "}");
}

idbpq_status idbpq__dtx_remove(struct idbpq__dtx *x, const idbpq_table_add *f, int data_change,
                               struct idbpq__err *err)
{
    if (data_change && x->append_only)
        return idbpq__fail(err, IDBPQ_UNSUPPORTED,
                           "the table is append-only (delta.appendOnly=true): %s cannot be "
                           "removed", f->path);
    struct idbpq__buf *b = &x->removes;
    IDBPQ__TRY(line_start(b, "remove"));
    IDBPQ__TRY(idbpq__jw_key(b, "path", 1)); /* the add's exact string (notes §3.2.1) */
    IDBPQ__TRY(idbpq__jw_str(b, f->path, strlen(f->path)));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"deletionTimestamp\":"));
    IDBPQ__TRY(idbpq__jw_int(b, idbpq__now_ms()));
    IDBPQ__TRY(idbpq__jw_raw(b, data_change ? ",\"dataChange\":true" : ",\"dataChange\":false"));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"extendedFileMetadata\":true,\"partitionValues\":"));
    IDBPQ__TRY(write_kv_map(b, f->partition_values, f->n_partition_values));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"size\":"));
    IDBPQ__TRY(idbpq__jw_int(b, (int64_t)f->size));
    if (f->dv) IDBPQ__TRY(write_dv(b, f->dv));
    IDBPQ__TRY(idbpq__jw_raw(b, "}}\n"));
    if (x->n_removed == x->cap_removed) {
        uint32_t cap = x->cap_removed ? x->cap_removed * 2 : 8;
        const char **v = idbpq__realloc(x->alc, x->removed, sizeof *v * x->cap_removed,
                                        sizeof *v * cap);
        if (!v) return IDBPQ_NOMEM;
        x->removed = v;
        x->cap_removed = cap;
    }
    if (!(x->removed[x->n_removed] = xdup(x, f->path, SIZE_MAX))) return IDBPQ_NOMEM;
    x->n_removed++;
    x->n_removes++;
    return add_range(x, idbpq__drange_of_tags(&x->a, f->tags, f->n_tags));
}

idbpq_status idbpq__dtx_cdc(struct idbpq__dtx *x, const struct idbpq__dfile_info *f,
                            struct idbpq__err *err)
{
    (void)err;
    struct idbpq__buf *b = &x->cdcs;
    IDBPQ__TRY(file_line(b, "cdc", f));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"dataChange\":false}}\n"));
    x->n_cdcs++;
    x->cdc_bytes += f->size;
    return IDBPQ_OK;
}

idbpq_status idbpq__dtx_app(struct idbpq__dtx *x, const char *app_id, int64_t version,
                            struct idbpq__err *err)
{
    if (x->app_id) return idbpq__fail(err, IDBPQ_STATE, "one txn action per commit");
    if (!(x->app_id = xdup(x, app_id, SIZE_MAX))) return IDBPQ_NOMEM;
    struct idbpq__buf *b = &x->txn;
    IDBPQ__TRY(line_start(b, "txn"));
    IDBPQ__TRY(idbpq__jw_key(b, "appId", 1));
    IDBPQ__TRY(idbpq__jw_str(b, app_id, strlen(app_id)));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"version\":"));
    IDBPQ__TRY(idbpq__jw_int(b, version));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"lastUpdated\":"));
    IDBPQ__TRY(idbpq__jw_int(b, idbpq__now_ms()));
    return idbpq__jw_raw(b, "}}\n");
}

idbpq_status idbpq__dtx_operation(struct idbpq__dtx *x, const char *operation,
                                  const char *metrics_json, struct idbpq__err *err)
{
    (void)err;
    if (operation && !(x->operation = xdup(x, operation, SIZE_MAX))) return IDBPQ_NOMEM;
    if (metrics_json && !(x->metrics = xdup(x, metrics_json, SIZE_MAX))) return IDBPQ_NOMEM;
    return IDBPQ_OK;
}
