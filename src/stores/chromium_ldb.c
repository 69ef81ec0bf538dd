/*
 * chromium_ldb.c — Chromium's LevelDB IndexedDB backend (indexeddb-on-disk.md §1): one LevelDB
 * per origin with the idb_cmp1 order, read with our own LevelDB reader (leveldb.h says why).
 *
 * Metadata: the database-name keys (global type 201) give the databases; each database's
 * metadata keys (<db> 0 0 ...) sort before its data, so one scan per database reads its
 * version, object stores and indexes. Records of a store are the keys <db> <os> 1 <IDBKey>;
 * the external-object entries <db> <os> 3 <IDBKey> follow the same key order, so a second
 * iterator walks them beside the records (a merge join, no lookup per record). Counting uses
 * the "exists" entries <db> <os> 2 <IDBKey>: one per record, with one-byte values, so counting
 * reads a fraction of the bytes that the records take.
 */
#include "stores/stores.h"

#include "stores/leveldb.h"
#include "value/value.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct ldb_state {
    idbpq__ldbr *db;
    struct idbpq__store_ext **ext;   /* [database][store] backend ids, parallel to pub */
};

static void on_damage(void *ctx, const char *file, uint64_t offset, const char *what)
{
    idbpq__profile_damage(ctx, file, offset, "%s", what);
}

/* ---- metadata -------------------------------------------------------------------------------- */

struct index_tmp {
    int64_t id;
    struct idbpq__ldb_bytes name; /* UTF-16BE, in the scratch batch */
    idbpq_index_desc d;
};
struct store_tmp {
    int64_t id;
    struct idbpq__ldb_bytes name;
    idbpq_store_desc d;
    struct index_tmp *ix;
    uint32_t n_ix, cap_ix;
    int has_name;
};
struct db_tmp {
    int64_t id;
    struct idbpq__ldb_bytes name;
};

static int be_cmp(struct idbpq__ldb_bytes a, struct idbpq__ldb_bytes b)
{
    size_t n = a.n < b.n ? a.n : b.n;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    return c ? c : (a.n > b.n) - (a.n < b.n);
}
static int store_cmp(const void *a, const void *b)
{
    return be_cmp(((const struct store_tmp *)a)->name, ((const struct store_tmp *)b)->name);
}
static int index_cmp(const void *a, const void *b)
{
    return be_cmp(((const struct index_tmp *)a)->name, ((const struct index_tmp *)b)->name);
}
static int db_cmp(const void *a, const void *b)
{
    return be_cmp(((const struct db_tmp *)a)->name, ((const struct db_tmp *)b)->name);
}

/* A copy of the bytes in the scratch batch (iterator slices die on the next step). */
static idbpq_status keep(idbpq_vbatch *b, const uint8_t *p, size_t n, struct idbpq__ldb_bytes *o)
{
    uint8_t *c = idbpq_vbatch_alloc(b, n + 1);
    if (!c) return IDBPQ_NOMEM;
    if (n) memcpy(c, p, n);
    *o = (struct idbpq__ldb_bytes){c, n};
    return IDBPQ_OK;
}

/* Key path strings into the profile's arena. */
static idbpq_status keep_keypath(idbpq_profile *p, idbpq_keypath *kp)
{
    if (kp->type == 0 || !kp->n) return IDBPQ_OK;
    const char **paths = idbpq__arena_alloc(&p->arena, kp->n * sizeof *paths);
    if (!paths) return IDBPQ_NOMEM;
    for (uint32_t i = 0; i < kp->n; i++)
        if (!(paths[i] = idbpq__profile_strdup(p, kp->paths[i], SIZE_MAX))) return IDBPQ_NOMEM;
    kp->paths = paths;
    return IDBPQ_OK;
}

static struct store_tmp *store_of(idbpq_vbatch *b, struct store_tmp **st, uint32_t *n,
                                  uint32_t *cap, int64_t id)
{
    for (uint32_t i = 0; i < *n; i++)
        if ((*st)[i].id == id) return &(*st)[i];
    if (*n == *cap) {
        uint32_t nc = *cap ? 2 * *cap : 8;
        struct store_tmp *g = idbpq_vbatch_alloc(b, nc * sizeof *g);
        if (!g) return NULL;
        if (*n) memcpy(g, *st, *n * sizeof *g);
        *st = g;
        *cap = nc;
    }
    struct store_tmp *s = &(*st)[(*n)++];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->d.key_generator = 1;
    return s;
}

