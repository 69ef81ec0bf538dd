/* test_codec.c — page codecs: round trips at every level, streams made by other tools (zlib
 * members, the gzip and zstd CLIs, hand-built Hadoop LZ4 frames), and hostile input
 * (truncation, bit flips, wrong declared sizes) that must give CORRUPT without overruns. */
#include "test.h"

#include "codec/codec.h"

#include <lz4.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

static const int all_codecs[] = {IDBPQ_CODEC_UNCOMPRESSED, IDBPQ_CODEC_SNAPPY, IDBPQ_CODEC_GZIP,
                                 IDBPQ_CODEC_BROTLI,       IDBPQ_CODEC_LZ4,    IDBPQ_CODEC_ZSTD,
                                 IDBPQ_CODEC_LZ4_RAW};
#define N_CODECS (sizeof all_codecs / sizeof all_codecs[0])

/* Random bytes (incompressible) or a text-like mix with repeats (compressible). */
static uint8_t *make_data(size_t n, int compressible, uint64_t *rs)
{
    uint8_t *p = malloc(n ? n : 1);
    static const char *words[] = {"parquet ", "column ", "page ", "row group ", "zstd ", "\0\0\0"};
    size_t i = 0;
    while (i < n) {
        if (compressible) {
            const char *w = words[idbpq_test_rand(rs) % 6];
            size_t wl = w[0] ? strlen(w) : 3;
            for (size_t k = 0; k < wl && i < n; k++) p[i++] = (uint8_t)w[k];
        } else {
            p[i++] = (uint8_t)idbpq_test_rand(rs);
        }
    }
    return p;
}

/* Decompresses into a buffer with a guard zone after dst_len; checks the guard. */
static idbpq_status dec_guarded(struct idbpq__codec_ctx *c, int codec, const uint8_t *src,
                                size_t n, size_t dst_len, uint8_t **out, struct idbpq__err *err)
{
    uint8_t *dst = malloc(dst_len + 64);
    memset(dst, 0xA5, dst_len + 64);
    idbpq_status st = c ? idbpq__decompress_ctx(c, codec, src, n, dst, dst_len, err)
                        : idbpq__decompress(codec, src, n, dst, dst_len, err);
    for (size_t i = dst_len; i < dst_len + 64; i++)
        if (dst[i] != 0xA5) {
            idbpq_test_fail(__FILE__, __LINE__, "codec %d wrote past dst_len %zu", codec, dst_len);
            break;
        }
    if (out) *out = dst;
    else free(dst);
    return st;
}

static int levels_of(int codec, int *lv)
{
    switch (codec) {
    case IDBPQ_CODEC_GZIP: lv[0] = 0; lv[1] = 1; lv[2] = 6; lv[3] = 9; return 4;
    case IDBPQ_CODEC_BROTLI: lv[0] = 0; lv[1] = 1; lv[2] = 5; lv[3] = 11; return 4;
    case IDBPQ_CODEC_ZSTD: lv[0] = 0; lv[1] = -5; lv[2] = 1; lv[3] = 19; return 4;
    case IDBPQ_CODEC_LZ4:
    case IDBPQ_CODEC_LZ4_RAW: lv[0] = 0; lv[1] = -10; lv[2] = 4; lv[3] = 12; return 4;
    default: lv[0] = 0; return 1;
    }
}

