/*
 * cmd_value.c — `idbpq value [--from v8|json] [--to json|v8] [FILE|-]`: converts one
 * JavaScript value between V8's serialization bytes (Node's v8.serialize(), or Chromium's
 * IndexedDB bytes with Blink's envelope, detected automatically) and tagged JSON. For anyone
 * staring at bytes from a profile. Malformed input exits 1 with the byte offset (and line and
 * column for JSON); usage errors exit 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_value(int argc, char **argv);

static const char help_text[] =
    "Usage: idbpq value [--from v8|json] [--to json|v8] [--blink] [--hash] [FILE|-]\n"
    "\n"
    "Convert one JavaScript value between V8 serialization bytes and tagged JSON\n"
    "(docs/value-model.md). Reads FILE, or standard input when FILE is - or absent.\n"
    "\n"
    "  --from v8|json   input format (default: v8 if the input starts with byte 0xFF,\n"
    "                   else json). V8 input may carry Blink's envelope (Chromium's\n"
    "                   IndexedDB values) or not (Node's v8.serialize()); both are detected.\n"
    "  --to json|v8     output format (default: json for v8 input, v8 for json input).\n"
    "                   json: one line of tagged JSON; v8: the raw bytes.\n"
    "  --blink          with --to v8: wrap the bytes in Blink's envelope (as Chromium stores\n"
    "                   IndexedDB values)\n"
    "  --hash           print the value's 128-bit content hash (hex) instead\n"
    "\n"
    "Exit status: 0 success, 1 malformed input (the message gives the byte offset), 2 usage.\n";

static int read_all(const char *path, uint8_t **out, size_t *n)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = 65536, len = 0;
    uint8_t *p;
    if (!f) {
        cli_err(path, "cannot open: %s", strerror(errno));
        return 0;
    }
    p = malloc(cap);
    while (p) {
        size_t got = fread(p + len, 1, cap - len, f);
        len += got;
        if (len < cap) break;
        uint8_t *q = realloc(p, cap * 2);
        if (!q) { free(p); p = NULL; break; }
        p = q;
        cap *= 2;
    }
    int bad = ferror(f);
    if (f != stdin) fclose(f);
    if (!p || bad) {
        cli_err(path, "%s", p ? "read error" : "out of memory");
        free(p);
        return 0;
    }
    *out = p;
    *n = len;
    return 1;
}

int cmd_value(int argc, char **argv)
{
    const char *from = NULL, *to = NULL, *path = NULL, *val;
    int blink = 0, hash = 0, r;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help_text, stdout);
            return CLI_OK;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--from", &val)) != 0) {
            if (r < 0) return cli_usage("value", "--from needs v8 or json");
            from = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--to", &val)) != 0) {
            if (r < 0) return cli_usage("value", "--to needs json or v8");
            to = val;
        } else if (strcmp(argv[i], "--blink") == 0) {
            blink = 1;
        } else if (strcmp(argv[i], "--hash") == 0) {
            hash = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("value", "unknown option '%s'", argv[i]);
        } else if (path) {
            return cli_usage("value", "one input at most ('%s' and '%s')", path, argv[i]);
        } else {
            path = argv[i];
        }
    }
    if (from && strcmp(from, "v8") && strcmp(from, "json"))
        return cli_usage("value", "--from must be v8 or json, not '%s'", from);
    if (to && strcmp(to, "v8") && strcmp(to, "json"))
        return cli_usage("value", "--to must be json or v8, not '%s'", to);
    if (!path) path = "-";
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;

    uint8_t *in;
    size_t n;
    if (!read_all(path, &in, &n)) return CLI_FAIL;
    if (!from) {
        size_t k = 0;
        while (k < n && (in[k] == ' ' || in[k] == '\t' || in[k] == '\n' || in[k] == '\r')) k++;
        from = k < n && in[k] == 0xff ? "v8" : "json";
    }
    if (!to) to = strcmp(from, "v8") == 0 ? "json" : "v8";

    idbpq_vbatch *b = NULL;
    idbpq_value *v = NULL;
    idbpq_error err;
    idbpq_status st;
    int rc = CLI_FAIL;
    memset(&err, 0, sizeof err);
    if ((st = idbpq_vbatch_create(&b, NULL)) != IDBPQ_OK) {
        cli_lib_err(name, st, NULL);
        free(in);
        return CLI_FAIL;
    }
    if (strcmp(from, "v8") == 0) {
        idbpq_v8_opts o;
        idbpq_v8_opts_init(&o);
        o.flags = IDBPQ_V8_AUTO;
        st = idbpq_v8_decode(b, in, n, &o, &v, &err);
        if (st != IDBPQ_OK) {
            cli_err(name, "%s (byte offset %llu)", err.msg[0] ? err.msg : idbpq_status_str(st),
                    (unsigned long long)err.offset);
            goto out;
        }
    } else {
        st = idbpq_tjson_parse(b, (const char *)in, n, &v, &err);
        if (st != IDBPQ_OK) {
            cli_err(name, "%s (byte offset %llu)", err.msg[0] ? err.msg : idbpq_status_str(st),
                    (unsigned long long)err.offset);
            goto out;
        }
    }

    idbpq_buffer ob;
    idbpq_buffer_init(&ob, NULL);
    if (hash) {
        uint8_t h[16];
        idbpq_value_hash(v, h);
        for (int i = 0; i < 16; i++) printf("%02x", h[i]);
        putchar('\n');
        rc = CLI_OK;
    } else if (strcmp(to, "json") == 0) {
        st = idbpq_tjson_write(v, &ob);
        if (st != IDBPQ_OK) {
            cli_err(name, "cannot print as tagged JSON: %s", idbpq_status_str(st));
        } else {
            fwrite(ob.data, 1, ob.len, stdout);
            putchar('\n');
            rc = CLI_OK;
        }
    } else {
        idbpq_v8_opts o;
        idbpq_v8_opts_init(&o);
        if (blink) o.flags = IDBPQ_V8_BLINK;
        memset(&err, 0, sizeof err);
        st = idbpq_v8_encode(v, &o, &ob, &err);
        if (st != IDBPQ_OK) {
            cli_err(name, "cannot encode: %s", err.msg[0] ? err.msg : idbpq_status_str(st));
        } else {
            fwrite(ob.data, 1, ob.len, stdout);
            rc = CLI_OK;
        }
    }
    idbpq_buffer_free(&ob);
    if (rc == CLI_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        cli_err("<stdout>", "write error");
        rc = CLI_FAIL;
    }
out:
    idbpq_vbatch_free(b);
    free(in);
    return rc;
}
