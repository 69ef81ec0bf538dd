/*
 * delta_stats.c — the per-file statistics of an `add` (PROTOCOL.md "Per-file Statistics";
 * notes §3.2.2, §5.5), from the footer of the file just written.
 *
 * Engines skip files by these numbers, so a wrong bound silently drops rows: whatever the
 * footer cannot prove is left out rather than estimated. min/max come from every row
 * group's chunk statistics (a row group without them must be all null, else the column gets
 * none); float columns need a NaN count of 0; strings are cut to 32 code points, the max
 * with a tie-breaker above the cut (Spark's truncateMaxStringAgg), or left out when no cut
 * within 64 code points is safe; timestamps are UTC milliseconds truncated down; values
 * beyond what a JSON reader takes exactly (infinities, years past 9999) are left out.
 * nullCount of a plain leaf is the chunks' null counts (its def levels count a null struct
 * above it too, as Delta's count does); a LIST, MAP or VARIANT column counts whole null
 * values, which the footer does not have: the caller counts them while writing (node_nulls).
 * Only the first 32 columns in schema order are indexed (delta.dataSkippingNumIndexedCols).
 */
#include "sync/delta.h"

#include <math.h>
#include <stdio.h>

#include "mapping/mapping.h"

struct stctx {
    const idbpq_schema *s;
    const idbpq_file_meta *m;
    const int64_t *node_nulls;
    struct idbpq__buf *out;
    uint32_t left;               /* columns still to index */
    const char *skip;            /* a root column left out */
};

/* Whether node n is a struct (not a VARIANT group) whose fields are indexed one by one. */
static int is_struct(const idbpq_schema_node *n)
{
    return n->type == IDBPQ_GROUP && n->shape == IDBPQ_SHAPE_STRUCT &&
           n->logical.kind != IDBPQ_LT_VARIANT;
}

/* ---- values ---------------------------------------------------------------------------- */

/* Proleptic Gregorian date of days since 1970-01-01 (H. Hinnant's civil_from_days). */
static void civil(int64_t z, int64_t *y, unsigned *mo, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *mo = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*mo <= 2);
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* "YYYY-MM-DD" (ms < 0: date only) or "YYYY-MM-DDTHH:MM:SS.mmmZ"; 0 outside years 0..9999. */
static int fmt_time(char *out, size_t cap, int64_t days, int64_t ms_of_day, int with_time)
{
    int64_t y;
    unsigned mo, d;
    civil(days, &y, &mo, &d);
    if (y < 0 || y > 9999) return 0;
    if (!with_time) {
        snprintf(out, cap, "\"%04d-%02u-%02u\"", (int)y, mo, d);
        return 1;
    }
    int64_t s = ms_of_day / 1000;
    snprintf(out, cap, "\"%04d-%02u-%02uT%02d:%02d:%02d.%03dZ\"", (int)y, mo, d, (int)(s / 3600),
             (int)(s / 60 % 60), (int)(s % 60), (int)(ms_of_day % 1000));
    return 1;
}

static int fmt_timestamp(char *out, size_t cap, int64_t v, idbpq_time_unit u)
{
    int64_t per = u == IDBPQ_MILLIS ? 1 : u == IDBPQ_MICROS ? 1000 : 1000000;
    int64_t ms = floor_div(v, per); /* truncated down, for min and max alike (notes §7) */
    int64_t days = floor_div(ms, 86400000);
    return fmt_time(out, cap, days, ms - days * 86400000, 1);
}

