/*
 * test_sql_binder.c — the binder: SQL text against a catalog of memory
 * tables, compared through the formatted logical plan (tn_plan_format),
 * the output schema's types, and the exact error messages.
 */
#include "sql_bind_helpers.h"

#include "gen/tpch.h"

/* The plan of sql equals want. */
static void check_plan(tn_catalog *cat, const char *sql, const char *want)
{
    tarn_error err;
    tarn_error_init(&err);
    char *got = bind_format(cat, sql, &err);
    if (!got)
        fprintf(stderr, "binding %s failed: %s\n", sql, err.message);
    CHECK_STR(got, want);
    tn_free(got);
}

/* Binding sql fails with exactly this message. */
static void check_error(tn_catalog *cat, const char *sql, int code, const char *want)
{
    tarn_error err;
    tarn_error_init(&err);
    char *got = bind_format(cat, sql, &err);
    CHECK(got == NULL);
    tn_free(got);
    CHECK_EQ_INT(err.code, code);
    CHECK_STR(err.message, want);
}

/* The output types of sql, comma-separated. */
static void check_types(tn_catalog *cat, const char *sql, const char *want)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_plan_ctx ctx;
    tn_plan_ctx_init(&ctx);
    tn_plan *p;
    tn_buf b;
    tn_buf_init(&b, 0);
    CHECK_OK(tn_bind_query_text(cat, NULL, sql, &ctx, &p, &err), &err);
    if (err.code == 0)
        for (int32_t i = 0; i < p->out->n_fields; i++) {
            if (i)
                CHECK_OK(tn_buf_append_str(&b, ", ", &err), &err);
            CHECK_OK(tn_type_format(p->out->fields[i].type, &b, &err), &err);
        }
    CHECK_STR((const char *)b.data, want);
    tn_buf_reset(&b);
    tn_plan_ctx_free(&ctx);
}

TEST(select_where_order_limit)
{
    tn_catalog *cat = test_catalog();
    check_plan(cat, "SELECT a, b + 1 AS bb FROM t1 WHERE c = 'x' AND a > 2 ORDER BY bb DESC LIMIT 10",
               "Limit 10\n"
               "  Sort [#1 DESC]\n"
               "    Project [#0, (#1 + 1)]\n"
               "      Filter ((#2 = 'x') AND (#0 > 2))\n"
               "        Scan t1 [a, b, c]\n");
    /* ORDER BY a column that is not selected: a hidden key, dropped after the sort */
    check_plan(cat, "SELECT a FROM t1 ORDER BY b NULLS FIRST LIMIT 5 OFFSET 2",
               "Limit 5 offset 2\n"
               "  Project [#0]\n"
               "    Sort [#1 NULLS FIRST]\n"
               "      Project [#0, #1]\n"
               "        Scan t1 [a, b, c]\n");
    check_plan(cat, "SELECT A, \"b\" FROM T1 ORDER BY 2, 1 DESC",
               "Sort [#1, #0 DESC]\n"
               "  Project [#0, #1]\n"
               "    Scan t1 [a, b, c]\n");
    check_plan(cat, "SELECT DISTINCT c FROM t1",
               "Distinct\n"
               "  Project [#2]\n"
               "    Scan t1 [a, b, c]\n");
    check_plan(cat, "SELECT a, b FROM t1 GROUP BY a, b HAVING a > 1",
               "Project [#0, #1]\n"
               "  Filter (#0 > 1)\n"
               "    Aggregate groups=[#0, #1] aggs=[]\n"
               "      Scan t1 [a, b, c]\n");
    check_plan(cat, "SELECT b + 1 AS k FROM t1 GROUP BY k ORDER BY k",
               "Sort [#0]\n"
               "  Project [#0]\n"
               "    Aggregate groups=[(#1 + 1)] aggs=[]\n"
               "      Scan t1 [a, b, c]\n");
    /* DISTINCT ON: the first row per key in ORDER BY order */
    check_plan(cat, "SELECT DISTINCT ON (b) b, a FROM t1 ORDER BY b, a DESC",
               "Sort [#0, #1 DESC]\n"
               "  Project [#0, #1]\n"
               "    Filter (#2 = 1)\n"
               "      Window [row_number() OVER (PARTITION BY #0 ORDER BY #0, #1 DESC ROWS BETWEEN UNBOUNDED PRECEDING "
               "AND CURRENT ROW)]\n"
               "        Project [#1, #0]\n"
               "          Scan t1 [a, b, c]\n");
    check_plan(cat, "SELECT c, a FROM t1 GROUP BY ALL",
               "Project [#0, #1]\n"
               "  Aggregate groups=[#2, #0] aggs=[]\n"
               "    Scan t1 [a, b, c]\n");
    tn_catalog_free(cat);
}

