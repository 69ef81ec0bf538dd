/*
 * json.c — a small JSON (RFC 8259) DOM parser for the Delta log: every commit line, the
 * schemaString, stats and _last_checkpoint. Everything is allocated in the caller's arena, so a
 * commit is freed with its arena. Numbers keep their source text, because the log carries int64
 * values beyond 2^53 and decimal statistics whose scale matters. Input is untrusted: strings are
 * validated as UTF-8, nesting is limited, and errors give the byte where parsing stopped.
 */
#include "sync/delta.h"

#include <stdio.h>

#define DJ_MAX_DEPTH 1000

struct dj_parser {
    const unsigned char *p, *start, *end;
    struct idbpq__arena *a;
    struct idbpq__err *err;
    int depth;
};

static idbpq_status bad(struct dj_parser *ps, const char *what)
{
    return idbpq__fail(ps->err, IDBPQ_CORRUPT, "JSON: %s at byte %zu", what,
                       (size_t)(ps->p - ps->start));
}

static idbpq_status nomem(struct dj_parser *ps)
{
    return idbpq__fail(ps->err, IDBPQ_NOMEM, "JSON: out of memory at byte %zu",
                       (size_t)(ps->p - ps->start));
}

static void skip_ws(struct dj_parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int read_hex4(const unsigned char *p, const unsigned char *end, uint32_t *out)
{
    if (end - p < 4) return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = idbpq__hexval(p[i]);
        if (h < 0) return -1;
        v = (v << 4) | (uint32_t)h;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(unsigned char *o, uint32_t cp)
{
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the strict UTF-8 sequence at p (no overlong forms, no surrogates, nothing past
 * U+10FFFF), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

/* A string starting at the opening quote; the unescaped text is never longer than the
 * escaped one (a \uXXXX of 6 bytes gives at most 3, a pair of 12 gives 4). */
static idbpq_status parse_string(struct dj_parser *ps, const char **out, size_t *out_len)
{
    ps->p++; /* the quote */
    const unsigned char *q = ps->p;
    while (q < ps->end && *q != '"') q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
    if (q >= ps->end) return bad(ps, "unterminated string");
    unsigned char *o = idbpq__arena_alloc(ps->a, (size_t)(q - ps->p) + 1);
    if (!o) return nomem(ps);
    size_t n = 0;
    while (*ps->p != '"') {
        unsigned c = *ps->p;
        if (c < 0x20) return bad(ps, "control character in string");
        if (c != '\\') {
            size_t k = utf8_seq(ps->p, ps->end);
            if (!k) return bad(ps, "invalid UTF-8 in string");
            memcpy(o + n, ps->p, k);
            n += k;
            ps->p += k;
            continue;
        }
        unsigned e = ps->p[1];
        const char *simple = strchr("\"\\/bfnrt", (int)e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            o[n++] = (unsigned char)map[simple - "\"\\/bfnrt"];
            ps->p += 2;
            continue;
        }
        if (e != 'u') return bad(ps, "invalid escape in string");
        uint32_t cp;
        if (read_hex4(ps->p + 2, ps->end, &cp)) return bad(ps, "invalid \\u escape");
        ps->p += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u' &&
                !read_hex4(ps->p + 2, ps->end, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                ps->p += 6;
            } else {
                cp = 0xFFFD; /* a lone high surrogate has no UTF-8 form (as Java decoders do) */
            }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        n += put_utf8(o + n, cp);
    }
    ps->p++; /* closing quote */
    o[n] = 0;
    *out = (const char *)o;
    *out_len = n;
    return IDBPQ_OK;
}

static idbpq_status parse_number(struct dj_parser *ps, struct idbpq__dj *v)
{
    const unsigned char *s = ps->p, *p = ps->p, *e = ps->end;
    if (p < e && *p == '-') p++;
    if (p >= e || *p < '0' || *p > '9') return bad(ps, "invalid number");
    if (*p == '0') p++;
    else while (p < e && *p >= '0' && *p <= '9') p++;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || *p < '0' || *p > '9') { ps->p = p; return bad(ps, "invalid number"); }
        while (p < e && *p >= '0' && *p <= '9') p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-')) p++;
        if (p >= e || *p < '0' || *p > '9') { ps->p = p; return bad(ps, "invalid number"); }
        while (p < e && *p >= '0' && *p <= '9') p++;
    }
    v->kind = IDBPQ__DJ_NUM;
    v->len = (size_t)(p - s);
    v->str = idbpq__arena_strndup(ps->a, (const char *)s, v->len);
    if (!v->str) return nomem(ps);
    ps->p = p;
    return IDBPQ_OK;
}

static int literal(struct dj_parser *ps, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0) return 0;
    ps->p += n;
    return 1;
}

/* Grows an arena array (old contents copied; the old block stays in the arena until it is
 * freed, at most doubling the space used). */
static void *grow(struct idbpq__arena *a, void *old, uint32_t n, uint32_t *cap, size_t elem)
{
    if (n < *cap) return old;
    if (*cap > UINT32_MAX / 2) return NULL;
    uint32_t nc = *cap ? *cap * 2 : 4;
    void *p = idbpq__arena_alloc(a, (size_t)nc * elem);
    if (!p) return NULL;
    if (n) memcpy(p, old, (size_t)n * elem);
    *cap = nc;
    return p;
}

static idbpq_status parse_value(struct dj_parser *ps, struct idbpq__dj *v);

