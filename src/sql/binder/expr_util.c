/*
 * expr_util.c — tree helpers over bound expressions and plans (equality,
 * copies, column remapping, conjuncts), shared by the binder and the
 * optimizer. Everything allocates in the plan context's arena.
 */
#include "sql/binder/expr_util.h"

#include <limits.h>
#include <string.h>

static bool scalar_equal(const tn_scalar *a, const tn_scalar *b)
{
    if (!tn_type_equals(a->type, b->type) || a->is_valid != b->is_valid)
        return false;
    if (!a->is_valid)
        return true;
    if (a->bytes || b->bytes)
        return a->n_bytes == b->n_bytes && (a->n_bytes == 0 || memcmp(a->bytes, b->bytes, (size_t)a->n_bytes) == 0);
    return memcmp(&a->v, &b->v, sizeof a->v) == 0;
}

bool tn_expr_equal(const tn_expr *a, const tn_expr *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind || a->nargs != b->nargs)
        return false;
    if ((a->type == NULL) != (b->type == NULL) || (a->type && !tn_type_equals(a->type, b->type)))
        return false;
    switch (a->kind) {
    case TN_EXPR_COLUMN:
    case TN_EXPR_OUTER:
    case TN_EXPR_PARAM:
        if (a->index != b->index || a->depth != b->depth)
            return false;
        break;
    case TN_EXPR_LITERAL:
        if (!scalar_equal(a->value, b->value))
            return false;
        break;
    case TN_EXPR_COMPARE:
        if (a->cmp != b->cmp)
            return false;
        break;
    case TN_EXPR_ARITH:
        if (a->arith != b->arith)
            return false;
        break;
    case TN_EXPR_CAST:
        if (a->try_cast != b->try_cast)
            return false;
        break;
    case TN_EXPR_CALL:
        /* bind_data is computed from the arguments (a compiled pattern, a
         * field index), so equal arguments give equivalent bind_data */
        if (a->func != b->func || !tn_type_equals(a->type, b->type))
            return false;
        break;
    case TN_EXPR_SUBQUERY:
        return false; /* never merged */
    default:
        break;
    }
    if (a->negated != b->negated || a->has_else != b->has_else)
        return false;
    for (int32_t i = 0; i < a->nargs; i++)
        if (!tn_expr_equal(a->args[i], b->args[i]))
            return false;
    return true;
}

tn_expr *tn_expr_copy(tn_plan_ctx *c, const tn_expr *e)
{
    if (!e)
        return NULL;
    tn_expr *n = tn_arena_alloc(&c->arena, sizeof *n);
    if (!n)
        return NULL;
    *n = *e;
    if (e->nargs > 0) {
        n->args = tn_arena_alloc(&c->arena, sizeof *n->args * (size_t)e->nargs);
        if (!n->args)
            return NULL;
        for (int32_t i = 0; i < e->nargs; i++)
            if (!(n->args[i] = tn_expr_copy(c, e->args[i])))
                return NULL;
    }
    return n;
}

void tn_expr_remap(tn_expr *e, const int32_t *map)
{
    if (!e)
        return;
    if (e->kind == TN_EXPR_COLUMN && e->depth == 0)
        e->index = map[e->index];
    for (int32_t i = 0; i < e->nargs; i++)
        tn_expr_remap(e->args[i], map);
}

void tn_expr_shift(tn_expr *e, int32_t from, int32_t delta)
{
    if (!e)
        return;
    if (e->kind == TN_EXPR_COLUMN && e->depth == 0 && e->index >= from)
        e->index += delta;
    for (int32_t i = 0; i < e->nargs; i++)
        tn_expr_shift(e->args[i], from, delta);
}

static void plan_outer_columns(const tn_plan *p, int32_t depth, bool *used, int32_t n);

