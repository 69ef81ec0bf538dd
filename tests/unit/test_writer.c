/* test_writer.c — the Parquet writer, parsed back with the internal decoders: every physical
 * type, encoding, page version and codec; budgets; statistics; page indexes; errors. */
#include "test.h"
#include "test_writer_util.h"

#include <stdlib.h>

#include "parquet/stats.h"

enum { N_TYPES = 8 };
static const int types[N_TYPES] = {IDBPQ_BOOLEAN, IDBPQ_INT32,  IDBPQ_INT64,      IDBPQ_INT96,
                                   IDBPQ_FLOAT,   IDBPQ_DOUBLE, IDBPQ_BYTE_ARRAY, IDBPQ_FIXED_LEN_BYTE_ARRAY};
#define FLBA_LEN 5

static size_t width_of(int t)
{
    switch (t) {
    case IDBPQ_BOOLEAN: return 1;
    case IDBPQ_INT32: case IDBPQ_FLOAT: return 4;
    case IDBPQ_INT64: case IDBPQ_DOUBLE: return 8;
    case IDBPQ_INT96: return 12;
    case IDBPQ_FIXED_LEN_BYTE_ARRAY: return FLBA_LEN;
    default: return sizeof(idbpq_bytes);
    }
}

/* Value k of type t, written into out (values-array layout). Strings live in sbuf (>= 40). */
static void gen(int t, uint64_t k, uint8_t *out, char *sbuf)
{
    int32_t i32 = (int32_t)k - 20;
    int64_t i64 = (int64_t)k * 1000003 - 77;
    float f = (float)k * 0.5f - 3.0f;
    double d = (double)k * 0.25 - 1.0;
    switch (t) {
    case IDBPQ_BOOLEAN: out[0] = (uint8_t)(k & 1); break;
    case IDBPQ_INT32: memcpy(out, &i32, 4); break;
    case IDBPQ_INT64: memcpy(out, &i64, 8); break;
    case IDBPQ_FLOAT: memcpy(out, &f, 4); break;
    case IDBPQ_DOUBLE: memcpy(out, &d, 8); break;
    case IDBPQ_INT96:
        for (int j = 0; j < 12; j++) out[j] = (uint8_t)(k * 7 + (uint64_t)j);
        break;
    case IDBPQ_FIXED_LEN_BYTE_ARRAY: {
        char tmp[16];
        snprintf(tmp, sizeof tmp, "%05u", (unsigned)(k % 100000));
        memcpy(out, tmp, FLBA_LEN);
        break;
    }
    default: {
        int n = snprintf(sbuf, 40, "v%llu%.*s", (unsigned long long)k, (int)(k % 9),
                         "xxxxxxxxxxxx");
        idbpq_bytes b = {(const uint8_t *)sbuf, (uint32_t)n};
        memcpy(out, &b, sizeof b);
    }
    }
}

static int same_value(int t, const uint8_t *a, const uint8_t *b)
{
    if (t != IDBPQ_BYTE_ARRAY) return memcmp(a, b, width_of(t)) == 0;
    idbpq_bytes x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    return x.len == y.len && (x.len == 0 || memcmp(x.ptr, y.ptr, x.len) == 0);
}

/* A flat schema: for each type, a required then an optional column (c = 2*type_index + opt). */
static idbpq_schema *flat_schema(void)
{
    idbpq_schema *s;
    if (idbpq_schema_create(&s, NULL)) return NULL;
    for (int i = 0; i < N_TYPES; i++) {
        for (int opt = 0; opt < 2; opt++) {
            char name[32];
            snprintf(name, sizeof name, "%s_%s", opt ? "o" : "r", idbpq_type_name((idbpq_type)types[i]));
            int32_t node;
            if (idbpq_schema_add(s, 0, name, opt ? IDBPQ_OPTIONAL : IDBPQ_REQUIRED,
                                 (idbpq_type)types[i],
                                 types[i] == IDBPQ_FIXED_LEN_BYTE_ARRAY ? FLBA_LEN : 0, NULL,
                                 &node))
                return NULL;
        }
    }
    if (idbpq_schema_finish(s)) return NULL;
    return s;
}

