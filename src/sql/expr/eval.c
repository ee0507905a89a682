/*
 * eval.c — the expression evaluator (see eval.h and
 * docs/internals/sql-functions.md).
 *
 * One recursive walk per batch; each node calls one vectorized kernel on
 * whole columns. A node's value is a `val`: a dense array with one row per
 * selected row, or a scalar (literals, parameters and anything computed
 * from scalars only) that kernels broadcast, so constants are never
 * materialized per row.
 *
 * Selections: a node is evaluated on a selection of input rows and yields
 * one result row per selected row ("positions"). AND/OR and CASE evaluate
 * each later argument only on the positions still undecided, by building a
 * narrower selection of input rows, and put the partial results back in
 * place. Column references are gathered when a selection is present, except
 * where a kernel can take the raw column and the selection itself.
 *
 * Errors: a kernel's "at row K" counts the rows it was given; the node that
 * saw the failure rewrites it to the input row and names the expression
 * text, once (the deepest named node wins).
 */
#include "sql/expr/eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/compute/kernel.h"
#include "core/alloc.h"
#include "sql/functions/function.h"

typedef struct ev {
    const tn_eval_ctx *ctx;
    tn_batch *in;
    tarn_error *err;
    bool row_mapped; /* the error's row already counts input rows */
    bool named;      /* the error already names an expression */
} ev;

/* The value of a node: arr (owned, n rows) or sc (a scalar, owned when own). */
typedef struct val {
    tn_array *arr;
    const tn_scalar *sc;
    tn_scalar *own;
} val;

static void val_reset(val *v)
{
    tn_array_unref(v->arr);
    tn_scalar_free(v->own);
    memset(v, 0, sizeof *v);
}

static tn_datum val_datum(const val *v)
{
    return v->arr ? tn_datum_of_array(v->arr) : tn_datum_of_scalar(v->sc);
}

static const tn_type *val_type(const val *v)
{
    return v->arr ? v->arr->type : v->sc->type;
}

static int eval(ev *x, const tn_expr *e, const tn_selection *sel, int64_t n, val *out);

/* ---- errors ------------------------------------------------------------- */

/* Messages stay on one line: control characters from SQL text or data
 * become spaces. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

/* The expression's text as quoted in messages: at most ~100 bytes, cut at
 * a character boundary. */
static void quote_text(const char *text, char *out, size_t cap)
{
    size_t n = strlen(text), max = cap - 4;
    if (n <= max) {
        memcpy(out, text, n + 1);
        return;
    }
    while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
        max--;
    memcpy(out, text, max);
    memcpy(out + max, "...", 4);
}

/* Rewrite the error of a kernel run over the positions of sel: its trailing
 * "at row K" becomes the input row, and the expression text is named. */
static int fail(ev *x, const tn_expr *e, const tn_selection *sel, int rc)
{
    tarn_error *err = x->err;
    if (!err || rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT)
        return rc;
    char *msg = err->message;
    char *at = NULL;
    for (char *p = strstr(msg, " at row "); p; p = strstr(p + 1, " at row "))
        at = p;
    long long row = -1;
    if (at) {
        char *end = NULL;
        row = strtoll(at + 8, &end, 10);
        if (end == at + 8 || *end != '\0')
            at = NULL;
    }
    if (at && !x->row_mapped) {
        if (sel && row >= 0 && row < sel->n)
            row = sel->rows[row];
        x->row_mapped = true;
    }
    if (x->named || !e->text)
        goto out;
    x->named = true;
    char head[TARN_ERROR_MAX], text[104];
    if (at)
        *at = '\0';
    snprintf(head, sizeof head, "%s", msg);
    quote_text(e->text, text, sizeof text);
    if (at)
        tn_error_set(err, rc, "%s in \"%s\" at row %lld", head, text, row);
    else
        tn_error_set(err, rc, "%s in \"%s\"", head, text);
    one_line(err->message);
    return rc;
out:
    if (at) {
        char prefix[TARN_ERROR_MAX];
        *at = '\0';
        snprintf(prefix, sizeof prefix, "%s", msg);
        tn_error_set(err, rc, "%s at row %lld", prefix, row);
    }
    one_line(err->message);
    return rc;
}

/* ---- scalars and broadcasting -------------------------------------------- */

/* Turn a one-row kernel result into the node's scalar value. */
static int set_scalar_from(ev *x, tn_array *one, val *out)
{
    tn_scalar *s = NULL;
    int rc = tn_scalar_from_array(one, 0, &s, x->err);
    tn_array_unref(one);
    if (rc)
        return rc;
    out->own = s;
    out->sc = s;
    return TARN_OK;
}

/* n copies of s as an array. */
static int broadcast(const tn_scalar *s, int64_t n, tn_array **out, tarn_error *err)
{
    tn_array *one = NULL;
    TN_TRY(tn_scalar_to_array(s, &one, err));
    if (n == 1) {
        *out = one;
        return TARN_OK;
    }
    int32_t *zeros = tn_calloc((size_t)(n > 0 ? n : 1), sizeof *zeros);
    if (!zeros) {
        tn_array_unref(one);
        return tn_error_oom(err, (size_t)n * sizeof *zeros);
    }
    tn_selection all0 = {zeros, n};
    int rc = tn_filter_sel(one, &all0, out, err);
    tn_free(zeros);
    tn_array_unref(one);
    return rc;
}

/* The value as an array of n rows (a new reference). */
static int val_dense(const val *v, int64_t n, tn_array **out, tarn_error *err)
{
    if (v->arr) {
        *out = tn_array_ref(v->arr);
        return TARN_OK;
    }
    return broadcast(v->sc, n, out, err);
}

