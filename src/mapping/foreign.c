/*
 * foreign.c — reading Parquet files idbpq did not write: every top-level column becomes a
 * property of the record's value (or its key, with key_column), and each node is converted by
 * its physical and logical type, then by its shape (docs/mapping.md, "Other files").
 * Conversions follow what a JavaScript reader of the file would expect: integers as Numbers
 * while exact, BigInt past 2^53; timestamps as Dates; decimals as Numbers only when the
 * double prints back to the same digits, else as their exact text.
 */
#include "mapping/read_util.h"
#include "mapping/variant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

idbpq_status idbpq__typemap_foreign(idbpq_vbatch *b, const idbpq_schema *s,
                                    const char *key_column, struct idbpq__typemap *tm,
                                    struct idbpq__err *err)
{
    if (!b || !s || !tm) return IDBPQ_INVALID_ARG;
    memset(tm, 0, sizeof *tm);
    tm->raw_node = -1;
    tm->raw_key_node = -1;
    tm->value_is_root = 1;
    tm->value.js = IDBPQ__JS_OBJECT;
    tm->value.absent = IDBPQ__ABS_NULL;
    tm->value.node = 0;
    tm->value.absent_node = -1;
    const idbpq_schema_node *root = idbpq_schema_node_at(s, 0);
    if (!root) return idbpq__fail(err, IDBPQ_INVALID_ARG, "schema without a root");
    int32_t key_at = -1;
    if (key_column) {
        for (int32_t k = 0; k < root->num_children && key_at < 0; k++) {
            const idbpq_schema_node *n = idbpq_schema_node_at(s, root->children[k]);
            if (n && n->name && strcmp(n->name, key_column) == 0) key_at = k;
        }
        if (key_at < 0) return idbpq__fail(err, IDBPQ_INVALID_ARG, "no column %s", key_column);
    }
    uint32_t n_props = (uint32_t)root->num_children - (key_at >= 0);
    struct idbpq__jsnode *kids = idbpq_vbatch_alloc(b, sizeof *kids * (n_props ? n_props : 1));
    if (!kids) return idbpq__fail(err, IDBPQ_NOMEM, "out of memory");
    uint32_t at = 0;
    for (int32_t k = 0; k < root->num_children; k++) {
        const idbpq_schema_node *n = idbpq_schema_node_at(s, root->children[k]);
        struct idbpq__jsnode *j = k == key_at ? &tm->key : &kids[at++];
        memset(j, 0, sizeof *j);
        j->js = IDBPQ__JS_FOREIGN;
        j->absent = IDBPQ__ABS_NULL;
        j->node = root->children[k];
        j->absent_node = -1;
        const char *name = n && n->name ? n->name : "";
        idbpq_value *prop = idbpq_value_string_utf8(b, name, strlen(name));
        if (!prop) return idbpq__fail(err, IDBPQ_NOMEM, "out of memory");
        uint32_t index;
        j->prop = prop;
        j->key_number = (uint8_t)idbpq__name_index(&prop->u.str, &index);
    }
    tm->value.children = kids;
    tm->value.n_children = n_props;
    tm->has_key = key_at >= 0;
    return IDBPQ_OK;
}

/* ---- leaves ------------------------------------------------------------------------------- */

static idbpq_status put(struct idbpq__rd *c, idbpq_value *v, idbpq_value **out)
{
    if (!v) return idbpq__rd_nomem(c);
    *out = v;
    return IDBPQ_OK;
}

static int64_t floor_div(int64_t a, int64_t d)
{
    int64_t q = a / d;
    return (a % d != 0 && (a < 0) != (d < 0)) ? q - 1 : q;
}

#define TWO53 9007199254740992.0

static idbpq_status int64_value(struct idbpq__rd *c, int64_t v, idbpq_value **out)
{
    if (!c->o->int64_bigint && v >= -(int64_t)TWO53 && v <= (int64_t)TWO53)
        return put(c, idbpq_value_number(c->b, (double)v), out);
    return put(c, idbpq__rd_bigint_i64(c->b, v), out);
}

