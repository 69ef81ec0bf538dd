/* test_schema.c — schema trees from footer elements: levels, paths, and the list/map shapes
 * of LogicalTypes.md's backward-compatibility rules; the builder's checks. */
#include "test.h"

#include "parquet/schema.h"

#define G(name, rep, nkids, ct) {name, -1, -1, rep, nkids, ct, -1, -1, -1, 0, {0}}
#define L(name, rep, type, ct) {name, type, -1, rep, -1, ct, -1, -1, -1, 0, {0}}

static idbpq_schema *build(const struct idbpq__schema_element *el, int32_t n)
{
    idbpq_schema *s = NULL;
    struct idbpq__err e;
    idbpq__err_clear(&e);
    if (idbpq__schema_from_elements(el, n, 64, NULL, &s, &e) != IDBPQ_OK) {
        printf("#   schema error: %s\n", e.msg);
        return NULL;
    }
    return s;
}

static const idbpq_schema_node *node(const idbpq_schema *s, int32_t i)
{
    return idbpq_schema_node_at(s, i);
}

TEST(schema_levels_and_paths)
{
    struct idbpq__schema_element el[] = {
        G("schema", -1, 2, -1),
        L("id", IDBPQ_REQUIRED, IDBPQ_INT64, -1),
        G("a", IDBPQ_OPTIONAL, 1, -1),
        G("b", IDBPQ_REPEATED, 1, -1),
        L("c", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, IDBPQ_CT_UTF8),
    };
    /* fix up: root has 2 children (id, a); a has 1 (b); b has 1 (c) */
    idbpq_schema *s = build(el, 5);
    REQUIRE(s);
    CHECK_EQ_INT(idbpq_schema_num_columns(s), 2);
    const idbpq_schema_node *c = idbpq_schema_column(s, 1);
    CHECK_EQ_STR(c->path, "a.b.c");
    CHECK_EQ_INT(c->max_def, 3);
    CHECK_EQ_INT(c->max_rep, 1);
    CHECK_EQ_INT(c->logical.kind, IDBPQ_LT_STRING);
    CHECK_EQ_INT(node(s, 3)->shape, IDBPQ_SHAPE_REPEATED);
    CHECK_EQ_INT(idbpq_schema_find_column(s, "a.b.c"), 1);
    CHECK_EQ_INT(idbpq_schema_find_column(s, "a.b"), -1);
    int32_t n;
    const char *const *comp = idbpq__schema_column_path(s, 1, &n);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_STR(comp[2], "c");
    idbpq_schema_free(s);
}

