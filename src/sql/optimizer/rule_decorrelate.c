/*
 * rule_decorrelate.c — subqueries in FILTER and PROJECT expressions become
 * joins, so that nothing runs once per outer row:
 *
 *   EXISTS (correlated)        top-level WHERE conjunct -> SEMI join
 *   NOT EXISTS (correlated)    top-level WHERE conjunct -> ANTI join
 *   x IN (subquery)            top-level WHERE conjunct -> SEMI join on x = col
 *   other IN / NOT IN / ANY / ALL / EXISTS elsewhere -> MARK join; the
 *                              expression reads the mark (NOT mark for NOT IN,
 *                              NOT (x !cmp ANY) for ALL)
 *   correlated scalar subquery over an ungrouped aggregate
 *                              -> the aggregate grouped by the inner sides of
 *                              the correlating equalities, LEFT-joined on them
 *                              (count() of no rows reads 0, not NULL)
 *   other correlated scalar subqueries over an ungrouped aggregate
 *                              -> the same through the domain (DISTINCT) of
 *                              the outer columns they read, LEFT-joined on
 *                              them with NULLs equal
 *   correlated scalar subquery without aggregate -> SINGLE join
 *
 * The subquery's correlated conjuncts (those reading OUTER columns) are
 * taken out of the FILTER right under its projection (or aggregate) and
 * become the join condition, over left ++ right: OUTER(1, i) reads left
 * column i, subquery column j reads right column j. Uncorrelated scalar
 * subqueries and EXISTS stay: the physical planner runs them once. Forms
 * not recognized stay as they are.
 */
#include "sql/expr/eval.h"
#include "sql/optimizer/optimizer_int.h"

#include <string.h>

#include "sql/functions/function.h"

/* "This form is not rewritten" (errors are positive status codes). */
#define NOFIT (-1)

/* ---- expression rewriting ----------------------------------------------------- */

/* In place: OUTER(1, i) -> COLUMN(i); COLUMN(j) -> COLUMN(base + j). */
static void to_join_side(tn_expr *e, int32_t base)
{
    if (!e)
        return;
    if (e->kind == TN_EXPR_OUTER && e->depth == 1) {
        e->kind = TN_EXPR_COLUMN;
        e->depth = 0;
    } else if (e->kind == TN_EXPR_COLUMN && e->depth == 0) {
        e->index += base;
    }
    for (int32_t i = 0; i < e->nargs; i++)
        to_join_side(e->args[i], base);
}

static bool reads_outer1(const tn_expr *e)
{
    if (!e)
        return false;
    if (e->kind == TN_EXPR_OUTER)
        return true;
    if (e->kind == TN_EXPR_SUBQUERY && tn_plan_has_outer(e->subquery, 2))
        return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (reads_outer1(e->args[i]))
            return true;
    return false;
}

static bool reads_column(const tn_expr *e)
{
    if (!e)
        return false;
    if (e->kind == TN_EXPR_COLUMN)
        return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (reads_column(e->args[i]))
            return true;
    return false;
}

/* ---- the subquery's shape ----------------------------------------------------- */

/* Take the correlated conjuncts out of the FILTER at *slot (if it is one):
 * *slot becomes a new FILTER (or the filter's child) without them. */
static int pull_filter(tn_opt *o, tn_plan **slot, tn_expr ***corr, int32_t *ncorr)
{
    tn_plan *f = *slot;
    if (f->kind != TN_PLAN_FILTER)
        return 0;
    tn_expr **list = NULL;
    int32_t n = 0, cap = 0, ccap = 0;
    if (tn_expr_conjuncts(o->ctx, f->predicate, &list, &n, &cap))
        return tn_opt_oom(o);
    tn_expr **keep = tn_arena_alloc(&o->ctx->arena, sizeof *keep * (size_t)(n + 1));
    if (!keep)
        return tn_opt_oom(o);
    int32_t nkeep = 0;
    for (int32_t i = 0; i < n; i++) {
        if (reads_outer1(list[i])) {
            if (tn_expr_conjuncts(o->ctx, list[i], corr, ncorr, &ccap))
                return tn_opt_oom(o);
        } else {
            keep[nkeep++] = list[i];
        }
    }
    if (nkeep == n)
        return 0;
    /* a new node: the subquery stays intact if the rewrite is abandoned */
    if (!(*slot = tn_opt_filter(o, f->children[0], keep, nkeep)))
        return tn_opt_oom(o);
    return 0;
}

/* For EXISTS / IN: drop the operators on top that cannot change whether a
 * value is present. */
static tn_plan *strip_top(tn_plan *p)
{
    while (p->kind == TN_PLAN_SORT || p->kind == TN_PLAN_DISTINCT ||
           (p->kind == TN_PLAN_LIMIT && p->limit != 0 && p->offset == 0))
        p = p->children[0];
    return p;
}

/* Build the right side of a join for a non-aggregate subquery: PROJECT
 * [value?] ++ every column of the input X under its top projection, with
 * the correlated conjuncts pulled out. `value` says whether the first
 * projected expression is kept as right column 0. */
