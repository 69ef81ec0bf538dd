/*
 * delta_history.c — idbpq_table_log: the commits still in the log, one summary each (what
 * `idbpq table log` and DESCRIBE HISTORY show). Commit times follow the CDF rule (notes §3.6,
 * §6): the in-commit timestamp when there is one, else commitInfo.timestamp, else the commit
 * file's modification time.
 */
#include "sync/delta_read.h"

idbpq_status idbpq_table_log(const idbpq_table_io *io, int64_t from, int64_t to,
                             idbpq_table_commit_fn fn, void *ctx, const idbpq_allocator *alc,
                             idbpq_error *perr)
{
    struct idbpq__err err;
    memset(&err, 0, sizeof err);
    if (!io || !fn) {
        idbpq__fail(&err, IDBPQ_INVALID_ARG, "idbpq_table_log: NULL argument");
        return idbpq__derr_out(perr, &err);
    }
    struct idbpq__arena list, a;
    idbpq__arena_init(&list, alc);
    idbpq__arena_init(&a, alc);
    struct idbpq__buf info;
    idbpq__buf_init(&info, alc);
    struct idbpq__dlog_entry *ent;
    uint32_t n;
    idbpq_status st = idbpq__dlog_list(io, &list, &ent, &n, &err);
    for (uint32_t i = 0; st == IDBPQ_OK && i < n; i++) {
        const struct idbpq__dlog_entry *e = &ent[i];
        if (e->kind != IDBPQ__DLOG_COMMIT || e->version < from || (to >= 0 && e->version > to))
            continue;
        idbpq__arena_reset(&a);
        struct idbpq__delta_commit c;
        memset(&c, 0, sizeof c);
        if ((st = idbpq__delta_commit_read(io, e->version, &a, &c, &err)) != IDBPQ_OK) break;
        idbpq__delta_commit_time(&c, e->mtime);
        idbpq_table_commit tc;
        memset(&tc, 0, sizeof tc);
        tc.version = e->version;
        tc.timestamp = c.timestamp;
        tc.operation = c.operation;
        tc.adds = c.n_adds;
        tc.removes = c.n_removes;
        tc.cdcs = c.n_cdcs;
        tc.protocol = c.protocol != NULL;
        tc.metadata = c.metadata != NULL;
        if (c.commit_info) {
            idbpq__buf_reset(&info);
            if ((st = idbpq__dj_write(&info, c.commit_info)) != IDBPQ_OK ||
                (st = idbpq__buf_push(&info, 0)) != IDBPQ_OK) {
                st = idbpq__fail(&err, IDBPQ_NOMEM, "out of memory");
                break;
            }
            tc.commit_info = (const char *)info.p;
        }
        const char **apps = idbpq__arena_alloc(&a, (c.n_txns + 1) * sizeof *apps);
        int64_t *vers = idbpq__arena_alloc(&a, (c.n_txns + 1) * sizeof *vers);
        if (!apps || !vers) {
            st = idbpq__fail(&err, IDBPQ_NOMEM, "out of memory");
            break;
        }
        for (uint32_t k = 0; k < c.n_txns; k++) {
            apps[k] = c.txns[k].app_id;
            vers[k] = c.txns[k].version;
        }
        tc.n_txns = c.n_txns;
        tc.txn_apps = apps;
        tc.txn_versions = vers;
        if ((st = fn(ctx, &tc)) != IDBPQ_OK) {
            if (!err.msg[0]) idbpq__fail(&err, st, "stopped at version %lld",
                                         (long long)e->version);
            break;
        }
    }
    idbpq__buf_free(&info);
    idbpq__arena_free(&a);
    idbpq__arena_free(&list);
    if (st != IDBPQ_OK) {
        err.status = st;
        return idbpq__derr_out(perr, &err);
    }
    return IDBPQ_OK;
}
