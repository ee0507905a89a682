/*
 * session.c — the public SQL API (tarn/sql.h): a session owns a catalog,
 * settings and prepared statements; each statement of a script is parsed
 * (sql/parser/), bound (sql/binder/), optimized (sql/optimizer/), planned
 * and run (sql/exec/). Queries and data-changing statements run as plans;
 * DDL, settings and catalog listings are done here directly.
 *
 * Results: the rows of the last statement as an ArrowArrayStream that owns
 * its batches (it outlives the session). Statements that do not produce
 * rows give a one-column result: `Count` (int64) for INSERT / CREATE TABLE
 * AS / COPY (from the plan), and `Success` (bool, one row) for DDL and
 * settings.
 */
#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include "arrow/builder.h"
#include "arrow/c_data.h"
#include "core/alloc.h"
#include "sql/binder/binder.h"
#include "sql/exec/exec.h"
#include "sql/functions/function.h"
#include "sql/optimizer/optimizer.h"
#include "sql/parser/parser.h"
#include "tarn/sql.h"

/* The binder refers to the function library weakly (so that it links
 * alone); these strong references make a static link of the engine
 * include the library. */
__attribute__((used)) static const void *const function_library[] = {
    (const void *)tn_scalar_func_resolve, (const void *)tn_agg_func_resolve, (const void *)tn_agg_func_exists,
    (const void *)tn_function_closest,
};

typedef struct prepared_entry {
    char *name;
    char *sql;
} prepared_entry;

struct tarn_session {
    tn_catalog *catalog;
    tarn_options *reader_opts; /* SET csv.delimiter = '|' and friends */
    char *temp_directory;      /* SET temp_directory: where operators spill (NULL: $TMPDIR, else /tmp) */
    tn_func_registry *functions; /* user-defined functions (sql/functions/udf.c) */
    tn_cancel_token cancel;
    prepared_entry *prepared; /* PREPARE name AS ... */
    int32_t nprepared, capprepared;
    bool no_dynamic_filters;  /* SET dynamic_filters = false */
    struct live_stream *streams; /* results still being produced (streams_lock) */
    tarn_query_progress_fn progress; /* tarn_session_set_progress */
    void *progress_user;
};

struct tarn_prepared {
    tarn_session *s;
    char *sql;
    int nparams;
};

int tarn_session_open(tarn_session **out, tarn_error *err)
{
    *out = NULL;
    tarn_session *s = tn_calloc(1, sizeof *s);
    TN_TRY_ALLOC(s, err, sizeof *s);
    int rc = tn_catalog_new(&s->catalog, err);
    if (rc == TARN_OK) {
        s->reader_opts = tarn_options_create();
        if (!s->reader_opts)
            rc = tn_error_oom(err, sizeof(void *));
    }
    if (rc == TARN_OK)
        rc = tn_func_registry_new(&s->functions, err);
    if (rc) {
        tarn_session_close(s);
        return rc;
    }
    *out = s;
    return TARN_OK;
}

static void settle_streams(tarn_session *s);

void tarn_session_close(tarn_session *s)
{
    if (!s)
        return;
    settle_streams(s);
    tn_catalog_free(s->catalog);
    tarn_options_free(s->reader_opts);
    tn_free(s->temp_directory);
    tn_func_registry_free(s->functions);
    for (int32_t i = 0; i < s->nprepared; i++) {
        tn_free(s->prepared[i].name);
        tn_free(s->prepared[i].sql);
    }
    tn_free(s->prepared);
    tn_free(s);
}

void tarn_session_set_progress(tarn_session *s, tarn_query_progress_fn fn, void *user)
{
    if (!s)
        return;
    settle_streams(s);
    s->progress = fn;
    s->progress_user = user;
}

void tarn_session_interrupt(tarn_session *s)
{
    if (s)
        tn_cancel_fire(&s->cancel);
}

/* ---- small results ---------------------------------------------------------------- */

/* A reader over one batch of `ncols` columns built by the caller. */
static int reader_of(tn_schema *schema, tn_array **cols, int64_t rows, tn_reader **out, tarn_error *err)
{
    tn_batch *b;
    TN_TRY(tn_exec_batch_of(schema, rows, cols, &b, err));
    *out = tn_reader_from_batches(schema, &b, 1);
    tn_batch_unref(b);
    TN_TRY_ALLOC(*out, err, sizeof(tn_reader));
    return TARN_OK;
}

static tn_schema *schema_named(int32_t n, const char *const *names, const tn_type_id *ids)
{
    tn_schema *s = tn_schema_new(n);
    if (!s)
        return NULL;
    for (int32_t i = 0; i < n; i++)
        if (tn_field_init(&s->fields[i], names[i], tn_type_ref(tn_type_get(ids[i])), true, NULL)) {
            tn_schema_unref(s);
            return NULL;
        }
    return s;
}

/* Columns of strings (rows x ncols, row-major) as a reader. */
static int text_result(int32_t ncols, const char *const *names, const char *const *cells, int64_t rows,
                       tn_reader **out, tarn_error *err)
{
    tn_type_id ids[8];
    for (int32_t c = 0; c < ncols; c++)
        ids[c] = TN_STRING;
    tn_schema *s = schema_named(ncols, names, ids);
    TN_TRY_ALLOC(s, err, sizeof(tn_schema));
    tn_array *cols[8] = {0};
    int rc = TARN_OK;
    for (int32_t c = 0; rc == TARN_OK && c < ncols; c++) {
        tn_builder *b = tn_builder_new(s->fields[c].type);
        if (!b) {
            rc = tn_error_oom(err, sizeof(void *));
            break;
        }
        for (int64_t r = 0; rc == TARN_OK && r < rows; r++) {
            const char *v = cells[r * ncols + c];
            rc = v ? tn_builder_append_str(b, v, err) : tn_builder_append_null(b, err);
        }
        if (rc == TARN_OK)
            rc = tn_builder_finish(b, &cols[c], err);
        tn_builder_free(b);
    }
    if (rc == TARN_OK)
        rc = reader_of(s, cols, rows, out, err);
    for (int32_t c = 0; c < ncols; c++)
        if (cols[c])
            tn_array_unref(cols[c]);
    tn_schema_unref(s);
    return rc;
}

