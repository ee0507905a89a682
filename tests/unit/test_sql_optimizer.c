/*
 * test_sql_optimizer.c — the optimizer rules, through the formatted plans
 * of bound SQL before and after tn_optimize: predicate pushdown into
 * scans, cross joins to inner joins with equality keys, projection
 * pushdown, decorrelation into SEMI / ANTI / MARK / LEFT joins, join
 * ordering, limit pushdown; and allocation failures.
 */
#include "sql_bind_helpers.h"

static void check_opt(tn_catalog *cat, const char *sql, const char *want)
{
    tarn_error err;
    tarn_error_init(&err);
    char *got = bind_optimize_format(cat, NULL, 1, sql, &err);
    if (!got)
        fprintf(stderr, "optimizing %s failed: %s\n", sql, err.message);
    CHECK_STR(got, want);
    tn_free(got);
}

TEST(pushdown_and_join_keys)
{
    tn_catalog *cat = test_catalog();
    check_opt(cat, "SELECT t1.*, d FROM t1, t2 WHERE t1.a = t2.a AND b > 3 AND d < 2 AND t1.a + t2.d > 1",
              "Project [#0, #1, #2, #4]\n"
              "  Join INNER keys=[#0 = #0] on ((#0 + #4) > 1.0)\n"
              "    Scan t1 [a, b, c] filters=[(#1 > 3)]\n"
              "    Scan t2 [a, d] filters=[(#1 < 2.0)]\n");
    /* through a view's projection; the filters land in one scan */
    check_opt(cat, "SELECT p FROM v1 WHERE q = 'z' LIMIT 3",
              "Limit 3\n"
              "  Project [#0]\n"
              "    Scan t1 [a, b, c] filters=[(#2 = 'z'), (#1 > 1)]\n");
    /* a LEFT join keeps the right side's WHERE conjunct above it, its ON conjunct goes right */
    check_opt(cat, "SELECT t1.a FROM t1 LEFT JOIN t2 ON t1.a = t2.a AND t2.d > 1 WHERE t2.e IS NULL AND t1.b = 2",
              "Project [#0]\n"
              "  Filter (#4 IS NULL)\n"
              "    Join LEFT keys=[#0 = #0]\n"
              "      Scan t1 [a, b] filters=[(#1 = 2)]\n"
              "      Scan t2 [a, d, e] filters=[(#1 > 1.0)]\n");
    /* through GROUP BY when only group columns are read */
    check_opt(cat, "SELECT a, b FROM t1 GROUP BY a, b HAVING a > 1",
              "Project [#0, #1]\n"
              "  Aggregate groups=[#0, #1] aggs=[]\n"
              "    Scan t1 [a, b] filters=[(#0 > 1)]\n");
    /* into every input of a UNION ALL */
    check_opt(cat, "SELECT * FROM (SELECT a FROM t1 UNION ALL SELECT a FROM t2) WHERE a = 5",
              "Project [#0]\n"
              "  Union All\n"
              "    Project [#0]\n"
              "      Scan t1 [a] filters=[(#0 = 5)]\n"
              "    Project [#0]\n"
              "      Scan t2 [a] filters=[(#0 = 5)]\n");
    /* no filter: the limit reaches the scan */
    check_opt(cat, "SELECT c FROM t1 LIMIT 4 OFFSET 2",
              "Limit 4 offset 2\n"
              "  Project [#0]\n"
              "    Scan t1 [c] limit=6\n");
    tn_catalog_free(cat);
}

