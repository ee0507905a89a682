/*
 * planner.c — the physical planner: a logical plan (sql/plan.h) becomes a
 * tree of operators (operator.h), and a planned query runs through the
 * pipeline driver.
 *
 * Choices made here:
 *  - JOIN with equality keys -> HASH_JOIN (build: the right side), else
 *    NESTED_LOOP_JOIN;
 *  - SORT under a LIMIT -> TOP_N keeping limit + offset rows, then LIMIT;
 *  - DISTINCT -> HASH_AGGREGATE grouping every column, no aggregates;
 *  - UNION -> UNION ALL + DISTINCT; INTERSECT / EXCEPT -> a SEMI / ANTI
 *    hash join on every column (NULLs equal) + DISTINCT;
 *  - CTEs are run once and read back from memory (CTE_SCAN); a recursive
 *    CTE iterates its step over the previous iteration's rows until none
 *    come;
 *  - uncorrelated subquery expressions are run while planning and replaced
 *    by literals (IN / ANY / ALL by a list of literals), so the evaluator
 *    never meets one. Rewritten expressions and nodes live in the query's
 *    own plan context; the statement's plan is never changed, so a
 *    prepared statement can be planned again.
 */
#include <string.h>

#include "arrow/builder.h"
#include "core/alloc.h"
#include "sql/exec/exec.h"
#include "sql/functions/function.h"

#define MAX_RECURSION 100000

static int rewrite(tn_query *q, tn_expr *e, tn_expr **out, tarn_error *err);

/* ---- subqueries ------------------------------------------------------------------------ */

static bool has_subquery(const tn_expr *e)
{
    if (!e)
        return false;
    if (e->kind == TN_EXPR_SUBQUERY)
        return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (has_subquery(e->args[i]))
            return true;
    return false;
}

/* Run a plan to completion; its rows as one batch. */
static int run_subplan(tn_query *q, const tn_plan *p, tn_batch **out, tarn_error *err)
{
    tn_op *op;
    TN_TRY(tn_exec_plan_op(q, p, &op, err));
    tn_batch **items = NULL;
    size_t n = 0;
    int rc = tn_exec_collect(op, &items, &n, err);
    if (rc == TARN_OK)
        rc = tn_exec_concat(op->out, items, n, out, err);
    tn_exec_free_batches(items, n);
    tn_op_free(op);
    return rc;
}

static tn_expr *literal_expr(tn_query *q, tn_scalar *v, const tn_expr *like)
{
    tn_expr *e = tn_expr_literal(&q->pc, v);
    if (e) {
        e->loc = like->loc;
        e->text = like->text;
    }
    return e;
}

static int bool_literal(tn_query *q, bool v, const tn_expr *like, tn_expr **out, tarn_error *err)
{
    tn_scalar *s = tn_scalar_bool(v);
    TN_TRY_ALLOC(s, err, sizeof *s);
    *out = literal_expr(q, s, like);
    TN_TRY_ALLOC(*out, err, sizeof(tn_expr));
    return TARN_OK;
}

/* The distinct values of column 0 as literal expressions. */
static int value_literals(tn_query *q, tn_batch *rows, const tn_expr *like, tn_expr ***out, int32_t *n,
                          tarn_error *err)
{
    *n = 0;
    *out = NULL;
    if (rows->length == 0)
        return TARN_OK;
    if (rows->length > INT32_MAX / 2)
        return tn_error_set(err, TARN_EUNSUPPORTED, "subquery \"%s\" returns too many rows",
                            like->text ? like->text : "?");
    tn_expr **items = tn_arena_calloc(&q->pc.arena, sizeof(tn_expr *) * (size_t)rows->length);
    TN_TRY_ALLOC(items, err, sizeof(tn_expr *) * (size_t)rows->length);
    tn_array *col = rows->columns[0];
    for (int64_t r = 0; r < rows->length; r++) {
        tn_scalar *s;
        TN_TRY(tn_scalar_from_array(col, r, &s, err));
        items[*n] = literal_expr(q, s, like);
        TN_TRY_ALLOC(items[*n], err, sizeof(tn_expr));
        (*n)++;
    }
    *out = items;
    return TARN_OK;
}

/* x cmp ANY (list) is an OR of comparisons; ALL an AND. */
static int quantified(tn_query *q, tn_expr *e, tn_expr *x, tn_expr **vals, int32_t n, tn_expr **out, tarn_error *err)
{
    bool any = e->subquery_kind == TN_SUBQUERY_ANY || e->subquery_kind == TN_SUBQUERY_IN;
    if (n == 0)
        return bool_literal(q, e->subquery_kind == TN_SUBQUERY_IN ? e->negated : !any, e, out, err);
    if (e->subquery_kind == TN_SUBQUERY_IN) {
        tn_expr *in = tn_expr_new(&q->pc, TN_EXPR_IN_LIST, tn_type_ref(e->type), n + 1);
        TN_TRY_ALLOC(in, err, sizeof *in);
        in->negated = e->negated;
        in->loc = e->loc;
        in->text = e->text;
        in->args[0] = x;
        memcpy(in->args + 1, vals, sizeof(tn_expr *) * (size_t)n);
        *out = in;
        return TARN_OK;
    }
    tn_expr *j = tn_expr_new(&q->pc, any ? TN_EXPR_OR : TN_EXPR_AND, tn_type_ref(e->type), n);
    TN_TRY_ALLOC(j, err, sizeof *j);
    j->loc = e->loc;
    j->text = e->text;
    for (int32_t i = 0; i < n; i++) {
        tn_expr *c = tn_expr_new(&q->pc, TN_EXPR_COMPARE, tn_type_ref(e->type), 2);
        TN_TRY_ALLOC(c, err, sizeof *c);
        c->cmp = e->cmp;
        c->loc = e->loc;
        c->text = e->text;
        c->args[0] = x;
        c->args[1] = vals[i];
        j->args[i] = c;
    }
    *out = n == 1 ? j->args[0] : j;
    return TARN_OK;
}

