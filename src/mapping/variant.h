/*
 * variant.h — Parquet's VARIANT binary encoding (VariantEncoding.md) and shredding
 * (VariantShredding.md), seen from JavaScript values. Internal to the mapping layer.
 *
 * idbpq's conventions when it writes a VARIANT from a JS value (docs/mapping.md):
 *   null -> null; booleans -> true/false; a Number that is an integer in [-2^53, 2^53] and
 *   not -0 -> the narrowest of int8/16/32/64, any other Number (fractions, -0, NaN,
 *   ±Infinity) -> double; a BigInt -> decimal4/8/16 with scale 0 (the narrowest that holds
 *   it; more than 38 digits cannot be held); a string -> short string or string (UTF-8; a
 *   lone surrogate cannot be held); a valid Date -> timestamp (µs, UTC) = ms * 1000 (an
 *   invalid Date cannot be held); an ArrayBuffer or a Uint8Array covering its whole
 *   non-resizable buffer -> binary (which of the two it was is the column's: flag
 *   IDBPQ__VAR_UINT8ARRAY; the other one cannot be held); a plain object -> object, with its
 *   values laid out in property order (field ids sorted by name as the spec demands, so a
 *   reader that follows offsets gets the JS order back); a dense array without holes or
 *   extra properties -> array. Anything else (undefined, Map, Set, other views, RegExp,
 *   Blob, shared or cyclic references, ...) cannot be held.
 *
 * Reading maps the other way; values idbpq never writes map by the reading flags.
 */
#ifndef IDBPQ_MAPPING_VARIANT_H
#define IDBPQ_MAPPING_VARIANT_H

#include "common/common.h"
#include "value/value.h"

enum {
    /* encode and decode: binary <-> Uint8Array (else ArrayBuffer) */
    IDBPQ__VAR_UINT8ARRAY = 1,
    /* decode: decimal with scale 0 -> BigInt (idbpq's own files) */
    IDBPQ__VAR_DECIMAL_BIGINT = 2,
    /* decode, other decimals: string (else Number when exact, string otherwise) */
    IDBPQ__VAR_DECIMAL_STRING = 4,
    /* decode: int64 -> BigInt always (else Number when |v| <= 2^53, BigInt otherwise) */
    IDBPQ__VAR_INT64_BIGINT = 8
};

/* What kind of VARIANT value a JS value becomes (for choosing and using a shredded type). */
typedef enum idbpq__vclass {
    IDBPQ__VC_NONE = 0,     /* cannot be held (see above) */
    IDBPQ__VC_NULL,
    IDBPQ__VC_BOOLEAN,
    IDBPQ__VC_INT,          /* Number, integer in ±2^53, not -0 */
    IDBPQ__VC_DOUBLE,       /* any other Number */
    IDBPQ__VC_DECIMAL,      /* BigInt of at most 38 digits */
    IDBPQ__VC_STRING,       /* string without lone surrogates */
    IDBPQ__VC_TIMESTAMP,    /* valid Date */
    IDBPQ__VC_BINARY,       /* ArrayBuffer / Uint8Array (per the flag) */
    IDBPQ__VC_OBJECT,       /* plain object */
    IDBPQ__VC_ARRAY         /* dense array */
} idbpq__vclass;

/* The class of v's top level only (children are not looked at). */
idbpq__vclass idbpq__variant_class(const idbpq_value *v, uint32_t flags);

/* Encodes v as one VARIANT: metadata (its own dictionary, sorted) appended to meta, the value
 * to val. Fails with IDBPQ_UNSUPPORTED when something in v cannot be held; err's message then
 * names it and where, as a path from v ("a.b[3]: undefined"). Shared or cyclic references are
 * refused (IDBPQ_UNSUPPORTED) without looping. Depth is limited (max_depth, IDBPQ_LIMIT). On
 * failure meta and val are restored to their lengths at the call. */
idbpq_status idbpq__variant_encode(const idbpq_value *v, uint32_t flags, uint32_t max_depth,
                                   struct idbpq__buf *meta, struct idbpq__buf *val,
                                   struct idbpq__err *err);

/* Decodes one VARIANT (metadata + value) into b. Every offset and length is checked: bad
 * input is IDBPQ_CORRUPT with the byte offset in the message, never a crash; nesting past
 * 1000 is IDBPQ_LIMIT. Object properties come out in the order of their values in the
 * value bytes (idbpq's writer lays them out in JS order). Mapping of types idbpq never writes:
 * int8..int64 -> Number (int64 per IDBPQ__VAR_INT64_BIGINT), float/double -> Number, decimals
 * per the flags (decimal string form: "-123.45"), date -> Date (midnight UTC), timestamps of
 * any unit, with or without time zone -> Date (ms, floor), time_ntz -> Number (µs since
 * midnight... divided to ms, fractional), uuid -> string "xxxxxxxx-xxxx-...", binary per
 * the flag. */
idbpq_status idbpq__variant_decode(idbpq_vbatch *b, const uint8_t *meta, size_t meta_len,
                                   const uint8_t *val, size_t val_len, uint32_t flags,
                                   idbpq_value **out, struct idbpq__err *err);

/* Rebuilds a JS value from a VARIANT group as the row reader assembles it: node is the
 * VARIANT-annotated group in schema s (children `metadata`, `value`, and optionally
 * `typed_value` — looked up by name, in any order), d its datum (an IDBPQ_DATUM_GROUP with one
 * item per child, or IDBPQ_DATUM_NULL). Follows VariantShredding.md's reconstruction:
 * typed_value of any supported Parquet type (by its logical type), shredded objects (groups of
 * {value, typed_value} fields, merged with the residual object in `value`), shredded arrays
 * (LIST of {value, typed_value} elements). *out is NULL when the whole group is null, or when
 * value and typed_value are both null at the top (the spec's "missing"; readers treat it as
 * null). Spec violations (both set for a non-object, a shredded key also in value, ...) are
 * IDBPQ_CORRUPT naming the column path. */
idbpq_status idbpq__variant_from_datum(idbpq_vbatch *b, const idbpq_schema *s, int32_t node,
                                       const idbpq_datum *d, uint32_t flags, idbpq_value **out,
                                       struct idbpq__err *err);

#endif
