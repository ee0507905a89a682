/*
 * kernel.h — what the compute kernels share (private): resolving datums,
 * output allocation, validity combination by bitmap operations, float16
 * conversion and the per-type X-macros that stamp out specialized loops.
 */
#ifndef TN_ARROW_COMPUTE_KERNEL_H
#define TN_ARROW_COMPUTE_KERNEL_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arrow/compute/compute.h"
#include "core/alloc.h"
#include "core/hot.h"

/* An input resolved for a kernel: an array (a reference we hold) and
 * whether it broadcasts (came from a scalar, then it has one row). */
typedef struct tn_kin {
    tn_array *arr;
    bool scalar;
} tn_kin;

int tn_kin_init(tn_kin *k, tn_datum d, tarn_error *err) TN_MUST_USE;
void tn_kin_reset(tn_kin *k);

/* The row count of an element-wise result over ins (array lengths must
 * agree) and sel (rows bounds-checked against that length). */
int tn_kout_rows(const tn_kin *ins, int n_in, const tn_selection *sel, int64_t *n, tarn_error *err) TN_MUST_USE;

/* A new array of a fixed-width type (bool included) with a values buffer
 * for n rows and no validity yet. NULL on no memory. */
tn_array *tn_kout_fixed(tn_type *type, int64_t n);

/* Give out (n rows, offset 0) the AND of the validity of ins at the rows
 * (with sel: at sel->rows). Leaves buffers[0] NULL when nothing is null. */
int tn_kout_validity(tn_array *out, const tn_kin *ins, int n_in, const tn_selection *sel, tarn_error *err) TN_MUST_USE;

/* Validity bitmap of a (NULL when no nulls); bit index includes a->offset. */
static inline const uint8_t *tn_kvalid_bits(const tn_array *a)
{
    return a->n_buffers > 0 && a->buffers[0] ? a->buffers[0]->data : NULL;
}

/* Whether row i (logical, offset not applied) of the resolved input is valid. */
static inline bool tn_kin_valid(const tn_kin *k, int64_t i)
{
    return tn_array_is_valid(k->arr, k->scalar ? 0 : i);
}

/* Row of the input for output row i. */
static inline int64_t tn_krow(const tn_selection *sel, int64_t i)
{
    return sel ? sel->rows[i] : i;
}

/* Eight bits of src starting at bit off. When off is unaligned the second
 * byte read holds bit off+7, so this never reads past the last wanted bit. */
static inline uint8_t tn_bits_byte(const uint8_t *src, int64_t off)
{
    int sh = (int)(off & 7);
    const uint8_t *p = src + (off >> 3);
    return sh ? (uint8_t)((p[0] >> sh) | (p[1] << (8 - sh))) : p[0];
}

/* dst[0..n) bits &= src bits [off, off+n). */
void tn_bits_and(uint8_t *dst, const uint8_t *src, int64_t off, int64_t n);
/* Pack 0/1 bytes into bits (dst offset 0). */
void tn_bits_pack(uint8_t *dst, const uint8_t *bytes, int64_t n);
/* Unpack bits [off, off+n) into 0/1 bytes. */
void tn_bits_unpack(uint8_t *bytes, const uint8_t *src, int64_t off, int64_t n);

/* --- float16 ---------------------------------------------------------------- */

float tn_half_to_float(uint16_t h);
uint16_t tn_float_to_half(float f); /* round to nearest even */


/* --- per-type X-macros -------------------------------------------------------
 * X(ID, CTYPE) for every fixed-width type whose values are plain C numbers. */
#define TN_FOR_INTS(X)                                                                       \
    X(TN_INT8, int8_t) X(TN_INT16, int16_t) X(TN_INT32, int32_t) X(TN_INT64, int64_t)       \
    X(TN_UINT8, uint8_t) X(TN_UINT16, uint16_t) X(TN_UINT32, uint32_t) X(TN_UINT64, uint64_t)
#define TN_FOR_FLOATS(X) X(TN_FLOAT32, float) X(TN_FLOAT64, double)

/* The C storage of a temporal type's values (date32/time32/interval_months
 * are int32, the rest of the single-number kinds int64); 0 if not one. */
static inline int tn_temporal_width(tn_type_id id)
{
    switch (id) {
    case TN_DATE32: case TN_TIME32: case TN_INTERVAL_MONTHS: return 4;
    case TN_DATE64: case TN_TIME64: case TN_TIMESTAMP: case TN_DURATION: return 8;
    default: return 0;
    }
}

/* The integer type id with the same storage as a temporal type. */
static inline tn_type_id tn_storage_id(tn_type_id id)
{
    int w = tn_temporal_width(id);
    return w == 4 ? TN_INT32 : w == 8 ? TN_INT64 : id;
}

/* An error for row `row` of a kernel; formats the type name into the message. */
const char *tn_ktype_name(const tn_type *t, char *buf, size_t cap);

#endif

/* Aligned bits (offset 0) for the n output rows of input k: its boolean
 * values (want_validity false; k must be bool) or its validity (true; all
 * ones when it has no nulls). Scalars broadcast, sel gathers. dst holds
 * tn_bitmap_bytes(n) bytes; bits past n are left undefined. */
void tn_kin_bits(const tn_kin *k, const tn_selection *sel, int64_t n, bool want_validity, uint8_t *dst);

/* Apply *sel to the array inputs (gathering their rows) and clear it: done
 * before a cast, so that rows the selection drops cannot fail the cast. */
int tn_kin_select(tn_kin *ins, int n_in, const tn_selection **sel, tarn_error *err) TN_MUST_USE;

/* Calendar interval arithmetic (interval.c), reached through tn_arith and
 * tn_arith_result_type when an operand is an interval month_day_nano. */
int tn_interval_result_type(tn_arith_op op, const tn_type *a, const tn_type *b, tn_type **out,
                            tarn_error *err) TN_MUST_USE;
int tn_interval_arith(tn_arith_op op, tn_datum a, tn_datum b, const tn_selection *sel, tn_array **out,
                      tarn_error *err) TN_MUST_USE;

/* The common type of two comparison or arithmetic operands and the cast of
 * both resolved inputs to it (in place). */
int tn_kin_cast(tn_kin *k, tn_type *to, tarn_error *err) TN_MUST_USE;