static struct index_tmp *index_of(idbpq_vbatch *b, struct store_tmp *s, int64_t id)
{
    for (uint32_t i = 0; i < s->n_ix; i++)
        if (s->ix[i].id == id) return &s->ix[i];
    if (s->n_ix == s->cap_ix) {
        uint32_t nc = s->cap_ix ? 2 * s->cap_ix : 4;
        struct index_tmp *g = idbpq_vbatch_alloc(b, nc * sizeof *g);
        if (!g) return NULL;
        if (s->n_ix) memcpy(g, s->ix, s->n_ix * sizeof *g);
        s->ix = g;
        s->cap_ix = nc;
    }
    struct index_tmp *x = &s->ix[s->n_ix++];
    memset(x, 0, sizeof *x);
    x->id = id;
    return x;
}

/* One metadata entry of a database (key already parsed). */
static idbpq_status meta_entry(idbpq_vbatch *b, const struct idbpq__ldb_key *k,
                               const uint8_t *v, size_t vn, uint64_t *version,
                               struct store_tmp **st, uint32_t *n, uint32_t *cap,
                               idbpq_error *err)
{
    struct idbpq__ldb_rd r;
    idbpq__ldb_rd_init(&r, v, vn, err);
    int64_t x;
    int flag;
    if (k->kind == IDBPQ__LDB_DB_META && k->type == IDBPQ__LDB_D_USER_VERSION) {
        IDBPQ__TRY(idbpq__ldb_get_varint(&r, &x));
        *version = (uint64_t)x;
        return IDBPQ_OK;
    }
    if (k->kind == IDBPQ__LDB_OBJECT_STORE_META) {
        struct store_tmp *s = store_of(b, st, n, cap, k->os_id);
        if (!s) return IDBPQ_NOMEM;
        switch (k->meta_type) {
        case IDBPQ__LDB_OS_NAME_T:
            s->has_name = 1;
            return keep(b, v, vn & ~(size_t)1, &s->name);
        case IDBPQ__LDB_OS_KEY_PATH: return idbpq__ldb_get_keypath(&r, b, &s->d.key_path);
        case IDBPQ__LDB_OS_AUTO_INCREMENT:
            IDBPQ__TRY(idbpq__ldb_get_bool(&r, &flag));
            s->d.auto_increment = flag;
            return IDBPQ_OK;
        case IDBPQ__LDB_OS_KEY_GENERATOR:
            IDBPQ__TRY(idbpq__ldb_get_int(&r, &x));
            s->d.key_generator = (double)x;
            return IDBPQ_OK;
        default: return IDBPQ_OK;
        }
    }
    if (k->kind == IDBPQ__LDB_INDEX_META) {
        struct store_tmp *s = store_of(b, st, n, cap, k->os_id);
        struct index_tmp *ix = s ? index_of(b, s, k->index_id) : NULL;
        if (!ix) return IDBPQ_NOMEM;
        switch (k->meta_type) {
        case IDBPQ__LDB_IX_NAME: return keep(b, v, vn & ~(size_t)1, &ix->name);
        case IDBPQ__LDB_IX_UNIQUE:
            IDBPQ__TRY(idbpq__ldb_get_bool(&r, &flag));
            ix->d.unique = flag;
            return IDBPQ_OK;
        case IDBPQ__LDB_IX_KEY_PATH: return idbpq__ldb_get_keypath(&r, b, &ix->d.key_path);
        case IDBPQ__LDB_IX_MULTI_ENTRY:
            IDBPQ__TRY(idbpq__ldb_get_bool(&r, &flag));
            ix->d.multi_entry = flag;
            return IDBPQ_OK;
        default: return IDBPQ_OK;
        }
    }
    return IDBPQ_OK;
}

