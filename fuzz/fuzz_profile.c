/*
 * fuzz_profile.c — a Chromium profile's IndexedDB as idbpq reads it (src/stores/: the
 * database-name, metadata, record, external-object and key-path decoders of chromium_ldb.c
 * and ldb_coding.c, value decoding, key injection, Blob loading) on hostile LevelDB contents.
 *
 * The input is a list of entries [u16 LE key length][key][u32 LE value length][value] (cut
 * short at the end of the input). They are written, in order, as one write batch into the log
 * of a fresh LevelDB directory "<tmp>/o.indexeddb.leveldb" (CURRENT, a MANIFEST naming the
 * comparator idb_cmp1, 000003.log) — the LevelDB framing is fuzz_leveldb's business, the
 * entries' meaning is this target's. Then: idbpq_profile_open on it, every store counted and
 * every record of every store read through a cursor (at most 4,096 per store) and printed as
 * tagged JSON. Properties: nothing crashes or leaks; damage reports name a file and say what;
 * a record that comes back prints as tagged JSON and its key is a valid IndexedDB key; a
 * CORRUPT record has a message, and the cursor goes on after it.
 * Seeds (fuzz/corpus/fuzz_profile) are the live entries of the committed profile's LevelDB
 * origins, made by fuzz/profile_seeds.c.
 */
#include "idbpq.h"
#include "stores/leveldb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

struct out {
    uint8_t *p;
    size_t n, cap;
};
static void put(struct out *o, const void *p, size_t n)
{
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2 + 64;
        o->p = realloc(o->p, o->cap);
        CHECK(o->p);
    }
    memcpy(o->p + o->n, p, n);
    o->n += n;
}
static void put_varint(struct out *o, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    put(o, b, n);
}

/* A LevelDB log holding one logical record, fragmented over 32 KiB blocks. */
static void log_record(struct out *o, const uint8_t *p, size_t n)
{
    size_t left = n, block_off = o->n % 32768;
    int first = 1;
    do {
        size_t room = 32768 - block_off;
        if (room < 7) { /* trailer: pad the block with zeros */
            uint8_t z[7] = {0};
            put(o, z, room);
            block_off = 0;
            continue;
        }
        size_t frag = left < room - 7 ? left : room - 7;
        int last = frag == left;
        uint8_t type = first && last ? 1 : first ? 2 : last ? 4 : 3;
        uint8_t h[7];
        uint32_t crc = idbpq__crc32c(0, &type, 1);
        crc = idbpq__crc32c(crc, p, frag);
        uint32_t masked = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
        memcpy(h, &masked, 4);
        h[4] = (uint8_t)frag;
        h[5] = (uint8_t)(frag >> 8);
        h[6] = type;
        put(o, h, 7);
        put(o, p, frag);
        p += frag;
        left -= frag;
        block_off = (block_off + 7 + frag) % 32768;
        first = 0;
    } while (left);
}

