/*
 * scalar_internal.h — what the scalar function files share (private): the
 * overload table format the registry (scalar.c) resolves against, and the
 * helpers kernels use to read datums and write results.
 *
 * An overload lists its parameter kinds; resolution picks the cheapest
 * overload whose parameters every argument reaches by an implicit cast,
 * wraps the casts as TN_EXPR_CAST nodes, and computes the result type. The
 * kernel can then rely on the exact physical types its parameter kinds
 * promise (P_BIGINT is int64, P_DOUBLE float64, P_VARCHAR any string
 * layout, read through tn_array_bytes).
 */
#ifndef TN_SQL_SCALAR_INTERNAL_H
#define TN_SQL_SCALAR_INTERNAL_H

#include <string.h>

#include "arrow/compute/kernel.h"
#include "core/alloc.h"
#include "sql/functions/function.h"

typedef enum tn_param {
    P_ANY,       /* any type, as is */
    P_VARCHAR,   /* a string type (any layout) */
    P_BIGINT,    /* int64 (narrower ints are cast) */
    P_DOUBLE,    /* float64 (ints, decimals, float32 are cast) */
    P_BOOL,
    P_DATE,      /* date32 (a string literal is cast) */
    P_TIMESTAMP, /* timestamp[us] (dates, other units and string literals are cast) */
    P_TEMPORAL,  /* date32, date64 or timestamp, as is */
    P_INTERVAL,  /* interval month_day_nano */
    P_NUMERIC,   /* any int, float or decimal, as is (NULL becomes int32) */
    P_INTEGRAL,  /* any int, as is */
    P_DECIMAL,   /* a decimal, as is */
    P_SAME,      /* all P_SAME arguments are cast to their common type */
    P_BLOB,      /* a binary or string type (any layout) */
    P_LIST       /* a list or large list, as is (never a NULL literal) */
} tn_param;

typedef enum tn_result {
    R_VARCHAR, R_BIGINT, R_INT32, R_DOUBLE, R_BOOL, R_DATE, R_TIMESTAMP,
    R_ARG0,   /* the type of argument 0 (after casts) */
    R_SAME,   /* the common type of the P_SAME arguments */
    R_BIND,   /* set by the bind callback */
    R_BLOB,
    R_INTERVAL
} tn_result;

#define TN_SFN_MAXP 6

typedef struct tn_sfn {
    tn_scalar_func f;               /* what a call expression points to */
    int8_t nparams;
    bool variadic;                  /* the last parameter may repeat (nargs >= nparams) */
    uint8_t params[TN_SFN_MAXP];
    uint8_t result;
    /* Optional: after casts and the result rule, adjust call->type or set
     * call->bind_data (in c's arena; precompiled state). */
    int (*bind)(tn_plan_ctx *c, tn_expr *call, tarn_error *err);
} tn_sfn;

/* The tables of each family (one per file). */
extern const tn_sfn tn_sfn_string[];
extern const int tn_sfn_string_n;
extern const tn_sfn tn_sfn_math[];
extern const int tn_sfn_math_n;
extern const tn_sfn tn_sfn_date[];
extern const int tn_sfn_date_n;
extern const tn_sfn tn_sfn_regex[];
extern const int tn_sfn_regex_n;
extern const tn_sfn tn_sfn_misc[];
extern const int tn_sfn_misc_n;
extern const tn_sfn tn_sfn_format[];
extern const int tn_sfn_format_n;
extern const tn_sfn tn_sfn_nested[];
extern const int tn_sfn_nested_n;

/* SQL-style name of a type for messages ("integer", "varchar", "decimal(15,2)"). */
void tn_sql_type_name(const tn_type *t, char *buf, size_t cap);

/* ---- reading datums ------------------------------------------------------------- */

static inline bool d_valid(const tn_datum *d, int64_t i)
{
    return d->kind == TN_DATUM_SCALAR ? d->scalar->is_valid : tn_array_is_valid(d->array, i);
}

/* Bytes of a valid row of a string/binary datum. */
static inline const uint8_t *d_str(const tn_datum *d, int64_t i, int64_t *len)
{
    if (d->kind == TN_DATUM_SCALAR) {
        *len = d->scalar->n_bytes;
        return d->scalar->bytes ? d->scalar->bytes : (const uint8_t *)"";
    }
    return tn_array_bytes(d->array, i, len);
}

static inline int64_t d_i64(const tn_datum *d, int64_t i)
{
    return d->kind == TN_DATUM_SCALAR ? d->scalar->v.i : TN_VALUES(d->array, int64_t)[i];
}

static inline int32_t d_i32(const tn_datum *d, int64_t i)
{
    return d->kind == TN_DATUM_SCALAR ? (int32_t)d->scalar->v.i : TN_VALUES(d->array, int32_t)[i];
}

