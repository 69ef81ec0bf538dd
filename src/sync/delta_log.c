/*
 * delta_log.c — the Delta log as files: listing _delta_log/, reading one commit and parsing
 * its actions (PROTOCOL.md "Delta Log Entries"; docs/delta.md). A commit is newline-delimited
 * JSON, one action per line; Spark ends it with a newline, delta-rs does not, so both are
 * accepted and empty lines skipped. Unknown actions and fields are ignored, as the protocol
 * requires of readers. Paths are kept as written (URI-encoded) and percent-decoded once.
 */
#include "sync/delta_read.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_COMMIT_BYTES ((size_t)1 << 30)

/* ---- errors ------------------------------------------------------------------------------- */

idbpq_status idbpq__derr_in(struct idbpq__err *err, const idbpq_error *e, idbpq_status st)
{
    idbpq_status s = e->status != IDBPQ_OK ? e->status : st;
    return idbpq__fail(err, s, "%s", e->msg[0] ? e->msg : idbpq_status_str(s));
}

idbpq_status idbpq__derr_out(idbpq_error *out, const struct idbpq__err *err)
{
    if (out) {
        memset(out, 0, sizeof *out);
        out->status = err->status;
        /* The public message is shorter: keep its start (which names the table and file). */
        size_t n = strnlen(err->msg, sizeof out->msg - 1);
        memcpy(out->msg, err->msg, n);
        out->msg[n] = 0;
    }
    return err->status;
}

/* ---- names -------------------------------------------------------------------------------- */

void idbpq__delta_commit_name(int64_t version, char *out, size_t cap)
{
    snprintf(out, cap, IDBPQ__DELTA_LOG "/%020lld.json", (long long)version);
}

static int digits(const char *s, size_t n, uint64_t *v)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        acc = acc * 10 + (uint64_t)(s[i] - '0');
    }
    *v = acc;
    return 1;
}

/* Classifies a name in _delta_log/ (K path.rs: only names starting with exactly 20 digits
 * are log files; anything else is unknown and skipped). 0: not a log file we read. */
static int classify(const char *name, struct idbpq__dlog_entry *e)
{
    size_t n = strlen(name);
    uint64_t v;
    if (n < 21 || !digits(name, 20, &v) || name[20] != '.' || v > INT64_MAX) return 0;
    const char *rest = name + 21;
    size_t rn = n - 21;
    e->version = (int64_t)v;
    e->part = e->parts = 0;
    if (strcmp(rest, "json") == 0) { e->kind = IDBPQ__DLOG_COMMIT; return 1; }
    if (strncmp(rest, "checkpoint.", 11) != 0) return 0; /* .crc, <x>.<y>.compacted.json */
    rest += 11;
    rn -= 11;
    if (strcmp(rest, "parquet") == 0) { e->kind = IDBPQ__DLOG_CKPT; return 1; }
    uint64_t o, p;
    if (rn == 10 + 1 + 10 + 8 && digits(rest, 10, &o) && rest[10] == '.' &&
        digits(rest + 11, 10, &p) && strcmp(rest + 21, ".parquet") == 0) {
        if (o < 1 || o > p || p > 100000) return 0;
        e->kind = IDBPQ__DLOG_CKPT_PART;
        e->part = (uint32_t)o;
        e->parts = (uint32_t)p;
        return 1;
    }
    if (rn > 5 && (strcmp(rest + rn - 5, ".json") == 0 ||
                   (rn > 8 && strcmp(rest + rn - 8, ".parquet") == 0))) {
        e->kind = IDBPQ__DLOG_CKPT_UUID;
        return 1;
    }
    return 0;
}

struct list_ctx {
    struct idbpq__arena *a;
    struct idbpq__dlog_entry *v;
    uint32_t n, cap;
    int nomem;
};

