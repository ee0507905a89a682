/*
 * assemble.c — from levels to Arrow arrays.
 *
 * Each node scans the level stream of its first leaf: a position starts one
 * of the node's elements (a slot) when rep <= slot_rep and def >= slot_def,
 * and the element is valid when def >= valid_def (schema.h). A list's
 * offsets count its child's slots between its own; a leaf takes the next
 * dense value for each valid slot. Children built from other leaves must
 * come out with the same number of elements, or the file is corrupt.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/hot.h"
#include "formats/parquet/assemble.h"

static inline bool slot_at(const pq_chunk_data *c, int64_t i, int16_t srep, int16_t sdef)
{
    return (!c->rep || c->rep[i] <= srep) && (c->def ? c->def[i] >= sdef : sdef <= 0);
}

static inline bool valid_at(const pq_chunk_data *c, int64_t i, int16_t vdef)
{
    return c->def ? c->def[i] >= vdef : vdef <= 0;
}

static void free_owner(void *p) { tn_free(p); }

/* Levels of l[0..n) below v (> 0): the nulls of a flat column. A
 * branch-free count, compiled for AVX2 too; it runs on every level of
 * every nullable column read. */
TN_HOT static int64_t levels_below(const uint16_t *l, int64_t n, uint16_t v)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++)
        k += l[i] < v;
    return k;
}

/* Count slots and build the validity bitmap (NULL when all valid). */
static int validity(const pq_node *n, const pq_chunk_data *c, int64_t *len, tn_buffer **bits, int64_t *nulls,
                    tarn_error *err)
{
    int64_t k = 0, nn = 0;
    if (!c->rep && n->slot_def <= 0) { /* flat: every level is a slot */
        k = c->n_levels;
        if (c->def)
            nn = n->valid_def > 0 ? levels_below(c->def, k, (uint16_t)n->valid_def) : 0;
        else
            nn = n->valid_def > 0 ? k : 0;
    } else {
        for (int64_t i = 0; i < c->n_levels; i++)
            if (slot_at(c, i, n->slot_rep, n->slot_def)) {
                k++;
                nn += !valid_at(c, i, n->valid_def);
            }
    }
    *len = k;
    *nulls = nn;
    *bits = NULL;
    if (nn == 0)
        return 0;
    tn_buffer *b = tn_buffer_new_zeroed(tn_bitmap_bytes(k));
    TN_TRY_ALLOC(b, err, (size_t)tn_bitmap_bytes(k));
    k = 0;
    for (int64_t i = 0; i < c->n_levels; i++)
        if (slot_at(c, i, n->slot_rep, n->slot_def)) {
            if (valid_at(c, i, n->valid_def))
                tn_bit_set(b->data, k);
            k++;
        }
    *bits = b;
    return 0;
}

static int corrupt_count(const pq_node *n, int64_t got, int64_t want, tarn_error *err)
{
    return TN_CORRUPT(err, "parquet column \"%s\": %lld values for %lld slots", n->name, (long long)got,
                      (long long)want);
}

/* Converts valid value j of the dense values into out (Arrow width ow). */
static int convert_value(const pq_node *n, const pq_dense *d, int64_t j, uint8_t *out, int32_t ow, tarn_error *err)
{
    switch (n->conv) {
    case PQC_NARROW:
        memcpy(out, d->fixed + 4 * j, (size_t)ow); /* little-endian truncation */
        return 0;
    case PQC_DEC_INT: {
        int64_t v;
        if (d->width == 4) {
            int32_t x;
            memcpy(&x, d->fixed + 4 * j, 4);
            v = x;
        } else {
            memcpy(&v, d->fixed + 8 * j, 8);
        }
        memcpy(out, &v, 8);
        memset(out + 8, v < 0 ? 0xff : 0, (size_t)ow - 8);
        return 0;
    }
    case PQC_DEC_BE: {
        const uint8_t *p;
        int64_t len;
        if (d->width) {
            p = d->fixed + (size_t)d->width * (size_t)j;
            len = d->width;
        } else {
            p = d->data + d->offs[j];
            len = d->offs[j + 1] - d->offs[j];
        }
        if (len > ow)
            return tn_error_set(err, TARN_EOVERFLOW, "parquet column \"%s\": decimal of %lld bytes", n->name,
                                (long long)len);
        uint8_t fill = len > 0 && (p[0] & 0x80) ? 0xff : 0;
        memset(out, fill, (size_t)ow);
        for (int64_t b = 0; b < len; b++)
            out[b] = p[len - 1 - b];
        return 0;
    }
    default:
        memcpy(out, d->fixed + (size_t)d->width * (size_t)j, (size_t)ow);
        return 0;
    }
}

