/* test_meta.c — parquet.thrift footer decoding against the parquet-testing corpus, synthetic
 * encode/decode round trips (footer, page headers, page indexes), truncated and corrupted
 * footers. Corpus tests look in $IDBPQ_SHARED (default ../shared) and skip without it. */
#include "test.h"

#include "parquet/meta.h"

#include <dirent.h>
#include <stdlib.h>

/* ---- corpus helpers ---------------------------------------------------------------------- */

static const char *shared_dir(void)
{
    const char *s = getenv("IDBPQ_SHARED");
    return s ? s : "../shared";
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* The footer of a whole file in memory: 0 ok, 1 not PAR1 (e.g. PARE), -1 malformed. */
static int footer_of(const uint8_t *f, size_t n, const uint8_t **foot, size_t *flen, uint64_t *off)
{
    if (n < 12) return -1;
    if (memcmp(f + n - 4, "PARE", 4) == 0) return 1;
    if (memcmp(f + n - 4, "PAR1", 4) != 0) return -1;
    uint32_t len;
    memcpy(&len, f + n - 8, 4);
    if ((size_t)len > n - 12) return -1;
    *foot = f + n - 8 - len;
    *flen = len;
    *off = n - 8 - len;
    return 0;
}

static int32_t count_leaves(const struct idbpq__file_metadata *md)
{
    int32_t k = 0;
    for (int32_t i = 1; i < md->n_schema; i++) k += md->schema[i].num_children < 0;
    return k;
}

/* Calls fn on every *.parquet* file in dir; returns how many. */
static int for_each_parquet(const char *dir, void (*fn)(const char *path, const char *name))
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int k = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t nl = strlen(e->d_name);
        if (!(nl > 8 && strcmp(e->d_name + nl - 8, ".parquet") == 0) &&
            !(nl > 18 && strcmp(e->d_name + nl - 18, ".parquet.encrypted") == 0))
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        fn(path, e->d_name);
        k++;
    }
    closedir(d);
    return k;
}

static int n_decoded, n_encrypted_footer;

static void decode_one(const char *path, const char *name)
{
    size_t n;
    uint8_t *f = slurp(path, &n);
    if (!f) {
        idbpq_test_fail(__FILE__, __LINE__, "cannot read %s", path);
        return;
    }
    const uint8_t *foot;
    size_t flen;
    uint64_t off;
    int k = footer_of(f, n, &foot, &flen, &off);
    if (k == 1) {
        n_encrypted_footer++; /* encrypted footer: not plain thrift, never decoded as such */
        free(f);
        return;
    }
    if (k < 0) {
        idbpq_test_fail(__FILE__, __LINE__, "%s: bad magic/footer length", name);
        free(f);
        return;
    }
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__file_metadata md;
    struct idbpq__err err = {0};
    idbpq_status st = idbpq__meta_decode_file(foot, flen, off, &a, &md, &err);
    if (st != IDBPQ_OK) {
        idbpq_test_fail(__FILE__, __LINE__, "%s: status %d: %s", name, st, err.msg);
    } else {
        n_decoded++;
        int32_t leaves = count_leaves(&md);
        int64_t rows = 0;
        CHECK(md.n_schema >= 1);
        CHECK(md.pub.footer_length == flen);
        for (int32_t g = 0; g < md.pub.num_row_groups; g++) {
            const idbpq_row_group_meta *rg = &md.pub.row_groups[g];
            if (rg->num_columns != leaves)
                idbpq_test_fail(__FILE__, __LINE__, "%s: rg %d has %d columns, %d leaves", name, g,
                                rg->num_columns, leaves);
            rows += rg->num_rows;
            for (int32_t c = 0; c < rg->num_columns; c++) {
                const idbpq_column_chunk_meta *cc = &rg->columns[c];
                CHECK(cc->path != NULL);
                if (!cc->encrypted) CHECK(cc->data_page_offset < (int64_t)n);
                CHECK(cc->statistics.min_exact >= -1 && cc->statistics.min_exact <= 1);
            }
        }
        /* repeated_no_annotation.parquet says 0 in the footer: only check nonzero totals */
        if (md.pub.num_rows != 0 && rows != md.pub.num_rows)
            idbpq_test_fail(__FILE__, __LINE__, "%s: row groups hold %lld rows, footer says %lld",
                            name, (long long)rows, (long long)md.pub.num_rows);
        if (md.pub.num_column_orders) CHECK_EQ_INT(md.pub.num_column_orders, leaves);
        if (strstr(name, ".encrypted")) CHECK(md.has_encryption_algorithm);
    }
    idbpq__arena_free(&a);
    free(f);
}

