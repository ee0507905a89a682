/*
 * sql_expr_helpers.h — hand-built bound expressions and batches for the
 * tests of the evaluator and the scalar function library.
 *
 * Expressions live in one tn_plan_ctx per test (`P`); constructors exit on
 * no memory (tests do not inject failures while building).
 */
#ifndef TN_SQL_EXPR_HELPERS_H
#define TN_SQL_EXPR_HELPERS_H

#include "compute_helpers.h"
#include "sql/expr/eval.h"
#include "sql/functions/function.h"

static tn_plan_ctx P;

static inline void *must(void *p)
{
    if (!p) {
        fprintf(stderr, "out of memory building a test expression\n");
        exit(2);
    }
    return p;
}

static inline tn_type *T(tn_type_id id)
{
    return tn_type_get(id);
}

static inline tn_expr *col(int32_t i, tn_type *t)
{
    return must(tn_expr_column(&P, i, tn_type_ref(t)));
}
static inline tn_expr *lit(tn_scalar *s)
{
    return must(tn_expr_literal(&P, must(s)));
}
static inline tn_expr *lit_i64(int64_t v)
{
    return lit(tn_scalar_int(T(TN_INT64), v));
}
static inline tn_expr *lit_i32(int64_t v)
{
    return lit(tn_scalar_int(T(TN_INT32), v));
}
static inline tn_expr *lit_f64(double v)
{
    return lit(tn_scalar_double(T(TN_FLOAT64), v));
}
static inline tn_expr *lit_str(const char *s)
{
    return lit(tn_scalar_bytes(T(TN_STRING), s, (int64_t)strlen(s)));
}
static inline tn_expr *lit_bool(bool b)
{
    return lit(tn_scalar_bool(b));
}
static inline tn_expr *lit_null(tn_type *t)
{
    return lit(tn_scalar_null(t));
}
static inline tn_expr *node(tn_expr_kind k, tn_type *t, int32_t nargs)
{
    return must(tn_expr_new(&P, k, t ? tn_type_ref(t) : NULL, nargs));
}
static inline tn_expr *named(tn_expr *e, const char *text)
{
    e->text = text;
    return e;
}
static inline tn_expr *cmp(tn_cmp_op op, tn_expr *a, tn_expr *b)
{
    tn_expr *e = node(TN_EXPR_COMPARE, T(TN_BOOL), 2);
    e->cmp = op;
    e->args[0] = a;
    e->args[1] = b;
    return e;
}
/* a op b typed by tn_arith_result_type. */
static inline tn_expr *arith(tn_arith_op op, tn_expr *a, tn_expr *b)
{
    tn_type *rt = NULL;
    if (tn_arith_result_type(op, a->type, b->type, &rt, NULL))
        exit(2);
    tn_expr *e = must(tn_expr_new(&P, TN_EXPR_ARITH, rt, 2));
    e->arith = op;
    e->args[0] = a;
    e->args[1] = b;
    return e;
}
static inline tn_expr *unary(tn_expr_kind k, tn_type *t, tn_expr *a, bool negated)
{
    tn_expr *e = node(k, t, 1);
    e->args[0] = a;
    e->negated = negated;
    return e;
}
static inline tn_expr *logic2(tn_expr_kind k, tn_expr *a, tn_expr *b)
{
    tn_expr *e = node(k, T(TN_BOOL), 2);
    e->args[0] = a;
    e->args[1] = b;
    return e;
}
static inline tn_expr *cast_to(tn_expr *a, tn_type *t, bool try_cast)
{
    tn_expr *e = node(TN_EXPR_CAST, t, 1);
    e->args[0] = a;
    e->try_cast = try_cast;
    return e;
}

/* A batch of n columns named c0, c1, ... (consumes the arrays). */
static inline tn_batch *batch_of(int n, tn_array **cols)
{
    tn_schema *s = must(tn_schema_new(n));
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        if (tn_field_init(&s->fields[i], name, tn_type_ref(cols[i]->type), true, NULL))
            exit(2);
    }
    tn_batch *b = must(tn_batch_new(s, cols[0]->length));
    tn_schema_unref(s);
    for (int i = 0; i < n; i++)
        b->columns[i] = cols[i];
    return b;
}

/* Evaluate and render "[...]" (or "error: message"); a new string. */
static inline char *eval_fmt(const tn_expr *e, tn_batch *b, const tn_selection *sel)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_array *out = NULL;
    if (tn_expr_eval(NULL, e, b, sel, &out, &err) != 0)
        return tn_sprintf("error: %s", err.message);
    char *s = fmt_arr(out);
    tn_array_unref(out);
    return s;
}

#define CHECK_EVAL(e, b, sel, want)              \
    do {                                         \
        char *got_ = eval_fmt((e), (b), (sel));  \
        CHECK_STR(got_, want);                   \
        tn_free(got_);                           \
    } while (0)

/* The error of evaluating e contains want. */
#define CHECK_EVAL_ERR(e, b, sel, code, want)                             \
    do {                                                                  \
        tarn_error err_;                                                  \
        tarn_error_init(&err_);                                           \
        tn_array *o_ = NULL;                                              \
        CHECK_EQ_INT(tn_expr_eval(NULL, (e), (b), (sel), &o_, &err_), code); \
        CHECK(o_ == NULL);                                                \
        CHECK_MSG(&err_, want);                                           \
        tn_array_unref(o_);                                               \
    } while (0)

#endif
