/*
 * tjson_write.c — prints a value as tagged JSON (docs/tagged-json.md and the extensions in
 * docs/value-model.md). Objects are numbered in the order first printed; a second visit
 * prints {"$ref":N}. A pre-pass counts how often each ArrayBuffer is reached so that a view
 * owning its whole buffer alone prints in the short {"$binary",...,"$type"} form and any
 * other view keeps its buffer, offset and flags exactly ({"$view":...}).
 */
#include "value/value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define TJSON_MAX_DEPTH 2000 /* tjson_parse.c accepts the same */

/* ---- numbers ------------------------------------------------------------------------------ */

size_t idbpq__fmt_number(char *out, double v)
{
    char best[40], tmp[40], digits[24];
    size_t o = 0;
    int nd = 0, lo = 1, hi = 17;
    if (isnan(v)) { memcpy(out, "NaN", 4); return 3; }
    if (isinf(v)) {
        if (v < 0) { memcpy(out, "-Infinity", 10); return 9; }
        memcpy(out, "Infinity", 9);
        return 8;
    }
    if (v == 0) { memcpy(out, "0", 2); return 1; }
    if (fabs(v) < 9007199254740992.0 && v == (double)(int64_t)v) {
        /* Integers below 2^53: exact and already shortest. */
        int64_t iv = (int64_t)v;
        uint64_t u = iv < 0 ? (uint64_t)0 - (uint64_t)iv : (uint64_t)iv;
        char t[24];
        int j = 24;
        do { t[--j] = (char)('0' + u % 10); u /= 10; } while (u);
        if (iv < 0) out[o++] = '-';
        memcpy(out + o, t + j, (size_t)(24 - j));
        o += (size_t)(24 - j);
        out[o] = 0;
        return o;
    }
    /* The shortest precision whose correctly rounded digits read back to v: these are the
     * digits ECMAScript's Number::toString picks (the closest of the shortest). */
    snprintf(best, sizeof best, "%.16e", v);
    /* Fast path: a normal double that reads back from 15 significant digits (DBL_DIG: every
     * decimal of up to 15 digits does) has its shortest form among them, trailing zeros
     * dropped below; only the rest needs the search over 16 and 17 digits. */
    if (fabs(v) >= 2.2250738585072014e-308) { /* normal: subnormals have fewer digits */
        snprintf(tmp, sizeof tmp, "%.14e", v);
        if (strtod(tmp, NULL) == v) {
            memcpy(best, tmp, sizeof tmp);
            lo = hi;
        } else {
            lo = 16;
        }
    }
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(tmp, sizeof tmp, "%.*e", mid - 1, v);
        if (strtod(tmp, NULL) == v) { hi = mid; memcpy(best, tmp, sizeof tmp); }
        else lo = mid + 1;
    }
    const char *q = best;
    if (*q == '-') { out[o++] = '-'; q++; }
    for (; *q && *q != 'e'; q++)
        if (*q != '.') digits[nd++] = *q;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    int n = atoi(q + 1) + 1, k;
    if (nd <= n && n <= 21) {
        for (k = 0; k < n; k++) out[o++] = k < nd ? digits[k] : '0';
    } else if (0 < n && n <= 21) {
        for (k = 0; k < nd; k++) {
            if (k == n) out[o++] = '.';
            out[o++] = digits[k];
        }
    } else if (-6 < n && n <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (k = 0; k < -n; k++) out[o++] = '0';
        for (k = 0; k < nd; k++) out[o++] = digits[k];
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (k = 1; k < nd; k++) out[o++] = digits[k];
        }
        o += (size_t)snprintf(out + o, 8, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    out[o] = 0;
    return o;
}

/* ---- the printer -------------------------------------------------------------------------- */

struct wr {
    struct idbpq__buf b;
    struct idbpq__pmap refs;     /* object -> its number, once printed */
    struct idbpq__pmap buf_in;   /* ArrayBuffer -> how many edges reach it */
    uint32_t next;
    idbpq_status st;
};

