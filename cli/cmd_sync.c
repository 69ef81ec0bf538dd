/*
 * cmd_sync.c — `idbpq sync PROFILE TABLE_DIR`: pushes one store of a browser profile to a
 * Delta Lake table, only what changed since the last sync (docs/sync.md). The profile is read,
 * never written, so the table's own changes are not brought back; a key changed on both sides
 * is decided by --policy and logged. The sync state (what the store held at the last sync)
 * lives in a state file: --state, by default TABLE_DIR/../.<table>.idbpq-sync/<store id>.
 * It is kept outside the table because it belongs to this replica, not to the table's readers.
 */
#include "cli.h"
#include "profile_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char help_text[] =
    "Usage: idbpq sync PROFILE TABLE_DIR [options]\n"
    "\n"
    "Pushes one object store of a browser profile (read-only) to a Delta Lake table at\n"
    "TABLE_DIR (created on the first sync): only the records added, changed or deleted since\n"
    "the last sync, as copy-on-write of the data files holding them, with change data.\n"
    "\n"
    "  --origin O --db NAME --store NAME   the store (needed when the profile has several)\n"
    "  --state FILE          the sync state (default: a .<table>.idbpq-sync directory beside\n"
    "                        TABLE_DIR)\n"
    "  --policy P            a key changed on both sides: prefer-local, prefer-table (default)\n"
    "                        or newest:FIELD (the larger Date/number/ISO string wins)\n"
    "  --conflict-log FILE   append every conflict decision as a JSON line\n"
    "  --dry-run             report what would move; write nothing\n"
    "  --checkpoint-interval N   a checkpoint every N commits (default 10)\n"
    "  --target-file-bytes N     data file size aimed at (default 8M)\n"
    "  --codec C, --row-group-bytes N   as for export\n"
    "  --json                print the result as JSON\n";

struct cl {
    FILE *f;
    uint64_t n;
};

static void on_conflict(void *ctx, const idbpq_sync_conflict *c, int winner, const char *line)
{
    struct cl *l = ctx;
    (void)c;
    (void)winner;
    l->n++;
    if (l->f) fprintf(l->f, "%s\n", line);
}

/* TABLE_DIR/../.<table>.idbpq-sync/<origin>__<db>__<store>.state */
static int default_state(const char *table, const char *origin, const char *db,
                         const char *store, char *out, size_t cap)
{
    char t[4096];
    snprintf(t, sizeof t, "%s", table);
    size_t n = strlen(t);
    while (n > 1 && t[n - 1] == '/') t[--n] = 0;
    char *slash = strrchr(t, '/');
    const char *base = slash ? slash + 1 : t;
    char dir[4096];
    if (slash) snprintf(dir, sizeof dir, "%.*s/.%s.idbpq-sync", (int)(slash - t), t, base);
    else snprintf(dir, sizeof dir, ".%s.idbpq-sync", base);
    if (cli_mkdirs(dir) != 0) return -1;
    char so[256], sd[256], ss[256];
    cli_safe_name(origin, so, sizeof so);
    cli_safe_name(db, sd, sizeof sd);
    cli_safe_name(store, ss, sizeof ss);
    return snprintf(out, cap, "%s/%s__%s__%s.state", dir, so, sd, ss) >= (int)cap ? -1 : 0;
}

static int parse_policy(const char *v, idbpq_sync_opts *o)
{
    if (!strcmp(v, "prefer-local")) o->policy = IDBPQ_SYNC_PREFER_LOCAL;
    else if (!strcmp(v, "prefer-table")) o->policy = IDBPQ_SYNC_PREFER_TABLE;
    else if (!strncmp(v, "newest:", 7) && v[7]) {
        o->policy = IDBPQ_SYNC_NEWEST;
        o->newest_field = v + 7;
    } else return -1;
    return 0;
}

