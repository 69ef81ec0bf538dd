/*
 * sync_push.c — the store's changes into the table: copy-on-write of only the data files
 * whose key ranges hold changed keys, and one commit.
 *
 * idbpq writes every data file sorted by key and keeps files' key ranges disjoint (the
 * idbpq.minKey / idbpq.maxKey tags of each add), so the live files sorted by their first key
 * are the whole table in key order. A change falls in the file whose range holds its key; a
 * new key between two files goes to the file before it (the range grows; ranges stay
 * disjoint). Each run of adjacent affected files is read once, merged with its changes and
 * written as new files of about target_file_bytes, so small files left by earlier pushes are
 * compacted when a neighbour is rewritten, and an unaffected small neighbour joins the run.
 * Rows copied unchanged are not change data; inserts, deletes and updates (pre- and post-
 * image) go to one `_change_data/` file, which the Change Data Feed needs whenever a file is
 * rewritten (delta-notes §6). A push into a table without files writes new files only: a blind
 * append that needs no change data.
 */
#include "sync/sync_int.h"

#include <stdio.h>
#include <stdlib.h>

struct span {                            /* a live file and its key range */
    uint64_t index;                      /* in idbpq_table_file_at order */
    const idbpq_table_add *add;
    struct idbpq__drange r;              /* from its tags, in push.ranges */
    size_t c_begin, c_end;               /* its changes: [c_begin, c_end) */
    int affected;
};

struct push {
    const struct idbpq__push_in *in;
    struct idbpq__push_out *out;
    idbpq_error *err;
    struct idbpq__err e;
    struct idbpq__dtemplate *tmpl;
    int tmpl_inferred;                   /* the first file inferred the schema */
    struct idbpq__dfile *cur, *cdc;
    struct idbpq__dfile **done;          /* closed data files, kept for their info */
    struct idbpq__dfile_info *infos;
    size_t n_done, cap_done;
    struct idbpq__dfile_info cdc_info;
    int cdc_rows;
    struct span *spans;
    size_t n_spans;
    struct idbpq__arena ranges;          /* the spans' key ranges */
    uint64_t ins, upd, del, copied, written;
    uint64_t target;
    idbpq_buffer schema;                 /* the first file's schemaString */
    int needs_variant, needs_column_mapping;
    idbpq_record_writer_opts wopts;
    idbpq_vbatch *rb;
    idbpq_buffer sk, prev;
};

/* An internal failure (p->e) into the public error, unless a public message is set already. */
static idbpq_status perr(struct push *p, idbpq_status st)
{
    if (st != IDBPQ_OK && p->err && p->err->msg[0] == 0) idbpq__derr_out(p->err, &p->e);
    return st;
}

static int push_aborted(const struct push *p)
{
    const idbpq_sync_opts *o = p->in->opts;
    return o->should_abort && o->should_abort(o->abort_ctx);
}

/* ---- output files --------------------------------------------------------------------------- */

static idbpq_status close_cur(struct push *p)
{
    if (!p->cur) return IDBPQ_OK;
    if (p->n_done == p->cap_done) {
        size_t nc = p->cap_done ? p->cap_done * 2 : 8;
        struct idbpq__dfile **d = idbpq__realloc(p->in->alc, p->done, p->cap_done * sizeof *d,
                                                 nc * sizeof *d);
        if (!d) return IDBPQ_NOMEM;
        p->done = d;
        struct idbpq__dfile_info *i = idbpq__realloc(p->in->alc, p->infos,
                                                     p->cap_done * sizeof *i, nc * sizeof *i);
        if (!i) return IDBPQ_NOMEM;
        p->infos = i;
        p->cap_done = nc;
    }
    struct idbpq__dfile *f = p->cur;
    p->cur = NULL;
    p->done[p->n_done] = f;
    idbpq_status st = idbpq__dfile_close(f, 1, &p->infos[p->n_done], &p->e);
    p->n_done++;
    if (st != IDBPQ_OK) return st;
    p->out->bytes_written += p->infos[p->n_done - 1].size;
    if (p->n_done == 1)
        IDBPQ__TRY(idbpq__dfile_schema_string(f, &p->schema, &p->needs_variant,
                                              &p->needs_column_mapping, &p->e));
    if (!p->tmpl) {
        /* Later files share the schema this one inferred. */
        IDBPQ__TRY(idbpq__dtemplate_from_dfile(&p->tmpl, f, p->in->alc, &p->e));
        p->tmpl_inferred = 1;
    }
    idbpq__dfile_release(f);
    return IDBPQ_OK;
}

