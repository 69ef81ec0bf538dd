/*
 * mapping.h — internals of the mapping layer: records (key, JS value) <-> Parquet rows.
 *
 * The pieces, in the order data flows when writing:
 *   infer.c      shapes: statistics of what values were seen at each path (bounded)
 *   plan.c       shapes -> a Parquet schema plus the type map (a tree of jsnodes)
 *   typemap.c    the type map and the store description <-> the file's "idbpq" metadata
 *   to_datum.c   one record -> one datum row following the type map; what does not fit is
 *                flagged with a fallback reason (the record then also goes to `_raw`)
 *   record_writer.c  the public record writer (two passes, or one pass over a sample)
 * and when reading:
 *   foreign.c    a type map derived from any schema's logical types (files idbpq did not write)
 *   from_datum.c one datum row -> (key, value) following the type map
 *   record_reader.c  the public record reader
 * docs/mapping.md is the user-facing description of the rules.
 */
#ifndef IDBPQ_MAPPING_H
#define IDBPQ_MAPPING_H

#include "common/common.h"
#include "value/value.h"

/* What a schema node holds, in JavaScript terms. The Parquet form is in brackets. */
typedef enum idbpq__js {
    IDBPQ__JS_NULL = 0,     /* only null/undefined/missing were seen [INT32, logical UNKNOWN] */
    IDBPQ__JS_BOOLEAN,      /* [BOOLEAN] */
    IDBPQ__JS_INT,          /* Number, every value an integer in ±2^53, never -0 [INT64] */
    IDBPQ__JS_DOUBLE,       /* Number [DOUBLE] */
    IDBPQ__JS_BIGINT,       /* BigInt within int64 [INT64] */
    IDBPQ__JS_BIGINT_DEC,   /* BigInt of at most 38 digits [FLBA(16) DECIMAL(38,0)] */
    IDBPQ__JS_BIGINT_TEXT,  /* BigInt, any size [STRING: decimal digits, "-" sign] */
    IDBPQ__JS_STRING,       /* [STRING] */
    IDBPQ__JS_DATE,         /* valid Date [INT64 TIMESTAMP(MILLIS, UTC)] */
    IDBPQ__JS_BINARY,       /* ArrayBuffer or a view kind (`view`) [BYTE_ARRAY] */
    IDBPQ__JS_TYPED,        /* typed array of kind `view` [LIST of its element type] */
    IDBPQ__JS_OBJECT,       /* plain object [group; children = properties] */
    IDBPQ__JS_ARRAY,        /* dense array [LIST; children[0] = element] */
    IDBPQ__JS_SET,          /* Set [LIST; children[0] = element] */
    IDBPQ__JS_MAP,          /* Map [MAP; children[0] = key, children[1] = value] */
    IDBPQ__JS_BLOB,         /* Blob [group {type STRING, size INT64, data BYTE_ARRAY}] */
    IDBPQ__JS_FILE,         /* File [group {name, type, size, lastModified TIMESTAMP, data}] */
    IDBPQ__JS_VARIANT,      /* any VARIANT-holdable value [VARIANT group] */
    IDBPQ__JS_JSON,         /* any value [STRING, logical JSON: its tagged JSON] */
    IDBPQ__JS_FOREIGN,      /* a node of a file idbpq did not write: read by logical type */
    IDBPQ__JS_COUNT
} idbpq__js;

/* What a null at a node means. */
enum { IDBPQ__ABS_MISSING = 0, IDBPQ__ABS_NULL = 1, IDBPQ__ABS_UNDEFINED = 2 };

/* `view` value for an ArrayBuffer (the idbpq_view_kind values are the views). */
#define IDBPQ__VIEW_BUFFER 255

