/*
 * ldbr_iter.c — the live view: a merge of the logs' entries, every level-0 table (they may
 * overlap) and one concatenating iterator per deeper level (its files are disjoint and sorted),
 * in internal-key order (user key, then newest first). Of each user key only the first entry
 * counts: a value is shown, a deletion hides the key.
 *
 * The merge is a binary min-heap of the sources. Each source has a rank, lower = newer: the
 * logs 0, level-0 tables by file number (newest first), then the levels. A damaged block of a
 * source becomes a hole: a user-key range in which sources of a higher rank are not trusted
 * (their entry might be older than the one that was lost), so keys there are left out rather
 * than shown with a stale value.
 */
#include "stores/ldbr_int.h"
#include "value/value.h" /* idbpq__verr */

#define READAHEAD (128u * 1024)

enum { C_MEM, C_TAB, C_LVL };

struct child {
    int kind, rank, valid;
    const uint8_t *uk, *v;
    size_t ukn, vn;
    uint64_t tag;
    size_t pos;                 /* C_MEM: entry index */
    size_t first, n, cur;       /* C_LVL: files db->tabs[first .. first + n), the open one */
    struct ldbr_tabit ti;       /* C_TAB, C_LVL */
};

struct hole {
    uint8_t *lo, *hi;           /* user keys; lo NULL: from the start */
    size_t lon, hin;
    int rank;
};

struct idbpq__ldbr_iter {
    idbpq__ldbr *db;
    struct ldbr_env env;
    struct child *ch;
    size_t nch;
    struct child **heap;
    size_t nheap;
    struct idbpq__buf last;     /* the user key most recently taken */
    int have_last;
    struct hole *holes;
    size_t nholes, capholes;
    struct child *cur;
    int positioned;
};

static idbpq_status add_hole(void *ctx, int rank, const uint8_t *lo, size_t lon,
                             const uint8_t *hi, size_t hin)
{
    idbpq__ldbr_iter *it = ctx;
    const idbpq_allocator *alc = it->db->alc;
    if (it->nholes == it->capholes) {
        size_t nc = it->capholes ? it->capholes * 2 : 8;
        struct hole *nh = idbpq__realloc(alc, it->holes, it->capholes * sizeof *nh, nc * sizeof *nh);
        if (!nh) return IDBPQ_NOMEM;
        it->holes = nh;
        it->capholes = nc;
    }
    struct hole *h = &it->holes[it->nholes];
    h->lo = lo ? idbpq__malloc(alc, lon ? lon : 1) : NULL;
    h->hi = idbpq__malloc(alc, hin ? hin : 1);
    if ((lo && !h->lo) || !h->hi) {
        idbpq__free(alc, h->lo, lon ? lon : 1);
        idbpq__free(alc, h->hi, hin ? hin : 1);
        return IDBPQ_NOMEM;
    }
    if (lo && lon) memcpy(h->lo, lo, lon);
    if (hin) memcpy(h->hi, hi, hin);
    h->lon = lon;
    h->hin = hin;
    h->rank = rank;
    it->nholes++;
    return IDBPQ_OK;
}

/* Whether a newer source lost a block that may have held a newer entry of this key. */
static int in_hole(const idbpq__ldbr_iter *it, const struct child *c)
{
    idbpq__ldbr_cmp_fn cmp = it->db->o.cmp;
    for (size_t i = 0; i < it->nholes; i++) {
        const struct hole *h = &it->holes[i];
        if (h->rank >= c->rank) continue;
        if (h->lo && ldbr_ucmp(cmp, c->uk, c->ukn, h->lo, h->lon) < 0) continue;
        if (ldbr_ucmp(cmp, c->uk, c->ukn, h->hi, h->hin) > 0) continue;
        return 1;
    }
    return 0;
}

/* ---- sources --------------------------------------------------------------------------- */

static inline void load_tab(struct child *c)
{
    c->valid = c->ti.valid;
    if (!c->valid) return;
    c->uk = c->ti.uk;
    c->ukn = c->ti.ukn;
    c->tag = c->ti.tag;
    c->v = c->ti.dt.val;
    c->vn = c->ti.dt.vn;
}

static inline void load_mem(const idbpq__ldbr *db, struct child *c)
{
    c->valid = c->pos < db->mem.n;
    if (!c->valid) return;
    const struct ldbr_ment *x = &db->mem.e[c->pos];
    c->uk = x->k;
    c->ukn = x->kn;
    c->tag = x->tag;
    c->v = x->v;
    c->vn = x->vn;
}

static void open_file(idbpq__ldbr *db, struct child *c, size_t i)
{
    struct ldbr_table *t = &db->tabs[i];
    struct ldbr_src src = {NULL, t->fd, t->size, t->path};
    c->cur = i;
    ldbr_tabit_reset(&c->ti, t, &src, c->rank);
}

