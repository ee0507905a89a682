/*
 * aggregate_basic.c — count, sum, avg, min, max, first/any_value/last and
 * bool_and/bool_or.
 *
 * Updates are scatters: row r folds into states[r]. Each update switches
 * on the argument's physical type once and runs a tight loop; states hold
 * the widest C type of their family (int64 for signed ints and temporal
 * values, 128-bit for decimal sums, double for floats). Results follow
 * DuckDB: sum of integers is decimal128(38, 0) (DuckDB's HUGEINT), sum of
 * decimal(p, s) is decimal128(38, s), sums of floats and every avg are
 * double, and sum/avg/min/max of no rows are NULL while count is 0.
 */
#include <math.h>
#include <string.h>

#include "arrow/builder.h"
#include "core/alloc.h"
#include "sql/functions/aggregate_internal.h"

/* ---- count ------------------------------------------------------------------------ */

static void count_init(const tn_agg_call *call, void *state)
{
    (void)call;
    *(int64_t *)state = 0;
}

static int count_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                        tarn_error *err)
{
    (void)err;
    if (call->nargs == 0) {
        for (int64_t r = 0; r < n; r++)
            (*(int64_t *)states[r])++;
        return 0;
    }
    const tn_array *a = args[0];
    if (a->type->id == TN_NA)
        return 0;
    const uint8_t *valid = tn_agg_validity(a);
    if (!valid) {
        for (int64_t r = 0; r < n; r++)
            (*(int64_t *)states[r])++;
    } else {
        for (int64_t r = 0; r < n; r++)
            *(int64_t *)states[r] += tn_bit_get(valid, a->offset + r);
    }
    return 0;
}

static int count_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    (void)call;
    (void)err;
    *(int64_t *)into += *(const int64_t *)from;
    return 0;
}

static int count_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out,
                          tarn_error *err)
{
    uint8_t *vals, *valid;
    TN_TRY(tn_agg_new_fixed(call->type, n, out, &vals, &valid, err));
    for (int64_t r = 0; r < n; r++)
        ((int64_t *)vals)[r] = *(const int64_t *)states[r];
    memset(valid, 0xff, (size_t)tn_bitmap_bytes(n));
    (*out)->null_count = 0;
    return 0;
}

static const tn_agg_func count_func = {"count", count_init, count_update, count_merge, count_finalize, NULL, NULL};

static int bind_count(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    (void)def;
    out->func = &count_func;
    out->state_size = TN_AGG_STATE_SIZE(int64_t);
    if (out->nargs == 0)
        out->text = "count_star";
    return tn_agg_set_type(c, out, tn_type_get(TN_INT64), err);
}

/* ---- sum and avg -------------------------------------------------------------------- */

typedef struct sum_state {
    __int128 i; /* integer and decimal inputs (unscaled) */
    double f;   /* float inputs */
    int64_t count;
} sum_state;

static void sum_init(const tn_agg_call *call, void *state)
{
    (void)call;
    memset(state, 0, sizeof(sum_state));
}

#define SUM_LOOP(T, FIELD)                                              \
    do {                                                                \
        const T *v = TN_VALUES(a, T);                                   \
        if (!valid) {                                                   \
            for (int64_t r = 0; r < n; r++) {                           \
                sum_state *s = states[r];                               \
                s->FIELD += v[r];                                       \
                s->count++;                                             \
            }                                                           \
        } else {                                                        \
            for (int64_t r = 0; r < n; r++) {                           \
                if (!tn_bit_get(valid, a->offset + r))                  \
                    continue;                                           \
                sum_state *s = states[r];                               \
                s->FIELD += v[r];                                       \
                s->count++;                                             \
            }                                                           \
        }                                                               \
    } while (0)

static int sum_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                      tarn_error *err)
{
    const tn_array *a = args[0];
    const uint8_t *valid = tn_agg_validity(a);
    switch (a->type->id) {
    case TN_NA: break;
    case TN_INT8: SUM_LOOP(int8_t, i); break;
    case TN_INT16: SUM_LOOP(int16_t, i); break;
    case TN_INT32: SUM_LOOP(int32_t, i); break;
    case TN_INT64: SUM_LOOP(int64_t, i); break;
    case TN_UINT8: SUM_LOOP(uint8_t, i); break;
    case TN_UINT16: SUM_LOOP(uint16_t, i); break;
    case TN_UINT32: SUM_LOOP(uint32_t, i); break;
    case TN_UINT64: SUM_LOOP(uint64_t, i); break;
    case TN_DECIMAL128: SUM_LOOP(__int128, i); break;
    case TN_FLOAT32: SUM_LOOP(float, f); break;
    case TN_FLOAT64: SUM_LOOP(double, f); break;
    default:
        return tn_error_set(err, TARN_ETYPE, "%s: cannot sum %s values", call->text,
                            tn_type_id_name(a->type->id));
    }
    return 0;
}

