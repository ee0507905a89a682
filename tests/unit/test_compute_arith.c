/*
 * test_compute_arith.c — arithmetic, comparison, Kleene logic and null
 * tests: hand-computed results with nulls, scalars, slices, selection
 * vectors, every error path and allocation failures.
 */
#include "arrow/compute/decimal.h"
#include "compute_helpers.h"

static tn_array *ar(tn_arith_op op, tn_datum a, tn_datum b, const tn_selection *sel, tarn_error *err)
{
    tn_array *o = NULL;
    return tn_arith(op, a, b, sel, &o, err) ? NULL : o;
}

static tn_array *cmp(tn_cmp_op op, tn_datum a, tn_datum b, const tn_selection *sel, tarn_error *err)
{
    tn_array *o = NULL;
    return tn_compare(op, a, b, sel, &o, err) ? NULL : o;
}

TEST(int_arith)
{
    tarn_error err;
    int64_t x[] = {1, 2, NUL_I, 100, -7};
    int64_t y[] = {10, NUL_I, 3, 27, 2};
    tn_array *a = mk_int(tn_type_get(TN_INT32), 5, x), *b = mk_int(tn_type_get(TN_INT32), 5, y);
    CHECK_FMT(ar(TN_ADD, A(a), A(b), NULL, &err), "[11, null, null, 127, -5]");
    CHECK_FMT(ar(TN_SUB, A(a), A(b), NULL, &err), "[-9, null, null, 73, -9]");
    CHECK_FMT(ar(TN_MUL, A(a), A(b), NULL, &err), "[10, null, null, 2700, -14]");
    CHECK_FMT(ar(TN_DIV, A(a), A(b), NULL, &err), "[0, null, null, 3, -3]");
    CHECK_FMT(ar(TN_MOD, A(a), A(b), NULL, &err), "[1, null, null, 19, -1]");
    /* scalars on either side, and a null scalar */
    tn_scalar *s = tn_scalar_int(tn_type_get(TN_INT64), 5);
    tn_array *r = ar(TN_SUB, S(s), A(a), NULL, &err);
    CHECK(r && r->type->id == TN_INT64);
    CHECK_FMT(r, "[4, 3, null, -95, 12]");
    CHECK_FMT(ar(TN_MUL, A(a), S(s), NULL, &err), "[5, 10, null, 500, -35]");
    CHECK_FMT(ar(TN_ADD, S(s), S(s), NULL, &err), "[10]");
    tn_scalar *ns = tn_scalar_null(tn_type_get(TN_INT32));
    CHECK_FMT(ar(TN_ADD, A(a), S(ns), NULL, &err), "[null, null, null, null, null]");
    /* a selection vector picks rows, repeats allowed */
    int32_t rows[] = {4, 0, 4};
    tn_selection sel = {rows, 3};
    CHECK_FMT(ar(TN_ADD, A(a), A(b), &sel, &err), "[-5, 11, -5]");
    CHECK_FMT(ar(TN_ADD, A(a), S(s), &sel, &err), "[-2, 6, -2]");
    int32_t bad_rows[] = {5};
    tn_selection bsel = {bad_rows, 1};
    CHECK(ar(TN_ADD, A(a), A(b), &bsel, &err) == NULL);
    CHECK_STR(err.message, "selection row 5 out of bounds for 5 rows at position 0");
    /* slices at non-zero offsets */
    tn_array *sa = tn_array_slice(a, 3, 2), *sb = tn_array_slice(b, 1, 2);
    CHECK_FMT(ar(TN_ADD, A(sa), A(sb), NULL, &err), "[null, -4]");
    tn_array_unref(sa);
    tn_array_unref(sb);
    /* length mismatch */
    tn_array *short_ = tn_array_slice(b, 0, 2);
    CHECK(ar(TN_ADD, A(a), A(short_), NULL, &err) == NULL);
    CHECK_STR(err.message, "inputs have different lengths (5 and 2)");
    tn_array_unref(short_);
    /* a typeless NULL takes the other side's type */
    tn_array *na = tn_array_new_nulls(tn_type_get(TN_NA), 5);
    tn_array *nr = ar(TN_MUL, A(a), A(na), NULL, &err);
    CHECK(nr && nr->type->id == TN_INT32);
    CHECK_FMT(nr, "[null, null, null, null, null]");
    nr = ar(TN_ADD, A(na), A(na), NULL, &err);
    CHECK(nr && nr->type->id == TN_NA && nr->length == 5);
    tn_array_unref(nr);
    tn_array_unref(na);
    /* bad operators and selections */
    tn_array *o = NULL;
    CHECK(tn_arith((tn_arith_op)9, A(a), A(b), NULL, &o, &err) == TARN_EINVAL);
    CHECK_STR(err.message, "unknown arithmetic operator 9");
    CHECK(tn_bool((tn_bool_op)7, A(a), A(b), NULL, &o, &err) == TARN_EINVAL);
    int32_t neg_rows[] = {0, -1};
    tn_selection nsel = {neg_rows, 2};
    CHECK(tn_compare(TN_CMP_EQ, A(a), A(b), &nsel, &o, &err) == TARN_EINVAL);
    CHECK_STR(err.message, "selection row -1 out of bounds for 5 rows at position 1");
    tn_selection nullsel = {NULL, 3};
    CHECK(tn_is_null(A(a), &nullsel, &o, &err) == TARN_EINVAL);
    CHECK_STR(err.message, "invalid selection vector");
    tn_scalar_free(s);
    tn_scalar_free(ns);
    tn_array_unref(a);
    tn_array_unref(b);
}

