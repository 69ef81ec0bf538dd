/*
 * idbpq.h — the public API of idbpq, and its manual.
 *
 * idbpq moves data between IndexedDB and Apache Parquet. This header is the only public
 * header: anything not declared here is not API. It currently covers the Parquet layer:
 *
 *   - status codes and messages            (idbpq_status, idbpq_status_str)
 *   - allocator hooks                      (idbpq_allocator)
 *   - byte sources and sinks               (idbpq_source, idbpq_sink, file helpers)
 *   - schemas                              (idbpq_schema: build one, or read a file's)
 *   - file metadata, read-only views       (idbpq_file_meta and friends)
 *   - the reader                           (idbpq_reader, column cursors, row reader)
 *   - the writer                           (idbpq_writer: column batches or rows in, Parquet out)
 *
 * Conventions, once for all functions:
 *   - Every fallible function returns idbpq_status; IDBPQ_OK (0) is success. Results come back
 *     through out-parameters, which are left untouched (or set to NULL) on failure.
 *   - Handles are opaque and created/freed in pairs; every *_free(NULL) is a no-op.
 *   - After a failure on a handle, *_errmsg(handle) returns a message that says what is wrong
 *     and where (byte offset, row group, column path, page). It stays valid until the next call
 *     on that handle.
 *   - An allocator argument may be NULL: libc malloc/realloc/free are used.
 *   - Pointers returned inside results (values, names, metadata) are owned by the handle that
 *     produced them. Each function says how long they live.
 *   - No function is thread-safe on the same handle; distinct handles may be used from
 *     distinct threads.
 */
#ifndef IDBPQ_H
#define IDBPQ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(IDBPQ_BUILDING) && defined(__GNUC__)
#define IDBPQ_API __attribute__((visibility("default")))
#else
#define IDBPQ_API
#endif

/* ============================================================================================
 * Version. Same major number: source compatible. The ABI is not stable before 1.0.
 * ========================================================================================== */
#define IDBPQ_VERSION_MAJOR 0
#define IDBPQ_VERSION_MINOR 1
#define IDBPQ_VERSION_PATCH 0
#define IDBPQ_VERSION_NUMBER \
    (IDBPQ_VERSION_MAJOR * 10000 + IDBPQ_VERSION_MINOR * 100 + IDBPQ_VERSION_PATCH)
#define IDBPQ_VERSION_STRING "0.1.0"

/** The version the library was built as (equals IDBPQ_VERSION_NUMBER when headers match). */
IDBPQ_API unsigned idbpq_version_number(void);
IDBPQ_API const char *idbpq_version_string(void);

/* ============================================================================================
 * Status codes. Numbers are assigned once and never reused; families leave gaps.
 * ========================================================================================== */
#define IDBPQ_STATUS_MAP(X)                                                       \
    X(OK, 0, "success")                                                           \
    X(NOMEM, 1, "out of memory")                                                  \
    X(INVALID_ARG, 2, "invalid argument")                                         \
    X(CORRUPT, 10, "malformed or corrupt input")                                  \
    X(UNSUPPORTED, 11, "valid but unsupported feature")                          \
    X(LIMIT, 12, "configured limit exceeded")                                     \
    X(CHECKSUM, 13, "checksum mismatch")                                          \
    X(ENCRYPTED, 14, "encrypted: not supported")                                  \
    X(SCHEMA, 15, "value does not match the schema")                              \
    X(MORE, 20, "more input needed")                                              \
    X(END, 21, "no more data")                                                    \
    X(IO, 30, "storage or I/O error")                                             \
    X(EXISTS, 31, "already exists")                                               \
    X(STATE, 40, "call not valid in the handle's current state")                  \
    X(CONFLICT, 41, "a concurrent change conflicts with this one")                \
    X(ABORTED, 42, "aborted by the caller")

typedef enum idbpq_status {
#define IDBPQ_STATUS_ENUM_(name, num, msg) IDBPQ_##name = num,
    IDBPQ_STATUS_MAP(IDBPQ_STATUS_ENUM_)
#undef IDBPQ_STATUS_ENUM_
} idbpq_status;

/** "IDBPQ_CORRUPT" for IDBPQ_CORRUPT; "IDBPQ_UNKNOWN" for a number not in the table. */
IDBPQ_API const char *idbpq_status_name(idbpq_status s);
/** A static one-line description ("malformed or corrupt input"). Never NULL. */
IDBPQ_API const char *idbpq_status_str(idbpq_status s);

/* ============================================================================================
 * Allocator hooks: per handle, with a context and the sizes (so arenas and byte accounting
 * are simple). Pass NULL anywhere an allocator is taken to use libc.
 * ========================================================================================== */
typedef struct idbpq_allocator {
    void *(*malloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *p, size_t old_size, size_t new_size);
    void (*free)(void *ctx, void *p, size_t size);
    void *ctx;
} idbpq_allocator;

/* ============================================================================================
 * Byte sources (random access, for reading) and sinks (append only, for writing).
 * ========================================================================================== */
typedef struct idbpq_source {
    void *ctx;
    uint64_t size; /* total size in bytes */
    /* Read exactly len bytes at off into buf. A short read is an error (IDBPQ_IO or
     * IDBPQ_CORRUPT); the callee may set no message, the caller names the file. */
    idbpq_status (*read_at)(void *ctx, uint64_t off, void *buf, size_t len);
    /* Optional: if the whole source is in memory, its bytes (lets readers avoid copies). */
    const uint8_t *memory;
    const char *name; /* for messages; may be NULL */
} idbpq_source;

typedef struct idbpq_sink {
    void *ctx;
    idbpq_status (*write)(void *ctx, const void *buf, size_t len);
    const char *name; /* for messages; may be NULL */
} idbpq_sink;

/** A source over bytes in memory (not copied: they must outlive every reader using it). */
IDBPQ_API void idbpq_source_memory(idbpq_source *src, const void *bytes, size_t len,
                                   const char *name);

/** Opens PATH for reading. On failure *errbuf (if given, errlen bytes) gets the reason. */
typedef struct idbpq_file_source idbpq_file_source;
IDBPQ_API idbpq_status idbpq_file_source_open(idbpq_file_source **out, const char *path,
                                              idbpq_source *src, char *errbuf, size_t errlen);
IDBPQ_API void idbpq_file_source_close(idbpq_file_source *f);

/** An atomic file sink: bytes go to a temporary file beside PATH, which
 *  idbpq_file_sink_commit() fsyncs and renames to PATH. idbpq_file_sink_abort() (or a crash)
 *  never leaves a partial file under PATH. abort after commit is a no-op that frees. */
typedef struct idbpq_file_sink idbpq_file_sink;
IDBPQ_API idbpq_status idbpq_file_sink_open(idbpq_file_sink **out, const char *path,
                                            idbpq_sink *sink, char *errbuf, size_t errlen);
IDBPQ_API idbpq_status idbpq_file_sink_commit(idbpq_file_sink *f, char *errbuf, size_t errlen);
IDBPQ_API void idbpq_file_sink_abort(idbpq_file_sink *f);

/* ============================================================================================
 * Parquet types (numbers are the Parquet thrift enum values).
 * ========================================================================================== */
typedef enum idbpq_type {
    IDBPQ_BOOLEAN = 0,
    IDBPQ_INT32 = 1,
    IDBPQ_INT64 = 2,
    IDBPQ_INT96 = 3,
    IDBPQ_FLOAT = 4,
    IDBPQ_DOUBLE = 5,
    IDBPQ_BYTE_ARRAY = 6,
    IDBPQ_FIXED_LEN_BYTE_ARRAY = 7,
    IDBPQ_GROUP = -1 /* not a physical type: marks group nodes */
} idbpq_type;

typedef enum idbpq_repetition {
    IDBPQ_REQUIRED = 0,
    IDBPQ_OPTIONAL = 1,
    IDBPQ_REPEATED = 2
} idbpq_repetition;

/** Logical type kinds; numbers follow the thrift LogicalType union field ids where one
 *  exists. IDBPQ_LT_NONE = no annotation. IDBPQ_LT_INTERVAL exists only as a ConvertedType.
 *  IDBPQ_LT_UNKNOWN_ID is an id this library does not know (read as unannotated). */
typedef enum idbpq_logical_kind {
    IDBPQ_LT_NONE = 0,
    IDBPQ_LT_STRING = 1,
    IDBPQ_LT_MAP = 2,
    IDBPQ_LT_LIST = 3,
    IDBPQ_LT_ENUM = 4,
    IDBPQ_LT_DECIMAL = 5,
    IDBPQ_LT_DATE = 6,
    IDBPQ_LT_TIME = 7,
    IDBPQ_LT_TIMESTAMP = 8,
    IDBPQ_LT_INTEGER = 10,
    IDBPQ_LT_NULL = 11, /* "UNKNOWN" in the spec: an always-null column */
    IDBPQ_LT_JSON = 12,
    IDBPQ_LT_BSON = 13,
    IDBPQ_LT_UUID = 14,
    IDBPQ_LT_FLOAT16 = 15,
    IDBPQ_LT_VARIANT = 16,
    IDBPQ_LT_GEOMETRY = 17,
    IDBPQ_LT_GEOGRAPHY = 18,
    IDBPQ_LT_INTERVAL = 100,
    IDBPQ_LT_UNKNOWN_ID = 101
} idbpq_logical_kind;

typedef enum idbpq_time_unit {
    IDBPQ_MILLIS = 0,
    IDBPQ_MICROS = 1,
    IDBPQ_NANOS = 2
} idbpq_time_unit;

/** A logical type with its parameters. Only the fields of its kind are meaningful. */
typedef struct idbpq_logical {
    idbpq_logical_kind kind;
    int32_t scale, precision;   /* DECIMAL */
    int8_t bit_width;           /* INTEGER: 8, 16, 32, 64 */
    int8_t is_signed;           /* INTEGER */
    int8_t utc;                 /* TIME, TIMESTAMP: isAdjustedToUTC */
    idbpq_time_unit unit;       /* TIME, TIMESTAMP */
    int8_t variant_version;     /* VARIANT: specification_version (1) */
    const char *crs;            /* GEOMETRY, GEOGRAPHY: NULL = default (OGC:CRS84) */
    int32_t algorithm;          /* GEOGRAPHY edge interpolation; 0 = SPHERICAL */
} idbpq_logical;