/* Cast the value to type t in place (no-op when it already has it). */
static int val_cast(ev *x, const tn_expr *e, const tn_selection *sel, val *v, tn_type *t, tn_cast_mode mode)
{
    if (tn_type_equals(val_type(v), t))
        return TARN_OK;
    if (v->arr) {
        tn_array *c = NULL;
        int rc = tn_cast(v->arr, t, mode, &c, x->err);
        if (rc)
            return fail(x, e, sel, rc);
        tn_array_unref(v->arr);
        v->arr = c;
        return TARN_OK;
    }
    tn_array *one = NULL, *c = NULL;
    TN_TRY(tn_scalar_to_array(v->sc, &one, x->err));
    int rc = tn_cast(one, t, mode, &c, x->err);
    tn_array_unref(one);
    if (rc)
        return fail(x, e, NULL, rc);
    val nv = {0};
    TN_TRY(set_scalar_from(x, c, &nv));
    val_reset(v);
    *v = nv;
    return TARN_OK;
}

/* ---- leaves ---------------------------------------------------------------- */

static int column_of(ev *x, const tn_expr *e, tn_array **col)
{
    if (!x->in)
        return tn_error_set(x->err, TARN_EINTERNAL, "column %d referenced without an input batch", e->index);
    if (e->index < 0 || e->index >= x->in->schema->n_fields)
        return tn_error_set(x->err, TARN_EINTERNAL, "column %d out of range for a batch of %d columns", e->index,
                            x->in->schema->n_fields);
    *col = x->in->columns[e->index];
    return TARN_OK;
}

static int eval_column(ev *x, const tn_expr *e, const tn_selection *sel, val *out)
{
    tn_array *col = NULL;
    TN_TRY(column_of(x, e, &col));
    if (!sel) {
        out->arr = tn_array_ref(col);
        return TARN_OK;
    }
    return tn_filter_sel(col, sel, &out->arr, x->err);
}

static int eval_param(ev *x, const tn_expr *e, val *out)
{
    const tn_eval_ctx *c = x->ctx;
    if (!c || e->index < 1 || e->index > c->nparams || !c->params || !c->params[e->index - 1])
        return tn_error_set(x->err, TARN_EINVAL, "no value given for parameter $%d", e->index);
    out->sc = c->params[e->index - 1];
    if (e->type && e->type->id != TN_NA)
        return val_cast(x, e, NULL, out, e->type, TN_CAST_STRICT);
    return TARN_OK;
}

/* Whether the kernel can read this argument straight from the batch (with
 * the selection) rather than from an evaluated copy. */
static bool is_leaf(const tn_expr *e)
{
    return e->kind == TN_EXPR_COLUMN || e->kind == TN_EXPR_LITERAL;
}

/* Operands of an element-wise kernel. When all are leaves, columns are
 * passed raw and *ksel is the selection for the kernel; otherwise every
 * operand is evaluated densely and *ksel is NULL. */
static int operands(ev *x, const tn_expr *const *args, int nargs, const tn_selection *sel, int64_t n, val *ops,
                    const tn_selection **ksel)
{
    bool leaves = true;
    for (int i = 0; i < nargs; i++)
        leaves = leaves && is_leaf(args[i]);
    *ksel = NULL;
    for (int i = 0; i < nargs; i++) {
        if (leaves && args[i]->kind == TN_EXPR_COLUMN) {
            tn_array *col = NULL;
            TN_TRY(column_of(x, args[i], &col));
            ops[i].arr = tn_array_ref(col);
            *ksel = sel;
        } else {
            TN_TRY(eval(x, args[i], sel, n, &ops[i]));
        }
    }
    return TARN_OK;
}

static bool all_scalar(const val *ops, int n)
{
    for (int i = 0; i < n; i++)
        if (ops[i].arr)
            return false;
    return true;
}

/* Store a kernel result: scalar when every operand was one. */
static int kernel_result(ev *x, bool scalar, tn_array *r, val *out)
{
    if (scalar)
        return set_scalar_from(x, r, out);
    out->arr = r;
    return TARN_OK;
}

/* ---- element-wise nodes ------------------------------------------------------ */

static int eval_binary(ev *x, const tn_expr *e, const tn_selection *sel, int64_t n, val *out)
{
    if (e->nargs != 2)
        return tn_error_set(x->err, TARN_EINTERNAL, "binary expression with %d arguments", e->nargs);
    val ops[2] = {{0}};
    const tn_selection *ksel = NULL;
    int rc = operands(x, (const tn_expr *const *)e->args, 2, sel, n, ops, &ksel);
    if (rc)
        goto done;
    bool sc = all_scalar(ops, 2);
    if (sc)
        ksel = NULL;
    tn_array *r = NULL;
    tn_datum a = val_datum(&ops[0]), b = val_datum(&ops[1]);
    switch (e->kind) {
    case TN_EXPR_COMPARE: rc = tn_compare(e->cmp, a, b, ksel, &r, x->err); break;
    case TN_EXPR_ARITH: rc = tn_arith(e->arith, a, b, ksel, &r, x->err); break;
    default: rc = tn_is_distinct_from(a, b, ksel, &r, x->err); break;
    }
    if (rc) {
        rc = fail(x, e, sel, rc);
        goto done;
    }
    if (e->kind == TN_EXPR_IS_DISTINCT && e->negated) {
        tn_array *nr = NULL;
        rc = tn_not(tn_datum_of_array(r), NULL, &nr, x->err);
        tn_array_unref(r);
        if (rc)
            goto done;
        r = nr;
    }
    if (e->kind == TN_EXPR_ARITH && e->type && !tn_type_equals(r->type, e->type)) {
        /* the binder typed the result; align a kernel that chose otherwise */
        tn_array *c = NULL;
        rc = tn_cast(r, e->type, TN_CAST_STRICT, &c, x->err);
        tn_array_unref(r);
        if (rc) {
            rc = fail(x, e, sc ? NULL : sel, rc);
            goto done;
        }
        r = c;
    }
    rc = kernel_result(x, sc, r, out);
done:
    val_reset(&ops[0]);
    val_reset(&ops[1]);
    return rc;
}

