/*
 * cli.h — what the idbpq command-line tool's files share: exit codes, error reporting,
 * option helpers, opening a Parquet file, column projection, and the buffered JSON writer
 * (json_out.c) with the value formatting that cat and meta both use (values.c).
 * The CLI sees only include/idbpq.h, like any other user of the library.
 */
#ifndef IDBPQ_CLI_H
#define IDBPQ_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "idbpq.h"

/* Exit codes, as sqlite3 and duckdb use them. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* ----- errors (util.c) ------------------------------------------------------------------- */

/* "idbpq: WHAT: message" on stderr. */
void cli_err(const char *what, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A usage error for COMMAND: the message, then "Try 'idbpq COMMAND --help'". Returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Reports a library failure on FILE: the handle's message if it has one, else the status. */
void cli_lib_err(const char *file, idbpq_status st, const char *msg);

/* ----- options (util.c) ------------------------------------------------------------------ */

/* True if arg is "--help" or "-h". */
int cli_is_help(const char *arg);
/* "--name=value" or "--name value": if arg names option `name`, stores its value in *val
 * (advancing *i for the separate form) and returns 1; returns -1 if the value is missing. */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **val);
/* Creates a directory and its missing parents (mkdir -p); 0 on success, -1 (errno set). */
int cli_mkdirs(const char *path);
/* Parses a non-negative integer with an optional K/M/G (binary) suffix. 0 on success. */
int cli_parse_size(const char *s, uint64_t *out);
/* The record-writing options pack and export share (--codec C, --row-group-bytes N):
 * 1 when argv[*i] was one of them (stored in o), 0 when not, or a usage error's exit code
 * (2, message printed) when its value is missing or bad. */
int cli_opt_record_writer(const char *cmd, int argc, char **argv, int *i,
                          idbpq_record_writer_opts *o);

/* ----- an open Parquet file (util.c) ------------------------------------------------------ */

typedef struct cli_file {
    const char *path;
    idbpq_file_source *fs;
    idbpq_source src;
    idbpq_reader *rd;
} cli_file;

/* Opens and reads the footer of PATH; reports the error itself (returns 1) on failure. */
int cli_open(cli_file *f, const char *path);
void cli_close(cli_file *f);

/* Resolves a comma-separated list of dotted paths (leaves or groups) into sorted, distinct
 * column indices. *cols is malloc'd (caller frees). Returns 0, or 2 after a usage message
 * naming the unknown path. spec NULL: every column. */
int cli_project(const char *cmd, const idbpq_schema *s, const char *spec, int32_t **cols,
                int32_t *n);

/* ----- buffered output (json_out.c) ------------------------------------------------------ */

#define JW_BUF 65536
typedef struct jw {
    FILE *f;
    size_t n;
    int err;              /* a write failed (EPIPE, ENOSPC): stop producing output */
    char buf[JW_BUF];
} jw;

void jw_init(jw *w, FILE *f);
void jw_flush_(jw *w);
static inline void jw_putc(jw *w, char c)
{
    if (w->n == JW_BUF) jw_flush_(w);
    w->buf[w->n++] = c;
}
void jw_write(jw *w, const char *p, size_t len);
void jw_puts(jw *w, const char *s);
void jw_printf(jw *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int jw_finish(jw *w); /* flushes; 0 if every write succeeded */

void jw_i64(jw *w, int64_t v);
void jw_u64(jw *w, uint64_t v);
/* JSON string from bytes, escaped; invalid UTF-8 becomes U+FFFD. */
void jw_str(jw *w, const uint8_t *p, size_t len);
void jw_cstr(jw *w, const char *s);
void jw_base64(jw *w, const uint8_t *p, size_t len); /* quoted */
void jw_hex(jw *w, const uint8_t *p, size_t len);    /* unquoted, lowercase */
/* Shortest round-tripping decimal, JavaScript layout; NaN/Infinity as JSON strings. */
void jw_double(jw *w, double v);
void jw_float(jw *w, float v);
/* Shortest decimal text for v into out (at least 32 bytes), no quoting; returns length. */
size_t fmt_double(char *out, double v, int is_float);

/* ----- leaf values (values.c) ------------------------------------------------------------ */

/* One primitive value, as it comes out of a datum or a PLAIN-encoded statistic. */
typedef struct cli_value {
    idbpq_type type;
    int64_t i;            /* BOOLEAN, INT32 (sign-extended), INT64 */
    double d;             /* FLOAT (widened), DOUBLE */
    const uint8_t *p;     /* INT96 (12 bytes), BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY */
    size_t len;
} cli_value;

/* Writes the JSON rendering of v for leaf node n (the mapping in docs/cli.md).
 * binary_hex: unannotated binary as a bare 0x... token instead of base64 (meta's text). */
void cli_write_value(jw *w, const idbpq_schema_node *n, const cli_value *v, int binary_hex);
/* Decodes a PLAIN statistic of node n's type; 0 if its length does not fit the type. */
int cli_value_from_plain(const idbpq_schema_node *n, idbpq_bytes b, cli_value *v);
/* Whether map keys of this node print as JSON object keys (string-like leaves). */
int cli_is_string_node(const idbpq_schema_node *n);

/* ----- commands -------------------------------------------------------------------------- */

int cmd_schema(int argc, char **argv);
int cmd_meta(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_records(int argc, char **argv);
int cmd_pack(int argc, char **argv);

#endif
