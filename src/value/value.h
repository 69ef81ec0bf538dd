/*
 * value.h — internals of the value layer shared by its files: the value batch (an arena),
 * stateless error reporting, string constructors that keep V8's one-/two-byte choice,
 * property-name canonicalisation and the array normalisation that equality, hashing and
 * tagged JSON all agree on (docs/value-model.md).
 */
#ifndef IDBPQ_VALUE_H
#define IDBPQ_VALUE_H

#include "common/common.h"

struct idbpq_vbatch {
    struct idbpq__arena arena;    /* every value, string and payload of the batch */
    const idbpq_allocator *alc;   /* never NULL: for temporaries outside the arena */
};

/* Sets *err (may be NULL) to st, offset and a printf-style message (line/column 0). */
idbpq_status idbpq__verr(idbpq_error *err, idbpq_status st, uint64_t offset, const char *fmt,
                         ...) IDBPQ__PRINTF(4, 5);

/* Copies into the batch. latin1 makes a one-byte string; utf16 a two-byte one (kept two-byte
 * even when every unit fits Latin-1, so re-encoding reproduces V8's bytes). NULL: no memory. */
idbpq_value *idbpq__value_latin1(idbpq_vbatch *b, const uint8_t *s, uint32_t n);
idbpq_value *idbpq__value_utf16(idbpq_vbatch *b, const uint16_t *s, uint32_t n);
/* Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF) to the narrowest
 * string. Returns 0 with *out set; 1 when the bytes are not UTF-8 (*bad_at: where the bad
 * sequence starts); -1 when out of memory. */
int idbpq__value_utf8_strict(idbpq_vbatch *b, const uint8_t *p, size_t n, idbpq_value **out,
                             size_t *bad_at);
/* The narrowest string for these UTF-16 units (one-byte when all fit). */
idbpq_value *idbpq__value_units(idbpq_vbatch *b, const uint16_t *s, uint32_t n);

/* UTF-8 of a JS string into out (room for 3 bytes per code unit): surrogate pairs become one
 * code point, a lone surrogate U+FFFD (and *lone, if given, is set). Returns the length. */
size_t idbpq__str_to_utf8(const idbpq_str *s, uint8_t *out, int *lone);

/* FNV-1a over the string's code units (width-independent, like idbpq__str_equal): for the
 * property-name tables of the mapping layer. */
uint32_t idbpq__str_hash(const idbpq_str *s);

/* Code unit i of a string. */
IDBPQ__INLINE uint16_t idbpq__str_unit(const idbpq_str *s, uint32_t i)
{
    return s->two_byte ? ((const uint16_t *)s->data)[i] : ((const uint8_t *)s->data)[i];
}
/* Code-unit equality regardless of width. */
int idbpq__str_equal(const idbpq_str *a, const idbpq_str *b);

/* JavaScript's Number::toString: shortest round-trip digits, exponent form outside
 * [1e-7, 1e21). out needs 32 bytes; returns the length (NUL-terminated). NaN, Infinity,
 * -Infinity print as JS does; -0 prints "0" (as ToString does). */
size_t idbpq__fmt_number(char *out, double v);

/* A property key's name: a STRING key as is; a NUMBER key as ToString(key), ASCII, written
 * into tmp (32 bytes) and returned as a one-byte idbpq_str. */
idbpq_str idbpq__key_name(const idbpq_value *key, char tmp[32]);
/* Whether the name is an array index ("0" or [1-9][0-9]* below 2^32-1); stores it. */
int idbpq__name_index(const idbpq_str *name, uint32_t *index);

/* An array seen as JavaScript sees it: elements (present indices, ascending) and the other
 * own properties in order — the same whether the model stores it dense (with holes) or
 * sparse. Arrays are allocated with alc; free with idbpq__array_split_free. */
struct idbpq__aelem {
    uint32_t index;
    const idbpq_value *value;
};
struct idbpq__asplit {
    struct idbpq__aelem *elems;
    uint32_t n_elems;
    const idbpq_prop **extras;
    uint32_t n_extras;
    size_t cap_elems, cap_extras;  /* for freeing */
};
idbpq_status idbpq__array_split(const idbpq_value *arr, const idbpq_allocator *alc,
                                struct idbpq__asplit *out);
void idbpq__array_split_free(struct idbpq__asplit *s, const idbpq_allocator *alc);

/* Whether a value of this type has identity (gets a reference number): everything but
 * undefined, null, booleans, numbers, BigInts, strings and holes. */
IDBPQ__INLINE int idbpq__is_object(int type)
{
    return type >= IDBPQ_V_OBJECT && type <= IDBPQ_V_HOST;
}

/* Calls fn on every Blob and File value reachable from root (through objects, arrays, Maps,
 * Sets, FileLists and Error causes), once each, in about the order a serializer meets them
 * (exact for trees); stops at fn's first non-OK status and returns it. Scratch memory comes
 * from b. */
idbpq_status idbpq__value_each_blob(idbpq_vbatch *b, idbpq_value *root,
                                    idbpq_status (*fn)(void *ctx, idbpq_value *blob),
                                    void *ctx);

/* A pointer -> uint32 open-addressing map for graph walks (visited sets, reference numbers). */
struct idbpq__pmap {
    const void **keys;
    uint32_t *vals;
    size_t cap, n;                /* cap: power of two, or 0 */
    const idbpq_allocator *alc;
};
void idbpq__pmap_init(struct idbpq__pmap *m, const idbpq_allocator *alc);
void idbpq__pmap_free(struct idbpq__pmap *m);
/* Empties the map (keeps small tables for reuse). */
void idbpq__pmap_clear(struct idbpq__pmap *m);
/* Returns a pointer to the value slot for key, or NULL when absent. */
uint32_t *idbpq__pmap_get(const struct idbpq__pmap *m, const void *key);
/* Inserts (key must be absent). NOMEM on failure. */
idbpq_status idbpq__pmap_put(struct idbpq__pmap *m, const void *key, uint32_t val);

#endif
