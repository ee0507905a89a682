/*
 * arith.c — + - * / % and negation for integers, floats and decimals, and
 * the type rules that decide what mixed operands become.
 *
 * Integer loops compute every row without branches and OR an overflow
 * (or zero-divisor) flag across the loop; only when the flag is set is the
 * input scanned again, row by row with validity, to find the first valid
 * row at fault, so values behind nulls never raise errors. Divisors of
 * zero (and MIN / -1) are replaced by 1 in the fast loop so it cannot
 * trap. Decimal loops work on __int128 (decimal128) or our 256-bit
 * integers (decimal256) with per-value precision checks.
 */
#include "arrow/compute/decimal.h"
#include "arrow/compute/kernel.h"

static const char *const op_names[] = {"addition", "subtraction", "multiplication", "division", "modulo"};
static const char op_sym[] = {'+', '-', '*', '/', '%'};

/* --- type rules ---------------------------------------------------------------- */

static int int_bits(tn_type_id id)
{
    switch (id) {
    case TN_INT8: case TN_UINT8: return 8;
    case TN_INT16: case TN_UINT16: return 16;
    case TN_INT32: case TN_UINT32: return 32;
    default: return 64;
    }
}

static tn_type_id signed_of_bits(int bits)
{
    return bits <= 8 ? TN_INT8 : bits <= 16 ? TN_INT16 : bits <= 32 ? TN_INT32 : TN_INT64;
}

static tn_type_id common_int(tn_type_id a, tn_type_id b)
{
    bool sa = tn_type_is_signed_int(a), sb = tn_type_is_signed_int(b);
    int ba = int_bits(a), bb = int_bits(b);
    if (sa == sb) {
        tn_type_id w = ba >= bb ? a : b;
        return w;
    }
    int us = sa ? bb : ba, ss = sa ? ba : bb;
    /* a signed type that holds both, int64 at most (uint64 overflow is checked by the cast) */
    return signed_of_bits(us < ss ? ss : 2 * us);
}

/* Digits an integer type needs as a decimal. */
static int int_digits(tn_type_id id)
{
    switch (id) {
    case TN_INT8: case TN_UINT8: return 3;
    case TN_INT16: case TN_UINT16: return 5;
    case TN_INT32: case TN_UINT32: return 10;
    case TN_UINT64: return 20;
    default: return 19;
    }
}

static int dec_max(bool wide)
{
    return wide ? 76 : 38;
}

/* A decimal's view of an operand: ints become decimal(digits, 0). */
static void as_decimal(const tn_type *t, int *p, int *s, bool *wide)
{
    if (tn_type_is_decimal(t->id)) {
        *p = t->precision;
        *s = t->scale;
        *wide = t->id == TN_DECIMAL256;
    } else {
        *p = int_digits(t->id);
        *s = 0;
        *wide = false;
    }
}

static tn_type *make_decimal(bool wide, int p, int s)
{
    int cap = dec_max(wide);
    if (p > cap)
        p = cap;
    if (s > p)
        return NULL;
    return tn_type_decimal(wide ? 256 : 128, p, s);
}

static tn_time_unit finer(tn_time_unit a, tn_time_unit b)
{
    return a > b ? a : b;
}

static int no_common(const tn_type *a, const tn_type *b, const char *what, tarn_error *err)
{
    char x[96], y[96];
    return tn_error_set(err, TARN_ETYPE, "%s %s and %s is not supported", what, tn_ktype_name(a, x, sizeof x),
                        tn_ktype_name(b, y, sizeof y));
}

