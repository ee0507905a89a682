/*
 * array.c — arrays, batches and readers: lifetime, slicing, null counts and
 * the generic constructors (all-null and empty arrays of any type).
 */
#include <string.h>

#include "arrow/array.h"
#include "core/alloc.h"

tn_array *tn_array_new(tn_type *type, int64_t length, int32_t n_buffers, int32_t n_children)
{
    if (!type || length < 0 || n_buffers < 0 || n_children < 0)
        return NULL;
    tn_array *a = tn_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->refcount = 1;
    a->length = length;
    a->null_count = -1;
    if (n_buffers && !(a->buffers = tn_calloc((size_t)n_buffers, sizeof(tn_buffer *))))
        goto fail;
    a->n_buffers = n_buffers;
    if (n_children && !(a->children = tn_calloc((size_t)n_children, sizeof(tn_array *))))
        goto fail;
    a->n_children = n_children;
    a->type = tn_type_ref(type);
    return a;
fail:
    tn_free(a->buffers);
    tn_free(a);
    return NULL;
}

tn_array *tn_array_with_validity(const tn_array *a, int64_t n, tn_buffer *bits)
{
    tn_array *r = bits && a->n_buffers > 0 ? tn_array_new(a->type, n, a->n_buffers, a->n_children) : NULL;
    if (!r) {
        tn_buffer_unref(bits);
        return NULL;
    }
    r->offset = a->offset;
    r->buffers[0] = bits;
    for (int32_t b = 1; b < a->n_buffers; b++)
        r->buffers[b] = a->buffers[b] ? tn_buffer_ref(a->buffers[b]) : NULL;
    for (int32_t c = 0; c < a->n_children; c++)
        r->children[c] = tn_array_ref(a->children[c]);
    r->dictionary = a->dictionary ? tn_array_ref(a->dictionary) : NULL;
    return r;
}

tn_array *tn_array_ref(tn_array *a)
{
    if (a)
        atomic_fetch_add_explicit(&a->refcount, 1, memory_order_relaxed);
    return a;
}

void tn_array_unref(tn_array *a)
{
    if (!a || atomic_fetch_sub_explicit(&a->refcount, 1, memory_order_acq_rel) != 1)
        return;
    for (int32_t i = 0; i < a->n_buffers; i++)
        tn_buffer_unref(a->buffers[i]);
    tn_free(a->buffers);
    for (int32_t i = 0; i < a->n_children; i++)
        tn_array_unref(a->children[i]);
    tn_free(a->children);
    tn_array_unref(a->dictionary);
    tn_type_unref(a->type);
    tn_free(a);
}

tn_array *tn_array_slice(tn_array *a, int64_t offset, int64_t length)
{
    if (!a || offset < 0 || length < 0 || offset > a->length || length > a->length - offset)
        return NULL;
    tn_array *s = tn_array_new(a->type, length, a->n_buffers, a->n_children);
    if (!s)
        return NULL;
    for (int32_t i = 0; i < a->n_buffers; i++)
        s->buffers[i] = tn_buffer_ref(a->buffers[i]);
    for (int32_t i = 0; i < a->n_children; i++)
        s->children[i] = tn_array_ref(a->children[i]);
    s->dictionary = tn_array_ref(a->dictionary);
    s->offset = a->offset + offset;
    if (a->type->id == TN_NA)
        s->null_count = length;
    else if (a->null_count == 0 || length == 0)
        s->null_count = 0;
    else if (a->null_count == a->length)
        s->null_count = length;
    return s;
}

int64_t tn_array_null_count(tn_array *a)
{
    if (a->null_count >= 0)
        return a->null_count;
    int64_t n;
    if (a->type->id == TN_NA)
        n = a->length;
    else if (a->n_buffers == 0 || !a->buffers[0])
        n = 0;
    else
        n = a->length - tn_bitmap_count(a->buffers[0]->data, a->offset, a->length);
    a->null_count = n;
    return n;
}

