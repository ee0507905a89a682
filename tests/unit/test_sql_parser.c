/*
 * test_sql_parser.c — the SQL lexer, parser and printer: every construct of
 * the dialect with its canonical text, the exact error messages for a
 * catalogue of mistakes, the round trip print(parse(print(parse(x)))) ==
 * print(parse(x)) for every statement here, every statement of the shared
 * sqllogictest corpus and the TPC-H queries, nesting limits and
 * allocation-failure injection.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "sql/parser/lexer.h"
#include "sql/parser/parser.h"
#include "tn_test.h"

/* Parse text as a script and return its canonical text (tn_free it), after
 * checking that the canonical text parses back to the same canonical text.
 * NULL (with err set) when parsing fails. */
static char *canon(const char *text, size_t len, tarn_error *err)
{
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_script *s;
    char *out = NULL;
    if (tn_sql_parse(text, len, &a, &s, err) == 0) {
        tn_buf b;
        tn_buf_init(&b, 0);
        if (tn_sql_print_script(&b, s, err) == 0 && tn_buf_append(&b, "", 0, err) == 0) {
            out = tn_buf_take(&b);
            if (!out)
                out = tn_strdup("");
        }
        tn_buf_reset(&b);
    }
    tn_arena_free(&a);
    if (!out)
        return NULL;
    /* The round trip. */
    tn_arena_init(&a, 0);
    tarn_error e2;
    tarn_error_init(&e2);
    if (tn_sql_parse(out, strlen(out), &a, &s, &e2) != 0) {
        fprintf(stderr, "%s: canonical text does not reparse: %s\n  text: %s\n", tn_test_current, e2.message, out);
        tn_test_failures++;
    } else {
        tn_buf b;
        tn_buf_init(&b, 0);
        if (tn_sql_print_script(&b, s, &e2) == 0 && b.len) {
            if (strcmp((char *)b.data, out) != 0) {
                fprintf(stderr, "%s: round trip differs:\n  first:  %s\n  second: %s\n", tn_test_current, out,
                        (char *)b.data);
                tn_test_failures++;
            }
        }
        tn_buf_reset(&b);
    }
    tn_arena_free(&a);
    return out;
}

#define CANON(sql, want)                                                                   \
    do {                                                                                   \
        tarn_error e_;                                                                     \
        tarn_error_init(&e_);                                                              \
        char *got_ = canon((sql), strlen(sql), &e_);                                       \
        if (!got_) {                                                                       \
            fprintf(stderr, "%s:%d: %s: parse failed: %s\n  sql: %s\n", __FILE__, __LINE__, \
                    tn_test_current, e_.message, (sql));                                   \
            tn_test_failures++;                                                            \
        } else {                                                                           \
            CHECK_STR(got_, (want));                                                       \
            tn_free(got_);                                                                 \
        }                                                                                  \
    } while (0)

/* Parsing fails with exactly this message. */
#define FAILS(sql, msg)                                                                    \
    do {                                                                                   \
        tarn_error e_;                                                                     \
        tarn_error_init(&e_);                                                              \
        char *got_ = canon((sql), strlen(sql), &e_);                                       \
        if (got_) {                                                                        \
            fprintf(stderr, "%s:%d: %s: parsed but should fail: %s\n", __FILE__, __LINE__,  \
                    tn_test_current, got_);                                                \
            tn_test_failures++;                                                            \
            tn_free(got_);                                                                 \
        } else {                                                                           \
            CHECK_EQ_INT(e_.code, TARN_EPARSE);                                            \
            CHECK_STR(e_.message, (msg));                                                  \
        }                                                                                  \
    } while (0)

TEST(keywords_sorted)
{
    int n = tn_sql_keyword_count();
    for (int k = 2; k <= n; k++)
        CHECK(strcmp(tn_sql_keyword_name(k - 1), tn_sql_keyword_name(k)) < 0);
    for (int k = 1; k <= n; k++) {
        const char *w = tn_sql_keyword_name(k);
        CHECK_EQ_INT(tn_sql_keyword(w, strlen(w)), k);
    }
    CHECK_EQ_INT(tn_sql_keyword("select", 6), KW_SELECT);
    CHECK_EQ_INT(tn_sql_keyword("SeLeCt", 6), KW_SELECT);
    CHECK_EQ_INT(tn_sql_keyword("selectx", 7), 0);
    CHECK_EQ_INT(tn_sql_keyword("a_very_long_word_here", 21), 0);
}

TEST(lexer_tokens)
{
    const char *s = "SELECT \"a\"\"b\", 'it''s', E'x\\n', 12, 1.5e-3, .5, $2, ?, <> :: := -- c\n /* a /* b */ */ x";
    tn_lexer lx = {s, strlen(s), 0};
    tarn_error err;
    tarn_error_init(&err);
    int kinds[] = {TK_WORD, TK_QIDENT, TK_OP,    TK_STRING, TK_OP, TK_ESTRING, TK_OP, TK_INT, TK_OP,
                   TK_NUMBER, TK_OP, TK_NUMBER, TK_OP, TK_PARAM, TK_OP, TK_QMARK, TK_OP, TK_OP,
                   TK_OP, TK_OP, TK_WORD, TK_EOF};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        tn_tok t = tn_lex_next(&lx, &err);
        CHECK_EQ_INT(t.kind, kinds[i]);
    }
}

