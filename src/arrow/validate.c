/*
 * validate.c — checks that an array's buffers and children hold what its
 * type and length promise, before anyone indexes into them. Arrays decoded
 * from outside bytes (IPC, C Data Interface imports) pass through here.
 *
 *   MINIMAL  buffer and child counts, buffer sizes for offset + length
 *   DEFAULT  + the first and last offset of variable-size layouts in bounds
 *   FULL     + every offset monotonic and in bounds, every view in bounds,
 *              UTF-8 of string types, dictionary indices in range, null counts
 *
 * Messages say what is wrong and where ("element 3"); callers prefix them
 * with the field and the file.
 */
#include <inttypes.h>

#include "arrow/c_data.h"
#include "arrow/utf8.h"

#define BAD(...) TN_CORRUPT(err, __VA_ARGS__)

static int need_bytes(const tn_array *a, int32_t i, int64_t bytes, const char *what, tarn_error *err)
{
    const tn_buffer *b = a->buffers[i];
    if (bytes == 0)
        return TARN_OK;
    if (!b)
        return BAD("invalid %s array: missing %s buffer", tn_type_id_name(a->type->id), what);
    if (b->size < bytes)
        return BAD("invalid %s array: %s buffer has %" PRId64 " bytes, %" PRId64 " needed",
                   tn_type_id_name(a->type->id), what, b->size, bytes);
    return TARN_OK;
}

static int check_offsets(const tn_array *a, int64_t limit, const char *limit_what, tarn_validate_level level,
                         tarn_error *err)
{
    bool large = a->type->id == TN_LARGE_STRING || a->type->id == TN_LARGE_BINARY ||
                 a->type->id == TN_LARGE_LIST;
    int64_t w = large ? 8 : 4;
    if (a->length == 0 && !a->buffers[1])
        return TARN_OK;
    TN_TRY(need_bytes(a, 1, (a->offset + a->length + 1) * w, "offsets", err));
    if (level < TARN_VALIDATE_DEFAULT)
        return TARN_OK;
    const uint8_t *p = a->buffers[1]->data;
#define OFF(k) (large ? ((const int64_t *)p)[a->offset + (k)] : (int64_t)((const int32_t *)p)[a->offset + (k)])
    int64_t first = OFF(0), last = OFF(a->length);
    if (first < 0 || last < first || last > limit)
        return BAD("invalid %s array: offsets [%" PRId64 ", %" PRId64 "] outside the %" PRId64 " %s",
                   tn_type_id_name(a->type->id), first, last, limit, limit_what);
    if (level >= TARN_VALIDATE_FULL) {
        for (int64_t k = 0; k < a->length; k++)
            if (OFF(k + 1) < OFF(k) || OFF(k + 1) > limit)
                return BAD("invalid %s array: offset of element %" PRId64 " is out of order or bounds",
                           tn_type_id_name(a->type->id), k);
    }
#undef OFF
    return TARN_OK;
}

static int check_views(const tn_array *a, tarn_validate_level level, tarn_error *err)
{
    TN_TRY(need_bytes(a, 1, (a->offset + a->length) * 16, "views", err));
    if (level < TARN_VALIDATE_FULL)
        return TARN_OK;
    int32_t n_data = a->n_buffers - 2;
    for (int64_t k = 0; k < a->length; k++) {
        if (!tn_array_is_valid(a, k))
            continue;
        const tn_view *v = (const tn_view *)a->buffers[1]->data + a->offset + k;
        if (v->inl.size < 0)
            return BAD("invalid view array: element %" PRId64 " has a negative size", k);
        if (v->inl.size <= 12)
            continue;
        int32_t bi = v->ref.buffer_index;
        if (bi < 0 || bi >= n_data || !a->buffers[2 + bi])
            return BAD("invalid view array: element %" PRId64 " names data buffer %d of %d", k, bi, n_data);
        const tn_buffer *d = a->buffers[2 + bi];
        if (v->ref.offset < 0 || (int64_t)v->ref.offset + v->inl.size > d->size)
            return BAD("invalid view array: element %" PRId64 " reaches past data buffer %d", k, bi);
        if (memcmp(v->ref.prefix, d->data + v->ref.offset, 4) != 0)
            return BAD("invalid view array: element %" PRId64 " has a prefix that does not match its data", k);
    }
    return TARN_OK;
}

static int check_utf8(const tn_array *a, tarn_error *err)
{
    for (int64_t k = 0; k < a->length; k++) {
        if (!tn_array_is_valid(a, k))
            continue;
        int64_t n, bad;
        const uint8_t *p = tn_array_bytes(a, k, &n);
        if (!tn_utf8_valid(p, n, &bad))
            return BAD("invalid UTF-8 in element %" PRId64 " at byte %" PRId64, k, bad);
    }
    return TARN_OK;
}

