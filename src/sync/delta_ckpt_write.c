/*
 * delta_ckpt_write.c — a classic Parquet checkpoint `_delta_log/<v>.checkpoint.parquet` of a
 * snapshot and the `_last_checkpoint` hint (PROTOCOL.md "Checkpoints"; notes §1.3, §1.4,
 * §5.6), written with idbpq's generic Parquet writer in the schema Spark 4 writes: one row
 * per action, one optional struct column per action kind (txn, add, remove, metaData,
 * protocol), maps as key_value groups and lists as list/element groups.
 *
 * The snapshot gives the protocol, metaData and live adds (stats as JSON, dataChange false as
 * Spark writes it). Tombstones and txns come from the log itself: the snapshot's own
 * checkpoint (if any) and the commits after it, a remove kept as a tombstone while its path
 * is not live and deletionTimestamp + delta.deletedFileRetentionDuration is still ahead.
 * The file streams through io->create (replacing a checkpoint of the same version is allowed:
 * both hold the same content); `_last_checkpoint` is put with replace.
 */
#include "sync/delta_write.h"

#include <stdio.h>
#include <stdlib.h>

#include "sync/delta_read.h"

/* ---- the schema -------------------------------------------------------------------------------- */

struct cs {
    idbpq_schema *s;
    idbpq_status st;
};

static int32_t node(struct cs *c, int32_t parent, const char *name, idbpq_repetition rep,
                    idbpq_type type, idbpq_logical_kind lk)
{
    idbpq_logical l;
    memset(&l, 0, sizeof l);
    l.kind = lk;
    int32_t n = -1;
    if (c->st == IDBPQ_OK)
        c->st = idbpq_schema_add(c->s, parent, name, rep, type, 0, lk ? &l : NULL, &n);
    return n;
}

static void str(struct cs *c, int32_t p, const char *name)
{
    node(c, p, name, IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, IDBPQ_LT_STRING);
}

static void i64(struct cs *c, int32_t p, const char *name)
{
    node(c, p, name, IDBPQ_OPTIONAL, IDBPQ_INT64, IDBPQ_LT_NONE);
}

static void map_ss(struct cs *c, int32_t p, const char *name)
{
    int32_t m = node(c, p, name, IDBPQ_OPTIONAL, IDBPQ_GROUP, IDBPQ_LT_MAP);
    int32_t kv = node(c, m, "key_value", IDBPQ_REPEATED, IDBPQ_GROUP, IDBPQ_LT_NONE);
    node(c, kv, "key", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, IDBPQ_LT_STRING);
    str(c, kv, "value");
}

static void list_s(struct cs *c, int32_t p, const char *name)
{
    int32_t l = node(c, p, name, IDBPQ_OPTIONAL, IDBPQ_GROUP, IDBPQ_LT_LIST);
    int32_t r = node(c, l, "list", IDBPQ_REPEATED, IDBPQ_GROUP, IDBPQ_LT_NONE);
    str(c, r, "element");
}

static void dv(struct cs *c, int32_t p)
{
    int32_t g = node(c, p, "deletionVector", IDBPQ_OPTIONAL, IDBPQ_GROUP, IDBPQ_LT_NONE);
    str(c, g, "storageType");
    str(c, g, "pathOrInlineDv");
    node(c, g, "offset", IDBPQ_OPTIONAL, IDBPQ_INT32, IDBPQ_LT_NONE);
    node(c, g, "sizeInBytes", IDBPQ_OPTIONAL, IDBPQ_INT32, IDBPQ_LT_NONE);
    i64(c, g, "cardinality");
}

