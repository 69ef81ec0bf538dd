/*
 * tjson_parse.c — reads tagged JSON (docs/tagged-json.md, docs/value-model.md) back into a
 * value: exactly what tjson_write.c prints, nothing else. The input is untrusted: the parser
 * is strict JSON (RFC 8259 grammar, UTF-8 validated), nesting is limited, every allocation is
 * bounded by the input's size, and every error names the line, column and what was expected.
 * Objects get reference numbers in the order they start, so {"$ref":N} can name an ancestor.
 */
#include "value/value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define TJSON_MAX_DEPTH 2000       /* tjson_write.c prints no deeper */
#define BIGINT_MAX_DIGITS 100000   /* decimal-to-binary is quadratic: bound the work */

struct ps {
    const uint8_t *start, *p, *end;
    idbpq_vbatch *b;
    idbpq_error *err;
    idbpq_status st;
    idbpq_value **refs;            /* reference number -> object */
    size_t n_refs, cap_refs;
    idbpq_prop *pstack;            /* properties of the objects being read, innermost last */
    size_t n_pstack, cap_pstack;
    idbpq_value **vstack;          /* items of the arrays being read */
    size_t n_vstack, cap_vstack;
    uint16_t *units;               /* the last string read, as UTF-16 */
    size_t n_units, cap_units;
    const uint8_t *ascii;          /* the last string's bytes when it was plain ASCII (no
                                      escapes): string_value copies them as they are */
    idbpq_value *hole;
};

/* ---- errors ------------------------------------------------------------------------------ */

static void *fail_at(struct ps *s, const uint8_t *at, idbpq_status st, const char *fmt, ...)
    IDBPQ__PRINTF(4, 5);
