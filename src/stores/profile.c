/*
 * profile.c — finds the IndexedDB origins under a path and gives each to its backend; the
 * public profile and cursor API. What a path may be (docs/profiles.md):
 *   a browser user-data dir        Default/, Profile 1/, ... each with IndexedDB/
 *   a profile dir                  IndexedDB/ and WebStorage/<bucket>/IndexedDB/
 *   an IndexedDB dir               <origin>.indexeddb.leveldb/ (+ .blob), <origin>/ (SQLite)
 *   one origin                     a LevelDB directory (CURRENT + MANIFEST-*), a directory of
 *                                  SQLite database files, or one SQLite database file
 * Firefox (storage/default/<origin>/idb/NAME.sqlite) and Safari/WebKit (IndexedDB.sqlite3)
 * are recognized and refused with the format's name.
 */
#include "stores/stores.h"

#include "value/value.h"

#include <dirent.h>
#include <sqlite3.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

void idbpq_profile_opts_init(idbpq_profile_opts *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
}

void idbpq__profile_damage(idbpq_profile *p, const char *file, uint64_t offset,
                           const char *fmt, ...)
{
    if (!p->opts.on_damage) return;
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    idbpq_damage d = {file, offset, what};
    p->opts.on_damage(p->opts.damage_ctx, &d);
}

int idbpq__pathf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < cap;
}

idbpq_status idbpq__record_damage(idbpq_profile *p, const char *file, uint64_t offset,
                                  int offset_is_byte, const char *store,
                                  const idbpq_value *key, const char *where, const char *what,
                                  idbpq_buffer *scratch, idbpq_error *err)
{
    scratch->len = 0;
    if (!key || idbpq_tjson_write(key, scratch) != IDBPQ_OK) scratch->len = 0;
    int kl = scratch->len > 200 ? 200 : (int)scratch->len;
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "store %s, key %.*s%s: %s", store, kl,
             kl ? (const char *)scratch->data : "", where, what);
    idbpq__profile_damage(p, file, offset, "%s", msg);
    if (offset_is_byte)
        return idbpq__verr(err, IDBPQ_CORRUPT, offset, "%s at byte %llu: %s", file,
                           (unsigned long long)offset, msg);
    return idbpq__verr(err, IDBPQ_CORRUPT, offset, "%s: %s", file, msg);
}

char *idbpq__profile_strdup(idbpq_profile *p, const char *s, size_t n)
{
    return idbpq__arena_strndup(&p->arena, s, n == SIZE_MAX ? strlen(s) : n);
}

char *idbpq__profile_utf16(idbpq_profile *p, const uint8_t *units, size_t n_units, int big)
{
    if (n_units > UINT32_MAX / 4) return NULL;
    uint16_t *u = idbpq__arena_alloc(&p->arena, n_units * 2 + 2);
    char *out = u ? idbpq__arena_alloc(&p->arena, n_units * 3 + 1) : NULL;
    if (!out) return NULL;
    for (size_t i = 0; i < n_units; i++)
        u[i] = big ? (uint16_t)(units[2 * i] << 8 | units[2 * i + 1])
                   : (uint16_t)(units[2 * i] | units[2 * i + 1] << 8);
    idbpq_str s = {u, (uint32_t)n_units, 1};
    size_t n = idbpq__str_to_utf8(&s, (uint8_t *)out, NULL);
    out[n] = 0;
    return out;
}

