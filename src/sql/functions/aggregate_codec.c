/*
 * aggregate_codec.c — the byte encoding of single values described in
 * aggregate_codec.h. Each function switches on the type once and then runs
 * a plain loop over the rows.
 */
#include "sql/functions/aggregate_codec.h"

#include <math.h>
#include <string.h>

#include "arrow/builder.h"
#include "core/alloc.h"

static bool is_bytes(tn_type_id id)
{
    return tn_type_is_string(id) || tn_type_is_binary(id);
}

bool tn_codec_supports(const tn_type *t)
{
    if (t->id == TN_NA || t->id == TN_BOOL || is_bytes(t->id))
        return true;
    if (tn_type_is_nested(t->id) || t->id == TN_DICTIONARY)
        return false;
    return t->byte_width > 0;
}

/* Bytes of the value part of a fixed-width type (bool: one byte). */
static int32_t value_width(const tn_type *t)
{
    if (t->id == TN_NA)
        return 0;
    if (t->id == TN_BOOL)
        return 1;
    return t->byte_width;
}

int32_t tn_codec_fixed_size(const tn_type *t)
{
    if (is_bytes(t->id))
        return -1;
    return 1 + value_width(t);
}

static const uint8_t *validity_of(const tn_array *a)
{
    if (a->type->id == TN_NA)
        return NULL;
    return a->n_buffers > 0 && a->buffers[0] && a->null_count != 0 ? a->buffers[0]->data : NULL;
}

void tn_codec_sizes(const tn_array *a, int64_t n, int64_t *sizes)
{
    if (!is_bytes(a->type->id)) {
        int32_t w = tn_codec_fixed_size(a->type);
        for (int64_t r = 0; r < n; r++)
            sizes[r] += w;
        return;
    }
    const uint8_t *valid = validity_of(a);
    if (a->type->id == TN_STRING || a->type->id == TN_BINARY) {
        /* The common layout without a call per row; a NULL's length is
         * taken as 0 whatever its offsets say. */
        const int32_t *o = TN_OFFSETS32(a);
        if (!valid) {
            for (int64_t r = 0; r < n; r++)
                sizes[r] += 5 + (o[r + 1] - o[r]);
        } else {
            for (int64_t r = 0; r < n; r++)
                sizes[r] += 5 + (tn_bit_get(valid, a->offset + r) ? o[r + 1] - o[r] : 0);
        }
        return;
    }
    for (int64_t r = 0; r < n; r++) {
        int64_t len = 0;
        if (!valid || tn_bit_get(valid, a->offset + r))
            (void)tn_array_bytes(a, r, &len);
        sizes[r] += 5 + len;
    }
}

/* encode_bytes for 32-bit offsets (string, binary). */
static void encode_bytes32(const tn_array *a, const uint8_t *valid, int64_t n, uint8_t **dst)
{
    const int32_t *o = TN_OFFSETS32(a);
    const uint8_t *data = a->buffers[2] ? a->buffers[2]->data : NULL;
    for (int64_t r = 0; r < n; r++) {
        uint8_t *p = dst[r];
        uint32_t len32 = 0;
        if (!valid || tn_bit_get(valid, a->offset + r)) {
            len32 = (uint32_t)(o[r + 1] - o[r]);
            p[0] = 1;
            memcpy(p + 1, &len32, 4);
            if (len32 <= 8 && len32) { /* short keys: a byte loop beats a memcpy call */
                for (uint32_t i = 0; i < len32; i++)
                    p[5 + i] = data[o[r] + i];
            } else if (len32) {
                memcpy(p + 5, data + o[r], len32);
            }
        } else {
            p[0] = 0;
            memcpy(p + 1, &len32, 4);
        }
        dst[r] = p + 5 + len32;
    }
}

