/*
 * cmd_store.c — `tarn store ls|cat|head|get|put|cp|mv|rm URL...`: objects on
 * local disk and in S3, Azure Blob and Google Cloud Storage, by URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "progress.h"

static const char *const positionals[] = {"ACTION", "URL", "URL", NULL};

static const cli_flag flags[] = {
    {"recursive", 'r', NULL, "ls: list every object below, not one level"},
    {"long", 'l', NULL, "ls: show size, modification time and etag"},
    {"no-clobber", 'n', NULL, "cp, mv, put, get: fail if the destination exists"},
    {"show-secrets", 0, NULL, "config get: show secret values instead of ********"},
    {"part-size", 0, "SIZE", "cp, mv, put, get: part size of parallel transfers (default 8MiB)"},
    {"concurrency", 0, "N", "cp, mv, put, get: parts in flight per transfer (default 4; 1: one stream)"},
    {"stats", 0, NULL, "print requests, bytes, retries and throttles per store to stderr"},
    {0},
};

typedef struct ls_ctx {
    bool longform;
    int64_t count, bytes;
} ls_ctx;

static int print_object(void *ctx, const tarn_object *o)
{
    ls_ctx *l = ctx;
    if (o->is_prefix) {
        printf(l->longform ? "%12s  %-19s  %s\n" : "%.0s%.0s%s\n", "PRE", "", o->url);
        return 0;
    }
    if (l->longform) {
        char when[32] = "";
        time_t t = (time_t)o->last_modified;
        struct tm tm;
        if (t && gmtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        printf("%12lld  %-19s  %s  %s\n", (long long)o->size, when, o->url, o->etag);
    } else {
        printf("%s\n", o->url);
    }
    l->count++;
    l->bytes += o->size;
    return 0;
}

static int need(cli_args *a, int n, const char *what)
{
    if (a->npos - 1 != n)
        return cli_usage(a->cmd, "'store %s' takes %s", a->pos[0], what);
    return CLI_OK;
}

static int print_setting(void *ctx, const char *key, const char *value)
{
    (void)ctx;
    printf("%s = %s\n", key, value);
    return 0;
}

static int print_profile(void *ctx, const char *name, const char *type)
{
    (void)ctx;
    printf("%-20s %s\n", name, type);
    return 0;
}

typedef struct one_value {
    const char *key;
    bool found;
} one_value;

static int print_if_key(void *ctx, const char *key, const char *value)
{
    one_value *v = ctx;
    if (strcmp(key, v->key) == 0) {
        printf("%s\n", value);
        v->found = true;
    }
    return 0;
}

/* The bare value of one key, for scripts. */
static int config_value(const char *name, const char *key, bool secrets)
{
    tarn_error err;
    tarn_error_init(&err);
    one_value v = {key, false};
    if (tarn_store_config_get(name, secrets, print_if_key, &v, &err))
        return cli_fail(&err);
    if (!v.found)
        return cli_failf("profile '%s' has no key '%s'", name, key);
    return CLI_OK;
}

/* tarn store config set|get|list|rm ... */
static int config(cli_args *a)
{
    tarn_error err;
    tarn_error_init(&err);
    const char *what = a->npos > 1 ? a->pos[1] : "";
    const char *name = a->npos > 2 ? a->pos[2] : NULL;
    const char *const *rest = (const char *const *)a->pos + 3;
    int n_rest = a->npos > 3 ? a->npos - 3 : 0;
    if (!strcmp(what, "list")) {
        if (a->npos != 2)
            return cli_usage(a->cmd, "'store config list' takes no arguments");
        return tarn_store_config_list(print_profile, NULL, &err) ? cli_fail(&err) : CLI_OK;
    }
    if (!strcmp(what, "set")) {
        if (!name || !n_rest)
            return cli_usage(a->cmd, "'store config set' takes a profile name and KEY=VALUE...");
        return tarn_store_config_set(name, rest, n_rest, &err) ? cli_fail(&err) : CLI_OK;
    }
    if (!strcmp(what, "get")) {
        if (!name || n_rest > 1)
            return cli_usage(a->cmd, "'store config get' takes a profile name and optionally one key");
        if (n_rest == 0)
            return tarn_store_config_get(name, cli_flag_set(a, "show-secrets"), print_setting, NULL, &err)
                       ? cli_fail(&err)
                       : CLI_OK;
        return config_value(name, rest[0], cli_flag_set(a, "show-secrets"));
    }
    if (!strcmp(what, "rm")) {
        if (!name)
            return cli_usage(a->cmd, "'store config rm' takes a profile name and optionally keys");
        return tarn_store_config_remove(name, rest, n_rest, &err) ? cli_fail(&err) : CLI_OK;
    }
    return cli_usage(a->cmd, "unknown 'store config' action '%s' (set, get, list, rm)", what);
}

