/*
 * codec.c — page (de)compression for every Parquet codec (Compression.md): UNCOMPRESSED,
 * SNAPPY (raw block), GZIP (RFC 1952, concatenated members on read), BROTLI, LZ4 (deprecated
 * Hadoop framing, raw-block fallback on read), ZSTD (RFC 8878, concatenated frames) and
 * LZ4_RAW. Decompression always goes straight into the caller's dst of the declared size, so
 * a lying page header can never make us allocate more than dst_len plus the libraries' fixed
 * state. Library state (zstd contexts, zlib streams, LZ4 hash tables) lives in a reusable
 * idbpq__codec_ctx; libraries that accept allocator hooks get the handle's allocator.
 */
#include "codec/codec.h"

#include <limits.h>

#ifndef IDBPQ_NO_SNAPPY
#include <snappy-c.h>
#endif
#ifndef IDBPQ_NO_GZIP
#include <zlib.h>
#endif
#ifndef IDBPQ_NO_BROTLI
#include <brotli/decode.h>
#include <brotli/encode.h>
#endif
#if !defined(IDBPQ_NO_LZ4) || !defined(IDBPQ_NO_LZ4_RAW)
#define IDBPQ__WITH_LZ4 1
#include <lz4.h>
#include <lz4hc.h>
#endif
#ifndef IDBPQ_NO_ZSTD
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem: route zstd's memory through our hooks */
#include <zstd.h>
#include <zstd_errors.h>
#endif

struct idbpq__codec_ctx {
    const idbpq_allocator *alc; /* never NULL */
#ifndef IDBPQ_NO_ZSTD
    ZSTD_CCtx *zc;
    ZSTD_DCtx *zd;
#endif
#ifndef IDBPQ_NO_GZIP
    z_stream *def; /* gzip deflate stream, reset between pages */
    int def_level; /* the level def was created with */
    z_stream *inf;
#endif
#ifdef IDBPQ__WITH_LZ4
    void *lz4_state;   /* LZ4_sizeofState() bytes */
    void *lz4hc_state; /* LZ4_sizeofStateHC() bytes */
#endif
};

/* ---- allocator hooks for the libraries -------------------------------------------------------
 * zlib, zstd and brotli free without a size, but idbpq allocators take one: keep the size in a
 * 16-byte header (16 keeps the alignment malloc gave us). */

#define HOOK_HDR 16

/* Helpers some builds (IDBPQ_NO_* for every codec) do not use. */
#if defined(__GNUC__)
#define MAYBE_UNUSED __attribute__((unused))
#else
#define MAYBE_UNUSED
#endif

MAYBE_UNUSED static void *hook_alloc(void *opaque, size_t n)
{
    const idbpq_allocator *alc = opaque;
    if (n > SIZE_MAX - HOOK_HDR) return NULL;
    uint8_t *p = idbpq__malloc(alc, n + HOOK_HDR);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    return p + HOOK_HDR;
}

MAYBE_UNUSED static void hook_free(void *opaque, void *p)
{
    if (!p) return;
    uint8_t *b = (uint8_t *)p - HOOK_HDR;
    size_t n;
    memcpy(&n, b, sizeof n);
    idbpq__free(opaque, b, n + HOOK_HDR);
}

static idbpq_status size_mismatch(struct idbpq__err *err, const char *codec, size_t dst_len)
{
    return idbpq__fail(err, IDBPQ_CORRUPT, "%s: data does not decompress to the declared %zu bytes",
                       codec, dst_len);
}

static idbpq_status not_built(struct idbpq__err *err, int codec)
{
    const char *name = idbpq_codec_name((idbpq_codec)codec);
    if (!name) return idbpq__fail(err, IDBPQ_UNSUPPORTED, "unknown codec %d", codec);
    if (codec == IDBPQ_CODEC_LZO)
        return idbpq__fail(err, IDBPQ_UNSUPPORTED, "codec LZO is not supported");
    return idbpq__fail(err, IDBPQ_UNSUPPORTED, "codec %s not built in", name);
}

