/*
 * stats.c — column statistics (parquet.thrift Statistics, ColumnOrder TYPE_ORDER): the sort
 * order of each type, running min/max/NaN counts over value batches, page → chunk merges, and
 * export in Statistics encoding with the writer rules of parquet.thrift: no NaN in min/max,
 * a zero min written as -0.0 and a zero max as +0.0, byte arrays truncated to a prefix
 * (min) or an incremented prefix (max) with is_*_value_exact = false.
 * update() is the hot path: one switch per batch, then a tight loop over the values.
 */
#include "parquet/stats.h"

#include <math.h>

/* ---- the order of a column (LogicalTypes.md, parquet.thrift ColumnOrder) --------------------- */

static enum idbpq__order order_from_converted(int type, int32_t ct)
{
    switch (ct) {
    case IDBPQ_CT_UINT_8:
    case IDBPQ_CT_UINT_16:
    case IDBPQ_CT_UINT_32:
    case IDBPQ_CT_UINT_64:
        return (type == IDBPQ_INT32 || type == IDBPQ_INT64) ? IDBPQ__ORDER_UNSIGNED
                                                            : IDBPQ__ORDER_NONE;
    case IDBPQ_CT_DECIMAL:
        if (type == IDBPQ_INT32 || type == IDBPQ_INT64) return IDBPQ__ORDER_SIGNED;
        return IDBPQ__ORDER_DECIMAL_BYTES;
    case IDBPQ_CT_INTERVAL: /* undefined order: three little-endian u32s */
    case IDBPQ_CT_MAP:
    case IDBPQ_CT_MAP_KEY_VALUE:
    case IDBPQ_CT_LIST:
        return IDBPQ__ORDER_NONE;
    default:
        return (enum idbpq__order)-1; /* no say: the physical type decides */
    }
}

static enum idbpq__order order_from_logical(int type, int32_t type_length, const idbpq_logical *lt)
{
    switch (lt->kind) {
    case IDBPQ_LT_INTEGER:
        return lt->is_signed ? IDBPQ__ORDER_SIGNED : IDBPQ__ORDER_UNSIGNED;
    case IDBPQ_LT_DECIMAL:
        if (type == IDBPQ_INT32 || type == IDBPQ_INT64) return IDBPQ__ORDER_SIGNED;
        return IDBPQ__ORDER_DECIMAL_BYTES;
    case IDBPQ_LT_FLOAT16:
        return type_length == 2 ? IDBPQ__ORDER_FLOAT16 : IDBPQ__ORDER_NONE;
    case IDBPQ_LT_STRING:
    case IDBPQ_LT_ENUM:
    case IDBPQ_LT_JSON:
    case IDBPQ_LT_BSON:
    case IDBPQ_LT_UUID:
    case IDBPQ_LT_VARIANT: /* a variant's metadata/value leaves are plain binaries */
        return IDBPQ__ORDER_BYTES;
    case IDBPQ_LT_DATE:
    case IDBPQ_LT_TIME:
    case IDBPQ_LT_TIMESTAMP:
        return IDBPQ__ORDER_SIGNED;
    case IDBPQ_LT_INTERVAL:
    case IDBPQ_LT_GEOMETRY:
    case IDBPQ_LT_GEOGRAPHY:
    case IDBPQ_LT_MAP:
    case IDBPQ_LT_LIST:
        return IDBPQ__ORDER_NONE;
    case IDBPQ_LT_NONE:
    case IDBPQ_LT_NULL:
    case IDBPQ_LT_UNKNOWN_ID:
        break;
    }
    return (enum idbpq__order)-1;
}

