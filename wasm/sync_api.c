/*
 * sync_api.c — what idbpq_sync.wasm exports to web/sync.js: idbpq_sync() between an
 * IndexedDB store and a Delta table, and a table snapshot's metadata, files and rows. It
 * includes api.c (the record framing, the writer and reader exports), so that module is a
 * superset of idbpq.wasm.
 *
 * Every callback of idbpq_table_io, idbpq_sync_local and idbpq_sync_state is a wasm import
 * (module "ipq") that web/sync.js wraps in WebAssembly.Suspending, and the exports that reach
 * them are called through WebAssembly.promising (JSPI): the C engine calls OPFS, fetch and
 * IndexedDB as if they were synchronous. Imports never call exports (JSPI forbids JS frames
 * between the promising export and a suspending import), so data comes back in two steps: an
 * import leaves bytes in JavaScript (the "stash") and returns their length, then the C side
 * allocates and copies them with take(). A negative return is -(idbpq_status); the stash
 * then holds the message. One instance runs one operation (sync.js instantiates the compiled
 * module per call): the state below is per instance.
 *
 * Stashes (little-endian):
 *   list     per file: u32 path_len, path (its last byte NUL), f64 size, f64 mtime_ms
 *   records  per record: api.c's framing, the key always present
 *   entries  per entry: u32 key_len, key (V8 bytes of the IndexedDB key), u32 16, digest
 * What C hands to JavaScript:
 *   apply    per op: u32 0 + record (put) | u32 1, u32 key_len, key (delete)
 *   save     per entry: u32 deleted, u32 key_len, key (V8), digest[16]
 *   conflict u32 has_local, u32 has_table, f64 table_version, u32 key_len, key, records
 */
#include "api.c"

#include "sync/delta.h"

#define IMPORT(name) __attribute__((import_module("ipq"), import_name(#name)))

IMPORT(take) uint32_t js_take(void *dst, uint32_t cap);
IMPORT(io_list) int32_t js_io_list(const char *dir, uint32_t n);
IMPORT(io_open) int32_t js_io_open(const char *path, uint32_t n);
IMPORT(io_size) double js_io_size(int32_t h);
IMPORT(io_read) int32_t js_io_read(int32_t h, double off, void *buf, uint32_t len);
IMPORT(io_close) void js_io_close(int32_t h);
IMPORT(io_put) int32_t js_io_put(const char *path, uint32_t n, const void *p, uint32_t len,
                                 int32_t if_absent);
IMPORT(io_create) int32_t js_io_create(const char *path, uint32_t n);
IMPORT(io_write) int32_t js_io_write(int32_t h, const void *p, uint32_t len);
IMPORT(io_finish) int32_t js_io_finish(int32_t h, int32_t keep);
IMPORT(io_remove) int32_t js_io_remove(const char *path, uint32_t n);
IMPORT(local_rewind) int32_t js_local_rewind(void);
IMPORT(local_next) int32_t js_local_next(void);
IMPORT(local_apply) int32_t js_local_apply(const void *p, uint32_t len, uint32_t count);
IMPORT(local_get) int32_t js_local_get(const void *key, uint32_t kn);
IMPORT(state_get) int32_t js_state_get(const void *key, uint32_t kn, void *hash);
IMPORT(state_load) int32_t js_state_load(void);
IMPORT(state_rewind) int32_t js_state_rewind(void);
IMPORT(state_next) int32_t js_state_next(void);
IMPORT(state_save) int32_t js_state_save(const char *header, uint32_t hn, const void *p,
                                         uint32_t len, uint32_t count);
IMPORT(resolve) int32_t js_resolve(const void *p, uint32_t len);
IMPORT(log) void js_log(const void *key, uint32_t kn, int32_t winner, const char *line,
                        uint32_t ln, double table_version);
IMPORT(progress) void js_progress(const char *phase, uint32_t n, double done, double total);
IMPORT(should_abort) int32_t js_should_abort(void);
IMPORT(random) void js_random(void *p, uint32_t n);

/* The writer's randomness (file names, txn ids) comes from crypto.getRandomValues. */
void idbpq__random_bytes(void *p, size_t n) { js_random(p, (uint32_t)n); }

/* A growable byte buffer filled from the stash. */
struct inbuf {
    uint8_t *p;
    uint32_t cap;
};