static int sum_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    (void)call;
    (void)err;
    sum_state *a = into;
    const sum_state *b = from;
    a->i += b->i;
    a->f += b->f;
    a->count += b->count;
    return 0;
}

static int sum_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out, tarn_error *err)
{
    uint8_t *vals, *valid;
    TN_TRY(tn_agg_new_fixed(call->type, n, out, &vals, &valid, err));
    if (call->type->id == TN_FLOAT64) {
        for (int64_t r = 0; r < n; r++) {
            const sum_state *s = states[r];
            ((double *)vals)[r] = s->f;
            if (s->count)
                tn_bit_set(valid, r);
        }
        return 0;
    }
    /* decimal128(38, s): the sum must keep to 38 digits, as DuckDB's does */
    const __int128 limit = tn_agg_pow10(38);
    for (int64_t r = 0; r < n; r++) {
        const sum_state *s = states[r];
        if (!s->count)
            continue;
        if (s->i >= limit || s->i <= -limit) {
            tn_array_unref(*out);
            *out = NULL;
            return tn_error_set(err, TARN_EOVERFLOW, "%s: the sum does not fit decimal128(38, %d)", call->text,
                                call->type->scale);
        }
        memcpy(vals + 16 * r, &s->i, 16);
        tn_bit_set(valid, r);
    }
    return 0;
}

static int avg_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out, tarn_error *err)
{
    uint8_t *vals, *valid;
    TN_TRY(tn_agg_new_fixed(call->type, n, out, &vals, &valid, err));
    const tn_type *in = call->args[0]->type;
    double *d = (double *)vals;
    bool is_float = tn_type_is_float(in->id);
    double scale = in->id == TN_DECIMAL128 ? pow(10.0, in->scale) : 1.0;
    for (int64_t r = 0; r < n; r++) {
        const sum_state *s = states[r];
        if (!s->count)
            continue;
        if (is_float) {
            d[r] = s->f / (double)s->count;
        } else {
            /* Divide the exact sum in two steps so that large sums keep
             * their precision: the integer quotient, then the remainder. */
            __int128 q = s->i / s->count, rem = s->i % s->count;
            d[r] = ((double)q + (double)rem / (double)s->count) / scale;
        }
        tn_bit_set(valid, r);
    }
    return 0;
}

static const tn_agg_func sum_func = {"sum", sum_init, sum_update, sum_merge, sum_finalize, NULL, NULL};
static const tn_agg_func avg_func = {"avg", sum_init, sum_update, sum_merge, avg_finalize, NULL, NULL};

/* NULL literals and bools sum as integers. */
static int numeric_arg(tn_plan_ctx *c, tn_agg_call *out, const char *name, tarn_error *err)
{
    const tn_type *t = out->args[0]->type;
    if (t->id == TN_NA || t->id == TN_BOOL)
        return tn_agg_cast_arg(c, &out->args[0], tn_type_get(TN_INT64), err);
    if (t->id == TN_FLOAT16)
        return tn_agg_cast_arg(c, &out->args[0], tn_type_get(TN_FLOAT64), err);
    if (t->id == TN_DECIMAL256) {
        if (t->precision > 38)
            return tn_error_set(err, TARN_EUNSUPPORTED, "%s of decimal256(%d, %d) is not supported", name,
                                t->precision, t->scale);
        return tn_agg_cast_arg(c, &out->args[0], tn_type_decimal(128, t->precision, t->scale), err);
    }
    if (!tn_type_is_numeric(t->id))
        return tn_error_set(err, TARN_ETYPE, "no function %s(%s): candidates are %s(numeric)", name,
                            tn_type_id_name(t->id), name);
    return 0;
}

static int bind_sum(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    TN_TRY(numeric_arg(c, out, def->name, err));
    const tn_type *t = out->args[0]->type;
    out->func = &sum_func;
    out->state_size = TN_AGG_STATE_SIZE(sum_state);
    if (tn_type_is_float(t->id))
        return tn_agg_set_type(c, out, tn_type_get(TN_FLOAT64), err);
    return tn_agg_set_type(c, out, tn_type_decimal(128, 38, t->id == TN_DECIMAL128 ? t->scale : 0), err);
}

