/*
 * buffer.c — owned, sliced and foreign buffers (see buffer.h).
 */
#include <string.h>

#include "arrow/buffer.h"
#include "core/alloc.h"

static int64_t padded(int64_t n)
{
    return (n + (TN_ALIGNMENT - 1)) & ~(int64_t)(TN_ALIGNMENT - 1);
}

tn_buffer *tn_buffer_new(int64_t size)
{
    if (size < 0 || size > INT64_MAX / 2)
        return NULL;
    tn_buffer *b = tn_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    int64_t cap = padded(size ? size : 1);
    b->data = tn_malloc_aligned((size_t)cap);
    if (!b->data) {
        tn_free(b);
        return NULL;
    }
    memset(b->data + size, 0, (size_t)(cap - size));
    b->refcount = 1;
    b->size = size;
    b->capacity = cap;
    return b;
}

tn_buffer *tn_buffer_new_zeroed(int64_t size)
{
    tn_buffer *b = tn_buffer_new(size);
    if (b)
        memset(b->data, 0, (size_t)size);
    return b;
}

tn_buffer *tn_buffer_copy_of(const void *p, int64_t n)
{
    tn_buffer *b = tn_buffer_new(n);
    if (b && n)
        memcpy(b->data, p, (size_t)n);
    return b;
}

int tn_buffer_reserve(tn_buffer *b, int64_t capacity, tarn_error *err)
{
    if (capacity <= b->capacity)
        return TARN_OK;
    if (!b->capacity || b->parent || b->release)
        return tn_error_set(err, TARN_EINTERNAL, "cannot grow a buffer that tarn does not own");
    int64_t cap = b->capacity * 2;
    if (cap < capacity)
        cap = padded(capacity);
    uint8_t *d = tn_realloc_aligned(b->data, (size_t)cap);
    TN_TRY_ALLOC(d, err, (size_t)cap);
    memset(d + b->capacity, 0, (size_t)(cap - b->capacity));
    b->data = d;
    b->capacity = cap;
    return TARN_OK;
}

int tn_buffer_resize(tn_buffer *b, int64_t size, tarn_error *err)
{
    if (size < 0)
        return tn_error_set(err, TARN_EINTERNAL, "negative buffer size");
    TN_TRY(tn_buffer_reserve(b, size, err));
    if (size < b->size)
        memset(b->data + size, 0, (size_t)(b->size - size));
    b->size = size;
    return TARN_OK;
}

tn_buffer *tn_buffer_slice(tn_buffer *parent, int64_t offset, int64_t size)
{
    if (!parent || offset < 0 || size < 0 || offset > parent->size || size > parent->size - offset)
        return NULL;
    tn_buffer *b = tn_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->refcount = 1;
    b->data = parent->data + offset;
    b->size = size;
    b->parent = tn_buffer_ref(parent);
    return b;
}

tn_buffer *tn_buffer_wrap(const void *data, int64_t size, void (*release)(void *owner), void *owner)
{
    tn_buffer *b = tn_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->refcount = 1;
    b->data = (uint8_t *)data;
    b->size = size;
    b->release = release;
    b->owner = owner;
    return b;
}

tn_buffer *tn_buffer_ref(tn_buffer *b)
{
    if (b)
        atomic_fetch_add_explicit(&b->refcount, 1, memory_order_relaxed);
    return b;
}

void tn_buffer_unref(tn_buffer *b)
{
    if (!b || atomic_fetch_sub_explicit(&b->refcount, 1, memory_order_acq_rel) != 1)
        return;
    if (b->parent)
        tn_buffer_unref(b->parent);
    else if (b->release)
        b->release(b->owner);
    else if (b->capacity)
        tn_free(b->data);
    tn_free(b);
}
