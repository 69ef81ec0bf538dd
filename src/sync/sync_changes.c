/*
 * sync_changes.c — change sets (keys with their new values or deletes, sorted by key) and
 * the table side's changes since the last sync.
 *
 * The table's changes come from its Change Data Feed (idbpq_table_changes), which idbpq's
 * own commits always carry; for versions without change data the feed reader falls back to
 * the files removed and added. A change set holds the changes, not the store: its memory is
 * proportional to what moved. The exception is a first sync against a table that already
 * has rows (or a feed that cannot be read because its commits were cleaned up): then every
 * live row is a change, and the set holds the table — docs/sync.md says so.
 */
#include "sync/sync_int.h"

#include <stdio.h>
#include <stdlib.h>

idbpq_status idbpq__sk_of(const idbpq_value *key, idbpq_vbatch *scratch, idbpq_buffer *out,
                          idbpq_error *err)
{
    idbpq_key *k = NULL;
    out->len = 0;
    IDBPQ__TRY(idbpq_key_from_value(scratch, key, &k, err));
    return idbpq_key_encode_sortable(k, out);
}

/* ---- change sets ---------------------------------------------------------------------------- */

idbpq_status idbpq__chgset_init(struct idbpq__chgset *s, const idbpq_allocator *alc)
{
    memset(s, 0, sizeof *s);
    s->alc = idbpq__alc(alc);
    idbpq__arena_init(&s->keys, s->alc);
    return idbpq_vbatch_create(&s->b, s->alc);
}

void idbpq__chgset_free(struct idbpq__chgset *s)
{
    idbpq__free(s->alc, s->v, s->cap * sizeof *s->v);
    idbpq_vbatch_free(s->b);
    idbpq__arena_free(&s->keys);
    memset(s, 0, sizeof *s);
}

idbpq_status idbpq__chgset_add(struct idbpq__chgset *s, const uint8_t *sk, size_t skn,
                               const idbpq_value *key, const idbpq_value *value,
                               int64_t version, int32_t kind)
{
    if (skn > UINT32_MAX || s->n >= UINT32_MAX) return IDBPQ_LIMIT;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        struct idbpq__chg *v = idbpq__realloc(s->alc, s->v, s->cap * sizeof *v, nc * sizeof *v);
        if (!v) return IDBPQ_NOMEM;
        s->v = v;
        s->cap = nc;
    }
    struct idbpq__chg *c = &s->v[s->n];
    c->sk = idbpq__arena_alloc(&s->keys, skn ? skn : 1);
    c->key = key ? idbpq_value_copy(s->b, key) : NULL;
    c->value = value ? idbpq_value_copy(s->b, value) : NULL;
    if (!c->sk || (key && !c->key) || (value && !c->value)) return IDBPQ_NOMEM;
    if (skn) memcpy(c->sk, sk, skn);
    c->skn = (uint32_t)skn;
    c->seq = (uint32_t)s->n;
    c->version = version;
    c->kind = kind;
    s->n++;
    return IDBPQ_OK;
}

static int chg_cmp(const void *x, const void *y)
{
    const struct idbpq__chg *a = x, *b = y;
    int c = idbpq__dkey_cmp(a->sk, a->skn, b->sk, b->skn);
    if (c) return c;
    if (a->version != b->version) return a->version < b->version ? -1 : 1;
    /* Within a version an upsert sorts after a delete, so that it is the one kept. */
    int ad = a->value == NULL, bd = b->value == NULL;
    if (ad != bd) return ad ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void idbpq__chgset_settle(struct idbpq__chgset *s)
{
    if (s->n < 2) return;
    qsort(s->v, s->n, sizeof *s->v, chg_cmp);
    size_t w = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (i + 1 < s->n &&
            !idbpq__dkey_cmp(s->v[i].sk, s->v[i].skn, s->v[i + 1].sk, s->v[i + 1].skn))
            continue;  /* a later change of the same key follows */
        s->v[w++] = s->v[i];
    }
    s->n = w;
}