enum idbpq__order idbpq__column_order(int type, int32_t type_length, const idbpq_logical *lt,
                                      int32_t converted_type)
{
    enum idbpq__order o = (enum idbpq__order)-1;
    if (lt && lt->kind != IDBPQ_LT_NONE) o = order_from_logical(type, type_length, lt);
    if ((int)o < 0) o = order_from_converted(type, converted_type);
    if ((int)o >= 0) {
        /* An annotation on a physical type it cannot apply to orders nothing. */
        switch (o) {
        case IDBPQ__ORDER_SIGNED:
            return (type == IDBPQ_INT32 || type == IDBPQ_INT64) ? o : IDBPQ__ORDER_NONE;
        case IDBPQ__ORDER_UNSIGNED:
            return (type == IDBPQ_INT32 || type == IDBPQ_INT64) ? o : IDBPQ__ORDER_NONE;
        case IDBPQ__ORDER_FLOAT16:
            return type == IDBPQ_FIXED_LEN_BYTE_ARRAY ? o : IDBPQ__ORDER_NONE;
        case IDBPQ__ORDER_BYTES:
        case IDBPQ__ORDER_DECIMAL_BYTES:
            return (type == IDBPQ_BYTE_ARRAY || type == IDBPQ_FIXED_LEN_BYTE_ARRAY)
                       ? o
                       : IDBPQ__ORDER_NONE;
        case IDBPQ__ORDER_FLOAT:
        case IDBPQ__ORDER_NONE:
            return o;
        }
    }
    switch (type) {
    case IDBPQ_BOOLEAN:
    case IDBPQ_INT32:
    case IDBPQ_INT64: return IDBPQ__ORDER_SIGNED;
    case IDBPQ_FLOAT:
    case IDBPQ_DOUBLE: return IDBPQ__ORDER_FLOAT;
    case IDBPQ_BYTE_ARRAY:
    case IDBPQ_FIXED_LEN_BYTE_ARRAY: return IDBPQ__ORDER_BYTES;
    default: return IDBPQ__ORDER_NONE; /* INT96: parquet.thrift says its order is undefined */
    }
}

/* ---- lifecycle ------------------------------------------------------------------------------- */

/* The (order, physical type) pairs update() knows; anything else keeps no min/max. */
static int supported(enum idbpq__order o, int type, int32_t type_length)
{
    switch (o) {
    case IDBPQ__ORDER_SIGNED: return type == IDBPQ_BOOLEAN || type == IDBPQ_INT32 || type == IDBPQ_INT64;
    case IDBPQ__ORDER_UNSIGNED: return type == IDBPQ_INT32 || type == IDBPQ_INT64;
    case IDBPQ__ORDER_FLOAT: return type == IDBPQ_FLOAT || type == IDBPQ_DOUBLE;
    case IDBPQ__ORDER_FLOAT16: return type == IDBPQ_FIXED_LEN_BYTE_ARRAY && type_length == 2;
    case IDBPQ__ORDER_BYTES:
    case IDBPQ__ORDER_DECIMAL_BYTES:
        return type == IDBPQ_BYTE_ARRAY || (type == IDBPQ_FIXED_LEN_BYTE_ARRAY && type_length > 0);
    case IDBPQ__ORDER_NONE: return 0;
    }
    return 0;
}

void idbpq__stats_init(struct idbpq__stats *s, enum idbpq__order order, int type,
                       int32_t type_length, const idbpq_allocator *alc)
{
    memset(s, 0, sizeof *s);
    s->order = supported(order, type, type_length) ? order : IDBPQ__ORDER_NONE;
    s->type = type;
    s->type_length = type_length;
    idbpq__buf_init(&s->min_bytes, alc);
    idbpq__buf_init(&s->max_bytes, alc);
}

void idbpq__stats_reset(struct idbpq__stats *s)
{
    s->has_minmax = 0;
    s->null_count = s->nan_count = 0;
    idbpq__buf_reset(&s->min_bytes);
    idbpq__buf_reset(&s->max_bytes);
}

void idbpq__stats_free(struct idbpq__stats *s)
{
    idbpq__buf_free(&s->min_bytes);
    idbpq__buf_free(&s->max_bytes);
}

