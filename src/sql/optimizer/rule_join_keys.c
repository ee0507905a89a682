/*
 * rule_join_keys.c — split every join condition into equality keys
 * (left_keys[i] over the left's columns = right_keys[i] over the right's)
 * and the rest: `l = r` and `l IS NOT DISTINCT FROM r` (null_equal) where
 * one side reads only left columns and the other only right columns.
 */
#include "sql/optimizer/optimizer_int.h"

#include <string.h>

static int split(tn_opt *o, tn_plan *j)
{
    int32_t nl = j->children[0]->out->n_fields;
    tn_expr **list = NULL;
    int32_t n = 0, cap = 0;
    if (tn_expr_conjuncts(o->ctx, j->condition, &list, &n, &cap))
        return tn_opt_oom(o);
    int32_t total = j->nkeys + n;
    tn_expr **lk = tn_arena_alloc(&o->ctx->arena, sizeof *lk * (size_t)(total + 1));
    tn_expr **rk = tn_arena_alloc(&o->ctx->arena, sizeof *rk * (size_t)(total + 1));
    bool *ne = tn_arena_calloc(&o->ctx->arena, sizeof *ne * (size_t)(total + 1));
    tn_expr **rest = tn_arena_alloc(&o->ctx->arena, sizeof *rest * (size_t)(n + 1));
    if (!lk || !rk || !ne || !rest)
        return tn_opt_oom(o);
    int32_t nk = 0, nrest = 0;
    for (int32_t i = 0; i < j->nkeys; i++, nk++) {
        lk[nk] = j->left_keys[i];
        rk[nk] = j->right_keys[i];
        ne[nk] = j->null_equal ? j->null_equal[i] : false;
    }
    for (int32_t i = 0; i < n; i++) {
        tn_expr *e = list[i];
        bool eq = (e->kind == TN_EXPR_COMPARE && e->cmp == TN_CMP_EQ) || (e->kind == TN_EXPR_IS_DISTINCT && e->negated);
        if (eq && !tn_expr_has_subquery(e)) {
            int32_t llo, lhi, rlo, rhi;
            tn_expr_column_range(e->args[0], &llo, &lhi);
            tn_expr_column_range(e->args[1], &rlo, &rhi);
            tn_expr *l = NULL, *r = NULL;
            if (lhi >= 0 && rhi >= 0 && lhi < nl && rlo >= nl) {
                l = e->args[0];
                r = e->args[1];
            } else if (lhi >= 0 && rhi >= 0 && rhi < nl && llo >= nl) {
                l = e->args[1];
                r = e->args[0];
            }
            if (l) {
                tn_expr_shift(r, 0, -nl);
                lk[nk] = l;
                rk[nk] = r;
                ne[nk++] = e->kind == TN_EXPR_IS_DISTINCT;
                continue;
            }
        }
        rest[nrest++] = e;
    }
    j->left_keys = lk;
    j->right_keys = rk;
    j->null_equal = ne;
    j->nkeys = nk;
    j->condition = tn_expr_and_of(o->ctx, rest, nrest);
    if (nrest && !j->condition)
        return tn_opt_oom(o);
    if (j->join == TN_JOIN_CROSS && nk)
        j->join = TN_JOIN_INNER;
    return 0;
}

int tn_rule_join_keys(tn_opt *o, tn_plan **plan)
{
    tn_plan *p = *plan;
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(tn_rule_join_keys(o, &p->children[i]));
    if (p->kind == TN_PLAN_JOIN && p->condition)
        return split(o, p);
    return 0;
}