idbpq_status idbpq__profile_tmpdir(idbpq_profile *p, const char **dir, idbpq_error *err)
{
    if (!p->tmp_dir) {
        const char *base = getenv("TMPDIR");
        char tmpl[4096];
        (void)idbpq__pathf(tmpl, sizeof tmpl, "%s/idbpq-snapshot-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmpl))
            return idbpq__verr(err, IDBPQ_IO, 0, "%s: cannot make a directory for snapshot "
                               "copies: %s", tmpl, strerror(errno));
        if (!(p->tmp_dir = idbpq__strndup(p->alc, tmpl, SIZE_MAX))) return IDBPQ_NOMEM;
    }
    *dir = p->tmp_dir;
    return IDBPQ_OK;
}

/* ---- what is on disk -------------------------------------------------------------------------- */

static int is_dir(const char *path)
{
    struct stat s;
    return stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}
static int is_file(const char *path)
{
    struct stat s;
    return stat(path, &s) == 0 && S_ISREG(s.st_mode);
}
static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

/* A SQLite database file (its 16-byte header). */
static int is_sqlite(const char *path)
{
    char h[16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    return n == 16 && !memcmp(h, "SQLite format 3", 16);
}

/* A LevelDB directory: CURRENT names a MANIFEST. */
static int is_leveldb(const char *dir)
{
    char p[4096];
    (void)idbpq__pathf(p, sizeof p, "%s/CURRENT", dir);
    return is_file(p);
}

/* Chromium's SQLite database file names: Base32 of a SHA-256 (52 chars, A-Z 2-7) or "0". */
static int sqlite_db_name(const char *name)
{
    if (!strcmp(name, "0")) return 1;
    if (strlen(name) != 52) return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '2' && *c <= '7'))) return 0;
    return 1;
}

/* A directory holding Chromium IndexedDB SQLite files. */
static int is_sqlite_origin(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int found = 0;
    struct dirent *e;
    char p[4096];
    while (!found && (e = readdir(d))) {
        if (!sqlite_db_name(e->d_name)) continue;
        (void)idbpq__pathf(p, sizeof p, "%s/%s", dir, e->d_name);
        found = is_sqlite(p);
    }
    closedir(d);
    return found;
}

static idbpq_status add_origin(idbpq_profile *p, const char *id, const char *path,
                               const char *blob_dir, const struct idbpq__backend_ops *ops)
{
    if (p->n_origins == p->cap_origins) {
        uint32_t nc = p->cap_origins ? 2 * p->cap_origins : 8;
        struct idbpq__origin *g = idbpq__realloc(p->alc, p->origins,
                                                 p->cap_origins * sizeof *g, nc * sizeof *g);
        if (!g) return IDBPQ_NOMEM;
        p->origins = g;
        p->cap_origins = nc;
    }
    struct idbpq__origin *o = &p->origins[p->n_origins];
    memset(o, 0, sizeof *o);
    o->profile = p;
    o->ops = ops;
    o->pub.backend = ops->name;
    if (!(o->pub.id = idbpq__profile_strdup(p, id, SIZE_MAX)) ||
        !(o->pub.path = idbpq__profile_strdup(p, path, SIZE_MAX)) ||
        (blob_dir && !(o->blob_dir = idbpq__profile_strdup(p, blob_dir, SIZE_MAX))))
        return IDBPQ_NOMEM;
    p->n_origins++;
    return IDBPQ_OK;
}

/* The origins of one IndexedDB directory (label: "" or "<profile>/"). */
static idbpq_status scan_indexeddb_dir(idbpq_profile *p, const char *dir, const char *label)
{
    DIR *d = opendir(dir);
    if (!d) return IDBPQ_OK;
    struct dirent *e;
    idbpq_status st = IDBPQ_OK;
    char path[4096], blob[4096], id[1024];
    while (st == IDBPQ_OK && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        (void)idbpq__pathf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!is_dir(path)) continue;
        if (has_suffix(e->d_name, ".indexeddb.leveldb")) {
            size_t n = strlen(e->d_name) - strlen(".leveldb");
            (void)idbpq__pathf(blob, sizeof blob, "%s/%.*s.blob", dir, (int)n, e->d_name);
            (void)idbpq__pathf(id, sizeof id, "%s%.*s", label, (int)(n - strlen(".indexeddb")), e->d_name);
            st = add_origin(p, id, path, is_dir(blob) ? blob : NULL, &idbpq__chromium_ldb_ops);
        } else if (!has_suffix(e->d_name, ".indexeddb.blob") && is_sqlite_origin(path)) {
            (void)idbpq__pathf(id, sizeof id, "%s%s", label, e->d_name);
            st = add_origin(p, id, path, NULL, &idbpq__chromium_sqlite_ops);
        }
    }
    closedir(d);
    return st;
}

