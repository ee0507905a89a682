/*
 * function.h — the SQL function library: scalar functions, aggregates and
 * window functions, found by name and argument types.
 *
 * Resolution happens once, in the binder: the library picks the overload
 * for the argument types, wraps arguments that need an implicit cast in
 * TN_EXPR_CAST nodes, fixes the result type and may precompute per-call
 * state (`bind_data`, e.g. a compiled regular expression when the pattern
 * is a literal). Execution then never looks at names or types again.
 *
 * Scalar kernels are vectorized and see dense inputs: every argument is a
 * datum (an array of exactly `n` rows, or a scalar that broadcasts), and the
 * result is an array of `n` rows. The evaluator (sql/expr/eval.h) applies
 * selections before calling them. NULL handling is the kernel's own; a
 * function that returns NULL whenever an argument is NULL says so with
 * `null_in_null_out`, which lets the optimizer fold f(NULL) to NULL.
 */
#ifndef TN_SQL_FUNCTION_H
#define TN_SQL_FUNCTION_H

#include "sql/plan.h"
#include "tarn/sql.h"

/* ---- scalar functions --------------------------------------------------------- */

typedef int (*tn_scalar_exec_fn)(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n,
                                 tn_array **out, tarn_error *err);

struct tn_scalar_func {
    const char *name;       /* lower case, as shown in EXPLAIN */
    tn_scalar_exec_fn exec;
    bool null_in_null_out;  /* NULL in any argument gives NULL */
    bool is_volatile;       /* random(), now() per row: never constant-folded */
    void *udf_ctx;          /* user-defined functions (tarn/sql.h): the caller's context */
};

/* Build the call name(args) into *out: a TN_EXPR_CALL (or another
 * expression the function is sugar for, e.g. coalesce -> CASE) with the
 * resolved overload, implicit casts inserted and its result type.
 *   TARN_ENOTFOUND  no scalar function of that name (the binder then tries
 *                   aggregates, then reports the unknown function with the
 *                   closest name: tn_function_closest)
 *   TARN_ETYPE      the name exists but no overload takes these types; the
 *                   message lists the candidates ("no function
 *                   substr(integer): candidates are substr(varchar, bigint),
 *                   substr(varchar, bigint, bigint)")
 * `loc` is the call's position for the expression's loc. */
int tn_scalar_func_resolve(tn_plan_ctx *c, const char *name, tn_expr **args, int32_t nargs, uint32_t loc,
                           tn_expr **out, tarn_error *err) TN_MUST_USE;

/* struct_pack(names[i] := args[i], ...) and {'name': value, ...}: a struct
 * of the arguments (a NULL literal becomes an INTEGER field). Field names
 * must differ (case-insensitively). */
int tn_struct_pack_resolve(tn_plan_ctx *c, const char *const *names, tn_expr **args, int32_t nargs, uint32_t loc,
                           tn_expr **out, tarn_error *err) TN_MUST_USE;

/* The value of an INTERVAL literal as an interval month_day_nano scalar (a
 * new one): INTERVAL 'text' or INTERVAL 'number' unit. `text` is a list
 * of "number unit" pairs ('1 day', '2 hours 30 minutes', '1 year 2
 * months', '-3 days'), optionally ending with a clock 'HH:MM[:SS[.f]]';
 * `unit` (NULL when none) is the keyword after the literal (DAY, MONTH,
 * ...), which applies to a bare number. Units: year, quarter, month, week,
 * day, hour, minute, second, millisecond, microsecond (and plurals and
 * DuckDB's abbreviations). TARN_EPARSE names the text on bad input. */
int tn_interval_literal(const char *text, size_t len, const char *unit, tn_scalar **out, tarn_error *err) TN_MUST_USE;

/* ---- aggregates ------------------------------------------------------------------ */

/* States are `call->state_size` bytes, 16-byte aligned, owned by the
 * aggregate operator (which handles DISTINCT, FILTER and GROUP BY itself).
 * Updates are vectorized scatters: row r of args goes into states[r]
 * (several rows may share a state). `args` are dense arrays of n rows. */
struct tn_agg_func {
    const char *name;
    void (*init)(const tn_agg_call *call, void *state);
    int (*update)(const tn_agg_call *call, void *const *states, tn_array *const *args, int64_t n,
                  tarn_error *err);
    /* Fold `from` into `into` (parallel partial aggregation); `from` is then
     * destroyed by the operator. */
    int (*merge)(const tn_agg_call *call, void *into, const void *from, tarn_error *err);
    /* One result row per state, in order, as an array of call->type. */
    int (*finalize)(const tn_agg_call *call, void *const *states, int64_t n, tn_array **out, tarn_error *err);
    void (*destroy)(const tn_agg_call *call, void *state); /* NULL when the state owns nothing */
    void *udf_ctx;
};