/* Moves one database's scratch description into the profile. */
static idbpq_status publish_db(struct idbpq__origin *o, idbpq_profile_db *pd,
                               struct idbpq__store_ext **ext_out, struct store_tmp *st,
                               uint32_t n, int64_t db_id)
{
    idbpq_profile *p = o->profile;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++) /* a store whose name key is gone is half-deleted */
        if (st[i].has_name) st[kept++] = st[i];
    if (kept) qsort(st, kept, sizeof *st, store_cmp);
    idbpq_store_desc *sd = idbpq__arena_alloc(&p->arena, (kept ? kept : 1) * sizeof *sd);
    struct idbpq__store_ext *ext = idbpq__arena_alloc(&p->arena, (kept ? kept : 1) * sizeof *ext);
    if (!sd || !ext) return IDBPQ_NOMEM;
    for (uint32_t i = 0; i < kept; i++) {
        struct store_tmp *s = &st[i];
        sd[i] = s->d;
        sd[i].origin = o->pub.id;
        sd[i].database = pd->name;
        sd[i].db_version = pd->version;
        if (!(sd[i].name = idbpq__profile_utf16(p, s->name.p, s->name.n / 2, 1)))
            return IDBPQ_NOMEM;
        IDBPQ__TRY(keep_keypath(p, &sd[i].key_path));
        if (s->n_ix) qsort(s->ix, s->n_ix, sizeof *s->ix, index_cmp);
        idbpq_index_desc *xd = idbpq__arena_alloc(&p->arena, (s->n_ix ? s->n_ix : 1) * sizeof *xd);
        if (!xd) return IDBPQ_NOMEM;
        for (uint32_t j = 0; j < s->n_ix; j++) {
            xd[j] = s->ix[j].d;
            if (!(xd[j].name = idbpq__profile_utf16(p, s->ix[j].name.p, s->ix[j].name.n / 2, 1)))
                return IDBPQ_NOMEM;
            IDBPQ__TRY(keep_keypath(p, &xd[j].key_path));
        }
        sd[i].indexes = xd;
        sd[i].n_indexes = s->n_ix;
        ext[i] = (struct idbpq__store_ext){db_id, s->id};
    }
    pd->stores = sd;
    pd->n_stores = kept;
    *ext_out = ext;
    return IDBPQ_OK;
}

/* Reads one database's metadata keys: from <db> 0 0 0 up to its first data key. */
static idbpq_status load_db(struct idbpq__origin *o, idbpq__ldbr_iter *it, idbpq_vbatch *b,
                            int64_t db_id, idbpq_profile_db *pd,
                            struct idbpq__store_ext **ext, idbpq_error *err)
{
    idbpq_buffer start;
    idbpq_buffer_init(&start, NULL);
    idbpq_status st = idbpq__ldb_db_meta_key(db_id, 0, &start);
    if (st == IDBPQ_OK) st = idbpq__ldbr_iter_seek(it, start.data, start.len, err);
    idbpq_buffer_free(&start);
    struct store_tmp *stores = NULL;
    uint32_t n = 0, cap = 0;
    for (; st == IDBPQ_OK; st = idbpq__ldbr_iter_next(it, err)) {
        size_t kn, vn;
        const uint8_t *k = idbpq__ldbr_iter_key(it, &kn), *v = idbpq__ldbr_iter_value(it, &vn);
        struct idbpq__ldb_key pk;
        idbpq_error e;
        if (idbpq__ldb_parse_key(k, kn, &pk, &e) != IDBPQ_OK) continue; /* not ours: skip */
        if (pk.db_id != db_id || pk.kind >= IDBPQ__LDB_RECORD) break;
        if (meta_entry(b, &pk, v, vn, &pd->version, &stores, &n, &cap, &e) != IDBPQ_OK) {
            const char *file;
            uint64_t off;
            idbpq__ldbr_iter_where(it, &file, &off);
            idbpq__profile_damage(o->profile, file, off, "database %s: metadata entry does "
                                  "not decode: %s", pd->name, e.msg);
        }
    }
    if (st != IDBPQ_OK && st != IDBPQ_END) return st;
    return publish_db(o, pd, ext, stores, n, db_id);
}

