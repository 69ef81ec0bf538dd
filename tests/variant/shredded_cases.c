/*
 * shredded_cases.c — the driver of tests/suites/45_variant.sh: every case of
 * parquet-testing/shredded_variant/cases.json through the row reader and
 * idbpq__variant_from_datum, against the expected VARIANTs in the case's *.variant.bin files
 * (metadata followed by value) decoded by idbpq__variant_decode under the same flags.
 *
 * Usage: shredded_cases DIR [--may-fail N REASON]...
 *   --may-fail: case N may end in an error (a file its notes call invalid); REASON is printed.
 * One line per case: "ok - variant case-N TEST" or "not ok - variant case-N TEST: why".
 * Cases with an error_message must fail with a status (and a message), on some row.
 * Each case runs under two flag sets (none; all of them) and must pass both.
 * Exit status 0 when every line was printed (whatever they say), 2 on a usage error.
 */
#include "idbpq.h"
#include "mapping/variant.h"
#include "load_file.h"

#include <stdio.h>
#include <stdlib.h>

static const char *dir;

struct verdict {
    int ok;
    char why[600];
};

static void say(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct verdict *v, const char *fmt, ...)
{
    if (!v->ok) return; /* the first reason is the one reported */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->why, sizeof v->why, fmt, ap);
    va_end(ap);
    v->ok = 0;
}

static uint8_t *load(const char *name, size_t *len)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return load_file(path, len);
}

static const char *text(const idbpq_value *v)
{
    static char t[2][300];
    static int k;
    k ^= 1;
    idbpq_buffer out;
    idbpq_buffer_init(&out, NULL);
    if (!v) snprintf(t[k], sizeof t[k], "(missing)");
    else if (idbpq_tjson_write(v, &out) != IDBPQ_OK) snprintf(t[k], sizeof t[k], "(unprintable)");
    else snprintf(t[k], sizeof t[k], "%.*s", (int)(out.len > 280 ? 280 : out.len), (const char *)out.data);
    idbpq_buffer_free(&out);
    return t[k];
}

/* A *.variant.bin: metadata then value; the metadata's header says where it ends. */
static int expected(idbpq_vbatch *b, const char *name, uint32_t flags, idbpq_value **out,
                    struct verdict *v)
{
    size_t n;
    uint8_t *p = load(name, &n);
    if (!p) {
        say(v, "cannot read %s", name);
        return 0;
    }
    size_t w = n ? (size_t)(p[0] >> 6) + 1 : 0, mlen = 0;
    if (n > 1 + w) {
        uint64_t dict = 0, last = 0;
        for (size_t i = 0; i < w; i++) dict |= (uint64_t)p[1 + i] << (8 * i);
        size_t at = 1 + w + (size_t)dict * w;
        for (size_t i = 0; at + w <= n && i < w; i++) last |= (uint64_t)p[at + i] << (8 * i);
        mlen = 1 + w + ((size_t)dict + 1) * w + (size_t)last;
    }
    struct idbpq__err err;
    int ok = mlen && mlen <= n &&
             idbpq__variant_decode(b, p, mlen, p + mlen, n - mlen, flags, out, &err) == IDBPQ_OK;
    if (!ok) say(v, "%s does not decode: %s", name, mlen && mlen <= n ? err.msg : "bad metadata");
    free(p);
    return ok;
}

static int32_t variant_node(const idbpq_schema *s)
{
    for (int32_t i = 0; i < idbpq_schema_num_nodes(s); i++)
        if (idbpq_schema_node_at(s, i)->logical.kind == IDBPQ_LT_VARIANT) return i;
    return -1;
}