static idbpq_status on_file(void *ctx, const idbpq_table_file *f)
{
    struct list_ctx *lc = ctx;
    const char *base = strrchr(f->path, '/');
    base = base ? base + 1 : f->path;
    struct idbpq__dlog_entry e;
    memset(&e, 0, sizeof e);
    if (!classify(base, &e)) return IDBPQ_OK;
    if (lc->n == lc->cap) {
        uint32_t nc = lc->cap ? lc->cap * 2 : 64;
        struct idbpq__dlog_entry *nv = nc > lc->cap ? idbpq__arena_alloc(lc->a, nc * sizeof *nv)
                                                    : NULL;
        if (!nv) { lc->nomem = 1; return IDBPQ_NOMEM; }
        if (lc->n) memcpy(nv, lc->v, lc->n * sizeof *nv);
        lc->v = nv;
        lc->cap = nc;
    }
    e.mtime = f->mtime_ms;
    e.size = f->size;
    size_t pn = strlen(base) + sizeof IDBPQ__DELTA_LOG + 1;
    char *p = idbpq__arena_alloc(lc->a, pn);
    if (!p) { lc->nomem = 1; return IDBPQ_NOMEM; }
    snprintf(p, pn, IDBPQ__DELTA_LOG "/%s", base);
    e.path = p;
    lc->v[lc->n++] = e;
    return IDBPQ_OK;
}

static int cmp_entry(const void *x, const void *y)
{
    const struct idbpq__dlog_entry *a = x, *b = y;
    if (a->version != b->version) return a->version < b->version ? -1 : 1;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->part != b->part) return a->part < b->part ? -1 : 1;
    return strcmp(a->path, b->path);
}

idbpq_status idbpq__dlog_list(const idbpq_table_io *io, struct idbpq__arena *a,
                              struct idbpq__dlog_entry **out, uint32_t *n,
                              struct idbpq__err *err)
{
    struct list_ctx lc = { a, NULL, 0, 0, 0 };
    idbpq_error e;
    memset(&e, 0, sizeof e);
    idbpq_status st = io->list(io->ctx, IDBPQ__DELTA_LOG, on_file, &lc, &e);
    if (lc.nomem) return idbpq__fail(err, IDBPQ_NOMEM, "listing " IDBPQ__DELTA_LOG ": out of memory");
    if (st != IDBPQ_OK) return idbpq__derr_in(err, &e, st);
    /* A local readdir is in no particular order; object stores list lexicographically. */
    if (lc.n > 1) qsort(lc.v, lc.n, sizeof *lc.v, cmp_entry);
    *out = lc.v;
    *n = lc.n;
    return IDBPQ_OK;
}

idbpq_status idbpq__delta_latest_version(const idbpq_table_io *io, int64_t *version,
                                         struct idbpq__err *err)
{
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__dlog_entry *v;
    uint32_t n;
    idbpq_status st = idbpq__dlog_list(io, &a, &v, &n, err);
    *version = -1;
    if (st == IDBPQ_OK)
        for (uint32_t i = 0; i < n; i++)
            if (v[i].version > *version) *version = v[i].version;
    idbpq__arena_free(&a);
    return st;
}

/* ---- reading files ------------------------------------------------------------------------- */

idbpq_status idbpq__dio_read_all(const idbpq_table_io *io, const char *path, size_t max,
                                 struct idbpq__arena *a, char **out, size_t *n,
                                 const char **name, struct idbpq__err *err)
{
    idbpq_source src;
    idbpq_error e;
    memset(&src, 0, sizeof src);
    memset(&e, 0, sizeof e);
    *name = path;
    idbpq_status st = io->open(io->ctx, path, &src, &e);
    if (st == IDBPQ_END) {
        idbpq__fail(err, IDBPQ_END, "%s: no such file", path);
        return IDBPQ_END;
    }
    if (st != IDBPQ_OK) return idbpq__derr_in(err, &e, st);
    if (src.name) {
        char *nm = idbpq__arena_strndup(a, src.name, strlen(src.name));
        if (nm) *name = nm;
    }
    if (src.size > max) {
        st = idbpq__fail(err, IDBPQ_LIMIT, "%s: %llu bytes, more than the %zu read whole",
                         *name, (unsigned long long)src.size, max);
        goto out;
    }
    char *buf = idbpq__arena_alloc(a, (size_t)src.size + 1);
    if (!buf) { st = idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", *name); goto out; }
    if (src.size && (st = src.read_at(src.ctx, 0, buf, (size_t)src.size)) != IDBPQ_OK) {
        st = idbpq__fail(err, IDBPQ_IO, "%s: cannot read %llu bytes", *name,
                         (unsigned long long)src.size);
        goto out;
    }
    buf[src.size] = 0;
    *out = buf;
    *n = (size_t)src.size;
out:
    io->close(io->ctx, &src);
    return st;
}

/* ---- paths --------------------------------------------------------------------------------- */

char *idbpq__percent_decode(struct idbpq__arena *a, const char *s)
{
    size_t n = strlen(s), j = 0;
    char *o = idbpq__arena_alloc(a, n + 1);
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = idbpq__hexval(s[i + 1])) >= 0 &&
            (l = idbpq__hexval(s[i + 2])) >= 0) {
            o[j] = (char)(h * 16 + l);
            if (!o[j]) return NULL;
            j++;
            i += 2;
        } else {
            o[j++] = s[i];
        }
    }
    o[j] = 0;
    return o;
}

