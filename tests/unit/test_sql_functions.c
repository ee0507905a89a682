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
