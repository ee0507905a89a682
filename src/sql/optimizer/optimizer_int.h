/*
 * optimizer_int.h — the rules tn_optimize runs (one per file) and helpers
 * they share.
 */
#ifndef TN_SQL_OPTIMIZER_INT_H
#define TN_SQL_OPTIMIZER_INT_H

#include "sql/binder/expr_util.h"
#include "sql/optimizer/optimizer.h"

typedef struct tn_opt {
    tn_plan_ctx *ctx;
    const tn_optimize_options *o;
    tarn_error *err;
} tn_opt;

int tn_rule_decorrelate(tn_opt *o, tn_plan **plan) TN_MUST_USE;
int tn_rule_simplify(tn_opt *o, tn_plan **plan) TN_MUST_USE;
int tn_rule_or_filters(tn_opt *o, tn_plan **plan) TN_MUST_USE;
int tn_rule_filter_pushdown(tn_opt *o, tn_plan **plan) TN_MUST_USE;
int tn_rule_join_order(tn_opt *o, tn_plan **plan) TN_MUST_USE;
int tn_rule_join_keys(tn_opt *o, tn_plan **plan) TN_MUST_USE;
int tn_rule_projection(tn_opt *o, tn_plan **plan) TN_MUST_USE;
int tn_rule_limit(tn_opt *o, tn_plan **plan) TN_MUST_USE;
int tn_rule_operator_inputs(tn_opt *o, tn_plan **plan) TN_MUST_USE;
int tn_rule_merge_projections(tn_opt *o, tn_plan **plan) TN_MUST_USE;

int tn_opt_oom(tn_opt *o);
/* A FILTER over child with the AND of preds (child itself when n == 0). */
tn_plan *tn_opt_filter(tn_opt *o, tn_plan *child, tn_expr *const *preds, int32_t n);
/* Estimated rows of a plan (the node's est_rows, else a guess from its inputs). */
double tn_opt_rows(const tn_plan *p);

#endif
