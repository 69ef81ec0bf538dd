/*
 * names.c — names of Parquet enums for messages and the CLI (the spelling of parquet.thrift:
 * "INT32", "RLE_DICTIONARY", "ZSTD", "TIMESTAMP_MICROS"), the reverse look-ups the CLI needs
 * (case-insensitive, with a few friendly aliases), and which codecs this build can read and
 * write (the IDBPQ_NO_<CODEC> switches, as codec.c honours them).
 */
#include "common/common.h"

#include <stdio.h>
#include <strings.h>

const char *idbpq_type_name(idbpq_type t)
{
    switch ((int)t) {
    case IDBPQ_BOOLEAN: return "BOOLEAN";
    case IDBPQ_INT32: return "INT32";
    case IDBPQ_INT64: return "INT64";
    case IDBPQ_INT96: return "INT96";
    case IDBPQ_FLOAT: return "FLOAT";
    case IDBPQ_DOUBLE: return "DOUBLE";
    case IDBPQ_BYTE_ARRAY: return "BYTE_ARRAY";
    case IDBPQ_FIXED_LEN_BYTE_ARRAY: return "FIXED_LEN_BYTE_ARRAY";
    case IDBPQ_GROUP: return "GROUP";
    default: return NULL;
    }
}

/* Indexed by the thrift Encoding value; 1 (GROUP_VAR_INT) was never used by Parquet. */
static const char *const enc_names[] = {
    "PLAIN",          NULL,          "PLAIN_DICTIONARY",        "RLE",
    "BIT_PACKED",     "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
    "RLE_DICTIONARY", "BYTE_STREAM_SPLIT",
};
#define N_ENC ((int)(sizeof enc_names / sizeof enc_names[0]))

static const char *const codec_names[] = {
    "UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW",
};
#define N_CODEC ((int)(sizeof codec_names / sizeof codec_names[0]))

static const char *const ct_names[] = {
    "UTF8",      "MAP",         "MAP_KEY_VALUE",    "LIST",
    "ENUM",      "DECIMAL",     "DATE",             "TIME_MILLIS",
    "TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8",
    "UINT_16",   "UINT_32",     "UINT_64",          "INT_8",
    "INT_16",    "INT_32",      "INT_64",           "JSON",
    "BSON",      "INTERVAL",
};
#define N_CT ((int)(sizeof ct_names / sizeof ct_names[0]))

const char *idbpq_encoding_name(idbpq_encoding e)
{
    if ((int)e == IDBPQ_ENC_AUTO) return "AUTO";
    return (int)e >= 0 && (int)e < N_ENC ? enc_names[e] : NULL;
}

const char *idbpq_codec_name(idbpq_codec c)
{
    return (int)c >= 0 && (int)c < N_CODEC ? codec_names[c] : NULL;
}

const char *idbpq_converted_type_name(int ct)
{
    if (ct == IDBPQ_CT_NONE) return "NONE";
    return ct >= 0 && ct < N_CT ? ct_names[ct] : NULL;
}

struct alias {
    const char *name;
    int value;
};

/* Friendly spellings accepted besides the canonical names. */
static const struct alias codec_aliases[] = {
    {"none", IDBPQ_CODEC_UNCOMPRESSED},
    {"lz4raw", IDBPQ_CODEC_LZ4_RAW},
    {"gz", IDBPQ_CODEC_GZIP},
    {"zstandard", IDBPQ_CODEC_ZSTD},
};

static const struct alias enc_aliases[] = {
    {"dict", IDBPQ_ENC_RLE_DICTIONARY},
    {"dictionary", IDBPQ_ENC_RLE_DICTIONARY},
    {"delta", IDBPQ_ENC_DELTA_BINARY_PACKED},
    {"bss", IDBPQ_ENC_BYTE_STREAM_SPLIT},
};

static int lookup(const char *name, const char *const *names, int n, const struct alias *al,
                  size_t n_al)
{
    if (!name) return -1;
    for (int i = 0; i < n; i++)
        if (names[i] && strcasecmp(name, names[i]) == 0) return i;
    for (size_t i = 0; i < n_al; i++)
        if (strcasecmp(name, al[i].name) == 0) return al[i].value;
    return -1;
}

int idbpq_codec_from_name(const char *name)
{
    return lookup(name, codec_names, N_CODEC, codec_aliases,
                  sizeof codec_aliases / sizeof codec_aliases[0]);
}

int idbpq_encoding_from_name(const char *name)
{
    return lookup(name, enc_names, N_ENC, enc_aliases, sizeof enc_aliases / sizeof enc_aliases[0]);
}

