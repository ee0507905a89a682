/*
 * kernel.c — the shared machinery of the compute kernels: scalars and
 * datums, selection vectors from masks, output allocation, and validity
 * combined a byte at a time (eight rows per step) rather than per row.
 */
#include <stdio.h>

#include "arrow/compute/kernel.h"

/* --- scalars ------------------------------------------------------------------ */

static tn_scalar *scalar_new(tn_type *type, bool valid)
{
    if (!type)
        return NULL;
    tn_scalar *s = tn_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->type = tn_type_ref(type);
    s->is_valid = valid;
    return s;
}

tn_scalar *tn_scalar_null(tn_type *type)
{
    return scalar_new(type, false);
}

tn_scalar *tn_scalar_bool(bool v)
{
    tn_scalar *s = scalar_new(tn_type_get(TN_BOOL), true);
    if (s)
        s->v.b = v;
    return s;
}

tn_scalar *tn_scalar_int(tn_type *type, int64_t v)
{
    if (!type || !(tn_type_is_int(type->id) || tn_temporal_width(type->id) || tn_type_is_decimal(type->id)))
        return NULL;
    tn_scalar *s = scalar_new(type, true);
    if (!s)
        return NULL;
    if (tn_type_is_decimal(type->id)) {
        memset(s->v.raw, v < 0 ? 0xff : 0, 32);
        memcpy(s->v.raw, &v, 8);
    } else {
        s->v.i = v;
    }
    return s;
}

tn_scalar *tn_scalar_uint(tn_type *type, uint64_t v)
{
    if (!type || !tn_type_is_unsigned_int(type->id))
        return NULL;
    tn_scalar *s = scalar_new(type, true);
    if (s)
        s->v.u = v;
    return s;
}

tn_scalar *tn_scalar_double(tn_type *type, double v)
{
    if (!type || !tn_type_is_float(type->id))
        return NULL;
    tn_scalar *s = scalar_new(type, true);
    if (s)
        s->v.f = v;
    return s;
}

tn_scalar *tn_scalar_raw(tn_type *type, const void *le_bytes)
{
    if (!type || type->byte_width <= 0 || type->byte_width > 32)
        return NULL;
    tn_scalar *s = scalar_new(type, true);
    if (s)
        memcpy(s->v.raw, le_bytes, (size_t)type->byte_width);
    return s;
}

tn_scalar *tn_scalar_bytes(tn_type *type, const void *p, int64_t n)
{
    if (!type || n < 0 || !(tn_type_is_string(type->id) || tn_type_is_binary(type->id) || type->id == TN_FIXED_BINARY))
        return NULL;
    if (type->id == TN_FIXED_BINARY && n != type->byte_width)
        return NULL;
    tn_scalar *s = scalar_new(type, true);
    if (!s)
        return NULL;
    s->bytes = tn_malloc((size_t)n + 1);
    if (!s->bytes) {
        tn_scalar_free(s);
        return NULL;
    }
    if (n)
        memcpy(s->bytes, p, (size_t)n);
    s->n_bytes = n;
    return s;
}

void tn_scalar_free(tn_scalar *s)
{
    if (!s)
        return;
    tn_type_unref(s->type);
    tn_free(s->bytes);
    tn_free(s);
}

/* Write the scalar's value as one fixed-width element. */
static void scalar_store(const tn_scalar *s, uint8_t *dst)
{
    tn_type_id id = s->type->id;
    int32_t w = s->type->byte_width;
    if (tn_type_is_unsigned_int(id)) {
        memcpy(dst, &s->v.u, (size_t)w); /* little-endian truncation */
    } else if (tn_type_is_signed_int(id) || tn_temporal_width(id) == 4 || tn_temporal_width(id) == 8) {
        memcpy(dst, &s->v.i, (size_t)w);
    } else if (id == TN_FLOAT64) {
        memcpy(dst, &s->v.f, 8);
    } else if (id == TN_FLOAT32) {
        float f = (float)s->v.f;
        memcpy(dst, &f, 4);
    } else if (id == TN_FLOAT16) {
        uint16_t h = tn_float_to_half((float)s->v.f);
        memcpy(dst, &h, 2);
    } else if (id == TN_FIXED_BINARY) {
        memcpy(dst, s->bytes, (size_t)w);
    } else {
        memcpy(dst, s->v.raw, (size_t)w);
    }
}

