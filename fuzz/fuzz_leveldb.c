/*
 * fuzz_leveldb.c — the LevelDB reader's file formats (src/stores/ldbr_*.c) on hostile input.
 *
 * Byte 0 chooses: bit 0 also replays the rest as a MANIFEST; bit 1 first rewrites the
 * checksums the input would need (every log record's, the index block's and the data blocks'
 * the index names) so that mutations reach the parsers behind the checksums. The rest goes to
 * the log parser (each record also as a write batch) and to the table walker. Bit 2: the rest
 * is instead a small database directory — u16 MANIFEST length, u16 log length, the MANIFEST
 * (MANIFEST-000002), the log (000004.log), the table (000005.ldb) — opened, scanned, sought
 * and measured through the whole reader. Properties:
 *   1. nothing crashes, leaks or reads out of bounds, and no allocation exceeds what the input
 *      can account for (libFuzzer's -malloc_limit_mb / -rss_limit_mb catch the others);
 *   2. every damage report names the file and an offset inside the input;
 *   3. records lie inside the input; table entries have internal keys (>= 8 bytes);
 *   4. a failed parse sets a message.
 */
#include "stores/ldbr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"

static size_t in_size;

static void on_damage(void *ctx, const char *file, uint64_t off, const char *what)
{
    (void)ctx;
    CHECK(file && what && what[0]);
    CHECK(off <= in_size);
}

static idbpq_status on_put(void *ctx, uint64_t seq, int type, const uint8_t *k, size_t kn,
                           const uint8_t *v, size_t vn)
{
    (void)ctx, (void)seq;
    CHECK(type == 0 || type == 1);
    CHECK(type == 1 || (v == NULL && vn == 0));
    volatile uint8_t sink = 0;
    if (kn) sink ^= k[kn - 1];
    if (vn) sink ^= v[vn - 1];
    (void)sink;
    return IDBPQ_OK;
}

static idbpq_status on_rec(void *ctx, const uint8_t *d, size_t n, uint64_t off)
{
    (void)ctx;
    CHECK(off < in_size);
    CHECK(n <= in_size);
    idbpq_error err;
    err.msg[0] = 0;
    idbpq_status st = idbpq__ldbr_batch_parse(d, n, on_put, NULL, &err);
    CHECK(st == IDBPQ_OK || (st == IDBPQ_CORRUPT && err.msg[0]));
    return IDBPQ_OK;
}

static idbpq_status on_entry(void *ctx, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
    (void)ctx;
    CHECK(kn >= 8);
    volatile uint8_t sink = k[kn - 1];
    if (vn) sink ^= v[vn - 1];
    (void)sink;
    return IDBPQ_OK;
}

static uint32_t mask(uint32_t c) { return ((c >> 15) | (c << 17)) + 0xa282ead8u; }

/* Log records: the checksum of each physical record whose length fits its block. */
static void fix_log(uint8_t *p, size_t n)
{
    size_t pos = 0;
    while (pos + 7 <= n) {
        size_t left = 32768 - pos % 32768;
        if (left < 7) { pos += left; continue; }
        size_t len = idbpq__le16(p + pos + 4);
        if (7 + len > left || 7 + len > n - pos) { pos += left; continue; }
        idbpq__st_le32(p + pos, mask(idbpq__crc32c(0, p + pos + 6, 1 + len)));
        pos += 7 + len;
    }
}

/* A block's trailer checksum, when the block lies inside the input. */
static int fix_block(uint8_t *p, size_t n, uint64_t off, uint64_t size)
{
    if (off > n || size > n - off || 5 > n - off - size) return 0;
    idbpq__st_le32(p + off + size + 1, mask(idbpq__crc32c(0, p + off, (size_t)size + 1)));
    return 1;
}

/* Table: the index block, and the data blocks an uncompressed index names. */
static void fix_table(uint8_t *p, size_t n)
{
    uint64_t io, is;
    if (n < 48 || ldbr_footer(p + n - 48, n, &io, &is) || !fix_block(p, n, io, is)) return;
    if (p[io + is] != 0) return;
    struct ldbr_bit ix;
    ldbr_bit_init(&ix, NULL);
    if (ldbr_bit_set(&ix, p + io, (size_t)is) == 0)
        for (int r = ldbr_bit_first(&ix); r == 0 && ix.valid; r = ldbr_bit_next(&ix)) {
            const uint8_t *q = ix.val;
            uint64_t bo, bs;
            if (ldbr_handle(&q, q + ix.vn, &bo, &bs) == 0 && bo + bs < io) fix_block(p, n, bo, bs);
        }
    ldbr_bit_free(&ix);
}