/** Legacy ConvertedType values (thrift enum); -1 = none. */
enum {
    IDBPQ_CT_NONE = -1,
    IDBPQ_CT_UTF8 = 0, IDBPQ_CT_MAP = 1, IDBPQ_CT_MAP_KEY_VALUE = 2, IDBPQ_CT_LIST = 3,
    IDBPQ_CT_ENUM = 4, IDBPQ_CT_DECIMAL = 5, IDBPQ_CT_DATE = 6, IDBPQ_CT_TIME_MILLIS = 7,
    IDBPQ_CT_TIME_MICROS = 8, IDBPQ_CT_TIMESTAMP_MILLIS = 9, IDBPQ_CT_TIMESTAMP_MICROS = 10,
    IDBPQ_CT_UINT_8 = 11, IDBPQ_CT_UINT_16 = 12, IDBPQ_CT_UINT_32 = 13, IDBPQ_CT_UINT_64 = 14,
    IDBPQ_CT_INT_8 = 15, IDBPQ_CT_INT_16 = 16, IDBPQ_CT_INT_32 = 17, IDBPQ_CT_INT_64 = 18,
    IDBPQ_CT_JSON = 19, IDBPQ_CT_BSON = 20, IDBPQ_CT_INTERVAL = 21
};

/** Encodings (thrift enum values). */
typedef enum idbpq_encoding {
    IDBPQ_ENC_PLAIN = 0,
    IDBPQ_ENC_PLAIN_DICTIONARY = 2,
    IDBPQ_ENC_RLE = 3,
    IDBPQ_ENC_BIT_PACKED = 4,
    IDBPQ_ENC_DELTA_BINARY_PACKED = 5,
    IDBPQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
    IDBPQ_ENC_DELTA_BYTE_ARRAY = 7,
    IDBPQ_ENC_RLE_DICTIONARY = 8,
    IDBPQ_ENC_BYTE_STREAM_SPLIT = 9,
    IDBPQ_ENC_AUTO = -1 /* writer option: let the writer choose */
} idbpq_encoding;

/** Compression codecs (thrift enum values). */
typedef enum idbpq_codec {
    IDBPQ_CODEC_UNCOMPRESSED = 0,
    IDBPQ_CODEC_SNAPPY = 1,
    IDBPQ_CODEC_GZIP = 2,
    IDBPQ_CODEC_LZO = 3, /* recognised, refused as unsupported */
    IDBPQ_CODEC_BROTLI = 4,
    IDBPQ_CODEC_LZ4 = 5, /* deprecated Hadoop-framed LZ4 (raw block fallback on read) */
    IDBPQ_CODEC_ZSTD = 6,
    IDBPQ_CODEC_LZ4_RAW = 7
} idbpq_codec;

/** Names for messages and the CLI: "INT32", "RLE_DICTIONARY", "ZSTD", "TIMESTAMP"... NULL if
 *  the number is unknown. idbpq_codec_from_name accepts any case ("zstd"), -1 if unknown. */
IDBPQ_API const char *idbpq_type_name(idbpq_type t);
IDBPQ_API const char *idbpq_encoding_name(idbpq_encoding e);
IDBPQ_API const char *idbpq_codec_name(idbpq_codec c);
IDBPQ_API int idbpq_codec_from_name(const char *name);
IDBPQ_API int idbpq_encoding_from_name(const char *name);
IDBPQ_API const char *idbpq_converted_type_name(int ct);
/** Whether this build can decompress / compress the codec. */
IDBPQ_API int idbpq_codec_can_read(idbpq_codec c);
IDBPQ_API int idbpq_codec_can_write(idbpq_codec c);

/* ============================================================================================
 * Schemas. A schema is a tree of nodes; node 0 is the root group. Leaves are the columns.
 * Nodes are numbered in the depth-first order of the Parquet footer.
 * ========================================================================================== */
typedef struct idbpq_schema idbpq_schema;

/** How a node is read into rows (idbpq_datum), after the backward-compatibility rules of
 *  LogicalTypes.md (legacy 2-level lists, MAP_KEY_VALUE, unannotated repeated fields). */
typedef enum idbpq_shape {
    IDBPQ_SHAPE_PRIMITIVE = 0, /* a leaf: one value */
    IDBPQ_SHAPE_STRUCT = 1,    /* a group: an IDBPQ_DATUM_GROUP of its children */
    IDBPQ_SHAPE_LIST = 2,      /* LIST-annotated group: IDBPQ_DATUM_LIST of `element` */
    IDBPQ_SHAPE_MAP = 3,       /* MAP group: IDBPQ_DATUM_MAP of `key`, `value` */
    IDBPQ_SHAPE_REPEATED = 4   /* unannotated repeated field: IDBPQ_DATUM_LIST whose elements
                                  are this node read as required (leaf value or struct) */
} idbpq_shape;

typedef struct idbpq_schema_node {
    const char *name;
    int32_t parent;            /* -1 for the root */
    int32_t num_children;
    const int32_t *children;   /* node indices, in order */
    idbpq_type type;           /* IDBPQ_GROUP for groups */
    idbpq_repetition repetition;
    int32_t type_length;       /* FIXED_LEN_BYTE_ARRAY */
    idbpq_logical logical;     /* from LogicalType, else derived from converted_type */
    int32_t converted_type;    /* IDBPQ_CT_*, or IDBPQ_CT_NONE */
    int32_t scale, precision;  /* as written in the SchemaElement (legacy DECIMAL) */
    int32_t field_id;          /* -1 if absent */
    int32_t column;            /* leaves: column index; groups: -1 */
    int16_t max_def, max_rep;  /* definition and repetition levels at this node */
    idbpq_shape shape;
    int32_t element;           /* LIST: element node (may be a descendant, or this node's
                                  child); MAP: key node; others -1 */
    int32_t map_value;         /* MAP: value node, -1 if the map has no value */
    int32_t depth;             /* root is 0 */
    const char *path;          /* leaves and groups: dotted path from the root ("a.list.b") */
} idbpq_schema_node;

IDBPQ_API int32_t idbpq_schema_num_nodes(const idbpq_schema *s);
IDBPQ_API int32_t idbpq_schema_num_columns(const idbpq_schema *s);
/** Node i (0 = root); NULL if out of range. Valid as long as the schema. */
IDBPQ_API const idbpq_schema_node *idbpq_schema_node_at(const idbpq_schema *s, int32_t i);
/** The leaf node of column c; NULL if out of range. */
IDBPQ_API const idbpq_schema_node *idbpq_schema_column(const idbpq_schema *s, int32_t c);
/** The node's logical type as parquet-mr prints it ("STRING", "TIMESTAMP(MILLIS,true)",
 *  "DECIMAL(10,2)", a bare ConvertedType name when only that is known); "" for none.
 *  Always NUL-terminated within cap. */
IDBPQ_API void idbpq_schema_node_annotation(const idbpq_schema_node *n, char *out, size_t cap);
/** Column index by dotted path ("a.b.c"), or -1. */
IDBPQ_API int32_t idbpq_schema_find_column(const idbpq_schema *s, const char *path);

/** Building a schema for the writer. The builder copies names. After idbpq_schema_finish()
 *  the schema is immutable and its levels, shapes and paths are computed. */
IDBPQ_API idbpq_status idbpq_schema_create(idbpq_schema **out, const idbpq_allocator *alc);
/** Adds a child of `parent` (0 = root). type IDBPQ_GROUP for a group. logical may be NULL.
 *  The legacy converted type is derived from the logical type. *out_node gets its index. */
IDBPQ_API idbpq_status idbpq_schema_add(idbpq_schema *s, int32_t parent, const char *name,
                                        idbpq_repetition rep, idbpq_type type,
                                        int32_t type_length, const idbpq_logical *logical,
                                        int32_t *out_node);
IDBPQ_API idbpq_status idbpq_schema_finish(idbpq_schema *s);
IDBPQ_API const char *idbpq_schema_errmsg(const idbpq_schema *s);
IDBPQ_API void idbpq_schema_free(idbpq_schema *s);

/* ============================================================================================
 * File metadata: read-only views of the footer, owned by the reader.
 * ========================================================================================== */
typedef struct idbpq_bytes {
    const uint8_t *ptr;
    uint32_t len;
} idbpq_bytes;

typedef struct idbpq_kv {
    idbpq_bytes key;
    idbpq_bytes value;
    int32_t has_value;
} idbpq_kv;

typedef struct idbpq_statistics {
    int32_t has_min, has_max;           /* min_value/max_value (or legacy min/max) present */
    idbpq_bytes min, max;               /* PLAIN-encoded, no length prefix for byte arrays */
    int32_t legacy_minmax;              /* 1 if taken from the deprecated signed min/max */
    int32_t has_null_count, has_distinct_count, has_nan_count;
    int64_t null_count, distinct_count, nan_count;
    int32_t min_exact, max_exact;       /* is_*_value_exact; -1 when absent */
} idbpq_statistics;

typedef struct idbpq_column_chunk_meta {
    const char *path;                   /* dotted path_in_schema */
    idbpq_type type;
    int32_t num_encodings;
    const idbpq_encoding *encodings;
    idbpq_codec codec;
    int64_t num_values;
    int64_t total_uncompressed_size, total_compressed_size;
    int64_t data_page_offset;
    int64_t dictionary_page_offset;     /* -1 if absent */
    int64_t index_page_offset;          /* -1 if absent */
    int64_t bloom_filter_offset;        /* -1 if absent */
    int32_t bloom_filter_length;        /* -1 if absent */
    int64_t offset_index_offset;        /* -1 if absent */
    int32_t offset_index_length;
    int64_t column_index_offset;        /* -1 if absent */
    int32_t column_index_length;
    int32_t has_statistics;
    idbpq_statistics statistics;
    int32_t num_kv;
    const idbpq_kv *kv;                 /* column chunk key_value_metadata */
    const char *file_path;              /* external column data; NULL if in this file */
    int64_t unencoded_byte_array_bytes; /* SizeStatistics; -1 if absent */
    int32_t encrypted;                  /* crypto_metadata or encrypted_column_metadata set */
} idbpq_column_chunk_meta;

typedef struct idbpq_sorting_column {
    int32_t column;
    int32_t descending;
    int32_t nulls_first;
} idbpq_sorting_column;

typedef struct idbpq_row_group_meta {
    int64_t num_rows;
    int64_t total_byte_size;
    int64_t total_compressed_size;      /* -1 if absent */
    int64_t file_offset;                /* -1 if absent */
    int32_t ordinal;                    /* -1 if absent */
    int32_t num_columns;
    const idbpq_column_chunk_meta *columns;
    int32_t num_sorting_columns;
    const idbpq_sorting_column *sorting_columns;
} idbpq_row_group_meta;

typedef struct idbpq_file_meta {
    int32_t version;
    int64_t num_rows;
    const char *created_by;             /* NULL if absent */
    int32_t num_row_groups;
    const idbpq_row_group_meta *row_groups;
    int32_t num_kv;
    const idbpq_kv *kv;                 /* file key_value_metadata */
    int32_t num_column_orders;
    const int32_t *column_orders;       /* per column: 1 TYPE_ORDER, 2 IEEE754_TOTAL_ORDER,
                                           0 unknown */
    uint32_t footer_length;             /* bytes of thrift footer */
} idbpq_file_meta;