static void put(struct wr *w, const void *p, size_t n)
{
    if (w->st == IDBPQ_OK) w->st = idbpq__buf_append(&w->b, p, n);
}
static void puts_(struct wr *w, const char *s) { put(w, s, strlen(s)); }
static void putc_(struct wr *w, char c)
{
    if (w->st == IDBPQ_OK) w->st = idbpq__buf_push(&w->b, (uint8_t)c);
}

static void put_u64(struct wr *w, uint64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    put(w, t, (size_t)n);
}

static const char hexd[] = "0123456789abcdef";

/* A JSON string from UTF-16 units: UTF-8 for valid text, \uXXXX for controls and lone
 * surrogates (as JSON.stringify does). */
static void put_str(struct wr *w, const idbpq_str *s)
{
    if (w->st != IDBPQ_OK) return;
    w->st = idbpq__buf_reserve(&w->b, (size_t)s->len * 6 + 2);
    if (w->st != IDBPQ_OK) return;
    uint8_t *o = w->b.p + w->b.len;
    *o++ = '"';
    for (uint32_t i = 0; i < s->len; i++) {
        uint32_t c = idbpq__str_unit(s, i);
        if (c < 0x20 || c == '"' || c == '\\') {
            *o++ = '\\';
            switch (c) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '\b': *o++ = 'b'; break;
            case '\f': *o++ = 'f'; break;
            case '\n': *o++ = 'n'; break;
            case '\r': *o++ = 'r'; break;
            case '\t': *o++ = 't'; break;
            default:
                *o++ = 'u'; *o++ = '0'; *o++ = '0';
                *o++ = (uint8_t)hexd[c >> 4]; *o++ = (uint8_t)hexd[c & 15];
            }
        } else if (c < 0x80) {
            *o++ = (uint8_t)c;
        } else if (c < 0x800) {
            *o++ = (uint8_t)(0xc0 | (c >> 6));
            *o++ = (uint8_t)(0x80 | (c & 0x3f));
        } else if (c >= 0xd800 && c <= 0xdfff) {
            uint32_t d = i + 1 < s->len ? idbpq__str_unit(s, i + 1) : 0;
            if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
                uint32_t cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
                *o++ = (uint8_t)(0xf0 | (cp >> 18));
                *o++ = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
                *o++ = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
                *o++ = (uint8_t)(0x80 | (cp & 0x3f));
                i++;
            } else {
                *o++ = '\\'; *o++ = 'u';
                *o++ = (uint8_t)hexd[c >> 12]; *o++ = (uint8_t)hexd[(c >> 8) & 15];
                *o++ = (uint8_t)hexd[(c >> 4) & 15]; *o++ = (uint8_t)hexd[c & 15];
            }
        } else {
            *o++ = (uint8_t)(0xe0 | (c >> 12));
            *o++ = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
            *o++ = (uint8_t)(0x80 | (c & 0x3f));
        }
    }
    *o++ = '"';
    w->b.len = (size_t)(o - w->b.p);
}

static void put_cstr(struct wr *w, const char *s)
{
    idbpq_str t = {s, (uint32_t)strlen(s), 0};
    put_str(w, &t);
}

static void put_b64(struct wr *w, const uint8_t *p, uint64_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (w->st != IDBPQ_OK) return;
    if (n > SIZE_MAX / 2) { w->st = IDBPQ_NOMEM; return; }
    w->st = idbpq__buf_reserve(&w->b, (size_t)(n + 2) / 3 * 4 + 2);
    if (w->st != IDBPQ_OK) return;
    uint8_t *o = w->b.p + w->b.len;
    *o++ = '"';
    uint64_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t x = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = (uint8_t)a[x >> 18]; *o++ = (uint8_t)a[(x >> 12) & 63];
        *o++ = (uint8_t)a[(x >> 6) & 63]; *o++ = (uint8_t)a[x & 63];
    }
    if (n - i == 1) {
        uint32_t x = (uint32_t)p[i] << 16;
        *o++ = (uint8_t)a[x >> 18]; *o++ = (uint8_t)a[(x >> 12) & 63]; *o++ = '='; *o++ = '=';
    } else if (n - i == 2) {
        uint32_t x = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        *o++ = (uint8_t)a[x >> 18]; *o++ = (uint8_t)a[(x >> 12) & 63];
        *o++ = (uint8_t)a[(x >> 6) & 63]; *o++ = '=';
    }
    *o++ = '"';
    w->b.len = (size_t)(o - w->b.p);
}