/* Chromium's origin id of a storage key "scheme://host[:port]/[^partition...]":
 * scheme_host_port, port 0 when it is the scheme's default (database_identifier.cc). */
static void origin_id_of_key(const char *key, char *out, size_t cap)
{
    const char *sep = strstr(key, "://");
    if (!sep) {
        (void)idbpq__pathf(out, cap, "%s", key);
        return;
    }
    char host[512];
    const char *h = sep + 3, *end = h;
    while (*end && *end != '/' && *end != '^') end++;
    size_t hn = (size_t)(end - h) < sizeof host - 1 ? (size_t)(end - h) : sizeof host - 1;
    memcpy(host, h, hn);
    host[hn] = 0;
    const char *port = "0";
    char *colon = strrchr(host, ':');
    if (colon && !strchr(colon, ']')) {
        *colon = 0;
        port = colon + 1;
        if ((!strncmp(key, "http:", 5) && !strcmp(port, "80")) ||
            (!strncmp(key, "https:", 6) && !strcmp(port, "443")))
            port = "0";
    }
    for (char *c = host; *c; c++)
        if (*c == ':') *c = '_';
    (void)idbpq__pathf(out, cap, "%.*s_%s_%s", (int)(sep - key), key, host, port);
}

/* The label of storage bucket `id`: "<origin id>@<bucket name>" from the profile's
 * WebStorage/QuotaManager database, "bucket-<id>" when that cannot be read. */
static void bucket_label(const char *webstorage, const char *id, char *out, size_t cap)
{
    (void)idbpq__pathf(out, cap, "bucket-%s", id);
    char uri[4200];
    if (!idbpq__pathf(uri, sizeof uri, "file:%s/QuotaManager?immutable=1", webstorage) ||
        strchr(webstorage, '?') || strchr(webstorage, '#') || strchr(webstorage, '%'))
        return;
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT storage_key, name FROM buckets WHERE id = ?", -1, &q,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, strtoll(id, NULL, 10));
        if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) && sqlite3_column_text(q, 1)) {
            char origin[600];
            origin_id_of_key((const char *)sqlite3_column_text(q, 0), origin, sizeof origin);
            (void)idbpq__pathf(out, cap, "%s@%s", origin, (const char *)sqlite3_column_text(q, 1));
        }
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* A profile: IndexedDB/ and the storage buckets WebStorage/<id>/IndexedDB/. */
static idbpq_status scan_profile(idbpq_profile *p, const char *dir, const char *label)
{
    char path[4096], ix[4096], id[1024], blob[4096];
    (void)idbpq__pathf(path, sizeof path, "%s/IndexedDB", dir);
    IDBPQ__TRY(scan_indexeddb_dir(p, path, label));
    (void)idbpq__pathf(path, sizeof path, "%s/WebStorage", dir);
    DIR *d = opendir(path);
    if (!d) return IDBPQ_OK;
    struct dirent *e;
    idbpq_status st = IDBPQ_OK;
    while (st == IDBPQ_OK && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        (void)idbpq__pathf(ix, sizeof ix, "%s/%s/IndexedDB", path, e->d_name);
        if (!is_dir(ix)) continue;
        char bl[700];
        bucket_label(path, e->d_name, bl, sizeof bl);
        (void)idbpq__pathf(id, sizeof id, "%s%s", label, bl);
        char ldb[4096];
        (void)idbpq__pathf(ldb, sizeof ldb, "%s/indexeddb.leveldb", ix);
        (void)idbpq__pathf(blob, sizeof blob, "%s/indexeddb.blob", ix);
        if (is_leveldb(ldb))
            st = add_origin(p, id, ldb, is_dir(blob) ? blob : NULL, &idbpq__chromium_ldb_ops);
        else if (is_sqlite_origin(ix))
            st = add_origin(p, id, ix, NULL, &idbpq__chromium_sqlite_ops);
    }
    closedir(d);
    return st;
}

/* Browser profiles inside a user-data dir: Default, Profile N, Guest Profile... (any child
 * with an IndexedDB directory). */
