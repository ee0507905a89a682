/*
 * rule_or_filters.c — filters implied by an OR of AND-branches, for the
 * pushdown rule to move into the scans (TPC-H Q19's shape):
 *
 *  1. conjuncts present in every branch are factored out:
 *     (X AND A) OR (X AND B)  ->  X AND (A OR B)   (Kleene-equivalent;
 *     a branch left empty makes the OR true, so it goes);
 *  2. for each input of the join tree under a FILTER (or under a join's
 *     condition), when every branch has conjuncts reading only that
 *     input's columns, the OR over the branches of those conjunctions is
 *     added as a further conjunct. It is implied by the OR, so the
 *     original stays and the result does not change.
 *
 * Runs before filter pushdown; derived conjuncts are deep copies because
 * pushdown shifts column indexes in place.
 */
#include "sql/expr/eval.h"
#include "sql/optimizer/optimizer_int.h"

#include "sql/functions/function.h"

#include <string.h>

typedef struct list {
    tn_expr **items;
    int32_t n, cap;
} list;

/* Column ranges [lo, hi] of the inputs of an inner-join tree. */
typedef struct ranges {
    int32_t lo[64], hi[64];
    const tn_plan *input[64];
    int32_t n;
} ranges;

static int append(tn_opt *o, list *l, tn_expr *e)
{
    if (l->n == l->cap) {
        int32_t ncap = l->cap ? l->cap * 2 : 8;
        tn_expr **grown = tn_arena_alloc(&o->ctx->arena, sizeof *grown * (size_t)ncap);
        if (!grown)
            return tn_opt_oom(o);
        if (l->n)
            memcpy(grown, l->items, sizeof *grown * (size_t)l->n);
        l->items = grown;
        l->cap = ncap;
    }
    l->items[l->n++] = e;
    return 0;
}

static int conjuncts(tn_opt *o, tn_expr *e, list *l)
{
    return tn_expr_conjuncts(o->ctx, e, &l->items, &l->n, &l->cap) ? tn_opt_oom(o) : 0;
}

/* The inputs of p, starting at column `base`: INNER / CROSS joins and
 * FILTERs are looked through, anything else is one input. */
static void collect_ranges(const tn_plan *p, int32_t base, ranges *r)
{
    if (p->kind == TN_PLAN_FILTER) {
        collect_ranges(p->children[0], base, r);
        return;
    }
    if (p->kind == TN_PLAN_JOIN && (p->join == TN_JOIN_INNER || p->join == TN_JOIN_CROSS)) {
        int32_t nl = p->children[0]->out->n_fields;
        collect_ranges(p->children[0], base, r);
        collect_ranges(p->children[1], base + nl, r);
        return;
    }
    if (r->n == (int32_t)(sizeof r->lo / sizeof r->lo[0]) || p->out->n_fields == 0)
        return;
    r->lo[r->n] = base;
    r->hi[r->n] = base + p->out->n_fields - 1;
    r->input[r->n] = p;
    r->n++;
}

static bool in_list(const list *l, const tn_expr *e)
{
    for (int32_t i = 0; i < l->n; i++)
        if (tn_expr_equal(l->items[i], e))
            return true;
    return false;
}

/* Whether e reads columns, all of them in [lo, hi], and may be moved. */
static bool reads_only(const tn_expr *e, int32_t lo, int32_t hi)
{
    int32_t elo, ehi;
    tn_expr_column_range(e, &elo, &ehi);
    return ehi >= 0 && elo >= lo && ehi <= hi && !tn_expr_has_outer(e) && !tn_expr_has_subquery(e);
}

/* Step 1 on one OR: common conjuncts go to `out`; the OR without them
 * (if any remains) too. */
static int factor(tn_opt *o, tn_expr *or, list *out, list *branches)
{
    int32_t nb = or->nargs;
    for (int32_t b = 0; b < nb; b++) {
        memset(&branches[b], 0, sizeof branches[b]);
        TN_TRY(conjuncts(o, or->args[b], &branches[b]));
    }
    list common = {0};
    for (int32_t i = 0; i < branches[0].n; i++) {
        tn_expr *c = branches[0].items[i];
        bool everywhere = !in_list(&common, c);
        for (int32_t b = 1; b < nb && everywhere; b++)
            everywhere = in_list(&branches[b], c);
        if (everywhere)
            TN_TRY(append(o, &common, c));
    }
    if (common.n == 0) {
        TN_TRY(append(o, out, or));
        return 0;
    }
    for (int32_t i = 0; i < common.n; i++)
        TN_TRY(append(o, out, common.items[i]));
    for (int32_t b = 0; b < nb; b++) {
        int32_t k = 0;
        for (int32_t i = 0; i < branches[b].n; i++)
            if (!in_list(&common, branches[b].items[i]))
                branches[b].items[k++] = branches[b].items[i];
        branches[b].n = k;
        if (k == 0)
            return 0; /* that branch is TRUE once the common part holds */
    }
    or->text = NULL; /* the SQL text no longer matches it */
    for (int32_t b = 0; b < nb; b++)
        if (!(or->args[b] = tn_expr_and_of(o->ctx, branches[b].items, branches[b].n)))
            return tn_opt_oom(o);
    return append(o, out, or);
}