TEST(codec_round_trip_every_codec_and_level)
{
    uint64_t rs = idbpq_test_seed() ^ 0xc0dec;
    static const size_t sizes[] = {0, 1, 7, 1000, 70000, 600000};
    struct idbpq__codec_ctx *ctx;
    REQUIRE_OK(idbpq__codec_ctx_create(&ctx, NULL));
    for (size_t ci = 0; ci < N_CODECS; ci++) {
        int codec = all_codecs[ci], lv[4], nl = levels_of(codec, lv);
        for (int li = 0; li < nl; li++)
            for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
                for (int comp = 0; comp < 2; comp++) {
                    size_t n = sizes[si];
                    if (lv[li] > 9 && n > 70000) continue; /* slow levels: smaller inputs */
                    uint8_t *src = make_data(n, comp, &rs);
                    struct idbpq__buf out;
                    struct idbpq__err err = {0};
                    idbpq__buf_init(&out, NULL);
                    /* alternate ctx and one-shot API so both paths are exercised */
                    idbpq_status st = (si & 1) ? idbpq__compress(codec, lv[li], src, n, &out, &err)
                                               : idbpq__compress_ctx(ctx, codec, lv[li], src, n,
                                                                     &out, &err);
                    if (st) {
                        idbpq_test_fail(__FILE__, __LINE__, "compress codec %d level %d n %zu: %s",
                                        codec, lv[li], n, err.msg);
                    } else {
                        if (comp && n >= 70000 && codec != IDBPQ_CODEC_UNCOMPRESSED)
                            CHECK(out.len < n / 2);
                        uint8_t *dst;
                        st = dec_guarded((si & 2) ? NULL : ctx, codec, out.p, out.len, n, &dst,
                                         &err);
                        if (st)
                            idbpq_test_fail(__FILE__, __LINE__, "decompress codec %d level %d n %zu: %s",
                                            codec, lv[li], n, err.msg);
                        else if (n && memcmp(dst, src, n) != 0)
                            idbpq_test_fail(__FILE__, __LINE__, "codec %d level %d n %zu: bytes differ",
                                            codec, lv[li], n);
                        free(dst);
                    }
                    idbpq__buf_free(&out);
                    free(src);
                }
    }
    idbpq__codec_ctx_free(ctx);
}

TEST(codec_empty_input_is_valid_everywhere)
{
    for (size_t ci = 0; ci < N_CODECS; ci++) {
        struct idbpq__err err = {0};
        CHECK_OK(idbpq__decompress(all_codecs[ci], NULL, 0, NULL, 0, &err));
        /* but nothing cannot stand for something */
        uint8_t d[4];
        CHECK_EQ_INT(idbpq__decompress(all_codecs[ci], NULL, 0, d, 4, &err), IDBPQ_CORRUPT);
        /* a real stream of nothing (what our writer emits for an empty page), into no buffer */
        struct idbpq__buf out;
        idbpq__buf_init(&out, NULL);
        REQUIRE_OK(idbpq__compress(all_codecs[ci], 0, NULL, 0, &out, &err));
        if (idbpq__decompress(all_codecs[ci], out.p, out.len, NULL, 0, &err) != IDBPQ_OK)
            idbpq_test_fail(__FILE__, __LINE__, "codec %d: empty stream into NULL: %s",
                            all_codecs[ci], err.msg);
        idbpq__buf_free(&out);
    }
}

