/*
 * scalar_math.c — numeric functions: abs, sign, round/floor/ceil/trunc
 * (exact on decimals, with DuckDB's result types), mod, greatest/least,
 * and the double functions (sqrt, ln, power, trigonometry, ...).
 *
 * Numeric kernels keep their argument's type (an int stays an int, a
 * float32 a float32) and read values through one of three stages: int64
 * for integers, __int128 for decimal128, double for floats. decimal256
 * arguments are refused at resolution (DuckDB's decimals stop at 38
 * digits).
 */
#include "sql/functions/scalar_internal.h"

#include <math.h>
#include <time.h>

#include "sql/expr/eval.h"

/* ---- reading and writing numbers of any type ------------------------------------- */

static int64_t num_int(const tn_datum *d, int64_t i)
{
    if (d->kind == TN_DATUM_SCALAR)
        return tn_type_is_unsigned_int(d->scalar->type->id) ? (int64_t)d->scalar->v.u : d->scalar->v.i;
    const tn_array *a = d->array;
    switch (a->type->id) {
    case TN_INT8: return TN_VALUES(a, int8_t)[i];
    case TN_INT16: return TN_VALUES(a, int16_t)[i];
    case TN_INT32: return TN_VALUES(a, int32_t)[i];
    case TN_UINT8: return TN_VALUES(a, uint8_t)[i];
    case TN_UINT16: return TN_VALUES(a, uint16_t)[i];
    case TN_UINT32: return TN_VALUES(a, uint32_t)[i];
    default: return TN_VALUES(a, int64_t)[i];
    }
}

static void put_int(uint8_t *data, tn_type_id id, int64_t i, int64_t v)
{
    switch (id) {
    case TN_INT8: case TN_UINT8: ((uint8_t *)data)[i] = (uint8_t)v; break;
    case TN_INT16: case TN_UINT16: ((uint16_t *)data)[i] = (uint16_t)v; break;
    case TN_INT32: case TN_UINT32: ((uint32_t *)data)[i] = (uint32_t)v; break;
    default: ((int64_t *)data)[i] = v; break;
    }
}

static __int128 num_dec(const tn_datum *d, int64_t i)
{
    __int128 v;
    const uint8_t *p = d->kind == TN_DATUM_SCALAR ? d->scalar->v.raw : d->array->buffers[1]->data + (d->array->offset + i) * 16;
    memcpy(&v, p, 16);
    return v;
}

static double num_flt(const tn_datum *d, int64_t i)
{
    if (d->kind == TN_DATUM_SCALAR)
        return d->scalar->v.f;
    return d->array->type->id == TN_FLOAT32 ? TN_VALUES(d->array, float)[i] : TN_VALUES(d->array, double)[i];
}

static void put_flt(uint8_t *data, tn_type_id id, int64_t i, double v)
{
    if (id == TN_FLOAT32)
        ((float *)data)[i] = (float)v;
    else
        ((double *)data)[i] = v;
}

static __int128 pow10_128(int k)
{
    __int128 r = 1;
    while (k-- > 0)
        r *= 10;
    return r;
}

typedef enum { RND_ROUND, RND_FLOOR, RND_CEIL, RND_TRUNC } rnd_mode;

/* v / d (d > 0) rounded by mode. */
static __int128 div_round(__int128 v, __int128 d, rnd_mode m)
{
    __int128 q = v / d, r = v % d;
    if (r == 0)
        return q;
    switch (m) {
    case RND_ROUND: return (r < 0 ? -r : r) * 2 >= d ? (v < 0 ? q - 1 : q + 1) : q;
    case RND_FLOOR: return v < 0 ? q - 1 : q;
    case RND_CEIL: return v > 0 ? q + 1 : q;
    default: return q;
    }
}