static int plain_right(tn_opt *o, tn_plan *sub, bool value, tn_plan **right, int32_t *off, tn_expr ***corr,
                       int32_t *ncorr)
{
    if (sub->kind != TN_PLAN_PROJECT)
        return NOFIT;
    tn_plan *x = sub->children[0];
    TN_TRY(pull_filter(o, &x, corr, ncorr));
    if (*ncorr == 0 && value) {
        *right = sub;
        *off = 0;
        return 0;
    }
    if (x->kind == TN_PLAN_FILTER && reads_outer1(x->predicate))
        return NOFIT;
    if (tn_plan_has_outer(x, 1))
        return NOFIT;
    int32_t nx = x->out->n_fields, k = value ? 1 : 0;
    if (value && reads_outer1(sub->exprs[0]))
        return NOFIT;
    tn_plan *p = tn_plan_new(o->ctx, TN_PLAN_PROJECT, 1);
    if (!p)
        return tn_opt_oom(o);
    p->children[0] = x;
    p->nexprs = k + nx;
    p->exprs = tn_arena_alloc(&o->ctx->arena, sizeof *p->exprs * (size_t)(p->nexprs + 1));
    const char **names = tn_arena_alloc(&o->ctx->arena, sizeof *names * (size_t)(p->nexprs + 1));
    tn_type **types = tn_arena_alloc(&o->ctx->arena, sizeof *types * (size_t)(p->nexprs + 1));
    if (!p->exprs || !names || !types)
        return tn_opt_oom(o);
    if (value) {
        p->exprs[0] = sub->exprs[0];
        names[0] = sub->out->fields[0].name;
        types[0] = sub->exprs[0]->type;
    }
    for (int32_t j = 0; j < nx; j++) {
        if (!(p->exprs[k + j] = tn_expr_column(o->ctx, j, tn_type_ref(x->out->fields[j].type))))
            return tn_opt_oom(o);
        names[k + j] = x->out->fields[j].name;
        types[k + j] = x->out->fields[j].type;
    }
    if (!(p->out = tn_plan_schema(o->ctx, p->nexprs, names, types)))
        return tn_opt_oom(o);
    p->est_rows = x->est_rows;
    *right = p;
    *off = k;
    return 0;
}

static bool is_count(const tn_agg_call *a)
{
    return a->func && !a->func->udf_ctx && a->func->name && strncmp(a->func->name, "count", 5) == 0;
}

/* A correlated scalar subquery PROJECT(AGGREGATE(no groups)(FILTER(X))):
 * group by the inner sides of the correlating equalities. Sets *right to
 * PROJECT[value, key1..keyk] and *keys_outer to the outer sides (over the
 * left input). Returns NOFIT when the shape does not fit. */
static int grouped_right(tn_opt *o, tn_plan *sub, tn_plan **right, tn_expr ***outer_keys, int32_t *nkeys,
                         bool *count_value)
{
    if (sub->kind != TN_PLAN_PROJECT || sub->children[0]->kind != TN_PLAN_AGGREGATE)
        return NOFIT;
    tn_plan *agg = sub->children[0];
    if (agg->ngroups != 0 || agg->grouping_sets)
        return NOFIT;
    tn_expr **corr = NULL;
    int32_t ncorr = 0;
    tn_plan *x = agg->children[0];
    TN_TRY(pull_filter(o, &x, &corr, &ncorr));
    if (ncorr == 0 || tn_plan_has_outer(x, 1) || reads_outer1(sub->exprs[0]))
        return NOFIT;
    for (int32_t a = 0; a < agg->naggs; a++) {
        for (int32_t i = 0; i < agg->aggs[a].nargs; i++)
            if (reads_outer1(agg->aggs[a].args[i]))
                return NOFIT;
    }
    tn_expr **inner = tn_arena_alloc(&o->ctx->arena, sizeof *inner * (size_t)ncorr);
    *outer_keys = tn_arena_alloc(&o->ctx->arena, sizeof **outer_keys * (size_t)ncorr);
    if (!inner || !*outer_keys)
        return tn_opt_oom(o);
    for (int32_t i = 0; i < ncorr; i++) {
        tn_expr *c = corr[i];
        if (c->kind != TN_EXPR_COMPARE || c->cmp != TN_CMP_EQ)
            return NOFIT;
        tn_expr *l = c->args[0], *r = c->args[1];
        bool lo = reads_outer1(l) && !reads_column(l), ro = reads_outer1(r) && !reads_column(r);
        if (lo && !reads_outer1(r)) {
            (*outer_keys)[i] = l;
            inner[i] = r;
        } else if (ro && !reads_outer1(l)) {
            (*outer_keys)[i] = r;
            inner[i] = l;
        } else {
            return NOFIT;
        }
    }
    /* the new aggregate: groups = inner sides, same aggregates */
    tn_plan *na = tn_plan_new(o->ctx, TN_PLAN_AGGREGATE, 1);
    if (!na)
        return tn_opt_oom(o);
    na->children[0] = x;
    na->groups = inner;
    na->ngroups = ncorr;
    na->aggs = agg->aggs;
    na->naggs = agg->naggs;
    int32_t n = ncorr + agg->naggs;
    const char **names = tn_arena_alloc(&o->ctx->arena, sizeof *names * (size_t)n);
    tn_type **types = tn_arena_alloc(&o->ctx->arena, sizeof *types * (size_t)n);
    if (!names || !types)
        return tn_opt_oom(o);
    for (int32_t i = 0; i < ncorr; i++) {
        names[i] = inner[i]->text ? inner[i]->text : "key";
        types[i] = inner[i]->type;
    }
    for (int32_t a = 0; a < agg->naggs; a++) {
        names[ncorr + a] = agg->out->fields[a].name;
        types[ncorr + a] = agg->out->fields[a].type;
    }
    if (!(na->out = tn_plan_schema(o->ctx, n, names, types)))
        return tn_opt_oom(o);
    na->est_rows = tn_opt_rows(x) * 0.5;
    /* the projection: value (aggregate columns shifted past the keys), then the keys */
    tn_plan *p = tn_plan_new(o->ctx, TN_PLAN_PROJECT, 1);
    tn_expr *value = tn_expr_copy(o->ctx, sub->exprs[0]);
    if (!p || !value)
        return tn_opt_oom(o);
    tn_expr_shift(value, 0, ncorr);
    *count_value = sub->exprs[0]->kind == TN_EXPR_COLUMN && is_count(&agg->aggs[sub->exprs[0]->index]);
    p->children[0] = na;
    p->nexprs = 1 + ncorr;
    p->exprs = tn_arena_alloc(&o->ctx->arena, sizeof *p->exprs * (size_t)p->nexprs);
    const char **pn = tn_arena_alloc(&o->ctx->arena, sizeof *pn * (size_t)p->nexprs);
    tn_type **pt = tn_arena_alloc(&o->ctx->arena, sizeof *pt * (size_t)p->nexprs);
    if (!p->exprs || !pn || !pt)
        return tn_opt_oom(o);
    p->exprs[0] = value;
    pn[0] = sub->out->fields[0].name;
    pt[0] = value->type;
    for (int32_t i = 0; i < ncorr; i++) {
        if (!(p->exprs[1 + i] = tn_expr_column(o->ctx, i, tn_type_ref(inner[i]->type))))
            return tn_opt_oom(o);
        pn[1 + i] = names[i];
        pt[1 + i] = types[i];
    }
    if (!(p->out = tn_plan_schema(o->ctx, p->nexprs, pn, pt)))
        return tn_opt_oom(o);
    p->est_rows = na->est_rows;
    *right = p;
    *nkeys = ncorr;
    return 0;
}

