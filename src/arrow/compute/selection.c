/*
 * selection.c — filter, take and concatenate for every type, nested ones
 * included.
 *
 * Everything reduces to one gather, take_idx: given int64 row numbers
 * (already bounds-checked) and an optional validity of the indices, build
 * the rows of an array. Fixed widths gather with a loop per width;
 * offset-based layouts copy bytes; views gather their 16-byte views and
 * share the data buffers; lists gather the child rows they span; struct
 * children and dictionary indices gather with the same rows. Filter turns
 * its mask into row numbers first (a byte of mask at a time).
 */
#include "arrow/compute/kernel.h"

static int take_idx(tn_array *a, const int64_t *idx, const uint8_t *ivalid, int64_t n, tn_array **out,
                    tarn_error *err);

/* Gather fixed-width values of w bytes; base already points at row 0. */
TN_HOT static void gather_fixed(uint8_t *dst, const uint8_t *base, int32_t w, const int64_t *idx, int64_t n)
{
    switch (w) {
#define G(W, T)                                         \
    case W: {                                           \
        T *d = (T *)dst;                                \
        const T *s = (const T *)base;                   \
        for (int64_t k = 0; k < n; k++)                 \
            d[k] = s[idx[k]];                           \
        return;                                         \
    }
        G(1, uint8_t) G(2, uint16_t) G(4, uint32_t) G(8, uint64_t)
#undef G
    case 16: {
        for (int64_t k = 0; k < n; k++)
            memcpy(dst + 16 * k, base + 16 * idx[k], 16);
        return;
    }
    default:
        for (int64_t k = 0; k < n; k++)
            memcpy(dst + (int64_t)w * k, base + (int64_t)w * idx[k], (size_t)w);
        return;
    }
}

static void gather_bits(uint8_t *dst, const uint8_t *src, int64_t off, const int64_t *idx, int64_t n)
{
    int64_t whole = n >> 3;
    for (int64_t b = 0; b < whole; b++) {
        const int64_t *ix = idx + 8 * b;
        uint8_t v = 0;
        for (int j = 0; j < 8; j++) {
            int64_t r = off + ix[j];
            v |= (uint8_t)(((src[r >> 3] >> (r & 7)) & 1) << j);
        }
        dst[b] = v;
    }
    if (n & 7) {
        uint8_t v = 0;
        for (int64_t k = whole * 8; k < n; k++) {
            int64_t r = off + idx[k];
            v |= (uint8_t)(((src[r >> 3] >> (r & 7)) & 1) << (k & 7));
        }
        dst[whole] = v;
    }
}

/* Validity of the gathered rows: index valid and source row valid. */
static int take_validity(tn_array *a, const int64_t *idx, const uint8_t *ivalid, int64_t n, tn_array *o,
                         tarn_error *err)
{
    const uint8_t *bits = tn_kvalid_bits(a);
    if (!ivalid && (!bits || tn_array_null_count(a) == 0)) {
        o->null_count = 0;
        return TARN_OK;
    }
    tn_buffer *v = tn_buffer_new(tn_bitmap_bytes(n));
    TN_TRY_ALLOC(v, err, (size_t)tn_bitmap_bytes(n));
    if (bits)
        gather_bits(v->data, bits, a->offset, idx, n);
    else
        memset(v->data, 0xff, (size_t)tn_bitmap_bytes(n));
    if (ivalid)
        tn_bits_and(v->data, ivalid, 0, n);
    int64_t nulls = n - tn_bitmap_count(v->data, 0, n);
    if (nulls == 0) {
        tn_buffer_unref(v);
        o->null_count = 0;
        return TARN_OK;
    }
    o->buffers[0] = v;
    o->null_count = nulls;
    return TARN_OK;
}

static inline bool row_ok(const uint8_t *ivalid, int64_t k)
{
    return !ivalid || tn_bit_get(ivalid, k);
}

