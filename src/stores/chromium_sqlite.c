/*
 * chromium_sqlite.c — Chromium's SQLite IndexedDB backend (indexeddb-on-disk.md §4): one
 * SQLite file per database in the origin's directory; records in key order through the
 * records_by_key index (the sortable key coding compares with memcmp, as SQLite compares
 * BLOBs); values raw, zstd- or snappy-compressed; Blobs and Files in the blobs table (first
 * 5 MiB inline, the rest in overflow_blob_chunks; migrated ones as files in "<db file>_/").
 *
 * Reading without touching the user's files (docs/profiles.md): Chromium keeps the database
 * in WAL mode with exclusive locking, so while the browser runs no other connection can share
 * it, and committed data may be only in the -wal file. When a non-empty -wal file exists the
 * database and its WAL are copied into a private directory (and copied again if either
 * changed during the copy), and the copy is opened: SQLite applies the WAL to it. So is a
 * database another process holds a lock on (a running browser, whose WAL may be empty just
 * now). Otherwise the file is opened in place with immutable=1 (read-only, no locks, no
 * -shm).
 */
#include "stores/stores.h"

#include "value/value.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <snappy-c.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* Values Chromium writes are at most a few hundred MiB; a frame claiming more is damage. */
#define MAX_VALUE_BYTES ((uint64_t)1 << 30)

static idbpq_status decompress(idbpq_vbatch *b, int type, const uint8_t *p, size_t n,
                               const uint8_t **out, size_t *on, idbpq_error *err);

struct sql_db {
    sqlite3 *h;
    char *file;                      /* the user's file (for messages) */
    char *legacy_dir;                /* "<file>_": blobs migrated from LevelDB */
};

struct sql_state {
    struct sql_db *dbs;              /* parallel to o->pub.databases */
    struct idbpq__store_ext **ext;
};

/* ---- opening: in place or a private snapshot --------------------------------------------- */

static idbpq_status copy_file(const char *from, const char *to, struct stat *before,
                              idbpq_error *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", from, strerror(errno));
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    idbpq_status st = IDBPQ_OK;
    if (out < 0) st = idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", to, strerror(errno));
    if (st == IDBPQ_OK && fstat(in, before) != 0)
        st = idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", from, strerror(errno));
    char buf[1 << 14];
    uint64_t off = 0;
    while (st == IDBPQ_OK) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0) st = idbpq__verr(err, IDBPQ_IO, off, "%s: %s", from, strerror(errno));
        if (r <= 0) break;
        for (ssize_t w = 0; st == IDBPQ_OK && w < r;) {
            ssize_t k = write(out, buf + w, (size_t)(r - w));
            if (k < 0) st = idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", to, strerror(errno));
            else w += k;
        }
        off += (uint64_t)r;
    }
    close(in);
    if (out >= 0) close(out);
    return st;
}

static int same_stat(const char *path, const struct stat *s)
{
    struct stat now;
    return stat(path, &now) == 0 && now.st_size == s->st_size &&
           now.st_mtim.tv_sec == s->st_mtim.tv_sec && now.st_mtim.tv_nsec == s->st_mtim.tv_nsec;
}

/* Whether another process holds a lock on the file: a browser that has the database open
 * (Chromium keeps it locked exclusively), which may write to it any moment even when its
 * WAL is empty now. */
static int locked_by_other(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    int locked = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    close(fd);
    return locked;
}

/* The first 32 bytes of a WAL file (its header: salts and checksums); 0 on success (a WAL
 * shorter than that reads as zeros). */
static int read_head(const char *path, uint8_t h[32])
{
    memset(h, 0, 32);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = pread(fd, h, 32, 0);
    close(fd);
    return n < 0 ? -1 : 0;
}

/* A URI for sqlite3_open_v2: "file:" + the path with %, ? and # escaped. */
static void file_uri(char *out, size_t cap, const char *path, const char *query)
{
    size_t n = (size_t)snprintf(out, cap, "file:");
    for (const char *c = path; *c && n + 4 < cap; c++) {
        if (*c == '%' || *c == '?' || *c == '#')
            n += (size_t)snprintf(out + n, cap - n, "%%%02X", (unsigned char)*c);
        else
            out[n++] = *c;
    }
    snprintf(out + n, cap - n, "%s", query);
}

