/*
 * json_out.c — the CLI's output path: a 64 KiB buffer flushed with fwrite, and JSON
 * primitives written straight into it (integers, shortest round-trip floats, escaped UTF-8
 * strings with U+FFFD repair, base64). `idbpq cat` prints millions of values, so nothing
 * here calls printf per value; only the rare float that is not an integer goes through
 * snprintf/strtod to find its shortest form.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void jw_init(jw *w, FILE *f)
{
    w->f = f;
    w->n = 0;
    w->err = 0;
}

void jw_flush_(jw *w)
{
    if (w->n && !w->err && fwrite(w->buf, 1, w->n, w->f) != w->n) w->err = 1;
    w->n = 0;
}

void jw_write(jw *w, const char *p, size_t len)
{
    if (len > JW_BUF - w->n) {
        jw_flush_(w);
        if (len >= JW_BUF) {
            if (!w->err && fwrite(p, 1, len, w->f) != len) w->err = 1;
            return;
        }
    }
    memcpy(w->buf + w->n, p, len);
    w->n += len;
}

void jw_puts(jw *w, const char *s)
{
    jw_write(w, s, strlen(s));
}

void jw_printf(jw *w, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if ((size_t)k < sizeof tmp) {
        jw_write(w, tmp, (size_t)k);
        return;
    }
    {
        char *big = malloc((size_t)k + 1);
        if (!big) {
            w->err = 1;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)k + 1, fmt, ap);
        va_end(ap);
        jw_write(w, big, (size_t)k);
        free(big);
    }
}

int jw_finish(jw *w)
{
    jw_flush_(w);
    if (fflush(w->f) != 0) w->err = 1;
    return w->err ? -1 : 0;
}

void jw_u64(jw *w, uint64_t v)
{
    char tmp[24];
    int k = 24;
    do {
        tmp[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    jw_write(w, tmp + k, (size_t)(24 - k));
}

void jw_i64(jw *w, int64_t v)
{
    if (v < 0) {
        jw_putc(w, '-');
        jw_u64(w, (uint64_t)0 - (uint64_t)v); /* no overflow for INT64_MIN */
    } else {
        jw_u64(w, (uint64_t)v);
    }
}

/* ----- strings ---------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes at p are not one;
 * then *bad gets how many bytes form the maximal ill-formed subpart to replace by one
 * U+FFFD (Unicode §3.9 "U+FFFD substitution of maximal subparts", as WHATWG decoders do). */
static size_t utf8_seq(const uint8_t *p, size_t avail, size_t *bad)
{
    uint8_t c = p[0];
    size_t need, k;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0) lo = 0xA0;           /* no overlongs */
        else if (c == 0xED) hi = 0x9F;      /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0) lo = 0x90;
        else if (c == 0xF4) hi = 0x8F;      /* <= U+10FFFF */
    } else {
        *bad = 1;
        return 0;
    }
    for (k = 1; k < need; k++) {
        uint8_t b;
        if (k >= avail) {
            *bad = k;
            return 0;
        }
        b = p[k];
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) {
            *bad = k;
            return 0;
        }
    }
    return need;
}

static const char hexd[] = "0123456789abcdef";

void jw_str(jw *w, const uint8_t *p, size_t len)
{
    size_t i = 0, run = 0;
    jw_putc(w, '"');
    while (i < len) {
        uint8_t c = p[i];
        /* Copy plain ASCII in runs: the common case for most string data. */
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            run++;
            continue;
        }
        if (run) jw_write(w, (const char *)p + i - run, run);
        run = 0;
        if (c < 0x80) {
            char e[6];
            jw_putc(w, '\\');
            switch (c) {
            case '"': jw_putc(w, '"'); break;
            case '\\': jw_putc(w, '\\'); break;
            case '\n': jw_putc(w, 'n'); break;
            case '\r': jw_putc(w, 'r'); break;
            case '\t': jw_putc(w, 't'); break;
            case '\b': jw_putc(w, 'b'); break;
            case '\f': jw_putc(w, 'f'); break;
            default:
                e[0] = 'u'; e[1] = '0'; e[2] = '0';
                e[3] = hexd[c >> 4]; e[4] = hexd[c & 15];
                jw_write(w, e, 5);
            }
            i++;
        } else {
            size_t bad = 0, k = utf8_seq(p + i, len - i, &bad);
            if (k) {
                jw_write(w, (const char *)p + i, k);
                i += k;
            } else {
                jw_write(w, "\xEF\xBF\xBD", 3);
                i += bad;
            }
        }
    }
    if (run) jw_write(w, (const char *)p + i - run, run);
    jw_putc(w, '"');
}

void jw_cstr(jw *w, const char *s)
{
    jw_str(w, (const uint8_t *)s, s ? strlen(s) : 0);
}