static idbpq_status ckpt_schema(idbpq_schema **out, const idbpq_allocator *alc)
{
    struct cs c = {NULL, IDBPQ_OK};
    IDBPQ__TRY(idbpq_schema_create(&c.s, alc));
    int32_t g = node(&c, 0, "txn", IDBPQ_OPTIONAL, IDBPQ_GROUP, IDBPQ_LT_NONE);
    str(&c, g, "appId");
    i64(&c, g, "version");
    i64(&c, g, "lastUpdated");
    g = node(&c, 0, "add", IDBPQ_OPTIONAL, IDBPQ_GROUP, IDBPQ_LT_NONE);
    str(&c, g, "path");
    map_ss(&c, g, "partitionValues");
    i64(&c, g, "size");
    i64(&c, g, "modificationTime");
    node(&c, g, "dataChange", IDBPQ_OPTIONAL, IDBPQ_BOOLEAN, IDBPQ_LT_NONE);
    map_ss(&c, g, "tags");
    dv(&c, g);
    str(&c, g, "stats");
    g = node(&c, 0, "remove", IDBPQ_OPTIONAL, IDBPQ_GROUP, IDBPQ_LT_NONE);
    str(&c, g, "path");
    i64(&c, g, "deletionTimestamp");
    node(&c, g, "dataChange", IDBPQ_OPTIONAL, IDBPQ_BOOLEAN, IDBPQ_LT_NONE);
    node(&c, g, "extendedFileMetadata", IDBPQ_OPTIONAL, IDBPQ_BOOLEAN, IDBPQ_LT_NONE);
    map_ss(&c, g, "partitionValues");
    i64(&c, g, "size");
    dv(&c, g);
    g = node(&c, 0, "metaData", IDBPQ_OPTIONAL, IDBPQ_GROUP, IDBPQ_LT_NONE);
    str(&c, g, "id");
    str(&c, g, "name");
    str(&c, g, "description");
    int32_t f = node(&c, g, "format", IDBPQ_OPTIONAL, IDBPQ_GROUP, IDBPQ_LT_NONE);
    str(&c, f, "provider");
    map_ss(&c, f, "options");
    str(&c, g, "schemaString");
    list_s(&c, g, "partitionColumns");
    map_ss(&c, g, "configuration");
    i64(&c, g, "createdTime");
    g = node(&c, 0, "protocol", IDBPQ_OPTIONAL, IDBPQ_GROUP, IDBPQ_LT_NONE);
    node(&c, g, "minReaderVersion", IDBPQ_OPTIONAL, IDBPQ_INT32, IDBPQ_LT_NONE);
    node(&c, g, "minWriterVersion", IDBPQ_OPTIONAL, IDBPQ_INT32, IDBPQ_LT_NONE);
    list_s(&c, g, "readerFeatures");
    list_s(&c, g, "writerFeatures");
    if (c.st == IDBPQ_OK) c.st = idbpq_schema_finish(c.s);
    if (c.st != IDBPQ_OK) {
        idbpq_schema_free(c.s);
        return c.st;
    }
    *out = c.s;
    return IDBPQ_OK;
}

/* ---- rows ---------------------------------------------------------------------------------------- */

struct rows {
    struct idbpq__arena a;       /* datums of one row */
    idbpq_writer *w;
    uint64_t n;
    idbpq_status st;
};

static idbpq_datum *items(struct rows *r, uint32_t n)
{
    idbpq_datum *d = idbpq__arena_alloc(&r->a, sizeof *d * (n ? n : 1));
    if (!d) r->st = IDBPQ_NOMEM;
    else memset(d, 0, sizeof *d * (n ? n : 1));
    return d;
}

static void d_str(idbpq_datum *d, const char *s)
{
    if (!s) return;
    d->kind = IDBPQ_DATUM_BYTES;
    d->len = (uint32_t)strlen(s);
    d->u.bytes = (const uint8_t *)s;
}

static void d_i64(idbpq_datum *d, int64_t v)
{
    d->kind = IDBPQ_DATUM_INT64;
    d->u.i64 = v;
}

static void d_i32(idbpq_datum *d, int32_t v)
{
    d->kind = IDBPQ_DATUM_INT32;
    d->u.i32 = v;
}

static void d_bool(idbpq_datum *d, int v)
{
    d->kind = IDBPQ_DATUM_BOOLEAN;
    d->u.boolean = v ? 1 : 0;
}

static void d_group(struct rows *r, idbpq_datum *d, uint32_t n)
{
    if (!(d->u.items = items(r, n))) return;
    d->kind = IDBPQ_DATUM_GROUP;
    d->len = n;
}