MAYBE_UNUSED static idbpq_status bad_level(struct idbpq__err *err, const char *codec, int level, int lo, int hi)
{
    return idbpq__fail(err, IDBPQ_INVALID_ARG, "%s: level %d is out of range %d..%d", codec, level,
                       lo, hi);
}

/* ---- SNAPPY: the raw block format (format_description.txt), no framing ---------------------- */
#ifndef IDBPQ_NO_SNAPPY
static idbpq_status snappy_dec(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len,
                               struct idbpq__err *err)
{
    /* The varint preamble states the length: check it before touching dst. An empty input
     * is not a snappy stream (arrow-rs #7388), so it never reaches the library. */
    size_t ulen = 0;
    if (n == 0 || snappy_uncompressed_length((const char *)src, n, &ulen) != SNAPPY_OK)
        return idbpq__fail(err, IDBPQ_CORRUPT, "snappy: invalid length preamble");
    if (ulen != dst_len) return size_mismatch(err, "snappy", dst_len);
    size_t got = dst_len;
    /* snappy checks every copy against the output bounds and that the output is filled. */
    if (snappy_uncompress((const char *)src, n, (char *)dst, &got) != SNAPPY_OK)
        return idbpq__fail(err, IDBPQ_CORRUPT, "snappy: malformed compressed data");
    if (got != dst_len) return size_mismatch(err, "snappy", dst_len);
    return IDBPQ_OK;
}

static idbpq_status snappy_enc(const uint8_t *src, size_t n, struct idbpq__buf *out,
                               struct idbpq__err *err)
{
    static const uint8_t empty[1] = {0};
    size_t bound = snappy_max_compressed_length(n);
    if (idbpq__buf_reserve(out, bound)) return idbpq__fail(err, IDBPQ_NOMEM, "snappy: out of memory");
    size_t len = bound;
    if (snappy_compress((const char *)(n ? src : empty), n, (char *)out->p + out->len, &len) !=
        SNAPPY_OK)
        return idbpq__fail(err, IDBPQ_NOMEM, "snappy: compression failed");
    out->len += len;
    return IDBPQ_OK;
}
#endif

/* ---- GZIP: RFC 1952 members through zlib ----------------------------------------------------- */
#ifndef IDBPQ_NO_GZIP
static voidpf zhook_alloc(voidpf opaque, uInt items, uInt size)
{
    if (size && items > SIZE_MAX / size) return Z_NULL;
    return hook_alloc(opaque, (size_t)items * size);
}
static void zhook_free(voidpf opaque, voidpf p) { hook_free(opaque, p); }

