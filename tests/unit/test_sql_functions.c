/*
 * test_sql_functions.c — the scalar function library through resolution
 * and the evaluator: every case is SQL text bound by the real parser and
 * binder as `SELECT <case>` (sql_expr_bind.h), then evaluated twice: on
 * literals (constant folding path) and with every literal turned into a
 * column of a batch, under a selection (the array path; calls that
 * precompiled a literal are resolved again over the column).
 *
 * The expected values and types are DuckDB's: tests/interop/
 * sql_functions_duckdb.mjs reads the CASE_/ERR_ lines of this file, runs
 * each expression in DuckDB and fails when DuckDB answers otherwise.
 */
#include <ctype.h>
#include <stdlib.h>

#include "sql_expr_helpers.h"
#include "sql_expr_bind.h"

static tn_catalog *CAT; /* empty: the cases read no table */
#include "sql/functions/scalar_internal.h"

typedef struct fcase {
    const char *sql;
    const char *want; /* DuckDB's CAST(x AS VARCHAR), "NULL" for null */
    const char *type; /* DuckDB's typeof(x) */
} fcase;

#define CASE_(sql, want, type) {sql, want, type},

static const fcase cases[] = {
    /* LIKE family: fast paths (exact, prefix%, %suffix, %infix%, %a%b%) and the general matcher */
    CASE_("'abc' LIKE 'abc'", "true", "BOOLEAN")
    CASE_("'abc' LIKE 'ab'", "false", "BOOLEAN")
    CASE_("'abc' LIKE 'a%'", "true", "BOOLEAN")
    CASE_("'abc' LIKE 'b%'", "false", "BOOLEAN")
    CASE_("'abc' LIKE '%bc'", "true", "BOOLEAN")
    CASE_("'abc' LIKE '%b'", "false", "BOOLEAN")
    CASE_("'aXbXc' LIKE '%b%'", "true", "BOOLEAN")
    CASE_("'special packages requests' LIKE '%special%requests%'", "true", "BOOLEAN")
    CASE_("'requests special' LIKE '%special%requests%'", "false", "BOOLEAN")
    CASE_("'abcabc' LIKE 'a%c%c'", "true", "BOOLEAN")
    CASE_("'abc' LIKE 'a%bc%c'", "false", "BOOLEAN")
    CASE_("'héllo' LIKE 'h_llo'", "true", "BOOLEAN")
    CASE_("'hello' LIKE 'h_l%o'", "true", "BOOLEAN")
    CASE_("'hello' LIKE '_'", "false", "BOOLEAN")
    CASE_("'abc' LIKE ''", "false", "BOOLEAN")
    CASE_("'' LIKE '%'", "true", "BOOLEAN")
    CASE_("'' LIKE ''", "true", "BOOLEAN")
    CASE_("'mississippi' LIKE '%iss%ppi'", "true", "BOOLEAN")
    CASE_("'mississippi' LIKE 'm%_s_%i'", "true", "BOOLEAN")
    CASE_("NULL LIKE 'a'", "NULL", "BOOLEAN")
    CASE_("'a' LIKE NULL", "NULL", "BOOLEAN")
    CASE_("'abc' NOT LIKE 'a%'", "false", "BOOLEAN")
    CASE_("'abc' NOT LIKE '%x%'", "true", "BOOLEAN")
    CASE_("'a%' LIKE 'a\\%' ESCAPE '\\'", "true", "BOOLEAN")
    CASE_("'abc' LIKE 'a\\%' ESCAPE '\\'", "false", "BOOLEAN")
    CASE_("'a_b' LIKE 'a\\_b' ESCAPE '\\'", "true", "BOOLEAN")
    CASE_("'axb' LIKE 'a#_b' ESCAPE '#'", "false", "BOOLEAN")
    CASE_("'abc' LIKE 'abc' ESCAPE ''", "true", "BOOLEAN")
    CASE_("'ABC' ILIKE 'a_c'", "true", "BOOLEAN")
    CASE_("'ÀB' ILIKE 'àb'", "true", "BOOLEAN")
    CASE_("'Hello World' ILIKE '%WORLD'", "true", "BOOLEAN")
    CASE_("'Hello' NOT ILIKE 'h%'", "false", "BOOLEAN")
    /* substring: 1-based, negative start from the end, negative length looks back */
    CASE_("substring('hello', 2, 3)", "ell", "VARCHAR")
    CASE_("substring('hello', 0, 2)", "h", "VARCHAR")
    CASE_("substring('hello', -3)", "llo", "VARCHAR")
    CASE_("substring('hello', -3, 2)", "ll", "VARCHAR")
    CASE_("substring('hello', 2, -1)", "h", "VARCHAR")
    CASE_("substring('hello', 4, -2)", "el", "VARCHAR")
    CASE_("substring('héllo', 2, 2)", "él", "VARCHAR")
    CASE_("substring('hello', 10)", "", "VARCHAR")
    CASE_("substr('hello', 2)", "ello", "VARCHAR")
    CASE_("substring('abc', NULL)", "NULL", "VARCHAR")
    CASE_("substring('', 1, 5)", "", "VARCHAR")
    /* lengths and case */
    CASE_("length('héllo')", "5", "BIGINT")
    CASE_("length('')", "0", "BIGINT")
    CASE_("char_length('日本語')", "3", "BIGINT")
    CASE_("strlen('héllo')", "6", "BIGINT")
    CASE_("lower('ÀÉ Hello')", "àé hello", "VARCHAR")
    CASE_("upper('straße')", "STRAẞE", "VARCHAR")
    CASE_("upper('héllo')", "HÉLLO", "VARCHAR")
    CASE_("lower(NULL)", "NULL", "VARCHAR")
    /* left, right, padding, repeat, reverse */
    CASE_("left('hello', 2)", "he", "VARCHAR")
    CASE_("left('hello', -2)", "hel", "VARCHAR")
    CASE_("left('héllo', 2)", "hé", "VARCHAR")
    CASE_("left('abc', 0)", "", "VARCHAR")
    CASE_("right('hello', 2)", "lo", "VARCHAR")
    CASE_("right('hello', -2)", "llo", "VARCHAR")
    CASE_("right('héllo', 4)", "éllo", "VARCHAR")
    CASE_("lpad('abc', 5, 'xy')", "xyabc", "VARCHAR")
    CASE_("lpad('abcdef', 3, 'x')", "abc", "VARCHAR")
    CASE_("lpad('héllo', 3, 'x')", "hél", "VARCHAR")
    CASE_("lpad('a', 4, 'é')", "éééa", "VARCHAR")
    CASE_("rpad('abc', 6, 'xy')", "abcxyx", "VARCHAR")
    CASE_("repeat('ab', 3)", "ababab", "VARCHAR")
    CASE_("repeat('ab', -1)", "", "VARCHAR")
    CASE_("repeat('', 5)", "", "VARCHAR")
    CASE_("reverse('héllo')", "olléh", "VARCHAR")
    /* search and replace */
    CASE_("replace('aaa', 'a', 'bb')", "bbbbbb", "VARCHAR")
    CASE_("replace('abc', '', 'x')", "abc", "VARCHAR")
    CASE_("replace('abc', 'b', NULL)", "NULL", "VARCHAR")
    CASE_("position('b' IN 'abc')", "2", "BIGINT")
    CASE_("strpos('héllo', 'l')", "3", "BIGINT")
    CASE_("strpos('abc', 'x')", "0", "BIGINT")
    CASE_("instr('abc', '')", "1", "BIGINT")
    CASE_("split_part('a,b,c', ',', 2)", "b", "VARCHAR")
    CASE_("split_part('a,b,c', ',', -1)", "c", "VARCHAR")
    CASE_("split_part('a,b,c', ',', 5)", "", "VARCHAR")
    CASE_("split_part('a,b,c', '', 1)", "a", "VARCHAR")
    CASE_("split_part('héllo', '', -4)", "é", "VARCHAR")
    CASE_("split_part('abc', 'b', 0)", "", "VARCHAR")
    CASE_("split_part('a::b', '::', 2)", "b", "VARCHAR")
    CASE_("starts_with('abc', 'ab')", "true", "BOOLEAN")
    CASE_("ends_with('abc', 'bc')", "true", "BOOLEAN")
    CASE_("ends_with('abc', 'abcd')", "false", "BOOLEAN")
    CASE_("contains('abc', '')", "true", "BOOLEAN")
    CASE_("contains(NULL, 'a')", "NULL", "BOOLEAN")
    CASE_("prefix('abc', 'a')", "true", "BOOLEAN")
    CASE_("suffix('abc', 'c')", "true", "BOOLEAN")
    /* trimming */
    CASE_("trim('  ab  ')", "ab", "VARCHAR")
    CASE_("trim('xxabxx', 'x')", "ab", "VARCHAR")
    CASE_("ltrim('xxabxx', 'x')", "abxx", "VARCHAR")
    CASE_("rtrim('abxyx', 'xy')", "ab", "VARCHAR")
    CASE_("trim('  ab  ', '')", "  ab  ", "VARCHAR")
    CASE_("trim('éaé', 'é')", "a", "VARCHAR")
    CASE_("translate('hello', 'el', 'ip')", "hippo", "VARCHAR")
    CASE_("translate('hello', 'l', '')", "heo", "VARCHAR")
    CASE_("translate('héllo', 'é', 'e')", "hello", "VARCHAR")
    /* printf and format */
    CASE_("printf('%05d|%.2f|%s', 42, 3.14159, 'x')", "00042|3.14|x", "VARCHAR")
    CASE_("printf('%d%%', 5)", "5%", "VARCHAR")
    CASE_("printf('%x', 255)", "ff", "VARCHAR")
    CASE_("printf('%5s|%-5s|', 'ab', 'cd')", "   ab|cd   |", "VARCHAR")
    CASE_("printf('%.3e', 12345.678)", "1.235e+04", "VARCHAR")
    CASE_("printf('%s', NULL)", "NULL", "VARCHAR")
    CASE_("printf('%3s|', 'é')", "  é|", "VARCHAR")
    CASE_("format('{}-{}', 1, 'a')", "1-a", "VARCHAR")
    CASE_("format('{:05d}', 42)", "00042", "VARCHAR")
    CASE_("format('{}', NULL)", "NULL", "VARCHAR")
    CASE_("format('{} and {}', 1.5, DATE '2024-01-02')", "1.5 and 2024-01-02", "VARCHAR")
    /* code points */
    CASE_("ascii('A')", "65", "INTEGER")
    CASE_("ascii('é')", "233", "INTEGER")
    CASE_("ascii('')", "0", "INTEGER")
    CASE_("chr(233)", "é", "VARCHAR")
    /* concatenation */
    CASE_("concat('a', NULL, 'b')", "ab", "VARCHAR")
    CASE_("concat(1, 2)", "12", "VARCHAR")
    CASE_("concat(NULL)", "", "VARCHAR")
    CASE_("'a' || 'b' || 'c'", "abc", "VARCHAR")
    CASE_("'a' || 1", "a1", "VARCHAR")
    CASE_("concat_ws(',', 'a', NULL, 'b')", "a,b", "VARCHAR")
    CASE_("concat_ws(NULL, 'a', 'b')", "NULL", "VARCHAR")
    /* rounding: decimals exact with DuckDB's result types; ints keep their type */
    CASE_("round(2.5)", "3", "DECIMAL(2,0)")
    CASE_("round(-2.5)", "-3", "DECIMAL(2,0)")
    CASE_("round(1.2345, 2)", "1.23", "DECIMAL(5,2)")
    CASE_("round(CAST(1.2345 AS DECIMAL(10,4)), 2)", "1.23", "DECIMAL(10,2)")
    CASE_("round(2.675, 2)", "2.68", "DECIMAL(4,2)")
    CASE_("round(9.95, 1)", "10.0", "DECIMAL(3,1)")
    CASE_("round(-9.95, 1)", "-10.0", "DECIMAL(3,1)")
    CASE_("round(1234.5678, -2)", "1200", "DECIMAL(8,0)")
    CASE_("round(CAST(2.5 AS DECIMAL(18,1)), 5)", "2.5", "DECIMAL(18,1)")
    CASE_("round(CAST(123.456 AS DECIMAL(38,3)), 2)", "123.46", "DECIMAL(38,2)")
    CASE_("round(CAST(2.5 AS DOUBLE))", "3.0", "DOUBLE")
    CASE_("round(CAST(-2.5 AS DOUBLE))", "-3.0", "DOUBLE")
    CASE_("round(CAST(1234.5678 AS DOUBLE), -2)", "1200.0", "DOUBLE")
    CASE_("round(CAST(1.5 AS FLOAT))", "2.0", "FLOAT")
    CASE_("round(42, 1)", "42", "INTEGER")
    CASE_("round(1250, -2)", "1300", "INTEGER")
    CASE_("round(-1250, -2)", "-1300", "INTEGER")
    CASE_("floor(-2.5)", "-3", "DECIMAL(2,0)")
    CASE_("floor(-0.5)", "-1", "DECIMAL(2,0)")
    CASE_("ceil(-2.5)", "-2", "DECIMAL(2,0)")
    CASE_("ceiling(1.2)", "2", "DECIMAL(2,0)")
    CASE_("ceil(CAST(0.1 AS DECIMAL(18,1)))", "1", "DECIMAL(18,0)")
    CASE_("floor(CAST(2.5 AS DOUBLE))", "2.0", "DOUBLE")
    CASE_("floor(CAST(-2.5 AS FLOAT))", "-3.0", "FLOAT")
    CASE_("ceil(CAST(7 AS INTEGER))", "7.0", "DOUBLE")
    CASE_("trunc(2.7)", "2", "DECIMAL(2,0)")
    CASE_("trunc(-1.99)", "-1", "DECIMAL(3,0)")
    CASE_("trunc(123.456, 1)", "123.4", "DECIMAL(6,1)")
    CASE_("trunc(CAST(-2.7 AS DOUBLE))", "-2.0", "DOUBLE")
    CASE_("trunc(7)", "7", "INTEGER")
    /* abs, sign, mod, greatest/least */
    CASE_("abs(-5)", "5", "INTEGER")
    CASE_("abs(-2.50)", "2.50", "DECIMAL(3,2)")
    CASE_("abs(CAST(-2.5 AS DOUBLE))", "2.5", "DOUBLE")
    CASE_("abs(CAST(-3 AS SMALLINT))", "3", "SMALLINT")
    CASE_("sign(-3)", "-1", "TINYINT")
    CASE_("sign(0.0)", "0", "TINYINT")
    CASE_("sign(CAST(2.5 AS DOUBLE))", "1", "TINYINT")
    CASE_("mod(7, 3)", "1", "INTEGER")
    CASE_("mod(-7, 3)", "-1", "INTEGER")
    CASE_("mod(7.5, 2)", "1.5", "DECIMAL(11,1)")
    CASE_("mod(5, 0)", "NULL", "INTEGER")
    CASE_("greatest(1, 2.5, 3)", "3.0", "DECIMAL(11,1)")
    CASE_("greatest(1, NULL, 3)", "3", "INTEGER")
    CASE_("least('b', 'a')", "a", "VARCHAR")
    CASE_("least(3, 1, 2)", "1", "INTEGER")
    CASE_("greatest(DATE '2024-01-01', DATE '2023-01-01')", "2024-01-01", "DATE")
    /* bitwise operators (the binder maps & | << >> ~ to these names) */
    CASE_("5 & 3", "1", "INTEGER")
    CASE_("5 | 3", "7", "INTEGER")
    CASE_("xor(5, 3)", "6", "INTEGER")
    CASE_("1 << 4", "16", "INTEGER")
    CASE_("256 >> 4", "16", "INTEGER")
    CASE_("-8 >> 1", "-4", "INTEGER")
    CASE_("1 >> 40", "0", "INTEGER")
    CASE_("CAST(1 AS BIGINT) << 62", "4611686018427387904", "BIGINT")
    CASE_("~5", "-6", "INTEGER")
    CASE_("5 & NULL", "NULL", "INTEGER")
    CASE_("bit_count(255)", "8", "TINYINT")
    CASE_("bit_count(-1)", "32", "TINYINT")
    CASE_("bit_count(CAST(7 AS TINYINT))", "3", "TINYINT")
    /* double functions */
    CASE_("sqrt(2)", "1.4142135623730951", "DOUBLE")
    CASE_("sqrt(CAST(4 AS INTEGER))", "2.0", "DOUBLE")
    CASE_("power(2, 10)", "1024.0", "DOUBLE")
    CASE_("pow(2.0, 0.5)", "1.4142135623730951", "DOUBLE")
    CASE_("power(0, -1)", "inf", "DOUBLE")
    CASE_("log10(1000)", "3.0", "DOUBLE")
    CASE_("log2(8)", "3.0", "DOUBLE")
    CASE_("log(100)", "2.0", "DOUBLE")
    CASE_("log(2, 8)", "3.0", "DOUBLE")
    CASE_("ln(1)", "0.0", "DOUBLE")
    CASE_("exp(1)", "2.718281828459045", "DOUBLE")
    CASE_("pi()", "3.141592653589793", "DOUBLE")
    CASE_("sin(0)", "0.0", "DOUBLE")
    CASE_("cos(0)", "1.0", "DOUBLE")
    CASE_("atan2(1, 1)", "0.7853981633974483", "DOUBLE")
    CASE_("degrees(pi())", "180.0", "DOUBLE")
    CASE_("radians(180)", "3.141592653589793", "DOUBLE")
    CASE_("cbrt(27)", "3.0000000000000004", "DOUBLE")
    CASE_("isnan(CAST('nan' AS DOUBLE))", "true", "BOOLEAN")
    CASE_("isinf(1)", "false", "BOOLEAN")
    /* dates and times */
    CASE_("date_part('year', DATE '2024-02-29')", "2024", "BIGINT")
    CASE_("extract(month FROM DATE '2024-02-29')", "2", "BIGINT")
    CASE_("extract(dow FROM DATE '2024-02-25')", "0", "BIGINT")
    CASE_("extract(isodow FROM DATE '2024-02-25')", "7", "BIGINT")
    CASE_("extract(doy FROM DATE '2024-02-29')", "60", "BIGINT")
    CASE_("extract(week FROM DATE '2024-01-01')", "1", "BIGINT")
    CASE_("extract(quarter FROM DATE '2024-05-01')", "2", "BIGINT")
    CASE_("extract(epoch FROM DATE '2024-01-01')", "1704067200.0", "DOUBLE")
    CASE_("extract(epoch FROM TIMESTAMP '2024-01-01 10:00:00.5')", "1704103200.5", "DOUBLE")
    CASE_("extract(epoch FROM TIMESTAMP '1969-12-31 23:59:59.5')", "-0.5", "DOUBLE")
    CASE_("extract(hour FROM TIMESTAMP '2024-01-01 10:11:12.5')", "10", "BIGINT")
    CASE_("extract(minute FROM TIMESTAMP '2024-01-01 10:11:12.5')", "11", "BIGINT")
    CASE_("extract(second FROM TIMESTAMP '2024-01-01 10:11:12.5')", "12", "BIGINT")
    CASE_("extract(millisecond FROM TIMESTAMP '2024-01-01 10:11:12.5')", "12500", "BIGINT")
    CASE_("extract(microsecond FROM TIMESTAMP '2024-01-01 10:11:12.5')", "12500000", "BIGINT")
    CASE_("extract(hour FROM DATE '2024-01-01')", "0", "BIGINT")
    CASE_("extract(decade FROM DATE '2024-01-01')", "202", "BIGINT")
    CASE_("extract(century FROM DATE '2024-01-01')", "21", "BIGINT")
    CASE_("extract(millennium FROM DATE '2024-01-01')", "3", "BIGINT")
    CASE_("extract(isoyear FROM DATE '2024-12-30')", "2025", "BIGINT")
    CASE_("extract(yearweek FROM DATE '2024-12-30')", "202501", "BIGINT")
    CASE_("extract(year FROM DATE '-0044-03-15')", "-44", "BIGINT")
    CASE_("extract(decade FROM DATE '-0044-03-15')", "-4", "BIGINT")
    CASE_("year(DATE '2024-01-01')", "2024", "BIGINT")
    CASE_("month(TIMESTAMP '2024-03-01 00:00:00')", "3", "BIGINT")
    CASE_("day(DATE '2024-03-07')", "7", "BIGINT")
    CASE_("dayofweek(DATE '2024-03-07')", "4", "BIGINT")
    CASE_("dayofyear(DATE '2024-12-31')", "366", "BIGINT")
    CASE_("week(DATE '2021-01-01')", "53", "BIGINT")
    CASE_("second(TIMESTAMP '2024-01-01 10:11:12.9')", "12", "BIGINT")
    CASE_("date_trunc('month', DATE '2024-02-29')", "2024-02-01 00:00:00", "TIMESTAMP")
    CASE_("date_trunc('week', DATE '2024-02-29')", "2024-02-26 00:00:00", "TIMESTAMP")
    CASE_("date_trunc('week', DATE '2024-03-03')", "2024-02-26 00:00:00", "TIMESTAMP")
    CASE_("date_trunc('quarter', TIMESTAMP '2024-05-29 10:00:00')", "2024-04-01 00:00:00", "TIMESTAMP")
    CASE_("date_trunc('hour', TIMESTAMP '2024-05-29 10:30:00')", "2024-05-29 10:00:00", "TIMESTAMP")
    CASE_("date_trunc('year', DATE '2024-05-29')", "2024-01-01 00:00:00", "TIMESTAMP")
    CASE_("date_trunc('decade', DATE '2024-03-03')", "2020-01-01 00:00:00", "TIMESTAMP")
    CASE_("date_trunc('century', DATE '2024-03-03')", "2000-01-01 00:00:00", "TIMESTAMP")
    CASE_("date_trunc('second', TIMESTAMP '2024-01-01 10:11:12.9')", "2024-01-01 10:11:12", "TIMESTAMP")
    CASE_("date_diff('day', DATE '2024-01-01', DATE '2024-03-01')", "60", "BIGINT")
    CASE_("date_diff('week', DATE '2024-01-01', DATE '2024-01-13')", "1", "BIGINT")
    CASE_("date_diff('week', DATE '2024-01-06', DATE '2024-01-08')", "0", "BIGINT")
    CASE_("date_diff('year', DATE '2023-12-31', DATE '2024-01-01')", "1", "BIGINT")
    CASE_("date_diff('month', DATE '2024-03-01', DATE '2024-01-31')", "-2", "BIGINT")
    CASE_("date_diff('quarter', DATE '2024-03-31', DATE '2024-04-01')", "1", "BIGINT")
    CASE_("date_diff('hour', TIMESTAMP '2024-01-01 10:59:00', TIMESTAMP '2024-01-01 11:00:00')", "1", "BIGINT")
    CASE_("datediff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00')", "1", "BIGINT")
    CASE_("datediff('month', DATE '2024-01-31', DATE '2024-02-01')", "1", "BIGINT")
    CASE_("last_day(DATE '2024-02-10')", "2024-02-29", "DATE")
    CASE_("last_day(TIMESTAMP '2023-02-10 10:00:00')", "2023-02-28", "DATE")
    CASE_("dayname(DATE '2024-02-10')", "Saturday", "VARCHAR")
    CASE_("monthname(DATE '2024-02-10')", "February", "VARCHAR")
    CASE_("make_date(2024, 2, 29)", "2024-02-29", "DATE")
    CASE_("make_timestamp(2024, 1, 2, 3, 4, 5.5)", "2024-01-02 03:04:05.5", "TIMESTAMP")
    CASE_("strftime(DATE '2024-02-10', '%Y/%m/%d')", "2024/02/10", "VARCHAR")
    CASE_("strftime(TIMESTAMP '2024-02-10 13:14:15', '%H:%M:%S %a %b %j')", "13:14:15 Sat Feb 041", "VARCHAR")
    CASE_("strftime(DATE '2024-02-10', '%Y-%m-%d %H:%M:%S')", "2024-02-10 00:00:00", "VARCHAR")
    CASE_("strptime('2024-02-10 13:14', '%Y-%m-%d %H:%M')", "2024-02-10 13:14:00", "TIMESTAMP")
    CASE_("strptime('10/02/2024', '%d/%m/%Y')", "2024-02-10 00:00:00", "TIMESTAMP")
    CASE_("epoch(TIMESTAMP '2024-01-01 00:00:01')", "1704067201.0", "DOUBLE")
    CASE_("epoch_ms(TIMESTAMP '2024-01-01 00:00:01')", "1704067201000", "BIGINT")
    CASE_("epoch_ms(DATE '1970-01-02')", "86400000", "BIGINT")
    /* intervals and calendar arithmetic */
    CASE_("to_days(3)", "3 days", "INTERVAL")
    CASE_("to_hours(5)", "05:00:00", "INTERVAL")
    CASE_("to_months(2) + DATE '2024-01-31'", "2024-03-31 00:00:00", "TIMESTAMP")
    CASE_("DATE '2024-01-31' + to_months(1)", "2024-02-29 00:00:00", "TIMESTAMP")
    CASE_("DATE '1998-12-01' - to_days(90)", "1998-09-02 00:00:00", "TIMESTAMP")
    CASE_("DATE '1995-01-01' + to_years(1)", "1996-01-01 00:00:00", "TIMESTAMP")
    CASE_("TIMESTAMP '2024-01-31 10:00:00' + to_minutes(90)", "2024-01-31 11:30:00", "TIMESTAMP")
    CASE_("to_days(1) + to_hours(2)", "1 day 02:00:00", "INTERVAL")
    CASE_("to_days(1) * 3", "3 days", "INTERVAL")
    CASE_("3 * to_hours(2)", "06:00:00", "INTERVAL")
    CASE_("to_months(1) * 2", "2 months", "INTERVAL")
    CASE_("date_add(DATE '2024-01-01', to_days(10))", "2024-01-11 00:00:00", "TIMESTAMP")
    CASE_("date_add(TIMESTAMP '2024-01-01 10:00:00', to_hours(1))", "2024-01-01 11:00:00", "TIMESTAMP")
    CASE_("epoch(to_timestamp(1.5))", "1.5", "DOUBLE")
    CASE_("CAST(to_timestamp(86400) AS TIMESTAMP)", "1970-01-02 00:00:00", "TIMESTAMP")
    /* regular expressions (PCRE2, RE2 semantics for replace) */
    CASE_("regexp_matches('abc', 'b')", "true", "BOOLEAN")
    CASE_("regexp_matches('abc', '^b')", "false", "BOOLEAN")
    CASE_("regexp_matches('ABC', 'b', 'i')", "true", "BOOLEAN")
    CASE_("regexp_matches('héllo', 'h.llo')", "true", "BOOLEAN")
    CASE_("regexp_matches(NULL, 'a')", "NULL", "BOOLEAN")
    CASE_("regexp_full_match('abc', 'a.c')", "true", "BOOLEAN")
    CASE_("regexp_full_match('abcd', 'a.c')", "false", "BOOLEAN")
    CASE_("regexp_replace('hello world', 'o', '0')", "hell0 world", "VARCHAR")
    CASE_("regexp_replace('hello world', 'o', '0', 'g')", "hell0 w0rld", "VARCHAR")
    CASE_("regexp_replace('abc', '(b)', '[\\1]')", "a[b]c", "VARCHAR")
    CASE_("regexp_replace('abc', 'b', '\\0\\0')", "abbc", "VARCHAR")
    CASE_("regexp_replace('aaa', 'a*', 'X', 'g')", "X", "VARCHAR")
    CASE_("regexp_replace('abc', 'x*', '-', 'g')", "-a-b-c-", "VARCHAR")
    CASE_("regexp_replace('héllo', '.', 'x', 'g')", "xxxxx", "VARCHAR")
    CASE_("regexp_extract('abc123def', '[0-9]+')", "123", "VARCHAR")
    CASE_("regexp_extract('abc123def', '([a-z]+)([0-9]+)', 2)", "123", "VARCHAR")
    CASE_("regexp_extract('abc', 'x')", "", "VARCHAR")
    CASE_("regexp_extract('abc', '(x)?b', 1)", "", "VARCHAR")
    CASE_("regexp_extract('abc', 'b', 3)", "", "VARCHAR")
    /* md5, typeof */
    CASE_("md5('abc')", "900150983cd24fb0d6963f7d28e17f72", "VARCHAR")
    CASE_("md5('')", "d41d8cd98f00b204e9800998ecf8427e", "VARCHAR")
    CASE_("md5(NULL)", "NULL", "VARCHAR")
    CASE_("typeof('a')", "VARCHAR", "VARCHAR")
    CASE_("typeof(1.5)", "DECIMAL(2,1)", "VARCHAR")
    CASE_("typeof(CAST(1 AS BIGINT))", "BIGINT", "VARCHAR")
    CASE_("typeof(DATE '2024-01-01')", "DATE", "VARCHAR")
    /* CASE sugar */
    CASE_("coalesce(NULL, 2, 3)", "2", "INTEGER")
    CASE_("coalesce(NULL, NULL)", "NULL", "\"NULL\"")
    CASE_("coalesce(NULL, 'x')", "x", "VARCHAR")
    CASE_("coalesce(1, 2.5)", "1.0", "DECIMAL(11,1)")
    CASE_("ifnull(NULL, 'b')", "b", "VARCHAR")
    CASE_("nullif(1, 1)", "NULL", "INTEGER")
    CASE_("nullif(1, 2)", "1", "INTEGER")
    CASE_("nullif('a', NULL)", "a", "VARCHAR")
};