static double round_double(double x, int64_t digits, rnd_mode m)
{
    double (*f)(double) = m == RND_ROUND ? round : m == RND_FLOOR ? floor : m == RND_CEIL ? ceil : trunc;
    if (digits == 0 || !isfinite(x))
        return f(x);
    if (digits > 0) {
        double mod = pow(10.0, (double)digits);
        double r = f(x * mod) / mod;
        return isfinite(r) ? r : x;
    }
    double mod = pow(10.0, (double)-digits);
    return f(x / mod) * mod;
}

/* ---- the rounding family ------------------------------------------------------------ */

static rnd_mode mode_of(const tn_expr *call)
{
    const char *n = call->func->name;
    return !strcmp(n, "floor") ? RND_FLOOR : !strncmp(n, "ceil", 4) ? RND_CEIL : !strcmp(n, "trunc") ? RND_TRUNC
                                                                                                 : RND_ROUND;
}

/* The constant digits argument of round(x, k) / trunc(x, k). */
static int const_digits(const tn_expr *call, int64_t *k, bool *is_null, tarn_error *err)
{
    *k = 0;
    *is_null = false;
    if (call->nargs < 2)
        return TARN_OK;
    if (!tn_expr_is_constant(call->args[1]))
        return tn_error_set(err, TARN_EUNSUPPORTED, "%s: the number of digits must be a constant", call->func->name);
    tn_scalar *s = NULL;
    TN_TRY(tn_expr_eval_constant(NULL, call->args[1], &s, err));
    *is_null = !s->is_valid;
    *k = s->is_valid ? s->v.i : 0;
    tn_scalar_free(s);
    return TARN_OK;
}

/* Result types as DuckDB: ints stay (floor/ceil of an int give double),
 * floats stay, decimal(p, s) -> decimal(p, max(0, min(k, s))). */
static int round_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    const tn_type *t = call->args[0]->type;
    rnd_mode m = mode_of(call);
    tn_type *rt = NULL;
    if (t->id == TN_DECIMAL256)
        return tn_error_set(err, TARN_ETYPE, "%s: decimals over 38 digits are not supported", call->func->name);
    if (tn_type_is_decimal(t->id)) {
        int64_t k;
        bool knull;
        TN_TRY(const_digits(call, &k, &knull, err));
        int32_t scale = k >= t->scale ? t->scale : k < 0 ? 0 : (int32_t)k;
        rt = tn_type_decimal(128, t->precision, scale);
    } else if (tn_type_is_int(t->id) && (m == RND_FLOOR || m == RND_CEIL)) {
        rt = tn_type_get(TN_FLOAT64);
    } else {
        rt = tn_type_ref((tn_type *)t);
    }
    call->type = tn_plan_keep_type(c, rt);
    TN_TRY_ALLOC(call->type, err, 64);
    return TARN_OK;
}

static int round_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                      tarn_error *err)
{
    rnd_mode m = mode_of(call);
    const tn_type *t = tn_datum_type(args[0]);
    tn_type *rt = call->type;
    fout o;
    TN_TRY(fout_init(&o, rt, n, err));
    uint8_t *data = fout_data(&o);
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        int64_t k = nargs > 1 ? d_i64(&args[1], i) : 0;
        if (tn_type_is_decimal(t->id)) {
            __int128 v = num_dec(&args[0], i);
            int32_t s = t->scale, ts = rt->scale;
            __int128 r = v;
            if (k < s) {
                int64_t drop = s - (k < -38 ? -38 : k); /* digits removed below the rounding point */
                if (drop > 76)
                    drop = 76;
                __int128 d = drop > 38 ? 0 : pow10_128((int)drop);
                r = d ? div_round(v, d, m) : 0;
                /* back to the result scale: k >= ts means r has scale ts already */
                if (k < ts)
                    r = r * pow10_128((int)(ts - k));
            }
            memcpy(data + i * 16, &r, 16);
        } else if (tn_type_is_float(t->id)) {
            put_flt(data, rt->id, i, round_double(num_flt(&args[0], i), k, m));
        } else if (rt->id == TN_FLOAT64) {
            ((double *)data)[i] = (double)num_int(&args[0], i);
        } else {
            int64_t v = num_int(&args[0], i);
            if (k < 0 && m != RND_TRUNC) {
                __int128 d = k < -18 ? 0 : pow10_128((int)-k);
                __int128 r = d ? div_round(v, d, m) * d : 0;
                if (r > INT64_MAX || r < INT64_MIN) {
                    rc = tn_func_error(err, TARN_EOVERFLOW, call, i, "result out of range");
                    break;
                }
                v = (int64_t)r;
            }
            put_int(data, rt->id, i, v);
        }
    }
    return fout_close(&o, rc, out);
}