static int eval_unary(ev *x, const tn_expr *e, const tn_selection *sel, int64_t n, val *out)
{
    if (e->nargs != 1)
        return tn_error_set(x->err, TARN_EINTERNAL, "unary expression with %d arguments", e->nargs);
    val op = {0};
    const tn_selection *ksel = NULL;
    int rc = operands(x, (const tn_expr *const *)e->args, 1, sel, n, &op, &ksel);
    if (rc)
        goto done;
    bool sc = all_scalar(&op, 1);
    if (sc)
        ksel = NULL;
    tn_array *r = NULL;
    tn_datum a = val_datum(&op);
    switch (e->kind) {
    case TN_EXPR_NEGATE: rc = tn_negate(a, ksel, &r, x->err); break;
    case TN_EXPR_NOT: rc = tn_not(a, ksel, &r, x->err); break;
    default:
        rc = e->negated ? tn_is_not_null(a, ksel, &r, x->err) : tn_is_null(a, ksel, &r, x->err);
        break;
    }
    if (rc) {
        rc = fail(x, e, sel, rc);
        goto done;
    }
    rc = kernel_result(x, sc, r, out);
done:
    val_reset(&op);
    return rc;
}

static int eval_cast(ev *x, const tn_expr *e, const tn_selection *sel, int64_t n, val *out)
{
    if (e->nargs != 1 || !e->type)
        return tn_error_set(x->err, TARN_EINTERNAL, "malformed cast expression");
    TN_TRY(eval(x, e->args[0], sel, n, out));
    int rc = val_cast(x, e, sel, out, e->type, e->try_cast ? TN_CAST_TRY : TN_CAST_STRICT);
    if (rc)
        val_reset(out);
    return rc;
}

/* ---- positions and sub-selections ------------------------------------------------ */

/* Scratch for narrowing: input rows and the positions they come from. */
typedef struct narrow {
    int32_t *rows; /* input row of each live position */
    int32_t *pos;  /* its position in the node's result */
    int64_t m;
} narrow;

static int narrow_init(narrow *w, int64_t n, tarn_error *err)
{
    size_t cnt = (size_t)(n > 0 ? n : 1);
    w->rows = tn_malloc(cnt * sizeof *w->rows);
    w->pos = tn_malloc(cnt * sizeof *w->pos);
    w->m = 0;
    if (!w->rows || !w->pos) {
        tn_free(w->rows);
        tn_free(w->pos);
        w->rows = w->pos = NULL;
        return tn_error_oom(err, cnt * sizeof *w->rows);
    }
    return TARN_OK;
}

static void narrow_free(narrow *w)
{
    tn_free(w->rows);
    tn_free(w->pos);
}

static inline int32_t input_row(const tn_selection *sel, int64_t p)
{
    return sel ? sel->rows[p] : (int32_t)p;
}

/* Truth of row k of a bool value: 1 true, 0 false, -1 null. */
static inline int truth(const val *v, int64_t k)
{
    if (v->sc)
        return !v->sc->is_valid ? -1 : v->sc->v.b ? 1 : 0;
    const tn_array *a = v->arr;
    if (!tn_array_is_valid(a, k))
        return -1;
    return tn_bit_get(a->buffers[1]->data, a->offset + k) ? 1 : 0;
}

static int check_bool(ev *x, const tn_expr *e, const val *v)
{
    if (val_type(v)->id != TN_BOOL && val_type(v)->id != TN_NA)
        return tn_error_set(x->err, TARN_ETYPE, "%s is not a boolean", e->text ? e->text : "condition");
    return TARN_OK;
}

/* A bool array of n rows from states: 1 true, 0 false, 2 null. */
static int bool_from_states(const uint8_t *st, int64_t n, tn_array **out, tarn_error *err)
{
    tn_array *a = tn_kout_fixed(tn_type_get(TN_BOOL), n);
    TN_TRY_ALLOC(a, err, (size_t)n);
    uint8_t *bits = a->buffers[1]->data;
    memset(bits, 0, (size_t)tn_bitmap_bytes(n));
    int64_t nulls = 0;
    for (int64_t i = 0; i < n; i++) {
        if (st[i] == 1)
            tn_bit_set(bits, i);
        nulls += st[i] == 2;
    }
    if (nulls) {
        a->buffers[0] = tn_buffer_new_zeroed(tn_bitmap_bytes(n));
        if (!a->buffers[0]) {
            tn_array_unref(a);
            return tn_error_oom(err, (size_t)tn_bitmap_bytes(n));
        }
        for (int64_t i = 0; i < n; i++)
            if (st[i] != 2)
                tn_bit_set(a->buffers[0]->data, i);
    }
    a->null_count = nulls;
    *out = a;
    return TARN_OK;
}

/* ---- AND / OR ------------------------------------------------------------------------ */

/* Kleene AND/OR over n arguments. Each argument after the first only sees
 * the positions the earlier ones left undecided (for AND: not yet false). */
