/*
 * v8_bench.c — decode and encode throughput of idbpq's V8 codec on records serialized by
 * Node (bench/value/bench.mjs writes them as [u32 LE length][bytes]*). Usage:
 * v8_bench RECORDS_FILE [SECONDS]. Prints one JSON line: decode and encode MB/s and values/s
 * (best of several timed passes over all records; the batch is reset every 256 records, as
 * a reader would per page).
 */
#define _POSIX_C_SOURCE 200809L
#include "idbpq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    double budget = argc > 2 ? atof(argv[2]) : 2.0;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 2;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *all = malloc((size_t)sz);
    if (!all || fread(all, 1, (size_t)sz, f) != (size_t)sz) return 2;
    fclose(f);
    size_t n = 0, cap = 1024, total = 0;
    const uint8_t **rec = malloc(cap * sizeof *rec);
    size_t *len = malloc(cap * sizeof *len);
    for (long p = 0; p + 4 <= sz;) {
        uint32_t l = all[p] | all[p + 1] << 8 | all[p + 2] << 16 | (uint32_t)all[p + 3] << 24;
        if (n == cap) {
            cap *= 2;
            rec = realloc(rec, cap * sizeof *rec);
            len = realloc(len, cap * sizeof *len);
        }
        rec[n] = all + p + 4;
        len[n++] = l;
        total += l;
        p += 4 + (long)l;
    }
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    o.flags = 0;
    idbpq_vbatch *b, *keep;
    idbpq_vbatch_create(&b, NULL);
    idbpq_vbatch_create(&keep, NULL);
    idbpq_error err;
    /* decode */
    double best_dec = 1e30, t_end = now() + budget;
    do {
        double t0 = now();
        for (size_t i = 0; i < n; i++) {
            if ((i & 255) == 0) idbpq_vbatch_reset(b);
            idbpq_value *v;
            if (idbpq_v8_decode(b, rec[i], len[i], &o, &v, &err) != IDBPQ_OK) {
                fprintf(stderr, "record %zu: %s\n", i, err.msg);
                return 1;
            }
        }
        double t = now() - t0;
        if (t < best_dec) best_dec = t;
    } while (now() < t_end);
    /* encode (values decoded once, kept) */
    idbpq_value **vals = malloc(n * sizeof *vals);
    for (size_t i = 0; i < n; i++) idbpq_v8_decode(keep, rec[i], len[i], &o, &vals[i], &err);
    idbpq_buffer out;
    idbpq_buffer_init(&out, NULL);
    double best_enc = 1e30;
    size_t enc_total = 0;
    t_end = now() + budget;
    do {
        double t0 = now();
        enc_total = 0;
        for (size_t i = 0; i < n; i++) {
            out.len = 0;
            if (idbpq_v8_encode(vals[i], &o, &out, &err) != IDBPQ_OK) return 1;
            enc_total += out.len;
        }
        double t = now() - t0;
        if (t < best_enc) best_enc = t;
    } while (now() < t_end);
    printf("{\"records\":%zu,\"bytes\":%zu,\"decode_s\":%.6f,\"encode_s\":%.6f,"
           "\"encoded_bytes\":%zu}\n", n, total, best_dec, best_enc, enc_total);
    idbpq_buffer_free(&out);
    idbpq_vbatch_free(b);
    idbpq_vbatch_free(keep);
    free(vals);
    free(rec);
    free(len);
    free(all);
    return 0;
}
