/*
 * profile_seeds.c — writes seed inputs for fuzz_profile from real LevelDB origins: the live
 * entries of each directory given, as [u16 key length][key][u32 value length][value], keeping
 * every metadata entry (database id of the key prefix's stores... all keys whose object store
 * id is 0) and the first records of each store, up to about 24 KiB per seed.
 * Build and run (from the repository root, after make):
 *   cc -std=c11 -D_DEFAULT_SOURCE -Iinclude -Isrc -o /tmp/profile_seeds fuzz/profile_seeds.c \
 *      build/libidbpq.a -lsqlite3 -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm
 *   /tmp/profile_seeds fuzz/corpus/fuzz_profile tests/data/profile/Default/IndexedDB/(*).leveldb
 */
#include "idbpq.h"
#include "stores/leveldb.h"

#include <stdio.h>
#include <string.h>

#define SEED_BYTES 24000

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: profile_seeds OUTDIR LEVELDB_DIR...\n");
        return 2;
    }
    for (int a = 2; a < argc; a++) {
        struct idbpq__ldbr_opts o = {idbpq_idb_cmp1, "idb_cmp1", NULL, NULL, NULL};
        idbpq__ldbr *db;
        idbpq__ldbr_iter *it;
        idbpq_error e;
        if (idbpq__ldbr_open(&db, argv[a], &o, &e) != IDBPQ_OK ||
            idbpq__ldbr_iter_create(db, &it, &e) != IDBPQ_OK) {
            fprintf(stderr, "%s: %s\n", argv[a], e.msg);
            return 1;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/seed-%d", argv[1], a - 1);
        FILE *f = fopen(path, "wb");
        if (!f) return 1;
        size_t written = 0;
        for (idbpq_status st = idbpq__ldbr_iter_seek(it, NULL, 0, &e); st == IDBPQ_OK;
             st = idbpq__ldbr_iter_next(it, &e)) {
            size_t kn, vn;
            const uint8_t *k = idbpq__ldbr_iter_key(it, &kn), *v = idbpq__ldbr_iter_value(it, &vn);
            int meta = kn >= 4 && k[0] == 0 && k[2] == 0; /* short prefix, object store 0 */
            if (kn > 0xffff || vn > 8192 || (!meta && written > SEED_BYTES)) continue;
            uint8_t h[4] = {(uint8_t)kn, (uint8_t)(kn >> 8)};
            fwrite(h, 1, 2, f);
            fwrite(k, 1, kn, f);
            h[0] = (uint8_t)vn, h[1] = (uint8_t)(vn >> 8), h[2] = (uint8_t)(vn >> 16), h[3] = 0;
            fwrite(h, 1, 4, f);
            fwrite(v, 1, vn, f);
            written += 6 + kn + vn;
        }
        fclose(f);
        idbpq__ldbr_iter_free(it);
        idbpq__ldbr_close(db);
        printf("%s: %zu bytes\n", path, written);
    }
    return 0;
}