/* A number where JSON can hold it, else {"$number":"..."}. */
static void put_number(struct wr *w, double d)
{
    char t[40];
    size_t n = idbpq__fmt_number(t, d);
    if (isfinite(d) && !(d == 0 && signbit(d))) { put(w, t, n); return; }
    puts_(w, "{\"$number\":\"");
    if (d == 0) puts_(w, "-0"); else put(w, t, n);
    puts_(w, "\"}");
}

/* Decimal digits of a BigInt magnitude (little-endian bytes): repeated division by 10^9. */
static void put_bigint(struct wr *w, const idbpq_value *v)
{
    uint32_t len = v->u.bigint.len;
    const uint8_t *d = v->u.bigint.digits;
    while (len && d[len - 1] == 0) len--;
    puts_(w, "{\"$bigint\":\"");
    if (len == 0) { puts_(w, "0\"}"); return; }
    if (v->u.bigint.negative) putc_(w, '-');
    size_t nl = ((size_t)len + 3) / 4, nchunks = nl * 32 / 29 + 2;
    uint32_t *limb = idbpq__calloc(w->b.alc, nl * 4);
    uint32_t *chunk = idbpq__malloc(w->b.alc, nchunks * 4);
    if (!limb || !chunk) {
        w->st = IDBPQ_NOMEM;
    } else {
        for (uint32_t i = 0; i < len; i++) limb[i / 4] |= (uint32_t)d[i] << (8 * (i % 4));
        size_t top = nl, nc = 0;
        while (top) {
            uint64_t rem = 0;
            for (size_t i = top; i-- > 0;) {
                uint64_t cur = rem << 32 | limb[i];
                limb[i] = (uint32_t)(cur / 1000000000u);
                rem = cur % 1000000000u;
            }
            chunk[nc++] = (uint32_t)rem;
            while (top && limb[top - 1] == 0) top--;
        }
        char t[16];
        int n = snprintf(t, sizeof t, "%u", chunk[nc - 1]);
        put(w, t, (size_t)n);
        for (size_t i = nc - 1; i-- > 0;) {
            n = snprintf(t, sizeof t, "%09u", chunk[i]);
            put(w, t, (size_t)n);
        }
    }
    idbpq__free(w->b.alc, limb, nl * 4);
    idbpq__free(w->b.alc, chunk, nchunks * 4);
    puts_(w, "\"}");
}

static const char *const view_names[] = {
    "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
    "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
    "BigInt64Array", "BigUint64Array", "DataView"};
static const char *const error_names[] = {"Error", "EvalError", "RangeError", "ReferenceError",
                                          "SyntaxError", "TypeError", "URIError"};

static void write_value(struct wr *w, const idbpq_value *v, int depth);

static void write_key(struct wr *w, const idbpq_value *key)
{
    char tmp[32];
    idbpq_str s;
    if (!key || (key->type != IDBPQ_V_STRING && key->type != IDBPQ_V_NUMBER)) {
        if (w->st == IDBPQ_OK) w->st = IDBPQ_INVALID_ARG;
        return;
    }
    s = idbpq__key_name(key, tmp);
    put_str(w, &s);
}

static void write_props(struct wr *w, const idbpq_prop *const *pp, const idbpq_prop *props,
                        uint32_t n, int depth)
{
    putc_(w, '{');
    for (uint32_t i = 0; i < n && w->st == IDBPQ_OK; i++) {
        const idbpq_prop *p = pp ? pp[i] : &props[i];
        if (i) putc_(w, ',');
        write_key(w, p->key);
        putc_(w, ':');
        write_value(w, p->value, depth + 1);
    }
    putc_(w, '}');
}

static int key_is_dollar(const idbpq_value *key)
{
    return key && key->type == IDBPQ_V_STRING && key->u.str.len &&
           idbpq__str_unit(&key->u.str, 0) == '$';
}

