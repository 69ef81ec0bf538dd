/*
 * delta_changes.c — the Change Data Feed of versions (from, to] (PROTOCOL.md "Add CDC File",
 * "Reader Requirements for AddCDCFile"; notes §6). Per version: when it has cdc actions, only
 * its change-data files, each row typed by its `_change_type`; otherwise every row of files
 * added with dataChange is an insert and every row of files removed with dataChange a delete,
 * except a remove(p, dvA) + add(p, dvB) of one file: the rows dvB deletes and dvA did not are
 * deletes, the rows dvA deleted and dvB does not re-inserts. Rows are typed by the schema of
 * version `to` (the layout of the snapshot there).
 */
#include "sync/delta_read.h"

#include <stdio.h>

enum src_kind { SRC_CDC, SRC_INSERT, SRC_DELETE, SRC_DV_DIFF };

struct src {
    enum src_kind kind;
    const struct idbpq__delta_file *f;   /* the file read (the add for DV_DIFF) */
    const idbpq_table_dv *old_dv;        /* DV_DIFF: the removed add's vector (may be NULL) */
};

struct idbpq_table_changes {
    const idbpq_table_io *io;
    const idbpq_allocator *alc;
    idbpq_table *t;                      /* the snapshot at `to`: schema and names */
    struct idbpq__arena la;              /* the layout */
    struct idbpq__dlayout l;
    idbpq_record_reader_opts o;
    int64_t version, to;
    struct idbpq__arena va;              /* the current version's commit and sources */
    struct idbpq__delta_commit c;
    struct src *srcs;
    uint32_t n_srcs, at;
    struct idbpq__dfr *cur;
    struct idbpq__dv_rows dv_old, dv_new;  /* DV_DIFF */
    uint64_t old_at, new_at;
    double next_key;
    struct idbpq__err err;
};

const char *idbpq_change_type_name(idbpq_change_type t)
{
    switch (t) {
    case IDBPQ_CHANGE_INSERT: return "insert";
    case IDBPQ_CHANGE_UPDATE_PREIMAGE: return "update_preimage";
    case IDBPQ_CHANGE_UPDATE_POSTIMAGE: return "update_postimage";
    case IDBPQ_CHANGE_DELETE: return "delete";
    }
    return "unknown";
}

void idbpq_table_changes_free(idbpq_table_changes *c)
{
    if (!c) return;
    idbpq__dfr_free(c->cur);
    idbpq__dlayout_free(&c->l);
    idbpq__arena_free(&c->la);
    idbpq__arena_free(&c->va);
    idbpq_table_free(c->t);
    idbpq__free(c->alc, c, sizeof *c);
}

idbpq_status idbpq_table_changes_open(idbpq_table_changes **out, const idbpq_table_io *io,
                                      int64_t from, int64_t to,
                                      const idbpq_record_reader_opts *opts,
                                      const idbpq_allocator *alc, idbpq_error *perr)
{
    struct idbpq__err err;
    memset(&err, 0, sizeof err);
    if (!out || !io || from < 0 || (to >= 0 && to < from)) {
        idbpq__fail(&err, IDBPQ_INVALID_ARG, "idbpq_table_changes_open: bad arguments "
                    "(from %lld, to %lld)", (long long)from, (long long)to);
        return idbpq__derr_out(perr, &err);
    }
    *out = NULL;
    idbpq_table_changes *c = idbpq__calloc(alc, sizeof *c);
    if (!c) {
        idbpq__fail(&err, IDBPQ_NOMEM, "out of memory");
        return idbpq__derr_out(perr, &err);
    }
    c->io = io;
    c->alc = alc;
    c->next_key = 1;
    idbpq__arena_init(&c->la, alc);
    idbpq__arena_init(&c->va, alc);
    if (opts) c->o = *opts;
    else idbpq_record_reader_opts_init(&c->o);
    if (c->o.key_column) c->o.key_column = idbpq__arena_strndup(&c->la, c->o.key_column, strlen(c->o.key_column));
    idbpq_status st = idbpq_table_open(&c->t, io, to, alc, perr);
    if (st != IDBPQ_OK) {
        idbpq_table_changes_free(c);
        return st;
    }
    c->to = idbpq_table_get_meta(c->t)->version;
    c->version = from; /* the next version read is from + 1 */
    st = idbpq__dlayout_build(&c->l, &c->la, idbpq__table_metadata(c->t),
                              idbpq_table_get_meta(c->t)->column_mapping, alc, &err);
    if (st != IDBPQ_OK) {
        idbpq_table_changes_free(c);
        return idbpq__derr_out(perr, &err);
    }
    *out = c;
    return IDBPQ_OK;
}