/* Whether the scan under input t already holds d (its columns relative
 * to the join tree): a plan optimized a second time must not get the
 * same derived filter twice. Looks through a PROJECT of plain columns. */
static int already_there(tn_opt *o, const ranges *r, int32_t t, const tn_expr *d, bool *found)
{
    *found = false;
    const tn_plan *in = r->input[t];
    tn_expr *c = tn_expr_copy(o->ctx, d);
    if (!c)
        return tn_opt_oom(o);
    tn_expr_shift(c, 0, -r->lo[t]);
    if (in->kind == TN_PLAN_PROJECT && in->children[0]->kind == TN_PLAN_SCAN) {
        int32_t *map = tn_arena_alloc(&o->ctx->arena, sizeof *map * (size_t)in->nexprs);
        if (!map)
            return tn_opt_oom(o);
        for (int32_t i = 0; i < in->nexprs; i++) {
            if (in->exprs[i]->kind != TN_EXPR_COLUMN || in->exprs[i]->depth != 0)
                return 0;
            map[i] = in->exprs[i]->index;
        }
        tn_expr_remap(c, map);
        in = in->children[0];
    }
    if (in->kind != TN_PLAN_SCAN)
        return 0;
    for (int32_t i = 0; i < in->nfilters && !*found; i++)
        *found = tn_expr_equal(in->filters[i], c);
    return 0;
}

/* Step 2 on one OR (branches already split): one derived conjunct per
 * input all branches restrict. */
static int derive(tn_opt *o, const tn_expr *or, list *branches, const ranges *r, const list *in, list *out)
{
    int32_t nb = or->nargs;
    int32_t lo, hi;
    tn_expr_column_range(or, &lo, &hi);
    for (int32_t t = 0; t < r->n; t++) {
        if (lo >= r->lo[t] && hi <= r->hi[t])
            return 0; /* the OR reads one input already: pushdown moves it whole */
    }
    for (int32_t t = 0; t < r->n; t++) {
        tn_expr *d = tn_expr_new(o->ctx, TN_EXPR_OR, tn_type_get(TN_BOOL), nb);
        if (!d)
            return tn_opt_oom(o);
        bool all = true;
        for (int32_t b = 0; b < nb && all; b++) {
            list mine = {0};
            for (int32_t i = 0; i < branches[b].n; i++) {
                if (!reads_only(branches[b].items[i], r->lo[t], r->hi[t]))
                    continue;
                tn_expr *c = tn_expr_copy(o->ctx, branches[b].items[i]);
                if (!c)
                    return tn_opt_oom(o);
                TN_TRY(append(o, &mine, c));
            }
            all = mine.n > 0;
            if (all && !(d->args[b] = tn_expr_and_of(o->ctx, mine.items, mine.n)))
                return tn_opt_oom(o);
        }
        bool found = all && (in_list(in, d) || in_list(out, d));
        if (all && !found)
            TN_TRY(already_there(o, r, t, d, &found));
        if (all && !found)
            TN_TRY(append(o, out, d));
    }
    return 0;
}

/* Rewrite a predicate over the inputs `r`; NULL stays NULL. */
static int rewrite(tn_opt *o, tn_expr **pe, const ranges *r)
{
    if (!*pe)
        return 0;
    list in = {0}, out = {0};
    TN_TRY(conjuncts(o, *pe, &in));
    bool changed = false;
    for (int32_t i = 0; i < in.n; i++) {
        tn_expr *e = in.items[i];
        if (e->kind != TN_EXPR_OR || e->nargs < 2 || tn_expr_has_outer(e) || tn_expr_has_subquery(e) ||
            tn_expr_has_volatile(e)) {
            TN_TRY(append(o, &out, e));
            continue;
        }
        list *branches = tn_arena_alloc(&o->ctx->arena, sizeof *branches * (size_t)e->nargs);
        if (!branches)
            return tn_opt_oom(o);
        int32_t before = out.n;
        TN_TRY(factor(o, e, &out, branches));
        bool or_kept = out.n > before && out.items[out.n - 1] == e;
        if (out.n - before != 1 || !or_kept)
            changed = true;
        if (or_kept) {
            int32_t n0 = out.n;
            TN_TRY(derive(o, e, branches, r, &in, &out));
            changed |= out.n > n0;
        }
    }
    if (!changed)
        return 0;
    if (out.n == 0) {
        *pe = tn_expr_bool(o->ctx, true);
        return *pe ? 0 : tn_opt_oom(o);
    }
    *pe = tn_expr_and_of(o->ctx, out.items, out.n);
    return *pe ? 0 : tn_opt_oom(o);
}

int tn_rule_or_filters(tn_opt *o, tn_plan **plan)
{
    tn_plan *p = *plan;
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(tn_rule_or_filters(o, &p->children[i]));
    ranges r = {.n = 0};
    if (p->kind == TN_PLAN_FILTER) {
        collect_ranges(p->children[0], 0, &r);
        return rewrite(o, &p->predicate, &r);
    }
    if (p->kind == TN_PLAN_JOIN && p->condition && p->join != TN_JOIN_MARK) {
        int32_t nl = p->children[0]->out->n_fields;
        collect_ranges(p->children[0], 0, &r);
        collect_ranges(p->children[1], nl, &r);
        return rewrite(o, &p->condition, &r);
    }
    return 0;
}