static int success_result(tn_reader **out, tarn_error *err)
{
    const char *names[] = {"Success"};
    const tn_type_id ids[] = {TN_BOOL};
    tn_schema *s = schema_named(1, names, ids);
    TN_TRY_ALLOC(s, err, sizeof(tn_schema));
    tn_builder *b = tn_builder_new(s->fields[0].type);
    tn_array *a = NULL;
    int rc = b ? tn_builder_append_bool(b, true, err) : tn_error_oom(err, sizeof(void *));
    if (rc == TARN_OK)
        rc = tn_builder_finish(b, &a, err);
    tn_builder_free(b);
    if (rc == TARN_OK)
        rc = reader_of(s, &a, 1, out, err);
    if (a)
        tn_array_unref(a);
    tn_schema_unref(s);
    return rc;
}

/* ---- DDL and catalog listings ---------------------------------------------------------- */

static int create_table(tarn_session *s, const tn_bound_stmt *st, tarn_error *err)
{
    const tn_catalog_entry *e = tn_catalog_find(s->catalog, st->name, false);
    if (e && st->if_not_exists)
        return TARN_OK;
    tn_table *t;
    TN_TRY(tn_table_memory_new(st->name, st->schema, &t, err));
    int rc = tn_catalog_add_table(s->catalog, st->name, t, st->temp, st->or_replace, err);
    tn_table_unref(t);
    return rc;
}

static int drop(tarn_session *s, const tn_bound_stmt *st, tarn_error *err)
{
    for (int32_t i = 0; i < st->nnames; i++) {
        const tn_catalog_entry *e = tn_catalog_find(s->catalog, st->names[i], false);
        if (!e && st->if_exists)
            continue;
        if (e && st->if_exists && (e->kind == TN_ENTRY_VIEW) != st->is_view)
            continue;
        TN_TRY(tn_catalog_drop(s->catalog, st->names[i], st->is_view ? TN_ENTRY_VIEW : TN_ENTRY_TABLE, err));
    }
    return TARN_OK;
}

static int show_tables(tarn_session *s, tn_reader **out, tarn_error *err)
{
    int32_t n = 0;
    while (tn_catalog_at(s->catalog, n))
        n++;
    const char **cells = tn_calloc((size_t)(n ? n : 1), sizeof(char *));
    TN_TRY_ALLOC(cells, err, sizeof(char *));
    for (int32_t i = 0; i < n; i++)
        cells[i] = tn_catalog_at(s->catalog, i)->name;
    const char *names[] = {"name"};
    int rc = text_result(1, names, cells, n, out, err);
    tn_free(cells);
    return rc;
}

static int describe(const tn_schema *schema, tn_reader **out, tarn_error *err)
{
    int32_t n = schema->n_fields;
    const char **cells = tn_calloc((size_t)(n ? n : 1) * 3, sizeof(char *));
    char **types = tn_calloc((size_t)(n ? n : 1), sizeof(char *));
    int rc = cells && types ? TARN_OK : tn_error_oom(err, (size_t)n * 3 * sizeof(char *));
    for (int32_t i = 0; rc == TARN_OK && i < n; i++) {
        tn_buf b;
        tn_buf_init(&b, 0);
        rc = tn_type_format(schema->fields[i].type, &b, err);
        types[i] = rc == TARN_OK ? tn_buf_take(&b) : NULL;
        tn_buf_reset(&b);
        if (rc == TARN_OK && !types[i])
            rc = tn_error_oom(err, 16);
        cells[i * 3] = schema->fields[i].name;
        cells[i * 3 + 1] = types[i];
        cells[i * 3 + 2] = schema->fields[i].nullable ? "YES" : "NO";
    }
    const char *names[] = {"column_name", "column_type", "null"};
    if (rc == TARN_OK)
        rc = text_result(3, names, cells, n, out, err);
    for (int32_t i = 0; types && i < n; i++)
        tn_free(types[i]);
    tn_free(types);
    tn_free(cells);
    return rc;
}

/* ---- settings --------------------------------------------------------------------------- */

