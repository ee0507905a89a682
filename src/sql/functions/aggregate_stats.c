/*
 * aggregate_stats.c — statistical aggregates: the variance family
 * (Welford's online algorithm, merged with Chan's formula so parallel
 * partial states combine exactly as one pass would, up to rounding),
 * approx_count_distinct (HyperLogLog with 2^10 one-byte registers, ~3%
 * standard error) and the quantiles median / quantile_cont / quantile_disc
 * (every value is kept per group and sorted at finalize).
 *
 * Results follow DuckDB: variances are doubles, NULL with fewer than two
 * values (sample) or none (population); quantile_disc(x, q) is the value at
 * index ceil(n * q) - 1 of the sorted values; quantile_cont interpolates
 * between the neighbours of (n - 1) * q and gives a double for integers,
 * the input type for floats and decimals (the decimal interpolation
 * truncated, as DuckDB's), a timestamp for dates.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "sql/functions/aggregate_internal.h"

/* ---- variance family ------------------------------------------------------------------ */

typedef struct welford_state {
    int64_t n;
    double mean, m2;
} welford_state;

typedef enum var_kind { VAR_SAMP, VAR_POP, STDDEV_SAMP, STDDEV_POP } var_kind;

static void welford_init(const tn_agg_call *call, void *state)
{
    (void)call;
    memset(state, 0, sizeof(welford_state));
}

static int welford_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                          tarn_error *err)
{
    (void)call;
    (void)err;
    const tn_array *a = args[0];
    if (a->type->id == TN_NA)
        return 0;
    const uint8_t *valid = tn_agg_validity(a);
    double buf[1024];
    for (int64_t from = 0; from < n; from += 1024) {
        int64_t cnt = n - from < 1024 ? n - from : 1024;
        tn_agg_load_doubles(a, from, cnt, buf);
        for (int64_t i = 0; i < cnt; i++) {
            if (valid && !tn_bit_get(valid, a->offset + from + i))
                continue;
            welford_state *s = states[from + i];
            double x = buf[i];
            s->n++;
            double delta = x - s->mean;
            s->mean += delta / (double)s->n;
            s->m2 += delta * (x - s->mean);
        }
    }
    return 0;
}

static int welford_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    (void)call;
    (void)err;
    welford_state *a = into;
    const welford_state *b = from;
    if (b->n == 0)
        return 0;
    if (a->n == 0) {
        *a = *b;
        return 0;
    }
    int64_t n = a->n + b->n;
    double delta = b->mean - a->mean;
    a->mean += delta * (double)b->n / (double)n;
    a->m2 += b->m2 + delta * delta * (double)a->n * (double)b->n / (double)n;
    a->n = n;
    return 0;
}

static int welford_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out,
                            tarn_error *err)
{
    var_kind kind = (var_kind)(intptr_t)call->bind_data;
    bool sample = kind == VAR_SAMP || kind == STDDEV_SAMP;
    bool root = kind == STDDEV_SAMP || kind == STDDEV_POP;
    uint8_t *vals, *valid;
    TN_TRY(tn_agg_new_fixed(call->type, n, out, &vals, &valid, err));
    for (int64_t r = 0; r < n; r++) {
        const welford_state *s = states[r];
        if (s->n < (sample ? 2 : 1))
            continue;
        double v = s->m2 / (double)(sample ? s->n - 1 : s->n);
        ((double *)vals)[r] = root ? sqrt(v) : v;
        tn_bit_set(valid, r);
    }
    return 0;
}

/* One struct per variant, so that calls differing only in the variant
 * never look alike. */
static const tn_agg_func welford_funcs[] = {
    {"var_samp", welford_init, welford_update, welford_merge, welford_finalize, NULL, NULL},
    {"var_pop", welford_init, welford_update, welford_merge, welford_finalize, NULL, NULL},
    {"stddev_samp", welford_init, welford_update, welford_merge, welford_finalize, NULL, NULL},
    {"stddev_pop", welford_init, welford_update, welford_merge, welford_finalize, NULL, NULL},
};

