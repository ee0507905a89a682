/*
 * buffer.h — reference-counted, 64-byte aligned memory for Arrow arrays.
 *
 * A buffer either owns its bytes (allocated aligned, capacity padded to a
 * multiple of 64 and zero-filled past `size`), or is a zero-copy slice of a
 * parent buffer (which it keeps alive), or wraps foreign memory (imported
 * through the C Data Interface, or a mapped file) with a release callback.
 * Buffers shared by more than one owner are immutable.
 */
#ifndef TN_ARROW_BUFFER_H
#define TN_ARROW_BUFFER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

typedef struct tn_buffer tn_buffer;

struct tn_buffer {
    _Atomic int64_t refcount;
    uint8_t *data;
    int64_t size;     /* bytes of content */
    int64_t capacity; /* bytes allocated; 0 when not owned */
    tn_buffer *parent;                   /* slices: the buffer they view */
    void (*release)(void *owner);        /* foreign memory: called on last unref */
    void *owner;
};

/* A new owned buffer of `size` bytes (contents undefined up to size, zero
 * beyond). NULL when memory is refused. */
tn_buffer *tn_buffer_new(int64_t size);
/* Same, with the contents zeroed. */
tn_buffer *tn_buffer_new_zeroed(int64_t size);
/* A new owned buffer holding a copy of n bytes. */
tn_buffer *tn_buffer_copy_of(const void *p, int64_t n);
/* Resize an owned, unshared buffer; keeps the contents up to the smaller
 * size and zeroes new bytes. On failure the buffer is unchanged. */
int tn_buffer_resize(tn_buffer *b, int64_t size, tarn_error *err) TN_MUST_USE;
/* Ensure capacity for at least `capacity` bytes without changing size. */
int tn_buffer_reserve(tn_buffer *b, int64_t capacity, tarn_error *err) TN_MUST_USE;
/* A zero-copy view of bytes [offset, offset+size) of parent. */
tn_buffer *tn_buffer_slice(tn_buffer *parent, int64_t offset, int64_t size);
/* Wrap foreign memory; release(owner) runs when the last reference goes. */
tn_buffer *tn_buffer_wrap(const void *data, int64_t size, void (*release)(void *owner), void *owner);

tn_buffer *tn_buffer_ref(tn_buffer *b);
void tn_buffer_unref(tn_buffer *b);

#endif