TEST(select_basics)
{
    CANON("select 1", "SELECT 1");
    CANON("SELECT a, b AS x, c y, * FROM t", "SELECT a, b AS x, c AS y, * FROM t");
    CANON("SELECT t.*, s.t.a FROM s.t", "SELECT t.*, s.t.a FROM s.t");
    CANON("SELECT * EXCLUDE (a, b) FROM t", "SELECT * EXCLUDE (a, b) FROM t");
    CANON("SELECT * EXCLUDE a FROM t", "SELECT * EXCLUDE (a) FROM t");
    CANON("SELECT DISTINCT a FROM t", "SELECT DISTINCT a FROM t");
    CANON("SELECT ALL a FROM t", "SELECT a FROM t");
    CANON("SELECT DISTINCT ON (a, b) a, c FROM t", "SELECT DISTINCT ON (a, b) a, c FROM t");
    CANON("SELECT \"Weird \"\"Name\"\" \" FROM \"My Table\"",
          "SELECT \"Weird \"\"Name\"\" \" FROM \"My Table\"");
    CANON("SELECT \"select\" FROM \"from\"", "SELECT \"select\" FROM \"from\"");
    CANON("SELECT a FROM t WHERE a > 1 GROUP BY a HAVING count(*) > 2 QUALIFY row_number() OVER w = 1 "
          "WINDOW w AS (ORDER BY a)",
          "SELECT a FROM t WHERE (a > 1) GROUP BY a HAVING (count(*) > 2) WINDOW w AS (ORDER BY a) "
          "QUALIFY (row_number() OVER w = 1)");
    CANON("SELECT 1;;SELECT 2;", "SELECT 1;\nSELECT 2");
    CANON("", "");
    CANON("-- only a comment\n/* and another */", "");
}

TEST(from_clause)
{
    CANON("SELECT * FROM read_parquet('x/*.parquet', hive_partitioning=true)",
          "SELECT * FROM read_parquet('x/*.parquet', \"hive_partitioning\" := TRUE)");
    CANON("SELECT * FROM read_csv('a.csv', header := true, delim => ';') AS r(a, b)",
          "SELECT * FROM read_csv('a.csv', \"header\" := TRUE, \"delim\" := ';') AS r(a, b)");
    CANON("SELECT * FROM 'data/*.parquet'", "SELECT * FROM 'data/*.parquet'");
    CANON("SELECT * FROM 'f.csv' f", "SELECT * FROM 'f.csv' AS f");
    CANON("SELECT * FROM (SELECT 1 AS a) AS s(x)", "SELECT * FROM (SELECT 1 AS a) AS s(x)");
    CANON("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(n, s)",
          "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)");
    CANON("SELECT * FROM a, b c, LATERAL (SELECT 1) d", "SELECT * FROM a, b AS c, LATERAL (SELECT 1) AS d");
    CANON("SELECT * FROM a JOIN b ON a.x = b.x LEFT OUTER JOIN c USING (x, y)",
          "SELECT * FROM a INNER JOIN b ON (a.x = b.x) LEFT JOIN c USING (x, y)");
    CANON("SELECT * FROM a RIGHT JOIN b ON true FULL OUTER JOIN c ON false CROSS JOIN d",
          "SELECT * FROM a RIGHT JOIN b ON TRUE FULL JOIN c ON FALSE CROSS JOIN d");
    CANON("SELECT * FROM a NATURAL JOIN b NATURAL LEFT JOIN c",
          "SELECT * FROM a NATURAL INNER JOIN b NATURAL LEFT JOIN c");
    CANON("SELECT * FROM a SEMI JOIN b ON a.k = b.k ANTI JOIN c USING (k)",
          "SELECT * FROM a SEMI JOIN b ON (a.k = b.k) ANTI JOIN c USING (k)");
    CANON("SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.y = b.y",
          "SELECT * FROM a INNER JOIN (b INNER JOIN c ON (b.x = c.x)) ON (a.y = b.y)");
    CANON("SELECT * FROM (a JOIN b USING (k))", "SELECT * FROM a INNER JOIN b USING (k)");
}

TEST(group_order_limit)
{
    CANON("SELECT a, sum(b) FROM t GROUP BY 1 ORDER BY 2 DESC NULLS LAST, a ASC NULLS FIRST LIMIT 10 OFFSET 5",
          "SELECT a, sum(b) FROM t GROUP BY 1 ORDER BY 2 DESC NULLS LAST, a ASC NULLS FIRST LIMIT 10 OFFSET 5");
    CANON("SELECT a FROM t GROUP BY ALL ORDER BY ALL DESC", "SELECT a FROM t GROUP BY ALL ORDER BY ALL DESC");
    CANON("SELECT a FROM t GROUP BY GROUPING SETS ((a, b), (a), ()), ROLLUP (a, (b, c)), CUBE (a, b)",
          "SELECT a FROM t GROUP BY GROUPING SETS ((a, b), a, ()), ROLLUP (a, (b, c)), CUBE (a, b)");
    CANON("SELECT 1 FROM t GROUP BY ()", "SELECT 1 FROM t GROUP BY ()");
    CANON("SELECT a FROM t OFFSET 3 ROWS FETCH FIRST 5 ROWS ONLY", "SELECT a FROM t LIMIT 5 OFFSET 3");
    CANON("SELECT a FROM t FETCH NEXT ROW ONLY", "SELECT a FROM t LIMIT 1");
    CANON("SELECT a FROM t LIMIT $1", "SELECT a FROM t LIMIT $1");
}

