/*
 * hash.c — row hashes over several columns, for hash joins, aggregation
 * and partitioning.
 *
 * Each column yields one 64-bit hash per row, folded into the running row
 * hash with tn_hash_combine. A value's hash depends only on its logical
 * value: integers (and temporal values) hash their sign-extended 64-bit
 * value, floats their double bits after -0 -> +0 and NaN -> one NaN,
 * decimals their 16/32 little-endian bytes, text and binary their bytes
 * (so every layout of the same text hashes equal), structs and lists the
 * combination of their children, dictionary arrays the hash of the value
 * each index points to. Nulls hash to a fixed constant.
 */
#include "arrow/compute/kernel.h"
#include "core/hash.h"

#define NULL_HASH 0x5bd1e9955bd1e995ULL

static int hash_column(tn_array *a, int64_t start, int64_t n, uint64_t *h, tarn_error *err);

static uint64_t hash_double(double d)
{
    if (d != d)
        d = NAN;
    if (d == 0)
        d = 0;
    uint64_t b;
    memcpy(&b, &d, 8);
    return tn_hash_u64(b);
}

static int hash_list(tn_array *a, int64_t start, int64_t n, uint64_t *h, tarn_error *err)
{
    tn_type_id id = a->type->id;
    int64_t first, last;
    if (id == TN_FIXED_LIST) {
        first = (a->offset + start) * a->type->list_size;
        last = (a->offset + start + n) * a->type->list_size;
    } else if (id == TN_LARGE_LIST) {
        first = TN_OFFSETS64(a)[start];
        last = TN_OFFSETS64(a)[start + n];
    } else {
        first = TN_OFFSETS32(a)[start];
        last = TN_OFFSETS32(a)[start + n];
    }
    int64_t m = last - first;
    uint64_t *ch = tn_malloc((size_t)(m ? m : 1) * 8);
    TN_TRY_ALLOC(ch, err, (size_t)m * 8);
    int rc = hash_column(a->children[0], first, m, ch, err);
    for (int64_t i = 0; i < n && rc == TARN_OK; i++) {
        int64_t s, e, r = start + i;
        if (id == TN_FIXED_LIST) {
            s = (a->offset + r) * a->type->list_size;
            e = s + a->type->list_size;
        } else if (id == TN_LARGE_LIST) {
            s = TN_OFFSETS64(a)[r];
            e = TN_OFFSETS64(a)[r + 1];
        } else {
            s = TN_OFFSETS32(a)[r];
            e = TN_OFFSETS32(a)[r + 1];
        }
        uint64_t x = tn_hash_u64((uint64_t)(e - s) + 0x1234567);
        for (int64_t j = s; j < e; j++)
            x = tn_hash_combine(x, ch[j - first]);
        h[i] = x;
    }
    tn_free(ch);
    return rc;
}

