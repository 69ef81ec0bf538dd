/* test_writer_roundtrip.c — writer → reader: rows written with write_row come back equal
 * through the row reader (nested lists, maps, structs, nulls, empty containers), for page
 * v1 and v2 and two codecs. */
#include "test.h"
#include "test_writer_util.h"

/* Text form of a datum: equal texts, equal rows. */
static void dtext(const idbpq_datum *d, struct idbpq__buf *o)
{
    char t[64];
    int n = 0;
    switch (d->kind) {
    case IDBPQ_DATUM_NULL: n = snprintf(t, sizeof t, "null"); break;
    case IDBPQ_DATUM_BOOLEAN: n = snprintf(t, sizeof t, "%s", d->u.boolean ? "true" : "false"); break;
    case IDBPQ_DATUM_INT32: n = snprintf(t, sizeof t, "%d", d->u.i32); break;
    case IDBPQ_DATUM_INT64: n = snprintf(t, sizeof t, "%lldL", (long long)d->u.i64); break;
    case IDBPQ_DATUM_FLOAT: n = snprintf(t, sizeof t, "%gf", (double)d->u.f32); break;
    case IDBPQ_DATUM_DOUBLE: n = snprintf(t, sizeof t, "%g", d->u.f64); break;
    case IDBPQ_DATUM_BYTES:
        idbpq__buf_push(o, '"');
        idbpq__buf_append(o, d->u.bytes, d->len);
        idbpq__buf_push(o, '"');
        return;
    case IDBPQ_DATUM_GROUP:
    case IDBPQ_DATUM_LIST:
    case IDBPQ_DATUM_MAP: {
        uint32_t k = d->kind == IDBPQ_DATUM_MAP ? 2 * d->len : d->len;
        idbpq__buf_push(o, d->kind == IDBPQ_DATUM_GROUP ? '{' : d->kind == IDBPQ_DATUM_LIST ? '[' : '<');
        for (uint32_t i = 0; i < k; i++) {
            if (i) idbpq__buf_push(o, ',');
            dtext(&d->u.items[i], o);
        }
        idbpq__buf_push(o, d->kind == IDBPQ_DATUM_GROUP ? '}' : d->kind == IDBPQ_DATUM_LIST ? ']' : '>');
        return;
    }
    default: n = snprintf(t, sizeof t, "?%d", d->kind); break;
    }
    idbpq__buf_append(o, t, (size_t)n);
}

static idbpq_datum mk(int k)
{
    idbpq_datum d;
    memset(&d, 0, sizeof d);
    d.kind = (uint8_t)k;
    return d;
}

