/*
 * rule_projection.c — projection pushdown: walk down with the set of
 * output columns the parent needs; SCANs read only those (plus what their
 * filters read), PROJECTs drop unused expressions, joins and filters pass
 * the union of what they and their parent read. Each pruned node returns
 * the map old column -> new column, and its parent remaps its
 * expressions. At least one column always survives, so that row counts
 * (count(*)) stay visible.
 */
#include "sql/optimizer/optimizer_int.h"

#include <string.h>

static int prune(tn_opt *o, tn_plan **slot, const bool *needed, int32_t **map);

static void *zalloc(tn_opt *o, size_t n, size_t size) { return tn_arena_calloc(&o->ctx->arena, (n ? n : 1) * size); }

static int32_t *identity(tn_opt *o, int32_t n)
{
    int32_t *m = zalloc(o, (size_t)n, sizeof *m);
    for (int32_t i = 0; m && i < n; i++)
        m[i] = i;
    return m;
}

static bool *all_true(tn_opt *o, int32_t n)
{
    bool *b = zalloc(o, (size_t)n, sizeof *b);
    for (int32_t i = 0; b && i < n; i++)
        b[i] = true;
    return b;
}

static int keep_all_below(tn_opt *o, tn_plan *p)
{
    for (int32_t i = 0; i < p->nchildren; i++) {
        tn_plan *c = p->children[i];
        bool *all = all_true(o, c->out->n_fields);
        int32_t *m;
        if (!all)
            return tn_opt_oom(o);
        TN_TRY(prune(o, &p->children[i], all, &m));
    }
    return 0;
}

static int prune_scan(tn_opt *o, tn_plan *s, const bool *needed, int32_t **map)
{
    int32_t n = s->out->n_fields;
    bool *use = zalloc(o, (size_t)n, sizeof *use);
    int32_t *m = zalloc(o, (size_t)n, sizeof *m);
    if (!use || !m)
        return tn_opt_oom(o);
    memcpy(use, needed, sizeof *use * (size_t)n);
    for (int32_t i = 0; i < s->nfilters; i++)
        tn_expr_columns(s->filters[i], use, n);
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++)
        k += use[i];
    if (k == 0 && n > 0) {
        use[0] = true;
        k = 1;
    }
    if (k == n) {
        *map = identity(o, n);
        return *map ? 0 : tn_opt_oom(o);
    }
    int32_t *cols = zalloc(o, (size_t)k, sizeof *cols);
    const char **names = zalloc(o, (size_t)k, sizeof *names);
    tn_type **types = zalloc(o, (size_t)k, sizeof *types);
    if (!cols || !names || !types)
        return tn_opt_oom(o);
    int32_t j = 0;
    for (int32_t i = 0; i < n; i++) {
        m[i] = use[i] ? j : -1;
        if (use[i]) {
            cols[j] = s->columns[i];
            names[j] = s->out->fields[i].name;
            types[j++] = s->out->fields[i].type;
        }
    }
    tn_schema *out = tn_plan_schema(o->ctx, k, names, types);
    if (!out)
        return tn_opt_oom(o);
    for (int32_t i = 0; i < s->nfilters; i++)
        tn_expr_remap(s->filters[i], m);
    s->columns = cols;
    s->ncolumns = k;
    s->out = out;
    *map = m;
    return 0;
}

static int prune_project(tn_opt *o, tn_plan *p, const bool *needed, int32_t **map)
{
    int32_t n = p->nexprs;
    int32_t *m = zalloc(o, (size_t)n, sizeof *m);
    tn_plan *c = p->children[0];
    int32_t nc = c->out->n_fields;
    bool *cneed = zalloc(o, (size_t)nc, sizeof *cneed);
    if (!m || !cneed)
        return tn_opt_oom(o);
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++)
        k += needed[i];
    bool first_only = k == 0;
    k = 0;
    tn_expr **exprs = zalloc(o, (size_t)n, sizeof *exprs);
    const char **names = zalloc(o, (size_t)n, sizeof *names);
    tn_type **types = zalloc(o, (size_t)n, sizeof *types);
    if (!exprs || !names || !types)
        return tn_opt_oom(o);
    for (int32_t i = 0; i < n; i++) {
        bool keep = needed[i] || (first_only && i == 0);
        m[i] = keep ? k : -1;
        if (!keep)
            continue;
        tn_expr_columns(p->exprs[i], cneed, nc);
        exprs[k] = p->exprs[i];
        names[k] = p->out->fields[i].name;
        types[k++] = p->out->fields[i].type;
    }
    int32_t *cmap;
    TN_TRY(prune(o, &p->children[0], cneed, &cmap));
    for (int32_t i = 0; i < k; i++)
        tn_expr_remap(exprs[i], cmap);
    if (k != n && !(p->out = tn_plan_schema(o->ctx, k, names, types)))
        return tn_opt_oom(o);
    p->exprs = exprs;
    p->nexprs = k;
    *map = m;
    return 0;
}