int tn_common_type(const tn_type *a, const tn_type *b, tn_type **out, tarn_error *err)
{
    tn_type_id x = a->id, y = b->id;
    *out = NULL;
    if (tn_type_equals(a, b) || y == TN_NA) {
        *out = tn_type_ref((tn_type *)a);
        return TARN_OK;
    }
    if (x == TN_NA) {
        *out = tn_type_ref((tn_type *)b);
        return TARN_OK;
    }
    if (x == TN_BOOL && tn_type_is_numeric(y))
        return tn_common_type(tn_type_get(TN_INT8), b, out, err);
    if (y == TN_BOOL && tn_type_is_numeric(x))
        return tn_common_type(a, tn_type_get(TN_INT8), out, err);
    if ((x == TN_UINT64 && tn_type_is_signed_int(y)) || (y == TN_UINT64 && tn_type_is_signed_int(x)))
        *out = tn_type_decimal(128, 20, 0); /* holds both exactly */
    else if (tn_type_is_int(x) && tn_type_is_int(y))
        *out = tn_type_get(common_int(x, y));
    else if (tn_type_is_float(x) || tn_type_is_float(y)) {
        if (!tn_type_is_numeric(x) || !tn_type_is_numeric(y))
            return no_common(a, b, "comparing", err);
        bool f32 = (x == TN_FLOAT32 || x == TN_FLOAT16) && (y == TN_FLOAT32 || y == TN_FLOAT16);
        *out = tn_type_get(f32 ? TN_FLOAT32 : TN_FLOAT64);
    } else if ((tn_type_is_decimal(x) || tn_type_is_int(x)) && (tn_type_is_decimal(y) || tn_type_is_int(y))) {
        int p1, s1, p2, s2;
        bool w1, w2;
        as_decimal(a, &p1, &s1, &w1);
        as_decimal(b, &p2, &s2, &w2);
        int s = s1 > s2 ? s1 : s2, ip = (p1 - s1 > p2 - s2 ? p1 - s1 : p2 - s2);
        bool wide = w1 || w2 || ip + s > 38;
        *out = make_decimal(wide, ip + s, s);
        if (!*out)
            return no_common(a, b, "comparing", err);
    } else if ((x == TN_DATE32 || x == TN_DATE64 || x == TN_TIMESTAMP) &&
               (y == TN_DATE32 || y == TN_DATE64 || y == TN_TIMESTAMP)) {
        if (x != TN_TIMESTAMP && y != TN_TIMESTAMP)
            *out = tn_type_get(TN_DATE64);
        else { /* two timestamps: the finer unit; a date joins the timestamp's unit */
            tn_time_unit u = x == TN_TIMESTAMP && y == TN_TIMESTAMP ? finer(a->unit, b->unit)
                           : x == TN_TIMESTAMP ? a->unit : b->unit;
            *out = tn_type_timestamp(u, x == TN_TIMESTAMP ? a->tz : b->tz);
        }
    } else if ((x == TN_TIME32 || x == TN_TIME64) && (y == TN_TIME32 || y == TN_TIME64)) {
        tn_time_unit u = finer(a->unit, b->unit);
        *out = tn_type_time(u >= TN_MICRO ? TN_TIME64 : TN_TIME32, u);
    } else if (x == TN_DURATION && y == TN_DURATION) {
        *out = tn_type_duration(finer(a->unit, b->unit));
    } else if ((tn_type_is_string(x) || tn_type_is_binary(x)) && (tn_type_is_string(y) || tn_type_is_binary(y))) {
        *out = tn_type_ref((tn_type *)a);
    } else {
        return no_common(a, b, "comparing", err);
    }
    TN_TRY_ALLOC(*out, err, 64);
    return TARN_OK;
}

static int dec_result(tn_arith_op op, const tn_type *a, const tn_type *b, tn_type **out, tarn_error *err)
{
    int p1, s1, p2, s2, p, s;
    bool w1, w2;
    as_decimal(a, &p1, &s1, &w1);
    as_decimal(b, &p2, &s2, &w2);
    bool wide = w1 || w2;
    int cap = dec_max(wide);
    switch (op) {
    case TN_ADD: case TN_SUB: case TN_MOD:
        s = s1 > s2 ? s1 : s2;
        p = (p1 - s1 > p2 - s2 ? p1 - s1 : p2 - s2) + s + (op == TN_MOD ? 0 : 1);
        break;
    case TN_MUL:
        s = s1 + s2;
        p = p1 + p2 + 1;
        break;
    default: { /* division, as SQL Server: keep at least 6 fraction digits */
        s = 6 > s1 + p2 + 1 ? 6 : s1 + p2 + 1;
        p = p1 - s1 + s2 + s;
        if (p > cap) {
            int keep = s < 6 ? s : 6;
            s -= p - cap;
            if (s < keep)
                s = keep;
            p = cap;
        }
        break;
    }
    }
    if (p > cap)
        p = cap;
    if (s > p) {
        char x[96], y[96];
        return tn_error_set(err, TARN_EOVERFLOW, "the %s of %s and %s needs scale %d, more than precision %d allows",
                            op_names[op], tn_ktype_name(a, x, sizeof x), tn_ktype_name(b, y, sizeof y), s, p);
    }
    *out = tn_type_decimal(wide ? 256 : 128, p, s);
    TN_TRY_ALLOC(*out, err, 64);
    return TARN_OK;
}

static bool is_temporal_operand(tn_type_id id)
{
    return id == TN_TIMESTAMP || id == TN_DURATION || id == TN_DATE32;
}

/* Temporal arithmetic: the result type and the types both operands are
 * cast to (units aligned to the finer one), so the integer kernels run on
 * the int32/int64 storage:
 *   timestamp +- duration, duration + timestamp -> timestamp
 *   timestamp - timestamp                      -> duration
 *   duration +- % duration                     -> duration
 *   duration * / int, int * duration           -> duration
 *   date32 +- int (days), int + date32         -> date32
 *   date32 - date32                            -> int64 (days) */