static void d_map(struct rows *r, idbpq_datum *d, const idbpq_kv *kv, uint32_t n)
{
    idbpq_datum *it = items(r, 2 * n);
    if (!it) return;
    d->kind = IDBPQ_DATUM_MAP;
    d->len = n;
    d->u.items = it;
    for (uint32_t i = 0; i < n; i++) {
        it[2 * i].kind = IDBPQ_DATUM_BYTES;
        it[2 * i].len = kv[i].key.len;
        it[2 * i].u.bytes = kv[i].key.ptr;
        if (kv[i].has_value) {
            it[2 * i + 1].kind = IDBPQ_DATUM_BYTES;
            it[2 * i + 1].len = kv[i].value.len;
            it[2 * i + 1].u.bytes = kv[i].value.ptr;
        }
    }
}

static void d_list(struct rows *r, idbpq_datum *d, const char *const *v, uint32_t n)
{
    idbpq_datum *it = items(r, n);
    if (!it) return;
    d->kind = IDBPQ_DATUM_LIST;
    d->len = n;
    d->u.items = it;
    for (uint32_t i = 0; i < n; i++) d_str(&it[i], v[i]);
}

static void d_dv(struct rows *r, idbpq_datum *d, const idbpq_table_dv *dv)
{
    if (!dv) return;
    d_group(r, d, 5);
    if (r->st != IDBPQ_OK) return;
    char *t = idbpq__arena_alloc(&r->a, 2);
    if (!t) {
        r->st = IDBPQ_NOMEM;
        return;
    }
    t[0] = dv->storage_type;
    t[1] = 0;
    d_str(&d->u.items[0], t);
    d_str(&d->u.items[1], dv->path_or_inline);
    if (dv->offset >= 0) d_i32(&d->u.items[2], dv->offset);
    d_i32(&d->u.items[3], dv->size);
    d_i64(&d->u.items[4], dv->cardinality);
}

/* A row with only action column `col` (0 txn .. 4 protocol) set to a group of n fields. */
static idbpq_datum *row_start(struct rows *r, idbpq_datum *row, int col, uint32_t n)
{
    idbpq__arena_reset(&r->a);
    row->kind = IDBPQ_DATUM_GROUP;
    row->len = 5;
    if (!(row->u.items = items(r, 5))) return NULL;
    d_group(r, &row->u.items[col], n);
    return r->st == IDBPQ_OK ? row->u.items[col].u.items : NULL;
}

static void row_end(struct rows *r, const idbpq_datum *row)
{
    if (r->st == IDBPQ_OK) r->st = idbpq_writer_write_row(r->w, row);
    if (r->st == IDBPQ_OK) r->n++;
}

/* ---- tombstones and txns from the log ----------------------------------------------------------- */

int64_t idbpq__retention_ms(const char *s, int64_t dflt)
{
    if (!s) return dflt;
    while (*s == ' ') s++;
    if (!strncmp(s, "interval", 8)) s += 8;
    char *end;
    long long n = strtoll(s, &end, 10);
    if (end == s || n < 0) return dflt;
    while (*end == ' ') end++;
    static const struct { const char *unit; int64_t ms; } units[] = {
        {"millisecond", 1}, {"second", 1000}, {"minute", 60000}, {"hour", 3600000},
        {"day", 86400000}, {"week", 604800000}};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (!strncmp(end, units[i].unit, strlen(units[i].unit)))
            return n > INT64_MAX / units[i].ms ? INT64_MAX : n * units[i].ms;
    return dflt;
}

static idbpq_status gather_commit(struct idbpq__gather *g, const struct idbpq__delta_commit *c)
{
    for (uint32_t i = 0; i < c->n_removes; i++) {
        struct idbpq__ent e = {&c->removes[i], g->seq++, c->timestamp};
        IDBPQ__TRY(idbpq__buf_append(&g->rm, &e, sizeof e));
    }
    for (uint32_t i = 0; i < c->n_txns; i++) {
        struct idbpq__ent e = {&c->txns[i], g->seq++, c->timestamp};
        IDBPQ__TRY(idbpq__buf_append(&g->txn, &e, sizeof e));
    }
    for (uint32_t i = 0; i < c->n_cdcs; i++) {
        struct idbpq__ent e = {&c->cdcs[i], g->seq++, c->timestamp};
        IDBPQ__TRY(idbpq__buf_append(&g->cdc, &e, sizeof e));
    }
    return IDBPQ_OK;
}