static int take_binary(tn_array *a, const int64_t *idx, const uint8_t *ivalid, int64_t n, tn_array *o,
                       tarn_error *err)
{
    bool large = a->type->id == TN_LARGE_STRING || a->type->id == TN_LARGE_BINARY;
    int64_t total = 0;
    const int32_t *o32 = large ? NULL : TN_OFFSETS32(a);
    const int64_t *o64 = large ? TN_OFFSETS64(a) : NULL;
    for (int64_t k = 0; k < n; k++) {
        int64_t r = idx[k];
        int64_t len = large ? o64[r + 1] - o64[r] : (int64_t)o32[r + 1] - o32[r];
        total += row_ok(ivalid, k) ? len : 0;
    }
    if (!large && total > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "take: %lld bytes do not fit %s offsets", (long long)total,
                            tn_type_id_name(a->type->id));
    tn_buffer *ob = tn_buffer_new((n + 1) * (large ? 8 : 4)), *db = tn_buffer_new(total);
    if (!ob || !db) {
        tn_buffer_unref(ob);
        tn_buffer_unref(db);
        return tn_error_oom(err, (size_t)total);
    }
    o->buffers[1] = ob;
    o->buffers[2] = db;
    const uint8_t *src = a->buffers[2]->data;
    int64_t pos = 0;
    if (large)
        ((int64_t *)ob->data)[0] = 0;
    else
        ((int32_t *)ob->data)[0] = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t r = idx[k];
        int64_t s = large ? o64[r] : o32[r], len = (large ? o64[r + 1] : o32[r + 1]) - s;
        if (row_ok(ivalid, k)) {
            memcpy(db->data + pos, src + s, (size_t)len);
            pos += len;
        }
        if (large)
            ((int64_t *)ob->data)[k + 1] = pos;
        else
            ((int32_t *)ob->data)[k + 1] = (int32_t)pos;
    }
    return TARN_OK;
}

/* The result keeps every data buffer of a: views are gathered as-is. */
static int take_view(tn_array *a, const int64_t *idx, int64_t n, tn_array *o, tarn_error *err)
{
    int32_t nb = a->n_buffers;
    tn_buffer *vb = tn_buffer_new(n * 16);
    TN_TRY_ALLOC(vb, err, (size_t)n * 16);
    gather_fixed(vb->data, a->buffers[1]->data + a->offset * 16, 16, idx, n);
    o->buffers[1] = vb;
    for (int32_t i = 2; i < nb; i++)
        o->buffers[i] = tn_buffer_ref(a->buffers[i]);
    return TARN_OK;
}

static int take_list(tn_array *a, const int64_t *idx, const uint8_t *ivalid, int64_t n, tn_array *o,
                     tarn_error *err)
{
    bool large = a->type->id == TN_LARGE_LIST;
    const int32_t *o32 = large ? NULL : TN_OFFSETS32(a);
    const int64_t *o64 = large ? TN_OFFSETS64(a) : NULL;
    int64_t total = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t r = idx[k];
        if (row_ok(ivalid, k) && tn_array_is_valid(a, r))
            total += large ? o64[r + 1] - o64[r] : (int64_t)o32[r + 1] - o32[r];
    }
    if (!large && total > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "take: %lld list items do not fit 32-bit offsets", (long long)total);
    tn_buffer *ob = tn_buffer_new((n + 1) * (large ? 8 : 4));
    int64_t *cidx = tn_malloc((size_t)(total ? total : 1) * 8);
    if (!ob || !cidx) {
        tn_buffer_unref(ob);
        tn_free(cidx);
        return tn_error_oom(err, (size_t)total * 8);
    }
    o->buffers[1] = ob;
    int64_t pos = 0;
    if (large)
        ((int64_t *)ob->data)[0] = 0;
    else
        ((int32_t *)ob->data)[0] = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t r = idx[k];
        if (row_ok(ivalid, k) && tn_array_is_valid(a, r)) {
            int64_t s = large ? o64[r] : o32[r], e = large ? o64[r + 1] : o32[r + 1];
            for (int64_t j = s; j < e; j++)
                cidx[pos++] = j;
        }
        if (large)
            ((int64_t *)ob->data)[k + 1] = pos;
        else
            ((int32_t *)ob->data)[k + 1] = (int32_t)pos;
    }
    int rc = take_idx(a->children[0], cidx, NULL, total, &o->children[0], err);
    tn_free(cidx);
    return rc;
}

