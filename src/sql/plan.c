/*
 * plan.c — the plan context (arena + references) and node constructors.
 * See plan.h.
 */
#include "sql/plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/datetime.h"
#include "sql/functions/function.h"

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
    for (size_t i = 0; i < c->nrefs; i++)
        c->refs[i].release(c->refs[i].obj);
    tn_free(c->refs);
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

bool tn_plan_keep_ref(tn_plan_ctx *c, void *obj, void (*release)(void *obj))
{
    if (c->nrefs == c->caprefs) {
        size_t ncap = c->caprefs ? c->caprefs * 2 : 4;
        tn_plan_ref *grown = tn_realloc(c->refs, sizeof *grown * ncap);
        if (!grown) {
            release(obj);
            return false;
        }
        c->refs = grown;
        c->caprefs = ncap;
    }
    c->refs[c->nrefs].obj = obj;
    c->refs[c->nrefs++].release = release;
    return true;
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

/* ---- the plan formatter (EXPLAIN's logical tree) -------------------------------
 *
 * One node per line, children indented by two spaces; expressions refer
 * to input columns as #i (a JOIN's condition over left ++ right; its keys
 * are `left = right` with the right key over the right child's columns);
 * subquery plans follow the node that holds them, under a "Subquery:" line.
 */


typedef struct fmt_state {
    tn_buf *out;
    tarn_error *err;
    const tn_plan *subs[64]; /* subquery plans met while formatting one node */
    int nsubs;
} fmt_state;

static int fmt_expr(fmt_state *st, const tn_expr *e);

static int put(fmt_state *st, const char *s) { return tn_buf_append_str(st->out, s, st->err); }

static int fmt_decimal(fmt_state *st, const uint8_t *raw, int32_t scale)
{
    __int128 v;
    memcpy(&v, raw, 16);
    bool neg = v < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
    char digits[64];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u || n <= scale);
    char text[80];
    int k = 0;
    if (neg)
        text[k++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        text[k++] = digits[i];
        if (i == scale && scale > 0)
            text[k++] = '.';
    }
    text[k] = 0;
    return put(st, text);
}

static int fmt_literal(fmt_state *st, const tn_scalar *s)
{
    char b[96];
    if (!s->is_valid)
        return put(st, "NULL");
    const tn_type *t = s->type;
    switch (t->id) {
    case TN_BOOL: return put(st, s->v.b ? "true" : "false");
    case TN_INT8: case TN_INT16: case TN_INT32: case TN_INT64:
        snprintf(b, sizeof b, "%" PRId64, s->v.i);
        return put(st, b);
    case TN_UINT8: case TN_UINT16: case TN_UINT32: case TN_UINT64:
        snprintf(b, sizeof b, "%" PRIu64, s->v.u);
        return put(st, b);
    case TN_FLOAT16: case TN_FLOAT32: case TN_FLOAT64:
        snprintf(b, sizeof b, "%.17g", s->v.f);
        if (!strpbrk(b, ".eEn")) /* 1.0, not 1: a double reads as one */
            strcat(b, ".0");
        return put(st, b);
    case TN_DECIMAL128: return fmt_decimal(st, s->v.raw, t->scale);
    case TN_DATE32:
        tn_format_date(s->v.i, b, sizeof b);
        TN_TRY(put(st, "DATE '"));
        TN_TRY(put(st, b));
        return put(st, "'");
    case TN_TIMESTAMP:
        tn_format_timestamp(s->v.i, (tn_dt_unit)t->unit, t->tz != NULL, b, sizeof b);
        TN_TRY(put(st, "TIMESTAMP '"));
        TN_TRY(put(st, b));
        return put(st, "'");
    case TN_INTERVAL_MONTH_DAY_NANO: {
        int32_t m, d;
        int64_t ns;
        memcpy(&m, s->v.raw, 4);
        memcpy(&d, s->v.raw + 4, 4);
        memcpy(&ns, s->v.raw + 8, 8);
        snprintf(b, sizeof b, "INTERVAL '%d months %d days %" PRId64 " ns'", m, d, ns);
        return put(st, b);
    }
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW:
        TN_TRY(put(st, "'"));
        TN_TRY(tn_buf_append(st->out, s->bytes ? s->bytes : (const uint8_t *)"", (size_t)s->n_bytes, st->err));
        return put(st, "'");
    default:
        TN_TRY(put(st, "<"));
        TN_TRY(tn_type_format(t, st->out, st->err));
        return put(st, " value>");
    }
}