static idbpq_status uint64_value(struct idbpq__rd *c, uint64_t v, idbpq_value **out)
{
    if (!c->o->int64_bigint && v <= (uint64_t)TWO53)
        return put(c, idbpq_value_number(c->b, (double)v), out);
    return put(c, idbpq__rd_bigint_u64(c->b, v), out);
}

static double unit_ms(idbpq_time_unit u) { return u == IDBPQ_MICROS ? 1e3 : u == IDBPQ_NANOS ? 1e6 : 1; }

static idbpq_status timestamp(struct idbpq__rd *c, int64_t v, idbpq_time_unit u, idbpq_value **out)
{
    int64_t ms = u == IDBPQ_MICROS ? floor_div(v, 1000) : u == IDBPQ_NANOS ? floor_div(v, 1000000) : v;
    return put(c, idbpq__rd_date(c->b, (double)ms), out);
}

/* Decimal text of an unscaled magnitude: "-123.45", exactly `scale` fraction digits. */
static char *decimal_text(idbpq_vbatch *b, const idbpq_value *bi, int32_t scale)
{
    size_t dl;
    char *dig = idbpq__rd_magnitude_text(b, bi->u.bigint.digits, bi->u.bigint.len, &dl);
    if (!dig) return NULL;
    size_t zeros = scale < 0 && bi->u.bigint.len ? (size_t)-(int64_t)scale : 0;
    size_t cap = dl + zeros + (scale > 0 ? (size_t)scale : 0) + 4;
    char *t = idbpq_vbatch_alloc(b, cap), *p = t;
    if (!t) return NULL;
    if (bi->u.bigint.negative) *p++ = '-';
    if (scale <= 0) {
        memcpy(p, dig, dl);
        p += dl;
        memset(p, '0', zeros);
        p += zeros;
    } else if (dl > (size_t)scale) {
        memcpy(p, dig, dl - (size_t)scale);
        p += dl - (size_t)scale;
        *p++ = '.';
        memcpy(p, dig + dl - (size_t)scale, (size_t)scale);
        p += scale;
    } else {
        *p++ = '0';
        *p++ = '.';
        memset(p, '0', (size_t)scale - dl);
        p += (size_t)scale - dl;
        memcpy(p, dig, dl);
        p += dl;
    }
    *p = 0;
    return t;
}

/* Whether unscaled / 10^scale (a magnitude of n little-endian bytes) is exactly a double
 * (a normal one): it is when 5^scale divides the magnitude and what is left, with its factors
 * of two taken out, has at most 53 bits. Conservative: anything unusual says no. */
static int decimal_is_double(idbpq_vbatch *b, const uint8_t *le, size_t n, int32_t scale)
{
    if (scale < -64 || scale > 64 || n > 64) return 0;
    size_t cap = n / 4 + 8; /* room for the magnitude times 5^64 */
    uint32_t *w = idbpq__calloc(b->alc, cap * 4);
    if (!w) return 0;
    size_t nw = (n + 3) / 4;
    for (size_t i = 0; i < n; i++) w[i / 4] |= (uint32_t)le[i] << (8 * (i % 4));
    int ok = 1;
    for (int32_t k = 0; k < scale && ok; k++) { /* divide by 5, exactly */
        uint64_t rem = 0;
        for (size_t j = nw; j-- > 0;) {
            uint64_t cur = rem << 32 | w[j];
            w[j] = (uint32_t)(cur / 5);
            rem = cur % 5;
        }
        ok = rem == 0;
    }
    for (int32_t k = 0; k < -scale && ok; k++) { /* multiply by 5 */
        uint64_t carry = 0;
        for (size_t j = 0; j < nw; j++) {
            uint64_t t = (uint64_t)w[j] * 5 + carry;
            w[j] = (uint32_t)t;
            carry = t >> 32;
        }
        if (carry) w[nw++] = (uint32_t)carry;
    }
    int64_t low = -1, high = -1; /* lowest and highest set bits */
    for (size_t j = 0; j < nw; j++)
        for (int bit = 0; bit < 32; bit++)
            if (w[j] >> bit & 1) {
                if (low < 0) low = (int64_t)j * 32 + bit;
                high = (int64_t)j * 32 + bit;
            }
    idbpq__free(b->alc, w, cap * 4);
    /* value = odd * 2^(low - scale) (10^-scale's twos: the scale), odd = high - low + 1 bits */
    int64_t e_low = low - scale, e_high = high - scale;
    return ok && low >= 0 && high - low < 53 && e_low >= -1022 && e_high <= 1023;
}

