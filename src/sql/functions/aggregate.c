/*
 * aggregate.c — resolving aggregate calls by name and argument types, and
 * the helpers the aggregate function files share.
 *
 * Each family file (aggregate_basic.c, aggregate_stats.c,
 * aggregate_collect.c) exports a table of tn_agg_def; resolution finds the
 * name, checks the argument count and lets the definition's bind pick the
 * kernel and the result type (DuckDB's: sum of integers is a 128-bit
 * integer, avg is a double, ...).
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "sql/functions/aggregate_internal.h"

static const tn_agg_def *const families[] = {tn_agg_defs_basic, tn_agg_defs_stats, tn_agg_defs_collect};

static const tn_agg_def *find_def(const char *name)
{
    for (size_t f = 0; f < sizeof families / sizeof *families; f++)
        for (const tn_agg_def *d = families[f]; d->name; d++)
            if (strcasecmp(d->name, name) == 0)
                return d;
    return NULL;
}

bool tn_agg_func_exists(const char *name)
{
    return name && find_def(name) != NULL;
}

const char *const *tn_agg_func_names(void)
{
    static const char *names[64];
    static _Atomic int ready;
    if (!ready) {
        /* Filled identically by any thread that gets here first. */
        size_t n = 0;
        for (size_t f = 0; f < sizeof families / sizeof *families; f++)
            for (const tn_agg_def *d = families[f]; d->name && n + 1 < sizeof names / sizeof *names; d++)
                names[n++] = d->name;
        names[n] = NULL;
        ready = 1;
    }
    return names;
}

int tn_agg_func_resolve(tn_plan_ctx *c, const char *name, tn_expr **args, int32_t nargs, bool star,
                        tn_agg_call *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    const tn_agg_def *d = find_def(name);
    if (!d)
        return tn_error_set(err, TARN_ENOTFOUND, "no aggregate function %s", name);
    if (star) {
        if (strcasecmp(name, "count") != 0 || nargs != 0)
            return tn_error_set(err, TARN_ETYPE, "%s(*) is not an aggregate; only count(*) is", name);
    } else if (nargs < d->min_args || nargs > d->max_args) {
        if (d->min_args == d->max_args)
            return tn_error_set(err, TARN_ETYPE, "%s takes %d argument%s, not %d", d->name, d->min_args,
                                d->min_args == 1 ? "" : "s", nargs);
        return tn_error_set(err, TARN_ETYPE, "%s takes %d to %d arguments, not %d", d->name, d->min_args,
                            d->max_args, nargs);
    }
    if (nargs > 0) {
        out->args = tn_arena_calloc(&c->arena, sizeof *out->args * (size_t)nargs);
        TN_TRY_ALLOC(out->args, err, sizeof *out->args * (size_t)nargs);
        memcpy(out->args, args, sizeof *args * (size_t)nargs);
    }
    out->nargs = nargs;
    out->text = name;
    return d->bind(c, d, out, err);
}

/* ---- helpers --------------------------------------------------------------------- */

tn_agg_phys tn_agg_phys_of(const tn_type *t)
{
    switch (t->id) {
    case TN_BOOL: return TN_PHYS_BOOL;
    case TN_INT8: return TN_PHYS_I8;
    case TN_INT16: return TN_PHYS_I16;
    case TN_INT32: case TN_DATE32: case TN_TIME32: case TN_INTERVAL_MONTHS: return TN_PHYS_I32;
    case TN_INT64: case TN_DATE64: case TN_TIME64: case TN_TIMESTAMP: case TN_DURATION: return TN_PHYS_I64;
    case TN_UINT8: return TN_PHYS_U8;
    case TN_UINT16: return TN_PHYS_U16;
    case TN_UINT32: return TN_PHYS_U32;
    case TN_UINT64: return TN_PHYS_U64;
    case TN_FLOAT32: return TN_PHYS_F32;
    case TN_FLOAT64: return TN_PHYS_F64;
    case TN_DECIMAL128: return TN_PHYS_I128;
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW:
    case TN_BINARY: case TN_LARGE_BINARY: case TN_BINARY_VIEW: case TN_FIXED_BINARY: return TN_PHYS_BYTES;
    default: return TN_PHYS_OTHER;
    }
}

__int128 tn_agg_pow10(int k)
{
    __int128 p = 1;
    for (int i = 0; i < k; i++)
        p *= 10;
    return p;
}

#define LOAD_AS_DOUBLE(T)                                   \
    do {                                                    \
        const T *v = TN_VALUES(a, T) + from;                \
        for (int64_t i = 0; i < count; i++)                 \
            out[i] = (double)v[i];                          \
    } while (0)

