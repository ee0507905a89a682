/*
 * scalar.c — the scalar function registry: resolution of name(args) to an
 * overload with implicit casts (tn_scalar_func_resolve), the sugar that
 * becomes CASE (coalesce, ifnull, nullif, if), the name lists and "did you
 * mean" (tn_function_closest), and the result helpers kernels share
 * (scalar_internal.h).
 *
 * Resolution cost: each argument's cost to reach the parameter kind (0 for
 * an exact type, small for widening, larger for int -> double and for a
 * string literal read as a date); the cheapest overload wins, the first one
 * listed on a tie.
 */
#include "sql/functions/scalar_internal.h"

#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wctype.h>

/* The aggregate and window modules provide their names; weak so that the
 * scalar library links on its own. */
#pragma weak tn_agg_func_names
#pragma weak tn_window_func_names

typedef struct table {
    const tn_sfn *items;
    const int *n;
} table;

static const table tables[] = {
    {tn_sfn_string, &tn_sfn_string_n}, {tn_sfn_math, &tn_sfn_math_n}, {tn_sfn_date, &tn_sfn_date_n},
    {tn_sfn_regex, &tn_sfn_regex_n},   {tn_sfn_misc, &tn_sfn_misc_n},     {tn_sfn_format, &tn_sfn_format_n},
    {tn_sfn_nested, &tn_sfn_nested_n},
};
#define NTABLES ((int)(sizeof tables / sizeof tables[0]))

/* ---- type names ------------------------------------------------------------------ */

void tn_sql_type_name(const tn_type *t, char *buf, size_t cap)
{
    const char *n = NULL;
    switch (t->id) {
    case TN_NA: n = "null"; break;
    case TN_BOOL: n = "boolean"; break;
    case TN_INT8: n = "tinyint"; break;
    case TN_INT16: n = "smallint"; break;
    case TN_INT32: n = "integer"; break;
    case TN_INT64: n = "bigint"; break;
    case TN_UINT8: n = "utinyint"; break;
    case TN_UINT16: n = "usmallint"; break;
    case TN_UINT32: n = "uinteger"; break;
    case TN_UINT64: n = "ubigint"; break;
    case TN_FLOAT16: n = "half"; break;
    case TN_FLOAT32: n = "float"; break;
    case TN_FLOAT64: n = "double"; break;
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW: n = "varchar"; break;
    case TN_BINARY: case TN_LARGE_BINARY: case TN_BINARY_VIEW: case TN_FIXED_BINARY: n = "blob"; break;
    case TN_DATE32: case TN_DATE64: n = "date"; break;
    case TN_TIME32: case TN_TIME64: n = "time"; break;
    case TN_TIMESTAMP: n = t->tz ? "timestamp with time zone" : "timestamp"; break;
    case TN_DURATION: n = "duration"; break;
    case TN_INTERVAL_MONTHS: case TN_INTERVAL_DAY_TIME: case TN_INTERVAL_MONTH_DAY_NANO: n = "interval"; break;
    case TN_DECIMAL128: case TN_DECIMAL256:
        snprintf(buf, cap, "decimal(%d,%d)", t->precision, t->scale);
        return;
    default: n = tn_type_id_name(t->id); break;
    }
    snprintf(buf, cap, "%s", n);
}

static const char *param_name(int p)
{
    switch (p) {
    case P_ANY: return "any";
    case P_VARCHAR: return "varchar";
    case P_BIGINT: return "bigint";
    case P_DOUBLE: return "double";
    case P_BOOL: return "boolean";
    case P_DATE: return "date";
    case P_TIMESTAMP: return "timestamp";
    case P_TEMPORAL: return "date|timestamp";
    case P_INTERVAL: return "interval";
    case P_NUMERIC: return "numeric";
    case P_INTEGRAL: return "integer";
    case P_DECIMAL: return "decimal";
    case P_SAME: return "T";
    case P_BLOB: return "blob";
    case P_LIST: return "list";
    }
    return "?";
}

