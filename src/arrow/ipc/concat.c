/*
 * concat.c — appends one array to another of the same type into new
 * buffers. The IPC reader needs it for delta dictionary batches, which
 * extend the dictionary already in force. Inputs may be slices: offsets are
 * rebased, bitmaps shifted, children sliced to the ranges their parents use.
 * View arrays keep their data buffers (shared, not copied) and renumber the
 * buffer indexes of the second part.
 */
#include <string.h>

#include "arrow/ipc/ipc_int.h"
#include "core/alloc.h"

static int oom(tarn_error *err)
{
    return tn_error_oom(err, 0);
}

static tn_buffer *concat_bits(const tn_buffer *x, int64_t xo, int64_t n, const tn_buffer *y, int64_t yo, int64_t m)
{
    tn_buffer *o = tn_buffer_new_zeroed(tn_bitmap_bytes(n + m));
    if (!o)
        return NULL;
    if (x)
        tn_bitmap_copy(o->data, 0, x->data, xo, n);
    else
        tn_bitmap_fill(o->data, 0, n, true);
    if (y)
        tn_bitmap_copy(o->data, n, y->data, yo, m);
    else
        tn_bitmap_fill(o->data, n, m, true);
    return o;
}

static int64_t off_at(const tn_array *a, int64_t i, bool large)
{
    return large ? TN_OFFSETS64(a)[i] : TN_OFFSETS32(a)[i];
}

/* Offsets of a then b, each rebased so that b continues where a ends. */
static int concat_offsets(const tn_array *a, const tn_array *b, bool large, tn_buffer **out, tarn_error *err)
{
    int w = large ? 8 : 4;
    int64_t n = a->length, m = b->length;
    int64_t a0 = off_at(a, 0, large), an = off_at(a, n, large), b0 = off_at(b, 0, large);
    int64_t total = (an - a0) + (off_at(b, m, large) - b0);
    if (!large && total > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "concatenated array exceeds 2 GiB of 32-bit offsets");
    tn_buffer *o = *out = tn_buffer_new((n + m + 1) * w);
    if (!o)
        return oom(err);
    for (int64_t i = 0; i <= n + m; i++) {
        int64_t v = i <= n ? off_at(a, i, large) - a0 : off_at(b, i - n, large) - b0 + (an - a0);
        if (large)
            ((int64_t *)o->data)[i] = v;
        else
            ((int32_t *)o->data)[i] = (int32_t)v;
    }
    return TARN_OK;
}

static int concat_range(tn_array *a, int64_t ao, int64_t an, tn_array *b, int64_t bo, int64_t bn, tn_array **out,
                        tarn_error *err)
{
    tn_array *x = tn_array_slice(a, ao, an), *y = tn_array_slice(b, bo, bn);
    int rc = x && y ? tn_ipc_concat(x, y, out, err) : oom(err);
    tn_array_unref(x);
    tn_array_unref(y);
    return rc;
}

static tn_buffer *concat_bytes(const uint8_t *x, int64_t xn, const uint8_t *y, int64_t yn)
{
    tn_buffer *o = tn_buffer_new(xn + yn);
    if (o) {
        if (xn)
            memcpy(o->data, x, (size_t)xn);
        if (yn)
            memcpy(o->data + xn, y, (size_t)yn);
    }
    return o;
}

static int concat_views(tn_array *a, tn_array *b, tn_array *o, tarn_error *err)
{
    int64_t n = a->length, m = b->length;
    int32_t na = a->n_buffers - 2;
    if (!(o->buffers[1] = tn_buffer_new(16 * (n + m))))
        return oom(err);
    tn_view *v = (tn_view *)o->buffers[1]->data;
    if (n)
        memcpy(v, a->buffers[1]->data + 16 * a->offset, (size_t)(16 * n));
    if (m)
        memcpy(v + n, b->buffers[1]->data + 16 * b->offset, (size_t)(16 * m));
    for (int64_t i = n; i < n + m; i++)
        if (v[i].inl.size > 12)
            v[i].ref.buffer_index += na;
    for (int32_t i = 2; i < a->n_buffers; i++)
        o->buffers[i] = tn_buffer_ref(a->buffers[i]);
    for (int32_t i = 2; i < b->n_buffers; i++)
        o->buffers[na + i] = tn_buffer_ref(b->buffers[i]);
    return TARN_OK;
}

