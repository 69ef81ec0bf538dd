/*
 * ldb_coding.h — Chromium's IndexedDB LevelDB coding below and around the IDBKey: the
 * primitive encodings (Int, VarInt, String, StringWithLength, Binary, Double, Bool,
 * IDBKeyPath), the key prefix, a parsed view of every kind of whole key with a builder for
 * each, the values of record / exists / index / blob-entry keys, and blob file paths.
 * indexeddb-on-disk.md §1.1, §1.3–§1.11; Chromium content/browser/indexed_db/
 * indexed_db_leveldb_coding.cc.
 *
 * Conventions of this header:
 *   - Encoders append to a caller's idbpq_buffer and leave nothing behind on failure
 *     (the buffer's length is restored). INVALID_ARG for values the format cannot hold
 *     (negative ids, NaN keys, ids past the prefix's width...), NOMEM on allocation failure.
 *   - Decoders read through a cursor (struct idbpq__ldb_rd) over untrusted bytes: every
 *     length is checked against the bytes left before it is used, nothing is allocated that
 *     the input cannot account for, and failures are IDBPQ_CORRUPT with err->offset = the
 *     byte offset (from the start of the cursor's input) where the bad part starts.
 *   - Decoded strings are two-byte idbpq_str (host-order UTF-16 units) allocated in an
 *     idbpq_vbatch; slices (struct idbpq__ldb_bytes) point into the input and live as long
 *     as it does.
 *   - Decoders accept what Chromium's decoders accept (non-minimal VarInts and prefix ids,
 *     for instance); encoders write what Chromium writes. So decode → encode gives back the
 *     bytes of any key or value Chromium wrote.
 * Not thread-safe per cursor/buffer; no global state.
 */
#ifndef IDBPQ_IDB_LDB_CODING_H
#define IDBPQ_IDB_LDB_CODING_H

#include "idb/idb.h"

/* ==== cursor and slices ==================================================================== */

/* A byte range inside some input. */
struct idbpq__ldb_bytes {
    const uint8_t *p;
    size_t n;
};

/* A decoding cursor: [p, end) is what is left; offsets in errors count from base. */
struct idbpq__ldb_rd {
    const uint8_t *base;
    const uint8_t *p, *end;
    idbpq_error *err;          /* may be NULL */
};

/* Starts a cursor over p[0..n) (p may be NULL when n is 0). */
void idbpq__ldb_rd_init(struct idbpq__ldb_rd *r, const uint8_t *p, size_t n, idbpq_error *err);
/* Bytes left. */
static inline size_t idbpq__ldb_rd_left(const struct idbpq__ldb_rd *r)
{
    return (size_t)(r->end - r->p);
}
/* CORRUPT at the cursor's position with "what" as the message. */
idbpq_status idbpq__ldb_corrupt(struct idbpq__ldb_rd *r, const uint8_t *at, const char *what);

/* ==== primitives (§1.3) ==================================================================== */

/* Largest ids the key prefix can hold (KeyPrefix::kMax*Id): 8, 8 and 4 bytes, positive int. */
#define IDBPQ__LDB_MAX_DB_ID INT64_MAX
#define IDBPQ__LDB_MAX_OS_ID INT64_MAX
#define IDBPQ__LDB_MAX_INDEX_ID ((int64_t)INT32_MAX)
/* Index ids start here (kMinimumIndexId); 1, 2, 3 are records, exists and blob entries. */
#define IDBPQ__LDB_MIN_INDEX_ID 30
/* Blob numbers start here (kBlobNumberGeneratorInitialNumber); 1 means "every blob of the
 * database" in blob journals. */
#define IDBPQ__LDB_MIN_BLOB_NUMBER 2

/* Bytes of the minimal Int coding of v >= 0 (1 for 0). */
unsigned idbpq__ldb_int_size(uint64_t v);

