/*
 * delta_ckpt_read.c — classic Parquet checkpoints (PROTOCOL.md "Checkpoints"; notes §1.4),
 * single or multi-part, read with idbpq's own Parquet row reader into the same structure as a
 * commit. Each row is one action: one non-null struct column among add, remove, metaData,
 * protocol, txn (domainMetadata and unknown columns are ignored, as readers may). Columns
 * are found by name, so old checkpoints with extra columns (commitInfo, cdc) and new ones
 * with fewer read alike. Statistics may come only as the typed stats_parsed struct (Spark's
 * writeStatsAsStruct): they are turned back into the JSON text the log would carry.
 */
#include "sync/delta_read.h"

#include <stdio.h>
#include <time.h>

struct ck {
    struct idbpq__arena *a;
    struct idbpq__err *err;
    const char *name;
    const idbpq_schema *s;
    uint64_t row;
    uint32_t cap_add, cap_rm, cap_txn;
};

static idbpq_status ck_nomem(struct ck *c)
{
    return idbpq__fail(c->err, IDBPQ_NOMEM, "%s: out of memory", c->name);
}

static idbpq_status ck_bad(struct ck *c, const char *what)
{
    return idbpq__fail(c->err, IDBPQ_CORRUPT, "%s: row %llu: %s", c->name,
                       (unsigned long long)c->row, what);
}

/* The position of the child named name among node's children, -1 when absent. */
static int child(const idbpq_schema *s, int32_t node, const char *name)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(s, node);
    if (!n) return -1;
    for (int32_t i = 0; i < n->num_children; i++) {
        const idbpq_schema_node *c = idbpq_schema_node_at(s, n->children[i]);
        if (c && strcmp(c->name, name) == 0) return i;
    }
    return -1;
}

static const idbpq_datum *field(const struct ck *c, const idbpq_datum *g, int32_t node,
                                const char *name)
{
    if (!g || g->kind != IDBPQ_DATUM_GROUP) return NULL;
    int i = child(c->s, node, name);
    if (i < 0 || (uint32_t)i >= g->len) return NULL;
    const idbpq_datum *d = &g->u.items[i];
    return d->kind == IDBPQ_DATUM_NULL ? NULL : d;
}

static int32_t child_node(const struct ck *c, int32_t node, const char *name)
{
    int i = child(c->s, node, name);
    return i < 0 ? -1 : idbpq_schema_node_at(c->s, node)->children[i];
}

static const char *d_str(struct ck *c, const idbpq_datum *d)
{
    if (!d || d->kind != IDBPQ_DATUM_BYTES) return NULL;
    return idbpq__arena_strndup(c->a, (const char *)d->u.bytes, d->len);
}

static int64_t d_int(const idbpq_datum *d, int64_t dflt)
{
    if (!d) return dflt;
    if (d->kind == IDBPQ_DATUM_INT64) return d->u.i64;
    if (d->kind == IDBPQ_DATUM_INT32) return d->u.i32;
    return dflt;
}

static int d_bool(const idbpq_datum *d, int dflt)
{
    return d && d->kind == IDBPQ_DATUM_BOOLEAN ? d->u.boolean != 0 : dflt;
}

static idbpq_status d_map(struct ck *c, const idbpq_datum *d, idbpq_kv **out, uint32_t *n)
{
    *out = NULL;
    *n = 0;
    if (!d || d->kind != IDBPQ_DATUM_MAP || !d->len) return IDBPQ_OK;
    idbpq_kv *kv = idbpq__arena_alloc(c->a, d->len * sizeof *kv);
    if (!kv) return ck_nomem(c);
    for (uint32_t i = 0; i < d->len; i++) {
        const idbpq_datum *k = &d->u.items[2 * i], *v = &d->u.items[2 * i + 1];
        const char *ks = d_str(c, k), *vs = d_str(c, v);
        if (!ks) return ck_bad(c, "a map key is not a string");
        memset(&kv[i], 0, sizeof kv[i]);
        kv[i].key.ptr = (const uint8_t *)ks;
        kv[i].key.len = (uint32_t)strlen(ks);
        if (vs) {
            kv[i].value.ptr = (const uint8_t *)vs;
            kv[i].value.len = v->len;
            kv[i].has_value = 1;
        }
    }
    *out = kv;
    *n = d->len;
    return IDBPQ_OK;
}