static void *fail_at(struct ps *s, const uint8_t *at, idbpq_status st, const char *fmt, ...)
{
    if (s->st != IDBPQ_OK) return NULL;
    s->st = st;
    if (!s->err) return NULL;
    uint32_t line = 1, col = 1;
    for (const uint8_t *q = s->start; q < at && q < s->end; q++) {
        if (*q == '\n') { line++; col = 1; }
        else if ((*q & 0xc0) != 0x80) col++;
    }
    char m[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    s->err->status = st;
    s->err->offset = (uint64_t)(at - s->start);
    s->err->line = line;
    s->err->column = col;
    snprintf(s->err->msg, sizeof s->err->msg, "tagged JSON: %s (line %u, column %u)", m,
             (unsigned)line, (unsigned)col);
    return NULL;
}
#define FAIL(s, ...) fail_at((s), (s)->p, IDBPQ_CORRUPT, __VA_ARGS__)
#define NOMEM(s) fail_at((s), (s)->p, IDBPQ_NOMEM, "out of memory")

static void *grow(struct ps *s, void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return arr;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    if (nc > SIZE_MAX / elem) return NOMEM(s);
    void *p = idbpq__realloc(s->b->alc, arr, *cap * elem, nc * elem);
    if (!p) return NOMEM(s);
    *cap = nc;
    return p;
}

/* ---- tokens ------------------------------------------------------------------------------- */

static void ws(struct ps *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static const char *tokname(struct ps *s)
{
    if (s->p >= s->end) return "end of input";
    return NULL;
}

static int expect(struct ps *s, char c, const char *what)
{
    ws(s);
    if (s->p < s->end && *s->p == (uint8_t)c) { s->p++; return 1; }
    const char *t = tokname(s);
    if (t) FAIL(s, "expected %s, found %s", what, t);
    else FAIL(s, "expected %s, found '%c'", what, *s->p >= 0x20 && *s->p < 0x7f ? *s->p : '?');
    return 0;
}

static int push_unit(struct ps *s, uint32_t u)
{
    if (s->n_units == s->cap_units) {
        uint16_t *n = grow(s, s->units, &s->cap_units, s->n_units + 1, 2);
        if (!n) return 0;
        s->units = n;
    }
    s->units[s->n_units++] = (uint16_t)u;
    return 1;
}

/* A JSON string into s->units. */
static int read_string(struct ps *s)
{
    s->n_units = 0;
    s->ascii = NULL;
    if (!expect(s, '"', "a string")) return 0;
    /* Fast path: most strings are printable ASCII without escapes. */
    const uint8_t *a = s->p;
    while (a < s->end && *a >= 0x20 && *a < 0x80 && *a != '"' && *a != '\\') a++;
    if (a < s->end && *a == '"') {
        size_t n = (size_t)(a - s->p);
        if (n > s->cap_units) {
            uint16_t *u = grow(s, s->units, &s->cap_units, n, 2);
            if (!u) return 0;
            s->units = u;
        }
        for (size_t i = 0; i < n; i++) s->units[i] = s->p[i];
        s->n_units = n;
        s->ascii = s->p;
        s->p = a + 1;
        return 1;
    }
    for (;;) {
        if (s->p >= s->end) return FAIL(s, "unterminated string"), 0;
        uint32_t c = *s->p;
        if (c == '"') { s->p++; break; }
        if (c < 0x20) return FAIL(s, "control character in a string (escape it)"), 0;
        if (c == '\\') {
            if (s->end - s->p < 2) return FAIL(s, "unterminated escape"), 0;
            uint8_t e = s->p[1];
            s->p += 2;
            switch (e) {
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case '/': c = '/'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': {
                c = 0;
                for (int i = 0; i < 4; i++) {
                    int h = s->p + i < s->end ? idbpq__hexval(s->p[i]) : -1;
                    if (h < 0) return FAIL(s, "expected 4 hex digits after \\u"), 0;
                    c = c << 4 | (uint32_t)h;
                }
                s->p += 4;
                break;
            }
            default:
                s->p -= 1;
                return FAIL(s, "invalid escape '\\%c'", e >= 0x20 && e < 0x7f ? e : '?'), 0;
            }
            if (!push_unit(s, c)) return 0;
            continue;
        }
        if (c < 0x80) {
            s->p++;
            if (!push_unit(s, c)) return 0;
            continue;
        }
        /* Strict UTF-8: shortest form, no encoded surrogates (those travel as \u escapes). */
        uint32_t need, min;
        if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; c &= 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; c &= 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; c &= 0x07; }
        else return FAIL(s, "invalid UTF-8 byte 0x%02x", c), 0;
        if ((size_t)(s->end - s->p) <= need) return FAIL(s, "truncated UTF-8 sequence"), 0;
        for (uint32_t j = 1; j <= need; j++) {
            if ((s->p[j] & 0xc0) != 0x80) return FAIL(s, "invalid UTF-8 sequence"), 0;
            c = c << 6 | (s->p[j] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return FAIL(s, "invalid UTF-8 sequence"), 0;
        s->p += need + 1;
        if (c >= 0x10000) {
            c -= 0x10000;
            if (!push_unit(s, 0xd800 + (c >> 10)) || !push_unit(s, 0xdc00 + (c & 0x3ff))) return 0;
        } else if (!push_unit(s, c)) {
            return 0;
        }
    }
    return 1;
}

static int units_are(const struct ps *s, const char *lit)
{
    size_t n = strlen(lit);
    if (s->n_units != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (s->units[i] != (uint8_t)lit[i]) return 0;
    return 1;
}

/* Expects `,"name":` (or `"name":` when first). */
static int expect_key(struct ps *s, const char *name, int first)
{
    if (!first && !expect(s, ',', "','")) return 0;
    ws(s);
    const uint8_t *at = s->p;
    if (!read_string(s)) return 0;
    if (!units_are(s, name)) return fail_at(s, at, IDBPQ_CORRUPT, "expected key \"%s\"", name), 0;
    return expect(s, ':', "':'");
}

/* Whether the next token is `,` followed by the key `name` (consumed when so). */
static int peek_key(struct ps *s, const char *name)
{
    ws(s);
    if (s->p >= s->end || *s->p != ',') return 0;
    const uint8_t *save = s->p;
    s->p++;
    ws(s);
    size_t n = strlen(name);
    if ((size_t)(s->end - s->p) >= n + 2 && s->p[0] == '"' && !memcmp(s->p + 1, name, n) &&
        s->p[n + 1] == '"') {
        s->p += n + 2;
        return expect(s, ':', "':'");
    }
    s->p = save;
    return 0;
}

/* A JSON number (strict grammar) into *d; *is_int when it has no fraction or exponent. */
static int read_number(struct ps *s, double *d, int *is_int)
{
    ws(s);
    const uint8_t *q = s->p, *st = s->p;
    *is_int = 1;
    if (q < s->end && *q == '-') q++;
    if (q >= s->end || *q < '0' || *q > '9') return FAIL(s, "expected a number"), 0;
    if (*q == '0') q++;
    else while (q < s->end && *q >= '0' && *q <= '9') q++;
    if (q < s->end && *q == '.') {
        *is_int = 0;
        q++;
        if (q >= s->end || *q < '0' || *q > '9') return fail_at(s, q, IDBPQ_CORRUPT, "expected a digit after '.'"), 0;
        while (q < s->end && *q >= '0' && *q <= '9') q++;
    }
    if (q < s->end && (*q == 'e' || *q == 'E')) {
        *is_int = 0;
        q++;
        if (q < s->end && (*q == '+' || *q == '-')) q++;
        if (q >= s->end || *q < '0' || *q > '9') return fail_at(s, q, IDBPQ_CORRUPT, "expected a digit in the exponent"), 0;
        while (q < s->end && *q >= '0' && *q <= '9') q++;
    }
    /* Fast path (exact): at most 15 significant digits and no exponent is an integer below
     * 2^53 divided by a power of ten up to 10^22, both exact doubles, and IEEE division rounds
     * correctly: the same double strtod gives. */
    if (q - st <= 17 && !memchr(st, 'e', (size_t)(q - st)) && !memchr(st, 'E', (size_t)(q - st))) {
        static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                     1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};
        uint64_t m = 0;
        int nd = 0, frac = -1;
        const uint8_t *c = st + (*st == '-');
        for (; c < q; c++) {
            if (*c == '.') { frac = 0; continue; }
            m = m * 10 + (uint64_t)(*c - '0');
            if (m) nd++;
            if (frac >= 0) frac++;
        }
        if (nd <= 15) {
            double v = (double)m;
            if (frac > 0) v /= p10[frac];
            *d = *st == '-' ? -v : v;
            s->p = q;
            return 1;
        }
    }
    char tmp[400];
    if ((size_t)(q - st) >= sizeof tmp) return FAIL(s, "number too long"), 0;
    memcpy(tmp, st, (size_t)(q - st));
    tmp[q - st] = 0;
    *d = strtod(tmp, NULL);
    if (!isfinite(*d)) return FAIL(s, "number out of range (use {\"$number\":...})"), 0;
    s->p = q;
    return 1;
}

static int read_uint(struct ps *s, uint64_t max, uint64_t *out, const char *what)
{
    double d;
    int is_int;
    ws(s);
    const uint8_t *at = s->p;
    if (!read_number(s, &d, &is_int)) return 0;
    if (!is_int || d < 0 || d > (double)max || (d == 0 && signbit(d)))
        return fail_at(s, at, IDBPQ_CORRUPT, "expected %s (an integer from 0 to %llu)", what,
                       (unsigned long long)max), 0;
    *out = (uint64_t)d;
    return 1;
}

static int literal(struct ps *s, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n)) return FAIL(s, "expected a value"), 0;
    s->p += n;
    return 1;
}