TEST(set_operations)
{
    CANON("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3", "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3");
    CANON("SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3", "SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3");
    CANON("(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3", "(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3");
    CANON("SELECT 1 INTERSECT (SELECT 2 UNION DISTINCT SELECT 3) ORDER BY 1 LIMIT 1",
          "SELECT 1 INTERSECT (SELECT 2 UNION SELECT 3) ORDER BY 1 LIMIT 1");
    CANON("(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u)",
          "(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u)");
    CANON("SELECT ((SELECT 1) UNION (SELECT 2) ORDER BY 1 LIMIT 1), x IN ((SELECT 1) EXCEPT SELECT 2)",
          "SELECT ((SELECT 1) UNION (SELECT 2) ORDER BY 1 LIMIT 1), (x IN ((SELECT 1) EXCEPT SELECT 2))");
    CANON("SELECT * FROM ((SELECT 1) INTERSECT (SELECT 2)) AS t, ((SELECT 3) LIMIT 1) u",
          "SELECT * FROM ((SELECT 1) INTERSECT (SELECT 2)) AS t, ((SELECT 3) LIMIT 1) AS u");
    CANON("VALUES (1), (2) EXCEPT ALL VALUES (2)", "VALUES (1), (2) EXCEPT ALL VALUES (2)");
    CANON("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10), "
          "m AS MATERIALIZED (SELECT 2), k AS NOT MATERIALIZED (SELECT 3) SELECT * FROM r",
          "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT (n + 1) FROM r WHERE (n < 10)), "
          "m AS MATERIALIZED (SELECT 2), k AS NOT MATERIALIZED (SELECT 3) SELECT * FROM r");
}

TEST(precedence)
{
    CANON("SELECT 1 + 2 * 3 - 4 / 5 % 6", "SELECT ((1 + (2 * 3)) - ((4 / 5) % 6))");
    CANON("SELECT a OR b AND NOT c = d", "SELECT (a OR (b AND (NOT (c = d))))");
    CANON("SELECT -2 ^ 2, -x::int, 2 ^ 3 ^ 2", "SELECT ((-2) ^ 2), (-CAST(x AS INT)), ((2 ^ 3) ^ 2)");
    CANON("SELECT a || b = c, a < b = (c > d)", "SELECT ((a || b) = c), ((a < b) = (c > d))");
    CANON("SELECT a + b BETWEEN 1 AND 2 + 3 AND c", "SELECT (((a + b) BETWEEN 1 AND (2 + 3)) AND c)");
    CANON("SELECT a = b IS NOT NULL", "SELECT ((a = b) IS NOT NULL)");
    CANON("SELECT NOT a IS NULL, a IS TRUE, b IS NOT FALSE, c ISNULL, d NOTNULL, e IS UNKNOWN",
          "SELECT (NOT (a IS NULL)), (a IS TRUE), (b IS NOT FALSE), (c IS NULL), (d IS NOT NULL), (e IS UNKNOWN)");
    CANON("SELECT a IS DISTINCT FROM b + 1, a IS NOT DISTINCT FROM b",
          "SELECT (a IS DISTINCT FROM (b + 1)), (a IS NOT DISTINCT FROM b)");
    CANON("SELECT a & b | c # d << 1 >> 2, ~a, +a", "SELECT (((((a & b) | c) # d) << 1) >> 2), (~a), (+a)");
    CANON("SELECT - - 1, 1 - -1, a != b, a == b", "SELECT (-(-1)), (1 - (-1)), (a <> b), (a = b)");
    CANON("SELECT a LIKE 'x%' || 'y' ESCAPE '!'", "SELECT (a LIKE ('x%' || 'y') ESCAPE '!')");
}

TEST(literals)
{
    CANON("SELECT 123456789012345678901234567890, 1.50, 1e10, 2.5E-3, .5, 7.",
          "SELECT 123456789012345678901234567890, 1.50, 1e10, 2.5E-3, .5, 7.");
    CANON("SELECT 'it''s', E'a\\nb\\'c\\x41\\101', '', TRUE, false, NULL",
          "SELECT 'it''s', 'a\nb''cAA', '', TRUE, FALSE, NULL");
    CANON("SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00', timestamptz 'x', TIME 'y'",
          "SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00', TIMESTAMPTZ 'x', TIME 'y'");
    CANON("SELECT INTERVAL '1 day', INTERVAL 3 DAY, interval '90' day, INTERVAL (a + 1) months",
          "SELECT INTERVAL '1 day', INTERVAL (3) DAY, INTERVAL '90' DAY, INTERVAL ((a + 1)) MONTHS");
    CANON("SELECT $1, ?, $12", "SELECT $1, ?, $12");
    CANON("SELECT x'303132', X'aB'", "SELECT X'303132', X'aB'");
    CANON("SELECT [1, 2, 3], [], ARRAY[4], {'a': 1, b: 'x', \"C\": [2]}, (1, 2)",
          "SELECT [1, 2, 3], [], [4], {'a': 1, 'b': 'x', 'C': [2]}, (1, 2)");
    CANON("SELECT date, interval, \"date\" FROM t", "SELECT date, interval, \"date\" FROM t");
}