/* Byte: one byte. Bool: one byte 0/1; decoding takes any non-zero byte as true. */
idbpq_status idbpq__ldb_put_byte(idbpq_buffer *out, uint8_t v);
idbpq_status idbpq__ldb_get_byte(struct idbpq__ldb_rd *r, uint8_t *v);
idbpq_status idbpq__ldb_put_bool(idbpq_buffer *out, int v);
idbpq_status idbpq__ldb_get_bool(struct idbpq__ldb_rd *r, int *v);

/* Int: v >= 0 little-endian in the fewest bytes (0 is one 00 byte). Its length is implicit:
 * get_int takes every byte left (1..8 of them; more, none, or a value past INT64_MAX is
 * CORRUPT); get_int_n takes exactly n (1..8) bytes, as the key prefix stores ids. */
idbpq_status idbpq__ldb_put_int(idbpq_buffer *out, int64_t v);
idbpq_status idbpq__ldb_get_int(struct idbpq__ldb_rd *r, int64_t *v);
idbpq_status idbpq__ldb_get_int_n(struct idbpq__ldb_rd *r, unsigned n, int64_t *v);

/* VarInt: unsigned LEB128 of v >= 0, at most 10 bytes. Decoding accepts non-minimal forms
 * (as Chromium's DecodeVarInt does) and refuses values past INT64_MAX (negative there). */
idbpq_status idbpq__ldb_put_varint(idbpq_buffer *out, int64_t v);
idbpq_status idbpq__ldb_get_varint_slow(struct idbpq__ldb_rd *r, int64_t *v);
/* One-byte VarInts (most ids and lengths) inline: idb_cmp1 reads several per comparison. */
static inline idbpq_status idbpq__ldb_get_varint(struct idbpq__ldb_rd *r, int64_t *v)
{
    if (r->p < r->end && *r->p < 0x80) {
        *v = *r->p++;
        return IDBPQ_OK;
    }
    return idbpq__ldb_get_varint_slow(r, v);
}

/* Double: 8 bytes in host order (little-endian on every platform idbpq builds for). Any bit
 * pattern, NaN included, is a Double; keys refuse NaN at their own level. */
idbpq_status idbpq__ldb_put_double(idbpq_buffer *out, double v);
idbpq_status idbpq__ldb_get_double(struct idbpq__ldb_rd *r, double *v);

/* String: the UTF-16 code units big-endian, no length; decoding takes every byte left (an
 * odd count is CORRUPT). Lone surrogates are kept both ways (they are code units). */
idbpq_status idbpq__ldb_put_string(idbpq_buffer *out, const idbpq_str *s);
idbpq_status idbpq__ldb_get_string(struct idbpq__ldb_rd *r, idbpq_vbatch *b, idbpq_str *s);

/* StringWithLength: VarInt count of code units, then String. get_swl_raw only checks and
 * returns the UTF-16BE body (2 * count bytes) without allocating. */
idbpq_status idbpq__ldb_put_string_with_length(idbpq_buffer *out, const idbpq_str *s);
idbpq_status idbpq__ldb_get_string_with_length(struct idbpq__ldb_rd *r, idbpq_vbatch *b,
                                               idbpq_str *s);
idbpq_status idbpq__ldb_get_swl_raw(struct idbpq__ldb_rd *r, struct idbpq__ldb_bytes *body);

/* UTF-16BE bytes (an even count) → a two-byte idbpq_str in b. NOMEM / INVALID_ARG. */
idbpq_status idbpq__ldb_utf16be_to_str(idbpq_vbatch *b, struct idbpq__ldb_bytes be,
                                       idbpq_str *s);

/* Binary: VarInt byte count, then the bytes. get_binary returns a slice of the input. */
idbpq_status idbpq__ldb_put_binary(idbpq_buffer *out, const uint8_t *p, size_t n);
idbpq_status idbpq__ldb_get_binary(struct idbpq__ldb_rd *r, struct idbpq__ldb_bytes *v);

/* One encoded IDBKey (§1.5) at the cursor: checks its structure (lengths, depth, no NaN) and
 * returns its bytes, to be decoded with idbpq_key_decode_leveldb or compared. allow_sentinels
 * also accepts the one-byte range bounds 00 (max) and 05 (min), which idb_cmp1 orders but
 * which are never stored. */