static idbpq_status open_db(idbpq_profile *p, const char *file, sqlite3 **h, idbpq_error *err)
{
    char wal[4096], uri[8400];
    struct stat ws;
    (void)idbpq__pathf(wal, sizeof wal, "%s-wal", file);
    const char *open_path = file, *query = "?immutable=1";
    int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
    char copy[4096];
    int have_wal = stat(wal, &ws) == 0 && ws.st_size > 0;
    if (have_wal || locked_by_other(file)) {
        const char *tmp;
        IDBPQ__TRY(idbpq__profile_tmpdir(p, &tmp, err));
        static unsigned serial;
        (void)idbpq__pathf(copy, sizeof copy, "%s/db%u", tmp, ++serial);
        char copy_wal[4200];
        (void)idbpq__pathf(copy_wal, sizeof copy_wal, "%s-wal", copy);
        /* The WAL may grow while it is copied: SQLite's recovery keeps the committed,
         * checksummed prefix. The database file changes only when a checkpoint moves WAL
         * frames into it, and the WAL starts over (a new header with new salts) only after
         * one; if either happens during the copy the two copies may not belong together,
         * so the database and the WAL's header must be the same before and after. */
        for (int tries = 0;; tries++) {
            struct stat a, b, w;
            uint8_t h0[32], h1[32];
            if (stat(file, &a) != 0 || (have_wal && read_head(wal, h0) != 0))
                return idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", file, strerror(errno));
            IDBPQ__TRY(copy_file(file, copy, &b, err));
            if (have_wal) IDBPQ__TRY(copy_file(wal, copy_wal, &w, err));
            if (same_stat(file, &a) && a.st_ino == b.st_ino &&
                (!have_wal || (read_head(wal, h1) == 0 && !memcmp(h0, h1, sizeof h0))))
                break;
            /* The browser wrote a WAL meanwhile (an idle one may have been empty). */
            if (!have_wal && stat(wal, &ws) == 0 && ws.st_size > 0) have_wal = 1;
            if (tries == 8)
                return idbpq__verr(err, IDBPQ_IO, 0, "%s: the browser checkpointed it during "
                                   "every copy; try again", file);
        }
        open_path = copy;
        query = "";
        flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI; /* the copy: SQLite replays the WAL */
    }
    file_uri(uri, sizeof uri, open_path, query);
    if (sqlite3_open_v2(uri, h, flags, NULL) != SQLITE_OK) {
        idbpq_status st = idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", file,
                                      *h ? sqlite3_errmsg(*h) : "cannot open");
        sqlite3_close(*h);
        *h = NULL;
        return st;
    }
    return IDBPQ_OK;
}

static idbpq_status sql_fail(sqlite3 *h, const char *file, idbpq_error *err)
{
    int rc = sqlite3_errcode(h);
    return idbpq__verr(err, rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ? IDBPQ_CORRUPT
                                                                         : IDBPQ_IO,
                       0, "%s: %s", file, sqlite3_errmsg(h));
}

/* ---- metadata -------------------------------------------------------------------------------- */

/* A key path column: NULL none; UTF-16LE text, arrays joined with spaces (a space cannot be
 * in an identifier). */
static idbpq_status keypath_of(idbpq_profile *p, sqlite3_stmt *s, int col, idbpq_keypath *kp)
{
    memset(kp, 0, sizeof *kp);
    if (sqlite3_column_type(s, col) == SQLITE_NULL) return IDBPQ_OK;
    const uint8_t *b = sqlite3_column_blob(s, col);
    size_t n = (size_t)sqlite3_column_bytes(s, col) / 2;
    char *text = idbpq__profile_utf16(p, b ? b : (const uint8_t *)"", b ? n : 0, 0);
    if (!text) return IDBPQ_NOMEM;
    uint32_t parts = 1;
    for (const char *c = text; *c; c++) parts += *c == ' ';
    const char **paths = idbpq__arena_alloc(&p->arena, parts * sizeof *paths);
    if (!paths) return IDBPQ_NOMEM;
    kp->type = parts > 1 ? 2 : 1;
    kp->n = parts;
    kp->paths = paths;
    for (uint32_t i = 0; i < parts; i++) {
        char *sp = strchr(text, ' ');
        if (sp) *sp = 0;
        paths[i] = text;
        if (sp) text = sp + 1;
    }
    return IDBPQ_OK;
}

static char *name_of(idbpq_profile *p, sqlite3_stmt *s, int col)
{
    const uint8_t *b = sqlite3_column_blob(s, col);
    size_t n = (size_t)sqlite3_column_bytes(s, col) / 2;
    return idbpq__profile_utf16(p, b ? b : (const uint8_t *)"", b ? n : 0, 0);
}

static int desc_cmp(const void *a, const void *b)
{
    return strcmp(((const idbpq_store_desc *)a)->name, ((const idbpq_store_desc *)b)->name);
}

/* Chromium stores a key path as text with an array's members joined by spaces, so a
 * one-member array ["x"] and the string "x" look the same (Chromium itself reads "x" back
 * after a restart). The records tell them apart: under ["x"] every key is a one-element array
 * whose element is what "x" gives on the value; under "x" the key is exactly what "x" gives.
 * One record decides; an empty store keeps the string. */
