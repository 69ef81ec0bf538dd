/*
 * delta_vacuum.c — idbpq_table_vacuum: deletes the data and change-data files the table no
 * longer needs, as Spark's VACUUM does (notes §3.3: a tombstone protects its file for
 * delta.deletedFileRetentionDuration, 1 week by default).
 *
 * A file under the root or `_change_data/` is deleted when it is not live in the latest
 * snapshot and either its remove is older than the retention, or it is a change-data file of
 * a commit older than the retention, or no action of the log names it (a failed attempt's
 * file: the commit never landed) and its own mtime is older than the retention — a writer
 * still writing or about to commit is younger than that. `_delta_log/` and hidden files are
 * never touched, nor files other than *.parquet. Deleting is idempotent, so a vacuum
 * interrupted halfway is simply rerun.
 */
#include "sync/delta_write.h"

#include <stdlib.h>

#include "sync/delta_read.h"

struct vac {
    idbpq_table *t;
    const char **live;                   /* live files' storage names, sorted */
    size_t n_live;
    struct idbpq__ent *rm, *cdc;         /* sorted by path */
    size_t n_rm, n_cdc;
    int64_t cutoff;                      /* ms: older than this may go */
    int dry_run;
    const char *dir;                     /* "" or "_change_data" */
    const idbpq_table_io *io;
    idbpq_vacuum_result *res;
    struct idbpq__arena *a;
    struct idbpq__err *err;
};