static int temporal_types(tn_arith_op op, const tn_type *a, const tn_type *b, tn_type **rt, tn_type **oa,
                          tn_type **ob, tarn_error *err)
{
    tn_type_id x = a->id, y = b->id;
    bool add = op == TN_ADD, addsub = op == TN_ADD || op == TN_SUB;
    tn_time_unit u = finer(a->unit, b->unit);
    *rt = *oa = *ob = NULL;
    if (x == TN_TIMESTAMP && y == TN_DURATION && addsub) {
        *rt = tn_type_timestamp(u, a->tz), *oa = tn_type_timestamp(u, a->tz), *ob = tn_type_duration(u);
    } else if (x == TN_DURATION && y == TN_TIMESTAMP && add) {
        *rt = tn_type_timestamp(u, b->tz), *oa = tn_type_duration(u), *ob = tn_type_timestamp(u, b->tz);
    } else if (x == TN_TIMESTAMP && y == TN_TIMESTAMP && op == TN_SUB) {
        *rt = tn_type_duration(u), *oa = tn_type_timestamp(u, a->tz), *ob = tn_type_timestamp(u, b->tz);
    } else if (x == TN_DURATION && y == TN_DURATION && (addsub || op == TN_MOD)) {
        *rt = tn_type_duration(u), *oa = tn_type_duration(u), *ob = tn_type_duration(u);
    } else if (x == TN_DURATION && tn_type_is_int(y) && (op == TN_MUL || op == TN_DIV)) {
        *rt = tn_type_duration(a->unit), *oa = tn_type_duration(a->unit), *ob = tn_type_get(TN_INT64);
    } else if (tn_type_is_int(x) && y == TN_DURATION && op == TN_MUL) {
        *rt = tn_type_duration(b->unit), *oa = tn_type_get(TN_INT64), *ob = tn_type_duration(b->unit);
    } else if (x == TN_DATE32 && tn_type_is_int(y) && addsub) {
        *rt = tn_type_get(TN_DATE32), *oa = tn_type_get(TN_DATE32), *ob = tn_type_get(TN_INT32);
    } else if (tn_type_is_int(x) && y == TN_DATE32 && add) {
        *rt = tn_type_get(TN_DATE32), *oa = tn_type_get(TN_INT32), *ob = tn_type_get(TN_DATE32);
    } else if (x == TN_DATE32 && y == TN_DATE32 && op == TN_SUB) {
        *rt = tn_type_get(TN_INT64), *oa = tn_type_get(TN_INT64), *ob = tn_type_get(TN_INT64);
    } else {
        char t1[96], t2[96];
        return tn_error_set(err, TARN_ETYPE, "%s of %s and %s is not supported", op_names[op],
                            tn_ktype_name(a, t1, sizeof t1), tn_ktype_name(b, t2, sizeof t2));
    }
    if (!*rt || !*oa || !*ob) {
        tn_type_unref(*rt);
        tn_type_unref(*oa);
        tn_type_unref(*ob);
        *rt = *oa = *ob = NULL;
        return tn_error_oom(err, 64);
    }
    return TARN_OK;
}

int tn_arith_result_type(tn_arith_op op, const tn_type *a, const tn_type *b, tn_type **out, tarn_error *err)
{
    *out = NULL;
    if ((unsigned)op > TN_MOD)
        return tn_error_set(err, TARN_EINVAL, "unknown arithmetic operator %d", (int)op);
    if (a->id == TN_NA && b->id == TN_NA) { /* NULL op NULL: a null of no type */
        *out = tn_type_get(TN_NA);
        return TARN_OK;
    }
    if (a->id == TN_NA) /* a typeless NULL takes the other side's type */
        a = b;
    if (b->id == TN_NA)
        b = a;
    tn_type_id x = a->id, y = b->id;
    if (x == TN_INTERVAL_MONTH_DAY_NANO || y == TN_INTERVAL_MONTH_DAY_NANO)
        return tn_interval_result_type(op, a, b, out, err);
    if (is_temporal_operand(x) || is_temporal_operand(y)) {
        tn_type *oa, *ob;
        TN_TRY(temporal_types(op, a, b, out, &oa, &ob, err));
        tn_type_unref(oa);
        tn_type_unref(ob);
        return TARN_OK;
    }
    if (!tn_type_is_numeric(x) || !tn_type_is_numeric(y)) {
        char t1[96], t2[96];
        return tn_error_set(err, TARN_ETYPE, "%s of %s and %s is not supported", op_names[op],
                            tn_ktype_name(a, t1, sizeof t1), tn_ktype_name(b, t2, sizeof t2));
    }
    if (tn_type_is_float(x) || tn_type_is_float(y)) {
        bool f32 = (x == TN_FLOAT32 || x == TN_FLOAT16) && (y == TN_FLOAT32 || y == TN_FLOAT16);
        *out = tn_type_get(f32 ? TN_FLOAT32 : TN_FLOAT64);
        return TARN_OK;
    }
    if (tn_type_is_decimal(x) || tn_type_is_decimal(y))
        return dec_result(op, a, b, out, err);
    *out = tn_type_get(common_int(x, y));
    return TARN_OK;
}

/* --- integer kernels -------------------------------------------------------------- */

/* Binary loops: r[i] = OP(x, y), flag |= FLAG(x, y, r). Shapes as in compare.c. */
#define AR_LOOP(T, ...)                                                          \
    do {                                                                          \
        if (sel) {                                                                \
            for (int64_t i = 0; i < n; i++) {                                     \
                int64_t k = sel->rows[i];                                         \
                T xv = x[as ? 0 : k], yv = y[bs ? 0 : k];                         \
                __VA_ARGS__;                                                             \
            }                                                                     \
        } else if (!as && !bs) {                                                  \
            for (int64_t i = 0; i < n; i++) {                                     \
                T xv = x[i], yv = y[i];                                           \
                __VA_ARGS__;                                                             \
            }                                                                     \
        } else if (as && !bs) {                                                   \
            T xv = x[0];                                                          \
            for (int64_t i = 0; i < n; i++) {                                     \
                T yv = y[i];                                                      \
                __VA_ARGS__;                                                             \
            }                                                                     \
        } else {                                                                  \
            T yv = y[0];                                                          \
            for (int64_t i = 0; i < n; i++) {                                     \
                T xv = x[as ? 0 : i];                                             \
                __VA_ARGS__;                                                             \
            }                                                                     \
        }                                                                         \
    } while (0)