int tn_datum_to_array(tn_datum d, int64_t n, tn_array **out, tarn_error *err)
{
    if (d.kind == TN_DATUM_ARRAY) {
        *out = tn_array_ref(d.array);
        return TARN_OK;
    }
    tn_array *one;
    TN_TRY(tn_scalar_to_array(d.scalar, &one, err));
    if (n == 1) {
        *out = one;
        return TARN_OK;
    }
    /* n copies of row 0: a take of all-zero indices */
    tn_buffer *zeros = tn_buffer_new_zeroed(n * (int64_t)sizeof(int32_t));
    tn_array *idx = zeros ? tn_array_new(tn_type_get(TN_INT32), n, 2, 0) : NULL;
    if (!idx) {
        tn_buffer_unref(zeros);
        tn_array_unref(one);
        return tn_error_oom(err, (size_t)n * sizeof(int32_t));
    }
    idx->buffers[1] = zeros;
    idx->null_count = 0;
    int rc = tn_take(one, idx, out, err);
    tn_array_unref(idx);
    tn_array_unref(one);
    return rc;
}

int tn_scalar_to_array(const tn_scalar *s, tn_array **out, tarn_error *err)
{
    *out = NULL;
    tn_type *t = s->type;
    tn_type_id id = t->id;
    if (!s->is_valid) {
        *out = tn_array_new_nulls(t, 1);
        TN_TRY_ALLOC(*out, err, 64);
        return TARN_OK;
    }
    tn_array *a = NULL;
    if (tn_type_is_string(id) || tn_type_is_binary(id)) {
        bool view = tn_type_is_view(id), large = id == TN_LARGE_STRING || id == TN_LARGE_BINARY;
        if (view && s->n_bytes > INT32_MAX)
            return tn_error_set(err, TARN_EOVERFLOW, "a %lld-byte value does not fit a view",
                                (long long)s->n_bytes);
        a = tn_array_new(t, 1, 3, 0);
        TN_TRY_ALLOC(a, err, sizeof *a);
        a->null_count = 0;
        if (view) {
            tn_view v;
            memset(&v, 0, sizeof v);
            v.inl.size = (int32_t)s->n_bytes;
            if (s->n_bytes <= 12) {
                memcpy(v.inl.data, s->bytes, (size_t)s->n_bytes);
            } else {
                memcpy(v.ref.prefix, s->bytes, 4);
                v.ref.buffer_index = 0;
                v.ref.offset = 0;
            }
            a->buffers[1] = tn_buffer_copy_of(&v, 16);
            a->buffers[2] = tn_buffer_copy_of(s->bytes, s->n_bytes);
        } else if (large) {
            int64_t o[2] = {0, s->n_bytes};
            a->buffers[1] = tn_buffer_copy_of(o, 16);
            a->buffers[2] = tn_buffer_copy_of(s->bytes, s->n_bytes);
        } else {
            if (s->n_bytes > INT32_MAX) {
                tn_array_unref(a);
                return tn_error_set(err, TARN_EOVERFLOW, "a %lld-byte value does not fit %s",
                                    (long long)s->n_bytes, tn_type_id_name(id));
            }
            int32_t o[2] = {0, (int32_t)s->n_bytes};
            a->buffers[1] = tn_buffer_copy_of(o, 8);
            a->buffers[2] = tn_buffer_copy_of(s->bytes, s->n_bytes);
        }
        if (!a->buffers[1] || !a->buffers[2]) {
            tn_array_unref(a);
            return tn_error_oom(err, 64);
        }
        *out = a;
        return TARN_OK;
    }
    if (id == TN_BOOL || (t->byte_width > 0 && t->byte_width <= 32 && id != TN_DICTIONARY)) {
        a = tn_kout_fixed(t, 1);
        TN_TRY_ALLOC(a, err, 64);
        if (id == TN_BOOL)
            a->buffers[1]->data[0] = s->v.b ? 1 : 0;
        else
            scalar_store(s, a->buffers[1]->data);
        a->null_count = 0;
        *out = a;
        return TARN_OK;
    }
    return tn_error_set(err, TARN_EUNSUPPORTED, "no scalars of type %s", tn_type_id_name(id));
}