/* ---- comparisons ------------------------------------------------------------------------------ */

/* Unsigned lexicographic; a proper prefix sorts first. */
static int cmp_bytes(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
    size_t m = la < lb ? la : lb;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c;
    return la < lb ? -1 : la > lb;
}

/* Big-endian two's complement integers of any length (DECIMAL on byte arrays): the shorter
 * one is sign-extended; an empty array is 0. */
static int cmp_decimal(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
    int na = la && (a[0] & 0x80), nb = lb && (b[0] & 0x80);
    if (na != nb) return na ? -1 : 1;
    size_t L = la > lb ? la : lb;
    uint8_t ea = na ? 0xff : 0, eb = nb ? 0xff : 0;
    for (size_t i = 0; i < L; i++) {
        uint8_t x = i < L - la ? ea : a[i - (L - la)];
        uint8_t y = i < L - lb ? eb : b[i - (L - lb)];
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

/* Half floats as a total-order key: NaN is filtered before; -0 and +0 become adjacent keys
 * and export writes a zero min as -0 and a zero max as +0, as for FLOAT. */
static inline uint16_t f16_key(uint16_t h) { return (h & 0x8000) ? (uint16_t)~h : (uint16_t)(h | 0x8000); }
static inline int f16_nan(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x03ff); }

/* ---- update: one loop per type ---------------------------------------------------------------- */

#define FOLD_FIXED(T, CMP_T, vals, n, s)                                               \
    do {                                                                               \
        const T *v_ = (const T *)(vals);                                               \
        CMP_T mn_ = (CMP_T)v_[0], mx_ = (CMP_T)v_[0];                                  \
        for (size_t i_ = 1; i_ < (n); i_++) {                                          \
            CMP_T x_ = (CMP_T)v_[i_];                                                  \
            mn_ = x_ < mn_ ? x_ : mn_;                                                 \
            mx_ = x_ > mx_ ? x_ : mx_;                                                 \
        }                                                                              \
        T tmn_ = (T)mn_, tmx_ = (T)mx_, cur_;                                          \
        if (!(s)->has_minmax) {                                                        \
            memcpy((s)->min_fixed, &tmn_, sizeof(T));                                  \
            memcpy((s)->max_fixed, &tmx_, sizeof(T));                                  \
            (s)->has_minmax = 1;                                                       \
        } else {                                                                       \
            memcpy(&cur_, (s)->min_fixed, sizeof(T));                                  \
            if (mn_ < (CMP_T)cur_) memcpy((s)->min_fixed, &tmn_, sizeof(T));           \
            memcpy(&cur_, (s)->max_fixed, sizeof(T));                                  \
            if (mx_ > (CMP_T)cur_) memcpy((s)->max_fixed, &tmx_, sizeof(T));           \
        }                                                                              \
    } while (0)

/* Floats: NaN is counted, never a min or max (parquet.thrift ColumnOrder). */
#define FOLD_FLOAT(T, vals, n, s)                                                      \
    do {                                                                               \
        const T *v_ = (const T *)(vals);                                               \
        T mn_ = 0, mx_ = 0;                                                            \
        size_t i_ = 0;                                                                 \
        int64_t nan_ = 0;                                                              \
        for (; i_ < (n) && isnan(v_[i_]); i_++) nan_++;                                \
        if (i_ < (n)) {                                                                \
            mn_ = mx_ = v_[i_];                                                        \
            for (i_++; i_ < (n); i_++) {                                               \
                T x_ = v_[i_];                                                         \
                if (IDBPQ__UNLIKELY(isnan(x_))) { nan_++; continue; }                  \
                mn_ = x_ < mn_ ? x_ : mn_;                                             \
                mx_ = x_ > mx_ ? x_ : mx_;                                             \
            }                                                                          \
            T cur_;                                                                    \
            if (!(s)->has_minmax) {                                                    \
                memcpy((s)->min_fixed, &mn_, sizeof(T));                               \
                memcpy((s)->max_fixed, &mx_, sizeof(T));                               \
                (s)->has_minmax = 1;                                                   \
            } else {                                                                   \
                memcpy(&cur_, (s)->min_fixed, sizeof(T));                              \
                if (mn_ < cur_) memcpy((s)->min_fixed, &mn_, sizeof(T));               \
                memcpy(&cur_, (s)->max_fixed, sizeof(T));                              \
                if (mx_ > cur_) memcpy((s)->max_fixed, &mx_, sizeof(T));               \
            }                                                                          \
        }                                                                              \
        (s)->nan_count += nan_;                                                        \
    } while (0)

static void fold_bool(struct idbpq__stats *s, const uint8_t *v, size_t n)
{
    uint8_t any_false = 0, any_true = 0;
    for (size_t i = 0; i < n; i++) {
        any_true |= v[i] != 0;
        any_false |= v[i] == 0;
    }
    uint8_t mn = any_false ? 0 : 1, mx = any_true ? 1 : 0;
    if (!s->has_minmax) {
        s->min_fixed[0] = mn;
        s->max_fixed[0] = mx;
        s->has_minmax = 1;
    } else {
        if (mn < s->min_fixed[0]) s->min_fixed[0] = mn;
        if (mx > s->max_fixed[0]) s->max_fixed[0] = mx;
    }
}

static void fold_f16(struct idbpq__stats *s, const uint8_t *v, size_t n)
{
    uint16_t mn = 0xffff, mx = 0; /* keys */
    int64_t nan = 0;
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t h = idbpq__le16(v + 2 * i);
        if (f16_nan(h)) { nan++; continue; }
        uint16_t k = f16_key(h);
        mn = k < mn ? k : mn;
        mx = k > mx ? k : mx;
        seen++;
    }
    s->nan_count += nan;
    if (!seen) return;
    if (s->has_minmax) {
        uint16_t cmn = f16_key(idbpq__le16(s->min_fixed)), cmx = f16_key(idbpq__le16(s->max_fixed));
        if (cmn < mn) mn = cmn;
        if (cmx > mx) mx = cmx;
    }
    /* back from key to half bits */
    uint16_t hmn = (mn & 0x8000) ? (uint16_t)(mn & 0x7fff) : (uint16_t)~mn;
    uint16_t hmx = (mx & 0x8000) ? (uint16_t)(mx & 0x7fff) : (uint16_t)~mx;
    memcpy(s->min_fixed, &hmn, 2);
    memcpy(s->max_fixed, &hmx, 2);
    s->has_minmax = 1;
}