/* ---- abs, sign -------------------------------------------------------------------------- */

static int abs_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                    tarn_error *err)
{
    const tn_type *t = tn_datum_type(args[0]);
    fout o;
    TN_TRY(fout_init(&o, call->type, n, err));
    uint8_t *data = fout_data(&o);
    int rc = TARN_OK;
    int bits = t->byte_width * 8;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!d_valid(&args[0], i)) {
            rc = fout_null(&o, i, err);
        } else if (tn_type_is_decimal(t->id)) {
            __int128 v = num_dec(&args[0], i);
            v = v < 0 ? -v : v;
            memcpy(data + i * 16, &v, 16);
        } else if (tn_type_is_float(t->id)) {
            put_flt(data, t->id, i, fabs(num_flt(&args[0], i)));
        } else {
            int64_t v = num_int(&args[0], i);
            if (tn_type_is_signed_int(t->id) && v == (bits == 64 ? INT64_MIN : -((int64_t)1 << (bits - 1)))) {
                rc = tn_func_error(err, TARN_EOVERFLOW, call, i, "overflow on abs(%lld)", (long long)v);
                break;
            }
            put_int(data, t->id, i, v < 0 ? -v : v);
        }
    }
    return fout_close(&o, rc, out);
}

static int int8_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    call->type = tn_type_get(TN_INT8);
    return TARN_OK;
}

static int no_wide_decimal_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    for (int32_t i = 0; i < call->nargs; i++)
        if (call->args[i]->type->id == TN_DECIMAL256)
            return tn_error_set(err, TARN_ETYPE, "%s: decimals over 38 digits are not supported", call->func->name);
    return TARN_OK;
}

static int sign_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                     tarn_error *err)
{
    const tn_type *t = tn_datum_type(args[0]);
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_INT8), n, err));
    int8_t *data = (int8_t *)fout_data(&o);
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!d_valid(&args[0], i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        if (tn_type_is_decimal(t->id)) {
            __int128 v = num_dec(&args[0], i);
            data[i] = (int8_t)((v > 0) - (v < 0));
        } else if (tn_type_is_float(t->id)) {
            double v = num_flt(&args[0], i);
            data[i] = (int8_t)((v > 0) - (v < 0));
        } else {
            int64_t v = num_int(&args[0], i);
            data[i] = (int8_t)(tn_type_is_unsigned_int(t->id) ? (v != 0) : (v > 0) - (v < 0));
        }
    }
    return fout_close(&o, rc, out);
}

/* ---- mod: the remainder with the dividend's sign; NULL for a zero divisor (DuckDB) -------------- */

static int mod_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    const tn_type *t = call->type;
    if (!tn_type_is_numeric(t->id) || t->id == TN_DECIMAL256 || t->id == TN_FLOAT16) {
        char tn[64];
        tn_sql_type_name(t, tn, sizeof tn);
        return tn_error_set(err, TARN_ETYPE, "no function mod(%s, %s): candidates are mod(numeric, numeric)", tn, tn);
    }
    return TARN_OK;
}