static int bind_numeric_double(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    const tn_type *t = out->args[0]->type;
    if (t->id == TN_NA || t->id == TN_FLOAT16 || t->id == TN_DECIMAL256)
        TN_TRY(tn_agg_cast_arg(c, &out->args[0], tn_type_get(TN_FLOAT64), err));
    else if (!tn_type_is_numeric(t->id))
        return tn_error_set(err, TARN_ETYPE, "no function %s(%s): candidates are %s(double)", def->name,
                            tn_type_id_name(t->id), def->name);
    return tn_agg_set_type(c, out, tn_type_get(TN_FLOAT64), err);
}

static int bind_variance(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    TN_TRY(bind_numeric_double(c, def, out, err));
    out->func = &welford_funcs[(intptr_t)def->data];
    out->bind_data = (void *)def->data;
    out->state_size = TN_AGG_STATE_SIZE(welford_state);
    return 0;
}

/* ---- approx_count_distinct ----------------------------------------------------------------- */

#define HLL_BITS 10
#define HLL_REGS (1 << HLL_BITS)

typedef struct hll_state {
    uint8_t *regs; /* HLL_REGS registers, allocated at the first value */
} hll_state;

static void hll_init(const tn_agg_call *call, void *state)
{
    (void)call;
    memset(state, 0, sizeof(hll_state));
}

static void hll_destroy(const tn_agg_call *call, void *state)
{
    (void)call;
    hll_state *s = state;
    tn_free(s->regs);
    s->regs = NULL;
}

static inline void hll_add(uint8_t *regs, uint64_t h)
{
    uint32_t idx = (uint32_t)(h >> (64 - HLL_BITS));
    uint64_t w = (h << HLL_BITS) | (UINT64_C(1) << (HLL_BITS - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(w) + 1);
    if (rank > regs[idx])
        regs[idx] = rank;
}

static int hll_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                      tarn_error *err)
{
    (void)call;
    const tn_array *a = args[0];
    if (a->type->id == TN_NA || n == 0)
        return 0;
    tn_array *col = (tn_array *)a, *hashes;
    TN_TRY(tn_hash_rows(&col, 1, 0x5eed, &hashes, err));
    const uint64_t *h = TN_VALUES(hashes, uint64_t);
    const uint8_t *valid = tn_agg_validity(a);
    int rc = 0;
    for (int64_t r = 0; r < n; r++) {
        if (valid && !tn_bit_get(valid, a->offset + r))
            continue;
        hll_state *s = states[r];
        if (!s->regs && !(s->regs = tn_calloc(HLL_REGS, 1))) {
            rc = tn_error_oom(err, HLL_REGS);
            break;
        }
        hll_add(s->regs, h[r]);
    }
    tn_array_unref(hashes);
    return rc;
}

static int hll_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    (void)call;
    hll_state *a = into;
    const hll_state *b = from;
    if (!b->regs)
        return 0;
    if (!a->regs) {
        a->regs = tn_malloc(HLL_REGS);
        TN_TRY_ALLOC(a->regs, err, HLL_REGS);
        memcpy(a->regs, b->regs, HLL_REGS);
        return 0;
    }
    for (int i = 0; i < HLL_REGS; i++)
        if (b->regs[i] > a->regs[i])
            a->regs[i] = b->regs[i];
    return 0;
}

static int64_t hll_estimate(const uint8_t *regs)
{
    if (!regs)
        return 0;
    double sum = 0;
    int zeros = 0;
    for (int i = 0; i < HLL_REGS; i++) {
        sum += ldexp(1.0, -regs[i]);
        zeros += regs[i] == 0;
    }
    double m = HLL_REGS, alpha = 0.7213 / (1 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros > 0)
        e = m * log(m / zeros); /* small cardinalities: linear counting */
    return (int64_t)llround(e);
}