idbpq_status idbpq__ldb_get_idbkey_raw(struct idbpq__ldb_rd *r, int allow_sentinels,
                                       struct idbpq__ldb_bytes *key);

/* IDBKeyPath (§1.6), a whole value. Encoding writes the typed form 00 00 <type> (0 none,
 * 1 StringWithLength, 2 VarInt count + StringWithLength each). Decoding also reads the
 * legacy form (fewer than 3 bytes, or not starting 00 00: the whole value is one String
 * key path). Paths are UTF-8 in idbpq_keypath: decoding converts from UTF-16 and refuses
 * lone surrogates (CORRUPT: a key path is made of identifiers, which cannot hold them, and
 * Chromium validates key paths before storing them); encoding refuses invalid UTF-8
 * (INVALID_ARG). Neither checks the identifier syntax (idbpq__keypath_valid does). Typed
 * values with bytes after the path, or type bytes other than 0/1/2, are CORRUPT. The path
 * array and strings are allocated in b. */
idbpq_status idbpq__ldb_put_keypath(idbpq_buffer *out, const idbpq_keypath *kp);
idbpq_status idbpq__ldb_get_keypath(struct idbpq__ldb_rd *r, idbpq_vbatch *b, idbpq_keypath *kp);

/* ==== key prefix (§1.4) ==================================================================== */

/* The first byte packs the id widths: bits 7..5 database id bytes - 1, bits 4..2 object store
 * id bytes - 1, bits 1..0 index id bytes - 1; then each id as an Int of that width.
 * put_prefix writes the minimal widths (as KeyPrefix::Encode) and refuses negative ids and
 * index ids past IDBPQ__LDB_MAX_INDEX_ID; get_prefix accepts any widths and refuses ids
 * past INT64_MAX. */
struct idbpq__ldb_prefix {
    int64_t db, os, index;
};
idbpq_status idbpq__ldb_put_prefix(idbpq_buffer *out, int64_t db, int64_t os, int64_t index);
idbpq_status idbpq__ldb_get_prefix_slow(struct idbpq__ldb_rd *r, struct idbpq__ldb_prefix *pf);
/* One-byte ids (first byte 00) inline; the rest in get_prefix_slow. */
static inline idbpq_status idbpq__ldb_get_prefix(struct idbpq__ldb_rd *r,
                                                 struct idbpq__ldb_prefix *pf)
{
    if (r->end - r->p >= 4 && r->p[0] == 0) {
        pf->db = r->p[1];
        pf->os = r->p[2];
        pf->index = r->p[3];
        r->p += 4;
        return IDBPQ_OK;
    }
    return idbpq__ldb_get_prefix_slow(r, pf);
}

/* ==== whole keys (§1.7–§1.11) ============================================================== */

