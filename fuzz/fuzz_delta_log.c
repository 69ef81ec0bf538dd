/*
 * fuzz_delta_log.c — the Delta reader's parsers on hostile bytes. Byte 0 picks the parser:
 *   0  a commit (idbpq__delta_commit_parse): on success every action is walked (paths,
 *      percent-decoded names, maps, deletion vector descriptors, protocol lists); on failure
 *      CORRUPT / LIMIT / NOMEM with the file name and line in the message;
 *   1  one JSON value (idbpq__dj_parse): what parses writes out (idbpq__dj_write) as text that
 *      parses again and writes out identically;
 *   2  a deletion vector payload (idbpq__dv_decode): rows come back as sorted, disjoint,
 *      non-adjacent ranges whose lengths add up to the cardinality;
 *   3  a DV file: bytes 1–4 the offset, 5–8 the size, 9–12 the cardinality the log claims,
 *      the rest the file, read through an in-memory table io (idbpq__dv_load, storage 'u'),
 *      and the same bytes as Z85 text of an inline vector (storage 'i').
 * Allocations are bounded by the input: a size read from it never allocates past it.
 */
#include "sync/delta_read.h"

#include <string.h>

#include "fuzz.h"

static void check_rows(const struct idbpq__dv_rows *r)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < r->n_ranges; i++) {
        CHECK(r->r[2 * i] < r->r[2 * i + 1]);
        if (i) CHECK(r->r[2 * i] > r->r[2 * i - 1]); /* disjoint and not adjacent */
        sum += r->r[2 * i + 1] - r->r[2 * i];
    }
    CHECK(sum == r->cardinality);
}

static void walk_file(const struct idbpq__delta_file *f)
{
    CHECK(f->path && f->file && strlen(f->file) <= strlen(f->path));
    for (uint32_t i = 0; i < f->n_partition_values; i++)
        CHECK(f->partition_values[i].key.ptr && (!f->partition_values[i].has_value ||
                                                 f->partition_values[i].value.ptr));
    if (f->dv) CHECK(f->dv->path_or_inline && f->dv->size >= 0 && f->dv->cardinality >= 0);
}

/* An io whose only file is the input ("dv/deletion_vector_<uuid>.bin" for any name). */
struct mem_io {
    const uint8_t *p;
    size_t n;
};

static idbpq_status m_list(void *ctx, const char *dir, idbpq_table_file_fn fn, void *fc,
                           idbpq_error *e)
{
    (void)ctx; (void)dir; (void)fn; (void)fc; (void)e;
    return IDBPQ_OK;
}
static idbpq_status m_open(void *ctx, const char *path, idbpq_source *src, idbpq_error *e)
{
    struct mem_io *m = ctx;
    (void)e;
    idbpq_source_memory(src, m->p, m->n, path);
    return IDBPQ_OK;
}
static void m_close(void *ctx, idbpq_source *src) { (void)ctx; (void)src; }

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 20)) return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    struct idbpq__arena a;
    struct idbpq__err err;
    memset(&err, 0, sizeof err);
    idbpq__arena_init(&a, NULL);
    switch (data[0] & 3) {
    case 0: {
        struct idbpq__delta_commit c;
        memset(&c, 0, sizeof c);
        idbpq_status st = idbpq__delta_commit_parse((const char *)p, n, "f.json", &a, &c, &err);
        if (st != IDBPQ_OK) {
            CHECK(st == IDBPQ_CORRUPT || st == IDBPQ_LIMIT || st == IDBPQ_NOMEM);
            CHECK(strstr(err.msg, "f.json line ") != NULL);
            break;
        }
        for (uint32_t i = 0; i < c.n_adds; i++) walk_file(&c.adds[i]);
        for (uint32_t i = 0; i < c.n_removes; i++) walk_file(&c.removes[i]);
        for (uint32_t i = 0; i < c.n_cdcs; i++) walk_file(&c.cdcs[i]);
        for (uint32_t i = 0; i < c.n_txns; i++) CHECK(c.txns[i].app_id != NULL);
        if (c.protocol) {
            for (uint32_t i = 0; i < c.protocol->n_reader_features; i++)
                CHECK(c.protocol->reader_features[i] != NULL);
            struct idbpq__err e2;
            idbpq_status r = idbpq__delta_check_write(c.protocol, c.metadata, &e2);
            CHECK(r == IDBPQ_OK || r == IDBPQ_UNSUPPORTED || r == IDBPQ_CORRUPT);
        }
        if (c.metadata)
            for (uint32_t i = 0; i < c.metadata->n_configuration; i++)
                CHECK(c.metadata->configuration[i].key.ptr != NULL);
        break;
    }
    case 1: {
        struct idbpq__dj *v;
        idbpq_status st = idbpq__dj_parse(&a, (const char *)p, n, &v, &err);
        if (st != IDBPQ_OK) {
            CHECK(st == IDBPQ_CORRUPT || st == IDBPQ_LIMIT || st == IDBPQ_NOMEM);
            CHECK(strstr(err.msg, "at byte ") != NULL);
            break;
        }
        struct idbpq__buf b1, b2;
        idbpq__buf_init(&b1, NULL);
        idbpq__buf_init(&b2, NULL);
        CHECK(idbpq__dj_write(&b1, v) == IDBPQ_OK);
        struct idbpq__dj *v2;
        CHECK(idbpq__dj_parse(&a, (const char *)b1.p, b1.len, &v2, &err) == IDBPQ_OK);
        CHECK(idbpq__dj_write(&b2, v2) == IDBPQ_OK);
        CHECK(b1.len == b2.len && memcmp(b1.p, b2.p, b1.len) == 0);
        idbpq__buf_free(&b1);
        idbpq__buf_free(&b2);
        break;
    }
    case 2: {
        struct idbpq__dv_rows r;
        idbpq_status st = idbpq__dv_decode(p, n, "dv", 0, &a, &r, &err);
        if (st == IDBPQ_OK) check_rows(&r);
        else CHECK((st == IDBPQ_CORRUPT && strstr(err.msg, "offset")) || st == IDBPQ_NOMEM);
        break;
    }
    default: {
        if (n < 12) break;
        struct mem_io m = { p + 12, n - 12 };
        idbpq_table_io io = { &m, m_list, m_open, m_close, NULL, NULL, NULL, NULL };
        idbpq_table_dv dv = { 'u', "ab" "vBn[lx{q8@P<9BNH/isA", (int32_t)(be32(p) & 0x7fffffff),
                              (int32_t)(be32(p + 4) & 0x7fffffff), (int64_t)be32(p + 8) };
        struct idbpq__dv_rows r;
        idbpq_status st = idbpq__dv_load(&io, &dv, &a, &r, &err);
        if (st == IDBPQ_OK) {
            check_rows(&r);
            CHECK(r.cardinality == (uint64_t)dv.cardinality);
        } else {
            CHECK(st == IDBPQ_CORRUPT || st == IDBPQ_NOMEM || st == IDBPQ_IO);
            CHECK(strstr(err.msg, "deletion_vector_") != NULL);
        }
        /* The file bytes as inline Z85 text: mostly invalid, never a crash. */
        size_t zn = (n - 12) / 5 * 5;
        char *z = xmalloc(zn + 1);
        memcpy(z, p + 12, zn);
        z[zn] = 0;
        dv.storage_type = 'i';
        dv.path_or_inline = z;
        dv.offset = -1;
        if (strlen(z) == zn) (void)idbpq__dv_load(&io, &dv, &a, &r, &err);
        free(z);
        break;
    }
    }
    idbpq__arena_free(&a);
    return 0;
}