typedef int (*cmp_fn)(const uint8_t *, size_t, const uint8_t *, size_t);

/* Finds the batch's extremes by pointer, then copies at most two values into the record. */
static idbpq_status fold_candidates(struct idbpq__stats *s, cmp_fn cmp, const uint8_t *mn,
                                    size_t lmn, const uint8_t *mx, size_t lmx)
{
    if (!s->has_minmax || cmp(mn, lmn, s->min_bytes.p, s->min_bytes.len) < 0) {
        idbpq__buf_reset(&s->min_bytes);
        IDBPQ__TRY(idbpq__buf_append(&s->min_bytes, mn, lmn));
        IDBPQ__TRY(idbpq__buf_reserve(&s->min_bytes, 1)); /* p non-NULL even when empty */
    }
    if (!s->has_minmax || cmp(mx, lmx, s->max_bytes.p, s->max_bytes.len) > 0) {
        idbpq__buf_reset(&s->max_bytes);
        IDBPQ__TRY(idbpq__buf_append(&s->max_bytes, mx, lmx));
        IDBPQ__TRY(idbpq__buf_reserve(&s->max_bytes, 1));
    }
    s->has_minmax = 1;
    return IDBPQ_OK;
}

/* The first 8 bytes of p[0..n) as a big-endian number, zero-padded: keys order like the
 * bytes, except that equal keys say nothing (a longer value or one with zero bytes may follow). */
