/*
 * async_sink.h — writing a sink's bytes from a thread of its own (async_sink.c).
 */
#ifndef IDBPQ_CLI_ASYNC_SINK_H
#define IDBPQ_CLI_ASYNC_SINK_H

#include "cli.h"

typedef struct cli_async_sink cli_async_sink;

/* Fills *sink with a sink whose bytes reach target (which must outlive it) from another
 * thread, in order. 0, or -1 when out of memory or threads. */
int cli_async_sink_open(cli_async_sink **out, const idbpq_sink *target, idbpq_sink *sink);
/* Writes what is left, stops the thread, frees; the first failure of target (or OK). */
idbpq_status cli_async_sink_close(cli_async_sink *a);

#endif