TEST(writer_roundtrip_rows_through_reader)
{
    idbpq_schema *s;
    int32_t n, g, kv;
    idbpq_logical L = {0}, M = {0}, S = {0};
    L.kind = IDBPQ_LT_LIST;
    M.kind = IDBPQ_LT_MAP;
    S.kind = IDBPQ_LT_STRING;
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    idbpq_schema_add(s, 0, "id", IDBPQ_REQUIRED, IDBPQ_INT64, 0, NULL, &n);
    idbpq_schema_add(s, 0, "name", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &S, &n);
    idbpq_schema_add(s, 0, "tags", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &L, &g);
    idbpq_schema_add(s, g, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &n);
    idbpq_schema_add(s, n, "element", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, NULL, &n);
    idbpq_schema_add(s, 0, "m", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &M, &g);
    idbpq_schema_add(s, g, "key_value", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &kv);
    idbpq_schema_add(s, kv, "key", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, &S, &n);
    idbpq_schema_add(s, kv, "value", IDBPQ_OPTIONAL, IDBPQ_DOUBLE, 0, NULL, &n);
    idbpq_schema_add(s, 0, "st", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, NULL, &g);
    idbpq_schema_add(s, g, "a", IDBPQ_REQUIRED, IDBPQ_BOOLEAN, 0, NULL, &n);
    idbpq_schema_add(s, g, "b", IDBPQ_OPTIONAL, IDBPQ_FLOAT, 0, NULL, &n);
    REQUIRE_OK(idbpq_schema_finish(s));
    enum { N = 3000 };
    static const char *keys[3] = {"x", "yy", "zzz"};
    for (int pv = 1; pv <= 2; pv++) {
        idbpq_writer_opts o;
        idbpq_writer_opts_init(&o);
        o.page_version = pv;
        o.codec = pv == 1 ? IDBPQ_CODEC_SNAPPY : IDBPQ_CODEC_ZSTD;
        o.page_rows = 250;
        o.max_row_group_rows = 1100;
        struct tw_mem mem;
        idbpq_sink sink;
        tw_mem_init(&mem, &sink);
        idbpq_writer *w;
        REQUIRE_OK(idbpq_writer_open(&w, s, &sink, &o, NULL));
        struct idbpq__buf want;
        idbpq__buf_init(&want, NULL);
        char name[32];
        for (int i = 0; i < N; i++) {
            idbpq_datum f[5], items[8], st[2];
            int ni = 0;
            f[0] = mk(IDBPQ_DATUM_INT64);
            f[0].u.i64 = (int64_t)i * 3;
            f[1] = mk(i % 4 == 1 ? IDBPQ_DATUM_NULL : IDBPQ_DATUM_BYTES);
            if (f[1].kind) {
                f[1].len = (uint32_t)snprintf(name, sizeof name, "n%d", i % 50);
                f[1].u.bytes = (const uint8_t *)name;
            }
            if (i % 5 == 2) {
                f[2] = mk(IDBPQ_DATUM_NULL);
            } else {
                f[2] = mk(IDBPQ_DATUM_LIST);
                f[2].len = (uint32_t)(i % 3);
                f[2].u.items = &items[ni];
                for (int k = 0; k < i % 3; k++) {
                    items[ni] = mk(k == 1 && i % 2 ? IDBPQ_DATUM_NULL : IDBPQ_DATUM_INT32);
                    items[ni++].u.i32 = i + k;
                }
            }
            if (i % 7 == 3) {
                f[3] = mk(IDBPQ_DATUM_NULL);
            } else {
                f[3] = mk(IDBPQ_DATUM_MAP);
                f[3].len = (uint32_t)(i % 3);
                f[3].u.items = &items[ni];
                for (int k = 0; k < i % 3; k++) {
                    items[ni] = mk(IDBPQ_DATUM_BYTES);
                    items[ni].u.bytes = (const uint8_t *)keys[k];
                    items[ni++].len = (uint32_t)strlen(keys[k]);
                    items[ni] = mk(k ? IDBPQ_DATUM_DOUBLE : IDBPQ_DATUM_NULL);
                    items[ni++].u.f64 = i * 0.5;
                }
            }
            if (i % 9 == 4) {
                f[4] = mk(IDBPQ_DATUM_NULL);
            } else {
                f[4] = mk(IDBPQ_DATUM_GROUP);
                f[4].len = 2;
                f[4].u.items = st;
                st[0] = mk(IDBPQ_DATUM_BOOLEAN);
                st[0].u.boolean = i % 3 == 0;
                st[1] = mk(i % 2 ? IDBPQ_DATUM_FLOAT : IDBPQ_DATUM_NULL);
                st[1].u.f32 = (float)i / 8;
            }
            idbpq_datum row = mk(IDBPQ_DATUM_GROUP);
            row.len = 5;
            row.u.items = f;
            REQUIRE_OK(idbpq_writer_write_row(w, &row));
            dtext(&row, &want);
            idbpq__buf_push(&want, '\n');
        }
        REQUIRE_OK(idbpq_writer_finish(w));
        idbpq_writer_free(w);

        idbpq_source src;
        idbpq_source_memory(&src, mem.b.p, mem.b.len, "mem");
        idbpq_reader *r;
        char err[256];
        REQUIRE_OK(idbpq_reader_open(&r, &src, NULL, NULL, err, sizeof err));
        CHECK_EQ_INT(idbpq_reader_meta(r)->num_row_groups, 3);
        idbpq_row_reader *rr;
        REQUIRE_OK(idbpq_row_reader_open(r, NULL, 0, &rr));
        struct idbpq__buf got;
        idbpq__buf_init(&got, NULL);
        const idbpq_datum *row;
        int rows = 0, st;
        while ((st = idbpq_row_reader_next(rr, &row)) == IDBPQ_OK) {
            dtext(row, &got);
            idbpq__buf_push(&got, '\n');
            rows++;
        }
        CHECK_EQ_INT(st, IDBPQ_END);
        if (st != IDBPQ_END) fprintf(stderr, "row reader: %s\n", idbpq_row_reader_errmsg(rr));
        CHECK_EQ_INT(rows, N);
        CHECK_EQ_INT(got.len, want.len);
        if (got.len == want.len) CHECK_EQ_MEM(got.p, want.p, got.len);
        idbpq__buf_free(&got);
        idbpq__buf_free(&want);
        idbpq_row_reader_free(rr);
        idbpq_reader_free(r);
        tw_mem_free(&mem);
    }
    idbpq_schema_free(s);
}