static idbpq_status take_in(struct inbuf *in, int32_t n)
{
    if ((uint32_t)n + 1 > in->cap) {
        uint8_t *g = realloc(in->p, (uint32_t)n + 1);
        if (!g) {
            js_take(NULL, 0); /* drop the stash: the next import's bytes must not follow it */
            return IDBPQ_NOMEM;
        }
        in->p = g;
        in->cap = (uint32_t)n + 1;
    }
    in->p[js_take(in->p, (uint32_t)n)] = 0;
    return IDBPQ_OK;
}

/* An import failed with r < 0: its message is in the stash. */
static idbpq_status js_fail(int32_t r, idbpq_error *err, const char *what)
{
    char m[200];
    m[js_take(m, sizeof m - 1)] = 0;
    idbpq_status st = r < 0 ? (idbpq_status)-r : IDBPQ_IO;
    return idbpq__verr(err, st, 0, "%s: %s", what, m[0] ? m : idbpq_status_str(st));
}

/* The value layer leaves Blob contents where they were decoded from; values the engine keeps
 * must not point into a page JavaScript will overwrite, so they move into the value batch. */
static idbpq_status own_blob(void *ctx, idbpq_value *v)
{
    if (!v->u.blob.bytes || !v->u.blob.size) return IDBPQ_OK;
    uint8_t *c = idbpq_vbatch_alloc(ctx, (size_t)v->u.blob.size);
    if (!c) return IDBPQ_NOMEM;
    memcpy(c, v->u.blob.bytes, (size_t)v->u.blob.size);
    v->u.blob.bytes = c;
    return IDBPQ_OK;
}

/* A page JavaScript handed over (getAll of the store or of the state), read item by item. */
struct page {
    struct inbuf in;
    struct frame f;
    int end;                          /* JavaScript said there is no more */
};

/* OK with the page's next item at pg->f.p, END after the last page. */
static idbpq_status page_more(struct page *pg, int32_t (*fetch)(void), const char *what,
                              idbpq_error *err)
{
    while (pg->f.p == pg->f.end) {
        if (pg->end) return IDBPQ_END;
        int32_t r = fetch();
        if (r < 0) return js_fail(r, err, what);
        if (r == 0) {
            pg->end = 1;
            return IDBPQ_END;
        }
        IDBPQ__TRY(take_in(&pg->in, r));
        pg->f = (struct frame){pg->in.p, pg->in.p, pg->in.p + r};
    }
    return IDBPQ_OK;
}

static void page_rewind(struct page *pg)
{
    pg->f.p = pg->f.end = NULL;
    pg->end = 0;
}

static struct {
    idbpq_vbatch *sb;                 /* the store description */
    idbpq_store_desc store;
    struct page local, state;         /* of records, of state entries */
    idbpq_vbatch *kb;                 /* state keys being converted */
    idbpq_buffer sk;                  /* the last state key's sortable encoding */
    struct idbpq__buf out;            /* frames for JavaScript, results */
    idbpq_buffer v8;
} g;

static struct blob_list blob_scratch; /* Blobs of the record being framed */

static idbpq_status put_v8(struct idbpq__buf *o, const idbpq_value *v, idbpq_error *err)
{
    idbpq_v8_opts opts;
    idbpq_v8_opts_init(&opts);
    g.v8.len = 0;
    IDBPQ__TRY(idbpq_v8_encode(v, &opts, &g.v8, err));
    return put_bytes(o, g.v8.data, g.v8.len);
}

/* ---- idbpq_table_io over JavaScript --------------------------------------------------------- */

struct jsfile {
    int32_t h;
    char name[];
};

static struct jsfile *jsfile_new(int32_t h, const char *path)
{
    struct jsfile *f = malloc(sizeof *f + strlen(path) + 1);
    if (f) {
        f->h = h;
        strcpy(f->name, path);
    }
    return f;
}