static idbpq_status gzip_dec(struct idbpq__codec_ctx *c, const uint8_t *src, size_t n,
                             uint8_t *dst, size_t dst_len, struct idbpq__err *err)
{
    if (!c->inf) {
        z_stream *z = hook_alloc((void *)c->alc, sizeof *z);
        if (!z) return idbpq__fail(err, IDBPQ_NOMEM, "gzip: out of memory");
        memset(z, 0, sizeof *z);
        z->zalloc = zhook_alloc;
        z->zfree = zhook_free;
        z->opaque = (voidpf)c->alc;
        /* 15 + 32: gzip or zlib header, detected per member (some writers emit zlib). */
        if (inflateInit2(z, 15 + 32) != Z_OK) {
            hook_free((void *)c->alc, z);
            return idbpq__fail(err, IDBPQ_NOMEM, "gzip: cannot initialise inflate");
        }
        c->inf = z;
    } else if (inflateReset(c->inf) != Z_OK) {
        return idbpq__fail(err, IDBPQ_CORRUPT, "gzip: cannot reset inflate");
    }
    z_stream *z = c->inf;
    size_t in_left = n, out_left = dst_len;
    const uint8_t *in = src;
    uint8_t dummy; /* inflate refuses a NULL next_out even with no room (empty pages) */
    uint8_t *outp = dst ? dst : &dummy;
    /* Compression.md: readers should accept several concatenated members; after each
     * member's end, whatever input remains must be another member. */
    for (;;) {
        uInt in_chunk = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
        uInt out_chunk = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
        z->next_in = (Bytef *)(uintptr_t)in;
        z->avail_in = in_chunk;
        z->next_out = outp;
        z->avail_out = out_chunk;
        int rc = inflate(z, Z_NO_FLUSH);
        size_t used_in = in_chunk - z->avail_in, made = out_chunk - z->avail_out;
        /* Guarded: a NULL destination (empty page) must not see pointer arithmetic. */
        if (used_in) in += used_in;
        in_left -= used_in;
        if (made) outp += made;
        out_left -= made;
        if (rc == Z_STREAM_END) {
            if (in_left == 0) break;
            if (inflateReset(z) != Z_OK)
                return idbpq__fail(err, IDBPQ_CORRUPT, "gzip: cannot reset inflate");
            continue;
        }
        if (rc == Z_OK) continue;
        if (rc == Z_BUF_ERROR) {
            if (used_in || made) continue; /* a chunk boundary past 4 GiB */
            /* No progress possible: the output is full while the member goes on (more data
             * than declared), or the input ended inside a member. */
            if (out_left == 0) return size_mismatch(err, "gzip", dst_len);
            return idbpq__fail(err, IDBPQ_CORRUPT, "gzip: truncated stream");
        }
        if (rc == Z_MEM_ERROR) return idbpq__fail(err, IDBPQ_NOMEM, "gzip: out of memory");
        return idbpq__fail(err, IDBPQ_CORRUPT, "gzip: %s", z->msg ? z->msg : "malformed data");
    }
    if (out_left != 0) return size_mismatch(err, "gzip", dst_len);
    return IDBPQ_OK;
}