/* ============================================================================================
 * Limits for untrusted input. Every cap hit is IDBPQ_LIMIT with a message naming it.
 * ========================================================================================== */
typedef struct idbpq_limits {
    uint64_t max_footer_bytes;          /* default 256 MiB */
    uint64_t max_page_bytes;            /* compressed or uncompressed page; default 1 GiB */
    uint64_t max_dictionary_bytes;      /* decoded dictionary; default 1 GiB */
    uint32_t max_nesting_depth;         /* schema depth; default 128 */
    uint64_t max_row_group_rows;        /* default 2^40 */
    uint32_t max_decompression_ratio;   /* uncompressed/compressed page size; default 100000 */
    uint64_t max_row_bytes;             /* assembled row (row reader); default 1 GiB */
    uint64_t max_page_values;           /* level entries in one page; default 2^27 */
} idbpq_limits;

/* ============================================================================================
 * Reader.
 * ========================================================================================== */
typedef struct idbpq_reader idbpq_reader;

typedef struct idbpq_reader_opts {
    uint32_t struct_size;               /* set by idbpq_reader_opts_init */
    idbpq_limits limits;
    int32_t verify_crc;                 /* 1 (default): check page CRCs when present */
    int32_t trust_num_rows;             /* 0 (default): row counts come from the pages */
} idbpq_reader_opts;

IDBPQ_API void idbpq_reader_opts_init(idbpq_reader_opts *o);

/** Opens a Parquet file: reads and checks the footer. The source must outlive the reader.
 *  Errors: CORRUPT (bad magic, footer), ENCRYPTED ("PARE" magic or encrypted columns),
 *  LIMIT, IO, NOMEM. On failure *out is NULL and, if err is given, it gets the message. */
IDBPQ_API idbpq_status idbpq_reader_open(idbpq_reader **out, const idbpq_source *src,
                                         const idbpq_reader_opts *opts,
                                         const idbpq_allocator *alc, char *err, size_t errlen);
IDBPQ_API void idbpq_reader_free(idbpq_reader *r);
IDBPQ_API const char *idbpq_reader_errmsg(const idbpq_reader *r);
IDBPQ_API const idbpq_schema *idbpq_reader_schema(const idbpq_reader *r);
IDBPQ_API const idbpq_file_meta *idbpq_reader_meta(const idbpq_reader *r);

/** A batch of one column's data: levels and the non-null values they define.
 *  values layout by physical type:
 *    BOOLEAN              uint8_t[n_values] (0 or 1)
 *    INT32 / FLOAT        int32_t / float [n_values]
 *    INT64 / DOUBLE       int64_t / double [n_values]
 *    INT96                12 bytes each, packed
 *    FIXED_LEN_BYTE_ARRAY type_length bytes each, packed
 *    BYTE_ARRAY           idbpq_bytes[n_values]
 *  def is NULL when the column's max_def is 0 (every level is max); rep is NULL when max_rep
 *  is 0 (every level starts a row). */
typedef struct idbpq_column_batch {
    size_t n_levels;        /* level entries (value slots, nulls included) */
    size_t n_values;        /* values: entries with def == max_def */
    size_t n_rows;          /* rows in this batch (levels with rep == 0) */
    const uint16_t *def;
    const uint16_t *rep;
    const void *values;
    idbpq_type type;
    int32_t type_length;
} idbpq_column_batch;

/** A cursor over one column chunk (row group rg, column col). Reads page by page from the
 *  source: memory is one page plus the dictionary. */
typedef struct idbpq_column_cursor idbpq_column_cursor;
IDBPQ_API idbpq_status idbpq_column_cursor_open(idbpq_reader *r, int32_t rg, int32_t col,
                                                idbpq_column_cursor **out);
/** Reads up to max_rows whole rows (at least one unless the chunk is exhausted), as many as
 *  the current page holds: no copy is made when the rows lie in one page. A row is never
 *  split across batches. Returns IDBPQ_END when the chunk is exhausted (batch->n_levels ==
 *  0). The batch's arrays stay valid until the next call on this cursor. Errors: CORRUPT,
 *  CHECKSUM, UNSUPPORTED, LIMIT, IO, NOMEM; the message (idbpq_column_cursor_errmsg) names
 *  file offset, row group, column and page. */
IDBPQ_API idbpq_status idbpq_column_cursor_read(idbpq_column_cursor *c, size_t max_rows,
                                                idbpq_column_batch *batch);
/** Reads exactly n_rows whole rows (fewer only at the end of the chunk), gathering across
 *  pages when needed (then the values are copied). Use it to advance several columns of a
 *  row group in step. Same errors and lifetime as idbpq_column_cursor_read. */
IDBPQ_API idbpq_status idbpq_column_cursor_read_rows(idbpq_column_cursor *c, size_t n_rows,
                                                     idbpq_column_batch *batch);
IDBPQ_API const char *idbpq_column_cursor_errmsg(const idbpq_column_cursor *c);
IDBPQ_API void idbpq_column_cursor_free(idbpq_column_cursor *c);

/* ----- rows: the generic nested representation --------------------------------------------- */

typedef enum idbpq_datum_kind {
    IDBPQ_DATUM_NULL = 0,
    IDBPQ_DATUM_BOOLEAN,
    IDBPQ_DATUM_INT32,
    IDBPQ_DATUM_INT64,
    IDBPQ_DATUM_INT96,
    IDBPQ_DATUM_FLOAT,
    IDBPQ_DATUM_DOUBLE,
    IDBPQ_DATUM_BYTES,  /* BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY */
    IDBPQ_DATUM_GROUP,  /* items[len]: one per child node, in schema order */
    IDBPQ_DATUM_LIST,   /* items[len]: the elements */
    IDBPQ_DATUM_MAP     /* items[2*len]: key, value, key, value... */
} idbpq_datum_kind;

typedef struct idbpq_datum {
    uint8_t kind;             /* idbpq_datum_kind */
    uint32_t len;             /* BYTES: byte length; GROUP/LIST/MAP: item (entry) count */
    union {
        int32_t boolean;
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        uint8_t i96[12];
        const uint8_t *bytes;
        struct idbpq_datum *items;
    } u;
} idbpq_datum;

/** Reads whole rows, assembled from a projection of columns. A row is an IDBPQ_DATUM_GROUP
 *  over the root's children (children outside the projection are omitted from the
 *  projected view: see idbpq_row_reader_node_present). */
typedef struct idbpq_row_reader idbpq_row_reader;

/** columns: indices of the leaf columns to read (NULL, n=0: all). Groups are read when any
 *  of their leaves is projected. */
IDBPQ_API idbpq_status idbpq_row_reader_open(idbpq_reader *r, const int32_t *columns,
                                             int32_t n_columns, idbpq_row_reader **out);
/** The next row, or IDBPQ_END. *row is valid until the next call (per-row arena). */
IDBPQ_API idbpq_status idbpq_row_reader_next(idbpq_row_reader *rr, const idbpq_datum **row);
/** Skips n rows cheaply (whole row groups when possible). */
IDBPQ_API idbpq_status idbpq_row_reader_skip(idbpq_row_reader *rr, uint64_t n);
/** Whether schema node i takes part in the projection. */
IDBPQ_API int idbpq_row_reader_node_present(const idbpq_row_reader *rr, int32_t node);
IDBPQ_API const char *idbpq_row_reader_errmsg(const idbpq_row_reader *rr);
IDBPQ_API void idbpq_row_reader_free(idbpq_row_reader *rr);

/* ============================================================================================
 * Writer.
 * ========================================================================================== */
typedef struct idbpq_writer idbpq_writer;

typedef struct idbpq_column_opts {
    const char *path;               /* dotted column path this applies to */
    idbpq_encoding encoding;        /* IDBPQ_ENC_AUTO: the writer chooses */
    int32_t dictionary;             /* -1 inherit, 0 off, 1 on */
    int32_t statistics;             /* -1 inherit, 0 off, 1 on */
    int32_t num_kv;
    const idbpq_kv *kv;             /* column chunk key_value_metadata */
} idbpq_column_opts;

typedef struct idbpq_writer_opts {
    uint32_t struct_size;            /* set by idbpq_writer_opts_init */
    idbpq_codec codec;               /* default SNAPPY */
    int32_t level;                   /* codec level; 0 = the codec's default */
    uint64_t row_group_bytes;        /* close a row group past this many buffered bytes
                                        (default 128 MiB) */
    uint64_t max_row_group_rows;     /* and past this many rows (default 1,048,576) */
    uint64_t page_bytes;             /* target uncompressed page size (default 1 MiB) */
    uint32_t page_rows;              /* and at most this many rows a page (default 20,000) */
    int32_t page_version;            /* 1 (default) or 2 */
    int32_t dictionary;              /* 1 (default) or 0 */
    uint64_t dictionary_bytes;       /* fall back to PLAIN past this (default 1 MiB) */
    int32_t statistics;              /* 1 (default) */
    int32_t page_index;              /* 1 (default): column index and offset index */
    int32_t page_crc;                /* 0 (default) */
    uint32_t max_stat_bytes;         /* truncate byte-array min/max past this (default 64) */
    const char *created_by;          /* default "idbpq version X" */
    int32_t num_kv;
    const idbpq_kv *kv;              /* file key_value_metadata (copied) */
    int32_t num_column_opts;
    const idbpq_column_opts *column_opts; /* copied */
} idbpq_writer_opts;

IDBPQ_API void idbpq_writer_opts_init(idbpq_writer_opts *o);

/** Starts a file on sink with schema (which must be finished and outlive the writer). Writes
 *  the leading magic. Errors: INVALID_ARG (bad options, schema not finished), UNSUPPORTED
 *  (codec not built in), IO. When it fails there is no handle: idbpq_writer_errmsg(NULL)
 *  returns the reason of the last failed open on the calling thread. */
IDBPQ_API idbpq_status idbpq_writer_open(idbpq_writer **out, const idbpq_schema *schema,
                                         const idbpq_sink *sink, const idbpq_writer_opts *opts,
                                         const idbpq_allocator *alc);
/** Appends rows given column by column: batches[c] holds column c's levels and values for
 *  the same n rows (every batch must have n_rows == n; rep and def as read by a cursor). The
 *  writer copies what it needs. Row groups close between calls, when a budget is passed. */
IDBPQ_API idbpq_status idbpq_writer_write_columns(idbpq_writer *w,
                                                  const idbpq_column_batch *batches,
                                                  size_t n_rows);