static bool name_is(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

int tarn_session_set(tarn_session *s, const char *name, const char *value, tarn_error *err)
{
    if (!s || !name || !value)
        return tn_error_set(err, TARN_EINVAL, "tarn_session_set: no session, name or value");
    settle_streams(s);
    if (name_is(name, "threads") || name_is(name, "worker_threads")) {
        int n;
        TN_TRY(tn_pool_parse_threads(value, &n, err));
        return tarn_set_threads(n, err);
    }
    if (name_is(name, "memory_limit") || name_is(name, "max_memory")) {
        int64_t bytes;
        TN_TRY(tarn_parse_size(value, &bytes, err));
        tarn_set_memory_limit(bytes);
        return TARN_OK;
    }
    if (name_is(name, "temp_directory")) {
        char *d = NULL;
        if (*value && !(d = tn_strdup(value)))
            return tn_error_oom(err, strlen(value));
        tn_free(s->temp_directory);
        s->temp_directory = d; /* '' restores the default */
        return TARN_OK;
    }
    if (name_is(name, "dynamic_filters")) {
        bool on = name_is(value, "true") || name_is(value, "on") || !strcmp(value, "1");
        if (!on && !name_is(value, "false") && !name_is(value, "off") && strcmp(value, "0") != 0)
            return tn_error_set(err, TARN_EINVAL, "setting dynamic_filters: expected true or false, got \"%s\"", value);
        s->no_dynamic_filters = !on;
        return TARN_OK;
    }
    /* reader options: csv.delimiter or plain delimiter */
    const char *dot = strchr(name, '.');
    const char *key = dot ? dot + 1 : name;
    if (!*key)
        return tn_error_set(err, TARN_EINVAL, "unknown setting \"%s\"", name);
    char lower[128];
    size_t k = 0;
    for (; key[k] && k < sizeof lower - 1; k++)
        lower[k] = (char)tolower((unsigned char)key[k]);
    lower[k] = 0;
    return tarn_options_set(s->reader_opts, lower, value, err);
}

static int reset_setting(tarn_session *s, const tn_bound_stmt *st, tarn_error *err)
{
    if (st->all || !st->name) {
        tn_free(s->temp_directory);
        s->temp_directory = NULL;
        tarn_options *o = tarn_options_create();
        TN_TRY_ALLOC(o, err, sizeof(void *));
        tarn_options_free(s->reader_opts);
        s->reader_opts = o;
        s->no_dynamic_filters = false;
        return TARN_OK;
    }
    if (name_is(st->name, "threads") || name_is(st->name, "worker_threads"))
        return tarn_set_threads(0, err);
    if (name_is(st->name, "memory_limit") || name_is(st->name, "max_memory")) {
        tarn_set_memory_limit(0);
        return TARN_OK;
    }
    if (name_is(st->name, "temp_directory")) {
        tn_free(s->temp_directory);
        s->temp_directory = NULL;
        return TARN_OK;
    }
    if (name_is(st->name, "dynamic_filters")) {
        s->no_dynamic_filters = false;
        return TARN_OK;
    }
    /* rebuild the reader options without the key */
    const char *dot = strchr(st->name, '.');
    const char *key = dot ? dot + 1 : st->name;
    tarn_options *o = tarn_options_create();
    TN_TRY_ALLOC(o, err, sizeof(void *));
    int rc = TARN_OK;
    for (int i = 0; rc == TARN_OK && tarn_options_key_at(s->reader_opts, i); i++)
        if (strcasecmp(tarn_options_key_at(s->reader_opts, i), key) != 0)
            rc = tarn_options_set(o, tarn_options_key_at(s->reader_opts, i), tarn_options_value_at(s->reader_opts, i),
                                  err);
    if (rc) {
        tarn_options_free(o);
        return rc;
    }
    tarn_options_free(s->reader_opts);
    s->reader_opts = o;
    return TARN_OK;
}

/* ---- prepared statements (SQL level) ----------------------------------------------------- */

static int32_t find_prepared(const tarn_session *s, const char *name)
{
    for (int32_t i = 0; i < s->nprepared; i++)
        if (strcasecmp(s->prepared[i].name, name) == 0)
            return i;
    return -1;
}

static int add_prepared(tarn_session *s, const char *name, const char *sql, tarn_error *err)
{
    int32_t at = find_prepared(s, name);
    char *n = tn_strdup(name), *q = tn_strdup(sql);
    if (!n || !q) {
        tn_free(n);
        tn_free(q);
        return tn_error_oom(err, strlen(sql));
    }
    if (at >= 0) {
        tn_free(s->prepared[at].name);
        tn_free(s->prepared[at].sql);
        s->prepared[at] = (prepared_entry){n, q};
        return TARN_OK;
    }
    if (s->nprepared == s->capprepared) {
        int32_t cap = s->capprepared ? s->capprepared * 2 : 4;
        prepared_entry *p = tn_realloc(s->prepared, (size_t)cap * sizeof *p);
        if (!p) {
            tn_free(n);
            tn_free(q);
            return tn_error_oom(err, (size_t)cap * sizeof *p);
        }
        s->prepared = p;
        s->capprepared = cap;
    }
    s->prepared[s->nprepared++] = (prepared_entry){n, q};
    return TARN_OK;
}

static void drop_prepared(tarn_session *s, const char *name)
{
    int32_t at = find_prepared(s, name);
    if (at < 0)
        return;
    tn_free(s->prepared[at].name);
    tn_free(s->prepared[at].sql);
    memmove(&s->prepared[at], &s->prepared[at + 1], (size_t)(s->nprepared - at - 1) * sizeof *s->prepared);
    s->nprepared--;
}

/* ---- running statements ------------------------------------------------------------------ */

typedef struct run_params {
    tn_scalar *const *values; /* $1 is values[0] */
    int32_t n;
} run_params;

static int run_text(tarn_session *s, const char *sql, char **own_sql, const run_params *params, bool want,
                    tn_reader **out, tarn_error *err);

/* ---- streamed results -------------------------------------------------------------------
 *
 * The last statement of a call, when it is a query, is not collected: its
 * root streams through a bounded queue (tn_exec_stream) while the caller
 * reads, so a big result takes bounded memory. Its query runs on its own
 * thread and refers to the session (catalog, cancel token) until it ends,
 * so the session keeps a list of its live streams and, before anything
 * else happens on it (another statement, a setting, a registration, close),
 * lets them run to their end (buffering the rest) and detaches them: the
 * stream then holds only its batches and outlives the session, as a
 * collected result would. A result that fits the queue is complete when
 * tarn_sql_query returns, errors included. */

#define STREAM_QUEUE_BYTES ((int64_t)16 << 20)

static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct live_stream {
    tn_reader base;
    tn_reader *inner;
    tarn_session *s;          /* NULL once detached (streams_lock) */
    struct live_stream *next; /* in s->streams */
} live_stream;

/* What a streamed query was planned from, freed by its thread at its end. */
typedef struct query_owner {
    tn_query *q;
    tn_plan_ctx pc;
    tn_arena arena; /* the parsed script */
    char *sql;      /* its text */
    char *spill_dir;
    tn_exec_ticker *ticker; /* progress reports */
} query_owner;

static void owner_free(void *p)
{
    query_owner *o = p;
    if (!o)
        return;
    tn_exec_ticker_stop(o->ticker);
    tn_query_free(o->q);
    tn_plan_ctx_free(&o->pc);
    tn_arena_free(&o->arena);
    tn_free(o->sql);
    tn_free(o->spill_dir);
    tn_free(o);
}

static int live_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    return tn_reader_next(((live_stream *)r)->inner, out, err);
}