static int bind_avg(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    TN_TRY(numeric_arg(c, out, def->name, err));
    out->func = &avg_func;
    out->state_size = TN_AGG_STATE_SIZE(sum_state);
    return tn_agg_set_type(c, out, tn_type_get(TN_FLOAT64), err);
}

/* ---- min, max, first, any_value, last ------------------------------------------------ */

/* One value of any supported type: fixed-width values widened into v,
 * strings and binaries in bytes. */
typedef struct value_state {
    union {
        int64_t i;
        uint64_t u;
        double f;
        __int128 d;
    } v;
    tn_agg_bytes bytes;
    bool has;   /* a value (min/max/any_value: a non-null one) was taken */
    bool valid; /* first/last: whether the value taken is non-null */
} value_state;

typedef enum value_kind { VK_MIN, VK_MAX, VK_FIRST, VK_ANY, VK_LAST } value_kind;

static void value_init(const tn_agg_call *call, void *state)
{
    (void)call;
    memset(state, 0, sizeof(value_state));
}

static void value_destroy(const tn_agg_call *call, void *state)
{
    (void)call;
    tn_agg_bytes_free(&((value_state *)state)->bytes);
}

/* Floats order NaN after every number, as the sort does. */
static inline bool f_less(double a, double b)
{
    return !isnan(a) && (isnan(b) || a < b);
}

#define IS_LESS(a, b) ((a) < (b))

/* Fold fixed-width values of C type T read into state field FIELD. */
#define MINMAX_LOOP(T, FIELD, LESS)                                                    \
    do {                                                                               \
        const T *v = TN_VALUES(a, T);                                                  \
        for (int64_t r = 0; r < n; r++) {                                              \
            if (valid && !tn_bit_get(valid, a->offset + r))                            \
                continue;                                                              \
            value_state *s = states[r];                                                \
            if (!s->has || (is_max ? LESS(s->v.FIELD, v[r]) : LESS(v[r], s->v.FIELD))) { \
                s->v.FIELD = v[r];                                                     \
                s->has = true;                                                         \
            }                                                                          \
        }                                                                              \
    } while (0)

static int bytes_cmp(const uint8_t *a, int64_t na, const uint8_t *b, int64_t nb)
{
    int64_t m = na < nb ? na : nb;
    int c = m ? memcmp(a, b, (size_t)m) : 0;
    return c ? c : (na > nb) - (na < nb);
}

static int minmax_bytes(value_state *const *states, const tn_array *a, const uint8_t *valid, int64_t n,
                        bool is_max, tarn_error *err)
{
    for (int64_t r = 0; r < n; r++) {
        if (valid && !tn_bit_get(valid, a->offset + r))
            continue;
        value_state *s = states[r];
        int64_t len;
        const uint8_t *p = tn_array_bytes(a, r, &len);
        if (s->has) {
            int c = bytes_cmp(p, len, s->bytes.p, s->bytes.len);
            if (is_max ? c <= 0 : c >= 0)
                continue;
        }
        TN_TRY(tn_agg_bytes_set(&s->bytes, p, len, err));
        s->has = true;
    }
    return 0;
}

static int minmax_update(const tn_agg_call *call, void *const *vstates, tn_array *const *args, int64_t n,
                         bool is_max, tarn_error *err)
{
    value_state *const *states = (value_state *const *)vstates;
    const tn_array *a = args[0];
    const uint8_t *valid = tn_agg_validity(a);
    switch (tn_agg_phys_of(a->type)) {
    case TN_PHYS_I8: MINMAX_LOOP(int8_t, i, IS_LESS); break;
    case TN_PHYS_I16: MINMAX_LOOP(int16_t, i, IS_LESS); break;
    case TN_PHYS_I32: MINMAX_LOOP(int32_t, i, IS_LESS); break;
    case TN_PHYS_I64: MINMAX_LOOP(int64_t, i, IS_LESS); break;
    case TN_PHYS_U8: MINMAX_LOOP(uint8_t, u, IS_LESS); break;
    case TN_PHYS_U16: MINMAX_LOOP(uint16_t, u, IS_LESS); break;
    case TN_PHYS_U32: MINMAX_LOOP(uint32_t, u, IS_LESS); break;
    case TN_PHYS_U64: MINMAX_LOOP(uint64_t, u, IS_LESS); break;
    case TN_PHYS_F32: MINMAX_LOOP(float, f, f_less); break;
    case TN_PHYS_F64: MINMAX_LOOP(double, f, f_less); break;
    case TN_PHYS_I128: MINMAX_LOOP(__int128, d, IS_LESS); break;
    case TN_PHYS_BOOL: {
        const uint8_t *bits = a->buffers[1]->data;
        for (int64_t r = 0; r < n; r++) {
            if (valid && !tn_bit_get(valid, a->offset + r))
                continue;
            value_state *s = states[r];
            int64_t x = tn_bit_get(bits, a->offset + r);
            if (!s->has || (is_max ? x > s->v.i : x < s->v.i)) {
                s->v.i = x;
                s->has = true;
            }
        }
        break;
    }
    case TN_PHYS_BYTES: return minmax_bytes(states, a, valid, n, is_max, err);
    default:
        if (a->type->id == TN_NA)
            break;
        return tn_error_set(err, TARN_ETYPE, "%s: %s values have no order", call->text,
                            tn_type_id_name(a->type->id));
    }
    return 0;
}

