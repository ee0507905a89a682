/*
 * plan.h — bound expressions and the logical plan: what the binder
 * (sql/binder/) produces from the AST, what the optimizer (sql/optimizer/)
 * rewrites, and what the physical planner (sql/exec/) turns into operators.
 *
 * Model
 *  - Every plan node produces rows with a schema (`out`: names and Arrow
 *    types; names are for display and DESCRIBE, never for lookup — binding
 *    is done). Columns are referred to by POSITION in the node's input:
 *    an expression of a node with one child reads child column i as
 *    TN_EXPR_COLUMN index i; a JOIN's expressions read the left child's
 *    columns 0..nl-1 followed by the right child's nl..nl+nr-1.
 *  - Types are Arrow types (tn_type). Every expression carries its result
 *    type, fixed by the binder: implicit casts are explicit TN_EXPR_CAST
 *    nodes, so the executor never guesses.
 *  - Nodes and expressions live in the plan's arena (tn_plan_ctx) and are
 *    freed with it; types, scalars and tables they hold are references
 *    released by tn_plan_ctx_free (every such reference is registered with
 *    the context when taken: tn_plan_keep_*).
 *  - Optimizer rules rewrite trees in place or build new nodes in the same
 *    context; a node's `out` must stay what its parent expects.
 */
#ifndef TN_SQL_PLAN_H
#define TN_SQL_PLAN_H

#include "arrow/compute/compute.h"
#include "core/arena.h"
#include "sql/catalog.h"

typedef struct tn_expr tn_expr;
typedef struct tn_plan tn_plan;
typedef struct tn_scalar_func tn_scalar_func; /* sql/functions/function.h */
typedef struct tn_agg_func tn_agg_func;
typedef struct tn_window_func tn_window_func;

/* ---- the context owning a bound statement -------------------------------- */

typedef struct tn_plan_ctx {
    tn_arena arena;
    /* references released with the context */
    tn_type **types;
    size_t ntypes, captypes;
    tn_scalar **scalars;
    size_t nscalars, capscalars;
    tn_table **tables;
    size_t ntables, captables;
    tn_schema **schemas;
    size_t nschemas, capschemas;
    struct tn_plan_ref *refs; /* other reference-counted things (user-defined functions) */
    size_t nrefs, caprefs;
    int nparams;           /* highest $n seen */
    tn_type **param_types; /* [nparams], NULL where not yet inferred */
} tn_plan_ctx;

void tn_plan_ctx_init(tn_plan_ctx *c);
void tn_plan_ctx_free(tn_plan_ctx *c);
/* Register a reference (taken by the caller) to be released with c; the
 * argument is returned, or NULL (and the reference released) on no memory. */
tn_type *tn_plan_keep_type(tn_plan_ctx *c, tn_type *t);
tn_scalar *tn_plan_keep_scalar(tn_plan_ctx *c, tn_scalar *s);
tn_table *tn_plan_keep_table(tn_plan_ctx *c, tn_table *t);
tn_schema *tn_plan_keep_schema(tn_plan_ctx *c, tn_schema *s);
/* Any other reference: release(obj) runs when c is freed (or now, on no
 * memory, when false is returned). */
typedef struct tn_plan_ref {
    void *obj;
    void (*release)(void *obj);
} tn_plan_ref;
bool tn_plan_keep_ref(tn_plan_ctx *c, void *obj, void (*release)(void *obj)) TN_MUST_USE;

/* ---- bound expressions ---------------------------------------------------- */

typedef enum tn_expr_kind {
    TN_EXPR_COLUMN,    /* index: input column */
    TN_EXPR_OUTER,     /* correlated reference to column `index` of the input of the
                        * enclosing query `depth` levels up; only inside a SUBQUERY's
                        * plan; the optimizer decorrelates them away before exec */
    TN_EXPR_LITERAL,   /* value (its type is `type`) */
    TN_EXPR_PARAM,     /* index: $index, 1-based; value given at execution */
    TN_EXPR_CAST,      /* args[0] to type; `try_cast`: failures become NULL */
    TN_EXPR_COMPARE,   /* args[0] cmp args[1]; operands already of one type */
    TN_EXPR_ARITH,     /* args[0] arith args[1] (tn_arith rules) */
    TN_EXPR_NEGATE,    /* -args[0] */
    TN_EXPR_AND,       /* n-ary Kleene AND over args[0..nargs-1] */
    TN_EXPR_OR,        /* n-ary Kleene OR */
    TN_EXPR_NOT,
    TN_EXPR_IS_NULL,   /* negated: IS NOT NULL */
    TN_EXPR_IS_DISTINCT, /* args[0] IS DISTINCT FROM args[1]; negated: IS NOT DISTINCT FROM */
    TN_EXPR_IN_LIST,   /* args[0] IN (args[1..]); negated: NOT IN; SQL null rules */
    TN_EXPR_CASE,      /* args: when0, then0, when1, then1, ..., [else when has_else] */
    TN_EXPR_CALL,      /* func(args): a scalar function (sql/functions/function.h) */
    TN_EXPR_SUBQUERY   /* subquery: a scalar, EXISTS, IN or quantified subquery */
} tn_expr_kind;