/* ---- parsing a commit ---------------------------------------------------------------------- */

struct cparse {
    struct idbpq__arena *a;
    struct idbpq__err *err;
    const char *name;
    uint32_t line;
};

static idbpq_status cbad(struct cparse *cp, const char *what)
{
    return idbpq__fail(cp->err, IDBPQ_CORRUPT, "%s line %u: %s", cp->name, cp->line, what);
}

static idbpq_status cnomem(struct cparse *cp)
{
    return idbpq__fail(cp->err, IDBPQ_NOMEM, "%s line %u: out of memory", cp->name, cp->line);
}

/* A map of strings (partitionValues, tags, configuration): null values have has_value 0;
 * numbers and booleans (written by some engines) keep their text. */
static idbpq_status kv_map(struct cparse *cp, const struct idbpq__dj *o, idbpq_kv **out,
                           uint32_t *n)
{
    *out = NULL;
    *n = 0;
    if (!o || o->kind == IDBPQ__DJ_NULL) return IDBPQ_OK;
    if (o->kind != IDBPQ__DJ_OBJ) return cbad(cp, "a map is not a JSON object");
    if (!o->n) return IDBPQ_OK;
    idbpq_kv *kv = idbpq__arena_alloc(cp->a, o->n * sizeof *kv);
    if (!kv) return cnomem(cp);
    for (uint32_t i = 0; i < o->n; i++) {
        const struct idbpq__dj *v = &o->vals[i];
        memset(&kv[i], 0, sizeof kv[i]);
        kv[i].key.ptr = (const uint8_t *)o->keys[i];
        kv[i].key.len = strlen(o->keys[i]);
        if (v->kind == IDBPQ__DJ_STR || v->kind == IDBPQ__DJ_NUM) {
            kv[i].value.ptr = (const uint8_t *)v->str;
            kv[i].value.len = v->len;
            kv[i].has_value = 1;
        } else if (v->kind == IDBPQ__DJ_BOOL) {
            kv[i].value.ptr = (const uint8_t *)(v->b ? "true" : "false");
            kv[i].value.len = v->b ? 4 : 5;
            kv[i].has_value = 1;
        } else if (v->kind != IDBPQ__DJ_NULL) {
            return cbad(cp, "a map value is not a string");
        }
    }
    *out = kv;
    *n = o->n;
    return IDBPQ_OK;
}

static idbpq_status str_list(struct cparse *cp, const struct idbpq__dj *arr, const char ***out,
                             uint32_t *n)
{
    *out = NULL;
    *n = 0;
    if (!arr || arr->kind == IDBPQ__DJ_NULL) return IDBPQ_OK;
    if (arr->kind != IDBPQ__DJ_ARR) return cbad(cp, "expected an array of strings");
    const char **v = idbpq__arena_alloc(cp->a, (arr->n ? arr->n : 1) * sizeof *v);
    if (!v) return cnomem(cp);
    for (uint32_t i = 0; i < arr->n; i++) {
        if (arr->items[i].kind != IDBPQ__DJ_STR) return cbad(cp, "expected an array of strings");
        v[i] = arr->items[i].str;
    }
    *out = v;
    *n = arr->n;
    return IDBPQ_OK;
}