/* ---- matching ---------------------------------------------------------------------- */

static bool is_string_literal(const tn_expr *a)
{
    return a->kind == TN_EXPR_LITERAL && tn_type_is_string(a->type->id);
}

/* Cost of passing arg as parameter kind p, with the type to cast it to in
 * *to (a new reference, or NULL for no cast); -1 when it cannot. */
static int param_cost(int p, const tn_expr *arg, tn_type **to)
{
    const tn_type *t = arg->type;
    tn_type_id id = t->id;
    *to = NULL;
    if (p == P_ANY || p == P_SAME)
        return 0;
    if (id == TN_NA) {
        switch (p) {
        case P_VARCHAR: *to = tn_type_get(TN_STRING); break;
        case P_BIGINT: *to = tn_type_get(TN_INT64); break;
        case P_DOUBLE: *to = tn_type_get(TN_FLOAT64); break;
        case P_BOOL: *to = tn_type_get(TN_BOOL); break;
        case P_DATE: *to = tn_type_get(TN_DATE32); break;
        case P_TIMESTAMP: case P_TEMPORAL: *to = tn_type_timestamp(TN_MICRO, NULL); break;
        case P_INTERVAL: *to = tn_type_get(TN_INTERVAL_MONTH_DAY_NANO); break;
        case P_NUMERIC: case P_INTEGRAL: *to = tn_type_get(TN_INT32); break;
        case P_DECIMAL: *to = tn_type_decimal(128, 18, 3); break;
        case P_BLOB: *to = tn_type_get(TN_BINARY); break;
        default: return -1;
        }
        return *to ? 1 : -1;
    }
    switch (p) {
    case P_VARCHAR: return tn_type_is_string(id) ? 0 : -1;
    case P_BLOB: return tn_type_is_string(id) || tn_type_is_binary(id) ? 0 : -1;
    case P_BIGINT:
        if (id == TN_INT64)
            return 0;
        if (tn_type_is_signed_int(id) || id == TN_UINT8 || id == TN_UINT16 || id == TN_UINT32) {
            *to = tn_type_get(TN_INT64);
            return 1;
        }
        return -1;
    case P_DOUBLE:
        if (id == TN_FLOAT64)
            return 0;
        if (tn_type_is_numeric(id)) {
            *to = tn_type_get(TN_FLOAT64);
            return tn_type_is_float(id) ? 1 : tn_type_is_int(id) ? 3 : 4;
        }
        return -1;
    case P_BOOL: return id == TN_BOOL ? 0 : -1;
    case P_DATE:
        if (id == TN_DATE32)
            return 0;
        if (id == TN_DATE64 || is_string_literal(arg)) {
            *to = tn_type_get(TN_DATE32);
            return id == TN_DATE64 ? 1 : 5;
        }
        return -1;
    case P_TIMESTAMP:
        if (id == TN_TIMESTAMP && t->unit == TN_MICRO && !t->tz)
            return 0;
        if (id == TN_TIMESTAMP || id == TN_DATE32 || id == TN_DATE64 || is_string_literal(arg)) {
            *to = tn_type_timestamp(TN_MICRO, NULL);
            return id == TN_TIMESTAMP ? 1 : tn_type_is_string(id) ? 5 : 2;
        }
        return -1;
    case P_TEMPORAL:
        if (id == TN_DATE32 || id == TN_DATE64 || id == TN_TIMESTAMP)
            return 0;
        if (is_string_literal(arg)) {
            *to = tn_type_timestamp(TN_MICRO, NULL);
            return 5;
        }
        return -1;
    case P_INTERVAL:
        if (id == TN_INTERVAL_MONTH_DAY_NANO)
            return 0;
        return -1;
    case P_NUMERIC: return tn_type_is_numeric(id) && id != TN_FLOAT16 ? 0 : -1;
    case P_INTEGRAL: return tn_type_is_int(id) ? 0 : -1;
    case P_DECIMAL: return tn_type_is_decimal(id) ? 0 : -1;
    case P_LIST: return id == TN_LIST || id == TN_LARGE_LIST ? 0 : -1;
    }
    return -1;
}