static int read_base64(struct ps *s, uint8_t **out, uint64_t *len)
{
    ws(s);
    const uint8_t *at = s->p;
    if (!read_string(s)) return 0;
    size_t n = s->n_units;
    if (n % 4) return fail_at(s, at, IDBPQ_CORRUPT, "expected base64 (length a multiple of 4)"), 0;
    size_t pad = n && s->units[n - 1] == '=' ? (n > 1 && s->units[n - 2] == '=' ? 2 : 1) : 0;
    size_t m = n / 4 * 3 - pad;
    uint8_t *d = idbpq_vbatch_alloc(s->b, m);
    if (!d) return NOMEM(s), 0;
    uint32_t acc = 0;
    for (size_t i = 0; i < n - pad; i++) {
        uint16_t c = s->units[i];
        int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
              : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
        if (v < 0) return fail_at(s, at, IDBPQ_CORRUPT, "invalid base64 character"), 0;
        acc = acc << 6 | (uint32_t)v;
        if (i % 4 == 3) {
            size_t o = i / 4 * 3;
            d[o] = (uint8_t)(acc >> 16); d[o + 1] = (uint8_t)(acc >> 8); d[o + 2] = (uint8_t)acc;
            acc = 0;
        }
    }
    size_t o = (n - pad) / 4 * 3;
    if (pad == 2) {
        if (acc & 0xf) return fail_at(s, at, IDBPQ_CORRUPT, "non-canonical base64 padding"), 0;
        d[o] = (uint8_t)(acc >> 4);
    } else if (pad == 1) {
        if (acc & 0x3) return fail_at(s, at, IDBPQ_CORRUPT, "non-canonical base64 padding"), 0;
        d[o] = (uint8_t)(acc >> 10); d[o + 1] = (uint8_t)(acc >> 2);
    }
    *out = d;
    *len = m;
    return 1;
}

/* ---- values ------------------------------------------------------------------------------- */

static idbpq_value *parse_value(struct ps *s, int depth);

static idbpq_value *string_value(struct ps *s)
{
    if (s->n_units > UINT32_MAX) return FAIL(s, "string too long");
    idbpq_value *v = s->ascii ? idbpq__value_latin1(s->b, s->ascii, (uint32_t)s->n_units)
                              : idbpq__value_units(s->b, s->units, (uint32_t)s->n_units);
    return v ? v : NOMEM(s);
}

/* A new object-kind value with the next reference number. */
static idbpq_value *new_obj(struct ps *s, idbpq_vtype t)
{
    idbpq_value *v = idbpq_value_new(s->b, t);
    idbpq_value **r = grow(s, s->refs, &s->cap_refs, s->n_refs + 1, sizeof *r);
    if (!v || !r) return v ? NULL : NOMEM(s);
    s->refs = r;
    s->refs[s->n_refs++] = v;
    return v;
}

/* The rest of {"$number":"..."} after the key. */
static int special_number(struct ps *s, double *d)
{
    ws(s);
    const uint8_t *at = s->p;
    if (!read_string(s)) return 0;
    if (units_are(s, "-0")) *d = -0.0;
    else if (units_are(s, "NaN")) *d = NAN;
    else if (units_are(s, "Infinity")) *d = INFINITY;
    else if (units_are(s, "-Infinity")) *d = -INFINITY;
    else return fail_at(s, at, IDBPQ_CORRUPT, "expected \"-0\", \"NaN\", \"Infinity\" or \"-Infinity\""), 0;
    return expect(s, '}', "'}'");
}

/* A number: JSON number or {"$number":...}. */
static int tagged_number(struct ps *s, double *d)
{
    int is_int;
    ws(s);
    if (s->p < s->end && *s->p == '{') {
        s->p++;
        return expect_key(s, "$number", 1) && special_number(s, d);
    }
    return read_number(s, d, &is_int);
}

static idbpq_value *parse_bigint(struct ps *s)
{
    ws(s);
    const uint8_t *at = s->p;
    if (!read_string(s)) return NULL;
    size_t n = s->n_units, i = 0;
    int neg = n && s->units[0] == '-';
    i = (size_t)neg;
    if (i == n || (s->units[i] == '0' && (n - i > 1 || neg)))
        return fail_at(s, at, IDBPQ_CORRUPT, "expected BigInt digits (no leading zeros, no -0)");
    for (size_t j = i; j < n; j++)
        if (s->units[j] < '0' || s->units[j] > '9')
            return fail_at(s, at, IDBPQ_CORRUPT, "expected BigInt digits");
    if (n - i > BIGINT_MAX_DIGITS)
        return fail_at(s, at, IDBPQ_LIMIT, "BigInt longer than %d digits", BIGINT_MAX_DIGITS);
    /* Decimal to 32-bit limbs, nine digits at a time. */
    size_t cap = (n - i) / 9 + 2;
    uint32_t *limb = idbpq__calloc(s->b->alc, cap * 4);
    if (!limb) return NOMEM(s);
    size_t nl = 0;
    while (i < n) {
        uint32_t chunk = 0, mul = 1;
        for (int k = 0; k < 9 && i < n; k++, i++) {
            chunk = chunk * 10 + (uint32_t)(s->units[i] - '0');
            mul *= 10;
        }
        uint64_t carry = chunk;
        for (size_t k = 0; k < nl; k++) {
            uint64_t x = (uint64_t)limb[k] * mul + carry;
            limb[k] = (uint32_t)x;
            carry = x >> 32;
        }
        if (carry) limb[nl++] = (uint32_t)carry;
    }
    idbpq_value *v = idbpq_value_new(s->b, IDBPQ_V_BIGINT);
    uint8_t *d = idbpq_vbatch_alloc(s->b, nl * 4);
    if (!v || !d) { idbpq__free(s->b->alc, limb, cap * 4); return NOMEM(s); }
    uint32_t len = 0;
    for (size_t k = 0; k < nl * 4; k++) {
        d[k] = (uint8_t)(limb[k / 4] >> (8 * (k % 4)));
        if (d[k]) len = (uint32_t)k + 1;
    }
    idbpq__free(s->b->alc, limb, cap * 4);
    v->u.bigint.digits = d;
    v->u.bigint.len = len;
    v->u.bigint.negative = neg;
    if (!expect(s, '}', "'}'")) return NULL;
    return v;
}