/* The data of a flat test file: row r of column c. Optional columns are null when r%7 == 3. */
struct flat {
    size_t rows;
    uint64_t card;                 /* distinct values */
    uint8_t *vals[2 * N_TYPES];    /* expected non-null values, values-array layout */
    size_t nv[2 * N_TYPES];
    uint16_t *def[2 * N_TYPES];
    char *strings;                 /* 40 bytes a row */
};

static void flat_make(struct flat *d, size_t rows, uint64_t card)
{
    memset(d, 0, sizeof *d);
    d->rows = rows;
    d->card = card;
    d->strings = calloc(rows * 2, 40);
    for (int c = 0; c < 2 * N_TYPES; c++) {
        int t = types[c / 2];
        d->vals[c] = calloc(rows + 1, width_of(t));
        d->def[c] = calloc(rows + 1, 2);
        for (size_t r = 0; r < rows; r++) {
            int null = (c & 1) && r % 7 == 3;
            d->def[c][r] = (uint16_t)((c & 1) && !null);
            if (null) continue;
            uint64_t k = (r * 2654435761u + (uint64_t)c) % card;
            gen(t, k, d->vals[c] + d->nv[c] * width_of(t), d->strings + (r * 2 + (size_t)(c & 1)) * 40);
            d->nv[c]++;
        }
    }
}

static void flat_free(struct flat *d)
{
    for (int c = 0; c < 2 * N_TYPES; c++) {
        free(d->vals[c]);
        free(d->def[c]);
    }
    free(d->strings);
}

/* Writes d with opts (batches of `batch` rows) into mem. */
static int flat_write(const struct flat *d, idbpq_schema *s, const idbpq_writer_opts *o,
                      size_t batch, struct tw_mem *mem, idbpq_writer **keep)
{
    idbpq_sink sink;
    tw_mem_init(mem, &sink);
    idbpq_writer *w;
    int st = idbpq_writer_open(&w, s, &sink, o, NULL);
    if (st) {
        if (st != IDBPQ_INVALID_ARG) fprintf(stderr, "open: %s\n", idbpq_writer_errmsg(NULL));
        return st;
    }
    size_t vpos[2 * N_TYPES] = {0};
    for (size_t r0 = 0; r0 < d->rows; r0 += batch) {
        size_t n = d->rows - r0 < batch ? d->rows - r0 : batch;
        idbpq_column_batch b[2 * N_TYPES];
        for (int c = 0; c < 2 * N_TYPES; c++) {
            int t = types[c / 2];
            size_t nv = 0;
            for (size_t r = r0; r < r0 + n; r++) nv += !(c & 1) || d->def[c][r];
            b[c].n_levels = n;
            b[c].n_values = nv;
            b[c].n_rows = n;
            b[c].def = (c & 1) ? d->def[c] + r0 : NULL;
            b[c].rep = NULL;
            b[c].values = d->vals[c] + vpos[c] * width_of(t);
            b[c].type = (idbpq_type)t;
            b[c].type_length = t == IDBPQ_FIXED_LEN_BYTE_ARRAY ? FLBA_LEN : 0;
            vpos[c] += nv;
        }
        st = idbpq_writer_write_columns(w, b, n);
        if (st) {
            fprintf(stderr, "write: %s\n", idbpq_writer_errmsg(w));
            idbpq_writer_free(w);
            return st;
        }
    }
    st = idbpq_writer_finish(w);
    if (st) fprintf(stderr, "finish: %s\n", idbpq_writer_errmsg(w));
    if (!st && idbpq_writer_bytes_written(w) != mem->b.len) st = -2;
    if (keep && !st) *keep = w;
    else idbpq_writer_free(w);
    return st;
}