static int hll_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out, tarn_error *err)
{
    uint8_t *vals, *valid;
    TN_TRY(tn_agg_new_fixed(call->type, n, out, &vals, &valid, err));
    for (int64_t r = 0; r < n; r++)
        ((int64_t *)vals)[r] = hll_estimate(((const hll_state *)states[r])->regs);
    memset(valid, 0xff, (size_t)tn_bitmap_bytes(n));
    (*out)->null_count = 0;
    return 0;
}

static const tn_agg_func hll_func = {"approx_count_distinct", hll_init, hll_update, hll_merge, hll_finalize,
                                     hll_destroy, NULL};

static int bind_hll(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    (void)def;
    out->func = &hll_func;
    out->state_size = TN_AGG_STATE_SIZE(hll_state);
    return tn_agg_set_type(c, out, tn_type_get(TN_INT64), err);
}

/* ---- quantiles ----------------------------------------------------------------------------------- */

/* How values are kept: as doubles (floats), int64 (ints, temporal) or
 * 128-bit (decimals). */
typedef enum q_repr { Q_F64, Q_I64, Q_I128 } q_repr;

typedef struct quantile_bind {
    double q;
    bool cont;
    q_repr repr;
} quantile_bind;

typedef struct quantile_state {
    tn_agg_bytes values; /* packed values of the repr's size */
} quantile_state;

static void quantile_init(const tn_agg_call *call, void *state)
{
    (void)call;
    memset(state, 0, sizeof(quantile_state));
}

static void quantile_destroy(const tn_agg_call *call, void *state)
{
    (void)call;
    tn_agg_bytes_free(&((quantile_state *)state)->values);
}

static size_t repr_size(q_repr r)
{
    return r == Q_I128 ? 16 : 8;
}

static int quantile_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                           tarn_error *err)
{
    const quantile_bind *qb = call->bind_data;
    const tn_array *a = args[0];
    if (a->type->id == TN_NA)
        return 0;
    const uint8_t *valid = tn_agg_validity(a);
    tn_agg_phys phys = tn_agg_phys_of(a->type);
    for (int64_t r = 0; r < n; r++) {
        if (valid && !tn_bit_get(valid, a->offset + r))
            continue;
        uint8_t v[16];
        switch (qb->repr) {
        case Q_F64: {
            double d;
            tn_agg_load_doubles(a, r, 1, &d);
            memcpy(v, &d, 8);
            break;
        }
        case Q_I128: memcpy(v, TN_VALUES(a, __int128) + r, 16); break;
        case Q_I64: {
            int64_t x;
            switch (phys) {
            case TN_PHYS_I8: x = TN_VALUES(a, int8_t)[r]; break;
            case TN_PHYS_I16: x = TN_VALUES(a, int16_t)[r]; break;
            case TN_PHYS_I32: x = TN_VALUES(a, int32_t)[r]; break;
            case TN_PHYS_U8: x = TN_VALUES(a, uint8_t)[r]; break;
            case TN_PHYS_U16: x = TN_VALUES(a, uint16_t)[r]; break;
            case TN_PHYS_U32: x = TN_VALUES(a, uint32_t)[r]; break;
            default: x = TN_VALUES(a, int64_t)[r]; break;
            }
            memcpy(v, &x, 8);
            break;
        }
        }
        TN_TRY(tn_agg_bytes_append(&((quantile_state *)states[r])->values, v, (int64_t)repr_size(qb->repr), err));
    }
    return 0;
}

static int quantile_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    (void)call;
    const quantile_state *b = from;
    return tn_agg_bytes_append(&((quantile_state *)into)->values, b->values.p, b->values.len, err);
}

static int cmp_f64(const void *a, const void *b)
{
    double x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    bool nx = isnan(x), ny = isnan(y);
    if (nx || ny)
        return nx - ny;
    return (x > y) - (x < y);
}
static int cmp_i64(const void *a, const void *b)
{
    int64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    return (x > y) - (x < y);
}
static int cmp_i128(const void *a, const void *b)
{
    __int128 x, y;
    memcpy(&x, a, 16);
    memcpy(&y, b, 16);
    return (x > y) - (x < y);
}