static void live_destroy(tn_reader *r)
{
    live_stream *l = (live_stream *)r;
    pthread_mutex_lock(&streams_lock);
    tarn_session *s = l->s;
    if (s) {
        for (live_stream **p = &s->streams; *p; p = &(*p)->next)
            if (*p == l) {
                *p = l->next;
                break;
            }
        l->s = NULL;
    }
    tn_reader_free(l->inner); /* stops the query if it still runs */
    if (s) /* an interrupt meant for this stream must not stop the next statement */
        tn_cancel_reset(&s->cancel);
    pthread_mutex_unlock(&streams_lock);
    tn_free(l);
}

/* Let every live stream of s run to its end and forget it. */
static void settle_streams(tarn_session *s)
{
    pthread_mutex_lock(&streams_lock);
    bool had = s->streams != NULL;
    while (s->streams) {
        live_stream *l = s->streams;
        s->streams = l->next;
        tn_exec_stream_detach(l->inner);
        l->s = NULL;
    }
    if (had) /* an interrupt meant for them must not stop what comes next */
        tn_cancel_reset(&s->cancel);
    pthread_mutex_unlock(&streams_lock);
}

static bool streamable(const tn_plan *p)
{
    return p->kind != TN_PLAN_INSERT && p->kind != TN_PLAN_CREATE_TABLE_AS && p->kind != TN_PLAN_COPY_TO &&
           p->kind != TN_PLAN_EXPLAIN;
}

/* Plan a query and start streaming it; pc, the script's arena and its text
 * (*sql) move into the stream (also on failure). */
static int stream_plan(tarn_session *s, tn_plan_ctx *pc, tn_arena *arena, char **sql, tn_plan *plan,
                       tn_reader **out, tarn_error *err)
{
    query_owner *o = tn_calloc(1, sizeof *o);
    if (!o) {
        tn_plan_ctx_free(pc);
        tn_arena_free(arena);
        tn_free(*sql);
        *sql = NULL;
        return tn_error_oom(err, sizeof *o);
    }
    o->pc = *pc;
    o->arena = *arena;
    o->sql = *sql;
    tn_plan_ctx_init(pc);
    tn_arena_init(arena, 0);
    *sql = NULL;
    int rc = tn_optimize(&o->pc, NULL, &plan, err);
    if (rc == TARN_OK && s->temp_directory && !(o->spill_dir = tn_strdup(s->temp_directory)))
        rc = tn_error_oom(err, strlen(s->temp_directory));
    if (rc == TARN_OK) {
        tn_exec_ctx base = {0};
        base.cancel = &s->cancel;
        base.sql = o->sql;
        base.batch_rows = 8192;
        base.spill_dir = o->spill_dir;
        base.no_dynamic_filters = s->no_dynamic_filters;
        rc = tn_query_new(plan, &base, s->catalog, &o->q, err);
    }
    if (rc == TARN_OK && s->progress)
        rc = tn_exec_ticker_start(o->q->root, s->progress, s->progress_user, 100, &o->ticker, err);
    live_stream *l = NULL;
    if (rc == TARN_OK) {
        l = tn_calloc(1, sizeof *l);
        if (!l)
            rc = tn_error_oom(err, sizeof *l);
    }
    if (rc) {
        owner_free(o);
        return rc;
    }
    rc = tn_exec_stream(o->q->root, STREAM_QUEUE_BYTES, owner_free, o, &l->inner, err);
    if (rc) {
        tn_free(l);
        return rc;
    }
    l->base.schema = tn_schema_ref(l->inner->schema);
    l->base.next = live_next;
    l->base.destroy = live_destroy;
    pthread_mutex_lock(&streams_lock);
    l->s = s;
    l->next = s->streams;
    s->streams = l;
    pthread_mutex_unlock(&streams_lock);
    *out = &l->base;
    return TARN_OK;
}

/* Optimize, plan and run a bound plan; its rows in *out. */
static int run_plan(tarn_session *s, tn_plan_ctx *pc, tn_plan *plan, const char *sql, const run_params *params,
                    tn_reader **out, tarn_error *err)
{
    TN_TRY(tn_optimize(pc, NULL, &plan, err));
    tn_exec_ctx base = {0};
    base.cancel = &s->cancel;
    base.sql = sql;
    base.batch_rows = 8192;
    base.spill_dir = s->temp_directory;
    base.no_dynamic_filters = s->no_dynamic_filters;
    if (params) {
        base.eval.params = params->values;
        base.eval.nparams = params->n;
    }
    tn_query *q;
    TN_TRY(tn_query_new(plan, &base, s->catalog, &q, err));
    tn_exec_ticker *ticker = NULL;
    int rc = s->progress ? tn_exec_ticker_start(q->root, s->progress, s->progress_user, 100, &ticker, err) : TARN_OK;
    if (rc == TARN_OK)
        rc = tn_query_run(q, out, err);
    tn_exec_ticker_stop(ticker);
    tn_query_free(q);
    return rc;
}

/* DELETE / UPDATE: count the rows affected, then rewrite the table; the
 * result is that count. */
