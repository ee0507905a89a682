/*
 * rule_filter_pushdown.c — move conjuncts as close to the scans as they
 * can go: FILTERs dissolve into a list of conjuncts carried down; through
 * PROJECT (columns substituted by the projected expressions), SORT,
 * DISTINCT and UNION (a copy per input); through AGGREGATE when they read
 * only group columns; into the sides of INNER / CROSS joins (and the
 * preserved side of LEFT / RIGHT / SEMI / ANTI / MARK / SINGLE joins),
 * conjuncts reading both sides becoming the join condition (a CROSS join
 * with one becomes INNER); and finally into SCAN filters. Conjuncts with a
 * correlated subquery stay where they are.
 */
#include "sql/optimizer/optimizer_int.h"

#include <limits.h>
#include <string.h>

typedef struct preds {
    tn_expr **items;
    int32_t n, cap;
} preds;

static int add(tn_opt *o, preds *p, tn_expr *e) { return tn_expr_conjuncts(o->ctx, e, &p->items, &p->n, &p->cap) ? tn_opt_oom(o) : 0; }

static int push(tn_opt *o, tn_plan **slot, preds *in);

/* Keep `rest` as a FILTER over *slot. */
static int above(tn_opt *o, tn_plan **slot, preds *rest)
{
    if (rest->n == 0)
        return 0;
    tn_plan *f = tn_opt_filter(o, *slot, rest->items, rest->n);
    if (!f)
        return tn_opt_oom(o);
    *slot = f;
    return 0;
}

static bool movable(const tn_expr *e) { return !tn_expr_has_outer(e); }

/* Substitute COLUMN i by a copy of exprs[i]; NULL on no memory. */
static tn_expr *substitute(tn_opt *o, const tn_expr *e, tn_expr *const *exprs)
{
    if (e->kind == TN_EXPR_COLUMN && e->depth == 0)
        return tn_expr_copy(o->ctx, exprs[e->index]);
    tn_expr *c = tn_arena_alloc(&o->ctx->arena, sizeof *c);
    if (!c)
        return NULL;
    *c = *e;
    if (e->nargs) {
        c->args = tn_arena_alloc(&o->ctx->arena, sizeof *c->args * (size_t)e->nargs);
        if (!c->args)
            return NULL;
        for (int32_t i = 0; i < e->nargs; i++)
            if (!(c->args[i] = substitute(o, e->args[i], exprs)))
                return NULL;
    }
    return c;
}

static int push_children(tn_opt *o, tn_plan *p)
{
    for (int32_t i = 0; i < p->nchildren; i++) {
        preds none = {0};
        TN_TRY(push(o, &p->children[i], &none));
    }
    return 0;
}

static int push_join(tn_opt *o, tn_plan **slot, preds *in)
{
    tn_plan *j = *slot;
    int32_t nl = j->children[0]->out->n_fields;
    tn_join_kind k = j->join;
    preds left = {0}, right = {0}, cond = {0}, rest = {0};
    bool inner = k == TN_JOIN_INNER || k == TN_JOIN_CROSS;
    /* conjuncts from above */
    for (int32_t i = 0; i < in->n; i++) {
        tn_expr *e = in->items[i];
        int32_t lo, hi;
        tn_expr_column_range(e, &lo, &hi);
        bool left_only = hi < nl, right_only = lo >= nl && hi >= 0;
        if (!movable(e) || (k == TN_JOIN_MARK && hi >= nl))
            TN_TRY(add(o, &rest, e));
        else if (left_only && (inner || k == TN_JOIN_LEFT || k == TN_JOIN_SEMI || k == TN_JOIN_ANTI ||
                               k == TN_JOIN_MARK || k == TN_JOIN_SINGLE))
            TN_TRY(add(o, &left, e));
        else if (right_only && (inner || k == TN_JOIN_RIGHT)) {
            tn_expr_shift(e, 0, -nl);
            TN_TRY(add(o, &right, e));
        } else if (inner && hi >= 0)
            TN_TRY(add(o, &cond, e));
        else
            TN_TRY(add(o, &rest, e));
    }
    /* the join's own condition */
    tn_expr **own = NULL;
    int32_t nown = 0, capown = 0;
    if (tn_expr_conjuncts(o->ctx, j->condition, &own, &nown, &capown))
        return tn_opt_oom(o);
    for (int32_t i = 0; i < nown; i++) {
        tn_expr *e = own[i];
        int32_t lo, hi;
        tn_expr_column_range(e, &lo, &hi);
        bool left_only = hi < nl && hi >= 0, right_only = lo >= nl && hi >= 0;
        if (!movable(e))
            TN_TRY(add(o, &cond, e));
        else if (left_only && (inner || k == TN_JOIN_RIGHT))
            TN_TRY(add(o, &left, e));
        else if (right_only && (inner || k == TN_JOIN_LEFT || k == TN_JOIN_SEMI || k == TN_JOIN_ANTI ||
                                k == TN_JOIN_MARK || k == TN_JOIN_SINGLE)) {
            tn_expr_shift(e, 0, -nl);
            TN_TRY(add(o, &right, e));
        } else
            TN_TRY(add(o, &cond, e));
    }
    j->condition = tn_expr_and_of(o->ctx, cond.items, cond.n);
    if (cond.n && !j->condition)
        return tn_opt_oom(o);
    if (k == TN_JOIN_CROSS && cond.n)
        j->join = TN_JOIN_INNER;
    if (k == TN_JOIN_INNER && cond.n == 0 && j->nkeys == 0)
        j->join = TN_JOIN_CROSS;
    TN_TRY(push(o, &j->children[0], &left));
    TN_TRY(push(o, &j->children[1], &right));
    return above(o, slot, &rest);
}

