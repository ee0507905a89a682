/*
 * scan.c — TABLE_SCAN: reads a catalog table partition by partition (one
 * pipeline task per partition range) through tn_table_ops, handing the
 * table the columns, the filter conjuncts and the limit hint, and applies
 * every conjunct the table did not mark exact on the batches it returns
 * (vectorized: one tn_expr_select per conjunct, each narrowing the last's
 * selection).
 *
 * When the pipeline starts, the scan begins (ops->scan_begin): a table
 * over files reads its Parquet footers once and splits them into
 * row-group partitions. Dynamic join filters: a hash join whose probe key
 * is a plain column of this scan (through filters, projections and the
 * probe sides of other joins of the same pipeline) registers the filter it
 * builds (join_filter.h, tn_exec_scan_join_filters). The join's build
 * pipeline has ended before this scan begins, so the filter is final: the
 * table skips row groups whose key statistics miss its [min, max], and the
 * scan drops the rows its bloom filter rules out before they enter the
 * pipeline (per partition, until a filter proves it keeps nearly every
 * row).
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "sql/exec/exec.h"
#include "sql/exec/join.h"
#include "sql/exec/join_filter.h"

#define MAX_JOIN_FILTERS 8

typedef struct scan_op {
    tn_op base;
    tn_table *table;         /* a reference */
    tn_scan_request req;
    int32_t *columns;        /* owned copy of req.columns */
    tn_expr **filters;       /* borrowed (plan or query arena) */
    /* dynamic join filters registered by the planner, and the ready ones
     * the current scan uses (req.join_filters points at the latter) */
    const tn_join_filter *jf[MAX_JOIN_FILTERS];
    int32_t jcol[MAX_JOIN_FILTERS];
    int32_t njf;
    const tn_join_filter *ready[MAX_JOIN_FILTERS];
    int32_t ready_col[MAX_JOIN_FILTERS];
    bool begun;              /* the table's scan_begin ran (req.state is its) */
    _Atomic int64_t rows_by_join; /* rows the bloom filters dropped */
} scan_op;

typedef struct scan_state {
    tn_reader *r;
    bool *exact;             /* per filter: the table applied it */
    int32_t *rows[2];        /* selection buffers */
    int64_t cap;
    int64_t jf_in[MAX_JOIN_FILTERS], jf_out[MAX_JOIN_FILTERS]; /* rows seen / kept per join filter */
    bool jf_off[MAX_JOIN_FILTERS]; /* a filter that keeps nearly every row stops being applied */
} scan_state;

static void end_scan(scan_op *s)
{
    if (s->begun && s->table->ops->scan_end)
        s->table->ops->scan_end(s->table, &s->req);
    s->begun = false;
    s->req.state = NULL;
}

static int scan_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    scan_op *s = (scan_op *)op;
    end_scan(s); /* a tree run again (a recursive CTE's step) begins anew */
    s->req.njoin_filters = 0;
    for (int32_t i = 0; i < s->njf; i++)
        if (atomic_load_explicit(&s->jf[i]->ready, memory_order_acquire)) {
            s->ready[s->req.njoin_filters] = s->jf[i];
            s->ready_col[s->req.njoin_filters++] = s->jcol[i];
        }
    if (s->table->ops->scan_begin) {
        TN_TRY(s->table->ops->scan_begin(s->table, &s->req, err));
        s->begun = true;
    }
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
    *out = st;
    return TARN_OK;
}