typedef struct ferr {
    const char *sql;
    int code;
    const char *msg;
} ferr;

#define ERR_(sql, code, msg) {sql, code, msg},

/* Calls DuckDB refuses too (at bind or run time). */
static const ferr errors[] = {
    ERR_("lpad('abc', 5, '')", TARN_EINVAL, "lpad: insufficient padding in")
    ERR_("'a%' LIKE 'a\\' ESCAPE '\\'", TARN_EINVAL, "must not end with the escape character")
    ERR_("'abc' LIKE 'a%' ESCAPE 'xy'", TARN_EINVAL, "escape string must be empty or one character")
    ERR_("chr(-1)", TARN_EINVAL, "invalid UTF-8 code point -1")
    ERR_("substring(1, 2)", TARN_ETYPE, "no function substring(integer, integer): candidates are substring(varchar, bigint), substring(varchar, bigint, bigint)")
    ERR_("no_such_function(1)", TARN_ENOTFOUND, "function \"no_such_function\" not found")
    ERR_("length(1, 2)", TARN_ETYPE, "candidates are length(varchar)")
    ERR_("strptime('x', '%d/%m/%Y')", TARN_EINVAL, "could not parse string \"x\" according to format \"%d/%m/%Y\"")
    ERR_("date_part('fortnight', DATE '2024-01-01')", TARN_EINVAL, "unknown date part 'fortnight'")
    ERR_("make_date(2023, 2, 29)", TARN_EINVAL, "date out of range: 2023-2-29")
    ERR_("regexp_matches('a', '(')", TARN_EINVAL, "invalid regular expression")
    ERR_("1 << 31", TARN_EOVERFLOW, "overflow in left shift (1 << 31)")
    ERR_("1 << 32", TARN_EOVERFLOW, "left-shift value 32 is out of range")
    ERR_("-1 << 1", TARN_EOVERFLOW, "cannot left-shift negative number -1")
    ERR_("printf('%d', 'x')", TARN_EINVAL, "%d needs an integer argument")
    ERR_("printf('%d %d', 1)", TARN_EINVAL, "too few arguments for the format")
    ERR_("sqrt(-1)", TARN_EINVAL, "cannot take square root of a negative number")
    ERR_("ln(0)", TARN_EINVAL, "cannot take logarithm of zero")
    ERR_("ln(-1)", TARN_EINVAL, "cannot take logarithm of a negative number")
    ERR_("abs(CAST(-9223372036854775808 AS BIGINT))", TARN_EOVERFLOW, "overflow on abs(-9223372036854775808)")
};