typedef enum tn_subquery_kind {
    TN_SUBQUERY_SCALAR, /* one column; more than one row is an error; none is NULL */
    TN_SUBQUERY_EXISTS,
    TN_SUBQUERY_IN,     /* args[0] IN (subquery's one column); negated for NOT IN */
    TN_SUBQUERY_ANY,    /* args[0] cmp ANY (...) */
    TN_SUBQUERY_ALL     /* args[0] cmp ALL (...) */
} tn_subquery_kind;

struct tn_expr {
    tn_expr_kind kind;
    tn_type *type;       /* result type (kept by the plan context) */
    uint32_t loc;        /* byte offset in the SQL text, for run-time error messages */
    int32_t index;       /* COLUMN, OUTER, PARAM */
    int32_t depth;       /* OUTER */
    tn_scalar *value;    /* LITERAL */
    tn_cmp_op cmp;       /* COMPARE, SUBQUERY ANY/ALL */
    tn_arith_op arith;   /* ARITH */
    bool negated;        /* IS_NULL, IS_DISTINCT, IN_LIST, SUBQUERY IN */
    bool try_cast;       /* CAST */
    bool has_else;       /* CASE */
    const tn_scalar_func *func; /* CALL: the resolved overload */
    void *bind_data;     /* CALL: per-call state from the function's bind (arena or NULL) */
    tn_expr **args;
    int32_t nargs;
    tn_subquery_kind subquery_kind;
    tn_plan *subquery;   /* SUBQUERY: the plan (its output column 0 is the value) */
    const char *text;    /* the SQL text of the expression, for error messages and EXPLAIN */
};

/* ---- logical plan ----------------------------------------------------------- */

typedef enum tn_plan_kind {
    TN_PLAN_SCAN,      /* a table: read columns `columns` (indexes into the table's schema;
                        * out has them in that order) keeping rows where every
                        * `filters` conjunct holds (expressions over `out`) */
    TN_PLAN_VALUES,    /* rows[r][c]: constant expressions; `nrows` x out->n_fields
                        * (SELECT without FROM is one row of zero columns) */
    TN_PLAN_FILTER,    /* predicate over the child's columns */
    TN_PLAN_PROJECT,   /* exprs: one output column each */
    TN_PLAN_AGGREGATE, /* out: the group exprs, then the aggregates, then (with
                        * grouping sets) a "grouping id" uint64 column */
    TN_PLAN_WINDOW,    /* out: the child's columns, then one column per window call */
    TN_PLAN_JOIN,      /* children[0] left, children[1] right; see tn_join_kind */
    TN_PLAN_SORT,      /* sort keys over the child's columns; out = child's columns */
    TN_PLAN_LIMIT,     /* limit (< 0: none) and offset rows of the child */
    TN_PLAN_DISTINCT,  /* distinct rows of the child; with on_exprs: DISTINCT ON,
                        * the first row per key in the child's order */
    TN_PLAN_SETOP,     /* children[0..nchildren-1]; UNION [ALL] is n-ary,
                        * INTERSECT/EXCEPT [ALL] binary; out types unified by the binder */
    TN_PLAN_CTE_SCAN,  /* reads the rows of a materialized CTE (cte: its plan) */
    TN_PLAN_RECURSIVE_CTE, /* children[0] anchor, children[1] step; the step reads
                            * the previous iteration through a CTE_SCAN with
                            * `recursive_ref` pointing back to this node */
    TN_PLAN_INSERT,    /* insert child's rows into `table` (out: one int64 "Count") */
    TN_PLAN_CREATE_TABLE_AS, /* create `name` from the child (out: "Count") */
    TN_PLAN_COPY_TO,   /* write the child to path with format options (out: "Count") */
    TN_PLAN_EXPLAIN    /* children[0]: explain it (analyze: run it and report) */
} tn_plan_kind;

typedef enum tn_join_kind {
    TN_JOIN_INNER, TN_JOIN_LEFT, TN_JOIN_RIGHT, TN_JOIN_FULL,
    TN_JOIN_CROSS,     /* no condition */
    TN_JOIN_SEMI,      /* left rows with a match; out = left's columns */
    TN_JOIN_ANTI,      /* left rows without a match; out = left's columns */
    TN_JOIN_MARK,      /* out = left's columns + bool "mark": whether a match exists
                        * (NULL when no match but a NULL compared: SQL IN semantics) */
    TN_JOIN_SINGLE     /* LEFT join that fails when a left row matches more than one
                        * right row (scalar subqueries) */
} tn_join_kind;

typedef struct tn_sort_spec {
    tn_expr *expr;
    bool descending;
    bool nulls_first;
} tn_sort_spec;