static inline uint64_t prefix_key(const uint8_t *p, size_t n)
{
    if (n >= 8) return __builtin_bswap64(idbpq__le64(p));
    if (n >= 4)
        return ((uint64_t)__builtin_bswap32(idbpq__le32(p)) << 32) |
               ((uint64_t)__builtin_bswap32(idbpq__le32(p + n - 4)) << (8 * (8 - n)));
    if (n == 0) return 0;
    return ((uint64_t)p[0] << 56) | ((uint64_t)p[n / 2] << (56 - 8 * (n / 2))) |
           ((uint64_t)p[n - 1] << (56 - 8 * (n - 1)));
}

/* cmp_bytes of two values whose prefix keys are equal. Up to 8 bytes each, the keys hold
 * them whole, so the shorter one is a prefix of the other (its padding matched zero bytes). */
static inline int tie_cmp(const uint8_t *a, uint32_t la, const uint8_t *b, uint32_t lb)
{
    if (la <= 8 && lb <= 8) return la < lb ? -1 : la > lb;
    return cmp_bytes(a, la, b, lb);
}

static idbpq_status fold_byte_array(struct idbpq__stats *s, cmp_fn cmp, const idbpq_bytes *v,
                                    size_t n)
{
    if (cmp == cmp_bytes) {
        /* Compare 8-byte prefixes first; whole values only when the prefixes tie. */
        const uint8_t *pmn = v[0].ptr, *pmx = v[0].ptr;
        uint32_t lmn = v[0].len, lmx = v[0].len;
        uint64_t kmn = prefix_key(pmn, lmn), kmx = kmn;
        for (size_t i = 1; i < n; i++) {
            const uint8_t *p = v[i].ptr;
            uint32_t l = v[i].len;
            uint64_t k = prefix_key(p, l);
            if (k > kmn && k < kmx) continue; /* strictly inside: most values */
            if (k < kmn || (k == kmn && tie_cmp(p, l, pmn, lmn) < 0)) {
                kmn = k;
                pmn = p;
                lmn = l;
            } else if (k > kmx || (k == kmx && tie_cmp(p, l, pmx, lmx) > 0)) {
                kmx = k;
                pmx = p;
                lmx = l;
            }
        }
        return fold_candidates(s, cmp, pmn, lmn, pmx, lmx);
    }
    size_t imn = 0, imx = 0;
    for (size_t i = 1; i < n; i++) {
        if (cmp(v[i].ptr, v[i].len, v[imn].ptr, v[imn].len) < 0) imn = i;
        else if (cmp(v[i].ptr, v[i].len, v[imx].ptr, v[imx].len) > 0) imx = i;
    }
    return fold_candidates(s, cmp, v[imn].ptr, v[imn].len, v[imx].ptr, v[imx].len);
}

static idbpq_status fold_flba(struct idbpq__stats *s, cmp_fn cmp, const uint8_t *v, size_t n)
{
    size_t w = (size_t)s->type_length;
    const uint8_t *mn = v, *mx = v;
    if (cmp == cmp_bytes) {
        for (size_t i = 1; i < n; i++) {
            const uint8_t *x = v + i * w;
            if (memcmp(x, mn, w) < 0) mn = x;
            else if (memcmp(x, mx, w) > 0) mx = x;
        }
    } else {
        for (size_t i = 1; i < n; i++) {
            const uint8_t *x = v + i * w;
            if (cmp(x, w, mn, w) < 0) mn = x;
            else if (cmp(x, w, mx, w) > 0) mx = x;
        }
    }
    return fold_candidates(s, cmp, mn, w, mx, w);
}