/* Unsigned big-endian magnitude / two's complement bytes as decimal text with scale. */
static int fmt_decimal(char *out, size_t cap, const uint8_t *be, size_t n, int is_signed,
                       int32_t scale)
{
    uint8_t mag[32];
    if (n == 0 || n > sizeof mag || cap < 90) return 0;
    memcpy(mag, be, n);
    int neg = is_signed && (mag[0] & 0x80);
    if (neg) { /* negate */
        unsigned carry = 1;
        for (size_t i = n; i-- > 0;) {
            unsigned x = (uint8_t)~mag[i] + carry;
            mag[i] = (uint8_t)x;
            carry = x >> 8;
        }
    }
    char digits[100];
    size_t nd = 0, len = n, lead = 0;
    while (lead < len && mag[lead] == 0) lead++;
    do {
        unsigned rem = 0;
        for (size_t i = lead; i < len; i++) {
            unsigned cur = (rem << 8) | mag[i];
            mag[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
        }
        digits[nd++] = (char)('0' + rem);
        while (lead < len && mag[lead] == 0) lead++;
    } while (lead < len && nd < sizeof digits - 1);
    while ((int32_t)nd <= scale) digits[nd++] = '0';
    size_t k = 0;
    if (neg) out[k++] = '-';
    while (nd) {
        if ((int32_t)nd == scale) out[k++] = '.';
        out[k++] = digits[--nd];
    }
    out[k] = 0;
    return 1;
}

/* The byte offset after `count` code points of UTF-8 p[0..n) (n when it has fewer), and in
 * *next the code point found there; -1 when the bytes up to there are not valid UTF-8. */
static long utf8_cut(const uint8_t *p, size_t n, size_t count, uint32_t *next)
{
    size_t i = 0;
    for (size_t k = 0; k <= count && i < n; k++) {
        uint32_t c = p[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!len || i + len > n) return -1;
        if (len > 1) {
            c &= 0x3fu >> (len - 1);
            for (size_t j = 1; j < len; j++) {
                if ((p[i + j] & 0xc0) != 0x80) return -1;
                c = (c << 6) | (p[i + j] & 0x3fu);
            }
        }
        if (k == count) {
            if (next) *next = c;
            return (long)i;
        }
        i += len;
    }
    return (long)i;
}

#define PREFIX 32 /* delta.dataSkippingStringPrefixLength */

/* A string min: its first 32 code points (a prefix is never greater). */
static idbpq_status str_min(struct idbpq__buf *out, const uint8_t *p, size_t n, int *ok)
{
    long cut = utf8_cut(p, n, PREFIX, NULL);
    if (cut < 0) return (*ok = 0), IDBPQ_OK;
    *ok = 1;
    return idbpq__jw_str(out, (const char *)p, (size_t)cut);
}

/* A string max: whole when at most 32 code points; else a prefix of 32..64 code points and a
 * tie-breaker greater than the code point cut off: U+007F when that is below it, U+10FFFF
 * unless the cut-off one is U+10FFFF itself (then the cut moves on). */
static idbpq_status str_max(struct idbpq__buf *out, const uint8_t *p, size_t n, int *ok)
{
    *ok = 0;
    for (size_t at = PREFIX; at <= 2 * PREFIX; at++) {
        uint32_t c = 0xffffffffu;
        long cut = utf8_cut(p, n, at, &c);
        if (cut < 0) return IDBPQ_OK;
        if ((size_t)cut >= n) { /* the whole string */
            *ok = 1;
            return idbpq__jw_str(out, (const char *)p, n);
        }
        if (c == 0x10ffff) continue;
        IDBPQ__TRY(idbpq__jw_str(out, (const char *)p, (size_t)cut));
        out->len--; /* reopen the string for the tie-breaker */
        IDBPQ__TRY(c < 0x7f ? idbpq__buf_push(out, 0x7f)
                            : idbpq__buf_append(out, "\xf4\x8f\xbf\xbf", 4));
        *ok = 1;
        return idbpq__buf_push(out, '"');
    }
    return IDBPQ_OK;
}

/* ---- min/max across row groups ---------------------------------------------------------- */

enum vk { VK_NONE, VK_INT, VK_UINT, VK_DOUBLE, VK_BYTES, VK_DEC };

/* How a leaf's bounds are compared and printed; VK_NONE: no min/max (ineligible). */
static enum vk kind_of(const idbpq_schema_node *n)
{
    const idbpq_logical *l = &n->logical;
    if (n->max_rep > 0) return VK_NONE;
    if (l->kind == IDBPQ_LT_DECIMAL) return VK_DEC;
    switch (n->type) {
    case IDBPQ_INT32:
    case IDBPQ_INT64:
        if (l->kind == IDBPQ_LT_INTEGER && !l->is_signed) return VK_UINT;
        if (l->kind == IDBPQ_LT_NONE || l->kind == IDBPQ_LT_INTEGER ||
            l->kind == IDBPQ_LT_DATE || l->kind == IDBPQ_LT_TIMESTAMP)
            return VK_INT;
        return VK_NONE;
    case IDBPQ_FLOAT:
    case IDBPQ_DOUBLE: return VK_DOUBLE;
    case IDBPQ_FIXED_LEN_BYTE_ARRAY: return l->kind == IDBPQ_LT_FLOAT16 ? VK_DOUBLE : VK_NONE;
    case IDBPQ_BYTE_ARRAY:
        return l->kind == IDBPQ_LT_STRING || l->kind == IDBPQ_LT_JSON || l->kind == IDBPQ_LT_ENUM
                   ? VK_BYTES : VK_NONE;
    case IDBPQ_BOOLEAN:
    case IDBPQ_INT96:
    case IDBPQ_GROUP:
    default: return VK_NONE;
    }
}

struct bound {
    int set;
    int64_t i;
    uint64_t u;
    double d;
    idbpq_bytes b;
};

static int decode(const idbpq_schema_node *n, enum vk k, idbpq_bytes v, struct bound *out)
{
    out->set = 1;
    out->b = v;
    switch (k) {
    case VK_INT:
    case VK_UINT:
        if (n->type == IDBPQ_INT32 && v.len == 4) {
            int32_t x = (int32_t)idbpq__le32(v.ptr);
            out->i = x;
            out->u = (uint32_t)x;
            return 1;
        }
        if (n->type == IDBPQ_INT64 && v.len == 8) {
            out->u = idbpq__le64(v.ptr);
            out->i = (int64_t)out->u;
            return 1;
        }
        return 0;
    case VK_DOUBLE:
        if (n->type == IDBPQ_FLOAT && v.len == 4) {
            float f;
            memcpy(&f, v.ptr, 4);
            out->d = f;
        } else if (n->type == IDBPQ_DOUBLE && v.len == 8) {
            memcpy(&out->d, v.ptr, 8);
        } else if (n->type == IDBPQ_FIXED_LEN_BYTE_ARRAY && v.len == 2) {
            out->d = idbpq__half_to_float((uint16_t)(v.ptr[0] | v.ptr[1] << 8));
        } else {
            return 0;
        }
        return !isnan(out->d);
    case VK_DEC:
        if (n->type == IDBPQ_INT32 && v.len == 4) out->i = (int32_t)idbpq__le32(v.ptr);
        else if (n->type == IDBPQ_INT64 && v.len == 8) out->i = (int64_t)idbpq__le64(v.ptr);
        else if ((n->type == IDBPQ_BYTE_ARRAY || n->type == IDBPQ_FIXED_LEN_BYTE_ARRAY) &&
                 v.len >= 1 && v.len <= 16) return 1;
        else return 0;
        return 1;
    case VK_BYTES: return 1;
    case VK_NONE:
    default: return 0;
    }
}

/* Signed comparison of big-endian two's complement numbers of any lengths up to 16. */
static int cmp_be(idbpq_bytes a, idbpq_bytes b)
{
    uint8_t x[16], y[16];
    memset(x, a.len && (a.ptr[0] & 0x80) ? 0xff : 0, 16);
    memset(y, b.len && (b.ptr[0] & 0x80) ? 0xff : 0, 16);
    memcpy(x + 16 - a.len, a.ptr, a.len);
    memcpy(y + 16 - b.len, b.ptr, b.len);
    if ((x[0] ^ y[0]) & 0x80) return (x[0] & 0x80) ? -1 : 1;
    int c = memcmp(x, y, 16);
    return c < 0 ? -1 : c > 0;
}

static int cmp(const idbpq_schema_node *n, enum vk k, const struct bound *a, const struct bound *b)
{
    switch (k) {
    case VK_INT: return a->i < b->i ? -1 : a->i > b->i;
    case VK_UINT: return a->u < b->u ? -1 : a->u > b->u;
    case VK_DOUBLE: return a->d < b->d ? -1 : a->d > b->d;
    case VK_DEC:
        if (n->type == IDBPQ_INT32 || n->type == IDBPQ_INT64) return a->i < b->i ? -1 : a->i > b->i;
        return cmp_be(a->b, b->b);
    case VK_BYTES: {
        uint32_t m = a->b.len < b->b.len ? a->b.len : b->b.len;
        int c = m ? memcmp(a->b.ptr, b->b.ptr, m) : 0;
        return c ? (c < 0 ? -1 : 1) : (a->b.len < b->b.len ? -1 : a->b.len > b->b.len);
    }
    case VK_NONE:
    default: return 0;
    }
}

/* The file's min and max of column col; 0 when it has no provable bounds. */
static int bounds(const struct stctx *c, const idbpq_schema_node *n, enum vk k,
                  struct bound *mn, struct bound *mx)
{
    memset(mn, 0, sizeof *mn);
    memset(mx, 0, sizeof *mx);
    for (int32_t g = 0; g < c->m->num_row_groups; g++) {
        const idbpq_row_group_meta *rg = &c->m->row_groups[g];
        if (n->column >= rg->num_columns) return 0;
        const idbpq_column_chunk_meta *cc = &rg->columns[n->column];
        const idbpq_statistics *st = &cc->statistics;
        if (!cc->has_statistics || !st->has_null_count) return 0;
        if (k == VK_DOUBLE && (!st->has_nan_count || st->nan_count != 0)) return 0;
        if (st->legacy_minmax && k != VK_INT && k != VK_DOUBLE) return 0;
        if (!st->has_min || !st->has_max) {
            if (st->null_count == rg->num_rows) continue; /* all null: nothing to bound */
            return 0;
        }
        struct bound a, b;
        if (!decode(n, k, st->min, &a) || !decode(n, k, st->max, &b)) return 0;
        if (!mn->set || cmp(n, k, &a, mn) < 0) *mn = a;
        if (!mx->set || cmp(n, k, &b, mx) > 0) *mx = b;
    }
    return mn->set && mx->set;
}

/* Appends one bound as JSON (after `"name":`), or nothing (returns 0). */
static idbpq_status put_bound(struct stctx *c, const idbpq_schema_node *n, enum vk k,
                              const struct bound *v, int is_max, int *ok)
{
    char t[128];
    const idbpq_logical *l = &n->logical;
    *ok = 0;
    switch (k) {
    case VK_INT:
        if (l->kind == IDBPQ_LT_DATE) {
            if (!fmt_time(t, sizeof t, v->i, 0, 0)) return IDBPQ_OK;
        } else if (l->kind == IDBPQ_LT_TIMESTAMP) {
            if (!fmt_timestamp(t, sizeof t, v->i, l->unit)) return IDBPQ_OK;
        } else {
            snprintf(t, sizeof t, "%lld", (long long)v->i);
        }
        break;
    case VK_UINT:
        snprintf(t, sizeof t, "%llu", (unsigned long long)(n->type == IDBPQ_INT32
                                                               ? (uint64_t)(uint32_t)v->u : v->u));
        break;
    case VK_DOUBLE:
        if (isinf(v->d)) return IDBPQ_OK;
        idbpq__fmt_number(t, v->d);
        break;
    case VK_DEC:
        if (n->type == IDBPQ_INT32 || n->type == IDBPQ_INT64) {
            uint8_t be[8];
            for (int i = 0; i < 8; i++) be[i] = (uint8_t)((uint64_t)v->i >> (56 - 8 * i));
            if (!fmt_decimal(t, sizeof t, be, 8, 1, l->scale)) return IDBPQ_OK;
        } else if (!fmt_decimal(t, sizeof t, v->b.ptr, v->b.len, 1, l->scale)) {
            return IDBPQ_OK;
        }
        break;
    case VK_BYTES:
        return is_max ? str_max(c->out, v->b.ptr, v->b.len, ok)
                      : str_min(c->out, v->b.ptr, v->b.len, ok);
    case VK_NONE:
    default: return IDBPQ_OK;
    }
    *ok = 1;
    return idbpq__jw_raw(c->out, t);
}

/* ---- the three objects ------------------------------------------------------------------ */

enum what { W_MIN, W_MAX, W_NULLS };

static int64_t null_count(const struct stctx *c, int32_t node)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(c->s, node);
    if (n->type == IDBPQ_GROUP || n->max_rep > 0)
        return c->node_nulls ? c->node_nulls[node] : -1;
    int64_t sum = 0;
    for (int32_t g = 0; g < c->m->num_row_groups; g++) {
        const idbpq_row_group_meta *rg = &c->m->row_groups[g];
        if (n->column >= rg->num_columns) return -1;
        const idbpq_column_chunk_meta *cc = &rg->columns[n->column];
        if (!cc->has_statistics || !cc->statistics.has_null_count) return -1;
        sum += cc->statistics.null_count;
    }
    return sum;
}

