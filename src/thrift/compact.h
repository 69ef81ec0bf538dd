/*
 * compact.h — the Thrift compact protocol, as Parquet's footer and page headers use it.
 * A generic reader (field headers, varints, binary, lists, skip) hardened for untrusted
 * input, and a writer into a growable buffer. Depends on common/ only.
 *
 * Spec: thrift/doc/specs/thrift-compact-protocol.md.
 */
#ifndef IDBPQ_THRIFT_COMPACT_H
#define IDBPQ_THRIFT_COMPACT_H

#include "common/common.h"

/* Compact protocol type ids. */
enum {
    IDBPQ__T_STOP = 0,
    IDBPQ__T_TRUE = 1,
    IDBPQ__T_FALSE = 2,
    IDBPQ__T_BYTE = 3,
    IDBPQ__T_I16 = 4,
    IDBPQ__T_I32 = 5,
    IDBPQ__T_I64 = 6,
    IDBPQ__T_DOUBLE = 7,
    IDBPQ__T_BINARY = 8,
    IDBPQ__T_LIST = 9,
    IDBPQ__T_SET = 10,
    IDBPQ__T_MAP = 11,
    IDBPQ__T_STRUCT = 12
};

#define IDBPQ__THRIFT_MAX_DEPTH 64

/* Reader over [base, end). Every read checks bounds; on failure it records CORRUPT in err
 * with the byte offset (p - base + base_offset) and returns non-OK. A truncated input returns
 * IDBPQ_MORE instead (so a caller reading a page header from a stream can fetch more bytes)
 * and records no message. */
struct idbpq__thrift_reader {
    const uint8_t *base, *p, *end;
    uint64_t base_offset;      /* file offset of base, for messages */
    int depth;                 /* current struct nesting */
    struct idbpq__err *err;
    const char *what;          /* "footer", "page header"... for messages */
};

void idbpq__thrift_reader_init(struct idbpq__thrift_reader *r, const uint8_t *p, size_t n,
                               uint64_t base_offset, const char *what, struct idbpq__err *err);
/* Reads a field header. *type = IDBPQ__T_STOP at the end of a struct. last_id is the
 * previous field id of this struct (delta encoding), updated in place. For boolean fields the
 * value is in the type (TRUE/FALSE). */
idbpq_status idbpq__thrift_field(struct idbpq__thrift_reader *r, int16_t *last_id, int *type,
                                 int16_t *id);
idbpq_status idbpq__thrift_i32(struct idbpq__thrift_reader *r, int32_t *v);
idbpq_status idbpq__thrift_i64(struct idbpq__thrift_reader *r, int64_t *v);
idbpq_status idbpq__thrift_double(struct idbpq__thrift_reader *r, double *v);
idbpq_status idbpq__thrift_byte(struct idbpq__thrift_reader *r, int8_t *v);
/* Binary / string: a pointer into the input and its length (checked against the input). */
idbpq_status idbpq__thrift_binary(struct idbpq__thrift_reader *r, const uint8_t **p,
                                  uint32_t *len);
/* List or set header: element type and count; the count is checked to be plausible (each
 * element needs at least one byte, except booleans-in-lists which need one each too). */
idbpq_status idbpq__thrift_list(struct idbpq__thrift_reader *r, int *elem_type, uint32_t *n);
/* Boolean element of a list. */
idbpq_status idbpq__thrift_list_bool(struct idbpq__thrift_reader *r, int *v);
/* Skips a value of the given type (structs, lists and maps recursively, depth-limited). */
idbpq_status idbpq__thrift_skip(struct idbpq__thrift_reader *r, int type);
/* struct_begin/end track depth (CORRUPT past IDBPQ__THRIFT_MAX_DEPTH). */
idbpq_status idbpq__thrift_struct_begin(struct idbpq__thrift_reader *r);
void idbpq__thrift_struct_end(struct idbpq__thrift_reader *r);
static inline uint64_t idbpq__thrift_pos(const struct idbpq__thrift_reader *r)
{
    return r->base_offset + (uint64_t)(r->p - r->base);
}

/* Writer: appends to buf. Errors are only NOMEM. */
struct idbpq__thrift_writer {
    struct idbpq__buf *buf;
    int16_t last_id[IDBPQ__THRIFT_MAX_DEPTH];
    int depth;
    idbpq_status st;           /* sticky: first error */
};
void idbpq__thrift_writer_init(struct idbpq__thrift_writer *w, struct idbpq__buf *buf);
void idbpq__thrift_w_struct_begin(struct idbpq__thrift_writer *w);
void idbpq__thrift_w_struct_end(struct idbpq__thrift_writer *w); /* writes STOP */
void idbpq__thrift_w_field(struct idbpq__thrift_writer *w, int16_t id, int type);
void idbpq__thrift_w_bool_field(struct idbpq__thrift_writer *w, int16_t id, int v);
void idbpq__thrift_w_i32(struct idbpq__thrift_writer *w, int32_t v);
void idbpq__thrift_w_i64(struct idbpq__thrift_writer *w, int64_t v);
void idbpq__thrift_w_binary(struct idbpq__thrift_writer *w, const void *p, uint32_t len);
void idbpq__thrift_w_list(struct idbpq__thrift_writer *w, int elem_type, uint32_t n);
/* An i8 value (e.g. IntType.bitWidth), and a boolean element of a list (1 true, 2 false, as
 * the C++ and Java writers do). */
void idbpq__thrift_w_byte(struct idbpq__thrift_writer *w, int8_t v);
void idbpq__thrift_w_list_bool(struct idbpq__thrift_writer *w, int v);
/* Convenience: field header + value. */
void idbpq__thrift_w_i32_field(struct idbpq__thrift_writer *w, int16_t id, int32_t v);
void idbpq__thrift_w_i64_field(struct idbpq__thrift_writer *w, int16_t id, int64_t v);
void idbpq__thrift_w_binary_field(struct idbpq__thrift_writer *w, int16_t id, const void *p,
                                  uint32_t len);

#endif