static int mod_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                    tarn_error *err)
{
    tn_type *t = call->type;
    fout o;
    TN_TRY(fout_init(&o, t, n, err));
    uint8_t *data = fout_data(&o);
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
        } else if (tn_type_is_decimal(t->id)) {
            __int128 a = num_dec(&args[0], i), b = num_dec(&args[1], i);
            __int128 r = b ? a % b : 0;
            memcpy(data + i * 16, &r, 16);
            if (!b)
                rc = fout_null(&o, i, err);
        } else if (tn_type_is_float(t->id)) {
            double b = num_flt(&args[1], i);
            put_flt(data, t->id, i, fmod(num_flt(&args[0], i), b));
            if (b == 0)
                rc = fout_null(&o, i, err);
        } else {
            int64_t a = num_int(&args[0], i), b = num_int(&args[1], i);
            put_int(data, t->id, i, b == 0 || b == -1 ? 0 : a % b);
            if (b == 0)
                rc = fout_null(&o, i, err);
        }
    }
    return fout_close(&o, rc, out);
}

/* ---- greatest / least: NULLs are skipped; any comparable type ----------------------------------- */

static int dense_of(tn_datum d, int64_t n, tn_array **out, tarn_error *err)
{
    if (d.kind == TN_DATUM_ARRAY) {
        *out = tn_array_ref(d.array);
        return TARN_OK;
    }
    tn_array *one = NULL;
    TN_TRY(tn_scalar_to_array(d.scalar, &one, err));
    int32_t *z = tn_calloc((size_t)(n > 0 ? n : 1), sizeof *z);
    if (!z) {
        tn_array_unref(one);
        return tn_error_oom(err, (size_t)n * 4);
    }
    tn_selection s = {z, n};
    int rc = tn_filter_sel(one, &s, out, err);
    tn_free(z);
    tn_array_unref(one);
    return rc;
}

static int extreme_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                        tarn_error *err)
{
    bool greatest = call->func->name[0] == 'g';
    tn_array *acc = NULL;
    TN_TRY(dense_of(args[0], n, &acc, err));
    int rc = TARN_OK;
    for (int32_t k = 1; k < nargs && !rc; k++) {
        tn_array *next = NULL, *cmp = NULL, *both = NULL, *ix = NULL, *res = NULL;
        if ((rc = dense_of(args[k], n, &next, err)) == 0)
            rc = tn_compare(greatest ? TN_CMP_GT : TN_CMP_LT, tn_datum_of_array(next), tn_datum_of_array(acc), NULL,
                            &cmp, err);
        tn_array *pair[2] = {acc, next};
        if (!rc)
            rc = tn_concatenate(pair, 2, &both, err);
        if (!rc) {
            ix = tn_kout_fixed(tn_type_get(TN_INT64), n);
            if (!ix)
                rc = tn_error_oom(err, (size_t)n * 8);
        }
        if (!rc) {
            int64_t *iv = (int64_t *)ix->buffers[1]->data;
            for (int64_t i = 0; i < n; i++) {
                bool take_next = tn_array_is_valid(next, i) &&
                                 (!tn_array_is_valid(acc, i) ||
                                  (tn_array_is_valid(cmp, i) && tn_bit_get(cmp->buffers[1]->data, cmp->offset + i)));
                iv[i] = take_next ? n + i : i;
            }
            ix->null_count = 0;
            rc = tn_take(both, ix, &res, err);
        }
        tn_array_unref(next);
        tn_array_unref(cmp);
        tn_array_unref(both);
        tn_array_unref(ix);
        tn_array_unref(acc);
        acc = res;
    }
    if (rc) {
        tn_array_unref(acc);
        return rc;
    }
    *out = acc;
    return TARN_OK;
}

/* ---- double functions ----------------------------------------------------------------------------- */

typedef enum {
    M_SQRT, M_CBRT, M_EXP, M_LN, M_LOG10, M_LOG2, M_SIN, M_COS, M_TAN, M_ASIN, M_ACOS, M_ATAN, M_COT, M_DEGREES,
    M_RADIANS, M_POW, M_ATAN2, M_LOGB
} mop;

