/*
 * pipe.h — reading a store's records in a second thread (pipe.c).
 */
#ifndef IDBPQ_CLI_PIPE_H
#define IDBPQ_CLI_PIPE_H

#include "cli.h"

typedef struct cli_pipe cli_pipe;

/* Starts reading c (which must outlive the pipe) in a thread of its own. 0, or -1 when out
 * of memory or threads. */
int cli_pipe_start(cli_pipe **out, idbpq_store_cursor *c);
/* The next record, in the cursor's order; valid until the next call. IDBPQ_END after the
 * last; another status (msg says why) when the cursor failed. Damaged records are skipped
 * and counted (cli_pipe_damaged). */
idbpq_status cli_pipe_next(cli_pipe *p, idbpq_value **key, idbpq_value **value, char *msg,
                           size_t msg_len);
uint64_t cli_pipe_damaged(cli_pipe *p);
/* Bytes the cursor has read so far (progress). */
uint64_t cli_pipe_bytes(cli_pipe *p);
/* Stops the reader (if it still runs) and frees everything. */
void cli_pipe_free(cli_pipe *p);

#endif