TEST(decorrelation)
{
    tn_catalog *cat = test_catalog();
    check_opt(cat, "SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a AND d > 1)",
              "Project [#0]\n"
              "  Join SEMI keys=[#0 = #0]\n"
              "    Scan t1 [a]\n"
              "    Project [#0]\n"
              "      Scan t2 [a, d] filters=[(#1 > 1.0)]\n");
    check_opt(cat, "SELECT a FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a AND t2.d > t1.b)",
              "Project [#0]\n"
              "  Join ANTI keys=[#0 = #0] on (#3 > CAST(#1 AS double))\n"
              "    Scan t1 [a, b]\n"
              "    Project [#0, #1]\n"
              "      Scan t2 [a, d]\n");
    check_opt(cat, "SELECT a FROM t1 WHERE a IN (SELECT x FROM t3) AND b NOT IN (SELECT a FROM t2)",
              "Project [#0]\n"
              "  Filter (NOT #2)\n"
              "    Join MARK keys=[#1 = #0]\n"
              "      Join SEMI keys=[CAST(#0 AS int64) = #0]\n"
              "        Scan t1 [a, b]\n"
              "        Project [#0]\n"
              "          Scan t3 [x]\n"
              "      Project [#0]\n"
              "        Scan t2 [a]\n");
    /* EXISTS in the select list: a MARK join, never NULL */
    check_opt(cat, "SELECT a, EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.b) FROM t1",
              "Project [#0, (#2 IS NOT DISTINCT FROM true)]\n"
              "  Join MARK keys=[#1 = #0]\n"
              "    Scan t1 [a, b]\n"
              "    Project [#0]\n"
              "      Scan t2 [a]\n");
    /* an uncorrelated scalar subquery stays for the executor to run once */
    check_opt(cat, "SELECT a FROM t1 WHERE b = (SELECT 1)",
              "Project [#0]\n"
              "  Filter (#1 = SUBQUERY1)\n"
              "    Subquery1:\n"
              "      Project [1]\n"
              "        Values rows=1 []\n"
              "    Scan t1 [a, b]\n");
    /* correlated scalar aggregates: grouped by the correlation key and LEFT-joined */
    check_opt(cat, "SELECT a, (SELECT max(y) FROM t3 WHERE x = t1.b) FROM t1",
              "Project [#0, #2]\n"
              "  Join LEFT keys=[CAST(#1 AS int64) = #1]\n"
              "    Scan t1 [a, b]\n"
              "    Project [#1, #0]\n"
              "      Aggregate groups=[#0] aggs=[max(#1)]\n"
              "        Scan t3 [x, y]\n");
    /* the grouped aggregate reads only the groups of outer keys that can
     * exist: its input is SEMI-joined with the filtered outer input the
     * keys come from */
    check_opt(cat, "SELECT t1.a FROM t1, t3 WHERE t3.x = t1.a AND t1.b = 5 "
                   "AND t3.y < (SELECT max(d) FROM t2 WHERE t2.a = t1.a)",
              "Project [#0]\n"
              "  Filter (CAST(#3 AS double) < #4)\n"
              "    Join LEFT keys=[#0 = #1]\n"
              "      Join INNER keys=[CAST(#0 AS int64) = #0]\n"
              "        Scan t1 [a, b] filters=[(#1 = 5)]\n"
              "        Scan t3 [x, y]\n"
              "      Project [#1, #0]\n"
              "        Aggregate groups=[#0] aggs=[max(#1)]\n"
              "          Join SEMI keys=[#0 = #0]\n"
              "            Scan t2 [a, d]\n"
              "            Project [#0]\n"
              "              Scan t1 [a, b] filters=[(#1 = 5)]\n");
    /* an IN over one input of a join tree filters that input, below the joins */
    check_opt(cat, "SELECT t1.a, t3.y FROM t1, t3 WHERE t3.x = t1.a AND t1.b IN (SELECT a FROM t2)",
              "Project [#2, #1]\n"
              "  Join INNER keys=[#0 = CAST(#0 AS int64)]\n"
              "    Scan t3 [x, y]\n"
              "    Join SEMI keys=[#1 = #0]\n"
              "      Scan t1 [a, b]\n"
              "      Project [#0]\n"
              "        Scan t2 [a]\n");
    /* count of no rows is 0, not NULL */
    check_opt(cat, "SELECT a, (SELECT count(*) FROM t2 WHERE t2.a = t1.a) FROM t1",
              "Project [#0, CASE WHEN (#1 IS NULL) THEN 0 ELSE #1 END]\n"
              "  Join LEFT keys=[#0 = #1]\n"
              "    Scan t1 [a]\n"
              "    Project [#1, #0]\n"
              "      Aggregate groups=[#0] aggs=[count()]\n"
              "        Scan t2 [a]\n");
    /* inequality correlations: through the DISTINCT domain of the outer columns, NULLs equal */
    check_opt(cat, "SELECT a, (SELECT count(*) FROM t2 WHERE t2.a > t1.a AND t2.d < t1.b) FROM t1",
              "Project [#0, CASE WHEN (#2 IS NULL) THEN 0 ELSE #2 END]\n"
              "  Join LEFT keys=[#0 <=> #1, #1 <=> #2]\n"
              "    Scan t1 [a, b]\n"
              "    Project [#2, #0, #1]\n"
              "      Aggregate groups=[#0, #1] aggs=[count()]\n"
              "        Project [#2, #3]\n"
              "          Join INNER on ((#0 > #2) AND (#1 < CAST(#3 AS double)))\n"
              "            Scan t2 [a, d]\n"
              "            Distinct\n"
              "              Project [#0, #1]\n"
              "                Scan t1 [a, b]\n");
    tn_catalog_free(cat);
}