static void expr_outer_columns(const tn_expr *e, int32_t depth, bool *used, int32_t n)
{
    if (!e)
        return;
    if (e->kind == TN_EXPR_OUTER && e->depth == depth && e->index < n)
        used[e->index] = true;
    if (e->kind == TN_EXPR_SUBQUERY)
        plan_outer_columns(e->subquery, depth + 1, used, n);
    for (int32_t i = 0; i < e->nargs; i++)
        expr_outer_columns(e->args[i], depth, used, n);
}

/* Visit every expression of one plan node. */
typedef void (*expr_visit_fn)(const tn_expr *e, void *arg);

static void visit_node_exprs(const tn_plan *p, expr_visit_fn fn, void *arg)
{
    for (int32_t i = 0; i < p->nfilters; i++)
        fn(p->filters[i], arg);
    for (int64_t r = 0; r < p->nrows; r++)
        for (int32_t i = 0; p->out && i < p->out->n_fields; i++)
            fn(p->rows[r][i], arg);
    if (p->predicate)
        fn(p->predicate, arg);
    for (int32_t i = 0; i < p->nexprs; i++)
        fn(p->exprs[i], arg);
    for (int32_t i = 0; i < p->ngroups; i++)
        fn(p->groups[i], arg);
    for (int32_t a = 0; a < p->naggs; a++) {
        for (int32_t i = 0; i < p->aggs[a].nargs; i++)
            fn(p->aggs[a].args[i], arg);
        if (p->aggs[a].filter)
            fn(p->aggs[a].filter, arg);
        for (int32_t i = 0; i < p->aggs[a].norder; i++)
            fn(p->aggs[a].order[i].expr, arg);
    }
    for (int32_t w = 0; w < p->nwindows; w++) {
        const tn_window_call *wc = &p->windows[w];
        for (int32_t i = 0; i < wc->agg.nargs; i++)
            fn(wc->agg.args[i], arg);
        if (wc->agg.filter)
            fn(wc->agg.filter, arg);
        for (int32_t i = 0; i < wc->npartition; i++)
            fn(wc->partition[i], arg);
        for (int32_t i = 0; i < wc->norder; i++)
            fn(wc->order[i].expr, arg);
    }
    if (p->condition)
        fn(p->condition, arg);
    for (int32_t i = 0; i < p->nkeys; i++) {
        fn(p->left_keys[i], arg);
        fn(p->right_keys[i], arg);
    }
    for (int32_t i = 0; i < p->nsort; i++)
        fn(p->sort[i].expr, arg);
    for (int32_t i = 0; i < p->non; i++)
        fn(p->on_exprs[i], arg);
}

typedef struct outer_arg {
    int32_t depth;
    bool *used;
    int32_t n;
} outer_arg;

static void outer_visit(const tn_expr *e, void *arg)
{
    outer_arg *o = arg;
    expr_outer_columns(e, o->depth, o->used, o->n);
}

static void plan_outer_columns(const tn_plan *p, int32_t depth, bool *used, int32_t n)
{
    if (!p)
        return;
    outer_arg o = {depth, used, n};
    visit_node_exprs(p, outer_visit, &o);
    for (int32_t i = 0; i < p->nchildren; i++)
        plan_outer_columns(p->children[i], depth, used, n);
}

void tn_expr_columns(const tn_expr *e, bool *used, int32_t n)
{
    if (!e)
        return;
    if (e->kind == TN_EXPR_COLUMN && e->depth == 0 && e->index >= 0 && e->index < n)
        used[e->index] = true;
    if (e->kind == TN_EXPR_SUBQUERY)
        plan_outer_columns(e->subquery, 1, used, n);
    for (int32_t i = 0; i < e->nargs; i++)
        tn_expr_columns(e->args[i], used, n);
}

static void column_range(const tn_expr *e, int32_t *lo, int32_t *hi)
{
    if (!e)
        return;
    if (e->kind == TN_EXPR_COLUMN && e->depth == 0) {
        if (e->index < *lo)
            *lo = e->index;
        if (e->index > *hi)
            *hi = e->index;
    }
    for (int32_t i = 0; i < e->nargs; i++)
        column_range(e->args[i], lo, hi);
}