static idbpq_status ldb_open(struct idbpq__origin *o, idbpq_error *err)
{
    idbpq_profile *p = o->profile;
    struct ldb_state *s = idbpq__arena_alloc(&p->arena, sizeof *s);
    if (!s) return IDBPQ_NOMEM;
    memset(s, 0, sizeof *s);
    struct idbpq__ldbr_opts lo = {idbpq_idb_cmp1, "idb_cmp1", p->alc, on_damage, p};
    IDBPQ__TRY(idbpq__ldbr_open(&s->db, o->pub.path, &lo, err));
    o->state = s;

    idbpq_vbatch *b;
    idbpq__ldbr_iter *it;
    IDBPQ__TRY(idbpq_vbatch_create(&b, p->alc));
    idbpq_status st = idbpq__ldbr_iter_create(s->db, &it, err);
    if (st != IDBPQ_OK) {
        idbpq_vbatch_free(b);
        return st;
    }
    /* Database names: 00 00 00 00 C9 <origin> <name>; the empty origin and name sort first. */
    static const uint8_t first_name[] = {0, 0, 0, 0, IDBPQ__LDB_G_DB_NAME, 0, 0};
    struct db_tmp *dbs = NULL;
    uint32_t n = 0, cap = 0;
    for (st = idbpq__ldbr_iter_seek(it, first_name, sizeof first_name, err); st == IDBPQ_OK;
         st = idbpq__ldbr_iter_next(it, err)) {
        size_t kn, vn;
        const uint8_t *k = idbpq__ldbr_iter_key(it, &kn), *v = idbpq__ldbr_iter_value(it, &vn);
        struct idbpq__ldb_key pk;
        idbpq_error e;
        if (idbpq__ldb_parse_key(k, kn, &pk, &e) != IDBPQ_OK) continue;
        if (pk.kind != IDBPQ__LDB_DATABASE_NAME) break;
        struct idbpq__ldb_rd r;
        int64_t id;
        idbpq__ldb_rd_init(&r, v, vn, &e);
        if (idbpq__ldb_get_int(&r, &id) != IDBPQ_OK || id < 1) {
            const char *file;
            uint64_t off;
            idbpq__ldbr_iter_where(it, &file, &off);
            idbpq__profile_damage(p, file, off, "database-name entry with a bad id: %s", e.msg);
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            struct db_tmp *g = idbpq_vbatch_alloc(b, cap * sizeof *g);
            if (!g) { st = IDBPQ_NOMEM; break; }
            if (n) memcpy(g, dbs, n * sizeof *g);
            dbs = g;
        }
        dbs[n].id = id;
        if ((st = keep(b, pk.name.p, pk.name.n, &dbs[n].name)) != IDBPQ_OK) break;
        n++;
    }
    if (st == IDBPQ_END) st = IDBPQ_OK;
    if (st == IDBPQ_OK && n) {
        qsort(dbs, n, sizeof *dbs, db_cmp);
        idbpq_profile_db *pd = idbpq__arena_alloc(&p->arena, n * sizeof *pd);
        s->ext = idbpq__arena_alloc(&p->arena, n * sizeof *s->ext);
        if (!pd || !s->ext) st = IDBPQ_NOMEM;
        for (uint32_t i = 0; st == IDBPQ_OK && i < n; i++) {
            memset(&pd[i], 0, sizeof pd[i]);
            if (!(pd[i].name = idbpq__profile_utf16(p, dbs[i].name.p, dbs[i].name.n / 2, 1)))
                st = IDBPQ_NOMEM;
            else
                st = load_db(o, it, b, dbs[i].id, &pd[i], &s->ext[i], err);
        }
        o->pub.databases = pd;
        o->pub.n_databases = st == IDBPQ_OK ? n : 0;
    }
    idbpq__ldbr_iter_free(it);
    idbpq_vbatch_free(b);
    return st;
}

static void ldb_close(struct idbpq__origin *o)
{
    struct ldb_state *s = o->state;
    if (s && s->db) idbpq__ldbr_close(s->db);
    if (s) s->db = NULL;
}

/* ---- counting and records -------------------------------------------------------------------- */

/* The encoded prefix <db> <os> <index> as Chromium writes it (minimal widths). */
static idbpq_status prefix_bytes(int64_t db, int64_t os, int64_t index, uint8_t out[32],
                                 size_t *n)
{
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    idbpq_status st = idbpq__ldb_put_prefix(&b, db, os, index);
    if (st == IDBPQ_OK && b.len <= 32) {
        memcpy(out, b.data, b.len);
        *n = b.len;
    } else if (st == IDBPQ_OK) {
        st = IDBPQ_INVALID_ARG;
    }
    idbpq_buffer_free(&b);
    return st;
}

