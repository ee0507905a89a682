/*
 * compute.h — vectorized compute kernels over Arrow arrays: casts,
 * comparisons, arithmetic, three-valued boolean logic, filter/take/
 * concatenate, multi-key sort indices and row hashing. These are the
 * building blocks of the SQL engine's operators.
 *
 * The model (docs/internals/compute.md has the full story):
 *
 *  - Inputs are datums: an array or a scalar (a type, a null flag and one
 *    value). Datums borrow; kernels never take ownership of their inputs.
 *  - Element-wise kernels accept an optional selection vector (tn_selection:
 *    int32 row numbers). With a selection, row k of the result is computed
 *    from row sel->rows[k] of every array input, so the result has sel->n
 *    rows; without one it has the length of the array inputs (which must
 *    agree). Scalars broadcast. When every input is a scalar and there is
 *    no selection, the result has one row.
 *  - Results are new arrays (offset 0) returned in *out; the caller unrefs
 *    them. On failure *out is NULL and nothing is leaked.
 *  - Nulls: SQL semantics. Element-wise kernels give null where any input
 *    is null (except the Kleene AND/OR and the null tests). Errors (overflow,
 *    division by zero, bad casts) are only raised for rows whose inputs are
 *    all valid; values behind null slots are never looked at for errors.
 */
#ifndef TN_ARROW_COMPUTE_H
#define TN_ARROW_COMPUTE_H

#include "arrow/array.h"

/* --- datums and selections ------------------------------------------------ */

/* A single value of any fixed-width or string/binary type. */
typedef struct tn_scalar {
    tn_type *type; /* owned reference */
    bool is_valid; /* false: SQL NULL */
    union {
        bool b;          /* bool */
        int64_t i;       /* signed ints and every temporal type stored in 32/64 bits */
        uint64_t u;      /* unsigned ints */
        double f;        /* float16/32/64 (narrowed when used) */
        uint8_t raw[32]; /* decimal128/256, intervals: little-endian bytes */
    } v;
    uint8_t *bytes; /* string/binary/fixed binary value (owned copy) */
    int64_t n_bytes;
} tn_scalar;

/* Scalar constructors take a reference to type. NULL on no memory or a
 * type that does not fit the constructor. Free with tn_scalar_free. */
tn_scalar *tn_scalar_null(tn_type *type);
tn_scalar *tn_scalar_bool(bool v);
tn_scalar *tn_scalar_int(tn_type *type, int64_t v);   /* ints, temporal, decimal (unscaled) */
tn_scalar *tn_scalar_uint(tn_type *type, uint64_t v); /* unsigned ints */
tn_scalar *tn_scalar_double(tn_type *type, double v); /* float16/32/64 */
tn_scalar *tn_scalar_raw(tn_type *type, const void *le_bytes); /* decimals, intervals */
tn_scalar *tn_scalar_bytes(tn_type *type, const void *p, int64_t n); /* string/binary kinds */
void tn_scalar_free(tn_scalar *s);
/* A one-row array holding the scalar's value (or a null). */
int tn_scalar_to_array(const tn_scalar *s, tn_array **out, tarn_error *err) TN_MUST_USE;

typedef enum tn_datum_kind { TN_DATUM_ARRAY = 0, TN_DATUM_SCALAR = 1 } tn_datum_kind;

typedef struct tn_datum {
    tn_datum_kind kind;
    tn_array *array;         /* TN_DATUM_ARRAY: borrowed */
    const tn_scalar *scalar; /* TN_DATUM_SCALAR: borrowed */
} tn_datum;

static inline tn_datum tn_datum_of_array(tn_array *a)
{
    tn_datum d = {TN_DATUM_ARRAY, a, NULL};
    return d;
}
static inline tn_datum tn_datum_of_scalar(const tn_scalar *s)
{
    tn_datum d = {TN_DATUM_SCALAR, NULL, s};
    return d;
}
static inline const tn_type *tn_datum_type(tn_datum d)
{
    return d.kind == TN_DATUM_ARRAY ? d.array->type : d.scalar->type;
}
/* The datum as an array of n rows (a new reference): its array, or its
 * scalar repeated n times. */
int tn_datum_to_array(tn_datum d, int64_t n, tn_array **out, tarn_error *err) TN_MUST_USE;

/* A selection vector: the rows of a batch that are still alive, as int32
 * row numbers (a morsel never exceeds 2^31 rows). Rows need not be sorted,
 * and may repeat; every kernel bounds-checks them. This is the one
 * representation kernels accept; a boolean mask becomes one through
 * tn_selection_from_mask, and tn_filter takes masks directly. */
typedef struct tn_selection {
    const int32_t *rows;
    int64_t n;
} tn_selection;

/* Rows of mask (bool array) that are true (null counts as false), written
 * to rows (room for mask->length entries, caller-allocated); *n receives
 * the count. With `within`, only those rows are tested and kept. */
int tn_selection_from_mask(tn_array *mask, const tn_selection *within, int32_t *rows, int64_t *n,
                           tarn_error *err) TN_MUST_USE;

/* --- cast ------------------------------------------------------------------ */

typedef enum tn_cast_mode {
    TN_CAST_STRICT = 0, /* overflow or parse failure is an error naming value and row */
    TN_CAST_TRY = 1     /* TRY_CAST: such values become null */
} tn_cast_mode;

/* Cast every element of in to type to (a reference is taken). Supported:
 * between bool, ints, floats (float16 too), decimal128/256, date32/64,
 * time32/64, timestamp (any unit/tz), duration; between the string and
 * binary layouts; from text to each of those but duration and back to text
 * (ISO-8601 for the temporal types). Dictionary inputs are decoded. See
 * docs/internals/compute.md for the exact rounding and range rules. */
