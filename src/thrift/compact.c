/*
 * compact.c — the Thrift compact protocol (thrift/doc/specs/thrift-compact-protocol.md): a
 * bounds-checked reader for untrusted bytes and a writer into a growable buffer.
 * Reader rules: a read that runs past the end of the input returns IDBPQ_MORE and records
 * nothing (a stream reader may fetch more bytes and retry); anything malformed (over-long
 * varints, values out of range, bad type ids, nesting past IDBPQ__THRIFT_MAX_DEPTH) is
 * IDBPQ_CORRUPT with a message naming the byte offset. A failed read does not advance.
 */
#include "thrift/compact.h"

#include <inttypes.h>

void idbpq__thrift_reader_init(struct idbpq__thrift_reader *r, const uint8_t *p, size_t n,
                               uint64_t base_offset, const char *what, struct idbpq__err *err)
{
    r->base = r->p = p;
    r->end = p + n;
    r->base_offset = base_offset;
    r->depth = 0;
    r->err = err;
    r->what = what ? what : "thrift";
}

static idbpq_status corrupt_at(struct idbpq__thrift_reader *r, const uint8_t *at, const char *why)
{
    return idbpq__fail(r->err, IDBPQ_CORRUPT, "%s: %s at offset %" PRIu64, r->what, why,
                       r->base_offset + (uint64_t)(at - r->base));
}

/* ULEB128 of at most 10 bytes (spec: "varint"). Truncated = MORE, over-long = CORRUPT. */
static inline idbpq_status rd_varint(struct idbpq__thrift_reader *r, uint64_t *out)
{
    const uint8_t *p = r->p, *end = r->end;
    if (IDBPQ__LIKELY(p < end && !(*p & 0x80))) {
        *out = *p;
        r->p = p + 1;
        return IDBPQ_OK;
    }
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (p >= end) return IDBPQ_MORE;
        uint8_t c = *p++;
        if (shift == 63 && (c & 0x7e)) return corrupt_at(r, r->p, "varint overflows 64 bits");
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            r->p = p;
            return IDBPQ_OK;
        }
    }
    return corrupt_at(r, r->p, "varint longer than 10 bytes");
}

/* A 32-bit zigzag varint (i16, i32 and the field id of the long form). */
static inline idbpq_status rd_zz32(struct idbpq__thrift_reader *r, int32_t *v)
{
    const uint8_t *start = r->p;
    uint64_t u = 0;
    IDBPQ__TRY(rd_varint(r, &u));
    if (u > UINT32_MAX) {
        r->p = start;
        return corrupt_at(r, start, "i32 value out of range");
    }
    *v = (int32_t)idbpq__zigzag_dec(u);
    return IDBPQ_OK;
}

idbpq_status idbpq__thrift_field(struct idbpq__thrift_reader *r, int16_t *last_id, int *type,
                                 int16_t *id)
{
    const uint8_t *start = r->p;
    if (r->p >= r->end) return IDBPQ_MORE;
    uint8_t b = *r->p;
    int t = b & 0x0f;
    if (b == 0) {
        r->p++;
        *type = IDBPQ__T_STOP;
        *id = 0;
        return IDBPQ_OK;
    }
    if (t == IDBPQ__T_STOP || t > IDBPQ__T_STRUCT) return corrupt_at(r, start, "bad field type");
    int delta = b >> 4;
    r->p++;
    if (delta) {
        int nid = *last_id + delta;
        if (nid > INT16_MAX) {
            r->p = start;
            return corrupt_at(r, start, "field id out of range");
        }
        *id = (int16_t)nid;
    } else {
        /* Long form: the type byte is followed by the id as a zigzag i16 varint. */
        int32_t v = 0;
        idbpq_status st = rd_zz32(r, &v);
        if (st != IDBPQ_OK) {
            r->p = start;
            return st;
        }
        if (v < INT16_MIN || v > INT16_MAX) {
            r->p = start;
            return corrupt_at(r, start, "field id out of range");
        }
        *id = (int16_t)v;
    }
    *last_id = *id;
    *type = t;
    return IDBPQ_OK;
}

