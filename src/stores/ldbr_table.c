/*
 * ldbr_table.c — one sorted table: the footer (last 48 bytes: metaindex and index block
 * handles, magic), the index block (one entry per data block: a key >= every key of the block
 * and < every key of the next, and the block's handle), and the data blocks. Filter and other
 * meta blocks are not needed for a scan and are not read.
 *
 * A data block that cannot be used is reported and skipped; what it may have held is known
 * from the index (the user keys between the previous separator and its own), and that range
 * goes to env->hole so that older versions of those keys from other files are not shown as if
 * they were the newest. A table whose footer or index block is unusable is reported once and
 * its whole key range (from the MANIFEST) becomes a hole.
 */
#include "stores/ldbr_int.h"
#include "value/value.h" /* idbpq__verr */

void ldbr_tabit_init(struct ldbr_tabit *ti, const struct ldbr_env *e, size_t readahead)
{
    memset(ti, 0, sizeof *ti);
    ti->e = e;
    ldbr_rbuf_init(&ti->rb, e->alc, readahead);
    idbpq__buf_init(&ti->ibuf, e->alc);
    idbpq__buf_init(&ti->prev, e->alc);
    ldbr_bit_init(&ti->ix, e->alc);
    ldbr_bit_init(&ti->dt, e->alc);
}

void ldbr_tabit_free(struct ldbr_tabit *ti)
{
    ldbr_rbuf_free(&ti->rb);
    idbpq__buf_free(&ti->ibuf);
    idbpq__buf_free(&ti->prev);
    ldbr_bit_free(&ti->ix);
    ldbr_bit_free(&ti->dt);
}

void ldbr_tabit_reset(struct ldbr_tabit *ti, struct ldbr_table *t, const struct ldbr_src *src,
                      int rank)
{
    ti->rank = rank;
    ti->valid = ti->have_prev = 0;
    if (ti->t == t) return; /* the index block (and window) loaded for it are still good */
    ti->t = t;
    ti->src = *src;
    ti->loaded = 0;
    ti->rb.win.len = 0; /* the window belonged to another file */
}

static idbpq_status hole(struct ldbr_tabit *ti, const uint8_t *lo, size_t lon, const uint8_t *hi,
                         size_t hin)
{
    const struct ldbr_env *e = ti->e;
    if (!e->hole) return IDBPQ_OK;
    return e->hole(e->hole_ctx, ti->rank, lo, lon >= 8 ? lon - 8 : 0, hi, hin >= 8 ? hin - 8 : 0);
}

/* The whole table is unusable: report it (once per table) and hide its range. */
static idbpq_status table_bad(struct ldbr_tabit *ti, uint64_t off, const char *what)
{
    struct ldbr_table *t = ti->t;
    if (!__atomic_exchange_n(&t->bad, 1, __ATOMIC_RELAXED))
        ldbr_damage(ti->e, t->path, off, what);
    ti->valid = 0;
    ti->ix.valid = ti->dt.valid = 0;
    if (!t->ln) return IDBPQ_OK;
    return hole(ti, t->smallest, t->sn, t->largest, t->ln);
}

/* Reads the index block into ti->ibuf. CORRUPT with *what when unusable. */
static idbpq_status load_index(struct ldbr_tabit *ti, const char **what, idbpq_error *err)
{
    const uint8_t *p;
    size_t n;
    idbpq_status st = ldbr_block_read(&ti->src, ti->e, ti->t->ioff, ti->t->isize, &ti->rb, &p, &n,
                                      what, err);
    if (st != IDBPQ_OK) return st;
    ti->ibuf.len = 0;
    IDBPQ__TRY(idbpq__buf_append(&ti->ibuf, p, n));
    if (ldbr_bit_set(&ti->ix, ti->ibuf.p, ti->ibuf.len)) {
        *what = "bad index block";
        return IDBPQ_CORRUPT;
    }
    ti->loaded = 1;
    return IDBPQ_OK;
}

