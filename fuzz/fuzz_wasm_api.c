/*
 * fuzz_wasm_api.c — the WebAssembly glue (wasm/api.c), built natively so that the sanitizers
 * see it (inside wasm an overrun only scribbles on linear memory). The first byte picks:
 *   bit 0 = 1: the writer. The rest is a batch of framed records (V8 key, V8 value, Blobs)
 *     fed to ipq_writer_write for a store with out-of-line keys (bit 1 = 0) or key path "id"
 *     (bit 1 = 1), once in one pass and once observed first (bit 2), then finished. Whatever
 *     the batch, the result is records or an error message, never a crash.
 *   bit 0 = 0: the reader. The rest is a Parquet file: opened from its tail, described as
 *     JSON (which must parse as JSON), read with its row groups' byte ranges as windows, in
 *     batches of 1 to 8 records (bits 1-3), every record re-framed for JavaScript.
 * Seeds: fuzz/wasm_api_seeds.mjs (framed batches from web/v8wire.js, and Parquet files).
 */
#include "fuzz.h"

#include <string.h>

#include "../wasm/api.c"

static void writer(const uint8_t *p, size_t n, int keypath, int observe)
{
    const char *json = keypath ? "{\"name\":\"s\",\"keyPath\":\"id\",\"autoIncrement\":false,"
                                 "\"indexes\":[{\"name\":\"e\",\"keyPath\":\"e\",\"unique\":true,"
                                 "\"multiEntry\":false}]}"
                               : "{\"name\":\"s\",\"keyPath\":null,\"autoIncrement\":false}";
    ipq_writer *w = ipq_writer_new(json, (uint32_t)strlen(json), 1, 0, 1 << 16, 0);
    CHECK(w);
    int r = 0;
    if (observe) r = ipq_writer_observe(w, p, (uint32_t)n);
    if (r >= 0) r = ipq_writer_write(w, p, (uint32_t)n);
    if (r >= 0) {
        CHECK(ipq_writer_finish(w) == 0 || errmsg[0]);
        CHECK(ipq_writer_stat(w, 0) >= 0);
    } else {
        CHECK(errmsg[0]);
    }
    ipq_writer_free(w);
}

static void reader(const uint8_t *p, size_t n, uint32_t batch)
{
    if (n < 12) return;
    uint8_t *tail = xmalloc(n);
    memcpy(tail, p, n);
    ipq_reader *h = ipq_reader_open((double)n, p, tail, (uint32_t)n, "fuzz.parquet", "", 0, 0);
    if (!h) {
        CHECK(errmsg[0]);
        return;
    }
    int len = ipq_reader_info(h);
    if (len >= 0) {
        idbpq_vbatch *b;
        CHECK(idbpq_vbatch_create(&b, NULL) == IDBPQ_OK);
        idbpq_value *v;
        idbpq_error e;
        CHECK(idbpq_tjson_parse(b, (const char *)ipq_reader_out(h), (size_t)len, &v, &e) ==
              IDBPQ_OK);
        idbpq_vbatch_free(b);
    }
    uint8_t *win = xmalloc(n);
    memcpy(win, p, n);
    ipq_reader_window(h, 0, win, (uint32_t)n);
    for (int i = 0; i < 100000; i++) {
        int got = ipq_reader_next(h, batch, 1 << 20);
        if (got <= 0) break;
        CHECK(ipq_reader_out_len(h) >= 12u * (uint32_t)got);
    }
    ipq_reader_free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t mode = data[0];
    if (mode & 1) writer(data + 1, size - 1, (mode >> 1) & 1, (mode >> 2) & 1);
    else reader(data + 1, size - 1, 1 + ((mode >> 1) & 7));
    return 0;
}