/* In place: OUTER(1, i) -> COLUMN(pos[i]); COLUMN(j) -> COLUMN(base + j). */
static void to_domain_side(tn_expr *e, const int32_t *pos, int32_t base)
{
    if (!e)
        return;
    if (e->kind == TN_EXPR_OUTER && e->depth == 1) {
        e->kind = TN_EXPR_COLUMN;
        e->depth = 0;
        e->index = pos[e->index];
    } else if (e->kind == TN_EXPR_COLUMN && e->depth == 0) {
        e->index += base;
    }
    for (int32_t i = 0; i < e->nargs; i++)
        to_domain_side(e->args[i], pos, base);
}

static void mark_outer(const tn_expr *e, bool *used, int32_t n)
{
    if (!e)
        return;
    if (e->kind == TN_EXPR_OUTER && e->depth == 1 && e->index < n)
        used[e->index] = true;
    for (int32_t i = 0; i < e->nargs; i++)
        mark_outer(e->args[i], used, n);
}

/* A correlated scalar subquery over an ungrouped aggregate whose
 * correlations are not all equalities, flattened through the domain of
 * the outer columns it reads:
 *   D  = DISTINCT (the outer columns c1..ck of a copy of the left input)
 *   R  = PROJECT [value, c1..ck] (AGGREGATE by c1..ck (D JOIN X ON correlations))
 * *right is R and *outer_cols the columns c1..ck of the left input (the
 * caller joins left and R on them, NULLs equal). */