static int run_subquery(tn_query *q, tn_expr *e, tn_expr **out, tarn_error *err)
{
    if (!e->subquery)
        return tn_error_set(err, TARN_EINTERNAL, "subquery without a plan");
    tn_batch *rows;
    TN_TRY(run_subplan(q, e->subquery, &rows, err));
    int rc = TARN_OK;
    switch (e->subquery_kind) {
    case TN_SUBQUERY_EXISTS:
        rc = bool_literal(q, rows->length > 0, e, out, err);
        break;
    case TN_SUBQUERY_SCALAR:
        if (rows->length > 1) {
            rc = tn_error_set(err, TARN_EINVAL, "more than one row returned by a subquery used as an expression: %s",
                              e->text ? e->text : "(subquery)");
            break;
        }
        {
            tn_scalar *s = NULL;
            if (rows->length == 0 || rows->schema->n_fields == 0) {
                s = tn_scalar_null(tn_type_ref(e->type));
                if (!s)
                    rc = tn_error_oom(err, sizeof *s);
            } else {
                rc = tn_scalar_from_array(rows->columns[0], 0, &s, err);
            }
            if (rc == TARN_OK) {
                *out = literal_expr(q, s, e);
                if (!*out)
                    rc = tn_error_oom(err, sizeof(tn_expr));
            }
        }
        break;
    default: {
        tn_expr *x;
        tn_expr **vals;
        int32_t n;
        rc = e->nargs > 0 ? rewrite(q, e->args[0], &x, err)
                          : tn_error_set(err, TARN_EINTERNAL, "IN subquery without its left side");
        if (rc == TARN_OK)
            rc = value_literals(q, rows, e, &vals, &n, err);
        if (rc == TARN_OK)
            rc = quantified(q, e, x, vals, n, out, err);
        break;
    }
    }
    tn_batch_unref(rows);
    return rc;
}

/* e with every uncorrelated subquery replaced by its value (e itself when
 * it has none; otherwise a copy in the query's context). */
static int rewrite(tn_query *q, tn_expr *e, tn_expr **out, tarn_error *err)
{
    if (!has_subquery(e)) {
        *out = e;
        return TARN_OK;
    }
    if (e->kind == TN_EXPR_SUBQUERY)
        return run_subquery(q, e, out, err);
    tn_expr *c = tn_arena_alloc(&q->pc.arena, sizeof *c);
    TN_TRY_ALLOC(c, err, sizeof *c);
    *c = *e;
    c->args = tn_arena_alloc(&q->pc.arena, sizeof(tn_expr *) * (size_t)e->nargs);
    TN_TRY_ALLOC(c->args, err, sizeof(tn_expr *) * (size_t)e->nargs);
    for (int32_t i = 0; i < e->nargs; i++)
        TN_TRY(rewrite(q, e->args[i], &c->args[i], err));
    *out = c;
    return TARN_OK;
}

/* A copy of exprs[0..n) with subqueries run (the same array when none). */
static int rewrite_list(tn_query *q, tn_expr **exprs, int32_t n, tn_expr ***out, tarn_error *err)
{
    bool any = false;
    for (int32_t i = 0; i < n; i++)
        any |= has_subquery(exprs[i]);
    if (!any) {
        *out = exprs;
        return TARN_OK;
    }
    tn_expr **c = tn_arena_alloc(&q->pc.arena, sizeof(tn_expr *) * (size_t)n);
    TN_TRY_ALLOC(c, err, sizeof(tn_expr *) * (size_t)n);
    for (int32_t i = 0; i < n; i++)
        TN_TRY(rewrite(q, exprs[i], &c[i], err));
    *out = c;
    return TARN_OK;
}

/* A node with its expressions rewritten (p itself when none changes). Only
 * the expression kinds every node shares; aggregates and joins included. */
static int rewrite_node(tn_query *q, const tn_plan *p, const tn_plan **out, tarn_error *err)
{
    tn_plan *c = tn_arena_alloc(&q->pc.arena, sizeof *c);
    TN_TRY_ALLOC(c, err, sizeof *c);
    *c = *p;
    bool changed = false;
    if (p->predicate) {
        TN_TRY(rewrite(q, p->predicate, &c->predicate, err));
        changed |= c->predicate != p->predicate;
    }
    if (p->condition) {
        TN_TRY(rewrite(q, p->condition, &c->condition, err));
        changed |= c->condition != p->condition;
    }
#define LIST(f, nf)                                                  \
    if (p->nf) {                                                     \
        TN_TRY(rewrite_list(q, p->f, p->nf, &c->f, err));            \
        changed |= c->f != p->f;                                     \
    }
    LIST(filters, nfilters)
    LIST(exprs, nexprs)
    LIST(groups, ngroups)
    LIST(left_keys, nkeys)
    LIST(right_keys, nkeys)
    LIST(on_exprs, non)
#undef LIST
    if (p->nsort) {
        bool any = false;
        for (int32_t i = 0; i < p->nsort; i++)
            any |= has_subquery(p->sort[i].expr);
        if (any) {
            c->sort = tn_arena_alloc(&q->pc.arena, sizeof(tn_sort_spec) * (size_t)p->nsort);
            TN_TRY_ALLOC(c->sort, err, sizeof(tn_sort_spec));
            for (int32_t i = 0; i < p->nsort; i++) {
                c->sort[i] = p->sort[i];
                TN_TRY(rewrite(q, p->sort[i].expr, &c->sort[i].expr, err));
            }
            changed = true;
        }
    }
    if (p->naggs) {
        bool any = false;
        for (int32_t i = 0; i < p->naggs; i++) {
            any |= has_subquery(p->aggs[i].filter);
            for (int32_t a = 0; a < p->aggs[i].nargs; a++)
                any |= has_subquery(p->aggs[i].args[a]);
        }
        if (any) {
            c->aggs = tn_arena_alloc(&q->pc.arena, sizeof(tn_agg_call) * (size_t)p->naggs);
            TN_TRY_ALLOC(c->aggs, err, sizeof(tn_agg_call));
            for (int32_t i = 0; i < p->naggs; i++) {
                c->aggs[i] = p->aggs[i];
                if (p->aggs[i].filter)
                    TN_TRY(rewrite(q, p->aggs[i].filter, &c->aggs[i].filter, err));
                if (p->aggs[i].nargs)
                    TN_TRY(rewrite_list(q, p->aggs[i].args, p->aggs[i].nargs, &c->aggs[i].args, err));
            }
            changed = true;
        }
    }
    if (p->nrows) {
        bool any = false;
        for (int64_t r = 0; r < p->nrows; r++)
            for (int32_t i = 0; i < p->out->n_fields; i++)
                any |= has_subquery(p->rows[r][i]);
        if (any) {
            c->rows = tn_arena_alloc(&q->pc.arena, sizeof(tn_expr **) * (size_t)p->nrows);
            TN_TRY_ALLOC(c->rows, err, sizeof(tn_expr **));
            for (int64_t r = 0; r < p->nrows; r++)
                TN_TRY(rewrite_list(q, p->rows[r], p->out->n_fields, &c->rows[r], err));
            changed = true;
        }
    }
    *out = changed ? c : p;
    return TARN_OK;
}