static idbpq_status gzip_enc(struct idbpq__codec_ctx *c, int level, const uint8_t *src, size_t n,
                             struct idbpq__buf *out, struct idbpq__err *err)
{
    if (level == 0) level = Z_DEFAULT_COMPRESSION;
    else if (level < 1 || level > 9) return bad_level(err, "gzip", level, 1, 9);
    if (c->def && c->def_level != level) {
        deflateEnd(c->def);
        hook_free((void *)c->alc, c->def);
        c->def = NULL;
    }
    if (!c->def) {
        z_stream *z = hook_alloc((void *)c->alc, sizeof *z);
        if (!z) return idbpq__fail(err, IDBPQ_NOMEM, "gzip: out of memory");
        memset(z, 0, sizeof *z);
        z->zalloc = zhook_alloc;
        z->zfree = zhook_free;
        z->opaque = (voidpf)c->alc;
        /* windowBits 15 + 16: a gzip (RFC 1952) wrapper, as Parquet's GZIP requires. */
        if (deflateInit2(z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            hook_free((void *)c->alc, z);
            return idbpq__fail(err, IDBPQ_NOMEM, "gzip: cannot initialise deflate");
        }
        c->def = z;
        c->def_level = level;
    } else if (deflateReset(c->def) != Z_OK) {
        return idbpq__fail(err, IDBPQ_NOMEM, "gzip: cannot reset deflate");
    }
    z_stream *z = c->def;
    size_t in_left = n;
    const uint8_t *in = src;
    for (;;) {
        /* deflateBound is exact enough for one-shot input; the loop covers > 4 GiB pages. */
        uLong bound = deflateBound(z, in_left > UINT_MAX ? UINT_MAX : (uLong)in_left);
        if (idbpq__buf_reserve(out, bound + 64))
            return idbpq__fail(err, IDBPQ_NOMEM, "gzip: out of memory");
        size_t room = out->cap - out->len;
        uInt in_chunk = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
        uInt out_chunk = room > UINT_MAX ? UINT_MAX : (uInt)room;
        z->next_in = (Bytef *)(uintptr_t)in;
        z->avail_in = in_chunk;
        z->next_out = out->p + out->len;
        z->avail_out = out_chunk;
        int rc = deflate(z, in_chunk == in_left ? Z_FINISH : Z_NO_FLUSH);
        in += in_chunk - z->avail_in;
        in_left -= in_chunk - z->avail_in;
        out->len += out_chunk - z->avail_out;
        if (rc == Z_STREAM_END) return IDBPQ_OK;
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return idbpq__fail(err, IDBPQ_NOMEM, "gzip: deflate failed (%d)", rc);
    }
}
#endif

/* ---- BROTLI ---------------------------------------------------------------------------------- */
#ifndef IDBPQ_NO_BROTLI
static idbpq_status brotli_dec(struct idbpq__codec_ctx *c, const uint8_t *src, size_t n,
                               uint8_t *dst, size_t dst_len, struct idbpq__err *err)
{
    /* The decoder has no reset, so it is made per page; its ring buffer is bounded by the
     * window (16 MiB at most: large windows stay disabled). */
    BrotliDecoderState *d = BrotliDecoderCreateInstance(hook_alloc, hook_free, (void *)c->alc);
    if (!d) return idbpq__fail(err, IDBPQ_NOMEM, "brotli: out of memory");
    size_t avail_in = n, avail_out = dst_len;
    const uint8_t *in = src;
    uint8_t *outp = dst;
    BrotliDecoderResult r =
        BrotliDecoderDecompressStream(d, &avail_in, &in, &avail_out, &outp, NULL);
    idbpq_status st = IDBPQ_OK;
    switch (r) {
    case BROTLI_DECODER_RESULT_SUCCESS:
        if (avail_out != 0) st = size_mismatch(err, "brotli", dst_len);
        else if (avail_in != 0)
            st = idbpq__fail(err, IDBPQ_CORRUPT, "brotli: %zu bytes after the stream", avail_in);
        break;
    case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: st = size_mismatch(err, "brotli", dst_len); break;
    case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
        st = idbpq__fail(err, IDBPQ_CORRUPT, "brotli: truncated stream");
        break;
    case BROTLI_DECODER_RESULT_ERROR:
        st = idbpq__fail(err, IDBPQ_CORRUPT, "brotli: %s",
                         BrotliDecoderErrorString(BrotliDecoderGetErrorCode(d)));
        break;
    }
    BrotliDecoderDestroyInstance(d);
    return st;
}

static idbpq_status brotli_enc(struct idbpq__codec_ctx *c, int level, const uint8_t *src,
                               size_t n, struct idbpq__buf *out, struct idbpq__err *err)
{
    /* Default 8, as Arrow uses: brotli's own default (11) is far too slow for pages. */
    if (level == 0) level = 8;
    else if (level < 1 || level > 11) return bad_level(err, "brotli", level, 1, 11);
    BrotliEncoderState *e = BrotliEncoderCreateInstance(hook_alloc, hook_free, (void *)c->alc);
    if (!e) return idbpq__fail(err, IDBPQ_NOMEM, "brotli: out of memory");
    BrotliEncoderSetParameter(e, BROTLI_PARAM_QUALITY, (uint32_t)level);
    BrotliEncoderSetParameter(e, BROTLI_PARAM_SIZE_HINT, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
    idbpq_status st = IDBPQ_OK;
    size_t avail_in = n;
    const uint8_t *in = src;
    for (;;) {
        size_t want = BrotliEncoderMaxCompressedSize(avail_in);
        if (want == 0 || want > (64u << 20)) want = avail_in / 2 + 65536;
        if (idbpq__buf_reserve(out, want)) {
            st = idbpq__fail(err, IDBPQ_NOMEM, "brotli: out of memory");
            break;
        }
        size_t avail_out = out->cap - out->len;
        uint8_t *o = out->p + out->len;
        if (!BrotliEncoderCompressStream(e, BROTLI_OPERATION_FINISH, &avail_in, &in, &avail_out,
                                         &o, NULL)) {
            st = idbpq__fail(err, IDBPQ_NOMEM, "brotli: compression failed");
            break;
        }
        out->len = (size_t)(o - out->p);
        if (BrotliEncoderIsFinished(e)) break;
    }
    BrotliEncoderDestroyInstance(e);
    return st;
}
#endif

/* ---- LZ4 and LZ4_RAW ------------------------------------------------------------------------- */
#ifdef IDBPQ__WITH_LZ4
static idbpq_status lz4_state(struct idbpq__codec_ctx *c, int hc, void **state,
                              struct idbpq__err *err)
{
    void **slot = hc ? &c->lz4hc_state : &c->lz4_state;
    if (!*slot) {
        *slot = idbpq__malloc(c->alc, (size_t)(hc ? LZ4_sizeofStateHC() : LZ4_sizeofState()));
        if (!*slot) return idbpq__fail(err, IDBPQ_NOMEM, "lz4: out of memory");
    }
    *state = *slot;
    return IDBPQ_OK;
}

/* One LZ4 block of src into dst (capacity cap); returns its size. Levels: <= 1 the fast
 * compressor (negative = acceleration), 2..12 LZ4HC. */
static idbpq_status lz4_block(struct idbpq__codec_ctx *c, int level, const uint8_t *src,
                              size_t n, uint8_t *dst, size_t cap, size_t *len,
                              struct idbpq__err *err)
{
    void *state = NULL;
    int r;
    int icap = cap > INT_MAX ? INT_MAX : (int)cap;
    if (level >= 2) {
        IDBPQ__TRY(lz4_state(c, 1, &state, err));
        r = LZ4_compress_HC_extStateHC(state, (const char *)src, (char *)dst, (int)n, icap, level);
    } else {
        IDBPQ__TRY(lz4_state(c, 0, &state, err));
        r = LZ4_compress_fast_extState(state, (const char *)src, (char *)dst, (int)n, icap,
                                       level < 0 ? -level : 1);
    }
    if (r <= 0) return idbpq__fail(err, IDBPQ_NOMEM, "lz4: compression failed");
    *len = (size_t)r;
    return IDBPQ_OK;
}

static idbpq_status lz4_check_level(int level, struct idbpq__err *err)
{
    if (level > LZ4HC_CLEVEL_MAX || level < -65537) return bad_level(err, "lz4", level, -65537,
                                                                      LZ4HC_CLEVEL_MAX);
    return IDBPQ_OK;
}

#ifndef IDBPQ_NO_LZ4_RAW
static idbpq_status lz4raw_enc(struct idbpq__codec_ctx *c, int level, const uint8_t *src,
                               size_t n, struct idbpq__buf *out, struct idbpq__err *err)
{
    IDBPQ__TRY(lz4_check_level(level, err));
    if (n > LZ4_MAX_INPUT_SIZE)
        return idbpq__fail(err, IDBPQ_LIMIT, "lz4: page of %zu bytes exceeds LZ4's maximum", n);
    size_t bound = (size_t)LZ4_compressBound((int)n), len = 0;
    if (idbpq__buf_reserve(out, bound)) return idbpq__fail(err, IDBPQ_NOMEM, "lz4: out of memory");
    IDBPQ__TRY(lz4_block(c, level, src, n, out->p + out->len, bound, &len, err));
    out->len += len;
    return IDBPQ_OK;
}
#endif

/* A raw LZ4 block that must decode to exactly dst_len bytes (LZ4_decompress_safe never writes
 * past its capacity). */
static int lz4_raw_ok(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len)
{
    if (n > INT_MAX || dst_len > INT_MAX) return 0;
    if (n == 0) return dst_len == 0;
    int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)dst_len);
    return r >= 0 && (size_t)r == dst_len;
}

