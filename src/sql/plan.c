/*
 * plan.c — the plan context (arena + references) and node constructors.
 * See plan.h.
 */
#include "sql/plan.h"

#include <string.h>

#include "core/alloc.h"

void tn_plan_ctx_init(tn_plan_ctx *c)
{
    memset(c, 0, sizeof *c);
    tn_arena_init(&c->arena, 0);
}

void tn_plan_ctx_free(tn_plan_ctx *c)
{
    for (size_t i = 0; i < c->ntypes; i++)
        tn_type_unref(c->types[i]);
    for (size_t i = 0; i < c->nscalars; i++)
        tn_scalar_free(c->scalars[i]);
    for (size_t i = 0; i < c->ntables; i++)
        tn_table_unref(c->tables[i]);
    for (size_t i = 0; i < c->nschemas; i++)
        tn_schema_unref(c->schemas[i]);
    tn_free(c->types);
    tn_free(c->scalars);
    tn_free(c->tables);
    tn_free(c->schemas);
    tn_free(c->param_types);
    tn_arena_free(&c->arena);
    memset(c, 0, sizeof *c);
}

/* Append p to a growable pointer array; false on no memory. */
static bool keep(void ***items, size_t *n, size_t *cap, void *p)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        void **grown = tn_realloc(*items, sizeof *grown * ncap);
        if (!grown)
            return false;
        *items = grown;
        *cap = ncap;
    }
    (*items)[(*n)++] = p;
    return true;
}

tn_type *tn_plan_keep_type(tn_plan_ctx *c, tn_type *t)
{
    if (t && !keep((void ***)&c->types, &c->ntypes, &c->captypes, t)) {
        tn_type_unref(t);
        return NULL;
    }
    return t;
}

tn_scalar *tn_plan_keep_scalar(tn_plan_ctx *c, tn_scalar *s)
{
    if (s && !keep((void ***)&c->scalars, &c->nscalars, &c->capscalars, s)) {
        tn_scalar_free(s);
        return NULL;
    }
    return s;
}

tn_table *tn_plan_keep_table(tn_plan_ctx *c, tn_table *t)
{
    if (t && !keep((void ***)&c->tables, &c->ntables, &c->captables, t)) {
        tn_table_unref(t);
        return NULL;
    }
    return t;
}

tn_schema *tn_plan_keep_schema(tn_plan_ctx *c, tn_schema *s)
{
    if (s && !keep((void ***)&c->schemas, &c->nschemas, &c->capschemas, s)) {
        tn_schema_unref(s);
        return NULL;
    }
    return s;
}

tn_expr *tn_expr_new(tn_plan_ctx *c, tn_expr_kind kind, tn_type *type, int32_t nargs)
{
    if (type && !tn_plan_keep_type(c, type))
        return NULL;
    tn_expr *e = tn_arena_calloc(&c->arena, sizeof *e);
    if (!e)
        return NULL;
    e->kind = kind;
    e->type = type;
    e->nargs = nargs;
    if (nargs > 0) {
        e->args = tn_arena_calloc(&c->arena, sizeof *e->args * (size_t)nargs);
        if (!e->args)
            return NULL;
    }
    return e;
}

tn_expr *tn_expr_column(tn_plan_ctx *c, int32_t index, tn_type *type)
{
    tn_expr *e = tn_expr_new(c, TN_EXPR_COLUMN, type, 0);
    if (e)
        e->index = index;
    return e;
}

tn_expr *tn_expr_literal(tn_plan_ctx *c, tn_scalar *value)
{
    if (!tn_plan_keep_scalar(c, value))
        return NULL;
    tn_expr *e = tn_expr_new(c, TN_EXPR_LITERAL, tn_type_ref(value->type), 0);
    if (e)
        e->value = value;
    return e;
}

tn_plan *tn_plan_new(tn_plan_ctx *c, tn_plan_kind kind, int32_t nchildren)
{
    tn_plan *p = tn_arena_calloc(&c->arena, sizeof *p);
    if (!p)
        return NULL;
    p->kind = kind;
    p->est_rows = -1;
    p->limit = -1;
    p->scan_limit = -1;
    p->nchildren = nchildren;
    if (nchildren > 0) {
        p->children = tn_arena_calloc(&c->arena, sizeof *p->children * (size_t)nchildren);
        if (!p->children)
            return NULL;
    }
    return p;
}