void tn_agg_load_doubles(const tn_array *a, int64_t from, int64_t count, double *out)
{
    switch (a->type->id) {
    case TN_INT8: LOAD_AS_DOUBLE(int8_t); break;
    case TN_INT16: LOAD_AS_DOUBLE(int16_t); break;
    case TN_INT32: LOAD_AS_DOUBLE(int32_t); break;
    case TN_INT64: LOAD_AS_DOUBLE(int64_t); break;
    case TN_UINT8: LOAD_AS_DOUBLE(uint8_t); break;
    case TN_UINT16: LOAD_AS_DOUBLE(uint16_t); break;
    case TN_UINT32: LOAD_AS_DOUBLE(uint32_t); break;
    case TN_UINT64: LOAD_AS_DOUBLE(uint64_t); break;
    case TN_FLOAT32: LOAD_AS_DOUBLE(float); break;
    case TN_FLOAT64: LOAD_AS_DOUBLE(double); break;
    case TN_DECIMAL128: {
        const __int128 *v = TN_VALUES(a, __int128) + from;
        double scale = pow(10.0, a->type->scale);
        for (int64_t i = 0; i < count; i++)
            out[i] = (double)v[i] / scale;
        break;
    }
    default:
        for (int64_t i = 0; i < count; i++)
            out[i] = 0;
        break;
    }
}

int tn_agg_new_fixed(tn_type *t, int64_t n, tn_array **out, uint8_t **values, uint8_t **validity,
                     tarn_error *err)
{
    *out = NULL;
    int64_t vbytes = t->id == TN_BOOL ? tn_bitmap_bytes(n) : n * (int64_t)t->byte_width;
    tn_buffer *valid = tn_buffer_new_zeroed(tn_bitmap_bytes(n));
    tn_buffer *vals = tn_buffer_new_zeroed(vbytes);
    tn_array *a = valid && vals ? tn_array_new(t, n, 2, 0) : NULL;
    if (!a) {
        tn_buffer_unref(valid);
        tn_buffer_unref(vals);
        return tn_error_oom(err, (size_t)vbytes);
    }
    a->buffers[0] = valid;
    a->buffers[1] = vals;
    *values = vals->data;
    *validity = valid->data;
    *out = a;
    return 0;
}

int tn_agg_cast_arg(tn_plan_ctx *c, tn_expr **arg, tn_type *type, tarn_error *err)
{
    if (tn_type_equals((*arg)->type, type)) {
        tn_type_unref(type);
        return 0;
    }
    tn_expr *e = tn_expr_new(c, TN_EXPR_CAST, type, 1);
    TN_TRY_ALLOC(e, err, sizeof *e);
    e->args[0] = *arg;
    e->loc = (*arg)->loc;
    e->text = (*arg)->text;
    *arg = e;
    return 0;
}

int tn_agg_set_type(tn_plan_ctx *c, tn_agg_call *out, tn_type *type, tarn_error *err)
{
    if (!type)
        return tn_error_oom(err, sizeof(tn_type));
    out->type = tn_plan_keep_type(c, type);
    TN_TRY_ALLOC(out->type, err, sizeof(tn_type));
    return 0;
}

int tn_agg_bytes_reserve(tn_agg_bytes *b, int64_t need, tarn_error *err)
{
    if (need <= b->cap)
        return 0;
    int64_t cap = b->cap ? b->cap : 16;
    while (cap < need)
        cap *= 2;
    uint8_t *p = tn_realloc(b->p, (size_t)cap);
    TN_TRY_ALLOC(p, err, (size_t)cap);
    b->p = p;
    b->cap = cap;
    return 0;
}

int tn_agg_bytes_append(tn_agg_bytes *b, const void *p, int64_t n, tarn_error *err)
{
    TN_TRY(tn_agg_bytes_reserve(b, b->len + n, err));
    if (n)
        memcpy(b->p + b->len, p, (size_t)n);
    b->len += n;
    return 0;
}

int tn_agg_bytes_set(tn_agg_bytes *b, const void *p, int64_t n, tarn_error *err)
{
    TN_TRY(tn_agg_bytes_reserve(b, n, err));
    if (n)
        memcpy(b->p, p, (size_t)n);
    b->len = n;
    return 0;
}

void tn_agg_bytes_free(tn_agg_bytes *b)
{
    tn_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

bool tn_agg_literal_number(const tn_expr *e, double *out)
{
    while (e->kind == TN_EXPR_CAST && e->nargs == 1)
        e = e->args[0];
    if (e->kind != TN_EXPR_LITERAL || !e->value || !e->value->is_valid)
        return false;
    const tn_scalar *v = e->value;
    tn_type_id id = v->type->id;
    if (tn_type_is_float(id)) {
        *out = v->v.f;
    } else if (tn_type_is_unsigned_int(id)) {
        *out = (double)v->v.u;
    } else if (tn_type_is_signed_int(id)) {
        *out = (double)v->v.i;
    } else if (id == TN_DECIMAL128) {
        __int128 x;
        memcpy(&x, v->v.raw, 16);
        *out = (double)x / pow(10.0, v->type->scale);
    } else {
        return false;
    }
    return true;
}