/* ---- VALUES ----------------------------------------------------------------------------------- */

static int plan_values(tn_query *q, const tn_plan *p, tn_op **out, tarn_error *err)
{
    int32_t ncols = p->out->n_fields;
    tn_batch *b = tn_batch_new(p->out, p->nrows);
    TN_TRY_ALLOC(b, err, sizeof *b);
    tn_array **cells = p->nrows ? tn_calloc((size_t)p->nrows, sizeof(tn_array *)) : NULL;
    int rc = p->nrows && !cells ? tn_error_oom(err, (size_t)p->nrows * sizeof(tn_array *)) : TARN_OK;
    for (int32_t c = 0; rc == TARN_OK && c < ncols; c++) {
        int64_t done = 0;
        for (; rc == TARN_OK && done < p->nrows; done++) {
            rc = tn_expr_eval(&q->ctx.eval, p->rows[done][c], NULL, NULL, &cells[done], err);
            if (rc == TARN_OK && !tn_type_equals(cells[done]->type, p->out->fields[c].type)) {
                tn_array *cast;
                rc = tn_cast(cells[done], p->out->fields[c].type, TN_CAST_STRICT, &cast, err);
                tn_array_unref(cells[done]);
                cells[done] = rc == TARN_OK ? cast : NULL;
                if (rc)
                    break;
            }
        }
        if (rc == TARN_OK && p->nrows == 0)
            b->columns[c] = tn_array_new_empty(p->out->fields[c].type);
        else if (rc == TARN_OK)
            rc = tn_concatenate(cells, (int32_t)p->nrows, &b->columns[c], err);
        for (int64_t r = 0; r < done && r < p->nrows; r++)
            if (cells[r]) {
                tn_array_unref(cells[r]);
                cells[r] = NULL;
            }
    }
    tn_free(cells);
    if (rc == TARN_OK)
        rc = tn_op_batches_new(&q->ctx, p, p->out, &b, b->length ? 1 : 0, out, err);
    tn_batch_unref(b);
    return rc;
}

/* ---- CTEs ----------------------------------------------------------------------------------------- */

static int cte_rows(tn_query *q, const tn_plan *cte, size_t *slot, tarn_error *err)
{
    for (size_t i = 0; i < q->ncte; i++)
        if (q->cte_plans[i] == cte) {
            *slot = i;
            return TARN_OK;
        }
    if (q->ncte == q->capcte) {
        size_t cap = q->capcte ? q->capcte * 2 : 4;
        const tn_plan **plans = tn_realloc(q->cte_plans, cap * sizeof *plans);
        TN_TRY_ALLOC(plans, err, cap * sizeof *plans);
        q->cte_plans = plans;
        tn_batch ***rows = tn_realloc(q->cte_rows, cap * sizeof *rows);
        TN_TRY_ALLOC(rows, err, cap * sizeof *rows);
        q->cte_rows = rows;
        size_t *nrows = tn_realloc(q->cte_nrows, cap * sizeof *nrows);
        TN_TRY_ALLOC(nrows, err, cap * sizeof *nrows);
        q->cte_nrows = nrows;
        q->capcte = cap;
    }
    tn_op *op;
    TN_TRY(tn_exec_plan_op(q, cte, &op, err));
    tn_batch **items;
    size_t n;
    int rc = tn_exec_collect(op, &items, &n, err);
    tn_op_free(op);
    TN_TRY(rc);
    q->cte_plans[q->ncte] = cte;
    q->cte_rows[q->ncte] = items;
    q->cte_nrows[q->ncte] = n;
    *slot = q->ncte++;
    return TARN_OK;
}

static int plan_cte_scan(tn_query *q, const tn_plan *p, tn_op **out, tarn_error *err)
{
    if (p->recursive_ref)
        return tn_op_recursive_scan_new(&q->ctx, p, q, out, err);
    if (!p->cte)
        return tn_error_set(err, TARN_EINTERNAL, "CTE scan without its CTE");
    size_t slot = 0;
    TN_TRY(cte_rows(q, p->cte, &slot, err));
    return tn_op_batches_new(&q->ctx, p, p->out, q->cte_rows[slot], q->cte_nrows[slot], out, err);
}

static int collect_plan(tn_query *q, const tn_plan *p, tn_batch ***items, size_t *n, tarn_error *err)
{
    tn_op *op;
    TN_TRY(tn_exec_plan_op(q, p, &op, err));
    int rc = tn_exec_collect(op, items, n, err);
    tn_op_free(op);
    return rc;
}

static int append_batches(tn_batch ***all, size_t *n, size_t *cap, tn_batch **items, size_t k, tarn_error *err)
{
    int rc = TARN_OK;
    size_t i = 0;
    for (; rc == TARN_OK && i < k; i++)
        rc = tn_batch_push(all, n, cap, items[i], err);
    for (; i < k; i++)
        tn_batch_unref(items[i]);
    tn_free(items);
    return rc;
}

static int distinct_of(tn_query *q, const tn_plan *like, tn_op *child, tn_op **out, tarn_error *err);
static int semi_join(tn_query *q, const tn_plan *p, tn_op *left, tn_op *right, tn_op **out, tarn_error *err);