static int take_fixed_list(tn_array *a, const int64_t *idx, const uint8_t *ivalid, int64_t n, tn_array *o,
                           tarn_error *err)
{
    int64_t size = a->type->list_size, m = n * size;
    int64_t *cidx = tn_malloc((size_t)(m ? m : 1) * 8);
    uint8_t *cvalid = ivalid ? tn_malloc((size_t)tn_bitmap_bytes(m) + 1) : NULL;
    if (!cidx || (ivalid && !cvalid)) {
        tn_free(cidx);
        tn_free(cvalid);
        return tn_error_oom(err, (size_t)m * 8);
    }
    for (int64_t k = 0; k < n; k++) {
        bool ok = row_ok(ivalid, k);
        for (int64_t j = 0; j < size; j++) {
            cidx[k * size + j] = ok ? (a->offset + idx[k]) * size + j : 0;
            if (cvalid)
                tn_bit_put(cvalid, k * size + j, ok);
        }
    }
    int rc;
    if (m > 0 && a->children[0]->length == 0) /* only null rows can reach here */
        rc = (o->children[0] = tn_array_new_nulls(a->children[0]->type, m)) ? TARN_OK : tn_error_oom(err, 64);
    else
        rc = take_idx(a->children[0], cidx, cvalid, m, &o->children[0], err);
    tn_free(cidx);
    tn_free(cvalid);
    return rc;
}

static int take_struct(tn_array *a, const int64_t *idx, const uint8_t *ivalid, int64_t n, tn_array *o,
                       tarn_error *err)
{
    int64_t *cidx = tn_malloc((size_t)(n ? n : 1) * 8);
    TN_TRY_ALLOC(cidx, err, (size_t)n * 8);
    for (int64_t k = 0; k < n; k++)
        cidx[k] = a->offset + idx[k];
    int rc = TARN_OK;
    for (int32_t c = 0; c < a->n_children && rc == TARN_OK; c++)
        rc = take_idx(a->children[c], cidx, ivalid, n, &o->children[c], err);
    tn_free(cidx);
    return rc;
}