/* Reads `"key":value` pairs until '}' onto the property stack; the first key may already be
 * in s->units (have_first). Returns the count pushed, or -1. */
static long read_props(struct ps *s, int depth, int have_first, int allow_dollar)
{
    size_t base = s->n_pstack;
    int first = 1;
    ws(s);
    if (!have_first && s->p < s->end && *s->p == '}') { s->p++; return 0; }
    for (;;) {
        const uint8_t *at = s->p;
        if (!have_first) {
            if (!first && !expect(s, ',', "',' or '}'")) return -1;
            ws(s);
            at = s->p;
            if (!read_string(s)) return -1;
        }
        have_first = 0;
        first = 0;
        if (!allow_dollar && s->n_units && s->units[0] == '$')
            return fail_at(s, at, IDBPQ_CORRUPT, "a key starting with '$' needs the $object wrapper"), -1;
        idbpq_value *k = string_value(s);
        if (!k || !expect(s, ':', "':'")) return -1;
        idbpq_value *v = parse_value(s, depth + 1);
        if (!v) return -1;
        idbpq_prop *ps_ = grow(s, s->pstack, &s->cap_pstack, s->n_pstack + 1, sizeof *ps_);
        if (!ps_) return -1;
        s->pstack = ps_;
        s->pstack[s->n_pstack++] = (idbpq_prop){k, v};
        ws(s);
        if (s->p < s->end && *s->p == '}') { s->p++; break; }
        if (s->p >= s->end || *s->p != ',') return FAIL(s, "expected ',' or '}'"), -1;
    }
    return (long)(s->n_pstack - base);
}

/* Pops n properties off the stack into the batch. */
static idbpq_prop *pop_props(struct ps *s, size_t n)
{
    idbpq_prop *p = idbpq_vbatch_alloc(s->b, n * sizeof *p);
    if (!p) return NOMEM(s);
    if (n) memcpy(p, s->pstack + s->n_pstack - n, n * sizeof *p);
    s->n_pstack -= n;
    return p;
}

static idbpq_value *plain_object(struct ps *s, int depth, int have_first, int allow_dollar)
{
    idbpq_value *v = new_obj(s, IDBPQ_V_OBJECT);
    if (!v) return NULL;
    long n = read_props(s, depth, have_first, allow_dollar);
    if (n < 0) return NULL;
    v->u.object.props = pop_props(s, (size_t)n);
    v->u.object.n = (uint32_t)n;
    return v->u.object.props ? v : NULL;
}

/* Items of a JSON array onto the value stack, until ']'. Returns the count or -1. */
static long read_items(struct ps *s, int depth)
{
    size_t base = s->n_vstack;
    if (!expect(s, '[', "'['")) return -1;
    ws(s);
    if (s->p < s->end && *s->p == ']') { s->p++; return 0; }
    for (;;) {
        idbpq_value *v = parse_value(s, depth + 1);
        if (!v) return -1;
        idbpq_value **vs = grow(s, s->vstack, &s->cap_vstack, s->n_vstack + 1, sizeof *vs);
        if (!vs) return -1;
        s->vstack = vs;
        s->vstack[s->n_vstack++] = v;
        ws(s);
        if (s->p < s->end && *s->p == ']') { s->p++; break; }
        if (!expect(s, ',', "',' or ']'")) return -1;
    }
    if (s->n_vstack - base > UINT32_MAX / 2) return FAIL(s, "too many items"), -1;
    return (long)(s->n_vstack - base);
}

static idbpq_value **pop_items(struct ps *s, size_t n)
{
    idbpq_value **p = idbpq_vbatch_alloc(s->b, n * sizeof *p);
    if (!p) return NOMEM(s);
    if (n) memcpy(p, s->vstack + s->n_vstack - n, n * sizeof *p);
    s->n_vstack -= n;
    return p;
}

static idbpq_value *parse_array_tag(struct ps *s, int depth)
{
    idbpq_value *v = new_obj(s, IDBPQ_V_ARRAY);
    uint64_t length;
    if (!v || !expect(s, '{', "'{'") || !expect_key(s, "length", 1) ||
        !read_uint(s, 0xfffffffful, &length, "an array length") || !expect_key(s, "items", 0) ||
        !expect(s, '{', "'{'"))
        return NULL;
    /* items: canonical ascending indices below length, pushed as properties. */
    size_t base = s->n_pstack;
    int64_t last = -1;
    ws(s);
    if (s->p < s->end && *s->p == '}') s->p++;
    else for (;;) {
        ws(s);
        const uint8_t *at = s->p;
        uint32_t idx;
        if (!read_string(s)) return NULL;
        idbpq_value *k = string_value(s);
        if (!k) return NULL;
        if (!idbpq__name_index(&k->u.str, &idx) || idx >= length || (int64_t)idx <= last)
            return fail_at(s, at, IDBPQ_CORRUPT, "expected an ascending array index below the length");
        last = idx;
        if (!expect(s, ':', "':'")) return NULL;
        idbpq_value *e = parse_value(s, depth + 1);
        idbpq_prop *pp = e ? grow(s, s->pstack, &s->cap_pstack, s->n_pstack + 1, sizeof *pp) : NULL;
        if (!pp) return NULL;
        s->pstack = pp;
        s->pstack[s->n_pstack++] = (idbpq_prop){k, e};
        ws(s);
        if (s->p < s->end && *s->p == '}') { s->p++; break; }
        if (!expect(s, ',', "',' or '}'")) return NULL;
    }
    size_t n_items = s->n_pstack - base;
    long n_extra = 0;
    if (peek_key(s, "props")) {
        if (!expect(s, '{', "'{'")) return NULL;
        const uint8_t *at = s->p;
        n_extra = read_props(s, depth, 0, 1);
        if (n_extra < 0) return NULL;
        for (size_t i = s->n_pstack - (size_t)n_extra; i < s->n_pstack; i++) {
            uint32_t idx;
            if (idbpq__name_index(&s->pstack[i].key->u.str, &idx))
                return fail_at(s, at, IDBPQ_CORRUPT, "an index property belongs in \"items\"");
        }
    } else if (s->st != IDBPQ_OK) {
        return NULL;
    }
    if (!expect(s, '}', "'}'") || !expect(s, '}', "'}'")) return NULL;
    v->u.array.length = (uint32_t)length;
    /* Dense with holes while that costs at most a few pointers per element given; a huge
     * length with few elements stays sparse (allocation bounded by the input). */
    if (length <= 2 * (uint64_t)n_items + 64) {
        idbpq_value **items = idbpq_vbatch_alloc(s->b, (size_t)length * sizeof *items);
        if (!items) return NOMEM(s);
        for (size_t i = 0; i < length; i++) items[i] = s->hole;
        for (size_t i = 0; i < n_items; i++) {
            uint32_t idx;
            idbpq__name_index(&s->pstack[base + i].key->u.str, &idx);
            items[idx] = s->pstack[base + i].value;
        }
        v->u.array.items = items;
        v->u.array.props = pop_props(s, (size_t)n_extra);
        v->u.array.n_props = (uint32_t)n_extra;
        s->n_pstack = base;
        return v->u.array.props ? v : NULL;
    }
    v->u.array.sparse = 1;
    v->u.array.props = pop_props(s, n_items + (size_t)n_extra);
    v->u.array.n_props = (uint32_t)(n_items + (size_t)n_extra);
    return v->u.array.props ? v : NULL;
}