static int eval_logic(ev *x, const tn_expr *e, const tn_selection *sel, int64_t n, val *out)
{
    bool is_and = e->kind == TN_EXPR_AND;
    int decided = is_and ? 0 : 1; /* the value that settles a row */
    uint8_t *st = tn_malloc((size_t)(n > 0 ? n : 1));
    TN_TRY_ALLOC(st, x->err, (size_t)n);
    /* state: 0 decided, 1 neutral so far, 2 null so far */
    memset(st, 1, (size_t)n);
    narrow w = {0};
    int rc = narrow_init(&w, n, x->err);
    if (rc) {
        tn_free(st);
        return rc;
    }
    int64_t live = n;
    for (int32_t i = 0; i < e->nargs && live > 0; i++) {
        const tn_selection *csel = sel;
        tn_selection sub;
        bool all = live == n;
        if (!all) {
            w.m = 0;
            for (int64_t p = 0; p < n; p++)
                if (st[p]) {
                    w.rows[w.m] = input_row(sel, p);
                    w.pos[w.m++] = (int32_t)p;
                }
            sub.rows = w.rows;
            sub.n = w.m;
            csel = &sub;
        }
        val c = {0};
        rc = eval(x, e->args[i], csel, all ? n : w.m, &c);
        if (!rc)
            rc = check_bool(x, e->args[i], &c);
        if (rc) {
            val_reset(&c);
            break;
        }
        int64_t m = all ? n : w.m;
        for (int64_t k = 0; k < m; k++) {
            int64_t p = all ? k : w.pos[k];
            if (!st[p])
                continue;
            int t = truth(&c, k);
            if (t == decided) {
                st[p] = 0;
                live--;
            } else if (t < 0) {
                st[p] = 2;
            }
        }
        val_reset(&c);
    }
    if (!rc) {
        /* states to values: AND neutral = true, OR neutral = false */
        if (!is_and)
            for (int64_t p = 0; p < n; p++)
                st[p] = st[p] == 0 ? 1 : st[p] == 1 ? 0 : 2;
        rc = bool_from_states(st, n, &out->arr, x->err);
    }
    narrow_free(&w);
    tn_free(st);
    return rc;
}

/* ---- CASE -------------------------------------------------------------------------------- */

/* The pieces of a CASE result: each branch's array, and for every position
 * the row of the concatenation it takes (-1: NULL). */
typedef struct pieces {
    tn_array **arrs;
    int32_t narrs;
    int64_t total;
    int64_t *idx;
} pieces;

static void pieces_free(pieces *pc)
{
    for (int32_t i = 0; i < pc->narrs; i++)
        tn_array_unref(pc->arrs[i]);
    tn_free(pc->arrs);
    tn_free(pc->idx);
}

/* Evaluate branch expression b on the input rows `rows` (positions pos) and
 * add it to the pieces. */
static int case_branch(ev *x, const tn_expr *e, const tn_expr *b, const int32_t *rows, const int32_t *pos,
                       int64_t m, pieces *pc)
{
    tn_selection sub = {rows, m};
    val v = {0};
    int rc = eval(x, b, &sub, m, &v);
    if (!rc && e->type)
        rc = val_cast(x, b, &sub, &v, e->type, TN_CAST_STRICT);
    tn_array *a = NULL;
    if (!rc)
        rc = v.arr ? val_dense(&v, m, &a, x->err) : tn_scalar_to_array(v.sc, &a, x->err);
    bool scalar = !v.arr;
    val_reset(&v);
    if (rc)
        return rc;
    pc->arrs[pc->narrs++] = a;
    for (int64_t k = 0; k < m; k++)
        pc->idx[pos[k]] = pc->total + (scalar ? 0 : k);
    pc->total += a->length;
    return TARN_OK;
}

/* Assemble the result: one take over the concatenated branch results. */
static int case_assemble(ev *x, const tn_expr *e, pieces *pc, int64_t n, val *out)
{
    if (pc->narrs == 0) {
        out->arr = tn_array_new_nulls(e->type, n);
        TN_TRY_ALLOC(out->arr, x->err, (size_t)n);
        return TARN_OK;
    }
    tn_array *all = NULL;
    if (pc->narrs == 1)
        all = tn_array_ref(pc->arrs[0]);
    else
        TN_TRY(tn_concatenate(pc->arrs, pc->narrs, &all, x->err));
    /* the single branch that covers every position in order is the result */
    bool identity = all->length == n;
    for (int64_t p = 0; p < n && identity; p++)
        identity = pc->idx[p] == p;
    if (identity) {
        out->arr = all;
        return TARN_OK;
    }
    tn_array *ix = tn_kout_fixed(tn_type_get(TN_INT64), n);
    if (!ix) {
        tn_array_unref(all);
        return tn_error_oom(x->err, (size_t)n * 8);
    }
    int64_t *iv = (int64_t *)ix->buffers[1]->data;
    int64_t nulls = 0;
    for (int64_t p = 0; p < n; p++) {
        iv[p] = pc->idx[p] < 0 ? 0 : pc->idx[p];
        nulls += pc->idx[p] < 0;
    }
    if (nulls) {
        ix->buffers[0] = tn_buffer_new_zeroed(tn_bitmap_bytes(n));
        if (!ix->buffers[0]) {
            tn_array_unref(ix);
            tn_array_unref(all);
            return tn_error_oom(x->err, (size_t)n);
        }
        for (int64_t p = 0; p < n; p++)
            if (pc->idx[p] >= 0)
                tn_bit_set(ix->buffers[0]->data, p);
    }
    ix->null_count = nulls;
    int rc = tn_take(all, ix, &out->arr, x->err);
    tn_array_unref(ix);
    tn_array_unref(all);
    return rc;
}