/* An aggregate call in an AGGREGATE or WINDOW node. */
typedef struct tn_agg_call {
    const tn_agg_func *func;
    void *bind_data;
    tn_expr **args;        /* over the child's columns */
    int32_t nargs;
    bool distinct;
    tn_expr *filter;       /* FILTER (WHERE ...) or NULL */
    tn_sort_spec *order;   /* ORDER BY inside the call (string_agg, array_agg) */
    int32_t norder;
    tn_type *type;         /* result type */
    size_t state_size;     /* bytes of one group's state (set by the resolver) */
    const char *text;
} tn_agg_call;

typedef enum tn_frame_unit { TN_FRAME_ROWS, TN_FRAME_RANGE, TN_FRAME_GROUPS } tn_frame_unit;
typedef enum tn_frame_bound_kind {
    TN_BOUND_UNBOUNDED_PRECEDING, TN_BOUND_PRECEDING, TN_BOUND_CURRENT_ROW,
    TN_BOUND_FOLLOWING, TN_BOUND_UNBOUNDED_FOLLOWING
} tn_frame_bound_kind;

typedef struct tn_frame_bound {
    tn_frame_bound_kind kind;
    tn_expr *offset; /* PRECEDING/FOLLOWING: a constant expression */
} tn_frame_bound;

/* A window call: either a window function (rank, lag, ...) or an aggregate. */
typedef struct tn_window_call {
    const tn_window_func *wfunc; /* exactly one of wfunc, agg.func is set */
    tn_agg_call agg;             /* args / filter / type live here for both kinds */
    tn_expr **partition;
    int32_t npartition;
    tn_sort_spec *order;
    int32_t norder;
    tn_frame_unit unit;
    tn_frame_bound start, end;   /* default: RANGE UNBOUNDED PRECEDING .. CURRENT ROW
                                  * with ORDER BY, the whole partition without */
    bool ignore_nulls;
} tn_window_call;

typedef enum tn_setop_kind { TN_SETOP_UNION, TN_SETOP_INTERSECT, TN_SETOP_EXCEPT } tn_setop_kind;

struct tn_plan {
    tn_plan_kind kind;
    tn_schema *out;        /* kept by the context */
    tn_plan **children;
    int32_t nchildren;
    double est_rows;       /* estimated output rows (< 0 unknown), for the optimizer */
    uint32_t loc;

    /* SCAN */
    tn_table *table;
    int32_t *columns;
    int32_t ncolumns;
    tn_expr **filters;     /* conjuncts pushed into the scan (over out) */
    int32_t nfilters;
    int64_t scan_limit;    /* < 0: none; set only when no filter remains above */

    /* VALUES */
    tn_expr ***rows;
    int64_t nrows;

    /* FILTER */
    tn_expr *predicate;

    /* PROJECT */
    tn_expr **exprs;
    int32_t nexprs;

    /* AGGREGATE */
    tn_expr **groups;
    int32_t ngroups;
    uint64_t *grouping_sets; /* bit g set: group g is in the set; NULL: one set of all */
    int32_t nsets;
    tn_agg_call *aggs;
    int32_t naggs;

    /* WINDOW */
    tn_window_call *windows;
    int32_t nwindows;

    /* JOIN: condition over left ++ right; the optimizer splits out equality
     * keys (left_keys[i] over the left's columns = right_keys[i] over the
     * right's) and leaves the rest in `condition` (over left ++ right). */
    tn_join_kind join;
    tn_expr *condition;
    tn_expr **left_keys, **right_keys;
    int32_t nkeys;
    bool *null_equal;      /* per key: IS NOT DISTINCT FROM rather than = */

    /* SORT (and DISTINCT ON's order) */
    tn_sort_spec *sort;
    int32_t nsort;

    /* LIMIT */
    int64_t limit, offset;

    /* DISTINCT ON */
    tn_expr **on_exprs;
    int32_t non;

    /* SETOP */
    tn_setop_kind setop;
    bool all;

    /* CTE_SCAN */
    tn_plan *cte;
    tn_plan *recursive_ref;

    /* INSERT / CREATE_TABLE_AS / COPY_TO */
    const char *name;      /* CREATE_TABLE_AS: new table name */
    bool temp, or_replace, if_not_exists;
    const char *path;      /* COPY_TO */
    const char **option_keys, **option_values; /* COPY_TO (FORMAT parquet, ...) */
    int32_t noptions;

    /* EXPLAIN */
    bool analyze;
};

/* Constructors in the context's arena (NULL on no memory). `type` and
 * `value` references are taken (kept by the context). */
tn_expr *tn_expr_new(tn_plan_ctx *c, tn_expr_kind kind, tn_type *type, int32_t nargs);
tn_expr *tn_expr_column(tn_plan_ctx *c, int32_t index, tn_type *type);
tn_expr *tn_expr_literal(tn_plan_ctx *c, tn_scalar *value);
tn_plan *tn_plan_new(tn_plan_ctx *c, tn_plan_kind kind, int32_t nchildren);

/* Render a plan as an indented tree, one node per line with its expressions
 * (`EXPLAIN` output; tests compare against it). */
int tn_plan_format(const tn_plan *p, tn_buf *out, tarn_error *err) TN_MUST_USE;
int tn_expr_format(const tn_expr *e, tn_buf *out, tarn_error *err) TN_MUST_USE;

#endif