TEST(predicates)
{
    CANON("SELECT a IN (1, 2), b NOT IN (SELECT x FROM u), c NOT BETWEEN 1 AND 2",
          "SELECT (a IN (1, 2)), (b NOT IN (SELECT x FROM u)), (c NOT BETWEEN 1 AND 2)");
    CANON("SELECT EXISTS (SELECT 1), NOT EXISTS (SELECT 2), (SELECT max(a) FROM t)",
          "SELECT EXISTS (SELECT 1), (NOT EXISTS (SELECT 2)), (SELECT max(a) FROM t)");
    CANON("SELECT a = ANY (SELECT b FROM u), a < ALL (SELECT 1), a <> SOME (SELECT 2), a = ANY(l)",
          "SELECT (a = ANY (SELECT b FROM u)), (a < ALL (SELECT 1)), (a <> ANY (SELECT 2)), (a = ANY (l))");
    CANON("SELECT a NOT LIKE 'x', b ILIKE 'y', c NOT ILIKE 'z', d SIMILAR TO 'q', e NOT SIMILAR TO 'r'",
          "SELECT (a NOT LIKE 'x'), (b ILIKE 'y'), (c NOT ILIKE 'z'), (d SIMILAR TO 'q'), (e NOT SIMILAR TO 'r')");
}

TEST(functions_and_casts)
{
    CANON("SELECT count(*), count(DISTINCT a), string_agg(x, ',' ORDER BY y DESC), sum(x) FILTER (WHERE x > 0)",
          "SELECT count(*), count(DISTINCT a), string_agg(x, ',' ORDER BY y DESC), "
          "sum(x) FILTER (WHERE (x > 0))");
    CANON("SELECT coalesce(a, b), nullif(a, 0), greatest(1, 2), least(a), left(s, 2), right(s, 1), "
          "main.my_func(1)",
          "SELECT coalesce(a, b), nullif(a, 0), greatest(1, 2), least(a), left(s, 2), right(s, 1), "
          "main.my_func(1)");
    CANON("SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 THEN 'a' END",
          "SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 THEN 'a' END");
    CANON("SELECT CAST(a AS DECIMAL(10, 2)), TRY_CAST(b AS varchar(20)), c::BIGINT[], d::INT[3]",
          "SELECT CAST(a AS DECIMAL(10, 2)), TRY_CAST(b AS VARCHAR(20)), CAST(c AS BIGINT[]), CAST(d AS INT[3])");
    CANON("SELECT a::double precision, b::timestamp with time zone, c::TIMESTAMP(3) WITHOUT TIME ZONE, "
          "d::character varying(5)",
          "SELECT CAST(a AS DOUBLE), CAST(b AS TIMESTAMP WITH TIME ZONE), CAST(c AS TIMESTAMP(3)), "
          "CAST(d AS VARCHAR(5))");
    CANON("SELECT a::STRUCT(x INT, \"Y\" VARCHAR), b::MAP(VARCHAR, INT), c::LIST(INT), d::uuid, e::json",
          "SELECT CAST(a AS STRUCT(x INT, \"Y\" VARCHAR)), CAST(b AS MAP(VARCHAR, INT)), CAST(c AS INT[]), "
          "CAST(d AS UUID), CAST(e AS JSON)");
    CANON("SELECT a::TINYINT, b::HUGEINT, c::UBIGINT, d::REAL, e::FLOAT, f::BLOB, g::BYTEA, h::BOOLEAN, "
          "i::TEXT, j::STRING, k::NUMERIC, l::INTERVAL, m::SMALLINT, n::TIMESTAMPTZ, o::DATE, p::TIME",
          "SELECT CAST(a AS TINYINT), CAST(b AS HUGEINT), CAST(c AS UBIGINT), CAST(d AS REAL), "
          "CAST(e AS FLOAT), CAST(f AS BLOB), CAST(g AS BYTEA), CAST(h AS BOOLEAN), CAST(i AS TEXT), "
          "CAST(j AS STRING), CAST(k AS NUMERIC), CAST(l AS INTERVAL), CAST(m AS SMALLINT), "
          "CAST(n AS TIMESTAMPTZ), CAST(o AS DATE), CAST(p AS TIME)");
    CANON("SELECT EXTRACT(year FROM d), extract('month' FROM d), substring(s FROM 2 FOR 3), "
          "substring(s for 2), position('a' IN s)",
          "SELECT EXTRACT(YEAR FROM d), EXTRACT(MONTH FROM d), substring(s, 2, 3), substring(s, 1, 2), "
          "position('a', s)");
    CANON("SELECT x[1], x[1:3], x[:2], x[2:], (s).field, f(a).b, m['k'][1], (a + b)[1]",
          "SELECT x[1], x[1:3], x[:2], x[2:], (s).field, (f(a)).b, m['k'][1], ((a + b))[1]");
    CANON("SELECT f(a := 1, b => 2)", "SELECT f(\"a\" := 1, \"b\" := 2)");
    CANON("SELECT f(a = 1)", "SELECT f((a = 1))");
}