static int64_t int_or(const struct idbpq__dj *o, const char *k, int64_t dflt)
{
    int64_t v;
    return idbpq__dj_int(o, k, &v) ? v : dflt;
}

static idbpq_status parse_dv(struct cparse *cp, const struct idbpq__dj *o, idbpq_table_dv **out)
{
    *out = NULL;
    if (!o || o->kind == IDBPQ__DJ_NULL) return IDBPQ_OK;
    const char *st = idbpq__dj_str(o, "storageType");
    const char *p = idbpq__dj_str(o, "pathOrInlineDv");
    int64_t size, card;
    if (!st || strlen(st) != 1 || !p || !idbpq__dj_int(o, "sizeInBytes", &size) ||
        !idbpq__dj_int(o, "cardinality", &card) || size < 0 || size > INT32_MAX || card < 0)
        return cbad(cp, "deletionVector lacks storageType, pathOrInlineDv, sizeInBytes or "
                        "cardinality");
    int64_t off = int_or(o, "offset", -1);
    if (off < -1 || off > INT32_MAX) return cbad(cp, "deletionVector offset out of range");
    idbpq_table_dv *dv = idbpq__arena_alloc(cp->a, sizeof *dv);
    if (!dv) return cnomem(cp);
    dv->storage_type = st[0];
    dv->path_or_inline = p;
    dv->offset = (int32_t)off;
    dv->size = (int32_t)size;
    dv->cardinality = card;
    *out = dv;
    return IDBPQ_OK;
}

static idbpq_status parse_file(struct cparse *cp, const struct idbpq__dj *o,
                               struct idbpq__delta_file *f)
{
    memset(f, 0, sizeof *f);
    if (!o || o->kind != IDBPQ__DJ_OBJ) return cbad(cp, "a file action is not an object");
    f->path = idbpq__dj_str(o, "path");
    if (!f->path || !f->path[0]) return cbad(cp, "a file action has no path");
    f->file = idbpq__percent_decode(cp->a, f->path);
    if (!f->file) return cbad(cp, "a file path decodes to a NUL byte");
    f->size = int_or(o, "size", -1);
    f->modification_time = int_or(o, "modificationTime", -1);
    f->deletion_timestamp = int_or(o, "deletionTimestamp", -1);
    f->data_change = idbpq__dj_bool(o, "dataChange", 1);
    f->extended = idbpq__dj_bool(o, "extendedFileMetadata", 0);
    f->stats = idbpq__dj_str(o, "stats");
    IDBPQ__TRY(kv_map(cp, idbpq__dj_get(o, "partitionValues"), &f->partition_values,
                      &f->n_partition_values));
    IDBPQ__TRY(kv_map(cp, idbpq__dj_get(o, "tags"), &f->tags, &f->n_tags));
    return parse_dv(cp, idbpq__dj_get(o, "deletionVector"), &f->dv);
}

static idbpq_status parse_protocol(struct cparse *cp, const struct idbpq__dj *o,
                                   const struct idbpq__delta_protocol **out)
{
    struct idbpq__delta_protocol *p = idbpq__arena_alloc(cp->a, sizeof *p);
    if (!p) return cnomem(cp);
    memset(p, 0, sizeof *p);
    int64_t r, w;
    if (!idbpq__dj_int(o, "minReaderVersion", &r) || !idbpq__dj_int(o, "minWriterVersion", &w) ||
        r < 0 || w < 0 || r > INT32_MAX || w > INT32_MAX)
        return cbad(cp, "protocol without minReaderVersion/minWriterVersion");
    p->min_reader = (int32_t)r;
    p->min_writer = (int32_t)w;
    IDBPQ__TRY(str_list(cp, idbpq__dj_get(o, "readerFeatures"), &p->reader_features,
                        &p->n_reader_features));
    IDBPQ__TRY(str_list(cp, idbpq__dj_get(o, "writerFeatures"), &p->writer_features,
                        &p->n_writer_features));
    *out = p;
    return IDBPQ_OK;
}