/* --- datums ------------------------------------------------------------------- */

int tn_kin_init(tn_kin *k, tn_datum d, tarn_error *err)
{
    k->arr = NULL;
    k->scalar = d.kind == TN_DATUM_SCALAR;
    if (!k->scalar) {
        if (!d.array)
            return tn_error_set(err, TARN_EINVAL, "missing input array");
        k->arr = tn_array_ref(d.array);
        return TARN_OK;
    }
    if (!d.scalar)
        return tn_error_set(err, TARN_EINVAL, "missing input scalar");
    return tn_scalar_to_array(d.scalar, &k->arr, err);
}

void tn_kin_reset(tn_kin *k)
{
    tn_array_unref(k->arr);
    k->arr = NULL;
}

int tn_kout_rows(const tn_kin *ins, int n_in, const tn_selection *sel, int64_t *n, tarn_error *err)
{
    int64_t len = -1;
    for (int i = 0; i < n_in; i++) {
        if (ins[i].scalar)
            continue;
        if (len >= 0 && ins[i].arr->length != len)
            return tn_error_set(err, TARN_EINVAL, "inputs have different lengths (%lld and %lld)",
                                (long long)len, (long long)ins[i].arr->length);
        len = ins[i].arr->length;
    }
    if (!sel) {
        *n = len < 0 ? 1 : len;
        return TARN_OK;
    }
    if (sel->n < 0 || (sel->n > 0 && !sel->rows))
        return tn_error_set(err, TARN_EINVAL, "invalid selection vector");
    int64_t limit = len < 0 ? 1 : len;
    int32_t bad = 0;
    for (int64_t i = 0; i < sel->n; i++)
        bad |= (sel->rows[i] < 0) | (sel->rows[i] >= limit);
    if (bad) {
        for (int64_t i = 0; i < sel->n; i++)
            if (sel->rows[i] < 0 || sel->rows[i] >= limit)
                return tn_error_set(err, TARN_EINVAL, "selection row %d out of bounds for %lld rows at position %lld",
                                    sel->rows[i], (long long)limit, (long long)i);
    }
    *n = sel->n;
    return TARN_OK;
}

tn_array *tn_kout_fixed(tn_type *type, int64_t n)
{
    tn_array *a = tn_array_new(type, n, 2, 0);
    if (!a)
        return NULL;
    int64_t bytes = type->id == TN_BOOL ? tn_bitmap_bytes(n) : n * type->byte_width;
    a->buffers[1] = tn_buffer_new(bytes);
    if (!a->buffers[1]) {
        tn_array_unref(a);
        return NULL;
    }
    if (type->id == TN_BOOL && bytes)
        a->buffers[1]->data[bytes - 1] = 0; /* keep padding bits defined */
    return a;
}

/* --- bit helpers ----------------------------------------------------------------- */


TN_HOT void tn_bits_and(uint8_t *dst, const uint8_t *src, int64_t off, int64_t n)
{
    int64_t whole = n >> 3;
    if ((off & 7) == 0) {
        const uint8_t *p = src + (off >> 3);
        for (int64_t k = 0; k < whole; k++)
            dst[k] &= p[k];
    } else {
        for (int64_t k = 0; k < whole; k++)
            dst[k] &= tn_bits_byte(src, off + 8 * k);
    }
    for (int64_t i = whole * 8; i < n; i++)
        if (!tn_bit_get(src, off + i))
            tn_bit_clear(dst, i);
}

TN_HOT void tn_bits_pack(uint8_t *dst, const uint8_t *bytes, int64_t n)
{
    int64_t whole = n >> 3;
    for (int64_t k = 0; k < whole; k++) {
        const uint8_t *b = bytes + 8 * k;
        dst[k] = (uint8_t)(b[0] | b[1] << 1 | b[2] << 2 | b[3] << 3 | b[4] << 4 | b[5] << 5 | b[6] << 6 | b[7] << 7);
    }
    if (n & 7) {
        uint8_t last = 0;
        for (int64_t i = whole * 8; i < n; i++)
            last |= (uint8_t)(bytes[i] << (i & 7));
        dst[whole] = last;
    }
}