static int fmt_list(fmt_state *st, tn_expr *const *args, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        if (i)
            TN_TRY(put(st, ", "));
        TN_TRY(fmt_expr(st, args[i]));
    }
    return 0;
}

static const char *cmp_text(tn_cmp_op op)
{
    static const char *const t[] = {"=", "<>", "<", "<=", ">", ">="};
    return t[op];
}

static int add_sub(fmt_state *st, const tn_plan *p)
{
    if (st->nsubs < (int)(sizeof st->subs / sizeof st->subs[0]))
        st->subs[st->nsubs++] = p;
    return 0;
}

static int fmt_expr(fmt_state *st, const tn_expr *e)
{
    char b[64];
    if (!e)
        return put(st, "?");
    switch (e->kind) {
    case TN_EXPR_COLUMN:
        snprintf(b, sizeof b, "#%d", e->index);
        return put(st, b);
    case TN_EXPR_OUTER:
        snprintf(b, sizeof b, "outer%d#%d", e->depth, e->index);
        return put(st, b);
    case TN_EXPR_LITERAL: return fmt_literal(st, e->value);
    case TN_EXPR_PARAM:
        snprintf(b, sizeof b, "$%d", e->index);
        return put(st, b);
    case TN_EXPR_CAST:
        TN_TRY(put(st, e->try_cast ? "TRY_CAST(" : "CAST("));
        TN_TRY(fmt_expr(st, e->args[0]));
        TN_TRY(put(st, " AS "));
        TN_TRY(tn_type_format(e->type, st->out, st->err));
        return put(st, ")");
    case TN_EXPR_COMPARE:
        TN_TRY(put(st, "("));
        TN_TRY(fmt_expr(st, e->args[0]));
        snprintf(b, sizeof b, " %s ", cmp_text(e->cmp));
        TN_TRY(put(st, b));
        TN_TRY(fmt_expr(st, e->args[1]));
        return put(st, ")");
    case TN_EXPR_ARITH: {
        static const char *const ops[] = {" + ", " - ", " * ", " / ", " % "};
        TN_TRY(put(st, "("));
        TN_TRY(fmt_expr(st, e->args[0]));
        TN_TRY(put(st, ops[e->arith]));
        TN_TRY(fmt_expr(st, e->args[1]));
        return put(st, ")");
    }
    case TN_EXPR_NEGATE:
        TN_TRY(put(st, "(- "));
        TN_TRY(fmt_expr(st, e->args[0]));
        return put(st, ")");
    case TN_EXPR_AND: case TN_EXPR_OR:
        TN_TRY(put(st, "("));
        for (int32_t i = 0; i < e->nargs; i++) {
            if (i)
                TN_TRY(put(st, e->kind == TN_EXPR_AND ? " AND " : " OR "));
            TN_TRY(fmt_expr(st, e->args[i]));
        }
        return put(st, ")");
    case TN_EXPR_NOT:
        TN_TRY(put(st, "(NOT "));
        TN_TRY(fmt_expr(st, e->args[0]));
        return put(st, ")");
    case TN_EXPR_IS_NULL:
        TN_TRY(put(st, "("));
        TN_TRY(fmt_expr(st, e->args[0]));
        return put(st, e->negated ? " IS NOT NULL)" : " IS NULL)");
    case TN_EXPR_IS_DISTINCT:
        TN_TRY(put(st, "("));
        TN_TRY(fmt_expr(st, e->args[0]));
        TN_TRY(put(st, e->negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM "));
        TN_TRY(fmt_expr(st, e->args[1]));
        return put(st, ")");
    case TN_EXPR_IN_LIST:
        TN_TRY(put(st, "("));
        TN_TRY(fmt_expr(st, e->args[0]));
        TN_TRY(put(st, e->negated ? " NOT IN (" : " IN ("));
        TN_TRY(fmt_list(st, e->args + 1, e->nargs - 1));
        return put(st, "))");
    case TN_EXPR_CASE: {
        TN_TRY(put(st, "CASE"));
        int32_t nw = (e->nargs - (e->has_else ? 1 : 0)) / 2;
        for (int32_t i = 0; i < nw; i++) {
            TN_TRY(put(st, " WHEN "));
            TN_TRY(fmt_expr(st, e->args[2 * i]));
            TN_TRY(put(st, " THEN "));
            TN_TRY(fmt_expr(st, e->args[2 * i + 1]));
        }
        if (e->has_else) {
            TN_TRY(put(st, " ELSE "));
            TN_TRY(fmt_expr(st, e->args[e->nargs - 1]));
        }
        return put(st, " END");
    }
    case TN_EXPR_CALL:
        TN_TRY(put(st, e->func && e->func->name ? e->func->name : "?"));
        TN_TRY(put(st, "("));
        TN_TRY(fmt_list(st, e->args, e->nargs));
        return put(st, ")");
    case TN_EXPR_SUBQUERY: {
        TN_TRY(add_sub(st, e->subquery));
        snprintf(b, sizeof b, "SUBQUERY%d", st->nsubs);
        switch (e->subquery_kind) {
        case TN_SUBQUERY_SCALAR: return put(st, b);
        case TN_SUBQUERY_EXISTS:
            TN_TRY(put(st, "EXISTS("));
            TN_TRY(put(st, b));
            return put(st, ")");
        case TN_SUBQUERY_IN:
            TN_TRY(put(st, "("));
            TN_TRY(fmt_expr(st, e->args[0]));
            TN_TRY(put(st, e->negated ? " NOT IN " : " IN "));
            TN_TRY(put(st, b));
            return put(st, ")");
        case TN_SUBQUERY_ANY: case TN_SUBQUERY_ALL:
            TN_TRY(put(st, "("));
            TN_TRY(fmt_expr(st, e->args[0]));
            TN_TRY(put(st, " "));
            TN_TRY(put(st, cmp_text(e->cmp)));
            TN_TRY(put(st, e->subquery_kind == TN_SUBQUERY_ANY ? " ANY(" : " ALL("));
            TN_TRY(put(st, b));
            return put(st, "))");
        }
        return 0;
    }
    }
    return put(st, "?");
}

int tn_expr_format(const tn_expr *e, tn_buf *out, tarn_error *err)
{
    fmt_state st = {.out = out, .err = err};
    return fmt_expr(&st, e);
}

static int fmt_agg(fmt_state *st, const tn_agg_call *a)
{
    TN_TRY(put(st, a->func && a->func->name ? a->func->name : "?"));
    TN_TRY(put(st, "("));
    if (a->distinct)
        TN_TRY(put(st, "DISTINCT "));
    TN_TRY(fmt_list(st, a->args, a->nargs));
    TN_TRY(put(st, ")"));
    if (a->filter) {
        TN_TRY(put(st, " FILTER (WHERE "));
        TN_TRY(fmt_expr(st, a->filter));
        TN_TRY(put(st, ")"));
    }
    return 0;
}

static int fmt_sort(fmt_state *st, const tn_sort_spec *s, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        if (i)
            TN_TRY(put(st, ", "));
        TN_TRY(fmt_expr(st, s[i].expr));
        if (s[i].descending)
            TN_TRY(put(st, " DESC"));
        if (s[i].nulls_first)
            TN_TRY(put(st, " NULLS FIRST"));
    }
    return 0;
}

static int fmt_bound(fmt_state *st, const tn_frame_bound *b)
{
    switch (b->kind) {
    case TN_BOUND_UNBOUNDED_PRECEDING: return put(st, "UNBOUNDED PRECEDING");
    case TN_BOUND_CURRENT_ROW: return put(st, "CURRENT ROW");
    case TN_BOUND_UNBOUNDED_FOLLOWING: return put(st, "UNBOUNDED FOLLOWING");
    case TN_BOUND_PRECEDING: case TN_BOUND_FOLLOWING:
        TN_TRY(fmt_expr(st, b->offset));
        return put(st, b->kind == TN_BOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
    }
    return 0;
}

static int fmt_window(fmt_state *st, const tn_window_call *w)
{
    if (w->wfunc) {
        /* the call as written, without its OVER clause (printed resolved below) */
        const char *t = w->agg.text ? w->agg.text : "window";
        const char *over = strstr(t, " OVER ");
        TN_TRY(tn_buf_append(st->out, t, over ? (size_t)(over - t) : strlen(t), st->err));
    } else {
        TN_TRY(fmt_agg(st, &w->agg));
    }
    TN_TRY(put(st, " OVER ("));
    if (w->npartition) {
        TN_TRY(put(st, "PARTITION BY "));
        TN_TRY(fmt_list(st, w->partition, w->npartition));
        TN_TRY(put(st, " "));
    }
    if (w->norder) {
        TN_TRY(put(st, "ORDER BY "));
        TN_TRY(fmt_sort(st, w->order, w->norder));
        TN_TRY(put(st, " "));
    }
    static const char *const units[] = {"ROWS", "RANGE", "GROUPS"};
    TN_TRY(put(st, units[w->unit]));
    TN_TRY(put(st, " BETWEEN "));
    TN_TRY(fmt_bound(st, &w->start));
    TN_TRY(put(st, " AND "));
    TN_TRY(fmt_bound(st, &w->end));
    return put(st, ")");
}

static int fmt_names(fmt_state *st, const tn_schema *s)
{
    TN_TRY(put(st, "["));
    for (int32_t i = 0; s && i < s->n_fields; i++) {
        if (i)
            TN_TRY(put(st, ", "));
        TN_TRY(put(st, s->fields[i].name));
    }
    return put(st, "]");
}

static const char *join_name(tn_join_kind k)
{
    static const char *const n[] = {"INNER", "LEFT", "RIGHT", "FULL", "CROSS", "SEMI", "ANTI", "MARK", "SINGLE"};
    return n[k];
}

static int fmt_node(fmt_state *st, const tn_plan *p)
{
    char b[128];
    switch (p->kind) {
    case TN_PLAN_SCAN:
        TN_TRY(put(st, "Scan "));
        TN_TRY(put(st, p->table && p->table->name ? p->table->name : "?"));
        TN_TRY(put(st, " "));
        TN_TRY(fmt_names(st, p->out));
        if (p->nfilters) {
            TN_TRY(put(st, " filters=["));
            TN_TRY(fmt_list(st, p->filters, p->nfilters));
            TN_TRY(put(st, "]"));
        }
        if (p->scan_limit >= 0) {
            snprintf(b, sizeof b, " limit=%" PRId64, p->scan_limit);
            TN_TRY(put(st, b));
        }
        return 0;
    case TN_PLAN_VALUES:
        snprintf(b, sizeof b, "Values rows=%" PRId64 " ", p->nrows);
        TN_TRY(put(st, b));
        TN_TRY(fmt_names(st, p->out));
        for (int64_t r = 0; r < p->nrows && r < 8 && p->out->n_fields; r++) {
            TN_TRY(put(st, r ? ", (" : " ("));
            TN_TRY(fmt_list(st, p->rows[r], p->out->n_fields));
            TN_TRY(put(st, ")"));
        }
        return p->nrows > 8 ? put(st, ", ...") : 0;
    case TN_PLAN_FILTER:
        TN_TRY(put(st, "Filter "));
        return fmt_expr(st, p->predicate);
    case TN_PLAN_PROJECT:
        TN_TRY(put(st, "Project ["));
        TN_TRY(fmt_list(st, p->exprs, p->nexprs));
        return put(st, "]");
    case TN_PLAN_AGGREGATE:
        TN_TRY(put(st, "Aggregate groups=["));
        TN_TRY(fmt_list(st, p->groups, p->ngroups));
        if (p->grouping_sets) {
            TN_TRY(put(st, "] sets=["));
            for (int32_t k = 0; k < p->nsets; k++) {
                TN_TRY(put(st, k ? ", (" : "("));
                bool first = true;
                for (int32_t g = 0; g < p->ngroups; g++)
                    if (p->grouping_sets[k] & ((uint64_t)1 << g)) {
                        snprintf(b, sizeof b, first ? "%d" : ", %d", g);
                        TN_TRY(put(st, b));
                        first = false;
                    }
                TN_TRY(put(st, ")"));
            }
        }
        TN_TRY(put(st, "] aggs=["));
        for (int32_t i = 0; i < p->naggs; i++) {
            if (i)
                TN_TRY(put(st, ", "));
            TN_TRY(fmt_agg(st, &p->aggs[i]));
        }
        return put(st, "]");
    case TN_PLAN_WINDOW:
        TN_TRY(put(st, "Window ["));
        for (int32_t i = 0; i < p->nwindows; i++) {
            if (i)
                TN_TRY(put(st, ", "));
            TN_TRY(fmt_window(st, &p->windows[i]));
        }
        return put(st, "]");
    case TN_PLAN_JOIN:
        TN_TRY(put(st, "Join "));
        TN_TRY(put(st, join_name(p->join)));
        if (p->nkeys) {
            TN_TRY(put(st, " keys=["));
            for (int32_t i = 0; i < p->nkeys; i++) {
                if (i)
                    TN_TRY(put(st, ", "));
                TN_TRY(fmt_expr(st, p->left_keys[i]));
                TN_TRY(put(st, p->null_equal && p->null_equal[i] ? " <=> " : " = "));
                TN_TRY(fmt_expr(st, p->right_keys[i]));
            }
            TN_TRY(put(st, "]"));
        }
        if (p->condition) {
            TN_TRY(put(st, " on "));
            TN_TRY(fmt_expr(st, p->condition));
        }
        return 0;
    case TN_PLAN_SORT:
        TN_TRY(put(st, "Sort ["));
        TN_TRY(fmt_sort(st, p->sort, p->nsort));
        return put(st, "]");
    case TN_PLAN_LIMIT:
        if (p->limit >= 0)
            snprintf(b, sizeof b, "Limit %" PRId64, p->limit);
        else
            snprintf(b, sizeof b, "Limit none");
        TN_TRY(put(st, b));
        if (p->offset > 0) {
            snprintf(b, sizeof b, " offset %" PRId64, p->offset);
            TN_TRY(put(st, b));
        }
        return 0;
    case TN_PLAN_DISTINCT:
        TN_TRY(put(st, "Distinct"));
        if (p->non) {
            TN_TRY(put(st, " on ["));
            TN_TRY(fmt_list(st, p->on_exprs, p->non));
            TN_TRY(put(st, "]"));
        }
        return 0;
    case TN_PLAN_SETOP: {
        static const char *const n[] = {"Union", "Intersect", "Except"};
        TN_TRY(put(st, n[p->setop]));
        return p->all ? put(st, " All") : 0;
    }
    case TN_PLAN_CTE_SCAN: return put(st, "CteScan");
    case TN_PLAN_RECURSIVE_CTE: return put(st, "RecursiveCte");
    case TN_PLAN_INSERT:
        TN_TRY(put(st, "Insert into "));
        return put(st, p->name ? p->name : (p->table && p->table->name ? p->table->name : "?"));
    case TN_PLAN_CREATE_TABLE_AS:
        TN_TRY(put(st, "CreateTableAs "));
        return put(st, p->name ? p->name : "?");
    case TN_PLAN_COPY_TO:
        TN_TRY(put(st, "CopyTo '"));
        TN_TRY(put(st, p->path ? p->path : ""));
        TN_TRY(put(st, "'"));
        for (int32_t i = 0; i < p->noptions; i++) {
            TN_TRY(put(st, i ? ", " : " ("));
            TN_TRY(put(st, p->option_keys[i]));
            TN_TRY(put(st, " "));
            TN_TRY(put(st, p->option_values[i]));
        }
        return p->noptions ? put(st, ")") : 0;
    case TN_PLAN_EXPLAIN: return put(st, p->analyze ? "Explain analyze" : "Explain");
    }
    return put(st, "?");
}

static int fmt_plan(tn_buf *out, const tn_plan *p, int depth, tarn_error *err)
{
    fmt_state st = {.out = out, .err = err};
    for (int i = 0; i < depth; i++)
        TN_TRY(put(&st, "  "));
    TN_TRY(fmt_node(&st, p));
    TN_TRY(put(&st, "\n"));
    for (int i = 0; i < st.nsubs; i++) {
        for (int d = 0; d <= depth; d++)
            TN_TRY(put(&st, "  "));
        char b[32];
        snprintf(b, sizeof b, "Subquery%d:\n", i + 1);
        TN_TRY(put(&st, b));
        TN_TRY(fmt_plan(out, st.subs[i], depth + 2, err));
    }
    for (int32_t i = 0; i < p->nchildren; i++)
        TN_TRY(fmt_plan(out, p->children[i], depth + 1, err));
    return 0;
}

int tn_plan_format(const tn_plan *p, tn_buf *out, tarn_error *err)
{
    return fmt_plan(out, p, 0, err);
}
