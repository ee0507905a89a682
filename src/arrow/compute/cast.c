/*
 * cast.c — casts between bool, integer, floating-point, decimal and
 * temporal types, and the entry point tn_cast that also routes string
 * casts (cast_string.c) and dictionary inputs.
 *
 * A numeric cast runs in two vectorizable passes through a wide "stage":
 * the source is loaded into int64, double, int128 or int256 (with its
 * decimal scale), optionally transformed (temporal unit changes), then
 * stored into the target with a range check. Each pass writes a per-row
 * failure byte (1 = does not parse, 2 = out of range) instead of
 * branching; afterwards strict mode reports the first failing valid row
 * and TRY mode turns failing rows into nulls. Values behind nulls never
 * fail.
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>

#include "arrow/compute/cast.h"
#include "arrow/compute/decimal.h"

/* --- the stage ------------------------------------------------------------------ */

void tn_stage_reset(tn_stage *s)
{
    tn_free(s->w);
    tn_free(s->f);
    tn_free(s->d128);
    tn_free(s->d256);
    tn_free(s->bad);
    memset(s, 0, sizeof *s);
}

int tn_stage_init(tn_stage *s, tn_stage_kind kind, int64_t n, int32_t scale, tarn_error *err)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->n = n;
    s->scale = scale;
    size_t cnt = (size_t)(n ? n : 1);
    s->bad = tn_calloc(cnt, 1);
    void **slot = kind == TN_STAGE_I64 ? (void **)&s->w : kind == TN_STAGE_F64 ? (void **)&s->f
                : kind == TN_STAGE_D128 ? (void **)&s->d128 : (void **)&s->d256;
    size_t w = kind == TN_STAGE_D128 ? 16 : kind == TN_STAGE_D256 ? 32 : 8;
    *slot = tn_malloc(cnt * w);
    if (!s->bad || !*slot) {
        tn_stage_reset(s);
        return tn_error_oom(err, cnt * w);
    }
    return TARN_OK;
}

/* --- loading a source into the stage ---------------------------------------- */

#define LOAD_INT(ID, T)                                   \
    case ID: {                                            \
        const T *v = TN_VALUES(a, T);                     \
        for (int64_t i = 0; i < n; i++)                   \
            w[i] = (int64_t)v[i];                         \
        break;                                            \
    }

TN_HOT static void load_i64(const tn_array *a, tn_stage *s)
{
    int64_t n = s->n, *w = s->w;
    tn_type_id id = tn_storage_id(a->type->id);
    switch (id) {
    case TN_BOOL:
        for (int64_t i = 0; i < n; i++)
            w[i] = tn_bit_get(a->buffers[1]->data, a->offset + i);
        break;
    case TN_UINT64: { /* values past INT64_MAX do not fit the stage */
        const uint64_t *v = TN_VALUES(a, uint64_t);
        for (int64_t i = 0; i < n; i++) {
            w[i] = (int64_t)v[i];
            s->bad[i] |= (uint8_t)((v[i] >> 63) << 1);
        }
        break;
    }
    LOAD_INT(TN_INT8, int8_t) LOAD_INT(TN_INT16, int16_t) LOAD_INT(TN_INT32, int32_t)
    LOAD_INT(TN_INT64, int64_t) LOAD_INT(TN_UINT8, uint8_t) LOAD_INT(TN_UINT16, uint16_t)
    LOAD_INT(TN_UINT32, uint32_t)
    default: break;
    }
}

static void load_f64(const tn_array *a, tn_stage *s)
{
    int64_t n = s->n;
    double *f = s->f;
    switch (a->type->id) {
    case TN_FLOAT16: {
        const uint16_t *v = TN_VALUES(a, uint16_t);
        for (int64_t i = 0; i < n; i++)
            f[i] = tn_half_to_float(v[i]);
        break;
    }
    case TN_FLOAT32: {
        const float *v = TN_VALUES(a, float);
        for (int64_t i = 0; i < n; i++)
            f[i] = v[i];
        break;
    }
    case TN_FLOAT64:
        memcpy(f, TN_VALUES(a, double), (size_t)n * 8);
        break;
    case TN_UINT64: {
        const uint64_t *v = TN_VALUES(a, uint64_t);
        for (int64_t i = 0; i < n; i++)
            f[i] = (double)v[i];
        break;
    }
    default: { /* other ints and bool: through int64 */
        tn_stage t = *s;
        t.w = (int64_t *)f;
        load_i64(a, &t);
        for (int64_t i = 0; i < n; i++)
            f[i] = (double)((int64_t *)f)[i];
        break;
    }
    }
}