/** Appends one row in the generic representation (an IDBPQ_DATUM_GROUP over the root's
 *  children; see idbpq_datum). Errors: SCHEMA when the row does not fit (the message names
 *  the field). */
IDBPQ_API idbpq_status idbpq_writer_write_row(idbpq_writer *w, const idbpq_datum *row);
/** Replaces the file's key_value_metadata (copied), for metadata only known at the end
 *  (counts, a key generator's state). Takes effect at idbpq_writer_finish. */
IDBPQ_API idbpq_status idbpq_writer_set_kv(idbpq_writer *w, const idbpq_kv *kv, int32_t n);
/** Declares every row group sorted by these columns (copied); call before finish. Only
 *  declare what holds: readers may rely on it. n = 0 clears. */
IDBPQ_API idbpq_status idbpq_writer_set_sorting_columns(idbpq_writer *w,
                                                        const idbpq_sorting_column *cols,
                                                        int32_t n);
/** Closes the current row group now (if it has rows). */
IDBPQ_API idbpq_status idbpq_writer_flush_row_group(idbpq_writer *w);
/** Writes the last row group, the page indexes and the footer. The writer must still be
 *  freed. Further writes fail with STATE. */
IDBPQ_API idbpq_status idbpq_writer_finish(idbpq_writer *w);
IDBPQ_API const char *idbpq_writer_errmsg(const idbpq_writer *w);
IDBPQ_API uint64_t idbpq_writer_bytes_written(const idbpq_writer *w);
IDBPQ_API void idbpq_writer_free(idbpq_writer *w);

/* ============================================================================================
 * Buffers and errors for stateless calls.
 * ========================================================================================== */

/** A growable byte buffer owned by the caller; encoders append to it. */
typedef struct idbpq_buffer {
    uint8_t *data;
    size_t len, cap;
    const idbpq_allocator *alc; /* NULL: libc */
} idbpq_buffer;
IDBPQ_API void idbpq_buffer_init(idbpq_buffer *b, const idbpq_allocator *alc);
IDBPQ_API void idbpq_buffer_free(idbpq_buffer *b);

/** Where a stateless call failed: status, byte offset (or text position) and a message. */
typedef struct idbpq_error {
    idbpq_status status;
    uint64_t offset;     /* byte offset into the input; for text, the byte offset too */
    uint32_t line, column; /* text inputs (tagged JSON): 1-based; 0 otherwise */
    char msg[256];
} idbpq_error;

/* ============================================================================================
 * JavaScript values: the structured-clone value model.
 *
 * A value is a graph: objects may be shared and cyclic. Every value lives in a value batch
 * (an arena): build or decode many values into one batch, free or reset them all at once.
 * Containers hold pointers to their children, so a shared object is one idbpq_value reached
 * from several places (and printed once, then as a reference).
 * ========================================================================================== */
typedef enum idbpq_vtype {
    IDBPQ_V_UNDEFINED = 0,
    IDBPQ_V_NULL = 1,
    IDBPQ_V_BOOLEAN = 2,
    IDBPQ_V_NUMBER = 3,       /* double: -0, NaN, ±Infinity kept exactly */
    IDBPQ_V_BIGINT = 4,
    IDBPQ_V_STRING = 5,
    IDBPQ_V_OBJECT = 6,       /* plain object: own enumerable properties in order */
    IDBPQ_V_ARRAY = 7,        /* dense (items, holes allowed) or sparse; extra properties */
    IDBPQ_V_DATE = 8,         /* ms since the epoch; NaN = invalid date */
    IDBPQ_V_REGEXP = 9,
    IDBPQ_V_BOXED = 10,       /* new Boolean / Number / String / BigInt(...) object */
    IDBPQ_V_MAP = 11,
    IDBPQ_V_SET = 12,
    IDBPQ_V_ARRAY_BUFFER = 13,
    IDBPQ_V_VIEW = 14,        /* typed arrays and DataView over an ArrayBuffer value */
    IDBPQ_V_ERROR = 15,
    IDBPQ_V_BLOB = 16,
    IDBPQ_V_FILE = 17,
    IDBPQ_V_FILE_LIST = 18,
    IDBPQ_V_HOST = 19,        /* another host object, kept as opaque bytes */
    IDBPQ_V_HOLE = 20         /* only as an item of a dense array: an absent element */
} idbpq_vtype;

/** Strings keep JavaScript's UTF-16 semantics (lone surrogates survive). One-byte strings
 *  are Latin-1 (as V8 stores them); two-byte strings are UTF-16 code units in host order. */
typedef struct idbpq_str {
    const void *data;
    uint32_t len;          /* code units */
    uint8_t two_byte;      /* 0: uint8_t Latin-1 units; 1: uint16_t UTF-16 units */
} idbpq_str;

/** ArrayBufferView kinds (V8's subtags order is not used; these are our numbers). */
typedef enum idbpq_view_kind {
    IDBPQ_VIEW_INT8 = 0, IDBPQ_VIEW_UINT8, IDBPQ_VIEW_UINT8_CLAMPED, IDBPQ_VIEW_INT16,
    IDBPQ_VIEW_UINT16, IDBPQ_VIEW_INT32, IDBPQ_VIEW_UINT32, IDBPQ_VIEW_FLOAT16,
    IDBPQ_VIEW_FLOAT32, IDBPQ_VIEW_FLOAT64, IDBPQ_VIEW_BIGINT64, IDBPQ_VIEW_BIGUINT64,
    IDBPQ_VIEW_DATAVIEW
} idbpq_view_kind;

/** Error prototypes. */
typedef enum idbpq_error_kind {
    IDBPQ_ERR_ERROR = 0, IDBPQ_ERR_EVAL, IDBPQ_ERR_RANGE, IDBPQ_ERR_REFERENCE,
    IDBPQ_ERR_SYNTAX, IDBPQ_ERR_TYPE, IDBPQ_ERR_URI
} idbpq_error_kind;

typedef struct idbpq_value idbpq_value;

/** A property: key is an IDBPQ_V_STRING or (integer-like keys as V8 writes them) an
 *  IDBPQ_V_NUMBER value. */
typedef struct idbpq_prop {
    idbpq_value *key;
    idbpq_value *value;
} idbpq_prop;

struct idbpq_value {
    uint8_t type;                 /* idbpq_vtype */
    union {
        int32_t boolean;          /* BOOLEAN */
        double number;            /* NUMBER; DATE (ms, NaN if invalid) */
        idbpq_str str;            /* STRING */
        struct {                  /* BIGINT: magnitude, little-endian bytes, no leading zeros */
            const uint8_t *digits;
            uint32_t len;         /* 0 for 0n */
            int32_t negative;
        } bigint;
        struct {                  /* OBJECT */
            idbpq_prop *props;
            uint32_t n;
        } object;
        struct {                  /* ARRAY */
            idbpq_value **items;  /* dense: `length` items (IDBPQ_V_HOLE for holes); sparse: NULL */
            uint32_t length;
            int32_t sparse;       /* 1: elements are in props with integer keys */
            idbpq_prop *props;    /* sparse elements and extra (non-index) properties */
            uint32_t n_props;
        } array;
        struct {                  /* REGEXP */
            idbpq_value *source;  /* a STRING */
            uint32_t flags;       /* V8's bits: g=1 i=2 m=4 y=8 u=16 s=32 linear=64 d=128 v=256 */
        } regexp;
        idbpq_value *boxed;       /* BOXED: a BOOLEAN, NUMBER, STRING or BIGINT */
        struct {                  /* MAP: 2n items (key, value, ...); SET: n items */
            idbpq_value **items;
            uint32_t n;
        } coll;
        struct {                  /* ARRAY_BUFFER */
            const uint8_t *bytes;
            uint64_t len;
            uint64_t max_len;     /* resizable buffers */
            int32_t resizable;
        } buffer;
        struct {                  /* VIEW */
            idbpq_value *buffer;  /* an ARRAY_BUFFER value (often shared between views) */
            idbpq_view_kind kind;
            uint64_t offset, length; /* bytes */
            uint32_t flags;       /* V8: bit0 length-tracking, bit1 backed by resizable */
        } view;
        struct {                  /* ERROR */
            idbpq_error_kind kind;
            idbpq_value *message; /* STRING or NULL pointer when absent */
            idbpq_value *stack;   /* STRING or NULL pointer */
            idbpq_value *cause;   /* any value or NULL pointer */
        } error;
        struct {                  /* BLOB, FILE */
            idbpq_value *mime;    /* STRING */
            uint64_t size;
            const uint8_t *bytes; /* NULL when the contents are not at hand */
            idbpq_value *name;    /* FILE: STRING */
            double last_modified; /* FILE: ms since the epoch */
            int64_t index;        /* IndexedDB external-object index, -1 if none */
        } blob;
        struct {                  /* FILE_LIST */
            idbpq_value **files;  /* FILE values */
            uint32_t n;
        } files;
        struct {                  /* HOST: an unsupported host object, kept as bytes */
            uint8_t tag;          /* Blink's tag byte */
            const uint8_t *bytes; /* the payload after the tag, as serialized */
            uint32_t len;
        } host;
    } u;
};

/** A value batch: the arena that values live in. */
typedef struct idbpq_vbatch idbpq_vbatch;
IDBPQ_API idbpq_status idbpq_vbatch_create(idbpq_vbatch **out, const idbpq_allocator *alc);
/** Frees every value of the batch, keeping memory for reuse. */
IDBPQ_API void idbpq_vbatch_reset(idbpq_vbatch *b);
IDBPQ_API void idbpq_vbatch_free(idbpq_vbatch *b);
/** Bytes handed out since the last reset (for budgets). */
IDBPQ_API size_t idbpq_vbatch_size(const idbpq_vbatch *b);
/** A new value of `type` with zeroed payload, owned by the batch; NULL when out of memory.
 *  Fill the payload yourself; arrays for items/props come from idbpq_vbatch_alloc. */
IDBPQ_API idbpq_value *idbpq_value_new(idbpq_vbatch *b, idbpq_vtype type);
IDBPQ_API void *idbpq_vbatch_alloc(idbpq_vbatch *b, size_t n);
/** Convenience constructors (copies of the bytes go into the batch). */
IDBPQ_API idbpq_value *idbpq_value_number(idbpq_vbatch *b, double d);
IDBPQ_API idbpq_value *idbpq_value_string_utf8(idbpq_vbatch *b, const char *s, size_t n);

/** Deep structural equality: same types, same payloads (numbers bit-exact: -0 != 0, NaN ==
 *  NaN), same property order, and the same sharing and cycle structure. */