static inline double d_f64(const tn_datum *d, int64_t i)
{
    return d->kind == TN_DATUM_SCALAR ? d->scalar->v.f : TN_VALUES(d->array, double)[i];
}

static inline bool d_bool(const tn_datum *d, int64_t i)
{
    return d->kind == TN_DATUM_SCALAR ? d->scalar->v.b
                                      : tn_bit_get(d->array->buffers[1]->data, d->array->offset + i);
}

/* Whether every argument is valid at row i. */
static inline bool all_valid(const tn_datum *args, int32_t nargs, int64_t i)
{
    for (int32_t k = 0; k < nargs; k++)
        if (!d_valid(&args[k], i))
            return false;
    return true;
}

/* ---- writing results --------------------------------------------------------------- */

/* A fixed-width result (bool included) of n rows; nulls marked as they come. */
typedef struct fout {
    tn_array *a;
    uint8_t *valid; /* NULL until the first null */
    int64_t nulls;
    int64_t n;
} fout;

int fout_init(fout *o, tn_type *type, int64_t n, tarn_error *err) TN_MUST_USE;
int fout_null(fout *o, int64_t i, tarn_error *err) TN_MUST_USE;
static inline uint8_t *fout_data(fout *o)
{
    return o->a->buffers[1]->data;
}
/* Hands the array to *out. */
void fout_finish(fout *o, tn_array **out);
void fout_free(fout *o);
/* The end of a kernel: on rc == 0 the array goes to *out, else it is freed;
 * returns rc. */
static inline int fout_close(fout *o, int rc, tn_array **out)
{
    if (rc) {
        fout_free(o);
        return rc;
    }
    fout_finish(o, out);
    return 0;
}

/* A utf8 (or binary) result built row by row. */
typedef struct sout {
    tn_type *type;
    tn_buffer *offb, *datab, *validb;
    int32_t *offs;
    uint8_t *data;
    int64_t len, cap;
    uint8_t *valid;
    int64_t nulls;
    int64_t n, i; /* rows wanted, rows written */
} sout;

int sout_init(sout *o, tn_type *type, int64_t n, tarn_error *err) TN_MUST_USE;
/* Room for `extra` more bytes at o->data + o->len. */
int sout_reserve(sout *o, int64_t extra, tarn_error *err) TN_MUST_USE;
int sout_append(sout *o, const void *p, int64_t len, tarn_error *err) TN_MUST_USE;
/* Close the current row (its bytes are what was appended since the last one). */
int sout_end_row(sout *o, tarn_error *err) TN_MUST_USE;
int sout_null_row(sout *o, tarn_error *err) TN_MUST_USE;
int sout_finish(sout *o, tn_array **out, tarn_error *err) TN_MUST_USE;
void sout_free(sout *o);
/* As fout_close for text results. */
static inline int sout_close(sout *o, int rc, tn_array **out, tarn_error *err)
{
    if (rc) {
        sout_free(o);
        return rc;
    }
    return sout_finish(o, out, err);
}
static inline int sout_row(sout *o, const void *p, int64_t len, tarn_error *err)
{
    TN_TRY(sout_append(o, p, len, err));
    return sout_end_row(o, err);
}

/* A kernel with a text result: fn writes the result of each row whose
 * arguments are all valid (a NULL in any argument gives NULL). */
typedef int (*str_row_fn)(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err);
int sout_map(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out, tarn_error *err,
             str_row_fn fn) TN_MUST_USE;

/* ---- UTF-8 ------------------------------------------------------------------------- */

/* Length in bytes of the UTF-8 sequence starting with byte b (1 for
 * invalid lead bytes, so that scanning always advances). */
static inline int utf8_len(uint8_t b)
{
    return b < 0x80 ? 1 : b < 0xE0 ? (b >= 0xC0 ? 2 : 1) : b < 0xF0 ? 3 : b < 0xF8 ? 4 : 1;
}
int64_t utf8_count(const uint8_t *p, int64_t n);
/* Byte offset of code point k (0-based) in p[0..n), or n when beyond. */
int64_t utf8_offset(const uint8_t *p, int64_t n, int64_t k);
/* Decode one code point at p (n bytes left); *adv receives its length. */
uint32_t utf8_decode(const uint8_t *p, int64_t n, int *adv);
int utf8_encode(uint32_t cp, uint8_t *out);
/* Lower/upper case of a code point (Unicode simple case mapping). */
uint32_t tn_cp_lower(uint32_t cp);
uint32_t tn_cp_upper(uint32_t cp);

/* The error for a bad argument value at row i of a call. */
int tn_func_error(tarn_error *err, int code, const tn_expr *call, int64_t row, const char *fmt, ...) TN_PRINTF(5, 6);

#endif