void tn_bits_unpack(uint8_t *bytes, const uint8_t *src, int64_t off, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        bytes[i] = (src[(off + i) >> 3] >> ((off + i) & 7)) & 1;
}

int tn_kout_validity(tn_array *out, const tn_kin *ins, int n_in, const tn_selection *sel, tarn_error *err)
{
    int64_t n = out->length;
    bool any = false, all_null = false;
    for (int i = 0; i < n_in; i++) {
        if (ins[i].scalar)
            all_null |= !tn_array_is_valid(ins[i].arr, 0);
        else
            any |= tn_kvalid_bits(ins[i].arr) != NULL || ins[i].arr->type->id == TN_NA;
    }
    if (!any && !all_null) {
        out->null_count = 0;
        return TARN_OK;
    }
    tn_buffer *v = tn_buffer_new(tn_bitmap_bytes(n));
    TN_TRY_ALLOC(v, err, (size_t)tn_bitmap_bytes(n));
    uint8_t *d = v->data;
    memset(d, all_null ? 0 : 0xff, (size_t)tn_bitmap_bytes(n));
    for (int i = 0; i < n_in && !all_null; i++) {
        const tn_array *a = ins[i].arr;
        if (ins[i].scalar)
            continue;
        if (a->type->id == TN_NA) {
            memset(d, 0, (size_t)tn_bitmap_bytes(n));
            break;
        }
        const uint8_t *bits = tn_kvalid_bits(a);
        if (!bits)
            continue;
        if (!sel) {
            tn_bits_and(d, bits, a->offset, n);
        } else {
            for (int64_t k = 0; k < n; k++) {
                int64_t r = a->offset + sel->rows[k];
                d[k >> 3] &= (uint8_t)~((uint8_t)(((bits[r >> 3] >> (r & 7)) & 1) ^ 1) << (k & 7));
            }
        }
    }
    if (n & 7)
        d[n >> 3] &= (uint8_t)((1u << (n & 7)) - 1);
    int64_t nulls = n - tn_bitmap_count(d, 0, n);
    if (nulls == 0) {
        tn_buffer_unref(v);
        out->null_count = 0;
        return TARN_OK;
    }
    tn_buffer_unref(out->buffers[0]);
    out->buffers[0] = v;
    out->null_count = nulls;
    return TARN_OK;
}

/* --- selections from masks ------------------------------------------------------- */

int tn_selection_from_mask(tn_array *mask, const tn_selection *within, int32_t *rows, int64_t *n, tarn_error *err)
{
    if (!mask || mask->type->id != TN_BOOL)
        return tn_error_set(err, TARN_ETYPE, "a filter mask must be bool, not %s",
                            mask ? tn_type_id_name(mask->type->id) : "missing");
    if (mask->length > INT32_MAX)
        return tn_error_set(err, TARN_EINVAL, "a mask of %lld rows is too long for a selection vector",
                            (long long)mask->length);
    const uint8_t *vals = mask->buffers[1]->data, *valid = tn_kvalid_bits(mask);
    int64_t off = mask->offset, k = 0;
    if (within) {
        for (int64_t i = 0; i < within->n; i++) {
            int32_t r = within->rows[i];
            if (r < 0 || r >= mask->length)
                return tn_error_set(err, TARN_EINVAL, "selection row %d out of bounds for %lld rows", r,
                                    (long long)mask->length);
            bool keep = tn_bit_get(vals, off + r) && (!valid || tn_bit_get(valid, off + r));
            rows[k] = r;
            k += keep;
        }
        *n = k;
        return TARN_OK;
    }
    int64_t len = mask->length;
    int64_t i = 0;
    /* a byte of the mask at a time: skip zero bytes, then emit set bits */
    for (; i + 8 <= len; i += 8) {
        uint8_t b = tn_bits_byte(vals, off + i);
        if (valid)
            b &= tn_bits_byte(valid, off + i);
        while (b) {
            rows[k++] = (int32_t)(i + __builtin_ctz(b));
            b &= (uint8_t)(b - 1);
        }
    }
    for (; i < len; i++) {
        bool keep = tn_bit_get(vals, off + i) && (!valid || tn_bit_get(valid, off + i));
        rows[k] = (int32_t)i;
        k += keep;
    }
    *n = k;
    return TARN_OK;
}