/* UNION (not ALL) in a recursive CTE: the distinct rows of `rows` that are
 * not in `seen` (consumes rows). */
static int only_new(tn_query *q, const tn_plan *p, tn_batch **rows, size_t n, tn_batch **seen, size_t nseen,
                    tn_batch ***out, size_t *nout, tarn_error *err)
{
    *out = NULL;
    *nout = 0;
    tn_plan *except = tn_plan_new(&q->pc, TN_PLAN_SETOP, 0);
    if (!except) {
        tn_exec_free_batches(rows, n);
        return tn_error_oom(err, sizeof *except);
    }
    except->setop = TN_SETOP_EXCEPT;
    except->loc = p->loc;
    except->out = p->out;
    tn_op *fresh = NULL, *old = NULL, *dist = NULL, *anti = NULL;
    int rc = tn_op_batches_new(&q->ctx, p, p->out, rows, n, &fresh, err);
    tn_exec_free_batches(rows, n);
    if (rc == TARN_OK)
        rc = tn_op_batches_new(&q->ctx, p, p->out, seen, nseen, &old, err);
    if (rc == TARN_OK) {
        rc = distinct_of(q, p, fresh, &dist, err);
        if (rc == TARN_OK)
            fresh = NULL;
    }
    if (rc == TARN_OK) {
        rc = semi_join(q, except, dist, old, &anti, err);
        if (rc == TARN_OK)
            dist = old = NULL;
    }
    if (rc == TARN_OK)
        rc = tn_exec_collect(anti, out, nout, err);
    tn_op_free(fresh);
    tn_op_free(old);
    tn_op_free(dist);
    tn_op_free(anti);
    return rc;
}

/* anchor, then step over the last iteration's rows until one gives none. */
static int plan_recursive(tn_query *q, const tn_plan *p, tn_op **out, tarn_error *err)
{
    if (q->rec_ref)
        return tn_error_set(err, TARN_EUNSUPPORTED, "nested recursive CTEs are not supported yet");
    tn_batch **all = NULL, **work = NULL;
    size_t nall = 0, capall = 0, nwork = 0;
    int rc = collect_plan(q, p->children[0], &work, &nwork, err);
    if (rc == TARN_OK && !p->all) {
        tn_batch **fresh;
        size_t nfresh;
        rc = only_new(q, p, work, nwork, NULL, 0, &fresh, &nfresh, err);
        work = rc == TARN_OK ? fresh : NULL;
        nwork = rc == TARN_OK ? nfresh : 0;
    }
    for (int iter = 0; rc == TARN_OK && nwork > 0; iter++) {
        if (iter >= MAX_RECURSION) {
            rc = tn_error_set(err, TARN_EINVAL, "recursive CTE did not end after %d iterations", MAX_RECURSION);
            break;
        }
        for (size_t i = 0; rc == TARN_OK && i < nwork; i++)
            rc = tn_batch_push(&all, &nall, &capall, tn_batch_ref(work[i]), err);
        if (rc)
            break;
        q->rec_ref = p;
        q->rec_rows = work;
        q->rec_n = nwork;
        tn_batch **next = NULL;
        size_t nnext = 0;
        rc = collect_plan(q, p->children[1], &next, &nnext, err);
        q->rec_ref = NULL;
        q->rec_rows = NULL;
        q->rec_n = 0;
        tn_exec_free_batches(work, nwork);
        if (rc == TARN_OK && !p->all) {
            tn_batch **fresh;
            size_t nfresh;
            rc = only_new(q, p, next, nnext, all, nall, &fresh, &nfresh, err);
            next = rc == TARN_OK ? fresh : NULL;
            nnext = rc == TARN_OK ? nfresh : 0;
        }
        work = next;
        nwork = nnext;
    }
    tn_exec_free_batches(work, nwork);
    if (rc == TARN_OK)
        rc = tn_op_batches_new(&q->ctx, p, p->out, all, nall, out, err);
    tn_exec_free_batches(all, nall);
    (void)append_batches;
    return rc;
}

/* ---- DISTINCT and set operations ------------------------------------------------------------------ */

static tn_expr **column_refs(tn_query *q, const tn_schema *s)
{
    tn_expr **cols = tn_arena_calloc(&q->pc.arena, sizeof(tn_expr *) * (size_t)(s->n_fields ? s->n_fields : 1));
    if (!cols)
        return NULL;
    for (int32_t i = 0; i < s->n_fields; i++) {
        cols[i] = tn_expr_column(&q->pc, i, tn_type_ref(s->fields[i].type));
        if (!cols[i])
            return NULL;
        cols[i]->text = s->fields[i].name;
    }
    return cols;
}

/* child's distinct rows: an aggregate grouping every column. */
static int distinct_of(tn_query *q, const tn_plan *like, tn_op *child, tn_op **out, tarn_error *err)
{
    tn_plan *agg = tn_plan_new(&q->pc, TN_PLAN_AGGREGATE, 1);
    TN_TRY_ALLOC(agg, err, sizeof *agg);
    agg->children[0] = tn_plan_new(&q->pc, TN_PLAN_VALUES, 0); /* stand-in: the aggregate reads its schema */
    TN_TRY_ALLOC(agg->children[0], err, sizeof *agg);
    agg->children[0]->out = child->out;
    agg->out = child->out;
    agg->loc = like ? like->loc : 0;
    agg->ngroups = child->out->n_fields;
    agg->groups = column_refs(q, child->out);
    TN_TRY_ALLOC(agg->groups, err, sizeof(tn_expr *));
    return tn_op_hash_aggregate_new(&q->ctx, agg, child, out, err);
}

