/*
 * array.h — Arrow arrays, record batches and batch readers inside libtarn.
 *
 * An array is reference counted and immutable once built. Its buffers follow
 * the Arrow C Data Interface order for its type:
 *
 *   type                        buffers                        children
 *   null                        (none)                         -
 *   bool, fixed-width, decimal  validity, values               -
 *   utf8/binary (large too)     validity, offsets, data        -
 *   utf8_view/binary_view       validity, views, data0..dataN  -
 *   list, large_list, map       validity, offsets              1
 *   fixed_size_list, struct     validity                       1 / n
 *   dictionary                  validity, indices              - (+ dictionary)
 *
 * A NULL validity buffer means "no nulls". `offset` counts elements and
 * applies to this array's own buffers; children of struct and fixed-size
 * list arrays are addressed at (parent offset + index), as in Arrow.
 * null_count is -1 while unknown; tn_array_null_count computes it.
 */
#ifndef TN_ARROW_ARRAY_H
#define TN_ARROW_ARRAY_H

#include "arrow/bitmap.h"
#include "arrow/buffer.h"
#include "arrow/type.h"

typedef struct tn_array tn_array;

struct tn_array {
    _Atomic int64_t refcount;
    tn_type *type; /* owned reference */
    int64_t length;
    int64_t offset;
    int64_t null_count; /* -1: not computed */
    int32_t n_buffers;
    tn_buffer **buffers; /* owned references; entries may be NULL */
    int32_t n_children;
    tn_array **children; /* owned references */
    tn_array *dictionary; /* dictionary arrays: the values (owned reference) */
};

/* A new array of the given type (a reference is taken) with n_buffers and
 * n_children NULL slots for the caller to fill. */
tn_array *tn_array_new(tn_type *type, int64_t length, int32_t n_buffers, int32_t n_children);
/* A new array sharing a's buffers, children and dictionary (references),
 * with `bits` (consumed) as its validity bitmap at a's offset; length n
 * (<= a's). NULL on allocation failure (bits is released then). a must
 * have a validity slot (n_buffers > 0). */
tn_array *tn_array_with_validity(const tn_array *a, int64_t n, tn_buffer *bits);
tn_array *tn_array_ref(tn_array *a);
void tn_array_unref(tn_array *a);

/* A zero-copy slice [offset, offset+length) of a; NULL on bad bounds or memory. */
tn_array *tn_array_slice(tn_array *a, int64_t offset, int64_t length);
/* An array of `length` nulls of any type, and an empty array of any type. */
tn_array *tn_array_new_nulls(tn_type *type, int64_t length);
tn_array *tn_array_new_empty(tn_type *type);

int64_t tn_array_null_count(tn_array *a);

static inline bool tn_array_is_valid(const tn_array *a, int64_t i)
{
    if (a->type->id == TN_NA)
        return false;
    const tn_buffer *v = a->n_buffers > 0 ? a->buffers[0] : NULL;
    return !v || tn_bit_get(v->data, a->offset + i);
}

/* Typed pointer to element 0 of the values buffer (buffer 1), offset applied:
 * TN_VALUES(a, int32_t)[i]. Not for bool (bit-packed). */
#define TN_VALUES(a, T) ((const T *)(a)->buffers[1]->data + (a)->offset)
/* Offsets of utf8/binary/list arrays (32- or 64-bit), offset applied. */
#define TN_OFFSETS32(a) ((const int32_t *)(a)->buffers[1]->data + (a)->offset)
#define TN_OFFSETS64(a) ((const int64_t *)(a)->buffers[1]->data + (a)->offset)

/* Bytes of element i of a utf8/binary (any of the three layouts) or
 * fixed-size-binary array. The element must be valid. */
const uint8_t *tn_array_bytes(const tn_array *a, int64_t i, int64_t *len);

/* Index i of a dictionary array, whatever the index type. */
int64_t tn_array_dict_index(const tn_array *a, int64_t i);

/* Logical equality: same type, length, validity and values, whatever the
 * physical offsets, slicing, view buffer layout or (for dictionary arrays)
 * the dictionaries themselves, which are compared through the indices. */
bool tn_array_equals(const tn_array *a, const tn_array *b);
/* Element i of a equals element j of b (both nulls are equal). */
bool tn_array_element_equals(const tn_array *a, int64_t i, const tn_array *b, int64_t j);

/* The 16-byte view of utf8_view/binary_view. */
typedef union tn_view {
    struct {
        int32_t size;
        uint8_t data[12]; /* inline when size <= 12 */
    } inl;
    struct {
        int32_t size;
        uint8_t prefix[4];
        int32_t buffer_index;
        int32_t offset;
    } ref;
} tn_view;

/* --- record batches ------------------------------------------------------ */

typedef struct tn_batch {
    _Atomic int32_t refcount;
    tn_schema *schema; /* owned reference */
    int64_t length;
    tn_array **columns; /* schema->n_fields owned references */
} tn_batch;

/* A batch over schema (a reference is taken) with NULL columns to fill. */
tn_batch *tn_batch_new(tn_schema *schema, int64_t length);
tn_batch *tn_batch_ref(tn_batch *b);
void tn_batch_unref(tn_batch *b);
tn_batch *tn_batch_slice(tn_batch *b, int64_t offset, int64_t length);
/* Check that every column has the batch's length and its field's type. */
int tn_batch_check(const tn_batch *b, tarn_error *err) TN_MUST_USE;

/* Append b (a reference, taken also on failure) to a growable array of
 * batches *items holding *n of *cap slots. */
int tn_batch_push(tn_batch ***items, size_t *n, size_t *cap, tn_batch *b, tarn_error *err) TN_MUST_USE;

/* --- batch readers ------------------------------------------------------- */

/* A pull-based stream of batches sharing one schema. Concrete readers embed
 * this struct first and fill in the callbacks. */
typedef struct tn_reader tn_reader;
struct tn_reader {
    tn_schema *schema; /* owned reference */
    /* Produce the next batch (a new reference) in *out, or *out = NULL at the
     * end of the stream. */
    int (*next)(tn_reader *r, tn_batch **out, tarn_error *err);
    /* Free the concrete reader's state (not the schema). */
    void (*destroy)(tn_reader *r);
};

static inline int tn_reader_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    return r->next(r, out, err);
}
/* Destroys the reader and releases its schema; accepts NULL. */
void tn_reader_free(tn_reader *r);

/* A reader over a fixed list of batches (references are taken). */
tn_reader *tn_reader_from_batches(tn_schema *schema, tn_batch **batches, int64_t n);

#endif