static idbpq_status decimal(struct idbpq__rd *c, int32_t node, const idbpq_schema_node *n,
                            const uint8_t *be, size_t len, idbpq_value **out)
{
    int32_t scale = n->logical.kind == IDBPQ_LT_DECIMAL ? n->logical.scale : n->scale;
    if (scale < -4096 || scale > 4096)
        return idbpq__fail(c->err, IDBPQ_UNSUPPORTED, "column %s: DECIMAL scale %d",
                           idbpq__rd_path(c->s, node), scale);
    if (len > IDBPQ__RD_MAX_DECIMAL_BYTES)
        return idbpq__fail(c->err, IDBPQ_LIMIT, "column %s: DECIMAL of %zu bytes",
                           idbpq__rd_path(c->s, node), len);
    idbpq_value *bi = idbpq__rd_bigint_be(c->b, be, len, 1);
    if (!bi) return idbpq__rd_nomem(c);
    if (bi->u.bigint.len == 0 && !c->o->decimal_string)
        return put(c, idbpq_value_number(c->b, 0), out);
    char *text = decimal_text(c->b, bi, scale);
    if (!text) return idbpq__rd_nomem(c);
    /* strtod rounds correctly, so for an exact decimal it gives exactly that double */
    if (!c->o->decimal_string &&
        decimal_is_double(c->b, bi->u.bigint.digits, bi->u.bigint.len, scale))
        return put(c, idbpq_value_number(c->b, strtod(text, NULL)), out);
    return put(c, idbpq__value_latin1(c->b, (const uint8_t *)text, (uint32_t)strlen(text)), out);
}

static idbpq_status decimal_i64(struct idbpq__rd *c, int32_t node, const idbpq_schema_node *n,
                                int64_t v, idbpq_value **out)
{
    uint8_t be[8];
    for (int i = 0; i < 8; i++) be[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
    return decimal(c, node, n, be, 8, out);
}

/* A key of text of the conservative kind: the parser takes `{"$..."` as a tag, plain JSON
 * does not, so a key that starts with '$' (or an escape, which could spell one) keeps the
 * text as a string. */
static int json_has_dollar_key(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] != '"') continue;
        uint32_t start = ++i;
        while (i < n && p[i] != '"') i += p[i] == '\\' ? 2 : 1;
        uint32_t j = i + 1;
        while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\n' || p[j] == '\r')) j++;
        if (j < n && p[j] == ':' && start < n && (p[start] == '$' || p[start] == '\\')) return 1;
    }
    return 0;
}

static idbpq_status json_value(struct idbpq__rd *c, int32_t node, const idbpq_datum *d,
                               idbpq_value **out)
{
    IDBPQ__TRY(idbpq__rd_string(c, node, d->u.bytes, d->len, out));
    if (!c->o->json_parse || json_has_dollar_key(d->u.bytes, d->len)) return IDBPQ_OK;
    idbpq_value *v;
    idbpq_error e;
    idbpq_status st = idbpq_tjson_parse(c->b, (const char *)d->u.bytes, d->len, &v, &e);
    if (st == IDBPQ_NOMEM) return idbpq__rd_nomem(c);
    if (st == IDBPQ_OK) *out = v;
    return IDBPQ_OK;
}

static idbpq_status uuid_string(struct idbpq__rd *c, const uint8_t *u, idbpq_value **out)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t t[36];
    for (int i = 0, k = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) t[k++] = '-';
        t[k++] = (uint8_t)hex[u[i] >> 4];
        t[k++] = (uint8_t)hex[u[i] & 15];
    }
    return put(c, idbpq__value_latin1(c->b, t, 36), out);
}