static idbpq_status open_cur(struct push *p)
{
    return idbpq__dfile_open(&p->cur, p->in->io, p->in->store, p->tmpl, 0, &p->wopts,
                             p->in->alc, &p->e);
}

static idbpq_status write_data(struct push *p, const idbpq_value *key, const idbpq_value *value)
{
    if (!p->cur) IDBPQ__TRY(open_cur(p));
    IDBPQ__TRY(idbpq__dfile_write(p->cur, key, value, 0, &p->e));
    p->written++;
    if ((p->written & 4095) == 0 && p->in->opts->progress) {
        idbpq_sync_progress pr = {"write", p->written, 0};
        p->in->opts->progress(p->in->opts->progress_ctx, &pr);
    }
    if (idbpq__dfile_bytes(p->cur) >= p->target) return close_cur(p);
    return IDBPQ_OK;
}

static idbpq_status write_cdc(struct push *p, const idbpq_value *key, const idbpq_value *value,
                              idbpq_change_type ty)
{
    if (!p->cdc)
        IDBPQ__TRY(idbpq__dfile_open(&p->cdc, p->in->io, p->in->store, p->tmpl, 1, &p->wopts,
                                     p->in->alc, &p->e));
    p->cdc_rows = 1;
    return idbpq__dfile_write(p->cdc, key, value, (int)ty, &p->e);
}

/* ---- the files and their key ranges --------------------------------------------------------- */

static int span_cmp(const void *x, const void *y)
{
    const struct span *a = x, *b = y;
    return idbpq__dkey_cmp(a->r.lo, a->r.lo_n, b->r.lo, b->r.lo_n);
}

static idbpq_status load_spans(struct push *p)
{
    idbpq_table *t = p->in->table;
    uint64_t n = t ? idbpq_table_file_count(t) : 0;
    if (!n) return IDBPQ_OK;
    p->spans = idbpq__calloc(p->in->alc, (size_t)n * sizeof *p->spans);
    if (!p->spans) return IDBPQ_NOMEM;
    p->n_spans = (size_t)n;
    for (uint64_t i = 0; i < n; i++) {
        struct span *s = &p->spans[i];
        s->index = i;
        s->add = idbpq_table_file_at(t, i);
        s->r = idbpq__drange_of_tags(&p->ranges, s->add->tags, s->add->n_tags);
        if (!s->r.lo)
            return idbpq__verr(p->err, IDBPQ_UNSUPPORTED, 0,
                               "data file %s has no idbpq key range tags (written by another "
                               "engine): sync cannot tell which keys it holds", s->add->path);
    }
    qsort(p->spans, p->n_spans, sizeof *p->spans, span_cmp);
    for (size_t i = 1; i < p->n_spans; i++)
        if (idbpq__dkey_cmp(p->spans[i - 1].r.hi, p->spans[i - 1].r.hi_n, p->spans[i].r.lo,
                            p->spans[i].r.lo_n) >= 0)
            return idbpq__verr(p->err, IDBPQ_CORRUPT, 0, "data files' key ranges overlap (at %s)",
                               p->spans[i].add->path);
    return IDBPQ_OK;
}

/* Which file each change goes to; marks the affected files. */
static void assign(struct push *p)
{
    const struct idbpq__chgset *c = p->in->changes;
    size_t f = 0;
    for (size_t i = 0; i < p->n_spans; i++) p->spans[i].c_begin = p->spans[i].c_end = 0;
    size_t i = 0;
    for (f = 0; f < p->n_spans; f++) {
        struct span *s = &p->spans[f];
        s->c_begin = i;
        /* File f takes keys below the next file's first key (the first file also those
         * before it; the last file everything after). */
        while (i < c->n && (f + 1 == p->n_spans ||
                            idbpq__dkey_cmp(c->v[i].sk, c->v[i].skn, p->spans[f + 1].r.lo,
                                            p->spans[f + 1].r.lo_n) < 0))
            i++;
        s->c_end = i;
        /* A delete past the file's range removes nothing: it does not make the file
         * affected on its own. */
        for (size_t k = s->c_begin; k < s->c_end && !s->affected; k++)
            if (c->v[k].value ||
                (idbpq__dkey_cmp(c->v[k].sk, c->v[k].skn, s->r.lo, s->r.lo_n) >= 0 &&
                 idbpq__dkey_cmp(c->v[k].sk, c->v[k].skn, s->r.hi, s->r.hi_n) <= 0))
                s->affected = 1;
    }
    /* A small unaffected neighbour after an affected file joins its rewrite. */
    for (f = 0; f + 1 < p->n_spans; f++)
        if (p->spans[f].affected == 1 && !p->spans[f + 1].affected &&
            p->spans[f + 1].add->size < p->target / 4)
            p->spans[f + 1].affected = 2;
}