IDBPQ_API int idbpq_value_equal(const idbpq_value *a, const idbpq_value *b);
/** A stable 128-bit content hash: equal values (idbpq_value_equal) hash equal, on every
 *  platform and version of this library (the algorithm is specified in docs/value-model.md). */
IDBPQ_API void idbpq_value_hash(const idbpq_value *v, uint8_t out[16]);

/** Tagged JSON (docs/tagged-json.md): exact text for every value. write appends one line's
 *  worth (no newline); parse reads exactly what write produces. */
IDBPQ_API idbpq_status idbpq_tjson_write(const idbpq_value *v, idbpq_buffer *out);
IDBPQ_API idbpq_status idbpq_tjson_parse(idbpq_vbatch *b, const char *text, size_t n,
                                         idbpq_value **out, idbpq_error *err);
/** A record line {"key":K,"value":V} as `idbpq records` prints it ("key" may be left out:
 *  *key is then NULL). K and V each number their objects from 0 for $ref, as if printed
 *  alone. */
IDBPQ_API idbpq_status idbpq_tjson_parse_record(idbpq_vbatch *b, const char *text, size_t n,
                                                idbpq_value **key, idbpq_value **value,
                                                idbpq_error *err);

/* ----- V8 ValueSerializer and Blink's envelope ---------------------------------------------- */

enum {
    IDBPQ_V8_BLINK = 1,         /* decode: expect Blink's envelope (FF 15 FE..); encode: write it */
    IDBPQ_V8_AUTO = 2           /* decode: detect the envelope (and Chromium's FF 11 markers) */
};

/** Resolves an IndexedDB external object (Blob/File) by its index in the record's list: sets
 *  *bytes and *len to its contents (valid until the value batch is reset) or returns non-OK. */
typedef idbpq_status (*idbpq_blob_resolver)(void *ctx, int64_t index, const uint8_t **bytes,
                                            uint64_t *len);

typedef struct idbpq_v8_opts {
    uint32_t struct_size;       /* idbpq_v8_opts_init sets it */
    uint32_t flags;             /* IDBPQ_V8_* */
    uint32_t max_depth;         /* nesting limit (default 1000) */
    uint64_t max_bytes;         /* decoded size limit (default 1 GiB) */
    uint32_t v8_version;        /* encode: 13..16 (default 15; Chrome 150+ writes 16) */
    uint32_t blink_version;     /* encode: default 21 */
    idbpq_blob_resolver resolve_blob; /* decode: for wrapped large values and Blob contents */
    void *resolve_ctx;
} idbpq_v8_opts;
IDBPQ_API void idbpq_v8_opts_init(idbpq_v8_opts *o);

/** Decodes one serialized value. Chromium's FF 11 02 (snappy) marker is undone; FF 11 01
 *  (moved into a blob) goes through opts->resolve_blob. Unsupported host objects become
 *  IDBPQ_V_HOST values, not failures. Errors: CORRUPT with err->offset, LIMIT, UNSUPPORTED. */
IDBPQ_API idbpq_status idbpq_v8_decode(idbpq_vbatch *b, const uint8_t *p, size_t n,
                                       const idbpq_v8_opts *opts, idbpq_value **out,
                                       idbpq_error *err);
/** Encodes a value (appends to out). Errors: INVALID_ARG for values the format cannot hold. */
IDBPQ_API idbpq_status idbpq_v8_encode(const idbpq_value *v, const idbpq_v8_opts *opts,
                                       idbpq_buffer *out, idbpq_error *err);

/* ============================================================================================
 * IndexedDB keys.
 * ========================================================================================== */
typedef enum idbpq_key_type {
    IDBPQ_KEY_NUMBER = 1,
    IDBPQ_KEY_DATE = 2,
    IDBPQ_KEY_STRING = 3,
    IDBPQ_KEY_BINARY = 4,
    IDBPQ_KEY_ARRAY = 5
} idbpq_key_type;

typedef struct idbpq_key {
    idbpq_key_type type;
    union {
        double number;             /* NUMBER, DATE (ms); never NaN */
        idbpq_str str;             /* STRING */
        struct { const uint8_t *bytes; uint32_t len; } binary;
        struct { struct idbpq_key *items; uint32_t n; } array;
    } u;
} idbpq_key;

/** IndexedDB's order (spec "compare two keys"): -1, 0, 1. Number < Date < String < Binary <
 *  Array; strings by UTF-16 code unit; binary bytewise; arrays element-wise then by length. */
IDBPQ_API int idbpq_key_cmp(const idbpq_key *a, const idbpq_key *b);

typedef struct idbpq_keypath {
    int32_t type;                  /* 0 none, 1 string, 2 array of strings */
    uint32_t n;                    /* array: count; string: 1 */
    const char *const *paths;      /* UTF-8, each "" or dotted identifiers */
} idbpq_keypath;

/** Converts a value to a key ("convert a value to a key"); INVALID_ARG with the reason in err
 *  when it is not a valid key (NaN, a cycle in an array, an unsupported type...). Keys and
 *  their arrays are allocated in b. */
IDBPQ_API idbpq_status idbpq_key_from_value(idbpq_vbatch *b, const idbpq_value *v,
                                            idbpq_key **out, idbpq_error *err);
/** Evaluates a key path on a value ("extract a key from a value using a key path"). Returns
 *  IDBPQ_END when the path does not resolve (no key), INVALID_ARG when it resolves to an
 *  invalid key (reason in err). */
IDBPQ_API idbpq_status idbpq_key_extract(idbpq_vbatch *b, const idbpq_value *v,
                                         const idbpq_keypath *kp, idbpq_key **out,
                                         idbpq_error *err);
/** Key as a value (NUMBER, DATE, STRING, ARRAY_BUFFER, ARRAY) and tagged JSON. */
IDBPQ_API idbpq_value *idbpq_key_to_value(idbpq_vbatch *b, const idbpq_key *k);

/** Chromium's encodings of keys: the LevelDB IDBKey coding and the SQLite backend's sortable
 *  coding (memcmp order equals key order). decode consumes a prefix of [p, p+n). */
IDBPQ_API idbpq_status idbpq_key_encode_leveldb(const idbpq_key *k, idbpq_buffer *out);
IDBPQ_API idbpq_status idbpq_key_decode_leveldb(idbpq_vbatch *b, const uint8_t *p, size_t n,
                                                idbpq_key **out, size_t *used, idbpq_error *err);
IDBPQ_API idbpq_status idbpq_key_encode_sortable(const idbpq_key *k, idbpq_buffer *out);
IDBPQ_API idbpq_status idbpq_key_decode_sortable(idbpq_vbatch *b, const uint8_t *p, size_t n,
                                                 idbpq_key **out, size_t *used,
                                                 idbpq_error *err);
/** Chromium's idb_cmp1 ordering of whole LevelDB keys (prefix, then by key type). Malformed
 *  keys order by bytes, after well-formed ones, so the order stays total. */
IDBPQ_API int idbpq_idb_cmp1(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);

/** The key generator of an autoIncrement store (IndexedDB "key generator"): current starts at
 *  1; next() gives the next key or IDBPQ_LIMIT past 2^53; update() after an explicit numeric
 *  key >= current moves current past it. */
typedef struct idbpq_keygen {
    double current;
} idbpq_keygen;
IDBPQ_API void idbpq_keygen_init(idbpq_keygen *g);
IDBPQ_API idbpq_status idbpq_keygen_next(idbpq_keygen *g, double *key);
IDBPQ_API void idbpq_keygen_update(idbpq_keygen *g, const idbpq_key *explicit_key);


/* ============================================================================================
 * Stores and records: the mapping between IndexedDB records and Parquet (docs/mapping.md).
 *
 * A record is (key, value): the key as a value (idbpq_key_to_value's form) and the
 * structured-clone value. The record writer infers a schema (object properties become
 * columns, nested objects groups, arrays LIST, Maps MAP, ...; fields whose values disagree in
 * type become VARIANT), writes typed columns, and keeps what no column can hold exactly in a
 * per-record `_raw` column (the value's tagged JSON), counted by reason. The record reader
 * turns any Parquet file back into records: files idbpq wrote come back exactly; others map
 * by their logical types.
 * ========================================================================================== */

/** An index of an object store. */
typedef struct idbpq_index_desc {
    const char *name;              /* UTF-8 */
    idbpq_keypath key_path;
    int32_t unique;
    int32_t multi_entry;
} idbpq_index_desc;

/** An object store and its database: what a file carries so that the store can be recreated. */
typedef struct idbpq_store_desc {
    const char *origin;            /* e.g. "https://example.com"; NULL if unknown */
    const char *database;          /* database name; NULL if unknown */
    uint64_t db_version;           /* database version (0 if unknown) */
    const char *name;              /* store name; NULL if unknown */
    idbpq_keypath key_path;        /* type 0: out-of-line keys (a `_key` column) */
    int32_t auto_increment;
    double key_generator;          /* autoIncrement: the generator's current number (>= 1) */
    uint32_t n_indexes;
    const idbpq_index_desc *indexes;
} idbpq_store_desc;

/** Why a record went to the `_raw` fallback (the first reason found is counted). */
#define IDBPQ_FALLBACK_MAP(X)                                                              \
    X(GRAPH, "shared or cyclic reference")                                                 \
    X(STRING, "string with a lone surrogate")                                              \
    X(ARRAY, "array with holes or extra properties")                                       \
    X(TYPE, "type without a column form (RegExp, boxed primitive, Error, host object...)") \
    X(VIEW, "view that is not its whole buffer, or a resizable buffer")                    \
    X(NUMBER, "value the column cannot hold exactly (invalid Date, -0 or huge BigInt)")    \
    X(VARIANT, "value a VARIANT cannot hold (undefined, Map, Set, typed array...)")        \
    X(ABSENT, "null/undefined where the column keeps the other")                           \
    X(SCHEMA, "field or type not in the schema (seen after it was fixed)")                 \
    X(ROOT, "record value that is not an object while others are")

typedef enum idbpq_fallback {
#define IDBPQ_FALLBACK_ENUM_(name, msg) IDBPQ_FALLBACK_##name,
    IDBPQ_FALLBACK_MAP(IDBPQ_FALLBACK_ENUM_)
#undef IDBPQ_FALLBACK_ENUM_
    IDBPQ_FALLBACK_COUNT
} idbpq_fallback;
IDBPQ_API const char *idbpq_fallback_name(idbpq_fallback f);   /* "GRAPH" */
IDBPQ_API const char *idbpq_fallback_str(idbpq_fallback f);    /* the description above */

typedef struct idbpq_record_stats {
    uint64_t records;
    uint64_t fallbacks;                          /* records with a `_raw` value */
    uint64_t by_reason[IDBPQ_FALLBACK_COUNT];
    uint32_t columns;                            /* leaf columns written */
    uint32_t variant_fields;                     /* fields written as VARIANT (or JSON) */
    uint64_t bytes_out;                          /* file size */
    int32_t sorted;                              /* records came in key order (sorting_columns) */
} idbpq_record_stats;