static idbpq_status interval(struct idbpq__rd *c, const uint8_t *p, idbpq_value **out)
{
    static const char *const names[] = {"months", "days", "milliseconds"};
    idbpq_value *o = idbpq_value_new(c->b, IDBPQ_V_OBJECT);
    idbpq_prop *props = idbpq_vbatch_alloc(c->b, sizeof *props * 3);
    if (!o || !props) return idbpq__rd_nomem(c);
    for (int i = 0; i < 3; i++) {
        props[i].key = idbpq__value_latin1(c->b, (const uint8_t *)names[i], (uint32_t)strlen(names[i]));
        props[i].value = idbpq_value_number(c->b, (double)idbpq__le32(p + 4 * i));
        if (!props[i].key || !props[i].value) return idbpq__rd_nomem(c);
    }
    o->u.object.props = props;
    o->u.object.n = 3;
    *out = o;
    return IDBPQ_OK;
}

static const uint8_t datum_of_type[] = {
    IDBPQ_DATUM_BOOLEAN, IDBPQ_DATUM_INT32, IDBPQ_DATUM_INT64, IDBPQ_DATUM_INT96,
    IDBPQ_DATUM_FLOAT,   IDBPQ_DATUM_DOUBLE, IDBPQ_DATUM_BYTES, IDBPQ_DATUM_BYTES};

static idbpq_status foreign_leaf(struct idbpq__rd *c, int32_t node, const idbpq_schema_node *n,
                                 const idbpq_datum *d, idbpq_value **out)
{
    const idbpq_logical *lg = &n->logical;
    if (d->kind == IDBPQ_DATUM_NULL || lg->kind == IDBPQ_LT_NULL)
        return put(c, idbpq_value_new(c->b, IDBPQ_V_NULL), out);
    if ((int)n->type < 0 || (int)n->type > IDBPQ_FIXED_LEN_BYTE_ARRAY ||
        d->kind != datum_of_type[n->type])
        return idbpq__rd_mismatch(c, node, idbpq_type_name(n->type) ? idbpq_type_name(n->type) : "a leaf value", d);
    switch ((idbpq_datum_kind)d->kind) {
    case IDBPQ_DATUM_BOOLEAN:
        return put(c, idbpq__rd_bool(c->b, d->u.boolean), out);
    case IDBPQ_DATUM_INT32:
        switch ((int)lg->kind) { /* annotations that apply here */
        case IDBPQ_LT_DATE: return put(c, idbpq__rd_date(c->b, (double)d->u.i32 * 86400000.0), out);
        case IDBPQ_LT_DECIMAL: return decimal_i64(c, node, n, d->u.i32, out);
        case IDBPQ_LT_TIME: return put(c, idbpq_value_number(c->b, d->u.i32 / unit_ms(lg->unit)), out);
        case IDBPQ_LT_INTEGER:
            if (!lg->is_signed) return put(c, idbpq_value_number(c->b, (uint32_t)d->u.i32), out);
            break;
        default: break;
        }
        return put(c, idbpq_value_number(c->b, d->u.i32), out);
    case IDBPQ_DATUM_INT64:
        switch ((int)lg->kind) { /* annotations that apply here */
        case IDBPQ_LT_TIMESTAMP: return timestamp(c, d->u.i64, lg->unit, out);
        case IDBPQ_LT_DECIMAL: return decimal_i64(c, node, n, d->u.i64, out);
        case IDBPQ_LT_TIME:
            return put(c, idbpq_value_number(c->b, (double)d->u.i64 / unit_ms(lg->unit)), out);
        case IDBPQ_LT_INTEGER:
            if (!lg->is_signed) return uint64_value(c, (uint64_t)d->u.i64, out);
            break;
        default: break;
        }
        return int64_value(c, d->u.i64, out);
    case IDBPQ_DATUM_INT96: {
        /* Impala/Spark: nanoseconds of the day, then the Julian day number. */
        int64_t nanos = (int64_t)idbpq__le64(d->u.i96);
        int64_t jd = (int32_t)idbpq__le32(d->u.i96 + 8);
        int64_t ms = (jd - 2440588) * 86400000 + floor_div(nanos, 1000000);
        return put(c, idbpq__rd_date(c->b, (double)ms), out);
    }
    case IDBPQ_DATUM_FLOAT: return put(c, idbpq_value_number(c->b, (double)d->u.f32), out);
    case IDBPQ_DATUM_DOUBLE: return put(c, idbpq_value_number(c->b, d->u.f64), out);
    case IDBPQ_DATUM_BYTES:
        if (d->len && !d->u.bytes) return idbpq__rd_mismatch(c, node, "bytes", d);
        switch ((int)lg->kind) { /* annotations that apply here */
        case IDBPQ_LT_STRING:
        case IDBPQ_LT_ENUM: return idbpq__rd_string(c, node, d->u.bytes, d->len, out);
        case IDBPQ_LT_JSON: return json_value(c, node, d, out);
        case IDBPQ_LT_DECIMAL: return decimal(c, node, n, d->u.bytes, d->len, out);
        case IDBPQ_LT_UUID:
            if (d->len == 16) return uuid_string(c, d->u.bytes, out);
            break;
        case IDBPQ_LT_FLOAT16:
            if (d->len == 2)
                return put(c, idbpq_value_number(c->b,
                                                 idbpq__half_to_float(idbpq__le16(d->u.bytes))),
                           out);
            break;
        case IDBPQ_LT_INTERVAL:
            if (d->len == 12) return interval(c, d->u.bytes, out);
            break;
        default: break;
        }
        return idbpq__rd_binary(c, node, d->u.bytes, d->len, IDBPQ_VIEW_UINT8, out);
    case IDBPQ_DATUM_NULL:
    case IDBPQ_DATUM_GROUP:
    case IDBPQ_DATUM_LIST:
    case IDBPQ_DATUM_MAP:
        break;
    }
    return idbpq__rd_mismatch(c, node, "a leaf value", d);
}