idbpq_status idbpq__thrift_i32(struct idbpq__thrift_reader *r, int32_t *v)
{
    return rd_zz32(r, v);
}

idbpq_status idbpq__thrift_i64(struct idbpq__thrift_reader *r, int64_t *v)
{
    uint64_t u = 0;
    IDBPQ__TRY(rd_varint(r, &u));
    *v = idbpq__zigzag_dec(u);
    return IDBPQ_OK;
}

idbpq_status idbpq__thrift_double(struct idbpq__thrift_reader *r, double *v)
{
    /* Spec: doubles are 8 bytes, little endian. */
    if ((size_t)(r->end - r->p) < 8) return IDBPQ_MORE;
    uint64_t u = idbpq__le64(r->p);
    memcpy(v, &u, 8);
    r->p += 8;
    return IDBPQ_OK;
}

idbpq_status idbpq__thrift_byte(struct idbpq__thrift_reader *r, int8_t *v)
{
    if (r->p >= r->end) return IDBPQ_MORE;
    *v = (int8_t)*r->p++;
    return IDBPQ_OK;
}

idbpq_status idbpq__thrift_binary(struct idbpq__thrift_reader *r, const uint8_t **p,
                                  uint32_t *len)
{
    const uint8_t *start = r->p;
    uint64_t n = 0;
    IDBPQ__TRY(rd_varint(r, &n));
    if (n > INT32_MAX) {
        r->p = start;
        return corrupt_at(r, start, "binary length out of range");
    }
    if (n > (uint64_t)(r->end - r->p)) {
        r->p = start;
        return IDBPQ_MORE;
    }
    *p = r->p;
    *len = (uint32_t)n;
    r->p += n;
    return IDBPQ_OK;
}

/* Smallest encoding of one element of a collection, for count plausibility checks. */
static size_t min_elem_bytes(int t)
{
    return t == IDBPQ__T_DOUBLE ? 8 : 1;
}

idbpq_status idbpq__thrift_list(struct idbpq__thrift_reader *r, int *elem_type, uint32_t *n)
{
    const uint8_t *start = r->p;
    if (r->p >= r->end) return IDBPQ_MORE;
    uint8_t b = *r->p;
    int t = b & 0x0f;
    uint64_t size = b >> 4;
    r->p++;
    if (size == 15) {
        /* Long form: 0xF in the size nibble, the size follows as a varint. */
        idbpq_status st = rd_varint(r, &size);
        if (st != IDBPQ_OK) {
            r->p = start;
            return st;
        }
        if (size > INT32_MAX) {
            r->p = start;
            return corrupt_at(r, start, "list size out of range");
        }
    }
    if (t == IDBPQ__T_STOP || t > IDBPQ__T_STRUCT) {
        r->p = start;
        return corrupt_at(r, start, "bad list element type");
    }
    if (size > (uint64_t)(r->end - r->p) / min_elem_bytes(t)) {
        r->p = start;
        return IDBPQ_MORE; /* could still be valid once more bytes arrive */
    }
    *elem_type = t;
    *n = (uint32_t)size;
    return IDBPQ_OK;
}

idbpq_status idbpq__thrift_list_bool(struct idbpq__thrift_reader *r, int *v)
{
    /* Collections hold booleans as one byte. The C++ and Java writers use the type ids
     * (1 true, 2 false); the spec text says 1 and 0. Only 1 is true in both. */
    if (r->p >= r->end) return IDBPQ_MORE;
    *v = *r->p++ == 1;
    return IDBPQ_OK;
}

idbpq_status idbpq__thrift_struct_begin(struct idbpq__thrift_reader *r)
{
    if (r->depth >= IDBPQ__THRIFT_MAX_DEPTH)
        return corrupt_at(r, r->p, "nesting deeper than 64");
    r->depth++;
    return IDBPQ_OK;
}

void idbpq__thrift_struct_end(struct idbpq__thrift_reader *r)
{
    if (r->depth > 0) r->depth--;
}

