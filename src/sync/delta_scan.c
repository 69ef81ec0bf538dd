/*
 * delta_scan.c — the rows of a snapshot (idbpq_table_scan_*), and the per-file reader the
 * Change Data Feed shares (idbpq__dfr_*). A data file holds physical columns; the table's
 * schema says what the rows are (PROTOCOL.md "Column Mapping", "Partition Value
 * Serialization"; notes §4.4–4.7): column mapping renames physical names (or Parquet field
 * ids) to the schema's, partition values come from the log as typed values, schema columns a
 * file lacks are null, and columns the schema lacks (Spark's `_change_type`) are dropped.
 * Rows a deletion vector deletes are skipped by row index. Files idbpq wrote carry their type
 * map, so their exact (key, value) records are used as they are.
 */
#include "sync/delta_read.h"
#include "mapping/mapping.h"
#include "mapping/read_util.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- the logical layout of rows ------------------------------------------------------------ */

void idbpq__dlayout_free(struct idbpq__dlayout *l)
{
    if (l) idbpq_vbatch_free(l->names);
}

static const char *phys_name(const struct idbpq__dj *field, int mapping)
{
    const char *n = idbpq__dj_str(field, "name");
    const char *p = mapping ? idbpq__dj_str(idbpq__dj_get(field, "metadata"),
                                            "delta.columnMapping.physicalName") : NULL;
    return p ? p : n;
}

idbpq_status idbpq__dlayout_build(struct idbpq__dlayout *l, struct idbpq__arena *a,
                                  const struct idbpq__delta_metadata *md, const char *mapping,
                                  const idbpq_allocator *alc, struct idbpq__err *err)
{
    memset(l, 0, sizeof *l);
    l->mapping = !strcmp(mapping, "name") ? 1 : !strcmp(mapping, "id") ? 2 : 0;
    IDBPQ__TRY(idbpq_vbatch_create(&l->names, alc));
    const struct idbpq__dj *fields = md->schema ? idbpq__dj_get(md->schema, "fields") : NULL;
    if (!fields || fields->kind != IDBPQ__DJ_ARR) return IDBPQ_OK; /* no schema: no columns */
    l->f = idbpq__arena_alloc(a, (fields->n + 1) * sizeof *l->f);
    if (!l->f) return idbpq__fail(err, IDBPQ_NOMEM, "out of memory");
    for (uint32_t i = 0; i < fields->n; i++) {
        const struct idbpq__dj *fd = &fields->items[i];
        struct dl_field *o = &l->f[l->n];
        memset(o, 0, sizeof *o);
        o->name = idbpq__dj_str(fd, "name");
        if (!o->name) return idbpq__fail(err, IDBPQ_CORRUPT, "schemaString: field %u has no name", i);
        o->physical = phys_name(fd, l->mapping);
        if (!idbpq__dj_int(idbpq__dj_get(fd, "metadata"), "delta.columnMapping.id", &o->id))
            o->id = -1;
        o->type = idbpq__dj_get(fd, "type");
        for (uint32_t k = 0; k < md->n_partition_columns; k++)
            if (!strcmp(md->partition_columns[k], o->name)) o->partition = 1;
        idbpq_value *s = idbpq_value_string_utf8(l->names, o->name, strlen(o->name));
        if (!s || !(o->key = idbpq__rd_prop_key(l->names, s)))
            return idbpq__fail(err, IDBPQ_NOMEM, "out of memory");
        l->n++;
    }
    return IDBPQ_OK;
}

/* ---- values ------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD[( |T)HH:MM:SS[.f*]][Z]" to ms since the epoch (UTC); 0 when it does not parse.
 * Partition timestamps without a zone are read as UTC (the writer's zone is unknown). */
static int parse_time(const char *s, double *ms)
{
    int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
    if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) != 3) return 0;
    const char *p = s + n;
    double frac = 0;
    if (*p == ' ' || *p == 'T') {
        int k = 0;
        if (sscanf(p + 1, "%d:%d:%d%n", &h, &mi, &se, &k) != 3) return 0;
        p += 1 + k;
        if (*p == '.') {
            double scale = 0.1;
            for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10) frac += (*p - '0') * scale;
        }
    }
    if (*p == 'Z') p++;
    if (*p) return 0;
    *ms = (double)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000 +
          (double)(int64_t)(frac * 1000);
    return 1;
}

