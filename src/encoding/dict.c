/*
 * dict.c — the writer's dictionary builder: maps each distinct value to a dense index in
 * first-seen order (the order of the PLAIN dictionary page, Encodings.md "Dictionary
 * Encoding"). Inserting is the main cost of writing string columns, so:
 *   - an open-addressing table with linear probing of 64-bit slots (hash tag << 32 | index+1),
 *     or for byte arrays 16-byte slots {bytes pointer, tag, index+1}: the stored tag makes
 *     growing the table a pass over slots that never rehashes (or even touches) the values;
 *   - byte arrays are copied into chunks that never move, as [4-byte length][bytes], and the
 *     slot points at them, so a lookup costs two cache misses (slot, bytes), not three;
 *   - fixed-width values are compared as bytes, so -0.0 / 0.0 and NaN payloads stay distinct
 *     (the dictionary must reproduce the exact bits).
 */
#include "encoding/encoding.h"

#define CHUNK_MIN (64 * 1024)

struct bslot {
    const uint8_t *ptr; /* the stored bytes; their length is in the 4 bytes before */
    uint32_t tag;
    uint32_t idx1;      /* index + 1; 0 = empty */
};

struct idbpq__dict {
    const idbpq_allocator *alc;
    int type;
    size_t width;               /* fixed-width types; 0 for BYTE_ARRAY */
    uint64_t *slots;            /* fixed width: 0 = empty, else (tag << 32) | (index + 1) */
    struct bslot *bslots;       /* BYTE_ARRAY */
    size_t mask;                /* slot count - 1 (power of two) */
    uint32_t count;
    size_t plain_bytes;
    struct idbpq__buf values;   /* fixed: count*width bytes; BYTE_ARRAY: idbpq_bytes[count] */
    struct idbpq__arena chunks; /* BYTE_ARRAY storage */
    uint8_t *chunk;             /* current chunk, bump-allocated */
    size_t chunk_left;
};

/* ---- hashing ------------------------------------------------------------------------------- */

/* Our own small 64-bit hash: multiply/rotate rounds over 8-byte lanes (xxh64-style) and the
 * xxh64 avalanche at the end, because the table indexes by the low bits and keeps the high
 * bits as a tag, so every input bit must reach both. It avoids 128-bit multiplies to stay fast
 * on wasm32. Not keyed: the input is the writer's own data, not an attacker's. */
#define H1 0x9E3779B185EBCA87ull
#define H2 0xC2B2AE3D27D4EB4Full
#define H3 0x165667B19E3779F9ull

IDBPQ__INLINE uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

IDBPQ__INLINE uint64_t avalanche(uint64_t h)
{
    h ^= h >> 33;
    h *= H2;
    h ^= h >> 29;
    h *= H3;
    h ^= h >> 32;
    return h;
}

/* The n < 8 bytes at p as one word, without a variable-length copy: overlapping loads cover
 * every byte (which word a value maps to only has to depend on its bytes and length). */
IDBPQ__INLINE uint64_t load_short(const uint8_t *p, size_t n)
{
    if (n >= 4) return idbpq__le32(p) | ((uint64_t)idbpq__le32(p + n - 4) << 32);
    if (n == 0) return 0;
    return (uint64_t)p[0] | ((uint64_t)p[n / 2] << 8) | ((uint64_t)p[n - 1] << 16);
}

IDBPQ__INLINE uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = H3 ^ ((uint64_t)n * H1);
    if (n < 8) {
        if (n) h = rotl64(h ^ (load_short(p, n) * H2), 31) * H1;
        return avalanche(h);
    }
    const uint8_t *end = p + n;
    while (end - p > 16) {
        uint64_t a = idbpq__le64(p), b = idbpq__le64(p + 8);
        h = rotl64(h ^ (a * H2), 31) * H1;
        h = rotl64(h ^ (b * H2), 31) * H1;
        p += 16;
    }
    if (end - p > 8) {
        h = rotl64(h ^ (idbpq__le64(p) * H2), 31) * H1;
        p += 8;
    }
    /* the last 8 bytes, overlapping bytes already hashed when fewer remain */
    h = rotl64(h ^ (idbpq__le64(end - 8) * H2), 31) * H1;
    return avalanche(h);
}

