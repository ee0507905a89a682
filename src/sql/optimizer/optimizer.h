/*
 * optimizer.h — logical rewrites of a bound plan (sql/plan.h) before the
 * physical planner sees it. One rule per file; tn_optimize runs them in
 * order:
 *
 *   decorrelate        correlated / IN subqueries -> SEMI, ANTI, MARK,
 *                      SINGLE and LEFT joins (+ grouping), so no subquery
 *                      runs per row (rule_decorrelate.c)
 *   simplify           boolean simplification; constant folding through the
 *                      evaluator when linked (rule_simplify.c)
 *   or filters         conjuncts common to every branch of an OR are
 *                      factored out; per join input, the OR of each
 *                      branch's conjuncts on that input is added
 *                      (implied, so it only filters earlier) (rule_or_filters.c)
 *   filter pushdown    conjuncts down through PROJECT / JOIN / AGGREGATE /
 *                      SORT / DISTINCT / UNION into SCAN filters; CROSS
 *                      joins with conditions become INNER (rule_filter_pushdown.c)
 *   join order         greedy reordering of inner-join trees by estimated
 *                      size, never a cross product when a predicate links
 *                      the inputs; the smaller side is the build (right) side
 *                      (rule_join_order.c)
 *   join keys          equalities between the two sides become left_keys /
 *                      right_keys (rule_join_keys.c)
 *   projection pushdown  SCAN reads only the columns used (rule_projection.c);
 *                      stacked PROJECTs merge when nothing is computed twice
 *                      (rule_merge_projections.c)
 *   limit pushdown     LIMIT into scans without filters (rule_limit.c)
 *   operator inputs    computed inputs of AGGREGATE / WINDOW become columns of
 *                      a PROJECT under them (rule_operator_inputs.c; always
 *                      runs: the operators read only columns)
 *
 * Every rule keeps each node's `out` what its parent expects. Subquery
 * plans left in expressions (uncorrelated scalars / EXISTS) are optimized
 * too.
 */
#ifndef TN_SQL_OPTIMIZER_H
#define TN_SQL_OPTIMIZER_H

#include "sql/plan.h"

typedef struct tn_optimize_options {
    bool no_decorrelate, no_simplify, no_filter_pushdown, no_join_order, no_join_keys, no_projection,
        no_limit, no_or_filters; /* switch single rules off (tests, EXPLAIN comparisons) */
} tn_optimize_options;

/* Rewrite *plan in place (new nodes in ctx); o may be NULL (all rules). */
int tn_optimize(tn_plan_ctx *ctx, const tn_optimize_options *o, tn_plan **plan, tarn_error *err) TN_MUST_USE;

#endif