static void load_d128(const tn_array *a, tn_stage *s)
{
    int64_t n = s->n;
    if (a->type->id == TN_DECIMAL128) {
        memcpy(s->d128, a->buffers[1]->data + a->offset * 16, (size_t)n * 16);
    } else if (a->type->id == TN_UINT64) {
        const uint64_t *v = TN_VALUES(a, uint64_t);
        for (int64_t i = 0; i < n; i++)
            s->d128[i] = v[i];
    }
}

static void load_d256(const tn_array *a, tn_stage *s)
{
    int64_t n = s->n;
    if (a->type->id == TN_DECIMAL256) {
        memcpy(s->d256, a->buffers[1]->data + a->offset * 32, (size_t)n * 32);
    } else if (a->type->id == TN_DECIMAL128) {
        const tn_i128 *v = (const tn_i128 *)(a->buffers[1]->data) + a->offset;
        for (int64_t i = 0; i < n; i++) {
            tn_i128 x;
            memcpy(&x, v + i, 16);
            s->d256[i] = tn_i256_from_i128(x);
        }
    }
}

/* --- stage conversions -------------------------------------------------------- */

/* Round half away from zero into int64; NaN and out-of-range fail. */
static void f64_to_i64(tn_stage *s, int64_t *w)
{
    for (int64_t i = 0; i < s->n; i++) {
        double r = round(s->f[i]);
        bool ok = r >= -0x1p63 && r < 0x1p63; /* false for NaN */
        w[i] = ok ? (int64_t)r : 0;
        s->bad[i] |= (uint8_t)(!ok << 1);
    }
}

static void d128_to_i64(tn_stage *s, int64_t *w)
{
    for (int64_t i = 0; i < s->n; i++) {
        tn_i128 r;
        bool over = tn_i128_rescale(s->d128[i], -s->scale, &r);
        bool ok = !over && r >= INT64_MIN && r <= INT64_MAX;
        w[i] = ok ? (int64_t)r : 0;
        s->bad[i] |= (uint8_t)(!ok << 1);
    }
}

static void d256_to_i64(tn_stage *s, int64_t *w)
{
    for (int64_t i = 0; i < s->n; i++) {
        tn_i256 r;
        tn_i128 x = 0;
        bool ok = !tn_i256_rescale(s->d256[i], -s->scale, &r) && tn_i256_to_i128(r, &x) && x >= INT64_MIN &&
                  x <= INT64_MAX;
        w[i] = ok ? (int64_t)x : 0;
        s->bad[i] |= (uint8_t)(!ok << 1);
    }
}


/* --- storing the stage into the target ---------------------------------------- */

#define STORE_INT(ID, T, LO, HI)                                          \
    case ID: {                                                            \
        T *o = (T *)dst;                                                  \
        for (int64_t i = 0; i < n; i++) {                                 \
            int64_t v = w[i];                                             \
            s->bad[i] |= (uint8_t)(((v < (int64_t)(LO)) | (v > (int64_t)(HI))) << 1); \
            o[i] = (T)v;                                                  \
        }                                                                 \
        break;                                                            \
    }