/* The entry of v[0..n) (sorted by path) for path, or NULL. */
static const struct idbpq__ent *find(const struct idbpq__ent *v, size_t n, const char *path)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct idbpq__delta_file *f = v[mid].p;
        int c = strcmp(f->file ? f->file : f->path, path);
        if (!c) return &v[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static int by_file(const void *x, const void *y)
{
    const struct idbpq__delta_file *a = ((const struct idbpq__ent *)x)->p;
    const struct idbpq__delta_file *b = ((const struct idbpq__ent *)y)->p;
    int c = strcmp(a->file ? a->file : a->path, b->file ? b->file : b->path);
    size_t sa = ((const struct idbpq__ent *)x)->seq, sb = ((const struct idbpq__ent *)y)->seq;
    return c ? c : (sa < sb ? -1 : sa > sb);
}

static int same_file(const struct idbpq__ent *x, const struct idbpq__ent *y)
{
    const struct idbpq__delta_file *a = x->p, *b = y->p;
    return !strcmp(a->file ? a->file : a->path, b->file ? b->file : b->path);
}

static int by_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Whether the storage name (decoded) is a live file's. */
static int live_file(const struct vac *v, const char *file)
{
    return bsearch(&file, v->live, v->n_live, sizeof *v->live, by_str) != NULL;
}

static idbpq_status one(void *ctx, const idbpq_table_file *f)
{
    struct vac *v = ctx;
    const char *name = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
    /* Hidden files and the log are never touched, nor anything but Parquet files (what
     * idbpq and other engines write as data): a stray file of the user's stays. */
    size_t nl = strlen(name);
    if (name[0] == '.' || name[0] == '_' || nl < 8 || strcmp(name + nl - 8, ".parquet"))
        return IDBPQ_OK;
    size_t dl = strlen(v->dir);
    char *path = idbpq__arena_alloc(v->a, dl + strlen(name) + 2);
    if (!path) return IDBPQ_NOMEM;
    if (dl) {
        memcpy(path, v->dir, dl);
        path[dl] = '/';
        strcpy(path + dl + 1, name);
    } else {
        strcpy(path, name);
    }
    if (live_file(v, path)) return IDBPQ_OK;
    const struct idbpq__ent *r = find(v->rm, v->n_rm, path), *c = find(v->cdc, v->n_cdc, path);
    int64_t when;
    if (r) {
        const struct idbpq__delta_file *x = r->p;
        when = x->deletion_timestamp >= 0 ? x->deletion_timestamp : r->ts;
    } else if (c) {
        when = c->ts;
    } else {
        when = f->mtime_ms; /* in no commit: a failed attempt's, or one not committed yet */
    }
    if (when < 0 || when >= v->cutoff) return IDBPQ_OK;
    if (!v->dry_run) {
        idbpq_error e;
        memset(&e, 0, sizeof e);
        idbpq_status st = v->io->remove(v->io->ctx, path, &e);
        if (st == IDBPQ_END) return IDBPQ_OK; /* gone already (another vacuum) */
        if (st != IDBPQ_OK)
            return idbpq__fail(v->err, st, "vacuum: deleting %s: %s", path,
                               e.msg[0] ? e.msg : idbpq_status_str(st));
    }
    v->res->files++;
    v->res->bytes += f->size;
    return IDBPQ_OK;
}

idbpq_status idbpq_table_vacuum(const idbpq_table_io *io, int64_t retention_ms, int dry_run,
                                idbpq_vacuum_result *res, const idbpq_allocator *alc,
                                idbpq_error *err)
{
    idbpq_vacuum_result ignored;
    if (!res) res = &ignored;
    memset(res, 0, sizeof *res);
    struct idbpq__err e;
    memset(&e, 0, sizeof e);
    if (!io) {
        idbpq__fail(&e, IDBPQ_INVALID_ARG, "vacuum: no table");
        return idbpq__derr_out(err, &e);
    }
    alc = idbpq__alc(alc);
    idbpq_table *t = NULL;
    idbpq_status st = idbpq_table_open(&t, io, -1, alc, err);
    if (st == IDBPQ_END) return IDBPQ_OK; /* no table: nothing to vacuum */
    if (st != IDBPQ_OK) return st;
    if (retention_ms < 0) {
        const struct idbpq__delta_metadata *m = idbpq__table_metadata(t);
        retention_ms = idbpq__retention_ms(
            m ? idbpq__kv_find(m->configuration, m->n_configuration,
                               "delta.deletedFileRetentionDuration") : NULL,
            604800000);
    }
    struct idbpq__arena a;
    idbpq__arena_init(&a, alc);
    struct idbpq__gather g;
    idbpq__gather_init(&g, &a, alc);
    st = idbpq__gather(&g, t, &e);
    struct vac v;
    memset(&v, 0, sizeof v);
    v.t = t;
    v.n_live = idbpq_table_file_count(t);
    v.live = idbpq__arena_alloc(&a, sizeof *v.live * (v.n_live + 1));
    if (!v.live) st = IDBPQ_NOMEM;
    for (size_t i = 0; v.live && i < v.n_live; i++) v.live[i] = idbpq_table_file_at(t, i)->file;
    if (v.live) qsort(v.live, v.n_live, sizeof *v.live, by_str);
    v.rm = (struct idbpq__ent *)(void *)g.rm.p;
    v.cdc = (struct idbpq__ent *)(void *)g.cdc.p;
    v.n_rm = idbpq__latest(v.rm, g.rm.len / sizeof *v.rm, by_file, same_file);
    v.n_cdc = idbpq__latest(v.cdc, g.cdc.len / sizeof *v.cdc, by_file, same_file);
    v.cutoff = idbpq__now_ms() - retention_ms;
    v.dry_run = dry_run;
    v.io = io;
    v.res = res;
    v.a = &a;
    v.err = &e;
    idbpq_error le;
    memset(&le, 0, sizeof le);
    static const char *const dirs[] = {"", "_change_data"};
    for (int i = 0; i < 2 && st == IDBPQ_OK; i++) {
        v.dir = dirs[i];
        st = io->list(io->ctx, dirs[i], one, &v, &le);
        if (st != IDBPQ_OK && !e.msg[0])
            idbpq__fail(&e, st, "vacuum: listing %s: %s", i ? dirs[i] : "the table root",
                        le.msg[0] ? le.msg : idbpq_status_str(st));
    }
    idbpq__gather_free(&g);
    idbpq__arena_free(&a);
    idbpq_table_free(t);
    if (st != IDBPQ_OK) return idbpq__derr_out(err, &e);
    return IDBPQ_OK;
}