static int push_aggregate(tn_opt *o, tn_plan **slot, preds *in)
{
    tn_plan *a = *slot;
    preds down = {0}, rest = {0};
    for (int32_t i = 0; i < in->n; i++) {
        tn_expr *e = in->items[i];
        int32_t lo, hi;
        tn_expr_column_range(e, &lo, &hi);
        if (movable(e) && hi >= 0 && hi < a->ngroups && !a->grouping_sets) {
            tn_expr *s = substitute(o, e, a->groups);
            if (!s)
                return tn_opt_oom(o);
            TN_TRY(add(o, &down, s));
        } else {
            TN_TRY(add(o, &rest, e));
        }
    }
    TN_TRY(push(o, &a->children[0], &down));
    return above(o, slot, &rest);
}

static int push_project(tn_opt *o, tn_plan **slot, preds *in)
{
    tn_plan *p = *slot;
    preds down = {0}, rest = {0};
    for (int32_t i = 0; i < in->n; i++) {
        tn_expr *e = in->items[i];
        if (!movable(e)) {
            TN_TRY(add(o, &rest, e));
            continue;
        }
        tn_expr *s = substitute(o, e, p->exprs);
        if (!s)
            return tn_opt_oom(o);
        if (tn_expr_has_outer(s))
            TN_TRY(add(o, &rest, e));
        else
            TN_TRY(add(o, &down, s));
    }
    TN_TRY(push(o, &p->children[0], &down));
    return above(o, slot, &rest);
}

static int push_scan(tn_opt *o, tn_plan **slot, preds *in)
{
    tn_plan *s = *slot;
    preds rest = {0};
    int32_t n = s->nfilters;
    tn_expr **f = tn_arena_alloc(&o->ctx->arena, sizeof *f * (size_t)(n + in->n + 1));
    if (!f)
        return tn_opt_oom(o);
    if (n)
        memcpy(f, s->filters, sizeof *f * (size_t)n);
    for (int32_t i = 0; i < in->n; i++) {
        if (tn_expr_has_subquery(in->items[i]))
            TN_TRY(add(o, &rest, in->items[i]));
        else
            f[n++] = in->items[i];
    }
    if (n > s->nfilters && s->est_rows >= 0)
        s->est_rows *= 0.3;
    s->filters = f;
    s->nfilters = n;
    return above(o, slot, &rest);
}

static int push(tn_opt *o, tn_plan **slot, preds *in)
{
    tn_plan *p = *slot;
    switch (p->kind) {
    case TN_PLAN_FILTER: {
        TN_TRY(add(o, in, p->predicate));
        *slot = p->children[0];
        return push(o, slot, in);
    }
    case TN_PLAN_PROJECT: return push_project(o, slot, in);
    case TN_PLAN_JOIN: return push_join(o, slot, in);
    case TN_PLAN_AGGREGATE: return push_aggregate(o, slot, in);
    case TN_PLAN_SCAN: return push_scan(o, slot, in);
    case TN_PLAN_SORT: case TN_PLAN_DISTINCT:
        if (p->kind == TN_PLAN_DISTINCT && p->non)
            break;
        return push(o, &p->children[0], in);
    case TN_PLAN_SETOP:
        if (p->setop != TN_SETOP_UNION)
            break;
        for (int32_t c = 0; c < p->nchildren; c++) {
            preds copy = {0};
            for (int32_t i = 0; i < in->n; i++) {
                if (!movable(in->items[i])) {
                    TN_TRY(push_children(o, p));
                    return above(o, slot, in);
                }
                tn_expr *e = tn_expr_copy(o->ctx, in->items[i]);
                if (!e)
                    return tn_opt_oom(o);
                TN_TRY(add(o, &copy, e));
            }
            TN_TRY(push(o, &p->children[c], &copy));
        }
        return 0;
    default:
        break;
    }
    TN_TRY(push_children(o, p));
    return above(o, slot, in);
}

int tn_rule_filter_pushdown(tn_opt *o, tn_plan **plan)
{
    preds none = {0};
    return push(o, plan, &none);
}
