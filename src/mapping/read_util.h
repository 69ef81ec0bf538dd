/*
 * read_util.h — what the reading half of the mapping layer (foreign.c, from_datum.c) shares:
 * the per-row conversion context, checked builders of JS values from Parquet bytes (strict
 * UTF-8 strings, BigInts from two's complement and decimal text), duplicate-key removal, and
 * messages that name the column. Everything here treats its input as untrusted.
 */
#ifndef IDBPQ_MAPPING_READ_UTIL_H
#define IDBPQ_MAPPING_READ_UTIL_H

#include "mapping/mapping.h"

/* Nesting past this (type map or schema) is IDBPQ_LIMIT: recursion stays bounded whatever the
 * file says. The row reader already bounds schema depth; type maps come from file metadata. */
#define IDBPQ__RD_MAX_DEPTH 512

/* BigInt text longer than this is refused (IDBPQ_LIMIT): conversion is quadratic. */
#define IDBPQ__RD_MAX_BIGINT_DIGITS 100000u
/* DECIMAL values on more bytes than this are refused (IDBPQ_LIMIT), for the same reason. */
#define IDBPQ__RD_MAX_DECIMAL_BYTES 1024u

/* One row's conversion. */
struct idbpq__rd {
    idbpq_vbatch *b;                       /* values are built here */
    const idbpq_schema *s;
    const idbpq_record_reader_opts *o;     /* never NULL (defaults filled in) */
    struct idbpq__err *err;
};

/* The dotted path of a node for messages ("(root)" for node 0, "?" when out of range). */
const char *idbpq__rd_path(const idbpq_schema *s, int32_t node);
/* "INT64", "bytes", "group"... for messages. */
const char *idbpq__rd_kind_name(int kind);
/* CORRUPT "column PATH: expected WHAT, found KIND". */
idbpq_status idbpq__rd_mismatch(struct idbpq__rd *c, int32_t node, const char *what,
                                const idbpq_datum *d);
/* NOMEM with a message. */
idbpq_status idbpq__rd_nomem(struct idbpq__rd *c);

/* Strict UTF-8 (no overlong forms, no encoded surrogates) to the narrowest string: one-byte
 * Latin-1 when every code point is below 256, else UTF-16. Invalid input is CORRUPT. */
idbpq_status idbpq__rd_string(struct idbpq__rd *c, int32_t node, const uint8_t *p, uint32_t n,
                              idbpq_value **out);
/* A copy of the bytes as an ArrayBuffer (view == IDBPQ__VIEW_BUFFER) or as a view of that kind
 * over a fresh buffer of exactly these bytes. CORRUPT when the length is not a multiple of
 * the element size or the kind is unknown. */
idbpq_status idbpq__rd_binary(struct idbpq__rd *c, int32_t node, const uint8_t *p, uint32_t n,
                              int view, idbpq_value **out);

/* BigInts. Big-endian bytes, two's complement when is_signed (else unsigned magnitude). */
idbpq_value *idbpq__rd_bigint_be(idbpq_vbatch *b, const uint8_t *be, size_t n, int is_signed);
idbpq_value *idbpq__rd_bigint_i64(idbpq_vbatch *b, int64_t v);
idbpq_value *idbpq__rd_bigint_u64(idbpq_vbatch *b, uint64_t v);
/* "-123" (optional '-', then digits) to a BigInt; CORRUPT otherwise, LIMIT when too long. */
idbpq_status idbpq__rd_bigint_text(struct idbpq__rd *c, int32_t node, const uint8_t *p,
                                   uint32_t n, idbpq_value **out);
/* Decimal digits of a little-endian magnitude, NUL-terminated, allocated in b ("0" for 0). */
char *idbpq__rd_magnitude_text(idbpq_vbatch *b, const uint8_t *le, size_t n, size_t *len);

/* Values of simple kinds (NULL when out of memory). */
idbpq_value *idbpq__rd_simple(idbpq_vbatch *b, idbpq_vtype t);
idbpq_value *idbpq__rd_bool(idbpq_vbatch *b, int v);
idbpq_value *idbpq__rd_date(idbpq_vbatch *b, double ms);  /* out of range: invalid Date */
/* A copy of a string value into b (property keys come from the type map's own batch). */
idbpq_value *idbpq__rd_str_copy(idbpq_vbatch *b, const idbpq_value *s);
/* A property key for a name: a Number when it is an array index (as V8 keys them). */
idbpq_value *idbpq__rd_prop_key(idbpq_vbatch *b, const idbpq_value *name);

/* Removes repeated keys, later wins (the value of a later duplicate replaces the earlier
 * one's, which keeps its position: what assigning twice does in JavaScript).
 * props: by property name. coll: Map entries (stride 2) or Set items (stride 1) by
 * SameValueZero; only primitives can repeat (objects built here are all distinct). */
idbpq_status idbpq__rd_dedupe_props(idbpq_vbatch *b, idbpq_prop *props, uint32_t *n);
idbpq_status idbpq__rd_dedupe_coll(idbpq_vbatch *b, idbpq_value **items, uint32_t *n,
                                   uint32_t stride);

/* foreign.c: the value of a node of a file idbpq did not write (d may be a NULL datum). */
idbpq_status idbpq__foreign_field(struct idbpq__rd *c, int32_t node, const idbpq_datum *d,
                                  int depth, idbpq_value **out);

#endif