static idbpq_status io_list(void *ctx, const char *dir, idbpq_table_file_fn fn, void *fn_ctx,
                            idbpq_error *err)
{
    (void)ctx;
    int32_t r = js_io_list(dir, (uint32_t)strlen(dir));
    if (r < 0) return js_fail(r, err, dir[0] ? dir : "listing the table root");
    struct inbuf in = {0};
    idbpq_status st = take_in(&in, r);
    struct frame f = {in.p, in.p, in.p + (r > 0 ? r : 0)};
    while (st == IDBPQ_OK && f.p < f.end) {
        const uint8_t *path;
        uint32_t n;
        double size, mtime;
        if (!take_bytes(&f, &path, &n) || !n || path[n - 1] != 0 || !take(&f, &size, 8) ||
            !take(&f, &mtime, 8)) {
            st = idbpq__verr(err, IDBPQ_CORRUPT, 0, "listing of \"%s\" cut short", dir);
            break;
        }
        idbpq_table_file tf = {(const char *)path, (uint64_t)size, (int64_t)mtime};
        st = fn(fn_ctx, &tf);
    }
    free(in.p);
    return st;
}

static idbpq_status src_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    int32_t r = js_io_read(((struct jsfile *)ctx)->h, (double)off, buf, (uint32_t)len);
    return r < 0 ? (idbpq_status)-r : IDBPQ_OK;
}

static idbpq_status io_open(void *ctx, const char *path, idbpq_source *src, idbpq_error *err)
{
    (void)ctx;
    int32_t h = js_io_open(path, (uint32_t)strlen(path));
    if (h == -(int32_t)IDBPQ_END) {
        js_take(NULL, 0);
        return idbpq__verr(err, IDBPQ_END, 0, "%s: no such file", path);
    }
    if (h < 0) return js_fail(h, err, path);
    struct jsfile *f = jsfile_new(h, path);
    if (!f) {
        js_io_close(h);
        return IDBPQ_NOMEM;
    }
    *src = (idbpq_source){f, (uint64_t)js_io_size(h), src_read, NULL, f->name};
    return IDBPQ_OK;
}

static void io_close(void *ctx, idbpq_source *src)
{
    (void)ctx;
    struct jsfile *f = src->ctx;
    if (!f) return;
    js_io_close(f->h);
    free(f);
    src->ctx = NULL;
}

static idbpq_status io_put(void *ctx, const char *path, const void *bytes, size_t n,
                           int if_absent, idbpq_error *err)
{
    (void)ctx;
    int32_t r = js_io_put(path, (uint32_t)strlen(path), bytes, (uint32_t)n, if_absent);
    if (r == -(int32_t)IDBPQ_EXISTS) {
        js_take(NULL, 0);
        return idbpq__verr(err, IDBPQ_EXISTS, 0, "%s already exists", path);
    }
    return r < 0 ? js_fail(r, err, path) : IDBPQ_OK;
}

static idbpq_status sink_write(void *ctx, const void *buf, size_t len)
{
    int32_t r = js_io_write(((struct jsfile *)ctx)->h, buf, (uint32_t)len);
    return r < 0 ? (idbpq_status)-r : IDBPQ_OK;
}

static idbpq_status io_create(void *ctx, const char *path, idbpq_sink *sink, idbpq_error *err)
{
    (void)ctx;
    int32_t h = js_io_create(path, (uint32_t)strlen(path));
    if (h < 0) return js_fail(h, err, path);
    struct jsfile *f = jsfile_new(h, path);
    if (!f) {
        js_io_finish(h, 0);
        return IDBPQ_NOMEM;
    }
    *sink = (idbpq_sink){f, sink_write, f->name};
    return IDBPQ_OK;
}

static idbpq_status io_finish(void *ctx, idbpq_sink *sink, int keep, idbpq_error *err)
{
    (void)ctx;
    struct jsfile *f = sink->ctx;
    if (!f) return IDBPQ_OK;
    int32_t r = js_io_finish(f->h, keep);
    idbpq_status st = r < 0 ? js_fail(r, err, f->name) : IDBPQ_OK;
    free(f);
    sink->ctx = NULL;
    return st;
}

static idbpq_status io_remove(void *ctx, const char *path, idbpq_error *err)
{
    (void)ctx;
    int32_t r = js_io_remove(path, (uint32_t)strlen(path));
    if (r == -(int32_t)IDBPQ_END) {
        js_take(NULL, 0);
        return IDBPQ_END;
    }
    return r < 0 ? js_fail(r, err, path) : IDBPQ_OK;
}

