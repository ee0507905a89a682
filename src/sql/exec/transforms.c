/*
 * transforms.c — the streaming operators: FILTER (tn_expr_select, then one
 * gather per column), PROJECTION (tn_expr_eval per expression; a bare
 * column reference shares the input array), LIMIT/OFFSET (one atomic
 * counter shared by every task; `finished` once it has its rows) and
 * UNION ALL (no work of its own: the driver runs one pipeline per child
 * into the same chain).
 */
#include <string.h>

#include "core/alloc.h"
#include "sql/exec/exec.h"

/* ---- FILTER ----------------------------------------------------------------------- */

typedef struct filter_op {
    tn_op base;
    tn_expr *predicate;
} filter_op;

typedef struct filter_local {
    int32_t *rows;
    int64_t cap;
} filter_local;

static int filter_local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    *local = tn_calloc(1, sizeof(filter_local));
    TN_TRY_ALLOC(*local, err, sizeof(filter_local));
    return TARN_OK;
}

static void filter_local_free(tn_op *op, void *local)
{
    (void)op;
    filter_local *l = local;
    tn_free(l->rows);
    tn_free(l);
}

static int filter_transform(tn_op *op, void *local, tn_batch *in, tn_batch **out, bool *again, tarn_error *err)
{
    filter_op *f = (filter_op *)op;
    filter_local *l = local;
    *again = false;
    *out = NULL;
    if (l->cap < in->length) {
        tn_free(l->rows);
        l->rows = tn_malloc((size_t)in->length * sizeof(int32_t));
        l->cap = l->rows ? in->length : 0;
        TN_TRY_ALLOC(l->rows, err, (size_t)in->length * sizeof(int32_t));
    }
    int64_t n = 0;
    TN_TRY(tn_expr_select(&op->ctx->eval, f->predicate, in, NULL, l->rows, &n, err));
    if (n == in->length) {
        *out = tn_batch_ref(in);
        return TARN_OK;
    }
    if (n == 0)
        return TARN_OK;
    return tn_exec_batch_select(in, op->out, l->rows, n, out, err);
}

static int filter_explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    filter_op *f = (filter_op *)op;
    return tn_buf_printf(out, err, "%s", f->predicate->text ? f->predicate->text : "");
}

static void plain_destroy(tn_op *op) { tn_free(op); }

static const tn_op_vtable filter_vtable = {
    .name = "FILTER",
    .local_init = filter_local_init,
    .local_free = filter_local_free,
    .transform = filter_transform,
    .explain = filter_explain,
    .destroy = plain_destroy,
};

int tn_op_filter_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_expr *predicate, tn_op *child, tn_op **out,
                     tarn_error *err)
{
    filter_op *f = tn_op_alloc(sizeof *f, &filter_vtable, ctx, plan, child->out);
    TN_TRY_ALLOC(f, err, sizeof *f);
    f->predicate = predicate;
    int rc = tn_op_set_children(&f->base, &child, 1, err);
    if (rc) {
        tn_op_free(&f->base);
        return rc;
    }
    *out = &f->base;
    return TARN_OK;
}

/* ---- PROJECTION ---------------------------------------------------------------------- */

typedef struct project_op {
    tn_op base;
    tn_expr **exprs; /* borrowed */
    int32_t n;
} project_op;

static int project_transform(tn_op *op, void *local, tn_batch *in, tn_batch **out, bool *again, tarn_error *err)
{
    (void)local;
    project_op *p = (project_op *)op;
    *again = false;
    tn_batch *b = tn_batch_new(op->out, in->length);
    TN_TRY_ALLOC(b, err, sizeof *b);
    for (int32_t i = 0; i < p->n; i++) {
        const tn_expr *e = p->exprs[i];
        int rc = tn_exec_eval(op->ctx, e, in, &b->columns[i], err);
        if (rc == TARN_OK && b->columns[i]->length != in->length)
            rc = tn_error_set(err, TARN_EINTERNAL, "expression \"%s\" gave %lld rows for %lld",
                              e->text ? e->text : "?", (long long)b->columns[i]->length, (long long)in->length);
        if (rc) {
            tn_batch_unref(b);
            return rc;
        }
    }
    *out = b;
    return TARN_OK;
}

static int project_explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    project_op *p = (project_op *)op;
    for (int32_t i = 0; i < p->n; i++) {
        TN_TRY(tn_buf_printf(out, err, "%s", i ? ", " : ""));
        if (p->exprs[i]->text)
            TN_TRY(tn_buf_printf(out, err, "%s", p->exprs[i]->text));
        else if (p->exprs[i]->kind == TN_EXPR_COLUMN)
            TN_TRY(tn_buf_printf(out, err, "#%d", p->exprs[i]->index));
        else
            TN_TRY(tn_buf_printf(out, err, "%s", op->out->fields[i].name));
    }
    return TARN_OK;
}