void idbpq__gather_init(struct idbpq__gather *g, struct idbpq__arena *a,
                        const idbpq_allocator *alc)
{
    memset(g, 0, sizeof *g);
    g->a = a;
    g->alc = alc;
    idbpq__buf_init(&g->rm, alc);
    idbpq__buf_init(&g->txn, alc);
    idbpq__buf_init(&g->cdc, alc);
}

void idbpq__gather_free(struct idbpq__gather *g)
{
    idbpq__buf_free(&g->rm);
    idbpq__buf_free(&g->txn);
    idbpq__buf_free(&g->cdc);
}

idbpq_status idbpq__gather(struct idbpq__gather *g, idbpq_table *t, struct idbpq__err *err)
{
    const idbpq_table_io *io = idbpq__table_io(t);
    const idbpq_table_meta *m = idbpq_table_get_meta(t);
    int64_t from = 0;
    if (m->checkpoint_version >= 0) {
        struct idbpq__dlog_entry *e;
        uint32_t n, first = UINT32_MAX, count = 0;
        IDBPQ__TRY(idbpq__dlog_list(io, g->a, &e, &n, err));
        for (uint32_t i = 0; i < n; i++)
            if (e[i].version == m->checkpoint_version &&
                (e[i].kind == IDBPQ__DLOG_CKPT || e[i].kind == IDBPQ__DLOG_CKPT_PART)) {
                if (first == UINT32_MAX) first = i;
                count++;
            }
        if (first == UINT32_MAX)
            return idbpq__fail(err, IDBPQ_CORRUPT, "checkpoint %lld is gone",
                               (long long)m->checkpoint_version);
        struct idbpq__delta_commit *c = idbpq__arena_alloc(g->a, sizeof *c);
        if (!c) return IDBPQ_NOMEM;
        IDBPQ__TRY(idbpq__delta_ckpt_read(io, &e[first], count, g->a, c, err));
        IDBPQ__TRY(gather_commit(g, c));
        from = m->checkpoint_version + 1;
    }
    for (int64_t v = from; v <= m->version; v++) {
        struct idbpq__delta_commit *c = idbpq__arena_alloc(g->a, sizeof *c);
        if (!c) return IDBPQ_NOMEM;
        idbpq_status st = idbpq__delta_commit_read(io, v, g->a, c, err);
        if (st == IDBPQ_END)
            return idbpq__fail(err, IDBPQ_CORRUPT, "commit %lld is gone", (long long)v);
        IDBPQ__TRY(st);
        IDBPQ__TRY(gather_commit(g, c));
    }
    return IDBPQ_OK;
}

int idbpq__live(idbpq_table *t, const char *path)
{
    uint64_t lo = 0, hi = idbpq_table_file_count(t);
    while (lo < hi) { /* live files are in path order */
        uint64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(idbpq_table_file_at(t, mid)->path, path);
        if (!c) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

int idbpq__by_path(const void *x, const void *y)
{
    const struct idbpq__ent *a = x, *b = y;
    int c = strcmp(((const struct idbpq__delta_file *)a->p)->path,
                   ((const struct idbpq__delta_file *)b->p)->path);
    return c ? c : (a->seq < b->seq ? -1 : a->seq > b->seq);
}

static int by_app_then_order(const void *x, const void *y)
{
    const struct idbpq__ent *a = x, *b = y;
    int c = strcmp(((const struct idbpq__delta_txn_action *)a->p)->app_id,
                   ((const struct idbpq__delta_txn_action *)b->p)->app_id);
    return c ? c : (a->seq < b->seq ? -1 : a->seq > b->seq);
}

/* Sorts v by cmp and keeps the last of each run equal under same(); returns the count. */
size_t idbpq__latest(struct idbpq__ent *v, size_t n, int (*cmp)(const void *, const void *),
                     int (*same)(const struct idbpq__ent *, const struct idbpq__ent *))
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && same(&v[i], &v[i + 1])) continue;
        v[k++] = v[i];
    }
    return k;
}

int idbpq__same_path(const struct idbpq__ent *a, const struct idbpq__ent *b)
{
    return !strcmp(((const struct idbpq__delta_file *)a->p)->path,
                   ((const struct idbpq__delta_file *)b->p)->path);
}