static const char *const view_names[] = {
    "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
    "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
    "BigInt64Array", "BigUint64Array", "DataView"};
static const uint8_t view_size[] = {1, 1, 1, 2, 2, 4, 4, 2, 4, 8, 8, 8, 1};
static const char *const error_names[] = {"Error", "EvalError", "RangeError", "ReferenceError",
                                          "SyntaxError", "TypeError", "URIError"};

static int view_kind(struct ps *s, const uint8_t *at, int allow_buffer)
{
    if (allow_buffer && units_are(s, "ArrayBuffer")) return 100;
    for (int k = 0; k <= IDBPQ_VIEW_DATAVIEW; k++)
        if (units_are(s, view_names[k])) return k;
    fail_at(s, at, IDBPQ_CORRUPT, "expected an ArrayBuffer or view type name");
    return -1;
}

static int check_view(struct ps *s, const uint8_t *at, idbpq_value *v)
{
    const idbpq_value *buf = v->u.view.buffer;
    uint64_t es = view_size[v->u.view.kind];
    if (v->u.view.offset % es || v->u.view.length % es)
        return fail_at(s, at, IDBPQ_CORRUPT, "view offset and length must be multiples of %u",
                       (unsigned)es), 0;
    if (!(v->u.view.flags & 1) && (v->u.view.offset > buf->u.buffer.len ||
                                   v->u.view.length > buf->u.buffer.len - v->u.view.offset))
        return fail_at(s, at, IDBPQ_CORRUPT, "view reaches past the end of its buffer"), 0;
    return 1;
}

/* {"$binary":...,"$type":...[,"$maxByteLength":N]} after the first key. */
static idbpq_value *parse_binary(struct ps *s)
{
    idbpq_value *v = new_obj(s, IDBPQ_V_ARRAY_BUFFER);
    uint8_t *bytes;
    uint64_t len;
    if (!v || !read_base64(s, &bytes, &len) || !expect_key(s, "$type", 0)) return NULL;
    ws(s);
    const uint8_t *at = s->p;
    if (!read_string(s)) return NULL;
    int k = view_kind(s, at, 1);
    if (k < 0) return NULL;
    if (k == 100) {
        v->u.buffer.bytes = bytes;
        v->u.buffer.len = len;
        if (peek_key(s, "$maxByteLength")) {
            uint64_t m;
            const uint8_t *at2 = s->p;
            if (!read_uint(s, (1ull << 53) - 1, &m, "a maximum byte length")) return NULL;
            if (m < len) return fail_at(s, at2, IDBPQ_CORRUPT, "maximum byte length below the length");
            v->u.buffer.resizable = 1;
            v->u.buffer.max_len = m;
        } else if (s->st != IDBPQ_OK) {
            return NULL;
        }
    } else {
        /* The short view form: a fresh buffer of exactly these bytes (not numbered). */
        idbpq_value *buf = idbpq_value_new(s->b, IDBPQ_V_ARRAY_BUFFER);
        if (!buf) return NOMEM(s);
        buf->u.buffer.bytes = bytes;
        buf->u.buffer.len = len;
        v->type = IDBPQ_V_VIEW;
        v->u.view.buffer = buf;
        v->u.view.kind = (idbpq_view_kind)k;
        v->u.view.offset = 0;
        v->u.view.length = len;
        if (!check_view(s, at, v)) return NULL;
    }
    return expect(s, '}', "'}'") ? v : NULL;
}

static idbpq_value *parse_view(struct ps *s, int depth)
{
    idbpq_value *v = new_obj(s, IDBPQ_V_VIEW);
    uint64_t off, len, flags = 0;
    if (!v) return NULL;
    ws(s);
    const uint8_t *at = s->p;
    if (!read_string(s)) return NULL;
    int k = view_kind(s, at, 0);
    if (k < 0 || !expect_key(s, "$buffer", 0)) return NULL;
    ws(s);
    at = s->p;
    idbpq_value *buf = parse_value(s, depth + 1);
    if (!buf) return NULL;
    if (buf->type != IDBPQ_V_ARRAY_BUFFER) return fail_at(s, at, IDBPQ_CORRUPT, "expected an ArrayBuffer");
    if (!expect_key(s, "$offset", 0) || !read_uint(s, (1ull << 53) - 1, &off, "an offset") ||
        !expect_key(s, "$length", 0) || !read_uint(s, (1ull << 53) - 1, &len, "a length"))
        return NULL;
    if (peek_key(s, "$flags")) {
        if (!read_uint(s, 3, &flags, "view flags")) return NULL;
    } else if (s->st != IDBPQ_OK) {
        return NULL;
    }
    v->u.view.buffer = buf;
    v->u.view.kind = (idbpq_view_kind)k;
    v->u.view.offset = off;
    v->u.view.length = len;
    v->u.view.flags = (uint32_t)flags;
    if (!check_view(s, at, v)) return NULL;
    return expect(s, '}', "'}'") ? v : NULL;
}