static void write_array(struct wr *w, const idbpq_value *v, int depth)
{
    const idbpq_value *const *items = (const idbpq_value *const *)v->u.array.items;
    uint32_t n = v->u.array.length, i;
    if (items && !v->u.array.n_props) {
        for (i = 0; i < n && items[i] && items[i]->type != IDBPQ_V_HOLE; i++) {}
        if (i == n) {
            putc_(w, '[');
            for (i = 0; i < n && w->st == IDBPQ_OK; i++) {
                if (i) putc_(w, ',');
                write_value(w, items[i], depth + 1);
            }
            putc_(w, ']');
            return;
        }
    }
    struct idbpq__asplit sp;
    if (w->st != IDBPQ_OK) return;
    w->st = idbpq__array_split(v, w->b.alc, &sp);
    if (w->st != IDBPQ_OK) return;
    if (sp.n_elems == n && !sp.n_extras) {
        putc_(w, '[');
        for (i = 0; i < n && w->st == IDBPQ_OK; i++) {
            if (i) putc_(w, ',');
            write_value(w, sp.elems[i].value, depth + 1);
        }
        putc_(w, ']');
    } else {
        puts_(w, "{\"$array\":{\"length\":");
        put_u64(w, n);
        puts_(w, ",\"items\":{");
        for (i = 0; i < sp.n_elems && w->st == IDBPQ_OK; i++) {
            if (i) putc_(w, ',');
            putc_(w, '"');
            put_u64(w, sp.elems[i].index);
            puts_(w, "\":");
            write_value(w, sp.elems[i].value, depth + 1);
        }
        putc_(w, '}');
        if (sp.n_extras) {
            puts_(w, ",\"props\":");
            write_props(w, sp.extras, NULL, sp.n_extras, depth);
        }
        puts_(w, "}}");
    }
    idbpq__array_split_free(&sp, w->b.alc);
}

static void write_opt_str(struct wr *w, const char *name, const idbpq_value *s, int *first)
{
    if (!s) return;
    if (s->type != IDBPQ_V_STRING) { if (w->st == IDBPQ_OK) w->st = IDBPQ_INVALID_ARG; return; }
    if (!*first) putc_(w, ',');
    *first = 0;
    put_cstr(w, name);
    putc_(w, ':');
    put_str(w, &s->u.str);
}

static void write_blob(struct wr *w, const idbpq_value *v)
{
    int first = 1, file = v->type == IDBPQ_V_FILE;
    puts_(w, file ? "{\"$file\":{" : "{\"$blob\":{");
    if (file) write_opt_str(w, "name", v->u.blob.name, &first);
    if (!v->u.blob.mime) {
        if (!first) putc_(w, ',');
        puts_(w, "\"type\":\"\"");
        first = 0;
    }
    write_opt_str(w, "type", v->u.blob.mime, &first);
    puts_(w, ",\"size\":");
    put_u64(w, v->u.blob.size);
    if (file) {
        puts_(w, ",\"lastModified\":");
        put_number(w, v->u.blob.last_modified);
    }
    if (v->u.blob.bytes) {
        puts_(w, ",\"data\":");
        put_b64(w, v->u.blob.bytes, v->u.blob.size);
    }
    if (v->u.blob.index >= 0) {
        puts_(w, ",\"index\":");
        put_u64(w, (uint64_t)v->u.blob.index);
    }
    puts_(w, "}}");
}

static int view_is_simple(struct wr *w, const idbpq_value *v)
{
    const idbpq_value *buf = v->u.view.buffer;
    uint32_t *in = idbpq__pmap_get(&w->buf_in, buf);
    return !idbpq__pmap_get(&w->refs, buf) && in && *in == 1 && v->u.view.offset == 0 &&
           v->u.view.length == buf->u.buffer.len && !buf->u.buffer.resizable &&
           v->u.view.flags == 0;
}