TEST(operator_inputs)
{
    tn_catalog *cat = test_catalog();
    /* computed group keys, aggregate arguments and filters become projected columns */
    check_opt(cat, "SELECT b, sum(a * 2) FILTER (WHERE c <> 'x'), count(*) FROM t1 GROUP BY b + 1, b",
              "Project [#1, #2, #3]\n"
              "  Aggregate groups=[#3, #1] aggs=[sum(#4) FILTER (WHERE #5), count()]\n"
              "    Project [#0, #1, #2, (#1 + 1), (#0 * 2), (#2 <> 'x')]\n"
              "      Scan t1 [a, b, c]\n");
    tn_catalog_free(cat);
}

TEST(join_order)
{
    tn_catalog *cat = test_catalog();
    tarn_error err;
    tarn_error_init(&err);
    /* t1 x t3 has no predicate: t2 joins first so that no cross product is built */
    check_opt(cat, "SELECT t1.c FROM t1, t3, t2 WHERE t1.a = t2.a AND t2.a = t3.x",
              "Project [#1]\n"
              "  Join INNER keys=[CAST(#2 AS int64) = #0]\n"
              "    Join INNER keys=[#0 = #0]\n"
              "      Scan t1 [a, c]\n"
              "      Scan t2 [a]\n"
              "    Scan t3 [x]\n");
    tn_catalog_free(cat);
}

/* TPC-H Q19's shape: the join key and c = 'x' are in every branch, each
 * branch restricts both tables. */
static const char *Q19_SHAPE =
    "SELECT t1.c FROM t1, t2 WHERE (t1.a = t2.a AND b = 1 AND d < 2 AND c = 'x') "
    "OR (t1.a = t2.a AND b > 5 AND d > 4 AND c = 'x' AND e IS NULL)";

