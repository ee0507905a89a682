/*
 * scan.c — TABLE_SCAN: reads a catalog table partition by partition (one
 * pipeline task per partition range) through tn_table_ops, handing the
 * table the columns, the filter conjuncts and the limit hint, and applies
 * every conjunct the table did not mark exact on the batches it returns
 * (vectorized: one tn_expr_select per conjunct, each narrowing the last's
 * selection).
 */
#include <string.h>

#include "core/alloc.h"
#include "sql/exec/exec.h"

typedef struct scan_op {
    tn_op base;
    tn_table *table;         /* a reference */
    tn_scan_request req;
    int32_t *columns;        /* owned copy of req.columns */
    tn_expr **filters;       /* borrowed (plan or query arena) */
} scan_op;

typedef struct scan_state {
    tn_reader *r;
    bool *exact;             /* per filter: the table applied it */
    int32_t *rows[2];        /* selection buffers */
    int64_t cap;
} scan_state;

static int scan_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    scan_op *s = (scan_op *)op;
    return s->table->ops->partitions(s->table, &s->req, n, err);
}

static void scan_done(tn_op *op, void *state)
{
    (void)op;
    scan_state *st = state;
    if (!st)
        return;
    tn_reader_free(st->r);
    tn_free(st->exact);
    tn_free(st->rows[0]);
    tn_free(st->rows[1]);
    tn_free(st);
}

static int scan_open(scan_op *s, int64_t part, scan_state **out, tarn_error *err)
{
    scan_state *st = tn_calloc(1, sizeof *st);
    TN_TRY_ALLOC(st, err, sizeof *st);
    int rc = TARN_OK;
    if (s->req.nfilters) {
        st->exact = tn_calloc((size_t)s->req.nfilters, sizeof(bool));
        if (!st->exact)
            rc = tn_error_oom(err, (size_t)s->req.nfilters);
    }
    if (rc == TARN_OK)
        rc = s->table->ops->open(s->table, &s->req, part, &st->r, st->exact, err);
    if (rc) {
        scan_done(&s->base, st);
        return rc;
    }
    if (s->req.nfilters)
        atomic_fetch_add(&s->base.metrics.files, 1);
    *out = st;
    return TARN_OK;
}

/* Keep the rows of b where every inexact filter holds; *out is b itself
 * (a new reference) when all rows pass. */
static int apply_filters(scan_op *s, scan_state *st, tn_batch *b, tn_batch **out, tarn_error *err)
{
    const tn_eval_ctx *ev = &s->base.ctx->eval;
    if (st->cap < b->length) {
        for (int i = 0; i < 2; i++) {
            tn_free(st->rows[i]);
            st->rows[i] = tn_malloc((size_t)b->length * sizeof(int32_t));
            TN_TRY_ALLOC(st->rows[i], err, (size_t)b->length * sizeof(int32_t));
        }
        st->cap = b->length;
    }
    tn_selection sel = {NULL, b->length};
    bool all = true;
    int flip = 0;
    for (int32_t i = 0; i < s->req.nfilters; i++) {
        if (st->exact && st->exact[i])
            continue;
        int64_t n = 0;
        TN_TRY(tn_expr_select(ev, s->filters[i], b, all ? NULL : &sel, st->rows[flip], &n, err));
        sel.rows = st->rows[flip];
        sel.n = n;
        flip ^= 1;
        all = false;
        if (n == 0)
            break;
    }
    if (all || sel.n == b->length) {
        *out = tn_batch_ref(b);
        return TARN_OK;
    }
    if (sel.n == 0) {
        *out = NULL;
        return TARN_OK;
    }
    return tn_exec_batch_select(b, s->base.out, sel.rows, sel.n, out, err);
}

static int scan_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    scan_op *s = (scan_op *)op;
    *out = NULL;
    if (!*state)
        TN_TRY(scan_open(s, part, (scan_state **)state, err));
    scan_state *st = *state;
    for (;;) {
        tn_batch *b = NULL;
        TN_TRY(tn_reader_next(st->r, &b, err));
        if (!b)
            return TARN_OK;
        atomic_fetch_add(&op->metrics.rows_in, b->length);
        /* the reader's field names may differ from the plan's */
        tn_batch *named = NULL;
        int rc = tn_exec_batch_of(op->out, b->length, b->columns, &named, err);
        tn_batch_unref(b);
        TN_TRY(rc);
        if (s->req.nfilters == 0) {
            *out = named;
            return TARN_OK;
        }
        tn_batch *kept = NULL;
        rc = apply_filters(s, st, named, &kept, err);
        tn_batch_unref(named);
        TN_TRY(rc);
        if (kept) {
            *out = kept;
            return TARN_OK;
        }
    }
}

static int scan_explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    scan_op *s = (scan_op *)op;
    TN_TRY(tn_buf_printf(out, err, "%s", s->table->name ? s->table->name : "?"));
    for (int32_t i = 0; i < s->req.nfilters; i++) {
        TN_TRY(tn_buf_append_str(out, i ? " AND " : ", filters: ", err));
        /* the SQL text when the binder kept it, else the bound form (#column) */
        if (s->filters[i]->text)
            TN_TRY(tn_buf_append_str(out, s->filters[i]->text, err));
        else
            TN_TRY(tn_expr_format(s->filters[i], out, err));
    }
    if (s->req.limit >= 0)
        TN_TRY(tn_buf_printf(out, err, ", limit: %lld", (long long)s->req.limit));
    return TARN_OK;
}

static void scan_destroy(tn_op *op)
{
    scan_op *s = (scan_op *)op;
    tn_table_unref(s->table);
    tn_free(s->columns);
    tn_free(s->filters);
    tn_free(s);
}

static const tn_op_vtable scan_vtable = {
    .name = "TABLE_SCAN",
    .source_partitions = scan_partitions,
    .source_next = scan_next,
    .source_done = scan_done,
    .explain = scan_explain,
    .destroy = scan_destroy,
};

int tn_op_scan_new(tn_exec_ctx *ctx, const tn_plan *scan, tn_expr *const *filters, tn_op **out, tarn_error *err)
{
    scan_op *s = tn_op_alloc(sizeof *s, &scan_vtable, ctx, scan, scan->out);
    TN_TRY_ALLOC(s, err, sizeof *s);
    s->table = tn_table_ref(scan->table);
    s->req.limit = scan->scan_limit;
    int rc = TARN_OK;
    if (scan->ncolumns) {
        s->columns = tn_malloc((size_t)scan->ncolumns * sizeof(int32_t));
        if (!s->columns)
            rc = tn_error_oom(err, (size_t)scan->ncolumns * sizeof(int32_t));
        else
            memcpy(s->columns, scan->columns, (size_t)scan->ncolumns * sizeof(int32_t));
    }
    if (rc == TARN_OK && scan->nfilters) {
        s->filters = tn_malloc((size_t)scan->nfilters * sizeof(tn_expr *));
        if (!s->filters)
            rc = tn_error_oom(err, (size_t)scan->nfilters * sizeof(tn_expr *));
        else
            memcpy(s->filters, filters, (size_t)scan->nfilters * sizeof(tn_expr *));
    }
    if (rc) {
        tn_op_free(&s->base);
        return rc;
    }
    s->req.columns = s->columns;
    s->req.ncolumns = scan->ncolumns;
    s->req.filters = s->filters;
    s->req.nfilters = scan->nfilters;
    *out = &s->base;
    return TARN_OK;
}