/* Must agree with the #ifndef guards in codec/codec.c. */
static int codec_built(idbpq_codec c)
{
    switch ((int)c) {
    case IDBPQ_CODEC_UNCOMPRESSED: return 1;
#ifndef IDBPQ_NO_SNAPPY
    case IDBPQ_CODEC_SNAPPY: return 1;
#endif
#ifndef IDBPQ_NO_GZIP
    case IDBPQ_CODEC_GZIP: return 1;
#endif
#ifndef IDBPQ_NO_BROTLI
    case IDBPQ_CODEC_BROTLI: return 1;
#endif
#ifndef IDBPQ_NO_LZ4
    case IDBPQ_CODEC_LZ4: return 1;
#endif
#ifndef IDBPQ_NO_ZSTD
    case IDBPQ_CODEC_ZSTD: return 1;
#endif
#ifndef IDBPQ_NO_LZ4_RAW
    case IDBPQ_CODEC_LZ4_RAW: return 1;
#endif
    default: return 0; /* LZO (no maintained library) and unknown numbers */
    }
}

int idbpq_codec_can_read(idbpq_codec c) { return codec_built(c); }
int idbpq_codec_can_write(idbpq_codec c) { return codec_built(c); }

static const char *unit_name(idbpq_time_unit u)
{
    switch (u) {
    case IDBPQ_MILLIS: return "MILLIS";
    case IDBPQ_MICROS: return "MICROS";
    case IDBPQ_NANOS: return "NANOS";
    }
    return "?";
}

/* parquet-mr's LogicalTypeAnnotation.toString() text (see idbpq.h). */
void idbpq_schema_node_annotation(const idbpq_schema_node *n, char *o, size_t cap)
{
    const idbpq_logical *l = &n->logical;
    o[0] = '\0';
    /* MAP_KEY_VALUE has no logical type; the library reads it as a map, parquet-mr still
     * shows the legacy name. */
    if (n->converted_type == IDBPQ_CT_MAP_KEY_VALUE) {
        snprintf(o, cap, "MAP_KEY_VALUE");
        return;
    }
    switch (l->kind) {
    case IDBPQ_LT_NONE:
    case IDBPQ_LT_UNKNOWN_ID:
        if (n->converted_type != IDBPQ_CT_NONE) {
            const char *c = idbpq_converted_type_name(n->converted_type);
            snprintf(o, cap, "%s", c ? c : "?");
        }
        return;
    case IDBPQ_LT_STRING: snprintf(o, cap, "STRING"); return;
    case IDBPQ_LT_MAP: snprintf(o, cap, "MAP"); return;
    case IDBPQ_LT_LIST: snprintf(o, cap, "LIST"); return;
    case IDBPQ_LT_ENUM: snprintf(o, cap, "ENUM"); return;
    case IDBPQ_LT_DECIMAL:
        snprintf(o, cap, "DECIMAL(%d,%d)", (int)l->precision, (int)l->scale);
        return;
    case IDBPQ_LT_DATE: snprintf(o, cap, "DATE"); return;
    case IDBPQ_LT_TIME:
        snprintf(o, cap, "TIME(%s,%s)", unit_name(l->unit), l->utc ? "true" : "false");
        return;
    case IDBPQ_LT_TIMESTAMP:
        snprintf(o, cap, "TIMESTAMP(%s,%s)", unit_name(l->unit), l->utc ? "true" : "false");
        return;
    case IDBPQ_LT_INTEGER:
        snprintf(o, cap, "INTEGER(%d,%s)", (int)l->bit_width, l->is_signed ? "true" : "false");
        return;
    case IDBPQ_LT_NULL: snprintf(o, cap, "UNKNOWN"); return;
    case IDBPQ_LT_JSON: snprintf(o, cap, "JSON"); return;
    case IDBPQ_LT_BSON: snprintf(o, cap, "BSON"); return;
    case IDBPQ_LT_UUID: snprintf(o, cap, "UUID"); return;
    case IDBPQ_LT_FLOAT16: snprintf(o, cap, "FLOAT16"); return;
    case IDBPQ_LT_VARIANT:
        snprintf(o, cap, "VARIANT(%d)", l->variant_version > 0 ? (int)l->variant_version : 1);
        return;
    case IDBPQ_LT_GEOMETRY:
        if (l->crs)
            snprintf(o, cap, "GEOMETRY(%s)", l->crs);
        else
            snprintf(o, cap, "GEOMETRY");
        return;
    case IDBPQ_LT_GEOGRAPHY: {
        static const char *const alg[] = {"SPHERICAL", "VINCENTY", "THOMAS", "ANDOYER", "KARNEY"};
        const char *a = (l->algorithm >= 0 && l->algorithm < 5) ? alg[l->algorithm] : "?";
        snprintf(o, cap, "GEOGRAPHY(%s,%s)", l->crs ? l->crs : "OGC:CRS84", a);
        return;
    }
    case IDBPQ_LT_INTERVAL: snprintf(o, cap, "INTERVAL"); return;
    }
}