/* A level's iterator went past its file's end: the next files, from their first entries. */
static idbpq_status lvl_forward(idbpq__ldbr *db, struct child *c, idbpq_error *err)
{
    while (!c->ti.valid && c->cur + 1 < c->first + c->n) {
        open_file(db, c, c->cur + 1);
        IDBPQ__TRY(ldbr_tabit_seek(&c->ti, NULL, 0, 0, err));
    }
    return IDBPQ_OK;
}

static idbpq_status child_seek(idbpq__ldbr *db, struct child *c, const uint8_t *uk, size_t n,
                               idbpq_error *err)
{
    idbpq__ldbr_cmp_fn cmp = db->o.cmp;
    switch (c->kind) {
    case C_MEM:
        c->pos = uk ? ldbr_mem_seek(&db->mem, cmp, uk, n, LDBR_SEEK_TAG) : 0;
        load_mem(db, c);
        return IDBPQ_OK;
    case C_TAB: {
        /* Nothing at or past the target when the table ends before it: no index to load. */
        const struct ldbr_table *t = c->ti.t;
        c->valid = 0;
        if (uk && t->ln && ldbr_icmp(cmp, t->largest, t->ln - 8, idbpq__le64(t->largest + t->ln - 8),
                                    uk, n, LDBR_SEEK_TAG) < 0)
            return IDBPQ_OK;
        IDBPQ__TRY(ldbr_tabit_seek(&c->ti, uk, n, LDBR_SEEK_TAG, err));
        load_tab(c);
        return IDBPQ_OK;
    }
    case C_LVL: {
        /* The first file whose largest key is >= the target. */
        size_t lo = c->first, hi = c->first + c->n;
        while (uk && lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            const struct ldbr_table *t = &db->tabs[mid];
            if (ldbr_icmp(cmp, t->largest, t->ln - 8, idbpq__le64(t->largest + t->ln - 8), uk, n,
                          LDBR_SEEK_TAG) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        c->valid = 0;
        if (lo == c->first + c->n) return IDBPQ_OK;
        open_file(db, c, lo);
        IDBPQ__TRY(ldbr_tabit_seek(&c->ti, uk, n, LDBR_SEEK_TAG, err));
        IDBPQ__TRY(lvl_forward(db, c, err));
        load_tab(c);
        return IDBPQ_OK;
    }
    default:
        return IDBPQ_STATE;
    }
}

static inline idbpq_status child_next(idbpq__ldbr *db, struct child *c, idbpq_error *err)
{
    if (c->kind == C_MEM) {
        c->pos++;
        load_mem(db, c);
        return IDBPQ_OK;
    }
    IDBPQ__TRY(ldbr_tabit_next(&c->ti, err));
    if (c->kind == C_LVL && !c->ti.valid) IDBPQ__TRY(lvl_forward(db, c, err));
    load_tab(c);
    return IDBPQ_OK;
}

/* ---- heap ------------------------------------------------------------------------------ */

static inline int less(idbpq__ldbr_cmp_fn cmp, const struct child *a, const struct child *b)
{
    int r = ldbr_icmp(cmp, a->uk, a->ukn, a->tag, b->uk, b->ukn, b->tag);
    return r < 0 || (r == 0 && a->rank < b->rank);
}

static inline void sift_down(idbpq__ldbr_iter *it, size_t i)
{
    idbpq__ldbr_cmp_fn cmp = it->db->o.cmp;
    struct child **h = it->heap;
    size_t n = it->nheap;
    struct child *x = h[i];
    for (;;) {
        size_t l = 2 * i + 1, m;
        if (l >= n) break;
        m = l + 1 < n && less(cmp, h[l + 1], h[l]) ? l + 1 : l;
        if (!less(cmp, h[m], x)) break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

static void heap_build(idbpq__ldbr_iter *it)
{
    it->nheap = 0;
    for (size_t i = 0; i < it->nch; i++)
        if (it->ch[i].valid) it->heap[it->nheap++] = &it->ch[i];
    for (size_t i = it->nheap / 2; i-- > 0;) sift_down(it, i);
}

/* Advances the smallest source and restores the heap. */
static inline idbpq_status pop_next(idbpq__ldbr_iter *it, idbpq_error *err)
{
    struct child *c = it->heap[0];
    IDBPQ__TRY(child_next(it->db, c, err));
    if (!c->valid) it->heap[0] = it->heap[--it->nheap];
    if (it->nheap > 1) sift_down(it, 0);
    return IDBPQ_OK;
}

/* From the heap's state: the next live entry, skipping older entries of the key taken last. */
static idbpq_status settle(idbpq__ldbr_iter *it, idbpq_error *err)
{
    idbpq__ldbr_cmp_fn cmp = it->db->o.cmp;
    it->cur = NULL;
    while (it->nheap) {
        struct child *c = it->heap[0];
        if (it->have_last && ldbr_ucmp(cmp, c->uk, c->ukn, it->last.p, it->last.len) == 0) {
            IDBPQ__TRY(pop_next(it, err));
            continue;
        }
        it->last.len = 0;
        IDBPQ__TRY(idbpq__buf_append(&it->last, c->uk, c->ukn));
        it->have_last = 1;
        /* A deletion (or unknown type), or an entry inside a newer source's hole: step past
         * it here rather than rely on the comparator finding it equal to itself. */
        if ((c->tag & 0xff) != 1 || (it->nholes && in_hole(it, c))) {
            IDBPQ__TRY(pop_next(it, err));
            continue;
        }
        it->cur = c;
        return IDBPQ_OK;
    }
    return IDBPQ_END;
}

/* ---- API ------------------------------------------------------------------------------- */

idbpq_status idbpq__ldbr_iter_create(idbpq__ldbr *db, idbpq__ldbr_iter **out, idbpq_error *err)
{
    *out = NULL;
    const idbpq_allocator *alc = db->alc;
    idbpq__ldbr_iter *it = idbpq__calloc(alc, sizeof *it);
    if (!it) return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    it->db = db;
    it->env = db->env;
    it->env.hole = add_hole;
    it->env.hole_ctx = it;
    idbpq__buf_init(&it->last, alc);
    size_t n = 1 + db->lvl_n[0];
    for (int l = 1; l < 8; l++) n += db->lvl_n[l] > 0;
    it->ch = idbpq__calloc(alc, n * sizeof *it->ch);
    it->heap = idbpq__calloc(alc, n * sizeof *it->heap);
    if (!it->ch || !it->heap) {
        idbpq__free(alc, it->ch, n * sizeof *it->ch);
        idbpq__free(alc, it->heap, n * sizeof *it->heap);
        idbpq__free(alc, it, sizeof *it);
        return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    }
    struct child *c = it->ch;
    c->kind = C_MEM;
    c->rank = 0;
    c++;
    for (size_t i = 0; i < db->lvl_n[0]; i++, c++) {
        c->kind = C_TAB;
        c->rank = (int)(1 + i);
        ldbr_tabit_init(&c->ti, &it->env, READAHEAD);
        open_file(db, c, db->lvl_start[0] + i);
    }
    for (int l = 1; l < 8; l++) {
        if (!db->lvl_n[l]) continue;
        c->kind = C_LVL;
        c->rank = (int)(db->lvl_n[0] + (size_t)l);
        c->first = db->lvl_start[l];
        c->n = db->lvl_n[l];
        ldbr_tabit_init(&c->ti, &it->env, READAHEAD);
        open_file(db, c, c->first);
        c++;
    }
    it->nch = n;
    *out = it;
    return IDBPQ_OK;
}

void idbpq__ldbr_iter_free(idbpq__ldbr_iter *it)
{
    if (!it) return;
    const idbpq_allocator *alc = it->db->alc;
    for (size_t i = 0; i < it->nch; i++)
        if (it->ch[i].kind != C_MEM) ldbr_tabit_free(&it->ch[i].ti);
    for (size_t i = 0; i < it->nholes; i++) {
        idbpq__free(alc, it->holes[i].lo, it->holes[i].lon ? it->holes[i].lon : 1);
        idbpq__free(alc, it->holes[i].hi, it->holes[i].hin ? it->holes[i].hin : 1);
    }
    idbpq__free(alc, it->holes, it->capholes * sizeof *it->holes);
    idbpq__buf_free(&it->last);
    idbpq__free(alc, it->ch, it->nch * sizeof *it->ch);
    idbpq__free(alc, it->heap, it->nch * sizeof *it->heap);
    idbpq__free(alc, it, sizeof *it);
}

idbpq_status idbpq__ldbr_iter_seek(idbpq__ldbr_iter *it, const uint8_t *key, size_t n,
                                   idbpq_error *err)
{
    it->cur = NULL;
    it->have_last = 0;
    it->positioned = 1;
    for (size_t i = 0; i < it->nch; i++) IDBPQ__TRY(child_seek(it->db, &it->ch[i], key, n, err));
    heap_build(it);
    return settle(it, err);
}

idbpq_status idbpq__ldbr_iter_next(idbpq__ldbr_iter *it, idbpq_error *err)
{
    if (!it->positioned) return idbpq__ldbr_iter_seek(it, NULL, 0, err);
    if (!it->cur) return IDBPQ_END;
    return settle(it, err);
}

const uint8_t *idbpq__ldbr_iter_key(const idbpq__ldbr_iter *it, size_t *n)
{
    *n = it->cur ? it->cur->ukn : 0;
    return it->cur ? it->cur->uk : NULL;
}

const uint8_t *idbpq__ldbr_iter_value(const idbpq__ldbr_iter *it, size_t *n)
{
    *n = it->cur ? it->cur->vn : 0;
    return it->cur ? it->cur->v : NULL;
}

void idbpq__ldbr_iter_where(const idbpq__ldbr_iter *it, const char **file, uint64_t *offset)
{
    const struct child *c = it->cur;
    *file = NULL;
    *offset = 0;
    if (!c) return;
    if (c->kind == C_MEM) {
        const struct ldbr_ment *x = &it->db->mem.e[c->pos];
        *file = it->db->mem.files[x->file];
        *offset = x->off;
    } else {
        *file = c->ti.t->path;
        *offset = c->ti.blk_off;
    }
}