const uint8_t *tn_array_bytes(const tn_array *a, int64_t i, int64_t *len)
{
    switch (a->type->id) {
    case TN_STRING:
    case TN_BINARY: {
        const int32_t *o = TN_OFFSETS32(a);
        *len = o[i + 1] - o[i];
        return a->buffers[2]->data + o[i];
    }
    case TN_LARGE_STRING:
    case TN_LARGE_BINARY: {
        const int64_t *o = TN_OFFSETS64(a);
        *len = o[i + 1] - o[i];
        return a->buffers[2]->data + o[i];
    }
    case TN_STRING_VIEW:
    case TN_BINARY_VIEW: {
        const tn_view *v = (const tn_view *)a->buffers[1]->data + a->offset + i;
        *len = v->inl.size;
        if (v->inl.size <= 12)
            return v->inl.data;
        return a->buffers[2 + v->ref.buffer_index]->data + v->ref.offset;
    }
    case TN_FIXED_BINARY:
        *len = a->type->byte_width;
        return a->buffers[1]->data + (a->offset + i) * a->type->byte_width;
    default:
        *len = 0;
        return NULL;
    }
}

/* Fill the layout of `type` for `length` elements that are all null
 * (validity all zero) or, when length is 0, an empty array. */
static tn_array *make_nulls(tn_type *type, int64_t length)
{
    tn_type *t = type;
    int32_t nb = tn_type_n_buffers(t);
    int32_t nc = t->n_children;
    tn_array *a = tn_array_new(t, length, nb, nc);
    if (!a)
        return NULL;
    a->null_count = length;
    if (t->id == TN_NA)
        return a;
    if (length > 0 && !(a->buffers[0] = tn_buffer_new_zeroed(tn_bitmap_bytes(length))))
        goto fail;
    switch (t->id) {
    case TN_STRING:
    case TN_BINARY:
        if (!(a->buffers[1] = tn_buffer_new_zeroed(4 * (length + 1))) || !(a->buffers[2] = tn_buffer_new(0)))
            goto fail;
        break;
    case TN_LARGE_STRING:
    case TN_LARGE_BINARY:
        if (!(a->buffers[1] = tn_buffer_new_zeroed(8 * (length + 1))) || !(a->buffers[2] = tn_buffer_new(0)))
            goto fail;
        break;
    case TN_STRING_VIEW:
    case TN_BINARY_VIEW:
        if (!(a->buffers[1] = tn_buffer_new_zeroed(16 * length)))
            goto fail;
        break;
    case TN_LIST:
    case TN_MAP:
        if (!(a->buffers[1] = tn_buffer_new_zeroed(4 * (length + 1))) ||
            !(a->children[0] = make_nulls(t->children[0].type, 0)))
            goto fail;
        break;
    case TN_LARGE_LIST:
        if (!(a->buffers[1] = tn_buffer_new_zeroed(8 * (length + 1))) ||
            !(a->children[0] = make_nulls(t->children[0].type, 0)))
            goto fail;
        break;
    case TN_FIXED_LIST:
        if (!(a->children[0] = make_nulls(t->children[0].type, length * t->list_size)))
            goto fail;
        break;
    case TN_STRUCT:
        for (int32_t i = 0; i < nc; i++)
            if (!(a->children[i] = make_nulls(t->children[i].type, length)))
                goto fail;
        break;
    case TN_DICTIONARY:
        if (!(a->buffers[1] = tn_buffer_new_zeroed((int64_t)t->index_type->byte_width * length)) ||
            !(a->dictionary = make_nulls(t->value_type, 0)))
            goto fail;
        break;
    case TN_BOOL:
        if (!(a->buffers[1] = tn_buffer_new_zeroed(tn_bitmap_bytes(length))))
            goto fail;
        break;
    default:
        if (!(a->buffers[1] = tn_buffer_new_zeroed((int64_t)t->byte_width * length)))
            goto fail;
        break;
    }
    if (length == 0) {
        a->null_count = 0;
        tn_buffer_unref(a->buffers[0]);
        a->buffers[0] = NULL;
    }
    return a;
fail:
    tn_array_unref(a);
    return NULL;
}

tn_array *tn_array_new_nulls(tn_type *type, int64_t length)
{
    if (!type || length < 0)
        return NULL;
    return make_nulls(type, length);
}

tn_array *tn_array_new_empty(tn_type *type)
{
    return tn_array_new_nulls(type, 0);
}

