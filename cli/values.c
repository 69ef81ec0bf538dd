/*
 * values.c — how one Parquet leaf value is shown: the JSON mapping of docs/cli.md, keyed on
 * the node's physical and logical type (decimals of any width, dates, times, timestamps,
 * INT96, UUID, INTERVAL, FLOAT16, strings, base64 binary). `cat` uses it for row values and
 * `meta` for statistics min/max, so both show a value the same way. The rules follow the
 * Parquet LogicalTypes.md spec; the layouts (ISO 8601, JS-style numbers) follow DuckDB's JSON
 * output where the spec leaves room, so test oracles can compare directly.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static void put_digits(char *o, uint64_t v, int n)
{
    while (n-- > 0) {
        o[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Proleptic Gregorian date from days since 1970-01-01 (H. Hinnant's civil_from_days). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, yy;
    uint64_t doe, yoe, doy, mp;
    z += 719468;
    era = floordiv(z, 146097);
    doe = (uint64_t)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yy + (*m <= 2);
}

/* "YYYY-MM-DD"; years outside 0000..9999 carry a sign and at least 4 digits (ISO 8601
 * expanded form: "+12345-01-01", "-0001-12-31"). Returns the length written. */
static size_t fmt_date(char *o, int64_t days)
{
    int64_t y;
    unsigned m, d;
    size_t n = 0;
    uint64_t ay;
    int yd = 4;
    civil(days, &y, &m, &d);
    if (y < 0 || y > 9999) o[n++] = y < 0 ? '-' : '+';
    ay = y < 0 ? (uint64_t)0 - (uint64_t)y : (uint64_t)y;
    for (uint64_t t = ay / 10000; t; t /= 10) yd++;
    put_digits(o + n, ay, yd);
    n += (size_t)yd;
    o[n++] = '-';
    put_digits(o + n, m, 2);
    n += 2;
    o[n++] = '-';
    put_digits(o + n, d, 2);
    return n + 2;
}

/* "HH:MM:SS.fff..." from a time of day in units of 10^-digits seconds. */
static size_t fmt_tod(char *o, uint64_t t, int digits)
{
    uint64_t per_s = 1;
    int k;
    for (k = 0; k < digits; k++) per_s *= 10;
    uint64_t frac = t % per_s, s = t / per_s;
    put_digits(o, s / 3600, 2);
    o[2] = ':';
    put_digits(o + 3, (s / 60) % 60, 2);
    o[5] = ':';
    put_digits(o + 6, s % 60, 2);
    if (!digits) return 8;
    o[8] = '.';
    put_digits(o + 9, frac, digits);
    return 9 + (size_t)digits;
}

static int unit_digits(idbpq_time_unit u)
{
    switch (u) {
    case IDBPQ_MILLIS: return 3;
    case IDBPQ_MICROS: return 6;
    case IDBPQ_NANOS: return 9;
    }
    return 6;
}

static int64_t unit_per_day(int digits)
{
    return digits == 3 ? 86400000LL : digits == 6 ? 86400000000LL : 86400000000000LL;
}

static void write_timestamp(jw *w, int64_t v, int digits, int utc)
{
    char o[64];
    int64_t per_day = unit_per_day(digits);
    int64_t days = floordiv(v, per_day);
    size_t n;
    uint64_t tod = (uint64_t)(v - days * per_day);
    o[0] = '"';
    n = 1 + fmt_date(o + 1, days);
    o[n++] = 'T';
    n += fmt_tod(o + n, tod, digits);
    if (utc) o[n++] = 'Z';
    o[n++] = '"';
    jw_write(w, o, n);
}

static void write_int96(jw *w, const uint8_t *p)
{
    char o[64];
    uint64_t nanos = 0;
    uint32_t jd = 0; /* a signed int32 on disk (Impala, Spark's getInt) */
    int64_t days, ns;
    size_t n;
    int k;
    for (k = 7; k >= 0; k--) nanos = nanos << 8 | p[k];
    for (k = 11; k >= 8; k--) jd = jd << 8 | p[k];
    ns = (int64_t)nanos;
    days = (int64_t)(int32_t)jd - 2440588 + floordiv(ns, 86400000000000LL);
    ns -= floordiv(ns, 86400000000000LL) * 86400000000000LL;
    o[0] = '"';
    n = 1 + fmt_date(o + 1, days);
    o[n++] = 'T';
    n += fmt_tod(o + n, (uint64_t)ns, 9);
    o[n++] = '"';
    jw_write(w, o, n);
}

/* Decimal text of a big-endian two's-complement integer of any length, with `scale`
 * fraction digits. Converts to base 10^9 limbs (schoolbook, quadratic in the length, which
 * is at most a few dozen bytes for real decimals). */
