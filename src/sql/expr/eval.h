/*
 * eval.h — evaluating bound expressions (sql/plan.h) on batches.
 *
 * The evaluator walks an expression tree once per batch, calling a
 * vectorized kernel per node (arrow/compute/, sql/functions/): no per-row
 * interpretation. Selections flow down so that a predicate's later
 * conjuncts only look at rows the earlier ones kept, and CASE/AND/OR only
 * evaluate a branch on the rows that reach it (so `CASE WHEN x <> 0 THEN
 * 1 / x END` never divides by zero).
 *
 * Run-time errors name the expression: `division by zero in "l_price /
 * l_qty" at row 17` (the expression's text from the SQL).
 */
#ifndef TN_SQL_EVAL_H
#define TN_SQL_EVAL_H

#include "sql/plan.h"

/* What an evaluation needs besides the batch: parameter values ($1 is
 * params[0]) and the values of uncorrelated subqueries already run
 * (the physical planner computes them first and replaces each SUBQUERY
 * expression by a literal, so the evaluator never meets one). */
typedef struct tn_eval_ctx {
    tn_scalar *const *params;
    int32_t nparams;
} tn_eval_ctx;

/* The value of e on the rows of `in` named by sel (every row when sel is
 * NULL): an array of sel->n (or in->length) rows in *out. `in` may be NULL
 * for an expression without column references (then the result has one
 * row, or sel->n rows). */
int tn_expr_eval(const tn_eval_ctx *ctx, const tn_expr *e, tn_batch *in, const tn_selection *sel,
                 tn_array **out, tarn_error *err) TN_MUST_USE;

/* The rows of sel (all rows when NULL) where predicate e is true (NULL
 * counts as false), written to rows (room for sel->n or in->length
 * entries), count in *n. */
int tn_expr_select(const tn_eval_ctx *ctx, const tn_expr *e, tn_batch *in, const tn_selection *sel,
                   int32_t *rows, int64_t *n, tarn_error *err) TN_MUST_USE;

/* Whether e calls a volatile function (random(), a UDF declared volatile)
 * or an unresolved one: such an expression must run exactly where and as
 * often as written, so rewrites do not copy, factor or move it. */
bool tn_expr_has_volatile(const tn_expr *e);
/* Whether e reads no column, parameter or volatile function: it can be
 * folded to a literal once. */
bool tn_expr_is_constant(const tn_expr *e);
/* The value of a constant expression (a new scalar). */
int tn_expr_eval_constant(const tn_eval_ctx *ctx, const tn_expr *e, tn_scalar **out, tarn_error *err) TN_MUST_USE;

/* Row `row` of array a as a scalar (a new one), e.g. to turn a subquery's
 * result into a literal. */
int tn_scalar_from_array(tn_array *a, int64_t row, tn_scalar **out, tarn_error *err) TN_MUST_USE;

#endif