int tn_array_validate(const tn_array *a, tarn_validate_level level, tarn_error *err)
{
    if (level == TARN_VALIDATE_NONE)
        return TARN_OK;
    const tn_type *t = a->type;
    tn_type_id id = t->id;
    if (a->length < 0 || a->offset < 0 || a->offset > INT64_MAX / 2 - a->length)
        return BAD("invalid %s array: length %" PRId64 " at offset %" PRId64, tn_type_id_name(id), a->length,
                   a->offset);
    int32_t want = tn_type_n_buffers(t);
    if (tn_type_is_view(id) ? a->n_buffers < want : a->n_buffers != want)
        return BAD("invalid %s array: %d buffers, expected %d", tn_type_id_name(id), a->n_buffers, want);
    int32_t want_children = id == TN_DICTIONARY ? 0 : t->n_children;
    if (a->n_children != want_children)
        return BAD("invalid %s array: %d children, expected %d", tn_type_id_name(id), a->n_children,
                   want_children);
    if (id == TN_NA)
        return TARN_OK;
    int64_t end = a->offset + a->length;
    TN_TRY(need_bytes(a, 0, a->buffers[0] ? tn_bitmap_bytes(end) : 0, "validity", err));
    if (level >= TARN_VALIDATE_FULL && a->null_count >= 0) {
        int64_t nulls = a->buffers[0] ? a->length - tn_bitmap_count(a->buffers[0]->data, a->offset, a->length) : 0;
        if (nulls != a->null_count)
            return BAD("invalid %s array: null count %" PRId64 " but %" PRId64 " nulls in the bitmap",
                       tn_type_id_name(id), a->null_count, nulls);
    }
    switch (id) {
    case TN_BOOL:
        return need_bytes(a, 1, tn_bitmap_bytes(end), "values", err);
    case TN_STRING: case TN_LARGE_STRING: case TN_BINARY: case TN_LARGE_BINARY: {
        int64_t data = a->buffers[2] ? a->buffers[2]->size : 0;
        TN_TRY(check_offsets(a, data, "bytes of data", level, err));
        if (level >= TARN_VALIDATE_FULL && (id == TN_STRING || id == TN_LARGE_STRING))
            TN_TRY(check_utf8(a, err));
        return TARN_OK;
    }
    case TN_STRING_VIEW: case TN_BINARY_VIEW:
        TN_TRY(check_views(a, level, err));
        if (level >= TARN_VALIDATE_FULL && id == TN_STRING_VIEW)
            TN_TRY(check_utf8(a, err));
        return TARN_OK;
    case TN_LIST: case TN_LARGE_LIST: case TN_MAP: {
        const tn_array *c = a->children[0];
        if (!c)
            return BAD("invalid %s array: missing child", tn_type_id_name(id));
        TN_TRY(check_offsets(a, c->length, "child values", level, err));
        return tn_array_validate(c, level, err);
    }
    case TN_FIXED_LIST: {
        const tn_array *c = a->children[0];
        if (!c)
            return BAD("invalid fixed_size_list array: missing child");
        if (t->list_size > 0 && end > c->length / t->list_size)
            return BAD("invalid fixed_size_list array: child has %" PRId64 " values, %" PRId64 " needed",
                       c->length, end * (int64_t)t->list_size);
        return tn_array_validate(c, level, err);
    }
    case TN_STRUCT:
        for (int32_t i = 0; i < a->n_children; i++) {
            const tn_array *c = a->children[i];
            if (!c)
                return BAD("invalid struct array: missing child '%s'", t->children[i].name);
            if (c->length < end)
                return BAD("invalid struct array: child '%s' has %" PRId64 " values, %" PRId64 " needed",
                           t->children[i].name, c->length, end);
            TN_TRY(tn_array_validate(c, level, err));
        }
        return TARN_OK;
    case TN_DICTIONARY: {
        if (!a->dictionary)
            return BAD("invalid dictionary array: no dictionary");
        if (!tn_type_equals(a->dictionary->type, t->value_type))
            return BAD("invalid dictionary array: dictionary is not of the value type");
        TN_TRY(need_bytes(a, 1, end * (int64_t)t->index_type->byte_width, "indices", err));
        TN_TRY(tn_array_validate(a->dictionary, level, err));
        if (level >= TARN_VALIDATE_FULL) {
            for (int64_t k = 0; k < a->length; k++) {
                if (!tn_array_is_valid(a, k))
                    continue;
                int64_t ix = tn_array_dict_index(a, k);
                if (ix < 0 || ix >= a->dictionary->length)
                    return BAD("invalid dictionary array: index %" PRId64 " of element %" PRId64
                               " outside a dictionary of %" PRId64,
                               ix, k, a->dictionary->length);
            }
        }
        return TARN_OK;
    }
    default:
        return need_bytes(a, 1, end * (int64_t)t->byte_width, "values", err);
    }
}