/* a[0..n) == b[0..n), inline for the short strings dictionaries mostly hold. */
IDBPQ__INLINE int bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
    if (n <= 16) {
        if (n >= 8)
            return idbpq__le64(a) == idbpq__le64(b) &&
                   idbpq__le64(a + n - 8) == idbpq__le64(b + n - 8);
        return load_short(a, n) == load_short(b, n);
    }
    return memcmp(a, b, n) == 0;
}

IDBPQ__INLINE uint64_t hash_u64(uint64_t x) { return avalanche(x * H1 ^ H3); }

/* ---- table --------------------------------------------------------------------------------- */

static size_t slot_size(const struct idbpq__dict *d)
{
    return d->width ? sizeof(uint64_t) : sizeof(struct bslot);
}

static idbpq_status dict_grow_bytes(struct idbpq__dict *d, size_t ncap)
{
    struct bslot *ns = idbpq__calloc(d->alc, ncap * sizeof *ns);
    if (!ns) return IDBPQ_NOMEM;
    size_t nmask = ncap - 1;
    if (d->bslots) {
        for (size_t i = 0; i <= d->mask; i++) {
            if (!d->bslots[i].idx1) continue;
            size_t pos = d->bslots[i].tag & nmask;
            while (ns[pos].idx1) pos = (pos + 1) & nmask;
            ns[pos] = d->bslots[i];
        }
        idbpq__free(d->alc, d->bslots, (d->mask + 1) * sizeof *d->bslots);
    }
    d->bslots = ns;
    d->mask = nmask;
    return IDBPQ_OK;
}

static idbpq_status dict_grow(struct idbpq__dict *d)
{
    int have = d->slots || d->bslots;
    /* Positions come from the 32-bit tag, so the table stops at 2^32 slots. */
    if (have && (uint64_t)d->mask + 1 >= ((uint64_t)1 << 32)) return IDBPQ_LIMIT;
    size_t ncap = have ? (d->mask + 1) * 2 : 1024;
    if (ncap == 0 || ncap > SIZE_MAX / slot_size(d)) return IDBPQ_LIMIT;
    if (!d->width) return dict_grow_bytes(d, ncap);
    uint64_t *ns = idbpq__calloc(d->alc, ncap * sizeof *ns);
    if (!ns) return IDBPQ_NOMEM;
    size_t nmask = ncap - 1;
    if (d->slots) {
        for (size_t i = 0; i <= d->mask; i++) {
            uint64_t s = d->slots[i];
            if (!s) continue;
            size_t pos = (size_t)(s >> 32) & nmask;
            while (ns[pos]) pos = (pos + 1) & nmask;
            ns[pos] = s;
        }
        idbpq__free(d->alc, d->slots, (d->mask + 1) * sizeof *d->slots);
    }
    d->slots = ns;
    d->mask = nmask;
    return IDBPQ_OK;
}

idbpq_status idbpq__dict_create(struct idbpq__dict **out, int type, int32_t type_length,
                                const idbpq_allocator *alc)
{
    size_t w = idbpq__value_width(type, type_length);
    if (type != IDBPQ_BYTE_ARRAY && w == 0) return IDBPQ_INVALID_ARG;
    struct idbpq__dict *d = idbpq__calloc(alc, sizeof *d);
    if (!d) return IDBPQ_NOMEM;
    d->alc = idbpq__alc(alc);
    d->type = type;
    d->width = type == IDBPQ_BYTE_ARRAY ? 0 : w;
    idbpq__buf_init(&d->values, alc);
    idbpq__arena_init(&d->chunks, alc);
    if (dict_grow(d) != IDBPQ_OK) {
        idbpq__free(d->alc, d, sizeof *d);
        return IDBPQ_NOMEM;
    }
    *out = d;
    return IDBPQ_OK;
}