static void one_member_array(idbpq_profile *p, struct sql_db *d, int64_t os,
                             idbpq_keypath *kp)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(d->h, "SELECT key, compression_type, value FROM records WHERE "
                           "object_store_id = ? LIMIT 1", -1, &q, NULL) != SQLITE_OK)
        return; /* unreadable here: the cursor will say so */
    sqlite3_bind_int64(q, 1, os);
    idbpq_vbatch *b = NULL;
    if (sqlite3_step(q) == SQLITE_ROW && idbpq_vbatch_create(&b, p->alc) == IDBPQ_OK) {
        const uint8_t *kb = sqlite3_column_blob(q, 0), *vb = sqlite3_column_blob(q, 2);
        size_t kn = (size_t)sqlite3_column_bytes(q, 0), vn = (size_t)sqlite3_column_bytes(q, 2);
        idbpq_key *key, *got;
        size_t used, sn;
        const uint8_t *ssv;
        idbpq_value *v;
        idbpq_error e;
        idbpq_v8_opts o;
        idbpq_v8_opts_init(&o);
        o.flags = IDBPQ_V8_AUTO;
        if (kb && idbpq_key_decode_sortable(b, kb, kn, &key, &used, &e) == IDBPQ_OK &&
            used == kn && key->type == IDBPQ_KEY_ARRAY && key->u.array.n == 1 && vb &&
            decompress(b, sqlite3_column_int(q, 1), vb, vn, &ssv, &sn, &e) == IDBPQ_OK &&
            idbpq_v8_decode(b, ssv, sn, &o, &v, &e) == IDBPQ_OK &&
            idbpq_key_extract(b, v, kp, &got, &e) == IDBPQ_OK &&
            idbpq_key_cmp(got, &key->u.array.items[0]) == 0 &&
            idbpq_key_cmp(got, key) != 0)
            kp->type = 2; /* the same one path, as an array */
    }
    idbpq_vbatch_free(b);
    sqlite3_finalize(q);
}

/* Loads one database file: name, version, stores, indexes. */
static idbpq_status load_db(struct idbpq__origin *o, struct sql_db *d, idbpq_profile_db *pd,
                            struct idbpq__store_ext **ext_out, idbpq_error *err)
{
    idbpq_profile *p = o->profile;
    sqlite3_stmt *s = NULL;
    idbpq_status st = IDBPQ_OK;
    if (sqlite3_prepare_v2(d->h, "SELECT name, version FROM indexed_db_metadata", -1, &s,
                           NULL) != SQLITE_OK)
        return sql_fail(d->h, d->file, err);
    if (sqlite3_step(s) == SQLITE_ROW) {
        if (!(pd->name = name_of(p, s, 0))) st = IDBPQ_NOMEM;
        int64_t v = sqlite3_column_int64(s, 1);
        pd->version = v > 0 ? (uint64_t)v : 0;
    } else {
        st = idbpq__verr(err, IDBPQ_CORRUPT, 0, "%s: no indexed_db_metadata row", d->file);
    }
    sqlite3_finalize(s);
    if (st != IDBPQ_OK) return st;