TEST(meta_decode_corpus_footers)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/parquet-testing/data", shared_dir());
    DIR *d = opendir(dir);
    if (!d) {
        printf("# SKIPPED meta_decode_corpus_footers: %s absent\n", dir);
        return;
    }
    closedir(d);
    n_decoded = n_encrypted_footer = 0;
    const char *sub[] = {"data", "data/geospatial", "shredded_variant", "variant"};
    int files = 0;
    for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
        snprintf(dir, sizeof dir, "%s/parquet-testing/%s", shared_dir(), sub[i]);
        files += for_each_parquet(dir, decode_one);
    }
    CHECK(files > 100);
    CHECK(n_encrypted_footer > 0);
    CHECK_EQ_INT(n_decoded + n_encrypted_footer, files);
}

static int load_footer(const char *name, uint8_t **file, const uint8_t **foot, size_t *flen,
                       uint64_t *off)
{
    char path[1024];
    size_t n;
    snprintf(path, sizeof path, "%s/parquet-testing/data/%s", shared_dir(), name);
    *file = slurp(path, &n);
    if (!*file) {
        printf("# SKIPPED: %s absent\n", path);
        return 0;
    }
    if (footer_of(*file, n, foot, flen, off) != 0) {
        free(*file);
        return 0;
    }
    return 1;
}

TEST(meta_alltypes_plain_fields)
{
    uint8_t *f;
    const uint8_t *foot;
    size_t flen;
    uint64_t off;
    if (!load_footer("alltypes_plain.parquet", &f, &foot, &flen, &off)) return;
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__file_metadata md;
    struct idbpq__err err = {0};
    REQUIRE_OK(idbpq__meta_decode_file(foot, flen, off, &a, &md, &err));
    CHECK_EQ_INT(md.pub.num_rows, 8);
    CHECK_EQ_INT(md.n_schema, 12);
    CHECK_EQ_INT(count_leaves(&md), 11);
    CHECK_EQ_INT(md.pub.num_row_groups, 1);
    CHECK_EQ_STR(md.schema[0].name, "schema");
    CHECK_EQ_INT(md.schema[0].num_children, 11);
    CHECK_EQ_STR(md.schema[1].name, "id");
    CHECK_EQ_INT(md.schema[1].type, IDBPQ_INT32);
    CHECK_EQ_INT(md.schema[1].repetition, IDBPQ_OPTIONAL);
    CHECK_EQ_STR(md.schema[11].name, "timestamp_col");
    CHECK_EQ_INT(md.schema[11].type, IDBPQ_INT96);
    CHECK_EQ_INT(md.schema[11].num_children, -1);
    CHECK_EQ_INT(md.schema[11].converted_type, -1);
    CHECK(md.pub.created_by && strncmp(md.pub.created_by, "impala", 6) == 0);
    const idbpq_row_group_meta *rg = &md.pub.row_groups[0];
    REQUIRE_EQ_INT(rg->num_columns, 11);
    CHECK_EQ_INT(rg->num_rows, 8);
    CHECK_EQ_STR(rg->columns[0].path, "id");
    CHECK_EQ_STR(rg->columns[9].path, "string_col");
    CHECK_EQ_INT(rg->columns[9].type, IDBPQ_BYTE_ARRAY);
    for (int i = 0; i < 11; i++) {
        CHECK_EQ_INT(rg->columns[i].num_values, 8);
        CHECK_EQ_INT(rg->columns[i].codec, IDBPQ_CODEC_UNCOMPRESSED);
        CHECK_EQ_INT(rg->columns[i].offset_index_offset, -1);
        CHECK(rg->columns[i].data_page_offset > 0);
    }
    idbpq__arena_free(&a);
    free(f);
}

TEST(meta_kv_without_value_and_stats)
{
    uint8_t *f;
    const uint8_t *foot;
    size_t flen;
    uint64_t off;
    if (!load_footer("column_chunk_key_value_metadata.parquet", &f, &foot, &flen, &off)) return;
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__file_metadata md;
    struct idbpq__err err = {0};
    REQUIRE_OK(idbpq__meta_decode_file(foot, flen, off, &a, &md, &err));
    int found = 0;
    for (int32_t g = 0; g < md.pub.num_row_groups; g++)
        for (int32_t c = 0; c < md.pub.row_groups[g].num_columns; c++) {
            const idbpq_column_chunk_meta *cc = &md.pub.row_groups[g].columns[c];
            for (int32_t k = 0; k < cc->num_kv; k++) {
                if (cc->kv[k].key.len == 21 &&
                    memcmp(cc->kv[k].key.ptr, "thisiskeywithoutvalue", 21) == 0) {
                    found++;
                    CHECK_EQ_INT(cc->kv[k].has_value, 0);
                }
                CHECK_EQ_INT(cc->kv[k].key.ptr[cc->kv[k].key.len], 0); /* NUL-terminated copy */
                CHECK(cc->kv[k].key.ptr < foot || cc->kv[k].key.ptr >= foot + flen);
            }
        }
    CHECK(found > 0);
    idbpq__arena_free(&a);
    free(f);
}