/* DuckDB's text for an interval: "1 year 2 months 3 days 04:05:06.5". */
static char *render_interval(const tn_array *a, int64_t row)
{
    int32_t md[2];
    int64_t ns;
    memcpy(md, a->buffers[1]->data + (a->offset + row) * 16, 8);
    memcpy(&ns, a->buffers[1]->data + (a->offset + row) * 16 + 8, 8);
    char buf[128];
    size_t k = 0;
    int32_t y = md[0] / 12, m = md[0] % 12;
    if (y)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%d year%s", k ? " " : "", y, y == 1 || y == -1 ? "" : "s");
    if (m)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%d month%s", k ? " " : "", m, m == 1 || m == -1 ? "" : "s");
    if (md[1])
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%d day%s", k ? " " : "", md[1],
                              md[1] == 1 || md[1] == -1 ? "" : "s");
    if (ns || k == 0) {
        int64_t us = ns / 1000, sec = us / 1000000;
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%02lld:%02lld:%02lld", k ? " " : "", (long long)(sec / 3600),
                              (long long)(sec / 60 % 60), (long long)(sec % 60));
        if (us % 1000000) {
            k += (size_t)snprintf(buf + k, sizeof buf - k, ".%06lld", (long long)(us % 1000000));
            while (buf[k - 1] == '0')
                buf[--k] = '\0';
        }
    }
    return tn_strdup(buf);
}

