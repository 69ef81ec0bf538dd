/*
 * encoding.h — Parquet's value and level encodings (Encodings.md), decoders and encoders:
 * bit packing, the RLE/bit-packed hybrid, PLAIN, DELTA_BINARY_PACKED,
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, and the dictionary builder the
 * writer uses. Depends on common/ only. Every decoder treats its input as hostile: it never
 * reads outside [p, p+n), never writes more than asked, and reports CORRUPT with the byte
 * offset relative to p (callers prefix the page's file offset).
 *
 * Value layouts ("values arrays") are those of idbpq_column_batch in idbpq.h:
 *   BOOLEAN uint8_t (0/1), INT32 int32_t, INT64 int64_t, INT96 12 bytes, FLOAT float,
 *   DOUBLE double, FIXED_LEN_BYTE_ARRAY type_length bytes packed, BYTE_ARRAY idbpq_bytes.
 */
#ifndef IDBPQ_ENCODING_H
#define IDBPQ_ENCODING_H

#include "common/common.h"

/* Byte width of a fixed-width value of physical type `type` (BOOLEAN: 1 in values arrays;
 * FLBA: type_length); 0 for BYTE_ARRAY. */
size_t idbpq__value_width(int type, int32_t type_length);

/* ---- bit packing (LSB first, as the RLE hybrid uses) ------------------------------------- */

/* Unpacks n values of bw bits (0..32) from in into out. in must hold ceil(n*bw/8) bytes. */
void idbpq__unpack32(const uint8_t *in, int bw, uint32_t *out, size_t n);
/* 0..64 bits. */
void idbpq__unpack64(const uint8_t *in, int bw, uint64_t *out, size_t n);
/* Packs n values (n multiple of 8) of bw bits into out (n*bw/8 bytes). */
void idbpq__pack32(uint8_t *out, int bw, const uint32_t *in, size_t n);
void idbpq__pack64(uint8_t *out, int bw, const uint64_t *in, size_t n);

/* ---- RLE / bit-packed hybrid -------------------------------------------------------------- */

struct idbpq__rle_dec {
    const uint8_t *base, *p, *end;
    int bw;
    uint32_t rle_left;          /* values left in the current RLE run */
    uint32_t rle_value;
    uint32_t bp_left;           /* values left in the current bit-packed run */
    uint32_t buf_pos, buf_len;  /* buffered unpacked values of a bit-packed group */
    uint32_t buf[64];
    int corrupt;
};

/* bw 0..32. With bw 0 every value is 0 (and no input is read). */
void idbpq__rle_dec_init(struct idbpq__rle_dec *d, const uint8_t *p, size_t n, int bw);
/* Decodes up to n values; returns how many (fewer only at the end of the input), or -1 if
 * the input is malformed (then d->corrupt is set; idbpq__rle_dec_offset tells where). */
ptrdiff_t idbpq__rle_dec_u16(struct idbpq__rle_dec *d, uint16_t *out, size_t n);
ptrdiff_t idbpq__rle_dec_u32(struct idbpq__rle_dec *d, uint32_t *out, size_t n);
static inline size_t idbpq__rle_dec_offset(const struct idbpq__rle_dec *d)
{
    return (size_t)(d->p - d->base);
}

/* Encodes n values of bw bits (values must fit) as an RLE/bit-packed hybrid, appended to out
 * (no length prefix). Chooses runs for size: repeats of >= 8 become RLE runs. */
idbpq_status idbpq__rle_encode_u16(const uint16_t *v, size_t n, int bw, struct idbpq__buf *out);
idbpq_status idbpq__rle_encode_u32(const uint32_t *v, size_t n, int bw, struct idbpq__buf *out);

/* Legacy BIT_PACKED level encoding (MSB first, deprecated): decodes n values. */
idbpq_status idbpq__bitpacked_legacy_decode(const uint8_t *p, size_t nbytes, int bw,
                                            uint16_t *out, size_t n, struct idbpq__err *err);

/* ---- PLAIN --------------------------------------------------------------------------------- */

/* Decodes n values of `type` from [p, p+nbytes) into out (values array layout). BYTE_ARRAY
 * results point into p. *consumed gets the bytes used. CORRUPT if the input is short. */