/* The common type of the P_SAME arguments (a new reference), or NULL. */
static tn_type *same_type(const tn_sfn *o, tn_expr **args, int32_t nargs)
{
    tn_type *cur = NULL;
    bool cur_lit_str = false;
    for (int32_t i = 0; i < nargs; i++) {
        int p = i < o->nparams ? o->params[i] : o->params[o->nparams - 1];
        if (p != P_SAME || args[i]->type->id == TN_NA)
            continue;
        const tn_type *t = args[i]->type;
        bool lit_str = is_string_literal(args[i]);
        if (!cur) {
            cur = tn_type_ref((tn_type *)t);
            cur_lit_str = lit_str;
            continue;
        }
        if (tn_type_equals(cur, t))
            continue;
        tn_type *next = NULL;
        if (tn_type_is_string(cur->id) && tn_type_is_string(t->id)) {
            next = tn_type_get(TN_STRING);
        } else if (tn_type_is_string(t->id) && lit_str) {
            continue; /* a string literal takes the other side's type */
        } else if (tn_type_is_string(cur->id) && cur_lit_str) {
            next = tn_type_ref((tn_type *)t);
        } else if (tn_common_type(cur, t, &next, NULL) != 0) {
            tn_type_unref(cur);
            return NULL;
        }
        tn_type_unref(cur);
        cur = next;
        cur_lit_str = false;
    }
    return cur ? cur : tn_type_get(TN_NA);
}

/* Total cost of o for args (-1: no match); the cast targets go to tos[]. */
static int match(const tn_sfn *o, tn_expr **args, int32_t nargs, tn_type **tos)
{
    if (nargs < o->nparams - (o->variadic ? 1 : 0) || (!o->variadic && nargs != o->nparams))
        return -1;
    if (o->variadic && nargs < o->nparams)
        return -1;
    int total = 0;
    bool has_same = false;
    for (int32_t i = 0; i < nargs; i++) {
        int p = i < o->nparams ? o->params[i] : o->params[o->nparams - 1];
        has_same = has_same || p == P_SAME;
        int c = param_cost(p, args[i], &tos[i]);
        if (c < 0)
            return -1;
        if (tos[i] && !tn_cast_supported(args[i]->type, tos[i]))
            return -1;
        total += c;
    }
    if (has_same) {
        tn_type *st = same_type(o, args, nargs);
        if (!st)
            return -1;
        for (int32_t i = 0; i < nargs; i++) {
            int p = i < o->nparams ? o->params[i] : o->params[o->nparams - 1];
            if (p != P_SAME || tn_type_equals(args[i]->type, st))
                continue;
            if (!tn_cast_supported(args[i]->type, st)) {
                tn_type_unref(st);
                return -1;
            }
            tos[i] = tn_type_ref(st);
            total += 1;
        }
        tn_type_unref(st);
    }
    return total;
}

static void release_types(tn_type **tos, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        tn_type_unref(tos[i]);
        tos[i] = NULL;
    }
}

/* arg wrapped in a cast to `to` (a reference taken). */
static tn_expr *cast_node(tn_plan_ctx *c, tn_expr *arg, tn_type *to)
{
    tn_expr *e = tn_expr_new(c, TN_EXPR_CAST, to, 1);
    if (!e)
        return NULL;
    e->args[0] = arg;
    e->loc = arg->loc;
    e->text = arg->text;
    return e;
}

static bool name_is(const tn_sfn *o, const char *lname)
{
    return strcmp(o->f.name, lname) == 0;
}

/* "name(t1, t2)" of the argument types. */
static void call_sig(const char *name, tn_expr **args, int32_t nargs, char *buf, size_t cap)
{
    size_t k = (size_t)snprintf(buf, cap, "%s(", name);
    for (int32_t i = 0; i < nargs && k < cap; i++) {
        char tn[64];
        tn_sql_type_name(args[i]->type, tn, sizeof tn);
        k += (size_t)snprintf(buf + k, cap - k, "%s%s", i ? ", " : "", tn);
    }
    if (k < cap)
        snprintf(buf + k, cap - k, ")");
}