/* Type bytes after a global metadata prefix (00 00 00 00). */
enum {
    IDBPQ__LDB_G_SCHEMA_VERSION = 0,     /* Int */
    IDBPQ__LDB_G_MAX_DATABASE_ID = 1,    /* Int */
    IDBPQ__LDB_G_DATA_VERSION = 2,       /* Int: (V8 version << 32) | Blink version */
    IDBPQ__LDB_G_RECOVERY_JOURNAL = 3,   /* blob journal */
    IDBPQ__LDB_G_ACTIVE_JOURNAL = 4,     /* blob journal */
    IDBPQ__LDB_G_EARLIEST_SWEEP = 5,     /* Int */
    IDBPQ__LDB_G_EARLIEST_COMPACTION = 6,/* Int */
    IDBPQ__LDB_G_SINGLETON_END = 7,      /* types below are singletons */
    IDBPQ__LDB_G_SCOPES = 50,
    IDBPQ__LDB_G_DB_FREE_LIST = 100,
    IDBPQ__LDB_G_DB_NAME = 201
};
/* Type bytes after a database metadata prefix (<db> 00 00). */
enum {
    IDBPQ__LDB_D_ORIGIN_NAME = 0,        /* String (legacy) */
    IDBPQ__LDB_D_DATABASE_NAME = 1,      /* String (legacy) */
    IDBPQ__LDB_D_USER_STRING_VERSION = 2,/* obsolete */
    IDBPQ__LDB_D_MAX_OBJECT_STORE_ID = 3,/* Int */
    IDBPQ__LDB_D_USER_VERSION = 4,       /* VarInt */
    IDBPQ__LDB_D_BLOB_NUMBER = 5,        /* VarInt: the blob number generator */
    IDBPQ__LDB_D_SINGLETON_END = 6,
    IDBPQ__LDB_D_OS_META = 50,
    IDBPQ__LDB_D_INDEX_META = 100,
    IDBPQ__LDB_D_OS_FREE_LIST = 150,
    IDBPQ__LDB_D_INDEX_FREE_LIST = 151,
    IDBPQ__LDB_D_OS_NAME = 200,
    IDBPQ__LDB_D_INDEX_NAME = 201
};
/* Object store metadata types (§1.9) and index metadata types (§1.10). */
enum {
    IDBPQ__LDB_OS_NAME_T = 0, IDBPQ__LDB_OS_KEY_PATH = 1, IDBPQ__LDB_OS_AUTO_INCREMENT = 2,
    IDBPQ__LDB_OS_EVICTABLE = 3, IDBPQ__LDB_OS_LAST_VERSION = 4, IDBPQ__LDB_OS_MAX_INDEX_ID = 5,
    IDBPQ__LDB_OS_HAS_KEY_PATH = 6, IDBPQ__LDB_OS_KEY_GENERATOR = 7
};
enum {
    IDBPQ__LDB_IX_NAME = 0, IDBPQ__LDB_IX_UNIQUE = 1, IDBPQ__LDB_IX_KEY_PATH = 2,
    IDBPQ__LDB_IX_MULTI_ENTRY = 3
};

enum idbpq__ldb_kind {
    IDBPQ__LDB_UNKNOWN = 0,      /* well-formed prefix, metadata type not known: type, rest */
    IDBPQ__LDB_GLOBAL_META,      /* 00 00 00 00 <type < 7>: type */
    IDBPQ__LDB_SCOPES,           /* 00 00 00 00 32 <rest>: LevelDB Scopes logs; skip */
    IDBPQ__LDB_DB_FREE_LIST,     /* 00 00 00 00 64 VarInt db: db_id */
    IDBPQ__LDB_DATABASE_NAME,    /* 00 00 00 00 C9 SWL origin SWL name: origin, name */
    IDBPQ__LDB_DB_META,          /* <db> 00 00 <type < 6>: db_id, type */
    IDBPQ__LDB_OBJECT_STORE_META,/* <db> 00 00 32 VarInt os, meta: db_id, os_id, meta_type */
    IDBPQ__LDB_INDEX_META,       /* <db> 00 00 64 VarInt os, VarInt index, meta */
    IDBPQ__LDB_OS_FREE_LIST,     /* <db> 00 00 96 VarInt os */
    IDBPQ__LDB_INDEX_FREE_LIST,  /* <db> 00 00 97 VarInt os, VarInt index */
    IDBPQ__LDB_OBJECT_STORE_NAME,/* <db> 00 00 C8 SWL name: db_id, name */
    IDBPQ__LDB_INDEX_NAME,       /* <db> 00 00 C9 VarInt os, SWL name: db_id, os_id, name */
    IDBPQ__LDB_RECORD,           /* <db> <os> 01 IDBKey: key */
    IDBPQ__LDB_EXISTS,           /* <db> <os> 02 IDBKey: key */
    IDBPQ__LDB_BLOB_ENTRY,       /* <db> <os> 03 IDBKey: key */
    IDBPQ__LDB_INDEX_DATA        /* <db> <os> <index> IDBKey VarInt seq IDBKey: key, sequence,
                                  * primary */
};

/* A parsed whole key. Ids: for data keys the prefix's; for metadata keys the ids the key
 * names (so a DB_FREE_LIST key's db_id is the freed database although its prefix is 0 0 0,
 * an OBJECT_STORE_META key's os_id is the store). Slices point into the parsed bytes. */