/* Parses mem back and compares every column with d. Returns failures. */
static int flat_check(const struct flat *d, const struct tw_mem *mem, uint32_t *encs_out,
                      int *dict_pages_out)
{
    struct tw_file f;
    int bad = 0;
    if (tw_parse(&f, mem->b.p, mem->b.len)) {
        fprintf(stderr, "parse: %s\n", f.err);
        tw_file_free(&f);
        return 1;
    }
    if (f.md.pub.num_rows != (int64_t)d->rows || f.md.pub.version != 1) bad++;
    for (int c = 0; c < 2 * N_TYPES; c++) {
        int t = types[c / 2];
        struct tw_col col;
        tw_col_init(&col);
        if (tw_read_column(&f, c, c & 1, 0, t, t == IDBPQ_FIXED_LEN_BYTE_ARRAY ? FLBA_LEN : 0,
                           &col)) {
            fprintf(stderr, "column %d: %s\n", c, f.err);
            bad++;
        } else {
            if (col.n_levels != d->rows || col.n_values != d->nv[c]) bad++;
            const uint16_t *dv = (const uint16_t *)(const void *)col.def.p;
            for (size_t r = 0; r < d->rows && r < col.n_levels; r++) bad += dv[r] != d->def[c][r];
            size_t w = width_of(t);
            for (size_t i = 0; i < d->nv[c] && i < col.n_values; i++)
                if (!same_value(t, col.vals.p + i * w, d->vals[c] + i * w)) {
                    if (bad < 5) fprintf(stderr, "column %d value %zu differs\n", c, i);
                    bad++;
                }
            if (encs_out) encs_out[c] = col.page_encodings;
            if (dict_pages_out) dict_pages_out[c] = col.n_dict_pages;
        }
        tw_col_free(&col);
    }
    tw_file_free(&f);
    return bad;
}

TEST(writer_flat_all_types_v1_v2_dict_codecs)
{
    idbpq_schema *s = flat_schema();
    REQUIRE(s);
    struct flat d;
    flat_make(&d, 5000, 37);
    static const int codecs[] = {IDBPQ_CODEC_UNCOMPRESSED, IDBPQ_CODEC_SNAPPY, IDBPQ_CODEC_ZSTD};
    for (int pv = 1; pv <= 2; pv++)
        for (int dict = 0; dict <= 1; dict++)
            for (int ci = 0; ci < 3; ci++) {
                idbpq_writer_opts o;
                idbpq_writer_opts_init(&o);
                o.page_version = pv;
                o.dictionary = dict;
                o.codec = (idbpq_codec)codecs[ci];
                o.page_rows = 700;
                o.max_row_group_rows = 2000;
                o.page_crc = ci == 1;
                struct tw_mem mem;
                int st = flat_write(&d, s, &o, 1000, &mem, NULL);
                CHECK_EQ_INT(st, 0);
                uint32_t encs[2 * N_TYPES];
                int dp[2 * N_TYPES];
                if (!st) {
                    int bad = flat_check(&d, &mem, encs, dp);
                    if (bad) fprintf(stderr, "pv %d dict %d codec %d\n", pv, dict, codecs[ci]);
                    CHECK_EQ_INT(bad, 0);
                    /* Defaults: dictionary for all but BOOLEAN; v2 fallbacks. */
                    CHECK_EQ_INT(dp[0], 0);
                    CHECK(dict ? dp[2] > 0 && (encs[2] & (1u << IDBPQ_ENC_RLE_DICTIONARY))
                               : dp[2] == 0);
                    CHECK(encs[0] & (1u << (pv == 2 ? IDBPQ_ENC_RLE : IDBPQ_ENC_PLAIN)));
                    if (!dict && pv == 2) {
                        CHECK(encs[2] & (1u << IDBPQ_ENC_DELTA_BINARY_PACKED));
                        CHECK(encs[12] & (1u << IDBPQ_ENC_DELTA_LENGTH_BYTE_ARRAY));
                        CHECK(encs[8] & (1u << IDBPQ_ENC_PLAIN));
                    }
                }
                tw_mem_free(&mem);
            }
    flat_free(&d);
    idbpq_schema_free(s);
}