TEST(windows)
{
    CANON("SELECT sum(x) OVER (PARTITION BY a, b ORDER BY c ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
          "SELECT sum(x) OVER (PARTITION BY a, b ORDER BY c ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)");
    CANON("SELECT sum(x) OVER (ORDER BY c RANGE BETWEEN INTERVAL '1 day' PRECEDING AND 2 FOLLOWING "
          "EXCLUDE CURRENT ROW)",
          "SELECT sum(x) OVER (ORDER BY c RANGE BETWEEN INTERVAL '1 day' PRECEDING AND 2 FOLLOWING "
          "EXCLUDE CURRENT ROW)");
    CANON("SELECT sum(x) OVER (GROUPS 3 PRECEDING EXCLUDE TIES), avg(x) OVER (w ROWS BETWEEN 1 FOLLOWING "
          "AND UNBOUNDED FOLLOWING EXCLUDE NO OTHERS), min(x) OVER (), rank() OVER w "
          "FROM t WINDOW w AS (PARTITION BY a), v AS (w ORDER BY b) ",
          "SELECT sum(x) OVER (GROUPS 3 PRECEDING EXCLUDE TIES), avg(x) OVER (w ROWS BETWEEN 1 FOLLOWING "
          "AND UNBOUNDED FOLLOWING EXCLUDE NO OTHERS), min(x) OVER (), rank() OVER w "
          "FROM t WINDOW w AS (PARTITION BY a), v AS (w ORDER BY b)");
    CANON("SELECT count(*) FILTER (WHERE a) OVER (ORDER BY b ROWS UNBOUNDED PRECEDING EXCLUDE GROUP)",
          "SELECT count(*) FILTER (WHERE a) OVER (ORDER BY b ROWS UNBOUNDED PRECEDING EXCLUDE GROUP)");
}

TEST(statements)
{
    CANON("CREATE TABLE t (a INTEGER NOT NULL, b VARCHAR DEFAULT 'x', c DECIMAL(10,2) PRIMARY KEY, d INT[] NULL)",
          "CREATE TABLE t (a INTEGER NOT NULL, b VARCHAR DEFAULT 'x', c DECIMAL(10, 2) PRIMARY KEY, d INT[])");
    CANON("create or replace temp table if not exists s.t (a int, b int unique, primary key (a, b))",
          "CREATE OR REPLACE TEMP TABLE IF NOT EXISTS s.t (a INT, b INT UNIQUE, PRIMARY KEY (a, b))");
    CANON("CREATE TABLE t AS SELECT 1 AS a", "CREATE TABLE t AS SELECT 1 AS a");
    CANON("CREATE OR REPLACE VIEW v(a, b) AS SELECT 1, 2", "CREATE OR REPLACE VIEW v(a, b) AS SELECT 1, 2");
    CANON("INSERT INTO t VALUES (1, 'a'), (2, NULL)", "INSERT INTO t VALUES (1, 'a'), (2, NULL)");
    CANON("INSERT INTO s.t (a, b) SELECT x, y FROM u", "INSERT INTO s.t (a, b) SELECT x, y FROM u");
    CANON("INSERT INTO t (SELECT 1)", "INSERT INTO t (SELECT 1)");
    CANON("DELETE FROM t WHERE a = 1", "DELETE FROM t WHERE (a = 1)");
    CANON("DELETE FROM t x USING u WHERE x.a = u.a", "DELETE FROM t AS x USING u WHERE (x.a = u.a)");
    CANON("UPDATE t SET a = a + 1, b = 'x' WHERE c", "UPDATE t SET a = (a + 1), b = 'x' WHERE c");
    CANON("UPDATE t AS x SET a = u.a FROM u WHERE x.k = u.k",
          "UPDATE t AS x SET a = u.a FROM u WHERE (x.k = u.k)");
    CANON("DROP TABLE IF EXISTS a, s.b CASCADE; DROP VIEW v",
          "DROP TABLE IF EXISTS a, s.b CASCADE;\nDROP VIEW v");
    CANON("COPY (SELECT * FROM t) TO 'out.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)",
          "COPY (SELECT * FROM t) TO 'out.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)");
    CANON("COPY t FROM 'in.csv' (HEADER, DELIMITER ';', NULL 'NA')",
          "COPY t FROM 'in.csv' (HEADER, DELIMITER ';', NULL 'NA')");
    CANON("COPY t (a, b) TO 'x.csv' WITH (FORMAT 'csv', PARTITION_BY (a, b))",
          "COPY t (a, b) TO 'x.csv' (FORMAT 'csv', PARTITION_BY (a, b))");
    CANON("PREPARE q AS SELECT $1 + 1; EXECUTE q(41); EXECUTE q; DEALLOCATE PREPARE q",
          "PREPARE q AS SELECT ($1 + 1);\nEXECUTE q(41);\nEXECUTE q;\nDEALLOCATE q");
    CANON("SET threads = 4; SET memory_limit TO '1GB'; RESET threads; RESET ALL",
          "SET threads = 4;\nSET memory_limit = '1GB';\nRESET threads;\nRESET ALL");
    CANON("DESCRIBE t; DESCRIBE SELECT 1; SHOW TABLES; SHOW threads",
          "DESCRIBE t;\nDESCRIBE SELECT 1;\nSHOW TABLES;\nSHOW threads");
    CANON("EXPLAIN SELECT 1; EXPLAIN ANALYZE SELECT 2", "EXPLAIN SELECT 1;\nEXPLAIN ANALYZE SELECT 2");
    CANON("BEGIN; BEGIN TRANSACTION; START TRANSACTION; COMMIT; END; ROLLBACK WORK",
          "BEGIN;\nBEGIN;\nBEGIN;\nCOMMIT;\nCOMMIT;\nROLLBACK");
}

TEST(script_with_comments)
{
    CANON("-- header\nSELECT a /* inline /* nested */ */ FROM t; -- trailing\n\n/* block */ SELECT 2 --x",
          "SELECT a FROM t;\nSELECT 2");
}