static int semi_join(tn_query *q, const tn_plan *p, tn_op *left, tn_op *right, tn_op **out, tarn_error *err)
{
    tn_plan *j = tn_plan_new(&q->pc, TN_PLAN_JOIN, 2);
    TN_TRY_ALLOC(j, err, sizeof *j);
    /* stand-ins for the inputs: the join reads their schemas */
    for (int i = 0; i < 2; i++) {
        j->children[i] = tn_plan_new(&q->pc, TN_PLAN_VALUES, 0);
        TN_TRY_ALLOC(j->children[i], err, sizeof *j);
        j->children[i]->out = i == 0 ? left->out : right->out;
    }
    j->join = p->setop == TN_SETOP_INTERSECT ? TN_JOIN_SEMI : TN_JOIN_ANTI;
    j->out = left->out;
    j->loc = p->loc;
    j->nkeys = left->out->n_fields;
    j->left_keys = column_refs(q, left->out);
    j->right_keys = column_refs(q, right->out);
    j->null_equal = tn_arena_calloc(&q->pc.arena, (size_t)(j->nkeys ? j->nkeys : 1));
    if (!j->left_keys || !j->right_keys || !j->null_equal)
        return tn_error_oom(err, sizeof(tn_expr *));
    memset(j->null_equal, 1, (size_t)j->nkeys);
    if (j->nkeys == 0)
        return tn_error_set(err, TARN_EUNSUPPORTED, "set operations over zero columns");
    return tn_op_hash_join_new(&q->ctx, j, right, left, out, err);
}

/* child's columns plus "occurrence": row_number() over a partition of
 * every column, so that the k-th copy of a row can meet the k-th copy on
 * the other side (INTERSECT ALL / EXCEPT ALL). */
static int number_copies(tn_query *q, tn_op *child, tn_op **out, tarn_error *err)
{
    const tn_schema *in = child->out;
    int32_t n = in->n_fields;
    tn_plan *w = tn_plan_new(&q->pc, TN_PLAN_WINDOW, 1);
    TN_TRY_ALLOC(w, err, sizeof *w);
    w->children[0] = tn_plan_new(&q->pc, TN_PLAN_VALUES, 0);
    TN_TRY_ALLOC(w->children[0], err, sizeof *w);
    w->children[0]->out = child->out;
    w->windows = tn_arena_calloc(&q->pc.arena, sizeof(tn_window_call));
    TN_TRY_ALLOC(w->windows, err, sizeof(tn_window_call));
    w->nwindows = 1;
    tn_window_call *c = &w->windows[0];
    TN_TRY(tn_window_func_resolve(&q->pc, "row_number", NULL, 0, c, err));
    c->partition = column_refs(q, in);
    TN_TRY_ALLOC(c->partition, err, sizeof(tn_expr *));
    c->npartition = n;
    c->unit = TN_FRAME_ROWS;
    c->start.kind = TN_BOUND_UNBOUNDED_PRECEDING;
    c->end.kind = TN_BOUND_UNBOUNDED_FOLLOWING;
    tn_schema *s = tn_schema_new(n + 1);
    TN_TRY_ALLOC(s, err, sizeof *s);
    int rc = TARN_OK;
    for (int32_t i = 0; rc == TARN_OK && i < n; i++)
        rc = tn_field_copy(&s->fields[i], &in->fields[i], err);
    if (rc == TARN_OK)
        rc = tn_field_init(&s->fields[n], "occurrence", tn_type_ref(c->agg.type), false, err);
    if (rc || !tn_plan_keep_schema(&q->pc, s)) {
        if (!rc)
            return tn_error_oom(err, sizeof *s);
        tn_schema_unref(s);
        return rc;
    }
    w->out = s;
    return tn_op_window_new(&q->ctx, w, child, out, err);
}

/* INTERSECT ALL / EXCEPT ALL: number the copies on both sides, semi / anti
 * join on the columns and the copy number, drop the number. Takes left
 * and right, also on failure. */
static int setop_all(tn_query *q, const tn_plan *p, tn_op *left, tn_op *right, tn_op **out, tarn_error *err)
{
    tn_op *nl = NULL, *nr = NULL, *j = NULL;
    int rc = number_copies(q, left, &nl, err);
    if (rc) {
        tn_op_free(left);
        tn_op_free(right);
        return rc;
    }
    rc = number_copies(q, right, &nr, err);
    if (rc) {
        tn_op_free(nl);
        tn_op_free(right);
        return rc;
    }
    rc = semi_join(q, p, nl, nr, &j, err);
    if (rc) {
        tn_op_free(nl);
        tn_op_free(nr);
        return rc;
    }
    tn_plan *proj = tn_plan_new(&q->pc, TN_PLAN_PROJECT, 0);
    if (proj) {
        proj->out = p->children[0]->out;
        proj->exprs = column_refs(q, proj->out);
        proj->nexprs = proj->out->n_fields;
    }
    rc = proj && proj->exprs ? tn_op_project_new(&q->ctx, proj, proj->exprs, proj->nexprs, j, out, err)
                             : tn_error_oom(err, sizeof *proj);
    if (rc)
        tn_op_free(j);
    return rc;
}

static int plan_children(tn_query *q, const tn_plan *p, tn_op **kids, tarn_error *err)
{
    for (int32_t i = 0; i < p->nchildren; i++) {
        int rc = tn_exec_plan_op(q, p->children[i], &kids[i], err);
        if (rc) {
            for (int32_t j = 0; j < i; j++)
                tn_op_free(kids[j]);
            return rc;
        }
    }
    return TARN_OK;
}

static void free_ops(tn_op **ops, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        tn_op_free(ops[i]);
}

static int plan_setop(tn_query *q, const tn_plan *p, tn_op **out, tarn_error *err)
{
    if (p->nchildren < 1)
        return tn_error_set(err, TARN_EINTERNAL, "set operation without inputs");
    if (p->setop != TN_SETOP_UNION && p->nchildren != 2)
        return tn_error_set(err, TARN_EINTERNAL, "%s of %d inputs",
                            p->setop == TN_SETOP_INTERSECT ? "INTERSECT" : "EXCEPT", (int)p->nchildren);
    tn_op **kids = tn_calloc((size_t)p->nchildren, sizeof(tn_op *));
    TN_TRY_ALLOC(kids, err, (size_t)p->nchildren * sizeof(tn_op *));
    int rc = plan_children(q, p, kids, err);
    if (rc) {
        tn_free(kids);
        return rc;
    }
    tn_op *op = NULL;
    if (p->setop == TN_SETOP_UNION) {
        rc = tn_op_union_new(&q->ctx, p, kids, p->nchildren, &op, err);
        if (rc)
            free_ops(kids, p->nchildren);
    } else if (p->all) {
        rc = setop_all(q, p, kids[0], kids[1], &op, err);
    } else {
        rc = semi_join(q, p, kids[0], kids[1], &op, err);
        if (rc)
            free_ops(kids, 2);
    }
    tn_free(kids);
    TN_TRY(rc);
    if (p->all) {
        *out = op;
        return TARN_OK;
    }
    rc = distinct_of(q, p, op, out, err);
    if (rc)
        tn_op_free(op);
    return rc;
}

