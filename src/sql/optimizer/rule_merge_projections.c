/*
 * rule_merge_projections.c — a PROJECT over a PROJECT becomes one when
 * that computes nothing twice: the lower one only picks columns (the
 * upper one's column references are remapped through it), or the upper
 * one only picks columns (it takes the lower one's expressions).
 */
#include "sql/optimizer/optimizer_int.h"

static bool only_columns(const tn_plan *p)
{
    for (int32_t i = 0; i < p->nexprs; i++)
        if (p->exprs[i]->kind != TN_EXPR_COLUMN || p->exprs[i]->depth != 0)
            return false;
    return true;
}

static int merge(tn_opt *o, tn_plan *up)
{
    tn_plan *low = up->children[0];
    if (only_columns(low)) {
        int32_t *map = tn_arena_alloc(&o->ctx->arena, sizeof *map * (size_t)(low->nexprs + 1));
        if (!map)
            return tn_opt_oom(o);
        for (int32_t i = 0; i < low->nexprs; i++)
            map[i] = low->exprs[i]->index;
        for (int32_t i = 0; i < up->nexprs; i++)
            tn_expr_remap(up->exprs[i], map);
        up->children[0] = low->children[0];
        return 1;
    }
    if (only_columns(up)) {
        tn_expr **exprs = tn_arena_alloc(&o->ctx->arena, sizeof *exprs * (size_t)(up->nexprs + 1));
        if (!exprs)
            return tn_opt_oom(o);
        for (int32_t i = 0; i < up->nexprs; i++)
            if (!(exprs[i] = tn_expr_copy(o->ctx, low->exprs[up->exprs[i]->index])))
                return tn_opt_oom(o);
        up->exprs = exprs;
        up->children[0] = low->children[0];
        return 1;
    }
    return 0;
}

int tn_rule_merge_projections(tn_opt *o, tn_plan **plan)
{
    tn_plan *p = *plan;
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(tn_rule_merge_projections(o, &p->children[i]));
    while (p->kind == TN_PLAN_PROJECT && p->children[0]->kind == TN_PLAN_PROJECT) {
        int rc = merge(o, p);
        if (rc == 0)
            break;
        if (rc != 1)
            return rc;
    }
    return 0;
}