TEST(codec_unsupported_and_bad_levels)
{
    struct idbpq__err err = {0};
    uint8_t d[4] = {1, 2, 3, 4};
    struct idbpq__buf out;
    idbpq__buf_init(&out, NULL);
    CHECK_EQ_INT(idbpq__decompress(IDBPQ_CODEC_LZO, d, 4, d, 4, &err), IDBPQ_UNSUPPORTED);
    CHECK(strstr(err.msg, "LZO") != NULL);
    CHECK_EQ_INT(idbpq__compress(IDBPQ_CODEC_LZO, 0, d, 4, &out, &err), IDBPQ_UNSUPPORTED);
    CHECK_EQ_INT(idbpq__decompress(99, d, 4, d, 4, &err), IDBPQ_UNSUPPORTED);
    CHECK_EQ_INT(idbpq__compress(-3, 0, d, 4, &out, &err), IDBPQ_UNSUPPORTED);
    CHECK_EQ_INT(idbpq__compress(IDBPQ_CODEC_GZIP, 10, d, 4, &out, &err), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__compress(IDBPQ_CODEC_BROTLI, 12, d, 4, &out, &err), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__compress(IDBPQ_CODEC_ZSTD, 1000, d, 4, &out, &err), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(out.len, 0);
    idbpq__buf_free(&out);
}

TEST(codec_size_mismatch_is_corrupt_and_never_overruns)
{
    uint64_t rs = idbpq_test_seed() ^ 0x5123;
    size_t n = 5000;
    uint8_t *src = make_data(n, 1, &rs);
    for (size_t ci = 0; ci < N_CODECS; ci++) {
        int codec = all_codecs[ci];
        struct idbpq__buf out;
        struct idbpq__err err = {0};
        idbpq__buf_init(&out, NULL);
        REQUIRE_OK(idbpq__compress(codec, 0, src, n, &out, &err));
        size_t wrong[] = {0, 1, n - 1, n + 1, n * 2};
        for (size_t w = 0; w < 5; w++) {
            err.msg[0] = 0;
            idbpq_status st = dec_guarded(NULL, codec, out.p, out.len, wrong[w], NULL, &err);
            if (st != IDBPQ_CORRUPT)
                idbpq_test_fail(__FILE__, __LINE__, "codec %d dst_len %zu: status %d", codec,
                                wrong[w], st);
            CHECK(strstr(err.msg, "declared") != NULL || strstr(err.msg, "snappy") != NULL);
        }
        idbpq__buf_free(&out);
    }
    /* the documented message shape */
    struct idbpq__buf out;
    struct idbpq__err err = {0};
    idbpq__buf_init(&out, NULL);
    REQUIRE_OK(idbpq__compress(IDBPQ_CODEC_SNAPPY, 0, src, 1234, &out, &err));
    uint8_t *dst = malloc(2000);
    CHECK_EQ_INT(idbpq__decompress(IDBPQ_CODEC_SNAPPY, out.p, out.len, dst, 1233, &err),
                 IDBPQ_CORRUPT);
    CHECK_EQ_STR(err.msg, "snappy: data does not decompress to the declared 1233 bytes");
    free(dst);
    idbpq__buf_free(&out);
    free(src);
}

TEST(codec_corrupt_input_never_crashes)
{
    uint64_t rs = idbpq_test_seed() ^ 0xbad;
    size_t n = 20000;
    uint8_t *src = make_data(n, 1, &rs);
    struct idbpq__codec_ctx *ctx;
    REQUIRE_OK(idbpq__codec_ctx_create(&ctx, NULL));
    for (size_t ci = 1; ci < N_CODECS; ci++) { /* not UNCOMPRESSED: flips are undetectable */
        int codec = all_codecs[ci];
        struct idbpq__buf out;
        struct idbpq__err err = {0};
        idbpq__buf_init(&out, NULL);
        REQUIRE_OK(idbpq__compress(codec, 0, src, n, &out, &err));
        /* truncation anywhere must be detected */
        for (int t = 0; t < 40; t++) {
            size_t cut = (size_t)(idbpq_test_rand(&rs) % out.len);
            idbpq_status st = dec_guarded(ctx, codec, out.p, cut, n, NULL, &err);
            if (st != IDBPQ_CORRUPT)
                idbpq_test_fail(__FILE__, __LINE__, "codec %d cut at %zu/%zu: status %d", codec,
                                cut, out.len, st);
        }
        /* random flips: OK (harmless flip) or CORRUPT, nothing else, no overrun */
        uint8_t *bad = malloc(out.len);
        for (int t = 0; t < 300; t++) {
            memcpy(bad, out.p, out.len);
            int flips = 1 + (int)(idbpq_test_rand(&rs) % 4);
            for (int f = 0; f < flips; f++)
                bad[idbpq_test_rand(&rs) % out.len] ^= (uint8_t)(1u << (idbpq_test_rand(&rs) % 8));
            idbpq_status st = dec_guarded(ctx, codec, bad, out.len, n, NULL, &err);
            if (st != IDBPQ_OK && st != IDBPQ_CORRUPT)
                idbpq_test_fail(__FILE__, __LINE__, "codec %d flip: status %d", codec, st);
        }
        /* pure garbage */
        for (size_t i = 0; i < out.len; i++) bad[i] = (uint8_t)idbpq_test_rand(&rs);
        idbpq_status st = dec_guarded(ctx, codec, bad, out.len, n, NULL, &err);
        CHECK(st == IDBPQ_CORRUPT);
        free(bad);
        idbpq__buf_free(&out);
    }
    idbpq__codec_ctx_free(ctx);
    free(src);
}

/* A gzip member made directly with zlib (independent of codec.c's deflate set-up). */
static size_t zlib_gzip_member(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, int level)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t len = cap - z.avail_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? len : 0;
}

