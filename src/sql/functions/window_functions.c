/*
 * window_functions.c — resolving window functions by name: argument count
 * and types, implicit casts (offsets and bucket counts to bigint, lag/lead
 * defaults to the value's type) and result types, as DuckDB has them:
 * row_number, rank, dense_rank and ntile give bigint, percent_rank and
 * cume_dist double, the value functions their argument's type.
 */
#include <string.h>
#include <strings.h>

#include "sql/functions/aggregate_internal.h"
#include "sql/functions/window_func.h"

static const tn_window_func window_funcs[] = {
    {"row_number", TN_WIN_ROW_NUMBER, 0, 0},
    {"rank", TN_WIN_RANK, 0, 0},
    {"dense_rank", TN_WIN_DENSE_RANK, 0, 0},
    {"percent_rank", TN_WIN_PERCENT_RANK, 0, 0},
    {"cume_dist", TN_WIN_CUME_DIST, 0, 0},
    {"ntile", TN_WIN_NTILE, 1, 1},
    {"lag", TN_WIN_LAG, 1, 3},
    {"lead", TN_WIN_LEAD, 1, 3},
    {"first_value", TN_WIN_FIRST_VALUE, 1, 1},
    {"last_value", TN_WIN_LAST_VALUE, 1, 1},
    {"nth_value", TN_WIN_NTH_VALUE, 2, 2},
};

#define NFUNCS (sizeof window_funcs / sizeof *window_funcs)

static const tn_window_func *find(const char *name)
{
    for (size_t i = 0; i < NFUNCS; i++)
        if (strcasecmp(window_funcs[i].name, name) == 0)
            return &window_funcs[i];
    return NULL;
}

bool tn_window_func_exists(const char *name)
{
    return name && find(name) != NULL;
}

const char *const *tn_window_func_names(void)
{
    static const char *const names[] = {"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile",
                                        "lag", "lead", "first_value", "last_value", "nth_value", NULL};
    return names;
}

/* An integer argument (offset, n, buckets) cast to bigint. */
static int int_arg(tn_plan_ctx *c, const tn_window_func *f, tn_expr **arg, tarn_error *err)
{
    const tn_type *t = (*arg)->type;
    if (t->id != TN_NA && !tn_type_is_int(t->id))
        return tn_error_set(err, TARN_ETYPE, "%s: argument %s must be an integer, not %s", f->name,
                            (*arg)->text ? (*arg)->text : "", tn_type_id_name(t->id));
    return tn_agg_cast_arg(c, arg, tn_type_get(TN_INT64), err);
}

int tn_window_func_resolve(tn_plan_ctx *c, const char *name, tn_expr **args, int32_t nargs, tn_window_call *out,
                           tarn_error *err)
{
    const tn_window_func *f = find(name);
    if (!f)
        return tn_error_set(err, TARN_ENOTFOUND, "no window function %s", name);
    if (nargs < f->min_args || nargs > f->max_args) {
        if (f->min_args == f->max_args)
            return tn_error_set(err, TARN_ETYPE, "%s takes %d argument%s, not %d", f->name, f->min_args,
                                f->min_args == 1 ? "" : "s", nargs);
        return tn_error_set(err, TARN_ETYPE, "%s takes %d to %d arguments, not %d", f->name, f->min_args,
                            f->max_args, nargs);
    }
    memset(&out->agg, 0, sizeof out->agg);
    out->wfunc = f;
    if (nargs) {
        out->agg.args = tn_arena_calloc(&c->arena, sizeof *args * (size_t)nargs);
        TN_TRY_ALLOC(out->agg.args, err, sizeof *args * (size_t)nargs);
        memcpy(out->agg.args, args, sizeof *args * (size_t)nargs);
    }
    out->agg.nargs = nargs;
    out->agg.text = f->name;
    tn_expr **a = out->agg.args;
    switch (f->kind) {
    case TN_WIN_ROW_NUMBER:
    case TN_WIN_RANK:
    case TN_WIN_DENSE_RANK:
        return tn_agg_set_type(c, &out->agg, tn_type_get(TN_INT64), err);
    case TN_WIN_PERCENT_RANK:
    case TN_WIN_CUME_DIST:
        return tn_agg_set_type(c, &out->agg, tn_type_get(TN_FLOAT64), err);
    case TN_WIN_NTILE:
        TN_TRY(int_arg(c, f, &a[0], err));
        return tn_agg_set_type(c, &out->agg, tn_type_get(TN_INT64), err);
    case TN_WIN_LAG:
    case TN_WIN_LEAD:
        if (nargs >= 2)
            TN_TRY(int_arg(c, f, &a[1], err));
        if (nargs == 3) {
            if (!tn_type_equals(a[2]->type, a[0]->type) && a[2]->type->id != TN_NA &&
                !tn_cast_supported(a[2]->type, a[0]->type))
                return tn_error_set(err, TARN_ETYPE, "%s: the default %s cannot be cast to %s", f->name,
                                    a[2]->text ? a[2]->text : "", tn_type_id_name(a[0]->type->id));
            TN_TRY(tn_agg_cast_arg(c, &a[2], tn_type_ref(a[0]->type), err));
        }
        return tn_agg_set_type(c, &out->agg, tn_type_ref(a[0]->type), err);
    case TN_WIN_NTH_VALUE:
        TN_TRY(int_arg(c, f, &a[1], err));
        return tn_agg_set_type(c, &out->agg, tn_type_ref(a[0]->type), err);
    case TN_WIN_FIRST_VALUE:
    case TN_WIN_LAST_VALUE:
        return tn_agg_set_type(c, &out->agg, tn_type_ref(a[0]->type), err);
    }
    return tn_error_set(err, TARN_EINTERNAL, "window function %s has no resolver", f->name);
}