static idbpq_status ensure_index(struct ldbr_tabit *ti, idbpq_error *err)
{
    if (ti->loaded) return IDBPQ_OK;
    if (__atomic_load_n(&ti->t->bad, __ATOMIC_RELAXED)) return table_bad(ti, 0, NULL);
    const char *what = NULL;
    idbpq_status st = load_index(ti, &what, err);
    if (st == IDBPQ_CORRUPT) return table_bad(ti, ti->t->ioff, what);
    return st;
}

static inline int set_cur(struct ldbr_tabit *ti)
{
    if (IDBPQ__UNLIKELY(ti->dt.key.len < 8)) return -1;
    ti->uk = ti->dt.key.p;
    ti->ukn = ti->dt.key.len - 8;
    ti->tag = idbpq__le64(ti->uk + ti->ukn);
    ti->valid = 1;
    return 0;
}

/* A data block (or the rest of one) is lost: report it and hide its key range. */
static idbpq_status block_bad(struct ldbr_tabit *ti, const char *what)
{
    ti->dt.valid = 0;
    ti->valid = 0;
    ldbr_damage(ti->e, ti->t->path, ti->blk_off, what);
    const struct ldbr_table *t = ti->t;
    if (ti->have_prev)
        return hole(ti, ti->prev.p, ti->prev.len, ti->ix.key.p, ti->ix.key.len);
    return hole(ti, t->ln ? t->smallest : NULL, t->sn, ti->ix.key.p, ti->ix.key.len);
}

/* Loads the block of the current index entry and positions in it (uk NULL: first entry). */
static idbpq_status enter_block(struct ldbr_tabit *ti, const uint8_t *uk, size_t n, uint64_t tag,
                                idbpq_error *err)
{
    ti->valid = 0;
    ti->dt.valid = 0;
    const uint8_t *q = ti->ix.val, *end = q + ti->ix.vn, *p;
    uint64_t off, size;
    if (ti->ix.key.len < 8 || ldbr_handle(&q, end, &off, &size))
        return table_bad(ti, ti->t->ioff, "bad index block entry");
    if (off > ti->src.size || size > ti->src.size - off) { /* the index lies: report it there */
        ti->blk_off = ti->t->ioff;
        return block_bad(ti, "data block handle points past the end of the file");
    }
    ti->blk_off = off;
    const char *what = NULL;
    size_t bn;
    idbpq_status st = ldbr_block_read(&ti->src, ti->e, off, size, &ti->rb, &p, &bn, &what, err);
    if (st == IDBPQ_CORRUPT) return block_bad(ti, what);
    if (st != IDBPQ_OK) return st;
    if (ldbr_bit_set(&ti->dt, p, bn)) return block_bad(ti, "bad block restart array");
    int r = uk ? ldbr_bit_seek(&ti->dt, ti->e->cmp, uk, n, tag) : ldbr_bit_first(&ti->dt);
    if (r == -2) return IDBPQ_NOMEM;
    if (r < 0 || (ti->dt.valid && set_cur(ti))) return block_bad(ti, "bad block entry");
    return IDBPQ_OK;
}

/* While the data block is exhausted, goes to the next one. */
static idbpq_status skip_empty(struct ldbr_tabit *ti, idbpq_error *err)
{
    while (!ti->valid && ti->ix.valid) {
        ti->prev.len = 0;
        IDBPQ__TRY(idbpq__buf_append(&ti->prev, ti->ix.key.p, ti->ix.key.len));
        ti->have_prev = 1;
        int r = ldbr_bit_next(&ti->ix);
        if (r == -2) return IDBPQ_NOMEM;
        if (r < 0) return table_bad(ti, ti->t->ioff, "bad index block entry");
        if (ti->ix.valid) IDBPQ__TRY(enter_block(ti, NULL, 0, 0, err));
    }
    return IDBPQ_OK;
}