static void print_result(const idbpq_sync_result *r, int json, int dry, double secs)
{
    if (json) {
        printf("{\"dryRun\":%s,\"fromVersion\":%lld,\"toVersion\":%lld,\"committedVersion\":%lld,"
               "\"scanned\":%llu,\"pushed\":{\"inserts\":%llu,\"updates\":%llu,\"deletes\":%llu},"
               "\"conflicts\":{\"total\":%llu,\"local\":%llu,\"table\":%llu,\"merged\":%llu},"
               "\"filesAdded\":%llu,\"filesRemoved\":%llu,\"cdcFiles\":%llu,"
               "\"bytesWritten\":%llu,\"attempts\":%u,\"seconds\":%.3f}\n",
               dry ? "true" : "false", (long long)r->from_version, (long long)r->to_version,
               (long long)r->committed_version, (unsigned long long)r->scanned,
               (unsigned long long)r->pushed_inserts, (unsigned long long)r->pushed_updates,
               (unsigned long long)r->pushed_deletes, (unsigned long long)r->conflicts,
               (unsigned long long)r->conflicts_local, (unsigned long long)r->conflicts_table,
               (unsigned long long)r->conflicts_merged, (unsigned long long)r->files_added,
               (unsigned long long)r->files_removed, (unsigned long long)r->cdc_files,
               (unsigned long long)r->bytes_written, r->attempts, secs);
        return;
    }
    fprintf(stderr,
            "idbpq sync%s: %llu records compared; pushed %llu inserts, %llu updates, %llu deletes; "
            "%llu conflicts; table version %lld -> %lld",
            dry ? " (dry run)" : "", (unsigned long long)r->scanned,
            (unsigned long long)r->pushed_inserts, (unsigned long long)r->pushed_updates,
            (unsigned long long)r->pushed_deletes, (unsigned long long)r->conflicts,
            (long long)r->from_version, (long long)r->to_version);
    if (r->committed_version >= 0)
        fprintf(stderr, " (committed %lld: data files +%llu -%llu, %llu bytes written)",
                (long long)r->committed_version, (unsigned long long)r->files_added,
                (unsigned long long)r->files_removed, (unsigned long long)r->bytes_written);
    fprintf(stderr, " in %.2f s\n", secs);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Finds the one store the options name; reports and returns non-zero otherwise. */
static int pick_store(idbpq_profile *p, const char *origin, const char *db, const char *store,
                      uint32_t sel[3])
{
    uint32_t n = 0;
    for (uint32_t oi = 0; oi < idbpq_profile_origin_count(p); oi++) {
        const idbpq_profile_origin *o = idbpq_profile_origin_at(p, oi);
        if (origin && strcmp(origin, o->id)) continue;
        for (uint32_t di = 0; di < o->n_databases; di++) {
            if (db && strcmp(db, o->databases[di].name)) continue;
            for (uint32_t si = 0; si < o->databases[di].n_stores; si++) {
                if (store && strcmp(store, o->databases[di].stores[si].name)) continue;
                if (n++ == 0) sel[0] = oi, sel[1] = di, sel[2] = si;
            }
        }
    }
    if (n == 1) return 0;
    if (n) return cli_usage("sync", "%u stores match: name one with --origin, --db and --store "
                                    "(see idbpq ls)", n);
    return cli_usage("sync", "no object store matches (see idbpq ls)");
}

int cmd_sync(int argc, char **argv)
{
    const char *profile = NULL, *table = NULL, *origin = NULL, *db = NULL, *store = NULL;
    const char *state_path = NULL, *log_path = NULL;
    int json = 0;
    idbpq_sync_opts o;
    idbpq_sync_opts_init(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        int r;
        if (cli_is_help(a)) {
            fputs(help_text, stdout);
            return CLI_OK;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--origin", &val))) {
            if (r < 0) return cli_usage("sync", "--origin needs an origin id");
            origin = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--db", &val))) {
            if (r < 0) return cli_usage("sync", "--db needs a name");
            db = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--store", &val))) {
            if (r < 0) return cli_usage("sync", "--store needs a name");
            store = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--state", &val))) {
            if (r < 0) return cli_usage("sync", "--state needs a file");
            state_path = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--conflict-log", &val))) {
            if (r < 0) return cli_usage("sync", "--conflict-log needs a file");
            log_path = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--policy", &val))) {
            if (r < 0 || parse_policy(val, &o))
                return cli_usage("sync", "--policy is prefer-local, prefer-table or newest:FIELD");
        } else if ((r = cli_opt_value(argc, argv, &i, "--checkpoint-interval", &val))) {
            uint64_t v = 0;
            if (r < 0 || cli_parse_size(val, &v) || v == 0 || v > 1000000)
                return cli_usage("sync", "--checkpoint-interval needs a number from 1");
            o.checkpoint_interval = (uint32_t)v;
        } else if ((r = cli_opt_value(argc, argv, &i, "--target-file-bytes", &val))) {
            if (r < 0 || cli_parse_size(val, &o.target_file_bytes) || o.target_file_bytes < 1024)
                return cli_usage("sync", "--target-file-bytes needs a size of at least 1K");
        } else if ((r = cli_opt_record_writer("sync", argc, argv, &i, &o.writer))) {
            if (r != 1) return r;
        } else if (!strcmp(a, "--dry-run")) {
            o.dry_run = 1;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage("sync", "unknown option '%s'", a);
        } else if (!profile) {
            profile = a;
        } else if (!table) {
            table = a;
        } else {
            return cli_usage("sync", "too many arguments");
        }
    }
    if (!profile || !table) return cli_usage("sync", "needs PROFILE and TABLE_DIR");
    cli_profile cp;
    if (cli_profile_open(&cp, profile) != CLI_OK) return CLI_FAIL;
    uint32_t sel[3] = {0, 0, 0};
    int rc = pick_store(cp.prof, origin, db, store, sel);
    if (rc) {
        cli_profile_close(&cp);
        return rc;
    }
    const idbpq_profile_origin *po = idbpq_profile_origin_at(cp.prof, sel[0]);
    const idbpq_profile_db *pd = &po->databases[sel[1]];
    char sp[4096];
    if (!state_path) {
        if (default_state(table, po->id, pd->name, pd->stores[sel[2]].name, sp, sizeof sp)) {
            cli_err(table, "cannot make the sync state directory beside it: %s", strerror(errno));
            cli_profile_close(&cp);
            return CLI_FAIL;
        }
        state_path = sp;
    }
    struct cl log = {NULL, 0};
    if (log_path && !(log.f = fopen(log_path, "a"))) {
        cli_err(log_path, "cannot open: %s", strerror(errno));
        cli_profile_close(&cp);
        return CLI_FAIL;
    }
    o.log = on_conflict;
    o.log_ctx = &log;
    idbpq_error err;
    idbpq_table_io io;
    idbpq_sync_state st;
    idbpq_sync_local local;
    memset(&io, 0, sizeof io);
    memset(&st, 0, sizeof st);
    memset(&local, 0, sizeof local);
    idbpq_status s = idbpq_table_io_dir(&io, table, !o.dry_run, &err);
    const char *where = table;
    if (s == IDBPQ_OK) {
        where = state_path;
        s = idbpq_sync_state_file(&st, state_path, NULL, &err);
    }
    if (s == IDBPQ_OK) {
        where = profile;
        s = idbpq_sync_local_profile(&local, cp.prof, sel[0], sel[1], sel[2], &err);
    }
    idbpq_sync_result res;
    double t0 = now_s();
    if (s == IDBPQ_OK) {
        where = table;
        s = idbpq_sync(&local, &st, &io, &o, &res, NULL, &err);
    }
    if (s != IDBPQ_OK) cli_lib_err(where, s, err.msg);
    else print_result(&res, json, o.dry_run, now_s() - t0);
    idbpq_sync_local_profile_free(&local);
    idbpq_sync_state_file_free(&st);
    idbpq_table_io_dir_free(&io);
    if (log.f) fclose(log.f);
    cli_profile_close(&cp);
    return s == IDBPQ_OK ? CLI_OK : CLI_FAIL;
}
