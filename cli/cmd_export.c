/*
 * cmd_export.c — `idbpq export PATH -o OUTDIR`: every selected object store of a browser
 * profile to OUTDIR/<origin>/<database>/<store>.parquet (or .jsonl, tagged JSON records),
 * through the record writer of the mapping layer, with a progress bar on a terminal, a
 * summary, and OUTDIR/export.json describing what was written and what was damaged.
 * Files appear only complete (atomic sinks). Exit 1 when anything was damaged or failed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "async_sink.h"
#include "cli.h"
#include "pipe.h"
#include "profile_cli.h"

static const char help_text[] =
    "Usage: idbpq export PATH -o OUTDIR [OPTIONS]\n"
    "\n"
    "Export IndexedDB object stores from a Chromium-based browser profile (read-only; the\n"
    "browser may be running) to one file per store: OUTDIR/<origin>/<database>/<store>.parquet\n"
    "(names made file-safe: other bytes as %XX), plus OUTDIR/export.json listing them.\n"
    "PATH is what `idbpq ls` takes.\n"
    "\n"
    "  -o, --out DIR          output directory (created)\n"
    "  --origin O             only this origin (its id, as `idbpq ls` prints it)\n"
    "  --db NAME              only this database\n"
    "  --store NAME           only this store (may be repeated)\n"
    "  --format F             parquet (default) or jsonl ({\"key\":K,\"value\":V} per line)\n"
    "  --codec C              uncompressed, snappy, gzip, brotli, lz4_raw, zstd (default snappy)\n"
    "  --row-group-bytes N    row-group budget (K/M/G suffixes; default 128M)\n"
    "  --two-pass             read each store twice: the schema from every record, not a sample\n"
    "  --json-mixed           fields of mixed types as JSON text instead of VARIANT\n"
    "  --quiet                no progress bar and no summary\n"
    "\n"
    "Exit status: 0 everything exported; 1 damaged records were skipped (each reported with\n"
    "its file and position) or a store failed; 2 usage error (also: no store matches).\n";

#define MAX_STORES 256

typedef struct store_result {
    const char *origin, *database, *store;
    char file[4096];               /* relative to OUTDIR */
    uint64_t records, fallbacks, damaged;
    int failed;
} store_result;

typedef struct exporter {
    cli_profile cp;
    const char *outdir;
    int jsonl, two_pass, quiet, tty;
    idbpq_record_writer_opts wo;
    const char *origin, *db;
    const char *stores[MAX_STORES];
    int n_stores;
    /* progress */
    uint64_t total_records, done_records, bytes_in, bytes_out;
    uint32_t store_no, store_count;
    double t0, last_draw;
} exporter;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human_bytes(double b, char *out, size_t cap)
{
    const char *u[] = {"B", "KB", "MB", "GB", "TB"};
    int i = 0;
    while (b >= 1000 && i < 4) { b /= 1000; i++; }
    snprintf(out, cap, i ? "%.1f %s" : "%.0f %s", b, u[i]);
}

/* The bar: [#####-----] 45%  3/14 stores  12,345/27,000 records  12.3 MB  4.1 MB/s  ETA 0:03 */
static void draw(exporter *x, uint64_t cur_bytes, int force)
{
    if (!x->tty || x->quiet) return;
    double t = now();
    if (!force && t - x->last_draw < 0.1) return;
    x->last_draw = t;
    double el = t - x->t0, frac = x->total_records ? (double)x->done_records / (double)x->total_records : 0;
    if (frac > 1) frac = 1;
    char bar[32], in[32], rate[32], eta[32] = "";
    int fill = (int)(frac * 20);
    for (int i = 0; i < 20; i++) bar[i] = i < fill ? '#' : '-';
    bar[20] = 0;
    human_bytes((double)(x->bytes_in + cur_bytes), in, sizeof in);
    human_bytes(el > 0 ? (double)(x->bytes_in + cur_bytes) / el : 0, rate, sizeof rate);
    if (frac > 0.001 && el > 0.5) {
        double left = el / frac - el;
        snprintf(eta, sizeof eta, "  ETA %d:%02d", (int)left / 60, (int)left % 60);
    }
    pthread_mutex_lock(&x->cp.mu);
    fprintf(stderr, "\r\033[K[%s] %3d%%  store %u/%u  %llu/%llu records  %s  %s/s%s",
            bar, (int)(frac * 100), x->store_no, x->store_count,
            (unsigned long long)x->done_records, (unsigned long long)x->total_records, in, rate,
            eta);
    x->cp.progress_line = 1;
    pthread_mutex_unlock(&x->cp.mu);
}