/* DuckDB's text for a value: NULL, true/false, doubles with ".0" when
 * integral, timestamps with a space and the fraction's zeros trimmed. */
static char *render(tn_array *a, int64_t row)
{
    if (!tn_array_is_valid(a, row))
        return tn_strdup("NULL");
    if (a->type->id == TN_INTERVAL_MONTH_DAY_NANO)
        return render_interval(a, row);
    tn_array *one = tn_array_slice(a, row, 1), *s = NULL;
    if (!one || tn_cast(one, tn_type_get(TN_STRING), TN_CAST_STRICT, &s, NULL) != 0) {
        tn_array_unref(one);
        return tn_strdup("(no text)");
    }
    int64_t len;
    const uint8_t *p = tn_array_bytes(s, 0, &len);
    bool integral_float = tn_type_is_float(a->type->id) && !memchr(p, '.', (size_t)len) &&
                          !memchr(p, 'e', (size_t)len) && !memchr(p, 'n', (size_t)len) && !memchr(p, 'i', (size_t)len);
    char *r = tn_sprintf("%.*s%s", (int)len, (const char *)p, integral_float ? ".0" : "");
    if (r && a->type->id == TN_TIMESTAMP && !a->type->tz) {
        char *t = strchr(r, 'T');
        if (t)
            *t = ' ';
        char *dot = strchr(r, '.');
        if (dot) {
            size_t e = strlen(r);
            while (e > 0 && r[e - 1] == '0')
                r[--e] = '\0';
            if (r[e - 1] == '.')
                r[e - 1] = '\0';
        }
    }
    tn_array_unref(s);
    tn_array_unref(one);
    return r;
}