TN_HOT static void store_from_i64(tn_stage *s, const int64_t *w, const tn_type *to, uint8_t *dst)
{
    int64_t n = s->n;
    tn_type_id id = tn_storage_id(to->id);
    switch (id) {
    STORE_INT(TN_INT8, int8_t, INT8_MIN, INT8_MAX)
    STORE_INT(TN_INT16, int16_t, INT16_MIN, INT16_MAX)
    STORE_INT(TN_INT32, int32_t, INT32_MIN, INT32_MAX)
    STORE_INT(TN_UINT8, uint8_t, 0, UINT8_MAX)
    STORE_INT(TN_UINT16, uint16_t, 0, UINT16_MAX)
    STORE_INT(TN_UINT32, uint32_t, 0, UINT32_MAX)
    STORE_INT(TN_UINT64, uint64_t, 0, INT64_MAX)
    case TN_INT64:
        memcpy(dst, w, (size_t)n * 8);
        break;
    case TN_BOOL: {
        uint8_t *tmp = (uint8_t *)s->scratch;
        for (int64_t i = 0; i < n; i++)
            tmp[i] = w[i] != 0;
        tn_bits_pack(dst, tmp, n);
        break;
    }
    case TN_FLOAT16: {
        uint16_t *o = (uint16_t *)dst;
        for (int64_t i = 0; i < n; i++) {
            float f = (float)w[i];
            o[i] = tn_float_to_half(f);
            s->bad[i] |= (uint8_t)((fabsf(f) >= 65520.0f) << 1);
        }
        break;
    }
    case TN_FLOAT32: {
        float *o = (float *)dst;
        for (int64_t i = 0; i < n; i++)
            o[i] = (float)w[i];
        break;
    }
    case TN_FLOAT64: {
        double *o = (double *)dst;
        for (int64_t i = 0; i < n; i++)
            o[i] = (double)w[i];
        break;
    }
    case TN_DECIMAL128: {
        tn_i128 m = tn_pow10_128(to->scale), lim = tn_dec128_max(to->precision);
        for (int64_t i = 0; i < n; i++) {
            tn_i128 v;
            bool over = __builtin_mul_overflow((tn_i128)w[i], m, &v);
            s->bad[i] |= (uint8_t)((over | (v > lim) | (v < -lim)) << 1);
            memcpy(dst + 16 * i, &v, 16);
        }
        break;
    }
    case TN_DECIMAL256:
        for (int64_t i = 0; i < n; i++) {
            tn_i256 v;
            bool over = tn_i256_rescale(tn_i256_from_i64(w[i]), to->scale, &v);
            s->bad[i] |= (uint8_t)((over || !tn_dec256_fits(v, to->precision)) << 1);
            memcpy(dst + 32 * i, &v, 32);
        }
        break;
    default: break;
    }
}

static void store_from_f64(tn_stage *s, const tn_type *to, uint8_t *dst)
{
    int64_t n = s->n;
    const double *f = s->f;
    switch (to->id) {
    case TN_FLOAT64:
        memcpy(dst, f, (size_t)n * 8);
        break;
    case TN_FLOAT32: {
        float *o = (float *)dst;
        for (int64_t i = 0; i < n; i++) {
            o[i] = (float)f[i];
            s->bad[i] |= (uint8_t)((isinf(o[i]) & !isinf(f[i])) << 1);
        }
        break;
    }
    case TN_FLOAT16: {
        uint16_t *o = (uint16_t *)dst;
        for (int64_t i = 0; i < n; i++) {
            o[i] = tn_float_to_half((float)f[i]);
            s->bad[i] |= (uint8_t)(((o[i] & 0x7fff) == 0x7c00 && !isinf(f[i])) << 1);
        }
        break;
    }
    case TN_BOOL: {
        uint8_t *tmp = (uint8_t *)s->scratch;
        for (int64_t i = 0; i < n; i++)
            tmp[i] = f[i] != 0;
        tn_bits_pack(dst, tmp, n);
        break;
    }
    case TN_DECIMAL128:
    case TN_DECIMAL256:
        for (int64_t i = 0; i < n; i++) {
            /* through the shortest text that reads back as the same double,
             * so 2.675 (really 2.67499999...) rounds as written */
            char buf[40];
            int len = tn_format_double(f[i], buf);
            tn_i256 v = tn_i256_from_i64(0);
            tn_i128 x = 0;
            int rc = isfinite(f[i]) ? tn_dec_parse(buf, len, to->precision, to->scale, true, &v) : 2;
            if (to->id == TN_DECIMAL128) {
                rc |= !tn_i256_to_i128(v, &x);
                memcpy(dst + 16 * i, &x, 16);
            } else {
                memcpy(dst + 32 * i, &v, 32);
            }
            s->bad[i] |= (uint8_t)(rc ? 2 : 0);
        }
        break;
    default: { /* integers: round, then range-check */
        int64_t *w = (int64_t *)s->scratch;
        f64_to_i64(s, w);
        store_from_i64(s, w, to, dst);
        break;
    }
    }
}