static idbpq_status parse_array(struct dj_parser *ps, struct idbpq__dj *v)
{
    uint32_t cap = 0;
    v->kind = IDBPQ__DJ_ARR;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') { ps->p++; return IDBPQ_OK; }
    for (;;) {
        struct idbpq__dj *items = grow(ps->a, v->items, v->n, &cap, sizeof *items);
        if (!items) return nomem(ps);
        v->items = items;
        IDBPQ__TRY(parse_value(ps, &v->items[v->n]));
        v->n++;
        skip_ws(ps);
        if (ps->p >= ps->end) return bad(ps, "unterminated array");
        if (*ps->p == ']') { ps->p++; return IDBPQ_OK; }
        if (*ps->p != ',') return bad(ps, "expected ',' or ']'");
        ps->p++;
    }
}

static idbpq_status parse_object(struct dj_parser *ps, struct idbpq__dj *v)
{
    uint32_t kcap = 0, vcap = 0;
    v->kind = IDBPQ__DJ_OBJ;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') { ps->p++; return IDBPQ_OK; }
    for (;;) {
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"') return bad(ps, "expected a member name");
        const char **keys = grow(ps->a, (void *)v->keys, v->n, &kcap, sizeof *keys);
        struct idbpq__dj *vals = grow(ps->a, v->vals, v->n, &vcap, sizeof *vals);
        if (!keys || !vals) return nomem(ps);
        v->keys = keys;
        v->vals = vals;
        size_t klen;
        IDBPQ__TRY(parse_string(ps, &v->keys[v->n], &klen));
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') return bad(ps, "expected ':'");
        ps->p++;
        IDBPQ__TRY(parse_value(ps, &v->vals[v->n]));
        v->n++;
        skip_ws(ps);
        if (ps->p >= ps->end) return bad(ps, "unterminated object");
        if (*ps->p == '}') { ps->p++; return IDBPQ_OK; }
        if (*ps->p != ',') return bad(ps, "expected ',' or '}'");
        ps->p++;
    }
}

static idbpq_status parse_value(struct dj_parser *ps, struct idbpq__dj *v)
{
    memset(v, 0, sizeof *v);
    skip_ws(ps);
    if (ps->p >= ps->end) return bad(ps, "unexpected end of input");
    switch (*ps->p) {
    case '{':
    case '[': {
        if (++ps->depth > DJ_MAX_DEPTH)
            return idbpq__fail(ps->err, IDBPQ_LIMIT, "JSON: nesting deeper than %d at byte %zu",
                               DJ_MAX_DEPTH, (size_t)(ps->p - ps->start));
        idbpq_status st = *ps->p == '{' ? parse_object(ps, v) : parse_array(ps, v);
        ps->depth--;
        return st;
    }
    case '"':
        v->kind = IDBPQ__DJ_STR;
        return parse_string(ps, &v->str, &v->len);
    case 't':
        if (!literal(ps, "true")) break;
        v->kind = IDBPQ__DJ_BOOL;
        v->b = 1;
        return IDBPQ_OK;
    case 'f':
        if (!literal(ps, "false")) break;
        v->kind = IDBPQ__DJ_BOOL;
        return IDBPQ_OK;
    case 'n':
        if (!literal(ps, "null")) break;
        v->kind = IDBPQ__DJ_NULL;
        return IDBPQ_OK;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) return parse_number(ps, v);
        break;
    }
    return bad(ps, "unexpected character");
}

idbpq_status idbpq__dj_parse(struct idbpq__arena *a, const char *text, size_t n,
                             struct idbpq__dj **out, struct idbpq__err *err)
{
    struct dj_parser ps = { (const unsigned char *)text, (const unsigned char *)text,
                            (const unsigned char *)text + n, a, err, 0 };
    *out = NULL;
    if (!text && n) return idbpq__fail(err, IDBPQ_INVALID_ARG, "JSON: NULL text");
    if (!text) ps.p = ps.start = ps.end = (const unsigned char *)"";
    struct idbpq__dj *v = idbpq__arena_alloc(a, sizeof *v);
    if (!v) return nomem(&ps);
    IDBPQ__TRY(parse_value(&ps, v));
    skip_ws(&ps);
    if (ps.p != ps.end) return bad(&ps, "trailing characters");
    *out = v;
    return IDBPQ_OK;
}

const struct idbpq__dj *idbpq__dj_get(const struct idbpq__dj *v, const char *key)
{
    if (!v || v->kind != IDBPQ__DJ_OBJ || !key) return NULL;
    /* The last duplicate wins, as in most JSON readers (Jackson, serde_json's Map). */
    for (uint32_t i = v->n; i-- > 0;)
        if (strcmp(v->keys[i], key) == 0) return &v->vals[i];
    return NULL;
}

const char *idbpq__dj_str(const struct idbpq__dj *v, const char *key)
{
    const struct idbpq__dj *m = idbpq__dj_get(v, key);
    return m && m->kind == IDBPQ__DJ_STR ? m->str : NULL;
}

int idbpq__dj_int(const struct idbpq__dj *v, const char *key, int64_t *out)
{
    const struct idbpq__dj *m = idbpq__dj_get(v, key);
    if (!m || m->kind != IDBPQ__DJ_NUM) return 0;
    const char *s = m->str;
    int neg = *s == '-';
    if (neg) s++;
    uint64_t acc = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (!*s) return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0; /* a fraction or exponent: not an integer */
        unsigned d = (unsigned)(*s - '0');
        if (acc > (lim - d) / 10) return 0;
        acc = acc * 10 + d;
    }
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return 1;
}

int idbpq__dj_bool(const struct idbpq__dj *v, const char *key, int dflt)
{
    const struct idbpq__dj *m = idbpq__dj_get(v, key);
    return m && m->kind == IDBPQ__DJ_BOOL ? m->b : dflt;
}
