/*
 * rule_simplify.c — boolean simplification of FILTER predicates and join
 * conditions: TRUE conjuncts disappear, a FALSE conjunct makes the whole
 * AND false, NOT NOT x is x; constant subexpressions are folded to
 * literals through the evaluator (sql/expr/eval.h).
 */
#include "sql/optimizer/optimizer_int.h"

#include "sql/expr/eval.h"

static bool is_bool_lit(const tn_expr *e, bool v)
{
    return e && e->kind == TN_EXPR_LITERAL && e->value->is_valid && e->type->id == TN_BOOL && e->value->v.b == v;
}

/* Fold constant subtrees (no columns, parameters, subqueries or volatile
 * calls) into literals. Evaluation errors (1/0) leave the tree alone so
 * that the error surfaces at run time, on the rows that reach it. */
static int fold(tn_opt *o, tn_expr **pe)
{
    tn_expr *e = *pe;
    if (!e || e->kind == TN_EXPR_LITERAL || e->kind == TN_EXPR_COLUMN || e->kind == TN_EXPR_SUBQUERY)
        return 0;
    if (tn_expr_is_constant(e) && !tn_expr_has_subquery(e)) {
        tn_eval_ctx ec = {0};
        tn_scalar *s = NULL;
        tarn_error err2;
        tarn_error_init(&err2);
        int rc = tn_expr_eval_constant(&ec, e, &s, &err2);
        if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT)
            return tn_opt_oom(o);
        if (rc == 0 && s) {
            tn_expr *l = tn_expr_literal(o->ctx, s);
            if (!l)
                return tn_opt_oom(o);
            l->loc = e->loc;
            l->text = e->text;
            *pe = l;
        }
        return 0;
    }
    for (int32_t i = 0; i < e->nargs; i++)
        TN_TRY(fold(o, &e->args[i]));
    return 0;
}

static int simplify_pred(tn_opt *o, tn_expr **pe)
{
    TN_TRY(fold(o, pe));
    tn_expr *e = *pe;
    if (!e)
        return 0;
    if (e->kind == TN_EXPR_NOT && e->args[0]->kind == TN_EXPR_NOT) {
        *pe = e->args[0]->args[0];
        return simplify_pred(o, pe);
    }
    if (e->kind != TN_EXPR_AND)
        return 0;
    int32_t n = 0;
    for (int32_t i = 0; i < e->nargs; i++) {
        TN_TRY(simplify_pred(o, &e->args[i]));
        if (is_bool_lit(e->args[i], false)) {
            *pe = e->args[i];
            return 0;
        }
        if (!is_bool_lit(e->args[i], true))
            e->args[n++] = e->args[i];
    }
    e->nargs = n;
    if (n == 0)
        *pe = tn_expr_bool(o->ctx, true);
    else if (n == 1)
        *pe = e->args[0];
    return *pe ? 0 : tn_opt_oom(o);
}

int tn_rule_simplify(tn_opt *o, tn_plan **plan)
{
    tn_plan *p = *plan;
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(tn_rule_simplify(o, &p->children[i]));
    if (p->kind == TN_PLAN_FILTER) {
        TN_TRY(simplify_pred(o, &p->predicate));
        if (is_bool_lit(p->predicate, true))
            *plan = p->children[0];
    } else if (p->kind == TN_PLAN_JOIN && p->condition) {
        TN_TRY(simplify_pred(o, &p->condition));
        if (is_bool_lit(p->condition, true))
            p->condition = NULL;
    } else if (p->kind == TN_PLAN_PROJECT) {
        for (int32_t i = 0; i < p->nexprs; i++)
            TN_TRY(fold(o, &p->exprs[i]));
    }
    return 0;
}
