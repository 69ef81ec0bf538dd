/*
 * main.c — entry point of the idbpq command-line tool: global options (--help, --version)
 * and dispatch to one function per command. Conventions follow sqlite3 and duckdb: exit 0
 * on success, 1 when the work failed, 2 on a usage error; errors go to stderr as
 * "idbpq: FILE: what is wrong (where)". Each command lives in its own cmd_*.c file.
 */
#include <stdio.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli.h"

int cmd_value(int argc, char **argv);  /* cmd_value.c */
int cmd_ls(int argc, char **argv);     /* cmd_ls.c */
int cmd_export(int argc, char **argv); /* cmd_export.c */
int cmd_table(int argc, char **argv);  /* cmd_table.c */
int cmd_sync(int argc, char **argv);   /* cmd_sync.c */

static const char usage_text[] =
    "Usage: idbpq COMMAND [OPTIONS] FILE...\n"
    "\n"
    "Move IndexedDB data to Apache Parquet and back; inspect and rewrite Parquet files.\n"
    "\n"
    "Commands:\n"
    "  schema FILE [--columns]        print the schema (parquet-mr message syntax)\n"
    "  meta FILE [--json]             print file, row group and column chunk metadata\n"
    "  cat FILE [--columns LIST] [--limit N] [--offset N]\n"
    "                                 print rows as JSON lines\n"
    "  convert IN OUT [OPTIONS]       rewrite a Parquet file with other writer settings\n"
    "  scan FILE [--columns LIST]     decode every value, print counts and a checksum\n"
    "  records FILE [OPTIONS]         print the IndexedDB records a file holds (tagged JSON)\n"
    "  value [--from v8|json] [--to json|v8] [FILE]\n"
    "                                 convert one JavaScript value (V8 bytes, tagged JSON)\n"
    "  pack IN.jsonl OUT.parquet [OPTIONS]\n"
    "                                 write tagged JSON records to Parquet (typed columns)\n"
    "  ls PROFILE [--json]            list the IndexedDB origins, databases and stores of a\n"
    "                                 Chromium-based browser profile\n"
    "  export PROFILE -o DIR [OPTIONS]\n"
    "                                 export its object stores to Parquet (one file each)\n"
    "  sync PROFILE TABLE_DIR [OPTIONS]\n"
    "                                 push a profile's store to a Delta Lake table: only\n"
    "                                 what changed since the last sync\n"
    "  table show|log|changes|vacuum DIR [OPTIONS]\n"
    "                                 a Delta Lake table: snapshot, rows, history, changes\n"
    "\n"
    "Options:\n"
    "  -h, --help                     show this help (or a command's: idbpq cat --help)\n"
    "  -V, --version                  show the version\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error.\n";

static const struct {
    const char *name;
    int (*fn)(int, char **);
} commands[] = {
    {"schema", cmd_schema}, {"meta", cmd_meta}, {"cat", cmd_cat},
    {"convert", cmd_convert}, {"scan", cmd_scan}, {"value", cmd_value},
    {"records", cmd_records},
    {"pack", cmd_pack}, {"ls", cmd_ls}, {"export", cmd_export},
    {"table", cmd_table}, {"sync", cmd_sync},
};

int main(int argc, char **argv)
{
    size_t k;
#if defined(__GLIBC__)
    /* Row groups allocate and free buffers of many MiB again and again. glibc would hand
     * each to mmap and back, and the fresh pages fault in every time (a tenth of an
     * export's time, measured); kept in the heap, they are reused. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
#endif
    if (argc < 2) {
        fputs(usage_text, stderr);
        return CLI_USAGE;
    }
    if (cli_is_help(argv[1])) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("idbpq %s\n", idbpq_version_string());
        return CLI_OK;
    }
    for (k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(argv[1], commands[k].name) == 0)
            return commands[k].fn(argc - 1, argv + 1);
    if (argv[1][0] == '-')
        fprintf(stderr, "idbpq: unknown option '%s'\n", argv[1]);
    else
        fprintf(stderr, "idbpq: unknown command '%s'\n", argv[1]);
    fputs("Try 'idbpq --help' for more information.\n", stderr);
    return CLI_USAGE;
}