static void overload_sig(const tn_sfn *o, char *buf, size_t cap)
{
    size_t k = (size_t)snprintf(buf, cap, "%s(", o->f.name);
    for (int i = 0; i < o->nparams && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%s", i ? ", " : "", param_name(o->params[i]));
    if (k < cap)
        snprintf(buf + k, cap - k, "%s)", o->variadic ? ", ..." : "");
}

static int no_overload(const char *lname, tn_expr **args, int32_t nargs, tarn_error *err)
{
    char sig[256], list[700];
    call_sig(lname, args, nargs, sig, sizeof sig);
    size_t k = 0;
    list[0] = '\0';
    for (int t = 0; t < NTABLES; t++)
        for (int i = 0; i < *tables[t].n; i++) {
            const tn_sfn *o = &tables[t].items[i];
            if (!name_is(o, lname) || k >= sizeof list)
                continue;
            char one[128];
            overload_sig(o, one, sizeof one);
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", k ? ", " : "", one);
        }
    return tn_error_set(err, TARN_ETYPE, "no function %s: candidates are %s", sig, list);
}

/* ---- sugar: CASE forms ----------------------------------------------------------------- */

static tn_expr *not_null_test(tn_plan_ctx *c, tn_expr *a)
{
    tn_expr *e = tn_expr_new(c, TN_EXPR_IS_NULL, tn_type_get(TN_BOOL), 1);
    if (e) {
        e->args[0] = a;
        e->negated = true;
        e->loc = a->loc;
    }
    return e;
}

/* Cast each of args[0..n) to the common type; *type receives it. */
static int unify(tn_plan_ctx *c, const char *lname, tn_expr **args, int32_t nargs, tn_type **type, tarn_error *err)
{
    static const tn_sfn same = {{"", NULL, false, false, NULL}, 1, true, {P_SAME}, R_SAME, NULL};
    tn_type *st = same_type(&same, args, nargs);
    if (!st)
        return no_overload(lname, args, nargs, err);
    if (!tn_plan_keep_type(c, st))
        return tn_error_oom(err, 64);
    for (int32_t i = 0; i < nargs; i++) {
        if (tn_type_equals(args[i]->type, st))
            continue;
        if (!tn_cast_supported(args[i]->type, st))
            return no_overload(lname, args, nargs, err);
        args[i] = cast_node(c, args[i], tn_type_ref(st));
        if (!args[i])
            return tn_error_oom(err, 64);
    }
    *type = st;
    return TARN_OK;
}

/* coalesce(a, b, c) -> CASE WHEN a IS NOT NULL THEN a WHEN b IS NOT NULL THEN b ELSE c END;
 * later arguments are only evaluated on rows the earlier ones left NULL. */
static int sugar_coalesce(tn_plan_ctx *c, const char *lname, tn_expr **args, int32_t nargs, uint32_t loc,
                          tn_expr **out, tarn_error *err)
{
    if (nargs < 1)
        return tn_error_set(err, TARN_ETYPE, "no function %s(): candidates are %s(T, ...)", lname, lname);
    tn_type *t = NULL;
    TN_TRY(unify(c, lname, args, nargs, &t, err));
    if (nargs == 1) {
        *out = args[0];
        return TARN_OK;
    }
    tn_expr *e = tn_expr_new(c, TN_EXPR_CASE, tn_type_ref(t), 2 * (nargs - 1) + 1);
    TN_TRY_ALLOC(e, err, 64);
    for (int32_t i = 0; i < nargs - 1; i++) {
        e->args[2 * i] = not_null_test(c, args[i]);
        TN_TRY_ALLOC(e->args[2 * i], err, 64);
        e->args[2 * i + 1] = args[i];
    }
    e->args[e->nargs - 1] = args[nargs - 1];
    e->has_else = true;
    e->loc = loc;
    *out = e;
    return TARN_OK;
}

/* nullif(a, b) -> CASE WHEN a = b THEN NULL ELSE a END, typed as a. */
static int sugar_nullif(tn_plan_ctx *c, const char *lname, tn_expr **args, int32_t nargs, uint32_t loc,
                        tn_expr **out, tarn_error *err)
{
    if (nargs != 2)
        return tn_error_set(err, TARN_ETYPE, "no function %s with %d arguments: candidates are nullif(T, T)", lname,
                            nargs);
    tn_expr *a = args[0];
    tn_expr *pair[2] = {args[0], args[1]};
    tn_type *t = NULL;
    TN_TRY(unify(c, lname, pair, 2, &t, err));
    tn_expr *eq = tn_expr_new(c, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2);
    tn_scalar *null = tn_scalar_null(a->type);
    tn_expr *nl = null ? tn_expr_literal(c, null) : NULL;
    tn_expr *e = tn_expr_new(c, TN_EXPR_CASE, tn_type_ref(a->type), 3);
    if (!eq || !nl || !e)
        return tn_error_oom(err, 64);
    eq->cmp = TN_CMP_EQ;
    eq->args[0] = pair[0];
    eq->args[1] = pair[1];
    eq->loc = loc;
    e->args[0] = eq;
    e->args[1] = nl;
    e->args[2] = a;
    e->has_else = true;
    e->loc = loc;
    *out = e;
    return TARN_OK;
}

/* if(cond, a, b) -> CASE WHEN cond THEN a ELSE b END. */
static int sugar_if(tn_plan_ctx *c, const char *lname, tn_expr **args, int32_t nargs, uint32_t loc, tn_expr **out,
                    tarn_error *err)
{
    if (nargs != 3 || (args[0]->type->id != TN_BOOL && args[0]->type->id != TN_NA))
        return no_overload(lname, args, nargs, err);
    tn_expr *pair[2] = {args[1], args[2]};
    tn_type *t = NULL;
    TN_TRY(unify(c, lname, pair, 2, &t, err));
    tn_expr *e = tn_expr_new(c, TN_EXPR_CASE, tn_type_ref(t), 3);
    TN_TRY_ALLOC(e, err, 64);
    e->args[0] = args[0];
    e->args[1] = pair[0];
    e->args[2] = pair[1];
    e->has_else = true;
    e->loc = loc;
    *out = e;
    return TARN_OK;
}

/* ---- resolution ---------------------------------------------------------------------------- */

static tn_type *result_type(const tn_sfn *o, tn_expr **args, int32_t nargs)
{
    switch (o->result) {
    case R_VARCHAR: return tn_type_get(TN_STRING);
    case R_BLOB: return tn_type_get(TN_BINARY);
    case R_BIGINT: return tn_type_get(TN_INT64);
    case R_INT32: return tn_type_get(TN_INT32);
    case R_DOUBLE: return tn_type_get(TN_FLOAT64);
    case R_BOOL: return tn_type_get(TN_BOOL);
    case R_DATE: return tn_type_get(TN_DATE32);
    case R_INTERVAL: return tn_type_get(TN_INTERVAL_MONTH_DAY_NANO);
    case R_TIMESTAMP: return tn_type_timestamp(TN_MICRO, NULL);
    case R_ARG0: return nargs > 0 ? tn_type_ref(args[0]->type) : tn_type_get(TN_NA);
    case R_SAME:
        for (int32_t i = 0; i < nargs; i++) {
            int p = i < o->nparams ? o->params[i] : o->params[o->nparams - 1];
            if (p == P_SAME)
                return tn_type_ref(args[i]->type);
        }
        return tn_type_get(TN_NA);
    default: return tn_type_get(TN_NA);
    }
}

int tn_scalar_func_resolve(tn_plan_ctx *c, const char *name, tn_expr **args, int32_t nargs, uint32_t loc,
                           tn_expr **out, tarn_error *err)
{
    *out = NULL;
    char lname[64];
    size_t len = strlen(name);
    if (len >= sizeof lname)
        return tn_error_set(err, TARN_ENOTFOUND, "no scalar function named %.64s...", name);
    for (size_t i = 0; i <= len; i++)
        lname[i] = (char)tolower((unsigned char)name[i]);
    if (!strcmp(lname, "coalesce") || !strcmp(lname, "ifnull"))
        return sugar_coalesce(c, lname, args, nargs, loc, out, err);
    if (!strcmp(lname, "nullif"))
        return sugar_nullif(c, lname, args, nargs, loc, out, err);
    if (!strcmp(lname, "if") || !strcmp(lname, "iff"))
        return sugar_if(c, lname, args, nargs, loc, out, err);

    tn_type *tos[64] = {0}, *best_tos[64] = {0};
    if (nargs > 64)
        return tn_error_set(err, TARN_ETYPE, "%s: too many arguments (%d)", lname, nargs);
    const tn_sfn *best = NULL;
    int best_cost = -1;
    bool known = false;
    for (int t = 0; t < NTABLES; t++)
        for (int i = 0; i < *tables[t].n; i++) {
            const tn_sfn *o = &tables[t].items[i];
            if (!name_is(o, lname))
                continue;
            known = true;
            int cost = match(o, args, nargs, tos);
            if (cost >= 0 && (best_cost < 0 || cost < best_cost)) {
                release_types(best_tos, nargs);
                memcpy(best_tos, tos, sizeof(tn_type *) * (size_t)nargs);
                memset(tos, 0, sizeof(tn_type *) * (size_t)nargs);
                best = o;
                best_cost = cost;
            } else {
                release_types(tos, nargs);
            }
        }
    if (!known)
        return tn_error_set(err, TARN_ENOTFOUND, "no scalar function named %s", name);
    if (!best)
        return no_overload(lname, args, nargs, err);
    tn_expr *e = tn_expr_new(c, TN_EXPR_CALL, NULL, nargs);
    if (!e) {
        release_types(best_tos, nargs);
        return tn_error_oom(err, sizeof *e);
    }
    int rc = TARN_OK;
    for (int32_t i = 0; i < nargs; i++) {
        e->args[i] = args[i];
        if (best_tos[i] && !tn_type_equals(best_tos[i], args[i]->type)) {
            e->args[i] = cast_node(c, args[i], best_tos[i]); /* takes the reference */
            best_tos[i] = NULL;
            if (!e->args[i])
                rc = tn_error_oom(err, 64);
        }
    }
    release_types(best_tos, nargs);
    if (rc)
        return rc;
    e->func = &best->f;
    e->loc = loc;
    if (best->result != R_BIND) {
        e->type = tn_plan_keep_type(c, result_type(best, e->args, nargs));
        TN_TRY_ALLOC(e->type, err, 64);
    }
    if (best->bind)
        TN_TRY(best->bind(c, e, err));
    if (!e->type)
        return tn_error_set(err, TARN_EINTERNAL, "%s: no result type", lname);
    *out = e;
    return TARN_OK;
}

/* ---- names ------------------------------------------------------------------------------------ */

static const char **names;
static pthread_once_t names_once = PTHREAD_ONCE_INIT;
static const char *const sugar_names[] = {"coalesce", "ifnull", "nullif", "if", "iff"};
#define NSUGAR ((int)(sizeof sugar_names / sizeof sugar_names[0]))

static bool listed(const char **list, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], name))
            return true;
    return false;
}