#ifndef IDBPQ_NO_LZ4
/* Hadoop's BlockCompressorStream framing, as parquet-mr wrote it: repeated
 * [uncompressed len, BE u32][compressed len, BE u32][LZ4 block]. Chunks of 256 KiB match
 * Hadoop's default io.compression.codec.lz4.buffersize, so Hadoop readers can take them. */
#define HADOOP_CHUNK (256u << 10)

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void st_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Whether src parses as Hadoop frames filling dst exactly (Arrow's TryDecompressHadoop). */
static int hadoop_ok(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len)
{
    size_t off = 0;
    if (n < 8) return 0;
    while (n - off >= 8) {
        uint32_t ulen = be32(src + off), clen = be32(src + off + 4);
        off += 8;
        if (clen > n - off || ulen > dst_len) return 0;
        if (!lz4_raw_ok(src + off, clen, dst, ulen)) return 0;
        off += clen;
        if (ulen) dst += ulen; /* dst may be NULL for an empty page */
        dst_len -= ulen;
    }
    return off == n && dst_len == 0;
}

static idbpq_status lz4_dec(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len,
                            struct idbpq__err *err)
{
    /* Compression.md: LZ4 (5) may be Hadoop-framed (parquet-mr) or a bare block (old
     * parquet-cpp: non_hadoop_lz4_compressed.parquet). Try the framing, then the block. */
    if (hadoop_ok(src, n, dst, dst_len)) return IDBPQ_OK;
    if (lz4_raw_ok(src, n, dst, dst_len)) return IDBPQ_OK;
    return idbpq__fail(err, IDBPQ_CORRUPT,
                       "lz4: data is neither Hadoop-framed LZ4 nor an LZ4 block decompressing "
                       "to the declared %zu bytes", dst_len);
}

static idbpq_status lz4_enc(struct idbpq__codec_ctx *c, int level, const uint8_t *src, size_t n,
                            struct idbpq__buf *out, struct idbpq__err *err)
{
    IDBPQ__TRY(lz4_check_level(level, err));
    size_t off = 0;
    do {
        size_t chunk = n - off > HADOOP_CHUNK ? HADOOP_CHUNK : n - off, len = 0;
        size_t bound = (size_t)LZ4_compressBound((int)chunk);
        if (idbpq__buf_reserve(out, 8 + bound))
            return idbpq__fail(err, IDBPQ_NOMEM, "lz4: out of memory");
        uint8_t *hdr = out->p + out->len;
        IDBPQ__TRY(lz4_block(c, level, src + off, chunk, hdr + 8, bound, &len, err));
        st_be32(hdr, (uint32_t)chunk);
        st_be32(hdr + 4, (uint32_t)len);
        out->len += 8 + len;
        off += chunk;
    } while (off < n);
    return IDBPQ_OK;
}
#endif
#endif

/* ---- ZSTD ------------------------------------------------------------------------------------ */
#ifndef IDBPQ_NO_ZSTD
static ZSTD_customMem zmem(struct idbpq__codec_ctx *c)
{
    ZSTD_customMem m = {hook_alloc, hook_free, (void *)c->alc};
    return m;
}

static idbpq_status zstd_dec(struct idbpq__codec_ctx *c, const uint8_t *src, size_t n,
                             uint8_t *dst, size_t dst_len, struct idbpq__err *err)
{
    if (!c->zd && !(c->zd = ZSTD_createDCtx_advanced(zmem(c))))
        return idbpq__fail(err, IDBPQ_NOMEM, "zstd: out of memory");
    /* One-shot: decodes concatenated (and skippable) frames straight into dst, with no
     * window buffer of its own; a frame claiming more than dst_len fails dstSize_tooSmall. */
    size_t r = ZSTD_decompressDCtx(c->zd, dst, dst_len, src, n);
    if (ZSTD_isError(r)) {
        if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall)
            return size_mismatch(err, "zstd", dst_len);
        if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
            return idbpq__fail(err, IDBPQ_NOMEM, "zstd: out of memory");
        return idbpq__fail(err, IDBPQ_CORRUPT, "zstd: %s", ZSTD_getErrorName(r));
    }
    if (r != dst_len) return size_mismatch(err, "zstd", dst_len);
    return IDBPQ_OK;
}