static const idbpq_table_io js_table = {.list = io_list, .open = io_open, .close = io_close,
                                        .put = io_put, .create = io_create,
                                        .finish = io_finish, .remove = io_remove};

/* ---- idbpq_sync_local over an IndexedDB store ------------------------------------------------ */

static idbpq_status local_rewind(void *ctx, idbpq_error *err)
{
    (void)ctx;
    int32_t r = js_local_rewind();
    page_rewind(&g.local);
    return r < 0 ? js_fail(r, err, "the store") : IDBPQ_OK;
}

/* Pages of records come from JavaScript (getAll in key order); each is read record by record. */
static idbpq_status local_next(void *ctx, idbpq_vbatch *b, idbpq_value **key,
                               idbpq_value **value, uint8_t hash[16], int *has_hash,
                               idbpq_error *err)
{
    (void)ctx;
    (void)hash;
    *has_hash = 0;
    IDBPQ__TRY(page_more(&g.local, js_local_next, "reading the store", err));
    IDBPQ__TRY(read_record(&g.local.f, b, &g.store, key, value, err));
    if (!*key) return idbpq__verr(err, IDBPQ_CORRUPT, 0, "a record of the store came without its key");
    return idbpq__value_each_blob(b, *value, own_blob, b);
}

static idbpq_status local_value(void *ctx, idbpq_vbatch *b, idbpq_value **value, idbpq_error *err)
{
    (void)ctx;
    (void)b;
    (void)value;
    return idbpq__verr(err, IDBPQ_STATE, 0, "the browser store gives values, not digests");
}

static idbpq_status local_apply(void *ctx, const idbpq_sync_op *ops, size_t n, idbpq_error *err)
{
    (void)ctx;
    idbpq_vbatch *b = NULL;
    IDBPQ__TRY(idbpq_vbatch_create(&b, NULL));
    g.out.len = 0;
    idbpq_status st = IDBPQ_OK;
    for (size_t i = 0; st == IDBPQ_OK && i < n; i++) {
        if (ops[i].value) {
            /* Numbering the value's Blobs writes their index field, which only the framing
             * reads. */
            st = put_u32(&g.out, 0);
            if (st == IDBPQ_OK)
                st = write_record(&g.out, b, &blob_scratch, ops[i].key,
                                  (idbpq_value *)ops[i].value, err);
        } else {
            st = put_u32(&g.out, 1);
            if (st == IDBPQ_OK) st = put_v8(&g.out, ops[i].key, err);
        }
    }
    idbpq_vbatch_free(b);
    if (st != IDBPQ_OK) return st;
    int32_t r = js_local_apply(g.out.p, (uint32_t)g.out.len, (uint32_t)n);
    return r < 0 ? js_fail(r, err, "writing the store") : IDBPQ_OK;
}

/* One record by key, for a pull-only sync (the engine looks up only the keys the table
 * changed). The framed record stays in get_in until the next call: the value may point into
 * it, and the engine is done with it by then. */
static struct inbuf get_in;

static idbpq_status v8_of(const idbpq_value *v, idbpq_error *err)
{
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    g.v8.len = 0;
    return idbpq_v8_encode(v, &o, &g.v8, err);
}

static idbpq_status local_get(void *ctx, idbpq_vbatch *b, const idbpq_value *key,
                              idbpq_value **value, uint8_t hash[16], int *has_hash,
                              idbpq_error *err)
{
    (void)ctx;
    (void)hash;
    *has_hash = 0;
    *value = NULL;
    IDBPQ__TRY(v8_of(key, err));
    int32_t r = js_local_get(g.v8.data, (uint32_t)g.v8.len);
    if (r == -(int32_t)IDBPQ_END) {
        js_take(NULL, 0);
        return IDBPQ_END;
    }
    if (r < 0) return js_fail(r, err, "reading the store");
    IDBPQ__TRY(take_in(&get_in, r));
    struct frame f = {get_in.p, get_in.p, get_in.p + r};
    idbpq_value *k = NULL;
    IDBPQ__TRY(read_record(&f, b, &g.store, &k, value, err));
    return idbpq__value_each_blob(b, *value, own_blob, b);
}

/* ---- idbpq_sync_state in a separate IndexedDB database ----------------------------------- */

