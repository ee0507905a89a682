/*
 * test_sql_session.c — SQL text through the public API (tarn/sql.h), end
 * to end: DDL and INSERT into memory tables, SELECT with filters,
 * projections, joins, aggregates, ORDER BY / LIMIT, subqueries and CTEs;
 * CSV and Parquet files written by the test (and by COPY) queried by
 * path; CREATE TABLE AS; prepared statements; DESCRIBE / SHOW TABLES;
 * registered Arrow streams; errors with line and column. Every result is
 * checked row by row (rendered as CSV).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrow/c_data.h"
#include "arrow/print.h"
#include "core/alloc.h"
#include "core/pool.h"
#include "tarn/sql.h"
#include "sql_session_helpers.h"
#include "tn_test.h"

TEST(memory_tables)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    EXEC(s, "CREATE TABLE t (a INTEGER, b VARCHAR); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, NULL)");
    CHECK_Q(s, "INSERT INTO t VALUES (4, 'w')", "Count\n1\n");
    CHECK_Q(s, "SELECT a, b FROM t WHERE a > 1 ORDER BY a DESC", "a,b\n4,w\n3,\n2,y\n");
    CHECK_Q(s, "SELECT a * 10 AS x, upper(b) FROM t WHERE b IS NOT NULL ORDER BY 1 LIMIT 2 OFFSET 1",
            "x,upper(b)\n20,Y\n40,W\n");
    CHECK_Q(s, "SELECT count(*) AS n, sum(a), min(b), max(b) FROM t", "n,sum(a),min(b),max(b)\n4,10,w,y\n");
    CHECK_Q(s, "SELECT DISTINCT a % 2 AS p FROM t ORDER BY p", "p\n0\n1\n");
    CHECK_Q(s, "CREATE TABLE u AS SELECT a, b FROM t WHERE a <= 2", "Count\n2\n");
    CHECK_Q(s, "SELECT * FROM u ORDER BY a", "a,b\n1,x\n2,y\n");
    CHECK_Q(s, "SHOW TABLES", "name\nt\nu\n");
    CHECK_Q(s, "DESCRIBE t", "column_name,column_type,null\na,int32,YES\nb,utf8,YES\n");
    EXEC(s, "DROP TABLE u");
    CHECK_QERR(s, "SELECT * FROM u", "line 1, column 15");
    tarn_session_close(s);
}

TEST(joins_aggregates_subqueries)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    EXEC(s, "CREATE TABLE emp (id INTEGER, dept INTEGER, salary INTEGER);"
            "INSERT INTO emp VALUES (1, 10, 100), (2, 10, 200), (3, 20, 300), (4, 30, 50), (5, NULL, 70);"
            "CREATE TABLE dept (id INTEGER, name VARCHAR);"
            "INSERT INTO dept VALUES (10, 'eng'), (20, 'ops'), (40, 'empty')");
    CHECK_Q(s,
            "SELECT d.name, count(*) AS n, sum(e.salary) AS total FROM emp e JOIN dept d ON e.dept = d.id "
            "GROUP BY d.name ORDER BY total DESC, d.name",
            "name,n,total\neng,2,300\nops,1,300\n");
    CHECK_Q(s, "SELECT d.name, e.id FROM dept d LEFT JOIN emp e ON e.dept = d.id ORDER BY d.name, e.id",
            "name,id\nempty,\neng,1\neng,2\nops,3\n");
    CHECK_Q(s, "SELECT id FROM emp WHERE salary > (SELECT avg(salary) FROM emp) ORDER BY id", "id\n2\n3\n");
    /* an equality in every branch of an OR becomes a hash key (TPC-H Q19's shape) */
    const char *ors = "SELECT e.id, d.name FROM emp e, dept d WHERE (e.dept = d.id AND e.salary > 150) OR "
                      "(e.dept = d.id AND d.name = 'eng') ORDER BY e.id";
    CHECK_Q(s, ors, "id,name\n1,eng\n2,eng\n3,ops\n");
    char *plan = q(s, "EXPLAIN SELECT e.id, d.name FROM emp e, dept d WHERE (e.dept = d.id AND e.salary > 150) OR "
                      "(e.dept = d.id AND d.name = 'eng')");
    CHECK(plan && strstr(plan, "HASH_JOIN") && !strstr(plan, "NESTED_LOOP_JOIN"));
    tn_free(plan);
    CHECK_Q(s, "SELECT id FROM emp WHERE dept IN (SELECT id FROM dept) ORDER BY id", "id\n1\n2\n3\n");
    CHECK_Q(s, "SELECT id FROM emp e WHERE NOT EXISTS (SELECT 1 FROM dept d WHERE d.id = e.dept) ORDER BY id",
            "id\n4\n5\n");
    CHECK_Q(s, "WITH big AS (SELECT * FROM emp WHERE salary >= 100) SELECT count(*) AS n FROM big b1, big b2",
            "n\n9\n");
    CHECK_Q(s, "SELECT dept, sum(salary) FROM emp GROUP BY dept HAVING sum(salary) > 60 ORDER BY dept NULLS FIRST",
            "dept,sum(salary)\n,70\n10,300\n20,300\n");
    CHECK_Q(s, "SELECT id FROM dept EXCEPT SELECT dept FROM emp ORDER BY 1", "id\n40\n");
    /* the ALL forms keep min(m, n) and m - n copies of a row */
    CHECK_Q(s, "SELECT * FROM (VALUES (1), (1), (1), (2), (NULL), (NULL)) a(x) INTERSECT ALL "
               "SELECT * FROM (VALUES (1), (1), (3), (NULL)) b(y) ORDER BY 1",
            "x\n1\n1\n\n");
    CHECK_Q(s, "SELECT * FROM (VALUES (1), (1), (1), (2), (NULL), (NULL)) a(x) EXCEPT ALL "
               "SELECT * FROM (VALUES (1), (1), (3), (NULL)) b(y) ORDER BY 1",
            "x\n1\n2\n\n");
    CHECK_Q(s, "SELECT 7 / 2 AS r, 7 % 2 AS m", "r,m\n3.5,1\n");
    /* recursive CTEs: UNION ALL counting, UNION stopping on a cycle */
    CHECK_Q(s, "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT sum(n) AS s FROM c",
            "s\n15\n");
    CHECK_Q(s, "WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT (n * 3) % 7 FROM r) SELECT n FROM r ORDER BY n",
            "n\n1\n2\n3\n4\n5\n6\n");
    /* range: many partitions scanned in parallel; generate_series includes its stop */
    CHECK_Q(s, "SELECT count(*) AS n, sum(range) AS s, max(range) AS m FROM range(1000000)",
            "n,s,m\n1000000,499999500000,999999\n");
    CHECK_Q(s, "SELECT * FROM generate_series(10, 1, -4) g(x)", "x\n10\n6\n2\n");
    CHECK_QERR(s, "SELECT * FROM range(1, 5, 0)", "step");
    tarn_session_close(s);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(files_and_copy)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    char dir[] = "/tmp/tn_session_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char csv[256], pq[256], sql[1024];
    snprintf(csv, sizeof csv, "%s/orders.csv", dir);
    snprintf(pq, sizeof pq, "%s/orders.parquet", dir);
    write_text(csv, "id,customer,amount\n1,ann,10.5\n2,bob,20\n3,ann,4.25\n4,cid,7\n");
    snprintf(sql, sizeof sql,
             "SELECT customer, sum(amount) AS total FROM '%s' GROUP BY customer ORDER BY total DESC LIMIT 2", csv);
    CHECK_Q(s, sql, "customer,total\nbob,20.00\nann,14.75\n");
    snprintf(sql, sizeof sql, "COPY (SELECT * FROM '%s' WHERE id > 1) TO '%s' (FORMAT parquet)", csv, pq);
    CHECK_Q(s, sql, "Count\n3\n");
    snprintf(sql, sizeof sql, "SELECT id, customer FROM '%s' WHERE id >= 3 ORDER BY id", pq);
    CHECK_Q(s, sql, "id,customer\n3,ann\n4,cid\n");
    snprintf(sql, sizeof sql, "CREATE TABLE o AS SELECT * FROM read_parquet('%s')", pq);
    CHECK_Q(s, sql, "Count\n3\n");
    CHECK_Q(s, "SELECT count(*) AS n FROM o WHERE customer = 'ann'", "n\n1\n");
    snprintf(sql, sizeof sql, "SELECT * FROM '%s/missing.csv'", dir);
    CHECK_QERR(s, sql, "missing.csv");
    unlink(csv);
    unlink(pq);
    rmdir(dir);
    tarn_session_close(s);
}