/* Buffered, atomic output of a JSONL file. */
typedef struct jsonl_out {
    idbpq_file_sink *fs;
    idbpq_sink sink;
    idbpq_buffer buf;
} jsonl_out;

static idbpq_status jsonl_flush(jsonl_out *j)
{
    idbpq_status st = j->buf.len ? j->sink.write(j->sink.ctx, j->buf.data, j->buf.len) : IDBPQ_OK;
    j->buf.len = 0;
    return st;
}

/* Appends to a libc-backed idbpq_buffer (the JSONL line's literal parts). */
static idbpq_status buf_put(idbpq_buffer *b, const char *p, size_t n)
{
    if (b->cap - b->len < n) {
        size_t cap = (b->len + n) * 2;
        uint8_t *g = realloc(b->data, cap);
        if (!g) return IDBPQ_NOMEM;
        b->data = g;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return IDBPQ_OK;
}

static int selected(const exporter *x, const idbpq_profile_origin *o, const idbpq_profile_db *d,
                    const idbpq_store_desc *s)
{
    if (x->origin && strcmp(x->origin, o->id)) return 0;
    if (x->db && strcmp(x->db, d->name)) return 0;
    if (!x->n_stores) return 1;
    for (int i = 0; i < x->n_stores; i++)
        if (!strcmp(x->stores[i], s->name)) return 1;
    return 0;
}

/* One pass over a store: every good record to the writer (observe or write) or the JSONL
 * file; damaged ones are counted (already reported by the damage callback). */
static idbpq_status pass(exporter *x, uint32_t oi, uint32_t di, uint32_t si, store_result *r,
                         idbpq_record_writer *w, int observe, jsonl_out *j, char *msg,
                         size_t msg_len)
{
    idbpq_store_cursor *c;
    cli_pipe *pp = NULL;
    idbpq_error e;
    memset(&e, 0, sizeof e);
    idbpq_status st = idbpq_store_cursor_open(&c, x->cp.prof, oi, di, si, &e);
    if (st != IDBPQ_OK) {
        snprintf(msg, msg_len, "%s", e.msg);
        return st;
    }
    if (cli_pipe_start(&pp, c) != 0) {
        idbpq_store_cursor_free(c);
        snprintf(msg, msg_len, "cannot start the reading thread");
        return IDBPQ_NOMEM;
    }
    const idbpq_store_desc *s = &idbpq_profile_origin_at(x->cp.prof, oi)->databases[di].stores[si];
    uint64_t records = 0;
    for (;;) {
        idbpq_value *key, *value;
        st = cli_pipe_next(pp, &key, &value, msg, msg_len);
        if (st == IDBPQ_END) { st = IDBPQ_OK; break; }
        if (st != IDBPQ_OK) break;
        records++;
        if (j) { /* the line goes straight into the output buffer */
            idbpq_buffer *lb = &j->buf;
            if ((st = buf_put(lb, "{\"key\":", 7)) == IDBPQ_OK &&
                (st = idbpq_tjson_write(key, lb)) == IDBPQ_OK &&
                (st = buf_put(lb, ",\"value\":", 9)) == IDBPQ_OK &&
                (st = idbpq_tjson_write(value, lb)) == IDBPQ_OK &&
                (st = buf_put(lb, "}\n", 2)) == IDBPQ_OK && lb->len > (1 << 20))
                st = jsonl_flush(j);
            if (st != IDBPQ_OK) {
                snprintf(msg, msg_len, "writing: %s", idbpq_status_str(st));
                break;
            }
        } else {
            const idbpq_value *k = s->key_path.type ? NULL : key;
            st = observe ? idbpq_record_writer_observe(w, k, value)
                         : idbpq_record_writer_write(w, k, value);
            if (st != IDBPQ_OK) {
                snprintf(msg, msg_len, "%s", idbpq_record_writer_errmsg(w));
                break;
            }
        }
        if (!observe) {
            x->done_records++;
            if ((records & 255) == 0) draw(x, cli_pipe_bytes(pp), 0);
        }
    }
    uint64_t damaged = cli_pipe_damaged(pp); /* final once the reader reached the end */
    cli_pipe_free(pp); /* stops the reader first: the cursor is then free to go */
    if (!observe) {
        x->bytes_in += idbpq_store_cursor_bytes(c);
        r->records = records;
        r->damaged = damaged;
    }
    idbpq_store_cursor_free(c);
    return st;
}

static int export_store(exporter *x, uint32_t oi, uint32_t di, uint32_t si, store_result *r)
{
    const idbpq_profile_origin *o = idbpq_profile_origin_at(x->cp.prof, oi);
    const idbpq_profile_db *d = &o->databases[di];
    const idbpq_store_desc *s = &d->stores[si];
    char so[1024], sd[1024], ss[1024], dir[4096], path[8192], err[512], msg[512] = "";
    cli_safe_name(o->id, so, sizeof so);
    cli_safe_name(d->name, sd, sizeof sd);
    cli_safe_name(s->name, ss, sizeof ss);
    r->origin = o->id;
    r->database = d->name;
    r->store = s->name;
    snprintf(r->file, sizeof r->file, "%s/%s/%s.%s", so, sd, ss, x->jsonl ? "jsonl" : "parquet");
    snprintf(dir, sizeof dir, "%s/%s/%s", x->outdir, so, sd);
    snprintf(path, sizeof path, "%s/%s", x->outdir, r->file);
    if (cli_mkdirs(dir) != 0) {
        cli_err(dir, "cannot create: %s", strerror(errno));
        return r->failed = 1;
    }
    idbpq_file_sink *fs = NULL;
    idbpq_sink sink;
    idbpq_status st = idbpq_file_sink_open(&fs, path, &sink, err, sizeof err);
    if (st != IDBPQ_OK) {
        cli_err(path, "%s", err);
        return r->failed = 1;
    }
    /* The file is written from a thread of its own (async_sink.c): encoding and compressing
     * are the longest stage of an export, the kernel's copy need not add to it. */
    cli_async_sink *as = NULL;
    idbpq_sink file_sink = sink;
    if (cli_async_sink_open(&as, &file_sink, &sink) != 0) {
        idbpq_file_sink_abort(fs);
        cli_err(path, "out of memory or threads");
        return r->failed = 1;
    }
    idbpq_record_writer *w = NULL;
    idbpq_record_stats stats;
    memset(&stats, 0, sizeof stats);
    if (x->jsonl) {
        jsonl_out j = {fs, sink, {0}};
        idbpq_buffer_init(&j.buf, NULL);
        st = pass(x, oi, di, si, r, NULL, 0, &j, msg, sizeof msg);
        if (st == IDBPQ_OK) st = jsonl_flush(&j);
        free(j.buf.data);
    } else {
        st = idbpq_record_writer_create(&w, s, &x->wo, NULL);
        if (st == IDBPQ_OK && x->two_pass) st = pass(x, oi, di, si, r, w, 1, NULL, msg, sizeof msg);
        if (st == IDBPQ_OK && (st = idbpq_record_writer_begin(w, &sink)) != IDBPQ_OK)
            snprintf(msg, sizeof msg, "%s", idbpq_record_writer_errmsg(w));
        if (st == IDBPQ_OK) st = pass(x, oi, di, si, r, w, 0, NULL, msg, sizeof msg);
        if (st == IDBPQ_OK && (st = idbpq_record_writer_finish(w, &stats)) != IDBPQ_OK)
            snprintf(msg, sizeof msg, "%s", idbpq_record_writer_errmsg(w));
        r->fallbacks = stats.fallbacks;
    }
    idbpq_status wst = cli_async_sink_close(as); /* everything written (or why not) */
    if (st == IDBPQ_OK && wst != IDBPQ_OK) {
        st = wst;
        snprintf(msg, sizeof msg, "writing the file: %s", idbpq_status_str(wst));
    }
    if (st == IDBPQ_OK) st = idbpq_file_sink_commit(fs, err, sizeof err);
    else snprintf(err, sizeof err, "%s", msg[0] ? msg : idbpq_status_str(st));
    idbpq_file_sink_abort(fs);
    idbpq_record_writer_free(w);
    if (st != IDBPQ_OK) {
        if (x->cp.progress_line) fputs("\r\033[K", stderr), x->cp.progress_line = 0;
        cli_err(path, "store %s of %s/%s not exported: %s", s->name, o->id, d->name, err);
        return r->failed = 1;
    }
    struct stat sb;
    if (stat(path, &sb) == 0) x->bytes_out += (uint64_t)sb.st_size;
    return 0;
}

static void write_manifest(exporter *x, store_result *res, uint32_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/export.json", x->outdir);
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_err(path, "cannot write: %s", strerror(errno));
        return;
    }
    jw w;
    jw_init(&w, f);
    jw_puts(&w, "{\"stores\":[");
    for (uint32_t i = 0; i < n; i++) {
        jw_puts(&w, i ? ",\n{\"origin\":" : "\n{\"origin\":");
        jw_cstr(&w, res[i].origin);
        jw_puts(&w, ",\"database\":");
        jw_cstr(&w, res[i].database);
        jw_puts(&w, ",\"store\":");
        jw_cstr(&w, res[i].store);
        jw_puts(&w, ",\"file\":");
        if (res[i].failed) jw_puts(&w, "null"); else jw_cstr(&w, res[i].file);
        jw_puts(&w, ",\"records\":");
        jw_u64(&w, res[i].records);
        jw_puts(&w, ",\"fallbacks\":");
        jw_u64(&w, res[i].fallbacks);
        jw_puts(&w, ",\"damaged\":");
        jw_u64(&w, res[i].damaged);
        jw_putc(&w, '}');
    }
    jw_puts(&w, "],\n\"damaged\":[");
    for (size_t i = 0; i < x->cp.n_damage; i++) {
        jw_puts(&w, i ? ",\n{\"file\":" : "\n{\"file\":");
        jw_cstr(&w, x->cp.damage[i].file);
        jw_puts(&w, ",\"offset\":");
        jw_u64(&w, x->cp.damage[i].offset);
        jw_puts(&w, ",\"what\":");
        jw_cstr(&w, x->cp.damage[i].what);
        jw_putc(&w, '}');
    }
    jw_puts(&w, "]}\n");
    if (jw_finish(&w) || fclose(f) != 0) cli_err(path, "write failed");
}