TEST(schema_list_rules_in_order)
{
    /* rule 1: repeated primitive is the element */
    struct idbpq__schema_element r1[] = {
        G("schema", -1, 1, -1), G("l", IDBPQ_OPTIONAL, 1, IDBPQ_CT_LIST),
        L("e", IDBPQ_REPEATED, IDBPQ_INT32, -1)};
    idbpq_schema *s = build(r1, 3);
    REQUIRE(s);
    CHECK_EQ_INT(node(s, 1)->shape, IDBPQ_SHAPE_LIST);
    CHECK_EQ_INT(node(s, 1)->element, 2);
    CHECK_EQ_INT(node(s, 2)->shape, IDBPQ_SHAPE_PRIMITIVE);
    idbpq_schema_free(s);
    /* rule 2: repeated group with two fields is the element (a struct) */
    struct idbpq__schema_element r2[] = {
        G("schema", -1, 1, -1), G("l", IDBPQ_OPTIONAL, 1, IDBPQ_CT_LIST),
        G("e", IDBPQ_REPEATED, 2, -1), L("x", IDBPQ_REQUIRED, IDBPQ_INT32, -1),
        L("y", IDBPQ_REQUIRED, IDBPQ_INT32, -1)};
    s = build(r2, 5);
    REQUIRE(s);
    CHECK_EQ_INT(node(s, 1)->element, 2);
    CHECK_EQ_INT(node(s, 2)->shape, IDBPQ_SHAPE_STRUCT);
    idbpq_schema_free(s);
    /* rule 4: one-field group named "array" or "<name>_tuple" is the element */
    struct idbpq__schema_element r4[] = {
        G("schema", -1, 1, -1), G("l", IDBPQ_OPTIONAL, 1, IDBPQ_CT_LIST),
        G("l_tuple", IDBPQ_REPEATED, 1, -1), L("x", IDBPQ_REQUIRED, IDBPQ_INT32, -1)};
    s = build(r4, 4);
    REQUIRE(s);
    CHECK_EQ_INT(node(s, 1)->element, 2);
    idbpq_schema_free(s);
    /* rule 5: the standard 3-level list: the repeated group's child is the element */
    struct idbpq__schema_element r5[] = {
        G("schema", -1, 1, -1), G("l", IDBPQ_OPTIONAL, 1, IDBPQ_CT_LIST),
        G("list", IDBPQ_REPEATED, 1, -1), L("element", IDBPQ_OPTIONAL, IDBPQ_INT32, -1)};
    s = build(r5, 4);
    REQUIRE(s);
    CHECK_EQ_INT(node(s, 1)->element, 3);
    CHECK_EQ_INT(node(s, 3)->max_def, 3);
    idbpq_schema_free(s);
    /* rule 3: old_list_structure.parquet's LIST<LIST<INT32>> in 2-level form */
    struct idbpq__schema_element r3[] = {
        G("schema", -1, 1, -1), G("a", IDBPQ_REQUIRED, 1, IDBPQ_CT_LIST),
        G("array", IDBPQ_REPEATED, 1, IDBPQ_CT_LIST), L("array", IDBPQ_REPEATED, IDBPQ_INT32, -1)};
    s = build(r3, 4);
    REQUIRE(s);
    CHECK_EQ_INT(node(s, 1)->shape, IDBPQ_SHAPE_LIST);
    CHECK_EQ_INT(node(s, 1)->element, 2);
    CHECK_EQ_INT(node(s, 2)->shape, IDBPQ_SHAPE_LIST);
    CHECK_EQ_INT(node(s, 2)->element, 3);
    CHECK_EQ_INT(node(s, 3)->shape, IDBPQ_SHAPE_PRIMITIVE);
    idbpq_schema_free(s);
}

TEST(schema_maps_and_map_key_value)
{
    struct idbpq__schema_element m[] = {
        G("schema", -1, 2, -1), G("m", IDBPQ_OPTIONAL, 1, IDBPQ_CT_MAP),
        G("key_value", IDBPQ_REPEATED, 2, IDBPQ_CT_MAP_KEY_VALUE),
        L("key", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, IDBPQ_CT_UTF8),
        L("value", IDBPQ_OPTIONAL, IDBPQ_INT32, -1),
        G("kv", IDBPQ_REPEATED, 1, IDBPQ_CT_MAP_KEY_VALUE),
        L("k", IDBPQ_REQUIRED, IDBPQ_INT32, -1)};
    idbpq_schema *s = build(m, 7);
    REQUIRE(s);
    CHECK_EQ_INT(node(s, 1)->shape, IDBPQ_SHAPE_MAP);
    CHECK_EQ_INT(node(s, 1)->element, 3);
    CHECK_EQ_INT(node(s, 1)->map_value, 4);
    CHECK_EQ_INT(node(s, 2)->shape, IDBPQ_SHAPE_STRUCT);
    /* a MAP_KEY_VALUE group outside a MAP is itself a map (with no value here) */
    CHECK_EQ_INT(node(s, 5)->shape, IDBPQ_SHAPE_MAP);
    CHECK_EQ_INT(node(s, 5)->element, 6);
    CHECK_EQ_INT(node(s, 5)->map_value, -1);
    idbpq_schema_free(s);
}