/* The tag is the hash's high half; the slot index comes from its low bits (the table never
 * exceeds 2^32 slots, so the tag alone re-derives positions when growing). */
#define TAG(h) ((uint32_t)((h) >> 32) ^ (uint32_t)(h))

IDBPQ__INLINE idbpq_status fixed_insert(struct idbpq__dict *d, const uint8_t *v, size_t n,
                                        uint32_t *indices, const size_t w)
{
    for (size_t i = 0; i < n; i++, v += w) {
        uint64_t h;
        if (w == 4) h = hash_u64(idbpq__le32(v));
        else if (w == 8) h = hash_u64(idbpq__le64(v));
        else h = hash_bytes(v, w);
        uint32_t tag = TAG(h);
        size_t pos = tag & d->mask;
        for (;;) {
            uint64_t s = d->slots[pos];
            if (!s) break;
            if ((uint32_t)(s >> 32) == tag) {
                uint32_t idx = (uint32_t)s - 1;
                if (memcmp(d->values.p + (size_t)idx * w, v, w) == 0) {
                    indices[i] = idx;
                    goto next;
                }
            }
            pos = (pos + 1) & d->mask;
        }
        if (d->count >= UINT32_MAX - 1) return IDBPQ_LIMIT;
        IDBPQ__TRY(idbpq__buf_append(&d->values, v, w));
        d->slots[pos] = ((uint64_t)tag << 32) | ((uint64_t)d->count + 1);
        indices[i] = d->count++;
        d->plain_bytes += w;
        if ((size_t)d->count * 2 > d->mask) IDBPQ__TRY(dict_grow(d));
    next:;
    }
    return IDBPQ_OK;
}

/* Values read from a dictionary-encoded file point into the reader's dictionary, so equal
 * values often share their bytes: within one call (the bytes cannot change meanwhile) the same
 * pointer and length is the same value, found without hashing. A small direct-mapped cache. */
#define PCACHE 64
struct pcache_entry {
    const uint8_t *ptr;
    uint32_t len, idx;
};

IDBPQ__INLINE size_t pcache_slot(const uint8_t *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p * H1;
    return (size_t)(x >> 58); /* 64 slots */
}