/* The prefix of a real footer is CORRUPT with a message naming an offset; random byte
 * flips never crash and give OK or CORRUPT (run under ASan/UBSan in make asan). */
TEST(meta_truncated_and_flipped_footers)
{
    uint8_t *f;
    const uint8_t *foot;
    size_t flen;
    uint64_t off;
    if (!load_footer("alltypes_tiny_pages.parquet", &f, &foot, &flen, &off)) return;
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__file_metadata md;
    struct idbpq__err err = {0};
    int bad = 0;
    for (size_t k = 0; k < flen; k++) {
        /* a private copy so ASan catches any read past the prefix */
        uint8_t *p = malloc(k ? k : 1);
        memcpy(p, foot, k);
        idbpq_status st = idbpq__meta_decode_file(p, k, off, &a, &md, &err);
        if (st != IDBPQ_CORRUPT || !strstr(err.msg, "offset")) bad++;
        free(p);
        idbpq__arena_reset(&a);
    }
    CHECK_EQ_INT(bad, 0);
    uint64_t seed = idbpq_test_seed();
    uint8_t *p = malloc(flen);
    int unexpected = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(p, foot, flen);
        int flips = 1 + (int)(idbpq_test_rand(&seed) % 4);
        for (int j = 0; j < flips; j++) {
            size_t at = idbpq_test_rand(&seed) % flen;
            p[at] ^= (uint8_t)(1u << (idbpq_test_rand(&seed) % 8));
        }
        idbpq_status st = idbpq__meta_decode_file(p, flen, off, &a, &md, &err);
        if (st != IDBPQ_OK && st != IDBPQ_CORRUPT) unexpected++;
        idbpq__arena_reset(&a);
    }
    CHECK_EQ_INT(unexpected, 0);
    free(p);
    idbpq__arena_free(&a);
    free(f);
}

TEST(meta_bad_data_never_crashes)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/parquet-testing/bad_data", shared_dir());
    DIR *d = opendir(dir);
    if (!d) {
        printf("# SKIPPED meta_bad_data_never_crashes: %s absent\n", dir);
        return;
    }
    struct dirent *e;
    int k = 0;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".parquet")) continue;
        char path[2048];
        size_t n;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        uint8_t *f = slurp(path, &n);
        const uint8_t *foot;
        size_t flen;
        uint64_t off;
        if (f && footer_of(f, n, &foot, &flen, &off) == 0) {
            struct idbpq__arena a;
            idbpq__arena_init(&a, NULL);
            struct idbpq__file_metadata md;
            struct idbpq__err err = {0};
            idbpq_status st = idbpq__meta_decode_file(foot, flen, off, &a, &md, &err);
            CHECK(st == IDBPQ_OK || st == IDBPQ_CORRUPT);
            if (strcmp(e->d_name, "PARQUET-1481.parquet") == 0) CHECK_EQ_INT(st, IDBPQ_CORRUPT);
            idbpq__arena_free(&a);
            k++;
        }
        free(f);
    }
    closedir(d);
    CHECK(k > 0);
}

TEST(meta_unknown_logical_and_encrypted_columns)
{
    uint8_t *f;
    const uint8_t *foot;
    size_t flen;
    uint64_t off;
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__file_metadata md;
    struct idbpq__err err = {0};
    if (load_footer("unknown-logical-type.parquet", &f, &foot, &flen, &off)) {
        REQUIRE_OK(idbpq__meta_decode_file(foot, flen, off, &a, &md, &err));
        REQUIRE_EQ_INT(md.n_schema, 3);
        CHECK_EQ_INT(md.schema[1].logical.kind, IDBPQ_LT_STRING);
        CHECK_EQ_INT(md.schema[1].converted_type, IDBPQ_CT_UTF8);
        CHECK_EQ_INT(md.schema[2].has_logical, 1);
        CHECK_EQ_INT(md.schema[2].logical.kind, IDBPQ_LT_UNKNOWN_ID);
        free(f);
    }
    /* plaintext footer, encrypted columns: the footer says so, and columns are flagged */
    if (load_footer("encrypt_columns_plaintext_footer.parquet.encrypted", &f, &foot, &flen, &off)) {
        REQUIRE_OK(idbpq__meta_decode_file(foot, flen, off, &a, &md, &err));
        CHECK_EQ_INT(md.has_encryption_algorithm, 1);
        int enc = 0;
        for (int32_t g = 0; g < md.pub.num_row_groups; g++)
            for (int32_t c = 0; c < md.pub.row_groups[g].num_columns; c++) {
                enc += md.pub.row_groups[g].columns[c].encrypted;
                CHECK(md.pub.row_groups[g].columns[c].path[0] != 0);
            }
        CHECK(enc > 0);
        free(f);
    }
    idbpq__arena_free(&a);
}