TEST(joins_and_stars)
{
    tn_catalog *cat = test_catalog();
    check_plan(cat, "SELECT * FROM t1 JOIN t2 USING (a)",
               "Project [#0, #1, #2, #4, #5]\n"
               "  Join INNER on (#0 = #3)\n"
               "    Scan t1 [a, b, c]\n"
               "    Scan t2 [a, d, e]\n");
    check_plan(cat, "SELECT t1.*, d FROM t1, t2 WHERE t1.a = t2.a",
               "Project [#0, #1, #2, #4]\n"
               "  Filter (#0 = #3)\n"
               "    Join CROSS\n"
               "      Scan t1 [a, b, c]\n"
               "      Scan t2 [a, d, e]\n");
    check_plan(cat, "SELECT * EXCLUDE (b) FROM t1 NATURAL JOIN t2",
               "Project [#0, #2, #4, #5]\n"
               "  Join INNER on (#0 = #3)\n"
               "    Scan t1 [a, b, c]\n"
               "    Scan t2 [a, d, e]\n");
    check_plan(cat, "SELECT * FROM t1 LEFT JOIN t2 ON t1.a = t2.a AND t2.d > 1",
               "Project [#0, #1, #2, #3, #4, #5]\n"
               "  Join LEFT on ((#0 = #3) AND (#4 > CAST(1 AS double)))\n"
               "    Scan t1 [a, b, c]\n"
               "    Scan t2 [a, d, e]\n");
    check_plan(cat, "SELECT u.x, w.a FROM t3 AS u(x, z) FULL JOIN t1 w ON u.x = w.a CROSS JOIN t2",
               "Project [#0, #2]\n"
               "  Join CROSS\n"
               "    Join FULL on (#0 = CAST(#2 AS int64))\n"
               "      Scan t3 [x, z]\n"
               "      Scan t1 [a, b, c]\n"
               "    Scan t2 [a, d, e]\n");
    tn_catalog_free(cat);
}

TEST(views_ctes_subqueries_in_from)
{
    tn_catalog *cat = test_catalog();
    check_plan(cat, "SELECT p FROM v1",
               "Project [#0]\n"
               "  Project [#0, #2]\n"
               "    Filter (#1 > 1)\n"
               "      Scan t1 [a, b, c]\n");
    check_plan(cat, "WITH c AS (SELECT a FROM t1) SELECT * FROM c, (SELECT 1 AS one) s",
               "Project [#0, #1]\n"
               "  Join CROSS\n"
               "    Project [#0]\n"
               "      Scan t1 [a, b, c]\n"
               "    Project [1]\n"
               "      Values rows=1 []\n");
    check_plan(cat, "WITH c(k) AS (SELECT a FROM t1), d AS (SELECT k FROM c) SELECT s.k FROM d AS s WHERE s.k > 0",
               "Project [#0]\n"
               "  Filter (#0 > 0)\n"
               "    Project [#0]\n"
               "      Project [#0]\n"
               "        Scan t1 [a, b, c]\n");
    tn_catalog_free(cat);
}

TEST(set_operations_and_values)
{
    tn_catalog *cat = test_catalog();
    check_plan(cat, "SELECT a FROM t1 UNION SELECT d FROM t2 UNION SELECT x FROM t3",
               "Union\n"
               "  Project [CAST(#0 AS double)]\n"
               "    Project [#0]\n"
               "      Scan t1 [a, b, c]\n"
               "  Project [#1]\n"
               "    Scan t2 [a, d, e]\n"
               "  Project [CAST(#0 AS double)]\n"
               "    Project [#0]\n"
               "      Scan t3 [x, y]\n");
    check_plan(cat, "SELECT a FROM t1 EXCEPT ALL SELECT a FROM t2 ORDER BY 1",
               "Sort [#0]\n"
               "  Except All\n"
               "    Project [#0]\n"
               "      Scan t1 [a, b, c]\n"
               "    Project [#0]\n"
               "      Scan t2 [a, d, e]\n");
    check_plan(cat, "VALUES (1, 'a'), (2.5, NULL)",
               "Values rows=2 [col0, col1] (CAST(1 AS decimal128(11, 1)), 'a'), "
               "(CAST(2.5 AS decimal128(11, 1)), CAST(NULL AS utf8))\n");
    check_types(cat, "SELECT a FROM t1 INTERSECT SELECT x FROM t3", "int64");
    tn_catalog_free(cat);
}