static void store_result(const tn_agg_call *call, uint8_t *vals, int64_t r, double d, int64_t i, __int128 w,
                         bool use_double)
{
    switch (call->type->id) {
    case TN_FLOAT64: ((double *)vals)[r] = use_double ? d : (double)i; break;
    case TN_FLOAT32: ((float *)vals)[r] = (float)d; break;
    case TN_DECIMAL128: memcpy(vals + 16 * r, &w, 16); break;
    case TN_INT8: ((int8_t *)vals)[r] = (int8_t)i; break;
    case TN_INT16: ((int16_t *)vals)[r] = (int16_t)i; break;
    case TN_INT32: case TN_DATE32: case TN_TIME32: ((int32_t *)vals)[r] = (int32_t)i; break;
    case TN_UINT8: ((uint8_t *)vals)[r] = (uint8_t)i; break;
    case TN_UINT16: ((uint16_t *)vals)[r] = (uint16_t)i; break;
    case TN_UINT32: ((uint32_t *)vals)[r] = (uint32_t)i; break;
    default: ((int64_t *)vals)[r] = i; break;
    }
}

/* Microseconds per unit of a date32 input turned into a timestamp. */
#define US_PER_DAY INT64_C(86400000000)

static int quantile_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out,
                             tarn_error *err)
{
    const quantile_bind *qb = call->bind_data;
    const tn_type *in = call->args[0]->type;
    bool date_to_ts = in->id == TN_DATE32 && call->type->id == TN_TIMESTAMP;
    size_t w = repr_size(qb->repr);
    uint8_t *vals, *valid;
    TN_TRY(tn_agg_new_fixed(call->type, n, out, &vals, &valid, err));
    for (int64_t r = 0; r < n; r++) {
        quantile_state *s = states[r];
        int64_t cnt = s->values.len / (int64_t)w;
        if (cnt == 0)
            continue;
        qsort(s->values.p, (size_t)cnt, w, qb->repr == Q_F64 ? cmp_f64 : qb->repr == Q_I64 ? cmp_i64 : cmp_i128);
        /* cont: between the neighbours of (n - 1) * q; disc: the value at
         * ceil(n * q) - 1, as DuckDB picks it */
        double pos = qb->q * (double)(cnt - 1);
        int64_t lo = (int64_t)floor(pos), hi = (int64_t)ceil(pos);
        double frac = pos - (double)lo;
        if (!qb->cont) {
            lo = hi = (int64_t)ceil(qb->q * (double)cnt) - 1;
            lo = hi = lo < 0 ? 0 : lo;
        }
        const uint8_t *pl = s->values.p + (size_t)lo * w, *ph = s->values.p + (size_t)hi * w;
        tn_bit_set(valid, r);
        if (qb->repr == Q_F64) {
            double a, b;
            memcpy(&a, pl, 8);
            memcpy(&b, ph, 8);
            store_result(call, vals, r, qb->cont ? a + (b - a) * frac : a, 0, 0, true);
        } else if (qb->repr == Q_I128) {
            __int128 a, b;
            memcpy(&a, pl, 16);
            memcpy(&b, ph, 16);
            __int128 v = qb->cont ? a + (__int128)((double)(b - a) * frac) : a;
            store_result(call, vals, r, 0, 0, v, false);
        } else {
            int64_t a, b;
            memcpy(&a, pl, 8);
            memcpy(&b, ph, 8);
            if (!qb->cont) {
                store_result(call, vals, r, 0, a, 0, false);
            } else if (call->type->id == TN_FLOAT64) {
                store_result(call, vals, r, (double)a + (double)(b - a) * frac, 0, 0, true);
            } else {
                if (date_to_ts) {
                    a *= US_PER_DAY;
                    b *= US_PER_DAY;
                }
                store_result(call, vals, r, 0, a + (int64_t)llround((double)(b - a) * frac), 0, false);
            }
        }
    }
    return 0;
}

