/*
 * keycmp.c — checks idbpq's keys against what real IndexedDB answered (keys_oracle.mjs).
 * Reads the oracle's lines from stdin:
 *   cmp <keyA> <keyB> <expected -1|0|1>   → idbpq_key_cmp, memcmp of the sortable codings and
 *                                           idb_cmp1 of LevelDB record keys must all agree
 *   path <hex UTF-8 | -> <1|0>           → idbpq__keypath_valid must agree
 * Key text form: n/d + 16 hex digits (the double's bits), s + 4 hex per UTF-16 unit + '.',
 * b + 2 hex per byte + '.', [k,k,...]. Prints a "# mismatch" line per disagreement (the first
 * 20) and a summary "# keycmp: N pairs, M paths, K mismatches"; exit 1 if any mismatch.
 */
#include "idb/idb.h"

#include <stdio.h>
#include <stdlib.h>

static int hexv(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static uint64_t hexn(const char **p, int digits, int *ok)
{
    uint64_t v = 0;
    for (int i = 0; i < digits; i++) {
        int h = hexv((unsigned char)(*p)[i]);
        if (h < 0) { *ok = 0; return 0; }
        v = v << 4 | (uint64_t)h;
    }
    *p += digits;
    return v;
}

static int parse_key(const char **p, idbpq_key *k)
{
    int ok = 1;
    char t = *(*p)++;
    if (t == 'n' || t == 'd') {
        uint64_t bits = hexn(p, 16, &ok);
        k->type = t == 'n' ? IDBPQ_KEY_NUMBER : IDBPQ_KEY_DATE;
        memcpy(&k->u.number, &bits, 8);
        return ok;
    }
    if (t == 's' || t == 'b') {
        int w = t == 's' ? 4 : 2;
        const char *e = strchr(*p, '.');
        if (!e) return 0;
        size_t n = (size_t)(e - *p) / (size_t)w;
        void *d = malloc(n * 2 + 1);
        for (size_t i = 0; i < n; i++) {
            uint64_t v = hexn(p, w, &ok);
            if (t == 's') ((uint16_t *)d)[i] = (uint16_t)v;
            else ((uint8_t *)d)[i] = (uint8_t)v;
        }
        (*p)++;
        if (t == 's') {
            k->type = IDBPQ_KEY_STRING;
            k->u.str = (idbpq_str){d, (uint32_t)n, 1};
        } else {
            k->type = IDBPQ_KEY_BINARY;
            k->u.binary.bytes = d;
            k->u.binary.len = (uint32_t)n;
        }
        return ok;
    }
    if (t != '[') return 0;
    k->type = IDBPQ_KEY_ARRAY;
    k->u.array.items = NULL;
    k->u.array.n = 0;
    uint32_t cap = 0;
    if (**p == ']') { (*p)++; return 1; }
    for (;;) {
        if (k->u.array.n == cap) {
            cap = cap ? cap * 2 : 4;
            k->u.array.items = realloc(k->u.array.items, cap * sizeof(idbpq_key));
        }
        if (!parse_key(p, &k->u.array.items[k->u.array.n++])) return 0;
        if (**p == ',') { (*p)++; continue; }
        if (**p == ']') { (*p)++; return 1; }
        return 0;
    }
}

static void free_key(idbpq_key *k)
{
    if (k->type == IDBPQ_KEY_STRING) free((void *)k->u.str.data);
    if (k->type == IDBPQ_KEY_BINARY) free((void *)k->u.binary.bytes);
    if (k->type == IDBPQ_KEY_ARRAY) {
        for (uint32_t i = 0; i < k->u.array.n; i++) free_key(&k->u.array.items[i]);
        free(k->u.array.items);
    }
}

static int sgn(int x) { return (x > 0) - (x < 0); }

int main(void)
{
    static char line[1 << 20];
    long pairs = 0, paths = 0, bad = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        if (!strncmp(line, "path ", 5)) {
            char *h = line + 5, *sp = strchr(h, ' ');
            if (!sp) continue;
            *sp = 0;
            char path[512];
            size_t n = 0;
            int ok = 1;
            const char *q = h;
            if (strcmp(h, "-") != 0)
                while (*q && n < sizeof path - 1) path[n++] = (char)hexn(&q, 2, &ok);
            path[n] = 0;
            int want = atoi(sp + 1), got = idbpq__keypath_valid(path, n);
            paths++;
            if (!ok || want != got) {
                if (bad++ < 20)
                    printf("# mismatch: key path \"%s\" valid in Chromium %d, idbpq %d\n", path,
                           want, got);
            }
            continue;
        }
        if (strncmp(line, "cmp ", 4)) continue;
        const char *p = line + 4;
        idbpq_key a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        int ok = parse_key(&p, &a) && *p++ == ' ' && parse_key(&p, &b) && *p++ == ' ';
        if (!ok || (strcmp(p, "-1") && strcmp(p, "0") && strcmp(p, "1"))) {
            if (bad++ < 20) printf("# mismatch: cannot use line: %.200s\n", line);
            continue;
        }
        int want = atoi(p);
        int c = idbpq_key_cmp(&a, &b);
        idbpq_buffer sa, sb, la, lb;
        idbpq_buffer_init(&sa, NULL);
        idbpq_buffer_init(&sb, NULL);
        idbpq_buffer_init(&la, NULL);
        idbpq_buffer_init(&lb, NULL);
        static const uint8_t prefix[4] = {0, 1, 1, 1};
        idbpq__kbuf_append(&la, prefix, 4);
        idbpq__kbuf_append(&lb, prefix, 4);
        int enc_ok = idbpq_key_encode_sortable(&a, &sa) == IDBPQ_OK &&
                     idbpq_key_encode_sortable(&b, &sb) == IDBPQ_OK &&
                     idbpq_key_encode_leveldb(&a, &la) == IDBPQ_OK &&
                     idbpq_key_encode_leveldb(&b, &lb) == IDBPQ_OK;
        size_t n = sa.len < sb.len ? sa.len : sb.len;
        int m = memcmp(sa.data, sb.data, n);
        if (!m) m = (sa.len > sb.len) - (sa.len < sb.len);
        int c1 = idbpq_idb_cmp1(la.data, la.len, lb.data, lb.len);
        pairs++;
        if (!enc_ok || sgn(c) != want || sgn(m) != want || sgn(c1) != want) {
            if (bad++ < 20)
                printf("# mismatch: %s → Chromium %d, key_cmp %d, sortable %d, idb_cmp1 %d\n",
                       line + 4, want, c, sgn(m), sgn(c1));
        }
        idbpq_buffer_free(&sa);
        idbpq_buffer_free(&sb);
        idbpq_buffer_free(&la);
        idbpq_buffer_free(&lb);
        free_key(&a);
        free_key(&b);
    }
    printf("# keycmp: %ld key pairs, %ld key paths, %ld mismatches\n", pairs, paths, bad);
    return bad ? 1 : 0;
}