idbpq_status idbpq__plain_decode(int type, int32_t type_length, const uint8_t *p, size_t nbytes,
                                 size_t n, void *out, size_t *consumed, struct idbpq__err *err);
idbpq_status idbpq__plain_encode(int type, int32_t type_length, const void *values, size_t n,
                                 struct idbpq__buf *out);

/* ---- DELTA_BINARY_PACKED ------------------------------------------------------------------- */

/* Decodes n INT32 (is64 = 0, out int32_t[]) or INT64 (out int64_t[]) values. *consumed gets
 * the bytes used (the full blocks/miniblocks read). Arithmetic wraps (PARQUET-2215). The
 * header's total count must be >= n. */
idbpq_status idbpq__dbp_decode(const uint8_t *p, size_t nbytes, int is64, void *out, size_t n,
                               size_t *consumed, struct idbpq__err *err);
/* Reads only the header's total value count (for DLBA / DBA sizing). */
idbpq_status idbpq__dbp_count(const uint8_t *p, size_t nbytes, uint64_t *count,
                              struct idbpq__err *err);
idbpq_status idbpq__dbp_encode(const void *values, int is64, size_t n, struct idbpq__buf *out);

/* ---- DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY --------------------------------------------- */

/* n values into out (idbpq_bytes pointing into p). */
idbpq_status idbpq__dlba_decode(const uint8_t *p, size_t nbytes, idbpq_bytes *out, size_t n,
                                size_t *consumed, struct idbpq__err *err);
idbpq_status idbpq__dlba_encode(const idbpq_bytes *values, size_t n, struct idbpq__buf *out);
/* DELTA_BYTE_ARRAY rebuilds each value from a prefix of the previous one: the values are
 * written into `store` (reset, then grown once to the total size) and out points into it.
 * For FIXED_LEN_BYTE_ARRAY pass fixed_len > 0: every value must have that length. */
idbpq_status idbpq__dba_decode(const uint8_t *p, size_t nbytes, idbpq_bytes *out, size_t n,
                               int32_t fixed_len, struct idbpq__buf *store, size_t *consumed,
                               struct idbpq__err *err);
idbpq_status idbpq__dba_encode(const idbpq_bytes *values, size_t n, struct idbpq__buf *out);

/* ---- BYTE_STREAM_SPLIT --------------------------------------------------------------------- */

/* width = bytes per value (4 FLOAT/INT32, 8 DOUBLE/INT64, type_length for FLBA). The stream
 * holds exactly nbytes/width values; n may be smaller only if it is all of them (the page's
 * value count): nbytes must equal n*width. */
idbpq_status idbpq__bss_decode(const uint8_t *p, size_t nbytes, size_t width, void *out, size_t n,
                               struct idbpq__err *err);
idbpq_status idbpq__bss_encode(const void *values, size_t width, size_t n, struct idbpq__buf *out);

/* ---- dictionary builder (writer side) ------------------------------------------------------ */

/* Maps distinct values to dense indices in first-seen order. For BYTE_ARRAY the builder
 * copies the bytes it keeps. */
struct idbpq__dict;
idbpq_status idbpq__dict_create(struct idbpq__dict **out, int type, int32_t type_length,
                                const idbpq_allocator *alc);
/* Looks up / inserts n values (values array layout), writing each one's index. */
idbpq_status idbpq__dict_insert(struct idbpq__dict *d, const void *values, size_t n,
                                uint32_t *indices);
uint32_t idbpq__dict_count(const struct idbpq__dict *d);
/* Bytes the dictionary page would take, PLAIN-encoded (uncompressed). */
size_t idbpq__dict_plain_bytes(const struct idbpq__dict *d);
/* Bytes the dictionary holds in memory (hash slots, values, string storage). */
size_t idbpq__dict_memory(const struct idbpq__dict *d);
/* The dictionary's values in index order, PLAIN-encoded, appended to out. */
idbpq_status idbpq__dict_encode_plain(const struct idbpq__dict *d, struct idbpq__buf *out);
/* The value of index i, in values-array layout (BYTE_ARRAY: an idbpq_bytes), for statistics. */
const void *idbpq__dict_value(const struct idbpq__dict *d, uint32_t i);
void idbpq__dict_reset(struct idbpq__dict *d);
void idbpq__dict_free(struct idbpq__dict *d);

#endif