static const tn_op_vtable project_vtable = {
    .name = "PROJECTION",
    .transform = project_transform,
    .explain = project_explain,
    .destroy = plain_destroy,
};

int tn_op_project_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_expr *const *exprs, int32_t n, tn_op *child,
                      tn_op **out, tarn_error *err)
{
    project_op *p = tn_op_alloc(sizeof *p, &project_vtable, ctx, plan, plan->out);
    TN_TRY_ALLOC(p, err, sizeof *p);
    p->exprs = (tn_expr **)exprs;
    p->n = n;
    int rc = tn_op_set_children(&p->base, &child, 1, err);
    if (rc) {
        tn_op_free(&p->base);
        return rc;
    }
    *out = &p->base;
    return TARN_OK;
}

/* ---- LIMIT / OFFSET -------------------------------------------------------------------- */

typedef struct limit_op {
    tn_op base;
    int64_t limit, offset; /* limit < 0: none */
    _Atomic int64_t seen;  /* rows that reached the operator, over all tasks */
} limit_op;

static int64_t limit_end(const limit_op *l)
{
    return l->limit < 0 ? INT64_MAX : l->offset + l->limit;
}

/* Each batch claims the positions [pos, pos + length) of the stream; the
 * rows at positions in [offset, offset + limit) pass. With one ordered
 * partition (a sort below) the positions are the order. */
static int limit_transform(tn_op *op, void *local, tn_batch *in, tn_batch **out, bool *again, tarn_error *err)
{
    (void)local;
    limit_op *l = (limit_op *)op;
    *again = false;
    *out = NULL;
    int64_t end = limit_end(l);
    int64_t pos = atomic_fetch_add(&l->seen, in->length);
    int64_t from = pos > l->offset ? pos : l->offset;
    int64_t to = pos + in->length < end ? pos + in->length : end;
    if (from >= to)
        return TARN_OK;
    if (from == pos && to == pos + in->length) {
        *out = tn_batch_ref(in);
        return TARN_OK;
    }
    *out = tn_batch_slice(in, from - pos, to - from);
    TN_TRY_ALLOC(*out, err, sizeof(tn_batch));
    return TARN_OK;
}

static bool limit_finished(tn_op *op)
{
    limit_op *l = (limit_op *)op;
    return atomic_load(&l->seen) >= limit_end(l);
}

static int limit_explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    limit_op *l = (limit_op *)op;
    if (l->limit >= 0)
        TN_TRY(tn_buf_printf(out, err, "limit: %lld", (long long)l->limit));
    if (l->offset > 0)
        TN_TRY(tn_buf_printf(out, err, "%soffset: %lld", l->limit >= 0 ? ", " : "", (long long)l->offset));
    return TARN_OK;
}

static const tn_op_vtable limit_vtable = {
    .name = "LIMIT",
    .transform = limit_transform,
    .finished = limit_finished,
    .explain = limit_explain,
    .destroy = plain_destroy,
};

int tn_op_limit_new(tn_exec_ctx *ctx, const tn_plan *plan, int64_t limit, int64_t offset, tn_op *child, tn_op **out,
                    tarn_error *err)
{
    limit_op *l = tn_op_alloc(sizeof *l, &limit_vtable, ctx, plan, child->out);
    TN_TRY_ALLOC(l, err, sizeof *l);
    l->limit = limit;
    l->offset = offset > 0 ? offset : 0;
    int rc = tn_op_set_children(&l->base, &child, 1, err);
    if (rc) {
        tn_op_free(&l->base);
        return rc;
    }
    *out = &l->base;
    return TARN_OK;
}

/* ---- UNION ALL ----------------------------------------------------------------------------- */

const tn_op_vtable tn_union_vtable = {
    .name = "UNION",
    .destroy = plain_destroy,
};

int tn_op_union_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_op **children, int32_t n, tn_op **out, tarn_error *err)
{
    tn_op *u = tn_op_alloc(sizeof *u, &tn_union_vtable, ctx, plan, plan->out);
    TN_TRY_ALLOC(u, err, sizeof *u);
    int rc = tn_op_set_children(u, children, n, err);
    if (rc) {
        tn_op_free(u);
        return rc;
    }
    *out = u;
    return TARN_OK;
}
