/*
 * fuzz_keys.c — IndexedDB key decoders and comparators on hostile bytes.
 *
 * For both codings (Chromium's LevelDB IDBKey coding and the SQLite sortable coding):
 *   1. decode the input; on success re-encoding must give exactly the bytes consumed, the key
 *      must equal itself, and key -> value -> key must give an equal key;
 *   2. byte 0 cuts the rest into two pieces; when both decode, idbpq_key_cmp must be
 *      antisymmetric and agree with memcmp of their sortable encodings.
 * idb_cmp1 on whole LevelDB keys: cmp(x, x) == 0 and antisymmetry on the two pieces.
 * Errors must be CORRUPT (or LIMIT / NOMEM) with an offset inside the input.
 */
#include "idb/idb.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

static int sgn(int x) { return (x > 0) - (x < 0); }

static idbpq_key *decode(idbpq_vbatch *b, int sortable, const uint8_t *p, size_t n)
{
    idbpq_key *k = NULL;
    idbpq_error err;
    memset(&err, 0, sizeof err);
    size_t used = 0;
    idbpq_status st = sortable ? idbpq_key_decode_sortable(b, p, n, &k, &used, &err)
                               : idbpq_key_decode_leveldb(b, p, n, &k, &used, &err);
    if (st != IDBPQ_OK) {
        CHECK(st == IDBPQ_CORRUPT || st == IDBPQ_LIMIT || st == IDBPQ_NOMEM);
        CHECK(k == NULL);
        CHECK(err.offset <= n);
        CHECK(memchr(err.msg, 0, sizeof err.msg) != NULL);
        return NULL;
    }
    CHECK(k != NULL && used <= n);
    idbpq_buffer out;
    idbpq_buffer_init(&out, NULL);
    CHECK((sortable ? idbpq_key_encode_sortable(k, &out) : idbpq_key_encode_leveldb(k, &out)) ==
          IDBPQ_OK);
    CHECK(out.len == used && (used == 0 || memcmp(out.data, p, used) == 0));
    idbpq_buffer_free(&out);
    CHECK(idbpq_key_cmp(k, k) == 0);
    idbpq_value *v = idbpq_key_to_value(b, k);
    CHECK(v != NULL);
    idbpq_key *back = NULL;
    CHECK(idbpq_key_from_value(b, v, &back, &err) == IDBPQ_OK);
    CHECK(idbpq_key_cmp(k, back) == 0);
    return k;
}

static int sortable_memcmp(const idbpq_key *a, const idbpq_key *b)
{
    idbpq_buffer x, y;
    idbpq_buffer_init(&x, NULL);
    idbpq_buffer_init(&y, NULL);
    CHECK(idbpq_key_encode_sortable(a, &x) == IDBPQ_OK);
    CHECK(idbpq_key_encode_sortable(b, &y) == IDBPQ_OK);
    size_t n = x.len < y.len ? x.len : y.len;
    int c = n ? memcmp(x.data, y.data, n) : 0;
    if (!c) c = (x.len > y.len) - (x.len < y.len);
    idbpq_buffer_free(&x);
    idbpq_buffer_free(&y);
    return sgn(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    idbpq_vbatch *b;
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) return 0;
    const uint8_t *rest = size ? data + 1 : data;
    size_t n = size ? size - 1 : 0;
    size_t cut = size && n ? data[0] % (n + 1) : 0;
    for (int sortable = 0; sortable < 2; sortable++) {
        decode(b, sortable, data, size);
        idbpq_key *x = decode(b, sortable, rest, cut);
        idbpq_key *y = decode(b, sortable, rest + cut, n - cut);
        if (x && y) {
            int c = idbpq_key_cmp(x, y);
            CHECK(c >= -1 && c <= 1);
            CHECK(idbpq_key_cmp(y, x) == -c);
            CHECK(sortable_memcmp(x, y) == c);
        }
    }
    CHECK(idbpq_idb_cmp1(data, size, data, size) == 0);
    CHECK(idbpq_idb_cmp1(rest, cut, rest, cut) == 0);
    int c1 = sgn(idbpq_idb_cmp1(rest, cut, rest + cut, n - cut));
    CHECK(sgn(idbpq_idb_cmp1(rest + cut, n - cut, rest, cut)) == -c1);
    idbpq_vbatch_free(b);
    return 0;
}
