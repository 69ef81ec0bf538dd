/*
 * bench_records.c — the record writer and reader through the public API, on in-memory values
 * (bench/mapping/run.sh). The tagged JSON lines are decoded with idbpq_tjson_parse in batches
 * of 20,000 outside the timed sections, so the times are the writer's (observe, write,
 * finish) or the reader's (next) alone.
 *
 *   bench_records write IN.jsonl OUT.parquet [--key-path P] [--one-pass] [--codec C]
 *   bench_records read IN.parquet
 *
 * IN.jsonl holds one bare value a line (`idbpq pack --values` input); with --key-path the key
 * is extracted from the value, else keys are 1, 2, 3... Prints one JSON line: records, the
 * timed seconds (wall and CPU), bytes, fallbacks, columns, and the process's peak RSS.
 */
#include "idbpq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define BATCH 20000

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Reads up to BATCH lines of f into b: values[i], keys[i] (generated numbers, or NULL). */
static size_t read_batch(FILE *f, idbpq_vbatch *b, idbpq_value **values, idbpq_value **keys,
                         int gen_keys, uint64_t *next_key, char **line, size_t *cap)
{
    size_t n = 0;
    ssize_t len;
    while (n < BATCH && (len = getline(line, cap, f)) > 0) {
        while (len > 0 && ((*line)[len - 1] == '\n' || (*line)[len - 1] == '\r')) len--;
        if (!len) continue;
        idbpq_error e;
        if (idbpq_tjson_parse(b, *line, (size_t)len, &values[n], &e) != IDBPQ_OK) {
            fprintf(stderr, "bench_records: line %llu: %s\n", (unsigned long long)*next_key, e.msg);
            exit(1);
        }
        keys[n] = gen_keys ? idbpq_value_number(b, (double)*next_key) : NULL;
        (*next_key)++;
        n++;
    }
    return n;
}

static int do_write(int argc, char **argv)
{
    const char *in = argv[2], *out = argv[3], *kp = NULL;
    int one_pass = 0, codec = -1;
    for (int a = 4; a < argc; a++) {
        if (!strcmp(argv[a], "--key-path") && a + 1 < argc) kp = argv[++a];
        else if (!strcmp(argv[a], "--one-pass")) one_pass = 1;
        else if (!strcmp(argv[a], "--codec") && a + 1 < argc) codec = idbpq_codec_from_name(argv[++a]);
        else { fprintf(stderr, "bench_records: unknown option %s\n", argv[a]); return 2; }
    }
    idbpq_store_desc store;
    memset(&store, 0, sizeof store);
    const char *paths[1] = {kp};
    store.name = "bench";
    if (kp) {
        store.key_path.type = 1;
        store.key_path.n = 1;
        store.key_path.paths = paths;
    }
    idbpq_record_writer_opts o;
    idbpq_record_writer_opts_init(&o);
    if (codec >= 0) o.parquet.codec = (idbpq_codec)codec;
    idbpq_record_writer *w;
    if (idbpq_record_writer_create(&w, &store, &o, NULL) != IDBPQ_OK) return 1;
    idbpq_vbatch *b;
    idbpq_vbatch_create(&b, NULL);
    idbpq_value **values = malloc(BATCH * sizeof *values), **keys = malloc(BATCH * sizeof *keys);
    char *line = NULL;
    size_t cap = 0, n;
    uint64_t records = 0, next_key;
    double t_wall = 0, t_cpu = 0, t0, c0, t_parse = 0;
    idbpq_status st;
    FILE *f;

    if (!one_pass) { /* pass 1 */
        f = fopen(in, "rb");
        if (!f) { perror(in); return 1; }
        next_key = 1;
        for (;;) {
            idbpq_vbatch_reset(b);
            t0 = wall();
            n = read_batch(f, b, values, keys, !kp, &next_key, &line, &cap);
            t_parse += wall() - t0;
            if (!n) break;
            t0 = wall(); c0 = cpu();
            for (size_t i = 0; i < n; i++) {
                st = idbpq_record_writer_observe(w, keys[i], values[i]);
                if (st != IDBPQ_OK) { fprintf(stderr, "observe: %s\n", idbpq_record_writer_errmsg(w)); return 1; }
            }
            t_wall += wall() - t0; t_cpu += cpu() - c0;
        }
        fclose(f);
    }
    idbpq_file_sink *fs;
    idbpq_sink sink;
    char err[256];
    if (idbpq_file_sink_open(&fs, out, &sink, err, sizeof err) != IDBPQ_OK) { fprintf(stderr, "%s\n", err); return 1; }
    t0 = wall(); c0 = cpu();
    st = idbpq_record_writer_begin(w, &sink);
    t_wall += wall() - t0; t_cpu += cpu() - c0;
    if (st != IDBPQ_OK) { fprintf(stderr, "begin: %s\n", idbpq_record_writer_errmsg(w)); return 1; }
    f = fopen(in, "rb");
    if (!f) { perror(in); return 1; }
    next_key = 1;
    for (;;) {
        idbpq_vbatch_reset(b);
        t0 = wall();
        n = read_batch(f, b, values, keys, !kp, &next_key, &line, &cap);
        t_parse += wall() - t0;
        if (!n) break;
        t0 = wall(); c0 = cpu();
        for (size_t i = 0; i < n; i++) {
            st = idbpq_record_writer_write(w, keys[i], values[i]);
            if (st != IDBPQ_OK) { fprintf(stderr, "write: %s\n", idbpq_record_writer_errmsg(w)); return 1; }
        }
        t_wall += wall() - t0; t_cpu += cpu() - c0;
        records += n;
    }
    fclose(f);
    idbpq_record_stats stats;
    t0 = wall(); c0 = cpu();
    st = idbpq_record_writer_finish(w, &stats);
    if (st == IDBPQ_OK) st = idbpq_file_sink_commit(fs, err, sizeof err);
    t_wall += wall() - t0; t_cpu += cpu() - c0;
    if (st != IDBPQ_OK) { fprintf(stderr, "finish: %s\n", idbpq_record_writer_errmsg(w)); return 1; }
    printf("{\"op\":\"write\",\"records\":%llu,\"seconds\":%.6f,\"cpu\":%.6f,\"parse_seconds\":%.6f,"
           "\"bytes\":%llu,\"fallbacks\":%llu,\"columns\":%u,\"variant_fields\":%u,\"peak_rss_kb\":%ld}\n",
           (unsigned long long)records, t_wall, t_cpu, t_parse, (unsigned long long)stats.bytes_out,
           (unsigned long long)stats.fallbacks, stats.columns, stats.variant_fields, peak_rss_kb());
    idbpq_record_writer_free(w);
    idbpq_vbatch_free(b);
    free(values);
    free(keys);
    free(line);
    return 0;
}

