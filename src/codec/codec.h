/*
 * codec.h — page compression: UNCOMPRESSED, SNAPPY, GZIP, BROTLI, LZ4 (Hadoop framing, raw
 * fallback), ZSTD, LZ4_RAW, over the well-kept libraries (libsnappy, zlib, libbrotli, liblz4,
 * libzstd). Each codec can be left out of a build (IDBPQ_NO_SNAPPY, ...), which the wasm build
 * uses to stay small. Depends on common/ only.
 */
#ifndef IDBPQ_CODEC_H
#define IDBPQ_CODEC_H

#include "common/common.h"

/* Decompresses src[0..n) into dst, which must receive exactly dst_len bytes (the page's
 * uncompressed size). Never writes past dst_len. CORRUPT if the data is malformed or does
 * not decompress to exactly dst_len bytes; UNSUPPORTED if the codec is unknown or not built
 * in. GZIP accepts concatenated members. LZ4 tries the Hadoop framing first, then a raw LZ4
 * block. The message names the codec, not the file (callers add where). An empty src with
 * dst_len 0 is valid for every codec. */
idbpq_status idbpq__decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst,
                               size_t dst_len, struct idbpq__err *err);

/* Compresses src[0..n) and appends the result to out. level 0 = the codec's default.
 * UNSUPPORTED if the codec cannot be written in this build (LZO; LZ4 is written as
 * Hadoop-framed LZ4 for compatibility). */
idbpq_status idbpq__compress(int codec, int level, const uint8_t *src, size_t n,
                             struct idbpq__buf *out, struct idbpq__err *err);

/* Reusable state (zstd contexts...) to keep compression fast across pages. Optional: the
 * plain functions above create what they need per call. */
struct idbpq__codec_ctx;
idbpq_status idbpq__codec_ctx_create(struct idbpq__codec_ctx **out, const idbpq_allocator *alc);
idbpq_status idbpq__compress_ctx(struct idbpq__codec_ctx *c, int codec, int level,
                                 const uint8_t *src, size_t n, struct idbpq__buf *out,
                                 struct idbpq__err *err);
idbpq_status idbpq__decompress_ctx(struct idbpq__codec_ctx *c, int codec, const uint8_t *src,
                                   size_t n, uint8_t *dst, size_t dst_len,
                                   struct idbpq__err *err);
void idbpq__codec_ctx_free(struct idbpq__codec_ctx *c);

#endif