static int min_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                      tarn_error *err)
{
    return minmax_update(call, states, args, n, false, err);
}
static int max_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                      tarn_error *err)
{
    return minmax_update(call, states, args, n, true, err);
}

/* Copy row r of a into s (fixed-width values widened). */
static int take_value(value_state *s, const tn_array *a, int64_t r, tn_agg_phys phys, tarn_error *err)
{
    switch (phys) {
    case TN_PHYS_BOOL: s->v.i = tn_bit_get(a->buffers[1]->data, a->offset + r); break;
    case TN_PHYS_I8: s->v.i = TN_VALUES(a, int8_t)[r]; break;
    case TN_PHYS_I16: s->v.i = TN_VALUES(a, int16_t)[r]; break;
    case TN_PHYS_I32: s->v.i = TN_VALUES(a, int32_t)[r]; break;
    case TN_PHYS_I64: s->v.i = TN_VALUES(a, int64_t)[r]; break;
    case TN_PHYS_U8: s->v.u = TN_VALUES(a, uint8_t)[r]; break;
    case TN_PHYS_U16: s->v.u = TN_VALUES(a, uint16_t)[r]; break;
    case TN_PHYS_U32: s->v.u = TN_VALUES(a, uint32_t)[r]; break;
    case TN_PHYS_U64: s->v.u = TN_VALUES(a, uint64_t)[r]; break;
    case TN_PHYS_F32: s->v.f = TN_VALUES(a, float)[r]; break;
    case TN_PHYS_F64: s->v.f = TN_VALUES(a, double)[r]; break;
    case TN_PHYS_I128: s->v.d = TN_VALUES(a, __int128)[r]; break;
    case TN_PHYS_BYTES: {
        int64_t len;
        const uint8_t *p = tn_array_bytes(a, r, &len);
        TN_TRY(tn_agg_bytes_set(&s->bytes, p, len, err));
        break;
    }
    default: break;
    }
    return 0;
}

static int pick_update(const tn_agg_call *call, void *const *vstates, tn_array *const *args, int64_t n,
                       value_kind kind, tarn_error *err)
{
    value_state *const *states = (value_state *const *)vstates;
    const tn_array *a = args[0];
    tn_agg_phys phys = tn_agg_phys_of(a->type);
    if (phys == TN_PHYS_OTHER && a->type->id != TN_NA)
        return tn_error_set(err, TARN_EUNSUPPORTED, "%s of %s values is not supported", call->text,
                            tn_type_id_name(a->type->id));
    const uint8_t *valid = tn_agg_validity(a);
    for (int64_t r = 0; r < n; r++) {
        value_state *s = states[r];
        bool ok = tn_agg_row_valid(a, valid, r);
        if (kind == VK_ANY ? (s->has || !ok) : kind == VK_FIRST && s->has)
            continue;
        s->has = true;
        s->valid = ok;
        if (ok)
            TN_TRY(take_value(s, a, r, phys, err));
    }
    return 0;
}

static int first_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                        tarn_error *err)
{
    return pick_update(call, states, args, n, VK_FIRST, err);
}
static int any_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                      tarn_error *err)
{
    return pick_update(call, states, args, n, VK_ANY, err);
}
static int last_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                       tarn_error *err)
{
    return pick_update(call, states, args, n, VK_LAST, err);
}