void tn_expr_column_range(const tn_expr *e, int32_t *lo, int32_t *hi)
{
    *lo = INT32_MAX;
    *hi = -1;
    column_range(e, lo, hi);
}

static bool plan_reads_outer(const tn_plan *p, int32_t depth);

static bool expr_reads_outer(const tn_expr *e, int32_t depth)
{
    if (!e)
        return false;
    if (e->kind == TN_EXPR_OUTER && e->depth >= depth)
        return true;
    if (e->kind == TN_EXPR_SUBQUERY && plan_reads_outer(e->subquery, depth + 1))
        return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (expr_reads_outer(e->args[i], depth))
            return true;
    return false;
}

typedef struct reads_arg {
    int32_t depth;
    bool found;
} reads_arg;

static void reads_visit(const tn_expr *e, void *arg)
{
    reads_arg *r = arg;
    if (!r->found && expr_reads_outer(e, r->depth))
        r->found = true;
}

static bool plan_reads_outer(const tn_plan *p, int32_t depth)
{
    if (!p)
        return false;
    reads_arg r = {depth, false};
    visit_node_exprs(p, reads_visit, &r);
    if (r.found)
        return true;
    for (int32_t i = 0; i < p->nchildren; i++)
        if (plan_reads_outer(p->children[i], depth))
            return true;
    return false;
}

bool tn_expr_has_outer(const tn_expr *e) { return expr_reads_outer(e, 1); }

bool tn_plan_has_outer(const tn_plan *p, int32_t depth) { return plan_reads_outer(p, depth); }

bool tn_expr_has_subquery(const tn_expr *e)
{
    if (!e)
        return false;
    if (e->kind == TN_EXPR_SUBQUERY)
        return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (tn_expr_has_subquery(e->args[i]))
            return true;
    return false;
}

int tn_expr_conjuncts(tn_plan_ctx *c, tn_expr *e, tn_expr ***list, int32_t *n, int32_t *cap)
{
    if (!e)
        return 0;
    if (e->kind == TN_EXPR_AND) {
        for (int32_t i = 0; i < e->nargs; i++)
            TN_TRY(tn_expr_conjuncts(c, e->args[i], list, n, cap));
        return 0;
    }
    if (*n == *cap) {
        int32_t ncap = *cap ? *cap * 2 : 8;
        tn_expr **grown = tn_arena_alloc(&c->arena, sizeof *grown * (size_t)ncap);
        if (!grown)
            return tn_error_oom(NULL, sizeof *grown * (size_t)ncap);
        if (*n)
            memcpy(grown, *list, sizeof *grown * (size_t)*n);
        *list = grown;
        *cap = ncap;
    }
    (*list)[(*n)++] = e;
    return 0;
}

tn_expr *tn_expr_bool(tn_plan_ctx *c, bool v)
{
    tn_scalar *s = tn_scalar_bool(v);
    if (!s)
        return NULL;
    return tn_expr_literal(c, s);
}

tn_expr *tn_expr_and_of(tn_plan_ctx *c, tn_expr *const *list, int32_t n)
{
    if (n == 0)
        return NULL;
    if (n == 1)
        return list[0];
    tn_expr *a = tn_expr_new(c, TN_EXPR_AND, tn_type_get(TN_BOOL), n);
    if (!a)
        return NULL;
    for (int32_t i = 0; i < n; i++)
        a->args[i] = list[i];
    return a;
}

tn_schema *tn_plan_schema(tn_plan_ctx *c, int32_t n, const char *const *names, tn_type *const *types)
{
    tn_schema *s = tn_schema_new(n);
    if (!s)
        return NULL;
    for (int32_t i = 0; i < n; i++) {
        if (tn_field_init(&s->fields[i], names[i] ? names[i] : "", tn_type_ref(types[i]), true, NULL) != 0) {
            tn_schema_unref(s);
            return NULL;
        }
    }
    return tn_plan_keep_schema(c, s);
}