static idbpq_status state_load(void *ctx, idbpq_buffer *header, idbpq_error *err)
{
    (void)ctx;
    int32_t r = js_state_load();
    if (r == -(int32_t)IDBPQ_END) {
        js_take(NULL, 0);
        return IDBPQ_END;
    }
    if (r < 0) return js_fail(r, err, "the sync state");
    if (header->cap < (size_t)r + 1) {
        uint8_t *p = realloc(header->data, (size_t)r + 1);
        if (!p) return IDBPQ_NOMEM;
        header->data = p;
        header->cap = (size_t)r + 1;
    }
    header->data[js_take(header->data, (uint32_t)r)] = 0;
    header->len = (size_t)r;
    return IDBPQ_OK;
}

static idbpq_status state_rewind(void *ctx, idbpq_error *err)
{
    (void)ctx;
    int32_t r = js_state_rewind();
    page_rewind(&g.state);
    return r < 0 ? js_fail(r, err, "the sync state") : IDBPQ_OK;
}

/* JavaScript keeps IndexedDB keys (so its database orders them); the engine wants their
 * sortable encoding, whose byte order is the same order. */
static idbpq_status state_next(void *ctx, idbpq_sync_state_entry *e, idbpq_error *err)
{
    (void)ctx;
    IDBPQ__TRY(page_more(&g.state, js_state_next, "reading the sync state", err));
    const uint8_t *kp, *hp;
    uint32_t kn, hn;
    if (!take_bytes(&g.state.f, &kp, &kn) || !take_bytes(&g.state.f, &hp, &hn) || hn != 16)
        return idbpq__verr(err, IDBPQ_CORRUPT, 0, "sync state entry cut short");
    idbpq_vbatch_reset(g.kb);
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    idbpq_value *v;
    idbpq_key *k;
    memcpy(e->hash, hp, 16);
    IDBPQ__TRY(idbpq_v8_decode(g.kb, kp, kn, &o, &v, err));
    IDBPQ__TRY(idbpq_key_from_value(g.kb, v, &k, err));
    g.sk.len = 0;
    IDBPQ__TRY(idbpq_key_encode_sortable(k, &g.sk));
    e->key = g.sk.data;
    e->key_len = g.sk.len;
    e->deleted = 0;
    return IDBPQ_OK;
}

static idbpq_status state_save(void *ctx, const char *header, const idbpq_sync_state_entry *e,
                               size_t n, idbpq_error *err)
{
    (void)ctx;
    g.out.len = 0;
    idbpq_status st = IDBPQ_OK;
    for (size_t i = 0; st == IDBPQ_OK && i < n; i++) {
        idbpq_vbatch_reset(g.kb);
        idbpq_key *k;
        size_t used;
        st = idbpq_key_decode_sortable(g.kb, e[i].key, e[i].key_len, &k, &used, err);
        idbpq_value *v = st == IDBPQ_OK ? idbpq_key_to_value(g.kb, k) : NULL;
        if (st == IDBPQ_OK && !v) st = IDBPQ_NOMEM;
        if (st == IDBPQ_OK) st = put_u32(&g.out, e[i].deleted ? 1 : 0);
        if (st == IDBPQ_OK) st = put_v8(&g.out, v, err);
        if (st == IDBPQ_OK) st = idbpq__buf_append(&g.out, e[i].hash, 16);
    }
    if (st != IDBPQ_OK) return st;
    int32_t r = js_state_save(header, header ? (uint32_t)strlen(header) : 0, g.out.p,
                              (uint32_t)g.out.len, (uint32_t)n);
    return r < 0 ? js_fail(r, err, "saving the sync state") : IDBPQ_OK;
}

/* The digest of one key (pull-only syncs): JavaScript looks it up by the IndexedDB key. */
static idbpq_status state_get(void *ctx, const uint8_t *key, size_t key_len, uint8_t hash[16],
                              idbpq_error *err)
{
    (void)ctx;
    idbpq_vbatch_reset(g.kb);
    idbpq_key *k;
    size_t used;
    IDBPQ__TRY(idbpq_key_decode_sortable(g.kb, key, key_len, &k, &used, err));
    idbpq_value *v = idbpq_key_to_value(g.kb, k);
    if (!v) return IDBPQ_NOMEM;
    IDBPQ__TRY(v8_of(v, err));
    int32_t r = js_state_get(g.v8.data, (uint32_t)g.v8.len, hash);
    if (r < 0) return js_fail(r, err, "reading the sync state");
    return r ? IDBPQ_OK : IDBPQ_END;
}