static bool value_less(const value_state *a, const value_state *b, tn_agg_phys phys)
{
    switch (phys) {
    case TN_PHYS_U8: case TN_PHYS_U16: case TN_PHYS_U32: case TN_PHYS_U64: return a->v.u < b->v.u;
    case TN_PHYS_F32: case TN_PHYS_F64: return f_less(a->v.f, b->v.f);
    case TN_PHYS_I128: return a->v.d < b->v.d;
    case TN_PHYS_BYTES: return bytes_cmp(a->bytes.p, a->bytes.len, b->bytes.p, b->bytes.len) < 0;
    default: return a->v.i < b->v.i;
    }
}

/* Copy from's value into into; from stays as it was, so that window frames
 * can merge one state into many. */
static int value_copy(value_state *into, const value_state *from, tarn_error *err)
{
    into->v = from->v;
    into->has = from->has;
    into->valid = from->valid;
    return tn_agg_bytes_set(&into->bytes, from->bytes.p, from->bytes.len, err);
}

static int value_merge_kind(const tn_agg_call *call, void *into_, const void *from_, value_kind kind,
                            tarn_error *err)
{
    value_state *into = into_;
    const value_state *from = from_;
    if (!from->has)
        return 0;
    tn_agg_phys phys = tn_agg_phys_of(call->type);
    bool take;
    switch (kind) {
    case VK_MIN: take = !into->has || value_less(from, into, phys); break;
    case VK_MAX: take = !into->has || value_less(into, from, phys); break;
    case VK_LAST: take = true; break;
    default: take = !into->has; break;
    }
    return take ? value_copy(into, from, err) : 0;
}

static int min_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    return value_merge_kind(call, into, from, VK_MIN, err);
}
static int max_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    return value_merge_kind(call, into, from, VK_MAX, err);
}
static int first_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    return value_merge_kind(call, into, from, VK_FIRST, err);
}
static int last_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    return value_merge_kind(call, into, from, VK_LAST, err);
}

static int value_finalize_bytes(const tn_agg_call *call, void *const *states, int64_t n, bool use_valid,
                                tn_array **out, tarn_error *err)
{
    tn_builder *b = tn_builder_new(call->type);
    TN_TRY_ALLOC(b, err, sizeof(void *));
    int rc = 0;
    for (int64_t r = 0; r < n && rc == 0; r++) {
        const value_state *s = states[r];
        if (!s->has || (use_valid && !s->valid))
            rc = tn_builder_append_null(b, err);
        else
            rc = tn_builder_append_bytes(b, s->bytes.p, s->bytes.len, err);
    }
    if (rc == 0)
        rc = tn_builder_finish(b, out, err);
    tn_builder_free(b);
    return rc;
}

static int value_finalize_any(const tn_agg_call *call, void *const *states, int64_t n, bool use_valid,
                              tn_array **out, tarn_error *err)
{
    tn_agg_phys phys = tn_agg_phys_of(call->type);
    if (call->type->id == TN_NA) {
        *out = tn_array_new_nulls(call->type, n);
        TN_TRY_ALLOC(*out, err, sizeof(tn_array));
        return 0;
    }
    if (phys == TN_PHYS_BYTES)
        return value_finalize_bytes(call, states, n, use_valid, out, err);
    uint8_t *vals, *valid;
    TN_TRY(tn_agg_new_fixed(call->type, n, out, &vals, &valid, err));
    for (int64_t r = 0; r < n; r++) {
        const value_state *s = states[r];
        if (!s->has || (use_valid && !s->valid))
            continue;
        tn_bit_set(valid, r);
        switch (phys) {
        case TN_PHYS_BOOL: if (s->v.i) tn_bit_set(vals, r); break;
        case TN_PHYS_I8: ((int8_t *)vals)[r] = (int8_t)s->v.i; break;
        case TN_PHYS_I16: ((int16_t *)vals)[r] = (int16_t)s->v.i; break;
        case TN_PHYS_I32: ((int32_t *)vals)[r] = (int32_t)s->v.i; break;
        case TN_PHYS_I64: ((int64_t *)vals)[r] = s->v.i; break;
        case TN_PHYS_U8: ((uint8_t *)vals)[r] = (uint8_t)s->v.u; break;
        case TN_PHYS_U16: ((uint16_t *)vals)[r] = (uint16_t)s->v.u; break;
        case TN_PHYS_U32: ((uint32_t *)vals)[r] = (uint32_t)s->v.u; break;
        case TN_PHYS_U64: ((uint64_t *)vals)[r] = s->v.u; break;
        case TN_PHYS_F32: ((float *)vals)[r] = (float)s->v.f; break;
        case TN_PHYS_F64: ((double *)vals)[r] = s->v.f; break;
        case TN_PHYS_I128: memcpy(vals + 16 * r, &s->v.d, 16); break;
        default: break;
        }
    }
    return 0;
}

