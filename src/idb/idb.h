/*
 * idb.h — internals shared by the IndexedDB key layer (src/idb): limits, error recording for
 * the stateless key calls, UTF-16 unit access, key-path validation.
 * May include common/ and value/ headers, nothing above.
 */
#ifndef IDBPQ_IDB_H
#define IDBPQ_IDB_H

#include "common/common.h"
#include "value/value.h" /* idbpq__verr: stateless errors */

/* Chromium's IndexedDBKey::kMaximumDepth (third_party/blink/public/common/indexeddb/
 * indexeddb_key.h): arrays nested deeper than this are refused by its encoder and decoder.
 * We use the same bound everywhere a key is built or decoded, so recursion stays bounded. */
#define IDBPQ__KEY_MAX_DEPTH 2000
/* Chromium's IndexedDBKey::kMaximumArraySize: the most items an array key may hold. */
#define IDBPQ__KEY_MAX_ARRAY 1000000u


/* Compares two strings by UTF-16 code unit (IndexedDB's string order): -1, 0, 1. */
int idbpq__kstr_cmp(const idbpq_str *a, const idbpq_str *b);

/* Allocation in a value batch, zeroed; NULL when out of memory. */
void *idbpq__kalloc(idbpq_vbatch *b, size_t n);

/* Whether s[0..n) (UTF-8) is a valid key path string (IndexedDB "valid key path", string
 * form): empty, or identifiers separated by '.'. Identifiers follow Chromium (Blink's
 * idb_key_path.cc), which the spec's ID_Start/ID_Continue wording differs from on a few
 * characters (U+00B7, U+2118, U+2E2F, U+309B...) and on non-BMP letters, which Chromium
 * refuses; checked against Chromium by tests/suites/62_keys.sh. Non-UTF-8 is invalid. */
int idbpq__keypath_valid(const char *s, size_t n);

/* Whether a code point may start / continue a key-path identifier, as Chromium decides
 * (ECMAScript 5 Identifier by general category, BMP only; keypath_unicode.c). */
int idbpq__id_start(uint32_t c);
int idbpq__id_part(uint32_t c);

/* Appends bytes to a caller's idbpq_buffer, growing it through its allocator. */
idbpq_status idbpq__kbuf_append(idbpq_buffer *out, const void *p, size_t n);

#endif
