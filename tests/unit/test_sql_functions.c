/*
 * test_sql_functions.c — the scalar function library through resolution
 * and the evaluator: every case is SQL text parsed by the real parser,
 * bound by a small test binder (sql_mini_bind.h) and resolved by
 * tn_scalar_func_resolve, then evaluated twice: on literals (constant
 * folding path) and with every literal turned into a column of a batch,
 * under a selection (the array path, patterns not precompiled).
 *
 * The expected values and types are DuckDB's: tests/interop/
 * sql_functions_duckdb.mjs reads the CASE_/ERR_ lines of this file, runs
 * each expression in DuckDB and fails when DuckDB answers otherwise.
 */
#include "sql_expr_helpers.h"
#include "sql_mini_bind.h"
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
    ERR_("no_such_function(1)", TARN_ENOTFOUND, "no scalar function named no_such_function")
    ERR_("length(1, 2)", TARN_ETYPE, "candidates are length(varchar)")
    ERR_("sqrt(-1)", TARN_EINVAL, "cannot take square root of a negative number")
    ERR_("ln(0)", TARN_EINVAL, "cannot take logarithm of zero")
    ERR_("ln(-1)", TARN_EINVAL, "cannot take logarithm of a negative number")
    ERR_("abs(CAST(-9223372036854775808 AS BIGINT))", TARN_EOVERFLOW, "overflow on abs(-9223372036854775808)")
};

/* DuckDB's text for a value: NULL, true/false, doubles with ".0" when integral. */
static char *render(tn_array *a, int64_t row)
{
    if (!tn_array_is_valid(a, row))
        return tn_strdup("NULL");
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
    int rc = mini_parse_bind(&P, fc->sql, NULL, NULL, &e, &err);
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
    mini_lits lits = {0};
    tn_expr *ec = NULL;
    rc = mini_parse_bind(&P, fc->sql, NULL, &lits, &ec, &err);
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
    mini_lits_free(&lits);
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
        int rc = mini_parse_bind(&P, fe->sql, NULL, NULL, &e, &err);
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

int main(void)
{
    RUN(function_cases);
    RUN(function_errors);
    return tn_test_done();
}
