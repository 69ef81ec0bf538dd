/*
 * common.h — what every layer of idbpq shares: error recording, allocation through the
 * handle's allocator, growable byte buffers, arenas, and little-endian / varint helpers.
 * Depends on nothing but the public header and libc.
 */
#ifndef IDBPQ_COMMON_H
#define IDBPQ_COMMON_H

#include "idbpq.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define IDBPQ__LIKELY(x) __builtin_expect(!!(x), 1)
#define IDBPQ__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define IDBPQ__PRINTF(a, b) __attribute__((format(printf, a, b)))
#define IDBPQ__INLINE static inline __attribute__((always_inline))
#else
#define IDBPQ__LIKELY(x) (x)
#define IDBPQ__UNLIKELY(x) (x)
#define IDBPQ__PRINTF(a, b)
#define IDBPQ__INLINE static inline
#endif

/* ---- errors ------------------------------------------------------------------------------ */

#define IDBPQ__ERRMSG_SIZE 512

/* The last error of a handle: a status and a message that says what and where. */
struct idbpq__err {
    idbpq_status status;
    char msg[IDBPQ__ERRMSG_SIZE];
};

/* Records st and a printf-style message in err (err may be NULL); returns st so that call
 * sites read `return idbpq__fail(err, IDBPQ_CORRUPT, "...", ...);`. */
idbpq_status idbpq__fail(struct idbpq__err *err, idbpq_status st, const char *fmt, ...)
    IDBPQ__PRINTF(3, 4);
/* Prefixes the existing message with a context string ("row group 2, column a.b: "). */
void idbpq__err_prefix(struct idbpq__err *err, const char *fmt, ...) IDBPQ__PRINTF(2, 3);
void idbpq__err_clear(struct idbpq__err *err);
/* Copies err's message into a caller buffer (may be NULL / 0). */
void idbpq__err_copy(const struct idbpq__err *err, char *buf, size_t len);

#define IDBPQ__TRY(expr)                           \
    do {                                           \
        idbpq_status idbpq__st_ = (expr);          \
        if (idbpq__st_ != IDBPQ_OK) return idbpq__st_; \
    } while (0)

/* ---- allocation ---------------------------------------------------------------------------- */

/* The allocator to use: alc itself, or the libc one when alc is NULL. Never NULL. */
const idbpq_allocator *idbpq__alc(const idbpq_allocator *alc);
void *idbpq__malloc(const idbpq_allocator *alc, size_t n);
void *idbpq__calloc(const idbpq_allocator *alc, size_t n); /* zeroed */
void *idbpq__realloc(const idbpq_allocator *alc, void *p, size_t old_n, size_t new_n);
void idbpq__free(const idbpq_allocator *alc, void *p, size_t n);
/* A NUL-terminated copy of s[0..n) (n = strlen(s) when n == SIZE_MAX). */
char *idbpq__strndup(const idbpq_allocator *alc, const char *s, size_t n);

/* ---- growable byte buffer ----------------------------------------------------------------- */

struct idbpq__buf {
    uint8_t *p;
    size_t len, cap;
    const idbpq_allocator *alc; /* never NULL once initialised */
};

void idbpq__buf_init(struct idbpq__buf *b, const idbpq_allocator *alc);
void idbpq__buf_free(struct idbpq__buf *b);
/* Ensures room for `extra` more bytes; IDBPQ_NOMEM on failure (buffer unchanged). */
idbpq_status idbpq__buf_reserve(struct idbpq__buf *b, size_t extra);
idbpq_status idbpq__buf_append(struct idbpq__buf *b, const void *p, size_t n);
idbpq_status idbpq__buf_push(struct idbpq__buf *b, uint8_t byte);
idbpq_status idbpq__buf_uleb(struct idbpq__buf *b, uint64_t v);
static inline void idbpq__buf_reset(struct idbpq__buf *b) { b->len = 0; }

/* ---- arena: many small allocations freed together ------------------------------------------ */

struct idbpq__arena_block;
struct idbpq__arena {
    struct idbpq__arena_block *head;
    size_t used_in_head;
    size_t total;              /* bytes handed out since the last reset */
    const idbpq_allocator *alc;
};
void idbpq__arena_init(struct idbpq__arena *a, const idbpq_allocator *alc);
/* 8-byte aligned; NULL on out of memory. */
void *idbpq__arena_alloc(struct idbpq__arena *a, size_t n);
/* Keeps the first block for reuse, frees the rest. */
void idbpq__arena_reset(struct idbpq__arena *a);
void idbpq__arena_free(struct idbpq__arena *a);
char *idbpq__arena_strndup(struct idbpq__arena *a, const char *s, size_t n);

/* The entry named key in kv[0..n), NULL when none; when a key appears twice the later entry
 * counts, as in the maps it comes from (JSON objects, later actions override earlier ones). */
const idbpq_kv *idbpq__kv_get(const idbpq_kv *kv, size_t n, const char *key);

/* The value of a hexadecimal digit (either case), -1 for any other byte. */
IDBPQ__INLINE int idbpq__hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* ---- little-endian loads and stores ------------------------------------------------------- */

IDBPQ__INLINE uint16_t idbpq__le16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
IDBPQ__INLINE uint32_t idbpq__le32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
IDBPQ__INLINE uint64_t idbpq__le64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }
IDBPQ__INLINE void idbpq__st_le32(void *p, uint32_t v) { memcpy(p, &v, 4); }
IDBPQ__INLINE void idbpq__st_le64(void *p, uint64_t v) { memcpy(p, &v, 8); }
/* idbpq is built for little-endian hosts (x86-64, aarch64, wasm32); build.h checks it. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "idbpq assumes a little-endian host"
#endif

/* ---- varints ----------------------------------------------------------------------------- */

/* Reads an unsigned LEB128 varint of at most 10 bytes from [*p, end). Returns 0 on success
 * and advances *p; -1 if truncated or longer than 10 bytes. */
int idbpq__read_uleb(const uint8_t **p, const uint8_t *end, uint64_t *out);
IDBPQ__INLINE uint64_t idbpq__zigzag_enc(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
IDBPQ__INLINE int64_t idbpq__zigzag_dec(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* Bits needed to hold v (0 for 0). */
IDBPQ__INLINE int idbpq__bit_width(uint64_t v) { return v ? 64 - __builtin_clzll(v) : 0; }

/* ---- checksums ----------------------------------------------------------------------------- */

/* CRC-32 (the gzip polynomial), as Parquet page CRCs use. crc = 0 to start. */
uint32_t idbpq__crc32(uint32_t crc, const void *p, size_t n);

#endif