    if (sqlite3_prepare_v2(d->h, "SELECT id, name, key_path, auto_increment, "
                           "key_generator_current_number, (SELECT count(*) FROM object_stores) "
                           "FROM object_stores", -1, &s, NULL) != SQLITE_OK)
        return sql_fail(d->h, d->file, err);
    idbpq_store_desc *sd = NULL;
    int64_t *ids = NULL;
    uint32_t n = 0, cap = 0;
    int rc;
    while (st == IDBPQ_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!sd) {
            int64_t total = sqlite3_column_int64(s, 5);
            cap = total > 0 && total < 1000000 ? (uint32_t)total : 1;
            sd = idbpq__arena_alloc(&p->arena, cap * sizeof *sd);
            ids = idbpq__arena_alloc(&p->arena, cap * sizeof *ids);
            if (!sd || !ids) { st = IDBPQ_NOMEM; break; }
        }
        if (n == cap) break; /* rows appeared between count and scan: impossible read-only */
        idbpq_store_desc *x = &sd[n];
        memset(x, 0, sizeof *x);
        ids[n] = sqlite3_column_int64(s, 0);
        x->origin = o->pub.id;
        x->database = pd->name;
        x->db_version = pd->version;
        if (!(x->name = name_of(p, s, 1))) st = IDBPQ_NOMEM;
        else st = keypath_of(p, s, 2, &x->key_path);
        x->auto_increment = sqlite3_column_int(s, 3) != 0;
        x->key_generator = (double)sqlite3_column_int64(s, 4);
        n++;
    }
    if (st == IDBPQ_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) st = sql_fail(d->h, d->file, err);
    sqlite3_finalize(s);
    if (st != IDBPQ_OK) return st;

    /* Indexes, grouped by store (ordered by store, then name below). */
    if (sqlite3_prepare_v2(d->h, "SELECT object_store_id, name, key_path, is_unique, "
                           "multi_entry FROM indexes ORDER BY object_store_id", -1, &s,
                           NULL) != SQLITE_OK)
        return sql_fail(d->h, d->file, err);
    while (st == IDBPQ_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t os = sqlite3_column_int64(s, 0);
        uint32_t i;
        for (i = 0; i < n && ids[i] != os; i++) {}
        if (i == n) continue; /* an index of no store: ignore */
        idbpq_store_desc *x = &sd[i];
        idbpq_index_desc *g = idbpq__arena_alloc(&p->arena, (x->n_indexes + 1) * sizeof *g);
        if (!g) { st = IDBPQ_NOMEM; break; }
        if (x->n_indexes) memcpy(g, x->indexes, x->n_indexes * sizeof *g);
        idbpq_index_desc *ix = &g[x->n_indexes];
        memset(ix, 0, sizeof *ix);
        if (!(ix->name = name_of(p, s, 1))) { st = IDBPQ_NOMEM; break; }
        st = keypath_of(p, s, 2, &ix->key_path);
        ix->unique = sqlite3_column_int(s, 3) != 0;
        ix->multi_entry = sqlite3_column_int(s, 4) != 0;
        x->indexes = g;
        x->n_indexes++;
    }
    if (st == IDBPQ_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) st = sql_fail(d->h, d->file, err);
    sqlite3_finalize(s);
    if (st != IDBPQ_OK) return st;

    for (uint32_t i = 0; i < n; i++)
        if (sd[i].key_path.type == 1 && sd[i].key_path.paths[0][0])
            one_member_array(p, d, ids[i], &sd[i].key_path);

    /* Sort stores by name, keeping the ids with them; index lists by name. */
    struct idbpq__store_ext *ext = idbpq__arena_alloc(&p->arena, (n ? n : 1) * sizeof *ext);
    if (!ext) return IDBPQ_NOMEM;
    for (uint32_t i = 0; i < n; i++) { /* stash the id in key_generator's neighbour: sort */
        ext[i] = (struct idbpq__store_ext){0, ids[i]};
    }
    for (uint32_t i = 1; i < n; i++) /* insertion sort: few stores, keeps ext parallel */
        for (uint32_t j = i; j > 0 && desc_cmp(&sd[j - 1], &sd[j]) > 0; j--) {
            idbpq_store_desc t = sd[j];
            sd[j] = sd[j - 1];
            sd[j - 1] = t;
            struct idbpq__store_ext e = ext[j];
            ext[j] = ext[j - 1];
            ext[j - 1] = e;
        }
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t a = 1; a < sd[i].n_indexes; a++)
            for (uint32_t b = a; b > 0; b--) {
                idbpq_index_desc *ix = (idbpq_index_desc *)sd[i].indexes;
                if (strcmp(ix[b - 1].name, ix[b].name) <= 0) break;
                idbpq_index_desc t = ix[b];
                ix[b] = ix[b - 1];
                ix[b - 1] = t;
            }
    pd->stores = sd;
    pd->n_stores = n;
    *ext_out = ext;
    return IDBPQ_OK;
}

static int db_name_cmp(const void *a, const void *b)
{
    return strcmp(((const idbpq_profile_db *)a)->name, ((const idbpq_profile_db *)b)->name);
}