/* ---- rewriting a run of files --------------------------------------------------------------- */

static idbpq_status next_row(struct push *p, idbpq_table_scan *sc, idbpq_value **k,
                             idbpq_value **v, int *has)
{
    idbpq_vbatch_reset(p->rb);
    *has = 0;
    idbpq_status st = idbpq_table_scan_next(sc, p->rb, k, v, p->err);
    if (st == IDBPQ_END) return IDBPQ_OK;
    if (st != IDBPQ_OK) return st;
    if (!*k) return idbpq__verr(p->err, IDBPQ_CORRUPT, 0, "a row of the table has no key");
    /* Keep the previous row's key to check the files really are in key order: a merge
     * over unordered rows would put changes in the wrong place without a word. */
    idbpq_buffer t = p->prev;
    p->prev = p->sk;
    p->sk = t;
    IDBPQ__TRY(idbpq__sk_of(*k, p->rb, &p->sk, p->err));
    if (p->prev.len && idbpq__dkey_cmp(p->prev.data, p->prev.len, p->sk.data, p->sk.len) >= 0)
        return idbpq__verr(p->err, IDBPQ_CORRUPT, 0, "the table's rows are not in key order (a "
                           "data file written by another engine?)");
    *has = 1;
    return IDBPQ_OK;
}

/* Files [a, b] of the spans (adjacent, all affected) merged with their changes. */
static idbpq_status rewrite_run(struct push *p, size_t a, size_t b)
{
    const struct idbpq__chgset *c = p->in->changes;
    uint64_t *idx = idbpq__malloc(p->in->alc, (b - a + 1) * sizeof *idx);
    if (!idx) return IDBPQ_NOMEM;
    for (size_t f = a; f <= b; f++) idx[f - a] = p->spans[f].index;
    idbpq_record_reader_opts ro;
    idbpq_record_reader_opts_init(&ro);
    idbpq_table_scan *sc = NULL;
    idbpq_status st = idbpq_table_scan_files(&sc, p->in->table, idx, b - a + 1, &ro, p->err);
    idbpq__free(p->in->alc, idx, (b - a + 1) * sizeof *idx);
    if (st != IDBPQ_OK) return st;
    p->prev.len = p->sk.len = 0;
    size_t ci = p->spans[a].c_begin, ce = p->spans[b].c_end;
    idbpq_value *rk = NULL, *rv = NULL;
    int has = 0;
    st = next_row(p, sc, &rk, &rv, &has);
    uint64_t n = 0;
    while (st == IDBPQ_OK && (has || ci < ce)) {
        if ((++n & 1023) == 0 && push_aborted(p)) {
            st = idbpq__verr(p->err, IDBPQ_ABORTED, 0, "sync aborted");
            break;
        }
        int cmp = has && ci < ce ? idbpq__dkey_cmp(p->sk.data, p->sk.len, c->v[ci].sk, c->v[ci].skn)
                : has ? -1 : 1;
        if (cmp < 0) {
            st = write_data(p, rk, rv);
            p->copied++;
            if (st == IDBPQ_OK) st = next_row(p, sc, &rk, &rv, &has);
            continue;
        }
        const struct idbpq__chg *ch = &c->v[ci++];
        if (cmp == 0) {
            if (ch->value) {
                st = write_data(p, ch->key, ch->value);
                if (st == IDBPQ_OK) st = write_cdc(p, rk, rv, IDBPQ_CHANGE_UPDATE_PREIMAGE);
                if (st == IDBPQ_OK) st = write_cdc(p, ch->key, ch->value, IDBPQ_CHANGE_UPDATE_POSTIMAGE);
                p->upd++;
            } else {
                st = write_cdc(p, rk, rv, IDBPQ_CHANGE_DELETE);
                p->del++;
            }
            if (st == IDBPQ_OK) st = next_row(p, sc, &rk, &rv, &has);
        } else if (ch->value) {
            st = write_data(p, ch->key, ch->value);
            if (st == IDBPQ_OK) st = write_cdc(p, ch->key, ch->value, IDBPQ_CHANGE_INSERT);
            p->ins++;
        }
    }
    idbpq_table_scan_free(sc);
    if (st == IDBPQ_OK) st = close_cur(p);
    return perr(p, st);
}