/* ---- the rest -------------------------------------------------------------------------------------- */

/* One child planned, then `make` wraps it; the child is freed if make fails. */
#define WRAP_CHILD(call)                                         \
    do {                                                         \
        tn_op *child;                                            \
        TN_TRY(tn_exec_plan_op(q, p->children[0], &child, err)); \
        int rc_ = (call);                                        \
        if (rc_)                                                 \
            tn_op_free(child);                                   \
        return rc_;                                              \
    } while (0)

/* ---- equality keys the optimizer left in an inner join's condition ---------------- */

#define MAX_CONJUNCTS 64

/* The conjuncts of e (AND trees flattened) into items; false when too many. */
static bool conjuncts(tn_expr *e, tn_expr **items, int32_t *n)
{
    if (e->kind == TN_EXPR_AND) {
        for (int32_t i = 0; i < e->nargs; i++)
            if (!conjuncts(e->args[i], items, n))
                return false;
        return true;
    }
    if (*n >= MAX_CONJUNCTS)
        return false;
    items[(*n)++] = e;
    return true;
}

/* `l = r` between a column of the left input and one of the right (either
 * way round): their indexes over left ++ right, left first. */
static bool column_equality(const tn_expr *e, int32_t nl, int32_t *li, int32_t *ri)
{
    if (e->kind != TN_EXPR_COMPARE || e->cmp != TN_CMP_EQ || e->nargs != 2 || e->args[0]->kind != TN_EXPR_COLUMN ||
        e->args[1]->kind != TN_EXPR_COLUMN || !tn_type_equals(e->args[0]->type, e->args[1]->type))
        return false;
    int32_t a = e->args[0]->index, b = e->args[1]->index;
    if (a < nl && b >= nl) {
        *li = a, *ri = b;
        return true;
    }
    if (b < nl && a >= nl) {
        *li = b, *ri = a;
        return true;
    }
    return false;
}

/* Whether every disjunct of `or` has the column equality li = ri among its
 * conjuncts: then the OR implies it (TPC-H Q19's p_partkey = l_partkey). */
static bool implied_by_or(const tn_expr *or, int32_t nl, int32_t li, int32_t ri)
{
    for (int32_t d = 0; d < or->nargs; d++) {
        tn_expr *items[MAX_CONJUNCTS];
        int32_t n = 0;
        if (!conjuncts(or->args[d], items, &n))
            return false;
        bool found = false;
        for (int32_t i = 0; i < n && !found; i++) {
            int32_t a, b;
            found = column_equality(items[i], nl, &a, &b) && a == li && b == ri;
        }
        if (!found)
            return false;
    }
    return or->nargs > 0;
}

/* An inner join without keys whose condition has column equalities (at the
 * top, or in every branch of an OR) gets them as hash keys: a copy of the
 * node in the query's context (p itself when there is none). */
static int find_join_keys(tn_query *q, const tn_plan *p, const tn_plan **out, tarn_error *err)
{
    *out = p;
    if (p->join != TN_JOIN_INNER || p->nkeys > 0 || !p->condition || p->nchildren != 2)
        return TARN_OK;
    int32_t nl = p->children[0]->out->n_fields;
    tn_expr *items[MAX_CONJUNCTS];
    int32_t n = 0;
    if (!conjuncts(p->condition, items, &n))
        return TARN_OK;
    int32_t lk[MAX_CONJUNCTS], rk[MAX_CONJUNCTS], nk = 0;
    bool used[MAX_CONJUNCTS] = {0};
    for (int32_t i = 0; i < n; i++) {
        int32_t a, b;
        if (column_equality(items[i], nl, &a, &b)) {
            lk[nk] = a, rk[nk++] = b;
            used[i] = true;
        }
    }
    for (int32_t i = 0; i < n && nk < MAX_CONJUNCTS; i++) {
        if (items[i]->kind != TN_EXPR_OR || items[i]->nargs == 0)
            continue;
        /* candidates: the equalities of the first branch */
        tn_expr *first[MAX_CONJUNCTS];
        int32_t nf = 0;
        if (!conjuncts(items[i]->args[0], first, &nf))
            continue;
        for (int32_t f = 0; f < nf && nk < MAX_CONJUNCTS; f++) {
            int32_t a, b;
            if (column_equality(first[f], nl, &a, &b) && implied_by_or(items[i], nl, a, b))
                lk[nk] = a, rk[nk++] = b; /* the OR stays: it is still the condition */
        }
    }
    if (nk == 0)
        return TARN_OK;
    tn_plan *c = tn_arena_alloc(&q->pc.arena, sizeof *c);
    TN_TRY_ALLOC(c, err, sizeof *c);
    *c = *p;
    c->nkeys = nk;
    c->left_keys = tn_arena_calloc(&q->pc.arena, sizeof(tn_expr *) * (size_t)nk);
    c->right_keys = tn_arena_calloc(&q->pc.arena, sizeof(tn_expr *) * (size_t)nk);
    c->null_equal = tn_arena_calloc(&q->pc.arena, (size_t)nk);
    if (!c->left_keys || !c->right_keys || !c->null_equal)
        return tn_error_oom(err, sizeof(tn_expr *) * (size_t)nk);
    const tn_schema *ls = p->children[0]->out, *rs = p->children[1]->out;
    for (int32_t k = 0; k < nk; k++) {
        c->left_keys[k] = tn_expr_column(&q->pc, lk[k], tn_type_ref(ls->fields[lk[k]].type));
        c->right_keys[k] = tn_expr_column(&q->pc, rk[k] - nl, tn_type_ref(rs->fields[rk[k] - nl].type));
        if (!c->left_keys[k] || !c->right_keys[k])
            return tn_error_oom(err, sizeof(tn_expr));
        c->left_keys[k]->text = ls->fields[lk[k]].name;
        c->right_keys[k]->text = rs->fields[rk[k] - nl].name;
    }
    /* the rest of the condition: the conjuncts that did not become keys */
    int32_t nrest = 0;
    for (int32_t i = 0; i < n; i++)
        nrest += !used[i];
    if (nrest == 0) {
        c->condition = NULL;
    } else if (nrest == 1) {
        for (int32_t i = 0; i < n; i++)
            if (!used[i])
                c->condition = items[i];
    } else {
        tn_expr *and = tn_expr_new(&q->pc, TN_EXPR_AND, tn_type_ref(p->condition->type), nrest);
        TN_TRY_ALLOC(and, err, sizeof *and);
        and->text = p->condition->text;
        and->loc = p->condition->loc;
        for (int32_t i = 0, j = 0; i < n; i++)
            if (!used[i])
                and->args[j++] = items[i];
        c->condition = and;
    }
    *out = c;
    return TARN_OK;
}