static int run_counted(tarn_session *s, tn_plan_ctx *pc, tn_bound_stmt *st, const char *sql,
                       const run_params *params, bool want, tn_reader **out, tarn_error *err)
{
    tn_reader *r = NULL;
    TN_TRY(run_plan(s, pc, st->count_plan, sql, params, &r, err));
    tn_batch *b = NULL;
    int rc = tn_reader_next(r, &b, err);
    int64_t count = 0;
    if (rc == TARN_OK && b && b->length == 1 && b->columns[0]->type->id == TN_INT64)
        count = TN_VALUES(b->columns[0], int64_t)[0];
    else if (rc == TARN_OK)
        rc = tn_error_set(err, TARN_EINTERNAL, "the count of affected rows is not one int64");
    if (b)
        tn_batch_unref(b);
    tn_reader_free(r);
    TN_TRY(rc);
    r = NULL;
    TN_TRY(run_plan(s, pc, st->plan, sql, params, &r, err));
    tn_schema *schema = r->schema ? tn_schema_ref(r->schema) : NULL;
    tn_reader_free(r);
    if (!want) {
        if (schema)
            tn_schema_unref(schema);
        return TARN_OK;
    }
    TN_TRY_ALLOC(schema, err, sizeof(tn_schema));
    tn_builder *bl = tn_builder_new(schema->fields[0].type);
    tn_array *col = NULL;
    rc = bl ? tn_builder_append_int(bl, count, err) : tn_error_oom(err, sizeof(void *));
    if (rc == TARN_OK)
        rc = tn_builder_finish(bl, &col, err);
    tn_builder_free(bl);
    if (rc == TARN_OK)
        rc = reader_of(schema, &col, 1, out, err);
    tn_array_unref(col);
    tn_schema_unref(schema);
    return rc;
}

/* EXECUTE name(args): the arguments are constants. */
static int execute_prepared(tarn_session *s, const tn_bound_stmt *st, bool want, tn_reader **out, tarn_error *err)
{
    int32_t at = find_prepared(s, st->name);
    if (at < 0)
        return tn_error_set(err, TARN_ENOTFOUND, "prepared statement \"%s\" does not exist", st->name);
    tn_scalar **vals = st->nparams ? tn_calloc((size_t)st->nparams, sizeof(tn_scalar *)) : NULL;
    if (st->nparams && !vals)
        return tn_error_oom(err, (size_t)st->nparams * sizeof(tn_scalar *));
    int rc = TARN_OK;
    tn_eval_ctx ev = {0};
    for (int32_t i = 0; rc == TARN_OK && i < st->nparams; i++)
        rc = tn_expr_eval_constant(&ev, st->params[i], &vals[i], err);
    char *sql = NULL;
    if (rc == TARN_OK) {
        sql = tn_strdup(s->prepared[at].sql); /* the entry may be replaced while it runs */
        if (!sql)
            rc = tn_error_oom(err, strlen(s->prepared[at].sql));
    }
    run_params p = {vals, st->nparams};
    if (rc == TARN_OK)
        rc = run_text(s, sql, NULL, &p, want, out, err);
    tn_free(sql);
    for (int32_t i = 0; i < st->nparams; i++)
        if (vals[i])
            tn_scalar_free(vals[i]);
    tn_free(vals);
    return rc;
}

static int run_bound(tarn_session *s, tn_plan_ctx *pc, tn_bound_stmt *st, const char *sql, const run_params *params,
                     bool want, tn_reader **out, tarn_error *err)
{
    switch (st->kind) {
    case TN_BOUND_PLAN:
        if (st->count_plan)
            return run_counted(s, pc, st, sql, params, want, out, err);
        return run_plan(s, pc, st->plan, sql, params, out, err); /* optimizes it */
    case TN_BOUND_CREATE_TABLE:
        TN_TRY(create_table(s, st, err));
        break;
    case TN_BOUND_CREATE_VIEW:
        if (st->if_not_exists && tn_catalog_find(s->catalog, st->name, false))
            break;
        TN_TRY(tn_catalog_add_view(s->catalog, st->name, st->view_sql, (char *const *)st->view_columns,
                                   st->nview_columns, st->temp, st->or_replace, err));
        break;
    case TN_BOUND_DROP:
        TN_TRY(drop(s, st, err));
        break;
    case TN_BOUND_SET:
        TN_TRY(tarn_session_set(s, st->name, st->value, err));
        break;
    case TN_BOUND_RESET:
        TN_TRY(reset_setting(s, st, err));
        break;
    case TN_BOUND_SHOW_TABLES:
        return want ? show_tables(s, out, err) : TARN_OK;
    case TN_BOUND_DESCRIBE:
        return want ? describe(st->schema, out, err) : TARN_OK;
    case TN_BOUND_PREPARE:
        TN_TRY(add_prepared(s, st->name, st->stmt_sql, err));
        break;
    case TN_BOUND_EXECUTE:
        return execute_prepared(s, st, want, out, err);
    case TN_BOUND_DEALLOCATE:
        drop_prepared(s, st->name);
        break;
    case TN_BOUND_TRANSACTION:
        break;
    }
    return want ? success_result(out, err) : TARN_OK;
}

/* The types of the parameter values, for the binder. */
static tn_type **param_types(const run_params *params, tarn_error *err, int *rc)
{
    *rc = TARN_OK;
    if (!params || params->n == 0)
        return NULL;
    tn_type **t = tn_calloc((size_t)params->n, sizeof(tn_type *));
    if (!t) {
        *rc = tn_error_oom(err, (size_t)params->n * sizeof(tn_type *));
        return NULL;
    }
    for (int32_t i = 0; i < params->n; i++)
        t[i] = params->values[i]->type;
    return t;
}

/* Run every statement of sql; the last one's result in *out (when want).
 * With own_sql (the same text, owned by the caller), a last statement that
 * is a query streams, and takes the text (*own_sql becomes NULL). */