struct idbpq__ldb_key {
    enum idbpq__ldb_kind kind;
    int64_t db_id, os_id, index_id;
    uint8_t type;                       /* global / database metadata type byte */
    uint8_t meta_type;                  /* OBJECT_STORE_META, INDEX_META */
    struct idbpq__ldb_bytes origin;     /* DATABASE_NAME: UTF-16BE body */
    struct idbpq__ldb_bytes name;       /* DATABASE_NAME, OBJECT_STORE_NAME, INDEX_NAME */
    struct idbpq__ldb_bytes key;        /* RECORD/EXISTS/BLOB_ENTRY: primary; INDEX_DATA:
                                         * index key. An encoded IDBKey. */
    struct idbpq__ldb_bytes primary;    /* INDEX_DATA: an encoded IDBKey */
    int has_sequence;                   /* INDEX_DATA */
    int64_t sequence;
    struct idbpq__ldb_bytes rest;       /* SCOPES, UNKNOWN: the bytes after the type byte
                                         * (UNKNOWN with a non-metadata prefix: after it) */
};

/* Parses a whole LevelDB key. Accepts what idb_cmp1 accepts as well-formed, including the
 * partial keys Chromium seeks with (a data prefix with no IDBKey, an index key without
 * sequence or primary key: key/primary then have n == 0, has_sequence 0) and the range
 * sentinels as IDBKeys. Metadata types it does not know, global singletons with trailing
 * bytes, and metadata prefixes with non-zero object store or index ids give UNKNOWN.
 * CORRUPT (with the offset) for keys idb_cmp1 calls malformed. */
idbpq_status idbpq__ldb_parse_key(const uint8_t *p, size_t n, struct idbpq__ldb_key *k,
                                  idbpq_error *err);

/* Builders: append a whole key to out (minimal prefix, as Chromium writes). INVALID_ARG for
 * ids out of range (db 1..2^63-1, os 1..2^63-1, index 30..2^31-1), NaN keys, NULL keys. */
idbpq_status idbpq__ldb_global_meta_key(uint8_t type, idbpq_buffer *out);
idbpq_status idbpq__ldb_db_free_list_key(int64_t db, idbpq_buffer *out);
idbpq_status idbpq__ldb_db_name_key(const idbpq_str *origin, const idbpq_str *name,
                                    idbpq_buffer *out);
idbpq_status idbpq__ldb_db_meta_key(int64_t db, uint8_t type, idbpq_buffer *out);
idbpq_status idbpq__ldb_os_meta_key(int64_t db, int64_t os, uint8_t meta, idbpq_buffer *out);
idbpq_status idbpq__ldb_index_meta_key(int64_t db, int64_t os, int64_t index, uint8_t meta,
                                       idbpq_buffer *out);
idbpq_status idbpq__ldb_os_free_list_key(int64_t db, int64_t os, idbpq_buffer *out);
idbpq_status idbpq__ldb_index_free_list_key(int64_t db, int64_t os, int64_t index,
                                            idbpq_buffer *out);
idbpq_status idbpq__ldb_os_name_key(int64_t db, const idbpq_str *name, idbpq_buffer *out);
idbpq_status idbpq__ldb_index_name_key(int64_t db, int64_t os, const idbpq_str *name,
                                       idbpq_buffer *out);
idbpq_status idbpq__ldb_record_key(int64_t db, int64_t os, const idbpq_key *key,
                                   idbpq_buffer *out);
idbpq_status idbpq__ldb_exists_key(int64_t db, int64_t os, const idbpq_key *key,
                                   idbpq_buffer *out);
idbpq_status idbpq__ldb_blob_entry_key(int64_t db, int64_t os, const idbpq_key *key,
                                       idbpq_buffer *out);
/* Chromium always writes sequence 0 now. */
idbpq_status idbpq__ldb_index_data_key(int64_t db, int64_t os, int64_t index,
                                       const idbpq_key *index_key, int64_t sequence,
                                       const idbpq_key *primary, idbpq_buffer *out);
