/*
 * test_idb_keys.c — IndexedDB keys: the codings against bytes worked out by hand from
 * indexeddb-on-disk.md §1.5 / §4.3, decoders on truncated and garbled input, seeded random
 * keys through both codings (round trip; memcmp order of the sortable coding and idb_cmp1
 * order of record keys both equal idbpq_key_cmp), conversion from values, key paths, the
 * key generator and idb_cmp1 on metadata and malformed keys.
 */
#include "idb/idb.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>


/* ---- building keys ------------------------------------------------------------------------- */

static idbpq_key knum(double d) { idbpq_key k = {IDBPQ_KEY_NUMBER, {.number = d}}; return k; }
static idbpq_key kdate(double d) { idbpq_key k = {IDBPQ_KEY_DATE, {.number = d}}; return k; }
static idbpq_key kstr(const char *s)
{
    idbpq_key k = {IDBPQ_KEY_STRING, {.str = {s, (uint32_t)strlen(s), 0}}};
    return k;
}
static idbpq_key kbin(const void *p, uint32_t n)
{
    idbpq_key k = {IDBPQ_KEY_BINARY, {.binary = {p, n}}};
    return k;
}
static idbpq_key karr(idbpq_key *items, uint32_t n)
{
    idbpq_key k = {IDBPQ_KEY_ARRAY, {.array = {items, n}}};
    return k;
}

static int enc(const idbpq_key *k, int sortable, const char *hex)
{
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    idbpq_status st = sortable ? idbpq_key_encode_sortable(k, &b) : idbpq_key_encode_leveldb(k, &b);
    char got[1024] = "";
    for (size_t i = 0; i < b.len && 2 * i + 2 < sizeof got; i++)
        snprintf(got + 2 * i, 3, "%02x", b.data[i]);
    int ok = st == IDBPQ_OK && strcmp(got, hex) == 0;
    if (!ok) printf("#   encoded %s, expected %s (status %d)\n", got, hex, st);
    idbpq_buffer_free(&b);
    return ok;
}