static const struct idbpq__delta_file *find_remove(const struct idbpq__delta_commit *c,
                                                   const char *path)
{
    for (uint32_t i = 0; i < c->n_removes; i++)
        if (c->removes[i].data_change && !strcmp(c->removes[i].path, path)) return &c->removes[i];
    return NULL;
}

static int find_add(const struct idbpq__delta_commit *c, const char *path)
{
    for (uint32_t i = 0; i < c->n_adds; i++)
        if (c->adds[i].data_change && !strcmp(c->adds[i].path, path)) return 1;
    return 0;
}

/* Reads the next version's commit and lists what to read (the rule in the file comment). */
static idbpq_status next_version(idbpq_table_changes *c)
{
    idbpq__arena_reset(&c->va);
    c->version++;
    c->n_srcs = c->at = 0;
    memset(&c->c, 0, sizeof c->c);
    idbpq_status st = idbpq__delta_commit_read(c->io, c->version, &c->va, &c->c, &c->err);
    if (st == IDBPQ_END)
        return idbpq__fail(&c->err, IDBPQ_UNSUPPORTED, "version %lld: its commit is no longer "
                           "in the log", (long long)c->version);
    if (st != IDBPQ_OK) return st;
    const struct idbpq__delta_commit *k = &c->c;
    c->srcs = idbpq__arena_alloc(&c->va, (k->n_adds + k->n_removes + k->n_cdcs + 1) *
                                             sizeof *c->srcs);
    if (!c->srcs) return idbpq__fail(&c->err, IDBPQ_NOMEM, "out of memory");
    if (k->n_cdcs) {
        for (uint32_t i = 0; i < k->n_cdcs; i++)
            c->srcs[c->n_srcs++] = (struct src){ SRC_CDC, &k->cdcs[i], NULL };
        return IDBPQ_OK;
    }
    for (uint32_t i = 0; i < k->n_removes; i++) {
        const struct idbpq__delta_file *f = &k->removes[i];
        if (f->data_change && !find_add(k, f->path))
            c->srcs[c->n_srcs++] = (struct src){ SRC_DELETE, f, NULL };
    }
    for (uint32_t i = 0; i < k->n_adds; i++) {
        const struct idbpq__delta_file *f = &k->adds[i];
        if (!f->data_change) continue;
        const struct idbpq__delta_file *rm = find_remove(k, f->path);
        c->srcs[c->n_srcs++] = rm ? (struct src){ SRC_DV_DIFF, f, rm->dv }
                                  : (struct src){ SRC_INSERT, f, NULL };
    }
    return IDBPQ_OK;
}

static int in_rows(const struct idbpq__dv_rows *r, uint64_t *at, uint64_t row)
{
    while (*at < r->n_ranges && r->r[2 * *at + 1] <= row) (*at)++;
    return *at < r->n_ranges && r->r[2 * *at] <= row;
}

static idbpq_status open_src(idbpq_table_changes *c, const struct src *s)
{
    const struct idbpq__delta_file *f = s->f;
    /* DV_DIFF reads every row and decides by both vectors; the others skip their own. */
    const idbpq_table_dv *dv = s->kind == SRC_DV_DIFF || s->kind == SRC_CDC ? NULL : f->dv;
    idbpq_status st = idbpq__dfr_open(&c->cur, c->io, &c->l, f->file, f->partition_values,
                                      f->n_partition_values, dv, &c->o, s->kind == SRC_CDC,
                                      &c->err);
    if (st == IDBPQ_CORRUPT && s->kind == SRC_DELETE && !idbpq_table_get_meta(c->t)->change_data_feed)
        return idbpq__fail(&c->err, IDBPQ_UNSUPPORTED, "version %lld: removed file %s is gone "
                           "and the table has no change data feed", (long long)c->version,
                           f->file);
    if (st != IDBPQ_OK) return st;
    memset(&c->dv_old, 0, sizeof c->dv_old);
    memset(&c->dv_new, 0, sizeof c->dv_new);
    c->old_at = c->new_at = 0;
    if (s->kind == SRC_DV_DIFF) {
        if (s->old_dv) IDBPQ__TRY(idbpq__dv_load(c->io, s->old_dv, &c->va, &c->dv_old, &c->err));
        if (f->dv) IDBPQ__TRY(idbpq__dv_load(c->io, f->dv, &c->va, &c->dv_new, &c->err));
    }
    return IDBPQ_OK;
}