struct idbpq__jsnode {
    uint8_t js;               /* idbpq__js */
    uint8_t absent;           /* IDBPQ__ABS_*: what a null here is */
    uint8_t view;             /* BINARY, TYPED: idbpq_view_kind or IDBPQ__VIEW_BUFFER;
                                 VARIANT: binary values are Uint8Array (1) or ArrayBuffer (0) */
    uint8_t key_number;       /* object property whose key was a Number (an array index) */
    uint8_t shred;            /* VARIANT: idbpq__vclass of typed_value, 0 = not shredded */
    int32_t node;             /* schema node: the leaf, or the group (LIST/MAP/VARIANT/...) */
    int32_t absent_node;      /* object property: INT32 sibling leaf with 1 = null, 2 =
                                 undefined where this one is null; -1 when not needed */
    const idbpq_value *prop;  /* object property: its name (a STRING value) */
    uint32_t n_children;
    struct idbpq__jsnode *children;
    /* Writing only (to_datum.c): property name hash -> child + 1, built on first use. */
    uint32_t *index;
    uint32_t index_cap;
};

/* The complete type map of a file: how its rows become records. */
struct idbpq__typemap {
    struct idbpq__jsnode value;   /* the record's value: an OBJECT over the root's children,
                                     or the `_value` column's node */
    int32_t value_is_root;        /* 1: value's children are top-level columns */
    int32_t has_key;              /* 1: a `_key` column holds the key (out-of-line keys) */
    struct idbpq__jsnode key;     /* the `_key` column's node (when has_key) */
    int32_t raw_node;             /* `_raw` leaf node, -1 if none */
    int32_t raw_key_node;         /* `_raw_key` leaf node (one pass: keys the `_key` column
                                     cannot hold, as tagged JSON), -1 if none */
};

/* ---- infer.c: shapes -------------------------------------------------------------------- */

/* Observed kinds at a path (a value is counted under one kind). */
enum idbpq__kind {
    IDBPQ__K_NULL = 0, IDBPQ__K_UNDEFINED, IDBPQ__K_BOOLEAN, IDBPQ__K_INT, IDBPQ__K_DOUBLE,
    IDBPQ__K_BIGINT64, IDBPQ__K_BIGINT38, IDBPQ__K_BIGINT_BIG, IDBPQ__K_STRING, IDBPQ__K_DATE,
    IDBPQ__K_BUFFER, IDBPQ__K_VIEW,  /* VIEW: per view kind in shape->views */
    IDBPQ__K_OBJECT, IDBPQ__K_ARRAY, IDBPQ__K_SET, IDBPQ__K_MAP, IDBPQ__K_BLOB, IDBPQ__K_FILE,
    IDBPQ__K_OTHER,                  /* no column form: the record falls back */
    IDBPQ__K_COUNT
};

struct idbpq__shape {
    uint64_t seen;                   /* values here, absences (null/undefined) included */
    uint64_t kinds[IDBPQ__K_COUNT];
    uint64_t views[13];              /* IDBPQ__K_VIEW by idbpq_view_kind */
    uint64_t unholdable;             /* values a VARIANT cannot hold */
    uint64_t objects_seen;           /* OBJECT: how many objects (for "missing" counts) */
    /* children: object properties (first-seen order), or element / map key+value */
    struct idbpq__shape **fields;
    uint32_t n_fields, cap_fields;
    const idbpq_value **names;       /* property names (copies in the shapes' batch) */
    uint32_t *order;                 /* fields in column order: a new property goes right
                                        after the one before it in the record that had it */
    uint8_t *name_numeric;
    struct idbpq__shape *elem;       /* ARRAY, SET and typed arrays' elements */
    struct idbpq__shape *map_key, *map_val;
    int32_t wide;                    /* too many properties: fields dropped, goes VARIANT */
    uint32_t *index; uint32_t index_cap;  /* property name hash -> field + 1 */
};

struct idbpq__infer {
    idbpq_vbatch *names;             /* property names live here */
    const idbpq_allocator *alc;
    struct idbpq__shape *root;       /* the records' values */
    struct idbpq__shape *key;        /* the records' keys */
    uint64_t n_shapes, max_shapes;   /* memory bound */
    uint32_t max_depth;
    struct idbpq__pmap seen;         /* objects of the record being observed */
};