static int has_prefix(const uint8_t *k, size_t kn, const uint8_t *pf, size_t pn)
{
    return kn >= pn && !memcmp(k, pf, pn);
}

static idbpq_status ldb_count(struct idbpq__origin *o, uint32_t db, uint32_t store,
                              uint64_t *count, idbpq_error *err)
{
    struct ldb_state *s = o->state;
    const struct idbpq__store_ext *x = &s->ext[db][store];
    uint8_t pf[32];
    size_t pn;
    idbpq__ldbr_iter *it;
    IDBPQ__TRY(prefix_bytes(x->db_id, x->os_id, 2, pf, &pn));
    IDBPQ__TRY(idbpq__ldbr_iter_create(s->db, &it, err));
    uint64_t c = 0;
    idbpq_status st;
    for (st = idbpq__ldbr_iter_seek(it, pf, pn, err); st == IDBPQ_OK;
         st = idbpq__ldbr_iter_next(it, err)) {
        size_t kn;
        const uint8_t *k = idbpq__ldbr_iter_key(it, &kn);
        if (!has_prefix(k, kn, pf, pn)) break;
        c += kn > pn;
    }
    idbpq__ldbr_iter_free(it);
    *count = c;
    return st == IDBPQ_END ? IDBPQ_OK : st;
}

struct ldb_cursor {
    struct idbpq__origin *o;
    const idbpq_store_desc *store;
    const struct idbpq__store_ext *x;
    idbpq__ldbr_iter *it, *bit;      /* records; external-object entries */
    uint8_t pf[32], bpf[32];
    size_t pn, bpn;
    int started, bit_state;          /* bit_state: 0 not sought, 1 positioned, 2 at end */
    uint64_t read;                   /* bytes of records and blob files read */
    idbpq_buffer tmp;                /* the blob-entry key being looked for; messages */
    /* the current record's blob loading */
    const struct idbpq__ldb_xobj *xo;
    size_t nxo;
    /* stamps: the "exists" entries <db> <os> 2 <IDBKey> and the key last given */
    idbpq__ldbr_iter *eit;
    uint8_t epf[32];
    size_t epn;
    idbpq_buffer ck;
    idbpq_value *ckey;
};

static idbpq_status ldb_cursor_open(struct idbpq__origin *o, uint32_t db, uint32_t store,
                                    void **out, idbpq_error *err)
{
    struct ldb_state *s = o->state;
    struct ldb_cursor *c = idbpq__calloc(o->profile->alc, sizeof *c);
    if (!c) return IDBPQ_NOMEM;
    c->o = o;
    c->store = &o->pub.databases[db].stores[store];
    c->x = &s->ext[db][store];
    idbpq_buffer_init(&c->tmp, o->profile->alc);
    idbpq_status st = prefix_bytes(c->x->db_id, c->x->os_id, 1, c->pf, &c->pn);
    if (st == IDBPQ_OK) st = prefix_bytes(c->x->db_id, c->x->os_id, 3, c->bpf, &c->bpn);
    if (st == IDBPQ_OK) st = prefix_bytes(c->x->db_id, c->x->os_id, 2, c->epf, &c->epn);
    idbpq_buffer_init(&c->ck, o->profile->alc);
    if (st == IDBPQ_OK) st = idbpq__ldbr_iter_create(s->db, &c->it, err);
    if (st == IDBPQ_OK) st = idbpq__ldbr_iter_create(s->db, &c->bit, err);
    if (st != IDBPQ_OK) {
        if (c->it) idbpq__ldbr_iter_free(c->it);
        idbpq_buffer_free(&c->tmp);
        idbpq__free(o->profile->alc, c, sizeof *c);
        return st;
    }
    *out = c;
    return IDBPQ_OK;
}

static void ldb_cursor_free(void *cur)
{
    struct ldb_cursor *c = cur;
    if (!c) return;
    idbpq__ldbr_iter_free(c->it);
    idbpq__ldbr_iter_free(c->bit);
    if (c->eit) idbpq__ldbr_iter_free(c->eit);
    idbpq_buffer_free(&c->tmp);
    idbpq_buffer_free(&c->ck);
    idbpq__free(c->o->profile->alc, c, sizeof *c);
}

