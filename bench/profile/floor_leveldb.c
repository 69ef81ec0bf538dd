/*
 * floor_leveldb.c — the floor of profile export on the LevelDB backend: a bare iteration of a
 * Chromium IndexedDB LevelDB with Debian's libleveldb, decoding nothing.
 *
 *   floor_leveldb LEVELDB_DIR [--no-verify] [--blob-dir DIR]
 *
 * LEVELDB_DIR must be a copy: libleveldb writes on open (it turns the log into a table and
 * starts a new MANIFEST). The comparator is named "idb_cmp1" and is idbpq_idb_cmp1, as
 * Chromium's. Every live entry is visited once in key order; every byte of its key and value
 * is read (folded into a checksum, so nothing is optimised away). By default block checksums
 * are verified (verify_checksums, and paranoid_checks on open), as idbpq's reader verifies
 * every block; --no-verify turns both off. The block cache is not filled (a one-pass scan).
 * --blob-dir DIR also reads every file under DIR (the origin's .indexeddb.blob directory:
 * Blobs, Files and values Chromium moved out of line), timed separately.
 *
 * Prints one JSON line: entries, key_bytes, value_bytes, open_seconds (leveldb_open),
 * seconds (the iteration), blob_files, blob_bytes, blob_seconds, verify, checksum.
 */
#include "idbpq.h"

#include <dirent.h>
#include <fcntl.h>
#include <leveldb/c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Every byte, eight at a time. */
static uint64_t fold(uint64_t h, const char *p, size_t n)
{
    uint64_t acc = 0, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        acc ^= w;
    }
    for (; i < n; i++) acc ^= (uint64_t)(unsigned char)p[i] << (8 * (i & 7));
    return (h ^ acc ^ n) * 0x100000001b3ULL;
}

static int cmp(void *state, const char *a, size_t an, const char *b, size_t bn)
{
    (void)state;
    return idbpq_idb_cmp1((const uint8_t *)a, an, (const uint8_t *)b, bn);
}
static const char *cmp_name(void *state) { (void)state; return "idb_cmp1"; }
static void cmp_destroy(void *state) { (void)state; }

static uint64_t blob_files, blob_bytes, blob_sum;
static char *buf;
static size_t bufcap = 1 << 20;

static void read_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) { perror(dir); exit(1); }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (!p) { fputs("floor_leveldb: out of memory\n", stderr); exit(1); }
        snprintf(p, n, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) { perror(p); exit(1); }
        if (S_ISDIR(st.st_mode)) {
            read_tree(p);
        } else if (S_ISREG(st.st_mode)) {
            int fd = open(p, O_RDONLY);
            if (fd < 0) { perror(p); exit(1); }
            ssize_t r;
            while ((r = read(fd, buf, bufcap)) > 0) {
                blob_sum = fold(blob_sum, buf, (size_t)r);
                blob_bytes += (uint64_t)r;
            }
            if (r < 0) { perror(p); exit(1); }
            close(fd);
            blob_files++;
        }
        free(p);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *blob_dir = NULL;
    int verify = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-verify")) verify = 0;
        else if (!strcmp(argv[i], "--blob-dir") && i + 1 < argc) blob_dir = argv[++i];
        else if (!dir && argv[i][0] != '-') dir = argv[i];
        else dir = NULL, i = argc;
    }
    if (!dir) {
        fputs("usage: floor_leveldb LEVELDB_DIR [--no-verify] [--blob-dir DIR]\n", stderr);
        return 2;
    }

    char *err = NULL;
    leveldb_comparator_t *cmpr = leveldb_comparator_create(NULL, cmp_destroy, cmp, cmp_name);
    leveldb_options_t *opt = leveldb_options_create();
    leveldb_options_set_comparator(opt, cmpr);
    leveldb_options_set_create_if_missing(opt, 0);
    leveldb_options_set_paranoid_checks(opt, (unsigned char)verify);
    double t0 = now();
    leveldb_t *db = leveldb_open(opt, dir, &err);
    if (err) { fprintf(stderr, "floor_leveldb: %s: %s\n", dir, err); return 1; }
    double t1 = now();

    leveldb_readoptions_t *ropt = leveldb_readoptions_create();
    leveldb_readoptions_set_verify_checksums(ropt, (unsigned char)verify);
    leveldb_readoptions_set_fill_cache(ropt, 0);
    leveldb_iterator_t *it = leveldb_create_iterator(db, ropt);
    uint64_t entries = 0, kbytes = 0, vbytes = 0, sum = 0xcbf29ce484222325ULL;
    for (leveldb_iter_seek_to_first(it); leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t kn, vn;
        const char *k = leveldb_iter_key(it, &kn);
        const char *v = leveldb_iter_value(it, &vn);
        sum = fold(fold(sum, k, kn), v, vn);
        kbytes += kn;
        vbytes += vn;
        entries++;
    }
    leveldb_iter_get_error(it, &err);
    if (err) { fprintf(stderr, "floor_leveldb: %s: %s\n", dir, err); return 1; }
    double t2 = now();
    leveldb_iter_destroy(it);
    leveldb_readoptions_destroy(ropt);
    leveldb_close(db);
    leveldb_options_destroy(opt);
    leveldb_comparator_destroy(cmpr);

    double t3 = now();
    if (blob_dir) {
        buf = malloc(bufcap);
        if (!buf) { fputs("floor_leveldb: out of memory\n", stderr); return 1; }
        read_tree(blob_dir);
        free(buf);
    }
    double t4 = now();
    printf("{\"entries\":%llu,\"key_bytes\":%llu,\"value_bytes\":%llu,\"open_seconds\":%.4f,"
           "\"seconds\":%.4f,\"blob_files\":%llu,\"blob_bytes\":%llu,\"blob_seconds\":%.4f,"
           "\"verify\":%d,\"checksum\":\"%016llx\"}\n",
           (unsigned long long)entries, (unsigned long long)kbytes, (unsigned long long)vbytes,
           t1 - t0, t2 - t1, (unsigned long long)blob_files, (unsigned long long)blob_bytes,
           t4 - t3, verify, (unsigned long long)(sum ^ blob_sum));
    return 0;
}
