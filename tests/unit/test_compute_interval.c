/*
 * test_compute_interval.c — calendar interval arithmetic through tn_arith
 * (src/arrow/compute/interval.c). Expected values as DuckDB computes them
 * (checked by hand: DATE '2024-01-31' + INTERVAL 1 MONTH = 2024-02-29
 * 00:00:00, DATE '1998-12-01' - INTERVAL '90' DAY = 1998-09-02 00:00:00).
 */
#include "compute_helpers.h"

static tn_array *mk_ivl(int n, const int32_t *months, const int32_t *days, const int64_t *nanos, const char *valid)
{
    tn_builder *b = tn_builder_new(tn_type_get(TN_INTERVAL_MONTH_DAY_NANO));
    for (int i = 0; i < n; i++) {
        uint8_t raw[16];
        memcpy(raw, &months[i], 4);
        memcpy(raw + 4, &days[i], 4);
        memcpy(raw + 8, &nanos[i], 8);
        int rc = valid && valid[i] == '0' ? tn_builder_append_null(b, NULL) : tn_builder_append_raw(b, raw, NULL);
        if (rc)
            exit(2);
    }
    tn_array *a = NULL;
    if (tn_builder_finish(b, &a, NULL))
        exit(2);
    tn_builder_free(b);
    return a;
}

TEST(date_plus_interval)
{
    tarn_error err;
    tarn_error_init(&err);
    /* 2024-01-31, 1998-12-01, 2023-03-31, null */
    int64_t dv[] = {19753, 10561, 19447, NUL_I};
    tn_array *d = mk_int(tn_type_get(TN_DATE32), 4, dv);
    int32_t m[] = {1, 0, -1, 1}, dd[] = {0, -90, 0, 0};
    int64_t ns[] = {0, 0, 3600000000000LL, 0};
    tn_array *iv = mk_ivl(4, m, dd, ns, "1110");
    tn_array *r = NULL;
    CHECK_OK(tn_arith(TN_ADD, A(d), A(iv), NULL, &r, &err), &err);
    CHECK(r && r->type->id == TN_TIMESTAMP && r->type->unit == TN_MICRO);
    CHECK_FMT(r, "[2024-02-29T00:00:00.000000, 1998-09-02T00:00:00.000000, 2023-02-28T01:00:00.000000, null]");
    /* subtraction, with a selection: 2023-03-31 + 1 month (clamped to 04-30) - 1 hour */
    int32_t rows[] = {2, 0};
    tn_selection sel = {rows, 2};
    CHECK_OK(tn_arith(TN_SUB, A(d), A(iv), &sel, &r, &err), &err);
    CHECK_FMT(r, "[2023-04-29T23:00:00.000000, 2023-12-31T00:00:00.000000]");
    /* interval + date, and the result type */
    tn_type *rt = NULL;
    CHECK_OK(tn_arith_result_type(TN_ADD, iv->type, d->type, &rt, &err), &err);
    CHECK(rt && rt->id == TN_TIMESTAMP);
    tn_type_unref(rt);
    CHECK_EQ_INT(tn_arith_result_type(TN_SUB, iv->type, d->type, &rt, &err), TARN_ETYPE);
    CHECK_EQ_INT(tn_arith_result_type(TN_MUL, d->type, iv->type, &rt, &err), TARN_ETYPE);
    tn_array_unref(d);
    tn_array_unref(iv);
}

TEST(timestamp_and_interval_sums)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_type *ts = tn_type_timestamp(TN_MILLI, "UTC");
    int64_t tv[] = {1706695200000LL}; /* 2024-01-31T10:00:00Z */
    tn_array *t = mk_int(ts, 1, tv);
    int32_t m[] = {0}, dd[] = {0};
    int64_t ns[] = {5400000000000LL}; /* 90 minutes */
    tn_array *iv = mk_ivl(1, m, dd, ns, NULL);
    tn_array *r = NULL;
    CHECK_OK(tn_arith(TN_ADD, A(t), A(iv), NULL, &r, &err), &err);
    CHECK(r && r->type->unit == TN_MILLI && r->type->tz && !strcmp(r->type->tz, "UTC"));
    CHECK_FMT(r, "[2024-01-31T11:30:00.000Z]");
    /* interval + interval, field by field */
    int32_t m2[] = {14}, d2[] = {-3};
    int64_t n2[] = {1};
    tn_array *iv2 = mk_ivl(1, m2, d2, n2, NULL);
    CHECK_OK(tn_arith(TN_ADD, A(iv), A(iv2), NULL, &r, &err), &err);
    CHECK(r && r->type->id == TN_INTERVAL_MONTH_DAY_NANO);
    if (r) {
        int32_t got[2];
        int64_t gn;
        memcpy(got, r->buffers[1]->data, 8);
        memcpy(&gn, r->buffers[1]->data + 8, 8);
        CHECK(got[0] == 14 && got[1] == -3 && gn == 5400000000001LL);
    }
    tn_array_unref(r);
    /* negation */
    CHECK_OK(tn_negate(A(iv2), NULL, &r, &err), &err);
    if (r) {
        int32_t got[2];
        int64_t gn;
        memcpy(got, r->buffers[1]->data, 8);
        memcpy(&gn, r->buffers[1]->data + 8, 8);
        CHECK(got[0] == -14 && got[1] == 3 && gn == -1);
    }
    tn_array_unref(r);
    /* interval * int, int * interval */
    int64_t three[] = {3};
    tn_array *k3 = mk_int(tn_type_get(TN_INT16), 1, three);
    CHECK_OK(tn_arith(TN_MUL, A(k3), A(iv2), NULL, &r, &err), &err);
    if (r) {
        int32_t got[2];
        int64_t gn;
        memcpy(got, r->buffers[1]->data, 8);
        memcpy(&gn, r->buffers[1]->data + 8, 8);
        CHECK(got[0] == 42 && got[1] == -9 && gn == 3);
    }
    tn_array_unref(r);
    tn_array_unref(k3);
    /* overflow is an error naming the row */
    int32_t big[] = {2000000000};
    tn_array *huge = mk_ivl(1, big, dd, ns, NULL);
    CHECK_EQ_INT(tn_arith(TN_ADD, A(huge), A(huge), NULL, &r, &err), TARN_EOVERFLOW);
    CHECK_MSG(&err, "interval overflow in addition at row 0");
    tn_array_unref(t);
    tn_array_unref(iv);
    tn_array_unref(iv2);
    tn_array_unref(huge);
}

int main(void)
{
    RUN(date_plus_interval);
    RUN(timestamp_and_interval_sums);
    return tn_test_done();
}
