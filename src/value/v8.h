/*
 * v8.h — internals shared by the V8 ValueSerializer codec (v8_decode.c, v8_encode.c) and
 * Blink's side of it (blink.c: the version envelope, Chromium's FF 11 markers and Blink's
 * host objects). Tags and rules follow v8/src/objects/value-serializer.cc (format 15) and
 * blink's v8_script_value_{de,}serializer.cc; docs: indexeddb-on-disk.md §2-3.
 */
#ifndef IDBPQ_V8_H
#define IDBPQ_V8_H

#include "value/value.h"

/* The newest V8 format this codec reads and writes (value-serializer.cc kLatestVersion). */
/* The newest wire version read and written. Version 16 (Chrome ~150+) writes ArrayBuffer and
 * view lengths and offsets as full 64-bit varints instead of 32-bit ones; nothing else
 * changed (value-serializer.cc version history). */
#define IDBPQ__V8_LATEST 16
/* What the encoder writes unless asked: 15 is what Node 20's V8 writes and what every
 * current Chromium reads. */
#define IDBPQ__V8_DEFAULT_WRITE 15
/* Blink's wire version current Chrome writes, and the first with the trailer locator. */
#define IDBPQ__BLINK_LATEST 21
#define IDBPQ__BLINK_TRAILER_MIN 21
/* Before this Blink version there is one envelope whose version both sides share. */
#define IDBPQ__BLINK_SEPARATE_MIN 16

/* Whatever the caller asks for, recursion stops here: each level costs a few C stack frames,
 * and wasm stacks are small. */
#define IDBPQ__V8_HARD_DEPTH 4000

/* Decoder state for one V8 value (one call of idbpq__v8_read). */
struct idbpq__v8r {
    const uint8_t *p, *end;       /* unread bytes */
    const uint8_t *base;          /* offsets in messages are p - base + base_off */
    uint64_t base_off;
    uint32_t version;             /* the V8 format version of the data */
    uint32_t blink_version;       /* Blink's (equals version without a separate envelope) */
    idbpq_vbatch *b;
    const idbpq_v8_opts *o;
    idbpq_error *err;
    const char *where;            /* "" or " (in the snappy-decompressed value)" */
    uint32_t depth, max_depth;
    uint64_t bytes, max_bytes;    /* bytes allocated for values so far, and the cap */
    /* Objects by id, in V8's order (every receiver, when its reading starts). */
    idbpq_value **ids;
    uint32_t n_ids, cap_ids;
    /* Scratch stack of children of the containers being read (copied out exactly sized). */
    idbpq_value **stk;
    size_t n_stk, cap_stk;
    idbpq_value *hole;            /* one shared IDBPQ_V_HOLE per decode */
    int v13_view_flags;           /* crbug.com/1284506: some version-13 views carry flags */
    idbpq_value *ids_local[32];
    idbpq_value *stk_local[64];
};

/* Byte offset of the next unread byte, for messages. */
IDBPQ__INLINE uint64_t idbpq__v8r_off(const struct idbpq__v8r *r)
{
    return (uint64_t)(r->p - r->base) + r->base_off;
}

/* CORRUPT at offset `at` with a message (the decode's `where` is appended). */
idbpq_status idbpq__v8r_fail(struct idbpq__v8r *r, idbpq_status st, const uint8_t *at,
                             const char *fmt, ...) IDBPQ__PRINTF(4, 5);

/* Reads one value (header already consumed, r->version set). Frees nothing: call
 * idbpq__v8r_done afterwards whatever the result. */
idbpq_status idbpq__v8_read(struct idbpq__v8r *r, idbpq_value **out);
void idbpq__v8r_init(struct idbpq__v8r *r, idbpq_vbatch *b, const idbpq_v8_opts *o,
                     idbpq_error *err);
void idbpq__v8r_done(struct idbpq__v8r *r);

/* Varints as V8 reads them: at most ceil(bits/7) bytes, higher bits dropped. 0 if truncated. */
int idbpq__v8_varint32(struct idbpq__v8r *r, uint32_t *out);
int idbpq__v8_varint64(struct idbpq__v8r *r, uint64_t *out);
/* Batch memory counted against opts.max_bytes; NULL after recording NOMEM/LIMIT. */
void *idbpq__v8r_alloc(struct idbpq__v8r *r, size_t n);
idbpq_value *idbpq__v8r_new(struct idbpq__v8r *r, idbpq_vtype t);
/* A string value from UTF-8 bytes (as V8's NewStringFromUtf8: bad sequences → U+FFFD),
 * Latin-1 when every code point fits. */
idbpq_value *idbpq__v8r_utf8(struct idbpq__v8r *r, const uint8_t *s, uint32_t n);

/* Blink: reads the host object after a '\' tag (or, for format < 13, at an unknown tag).
 * Blob/File/FileList become IDBPQ_V_BLOB/FILE/FILE_LIST; other tags that can be sized become
 * IDBPQ_V_HOST with their raw payload; the rest fail UNSUPPORTED. *out is registered by the
 * caller (it already took the object id). */
idbpq_status idbpq__blink_read_host(struct idbpq__v8r *r, idbpq_value *v);

/* Encoder output: appends into an idbpq_buffer; `start` is where this encoding began (V8
 * aligns two-byte strings relative to the start of its own buffer). */
struct idbpq__v8w {
    idbpq_buffer *out;
    size_t start;
    uint32_t version;
    uint32_t blink_version;      /* Blink's envelope version, or the V8 version without one */
    uint32_t depth, max_depth;
    idbpq_error *err;
    struct idbpq__pmap ids;      /* receiver -> object id */
    uint32_t next_id;
    int nomem;
};
idbpq_status idbpq__v8w_reserve(struct idbpq__v8w *w, size_t n);
IDBPQ__INLINE void idbpq__v8w_byte_unchecked(struct idbpq__v8w *w, uint8_t c)
{
    w->out->data[w->out->len++] = c;
}
idbpq_status idbpq__v8w_bytes(struct idbpq__v8w *w, const void *p, size_t n);
idbpq_status idbpq__v8w_varint(struct idbpq__v8w *w, uint64_t v);
idbpq_status idbpq__v8w_double(struct idbpq__v8w *w, double d);
/* One-byte string as UTF-8 (Blink's WebCoreString form): varint byte length + bytes. */
idbpq_status idbpq__v8w_utf8(struct idbpq__v8w *w, const idbpq_str *s);
/* Writes the Blink payload (tag byte and all) of a BLOB, FILE, FILE_LIST or HOST value. */
idbpq_status idbpq__blink_write_host(struct idbpq__v8w *w, const idbpq_value *v);
/* The V8 part: header (FF version) and the value. */
idbpq_status idbpq__v8_write(struct idbpq__v8w *w, const idbpq_value *v);

#endif