void jw_base64(jw *w, const uint8_t *p, size_t len)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    char o[4];
    jw_putc(w, '"');
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        o[0] = al[v >> 18]; o[1] = al[(v >> 12) & 63]; o[2] = al[(v >> 6) & 63];
        o[3] = al[v & 63];
        jw_write(w, o, 4);
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        o[0] = al[v >> 18]; o[1] = al[(v >> 12) & 63]; o[2] = '='; o[3] = '=';
        jw_write(w, o, 4);
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        o[0] = al[v >> 18]; o[1] = al[(v >> 12) & 63]; o[2] = al[(v >> 6) & 63]; o[3] = '=';
        jw_write(w, o, 4);
    }
    jw_putc(w, '"');
}

void jw_hex(jw *w, const uint8_t *p, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        jw_putc(w, hexd[p[i] >> 4]);
        jw_putc(w, hexd[p[i] & 15]);
    }
}

/* ----- floating point --------------------------------------------------------------------- */

/* Shortest digits: the smallest precision whose %.*e text parses back to the same value.
 * Round-tripping is monotonic in the precision, so a binary search finds it in ~4 tries.
 * The digits are then laid out as JavaScript's Number.prototype.toString does: plain
 * decimal for exponents in [-6, 21), otherwise d.ddde±x — always valid JSON. */
size_t fmt_double(char *out, double v, int is_float)
{
    char best[40], tmp[40], digits[24];
    int lo = 1, hi = is_float ? 9 : 17, exp10, nd = 0, k;
    size_t o = 0;
    const char *q;
    if (v == 0) {
        if (signbit(v)) {
            memcpy(out, "-0.0", 5);
            return 4;
        }
        memcpy(out, "0", 2);
        return 1;
    }
    /* Integers below 2^53 (2^24 for floats) print as themselves: exact, already shortest,
     * and the common case. */
    if (fabs(v) < (is_float ? 16777216.0 : 9007199254740992.0) && v == (double)(int64_t)v) {
        int64_t iv = (int64_t)v;
        uint64_t u = iv < 0 ? (uint64_t)0 - (uint64_t)iv : (uint64_t)iv;
        char t[24];
        int j = 24;
        do {
            t[--j] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (iv < 0) out[o++] = '-';
        memcpy(out + o, t + j, (size_t)(24 - j));
        o += (size_t)(24 - j);
        out[o] = '\0';
        return o;
    }
    snprintf(best, sizeof best, "%.*e", hi - 1, v);
    while (lo < hi) {
        int mid = (lo + hi) / 2, ok;
        snprintf(tmp, sizeof tmp, "%.*e", mid - 1, v);
        ok = is_float ? (strtof(tmp, NULL) == (float)v) : (strtod(tmp, NULL) == v);
        if (ok) {
            hi = mid;
            memcpy(best, tmp, sizeof tmp);
        } else {
            lo = mid + 1;
        }
    }
    /* best is "[-]d.ddde[+-]xx": split into sign, digits and exponent. */
    q = best;
    if (*q == '-') {
        out[o++] = '-';
        q++;
    }
    for (; *q && *q != 'e'; q++)
        if (*q != '.') digits[nd++] = *q;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    exp10 = atoi(q + 1);
    if (exp10 >= -6 && exp10 < 21) {
        if (exp10 < 0) {
            out[o++] = '0';
            out[o++] = '.';
            for (k = -1; k > exp10; k--) out[o++] = '0';
            for (k = 0; k < nd; k++) out[o++] = digits[k];
        } else {
            for (k = 0; k <= exp10; k++) out[o++] = k < nd ? digits[k] : '0';
            if (nd > exp10 + 1) {
                out[o++] = '.';
                for (k = exp10 + 1; k < nd; k++) out[o++] = digits[k];
            }
        }
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (k = 1; k < nd; k++) out[o++] = digits[k];
        }
        o += (size_t)snprintf(out + o, 8, "e%c%d", exp10 < 0 ? '-' : '+', abs(exp10));
    }
    out[o] = '\0';
    return o;
}

static int write_nonfinite(jw *w, double v)
{
    if (isnan(v)) {
        jw_write(w, "\"NaN\"", 5);
        return 1;
    }
    if (isinf(v)) {
        if (v < 0)
            jw_write(w, "\"-Infinity\"", 11);
        else
            jw_write(w, "\"Infinity\"", 10);
        return 1;
    }
    return 0;
}

void jw_double(jw *w, double v)
{
    char t[48];
    if (write_nonfinite(w, v)) return;
    jw_write(w, t, fmt_double(t, v, 0));
}

void jw_float(jw *w, float v)
{
    char t[48];
    if (write_nonfinite(w, v)) return;
    jw_write(w, t, fmt_double(t, v, 1));
}