static void encode_bytes(const tn_array *a, int64_t n, uint8_t **dst)
{
    const uint8_t *valid = validity_of(a);
    if (a->type->id == TN_STRING || a->type->id == TN_BINARY) {
        encode_bytes32(a, valid, n, dst);
        return;
    }
    for (int64_t r = 0; r < n; r++) {
        uint8_t *p = dst[r];
        uint32_t len32 = 0;
        if (!valid || tn_bit_get(valid, a->offset + r)) {
            int64_t len;
            const uint8_t *b = tn_array_bytes(a, r, &len);
            len32 = (uint32_t)len;
            p[0] = 1;
            memcpy(p + 1, &len32, 4);
            if (len)
                memcpy(p + 5, b, (size_t)len);
        } else {
            p[0] = 0;
            memcpy(p + 1, &len32, 4);
        }
        dst[r] = p + 5 + len32;
    }
}

static void encode_fixed(const tn_array *a, int64_t n, uint8_t **dst)
{
    const uint8_t *valid = validity_of(a);
    int32_t w = value_width(a->type);
    tn_type_id id = a->type->id;
    if (id == TN_NA) {
        for (int64_t r = 0; r < n; r++)
            *dst[r]++ = 0;
        return;
    }
    if (id == TN_BOOL) {
        const uint8_t *bits = a->buffers[1]->data;
        for (int64_t r = 0; r < n; r++) {
            bool ok = !valid || tn_bit_get(valid, a->offset + r);
            dst[r][0] = ok;
            dst[r][1] = ok && tn_bit_get(bits, a->offset + r);
            dst[r] += 2;
        }
        return;
    }
    const uint8_t *vals = a->buffers[1]->data + a->offset * (int64_t)w;
    for (int64_t r = 0; r < n; r++) {
        uint8_t *p = dst[r];
        if (!valid || tn_bit_get(valid, a->offset + r)) {
            p[0] = 1;
            memcpy(p + 1, vals + r * w, (size_t)w);
        } else {
            memset(p, 0, (size_t)w + 1);
        }
        dst[r] = p + 1 + w;
    }
    /* One value per key: -0.0 groups with 0.0 and every NaN with every NaN. */
    if (id == TN_FLOAT64 || id == TN_FLOAT32) {
        for (int64_t r = 0; r < n; r++) {
            uint8_t *p = dst[r] - w;
            if (id == TN_FLOAT64) {
                double d;
                memcpy(&d, p, 8);
                if (d == 0.0 || isnan(d)) {
                    d = isnan(d) ? NAN : 0.0;
                    memcpy(p, &d, 8);
                }
            } else {
                float f;
                memcpy(&f, p, 4);
                if (f == 0.0f || isnan(f)) {
                    f = isnan(f) ? NAN : 0.0f;
                    memcpy(p, &f, 4);
                }
            }
        }
    }
}

void tn_codec_encode(const tn_array *a, int64_t n, uint8_t **dst)
{
    if (is_bytes(a->type->id))
        encode_bytes(a, n, dst);
    else
        encode_fixed(a, n, dst);
}

int64_t tn_codec_size_at(const tn_type *t, const uint8_t *p)
{
    if (!is_bytes(t->id))
        return tn_codec_fixed_size(t);
    uint32_t len;
    memcpy(&len, p + 1, 4);
    return 5 + (int64_t)len;
}

/* A validity bitmap for n rows from the flag bytes; NULL (no nulls) when
 * every row is valid. */
static int make_validity(const uint8_t **src, int64_t n, tn_buffer **out, int64_t *nulls, tarn_error *err)
{
    *out = NULL;
    *nulls = 0;
    for (int64_t r = 0; r < n; r++)
        *nulls += src[r][0] == 0;
    if (*nulls == 0)
        return 0;
    tn_buffer *v = tn_buffer_new_zeroed(tn_bitmap_bytes(n));
    TN_TRY_ALLOC(v, err, (size_t)tn_bitmap_bytes(n));
    for (int64_t r = 0; r < n; r++)
        if (src[r][0])
            tn_bit_set(v->data, r);
    *out = v;
    return 0;
}