static idbpq_status zstd_enc(struct idbpq__codec_ctx *c, int level, const uint8_t *src, size_t n,
                             struct idbpq__buf *out, struct idbpq__err *err)
{
    if (level == 0) level = ZSTD_CLEVEL_DEFAULT;
    if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
        return bad_level(err, "zstd", level, ZSTD_minCLevel(), ZSTD_maxCLevel());
    if (!c->zc && !(c->zc = ZSTD_createCCtx_advanced(zmem(c))))
        return idbpq__fail(err, IDBPQ_NOMEM, "zstd: out of memory");
    ZSTD_CCtx_reset(c->zc, ZSTD_reset_session_only);
    size_t r = ZSTD_CCtx_setParameter(c->zc, ZSTD_c_compressionLevel, level);
    if (ZSTD_isError(r)) return idbpq__fail(err, IDBPQ_INVALID_ARG, "zstd: %s", ZSTD_getErrorName(r));
    size_t bound = ZSTD_compressBound(n);
    if (idbpq__buf_reserve(out, bound)) return idbpq__fail(err, IDBPQ_NOMEM, "zstd: out of memory");
    r = ZSTD_compress2(c->zc, out->p + out->len, bound, src, n);
    if (ZSTD_isError(r)) {
        if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
            return idbpq__fail(err, IDBPQ_NOMEM, "zstd: out of memory");
        return idbpq__fail(err, IDBPQ_NOMEM, "zstd: %s", ZSTD_getErrorName(r));
    }
    out->len += r;
    return IDBPQ_OK;
}
#endif