/* Add and subtract wrap through the unsigned type and OR an overflow word
 * whose top bit is set when a row overflowed: sign rules for signed types,
 * carry/borrow rules for unsigned ones. Only bit operations, so the loops
 * vectorize even with baseline SSE2 (which has no 64-bit compares). */
#define SADD_OV(x, y, s) (((s) ^ (x)) & ((s) ^ (y)))
#define SSUB_OV(x, y, s) (((x) ^ (y)) & ((x) ^ (s)))
#define UADD_OV(x, y, s) (((x) & (y)) | (((x) | (y)) & ~(s)))
#define USUB_OV(x, y, s) ((~(x) & (y)) | (~((x) ^ (y)) & (s)))

#define DEF_INT(NAME, T, U, MIN, SIGNED, ADD_OV, SUB_OV)                                         \
    TN_HOT static int NAME(int op, const void *xp, bool as, const void *yp, bool bs, const tn_selection *sel, \
                    int64_t n, void *rp)                                                         \
    {                                                                                            \
        const T *x = xp, *y = yp;                                                                \
        T *r = rp;                                                                               \
        int flag = 0;                                                                            \
        U acc = 0;                                                                               \
        switch (op) {                                                                            \
        case TN_ADD:                                                                             \
            AR_LOOP(T, {                                                                         \
                U ux = (U)xv, uy = (U)yv, us = (U)(ux + uy);                                     \
                acc |= (U)ADD_OV(ux, uy, us);                                                    \
                r[i] = (T)us;                                                                    \
            });                                                                                  \
            break;                                                                               \
        case TN_SUB:                                                                             \
            AR_LOOP(T, {                                                                         \
                U ux = (U)xv, uy = (U)yv, us = (U)(ux - uy);                                     \
                acc |= (U)SUB_OV(ux, uy, us);                                                    \
                r[i] = (T)us;                                                                    \
            });                                                                                  \
            break;                                                                               \
        case TN_MUL:                                                                             \
            AR_LOOP(T, {                                                                         \
                T s;                                                                             \
                flag |= __builtin_mul_overflow(xv, yv, &s);                                      \
                r[i] = s;                                                                        \
            });                                                                                  \
            break;                                                                               \
        case TN_DIV:                                                                             \
            AR_LOOP(T, {                                                                         \
                int bad = (yv == 0) | (SIGNED && xv == (T)(MIN) && yv == (T)-1);                \
                flag |= bad;                                                                     \
                r[i] = (T)(xv / (bad ? (T)1 : yv));                                              \
            });                                                                                  \
            break;                                                                               \
        default:                                                                                 \
            AR_LOOP(T, {                                                                         \
                int bad = (yv == 0);                                                             \
                T d = (bad | (SIGNED && yv == (T)-1)) ? (T)1 : yv; /* x % -1 == 0 */            \
                flag |= bad;                                                                     \
                r[i] = (T)(xv % d);                                                              \
            });                                                                                  \
            break;                                                                               \
        }                                                                                        \
        return flag | (int)((acc >> (8 * sizeof(U) - 1)) & 1);                                  \
    }

#define DUMMY_MIN 0
DEF_INT(ar_i8, int8_t, uint8_t, INT8_MIN, 1, SADD_OV, SSUB_OV)
DEF_INT(ar_i16, int16_t, uint16_t, INT16_MIN, 1, SADD_OV, SSUB_OV)
DEF_INT(ar_i32, int32_t, uint32_t, INT32_MIN, 1, SADD_OV, SSUB_OV)
DEF_INT(ar_i64, int64_t, uint64_t, INT64_MIN, 1, SADD_OV, SSUB_OV)
DEF_INT(ar_u8, uint8_t, uint8_t, DUMMY_MIN, 0, UADD_OV, USUB_OV)
DEF_INT(ar_u16, uint16_t, uint16_t, DUMMY_MIN, 0, UADD_OV, USUB_OV)
DEF_INT(ar_u32, uint32_t, uint32_t, DUMMY_MIN, 0, UADD_OV, USUB_OV)
DEF_INT(ar_u64, uint64_t, uint64_t, DUMMY_MIN, 0, UADD_OV, USUB_OV)

#define DEF_FLOAT(NAME, T, FMOD)                                                                  \
    TN_HOT static int NAME(int op, const void *xp, bool as, const void *yp, bool bs, const tn_selection *sel, \
                    int64_t n, void *rp)                                                         \
    {                                                                                            \
        const T *x = xp, *y = yp;                                                                \
        T *r = rp;                                                                               \
        switch (op) {                                                                            \
        case TN_ADD: AR_LOOP(T, r[i] = xv + yv); break;                                          \
        case TN_SUB: AR_LOOP(T, r[i] = xv - yv); break;                                          \
        case TN_MUL: AR_LOOP(T, r[i] = xv * yv); break;                                          \
        case TN_DIV: AR_LOOP(T, r[i] = xv / yv); break;                                          \
        default: AR_LOOP(T, r[i] = FMOD(xv, yv)); break;                                         \
        }                                                                                        \
        return 0;                                                                                \
    }