TEST(idb_leveldb_coding_bytes)
{
    idbpq_key k = knum(1.0);
    CHECK(enc(&k, 0, "03000000000000f03f")); /* §1.11 worked example */
    k = kdate(0);
    CHECK(enc(&k, 0, "020000000000000000"));
    k = kstr("id");
    CHECK(enc(&k, 0, "0102006900" "64"));
    uint16_t u[2] = {0xd83d, 0xde00}; /* U+1F600 as a surrogate pair, big-endian on disk */
    k = (idbpq_key){IDBPQ_KEY_STRING, {.str = {u, 2, 1}}};
    CHECK(enc(&k, 0, "0102d83dde00"));
    k = kbin("\x01\xff", 2);
    CHECK(enc(&k, 0, "060201ff"));
    idbpq_key items[2] = {knum(1.0), kstr("a")};
    k = karr(items, 2);
    CHECK(enc(&k, 0, "040203000000000000f03f01010061"));
    k = karr(NULL, 0);
    CHECK(enc(&k, 0, "0400"));
    k = knum(NAN);
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    CHECK_EQ_INT(idbpq_key_encode_leveldb(&k, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(b.len, 0);
    idbpq_buffer_free(&b);
}

TEST(idb_sortable_coding_bytes)
{
    idbpq_key k = knum(1.0);
    CHECK(enc(&k, 1, "10bff0000000000000")); /* §4.3 example */
    k = knum(-1.0);
    CHECK(enc(&k, 1, "10400fffffffffffff"));
    k = knum(0.0);
    CHECK(enc(&k, 1, "108000000000000000"));
    k = knum(-0.0); /* canonical: the same bytes as +0 */
    CHECK(enc(&k, 1, "108000000000000000"));
    k = knum(-INFINITY);
    CHECK(enc(&k, 1, "10000fffffffffffff"));
    k = kdate(1.0);
    CHECK(enc(&k, 1, "20bff0000000000000"));
    k = kstr("ab");
    CHECK(enc(&k, 1, "306263" "00"));
    /* Units at each width's edges, as Chromium 156 wrote them (U+0000, U+007E, U+007F,
     * U+3FFF, U+4000-ish, U+FFFF) */
    static const uint16_t edge[] = {0x0000, 0x007e, 0x007f, 0x00ff, 0x3fff, 0x407e, 0xd800, 0xffff};
    k.type = IDBPQ_KEY_STRING;
    k.u.str = (idbpq_str){edge, 8, 1};
    CHECK(enc(&k, 1, "30" "01" "7f" "807f" "80ff" "bfff" "ff407e" "ffd800" "ffffff" "00"));
    k = kbin("\x00\x01", 2);
    CHECK(enc(&k, 1, "40" "09" "0001000000000000" "02"));
    k = kbin("", 0);
    CHECK(enc(&k, 1, "4000"));
    k = kbin("\xab\xab\xab\xab\xab\xab\xab\xab", 8);
    CHECK(enc(&k, 1, "40" "09" "abababababababab" "08"));
    k = kbin("\xab\xab\xab\xab\xab\xab\xab\xab\xab", 9);
    CHECK(enc(&k, 1, "40" "09" "abababababababab" "09" "ab00000000000000" "01"));
    idbpq_key items[2] = {kstr(""), karr(NULL, 0)};
    k = karr(items, 2);
    CHECK(enc(&k, 1, "5030005000" "00"));
}

static idbpq_status dec(idbpq_vbatch *vb, int sortable, const uint8_t *p, size_t n,
                        idbpq_key **k, size_t *used, idbpq_error *err)
{
    return sortable ? idbpq_key_decode_sortable(vb, p, n, k, used, err)
                    : idbpq_key_decode_leveldb(vb, p, n, k, used, err);
}

TEST(idb_decoders_refuse_bad_input)
{
    idbpq_vbatch *vb;
    REQUIRE_OK(idbpq_vbatch_create(&vb, NULL));
    static const struct { int sortable; const char *bytes; size_t n; uint64_t off; } bad[] = {
        {0, "", 0, 0},
        {0, "\x00", 1, 0},                       /* max-key sentinel */
        {0, "\x05", 1, 0},                       /* min-key sentinel */
        {0, "\x07", 1, 0},                       /* unknown type */
        {0, "\x03\x00\x00", 3, 0},               /* truncated double */
        {0, "\x01\x05\x00\x61", 4, 0},           /* string longer than the input */
        {0, "\x01\x80\x00", 3, 1},               /* non-minimal VarInt */
        {0, "\x06\xff\xff\xff\xff\x0f", 6, 0},   /* binary length past the end */
        {0, "\x04\xff\xff\xff\xff\x0f\x04", 7, 0}, /* array count past the end */
        {0, "\x03\x00\x00\x00\x00\x00\x00\xf8\x7f", 9, 0}, /* NaN */
        {1, "\x30\x62", 2, 2},                   /* no sentinel */
        {1, "\x30\x80\x05\x00", 4, 1},           /* U+0005 in the two-byte form */
        {1, "\x30\xc0\x00\x00", 4, 1},           /* no such lead byte */
        {1, "\x40\x09\x01\x00", 4, 1},           /* truncated group */
        {1, "\x40\x09\x01\x00\x00\x00\x00\x00\x00\x05\x01", 11, 9}, /* padding */
        {1, "\x40\x05", 2, 1},                   /* length byte without a group */
        {1, "\x10\x7f\xff\xff\xff\xff\xff\xff\xff", 9, 0}, /* -0 the long way */
        {1, "\x10\x00\x07\xff\xff\xff\xff\xff\xff", 9, 0}, /* NaN */
        {1, "\x00", 1, 0},
        {1, "\x50\x10", 2, 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        idbpq_key *k = (idbpq_key *)1;
        idbpq_error err = {0};
        size_t used = 99;
        idbpq_status st = dec(vb, bad[i].sortable, (const uint8_t *)bad[i].bytes, bad[i].n, &k,
                              &used, &err);
        if (st != IDBPQ_CORRUPT || k != NULL || err.offset != bad[i].off)
            printf("#   case %zu: status %d offset %llu (%s)\n", i, st,
                   (unsigned long long)err.offset, err.msg);
        CHECK_EQ_INT(st, IDBPQ_CORRUPT);
        CHECK(k == NULL);
        CHECK_EQ_INT(err.offset, bad[i].off);
    }
    /* Depth: 2001 nested arrays decode (levels 0..2000), one more does not. */
    uint8_t deep[2 * 2003];
    for (int d = 2001; d <= 2002; d++) {
        size_t n = 0;
        for (int i = 0; i < d; i++) deep[n++] = 4, deep[n++] = i + 1 < d ? 1 : 0;
        idbpq_key *k;
        idbpq_error err;
        size_t used;
        CHECK_EQ_INT(idbpq_key_decode_leveldb(vb, deep, n, &k, &used, &err),
                     d == 2001 ? IDBPQ_OK : IDBPQ_CORRUPT);
        n = 0;
        for (int i = 0; i < d; i++) deep[n++] = 0x50;
        for (int i = 0; i < d; i++) deep[n++] = 0;
        CHECK_EQ_INT(idbpq_key_decode_sortable(vb, deep, n, &k, &used, &err),
                     d == 2001 ? IDBPQ_OK : IDBPQ_CORRUPT);
    }
    idbpq_vbatch_free(vb);
}

/* ---- seeded random keys --------------------------------------------------------------------- */

static const double interesting[] = {0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-300, -1e-300,
                                     5e-324, -5e-324, 1.7976931348623157e308,
                                     -1.7976931348623157e308, INFINITY, -INFINITY,
                                     9007199254740992.0, 2.0, 3.0, -2.0};

static void rand_key(idbpq_vbatch *vb, uint64_t *s, idbpq_key *k, int depth)
{
    uint64_t r = idbpq_test_rand(s);
    int t = (int)(r % (depth < 3 ? 5 : 4)) + 1;
    r >>= 8;
    switch (t) {
    case IDBPQ_KEY_NUMBER:
    case IDBPQ_KEY_DATE:
        k->type = (idbpq_key_type)t;
        if (r % 3 == 0) {
            k->u.number = interesting[(r >> 4) % (sizeof interesting / sizeof interesting[0])];
        } else {
            uint64_t bits = idbpq_test_rand(s);
            memcpy(&k->u.number, &bits, 8);
            if (isnan(k->u.number)) k->u.number = (double)(int64_t)bits / 1e6;
        }
        return;
    case IDBPQ_KEY_STRING: {
        uint32_t n = (uint32_t)(r % 5);
        int two = (r >> 4) & 1;
        void *d = idbpq_vbatch_alloc(vb, n * 2 + 1);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t c = idbpq_test_rand(s);
            if (two) {
                static const uint16_t pick[] = {0x61, 0x62, 0xe9, 0xff, 0x100, 0xd800, 0xdbff,
                                                0xdc00, 0xdfff, 0xfffd, 0xffff, 0};
                ((uint16_t *)d)[i] = (c & 1) ? pick[(c >> 1) % 12] : (uint16_t)(c >> 8);
            } else {
                ((uint8_t *)d)[i] = (uint8_t)("ab\0\xff\x80z"[(c >> 1) % 6]);
            }
        }
        k->type = IDBPQ_KEY_STRING;
        k->u.str = (idbpq_str){d, n, (uint8_t)two};
        return;
    }
    case IDBPQ_KEY_BINARY: {
        uint32_t n = (uint32_t)(r % 5);
        uint8_t *d = idbpq_vbatch_alloc(vb, n + 1);
        for (uint32_t i = 0; i < n; i++) d[i] = "\x00\x01\x7f\x80\xff"[idbpq_test_rand(s) % 5];
        *k = kbin(d, n);
        return;
    }
    default: {
        uint32_t n = (uint32_t)(r % 4);
        idbpq_key *items = idbpq_vbatch_alloc(vb, (n + 1) * sizeof *items);
        for (uint32_t i = 0; i < n; i++) rand_key(vb, s, &items[i], depth + 1);
        *k = karr(items, n);
    }
    }
}

static int sgn(int x) { return (x > 0) - (x < 0); }

TEST(idb_random_keys_roundtrip_and_order)
{
    uint64_t s = idbpq_test_seed() ^ 0x6b657973;
    idbpq_vbatch *vb;
    REQUIRE_OK(idbpq_vbatch_create(&vb, NULL));
    enum { N = 400 };
    idbpq_key keys[N];
    idbpq_buffer srt[N], ldb[N];
    for (int i = 0; i < N; i++) {
        rand_key(vb, &s, &keys[i], 0);
        idbpq_buffer_init(&srt[i], NULL);
        idbpq_buffer_init(&ldb[i], NULL);
        static const uint8_t prefix[4] = {0, 1, 1, 1}; /* a record key of db 1, store 1 */
        REQUIRE_OK(idbpq__kbuf_append(&ldb[i], prefix, 4));
        REQUIRE_OK(idbpq_key_encode_sortable(&keys[i], &srt[i]));
        REQUIRE_OK(idbpq_key_encode_leveldb(&keys[i], &ldb[i]));
        for (int c = 0; c < 2; c++) {
            idbpq_buffer *bb = c ? &ldb[i] : &srt[i];
            const uint8_t *p = bb->data + (c ? 4 : 0);
            size_t n = bb->len - (c ? 4 : 0);
            idbpq_key *back;
            idbpq_error err;
            size_t used;
            REQUIRE_OK(dec(vb, !c, p, n, &back, &used, &err));
            CHECK_EQ_INT(used, n);
            CHECK_EQ_INT(idbpq_key_cmp(back, &keys[i]), 0);
            idbpq_buffer again;
            idbpq_buffer_init(&again, NULL);
            REQUIRE_OK(c ? idbpq_key_encode_leveldb(back, &again)
                         : idbpq_key_encode_sortable(back, &again));
            /* leveldb keeps -0's bits; the sortable coding is canonical: both give the same
             * bytes again */
            CHECK(again.len == n && memcmp(again.data, p, n) == 0);
            idbpq_buffer_free(&again);
            /* every strict prefix is refused, never read past */
            for (size_t cut = 0; cut < n; cut += 1 + n / 16)
                CHECK_EQ_INT(dec(vb, !c, p, cut, &back, &used, &err), IDBPQ_CORRUPT);
        }
    }
    long pairs = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int want = idbpq_key_cmp(&keys[i], &keys[j]);
            size_t n = srt[i].len < srt[j].len ? srt[i].len : srt[j].len;
            int m = memcmp(srt[i].data, srt[j].data, n);
            if (!m) m = (srt[i].len > srt[j].len) - (srt[i].len < srt[j].len);
            int c1 = idbpq_idb_cmp1(ldb[i].data, ldb[i].len, ldb[j].data, ldb[j].len);
            if (sgn(m) != want || sgn(c1) != want) {
                printf("#   pair %d %d: key_cmp %d, sortable memcmp %d, idb_cmp1 %d\n", i, j,
                       want, sgn(m), sgn(c1));
                CHECK(0);
                i = j = N;
                break;
            }
            CHECK_EQ_INT(idbpq_key_cmp(&keys[j], &keys[i]), -want);
            pairs++;
        }
    CHECK_EQ_INT(pairs, (long)N * N);
    for (int i = 0; i < N; i++) {
        idbpq_buffer_free(&srt[i]);
        idbpq_buffer_free(&ldb[i]);
    }
    idbpq_vbatch_free(vb);
}

TEST(idb_key_cmp_spec_order)
{
    idbpq_key a[] = {knum(-INFINITY), knum(-1), knum(0), knum(INFINITY), kdate(-1), kdate(5),
                     kstr(""), kstr("A"), kstr("a"), kstr("ab"), kstr("\xff"), kbin("", 0),
                     kbin("\x00", 1), kbin("\xff", 1), karr(NULL, 0)};
    size_t n = sizeof a / sizeof a[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            CHECK_EQ_INT(idbpq_key_cmp(&a[i], &a[j]), i < j ? -1 : i > j ? 1 : 0);
    idbpq_key z = knum(-0.0), p = knum(0.0);
    CHECK_EQ_INT(idbpq_key_cmp(&z, &p), 0);
    uint16_t hi[1] = {0xd800};
    uint16_t bmp[1] = {0xffff};
    idbpq_key s1 = {IDBPQ_KEY_STRING, {.str = {hi, 1, 1}}}, s2 = {IDBPQ_KEY_STRING, {.str = {bmp, 1, 1}}};
    CHECK_EQ_INT(idbpq_key_cmp(&s1, &s2), -1); /* code units, not code points */
}
