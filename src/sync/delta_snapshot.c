/*
 * delta_snapshot.c — idbpq_table_open: a table's state at one version (notes §4.1, §4.3).
 * The log is listed whole, so `_last_checkpoint` adds nothing and is never trusted (it can be
 * stale). The newest complete checkpoint at or before the version is the start (a multi-part
 * one only when every part is there), the commits after it must all exist, and the protocol
 * is checked before any file is interpreted. Files reconcile by path: a remove takes a live
 * add out only when its deletion vector id matches, so a remove(p) + add(p, dv) in one commit
 * (a DELETE with deletion vectors) leaves the add with its new vector.
 */
#include "sync/delta_read.h"
#include "mapping/mapping.h"

#include <stdio.h>
#include <stdlib.h>

struct idbpq_table {
    const idbpq_allocator *alc;
    struct idbpq__arena a;               /* everything the snapshot keeps */
    const idbpq_table_io *io;
    const char *where;                   /* the table, for messages */
    const struct idbpq__delta_protocol *protocol;
    const struct idbpq__delta_metadata *metadata;
    idbpq_table_meta meta;
    idbpq_table_add *files;
    uint64_t n_files;
    struct idbpq__delta_txn_action *txns;
    uint32_t n_txns;
    idbpq_vbatch *store_batch;           /* the idbpq.store description's strings */
    idbpq_store_desc store;
};

/* ---- the live-file map: open addressing on the path ----------------------------------------- */

struct live {
    const struct idbpq__delta_file *f;   /* NULL: empty; &TOMB: deleted */
    const char *dv_id;
};
static const struct idbpq__delta_file TOMB;

