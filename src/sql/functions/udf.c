/*
 * udf.c — user-defined functions (tarn/sql.h): the per-session registry,
 * resolution of calls to them, and the adapters between the engine's
 * kernels and the caller's callbacks, which see Arrow C Data Interface
 * arrays.
 *
 * A registered function is a reference-counted tn_udf holding a
 * tn_scalar_func or tn_agg_func whose `udf_ctx` points back at it. The
 * registry holds one reference; every statement bound with the function
 * holds another (tn_plan_keep_ref), so replacing or unregistering a
 * function while a result stream still runs it is safe.
 *
 * The binder asks the session's registry first (tn_udf_find), before the
 * built-in library: a UDF shadows a built-in of the same name.
 *
 * Crossing the boundary is zero-copy: arguments are exported with
 * tn_export_array (the C structs reference the engine's buffers) and the
 * result is imported with tn_import_array (the engine's array wraps the
 * caller's buffers and calls its release when done).
 */
#include <string.h>
#include <strings.h>

#include "arrow/c_data.h"
#include "core/alloc.h"
#include "sql/binder/binder.h"
#include "sql/functions/function.h"
#include "sql/functions/scalar_internal.h"
#include "sql/parser/parser.h"

#define UDF_MAX_ARGS 64
#define UDF_MAX_STATE ((size_t)64 << 10)

struct tn_udf {
    _Atomic int32_t refcount;
    char *name;          /* lower case */
    bool aggregate;
    unsigned flags;      /* TARN_UDF_* */
    int32_t nargs;       /* < 0: variadic over types[0] */
    tn_type **types;     /* declared argument types; NULL entry = ANY */
    int32_t ntypes;
    tn_type *result;
    tarn_scalar_udf fn;
    tarn_aggregate_udf afn;
    void *ctx;
    tn_scalar_func sfunc; /* what a bound call points at */
    tn_agg_func afunc;
};

struct tn_func_registry {
    tn_udf **items;
    int32_t n, cap;
};

static tn_udf *udf_ref(tn_udf *u)
{
    u->refcount++;
    return u;
}

static void udf_unref(tn_udf *u)
{
    if (!u || --u->refcount > 0)
        return;
    for (int32_t i = 0; i < u->ntypes; i++)
        tn_type_unref(u->types[i]);
    tn_free(u->types);
    tn_type_unref(u->result);
    tn_free(u->name);
    tn_free(u);
}

static void udf_release(void *p)
{
    udf_unref(p);
}

int tn_func_registry_new(tn_func_registry **out, tarn_error *err)
{
    *out = tn_calloc(1, sizeof **out);
    TN_TRY_ALLOC(*out, err, sizeof **out);
    return TARN_OK;
}

void tn_func_registry_free(tn_func_registry *r)
{
    if (!r)
        return;
    for (int32_t i = 0; i < r->n; i++)
        udf_unref(r->items[i]);
    tn_free(r->items);
    tn_free(r);
}

static int32_t find_index(const tn_func_registry *r, const char *name)
{
    for (int32_t i = 0; r && i < r->n; i++)
        if (strcasecmp(r->items[i]->name, name) == 0)
            return i;
    return -1;
}

const tn_udf *tn_udf_find(const tn_func_registry *r, const char *name)
{
    int32_t i = name ? find_index(r, name) : -1;
    return i < 0 ? NULL : r->items[i];
}

bool tn_udf_is_aggregate(const tn_udf *u)
{
    return u->aggregate;
}

const char *tn_func_registry_at(const tn_func_registry *r, int32_t i)
{
    return r && i >= 0 && i < r->n ? r->items[i]->name : NULL;
}

int tn_func_registry_drop(tn_func_registry *r, const char *name, tarn_error *err)
{
    int32_t i = name ? find_index(r, name) : -1;
    if (i < 0)
        return tn_error_set(err, TARN_ENOTFOUND, "no user-defined function named \"%s\"", name ? name : "");
    udf_unref(r->items[i]);
    memmove(&r->items[i], &r->items[i + 1], sizeof *r->items * (size_t)(r->n - i - 1));
    r->n--;
    return TARN_OK;
}

