/*
 * expr_util.h — helpers over bound expressions and plans shared by the
 * binder and the optimizer rules: structural equality, deep copies,
 * column remapping, conjunct lists, column-use sets.
 */
#ifndef TN_SQL_EXPR_UTIL_H
#define TN_SQL_EXPR_UTIL_H

#include "sql/plan.h"

bool tn_expr_equal(const tn_expr *a, const tn_expr *b);
/* A deep copy in c's arena (subquery plans are shared, not copied). */
tn_expr *tn_expr_copy(tn_plan_ctx *c, const tn_expr *e);

/* Replace every COLUMN index i (depth 0) by map[i] (map[i] < 0 must not
 * occur); in place. */
void tn_expr_remap(tn_expr *e, const int32_t *map);
/* Add `delta` to every COLUMN index >= from; in place. */
void tn_expr_shift(tn_expr *e, int32_t from, int32_t delta);
/* Set used[i] for every COLUMN i the expression reads (i < n); subquery
 * plans' OUTER references at the matching depth count too. */
void tn_expr_columns(const tn_expr *e, bool *used, int32_t n);
/* Lowest and highest COLUMN index read (INT32_MAX / -1 when none). */
void tn_expr_column_range(const tn_expr *e, int32_t *lo, int32_t *hi);
/* Whether e (or a subquery inside it) reads an OUTER column of depth >= 1
 * relative to e's own level. */
bool tn_expr_has_outer(const tn_expr *e);
bool tn_expr_has_subquery(const tn_expr *e);
/* Whether a plan reads columns of the query `depth` levels above it. */
bool tn_plan_has_outer(const tn_plan *p, int32_t depth);

/* Conjuncts: append e's AND-ed parts to the growable list. */
int tn_expr_conjuncts(tn_plan_ctx *c, tn_expr *e, tn_expr ***list, int32_t *n, int32_t *cap) TN_MUST_USE;
/* The AND of list[0..n-1] (NULL when n == 0). */
tn_expr *tn_expr_and_of(tn_plan_ctx *c, tn_expr *const *list, int32_t n);
/* A boolean literal. */
tn_expr *tn_expr_bool(tn_plan_ctx *c, bool v);

/* A schema with the given fields (names copied, types referenced), kept by c. */
tn_schema *tn_plan_schema(tn_plan_ctx *c, int32_t n, const char *const *names, tn_type *const *types);
/* Output schema of a JOIN of l and r of kind k. */
tn_schema *tn_plan_join_schema(tn_plan_ctx *c, const tn_schema *l, const tn_schema *r, tn_join_kind k);
/* A deep copy of a plan (nodes, expressions, subquery plans) in c's
 * arena, for rewrites that need an input twice: rules mutate nodes in
 * place, so a plan tree never shares a subtree. */
tn_plan *tn_plan_copy(tn_plan_ctx *c, const tn_plan *p);
/* A PROJECT over child with the columns cols[0..n-1] of the child. */
tn_plan *tn_plan_project_columns(tn_plan_ctx *c, tn_plan *child, const int32_t *cols, int32_t n);

#endif
