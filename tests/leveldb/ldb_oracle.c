/*
 * ldb_oracle.c — the LevelDB reader (src/stores/leveldb.h) against Debian's libleveldb.
 *
 * Usage: ldb_oracle WORKDIR SEED...   For every seed and both comparators (bytewise, and
 * "idb_cmp1" over Chromium IndexedDB keys compared by idbpq_idb_cmp1), it builds a database
 * with libleveldb (small write buffer and blocks: many tables on several levels; snappy on or
 * off; overwrites, deletions, values past 100 KB, compactions of part of the range, and last
 * writes left in the log), copies it (libleveldb writes when it opens), and compares:
 *   - a full scan with our reader (original directory) against libleveldb's (the copy);
 *   - random seeks (the next entries) and gets;
 *   - damage: a log cut mid-record (against libleveldb on the cut copy, which drops the tail
 *     silently), a flipped byte in a table's first data block and a broken table footer
 *     (every entry shown must equal libleveldb's on the intact copy, the entries missing must
 *     lie in the damaged block's or table's range), each reported with file and offset;
 *   - a read while libleveldb holds the directory's LOCK.
 * Prints TAP lines "ok - leveldb ..." / "not ok - leveldb ...". Exit 0 unless it cannot run.
 * `ldb_oracle --seeds WORKDIR OUTDIR` writes the seed corpus of fuzz/fuzz_leveldb.c instead.
 */
#include "idbpq.h"
#include "stores/ldbr_int.h"

#include <dirent.h>
#include <leveldb/c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t rng;
static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int use_idb;
static int cmp_idb(void *st, const char *a, size_t an, const char *b, size_t bn)
{
    (void)st;
    return idbpq_idb_cmp1((const uint8_t *)a, an, (const uint8_t *)b, bn);
}
static const char *name_idb(void *st) { (void)st; return "idb_cmp1"; }
static void destroy(void *st) { (void)st; }
static int ucmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    return ldbr_ucmp(use_idb ? idbpq_idb_cmp1 : NULL, a, an, b, bn);
}

/* Key number i as a user key: "k<hex>" + a tail, or a Chromium object-store data key. */
static size_t make_key(uint32_t i, uint8_t *out)
{
    if (!use_idb) return (size_t)sprintf((char *)out, "k%06x%.*s", i, (int)(i % 7), "-------");
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    uint8_t pre[4] = {0, 1, 1, 1};
    idbpq_key k;
    char s[16];
    if (i % 3 == 0) {
        int n = sprintf(s, "s%05u", i);
        k.type = IDBPQ_KEY_STRING;
        k.u.str.data = s;
        k.u.str.len = (uint32_t)n;
        k.u.str.two_byte = 0;
    } else {
        k.type = IDBPQ_KEY_NUMBER;
        k.u.number = (double)i * 1.5 - 1000;
    }
    idbpq_key_encode_leveldb(&k, &b);
    memcpy(out, pre, 4);
    memcpy(out + 4, b.data, b.len);
    size_t n = 4 + b.len;
    idbpq_buffer_free(&b);
    return n;
}

static size_t make_value(uint8_t *v, uint32_t i)
{
    size_t n = rnd() % 300;
    if (rnd() % 400 == 0) n = 100000 + rnd() % 60000;
    for (size_t j = 0; j < n; j++) v[j] = (uint8_t)(j % 13 < 9 ? 'a' + (i + j / 13) % 26 : rnd());
    return n;
}

/* ---- entries ----------------------------------------------------------------------------- */

struct ent { uint8_t *k, *v; size_t kn, vn; };
struct list { struct ent *e; size_t n, cap; };

static void list_add(struct list *l, const void *k, size_t kn, const void *v, size_t vn)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->e = realloc(l->e, l->cap * sizeof *l->e);
    }
    struct ent *e = &l->e[l->n++];
    e->k = malloc(kn + 1);
    e->v = malloc(vn + 1);
    memcpy(e->k, k, kn);
    memcpy(e->v, v, vn);
    e->kn = kn;
    e->vn = vn;
}