/* Typed loops for the common conversions of columns without nulls; false
 * when the conversion has none (the caller then goes value by value). */
static bool fast_convert(const pq_node *n, const pq_dense *d, uint8_t *out, int32_t ow, int64_t len)
{
    if (len == 0)
        return true;
    if (n->conv == PQC_DEC_INT && ow == 16) {
        int64_t *o = (int64_t *)out;
        if (d->width == 8) {
            const int64_t *s = (const int64_t *)d->fixed;
            for (int64_t k = 0; k < len; k++) {
                o[2 * k] = s[k];
                o[2 * k + 1] = s[k] >> 63;
            }
        } else {
            const int32_t *s = (const int32_t *)d->fixed;
            for (int64_t k = 0; k < len; k++) {
                o[2 * k] = s[k];
                o[2 * k + 1] = s[k] >> 31;
            }
        }
        return true;
    }
    if (n->conv == PQC_NARROW) {
        const int32_t *s = (const int32_t *)d->fixed;
        if (ow == 1)
            for (int64_t k = 0; k < len; k++)
                out[k] = (uint8_t)s[k];
        else
            for (int64_t k = 0; k < len; k++)
                ((uint16_t *)out)[k] = (uint16_t)s[k];
        return true;
    }
    if (n->conv == PQC_COPY && ow == d->width) {
        memcpy(out, d->fixed, (size_t)(len * ow));
        return true;
    }
    return false;
}

int64_t tn_pq_string_limit = INT32_MAX;

static int leaf_array(const pq_node *n, pq_chunk_data *c, tn_array **out, tarn_error *err)
{
    int64_t len, nulls;
    tn_buffer *bits;
    TN_TRY(validity(n, c, &len, &bits, &nulls, err));
    pq_dense *d = &c->values;
    if (n->conv == PQC_NULL) {
        tn_buffer_unref(bits);
        *out = tn_array_new_nulls(n->type, len);
        TN_TRY_ALLOC(*out, err, sizeof(tn_array));
        return 0;
    }
    if (len - nulls != d->n) {
        tn_buffer_unref(bits);
        return corrupt_count(n, d->n, len - nulls, err);
    }
    int nb = n->conv == PQC_BINARY ? 3 : 2;
    tn_array *a = tn_array_new(n->type, len, nb, 0);
    if (!a) {
        tn_buffer_unref(bits);
        return tn_error_oom(err, sizeof *a);
    }
    a->buffers[0] = bits;
    a->null_count = nulls;
    int rc = 0;
    if (n->conv == PQC_BINARY) {
        if (d->data_len > tn_pq_string_limit && !n->large) {
            c->refused = (int64_t)d->data_len;
            rc = tn_error_set(err, TARN_EUNSUPPORTED,
                              "parquet column \"%s\": %lld bytes of strings in %lld values, more than an array with "
                              "32-bit offsets holds", n->name, (long long)d->data_len, (long long)len);
            goto fail;
        }
        size_t ow = n->large ? 8 : 4;
        tn_buffer *offs = tn_buffer_new((len + 1) * (int64_t)ow);
        if (!offs) {
            rc = tn_error_oom(err, (size_t)(len + 1) * ow);
            goto fail;
        }
        a->buffers[1] = offs;
        int64_t j = 0;
        if (n->large) {
            int64_t *o = (int64_t *)offs->data;
            o[0] = 0;
            for (int64_t k = 0; k < len; k++) {
                bool v = !bits || tn_bit_get(bits->data, k);
                o[k + 1] = v ? d->offs[++j] : o[k];
            }
        } else {
            int32_t *o = (int32_t *)offs->data;
            o[0] = 0;
            for (int64_t k = 0; k < len; k++) {
                bool v = !bits || tn_bit_get(bits->data, k);
                o[k + 1] = v ? (int32_t)d->offs[++j] : o[k];
            }
        }
        if (d->data) {
            tn_buffer *data = tn_buffer_wrap(d->data, d->data_len, free_owner, d->data);
            if (!data) {
                rc = tn_error_oom(err, sizeof *data);
                goto fail;
            }
            d->data = NULL;
            d->data_len = d->data_cap = 0;
            a->buffers[2] = data;
        } else if (!(a->buffers[2] = tn_buffer_new(0))) {
            rc = tn_error_oom(err, 64);
            goto fail;
        }
        *out = a;
        return 0;
    }
    if (n->conv == PQC_BOOL) {
        tn_buffer *v = tn_buffer_new_zeroed(tn_bitmap_bytes(len));
        if (!v) {
            rc = tn_error_oom(err, (size_t)tn_bitmap_bytes(len));
            goto fail;
        }
        a->buffers[1] = v;
        int64_t j = 0;
        for (int64_t k = 0; k < len; k++)
            if ((!bits || tn_bit_get(bits->data, k)) && d->fixed[j++])
                tn_bit_set(v->data, k);
        *out = a;
        return 0;
    }
    int32_t ow = n->type->byte_width;
    if (n->conv == PQC_COPY && !bits && ow == d->width && d->fixed) {
        tn_buffer *v = tn_buffer_wrap(d->fixed, len * ow, free_owner, d->fixed);
        if (!v) {
            rc = tn_error_oom(err, sizeof *v);
            goto fail;
        }
        d->fixed = NULL;
        d->fixed_cap = 0;
        a->buffers[1] = v;
        *out = a;
        return 0;
    }
    tn_buffer *v = bits ? tn_buffer_new_zeroed(len * ow) : tn_buffer_new(len * ow);
    if (!v) {
        rc = tn_error_oom(err, (size_t)(len * ow));
        goto fail;
    }
    a->buffers[1] = v;
    if (!bits && fast_convert(n, d, v->data, ow, len)) {
        *out = a;
        return 0;
    }
    int64_t j = 0;
    for (int64_t k = 0; k < len; k++)
        if (!bits || tn_bit_get(bits->data, k))
            if ((rc = convert_value(n, d, j++, v->data + k * ow, ow, err)))
                goto fail;
    *out = a;
    return 0;
fail:
    tn_array_unref(a);
    return rc;
}

