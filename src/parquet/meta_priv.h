/*
 * meta_priv.h — helpers shared by the parquet.thrift decoders (meta_decode.c, the footer;
 * meta_decode_page.c, page headers and page indexes). Not a contract for other modules.
 */
#ifndef IDBPQ_PARQUET_META_PRIV_H
#define IDBPQ_PARQUET_META_PRIV_H

#include "parquet/meta.h"
#include "thrift/compact.h"

/* Walks the fields of one struct: `switch (id)` over the known ids; a case whose wire type
 * does not match does `goto skip_` (unknown or mistyped fields are skipped, as thrift's
 * generated readers do). `fpos` is the file offset of the field's value, for messages. One
 * FIELDS block per function (it owns the label). */
#define IDBPQ__FIELDS_BEGIN(r)                                              \
    IDBPQ__TRY(idbpq__thrift_struct_begin(r));                              \
    uint64_t sbeg_ = idbpq__thrift_pos(r);                                  \
    (void)sbeg_;                                                            \
    for (int16_t last_id_ = 0;;) {                                          \
        int type;                                                           \
        int16_t id;                                                         \
        IDBPQ__TRY(idbpq__thrift_field(r, &last_id_, &type, &id));          \
        if (type == IDBPQ__T_STOP) break;                                   \
        uint64_t fpos = idbpq__thrift_pos(r);                               \
        (void)fpos;                                                         \
        switch (id) {
#define IDBPQ__FIELDS_END(r)                                                \
        default:                                                            \
        skip_:                                                              \
            IDBPQ__TRY(idbpq__thrift_skip(r, type));                        \
        }                                                                   \
    }                                                                       \
    idbpq__thrift_struct_end(r)

#define IDBPQ__F_I32(r, dst)                                \
    if (type != IDBPQ__T_I32) goto skip_;                   \
    IDBPQ__TRY(idbpq__thrift_i32(r, &(dst)))
#define IDBPQ__F_I64(r, dst)                                \
    if (type != IDBPQ__T_I64) goto skip_;                   \
    IDBPQ__TRY(idbpq__thrift_i64(r, &(dst)))
#define IDBPQ__F_BOOL(dst)                                                  \
    if (type != IDBPQ__T_TRUE && type != IDBPQ__T_FALSE) goto skip_;        \
    (dst) = type == IDBPQ__T_TRUE
#define IDBPQ__F_TYPE(want) \
    if (type != (want)) goto skip_

/* CORRUPT "<what>: <field> is negative at offset N" when v < 0. */
idbpq_status idbpq__meta_nonneg(struct idbpq__thrift_reader *r, int64_t v, const char *field,
                                uint64_t pos);
/* CORRUPT "<what>: <strct> lacks required field <field> (struct at offset N)". */
idbpq_status idbpq__meta_missing(struct idbpq__thrift_reader *r, const char *strct,
                                 const char *field, uint64_t pos);
/* Checks a list header's element type (any type is accepted for an empty list; bool lists
 * may say TRUE or FALSE) and that n elements of at least min_bytes each fit in the rest. */
idbpq_status idbpq__meta_list(struct idbpq__thrift_reader *r, int want, size_t min_bytes,
                              uint32_t *n);
/* Statistics (parquet.thrift struct Statistics). Byte values are copied into arena, or
 * point into the input when arena is NULL. */
idbpq_status idbpq__meta_statistics(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                    idbpq_statistics *s);
/* A copy of [p, p+n) in the arena with a NUL after it; NULL (and NOMEM recorded) on failure. */
uint8_t *idbpq__meta_dup(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                         const uint8_t *p, size_t n);
/* Turns a decoder's MORE into CORRUPT "<what> truncated at offset N" (footers and indexes
 * have a known size: running out is corruption, not a short read). */
idbpq_status idbpq__meta_no_more(struct idbpq__thrift_reader *r, idbpq_status st);

#endif