static const struct {
    const char *name;
    mop op;
} mops[] = {
    {"sqrt", M_SQRT},   {"cbrt", M_CBRT},       {"exp", M_EXP},          {"ln", M_LN},     {"log10", M_LOG10},
    {"log", M_LOG10},   {"log2", M_LOG2},       {"sin", M_SIN},          {"cos", M_COS},   {"tan", M_TAN},
    {"asin", M_ASIN},   {"acos", M_ACOS},       {"atan", M_ATAN},        {"cot", M_COT},   {"degrees", M_DEGREES},
    {"radians", M_RADIANS}, {"power", M_POW},   {"pow", M_POW},          {"atan2", M_ATAN2},
};

static mop op_of(const tn_expr *call)
{
    if (!strcmp(call->func->name, "log") && call->nargs == 2)
        return M_LOGB;
    for (size_t i = 0; i < sizeof mops / sizeof mops[0]; i++)
        if (!strcmp(mops[i].name, call->func->name))
            return mops[i].op;
    return M_SQRT;
}

/* Domain errors as DuckDB raises them. */
static int log_domain(const tn_expr *call, double x, int64_t i, tarn_error *err)
{
    if (x == 0)
        return tn_func_error(err, TARN_EINVAL, call, i, "cannot take logarithm of zero");
    return tn_func_error(err, TARN_EINVAL, call, i, "cannot take logarithm of a negative number");
}

static int math_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                     tarn_error *err)
{
    mop op = op_of(call);
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_FLOAT64), n, err));
    double *r = (double *)fout_data(&o);
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        double x = d_f64(&args[0], i), y = nargs > 1 ? d_f64(&args[1], i) : 0;
        switch (op) {
        case M_SQRT:
            if (x < 0)
                rc = tn_func_error(err, TARN_EINVAL, call, i, "cannot take square root of a negative number");
            r[i] = sqrt(x);
            break;
        case M_CBRT: r[i] = cbrt(x); break;
        case M_EXP: r[i] = exp(x); break;
        case M_LN:
        case M_LOG10:
        case M_LOG2:
            if (x <= 0)
                rc = log_domain(call, x, i, err);
            r[i] = op == M_LN ? log(x) : op == M_LOG10 ? log10(x) : log2(x);
            break;
        case M_LOGB: /* log(base, x) */
            if (x <= 0 || y <= 0)
                rc = log_domain(call, x <= 0 ? x : y, i, err);
            r[i] = log(y) / log(x);
            break;
        case M_SIN: r[i] = sin(x); break;
        case M_COS: r[i] = cos(x); break;
        case M_TAN: r[i] = tan(x); break;
        case M_ASIN:
        case M_ACOS:
            if (x < -1 || x > 1)
                rc = tn_func_error(err, TARN_EINVAL, call, i, "%s is undefined outside [-1,1]", call->func->name);
            r[i] = op == M_ASIN ? asin(x) : acos(x);
            break;
        case M_ATAN: r[i] = atan(x); break;
        case M_COT: r[i] = 1.0 / tan(x); break;
        case M_DEGREES: r[i] = x * (180.0 / M_PI); break;
        case M_RADIANS: r[i] = x * (M_PI / 180.0); break;
        case M_POW: r[i] = pow(x, y); break;
        case M_ATAN2: r[i] = atan2(x, y); break;
        }
    }
    return fout_close(&o, rc, out);
}

static int pi_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                   tarn_error *err)
{
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_FLOAT64), n, err));
    double *r = (double *)fout_data(&o);
    for (int64_t i = 0; i < n; i++)
        r[i] = M_PI;
    fout_finish(&o, out);
    return TARN_OK;
}

static int fclass_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    char kind = call->func->name[2]; /* isNan, isInf, isFinite */
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_BOOL), n, err));
    uint8_t *bits = fout_data(&o);
    memset(bits, 0, (size_t)tn_bitmap_bytes(n));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!d_valid(&args[0], i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        double x = d_f64(&args[0], i);
        bool v = kind == 'n' ? isnan(x) : kind == 'i' ? isinf(x) : isfinite(x);
        if (v)
            tn_bit_set(bits, i);
    }
    return fout_close(&o, rc, out);
}