/* The datum of `node` in a row, through plain groups; NULL when a container is in the way. */
static const idbpq_datum *datum_of(const idbpq_schema *s, const idbpq_datum *row, int32_t node)
{
    int32_t chain[128];
    int n = 0;
    for (int32_t x = node; x > 0 && n < 128; x = idbpq_schema_node_at(s, x)->parent) chain[n++] = x;
    const idbpq_datum *d = row;
    for (int i = n - 1; i >= 0; i--) {
        if (d->kind == IDBPQ_DATUM_NULL) return d;
        if (d->kind != IDBPQ_DATUM_GROUP) return NULL;
        const idbpq_schema_node *parent = idbpq_schema_node_at(s, idbpq_schema_node_at(s, chain[i])->parent);
        int32_t k = 0;
        while (k < parent->num_children && parent->children[k] != chain[i]) k++;
        if (k >= (int32_t)d->len) return NULL;
        d = &d->u.items[k];
    }
    return d;
}

/* Runs one case under one flag set. want[i]: expected file of row i (NULL: a null row).
 * mode 0: every row must match; 1: some row must fail; 2: either (rows read must match). */
static void run_case(const char *file, const char *const *want, int n_want, int mode,
                     uint32_t flags, struct verdict *v, char *err_seen, size_t err_len)
{
    size_t n;
    uint8_t *bytes = load(file, &n);
    if (!bytes) {
        say(v, "cannot read %s", file);
        return;
    }
    idbpq_source src;
    idbpq_source_memory(&src, bytes, n, file);
    idbpq_reader *r = NULL;
    idbpq_row_reader *rr = NULL;
    idbpq_vbatch *b = NULL;
    char msg[512];
    if (idbpq_reader_open(&r, &src, NULL, NULL, msg, sizeof msg) != IDBPQ_OK) {
        say(v, "the reader does not open it: %s", msg);
        goto done;
    }
    const idbpq_schema *s = idbpq_reader_schema(r);
    int32_t node = variant_node(s);
    if (node < 0) {
        say(v, "no VARIANT-annotated group");
        goto done;
    }
    if (idbpq_row_reader_open(r, NULL, 0, &rr) != IDBPQ_OK || idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) {
        say(v, "cannot open a row reader: %s", idbpq_reader_errmsg(r));
        goto done;
    }
    int rows = 0, failed = 0;
    const idbpq_datum *row;
    idbpq_status st;
    while ((st = idbpq_row_reader_next(rr, &row)) == IDBPQ_OK) {
        idbpq_vbatch_reset(b);
        const idbpq_datum *d = datum_of(s, row, node);
        idbpq_value *got = NULL, *exp = NULL;
        struct idbpq__err err;
        memset(&err, 0, sizeof err);
        if (!d) {
            say(v, "row %d: the VARIANT column is inside a list or map", rows);
            break;
        }
        st = idbpq__variant_from_datum(b, s, node, d, flags, &got, &err);
        if (st != IDBPQ_OK) {
            failed = 1;
            if (!err.msg[0]) say(v, "row %d: status %s without a message", rows, idbpq_status_name(st));
            snprintf(err_seen, err_len, "%s: %s", idbpq_status_name(st), err.msg);
            if (mode == 0) say(v, "row %d: %s: %s", rows, idbpq_status_name(st), err.msg);
        } else if (mode != 1) {
            if (rows >= n_want) {
                say(v, "row %d: more rows than expected values", rows);
            } else if (want[rows] && !expected(b, want[rows], flags, &exp, v)) {
                /* say() has the reason */
            } else if (!idbpq_value_equal(got, exp)) {
                say(v, "row %d: got %s, expected %s", rows, text(got), text(exp));
            }
        }
        rows++;
    }
    if (st != IDBPQ_END && st != IDBPQ_OK) say(v, "row reader: %s", idbpq_row_reader_errmsg(rr));
    if (mode == 1 && !failed) say(v, "no error, though the case expects one");
    if (mode != 1 && !failed && rows != n_want) say(v, "%d rows, %d expected values", rows, n_want);
done:
    idbpq_vbatch_free(b);
    idbpq_row_reader_free(rr);
    idbpq_reader_free(r);
    free(bytes);
}

