/*
 * delta_file.c — the data files and change-data files of a Delta table idbpq writes.
 *
 * Every file of a table shares one Parquet schema: a template (the schema and type map of a
 * live file) fixes it, or the first file infers it with Delta-safe names and a `_raw_key`
 * (record_writer.c, idbpq__record_writer_fix). Files stream through the table's io->create
 * sink, so memory holds one row group, never the file. Names use only [A-Za-z0-9._-] so the
 * log's URI-encoded path is the name itself (notes §3.2.1): `part-00000-<uuid>-c000.<codec>
 * .parquet` at the root, `_change_data/cdc-00000-<uuid>.c000.<codec>.parquet` with a
 * `_change_type` column for change data (notes §5.4, §6). After the footer is written the
 * file's own footer is read back for the add's statistics (delta_stats.c).
 *
 * Randomness (UUIDs): idbpq__random_bytes, a weak symbol reading getrandom(2) or
 * /dev/urandom natively; the WebAssembly build has no WASI random import, so its glue
 * supplies a strong definition backed by crypto.getRandomValues.
 */
#include "sync/delta.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#include "mapping/mapping.h"

/* ---- randomness ---------------------------------------------------------------------------- */

/* The WebAssembly build takes its randomness from the page (wasm/sync_api.c defines
 * idbpq__random_bytes over crypto.getRandomValues): none of the code below goes there. */
#if !defined(__wasi__)

/* Last resort when the system has no generator to give: distinct per process and call
 * (time, pid, address, counter through splitmix64), which is all file names need. */
static void weak_fill(uint8_t *p, size_t n)
{
    static uint64_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t s = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
                 ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)p ^ (++counter << 48);
    for (size_t i = 0; i < n; i++) {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        p[i] = (uint8_t)(z ^ (z >> 31));
    }
}

