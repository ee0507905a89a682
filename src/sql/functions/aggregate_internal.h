/*
 * aggregate_internal.h — what the aggregate function files share: the
 * table of aggregate definitions the resolver searches, and small helpers
 * for reading argument arrays and building result arrays.
 */
#ifndef TN_SQL_AGGREGATE_INTERNAL_H
#define TN_SQL_AGGREGATE_INTERNAL_H

#include "sql/functions/function.h"

/* One aggregate name: `bind` checks the argument types, inserts casts,
 * picks the tn_agg_func and fills out->type, state_size and bind_data. */
typedef struct tn_agg_def {
    const char *name;
    int32_t min_args, max_args;
    int (*bind)(tn_plan_ctx *c, const struct tn_agg_def *def, tn_agg_call *out, tarn_error *err);
    const void *data; /* per-name constant (e.g. which variance) */
} tn_agg_def;

extern const tn_agg_def tn_agg_defs_basic[];   /* count, sum, avg, min, max, first, ... */
extern const tn_agg_def tn_agg_defs_stats[];   /* variance family, quantiles, approx_count_distinct */
extern const tn_agg_def tn_agg_defs_collect[]; /* string_agg, array_agg */

/* Whether a state of call owns no memory, so that a byte copy of it is a
 * valid state (window frames copy running states). Every aggregate of
 * this library also merges without changing `from`. */
bool tn_agg_state_is_flat(const tn_agg_call *call);

/* The value of a numeric literal (possibly under casts) as a double. */
bool tn_agg_literal_number(const tn_expr *e, double *out);

/* Round a state size up to the 16-byte alignment the operator keeps. */
#define TN_AGG_STATE_SIZE(T) ((sizeof(T) + 15) & ~(size_t)15)

/* The validity bitmap of a (NULL when it has no nulls), indexed with
 * a->offset + row. */
static inline const uint8_t *tn_agg_validity(const tn_array *a)
{
    if (a->type->id == TN_NA)
        return NULL;
    return a->n_buffers > 0 && a->buffers[0] && a->null_count != 0 ? a->buffers[0]->data : NULL;
}
static inline bool tn_agg_row_valid(const tn_array *a, const uint8_t *validity, int64_t r)
{
    if (a->type->id == TN_NA)
        return false;
    return !validity || tn_bit_get(validity, a->offset + r);
}

/* How a fixed-width value is held in a state: the widened C type. */
typedef enum tn_agg_phys {
    TN_PHYS_OTHER = 0,
    TN_PHYS_BOOL,
    TN_PHYS_I8, TN_PHYS_I16, TN_PHYS_I32, TN_PHYS_I64,
    TN_PHYS_U8, TN_PHYS_U16, TN_PHYS_U32, TN_PHYS_U64,
    TN_PHYS_F32, TN_PHYS_F64,
    TN_PHYS_I128,
    TN_PHYS_BYTES /* strings, binaries, fixed-size binary */
} tn_agg_phys;

tn_agg_phys tn_agg_phys_of(const tn_type *t);

/* Numbers of rows [from, from+count) of a numeric array (ints, floats,
 * decimals scaled to their value) as doubles; count <= 1024. */
void tn_agg_load_doubles(const tn_array *a, int64_t from, int64_t count, double *out);

/* A new array of n rows of fixed-width type t (bool too) with a zeroed
 * validity bitmap and values buffer for the caller to fill; *values and
 * *validity point into them. null_count is left unknown. */
int tn_agg_new_fixed(tn_type *t, int64_t n, tn_array **out, uint8_t **values, uint8_t **validity,
                     tarn_error *err) TN_MUST_USE;

/* A TN_EXPR_CAST of *arg to type (a reference is taken) replacing *arg;
 * nothing when *arg already has that type. */
int tn_agg_cast_arg(tn_plan_ctx *c, tn_expr **arg, tn_type *type, tarn_error *err) TN_MUST_USE;

/* Keep a type reference with the plan context as out->type. */
int tn_agg_set_type(tn_plan_ctx *c, tn_agg_call *out, tn_type *type, tarn_error *err) TN_MUST_USE;

/* 10^k for k in [0, 38] as a 128-bit integer. */
__int128 tn_agg_pow10(int k);

/* A growable byte string owned by a state (string_agg, min/max of text,
 * collected values). */
typedef struct tn_agg_bytes {
    uint8_t *p;
    int64_t len, cap;
} tn_agg_bytes;
int tn_agg_bytes_append(tn_agg_bytes *b, const void *p, int64_t n, tarn_error *err) TN_MUST_USE;
/* Room for `need` bytes in total. */
int tn_agg_bytes_reserve(tn_agg_bytes *b, int64_t need, tarn_error *err) TN_MUST_USE;
int tn_agg_bytes_set(tn_agg_bytes *b, const void *p, int64_t n, tarn_error *err) TN_MUST_USE;
void tn_agg_bytes_free(tn_agg_bytes *b);

#endif