/* Keep the rows of b where every inexact filter holds and every dynamic
 * join filter may match; *out is b itself (a new reference) when all rows
 * pass. */
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
    for (int32_t i = 0; i < s->req.nfilters && sel.n > 0; i++) {
        if (st->exact && st->exact[i])
            continue;
        int64_t n = 0;
        TN_TRY(tn_expr_select(ev, s->filters[i], b, all ? NULL : &sel, st->rows[flip], &n, err));
        sel.rows = st->rows[flip];
        sel.n = n;
        flip ^= 1;
        all = false;
    }
    for (int32_t i = 0; i < s->req.njoin_filters && sel.n > 0; i++) {
        if (st->jf_off[i])
            continue;
        int64_t n = 0;
        TN_TRY(tn_join_filter_select(s->ready[i], b->columns[s->ready_col[i]], all ? NULL : &sel, st->rows[flip], &n,
                                     err));
        st->jf_in[i] += sel.n;
        st->jf_out[i] += n;
        /* after a few batches, a filter that keeps 90% of the rows costs more than it saves */
        if (st->jf_in[i] >= 4 * 8192 && st->jf_out[i] * 10 > st->jf_in[i] * 9)
            st->jf_off[i] = true;
        atomic_fetch_add(&s->rows_by_join, sel.n - n);
        sel.rows = st->rows[flip];
        sel.n = n;
        flip ^= 1;
        all = false;
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

static bool needs_filtering(const scan_op *s, const scan_state *st)
{
    for (int32_t i = 0; i < s->req.njoin_filters; i++)
        if (!st->jf_off[i])
            return true;
    for (int32_t i = 0; i < s->req.nfilters; i++)
        if (!st->exact || !st->exact[i])
            return true;
    return false;
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
        if (!needs_filtering(s, st)) {
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

static const char *plural(int64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* ", scanned: 1 file, 49 row groups (12 read, 30 pruned by statistics,
 * 7 by join filters), 3.1 MB read" after a run. */
static int explain_stats(scan_op *s, tn_buf *out, tarn_error *err)
{
    tn_scan_stats st;
    s->table->ops->scan_stats(s->table, &s->req, &st);
    TN_TRY(tn_buf_printf(out, err, ", scanned: %lld %s", (long long)st.files, plural(st.files, "file", "files")));
    if (st.row_groups > 0) {
        TN_TRY(tn_buf_printf(out, err, ", %lld row %s (%lld read", (long long)st.row_groups,
                             plural(st.row_groups, "group", "groups"), (long long)st.rg_read));
        if (st.rg_by_stats)
            TN_TRY(tn_buf_printf(out, err, ", %lld pruned by statistics", (long long)st.rg_by_stats));
        if (st.rg_by_join)
            TN_TRY(tn_buf_printf(out, err, ", %lld pruned by join filters", (long long)st.rg_by_join));
        if (st.rg_by_bloom)
            TN_TRY(tn_buf_printf(out, err, ", %lld pruned by bloom filters", (long long)st.rg_by_bloom));
        TN_TRY(tn_buf_append_str(out, ")", err));
    }
    if (st.pages_pruned)
        TN_TRY(tn_buf_printf(out, err, ", %lld pages pruned", (long long)st.pages_pruned));
    if (st.bytes_read)
        TN_TRY(tn_buf_printf(out, err, ", %lld bytes read", (long long)st.bytes_read));
    return TARN_OK;
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
    for (int32_t i = 0; i < s->njf; i++)
        TN_TRY(tn_buf_printf(out, err, "%s%s", i ? ", " : ", join filters on: ", op->out->fields[s->jcol[i]].name));
    if (s->begun && s->table->ops->scan_stats) /* after a run (EXPLAIN ANALYZE) */
        TN_TRY(explain_stats(s, out, err));
    if (s->begun && s->njf > 0)
        TN_TRY(tn_buf_printf(out, err, ", rows dropped by join filters: %lld", (long long)atomic_load(&s->rows_by_join)));
    return TARN_OK;
}

static void scan_destroy(tn_op *op)
{
    scan_op *s = (scan_op *)op;
    end_scan(s);
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
    s->req.join_filters = s->ready;
    s->req.join_columns = s->ready_col;
    *out = &s->base;
    return TARN_OK;
}

/* The operator's input column that output column c of op is, through a
 * filter, a projection of a bare column or a join's probe side (-1 when
 * it is not such a column, or op is not such an operator). */
static tn_op *through(tn_op *op, int32_t *c)
{
    const char *name = op->vt->name;
    if (op->nchildren < 1 || !op->plan)
        return NULL;
    if (!strcmp(name, "FILTER") && op->plan->kind == TN_PLAN_FILTER)
        return op->children[0];
    if (!strcmp(name, "PROJECTION") && op->plan->kind == TN_PLAN_PROJECT && *c < op->plan->nexprs) {
        const tn_expr *e = op->plan->exprs[*c];
        if (e->kind != TN_EXPR_COLUMN)
            return NULL;
        *c = e->index;
        return op->children[0];
    }
    /* a hash join's output starts with its probe side's columns (every kind,
     * unless the left side builds: then children[0] is the plan's right) */
    if (!strcmp(name, "HASH_JOIN") && op->plan->kind == TN_PLAN_JOIN && !tn_hash_join_builds_left(op) &&
        *c < op->children[0]->out->n_fields)
        return op->children[0];
    return NULL;
}

void tn_exec_scan_in_order(tn_op *op)
{
    while (op && op->vt != &scan_vtable &&
           (!strcmp(op->vt->name, "FILTER") || !strcmp(op->vt->name, "PROJECTION")))
        op = op->nchildren > 0 ? op->children[0] : NULL;
    if (op && op->vt == &scan_vtable)
        ((scan_op *)op)->req.in_order = true;
}

void tn_exec_scan_join_filters(tn_op *join)
{
    if (join->ctx->no_dynamic_filters || !join->plan || join->plan->nkeys != 1)
        return;
    const tn_join_filter *f = tn_hash_join_filter(join, 0);
    const tn_expr *k = join->plan->left_keys[0];
    if (!f || k->kind != TN_EXPR_COLUMN)
        return;
    int32_t c = k->index;
    tn_op *op = join->children[0];
    while (op && op->vt != &scan_vtable)
        op = through(op, &c);
    scan_op *s = (scan_op *)op;
    if (!s || c < 0 || c >= s->base.out->n_fields || s->njf == MAX_JOIN_FILTERS)
        return;
    s->jf[s->njf] = f;
    s->jcol[s->njf++] = c;
}