static idbpq_value *opt_string(struct ps *s, const char *key)
{
    if (!peek_key(s, key)) return NULL;
    ws(s);
    if (!read_string(s)) return NULL;
    return string_value(s);
}

static idbpq_value *parse_error(struct ps *s, int depth)
{
    idbpq_value *v = new_obj(s, IDBPQ_V_ERROR);
    if (!v || !expect(s, '{', "'{'") || !expect_key(s, "name", 1)) return NULL;
    ws(s);
    const uint8_t *at = s->p;
    if (!read_string(s)) return NULL;
    int k;
    for (k = 0; k <= IDBPQ_ERR_URI && !units_are(s, error_names[k]); k++) {}
    if (k > IDBPQ_ERR_URI) return fail_at(s, at, IDBPQ_CORRUPT, "expected an Error name (Error, TypeError, ...)");
    v->u.error.kind = (idbpq_error_kind)k;
    v->u.error.message = opt_string(s, "message");
    if (s->st != IDBPQ_OK) return NULL;
    v->u.error.stack = opt_string(s, "stack");
    if (s->st != IDBPQ_OK) return NULL;
    if (peek_key(s, "cause")) {
        v->u.error.cause = parse_value(s, depth + 1);
        if (!v->u.error.cause) return NULL;
    }
    if (s->st != IDBPQ_OK || !expect(s, '}', "'}'") || !expect(s, '}', "'}'")) return NULL;
    return v;
}

static idbpq_value *parse_blob(struct ps *s, int file)
{
    idbpq_value *v = new_obj(s, file ? IDBPQ_V_FILE : IDBPQ_V_BLOB);
    uint64_t size, index;
    if (!v || !expect(s, '{', "'{'")) return NULL;
    v->u.blob.index = -1;
    if (file) {
        if (!expect_key(s, "name", 1)) return NULL;
        ws(s);
        if (!read_string(s) || !(v->u.blob.name = string_value(s))) return NULL;
    }
    if (!expect_key(s, "type", !file)) return NULL;
    ws(s);
    if (!read_string(s) || !(v->u.blob.mime = string_value(s))) return NULL;
    if (!expect_key(s, "size", 0) || !read_uint(s, (1ull << 53) - 1, &size, "a size")) return NULL;
    v->u.blob.size = size;
    if (file && (!expect_key(s, "lastModified", 0) || !tagged_number(s, &v->u.blob.last_modified)))
        return NULL;
    if (peek_key(s, "data")) {
        uint8_t *bytes;
        uint64_t len;
        ws(s);
        const uint8_t *at = s->p;
        if (!read_base64(s, &bytes, &len)) return NULL;
        if (len != size) return fail_at(s, at, IDBPQ_CORRUPT, "data is %llu bytes, size says %llu",
                                        (unsigned long long)len, (unsigned long long)size);
        v->u.blob.bytes = bytes;
    }
    if (s->st != IDBPQ_OK) return NULL;
    if (peek_key(s, "index")) {
        if (!read_uint(s, INT64_MAX, &index, "an external object index")) return NULL;
        v->u.blob.index = (int64_t)index;
    }
    if (s->st != IDBPQ_OK || !expect(s, '}', "'}'") || !expect(s, '}', "'}'")) return NULL;
    return v;
}

static idbpq_value *parse_host(struct ps *s)
{
    idbpq_value *v = new_obj(s, IDBPQ_V_HOST);
    uint64_t tag, len;
    uint8_t *bytes;
    if (!v || !expect(s, '{', "'{'") || !expect_key(s, "tag", 1)) return NULL;
    ws(s);
    const uint8_t *at = s->p;
    if (s->p < s->end && *s->p == '"') {
        if (!read_string(s)) return NULL;
        if (s->n_units != 1 || s->units[0] <= 0x20 || s->units[0] >= 0x7f)
            return fail_at(s, at, IDBPQ_CORRUPT, "expected a one-character tag");
        tag = s->units[0];
    } else if (!read_uint(s, 255, &tag, "a tag byte")) {
        return NULL;
    }
    if (!expect_key(s, "data", 0) || !read_base64(s, &bytes, &len)) return NULL;
    if (len > UINT32_MAX) return FAIL(s, "host object too large");
    v->u.host.tag = (uint8_t)tag;
    v->u.host.bytes = bytes;
    v->u.host.len = (uint32_t)len;
    return expect(s, '}', "'}'") && expect(s, '}', "'}'") ? v : NULL;
}

