/*
 * test_compute_cast.c — casts between numeric, decimal and temporal types,
 * from and to text, strict and TRY modes, messages, slices and allocation
 * failures.
 */
#include "compute_helpers.h"
#include "core/datetime.h"

static tn_array *cast(tn_array *a, tn_type *to, tn_cast_mode mode, tarn_error *err)
{
    tn_array *o = NULL;
    int rc = tn_cast(a, to, mode, &o, err);
    tn_type_unref(to);
    if (rc)
        return NULL;
    return o;
}

TEST(int_widen_narrow)
{
    tarn_error err;
    int64_t v[] = {1, -2, NUL_I, 127, -128};
    tn_array *a = mk_int(tn_type_get(TN_INT32), 5, v);
    CHECK_ARR(cast(a, tn_type_get(TN_INT64), TN_CAST_STRICT, &err), mk_int(tn_type_get(TN_INT64), 5, v));
    CHECK_ARR(cast(a, tn_type_get(TN_INT8), TN_CAST_STRICT, &err), mk_int(tn_type_get(TN_INT8), 5, v));
    CHECK_FMT(cast(a, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &err), "[1, -2, null, 127, -128]");
    CHECK_FMT(cast(a, tn_type_get(TN_BOOL), TN_CAST_STRICT, &err), "[true, true, null, true, true]");
    /* negative into unsigned */
    CHECK(cast(a, tn_type_get(TN_UINT8), TN_CAST_STRICT, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_EOVERFLOW);
    CHECK_STR(err.message, "value -2 out of range for uint8 at row 1");
    CHECK_FMT(cast(a, tn_type_get(TN_UINT8), TN_CAST_TRY, &err), "[1, null, null, 127, null]");
    tn_array_unref(a);

    int64_t w[] = {300, 5};
    a = mk_int(tn_type_get(TN_INT64), 2, w);
    CHECK(cast(a, tn_type_get(TN_INT8), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "value 300 out of range for int8 at row 0");
    /* a slice that skips the bad row succeeds */
    tn_array *s = tn_array_slice(a, 1, 1);
    int64_t five[] = {5};
    CHECK_ARR(cast(s, tn_type_get(TN_INT8), TN_CAST_STRICT, &err), mk_int(tn_type_get(TN_INT8), 1, five));
    tn_array_unref(s);
    tn_array_unref(a);
}

TEST(uint64_edges)
{
    tarn_error err;
    tn_builder *b = tn_builder_new(tn_type_get(TN_UINT64));
    CHECK_OK(tn_builder_append_uint(b, UINT64_MAX, &err), &err);
    CHECK_OK(tn_builder_append_uint(b, 7, &err), &err);
    tn_array *a = NULL;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    tn_builder_free(b);
    CHECK(cast(a, tn_type_get(TN_INT64), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "value 18446744073709551615 out of range for int64 at row 0");
    CHECK_FMT(cast(a, tn_type_get(TN_INT64), TN_CAST_TRY, &err), "[null, 7]");
    CHECK_FMT(cast(a, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &err), "[1.8446744073709552e+19, 7]");
    CHECK_FMT(cast(a, tn_type_decimal(128, 22, 2), TN_CAST_STRICT, &err), "[18446744073709551615.00, 7.00]");
    CHECK_FMT(cast(a, tn_type_get(TN_STRING), TN_CAST_STRICT, &err), "[18446744073709551615, 7]");
    tn_array_unref(a);
}

TEST(float_to_int_rounding)
{
    tarn_error err;
    double v[] = {2.5, -2.5, 1.4999, 0.0, NAN, 1e20, 127.4};
    tn_array *a = mk_dbl(tn_type_get(TN_FLOAT64), 7, v, NULL);
    CHECK_FMT(cast(a, tn_type_get(TN_INT64), TN_CAST_TRY, &err), "[3, -3, 1, 0, null, null, 127]");
    CHECK(cast(a, tn_type_get(TN_INT64), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "value nan out of range for int64 at row 4");
    CHECK_FMT(cast(a, tn_type_get(TN_INT8), TN_CAST_TRY, &err), "[3, -3, 1, 0, null, null, 127]");
    CHECK_FMT(cast(a, tn_type_get(TN_FLOAT32), TN_CAST_STRICT, &err), "[2.5, -2.5, 1.4999, 0, nan, 1e+20, 127.4]");
    tn_array_unref(a);
    double big[] = {1e300};
    a = mk_dbl(tn_type_get(TN_FLOAT64), 1, big, NULL);
    CHECK(cast(a, tn_type_get(TN_FLOAT32), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "value 1e+300 out of range for float at row 0");
    tn_array_unref(a);
}

TEST(float16)
{
    tarn_error err;
    double v[] = {1.5, -0.25, 65504, 1e-7, 0.1};
    tn_array *a = mk_dbl(tn_type_get(TN_FLOAT64), 5, v, "11110");
    tn_array *h = cast(a, tn_type_get(TN_FLOAT16), TN_CAST_STRICT, &err);
    CHECK(h != NULL);
    CHECK_FMT(cast(h, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &err), "[1.5, -0.25, 65504, 1.1920928955078125e-07, null]");
    CHECK_FMT(cast(h, tn_type_get(TN_STRING), TN_CAST_STRICT, &err), "[1.5, -0.25, 65504, 1.1920929e-07, null]");
    tn_array_unref(h);
    double o[] = {70000};
    tn_array *b = mk_dbl(tn_type_get(TN_FLOAT64), 1, o, NULL);
    CHECK(cast(b, tn_type_get(TN_FLOAT16), TN_CAST_STRICT, &err) == NULL);
    CHECK_MSG(&err, "value 70000 out of range for float16 at row 0");
    tn_array_unref(b);
    tn_array_unref(a);
    /* round trip of every finite half through float */
    int bad = 0;
    for (uint32_t x = 0; x < 0x10000; x++) {
        uint16_t hx = (uint16_t)x;
        if ((hx & 0x7c00) == 0x7c00)
            continue;
        if (tn_float_to_half(tn_half_to_float(hx)) != hx)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(decimal_rescale)
{
    tarn_error err;
    int64_t v[] = {12345, -12345, 5, -5, NUL_I, 0};
    tn_array *a = mk_int(tn_type_decimal(128, 10, 3), 6, v); /* 12.345 -12.345 0.005 -0.005 */
    CHECK_FMT(tn_array_ref(a), "[12.345, -12.345, 0.005, -0.005, null, 0.000]");
    CHECK_FMT(cast(a, tn_type_decimal(128, 10, 2), TN_CAST_STRICT, &err), "[12.35, -12.35, 0.01, -0.01, null, 0.00]");
    CHECK_FMT(cast(a, tn_type_decimal(128, 12, 5), TN_CAST_STRICT, &err),
              "[12.34500, -12.34500, 0.00500, -0.00500, null, 0.00000]");
    CHECK_FMT(cast(a, tn_type_decimal(256, 40, 1), TN_CAST_STRICT, &err), "[12.3, -12.3, 0.0, 0.0, null, 0.0]");
    CHECK_FMT(cast(a, tn_type_get(TN_INT32), TN_CAST_STRICT, &err), "[12, -12, 0, 0, null, 0]");
    CHECK_FMT(cast(a, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &err), "[12.345, -12.345, 0.005, -0.005, null, 0]");
    CHECK(cast(a, tn_type_decimal(128, 3, 2), TN_CAST_STRICT, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_EOVERFLOW);
    CHECK_STR(err.message, "value 12.345 out of range for decimal128(3, 2) at row 0");
    CHECK_FMT(cast(a, tn_type_decimal(128, 3, 2), TN_CAST_TRY, &err), "[null, null, 0.01, -0.01, null, 0.00]");
    tn_array_unref(a);
    /* ints and floats into decimals */
    int64_t iv[] = {7, -120};
    a = mk_int(tn_type_get(TN_INT8), 2, iv);
    CHECK_FMT(cast(a, tn_type_decimal(128, 5, 2), TN_CAST_STRICT, &err), "[7.00, -120.00]");
    CHECK(cast(a, tn_type_decimal(128, 4, 2), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "value -120 out of range for decimal128(4, 2) at row 1");
    tn_array_unref(a);
    double dv[] = {0.125, -2.675, 1e30};
    a = mk_dbl(tn_type_get(TN_FLOAT64), 3, dv, NULL);
    CHECK_FMT(cast(a, tn_type_decimal(128, 38, 2), TN_CAST_STRICT, &err),
              "[0.13, -2.68, 1000000000000000000000000000000.00]");
    CHECK_FMT(cast(a, tn_type_decimal(256, 50, 2), TN_CAST_STRICT, &err),
              "[0.13, -2.68, 1000000000000000000000000000000.00]");
    tn_array_unref(a);
}

TEST(decimal_to_float_exact)
{
    tarn_error err;
    /* beyond 53 bits: the double nearest the exact value, as strtod gives */
    const char *v[] = {"12345678901234567890.123", "-0.1", "9007199254740993", "0.000000000000000000000000001"};
    tn_array *a = mk_str(tn_type_get(TN_STRING), 4, v);
    tn_array *d = cast(a, tn_type_decimal(128, 38, 27), TN_CAST_TRY, &err);
    tn_array *d2 = cast(a, tn_type_decimal(128, 25, 3), TN_CAST_TRY, &err);
    tn_array *f = d ? cast(d, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &err) : NULL;
    tn_array *f2 = d2 ? cast(d2, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &err) : NULL;
    CHECK(f && f2);
    if (f && f2) {
        CHECK(!tn_array_is_valid(f, 0)); /* 20 integer digits do not fit (38, 27) */
        CHECK(TN_VALUES(f, double)[1] == -0.1);
        CHECK(!tn_array_is_valid(f, 2));
        CHECK(TN_VALUES(f2, double)[2] == strtod("9007199254740993", NULL));
        CHECK(TN_VALUES(f2, double)[1] == -0.1);
        CHECK(TN_VALUES(f, double)[3] == 1e-27);
        CHECK(TN_VALUES(f2, double)[0] == strtod("12345678901234567890.123", NULL));
    }
    tn_array_unref(f);
    tn_array_unref(f2);
    tn_array_unref(d);
    tn_array_unref(d2);
    tn_array_unref(a);
}

TEST(decimal256_bounds)
{
    tarn_error err;
    const char *v[] = {"99999999999999999999999999999999999999999999999999999999999999999999999999.99",
                       "-0.005", "1e3", "  42  ", "1.2.3", NULL};
    tn_array *a = mk_str(tn_type_get(TN_STRING), 6, v);
    CHECK_FMT(cast(a, tn_type_decimal(256, 76, 2), TN_CAST_TRY, &err),
              "[99999999999999999999999999999999999999999999999999999999999999999999999999.99, -0.01, 1000.00, 42.00, null, null]");
    CHECK(cast(a, tn_type_decimal(256, 76, 2), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "cannot cast '1.2.3' to decimal256(76, 2) at row 4");
    CHECK_FMT(cast(a, tn_type_decimal(128, 38, 2), TN_CAST_TRY, &err), "[null, -0.01, 1000.00, 42.00, null, null]");
    tn_array_unref(a);
    /* 200 fraction digits: exact to the scale, rounding on the first dropped digit */
    char longv[260] = "0.";
    for (int i = 0; i < 200; i++)
        strcat(longv, i == 2 ? "5" : "0");
    const char *lv[] = {longv, "-1.5e-2", "12345678901234567890123456789012345678.4"};
    a = mk_str(tn_type_get(TN_STRING), 3, lv);
    CHECK_FMT(cast(a, tn_type_decimal(128, 10, 2), TN_CAST_TRY, &err), "[0.01, -0.02, null]");
    CHECK_FMT(cast(a, tn_type_decimal(128, 38, 0), TN_CAST_TRY, &err), "[0, 0, 12345678901234567890123456789012345678]");
    tn_array_unref(a);
}

TEST(temporal)
{
    tarn_error err;
    int64_t d[] = {0, 1, -1, NUL_I};
    tn_array *a = mk_int(tn_type_get(TN_DATE32), 4, d);
    int64_t ms[] = {0, 86400000, -86400000, NUL_I};
    CHECK_ARR(cast(a, tn_type_get(TN_DATE64), TN_CAST_STRICT, &err), mk_int(tn_type_get(TN_DATE64), 4, ms));
    int64_t us[] = {0, 86400000000LL, -86400000000LL, NUL_I};
    CHECK_ARR(cast(a, tn_type_timestamp(TN_MICRO, NULL), TN_CAST_STRICT, &err),
              mk_int(tn_type_timestamp(TN_MICRO, NULL), 4, us));
    tn_array_unref(a);
    /* timestamps: unit changes floor toward the past, tz changes only the type */
    int64_t ts[] = {1500, -1500, 86399999};
    a = mk_int(tn_type_timestamp(TN_MILLI, NULL), 3, ts);
    int64_t s[] = {1, -2, 86399};
    CHECK_ARR(cast(a, tn_type_timestamp(TN_SECOND, "UTC"), TN_CAST_STRICT, &err),
              mk_int(tn_type_timestamp(TN_SECOND, "UTC"), 3, s));
    tn_array *z = cast(a, tn_type_timestamp(TN_MILLI, "Europe/Paris"), TN_CAST_STRICT, &err);
    CHECK(z && z->buffers[1] == a->buffers[1] && z->type->tz && strcmp(z->type->tz, "Europe/Paris") == 0);
    tn_array_unref(z);
    int64_t days[] = {0, -1, 0};
    CHECK_ARR(cast(a, tn_type_get(TN_DATE32), TN_CAST_STRICT, &err), mk_int(tn_type_get(TN_DATE32), 3, days));
    int64_t tod[] = {1500, 86400000 - 1500, 86399999};
    CHECK_ARR(cast(a, tn_type_time(TN_TIME32, TN_MILLI), TN_CAST_STRICT, &err),
              mk_int(tn_type_time(TN_TIME32, TN_MILLI), 3, tod));
    /* nanoseconds overflow int64 for far timestamps */
    int64_t far[] = {INT64_MAX / 1000};
    tn_array *f = mk_int(tn_type_timestamp(TN_MILLI, NULL), 1, far);
    CHECK(cast(f, tn_type_timestamp(TN_NANO, NULL), TN_CAST_STRICT, &err) == NULL);
    CHECK_MSG(&err, "out of range for timestamp[ns] at row 0");
    tn_array_unref(f);
    int64_t dur[] = {90, -90};
    tn_array *du = mk_int(tn_type_duration(TN_SECOND), 2, dur);
    int64_t durms[] = {90000, -90000};
    CHECK_ARR(cast(du, tn_type_duration(TN_MILLI), TN_CAST_STRICT, &err), mk_int(tn_type_duration(TN_MILLI), 2, durms));
    CHECK(cast(du, tn_type_get(TN_DATE32), TN_CAST_STRICT, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_EUNSUPPORTED);
    CHECK_STR(err.message, "cannot cast duration[s] to date32");
    tn_array_unref(du);
    tn_array_unref(a);
}

TEST(from_string)
{
    tarn_error err;
    const char *v[] = {"12", " -7 ", "abc", NULL, "300", "", "+5"};
    tn_array *a = mk_str(tn_type_get(TN_STRING), 7, v);
    CHECK(cast(a, tn_type_get(TN_INT32), TN_CAST_STRICT, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_EPARSE);
    CHECK_STR(err.message, "cannot cast 'abc' to int32 at row 2");
    CHECK_FMT(cast(a, tn_type_get(TN_INT32), TN_CAST_TRY, &err), "[12, -7, null, null, 300, null, 5]");
    CHECK_FMT(cast(a, tn_type_get(TN_INT8), TN_CAST_TRY, &err), "[12, -7, null, null, null, null, 5]");
    tn_array *s = tn_array_slice(a, 4, 1);
    CHECK(cast(s, tn_type_get(TN_INT8), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "value 300 out of range for int8 at row 0");
    tn_array_unref(s);
    CHECK_FMT(cast(a, tn_type_get(TN_UINT64), TN_CAST_TRY, &err), "[12, null, null, null, 300, null, 5]");
    tn_array_unref(a);

    const char *f[] = {"1.5", "-inf", "NaN", "1e400", "0x10", "Infinity", "2.5e-3"};
    a = mk_str(tn_type_get(TN_LARGE_STRING), 7, f);
    CHECK_FMT(cast(a, tn_type_get(TN_FLOAT64), TN_CAST_TRY, &err), "[1.5, -inf, nan, null, null, inf, 0.0025]");
    CHECK(cast(a, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "value 1e400 out of range for double at row 3");
    CHECK_FMT(cast(a, tn_type_get(TN_FLOAT32), TN_CAST_TRY, &err), "[1.5, -inf, nan, null, null, inf, 0.0025]");
    tn_array_unref(a);

    const char *bl[] = {"TRUE", "f", "1", "No", "yes", "maybe", "T"};
    a = mk_str(tn_type_get(TN_STRING_VIEW), 7, bl);
    CHECK_FMT(cast(a, tn_type_get(TN_BOOL), TN_CAST_TRY, &err), "[true, false, true, false, true, null, true]");
    CHECK(cast(a, tn_type_get(TN_BOOL), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "cannot cast 'maybe' to bool at row 5");
    tn_array_unref(a);

    const char *big[] = {"9223372036854775807", "-9223372036854775808", "9223372036854775808"};
    a = mk_str(tn_type_get(TN_STRING), 3, big);
    CHECK_FMT(cast(a, tn_type_get(TN_INT64), TN_CAST_TRY, &err), "[9223372036854775807, -9223372036854775808, null]");
    CHECK(cast(a, tn_type_get(TN_INT64), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "value 9223372036854775808 out of range for int64 at row 2");
    tn_array_unref(a);
}

TEST(to_string)
{
    tarn_error err;
    double v[] = {0.1, 1.0 / 3, 1e21, -0.0, 123456789.125, 5e-324, INFINITY};
    tn_array *a = mk_dbl(tn_type_get(TN_FLOAT64), 7, v, NULL);
    CHECK_FMT(cast(a, tn_type_get(TN_STRING), TN_CAST_STRICT, &err),
              "[0.1, 0.3333333333333333, 1e+21, -0, 123456789.125, 5e-324, inf]");
    tn_array *s = cast(a, tn_type_get(TN_STRING), TN_CAST_STRICT, &err);
    /* every text reads back as the same double */
    tn_array *back = cast(s, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &err);
    CHECK(back != NULL);
    for (int i = 0; back && i < 7; i++)
        CHECK(TN_VALUES(back, double)[i] == v[i]);
    tn_array_unref(back);
    tn_array_unref(s);
    tn_array_unref(a);
    float fv[] = {0.1f, 16777216.0f, 3.4028235e38f};
    double fd[] = {fv[0], fv[1], fv[2]};
    a = mk_dbl(tn_type_get(TN_FLOAT32), 3, fd, NULL);
    CHECK_FMT(cast(a, tn_type_get(TN_LARGE_STRING), TN_CAST_STRICT, &err), "[0.1, 16777216, 3.4028235e+38]");
    tn_array_unref(a);
    int64_t iv[] = {INT64_MIN + 1, 0, NUL_I, 42};
    a = mk_int(tn_type_get(TN_INT64), 4, iv);
    tn_array *vs = cast(a, tn_type_get(TN_STRING_VIEW), TN_CAST_STRICT, &err);
    const char *want[] = {"-9223372036854775807", "0", NULL, "42"};
    CHECK_ARR(vs, mk_str(tn_type_get(TN_STRING_VIEW), 4, want));
    tn_array_unref(a);
    int bools[] = {1, 0, -1};
    a = mk_bool(3, bools);
    CHECK_FMT(cast(a, tn_type_get(TN_STRING), TN_CAST_STRICT, &err), "[true, false, null]");
    tn_array_unref(a);
    int64_t dv[] = {-1, 100, 0};
    a = mk_int(tn_type_decimal(256, 40, 4), 3, dv);
    CHECK_FMT(cast(a, tn_type_get(TN_STRING), TN_CAST_STRICT, &err), "[-0.0001, 0.0100, 0.0000]");
    tn_array_unref(a);
}

TEST(string_layouts)
{
    tarn_error err;
    const char *v[] = {"short", NULL, "a much longer string than twelve bytes", ""};
    tn_array *a = mk_str(tn_type_get(TN_STRING), 4, v);
    tn_array *s = tn_array_slice(a, 1, 3);
    CHECK_ARR(cast(s, tn_type_get(TN_STRING_VIEW), TN_CAST_STRICT, &err), mk_str(tn_type_get(TN_STRING_VIEW), 3, v + 1));
    CHECK_ARR(cast(s, tn_type_get(TN_LARGE_BINARY), TN_CAST_STRICT, &err), mk_str(tn_type_get(TN_LARGE_BINARY), 3, v + 1));
    tn_array_unref(s);
    tn_array_unref(a);
    tn_builder *b = tn_builder_new(tn_type_get(TN_BINARY));
    CHECK_OK(tn_builder_append_bytes(b, "ok", 2, &err), &err);
    CHECK_OK(tn_builder_append_bytes(b, "\xff\xfe", 2, &err), &err);
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    tn_builder_free(b);
    CHECK(cast(a, tn_type_get(TN_STRING), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "invalid UTF-8 at byte 0 of row 1 casting to utf8");
    CHECK_FMT(cast(a, tn_type_get(TN_STRING), TN_CAST_TRY, &err), "[ok, null]");
    tn_array_unref(a);
}

TEST(dictionary_and_null_inputs)
{
    tarn_error err;
    tn_type *dt = tn_type_dictionary(tn_type_get(TN_INT8), tn_type_get(TN_STRING), false);
    tn_builder *b = tn_builder_new(dt);
    tn_type_unref(dt);
    CHECK_OK(tn_builder_append_str(b, "10", &err), &err);
    CHECK_OK(tn_builder_append_str(b, "20", &err), &err);
    CHECK_OK(tn_builder_append_null(b, &err), &err);
    CHECK_OK(tn_builder_append_str(b, "10", &err), &err);
    tn_array *a = NULL;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    tn_builder_free(b);
    CHECK_FMT(cast(a, tn_type_get(TN_INT16), TN_CAST_STRICT, &err), "[10, 20, null, 10]");
    tn_array_unref(a);
    tn_array *n = tn_array_new_nulls(tn_type_get(TN_NA), 2);
    CHECK_FMT(cast(n, tn_type_get(TN_INT32), TN_CAST_STRICT, &err), "[null, null]");
    tn_array_unref(n);
    tn_array *e = tn_array_new_empty(tn_type_get(TN_STRING));
    CHECK_FMT(cast(e, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &err), "[]");
    CHECK_FMT(cast(e, tn_type_decimal(128, 5, 1), TN_CAST_STRICT, &err), "[]");
    tn_array_unref(e);
    int64_t v[] = {1};
    tn_array *i = mk_int(tn_type_get(TN_INT32), 1, v);
    CHECK(cast(i, tn_type_list(TN_LIST, tn_field_new("item", tn_type_get(TN_INT32), true)), TN_CAST_STRICT, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_EUNSUPPORTED);
    CHECK_STR(err.message, "cannot cast int32 to list<item: int32>");
    tn_array_unref(i);
}

TEST(temporal_text)
{
    tarn_error err;
    const char *d[] = {"2024-02-29", "1969-12-31", "2023-02-29", NULL, " 2000-01-01", "-0044-03-15"};
    tn_array *a = mk_str(tn_type_get(TN_STRING), 6, d);
    CHECK_FMT(cast(a, tn_type_get(TN_DATE32), TN_CAST_TRY, &err), "[2024-02-29, 1969-12-31, null, null, null, -0044-03-15]");
    CHECK(cast(a, tn_type_get(TN_DATE32), TN_CAST_STRICT, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_EPARSE);
    CHECK_STR(err.message, "cannot cast '2023-02-29' to date32 at row 2");
    tn_array *s = tn_array_slice(a, 0, 2);
    tn_array *d64 = cast(s, tn_type_get(TN_DATE64), TN_CAST_STRICT, &err);
    int64_t ms[] = {19782LL * 86400000, -86400000};
    CHECK_ARR(d64, mk_int(tn_type_get(TN_DATE64), 2, ms));
    tn_array_unref(s);
    tn_array_unref(a);

    const char *t[] = {"2024-03-10T12:34:56.789", "2024-03-10 00:00:00Z", "2024-03-10T12:00:00+05:30", "nope"};
    a = mk_str(tn_type_get(TN_STRING), 4, t);
    CHECK_FMT(cast(a, tn_type_timestamp(TN_MILLI, NULL), TN_CAST_TRY, &err),
              "[2024-03-10T12:34:56.789, 2024-03-10T00:00:00.000, 2024-03-10T06:30:00.000, null]");
    CHECK_FMT(cast(a, tn_type_timestamp(TN_SECOND, "UTC"), TN_CAST_TRY, &err),
              "[2024-03-10T12:34:56Z, 2024-03-10T00:00:00Z, 2024-03-10T06:30:00Z, null]");
    /* a naive reading in a zoned type is that zone's wall clock */
    tn_array *z = cast(a, tn_type_timestamp(TN_SECOND, "+02:00"), TN_CAST_TRY, &err);
    CHECK(z != NULL);
    CHECK_FMT(z ? cast(z, tn_type_timestamp(TN_SECOND, "UTC"), TN_CAST_STRICT, &err) : NULL,
              "[2024-03-10T10:34:56Z, 2024-03-10T00:00:00Z, 2024-03-10T06:30:00Z, null]");
    CHECK_FMT(z, "[2024-03-10T12:34:56+02:00, 2024-03-10T02:00:00+02:00, 2024-03-10T08:30:00+02:00, null]");
    CHECK(cast(a, tn_type_timestamp(TN_MICRO, NULL), TN_CAST_STRICT, &err) == NULL);
    CHECK_STR(err.message, "cannot cast 'nope' to timestamp[us] at row 3");
    tn_array_unref(a);

    const char *tm[] = {"23:59:59.5", "00:00", "24:01"};
    a = mk_str(tn_type_get(TN_STRING_VIEW), 3, tm);
    CHECK_FMT(cast(a, tn_type_time(TN_TIME32, TN_MILLI), TN_CAST_TRY, &err), "[23:59:59.500, 00:00:00.000, null]");
    CHECK_FMT(cast(a, tn_type_time(TN_TIME64, TN_MICRO), TN_CAST_TRY, &err), "[23:59:59.500000, 00:00:00.000000, null]");
    tn_array_unref(a);
    int64_t dd[] = {0, 19782, NUL_I};
    a = mk_int(tn_type_get(TN_DATE32), 3, dd);
    const char *want[] = {"1970-01-01", "2024-02-29", NULL};
    CHECK_ARR(cast(a, tn_type_get(TN_LARGE_STRING), TN_CAST_STRICT, &err), mk_str(tn_type_get(TN_LARGE_STRING), 3, want));
    tn_array_unref(a);
    /* an unknown zone in the target type */
    const char *one[] = {"2024-01-01 00:00"};
    a = mk_str(tn_type_get(TN_STRING), 1, one);
    CHECK(cast(a, tn_type_timestamp(TN_SECOND, "Not/AZone"), TN_CAST_TRY, &err) == NULL);
    CHECK_EQ_INT(err.code, TARN_ENOTFOUND);
    CHECK_MSG(&err, "Not/AZone");
    tn_array_unref(a);
    tn_tz_cache_clear(); /* zones loaded above are cached for the process */
}

static int alloc_cast(void *ctx, tarn_error *err)
{
    tn_array *a = ctx, *o = NULL;
    int rc = tn_cast(a, tn_type_get(TN_STRING), TN_CAST_STRICT, &o, err);
    if (rc)
        return rc;
    tn_array *back = NULL;
    tn_type *d = tn_type_decimal(128, 20, 3);
    if (!d) {
        tn_array_unref(o);
        return tn_error_oom(err, 64);
    }
    rc = tn_cast(o, d, TN_CAST_TRY, &back, err);
    tn_type_unref(d);
    tn_array_unref(o);
    tn_array_unref(back);
    return rc;
}

TEST(alloc_failures)
{
    int64_t v[] = {1, NUL_I, -300, 4000};
    tn_array *a = mk_int(tn_type_get(TN_INT64), 4, v);
    CHECK(tn_test_alloc_failures("cast", alloc_cast, a) > 3);
    tn_array_unref(a);
}

int main(void)
{
    RUN(int_widen_narrow);
    RUN(uint64_edges);
    RUN(float_to_int_rounding);
    RUN(float16);
    RUN(decimal_rescale);
    RUN(decimal_to_float_exact);
    RUN(decimal256_bounds);
    RUN(temporal);
    RUN(from_string);
    RUN(to_string);
    RUN(string_layouts);
    RUN(dictionary_and_null_inputs);
    RUN(temporal_text);
    RUN(alloc_failures);
    return tn_test_done();
}