TEST(codec_gzip_concatenated_members)
{
    uint64_t rs = idbpq_test_seed() ^ 0x92;
    size_t n1 = 3000, n2 = 9000;
    uint8_t *a = make_data(n1 + n2, 1, &rs);
    size_t cap = 2 * (n1 + n2) + 1024;
    uint8_t *z = malloc(cap);
    size_t l1 = zlib_gzip_member(a, n1, z, cap, 1);
    REQUIRE(l1 > 0);
    size_t l2 = zlib_gzip_member(a + n1, n2, z + l1, cap - l1, 9);
    REQUIRE(l2 > 0);
    /* a third, empty member is legal too */
    size_t l3 = zlib_gzip_member(a, 0, z + l1 + l2, cap - l1 - l2, 6);
    REQUIRE(l3 > 0);
    struct idbpq__err err = {0};
    uint8_t *dst;
    CHECK_OK(dec_guarded(NULL, IDBPQ_CODEC_GZIP, z, l1 + l2 + l3, n1 + n2, &dst, &err));
    CHECK_EQ_MEM(dst, a, n1 + n2);
    free(dst);
    /* first member only, but the page claims both */
    CHECK_EQ_INT(dec_guarded(NULL, IDBPQ_CODEC_GZIP, z, l1, n1 + n2, NULL, &err), IDBPQ_CORRUPT);
    /* trailing garbage after the members */
    z[l1 + l2] = 0x42;
    CHECK_EQ_INT(dec_guarded(NULL, IDBPQ_CODEC_GZIP, z, l1 + l2 + 1, n1 + n2, NULL, &err),
                 IDBPQ_CORRUPT);
    free(z);
    free(a);
}

/* Runs a shell command on a temp file; returns the output bytes (malloc'd) or NULL. */
static uint8_t *run_tool(const char *cmd_fmt, const uint8_t *in, size_t n, size_t *out_len)
{
    char inpath[] = "/tmp/idbpq_codec_in_XXXXXX";
    int fd = mkstemp(inpath);
    if (fd < 0) return NULL;
    if (write(fd, in, n) != (ssize_t)n) { close(fd); unlink(inpath); return NULL; }
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, cmd_fmt, inpath);
    FILE *f = popen(cmd, "r");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    if (f) {
        for (;;) {
            if (len == cap) {
                cap = cap ? cap * 2 : 65536;
                buf = realloc(buf, cap);
            }
            size_t r = fread(buf + len, 1, cap - len, f);
            if (!r) break;
            len += r;
        }
        if (pclose(f) != 0) { free(buf); buf = NULL; }
    }
    unlink(inpath);
    *out_len = len;
    return buf;
}