static idbpq_status sql_open(struct idbpq__origin *o, idbpq_error *err)
{
    idbpq_profile *p = o->profile;
    struct sql_state *s = idbpq__arena_alloc(&p->arena, sizeof *s);
    if (!s) return IDBPQ_NOMEM;
    memset(s, 0, sizeof *s);
    o->state = s;
    /* The database files: the origin's path is a directory of them, or one file. */
    char *files[1024];
    uint32_t nf = 0;
    struct stat sb;
    if (stat(o->pub.path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (!(files[nf++] = idbpq__profile_strdup(p, o->pub.path, SIZE_MAX))) return IDBPQ_NOMEM;
    } else {
        DIR *d = opendir(o->pub.path);
        if (!d) return idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", o->pub.path, strerror(errno));
        struct dirent *e;
        char path[4096];
        while ((e = readdir(d)) && nf < 1024) {
            size_t len = strlen(e->d_name);
            if (!(len == 52 || !strcmp(e->d_name, "0"))) continue;
            (void)idbpq__pathf(path, sizeof path, "%s/%s", o->pub.path, e->d_name);
            struct stat fs;
            if (stat(path, &fs) != 0 || !S_ISREG(fs.st_mode)) continue;
            if (!(files[nf++] = idbpq__profile_strdup(p, path, SIZE_MAX))) {
                closedir(d);
                return IDBPQ_NOMEM;
            }
        }
        closedir(d);
    }
    s->dbs = idbpq__arena_alloc(&p->arena, (nf ? nf : 1) * sizeof *s->dbs);
    idbpq_profile_db *pd = idbpq__arena_alloc(&p->arena, (nf ? nf : 1) * sizeof *pd);
    struct idbpq__store_ext **ext = idbpq__arena_alloc(&p->arena, (nf ? nf : 1) * sizeof *ext);
    if (!s->dbs || !pd || !ext) return IDBPQ_NOMEM;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < nf; i++) {
        struct sql_db *d = &s->dbs[kept];
        memset(d, 0, sizeof *d);
        memset(&pd[kept], 0, sizeof pd[kept]);
        d->file = files[i];
        char legacy[4200];
        (void)idbpq__pathf(legacy, sizeof legacy, "%s_", files[i]);
        if (!(d->legacy_dir = idbpq__profile_strdup(p, legacy, SIZE_MAX))) return IDBPQ_NOMEM;
        idbpq_error e = {0};
        idbpq_status st = open_db(p, files[i], &d->h, &e);
        if (st == IDBPQ_OK) st = load_db(o, d, &pd[kept], &ext[kept], &e);
        if (st == IDBPQ_NOMEM) return st;
        if (st != IDBPQ_OK) {
            idbpq__profile_damage(p, files[i], e.offset, "database file cannot be read: %s",
                                  e.msg);
            sqlite3_close(d->h);
            d->h = NULL;
            continue;
        }
        kept++;
    }
    /* Sort databases by name, carrying their files and ids along. */
    for (uint32_t i = 1; i < kept; i++)
        for (uint32_t j = i; j > 0 && db_name_cmp(&pd[j - 1], &pd[j]) > 0; j--) {
            idbpq_profile_db t = pd[j]; pd[j] = pd[j - 1]; pd[j - 1] = t;
            struct sql_db u = s->dbs[j]; s->dbs[j] = s->dbs[j - 1]; s->dbs[j - 1] = u;
            struct idbpq__store_ext *x = ext[j]; ext[j] = ext[j - 1]; ext[j - 1] = x;
        }
    o->pub.databases = pd;
    o->pub.n_databases = kept;
    s->ext = ext;
    if (!kept && nf)
        return idbpq__verr(err, IDBPQ_CORRUPT, 0, "%s: none of its %u database files could "
                           "be read", o->pub.path, nf);
    return IDBPQ_OK;
}

static void sql_close(struct idbpq__origin *o)
{
    struct sql_state *s = o->state;
    if (!s || !s->dbs) return;
    for (uint32_t i = 0; i < o->pub.n_databases; i++) {
        sqlite3_close(s->dbs[i].h);
        s->dbs[i].h = NULL;
    }
}

static idbpq_status sql_count(struct idbpq__origin *o, uint32_t db, uint32_t store,
                              uint64_t *count, idbpq_error *err)
{
    struct sql_state *s = o->state;
    struct sql_db *d = &s->dbs[db];
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(d->h, "SELECT count(*) FROM records WHERE object_store_id = ?", -1,
                           &q, NULL) != SQLITE_OK)
        return sql_fail(d->h, d->file, err);
    sqlite3_bind_int64(q, 1, s->ext[db][store].os_id);
    idbpq_status st = IDBPQ_OK;
    if (sqlite3_step(q) == SQLITE_ROW) *count = (uint64_t)sqlite3_column_int64(q, 0);
    else st = sql_fail(d->h, d->file, err);
    sqlite3_finalize(q);
    return st;
}

/* ---- records --------------------------------------------------------------------------------- */

struct sql_cursor {
    struct idbpq__origin *o;
    struct sql_db *d;
    const idbpq_store_desc *store;
    sqlite3_stmt *rec, *xo, *bytes, *chunks;
    uint64_t read;
    int64_t row_id;
    /* records of the store that have external objects (sorted row ids): most have none,
     * and a query per record would cost more than the rest of reading it */
    int64_t *with_blobs;
    size_t n_with_blobs;
    /* the current record's external objects */
    struct idbpq__ldb_xobj *x;
    int64_t *blob_rows;
    size_t nx, capx;
    idbpq_buffer msg;
};

static void sql_cursor_free(void *cur)
{
    struct sql_cursor *c = cur;
    if (!c) return;
    const idbpq_allocator *alc = c->o->profile->alc;
    sqlite3_finalize(c->rec);
    sqlite3_finalize(c->xo);
    sqlite3_finalize(c->bytes);
    sqlite3_finalize(c->chunks);
    idbpq__free(alc, c->x, c->capx * sizeof *c->x);
    idbpq__free(alc, c->blob_rows, c->capx * sizeof *c->blob_rows);
    free(c->with_blobs);
    idbpq_buffer_free(&c->msg);
    idbpq__free(alc, c, sizeof *c);
}