int cmd_export(int argc, char **argv)
{
    exporter x;
    memset(&x, 0, sizeof x);
    idbpq_record_writer_opts_init(&x.wo);
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        int r;
        if (cli_is_help(a)) {
            fputs(help_text, stdout);
            return CLI_OK;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--out", &val)) ||
            (r = cli_opt_value(argc, argv, &i, "-o", &val))) {
            if (r < 0) return cli_usage("export", "-o needs a directory");
            x.outdir = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--origin", &val))) {
            if (r < 0) return cli_usage("export", "--origin needs an origin id");
            x.origin = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--db", &val))) {
            if (r < 0) return cli_usage("export", "--db needs a name");
            x.db = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--store", &val))) {
            if (r < 0 || x.n_stores == MAX_STORES) return cli_usage("export", "--store needs a name");
            x.stores[x.n_stores++] = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--format", &val))) {
            if (r < 0 || (strcmp(val, "parquet") && strcmp(val, "jsonl")))
                return cli_usage("export", "--format is parquet or jsonl");
            x.jsonl = !strcmp(val, "jsonl");
        } else if ((r = cli_opt_record_writer("export", argc, argv, &i, &x.wo))) {
            if (r != 1) return r;
        } else if (!strcmp(a, "--two-pass")) {
            x.two_pass = 1;
        } else if (!strcmp(a, "--json-mixed")) {
            x.wo.mixed_as_json = 1;
        } else if (!strcmp(a, "--quiet")) {
            x.quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage("export", "unknown option '%s'", a);
        } else if (!path) {
            path = a;
        } else {
            return cli_usage("export", "too many arguments");
        }
    }
    if (!path) return cli_usage("export", "needs a PATH (a browser profile)");
    if (!x.outdir) return cli_usage("export", "needs -o OUTDIR");
    x.tty = isatty(2);
    x.t0 = now();
    if (cli_profile_open(&x.cp, path) != CLI_OK) return CLI_FAIL;
    if (cli_mkdirs(x.outdir) != 0) {
        cli_err(x.outdir, "cannot create: %s", strerror(errno));
        cli_profile_close(&x.cp);
        return CLI_FAIL;
    }
    /* What to export, and (for the progress bar) how many records it holds. */
    uint32_t sel[4096][3], n = 0;
    int failed = 0;
    for (uint32_t oi = 0; oi < idbpq_profile_origin_count(x.cp.prof); oi++) {
        const idbpq_profile_origin *o = idbpq_profile_origin_at(x.cp.prof, oi);
        for (uint32_t di = 0; di < o->n_databases; di++)
            for (uint32_t si = 0; si < o->databases[di].n_stores && n < 4096; si++) {
                if (!selected(&x, o, &o->databases[di], &o->databases[di].stores[si])) continue;
                sel[n][0] = oi, sel[n][1] = di, sel[n][2] = si;
                n++;
                uint64_t c = 0;
                idbpq_error e;
                if (x.tty && !x.quiet && idbpq_profile_count(x.cp.prof, oi, di, si, &c, &e) == IDBPQ_OK)
                    x.total_records += c;
            }
    }
    if (!n) { /* a selection that names nothing is the caller's mistake: usage */
        cli_profile_close(&x.cp);
        return cli_usage("export", "%s: no object store matches%s%s%s%s%s (see idbpq ls)", path,
                         x.origin ? " --origin " : "", x.origin ? x.origin : "",
                         x.db ? " --db " : "", x.db ? x.db : "", x.n_stores ? " --store ..." : "");
    }
    store_result *res = calloc(n, sizeof *res);
    if (!res) {
        cli_err(path, "out of memory");
        cli_profile_close(&x.cp);
        return CLI_FAIL;
    }
    x.store_count = n;
    uint64_t records = 0, fallbacks = 0, damaged = 0;
    for (uint32_t i = 0; i < n; i++) {
        x.store_no = i + 1;
        failed |= export_store(&x, sel[i][0], sel[i][1], sel[i][2], &res[i]);
        records += res[i].records;
        fallbacks += res[i].fallbacks;
        damaged += res[i].damaged;
    }
    draw(&x, 0, 1);
    if (x.cp.progress_line) fputs("\r\033[K", stderr);
    write_manifest(&x, res, n);
    if (!x.quiet) {
        char in[32], out[32];
        human_bytes((double)x.bytes_in, in, sizeof in);
        human_bytes((double)x.bytes_out, out, sizeof out);
        fprintf(stderr, "idbpq export: %u stores, %llu records", n, (unsigned long long)records);
        if (fallbacks) fprintf(stderr, " (%llu kept exactly in _raw)", (unsigned long long)fallbacks);
        fprintf(stderr, ", %s read, %s written to %s in %.2f s\n", in, out, x.outdir,
                now() - x.t0);
    }
    if (damaged || x.cp.n_damage)
        fprintf(stderr, "idbpq export: %llu damaged records skipped, %zu damaged places "
                "reported (see %s/export.json)\n", (unsigned long long)damaged, x.cp.n_damage,
                x.outdir);
    if (damaged || x.cp.n_damage) failed = 1;
    free(res);
    cli_profile_close(&x.cp);
    return failed ? CLI_FAIL : CLI_OK;
}
