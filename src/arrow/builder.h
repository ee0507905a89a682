/*
 * builder.h — append values one at a time and finish into an array, for any
 * type. Builders are for code that produces values row by row (text parsers,
 * generators, tests); hot kernels write buffers directly.
 *
 * Nested types: append the element's children first, then close the element
 * on the parent:
 *   list / large_list / map:  append values to tn_builder_child(b, 0), then
 *                             tn_builder_append_list(b) (offset = child length);
 *                             for map, child 0 is the entries struct builder.
 *   fixed_size_list:          append list_size values, then tn_builder_append_list.
 *   struct:                   append one value to every child, then
 *                             tn_builder_append_struct(b).
 *   tn_builder_append_null on a struct or fixed-size list also appends nulls
 *   to its children so their lengths stay in step.
 * Dictionary builders take the value (bytes, int, ...) and intern it.
 *
 * Every append checks the value against the type (range of the integer
 * width, byte width of fixed-size binary) and fails with TARN_EOVERFLOW or
 * TARN_ETYPE otherwise; on failure the builder is unchanged.
 */
#ifndef TN_ARROW_BUILDER_H
#define TN_ARROW_BUILDER_H

#include "arrow/array.h"

typedef struct tn_builder tn_builder;

tn_builder *tn_builder_new(tn_type *type); /* a reference to type is taken; NULL on no memory */
void tn_builder_free(tn_builder *b);
int64_t tn_builder_length(const tn_builder *b);
tn_builder *tn_builder_child(tn_builder *b, int32_t i);

int tn_builder_append_null(tn_builder *b, tarn_error *err) TN_MUST_USE;
int tn_builder_append_nulls(tn_builder *b, int64_t n, tarn_error *err) TN_MUST_USE;
int tn_builder_append_bool(tn_builder *b, bool v, tarn_error *err) TN_MUST_USE;
/* Signed and unsigned ints, date32/64, time32/64, timestamp, duration,
 * interval_months, and the integer of a decimal (unscaled value). */
int tn_builder_append_int(tn_builder *b, int64_t v, tarn_error *err) TN_MUST_USE;
int tn_builder_append_uint(tn_builder *b, uint64_t v, tarn_error *err) TN_MUST_USE;
/* float16 (rounded to nearest), float32, float64. */
int tn_builder_append_double(tn_builder *b, double v, tarn_error *err) TN_MUST_USE;
/* utf8/binary in any layout, fixed-size binary (n must equal byte_width). */
int tn_builder_append_bytes(tn_builder *b, const void *p, int64_t n, tarn_error *err) TN_MUST_USE;
static inline int tn_builder_append_str(tn_builder *b, const char *s, tarn_error *err);
/* The raw little-endian bytes of one fixed-width value: decimal128/256 (16/32
 * bytes), interval day_time (8), month_day_nano (16), or any fixed-width type. */
int tn_builder_append_raw(tn_builder *b, const void *value, tarn_error *err) TN_MUST_USE;
int tn_builder_append_list(tn_builder *b, tarn_error *err) TN_MUST_USE;
int tn_builder_append_struct(tn_builder *b, tarn_error *err) TN_MUST_USE;

/* Finish into *out (a new array) and reset the builder for reuse. */
int tn_builder_finish(tn_builder *b, tn_array **out, tarn_error *err) TN_MUST_USE;

#include <string.h>
static inline int tn_builder_append_str(tn_builder *b, const char *s, tarn_error *err)
{
    return tn_builder_append_bytes(b, s, (int64_t)strlen(s), err);
}

#endif