TEST(expressions_and_literal_types)
{
    tn_catalog *cat = test_catalog();
    check_types(cat,
                "SELECT 1, 3000000000, 1.5, 'x', DATE '1998-12-01', NULL, 0.05, "
                "123456789012345678901234, 1e3, TIMESTAMP '2020-01-01 10:00:00', true",
                "int32, int64, decimal128(2, 1), utf8, date32, null, decimal128(3, 2), decimal128(38, 0), "
                "double, timestamp[us], bool");
    check_plan(cat,
               "SELECT DATE '1998-12-01' - INTERVAL '90' DAY, DATE '1995-01-31' + INTERVAL '1 month', -5, "
               "123456789012345678901234",
               "Project [TIMESTAMP '1998-09-02T00:00:00.000000', TIMESTAMP '1995-02-28T00:00:00.000000', -5, "
               "123456789012345678901234]\n"
               "  Values rows=1 []\n");
    check_plan(cat,
               "SELECT CASE WHEN a > 1 THEN 1 ELSE 2.5 END, a BETWEEN 1 AND 3, a IN (1, 2, '3'), "
               "x IS NOT NULL, a IS DISTINCT FROM x, NOT (b <> 2), CASE b WHEN 1 THEN 'one' END FROM t1, t3",
               "Project [CASE WHEN (#0 > 1) THEN CAST(1 AS decimal128(11, 1)) ELSE CAST(2.5 AS decimal128(11, 1)) END, "
               "((#0 >= 1) AND (#0 <= 3)), (#0 IN (1, 2, CAST('3' AS int32))), (#3 IS NOT NULL), "
               "(CAST(#0 AS int64) IS DISTINCT FROM #3), (NOT (#1 <> 2)), CASE WHEN (#1 = 1) THEN 'one' END]\n"
               "  Join CROSS\n"
               "    Scan t1 [a, b, c]\n"
               "    Scan t3 [x, y]\n");
    /* `/` of integers or decimals is a double division; `*` keeps decimal arithmetic */
    check_plan(cat, "SELECT y * 2, y / x, a / b, CAST(a AS VARCHAR), TRY_CAST(c AS INT), b::BIGINT FROM t3, t1",
               "Project [(#1 * 2), (CAST(#1 AS double) / CAST(#0 AS double)), (CAST(#2 AS double) / CAST(#3 AS double)), "
               "CAST(#2 AS utf8), "
               "TRY_CAST(#4 AS int32), CAST(#3 AS int64)]\n"
               "  Join CROSS\n"
               "    Scan t3 [x, y]\n"
               "    Scan t1 [a, b, c]\n");
    /* a string literal compared with a date is cast to date */
    check_plan(cat, "SELECT a FROM t2 WHERE e >= '1995-01-01' AND $1 = a",
               "Project [#0]\n"
               "  Filter ((#2 >= CAST('1995-01-01' AS date32)) AND ($1 = #0))\n"
               "    Scan t2 [a, d, e]\n");
    tn_catalog_free(cat);
}

TEST(subqueries)
{
    tn_catalog *cat = test_catalog();
    check_plan(cat, "SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a)",
               "Project [#0]\n"
               "  Filter EXISTS(SUBQUERY1)\n"
               "    Subquery1:\n"
               "      Project [1]\n"
               "        Filter (#0 = outer1#0)\n"
               "          Scan t2 [a, d, e]\n"
               "    Scan t1 [a, b, c]\n");
    check_plan(cat, "SELECT a FROM t1 WHERE a NOT IN (SELECT x FROM t3) AND b = (SELECT max_a FROM (SELECT 1 AS max_a))",
               "Project [#0]\n"
               "  Filter ((CAST(#0 AS int64) NOT IN SUBQUERY1) AND (#1 = SUBQUERY2))\n"
               "    Subquery1:\n"
               "      Project [#0]\n"
               "        Scan t3 [x, y]\n"
               "    Subquery2:\n"
               "      Project [#0]\n"
               "        Project [1]\n"
               "          Values rows=1 []\n"
               "    Scan t1 [a, b, c]\n");
    check_plan(cat, "SELECT a FROM t1 WHERE b > ALL (SELECT a FROM t2 WHERE t2.d > t1.b)",
               "Project [#0]\n"
               "  Filter (#1 > ALL(SUBQUERY1))\n"
               "    Subquery1:\n"
               "      Project [#0]\n"
               "        Filter (#1 > CAST(outer1#1 AS double))\n"
               "          Scan t2 [a, d, e]\n"
               "    Scan t1 [a, b, c]\n");
    tn_catalog_free(cat);
}