TEST(writer_every_codec)
{
    idbpq_schema *s = flat_schema();
    REQUIRE(s);
    struct flat d;
    flat_make(&d, 3000, 1000);
    static const int codecs[] = {IDBPQ_CODEC_UNCOMPRESSED, IDBPQ_CODEC_SNAPPY, IDBPQ_CODEC_GZIP,
                                 IDBPQ_CODEC_BROTLI, IDBPQ_CODEC_LZ4, IDBPQ_CODEC_ZSTD,
                                 IDBPQ_CODEC_LZ4_RAW};
    for (int ci = 0; ci < 7; ci++) {
        if (!idbpq_codec_can_write((idbpq_codec)codecs[ci])) continue;
        for (int pv = 1; pv <= 2; pv++) {
            idbpq_writer_opts o;
            idbpq_writer_opts_init(&o);
            o.codec = (idbpq_codec)codecs[ci];
            o.page_version = pv;
            o.level = codecs[ci] == IDBPQ_CODEC_BROTLI ? 3 : 0;
            struct tw_mem mem;
            int st = flat_write(&d, s, &o, 3000, &mem, NULL);
            CHECK_EQ_INT(st, 0);
            if (!st) {
                int bad = flat_check(&d, &mem, NULL, NULL);
                if (bad) fprintf(stderr, "codec %d pv %d\n", codecs[ci], pv);
                CHECK_EQ_INT(bad, 0);
            }
            tw_mem_free(&mem);
        }
    }
    flat_free(&d);
    idbpq_schema_free(s);
}

TEST(writer_every_encoding_override)
{
    idbpq_schema *s = flat_schema();
    REQUIRE(s);
    struct flat d;
    flat_make(&d, 2500, 5000);
    static const int encs[] = {IDBPQ_ENC_PLAIN, IDBPQ_ENC_RLE, IDBPQ_ENC_DELTA_BINARY_PACKED,
                               IDBPQ_ENC_DELTA_LENGTH_BYTE_ARRAY, IDBPQ_ENC_DELTA_BYTE_ARRAY,
                               IDBPQ_ENC_BYTE_STREAM_SPLIT};
    int tried = 0;
    for (int ti = 0; ti < N_TYPES; ti++)
        for (int ei = 0; ei < 6; ei++) {
            int t = types[ti], e = encs[ei];
            int ok = e == IDBPQ_ENC_PLAIN || (e == IDBPQ_ENC_RLE && t == IDBPQ_BOOLEAN) ||
                     (e == IDBPQ_ENC_DELTA_BINARY_PACKED && (t == IDBPQ_INT32 || t == IDBPQ_INT64)) ||
                     (e == IDBPQ_ENC_DELTA_LENGTH_BYTE_ARRAY && t == IDBPQ_BYTE_ARRAY) ||
                     (e == IDBPQ_ENC_DELTA_BYTE_ARRAY &&
                      (t == IDBPQ_BYTE_ARRAY || t == IDBPQ_FIXED_LEN_BYTE_ARRAY)) ||
                     (e == IDBPQ_ENC_BYTE_STREAM_SPLIT &&
                      (t == IDBPQ_FLOAT || t == IDBPQ_DOUBLE || t == IDBPQ_INT32 ||
                       t == IDBPQ_INT64 || t == IDBPQ_FIXED_LEN_BYTE_ARRAY));
            idbpq_column_opts co[2];
            char p0[32], p1[32];
            snprintf(p0, sizeof p0, "r_%s", idbpq_type_name((idbpq_type)t));
            snprintf(p1, sizeof p1, "o_%s", idbpq_type_name((idbpq_type)t));
            for (int k = 0; k < 2; k++) {
                memset(&co[k], 0, sizeof co[k]);
                co[k].path = k ? p1 : p0;
                co[k].encoding = (idbpq_encoding)e;
                co[k].dictionary = -1;
                co[k].statistics = -1;
            }
            for (int pv = 1; pv <= 2; pv++) {
                idbpq_writer_opts o;
                idbpq_writer_opts_init(&o);
                o.column_opts = co;
                o.num_column_opts = 2;
                o.page_version = pv;
                o.page_rows = 900;
                struct tw_mem mem;
                int st = flat_write(&d, s, &o, 2500, &mem, NULL);
                if (!ok) {
                    CHECK_EQ_INT(st, IDBPQ_INVALID_ARG);
                    CHECK(strstr(idbpq_writer_errmsg(NULL), p0) != NULL);
                    tw_mem_free(&mem);
                    continue;
                }
                tried++;
                CHECK_EQ_INT(st, 0);
                uint32_t got[2 * N_TYPES];
                int dp[2 * N_TYPES];
                if (!st) {
                    int bad = flat_check(&d, &mem, got, dp);
                    if (bad) fprintf(stderr, "type %d enc %d pv %d\n", t, e, pv);
                    CHECK_EQ_INT(bad, 0);
                    CHECK_EQ_INT(got[2 * ti], 1u << e);
                    CHECK_EQ_INT(got[2 * ti + 1], 1u << e);
                    CHECK_EQ_INT(dp[2 * ti], 0);
                }
                tw_mem_free(&mem);
            }
        }
    CHECK(tried >= 2 * 17);
    flat_free(&d);
    idbpq_schema_free(s);
}