static int eval_case(ev *x, const tn_expr *e, const tn_selection *sel, int64_t n, val *out)
{
    int32_t npairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
    if (!e->type)
        return tn_error_set(x->err, TARN_EINTERNAL, "CASE without a result type");
    pieces pc = {0};
    narrow w = {0}, t = {0};
    int rc = TARN_OK;
    pc.arrs = tn_calloc((size_t)npairs + 1, sizeof *pc.arrs);
    pc.idx = tn_malloc((size_t)(n > 0 ? n : 1) * sizeof *pc.idx);
    if (!pc.arrs || !pc.idx) {
        rc = tn_error_oom(x->err, (size_t)n * 8);
        goto done;
    }
    for (int64_t p = 0; p < n; p++)
        pc.idx[p] = -1;
    if ((rc = narrow_init(&w, n, x->err)) != 0 || (rc = narrow_init(&t, n, x->err)) != 0)
        goto done;
    /* w: the positions no WHEN has taken yet */
    for (int64_t p = 0; p < n; p++) {
        w.rows[p] = input_row(sel, p);
        w.pos[p] = (int32_t)p;
    }
    w.m = n;
    for (int32_t i = 0; i < npairs && w.m > 0; i++) {
        tn_selection sub = {w.rows, w.m};
        val c = {0};
        rc = eval(x, e->args[2 * i], &sub, w.m, &c);
        if (!rc)
            rc = check_bool(x, e->args[2 * i], &c);
        if (rc) {
            val_reset(&c);
            goto done;
        }
        int64_t keep = 0;
        t.m = 0;
        for (int64_t k = 0; k < w.m; k++) {
            if (truth(&c, k) == 1) {
                t.rows[t.m] = w.rows[k];
                t.pos[t.m++] = w.pos[k];
            } else {
                w.rows[keep] = w.rows[k];
                w.pos[keep++] = w.pos[k];
            }
        }
        w.m = keep;
        val_reset(&c);
        if (t.m > 0 && (rc = case_branch(x, e, e->args[2 * i + 1], t.rows, t.pos, t.m, &pc)) != 0)
            goto done;
    }
    if (e->has_else && w.m > 0 && (rc = case_branch(x, e, e->args[e->nargs - 1], w.rows, w.pos, w.m, &pc)) != 0)
        goto done;
    rc = case_assemble(x, e, &pc, n, out);
done:
    narrow_free(&w);
    narrow_free(&t);
    pieces_free(&pc);
    return rc;
}

/* ---- IN (list) ---------------------------------------------------------------------------- */

/* Lists at least this long of literals probe a hash set instead of being
 * compared one item at a time. */
#define IN_HASH_MIN 8

typedef struct inset {
    uint64_t *hashes; /* 0: empty slot */
    int64_t *ints;
    const uint8_t **strs;
    int64_t *lens;
    uint64_t mask;
    bool text;
    bool has_null;
    tn_array **keep; /* the casted items (own the string bytes) */
    int32_t nkeep;
} inset;

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h | 1; /* never 0, the empty marker */
}