static int hash_column(tn_array *a, int64_t start, int64_t n, uint64_t *h, tarn_error *err)
{
    tn_type *t = a->type;
    int64_t off = a->offset + start;
    const uint8_t *v = a->n_buffers > 1 && a->buffers[1] ? a->buffers[1]->data : NULL;
    switch (tn_storage_id(t->id)) {
    case TN_NA:
        for (int64_t i = 0; i < n; i++)
            h[i] = NULL_HASH;
        return TARN_OK;
    case TN_BOOL:
        for (int64_t i = 0; i < n; i++)
            h[i] = tn_hash_u64(tn_bit_get(v, off + i) + 1);
        break;
#define I(ID, T)                                                      \
    case ID:                                                          \
        for (int64_t i = 0; i < n; i++)                               \
            h[i] = tn_hash_u64((uint64_t)(int64_t)((const T *)v)[off + i]); \
        break;
        I(TN_INT8, int8_t) I(TN_INT16, int16_t) I(TN_INT32, int32_t) I(TN_INT64, int64_t)
        I(TN_UINT8, uint8_t) I(TN_UINT16, uint16_t) I(TN_UINT32, uint32_t) I(TN_UINT64, uint64_t)
#undef I
    case TN_FLOAT16:
        for (int64_t i = 0; i < n; i++)
            h[i] = hash_double(tn_half_to_float(((const uint16_t *)v)[off + i]));
        break;
    case TN_FLOAT32:
        for (int64_t i = 0; i < n; i++)
            h[i] = hash_double(((const float *)v)[off + i]);
        break;
    case TN_FLOAT64:
        for (int64_t i = 0; i < n; i++)
            h[i] = hash_double(((const double *)v)[off + i]);
        break;
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW:
    case TN_BINARY: case TN_LARGE_BINARY: case TN_BINARY_VIEW: case TN_FIXED_BINARY:
        for (int64_t i = 0; i < n; i++) {
            if (!tn_array_is_valid(a, start + i))
                continue; /* nulls get their hash below; views behind them may be garbage */
            int64_t len;
            const uint8_t *p = tn_array_bytes(a, start + i, &len);
            h[i] = tn_hash_bytes(p, (size_t)len, 0);
        }
        break;
    case TN_STRUCT:
        for (int64_t i = 0; i < n; i++)
            h[i] = 0x9e3779b97f4a7c15ULL;
        if (t->n_children) {
            uint64_t *ch = tn_malloc((size_t)(n ? n : 1) * 8);
            TN_TRY_ALLOC(ch, err, (size_t)n * 8);
            for (int32_t c = 0; c < t->n_children; c++) {
                int rc = hash_column(a->children[c], off, n, ch, err);
                if (rc != TARN_OK) {
                    tn_free(ch);
                    return rc;
                }
                for (int64_t i = 0; i < n; i++)
                    h[i] = tn_hash_combine(h[i], ch[i]);
            }
            tn_free(ch);
        }
        break;
    case TN_LIST: case TN_LARGE_LIST: case TN_MAP: case TN_FIXED_LIST:
        TN_TRY(hash_list(a, start, n, h, err));
        break;
    case TN_DICTIONARY: {
        tn_array *d = a->dictionary;
        uint64_t *dh = tn_malloc((size_t)(d->length ? d->length : 1) * 8);
        TN_TRY_ALLOC(dh, err, (size_t)d->length * 8);
        int rc = hash_column(d, 0, d->length, dh, err);
        for (int64_t i = 0; i < n && rc == TARN_OK; i++) {
            if (!tn_array_is_valid(a, start + i))
                continue;
            int64_t k = tn_array_dict_index(a, start + i);
            if (k < 0 || k >= d->length)
                rc = tn_error_set(err, TARN_ECORRUPT, "dictionary index %lld out of range at row %lld", (long long)k,
                                  (long long)(start + i));
            else
                h[i] = dh[k];
        }
        tn_free(dh);
        TN_TRY(rc);
        break;
    }
    default: { /* decimals, intervals: their bytes */
        int32_t w = t->byte_width;
        for (int64_t i = 0; i < n; i++)
            h[i] = tn_hash_bytes(v + (off + i) * w, (size_t)w, 0);
        break;
    }
    }
    const uint8_t *valid = tn_kvalid_bits(a);
    if (valid)
        for (int64_t i = 0; i < n; i++)
            h[i] = tn_bit_get(valid, off + i) ? h[i] : NULL_HASH;
    return TARN_OK;
}

int tn_hash_rows(tn_array *const *cols, int32_t n_cols, uint64_t seed, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (!cols || n_cols <= 0)
        return tn_error_set(err, TARN_EINVAL, "hashing needs at least one column");
    int64_t n = cols[0] ? cols[0]->length : 0;
    for (int32_t c = 0; c < n_cols; c++) {
        if (!cols[c])
            return tn_error_set(err, TARN_EINVAL, "hash column %d is missing", c);
        if (cols[c]->length != n)
            return tn_error_set(err, TARN_EINVAL, "hash column %d has %lld rows, column 0 has %lld", c,
                                (long long)cols[c]->length, (long long)n);
    }
    tn_array *o = tn_kout_fixed(tn_type_get(TN_UINT64), n);
    TN_TRY_ALLOC(o, err, (size_t)n * 8);
    uint64_t *h = (uint64_t *)o->buffers[1]->data;
    uint64_t *ch = n_cols > 1 ? tn_malloc((size_t)(n ? n : 1) * 8) : NULL;
    int rc = (n_cols > 1 && !ch) ? tn_error_oom(err, (size_t)n * 8) : TARN_OK;
    if (rc == TARN_OK)
        rc = hash_column(cols[0], 0, n, h, err);
    if (rc == TARN_OK) {
        uint64_t s = tn_hash_u64(seed);
        for (int64_t i = 0; i < n; i++)
            h[i] = tn_hash_combine(s, h[i]);
    }
    for (int32_t c = 1; c < n_cols && rc == TARN_OK; c++) {
        rc = hash_column(cols[c], 0, n, ch, err);
        for (int64_t i = 0; i < n && rc == TARN_OK; i++)
            h[i] = tn_hash_combine(h[i], ch[i]);
    }
    tn_free(ch);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    o->null_count = 0;
    *out = o;
    return TARN_OK;
}
