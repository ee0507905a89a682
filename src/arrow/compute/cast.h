/*
 * cast.h — what cast.c and cast_string.c share (private): the wide stage
 * values pass through, the failure bookkeeping, and value formatting for
 * error messages and casts to text.
 */
#ifndef TN_ARROW_COMPUTE_CAST_H
#define TN_ARROW_COMPUTE_CAST_H

#include "arrow/compute/decimal.h"
#include "arrow/compute/kernel.h"

typedef enum tn_stage_kind { TN_STAGE_I64, TN_STAGE_F64, TN_STAGE_D128, TN_STAGE_D256 } tn_stage_kind;

/* n values in one wide representation, plus a failure byte per row
 * (0 ok, 1 does not parse, 2 out of range). */
typedef struct tn_stage {
    tn_stage_kind kind;
    int64_t n;
    int32_t scale; /* decimal stages */
    int64_t *w;
    double *f;
    tn_i128 *d128;
    tn_i256 *d256;
    uint8_t *bad;
    void *scratch;
} tn_stage;

int tn_stage_init(tn_stage *s, tn_stage_kind kind, int64_t n, int32_t scale, tarn_error *err) TN_MUST_USE;
void tn_stage_reset(tn_stage *s);
/* Store the stage into dst (values buffer of a `to` array), flagging rows
 * out of range. */
int tn_stage_store(tn_stage *s, const tn_type *to, uint8_t *dst, tarn_error *err) TN_MUST_USE;

int tn_copy_validity(tn_array *a, tn_buffer **out, tarn_error *err) TN_MUST_USE;
int tn_cast_finish(tn_array *in, tn_array *out, const uint8_t *bad, tn_cast_mode mode, tarn_error *err) TN_MUST_USE;
int tn_cast_error(tn_array *in, const tn_type *to, int64_t row, int kind, tarn_error *err);

bool tn_cast_string_supported(const tn_type *from, const tn_type *to);
int tn_cast_string(tn_array *in, tn_type *to, tn_cast_mode mode, tn_array **out, tarn_error *err) TN_MUST_USE;

/* Shortest text that reads back as the same double ("0.1", "1e+300",
 * "inf", "-inf", "nan"); buf needs 32 bytes; returns the length. */
int tn_format_double(double v, char *buf);
int tn_format_float(float v, char *buf);
/* Row i of a primitive or string array as text for messages (truncated to
 * cap); "NULL" for nulls. */
void tn_format_value(tn_array *a, int64_t i, char *buf, size_t cap);

#endif
