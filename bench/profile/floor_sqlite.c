/*
 * floor_sqlite.c — the floor of profile export on the SQLite backend: a bare scan of the records
 * table of each database of a Chromium IndexedDB origin with Debian's libsqlite3, decoding
 * nothing (values stay compressed as Chromium stored them).
 *
 *   floor_sqlite DIR|FILE...
 *
 * A DIR is an origin directory (Default/IndexedDB/<origin>/): every regular file in it that is
 * not a -wal, -shm or -journal file is a database. A database without a -wal file is opened as
 * file:PATH?immutable=1 (no locking, no writes); one with a -wal file is opened read-only (its
 * directory must then be writable: use a copy). Per database, timed as "seconds":
 *     SELECT key, value FROM records
 * and, timed separately as "blob_seconds" (Blob and File contents, Chromium's §4.3 tables):
 *     SELECT bytes FROM blobs; SELECT bytes FROM overflow_blob_chunks
 * Every byte of every column read is folded into a checksum. Prints one JSON line: databases,
 * entries, key_bytes, value_bytes, seconds, blob_rows, blob_bytes, blob_seconds, checksum.
 */
#include <dirent.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t fold(uint64_t h, const void *v, size_t n)
{
    const unsigned char *p = v;
    uint64_t acc = 0, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        acc ^= w;
    }
    for (; i < n; i++) acc ^= (uint64_t)p[i] << (8 * (i & 7));
    return (h ^ acc ^ n) * 0x100000001b3ULL;
}

static uint64_t dbs, entries, kbytes, vbytes, blob_rows, blob_bytes;
static uint64_t sum = 0xcbf29ce484222325ULL;
static double secs, blob_secs;

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

/* Runs SQL, folding every column of every row; adds rows and bytes. Returns 0 when the table
 * does not exist. */
static int scan(sqlite3 *db, const char *path, const char *sql, uint64_t *rows, uint64_t *b0,
                uint64_t *b1)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        if (strstr(sqlite3_errmsg(db), "no such table")) return 0;
        fprintf(stderr, "floor_sqlite: %s: %s\n", path, sqlite3_errmsg(db));
        exit(1);
    }
    int rc, cols = sqlite3_column_count(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < cols; c++) {
            const void *p = sqlite3_column_blob(st, c);
            size_t n = (size_t)sqlite3_column_bytes(st, c);
            sum = fold(sum, p, n);
            *(c == 0 ? b0 : b1) += n;
        }
        (*rows)++;
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "floor_sqlite: %s: %s\n", path, sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_finalize(st);
    return 1;
}

static void database(const char *path)
{
    char wal[4096], uri[8300];
    struct stat st;
    snprintf(wal, sizeof wal, "%s-wal", path);
    sqlite3 *db;
    int rc;
    if (stat(wal, &st) == 0 && st.st_size > 0) {
        rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    } else {
        size_t o = (size_t)snprintf(uri, sizeof uri, "file:");
        for (const char *p = path; *p && o + 4 < sizeof uri; p++) {
            if (*p == '%' || *p == '?' || *p == '#') o += (size_t)snprintf(uri + o, 4, "%%%02X", (unsigned char)*p);
            else uri[o++] = *p;
        }
        snprintf(uri + o, sizeof uri - o, "?immutable=1");
        rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    }
    if (rc != SQLITE_OK) {
        fprintf(stderr, "floor_sqlite: %s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
        exit(1);
    }
    double t0 = now();
    uint64_t none = 0;
    if (!scan(db, path, "SELECT key, value FROM records", &entries, &kbytes, &vbytes)) {
        sqlite3_close(db);
        return; /* not an IndexedDB database */
    }
    double t1 = now();
    scan(db, path, "SELECT bytes FROM blobs", &blob_rows, &blob_bytes, &none);
    scan(db, path, "SELECT bytes FROM overflow_blob_chunks", &blob_rows, &blob_bytes, &none);
    double t2 = now();
    secs += t1 - t0;
    blob_secs += t2 - t1;
    dbs++;
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: floor_sqlite DIR|FILE...\n", stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) { perror(argv[i]); return 1; }
        if (!S_ISDIR(st.st_mode)) { database(argv[i]); continue; }
        DIR *d = opendir(argv[i]);
        if (!d) { perror(argv[i]); return 1; }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || ends_with(e->d_name, "-wal") || ends_with(e->d_name, "-shm") ||
                ends_with(e->d_name, "-journal"))
                continue;
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
            if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) database(p);
        }
        closedir(d);
    }
    if (!dbs) { fputs("floor_sqlite: no IndexedDB database found\n", stderr); return 1; }
    printf("{\"databases\":%llu,\"entries\":%llu,\"key_bytes\":%llu,\"value_bytes\":%llu,"
           "\"seconds\":%.4f,\"blob_rows\":%llu,\"blob_bytes\":%llu,\"blob_seconds\":%.4f,"
           "\"checksum\":\"%016llx\"}\n",
           (unsigned long long)dbs, (unsigned long long)entries, (unsigned long long)kbytes,
           (unsigned long long)vbytes, secs, (unsigned long long)blob_rows,
           (unsigned long long)blob_bytes, blob_secs, (unsigned long long)sum);
    return 0;
}