static idbpq_status scan_user_data(idbpq_profile *p, const char *dir, int *found)
{
    DIR *d = opendir(dir);
    if (!d) return IDBPQ_OK;
    struct dirent *e;
    char path[4096];
    const char *names[256];
    int n = 0;
    while ((e = readdir(d)) && n < 256) {
        if (e->d_name[0] == '.') continue;
        (void)idbpq__pathf(path, sizeof path, "%s/%s/IndexedDB", dir, e->d_name);
        char ws[4096];
        (void)idbpq__pathf(ws, sizeof ws, "%s/%s/WebStorage", dir, e->d_name);
        if ((is_dir(path) || is_dir(ws)) &&
            !(names[n++] = idbpq__profile_strdup(p, e->d_name, SIZE_MAX))) {
            closedir(d);
            return IDBPQ_NOMEM;
        }
    }
    closedir(d);
    *found = n;
    idbpq_status st = IDBPQ_OK;
    for (int i = 0; st == IDBPQ_OK && i < n; i++) {
        char label[512];
        (void)idbpq__pathf(path, sizeof path, "%s/%s", dir, names[i]);
        (void)idbpq__pathf(label, sizeof label, "%s/", names[i]);
        st = scan_profile(p, path, n > 1 ? label : "");
    }
    return st;
}

/* Other browsers' IndexedDB, named so that the user knows what was found. */
static const char *foreign_format(const char *path)
{
    char p[4096];
    (void)idbpq__pathf(p, sizeof p, "%s/storage/default", path);
    if (is_dir(p)) return "a Firefox profile (storage/default/<origin>/idb/*.sqlite: SQLite "
                          "schema 26 with SpiderMonkey structured clones)";
    (void)idbpq__pathf(p, sizeof p, "%s/idb", path);
    if (is_dir(p) || strstr(path, "/storage/default/") || has_suffix(path, ".sqlite"))
        return "Firefox IndexedDB (idb/*.sqlite: SQLite schema 26 with SpiderMonkey structured "
               "clones)";
    (void)idbpq__pathf(p, sizeof p, "%s/IndexedDB.sqlite3", path);
    if (is_file(p) || has_suffix(path, "IndexedDB.sqlite3") || strstr(path, "WebsiteData") ||
        strstr(path, "/WebKit/"))
        return "Safari/WebKit IndexedDB (IndexedDB.sqlite3: WebKit's SQLite schema with "
               "WebCore serialization)";
    (void)idbpq__pathf(p, sizeof p, "%s/v1", path);
    if (is_dir(p) && strstr(path, "IndexedDB"))
        return "Safari/WebKit IndexedDB (IndexedDB/v1/<origin>/IndexedDB.sqlite3)";
    return NULL;
}

static int origin_cmp(const void *a, const void *b)
{
    return strcmp(((const struct idbpq__origin *)a)->pub.id,
                  ((const struct idbpq__origin *)b)->pub.id);
}