static void upper_type_name(const tn_type *t, char *buf, size_t cap)
{
    if (t->id == TN_NA) {
        snprintf(buf, cap, "\"NULL\"");
        return;
    }
    tn_sql_type_name(t, buf, cap);
    for (char *p = buf; *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

/* One case on literals; then with the literals as columns of a 3-row
 * batch under a selection of rows 2 and 0. */
static void run_case(const fcase *fc)
{
    tn_plan_ctx_init(&P);
    tarn_error err;
    tarn_error_init(&err);
    tn_expr *e = NULL;
    int rc = bind_select_expr(CAT, NULL, fc->sql, strlen(fc->sql), &P, &e, &err);
    if (rc) {
        fprintf(stderr, "%s: bind failed: %s\n", fc->sql, err.message);
        tn_test_failures++;
        tn_plan_ctx_free(&P);
        return;
    }
    char tname[64];
    upper_type_name(e->type, tname, sizeof tname);
    if (strcmp(tname, fc->type) != 0) {
        fprintf(stderr, "%s: type %s, want %s\n", fc->sql, tname, fc->type);
        tn_test_failures++;
    }
    tn_array *out = NULL;
    if (tn_expr_eval(NULL, e, NULL, NULL, &out, &err) != 0) {
        fprintf(stderr, "%s: %s\n", fc->sql, err.message);
        tn_test_failures++;
    } else {
        char *got = render(out, 0);
        if (strcmp(got, fc->want) != 0) {
            fprintf(stderr, "%s: got \"%s\", want \"%s\"\n", fc->sql, got, fc->want);
            tn_test_failures++;
        }
        tn_free(got);
        tn_array_unref(out);
    }
    /* the same call over arrays */
    expr_lits lits = {0};
    tn_expr *ec = NULL;
    rc = bind_select_expr(CAT, NULL, fc->sql, strlen(fc->sql), &P, &ec, &err);
    if (rc == 0)
        rc = expr_literals_to_columns(&P, ec, &lits, &err);
    if (rc == 0 && lits.n > 0) {
        tn_array **cols = tn_calloc((size_t)lits.n, sizeof *cols);
        for (int i = 0; i < lits.n; i++) {
            tn_array *one = NULL;
            if (tn_scalar_to_array(lits.items[i], &one, NULL))
                exit(2);
            int32_t z[3] = {0, 0, 0};
            tn_selection s3 = {z, 3};
            if (tn_filter_sel(one, &s3, &cols[i], NULL))
                exit(2);
            tn_array_unref(one);
        }
        tn_batch *b = batch_of(lits.n, cols);
        tn_free(cols);
        int32_t rows[] = {2, 0};
        tn_selection sel = {rows, 2};
        if (tn_expr_eval(NULL, ec, b, &sel, &out, &err) != 0) {
            fprintf(stderr, "%s (columns): %s\n", fc->sql, err.message);
            tn_test_failures++;
        } else {
            for (int64_t r = 0; r < 2; r++) {
                char *got = render(out, r);
                if (out->length != 2 || strcmp(got, fc->want) != 0) {
                    fprintf(stderr, "%s (columns) row %lld: got \"%s\", want \"%s\"\n", fc->sql, (long long)r, got,
                            fc->want);
                    tn_test_failures++;
                }
                tn_free(got);
            }
            tn_array_unref(out);
        }
        tn_batch_unref(b);
    }
    expr_lits_free(&lits);
    tn_plan_ctx_free(&P);
}

TEST(function_cases)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}

TEST(function_errors)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        const ferr *fe = &errors[i];
        tn_plan_ctx_init(&P);
        tarn_error err;
        tarn_error_init(&err);
        tn_expr *e = NULL;
        int rc = bind_select_expr(CAT, NULL, fe->sql, strlen(fe->sql), &P, &e, &err);
        if (rc == 0) {
            tn_array *out = NULL;
            rc = tn_expr_eval(NULL, e, NULL, NULL, &out, &err);
            tn_array_unref(out);
        }
        if (rc != fe->code || !strstr(err.message, fe->msg)) {
            fprintf(stderr, "%s: got %s \"%s\", want %s \"%s\"\n", fe->sql, tarn_status_name(rc), err.message,
                    tarn_status_name(fe->code), fe->msg);
            tn_test_failures++;
        }
        tn_plan_ctx_free(&P);
    }
}