static void write_object_kind(struct wr *w, const idbpq_value *v, int depth)
{
    uint32_t i;
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_OBJECT: {
        int dollar = 0;
        for (i = 0; i < v->u.object.n && !dollar; i++) dollar = key_is_dollar(v->u.object.props[i].key);
        if (dollar) puts_(w, "{\"$object\":");
        write_props(w, NULL, v->u.object.props, v->u.object.n, depth);
        if (dollar) putc_(w, '}');
        break;
    }
    case IDBPQ_V_ARRAY: write_array(w, v, depth); break;
    case IDBPQ_V_DATE: {
        double d = v->u.number;
        puts_(w, "{\"$date\":");
        if (isnan(d)) puts_(w, "null"); else put_number(w, d);
        putc_(w, '}');
        break;
    }
    case IDBPQ_V_REGEXP: {
        static const struct { uint32_t bit; char c; } fl[] = {
            {128, 'd'}, {1, 'g'}, {2, 'i'}, {64, 'l'}, {4, 'm'}, {32, 's'}, {16, 'u'},
            {256, 'v'}, {8, 'y'}};
        char f[10];
        int nf = 0;
        if (!v->u.regexp.source || v->u.regexp.source->type != IDBPQ_V_STRING ||
            (v->u.regexp.flags & ~0x1ffu)) {
            w->st = IDBPQ_INVALID_ARG;
            return;
        }
        for (i = 0; i < 9; i++)
            if (v->u.regexp.flags & fl[i].bit) f[nf++] = fl[i].c;
        f[nf] = 0;
        puts_(w, "{\"$regexp\":");
        put_str(w, &v->u.regexp.source->u.str);
        puts_(w, ",\"$flags\":");
        put_cstr(w, f);
        putc_(w, '}');
        break;
    }
    case IDBPQ_V_BOXED:
        if (!v->u.boxed || idbpq__is_object(v->u.boxed->type) || v->u.boxed->type == IDBPQ_V_HOLE) {
            w->st = IDBPQ_INVALID_ARG;
            return;
        }
        puts_(w, "{\"$boxed\":");
        write_value(w, v->u.boxed, depth + 1);
        putc_(w, '}');
        break;
    case IDBPQ_V_MAP:
    case IDBPQ_V_SET: {
        int map = v->type == IDBPQ_V_MAP;
        puts_(w, map ? "{\"$map\":[" : "{\"$set\":[");
        for (i = 0; i < v->u.coll.n && w->st == IDBPQ_OK; i++) {
            if (i) putc_(w, ',');
            if (map) putc_(w, '[');
            write_value(w, v->u.coll.items[map ? 2 * i : i], depth + 1);
            if (map) {
                putc_(w, ',');
                write_value(w, v->u.coll.items[2 * i + 1], depth + 1);
                putc_(w, ']');
            }
        }
        puts_(w, "]}");
        break;
    }
    case IDBPQ_V_ARRAY_BUFFER:
        puts_(w, "{\"$binary\":");
        put_b64(w, v->u.buffer.bytes, v->u.buffer.len);
        puts_(w, ",\"$type\":\"ArrayBuffer\"");
        if (v->u.buffer.resizable) {
            puts_(w, ",\"$maxByteLength\":");
            put_u64(w, v->u.buffer.max_len);
        }
        putc_(w, '}');
        break;
    case IDBPQ_V_VIEW: {
        const idbpq_value *buf = v->u.view.buffer;
        if (!buf || buf->type != IDBPQ_V_ARRAY_BUFFER || (unsigned)v->u.view.kind > IDBPQ_VIEW_DATAVIEW ||
            (!(v->u.view.flags & 1) && (v->u.view.offset > buf->u.buffer.len ||
                                        v->u.view.length > buf->u.buffer.len - v->u.view.offset))) {
            w->st = IDBPQ_INVALID_ARG;
            return;
        }
        if (view_is_simple(w, v)) {
            puts_(w, "{\"$binary\":");
            put_b64(w, buf->u.buffer.bytes, buf->u.buffer.len);
            puts_(w, ",\"$type\":");
            put_cstr(w, view_names[v->u.view.kind]);
            putc_(w, '}');
            break;
        }
        puts_(w, "{\"$view\":");
        put_cstr(w, view_names[v->u.view.kind]);
        puts_(w, ",\"$buffer\":");
        write_value(w, buf, depth + 1);
        puts_(w, ",\"$offset\":");
        put_u64(w, v->u.view.offset);
        puts_(w, ",\"$length\":");
        put_u64(w, v->u.view.length);
        if (v->u.view.flags) {
            puts_(w, ",\"$flags\":");
            put_u64(w, v->u.view.flags);
        }
        putc_(w, '}');
        break;
    }
    case IDBPQ_V_ERROR: {
        int first = 0;
        if ((unsigned)v->u.error.kind > IDBPQ_ERR_URI) { w->st = IDBPQ_INVALID_ARG; return; }
        puts_(w, "{\"$error\":{\"name\":");
        put_cstr(w, error_names[v->u.error.kind]);
        write_opt_str(w, "message", v->u.error.message, &first);
        write_opt_str(w, "stack", v->u.error.stack, &first);
        if (v->u.error.cause) {
            puts_(w, ",\"cause\":");
            write_value(w, v->u.error.cause, depth + 1);
        }
        puts_(w, "}}");
        break;
    }
    case IDBPQ_V_BLOB:
    case IDBPQ_V_FILE: write_blob(w, v); break;
    case IDBPQ_V_FILE_LIST:
        puts_(w, "{\"$filelist\":[");
        for (i = 0; i < v->u.files.n && w->st == IDBPQ_OK; i++) {
            const idbpq_value *f = v->u.files.files[i];
            if (!f || f->type != IDBPQ_V_FILE) { w->st = IDBPQ_INVALID_ARG; return; }
            if (i) putc_(w, ',');
            write_value(w, f, depth + 1);
        }
        puts_(w, "]}");
        break;
    case IDBPQ_V_HOST: {
        uint8_t t = v->u.host.tag;
        puts_(w, "{\"$host\":{\"tag\":");
        if (t > 0x20 && t < 0x7f && t != '"' && t != '\\') {
            char s[4] = {'"', (char)t, '"', 0};
            puts_(w, s);
        } else {
            put_u64(w, t);
        }
        puts_(w, ",\"data\":");
        put_b64(w, v->u.host.bytes, v->u.host.len);
        puts_(w, "}}");
        break;
    }
    case IDBPQ_V_UNDEFINED: case IDBPQ_V_NULL: case IDBPQ_V_BOOLEAN: case IDBPQ_V_NUMBER:
    case IDBPQ_V_BIGINT: case IDBPQ_V_STRING: case IDBPQ_V_HOLE:
    default: w->st = IDBPQ_INVALID_ARG; break;
    }
}