/* --- float16 ---------------------------------------------------------------------- */

float tn_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: value = man * 2^-24 */
            float f = (float)man * 0x1p-24f;
            return sign ? -f : f;
        }
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t tn_float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) /* inf or nan */
        return (uint16_t)(sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 : 0));
    if (ax >= 0x477ff000u) /* rounds to >= 65520: overflow to inf */
        return (uint16_t)(sign | 0x7c00);
    if (ax < 0x38800000u) { /* below the smallest normal half: subnormal or zero */
        float a;
        memcpy(&a, &ax, 4);
        float m = a * 0x1p24f; /* in units of 2^-24, exact for these magnitudes */
        uint32_t q = (uint32_t)nearbyintf(m); /* current rounding: to nearest even */
        return (uint16_t)(sign | q);
    }
    uint32_t exp = (ax >> 23) - 112, man = ax & 0x7fffff;
    uint32_t h = (exp << 10) | (man >> 13);
    uint32_t rest = man & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
        h++; /* may carry into the exponent, which is right */
    return (uint16_t)(sign | h);
}

const char *tn_ktype_name(const tn_type *t, char *buf, size_t cap)
{
    tn_buf b;
    tn_buf_init(&b, cap - 1);
    if (tn_type_format(t, &b, NULL) != 0) {
        tn_buf_reset(&b);
        snprintf(buf, cap, "%s", tn_type_id_name(t->id));
        return buf;
    }
    snprintf(buf, cap, "%s", (char *)b.data);
    tn_buf_reset(&b);
    return buf;
}

void tn_kin_bits(const tn_kin *k, const tn_selection *sel, int64_t n, bool want_validity, uint8_t *dst)
{
    const tn_array *a = k->arr;
    int64_t nb = tn_bitmap_bytes(n);
    const uint8_t *bits;
    if (want_validity) {
        if (a->type->id == TN_NA) {
            memset(dst, 0, (size_t)nb);
            return;
        }
        bits = tn_kvalid_bits(a);
        if (!bits) {
            memset(dst, 0xff, (size_t)nb);
            return;
        }
    } else {
        bits = a->buffers[1]->data;
    }
    if (k->scalar) {
        memset(dst, tn_bit_get(bits, a->offset) ? 0xff : 0, (size_t)nb);
        return;
    }
    if (sel) {
        memset(dst, 0, (size_t)nb);
        for (int64_t i = 0; i < n; i++) {
            int64_t r = a->offset + sel->rows[i];
            dst[i >> 3] |= (uint8_t)(((bits[r >> 3] >> (r & 7)) & 1) << (i & 7));
        }
        return;
    }
    int64_t off = a->offset, whole = n >> 3;
    if ((off & 7) == 0) {
        memcpy(dst, bits + (off >> 3), (size_t)nb);
        return;
    }
    for (int64_t b = 0; b < whole; b++)
        dst[b] = tn_bits_byte(bits, off + 8 * b);
    if (n & 7) {
        uint8_t v = 0;
        for (int64_t i = whole * 8; i < n; i++)
            v |= (uint8_t)(tn_bit_get(bits, off + i) << (i & 7));
        dst[whole] = v;
    }
}

int tn_kin_cast(tn_kin *k, tn_type *to, tarn_error *err)
{
    if (tn_type_equals(k->arr->type, to))
        return TARN_OK;
    tn_array *c = NULL;
    TN_TRY(tn_cast(k->arr, to, TN_CAST_STRICT, &c, err));
    tn_array_unref(k->arr);
    k->arr = c;
    return TARN_OK;
}

int tn_kin_select(tn_kin *ins, int n_in, const tn_selection **sel, tarn_error *err)
{
    if (!*sel)
        return TARN_OK;
    for (int i = 0; i < n_in; i++) {
        if (ins[i].scalar)
            continue;
        tn_array *t = NULL;
        TN_TRY(tn_filter_sel(ins[i].arr, *sel, &t, err));
        tn_array_unref(ins[i].arr);
        ins[i].arr = t;
    }
    *sel = NULL;
    return TARN_OK;
}