static int domain_right(tn_opt *o, tn_plan *left, tn_plan *sub, tn_plan **right, int32_t **outer_cols,
                        int32_t *nouter, bool *count_value)
{
    if (sub->kind != TN_PLAN_PROJECT || sub->children[0]->kind != TN_PLAN_AGGREGATE)
        return NOFIT;
    tn_plan *agg = sub->children[0];
    if (agg->ngroups != 0 || agg->grouping_sets)
        return NOFIT;
    tn_expr **corr = NULL;
    int32_t ncorr = 0;
    tn_plan *x = agg->children[0];
    TN_TRY(pull_filter(o, &x, &corr, &ncorr));
    if (ncorr == 0 || tn_plan_has_outer(x, 1) || reads_outer1(sub->exprs[0]))
        return NOFIT;
    for (int32_t a = 0; a < agg->naggs; a++) {
        if (reads_outer1(agg->aggs[a].filter))
            return NOFIT;
        for (int32_t i = 0; i < agg->aggs[a].nargs; i++)
            if (reads_outer1(agg->aggs[a].args[i]))
                return NOFIT;
    }
    for (int32_t i = 0; i < ncorr; i++)
        if (tn_expr_has_subquery(corr[i]))
            return NOFIT;
    int32_t width = left->out->n_fields;
    bool *used = tn_arena_calloc(&o->ctx->arena, sizeof *used * (size_t)(width + 1));
    int32_t *pos = tn_arena_alloc(&o->ctx->arena, sizeof *pos * (size_t)(width + 1));
    int32_t *cols = tn_arena_alloc(&o->ctx->arena, sizeof *cols * (size_t)(width + 1));
    if (!used || !pos || !cols)
        return tn_opt_oom(o);
    for (int32_t i = 0; i < ncorr; i++)
        mark_outer(corr[i], used, width);
    int32_t k = 0;
    for (int32_t i = 0; i < width; i++)
        if (used[i]) {
            pos[i] = k;
            cols[k++] = i;
        }
    if (k == 0)
        return NOFIT;
    /* D: the distinct values of the outer columns read */
    tn_plan *lcopy = tn_plan_copy(o->ctx, left);
    tn_plan *dp = lcopy ? tn_plan_project_columns(o->ctx, lcopy, cols, k) : NULL;
    tn_plan *d = dp ? tn_plan_new(o->ctx, TN_PLAN_DISTINCT, 1) : NULL;
    if (!d)
        return tn_opt_oom(o);
    d->children[0] = dp;
    d->out = dp->out;
    d->est_rows = tn_opt_rows(left) * 0.5;
    /* D JOIN X on the correlations */
    for (int32_t i = 0; i < ncorr; i++)
        to_domain_side(corr[i], pos, k);
    tn_expr *cond = tn_expr_and_of(o->ctx, corr, ncorr);
    tn_plan *j = cond ? tn_plan_new(o->ctx, TN_PLAN_JOIN, 2) : NULL;
    if (!j)
        return tn_opt_oom(o);
    j->join = TN_JOIN_INNER;
    j->children[0] = d;
    j->children[1] = x;
    j->condition = cond;
    if (!(j->out = tn_plan_join_schema(o->ctx, d->out, x->out, TN_JOIN_INNER)))
        return tn_opt_oom(o);
    j->est_rows = tn_opt_rows(x);
    /* aggregate by the domain columns; the aggregates read X's columns, now after them */
    tn_plan *na = tn_plan_new(o->ctx, TN_PLAN_AGGREGATE, 1);
    tn_agg_call *aggs = tn_arena_alloc(&o->ctx->arena, sizeof *aggs * (size_t)(agg->naggs + 1));
    tn_expr **groups = tn_arena_alloc(&o->ctx->arena, sizeof *groups * (size_t)k);
    if (!na || !aggs || !groups)
        return tn_opt_oom(o);
    for (int32_t g = 0; g < k; g++)
        if (!(groups[g] = tn_expr_column(o->ctx, g, tn_type_ref(d->out->fields[g].type))))
            return tn_opt_oom(o);
    for (int32_t a = 0; a < agg->naggs; a++) {
        aggs[a] = agg->aggs[a];
        aggs[a].args = tn_arena_alloc(&o->ctx->arena, sizeof *aggs[a].args * (size_t)(aggs[a].nargs + 1));
        if (!aggs[a].args)
            return tn_opt_oom(o);
        for (int32_t i = 0; i < aggs[a].nargs; i++) {
            if (!(aggs[a].args[i] = tn_expr_copy(o->ctx, agg->aggs[a].args[i])))
                return tn_opt_oom(o);
            tn_expr_shift(aggs[a].args[i], 0, k);
        }
        if (aggs[a].filter) {
            if (!(aggs[a].filter = tn_expr_copy(o->ctx, agg->aggs[a].filter)))
                return tn_opt_oom(o);
            tn_expr_shift(aggs[a].filter, 0, k);
        }
        aggs[a].norder = 0;
        aggs[a].order = NULL;
    }
    na->children[0] = j;
    na->groups = groups;
    na->ngroups = k;
    na->aggs = aggs;
    na->naggs = agg->naggs;
    int32_t n = k + agg->naggs;
    const char **names = tn_arena_alloc(&o->ctx->arena, sizeof *names * (size_t)n);
    tn_type **types = tn_arena_alloc(&o->ctx->arena, sizeof *types * (size_t)n);
    if (!names || !types)
        return tn_opt_oom(o);
    for (int32_t g = 0; g < k; g++) {
        names[g] = d->out->fields[g].name;
        types[g] = d->out->fields[g].type;
    }
    for (int32_t a = 0; a < agg->naggs; a++) {
        names[k + a] = agg->out->fields[a].name;
        types[k + a] = agg->out->fields[a].type;
    }
    if (!(na->out = tn_plan_schema(o->ctx, n, names, types)))
        return tn_opt_oom(o);
    na->est_rows = d->est_rows;
    /* PROJECT [value, domain columns] */
    tn_plan *p = tn_plan_new(o->ctx, TN_PLAN_PROJECT, 1);
    tn_expr *value = tn_expr_copy(o->ctx, sub->exprs[0]);
    const char **pn = tn_arena_alloc(&o->ctx->arena, sizeof *pn * (size_t)(k + 1));
    tn_type **pt = tn_arena_alloc(&o->ctx->arena, sizeof *pt * (size_t)(k + 1));
    if (!p || !value || !pn || !pt)
        return tn_opt_oom(o);
    tn_expr_shift(value, 0, k);
    *count_value = sub->exprs[0]->kind == TN_EXPR_COLUMN && is_count(&agg->aggs[sub->exprs[0]->index]);
    p->children[0] = na;
    p->nexprs = 1 + k;
    if (!(p->exprs = tn_arena_alloc(&o->ctx->arena, sizeof *p->exprs * (size_t)(k + 1))))
        return tn_opt_oom(o);
    p->exprs[0] = value;
    pn[0] = sub->out->fields[0].name;
    pt[0] = value->type;
    for (int32_t g = 0; g < k; g++) {
        if (!(p->exprs[1 + g] = tn_expr_column(o->ctx, g, tn_type_ref(types[g]))))
            return tn_opt_oom(o);
        pn[1 + g] = names[g];
        pt[1 + g] = types[g];
    }
    if (!(p->out = tn_plan_schema(o->ctx, 1 + k, pn, pt)))
        return tn_opt_oom(o);
    p->est_rows = na->est_rows;
    *right = p;
    *outer_cols = cols;
    *nouter = k;
    return 0;
}

