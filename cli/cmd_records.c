/*
 * cmd_records.c — `idbpq records FILE`: the IndexedDB records a Parquet file holds, one line
 * each, {"key":K,"value":V} in tagged JSON (docs/tagged-json.md). Files idbpq wrote come back
 * exactly; others map by their logical types, with the reader options as flags.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help_text[] =
    "Usage: idbpq records FILE [--limit N] [--offset N] [--key-column C] [OPTIONS]\n"
    "\n"
    "Print the IndexedDB records of a Parquet file, one per line:\n"
    "  {\"key\":KEY,\"value\":VALUE}   (tagged JSON, docs/tagged-json.md)\n"
    "Files idbpq wrote come back exactly. Other files: every top-level column is a property\n"
    "of the value, converted by its logical type; keys are 1, 2, 3... unless --key-column.\n"
    "\n"
    "  --limit N         print at most N records\n"
    "  --offset N        skip the first N records\n"
    "  --key-column C    top-level column C is the key (taken out of the value)\n"
    "  --int64-bigint    INT64 columns as BigInt always (default: Number up to 2^53)\n"
    "  --decimal-string  DECIMAL as a string always (default: Number when exact)\n"
    "  --map-object      MAP with string keys as a plain object (default: Map)\n"
    "  --json-parse      JSON columns as parsed values (default: the text)\n"
    "  --nulls-omit      leave null fields out (default: property = null)\n";

static int parse_count(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-' || *s == '+') return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

/* The library's message, without the file name it starts with (cli_err adds it again). */
static void report(const char *path, idbpq_status st, const char *msg)
{
    size_t n = strlen(path);
    if (msg && strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ') msg += n + 2;
    cli_lib_err(path, st, msg);
}

static int flag(const char *arg, idbpq_record_reader_opts *o)
{
    static const struct {
        const char *name;
        size_t off;
    } flags[] = {
        {"--int64-bigint", offsetof(idbpq_record_reader_opts, int64_bigint)},
        {"--decimal-string", offsetof(idbpq_record_reader_opts, decimal_string)},
        {"--map-object", offsetof(idbpq_record_reader_opts, map_object)},
        {"--json-parse", offsetof(idbpq_record_reader_opts, json_parse)},
        {"--nulls-omit", offsetof(idbpq_record_reader_opts, nulls_omit)},
    };
    size_t k;
    for (k = 0; k < sizeof flags / sizeof flags[0]; k++) {
        if (strcmp(arg, flags[k].name) == 0) {
            int32_t one = 1;
            memcpy((char *)o + flags[k].off, &one, sizeof one);
            return 1;
        }
    }
    return 0;
}

int cmd_records(int argc, char **argv)
{
    const char *path = NULL, *val;
    uint64_t limit = UINT64_MAX, offset = 0, n = 0;
    int i, r, rc = CLI_OK;
    idbpq_record_reader_opts o;
    idbpq_record_reader *rr = NULL;
    idbpq_vbatch *b = NULL;
    idbpq_buffer line;
    idbpq_status st;
    cli_file f;
    idbpq_record_reader_opts_init(&o);
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help_text, stdout);
            return CLI_OK;
        } else if ((r = cli_opt_value(argc, argv, &i, "--limit", &val)) != 0) {
            if (r < 0 || parse_count(val, &limit) != 0)
                return cli_usage("records", "--limit needs a non-negative integer");
        } else if ((r = cli_opt_value(argc, argv, &i, "--offset", &val)) != 0) {
            if (r < 0 || parse_count(val, &offset) != 0)
                return cli_usage("records", "--offset needs a non-negative integer");
        } else if ((r = cli_opt_value(argc, argv, &i, "--key-column", &val)) != 0) {
            if (r < 0 || !*val) return cli_usage("records", "--key-column needs a column name");
            o.key_column = val;
        } else if (flag(argv[i], &o)) {
            continue;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("records", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage("records", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!path) return cli_usage("records", "missing FILE");
    if ((rc = cli_open(&f, path)) != CLI_OK) return rc;
    idbpq_buffer_init(&line, NULL);
    st = idbpq_record_reader_open(&rr, f.rd, &o, NULL);
    if (st == IDBPQ_INVALID_ARG && o.key_column) {
        /* like an unknown --columns path in cat: the command line names what is not there */
        rc = cli_usage("records", "--key-column: no top-level column '%s'", o.key_column);
        goto done;
    }
    if (st != IDBPQ_OK) {
        report(path, st, idbpq_reader_errmsg(f.rd));
        rc = CLI_FAIL;
        goto done;
    }
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) {
        cli_err(path, "out of memory");
        rc = CLI_FAIL;
        goto done;
    }
    /* Skipped records are still converted: generated keys count every record before them. */
    while (n < offset || n - offset < limit) {
        idbpq_value *key, *value;
        idbpq_vbatch_reset(b);
        st = idbpq_record_reader_next(rr, b, &key, &value);
        if (st == IDBPQ_END) break;
        if (st != IDBPQ_OK) {
            fflush(stdout);
            report(path, st, idbpq_record_reader_errmsg(rr));
            rc = CLI_FAIL;
            goto done;
        }
        if (n++ < offset) continue;
        /* Key and value are printed (and numbered for $ref) each on its own, which is how
         * idbpq_tjson_parse_record and `idbpq pack` read them back. */
        fputs("{\"key\":", stdout);
        line.len = 0;
        st = idbpq_tjson_write(key, &line);
        if (st == IDBPQ_OK) {
            fwrite(line.data, 1, line.len, stdout);
            fputs(",\"value\":", stdout);
            line.len = 0;
            st = idbpq_tjson_write(value, &line);
        }
        if (st != IDBPQ_OK) {
            fflush(stdout);
            cli_err(path, "record %llu: %s", (unsigned long long)(n - 1), idbpq_status_str(st));
            rc = CLI_FAIL;
            goto done;
        }
        fwrite(line.data, 1, line.len, stdout);
        fputs("}\n", stdout);
        if (ferror(stdout)) break;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        /* A closed pipe (idbpq records f | head) is not worth a message, but is not success. */
        if (errno != EPIPE) cli_err("stdout", "write error");
        rc = CLI_FAIL;
    }
done:
    idbpq_buffer_free(&line);
    idbpq_vbatch_free(b);
    idbpq_record_reader_free(rr);
    cli_close(&f);
    return rc;
}