/* A table without files: the changes' inserts and updates into new files. */
static idbpq_status write_new(struct push *p)
{
    const struct idbpq__chgset *c = p->in->changes;
    idbpq_status st = IDBPQ_OK;
    if (!p->tmpl) {
        st = open_cur(p);
        for (size_t i = 0; st == IDBPQ_OK && i < c->n; i++)
            if (c->v[i].value) st = idbpq__dfile_observe(p->cur, c->v[i].key, c->v[i].value, &p->e);
    }
    for (size_t i = 0; st == IDBPQ_OK && i < c->n; i++) {
        if (!c->v[i].value) continue;
        if ((i & 1023) == 1023 && push_aborted(p))
            return idbpq__verr(p->err, IDBPQ_ABORTED, 0, "sync aborted");
        st = write_data(p, c->v[i].key, c->v[i].value);
        p->ins++;
    }
    if (st == IDBPQ_OK) st = close_cur(p);
    return perr(p, st);
}

/* ---- the commit ----------------------------------------------------------------------------- */

static idbpq_status commit(struct push *p, int rewrote)
{
    const struct idbpq__push_in *in = p->in;
    struct idbpq__dtx *x = NULL;
    idbpq_status st = idbpq__dtx_begin(&x, in->io, in->table, in->alc, &p->e);
    if (st == IDBPQ_OK && (!in->table || p->tmpl_inferred) && p->n_done)
        st = idbpq__dtx_set_metadata(x, (const char *)p->schema.data, p->needs_variant,
                                     p->needs_column_mapping, in->store, NULL, 0, &p->e);
    for (size_t i = 0; st == IDBPQ_OK && i < p->n_done; i++)
        st = idbpq__dtx_add(x, &p->infos[i], 1, &p->e);
    for (size_t i = 0; st == IDBPQ_OK && i < p->n_spans; i++)
        if (p->spans[i].affected) {
            st = idbpq__dtx_remove(x, p->spans[i].add, 1, &p->e);
            p->out->files_removed++;
        }
    if (st == IDBPQ_OK && p->cdc_rows) st = idbpq__dtx_cdc(x, &p->cdc_info, &p->e);
    if (st == IDBPQ_OK) st = idbpq__dtx_app(x, in->app_id, in->txn_version, &p->e);
    char m[512];
    if (rewrote)
        snprintf(m, sizeof m,
                 "{\"numTargetRowsInserted\":\"%llu\",\"numTargetRowsUpdated\":\"%llu\","
                 "\"numTargetRowsDeleted\":\"%llu\",\"numTargetRowsCopied\":\"%llu\","
                 "\"numTargetFilesAdded\":\"%zu\",\"numTargetFilesRemoved\":\"%llu\","
                 "\"numTargetChangeFilesAdded\":\"%d\"}",
                 (unsigned long long)p->ins, (unsigned long long)p->upd,
                 (unsigned long long)p->del, (unsigned long long)p->copied, p->n_done,
                 (unsigned long long)p->out->files_removed, p->cdc_rows);
    else
        snprintf(m, sizeof m, "{\"numFiles\":\"%zu\",\"numOutputRows\":\"%llu\"}", p->n_done,
                 (unsigned long long)p->ins);
    if (st == IDBPQ_OK)
        st = idbpq__dtx_operation(x, rewrote ? "MERGE" : in->table ? "WRITE" : "CREATE TABLE", m,
                                  &p->e);
    uint64_t log_bytes = 0;
    if (st == IDBPQ_OK) {
        uint32_t ma = in->opts->max_attempts ? in->opts->max_attempts : 20;
        st = idbpq__dtx_commit(x, ma, in->opts->checkpoint_interval, &p->out->version,
                               &p->out->attempts, &log_bytes, &p->e);
    }
    p->out->bytes_written += log_bytes;
    idbpq__dtx_free(x);
    return perr(p, st);
}

static idbpq_status push_init(struct push *p, const struct idbpq__push_in *in,
                              struct idbpq__push_out *out, idbpq_error *err)
{
    memset(p, 0, sizeof *p);
    p->in = in;
    p->out = out;
    p->err = err;
    if (err) err->msg[0] = 0;
    p->wopts = in->opts->writer;
    p->target = in->opts->target_file_bytes ? in->opts->target_file_bytes : (8u << 20);
    /* Row groups no larger than a file, so a file closes near its target. */
    if (!p->wopts.parquet.row_group_bytes || p->wopts.parquet.row_group_bytes > p->target)
        p->wopts.parquet.row_group_bytes = p->target;
    idbpq_buffer_init(&p->sk, in->alc);
    idbpq_buffer_init(&p->prev, in->alc);
    idbpq_buffer_init(&p->schema, in->alc);
    idbpq__arena_init(&p->ranges, in->alc);
    return idbpq_vbatch_create(&p->rb, in->alc);
}