static int decode_fixed(tn_type *t, const uint8_t **src, int64_t n, tn_array **out, tarn_error *err)
{
    int32_t w = value_width(t);
    tn_buffer *valid = NULL;
    int64_t nulls;
    TN_TRY(make_validity(src, n, &valid, &nulls, err));
    int64_t bytes = t->id == TN_BOOL ? tn_bitmap_bytes(n) : n * w;
    tn_buffer *vals = t->id == TN_BOOL ? tn_buffer_new_zeroed(bytes) : tn_buffer_new(bytes);
    tn_array *a = vals ? tn_array_new(t, n, 2, 0) : NULL;
    if (!a) {
        tn_buffer_unref(valid);
        tn_buffer_unref(vals);
        return tn_error_oom(err, (size_t)bytes);
    }
    a->buffers[0] = valid;
    a->buffers[1] = vals;
    a->null_count = nulls;
    if (t->id == TN_BOOL) {
        for (int64_t r = 0; r < n; r++) {
            if (src[r][1])
                tn_bit_set(vals->data, r);
            src[r] += 2;
        }
    } else {
        for (int64_t r = 0; r < n; r++) {
            memcpy(vals->data + r * w, src[r] + 1, (size_t)w);
            src[r] += 1 + w;
        }
    }
    *out = a;
    return 0;
}

static int decode_view(tn_type *t, const uint8_t **src, int64_t n, tn_array **out, tarn_error *err)
{
    tn_builder *b = tn_builder_new(t);
    TN_TRY_ALLOC(b, err, sizeof(void *));
    int rc = 0;
    for (int64_t r = 0; r < n && rc == 0; r++) {
        uint32_t len;
        memcpy(&len, src[r] + 1, 4);
        rc = src[r][0] ? tn_builder_append_bytes(b, src[r] + 5, len, err) : tn_builder_append_null(b, err);
        src[r] += 5 + len;
    }
    if (rc == 0)
        rc = tn_builder_finish(b, out, err);
    tn_builder_free(b);
    return rc;
}

static int decode_bytes(tn_type *t, const uint8_t **src, int64_t n, tn_array **out, tarn_error *err)
{
    if (tn_type_is_view(t->id))
        return decode_view(t, src, n, out, err);
    bool large = t->id == TN_LARGE_STRING || t->id == TN_LARGE_BINARY;
    int64_t total = 0;
    for (int64_t r = 0; r < n; r++) {
        uint32_t len;
        memcpy(&len, src[r] + 1, 4);
        total += len;
    }
    if (!large && total > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "%lld bytes of text do not fit a utf8 array", (long long)total);
    tn_buffer *valid = NULL;
    int64_t nulls;
    TN_TRY(make_validity(src, n, &valid, &nulls, err));
    int64_t obytes = (n + 1) * (large ? 8 : 4);
    tn_buffer *offs = tn_buffer_new(obytes);
    tn_buffer *data = tn_buffer_new(total);
    tn_array *a = offs && data ? tn_array_new(t, n, 3, 0) : NULL;
    if (!a) {
        tn_buffer_unref(valid);
        tn_buffer_unref(offs);
        tn_buffer_unref(data);
        return tn_error_oom(err, (size_t)(obytes + total));
    }
    a->buffers[0] = valid;
    a->buffers[1] = offs;
    a->buffers[2] = data;
    a->null_count = nulls;
    int64_t pos = 0;
    for (int64_t r = 0; r < n; r++) {
        uint32_t len;
        memcpy(&len, src[r] + 1, 4);
        if (large)
            ((int64_t *)offs->data)[r] = pos;
        else
            ((int32_t *)offs->data)[r] = (int32_t)pos;
        if (len)
            memcpy(data->data + pos, src[r] + 5, len);
        pos += len;
        src[r] += 5 + len;
    }
    if (large)
        ((int64_t *)offs->data)[n] = pos;
    else
        ((int32_t *)offs->data)[n] = (int32_t)pos;
    *out = a;
    return 0;
}

int tn_codec_decode(tn_type *t, const uint8_t **src, int64_t n, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (t->id == TN_NA) {
        for (int64_t r = 0; r < n; r++)
            src[r] += 1;
        *out = tn_array_new_nulls(t, n);
        TN_TRY_ALLOC(*out, err, sizeof(tn_array));
        return 0;
    }
    if (is_bytes(t->id))
        return decode_bytes(t, src, n, out, err);
    return decode_fixed(t, src, n, out, err);
}