static int concat_layout(tn_array *a, tn_array *b, tn_array *o, tarn_error *err)
{
    const tn_type *t = a->type;
    int64_t n = a->length, m = b->length;
    bool large = t->id == TN_LARGE_STRING || t->id == TN_LARGE_BINARY || t->id == TN_LARGE_LIST;
    switch (t->id) {
    case TN_NA:
        return TARN_OK;
    case TN_BOOL:
        o->buffers[1] = concat_bits(a->buffers[1], a->offset, n, b->buffers[1], b->offset, m);
        return o->buffers[1] ? TARN_OK : oom(err);
    case TN_STRING: case TN_BINARY: case TN_LARGE_STRING: case TN_LARGE_BINARY: {
        TN_TRY(concat_offsets(a, b, large, &o->buffers[1], err));
        int64_t a0 = off_at(a, 0, large), b0 = off_at(b, 0, large);
        o->buffers[2] = concat_bytes(a->buffers[2]->data + a0, off_at(a, n, large) - a0,
                                     b->buffers[2]->data + b0, off_at(b, m, large) - b0);
        return o->buffers[2] ? TARN_OK : oom(err);
    }
    case TN_STRING_VIEW: case TN_BINARY_VIEW:
        return concat_views(a, b, o, err);
    case TN_LIST: case TN_LARGE_LIST: case TN_MAP: {
        TN_TRY(concat_offsets(a, b, large, &o->buffers[1], err));
        int64_t a0 = off_at(a, 0, large), b0 = off_at(b, 0, large);
        return concat_range(a->children[0], a0, off_at(a, n, large) - a0, b->children[0], b0,
                            off_at(b, m, large) - b0, &o->children[0], err);
    }
    case TN_FIXED_LIST: {
        int64_t k = t->list_size;
        return concat_range(a->children[0], a->offset * k, n * k, b->children[0], b->offset * k, m * k,
                            &o->children[0], err);
    }
    case TN_STRUCT:
        for (int32_t i = 0; i < t->n_children; i++)
            TN_TRY(concat_range(a->children[i], a->offset, n, b->children[i], b->offset, m, &o->children[i], err));
        return TARN_OK;
    case TN_DICTIONARY:
        if (a->dictionary != b->dictionary)
            return tn_error_set(err, TARN_EUNSUPPORTED, "delta of a dictionary whose values are dictionary-encoded");
        o->dictionary = tn_array_ref(a->dictionary);
        __attribute__((fallthrough)); /* the indices are fixed-width */
    default: {
        int64_t w = t->id == TN_DICTIONARY ? t->index_type->byte_width : t->byte_width;
        o->buffers[1] = concat_bytes(a->buffers[1]->data + a->offset * w, n * w, b->buffers[1]->data + b->offset * w,
                                     m * w);
        return o->buffers[1] ? TARN_OK : oom(err);
    }
    }
}

int tn_ipc_concat(tn_array *a, tn_array *b, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (!tn_type_equals(a->type, b->type))
        return tn_error_set(err, TARN_ETYPE, "cannot concatenate arrays of different types");
    int64_t n = a->length, m = b->length;
    int32_t nbuf = tn_type_n_buffers(a->type);
    if (tn_type_is_view(a->type->id))
        nbuf = a->n_buffers + b->n_buffers - 2;
    int32_t nkids = a->type->id == TN_DICTIONARY ? 0 : a->type->n_children;
    tn_array *o = tn_array_new(a->type, n + m, nbuf, nkids);
    if (!o)
        return oom(err);
    int rc = TARN_OK;
    if (a->type->id == TN_NA) {
        o->null_count = n + m;
    } else {
        int64_t nulls = tn_array_null_count(a) + tn_array_null_count(b);
        o->null_count = nulls;
        if (nulls > 0) {
            o->buffers[0] = concat_bits(a->buffers[0], a->offset, n, b->buffers[0], b->offset, m);
            if (!o->buffers[0])
                rc = oom(err);
        }
    }
    if (rc == TARN_OK)
        rc = concat_layout(a, b, o, err);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}