/* INTERVAL literals as the binder builds them (values as DuckDB prints
 * INTERVAL '...' literals, checked by hand). */
TEST(interval_literals)
{
    static const struct {
        const char *text, *unit, *want;
    } ok[] = {
        {"1 day", NULL, "1 day"},
        {"2 hours 30 minutes", NULL, "02:30:00"},
        {"1 year 2 months 3 days", NULL, "1 year 2 months 3 days"},
        {"90", "DAY", "90 days"},
        {"2", "month", "2 months"},
        {"1.5 days", NULL, "1 day 12:00:00"},
        {"1.5 years", NULL, "1 year 6 months"},
        {"1 day 10:30:00", NULL, "1 day 10:30:00"},
        {"-3 days", NULL, "-3 days"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        tarn_error err;
        tarn_error_init(&err);
        tn_scalar *s = NULL;
        CHECK_OK(tn_interval_literal(ok[i].text, strlen(ok[i].text), ok[i].unit, &s, &err), &err);
        if (!s)
            continue;
        tn_array *a = NULL;
        CHECK_OK(tn_scalar_to_array(s, &a, &err), &err);
        char *got = render(a, 0);
        if (strcmp(got, ok[i].want) != 0) {
            fprintf(stderr, "INTERVAL '%s' %s: got \"%s\", want \"%s\"\n", ok[i].text, ok[i].unit ? ok[i].unit : "",
                    got, ok[i].want);
            tn_test_failures++;
        }
        tn_free(got);
        tn_array_unref(a);
        tn_scalar_free(s);
    }
    const char *bad[] = {"", "abc", "1 fortnight", "1 day extra", "5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tarn_error err;
        tarn_error_init(&err);
        tn_scalar *s = NULL;
        CHECK_EQ_INT(tn_interval_literal(bad[i], strlen(bad[i]), NULL, &s, &err), TARN_EPARSE);
        CHECK(s == NULL);
        CHECK_MSG(&err, "invalid interval");
    }
}

/* Every family's array path under allocation failures: each failing
 * allocation gives a clean ENOMEM and frees everything. The calls are bound
 * once, with their literals as columns (patterns compiled per batch). */
static const char *const alloc_calls[] = {
    "'héllo wörld' LIKE '%wö%'", "'abc' ILIKE 'A_C'", "substring('héllo', 2, 3)", "concat('a', NULL, 'b', 1)",
    "'a' || 'b'", "split_part('a,b,c', ',', 2)", "upper('straße')", "lpad('a', 5, 'xy')",
    "replace('aaa', 'a', 'bb')", "floor(-2.5)", "round(CAST(2.5 AS DOUBLE))", "greatest(1, 2.5, 3)", "mod(7, 3)", "sqrt(2)",
    "date_trunc('month', DATE '2024-02-29')", "extract(epoch FROM TIMESTAMP '2024-01-01 10:00:00.5')",
    "strftime(DATE '2024-02-10', '%Y/%m/%d')", "strptime('10/02/2024', '%d/%m/%Y')",
    "DATE '2024-01-31' + to_months(1)", "regexp_replace('hello world', 'o', '0', 'g')",
    "regexp_extract('abc123', '([0-9]+)', 1)", "regexp_matches('abc', 'B', 'i')", "md5('abc')",
    "coalesce(NULL, 'x')", "nullif(1, 1)", "hash('a', 1)",
};

typedef struct alloc_fx {
    tn_expr *e;
    tn_batch *b;
} alloc_fx;

static int eval_call_under_failures(void *ctx, tarn_error *err)
{
    alloc_fx *f = ctx;
    int32_t rows[] = {2, 0, 1};
    tn_selection sel = {rows, 3};
    tn_array *out = NULL;
    TN_TRY(tn_expr_eval(NULL, f->e, f->b, &sel, &out, err));
    tn_array_unref(out);
    return TARN_OK;
}

TEST(function_allocation_failures)
{
    for (size_t i = 0; i < sizeof alloc_calls / sizeof alloc_calls[0]; i++) {
        tn_plan_ctx_init(&P);
        tarn_error err;
        tarn_error_init(&err);
        expr_lits lits = {0};
        alloc_fx f = {NULL, NULL};
        CHECK_OK(bind_select_expr(CAT, NULL, alloc_calls[i], strlen(alloc_calls[i]), &P, &f.e, &err), &err);
        if (f.e)
            CHECK_OK(expr_literals_to_columns(&P, f.e, &lits, &err), &err);
        if (f.e && lits.n > 0) {
            tn_array **cols = tn_calloc((size_t)lits.n, sizeof *cols);
            for (int k = 0; k < lits.n; k++) {
                tn_array *one = NULL;
                if (tn_scalar_to_array(lits.items[k], &one, NULL))
                    exit(2);
                int32_t z[3] = {0, 0, 0};
                tn_selection s3 = {z, 3};
                if (tn_filter_sel(one, &s3, &cols[k], NULL))
                    exit(2);
                tn_array_unref(one);
            }
            f.b = batch_of(lits.n, cols);
            tn_free(cols);
            int points = tn_test_alloc_failures(alloc_calls[i], eval_call_under_failures, &f);
            if (points < 1) {
                fprintf(stderr, "%s: %d allocation points\n", alloc_calls[i], points);
                tn_test_failures++;
            }
            tn_batch_unref(f.b);
        }
        expr_lits_free(&lits);
        tn_plan_ctx_free(&P);
    }
}

/* Resolution with a literal regular expression compiles it into the
 * plan's arena: failures there are clean too. */
static int resolve_regex_under_failures(void *ctx, tarn_error *err)
{
    (void)ctx;
    tn_plan_ctx c;
    tn_plan_ctx_init(&c);
    tn_expr *args[3];
    tn_scalar *s0 = tn_scalar_bytes(tn_type_get(TN_STRING), "abc", 3);
    tn_scalar *s1 = tn_scalar_bytes(tn_type_get(TN_STRING), "(b|c)+$", 7);
    tn_scalar *s2 = tn_scalar_bytes(tn_type_get(TN_STRING), "<\\1>", 4);
    int rc = TARN_OK;
    if (!s0 || !s1 || !s2) {
        tn_scalar_free(s0);
        tn_scalar_free(s1);
        tn_scalar_free(s2);
        rc = tn_error_oom(err, 64);
    } else {
        args[0] = tn_expr_literal(&c, s0);
        args[1] = tn_expr_literal(&c, s1);
        args[2] = tn_expr_literal(&c, s2);
        if (!args[0] || !args[1] || !args[2])
            rc = tn_error_oom(err, 64);
    }
    tn_expr *e = NULL;
    if (!rc)
        rc = tn_scalar_func_resolve(&c, "regexp_replace", args, 3, 0, &e, err);
    tn_array *out = NULL;
    if (!rc)
        rc = tn_expr_eval(NULL, e, NULL, NULL, &out, err);
    if (!rc) {
        int64_t len;
        const uint8_t *p = tn_array_bytes(out, 0, &len);
        if (len != 4 || memcmp(p, "a<c>", 4) != 0)
            rc = tn_error_set(err, TARN_EINTERNAL, "wrong replacement");
    }
    tn_array_unref(out);
    tn_plan_ctx_free(&c);
    return rc;
}

TEST(resolve_allocation_failures)
{
    CHECK(tn_test_alloc_failures("regexp bind", resolve_regex_under_failures, NULL) > 3);
}

/* random() is volatile: never constant, one value per row, in [0, 1). */
TEST(random_is_volatile)
{
    tn_plan_ctx_init(&P);
    tarn_error err;
    tarn_error_init(&err);
    tn_expr *e = NULL;
    CHECK_OK(tn_scalar_func_resolve(&P, "random", NULL, 0, 0, &e, &err), &err);
    CHECK(e && !tn_expr_is_constant(e));
    int64_t xs[64];
    for (int i = 0; i < 64; i++)
        xs[i] = i;
    tn_array *cols[1] = {mk_int(T(TN_INT64), 64, xs)};
    tn_batch *b = batch_of(1, cols);
    tn_array *out = NULL;
    CHECK_OK(tn_expr_eval(NULL, e, b, NULL, &out, &err), &err);
    CHECK(out && out->length == 64);
    int distinct = 0;
    for (int i = 0; out && i < 64; i++) {
        double v = TN_VALUES(out, double)[i];
        CHECK(v >= 0 && v < 1);
        distinct += i > 0 && v != TN_VALUES(out, double)[i - 1];
    }
    CHECK(distinct > 60);
    tn_array_unref(out);
    tn_batch_unref(b);
    tn_plan_ctx_free(&P);
}

TEST(names_and_hints)
{
    const char *const *names = tn_scalar_func_names();
    int n = 0;
    bool has_substring = false, has_coalesce = false;
    for (; names[n]; n++) {
        has_substring = has_substring || !strcmp(names[n], "substring");
        has_coalesce = has_coalesce || !strcmp(names[n], "coalesce");
        for (int k = 0; k < n; k++)
            CHECK(strcmp(names[k], names[n]) != 0); /* no duplicates */
    }
    CHECK(n > 100 && has_substring && has_coalesce);
    CHECK_STR(tn_function_closest("substrng"), "substring");
    CHECK_STR(tn_function_closest("UPPR"), "upper");
    CHECK_STR(tn_function_closest("regexp_replce"), "regexp_replace");
    CHECK(tn_function_closest("completely_unrelated_name") == NULL);
}

int main(void)
{
    tarn_error err;
    if (tn_catalog_new(&CAT, &err) != 0)
        return 2;
    RUN(function_allocation_failures);
    RUN(resolve_allocation_failures);
    RUN(names_and_hints);
    RUN(random_is_volatile);
    RUN(interval_literals);
    RUN(function_cases);
    RUN(function_errors);
    tn_catalog_free(CAT);
    return tn_test_done();
}