static int list_offsets(const pq_node *n, const pq_chunk_data *c, int64_t len, tn_buffer **out, tarn_error *err)
{
    const pq_node *ch = n->children[0];
    tn_buffer *b = tn_buffer_new((len + 1) * 4);
    TN_TRY_ALLOC(b, err, (size_t)(len + 1) * 4);
    int32_t *o = (int32_t *)b->data;
    int64_t k = -1, count = 0;
    o[0] = 0;
    for (int64_t i = 0; i < c->n_levels; i++) {
        if (slot_at(c, i, n->slot_rep, n->slot_def)) {
            k++;
            o[k + 1] = (int32_t)count;
        }
        if (slot_at(c, i, ch->slot_rep, ch->slot_def)) {
            if (k < 0 || count >= INT32_MAX) {
                tn_buffer_unref(b);
                return TN_CORRUPT(err, "parquet column \"%s\": list element outside a list", n->name);
            }
            o[k + 1] = (int32_t)++count;
        }
    }
    *out = b;
    return 0;
}

int tn_pq_assemble(const pq_node *n, pq_chunk_data *chunks, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (n->kind == PQN_LEAF)
        return leaf_array(n, &chunks[n->leaf], out, err);
    const pq_chunk_data *c = &chunks[n->first_leaf];
    int64_t len, nulls;
    tn_buffer *bits;
    TN_TRY(validity(n, c, &len, &bits, &nulls, err));
    bool list = n->kind == PQN_LIST || n->kind == PQN_MAP;
    tn_array *a = tn_array_new(n->type, len, list ? 2 : 1, n->n_children);
    if (!a) {
        tn_buffer_unref(bits);
        return tn_error_oom(err, sizeof *a);
    }
    a->buffers[0] = bits;
    a->null_count = nulls;
    int rc = 0;
    if (list && (rc = list_offsets(n, c, len, &a->buffers[1], err)))
        goto fail;
    for (int32_t i = 0; i < n->n_children; i++) {
        if ((rc = tn_pq_assemble(n->children[i], chunks, &a->children[i], err)))
            goto fail;
        int64_t want = list ? ((int32_t *)a->buffers[1]->data)[len] : len;
        if (a->children[i]->length != want) {
            rc = corrupt_count(n->children[i], a->children[i]->length, want, err);
            goto fail;
        }
    }
    *out = a;
    return 0;
fail:
    tn_array_unref(a);
    return rc;
}