static int plan_join(tn_query *q, const tn_plan *p0, tn_op **out, tarn_error *err)
{
    const tn_plan *p;
    TN_TRY(find_join_keys(q, p0, &p, err));
    tn_op *kids[2];
    TN_TRY(plan_children(q, p, kids, err));
    int rc = p->nkeys > 0 ? tn_op_hash_join_new(&q->ctx, p, kids[1], kids[0], out, err)
                          : tn_op_nested_loop_join_new(&q->ctx, p, kids[0], kids[1], out, err);
    if (rc)
        free_ops(kids, 2);
    else if (p->nkeys > 0)
        tn_exec_scan_join_filters(*out); /* the probe-side scan skips what the build side rules out */
    return rc;
}

static int plan_limit(tn_query *q, const tn_plan *p, tn_op **out, tarn_error *err)
{
    const tn_plan *c = p->children[0];
    if (c->kind == TN_PLAN_SORT && p->limit >= 0) {
        const tn_plan *cc;
        TN_TRY(rewrite_node(q, c, &cc, err));
        tn_op *input, *top;
        TN_TRY(tn_exec_plan_op(q, cc->children[0], &input, err));
        int rc = tn_op_sort_new(&q->ctx, cc, cc->sort, cc->nsort, p->limit + p->offset, input, &top, err);
        if (rc) {
            tn_op_free(input);
            return rc;
        }
        rc = tn_op_limit_new(&q->ctx, p, p->limit, p->offset, top, out, err);
        if (rc)
            tn_op_free(top);
        return rc;
    }
    /* the first rows of the table, not of whichever partition comes first */
    WRAP_CHILD((tn_exec_scan_in_order(child), tn_op_limit_new(&q->ctx, p, p->limit, p->offset, child, out, err)));
}

static int plan_explain(tn_query *q, const tn_plan *p, tn_op **out, tarn_error *err)
{
    tn_op *child;
    TN_TRY(tn_exec_plan_op(q, p->children[0], &child, err));
    int rc = TARN_OK;
    bool analyze = p->analyze;
    if (analyze) {
        bool was = q->ctx.analyze;
        q->ctx.analyze = true;
        tn_batch **items;
        size_t n;
        rc = tn_exec_collect(child, &items, &n, err);
        q->ctx.analyze = was;
        if (rc == TARN_OK)
            tn_exec_free_batches(items, n);
    }
    tn_buf text;
    tn_buf_init(&text, 0);
    if (rc == TARN_OK)
        rc = tn_exec_explain(child, analyze, &text, err);
    tn_op_free(child);
    tn_builder *b = NULL;
    tn_array *a = NULL;
    if (rc == TARN_OK && (p->out->n_fields != 1 || !tn_type_is_string(p->out->fields[0].type->id)))
        rc = tn_error_set(err, TARN_EINTERNAL, "EXPLAIN must give one text column");
    if (rc == TARN_OK) {
        b = tn_builder_new(p->out->fields[0].type);
        if (!b)
            rc = tn_error_oom(err, sizeof(void *));
    }
    if (rc == TARN_OK)
        rc = tn_builder_append_bytes(b, text.data, (int64_t)text.len, err);
    if (rc == TARN_OK)
        rc = tn_builder_finish(b, &a, err);
    tn_builder_free(b);
    tn_buf_reset(&text);
    TN_TRY(rc);
    tn_batch *batch;
    rc = tn_exec_batch_of(p->out, 1, &a, &batch, err);
    tn_array_unref(a);
    TN_TRY(rc);
    rc = tn_op_batches_new(&q->ctx, p, p->out, &batch, 1, out, err);
    tn_batch_unref(batch);
    return rc;
}