const struct idbpq__chg *idbpq__chgset_find(const struct idbpq__chgset *s, const uint8_t *sk,
                                            size_t skn)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = idbpq__dkey_cmp(s->v[mid].sk, s->v[mid].skn, sk, skn);
        if (!c) return &s->v[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* ---- the table's changes ------------------------------------------------------------------- */

static idbpq_status add_row(struct idbpq__chgset *out, idbpq_vbatch *scratch, idbpq_buffer *sk,
                            const idbpq_value *key, const idbpq_value *value, int64_t version,
                            idbpq_error *err)
{
    if (!key)
        return idbpq__verr(err, IDBPQ_INVALID_ARG, 0,
                           "a table row has no key: give the key column (a table idbpq did not "
                           "write)");
    IDBPQ__TRY(idbpq__sk_of(key, scratch, sk, err));
    return idbpq__chgset_add(out, sk->data, sk->len, key, value, version, 0);
}

static idbpq_status all_rows(idbpq_table *t, const idbpq_record_reader_opts *ro,
                             struct idbpq__chgset *out, idbpq_vbatch *scratch, idbpq_buffer *sk,
                             idbpq_error *err)
{
    idbpq_table_scan *sc = NULL;
    IDBPQ__TRY(idbpq_table_scan_open(&sc, t, ro, err));
    int64_t v = idbpq_table_get_meta(t)->version;
    idbpq_status st;
    for (;;) {
        idbpq_vbatch_reset(scratch);
        idbpq_value *k = NULL, *val = NULL;
        st = idbpq_table_scan_next(sc, scratch, &k, &val, err);
        if (st != IDBPQ_OK) break;
        st = add_row(out, scratch, sk, k, val, v, err);
        if (st != IDBPQ_OK) break;
    }
    idbpq_table_scan_free(sc);
    return st == IDBPQ_END ? IDBPQ_OK : st;
}

idbpq_status idbpq__sync_table_changes(idbpq_table *t, int64_t from,
                                       const idbpq_record_reader_opts *ro,
                                       struct idbpq__chgset *out, int *complete,
                                       const idbpq_allocator *alc, idbpq_error *err)
{
    *complete = 0;
    const idbpq_table_meta *m = idbpq_table_get_meta(t);
    if (from >= m->version) return IDBPQ_OK;
    idbpq_vbatch *scratch = NULL;
    IDBPQ__TRY(idbpq_vbatch_create(&scratch, alc));
    idbpq_buffer sk;
    idbpq_buffer_init(&sk, alc);
    idbpq_status st = IDBPQ_OK;
    idbpq_table_changes *c = NULL;
    if (from >= 0) {
        st = idbpq_table_changes_open(&c, idbpq__table_io(t), from, m->version, ro, alc, err);
        while (st == IDBPQ_OK) {
            idbpq_vbatch_reset(scratch);
            idbpq_change_type ty;
            int64_t ver = 0;
            idbpq_value *k = NULL, *val = NULL;
            st = idbpq_table_changes_next(c, scratch, &ty, &ver, &k, &val, err);
            if (st != IDBPQ_OK) break;
            if (ty == IDBPQ_CHANGE_UPDATE_PREIMAGE) continue;
            st = add_row(out, scratch, &sk, k, ty == IDBPQ_CHANGE_DELETE ? NULL : val, ver, err);
        }
        idbpq_table_changes_free(c);
        if (st == IDBPQ_END) st = IDBPQ_OK;
        /* Commits cleaned up, or a removed file vacuumed: compare with every live row. */
        if (st == IDBPQ_UNSUPPORTED || st == IDBPQ_CORRUPT) {
            idbpq__chgset_free(out);
            st = idbpq__chgset_init(out, alc);
            from = -1;
        }
    }
    if (st == IDBPQ_OK && from < 0) {
        st = all_rows(t, ro, out, scratch, &sk, err);
        *complete = 1;
    }
    if (st == IDBPQ_OK) idbpq__chgset_settle(out);
    idbpq_buffer_free(&sk);
    idbpq_vbatch_free(scratch);
    return st;
}