/* ---- registration ----------------------------------------------------------------------- */

/* The Arrow type of a SQL type name; *out NULL for ANY. */
static int parse_type(const char *fname, const char *text, bool allow_any, tn_type **out, tarn_error *err)
{
    *out = NULL;
    if (!text)
        return tn_error_set(err, TARN_EINVAL, "function \"%s\": a type is missing", fname);
    if (allow_any && strcasecmp(text, "any") == 0)
        return TARN_OK;
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_type *t = NULL;
    tarn_error e;
    tarn_error_init(&e);
    int rc = tn_sql_parse_type(text, strlen(text), &a, &t, &e);
    if (rc == TARN_OK)
        rc = tn_bind_sql_type(t, out, &e);
    tn_arena_free(&a);
    if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT)
        return tn_error_set(err, rc, "%s", e.message);
    if (rc)
        return tn_error_set(err, TARN_ETYPE, "function \"%s\": bad type \"%s\": %s", fname, text, e.message);
    return TARN_OK;
}

static int valid_name(const char *name, tarn_error *err)
{
    if (!name || !*name)
        return tn_error_set(err, TARN_EINVAL, "a user-defined function needs a name");
    for (const char *p = name; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (!(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (p > name && ch >= '0' && ch <= '9')))
            return tn_error_set(err, TARN_EINVAL,
                                "function name \"%s\": use letters, digits and '_' (not starting with a digit)",
                                name);
    }
    if (strlen(name) > 255)
        return tn_error_set(err, TARN_EINVAL, "function name \"%.40s...\" is too long", name);
    return TARN_OK;
}

static int udf_new(const char *name, int nargs, const char *const *arg_types, const char *result_type,
                   unsigned flags, tn_udf **out, tarn_error *err)
{
    *out = NULL;
    TN_TRY(valid_name(name, err));
    if (nargs > UDF_MAX_ARGS)
        return tn_error_set(err, TARN_EINVAL, "function \"%s\": at most %d arguments, not %d", name, UDF_MAX_ARGS,
                            nargs);
    if (flags & ~(unsigned)(TARN_UDF_NULLS | TARN_UDF_VOLATILE))
        return tn_error_set(err, TARN_EINVAL, "function \"%s\": unknown flags 0x%x", name, flags);
    int32_t ntypes = nargs < 0 ? 1 : nargs;
    if (ntypes > 0 && !arg_types)
        return tn_error_set(err, TARN_EINVAL, "function \"%s\": argument types are missing", name);
    tn_udf *u = tn_calloc(1, sizeof *u);
    TN_TRY_ALLOC(u, err, sizeof *u);
    u->refcount = 1;
    u->name = tn_strdup(name);
    u->types = ntypes ? tn_calloc((size_t)ntypes, sizeof *u->types) : NULL;
    if (!u->name || (ntypes && !u->types)) {
        udf_unref(u);
        return tn_error_oom(err, sizeof *u);
    }
    for (char *p = u->name; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    u->nargs = nargs;
    u->flags = flags;
    int rc = TARN_OK;
    for (int32_t i = 0; rc == TARN_OK && i < ntypes; i++) {
        rc = parse_type(name, arg_types[i], true, &u->types[i], err);
        u->ntypes = i + 1;
    }
    if (rc == TARN_OK)
        rc = parse_type(name, result_type, false, &u->result, err);
    if (rc) {
        udf_unref(u);
        return rc;
    }
    *out = u;
    return TARN_OK;
}

/* Add u to r (the registry takes the reference), replacing an entry of
 * the same name. */
static int registry_put(tn_func_registry *r, tn_udf *u, tarn_error *err)
{
    int32_t i = find_index(r, u->name);
    if (i >= 0) {
        udf_unref(r->items[i]);
        r->items[i] = u;
        return TARN_OK;
    }
    if (r->n == r->cap) {
        int32_t ncap = r->cap ? r->cap * 2 : 8;
        tn_udf **g = tn_realloc(r->items, sizeof *g * (size_t)ncap);
        if (!g) {
            udf_unref(u);
            return tn_error_oom(err, sizeof *g * (size_t)ncap);
        }
        r->items = g;
        r->cap = ncap;
    }
    r->items[r->n++] = u;
    return TARN_OK;
}

static int scalar_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err);
static void agg_init(const tn_agg_call *call, void *state);
static int agg_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                      tarn_error *err);
static int agg_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err);
static int agg_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out, tarn_error *err);
static void agg_destroy(const tn_agg_call *call, void *state);