static idbpq_status discover(idbpq_profile *p, const char *path, idbpq_error *err)
{
    struct stat s;
    if (stat(path, &s) != 0)
        return idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", path, strerror(errno));
    char sub[4096], id[1024];
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    if (S_ISREG(s.st_mode)) {
        if (is_sqlite(path) && sqlite_db_name(base))
            return add_origin(p, base, path, NULL, &idbpq__chromium_sqlite_ops);
    } else if (is_leveldb(path)) {
        /* One origin's LevelDB: its id from the directory name, its blobs beside it. */
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/') n--;
        (void)idbpq__pathf(sub, sizeof sub, "%.*s", (int)n, path);
        const char *b = strrchr(sub, '/');
        b = b ? b + 1 : sub;
        char blob[4096];
        if (has_suffix(sub, ".leveldb")) {
            (void)idbpq__pathf(blob, sizeof blob, "%.*s.blob", (int)(strlen(sub) - 8), sub);
            (void)idbpq__pathf(id, sizeof id, "%.*s", (int)(strlen(b) - 8), b);
            if (has_suffix(id, ".indexeddb")) id[strlen(id) - 10] = 0;
        } else {
            blob[0] = 0;
            (void)idbpq__pathf(id, sizeof id, "%s", b);
        }
        return add_origin(p, id[0] ? id : "origin", sub, blob[0] && is_dir(blob) ? blob : NULL,
                          &idbpq__chromium_ldb_ops);
    } else {
        (void)idbpq__pathf(sub, sizeof sub, "%s/IndexedDB", path);
        char ws[4096];
        (void)idbpq__pathf(ws, sizeof ws, "%s/WebStorage", path);
        int profiles = 0;
        if (is_dir(sub) || is_dir(ws)) {
            IDBPQ__TRY(scan_profile(p, path, ""));
        } else {
            IDBPQ__TRY(scan_user_data(p, path, &profiles));
            if (!profiles) IDBPQ__TRY(scan_indexeddb_dir(p, path, ""));
            if (!p->n_origins && is_sqlite_origin(path))
                IDBPQ__TRY(add_origin(p, base, path, NULL, &idbpq__chromium_sqlite_ops));
        }
        if (p->n_origins || is_dir(sub) || is_dir(ws) || profiles) return IDBPQ_OK;
    }
    const char *other = foreign_format(path);
    if (other)
        return idbpq__verr(err, IDBPQ_UNSUPPORTED, 0, "%s: this is %s, which idbpq does not "
                           "read yet; it reads Chromium's IndexedDB (Chrome, Chromium, Edge, "
                           "Electron apps)", path, other);
    return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "%s: no IndexedDB found (expected a Chromium "
                       "user-data or profile directory, its IndexedDB directory, an "
                       "*.indexeddb.leveldb directory or a SQLite origin directory)", path);
}

idbpq_status idbpq_profile_open(idbpq_profile **out, const char *path,
                                const idbpq_profile_opts *opts, const idbpq_allocator *alc,
                                idbpq_error *err)
{
    if (!out || !path) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    alc = idbpq__alc(alc);
    idbpq_profile *p = idbpq__calloc(alc, sizeof *p);
    if (!p) return IDBPQ_NOMEM;
    p->alc = alc;
    idbpq__arena_init(&p->arena, alc);
    if (opts) memcpy(&p->opts, opts, opts->struct_size < sizeof p->opts ? opts->struct_size
                                                                          : sizeof p->opts);
    idbpq_status st = discover(p, path, err);
    if (st != IDBPQ_OK) {
        idbpq_profile_free(p);
        return st;
    }
    if (p->n_origins) qsort(p->origins, p->n_origins, sizeof *p->origins, origin_cmp);
    /* Each origin's metadata; one that cannot be opened is reported and left out. */
    uint32_t kept = 0;
    for (uint32_t i = 0; i < p->n_origins; i++) {
        struct idbpq__origin *o = &p->origins[i];
        idbpq_error e = {0};
        st = o->ops->open(o, &e);
        if (st == IDBPQ_NOMEM) break;
        if (st != IDBPQ_OK) {
            idbpq__profile_damage(p, o->pub.path, e.offset, "origin %s (%s) cannot be read: %s",
                                  o->pub.id, o->ops->name, e.msg[0] ? e.msg :
                                  idbpq_status_str(st));
            o->ops->close(o);
            continue;
        }
        st = IDBPQ_OK;
        p->origins[kept++] = *o;
    }
    if (st == IDBPQ_NOMEM) {
        idbpq_profile_free(p);
        return idbpq__verr(err, st, 0, "out of memory");
    }
    p->n_origins = kept;
    *out = p;
    return IDBPQ_OK;
}

void idbpq_profile_free(idbpq_profile *p)
{
    if (!p) return;
    for (uint32_t i = 0; i < p->n_origins; i++) p->origins[i].ops->close(&p->origins[i]);
    if (p->tmp_dir) { /* our snapshot copies: files directly inside, nothing else */
        DIR *d = opendir(p->tmp_dir);
        struct dirent *e;
        char f[4096];
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            (void)idbpq__pathf(f, sizeof f, "%s/%s", p->tmp_dir, e->d_name);
            unlink(f);
        }
        if (d) closedir(d);
        rmdir(p->tmp_dir);
        idbpq__free(p->alc, p->tmp_dir, strlen(p->tmp_dir) + 1);
    }
    idbpq__free(p->alc, p->origins, p->cap_origins * sizeof *p->origins);
    idbpq__arena_free(&p->arena);
    idbpq__free(p->alc, p, sizeof *p);
}