/* Built once; allocated outside tarn's accounting (it lives for the
 * process, like a static table). */
static void build_names(void)
{
    int total = NSUGAR;
    for (int t = 0; t < NTABLES; t++)
        total += *tables[t].n;
    static const char *empty[1] = {NULL};
    const char **list = calloc((size_t)total + 1, sizeof *list);
    if (!list) {
        names = empty;
        return;
    }
    int n = 0;
    for (int i = 0; i < NSUGAR; i++)
        list[n++] = sugar_names[i];
    for (int t = 0; t < NTABLES; t++)
        for (int i = 0; i < *tables[t].n; i++)
            if (!listed(list, n, tables[t].items[i].f.name))
                list[n++] = tables[t].items[i].f.name;
    list[n] = NULL;
    names = list;
}

const char *const *tn_scalar_func_names(void)
{
    pthread_once(&names_once, build_names);
    return names;
}

/* Edit distance, case-insensitive, capped at 32 characters. */
static int distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 32 || lb > 32)
        return 99;
    int d[33][33];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int m = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < m)
                m = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < m)
                m = d[i - 1][j - 1] + cost;
            d[i][j] = m;
        }
    return d[la][lb];
}

static void closest_in(const char *const *list, const char *name, const char **best, int *bestd)
{
    for (int i = 0; list && list[i]; i++) {
        if (!isalpha((unsigned char)list[i][0]))
            continue;
        int d = distance(name, list[i]);
        if (d < *bestd) {
            *bestd = d;
            *best = list[i];
        }
    }
}