int tn_cast(tn_array *in, tn_type *to, tn_cast_mode mode, tn_array **out, tarn_error *err) TN_MUST_USE;
/* Whether tn_cast supports from -> to (regardless of values). */
bool tn_cast_supported(const tn_type *from, const tn_type *to);

/* --- comparison ------------------------------------------------------------ */

typedef enum tn_cmp_op { TN_CMP_EQ, TN_CMP_NE, TN_CMP_LT, TN_CMP_LE, TN_CMP_GT, TN_CMP_GE } tn_cmp_op;

/* Boolean result, null where either side is null. Operands of different
 * numeric or temporal types are first cast to their common type (see
 * tn_common_type). Floats order NaN after every number and NaN = NaN, as
 * DuckDB and PostgreSQL do, so comparisons agree with sort order. */
int tn_compare(tn_cmp_op op, tn_datum a, tn_datum b, const tn_selection *sel, tn_array **out,
               tarn_error *err) TN_MUST_USE;

/* --- arithmetic ------------------------------------------------------------ */

typedef enum tn_arith_op { TN_ADD, TN_SUB, TN_MUL, TN_DIV, TN_MOD } tn_arith_op;

/* The result type of a op b (a new reference in *out), or an error when
 * the types do not combine. Rules in docs/internals/compute.md. */
int tn_arith_result_type(tn_arith_op op, const tn_type *a, const tn_type *b, tn_type **out,
                         tarn_error *err) TN_MUST_USE;
/* The type both sides of a comparison are cast to. */
int tn_common_type(const tn_type *a, const tn_type *b, tn_type **out, tarn_error *err) TN_MUST_USE;

/* Integer overflow fails with TARN_EOVERFLOW, integer and decimal division
 * or modulo by zero with TARN_EDIVZERO, both naming the operation and row.
 * Floats follow IEEE 754. Integer division truncates toward zero, and the
 * remainder has the sign of the dividend. Timestamps, durations and date32
 * combine as documented (timestamp - timestamp = duration, date32 + int). */
int tn_arith(tn_arith_op op, tn_datum a, tn_datum b, const tn_selection *sel, tn_array **out,
             tarn_error *err) TN_MUST_USE;
int tn_negate(tn_datum a, const tn_selection *sel, tn_array **out, tarn_error *err) TN_MUST_USE;

/* --- boolean logic and null tests ----------------------------------------- */

typedef enum tn_bool_op { TN_AND, TN_OR, TN_XOR } tn_bool_op;

/* Kleene logic: false AND null = false, true OR null = true; XOR is null
 * when either side is null. */
int tn_bool(tn_bool_op op, tn_datum a, tn_datum b, const tn_selection *sel, tn_array **out,
            tarn_error *err) TN_MUST_USE;
int tn_not(tn_datum a, const tn_selection *sel, tn_array **out, tarn_error *err) TN_MUST_USE;
/* Never null. */
int tn_is_null(tn_datum a, const tn_selection *sel, tn_array **out, tarn_error *err) TN_MUST_USE;
int tn_is_not_null(tn_datum a, const tn_selection *sel, tn_array **out, tarn_error *err) TN_MUST_USE;
/* a IS DISTINCT FROM b: never null; two nulls are not distinct. Any
 * comparable type (as tn_compare). */
int tn_is_distinct_from(tn_datum a, tn_datum b, const tn_selection *sel, tn_array **out,
                        tarn_error *err) TN_MUST_USE;

/* --- selection: filter, take, concatenate --------------------------------- */

/* Rows of in where mask is true (null drops the row). Any type. */
int tn_filter(tn_array *in, tn_array *mask, tn_array **out, tarn_error *err) TN_MUST_USE;
/* Rows of in named by a selection vector, in its order. Any type. */
int tn_filter_sel(tn_array *in, const tn_selection *sel, tn_array **out, tarn_error *err) TN_MUST_USE;
/* Gather in[indices[k]]; indices is any integer array; a null index gives a
 * null row; an index outside [0, in->length) fails with TARN_EINVAL naming
 * it and its row. Any type; views and dictionaries share their data. */
int tn_take(tn_array *in, tn_array *indices, tn_array **out, tarn_error *err) TN_MUST_USE;
/* Arrays of one type, end to end. Dictionary arrays with different
 * dictionaries get one dictionary (the concatenation of theirs) and rebased
 * indices; view arrays share their data buffers. */
int tn_concatenate(tn_array *const *arrays, int32_t n, tn_array **out, tarn_error *err) TN_MUST_USE;

/* --- sorting ---------------------------------------------------------------- */

typedef struct tn_sort_key {
    tn_array *array; /* borrowed; every key has the same length */
    bool descending;
    bool nulls_first;
} tn_sort_key;

/* The stable permutation that sorts the rows by the keys, as an int64
 * array. Keys of bool, int, float (NaN after every number, -0 = +0),
 * decimal, temporal and string/binary types. */
int tn_sort_indices(const tn_sort_key *keys, int32_t n_keys, tn_array **out, tarn_error *err) TN_MUST_USE;

/* --- hashing ------------------------------------------------------------------ */

/* One uint64 hash per row over n_cols columns of equal length, written to a
 * new uint64 array. Equal rows (same types, nulls equal to nulls) hash
 * equal whatever the slicing, the view buffer layout or dictionary
 * encoding; strings hash by their bytes, so utf8, large_utf8 and utf8_view
 * of equal text hash equal too. */
int tn_hash_rows(tn_array *const *cols, int32_t n_cols, uint64_t seed, tn_array **out, tarn_error *err) TN_MUST_USE;

#endif