/* ---- joins ---------------------------------------------------------------------- */

static tn_plan *make_join(tn_opt *o, tn_join_kind k, tn_plan *left, tn_plan *right, tn_expr *cond)
{
    tn_plan *j = tn_plan_new(o->ctx, TN_PLAN_JOIN, 2);
    if (!j)
        return NULL;
    j->join = k;
    j->children[0] = left;
    j->children[1] = right;
    j->condition = cond;
    j->loc = left->loc;
    if (!(j->out = tn_plan_join_schema(o->ctx, left->out, right->out, k)))
        return NULL;
    j->est_rows = tn_opt_rows(left);
    return j;
}

typedef struct site {
    tn_plan *input; /* the (growing) input of the FILTER / PROJECT */
    int32_t nl;     /* columns of the original input */
    tn_expr *const *conjs; /* a FILTER's conjuncts as written (NULL: a PROJECT) */
    int32_t nconjs;
} site;

/* ---- restricting a grouped subquery to the outer keys -------------------------
 * A correlated scalar aggregate becomes an aggregate grouped by the inner
 * keys over the whole inner input (TPC-H Q17: avg(l_quantity) for each of
 * 200K parts, over all 6M lineitem rows), of which the outer side reads a
 * few groups (191 parts). When every outer key is a column of one input of
 * the outer join tree and the FILTER restricts that input by conjuncts of
 * its own, the aggregate's input is SEMI-joined with that input, filtered
 * the same way, on the keys: a superset of the outer keys' values (the join
 * above can only narrow them), so no group the outer side reads is lost. */

/* The input of p's INNER / CROSS join tree holding column col; its first
 * column in *base. */
static tn_plan *input_of(tn_plan *p, int32_t col, int32_t *base)
{
    *base = 0;
    while (p->kind == TN_PLAN_JOIN && (p->join == TN_JOIN_INNER || p->join == TN_JOIN_CROSS)) {
        int32_t nl = p->children[0]->out->n_fields;
        if (col - *base < nl) {
            p = p->children[0];
        } else {
            *base += nl;
            p = p->children[1];
        }
    }
    return p;
}

/* Replace the input x of the grouped aggregate under `right` by x SEMI
 * JOIN (the outer keys' input, filtered): see above. Leaves the plan alone
 * when the shape does not fit. */
static int restrict_to_outer(tn_opt *o, const site *s, tn_plan *right, tn_expr *const *okeys, int32_t nkeys)
{
    if (!s->conjs || right->kind != TN_PLAN_PROJECT || right->children[0]->kind != TN_PLAN_AGGREGATE)
        return 0;
    tn_plan *na = right->children[0], *x = na->children[0];
    int32_t base = -1, width = 0;
    tn_plan *leaf = NULL;
    for (int32_t i = 0; i < nkeys; i++) {
        const tn_expr *k = okeys[i];
        if (k->kind != TN_EXPR_OUTER || k->depth != 1 || k->index < 0 || k->index >= s->nl)
            return 0;
        int32_t b;
        tn_plan *l = input_of(s->input, k->index, &b);
        if (leaf && l != leaf)
            return 0;
        leaf = l;
        base = b;
    }
    if (!leaf || leaf == s->input)
        return 0;
    width = leaf->out->n_fields;
    /* the FILTER's conjuncts over that input alone */
    tn_expr **mine = tn_arena_alloc(&o->ctx->arena, sizeof *mine * (size_t)(s->nconjs + 1));
    if (!mine)
        return tn_opt_oom(o);
    int32_t nmine = 0;
    for (int32_t i = 0; i < s->nconjs; i++) {
        const tn_expr *c = s->conjs[i];
        if (tn_expr_has_subquery(c) || reads_outer1(c) || tn_expr_has_volatile(c))
            continue;
        int32_t lo, hi;
        tn_expr_column_range(c, &lo, &hi);
        if (hi < 0 || lo < base || hi >= base + width)
            continue;
        tn_expr *d = tn_expr_copy(o->ctx, c);
        if (!d)
            return tn_opt_oom(o);
        tn_expr_shift(d, 0, -base);
        mine[nmine++] = d;
    }
    if (nmine == 0)
        return 0; /* the whole input: nothing to gain */
    tn_plan *dom = tn_plan_copy(o->ctx, leaf);
    if (!dom || !(dom = tn_opt_filter(o, dom, mine, nmine)))
        return tn_opt_oom(o);
    int32_t *cols = tn_arena_alloc(&o->ctx->arena, sizeof *cols * (size_t)nkeys);
    tn_expr **eqs = tn_arena_alloc(&o->ctx->arena, sizeof *eqs * (size_t)nkeys);
    if (!cols || !eqs)
        return tn_opt_oom(o);
    for (int32_t i = 0; i < nkeys; i++)
        cols[i] = okeys[i]->index - base;
    if (!(dom = tn_plan_project_columns(o->ctx, dom, cols, nkeys)))
        return tn_opt_oom(o);
    int32_t xw = x->out->n_fields;
    for (int32_t i = 0; i < nkeys; i++) {
        tn_expr *l = tn_expr_copy(o->ctx, na->groups[i]);
        tn_expr *r = tn_expr_column(o->ctx, xw + i, tn_type_ref(okeys[i]->type));
        tn_expr *eq = tn_expr_new(o->ctx, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2);
        if (!l || !r || !eq)
            return tn_opt_oom(o);
        if (!tn_type_equals(l->type, r->type))
            return 0; /* the binder compared them through a cast: leave it */
        eq->cmp = TN_CMP_EQ;
        eq->args[0] = l;
        eq->args[1] = r;
        eqs[i] = eq;
    }
    tn_plan *j = tn_plan_new(o->ctx, TN_PLAN_JOIN, 2);
    if (!j)
        return tn_opt_oom(o);
    j->join = TN_JOIN_SEMI;
    j->children[0] = x;
    j->children[1] = dom;
    j->loc = x->loc;
    if (!(j->condition = tn_expr_and_of(o->ctx, eqs, nkeys)) ||
        !(j->out = tn_plan_join_schema(o->ctx, x->out, dom->out, TN_JOIN_SEMI)))
        return tn_opt_oom(o);
    j->est_rows = tn_opt_rows(x) * 0.3;
    na->children[0] = j;
    na->est_rows = j->est_rows * 0.5;
    right->est_rows = na->est_rows;
    return 0;
}