static void list_free(struct list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->e[i].k), free(l->e[i].v);
    free(l->e);
    memset(l, 0, sizeof *l);
}

static leveldb_options_t *options(int create, int snappy)
{
    leveldb_options_t *o = leveldb_options_create();
    leveldb_options_set_create_if_missing(o, create);
    leveldb_options_set_compression(o, snappy ? leveldb_snappy_compression : leveldb_no_compression);
    leveldb_options_set_write_buffer_size(o, 64 * 1024);
    leveldb_options_set_block_size(o, 1024);
    leveldb_options_set_max_file_size(o, 48 * 1024);
    if (use_idb)
        leveldb_options_set_comparator(o, leveldb_comparator_create(NULL, destroy, cmp_idb, name_idb));
    return o;
}

static void ldb_scan(leveldb_t *db, struct list *out)
{
    leveldb_readoptions_t *ro = leveldb_readoptions_create();
    leveldb_iterator_t *it = leveldb_create_iterator(db, ro);
    for (leveldb_iter_seek_to_first(it); leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t kn, vn;
        const char *k = leveldb_iter_key(it, &kn), *v = leveldb_iter_value(it, &vn);
        list_add(out, k, kn, v, vn);
    }
    leveldb_iter_destroy(it);
    leveldb_readoptions_destroy(ro);
}