static idbpq_status d_list(struct ck *c, const idbpq_datum *d, const char ***out, uint32_t *n)
{
    *out = NULL;
    *n = 0;
    if (!d || d->kind != IDBPQ_DATUM_LIST) return IDBPQ_OK;
    const char **v = idbpq__arena_alloc(c->a, (d->len + 1) * sizeof *v);
    if (!v) return ck_nomem(c);
    for (uint32_t i = 0; i < d->len; i++)
        if (!(v[i] = d_str(c, &d->u.items[i]))) return ck_bad(c, "a list item is not a string");
    *out = v;
    *n = d->len;
    return IDBPQ_OK;
}

/* ---- stats_parsed back to JSON -------------------------------------------------------------- */

static idbpq_status iso_ms(struct idbpq__buf *b, int64_t ms)
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int64_t frac = ms - secs * 1000;
    time_t t = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) return idbpq__jw_raw(b, "null");
    char s[48];
    snprintf(s, sizeof s, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
    return idbpq__jw_raw(b, s);
}

static idbpq_status stat_leaf(struct idbpq__buf *b, const idbpq_schema_node *n,
                              const idbpq_datum *d)
{
    char s[64];
    const idbpq_logical *lt = &n->logical;
    switch ((idbpq_datum_kind)d->kind) {
    case IDBPQ_DATUM_NULL: return idbpq__jw_raw(b, "null");
    case IDBPQ_DATUM_BOOLEAN: return idbpq__jw_raw(b, d->u.boolean ? "true" : "false");
    case IDBPQ_DATUM_INT32:
    case IDBPQ_DATUM_INT64: {
        int64_t v = d->kind == IDBPQ_DATUM_INT32 ? d->u.i32 : d->u.i64;
        if (lt->kind == IDBPQ_LT_DATE) {
            int64_t ms = v * 86400000;
            IDBPQ__TRY(iso_ms(b, ms));
            b->len -= 15; /* keep "YYYY-MM-DD: drop the time of day */
            return idbpq__buf_push(b, '"');
        }
        if (lt->kind == IDBPQ_LT_TIMESTAMP)
            return iso_ms(b, lt->unit == IDBPQ_MILLIS ? v : lt->unit == IDBPQ_MICROS
                                                                ? v / 1000 - (v % 1000 < 0)
                                                                : v / 1000000 - (v % 1000000 < 0));
        if (lt->kind == IDBPQ_LT_DECIMAL && lt->scale > 0 && lt->scale < 19) {
            uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v, p10 = 1;
            for (int i = 0; i < lt->scale; i++) p10 *= 10;
            snprintf(s, sizeof s, "%s%llu.%0*llu", v < 0 ? "-" : "",
                     (unsigned long long)(mag / p10), (int)lt->scale,
                     (unsigned long long)(mag % p10));
            return idbpq__jw_raw(b, s);
        }
        return idbpq__jw_int(b, v);
    }
    case IDBPQ_DATUM_INT96: {
        /* Julian day (4 bytes) after nanoseconds of the day (8 bytes), little-endian. */
        int64_t nanos = (int64_t)idbpq__le64(d->u.i96);
        int64_t day = (int64_t)idbpq__le32(d->u.i96 + 8) - 2440588;
        return iso_ms(b, day * 86400000 + nanos / 1000000);
    }
    case IDBPQ_DATUM_FLOAT:
    case IDBPQ_DATUM_DOUBLE: {
        double v = d->kind == IDBPQ_DATUM_FLOAT ? d->u.f32 : d->u.f64;
        if (v != v || v - v != 0) return idbpq__jw_raw(b, "null"); /* NaN, Inf */
        snprintf(s, sizeof s, "%.17g", v);
        return idbpq__jw_raw(b, s);
    }
    case IDBPQ_DATUM_BYTES:
        if (lt->kind == IDBPQ_LT_STRING || n->converted_type == IDBPQ_CT_UTF8)
            return idbpq__jw_str(b, (const char *)d->u.bytes, d->len);
        return idbpq__jw_raw(b, "null");
    case IDBPQ_DATUM_GROUP:
    case IDBPQ_DATUM_LIST:
    case IDBPQ_DATUM_MAP:
        break;
    }
    return idbpq__jw_raw(b, "null");
}