static uint64_t ldb_cursor_bytes(void *cur) { return ((struct ldb_cursor *)cur)->read; }

/* Reads a blob file whole into b: <blob dir>/<db hex>/<2 hex>/<number hex>. */
static idbpq_status load_blob(void *ctx, size_t index, idbpq_vbatch *b, const uint8_t **bytes,
                              uint64_t *len, idbpq_error *err)
{
    struct ldb_cursor *c = ctx;
    const struct idbpq__ldb_xobj *x = &c->xo[index];
    char rel[IDBPQ__LDB_BLOB_PATH_MAX], path[4096];
    IDBPQ__TRY(idbpq__ldb_blob_path(c->x->db_id, x->blob_number, rel, sizeof rel));
    if (!c->o->blob_dir)
        return idbpq__verr(err, IDBPQ_CORRUPT, 0, "blob %lld: the origin has no blob directory",
                           (long long)x->blob_number);
    if (!idbpq__pathf(path, sizeof path, "%s/%s", c->o->blob_dir, rel))
        return idbpq__verr(err, IDBPQ_IO, 0, "blob directory path too long");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return idbpq__verr(err, IDBPQ_CORRUPT, 0, "blob file %s: %s", path, strerror(errno));
    struct stat sb;
    idbpq_status st = IDBPQ_OK;
    if (fstat(fd, &sb) != 0 || (uint64_t)sb.st_size != (uint64_t)x->size) {
        st = idbpq__verr(err, IDBPQ_CORRUPT, 0, "blob file %s: %lld bytes, the record's entry "
                         "says %lld", path, (long long)sb.st_size, (long long)x->size);
    } else {
        uint8_t *buf = idbpq_vbatch_alloc(b, (size_t)x->size);
        size_t got = 0;
        if (!buf) st = IDBPQ_NOMEM;
        while (st == IDBPQ_OK && got < (size_t)x->size) {
            ssize_t r = pread(fd, buf + got, (size_t)x->size - got, (off_t)got);
            if (r <= 0)
                st = idbpq__verr(err, IDBPQ_CORRUPT, got, "blob file %s: %s", path,
                                 r < 0 ? strerror(errno) : "shorter than its size");
            else
                got += (size_t)r;
        }
        *bytes = buf;
        *len = got;
        c->read += got;
    }
    close(fd);
    return st;
}

/* Positions the blob-entry iterator at the entry of the record whose IDBKey bytes are k, if
 * any: *found, and the entry's value slice. Entries of records that no longer exist are
 * passed over (the iterator only moves forward, as the records do). */
static idbpq_status find_xobjs(struct ldb_cursor *c, const uint8_t *k, size_t kn, int *found,
                               const uint8_t **v, size_t *vn, idbpq_error *err)
{
    *found = 0;
    if (c->bit_state == 2) return IDBPQ_OK;
    c->tmp.len = 0;
    IDBPQ__TRY(idbpq__kbuf_append(&c->tmp, c->bpf, c->bpn));
    IDBPQ__TRY(idbpq__kbuf_append(&c->tmp, k, kn));
    idbpq_status st = IDBPQ_OK;
    if (c->bit_state == 0) {
        st = idbpq__ldbr_iter_seek(c->bit, c->tmp.data, c->tmp.len, err);
        c->bit_state = 1;
    }
    for (; st == IDBPQ_OK; st = idbpq__ldbr_iter_next(c->bit, err)) {
        size_t bn;
        const uint8_t *bk = idbpq__ldbr_iter_key(c->bit, &bn);
        if (!has_prefix(bk, bn, c->bpf, c->bpn)) {
            st = IDBPQ_END;
            break;
        }
        int cmp = idbpq_idb_cmp1(bk, bn, c->tmp.data, c->tmp.len);
        if (cmp < 0) continue;
        if (cmp == 0) {
            *found = 1;
            *v = idbpq__ldbr_iter_value(c->bit, vn);
        }
        return IDBPQ_OK;
    }
    if (st == IDBPQ_END) {
        c->bit_state = 2;
        return IDBPQ_OK;
    }
    return st;
}