TEST(statements)
{
    tn_catalog *cat = test_catalog();
    tarn_error err;
    tarn_error_init(&err);
    const char *sql = "INSERT INTO t1 (c, a) VALUES ('x', 1); CREATE TABLE n AS SELECT 1 AS one; "
                      "EXPLAIN SELECT 1; SET threads = 4; DROP VIEW IF EXISTS v1; SHOW TABLES; DESCRIBE t2; "
                      "PREPARE p AS SELECT $1; EXECUTE p(5); COPY (SELECT a FROM t1) TO 'out.parquet' (FORMAT parquet)";
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_script *s;
    CHECK_OK(tn_sql_parse(sql, strlen(sql), &a, &s, &err), &err);
    tn_bound_kind kinds[] = {TN_BOUND_PLAN, TN_BOUND_PLAN, TN_BOUND_PLAN, TN_BOUND_SET, TN_BOUND_DROP,
                             TN_BOUND_SHOW_TABLES, TN_BOUND_DESCRIBE, TN_BOUND_PREPARE, TN_BOUND_EXECUTE,
                             TN_BOUND_PLAN};
    const char *plans[] = {
        "Insert into t1\n  Project [#1, NULL, #0]\n"
        "    Values rows=1 [col0, col1] ('x', 1)\n",
        "CreateTableAs n\n  Project [1]\n    Values rows=1 []\n",
        "Explain\n  Project [1]\n    Values rows=1 []\n",
        NULL, NULL, NULL, NULL, NULL, NULL,
        "CopyTo 'out.parquet' (FORMAT parquet)\n  Project [#0]\n    Scan t1 [a, b, c]\n"};
    CHECK_EQ_INT(s->n, 10);
    for (int i = 0; i < s->n && i < 10; i++) {
        tn_plan_ctx ctx;
        tn_plan_ctx_init(&ctx);
        tn_bound_stmt st;
        CHECK_OK(tn_bind_statement(cat, NULL, sql, strlen(sql), s->stmts[i], &ctx, &st, &err), &err);
        CHECK_EQ_INT(st.kind, kinds[i]);
        if (plans[i] && st.plan) {
            tn_buf b;
            tn_buf_init(&b, 0);
            CHECK_OK(tn_plan_format(st.plan, &b, &err), &err);
            CHECK_STR((const char *)b.data, plans[i]);
            tn_buf_reset(&b);
        }
        if (st.kind == TN_BOUND_SET) {
            CHECK_STR(st.name, "threads");
            CHECK_STR(st.value, "4");
        }
        if (st.kind == TN_BOUND_DROP) {
            CHECK(st.is_view && st.if_exists && st.nnames == 1);
            CHECK_STR(st.names[0], "v1");
        }
        if (st.kind == TN_BOUND_DESCRIBE)
            CHECK(st.schema && st.schema->n_fields == 3 && !strcmp(st.schema->fields[2].name, "e"));
        if (st.kind == TN_BOUND_PREPARE) {
            CHECK_STR(st.name, "p");
            CHECK_STR(st.stmt_sql, "SELECT $1");
        }
        if (st.kind == TN_BOUND_EXECUTE)
            CHECK(st.nparams == 1 && st.params[0]->kind == TN_EXPR_LITERAL);
        tn_plan_ctx_free(&ctx);
    }
    tn_arena_free(&a);
    tn_catalog_free(cat);
}

