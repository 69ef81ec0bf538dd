/*
 * test_idb_values.c — keys from JavaScript values ("convert a value to a key"), key paths
 * (validity and evaluation with the spec's special cases), the key generator, and idb_cmp1
 * on metadata keys and malformed keys.
 */
#include "idb/idb.h"
#include "test.h"

#include <math.h>


static idbpq_value *vnew(idbpq_vbatch *b, idbpq_vtype t) { return idbpq_value_new(b, t); }
static idbpq_value *vstr(idbpq_vbatch *b, const char *s) { return idbpq_value_string_utf8(b, s, strlen(s)); }
static idbpq_value *vnum(idbpq_vbatch *b, double d) { return idbpq_value_number(b, d); }
static idbpq_value *varr(idbpq_vbatch *b, uint32_t n, idbpq_value **items)
{
    idbpq_value *v = vnew(b, IDBPQ_V_ARRAY);
    v->u.array.items = idbpq_vbatch_alloc(b, (n + 1) * sizeof *items);
    memcpy(v->u.array.items, items, n * sizeof *items);
    v->u.array.length = n;
    return v;
}
static idbpq_value *vobj(idbpq_vbatch *b, uint32_t n, const char **names, idbpq_value **vals)
{
    idbpq_value *v = vnew(b, IDBPQ_V_OBJECT);
    v->u.object.props = idbpq_vbatch_alloc(b, (n + 1) * sizeof(idbpq_prop));
    for (uint32_t i = 0; i < n; i++) {
        v->u.object.props[i].key = vstr(b, names[i]);
        v->u.object.props[i].value = vals[i];
    }
    v->u.object.n = n;
    return v;
}

static idbpq_status conv(idbpq_vbatch *b, const idbpq_value *v, idbpq_key **k)
{
    idbpq_error err;
    return idbpq_key_from_value(b, v, k, &err);
}

TEST(idb_key_from_value)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    idbpq_key *k;
    CHECK_EQ_INT(conv(b, vnum(b, NAN), &k), IDBPQ_INVALID_ARG);
    CHECK_OK(conv(b, vnum(b, -0.0), &k));
    CHECK(k && k->type == IDBPQ_KEY_NUMBER);
    idbpq_value *d = vnew(b, IDBPQ_V_DATE);
    d->u.number = NAN;
    CHECK_EQ_INT(conv(b, d, &k), IDBPQ_INVALID_ARG);
    d->u.number = 5;
    CHECK_OK(conv(b, d, &k));
    CHECK(k && k->type == IDBPQ_KEY_DATE && k->u.number == 5);
    static const idbpq_vtype bad[] = {IDBPQ_V_UNDEFINED, IDBPQ_V_NULL, IDBPQ_V_BOOLEAN,
                                      IDBPQ_V_BIGINT, IDBPQ_V_OBJECT, IDBPQ_V_MAP, IDBPQ_V_BLOB};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(conv(b, vnew(b, bad[i]), &k), IDBPQ_INVALID_ARG);

    /* binary: an ArrayBuffer, and a view (only its bytes) */
    idbpq_value *ab = vnew(b, IDBPQ_V_ARRAY_BUFFER);
    ab->u.buffer.bytes = (const uint8_t *)"\x01\x02\x03\x04";
    ab->u.buffer.len = 4;
    idbpq_value *view = vnew(b, IDBPQ_V_VIEW);
    view->u.view.buffer = ab;
    view->u.view.kind = IDBPQ_VIEW_UINT8;
    view->u.view.offset = 1;
    view->u.view.length = 2;
    CHECK_OK(conv(b, view, &k));
    CHECK(k && k->type == IDBPQ_KEY_BINARY && k->u.binary.len == 2 && k->u.binary.bytes[0] == 2);
    view->u.view.length = 4; /* past the buffer */
    CHECK_EQ_INT(conv(b, view, &k), IDBPQ_INVALID_ARG);

    /* arrays: nested, holes, cycles, the same array twice side by side */
    idbpq_value *inner = varr(b, 1, (idbpq_value *[]){vstr(b, "x")});
    idbpq_value *twice = varr(b, 2, (idbpq_value *[]){inner, inner});
    CHECK_OK(conv(b, twice, &k));
    CHECK(k && k->type == IDBPQ_KEY_ARRAY && k->u.array.n == 2 &&
          k->u.array.items[1].type == IDBPQ_KEY_ARRAY);
    idbpq_value *holey = varr(b, 2, (idbpq_value *[]){vnum(b, 1), vnew(b, IDBPQ_V_HOLE)});
    CHECK_EQ_INT(conv(b, holey, &k), IDBPQ_INVALID_ARG);
    idbpq_value *cyc = varr(b, 1, (idbpq_value *[]){NULL});
    cyc->u.array.items[0] = cyc;
    idbpq_error err;
    CHECK_EQ_INT(idbpq_key_from_value(b, cyc, &k, &err), IDBPQ_INVALID_ARG);
    CHECK(strstr(err.msg, "itself") != NULL);
    /* sparse: complete (valid) and with a gap (invalid, refused without allocating 4e9) */
    idbpq_value *sp = vnew(b, IDBPQ_V_ARRAY);
    sp->u.array.sparse = 1;
    sp->u.array.length = 2;
    sp->u.array.props = idbpq_vbatch_alloc(b, 2 * sizeof(idbpq_prop));
    sp->u.array.props[0] = (idbpq_prop){vnum(b, 1), vstr(b, "b")};
    sp->u.array.props[1] = (idbpq_prop){vnum(b, 0), vstr(b, "a")};
    sp->u.array.n_props = 2;
    CHECK_OK(conv(b, sp, &k));
    CHECK(k && k->u.array.n == 2 && ((const char *)k->u.array.items[0].u.str.data)[0] == 'a');
    sp->u.array.length = 4000000000u;
    CHECK_EQ_INT(conv(b, sp, &k), IDBPQ_INVALID_ARG);

    /* back to a value and again a key */
    CHECK_OK(conv(b, twice, &k));
    idbpq_value *v = idbpq_key_to_value(b, k);
    idbpq_key *k2;
    REQUIRE(v != NULL);
    CHECK_OK(conv(b, v, &k2));
    CHECK_EQ_INT(idbpq_key_cmp(k, k2), 0);
    idbpq_vbatch_free(b);
}