/* The kind (IDBPQ__K_*) of a value's top level. */
int idbpq__value_kind(const idbpq_value *v);

idbpq_status idbpq__infer_init(struct idbpq__infer *in, const idbpq_allocator *alc,
                               uint64_t max_shapes, uint32_t max_depth);
void idbpq__infer_free(struct idbpq__infer *in);
idbpq_status idbpq__infer_add(struct idbpq__infer *in, const idbpq_value *key,
                              const idbpq_value *value);

/* ---- plan.c -------------------------------------------------------------------------------- */

struct idbpq__plan_opts {
    int32_t mixed_as_json;
    int32_t shred_variants;
    uint32_t max_columns;
    uint32_t max_depth;
    int32_t out_of_line_key;         /* a `_key` column */
    int32_t one_pass;                /* the schema comes from a sample: add `_raw_key` */
    int32_t delta_names;             /* Delta table: column names unique ignoring ASCII
                                        case, `_change_type` reserved at the root */
};

/* Builds the schema (finished) and the type map (jsnodes allocated in arena). */
idbpq_status idbpq__plan(const struct idbpq__infer *in, const struct idbpq__plan_opts *o,
                         struct idbpq__arena *arena, const idbpq_allocator *alc,
                         idbpq_schema **schema, struct idbpq__typemap *tm,
                         struct idbpq__err *err);

/* ---- typemap.c ----------------------------------------------------------------------------- */

#define IDBPQ__META_KEY "idbpq"       /* the file key_value_metadata key */
#define IDBPQ__META_FORMAT 1          /* its "format" version */

struct idbpq__meta_counts {
    uint64_t records, fallbacks;
    uint64_t by_reason[IDBPQ_FALLBACK_COUNT];
    int32_t sorted;
};

/* The metadata document (JSON) for a file: store, type map, counts. Appends to out. */
idbpq_status idbpq__typemap_encode(const idbpq_schema *s, const struct idbpq__typemap *tm,
                                   const idbpq_store_desc *store,
                                   const struct idbpq__meta_counts *counts, idbpq_buffer *out);
/* Reads the document back, resolving column names against s. The jsnodes, the store and its
 * strings are allocated in b. CORRUPT (message names the JSON position or the node) when it
 * does not parse or does not match the schema; UNSUPPORTED for a newer format. */
idbpq_status idbpq__typemap_decode(idbpq_vbatch *b, const idbpq_schema *s, const char *json,
                                   size_t len, struct idbpq__typemap *tm,
                                   idbpq_store_desc *store, struct idbpq__err *err);

/* ---- store descriptions -------------------------------------------------------------------- */

/* The "store" object of the metadata document (origin, database, version, name, keyPath,
 * autoIncrement, keyGenerator, indexes): written alone (appends to out), and read back from
 * such JSON with its strings allocated in b (INVALID_ARG with the position when it is not). */
idbpq_status idbpq__store_json_write(const idbpq_store_desc *store, idbpq_buffer *out);
idbpq_status idbpq__store_json_read(idbpq_vbatch *b, const char *json, size_t len,
                                    idbpq_store_desc *store, struct idbpq__err *err);

/* Deep copy of a store description into arena. */
idbpq_status idbpq__store_copy(struct idbpq__arena *a, const idbpq_store_desc *in,
                               idbpq_store_desc *out);

/* ---- to_datum.c ---------------------------------------------------------------------------- */

struct idbpq__todatum {
    struct idbpq__arena arena;       /* datums of the current row (reset per record) */
    struct idbpq__pmap seen;         /* objects met in the current record (sharing check) */
    struct idbpq__buf scratch;       /* UTF-8 text, VARIANT bytes (reset per record) */
    const idbpq_schema *schema;
    const idbpq_allocator *alc;
    int32_t *pos;                    /* node -> its position among its parent's children */
    struct idbpq__arena keep;        /* property indexes of object jsnodes */
    uint32_t max_depth;
    int32_t one_pass;                /* misfits are SCHEMA fallbacks (else also SCHEMA) */
    int reason;                      /* first fallback reason of the record, -1 if none */
};