static int take_idx(tn_array *a, const int64_t *idx, const uint8_t *ivalid, int64_t n, tn_array **out,
                    tarn_error *err)
{
    *out = NULL;
    tn_type *t = a->type;
    if (t->id == TN_NA || (a->length == 0 && n > 0)) { /* the latter: every index is null */
        *out = tn_array_new_nulls(t, n);
        TN_TRY_ALLOC(*out, err, 64);
        return TARN_OK;
    }
    tn_array *o = tn_array_new(t, n, a->n_buffers, a->n_children);
    TN_TRY_ALLOC(o, err, sizeof *o);
    int rc = TARN_OK;
    switch (t->id) {
    case TN_BOOL: {
        tn_buffer *vb = tn_buffer_new(tn_bitmap_bytes(n));
        if (!(o->buffers[1] = vb)) {
            rc = tn_error_oom(err, (size_t)n);
            break;
        }
        gather_bits(vb->data, a->buffers[1]->data, a->offset, idx, n);
        break;
    }
    case TN_STRING: case TN_BINARY: case TN_LARGE_STRING: case TN_LARGE_BINARY:
        rc = take_binary(a, idx, ivalid, n, o, err);
        break;
    case TN_STRING_VIEW: case TN_BINARY_VIEW:
        rc = take_view(a, idx, n, o, err);
        break;
    case TN_LIST: case TN_LARGE_LIST: case TN_MAP:
        rc = take_list(a, idx, ivalid, n, o, err);
        break;
    case TN_FIXED_LIST:
        rc = take_fixed_list(a, idx, ivalid, n, o, err);
        break;
    case TN_STRUCT:
        rc = take_struct(a, idx, ivalid, n, o, err);
        break;
    case TN_DICTIONARY: {
        int32_t w = t->index_type->byte_width;
        tn_buffer *vb = tn_buffer_new(n * w);
        if (!(o->buffers[1] = vb)) {
            rc = tn_error_oom(err, (size_t)(n * w));
            break;
        }
        gather_fixed(vb->data, a->buffers[1]->data + a->offset * w, w, idx, n);
        if (ivalid) /* null index rows: keep index 0, a valid dictionary slot or none */
            for (int64_t k = 0; k < n; k++)
                if (!tn_bit_get(ivalid, k))
                    memset(vb->data + k * w, 0, (size_t)w);
        o->dictionary = tn_array_ref(a->dictionary);
        break;
    }
    default: {
        int32_t w = t->byte_width;
        tn_buffer *vb = tn_buffer_new(n * w);
        if (!(o->buffers[1] = vb)) {
            rc = tn_error_oom(err, (size_t)(n * w));
            break;
        }
        gather_fixed(vb->data, a->buffers[1]->data + a->offset * w, w, idx, n);
        break;
    }
    }
    if (rc == TARN_OK)
        rc = take_validity(a, idx, ivalid, n, o, err);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

/* --- entry points ------------------------------------------------------------------- */

int tn_take(tn_array *in, tn_array *indices, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (!in || !indices)
        return tn_error_set(err, TARN_EINVAL, "take needs an array and indices");
    tn_type_id it = indices->type->id;
    if (!tn_type_is_int(it) && it != TN_NA)
        return tn_error_set(err, TARN_ETYPE, "take indices must be integers, not %s", tn_type_id_name(it));
    int64_t n = indices->length, len = in->length;
    if (it == TN_INT64 && tn_array_null_count(indices) == 0) {
        /* int64 indices without nulls gather in place after one range check */
        const int64_t *v = TN_VALUES(indices, int64_t);
        uint64_t bad = 0;
        for (int64_t k = 0; k < n; k++)
            bad |= (uint64_t)v[k] >= (uint64_t)len; /* negatives wrap to huge */
        if (!bad)
            return take_idx(in, v, NULL, n, out, err);
    }
    int64_t *idx = tn_malloc((size_t)(n ? n : 1) * 8);
    TN_TRY_ALLOC(idx, err, (size_t)n * 8);
    const uint8_t *vbits = it == TN_NA ? NULL : tn_kvalid_bits(indices);
    uint8_t *ivalid = NULL;
    if (it == TN_NA || (vbits && tn_array_null_count(indices) > 0)) {
        ivalid = tn_malloc((size_t)tn_bitmap_bytes(n) + 1);
        if (!ivalid) {
            tn_free(idx);
            return tn_error_oom(err, (size_t)n);
        }
        if (it == TN_NA)
            memset(ivalid, 0, (size_t)tn_bitmap_bytes(n) + 1);
        else
            tn_bitmap_copy(ivalid, 0, vbits, indices->offset, n);
    }
    int64_t bad = 0;
    switch (it) {
#define CONV(ID, T)                                                          \
    case ID: {                                                               \
        const T *v = TN_VALUES(indices, T);                                  \
        for (int64_t k = 0; k < n; k++) {                                    \
            int64_t x = (int64_t)v[k];                                       \
            bool oob = (v[k] > (T)0 && (uint64_t)v[k] >= (uint64_t)len) | (x < 0); \
            bad |= oob;                                                      \
            idx[k] = oob ? 0 : x;                                            \
        }                                                                    \
        break;                                                               \
    }
        TN_FOR_INTS(CONV)
#undef CONV
    default:
        memset(idx, 0, (size_t)n * 8);
        break;
    }
    if (bad) {
        for (int64_t k = 0; k < n; k++) {
            if (ivalid && !tn_bit_get(ivalid, k))
                continue;
            char v[64];
            int64_t x;
            bool oob;
            if (it == TN_UINT64) {
                uint64_t u = TN_VALUES(indices, uint64_t)[k];
                oob = u >= (uint64_t)len;
                snprintf(v, sizeof v, "%llu", (unsigned long long)u);
            } else {
                x = 0;
                switch (it) {
                case TN_INT8: x = TN_VALUES(indices, int8_t)[k]; break;
                case TN_INT16: x = TN_VALUES(indices, int16_t)[k]; break;
                case TN_INT32: x = TN_VALUES(indices, int32_t)[k]; break;
                case TN_INT64: x = TN_VALUES(indices, int64_t)[k]; break;
                case TN_UINT8: x = TN_VALUES(indices, uint8_t)[k]; break;
                case TN_UINT16: x = TN_VALUES(indices, uint16_t)[k]; break;
                case TN_UINT32: x = TN_VALUES(indices, uint32_t)[k]; break;
                default: break;
                }
                oob = x < 0 || x >= len;
                snprintf(v, sizeof v, "%lld", (long long)x);
            }
            if (oob) {
                tn_free(idx);
                tn_free(ivalid);
                return tn_error_set(err, TARN_EINVAL, "take: index %s out of bounds for array of length %lld at row %lld",
                                    v, (long long)len, (long long)k);
            }
        }
    }
    int rc = take_idx(in, idx, ivalid, n, out, err);
    tn_free(idx);
    tn_free(ivalid);
    return rc;
}

int tn_filter_sel(tn_array *in, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (!in || !sel || sel->n < 0 || (sel->n > 0 && !sel->rows))
        return tn_error_set(err, TARN_EINVAL, "filter needs an array and a selection vector");
    int64_t n = sel->n;
    int64_t *idx = tn_malloc((size_t)(n ? n : 1) * 8);
    TN_TRY_ALLOC(idx, err, (size_t)n * 8);
    int32_t bad = 0;
    for (int64_t k = 0; k < n; k++) {
        int32_t r = sel->rows[k];
        bad |= (r < 0) | (r >= in->length);
        idx[k] = r;
    }
    if (bad) {
        for (int64_t k = 0; k < n; k++)
            if (idx[k] < 0 || idx[k] >= in->length) {
                int64_t r = idx[k];
                tn_free(idx);
                return tn_error_set(err, TARN_EINVAL, "selection row %lld out of bounds for %lld rows at position %lld",
                                    (long long)r, (long long)in->length, (long long)k);
            }
    }
    int rc = take_idx(in, idx, NULL, n, out, err);
    tn_free(idx);
    return rc;
}

/* Row numbers of the true, valid bits of a mask, a byte of mask at a time
 * (zero bytes cost one test); returns the count. */
static int64_t mask_rows(const tn_array *mask, int64_t *rows)
{
    const uint8_t *vals = mask->buffers[1]->data, *valid = tn_kvalid_bits(mask);
    int64_t off = mask->offset, len = mask->length, k = 0, i = 0;
    for (; i + 8 <= len; i += 8) {
        uint8_t b = tn_bits_byte(vals, off + i);
        if (valid)
            b &= tn_bits_byte(valid, off + i);
        while (b) {
            rows[k++] = i + __builtin_ctz(b);
            b &= (uint8_t)(b - 1);
        }
    }
    for (; i < len; i++) {
        bool keep = tn_bit_get(vals, off + i) && (!valid || tn_bit_get(valid, off + i));
        rows[k] = i;
        k += keep;
    }
    return k;
}

int tn_filter(tn_array *in, tn_array *mask, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (!in || !mask)
        return tn_error_set(err, TARN_EINVAL, "filter needs an array and a mask");
    if (mask->type->id != TN_BOOL)
        return tn_error_set(err, TARN_ETYPE, "a filter mask must be bool, not %s", tn_type_id_name(mask->type->id));
    if (mask->length != in->length)
        return tn_error_set(err, TARN_EINVAL, "filter mask has %lld rows, the array %lld", (long long)mask->length,
                            (long long)in->length);
    int64_t len = in->length;
    int64_t *rows = tn_malloc((size_t)(len ? len : 1) * 8);
    TN_TRY_ALLOC(rows, err, (size_t)len * 8);
    int64_t n = mask_rows(mask, rows);
    int rc = take_idx(in, rows, NULL, n, out, err); /* rows are in bounds by construction */
    tn_free(rows);
    return rc;
}

/* --- concatenate ------------------------------------------------------------------ */

static int concat(tn_array *const *arrs, int32_t n, tn_array **out, tarn_error *err);

/* Concatenate child slices [starts[i], starts[i]+lens[i]) of child c. */
static int concat_children(tn_array *const *arrs, int32_t n, int32_t c, const int64_t *starts, const int64_t *lens,
                           tn_array **out, tarn_error *err)
{
    tn_array **parts = tn_calloc((size_t)(n ? n : 1), sizeof *parts);
    TN_TRY_ALLOC(parts, err, (size_t)n * sizeof *parts);
    int rc = TARN_OK;
    for (int32_t i = 0; i < n && rc == TARN_OK; i++) {
        tn_array *ch = arrs[i]->children[c];
        if (starts[i] < 0 || lens[i] < 0 || starts[i] + lens[i] > ch->length)
            rc = tn_error_set(err, TARN_ECORRUPT, "concatenate: child %d of input %d is shorter than its parent needs", c, i);
        else if (!(parts[i] = tn_array_slice(ch, starts[i], lens[i])))
            rc = tn_error_oom(err, sizeof(tn_array));
    }
    if (rc == TARN_OK)
        rc = concat(parts, n, out, err);
    for (int32_t i = 0; i < n; i++)
        tn_array_unref(parts[i]);
    tn_free(parts);
    return rc;
}

static int concat_offsets(tn_array *const *arrs, int32_t n, int64_t total, tn_array *o, int64_t *starts,
                          int64_t *lens, tarn_error *err)
{
    bool large = o->type->id == TN_LARGE_STRING || o->type->id == TN_LARGE_BINARY || o->type->id == TN_LARGE_LIST;
    tn_buffer *ob = tn_buffer_new((total + 1) * (large ? 8 : 4));
    TN_TRY_ALLOC(ob, err, (size_t)total * 8);
    o->buffers[1] = ob;
    int64_t base = 0, row = 0;
    for (int32_t i = 0; i < n; i++) {
        const tn_array *a = arrs[i];
        int64_t first = large ? TN_OFFSETS64(a)[0] : TN_OFFSETS32(a)[0];
        int64_t last = large ? TN_OFFSETS64(a)[a->length] : TN_OFFSETS32(a)[a->length];
        starts[i] = first;
        lens[i] = last - first;
        if (!large && base + lens[i] > INT32_MAX)
            return tn_error_set(err, TARN_EOVERFLOW, "concatenate: more than 2^31-1 values for 32-bit offsets of %s",
                                tn_type_id_name(o->type->id));
        for (int64_t k = 0; k < a->length; k++) {
            int64_t v = (large ? TN_OFFSETS64(a)[k] : TN_OFFSETS32(a)[k]) - first + base;
            if (large)
                ((int64_t *)ob->data)[row + k] = v;
            else
                ((int32_t *)ob->data)[row + k] = (int32_t)v;
        }
        row += a->length;
        base += lens[i];
    }
    if (large)
        ((int64_t *)ob->data)[total] = base;
    else
        ((int32_t *)ob->data)[total] = (int32_t)base;
    return TARN_OK;
}

static int concat_dictionary(tn_array *const *arrs, int32_t n, int64_t total, tn_array *o, tarn_error *err)
{
    bool same = true;
    for (int32_t i = 1; i < n && same; i++)
        same = arrs[i]->dictionary == arrs[0]->dictionary || tn_array_equals(arrs[i]->dictionary, arrs[0]->dictionary);
    const tn_type *it = o->type->index_type;
    int32_t w = it->byte_width;
    tn_buffer *ib = tn_buffer_new(total * w);
    TN_TRY_ALLOC(ib, err, (size_t)(total * w));
    o->buffers[1] = ib;
    if (same) {
        int64_t row = 0;
        for (int32_t i = 0; i < n; i++) {
            memcpy(ib->data + row * w, arrs[i]->buffers[1]->data + arrs[i]->offset * w, (size_t)(arrs[i]->length * w));
            row += arrs[i]->length;
        }
        o->dictionary = tn_array_ref(arrs[0]->dictionary);
        return TARN_OK;
    }
    /* rebase: one dictionary made of all of them, indices shifted */
    tn_array **dicts = tn_calloc((size_t)n, sizeof *dicts);
    TN_TRY_ALLOC(dicts, err, (size_t)n * sizeof *dicts);
    for (int32_t i = 0; i < n; i++)
        dicts[i] = arrs[i]->dictionary;
    int rc = concat(dicts, n, &o->dictionary, err);
    tn_free(dicts);
    TN_TRY(rc);
    uint64_t maxv = tn_type_is_signed_int(it->id) ? ((uint64_t)1 << (8 * w - 1)) - 1
                  : w == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * w)) - 1;
    if ((uint64_t)o->dictionary->length - 1 > maxv && o->dictionary->length > 0)
        return tn_error_set(err, TARN_EOVERFLOW, "concatenate: %lld dictionary values do not fit %s indices",
                            (long long)o->dictionary->length, tn_type_id_name(it->id));
    int64_t row = 0, base = 0;
    for (int32_t i = 0; i < n; i++) {
        const tn_array *a = arrs[i];
        for (int64_t k = 0; k < a->length; k++) {
            int64_t v = tn_array_is_valid(a, k) ? tn_array_dict_index(a, k) + base : 0;
            memcpy(ib->data + (row + k) * w, &v, (size_t)w); /* little-endian narrowing */
        }
        row += a->length;
        base += a->dictionary->length;
    }
    return TARN_OK;
}

