/*
 * keygen.c — the key generator of an autoIncrement object store (IndexedDB 3.0 §2.11 "key
 * generator", "generate a key", "possibly update the key generator"). Chromium keeps the
 * same number in the store's KEY_GENERATOR_CURRENT_NUMBER metadata (indexeddb-on-disk.md
 * §1.9) and the SQLite backend in object_stores.key_generator_current_number (§4.3).
 */
#include "idb/idb.h"

#include <math.h>

/* 2^53: the largest integer every double can still step past one by one. The spec fails
 * generation once the current number exceeds it ("ConstraintError"). */
#define KEYGEN_MAX 9007199254740992.0

void idbpq_keygen_init(idbpq_keygen *g)
{
    if (g) g->current = 1;
}

idbpq_status idbpq_keygen_next(idbpq_keygen *g, double *key)
{
    if (!g || !key) return IDBPQ_INVALID_ARG;
    if (!(g->current <= KEYGEN_MAX)) return IDBPQ_LIMIT; /* also refuses a NaN state */
    *key = g->current;
    /* 2^53 + 1 is not a double: past 2^53 the generator is marked spent with 2^54. */
    g->current = g->current >= KEYGEN_MAX ? 2 * KEYGEN_MAX : g->current + 1;
    return IDBPQ_OK;
}

/* "Possibly update the key generator": only number keys count; the value is capped at 2^53
 * and floored, and moves the generator only forward (so -Infinity or 0.5 never do). */
void idbpq_keygen_update(idbpq_keygen *g, const idbpq_key *explicit_key)
{
    if (!g || !explicit_key || explicit_key->type != IDBPQ_KEY_NUMBER) return;
    double v = explicit_key->u.number;
    if (isnan(v)) return;
    if (v > KEYGEN_MAX) v = KEYGEN_MAX;
    v = floor(v);
    if (v >= g->current) g->current = v >= KEYGEN_MAX ? 2 * KEYGEN_MAX : v + 1;
}