DEF_FLOAT(ar_f32, float, fmodf)
DEF_FLOAT(ar_f64, double, fmod)

typedef int (*ar_fn)(int, const void *, bool, const void *, bool, const tn_selection *, int64_t, void *);

static ar_fn fixed_ar(tn_type_id id)
{
    switch (id) {
    case TN_INT8: return ar_i8;
    case TN_INT16: return ar_i16;
    case TN_INT32: return ar_i32;
    case TN_INT64: return ar_i64;
    case TN_UINT8: return ar_u8;
    case TN_UINT16: return ar_u16;
    case TN_UINT32: return ar_u32;
    case TN_UINT64: return ar_u64;
    case TN_FLOAT32: return ar_f32;
    case TN_FLOAT64: return ar_f64;
    default: return NULL;
    }
}

/* Read row k of an integer array as a wide value (for error messages). */
static __int128 int_at(const tn_array *a, int64_t k)
{
    const uint8_t *v = a->buffers[1]->data;
    int64_t r = a->offset + k;
    switch (tn_storage_id(a->type->id)) {
    case TN_INT8: return ((const int8_t *)v)[r];
    case TN_INT16: return ((const int16_t *)v)[r];
    case TN_INT32: return ((const int32_t *)v)[r];
    case TN_INT64: return ((const int64_t *)v)[r];
    case TN_UINT8: return ((const uint8_t *)v)[r];
    case TN_UINT16: return ((const uint16_t *)v)[r];
    case TN_UINT32: return ((const uint32_t *)v)[r];
    default: return ((const uint64_t *)v)[r];
    }
}

/* The exact result of x op y, to find the faulting row. Returns 0 ok,
 * 1 overflow, 2 division by zero. */
static int int_fault(int op, const tn_type *t, __int128 x, __int128 y)
{
    __int128 r;
    if ((op == TN_DIV || op == TN_MOD) && y == 0)
        return 2;
    switch (op) {
    case TN_ADD: r = x + y; break;
    case TN_SUB: r = x - y; break;
    case TN_MUL:
        if (__builtin_mul_overflow(x, y, &r))
            return 1;
        break;
    case TN_DIV: r = x / y; break;
    default: return 0;
    }
    int bits = int_bits(t->id);
    __int128 lo, hi;
    if (tn_type_is_signed_int(t->id)) {
        lo = -((__int128)1 << (bits - 1));
        hi = ((__int128)1 << (bits - 1)) - 1;
    } else {
        lo = 0;
        hi = ((__int128)1 << bits) - 1;
    }
    return r < lo || r > hi;
}

static void fmt_i128(__int128 v, char *buf)
{
    tn_i128_format(v, 0, buf);
}

static int int_error(int op, const tn_kin *ins, const tn_selection *sel, int64_t n, const tn_type *rt,
                     tarn_error *err)
{
    const tn_type *t = tn_type_get(tn_storage_id(rt->id)); /* the range of the storage */
    for (int64_t i = 0; i < n; i++) {
        int64_t k = tn_krow(sel, i);
        if (!tn_kin_valid(&ins[0], k) || !tn_kin_valid(&ins[1], k))
            continue;
        __int128 x = int_at(ins[0].arr, ins[0].scalar ? 0 : k), y = int_at(ins[1].arr, ins[1].scalar ? 0 : k);
        int f = int_fault(op, t, x, y);
        if (f == 2)
            return tn_error_set(err, TARN_EDIVZERO, "division by zero in %s at row %lld", op_names[op], (long long)i);
        if (f == 1) {
            char a[48], b[48];
            fmt_i128(x, a);
            fmt_i128(y, b);
            return tn_error_set(err, TARN_EOVERFLOW, "%s overflow in %s: %s %c %s at row %lld",
                                tn_type_id_name(rt->id), op_names[op], a, op_sym[op], b, (long long)i);
        }
    }
    return TARN_OK; /* every faulting row was null */
}

/* --- decimal kernels ---------------------------------------------------------------- */

static tn_i256 dec_at(const tn_array *a, int64_t k)
{
    const uint8_t *v = a->buffers[1]->data;
    int64_t r = a->offset + k;
    if (a->type->id == TN_DECIMAL256) {
        tn_i256 x;
        memcpy(&x, v + 32 * r, 32);
        return x;
    }
    tn_i128 x;
    memcpy(&x, v + 16 * r, 16);
    return tn_i256_from_i128(x);
}