/* Fill *out (func, args with implicit casts, type, state_size, bind_data)
 * for the aggregate name(args). Errors as tn_scalar_func_resolve; the
 * caller sets distinct, filter and order afterwards. `star`: count(*). */
int tn_agg_func_resolve(tn_plan_ctx *c, const char *name, tn_expr **args, int32_t nargs, bool star,
                        tn_agg_call *out, tarn_error *err) TN_MUST_USE;
bool tn_agg_func_exists(const char *name);

/* ---- window functions --------------------------------------------------------------- */

/* Defined with the window operator (sql/exec/): row_number, rank, lag, ...
 * Aggregates used as window functions go through tn_agg_func_resolve. */
int tn_window_func_resolve(tn_plan_ctx *c, const char *name, tn_expr **args, int32_t nargs,
                           tn_window_call *out, tarn_error *err) TN_MUST_USE;
bool tn_window_func_exists(const char *name);

/* ---- user-defined functions (tarn/sql.h) ---------------------------------------------- */

/* A session's registry of functions written by the caller. The binder
 * consults it (tn_bind_options.functions) before the built-in library, so
 * a user-defined function shadows a built-in of the same name (DuckDB's
 * search path puts the user's schema before the system catalog too).
 * Entries are reference counted: a bound statement keeps the functions it
 * calls (tn_plan_keep_ref), so replacing or dropping one is safe while a
 * statement bound with it still runs. The registry itself is used by one
 * thread at a time (the session's); the functions run on any thread. */
typedef struct tn_func_registry tn_func_registry;
typedef struct tn_udf tn_udf;

int tn_func_registry_new(tn_func_registry **out, tarn_error *err) TN_MUST_USE;
void tn_func_registry_free(tn_func_registry *r);
/* Register (or replace by name) a scalar / aggregate function; the
 * arguments are those of tarn_session_register_scalar / _aggregate. */
int tn_udf_register_scalar(tn_func_registry *r, const char *name, int nargs, const char *const *arg_types,
                           const char *result_type, unsigned flags, tarn_scalar_udf fn, void *ctx,
                           tarn_error *err) TN_MUST_USE;
int tn_udf_register_aggregate(tn_func_registry *r, const char *name, int nargs, const char *const *arg_types,
                              const char *result_type, unsigned flags, const tarn_aggregate_udf *fn, void *ctx,
                              tarn_error *err) TN_MUST_USE;
/* Remove by name: TARN_ENOTFOUND when absent. */
int tn_func_registry_drop(tn_func_registry *r, const char *name, tarn_error *err) TN_MUST_USE;
/* The i-th registered name (NULL past the end), for hints. */
const char *tn_func_registry_at(const tn_func_registry *r, int32_t i);
/* The function named `name` (case-insensitive), or NULL; r may be NULL. */
const tn_udf *tn_udf_find(const tn_func_registry *r, const char *name);
bool tn_udf_is_aggregate(const tn_udf *u);
/* As tn_scalar_func_resolve / tn_agg_func_resolve for a user-defined
 * function: arguments cast to the declared types (TARN_ETYPE "no function
 * f(varchar): f takes (bigint)" when a cast is not implicit), the result
 * type declared, and a reference to the function kept by c. */
int tn_udf_resolve_scalar(tn_plan_ctx *c, const tn_udf *u, tn_expr **args, int32_t nargs, uint32_t loc,
                          tn_expr **out, tarn_error *err) TN_MUST_USE;
int tn_udf_resolve_agg(tn_plan_ctx *c, const tn_udf *u, tn_expr **args, int32_t nargs, bool star,
                       tn_agg_call *out, tarn_error *err) TN_MUST_USE;

/* ---- names ------------------------------------------------------------------------------- */

/* NULL-terminated lists of the names each family knows (for hints and
 * completion): scalar names come from the scalar library, the other two
 * from the aggregate and window modules. */
const char *const *tn_scalar_func_names(void);
const char *const *tn_agg_func_names(void);
const char *const *tn_window_func_names(void);

/* The known function name (scalar, aggregate or window) closest to name,
 * for "did you mean" hints, or NULL. */
const char *tn_function_closest(const char *name);

#endif