uint32_t idbpq_profile_origin_count(const idbpq_profile *p) { return p ? p->n_origins : 0; }

const idbpq_profile_origin *idbpq_profile_origin_at(const idbpq_profile *p, uint32_t i)
{
    return p && i < p->n_origins ? &p->origins[i].pub : NULL;
}

static idbpq_status check_store(idbpq_profile *p, uint32_t origin, uint32_t db, uint32_t store,
                                idbpq_error *err)
{
    if (!p || origin >= p->n_origins || db >= p->origins[origin].pub.n_databases ||
        store >= p->origins[origin].pub.databases[db].n_stores)
        return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "no such origin/database/store");
    return IDBPQ_OK;
}

idbpq_status idbpq_profile_count(idbpq_profile *p, uint32_t origin, uint32_t db, uint32_t store,
                                 uint64_t *records, idbpq_error *err)
{
    IDBPQ__TRY(check_store(p, origin, db, store, err));
    struct idbpq__origin *o = &p->origins[origin];
    return o->ops->count(o, db, store, records, err);
}

struct idbpq_store_cursor {
    struct idbpq__origin *o;
    void *cur;
};

idbpq_status idbpq_store_cursor_open(idbpq_store_cursor **out, idbpq_profile *p,
                                     uint32_t origin, uint32_t db, uint32_t store,
                                     idbpq_error *err)
{
    if (!out) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    IDBPQ__TRY(check_store(p, origin, db, store, err));
    idbpq_store_cursor *c = idbpq__calloc(p->alc, sizeof *c);
    if (!c) return IDBPQ_NOMEM;
    c->o = &p->origins[origin];
    idbpq_status st = c->o->ops->cursor_open(c->o, db, store, &c->cur, err);
    if (st != IDBPQ_OK) {
        idbpq__free(p->alc, c, sizeof *c);
        return st;
    }
    *out = c;
    return IDBPQ_OK;
}

idbpq_status idbpq_store_cursor_next(idbpq_store_cursor *c, idbpq_vbatch *b, idbpq_value **key,
                                     idbpq_value **value, idbpq_error *err)
{
    if (!c || !b || !key || !value) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    return c->o->ops->cursor_next(c->cur, b, key, value, err);
}

idbpq_status idbpq_store_cursor_next_stamp(idbpq_store_cursor *c, idbpq_vbatch *b,
                                           idbpq_value **key, uint64_t *stamp,
                                           idbpq_error *err)
{
    if (!c || !b || !key || !stamp) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    if (!c->o->ops->cursor_next_stamp)
        return idbpq__verr(err, IDBPQ_UNSUPPORTED, 0, "the %s backend keeps no write stamps",
                           c->o->ops->name);
    return c->o->ops->cursor_next_stamp(c->cur, b, key, stamp, err);
}

idbpq_status idbpq_store_cursor_value(idbpq_store_cursor *c, idbpq_vbatch *b,
                                      idbpq_value **value, idbpq_error *err)
{
    if (!c || !b || !value) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    if (!c->o->ops->cursor_value)
        return idbpq__verr(err, IDBPQ_UNSUPPORTED, 0, "the %s backend keeps no write stamps",
                           c->o->ops->name);
    return c->o->ops->cursor_value(c->cur, b, value, err);
}

uint64_t idbpq_store_cursor_bytes(const idbpq_store_cursor *c)
{
    return c ? c->o->ops->cursor_bytes(c->cur) : 0;
}

void idbpq_store_cursor_free(idbpq_store_cursor *c)
{
    if (!c) return;
    c->o->ops->cursor_free(c->cur);
    idbpq__free(c->o->profile->alc, c, sizeof *c);
}
