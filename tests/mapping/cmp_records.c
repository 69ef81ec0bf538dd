/*
 * cmp_records.c — compares two files of tagged JSON records ({"key":K,"value":V} per line) as
 * JavaScript values: records are paired by key (deep equality), values compared with
 * idbpq_value_equal_ex(..., IDBPQ_EQ_UNORDERED) — the property order a Parquet round trip may
 * change (docs/mapping.md) is the only difference allowed. Prints "# records: N, M mismatches"
 * and the first mismatches; exit 1 on any, 2 on a usage or read error.
 * Usage: cmp_records EXPECTED ACTUAL
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idbpq.h"

struct rec {
    idbpq_value *key, *value;
    char *line;
    int used;
};

static struct rec *load(const char *path, idbpq_vbatch *b, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cmp_records: cannot open %s\n", path);
        return NULL;
    }
    struct rec *r = NULL;
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    *n = 0;
    unsigned long no = 0;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (!len) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            r = realloc(r, cap * sizeof *r);
            if (!r) exit(2);
        }
        idbpq_error e;
        struct rec *x = &r[*n];
        memset(x, 0, sizeof *x);
        if (idbpq_tjson_parse_record(b, line, (size_t)len, &x->key, &x->value, &e) != IDBPQ_OK ||
            !x->key) {
            fprintf(stderr, "cmp_records: %s line %lu: %s\n", path, no, e.msg);
            exit(2);
        }
        x->line = strndup(line, (size_t)len);
        (*n)++;
    }
    free(line);
    fclose(f);
    return r;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: cmp_records EXPECTED ACTUAL\n");
        return 2;
    }
    idbpq_vbatch *b;
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) return 2;
    size_t ne, na;
    struct rec *e = load(argv[1], b, &ne), *a = load(argv[2], b, &na);
    if (!e || !a) return 2;
    size_t bad = 0, shown = 0;
    /* Keys are unique in a store: pair by key, allowing a different order of records. */
    for (size_t i = 0, j0 = 0; i < ne; i++) {
        size_t j = j0 < na && !a[j0].used && idbpq_value_equal(e[i].key, a[j0].key) ? j0 : na;
        for (size_t k = 0; j == na && k < na; k++)
            if (!a[k].used && idbpq_value_equal(e[i].key, a[k].key)) j = k;
        j0 = j + 1;
        if (j == na) {
            bad++;
            if (shown++ < 5) printf("# missing: %.300s\n", e[i].line);
            continue;
        }
        a[j].used = 1;
        if (!idbpq_value_equal_ex(e[i].value, a[j].value, IDBPQ_EQ_UNORDERED)) {
            bad++;
            if (shown++ < 5) printf("# mismatch:\n#   want %.400s\n#   got  %.400s\n", e[i].line, a[j].line);
        }
    }
    for (size_t j = 0; j < na; j++)
        if (!a[j].used) {
            bad++;
            if (shown++ < 5) printf("# extra: %.300s\n", a[j].line);
        }
    printf("# records: %zu, %zu mismatches\n", ne, bad);
    for (size_t i = 0; i < ne; i++) free(e[i].line);
    for (size_t i = 0; i < na; i++) free(a[i].line);
    free(e);
    free(a);
    idbpq_vbatch_free(b);
    return bad ? 1 : 0;
}