const char *tn_function_closest(const char *name)
{
    const char *best = NULL;
    int bestd = 99;
    closest_in(tn_scalar_func_names(), name, &best, &bestd);
    if (tn_agg_func_names)
        closest_in(tn_agg_func_names(), name, &best, &bestd);
    if (tn_window_func_names)
        closest_in(tn_window_func_names(), name, &best, &bestd);
    /* a hint only when it is plausibly a typo */
    int len = (int)strlen(name);
    int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    return bestd <= limit ? best : NULL;
}

/* ---- result helpers ---------------------------------------------------------------------------- */

int fout_init(fout *o, tn_type *type, int64_t n, tarn_error *err)
{
    memset(o, 0, sizeof *o);
    o->n = n;
    o->a = tn_kout_fixed(type, n);
    TN_TRY_ALLOC(o->a, err, (size_t)n * 8);
    return TARN_OK;
}

int fout_null(fout *o, int64_t i, tarn_error *err)
{
    if (!o->valid) {
        tn_buffer *b = tn_buffer_new(tn_bitmap_bytes(o->n));
        TN_TRY_ALLOC(b, err, (size_t)o->n / 8);
        memset(b->data, 0xff, (size_t)tn_bitmap_bytes(o->n));
        o->a->buffers[0] = b;
        o->valid = b->data;
    }
    if (tn_bit_get(o->valid, i)) {
        tn_bit_clear(o->valid, i);
        o->nulls++;
    }
    return TARN_OK;
}