/* One decimal row: 0 ok, 1 overflow, 2 division by zero. */
static int dec_row(int op, tn_i256 x, int sx, tn_i256 y, int sy, const tn_type *rt, tn_i256 *r)
{
    int s = rt->scale;
    bool over = false;
    switch (op) {
    case TN_ADD: case TN_SUB: case TN_MOD: {
        int c = sx > sy ? sx : sy;
        over |= tn_i256_rescale(x, c - sx, &x);
        over |= tn_i256_rescale(y, c - sy, &y);
        if (op == TN_ADD)
            over |= tn_i256_add(x, y, r);
        else if (op == TN_SUB)
            over |= tn_i256_sub(x, y, r);
        else {
            if (tn_i256_is_zero(y))
                return 2;
            tn_i256 q;
            over |= tn_i256_divmod(x, y, &q, r);
        }
        if (c != s)
            over |= tn_i256_rescale(*r, s - c, r);
        break;
    }
    case TN_MUL:
        over |= tn_i256_mul(x, y, r);
        if (sx + sy != s)
            over |= tn_i256_rescale(*r, s - (sx + sy), r);
        break;
    default: { /* x / y at scale s: x * 10^(s - sx + sy) / y, rounded */
        if (tn_i256_is_zero(y))
            return 2;
        int k = s - sx + sy;
        if (k >= 0)
            over |= tn_i256_rescale(x, k, &x);
        else
            over |= tn_i256_rescale(y, -k, &y);
        over |= tn_i256_div_round(x, y, r);
        break;
    }
    }
    return over || !tn_dec256_fits(*r, rt->precision);
}

/* decimal128 add/sub (operands brought to the result scale by
 * multiplying by powers of ten) and mul, on __int128. Returns non-zero
 * when any row (null ones included) overflowed; the caller then redoes
 * the rows exactly to report or skip them. */
static int dec128_fast(int op, const tn_kin *ins, const tn_selection *sel, int64_t n, const tn_type *rt, tn_i128 *r)
{
    const tn_array *a = ins[0].arr, *b = ins[1].arr;
    const tn_i128 *x = (const tn_i128 *)a->buffers[1]->data + a->offset;
    const tn_i128 *y = (const tn_i128 *)b->buffers[1]->data + b->offset;
    bool as = ins[0].scalar, bs = ins[1].scalar;
    tn_i128 lim = tn_dec128_max(rt->precision);
    tn_i128 mx = tn_pow10_128(rt->scale - a->type->scale), my = tn_pow10_128(rt->scale - b->type->scale);
    int flag = 0;
    switch (op) {
    case TN_ADD:
    case TN_SUB:
        if (mx == 1 && my == 1) {
            AR_LOOP(tn_i128, {
                tn_i128 s;
                int o = op == TN_ADD ? __builtin_add_overflow(xv, yv, &s) : __builtin_sub_overflow(xv, yv, &s);
                flag |= o | (s > lim) | (s < -lim);
                r[i] = s;
            });
        } else if (mx <= INT64_MAX && my <= INT64_MAX) {
            /* values that fit 64 bits (nearly all) rescale with a 64-bit
             * multiply; 128-bit overflow checks cost a library call */
            int64_t mx64 = (int64_t)mx, my64 = (int64_t)my;
            AR_LOOP(tn_i128, {
                tn_i128 p, q, s;
                int64_t xl = (int64_t)xv, yl = (int64_t)yv, pl, ql;
                if ((tn_i128)xl == xv && !__builtin_mul_overflow(xl, mx64, &pl))
                    p = pl;
                else
                    flag |= __builtin_mul_overflow(xv, mx, &p);
                if ((tn_i128)yl == yv && !__builtin_mul_overflow(yl, my64, &ql))
                    q = ql;
                else
                    flag |= __builtin_mul_overflow(yv, my, &q);
                int o = op == TN_ADD ? __builtin_add_overflow(p, q, &s) : __builtin_sub_overflow(p, q, &s);
                flag |= o | (s > lim) | (s < -lim);
                r[i] = s;
            });
        } else {
            AR_LOOP(tn_i128, {
                tn_i128 p, q, s;
                flag |= __builtin_mul_overflow(xv, mx, &p);
                flag |= __builtin_mul_overflow(yv, my, &q);
                int o = op == TN_ADD ? __builtin_add_overflow(p, q, &s) : __builtin_sub_overflow(p, q, &s);
                flag |= o | (s > lim) | (s < -lim);
                r[i] = s;
            });
        }
        break;
    default:
        /* a product of values that fit 64 bits, computed in 64 bits */
        AR_LOOP(tn_i128, {
            tn_i128 s;
            int64_t xl = (int64_t)xv, yl = (int64_t)yv, pl;
            if ((tn_i128)xl == xv && (tn_i128)yl == yv && !__builtin_mul_overflow(xl, yl, &pl))
                s = pl;
            else
                flag |= __builtin_mul_overflow(xv, yv, &s);
            flag |= (s > lim) | (s < -lim);
            r[i] = s;
        });
        break;
    }
    return flag;
}

static int dec_error(int op, int f, const tn_kin *ins, const tn_type *rt, int64_t i, tn_i256 x, tn_i256 y,
                     tarn_error *err)
{
    if (f == 2)
        return tn_error_set(err, TARN_EDIVZERO, "division by zero in decimal %s at row %lld", op_names[op], (long long)i);
    char a[100], b[100], t[96];
    tn_i256_format(x, ins[0].arr->type->scale, a);
    tn_i256_format(y, ins[1].arr->type->scale, b);
    return tn_error_set(err, TARN_EOVERFLOW, "%s overflow in %s: %s %c %s at row %lld", tn_ktype_name(rt, t, sizeof t),
                        op_names[op], a, op_sym[op], b, (long long)i);
}

