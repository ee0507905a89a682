/*
 * sql_expr_bind.h — one SQL expression through the real parser and binder
 * (tn_bind_query_text), for the tests of the function library and the
 * evaluator's fuzz target: `SELECT <expr> [FROM <table>]` is bound against
 * a catalog and the select list's expression is taken from the plan,
 * which must be a PROJECT over the table's SCAN (or over the one-row
 * VALUES of a SELECT without FROM); anything else (aggregates, windows,
 * subqueries, parameters, a text that changes the query's shape) is
 * refused with TARN_EINVAL so that the caller evaluates only expressions
 * over the columns it holds.
 *
 * expr_literals_to_columns then turns every literal of a bound expression
 * into a column of a batch the caller builds from the collected scalars,
 * to run the same calls on arrays. A call whose bind consumed a literal
 * (bind_data: a LIKE pattern, a date part, a regular expression) is
 * resolved again over the columns, so its kernel runs the per-row path,
 * unless the function needs the constant there (round's digits, the
 * 'epoch' part that makes date_part a double): then the call keeps it.
 */
#ifndef TN_SQL_EXPR_BIND_H
#define TN_SQL_EXPR_BIND_H

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "sql/binder/binder.h"
#include "sql/functions/function.h"

/* No subquery, outer reference, parameter or placeholder anywhere in e. */
static inline bool expr_is_plain(const tn_expr *e)
{
    if (e->kind == TN_EXPR_SUBQUERY || e->kind == TN_EXPR_OUTER || e->kind == TN_EXPR_PARAM ||
        (e->kind == TN_EXPR_COLUMN && e->depth != 0))
        return false;
    for (int32_t i = 0; i < e->nargs; i++)
        if (!expr_is_plain(e->args[i]))
            return false;
    return true;
}

/* Bind `SELECT <expr> [FROM <from>]` against cat (which may be empty) into
 * ctx with options o (may be NULL); *out is the expression. */
static inline int bind_select_expr_with(tn_catalog *cat, const tn_bind_options *o, const char *from,
                                        const char *expr, size_t len, tn_plan_ctx *ctx, tn_expr **out,
                                        tarn_error *err)
{
    *out = NULL;
    size_t cap = len + (from ? strlen(from) : 0) + 32;
    char *sql = tn_malloc(cap);
    if (!sql)
        return tn_error_oom(err, cap);
    memcpy(sql, "SELECT ", 7);
    memcpy(sql + 7, expr, len);
    size_t k = 7 + len;
    if (from)
        k += (size_t)snprintf(sql + k, cap - k, "\nFROM %s", from);
    sql[k] = '\0';
    tn_plan *p = NULL;
    int rc = tn_bind_query_text(cat, o, sql, ctx, &p, err);
    tn_free(sql);
    TN_TRY(rc);
    tn_plan_kind below = from ? TN_PLAN_SCAN : TN_PLAN_VALUES;
    if (p->kind != TN_PLAN_PROJECT || p->nexprs != 1 || p->nchildren != 1 || p->children[0]->kind != below ||
        (from && p->children[0]->nfilters) || !expr_is_plain(p->exprs[0]))
        return tn_error_set(err, TARN_EINVAL, "not a single expression over the table");
    if (from) {
        /* the scan must read the table's columns in order */
        const tn_plan *s = p->children[0];
        for (int32_t i = 0; i < s->ncolumns; i++)
            if (s->columns[i] != i)
                return tn_error_set(err, TARN_EINVAL, "the scan reorders the columns");
    }
    *out = p->exprs[0];
    return TARN_OK;
}

static inline int bind_select_expr(tn_catalog *cat, const char *from, const char *expr, size_t len,
                                   tn_plan_ctx *ctx, tn_expr **out, tarn_error *err)
{
    return bind_select_expr_with(cat, NULL, from, expr, len, ctx, out, err);
}

typedef struct expr_lits {
    tn_scalar **items; /* borrowed from the plan context */
    int n, cap;
    int base;          /* index of the first literal column */
} expr_lits;

static inline void expr_lits_free(expr_lits *l)
{
    tn_free(l->items);
    memset(l, 0, sizeof *l);
}

/* Replace the literals of e (in place) by columns base, base+1, ... whose
 * values are collected in l. */
static inline int expr_literals_to_columns(tn_plan_ctx *c, tn_expr *e, expr_lits *l, tarn_error *err)
{
    bool rebind = false;
    tn_expr *saved[16];
    for (int32_t i = 0; i < e->nargs && i < 16; i++)
        saved[i] = e->args[i];
    for (int32_t i = 0; i < e->nargs; i++) {
        tn_expr *a = e->args[i];
        if (a->kind != TN_EXPR_LITERAL) {
            TN_TRY(expr_literals_to_columns(c, a, l, err));
            continue;
        }
        rebind = e->kind == TN_EXPR_CALL && e->bind_data;
        if (l->n == l->cap) {
            int ncap = l->cap ? l->cap * 2 : 8;
            tn_scalar **g = tn_realloc(l->items, sizeof *g * (size_t)ncap);
            TN_TRY_ALLOC(g, err, sizeof *g * (size_t)ncap);
            l->items = g;
            l->cap = ncap;
        }
        tn_expr *col = tn_expr_column(c, l->base + l->n, tn_type_ref(a->type));
        TN_TRY_ALLOC(col, err, sizeof *col);
        col->loc = a->loc;
        col->text = a->text;
        l->items[l->n++] = a->value;
        e->args[i] = col;
    }
    if (rebind && e->nargs <= 16) {
        tn_expr *again = NULL;
        tarn_error ignored;
        if (tn_scalar_func_resolve(c, e->func->name, e->args, e->nargs, e->loc, &again, &ignored) == 0 &&
            tn_type_equals(again->type, e->type)) {
            const char *text = e->text;
            *e = *again;
            e->text = text;
        } else {
            /* the function needs the constant (or types by it): keep it */
            for (int32_t i = 0; i < e->nargs; i++)
                e->args[i] = saved[i];
        }
    }
    return TARN_OK;
}

#endif