TEST(idb_keypath_valid)
{
    static const char *const ok[] = {"", "a", "a.b", "$", "_x.$y", "a1.b2", "\xc3\xa9", "length",
                                     "a\xe2\x80\x8c\x62" /* a, U+200C, b */, "\xe6\x97\xa5\xe6\x9c\xac"};
    static const char *const bad[] = {".", "a.", ".a", "a..b", "1a", "a-b", "a b", " a", "a.1",
                                      "a[0]", "\xc2\xb7", "\xf0\x9d\x92\x9c", "\xff", "\xc3",
                                      "\xc0\xaf", "\xed\xa0\x80"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        CHECK(idbpq__keypath_valid(ok[i], strlen(ok[i])));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (idbpq__keypath_valid(bad[i], strlen(bad[i]))) {
            printf("#   \"%s\" accepted\n", bad[i]);
            CHECK(0);
        }
}

static idbpq_status extract(idbpq_vbatch *b, const idbpq_value *v, const char *path,
                            idbpq_key **k)
{
    const char *paths[1] = {path};
    idbpq_keypath kp = {1, 1, paths};
    idbpq_error err;
    return idbpq_key_extract(b, v, &kp, k, &err);
}

TEST(idb_key_extract)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    idbpq_value *file = vnew(b, IDBPQ_V_FILE);
    file->u.blob.mime = vstr(b, "text/plain");
    file->u.blob.size = 12;
    file->u.blob.name = vstr(b, "a.txt");
    file->u.blob.last_modified = 1000;
    idbpq_value *inner = vobj(b, 2, (const char *[]){"b", "s"},
                              (idbpq_value *[]){vnum(b, 5), vstr(b, "hello")});
    idbpq_value *root = vobj(b, 4, (const char *[]){"a", "list", "f", "u"},
                             (idbpq_value *[]){inner, varr(b, 2, (idbpq_value *[]){vnum(b, 1), vnum(b, 2)}),
                                               file, vnew(b, IDBPQ_V_UNDEFINED)});
    idbpq_key *k;
    REQUIRE_OK(extract(b, root, "a.b", &k));
    CHECK(k->type == IDBPQ_KEY_NUMBER && k->u.number == 5);
    REQUIRE_OK(extract(b, root, "a.s.length", &k));
    CHECK(k->u.number == 5);
    REQUIRE_OK(extract(b, root, "list.length", &k));
    CHECK(k->u.number == 2);
    REQUIRE_OK(extract(b, root, "f.size", &k));
    CHECK(k->u.number == 12);
    REQUIRE_OK(extract(b, root, "f.type", &k));
    CHECK(k->type == IDBPQ_KEY_STRING && k->u.str.len == 10);
    REQUIRE_OK(extract(b, root, "f.name", &k));
    CHECK(k->type == IDBPQ_KEY_STRING && k->u.str.len == 5);
    REQUIRE_OK(extract(b, root, "f.lastModified", &k));
    CHECK(k->u.number == 1000);
    REQUIRE_OK(extract(b, root, "list", &k));
    CHECK(k->type == IDBPQ_KEY_ARRAY && k->u.array.n == 2);
    CHECK_EQ_INT(extract(b, root, "a.c", &k), IDBPQ_END);
    CHECK_EQ_INT(extract(b, root, "a.b.c", &k), IDBPQ_END);     /* a number has no properties */
    CHECK_EQ_INT(extract(b, root, "list.0", &k), IDBPQ_INVALID_ARG); /* not a valid path */
    CHECK_EQ_INT(extract(b, root, "u", &k), IDBPQ_INVALID_ARG);  /* resolves to undefined */
    CHECK_EQ_INT(extract(b, root, "a", &k), IDBPQ_INVALID_ARG);  /* an object is no key */
    CHECK_EQ_INT(extract(b, root, "f.name.x", &k), IDBPQ_END);
    REQUIRE_OK(extract(b, vnum(b, 3), "", &k));
    CHECK(k->u.number == 3);

    const char *paths[2] = {"a.b", "f.size"};
    idbpq_keypath kp = {2, 2, paths};
    idbpq_error err;
    REQUIRE_OK(idbpq_key_extract(b, root, &kp, &k, &err));
    CHECK(k->type == IDBPQ_KEY_ARRAY && k->u.array.n == 2 && k->u.array.items[1].u.number == 12);
    paths[1] = "nope";
    CHECK_EQ_INT(idbpq_key_extract(b, root, &kp, &k, &err), IDBPQ_END);
    idbpq_vbatch_free(b);
}