static int do_read(char **argv)
{
    idbpq_file_source *fsrc;
    idbpq_source src;
    idbpq_reader *r;
    idbpq_record_reader *rr;
    char err[256];
    if (idbpq_file_source_open(&fsrc, argv[2], &src, err, sizeof err) != IDBPQ_OK ||
        idbpq_reader_open(&r, &src, NULL, NULL, err, sizeof err) != IDBPQ_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (idbpq_record_reader_open(&rr, r, NULL, NULL) != IDBPQ_OK) {
        fprintf(stderr, "record_reader_open: %s\n", idbpq_reader_errmsg(r));
        return 1;
    }
    idbpq_vbatch *b;
    idbpq_vbatch_create(&b, NULL);
    uint64_t records = 0;
    double t0 = wall(), c0 = cpu();
    idbpq_status st;
    for (;;) {
        idbpq_value *k, *v;
        idbpq_vbatch_reset(b); /* one record at a time, as an application would */
        st = idbpq_record_reader_next(rr, b, &k, &v);
        if (st != IDBPQ_OK) break;
        records++;
    }
    double t = wall() - t0, c = cpu() - c0;
    if (st != IDBPQ_END) { fprintf(stderr, "next: %s\n", idbpq_record_reader_errmsg(rr)); return 1; }
    printf("{\"op\":\"read\",\"records\":%llu,\"seconds\":%.6f,\"cpu\":%.6f,\"peak_rss_kb\":%ld}\n",
           (unsigned long long)records, t, c, peak_rss_kb());
    idbpq_vbatch_free(b);
    idbpq_record_reader_free(rr);
    idbpq_reader_free(r);
    idbpq_file_source_close(fsrc);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "write")) return do_write(argc, argv);
    if (argc == 3 && !strcmp(argv[1], "read")) return do_read(argv);
    fprintf(stderr, "usage: bench_records write IN.jsonl OUT.parquet [--key-path P] [--one-pass] "
                    "[--codec C]\n       bench_records read IN.parquet\n");
    return 2;
}