/* ---- groups ------------------------------------------------------------------------------- */

static idbpq_status foreign_present(struct idbpq__rd *c, int32_t node, const idbpq_datum *d,
                                    int depth, idbpq_value **out);

static idbpq_status items_alloc(struct idbpq__rd *c, uint32_t n, size_t per, idbpq_value ***out)
{
    *out = idbpq_vbatch_alloc(c->b, sizeof **out * per * (n ? n : 1));
    return *out ? IDBPQ_OK : idbpq__rd_nomem(c);
}

/* A field's name as a property key. Names are nearly always ASCII: that path copies once. */
static idbpq_value *name_key(idbpq_vbatch *b, const char *name)
{
    size_t n = strlen(name), i = 0;
    while (i < n && (uint8_t)name[i] < 0x80) i++;
    idbpq_value *v = i == n && n <= UINT32_MAX
                         ? idbpq__value_latin1(b, (const uint8_t *)name, (uint32_t)n)
                         : idbpq_value_string_utf8(b, name, n);
    uint32_t index;
    if (v && idbpq__name_index(&v->u.str, &index)) return idbpq_value_number(b, index);
    return v;
}

static idbpq_status foreign_struct(struct idbpq__rd *c, int32_t node, const idbpq_schema_node *n,
                                   const idbpq_datum *d, int depth, idbpq_value **out)
{
    if (d->kind != IDBPQ_DATUM_GROUP || d->len != (uint32_t)n->num_children)
        return idbpq__rd_mismatch(c, node, "a group of its fields", d);
    idbpq_value *o = idbpq_value_new(c->b, IDBPQ_V_OBJECT);
    idbpq_prop *props = idbpq_vbatch_alloc(c->b, sizeof *props * (d->len ? d->len : 1));
    if (!o || !props) return idbpq__rd_nomem(c);
    uint32_t np = 0;
    for (uint32_t k = 0; k < d->len; k++) {
        const idbpq_datum *it = &d->u.items[k];
        if (it->kind == IDBPQ_DATUM_NULL && c->o->nulls_omit) continue;
        const idbpq_schema_node *cn = idbpq_schema_node_at(c->s, n->children[k]);
        if (!(props[np].key = name_key(c->b, cn && cn->name ? cn->name : "")))
            return idbpq__rd_nomem(c);
        IDBPQ__TRY(idbpq__foreign_field(c, n->children[k], it, depth + 1, &props[np].value));
        np++;
    }
    if (idbpq__rd_dedupe_props(c->b, props, &np) != IDBPQ_OK) return idbpq__rd_nomem(c);
    o->u.object.props = props;
    o->u.object.n = np;
    *out = o;
    return IDBPQ_OK;
}