int tn_udf_register_scalar(tn_func_registry *r, const char *name, int nargs, const char *const *arg_types,
                           const char *result_type, unsigned flags, tarn_scalar_udf fn, void *ctx, tarn_error *err)
{
    if (!r || !fn)
        return tn_error_set(err, TARN_EINVAL, "tarn_session_register_scalar: no session or function");
    tn_udf *u;
    TN_TRY(udf_new(name, nargs, arg_types, result_type, flags, &u, err));
    u->fn = fn;
    u->ctx = ctx;
    u->sfunc.name = u->name;
    u->sfunc.exec = scalar_exec;
    u->sfunc.null_in_null_out = !(flags & TARN_UDF_NULLS);
    u->sfunc.is_volatile = (flags & TARN_UDF_VOLATILE) != 0;
    u->sfunc.udf_ctx = u;
    return registry_put(r, u, err);
}

int tn_udf_register_aggregate(tn_func_registry *r, const char *name, int nargs, const char *const *arg_types,
                              const char *result_type, unsigned flags, const tarn_aggregate_udf *fn, void *ctx,
                              tarn_error *err)
{
    if (!r || !fn)
        return tn_error_set(err, TARN_EINVAL, "tarn_session_register_aggregate: no session or callbacks");
    if (!fn->init || !fn->update || !fn->combine || !fn->finalize)
        return tn_error_set(err, TARN_EINVAL, "aggregate \"%s\": init, update, combine and finalize are required",
                            name ? name : "");
    if (fn->state_size > UDF_MAX_STATE)
        return tn_error_set(err, TARN_EINVAL, "aggregate \"%s\": a state of %zu bytes is over the %zu-byte limit",
                            name ? name : "", fn->state_size, UDF_MAX_STATE);
    if (flags & TARN_UDF_VOLATILE)
        return tn_error_set(err, TARN_EINVAL, "aggregate \"%s\": TARN_UDF_VOLATILE applies to scalar functions",
                            name ? name : "");
    tn_udf *u;
    TN_TRY(udf_new(name, nargs, arg_types, result_type, flags, &u, err));
    u->aggregate = true;
    u->afn = *fn;
    u->ctx = ctx;
    u->afunc.name = u->name;
    u->afunc.init = agg_init;
    u->afunc.update = agg_update;
    u->afunc.merge = agg_merge;
    u->afunc.finalize = agg_finalize;
    u->afunc.destroy = agg_destroy;
    u->afunc.udf_ctx = u;
    return registry_put(r, u, err);
}

/* ---- resolution ------------------------------------------------------------------------- */

static bool is_string(tn_type_id id)
{
    return id == TN_STRING || id == TN_LARGE_STRING || id == TN_STRING_VIEW;
}

/* Whether an argument may be cast implicitly to the declared type. */
static bool implicit_ok(const tn_expr *arg, const tn_type *to)
{
    tn_type_id f = arg->type->id, t = to->id;
    if (f == TN_NA)
        return true;
    if (arg->kind == TN_EXPR_LITERAL && is_string(f))
        return true;
    if (is_string(f) && is_string(t))
        return true;
    if (f == TN_DATE32 && t == TN_TIMESTAMP)
        return true;
    if (!tn_type_is_numeric(f) || !tn_type_is_numeric(t))
        return false;
    if (tn_type_is_float(t))
        return true;
    bool fi = tn_type_is_signed_int(f) || tn_type_is_unsigned_int(f);
    if (t == TN_DECIMAL128)
        return fi || f == TN_DECIMAL128;
    if (!fi || tn_type_is_float(f))
        return false;
    /* integer to integer: never narrower; unsigned to signed only wider */
    int fw = tn_type_bit_width(arg->type), tw = tn_type_bit_width(to);
    if (tn_type_is_unsigned_int(f) && tn_type_is_signed_int(t))
        return tw > fw;
    if (tn_type_is_signed_int(f) && tn_type_is_unsigned_int(t))
        return false;
    return tw >= fw;
}