tn_schema *tn_plan_join_schema(tn_plan_ctx *c, const tn_schema *l, const tn_schema *r, tn_join_kind k)
{
    int32_t nl = l->n_fields;
    int32_t nr = (k == TN_JOIN_SEMI || k == TN_JOIN_ANTI) ? 0 : k == TN_JOIN_MARK ? 1 : r->n_fields;
    int32_t n = nl + nr;
    const char **names = tn_arena_alloc(&c->arena, sizeof *names * (size_t)(n + 1));
    tn_type **types = tn_arena_alloc(&c->arena, sizeof *types * (size_t)(n + 1));
    if (!names || !types)
        return NULL;
    for (int32_t i = 0; i < nl; i++) {
        names[i] = l->fields[i].name;
        types[i] = l->fields[i].type;
    }
    if (k == TN_JOIN_MARK) {
        names[nl] = "mark";
        types[nl] = tn_type_get(TN_BOOL);
    } else {
        for (int32_t i = 0; i < nr; i++) {
            names[nl + i] = r->fields[i].name;
            types[nl + i] = r->fields[i].type;
        }
    }
    return tn_plan_schema(c, n, names, types);
}

tn_plan *tn_plan_project_columns(tn_plan_ctx *c, tn_plan *child, const int32_t *cols, int32_t n)
{
    tn_plan *p = tn_plan_new(c, TN_PLAN_PROJECT, 1);
    if (!p)
        return NULL;
    p->children[0] = child;
    p->est_rows = child->est_rows;
    p->exprs = tn_arena_alloc(&c->arena, sizeof *p->exprs * (size_t)(n ? n : 1));
    const char **names = tn_arena_alloc(&c->arena, sizeof *names * (size_t)(n ? n : 1));
    tn_type **types = tn_arena_alloc(&c->arena, sizeof *types * (size_t)(n ? n : 1));
    if (!p->exprs || !names || !types)
        return NULL;
    p->nexprs = n;
    for (int32_t i = 0; i < n; i++) {
        const tn_field *f = &child->out->fields[cols[i]];
        if (!(p->exprs[i] = tn_expr_column(c, cols[i], tn_type_ref(f->type))))
            return NULL;
        names[i] = f->name;
        types[i] = f->type;
    }
    p->out = tn_plan_schema(c, n, names, types);
    return p->out ? p : NULL;
}

/* ---- deep copies of plans ---------------------------------------------------------- */

static tn_expr *copy_deep(tn_plan_ctx *c, const tn_expr *e);

static void *dup_array(tn_plan_ctx *c, const void *p, size_t n, size_t size)
{
    if (!p || n == 0)
        return (void *)p;
    void *d = tn_arena_alloc(&c->arena, n * size);
    if (d)
        memcpy(d, p, n * size);
    return d;
}

static bool copy_exprs(tn_plan_ctx *c, tn_expr ***list, int32_t n)
{
    if (!*list || n == 0)
        return true;
    tn_expr **d = tn_arena_alloc(&c->arena, sizeof *d * (size_t)n);
    if (!d)
        return false;
    for (int32_t i = 0; i < n; i++)
        if ((*list)[i] && !(d[i] = copy_deep(c, (*list)[i])))
            return false;
        else if (!(*list)[i])
            d[i] = NULL;
    *list = d;
    return true;
}

static bool copy_sort(tn_plan_ctx *c, tn_sort_spec **s, int32_t n)
{
    if (!*s || n == 0)
        return true;
    tn_sort_spec *d = dup_array(c, *s, (size_t)n, sizeof *d);
    if (!d)
        return false;
    for (int32_t i = 0; i < n; i++)
        if (!(d[i].expr = copy_deep(c, d[i].expr)))
            return false;
    *s = d;
    return true;
}