TEST(error_catalogue)
{
    tn_catalog *cat = test_catalog();
    check_error(cat, "SELECT a, nmae FROM t1", TARN_ENOTFOUND, "line 1, column 11: column \"nmae\" not found");
    check_error(cat, "SELECT a\nFROM t1 WHERE bb > 1", TARN_ENOTFOUND,
                "line 2, column 15: column \"bb\" not found; did you mean \"b\"?");
    check_error(cat, "SELECT a FROM t11", TARN_ENOTFOUND, "line 1, column 15: table \"t11\" not found; did you mean \"t1\"?");
    check_error(cat, "SELECT a FROM t1, t2", TARN_EINVAL, "line 1, column 8: column reference \"a\" is ambiguous");
    check_error(cat, "SELECT zz.a FROM t1", TARN_ENOTFOUND, "line 1, column 8: table \"zz\" not found in FROM");
    check_error(cat, "SELECT a, b FROM t1 GROUP BY a", TARN_EINVAL,
                "line 1, column 11: column \"b\" must appear in the GROUP BY clause or be used in an aggregate function");
    check_error(cat, "SELECT a + c FROM t1", TARN_ETYPE, "line 1, column 10: cannot apply + to INTEGER and VARCHAR");
    check_error(cat, "SELECT a FROM t1 WHERE a = e", TARN_ENOTFOUND, "line 1, column 28: column \"e\" not found");
    check_error(cat, "SELECT a FROM t1, t2 WHERE t1.c = t2.e", TARN_ETYPE,
                "line 1, column 33: cannot compare VARCHAR and DATE");
    check_error(cat, "SELECT a FROM t1 WHERE c", TARN_ETYPE,
                "line 1, column 24: expected a BOOLEAN condition, found VARCHAR");
    check_error(cat, "SELECT CAST(a AS INTEGR) FROM t1", TARN_ETYPE,
                "line 1, column 18: unknown type INTEGR; did you mean \"INTEGER\"?");
    check_error(cat, "SELECT a FROM t1 ORDER BY 3", TARN_EINVAL,
                "line 1, column 27: ORDER BY position 3 is not in the select list (1 to 1)");
    check_error(cat, "SELECT a FROM t1 UNION SELECT a, b FROM t1", TARN_EINVAL,
                "line 1, column 18: set operation sides have 1 and 2 columns");
    check_error(cat, "SELECT (SELECT a, b FROM t1)", TARN_EINVAL, "line 1, column 8: subquery returns 2 columns, expected 1");
    check_error(cat, "SELECT * FROM t1 JOIN t2 USING (zz)", TARN_ENOTFOUND,
                "line 1, column 33: column \"zz\" of USING not found on the left side");
    check_error(cat, "SELECT * FROM read_parqet('x.parquet')", TARN_ENOTFOUND,
                "line 1, column 15: table function \"read_parqet\" not found; did you mean \"read_parquet\"?");
    check_error(cat, "SELECT 1 LIMIT a", TARN_EUNSUPPORTED, "line 1, column 16: LIMIT must be a constant integer");
    tn_catalog_free(cat);
}

TEST(aggregates_windows_grouping_sets)
{
    tn_catalog *cat = test_catalog();
    check_plan(cat,
               "SELECT count(*), avg(b), sum(DISTINCT a) FILTER (WHERE a > 1), "
               "row_number() OVER (PARTITION BY c ORDER BY b DESC) FROM t1 GROUP BY c, b",
               "Project [#2, #3, #4, #5]\n"
               "  Window [row_number() OVER (PARTITION BY #0 ORDER BY #1 DESC RANGE BETWEEN UNBOUNDED PRECEDING AND "
               "CURRENT ROW)]\n"
               "    Aggregate groups=[#2, #1] aggs=[count(), avg(#1), sum(DISTINCT #0) FILTER (WHERE (#0 > 1))]\n"
               "      Scan t1 [a, b, c]\n");
    /* the same aggregate twice is computed once; HAVING and ORDER BY reuse it */
    check_plan(cat, "SELECT c, sum(b) AS s FROM t1 GROUP BY c HAVING sum(b) > 1 ORDER BY sum(b) DESC, max(a)",
               "Project [#0, #1]\n"
               "  Sort [#1 DESC, #2]\n"
               "    Project [#0, #1, #2]\n"
               "      Filter (#1 > CAST(1 AS decimal128(38, 0)))\n"
               "        Aggregate groups=[#2] aggs=[sum(#1), max(#0)]\n"
               "          Scan t1 [a, b, c]\n");
    /* ROLLUP: the sets as group indexes; grouping() reads the grouping id column */
    check_plan(cat, "SELECT a, b, sum(a), grouping(a, b) FROM t1 GROUP BY ROLLUP (a, b)",
               "Project [#0, #1, #2, ((0 + (((CAST(#3 AS int64) / 2) % 2) * 2)) + (((CAST(#3 AS int64) / 1) % 2) * 1))]\n"
               "  Aggregate groups=[#0, #1] sets=[(0, 1), (0), ()] aggs=[sum(#0)]\n"
               "    Scan t1 [a, b, c]\n");
    check_plan(cat, "SELECT a, b FROM t1 GROUP BY CUBE (a, b)",
               "Project [#0, #1]\n"
               "  Aggregate groups=[#0, #1] sets=[(0, 1), (0), (1), ()] aggs=[]\n"
               "    Scan t1 [a, b, c]\n");
    check_plan(cat, "SELECT coalesce(sum(b), 0) FROM t1",
               "Project [CASE WHEN (#0 IS NOT NULL) THEN #0 ELSE CAST(0 AS decimal128(38, 0)) END]\n"
               "  Aggregate groups=[] aggs=[sum(#1)]\n"
               "    Scan t1 [a, b, c]\n");
    tn_catalog_free(cat);
}