static int concat_views(tn_array *const *arrs, int32_t n, int64_t total, tn_array **po, tarn_error *err)
{
    int32_t nbuf = 0;
    for (int32_t i = 0; i < n; i++)
        nbuf += arrs[i]->n_buffers - 2;
    tn_array *o = tn_array_new((*po)->type, total, 2 + nbuf, 0);
    TN_TRY_ALLOC(o, err, sizeof *o);
    tn_array_unref(*po);
    *po = o;
    tn_buffer *vb = tn_buffer_new(total * 16);
    TN_TRY_ALLOC(vb, err, (size_t)total * 16);
    o->buffers[1] = vb;
    tn_view *views = (tn_view *)vb->data;
    int64_t row = 0;
    int32_t base = 0;
    for (int32_t i = 0; i < n; i++) {
        const tn_array *a = arrs[i];
        const tn_view *src = (const tn_view *)a->buffers[1]->data + a->offset;
        for (int64_t k = 0; k < a->length; k++) {
            tn_view v = src[k];
            if (v.inl.size > 12)
                v.ref.buffer_index += base;
            views[row + k] = v;
        }
        for (int32_t b = 2; b < a->n_buffers; b++)
            o->buffers[2 + base + b - 2] = tn_buffer_ref(a->buffers[b]);
        base += a->n_buffers - 2;
        row += a->length;
    }
    return TARN_OK;
}