static idbpq_status parse_metadata(struct cparse *cp, const struct idbpq__dj *o,
                                   const struct idbpq__delta_metadata **out)
{
    struct idbpq__delta_metadata *m = idbpq__arena_alloc(cp->a, sizeof *m);
    if (!m) return cnomem(cp);
    memset(m, 0, sizeof *m);
    if (!o || o->kind != IDBPQ__DJ_OBJ) return cbad(cp, "metaData is not an object");
    m->id = idbpq__dj_str(o, "id");
    m->name = idbpq__dj_str(o, "name");
    m->description = idbpq__dj_str(o, "description");
    m->schema_string = idbpq__dj_str(o, "schemaString");
    m->created_time = int_or(o, "createdTime", -1);
    IDBPQ__TRY(str_list(cp, idbpq__dj_get(o, "partitionColumns"), &m->partition_columns,
                        &m->n_partition_columns));
    IDBPQ__TRY(kv_map(cp, idbpq__dj_get(o, "configuration"), &m->configuration,
                      &m->n_configuration));
    if (m->schema_string) {
        /* Delta Live Tables' setup commit has no schemaString (notes §3.1): allowed. */
        struct idbpq__dj *s;
        idbpq_status st = idbpq__dj_parse(cp->a, m->schema_string, strlen(m->schema_string),
                                          &s, cp->err);
        if (st != IDBPQ_OK) {
            idbpq__err_prefix(cp->err, "%s line %u: schemaString: ", cp->name, cp->line);
            return st;
        }
        m->schema = s;
    }
    *out = m;
    return IDBPQ_OK;
}

/* Counts first, so that every array is allocated once at its size. */
static void count_action(struct idbpq__delta_commit *c, const char *k, uint32_t *n_dom)
{
    if (strcmp(k, "add") == 0) c->n_adds++;
    else if (strcmp(k, "remove") == 0) c->n_removes++;
    else if (strcmp(k, "cdc") == 0) c->n_cdcs++;
    else if (strcmp(k, "txn") == 0) c->n_txns++;
    else if (strcmp(k, "domainMetadata") == 0) (*n_dom)++;
}

static idbpq_status apply_action(struct cparse *cp, struct idbpq__delta_commit *c, const char *k,
                                 const struct idbpq__dj *v)
{
    if (strcmp(k, "add") == 0) return parse_file(cp, v, &c->adds[c->n_adds++]);
    if (strcmp(k, "remove") == 0) return parse_file(cp, v, &c->removes[c->n_removes++]);
    if (strcmp(k, "cdc") == 0) return parse_file(cp, v, &c->cdcs[c->n_cdcs++]);
    if (strcmp(k, "protocol") == 0) return parse_protocol(cp, v, &c->protocol);
    if (strcmp(k, "metaData") == 0) return parse_metadata(cp, v, &c->metadata);
    if (strcmp(k, "txn") == 0) {
        struct idbpq__delta_txn_action *t = &c->txns[c->n_txns];
        t->app_id = idbpq__dj_str(v, "appId");
        if (!t->app_id || !idbpq__dj_int(v, "version", &t->version))
            return cbad(cp, "txn without appId or version");
        t->last_updated = int_or(v, "lastUpdated", -1);
        c->n_txns++;
        return IDBPQ_OK;
    }
    if (strcmp(k, "domainMetadata") == 0) {
        const char *d = idbpq__dj_str(v, "domain");
        if (!d) return cbad(cp, "domainMetadata without domain");
        c->domains[c->n_domains++] = d;
        return IDBPQ_OK;
    }
    if (strcmp(k, "commitInfo") == 0) {
        if (!v || v->kind != IDBPQ__DJ_OBJ) return IDBPQ_OK; /* free-form: ignore oddities */
        c->commit_info = v;
        c->operation = idbpq__dj_str(v, "operation");
    }
    return IDBPQ_OK; /* unknown actions are ignored (PROTOCOL.md "Protocol Evolution") */
}

void idbpq__delta_commit_time(struct idbpq__delta_commit *c, int64_t mtime)
{
    int64_t t;
    c->file_mtime = mtime;
    if (idbpq__dj_int(c->commit_info, "inCommitTimestamp", &t)) c->timestamp = t;
    else if (idbpq__dj_int(c->commit_info, "timestamp", &t)) c->timestamp = t;
    else c->timestamp = mtime;
}

