/*
 * fuzz_sync_state.c — the sync state file (src/sync/sync_state_file.c) on hostile bytes: the
 * input is written to a file and read as a state: the header, then every entry. Properties:
 * reading ends with END (then the entries came in strictly increasing key order and the
 * trailer's count and CRC matched) or with an error whose message names the file; a state
 * that read completely is saved again (no updates) and reads back the same entries.
 */
#include "idbpq.h"

#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char path[64], path2[64];

static uint64_t read_all(const char *p, uint8_t *digest, idbpq_status *last)
{
    idbpq_sync_state st;
    idbpq_error e;
    uint64_t n = 0;
    CHECK(idbpq_sync_state_file(&st, p, NULL, &e) == IDBPQ_OK);
    idbpq_buffer h;
    idbpq_buffer_init(&h, NULL);
    idbpq_status s = st.load(st.ctx, &h, &e);
    if (s == IDBPQ_OK) s = st.rewind(st.ctx, &e);
    uint8_t prev[4096];
    size_t prev_n = 0;
    while (s == IDBPQ_OK) {
        idbpq_sync_state_entry en;
        s = st.next(st.ctx, &en, &e);
        if (s != IDBPQ_OK) break;
        if (n) {
            size_t m = prev_n < en.key_len ? prev_n : en.key_len;
            int c = memcmp(prev, en.key, m);
            CHECK(c < 0 || (c == 0 && prev_n < en.key_len));
        }
        prev_n = en.key_len < sizeof prev ? en.key_len : sizeof prev;
        memcpy(prev, en.key, prev_n);
        for (int i = 0; i < 16; i++) digest[i] ^= en.hash[i];
        n++;
    }
    if (s != IDBPQ_END && s != IDBPQ_OK) CHECK(strstr(e.msg, p) != NULL || s == IDBPQ_NOMEM);
    *last = s;
    idbpq_buffer_free(&h);
    idbpq_sync_state_file_free(&st);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/fuzz_sync_state.%d", (int)getpid());
        snprintf(path2, sizeof path2, "/tmp/fuzz_sync_state2.%d", (int)getpid());
    }
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (size) CHECK(fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);
    uint8_t d1[16] = {0}, d2[16] = {0};
    idbpq_status last;
    uint64_t n = read_all(path, d1, &last);
    if (last == IDBPQ_END && size) {
        /* Saved again with no updates: the same entries come back. */
        idbpq_sync_state st;
        idbpq_error e;
        CHECK(idbpq_sync_state_file(&st, path, NULL, &e) == IDBPQ_OK);
        CHECK(st.save(st.ctx, "{}", NULL, 0, &e) == IDBPQ_OK);
        idbpq_sync_state_file_free(&st);
        idbpq_status l2;
        CHECK(read_all(path, d2, &l2) == n && l2 == IDBPQ_END && !memcmp(d1, d2, 16));
    }
    unlink(path);
    (void)path2;
    return 0;
}