/* Reports a damaged record at the current entry's file and offset; returns CORRUPT. */
static idbpq_status damaged(struct ldb_cursor *c, idbpq_value *key, const char *what,
                            idbpq_error *err)
{
    const char *file;
    uint64_t off;
    idbpq__ldbr_iter_where(c->it, &file, &off);
    return idbpq__record_damage(c->o->profile, file, off, 1, c->store->name, key, "", what,
                                &c->tmp, err);
}

/* The record at the current entry (k: its IDBKey bytes, v: its stored value) into *value;
 * *key is decoded here unless the caller has it (key_known). */
static idbpq_status decode_record(struct ldb_cursor *c, idbpq_vbatch *b, const uint8_t *k,
                                  size_t kn, const uint8_t *v, size_t vn, idbpq_value **key,
                                  int key_known, idbpq_value **value, idbpq_error *err)
{
    idbpq_error e;
    char what[sizeof e.msg + 64];
    if (!key_known) {
        idbpq_key *ik;
        size_t used;
        *key = NULL;
        if (idbpq_key_decode_leveldb(b, k, kn, &ik, &used, &e) != IDBPQ_OK || used != kn) {
            snprintf(what, sizeof what, "the key does not decode%s%s", used != kn ? "" : ": ",
                     used != kn ? "" : e.msg);
            return damaged(c, NULL, what, err);
        }
        if (!(*key = idbpq_key_to_value(b, ik))) return IDBPQ_NOMEM;
    }
    int64_t version;
    struct idbpq__ldb_bytes ssv;
    if (idbpq__ldb_record_value(v, vn, &version, &ssv, &e) != IDBPQ_OK) {
        snprintf(what, sizeof what, "record value: %s", e.msg);
        return damaged(c, *key, what, err);
    }
    int found;
    const uint8_t *xv = NULL;
    size_t xn = 0;
    IDBPQ__TRY(find_xobjs(c, k, kn, &found, &xv, &xn, err));
    struct idbpq__ldb_xobj *xo = NULL;
    size_t nxo = 0;
    if (found && idbpq__ldb_xobjs_decode(b, xv, xn, &xo, &nxo, &e) != IDBPQ_OK) {
        snprintf(what, sizeof what, "external-object entry: %s", e.msg);
        return damaged(c, *key, what, err);
    }
    c->xo = xo;
    c->nxo = nxo;
    struct idbpq__stored_value sv = {ssv.p, ssv.n, xo, nxo, load_blob, c};
    idbpq_status st = idbpq__idb_value_decode(b, &sv, c->store, *key, value, &e);
    if (st == IDBPQ_OK || st == IDBPQ_NOMEM) return st;
    return damaged(c, *key, e.msg, err);
}

static idbpq_status ldb_cursor_next(void *cur, idbpq_vbatch *b, idbpq_value **key,
                                    idbpq_value **value, idbpq_error *err)
{
    struct ldb_cursor *c = cur;
    idbpq_status st = c->started ? idbpq__ldbr_iter_next(c->it, err)
                                 : idbpq__ldbr_iter_seek(c->it, c->pf, c->pn, err);
    c->started = 1;
    if (st != IDBPQ_OK) return st;
    size_t kn, vn;
    const uint8_t *k = idbpq__ldbr_iter_key(c->it, &kn), *v = idbpq__ldbr_iter_value(c->it, &vn);
    if (!has_prefix(k, kn, c->pf, c->pn)) return IDBPQ_END;
    c->read += kn + vn;
    return decode_record(c, b, k + c->pn, kn - c->pn, v, vn, key, 0, value, err);
}

/* Stamps: the exists entries hold the record's version (an Int: minimal little-endian) —
 * the store's LAST_VERSION when the record was last written (indexeddb-on-disk.md §1). */