/* Items of a LIST datum; `present`: the items are the node itself read as required. */
static idbpq_status foreign_list(struct idbpq__rd *c, int32_t node, int32_t elem, int present,
                                 const idbpq_datum *d, int depth, idbpq_value **out)
{
    if (d->kind != IDBPQ_DATUM_LIST) return idbpq__rd_mismatch(c, node, "a list", d);
    idbpq_value *a = idbpq_value_new(c->b, IDBPQ_V_ARRAY);
    idbpq_value **items;
    if (!a) return idbpq__rd_nomem(c);
    IDBPQ__TRY(items_alloc(c, d->len, 1, &items));
    for (uint32_t k = 0; k < d->len; k++) {
        const idbpq_datum *it = &d->u.items[k];
        if (present && it->kind != IDBPQ_DATUM_NULL)
            IDBPQ__TRY(foreign_present(c, elem, it, depth + 1, &items[k]));
        else
            IDBPQ__TRY(idbpq__foreign_field(c, elem, it, depth + 1, &items[k]));
    }
    a->u.array.items = items;
    a->u.array.length = d->len;
    *out = a;
    return IDBPQ_OK;
}

static idbpq_status foreign_map(struct idbpq__rd *c, int32_t node, const idbpq_schema_node *n,
                                const idbpq_datum *d, int depth, idbpq_value **out)
{
    if (d->kind != IDBPQ_DATUM_MAP) return idbpq__rd_mismatch(c, node, "a map", d);
    idbpq_value **items;
    IDBPQ__TRY(items_alloc(c, d->len, 2, &items));
    /* map_object is decided per column (by the key's type), so that an empty map of
     * numbers stays a Map; a JSON key parsed into something else keeps the Map too. */
    const idbpq_schema_node *kn = idbpq_schema_node_at(c->s, n->element);
    int lk = kn && kn->type != IDBPQ_GROUP ? (int)kn->logical.kind : -1;
    int all_strings = lk == IDBPQ_LT_STRING || lk == IDBPQ_LT_ENUM || lk == IDBPQ_LT_JSON ||
                      (lk == IDBPQ_LT_UUID && kn->type_length == 16);
    for (uint32_t k = 0; k < d->len; k++) {
        const idbpq_datum *kd = &d->u.items[2 * k], *vd = &d->u.items[2 * k + 1];
        IDBPQ__TRY(idbpq__foreign_field(c, n->element, kd, depth + 1, &items[2 * k]));
        if (n->map_value >= 0)
            IDBPQ__TRY(idbpq__foreign_field(c, n->map_value, vd, depth + 1, &items[2 * k + 1]));
        else if (!(items[2 * k + 1] = idbpq_value_new(c->b, IDBPQ_V_NULL)))
            return idbpq__rd_nomem(c);
        all_strings &= items[2 * k]->type == IDBPQ_V_STRING;
    }
    uint32_t cnt = d->len;
    if (c->o->map_object && all_strings) {
        idbpq_value *o = idbpq_value_new(c->b, IDBPQ_V_OBJECT);
        idbpq_prop *props = idbpq_vbatch_alloc(c->b, sizeof *props * (cnt ? cnt : 1));
        if (!o || !props) return idbpq__rd_nomem(c);
        for (uint32_t k = 0; k < cnt; k++) {
            uint32_t index;
            props[k].key = items[2 * k];
            if (idbpq__name_index(&items[2 * k]->u.str, &index) &&
                !(props[k].key = idbpq_value_number(c->b, index)))
                return idbpq__rd_nomem(c);
            props[k].value = items[2 * k + 1];
        }
        if (idbpq__rd_dedupe_props(c->b, props, &cnt) != IDBPQ_OK) return idbpq__rd_nomem(c);
        o->u.object.props = props;
        o->u.object.n = cnt;
        *out = o;
        return IDBPQ_OK;
    }
    idbpq_value *m = idbpq_value_new(c->b, IDBPQ_V_MAP);
    if (!m || idbpq__rd_dedupe_coll(c->b, items, &cnt, 2) != IDBPQ_OK) return idbpq__rd_nomem(c);
    m->u.coll.items = items;
    m->u.coll.n = cnt;
    *out = m;
    return IDBPQ_OK;
}