typedef struct idbpq_record_writer idbpq_record_writer;

typedef struct idbpq_record_writer_opts {
    uint32_t struct_size;          /* set by idbpq_record_writer_opts_init */
    idbpq_writer_opts parquet;     /* codec, row-group budget, pages... (its kv is kept and
                                      the store metadata added) */
    int32_t mixed_as_json;         /* 0 (default): type-conflicting fields become VARIANT;
                                      1: JSON text (tagged JSON) for readers without VARIANT */
    int32_t shred_variants;        /* 1 (default): VARIANT values of the dominant primitive
                                      type go to a typed_value column */
    uint32_t max_columns;          /* leaf-column cap (default 4000): objects past it fold
                                      into VARIANT */
    uint32_t max_depth;            /* nesting past which values fold into VARIANT (default 24) */
    uint64_t sample_bytes;         /* single pass: bytes of records held to infer the schema
                                      (default: parquet.row_group_bytes, at most 64 MiB) */
} idbpq_record_writer_opts;

IDBPQ_API void idbpq_record_writer_opts_init(idbpq_record_writer_opts *o);

/** A writer of records to one Parquet file. Two ways to use it:
 *   two passes (exact schema, the default of every adapter): idbpq_record_writer_observe()
 *     every record, idbpq_record_writer_begin(), then idbpq_record_writer_write() every
 *     record again, in the same order; memory for the first pass is the schema statistics
 *     (bounded by max_columns), not the records;
 *   one pass (a stream that cannot be read twice): begin() with no observe(); the first
 *     sample_bytes of records are held and inferred from, then written; a later record that
 *     does not fit the schema is written with its exact form in `_raw` (reason SCHEMA).
 *  store may be NULL (out-of-line keys, nothing known); it is copied. */
IDBPQ_API idbpq_status idbpq_record_writer_create(idbpq_record_writer **out,
                                                  const idbpq_store_desc *store,
                                                  const idbpq_record_writer_opts *opts,
                                                  const idbpq_allocator *alc);
/** Pass 1: key is the record's key (NULL for a store with a key path: it is extracted). */
IDBPQ_API idbpq_status idbpq_record_writer_observe(idbpq_record_writer *w,
                                                   const idbpq_value *key,
                                                   const idbpq_value *value);
/** Fixes the schema (from what was observed) and starts the file on sink. */
IDBPQ_API idbpq_status idbpq_record_writer_begin(idbpq_record_writer *w, const idbpq_sink *sink);
/** Writes one record (same key convention as observe). The values are not kept after the
 *  call returns, except in one-pass mode until the sample is written (they are copied). */
IDBPQ_API idbpq_status idbpq_record_writer_write(idbpq_record_writer *w,
                                                 const idbpq_value *key,
                                                 const idbpq_value *value);
/** Writes the rest and the footer; stats (may be NULL) gets the summary. */
IDBPQ_API idbpq_status idbpq_record_writer_finish(idbpq_record_writer *w,
                                                  idbpq_record_stats *stats);
IDBPQ_API const char *idbpq_record_writer_errmsg(const idbpq_record_writer *w);
IDBPQ_API void idbpq_record_writer_free(idbpq_record_writer *w);

/** Options for reading Parquet files idbpq did not write (files it wrote ignore them, except
 *  key_column). */
typedef struct idbpq_record_reader_opts {
    uint32_t struct_size;          /* set by idbpq_record_reader_opts_init */
    int32_t int64_bigint;          /* 0 (default): INT64 -> Number when |v| <= 2^53, else
                                      BigInt; 1: always BigInt */
    int32_t decimal_string;        /* 0 (default): DECIMAL -> Number when exact, else string;
                                      1: always a string */
    int32_t map_object;            /* 0 (default): MAP -> Map; 1: plain object when every
                                      key is a string */
    int32_t json_parse;            /* 0 (default): JSON columns -> string; 1: parsed values */
    int32_t nulls_omit;            /* 0 (default): a null field -> property = null;
                                      1: property left out */
    const char *key_column;        /* top-level column holding the key (taken out of the
                                      value); NULL: idbpq's key, else generated 1, 2, 3... */
} idbpq_record_reader_opts;

IDBPQ_API void idbpq_record_reader_opts_init(idbpq_record_reader_opts *o);

typedef struct idbpq_record_reader idbpq_record_reader;

/** Reads records from an open reader (which must outlive this one). */
IDBPQ_API idbpq_status idbpq_record_reader_open(idbpq_record_reader **out, idbpq_reader *r,
                                                const idbpq_record_reader_opts *opts,
                                                const idbpq_allocator *alc);
/** The store the file describes: from idbpq's metadata, or derived for other files (name
 *  NULL, no key path: keys are out-of-line, from key_column or generated, auto_increment
 *  when generated). Lives as the reader. */
IDBPQ_API const idbpq_store_desc *idbpq_record_reader_store(const idbpq_record_reader *rr);
/** 1 when the file carries idbpq's type map (exact round trip), 0 otherwise. */
IDBPQ_API int idbpq_record_reader_native(const idbpq_record_reader *rr);
/** The next record, with its values built in b; IDBPQ_END after the last. */
IDBPQ_API idbpq_status idbpq_record_reader_next(idbpq_record_reader *rr, idbpq_vbatch *b,
                                                idbpq_value **key, idbpq_value **value);
IDBPQ_API const char *idbpq_record_reader_errmsg(const idbpq_record_reader *rr);
IDBPQ_API void idbpq_record_reader_free(idbpq_record_reader *rr);

/** Deep equality with options: IDBPQ_EQ_UNORDERED compares plain objects' properties as sets
 *  (the order a Parquet round trip may change, docs/mapping.md). */
enum { IDBPQ_EQ_UNORDERED = 1 };
IDBPQ_API int idbpq_value_equal_ex(const idbpq_value *a, const idbpq_value *b, uint32_t flags);
/** A deep copy of v (sharing and cycles kept) into b; NULL when out of memory. */
IDBPQ_API idbpq_value *idbpq_value_copy(idbpq_vbatch *b, const idbpq_value *v);

/* ============================================================================================
 * Browser profiles: IndexedDB read straight from a Chromium profile on disk — the LevelDB
 * backend (`<origin>.indexeddb.leveldb`) and the SQLite one (`<origin>/`, one file per
 * database) — read-only, never locking or modifying the user's files, also while the browser
 * runs (docs/profiles.md). Firefox and Safari profiles are recognized and refused by name.
 * ========================================================================================== */

/** Damage found while reading: the file, the byte offset in it (SQLite: the record's row id),
 *  and what (a damaged record's message names its store and key). */
typedef struct idbpq_damage {
    const char *file;
    uint64_t offset;
    const char *what;
} idbpq_damage;
typedef void (*idbpq_damage_fn)(void *ctx, const idbpq_damage *d);

typedef struct idbpq_profile_opts {
    uint32_t struct_size;          /* set by idbpq_profile_opts_init */
    idbpq_damage_fn on_damage;     /* every damaged piece skipped (NULL: not reported) */
    void *damage_ctx;
} idbpq_profile_opts;
IDBPQ_API void idbpq_profile_opts_init(idbpq_profile_opts *o);

/** A database of an origin and its object stores (desc.origin is the origin's id). */
typedef struct idbpq_profile_db {
    const char *name;              /* UTF-8 (a lone surrogate shows as U+FFFD) */
    uint64_t version;
    uint32_t n_stores;
    const idbpq_store_desc *stores;/* sorted by name, as IDBDatabase.objectStoreNames */
} idbpq_profile_db;

/** One origin (or storage bucket) of a profile. */
typedef struct idbpq_profile_origin {
    const char *id;                /* Chromium's origin id ("https_example.com_0"); buckets
                                      "bucket-<id>"; prefixed "<profile>/" when the path held
                                      several browser profiles */
    const char *backend;           /* "leveldb" or "sqlite" */
    const char *path;              /* its directory (or SQLite file) */
    uint32_t n_databases;
    const idbpq_profile_db *databases; /* sorted by name */
} idbpq_profile_origin;

typedef struct idbpq_profile idbpq_profile;

/** Opens what is under path: a browser user-data directory, one profile (with IndexedDB/), an
 *  IndexedDB directory, one `.indexeddb.leveldb` directory, one SQLite origin directory or
 *  database file. Loads the metadata of every origin. An origin that cannot be read is
 *  reported through on_damage and left out. Errors name the path: IO (cannot read it),
 *  UNSUPPORTED (a Firefox or Safari profile: the message names the format), INVALID_ARG (no
 *  IndexedDB there). */
IDBPQ_API idbpq_status idbpq_profile_open(idbpq_profile **out, const char *path,
                                          const idbpq_profile_opts *opts,
                                          const idbpq_allocator *alc, idbpq_error *err);
IDBPQ_API void idbpq_profile_free(idbpq_profile *p);
IDBPQ_API uint32_t idbpq_profile_origin_count(const idbpq_profile *p);
IDBPQ_API const idbpq_profile_origin *idbpq_profile_origin_at(const idbpq_profile *p,
                                                              uint32_t i);
/** Number of records of a store (reads the store's keys, not its values). */
IDBPQ_API idbpq_status idbpq_profile_count(idbpq_profile *p, uint32_t origin, uint32_t db,
                                           uint32_t store, uint64_t *records,
                                           idbpq_error *err);

/** Records of one store in key order. */
typedef struct idbpq_store_cursor idbpq_store_cursor;
IDBPQ_API idbpq_status idbpq_store_cursor_open(idbpq_store_cursor **out, idbpq_profile *p,
                                               uint32_t origin, uint32_t db, uint32_t store,
                                               idbpq_error *err);
/** The next record, key (idbpq_key_to_value's form) and value built in b, as IndexedDB would
 *  return them (Blob/File contents loaded, autoIncrement keys injected at the key path).
 *  IDBPQ_END after the last. IDBPQ_CORRUPT: a damaged record was skipped (err and on_damage
 *  say where); call again to go on. Other statuses are fatal. */
IDBPQ_API idbpq_status idbpq_store_cursor_next(idbpq_store_cursor *c, idbpq_vbatch *b,
                                               idbpq_value **key, idbpq_value **value,
                                               idbpq_error *err);
/** Write stamps, for cheap change detection: the next record's key and a number that changes
 *  whenever the record is written (Chromium's LevelDB backend: the store's version counter at
 *  the record's last write, from the small per-record "exists" entries — the values are not
 *  read). idbpq_store_cursor_value() then loads the value of the record last given.
 *  IDBPQ_UNSUPPORTED when the backend keeps no stamps (SQLite): use idbpq_store_cursor_next.
 *  Use one way or the other on a cursor, not both. */