static int run_text(tarn_session *s, const char *sql, char **own_sql, const run_params *params, bool want,
                    tn_reader **out, tarn_error *err)
{
    size_t len = strlen(sql);
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_sql_script *script = NULL;
    int rc = tn_sql_parse(sql, len, &arena, &script, err);
    int prc;
    tn_type **types = param_types(params, err, &prc);
    if (rc == TARN_OK)
        rc = prc;
    tn_bind_options bo = {.param_types = types, .nparams = params ? params->n : 0, .reader_options = s->reader_opts,
                          .functions = s->functions};
    tn_reader *last = NULL;
    for (int i = 0; rc == TARN_OK && script && i < script->n; i++) {
        if (tn_cancel_fired(&s->cancel)) {
            rc = tn_error_set(err, TARN_ECANCELLED, "the query was cancelled");
            break;
        }
        tn_plan_ctx pc;
        tn_plan_ctx_init(&pc);
        tn_bound_stmt st;
        rc = tn_bind_statement(s->catalog, &bo, sql, len, script->stmts[i], &pc, &st, err);
        bool is_last = i == script->n - 1;
        tn_reader *r = NULL;
        if (rc == TARN_OK && is_last && want && own_sql && (!params || params->n == 0) &&
            st.kind == TN_BOUND_PLAN && !st.count_plan && streamable(st.plan)) {
            /* the plan, the script and its text move into the stream */
            rc = stream_plan(s, &pc, &arena, own_sql, st.plan, &last, err);
            break;
        }
        if (rc == TARN_OK)
            rc = run_bound(s, &pc, &st, sql, params, want && is_last, &r, err);
        tn_plan_ctx_free(&pc);
        if (r && is_last && want)
            last = r;
        else
            tn_reader_free(r);
    }
    tn_free(types);
    tn_arena_free(&arena);
    if (rc) {
        tn_reader_free(last);
        return rc;
    }
    if (want && !last)
        rc = success_result(&last, err);
    if (out)
        *out = last;
    else
        tn_reader_free(last);
    return rc;
}

/* The token is cleared when a call ends, not when it starts, so that an
 * interrupt arriving while a statement is still being parsed or planned
 * stops it too. */
static void begin_query(tarn_session *s)
{
    (void)s;
}

static int end_query(tarn_session *s, int rc)
{
    tn_cancel_reset(&s->cancel);
    return rc;
}

int tarn_sql_query(tarn_session *s, const char *sql, struct ArrowArrayStream *out, tarn_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!s || !sql)
        return tn_error_set(err, TARN_EINVAL, "tarn_sql_query: no session or SQL text");
    settle_streams(s);
    begin_query(s);
    tn_reader *r = NULL;
    char *text = tn_strdup(sql); /* a streamed result keeps it */
    if (!text)
        return end_query(s, tn_error_oom(err, strlen(sql)));
    int rc = end_query(s, run_text(s, text, &text, NULL, out != NULL, out ? &r : NULL, err));
    tn_free(text);
    TN_TRY(rc);
    if (!out)
        return TARN_OK;
    return tn_export_reader(r, out, err);
}

int tarn_sql_exec(tarn_session *s, const char *sql, tarn_error *err)
{
    if (!s || !sql)
        return tn_error_set(err, TARN_EINVAL, "tarn_sql_exec: no session or SQL text");
    settle_streams(s);
    begin_query(s);
    return end_query(s, run_text(s, sql, NULL, NULL, false, NULL, err));
}

/* ---- prepared statements (C API) ---------------------------------------------------------- */

int tarn_sql_prepare(tarn_session *s, const char *sql, tarn_prepared **out, tarn_error *err)
{
    *out = NULL;
    if (!s || !sql)
        return tn_error_set(err, TARN_EINVAL, "tarn_sql_prepare: no session or SQL text");
    settle_streams(s);
    /* bind once: checks the statement and counts its parameters */
    size_t len = strlen(sql);
    tn_arena arena;
    tn_arena_init(&arena, 0);
    tn_sql_stmt *stmt;
    int rc = tn_sql_parse_one(sql, len, &arena, &stmt, err);
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_bound_stmt st;
    tn_bind_options bo = {.reader_options = s->reader_opts, .functions = s->functions};
    if (rc == TARN_OK)
        rc = tn_bind_statement(s->catalog, &bo, sql, len, stmt, &pc, &st, err);
    int nparams = pc.nparams;
    tn_plan_ctx_free(&pc);
    tn_arena_free(&arena);
    TN_TRY(rc);
    tarn_prepared *p = tn_calloc(1, sizeof *p);
    TN_TRY_ALLOC(p, err, sizeof *p);
    p->sql = tn_strdup(sql);
    if (!p->sql) {
        tn_free(p);
        return tn_error_oom(err, len);
    }
    p->s = s;
    p->nparams = nparams;
    *out = p;
    return TARN_OK;
}

int tarn_prepared_nparams(const tarn_prepared *p)
{
    return p ? p->nparams : 0;
}

