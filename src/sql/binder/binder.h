/*
 * binder.h — from the AST (sql/ast.h) to a bound statement: a logical plan
 * (sql/plan.h) for queries and data-changing statements, or a small
 * description of what the session has to do for settings and DDL.
 *
 * The session calls tn_bind_statement once per parsed statement:
 *
 *     tn_plan_ctx ctx; tn_plan_ctx_init(&ctx);
 *     tn_bound_stmt st;
 *     if (tn_bind_statement(cat, &opts, sql, len, stmt, &ctx, &st, err) == 0) {
 *         switch (st.kind) { case TN_BOUND_PLAN: optimize + run st.plan; ... }
 *     }
 *     tn_plan_ctx_free(&ctx);   // frees the plan and every string of st
 *
 * Everything in a tn_bound_stmt lives in ctx (arena strings, kept schemas),
 * so it stays valid after the AST's arena is freed, until ctx is freed.
 *
 * Name resolution: identifiers match case-insensitively unless quoted;
 * an unqualified name found in two FROM items is an ambiguity error. Every
 * error names the line and column of the SQL text and, where it can, the
 * closest known name:
 *     line 1, column 8: column "l_quantty" not found; did you mean "l_quantity"?
 *
 * Implicit casts are explicit TN_EXPR_CAST nodes; integer literals are
 * int32, int64 or decimal128(38,0) (the smallest that holds them); 1.5 is
 * decimal128(2,1); strings are utf8, and a string literal compared with a
 * value of another type is cast to that type (as DuckDB does).
 */
#ifndef TN_SQL_BINDER_H
#define TN_SQL_BINDER_H

#include "sql/ast.h"
#include "sql/plan.h"

typedef struct tn_bind_options {
    /* Parameter types known in advance (EXECUTE, prepared statements with
     * values): param_types[i] is $i+1's type, NULL when unknown. */
    tn_type *const *param_types;
    int32_t nparams;
    /* Reader options applied to files named in FROM ('x.csv', read_csv):
     * settings such as csv.delimiter. May be NULL. */
    const tarn_options *reader_options;
    /* The session's user-defined functions, looked up before the built-in
     * ones (sql/functions/function.h). May be NULL. */
    const struct tn_func_registry *functions;
    /* Refuse tables over files and URLs ('x.parquet', read_csv(...)) with
     * TARN_EPERM: binding untrusted text without touching storage (the
     * fuzz target of the binder). */
    bool no_files;
} tn_bind_options;

typedef enum tn_bound_kind {
    TN_BOUND_PLAN,         /* run `plan`: SELECT / VALUES, INSERT, CREATE TABLE AS, COPY TO,
                            * COPY FROM (an INSERT from a file scan), EXPLAIN */
    TN_BOUND_CREATE_TABLE, /* create `name` with `schema` (temp, or_replace, if_not_exists) */
    TN_BOUND_CREATE_VIEW,  /* store view `name` as `view_sql` (its query text) with
                            * view_columns (may be 0); the query was bound once to check it */
    TN_BOUND_DROP,         /* drop names[0..nnames-1], tables or views (is_view), if_exists */
    TN_BOUND_SET,          /* SET name = value (value as text) */
    TN_BOUND_RESET,        /* RESET name, or RESET ALL (all) */
    TN_BOUND_SHOW_TABLES,  /* list the catalog */
    TN_BOUND_DESCRIBE,     /* describe `schema` (of a table, view or query) */
    TN_BOUND_PREPARE,      /* remember statement `name` as text `stmt_sql` */
    TN_BOUND_EXECUTE,      /* run prepared `name` with params (constant expressions) */
    TN_BOUND_DEALLOCATE,   /* forget prepared `name` */
    TN_BOUND_TRANSACTION   /* BEGIN / COMMIT / ROLLBACK: nothing to do */
} tn_bound_kind;

typedef struct tn_bound_stmt {
    tn_bound_kind kind;
    tn_plan *plan;         /* PLAN */
    tn_plan *count_plan;   /* PLAN of DELETE / UPDATE: run it first; its one int64 value
                            * (the rows affected) is the statement's Count, not plan's */
    const char *name;      /* CREATE_*, SET, RESET, PREPARE, EXECUTE, DEALLOCATE */
    tn_schema *schema;     /* CREATE_TABLE, DESCRIBE (kept by the context) */
    bool temp, or_replace, if_not_exists, if_exists, is_view, all;
    const char *view_sql;  /* CREATE_VIEW */
    const char **view_columns;
    int32_t nview_columns;
    const char **names;    /* DROP */
    int32_t nnames;
    const char *value;     /* SET */
    const char *stmt_sql;  /* PREPARE: the inner statement's text */
    tn_expr **params;      /* EXECUTE */
    int32_t nparams;
} tn_bound_stmt;

/* Bind one statement of `sql` (the text it was parsed from, for error
 * locations, view texts and PREPARE). On failure *out is zeroed and the
 * context may hold partial nodes (freed with it). */
int tn_bind_statement(tn_catalog *cat, const tn_bind_options *o, const char *sql, size_t len,
                      const tn_sql_stmt *stmt, tn_plan_ctx *ctx, tn_bound_stmt *out, tarn_error *err) TN_MUST_USE;

/* Parse and bind a single SELECT (tests, views, tools): *out is its plan. */
int tn_bind_query_text(tn_catalog *cat, const tn_bind_options *o, const char *sql, tn_plan_ctx *ctx, tn_plan **out,
                       tarn_error *err) TN_MUST_USE;

/* The Arrow type a SQL type name stands for (INTEGER -> int32, DECIMAL(p,s),
 * VARCHAR -> utf8, ...), a new reference; TARN_ETYPE for an unknown name. */
int tn_bind_sql_type(const tn_sql_type *t, tn_type **out, tarn_error *err) TN_MUST_USE;

#endif