static idbpq_status ldb_cursor_next_stamp(void *cur, idbpq_vbatch *b, idbpq_value **key,
                                          uint64_t *stamp, idbpq_error *err)
{
    struct ldb_cursor *c = cur;
    idbpq_status st;
    if (!c->eit) {
        IDBPQ__TRY(idbpq__ldbr_iter_create(((struct ldb_state *)c->o->state)->db, &c->eit, err));
        st = idbpq__ldbr_iter_seek(c->eit, c->epf, c->epn, err);
    } else {
        st = idbpq__ldbr_iter_next(c->eit, err);
    }
    if (st != IDBPQ_OK) return st;
    size_t kn, vn;
    const uint8_t *k = idbpq__ldbr_iter_key(c->eit, &kn), *v = idbpq__ldbr_iter_value(c->eit, &vn);
    if (!has_prefix(k, kn, c->epf, c->epn)) return IDBPQ_END;
    c->read += kn + vn;
    k += c->epn;
    kn -= c->epn;
    c->ck.len = 0;
    IDBPQ__TRY(idbpq__kbuf_append(&c->ck, k, kn));
    idbpq_key *ik;
    size_t used;
    idbpq_error e;
    *key = c->ckey = NULL;
    if (idbpq_key_decode_leveldb(b, k, kn, &ik, &used, &e) != IDBPQ_OK || used != kn || vn > 8) {
        const char *file;
        uint64_t off;
        idbpq__ldbr_iter_where(c->eit, &file, &off);
        return idbpq__record_damage(c->o->profile, file, off, 1, c->store->name, NULL, "",
                                    vn > 8 ? "exists entry longer than an Int"
                                           : "exists entry key does not decode", &c->tmp, err);
    }
    if (!(*key = c->ckey = idbpq_key_to_value(b, ik))) return IDBPQ_NOMEM;
    uint64_t x = 0;
    for (size_t i = 0; i < vn; i++) x |= (uint64_t)v[i] << (8 * i);
    *stamp = x;
    return IDBPQ_OK;
}

static idbpq_status ldb_cursor_value(void *cur, idbpq_vbatch *b, idbpq_value **value,
                                     idbpq_error *err)
{
    struct ldb_cursor *c = cur;
    if (!c->ckey) return idbpq__verr(err, IDBPQ_STATE, 0, "no record to load");
    c->tmp.len = 0;
    IDBPQ__TRY(idbpq__kbuf_append(&c->tmp, c->pf, c->pn));
    IDBPQ__TRY(idbpq__kbuf_append(&c->tmp, c->ck.data, c->ck.len));
    /* Records are asked for in key order. A seek positions every level's iterator and reads
     * a block from each (about 0.1 ms), stepping costs a fraction of a microsecond: when the
     * record is a little ahead of the record iterator (the common case when many records
     * changed), step to it; otherwise seek. */
    idbpq_status st = IDBPQ_END;
    size_t kn = 0, vn = 0;
    const uint8_t *k = NULL, *v = NULL;
    if (c->started) {
        for (int steps = 0; steps < 128; steps++) {
            k = idbpq__ldbr_iter_key(c->it, &kn);
            int cmp = has_prefix(k, kn, c->pf, c->pn) ? idbpq_idb_cmp1(k, kn, c->tmp.data, c->tmp.len)
                                                      : 1;
            if (cmp >= 0) {
                st = cmp == 0 ? IDBPQ_OK : IDBPQ_END;
                break;
            }
            st = idbpq__ldbr_iter_next(c->it, err);
            if (st != IDBPQ_OK) break;
            st = IDBPQ_END;
        }
        if (st != IDBPQ_OK && st != IDBPQ_END) return st;
    }
    if (st != IDBPQ_OK) {
        st = idbpq__ldbr_iter_seek(c->it, c->tmp.data, c->tmp.len, err);
        c->started = 1;
    }
    if (st == IDBPQ_OK) {
        k = idbpq__ldbr_iter_key(c->it, &kn);
        v = idbpq__ldbr_iter_value(c->it, &vn);
    }
    if (st == IDBPQ_END || (st == IDBPQ_OK && (kn != c->tmp.len || memcmp(k, c->tmp.data, kn))))
        return damaged(c, c->ckey, "an exists entry without its record", err);
    if (st != IDBPQ_OK) return st;
    c->read += kn + vn;
    idbpq_value *key = c->ckey;
    return decode_record(c, b, k + c->pn, kn - c->pn, v, vn, &key, 1, value, err);
}

const struct idbpq__backend_ops idbpq__chromium_ldb_ops = {
    "leveldb", ldb_open, ldb_count, ldb_cursor_open, ldb_cursor_next, ldb_cursor_bytes,
    ldb_cursor_free, ldb_close, ldb_cursor_next_stamp, ldb_cursor_value,
};