idbpq_status idbpq__todatum_init(struct idbpq__todatum *t, const idbpq_schema *s,
                                 const idbpq_allocator *alc);
void idbpq__todatum_free(struct idbpq__todatum *t);
/* Builds the row for (key, value) in t->arena. t->reason tells whether `_raw` is needed (the
 * row's `_raw` item is then filled by the caller). key may be NULL when the map has no key. */
idbpq_status idbpq__todatum_row(struct idbpq__todatum *t, const struct idbpq__typemap *tm,
                                const idbpq_value *key, const idbpq_value *value,
                                idbpq_datum **row, struct idbpq__err *err);

/* IEEE 754 binary16 bits to float, exactly (NaN payloads kept): Float16Array elements, and
 * FLOAT16 columns of other files. */
float idbpq__half_to_float(uint16_t h);

/* ---- record_writer.c: one schema for many files (Delta tables) -------------------------- */

/* Set after idbpq_record_writer_create, before anything else:
 *   schema + typemap: the template, i.e. the Parquet schema and the "idbpq" footer document
 *     of a file of the table (both copied). The file gets exactly that schema; values and
 *     keys that do not fit go to `_raw` (reason SCHEMA) and `_raw_key` (SCHEMA error when
 *     the template has no `_raw_key`). schema NULL: inferred as usual (observe + begin, or a
 *     sample), with names Delta accepts and a `_raw_key` beside an inferred `_key`, so that
 *     the file can be the template of later ones.
 *   extra: a STRING column of that name appended to the root (`_change_type`), filled by
 *     idbpq__record_writer_write_extra; NULL: none.
 *   on_row: sees each row's datum before it is written (statistics the footer lacks). */
struct idbpq__rw_fixed {
    const idbpq_schema *schema;
    const char *typemap;
    size_t typemap_len;
    const char *extra;
    void (*on_row)(void *ctx, const idbpq_datum *row);
    void *on_row_ctx;
};
idbpq_status idbpq__record_writer_fix(idbpq_record_writer *w, const struct idbpq__rw_fixed *f);
/* idbpq_record_writer_write with the extra column's text (extra NULL: null). */
idbpq_status idbpq__record_writer_write_extra(idbpq_record_writer *w, const idbpq_value *key,
                                             const idbpq_value *value, const char *extra,
                                             size_t extra_n);
/* The file's schema once it is fixed (after begin, or the sample's flush); else NULL. The
 * extra column, when there is one, is its last root child. */
const idbpq_schema *idbpq__record_writer_schema(const idbpq_record_writer *w);

/* ---- reading ------------------------------------------------------------------------------- */

/* foreign.c: a type map for a file without idbpq metadata: every top-level column a property
 * of the value (JS_FOREIGN nodes), key_column (if given and found) the key. */
idbpq_status idbpq__typemap_foreign(idbpq_vbatch *b, const idbpq_schema *s,
                                    const char *key_column, struct idbpq__typemap *tm,
                                    struct idbpq__err *err);

/* record_reader.c: a top-level column read next to each record, whatever the type map says
 * (the `_change_type` of Delta change-data files): 1 when the file has it. After each
 * idbpq_record_reader_next, *_extra_str gives the row's value when it is a string (valid
 * until the next call), else returns 0. */
int idbpq__record_reader_extra_column(idbpq_record_reader *rr, const char *name);
int idbpq__record_reader_extra_str(const idbpq_record_reader *rr, const char **s, size_t *n);

/* from_datum.c: value (and key, when the map has a key column) of one row. */
idbpq_status idbpq__fromdatum_row(idbpq_vbatch *b, const idbpq_schema *s,
                                  const struct idbpq__typemap *tm,
                                  const idbpq_record_reader_opts *o, const idbpq_datum *row,
                                  idbpq_value **key, idbpq_value **value,
                                  struct idbpq__err *err);

#endif