static int concat(tn_array *const *arrs, int32_t n, tn_array **out, tarn_error *err)
{
    *out = NULL;
    tn_type *t = arrs[0]->type;
    int64_t total = 0;
    bool nulls = false;
    for (int32_t i = 0; i < n; i++) {
        if (!tn_type_equals(arrs[i]->type, t)) {
            char a[96], b[96];
            return tn_error_set(err, TARN_ETYPE, "concatenate: input %d is %s, not %s", i,
                                tn_ktype_name(arrs[i]->type, a, sizeof a), tn_ktype_name(t, b, sizeof b));
        }
        total += arrs[i]->length;
        nulls |= tn_array_null_count(arrs[i]) > 0;
    }
    if (t->id == TN_NA) {
        *out = tn_array_new_nulls(t, total);
        TN_TRY_ALLOC(*out, err, 64);
        return TARN_OK;
    }
    tn_array *o = tn_array_new(t, total, tn_type_is_view(t->id) ? 2 : tn_type_n_buffers(t), t->n_children);
    TN_TRY_ALLOC(o, err, sizeof *o);
    int64_t *starts = tn_calloc((size_t)n, 8), *lens = tn_calloc((size_t)n, 8);
    int rc = starts && lens ? TARN_OK : tn_error_oom(err, (size_t)n * 16);
    if (rc == TARN_OK) {
        switch (t->id) {
        case TN_BOOL: {
            tn_buffer *vb = tn_buffer_new(tn_bitmap_bytes(total));
            if (!(o->buffers[1] = vb)) {
                rc = tn_error_oom(err, (size_t)total);
                break;
            }
            int64_t row = 0;
            for (int32_t i = 0; i < n; i++) {
                tn_bitmap_copy(vb->data, row, arrs[i]->buffers[1]->data, arrs[i]->offset, arrs[i]->length);
                row += arrs[i]->length;
            }
            break;
        }
        case TN_STRING: case TN_BINARY: case TN_LARGE_STRING: case TN_LARGE_BINARY: {
            rc = concat_offsets(arrs, n, total, o, starts, lens, err);
            if (rc)
                break;
            int64_t bytes = 0;
            for (int32_t i = 0; i < n; i++)
                bytes += lens[i];
            tn_buffer *db = tn_buffer_new(bytes);
            if (!(o->buffers[2] = db)) {
                rc = tn_error_oom(err, (size_t)bytes);
                break;
            }
            int64_t pos = 0;
            for (int32_t i = 0; i < n; i++) {
                if (lens[i])
                    memcpy(db->data + pos, arrs[i]->buffers[2]->data + starts[i], (size_t)lens[i]);
                pos += lens[i];
            }
            break;
        }
        case TN_STRING_VIEW: case TN_BINARY_VIEW:
            rc = concat_views(arrs, n, total, &o, err);
            break;
        case TN_LIST: case TN_LARGE_LIST: case TN_MAP:
            rc = concat_offsets(arrs, n, total, o, starts, lens, err);
            if (rc == TARN_OK)
                rc = concat_children(arrs, n, 0, starts, lens, &o->children[0], err);
            break;
        case TN_FIXED_LIST:
            for (int32_t i = 0; i < n; i++) {
                starts[i] = arrs[i]->offset * t->list_size;
                lens[i] = arrs[i]->length * t->list_size;
            }
            rc = concat_children(arrs, n, 0, starts, lens, &o->children[0], err);
            break;
        case TN_STRUCT:
            for (int32_t i = 0; i < n; i++) {
                starts[i] = arrs[i]->offset;
                lens[i] = arrs[i]->length;
            }
            for (int32_t c = 0; c < t->n_children && rc == TARN_OK; c++)
                rc = concat_children(arrs, n, c, starts, lens, &o->children[c], err);
            break;
        case TN_DICTIONARY:
            rc = concat_dictionary(arrs, n, total, o, err);
            break;
        default: {
            int32_t w = t->byte_width;
            tn_buffer *vb = tn_buffer_new(total * w);
            if (!(o->buffers[1] = vb)) {
                rc = tn_error_oom(err, (size_t)(total * w));
                break;
            }
            int64_t row = 0;
            for (int32_t i = 0; i < n; i++) {
                if (arrs[i]->length)
                    memcpy(vb->data + row * w, arrs[i]->buffers[1]->data + arrs[i]->offset * w,
                           (size_t)(arrs[i]->length * w));
                row += arrs[i]->length;
            }
            break;
        }
        }
    }
    if (rc == TARN_OK && nulls) {
        tn_buffer *v = tn_buffer_new(tn_bitmap_bytes(total));
        if (!v) {
            rc = tn_error_oom(err, (size_t)total);
        } else {
            int64_t row = 0;
            for (int32_t i = 0; i < n; i++) {
                const uint8_t *bits = tn_kvalid_bits(arrs[i]);
                if (bits)
                    tn_bitmap_copy(v->data, row, bits, arrs[i]->offset, arrs[i]->length);
                else
                    tn_bitmap_fill(v->data, row, arrs[i]->length, true);
                row += arrs[i]->length;
            }
            o->buffers[0] = v;
        }
    }
    tn_free(starts);
    tn_free(lens);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    o->null_count = -1;
    tn_array_null_count(o);
    *out = o;
    return TARN_OK;
}

int tn_concatenate(tn_array *const *arrays, int32_t n, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (!arrays || n <= 0)
        return tn_error_set(err, TARN_EINVAL, "concatenate needs at least one array");
    for (int32_t i = 0; i < n; i++)
        if (!arrays[i])
            return tn_error_set(err, TARN_EINVAL, "concatenate: input %d is missing", i);
    return concat(arrays, n, out, err);
}