/* A partition value as the value a data column of the schema's type would read as. */
static idbpq_value *part_value(idbpq_vbatch *b, const struct idbpq__dj *type, const idbpq_kv *kv,
                               const idbpq_record_reader_opts *o)
{
    const char *t = type && type->kind == IDBPQ__DJ_STR ? type->str : "string";
    if (!kv || !kv->has_value) return idbpq__rd_simple(b, IDBPQ_V_NULL);
    const char *s = (const char *)kv->value.ptr;
    if (!strcmp(t, "string"))
        return idbpq_value_string_utf8(b, s, kv->value.len);
    if (!*s) return idbpq__rd_simple(b, IDBPQ_V_NULL); /* "" is null for other types */
    if (!strcmp(t, "long") || !strcmp(t, "integer") || !strcmp(t, "short") ||
        !strcmp(t, "byte")) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (*end) return idbpq_value_string_utf8(b, s, kv->value.len);
        if (!strcmp(t, "long") && (o->int64_bigint || v > (1LL << 53) || v < -(1LL << 53)))
            return idbpq__rd_bigint_i64(b, v);
        return idbpq_value_number(b, (double)v);
    }
    if (!strcmp(t, "double") || !strcmp(t, "float") ||
        (!strncmp(t, "decimal", 7) && !o->decimal_string))
        return idbpq_value_number(b, strtod(s, NULL));
    if (!strcmp(t, "boolean")) return idbpq__rd_bool(b, s[0] == 't' || s[0] == 'T');
    if (!strcmp(t, "date") || !strcmp(t, "timestamp") || !strcmp(t, "timestamp_ntz")) {
        double ms;
        if (parse_time(s, &ms)) return idbpq__rd_date(b, ms);
    }
    return idbpq_value_string_utf8(b, s, kv->value.len);
}

/* ---- one data file -------------------------------------------------------------------------- */

struct idbpq__dfr {
    const idbpq_table_io *io;
    const struct idbpq__dlayout *l;
    idbpq_source src;
    int src_open;
    idbpq_reader *r;
    idbpq_record_reader *rr;
    idbpq_record_reader_opts o;
    const char *name;
    const idbpq_kv *pv;
    uint32_t n_pv;
    struct idbpq__arena a;               /* DV ranges, names */
    struct idbpq__dv_rows dv;
    uint64_t dv_at, row;
    idbpq_value **file_key;              /* per layout field: the file's property key, or NULL */
    int native, change_col;
};

void idbpq__dfr_free(struct idbpq__dfr *f)
{
    if (!f) return;
    idbpq_record_reader_free(f->rr);
    idbpq_reader_free(f->r);
    if (f->src_open) f->io->close(f->io->ctx, &f->src);
    idbpq__arena_free(&f->a);
    idbpq__free(NULL, f, sizeof *f);
}

/* The file's top-level column name for each layout field: by physical name, or in id mode
 * by Parquet field_id. */