TEST(recursive_ctes_ranges_full_using)
{
    tn_catalog *cat = test_catalog();
    check_plan(cat, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r",
               "Project [#0]\n"
               "  RecursiveCte\n"
               "    Project [1]\n"
               "      Values rows=1 []\n"
               "    Project [(#0 + 1)]\n"
               "      Filter (#0 < 3)\n"
               "        CteScan\n");
    check_plan(cat, "SELECT x FROM generate_series(1, 10, 3) t(x)",
               "Project [#0]\n"
               "  Scan generate_series [x]\n");
    check_types(cat, "SELECT * FROM range(5)", "int64");
    /* FULL JOIN USING: the column is the left value, else the right one */
    check_plan(cat, "SELECT * FROM t1 FULL JOIN t2 USING (a)",
               "Project [#6, #1, #2, #4, #5]\n"
               "  Project [#0, #1, #2, #3, #4, #5, CASE WHEN (#0 IS NOT NULL) THEN #0 ELSE #3 END]\n"
               "    Join FULL on (#0 = #3)\n"
               "      Scan t1 [a, b, c]\n"
               "      Scan t2 [a, d, e]\n");
    /* a timestamp at midnight compared with a DATE column is narrowed to a date */
    check_plan(cat, "SELECT a FROM t2 WHERE e <= DATE '1998-12-01' - INTERVAL '90' DAY",
               "Project [#0]\n"
               "  Filter (#2 <= DATE '1998-09-02')\n"
               "    Scan t2 [a, d, e]\n");
    tn_catalog_free(cat);
}

static void check_stmt(tn_catalog *cat, const char *sql, const char *want)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_stmt *st;
    CHECK_OK(tn_sql_parse_one(sql, strlen(sql), &a, &st, &err), &err);
    tn_plan_ctx ctx;
    tn_plan_ctx_init(&ctx);
    tn_bound_stmt bs;
    CHECK_OK(tn_bind_statement(cat, NULL, sql, strlen(sql), st, &ctx, &bs, &err), &err);
    if (err.code == 0) {
        tn_buf b;
        tn_buf_init(&b, 0);
        CHECK_OK(tn_plan_format(bs.plan, &b, &err), &err);
        CHECK_STR((const char *)b.data, want);
        tn_buf_reset(&b);
    }
    tn_plan_ctx_free(&ctx);
    tn_arena_free(&a);
}

TEST(update_delete_defaults)
{
    tn_catalog *cat = test_catalog();
    tarn_error err;
    tarn_error_init(&err);
    CHECK_OK(ddl(cat, "CREATE TABLE d(k INTEGER, tag VARCHAR DEFAULT 'none', n BIGINT DEFAULT 1 + 2)", &err), &err);
    check_stmt(cat, "INSERT INTO d (k) VALUES (7)",
               "Insert into d\n"
               "  Project [#0, 'none', CAST((1 + 2) AS int64)]\n"
               "    Values rows=1 [col0] (7)\n");
    check_stmt(cat, "UPDATE t1 SET b = b + 1, c = 'x' WHERE a > 2",
               "CreateTableAs t1\n"
               "  Project [#0, CASE WHEN (#0 > 2) THEN (#1 + 1) ELSE #1 END, CASE WHEN (#0 > 2) THEN 'x' ELSE #2 END]\n"
               "    Scan t1 [a, b, c]\n");
    check_stmt(cat, "DELETE FROM t1 WHERE a > 2",
               "CreateTableAs t1\n"
               "  Project [#0, #1, #2]\n"
               "    Filter ((#0 > 2) IS DISTINCT FROM true)\n"
               "      Scan t1 [a, b, c]\n");
    check_error(cat, "SELECT * FROM t1 WHERE a > 'abc' AND nosuch(a)", TARN_ENOTFOUND,
                "line 1, column 38: function \"nosuch\" not found");
    check_error(cat, "SELECT sum(a) FROM t1 WHERE sum(a) > 1", TARN_EINVAL,
                "line 1, column 29: aggregate function sum is not allowed in WHERE");
    check_error(cat, "SELECT sum(sum(a)) FROM t1", TARN_EINVAL,
                "line 1, column 12: aggregate function calls cannot be nested");
    check_error(cat, "SELECT upperr(c) FROM t1", TARN_ENOTFOUND,
                "line 1, column 8: function \"upperr\" not found; did you mean \"upper\"?");
    tn_catalog_free(cat);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = tn_malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        tn_free(s);
        s = NULL;
    }
    if (s)
        s[n] = 0;
    fclose(f);
    return s;
}