TEST(idb_keygen)
{
    idbpq_keygen g;
    idbpq_keygen_init(&g);
    double d;
    REQUIRE_OK(idbpq_keygen_next(&g, &d));
    CHECK(d == 1);
    idbpq_key k = {IDBPQ_KEY_NUMBER, {.number = 10.5}};
    idbpq_keygen_update(&g, &k);
    REQUIRE_OK(idbpq_keygen_next(&g, &d));
    CHECK(d == 11);
    k.u.number = -INFINITY; /* never moves backwards */
    idbpq_keygen_update(&g, &k);
    REQUIRE_OK(idbpq_keygen_next(&g, &d));
    CHECK(d == 12);
    k.type = IDBPQ_KEY_STRING; /* only numbers count */
    idbpq_keygen_update(&g, &k);
    k = (idbpq_key){IDBPQ_KEY_NUMBER, {.number = INFINITY}};
    idbpq_keygen_update(&g, &k);
    CHECK_EQ_INT(idbpq_keygen_next(&g, &d), IDBPQ_LIMIT);
    g.current = 9007199254740992.0; /* 2^53 itself is still handed out */
    REQUIRE_OK(idbpq_keygen_next(&g, &d));
    CHECK_EQ_INT(idbpq_keygen_next(&g, &d), IDBPQ_LIMIT);
}

static int c1(const char *a, size_t an, const char *b, size_t bn)
{
    int x = idbpq_idb_cmp1((const uint8_t *)a, an, (const uint8_t *)b, bn);
    return (x > 0) - (x < 0);
}