static void write_decimal_be(jw *w, const uint8_t *p, size_t len, int32_t scale)
{
    uint32_t limbs_small[16], *limbs = limbs_small;
    uint8_t mag_small[64], *mag = mag_small;
    size_t nl = 0, cap = len / 4 + 2, i, nd;
    int neg = len && (p[0] & 0x80);
    char *digits, dig_small[160];
    if (cap > 16) limbs = malloc(cap * sizeof *limbs);
    if (len > 64) mag = malloc(len);
    nd = cap * 9 + (scale > 0 ? (size_t)scale : 0) + 4;
    digits = nd > sizeof dig_small ? malloc(nd) : dig_small;
    if (!limbs || !mag || !digits) {
        w->err = 1;
        goto out;
    }
    /* Magnitude: negate two's complement when the sign bit is set. */
    memcpy(mag, p, len);
    if (neg) {
        int carry = 1;
        for (i = len; i-- > 0;) {
            unsigned v = (unsigned)(uint8_t)~mag[i] + (unsigned)carry;
            mag[i] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    for (i = 0; i < len; i++) {
        uint64_t carry = mag[i];
        size_t k;
        for (k = 0; k < nl; k++) {
            uint64_t v = (uint64_t)limbs[k] * 256 + carry;
            limbs[k] = (uint32_t)(v % 1000000000u);
            carry = v / 1000000000u;
        }
        while (carry) {
            limbs[nl++] = (uint32_t)(carry % 1000000000u);
            carry /= 1000000000u;
        }
    }
    /* Digits, most significant first, without leading zeros ("0" for zero). */
    {
        size_t n = 0, k;
        char tmp[10];
        if (nl == 0) digits[n++] = '0';
        for (k = nl; k-- > 0;) {
            if (k == nl - 1) {
                int t = 0;
                uint32_t v = limbs[k];
                do {
                    tmp[t++] = (char)('0' + v % 10);
                    v /= 10;
                } while (v);
                while (t) digits[n++] = tmp[--t];
            } else {
                put_digits(digits + n, limbs[k], 9);
                n += 9;
            }
        }
        if (neg && !(n == 1 && digits[0] == '0')) jw_putc(w, '-');
        if (scale <= 0) {
            jw_write(w, digits, n);
            for (int32_t z = 0; z < -scale; z++) jw_putc(w, '0');
        } else if ((size_t)scale >= n) {
            jw_write(w, "0.", 2);
            for (size_t z = n; z < (size_t)scale; z++) jw_putc(w, '0');
            jw_write(w, digits, n);
        } else {
            jw_write(w, digits, n - (size_t)scale);
            jw_putc(w, '.');
            jw_write(w, digits + n - (size_t)scale, (size_t)scale);
        }
    }
out:
    if (limbs != limbs_small) free(limbs);
    if (mag != mag_small) free(mag);
    if (digits != dig_small) free(digits);
}

static void write_decimal_i64(jw *w, int64_t v, int32_t scale)
{
    uint8_t be[8];
    int k;
    for (k = 7; k >= 0; k--) {
        be[k] = (uint8_t)v;
        v = (int64_t)((uint64_t)v >> 8);
    }
    write_decimal_be(w, be, 8, scale);
}

/* IEEE 754 half (little-endian in Parquet) to float. */
static float half_to_float(const uint8_t *p)
{
    uint16_t h = (uint16_t)(p[0] | p[1] << 8);
    int e = (h >> 10) & 31, m = h & 1023;
    float v;
    if (e == 0) v = ldexpf((float)m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexpf((float)(m | 1024), e - 25);
    return (h & 0x8000) ? -v : v;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int cli_is_string_node(const idbpq_schema_node *n)
{
    if (n->type != IDBPQ_BYTE_ARRAY && n->type != IDBPQ_FIXED_LEN_BYTE_ARRAY) return 0;
    if (n->logical.kind == IDBPQ_LT_STRING || n->logical.kind == IDBPQ_LT_ENUM ||
        n->logical.kind == IDBPQ_LT_JSON)
        return 1;
    return n->converted_type == IDBPQ_CT_UTF8 || n->converted_type == IDBPQ_CT_ENUM ||
           n->converted_type == IDBPQ_CT_JSON;
}

static void write_binary(jw *w, const idbpq_schema_node *n, const uint8_t *p, size_t len,
                         int binary_hex)
{
    const idbpq_logical *lt = &n->logical;
    if (cli_is_string_node(n)) {
        jw_str(w, p, len);
        return;
    }
    if (lt->kind == IDBPQ_LT_DECIMAL) {
        write_decimal_be(w, p, len, lt->scale);
        return;
    }
    if (n->type == IDBPQ_FIXED_LEN_BYTE_ARRAY) {
        if (lt->kind == IDBPQ_LT_UUID && len == 16) {
            char o[38];
            size_t k, j = 0;
            o[j++] = '"';
            for (k = 0; k < 16; k++) {
                if (k == 4 || k == 6 || k == 8 || k == 10) o[j++] = '-';
                o[j++] = "0123456789abcdef"[p[k] >> 4];
                o[j++] = "0123456789abcdef"[p[k] & 15];
            }
            o[j++] = '"';
            jw_write(w, o, j);
            return;
        }
        if (lt->kind == IDBPQ_LT_FLOAT16 && len == 2) {
            jw_float(w, half_to_float(p));
            return;
        }
        if ((lt->kind == IDBPQ_LT_INTERVAL || n->converted_type == IDBPQ_CT_INTERVAL) &&
            len == 12) {
            jw_puts(w, "{\"months\":");
            jw_u64(w, le32(p));
            jw_puts(w, ",\"days\":");
            jw_u64(w, le32(p + 4));
            jw_puts(w, ",\"millis\":");
            jw_u64(w, le32(p + 8));
            jw_putc(w, '}');
            return;
        }
    }
    if (binary_hex) {
        jw_write(w, "0x", 2);
        jw_hex(w, p, len);
    } else {
        jw_base64(w, p, len);
    }
}

void cli_write_value(jw *w, const idbpq_schema_node *n, const cli_value *v, int binary_hex)
{
    const idbpq_logical *lt = &n->logical;
    switch (v->type) {
    case IDBPQ_BOOLEAN:
        if (v->i)
            jw_write(w, "true", 4);
        else
            jw_write(w, "false", 5);
        return;
    case IDBPQ_INT32:
    case IDBPQ_INT64:
        if (lt->kind == IDBPQ_LT_DECIMAL) {
            write_decimal_i64(w, v->i, lt->scale);
            return;
        }
        if (lt->kind == IDBPQ_LT_DATE && v->type == IDBPQ_INT32) {
            char o[40];
            size_t k;
            o[0] = '"';
            k = 1 + fmt_date(o + 1, v->i);
            o[k++] = '"';
            jw_write(w, o, k);
            return;
        }
        if (lt->kind == IDBPQ_LT_TIME) {
            char o[40];
            int dg = unit_digits(lt->unit);
            int64_t per_day = unit_per_day(dg);
            int64_t t = v->i - floordiv(v->i, per_day) * per_day;
            size_t k;
            o[0] = '"';
            k = 1 + fmt_tod(o + 1, (uint64_t)t, dg);
            o[k++] = '"';
            jw_write(w, o, k);
            return;
        }
        if (lt->kind == IDBPQ_LT_TIMESTAMP) {
            write_timestamp(w, v->i, unit_digits(lt->unit), lt->utc ? 1 : 0);
            return;
        }
        if (lt->kind == IDBPQ_LT_INTEGER && !lt->is_signed) {
            if (v->type == IDBPQ_INT32)
                jw_u64(w, (uint32_t)v->i);
            else
                jw_u64(w, (uint64_t)v->i);
            return;
        }
        if (lt->kind == IDBPQ_LT_NULL) {
            jw_write(w, "null", 4);
            return;
        }
        jw_i64(w, v->i);
        return;
    case IDBPQ_INT96:
        if (v->len == 12) write_int96(w, v->p);
        else jw_write(w, "null", 4);
        return;
    case IDBPQ_FLOAT:
        jw_float(w, (float)v->d);
        return;
    case IDBPQ_DOUBLE:
        jw_double(w, v->d);
        return;
    case IDBPQ_BYTE_ARRAY:
    case IDBPQ_FIXED_LEN_BYTE_ARRAY:
        if (lt->kind == IDBPQ_LT_NULL) {
            jw_write(w, "null", 4);
            return;
        }
        write_binary(w, n, v->p, v->len, binary_hex);
        return;
    case IDBPQ_GROUP:
        break;
    }
    jw_write(w, "null", 4);
}

int cli_value_from_plain(const idbpq_schema_node *n, idbpq_bytes b, cli_value *v)
{
    memset(v, 0, sizeof *v);
    v->type = n->type;
    switch (n->type) {
    case IDBPQ_BOOLEAN:
        if (b.len < 1) return 0;
        v->i = b.ptr[0] & 1;
        return 1;
    case IDBPQ_INT32:
    case IDBPQ_FLOAT: {
        uint32_t u;
        if (b.len != 4) return 0;
        u = le32(b.ptr);
        if (n->type == IDBPQ_INT32) {
            v->i = (int32_t)u;
        } else {
            float f;
            memcpy(&f, &u, 4);
            v->d = f;
        }
        return 1;
    }
    case IDBPQ_INT64:
    case IDBPQ_DOUBLE: {
        uint64_t u = 0;
        int k;
        if (b.len != 8) return 0;
        for (k = 7; k >= 0; k--) u = u << 8 | b.ptr[k];
        if (n->type == IDBPQ_INT64) {
            v->i = (int64_t)u;
        } else {
            memcpy(&v->d, &u, 8);
        }
        return 1;
    }
    case IDBPQ_INT96:
        if (b.len != 12) return 0;
        v->p = b.ptr;
        v->len = 12;
        return 1;
    case IDBPQ_FIXED_LEN_BYTE_ARRAY:
    case IDBPQ_BYTE_ARRAY:
        v->p = b.ptr;
        v->len = b.len;
        return 1;
    case IDBPQ_GROUP:
        break;
    }
    return 0;
}
