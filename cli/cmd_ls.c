/*
 * cmd_ls.c — `idbpq ls PATH [--json]`: the origins, databases (version), object stores
 * (keyPath, autoIncrement, records) and indexes of a browser profile, read-only.
 */
#include <string.h>

#include "cli.h"
#include "profile_cli.h"

static const char help_text[] =
    "Usage: idbpq ls PATH [--json] [--no-count]\n"
    "\n"
    "List the IndexedDB data of a Chromium-based browser profile (Chrome, Chromium, Edge,\n"
    "Electron apps), read-only: origins, databases and their versions, object stores with\n"
    "key path, autoIncrement and record count, and indexes. PATH is a user-data directory, a\n"
    "profile directory, its IndexedDB directory, one *.indexeddb.leveldb directory or one\n"
    "SQLite origin directory. It may be in use by a running browser.\n"
    "\n"
    "  --json        one JSON document: {\"origins\":[{\"origin\",\"backend\",\"path\",\n"
    "                \"databases\":[{\"name\",\"version\",\"stores\":[{\"name\",\"keyPath\",\n"
    "                \"autoIncrement\",\"records\",\"indexes\":[...]}]}]}]}\n"
    "  --no-count    do not count records (faster on big profiles)\n";

static void text_keypath(const idbpq_keypath *kp)
{
    if (kp->type == 0) {
        fputs("none", stdout);
    } else if (kp->type == 1) {
        printf("\"%s\"", kp->paths[0]);
    } else {
        fputc('[', stdout);
        for (uint32_t i = 0; i < kp->n; i++) printf("%s\"%s\"", i ? ", " : "", kp->paths[i]);
        fputc(']', stdout);
    }
}

int cmd_ls(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0, count = 1;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help_text, stdout);
            return CLI_OK;
        }
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--no-count")) count = 0;
        else if (argv[i][0] == '-' && argv[i][1]) return cli_usage("ls", "unknown option '%s'", argv[i]);
        else if (!path) path = argv[i];
        else return cli_usage("ls", "too many arguments");
    }
    if (!path) return cli_usage("ls", "needs a PATH (a browser profile)");
    cli_profile cp;
    if (cli_profile_open(&cp, path) != CLI_OK) return CLI_FAIL;
    idbpq_profile *p = cp.prof;
    jw w;
    jw_init(&w, stdout);
    if (json) jw_puts(&w, "{\"origins\":[");
    int failed = 0;
    for (uint32_t oi = 0; oi < idbpq_profile_origin_count(p); oi++) {
        const idbpq_profile_origin *o = idbpq_profile_origin_at(p, oi);
        if (json) {
            jw_puts(&w, oi ? ",{\"origin\":" : "{\"origin\":");
            jw_cstr(&w, o->id);
            jw_puts(&w, ",\"backend\":");
            jw_cstr(&w, o->backend);
            jw_puts(&w, ",\"path\":");
            jw_cstr(&w, o->path);
            jw_puts(&w, ",\"databases\":[");
        } else {
            printf("origin %s (%s: %s)\n", o->id, o->backend, o->path);
        }
        for (uint32_t di = 0; di < o->n_databases; di++) {
            const idbpq_profile_db *d = &o->databases[di];
            if (json) {
                jw_puts(&w, di ? ",{\"name\":" : "{\"name\":");
                jw_cstr(&w, d->name);
                jw_puts(&w, ",\"version\":");
                jw_u64(&w, d->version);
                jw_puts(&w, ",\"stores\":[");
            } else {
                printf("  database \"%s\" version %llu\n", d->name, (unsigned long long)d->version);
            }
            for (uint32_t si = 0; si < d->n_stores; si++) {
                const idbpq_store_desc *s = &d->stores[si];
                uint64_t records = 0;
                int have = 0;
                if (count) {
                    idbpq_error e;
                    memset(&e, 0, sizeof e);
                    idbpq_status st = idbpq_profile_count(p, oi, di, si, &records, &e);
                    if (st == IDBPQ_OK) have = 1;
                    else {
                        cli_err(o->path, "store %s: cannot count records: %s", s->name, e.msg);
                        failed = 1;
                    }
                }
                if (json) {
                    jw_puts(&w, si ? ",{\"name\":" : "{\"name\":");
                    jw_cstr(&w, s->name);
                    jw_puts(&w, ",\"keyPath\":");
                    cli_json_keypath(&w, &s->key_path);
                    jw_puts(&w, s->auto_increment ? ",\"autoIncrement\":true" : ",\"autoIncrement\":false");
                    if (have) {
                        jw_puts(&w, ",\"records\":");
                        jw_u64(&w, records);
                    }
                    jw_puts(&w, ",\"indexes\":[");
                } else {
                    printf("    store \"%s\": keyPath ", s->name);
                    text_keypath(&s->key_path);
                    if (s->auto_increment) fputs(", autoIncrement", stdout);
                    if (have) printf(", %llu records", (unsigned long long)records);
                    fputc('\n', stdout);
                }
                for (uint32_t xi = 0; xi < s->n_indexes; xi++) {
                    const idbpq_index_desc *x = &s->indexes[xi];
                    if (json) {
                        jw_puts(&w, xi ? ",{\"name\":" : "{\"name\":");
                        jw_cstr(&w, x->name);
                        jw_puts(&w, ",\"keyPath\":");
                        cli_json_keypath(&w, &x->key_path);
                        jw_puts(&w, x->unique ? ",\"unique\":true" : ",\"unique\":false");
                        jw_puts(&w, x->multi_entry ? ",\"multiEntry\":true}" : ",\"multiEntry\":false}");
                    } else {
                        printf("      index \"%s\": keyPath ", x->name);
                        text_keypath(&x->key_path);
                        if (x->unique) fputs(", unique", stdout);
                        if (x->multi_entry) fputs(", multiEntry", stdout);
                        fputc('\n', stdout);
                    }
                }
                if (json) jw_puts(&w, "]}");
            }
            if (json) jw_puts(&w, "]}");
        }
        if (json) jw_puts(&w, "]}");
    }
    if (json) jw_puts(&w, "]}\n");
    if (jw_finish(&w)) failed = 1;
    fflush(stdout);
    if (cp.n_damage) failed = 1;
    cli_profile_close(&cp);
    return failed ? CLI_FAIL : CLI_OK;
}