int tarn_prepared_execute(tarn_prepared *p, struct ArrowArray *params, struct ArrowSchema *params_schema,
                          struct ArrowArrayStream *out, tarn_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!p)
        return tn_error_set(err, TARN_EINVAL, "tarn_prepared_execute: no statement");
    tn_scalar **vals = NULL;
    int32_t n = 0;
    int rc = TARN_OK;
    if (params && params_schema) {
        tn_schema *schema = NULL;
        tn_batch *b = NULL;
        rc = tn_import_schema(params_schema, &schema, err);
        if (rc == TARN_OK)
            rc = tn_import_batch(params, schema, TARN_VALIDATE_DEFAULT, &b, err);
        if (rc == TARN_OK && b->length != 1)
            rc = tn_error_set(err, TARN_EINVAL, "parameters come as one row, not %lld", (long long)b->length);
        if (rc == TARN_OK) {
            n = schema->n_fields;
            vals = n ? tn_calloc((size_t)n, sizeof(tn_scalar *)) : NULL;
            if (n && !vals)
                rc = tn_error_oom(err, (size_t)n * sizeof(tn_scalar *));
        }
        for (int32_t i = 0; rc == TARN_OK && i < n; i++)
            rc = tn_scalar_from_array(b->columns[i], 0, &vals[i], err);
        if (b)
            tn_batch_unref(b);
        if (schema)
            tn_schema_unref(schema);
    }
    if (rc == TARN_OK && n < p->nparams)
        rc = tn_error_set(err, TARN_EINVAL, "the statement has %d parameters but %d values were given", p->nparams,
                          (int)n);
    tn_reader *r = NULL;
    run_params rp = {vals, n};
    char *text = NULL;
    if (rc == TARN_OK && n == 0 && !(text = tn_strdup(p->sql)))
        rc = tn_error_oom(err, strlen(p->sql));
    if (rc == TARN_OK) {
        settle_streams(p->s);
        begin_query(p->s);
        rc = end_query(p->s, run_text(p->s, text ? text : p->sql, text ? &text : NULL, &rp, out != NULL, out ? &r : NULL, err));
    }
    tn_free(text);
    for (int32_t i = 0; i < n; i++)
        if (vals[i])
            tn_scalar_free(vals[i]);
    tn_free(vals);
    TN_TRY(rc);
    if (!out)
        return TARN_OK;
    return tn_export_reader(r, out, err);
}

void tarn_prepared_free(tarn_prepared *p)
{
    if (!p)
        return;
    tn_free(p->sql);
    tn_free(p);
}

/* ---- caller data ---------------------------------------------------------------------------- */