/* FILTER, SORT, LIMIT: same columns as the child, plus what they read. */
static int prune_passthrough(tn_opt *o, tn_plan *p, const bool *needed, int32_t **map)
{
    int32_t n = p->out->n_fields;
    bool *use = zalloc(o, (size_t)n, sizeof *use);
    if (!use)
        return tn_opt_oom(o);
    memcpy(use, needed, sizeof *use * (size_t)n);
    tn_expr_columns(p->predicate, use, n);
    for (int32_t i = 0; i < p->nsort; i++)
        tn_expr_columns(p->sort[i].expr, use, n);
    TN_TRY(prune(o, &p->children[0], use, map));
    tn_expr_remap(p->predicate, *map);
    for (int32_t i = 0; i < p->nsort; i++)
        tn_expr_remap(p->sort[i].expr, *map);
    p->out = p->children[0]->out;
    return 0;
}

static int prune_aggregate(tn_opt *o, tn_plan *a, int32_t **map)
{
    tn_plan *c = a->children[0];
    int32_t nc = c->out->n_fields;
    bool *use = zalloc(o, (size_t)nc, sizeof *use);
    if (!use)
        return tn_opt_oom(o);
    for (int32_t i = 0; i < a->ngroups; i++)
        tn_expr_columns(a->groups[i], use, nc);
    for (int32_t g = 0; g < a->naggs; g++) {
        tn_agg_call *ag = &a->aggs[g];
        for (int32_t i = 0; i < ag->nargs; i++)
            tn_expr_columns(ag->args[i], use, nc);
        tn_expr_columns(ag->filter, use, nc);
        for (int32_t i = 0; i < ag->norder; i++)
            tn_expr_columns(ag->order[i].expr, use, nc);
    }
    int32_t *cmap;
    TN_TRY(prune(o, &a->children[0], use, &cmap));
    for (int32_t i = 0; i < a->ngroups; i++)
        tn_expr_remap(a->groups[i], cmap);
    for (int32_t g = 0; g < a->naggs; g++) {
        tn_agg_call *ag = &a->aggs[g];
        for (int32_t i = 0; i < ag->nargs; i++)
            tn_expr_remap(ag->args[i], cmap);
        tn_expr_remap(ag->filter, cmap);
        for (int32_t i = 0; i < ag->norder; i++)
            tn_expr_remap(ag->order[i].expr, cmap);
    }
    *map = identity(o, a->out->n_fields);
    return *map ? 0 : tn_opt_oom(o);
}

static int prune_window(tn_opt *o, tn_plan *w, const bool *needed, int32_t **map)
{
    tn_plan *c = w->children[0];
    int32_t nc = c->out->n_fields, n = w->out->n_fields;
    bool *use = zalloc(o, (size_t)nc, sizeof *use);
    int32_t *m = zalloc(o, (size_t)n, sizeof *m);
    if (!use || !m)
        return tn_opt_oom(o);
    memcpy(use, needed, sizeof *use * (size_t)nc);
    for (int32_t k = 0; k < w->nwindows; k++) {
        tn_window_call *wc = &w->windows[k];
        for (int32_t i = 0; i < wc->agg.nargs; i++)
            tn_expr_columns(wc->agg.args[i], use, nc);
        tn_expr_columns(wc->agg.filter, use, nc);
        for (int32_t i = 0; i < wc->npartition; i++)
            tn_expr_columns(wc->partition[i], use, nc);
        for (int32_t i = 0; i < wc->norder; i++)
            tn_expr_columns(wc->order[i].expr, use, nc);
    }
    int32_t *cmap;
    TN_TRY(prune(o, &w->children[0], use, &cmap));
    for (int32_t k = 0; k < w->nwindows; k++) {
        tn_window_call *wc = &w->windows[k];
        for (int32_t i = 0; i < wc->agg.nargs; i++)
            tn_expr_remap(wc->agg.args[i], cmap);
        tn_expr_remap(wc->agg.filter, cmap);
        for (int32_t i = 0; i < wc->npartition; i++)
            tn_expr_remap(wc->partition[i], cmap);
        for (int32_t i = 0; i < wc->norder; i++)
            tn_expr_remap(wc->order[i].expr, cmap);
    }
    int32_t nnc = w->children[0]->out->n_fields;
    const char **names = zalloc(o, (size_t)(nnc + w->nwindows), sizeof *names);
    tn_type **types = zalloc(o, (size_t)(nnc + w->nwindows), sizeof *types);
    if (!names || !types)
        return tn_opt_oom(o);
    for (int32_t i = 0; i < nnc; i++) {
        names[i] = w->children[0]->out->fields[i].name;
        types[i] = w->children[0]->out->fields[i].type;
    }
    for (int32_t k = 0; k < w->nwindows; k++) {
        names[nnc + k] = w->out->fields[nc + k].name;
        types[nnc + k] = w->out->fields[nc + k].type;
    }
    for (int32_t i = 0; i < nc; i++)
        m[i] = cmap[i];
    for (int32_t k = 0; k < w->nwindows; k++)
        m[nc + k] = nnc + k;
    if (!(w->out = tn_plan_schema(o->ctx, nnc + w->nwindows, names, types)))
        return tn_opt_oom(o);
    *map = m;
    return 0;
}