static void push_free(struct push *p)
{
    const struct idbpq__push_in *in = p->in;
    /* Files of a failed attempt stay unreferenced; vacuum removes them. */
    if (p->cur) {
        struct idbpq__dfile_info dummy;
        idbpq__dfile_close(p->cur, 0, &dummy, &p->e);
        idbpq__dfile_free(p->cur);
    }
    for (size_t i = 0; i < p->n_done; i++) idbpq__dfile_free(p->done[i]);
    if (p->cdc) idbpq__dfile_free(p->cdc);
    idbpq__free(in->alc, p->done, p->cap_done * sizeof *p->done);
    idbpq__free(in->alc, p->infos, p->cap_done * sizeof *p->infos);
    idbpq__free(in->alc, p->spans, p->n_spans * sizeof *p->spans);
    idbpq__arena_free(&p->ranges);
    if (p->tmpl) idbpq__dtemplate_free(p->tmpl);
    idbpq_vbatch_free(p->rb);
    idbpq_buffer_free(&p->sk);
    idbpq_buffer_free(&p->prev);
    idbpq_buffer_free(&p->schema);
}

/* ---- a bulk push: the whole store into a table without files, streamed ------------------- */

struct idbpq__bulk {
    struct push p;
    struct idbpq__push_in in;
};

idbpq_status idbpq__bulk_open(struct idbpq__bulk **out, const struct idbpq__push_in *in,
                              struct idbpq__push_out *res, idbpq_error *err)
{
    struct idbpq__bulk *b = idbpq__calloc(in->alc, sizeof *b);
    if (!b) return IDBPQ_NOMEM;
    b->in = *in;
    idbpq_status st = push_init(&b->p, &b->in, res, err);
    if (st != IDBPQ_OK) {
        idbpq__bulk_free(b);
        return st;
    }
    *out = b;
    return IDBPQ_OK;
}

/* Records in key order; the first file infers the schema from its first records (one pass),
 * later files share it. */
idbpq_status idbpq__bulk_write(struct idbpq__bulk *b, const idbpq_value *key,
                               const idbpq_value *value)
{
    b->p.ins++;
    return perr(&b->p, write_data(&b->p, key, value));
}

idbpq_status idbpq__bulk_commit(struct idbpq__bulk *b)
{
    struct push *p = &b->p;
    idbpq_status st = perr(p, close_cur(p));
    p->out->files_added = p->n_done;
    if (st == IDBPQ_OK && p->n_done) st = commit(p, 0);
    return st;
}

void idbpq__bulk_free(struct idbpq__bulk *b)
{
    if (!b) return;
    if (b->p.in) push_free(&b->p);
    idbpq__free(b->in.alc, b, sizeof *b);
}

idbpq_status idbpq__sync_push(const struct idbpq__push_in *in, struct idbpq__push_out *out,
                              idbpq_error *err)
{
    struct push p;
    idbpq_status st = push_init(&p, in, out, err);
    if (st == IDBPQ_OK) st = load_spans(&p);
    if (st == IDBPQ_OK && p.n_spans) {
        size_t first = 0;
        for (size_t i = 0; i < p.n_spans; i++)
            if (p.spans[i].index < p.spans[first].index) first = i;
        st = idbpq__dtemplate_load(&p.tmpl, in->table, p.spans[first].index, in->alc, &p.e);
        st = perr(&p, st);
    }
    int rewrote = 0;
    if (st == IDBPQ_OK && !p.n_spans) {
        st = write_new(&p);
    } else if (st == IDBPQ_OK) {
        assign(&p);
        for (size_t a = 0; st == IDBPQ_OK && a < p.n_spans;) {
            if (!p.spans[a].affected) { a++; continue; }
            size_t b = a;
            while (b + 1 < p.n_spans && p.spans[b + 1].affected) b++;
            st = rewrite_run(&p, a, b);
            rewrote = 1;
            a = b + 1;
        }
    }
    if (st == IDBPQ_OK && p.cdc) {
        st = idbpq__dfile_close(p.cdc, p.cdc_rows, &p.cdc_info, &p.e);
        if (st == IDBPQ_OK && p.cdc_rows) {
            out->cdc_files = 1;
            out->bytes_written += p.cdc_info.size;
        }
        st = perr(&p, st);
    }
    out->files_added = p.n_done;
    if (st == IDBPQ_OK && (p.n_done || p.out->files_removed || rewrote)) st = commit(&p, rewrote);
    else if (st == IDBPQ_OK) out->version = -1;  /* only deletes of keys the table lacks */
    push_free(&p);
    return st;
}