static idbpq_status bytes_insert(struct idbpq__dict *d, const idbpq_bytes *v, size_t n,
                                 uint32_t *indices)
{
    /* The pointer cache pays only over many values: clearing it for a call with a few
     * (sparse columns are handed over in small pieces) cost more than it saved. */
    struct pcache_entry pc[PCACHE], scratch;
    int use_pc = n >= 2 * PCACHE;
    if (use_pc) memset(pc, 0, sizeof pc);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *ptr = v[i].ptr;
        uint32_t len = v[i].len;
        struct pcache_entry *ce = use_pc ? &pc[pcache_slot(ptr)] : &scratch;
        if (use_pc && ce->ptr == ptr && ce->len == len && ptr) {
            indices[i] = ce->idx;
            continue;
        }
        uint32_t tag = TAG(hash_bytes(ptr, len));
        size_t pos = tag & d->mask;
        for (;;) {
            const struct bslot *sl = &d->bslots[pos];
            if (!sl->idx1) break;
            if (sl->tag == tag && idbpq__le32(sl->ptr - 4) == len && bytes_eq(sl->ptr, ptr, len)) {
                indices[i] = sl->idx1 - 1;
                *ce = (struct pcache_entry){ptr, len, indices[i]};
                goto next;
            }
            pos = (pos + 1) & d->mask;
        }
        if (d->count >= UINT32_MAX - 1) return IDBPQ_LIMIT;
        if (d->chunk_left < 4 + (size_t)len) {
            size_t sz = 4 + (size_t)len > CHUNK_MIN ? 4 + (size_t)len : CHUNK_MIN;
            uint8_t *c = idbpq__arena_alloc(&d->chunks, sz);
            if (!c) return IDBPQ_NOMEM;
            d->chunk = c;
            d->chunk_left = sz;
        }
        IDBPQ__TRY(idbpq__buf_reserve(&d->values, sizeof(idbpq_bytes)));
        uint8_t *copy = d->chunk + 4;
        idbpq__st_le32(d->chunk, len);
        if (len) memcpy(copy, ptr, len);
        d->chunk += 4 + (size_t)len;
        d->chunk_left -= 4 + (size_t)len;
        idbpq_bytes e = {copy, len};
        memcpy(d->values.p + d->values.len, &e, sizeof e);
        d->values.len += sizeof e;
        d->bslots[pos] = (struct bslot){copy, tag, d->count + 1};
        *ce = (struct pcache_entry){ptr, len, d->count};
        indices[i] = d->count++;
        d->plain_bytes += 4 + (size_t)len;
        if ((size_t)d->count * 2 > d->mask) IDBPQ__TRY(dict_grow(d));
    next:;
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__dict_insert(struct idbpq__dict *d, const void *values, size_t n,
                                uint32_t *indices)
{
    switch (d->width) {
    case 0: return bytes_insert(d, values, n, indices);
    case 1: return fixed_insert(d, values, n, indices, 1);
    case 4: return fixed_insert(d, values, n, indices, 4);
    case 8: return fixed_insert(d, values, n, indices, 8);
    case 12: return fixed_insert(d, values, n, indices, 12);
    case 16: return fixed_insert(d, values, n, indices, 16);
    default: return fixed_insert(d, values, n, indices, d->width);
    }
}

uint32_t idbpq__dict_count(const struct idbpq__dict *d) { return d->count; }

size_t idbpq__dict_plain_bytes(const struct idbpq__dict *d)
{
    if (d->type == IDBPQ_BOOLEAN) return (d->count + 7) / 8;
    return d->plain_bytes;
}

size_t idbpq__dict_memory(const struct idbpq__dict *d)
{
    size_t slot = d->type == IDBPQ_BYTE_ARRAY ? sizeof *d->bslots : sizeof *d->slots;
    size_t n = (d->slots || d->bslots) ? (d->mask + 1) * slot : 0;
    n += d->values.cap;
    if (d->type == IDBPQ_BYTE_ARRAY) n += d->plain_bytes; /* the strings themselves */
    return n;
}

idbpq_status idbpq__dict_encode_plain(const struct idbpq__dict *d, struct idbpq__buf *out)
{
    if (d->type == IDBPQ_BYTE_ARRAY || d->type == IDBPQ_BOOLEAN)
        return idbpq__plain_encode(d->type, 0, d->values.p, d->count, out);
    return idbpq__buf_append(out, d->values.p, (size_t)d->count * d->width);
}

const void *idbpq__dict_value(const struct idbpq__dict *d, uint32_t i)
{
    if (i >= d->count) return NULL;
    if (d->width == 0) return d->values.p + (size_t)i * sizeof(idbpq_bytes);
    return d->values.p + (size_t)i * d->width;
}

void idbpq__dict_reset(struct idbpq__dict *d)
{
    if (d->count) memset(d->width ? (void *)d->slots : (void *)d->bslots, 0,
                         (d->mask + 1) * slot_size(d));
    d->count = 0;
    d->plain_bytes = 0;
    idbpq__buf_reset(&d->values);
    idbpq__arena_reset(&d->chunks);
    d->chunk = NULL;
    d->chunk_left = 0;
}

void idbpq__dict_free(struct idbpq__dict *d)
{
    if (!d) return;
    idbpq__free(d->alc, d->slots, (d->mask + 1) * sizeof *d->slots);
    idbpq__free(d->alc, d->bslots, (d->mask + 1) * sizeof *d->bslots);
    idbpq__buf_free(&d->values);
    idbpq__arena_free(&d->chunks);
    idbpq__free(d->alc, d, sizeof *d);
}