static idbpq_status map_columns(struct idbpq__dfr *f, idbpq_vbatch *names, struct idbpq__err *err)
{
    const idbpq_schema *s = idbpq_reader_schema(f->r);
    const idbpq_schema_node *root = idbpq_schema_node_at(s, 0);
    f->file_key = idbpq__arena_alloc(&f->a, (f->l->n + 1) * sizeof *f->file_key);
    if (!f->file_key) return idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", f->name);
    for (uint32_t i = 0; i < f->l->n; i++) {
        const struct dl_field *fd = &f->l->f[i];
        f->file_key[i] = NULL;
        for (int32_t k = 0; root && k < root->num_children; k++) {
            const idbpq_schema_node *n = idbpq_schema_node_at(s, root->children[k]);
            int hit = f->l->mapping == 2 ? fd->id >= 0 && n->field_id == fd->id
                                         : !strcmp(n->name, fd->physical);
            if (!hit) continue;
            idbpq_value *v = idbpq_value_string_utf8(names, n->name, strlen(n->name));
            if (!v || !(f->file_key[i] = idbpq__rd_prop_key(names, v)))
                return idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", f->name);
            break;
        }
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__dfr_open(struct idbpq__dfr **out, const idbpq_table_io *io,
                             const struct idbpq__dlayout *l, const char *file,
                             const idbpq_kv *pv, uint32_t n_pv, const idbpq_table_dv *dv,
                             const idbpq_record_reader_opts *opts, int change_col,
                             struct idbpq__err *err)
{
    *out = NULL;
    struct idbpq__dfr *f = idbpq__calloc(NULL, sizeof *f);
    if (!f) return idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", file);
    f->io = io;
    f->l = l;
    f->pv = pv;
    f->n_pv = n_pv;
    f->name = file;
    idbpq__arena_init(&f->a, NULL);
    if (opts) f->o = *opts;
    else idbpq_record_reader_opts_init(&f->o);
    f->o.key_column = NULL; /* taken by the caller from the logical row */
    f->o.nulls_omit = 0;    /* positions stay put; applied to the logical row */
    idbpq_error e;
    memset(&e, 0, sizeof e);
    idbpq_status st = io->open(io->ctx, file, &f->src, &e);
    if (st != IDBPQ_OK) {
        if (st == IDBPQ_END) st = idbpq__fail(err, IDBPQ_CORRUPT, "data file %s is missing", file);
        else idbpq__derr_in(err, &e, st);
        goto fail;
    }
    f->src_open = 1;
    if (f->src.name) {
        char *nm = idbpq__arena_strndup(&f->a, f->src.name, strlen(f->src.name));
        if (nm) f->name = nm;
    }
    char msg[256];
    msg[0] = 0;
    if ((st = idbpq_reader_open(&f->r, &f->src, NULL, NULL, msg, sizeof msg)) != IDBPQ_OK) {
        idbpq__fail(err, st, "%s", msg);
        goto fail;
    }
    if ((st = idbpq_record_reader_open(&f->rr, f->r, &f->o, NULL)) != IDBPQ_OK) {
        idbpq__fail(err, st, "%s", idbpq_reader_errmsg(f->r));
        goto fail;
    }
    f->native = idbpq_record_reader_native(f->rr);
    if (change_col) f->change_col = idbpq__record_reader_extra_column(f->rr, "_change_type");
    if (!f->native && (st = map_columns(f, l->names, err)) != IDBPQ_OK) goto fail;
    if (dv && (st = idbpq__dv_load(io, dv, &f->a, &f->dv, err)) != IDBPQ_OK) goto fail;
    *out = f;
    return IDBPQ_OK;
fail:
    idbpq__dfr_free(f);
    return st;
}

static int deleted(struct idbpq__dfr *f, uint64_t row)
{
    while (f->dv_at < f->dv.n_ranges && f->dv.r[2 * f->dv_at + 1] <= row) f->dv_at++;
    return f->dv_at < f->dv.n_ranges && f->dv.r[2 * f->dv_at] <= row;
}

static idbpq_value *find_prop(const idbpq_value *obj, const idbpq_value *key, uint32_t hint)
{
    uint32_t n = obj->u.object.n;
    const idbpq_prop *p = obj->u.object.props;
    if (hint < n && idbpq_value_equal(p[hint].key, key)) return p[hint].value;
    for (uint32_t i = 0; i < n; i++)
        if (idbpq_value_equal(p[i].key, key)) return p[i].value;
    return NULL;
}

/* The next row not deleted: native (key, value) as the file gives them, or the logical row
 * (key NULL). change: the row's `_change_type` text (NULL when absent). */
idbpq_status idbpq__dfr_next(struct idbpq__dfr *f, idbpq_vbatch *b, idbpq_value **key,
                             idbpq_value **value, const char **change, size_t *change_len,
                             struct idbpq__err *err)
{
    idbpq_value *k, *v;
    for (;;) {
        idbpq_status st = idbpq_record_reader_next(f->rr, b, &k, &v);
        if (st == IDBPQ_END) return st;
        if (st != IDBPQ_OK)
            return idbpq__fail(err, st, "%s", idbpq_record_reader_errmsg(f->rr));
        uint64_t row = f->row++;
        if (!deleted(f, row)) break;
    }
    if (change) {
        *change = NULL;
        *change_len = 0;
        if (f->change_col) idbpq__record_reader_extra_str(f->rr, change, change_len);
    }
    if (f->native) {
        *key = k;
        *value = v;
        return IDBPQ_OK;
    }
    *key = NULL;
    idbpq_value *o = idbpq_value_new(b, IDBPQ_V_OBJECT);
    idbpq_prop *props = idbpq_vbatch_alloc(b, (f->l->n + 1) * sizeof *props);
    if (!o || !props) return idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", f->name);
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->l->n; i++) {
        const struct dl_field *fd = &f->l->f[i];
        idbpq_value *pv;
        if (fd->partition)
            pv = part_value(b, fd->type, idbpq__kv_get(f->pv, f->n_pv, fd->physical), &f->o);
        else if (f->file_key[i] && v->type == IDBPQ_V_OBJECT)
            pv = find_prop(v, f->file_key[i], i);
        else
            pv = NULL;
        if (!pv) pv = idbpq__rd_simple(b, IDBPQ_V_NULL);
        if (!pv) return idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", f->name);
        if (f->o.nulls_omit && pv->type == IDBPQ_V_NULL) continue;
        props[n].key = fd->key;
        props[n].value = pv;
        n++;
    }
    o->u.object.props = props;
    o->u.object.n = n;
    *value = o;
    return IDBPQ_OK;
}

uint64_t idbpq__dfr_row(const struct idbpq__dfr *f) { return f->row; }
const char *idbpq__dfr_name(const struct idbpq__dfr *f) { return f->name; }

/* Takes property key_column out of a logical row as its key; CORRUPT-free: a missing or
 * unusable key column is SCHEMA naming the file and row. */
idbpq_status idbpq__dfr_take_key(struct idbpq__dfr *f, idbpq_vbatch *b, const char *key_column,
                                 idbpq_value *value, idbpq_value **key, struct idbpq__err *err)
{
    uint32_t n = value->u.object.n, i;
    idbpq_value *want = idbpq_value_string_utf8(b, key_column, strlen(key_column));
    if (!want) return idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", f->name);
    for (i = 0; i < n; i++) {
        char tmp[32];
        idbpq_str nm = idbpq__key_name(value->u.object.props[i].key, tmp);
        if (idbpq__str_equal(&nm, &want->u.str)) break;
    }
    if (i == n)
        return idbpq__fail(err, IDBPQ_SCHEMA, "%s: no column %s for the key", f->name, key_column);
    idbpq_key *k = NULL;
    idbpq_error e;
    if (idbpq_key_from_value(b, value->u.object.props[i].value, &k, &e) != IDBPQ_OK ||
        !(*key = idbpq_key_to_value(b, k)))
        return idbpq__fail(err, IDBPQ_SCHEMA, "%s: row %llu: column %s is not a valid key",
                           f->name, (unsigned long long)(f->row - 1), key_column);
    memmove(&value->u.object.props[i], &value->u.object.props[i + 1],
            sizeof *value->u.object.props * (n - i - 1));
    value->u.object.n--;
    return IDBPQ_OK;
}

/* ---- the scan ------------------------------------------------------------------------------- */

struct idbpq_table_scan {
    idbpq_table *t;
    struct idbpq__arena a;
    struct idbpq__dlayout l;
    uint64_t *files, n, at;
    struct idbpq__dfr *cur;
    idbpq_record_reader_opts o;
    double next_key;                     /* generated keys of foreign rows: 1, 2, 3... */
    struct idbpq__err err;
};

void idbpq_table_scan_free(idbpq_table_scan *s)
{
    if (!s) return;
    idbpq__dfr_free(s->cur);
    idbpq__dlayout_free(&s->l);
    idbpq__arena_free(&s->a);
    idbpq__free(NULL, s, sizeof *s);
}

idbpq_status idbpq_table_scan_files(idbpq_table_scan **out, idbpq_table *t,
                                    const uint64_t *files, uint64_t n,
                                    const idbpq_record_reader_opts *opts, idbpq_error *perr)
{
    struct idbpq__err err;
    memset(&err, 0, sizeof err);
    if (!out || !t || (n && !files)) {
        idbpq__fail(&err, IDBPQ_INVALID_ARG, "idbpq_table_scan: NULL argument");
        return idbpq__derr_out(perr, &err);
    }
    *out = NULL;
    idbpq_table_scan *s = idbpq__calloc(NULL, sizeof *s);
    if (!s) {
        idbpq__fail(&err, IDBPQ_NOMEM, "out of memory");
        return idbpq__derr_out(perr, &err);
    }
    s->t = t;
    s->next_key = 1;
    idbpq__arena_init(&s->a, NULL);
    if (opts) s->o = *opts;
    else idbpq_record_reader_opts_init(&s->o);
    if (s->o.key_column) s->o.key_column = idbpq__arena_strndup(&s->a, s->o.key_column, strlen(s->o.key_column));
    s->files = idbpq__arena_alloc(&s->a, (size_t)(n + 1) * sizeof *s->files);
    idbpq_status st = s->files ? IDBPQ_OK : idbpq__fail(&err, IDBPQ_NOMEM, "out of memory");
    for (uint64_t i = 0; st == IDBPQ_OK && i < n; i++) {
        if (files[i] >= idbpq_table_file_count(t))
            st = idbpq__fail(&err, IDBPQ_INVALID_ARG, "file %llu: the snapshot has %llu",
                             (unsigned long long)files[i],
                             (unsigned long long)idbpq_table_file_count(t));
        else s->files[i] = files[i];
    }
    s->n = n;
    if (st == IDBPQ_OK)
        st = idbpq__dlayout_build(&s->l, &s->a, idbpq__table_metadata(t),
                                  idbpq_table_get_meta(t)->column_mapping, NULL, &err);
    if (st != IDBPQ_OK) {
        idbpq_table_scan_free(s);
        return idbpq__derr_out(perr, &err);
    }
    *out = s;
    return IDBPQ_OK;
}

idbpq_status idbpq_table_scan_open(idbpq_table_scan **out, idbpq_table *t,
                                   const idbpq_record_reader_opts *opts, idbpq_error *perr)
{
    uint64_t n = idbpq_table_file_count(t);
    uint64_t *all = idbpq__malloc(NULL, (size_t)(n + 1) * sizeof *all);
    if (!all) {
        struct idbpq__err err;
        idbpq__fail(&err, IDBPQ_NOMEM, "out of memory");
        return idbpq__derr_out(perr, &err);
    }
    for (uint64_t i = 0; i < n; i++) all[i] = i;
    idbpq_status st = idbpq_table_scan_files(out, t, all, n, opts, perr);
    idbpq__free(NULL, all, (size_t)(n + 1) * sizeof *all);
    return st;
}

idbpq_status idbpq_table_scan_next(idbpq_table_scan *s, idbpq_vbatch *b, idbpq_value **key,
                                   idbpq_value **value, idbpq_error *perr)
{
    if (!s || !b || !key || !value) return IDBPQ_INVALID_ARG;
    idbpq__err_clear(&s->err);
    for (;;) {
        if (!s->cur) {
            if (s->at == s->n) return IDBPQ_END;
            const idbpq_table_add *a = idbpq_table_file_at(s->t, s->files[s->at++]);
            idbpq_status st = idbpq__dfr_open(&s->cur, idbpq__table_io(s->t), &s->l, a->file,
                                              a->partition_values, a->n_partition_values,
                                              a->dv, &s->o, 0, &s->err);
            if (st != IDBPQ_OK) {
                idbpq__err_prefix(&s->err, "table %s: ", idbpq__table_where(s->t));
                return idbpq__derr_out(perr, &s->err);
            }
        }
        idbpq_status st = idbpq__dfr_next(s->cur, b, key, value, NULL, NULL, &s->err);
        if (st == IDBPQ_END) {
            idbpq__dfr_free(s->cur);
            s->cur = NULL;
            continue;
        }
        if (st == IDBPQ_OK && !*key) {
            if (s->o.key_column)
                st = idbpq__dfr_take_key(s->cur, b, s->o.key_column, *value, key, &s->err);
            else if (!(*key = idbpq_value_number(b, s->next_key++)))
                st = idbpq__fail(&s->err, IDBPQ_NOMEM, "out of memory");
        }
        if (st != IDBPQ_OK) {
            idbpq__err_prefix(&s->err, "table %s: ", idbpq__table_where(s->t));
            return idbpq__derr_out(perr, &s->err);
        }
        return IDBPQ_OK;
    }
}
