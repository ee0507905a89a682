/*
 * binder_int.h — the binder's private state, shared by its files:
 * bind_expr.c (expressions), bind_query.c (SELECT, FROM, set operations),
 * bind_stmt.c (statements) and expr_util.c (tree helpers the optimizer
 * uses too).
 */
#ifndef TN_SQL_BINDER_INT_H
#define TN_SQL_BINDER_INT_H

#include "sql/binder/binder.h"
#include "sql/binder/expr_util.h"

/* A column visible to name resolution: qualifier.name at `index` of the
 * input the expressions are bound against. */
typedef struct tn_bcol {
    const char *table;  /* qualifier (alias or table name), NULL for none */
    bool table_quoted;
    const char *name;
    tn_type *type;
    int32_t index;
    bool using_dup;     /* the right copy of a USING/NATURAL column: hidden from * and
                         * from unqualified lookup */
} tn_bcol;

typedef struct tn_scope tn_scope;
struct tn_scope {
    tn_bcol *cols;
    int32_t n, cap;
    tn_scope *parent;   /* the enclosing query's scope (correlated references) */
    bool correlated;    /* an expression bound here read the parent */
};

/* A CTE visible by name (bound again at each reference). */
typedef struct tn_bcte {
    const tn_sql_cte *cte;
    struct tn_bcte *next;
    struct tn_bcte *visible; /* the CTE list visible inside this CTE's body */
    bool recursive;          /* declared in WITH RECURSIVE */
    tn_plan *rec;            /* while binding a recursive step: the RECURSIVE_CTE node
                              * its self-references read (a CTE_SCAN) */
} tn_bcte;

typedef struct tn_binder {
    tn_plan_ctx *ctx;
    tn_catalog *cat;
    const tn_bind_options *opts;
    const char *sql;   /* text errors point into */
    size_t len;
    tarn_error *err;
    tn_bcte *ctes;
    int view_depth;
} tn_binder;

/* Expression-binding flags. */
enum { TN_ALLOW_AGG = 1, TN_ALLOW_WINDOW = 2 };

/* Placeholders used while binding a SELECT that aggregates: a COLUMN with
 * depth TN_PH_AGG (index: the k-th aggregate) or TN_PH_WINDOW (the k-th
 * window call); rewritten to real columns before the plan is returned. */
enum { TN_PH_AGG = -1, TN_PH_WINDOW = -2, TN_PH_GROUP = -3,
       TN_PH_GROUPING = -4 /* grouping(args): args are the bound arguments */ };

typedef struct tn_ectx {
    tn_scope *sc;
    int allow;
    const char *clause;       /* "WHERE", "GROUP BY", ... for messages */
    tn_agg_call *aggs;        /* collected aggregates */
    int32_t naggs, capaggs;
    tn_window_call *wins;     /* collected window calls */
    int32_t nwins, capwins;
    const tn_sql_select *select; /* named windows */
    bool in_agg;              /* inside an aggregate's arguments */
} tn_ectx;

/* Errors: "line L, column C: message" (+ "; did you mean \"x\"?"). */
int tn_bind_error(tn_binder *b, uint32_t loc, int code, const char *fmt, ...) TN_PRINTF(4, 5);
int tn_bind_error_hint(tn_binder *b, uint32_t loc, int code, const char *hint, const char *fmt, ...)
    TN_PRINTF(5, 6);
int tn_bind_oom(tn_binder *b);

char *tn_bind_strdup(tn_binder *b, const char *s);
/* The AST expression's canonical text (arena), for names and messages. */
const char *tn_bind_expr_text(tn_binder *b, const tn_sql_expr *e);
bool tn_ident_match(const char *have, const char *want, bool quoted);

/* Scopes */
int tn_scope_add(tn_binder *b, tn_scope *s, const char *table, const char *name, tn_type *type, int32_t index);
tn_schema *tn_bind_schema(tn_binder *b, int32_t n, const char *const *names, tn_type *const *types);

/* Expressions */
int tn_bind_expr(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out) TN_MUST_USE;
/* cast e to type t when it has another type (a reference to t is taken) */
int tn_bind_cast(tn_binder *b, tn_expr *e, tn_type *t, uint32_t loc, tn_expr **out) TN_MUST_USE;
/* bind e as a boolean condition */
int tn_bind_condition(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out) TN_MUST_USE;
/* the common type of a and b for unification (CASE, UNION, IN), a new ref */
int tn_bind_unify(tn_binder *b, const tn_type *a, const tn_type *t2, uint32_t loc, tn_type **out) TN_MUST_USE;
int tn_bind_type_name(tn_binder *b, const tn_type *t, char *buf, size_t cap);

/* Queries */
int tn_bind_query(tn_binder *b, const tn_sql_query *q, tn_scope *outer, tn_plan **out, bool *correlated)
    TN_MUST_USE;

#endif