static idbpq_value *parse_coll(struct ps *s, int depth, idbpq_vtype t)
{
    idbpq_value *v = new_obj(s, t);
    if (!v) return NULL;
    if (t == IDBPQ_V_SET || t == IDBPQ_V_FILE_LIST) {
        ws(s);
        const uint8_t *at = s->p;
        long n = read_items(s, depth);
        if (n < 0) return NULL;
        if (t == IDBPQ_V_FILE_LIST)
            for (size_t i = s->n_vstack - (size_t)n; i < s->n_vstack; i++)
                if (s->vstack[i]->type != IDBPQ_V_FILE)
                    return fail_at(s, at, IDBPQ_CORRUPT, "a FileList holds only files");
        v->u.coll.items = pop_items(s, (size_t)n);
        v->u.coll.n = (uint32_t)n;
        if (!v->u.coll.items) return NULL;
    } else {
        size_t base = s->n_vstack;
        if (!expect(s, '[', "'['")) return NULL;
        ws(s);
        if (s->p < s->end && *s->p == ']') s->p++;
        else for (;;) {
            if (!expect(s, '[', "'[' (a [key, value] pair)")) return NULL;
            idbpq_value *k = parse_value(s, depth + 1);
            if (!k || !expect(s, ',', "','")) return NULL;
            idbpq_value *e = parse_value(s, depth + 1);
            if (!e || !expect(s, ']', "']'")) return NULL;
            idbpq_value **vs = grow(s, s->vstack, &s->cap_vstack, s->n_vstack + 2, sizeof *vs);
            if (!vs) return NULL;
            s->vstack = vs;
            s->vstack[s->n_vstack++] = k;
            s->vstack[s->n_vstack++] = e;
            ws(s);
            if (s->p < s->end && *s->p == ']') { s->p++; break; }
            if (!expect(s, ',', "',' or ']'")) return NULL;
        }
        size_t n = s->n_vstack - base;
        if (n / 2 > UINT32_MAX) return FAIL(s, "too many entries");
        v->u.coll.items = pop_items(s, n);
        v->u.coll.n = (uint32_t)(n / 2);
        if (!v->u.coll.items) return NULL;
    }
    return expect(s, '}', "'}'") ? v : NULL;
}

static idbpq_value *parse_regexp(struct ps *s)
{
    idbpq_value *v = new_obj(s, IDBPQ_V_REGEXP);
    if (!v) return NULL;
    ws(s);
    if (!read_string(s) || !(v->u.regexp.source = string_value(s)) || !expect_key(s, "$flags", 0))
        return NULL;
    ws(s);
    const uint8_t *at = s->p;
    if (!read_string(s)) return NULL;
    static const char letters[] = "gimyuslDdv";
    uint32_t flags = 0;
    for (size_t i = 0; i < s->n_units; i++) {
        uint32_t bit;
        switch (s->units[i]) {
        case 'g': bit = 1; break;
        case 'i': bit = 2; break;
        case 'm': bit = 4; break;
        case 'y': bit = 8; break;
        case 'u': bit = 16; break;
        case 's': bit = 32; break;
        case 'l': bit = 64; break;
        case 'd': bit = 128; break;
        case 'v': bit = 256; break;
        default: bit = 0;
        }
        if (!bit || (flags & bit))
            return fail_at(s, at, IDBPQ_CORRUPT, "expected distinct RegExp flag letters (%s)", letters);
        flags |= bit;
    }
    v->u.regexp.flags = flags;
    return expect(s, '}', "'}'") ? v : NULL;
}

static idbpq_value *parse_date(struct ps *s)
{
    idbpq_value *v = new_obj(s, IDBPQ_V_DATE);
    if (!v) return NULL;
    ws(s);
    if (s->p < s->end && *s->p == 'n') {
        if (!literal(s, "null")) return NULL;
        v->u.number = NAN;
    } else {
        const uint8_t *at = s->p;
        if (!tagged_number(s, &v->u.number)) return NULL;
        if (isnan(v->u.number)) return fail_at(s, at, IDBPQ_CORRUPT, "an invalid Date is written null");
    }
    return expect(s, '}', "'}'") ? v : NULL;
}

static idbpq_value *parse_boxed(struct ps *s, int depth)
{
    idbpq_value *v = new_obj(s, IDBPQ_V_BOXED);
    if (!v) return NULL;
    ws(s);
    const uint8_t *at = s->p;
    idbpq_value *p = parse_value(s, depth + 1);
    if (!p) return NULL;
    if (p->type != IDBPQ_V_BOOLEAN && p->type != IDBPQ_V_NUMBER && p->type != IDBPQ_V_STRING &&
        p->type != IDBPQ_V_BIGINT)
        return fail_at(s, at, IDBPQ_CORRUPT, "expected a boolean, number, string or BigInt to box");
    v->u.boxed = p;
    return expect(s, '}', "'}'") ? v : NULL;
}

/* After '{': a plain object, or a tag when the first key starts with '$'. */
static idbpq_value *parse_object(struct ps *s, int depth)
{
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        idbpq_value *v = new_obj(s, IDBPQ_V_OBJECT);
        return v;
    }
    const uint8_t *at = s->p;
    if (!read_string(s)) return NULL;
    if (!s->n_units || s->units[0] != '$') return plain_object(s, depth, 1, 0);
    if (!expect(s, ':', "':'")) return NULL;
#define IS(t) units_are(s, t)
    if (IS("$ref")) {
        uint64_t n;
        const uint8_t *at2 = (ws(s), s->p);
        if (!read_uint(s, UINT32_MAX, &n, "a reference number")) return NULL;
        if (n >= s->n_refs) return fail_at(s, at2, IDBPQ_CORRUPT, "$ref %llu names no earlier object (%zu so far)",
                                           (unsigned long long)n, s->n_refs);
        return expect(s, '}', "'}'") ? s->refs[n] : NULL;
    }
    if (IS("$number")) {
        double d;
        if (!special_number(s, &d)) return NULL;
        idbpq_value *v = idbpq_value_number(s->b, d);
        return v ? v : NOMEM(s);
    }
    if (IS("$undefined")) {
        ws(s);
        if (!literal(s, "true") || !expect(s, '}', "'}'")) return NULL;
        idbpq_value *v = idbpq_value_new(s->b, IDBPQ_V_UNDEFINED);
        return v ? v : NOMEM(s);
    }
    if (IS("$bigint")) return parse_bigint(s);
    if (IS("$date")) return parse_date(s);
    if (IS("$regexp")) return parse_regexp(s);
    if (IS("$binary")) return parse_binary(s);
    if (IS("$view")) return parse_view(s, depth);
    if (IS("$map")) return parse_coll(s, depth, IDBPQ_V_MAP);
    if (IS("$set")) return parse_coll(s, depth, IDBPQ_V_SET);
    if (IS("$filelist")) return parse_coll(s, depth, IDBPQ_V_FILE_LIST);
    if (IS("$boxed")) return parse_boxed(s, depth);
    if (IS("$error")) return parse_error(s, depth);
    if (IS("$blob")) return parse_blob(s, 0);
    if (IS("$file")) return parse_blob(s, 1);
    if (IS("$host")) return parse_host(s);
    if (IS("$array")) return parse_array_tag(s, depth);
    if (IS("$object")) {
        idbpq_value *v;
        if (!expect(s, '{', "'{'") || !(v = plain_object(s, depth, 0, 1))) return NULL;
        return expect(s, '}', "'}'") ? v : NULL;
    }