static int print_stats(void *ctx, const tarn_store_stats *st)
{
    (void)ctx;
    if (strcmp(st->store, "file://") == 0)
        return 0;
    fprintf(stderr,
            "%s: %lld requests (%lld gets, %lld puts, %lld heads, %lld lists), %lld bytes read, %lld written, "
            "%lld retries, %lld throttled\n",
            st->store, (long long)st->requests, (long long)st->gets, (long long)st->puts, (long long)st->heads,
            (long long)st->lists, (long long)st->bytes_read, (long long)st->bytes_written, (long long)st->retries,
            (long long)st->throttles);
    return 0;
}

static int run_action(cli_args *a);

static int run(cli_args *a)
{
    /* transfer settings reach every store opened below through the
     * environment variables the stores read (profiles keep their own) */
    const char *part = cli_get(a, "part-size"), *conc = cli_get(a, "concurrency");
    if (part)
        setenv("TARN_STORE_PART_SIZE", part, 1);
    if (conc)
        setenv("TARN_STORE_CONCURRENCY", conc, 1);
    int rc = run_action(a);
    if (cli_flag_set(a, "stats"))
        tarn_store_stats_each(print_stats, NULL);
    return rc;
}

static int run_action(cli_args *a)
{
    const char *action = a->pos[0];
    if (!strcmp(action, "config"))
        return config(a);
    tarn_error err;
    tarn_error_init(&err);
    int mode = cli_flag_set(a, "no-clobber") ? TARN_STORE_NO_CLOBBER : 0;
    if (strcmp(action, "rm") != 0 && a->npos > 3)
        return cli_usage(a->cmd, "unexpected argument '%s'", a->pos[3]);
    if (!strcmp(action, "ls")) {
        if (a->npos > 2)
            return cli_usage(a->cmd, "'store ls' takes one URL");
        ls_ctx l = {.longform = cli_flag_set(a, "long")};
        if (tarn_store_list(a->npos > 1 ? a->pos[1] : "./", cli_flag_set(a, "recursive"), print_object, &l, &err))
            return cli_fail(&err);
        if (l.longform)
            printf("%lld objects, %lld bytes\n", (long long)l.count, (long long)l.bytes);
        return CLI_OK;
    }
    if (!strcmp(action, "cat")) {
        int rc = need(a, 1, "one URL");
        if (rc)
            return rc;
        return tarn_store_cat(a->pos[1], stdout, &err) ? cli_fail(&err) : CLI_OK;
    }
    if (!strcmp(action, "head")) {
        int rc = need(a, 1, "one URL");
        if (rc)
            return rc;
        int64_t size, mtime;
        char etag[64];
        if (tarn_store_stat(a->pos[1], &size, &mtime, etag, &err))
            return cli_fail(&err);
        char when[32] = "";
        time_t t = (time_t)mtime;
        struct tm tm;
        if (t && gmtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        printf("url: %s\nsize: %lld\nlast_modified: %s\netag: %s\n", a->pos[1], (long long)size, when, etag);
        return CLI_OK;
    }
    if (!strcmp(action, "rm")) {
        if (a->npos < 2)
            return cli_usage(a->cmd, "'store rm' takes one or more URLs");
        for (int i = 1; i < a->npos; i++)
            if (tarn_store_delete(a->pos[i], &err))
                return cli_fail(&err);
        return CLI_OK;
    }
    bool move = !strcmp(action, "mv");
    if (move || !strcmp(action, "cp") || !strcmp(action, "get") || !strcmp(action, "put")) {
        const char *to = a->npos == 3 ? a->pos[2] : NULL;
        if (!strcmp(action, "get") && a->npos == 2)
            to = "./"; /* into the current directory, under the object's name */
        if (!to || a->npos > 3)
            return cli_usage(a->cmd, "'store %s' takes a source and a destination", action);
        cli_progress p;
        cli_progress_init(&p, move ? "moving" : "copying");
        int rc = move ? tarn_store_move(a->pos[1], to, mode, cli_progress_update, &p, &err)
                      : tarn_store_copy(a->pos[1], to, mode, cli_progress_update, &p, &err);
        cli_progress_done(&p);
        return rc ? cli_fail(&err) : CLI_OK;
    }
    return cli_usage(a->cmd, "unknown action '%s' (ls, cat, head, get, put, cp, mv, rm, config)", action);
}

const cli_command cmd_store = {
    .name = "store",
    .summary = "list, copy, move and delete objects on disk and in S3, Azure and GCS",
    .positionals = positionals,
    .required = 1,
    .variadic = true,
    .flags = flags,
    .details = "actions:\n"
               "  ls [URL]          list objects (one level; -r for all below, -l for details)\n"
               "  cat URL           write an object's bytes to stdout\n"
               "  head URL          size, modification time and etag of an object\n"
               "  get URL [PATH]    download (into the current directory by default)\n"
               "  put PATH URL      upload\n"
               "  cp SRC DST        copy between any two stores; DST ending in / keeps the name\n"
               "  mv SRC DST        move (a rename where the service has one)\n"
               "  rm URL...         delete objects (deleting what is not there succeeds)\n"
               "  config set NAME KEY=VALUE...   create or change a named store profile\n"
               "  config get NAME [KEY]          show a profile (secrets masked; --show-secrets)\n"
               "  config list                    profiles and their types\n"
               "  config rm NAME [KEY...]        remove a profile, or some of its keys\n"
               "\n"
               "URLs: paths, file:///abs, s3://bucket/key, az://container/key,\n"
               "abfss://container@account.dfs.core.windows.net/key, gs://bucket/key,\n"
               "memory://name/key; globs in ls (s3://b/events/**/*.parquet).\n"
               "Every write is atomic. Credentials come from the environment:\n"
               "AWS_* (or ~/.aws profiles), AZURE_STORAGE_*, GOOGLE_APPLICATION_CREDENTIALS;\n"
               "endpoints: AWS_ENDPOINT_URL, AZURE_STORAGE_ENDPOINT, STORAGE_EMULATOR_HOST.\n"
               "\n"
               "Profiles live in $TARN_CONFIG or ~/.config/tarn/stores.ini (mode 0600). A\n"
               "profile's name is a URL scheme: NAME://bucket/key opens its store with its\n"
               "settings only (no AWS_*/AZURE_*/GOOGLE_* from the environment).\n"
               "Keys: type=s3|az|gs; s3: endpoint region access_key_id secret_access_key\n"
               "session_token path_style emulate_suffix_range; az: account account_key\n"
               "sas_token endpoint; gs: endpoint credentials (a service-account key file);\n"
               "any type: part_size concurrency.\n"
               "KEY= (empty) clears a key.\n"
               "\n"
               "Objects of 8 parts or more (64 MiB at the default part size) go out and\n"
               "come back as parallel parts: multipart uploads on S3, staged blocks on\n"
               "Azure, composed components on GCS, ranged GETs everywhere; memory stays\n"
               "at concurrency x part size. --part-size and --concurrency (or the keys\n"
               "part_size and concurrency of a profile, or TARN_STORE_PART_SIZE and\n"
               "TARN_STORE_CONCURRENCY) set them; throttling (429/503) lowers the number\n"
               "of requests in flight whatever the concurrency.\n"
               "\n"
               "A progress bar shows on long transfers when stderr is a terminal.\n",
    .examples = "  tarn store ls s3://bucket/events/ -l\n"
                "  tarn store ls 's3://bucket/events/**/*.parquet'\n"
                "  tarn store put orders.arrow s3://bucket/raw/\n"
                "  tarn store cp s3://bucket/raw/orders.arrow az://lake/raw/orders.arrow\n"
                "  tarn store get gs://bucket/report.csv\n"
                "  tarn store rm s3://bucket/tmp/a.csv s3://bucket/tmp/b.csv\n"
                "  tarn store config set minio type=s3 endpoint=http://127.0.0.1:9000 \\\n"
                "      access_key_id=minio secret_access_key=minio123\n"
                "  tarn store cp minio://raw/orders.parquet s3://lake/orders.parquet\n",
    .run = run,
};