static const idbpq_value *prop(const idbpq_value *o, const char *name)
{
    if (!o || o->type != IDBPQ_V_OBJECT) return NULL;
    for (uint32_t i = 0; i < o->u.object.n; i++) {
        const idbpq_value *k = o->u.object.props[i].key;
        if (k->type == IDBPQ_V_STRING && !k->u.str.two_byte && k->u.str.len == strlen(name) &&
            memcmp(k->u.str.data, name, k->u.str.len) == 0)
            return o->u.object.props[i].value;
    }
    return NULL;
}

/* A one-byte string value as a C string in buf ("" otherwise). */
static const char *cstr(const idbpq_value *v, char *buf, size_t len)
{
    buf[0] = 0;
    if (v && v->type == IDBPQ_V_STRING && !v->u.str.two_byte && v->u.str.len < len) {
        memcpy(buf, v->u.str.data, v->u.str.len);
        buf[v->u.str.len] = 0;
    }
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: shredded_cases DIR [--may-fail N REASON]...\n");
        return 2;
    }
    dir = argv[1];
    size_t n;
    uint8_t *json = load("cases.json", &n);
    idbpq_vbatch *b;
    idbpq_value *cases = NULL;
    idbpq_error err;
    if (!json || idbpq_vbatch_create(&b, NULL) != IDBPQ_OK ||
        idbpq_tjson_parse(b, (const char *)json, n, &cases, &err) != IDBPQ_OK ||
        cases->type != IDBPQ_V_ARRAY) {
        printf("not ok - variant cases.json: cannot read or parse it\n");
        return 0;
    }
    static const uint32_t flag_sets[2] = {
        0, IDBPQ__VAR_UINT8ARRAY | IDBPQ__VAR_DECIMAL_BIGINT | IDBPQ__VAR_DECIMAL_STRING |
               IDBPQ__VAR_INT64_BIGINT};
    int passed = 0, failed = 0;
    for (uint32_t c = 0; c < cases->u.array.length; c++) {
        const idbpq_value *k = cases->u.array.items[c];
        const idbpq_value *num = prop(k, "case_number");
        char file[256], test[128], one[256], many[8][256], seen[600] = "";
        const char *want[8];
        int n_want = 0, number = num && num->type == IDBPQ_V_NUMBER ? (int)num->u.number : -1;
        cstr(prop(k, "parquet_file"), file, sizeof file);
        cstr(prop(k, "test"), test, sizeof test);
        const char *may_fail = NULL;
        for (int a = 2; a + 2 < argc; a += 3)
            if (strcmp(argv[a], "--may-fail") == 0 && atoi(argv[a + 1]) == number) may_fail = argv[a + 2];
        int must_fail = prop(k, "error_message") != NULL;
        const idbpq_value *files = prop(k, "variant_files");
        if (prop(k, "variant_file")) {
            want[n_want++] = cstr(prop(k, "variant_file"), one, sizeof one);
        } else if (files && files->type == IDBPQ_V_ARRAY) {
            for (uint32_t i = 0; i < files->u.array.length && n_want < 8; i++) {
                const idbpq_value *f = files->u.array.items[i];
                want[n_want] = f->type == IDBPQ_V_NULL ? NULL : cstr(f, many[n_want], sizeof many[0]);
                n_want++;
            }
        }
        struct verdict v = {1, ""};
        if (!file[0] || (!must_fail && !n_want)) say(&v, "the case names no file or expectation");
        for (int f = 0; f < 2 && v.ok; f++)
            run_case(file, want, n_want, must_fail ? 1 : may_fail ? 2 : 0, flag_sets[f], &v, seen,
                     sizeof seen);
        if (v.ok) {
            passed++;
            if (must_fail) printf("ok - variant case-%03d %s: refused (%s)\n", number, test, seen);
            else if (may_fail && seen[0]) printf("ok - variant case-%03d %s: refused as its notes allow (%s) — %s\n", number, test, seen, may_fail);
            else printf("ok - variant case-%03d %s\n", number, test);
        } else {
            failed++;
            printf("not ok - variant case-%03d %s: %s\n", number, test, v.why);
        }
    }
    printf("# variant shredded cases: %d ok, %d not ok\n", passed, failed);
    free(json);
    idbpq_vbatch_free(b);
    return 0;
}