static int minmax_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out,
                           tarn_error *err)
{
    return value_finalize_any(call, states, n, false, out, err);
}
static int pick_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out, tarn_error *err)
{
    return value_finalize_any(call, states, n, true, out, err);
}

static const tn_agg_func min_func = {"min", value_init, min_update, min_merge, minmax_finalize, value_destroy, NULL};
static const tn_agg_func max_func = {"max", value_init, max_update, max_merge, minmax_finalize, value_destroy, NULL};
static const tn_agg_func first_func = {"first", value_init, first_update, first_merge, pick_finalize,
                                       value_destroy, NULL};
static const tn_agg_func any_func = {"any_value", value_init, any_update, first_merge, pick_finalize,
                                     value_destroy, NULL};
static const tn_agg_func last_func = {"last", value_init, last_update, last_merge, pick_finalize,
                                      value_destroy, NULL};

static int bind_value(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    const tn_type *t = out->args[0]->type;
    if (t->id == TN_FLOAT16)
        TN_TRY(tn_agg_cast_arg(c, &out->args[0], tn_type_get(TN_FLOAT32), err));
    t = out->args[0]->type;
    if (tn_agg_phys_of(t) == TN_PHYS_OTHER && t->id != TN_NA)
        return tn_error_set(err, TARN_ETYPE, "no function %s(%s): %s takes values of a scalar type", def->name,
                            tn_type_id_name(t->id), def->name);
    out->func = def->data;
    out->state_size = TN_AGG_STATE_SIZE(value_state);
    return tn_agg_set_type(c, out, tn_type_ref(out->args[0]->type), err);
}


/* ---- arg_max, arg_min (max_by, min_by) ------------------------------------------------ */

/* The arg of the row with the largest (smallest) val; rows where either is
 * NULL are skipped and the first row wins a tie, as in DuckDB. */
typedef struct argext_state {
    value_state key; /* the val */
    value_state arg;
} argext_state;

static void argext_init(const tn_agg_call *call, void *state)
{
    (void)call;
    memset(state, 0, sizeof(argext_state));
}

static void argext_destroy(const tn_agg_call *call, void *state)
{
    (void)call;
    argext_state *s = state;
    tn_agg_bytes_free(&s->key.bytes);
    tn_agg_bytes_free(&s->arg.bytes);
}

/* Whether row r of a orders strictly after (is_max) or before s's key. */
static bool key_beats(const value_state *s, const tn_array *a, int64_t r, tn_agg_phys phys, bool is_max)
{
    int c;
    switch (phys) {
    case TN_PHYS_BOOL: { int64_t x = tn_bit_get(a->buffers[1]->data, a->offset + r); c = (x > s->v.i) - (x < s->v.i); break; }
    case TN_PHYS_I8: { int64_t x = TN_VALUES(a, int8_t)[r]; c = (x > s->v.i) - (x < s->v.i); break; }
    case TN_PHYS_I16: { int64_t x = TN_VALUES(a, int16_t)[r]; c = (x > s->v.i) - (x < s->v.i); break; }
    case TN_PHYS_I32: { int64_t x = TN_VALUES(a, int32_t)[r]; c = (x > s->v.i) - (x < s->v.i); break; }
    case TN_PHYS_I64: { int64_t x = TN_VALUES(a, int64_t)[r]; c = (x > s->v.i) - (x < s->v.i); break; }
    case TN_PHYS_U8: { uint64_t x = TN_VALUES(a, uint8_t)[r]; c = (x > s->v.u) - (x < s->v.u); break; }
    case TN_PHYS_U16: { uint64_t x = TN_VALUES(a, uint16_t)[r]; c = (x > s->v.u) - (x < s->v.u); break; }
    case TN_PHYS_U32: { uint64_t x = TN_VALUES(a, uint32_t)[r]; c = (x > s->v.u) - (x < s->v.u); break; }
    case TN_PHYS_U64: { uint64_t x = TN_VALUES(a, uint64_t)[r]; c = (x > s->v.u) - (x < s->v.u); break; }
    case TN_PHYS_F32: case TN_PHYS_F64: {
        double x = phys == TN_PHYS_F32 ? TN_VALUES(a, float)[r] : TN_VALUES(a, double)[r];
        c = f_less(s->v.f, x) ? 1 : f_less(x, s->v.f) ? -1 : 0;
        break;
    }
    case TN_PHYS_I128: { __int128 x = TN_VALUES(a, __int128)[r]; c = (x > s->v.d) - (x < s->v.d); break; }
    case TN_PHYS_BYTES: {
        int64_t len;
        const uint8_t *p = tn_array_bytes(a, r, &len);
        c = bytes_cmp(p, len, s->bytes.p, s->bytes.len);
        break;
    }
    default: c = 0; break;
    }
    return is_max ? c > 0 : c < 0;
}

