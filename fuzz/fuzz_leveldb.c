/*
 * fuzz_leveldb.c — the LevelDB reader's file formats (src/stores/ldbr_*.c) on hostile input.
 *
 * Byte 0 chooses: bit 0 also replays the rest as a MANIFEST. The rest goes to the log parser
 * (each record also as a write batch) and to the table walker. Properties:
 *   1. nothing crashes, leaks or reads out of bounds, and no allocation exceeds what the input
 *      can account for (libFuzzer's -malloc_limit_mb / -rss_limit_mb catch the others);
 *   2. every damage report names the file and an offset inside the input;
 *   3. records lie inside the input; table entries have internal keys (>= 8 bytes);
 *   4. a failed parse sets a message.
 */
#include "stores/leveldb.h"

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                   \
        }                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
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
    return 0;
}
