/*
 * profile_cli.h — shared by cmd_ls.c and cmd_export.c (profile_cli.c).
 */
#ifndef IDBPQ_PROFILE_CLI_H
#define IDBPQ_PROFILE_CLI_H

#include <pthread.h>

#include "cli.h"

typedef struct cli_damage {
    char *file, *what;
    uint64_t offset;
} cli_damage;

typedef struct cli_profile {
    idbpq_profile *prof;
    cli_damage *damage;            /* everything reported, in order */
    size_t n_damage, cap_damage;
    int progress_line;             /* a progress bar is on stderr's last line */
    pthread_mutex_t mu;            /* damage comes from the reading thread too (pipe.c):
                                      guards damage, progress_line and stderr */
} cli_profile;

/* Opens PATH; reports the error itself and returns CLI_FAIL when nothing can be read. */
int cli_profile_open(cli_profile *p, const char *path);
void cli_profile_close(cli_profile *p);
/* A file-safe form of a name (see profile_cli.c); out holds at least cap bytes. */
void cli_safe_name(const char *name, char *out, size_t cap);
/* A key path as JSON: null, "a.b" or ["a","b"]. */
void cli_json_keypath(jw *w, const idbpq_keypath *kp);

#endif