/* ---- conflicts, progress, abort ------------------------------------------------------------ */

static int js_failed; /* the callback policy threw: the sync stops (should_abort) */

static idbpq_status frame_side(struct idbpq__buf *o, idbpq_vbatch *b, const idbpq_value *v,
                               idbpq_error *err)
{
    if (!v) return IDBPQ_OK;
    return write_record(o, b, &blob_scratch, NULL, (idbpq_value *)v, err);
}

/* The user's function decides: 1 local, 2 table, 3 a merged value (framed in the stash). */
static int resolve(void *ctx, const idbpq_sync_conflict *c, idbpq_vbatch *b,
                   const idbpq_value **merged)
{
    (void)ctx;
    idbpq_error err = {0};
    double tv = (double)c->table_version;
    g.out.len = 0;
    idbpq_status st = put_u32(&g.out, c->local != NULL);
    if (st == IDBPQ_OK) st = put_u32(&g.out, c->table != NULL);
    if (st == IDBPQ_OK) st = idbpq__buf_append(&g.out, &tv, 8);
    if (st == IDBPQ_OK) st = put_v8(&g.out, c->key, &err);
    if (st == IDBPQ_OK) st = frame_side(&g.out, b, c->local, &err);
    if (st == IDBPQ_OK) st = frame_side(&g.out, b, c->table, &err);
    int32_t r = st == IDBPQ_OK ? js_resolve(g.out.p, (uint32_t)g.out.len) : -1;
    if (r == IDBPQ_SIDE_LOCAL || r == IDBPQ_SIDE_TABLE) return r;
    if (r > 2) {
        struct inbuf in = {0};
        struct frame f;
        idbpq_value *key, *value = NULL;
        st = take_in(&in, r - 3);
        f = (struct frame){in.p, in.p, in.p + (r - 3)};
        if (st == IDBPQ_OK) st = read_record(&f, b, &g.store, &key, &value, &err);
        if (st == IDBPQ_OK) st = idbpq__value_each_blob(b, value, own_blob, b);
        free(in.p);
        if (st == IDBPQ_OK) {
            *merged = value;
            return 0;
        }
    }
    js_failed = 1; /* JavaScript holds the reason */
    return IDBPQ_SIDE_TABLE;
}

static void log_decision(void *ctx, const idbpq_sync_conflict *c, int winner, const char *line)
{
    (void)ctx;
    idbpq_error err = {0};
    struct idbpq__buf k;
    idbpq__buf_init(&k, NULL);
    if (put_v8(&k, c->key, &err) == IDBPQ_OK)
        js_log(k.p + 4, (uint32_t)k.len - 4, winner, line, (uint32_t)strlen(line),
               (double)c->table_version);
    idbpq__buf_free(&k);
}

static void progress(void *ctx, const idbpq_sync_progress *p)
{
    (void)ctx;
    js_progress(p->phase, (uint32_t)strlen(p->phase), (double)p->done, (double)p->total);
}

static int should_abort(void *ctx)
{
    (void)ctx;
    return js_failed || js_should_abort();
}

/* ---- exports ----------------------------------------------------------------------------- */

static void put_num(struct idbpq__buf *o, const char *key, double v, int first)
{
    char t[64];
    idbpq__jw_key(o, key, first);
    snprintf(t, sizeof t, "%.0f", v);
    idbpq__jw_raw(o, t);
}

static int set_up(const char *store_json, uint32_t len)
{
    idbpq__buf_init(&g.out, NULL);
    idbpq_buffer_init(&g.sk, NULL);
    idbpq_buffer_init(&g.v8, NULL);
    struct idbpq__err err = {0};
    idbpq_status st = idbpq_vbatch_create(&g.sb, NULL);
    if (st == IDBPQ_OK) st = idbpq_vbatch_create(&g.kb, NULL);
    if (st == IDBPQ_OK && len) st = idbpq__store_json_read(g.sb, store_json, len, &g.store, &err);
    if (st != IDBPQ_OK) set_err("%s", err.msg[0] ? err.msg : idbpq_status_str(st));
    return st == IDBPQ_OK ? 0 : -1;
}