static int no_match(const tn_udf *u, tn_expr **args, int32_t nargs, tarn_error *err)
{
    char have[256], want[256];
    size_t k = 0;
    for (int32_t i = 0; i < nargs && k < sizeof have; i++) {
        char tn[64];
        tn_sql_type_name(args[i]->type, tn, sizeof tn);
        k += (size_t)snprintf(have + k, sizeof have - k, "%s%s", i ? ", " : "", tn);
    }
    if (nargs == 0)
        have[0] = '\0';
    k = 0;
    want[0] = '\0';
    for (int32_t i = 0; i < u->ntypes && k < sizeof want; i++) {
        char tn[64];
        if (u->types[i])
            tn_sql_type_name(u->types[i], tn, sizeof tn);
        else
            snprintf(tn, sizeof tn, "any");
        k += (size_t)snprintf(want + k, sizeof want - k, "%s%s%s", i ? ", " : "", tn, u->nargs < 0 ? ", ..." : "");
    }
    return tn_error_set(err, TARN_ETYPE, "no function %s(%s): %s takes (%s)", u->name, have, u->name, want);
}

/* Cast the arguments to the declared types (args is changed in place). */
static int cast_args(tn_plan_ctx *c, const tn_udf *u, tn_expr **args, int32_t nargs, tarn_error *err)
{
    if (nargs > UDF_MAX_ARGS || (u->nargs >= 0 && nargs != u->nargs))
        return no_match(u, args, nargs, err);
    for (int32_t i = 0; i < nargs; i++) {
        tn_type *want = u->types[u->nargs < 0 ? 0 : i];
        if (!want) {
            if (args[i]->type->id == TN_NA) /* ANY: a bare NULL becomes an INTEGER NULL */
                want = tn_type_get(TN_INT32);
            else
                continue;
        }
        if (tn_type_equals(args[i]->type, want))
            continue;
        if (!implicit_ok(args[i], want))
            return no_match(u, args, nargs, err);
        tn_expr *e = tn_expr_new(c, TN_EXPR_CAST, tn_type_ref(want), 1);
        TN_TRY_ALLOC(e, err, sizeof *e);
        e->args[0] = args[i];
        e->loc = args[i]->loc;
        e->text = args[i]->text;
        args[i] = e;
    }
    return TARN_OK;
}

int tn_udf_resolve_scalar(tn_plan_ctx *c, const tn_udf *cu, tn_expr **args, int32_t nargs, uint32_t loc,
                          tn_expr **out, tarn_error *err)
{
    tn_udf *u = (tn_udf *)cu;
    if (u->aggregate)
        return tn_error_set(err, TARN_EINTERNAL, "%s is an aggregate", u->name);
    tn_expr *e = tn_expr_new(c, TN_EXPR_CALL, tn_type_ref(u->result), nargs);
    TN_TRY_ALLOC(e, err, sizeof *e);
    for (int32_t i = 0; i < nargs; i++)
        e->args[i] = args[i];
    TN_TRY(cast_args(c, u, e->args, nargs, err));
    if (!tn_plan_keep_ref(c, udf_ref(u), udf_release))
        return tn_error_oom(err, sizeof(tn_plan_ref));
    e->func = &u->sfunc;
    e->loc = loc;
    *out = e;
    return TARN_OK;
}

