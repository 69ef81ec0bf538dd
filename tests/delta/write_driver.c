/*
 * write_driver.c — drives the Delta writer (src/sync/delta_file.c, delta_txn.c,
 * delta_commit.c) for suite 76: a table in a directory gets records (tagged JSON lines,
 * {"key":K,"value":V}) put into it or keys deleted from it, the way the sync engine would:
 * a new table infers its schema; later files share the schema of a live file; a key already
 * in the table rewrites the file holding it (copy-on-write), with a change-data file for
 * every change of the commit; keys in no file go to a new file (a blind append when nothing
 * is rewritten).
 *
 *   write_driver put <table> [--keypath P] [--app ID --txn N] [--ckpt N] [--attempts N] < records
 *   write_driver del <table> [--app ID --txn N] [--ckpt N] < keys (tagged JSON, one a line)
 *   write_driver vacuum <table> <retention_ms> [--dry-run]
 * --sleep-ms N waits before committing (two writers then race for one version).
 *
 * Prints one JSON line {"version":V,"attempts":A,"adds":n,"removes":n,"cdc":n}; exit 3 on
 * CONFLICT (message on stderr), 1 on other errors. Built by tests/suites/76_delta_write.sh
 * against the static library (it uses the internal headers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapping/mapping.h"
#include "sync/delta_write.h"

struct rec {
    idbpq_value *key, *value;     /* value NULL: delete */
    uint8_t *sk;                  /* sortable key */
    size_t skn;
    int used;                     /* applied to a rewritten file */
};

static struct rec *recs;
static size_t n_recs, cap_recs;
static idbpq_vbatch *vb;

static int die(idbpq_status st, const char *what, const char *msg)
{
    fprintf(stderr, "write_driver: %s: %s (%s)\n", what, msg ? msg : "", idbpq_status_name(st));
    exit(st == IDBPQ_CONFLICT ? 3 : 1);
}

static void add_rec(idbpq_value *key, idbpq_value *value, const idbpq_keypath *kp)
{
    idbpq_key *k = NULL;
    idbpq_error e;
    idbpq_status st = key ? idbpq_key_from_value(vb, key, &k, &e)
                          : idbpq_key_extract(vb, value, kp, &k, &e);
    if (st != IDBPQ_OK) die(st, "key", e.msg);
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    if (idbpq_key_encode_sortable(k, &b) != IDBPQ_OK) die(IDBPQ_NOMEM, "key", "encode");
    if (n_recs == cap_recs) {
        cap_recs = cap_recs ? cap_recs * 2 : 64;
        recs = realloc(recs, sizeof *recs * cap_recs);
    }
    recs[n_recs++] = (struct rec){key ? key : idbpq_key_to_value(vb, k), value, b.data, b.len, 0};
}

static int sk_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    return c ? c : (an < bn ? -1 : an > bn);
}

static int by_key(const void *x, const void *y)
{
    const struct rec *a = x, *b = y;
    return sk_cmp(a->sk, a->skn, b->sk, b->skn);
}

static uint8_t *unhex(const char *s, size_t *n)
{
    size_t len = strlen(s);
    uint8_t *o = malloc(len / 2 + 1);
    for (size_t i = 0; i + 1 < len; i += 2) {
        unsigned v;
        sscanf(s + i, "%2x", &v);
        o[i / 2] = (uint8_t)v;
    }
    *n = len / 2;
    return o;
}

static const char *tag(const idbpq_table_add *a, const char *k)
{
    return idbpq__kv_find(a->tags, a->n_tags, k);
}

struct out {
    const idbpq_table_io *io;
    const idbpq_store_desc *store;
    struct idbpq__dtemplate *tmpl;
    idbpq_record_writer_opts wo;
    struct idbpq__dfile *files[256];
    size_t n_files;
    struct idbpq__dfile *cdc;
    uint64_t cdc_rows;
    struct idbpq__err err;
};