static int same_app(const struct idbpq__ent *a, const struct idbpq__ent *b)
{
    return !strcmp(((const struct idbpq__delta_txn_action *)a->p)->app_id,
                   ((const struct idbpq__delta_txn_action *)b->p)->app_id);
}

/* ---- writing ---------------------------------------------------------------------------------- */

static void write_rows(struct rows *r, idbpq_table *t, const struct idbpq__ent *rm, size_t n_rm,
                       const struct idbpq__ent *txn, size_t n_txn)
{
    idbpq_datum row, *f;
    const struct idbpq__delta_protocol *p = idbpq__table_protocol(t);
    if ((f = row_start(r, &row, 4, 4))) {
        d_i32(&f[0], p->min_reader);
        d_i32(&f[1], p->min_writer);
        if (p->min_reader == 3) d_list(r, &f[2], p->reader_features, p->n_reader_features);
        if (p->min_writer == 7) d_list(r, &f[3], p->writer_features, p->n_writer_features);
        row_end(r, &row);
    }
    const struct idbpq__delta_metadata *m = idbpq__table_metadata(t);
    if (r->st == IDBPQ_OK && (f = row_start(r, &row, 3, 8))) {
        d_str(&f[0], m->id);
        d_str(&f[1], m->name);
        d_str(&f[2], m->description);
        d_group(r, &f[3], 2);
        if (r->st == IDBPQ_OK) {
            d_str(&f[3].u.items[0], "parquet");
            d_map(r, &f[3].u.items[1], NULL, 0);
        }
        d_str(&f[4], m->schema_string);
        d_list(r, &f[5], m->partition_columns, m->n_partition_columns);
        d_map(r, &f[6], m->configuration, m->n_configuration);
        if (m->created_time >= 0) d_i64(&f[7], m->created_time);
        row_end(r, &row);
    }
    for (size_t i = 0; i < n_txn && r->st == IDBPQ_OK; i++) {
        const struct idbpq__delta_txn_action *x = txn[i].p;
        if (!(f = row_start(r, &row, 0, 3))) break;
        d_str(&f[0], x->app_id);
        d_i64(&f[1], x->version);
        if (x->last_updated >= 0) d_i64(&f[2], x->last_updated);
        row_end(r, &row);
    }
    for (uint64_t i = 0; i < idbpq_table_file_count(t) && r->st == IDBPQ_OK; i++) {
        const idbpq_table_add *a = idbpq_table_file_at(t, i);
        if (!(f = row_start(r, &row, 1, 8))) break;
        d_str(&f[0], a->path);
        d_map(r, &f[1], a->partition_values, a->n_partition_values);
        d_i64(&f[2], (int64_t)a->size);
        d_i64(&f[3], a->modification_time);
        d_bool(&f[4], 0); /* as Spark writes checkpoint rows */
        if (a->n_tags) d_map(r, &f[5], a->tags, a->n_tags);
        d_dv(r, &f[6], a->dv);
        d_str(&f[7], a->stats);
        row_end(r, &row);
    }
    for (size_t i = 0; i < n_rm && r->st == IDBPQ_OK; i++) {
        const struct idbpq__delta_file *x = rm[i].p;
        if (!(f = row_start(r, &row, 2, 7))) break;
        d_str(&f[0], x->path);
        if (x->deletion_timestamp >= 0) d_i64(&f[1], x->deletion_timestamp);
        d_bool(&f[2], 0);
        d_bool(&f[3], x->extended || x->size >= 0);
        d_map(r, &f[4], x->partition_values, x->n_partition_values);
        if (x->size >= 0) d_i64(&f[5], x->size);
        d_dv(r, &f[6], x->dv);
        row_end(r, &row);
    }
}

struct counting {
    idbpq_sink inner;
    uint64_t bytes;
};

static idbpq_status count_write(void *ctx, const void *buf, size_t len)
{
    struct counting *c = ctx;
    idbpq_status st = c->inner.write(c->inner.ctx, buf, len);
    if (st == IDBPQ_OK) c->bytes += len;
    return st;
}