static void write_value(struct wr *w, const idbpq_value *v, int depth)
{
    if (w->st != IDBPQ_OK) return;
    if (!v || depth > TJSON_MAX_DEPTH) { w->st = v ? IDBPQ_LIMIT : IDBPQ_INVALID_ARG; return; }
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_UNDEFINED: puts_(w, "{\"$undefined\":true}"); return;
    case IDBPQ_V_NULL: puts_(w, "null"); return;
    case IDBPQ_V_BOOLEAN: puts_(w, v->u.boolean ? "true" : "false"); return;
    case IDBPQ_V_NUMBER: put_number(w, v->u.number); return;
    case IDBPQ_V_BIGINT: put_bigint(w, v); return;
    case IDBPQ_V_STRING: put_str(w, &v->u.str); return;
    case IDBPQ_V_HOLE: w->st = IDBPQ_INVALID_ARG; return;
    case IDBPQ_V_OBJECT: case IDBPQ_V_ARRAY: case IDBPQ_V_DATE: case IDBPQ_V_REGEXP:
    case IDBPQ_V_BOXED: case IDBPQ_V_MAP: case IDBPQ_V_SET: case IDBPQ_V_ARRAY_BUFFER:
    case IDBPQ_V_VIEW: case IDBPQ_V_ERROR: case IDBPQ_V_BLOB: case IDBPQ_V_FILE:
    case IDBPQ_V_FILE_LIST: case IDBPQ_V_HOST: break;
    default: w->st = IDBPQ_INVALID_ARG; return;
    }
    uint32_t *ref = idbpq__pmap_get(&w->refs, v);
    if (ref) {
        puts_(w, "{\"$ref\":");
        put_u64(w, *ref);
        putc_(w, '}');
        return;
    }
    w->st = idbpq__pmap_put(&w->refs, v, w->next++);
    if (w->st == IDBPQ_OK) write_object_kind(w, v, depth);
}