static struct idbpq__dfile *open_file(struct out *o, int cdc)
{
    struct idbpq__dfile *f;
    idbpq_status st = idbpq__dfile_open(&f, o->io, o->store, o->tmpl, cdc, &o->wo, NULL, &o->err);
    if (st != IDBPQ_OK) die(st, "dfile_open", o->err.msg);
    return f;
}

static void put_row(struct out *o, struct idbpq__dfile *f, const idbpq_value *k, const idbpq_value *v)
{
    idbpq_status st = idbpq__dfile_write(f, o->store->key_path.type ? NULL : k, v, 0, &o->err);
    if (st != IDBPQ_OK) die(st, "dfile_write", o->err.msg);
}

static void change(struct out *o, const idbpq_value *k, const idbpq_value *v, int type)
{
    if (!o->cdc) o->cdc = open_file(o, 1);
    idbpq_status st = idbpq__dfile_write(o->cdc, o->store->key_path.type ? NULL : k, v, type, &o->err);
    if (st != IDBPQ_OK) die(st, "cdc write", o->err.msg);
    o->cdc_rows++;
}

/* The input record for sortable key sk, or NULL. */
static struct rec *lookup(const uint8_t *sk, size_t n)
{
    size_t lo = 0, hi = n_recs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = sk_cmp(recs[mid].sk, recs[mid].skn, sk, n);
        if (!c) return &recs[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* Rewrites live file i of t: its rows with the input's puts and deletes applied. */
static void rewrite(struct out *o, idbpq_table *t, uint64_t i, const uint8_t *lo, size_t lon,
                    const uint8_t *hi, size_t hin)
{
    idbpq_table_scan *s;
    idbpq_error e;
    idbpq_status st = idbpq_table_scan_files(&s, t, &i, 1, NULL, &e);
    if (st != IDBPQ_OK) die(st, "scan", e.msg);
    struct idbpq__dfile *f = open_file(o, 0);
    idbpq_vbatch *b;
    idbpq_vbatch_create(&b, NULL);
    size_t next = 0; /* input records inside [lo, hi] not in the file are inserted in order */
    while (next < n_recs && sk_cmp(recs[next].sk, recs[next].skn, lo, lon) < 0) next++;
    for (;;) {
        idbpq_value *k, *v;
        idbpq_vbatch_reset(b);
        st = idbpq_table_scan_next(s, b, &k, &v, &e);
        if (st == IDBPQ_END) break;
        if (st != IDBPQ_OK) die(st, "scan next", e.msg);
        idbpq_key *kk;
        idbpq_key_from_value(b, k, &kk, &e);
        idbpq_buffer kb;
        idbpq_buffer_init(&kb, NULL);
        idbpq_key_encode_sortable(kk, &kb);
        while (next < n_recs && sk_cmp(recs[next].sk, recs[next].skn, kb.data, kb.len) < 0) {
            if (recs[next].value && !recs[next].used) {
                put_row(o, f, recs[next].key, recs[next].value);
                change(o, recs[next].key, recs[next].value, IDBPQ_CHANGE_INSERT);
            }
            recs[next++].used = 1;
        }
        struct rec *r = lookup(kb.data, kb.len);
        if (!r) {
            put_row(o, f, k, v); /* copied: no change row */
        } else if (r->value) {
            put_row(o, f, r->key, r->value);
            change(o, k, v, IDBPQ_CHANGE_UPDATE_PREIMAGE);
            change(o, r->key, r->value, IDBPQ_CHANGE_UPDATE_POSTIMAGE);
        } else {
            change(o, k, v, IDBPQ_CHANGE_DELETE);
        }
        if (r) r->used = 1, next = (size_t)(r - recs) + 1;
        idbpq_buffer_free(&kb);
    }
    while (next < n_recs && sk_cmp(recs[next].sk, recs[next].skn, hi, hin) <= 0) {
        if (recs[next].value && !recs[next].used) {
            put_row(o, f, recs[next].key, recs[next].value);
            change(o, recs[next].key, recs[next].value, IDBPQ_CHANGE_INSERT);
        }
        recs[next++].used = 1;
    }
    idbpq_table_scan_free(s);
    idbpq_vbatch_free(b);
    o->files[o->n_files++] = f;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: write_driver put|del|vacuum <table> [options]\n");
        return 2;
    }
    const char *cmd = argv[1], *dir = argv[2], *keypath = NULL, *app = NULL;
    int64_t txn = -1;
    uint32_t ckpt = 10, attempts = 20;
    int dry = 0, sleep_ms = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--keypath") && i + 1 < argc) keypath = argv[++i];
        else if (!strcmp(argv[i], "--app") && i + 1 < argc) app = argv[++i];
        else if (!strcmp(argv[i], "--txn") && i + 1 < argc) txn = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--ckpt") && i + 1 < argc) ckpt = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--attempts") && i + 1 < argc) attempts = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dry-run")) dry = 1;
        else if (!strcmp(argv[i], "--sleep-ms") && i + 1 < argc) sleep_ms = atoi(argv[++i]);
    }
    idbpq_table_io io;
    idbpq_error e;
    idbpq_status st = idbpq_table_io_dir(&io, dir, 1, &e);
    if (st != IDBPQ_OK) die(st, "io_dir", e.msg);
    if (!strcmp(cmd, "vacuum")) {
        idbpq_vacuum_result vr;
        st = idbpq_table_vacuum(&io, argc > 3 ? atoll(argv[3]) : -1, dry, &vr, NULL, &e);
        if (st != IDBPQ_OK) die(st, "vacuum", e.msg);
        printf("{\"files\":%llu,\"bytes\":%llu}\n", (unsigned long long)vr.files,
               (unsigned long long)vr.bytes);
        idbpq_table_io_dir_free(&io);
        return 0;
    }
    idbpq_table *t = NULL;
    st = idbpq_table_open(&t, &io, -1, NULL, &e);
    if (st != IDBPQ_OK && st != IDBPQ_END) die(st, "table_open", e.msg);
    idbpq_store_desc sd;
    memset(&sd, 0, sizeof sd);
    const char *paths[1] = {keypath};
    if (keypath) sd.key_path = (idbpq_keypath){1, 1, paths};
    sd.name = "items";
    const idbpq_store_desc *store = t && idbpq_table_get_meta(t)->store ? idbpq_table_get_meta(t)->store : &sd;
    idbpq_vbatch_create(&vb, NULL);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        if (n <= 1) continue;
        idbpq_value *k = NULL, *v = NULL;
        if (!strcmp(cmd, "del")) st = idbpq_tjson_parse(vb, line, (size_t)n, &k, &e);
        else st = idbpq_tjson_parse_record(vb, line, (size_t)n, &k, &v, &e);
        if (st != IDBPQ_OK) die(st, "input", e.msg);
        add_rec(k, v, &store->key_path);
    }
    qsort(recs, n_recs, sizeof *recs, by_key);
    struct out o;
    memset(&o, 0, sizeof o);
    o.io = &io;
    o.store = store;
    idbpq_record_writer_opts_init(&o.wo);
    o.wo.parquet.row_group_bytes = 1 << 20;
    uint64_t nf = t ? idbpq_table_file_count(t) : 0;
    if (nf) {
        st = idbpq__dtemplate_load(&o.tmpl, t, 0, NULL, &o.err);
        if (st != IDBPQ_OK) die(st, "template", o.err.msg);
    }
    struct idbpq__dtx *x;
    st = idbpq__dtx_begin(&x, &io, t, NULL, &o.err);
    if (st != IDBPQ_OK) die(st, "dtx_begin", o.err.msg);
    /* Files holding input keys are rewritten. */
    size_t removed = 0;
    for (uint64_t i = 0; i < nf; i++) {
        const idbpq_table_add *a = idbpq_table_file_at(t, i);
        const char *lo = tag(a, IDBPQ__TAG_MIN_KEY), *hi = tag(a, IDBPQ__TAG_MAX_KEY);
        if (!lo || !hi) continue;
        size_t lon, hin;
        uint8_t *l = unhex(lo, &lon), *h = unhex(hi, &hin);
        int hit = 0;
        for (size_t r = 0; r < n_recs && !hit; r++)
            hit = sk_cmp(recs[r].sk, recs[r].skn, l, lon) >= 0 && sk_cmp(recs[r].sk, recs[r].skn, h, hin) <= 0;
        if (hit) {
            rewrite(&o, t, i, l, lon, h, hin);
            st = idbpq__dtx_remove(x, a, 1, &o.err);
            if (st != IDBPQ_OK) die(st, "dtx_remove", o.err.msg);
            removed++;
        }
        free(l);
        free(h);
    }
    /* The rest of the puts: one new file (inserts). */
    struct idbpq__dfile *rest = NULL;
    for (size_t r = 0; r < n_recs; r++) {
        if (recs[r].used || !recs[r].value) continue;
        if (!rest) {
            rest = open_file(&o, 0);
            if (!o.tmpl)
                for (size_t q = 0; q < n_recs; q++)
                    if (!recs[q].used && recs[q].value)
                        idbpq__dfile_observe(rest, store->key_path.type ? NULL : recs[q].key,
                                             recs[q].value, &o.err);
        }
        put_row(&o, rest, recs[r].key, recs[r].value);
        if (removed) change(&o, recs[r].key, recs[r].value, IDBPQ_CHANGE_INSERT);
    }
    if (rest) o.files[o.n_files++] = rest;
    size_t adds = 0;
    struct idbpq__dfile_info info;
    for (size_t i = 0; i < o.n_files; i++) {
        st = idbpq__dfile_close(o.files[i], 1, &info, &o.err);
        if (st != IDBPQ_OK) die(st, "dfile_close", o.err.msg);
        if (!info.rows) continue; /* everything in it was deleted */
        if (!t && !adds) {
            idbpq_buffer s;
            idbpq_buffer_init(&s, NULL);
            int var = 0, cm = 0;
            st = idbpq__dfile_schema_string(o.files[i], &s, &var, &cm, &o.err);
            if (st == IDBPQ_OK)
                st = idbpq__dtx_set_metadata(x, (const char *)s.data, var, cm, store, NULL, 0, &o.err);
            if (st != IDBPQ_OK) die(st, "metadata", o.err.msg);
            idbpq_buffer_free(&s);
        }
        st = idbpq__dtx_add(x, &info, 1, &o.err);
        if (st != IDBPQ_OK) die(st, "dtx_add", o.err.msg);
        adds++;
    }
    if (o.cdc) {
        st = idbpq__dfile_close(o.cdc, 1, &info, &o.err);
        if (st == IDBPQ_OK) st = idbpq__dtx_cdc(x, &info, &o.err);
        if (st != IDBPQ_OK) die(st, "cdc", o.err.msg);
    }
    if (app) {
        st = idbpq__dtx_app(x, app, txn, &o.err);
        if (st != IDBPQ_OK) die(st, "dtx_app", o.err.msg);
    }
    idbpq__dtx_operation(x, removed ? "MERGE" : t ? "WRITE" : "CREATE TABLE", NULL, &o.err);
    if (sleep_ms) usleep((useconds_t)sleep_ms * 1000); /* lets a rival read the same version */
    int64_t version;
    uint32_t att;
    uint64_t bytes;
    st = idbpq__dtx_commit(x, attempts, ckpt, &version, &att, &bytes, &o.err);
    if (st != IDBPQ_OK) die(st, "commit", o.err.msg);
    printf("{\"version\":%lld,\"attempts\":%u,\"adds\":%zu,\"removes\":%zu,\"cdc\":%d}\n",
           (long long)version, att, adds, removed, o.cdc != NULL);
    idbpq__dtx_free(x);
    for (size_t i = 0; i < o.n_files; i++) idbpq__dfile_free(o.files[i]);
    idbpq__dfile_free(o.cdc);
    idbpq__dtemplate_free(o.tmpl);
    idbpq_table_free(t);
    idbpq_table_io_dir_free(&io);
    for (size_t i = 0; i < n_recs; i++) free(recs[i].sk);
    free(recs);
    free(line);
    idbpq_vbatch_free(vb);
    return 0;
}