/* The row ids of the store's records that have external objects, sorted. */
static idbpq_status load_with_blobs(struct sql_cursor *c, int64_t os, idbpq_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(c->d->h, "SELECT DISTINCT r.record_row_id FROM blob_references r "
                           "JOIN records x ON x.row_id = r.record_row_id WHERE "
                           "x.object_store_id = ? ORDER BY 1", -1, &q, NULL) != SQLITE_OK)
        return sql_fail(c->d->h, c->d->file, err);
    sqlite3_bind_int64(q, 1, os);
    size_t cap = 0;
    int rc;
    idbpq_status st = IDBPQ_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (c->n_with_blobs == cap) {
            size_t nc = cap ? 2 * cap : 64;
            int64_t *g = realloc(c->with_blobs, nc * sizeof *g);
            if (!g) {
                st = IDBPQ_NOMEM;
                break;
            }
            c->with_blobs = g;
            cap = nc;
        }
        c->with_blobs[c->n_with_blobs++] = sqlite3_column_int64(q, 0);
    }
    if (st == IDBPQ_OK && rc != SQLITE_DONE) st = sql_fail(c->d->h, c->d->file, err);
    sqlite3_finalize(q);
    return st;
}

static int has_blobs(const struct sql_cursor *c, int64_t row)
{
    size_t lo = 0, hi = c->n_with_blobs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->with_blobs[mid] < row) lo = mid + 1;
        else hi = mid;
    }
    return lo < c->n_with_blobs && c->with_blobs[lo] == row;
}

static idbpq_status sql_cursor_open(struct idbpq__origin *o, uint32_t db, uint32_t store,
                                    void **out, idbpq_error *err)
{
    struct sql_state *s = o->state;
    struct sql_cursor *c = idbpq__calloc(o->profile->alc, sizeof *c);
    if (!c) return IDBPQ_NOMEM;
    c->o = o;
    c->d = &s->dbs[db];
    c->store = &o->pub.databases[db].stores[store];
    idbpq_buffer_init(&c->msg, o->profile->alc);
    sqlite3 *h = c->d->h;
    /* External objects in the order Blink numbers them: Blobs/Files by row id, then FSA
     * handles (§4.3). */
    if (sqlite3_prepare_v2(h, "SELECT row_id, compression_type, key, value FROM records "
                           "WHERE object_store_id = ? ORDER BY key", -1, &c->rec, NULL) ||
        sqlite3_prepare_v2(h, "SELECT b.row_id, b.object_type, b.mime_type, b.size_bytes, "
                           "b.file_name, b.last_modified FROM blob_references r JOIN blobs b "
                           "ON b.row_id = r.blob_row_id WHERE r.record_row_id = ? "
                           "ORDER BY b.object_type = 2, b.row_id", -1, &c->xo, NULL) ||
        sqlite3_prepare_v2(h, "SELECT bytes FROM blobs WHERE row_id = ?", -1, &c->bytes, NULL) ||
        sqlite3_prepare_v2(h, "SELECT bytes FROM overflow_blob_chunks WHERE blob_row_id = ? "
                           "ORDER BY chunk_index", -1, &c->chunks, NULL)) {
        idbpq_status st = sql_fail(h, c->d->file, err);
        sqlite3_finalize(c->rec);
        sqlite3_finalize(c->xo);
        sqlite3_finalize(c->bytes);
        sqlite3_finalize(c->chunks);
        idbpq_buffer_free(&c->msg);
        idbpq__free(o->profile->alc, c, sizeof *c);
        return st;
    }
    sqlite3_bind_int64(c->rec, 1, s->ext[db][store].os_id);
    idbpq_status st = load_with_blobs(c, s->ext[db][store].os_id, err);
    if (st != IDBPQ_OK) {
        sql_cursor_free(c);
        return st;
    }
    *out = c;
    return IDBPQ_OK;
}

static uint64_t sql_cursor_bytes(void *cur) { return ((struct sql_cursor *)cur)->read; }

/* A JS string in b from UTF-8 text (names and types are valid UTF-8 as Chromium stores them;
 * anything else is taken as Latin-1 rather than dropped). */
static idbpq_status text_str(idbpq_vbatch *b, const uint8_t *t, size_t n, idbpq_str *out)
{
    idbpq_value *v;
    size_t bad;
    int r = idbpq__value_utf8_strict(b, t ? t : (const uint8_t *)"", t ? n : 0, &v, &bad);
    if (r < 0) return IDBPQ_NOMEM;
    if (r > 0 && !(v = idbpq__value_latin1(b, t, (uint32_t)n))) return IDBPQ_NOMEM;
    *out = v->u.str;
    return IDBPQ_OK;
}