/* ---- dispatch -------------------------------------------------------------------------------- */

static void ctx_init(struct idbpq__codec_ctx *c, const idbpq_allocator *alc)
{
    memset(c, 0, sizeof *c);
    c->alc = idbpq__alc(alc);
}

static void ctx_release(struct idbpq__codec_ctx *c)
{
#ifndef IDBPQ_NO_ZSTD
    ZSTD_freeCCtx(c->zc);
    ZSTD_freeDCtx(c->zd);
#endif
#ifndef IDBPQ_NO_GZIP
    if (c->def) {
        deflateEnd(c->def);
        hook_free((void *)c->alc, c->def);
    }
    if (c->inf) {
        inflateEnd(c->inf);
        hook_free((void *)c->alc, c->inf);
    }
#endif
#ifdef IDBPQ__WITH_LZ4
    idbpq__free(c->alc, c->lz4_state, c->lz4_state ? (size_t)LZ4_sizeofState() : 0);
    idbpq__free(c->alc, c->lz4hc_state, c->lz4hc_state ? (size_t)LZ4_sizeofStateHC() : 0);
#endif
    (void)c;
}

idbpq_status idbpq__codec_ctx_create(struct idbpq__codec_ctx **out, const idbpq_allocator *alc)
{
    struct idbpq__codec_ctx *c = idbpq__malloc(alc, sizeof *c);
    if (!c) return IDBPQ_NOMEM;
    ctx_init(c, alc);
    *out = c;
    return IDBPQ_OK;
}

void idbpq__codec_ctx_free(struct idbpq__codec_ctx *c)
{
    if (!c) return;
    ctx_release(c);
    idbpq__free(c->alc, c, sizeof *c);
}