TEST(int_errors)
{
    tarn_error err;
    int64_t x[] = {1, INT32_MAX, 5};
    int64_t y[] = {1, 1, 0};
    tn_array *a = mk_int(tn_type_get(TN_INT32), 3, x), *b = mk_int(tn_type_get(TN_INT32), 3, y);
    CHECK(ar(TN_ADD, A(a), A(b), NULL, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_EOVERFLOW);
    CHECK_STR(err.message, "int32 overflow in addition: 2147483647 + 1 at row 1");
    CHECK(ar(TN_DIV, A(a), A(b), NULL, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_EDIVZERO);
    CHECK_STR(err.message, "division by zero in division at row 2");
    CHECK(ar(TN_MOD, A(a), A(b), NULL, &err) == NULL);
    CHECK_STR(err.message, "division by zero in modulo at row 2");
    tn_array_unref(a);
    tn_array_unref(b);
    /* a zero or an overflow behind a null is not an error */
    int64_t z[] = {NUL_I, 2};
    int64_t m[] = {INT64_MIN + 1, 6};
    a = mk_int(tn_type_get(TN_INT64), 2, m);
    b = mk_int(tn_type_get(TN_INT64), 2, z);
    CHECK_FMT(ar(TN_DIV, A(a), A(b), NULL, &err), "[null, 3]");
    tn_array_unref(a);
    tn_array_unref(b);
    int64_t mn[] = {INT64_MIN + 1, -1};
    a = mk_int(tn_type_get(TN_INT64), 2, mn);
    tn_scalar *two = tn_scalar_int(tn_type_get(TN_INT64), 2), *m1 = tn_scalar_int(tn_type_get(TN_INT64), -1);
    CHECK(ar(TN_MUL, A(a), S(two), NULL, &err) == NULL);
    CHECK_STR(err.message, "int64 overflow in multiplication: -9223372036854775807 * 2 at row 0");
    CHECK(ar(TN_SUB, A(a), S(two), NULL, &err) == NULL);
    CHECK_STR(err.message, "int64 overflow in subtraction: -9223372036854775807 - 2 at row 0");
    tn_array *mm = ar(TN_SUB, A(a), S(two), NULL, &err);
    CHECK(mm == NULL);
    CHECK_FMT(ar(TN_DIV, A(a), S(m1), NULL, &err), "[9223372036854775807, 1]");
    CHECK_FMT(ar(TN_MOD, A(a), S(m1), NULL, &err), "[0, 0]");
    tn_scalar_free(two);
    tn_scalar_free(m1);
    tn_array_unref(a);
    /* unsigned wraps are overflows */
    int64_t u[] = {3};
    int64_t u2[] = {4};
    a = mk_int(tn_type_get(TN_UINT8), 1, u);
    b = mk_int(tn_type_get(TN_UINT8), 1, u2);
    CHECK(ar(TN_SUB, A(a), A(b), NULL, &err) == NULL);
    CHECK_STR(err.message, "uint8 overflow in subtraction: 3 - 4 at row 0");
    tn_array_unref(a);
    tn_array_unref(b);
    /* non-numeric operands */
    const char *t[] = {"x"};
    a = mk_str(tn_type_get(TN_STRING), 1, t);
    CHECK(ar(TN_ADD, A(a), A(a), NULL, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_ETYPE);
    CHECK_STR(err.message, "addition of utf8 and utf8 is not supported");
    tn_array_unref(a);
}

TEST(promotion)
{
    tarn_error err;
    tn_type *t = NULL;
    struct {
        tn_type_id a, b, want;
    } cases[] = {
        {TN_INT32, TN_INT64, TN_INT64},   {TN_INT8, TN_UINT8, TN_INT16},   {TN_UINT32, TN_INT8, TN_INT64},
        {TN_UINT16, TN_UINT64, TN_UINT64}, {TN_INT64, TN_FLOAT32, TN_FLOAT64}, {TN_FLOAT16, TN_FLOAT32, TN_FLOAT32},
        {TN_INT16, TN_INT32, TN_INT32},
    };
    for (int i = 0; i < COUNT(cases); i++) {
        CHECK_OK(tn_arith_result_type(TN_ADD, tn_type_get(cases[i].a), tn_type_get(cases[i].b), &t, &err), &err);
        CHECK(t && t->id == cases[i].want);
        tn_type_unref(t);
    }
    /* decimal rules */
    tn_type *d1 = tn_type_decimal(128, 10, 2), *d2 = tn_type_decimal(128, 5, 4);
    struct {
        tn_arith_op op;
        int p, s;
    } dc[] = {{TN_ADD, 13, 4}, {TN_SUB, 13, 4}, {TN_MUL, 16, 6}, {TN_DIV, 20, 8}, {TN_MOD, 12, 4}};
    for (int i = 0; i < COUNT(dc); i++) {
        CHECK_OK(tn_arith_result_type(dc[i].op, d1, d2, &t, &err), &err);
        CHECK(t && t->id == TN_DECIMAL128);
        if (t) {
            CHECK_EQ_INT(t->precision, dc[i].p);
            CHECK_EQ_INT(t->scale, dc[i].s);
        }
        tn_type_unref(t);
    }
    /* int + decimal: the int is decimal(10, 0), so 10 integer digits + 2 + 1 */
    CHECK_OK(tn_arith_result_type(TN_ADD, tn_type_get(TN_INT32), d1, &t, &err), &err);
    CHECK(t && t->precision == 13 && t->scale == 2);
    tn_type_unref(t);
    /* capped at 38; division keeps at least 6 fraction digits */
    tn_type *big = tn_type_decimal(128, 38, 10);
    CHECK_OK(tn_arith_result_type(TN_DIV, big, big, &t, &err), &err);
    CHECK(t && t->precision == 38 && t->scale == 6);
    tn_type_unref(t);
    CHECK_OK(tn_arith_result_type(TN_MUL, big, d1, &t, &err), &err);
    CHECK(t && t->precision == 38 && t->scale == 12);
    tn_type_unref(t);
    tn_type *big2 = tn_type_decimal(128, 38, 30);
    CHECK(tn_arith_result_type(TN_MUL, big2, big2, &t, &err) != 0);
    CHECK_STR(err.message, "the multiplication of decimal128(38, 30) and decimal128(38, 30) needs scale 60, more than precision 38 allows");
    tn_type *w = tn_type_decimal(256, 40, 2);
    CHECK_OK(tn_arith_result_type(TN_MUL, w, d1, &t, &err), &err);
    CHECK(t && t->id == TN_DECIMAL256 && t->precision == 51 && t->scale == 4);
    tn_type_unref(t);
    tn_type_unref(w);
    tn_type_unref(big);
    tn_type_unref(big2);
    tn_type_unref(d1);
    tn_type_unref(d2);
}

TEST(float_arith)
{
    tarn_error err;
    double x[] = {1.5, -1, 0, 7, 2};
    double y[] = {0.5, 0, 0, 2, 4};
    tn_array *a = mk_dbl(tn_type_get(TN_FLOAT64), 5, x, "11111"), *b = mk_dbl(tn_type_get(TN_FLOAT64), 5, y, "11110");
    CHECK_FMT(ar(TN_DIV, A(a), A(b), NULL, &err), "[3, -inf, nan, 3.5, null]");
    CHECK_FMT(ar(TN_MOD, A(a), A(b), NULL, &err), "[0, nan, nan, 1, null]");
    CHECK_FMT(ar(TN_ADD, A(a), A(b), NULL, &err), "[2, -1, 0, 9, null]");
    int64_t i[] = {1, 2, 3, 4, 5};
    tn_array *c = mk_int(tn_type_get(TN_INT16), 5, i);
    tn_array *r = ar(TN_MUL, A(a), A(c), NULL, &err);
    CHECK(r && r->type->id == TN_FLOAT64);
    CHECK_FMT(r, "[1.5, -2, 0, 28, 10]");
    tn_array *n = NULL;
    CHECK_OK(tn_negate(A(a), NULL, &n, &err), &err);
    CHECK_FMT(n, "[-1.5, 1, -0, -7, -2]");
    tn_array_unref(a);
    tn_array_unref(b);
    tn_array_unref(c);
}

TEST(decimal_arith)
{
    tarn_error err;
    int64_t x[] = {12345, -500, NUL_I, 1}; /* decimal(10,2): 123.45 -5.00 null 0.01 */
    int64_t y[] = {5, 3, 1, 3};            /* decimal(5,1): 0.5 0.3 0.1 0.3 */
    tn_type *t1 = tn_type_decimal(128, 10, 2), *t2 = tn_type_decimal(128, 5, 1);
    tn_array *a = mk_int(tn_type_ref(t1), 4, x), *b = mk_int(tn_type_ref(t2), 4, y);
    CHECK_FMT(ar(TN_ADD, A(a), A(b), NULL, &err), "[123.95, -4.70, null, 0.31]");
    CHECK_FMT(ar(TN_SUB, A(a), A(b), NULL, &err), "[122.95, -5.30, null, -0.29]");
    CHECK_FMT(ar(TN_MUL, A(a), A(b), NULL, &err), "[61.725, -1.500, null, 0.003]");
    CHECK_FMT(ar(TN_DIV, A(a), A(b), NULL, &err), "[246.90000000, -16.66666667, null, 0.03333333]");
    CHECK_FMT(ar(TN_MOD, A(a), A(b), NULL, &err), "[0.45, -0.20, null, 0.01]");
    tn_array *n = NULL;
    CHECK_OK(tn_negate(A(a), NULL, &n, &err), &err);
    CHECK_FMT(n, "[-123.45, 5.00, null, -0.01]");
    /* int + decimal */
    tn_scalar *one = tn_scalar_int(tn_type_get(TN_INT32), 1);
    CHECK_FMT(ar(TN_ADD, A(a), S(one), NULL, &err), "[124.45, -4.00, null, 1.01]");
    /* division by zero and overflow */
    tn_scalar *z = tn_scalar_int(t2, 0);
    CHECK(ar(TN_DIV, A(a), S(z), NULL, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_EDIVZERO);
    CHECK_STR(err.message, "division by zero in decimal division at row 0");
    tn_type *t38 = tn_type_decimal(128, 38, 0);
    tn_scalar *huge = tn_scalar_raw(t38, (tn_i128[]){tn_pow10_128(38) - 1});
    tn_scalar *h1 = tn_scalar_int(t38, 1);
    tn_array *o = ar(TN_ADD, S(huge), S(h1), NULL, &err);
    CHECK(o == NULL);
    CHECK_EQ_INT(err.code, TARN_EOVERFLOW);
    CHECK_STR(err.message, "decimal128(38, 0) overflow in addition: 99999999999999999999999999999999999999 + 1 at row 0");
    tn_scalar_free(huge);
    tn_scalar_free(h1);
    tn_type_unref(t38);
    tn_scalar_free(z);
    tn_scalar_free(one);
    /* decimal256 */
    tn_type *w = tn_type_decimal(256, 60, 3);
    tn_array *wa = NULL;
    CHECK_OK(tn_cast(a, w, TN_CAST_STRICT, &wa, &err), &err);
    CHECK_FMT(ar(TN_MUL, A(wa), A(wa), NULL, &err), "[15239.902500, 25.000000, null, 0.000100]");
    CHECK_FMT(ar(TN_DIV, A(wa), A(b), NULL, &err), "[246.900000000, -16.666666667, null, 0.033333333]");
    tn_array_unref(wa);
    tn_type_unref(w);
    tn_array_unref(a);
    tn_array_unref(b);
    tn_type_unref(t1);
    tn_type_unref(t2);
}

TEST(temporal_arith)
{
    tarn_error err;
    int64_t ts[] = {1000, NUL_I, -500};
    int64_t du[] = {3, 4, 5};
    tn_array *t = mk_int(tn_type_timestamp(TN_MILLI, "UTC"), 3, ts), *d = mk_int(tn_type_duration(TN_SECOND), 3, du);
    tn_array *r = ar(TN_ADD, A(t), A(d), NULL, &err);
    CHECK(r && r->type->id == TN_TIMESTAMP && r->type->unit == TN_MILLI && r->type->tz && !strcmp(r->type->tz, "UTC"));
    int64_t w1[] = {4000, NUL_I, 4500};
    CHECK_ARR(r, mk_int(tn_type_timestamp(TN_MILLI, "UTC"), 3, w1));
    int64_t w2[] = {-2000, NUL_I, -5500};
    CHECK_ARR(ar(TN_SUB, A(t), A(d), NULL, &err), mk_int(tn_type_timestamp(TN_MILLI, "UTC"), 3, w2));
    CHECK_ARR(ar(TN_ADD, A(d), A(t), NULL, &err), mk_int(tn_type_timestamp(TN_MILLI, "UTC"), 3, w1));
    /* timestamp - timestamp: a duration in the finer unit */
    int64_t ts2[] = {1, 2, 3};
    tn_array *t2 = mk_int(tn_type_timestamp(TN_SECOND, NULL), 3, ts2);
    int64_t w3[] = {0, NUL_I, -3500};
    CHECK_ARR(ar(TN_SUB, A(t), A(t2), NULL, &err), mk_int(tn_type_duration(TN_MILLI), 3, w3));
    /* durations scale by integers */
    tn_scalar *two = tn_scalar_int(tn_type_get(TN_INT8), 2);
    int64_t w4[] = {6, 8, 10};
    CHECK_ARR(ar(TN_MUL, S(two), A(d), NULL, &err), mk_int(tn_type_duration(TN_SECOND), 3, w4));
    int64_t w5[] = {1, 2, 2};
    CHECK_ARR(ar(TN_DIV, A(d), S(two), NULL, &err), mk_int(tn_type_duration(TN_SECOND), 3, w5));
    /* dates and day counts */
    int64_t dd[] = {0, 19782, NUL_I};
    tn_array *dt = mk_int(tn_type_get(TN_DATE32), 3, dd);
    tn_scalar *week = tn_scalar_int(tn_type_get(TN_INT64), 7);
    int64_t w6[] = {7, 19789, NUL_I};
    CHECK_ARR(ar(TN_ADD, A(dt), S(week), NULL, &err), mk_int(tn_type_get(TN_DATE32), 3, w6));
    CHECK_FMT(ar(TN_SUB, A(dt), S(week), NULL, &err), "[1969-12-25, 2024-02-22, null]");
    tn_array *dr = ar(TN_SUB, A(dt), A(dt), NULL, &err);
    CHECK(dr && dr->type->id == TN_INT64);
    CHECK_FMT(dr, "[0, 0, null]");
    /* overflow names the temporal type; unsupported pairs fail cleanly */
    int64_t big[] = {INT64_MAX};
    tn_array *bt = mk_int(tn_type_timestamp(TN_NANO, NULL), 1, big);
    tn_type *ns = tn_type_duration(TN_NANO);
    tn_scalar *one = tn_scalar_int(ns, 1); /* takes its own reference */
    tn_type_unref(ns);
    CHECK(ar(TN_ADD, A(bt), S(one), NULL, &err) == NULL);
    CHECK_STR(err.message, "timestamp overflow in addition: 9223372036854775807 + 1 at row 0");
    CHECK(ar(TN_ADD, A(t), A(t2), NULL, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_ETYPE);
    CHECK_STR(err.message, "addition of timestamp[ms, tz=UTC] and timestamp[s] is not supported");
    tn_scalar_free(one);
    tn_array_unref(bt);
    tn_scalar_free(week);
    tn_scalar_free(two);
    tn_array_unref(dt);
    tn_array_unref(t2);
    tn_array_unref(t);
    tn_array_unref(d);
}

TEST(negate)
{
    tarn_error err;
    int64_t x[] = {5, NUL_I, INT8_MIN};
    tn_array *a = mk_int(tn_type_get(TN_INT8), 3, x), *o = NULL;
    CHECK(tn_negate(A(a), NULL, &o, &err) != 0);
    CHECK_STR(err.message, "int8 overflow in negation of -128 at row 2");
    tn_array *s = tn_array_slice(a, 0, 2);
    CHECK_OK(tn_negate(A(s), NULL, &o, &err), &err);
    CHECK_FMT(o, "[-5, null]");
    tn_array_unref(s);
    tn_array_unref(a);
    a = mk_int(tn_type_get(TN_UINT8), 1, x);
    CHECK(tn_negate(A(a), NULL, &o, &err) != 0);
    CHECK_STR(err.message, "cannot negate uint8");
    tn_array_unref(a);
}

TEST(comparisons)
{
    tarn_error err;
    int64_t x[] = {1, 5, NUL_I, 3, -2};
    int64_t y[] = {1, 2, 3, NUL_I, 7};
    tn_array *a = mk_int(tn_type_get(TN_INT16), 5, x), *b = mk_int(tn_type_get(TN_INT64), 5, y);
    CHECK_FMT(cmp(TN_CMP_EQ, A(a), A(b), NULL, &err), "[true, false, null, null, false]");
    CHECK_FMT(cmp(TN_CMP_NE, A(a), A(b), NULL, &err), "[false, true, null, null, true]");
    CHECK_FMT(cmp(TN_CMP_LT, A(a), A(b), NULL, &err), "[false, false, null, null, true]");
    CHECK_FMT(cmp(TN_CMP_LE, A(a), A(b), NULL, &err), "[true, false, null, null, true]");
    CHECK_FMT(cmp(TN_CMP_GT, A(a), A(b), NULL, &err), "[false, true, null, null, false]");
    CHECK_FMT(cmp(TN_CMP_GE, A(a), A(b), NULL, &err), "[true, true, null, null, false]");
    tn_scalar *three = tn_scalar_double(tn_type_get(TN_FLOAT64), 3.0);
    CHECK_FMT(cmp(TN_CMP_GE, A(a), S(three), NULL, &err), "[false, true, null, true, false]");
    CHECK_FMT(cmp(TN_CMP_LT, S(three), A(a), NULL, &err), "[false, true, null, false, false]");
    int32_t rows[] = {1, 1, 4};
    tn_selection sel = {rows, 3};
    CHECK_FMT(cmp(TN_CMP_GT, A(a), S(three), &sel, &err), "[true, true, false]");
    tn_scalar_free(three);
    tn_array_unref(a);
    tn_array_unref(b);

    /* floats: NaN equals NaN and sorts above everything */
    double f[] = {NAN, NAN, 1, INFINITY, -0.0};
    double g[] = {NAN, 1, NAN, NAN, 0.0};
    a = mk_dbl(tn_type_get(TN_FLOAT64), 5, f, NULL);
    b = mk_dbl(tn_type_get(TN_FLOAT32), 5, g, NULL);
    CHECK_FMT(cmp(TN_CMP_EQ, A(a), A(b), NULL, &err), "[true, false, false, false, true]");
    CHECK_FMT(cmp(TN_CMP_LT, A(a), A(b), NULL, &err), "[false, false, true, true, false]");
    CHECK_FMT(cmp(TN_CMP_GT, A(a), A(b), NULL, &err), "[false, true, false, false, false]");
    tn_array_unref(a);
    tn_array_unref(b);

    /* strings across layouts, sliced */
    const char *s1[] = {"apple", "banana", NULL, "a much longer value than twelve", "", "zz"};
    const char *s2[] = {"x", "apple", "banana", "a much longer value than twelve!", "", "z"};
    tn_array *sa = mk_str(tn_type_get(TN_STRING), 6, s1), *sb = mk_str(tn_type_get(TN_STRING_VIEW), 6, s2);
    tn_array *sl = tn_array_slice(sa, 1, 5), *sm = tn_array_slice(sb, 1, 5);
    CHECK_FMT(cmp(TN_CMP_EQ, A(sl), A(sm), NULL, &err), "[false, null, false, true, false]");
    CHECK_FMT(cmp(TN_CMP_LT, A(sl), A(sm), NULL, &err), "[false, null, true, false, false]");
    tn_scalar *ap = tn_scalar_bytes(tn_type_get(TN_LARGE_STRING), "b", 1);
    CHECK_FMT(cmp(TN_CMP_GT, A(sa), S(ap), NULL, &err), "[false, true, null, false, false, true]");
    tn_scalar_free(ap);
    tn_array_unref(sl);
    tn_array_unref(sm);
    tn_array_unref(sb);

    /* decimals of different scales, and against ints */
    int64_t d1[] = {150, 100};
    int64_t d2[] = {15, 11};
    tn_array *da = mk_int(tn_type_decimal(128, 5, 2), 2, d1), *db = mk_int(tn_type_decimal(256, 5, 1), 2, d2);
    CHECK_FMT(cmp(TN_CMP_EQ, A(da), A(db), NULL, &err), "[true, false]");
    CHECK_FMT(cmp(TN_CMP_LT, A(da), A(db), NULL, &err), "[false, true]");
    tn_scalar *one = tn_scalar_int(tn_type_get(TN_INT8), 1);
    CHECK_FMT(cmp(TN_CMP_EQ, A(da), S(one), NULL, &err), "[false, true]");
    tn_scalar_free(one);
    tn_array_unref(da);
    tn_array_unref(db);

    /* temporal: date vs timestamp compares instants */
    int64_t dd[] = {1, 2};
    int64_t ts[] = {86400000000LL, 86400000001LL};
    tn_array *dt = mk_int(tn_type_get(TN_DATE32), 2, dd), *tt = mk_int(tn_type_timestamp(TN_MICRO, "UTC"), 2, ts);
    CHECK_FMT(cmp(TN_CMP_EQ, A(dt), A(tt), NULL, &err), "[true, false]");
    CHECK_FMT(cmp(TN_CMP_GT, A(dt), A(tt), NULL, &err), "[false, true]");
    tn_array_unref(dt);
    tn_array_unref(tt);

    /* type mismatch */
    int64_t one_[] = {1};
    tn_array *ia = mk_int(tn_type_get(TN_INT32), 1, one_);
    CHECK(cmp(TN_CMP_EQ, A(ia), A(sa), NULL, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_ETYPE);
    CHECK_STR(err.message, "comparing int32 and utf8 is not supported");
    tn_array_unref(ia);
    tn_array_unref(sa);

    /* bool, and empty input */
    int bv[] = {1, 0, -1};
    int bw[] = {1, 1, 1};
    tn_array *ba = mk_bool(3, bv), *bb = mk_bool(3, bw);
    CHECK_FMT(cmp(TN_CMP_LT, A(ba), A(bb), NULL, &err), "[false, true, null]");
    tn_array_unref(ba);
    tn_array_unref(bb);
    tn_array *e = tn_array_new_empty(tn_type_get(TN_INT32));
    CHECK_FMT(cmp(TN_CMP_EQ, A(e), A(e), NULL, &err), "[]");
    tn_array_unref(e);
}

TEST(dictionary_operands)
{
    tarn_error err;
    tn_type *dt = tn_type_dictionary(tn_type_get(TN_INT8), tn_type_get(TN_STRING), false);
    tn_builder *b = tn_builder_new(dt);
    tn_type_unref(dt);
    const char *w[] = {"pear", "fig", NULL, "pear"};
    for (int i = 0; i < 4; i++)
        CHECK(w[i] ? tn_builder_append_str(b, w[i], NULL) == 0 : tn_builder_append_null(b, NULL) == 0);
    tn_array *d = NULL;
    CHECK(tn_builder_finish(b, &d, NULL) == 0);
    tn_builder_free(b);
    tn_scalar *pear = tn_scalar_bytes(tn_type_get(TN_STRING), "pear", 4);
    CHECK_FMT(cmp(TN_CMP_EQ, A(d), S(pear), NULL, &err), "[true, false, null, true]");
    int32_t rows[] = {3, 1};
    tn_selection sel = {rows, 2};
    CHECK_FMT(cmp(TN_CMP_GT, A(d), S(pear), &sel, &err), "[false, false]");
    tn_scalar_free(pear);
    tn_array_unref(d);
    dt = tn_type_dictionary(tn_type_get(TN_INT16), tn_type_get(TN_INT32), false);
    b = tn_builder_new(dt);
    tn_type_unref(dt);
    int64_t v[] = {7, 7, -1};
    for (int i = 0; i < 3; i++)
        CHECK(tn_builder_append_int(b, v[i], NULL) == 0);
    CHECK(tn_builder_finish(b, &d, NULL) == 0);
    tn_builder_free(b);
    tn_scalar *one = tn_scalar_int(tn_type_get(TN_INT64), 1);
    CHECK_FMT(ar(TN_ADD, A(d), S(one), NULL, &err), "[8, 8, 0]");
    tn_scalar_free(one);
    tn_array_unref(d);
}

TEST(kleene)
{
    tarn_error err;
    /* every pair of {true, false, null} */
    int x[] = {1, 1, 1, 0, 0, 0, -1, -1, -1};
    int y[] = {1, 0, -1, 1, 0, -1, 1, 0, -1};
    tn_array *a = mk_bool(9, x), *b = mk_bool(9, y), *o = NULL;
    CHECK_OK(tn_bool(TN_AND, A(a), A(b), NULL, &o, &err), &err);
    CHECK_FMT(o, "[true, false, null, false, false, false, null, false, null]");
    CHECK_OK(tn_bool(TN_OR, A(a), A(b), NULL, &o, &err), &err);
    CHECK_FMT(o, "[true, true, true, true, false, null, true, null, null]");
    CHECK_OK(tn_bool(TN_XOR, A(a), A(b), NULL, &o, &err), &err);
    CHECK_FMT(o, "[false, true, null, true, false, null, null, null, null]");
    CHECK_OK(tn_not(A(a), NULL, &o, &err), &err);
    CHECK_FMT(o, "[false, false, false, true, true, true, null, null, null]");
    CHECK_OK(tn_is_null(A(a), NULL, &o, &err), &err);
    CHECK_FMT(o, "[false, false, false, false, false, false, true, true, true]");
    CHECK_OK(tn_is_not_null(A(b), NULL, &o, &err), &err);
    CHECK_FMT(o, "[true, true, false, true, true, false, true, true, false]");
    /* slices at odd offsets, scalars and selections */
    tn_array *sa = tn_array_slice(a, 3, 6), *sb = tn_array_slice(b, 1, 6);
    CHECK_OK(tn_bool(TN_AND, A(sa), A(sb), NULL, &o, &err), &err);
    CHECK_FMT(o, "[false, false, false, false, null, null]");
    tn_scalar *nb = tn_scalar_null(tn_type_get(TN_BOOL)), *f = tn_scalar_bool(false);
    CHECK_OK(tn_bool(TN_OR, S(nb), A(sa), NULL, &o, &err), &err);
    CHECK_FMT(o, "[null, null, null, null, null, null]");
    CHECK_OK(tn_bool(TN_AND, S(f), A(sa), NULL, &o, &err), &err);
    CHECK_FMT(o, "[false, false, false, false, false, false]");
    int32_t rows[] = {8, 0};
    tn_selection sel = {rows, 2};
    CHECK_OK(tn_bool(TN_OR, A(a), A(b), &sel, &o, &err), &err);
    CHECK_FMT(o, "[null, true]");
    tn_scalar_free(nb);
    tn_scalar_free(f);
    tn_array_unref(sa);
    tn_array_unref(sb);
    int64_t i[] = {1};
    tn_array *ia = mk_int(tn_type_get(TN_INT32), 1, i);
    CHECK(tn_not(A(ia), NULL, &o, &err) != 0);
    CHECK_STR(err.message, "NOT needs bool operands, not int32");
    tn_array_unref(ia);
    tn_array_unref(a);
    tn_array_unref(b);
    /* 70 rows so whole bytes and a tail are both exercised */
    int big[70], bigb[70];
    for (int k = 0; k < 70; k++) {
        big[k] = k % 3 == 0 ? -1 : k % 2;
        bigb[k] = k % 5 == 0 ? -1 : (k / 2) % 2;
    }
    a = mk_bool(70, big);
    b = mk_bool(70, bigb);
    tn_array *s1 = tn_array_slice(a, 3, 67), *s2 = tn_array_slice(b, 0, 67);
    CHECK_OK(tn_bool(TN_AND, A(s1), A(s2), NULL, &o, &err), &err);
    int bad = 0;
    for (int k = 0; o && k < 67; k++) {
        int p = big[k + 3], q = bigb[k];
        int want = (p == 0 || q == 0) ? 0 : (p < 0 || q < 0) ? -1 : 1;
        int got = tn_array_is_valid(o, k) ? tn_bit_get(o->buffers[1]->data, o->offset + k) : -1;
        bad += want != got;
    }
    CHECK_EQ_INT(bad, 0);
    tn_array_unref(o);
    tn_array_unref(s1);
    tn_array_unref(s2);
    tn_array_unref(a);
    tn_array_unref(b);
}

TEST(distinct)
{
    tarn_error err;
    int64_t x[] = {1, NUL_I, NUL_I, 4};
    int64_t y[] = {1, 2, NUL_I, 5};
    tn_array *a = mk_int(tn_type_get(TN_INT32), 4, x), *b = mk_int(tn_type_get(TN_INT32), 4, y), *o = NULL;
    CHECK_OK(tn_is_distinct_from(A(a), A(b), NULL, &o, &err), &err);
    CHECK(o && o->null_count == 0);
    CHECK_FMT(o, "[false, true, false, true]");
    tn_array_unref(a);
    tn_array_unref(b);
}

static int alloc_arith(void *ctx, tarn_error *err)
{
    tn_array **in = ctx, *o = NULL, *c = NULL;
    int rc = tn_arith(TN_ADD, A(in[0]), A(in[1]), NULL, &o, err);
    if (rc == 0)
        rc = tn_compare(TN_CMP_LT, A(o), A(in[1]), NULL, &c, err);
    tn_array_unref(o);
    tn_array_unref(c);
    return rc;
}

static int alloc_decimal(void *ctx, tarn_error *err)
{
    tn_array **in = ctx, *o = NULL;
    int rc = tn_arith(TN_DIV, A(in[2]), A(in[0]), NULL, &o, err);
    tn_array_unref(o);
    return rc;
}

TEST(alloc_failures)
{
    int64_t x[] = {1, NUL_I, 3};
    int64_t y[] = {4, 5, NUL_I};
    tn_array *in[3] = {mk_int(tn_type_get(TN_INT32), 3, x), mk_int(tn_type_get(TN_INT64), 3, y),
                       mk_int(tn_type_decimal(128, 9, 2), 3, y)};
    CHECK(tn_test_alloc_failures("arith+compare", alloc_arith, in) > 3);
    CHECK(tn_test_alloc_failures("decimal division", alloc_decimal, in) > 3);
    for (int i = 0; i < 3; i++)
        tn_array_unref(in[i]);
}

int main(void)
{
    RUN(int_arith);
    RUN(int_errors);
    RUN(promotion);
    RUN(float_arith);
    RUN(decimal_arith);
    RUN(temporal_arith);
    RUN(negate);
    RUN(comparisons);
    RUN(dictionary_operands);
    RUN(kleene);
    RUN(distinct);
    RUN(alloc_failures);
    return tn_test_done();
}
