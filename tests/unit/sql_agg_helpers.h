/*
 * sql_agg_helpers.h — building plans and batches by hand and driving sink +
 * source operators the way the pipeline driver does, for the aggregate and
 * window tests.
 *
 * Operators are driven through their vtable: several tasks, each with its
 * own local state, sink their share of the batches (tasks run on the thread
 * pool, so local states really are used from different threads), combine
 * (under a lock, as the driver does), finalize, then every source partition
 * is read. Results are rendered one row per line, "v1|v2|...", NULL for
 * nulls, doubles with 12 significant digits, and the lines sorted, so that
 * tests compare against DuckDB's output for the same data regardless of
 * partition order.
 */
#ifndef TN_SQL_AGG_HELPERS_H
#define TN_SQL_AGG_HELPERS_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/builder.h"
#include "arrow/cell.h"
#include "core/pool.h"
#include "sql/exec/operator.h"
#include "sql/functions/function.h"

/* ---- plans -------------------------------------------------------------------------- */

static tn_expr *col(tn_plan_ctx *c, const tn_schema *in, int32_t i)
{
    tn_expr *e = tn_expr_column(c, i, tn_type_ref(in->fields[i].type));
    if (e)
        e->text = in->fields[i].name;
    return e;
}

/* A schema from names and types (types consumed). */
static tn_schema *make_schema(int32_t n, const char *const *names, tn_type *const *types)
{
    tn_schema *s = tn_schema_new(n);
    for (int32_t i = 0; i < n; i++) {
        tarn_error err;
        if (tn_field_init(&s->fields[i], names[i], types[i], true, &err) != 0)
            abort();
    }
    return s;
}

/* ---- driving a sink + source operator ------------------------------------------- */

typedef struct drive_ctx {
    tn_op *op;
    tn_batch **batches;
    int64_t nbatches;
    int32_t ntasks;
    pthread_mutex_t lock;
    void **locals;
} drive_ctx;

/* Task t sinks batches t, t + ntasks, ... into its own local state. */
static int drive_task(void *vctx, int64_t begin, int64_t end, tarn_error *err)
{
    drive_ctx *d = vctx;
    for (int64_t t = begin; t < end; t++) {
        void *local = NULL;
        TN_TRY(d->op->vt->sink_local_init(d->op, &local, err));
        d->locals[t] = local;
        for (int64_t b = t; b < d->nbatches; b += d->ntasks)
            TN_TRY(d->op->vt->sink(d->op, local, d->batches[b], err));
    }
    return 0;
}

typedef struct test_lines {
    char **v;
    size_t n, cap;
} test_lines;

static void lines_free(test_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        tn_free(l->v[i]);
    tn_free(l->v);
    memset(l, 0, sizeof *l);
}

static int render_value(tn_buf *b, tn_array *a, int64_t i, tarn_error *err)
{
    if (tn_cell_is_null(a, i))
        return tn_buf_append_str(b, "NULL", err);
    if (a->type->id == TN_FLOAT64)
        return tn_buf_printf(b, err, "%.12g", TN_VALUES(a, double)[i]);
    if (a->type->id == TN_FLOAT32)
        return tn_buf_printf(b, err, "%.6g", (double)TN_VALUES(a, float)[i]);
    return tn_cell_format(b, a, i, TN_CELL_TABLE, err);
}

static int render_batch(tn_batch *batch, test_lines *out, tarn_error *err)
{
    TN_TRY(tn_batch_check(batch, err));
    for (int64_t r = 0; r < batch->length; r++) {
        tn_buf b;
        tn_buf_init(&b, 0);
        int rc = 0;
        for (int32_t c = 0; c < batch->schema->n_fields && rc == 0; c++) {
            if (c)
                rc = tn_buf_append_str(&b, "|", err);
            if (rc == 0)
                rc = render_value(&b, batch->columns[c], r, err);
        }
        if (rc == 0 && out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 64;
            char **v = tn_realloc(out->v, cap * sizeof *v);
            if (!v)
                rc = tn_error_oom(err, cap * sizeof *v);
            else {
                out->v = v;
                out->cap = cap;
            }
        }
        if (rc == 0 && !b.data)
            rc = tn_buf_append_str(&b, "", err);
        if (rc) {
            tn_buf_reset(&b);
            return rc;
        }
        out->v[out->n++] = tn_buf_take(&b);
    }
    return 0;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read every source partition of op into lines (not sorted). */
static int read_source(tn_op *op, test_lines *lines, tarn_error *err)
{
    int64_t nparts;
    TN_TRY(op->vt->source_partitions(op, &nparts, err));
    for (int64_t p = 0; p < nparts; p++) {
        void *state = NULL;
        int rc = 0;
        for (;;) {
            tn_batch *b = NULL;
            rc = op->vt->source_next(op, p, &state, &b, err);
            if (rc || !b)
                break;
            rc = render_batch(b, lines, err);
            tn_batch_unref(b);
            if (rc)
                break;
        }
        op->vt->source_done(op, state);
        TN_TRY(rc);
    }
    return 0;
}

/* Sink batches from ntasks tasks, combine, finalize, read: the sorted rows
 * joined by newlines in *text (tn_free it). Sources are read as the driver
 * would: every partition. */
static int drive_op(tn_op *op, tn_batch **batches, int64_t nbatches, int32_t ntasks, char **text, tarn_error *err)
{
    *text = NULL;
    drive_ctx d = {op, batches, nbatches, ntasks, PTHREAD_MUTEX_INITIALIZER, NULL};
    d.locals = tn_calloc((size_t)ntasks, sizeof *d.locals);
    TN_TRY_ALLOC(d.locals, err, sizeof *d.locals * (size_t)ntasks);
    int rc = tn_parallel_for(ntasks, 1, drive_task, &d, err);
    for (int32_t t = 0; t < ntasks; t++) {
        if (!d.locals[t])
            continue;
        if (rc == 0) {
            pthread_mutex_lock(&d.lock);
            rc = op->vt->sink_combine(op, d.locals[t], err);
            pthread_mutex_unlock(&d.lock);
        } else {
            op->vt->sink_local_free(op, d.locals[t]);
        }
    }
    tn_free(d.locals);
    if (rc == 0)
        rc = op->vt->sink_finalize(op, err);
    test_lines lines = {0};
    if (rc == 0)
        rc = read_source(op, &lines, err);
    if (rc == 0) {
        if (lines.n)
            qsort(lines.v, lines.n, sizeof *lines.v, cmp_lines);
        tn_buf b;
        tn_buf_init(&b, 0);
        for (size_t i = 0; i < lines.n && rc == 0; i++) {
            rc = tn_buf_append_str(&b, lines.v[i], err);
            if (rc == 0)
                rc = tn_buf_append_str(&b, "\n", err);
        }
        if (rc == 0 && !b.data)
            rc = tn_buf_append_str(&b, "", err);
        if (rc == 0)
            *text = tn_buf_take(&b);
        else
            tn_buf_reset(&b);
    }
    lines_free(&lines);
    return rc;
}

/* Sort the lines of a literal expectation the way drive_op does. */
static char *sorted_text(const char *text)
{
    char *copy = strdup(text);
    char *lines[4096];
    size_t n = 0;
    for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l && n < 4096; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    qsort(lines, n, sizeof *lines, cmp_lines);
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(lines[i]) + 1;
    char *out = malloc(len);
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
    }
    free(copy);
    return out;
}

#define CHECK_ROWS(got, want_text)                 \
    do {                                           \
        char *tn_want_ = sorted_text(want_text);   \
        CHECK_STR(got, tn_want_);                  \
        free(tn_want_);                            \
    } while (0)

#endif
