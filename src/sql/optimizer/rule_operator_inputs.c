/*
 * rule_operator_inputs.c — aggregates and window calls read plain columns:
 * every computed group key, argument, FILTER or ORDER BY expression of an
 * AGGREGATE or WINDOW node becomes a column of a PROJECT placed under it
 * (equal expressions computed once), as DuckDB plans them. The operators
 * then only gather columns; expressions are evaluated vectorized by the
 * projection. A WINDOW keeps its output through a PROJECT above that
 * drops the extra columns.
 */
#include "sql/optimizer/optimizer_int.h"

#include <string.h>

typedef struct inputs {
    tn_plan *child;
    int32_t nc;
    tn_expr **extra;
    int32_t nextra, cap;
} inputs;

/* Replace *pe by a column of the projection when it is computed. */
static int to_column(tn_opt *o, inputs *in, tn_expr **pe)
{
    tn_expr *e = *pe;
    if (!e || (e->kind == TN_EXPR_COLUMN && e->depth == 0))
        return 0;
    int32_t k = -1;
    for (int32_t i = 0; i < in->nextra && k < 0; i++)
        if (tn_expr_equal(in->extra[i], e))
            k = i;
    if (k < 0) {
        if (in->nextra == in->cap) {
            int32_t ncap = in->cap ? in->cap * 2 : 8;
            tn_expr **g = tn_arena_alloc(&o->ctx->arena, sizeof *g * (size_t)ncap);
            if (!g)
                return tn_opt_oom(o);
            if (in->nextra)
                memcpy(g, in->extra, sizeof *g * (size_t)in->nextra);
            in->extra = g;
            in->cap = ncap;
        }
        k = in->nextra;
        in->extra[in->nextra++] = e;
    }
    tn_expr *c = tn_expr_column(o->ctx, in->nc + k, tn_type_ref(e->type));
    if (!c)
        return tn_opt_oom(o);
    c->text = e->text;
    c->loc = e->loc;
    *pe = c;
    return 0;
}

static int agg_call_inputs(tn_opt *o, inputs *in, tn_agg_call *a)
{
    for (int32_t i = 0; i < a->nargs; i++)
        TN_TRY(to_column(o, in, &a->args[i]));
    TN_TRY(to_column(o, in, &a->filter));
    for (int32_t i = 0; i < a->norder; i++)
        TN_TRY(to_column(o, in, &a->order[i].expr));
    return 0;
}

/* The PROJECT: the child's columns, then the computed inputs. */
static tn_plan *projection(tn_opt *o, inputs *in)
{
    int32_t n = in->nc + in->nextra;
    tn_plan *p = tn_plan_new(o->ctx, TN_PLAN_PROJECT, 1);
    const char **names = tn_arena_alloc(&o->ctx->arena, sizeof *names * (size_t)n);
    tn_type **types = tn_arena_alloc(&o->ctx->arena, sizeof *types * (size_t)n);
    if (!p || !names || !types)
        return NULL;
    p->children[0] = in->child;
    p->nexprs = n;
    p->exprs = tn_arena_alloc(&o->ctx->arena, sizeof *p->exprs * (size_t)n);
    if (!p->exprs)
        return NULL;
    for (int32_t i = 0; i < in->nc; i++) {
        const tn_field *f = &in->child->out->fields[i];
        if (!(p->exprs[i] = tn_expr_column(o->ctx, i, tn_type_ref(f->type))))
            return NULL;
        names[i] = f->name;
        types[i] = f->type;
    }
    for (int32_t k = 0; k < in->nextra; k++) {
        p->exprs[in->nc + k] = in->extra[k];
        names[in->nc + k] = in->extra[k]->text ? in->extra[k]->text : "expr";
        types[in->nc + k] = in->extra[k]->type;
    }
    if (!(p->out = tn_plan_schema(o->ctx, n, names, types)))
        return NULL;
    p->est_rows = in->child->est_rows;
    return p;
}

static int aggregate_inputs(tn_opt *o, tn_plan *a)
{
    inputs in = {a->children[0], a->children[0]->out->n_fields, NULL, 0, 0};
    for (int32_t i = 0; i < a->ngroups; i++)
        TN_TRY(to_column(o, &in, &a->groups[i]));
    for (int32_t i = 0; i < a->naggs; i++)
        TN_TRY(agg_call_inputs(o, &in, &a->aggs[i]));
    if (in.nextra == 0)
        return 0;
    tn_plan *p = projection(o, &in);
    if (!p)
        return tn_opt_oom(o);
    a->children[0] = p;
    return 0;
}

static int window_inputs(tn_opt *o, tn_plan **slot)
{
    tn_plan *w = *slot;
    inputs in = {w->children[0], w->children[0]->out->n_fields, NULL, 0, 0};
    for (int32_t k = 0; k < w->nwindows; k++) {
        tn_window_call *wc = &w->windows[k];
        TN_TRY(agg_call_inputs(o, &in, &wc->agg));
        for (int32_t i = 0; i < wc->npartition; i++)
            TN_TRY(to_column(o, &in, &wc->partition[i]));
        for (int32_t i = 0; i < wc->norder; i++)
            TN_TRY(to_column(o, &in, &wc->order[i].expr));
    }
    if (in.nextra == 0)
        return 0;
    tn_plan *p = projection(o, &in);
    if (!p)
        return tn_opt_oom(o);
    const tn_schema *old = w->out;
    w->children[0] = p;
    int32_t nw = w->nwindows, n = in.nc + in.nextra + nw;
    const char **names = tn_arena_alloc(&o->ctx->arena, sizeof *names * (size_t)n);
    tn_type **types = tn_arena_alloc(&o->ctx->arena, sizeof *types * (size_t)n);
    int32_t *keep = tn_arena_alloc(&o->ctx->arena, sizeof *keep * (size_t)(in.nc + nw));
    if (!names || !types || !keep)
        return tn_opt_oom(o);
    for (int32_t i = 0; i < in.nc + in.nextra; i++) {
        names[i] = p->out->fields[i].name;
        types[i] = p->out->fields[i].type;
    }
    for (int32_t k = 0; k < nw; k++) {
        names[in.nc + in.nextra + k] = old->fields[in.nc + k].name;
        types[in.nc + in.nextra + k] = old->fields[in.nc + k].type;
    }
    if (!(w->out = tn_plan_schema(o->ctx, n, names, types)))
        return tn_opt_oom(o);
    for (int32_t i = 0; i < in.nc; i++)
        keep[i] = i;
    for (int32_t k = 0; k < nw; k++)
        keep[in.nc + k] = in.nc + in.nextra + k;
    tn_plan *top = tn_plan_project_columns(o->ctx, w, keep, in.nc + nw);
    if (!top)
        return tn_opt_oom(o);
    top->out = (tn_schema *)old;
    *slot = top;
    return 0;
}

int tn_rule_operator_inputs(tn_opt *o, tn_plan **plan)
{
    tn_plan *p = *plan;
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(tn_rule_operator_inputs(o, &p->children[i]));
    if (p->kind == TN_PLAN_AGGREGATE)
        return aggregate_inputs(o, p);
    if (p->kind == TN_PLAN_WINDOW)
        return window_inputs(o, plan);
    return 0;
}