int tn_udf_resolve_agg(tn_plan_ctx *c, const tn_udf *cu, tn_expr **args, int32_t nargs, bool star, tn_agg_call *out,
                       tarn_error *err)
{
    tn_udf *u = (tn_udf *)cu;
    memset(out, 0, sizeof *out);
    if (!u->aggregate)
        return tn_error_set(err, TARN_EINTERNAL, "%s is not an aggregate", u->name);
    if (star)
        return tn_error_set(err, TARN_ETYPE, "%s(*) is not an aggregate; only count(*) is", u->name);
    if (nargs > 0) {
        out->args = tn_arena_calloc(&c->arena, sizeof *out->args * (size_t)nargs);
        TN_TRY_ALLOC(out->args, err, sizeof *out->args * (size_t)nargs);
        memcpy(out->args, args, sizeof *args * (size_t)nargs);
    }
    TN_TRY(cast_args(c, u, out->args, nargs, err));
    if (!tn_plan_keep_ref(c, udf_ref(u), udf_release))
        return tn_error_oom(err, sizeof(tn_plan_ref));
    out->nargs = nargs;
    out->func = &u->afunc;
    out->type = tn_plan_keep_type(c, tn_type_ref(u->result));
    TN_TRY_ALLOC(out->type, err, sizeof(tn_type));
    out->state_size = u->afn.state_size ? u->afn.state_size : 1;
    out->text = u->name;
    return TARN_OK;
}

/* ---- calls across the boundary -------------------------------------------------------------- */

/* The C structs of the arguments (exported, zero-copy) for one call. */
typedef struct cargs {
    int32_t n;
    tn_array *arrs[UDF_MAX_ARGS];
    struct ArrowArray arrays[UDF_MAX_ARGS];
    struct ArrowSchema schemas[UDF_MAX_ARGS];
    struct ArrowArray *pa[UDF_MAX_ARGS];
    struct ArrowSchema *ps[UDF_MAX_ARGS];
} cargs;

static void cargs_free(cargs *a)
{
    for (int32_t i = 0; i < a->n; i++) {
        if (a->arrays[i].release)
            a->arrays[i].release(&a->arrays[i]);
        if (a->schemas[i].release)
            a->schemas[i].release(&a->schemas[i]);
        tn_array_unref(a->arrs[i]);
    }
    a->n = 0;
}

/* Export arrays (references taken) as the call's arguments. */
static int cargs_export(cargs *a, tn_array *const *arrs, int32_t n, tarn_error *err)
{
    memset(a, 0, sizeof *a);
    for (int32_t i = 0; i < n; i++) {
        a->arrs[i] = tn_array_ref(arrs[i]);
        a->n = i + 1;
        char name[16];
        snprintf(name, sizeof name, "arg%d", (int)i);
        tn_field f = {0};
        f.name = name;
        f.type = arrs[i]->type;
        f.nullable = true;
        TN_TRY(tn_export_array(arrs[i], &a->arrays[i], err));
        TN_TRY(tn_export_type(&f, &a->schemas[i], err));
        a->pa[i] = &a->arrays[i];
        a->ps[i] = &a->schemas[i];
    }
    return TARN_OK;
}

/* The caller's error as the engine's, naming the function. */
static int udf_failed(const tn_udf *u, int rc, const tarn_error *uerr, tarn_error *err)
{
    if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT)
        return tn_error_set(err, rc, "function \"%s\": %s", u->name, uerr->message[0] ? uerr->message : "out of memory");
    if (rc < 0 || rc > TARN_EINTERNAL || rc == TARN_EINTERNAL)
        rc = TARN_EINVAL; /* EINTERNAL means a bug in tarn; a foreign code is just a failure */
    return tn_error_set(err, rc, "function \"%s\": %s", u->name,
                        uerr->message[0] ? uerr->message : "failed without a message");
}

