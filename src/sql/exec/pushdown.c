/*
 * pushdown.c — scan filters a Parquet file can apply itself: every
 * conjunct of the form `column op value` (either way round) or `column IN
 * (value, ...)` over a plain column of an integer, float, decimal, string
 * or date type becomes a tn_parquet_term (formats/parquet/parquet.h),
 * given to the reader as parsed terms. The value is a literal or a
 * constant expression (`DATE '1994-01-01' + INTERVAL '1' YEAR`), folded
 * here, of exactly the column's type. The reader skips row groups (and
 * pages) whose statistics prove no row matches, and keeps only the
 * matching rows of the others, with SQL's rules (a NULL never matches), so
 * a pushed conjunct is applied exactly; the others the engine applies.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arrow/compute/decimal.h"
#include "core/alloc.h"
#include "core/datetime.h"
#include "formats/parquet/parquet.h"
#include "sql/exec/exec.h"

static tn_cmp_op flipped(tn_cmp_op op)
{
    static const tn_cmp_op f[] = {TN_CMP_EQ, TN_CMP_NE, TN_CMP_GT, TN_CMP_GE, TN_CMP_LT, TN_CMP_LE};
    return f[op];
}

/* The value as the reader's literal: the text of a number, or the bytes of
 * a string (dates as 'YYYY-MM-DD'), copied into the arena. *ok false when
 * the type has no such form or the value none the reader reads back. */
static int literal_of(const tn_scalar *s, tn_arena *a, const char **lit, size_t *len, bool *is_string, bool *ok,
                      tarn_error *err)
{
    char text[96];
    int n = -1;
    tn_type_id id = s->type->id;
    *ok = false;
    *is_string = false;
    if (id >= TN_INT8 && id <= TN_INT64) {
        n = snprintf(text, sizeof text, "%" PRId64, s->v.i);
    } else if (id >= TN_UINT8 && id <= TN_UINT64) {
        if (s->v.u > (uint64_t)INT64_MAX) /* the reader reads integers as int64 */
            return TARN_OK;
        n = snprintf(text, sizeof text, "%" PRIu64, s->v.u);
    } else if (id == TN_FLOAT32 || id == TN_FLOAT64) {
        if (s->v.f != s->v.f || s->v.f * 0 != 0) /* NaN, infinities */
            return TARN_OK;
        n = snprintf(text, sizeof text, "%.17g", s->v.f);
    } else if (id == TN_DECIMAL128) {
        tn_i128 v;
        memcpy(&v, s->v.raw, sizeof v);
        n = tn_i128_format(v, s->type->scale, text);
    } else if (id == TN_DATE32) {
        int64_t y;
        int m, d;
        tn_civil_from_days(s->v.i, &y, &m, &d);
        if (y < 0 || y > 9999)
            return TARN_OK;
        n = snprintf(text, sizeof text, "%04" PRId64 "-%02d-%02d", y, m, d);
        *is_string = true;
    } else if (tn_type_is_string(id)) {
        *lit = tn_arena_strndup(a, (const char *)s->bytes, (size_t)s->n_bytes);
        TN_TRY_ALLOC(*lit, err, (size_t)s->n_bytes);
        *len = (size_t)s->n_bytes;
        *is_string = true;
        *ok = true;
        return TARN_OK;
    }
    if (n < 0 || (size_t)n >= sizeof text)
        return TARN_OK;
    *lit = tn_arena_strndup(a, text, (size_t)n);
    TN_TRY_ALLOC(*lit, err, (size_t)n);
    *len = (size_t)n;
    *ok = true;
    return TARN_OK;
}

/* The value of e when it is a literal or a constant expression (a scalar
 * the caller frees when *owned), else NULL. */
static int value_of(const tn_expr *e, const tn_scalar **out, tn_scalar **owned, tarn_error *err)
{
    *out = NULL;
    *owned = NULL;
    if (e->kind == TN_EXPR_LITERAL) {
        *out = e->value;
        return TARN_OK;
    }
    if (e->kind == TN_EXPR_COLUMN || !tn_expr_is_constant(e))
        return TARN_OK;
    tn_eval_ctx none = {0};
    tarn_error ignored;
    tarn_error_init(&ignored);
    int rc = tn_expr_eval_constant(&none, e, owned, &ignored);
    if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT) {
        *err = ignored;
        return rc;
    }
    *out = rc == TARN_OK ? *owned : NULL; /* a failing constant (1/0) is left to the engine */
    return TARN_OK;
}

/* The scan column e reads, or NULL when e is not a plain column whose name
 * the reader resolves to it. */
static const tn_field *column_of(const tn_schema *schema, const tn_scan_request *req, const tn_expr *e)
{
    if (e->kind != TN_EXPR_COLUMN || e->index < 0 || e->index >= (req->columns ? req->ncolumns : schema->n_fields))
        return NULL;
    const tn_field *f = &schema->fields[req->columns ? req->columns[e->index] : e->index];
    /* a dotted name would be read as a path into a struct */
    return f->name[0] && !strchr(f->name, '.') ? f : NULL;
}