static idbpq_status stats_json(const idbpq_schema *s, int32_t node, const idbpq_datum *d,
                               struct idbpq__buf *b, int depth)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(s, node);
    if (!n || depth > 64) return idbpq__jw_raw(b, "null");
    if (d->kind != IDBPQ_DATUM_GROUP || n->shape != IDBPQ_SHAPE_STRUCT) return stat_leaf(b, n, d);
    IDBPQ__TRY(idbpq__buf_push(b, '{'));
    int first = 1;
    for (int32_t i = 0; i < n->num_children && (uint32_t)i < d->len; i++) {
        if (d->u.items[i].kind == IDBPQ_DATUM_NULL) continue; /* unknown: leave it out */
        const idbpq_schema_node *cn = idbpq_schema_node_at(s, n->children[i]);
        IDBPQ__TRY(idbpq__jw_key(b, cn->name, first));
        first = 0;
        IDBPQ__TRY(stats_json(s, n->children[i], &d->u.items[i], b, depth + 1));
    }
    return idbpq__buf_push(b, '}');
}

/* ---- actions -------------------------------------------------------------------------------- */

static void *grow(struct idbpq__arena *a, void *old, uint32_t n, uint32_t *cap, size_t elem)
{
    if (n < *cap) return old;
    uint32_t nc = *cap ? *cap * 2 : 64;
    void *p = nc > *cap ? idbpq__arena_alloc(a, (size_t)nc * elem) : NULL;
    if (p && n) memcpy(p, old, (size_t)n * elem);
    if (p) *cap = nc;
    return p;
}

static idbpq_status file_action(struct ck *c, int32_t node, const idbpq_datum *g,
                                struct idbpq__delta_file *f)
{
    memset(f, 0, sizeof *f);
    f->path = d_str(c, field(c, g, node, "path"));
    if (!f->path || !f->path[0]) return ck_bad(c, "a file action has no path");
    f->file = idbpq__percent_decode(c->a, f->path);
    if (!f->file) return ck_bad(c, "a file path decodes to a NUL byte");
    f->size = d_int(field(c, g, node, "size"), -1);
    f->modification_time = d_int(field(c, g, node, "modificationTime"), -1);
    f->deletion_timestamp = d_int(field(c, g, node, "deletionTimestamp"), -1);
    f->data_change = d_bool(field(c, g, node, "dataChange"), 0);
    f->extended = d_bool(field(c, g, node, "extendedFileMetadata"), 0);
    f->stats = d_str(c, field(c, g, node, "stats"));
    const idbpq_datum *sp = field(c, g, node, "stats_parsed");
    if (!f->stats && sp) {
        struct idbpq__buf b;
        idbpq__buf_init(&b, NULL);
        idbpq_status st = stats_json(c->s, child_node(c, node, "stats_parsed"), sp, &b, 0);
        if (st == IDBPQ_OK) f->stats = idbpq__arena_strndup(c->a, (const char *)b.p, b.len);
        idbpq__buf_free(&b);
        if (st != IDBPQ_OK || !f->stats) return ck_nomem(c);
    }
    IDBPQ__TRY(d_map(c, field(c, g, node, "partitionValues"), &f->partition_values,
                     &f->n_partition_values));
    IDBPQ__TRY(d_map(c, field(c, g, node, "tags"), &f->tags, &f->n_tags));
    const idbpq_datum *dv = field(c, g, node, "deletionVector");
    if (dv) {
        int32_t dn = child_node(c, node, "deletionVector");
        const char *stype = d_str(c, field(c, dv, dn, "storageType"));
        const char *p = d_str(c, field(c, dv, dn, "pathOrInlineDv"));
        int64_t size = d_int(field(c, dv, dn, "sizeInBytes"), -1);
        int64_t card = d_int(field(c, dv, dn, "cardinality"), -1);
        int64_t off = d_int(field(c, dv, dn, "offset"), -1);
        if (!stype || strlen(stype) != 1 || !p || size < 0 || size > INT32_MAX || card < 0 ||
            off < -1 || off > INT32_MAX)
            return ck_bad(c, "an incomplete deletionVector");
        idbpq_table_dv *v = idbpq__arena_alloc(c->a, sizeof *v);
        if (!v) return ck_nomem(c);
        v->storage_type = stype[0];
        v->path_or_inline = p;
        v->offset = (int32_t)off;
        v->size = (int32_t)size;
        v->cardinality = card;
        f->dv = v;
    }
    return IDBPQ_OK;
}