TEST(or_filters)
{
    tn_catalog *cat = test_catalog();
    check_opt(cat, Q19_SHAPE,
              "Project [#2]\n"
              "  Join INNER keys=[#0 = #0] on (((#1 = 1) AND (#4 < 2.0)) OR ((#1 > 5) AND (#4 > 4.0) AND (#5 IS NULL)))\n"
              "    Scan t1 [a, b, c] filters=[(#2 = 'x'), ((#1 = 1) OR (#1 > 5))]\n"
              "    Scan t2 [a, d, e] filters=[((#1 < 2.0) OR ((#1 > 4.0) AND (#2 IS NULL)))]\n");
    /* the first branch has no conjunct on t2: nothing is derived for t2 */
    check_opt(cat, "SELECT t1.c FROM t1, t2 WHERE (t1.a = t2.a AND b = 1) OR (t1.a = t2.a AND b = 2 AND d < 2)",
              "Project [#2]\n"
              "  Join INNER keys=[#0 = #0] on ((#1 = 1) OR ((#1 = 2) AND (#4 < 2.0)))\n"
              "    Scan t1 [a, b, c] filters=[((#1 = 1) OR (#1 = 2))]\n"
              "    Scan t2 [a, d]\n");
    /* a branch made only of common conjuncts makes the OR true */
    check_opt(cat, "SELECT t1.c FROM t1, t2 WHERE (t1.a = t2.a AND b = 1) OR t1.a = t2.a AND b = 1 AND d < 2",
              "Project [#2]\n"
              "  Join INNER keys=[#0 = #0]\n"
              "    Scan t1 [a, b, c] filters=[(#1 = 1)]\n"
              "    Scan t2 [a]\n");
    /* a join condition too */
    check_opt(cat, "SELECT t1.c FROM t1 LEFT JOIN t2 ON (t1.a = t2.a AND d < 1) OR (t1.a = t2.a AND d > 9)",
              "Project [#1]\n"
              "  Join LEFT keys=[#0 = #0]\n"
              "    Scan t1 [a, c]\n"
              "    Scan t2 [a, d] filters=[((#1 < 1.0) OR (#1 > 9.0))]\n");
    /* a volatile call: the OR is left as it is */
    check_opt(cat, "SELECT t1.c FROM t1, t2 WHERE (t1.a = t2.a AND b = 1 AND random() < 0.5) OR (t1.a = t2.a AND b = 2)",
              "Project [#2]\n"
              "  Join INNER on (((#0 = #3) AND (#1 = 1) AND (random() < 0.5)) OR ((#0 = #3) AND (#1 = 2)))\n"
              "    Scan t1 [a, b, c]\n"
              "    Scan t2 [a]\n");
    /* a second pass derives nothing new (no filter twice in a scan), also
     * through a view's projection */
    tarn_error err2;
    tarn_error_init(&err2);
    const char *twice[] = {Q19_SHAPE,
                           "SELECT q FROM v1, t2 WHERE (p = t2.a AND q = 'a' AND d < 1) "
                           "OR (p = t2.a AND q = 'b' AND d > 2)",
                           "SELECT t1.c FROM t1 LEFT JOIN t2 ON (t1.a = t2.a AND b = 1 AND d < 1) "
                           "OR (t1.a = t2.a AND b = 2 AND d > 9)"};
    for (int i = 0; i < 3; i++) {
        char *once = bind_optimize_format(cat, NULL, 1, twice[i], &err2), *again = bind_optimize_format(cat, NULL, 2, twice[i], &err2);
        CHECK(once && strstr(once, " OR ") != NULL);
        CHECK_STR(again, once);
        tn_free(once);
        tn_free(again);
    }
    /* switched off: the OR stays whole above the join */
    tn_optimize_options off = {.no_or_filters = true};
    tarn_error err;
    tarn_error_init(&err);
    char *got = bind_optimize_format(cat, &off, 1, Q19_SHAPE, &err);
    CHECK_STR(got, "Project [#2]\n"
                   "  Join INNER on (((#0 = #3) AND (#1 = 1) AND (#4 < 2.0) AND (#2 = 'x')) OR ((#0 = #3) AND (#1 > 5) "
                   "AND (#4 > 4.0) AND (#2 = 'x') AND (#5 IS NULL)))\n"
                   "    Scan t1 [a, b, c]\n"
                   "    Scan t2 [a, d, e]\n");
    tn_free(got);
    tn_catalog_free(cat);
}

static tn_catalog *alloc_cat;

static int optimize_complex(void *arg, tarn_error *err)
{
    (void)arg;
    tn_plan_ctx ctx;
    tn_plan_ctx_init(&ctx);
    tn_plan *p;
    int rc = tn_bind_query_text(alloc_cat, NULL,
                                "SELECT t1.a, d FROM t1, t2, t3 WHERE t1.a = t2.a AND x = t1.b AND c <> 'q' "
                                "AND EXISTS (SELECT 1 FROM t2 AS z WHERE z.a = t1.a AND z.d > 1) "
                                "AND t1.b NOT IN (SELECT a FROM t2) "
                                "AND t1.a < (SELECT count(*) FROM t3 WHERE t3.x > t1.b) "
                                "AND ((t2.d < 1 AND c = 'a' AND x = 2) OR (t2.d > 2 AND c = 'a' AND x = 3)) "
                                "ORDER BY 1 LIMIT 5",
                                &ctx, &p, err);
    if (rc == 0)
        rc = tn_optimize(&ctx, NULL, &p, err);
    tn_plan_ctx_free(&ctx);
    return rc;
}

TEST(allocation_failures)
{
    alloc_cat = test_catalog();
    CHECK(tn_test_alloc_failures("optimize", optimize_complex, NULL) > 10);
    tn_catalog_free(alloc_cat);
}

int main(void)
{
    RUN(pushdown_and_join_keys);
    RUN(decorrelation);
    RUN(operator_inputs);
    RUN(join_order);
    RUN(or_filters);
    RUN(allocation_failures);
    return tn_test_done();
}