static int dec_kernel(int op, const tn_kin *ins, const tn_selection *sel, int64_t n, tn_array *o, tarn_error *err)
{
    const tn_type *rt = o->type;
    const tn_type *ta = ins[0].arr->type, *tb = ins[1].arr->type;
    uint8_t *dst = o->buffers[1]->data;
    bool wide = rt->id == TN_DECIMAL256;
    bool fast = (op == TN_ADD || op == TN_SUB) ? rt->scale >= ta->scale && rt->scale >= tb->scale
                                               : op == TN_MUL && ta->scale + tb->scale == rt->scale;
    if (!wide && ta->id == TN_DECIMAL128 && tb->id == TN_DECIMAL128 && fast) {
        if (!dec128_fast(op, ins, sel, n, rt, (tn_i128 *)dst))
            return TARN_OK;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t k = tn_krow(sel, i);
        bool valid = tn_kin_valid(&ins[0], k) && tn_kin_valid(&ins[1], k);
        tn_i256 x = dec_at(ins[0].arr, ins[0].scalar ? 0 : k), y = dec_at(ins[1].arr, ins[1].scalar ? 0 : k), r;
        int f = valid ? dec_row(op, x, ta->scale, y, tb->scale, rt, &r) : 0;
        if (!valid)
            r = tn_i256_from_i64(0);
        if (f)
            return dec_error(op, f, ins, rt, i, x, y, err);
        if (wide) {
            memcpy(dst + 32 * i, &r, 32);
        } else {
            tn_i128 v = 0;
            tn_i256_to_i128(r, &v);
            memcpy(dst + 16 * i, &v, 16);
        }
    }
    return TARN_OK;
}

/* --- entry points --------------------------------------------------------------------- */

/* The type each operand is cast to before the kernel runs. */
static tn_type *operand_type(const tn_type *in, const tn_type *rt)
{
    if (in->id == TN_DICTIONARY) /* decoded by the cast */
        in = in->value_type;
    if (!tn_type_is_decimal(rt->id))
        return tn_type_ref((tn_type *)rt);
    if (tn_type_is_decimal(in->id))
        return tn_type_ref((tn_type *)in);
    return tn_type_decimal(128, int_digits(in->id), 0);
}