static idbpq_status skip_value(struct idbpq__thrift_reader *r, int type, int in_collection);

static idbpq_status skip_struct(struct idbpq__thrift_reader *r)
{
    IDBPQ__TRY(idbpq__thrift_struct_begin(r));
    int16_t last = 0;
    for (;;) {
        int t;
        int16_t id;
        IDBPQ__TRY(idbpq__thrift_field(r, &last, &t, &id));
        if (t == IDBPQ__T_STOP) break;
        IDBPQ__TRY(skip_value(r, t, 0));
    }
    idbpq__thrift_struct_end(r);
    return IDBPQ_OK;
}

static idbpq_status skip_value(struct idbpq__thrift_reader *r, int type, int in_collection)
{
    uint64_t u = 0;
    switch (type) {
    case IDBPQ__T_TRUE:
    case IDBPQ__T_FALSE:
        /* A bool field carries its value in the type nibble; a bool element is a byte. */
        if (!in_collection) return IDBPQ_OK;
        if (r->p >= r->end) return IDBPQ_MORE;
        r->p++;
        return IDBPQ_OK;
    case IDBPQ__T_BYTE:
        if (r->p >= r->end) return IDBPQ_MORE;
        r->p++;
        return IDBPQ_OK;
    case IDBPQ__T_I16:
    case IDBPQ__T_I32:
    case IDBPQ__T_I64:
        return rd_varint(r, &u);
    case IDBPQ__T_DOUBLE:
        if ((size_t)(r->end - r->p) < 8) return IDBPQ_MORE;
        r->p += 8;
        return IDBPQ_OK;
    case IDBPQ__T_BINARY: {
        const uint8_t *p;
        uint32_t len;
        return idbpq__thrift_binary(r, &p, &len);
    }
    case IDBPQ__T_LIST:
    case IDBPQ__T_SET: {
        int et;
        uint32_t n;
        IDBPQ__TRY(idbpq__thrift_list(r, &et, &n));
        IDBPQ__TRY(idbpq__thrift_struct_begin(r)); /* containers count towards the depth */
        for (uint32_t i = 0; i < n; i++) IDBPQ__TRY(skip_value(r, et, 1));
        idbpq__thrift_struct_end(r);
        return IDBPQ_OK;
    }
    case IDBPQ__T_MAP: {
        /* Spec: size varint; if size > 0 a byte with key type (high) and value type (low). */
        const uint8_t *start = r->p;
        IDBPQ__TRY(rd_varint(r, &u));
        if (u == 0) return IDBPQ_OK;
        if (u > INT32_MAX) {
            r->p = start;
            return corrupt_at(r, start, "map size out of range");
        }
        if (r->p >= r->end) {
            r->p = start;
            return IDBPQ_MORE;
        }
        int kt = *r->p >> 4, vt = *r->p & 0x0f;
        if (kt == IDBPQ__T_STOP || kt > IDBPQ__T_STRUCT || vt == IDBPQ__T_STOP ||
            vt > IDBPQ__T_STRUCT) {
            r->p = start;
            return corrupt_at(r, start, "bad map key/value type");
        }
        r->p++;
        if (u > (uint64_t)(r->end - r->p) / 2) {
            r->p = start;
            return IDBPQ_MORE;
        }
        IDBPQ__TRY(idbpq__thrift_struct_begin(r));
        for (uint64_t i = 0; i < u; i++) {
            IDBPQ__TRY(skip_value(r, kt, 1));
            IDBPQ__TRY(skip_value(r, vt, 1));
        }
        idbpq__thrift_struct_end(r);
        return IDBPQ_OK;
    }
    case IDBPQ__T_STRUCT:
        return skip_struct(r);
    default:
        return corrupt_at(r, r->p, "bad type id");
    }
}

idbpq_status idbpq__thrift_skip(struct idbpq__thrift_reader *r, int type)
{
    return skip_value(r, type, 0);
}

/* ---- writer ---------------------------------------------------------------------------- */

