/*
 * sql_bind_helpers.h — a catalog for binder and optimizer tests: run the
 * CREATE TABLE / CREATE VIEW statements of a script through the binder
 * into memory tables, and bind a query to its formatted plan.
 */
#ifndef TN_SQL_BIND_HELPERS_H
#define TN_SQL_BIND_HELPERS_H

#include "sql/binder/binder.h"
#include "sql/optimizer/optimizer.h"
#include "sql/parser/parser.h"
#include "tn_test.h"

/* Apply the DDL of `sql` to cat (other statements are bound and ignored).
 * Returns the first failure. */
static inline int ddl(tn_catalog *cat, const char *sql, tarn_error *err)
{
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_script *s;
    int rc = tn_sql_parse(sql, strlen(sql), &a, &s, err);
    for (int i = 0; rc == 0 && i < s->n; i++) {
        tn_plan_ctx ctx;
        tn_plan_ctx_init(&ctx);
        tn_bound_stmt st;
        rc = tn_bind_statement(cat, NULL, sql, strlen(sql), s->stmts[i], &ctx, &st, err);
        if (rc == 0 && st.kind == TN_BOUND_CREATE_TABLE) {
            tn_table *t;
            rc = tn_table_memory_new(st.name, st.schema, &t, err);
            if (rc == 0) {
                rc = tn_catalog_add_table(cat, st.name, t, st.temp, st.or_replace, err);
                tn_table_unref(t);
            }
        } else if (rc == 0 && st.kind == TN_BOUND_CREATE_VIEW) {
            rc = tn_catalog_add_view(cat, st.name, st.view_sql, (char *const *)st.view_columns, st.nview_columns,
                                     st.temp, st.or_replace, err);
        }
        tn_plan_ctx_free(&ctx);
    }
    tn_arena_free(&a);
    return rc;
}

/* The tables and view most binder and optimizer tests run against. */
static const char *const TEST_SCHEMA =
    "CREATE TABLE t1(a INTEGER, b INTEGER, c VARCHAR);"
    "CREATE TABLE t2(a INTEGER, d DOUBLE, e DATE);"
    "CREATE TABLE t3(x BIGINT, y DECIMAL(15,2));"
    "CREATE VIEW v1(p, q) AS SELECT a, c FROM t1 WHERE b > 1;";

static inline tn_catalog *test_catalog(void)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_catalog *cat = NULL;
    CHECK_OK(tn_catalog_new(&cat, &err), &err);
    if (cat)
        CHECK_OK(ddl(cat, TEST_SCHEMA, &err), &err);
    return cat;
}

/* A plan's text (tn_plan_format) as an owned string, or NULL with err set. */
static inline char *plan_text(const tn_plan *p, tarn_error *err)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    char *out = tn_plan_format(p, &b, err) == 0 ? tn_buf_take(&b) : NULL;
    tn_buf_reset(&b);
    return out;
}

/* Bind `sql` (one query), optimize it `passes` times with opts (0: not at
 * all) and format its plan into an owned string, or NULL with err set. */
static inline char *bind_optimize_format(tn_catalog *cat, const tn_optimize_options *opts, int passes,
                                         const char *sql, tarn_error *err)
{
    tn_plan_ctx ctx;
    tn_plan_ctx_init(&ctx);
    tn_plan *p;
    char *out = NULL;
    int rc = tn_bind_query_text(cat, NULL, sql, &ctx, &p, err);
    for (int i = 0; rc == 0 && i < passes; i++)
        rc = tn_optimize(&ctx, opts, &p, err);
    if (rc == 0)
        out = plan_text(p, err);
    tn_plan_ctx_free(&ctx);
    return out;
}

static inline char *bind_format(tn_catalog *cat, const char *sql, tarn_error *err)
{
    return bind_optimize_format(cat, NULL, 0, sql, err);
}

#endif