#if defined(__GNUC__)
__attribute__((weak))
#endif
void idbpq__random_bytes(void *out, size_t n)
{
    uint8_t *p = out;
#if defined(__linux__)
    while (n) {
        ssize_t k = getrandom(p, n, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        p += k;
        n -= (size_t)k;
    }
    if (!n) return;
#endif
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    while (fd >= 0 && n) {
        ssize_t k = read(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        p += k;
        n -= (size_t)k;
    }
    if (fd >= 0) close(fd);
    if (n) weak_fill(p, n);
}
#endif

idbpq_status idbpq__uuid4(char out[37])
{
    uint8_t b[16];
    idbpq__random_bytes(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[k++] = '-';
        out[k++] = hex[b[i] >> 4];
        out[k++] = hex[b[i] & 15];
    }
    out[k] = 0;
    return IDBPQ_OK;
}

/* ---- templates ------------------------------------------------------------------------------- */

struct idbpq__dtemplate {
    const idbpq_allocator *alc;
    const idbpq_table_io *io;
    idbpq_source src;            /* the live file, open while the template lives */
    int src_open;
    idbpq_reader *r;             /* its footer: schema and key-value metadata */
    const char *typemap;         /* the "idbpq" entry (in the reader's footer) */
    size_t typemap_len;
};

static idbpq_status io_fail(struct idbpq__err *err, idbpq_status st, const idbpq_error *e,
                            const char *what, const char *path)
{
    return idbpq__fail(err, st, "%s %s: %s", what, path,
                       e->msg[0] ? e->msg : idbpq_status_str(st));
}

/* The file's "idbpq" key-value entry (its type map document), or NULL. */
static const char *footer_typemap(const idbpq_file_meta *m, size_t *n)
{
    size_t nkv = m->num_kv > 0 ? (size_t)m->num_kv : 0;
    const idbpq_kv *kv = idbpq__kv_get(m->kv, nkv, IDBPQ__META_KEY);
    if (!kv || !kv->has_value) return NULL;
    *n = kv->value.len;
    return (const char *)kv->value.ptr;
}

/* A template over the table file at path (decoded storage name): its footer stays open. */
static idbpq_status template_open(struct idbpq__dtemplate **out, const idbpq_table_io *io,
                                  const char *path, const idbpq_allocator *alc,
                                  struct idbpq__err *err)
{
    *out = NULL;
    alc = idbpq__alc(alc);
    struct idbpq__dtemplate *tm = idbpq__calloc(alc, sizeof *tm);
    if (!tm) return IDBPQ_NOMEM;
    tm->alc = alc;
    tm->io = io;
    idbpq_error e;
    memset(&e, 0, sizeof e);
    idbpq_status st = io->open(io->ctx, path, &tm->src, &e);
    if (st != IDBPQ_OK) {
        idbpq__free(alc, tm, sizeof *tm);
        return io_fail(err, st == IDBPQ_END ? IDBPQ_CORRUPT : st, &e, "template: opening", path);
    }
    tm->src_open = 1;
    char msg[256] = "";
    st = idbpq_reader_open(&tm->r, &tm->src, NULL, alc, msg, sizeof msg);
    if (st != IDBPQ_OK) {
        idbpq__fail(err, st, "template %s: %s", path, msg);
        idbpq__dtemplate_free(tm);
        return st;
    }
    if (!(tm->typemap = footer_typemap(idbpq_reader_meta(tm->r), &tm->typemap_len))) {
        idbpq__fail(err, IDBPQ_UNSUPPORTED,
                    "template %s: not written by idbpq (no \"idbpq\" footer entry): another "
                    "engine's files cannot fix the schema of idbpq's",
                    path);
        idbpq__dtemplate_free(tm);
        return IDBPQ_UNSUPPORTED;
    }
    *out = tm;
    return IDBPQ_OK;
}

idbpq_status idbpq__dtemplate_load(struct idbpq__dtemplate **out, idbpq_table *t,
                                   uint64_t file_index, const idbpq_allocator *alc,
                                   struct idbpq__err *err)
{
    *out = NULL;
    const idbpq_table_add *add = idbpq_table_file_at(t, file_index);
    if (!add) return idbpq__fail(err, IDBPQ_INVALID_ARG, "template: no live file %llu",
                                 (unsigned long long)file_index);
    return template_open(out, idbpq__table_io(t), add->file, alc, err);
}

void idbpq__dtemplate_free(struct idbpq__dtemplate *tm)
{
    if (!tm) return;
    idbpq_reader_free(tm->r);
    if (tm->src_open) tm->io->close(tm->io->ctx, &tm->src);
    idbpq__free(tm->alc, tm, sizeof *tm);
}

/* ---- data files -------------------------------------------------------------------------------- */

/* A LIST, MAP or VARIANT column reached through structs only: its whole-value nulls are
 * counted per row (the footer's counts are per leaf value). */
struct watch {
    int32_t node;
    uint32_t depth;
    uint32_t path[16];           /* child positions from the root */
};

struct idbpq__dfile {
    const idbpq_allocator *alc;
    const idbpq_table_io *io;
    int change_data;
    idbpq_record_writer *rw;
    idbpq_sink io_sink;          /* io->create's */
    int created, started, closed, kept;
    uint64_t bytes;
    struct idbpq__arena a;       /* path, store, strings of the info */
    char *path;
    idbpq_store_desc store;
    idbpq_vbatch *scratch;       /* keys */
    idbpq_buffer key, min_key, max_key;
    int has_range;
    uint64_t rows;
    /* whole-value null counts */
    struct idbpq__buf watch;     /* struct watch[] */
    int64_t *node_nulls;         /* per schema node, -1 unknown; set at the first row */
    idbpq_status row_status;     /* a failure inside on_row */
    struct idbpq__buf stats;
    const char *typemap;         /* the footer's "idbpq" document, read back */
};

static idbpq_status counting_write(void *ctx, const void *buf, size_t len)
{
    struct idbpq__dfile *f = ctx;
    idbpq_status st = f->io_sink.write(f->io_sink.ctx, buf, len);
    if (st == IDBPQ_OK) f->bytes += len;
    return st;
}

static int is_struct(const idbpq_schema_node *n)
{
    return n->type == IDBPQ_GROUP && n->shape == IDBPQ_SHAPE_STRUCT &&
           n->logical.kind != IDBPQ_LT_VARIANT;
}

static idbpq_status find_watch(struct idbpq__dfile *f, const idbpq_schema *s, int32_t g,
                               struct watch *at)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(s, g);
    for (int32_t i = 0; i < n->num_children; i++) {
        const idbpq_schema_node *c = idbpq_schema_node_at(s, n->children[i]);
        if (at->depth >= 16) return IDBPQ_OK; /* deeper ones stay unknown: no nullCount */
        at->path[at->depth] = (uint32_t)i;
        if (is_struct(c)) {
            at->depth++;
            IDBPQ__TRY(find_watch(f, s, n->children[i], at));
            at->depth--;
        } else if (c->type == IDBPQ_GROUP || c->max_rep > 0) {
            struct watch w = *at;
            w.node = n->children[i];
            w.depth = at->depth + 1;
            IDBPQ__TRY(idbpq__buf_append(&f->watch, &w, sizeof w));
        }
    }
    return IDBPQ_OK;
}

static void on_row(void *ctx, const idbpq_datum *row)
{
    struct idbpq__dfile *f = ctx;
    if (f->row_status != IDBPQ_OK) return;
    if (!f->node_nulls) {
        const idbpq_schema *s = idbpq__record_writer_schema(f->rw);
        int32_t nn = idbpq_schema_num_nodes(s);
        f->node_nulls = idbpq__arena_alloc(&f->a, sizeof *f->node_nulls * (size_t)nn);
        if (!f->node_nulls) {
            f->row_status = IDBPQ_NOMEM;
            return;
        }
        for (int32_t i = 0; i < nn; i++) f->node_nulls[i] = -1;
        struct watch at;
        memset(&at, 0, sizeof at);
        f->row_status = find_watch(f, s, 0, &at);
        const struct watch *w = (const struct watch *)(void *)f->watch.p;
        for (size_t i = 0; i < f->watch.len / sizeof *w; i++) f->node_nulls[w[i].node] = 0;
    }
    const struct watch *w = (const struct watch *)(void *)f->watch.p;
    for (size_t i = 0; i < f->watch.len / sizeof *w; i++) {
        const idbpq_datum *d = row;
        for (uint32_t k = 0; k < w[i].depth && d && d->kind == IDBPQ_DATUM_GROUP; k++)
            d = w[i].path[k] < d->len ? &d->u.items[w[i].path[k]] : NULL;
        if (!d || d->kind == IDBPQ_DATUM_NULL) f->node_nulls[w[i].node]++;
    }
}

static const char *change_name(int change)
{
    switch (change) {
    case IDBPQ_CHANGE_INSERT: return "insert";
    case IDBPQ_CHANGE_UPDATE_PREIMAGE: return "update_preimage";
    case IDBPQ_CHANGE_UPDATE_POSTIMAGE: return "update_postimage";
    case IDBPQ_CHANGE_DELETE: return "delete";
    default: return NULL;
    }
}

/* "snappy", "zstd", "lz4raw"...; "" for uncompressed (Spark's `c000.parquet`). */
static void codec_suffix(idbpq_codec c, char *out, size_t cap)
{
    const char *n = c == IDBPQ_CODEC_UNCOMPRESSED ? NULL : idbpq_codec_name(c);
    size_t k = 0;
    if (n) {
        out[k++] = '.';
        for (; *n && k + 1 < cap; n++)
            if (*n != '_') out[k++] = (char)(*n >= 'A' && *n <= 'Z' ? *n + 32 : *n);
    }
    out[k] = 0;
}

idbpq_status idbpq__dfile_open(struct idbpq__dfile **out, const idbpq_table_io *io,
                               const idbpq_store_desc *store,
                               const struct idbpq__dtemplate *tmpl, int change_data,
                               const idbpq_record_writer_opts *opts,
                               const idbpq_allocator *alc, struct idbpq__err *err)
{
    *out = NULL;
    alc = idbpq__alc(alc);
    idbpq_record_writer_opts o;
    if (opts) o = *opts;
    else idbpq_record_writer_opts_init(&o);
    /* Delta readers know unshredded VARIANTs only (variantShredding is not written), and
     * string bounds need up to 64 code points of the max for the tie-breaker rule. */
    o.shred_variants = 0;
    if (o.parquet.max_stat_bytes < 260) o.parquet.max_stat_bytes = 260;
    if (tmpl) { /* refuse a schema the log cannot describe before writing anything */
        struct idbpq__buf tmp;
        idbpq__buf_init(&tmp, alc);
        idbpq_status st = idbpq__delta_schema_string(idbpq_reader_schema(tmpl->r), NULL, &tmp,
                                                     NULL, NULL, err);
        idbpq__buf_free(&tmp);
        IDBPQ__TRY(st);
    }
    struct idbpq__dfile *f = idbpq__calloc(alc, sizeof *f);
    if (!f) return IDBPQ_NOMEM;
    f->alc = alc;
    f->io = io;
    f->change_data = change_data;
    idbpq__arena_init(&f->a, alc);
    idbpq__buf_init(&f->watch, alc);
    idbpq__buf_init(&f->stats, alc);
    idbpq_buffer_init(&f->key, alc);
    idbpq_buffer_init(&f->min_key, alc);
    idbpq_buffer_init(&f->max_key, alc);
    idbpq_status st = idbpq__store_copy(&f->a, store, &f->store);
    if (st == IDBPQ_OK) st = idbpq_vbatch_create(&f->scratch, alc);
    if (st == IDBPQ_OK) st = idbpq_record_writer_create(&f->rw, store, &o, alc);
    if (st != IDBPQ_OK) {
        idbpq__dfile_free(f);
        return idbpq__fail(err, st, "data file: %s", st == IDBPQ_NOMEM ? "out of memory"
                                                                       : "bad writer options");
    }
    struct idbpq__rw_fixed fx;
    memset(&fx, 0, sizeof fx);
    if (tmpl) {
        fx.schema = idbpq_reader_schema(tmpl->r);
        fx.typemap = tmpl->typemap;
        fx.typemap_len = tmpl->typemap_len;
    }
    fx.extra = change_data ? "_change_type" : NULL;
    fx.on_row = on_row;
    fx.on_row_ctx = f;
    st = idbpq__record_writer_fix(f->rw, &fx);
    if (st != IDBPQ_OK) {
        idbpq__fail(err, st, "data file template: %s", idbpq_record_writer_errmsg(f->rw));
        idbpq__dfile_free(f);
        return st;
    }
    char uuid[37], codec[24];
    st = idbpq__uuid4(uuid);
    codec_suffix(o.parquet.codec, codec, sizeof codec);
    size_t cap = 96;
    f->path = idbpq__arena_alloc(&f->a, cap);
    if (st != IDBPQ_OK || !f->path) {
        idbpq__dfile_free(f);
        return idbpq__fail(err, st ? st : IDBPQ_NOMEM, "data file: no random bytes for a name");
    }
    if (change_data) snprintf(f->path, cap, "_change_data/cdc-00000-%s.c000%s.parquet", uuid, codec);
    else snprintf(f->path, cap, "part-00000-%s-c000%s.parquet", uuid, codec);
    idbpq_error e;
    memset(&e, 0, sizeof e);
    st = io->create(io->ctx, f->path, &f->io_sink, &e);
    if (st != IDBPQ_OK) {
        io_fail(err, st, &e, "creating", f->path);
        idbpq__dfile_free(f);
        return st;
    }
    f->created = 1;
    *out = f;
    return IDBPQ_OK;
}

idbpq_status idbpq__dfile_observe(struct idbpq__dfile *f, const idbpq_value *key,
                                  const idbpq_value *value, struct idbpq__err *err)
{
    idbpq_status st = idbpq_record_writer_observe(f->rw, key, value);
    if (st != IDBPQ_OK)
        return idbpq__fail(err, st, "%s: %s", f->path, idbpq_record_writer_errmsg(f->rw));
    return IDBPQ_OK;
}

static idbpq_status begin(struct idbpq__dfile *f, struct idbpq__err *err)
{
    if (f->started) return IDBPQ_OK;
    idbpq_sink s = {f, counting_write, f->path};
    idbpq_status st = idbpq_record_writer_begin(f->rw, &s);
    if (st != IDBPQ_OK)
        return idbpq__fail(err, st, "%s: %s", f->path, idbpq_record_writer_errmsg(f->rw));
    f->started = 1;
    return IDBPQ_OK;
}

/* The key's sortable coding joins the file's range (tags idbpq.minKey/maxKey); a record
 * whose key cannot be told (a generated key not in the value) leaves the range unknown. */
static idbpq_status track(struct idbpq__dfile *f, const idbpq_value *key, const idbpq_value *value)
{
    if (f->has_range < 0) return IDBPQ_OK;
    idbpq_vbatch_reset(f->scratch);
    idbpq_key *k = NULL;
    idbpq_error e;
    idbpq_status st = IDBPQ_END;
    if (key) st = idbpq_key_from_value(f->scratch, key, &k, &e);
    else if (f->store.key_path.type) st = idbpq_key_extract(f->scratch, value, &f->store.key_path, &k, &e);
    if (st != IDBPQ_OK || !k) {
        f->has_range = -1;
        return st == IDBPQ_NOMEM ? st : IDBPQ_OK;
    }
    f->key.len = 0;
    IDBPQ__TRY(idbpq_key_encode_sortable(k, &f->key));
    const idbpq_buffer *kb = &f->key;
    for (int side = 0; side < 2; side++) {
        idbpq_buffer *b = side ? &f->max_key : &f->min_key;
        int c = 0;
        if (f->has_range) {
            size_t m = b->len < kb->len ? b->len : kb->len;
            c = memcmp(kb->data, b->data, m);
            if (!c) c = kb->len < b->len ? -1 : kb->len > b->len;
        }
        if (!f->has_range || (side ? c > 0 : c < 0)) {
            struct idbpq__buf t = {b->data, 0, b->cap, idbpq__alc(b->alc)};
            IDBPQ__TRY(idbpq__buf_append(&t, kb->data, kb->len));
            b->data = t.p;
            b->len = t.len;
            b->cap = t.cap;
        }
    }
    f->has_range = 1;
    return IDBPQ_OK;
}

idbpq_status idbpq__dfile_write(struct idbpq__dfile *f, const idbpq_value *key,
                                const idbpq_value *value, int change, struct idbpq__err *err)
{
    const char *ct = NULL;
    if (f->change_data && !(ct = change_name(change)))
        return idbpq__fail(err, IDBPQ_INVALID_ARG, "%s: change type %d", f->path, change);
    IDBPQ__TRY(begin(f, err));
    IDBPQ__TRY(track(f, key, value));
    idbpq_status st = idbpq__record_writer_write_extra(f->rw, key, value, ct, ct ? strlen(ct) : 0);
    if (st == IDBPQ_OK) st = f->row_status;
    if (st != IDBPQ_OK)
        return idbpq__fail(err, st, "%s, record %llu: %s", f->path, (unsigned long long)f->rows,
                           idbpq_record_writer_errmsg(f->rw));
    f->rows++;
    return IDBPQ_OK;
}

uint64_t idbpq__dfile_bytes(const struct idbpq__dfile *f) { return f ? f->bytes : 0; }

/* The add's statistics from the footer just written, read back through the table's io. */
static idbpq_status read_stats(struct idbpq__dfile *f, struct idbpq__err *err)
{
    idbpq_source src;
    idbpq_error e;
    memset(&e, 0, sizeof e);
    idbpq_status st = f->io->open(f->io->ctx, f->path, &src, &e);
    if (st != IDBPQ_OK) return io_fail(err, st, &e, "reading back", f->path);
    idbpq_reader *r = NULL;
    char msg[256] = "";
    st = idbpq_reader_open(&r, &src, NULL, f->alc, msg, sizeof msg);
    if (st != IDBPQ_OK) idbpq__fail(err, st, "reading back %s: %s", f->path, msg);
    else st = idbpq__delta_stats(idbpq_reader_schema(r), idbpq_reader_meta(r), f->node_nulls,
                                 NULL, 32, &f->stats);
    size_t tn = 0;
    const char *tmap = st == IDBPQ_OK ? footer_typemap(idbpq_reader_meta(r), &tn) : NULL;
    if (tmap && !(f->typemap = idbpq__arena_strndup(&f->a, tmap, tn))) st = IDBPQ_NOMEM;
    if (st == IDBPQ_OK) st = idbpq__buf_push(&f->stats, 0);
    idbpq_reader_free(r);
    f->io->close(f->io->ctx, &src);
    return st;
}

idbpq_status idbpq__dfile_close(struct idbpq__dfile *f, int keep, struct idbpq__dfile_info *info,
                                struct idbpq__err *err)
{
    if (info) memset(info, 0, sizeof *info);
    if (f->closed) return idbpq__fail(err, IDBPQ_STATE, "%s: closed already", f->path);
    idbpq_error e;
    memset(&e, 0, sizeof e);
    if (!keep) {
        f->closed = 1;
        f->created = 0;
        return f->io->finish(f->io->ctx, &f->io_sink, 0, &e);
    }
    idbpq_status st = begin(f, err);
    if (st == IDBPQ_OK) {
        st = idbpq_record_writer_finish(f->rw, NULL);
        if (st == IDBPQ_OK) st = f->row_status;
        if (st != IDBPQ_OK)
            idbpq__fail(err, st, "%s: %s", f->path, idbpq_record_writer_errmsg(f->rw));
    }
    f->closed = 1;
    f->created = 0;
    idbpq_status fs = f->io->finish(f->io->ctx, &f->io_sink, st == IDBPQ_OK, &e);
    if (st != IDBPQ_OK) return st;
    if (fs != IDBPQ_OK) return io_fail(err, fs, &e, "finishing", f->path);
    f->kept = 1;
    if (!f->change_data) IDBPQ__TRY(read_stats(f, err));
    if (info) {
        info->path = f->path;
        info->size = f->bytes;
        info->rows = f->rows;
        info->stats = f->change_data ? NULL : (const char *)f->stats.p;
        info->typemap = f->typemap;
        if (f->has_range > 0) {
            info->min_key = f->min_key.data;
            info->min_key_len = f->min_key.len;
            info->max_key = f->max_key.data;
            info->max_key_len = f->max_key.len;
        }
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__dfile_schema_string(const struct idbpq__dfile *f, idbpq_buffer *out,
                                        int *needs_variant, int *needs_column_mapping,
                                        struct idbpq__err *err)
{
    const idbpq_schema *s = f->rw ? idbpq__record_writer_schema(f->rw) : NULL;
    if (!s) return idbpq__fail(err, IDBPQ_STATE, "%s: no schema (before the first write, or released)", f->path);
    struct idbpq__buf b = {out->data, out->len, out->cap, idbpq__alc(out->alc)};
    idbpq_status st = idbpq__delta_schema_string(s, f->change_data ? "_change_type" : NULL, &b,
                                                 needs_variant, needs_column_mapping, err);
    if (st == IDBPQ_OK) st = idbpq__buf_push(&b, 0);
    if (st == IDBPQ_OK) b.len--; /* NUL-terminated, not counted */
    out->data = b.p;
    out->len = b.len;
    out->cap = b.cap;
    return st;
}

idbpq_status idbpq__dtemplate_from_dfile(struct idbpq__dtemplate **out,
                                         const struct idbpq__dfile *f,
                                         const idbpq_allocator *alc, struct idbpq__err *err)
{
    *out = NULL;
    if (!f->closed || !f->kept)
        return idbpq__fail(err, IDBPQ_STATE, "%s: a template needs the file kept and closed",
                           f->path);
    return template_open(out, f->io, f->path, alc, err);
}

void idbpq__dfile_release(struct idbpq__dfile *f)
{
    if (!f || !f->closed) return;
    idbpq_record_writer_free(f->rw);
    f->rw = NULL;
    idbpq_vbatch_free(f->scratch);
    f->scratch = NULL;
}

void idbpq__dfile_free(struct idbpq__dfile *f)
{
    if (!f) return;
    if (f->created) {
        idbpq_error e;
        f->io->finish(f->io->ctx, &f->io_sink, 0, &e);
    }
    idbpq_record_writer_free(f->rw);
    idbpq_vbatch_free(f->scratch);
    idbpq_buffer_free(&f->key);
    idbpq_buffer_free(&f->min_key);
    idbpq_buffer_free(&f->max_key);
    idbpq__buf_free(&f->watch);
    idbpq__buf_free(&f->stats);
    idbpq__arena_free(&f->a);
    idbpq__free(f->alc, f, sizeof *f);
}