TEST(writer_row_group_and_page_budgets)
{
    idbpq_schema *s = flat_schema();
    REQUIRE(s);
    struct flat d;
    flat_make(&d, 3500, 1u << 30);
    idbpq_writer_opts o;
    idbpq_writer_opts_init(&o);
    o.max_row_group_rows = 1000;
    o.page_rows = 100;
    o.dictionary = 0;
    struct tw_mem mem;
    REQUIRE_OK(flat_write(&d, s, &o, 3500, &mem, NULL)); /* one call: split inside */
    struct tw_file f;
    REQUIRE_OK(tw_parse(&f, mem.b.p, mem.b.len));
    CHECK_EQ_INT(f.md.pub.num_row_groups, 4);
    if (f.md.pub.num_row_groups == 4) {
        CHECK_EQ_INT(f.md.pub.row_groups[0].num_rows, 1000);
        CHECK_EQ_INT(f.md.pub.row_groups[3].num_rows, 500);
        int64_t off = 4;
        for (int g = 0; g < 4; g++) {
            const idbpq_row_group_meta *rg = &f.md.pub.row_groups[g];
            CHECK_EQ_INT(rg->file_offset, off);
            CHECK_EQ_INT(rg->ordinal, g);
            int64_t tc = 0, tu = 0;
            for (int c = 0; c < rg->num_columns; c++) {
                CHECK_EQ_INT(rg->columns[c].data_page_offset, off + tc);
                tc += rg->columns[c].total_compressed_size;
                tu += rg->columns[c].total_uncompressed_size;
            }
            CHECK_EQ_INT(rg->total_compressed_size, tc);
            CHECK_EQ_INT(rg->total_byte_size, tu);
            off += tc;
        }
    }
    struct tw_col col;
    tw_col_init(&col);
    CHECK_OK(tw_read_column(&f, 3, 1, 0, IDBPQ_INT32, 0, &col));
    CHECK_EQ_INT(col.n_pages, 35);
    tw_col_free(&col);
    tw_file_free(&f);
    tw_mem_free(&mem);

    /* Byte budgets: pages near page_bytes, row groups past row_group_bytes. */
    idbpq_writer_opts_init(&o);
    o.dictionary = 0;
    o.codec = IDBPQ_CODEC_UNCOMPRESSED;
    o.page_bytes = 2048;
    o.row_group_bytes = 60000;
    REQUIRE_OK(flat_write(&d, s, &o, 500, &mem, NULL));
    REQUIRE_OK(tw_parse(&f, mem.b.p, mem.b.len));
    CHECK(f.md.pub.num_row_groups >= 3);
    CHECK_EQ_INT(flat_check(&d, &mem, NULL, NULL), 0);
    tw_col_init(&col);
    CHECK_OK(tw_read_column(&f, 4, 0, 0, IDBPQ_INT64, 0, &col));
    /* 3500 * 8 bytes in pages of about 2 KiB. */
    CHECK(col.n_pages >= 12 && col.n_pages <= 20);
    tw_col_free(&col);
    tw_file_free(&f);
    tw_mem_free(&mem);
    flat_free(&d);
    idbpq_schema_free(s);
}