static const tn_agg_func quantile_func = {"quantile", quantile_init, quantile_update, quantile_merge,
                                          quantile_finalize, quantile_destroy, NULL};

/* The fraction argument: a numeric literal in [0, 1] (possibly cast). */
static int quantile_fraction(const tn_expr *e, double *q, tarn_error *err)
{
    if (!tn_agg_literal_number(e, q))
        return tn_error_set(err, TARN_ETYPE, "the quantile must be a constant number between 0 and 1");
    if (!(*q >= 0 && *q <= 1))
        return tn_error_set(err, TARN_EINVAL, "the quantile %g is not between 0 and 1", *q);
    return 0;
}

static int bind_quantile(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    quantile_bind *qb = tn_arena_calloc(&c->arena, sizeof *qb);
    TN_TRY_ALLOC(qb, err, sizeof *qb);
    qb->cont = def->data != NULL;
    qb->q = 0.5;
    if (out->nargs == 2) {
        TN_TRY(quantile_fraction(out->args[1], &qb->q, err));
        out->nargs = 1; /* the fraction lives in bind_data */
    }
    const tn_type *t = out->args[0]->type;
    if (t->id == TN_NA || t->id == TN_FLOAT16 || t->id == TN_DECIMAL256)
        TN_TRY(tn_agg_cast_arg(c, &out->args[0], tn_type_get(TN_FLOAT64), err));
    t = out->args[0]->type;
    tn_agg_phys phys = tn_agg_phys_of(t);
    tn_type *result;
    if (tn_type_is_float(t->id)) {
        qb->repr = Q_F64;
        result = tn_type_ref((tn_type *)t);
    } else if (t->id == TN_DECIMAL128) {
        qb->repr = Q_I128;
        result = tn_type_ref((tn_type *)t);
    } else if (tn_type_is_int(t->id) && t->id != TN_UINT64) {
        qb->repr = Q_I64;
        result = qb->cont ? tn_type_get(TN_FLOAT64) : tn_type_ref((tn_type *)t);
    } else if (t->id == TN_DATE32) {
        qb->repr = Q_I64;
        result = qb->cont ? tn_type_timestamp(TN_MICRO, NULL) : tn_type_ref((tn_type *)t);
    } else if ((phys == TN_PHYS_I64 || phys == TN_PHYS_I32) && tn_type_is_temporal(t->id)) {
        qb->repr = Q_I64;
        result = tn_type_ref((tn_type *)t);
    } else {
        return tn_error_set(err, TARN_ETYPE, "no function %s(%s): quantiles take numbers, dates and times",
                            def->name, tn_type_id_name(t->id));
    }
    out->func = &quantile_func;
    out->bind_data = qb;
    out->state_size = TN_AGG_STATE_SIZE(quantile_state);
    return tn_agg_set_type(c, out, result, err);
}

const tn_agg_def tn_agg_defs_stats[] = {
    {"stddev", 1, 1, bind_variance, (const void *)(intptr_t)STDDEV_SAMP},
    {"stddev_samp", 1, 1, bind_variance, (const void *)(intptr_t)STDDEV_SAMP},
    {"stddev_pop", 1, 1, bind_variance, (const void *)(intptr_t)STDDEV_POP},
    {"variance", 1, 1, bind_variance, (const void *)(intptr_t)VAR_SAMP},
    {"var_samp", 1, 1, bind_variance, (const void *)(intptr_t)VAR_SAMP},
    {"var_pop", 1, 1, bind_variance, (const void *)(intptr_t)VAR_POP},
    {"approx_count_distinct", 1, 1, bind_hll, NULL},
    {"median", 1, 1, bind_quantile, (const void *)1},
    {"quantile_cont", 2, 2, bind_quantile, (const void *)1},
    {"quantile_disc", 2, 2, bind_quantile, NULL},
    {"quantile", 2, 2, bind_quantile, NULL},
    {NULL, 0, 0, NULL, NULL},
};