static bool copy_agg(tn_plan_ctx *c, tn_agg_call *a)
{
    if (!copy_exprs(c, &a->args, a->nargs) || !copy_sort(c, &a->order, a->norder))
        return false;
    return !a->filter || (a->filter = copy_deep(c, a->filter)) != NULL;
}

static tn_expr *copy_deep(tn_plan_ctx *c, const tn_expr *e)
{
    tn_expr *n = tn_arena_alloc(&c->arena, sizeof *n);
    if (!n)
        return NULL;
    *n = *e;
    /* unlike tn_expr_copy, subquery plans are copied too */
    if (n->kind == TN_EXPR_SUBQUERY && !(n->subquery = tn_plan_copy(c, e->subquery)))
        return NULL;
    if (e->nargs > 0) {
        n->args = tn_arena_alloc(&c->arena, sizeof *n->args * (size_t)e->nargs);
        if (!n->args)
            return NULL;
        for (int32_t i = 0; i < e->nargs; i++)
            if (!(n->args[i] = copy_deep(c, e->args[i])))
                return NULL;
    }
    return n;
}

tn_plan *tn_plan_copy(tn_plan_ctx *c, const tn_plan *p)
{
    tn_plan *d = tn_arena_alloc(&c->arena, sizeof *d);
    if (!d)
        return NULL;
    *d = *p;
    if (p->nchildren) {
        d->children = tn_arena_alloc(&c->arena, sizeof *d->children * (size_t)p->nchildren);
        if (!d->children)
            return NULL;
        for (int32_t i = 0; i < p->nchildren; i++)
            if (!(d->children[i] = tn_plan_copy(c, p->children[i])))
                return NULL;
    }
    if ((p->columns && !(d->columns = dup_array(c, p->columns, (size_t)p->ncolumns, sizeof *d->columns))) ||
        !copy_exprs(c, &d->filters, p->nfilters) || !copy_exprs(c, &d->exprs, p->nexprs) ||
        !copy_exprs(c, &d->groups, p->ngroups) || !copy_exprs(c, &d->left_keys, p->nkeys) ||
        !copy_exprs(c, &d->right_keys, p->nkeys) || !copy_exprs(c, &d->on_exprs, p->non) ||
        !copy_sort(c, &d->sort, p->nsort))
        return NULL;
    if (p->predicate && !(d->predicate = copy_deep(c, p->predicate)))
        return NULL;
    if (p->condition && !(d->condition = copy_deep(c, p->condition)))
        return NULL;
    if (p->null_equal && !(d->null_equal = dup_array(c, p->null_equal, (size_t)p->nkeys, sizeof *d->null_equal)))
        return NULL;
    if (p->naggs) {
        if (!(d->aggs = dup_array(c, p->aggs, (size_t)p->naggs, sizeof *d->aggs)))
            return NULL;
        for (int32_t i = 0; i < p->naggs; i++)
            if (!copy_agg(c, &d->aggs[i]))
                return NULL;
    }
    if (p->nwindows) {
        if (!(d->windows = dup_array(c, p->windows, (size_t)p->nwindows, sizeof *d->windows)))
            return NULL;
        for (int32_t i = 0; i < p->nwindows; i++) {
            tn_window_call *w = &d->windows[i];
            if (!copy_agg(c, &w->agg) || !copy_exprs(c, &w->partition, w->npartition) ||
                !copy_sort(c, &w->order, w->norder))
                return NULL;
        }
    }
    if (p->nrows && p->rows) {
        int32_t nc = p->out->n_fields;
        if (!(d->rows = dup_array(c, p->rows, (size_t)p->nrows, sizeof *d->rows)))
            return NULL;
        for (int64_t r = 0; r < p->nrows; r++)
            if (!copy_exprs(c, &d->rows[r], nc))
                return NULL;
    }
    return d;
}