IDBPQ_API idbpq_status idbpq_store_cursor_next_stamp(idbpq_store_cursor *c, idbpq_vbatch *b,
                                                     idbpq_value **key, uint64_t *stamp,
                                                     idbpq_error *err);
IDBPQ_API idbpq_status idbpq_store_cursor_value(idbpq_store_cursor *c, idbpq_vbatch *b,
                                                idbpq_value **value, idbpq_error *err);
/** Bytes of records (keys and stored values, as on disk) and of Blob contents read so far
 *  by this cursor: progress. */
IDBPQ_API uint64_t idbpq_store_cursor_bytes(const idbpq_store_cursor *c);
IDBPQ_API void idbpq_store_cursor_free(idbpq_store_cursor *c);

/* ============================================================================================
 * Delta Lake tables (docs/delta.md): the table side of sync. A table is a directory (or any
 * storage reached through idbpq_table_io) holding Parquet data files and a `_delta_log/` of
 * JSON commits and Parquet checkpoints, as Spark, Trino, DuckDB and Polars read it. idbpq
 * reads tables written by any engine (features it does not implement are refused by name) and
 * writes the minimum protocol that carries what sync needs: (1,4) with Change Data Feed,
 * (2,5) when a column name needs column mapping, (3,7) with `variantType` for VARIANT columns.
 * ========================================================================================== */

/** One file of a listing: its path relative to the table root ('/'-separated), size, mtime. */
typedef struct idbpq_table_file {
    const char *path;
    uint64_t size;
    int64_t mtime_ms;              /* -1 if unknown */
} idbpq_table_file;
typedef idbpq_status (*idbpq_table_file_fn)(void *ctx, const idbpq_table_file *f);

/** Where a table lives. Paths are relative to the table root, '/'-separated, never starting
 *  with '/' and never containing "..". A directory on disk is idbpq_table_io_dir(); the
 *  browser module supplies OPFS, a picked directory and HTTP object stores through the same
 *  calls. Every call may set err (the message should name the path). */
typedef struct idbpq_table_io {
    void *ctx;
    /* Every file directly in dir ("" is the root, "_delta_log" the log), in any order; a
     * missing directory lists nothing (IDBPQ_OK). fn's non-OK status stops and is returned. */
    idbpq_status (*list)(void *ctx, const char *dir, idbpq_table_file_fn fn, void *fn_ctx,
                         idbpq_error *err);
    /* Opens path for random-access reads into *src (src->name set); IDBPQ_END: no such
     * file. close() releases what open() set up. */
    idbpq_status (*open)(void *ctx, const char *path, idbpq_source *src, idbpq_error *err);
    void (*close)(void *ctx, idbpq_source *src);
    /* Writes a whole small file (a commit, a checkpoint pointer). if_absent: atomic
     * create-if-absent — IDBPQ_EXISTS when the name is taken, and then nothing is written
     * (O_EXCL + link on a file system, If-None-Match: * over HTTP); otherwise an atomic
     * replace. Readers never see a partial file. */
    idbpq_status (*put)(void *ctx, const char *path, const void *bytes, size_t n,
                        int if_absent, idbpq_error *err);
    /* Streams a new file (data, change data, checkpoint): create() sets *sink, finish()
     * with keep=1 makes it visible under path complete, keep=0 discards it. A file is never
     * visible half written. */
    idbpq_status (*create)(void *ctx, const char *path, idbpq_sink *sink, idbpq_error *err);
    idbpq_status (*finish)(void *ctx, idbpq_sink *sink, int keep, idbpq_error *err);
    /* Deletes a file (vacuum); IDBPQ_END when it did not exist. */
    idbpq_status (*remove)(void *ctx, const char *path, idbpq_error *err);
} idbpq_table_io;

/** A table in a directory of the local file system (created with create=1 when missing).
 *  Commits are created with link(2) from a fsynced temporary file (EEXIST: IDBPQ_EXISTS),
 *  other files with the atomic file sink. Free with idbpq_table_io_dir_free(). */
IDBPQ_API idbpq_status idbpq_table_io_dir(idbpq_table_io *io, const char *root, int create,
                                          idbpq_error *err);
IDBPQ_API void idbpq_table_io_dir_free(idbpq_table_io *io);

/** A snapshot of a table at one version. */
typedef struct idbpq_table idbpq_table;

/** Opens the snapshot at version (-1: the latest): the newest complete checkpoint at or
 *  before it (found by listing; `_last_checkpoint` is only a hint), then the commits after it.
 *  IDBPQ_END: there is no table (no commit) at io. UNSUPPORTED: the table needs a feature
 *  idbpq does not implement — the message names it (v2Checkpoint, typeWidening, variant
 *  shredding, catalogManaged, an unknown reader feature, reader version > 3). CORRUPT: a
 *  log file does not parse (message: file and line). */
IDBPQ_API idbpq_status idbpq_table_open(idbpq_table **out, const idbpq_table_io *io,
                                        int64_t version, const idbpq_allocator *alc,
                                        idbpq_error *err);
IDBPQ_API void idbpq_table_free(idbpq_table *t);

typedef struct idbpq_table_meta {
    int64_t version;
    int64_t checkpoint_version;    /* the checkpoint the snapshot was read from; -1 none */
    int32_t min_reader_version, min_writer_version;
    uint32_t n_reader_features, n_writer_features;
    const char *const *reader_features;
    const char *const *writer_features;
    const char *id;                /* metaData.id */
    const char *name, *description;/* NULL when absent */
    const char *schema_string;     /* the StructType JSON; NULL when absent */
    uint32_t n_partition_columns;
    const char *const *partition_columns;
    uint32_t n_configuration;
    const idbpq_kv *configuration; /* NUL-terminated strings (ptr[len] == 0) */
    int64_t created_time;          /* ms; -1 when absent */
    int32_t change_data_feed;      /* delta.enableChangeDataFeed is on */
    const char *column_mapping;    /* "none", "name" or "id" */
    uint64_t n_files, bytes;       /* live data files and their total size */
    int64_t records;               /* sum of numRecords (DV-deleted rows taken off); -1 when
                                      a file has no statistics */
    const idbpq_store_desc *store; /* the `idbpq.store` configuration (tables idbpq wrote);
                                      NULL otherwise */
} idbpq_table_meta;
IDBPQ_API const idbpq_table_meta *idbpq_table_get_meta(const idbpq_table *t);

/** A deletion vector descriptor (storageType 'u', 'i' or 'p'). */
typedef struct idbpq_table_dv {
    char storage_type;
    const char *path_or_inline;
    int32_t offset;                /* -1 when absent */
    int32_t size;
    int64_t cardinality;
} idbpq_table_dv;

/** A live data file (an `add` action as reconciled). */
typedef struct idbpq_table_add {
    const char *path;              /* as in the log (URI-encoded) */
    const char *file;              /* the same, percent-decoded: the name in storage */
    uint64_t size;
    int64_t modification_time;
    const char *stats;             /* the stats JSON text; NULL when absent (or only
                                      stats_parsed was in the checkpoint: rebuilt as JSON) */
    int64_t num_records;           /* -1 unknown */
    uint32_t n_partition_values;
    const idbpq_kv *partition_values; /* has_value 0: null */
    uint32_t n_tags;
    const idbpq_kv *tags;
    const idbpq_table_dv *dv;      /* NULL when the file has no deletion vector */
} idbpq_table_add;
/** Live files in path order. */
IDBPQ_API uint64_t idbpq_table_file_count(const idbpq_table *t);
IDBPQ_API const idbpq_table_add *idbpq_table_file_at(const idbpq_table *t, uint64_t i);
/** The latest `txn` version recorded for app_id; -1 when none. */
IDBPQ_API int64_t idbpq_table_txn_version(const idbpq_table *t, const char *app_id);

/** The rows of a snapshot as records: each live file in order, rows the file's deletion
 *  vector deletes skipped, partition values put back, physical names (column mapping)
 *  turned into the schema's names, columns the schema has but a file lacks as null.
 *  Tables idbpq wrote give the store's exact (key, value) records; other tables give
 *  the row as an object value (idbpq_record_reader's foreign rules) and as key the
 *  key_column's value (NULL: a generated 1, 2, 3...). */
typedef struct idbpq_table_scan idbpq_table_scan;
IDBPQ_API idbpq_status idbpq_table_scan_open(idbpq_table_scan **out, idbpq_table *t,
                                             const idbpq_record_reader_opts *opts,
                                             idbpq_error *err);
/** Only the rows of the given live files (indexes into idbpq_table_file_at). */
IDBPQ_API idbpq_status idbpq_table_scan_files(idbpq_table_scan **out, idbpq_table *t,
                                              const uint64_t *files, uint64_t n,
                                              const idbpq_record_reader_opts *opts,
                                              idbpq_error *err);
/** IDBPQ_END after the last row. err names the data file and row. */
IDBPQ_API idbpq_status idbpq_table_scan_next(idbpq_table_scan *s, idbpq_vbatch *b,
                                             idbpq_value **key, idbpq_value **value,
                                             idbpq_error *err);
IDBPQ_API void idbpq_table_scan_free(idbpq_table_scan *s);

/** The Change Data Feed of versions (from, to]: per version its `_change_data` files when it
 *  has any, else every row of files added with dataChange as an insert and of files removed
 *  with dataChange as a delete (a remove+add of one path with deletion vectors: the rows
 *  the new vector deletes). UNSUPPORTED (naming the version) when CDF was off in the range
 *  and a removed file is gone. */
typedef enum idbpq_change_type {
    IDBPQ_CHANGE_INSERT = 1,
    IDBPQ_CHANGE_UPDATE_PREIMAGE = 2,
    IDBPQ_CHANGE_UPDATE_POSTIMAGE = 3,
    IDBPQ_CHANGE_DELETE = 4
} idbpq_change_type;
IDBPQ_API const char *idbpq_change_type_name(idbpq_change_type t); /* "insert", ... */
typedef struct idbpq_table_changes idbpq_table_changes;
IDBPQ_API idbpq_status idbpq_table_changes_open(idbpq_table_changes **out,
                                                const idbpq_table_io *io, int64_t from,
                                                int64_t to,
                                                const idbpq_record_reader_opts *opts,
                                                const idbpq_allocator *alc, idbpq_error *err);
IDBPQ_API idbpq_status idbpq_table_changes_next(idbpq_table_changes *c, idbpq_vbatch *b,
                                                idbpq_change_type *type, int64_t *version,
                                                idbpq_value **key, idbpq_value **value,
                                                idbpq_error *err);
