/*
 * ldbr_mem.c — the entries of the logs LevelDB has not flushed to a table yet, in memory and
 * sorted, as LevelDB's memtable would hold them after replaying the logs.
 *
 * A log is read whole (it is at most a few write buffers long); entries of records stored in
 * one piece point into it, only records joined from fragments are copied. A write batch is
 * atomic in LevelDB: a malformed one is reported and none of its entries are kept.
 */
#include "stores/ldbr_int.h"
#include "value/value.h" /* idbpq__verr */

void ldbr_mem_init(struct ldbr_mem *m, const idbpq_allocator *alc)
{
    memset(m, 0, sizeof *m);
    m->alc = idbpq__alc(alc);
    idbpq__arena_init(&m->arena, m->alc);
}

void ldbr_mem_free(struct ldbr_mem *m)
{
    idbpq__free(m->alc, m->e, m->cap * sizeof *m->e);
    idbpq__arena_free(&m->arena);
    for (size_t i = 0; i < m->nfiles; i++) {
        idbpq__free(m->alc, m->logs[i], m->log_sizes[i]);
        idbpq__free(m->alc, m->files[i], strlen(m->files[i]) + 1);
    }
    idbpq__free(m->alc, m->logs, m->nfiles * sizeof *m->logs);
    idbpq__free(m->alc, m->log_sizes, m->nfiles * sizeof *m->log_sizes);
    idbpq__free(m->alc, m->files, m->nfiles * sizeof *m->files);
    memset(m, 0, sizeof *m);
}

struct addctx {
    struct ldbr_mem *m;
    const struct ldbr_env *e;
    const char *path;
    const uint8_t *log;
    size_t logn;
    uint64_t off;
};

static idbpq_status put(void *ctx, uint64_t seq, int type, const uint8_t *k, size_t kn,
                        const uint8_t *v, size_t vn)
{
    struct addctx *a = ctx;
    struct ldbr_mem *m = a->m;
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 256;
        void *ne = idbpq__realloc(m->alc, m->e, m->cap * sizeof *m->e, nc * sizeof *m->e);
        if (!ne) return IDBPQ_NOMEM;
        m->e = ne;
        m->cap = nc;
    }
    struct ldbr_ment *x = &m->e[m->n++];
    x->k = k;
    x->kn = (uint32_t)kn;
    x->v = v;
    x->vn = (uint32_t)vn;
    x->tag = seq << 8 | (uint64_t)type;
    x->off = a->off;
    x->file = (uint32_t)(m->nfiles - 1);
    return IDBPQ_OK;
}

static idbpq_status record(void *ctx, const uint8_t *data, size_t len, uint64_t off)
{
    struct addctx *a = ctx;
    if (data < a->log || data >= a->log + a->logn) { /* joined from fragments: keep a copy */
        uint8_t *c = idbpq__arena_alloc(&a->m->arena, len ? len : 1);
        if (!c) return IDBPQ_NOMEM;
        memcpy(c, data, len);
        data = c;
    }
    a->off = off;
    size_t before = a->m->n;
    idbpq_error err;
    idbpq_status st = idbpq__ldbr_batch_parse(data, len, put, a, &err);
    if (st == IDBPQ_CORRUPT) {
        a->m->n = before;
        ldbr_damage(a->e, a->path, off, "malformed write batch in log record");
        return IDBPQ_OK;
    }
    return st;
}

idbpq_status ldbr_mem_add_log(struct ldbr_mem *m, uint8_t *p, size_t n, const char *path,
                              const struct ldbr_env *e, idbpq_error *err)
{
    size_t k = m->nfiles + 1;
    uint8_t **nl = idbpq__realloc(m->alc, m->logs, m->nfiles * sizeof *nl, k * sizeof *nl);
    if (nl) m->logs = nl;
    size_t *ns = idbpq__realloc(m->alc, m->log_sizes, m->nfiles * sizeof *ns, k * sizeof *ns);
    if (ns) m->log_sizes = ns;
    char **nf = idbpq__realloc(m->alc, m->files, m->nfiles * sizeof *nf, k * sizeof *nf);
    if (nf) m->files = nf;
    char *name = idbpq__strndup(m->alc, path, SIZE_MAX);
    if (!nl || !ns || !nf || !name) {
        idbpq__free(m->alc, name, name ? strlen(name) + 1 : 0);
        idbpq__free(m->alc, p, n);
        return idbpq__verr(err, IDBPQ_NOMEM, 0, "%s: out of memory", path);
    }
    m->logs[m->nfiles] = p;
    m->log_sizes[m->nfiles] = n;
    m->files[m->nfiles] = name;
    m->nfiles = k;
    struct addctx a = {m, e, name, p, n, 0};
    idbpq_status st = idbpq__ldbr_log_parse(p, n, name, record, &a, e->damage, e->damage_ctx,
                                            m->alc);
    if (st != IDBPQ_OK) return idbpq__verr(err, st, 0, "%s: out of memory", path);
    return IDBPQ_OK;
}

static inline int ment_cmp(idbpq__ldbr_cmp_fn cmp, const struct ldbr_ment *a,
                           const struct ldbr_ment *b)
{
    return ldbr_icmp(cmp, a->k, a->kn, a->tag, b->k, b->kn, b->tag);
}

/* Bottom-up merge sort (stable, no recursion, comparator with context). */
idbpq_status ldbr_mem_sort(struct ldbr_mem *m, idbpq__ldbr_cmp_fn cmp)
{
    size_t n = m->n;
    if (n < 2) return IDBPQ_OK;
    struct ldbr_ment *tmp = idbpq__malloc(m->alc, n * sizeof *tmp);
    if (!tmp) return IDBPQ_NOMEM;
    struct ldbr_ment *src = m->e, *dst = tmp;
    /* Runs of 8 by insertion sort first. */
    for (size_t s = 0; s < n; s += 8) {
        size_t e = s + 8 < n ? s + 8 : n;
        for (size_t i = s + 1; i < e; i++) {
            struct ldbr_ment x = src[i];
            size_t j = i;
            while (j > s && ment_cmp(cmp, &src[j - 1], &x) > 0) {
                src[j] = src[j - 1];
                j--;
            }
            src[j] = x;
        }
    }
    for (size_t w = 8; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = ment_cmp(cmp, &src[j], &src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        struct ldbr_ment *t = src;
        src = dst;
        dst = t;
    }
    if (src != m->e) memcpy(m->e, src, n * sizeof *tmp);
    idbpq__free(m->alc, tmp, n * sizeof *tmp);
    return IDBPQ_OK;
}

size_t ldbr_mem_seek(const struct ldbr_mem *m, idbpq__ldbr_cmp_fn cmp, const uint8_t *uk,
                     size_t n, uint64_t tag)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ldbr_ment *x = &m->e[mid];
        if (ldbr_icmp(cmp, x->k, x->kn, x->tag, uk, n, tag) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