/* The members of struct node g for one of the objects; *any: something was written. The
 * column budget is spent in schema order (the same walk for all three objects). */
static idbpq_status members(struct stctx *c, int32_t g, enum what w, uint32_t *left, int *any)
{
    const idbpq_schema_node *gn = idbpq_schema_node_at(c->s, g);
    for (int32_t i = 0; i < gn->num_children && *left; i++) {
        int32_t ci = gn->children[i];
        const idbpq_schema_node *n = idbpq_schema_node_at(c->s, ci);
        if (g == 0 && c->skip && strcmp(n->name, c->skip) == 0) continue;
        size_t mark = c->out->len;
        IDBPQ__TRY(idbpq__jw_key(c->out, n->name, !*any));
        int wrote = 0;
        if (is_struct(n)) {
            IDBPQ__TRY(idbpq__buf_push(c->out, '{'));
            int inner = 0;
            IDBPQ__TRY(members(c, ci, w, left, &inner));
            IDBPQ__TRY(idbpq__buf_push(c->out, '}'));
            wrote = inner;
        } else {
            (*left)--;
            if (w == W_NULLS) {
                int64_t nc = null_count(c, ci);
                if (nc >= 0) {
                    IDBPQ__TRY(idbpq__jw_int(c->out, nc));
                    wrote = 1;
                }
            } else {
                enum vk k = n->type == IDBPQ_GROUP ? VK_NONE : kind_of(n);
                struct bound mn, mx;
                if (k != VK_NONE && bounds(c, n, k, &mn, &mx))
                    IDBPQ__TRY(put_bound(c, n, k, w == W_MIN ? &mn : &mx, w == W_MAX, &wrote));
            }
        }
        if (wrote) *any = 1;
        else c->out->len = mark;
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__delta_stats(const idbpq_schema *s, const idbpq_file_meta *m,
                                const int64_t *node_nulls, const char *skip,
                                uint32_t max_indexed, struct idbpq__buf *out)
{
    struct stctx c = {s, m, node_nulls, out, 0, skip};
    IDBPQ__TRY(idbpq__jw_raw(out, "{\"numRecords\":"));
    IDBPQ__TRY(idbpq__jw_int(out, m->num_rows));
    static const char *const names[] = {"minValues", "maxValues", "nullCount"};
    for (int w = W_MIN; w <= W_NULLS; w++) {
        size_t mark = out->len;
        IDBPQ__TRY(idbpq__jw_key(out, names[w], 0));
        IDBPQ__TRY(idbpq__buf_push(out, '{'));
        uint32_t left = max_indexed ? max_indexed : 32;
        int any = 0;
        IDBPQ__TRY(members(&c, 0, (enum what)w, &left, &any));
        IDBPQ__TRY(idbpq__buf_push(out, '}'));
        if (!any && w != W_NULLS) out->len = mark;
    }
    return idbpq__buf_push(out, '}');
}