/* random(): uniform in [0, 1), per row (volatile); a per-thread
 * xorshift64* stream seeded from the clock and the thread. */
static _Thread_local uint64_t rng_state;

static int random_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    if (!rng_state) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        rng_state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&rng_state;
        rng_state |= 1;
    }
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_FLOAT64), n, err));
    double *r = (double *)fout_data(&o);
    for (int64_t i = 0; i < n; i++) {
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        r[i] = (double)((rng_state * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
    }
    fout_finish(&o, out);
    return TARN_OK;
}

/* ---- bitwise operators on integers (&, |, xor, <<, >>, ~) ---------------------------------------- */

static int int_only_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    if (!tn_type_is_int(call->type->id)) {
        char tn[64];
        tn_sql_type_name(call->type, tn, sizeof tn);
        return tn_error_set(err, TARN_ETYPE, "no function %s(%s): candidates are %s(integer, ...)", call->func->name,
                            tn, call->func->name);
    }
    return TARN_OK;
}

typedef enum { BW_AND, BW_OR, BW_XOR, BW_SHL, BW_SHR, BW_NOT } bw_op;

static bw_op bw_of(const char *n)
{
    return !strcmp(n, "bitwise_and") ? BW_AND : !strcmp(n, "bitwise_or") ? BW_OR : !strcmp(n, "xor") ? BW_XOR
           : !strcmp(n, "shift_left") ? BW_SHL : !strcmp(n, "shift_right") ? BW_SHR : BW_NOT;
}

static int bitwise_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                        tarn_error *err)
{
    bw_op op = bw_of(call->func->name);
    tn_type *t = call->type;
    int bits = t->byte_width * 8;
    bool sgn = tn_type_is_signed_int(t->id);
    int64_t maxv = sgn ? (bits == 64 ? INT64_MAX : ((int64_t)1 << (bits - 1)) - 1) : (bits == 64 ? -1 : ((int64_t)1 << bits) - 1);
    fout o;
    TN_TRY(fout_init(&o, t, n, err));
    uint8_t *data = fout_data(&o);
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            put_int(data, t->id, i, 0);
            continue;
        }
        int64_t a = num_int(&args[0], i), b = nargs > 1 ? num_int(&args[1], i) : 0, r = 0;
        switch (op) {
        case BW_AND: r = a & b; break;
        case BW_OR: r = a | b; break;
        case BW_XOR: r = a ^ b; break;
        case BW_NOT: r = ~a; break;
        case BW_SHR: r = b < 0 ? 0 : b >= bits ? (a < 0 ? -1 : 0) : (sgn ? a >> b : (int64_t)((uint64_t)a >> b)); break;
        case BW_SHL:
            if (b < 0 || b >= bits)
                rc = tn_func_error(err, TARN_EOVERFLOW, call, i, "left-shift value %lld is out of range", (long long)b);
            else if (a < 0 && sgn)
                rc = tn_func_error(err, TARN_EOVERFLOW, call, i, "cannot left-shift negative number %lld", (long long)a);
            else if (sgn || bits < 64 ? a > (maxv >> b) : ((uint64_t)a > (UINT64_MAX >> b)))
                rc = tn_func_error(err, TARN_EOVERFLOW, call, i, "overflow in left shift (%lld << %lld)", (long long)a,
                                   (long long)b);
            else
                r = (int64_t)((uint64_t)a << b);
            break;
        }
        put_int(data, t->id, i, r);
    }
    return fout_close(&o, rc, out);
}

static int bit_count_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    const tn_type *t = tn_datum_type(args[0]);
    int bits = t->byte_width * 8;
    uint64_t mask = bits == 64 ? UINT64_MAX : (((uint64_t)1 << bits) - 1);
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_INT8), n, err));
    int8_t *r = (int8_t *)fout_data(&o);
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!d_valid(&args[0], i)) {
            rc = fout_null(&o, i, err);
            r[i] = 0;
            continue;
        }
        r[i] = (int8_t)__builtin_popcountll((uint64_t)num_int(&args[0], i) & mask);
    }
    return fout_close(&o, rc, out);
}