static idbpq_status row_action(struct ck *c, const idbpq_datum *row, struct idbpq__delta_commit *o)
{
    const idbpq_datum *g;
    if ((g = field(c, row, 0, "add"))) {
        struct idbpq__delta_file *v = grow(c->a, o->adds, o->n_adds, &c->cap_add, sizeof *v);
        if (!v) return ck_nomem(c);
        o->adds = v;
        return file_action(c, child_node(c, 0, "add"), g, &o->adds[o->n_adds++]);
    }
    if ((g = field(c, row, 0, "remove"))) {
        struct idbpq__delta_file *v = grow(c->a, o->removes, o->n_removes, &c->cap_rm, sizeof *v);
        if (!v) return ck_nomem(c);
        o->removes = v;
        return file_action(c, child_node(c, 0, "remove"), g, &o->removes[o->n_removes++]);
    }
    if ((g = field(c, row, 0, "txn"))) {
        int32_t n = child_node(c, 0, "txn");
        struct idbpq__delta_txn_action *v = grow(c->a, o->txns, o->n_txns, &c->cap_txn, sizeof *v);
        if (!v) return ck_nomem(c);
        o->txns = v;
        struct idbpq__delta_txn_action *t = &o->txns[o->n_txns++];
        t->app_id = d_str(c, field(c, g, n, "appId"));
        t->version = d_int(field(c, g, n, "version"), -1);
        t->last_updated = d_int(field(c, g, n, "lastUpdated"), -1);
        if (!t->app_id) return ck_bad(c, "txn without appId");
        return IDBPQ_OK;
    }
    if ((g = field(c, row, 0, "protocol"))) {
        int32_t n = child_node(c, 0, "protocol");
        struct idbpq__delta_protocol *p = idbpq__arena_alloc(c->a, sizeof *p);
        if (!p) return ck_nomem(c);
        memset(p, 0, sizeof *p);
        p->min_reader = (int32_t)d_int(field(c, g, n, "minReaderVersion"), -1);
        p->min_writer = (int32_t)d_int(field(c, g, n, "minWriterVersion"), -1);
        if (p->min_reader < 0 || p->min_writer < 0) return ck_bad(c, "protocol without versions");
        IDBPQ__TRY(d_list(c, field(c, g, n, "readerFeatures"), &p->reader_features,
                          &p->n_reader_features));
        IDBPQ__TRY(d_list(c, field(c, g, n, "writerFeatures"), &p->writer_features,
                          &p->n_writer_features));
        o->protocol = p;
        return IDBPQ_OK;
    }
    if ((g = field(c, row, 0, "metaData"))) {
        int32_t n = child_node(c, 0, "metaData");
        struct idbpq__delta_metadata *m = idbpq__arena_alloc(c->a, sizeof *m);
        if (!m) return ck_nomem(c);
        memset(m, 0, sizeof *m);
        m->id = d_str(c, field(c, g, n, "id"));
        m->name = d_str(c, field(c, g, n, "name"));
        m->description = d_str(c, field(c, g, n, "description"));
        m->schema_string = d_str(c, field(c, g, n, "schemaString"));
        m->created_time = d_int(field(c, g, n, "createdTime"), -1);
        IDBPQ__TRY(d_list(c, field(c, g, n, "partitionColumns"), &m->partition_columns,
                          &m->n_partition_columns));
        IDBPQ__TRY(d_map(c, field(c, g, n, "configuration"), &m->configuration,
                         &m->n_configuration));
        if (m->schema_string) {
            struct idbpq__dj *s;
            idbpq_status st = idbpq__dj_parse(c->a, m->schema_string, strlen(m->schema_string),
                                              &s, c->err);
            if (st != IDBPQ_OK) {
                idbpq__err_prefix(c->err, "%s: row %llu: schemaString: ", c->name,
                                  (unsigned long long)c->row);
                return st;
            }
            m->schema = s;
        }
        o->metadata = m;
    }
    return IDBPQ_OK; /* domainMetadata, commitInfo (old Spark), cdc: nothing to keep */
}