TEST(locations)
{
    tn_arena a;
    tn_arena_init(&a, 0);
    const char *sql = "SELECT 1;\n  SELECT a\n    FROM t";
    tn_sql_script *s;
    tarn_error err;
    CHECK_OK(tn_sql_parse(sql, strlen(sql), &a, &s, &err), &err);
    CHECK_EQ_INT(s->n, 2);
    int line, col;
    tn_sql_location(sql, strlen(sql), s->stmts[1]->loc, &line, &col);
    CHECK_EQ_INT(line, 2);
    CHECK_EQ_INT(col, 3);
    CHECK_EQ_INT(s->stmts[1]->end, strlen(sql));
    tn_sql_tableref *r = s->stmts[1]->query->body->select->from[0];
    tn_sql_location(sql, strlen(sql), r->loc, &line, &col);
    CHECK_EQ_INT(line, 3);
    CHECK_EQ_INT(col, 10);
    CHECK(!r->name.parts[0].quoted);
    CHECK_STR(r->name.parts[0].text, "t");
    tn_arena_free(&a);
}

TEST(ast_shapes)
{
    tn_arena a;
    tn_arena_init(&a, 0);
    const char *sql = "SELECT \"Ab\", 99999999999999999999 FROM T WHERE x IN (1, 2)";
    tn_sql_stmt *s;
    tarn_error err;
    CHECK_OK(tn_sql_parse_one(sql, strlen(sql), &a, &s, &err), &err);
    tn_sql_select *sel = s->query->body->select;
    CHECK_EQ_INT(sel->nitems, 2);
    CHECK_EQ_INT(sel->items[0].expr->kind, TN_SQL_COLUMN);
    CHECK(sel->items[0].expr->name.parts[0].quoted);
    CHECK_STR(sel->items[0].expr->name.parts[0].text, "Ab");
    CHECK_EQ_INT(sel->items[1].expr->kind, TN_SQL_LIT_INT);
    CHECK_STR(sel->items[1].expr->text, "99999999999999999999");
    CHECK_STR(sel->from[0]->name.parts[0].text, "T");
    CHECK_EQ_INT(sel->where->kind, TN_SQL_IN_LIST);
    CHECK_EQ_INT(sel->where->list.n, 2);
    CHECK_EQ_INT(tn_sql_parse_one("SELECT 1; SELECT 2", 18, &a, &s, &err), TARN_EPARSE);
    CHECK_STR(err.message, "syntax error at line 1, column 11: expected one statement, found a second");
    tn_arena_free(&a);
}

TEST(errors)
{
    FAILS("SELECT a,\n b\n FROM t WHERE a + )",
          "syntax error at line 3, column 19: expected an expression after '+', found ')'");
    FAILS("SELECT 'abc", "unterminated string starting at line 1, column 8");
    FAILS("SELECT \"abc", "unterminated quoted identifier starting at line 1, column 8");
    FAILS("SELECT 1 /* open", "unterminated comment starting at line 1, column 10");
    FAILS("SELCT 1", "syntax error at line 1, column 1: 'SELCT' is not a statement (did you mean SELECT?)");
    FAILS("INSRT INTO t VALUES (1)",
          "syntax error at line 1, column 1: 'INSRT' is not a statement (did you mean INSERT?)");
    FAILS("SELECT a FORM t", "syntax error at line 1, column 15: expected ';' or the end of the input after the "
                             "statement, found 't' (is 'FORM' a misspelt FROM?)");
    FAILS("SELECT a FROM t WHER a = 1", "syntax error at line 1, column 22: expected ';' or the end of the input "
                                        "after the statement, found 'a' (is 'WHER' a misspelt WHERE?)");
    FAILS("SELECT a FROM t ORDR BY a", "syntax error at line 1, column 22: expected ';' or the end of the input "
                                       "after the statement, found 'BY' (is 'ORDR' a misspelt ORDER?)");
    FAILS("FOO", "syntax error at line 1, column 1: 'FOO' is not a statement");
    FAILS("SELECT 1 2", "syntax error at line 1, column 10: expected ';' or the end of the input after the "
                        "statement, found '2'");
    FAILS("SELECT (1 + 2", "syntax error at line 1, column 14: expected ')' to close the '(' at line 1, "
                           "column 8, found end of input");
    FAILS("SELECT 1)", "syntax error at line 1, column 9: found ')' without a matching '('");
    FAILS("SELECT f(1, 2", "syntax error at line 1, column 14: expected ')' to close the '(' at line 1, "
                           "column 9, found end of input");
    FAILS("SELECT a FROM", "syntax error at line 1, column 14: expected a table name, a subquery or a file "
                           "path, found end of input");
    FAILS("SELECT a FROM select",
          "syntax error at line 1, column 15: expected a table name, a subquery or a file path, found the "
          "keyword 'select' (quote it as \"select\" to use it as a name)");
    FAILS("SELECT * FROM LATERAL t", "syntax error at line 1, column 23: expected '(' and a subquery after "
                                      "LATERAL, found 't'");
    FAILS("SELECT a, FROM t", "syntax error at line 1, column 11: expected an expression after ',', found 'FROM'");
    FAILS("SELECT * FROM a JOIN b", "syntax error at line 1, column 23: expected ON or USING after the joined "
                                    "table, found end of input");
    FAILS("SELECT a FROM t ORDER a", "syntax error at line 1, column 23: expected BY, found 'a'");
    FAILS("SELECT CASE END", "syntax error at line 1, column 13: expected an expression after 'CASE', found 'END'");
    FAILS("SELECT CASE a END", "syntax error at line 1, column 15: expected WHEN in CASE, found 'END'");
    FAILS("SELECT CAST(a AS) ", "syntax error at line 1, column 17: expected a type name, found ')'");
    FAILS("SELECT a IS 5", "syntax error at line 1, column 13: expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT "
                           "FROM after IS, found '5'");
    FAILS("SELECT a BETWEEN 1 OR 2", "syntax error at line 1, column 20: expected AND, found 'OR'");
    FAILS("SELECT x IN 1", "syntax error at line 1, column 13: expected '(' after IN, found '1'");
    FAILS("SELECT $0", "syntax error at line 1, column 8: parameter number must be between 1 and 65535");
    FAILS("SELECT $x", "expected a parameter number after '$' at line 1, column 8");
    FAILS("SELECT a ! b", "unexpected character '!' at line 1, column 10");
    FAILS("SELECT `a`", "unexpected character '`' at line 1, column 8");
    FAILS("SELECT x'1'", "syntax error at line 1, column 8: a blob literal X'...' needs an even number of "
                         "hexadecimal digits");
    FAILS("SELECT \"\"", "syntax error at line 1, column 8: zero-length quoted identifier");
    FAILS("SELECT E'\\0'", "syntax error at line 1, column 8: a string cannot hold a NUL byte");
    FAILS("SELECT [1, 2", "syntax error at line 1, column 13: expected ']' to close the '[' at line 1, column 8, "
                          "found end of input");
    FAILS("SELECT 1 UNION", "syntax error at line 1, column 15: expected SELECT, VALUES or '(', found end of input");
    FAILS("CREATE INDEX i", "syntax error at line 1, column 8: expected TABLE or VIEW after CREATE, found 'INDEX'");
    FAILS("CREATE TABLE t ()", "syntax error at line 1, column 17: expected a column name, found ')'");
    FAILS("DROP TABLE", "syntax error at line 1, column 11: expected a table name, found end of input");
    FAILS("SELECT sum(x) OVER (ROWS 1)", "syntax error at line 1, column 27: expected PRECEDING or FOLLOWING "
                                         "after the frame offset, found ')'");
    FAILS("SELECT 1 FROM t LIMIT", "syntax error at line 1, column 22: expected an expression after 'LIMIT', "
                                   "found end of input");
    FAILS("SELECT 1\n\n   +", "syntax error at line 3, column 5: expected an expression after '+', found end of input");
}