static leveldb_t *ldb_open(const char *dir, int snappy)
{
    char *err = NULL;
    leveldb_options_t *o = options(0, snappy);
    leveldb_t *db = leveldb_open(o, dir, &err);
    if (err) fprintf(stderr, "# leveldb_open %s: %s\n", dir, err), free(err);
    leveldb_options_destroy(o); /* the comparator stays: the db uses it */
    return db;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

/* ---- our reader ------------------------------------------------------------------------ */

struct dmg { char file[256]; uint64_t off; char what[96]; };
static struct dmg dmgs[64];
static int ndmg;
static void on_damage(void *ctx, const char *file, uint64_t off, const char *what)
{
    (void)ctx;
    if (ndmg < 64) {
        const char *b = strrchr(file, '/');
        snprintf(dmgs[ndmg].file, sizeof dmgs[ndmg].file, "%s", b ? b + 1 : file);
        dmgs[ndmg].off = off;
        snprintf(dmgs[ndmg].what, sizeof dmgs[ndmg].what, "%s", what);
    }
    ndmg++;
}

static idbpq__ldbr *our_open(const char *dir)
{
    struct idbpq__ldbr_opts o;
    memset(&o, 0, sizeof o);
    o.cmp = use_idb ? idbpq_idb_cmp1 : NULL;
    o.cmp_name = use_idb ? "idb_cmp1" : "leveldb.BytewiseComparator";
    o.damage = on_damage;
    ndmg = 0;
    idbpq__ldbr *db = NULL;
    idbpq_error err;
    if (idbpq__ldbr_open(&db, dir, &o, &err) != IDBPQ_OK)
        printf("# our open %s: %s\n", dir, err.msg);
    return db;
}

/* Compares our scan of dir with want. Exact: every entry; else ours must be a subsequence of
 * want with equal values, the missing keys within [lo, hi] (user keys). Returns mismatches. */
static long compare_scan(idbpq__ldbr *db, const struct list *want, int exact, const uint8_t *lo,
                         size_t lon, const uint8_t *hi, size_t hin, size_t *missing, size_t *got)
{
    idbpq__ldbr_iter *it;
    idbpq_error err;
    long bad = 0;
    size_t j = 0;
    *missing = *got = 0;
    if (idbpq__ldbr_iter_create(db, &it, &err) != IDBPQ_OK) return -1;
    idbpq_status st = idbpq__ldbr_iter_seek(it, NULL, 0, &err);
    for (; st == IDBPQ_OK; st = idbpq__ldbr_iter_next(it, &err)) {
        size_t kn, vn;
        const uint8_t *k = idbpq__ldbr_iter_key(it, &kn), *v = idbpq__ldbr_iter_value(it, &vn);
        (*got)++;
        while (!exact && j < want->n && ucmp(want->e[j].k, want->e[j].kn, k, kn) < 0) {
            const struct ent *m = &want->e[j];
            if ((lo && ucmp(m->k, m->kn, lo, lon) < 0) || ucmp(m->k, m->kn, hi, hin) > 0) {
                if (bad++ < 3) printf("#   missing outside the damaged range: entry %zu\n", j);
            }
            (*missing)++;
            j++;
        }
        if (j >= want->n || want->e[j].kn != kn || memcmp(want->e[j].k, k, kn) ||
            want->e[j].vn != vn || memcmp(want->e[j].v, v, vn)) {
            if (bad++ < 3) printf("#   entry %zu differs (ours %zu-byte key, %zu-byte value)\n", j, kn, vn);
            if (j < want->n && ucmp(want->e[j].k, want->e[j].kn, k, kn) < 0) j++;
            continue;
        }
        j++;
    }
    if (st != IDBPQ_END) printf("#   scan stopped: %s\n", err.msg), bad++;
    if (exact && j != want->n) bad++, printf("#   %zu entries, want %zu\n", *got, want->n);
    *missing += want->n - j;
    idbpq__ldbr_iter_free(it);
    return bad;
}

static long seeks_and_gets(idbpq__ldbr *db, leveldb_t *ref, uint32_t nkeys, int *nseek)
{
    long bad = 0;
    leveldb_readoptions_t *ro = leveldb_readoptions_create();
    leveldb_iterator_t *li = leveldb_create_iterator(ref, ro);
    idbpq__ldbr_iter *it;
    idbpq_error err;
    idbpq_buffer out;
    idbpq_buffer_init(&out, NULL);
    if (idbpq__ldbr_iter_create(db, &it, &err) != IDBPQ_OK) return 1;
    uint8_t key[64];
    for (int s = 0; s < 300; s++) {
        size_t kn = make_key((uint32_t)(rnd() % (nkeys + 50)), key);
        leveldb_iter_seek(li, (const char *)key, kn);
        idbpq_status st = idbpq__ldbr_iter_seek(it, key, kn, &err);
        for (int step = 0; step < 4; step++) {
            int lv = leveldb_iter_valid(li);
            if (lv != (st == IDBPQ_OK)) { bad++; break; }
            if (!lv) break;
            size_t a, b, av, bv;
            const char *lk = leveldb_iter_key(li, &a), *lvv = leveldb_iter_value(li, &av);
            const uint8_t *ok = idbpq__ldbr_iter_key(it, &b), *ov = idbpq__ldbr_iter_value(it, &bv);
            if (a != b || memcmp(lk, ok, a) || av != bv || memcmp(lvv, ov, av)) { bad++; break; }
            leveldb_iter_next(li);
            st = idbpq__ldbr_iter_next(it, &err);
        }
        /* gets */
        char *lerr = NULL;
        size_t vn;
        char *v = leveldb_get(ref, ro, (const char *)key, kn, &vn, &lerr);
        out.len = 0;
        st = idbpq__ldbr_get(db, key, kn, &out, &err);
        if ((v != NULL) != (st == IDBPQ_OK) || (v && (vn != out.len || memcmp(v, out.data, vn))))
            bad++;
        leveldb_free(v);
    }
    *nseek = 300;
    idbpq_buffer_free(&out);
    idbpq__ldbr_iter_free(it);
    leveldb_iter_destroy(li);
    leveldb_readoptions_destroy(ro);
    return bad;
}

/* ---- building ------------------------------------------------------------------------------ */

static uint32_t build(const char *dir, int snappy, uint32_t nops)
{
    char *err = NULL;
    leveldb_options_t *o = options(1, snappy);
    leveldb_t *db = leveldb_open(o, dir, &err);
    if (err) { printf("# leveldb_open: %s\n", err); exit(2); }
    leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
    uint32_t nkeys = nops / 2;
    static uint8_t v[200000];
    uint8_t k[64], k2[64];
    for (uint32_t i = 0; i < nops + 300; i++) {
        uint32_t id = (uint32_t)(rnd() % nkeys);
        size_t kn = make_key(id, k);
        if (rnd() % 10 == 0) {
            leveldb_delete(db, wo, (const char *)k, kn, &err);
        } else if (rnd() % 8 == 0) { /* a batch of several */
            leveldb_writebatch_t *b = leveldb_writebatch_create();
            for (int j = 0; j < 5; j++) {
                size_t n2 = make_key((uint32_t)(rnd() % nkeys), k2);
                size_t vn = make_value(v, id + (uint32_t)j);
                if (j == 3) leveldb_writebatch_delete(b, (const char *)k2, n2);
                else leveldb_writebatch_put(b, (const char *)k2, n2, (const char *)v, vn);
            }
            leveldb_write(db, wo, b, &err);
            leveldb_writebatch_destroy(b);
        } else {
            size_t vn = make_value(v, id);
            leveldb_put(db, wo, (const char *)k, kn, (const char *)v, vn, &err);
        }
        if (err) { printf("# leveldb write: %s\n", err); exit(2); }
        if (i == nops / 2 || i == nops * 3 / 4) { /* part of the range down a level or more */
            size_t a = make_key(nkeys / 4, k), b = make_key(nkeys / 2, k2);
            leveldb_compact_range(db, (const char *)k, a, (const char *)k2, b);
        }
    }
    leveldb_close(db);
    leveldb_writeoptions_destroy(wo);
    leveldb_options_destroy(o);
    return nkeys;
}

static uint64_t newest_log(const char *dir, char *name, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    uint64_t best = 0;
    while (d && (de = readdir(d))) {
        unsigned long long n;
        char ext[8];
        if (sscanf(de->d_name, "%llu.%3s", &n, ext) == 2 && strcmp(ext, "log") == 0 && n >= best) {
            best = n;
            snprintf(name, cap, "%s", de->d_name);
        }
    }
    if (d) closedir(d);
    return best;
}

static uint64_t last_rec;
static idbpq_status on_rec(void *ctx, const uint8_t *d, size_t n, uint64_t off)
{
    (void)ctx, (void)d, (void)n;
    last_rec = off;
    return IDBPQ_OK;
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(*n + 1);
    if (fread(p, 1, *n, f) != *n) *n = 0;
    fclose(f);
    return p;
}

static int has_damage(const char *file, uint64_t off)
{
    for (int i = 0; i < ndmg && i < 64; i++)
        if (strcmp(dmgs[i].file, file) == 0 && dmgs[i].off == off) return 1;
    return 0;
}

static void print_damage(void)
{
    for (int i = 0; i < ndmg && i < 5; i++)
        printf("#   reported: %s at %llu: %s\n", dmgs[i].file, (unsigned long long)dmgs[i].off,
               dmgs[i].what);
}

static void run(const char *work, uint64_t seed, int idb, int snappy)
{
    char dir[900], copy[1024], dmg[1024], path[2048], logname[300];
    const char *cname = idb ? "idb_cmp1" : "bytewise";
    const char *zname = snappy ? "snappy" : "uncompressed";
    rng = seed * 1000 + (uint64_t)idb * 10 + (uint64_t)snappy;
    use_idb = idb;
    snprintf(dir, sizeof dir, "%s/db-%llu-%s-%s", work, (unsigned long long)seed, cname, zname);
    snprintf(copy, sizeof copy, "%s.copy", dir);
    snprintf(dmg, sizeof dmg, "%s.dmg", dir);
    uint32_t nops = 12000 + (uint32_t)(seed % 5) * 3000;
    uint32_t nkeys = build(dir, snappy, nops);
    sh("cp -r '%s' '%s'", dir, copy);

    /* 1. full scan, seeks, gets */
    struct list want = {0};
    leveldb_t *ref = ldb_open(copy, snappy);
    if (!ref) { printf("not ok - leveldb oracle seed %llu %s %s: libleveldb cannot open the copy\n", (unsigned long long)seed, cname, zname); return; }
    ldb_scan(ref, &want);
    idbpq__ldbr *db = our_open(dir);
    if (!db) { printf("not ok - leveldb oracle seed %llu %s %s: open failed\n", (unsigned long long)seed, cname, zname); leveldb_close(ref); list_free(&want); return; }
    size_t missing, got;
    long bad = compare_scan(db, &want, 1, NULL, 0, NULL, 0, &missing, &got);
    int nseek = 0, levels = 0;
    bad += seeks_and_gets(db, ref, nkeys, &nseek);
    for (int l = 0; l < 8; l++) levels += db->lvl_n[l] > 0;
    uint64_t approx = 0;
    idbpq_error err;
    if (idbpq__ldbr_approx_size(db, NULL, 0, NULL, 0, &approx, &err) != IDBPQ_OK || approx == 0) bad++;
    printf("%s - leveldb oracle seed %llu %s %s: %zu entries, %zu tables on %d levels, %zu log entries, %d seeks+gets, %ld mismatches, %d damage reports, %llu bytes read\n",
           bad || ndmg ? "not ok" : "ok", (unsigned long long)seed, cname, zname, want.n,
           db->ntabs, levels, db->mem.n, nseek, bad, ndmg,
           (unsigned long long)idbpq__ldbr_bytes_read(db));
    if (ndmg) print_damage();

    /* 2. a log cut mid-record: as libleveldb sees the cut copy */
    newest_log(dir, logname, sizeof logname);
    sh("rm -rf '%s'; cp -r '%s' '%s'", dmg, dir, dmg);
    snprintf(path, sizeof path, "%s/%s", dmg, logname);
    size_t ln;
    uint8_t *lb = slurp(path, &ln);
    if (lb && ln > 64) {
        idbpq__ldbr_log_parse(lb, ln, path, on_rec, NULL, NULL, NULL, NULL);
        if (truncate(path, (off_t)(ln - 3)) != 0) printf("# truncate failed\n");
        char refdir[1100];
        snprintf(refdir, sizeof refdir, "%s.ref", dmg);
        sh("rm -rf '%s'; cp -r '%s' '%s'", refdir, dmg, refdir);
        struct list cut = {0};
        leveldb_t *r2 = ldb_open(refdir, snappy);
        if (r2) ldb_scan(r2, &cut), leveldb_close(r2);
        idbpq__ldbr *d2 = our_open(dmg);
        long b2 = d2 ? compare_scan(d2, &cut, 1, NULL, 0, NULL, 0, &missing, &got) : 1;
        int rep = has_damage(logname, last_rec);
        printf("%s - leveldb damage seed %llu %s %s log cut mid-record: %s at %llu %s, %zu entries (libleveldb %zu, intact %zu), %ld mismatches\n",
               !b2 && rep && r2 ? "ok" : "not ok", (unsigned long long)seed, cname, zname, logname,
               (unsigned long long)last_rec, rep ? "reported" : "NOT reported", got, cut.n, want.n, b2);
        if (!rep) print_damage();
        idbpq__ldbr_close(d2);
        list_free(&cut);
        sh("rm -rf '%s' '%s'", dmg, refdir);
    }
    free(lb);

    /* 3. a flipped byte in a table's first data block; 4. a broken footer */
    for (int kind = 0; kind < 2 && db->ntabs; kind++) {
        struct ldbr_table *t = &db->tabs[(db->ntabs * (kind ? 1 : 2)) / 3];
        const char *base = strrchr(t->path, '/') + 1;
        sh("rm -rf '%s'; cp -r '%s' '%s'", dmg, dir, dmg);
        snprintf(path, sizeof path, "%s/%s", dmg, base);
        size_t tn;
        uint8_t *tb = slurp(path, &tn);
        /* the range the damage may hide: block 0 (from the intact index) or the table */
        const uint8_t *lo = t->smallest, *hi = t->largest;
        size_t lon = t->sn - 8, hin = t->ln - 8;
        uint8_t sep[4096];
        uint64_t off;
        if (kind == 0) {
            struct ldbr_env e = {0};
            e.cmp = use_idb ? idbpq_idb_cmp1 : NULL;
            struct ldbr_src src = {tb, -1, tn, path};
            struct ldbr_tabit ti;
            ldbr_tabit_init(&ti, &e, 0);
            ldbr_tabit_reset(&ti, t, &src, 0);
            ldbr_tabit_seek(&ti, NULL, 0, 0, &err);
            hin = ti.ix.key.len - 8 < sizeof sep ? ti.ix.key.len - 8 : 0;
            memcpy(sep, ti.ix.key.p, hin);
            hi = sep;
            ldbr_tabit_free(&ti);
            tb[5] ^= 0x40;
            off = 0;
        } else {
            memset(tb + tn - 8, 0, 8);
            off = tn - 48;
        }
        FILE *f = fopen(path, "wb");
        fwrite(tb, 1, tn, f);
        fclose(f);
        free(tb);
        idbpq__ldbr *d3 = our_open(dmg);
        long b3 = d3 ? compare_scan(d3, &want, 0, lo, lon, hi, hin, &missing, &got) : 1;
        size_t inrange = 0;
        for (size_t i = 0; i < want.n; i++)
            inrange += ucmp(want.e[i].k, want.e[i].kn, lo, lon) >= 0 &&
                       ucmp(want.e[i].k, want.e[i].kn, hi, hin) <= 0;
        int rep = has_damage(base, off);
        printf("%s - leveldb damage seed %llu %s %s %s: %s (level %d) at %llu %s, %zu entries shown, %zu missing (bound %zu), %ld mismatches\n",
               !b3 && rep && missing <= inrange ? "ok" : "not ok", (unsigned long long)seed,
               cname, zname, kind ? "table footer" : "table data block byte", base, t->level,
               (unsigned long long)off, rep ? "reported" : "NOT reported", got, missing,
               inrange, b3);
        if (!rep) print_damage();
        idbpq__ldbr_close(d3);
        sh("rm -rf '%s'", dmg);
    }
    idbpq__ldbr_close(db);
    leveldb_close(ref);

    /* 5. libleveldb holds the LOCK (it has also replayed the log into a table) */
    leveldb_t *live = ldb_open(dir, snappy);
    if (live) {
        struct list now = {0};
        ldb_scan(live, &now);
        idbpq__ldbr *d4 = our_open(dir);
        long b4 = d4 ? compare_scan(d4, &now, 1, NULL, 0, NULL, 0, &missing, &got) : 1;
        printf("%s - leveldb locked seed %llu %s %s: read while libleveldb holds LOCK, %zu entries, %ld mismatches\n",
               !b4 ? "ok" : "not ok", (unsigned long long)seed, cname, zname, got, b4);
        idbpq__ldbr_close(d4);
        list_free(&now);
        leveldb_close(live);
    }
    list_free(&want);
    sh("rm -rf '%s' '%s'", dir, copy);
}

/* The seed corpus of fuzz/fuzz_leveldb.c: a small database's log, tables (snappy and not)
 * and MANIFEST, each behind the target's mode byte. */
static void write_seed(const char *out, const char *name, uint8_t mode, const char *src)
{
    size_t n;
    uint8_t *p = slurp(src, &n);
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", out, name);
    FILE *f = fopen(path, "wb");
    if (!p || !f) { printf("# cannot write %s\n", path); exit(2); }
    fputc(mode, f);
    fwrite(p, 1, n, f);
    fclose(f);
    free(p);
}

static void make_seeds(const char *work, const char *out)
{
    for (int snappy = 0; snappy < 2; snappy++) {
        char dir[1024], src[2048], name[300];
        snprintf(dir, sizeof dir, "%s/seed%d", work, snappy);
        sh("rm -rf '%s'", dir);
        rng = 7;
        use_idb = snappy; /* one of each comparator */
        leveldb_options_t *o = options(1, snappy);
        char *err = NULL;
        leveldb_t *db = leveldb_open(o, dir, &err);
        if (err) { printf("# %s\n", err); exit(2); }
        leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
        uint8_t k[64], v[200];
        for (uint32_t i = 0; i < 60; i++) {
            size_t kn = make_key(i * 7 % 50, k), vn = rnd() % 60;
            memset(v, 'a' + (int)(i % 5), vn);
            if (i % 9 == 4) leveldb_delete(db, wo, (const char *)k, kn, &err);
            else leveldb_put(db, wo, (const char *)k, kn, (const char *)v, vn, &err);
            if (i == 40) leveldb_compact_range(db, NULL, 0, NULL, 0);
        }
        leveldb_close(db);
        leveldb_writeoptions_destroy(wo);
        leveldb_options_destroy(o);
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d))) {
            snprintf(src, sizeof src, "%s/%s", dir, de->d_name);
            const char *ext = strrchr(de->d_name, '.');
            snprintf(name, sizeof name, "%s-%s", snappy ? "snappy" : "plain", de->d_name);
            /* mode 2 / 3: the target rewrites checksums, so that mutations get past them */
            if (ext && strcmp(ext, ".log") == 0) write_seed(out, name, 2, src);
            else if (ext && strcmp(ext, ".ldb") == 0) write_seed(out, name, 2, src);
            else if (strncmp(de->d_name, "MANIFEST-", 9) == 0) write_seed(out, name, 3, src);
        }
        if (d) closedir(d);
        /* the whole directory (mode 4): u16 MANIFEST length, u16 log length, MANIFEST, log,
         * table — the names the target writes them under are those of this database */
        size_t mn, ln, tn;
        snprintf(src, sizeof src, "%s/MANIFEST-000002", dir);
        uint8_t *m = slurp(src, &mn);
        snprintf(src, sizeof src, "%s/000004.log", dir);
        uint8_t *l = slurp(src, &ln);
        snprintf(src, sizeof src, "%s/000005.ldb", dir);
        uint8_t *t = slurp(src, &tn);
        snprintf(src, sizeof src, "%s/%s-db", out, snappy ? "snappy" : "plain");
        FILE *f = fopen(src, "wb");
        if (m && l && t && f) {
            uint16_t h[2] = {(uint16_t)mn, (uint16_t)ln};
            fputc(4, f);
            fwrite(h, 2, 2, f);
            fwrite(m, 1, mn, f), fwrite(l, 1, ln, f), fwrite(t, 1, tn, f);
        } else {
            printf("# the seed database does not have the expected files\n");
        }
        if (f) fclose(f);
        free(m), free(l), free(t);
        sh("rm -rf '%s'", dir);
    }
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--seeds") == 0) {
        make_seeds(argv[2], argv[3]);
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: ldb_oracle WORKDIR SEED...\n");
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        uint64_t seed = strtoull(argv[i], NULL, 10);
        run(argv[1], seed, 0, (int)(seed & 1));
        run(argv[1], seed, 1, (int)(~seed & 1));
    }
    return 0;
}