/* Rebuilds a parsed key from its parts (IDBKeys and names copied as bytes). A key Chromium
 * wrote comes back byte-identical; parts parsed from non-minimal forms come back minimal.
 * INVALID_ARG for UNKNOWN keys with a non-metadata prefix (their prefix is not kept). */
idbpq_status idbpq__ldb_build_key(const struct idbpq__ldb_key *k, idbpq_buffer *out);

/* ==== values (§1.11) ======================================================================= */

/* Record value: VarInt version, then the serialized value (the rest). */
idbpq_status idbpq__ldb_record_value(const uint8_t *p, size_t n, int64_t *version,
                                     struct idbpq__ldb_bytes *ssv, idbpq_error *err);
/* Exists value: the version as an Int. */
idbpq_status idbpq__ldb_exists_value(const uint8_t *p, size_t n, int64_t *version,
                                     idbpq_error *err);
/* Index data value: VarInt version, then the primary key as an IDBKey (checked; bytes after
 * it are ignored, as Chromium's reader does). */
idbpq_status idbpq__ldb_index_value(const uint8_t *p, size_t n, int64_t *version,
                                    struct idbpq__ldb_bytes *primary, idbpq_error *err);

/* External-object list (a blob-entry key's value): entries until the end, no count. */
enum { IDBPQ__LDB_XO_BLOB = 0, IDBPQ__LDB_XO_FILE = 1, IDBPQ__LDB_XO_FSA = 2 };
/* Microseconds between 1601-01-01 (Windows epoch, Chromium's base::Time) and 1970-01-01. */
#define IDBPQ__LDB_WINDOWS_EPOCH_DELTA_US INT64_C(11644473600000000)
struct idbpq__ldb_xobj {
    uint8_t type;                 /* IDBPQ__LDB_XO_* */
    int64_t blob_number;          /* BLOB, FILE: >= IDBPQ__LDB_MIN_BLOB_NUMBER */
    idbpq_str mime;               /* BLOB, FILE */
    int64_t size;                 /* BLOB, FILE: bytes */
    idbpq_str name;               /* FILE */
    int64_t last_modified_us;     /* FILE: µs since 1601-01-01, as stored (encode uses it) */
    double last_modified_ms;      /* FILE: the same as ms since 1970-01-01 (File.lastModified) */
    struct idbpq__ldb_bytes token;/* FSA: the handle's token (decode: copied into the batch) */
};
/* Decodes the list into an array allocated in b (*count entries; *out NULL when empty).
 * Unknown object types, blob numbers below 2, negative sizes: CORRUPT. */
idbpq_status idbpq__ldb_xobjs_decode(idbpq_vbatch *b, const uint8_t *p, size_t n,
                                     struct idbpq__ldb_xobj **out, size_t *count,
                                     idbpq_error *err);
/* Encodes n entries (appends). INVALID_ARG for what the decoder would refuse. */
idbpq_status idbpq__ldb_xobjs_encode(const struct idbpq__ldb_xobj *x, size_t n,
                                     idbpq_buffer *out);

/* Blob journal (global types 3, 4): {VarInt db id, VarInt blob number} pairs, no count.
 * Decodes into an array in b; db ids must be >= 1, blob numbers >= 2 or 1 (all blobs). */
struct idbpq__ldb_journal_entry {
    int64_t db_id, blob_number;
};
idbpq_status idbpq__ldb_journal_decode(idbpq_vbatch *b, const uint8_t *p, size_t n,
                                       struct idbpq__ldb_journal_entry **out, size_t *count,
                                       idbpq_error *err);

/* Blob file path relative to the .indexeddb.blob directory (§1.1): "<db hex>/<2 hex digits of
 * (blob & 0xff00) >> 8>/<blob hex>", lowercase, NUL-terminated in out (cap >= this size).
 * INVALID_ARG for db < 1, blob < 1, or a too small buffer. */
#define IDBPQ__LDB_BLOB_PATH_MAX 40
idbpq_status idbpq__ldb_blob_path(int64_t db, int64_t blob_number, char *out, size_t cap);

#endif