/* The current record's external-object list. */
static idbpq_status load_xobjs(struct sql_cursor *c, idbpq_vbatch *b, idbpq_error *err)
{
    c->nx = 0;
    sqlite3_reset(c->xo);
    sqlite3_bind_int64(c->xo, 1, c->row_id);
    int rc;
    while ((rc = sqlite3_step(c->xo)) == SQLITE_ROW) {
        if (c->nx == c->capx) {
            const idbpq_allocator *alc = c->o->profile->alc;
            size_t nc = c->capx ? 2 * c->capx : 8;
            struct idbpq__ldb_xobj *g = idbpq__realloc(alc, c->x, c->capx * sizeof *g,
                                                       nc * sizeof *g);
            if (!g) return IDBPQ_NOMEM;
            c->x = g;
            int64_t *r = idbpq__realloc(alc, c->blob_rows, c->capx * sizeof *r, nc * sizeof *r);
            if (!r) return IDBPQ_NOMEM;
            c->blob_rows = r;
            c->capx = nc;
        }
        struct idbpq__ldb_xobj *x = &c->x[c->nx];
        memset(x, 0, sizeof *x);
        c->blob_rows[c->nx] = sqlite3_column_int64(c->xo, 0);
        int type = sqlite3_column_int(c->xo, 1);
        x->type = (uint8_t)(type == 1 ? IDBPQ__LDB_XO_FILE : type == 0 ? IDBPQ__LDB_XO_BLOB
                                                                       : IDBPQ__LDB_XO_FSA);
        x->size = sqlite3_column_int64(c->xo, 3);
        IDBPQ__TRY(text_str(b, sqlite3_column_text(c->xo, 2),
                            (size_t)sqlite3_column_bytes(c->xo, 2), &x->mime));
        if (x->type == IDBPQ__LDB_XO_FILE) {
            IDBPQ__TRY(text_str(b, sqlite3_column_blob(c->xo, 4),
                                (size_t)sqlite3_column_bytes(c->xo, 4), &x->name));
            /* microseconds since 1601-01-01, as the LevelDB backend stores them */
            x->last_modified_us = sqlite3_column_int64(c->xo, 5);
            x->last_modified_ms = (double)(x->last_modified_us - IDBPQ__LDB_WINDOWS_EPOCH_DELTA_US)
                                  / 1000.0;
        }
        if (x->size < 0)
            return idbpq__verr(err, IDBPQ_CORRUPT, 0, "blob row %lld: negative size",
                               (long long)c->blob_rows[c->nx]);
        c->nx++;
    }
    if (rc != SQLITE_DONE) return sql_fail(c->d->h, c->d->file, err);
    return IDBPQ_OK;
}

/* Blob contents: the inline part, then the overflow chunks; or a legacy file. */
static idbpq_status load_blob(void *ctx, size_t index, idbpq_vbatch *b, const uint8_t **bytes,
                              uint64_t *len, idbpq_error *err)
{
    struct sql_cursor *c = ctx;
    int64_t row = c->blob_rows[index];
    uint64_t size = (uint64_t)c->x[index].size, got = 0;
    uint8_t *buf = idbpq_vbatch_alloc(b, (size_t)size + 1);
    if (!buf) return IDBPQ_NOMEM;
    sqlite3_reset(c->bytes);
    sqlite3_bind_int64(c->bytes, 1, row);
    if (sqlite3_step(c->bytes) != SQLITE_ROW)
        return idbpq__verr(err, IDBPQ_CORRUPT, 0, "blob row %lld is missing", (long long)row);
    if (sqlite3_column_type(c->bytes, 0) == SQLITE_NULL) {
        char path[4400];
        (void)idbpq__pathf(path, sizeof path, "%s/%llx", c->d->legacy_dir, (unsigned long long)row);
        FILE *f = fopen(path, "rb");
        if (!f)
            return idbpq__verr(err, IDBPQ_CORRUPT, 0, "blob file %s: %s", path, strerror(errno));
        got = fread(buf, 1, (size_t)size + 1, f);
        fclose(f);
    } else {
        size_t n = (size_t)sqlite3_column_bytes(c->bytes, 0);
        const void *p = sqlite3_column_blob(c->bytes, 0);
        if (n > size) n = (size_t)size + 1;
        if (n) memcpy(buf, p, n);
        got = n;
        sqlite3_reset(c->chunks);
        sqlite3_bind_int64(c->chunks, 1, row);
        while (got <= size && sqlite3_step(c->chunks) == SQLITE_ROW) {
            n = (size_t)sqlite3_column_bytes(c->chunks, 0);
            if (n > size + 1 - got) n = (size_t)(size + 1 - got);
            if (n) memcpy(buf + got, sqlite3_column_blob(c->chunks, 0), n);
            got += n;
        }
    }
    c->read += got;
    *bytes = buf;
    *len = got; /* the caller compares with the entry's size */
    return IDBPQ_OK;
}