void idbpq__thrift_writer_init(struct idbpq__thrift_writer *w, struct idbpq__buf *buf)
{
    w->buf = buf;
    w->depth = 0;
    w->last_id[0] = 0;
    w->st = IDBPQ_OK;
}

static inline void w_byte(struct idbpq__thrift_writer *w, uint8_t b)
{
    if (w->st == IDBPQ_OK) w->st = idbpq__buf_push(w->buf, b);
}

static inline void w_varint(struct idbpq__thrift_writer *w, uint64_t v)
{
    if (w->st == IDBPQ_OK) w->st = idbpq__buf_uleb(w->buf, v);
}

void idbpq__thrift_w_struct_begin(struct idbpq__thrift_writer *w)
{
    /* Depth past the array would be a bug in our encoders, never input driven. */
    if (w->depth + 1 >= IDBPQ__THRIFT_MAX_DEPTH) {
        if (w->st == IDBPQ_OK) w->st = IDBPQ_INVALID_ARG;
        return;
    }
    w->last_id[++w->depth] = 0;
}

void idbpq__thrift_w_struct_end(struct idbpq__thrift_writer *w)
{
    w_byte(w, IDBPQ__T_STOP);
    if (w->depth > 0) w->depth--;
}

void idbpq__thrift_w_field(struct idbpq__thrift_writer *w, int16_t id, int type)
{
    int16_t *last = &w->last_id[w->depth];
    int delta = id - *last;
    if (delta > 0 && delta <= 15) {
        w_byte(w, (uint8_t)(delta << 4 | type));
    } else {
        w_byte(w, (uint8_t)type);
        w_varint(w, idbpq__zigzag_enc(id));
    }
    *last = id;
}

void idbpq__thrift_w_bool_field(struct idbpq__thrift_writer *w, int16_t id, int v)
{
    idbpq__thrift_w_field(w, id, v ? IDBPQ__T_TRUE : IDBPQ__T_FALSE);
}

void idbpq__thrift_w_i32(struct idbpq__thrift_writer *w, int32_t v)
{
    w_varint(w, idbpq__zigzag_enc(v) & 0xffffffffu);
}

void idbpq__thrift_w_i64(struct idbpq__thrift_writer *w, int64_t v)
{
    w_varint(w, idbpq__zigzag_enc(v));
}

void idbpq__thrift_w_byte(struct idbpq__thrift_writer *w, int8_t v)
{
    w_byte(w, (uint8_t)v);
}

void idbpq__thrift_w_list_bool(struct idbpq__thrift_writer *w, int v)
{
    /* As the C++ and Java writers do: the bool type ids, 1 true, 2 false. */
    w_byte(w, v ? IDBPQ__T_TRUE : IDBPQ__T_FALSE);
}

void idbpq__thrift_w_binary(struct idbpq__thrift_writer *w, const void *p, uint32_t len)
{
    w_varint(w, len);
    if (w->st == IDBPQ_OK) w->st = idbpq__buf_append(w->buf, p, len);
}

void idbpq__thrift_w_list(struct idbpq__thrift_writer *w, int elem_type, uint32_t n)
{
    if (n < 15) {
        w_byte(w, (uint8_t)(n << 4 | (uint32_t)elem_type));
    } else {
        w_byte(w, (uint8_t)(0xf0 | elem_type));
        w_varint(w, n);
    }
}

void idbpq__thrift_w_i32_field(struct idbpq__thrift_writer *w, int16_t id, int32_t v)
{
    idbpq__thrift_w_field(w, id, IDBPQ__T_I32);
    idbpq__thrift_w_i32(w, v);
}

void idbpq__thrift_w_i64_field(struct idbpq__thrift_writer *w, int16_t id, int64_t v)
{
    idbpq__thrift_w_field(w, id, IDBPQ__T_I64);
    idbpq__thrift_w_i64(w, v);
}

void idbpq__thrift_w_binary_field(struct idbpq__thrift_writer *w, int16_t id, const void *p,
                                  uint32_t len)
{
    idbpq__thrift_w_field(w, id, IDBPQ__T_BINARY);
    idbpq__thrift_w_binary(w, p, len);
}