TEST(codec_cross_check_with_gzip_and_zstd_tools)
{
    uint64_t rs = idbpq_test_seed() ^ 0x7001;
    size_t n = 100000;
    uint8_t *src = make_data(n, 1, &rs);
    struct idbpq__err err = {0};
    size_t len;
    /* two members from the gzip tool (`cat a.gz a.gz` is what gzip -c twice makes) */
    uint8_t *gz = run_tool("(gzip -c %1$s; gzip -1 -c %1$s) 2>/dev/null", src, n, &len);
    if (!gz) {
        printf("# gzip tool not available: skipped\n");
    } else {
        uint8_t *dst;
        uint8_t *twice = malloc(2 * n);
        memcpy(twice, src, n);
        memcpy(twice + n, src, n);
        CHECK_OK(dec_guarded(NULL, IDBPQ_CODEC_GZIP, gz, len, 2 * n, &dst, &err));
        CHECK_EQ_MEM(dst, twice, 2 * n);
        free(dst);
        free(twice);
        free(gz);
    }
    /* two concatenated zstd frames from the zstd tool */
    uint8_t *zs = run_tool("(zstd -q -c %1$s; zstd -q -19 -c %1$s) 2>/dev/null", src, n, &len);
    if (!zs) {
        printf("# zstd tool not available: skipped\n");
    } else {
        uint8_t *dst;
        CHECK_OK(dec_guarded(NULL, IDBPQ_CODEC_ZSTD, zs, len, 2 * n, &dst, &err));
        CHECK_EQ_MEM(dst, src, n);
        CHECK_EQ_MEM(dst + n, src, n);
        free(dst);
        free(zs);
    }
    /* and the other direction: our gzip output through the gzip tool */
    struct idbpq__buf out;
    idbpq__buf_init(&out, NULL);
    REQUIRE_OK(idbpq__compress(IDBPQ_CODEC_GZIP, 0, src, n, &out, &err));
    uint8_t *plain = run_tool("gzip -d -c < %s 2>/dev/null", out.p, out.len, &len);
    if (plain) {
        CHECK_EQ_INT(len, n);
        if (len == n) CHECK_EQ_MEM(plain, src, n);
        free(plain);
    }
    idbpq__buf_reset(&out);
    REQUIRE_OK(idbpq__compress(IDBPQ_CODEC_ZSTD, 0, src, n, &out, &err));
    plain = run_tool("zstd -q -d -c < %s 2>/dev/null", out.p, out.len, &len);
    if (plain) {
        CHECK_EQ_INT(len, n);
        if (len == n) CHECK_EQ_MEM(plain, src, n);
        free(plain);
    }
    idbpq__buf_free(&out);
    free(src);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

TEST(codec_lz4_hadoop_framing_and_raw_fallback)
{
    uint64_t rs = idbpq_test_seed() ^ 0x1a4;
    size_t n = 50000;
    uint8_t *src = make_data(n, 1, &rs);
    struct idbpq__err err = {0};
    /* hand-built: three Hadoop frames of uneven sizes, with liblz4 directly */
    size_t parts[] = {10000, 1, n - 10001};
    uint8_t *h = malloc((size_t)LZ4_compressBound((int)n) + 64), *p = h;
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        int c = LZ4_compress_default((const char *)src + off, (char *)p + 8, (int)parts[i],
                                     LZ4_compressBound((int)parts[i]));
        REQUIRE(c > 0);
        put_be32(p, (uint32_t)parts[i]);
        put_be32(p + 4, (uint32_t)c);
        p += 8 + c;
        off += parts[i];
    }
    uint8_t *dst;
    CHECK_OK(dec_guarded(NULL, IDBPQ_CODEC_LZ4, h, (size_t)(p - h), n, &dst, &err));
    CHECK_EQ_MEM(dst, src, n);
    free(dst);
    /* Hadoop frames are not a raw block */
    CHECK_EQ_INT(dec_guarded(NULL, IDBPQ_CODEC_LZ4_RAW, h, (size_t)(p - h), n, NULL, &err),
                 IDBPQ_CORRUPT);
    /* a missing last frame, and a frame that overstates its output */
    CHECK_EQ_INT(dec_guarded(NULL, IDBPQ_CODEC_LZ4, h, (size_t)(p - h) - 5, n, NULL, &err),
                 IDBPQ_CORRUPT);
    put_be32(h, 10001);
    CHECK_EQ_INT(dec_guarded(NULL, IDBPQ_CODEC_LZ4, h, (size_t)(p - h), n, NULL, &err),
                 IDBPQ_CORRUPT);
    /* raw block under codec LZ4 (non_hadoop_lz4_compressed.parquet): fallback */
    int c = LZ4_compress_default((const char *)src, (char *)h, (int)n, LZ4_compressBound((int)n));
    REQUIRE(c > 0);
    CHECK_OK(dec_guarded(NULL, IDBPQ_CODEC_LZ4, h, (size_t)c, n, &dst, &err));
    CHECK_EQ_MEM(dst, src, n);
    free(dst);
    free(h);
    free(src);
}