TEST(idb_cmp1_metadata_and_malformed)
{
    /* In idb_cmp1 order (indexeddb-on-disk.md §1.7-§1.11). */
    static const struct { const char *k; size_t n; } keys[] = {
        {"\0\0\0\0\0", 5},                                 /* schema version */
        {"\0\0\0\0\x01", 5},                               /* max database id */
        {"\0\0\0\0\x32\x01", 6},                           /* scopes, bytewise */
        {"\0\0\0\0\x32\x02\x05", 7},
        {"\0\0\0\0\x64\x02", 6},                           /* database free list: id 2 */
        {"\0\0\0\0\x64\x80\x01", 7},                       /* id 128 (VarInt) */
        {"\0\0\0\0\xc9\x01\0a\x02\0d\0b", 13},             /* name: origin "a", db "db" */
        {"\0\0\0\0\xc9\x02\0a\0a\0", 11},                  /* origin "aa", db "" */
        {"\0\x01\0\0\x03", 5},                             /* db 1: max object store id */
        {"\0\x01\0\0\x32\x01\0", 7},                       /* store 1 name */
        {"\0\x01\0\0\x32\x01\x07", 7},                     /* store 1 key generator */
        {"\0\x01\0\0\x32\x02\0", 7},                       /* store 2 name */
        {"\0\x01\0\0\x64\x01\x1e\x02", 8},                 /* index 30 of store 1 key path */
        {"\0\x01\0\0\xc8\x01\0s", 8},                      /* store name "s" */
        {"\0\x01\x01\x01", 4},                             /* record, empty suffix first */
        {"\0\x01\x01\x01\x03\0\0\0\0\0\0\xf0\xbf", 13},    /* record -1 */
        {"\0\x01\x01\x01\x01\x01\0a", 8},                  /* record "a" */
        {"\0\x01\x01\x02\x03\0\0\0\0\0\0\xf0\x3f", 13},    /* exists 1 */
        {"\0\x01\x01\x1f\x01\x01\0a", 8},                  /* index: "a", no primary key */
        {"\0\x01\x01\x1f\x01\x01\0a\0\x03\0\0\0\0\0\0\0\0", 18}, /* "a", seq 0, primary 0 */
        {"\0\x01\x01\x1f\x01\x01\0a\x01\x03\0\0\0\0\0\0\0\0", 18}, /* seq 1 after seq 0 */
        {"\0\x01\x01\x1f\x01\x01\0a\0\x03\0\0\0\0\0\0\xf0\x3f", 18}, /* primary 1 */
        {"\0\x02\0\0\0", 5},                               /* database 2 */
        /* malformed: after all of the above, by bytes */
        {"", 0},
        {"\0", 1},                                         /* truncated prefix */
        {"\0\x01\x01\x01\x03\0\0", 7},                     /* truncated double */
        {"\0\x01\x01\x05\x03", 5},                         /* index id 5: no such kind */
        {"\0\x01\x01\x1f\x01\x05\0a", 8},                  /* string past the end */
    };
    size_t n = sizeof keys / sizeof keys[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int want = i < j ? -1 : i > j ? 1 : 0;
            int got = c1(keys[i].k, keys[i].n, keys[j].k, keys[j].n);
            if (got != want) {
                printf("#   keys %zu, %zu: %d, expected %d\n", i, j, got, want);
                CHECK(0);
            }
        }
    /* Chromium's equalities: -0 and +0 as record keys; "a" alone and "a" + seq alone. */
    CHECK_EQ_INT(c1("\0\x01\x01\x01\x03\0\0\0\0\0\0\0\x80", 13,
                    "\0\x01\x01\x01\x03\0\0\0\0\0\0\0\0", 13), 0);
    CHECK_EQ_INT(c1("\0\x01\x01\x1f\x01\x01\0a", 8, "\0\x01\x01\x1f\x01\x01\0a\x05", 9), 0);
    /* min / max sentinels inside range-bound keys */
    CHECK_EQ_INT(c1("\0\x01\x01\x01\x05", 5, "\0\x01\x01\x01\x03\0\0\0\0\0\0\xf0\xff", 13), -1);
    CHECK_EQ_INT(c1("\0\x01\x01\x01\x00", 5, "\0\x01\x01\x01\x04\0", 6), 1);
}