int tn_arith(tn_arith_op op, tn_datum da, tn_datum db, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    *out = NULL;
    tn_type *rt = NULL;
    const tn_type *ta = tn_datum_type(da), *tb = tn_datum_type(db);
    if (ta->id == TN_INTERVAL_MONTH_DAY_NANO || tb->id == TN_INTERVAL_MONTH_DAY_NANO)
        return tn_interval_arith(op, da, db, sel, out, err);
    TN_TRY(tn_arith_result_type(op, ta->id == TN_DICTIONARY ? ta->value_type : ta,
                                tb->id == TN_DICTIONARY ? tb->value_type : tb, &rt, err));
    tn_kin ins[2] = {{0}};
    tn_array *o = NULL;
    int64_t n = 0;
    int rc = tn_kin_init(&ins[0], da, err);
    if (rc == TARN_OK)
        rc = tn_kin_init(&ins[1], db, err);
    if (rc == TARN_OK && rt->id == TN_NA) {
        rc = tn_kout_rows(ins, 2, sel, &n, err);
        if (rc == TARN_OK && !(o = tn_array_new_nulls(rt, n)))
            rc = tn_error_oom(err, 64);
        tn_kin_reset(&ins[0]);
        tn_kin_reset(&ins[1]);
        tn_type_unref(rt);
        *out = o;
        return rc;
    }
    if (ta->id == TN_NA)
        ta = tb;
    if (tb->id == TN_NA)
        tb = ta;
    /* the types the operands are cast to before the kernel */
    tn_type *ot[2] = {NULL, NULL};
    if (rc == TARN_OK) {
        const tn_type *ua = ta->id == TN_DICTIONARY ? ta->value_type : ta;
        const tn_type *ub = tb->id == TN_DICTIONARY ? tb->value_type : tb;
        if (is_temporal_operand(ua->id) || is_temporal_operand(ub->id)) {
            tn_type *r2 = NULL;
            rc = temporal_types(op, ua, ub, &r2, &ot[0], &ot[1], err);
            tn_type_unref(r2);
        } else {
            ot[0] = operand_type(ins[0].arr->type, rt);
            ot[1] = operand_type(ins[1].arr->type, rt);
            if (!ot[0] || !ot[1])
                rc = tn_error_oom(err, 64);
        }
    }
    bool need_cast = false;
    for (int i = 0; i < 2 && rc == TARN_OK; i++)
        need_cast |= !tn_type_equals(ot[i], ins[i].arr->type);
    if (rc == TARN_OK && need_cast)
        rc = tn_kout_rows(ins, 2, sel, &n, err); /* bounds-check sel before gathering */
    if (rc == TARN_OK && need_cast)
        rc = tn_kin_select(ins, 2, &sel, err);
    for (int i = 0; i < 2 && rc == TARN_OK; i++)
        rc = tn_kin_cast(&ins[i], ot[i], err);
    tn_type_unref(ot[0]);
    tn_type_unref(ot[1]);
    if (rc == TARN_OK)
        rc = tn_kout_rows(ins, 2, sel, &n, err);
    if (rc == TARN_OK && !(o = tn_kout_fixed(rt, n)))
        rc = tn_error_oom(err, (size_t)(n * rt->byte_width));
    if (rc == TARN_OK) {
        ar_fn f = fixed_ar(tn_storage_id(rt->id));
        if (f) {
            int32_t w = rt->byte_width;
            const tn_array *a = ins[0].arr, *b = ins[1].arr;
            int flag = f(op, a->buffers[1]->data + a->offset * w, ins[0].scalar, b->buffers[1]->data + b->offset * w,
                         ins[1].scalar, sel, n, o->buffers[1]->data);
            if (flag)
                rc = int_error(op, ins, sel, n, rt, err);
        } else {
            rc = dec_kernel(op, ins, sel, n, o, err);
        }
    }
    if (rc == TARN_OK)
        rc = tn_kout_validity(o, ins, 2, sel, err);
    tn_kin_reset(&ins[0]);
    tn_kin_reset(&ins[1]);
    tn_type_unref(rt);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

int tn_negate(tn_datum d, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    *out = NULL;
    const tn_type *t = tn_datum_type(d);
    tn_type_id id = t->id;
    if (id == TN_INTERVAL_MONTH_DAY_NANO) { /* 0 - interval, field by field */
        uint8_t zero[16] = {0};
        tn_scalar *z = tn_scalar_raw(tn_type_get(TN_INTERVAL_MONTH_DAY_NANO), zero);
        TN_TRY_ALLOC(z, err, sizeof *z);
        int rc = tn_interval_arith(TN_SUB, tn_datum_of_scalar(z), d, sel, out, err);
        tn_scalar_free(z);
        return rc;
    }
    if (!(tn_type_is_signed_int(id) || tn_type_is_float(id) || tn_type_is_decimal(id) || id == TN_DURATION))
        return tn_error_set(err, TARN_ETYPE, "cannot negate %s", tn_type_id_name(id));
    tn_kin k = {0};
    TN_TRY(tn_kin_init(&k, d, err));
    int64_t n = 0;
    tn_array *o = NULL;
    int rc = TARN_OK;
    if (id == TN_FLOAT16)
        rc = tn_kin_cast(&k, tn_type_get(TN_FLOAT32), err);
    if (rc == TARN_OK)
        rc = tn_kout_rows(&k, 1, sel, &n, err);
    if (rc == TARN_OK && !(o = tn_kout_fixed(k.arr->type, n)))
        rc = tn_error_oom(err, (size_t)n * 8);
    if (rc == TARN_OK) {
        const tn_array *a = k.arr;
        int32_t w = a->type->byte_width;
        const uint8_t *src = a->buffers[1]->data + a->offset * w;
        uint8_t *dst = o->buffers[1]->data;
        int flag = 0;
        switch (tn_storage_id(a->type->id)) {
#define NEG(ID, T, MIN)                                                  \
    case ID: {                                                           \
        const T *x = (const T *)src;                                     \
        T *r = (T *)dst;                                                 \
        for (int64_t i = 0; i < n; i++) {                                \
            T v = x[k.scalar ? 0 : tn_krow(sel, i)];                     \
            flag |= v == (T)(MIN);                                       \
            r[i] = (T)(0 - (uint64_t)(int64_t)v); /* MIN wraps, flagged */ \
        }                                                                \
        break;                                                           \
    }
            NEG(TN_INT8, int8_t, INT8_MIN) NEG(TN_INT16, int16_t, INT16_MIN) NEG(TN_INT32, int32_t, INT32_MIN)
            NEG(TN_INT64, int64_t, INT64_MIN)
#undef NEG
        case TN_FLOAT32:
            for (int64_t i = 0; i < n; i++)
                ((float *)dst)[i] = -((const float *)src)[k.scalar ? 0 : tn_krow(sel, i)];
            break;
        case TN_FLOAT64:
            for (int64_t i = 0; i < n; i++)
                ((double *)dst)[i] = -((const double *)src)[k.scalar ? 0 : tn_krow(sel, i)];
            break;
        default: /* decimals: the precision is symmetric, so negation cannot overflow */
            for (int64_t i = 0; i < n; i++) {
                tn_i256 v = tn_i256_neg(dec_at(a, k.scalar ? 0 : tn_krow(sel, i)));
                if (w == 32) {
                    memcpy(dst + 32 * i, &v, 32);
                } else {
                    tn_i128 x = 0;
                    tn_i256_to_i128(v, &x);
                    memcpy(dst + 16 * i, &x, 16);
                }
            }
            break;
        }
        if (flag) {
            for (int64_t i = 0; i < n; i++) {
                int64_t r = k.scalar ? 0 : tn_krow(sel, i);
                const tn_type *st = tn_type_get(tn_storage_id(a->type->id));
                if (tn_array_is_valid(a, r) && int_fault(TN_SUB, st, 0, int_at(a, r))) {
                    char v[48];
                    fmt_i128(int_at(a, r), v);
                    rc = tn_error_set(err, TARN_EOVERFLOW, "%s overflow in negation of %s at row %lld",
                                      tn_type_id_name(a->type->id), v, (long long)i);
                    break;
                }
            }
        }
    }
    if (rc == TARN_OK)
        rc = tn_kout_validity(o, &k, 1, sel, err);
    tn_kin_reset(&k);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}