static idbpq_status change_of(idbpq_table_changes *c, const char *s, size_t n,
                              idbpq_change_type *type)
{
    static const char *const names[] = { "insert", "update_preimage", "update_postimage",
                                         "delete" };
    for (int i = 0; s && i < 4; i++)
        if (strlen(names[i]) == n && !memcmp(s, names[i], n)) {
            *type = (idbpq_change_type)(i + 1);
            return IDBPQ_OK;
        }
    return idbpq__fail(&c->err, IDBPQ_CORRUPT, "%s: a row's _change_type is %s%.*s%s",
                       c->cur ? c->srcs[c->at].f->file : "", s ? "\"" : "missing",
                       s ? (int)n : 0, s ? s : "", s ? "\"" : "");
}

static idbpq_status next_row(idbpq_table_changes *c, idbpq_vbatch *b, idbpq_change_type *type,
                             idbpq_value **key, idbpq_value **value)
{
    for (;;) {
        if (!c->cur) {
            while (c->at == c->n_srcs) {
                if (c->version >= c->to) return IDBPQ_END;
                IDBPQ__TRY(next_version(c));
            }
            IDBPQ__TRY(open_src(c, &c->srcs[c->at]));
        }
        const struct src *s = &c->srcs[c->at];
        const char *ct = NULL;
        size_t ctn = 0;
        idbpq_status st = idbpq__dfr_next(c->cur, b, key, value, &ct, &ctn, &c->err);
        if (st == IDBPQ_END) {
            idbpq__dfr_free(c->cur);
            c->cur = NULL;
            c->at++;
            continue;
        }
        if (st != IDBPQ_OK) return st;
        switch (s->kind) {
        case SRC_CDC: IDBPQ__TRY(change_of(c, ct, ctn, type)); break;
        case SRC_INSERT: *type = IDBPQ_CHANGE_INSERT; break;
        case SRC_DELETE: *type = IDBPQ_CHANGE_DELETE; break;
        case SRC_DV_DIFF: {
            /* The dfr's row counter has passed this row. */
            uint64_t row = idbpq__dfr_row(c->cur) - 1;
            int was = in_rows(&c->dv_old, &c->old_at, row), now = in_rows(&c->dv_new, &c->new_at, row);
            if (was == now) continue;
            *type = now ? IDBPQ_CHANGE_DELETE : IDBPQ_CHANGE_INSERT;
            break;
        }
        }
        if (!*key) {
            if (c->o.key_column)
                IDBPQ__TRY(idbpq__dfr_take_key(c->cur, b, c->o.key_column, *value, key, &c->err));
            else if (!(*key = idbpq_value_number(b, c->next_key++)))
                return idbpq__fail(&c->err, IDBPQ_NOMEM, "out of memory");
        }
        return IDBPQ_OK;
    }
}

idbpq_status idbpq_table_changes_next(idbpq_table_changes *c, idbpq_vbatch *b,
                                      idbpq_change_type *type, int64_t *version,
                                      idbpq_value **key, idbpq_value **value, idbpq_error *perr)
{
    if (!c || !b || !type || !version || !key || !value) return IDBPQ_INVALID_ARG;
    idbpq__err_clear(&c->err);
    idbpq_status st = next_row(c, b, type, key, value);
    if (st == IDBPQ_END) return st;
    if (st != IDBPQ_OK) {
        idbpq__err_prefix(&c->err, "table %s: version %lld: ", idbpq__table_where(c->t),
                          (long long)c->version);
        return idbpq__derr_out(perr, &c->err);
    }
    *version = c->version;
    return IDBPQ_OK;
}