/* Take over the array the function wrote: n rows of the result type. */
static int import_result(const tn_udf *u, struct ArrowArray *res, int64_t n, tn_array **out, tarn_error *err)
{
    *out = NULL;
    if (!res->release)
        return tn_error_set(err, TARN_EINVAL, "function \"%s\" returned no array", u->name);
    tarn_error e;
    tarn_error_init(&e);
    int rc = tn_import_array(res, u->result, TARN_VALIDATE_DEFAULT, out, &e);
    if (rc) {
        if (res->release)
            res->release(res);
        return tn_error_set(err, rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT ? rc : TARN_EINVAL,
                            "function \"%s\" returned a bad array: %s", u->name, e.message);
    }
    if ((*out)->length != n) {
        long long got = (long long)(*out)->length;
        tn_array_unref(*out);
        *out = NULL;
        return tn_error_set(err, TARN_EINVAL, "function \"%s\" returned %lld rows for %lld", u->name, got,
                            (long long)n);
    }
    return TARN_OK;
}

/* r with its rows cleared where any argument is NULL (default NULL
 * handling); r is consumed. */
static int null_in_null_out(tn_array *r, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                            tarn_error *err)
{
    bool any = false;
    for (int32_t i = 0; i < nargs; i++) {
        if (args[i].kind == TN_DATUM_SCALAR) {
            if (!args[i].scalar->is_valid) {
                *out = tn_array_new_nulls(r->type, n);
                tn_array_unref(r);
                TN_TRY_ALLOC(*out, err, 64);
                return TARN_OK;
            }
        } else if (tn_array_null_count(args[i].array) > 0) {
            any = true;
        }
    }
    if (!any || r->type->id == TN_NA || r->n_buffers == 0) {
        *out = r;
        return TARN_OK;
    }
    tn_buffer *bits = tn_buffer_new_zeroed(tn_bitmap_bytes(r->offset + n));
    if (!bits) {
        tn_array_unref(r);
        return tn_error_oom(err, (size_t)n / 8);
    }
    for (int64_t row = 0; row < n; row++) {
        bool v = tn_array_is_valid(r, row);
        for (int32_t i = 0; v && i < nargs; i++)
            v = args[i].kind == TN_DATUM_SCALAR || tn_array_is_valid(args[i].array, row);
        if (v)
            tn_bit_set(bits->data, r->offset + row);
    }
    tn_array *a = tn_array_with_validity(r, n, bits);
    if (!a) {
        tn_array_unref(r);
        return tn_error_oom(err, (size_t)n / 8);
    }
    tn_array_unref(r);
    *out = a;
    return TARN_OK;
}

static int scalar_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    const tn_udf *u = call->func->udf_ctx;
    *out = NULL;
    if (nargs > UDF_MAX_ARGS)
        return tn_error_set(err, TARN_EINTERNAL, "function \"%s\": %d arguments", u->name, (int)nargs);
    tn_array *arrs[UDF_MAX_ARGS];
    int32_t made = 0;
    int rc = TARN_OK;
    for (; rc == TARN_OK && made < nargs; made++) {
        rc = tn_datum_to_array(args[made], n, &arrs[made], err);
        if (rc)
            break;
    }
    cargs *ca = rc ? NULL : tn_malloc(sizeof *ca);
    if (rc == TARN_OK && !ca)
        rc = tn_error_oom(err, sizeof *ca);
    if (rc == TARN_OK)
        rc = cargs_export(ca, arrs, nargs, err);
    struct ArrowArray res;
    memset(&res, 0, sizeof res);
    if (rc == TARN_OK) {
        tarn_error uerr;
        tarn_error_init(&uerr);
        int urc = u->fn(u->ctx, n, (int)nargs, ca->pa, ca->ps, &res, &uerr);
        if (urc) {
            if (res.release)
                res.release(&res);
            rc = udf_failed(u, urc, &uerr, err);
        }
    }
    if (ca) {
        cargs_free(ca);
        tn_free(ca);
    }
    for (int32_t i = 0; i < made; i++)
        tn_array_unref(arrs[i]);
    TN_TRY(rc);
    tn_array *r;
    TN_TRY(import_result(u, &res, n, &r, err));
    if (u->flags & TARN_UDF_NULLS) {
        *out = r;
        return TARN_OK;
    }
    return null_in_null_out(r, args, nargs, n, out, err);
}

/* ---- aggregates ----------------------------------------------------------------------------------- */

static void agg_init(const tn_agg_call *call, void *state)
{
    const tn_udf *u = call->func->udf_ctx;
    u->afn.init(u->ctx, state);
}

