/*
 * sql_mini_bind.h — a small binder for the tests of the function library
 * and the evaluator's fuzz target: SQL expressions of literals, columns
 * (by name in a schema), function calls, LIKE, EXTRACT, CAST, ||,
 * arithmetic, comparisons, AND/OR/NOT and CASE, parsed by the real parser
 * and resolved through tn_scalar_func_resolve. Literals are typed as
 * DuckDB types them (INTEGER, BIGINT, DECIMAL(p,s) for 1.25, DOUBLE for
 * 1e0). With `lits` set, every literal becomes a column of a batch instead
 * (the scalars are collected there), to run the same call on arrays.
 */
#ifndef TN_SQL_MINI_BIND_H
#define TN_SQL_MINI_BIND_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/compute/compute.h"
#include "sql/expr/eval.h"
#include "sql/functions/function.h"
#include "sql/parser/parser.h"

typedef struct mini_lits {
    tn_scalar **items; /* owned */
    int n, cap;
} mini_lits;

static inline void mini_lits_free(mini_lits *l)
{
    for (int i = 0; i < l->n; i++)
        tn_scalar_free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static inline tn_type *mini_type(const tn_sql_type *t)
{
    if (!t || t->kind != TN_SQL_TYPE_NAMED)
        return NULL;
    const char *n = t->name;
    if (!strcmp(n, "INTEGER") || !strcmp(n, "INT") || !strcmp(n, "INT4"))
        return tn_type_get(TN_INT32);
    if (!strcmp(n, "BIGINT") || !strcmp(n, "INT8"))
        return tn_type_get(TN_INT64);
    if (!strcmp(n, "SMALLINT"))
        return tn_type_get(TN_INT16);
    if (!strcmp(n, "TINYINT"))
        return tn_type_get(TN_INT8);
    if (!strcmp(n, "DOUBLE") || !strcmp(n, "FLOAT8"))
        return tn_type_get(TN_FLOAT64);
    if (!strcmp(n, "FLOAT") || !strcmp(n, "REAL"))
        return tn_type_get(TN_FLOAT32);
    if (!strcmp(n, "VARCHAR") || !strcmp(n, "TEXT"))
        return tn_type_get(TN_STRING);
    if (!strcmp(n, "BOOLEAN") || !strcmp(n, "BOOL"))
        return tn_type_get(TN_BOOL);
    if (!strcmp(n, "DATE"))
        return tn_type_get(TN_DATE32);
    if (!strcmp(n, "TIMESTAMP"))
        return tn_type_timestamp(TN_MICRO, NULL);
    if (!strcmp(n, "BLOB"))
        return tn_type_get(TN_BINARY);
    if (!strcmp(n, "DECIMAL") || !strcmp(n, "NUMERIC"))
        return tn_type_decimal(128, t->nparams > 0 ? (int32_t)t->params[0] : 18,
                               t->nparams > 1 ? (int32_t)t->params[1] : 3);
    return NULL;
}

/* A literal of text s cast to type t. */
static inline tn_scalar *mini_cast_text(const char *s, size_t len, tn_type *t)
{
    tn_scalar *str = tn_scalar_bytes(tn_type_get(TN_STRING), s, (int64_t)len);
    tn_array *one = NULL, *c = NULL;
    tn_scalar *out = NULL;
    if (str && tn_scalar_to_array(str, &one, NULL) == 0 && tn_cast(one, t, TN_CAST_STRICT, &c, NULL) == 0)
        if (tn_scalar_from_array(c, 0, &out, NULL) != 0)
            out = NULL;
    tn_array_unref(one);
    tn_array_unref(c);
    tn_scalar_free(str);
    tn_type_unref(t);
    return out;
}

static inline tn_scalar *mini_number(const char *text)
{
    if (strchr(text, 'e') || strchr(text, 'E'))
        return tn_scalar_double(tn_type_get(TN_FLOAT64), strtod(text, NULL));
    const char *dot = strchr(text, '.');
    int digits = 0, scale = 0;
    for (const char *p = text; *p; p++)
        if (isdigit((unsigned char)*p)) {
            digits++;
            if (dot && p > dot)
                scale++;
        }
    int prec = digits > scale ? digits : scale;
    if (prec == 0)
        prec = 1;
    if (prec > 38)
        return tn_scalar_double(tn_type_get(TN_FLOAT64), strtod(text, NULL));
    return mini_cast_text(text, strlen(text), tn_type_decimal(128, prec, scale));
}

static inline int mini_bind(tn_plan_ctx *c, const tn_sql_expr *a, const tn_schema *s, mini_lits *lits,
                            tn_expr **out, tarn_error *err);

static inline int mini_literal(tn_plan_ctx *c, tn_scalar *v, mini_lits *lits, tn_expr **out, tarn_error *err)
{
    if (!v)
        return tn_error_set(err, TARN_EPARSE, "bad literal");
    if (!lits) {
        *out = tn_expr_literal(c, v);
        return *out ? TARN_OK : TARN_ENOMEM;
    }
    if (lits->n == lits->cap) {
        lits->cap = lits->cap ? lits->cap * 2 : 8;
        lits->items = realloc(lits->items, sizeof *lits->items * (size_t)lits->cap);
    }
    lits->items[lits->n] = v;
    *out = tn_expr_column(c, lits->n, tn_type_ref(v->type));
    lits->n++;
    return *out ? TARN_OK : TARN_ENOMEM;
}

static inline int mini_call(tn_plan_ctx *c, const char *name, tn_expr **args, int n, uint32_t loc, tn_expr **out,
                            tarn_error *err)
{
    return tn_scalar_func_resolve(c, name, args, n, loc, out, err);
}

static inline int mini_args(tn_plan_ctx *c, const tn_sql_exprs *l, const tn_schema *s, mini_lits *lits,
                            tn_expr **args, tarn_error *err)
{
    for (int i = 0; i < l->n; i++)
        TN_TRY(mini_bind(c, l->items[i], s, lits, &args[i], err));
    return TARN_OK;
}

/* Cast both sides of a comparison to their common type. */
static inline int mini_common(tn_plan_ctx *c, tn_expr **a, tn_expr **b, tarn_error *err)
{
    if (tn_type_equals((*a)->type, (*b)->type))
        return TARN_OK;
    tn_type *t = NULL;
    if (tn_type_is_string((*a)->type->id) && (*b)->type->id != TN_NA)
        t = tn_type_ref((*b)->type);
    else if (tn_type_is_string((*b)->type->id) && (*a)->type->id != TN_NA)
        t = tn_type_ref((*a)->type);
    else if ((*a)->type->id == TN_NA)
        t = tn_type_ref((*b)->type);
    else if ((*b)->type->id == TN_NA)
        t = tn_type_ref((*a)->type);
    else
        TN_TRY(tn_common_type((*a)->type, (*b)->type, &t, err));
    tn_expr **sides[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        if (tn_type_equals((*sides[i])->type, t))
            continue;
        tn_expr *e = tn_expr_new(c, TN_EXPR_CAST, tn_type_ref(t), 1);
        if (!e)
            break;
        e->args[0] = *sides[i];
        *sides[i] = e;
    }
    tn_type_unref(t);
    return TARN_OK;
}

static inline int mini_bind(tn_plan_ctx *c, const tn_sql_expr *a, const tn_schema *s, mini_lits *lits,
                            tn_expr **out, tarn_error *err)
{
    tn_expr *args[16] = {0};
    switch (a->kind) {
    case TN_SQL_LIT_NULL: return mini_literal(c, tn_scalar_null(tn_type_get(TN_NA)), lits, out, err);
    case TN_SQL_LIT_BOOL: return mini_literal(c, tn_scalar_bool(a->boolean), lits, out, err);
    case TN_SQL_LIT_INT: {
        errno = 0;
        long long v = strtoll(a->text, NULL, 10);
        if (errno)
            return mini_literal(c, mini_number(a->text), lits, out, err);
        tn_type *t = tn_type_get(v >= INT32_MIN && v <= INT32_MAX ? TN_INT32 : TN_INT64);
        return mini_literal(c, tn_scalar_int(t, v), lits, out, err);
    }
    case TN_SQL_LIT_NUMBER: return mini_literal(c, mini_number(a->text), lits, out, err);
    case TN_SQL_LIT_STRING:
        return mini_literal(c, tn_scalar_bytes(tn_type_get(TN_STRING), a->text, a->len), lits, out, err);
    case TN_SQL_LIT_TYPED: {
        tn_type *t = mini_type(a->type);
        if (!t)
            return tn_error_set(err, TARN_EUNSUPPORTED, "typed literal");
        return mini_literal(c, mini_cast_text(a->right->text, a->right->len, t), lits, out, err);
    }
    case TN_SQL_COLUMN: {
        const char *name = a->name.parts[a->name.n - 1].text;
        int32_t i = s ? tn_schema_find(s, name) : -1;
        if (i < 0)
            return tn_error_set(err, TARN_ENOTFOUND, "column %s", name);
        *out = tn_expr_column(c, i, tn_type_ref(s->fields[i].type));
        return *out ? TARN_OK : TARN_ENOMEM;
    }
    case TN_SQL_FUNC: {
        if (a->list.n > 16)
            return tn_error_set(err, TARN_EUNSUPPORTED, "too many arguments");
        TN_TRY(mini_args(c, &a->list, s, lits, args, err));
        return mini_call(c, a->name.parts[a->name.n - 1].text, args, a->list.n, a->loc, out, err);
    }
    case TN_SQL_LIKE: {
        TN_TRY(mini_bind(c, a->left, s, lits, &args[0], err));
        TN_TRY(mini_bind(c, a->right, s, lits, &args[1], err));
        int n = 2;
        if (a->third) {
            TN_TRY(mini_bind(c, a->third, s, lits, &args[2], err));
            n = 3;
        }
        if (a->like == TN_SQL_LIKE_SIMILAR)
            return tn_error_set(err, TARN_EUNSUPPORTED, "SIMILAR TO");
        char name[32];
        snprintf(name, sizeof name, "%s%s%s", a->negated ? "not_" : "", a->like == TN_SQL_LIKE_ILIKE ? "ilike" : "like",
                 n == 3 ? "_escape" : "");
        return mini_call(c, name, args, n, a->loc, out, err);
    }
    case TN_SQL_EXTRACT: {
        TN_TRY(mini_literal(c, tn_scalar_bytes(tn_type_get(TN_STRING), a->text, (int64_t)strlen(a->text)), NULL,
                            &args[0], err));
        TN_TRY(mini_bind(c, a->left, s, lits, &args[1], err));
        return mini_call(c, "date_part", args, 2, a->loc, out, err);
    }
    case TN_SQL_CAST: {
        tn_type *t = mini_type(a->type);
        if (!t)
            return tn_error_set(err, TARN_EUNSUPPORTED, "cast type");
        TN_TRY(mini_bind(c, a->left, s, lits, &args[0], err));
        if (!tn_cast_supported(args[0]->type, t)) {
            tn_type_unref(t);
            return tn_error_set(err, TARN_ETYPE, "unsupported cast");
        }
        tn_expr *e = tn_expr_new(c, TN_EXPR_CAST, t, 1);
        if (!e)
            return TARN_ENOMEM;
        e->args[0] = args[0];
        e->try_cast = a->try_cast;
        *out = e;
        return TARN_OK;
    }
    case TN_SQL_UNARY: {
        TN_TRY(mini_bind(c, a->left, s, lits, &args[0], err));
        if (a->op == TN_SQL_OP_PLUS) {
            *out = args[0];
            return TARN_OK;
        }
        if (a->op == TN_SQL_OP_BITNOT)
            return mini_call(c, "bitwise_not", args, 1, a->loc, out, err);
        tn_expr_kind k = a->op == TN_SQL_OP_NOT ? TN_EXPR_NOT : TN_EXPR_NEGATE;
        if (a->op != TN_SQL_OP_NOT && a->op != TN_SQL_OP_NEG)
            return tn_error_set(err, TARN_EUNSUPPORTED, "unary operator");
        tn_expr *e = tn_expr_new(c, k, tn_type_ref(args[0]->type), 1);
        if (!e)
            return TARN_ENOMEM;
        e->args[0] = args[0];
        *out = e;
        return TARN_OK;
    }
    case TN_SQL_IS: {
        TN_TRY(mini_bind(c, a->left, s, lits, &args[0], err));
        if (a->is != TN_SQL_IS_NULL)
            return tn_error_set(err, TARN_EUNSUPPORTED, "IS form");
        tn_expr *e = tn_expr_new(c, TN_EXPR_IS_NULL, tn_type_get(TN_BOOL), 1);
        if (!e)
            return TARN_ENOMEM;
        e->args[0] = args[0];
        e->negated = a->negated;
        *out = e;
        return TARN_OK;
    }
    case TN_SQL_BINARY: {
        TN_TRY(mini_bind(c, a->left, s, lits, &args[0], err));
        TN_TRY(mini_bind(c, a->right, s, lits, &args[1], err));
        tn_expr *e = NULL;
        switch (a->op) {
        case TN_SQL_OP_CONCAT: return mini_call(c, "||", args, 2, a->loc, out, err);
        /* operator names as the binder maps them */
        case TN_SQL_OP_BITAND: return mini_call(c, "bitwise_and", args, 2, a->loc, out, err);
        case TN_SQL_OP_BITOR: return mini_call(c, "bitwise_or", args, 2, a->loc, out, err);
        case TN_SQL_OP_SHL: return mini_call(c, "shift_left", args, 2, a->loc, out, err);
        case TN_SQL_OP_SHR: return mini_call(c, "shift_right", args, 2, a->loc, out, err);
        case TN_SQL_OP_POW: return mini_call(c, "pow", args, 2, a->loc, out, err);
        case TN_SQL_OP_AND:
        case TN_SQL_OP_OR:
            e = tn_expr_new(c, a->op == TN_SQL_OP_AND ? TN_EXPR_AND : TN_EXPR_OR, tn_type_get(TN_BOOL), 2);
            break;
        case TN_SQL_OP_EQ: case TN_SQL_OP_NE: case TN_SQL_OP_LT: case TN_SQL_OP_LE: case TN_SQL_OP_GT:
        case TN_SQL_OP_GE:
            TN_TRY(mini_common(c, &args[0], &args[1], err));
            e = tn_expr_new(c, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2);
            if (e)
                e->cmp = (tn_cmp_op)(a->op - TN_SQL_OP_EQ);
            break;
        case TN_SQL_OP_ADD: case TN_SQL_OP_SUB: case TN_SQL_OP_MUL: case TN_SQL_OP_DIV: case TN_SQL_OP_MOD: {
            tn_arith_op op = (tn_arith_op)(a->op - TN_SQL_OP_ADD);
            tn_type *rt = NULL;
            TN_TRY(tn_arith_result_type(op, args[0]->type, args[1]->type, &rt, err));
            e = tn_expr_new(c, TN_EXPR_ARITH, rt, 2);
            if (e)
                e->arith = op;
            break;
        }
        default: return tn_error_set(err, TARN_EUNSUPPORTED, "binary operator");
        }
        if (!e)
            return TARN_ENOMEM;
        e->args[0] = args[0];
        e->args[1] = args[1];
        *out = e;
        return TARN_OK;
    }
    case TN_SQL_CASE: {
        if (a->left || a->list.n == 0)
            return tn_error_set(err, TARN_EUNSUPPORTED, "simple CASE");
        int n = 2 * a->list.n + (a->right ? 1 : 0);
        tn_expr *e = tn_expr_new(c, TN_EXPR_CASE, NULL, n);
        if (!e)
            return TARN_ENOMEM;
        for (int i = 0; i < a->list.n; i++) {
            TN_TRY(mini_bind(c, a->list.items[i], s, lits, &e->args[2 * i], err));
            TN_TRY(mini_bind(c, a->list2.items[i], s, lits, &e->args[2 * i + 1], err));
        }
        if (a->right) {
            TN_TRY(mini_bind(c, a->right, s, lits, &e->args[n - 1], err));
            e->has_else = true;
        }
        e->type = e->args[1]->type; /* the first THEN's type (kept by the context) */
        *out = e;
        return TARN_OK;
    }
    default: return tn_error_set(err, TARN_EUNSUPPORTED, "expression kind %d", (int)a->kind);
    }
}

/* Parse "SELECT <text>" and bind its one item. */
static inline int mini_parse_bind(tn_plan_ctx *c, const char *text, const tn_schema *s, mini_lits *lits,
                                  tn_expr **out, tarn_error *err)
{
    size_t n = strlen(text);
    char *sql = tn_arena_alloc(&c->arena, n + 8);
    if (!sql)
        return TARN_ENOMEM;
    memcpy(sql, "SELECT ", 7);
    memcpy(sql + 7, text, n + 1);
    tn_sql_stmt *st = NULL;
    TN_TRY(tn_sql_parse_one(sql, n + 7, &c->arena, &st, err));
    if (st->kind != TN_SQL_STMT_QUERY || st->query->body->kind != TN_SQL_Q_SELECT ||
        st->query->body->select->nitems != 1 || st->query->body->select->nfrom != 0)
        return tn_error_set(err, TARN_EUNSUPPORTED, "not a single expression");
    tn_sql_expr *e = st->query->body->select->items[0].expr;
    TN_TRY(mini_bind(c, e, s, lits, out, err));
    if (*out && !(*out)->text)
        (*out)->text = text;
    return TARN_OK;
}

#endif