TEST(codec_lz4_writes_hadoop_frames)
{
    uint64_t rs = idbpq_test_seed() ^ 0x1a5;
    size_t n = 600000; /* > 2 chunks of 256 KiB */
    uint8_t *src = make_data(n, 1, &rs);
    struct idbpq__buf out;
    struct idbpq__err err = {0};
    idbpq__buf_init(&out, NULL);
    REQUIRE_OK(idbpq__compress(IDBPQ_CODEC_LZ4, 0, src, n, &out, &err));
    /* parse the frames independently and decode each with liblz4 */
    uint8_t *dst = malloc(n);
    size_t off = 0, total = 0;
    int frames = 0;
    while (off + 8 <= out.len) {
        uint32_t ul = (uint32_t)out.p[off] << 24 | (uint32_t)out.p[off + 1] << 16 |
                      (uint32_t)out.p[off + 2] << 8 | out.p[off + 3];
        uint32_t cl = (uint32_t)out.p[off + 4] << 24 | (uint32_t)out.p[off + 5] << 16 |
                      (uint32_t)out.p[off + 6] << 8 | out.p[off + 7];
        REQUIRE(off + 8 + cl <= out.len && total + ul <= n);
        int r = LZ4_decompress_safe((const char *)out.p + off + 8, (char *)dst + total, (int)cl,
                                    (int)ul);
        CHECK_EQ_INT(r, ul);
        total += ul;
        off += 8 + cl;
        frames++;
    }
    CHECK_EQ_INT(off, out.len);
    CHECK_EQ_INT(total, n);
    CHECK_EQ_INT(frames, 3);
    CHECK_EQ_MEM(dst, src, n);
    free(dst);
    idbpq__buf_free(&out);
    free(src);
}

/* A counting allocator: every byte the libraries take through our hooks must come back. */
struct counting {
    long long live_bytes, live_blocks, total_blocks;
};
static void *cnt_malloc(void *ctx, size_t n)
{
    struct counting *c = ctx;
    c->live_bytes += (long long)n;
    c->live_blocks++;
    c->total_blocks++;
    return malloc(n);
}
static void *cnt_realloc(void *ctx, void *p, size_t o, size_t n)
{
    struct counting *c = ctx;
    c->live_bytes += (long long)n - (long long)o;
    return realloc(p, n);
}
static void cnt_free(void *ctx, void *p, size_t n)
{
    struct counting *c = ctx;
    c->live_bytes -= (long long)n;
    c->live_blocks--;
    free(p);
}

TEST(codec_ctx_uses_the_allocator_and_frees_everything)
{
    struct counting cnt = {0, 0, 0};
    idbpq_allocator alc = {cnt_malloc, cnt_realloc, cnt_free, &cnt};
    uint64_t rs = idbpq_test_seed() ^ 0xa11;
    size_t n = 40000;
    uint8_t *src = make_data(n, 1, &rs);
    struct idbpq__codec_ctx *ctx;
    REQUIRE_OK(idbpq__codec_ctx_create(&ctx, &alc));
    for (int rep = 0; rep < 2; rep++)
        for (size_t ci = 0; ci < N_CODECS; ci++) {
            struct idbpq__buf out;
            struct idbpq__err err = {0};
            idbpq__buf_init(&out, &alc);
            int level = (all_codecs[ci] == IDBPQ_CODEC_GZIP && rep) ? 3 : 0; /* level change */
            REQUIRE_OK(idbpq__compress_ctx(ctx, all_codecs[ci], level, src, n, &out, &err));
            uint8_t *dst;
            CHECK_OK(dec_guarded(ctx, all_codecs[ci], out.p, out.len, n, &dst, &err));
            CHECK_EQ_MEM(dst, src, n);
            free(dst);
            idbpq__buf_free(&out);
        }
    CHECK(cnt.total_blocks > 5); /* zstd, zlib, brotli, lz4 state went through the hooks */
    idbpq__codec_ctx_free(ctx);
    CHECK_EQ_INT(cnt.live_bytes, 0);
    CHECK_EQ_INT(cnt.live_blocks, 0);
    free(src);
}