/* One sync. policy: idbpq_sync_policy. Returns 0, or the failing idbpq_status with the
 * reason in ipq_errmsg(); ipq_sync_out() holds the result as JSON either way. */
EXPORT(ipq_sync)
int ipq_sync(const char *store_json, uint32_t store_len, int policy, const char *newest_field,
             int dry_run, int push, int pull, int codec, int level, double target_file_bytes,
             int checkpoint_interval, int max_attempts, const char *key_column)
{
    if (set_up(store_json, store_len) < 0) return IDBPQ_INVALID_ARG;
    idbpq_sync_local local = {.desc = &g.store, .rewind = local_rewind, .next = local_next,
                              .value = local_value, .apply = local_apply, .get = local_get};
    idbpq_sync_state state = {.load = state_load, .rewind = state_rewind, .next = state_next,
                              .save = state_save, .get = state_get};
    idbpq_sync_opts o;
    idbpq_sync_opts_init(&o);
    o.policy = (idbpq_sync_policy)policy;
    o.newest_field = newest_field && newest_field[0] ? newest_field : NULL;
    o.resolve = resolve;
    o.log = log_decision;
    o.dry_run = dry_run;
    o.push = push;
    o.pull = pull;
    o.writer.parquet.codec = (idbpq_codec)codec;
    o.writer.parquet.level = level;
    o.writer.parquet.max_row_group_rows = 122880; /* as api.c's writer, for the same reason */
    if (target_file_bytes >= 1 && target_file_bytes <= 1e15)
        o.target_file_bytes = (uint64_t)target_file_bytes;
    if (checkpoint_interval > 0) o.checkpoint_interval = (uint32_t)checkpoint_interval;
    if (max_attempts > 0) o.max_attempts = (uint32_t)max_attempts;
    o.key_column = key_column && key_column[0] ? key_column : NULL;
    o.progress = progress;
    o.should_abort = should_abort;
    idbpq_sync_result r;
    memset(&r, 0, sizeof r);
    r.committed_version = -1;
    idbpq_error err = {0};
    errmsg[0] = 0;
    idbpq_status st = idbpq_sync(&local, &state, &js_table, &o, &r, NULL, &err);
    if (st != IDBPQ_OK) set_err("%s", err.msg[0] ? err.msg : idbpq_status_str(st));
    struct idbpq__buf *j = &g.out;
    j->len = 0;
    idbpq__jw_raw(j, "{");
    put_num(j, "fromVersion", (double)r.from_version, 1);
    put_num(j, "toVersion", (double)r.to_version, 0);
    put_num(j, "committedVersion", (double)r.committed_version, 0);
    put_num(j, "pulledUpserts", (double)r.pulled_upserts, 0);
    put_num(j, "pulledDeletes", (double)r.pulled_deletes, 0);
    put_num(j, "pushedInserts", (double)r.pushed_inserts, 0);
    put_num(j, "pushedUpdates", (double)r.pushed_updates, 0);
    put_num(j, "pushedDeletes", (double)r.pushed_deletes, 0);
    put_num(j, "conflicts", (double)r.conflicts, 0);
    put_num(j, "conflictsLocal", (double)r.conflicts_local, 0);
    put_num(j, "conflictsTable", (double)r.conflicts_table, 0);
    put_num(j, "conflictsMerged", (double)r.conflicts_merged, 0);
    put_num(j, "scanned", (double)r.scanned, 0);
    put_num(j, "filesAdded", (double)r.files_added, 0);
    put_num(j, "filesRemoved", (double)r.files_removed, 0);
    put_num(j, "cdcFiles", (double)r.cdc_files, 0);
    put_num(j, "bytesWritten", (double)r.bytes_written, 0);
    put_num(j, "attempts", (double)r.attempts, 0);
    idbpq__jw_raw(j, "}");
    return (int)st;
}

EXPORT(ipq_out) const uint8_t *ipq_out(void) { return g.out.p; }
EXPORT(ipq_out_len) uint32_t ipq_out_len(void) { return (uint32_t)g.out.len; }

/* The snapshot exports (inspectTable) share this file's imports and buffers. */
#include "sync_table.c"