static void agg_destroy(const tn_agg_call *call, void *state)
{
    const tn_udf *u = call->func->udf_ctx;
    if (u->afn.destroy)
        u->afn.destroy(u->ctx, state);
}

static int agg_merge(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    const tn_udf *u = call->func->udf_ctx;
    tarn_error uerr;
    tarn_error_init(&uerr);
    int urc = u->afn.combine(u->ctx, into, (void *)from, &uerr);
    return urc ? udf_failed(u, urc, &uerr, err) : TARN_OK;
}

static int agg_call_update(const tn_udf *u, void *const *states, tn_array *const *args, int32_t nargs, int64_t n,
                           tarn_error *err)
{
    cargs *ca = tn_malloc(sizeof *ca);
    TN_TRY_ALLOC(ca, err, sizeof *ca);
    int rc = cargs_export(ca, args, nargs, err);
    if (rc == TARN_OK) {
        tarn_error uerr;
        tarn_error_init(&uerr);
        int urc = u->afn.update(u->ctx, states, n, (int)nargs, ca->pa, ca->ps, &uerr);
        if (urc)
            rc = udf_failed(u, urc, &uerr, err);
    }
    cargs_free(ca);
    tn_free(ca);
    return rc;
}

static int agg_update(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                      tarn_error *err)
{
    const tn_udf *u = call->func->udf_ctx;
    int32_t nargs = call->nargs;
    if (nargs > UDF_MAX_ARGS)
        return tn_error_set(err, TARN_EINTERNAL, "aggregate \"%s\": %d arguments", u->name, (int)nargs);
    bool nulls = false;
    if (!(u->flags & TARN_UDF_NULLS))
        for (int32_t i = 0; i < nargs && !nulls; i++)
            nulls = tn_array_null_count(args[i]) > 0;
    if (!nulls)
        return agg_call_update(u, states, args, nargs, n, err);
    /* keep the rows where every argument is valid */
    tn_buffer *ib = tn_buffer_new(n * (int64_t)sizeof(int32_t));
    void **kept_states = tn_malloc(sizeof(void *) * (size_t)(n ? n : 1));
    tn_array *idx = ib && kept_states ? tn_array_new(tn_type_get(TN_INT32), 0, 2, 0) : NULL;
    if (!idx) {
        tn_buffer_unref(ib);
        tn_free(kept_states);
        return tn_error_oom(err, (size_t)n * sizeof(void *));
    }
    int32_t *rows = (int32_t *)ib->data;
    int64_t k = 0;
    for (int64_t r = 0; r < n; r++) {
        bool v = true;
        for (int32_t i = 0; v && i < nargs; i++)
            v = tn_array_is_valid(args[i], r);
        if (v) {
            rows[k] = (int32_t)r;
            kept_states[k++] = states[r];
        }
    }
    idx->buffers[1] = ib;
    idx->length = k;
    idx->null_count = 0;
    tn_array *taken[UDF_MAX_ARGS] = {0};
    int rc = TARN_OK;
    for (int32_t i = 0; rc == TARN_OK && i < nargs; i++)
        rc = tn_take(args[i], idx, &taken[i], err);
    if (rc == TARN_OK && k > 0)
        rc = agg_call_update(u, kept_states, taken, nargs, k, err);
    for (int32_t i = 0; i < nargs; i++)
        tn_array_unref(taken[i]);
    tn_array_unref(idx);
    tn_free(kept_states);
    return rc;
}

static int agg_finalize(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out, tarn_error *err)
{
    const tn_udf *u = call->func->udf_ctx;
    *out = NULL;
    struct ArrowArray res;
    memset(&res, 0, sizeof res);
    tarn_error uerr;
    tarn_error_init(&uerr);
    int urc = u->afn.finalize(u->ctx, states, n, &res, &uerr);
    if (urc) {
        if (res.release)
            res.release(&res);
        return udf_failed(u, urc, &uerr, err);
    }
    return import_result(u, &res, n, out, err);
}