TEST(schema_rejects_bad_trees)
{
    struct idbpq__schema_element short_kids[] = {G("schema", -1, 3, -1),
                                                 L("a", IDBPQ_REQUIRED, IDBPQ_INT32, -1)};
    idbpq_schema *s = NULL;
    struct idbpq__err e;
    idbpq__err_clear(&e);
    CHECK_EQ_INT(idbpq__schema_from_elements(short_kids, 2, 64, NULL, &s, &e), IDBPQ_CORRUPT);
    CHECK(s == NULL);
    struct idbpq__schema_element extra[] = {G("schema", -1, 1, -1),
                                            L("a", IDBPQ_REQUIRED, IDBPQ_INT32, -1),
                                            L("b", IDBPQ_REQUIRED, IDBPQ_INT32, -1)};
    CHECK_EQ_INT(idbpq__schema_from_elements(extra, 3, 64, NULL, &s, &e), IDBPQ_CORRUPT);
    struct idbpq__schema_element badtype[] = {G("schema", -1, 1, -1),
                                              L("a", IDBPQ_REQUIRED, 9, -1)};
    CHECK_EQ_INT(idbpq__schema_from_elements(badtype, 2, 64, NULL, &s, &e), IDBPQ_CORRUPT);
    /* depth limit */
    struct idbpq__schema_element deep[12];
    deep[0] = (struct idbpq__schema_element)G("schema", -1, 1, -1);
    for (int i = 1; i < 11; i++) deep[i] = (struct idbpq__schema_element)G("g", IDBPQ_OPTIONAL, 1, -1);
    deep[11] = (struct idbpq__schema_element)L("x", IDBPQ_OPTIONAL, IDBPQ_INT32, -1);
    CHECK_EQ_INT(idbpq__schema_from_elements(deep, 12, 5, NULL, &s, &e), IDBPQ_LIMIT);
    CHECK_EQ_INT(idbpq__schema_from_elements(deep, 12, 64, NULL, &s, &e), IDBPQ_OK);
    CHECK_EQ_INT(idbpq_schema_column(s, 0)->max_def, 11);
    idbpq_schema_free(s);
}

TEST(schema_builder_depth_first_and_converted_types)
{
    idbpq_schema *s;
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    idbpq_logical ts = {0};
    ts.kind = IDBPQ_LT_TIMESTAMP;
    ts.unit = IDBPQ_MICROS;
    ts.utc = 0;
    idbpq_logical u8 = {0};
    u8.kind = IDBPQ_LT_INTEGER;
    u8.bit_width = 8;
    u8.is_signed = 0;
    idbpq_logical list = {0};
    list.kind = IDBPQ_LT_LIST;
    int32_t t, l, r, e, x;
    REQUIRE_OK(idbpq_schema_add(s, 0, "t", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, &ts, &t));
    REQUIRE_OK(idbpq_schema_add(s, 0, "l", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &list, &l));
    REQUIRE_OK(idbpq_schema_add(s, l, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &r));
    REQUIRE_OK(idbpq_schema_add(s, r, "element", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &u8, &e));
    /* t is no longer an open group: adding under it is refused */
    CHECK_EQ_INT(idbpq_schema_add(s, t, "bad", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, NULL, &x),
                 IDBPQ_INVALID_ARG);
    REQUIRE_OK(idbpq_schema_add(s, 0, "x", IDBPQ_REQUIRED, IDBPQ_FIXED_LEN_BYTE_ARRAY, 16, NULL, &x));
    REQUIRE_OK(idbpq_schema_finish(s));
    /* Local timestamps carry the legacy annotation too (LogicalTypes.md). */
    CHECK_EQ_INT(node(s, t)->converted_type, IDBPQ_CT_TIMESTAMP_MICROS);
    CHECK_EQ_INT(node(s, e)->converted_type, IDBPQ_CT_UINT_8);
    CHECK_EQ_INT(node(s, l)->shape, IDBPQ_SHAPE_LIST);
    CHECK_EQ_INT(node(s, l)->element, e);
    CHECK_EQ_INT(idbpq_schema_num_columns(s), 3);
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__schema_element *el;
    int32_t n;
    REQUIRE_OK(idbpq__schema_to_elements(s, &a, &el, &n));
    CHECK_EQ_INT(n, 6);
    CHECK_EQ_INT(el[0].num_children, 3);
    CHECK_EQ_INT(el[2].num_children, 1);
    CHECK_EQ_INT(el[5].type_length, 16);
    /* and back: the same tree */
    idbpq_schema *s2 = build(el, n);
    REQUIRE(s2);
    CHECK_EQ_STR(idbpq_schema_column(s2, 1)->path, "l.list.element");
    CHECK_EQ_INT(idbpq_schema_column(s2, 1)->logical.kind, IDBPQ_LT_INTEGER);
    idbpq_schema_free(s2);
    idbpq__arena_free(&a);
    idbpq_schema_free(s);
}