idbpq_status idbpq__delta_checkpoint_write(idbpq_table *t, struct idbpq__err *err)
{
    const idbpq_allocator *alc = idbpq__alc(idbpq__table_alc(t));
    const idbpq_table_io *io = idbpq__table_io(t);
    const idbpq_table_meta *meta = idbpq_table_get_meta(t);
    if (!idbpq__table_protocol(t) || !idbpq__table_metadata(t))
        return idbpq__fail(err, IDBPQ_STATE, "checkpoint: the snapshot has no protocol/metaData");
    struct idbpq__arena a;
    idbpq__arena_init(&a, alc);
    struct idbpq__gather g;
    idbpq__gather_init(&g, &a, alc);
    idbpq_schema *s = NULL;
    struct rows r;
    memset(&r, 0, sizeof r);
    idbpq__arena_init(&r.a, alc);
    struct counting cnt;
    memset(&cnt, 0, sizeof cnt);
    int created = 0;
    char path[80];
    snprintf(path, sizeof path, IDBPQ__DELTA_LOG "/%020lld.checkpoint.parquet",
             (long long)meta->version);
    idbpq_error e;
    memset(&e, 0, sizeof e);
    idbpq_status st = idbpq__gather(&g, t, err);
    /* Tombstones: the latest remove of each path not live again, while unexpired. */
    struct idbpq__ent *rm = (struct idbpq__ent *)(void *)g.rm.p, *txn = (struct idbpq__ent *)(void *)g.txn.p;
    size_t n_rm = idbpq__latest(rm, g.rm.len / sizeof *rm, idbpq__by_path, idbpq__same_path);
    size_t n_txn = idbpq__latest(txn, g.txn.len / sizeof *txn, by_app_then_order, same_app);
    const struct idbpq__delta_metadata *md = idbpq__table_metadata(t);
    int64_t keep = idbpq__retention_ms(idbpq__kv_find(md->configuration, md->n_configuration,
                                                      "delta.deletedFileRetentionDuration"),
                                       604800000);
    int64_t now = idbpq__now_ms();
    size_t k = 0;
    for (size_t i = 0; i < n_rm; i++) {
        const struct idbpq__delta_file *x = rm[i].p;
        if (idbpq__live(t, x->path)) continue;
        if (x->deletion_timestamp >= 0 && x->deletion_timestamp < now - keep) continue;
        rm[k++] = rm[i];
    }
    n_rm = k;
    if (st == IDBPQ_OK) st = ckpt_schema(&s, alc);
    if (st == IDBPQ_OK) st = io->create(io->ctx, path, &cnt.inner, &e);
    if (st == IDBPQ_OK) {
        created = 1;
        idbpq_sink sink = {&cnt, count_write, path};
        idbpq_writer_opts o;
        idbpq_writer_opts_init(&o);
        st = idbpq_writer_open(&r.w, s, &sink, &o, alc);
    }
    if (st == IDBPQ_OK) {
        write_rows(&r, t, rm, n_rm, txn, n_txn);
        st = r.st;
    }
    if (st == IDBPQ_OK) st = idbpq_writer_finish(r.w);
    if (created) {
        idbpq_status fs = io->finish(io->ctx, &cnt.inner, st == IDBPQ_OK, &e);
        if (st == IDBPQ_OK) st = fs;
    }
    if (st == IDBPQ_OK) {
        char hint[200];
        int n = snprintf(hint, sizeof hint,
                         "{\"version\":%lld,\"size\":%llu,\"sizeInBytes\":%llu,"
                         "\"numOfAddFiles\":%llu}",
                         (long long)meta->version, (unsigned long long)r.n,
                         (unsigned long long)cnt.bytes,
                         (unsigned long long)idbpq_table_file_count(t));
        st = io->put(io->ctx, IDBPQ__DELTA_LOG "/_last_checkpoint", hint, (size_t)n, 0, &e);
    }
    if (st != IDBPQ_OK && !err->msg[0])
        idbpq__fail(err, st, "checkpoint %s: %s", path,
                    e.msg[0] ? e.msg : r.w ? idbpq_writer_errmsg(r.w) : idbpq_status_str(st));
    idbpq_writer_free(r.w);
    idbpq_schema_free(s);
    idbpq__arena_free(&r.a);
    idbpq__gather_free(&g);
    idbpq__arena_free(&a);
    return st;
}