idbpq_status idbpq__decompress_ctx(struct idbpq__codec_ctx *c, int codec, const uint8_t *src,
                                   size_t n, uint8_t *dst, size_t dst_len,
                                   struct idbpq__err *err)
{
    if (codec < IDBPQ_CODEC_UNCOMPRESSED || codec > IDBPQ_CODEC_LZ4_RAW ||
        !idbpq_codec_can_read((idbpq_codec)codec))
        return not_built(err, codec);
    /* Empty in, empty out: valid for every codec (datapage_v2_empty_datapage), and some
     * libraries (snappy, LZ4) reject an empty stream. */
    if (n == 0 && dst_len == 0) return IDBPQ_OK;
    (void)c;
    /* Switch on the int: cases for codecs left out of the build are absent by design. */
    switch (codec) {
    case IDBPQ_CODEC_UNCOMPRESSED:
        if (n != dst_len) return size_mismatch(err, "uncompressed", dst_len);
        if (n) memcpy(dst, src, n);
        return IDBPQ_OK;
#ifndef IDBPQ_NO_SNAPPY
    case IDBPQ_CODEC_SNAPPY: return snappy_dec(src, n, dst, dst_len, err);
#endif
#ifndef IDBPQ_NO_GZIP
    case IDBPQ_CODEC_GZIP: return gzip_dec(c, src, n, dst, dst_len, err);
#endif
#ifndef IDBPQ_NO_BROTLI
    case IDBPQ_CODEC_BROTLI: return brotli_dec(c, src, n, dst, dst_len, err);
#endif
#if defined(IDBPQ__WITH_LZ4) && !defined(IDBPQ_NO_LZ4)
    case IDBPQ_CODEC_LZ4: return lz4_dec(src, n, dst, dst_len, err);
#endif
#if defined(IDBPQ__WITH_LZ4) && !defined(IDBPQ_NO_LZ4_RAW)
    case IDBPQ_CODEC_LZ4_RAW:
        if (lz4_raw_ok(src, n, dst, dst_len)) return IDBPQ_OK;
        return idbpq__fail(err, IDBPQ_CORRUPT,
                           "lz4_raw: malformed block or it does not decompress to the declared "
                           "%zu bytes", dst_len);
#endif
#ifndef IDBPQ_NO_ZSTD
    case IDBPQ_CODEC_ZSTD: return zstd_dec(c, src, n, dst, dst_len, err);
#endif
    default: return not_built(err, codec);
    }
}

idbpq_status idbpq__compress_ctx(struct idbpq__codec_ctx *c, int codec, int level,
                                 const uint8_t *src, size_t n, struct idbpq__buf *out,
                                 struct idbpq__err *err)
{
    if (codec < IDBPQ_CODEC_UNCOMPRESSED || codec > IDBPQ_CODEC_LZ4_RAW ||
        !idbpq_codec_can_write((idbpq_codec)codec))
        return not_built(err, codec);
    static const uint8_t empty[1] = {0};
    if (!src) src = empty; /* n == 0: libraries still want a real pointer */
    (void)c;
    (void)level;
    switch (codec) {
    case IDBPQ_CODEC_UNCOMPRESSED:
        if (idbpq__buf_append(out, src, n)) return idbpq__fail(err, IDBPQ_NOMEM, "out of memory");
        return IDBPQ_OK;
#ifndef IDBPQ_NO_SNAPPY
    case IDBPQ_CODEC_SNAPPY: return snappy_enc(src, n, out, err);
#endif
#ifndef IDBPQ_NO_GZIP
    case IDBPQ_CODEC_GZIP: return gzip_enc(c, level, src, n, out, err);
#endif
#ifndef IDBPQ_NO_BROTLI
    case IDBPQ_CODEC_BROTLI: return brotli_enc(c, level, src, n, out, err);
#endif
#if defined(IDBPQ__WITH_LZ4) && !defined(IDBPQ_NO_LZ4)
    case IDBPQ_CODEC_LZ4: return lz4_enc(c, level, src, n, out, err);
#endif
#if defined(IDBPQ__WITH_LZ4) && !defined(IDBPQ_NO_LZ4_RAW)
    case IDBPQ_CODEC_LZ4_RAW: return lz4raw_enc(c, level, src, n, out, err);
#endif
#ifndef IDBPQ_NO_ZSTD
    case IDBPQ_CODEC_ZSTD: return zstd_enc(c, level, src, n, out, err);
#endif
    default: return not_built(err, codec);
    }
}

idbpq_status idbpq__decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst,
                               size_t dst_len, struct idbpq__err *err)
{
    struct idbpq__codec_ctx c;
    ctx_init(&c, NULL);
    idbpq_status st = idbpq__decompress_ctx(&c, codec, src, n, dst, dst_len, err);
    ctx_release(&c);
    return st;
}

idbpq_status idbpq__compress(int codec, int level, const uint8_t *src, size_t n,
                             struct idbpq__buf *out, struct idbpq__err *err)
{
    struct idbpq__codec_ctx c;
    ctx_init(&c, out->alc);
    idbpq_status st = idbpq__compress_ctx(&c, codec, level, src, n, out, err);
    ctx_release(&c);
    return st;
}