static char *repeat(const char *a, int n, const char *mid, const char *b)
{
    size_t la = strlen(a), lm = strlen(mid), lb = strlen(b);
    char *s = malloc(la * (size_t)n + lm + lb * (size_t)n + 1);
    char *o = s;
    for (int i = 0; i < n; i++, o += la)
        memcpy(o, a, la);
    memcpy(o, mid, lm);
    o += lm;
    for (int i = 0; i < n; i++, o += lb)
        memcpy(o, b, lb);
    *o = 0;
    return s;
}

TEST(nesting_limit)
{
    struct {
        const char *open, *mid, *close;
    } shapes[] = {
        {"(", "1", ")"}, {"(SELECT ", "1", ")"}, {"- ", "1", ""}, {"NOT ", "1", ""},
        {"1 + ", "1", ""}, {"[", "1", "]"}, {"f(", "1", ")"}, {"CAST(", "1", " AS INT)"},
        {"a", "", "[1]"}, {"x::", "INT", "[]"},
    };
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        /* Deep but allowed. */
        char *body = repeat(shapes[k].open, 40, shapes[k].mid, shapes[k].close);
        char *sql = malloc(strlen(body) + 16);
        sprintf(sql, "SELECT %s", body);
        tarn_error e;
        tarn_error_init(&e);
        char *c = canon(sql, strlen(sql), &e);
        if (!c)
            fprintf(stderr, "shape %zu: %s\n", k, e.message);
        CHECK(c != NULL);
        tn_free(c);
        free(body);
        free(sql);
        /* Too deep: a clean error, no crash. */
        body = repeat(shapes[k].open, 100000, shapes[k].mid, shapes[k].close);
        sql = malloc(strlen(body) + 16);
        sprintf(sql, "SELECT %s", body);
        c = canon(sql, strlen(sql), &e);
        CHECK(c == NULL);
        CHECK_EQ_INT(e.code, TARN_EPARSE);
        CHECK_MSG(&e, "nesting deeper than 256 levels");
        free(body);
        free(sql);
    }
    /* Long flat lists are not nesting. */
    tn_buf b;
    tarn_error e0;
    tn_buf_init(&b, 0);
    CHECK_OK(tn_buf_append_str(&b, "CREATE TABLE t (c0 INT[][]", &e0), &e0);
    for (int i = 1; i < 600; i++)
        CHECK_OK(tn_buf_printf(&b, &e0, ", c%d INT[]", i), &e0);
    CHECK_OK(tn_buf_append_str(&b, "); SELECT a.b.c[1][2]::INT[][] FROM t", &e0), &e0);
    char *c0 = canon((char *)b.data, b.len, &e0);
    if (!c0)
        fprintf(stderr, "%s\n", e0.message);
    CHECK(c0 != NULL);
    tn_free(c0);
    tn_buf_reset(&b);

    char *list = repeat("1, ", 20000, "1", "");
    char *sql = malloc(strlen(list) + 32);
    sprintf(sql, "SELECT x IN (%s)", list);
    tarn_error e;
    char *c = canon(sql, strlen(sql), &e);
    CHECK(c != NULL);
    tn_free(c);
    free(list);
    free(sql);
}