struct fmap {
    struct live *v;
    uint64_t cap, n, used;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static int fmap_grow(struct fmap *m)
{
    uint64_t nc = m->cap ? m->cap * 2 : 256;
    struct live *nv = idbpq__calloc(NULL, (size_t)nc * sizeof *nv);
    if (!nv) return -1;
    for (uint64_t i = 0; i < m->cap; i++) {
        if (!m->v[i].f || m->v[i].f == &TOMB) continue;
        uint64_t h = hash_str(m->v[i].f->path) & (nc - 1);
        while (nv[h].f) h = (h + 1) & (nc - 1);
        nv[h] = m->v[i];
    }
    idbpq__free(NULL, m->v, (size_t)m->cap * sizeof *m->v);
    m->v = nv;
    m->cap = nc;
    m->used = m->n;
    return 0;
}

static struct live *fmap_find(struct fmap *m, const char *path)
{
    if (!m->cap) return NULL;
    for (uint64_t h = hash_str(path) & (m->cap - 1);; h = (h + 1) & (m->cap - 1)) {
        if (!m->v[h].f) return NULL;
        if (m->v[h].f != &TOMB && strcmp(m->v[h].f->path, path) == 0) return &m->v[h];
    }
}

static int fmap_put(struct fmap *m, const struct idbpq__delta_file *f, const char *dv_id)
{
    struct live *e = fmap_find(m, f->path);
    if (e) { e->f = f; e->dv_id = dv_id; return 0; }
    if ((m->used + 1) * 4 > m->cap * 3 && fmap_grow(m)) return -1;
    uint64_t h = hash_str(f->path) & (m->cap - 1);
    while (m->v[h].f && m->v[h].f != &TOMB) h = (h + 1) & (m->cap - 1);
    if (!m->v[h].f) m->used++;
    m->v[h].f = f;
    m->v[h].dv_id = dv_id;
    m->n++;
    return 0;
}

static void fmap_remove(struct fmap *m, const struct idbpq__delta_file *f, const char *dv_id)
{
    struct live *e = fmap_find(m, f->path);
    if (!e || strcmp(e->dv_id, dv_id) != 0) return;
    e->f = &TOMB;
    m->n--;
}

/* Removes first: one commit never both adds and removes one (path, dv) key, but it may remove
 * (p, dvA) and add (p, dvB). */
static idbpq_status apply(struct fmap *m, struct idbpq__arena *a,
                          const struct idbpq__delta_commit *c, struct idbpq__err *err)
{
    for (uint32_t i = 0; i < c->n_removes; i++) {
        const char *id = idbpq__dv_id(a, c->removes[i].dv);
        if (!id) return idbpq__fail(err, IDBPQ_NOMEM, "table: out of memory");
        fmap_remove(m, &c->removes[i], id);
    }
    for (uint32_t i = 0; i < c->n_adds; i++) {
        const char *id = idbpq__dv_id(a, c->adds[i].dv);
        if (!id || fmap_put(m, &c->adds[i], id))
            return idbpq__fail(err, IDBPQ_NOMEM, "table: out of memory");
    }
    return IDBPQ_OK;
}

/* ---- snapshot ------------------------------------------------------------------------------- */

static const char *table_name(struct idbpq__arena *a, const char *src_name)
{
    const char *p = src_name ? strstr(src_name, "/" IDBPQ__DELTA_LOG "/") : NULL;
    if (!p) return "table";
    char *s = idbpq__arena_strndup(a, src_name, (size_t)(p - src_name));
    return s ? s : "table";
}

static int cmp_add(const void *x, const void *y)
{
    return strcmp(((const idbpq_table_add *)x)->path, ((const idbpq_table_add *)y)->path);
}

static const char *cfg(const struct idbpq__delta_metadata *m, const char *key)
{
    return m ? idbpq__kv_find(m->configuration, m->n_configuration, key) : NULL;
}

/* Everything from the parse arenas that the snapshot keeps is copied into t->a, so that the
 * commits' other actions are freed with the temporary arena. */
static idbpq_status keep_files(idbpq_table *t, struct fmap *m, struct idbpq__arena *tmp,
                               struct idbpq__err *err)
{
    t->files = idbpq__arena_alloc(&t->a, (size_t)(m->n + 1) * sizeof *t->files);
    if (!t->files) return idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", t->where);
    int64_t records = 0;
    for (uint64_t i = 0; i < m->cap; i++) {
        const struct idbpq__delta_file *f = m->v[i].f;
        if (!f || f == &TOMB) continue;
        idbpq_table_add *o = &t->files[t->n_files++];
        memset(o, 0, sizeof *o);
        o->path = idbpq__arena_strndup(&t->a, f->path, strlen(f->path));
        o->file = idbpq__arena_strndup(&t->a, f->file, strlen(f->file));
        o->stats = f->stats ? idbpq__arena_strndup(&t->a, f->stats, strlen(f->stats)) : NULL;
        if (!o->path || !o->file || (f->stats && !o->stats)) goto nomem;
        o->size = f->size < 0 ? 0 : (uint64_t)f->size;
        o->modification_time = f->modification_time;
        o->num_records = -1;
        if (f->stats) {
            struct idbpq__dj *s;
            struct idbpq__err e2;
            if (idbpq__dj_parse(tmp, f->stats, strlen(f->stats), &s, &e2) == IDBPQ_OK)
                idbpq__dj_int(s, "numRecords", &o->num_records);
        }
        /* The kv arrays and DV strings live in tmp: copy. */
        const idbpq_kv *src[2] = { f->partition_values, f->tags };
        uint32_t ns[2] = { f->n_partition_values, f->n_tags };
        idbpq_kv *dst[2] = { NULL, NULL };
        for (int k = 0; k < 2; k++) {
            if (!ns[k]) continue;
            dst[k] = idbpq__arena_alloc(&t->a, ns[k] * sizeof **dst);
            if (!dst[k]) goto nomem;
            for (uint32_t j = 0; j < ns[k]; j++) {
                dst[k][j] = src[k][j];
                dst[k][j].key.ptr = (const uint8_t *)idbpq__arena_strndup(
                    &t->a, (const char *)src[k][j].key.ptr, src[k][j].key.len);
                if (src[k][j].has_value)
                    dst[k][j].value.ptr = (const uint8_t *)idbpq__arena_strndup(
                        &t->a, (const char *)src[k][j].value.ptr, src[k][j].value.len);
                if (!dst[k][j].key.ptr || (src[k][j].has_value && !dst[k][j].value.ptr))
                    goto nomem;
            }
        }
        o->partition_values = dst[0];
        o->n_partition_values = ns[0];
        o->tags = dst[1];
        o->n_tags = ns[1];
        if (f->dv) {
            idbpq_table_dv *dv = idbpq__arena_alloc(&t->a, sizeof *dv);
            if (!dv) goto nomem;
            *dv = *f->dv;
            dv->path_or_inline = idbpq__arena_strndup(&t->a, f->dv->path_or_inline, strlen(f->dv->path_or_inline));
            if (!dv->path_or_inline) goto nomem;
            o->dv = dv;
        }
        if (records >= 0 && o->num_records >= 0)
            records += o->num_records - (o->dv ? o->dv->cardinality : 0);
        else
            records = -1;
        t->meta.bytes += o->size;
    }
    if (t->n_files > 1) qsort(t->files, (size_t)t->n_files, sizeof *t->files, cmp_add);
    t->meta.n_files = t->n_files;
    t->meta.records = records;
    return IDBPQ_OK;
nomem:
    return idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", t->where);
}

/* protocol, metaData and the txn map (latest version per appId) into t. */
static idbpq_status keep_rest(idbpq_table *t, const struct idbpq__delta_commit *ck,
                              const struct idbpq__delta_commit *cs, uint32_t nc,
                              struct idbpq__err *err)
{
    uint32_t n = ck->n_txns;
    for (uint32_t i = 0; i < nc; i++) n += cs[i].n_txns;
    t->txns = idbpq__arena_alloc(&t->a, (n + 1) * sizeof *t->txns);
    if (!t->txns) return idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", t->where);
    for (int64_t i = -1; i < (int64_t)nc; i++) {
        const struct idbpq__delta_commit *c = i < 0 ? ck : &cs[i];
        for (uint32_t k = 0; k < c->n_txns; k++) {
            uint32_t j = 0;
            while (j < t->n_txns && strcmp(t->txns[j].app_id, c->txns[k].app_id)) j++;
            if (j == t->n_txns) {
                t->txns[j].app_id = idbpq__arena_strndup(&t->a, c->txns[k].app_id, strlen(c->txns[k].app_id));
                if (!t->txns[j].app_id) return idbpq__fail(err, IDBPQ_NOMEM, "out of memory");
                t->n_txns++;
            }
            t->txns[j].version = c->txns[k].version;
            t->txns[j].last_updated = c->txns[k].last_updated;
        }
    }
    return IDBPQ_OK;
}

static void fill_meta(idbpq_table *t, int64_t version, int64_t cp, struct idbpq__err *err)
{
    idbpq_table_meta *m = &t->meta;
    const struct idbpq__delta_protocol *p = t->protocol;
    const struct idbpq__delta_metadata *md = t->metadata;
    m->version = version;
    m->checkpoint_version = cp;
    m->min_reader_version = p->min_reader;
    m->min_writer_version = p->min_writer;
    m->n_reader_features = p->n_reader_features;
    m->reader_features = p->reader_features;
    m->n_writer_features = p->n_writer_features;
    m->writer_features = p->writer_features;
    m->created_time = -1;
    m->column_mapping = "none";
    if (md) {
        m->id = md->id;
        m->name = md->name;
        m->description = md->description;
        m->schema_string = md->schema_string;
        m->n_partition_columns = md->n_partition_columns;
        m->partition_columns = md->partition_columns;
        m->n_configuration = md->n_configuration;
        m->configuration = md->configuration;
        m->created_time = md->created_time;
        const char *cdf = cfg(md, "delta.enableChangeDataFeed");
        if (!cdf) cdf = cfg(md, "delta.enableChangeDataCapture");
        m->change_data_feed = cdf && !strcmp(cdf, "true");
        /* The mode counts only when the protocol supports column mapping (notes §4.6). */
        const char *cm = cfg(md, "delta.columnMapping.mode");
        int supported = p->min_reader == 2;
        if (p->min_reader == 3) {
            for (uint32_t i = 0; i < p->n_reader_features; i++)
                if (!strcmp(p->reader_features[i], "columnMapping")) supported = 1;
        }
        if (supported && cm && (!strcmp(cm, "name") || !strcmp(cm, "id")))
            m->column_mapping = !strcmp(cm, "name") ? "name" : "id";
        const char *store = cfg(md, "idbpq.store");
        if (store && idbpq_vbatch_create(&t->store_batch, t->alc) == IDBPQ_OK) {
            struct idbpq__err e2;
            if (idbpq__store_json_read(t->store_batch, store, strlen(store), &t->store, &e2) ==
                IDBPQ_OK)
                m->store = &t->store;
        }
    }
    (void)err;
}

static const char **copy_strs(struct idbpq__arena *a, const char *const *v, uint32_t n)
{
    const char **o = idbpq__arena_alloc(a, (n + 1) * sizeof *o);
    if (!o) return NULL;
    for (uint32_t i = 0; i < n; i++)
        if (!(o[i] = idbpq__arena_strndup(a, v[i], strlen(v[i])))) return NULL;
    o[n] = NULL;
    return o;
}

#define KEEP(dst, src) \
    do { if ((src) && !((dst) = idbpq__arena_strndup(&t->a, (src), strlen(src)))) goto nomem; } while (0)

/* Copies protocol and metadata (they point into the temporary arena) into t->a; the schema
 * is parsed again there. */
static idbpq_status keep_pm(idbpq_table *t, const struct idbpq__delta_protocol *p,
                            const struct idbpq__delta_metadata *m, struct idbpq__err *err)
{
    struct idbpq__delta_protocol *pp = idbpq__arena_alloc(&t->a, sizeof *pp);
    struct idbpq__delta_metadata *mm = idbpq__arena_alloc(&t->a, sizeof *mm);
    if (!pp || !mm) goto nomem;
    *pp = *p;
    *mm = *m;
    if (p->reader_features &&
        !(pp->reader_features = copy_strs(&t->a, p->reader_features, p->n_reader_features)))
        goto nomem;
    if (p->writer_features &&
        !(pp->writer_features = copy_strs(&t->a, p->writer_features, p->n_writer_features)))
        goto nomem;
    KEEP(mm->id, m->id);
    KEEP(mm->name, m->name);
    KEEP(mm->description, m->description);
    KEEP(mm->schema_string, m->schema_string);
    if (!(mm->partition_columns = copy_strs(&t->a, m->partition_columns,
                                            m->n_partition_columns)))
        goto nomem;
    if (m->n_configuration) {
        idbpq_kv *kv = idbpq__arena_alloc(&t->a, m->n_configuration * sizeof *kv);
        if (!kv) goto nomem;
        for (uint32_t i = 0; i < m->n_configuration; i++) {
            const idbpq_kv *s = &m->configuration[i];
            kv[i] = *s;
            kv[i].key.ptr = (const uint8_t *)idbpq__arena_strndup(&t->a, (const char *)s->key.ptr,
                                                                  s->key.len);
            if (!kv[i].key.ptr) goto nomem;
            if (s->has_value &&
                !(kv[i].value.ptr = (const uint8_t *)idbpq__arena_strndup(
                      &t->a, (const char *)s->value.ptr, s->value.len)))
                goto nomem;
        }
        mm->configuration = kv;
    }
    mm->schema = NULL;
    if (mm->schema_string) {
        struct idbpq__dj *sc;
        IDBPQ__TRY(idbpq__dj_parse(&t->a, mm->schema_string, strlen(mm->schema_string), &sc,
                                   err));
        mm->schema = sc;
    }
    t->protocol = pp;
    t->metadata = mm;
    return IDBPQ_OK;
nomem:
    return idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", t->where);
}

idbpq_status idbpq_table_open(idbpq_table **out, const idbpq_table_io *io, int64_t version,
                              const idbpq_allocator *alc, idbpq_error *perr)
{
    struct idbpq__err err;
    memset(&err, 0, sizeof err);
    idbpq_status st = IDBPQ_OK;
    struct idbpq__arena tmp;
    struct fmap map = { NULL, 0, 0, 0 };
    struct idbpq__delta_commit ck, *cs = NULL;
    uint32_t nc = 0, n_ent = 0;
    struct idbpq__dlog_entry *ent;
    if (!out || !io) {
        idbpq__fail(&err, IDBPQ_INVALID_ARG, "idbpq_table_open: NULL argument");
        return idbpq__derr_out(perr, &err);
    }
    *out = NULL;
    idbpq__arena_init(&tmp, alc);
    memset(&ck, 0, sizeof ck);
    idbpq_table *t = idbpq__calloc(alc, sizeof *t);
    if (!t) { st = idbpq__fail(&err, IDBPQ_NOMEM, "table: out of memory"); goto out; }
    t->alc = alc;
    t->io = io;
    t->where = "table";
    idbpq__arena_init(&t->a, alc);
    if ((st = idbpq__dlog_list(io, &tmp, &ent, &n_ent, &err)) != IDBPQ_OK) goto out;
    if (n_ent) {
        /* Name the table in messages after its first log file's directory. */
        idbpq_source src;
        idbpq_error e;
        memset(&src, 0, sizeof src);
        if (io->open(io->ctx, ent[0].path, &src, &e) == IDBPQ_OK) {
            t->where = table_name(&t->a, src.name);
            io->close(io->ctx, &src);
        }
    }
    int64_t latest = -1;
    for (uint32_t i = 0; i < n_ent; i++)
        if (ent[i].kind == IDBPQ__DLOG_COMMIT && ent[i].version > latest) latest = ent[i].version;
    if (latest < 0) {
        for (uint32_t i = 0; i < n_ent; i++)
            if (ent[i].version > latest) latest = ent[i].version;
        if (latest < 0) {
            st = idbpq__fail(&err, IDBPQ_END, "no Delta table here (_delta_log has no commit)");
            goto out;
        }
    }
    if (version < 0) version = latest;
    if (version > latest) {
        st = idbpq__fail(&err, IDBPQ_INVALID_ARG, "version %lld does not exist (the latest is "
                         "%lld)", (long long)version, (long long)latest);
        goto out;
    }
    /* The newest complete classic checkpoint at or before the version. */
    int64_t cp = -1;
    uint32_t cp_first = 0, cp_n = 0;
    for (uint32_t i = 0; i < n_ent; i++) {
        const struct idbpq__dlog_entry *e = &ent[i];
        if (e->version > version || e->version < cp) continue;
        if (e->kind == IDBPQ__DLOG_CKPT) { cp = e->version; cp_first = i; cp_n = 1; }
        else if (e->kind == IDBPQ__DLOG_CKPT_PART && e->part == 1 && e->version >= cp) {
            uint32_t k = 1;
            while (i + k < n_ent && ent[i + k].version == e->version &&
                   ent[i + k].kind == IDBPQ__DLOG_CKPT_PART && ent[i + k].parts == e->parts &&
                   ent[i + k].part == k + 1)
                k++;
            if (k == e->parts && (cp < e->version || cp_n == 0)) {
                cp = e->version; cp_first = i; cp_n = k;
            }
        }
    }
    /* Commits cp+1 .. version, contiguous. */
    cs = idbpq__arena_alloc(&tmp, (size_t)(version - cp + 1) * sizeof *cs);
    if (!cs) { st = idbpq__fail(&err, IDBPQ_NOMEM, "table: out of memory"); goto out; }
    for (uint32_t i = 0; i < n_ent && st == IDBPQ_OK; i++) {
        const struct idbpq__dlog_entry *e = &ent[i];
        if (e->kind != IDBPQ__DLOG_COMMIT || e->version <= cp || e->version > version) continue;
        if (e->version != cp + 1 + (int64_t)nc) break;
        memset(&cs[nc], 0, sizeof cs[nc]);
        st = idbpq__delta_commit_read(io, e->version, &tmp, &cs[nc], &err);
        if (st == IDBPQ_END) st = idbpq__fail(&err, IDBPQ_CORRUPT, "%s vanished", e->path);
        idbpq__delta_commit_time(&cs[nc], e->mtime);
        nc++;
    }
    if (st != IDBPQ_OK) goto out;
    if (cp + (int64_t)nc != version) {
        int64_t missing = cp + 1 + (int64_t)nc;
        st = idbpq__fail(&err, IDBPQ_CORRUPT, "commit %020lld.json is missing from the log "
                         "(needed for version %lld%s)", (long long)missing, (long long)version,
                         cp < 0 ? ", and no checkpoint precedes it" : "");
        goto out;
    }
    if (cp_n && (st = idbpq__delta_ckpt_read(io, &ent[cp_first], cp_n, &tmp, &ck, &err)))
        goto out;
    /* The protocol and metadata in force: the newest commit's, else the checkpoint's. */
    const struct idbpq__delta_protocol *p = ck.protocol;
    const struct idbpq__delta_metadata *md = ck.metadata;
    for (uint32_t i = 0; i < nc; i++) {
        if (cs[i].protocol) p = cs[i].protocol;
        if (cs[i].metadata) md = cs[i].metadata;
    }
    if ((st = idbpq__delta_check_read(p, &err)) != IDBPQ_OK) goto out;
    if (!md) {
        st = idbpq__fail(&err, IDBPQ_CORRUPT, "the log has no metaData action up to version %lld",
                         (long long)version);
        goto out;
    }
    if ((st = keep_pm(t, p, md, &err)) != IDBPQ_OK) goto out;
    if ((st = apply(&map, &tmp, &ck, &err)) != IDBPQ_OK) goto out;
    for (uint32_t i = 0; i < nc; i++)
        if ((st = apply(&map, &tmp, &cs[i], &err)) != IDBPQ_OK) goto out;
    if ((st = keep_files(t, &map, &tmp, &err)) != IDBPQ_OK) goto out;
    if ((st = keep_rest(t, &ck, cs, nc, &err)) != IDBPQ_OK) goto out;
    fill_meta(t, version, cp_n ? cp : -1, &err);
out:
    if (st != IDBPQ_OK && t && strcmp(t->where, "table") && !strstr(err.msg, t->where))
        idbpq__err_prefix(&err, "table %s: ", t->where);
    idbpq__free(NULL, map.v, (size_t)map.cap * sizeof *map.v);
    idbpq__arena_free(&tmp);
    if (st != IDBPQ_OK) {
        idbpq_table_free(t);
        return idbpq__derr_out(perr, &err);
    }
    *out = t;
    return IDBPQ_OK;
}

void idbpq_table_free(idbpq_table *t)
{
    if (!t) return;
    idbpq_vbatch_free(t->store_batch);
    idbpq__arena_free(&t->a);
    idbpq__free(t->alc, t, sizeof *t);
}

const idbpq_table_meta *idbpq_table_get_meta(const idbpq_table *t) { return t ? &t->meta : NULL; }
uint64_t idbpq_table_file_count(const idbpq_table *t) { return t ? t->n_files : 0; }

const idbpq_table_add *idbpq_table_file_at(const idbpq_table *t, uint64_t i)
{
    return t && i < t->n_files ? &t->files[i] : NULL;
}

int64_t idbpq_table_txn_version(const idbpq_table *t, const char *app_id)
{
    if (!t || !app_id) return -1;
    for (uint32_t i = 0; i < t->n_txns; i++)
        if (!strcmp(t->txns[i].app_id, app_id)) return t->txns[i].version;
    return -1;
}

const struct idbpq__delta_protocol *idbpq__table_protocol(const idbpq_table *t)
{
    return t ? t->protocol : NULL;
}
const struct idbpq__delta_metadata *idbpq__table_metadata(const idbpq_table *t)
{
    return t ? t->metadata : NULL;
}
const idbpq_table_io *idbpq__table_io(const idbpq_table *t) { return t ? t->io : NULL; }
const char *idbpq__table_where(const idbpq_table *t) { return t ? t->where : "table"; }
const idbpq_allocator *idbpq__table_alc(const idbpq_table *t) { return t ? t->alc : NULL; }