static uint64_t hash_bytes(const uint8_t *p, int64_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (int64_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return mix64(h ^ (uint64_t)n);
}

/* Integer value of row i of an int or temporal array of width <= 8. */
static int64_t int_at_row(const tn_array *a, int64_t i)
{
    switch (a->type->byte_width) {
    case 1: return tn_type_is_unsigned_int(a->type->id) ? TN_VALUES(a, uint8_t)[i] : TN_VALUES(a, int8_t)[i];
    case 2: return tn_type_is_unsigned_int(a->type->id) ? TN_VALUES(a, uint16_t)[i] : TN_VALUES(a, int16_t)[i];
    case 4:
        if (tn_type_is_unsigned_int(a->type->id))
            return (int64_t)TN_VALUES(a, uint32_t)[i];
        return TN_VALUES(a, int32_t)[i];
    default: return TN_VALUES(a, int64_t)[i];
    }
}

static bool hashable(const tn_type *t)
{
    return tn_type_is_int(t->id) || tn_type_is_string(t->id) || tn_type_is_binary(t->id) ||
           (tn_temporal_width(t->id) && t->id != TN_INTERVAL_MONTHS);
}

static void inset_free(inset *s)
{
    for (int32_t i = 0; i < s->nkeep; i++)
        tn_array_unref(s->keep[i]);
    tn_free(s->keep);
    tn_free(s->hashes);
    tn_free(s->ints);
    tn_free(s->strs);
    tn_free(s->lens);
}

static bool inset_find(const inset *s, uint64_t h, int64_t iv, const uint8_t *p, int64_t len, uint64_t *slot)
{
    uint64_t i = h & s->mask;
    while (s->hashes[i]) {
        if (s->hashes[i] == h &&
            (s->text ? s->lens[i] == len && (len == 0 || memcmp(s->strs[i], p, (size_t)len) == 0) : s->ints[i] == iv)) {
            *slot = i;
            return true;
        }
        i = (i + 1) & s->mask;
    }
    *slot = i;
    return false;
}

/* Build the set of the literal items cast to the probe's type. */
static int inset_build(ev *x, const tn_expr *e, tn_type *t, inset *s)
{
    int32_t nitems = e->nargs - 1;
    uint64_t cap = 16;
    while (cap < (uint64_t)nitems * 2)
        cap <<= 1;
    s->mask = cap - 1;
    s->text = tn_type_is_string(t->id) || tn_type_is_binary(t->id);
    s->hashes = tn_calloc(cap, sizeof *s->hashes);
    s->ints = tn_calloc(cap, sizeof *s->ints);
    s->strs = tn_calloc(cap, sizeof *s->strs);
    s->lens = tn_calloc(cap, sizeof *s->lens);
    s->keep = tn_calloc((size_t)nitems, sizeof *s->keep);
    if (!s->hashes || !s->ints || !s->strs || !s->lens || !s->keep)
        return tn_error_oom(x->err, cap * 8);
    for (int32_t i = 1; i < e->nargs; i++) {
        const tn_scalar *v = e->args[i]->value;
        if (!v->is_valid) {
            s->has_null = true;
            continue;
        }
        tn_array *one = NULL, *c = NULL;
        TN_TRY(tn_scalar_to_array(v, &one, x->err));
        int rc = tn_cast(one, t, TN_CAST_TRY, &c, x->err);
        tn_array_unref(one);
        TN_TRY(rc);
        s->keep[s->nkeep++] = c;
        if (!tn_array_is_valid(c, 0))
            continue; /* a value the probe type cannot hold equals no row */
        int64_t iv = 0, len = 0;
        const uint8_t *p = NULL;
        uint64_t h;
        if (s->text) {
            p = tn_array_bytes(c, 0, &len);
            h = hash_bytes(p, len);
        } else {
            iv = int_at_row(c, 0);
            h = mix64((uint64_t)iv);
        }
        uint64_t slot;
        if (!inset_find(s, h, iv, p, len, &slot)) {
            s->hashes[slot] = h;
            s->ints[slot] = iv;
            s->strs[slot] = p;
            s->lens[slot] = len;
        }
    }
    return TARN_OK;
}

static int in_hash(ev *x, const tn_expr *e, const val *probe, int64_t n, val *out)
{
    inset s = {0};
    uint8_t *st = NULL;
    tn_array *a = probe->arr;
    int rc = inset_build(x, e, a->type, &s);
    if (rc)
        goto done;
    st = tn_malloc((size_t)(n > 0 ? n : 1));
    if (!st) {
        rc = tn_error_oom(x->err, (size_t)n);
        goto done;
    }
    uint8_t miss = s.has_null ? 2 : 0;
    for (int64_t k = 0; k < n; k++) {
        if (!tn_array_is_valid(a, k)) {
            st[k] = 2;
            continue;
        }
        int64_t iv = 0, len = 0;
        const uint8_t *p = NULL;
        uint64_t h, slot;
        if (s.text) {
            p = tn_array_bytes(a, k, &len);
            h = hash_bytes(p, len);
        } else {
            iv = int_at_row(a, k);
            h = mix64((uint64_t)iv);
        }
        bool hit = inset_find(&s, h, iv, p, len, &slot);
        st[k] = hit ? (e->negated ? 0 : 1) : miss == 2 ? 2 : (e->negated ? 1 : 0);
    }
    rc = bool_from_states(st, n, &out->arr, x->err);
done:
    tn_free(st);
    inset_free(&s);
    return rc;
}

static bool literal_items(const tn_expr *e)
{
    for (int32_t i = 1; i < e->nargs; i++)
        if (e->args[i]->kind != TN_EXPR_LITERAL)
            return false;
    return true;
}

/* x IN (a, b, ...) as x = a OR x = b ... with Kleene logic: true when any
 * item equals, else NULL when x or an item is NULL, else false. */
static int eval_in(ev *x, const tn_expr *e, const tn_selection *sel, int64_t n, val *out)
{
    if (e->nargs < 2)
        return tn_error_set(x->err, TARN_EINTERNAL, "IN list without items");
    val probe = {0};
    TN_TRY(eval(x, e->args[0], sel, n, &probe));
    int rc = TARN_OK;
    if (probe.arr && e->nargs - 1 >= IN_HASH_MIN && literal_items(e) && hashable(probe.arr->type) &&
        probe.arr->type->id != TN_DICTIONARY) {
        rc = in_hash(x, e, &probe, n, out);
        val_reset(&probe);
        return rc;
    }
    tn_array *acc = NULL;
    bool allsc = !probe.arr;
    for (int32_t i = 1; i < e->nargs && !rc; i++) {
        val item = {0};
        tn_array *eq = NULL, *nacc = NULL;
        rc = eval(x, e->args[i], sel, n, &item);
        if (!rc)
            rc = tn_compare(TN_CMP_EQ, val_datum(&probe), val_datum(&item), NULL, &eq, x->err);
        if (rc)
            rc = fail(x, e, sel, rc);
        allsc = allsc && !item.arr;
        val_reset(&item);
        if (rc)
            break;
        if (!acc) {
            acc = eq;
            continue;
        }
        rc = tn_bool(TN_OR, tn_datum_of_array(acc), tn_datum_of_array(eq), NULL, &nacc, x->err);
        tn_array_unref(eq);
        tn_array_unref(acc);
        acc = nacc;
    }
    val_reset(&probe);
    if (!rc && e->negated) {
        tn_array *nacc = NULL;
        rc = tn_not(tn_datum_of_array(acc), NULL, &nacc, x->err);
        tn_array_unref(acc);
        acc = nacc;
    }
    if (rc) {
        tn_array_unref(acc);
        return rc;
    }
    /* every operand a scalar: the one-row result stands for all rows */
    if (allsc)
        return set_scalar_from(x, acc, out);
    out->arr = acc;
    return TARN_OK;
}

/* ---- function calls ---------------------------------------------------------------------------- */

static int eval_call(ev *x, const tn_expr *e, const tn_selection *sel, int64_t n, val *out)
{
    if (!e->func || !e->func->exec)
        return tn_error_set(x->err, TARN_EINTERNAL, "call without a resolved function");
    int32_t na = e->nargs;
    val *vs = tn_calloc((size_t)(na > 0 ? na : 1), sizeof *vs);
    tn_datum *ds = tn_calloc((size_t)(na > 0 ? na : 1), sizeof *ds);
    int rc = TARN_OK;
    if (!vs || !ds) {
        rc = tn_error_oom(x->err, (size_t)na * sizeof *vs);
        goto done;
    }
    bool sc = !e->func->is_volatile;
    for (int32_t i = 0; i < na; i++) {
        if ((rc = eval(x, e->args[i], sel, n, &vs[i])) != 0)
            goto done;
        if (vs[i].arr && vs[i].arr->type->id == TN_DICTIONARY) {
            /* kernels see plain values */
            tn_array *d = NULL;
            if ((rc = tn_cast(vs[i].arr, vs[i].arr->type->value_type, TN_CAST_STRICT, &d, x->err)) != 0)
                goto done;
            tn_array_unref(vs[i].arr);
            vs[i].arr = d;
        }
        ds[i] = val_datum(&vs[i]);
        sc = sc && !vs[i].arr;
    }
    tn_array *r = NULL;
    int64_t rows = sc ? 1 : n;
    rc = e->func->exec(e, ds, na, rows, &r, x->err);
    if (rc) {
        rc = fail(x, e, sc ? NULL : sel, rc);
        goto done;
    }
    if (!r || r->length != rows) {
        tn_array_unref(r);
        rc = tn_error_set(x->err, TARN_EINTERNAL, "function %s returned %lld rows for %lld", e->func->name,
                          r ? (long long)r->length : -1LL, (long long)rows);
        goto done;
    }
    rc = kernel_result(x, sc, r, out);
done:
    for (int32_t i = 0; vs && i < na; i++)
        val_reset(&vs[i]);
    tn_free(vs);
    tn_free(ds);
    return rc;
}

/* ---- the walk ------------------------------------------------------------------------------------ */

static int eval(ev *x, const tn_expr *e, const tn_selection *sel, int64_t n, val *out)
{
    memset(out, 0, sizeof *out);
    switch (e->kind) {
    case TN_EXPR_COLUMN: return eval_column(x, e, sel, out);
    case TN_EXPR_LITERAL:
        if (!e->value)
            return tn_error_set(x->err, TARN_EINTERNAL, "literal without a value");
        out->sc = e->value;
        return TARN_OK;
    case TN_EXPR_PARAM: return eval_param(x, e, out);
    case TN_EXPR_CAST: return eval_cast(x, e, sel, n, out);
    case TN_EXPR_COMPARE:
    case TN_EXPR_ARITH:
    case TN_EXPR_IS_DISTINCT: return eval_binary(x, e, sel, n, out);
    case TN_EXPR_NEGATE:
    case TN_EXPR_NOT:
    case TN_EXPR_IS_NULL: return eval_unary(x, e, sel, n, out);
    case TN_EXPR_AND:
    case TN_EXPR_OR: return eval_logic(x, e, sel, n, out);
    case TN_EXPR_IN_LIST: return eval_in(x, e, sel, n, out);
    case TN_EXPR_CASE: return eval_case(x, e, sel, n, out);
    case TN_EXPR_CALL: return eval_call(x, e, sel, n, out);
    case TN_EXPR_OUTER:
    case TN_EXPR_SUBQUERY:
        return tn_error_set(x->err, TARN_EINTERNAL, "%s reached the evaluator (the planner removes them)",
                            e->kind == TN_EXPR_OUTER ? "an outer reference" : "a subquery");
    }
    return tn_error_set(x->err, TARN_EINTERNAL, "unknown expression kind %d", (int)e->kind);
}

static int64_t row_count(const tn_batch *in, const tn_selection *sel)
{
    return sel ? sel->n : in ? in->length : 1;
}

int tn_expr_eval(const tn_eval_ctx *ctx, const tn_expr *e, tn_batch *in, const tn_selection *sel, tn_array **out,
                 tarn_error *err)
{
    *out = NULL;
    ev x = {ctx, in, err, false, false};
    int64_t n = row_count(in, sel);
    val v = {0};
    TN_TRY(eval(&x, e, sel, n, &v));
    int rc = val_dense(&v, n, out, err);
    val_reset(&v);
    return rc;
}

/* Positions of v (n rows) that are true, as input rows of sel, into rows.
 * rows may be sel->rows itself: entry m is written only after entry k >= m
 * was read. */
static int select_true(const val *v, const tn_selection *sel, int64_t n, int32_t *rows, int64_t *cnt,
                       tarn_error *err)
{
    (void)err;
    int64_t m = 0;
    if (!v->arr) {
        if (v->sc->is_valid && v->sc->type->id == TN_BOOL && v->sc->v.b)
            for (int64_t p = 0; p < n; p++)
                rows[m++] = input_row(sel, p);
        *cnt = m;
        return TARN_OK;
    }
    const tn_array *a = v->arr;
    if (a->type->id == TN_NA) {
        *cnt = 0;
        return TARN_OK;
    }
    const uint8_t *bits = a->buffers[1]->data, *valid = tn_kvalid_bits(a);
    int64_t off = a->offset;
    for (int64_t p = 0; p < n; p++) {
        bool t = tn_bit_get(bits, off + p) && (!valid || tn_bit_get(valid, off + p));
        if (t)
            rows[m++] = input_row(sel, p);
    }
    *cnt = m;
    return TARN_OK;
}

static int select_rec(ev *x, const tn_expr *e, const tn_selection *sel, int32_t *rows, int64_t *cnt)
{
    int64_t n = row_count(x->in, sel);
    if (e->kind == TN_EXPR_AND) {
        /* each conjunct narrows the rows the next one sees; the next one
         * reads its selection from a copy, since it writes into rows */
        const tn_selection *cur = sel;
        tn_selection s;
        int32_t *prev = NULL;
        if (e->nargs > 1 && n > 0) {
            prev = tn_malloc((size_t)n * sizeof(int32_t));
            TN_TRY_ALLOC(prev, x->err, (size_t)n * sizeof(int32_t));
        }
        for (int32_t i = 0; i < e->nargs; i++) {
            int rc = select_rec(x, e->args[i], cur, rows, cnt);
            if (rc) {
                tn_free(prev);
                return rc;
            }
            if (*cnt == 0 || i + 1 == e->nargs)
                break;
            memcpy(prev, rows, (size_t)*cnt * sizeof(int32_t));
            s.rows = prev;
            s.n = *cnt;
            cur = &s;
        }
        tn_free(prev);
        if (e->nargs == 0) {
            for (int64_t p = 0; p < n; p++)
                rows[p] = input_row(sel, p);
            *cnt = n;
        }
        return TARN_OK;
    }
    val v = {0};
    TN_TRY(eval(x, e, sel, n, &v));
    int rc = check_bool(x, e, &v);
    if (!rc)
        rc = select_true(&v, sel, n, rows, cnt, x->err);
    val_reset(&v);
    return rc;
}

int tn_expr_select(const tn_eval_ctx *ctx, const tn_expr *e, tn_batch *in, const tn_selection *sel, int32_t *rows,
                   int64_t *n, tarn_error *err)
{
    *n = 0;
    ev x = {ctx, in, err, false, false};
    return select_rec(&x, e, sel, rows, n);
}

bool tn_expr_has_volatile(const tn_expr *e)
{
    if (e->kind == TN_EXPR_CALL && (!e->func || e->func->is_volatile))
        return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (tn_expr_has_volatile(e->args[i]))
            return true;
    return false;
}

bool tn_expr_is_constant(const tn_expr *e)
{
    switch (e->kind) {
    case TN_EXPR_COLUMN:
    case TN_EXPR_OUTER:
    case TN_EXPR_PARAM:
    case TN_EXPR_SUBQUERY: return false;
    case TN_EXPR_CALL:
        if (!e->func || e->func->is_volatile)
            return false;
        break;
    default: break;
    }
    for (int32_t i = 0; i < e->nargs; i++)
        if (!tn_expr_is_constant(e->args[i]))
            return false;
    return true;
}

int tn_expr_eval_constant(const tn_eval_ctx *ctx, const tn_expr *e, tn_scalar **out, tarn_error *err)
{
    *out = NULL;
    ev x = {ctx, NULL, err, false, false};
    val v = {0};
    TN_TRY(eval(&x, e, NULL, 1, &v));
    int rc = TARN_OK;
    if (v.own) {
        *out = v.own;
        v.own = NULL;
    } else if (v.sc) {
        tn_array *one = NULL;
        rc = tn_scalar_to_array(v.sc, &one, err);
        if (!rc) {
            rc = tn_scalar_from_array(one, 0, out, err);
            tn_array_unref(one);
        }
    } else {
        rc = tn_scalar_from_array(v.arr, 0, out, err);
    }
    val_reset(&v);
    return rc;
}

/* ---- array row -> scalar ----------------------------------------------------------------------------- */

int tn_scalar_from_array(tn_array *a, int64_t row, tn_scalar **out, tarn_error *err)
{
    *out = NULL;
    if (row < 0 || row >= a->length)
        return tn_error_set(err, TARN_EINVAL, "row %lld out of range for an array of %lld rows", (long long)row,
                            (long long)a->length);
    tn_type *t = a->type;
    tn_type_id id = t->id;
    tn_scalar *s = NULL;
    if (id == TN_DICTIONARY) {
        if (!tn_array_is_valid(a, row))
            s = tn_scalar_null(t->value_type);
        else
            return tn_scalar_from_array(a->dictionary, tn_array_dict_index(a, row), out, err);
    } else if (!tn_array_is_valid(a, row)) {
        s = tn_scalar_null(t);
    } else if (id == TN_BOOL) {
        s = tn_scalar_bool(tn_bit_get(a->buffers[1]->data, a->offset + row));
    } else if (tn_type_is_signed_int(id) || tn_temporal_width(id)) {
        s = tn_scalar_int(t, int_at_row(a, row));
    } else if (tn_type_is_unsigned_int(id)) {
        s = tn_scalar_uint(t, (uint64_t)int_at_row(a, row)); /* zero-extended by int_at_row */
    } else if (id == TN_FLOAT16) {
        s = tn_scalar_double(t, tn_half_to_float(TN_VALUES(a, uint16_t)[row]));
    } else if (id == TN_FLOAT32) {
        s = tn_scalar_double(t, TN_VALUES(a, float)[row]);
    } else if (id == TN_FLOAT64) {
        s = tn_scalar_double(t, TN_VALUES(a, double)[row]);
    } else if (tn_type_is_string(id) || tn_type_is_binary(id) || id == TN_FIXED_BINARY) {
        int64_t len;
        const uint8_t *p = tn_array_bytes(a, row, &len);
        s = tn_scalar_bytes(t, p, len);
    } else if (t->byte_width > 0 && t->byte_width <= 32) {
        s = tn_scalar_raw(t, a->buffers[1]->data + (a->offset + row) * t->byte_width);
    } else if (id == TN_NA) {
        s = tn_scalar_null(t);
    } else {
        char name[64];
        return tn_error_set(err, TARN_EUNSUPPORTED, "no scalar of type %s", tn_ktype_name(t, name, sizeof name));
    }
    TN_TRY_ALLOC(s, err, sizeof *s);
    *out = s;
    return TARN_OK;
}