/* Statements of a sqllogictest file: records start with `statement ok|error`
 * or `query <types> [sort]`; the SQL runs until `----` or a blank line. */
static int slt_file(const char *path, int *nstmt)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char line[65536];
    tn_buf sql;
    tn_buf_init(&sql, 0);
    int in = 0, expect_error = 0, bad = 0, lineno = 0, start = 0;
    for (;;) {
        char *got = fgets(line, sizeof line, f);
        if (got)
            lineno++;
        int blank = !got || line[strspn(line, " \t\r\n")] == 0;
        if (in && (blank || !strncmp(line, "----", 4))) {
            tarn_error e;
            tarn_error_init(&e);
            char *c = canon(sql.data ? (char *)sql.data : "", sql.len, &e);
            if (!c && !expect_error) {
                fprintf(stderr, "%s:%d: %s\n", path, start, e.message);
                bad++;
            }
            tn_free(c);
            (*nstmt)++;
            in = 0;
            tn_buf_reset(&sql);
        } else if (in) {
            if (tn_buf_append_str(&sql, line, NULL) != 0)
                bad++;
        } else if (got && (!strncmp(line, "statement ok", 12) || !strncmp(line, "statement error", 15) ||
                           !strncmp(line, "query ", 6))) {
            in = 1;
            start = lineno + 1;
            expect_error = !strncmp(line, "statement error", 15);
        }
        if (!got)
            break;
    }
    tn_buf_reset(&sql);
    fclose(f);
    return bad;
}

static char *shared_dir(const char *sub)
{
    const char *src = getenv("TARN_SOURCE_DIR");
    static char path[4096];
    snprintf(path, sizeof path, "%s/../shared/%s", src ? src : ".", sub);
    return path;
}

TEST(sql_conformance_corpus)
{
    const char *dir = shared_dir("sql-conformance");
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "sql_conformance_corpus: %s is missing\n", dir);
        tn_test_failures++;
        return;
    }
    int files = 0, stmts = 0, bad = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 4, ".slt"))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        int r = slt_file(path, &stmts);
        CHECK(r >= 0);
        bad += r > 0 ? r : 0;
        files++;
    }
    closedir(d);
    printf("sql-conformance: %d files, %d statements, %d failed to parse\n", files, stmts, bad);
    CHECK(files >= 7);
    CHECK(stmts > 400);
    CHECK_EQ_INT(bad, 0);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = 0;
    fclose(f);
    return s;
}

TEST(tpch_queries)
{
    const char *src = getenv("TARN_SOURCE_DIR");
    int ok = 0;
    for (int q = 1; q <= 22; q++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/bench/queries/tpch/q%02d.sql", src ? src : ".", q);
        size_t len;
        char *sql = slurp(path, &len);
        if (!sql) {
            fprintf(stderr, "tpch: cannot read %s\n", path);
            tn_test_failures++;
            continue;
        }
        tarn_error e;
        tarn_error_init(&e);
        char *c = canon(sql, len, &e);
        if (!c)
            fprintf(stderr, "tpch q%02d: %s\n", q, e.message);
        else
            ok++;
        tn_free(c);
        free(sql);
    }
    CHECK_EQ_INT(ok, 22);
}

static int parse_medium(void *ctx, tarn_error *err)
{
    const char *sql = ctx;
    tn_arena a;
    tn_arena_init(&a, 1024);
    tn_sql_script *s;
    int rc = tn_sql_parse(sql, strlen(sql), &a, &s, err);
    if (rc == 0) {
        tn_buf b;
        tn_buf_init(&b, 0);
        rc = tn_sql_print_script(&b, s, err);
        tn_buf_reset(&b);
    }
    tn_arena_free(&a);
    return rc;
}

TEST(allocation_failures)
{
    const char *sql =
        "WITH r AS (SELECT a, sum(b) FILTER (WHERE c > 0) OVER (PARTITION BY d ORDER BY e) AS s "
        "FROM read_parquet('x/*.parquet', hive_partitioning := true) AS t JOIN u USING (k) "
        "WHERE a IN (1, 2, 3) AND b LIKE 'x%' GROUP BY ROLLUP (a, b) HAVING count(*) > 1) "
        "SELECT CASE WHEN s > 0 THEN CAST(s AS DECIMAL(10, 2)) ELSE NULL END, [1, 2], {'k': 'v'} "
        "FROM r UNION ALL SELECT 1, NULL, NULL ORDER BY 1 DESC NULLS LAST LIMIT 10";
    int points = tn_test_alloc_failures("parse medium statement", parse_medium, (void *)sql);
    CHECK(points > 3);
}

int main(void)
{
    RUN(keywords_sorted);
    RUN(lexer_tokens);
    RUN(select_basics);
    RUN(from_clause);
    RUN(group_order_limit);
    RUN(set_operations);
    RUN(precedence);
    RUN(literals);
    RUN(predicates);
    RUN(functions_and_casts);
    RUN(windows);
    RUN(statements);
    RUN(script_with_comments);
    RUN(locations);
    RUN(ast_shapes);
    RUN(errors);
    RUN(nesting_limit);
    RUN(sql_conformance_corpus);
    RUN(tpch_queries);
    RUN(allocation_failures);
    return tn_test_done();
}