int tarn_session_register_stream(tarn_session *s, const char *name, struct ArrowArrayStream *stream, int materialize,
                                 tarn_error *err)
{
    (void)materialize; /* always read into memory: it can then be scanned any number of times */
    if (!s || !name || !stream)
        return tn_error_set(err, TARN_EINVAL, "tarn_session_register_stream: no session, name or stream");
    settle_streams(s);
    tn_reader *r;
    TN_TRY(tn_import_stream(stream, &r, err));
    tn_table *t = NULL;
    int rc = tn_table_memory_new(name, r->schema, &t, err);
    while (rc == TARN_OK) {
        tn_batch *b = NULL;
        rc = tn_reader_next(r, &b, err);
        if (rc || !b)
            break;
        if (b->length > 0)
            rc = t->ops->append(t, b, err);
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    if (rc == TARN_OK)
        rc = tn_catalog_add_table(s->catalog, name, t, true, false, err);
    if (t)
        tn_table_unref(t);
    return rc;
}

int tarn_session_drop(tarn_session *s, const char *name, tarn_error *err)
{
    if (!s || !name)
        return tn_error_set(err, TARN_EINVAL, "tarn_session_drop: no session or name");
    settle_streams(s);
    const tn_catalog_entry *e = tn_catalog_find(s->catalog, name, false);
    if (!e)
        return tn_error_set(err, TARN_ENOTFOUND, "table \"%s\" does not exist", name);
    return tn_catalog_drop(s->catalog, name, e->kind, err);
}

/* ---- custom tables ------------------------------------------------------------------------------ */

typedef struct custom_table {
    tn_table base;
    tarn_table_vtable vt;
    void *ctx;
} custom_table;

static int custom_partitions(tn_table *t, const tn_scan_request *req, int64_t *n, tarn_error *err)
{
    (void)t, (void)req, (void)err;
    *n = 1;
    return TARN_OK;
}

static bool filter_op_of(tn_cmp_op op, bool flipped, tarn_filter_op *out)
{
    static const tarn_filter_op ops[] = {TARN_FILTER_EQ, TARN_FILTER_NE, TARN_FILTER_LT,
                                         TARN_FILTER_LE, TARN_FILTER_GT, TARN_FILTER_GE};
    static const tn_cmp_op flip[] = {TN_CMP_EQ, TN_CMP_NE, TN_CMP_GT, TN_CMP_GE, TN_CMP_LT, TN_CMP_LE};
    if ((int)op < 0 || op > TN_CMP_GE)
        return false;
    *out = ops[flipped ? flip[op] : op];
    return true;
}

/* A conjunct `column op literal` (either way round) or `column IS [NOT] NULL`
 * as a provider filter; false when it has another shape. */
static int to_provider_filter(const tn_table *t, const tn_scan_request *req, const tn_expr *e, tarn_filter *f,
                              struct ArrowArray *value, struct ArrowSchema *type, bool *ok, tarn_error *err)
{
    *ok = false;
    const tn_expr *c = NULL, *l = NULL;
    if (e->kind == TN_EXPR_IS_NULL && e->args[0]->kind == TN_EXPR_COLUMN) {
        c = e->args[0];
        f->op = e->negated ? TARN_FILTER_IS_NOT_NULL : TARN_FILTER_IS_NULL;
    } else if (e->kind == TN_EXPR_COMPARE) {
        bool flipped = e->args[0]->kind == TN_EXPR_LITERAL;
        c = e->args[flipped ? 1 : 0];
        l = e->args[flipped ? 0 : 1];
        if (c->kind != TN_EXPR_COLUMN || l->kind != TN_EXPR_LITERAL || !filter_op_of(e->cmp, flipped, &f->op))
            return TARN_OK;
    } else {
        return TARN_OK;
    }
    if (c->index < 0 || c->index >= req->ncolumns)
        return TARN_OK;
    f->column = req->columns[c->index];
    if (!tn_type_equals(c->type, t->schema->fields[f->column].type))
        return TARN_OK;
    f->value = NULL;
    f->value_type = NULL;
    if (l) {
        tn_array *a;
        TN_TRY(tn_scalar_to_array(l->value, &a, err));
        int rc = tn_export_array(a, value, err);
        tn_array_unref(a);
        TN_TRY(rc);
        tn_field fl = {0};
        fl.name = (char *)"value";
        fl.type = l->value->type;
        fl.nullable = true;
        rc = tn_export_type(&fl, type, err);
        if (rc) {
            value->release(value);
            return rc;
        }
        f->value = value;
        f->value_type = type;
    }
    *ok = true;
    return TARN_OK;
}

static int custom_open(tn_table *t, const tn_scan_request *req, int64_t part, tn_reader **out, bool *exact,
                       tarn_error *err)
{
    (void)part;
    custom_table *c = (custom_table *)t;
    int32_t nf = req->nfilters;
    tarn_filter *filters = nf ? tn_calloc((size_t)nf, sizeof *filters) : NULL;
    struct ArrowArray *values = nf ? tn_calloc((size_t)nf, sizeof *values) : NULL;
    struct ArrowSchema *types = nf ? tn_calloc((size_t)nf, sizeof *types) : NULL;
    int32_t *which = nf ? tn_calloc((size_t)nf, sizeof *which) : NULL;
    int *ex = nf ? tn_calloc((size_t)nf, sizeof *ex) : NULL;
    int *cols = req->ncolumns ? tn_calloc((size_t)req->ncolumns, sizeof *cols) : NULL;
    int rc = TARN_OK;
    if ((nf && (!filters || !values || !types || !which || !ex)) || (req->ncolumns && !cols))
        rc = tn_error_oom(err, (size_t)nf * sizeof *filters);
    for (int32_t i = 0; rc == TARN_OK && i < req->ncolumns; i++)
        cols[i] = req->columns[i];
    int32_t n = 0;
    for (int32_t i = 0; rc == TARN_OK && i < nf; i++) {
        bool ok;
        rc = to_provider_filter(t, req, req->filters[i], &filters[n], &values[n], &types[n], &ok, err);
        if (rc == TARN_OK && ok)
            which[n++] = i;
    }
    struct ArrowArrayStream stream = {0};
    if (rc == TARN_OK) {
        tarn_scan_request treq = {cols, req->ncolumns, filters, n, req->limit};
        rc = c->vt.scan(c->ctx, &treq, &stream, ex, err);
    }
    if (rc == TARN_OK) {
        rc = tn_import_stream(&stream, out, err);
        if (rc && stream.release)
            stream.release(&stream);
    }
    if (rc == TARN_OK && exact)
        for (int32_t i = 0; i < n; i++)
            exact[which[i]] = ex[i] != 0;
    for (int32_t i = 0; i < n; i++) {
        if (values[i].release)
            values[i].release(&values[i]);
        if (types[i].release)
            types[i].release(&types[i]);
    }
    tn_free(filters);
    tn_free(values);
    tn_free(types);
    tn_free(which);
    tn_free(ex);
    tn_free(cols);
    return rc;
}

static void custom_destroy(tn_table *t)
{
    custom_table *c = (custom_table *)t;
    if (c->vt.release)
        c->vt.release(c->ctx);
    tn_free(c);
}

static const tn_table_ops custom_ops = {
    .partitions = custom_partitions, .open = custom_open, .destroy = custom_destroy};

int tarn_session_register_table(tarn_session *s, const char *name, const tarn_table_vtable *vt, void *ctx,
                                tarn_error *err)
{
    if (!s || !name || !vt || !vt->schema || !vt->scan)
        return tn_error_set(err, TARN_EINVAL, "tarn_session_register_table: no session, name or scan callbacks");
    settle_streams(s);
    struct ArrowSchema as = {0};
    TN_TRY(vt->schema(ctx, &as, err));
    tn_schema *schema = NULL;
    int rc = tn_import_schema(&as, &schema, err);
    if (as.release)
        as.release(&as);
    TN_TRY(rc);
    custom_table *c = tn_calloc(1, sizeof *c);
    char *copy = tn_strdup(name);
    if (!c || !copy) {
        tn_free(c);
        tn_free(copy);
        tn_schema_unref(schema);
        return tn_error_oom(err, sizeof *c);
    }
    c->base.refcount = 1;
    c->base.kind = TN_TABLE_CUSTOM;
    c->base.ops = &custom_ops;
    c->base.schema = schema;
    c->base.est_rows = vt->estimated_rows ? (double)vt->estimated_rows(ctx) : -1;
    c->base.name = copy;
    c->vt = *vt;
    c->ctx = ctx;
    rc = tn_catalog_add_table(s->catalog, name, &c->base, true, false, err);
    if (rc)
        c->vt.release = NULL; /* the caller keeps its context on failure */
    tn_table_unref(&c->base);
    return rc;
}

/* ---- user-defined functions ---------------------------------------------------------------------- */

int tarn_session_register_scalar(tarn_session *s, const char *name, int nargs, const char *const *arg_types,
                                 const char *result_type, unsigned flags, tarn_scalar_udf fn, void *ctx,
                                 tarn_error *err)
{
    if (!s)
        return tn_error_set(err, TARN_EINVAL, "tarn_session_register_scalar: no session");
    settle_streams(s);
    return tn_udf_register_scalar(s->functions, name, nargs, arg_types, result_type, flags, fn, ctx, err);
}

int tarn_session_register_aggregate(tarn_session *s, const char *name, int nargs, const char *const *arg_types,
                                    const char *result_type, unsigned flags, const tarn_aggregate_udf *fn, void *ctx,
                                    tarn_error *err)
{
    if (!s)
        return tn_error_set(err, TARN_EINVAL, "tarn_session_register_aggregate: no session");
    settle_streams(s);
    return tn_udf_register_aggregate(s->functions, name, nargs, arg_types, result_type, flags, fn, ctx, err);
}

int tarn_session_unregister_function(tarn_session *s, const char *name, tarn_error *err)
{
    if (!s)
        return tn_error_set(err, TARN_EINVAL, "tarn_session_unregister_function: no session");
    settle_streams(s);
    return tn_func_registry_drop(s->functions, name, err);
}
