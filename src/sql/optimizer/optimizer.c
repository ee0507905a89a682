/*
 * optimizer.c — the driver: runs the rules of optimizer.h in order, and
 * the whole pipeline on every subquery plan still held by an expression.
 */
#include "sql/optimizer/optimizer_int.h"

#include <string.h>

int tn_opt_oom(tn_opt *o) { return tn_error_oom(o->err, 0); }

tn_plan *tn_opt_filter(tn_opt *o, tn_plan *child, tn_expr *const *preds, int32_t n)
{
    if (n == 0)
        return child;
    tn_plan *f = tn_plan_new(o->ctx, TN_PLAN_FILTER, 1);
    if (!f)
        return NULL;
    f->children[0] = child;
    f->out = child->out;
    f->loc = child->loc;
    if (!(f->predicate = tn_expr_and_of(o->ctx, preds, n)))
        return NULL;
    double r = tn_opt_rows(child);
    f->est_rows = r * 0.3;
    return f;
}

double tn_opt_rows(const tn_plan *p)
{
    if (p->est_rows >= 0)
        return p->est_rows;
    switch (p->kind) {
    case TN_PLAN_SCAN: return 1e6 * (p->nfilters ? 0.3 : 1.0);
    case TN_PLAN_VALUES: return (double)p->nrows;
    case TN_PLAN_FILTER: return tn_opt_rows(p->children[0]) * 0.3;
    case TN_PLAN_AGGREGATE: return p->ngroups ? tn_opt_rows(p->children[0]) * 0.5 : 1;
    case TN_PLAN_LIMIT: {
        double c = tn_opt_rows(p->children[0]);
        return p->limit >= 0 && (double)p->limit < c ? (double)p->limit : c;
    }
    case TN_PLAN_JOIN: {
        double l = tn_opt_rows(p->children[0]), r = tn_opt_rows(p->children[1]);
        if (p->join == TN_JOIN_CROSS)
            return l * r;
        if (p->join == TN_JOIN_SEMI || p->join == TN_JOIN_ANTI || p->join == TN_JOIN_MARK ||
            p->join == TN_JOIN_SINGLE || p->join == TN_JOIN_LEFT)
            return l;
        return l > r ? l : r;
    }
    default: return p->nchildren ? tn_opt_rows(p->children[0]) : 1000;
    }
}

static int optimize(tn_opt *o, tn_plan **plan);

/* Optimize subquery plans inside an expression. */
static int sub_expr(tn_opt *o, tn_expr *e)
{
    if (!e)
        return 0;
    if (e->kind == TN_EXPR_SUBQUERY && !tn_plan_has_outer(e->subquery, 1))
        TN_TRY(optimize(o, &e->subquery));
    for (int32_t i = 0; i < e->nargs; i++)
        TN_TRY(sub_expr(o, e->args[i]));
    return 0;
}

static int sub_plans(tn_opt *o, tn_plan *p)
{
    TN_TRY(sub_expr(o, p->predicate));
    TN_TRY(sub_expr(o, p->condition));
    for (int32_t i = 0; i < p->nexprs; i++)
        TN_TRY(sub_expr(o, p->exprs[i]));
    for (int32_t i = 0; i < p->nfilters; i++)
        TN_TRY(sub_expr(o, p->filters[i]));
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(sub_plans(o, p->children[i]));
    return 0;
}

static int optimize(tn_opt *o, tn_plan **plan)
{
    const tn_optimize_options *op = o->o;
    if (!op->no_decorrelate)
        TN_TRY(tn_rule_decorrelate(o, plan));
    if (!op->no_simplify)
        TN_TRY(tn_rule_simplify(o, plan));
    if (!op->no_or_filters)
        TN_TRY(tn_rule_or_filters(o, plan));
    if (!op->no_filter_pushdown)
        TN_TRY(tn_rule_filter_pushdown(o, plan));
    if (!op->no_join_order)
        TN_TRY(tn_rule_join_order(o, plan));
    if (!op->no_join_keys)
        TN_TRY(tn_rule_join_keys(o, plan));
    if (!op->no_projection)
        TN_TRY(tn_rule_projection(o, plan));
    if (!op->no_projection)
        TN_TRY(tn_rule_merge_projections(o, plan));
    if (!op->no_limit)
        TN_TRY(tn_rule_limit(o, plan));
    TN_TRY(tn_rule_operator_inputs(o, plan)); /* always: the operators rely on it */
    return sub_plans(o, *plan);
}

int tn_optimize(tn_plan_ctx *ctx, const tn_optimize_options *opts, tn_plan **plan, tarn_error *err)
{
    tn_optimize_options none;
    memset(&none, 0, sizeof none);
    tn_opt o = {ctx, opts ? opts : &none, err};
    return optimize(&o, plan);
}