static int write_file(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static void on_damage(void *ctx, const idbpq_damage *d)
{
    (void)ctx;
    CHECK(d->file && d->what && d->what[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The write batch: sequence 1, then the entries. */
    struct out batch = {0}, log = {0}, man = {0};
    uint8_t hdr[12] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    put(&batch, hdr, 12);
    uint32_t count = 0;
    size_t i = 0;
    while (i + 2 <= size && count < 100000) {
        size_t kn = (size_t)data[i] | (size_t)data[i + 1] << 8;
        i += 2;
        if (kn > size - i) kn = size - i;
        const uint8_t *k = data + i;
        i += kn;
        size_t vn = 0;
        if (i + 4 <= size) {
            vn = (size_t)data[i] | (size_t)data[i + 1] << 8 | (size_t)data[i + 2] << 16 |
                 (size_t)data[i + 3] << 24;
            i += 4;
        } else {
            i = size;
        }
        if (vn > size - i) vn = size - i;
        uint8_t one = 1;
        put(&batch, &one, 1);
        put_varint(&batch, kn);
        put(&batch, k, kn);
        put_varint(&batch, vn);
        put(&batch, data + i, vn);
        i += vn;
        count++;
    }
    memcpy(batch.p + 8, &count, 4);
    log_record(&log, batch.p, batch.n);
    /* MANIFEST: comparator, log number 3, next file 4, last sequence 0. */
    struct out edit = {0};
    put_varint(&edit, 1);
    put_varint(&edit, 8);
    put(&edit, "idb_cmp1", 8);
    put_varint(&edit, 2);
    put_varint(&edit, 3);
    put_varint(&edit, 3);
    put_varint(&edit, 4);
    put_varint(&edit, 4);
    put_varint(&edit, 0);
    log_record(&man, edit.p, edit.n);

    char root[] = "/tmp/fuzz_profile.XXXXXX";
    CHECK(mkdtemp(root));
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/o.indexeddb.leveldb", root);
    CHECK(mkdir(dir, 0700) == 0);
    CHECK(write_file(dir, "CURRENT", "MANIFEST-000001\n", 16) == 0);
    CHECK(write_file(dir, "MANIFEST-000001", man.p, man.n) == 0);
    CHECK(write_file(dir, "000003.log", log.p, log.n) == 0);

    idbpq_profile_opts o;
    idbpq_profile_opts_init(&o);
    o.on_damage = on_damage;
    idbpq_profile *p = NULL;
    idbpq_error e;
    memset(&e, 0, sizeof e);
    unsigned long stores = 0, records = 0, damaged = 0;
    if (idbpq_profile_open(&p, root, &o, NULL, &e) == IDBPQ_OK) {
        idbpq_vbatch *b;
        idbpq_buffer text;
        CHECK(idbpq_vbatch_create(&b, NULL) == IDBPQ_OK);
        idbpq_buffer_init(&text, NULL);
        for (uint32_t oi = 0; oi < idbpq_profile_origin_count(p); oi++) {
            const idbpq_profile_origin *po = idbpq_profile_origin_at(p, oi);
            for (uint32_t di = 0; di < po->n_databases; di++)
                for (uint32_t si = 0; si < po->databases[di].n_stores; si++) {
                    uint64_t n = 0;
                    (void)idbpq_profile_count(p, oi, di, si, &n, &e);
                    idbpq_store_cursor *c;
                    if (idbpq_store_cursor_open(&c, p, oi, di, si, &e) != IDBPQ_OK) continue;
                    stores++;
                    for (int r = 0; r < 4096; r++) {
                        idbpq_vbatch_reset(b);
                        idbpq_value *key, *value;
                        e.msg[0] = 0;
                        idbpq_status st = idbpq_store_cursor_next(c, b, &key, &value, &e);
                        if (st == IDBPQ_CORRUPT) {
                            CHECK(e.msg[0]);
                            damaged++;
                            continue;
                        }
                        if (st != IDBPQ_OK) break;
                        idbpq_key *k;
                        CHECK(idbpq_key_from_value(b, key, &k, &e) == IDBPQ_OK);
                        text.len = 0;
                        CHECK(idbpq_tjson_write(key, &text) == IDBPQ_OK);
                        CHECK(idbpq_tjson_write(value, &text) == IDBPQ_OK);
                        records++;
                    }
                    idbpq_store_cursor_free(c);
                }
        }
        idbpq_buffer_free(&text);
        idbpq_vbatch_free(b);
        idbpq_profile_free(p);
    } else {
        CHECK(e.msg[0]);
    }
    if (getenv("FUZZ_PROFILE_VERBOSE")) /* what an input reached: for checking the seeds */
        fprintf(stderr, "# fuzz_profile: %lu stores, %lu records, %lu damaged\n", stores,
                records, damaged);
    char path[4300];
    const char *files[] = {"CURRENT", "MANIFEST-000001", "000003.log"};
    for (int f = 0; f < 3; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        unlink(path);
    }
    rmdir(dir);
    rmdir(root);
    free(batch.p);
    free(log.p);
    free(man.p);
    free(edit.p);
    return 0;
}