static int argext_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                         bool is_max, tarn_error *err)
{
    const tn_array *arg = args[0], *key = args[1];
    tn_agg_phys kphys = tn_agg_phys_of(key->type), aphys = tn_agg_phys_of(arg->type);
    if (key->type->id == TN_NA || arg->type->id == TN_NA)
        return 0;
    if (kphys == TN_PHYS_OTHER || aphys == TN_PHYS_OTHER)
        return tn_error_set(err, TARN_EUNSUPPORTED, "%s of %s by %s is not supported", call->text,
                            tn_type_id_name(arg->type->id), tn_type_id_name(key->type->id));
    const uint8_t *kv = tn_agg_validity(key), *av = tn_agg_validity(arg);
    for (int64_t r = 0; r < n; r++) {
        if ((kv && !tn_bit_get(kv, key->offset + r)) || (av && !tn_bit_get(av, arg->offset + r)))
            continue;
        argext_state *s = states[r];
        if (s->key.has && !key_beats(&s->key, key, r, kphys, is_max))
            continue;
        TN_TRY(take_value(&s->key, key, r, kphys, err));
        TN_TRY(take_value(&s->arg, arg, r, aphys, err));
        s->key.has = s->arg.has = s->arg.valid = true;
    }
    return 0;
}

static int argmax_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                         tarn_error *err)
{
    return argext_update(call, states, args, n, true, err);
}
static int argmin_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                         tarn_error *err)
{
    return argext_update(call, states, args, n, false, err);
}

static int argext_merge(const tn_agg_call *call, void *into_, const void *from_, bool is_max, tarn_error *err)
{
    argext_state *into = into_;
    const argext_state *from = from_;
    if (!from->key.has)
        return 0;
    tn_agg_phys kphys = tn_agg_phys_of(call->args[1]->type);
    if (into->key.has && !(is_max ? value_less(&into->key, &from->key, kphys) : value_less(&from->key, &into->key, kphys)))
        return 0;
    TN_TRY(value_copy(&into->key, &from->key, err));
    return value_copy(&into->arg, &from->arg, err);
}

static int argmax_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    return argext_merge(call, into, from, true, err);
}
static int argmin_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    return argext_merge(call, into, from, false, err);
}

static int argext_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out, tarn_error *err)
{
    void **args = tn_malloc(((size_t)n + 1) * sizeof *args);
    TN_TRY_ALLOC(args, err, (size_t)n * sizeof *args);
    for (int64_t r = 0; r < n; r++)
        args[r] = &((argext_state *)states[r])->arg;
    int rc = value_finalize_any(call, args, n, true, out, err);
    tn_free(args);
    return rc;
}

static const tn_agg_func argmax_func = {"arg_max", argext_init, argmax_update, argmax_merge, argext_finalize,
                                        argext_destroy, NULL};
static const tn_agg_func argmin_func = {"arg_min", argext_init, argmin_update, argmin_merge, argext_finalize,
                                        argext_destroy, NULL};

static int bind_argext(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    for (int i = 0; i < 2; i++) {
        const tn_type *t = out->args[i]->type;
        if (t->id == TN_FLOAT16)
            TN_TRY(tn_agg_cast_arg(c, &out->args[i], tn_type_get(TN_FLOAT32), err));
        t = out->args[i]->type;
        if (tn_agg_phys_of(t) == TN_PHYS_OTHER && t->id != TN_NA)
            return tn_error_set(err, TARN_ETYPE, "no function %s(%s, ...): %s takes values of scalar types",
                                def->name, tn_type_id_name(t->id), def->name);
    }
    out->func = def->data;
    out->state_size = TN_AGG_STATE_SIZE(argext_state);
    return tn_agg_set_type(c, out, tn_type_ref(out->args[0]->type), err);
}

/* ---- bool_and, bool_or ---------------------------------------------------------------- */

typedef struct bool_state {
    bool has, v;
} bool_state;

static void bool_init(const tn_agg_call *call, void *state)
{
    (void)call;
    memset(state, 0, sizeof(bool_state));
}