/* ---- the table ------------------------------------------------------------------------------------- */

#define F(name, exec, nn) {name, exec, nn, false, NULL}
#define D P_DOUBLE
#define N P_NUMERIC
#define B P_BIGINT
#define MATH1(name) {F(name, math_exec, true), 1, false, {D}, R_DOUBLE, NULL}

const tn_sfn tn_sfn_math[] = {
    {F("abs", abs_exec, true), 1, false, {N}, R_ARG0, no_wide_decimal_bind},
    {F("sign", sign_exec, true), 1, false, {N}, R_BIND, int8_bind},
    {F("round", round_exec, true), 1, false, {N}, R_BIND, round_bind},
    {F("round", round_exec, true), 2, false, {N, B}, R_BIND, round_bind},
    {F("floor", round_exec, true), 1, false, {N}, R_BIND, round_bind},
    {F("ceil", round_exec, true), 1, false, {N}, R_BIND, round_bind},
    {F("ceiling", round_exec, true), 1, false, {N}, R_BIND, round_bind},
    {F("trunc", round_exec, true), 1, false, {N}, R_BIND, round_bind},
    {F("trunc", round_exec, true), 2, false, {N, B}, R_BIND, round_bind},
    {F("mod", mod_exec, false), 2, false, {P_SAME, P_SAME}, R_SAME, mod_bind},
    {F("greatest", extreme_exec, false), 1, true, {P_SAME}, R_SAME, NULL},
    {F("least", extreme_exec, false), 1, true, {P_SAME}, R_SAME, NULL},
    MATH1("sqrt"), MATH1("cbrt"), MATH1("exp"), MATH1("ln"), MATH1("log10"), MATH1("log"), MATH1("log2"),
    MATH1("sin"), MATH1("cos"), MATH1("tan"), MATH1("asin"), MATH1("acos"), MATH1("atan"), MATH1("cot"),
    MATH1("degrees"), MATH1("radians"),
    {F("log", math_exec, true), 2, false, {D, D}, R_DOUBLE, NULL},
    {F("power", math_exec, true), 2, false, {D, D}, R_DOUBLE, NULL},
    {F("pow", math_exec, true), 2, false, {D, D}, R_DOUBLE, NULL},
    {F("atan2", math_exec, true), 2, false, {D, D}, R_DOUBLE, NULL},
    {F("pi", pi_exec, false), 0, false, {0}, R_DOUBLE, NULL},
    {{"random", random_exec, false, true, NULL}, 0, false, {0}, R_DOUBLE, NULL},
    {F("bitwise_and", bitwise_exec, true), 2, false, {P_SAME, P_SAME}, R_SAME, int_only_bind},
    {F("bitwise_or", bitwise_exec, true), 2, false, {P_SAME, P_SAME}, R_SAME, int_only_bind},
    {F("xor", bitwise_exec, true), 2, false, {P_SAME, P_SAME}, R_SAME, int_only_bind},
    {F("shift_left", bitwise_exec, true), 2, false, {P_SAME, P_SAME}, R_SAME, int_only_bind},
    {F("shift_right", bitwise_exec, true), 2, false, {P_SAME, P_SAME}, R_SAME, int_only_bind},
    {F("bitwise_not", bitwise_exec, true), 1, false, {P_INTEGRAL}, R_ARG0, NULL},
    {F("bit_count", bit_count_exec, true), 1, false, {P_INTEGRAL}, R_BIND, int8_bind},
    {F("isnan", fclass_exec, true), 1, false, {D}, R_BOOL, NULL},
    {F("isinf", fclass_exec, true), 1, false, {D}, R_BOOL, NULL},
    {F("isfinite", fclass_exec, true), 1, false, {D}, R_BOOL, NULL},
};
const int tn_sfn_math_n = (int)(sizeof tn_sfn_math / sizeof tn_sfn_math[0]);