static void store_from_d128(tn_stage *s, const tn_type *to, uint8_t *dst)
{
    int64_t n = s->n;
    switch (to->id) {
    case TN_DECIMAL128: {
        int k = to->scale - s->scale;
        for (int64_t i = 0; i < n; i++) {
            tn_i128 v;
            bool over = tn_i128_rescale(s->d128[i], k, &v);
            s->bad[i] |= (uint8_t)((over || !tn_dec128_fits(v, to->precision)) << 1);
            memcpy(dst + 16 * i, &v, 16);
        }
        break;
    }
    case TN_DECIMAL256: {
        int k = to->scale - s->scale;
        for (int64_t i = 0; i < n; i++) {
            tn_i256 v;
            bool over = tn_i256_rescale(tn_i256_from_i128(s->d128[i]), k, &v);
            s->bad[i] |= (uint8_t)((over || !tn_dec256_fits(v, to->precision)) << 1);
            memcpy(dst + 32 * i, &v, 32);
        }
        break;
    }
    case TN_FLOAT16: case TN_FLOAT32: case TN_FLOAT64: {
        /* correctly rounded: one IEEE division of two exact doubles when the
         * value has at most 53 bits and 10^scale is exact (scale <= 22),
         * otherwise strtod of the exact text */
        static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        double *f = s->f;
        for (int64_t i = 0; i < n; i++) {
            tn_i128 v = s->d128[i];
            if (s->scale <= 22 && v < ((tn_i128)1 << 53) && v > -((tn_i128)1 << 53)) {
                f[i] = (double)v / p10[s->scale];
            } else {
                char buf[64];
                tn_i128_format(v, s->scale, buf);
                f[i] = strtod(buf, NULL);
            }
        }
        store_from_f64(s, to, dst);
        break;
    }
    case TN_BOOL: {
        uint8_t *tmp = (uint8_t *)s->scratch;
        for (int64_t i = 0; i < n; i++)
            tmp[i] = s->d128[i] != 0;
        tn_bits_pack(dst, tmp, n);
        break;
    }
    default: {
        int64_t *w = (int64_t *)s->scratch;
        d128_to_i64(s, w);
        store_from_i64(s, w, to, dst);
        break;
    }
    }
}

static void store_from_d256(tn_stage *s, const tn_type *to, uint8_t *dst)
{
    int64_t n = s->n;
    int k = to->scale - s->scale;
    switch (to->id) {
    case TN_DECIMAL128:
    case TN_DECIMAL256:
        for (int64_t i = 0; i < n; i++) {
            tn_i256 v;
            tn_i128 x = 0;
            bool bad = tn_i256_rescale(s->d256[i], k, &v) || !tn_dec256_fits(v, to->precision);
            if (to->id == TN_DECIMAL128) {
                bad = bad || !tn_i256_to_i128(v, &x);
                memcpy(dst + 16 * i, &x, 16);
            } else {
                memcpy(dst + 32 * i, &v, 32);
            }
            s->bad[i] |= (uint8_t)(bad << 1);
        }
        break;
    case TN_FLOAT16: case TN_FLOAT32: case TN_FLOAT64: {
        double *f = s->f;
        for (int64_t i = 0; i < n; i++) {
            char buf[100];
            tn_i256_format(s->d256[i], s->scale, buf);
            f[i] = strtod(buf, NULL); /* correctly rounded */
        }
        store_from_f64(s, to, dst);
        break;
    }
    case TN_BOOL: {
        uint8_t *tmp = (uint8_t *)s->scratch;
        for (int64_t i = 0; i < n; i++)
            tmp[i] = !tn_i256_is_zero(s->d256[i]);
        tn_bits_pack(dst, tmp, n);
        break;
    }
    default: {
        int64_t *w = (int64_t *)s->scratch;
        d256_to_i64(s, w);
        store_from_i64(s, w, to, dst);
        break;
    }
    }
}