void fout_finish(fout *o, tn_array **out)
{
    o->a->null_count = o->nulls;
    *out = o->a;
    o->a = NULL;
}

void fout_free(fout *o)
{
    tn_array_unref(o->a);
    o->a = NULL;
}

int sout_init(sout *o, tn_type *type, int64_t n, tarn_error *err)
{
    memset(o, 0, sizeof *o);
    o->type = type;
    o->n = n;
    o->offb = tn_buffer_new(((int64_t)n + 1) * 4);
    o->validb = tn_buffer_new(tn_bitmap_bytes(n > 0 ? n : 1));
    o->cap = n * 8 + 64;
    o->datab = tn_buffer_new(o->cap);
    if (!o->offb || !o->validb || !o->datab) {
        sout_free(o);
        return tn_error_oom(err, (size_t)n * 8);
    }
    o->offs = (int32_t *)o->offb->data;
    o->valid = o->validb->data;
    o->data = o->datab->data;
    memset(o->valid, 0xff, (size_t)tn_bitmap_bytes(n > 0 ? n : 1));
    o->offs[0] = 0;
    return TARN_OK;
}

int sout_reserve(sout *o, int64_t extra, tarn_error *err)
{
    if (o->len + extra <= o->cap)
        return TARN_OK;
    if (o->len + extra > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "string result over 2 GiB in one batch");
    int64_t ncap = o->cap * 2;
    while (ncap < o->len + extra)
        ncap *= 2;
    TN_TRY(tn_buffer_resize(o->datab, ncap, err));
    o->data = o->datab->data;
    o->cap = ncap;
    return TARN_OK;
}