/* Whether any expression of the plan (or a subquery plan in it) still
 * reads an outer query: decorrelation left a correlated subquery. */
static bool plan_correlated(const tn_plan *p);

static bool expr_correlated(const tn_expr *e)
{
    if (!e)
        return false;
    if (e->kind == TN_EXPR_OUTER || (e->kind == TN_EXPR_SUBQUERY && plan_correlated(e->subquery)))
        return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (expr_correlated(e->args[i]))
            return true;
    return false;
}

static bool plan_correlated(const tn_plan *p)
{
    bool c = expr_correlated(p->predicate) || expr_correlated(p->condition);
    for (int32_t i = 0; !c && i < p->nexprs; i++)
        c = expr_correlated(p->exprs[i]);
    for (int32_t i = 0; !c && i < p->nfilters; i++)
        c = expr_correlated(p->filters[i]);
    for (int32_t i = 0; !c && i < p->nchildren; i++)
        c = plan_correlated(p->children[i]);
    return c;
}

/* Bind and optimize sql; the optimized plan's text (or NULL, err set). */
static char *bind_optimize(tn_catalog *cat, const char *sql, bool *correlated, tarn_error *err)
{
    tn_plan_ctx ctx;
    tn_plan_ctx_init(&ctx);
    tn_plan *p;
    char *out = NULL;
    if (tn_bind_query_text(cat, NULL, sql, &ctx, &p, err) == 0 && tn_optimize(&ctx, NULL, &p, err) == 0) {
        *correlated = plan_correlated(p);
        out = plan_text(p, err);
    }
    tn_plan_ctx_free(&ctx);
    return out;
}

/* The 22 TPC-H queries bind and optimize against the TPC-H schemas (sized
 * as scale factor 1), with every correlated subquery turned into a join
 * and no cross product left. */
TEST(tpch_queries)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_catalog *cat;
    CHECK_OK(tn_catalog_new(&cat, &err), &err);
    for (int t = 0; t < TN_TPCH_TABLE_COUNT; t++) {
        tn_schema *sch = tn_tpch_schema((tn_tpch_table)t);
        tn_table *tab;
        CHECK_OK(tn_table_memory_new(tn_tpch_table_name((tn_tpch_table)t), sch, &tab, &err), &err);
        tab->est_rows = (double)tn_tpch_row_count((tn_tpch_table)t, 1.0);
        CHECK_OK(tn_catalog_add_table(cat, tn_tpch_table_name((tn_tpch_table)t), tab, false, false, &err), &err);
        tn_table_unref(tab);
        tn_schema_unref(sch);
    }
    int bound = 0;
    for (int q = 1; q <= 22; q++) {
        char path[64];
        snprintf(path, sizeof path, "bench/queries/tpch/q%02d.sql", q);
        char *sql = read_text(path);
        CHECK(sql != NULL);
        if (!sql)
            continue;
        bool corr = true;
        char *plan = bind_optimize(cat, sql, &corr, &err);
        if (!plan)
            fprintf(stderr, "Q%d: %s\n", q, err.message);
        CHECK(plan != NULL);
        if (plan) {
            bound++;
            if (corr || strstr(plan, "Join CROSS"))
                fprintf(stderr, "Q%d plan:\n%s", q, plan);
            CHECK(!corr);
            CHECK(strstr(plan, "Join CROSS") == NULL);
        }
        tn_free(plan);
        tn_free(sql);
    }
    CHECK_EQ_INT(bound, 22);
    tn_catalog_free(cat);
}