int tn_stage_store(tn_stage *s, const tn_type *to, uint8_t *dst, tarn_error *err)
{
    size_t cnt = (size_t)(s->n ? s->n : 1);
    /* scratch: bytes to pack into bools, or int64 between a float/decimal
     * stage and an integer target */
    bool need = to->id == TN_BOOL || (s->kind != TN_STAGE_I64 && !tn_type_is_float(to->id) &&
                                      !tn_type_is_decimal(to->id));
    if (need) {
        s->scratch = tn_malloc(cnt * 8);
        TN_TRY_ALLOC(s->scratch, err, cnt * 8);
    }
    if ((s->kind == TN_STAGE_D128 || s->kind == TN_STAGE_D256) && tn_type_is_float(to->id)) {
        s->f = tn_malloc(cnt * 8);
        if (!s->f) {
            tn_free(s->scratch);
            s->scratch = NULL;
            return tn_error_oom(err, cnt * 8);
        }
    }
    switch (s->kind) {
    case TN_STAGE_I64: store_from_i64(s, s->w, to, dst); break;
    case TN_STAGE_F64: store_from_f64(s, to, dst); break;
    case TN_STAGE_D128: store_from_d128(s, to, dst); break;
    case TN_STAGE_D256: store_from_d256(s, to, dst); break;
    }
    tn_free(s->scratch);
    s->scratch = NULL;
    return TARN_OK;
}

/* --- temporal units -------------------------------------------------------------- */

/* Nanoseconds per unit of a temporal type's values (date32: a day). */
static int64_t ns_per(const tn_type *t)
{
    static const int64_t unit_ns[4] = {1000000000LL, 1000000LL, 1000LL, 1LL};
    switch (t->id) {
    case TN_DATE32: return 86400LL * 1000000000LL;
    case TN_DATE64: return 1000000LL;
    case TN_TIME32: case TN_TIME64: case TN_TIMESTAMP: case TN_DURATION: return unit_ns[t->unit];
    default: return 0;
    }
}

static inline int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - ((a % b != 0) & ((a < 0) != (b < 0)));
}

static inline int64_t floormod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r + (r != 0 && ((r < 0) != (b < 0))) * b;
}

/* Which temporal conversions are meaningful: instants (dates, timestamps)
 * among themselves, instants to time of day, times among themselves,
 * durations among themselves. */
static bool temporal_ok(tn_type_id f, tn_type_id t)
{
    bool fi = f == TN_DATE32 || f == TN_DATE64 || f == TN_TIMESTAMP;
    bool ti = t == TN_DATE32 || t == TN_DATE64 || t == TN_TIMESTAMP;
    bool ft = f == TN_TIME32 || f == TN_TIME64, tt = t == TN_TIME32 || t == TN_TIME64;
    if (fi && ti)
        return true;
    if (f == TN_TIMESTAMP && tt)
        return true;
    if (ft && tt)
        return true;
    return f == TN_DURATION && t == TN_DURATION;
}

static void temporal_transform(tn_stage *s, const tn_type *from, const tn_type *to)
{
    int64_t pf = ns_per(from), pt = ns_per(to), n = s->n, *w = s->w;
    bool tod = to->id == TN_TIME32 || to->id == TN_TIME64;
    int64_t day = 86400LL * (1000000000LL / (pt > 1000000000LL ? 1000000000LL : pt));
    if (pf >= pt) {
        int64_t m = pf / pt;
        for (int64_t i = 0; i < n; i++) {
            int64_t v;
            s->bad[i] |= (uint8_t)(__builtin_mul_overflow(w[i], m, &v) << 1);
            w[i] = v;
        }
    } else {
        int64_t d = pt / pf;
        for (int64_t i = 0; i < n; i++)
            w[i] = floordiv(w[i], d);
    }
    if (tod)
        for (int64_t i = 0; i < n; i++)
            w[i] = floormod(w[i], day);
    if (to->id == TN_DATE64) /* whole days only */
        for (int64_t i = 0; i < n; i++)
            w[i] -= floormod(w[i], 86400000LL);
}

/* --- entry points --------------------------------------------------------------- */

static bool is_num(tn_type_id id)
{
    return id == TN_BOOL || tn_type_is_numeric(id);
}