static idbpq_status read_part(struct ck *c, const idbpq_table_io *io, const char *path,
                              struct idbpq__delta_commit *o)
{
    idbpq_source src;
    idbpq_error e;
    memset(&src, 0, sizeof src);
    memset(&e, 0, sizeof e);
    idbpq_status st = io->open(io->ctx, path, &src, &e);
    if (st != IDBPQ_OK) {
        idbpq__derr_in(c->err, &e, st == IDBPQ_END ? IDBPQ_CORRUPT : st);
        return st == IDBPQ_END ? IDBPQ_CORRUPT : st;
    }
    c->name = src.name ? idbpq__arena_strndup(c->a, src.name, strlen(src.name)) : path;
    if (!c->name) c->name = path;
    idbpq_reader *r = NULL;
    idbpq_row_reader *rr = NULL;
    char msg[256];
    msg[0] = 0;
    st = idbpq_reader_open(&r, &src, NULL, NULL, msg, sizeof msg);
    if (st != IDBPQ_OK) {
        idbpq__fail(c->err, st, "checkpoint %s: %s", c->name, msg);
        goto out;
    }
    c->s = idbpq_reader_schema(r);
    if ((st = idbpq_row_reader_open(r, NULL, 0, &rr)) != IDBPQ_OK) {
        idbpq__fail(c->err, st, "checkpoint %s: %s", c->name, idbpq_reader_errmsg(r));
        goto out;
    }
    const idbpq_datum *row;
    for (c->row = 0; (st = idbpq_row_reader_next(rr, &row)) == IDBPQ_OK; c->row++)
        if ((st = row_action(c, row, o)) != IDBPQ_OK) goto out;
    if (st == IDBPQ_END) st = IDBPQ_OK;
    else idbpq__fail(c->err, st, "checkpoint %s: row %llu: %s", c->name,
                     (unsigned long long)c->row, idbpq_row_reader_errmsg(rr));
out:
    idbpq_row_reader_free(rr);
    idbpq_reader_free(r);
    io->close(io->ctx, &src);
    return st;
}

idbpq_status idbpq__delta_ckpt_read(const idbpq_table_io *io,
                                    const struct idbpq__dlog_entry *parts, uint32_t n_parts,
                                    struct idbpq__arena *a, struct idbpq__delta_commit *out,
                                    struct idbpq__err *err)
{
    struct ck c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.err = err;
    memset(out, 0, sizeof *out);
    out->version = n_parts ? parts[0].version : -1;
    out->file_mtime = out->timestamp = -1;
    for (uint32_t i = 0; i < n_parts; i++) IDBPQ__TRY(read_part(&c, io, parts[i].path, out));
    return IDBPQ_OK;
}