/* Every statement and query of the conformance corpus binds (CREATE TABLEs
 * applied first) and optimizes with no correlated subquery left. */
TEST(conformance_corpus)
{
    static const char *const files[] = {"sqlite_in1", "sqlite_in2", "sqlite_select1", "sqlite_select2",
                                        "sqlite_select3", "sqlite_select4", "sqlite_select5"};
    int total = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[128];
        snprintf(path, sizeof path, "../shared/sql-conformance/%s.slt", files[f]);
        char *text = read_text(path);
        CHECK(text != NULL);
        if (!text)
            continue;
        tarn_error err;
        tarn_error_init(&err);
        tn_catalog *cat;
        CHECK_OK(tn_catalog_new(&cat, &err), &err);
        /* records: "statement ..." or "query ..." then SQL lines up to "----" or a blank line */
        char *line = text;
        while (line) {
            char *next = strchr(line, '\n');
            if (next)
                *next++ = 0;
            bool is_stmt = strncmp(line, "statement ", 10) == 0, is_query = strncmp(line, "query ", 6) == 0;
            if (!is_stmt && !is_query) {
                line = next;
                continue;
            }
            bool expect_error = strncmp(line, "statement error", 15) == 0;
            tn_buf sql;
            tn_buf_init(&sql, 0);
            line = next;
            while (line && *line && !(strncmp(line, "----", 4) == 0 && (line[4] == '\n' || line[4] == 0))) {
                next = strchr(line, '\n');
                if (next)
                    *next++ = 0;
                if (!*line) {
                    line = next;
                    break;
                }
                CHECK_OK(tn_buf_append_str(&sql, line, &err), &err);
                CHECK_OK(tn_buf_append_str(&sql, "\n", &err), &err);
                line = next;
            }
            const char *q = sql.data ? (const char *)sql.data : "";
            if (is_stmt && !expect_error) {
                CHECK_OK(ddl(cat, q, &err), &err);
                if (err.code)
                    fprintf(stderr, "%s: %s\n", files[f], q);
                total++;
            } else if (is_query) {
                bool corr = true;
                char *plan = bind_optimize(cat, q, &corr, &err);
                if (!plan || corr)
                    fprintf(stderr, "%s: %s\n  %s\n", files[f], q, plan ? "still correlated" : err.message);
                CHECK(plan != NULL && !corr);
                tn_free(plan);
                total++;
            }
            tn_buf_reset(&sql);
        }
        tn_catalog_free(cat);
        tn_free(text);
    }
    if (total <= 400)
        fprintf(stderr, "only %d records bound\n", total);
    CHECK(total > 400);
}

static tn_catalog *alloc_cat;

static int bind_complex(void *arg, tarn_error *err)
{
    (void)arg;
    tn_plan_ctx ctx;
    tn_plan_ctx_init(&ctx);
    tn_plan *p;
    int rc = tn_bind_query_text(alloc_cat, NULL,
                                "WITH w AS (SELECT a, c FROM t1 WHERE b > 1) "
                                "SELECT w.a, t2.d, CASE WHEN w.a IN (1, 2) THEN 'x' ELSE c END "
                                "FROM w JOIN t2 USING (a) WHERE EXISTS (SELECT 1 FROM t3 WHERE x = w.a) "
                                "UNION ALL SELECT 1, 2.5, 'z' ORDER BY 1 LIMIT 3",
                                &ctx, &p, err);
    tn_plan_ctx_free(&ctx);
    return rc;
}

TEST(allocation_failures)
{
    alloc_cat = test_catalog();
    CHECK(tn_test_alloc_failures("bind", bind_complex, NULL) > 10);
    tn_catalog_free(alloc_cat);
}

int main(void)
{
    RUN(select_where_order_limit);
    RUN(joins_and_stars);
    RUN(views_ctes_subqueries_in_from);
    RUN(set_operations_and_values);
    RUN(expressions_and_literal_types);
    RUN(subqueries);
    RUN(statements);
    RUN(error_catalogue);
    RUN(aggregates_windows_grouping_sets);
    RUN(recursive_ctes_ranges_full_using);
    RUN(update_delete_defaults);
    RUN(tpch_queries);
    RUN(conformance_corpus);
    RUN(allocation_failures);
    return tn_test_done();
}