static bool is_single_temporal(tn_type_id id)
{
    return tn_temporal_width(id) != 0 && id != TN_INTERVAL_MONTHS;
}

bool tn_cast_supported(const tn_type *from, const tn_type *to)
{
    tn_type_id f = from->id, t = to->id;
    if (tn_type_equals(from, to) || f == TN_NA)
        return true;
    if (f == TN_DICTIONARY)
        return tn_cast_supported(from->value_type, to);
    if (is_num(f) && is_num(t))
        return true;
    if (is_single_temporal(f) && is_single_temporal(t))
        return temporal_ok(f, t);
    /* integers reinterpret as temporal values of their unit and back */
    if ((tn_type_is_int(f) && is_single_temporal(t)) || (is_single_temporal(f) && tn_type_is_int(t)))
        return true;
    return tn_cast_string_supported(from, to);
}

/* A copy of a's validity at offset 0 (NULL when no nulls). */
int tn_copy_validity(tn_array *a, tn_buffer **out, tarn_error *err)
{
    *out = NULL;
    const uint8_t *bits = tn_kvalid_bits(a);
    if (!bits || tn_array_null_count(a) == 0)
        return TARN_OK;
    tn_buffer *v = tn_buffer_new(tn_bitmap_bytes(a->length));
    TN_TRY_ALLOC(v, err, (size_t)tn_bitmap_bytes(a->length));
    tn_bitmap_copy(v->data, 0, bits, a->offset, a->length);
    *out = v;
    return TARN_OK;
}

/* After a pass: report the first failing valid row (strict) or null out the
 * failing rows (TRY). Consumes nothing; sets out's validity. */
int tn_cast_finish(tn_array *in, tn_array *out, const uint8_t *bad, tn_cast_mode mode, tarn_error *err)
{
    int64_t n = in->length;
    uint8_t any = 0;
    for (int64_t i = 0; i < n; i++)
        any |= bad[i];
    tn_buffer *v = NULL;
    TN_TRY(tn_copy_validity(in, &v, err));
    if (any) {
        for (int64_t i = 0; i < n; i++) {
            if (!bad[i] || (v && !tn_bit_get(v->data, i)))
                continue;
            if (mode == TN_CAST_STRICT) {
                tn_buffer_unref(v);
                return tn_cast_error(in, out->type, i, bad[i], err);
            }
            if (!v) {
                v = tn_buffer_new(tn_bitmap_bytes(n));
                TN_TRY_ALLOC(v, err, (size_t)tn_bitmap_bytes(n));
                memset(v->data, 0xff, (size_t)tn_bitmap_bytes(n));
            }
            tn_bit_clear(v->data, i);
        }
    }
    out->buffers[0] = v;
    out->null_count = v ? n - tn_bitmap_count(v->data, 0, n) : 0;
    return TARN_OK;
}

int tn_cast_error(tn_array *in, const tn_type *to, int64_t row, int kind, tarn_error *err)
{
    char val[128], tname[96];
    tn_format_value(in, row, val, sizeof val);
    tn_ktype_name(to, tname, sizeof tname);
    if (kind == 1)
        return tn_error_set(err, TARN_EPARSE, "cannot cast '%s' to %s at row %lld", val, tname, (long long)row);
    return tn_error_set(err, TARN_EOVERFLOW, "value %s out of range for %s at row %lld", val, tname, (long long)row);
}