/* Rewrite one subquery expression *pe of a node whose input is s->input.
 * `top`: a top-level conjunct of a FILTER (may become SEMI / ANTI and
 * disappear: *pe set to NULL). Returns NOFIT when left alone. */
static int rewrite_subquery(tn_opt *o, site *s, tn_expr **pe, bool top)
{
    tn_expr *e = *pe;
    bool negated_exists = false;
    if (e->kind == TN_EXPR_NOT && e->args[0]->kind == TN_EXPR_SUBQUERY &&
        e->args[0]->subquery_kind == TN_SUBQUERY_EXISTS) {
        negated_exists = true;
        e = e->args[0];
    }
    if (e->kind != TN_EXPR_SUBQUERY)
        return NOFIT;
    TN_TRY(tn_rule_decorrelate(o, &e->subquery));
    tn_plan *sub = e->subquery;
    bool correlated = tn_plan_has_outer(sub, 1);
    int32_t width = s->input->out->n_fields;
    tn_subquery_kind k = e->subquery_kind;
    if ((k == TN_SUBQUERY_SCALAR || k == TN_SUBQUERY_EXISTS) && !correlated)
        return NOFIT;
    if (k == TN_SUBQUERY_SCALAR) {
        tn_plan *right = NULL;
        tn_expr **okeys = NULL;
        int32_t nkeys = 0;
        bool count_value = false;
        int rc = grouped_right(o, sub, &right, &okeys, &nkeys, &count_value);
        if (rc > 0)
            return rc;
        tn_expr *cond = NULL;
        tn_join_kind jk = TN_JOIN_LEFT;
        int32_t *ocols = NULL, nocols = 0;
        if (rc == NOFIT) {
            rc = domain_right(o, s->input, sub, &right, &ocols, &nocols, &count_value);
            if (rc > 0)
                return rc;
        }
        if (rc == 0 && ocols) {
            /* left JOIN R on the domain columns, NULLs equal */
            tn_expr **eqs = tn_arena_alloc(&o->ctx->arena, sizeof *eqs * (size_t)nocols);
            if (!eqs)
                return tn_opt_oom(o);
            for (int32_t i = 0; i < nocols; i++) {
                const tn_type *t = s->input->out->fields[ocols[i]].type;
                tn_expr *l = tn_expr_column(o->ctx, ocols[i], tn_type_ref((tn_type *)t));
                tn_expr *r = tn_expr_column(o->ctx, width + 1 + i, tn_type_ref((tn_type *)t));
                tn_expr *eq = tn_expr_new(o->ctx, TN_EXPR_IS_DISTINCT, tn_type_get(TN_BOOL), 2);
                if (!l || !r || !eq)
                    return tn_opt_oom(o);
                eq->negated = true;
                eq->args[0] = l;
                eq->args[1] = r;
                eqs[i] = eq;
            }
            if (!(cond = tn_expr_and_of(o->ctx, eqs, nocols)))
                return tn_opt_oom(o);
        } else if (rc == 0) {
            TN_TRY(restrict_to_outer(o, s, right, okeys, nkeys));
            tn_expr **eqs = tn_arena_alloc(&o->ctx->arena, sizeof *eqs * (size_t)nkeys);
            if (!eqs)
                return tn_opt_oom(o);
            for (int32_t i = 0; i < nkeys; i++) {
                tn_expr *ok = tn_expr_copy(o->ctx, okeys[i]);
                tn_expr *ik = tn_expr_column(o->ctx, width + 1 + i, tn_type_ref(right->out->fields[1 + i].type));
                tn_expr *eq = tn_expr_new(o->ctx, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2);
                if (!ok || !ik || !eq)
                    return tn_opt_oom(o);
                to_join_side(ok, 0);
                eq->cmp = TN_CMP_EQ;
                eq->args[0] = ok;
                eq->args[1] = ik;
                eqs[i] = eq;
            }
            if (!(cond = tn_expr_and_of(o->ctx, eqs, nkeys)))
                return tn_opt_oom(o);
        } else {
            tn_expr **corr = NULL;
            int32_t ncorr = 0, off = 0;
            rc = plain_right(o, sub, true, &right, &off, &corr, &ncorr);
            if (rc)
                return rc;
            for (int32_t i = 0; i < ncorr; i++)
                to_join_side(corr[i], width + off);
            if (!(cond = tn_expr_and_of(o->ctx, corr, ncorr)) && ncorr)
                return tn_opt_oom(o);
            jk = TN_JOIN_SINGLE;
        }
        tn_plan *j = make_join(o, jk, s->input, right, cond);
        tn_expr *col = j ? tn_expr_column(o->ctx, width, tn_type_ref(e->type)) : NULL;
        if (!col)
            return tn_opt_oom(o);
        col->text = e->text;
        if (count_value) {
            /* count over no rows is 0: CASE WHEN v IS NULL THEN 0 ELSE v END */
            tn_expr *isn = tn_expr_new(o->ctx, TN_EXPR_IS_NULL, tn_type_get(TN_BOOL), 1);
            tn_scalar *zero = tn_scalar_int(e->type, 0);
            tn_expr *z = zero ? tn_expr_literal(o->ctx, zero) : NULL;
            tn_expr *cs = tn_expr_new(o->ctx, TN_EXPR_CASE, tn_type_ref(e->type), 3);
            tn_expr *col2 = tn_expr_copy(o->ctx, col);
            if (!isn || !z || !cs || !col2)
                return tn_opt_oom(o);
            isn->args[0] = col;
            cs->args[0] = isn;
            cs->args[1] = z;
            cs->args[2] = col2;
            cs->has_else = true;
            col = cs;
        }
        s->input = j;
        *pe = col;
        return 0;
    }
    /* EXISTS / IN / ANY / ALL */
    bool value = k != TN_SUBQUERY_EXISTS;
    tn_plan *right = NULL;
    tn_expr **corr = NULL;
    int32_t ncorr = 0, off = 0;
    int rc = plain_right(o, strip_top(sub), value, &right, &off, &corr, &ncorr);
    if (rc > 0 || (rc == NOFIT && correlated))
        return rc;
    if (rc == NOFIT) { /* uncorrelated IN over any plan */
        right = sub;
        off = 0;
    }
    for (int32_t i = 0; i < ncorr; i++)
        to_join_side(corr[i], width + off);
    tn_expr **conds = tn_arena_alloc(&o->ctx->arena, sizeof *conds * (size_t)(ncorr + 1));
    if (!conds)
        return tn_opt_oom(o);
    int32_t nconds = 0;
    if (value) {
        tn_expr *cmp = tn_expr_new(o->ctx, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2);
        tn_expr *rv = tn_expr_column(o->ctx, width, tn_type_ref(right->out->fields[0].type));
        if (!cmp || !rv)
            return tn_opt_oom(o);
        cmp->cmp = k == TN_SUBQUERY_IN ? TN_CMP_EQ : e->cmp;
        if (k == TN_SUBQUERY_ALL) {
            static const tn_cmp_op inverse[] = {TN_CMP_NE, TN_CMP_EQ, TN_CMP_GE, TN_CMP_GT, TN_CMP_LE, TN_CMP_LT};
            cmp->cmp = inverse[e->cmp];
        }
        cmp->args[0] = e->args[0];
        cmp->args[1] = rv;
        conds[nconds++] = cmp;
    }
    for (int32_t i = 0; i < ncorr; i++)
        conds[nconds++] = corr[i];
    tn_expr *cond = tn_expr_and_of(o->ctx, conds, nconds);
    if (nconds && !cond)
        return tn_opt_oom(o);
    bool positive = (k == TN_SUBQUERY_EXISTS && !negated_exists) || (k == TN_SUBQUERY_IN && !e->negated) ||
                    k == TN_SUBQUERY_ANY;
    if (top && (k == TN_SUBQUERY_EXISTS || positive)) {
        /* a WHERE conjunct: keep (SEMI) or drop (ANTI) the outer rows */
        tn_join_kind jk = k == TN_SUBQUERY_EXISTS && negated_exists ? TN_JOIN_ANTI : TN_JOIN_SEMI;
        tn_plan *j = make_join(o, jk, s->input, right, cond);
        if (!j)
            return tn_opt_oom(o);
        s->input = j;
        *pe = NULL;
        return 0;
    }
    tn_plan *j = make_join(o, TN_JOIN_MARK, s->input, right, cond);
    tn_expr *mark = j ? tn_expr_column(o->ctx, width, tn_type_get(TN_BOOL)) : NULL;
    if (!mark)
        return tn_opt_oom(o);
    mark->text = e->text;
    if (k == TN_SUBQUERY_EXISTS) {
        /* EXISTS is never NULL: mark IS NOT DISTINCT FROM true */
        tn_expr *t = tn_expr_bool(o->ctx, true);
        tn_expr *isd = t ? tn_expr_new(o->ctx, TN_EXPR_IS_DISTINCT, tn_type_get(TN_BOOL), 2) : NULL;
        if (!isd)
            return tn_opt_oom(o);
        isd->negated = true;
        isd->args[0] = mark;
        isd->args[1] = t;
        mark = isd;
    }
    bool invert = negated_exists || (k == TN_SUBQUERY_IN && e->negated) || k == TN_SUBQUERY_ALL;
    if (invert) {
        tn_expr *n = tn_expr_new(o->ctx, TN_EXPR_NOT, tn_type_get(TN_BOOL), 1);
        if (!n)
            return tn_opt_oom(o);
        n->args[0] = mark;
        mark = n;
    }
    s->input = j;
    *pe = mark;
    return 0;
}