static int prune_join(tn_opt *o, tn_plan *j, const bool *needed, int32_t **map)
{
    tn_plan *l = j->children[0], *r = j->children[1];
    int32_t nl = l->out->n_fields, nr = r->out->n_fields, n = j->out->n_fields;
    bool *lu = zalloc(o, (size_t)nl, sizeof *lu), *ru = zalloc(o, (size_t)nr, sizeof *ru);
    bool *both = zalloc(o, (size_t)(nl + nr), sizeof *both);
    int32_t *m = zalloc(o, (size_t)n, sizeof *m);
    if (!lu || !ru || !both || !m)
        return tn_opt_oom(o);
    bool right_out = j->join != TN_JOIN_SEMI && j->join != TN_JOIN_ANTI && j->join != TN_JOIN_MARK;
    for (int32_t i = 0; i < nl; i++)
        lu[i] = needed[i];
    if (right_out)
        for (int32_t i = 0; i < nr; i++)
            ru[i] = needed[nl + i];
    tn_expr_columns(j->condition, both, nl + nr);
    for (int32_t i = 0; i < nl; i++)
        lu[i] = lu[i] || both[i];
    for (int32_t i = 0; i < nr; i++)
        ru[i] = ru[i] || both[nl + i];
    for (int32_t i = 0; i < j->nkeys; i++) {
        tn_expr_columns(j->left_keys[i], lu, nl);
        tn_expr_columns(j->right_keys[i], ru, nr);
    }
    int32_t *lm, *rm;
    TN_TRY(prune(o, &j->children[0], lu, &lm));
    TN_TRY(prune(o, &j->children[1], ru, &rm));
    int32_t nnl = j->children[0]->out->n_fields;
    int32_t *cm = zalloc(o, (size_t)(nl + nr), sizeof *cm);
    if (!cm)
        return tn_opt_oom(o);
    for (int32_t i = 0; i < nl; i++)
        cm[i] = lm[i];
    for (int32_t i = 0; i < nr; i++)
        cm[nl + i] = rm[i] < 0 ? -1 : nnl + rm[i];
    tn_expr_remap(j->condition, cm);
    for (int32_t i = 0; i < j->nkeys; i++) {
        tn_expr_remap(j->left_keys[i], lm);
        tn_expr_remap(j->right_keys[i], rm);
    }
    for (int32_t i = 0; i < nl; i++)
        m[i] = lm[i];
    if (j->join == TN_JOIN_MARK)
        m[nl] = nnl;
    else if (right_out)
        for (int32_t i = 0; i < nr; i++)
            m[nl + i] = cm[nl + i];
    if (!(j->out = tn_plan_join_schema(o->ctx, j->children[0]->out, j->children[1]->out, j->join)))
        return tn_opt_oom(o);
    *map = m;
    return 0;
}

static int prune(tn_opt *o, tn_plan **slot, const bool *needed, int32_t **map)
{
    tn_plan *p = *slot;
    switch (p->kind) {
    case TN_PLAN_SCAN: return prune_scan(o, p, needed, map);
    case TN_PLAN_PROJECT: return prune_project(o, p, needed, map);
    case TN_PLAN_FILTER: case TN_PLAN_SORT: case TN_PLAN_LIMIT: return prune_passthrough(o, p, needed, map);
    case TN_PLAN_AGGREGATE: return prune_aggregate(o, p, map);
    case TN_PLAN_WINDOW: return prune_window(o, p, needed, map);
    case TN_PLAN_JOIN: return prune_join(o, p, needed, map);
    default:
        TN_TRY(keep_all_below(o, p));
        *map = identity(o, p->out->n_fields);
        return *map ? 0 : tn_opt_oom(o);
    }
}

int tn_rule_projection(tn_opt *o, tn_plan **plan)
{
    bool *all = all_true(o, (*plan)->out->n_fields);
    int32_t *m;
    if (!all)
        return tn_opt_oom(o);
    return prune(o, plan, all, &m);
}