IDBPQ_API void idbpq_table_changes_free(idbpq_table_changes *c);

/** One commit of the log, for `idbpq table log`. */
typedef struct idbpq_table_commit {
    int64_t version;
    int64_t timestamp;             /* inCommitTimestamp, else commitInfo.timestamp, else the
                                      file's mtime; -1 unknown */
    const char *operation;         /* commitInfo.operation; NULL when absent */
    const char *commit_info;       /* the commitInfo object as JSON text; NULL when absent */
    uint64_t adds, removes, cdcs;  /* file actions */
    int32_t protocol, metadata;    /* the commit changes them */
    uint32_t n_txns;
    const char *const *txn_apps;   /* appIds with a txn action */
    const int64_t *txn_versions;
} idbpq_table_commit;
typedef idbpq_status (*idbpq_table_commit_fn)(void *ctx, const idbpq_table_commit *c);
/** Calls fn for each commit from..to (inclusive; -1: the latest) still in the log. */
IDBPQ_API idbpq_status idbpq_table_log(const idbpq_table_io *io, int64_t from, int64_t to,
                                       idbpq_table_commit_fn fn, void *ctx,
                                       const idbpq_allocator *alc, idbpq_error *err);

/** Removes data and change-data files no live version refers to whose removal is older than
 *  retention_ms (the table's delta.deletedFileRetentionDuration when < 0), and files of
 *  failed attempts (in no commit) older than it. dry_run: only counts. */
typedef struct idbpq_vacuum_result {
    uint64_t files, bytes;
} idbpq_vacuum_result;
IDBPQ_API idbpq_status idbpq_table_vacuum(const idbpq_table_io *io, int64_t retention_ms,
                                          int dry_run, idbpq_vacuum_result *res,
                                          const idbpq_allocator *alc, idbpq_error *err);

/* ============================================================================================
 * Sync (docs/sync.md): a store and a table each catch up with the other, only the changes
 * moved. Change detection needs nothing from the app: a content hash per key, as of the last
 * sync, is kept as sync state (a state file for the CLI, a separate IndexedDB database in the
 * browser). One sync: read the table's changes since the state's version (Change Data Feed,
 * or the files removed and added), diff the store against the state, resolve keys changed on
 * both sides by the policy (each decision logged), apply the table's changes to the store
 * (when it can be written), then commit the store's changes to the table: copy-on-write of
 * only the data files whose key ranges hold changed keys, new files for the rest, change data
 * files for updates and deletes, a `txn` action that makes the push idempotent, and a
 * checkpoint every checkpoint_interval commits. A commit that loses the race re-reads the
 * winners and retries (IDBPQ_CONFLICT after max_attempts).
 * ========================================================================================== */

/** The store side. Records come in IndexedDB key order. */
typedef struct idbpq_sync_op {
    const idbpq_value *key;
    const idbpq_value *value;      /* NULL: delete the key */
} idbpq_sync_op;
typedef struct idbpq_sync_local {
    void *ctx;
    const idbpq_store_desc *desc;  /* the store (key path, indexes, name...) */
    int32_t stamps;                /* next() gives write stamps (then apply must be NULL) */
    /* From the first record again. */
    idbpq_status (*rewind)(void *ctx, idbpq_error *err);
    /* The next record: its key and its value; or, for a store with write stamps (stamps
     * = 1), its key and *has_hash = 1 with the record's write stamp (a number that changes
     * whenever the record is written) in hash[0..8) little-endian — then value() is asked
     * only for records whose stamp moved, so a sync reads the values of what changed.
     * IDBPQ_END after the last. */
    idbpq_status (*next)(void *ctx, idbpq_vbatch *b, idbpq_value **key, idbpq_value **value,
                         uint8_t hash[16], int *has_hash, idbpq_error *err);
    /* The value of the record next() returned last (when next gave a hash only). */
    idbpq_status (*value)(void *ctx, idbpq_vbatch *b, idbpq_value **value, idbpq_error *err);
    /* Applies puts and deletes in one transaction. NULL: the store is read-only (a browser
     * profile): sync only pushes. */
    idbpq_status (*apply)(void *ctx, const idbpq_sync_op *ops, size_t n, idbpq_error *err);
    /* Optional: the record of one key, as next() gives it (IDBPQ_END when absent). With the
     * state's get(), a pull-only sync (opts.push = 0) looks up the keys the table changed
     * instead of reading the whole store. */
    idbpq_status (*get)(void *ctx, idbpq_vbatch *b, const idbpq_value *key, idbpq_value **value,
                        uint8_t hash[16], int *has_hash, idbpq_error *err);
} idbpq_sync_local;

/** The sync state: a header (JSON text) and key -> digest entries in key order. Keys are
 *  idbpq_key_encode_sortable() bytes. */
typedef struct idbpq_sync_state_entry {
    const uint8_t *key;
    size_t key_len;
    uint8_t hash[16];
    int32_t deleted;               /* in updates: remove the entry */
} idbpq_sync_state_entry;
typedef struct idbpq_sync_state {
    void *ctx;
    /* The header; IDBPQ_END when there is no state yet (first sync). */
    idbpq_status (*load)(void *ctx, idbpq_buffer *header, idbpq_error *err);
    idbpq_status (*rewind)(void *ctx, idbpq_error *err);
    idbpq_status (*next)(void *ctx, idbpq_sync_state_entry *e, idbpq_error *err);
    /* Durably applies entries (any order) and then the header. */
    idbpq_status (*save)(void *ctx, const char *header, const idbpq_sync_state_entry *e,
                         size_t n, idbpq_error *err);
    /* Optional: the digest of one key (IDBPQ_END when absent); see idbpq_sync_local.get. */
    idbpq_status (*get)(void *ctx, const uint8_t *key, size_t key_len, uint8_t hash[16],
                        idbpq_error *err);
} idbpq_sync_state;
/** The state in a file (written to a temporary file and renamed: a crash keeps the old). */
IDBPQ_API idbpq_status idbpq_sync_state_file(idbpq_sync_state *st, const char *path,
                                             const idbpq_allocator *alc, idbpq_error *err);
IDBPQ_API void idbpq_sync_state_file_free(idbpq_sync_state *st);

typedef enum idbpq_sync_policy {
    IDBPQ_SYNC_PREFER_LOCAL = 1,   /* the store's version wins */
    IDBPQ_SYNC_PREFER_TABLE = 2,   /* the table's version wins (default) */
    IDBPQ_SYNC_NEWEST = 3,         /* the larger value of newest_field (Date, number or ISO
                                      string) wins; a delete or a missing field loses; a tie
                                      goes to the table */
    IDBPQ_SYNC_CALLBACK = 4        /* resolve() decides */
} idbpq_sync_policy;
typedef enum idbpq_sync_side { IDBPQ_SIDE_LOCAL = 1, IDBPQ_SIDE_TABLE = 2 } idbpq_sync_side;

/** A key changed on both sides since the last sync (a NULL value: deleted there). */
typedef struct idbpq_sync_conflict {
    const idbpq_value *key;
    const idbpq_value *local;
    const idbpq_value *table;
    int64_t table_version;         /* the version that last changed it */
} idbpq_sync_conflict;
/** CALLBACK policy: return the side that wins, or set *merged (built in b) to a value both
 *  sides take and return 0. */
typedef int (*idbpq_sync_resolve_fn)(void *ctx, const idbpq_sync_conflict *c, idbpq_vbatch *b,
                                     const idbpq_value **merged);
/** Every decision: the conflict, the winner (0: merged) and why, as one JSON line text. */
typedef void (*idbpq_sync_log_fn)(void *ctx, const idbpq_sync_conflict *c, int winner,
                                  const char *json_line);

typedef struct idbpq_sync_progress {
    const char *phase;             /* "pull", "scan", "write", "commit" */
    uint64_t done, total;          /* records (total 0 when unknown) */
} idbpq_sync_progress;

typedef struct idbpq_sync_opts {
    uint32_t struct_size;          /* set by idbpq_sync_opts_init */
    idbpq_sync_policy policy;
    const char *newest_field;      /* NEWEST: dotted property path */
    idbpq_sync_resolve_fn resolve;
    void *resolve_ctx;
    idbpq_sync_log_fn log;         /* may be NULL */
    void *log_ctx;
    int32_t dry_run;               /* compute and report, write nothing anywhere */
    int32_t push, pull;            /* directions (both 1 by default) */
    idbpq_record_writer_opts writer; /* data files: codec, row groups... */
    uint64_t target_file_bytes;    /* data file size aimed at (default 8 MiB: a push rewrites
                                      whole files, so small files keep it small) */
    uint32_t checkpoint_interval;  /* a checkpoint after every N-th version (default 10) */
    uint32_t max_attempts;         /* commit attempts before IDBPQ_CONFLICT (default 20) */
    const char *key_column;        /* tables idbpq did not write: the key column */
    void (*progress)(void *ctx, const idbpq_sync_progress *p);
    void *progress_ctx;
    int (*should_abort)(void *ctx); /* polled; non-zero stops with IDBPQ_ABORTED */
    void *abort_ctx;
} idbpq_sync_opts;
IDBPQ_API void idbpq_sync_opts_init(idbpq_sync_opts *o);

typedef struct idbpq_sync_result {
    int64_t from_version, to_version; /* the table's version at the last sync and now */
    int64_t committed_version;     /* the version this sync committed; -1 none */
    uint64_t pulled_upserts, pulled_deletes;      /* applied to the store */
    uint64_t pushed_inserts, pushed_updates, pushed_deletes;
    uint64_t conflicts, conflicts_local, conflicts_table, conflicts_merged;
    uint64_t scanned;              /* store records compared */
    uint64_t files_added, files_removed, cdc_files;
    uint64_t bytes_written;        /* data, change data, log */
    uint32_t attempts;             /* commit attempts (1 when no race was lost) */
} idbpq_sync_result;

IDBPQ_API idbpq_status idbpq_sync(const idbpq_sync_local *local, idbpq_sync_state *state,
                                  const idbpq_table_io *table, const idbpq_sync_opts *opts,
                                  idbpq_sync_result *res, const idbpq_allocator *alc,
                                  idbpq_error *err);

/** The store side over a browser profile's store (read-only: digests of the stored bytes,
 *  values decoded only for changed records). */
IDBPQ_API idbpq_status idbpq_sync_local_profile(idbpq_sync_local *l, idbpq_profile *p,
                                                uint32_t origin, uint32_t db, uint32_t store,
                                                idbpq_error *err);
IDBPQ_API void idbpq_sync_local_profile_free(idbpq_sync_local *l);

#ifdef __cplusplus
}
#endif
#endif /* IDBPQ_H */