static int bool_update_op(void *const *states, tn_array *const *args, int64_t n, bool is_and)
{
    const tn_array *a = args[0];
    if (a->type->id == TN_NA)
        return 0;
    const uint8_t *valid = tn_agg_validity(a), *bits = a->buffers[1]->data;
    for (int64_t r = 0; r < n; r++) {
        if (valid && !tn_bit_get(valid, a->offset + r))
            continue;
        bool_state *s = states[r];
        bool x = tn_bit_get(bits, a->offset + r);
        s->v = !s->has ? x : is_and ? (s->v && x) : (s->v || x);
        s->has = true;
    }
    return 0;
}

static int and_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                      tarn_error *err)
{
    (void)call;
    (void)err;
    return bool_update_op(states, args, n, true);
}
static int or_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                     tarn_error *err)
{
    (void)call;
    (void)err;
    return bool_update_op(states, args, n, false);
}

static int bool_merge_op(void *into, const void *from, bool is_and)
{
    bool_state *a = into;
    const bool_state *b = from;
    if (b->has) {
        a->v = !a->has ? b->v : is_and ? (a->v && b->v) : (a->v || b->v);
        a->has = true;
    }
    return 0;
}
static int and_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    (void)call;
    (void)err;
    return bool_merge_op(into, from, true);
}
static int or_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    (void)call;
    (void)err;
    return bool_merge_op(into, from, false);
}

static int bool_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out, tarn_error *err)
{
    uint8_t *vals, *valid;
    TN_TRY(tn_agg_new_fixed(call->type, n, out, &vals, &valid, err));
    for (int64_t r = 0; r < n; r++) {
        const bool_state *s = states[r];
        if (!s->has)
            continue;
        tn_bit_set(valid, r);
        if (s->v)
            tn_bit_set(vals, r);
    }
    return 0;
}

static const tn_agg_func and_func = {"bool_and", bool_init, and_update, and_merge, bool_finalize, NULL, NULL};
static const tn_agg_func or_func = {"bool_or", bool_init, or_update, or_merge, bool_finalize, NULL, NULL};

static int bind_bool(tn_plan_ctx *c, const tn_agg_def *def, tn_agg_call *out, tarn_error *err)
{
    const tn_type *t = out->args[0]->type;
    if (t->id == TN_NA)
        TN_TRY(tn_agg_cast_arg(c, &out->args[0], tn_type_get(TN_BOOL), err));
    else if (t->id != TN_BOOL)
        return tn_error_set(err, TARN_ETYPE, "no function %s(%s): candidates are %s(boolean)", def->name,
                            tn_type_id_name(t->id), def->name);
    out->func = def->data;
    out->state_size = TN_AGG_STATE_SIZE(bool_state);
    return tn_agg_set_type(c, out, tn_type_get(TN_BOOL), err);
}

bool tn_agg_state_is_flat(const tn_agg_call *call)
{
    const tn_agg_func *f = call->func;
    if (!f->destroy)
        return true;
    if (f->destroy == argext_destroy)
        return tn_agg_phys_of(call->args[0]->type) != TN_PHYS_BYTES && tn_agg_phys_of(call->args[1]->type) != TN_PHYS_BYTES;
    return f->destroy == value_destroy && tn_agg_phys_of(call->type) != TN_PHYS_BYTES;
}

const tn_agg_def tn_agg_defs_basic[] = {
    {"count", 0, 1, bind_count, NULL},
    {"sum", 1, 1, bind_sum, NULL},
    {"avg", 1, 1, bind_avg, NULL},
    {"mean", 1, 1, bind_avg, NULL},
    {"min", 1, 1, bind_value, &min_func},
    {"max", 1, 1, bind_value, &max_func},
    {"first", 1, 1, bind_value, &first_func},
    {"arbitrary", 1, 1, bind_value, &first_func},
    {"any_value", 1, 1, bind_value, &any_func},
    {"last", 1, 1, bind_value, &last_func},
    {"arg_max", 2, 2, bind_argext, &argmax_func},
    {"arg_min", 2, 2, bind_argext, &argmin_func},
    {"max_by", 2, 2, bind_argext, &argmax_func},
    {"min_by", 2, 2, bind_argext, &argmin_func},
    {"argmax", 2, 2, bind_argext, &argmax_func},
    {"argmin", 2, 2, bind_argext, &argmin_func},
    {"bool_and", 1, 1, bind_bool, &and_func},
    {"bool_or", 1, 1, bind_bool, &or_func},
    {"every", 1, 1, bind_bool, &and_func},
    {NULL, 0, 0, NULL, NULL},
};