/* compression_type: 0 none, 1 zstd, 2 snappy (§4.3). */
static idbpq_status decompress(idbpq_vbatch *b, int type, const uint8_t *p, size_t n,
                               const uint8_t **out, size_t *on, idbpq_error *err)
{
    if (type == 0) {
        *out = p;
        *on = n;
        return IDBPQ_OK;
    }
    if (type == 1) {
        unsigned long long size = ZSTD_getFrameContentSize(p, n);
        if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
            size > MAX_VALUE_BYTES)
            return idbpq__verr(err, IDBPQ_CORRUPT, 0, "zstd value: bad frame header");
        uint8_t *d = idbpq_vbatch_alloc(b, (size_t)size + 1);
        if (!d) return IDBPQ_NOMEM;
        size_t r = ZSTD_decompress(d, (size_t)size, p, n);
        if (ZSTD_isError(r) || r != size)
            return idbpq__verr(err, IDBPQ_CORRUPT, 0, "zstd value: %s",
                               ZSTD_isError(r) ? ZSTD_getErrorName(r) : "short frame");
        *out = d;
        *on = r;
        return IDBPQ_OK;
    }
    if (type == 2) {
        size_t size;
        if (snappy_uncompressed_length((const char *)p, n, &size) != SNAPPY_OK ||
            size > MAX_VALUE_BYTES)
            return idbpq__verr(err, IDBPQ_CORRUPT, 0, "snappy value: bad length preamble");
        uint8_t *d = idbpq_vbatch_alloc(b, size + 1);
        if (!d) return IDBPQ_NOMEM;
        if (snappy_uncompress((const char *)p, n, (char *)d, &size) != SNAPPY_OK)
            return idbpq__verr(err, IDBPQ_CORRUPT, 0, "snappy value does not decompress");
        *out = d;
        *on = size;
        return IDBPQ_OK;
    }
    return idbpq__verr(err, IDBPQ_CORRUPT, 0, "unknown compression_type %d", type);
}

static idbpq_status damaged(struct sql_cursor *c, idbpq_value *key, const char *what,
                            idbpq_error *err)
{
    char where[48];
    snprintf(where, sizeof where, " (records row %lld)", (long long)c->row_id);
    return idbpq__record_damage(c->o->profile, c->d->file, (uint64_t)c->row_id, 0,
                                c->store->name, key, where, what, &c->msg, err);
}

static idbpq_status sql_cursor_next(void *cur, idbpq_vbatch *b, idbpq_value **key,
                                    idbpq_value **value, idbpq_error *err)
{
    struct sql_cursor *c = cur;
    int rc = sqlite3_step(c->rec);
    if (rc == SQLITE_DONE) return IDBPQ_END;
    if (rc != SQLITE_ROW) return sql_fail(c->d->h, c->d->file, err);
    c->row_id = sqlite3_column_int64(c->rec, 0);
    int ctype = sqlite3_column_int(c->rec, 1);
    const uint8_t *kp = sqlite3_column_blob(c->rec, 2), *vp = sqlite3_column_blob(c->rec, 3);
    size_t kn = (size_t)sqlite3_column_bytes(c->rec, 2), vn = (size_t)sqlite3_column_bytes(c->rec, 3);
    c->read += kn + vn;
    idbpq_key *ik;
    size_t used;
    idbpq_error e;
    *key = NULL;
    if (!kp || idbpq_key_decode_sortable(b, kp, kn, &ik, &used, &e) != IDBPQ_OK || used != kn)
        return damaged(c, NULL, "the key does not decode", err);
    if (!(*key = idbpq_key_to_value(b, ik))) return IDBPQ_NOMEM;
    const uint8_t *ssv = NULL;
    size_t sn = 0;
    idbpq_status st = decompress(b, ctype, vp ? vp : (const uint8_t *)"", vn, &ssv, &sn, &e);
    if (st == IDBPQ_NOMEM) return st;
    if (st != IDBPQ_OK) return damaged(c, *key, e.msg, err);
    c->nx = 0;
    if (has_blobs(c, c->row_id) && (st = load_xobjs(c, b, &e)) != IDBPQ_OK) {
        if (st == IDBPQ_NOMEM) return st;
        return damaged(c, *key, e.msg, err);
    }
    struct idbpq__stored_value sv = {ssv, sn, c->x, c->nx, load_blob, c};
    st = idbpq__idb_value_decode(b, &sv, c->store, *key, value, &e);
    if (st == IDBPQ_OK || st == IDBPQ_NOMEM) return st;
    return damaged(c, *key, e.msg, err);
}

const struct idbpq__backend_ops idbpq__chromium_sqlite_ops = {
    "sqlite", sql_open, sql_count, sql_cursor_open, sql_cursor_next, sql_cursor_bytes,
    sql_cursor_free, sql_close, NULL, NULL,
};
