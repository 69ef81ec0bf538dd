/*
 * ldbr_db.c — opening a LevelDB directory read-only: CURRENT names the MANIFEST; its replay
 * gives the live tables and the first log not yet in a table; every live table is opened
 * (its descriptor keeps it readable if a compaction deletes it later) and its footer checked;
 * the logs are read into the memtable. A running LevelDB may move on while this happens: a
 * file the MANIFEST names that is gone, or a CURRENT that changed meanwhile, starts again.
 */
#include "stores/ldbr_int.h"
#include "value/value.h" /* idbpq__verr */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define ATTEMPTS 4
#define RETRY IDBPQ_MORE /* within open() only: a file vanished, start again */

idbpq_status ldbr_read_all(int fd, const char *path, const idbpq_allocator *alc, uint8_t **out,
                           size_t *n, idbpq_error *err)
{
    struct stat sb;
    *out = NULL;
    *n = 0;
    if (fstat(fd, &sb) != 0)
        return idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", path, strerror(errno));
    if ((uint64_t)sb.st_size > SIZE_MAX / 2)
        return idbpq__verr(err, IDBPQ_LIMIT, 0, "%s: too large", path);
    size_t size = (size_t)sb.st_size, got = 0;
    uint8_t *p = idbpq__malloc(alc, size ? size : 1);
    if (!p) return idbpq__verr(err, IDBPQ_NOMEM, 0, "%s: out of memory", path);
    while (got < size) { /* a log being appended to: what was there at fstat time */
        ssize_t r = pread(fd, p + got, size - got, (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            idbpq__free(alc, p, size ? size : 1);
            return idbpq__verr(err, IDBPQ_IO, got, "%s: read at offset %zu: %s", path, got,
                               strerror(errno));
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    if (got < size) { /* shrank meanwhile: keep the allocation's size right for free() */
        memset(p + got, 0, size - got);
    }
    *out = p;
    *n = size;
    return IDBPQ_OK;
}

static char *join(const idbpq_allocator *alc, const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *s = idbpq__malloc(alc, a + b + 2);
    if (!s) return NULL;
    memcpy(s, dir, a);
    s[a] = '/';
    memcpy(s + a + 1, name, b + 1);
    return s;
}

static void free_str(const idbpq_allocator *alc, char *s)
{
    if (s) idbpq__free(alc, s, strlen(s) + 1);
}

/* Reads dir/name whole; a missing file gives RETRY (*path is set in every case). */
static idbpq_status read_file(idbpq__ldbr *db, const char *name, uint8_t **p, size_t *n,
                              char **path, idbpq_error *err)
{
    *path = join(db->alc, db->dir, name);
    if (!*path) return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    int fd = open(*path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return RETRY;
        return idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", *path, strerror(errno));
    }
    idbpq_status st = ldbr_read_all(fd, *path, db->alc, p, n, err);
    close(fd);
    return st;
}

/* CURRENT's contents: "MANIFEST-<number>\n". */
static idbpq_status read_current(idbpq__ldbr *db, char *name, size_t cap, idbpq_error *err)
{
    uint8_t *p;
    size_t n;
    char *path;
    idbpq_status st = read_file(db, "CURRENT", &p, &n, &path, err);
    if (st == RETRY)
        st = idbpq__verr(err, IDBPQ_IO, 0, "%s: no such file (not a LevelDB directory?)", path);
    if (st == IDBPQ_OK) {
        int ok = n > 10 && n < cap && p[n - 1] == '\n' && memcmp(p, "MANIFEST-", 9) == 0;
        for (size_t i = 9; ok && i + 1 < n; i++) ok = p[i] >= '0' && p[i] <= '9';
        if (ok) {
            memcpy(name, p, n - 1);
            name[n - 1] = 0;
        } else {
            st = idbpq__verr(err, IDBPQ_CORRUPT, 0, "%s: does not name a MANIFEST", path);
        }
        idbpq__free(db->alc, p, n ? n : 1);
    }
    free_str(db->alc, path);
    return st;
}

static void close_tables(idbpq__ldbr *db)
{
    for (size_t i = 0; i < db->ntabs; i++) {
        struct ldbr_table *t = &db->tabs[i];
        if (t->fd >= 0) close(t->fd);
        free_str(db->alc, t->path);
        idbpq__free(db->alc, t->smallest, t->sn + t->ln);
    }
    idbpq__free(db->alc, db->tabs, db->ntabs * sizeof *db->tabs);
    db->tabs = NULL;
    db->ntabs = 0;
    memset(db->lvl_start, 0, sizeof db->lvl_start);
    memset(db->lvl_n, 0, sizeof db->lvl_n);
}

/* Level 0 newest first; deeper levels by smallest key (their files do not overlap). */
static int tab_before(const idbpq__ldbr *db, const struct ldbr_table *a, const struct ldbr_table *b)
{
    if (a->level != b->level) return a->level < b->level;
    if (a->level == 0) return a->number > b->number;
    return ldbr_icmp(db->o.cmp, a->smallest, a->sn - 8, idbpq__le64(a->smallest + a->sn - 8),
                     b->smallest, b->sn - 8, idbpq__le64(b->smallest + b->sn - 8)) < 0;
}

static void sift(const idbpq__ldbr *db, struct ldbr_table *a, size_t i, size_t n)
{
    for (;;) {
        size_t l = 2 * i + 1, m;
        if (l >= n) return;
        m = l + 1 < n && tab_before(db, &a[l], &a[l + 1]) ? l + 1 : l;
        if (!tab_before(db, &a[i], &a[m])) return;
        struct ldbr_table tmp = a[i];
        a[i] = a[m];
        a[m] = tmp;
        i = m;
    }
}

/* Heap sort: no recursion, no allocation, a comparator with context. */
static void sort_tables(idbpq__ldbr *db)
{
    struct ldbr_table *a = db->tabs;
    size_t n = db->ntabs;
    for (size_t i = n / 2; i-- > 0;) sift(db, a, i, n);
    for (size_t end = n; end > 1; end--) {
        struct ldbr_table tmp = a[0];
        a[0] = a[end - 1];
        a[end - 1] = tmp;
        sift(db, a, 0, end - 1);
    }
    for (size_t i = 0; i < n; i++) {
        int l = a[i].level;
        if (!db->lvl_n[l]) db->lvl_start[l] = i;
        db->lvl_n[l]++;
    }
}

static idbpq_status open_table(idbpq__ldbr *db, struct ldbr_table *t, idbpq_error *err)
{
    char name[40];
    snprintf(name, sizeof name, "%06llu.ldb", (unsigned long long)t->number);
    t->path = join(db->alc, db->dir, name);
    if (!t->path) return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
    if (t->fd < 0 && errno == ENOENT) {
        char *sst = join(db->alc, db->dir, name);
        if (!sst) return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
        memcpy(sst + strlen(sst) - 3, "sst", 3);
        t->fd = open(sst, O_RDONLY | O_CLOEXEC);
        if (t->fd >= 0 || errno != ENOENT) {
            free_str(db->alc, t->path);
            t->path = sst;
        } else {
            free_str(db->alc, sst);
            errno = ENOENT;
        }
    }
    if (t->fd < 0) {
        if (errno == ENOENT && !db->last_try) return RETRY;
        if (errno == ENOENT) { /* still gone: read the rest, its key range is a hole */
            t->bad = 1;
            ldbr_damage(&db->env, t->path, 0, "table file named by the MANIFEST is missing");
            return IDBPQ_OK;
        }
        return idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", t->path, strerror(errno));
    }
    struct stat sb;
    uint8_t f[LDBR_FOOTER];
    if (fstat(t->fd, &sb) != 0)
        return idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", t->path, strerror(errno));
    t->size = (uint64_t)sb.st_size;
    const char *what = NULL;
    if (t->size < LDBR_FOOTER)
        what = "table too short for a footer";
    else if (pread(t->fd, f, LDBR_FOOTER, (off_t)(t->size - LDBR_FOOTER)) != LDBR_FOOTER)
        return idbpq__verr(err, IDBPQ_IO, t->size - LDBR_FOOTER, "%s: cannot read the footer",
                           t->path);
    else
        what = ldbr_footer(f, t->size, &t->ioff, &t->isize);
    if (what) {
        t->bad = 1;
        ldbr_damage(&db->env, t->path, t->size < LDBR_FOOTER ? 0 : t->size - LDBR_FOOTER, what);
    }
    return IDBPQ_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The logs to replay: numbers >= log_number, and prev_log_number, in number order. */
static idbpq_status read_logs(idbpq__ldbr *db, const struct idbpq__ldbr_version *v,
                              idbpq_error *err)
{
    DIR *d = opendir(db->dir);
    if (!d) return idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", db->dir, strerror(errno));
    uint64_t *nums = NULL;
    size_t n = 0, cap = 0;
    int have_current_log = v->log_number == 0;
    idbpq_status st = IDBPQ_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *s = de->d_name;
        size_t len = strlen(s), i = 0;
        uint64_t num = 0;
        while (i < len && i < 19 && s[i] >= '0' && s[i] <= '9') num = num * 10 + (uint64_t)(s[i++] - '0');
        if (i == 0 || strcmp(s + i, ".log") != 0) continue;
        if (num < v->log_number && num != v->prev_log_number) continue;
        if (num == v->log_number) have_current_log = 1;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            uint64_t *nn = idbpq__realloc(db->alc, nums, cap * sizeof *nn, nc * sizeof *nn);
            if (!nn) { st = idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory"); break; }
            nums = nn;
            cap = nc;
        }
        nums[n++] = num;
    }
    closedir(d);
    if (st == IDBPQ_OK && !have_current_log) {
        if (!db->last_try) {
            st = RETRY;
        } else {
            char name[40], *path;
            snprintf(name, sizeof name, "%06llu.log", (unsigned long long)v->log_number);
            path = join(db->alc, db->dir, name);
            ldbr_damage(&db->env, path ? path : name, 0, "log named by the MANIFEST is missing");
            free_str(db->alc, path);
        }
    }
    if (n) qsort(nums, n, sizeof *nums, cmp_u64);
    for (size_t i = 0; st == IDBPQ_OK && i < n; i++) {
        char name[40], *path;
        uint8_t *p;
        size_t pn;
        snprintf(name, sizeof name, "%06llu.log", (unsigned long long)nums[i]);
        st = read_file(db, name, &p, &pn, &path, err);
        if (st == RETRY && db->last_try) {
            ldbr_damage(&db->env, path, 0, "log file disappeared while being opened");
            st = IDBPQ_OK;
        } else if (st == IDBPQ_OK) {
            st = ldbr_mem_add_log(&db->mem, p, pn, path, &db->env, err);
        }
        free_str(db->alc, path);
    }
    idbpq__free(db->alc, nums, cap * sizeof *nums);
    return st;
}

static idbpq_status attempt(idbpq__ldbr *db, idbpq_error *err)
{
    char cur[256], again[256], *path = NULL;
    uint8_t *p = NULL;
    size_t n = 0;
    IDBPQ__TRY(read_current(db, cur, sizeof cur, err));
    idbpq_status st = read_file(db, cur, &p, &n, &path, err);
    struct idbpq__ldbr_version v;
    memset(&v, 0, sizeof v);
    if (st == IDBPQ_OK)
        st = idbpq__ldbr_manifest_replay(p, n, path, &v, db->env.damage, db->env.damage_ctx,
                                         db->alc, err);
    if (st == IDBPQ_OK && db->o.cmp_name && v.comparator && strcmp(v.comparator, db->o.cmp_name))
        st = idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "%s: comparator is %s, not %s", cur,
                         v.comparator, db->o.cmp_name);
    if (st == IDBPQ_OK && v.nfiles) {
        db->tabs = idbpq__calloc(db->alc, v.nfiles * sizeof *db->tabs);
        if (!db->tabs) st = idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    }
    for (size_t i = 0; st == IDBPQ_OK && i < v.nfiles; i++) {
        const struct idbpq__ldbr_file *f = &v.files[i];
        struct ldbr_table *t = &db->tabs[db->ntabs++];
        t->fd = -1;
        t->level = f->level;
        t->number = f->number;
        t->smallest = idbpq__malloc(db->alc, f->sn + f->ln);
        if (!t->smallest) { st = idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory"); break; }
        memcpy(t->smallest, f->smallest, f->sn);
        t->largest = t->smallest + f->sn;
        memcpy(t->largest, f->largest, f->ln);
        t->sn = f->sn;
        t->ln = f->ln;
        st = open_table(db, t, err);
    }
    if (st == IDBPQ_OK) sort_tables(db);
    if (st == IDBPQ_OK) st = read_logs(db, &v, err);
    idbpq__ldbr_version_free(&v);
    if (st == IDBPQ_OK) st = read_current(db, again, sizeof again, err);
    if (st == IDBPQ_OK && strcmp(cur, again) != 0) st = RETRY;
    if (st == IDBPQ_OK) st = ldbr_mem_sort(&db->mem, db->o.cmp);
    if (st == IDBPQ_NOMEM) idbpq__verr(err, st, 0, "out of memory");
    if (p) idbpq__free(db->alc, p, n ? n : 1);
    free_str(db->alc, path);
    return st;
}

static void reset(idbpq__ldbr *db)
{
    close_tables(db);
    ldbr_mem_free(&db->mem);
    ldbr_mem_init(&db->mem, db->alc);
}

idbpq_status idbpq__ldbr_open(idbpq__ldbr **out, const char *dir,
                              const struct idbpq__ldbr_opts *o, idbpq_error *err)
{
    *out = NULL;
    const idbpq_allocator *alc = idbpq__alc(o ? o->alc : NULL);
    idbpq__ldbr *db = idbpq__calloc(alc, sizeof *db);
    if (!db) return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    if (o) db->o = *o;
    db->alc = alc;
    db->dir = idbpq__strndup(alc, dir, SIZE_MAX);
    db->env.cmp = db->o.cmp;
    db->env.alc = alc;
    db->env.damage = db->o.damage;
    db->env.damage_ctx = db->o.damage_ctx;
    db->env.bytes_read = &db->bytes_read;
    ldbr_mem_init(&db->mem, alc);
    idbpq_status st = db->dir ? RETRY : idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    for (int i = 0; st == RETRY && i < ATTEMPTS; i++) {
        if (i) reset(db);
        db->last_try = i == ATTEMPTS - 1;
        st = attempt(db, err);
    }
    if (st == RETRY) /* CURRENT or the MANIFEST it names keeps changing or vanishing */
        st = idbpq__verr(err, IDBPQ_IO, 0,
                         "%s: CURRENT and its MANIFEST keep changing (%d attempts)", dir,
                         ATTEMPTS);
    if (st != IDBPQ_OK) {
        idbpq__ldbr_close(db);
        return st;
    }
    *out = db;
    return IDBPQ_OK;
}

void idbpq__ldbr_close(idbpq__ldbr *db)
{
    if (!db) return;
    idbpq__ldbr_iter_free(db->get_it);
    close_tables(db);
    ldbr_mem_free(&db->mem);
    free_str(db->alc, db->dir);
    idbpq__free(db->alc, db, sizeof *db);
}

uint64_t idbpq__ldbr_bytes_read(const idbpq__ldbr *db)
{
    return __atomic_load_n(&db->bytes_read, __ATOMIC_RELAXED);
}

idbpq_status idbpq__ldbr_get(idbpq__ldbr *db, const uint8_t *key, size_t n, idbpq_buffer *out,
                             idbpq_error *err)
{
    if (!db->get_it) IDBPQ__TRY(idbpq__ldbr_iter_create(db, &db->get_it, err));
    idbpq__ldbr_iter *it = db->get_it;
    idbpq_status st = idbpq__ldbr_iter_seek(it, key, n, err);
    if (st == IDBPQ_OK) {
        size_t kn, vn;
        const uint8_t *k = idbpq__ldbr_iter_key(it, &kn), *v = idbpq__ldbr_iter_value(it, &vn);
        if (ldbr_ucmp(db->o.cmp, k, kn, key, n) != 0) {
            st = IDBPQ_END;
        } else { /* idbpq_buffer has idbpq__buf's layout (common/buffer.c) */
            struct idbpq__buf b = {out->data, out->len, out->cap, idbpq__alc(out->alc)};
            st = idbpq__buf_append(&b, v, vn);
            out->data = b.p;
            out->len = b.len;
            out->cap = b.cap;
        }
    }
    return st;
}

/* Where in t the user key k falls: 0 before it, its size after it, else its block's offset. */
static idbpq_status key_offset(struct ldbr_tabit *ti, const uint8_t *k, size_t n, int is_hi,
                               uint64_t *off, idbpq_error *err)
{
    const struct ldbr_table *t = ti->t;
    idbpq__ldbr_cmp_fn cmp = ti->e->cmp;
    if (!k) {
        *off = is_hi ? t->size : 0;
        return IDBPQ_OK;
    }
    if (ldbr_ucmp(cmp, k, n, t->smallest, t->sn - 8) <= 0) {
        *off = 0;
        return IDBPQ_OK;
    }
    if (ldbr_ucmp(cmp, k, n, t->largest, t->ln - 8) > 0) {
        *off = t->size;
        return IDBPQ_OK;
    }
    return ldbr_tabit_offset(ti, k, n, off, err);
}

idbpq_status idbpq__ldbr_approx_size(idbpq__ldbr *db, const uint8_t *lo, size_t lon,
                                     const uint8_t *hi, size_t hin, uint64_t *bytes,
                                     idbpq_error *err)
{
    *bytes = 0;
    struct ldbr_tabit ti;
    ldbr_tabit_init(&ti, &db->env, 0);
    idbpq_status st = IDBPQ_OK;
    for (size_t i = 0; st == IDBPQ_OK && i < db->ntabs; i++) {
        struct ldbr_table *t = &db->tabs[i];
        struct ldbr_src src = {NULL, t->fd, t->size, t->path};
        uint64_t a = 0, b = 0;
        ldbr_tabit_reset(&ti, t, &src, 0);
        st = key_offset(&ti, lo, lon, 0, &a, err);
        if (st == IDBPQ_OK) st = key_offset(&ti, hi, hin, 1, &b, err);
        if (st == IDBPQ_OK && b > a) *bytes += b - a;
    }
    ldbr_tabit_free(&ti);
    /* The logs' share: their entries in [lo, hi), as they would be stored. */
    size_t from = lo ? ldbr_mem_seek(&db->mem, db->o.cmp, lo, lon, LDBR_SEEK_TAG) : 0;
    size_t to = hi ? ldbr_mem_seek(&db->mem, db->o.cmp, hi, hin, LDBR_SEEK_TAG) : db->mem.n;
    for (size_t i = from; i < to; i++) *bytes += db->mem.e[i].kn + db->mem.e[i].vn + 8;
    return st;
}