idbpq_status idbpq__delta_commit_parse(const char *text, size_t n, const char *name,
                                       struct idbpq__arena *a, struct idbpq__delta_commit *out,
                                       struct idbpq__err *err)
{
    struct cparse cp = { a, err, name ? name : "commit", 0 };
    struct idbpq__dj **lines = NULL;
    uint32_t *line_no = NULL;
    uint32_t n_lines = 0, cap = 0, n_dom = 0;
    int64_t version = out->version;
    memset(out, 0, sizeof *out);
    out->version = version;
    out->file_mtime = out->timestamp = -1;
    /* Pass 1: parse every line. */
    size_t pos = 0;
    while (pos < n) {
        const char *nl = memchr(text + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - text) : n, len = end - pos;
        cp.line++;
        const char *s = text + pos;
        pos = end + 1;
        if (len && s[len - 1] == '\r') len--;
        size_t k = 0;
        while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r')) k++;
        if (k == len) continue;
        struct idbpq__dj *v;
        idbpq_status st = idbpq__dj_parse(a, s, len, &v, err);
        if (st != IDBPQ_OK) {
            idbpq__err_prefix(err, "%s line %u (offset %zu): ", cp.name, cp.line,
                              (size_t)(s - text));
            return st;
        }
        if (v->kind != IDBPQ__DJ_OBJ) return cbad(&cp, "an action is not a JSON object");
        if (n_lines == cap) {
            uint32_t nc = cap ? cap * 2 : 16;
            struct idbpq__dj **nv = idbpq__arena_alloc(a, nc * sizeof *nv);
            uint32_t *nl_no = idbpq__arena_alloc(a, nc * sizeof *nl_no);
            if (!nv || !nl_no) return cnomem(&cp);
            if (n_lines) {
                memcpy(nv, lines, n_lines * sizeof *nv);
                memcpy(nl_no, line_no, n_lines * sizeof *nl_no);
            }
            lines = nv;
            line_no = nl_no;
            cap = nc;
        }
        line_no[n_lines] = cp.line;
        lines[n_lines++] = v;
        for (uint32_t i = 0; i < v->n; i++) count_action(out, v->keys[i], &n_dom);
    }
    /* Pass 2: allocate and fill. */
    uint32_t na = out->n_adds, nr = out->n_removes, nc = out->n_cdcs, nt = out->n_txns;
    out->adds = idbpq__arena_alloc(a, (na + 1) * sizeof *out->adds);
    out->removes = idbpq__arena_alloc(a, (nr + 1) * sizeof *out->removes);
    out->cdcs = idbpq__arena_alloc(a, (nc + 1) * sizeof *out->cdcs);
    out->txns = idbpq__arena_alloc(a, (nt + 1) * sizeof *out->txns);
    out->domains = idbpq__arena_alloc(a, (n_dom + 1) * sizeof *out->domains);
    if (!out->adds || !out->removes || !out->cdcs || !out->txns || !out->domains)
        return cnomem(&cp);
    out->n_adds = out->n_removes = out->n_cdcs = out->n_txns = 0;
    for (uint32_t li = 0; li < n_lines; li++) {
        const struct idbpq__dj *v = lines[li];
        cp.line = line_no[li];
        for (uint32_t i = 0; i < v->n; i++)
            IDBPQ__TRY(apply_action(&cp, out, v->keys[i], &v->vals[i]));
    }
    idbpq__delta_commit_time(out, -1);
    return IDBPQ_OK;
}

idbpq_status idbpq__delta_commit_read(const idbpq_table_io *io, int64_t version,
                                      struct idbpq__arena *a, struct idbpq__delta_commit *out,
                                      struct idbpq__err *err)
{
    char path[64];
    idbpq__delta_commit_name(version, path, sizeof path);
    char *text;
    size_t n;
    const char *name;
    IDBPQ__TRY(idbpq__dio_read_all(io, path, MAX_COMMIT_BYTES, a, &text, &n, &name, err));
    out->version = version;
    return idbpq__delta_commit_parse(text, n, name, a, out, err);
}