static void put_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

static char dir[64];
static const char *const names[] = {"CURRENT", "MANIFEST-000002", "000004.log", "000005.ldb"};

static void remove_dir(void)
{
    char path[300];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void whole_db(const uint8_t *p, size_t n)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/fuzz_leveldb_XXXXXX");
        if (!mkdtemp(dir)) abort();
        atexit(remove_dir);
    }
    if (n < 4) return;
    size_t mn = idbpq__le16(p), ln = idbpq__le16(p + 2);
    p += 4, n -= 4;
    if (mn > n) mn = n;
    if (ln > n - mn) ln = n - mn;
    in_size = n; /* offsets are within one of the files */
    put_file(dir, names[0], (const uint8_t *)"MANIFEST-000002\n", 16);
    put_file(dir, names[1], p, mn);
    put_file(dir, names[2], p + mn, ln);
    put_file(dir, names[3], p + mn + ln, n - mn - ln);
    struct idbpq__ldbr_opts o;
    memset(&o, 0, sizeof o);
    o.damage = on_damage;
    idbpq__ldbr *db;
    idbpq_error err;
    err.msg[0] = 0;
    idbpq_status st = idbpq__ldbr_open(&db, dir, &o, &err);
    if (st != IDBPQ_OK) {
        CHECK(err.msg[0]);
        return;
    }
    idbpq__ldbr_iter *it;
    if (idbpq__ldbr_iter_create(db, &it, &err) == IDBPQ_OK) {
        uint8_t first[16];
        size_t fn = 0;
        int count = 0;
        for (st = idbpq__ldbr_iter_seek(it, NULL, 0, &err); st == IDBPQ_OK && count < 100000;
             st = idbpq__ldbr_iter_next(it, &err), count++) {
            size_t kn, vn;
            const uint8_t *k = idbpq__ldbr_iter_key(it, &kn);
            idbpq__ldbr_iter_value(it, &vn);
            if (count == 0) memcpy(first, k, fn = kn < 16 ? kn : 16);
        }
        CHECK(st == IDBPQ_END || st == IDBPQ_OK || err.msg[0]);
        (void)idbpq__ldbr_iter_seek(it, first, fn, &err);
        idbpq__ldbr_iter_free(it);
        idbpq_buffer out;
        idbpq_buffer_init(&out, NULL);
        (void)idbpq__ldbr_get(db, first, fn, &out, &err);
        idbpq_buffer_free(&out);
        uint64_t bytes;
        (void)idbpq__ldbr_approx_size(db, first, fn, NULL, 0, &bytes, &err);
    }
    idbpq__ldbr_close(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (data[0] & 4) {
        whole_db(data + 1, size - 1);
        return 0;
    }
    uint8_t *copy = malloc(size);
    if (!copy) return 0;
    memcpy(copy, data, size);
    const uint8_t *p = copy + 1;
    size_t n = size - 1;
    if (data[0] & 2) {
        fix_log(copy + 1, n);
        fix_table(copy + 1, n);
    }
    in_size = n;
    idbpq_status st = idbpq__ldbr_log_parse(p, n, "fuzz.log", on_rec, NULL, on_damage, NULL, NULL);
    CHECK(st == IDBPQ_OK);
    idbpq_error err;
    err.msg[0] = 0;
    st = idbpq__ldbr_table_walk(p, n, "fuzz.ldb", on_entry, NULL, on_damage, NULL, NULL, &err);
    CHECK(st == IDBPQ_OK || (st == IDBPQ_CORRUPT && err.msg[0]));
    if (data[0] & 1) {
        struct idbpq__ldbr_version v;
        err.msg[0] = 0;
        st = idbpq__ldbr_manifest_replay(p, n, "MANIFEST-000001", &v, on_damage, NULL, NULL, &err);
        CHECK(st == IDBPQ_OK || (st == IDBPQ_CORRUPT && err.msg[0]));
        for (size_t i = 0; st == IDBPQ_OK && i < v.nfiles; i++) {
            CHECK(v.files[i].level >= 0 && v.files[i].level < 7);
            CHECK(v.files[i].sn >= 8 && v.files[i].ln >= 8);
        }
        idbpq__ldbr_version_free(&v);
    }
    free(copy);
    return 0;
}