/* --- batches ------------------------------------------------------------- */

tn_batch *tn_batch_new(tn_schema *schema, int64_t length)
{
    tn_batch *b = tn_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    if (schema->n_fields && !(b->columns = tn_calloc((size_t)schema->n_fields, sizeof(tn_array *)))) {
        tn_free(b);
        return NULL;
    }
    b->refcount = 1;
    b->schema = tn_schema_ref(schema);
    b->length = length;
    return b;
}

tn_batch *tn_batch_ref(tn_batch *b)
{
    if (b)
        atomic_fetch_add_explicit(&b->refcount, 1, memory_order_relaxed);
    return b;
}

void tn_batch_unref(tn_batch *b)
{
    if (!b || atomic_fetch_sub_explicit(&b->refcount, 1, memory_order_acq_rel) != 1)
        return;
    for (int32_t i = 0; i < b->schema->n_fields; i++)
        tn_array_unref(b->columns[i]);
    tn_free(b->columns);
    tn_schema_unref(b->schema);
    tn_free(b);
}

tn_batch *tn_batch_slice(tn_batch *b, int64_t offset, int64_t length)
{
    if (offset < 0 || length < 0 || offset > b->length || length > b->length - offset)
        return NULL;
    tn_batch *s = tn_batch_new(b->schema, length);
    if (!s)
        return NULL;
    for (int32_t i = 0; i < b->schema->n_fields; i++) {
        if (!(s->columns[i] = tn_array_slice(b->columns[i], offset, length))) {
            tn_batch_unref(s);
            return NULL;
        }
    }
    return s;
}

int tn_batch_check(const tn_batch *b, tarn_error *err)
{
    for (int32_t i = 0; i < b->schema->n_fields; i++) {
        const tn_array *c = b->columns[i];
        const tn_field *f = &b->schema->fields[i];
        if (!c)
            return tn_error_set(err, TARN_EINTERNAL, "column '%s' is missing", f->name);
        if (c->length != b->length)
            return tn_error_set(err, TARN_EINVAL, "column '%s' has %lld rows, the batch %lld", f->name,
                                (long long)c->length, (long long)b->length);
        if (!tn_type_equals(c->type, f->type))
            return tn_error_set(err, TARN_ETYPE, "column '%s' does not have its field's type", f->name);
    }
    return TARN_OK;
}

int tn_batch_push(tn_batch ***items, size_t *n, size_t *cap, tn_batch *b, tarn_error *err)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        tn_batch **grown = tn_realloc(*items, nc * sizeof *grown);
        if (!grown) {
            tn_batch_unref(b);
            return tn_error_oom(err, nc * sizeof *grown);
        }
        *items = grown;
        *cap = nc;
    }
    (*items)[(*n)++] = b;
    return TARN_OK;
}

/* --- readers ------------------------------------------------------------- */

void tn_reader_free(tn_reader *r)
{
    if (!r)
        return;
    tn_schema *s = r->schema;
    if (r->destroy)
        r->destroy(r);
    tn_schema_unref(s);
}

typedef struct list_reader {
    tn_reader base;
    tn_batch **batches;
    int64_t n, next;
} list_reader;

static int list_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    (void)err;
    list_reader *lr = (list_reader *)r;
    *out = lr->next < lr->n ? tn_batch_ref(lr->batches[lr->next++]) : NULL;
    return TARN_OK;
}

static void list_destroy(tn_reader *r)
{
    list_reader *lr = (list_reader *)r;
    for (int64_t i = 0; i < lr->n; i++)
        tn_batch_unref(lr->batches[i]);
    tn_free(lr->batches);
    tn_free(lr);
}

tn_reader *tn_reader_from_batches(tn_schema *schema, tn_batch **batches, int64_t n)
{
    list_reader *lr = tn_calloc(1, sizeof *lr);
    if (!lr)
        return NULL;
    if (n > 0 && !(lr->batches = tn_calloc((size_t)n, sizeof(tn_batch *)))) {
        tn_free(lr);
        return NULL;
    }
    for (int64_t i = 0; i < n; i++)
        lr->batches[i] = tn_batch_ref(batches[i]);
    lr->n = n;
    lr->base.schema = tn_schema_ref(schema);
    lr->base.next = list_next;
    lr->base.destroy = list_destroy;
    return &lr->base;
}