/* Rewrite every subquery inside *pe (not at top level). */
static int rewrite_inside(tn_opt *o, site *s, tn_expr **pe)
{
    tn_expr *e = *pe;
    if (!e)
        return 0;
    if (e->kind == TN_EXPR_SUBQUERY ||
        (e->kind == TN_EXPR_NOT && e->args[0]->kind == TN_EXPR_SUBQUERY &&
         e->args[0]->subquery_kind == TN_SUBQUERY_EXISTS)) {
        tn_expr *inner = e->kind == TN_EXPR_SUBQUERY ? e : e->args[0];
        if (inner->nargs)
            TN_TRY(rewrite_inside(o, s, &inner->args[0]));
        int rc = rewrite_subquery(o, s, pe, false);
        return rc == NOFIT ? 0 : rc;
    }
    for (int32_t i = 0; i < e->nargs; i++)
        TN_TRY(rewrite_inside(o, s, &e->args[i]));
    return 0;
}

static int decorrelate_filter(tn_opt *o, tn_plan **slot)
{
    tn_plan *f = *slot;
    if (!tn_expr_has_subquery(f->predicate))
        return 0;
    tn_expr **list = NULL;
    int32_t n = 0, cap = 0;
    if (tn_expr_conjuncts(o->ctx, f->predicate, &list, &n, &cap))
        return tn_opt_oom(o);
    /* the conjuncts as written, for restrict_to_outer (list is rewritten below) */
    tn_expr **orig = tn_arena_alloc(&o->ctx->arena, sizeof *orig * (size_t)(n + 1));
    if (!orig)
        return tn_opt_oom(o);
    memcpy(orig, list, sizeof *orig * (size_t)n);
    site s = {f->children[0], f->children[0]->out->n_fields, orig, n};
    int32_t nkeep = 0;
    for (int32_t i = 0; i < n; i++) {
        tn_expr *c = list[i];
        int rc = NOFIT;
        if (c->kind == TN_EXPR_SUBQUERY || c->kind == TN_EXPR_NOT) {
            tn_expr *inner = c->kind == TN_EXPR_SUBQUERY ? c : c->args[0];
            if (inner->kind == TN_EXPR_SUBQUERY && inner->nargs)
                TN_TRY(rewrite_inside(o, &s, &inner->args[0]));
            rc = rewrite_subquery(o, &s, &c, true);
            if (rc > 0)
                return rc;
        }
        if (rc == NOFIT)
            TN_TRY(rewrite_inside(o, &s, &c));
        if (c)
            list[nkeep++] = c;
    }
    if (s.input == f->children[0])
        return 0;
    tn_plan *nf = tn_opt_filter(o, s.input, list, nkeep);
    if (!nf)
        return tn_opt_oom(o);
    if (s.input->out->n_fields != s.nl) {
        int32_t *cols = tn_arena_alloc(&o->ctx->arena, sizeof *cols * (size_t)(s.nl + 1));
        if (!cols)
            return tn_opt_oom(o);
        for (int32_t i = 0; i < s.nl; i++)
            cols[i] = i;
        if (!(nf = tn_plan_project_columns(o->ctx, nf, cols, s.nl)))
            return tn_opt_oom(o);
        nf->out = f->out;
    }
    *slot = nf;
    return 0;
}

static int decorrelate_project(tn_opt *o, tn_plan *p)
{
    site s = {p->children[0], p->children[0]->out->n_fields, NULL, 0};
    for (int32_t i = 0; i < p->nexprs; i++)
        if (tn_expr_has_subquery(p->exprs[i]))
            TN_TRY(rewrite_inside(o, &s, &p->exprs[i]));
    p->children[0] = s.input;
    return 0;
}

int tn_rule_decorrelate(tn_opt *o, tn_plan **plan)
{
    tn_plan *p = *plan;
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(tn_rule_decorrelate(o, &p->children[i]));
    if (p->kind == TN_PLAN_FILTER)
        return decorrelate_filter(o, plan);
    if (p->kind == TN_PLAN_PROJECT)
        return decorrelate_project(o, p);
    return 0;
}