int tn_exec_plan_op(tn_query *q, const tn_plan *p0, tn_op **out, tarn_error *err)
{
    *out = NULL;
    if (q->ctx.cancel && tn_cancel_fired(q->ctx.cancel))
        return tn_error_set(err, TARN_ECANCELLED, "the query was cancelled");
    const tn_plan *p;
    TN_TRY(rewrite_node(q, p0, &p, err));
    tn_exec_ctx *ctx = &q->ctx;
    switch (p->kind) {
    case TN_PLAN_SCAN:
        return tn_op_scan_new(ctx, p, p->filters, out, err);
    case TN_PLAN_VALUES:
        return plan_values(q, p, out, err);
    case TN_PLAN_FILTER:
        WRAP_CHILD(tn_op_filter_new(ctx, p, p->predicate, child, out, err));
    case TN_PLAN_PROJECT:
        WRAP_CHILD(tn_op_project_new(ctx, p, p->exprs, p->nexprs, child, out, err));
    case TN_PLAN_AGGREGATE:
        WRAP_CHILD(tn_op_hash_aggregate_new(ctx, p, child, out, err));
    case TN_PLAN_WINDOW:
        WRAP_CHILD(tn_op_window_new(ctx, p, child, out, err));
    case TN_PLAN_JOIN:
        return plan_join(q, p, out, err);
    case TN_PLAN_SORT:
        WRAP_CHILD(tn_op_sort_new(ctx, p, p->sort, p->nsort, -1, child, out, err));
    case TN_PLAN_LIMIT:
        return plan_limit(q, p, out, err);
    case TN_PLAN_DISTINCT:
        if (p->non)
            return tn_error_set(err, TARN_EUNSUPPORTED, "DISTINCT ON is not supported yet");
        WRAP_CHILD(distinct_of(q, p, child, out, err));
    case TN_PLAN_SETOP:
        return plan_setop(q, p, out, err);
    case TN_PLAN_CTE_SCAN:
        return plan_cte_scan(q, p, out, err);
    case TN_PLAN_RECURSIVE_CTE:
        return plan_recursive(q, p, out, err);
    case TN_PLAN_INSERT:
        WRAP_CHILD(tn_op_insert_new(ctx, p, p->table, child, out, err));
    case TN_PLAN_CREATE_TABLE_AS:
        WRAP_CHILD(tn_op_create_table_new(ctx, p, q->catalog, child, out, err));
    case TN_PLAN_COPY_TO:
        WRAP_CHILD(tn_op_copy_new(ctx, p, child, out, err));
    case TN_PLAN_EXPLAIN:
        return plan_explain(q, p, out, err);
    }
    return tn_error_set(err, TARN_EINTERNAL, "plan node of kind %d", (int)p->kind);
}

/* ---- EXPLAIN ------------------------------------------------------------------------------------------ */

static int explain_op(const tn_op *op, int depth, bool analyze, tn_buf *out, tarn_error *err)
{
    for (int i = 0; i < depth; i++)
        TN_TRY(tn_buf_append_str(out, "  ", err));
    TN_TRY(tn_buf_append_str(out, op->vt->name, err));
    if (op->vt->explain) {
        size_t before = out->len;
        TN_TRY(tn_buf_append_str(out, " ", err));
        size_t mark = out->len;
        TN_TRY(op->vt->explain((tn_op *)op, out, err));
        if (out->len == mark)
            out->len = before;
    }
    if (analyze) {
        const tn_op_metrics *m = &op->metrics;
        TN_TRY(tn_buf_printf(out, err, "  [rows: %lld, time: %.3f ms", (long long)atomic_load(&m->rows_out),
                             (double)atomic_load(&m->nanos) / 1e6));
        if (atomic_load(&m->peak_bytes))
            TN_TRY(tn_buf_printf(out, err, ", memory: %lld", (long long)atomic_load(&m->peak_bytes)));
        if (atomic_load(&m->spilled_bytes))
            TN_TRY(tn_buf_printf(out, err, ", spilled: %lld", (long long)atomic_load(&m->spilled_bytes)));
        if (atomic_load(&m->row_groups_pruned) || atomic_load(&m->files_pruned))
            TN_TRY(tn_buf_printf(out, err, ", pruned: %lld files, %lld row groups",
                                 (long long)atomic_load(&m->files_pruned),
                                 (long long)atomic_load(&m->row_groups_pruned)));
        TN_TRY(tn_buf_append_str(out, "]", err));
    }
    TN_TRY(tn_buf_append_str(out, "\n", err));
    for (int32_t i = 0; i < op->nchildren; i++)
        TN_TRY(explain_op(op->children[i], depth + 1, analyze, out, err));
    return TARN_OK;
}

int tn_exec_explain(const tn_op *root, bool analyze, tn_buf *out, tarn_error *err)
{
    return explain_op(root, 0, analyze, out, err);
}

/* ---- queries ------------------------------------------------------------------------------------------- */

int tn_query_new(const tn_plan *plan, const tn_exec_ctx *base, tn_catalog *catalog, tn_query **out, tarn_error *err)
{
    tn_query *q = tn_calloc(1, sizeof *q);
    TN_TRY_ALLOC(q, err, sizeof *q);
    tn_plan_ctx_init(&q->pc);
    if (base)
        q->ctx = *base;
    if (q->ctx.batch_rows <= 0)
        q->ctx.batch_rows = 8192;
    q->catalog = catalog;
    int rc = tn_exec_plan_op(q, plan, &q->root, err);
    if (rc) {
        tn_query_free(q);
        return rc;
    }
    *out = q;
    return TARN_OK;
}

int tn_query_run(tn_query *q, tn_reader **out, tarn_error *err)
{
    tn_batch **items;
    size_t n;
    TN_TRY(tn_exec_collect(q->root, &items, &n, err));
    /* the root's names on every batch (a union's children carry their own) */
    int rc = TARN_OK;
    for (size_t i = 0; rc == TARN_OK && i < n; i++) {
        if (items[i]->schema == q->root->out)
            continue;
        tn_batch *b;
        rc = tn_exec_batch_of(q->root->out, items[i]->length, items[i]->columns, &b, err);
        if (rc == TARN_OK) {
            tn_batch_unref(items[i]);
            items[i] = b;
        }
    }
    tn_reader *r = rc == TARN_OK ? tn_reader_from_batches(q->root->out, items, (int64_t)n) : NULL;
    if (rc == TARN_OK && !r)
        rc = tn_error_oom(err, sizeof(tn_reader));
    tn_exec_free_batches(items, n);
    TN_TRY(rc);
    *out = r;
    return TARN_OK;
}

void tn_query_free(tn_query *q)
{
    if (!q)
        return;
    tn_op_free(q->root);
    for (size_t i = 0; i < q->ncte; i++)
        tn_exec_free_batches(q->cte_rows[i], q->cte_nrows[i]);
    tn_free(q->cte_plans);
    tn_free(q->cte_rows);
    tn_free(q->cte_nrows);
    tn_free(q->cte_schemas);
    tn_plan_ctx_free(&q->pc);
    tn_free(q);
}
