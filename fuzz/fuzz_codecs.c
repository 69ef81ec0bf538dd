/*
 * fuzz_codecs.c — the page codecs of src/codec on hostile input.
 *
 * Input layout: byte 0 chooses the codec (0..7 are Parquet's, 8 an unknown number) and
 * options, bytes 1..3 the declared uncompressed size (dst_len, at most 256 KiB), byte 4 the
 * compression level; the rest is the data. Then:
 *   1. decompress(data) into a buffer of exactly dst_len bytes (ASan catches any write past
 *      it); on success, the reusable-context path must give the same bytes, and the same data
 *      declared one byte shorter or longer must be refused (the size must match exactly);
 *   2. compress(data) → decompress into exactly len(data) bytes must give the data back.
 */
#include "codec/codec.h"
#include "common/common.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

#define MAX_DST (256u * 1024u)

static void touch_err(const struct idbpq__err *err)
{
    CHECK(memchr(err->msg, 0, sizeof err->msg) != NULL);
}

/* One context for the whole run, as the reader keeps one across pages: state left over from
 * a failed or successful earlier input must not leak into the next. */
static struct idbpq__codec_ctx *g_ctx;

static int codec_readable(int codec)
{
    return codec >= 0 && codec <= 7 && idbpq_codec_can_read((idbpq_codec)codec);
}

static void fuzz_decompress(int codec, const uint8_t *src, size_t n, size_t dst_len,
                            int exact_checks)
{
    struct idbpq__err err = {0};
    uint8_t *dst = xmalloc(dst_len);
    idbpq_status st = idbpq__decompress(codec, src, n, dst, dst_len, &err);
    if (!codec_readable(codec)) CHECK(st == IDBPQ_UNSUPPORTED);
    if (st != IDBPQ_OK) {
        CHECK(st == IDBPQ_CORRUPT || st == IDBPQ_UNSUPPORTED || st == IDBPQ_LIMIT ||
              st == IDBPQ_NOMEM);
        touch_err(&err);
        free(dst);
        return;
    }
    /* The context path decodes the same bytes. */
    uint8_t *dst2 = xmalloc(dst_len);
    st = idbpq__decompress_ctx(g_ctx, codec, src, n, dst2, dst_len, &err);
    if (st != IDBPQ_OK) fprintf(stderr, "ctx decompress: %s\n", err.msg);
    CHECK(st == IDBPQ_OK);
    CHECK(dst_len == 0 || memcmp(dst, dst2, dst_len) == 0);
    free(dst2);
    if (exact_checks) {
        /* The declared size is exact: one byte less or more is CORRUPT. LZ4 is left out, as
         * its Hadoop framing and raw-block fallback may both parse the same bytes. */
        if (dst_len > 0) {
            uint8_t *small = xmalloc(dst_len - 1);
            CHECK(idbpq__decompress(codec, src, n, small, dst_len - 1, &err) != IDBPQ_OK);
            free(small);
        }
        uint8_t *big = xmalloc(dst_len + 1);
        CHECK(idbpq__decompress_ctx(g_ctx, codec, src, n, big, dst_len + 1, &err) != IDBPQ_OK);
        free(big);
    }
    free(dst);
}

static void fuzz_roundtrip(int codec, int level, int use_ctx, const uint8_t *src, size_t n)
{
    if (codec < 0 || codec > 7 || !idbpq_codec_can_write((idbpq_codec)codec)) {
        struct idbpq__buf out;
        struct idbpq__err err = {0};
        idbpq__buf_init(&out, NULL);
        CHECK(idbpq__compress(codec, 0, src, n, &out, &err) != IDBPQ_OK);
        touch_err(&err);
        idbpq__buf_free(&out);
        return;
    }
    struct idbpq__buf out;
    struct idbpq__err err = {0};
    idbpq__buf_init(&out, NULL);
    /* Compression appends: start with some bytes already in the buffer. */
    CHECK(idbpq__buf_append(&out, "xyz", 3) == IDBPQ_OK);
    idbpq_status st = use_ctx ? idbpq__compress_ctx(g_ctx, codec, level, src, n, &out, &err)
                              : idbpq__compress(codec, level, src, n, &out, &err);
    if (st != IDBPQ_OK) {
        /* Only an out-of-range level may be refused. */
        if (level == 0) fprintf(stderr, "compress: %s\n", err.msg);
        CHECK(level != 0);
        touch_err(&err);
        idbpq__buf_free(&out);
        return;
    }
    CHECK(out.len >= 3 && memcmp(out.p, "xyz", 3) == 0);
    uint8_t *back = xmalloc(n);
    st = use_ctx ? idbpq__decompress(codec, out.p + 3, out.len - 3, back, n, &err)
                 : idbpq__decompress_ctx(g_ctx, codec, out.p + 3, out.len - 3, back, n, &err);
    if (st != IDBPQ_OK) fprintf(stderr, "decompress of our own output: %s\n", err.msg);
    CHECK(st == IDBPQ_OK);
    CHECK(n == 0 || memcmp(back, src, n) == 0);
    free(back);
    idbpq__buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5) return 0;
    if (!g_ctx && idbpq__codec_ctx_create(&g_ctx, NULL) != IDBPQ_OK) abort();
    int codec = data[0] % 9;
    int use_ctx = (data[0] / 9) & 1;
    size_t dst_len = ((size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16) % (MAX_DST + 1);
    /* Levels: mostly the default; some small ones, and some out of range for every codec. */
    static const int levels[8] = {0, 0, 0, 1, 2, 3, -1, 1000};
    int level = levels[data[4] & 7];
    const uint8_t *src = data + 5;
    size_t n = size - 5;
    fuzz_decompress(codec, src, n, dst_len, codec != IDBPQ_CODEC_LZ4);
    fuzz_roundtrip(codec, level, use_ctx, src, n);
    return 0;
}