/* --- comparison ---------------------------------------------------------- */

int64_t tn_array_dict_index(const tn_array *a, int64_t i)
{
    const uint8_t *p = a->buffers[1]->data;
    int64_t k = a->offset + i;
    switch (a->type->index_type->id) {
    case TN_INT8: return ((const int8_t *)p)[k];
    case TN_UINT8: return ((const uint8_t *)p)[k];
    case TN_INT16: return ((const int16_t *)p)[k];
    case TN_UINT16: return ((const uint16_t *)p)[k];
    case TN_INT32: return ((const int32_t *)p)[k];
    case TN_UINT32: return ((const uint32_t *)p)[k];
    case TN_INT64: return ((const int64_t *)p)[k];
    default: return (int64_t)((const uint64_t *)p)[k];
    }
}

/* [start, end) of list element i in the child. */
static void list_range(const tn_array *a, int64_t i, int64_t *start, int64_t *end)
{
    switch (a->type->id) {
    case TN_LARGE_LIST:
        *start = TN_OFFSETS64(a)[i];
        *end = TN_OFFSETS64(a)[i + 1];
        break;
    case TN_FIXED_LIST:
        *start = (a->offset + i) * a->type->list_size;
        *end = *start + a->type->list_size;
        break;
    default:
        *start = TN_OFFSETS32(a)[i];
        *end = TN_OFFSETS32(a)[i + 1];
        break;
    }
}

bool tn_array_element_equals(const tn_array *a, int64_t i, const tn_array *b, int64_t j)
{
    bool va = tn_array_is_valid(a, i), vb = tn_array_is_valid(b, j);
    if (va != vb)
        return false;
    if (!va)
        return true;
    tn_type_id id = a->type->id;
    if (id == TN_DICTIONARY)
        return tn_array_element_equals(a->dictionary, tn_array_dict_index(a, i), b->dictionary,
                                       tn_array_dict_index(b, j));
    switch (id) {
    case TN_BOOL:
        return tn_bit_get(a->buffers[1]->data, a->offset + i) == tn_bit_get(b->buffers[1]->data, b->offset + j);
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW:
    case TN_BINARY: case TN_LARGE_BINARY: case TN_BINARY_VIEW: case TN_FIXED_BINARY: {
        int64_t na, nb;
        const uint8_t *pa = tn_array_bytes(a, i, &na), *pb = tn_array_bytes(b, j, &nb);
        return na == nb && (na == 0 || memcmp(pa, pb, (size_t)na) == 0);
    }
    case TN_LIST: case TN_LARGE_LIST: case TN_FIXED_LIST: case TN_MAP: {
        int64_t sa, ea, sb, eb;
        list_range(a, i, &sa, &ea);
        list_range(b, j, &sb, &eb);
        if (ea - sa != eb - sb)
            return false;
        for (int64_t k = 0; k < ea - sa; k++)
            if (!tn_array_element_equals(a->children[0], sa + k, b->children[0], sb + k))
                return false;
        return true;
    }
    case TN_STRUCT:
        for (int32_t k = 0; k < a->n_children; k++)
            if (!tn_array_element_equals(a->children[k], a->offset + i, b->children[k], b->offset + j))
                return false;
        return true;
    default: {
        int32_t w = a->type->byte_width;
        return memcmp(a->buffers[1]->data + (a->offset + i) * w, b->buffers[1]->data + (b->offset + j) * w,
                      (size_t)w) == 0;
    }
    }
}

bool tn_array_equals(const tn_array *a, const tn_array *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->length != b->length)
        return false;
    /* dictionaries are compared by value, so only their value types must agree */
    if (a->type->id == TN_DICTIONARY && b->type->id == TN_DICTIONARY) {
        if (!tn_type_equals(a->type->value_type, b->type->value_type))
            return false;
    } else if (!tn_type_equals(a->type, b->type)) {
        return false;
    }
    for (int64_t i = 0; i < a->length; i++)
        if (!tn_array_element_equals(a, i, b, i))
            return false;
    return true;
}
