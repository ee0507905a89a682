/*
 * interval.c — calendar interval arithmetic (interval month_day_nano):
 *
 *   timestamp ± interval, interval + timestamp   -> timestamp (same unit, zone)
 *   date ± interval, interval + date             -> timestamp[us]
 *   interval ± interval                          -> interval
 *   interval * int, int * interval                -> interval (each field)
 *
 * Months are added first on the civil calendar with the day clamped to the
 * month's end (2024-01-31 + 1 month = 2024-02-29), then days, then the
 * nanoseconds (truncated to the timestamp's unit) — DuckDB's and
 * PostgreSQL's order. Zoned timestamps are shifted in UTC.
 */
#include "arrow/compute/kernel.h"
#include "core/datetime.h"

/* Interval layout: int32 months, int32 days, int64 nanoseconds. */
typedef struct ivl {
    int32_t months, days;
    int64_t nanos;
} ivl;

static ivl ivl_at(const tn_kin *k, int64_t i)
{
    ivl v;
    memcpy(&v, k->arr->buffers[1]->data + (k->arr->offset + (k->scalar ? 0 : i)) * 16, 16);
    return v;
}

/* An integer operand of row i (any width; uint64 beyond int64 saturates). */
static int64_t int_of(const tn_kin *k, int64_t i)
{
    const tn_array *a = k->arr;
    int64_t r = k->scalar ? 0 : i;
    switch (a->type->id) {
    case TN_INT8: return TN_VALUES(a, int8_t)[r];
    case TN_INT16: return TN_VALUES(a, int16_t)[r];
    case TN_INT32: return TN_VALUES(a, int32_t)[r];
    case TN_UINT8: return TN_VALUES(a, uint8_t)[r];
    case TN_UINT16: return TN_VALUES(a, uint16_t)[r];
    case TN_UINT32: return TN_VALUES(a, uint32_t)[r];
    case TN_UINT64: return TN_VALUES(a, uint64_t)[r] > INT64_MAX ? INT64_MAX : (int64_t)TN_VALUES(a, uint64_t)[r];
    default: return TN_VALUES(a, int64_t)[r];
    }
}

static bool is_instant(tn_type_id id)
{
    return id == TN_TIMESTAMP || id == TN_DATE32 || id == TN_DATE64;
}

int tn_interval_result_type(tn_arith_op op, const tn_type *a, const tn_type *b, tn_type **out, tarn_error *err)
{
    if (a->id == TN_NA) /* a typeless NULL takes the other side's type */
        a = b;
    if (b->id == TN_NA)
        b = a;
    tn_type_id x = a->id, y = b->id;
    bool xi = x == TN_INTERVAL_MONTH_DAY_NANO, yi = y == TN_INTERVAL_MONTH_DAY_NANO;
    *out = NULL;
    if (xi && yi && (op == TN_ADD || op == TN_SUB))
        *out = tn_type_get(TN_INTERVAL_MONTH_DAY_NANO);
    else if (op == TN_MUL && ((xi && tn_type_is_int(y)) || (yi && tn_type_is_int(x))))
        *out = tn_type_get(TN_INTERVAL_MONTH_DAY_NANO);
    else if (yi && is_instant(x) && (op == TN_ADD || op == TN_SUB))
        *out = x == TN_TIMESTAMP ? tn_type_timestamp(a->unit, a->tz) : tn_type_timestamp(TN_MICRO, NULL);
    else if (xi && is_instant(y) && op == TN_ADD)
        *out = y == TN_TIMESTAMP ? tn_type_timestamp(b->unit, b->tz) : tn_type_timestamp(TN_MICRO, NULL);
    else {
        char t1[96], t2[96];
        static const char *names[] = {"addition", "subtraction", "multiplication", "division", "modulo"};
        return tn_error_set(err, TARN_ETYPE, "%s of %s and %s is not supported", names[op],
                            tn_ktype_name(a, t1, sizeof t1), tn_ktype_name(b, t2, sizeof t2));
    }
    TN_TRY_ALLOC(*out, err, 64);
    return TARN_OK;
}

/* The instant of row i as a value of the result unit. */
static int64_t instant_at(const tn_kin *k, int64_t i, tn_time_unit unit)
{
    const tn_array *a = k->arr;
    int64_t r = k->scalar ? 0 : i;
    int64_t ups = tn_unit_per_second((tn_dt_unit)unit);
    switch (a->type->id) {
    case TN_DATE32: return (int64_t)TN_VALUES(a, int32_t)[r] * TN_SECS_PER_DAY * ups;
    case TN_DATE64: return TN_VALUES(a, int64_t)[r] / 1000 * ups; /* date64 holds whole days */
    default: return TN_VALUES(a, int64_t)[r];
    }
}