int sout_append(sout *o, const void *p, int64_t len, tarn_error *err)
{
    TN_TRY(sout_reserve(o, len, err));
    if (len)
        memcpy(o->data + o->len, p, (size_t)len);
    o->len += len;
    return TARN_OK;
}

int sout_end_row(sout *o, tarn_error *err)
{
    (void)err;
    o->offs[++o->i] = (int32_t)o->len;
    return TARN_OK;
}

int sout_null_row(sout *o, tarn_error *err)
{
    tn_bit_clear(o->valid, o->i);
    o->nulls++;
    o->len = o->offs[o->i];
    return sout_end_row(o, err);
}

int sout_map(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out, tarn_error *err,
             str_row_fn fn)
{
    sout o;
    TN_TRY(sout_init(&o, tn_type_get(TN_STRING), n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i))
            rc = sout_null_row(&o, err);
        else if ((rc = fn(call, args, i, &o, err)) == 0)
            rc = sout_end_row(&o, err);
    }
    return sout_close(&o, rc, out, err);
}

int sout_finish(sout *o, tn_array **out, tarn_error *err)
{
    *out = NULL;
    tn_array *a = tn_array_new(o->type, o->n, 3, 0);
    if (!a) {
        sout_free(o);
        return tn_error_oom(err, sizeof *a);
    }
    o->datab->size = o->len;
    a->buffers[1] = o->offb;
    a->buffers[2] = o->datab;
    o->offb = o->datab = NULL;
    if (o->nulls) {
        a->buffers[0] = o->validb;
        o->validb = NULL;
    }
    a->null_count = o->nulls;
    sout_free(o);
    *out = a;
    return TARN_OK;
}

void sout_free(sout *o)
{
    tn_buffer_unref(o->offb);
    tn_buffer_unref(o->datab);
    tn_buffer_unref(o->validb);
    o->offb = o->datab = o->validb = NULL;
    o->offs = NULL;
    o->data = NULL;
    o->valid = NULL;
}

/* ---- UTF-8 and case ----------------------------------------------------------------------------- */

int64_t utf8_count(const uint8_t *p, int64_t n)
{
    int64_t c = 0;
    for (int64_t i = 0; i < n; i++)
        c += (p[i] & 0xC0) != 0x80;
    return c;
}

int64_t utf8_offset(const uint8_t *p, int64_t n, int64_t k)
{
    int64_t i = 0;
    while (k > 0 && i < n) {
        i += utf8_len(p[i]);
        k--;
    }
    return i < n ? i : n;
}

uint32_t utf8_decode(const uint8_t *p, int64_t n, int *adv)
{
    int l = utf8_len(p[0]);
    if (l > n)
        l = 1;
    *adv = l;
    switch (l) {
    case 1: return p[0];
    case 2: return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3: return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
        return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6) |
               (p[3] & 0x3F);
    }
}

int utf8_encode(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Case mapping through the C.UTF-8 locale's tables (ASCII only when that
 * locale is missing). */
static locale_t utf8_locale;
static pthread_once_t locale_once = PTHREAD_ONCE_INIT;

static void open_locale(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

uint32_t tn_cp_lower(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    pthread_once(&locale_once, open_locale);
    return utf8_locale ? (uint32_t)towlower_l((wint_t)cp, utf8_locale) : cp;
}

uint32_t tn_cp_upper(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
    if (cp == 0xDF)
        return 0x1E9E; /* ß -> capital sharp s, as DuckDB (utf8proc) maps it */
    pthread_once(&locale_once, open_locale);
    return utf8_locale ? (uint32_t)towupper_l((wint_t)cp, utf8_locale) : cp;
}

int tn_func_error(tarn_error *err, int code, const tn_expr *call, int64_t row, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++) /* data quoted in messages stays on one line */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return tn_error_set(err, code, "%s: %s at row %lld", call->func ? call->func->name : "function", msg,
                        (long long)row);
}