TEST(errors_name_line_and_column)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    EXEC(s, "CREATE TABLE t (quantity INTEGER)");
    CHECK_QERR(s, "SELECT quantty\nFROM t", "line 1, column 8");
    CHECK_QERR(s, "SELECT quantty FROM t", "did you mean \"quantity\"");
    CHECK_QERR(s, "SELECT 1 +\n  FROM t", "line 2");
    EXEC(s, "CREATE TABLE w (word VARCHAR); INSERT INTO w VALUES ('12'), ('abc')");
    CHECK_QERR(s, "SELECT CAST(word AS INTEGER) FROM w", "abc");
    tarn_session_close(s);
}

TEST(prepared_statements)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    EXEC(s, "CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) v(k, v)");
    EXEC(s, "PREPARE p AS SELECT v FROM t WHERE k >= $1 ORDER BY k");
    CHECK_Q(s, "EXECUTE p(2)", "v\nb\nc\n");
    tarn_error err;
    tarn_error_init(&err);
    tarn_prepared *p = NULL;
    CHECK_OK(tarn_sql_prepare(s, "SELECT count(*) AS n FROM t WHERE k < $1", &p, &err), &err);
    if (p) {
        CHECK_EQ_INT(tarn_prepared_nparams(p), 1);
        /* $1 = 3 as a one-row struct array */
        tn_schema *ps = tn_schema_new(1);
        CHECK(ps && tn_field_init(&ps->fields[0], "p1", tn_type_ref(tn_type_get(TN_INT32)), true, &err) == 0);
        tn_batch *b = tn_batch_new(ps, 1);
        int32_t three = 3;
        tn_buffer *vals = tn_buffer_new(sizeof three);
        memcpy(vals->data, &three, sizeof three);
        b->columns[0] = tn_array_new(tn_type_ref(tn_type_get(TN_INT32)), 1, 2, 0);
        b->columns[0]->buffers[1] = vals;
        b->columns[0]->null_count = 0;
        struct ArrowArray arr;
        struct ArrowSchema sch;
        CHECK_OK(tn_export_batch(b, &arr, &err), &err);
        CHECK_OK(tn_export_schema(ps, &sch, &err), &err);
        struct ArrowArrayStream out;
        CHECK_OK(tarn_prepared_execute(p, &arr, &sch, &out, &err), &err);
        char *got = render(&out, &err);
        CHECK_STR(got, "n\n2\n");
        tn_free(got);
        if (arr.release)
            arr.release(&arr);
        sch.release(&sch);
        tn_batch_unref(b);
        tn_schema_unref(ps);
        tarn_prepared_free(p);
    }
    tarn_session_close(s);
}

TEST(registered_stream)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    tarn_error err;
    tarn_error_init(&err);
    struct ArrowArrayStream in;
    /* a stream made by a query of another session */
    tarn_session *other = open_session();
    if (!other) {
        tarn_session_close(s);
        return;
    }
    CHECK_OK(tarn_sql_query(other, "SELECT * FROM (VALUES (1, 'one'), (2, 'two')) t(n, name)", &in, &err), &err);
    tarn_session_close(other); /* the stream outlives its session */
    CHECK_OK(tarn_session_register_stream(s, "nums", &in, 1, &err), &err);
    CHECK_Q(s, "SELECT name FROM nums WHERE n = 2", "name\ntwo\n");
    CHECK_Q(s, "SELECT count(*) AS n FROM nums", "n\n2\n");
    CHECK_OK(tarn_session_drop(s, "nums", &err), &err);
    CHECK_QERR(s, "SELECT * FROM nums", "nums");
    tarn_session_close(s);
}

int main(void)
{
    RUN(memory_tables);
    RUN(joins_aggregates_subqueries);
    RUN(files_and_copy);
    RUN(errors_name_line_and_column);
    RUN(prepared_statements);
    RUN(registered_stream);
    tn_pool_shutdown();
    return tn_test_done();
}