#undef IS
    return fail_at(s, at, IDBPQ_CORRUPT, "unknown tag (a key starting with '$' needs the $object wrapper)");
}

static idbpq_value *parse_value(struct ps *s, int depth)
{
    if (depth > TJSON_MAX_DEPTH)
        return fail_at(s, s->p, IDBPQ_LIMIT, "nesting deeper than %d values", TJSON_MAX_DEPTH);
    ws(s);
    if (s->p >= s->end) return FAIL(s, "expected a value, found end of input");
    idbpq_value *v;
    double d;
    int is_int;
    switch (*s->p) {
    case '{':
        s->p++;
        return parse_object(s, depth);
    case '[': {
        v = new_obj(s, IDBPQ_V_ARRAY);
        long n = v ? read_items(s, depth) : -1;
        if (n < 0) return NULL;
        v->u.array.items = pop_items(s, (size_t)n);
        v->u.array.length = (uint32_t)n;
        return v->u.array.items ? v : NULL;
    }
    case '"':
        return read_string(s) ? string_value(s) : NULL;
    case 't': case 'f':
        if (!literal(s, *s->p == 't' ? "true" : "false")) return NULL;
        v = idbpq_value_new(s->b, IDBPQ_V_BOOLEAN);
        if (!v) return NOMEM(s);
        v->u.boolean = s->p[-1] == 'e' && s->p[-2] == 'u';
        return v;
    case 'n':
        if (!literal(s, "null")) return NULL;
        v = idbpq_value_new(s->b, IDBPQ_V_NULL);
        return v ? v : NOMEM(s);
    default:
        if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) {
            if (!read_number(s, &d, &is_int)) return NULL;
            if (d == 0 && signbit(d)) return FAIL(s, "-0 is written {\"$number\":\"-0\"}");
            v = idbpq_value_number(s->b, d);
            return v ? v : NOMEM(s);
        }
        return FAIL(s, "expected a value");
    }
}

/* Parser state over text[0, n); s->hole is NULL when out of memory. */
static void ps_init(struct ps *s, idbpq_vbatch *b, const char *text, size_t n, idbpq_error *err)
{
    memset(s, 0, sizeof *s);
    s->start = s->p = (const uint8_t *)(text ? text : "");
    s->end = s->start + n;
    s->b = b;
    s->err = err;
    s->hole = idbpq_value_new(b, IDBPQ_V_HOLE);
}

static void ps_free(struct ps *s)
{
    const idbpq_allocator *alc = s->b->alc;
    idbpq__free(alc, s->refs, s->cap_refs * sizeof *s->refs);
    idbpq__free(alc, s->pstack, s->cap_pstack * sizeof *s->pstack);
    idbpq__free(alc, s->vstack, s->cap_vstack * sizeof *s->vstack);
    idbpq__free(alc, s->units, s->cap_units * 2);
}

idbpq_status idbpq_tjson_parse(idbpq_vbatch *b, const char *text, size_t n, idbpq_value **out,
                               idbpq_error *err)
{
    if (out) *out = NULL;
    if (err) memset(err, 0, sizeof *err);
    if (!b || !out || (!text && n)) return IDBPQ_INVALID_ARG;
    struct ps s;
    ps_init(&s, b, text, n, err);
    idbpq_value *v = s.hole ? parse_value(&s, 1) : NOMEM(&s);
    if (v) {
        ws(&s);
        if (s.p != s.end) {
            FAIL(&s, "expected end of input after the value");
            v = NULL;
        }
    }
    if (!v && s.st == IDBPQ_OK) NOMEM(&s);
    ps_free(&s);
    if (v) *out = v;
    return v ? IDBPQ_OK : s.st;
}

/* A record line {"key":K,"value":V} ("key" may be left out). Each of K and V numbers its
 * objects from 0 for $ref, as if printed alone: references never cross between them. */
idbpq_status idbpq_tjson_parse_record(idbpq_vbatch *b, const char *text, size_t n,
                                      idbpq_value **key, idbpq_value **value, idbpq_error *err)
{
    if (key) *key = NULL;
    if (value) *value = NULL;
    if (err) memset(err, 0, sizeof *err);
    if (!b || !key || !value || (!text && n)) return IDBPQ_INVALID_ARG;
    struct ps s;
    ps_init(&s, b, text, n, err);
    idbpq_value *k = NULL, *v = NULL;
    int ok = s.hole != NULL;
    if (ok) {
        ws(&s);
        ok = expect(&s, '{', "'{' starting a record {\"key\":K,\"value\":V}");
    }
    if (ok) {
        ws(&s);
        int has_key = (size_t)(s.end - s.p) >= 5 && !memcmp(s.p, "\"key\"", 5);
        if (has_key) {
            ok = expect_key(&s, "key", 1) && (k = parse_value(&s, 1)) != NULL;
            s.n_refs = 0;
        }
        ok = ok && expect_key(&s, "value", !has_key) && (v = parse_value(&s, 1)) != NULL &&
             expect(&s, '}', "'}' ending the record");
    }
    if (ok) {
        ws(&s);
        if (s.p != s.end) {
            FAIL(&s, "expected end of input after the record");
            ok = 0;
        }
    }
    if (!ok && s.st == IDBPQ_OK) NOMEM(&s);
    ps_free(&s);
    if (!ok) return s.st;
    *key = k;
    *value = v;
    return IDBPQ_OK;
}