/* t (in unit) shifted by sign * v; false on overflow. */
static bool shift(int64_t t, tn_time_unit unit, ivl v, int sign, int64_t *out)
{
    int64_t ups = tn_unit_per_second((tn_dt_unit)unit);
    if (v.months) {
        tn_civil c;
        tn_timestamp_to_civil(t, (tn_dt_unit)unit, &c);
        int64_t total = c.year * 12 + (c.month - 1) + (int64_t)sign * v.months;
        int64_t year = total >= 0 ? total / 12 : -((-total + 11) / 12);
        int month = (int)(total - year * 12) + 1;
        int dim = tn_days_in_month(year, month);
        int64_t day_start = tn_days_from_civil(year, month, c.day < dim ? c.day : dim);
        int64_t old_day = tn_days_from_civil(c.year, c.month, c.day);
        int64_t delta;
        if (__builtin_mul_overflow(day_start - old_day, (int64_t)TN_SECS_PER_DAY * ups, &delta) ||
            __builtin_add_overflow(t, delta, &t))
            return false;
    }
    int64_t d, ns;
    if (__builtin_mul_overflow((int64_t)sign * v.days, (int64_t)TN_SECS_PER_DAY * ups, &d) ||
        __builtin_add_overflow(t, d, &t))
        return false;
    ns = v.nanos / (1000000000 / ups);
    if (__builtin_add_overflow(t, sign * ns, &t))
        return false;
    *out = t;
    return true;
}

int tn_interval_arith(tn_arith_op op, tn_datum da, tn_datum db, const tn_selection *sel, tn_array **out,
                      tarn_error *err)
{
    *out = NULL;
    tn_type *rt = NULL;
    TN_TRY(tn_interval_result_type(op, tn_datum_type(da), tn_datum_type(db), &rt, err));
    tn_kin ins[2] = {{0}};
    tn_array *o = NULL;
    int64_t n = 0;
    int rc = tn_kin_init(&ins[0], da, err);
    if (!rc)
        rc = tn_kin_init(&ins[1], db, err);
    if (!rc)
        rc = tn_kout_rows(ins, 2, sel, &n, err);
    if (!rc && (tn_datum_type(da)->id == TN_NA || tn_datum_type(db)->id == TN_NA)) {
        o = tn_array_new_nulls(rt, n);
        if (!o)
            rc = tn_error_oom(err, 64);
        n = 0; /* nothing to compute */
    } else if (!rc) {
        rc = tn_kin_select(ins, 2, &sel, err);
    }
    if (!rc && !o && !(o = tn_kout_fixed(rt, n)))
        rc = tn_error_oom(err, (size_t)n * 16);
    if (!rc && n > 0)
        rc = tn_kout_validity(o, ins, 2, NULL, err);
    bool xi = tn_datum_type(da)->id == TN_INTERVAL_MONTH_DAY_NANO;
    int sign = op == TN_SUB ? -1 : 1;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!tn_kin_valid(&ins[0], i) || !tn_kin_valid(&ins[1], i)) {
            memset(o->buffers[1]->data + i * rt->byte_width, 0, (size_t)rt->byte_width);
            continue;
        }
        if (op == TN_MUL) {
            const tn_kin *iv = xi ? &ins[0] : &ins[1], *ik = xi ? &ins[1] : &ins[0];
            ivl a = ivl_at(iv, i), r;
            int64_t f = int_of(ik, i), m, d;
            if (__builtin_mul_overflow((int64_t)a.months, f, &m) || m != (int32_t)m ||
                __builtin_mul_overflow((int64_t)a.days, f, &d) || d != (int32_t)d ||
                __builtin_mul_overflow(a.nanos, f, &r.nanos)) {
                rc = tn_error_set(err, TARN_EOVERFLOW, "interval overflow in multiplication at row %lld", (long long)i);
                break;
            }
            r.months = (int32_t)m;
            r.days = (int32_t)d;
            memcpy(o->buffers[1]->data + i * 16, &r, 16);
            continue;
        }
        if (rt->id == TN_INTERVAL_MONTH_DAY_NANO) {
            ivl a = ivl_at(&ins[0], i), b = ivl_at(&ins[1], i), r;
            int64_t m = (int64_t)a.months + sign * (int64_t)b.months, d = (int64_t)a.days + sign * (int64_t)b.days;
            if (m != (int32_t)m || d != (int32_t)d || __builtin_add_overflow(a.nanos, sign * b.nanos, &r.nanos)) {
                rc = tn_error_set(err, TARN_EOVERFLOW, "interval overflow in %s at row %lld",
                                  op == TN_SUB ? "subtraction" : "addition", (long long)i);
                break;
            }
            r.months = (int32_t)m;
            r.days = (int32_t)d;
            memcpy(o->buffers[1]->data + i * 16, &r, 16);
            continue;
        }
        const tn_kin *ti = xi ? &ins[1] : &ins[0], *vi = xi ? &ins[0] : &ins[1];
        int64_t t = instant_at(ti, i, rt->unit), r;
        if (!shift(t, rt->unit, ivl_at(vi, i), sign, &r)) {
            rc = tn_error_set(err, TARN_EOVERFLOW, "timestamp out of range in interval %s at row %lld",
                              op == TN_SUB ? "subtraction" : "addition", (long long)i);
            break;
        }
        ((int64_t *)o->buffers[1]->data)[i] = r;
    }
    tn_kin_reset(&ins[0]);
    tn_kin_reset(&ins[1]);
    tn_type_unref(rt);
    if (rc) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}