idbpq_status ldbr_tabit_seek(struct ldbr_tabit *ti, const uint8_t *uk, size_t n, uint64_t tag,
                             idbpq_error *err)
{
    ti->valid = 0;
    ti->have_prev = 0;
    IDBPQ__TRY(ensure_index(ti, err));
    if (!ti->loaded) return IDBPQ_OK;
    int r = uk ? ldbr_bit_seek(&ti->ix, ti->e->cmp, uk, n, tag) : ldbr_bit_first(&ti->ix);
    if (r == -2) return IDBPQ_NOMEM;
    if (r < 0) return table_bad(ti, ti->t->ioff, "bad index block entry");
    if (!ti->ix.valid) return IDBPQ_OK;
    IDBPQ__TRY(enter_block(ti, uk, n, tag, err));
    return skip_empty(ti, err);
}

idbpq_status ldbr_tabit_next(struct ldbr_tabit *ti, idbpq_error *err)
{
    int r = ldbr_bit_next(&ti->dt);
    if (IDBPQ__LIKELY(r == 0 && ti->dt.valid)) {
        if (IDBPQ__LIKELY(set_cur(ti) == 0)) return IDBPQ_OK;
        r = -1;
    }
    ti->valid = 0;
    if (r == -2) return IDBPQ_NOMEM;
    if (r < 0) IDBPQ__TRY(block_bad(ti, "bad block entry"));
    return skip_empty(ti, err);
}

idbpq_status ldbr_tabit_offset(struct ldbr_tabit *ti, const uint8_t *uk, size_t n,
                               uint64_t *off, idbpq_error *err)
{
    *off = 0;
    IDBPQ__TRY(ensure_index(ti, err));
    if (!ti->loaded) return IDBPQ_OK;
    int r = ldbr_bit_seek(&ti->ix, ti->e->cmp, uk, n, LDBR_SEEK_TAG);
    if (r == -2) return IDBPQ_NOMEM;
    *off = ti->t->ioff; /* past the last block: where the meta blocks start, near enough */
    if (r == 0 && ti->ix.valid) {
        const uint8_t *q = ti->ix.val;
        uint64_t bo, bs;
        if (ldbr_handle(&q, q + ti->ix.vn, &bo, &bs) == 0 && bo < *off) *off = bo;
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__ldbr_table_walk(const uint8_t *p, size_t n, const char *name,
                                    idbpq_status (*entry)(void *ctx, const uint8_t *k,
                                                          size_t kn, const uint8_t *v,
                                                          size_t vn),
                                    void *ctx, idbpq__ldbr_damage_fn damage, void *damage_ctx,
                                    const idbpq_allocator *alc, idbpq_error *err)
{
    if (n < LDBR_FOOTER)
        return idbpq__verr(err, IDBPQ_CORRUPT, 0, "%s: %zu bytes is too short for a table",
                           name, n);
    struct ldbr_table t;
    memset(&t, 0, sizeof t);
    t.path = (char *)name;
    t.fd = -1;
    t.size = n;
    const char *what = ldbr_footer(p + n - LDBR_FOOTER, n, &t.ioff, &t.isize);
    if (what) return idbpq__verr(err, IDBPQ_CORRUPT, n - LDBR_FOOTER, "%s: %s", name, what);
    struct ldbr_env e;
    memset(&e, 0, sizeof e);
    e.alc = alc;
    e.damage = damage;
    e.damage_ctx = damage_ctx;
    struct ldbr_src src = {p, -1, n, name};
    struct ldbr_tabit ti;
    ldbr_tabit_init(&ti, &e, 0);
    ldbr_tabit_reset(&ti, &t, &src, 0);
    idbpq_status st = load_index(&ti, &what, err);
    if (st == IDBPQ_CORRUPT)
        st = idbpq__verr(err, IDBPQ_CORRUPT, t.ioff, "%s: %s", name, what);
    if (st == IDBPQ_OK) st = ldbr_tabit_seek(&ti, NULL, 0, 0, err);
    while (st == IDBPQ_OK && ti.valid) {
        st = entry(ctx, ti.dt.key.p, ti.dt.key.len, ti.dt.val, ti.dt.vn);
        if (st == IDBPQ_OK) st = ldbr_tabit_next(&ti, err);
    }
    if (st == IDBPQ_OK && t.bad)
        st = idbpq__verr(err, IDBPQ_CORRUPT, t.ioff, "%s: bad index block entry", name);
    ldbr_tabit_free(&ti);
    return st;
}