static int cast_numeric(tn_array *in, tn_type *to, tn_cast_mode mode, tn_array **out, tarn_error *err)
{
    tn_type_id f = in->type->id, t = to->id;
    int64_t n = in->length;
    tn_stage_kind kind = TN_STAGE_I64;
    int32_t scale = 0;
    if (f == TN_DECIMAL256 || (f == TN_DECIMAL128 && t == TN_DECIMAL256)) {
        kind = TN_STAGE_D256;
        scale = in->type->scale;
    } else if (f == TN_DECIMAL128) {
        kind = TN_STAGE_D128;
        scale = in->type->scale;
    } else if (tn_type_is_float(f)) {
        kind = TN_STAGE_F64;
    } else if (f == TN_UINT64 && tn_type_is_float(t)) {
        kind = TN_STAGE_F64;
    } else if (f == TN_UINT64 && tn_type_is_decimal(t)) {
        kind = TN_STAGE_D128;
    }
    tn_stage s;
    TN_TRY(tn_stage_init(&s, kind, n, scale, err));
    switch (kind) {
    case TN_STAGE_I64: load_i64(in, &s); break;
    case TN_STAGE_F64: load_f64(in, &s); break;
    case TN_STAGE_D128: load_d128(in, &s); break;
    case TN_STAGE_D256: load_d256(in, &s); break;
    }
    if (is_single_temporal(f) && is_single_temporal(t))
        temporal_transform(&s, in->type, to);
    tn_array *o = tn_kout_fixed(to, n);
    int rc = o ? TARN_OK : tn_error_oom(err, (size_t)n * 8);
    if (rc == TARN_OK)
        rc = tn_stage_store(&s, to, o->buffers[1]->data, err);
    if (rc == TARN_OK)
        rc = tn_cast_finish(in, o, s.bad, mode, err);
    tn_stage_reset(&s);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

/* The same buffers under another type (timestamp time zones, identical
 * storage). */
static int retype(tn_array *in, tn_type *to, tn_array **out, tarn_error *err)
{
    tn_array *o = tn_array_new(to, in->length, in->n_buffers, in->n_children);
    TN_TRY_ALLOC(o, err, sizeof *o);
    for (int32_t i = 0; i < in->n_buffers; i++)
        o->buffers[i] = tn_buffer_ref(in->buffers[i]);
    for (int32_t i = 0; i < in->n_children; i++)
        o->children[i] = tn_array_ref(in->children[i]);
    o->dictionary = tn_array_ref(in->dictionary);
    o->offset = in->offset;
    o->null_count = in->null_count;
    *out = o;
    return TARN_OK;
}

/* The plain values of a dictionary array. */
static int decode_dictionary(tn_array *in, tn_array **out, tarn_error *err)
{
    tn_array *idx = tn_array_new(in->type->index_type, in->length, 2, 0);
    TN_TRY_ALLOC(idx, err, sizeof *idx);
    idx->buffers[0] = tn_buffer_ref(in->buffers[0]);
    idx->buffers[1] = tn_buffer_ref(in->buffers[1]);
    idx->offset = in->offset;
    idx->null_count = in->null_count;
    int rc = tn_take(in->dictionary, idx, out, err);
    tn_array_unref(idx);
    return rc;
}

int tn_cast(tn_array *in, tn_type *to, tn_cast_mode mode, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (!in || !to)
        return tn_error_set(err, TARN_EINVAL, "cast needs an input and a type");
    tn_type_id f = in->type->id, t = to->id;
    if (tn_type_equals(in->type, to)) {
        *out = tn_array_ref(in);
        return TARN_OK;
    }
    if (f == TN_NA) {
        *out = tn_array_new_nulls(to, in->length);
        TN_TRY_ALLOC(*out, err, 64);
        return TARN_OK;
    }
    if (f == TN_DICTIONARY) {
        tn_array *plain = NULL;
        TN_TRY(decode_dictionary(in, &plain, err));
        int rc = tn_cast(plain, to, mode, out, err);
        tn_array_unref(plain);
        return rc;
    }
    if (f == TN_TIMESTAMP && t == TN_TIMESTAMP && in->type->unit == to->unit)
        return retype(in, to, out, err); /* a time zone names the same instant */
    if (tn_storage_id(f) == tn_storage_id(t) && (tn_type_is_int(f) || tn_type_is_int(t)))
        return retype(in, to, out, err); /* int64 <-> timestamp etc.: same values */
    if (!tn_cast_supported(in->type, to)) {
        char a[96], b[96];
        return tn_error_set(err, TARN_EUNSUPPORTED, "cannot cast %s to %s", tn_ktype_name(in->type, a, sizeof a),
                            tn_ktype_name(to, b, sizeof b));
    }
    if (tn_type_is_string(f) || tn_type_is_binary(f) || tn_type_is_string(t) || tn_type_is_binary(t))
        return tn_cast_string(in, to, mode, out, err);
    return cast_numeric(in, to, mode, out, err);
}