static int add_term(tn_exec_pq_terms *t, tn_parquet_term *term, int32_t conjunct, bool row_filter, tarn_error *err)
{
    if (t->n == t->cap) {
        int32_t cap = t->cap ? t->cap * 2 : 8;
        tn_parquet_term *nt = tn_realloc(t->terms, (size_t)cap * sizeof *nt);
        TN_TRY_ALLOC(nt, err, (size_t)cap * sizeof *nt);
        t->terms = nt;
        int32_t *nc = tn_realloc(t->conjunct, (size_t)cap * sizeof *nc);
        TN_TRY_ALLOC(nc, err, (size_t)cap * sizeof *nc);
        t->conjunct = nc;
        bool *nr = tn_realloc(t->row_filter, (size_t)cap * sizeof *nr);
        TN_TRY_ALLOC(nr, err, (size_t)cap * sizeof *nr);
        t->row_filter = nr;
        t->cap = cap;
    }
    t->terms[t->n] = *term;
    t->row_filter[t->n] = row_filter;
    t->conjunct[t->n++] = conjunct;
    return TARN_OK;
}

/* `column op value`, either way round. */
static int compare_term(tn_exec_pq_terms *t, const tn_schema *schema, const tn_scan_request *req, const tn_expr *e,
                        int32_t conjunct, tarn_error *err)
{
    if (e->nargs != 2 || (int)e->cmp < TN_CMP_EQ || e->cmp > TN_CMP_GE)
        return TARN_OK;
    bool flip = column_of(schema, req, e->args[1]) != NULL;
    const tn_field *f = column_of(schema, req, e->args[flip ? 1 : 0]);
    if (!f)
        return TARN_OK;
    const tn_scalar *v;
    tn_scalar *owned;
    TN_TRY(value_of(e->args[flip ? 0 : 1], &v, &owned, err));
    int rc = TARN_OK;
    bool ok = false;
    tn_parquet_term term = {.column = f->name, .op = (int)(flip ? flipped(e->cmp) : e->cmp)};
    if (v && v->is_valid && tn_type_equals(f->type, v->type))
        rc = literal_of(v, &t->arena, &term.literal, &term.literal_len, &term.is_string, &ok, err);
    tn_scalar_free(owned);
    if (rc == TARN_OK && ok)
        rc = add_term(t, &term, conjunct, true, err);
    return rc;
}

/* `column IN (value, ...)`: its NULL values dropped (in a filter, a row
 * they would make NULL is not kept either). The reader filters rows with
 * it when it is short and not of strings; else it only skips row groups. */
static int in_term(tn_exec_pq_terms *t, const tn_schema *schema, const tn_scan_request *req, const tn_expr *e,
                   int32_t conjunct, tarn_error *err)
{
    const tn_field *f = e->nargs >= 2 && !e->negated ? column_of(schema, req, e->args[0]) : NULL;
    if (!f)
        return TARN_OK;
    int32_t m = e->nargs - 1, k = 0;
    const char **lits = tn_arena_calloc(&t->arena, (size_t)m * sizeof *lits);
    size_t *lens = tn_arena_calloc(&t->arena, (size_t)m * sizeof *lens);
    TN_TRY_ALLOC(lits && lens ? lits : NULL, err, (size_t)m * sizeof *lits);
    bool ok = true, is_string = false;
    for (int32_t i = 0; ok && i < m; i++) {
        const tn_scalar *v;
        tn_scalar *owned;
        TN_TRY(value_of(e->args[i + 1], &v, &owned, err));
        int rc = TARN_OK;
        if (!v || !tn_type_equals(f->type, v->type))
            ok = false;
        else if (v->is_valid)
            rc = literal_of(v, &t->arena, &lits[k], &lens[k], &is_string, &ok, err);
        k += v && v->is_valid && ok;
        tn_scalar_free(owned);
        TN_TRY(rc);
    }
    if (!ok || k == 0)
        return TARN_OK;
    tn_parquet_term term = {.column = f->name, .op = TN_CMP_EQ, .is_string = is_string, .n_in = k,
                            .in_literals = lits, .in_lens = lens};
    return add_term(t, &term, conjunct, !is_string && k <= 8, err);
}

int tn_exec_parquet_terms(const tn_schema *schema, const tn_scan_request *req, tn_exec_pq_terms *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    tn_arena_init(&out->arena, 0);
    int rc = TARN_OK;
    for (int32_t i = 0; rc == TARN_OK && i < req->nfilters; i++) {
        const tn_expr *e = req->filters[i];
        if (e->kind == TN_EXPR_COMPARE)
            rc = compare_term(out, schema, req, e, i, err);
        else if (e->kind == TN_EXPR_IN_LIST)
            rc = in_term(out, schema, req, e, i, err);
    }
    if (rc != TARN_OK)
        tn_exec_parquet_terms_reset(out);
    return rc;
}

void tn_exec_parquet_terms_reset(tn_exec_pq_terms *t)
{
    tn_free(t->terms);
    tn_free(t->conjunct);
    tn_free(t->row_filter);
    tn_arena_free(&t->arena);
    memset(t, 0, sizeof *t);
}