idbpq_status idbpq__stats_update(struct idbpq__stats *s, const void *values, size_t n)
{
    if (n == 0) return IDBPQ_OK;
    switch (s->order) {
    case IDBPQ__ORDER_NONE: return IDBPQ_OK;
    case IDBPQ__ORDER_SIGNED:
        if (s->type == IDBPQ_BOOLEAN) fold_bool(s, values, n);
        else if (s->type == IDBPQ_INT32) FOLD_FIXED(int32_t, int32_t, values, n, s);
        else FOLD_FIXED(int64_t, int64_t, values, n, s);
        return IDBPQ_OK;
    case IDBPQ__ORDER_UNSIGNED:
        if (s->type == IDBPQ_INT32) FOLD_FIXED(int32_t, uint32_t, values, n, s);
        else FOLD_FIXED(int64_t, uint64_t, values, n, s);
        return IDBPQ_OK;
    case IDBPQ__ORDER_FLOAT:
        if (s->type == IDBPQ_FLOAT) FOLD_FLOAT(float, values, n, s);
        else FOLD_FLOAT(double, values, n, s);
        return IDBPQ_OK;
    case IDBPQ__ORDER_FLOAT16: fold_f16(s, values, n); return IDBPQ_OK;
    case IDBPQ__ORDER_BYTES:
    case IDBPQ__ORDER_DECIMAL_BYTES: {
        cmp_fn cmp = s->order == IDBPQ__ORDER_BYTES ? cmp_bytes : cmp_decimal;
        if (s->type == IDBPQ_BYTE_ARRAY) return fold_byte_array(s, cmp, values, n);
        return fold_flba(s, cmp, values, n);
    }
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__stats_merge(struct idbpq__stats *s, const struct idbpq__stats *other)
{
    s->null_count += other->null_count;
    s->nan_count += other->nan_count;
    if (!other->has_minmax || s->order == IDBPQ__ORDER_NONE) return IDBPQ_OK;
    if (other->order != s->order || other->type != s->type ||
        other->type_length != s->type_length)
        return IDBPQ_INVALID_ARG;
    /* The other record's min and max are values of the column (never NaN): fold them in. */
    if (s->type == IDBPQ_BYTE_ARRAY) {
        idbpq_bytes mm[2] = {{other->min_bytes.p, (uint32_t)other->min_bytes.len},
                             {other->max_bytes.p, (uint32_t)other->max_bytes.len}};
        return idbpq__stats_update(s, mm, 2);
    }
    if (s->type == IDBPQ_FIXED_LEN_BYTE_ARRAY && s->order != IDBPQ__ORDER_FLOAT16) {
        IDBPQ__TRY(idbpq__stats_update(s, other->min_bytes.p, 1));
        return idbpq__stats_update(s, other->max_bytes.p, 1);
    }
    IDBPQ__TRY(idbpq__stats_update(s, other->min_fixed, 1));
    return idbpq__stats_update(s, other->max_fixed, 1);
}

/* ---- export ------------------------------------------------------------------------------------ */

static idbpq_status copy_out(struct idbpq__arena *arena, const void *p, size_t n, idbpq_bytes *out)
{
    uint8_t *d = idbpq__arena_alloc(arena, n ? n : 1);
    if (!d) return IDBPQ_NOMEM;
    if (n) memcpy(d, p, n);
    out->ptr = d;
    out->len = (uint32_t)n;
    return IDBPQ_OK;
}

/* Where to cut a byte string to at most max bytes: not inside a UTF-8 sequence when that
 * costs at most 3 bytes (a shorter prefix is still a valid bound for binary data). */
static size_t cut_point(const uint8_t *p, size_t max)
{
    size_t k = max;
    while (k > 0 && max - k < 3 && (p[k] & 0xc0) == 0x80) k--;
    return k > 0 && (p[k] & 0xc0) != 0x80 ? k : max;
}

idbpq_status idbpq__stats_export(const struct idbpq__stats *s, uint32_t max_bytes,
                                 struct idbpq__arena *arena, idbpq_statistics *out)
{
    memset(out, 0, sizeof *out);
    out->has_null_count = 1;
    out->null_count = s->null_count;
    out->min_exact = out->max_exact = -1;
    if (s->order == IDBPQ__ORDER_FLOAT || s->order == IDBPQ__ORDER_FLOAT16) {
        out->has_nan_count = 1;
        out->nan_count = s->nan_count;
    }
    if (!s->has_minmax || s->order == IDBPQ__ORDER_NONE) return IDBPQ_OK;
    out->has_min = out->has_max = 1;
    out->min_exact = out->max_exact = 1;
    switch (s->type) {
    case IDBPQ_BOOLEAN:
        IDBPQ__TRY(copy_out(arena, s->min_fixed, 1, &out->min));
        return copy_out(arena, s->max_fixed, 1, &out->max);
    case IDBPQ_INT32:
        IDBPQ__TRY(copy_out(arena, s->min_fixed, 4, &out->min));
        return copy_out(arena, s->max_fixed, 4, &out->max);
    case IDBPQ_INT64:
        IDBPQ__TRY(copy_out(arena, s->min_fixed, 8, &out->min));
        return copy_out(arena, s->max_fixed, 8, &out->max);
    case IDBPQ_FLOAT: {
        float mn, mx;
        memcpy(&mn, s->min_fixed, 4);
        memcpy(&mx, s->max_fixed, 4);
        if (mn == 0) mn = -0.0f; /* a +0 min could hide -0 values (parquet.thrift) */
        if (mx == 0) mx = +0.0f;
        IDBPQ__TRY(copy_out(arena, &mn, 4, &out->min));
        return copy_out(arena, &mx, 4, &out->max);
    }
    case IDBPQ_DOUBLE: {
        double mn, mx;
        memcpy(&mn, s->min_fixed, 8);
        memcpy(&mx, s->max_fixed, 8);
        if (mn == 0) mn = -0.0;
        if (mx == 0) mx = +0.0;
        IDBPQ__TRY(copy_out(arena, &mn, 8, &out->min));
        return copy_out(arena, &mx, 8, &out->max);
    }
    default: break;
    }
    if (s->order == IDBPQ__ORDER_FLOAT16) {
        uint16_t mn = idbpq__le16(s->min_fixed), mx = idbpq__le16(s->max_fixed);
        if ((mn & 0x7fff) == 0) mn = 0x8000;
        if ((mx & 0x7fff) == 0) mx = 0x0000;
        IDBPQ__TRY(copy_out(arena, &mn, 2, &out->min));
        return copy_out(arena, &mx, 2, &out->max);
    }
    const uint8_t *mn = s->min_bytes.p, *mx = s->max_bytes.p;
    size_t lmn = s->min_bytes.len, lmx = s->max_bytes.len;
    /* Truncation is for BYTES only: a cut decimal would be a different number. */
    if (s->order != IDBPQ__ORDER_BYTES || max_bytes == 0) {
        IDBPQ__TRY(copy_out(arena, mn, lmn, &out->min));
        return copy_out(arena, mx, lmx, &out->max);
    }
    if (lmn > max_bytes) {
        lmn = cut_point(mn, max_bytes);
        out->min_exact = 0;
    }
    IDBPQ__TRY(copy_out(arena, mn, lmn, &out->min));
    if (lmx > max_bytes) {
        /* A prefix is smaller than the value, so bump its last byte that can be bumped. */
        size_t k = cut_point(mx, max_bytes);
        while (k > 0 && mx[k - 1] == 0xff) k--;
        if (k > 0) {
            IDBPQ__TRY(copy_out(arena, mx, k, &out->max));
            ((uint8_t *)out->max.ptr)[k - 1]++;
            out->max_exact = 0;
            return IDBPQ_OK;
        }
    }
    return copy_out(arena, mx, lmx, &out->max);
}