TEST(writer_dictionary_fallback_and_abandon)
{
    idbpq_schema *s;
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    int32_t nd;
    idbpq_logical str = {0};
    str.kind = IDBPQ_LT_STRING;
    REQUIRE_OK(idbpq_schema_add(s, 0, "rep", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, &str, &nd));
    REQUIRE_OK(idbpq_schema_add(s, 0, "uniq", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, &str, &nd));
    REQUIRE_OK(idbpq_schema_finish(s));
    enum { N = 20000 };
    static char sb[N][2][80];
    static idbpq_bytes v[2][N];
    for (int i = 0; i < N; i++) {
        v[0][i].len = (uint32_t)snprintf(sb[i][0], 80, "repeated-value-%05d", (i / 4) % 3000);
        v[0][i].ptr = (const uint8_t *)sb[i][0];
        v[1][i].len = (uint32_t)snprintf(sb[i][1], 80, "unique-%08d-long-enough-to-fill-the-dictionary-early", i * 7919);
        v[1][i].ptr = (const uint8_t *)sb[i][1];
    }
    idbpq_writer_opts o;
    idbpq_writer_opts_init(&o);
    o.page_rows = 500;
    o.dictionary_bytes = 20000;
    struct tw_mem mem;
    idbpq_sink sink;
    tw_mem_init(&mem, &sink);
    idbpq_writer *w;
    REQUIRE_OK(idbpq_writer_open(&w, s, &sink, &o, NULL));
    idbpq_column_batch b[2];
    memset(b, 0, sizeof b);
    for (int c = 0; c < 2; c++) {
        b[c].n_levels = b[c].n_values = b[c].n_rows = N;
        b[c].values = v[c];
        b[c].type = IDBPQ_BYTE_ARRAY;
    }
    REQUIRE_OK(idbpq_writer_write_columns(w, b, N));
    REQUIRE_OK(idbpq_writer_finish(w));
    idbpq_writer_free(w);
    struct tw_file f;
    REQUIRE_OK(tw_parse(&f, mem.b.p, mem.b.len));
    for (int c = 0; c < 2; c++) {
        struct tw_col col;
        tw_col_init(&col);
        REQUIRE_OK(tw_read_column(&f, c, 0, 0, IDBPQ_BYTE_ARRAY, 0, &col));
        CHECK_EQ_INT(col.n_values, N);
        int bad = 0;
        for (int i = 0; i < N; i++)
            bad += !same_value(IDBPQ_BYTE_ARRAY, col.vals.p + (size_t)i * sizeof(idbpq_bytes),
                               (const uint8_t *)&v[c][i]);
        CHECK_EQ_INT(bad, 0);
        if (c == 0) {
            /* Pays at first, then outgrows dictionary_bytes: both encodings, one dict page. */
            CHECK_EQ_INT(col.n_dict_pages, 1);
            CHECK(col.page_encodings & (1u << IDBPQ_ENC_RLE_DICTIONARY));
            CHECK(col.page_encodings & (1u << IDBPQ_ENC_PLAIN));
        } else {
            /* Unique values: outgrow the dictionary within the first page, which is judged
             * and rewritten plain. */
            CHECK_EQ_INT(col.n_dict_pages, 0);
            CHECK_EQ_INT(col.page_encodings, 1u << IDBPQ_ENC_PLAIN);
        }
        tw_col_free(&col);
    }
    tw_file_free(&f);
    tw_mem_free(&mem);
    idbpq_schema_free(s);
}