static idbpq_status foreign_variant(struct idbpq__rd *c, int32_t node, const idbpq_datum *d,
                                    idbpq_value **out)
{
    uint32_t flags = IDBPQ__VAR_UINT8ARRAY | (c->o->int64_bigint ? IDBPQ__VAR_INT64_BIGINT : 0) |
                     (c->o->decimal_string ? IDBPQ__VAR_DECIMAL_STRING : 0);
    idbpq_value *v = NULL;
    IDBPQ__TRY(idbpq__variant_from_datum(c->b, c->s, node, d, flags, &v, c->err));
    return put(c, v ? v : idbpq_value_new(c->b, IDBPQ_V_NULL), out);
}

/* The node known to be present (its own optional or repeated level satisfied): as the row
 * reader's read_present assembles it. */
static idbpq_status foreign_present(struct idbpq__rd *c, int32_t node, const idbpq_datum *d,
                                    int depth, idbpq_value **out)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(c->s, node);
    if (!n) return idbpq__fail(c->err, IDBPQ_CORRUPT, "schema node %d out of range", node);
    if (depth > IDBPQ__RD_MAX_DEPTH)
        return idbpq__fail(c->err, IDBPQ_LIMIT, "column %s: nested too deep",
                           idbpq__rd_path(c->s, node));
    if (d->kind == IDBPQ_DATUM_NULL) return put(c, idbpq_value_new(c->b, IDBPQ_V_NULL), out);
    if (n->type != IDBPQ_GROUP) return foreign_leaf(c, node, n, d, out);
    if (n->logical.kind == IDBPQ_LT_VARIANT) return foreign_variant(c, node, d, out);
    switch (n->shape) {
    case IDBPQ_SHAPE_LIST:
        if (n->num_children < 1 || !idbpq_schema_node_at(c->s, n->element)) break;
        return foreign_list(c, node, n->element, n->element == n->children[0], d, depth, out);
    case IDBPQ_SHAPE_MAP: {
        const idbpq_schema_node *kn = idbpq_schema_node_at(c->s, n->element);
        if (!kn) break;
        if (kn->parent == node) break; /* a repeated key/value group read as one entry */
        return foreign_map(c, node, n, d, depth, out);
    }
    case IDBPQ_SHAPE_PRIMITIVE:
    case IDBPQ_SHAPE_STRUCT:
    case IDBPQ_SHAPE_REPEATED:
        break;
    }
    return foreign_struct(c, node, n, d, depth, out);
}

idbpq_status idbpq__foreign_field(struct idbpq__rd *c, int32_t node, const idbpq_datum *d,
                                  int depth, idbpq_value **out)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(c->s, node);
    if (!n) return idbpq__fail(c->err, IDBPQ_CORRUPT, "schema node %d out of range", node);
    if (depth > IDBPQ__RD_MAX_DEPTH)
        return idbpq__fail(c->err, IDBPQ_LIMIT, "column %s: nested too deep",
                           idbpq__rd_path(c->s, node));
    if (d->kind == IDBPQ_DATUM_NULL) return put(c, idbpq_value_new(c->b, IDBPQ_V_NULL), out);
    if (n->repetition == IDBPQ_REPEATED) {
        if (n->shape == IDBPQ_SHAPE_MAP && idbpq_schema_node_at(c->s, n->element))
            return foreign_map(c, node, n, d, depth, out);
        return foreign_list(c, node, node, 1, d, depth, out);
    }
    return foreign_present(c, node, d, depth, out);
}