/* ---- pre-pass: how many edges reach each ArrayBuffer -------------------------------------- */

static idbpq_status count_edge(struct wr *w, struct idbpq__pmap *seen, const idbpq_value *c, int depth);

static idbpq_status count_children(struct wr *w, struct idbpq__pmap *seen, const idbpq_value *v,
                                   int depth)
{
    uint32_t i;
#define EDGE(x) IDBPQ__TRY(count_edge(w, seen, (x), depth + 1))
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_OBJECT:
        for (i = 0; i < v->u.object.n; i++) EDGE(v->u.object.props[i].value);
        break;
    case IDBPQ_V_ARRAY:
        if (v->u.array.items)
            for (i = 0; i < v->u.array.length; i++) EDGE(v->u.array.items[i]);
        for (i = 0; i < v->u.array.n_props && v->u.array.props; i++) EDGE(v->u.array.props[i].value);
        break;
    case IDBPQ_V_MAP:
        for (i = 0; i < 2 * v->u.coll.n; i++) EDGE(v->u.coll.items[i]);
        break;
    case IDBPQ_V_SET:
        for (i = 0; i < v->u.coll.n; i++) EDGE(v->u.coll.items[i]);
        break;
    case IDBPQ_V_VIEW: EDGE(v->u.view.buffer); break;
    case IDBPQ_V_ERROR: EDGE(v->u.error.cause); break;
    case IDBPQ_V_FILE_LIST:
        for (i = 0; i < v->u.files.n; i++) EDGE(v->u.files.files[i]);
        break;
    case IDBPQ_V_UNDEFINED: case IDBPQ_V_NULL: case IDBPQ_V_BOOLEAN: case IDBPQ_V_NUMBER:
    case IDBPQ_V_BIGINT: case IDBPQ_V_STRING: case IDBPQ_V_HOLE: case IDBPQ_V_DATE:
    case IDBPQ_V_REGEXP: case IDBPQ_V_BOXED: case IDBPQ_V_ARRAY_BUFFER: case IDBPQ_V_BLOB:
    case IDBPQ_V_FILE: case IDBPQ_V_HOST:
    default: break;
    }
#undef EDGE
    return IDBPQ_OK;
}

static idbpq_status count_edge(struct wr *w, struct idbpq__pmap *seen, const idbpq_value *c, int depth)
{
    if (!c || !idbpq__is_object(c->type)) return IDBPQ_OK;
    if (depth > TJSON_MAX_DEPTH) return IDBPQ_LIMIT;
    if (c->type == IDBPQ_V_ARRAY_BUFFER) {
        uint32_t *n = idbpq__pmap_get(&w->buf_in, c);
        if (n) { (*n)++; return IDBPQ_OK; }
        return idbpq__pmap_put(&w->buf_in, c, 1);
    }
    if (idbpq__pmap_get(seen, c)) return IDBPQ_OK;
    IDBPQ__TRY(idbpq__pmap_put(seen, c, 0));
    return count_children(w, seen, c, depth);
}

idbpq_status idbpq_tjson_write(const idbpq_value *v, idbpq_buffer *out)
{
    if (!v || !out) return IDBPQ_INVALID_ARG;
    struct wr w;
    struct idbpq__pmap seen;
    w.b = (struct idbpq__buf){out->data, out->len, out->cap, idbpq__alc(out->alc)};
    idbpq__pmap_init(&w.refs, w.b.alc);
    idbpq__pmap_init(&w.buf_in, w.b.alc);
    idbpq__pmap_init(&seen, w.b.alc);
    w.next = 0;
    size_t start = out->len;
    w.st = count_edge(&w, &seen, v, 1);
    idbpq__pmap_free(&seen);
    if (w.st == IDBPQ_OK) write_value(&w, v, 1);
    idbpq__pmap_free(&w.refs);
    idbpq__pmap_free(&w.buf_in);
    out->data = w.b.p;
    out->cap = w.b.cap;
    out->len = w.st == IDBPQ_OK ? w.b.len : start;
    return w.st;
}
