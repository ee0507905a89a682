/*
 * pushdown.c — scan filters a Parquet file can use: every conjunct of the
 * form `column op literal` (either way round) over a plain column of an
 * integer, float, decimal, string or date type becomes a term of the
 * reader's `where` option (formats/parquet/filter.h), which skips row
 * groups whose statistics prove no row matches. The engine still applies
 * every conjunct itself, so a term the reader cannot use costs nothing
 * but a pruning chance.
 */
#include <inttypes.h>
#include <string.h>

#include "arrow/compute/decimal.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/datetime.h"
#include "sql/exec/exec.h"

static const char *op_text(tn_cmp_op op)
{
    static const char *const t[] = {"=", "<>", "<", "<=", ">", ">="};
    return t[op];
}

static tn_cmp_op flipped(tn_cmp_op op)
{
    static const tn_cmp_op f[] = {TN_CMP_EQ, TN_CMP_NE, TN_CMP_GT, TN_CMP_GE, TN_CMP_LT, TN_CMP_LE};
    return f[op];
}

/* The literal as `where` text; false when the type has no such form. */
static int literal_text(const tn_scalar *s, tn_buf *out, bool *ok, tarn_error *err)
{
    *ok = true;
    tn_type_id id = s->type->id;
    if (id >= TN_INT8 && id <= TN_INT64)
        return tn_buf_printf(out, err, "%" PRId64, s->v.i);
    if (id >= TN_UINT8 && id <= TN_UINT64)
        return tn_buf_printf(out, err, "%" PRIu64, s->v.u);
    if (id == TN_FLOAT32 || id == TN_FLOAT64) {
        if (s->v.f != s->v.f || s->v.f * 0 != 0) {
            *ok = false;
            return TARN_OK;
        }
        return tn_buf_printf(out, err, "%.17g", s->v.f);
    }
    if (id == TN_DECIMAL128) {
        tn_i128 v;
        char text[80];
        memcpy(&v, s->v.raw, sizeof v);
        return tn_buf_append(out, text, (size_t)tn_i128_format(v, s->type->scale, text), err);
    }
    if (id == TN_DATE32) {
        int64_t y;
        int m, d;
        tn_civil_from_days(s->v.i, &y, &m, &d);
        if (y < 0 || y > 9999) {
            *ok = false;
            return TARN_OK;
        }
        return tn_buf_printf(out, err, "'%04" PRId64 "-%02d-%02d'", y, m, d);
    }
    if (tn_type_is_string(id)) {
        if (memchr(s->bytes, 0, (size_t)s->n_bytes)) {
            *ok = false;
            return TARN_OK;
        }
        TN_TRY(tn_buf_append_byte(out, '\'', err));
        for (int64_t i = 0; i < s->n_bytes; i++) {
            if (s->bytes[i] == '\'')
                TN_TRY(tn_buf_append_byte(out, '\'', err));
            TN_TRY(tn_buf_append_byte(out, s->bytes[i], err));
        }
        return tn_buf_append_byte(out, '\'', err);
    }
    *ok = false;
    return TARN_OK;
}

/* A column name the `where` grammar accepts ("quoted"; no quote inside). */
static bool name_ok(const char *name)
{
    return name[0] && !strchr(name, '"') && !strchr(name, '.');
}

static int term(const tn_schema *schema, const tn_scan_request *req, const tn_expr *e, tn_buf *out, bool *ok,
                tarn_error *err)
{
    *ok = false;
    if (e->kind != TN_EXPR_COMPARE || e->nargs != 2)
        return TARN_OK;
    bool flip = e->args[0]->kind == TN_EXPR_LITERAL;
    const tn_expr *c = e->args[flip ? 1 : 0], *l = e->args[flip ? 0 : 1];
    if (c->kind != TN_EXPR_COLUMN || l->kind != TN_EXPR_LITERAL || !l->value || !l->value->is_valid)
        return TARN_OK;
    if (c->index < 0 || c->index >= req->ncolumns || (int)e->cmp < 0 || e->cmp > TN_CMP_GE)
        return TARN_OK;
    const tn_field *f = &schema->fields[req->columns[c->index]];
    if (!tn_type_equals(f->type, l->value->type) || !name_ok(f->name))
        return TARN_OK;
    size_t mark = out->len;
    TN_TRY(tn_buf_printf(out, err, "%s\"%s\" %s ", mark ? " AND " : "", f->name, op_text(flip ? flipped(e->cmp) : e->cmp)));
    TN_TRY(literal_text(l->value, out, ok, err));
    if (!*ok)
        out->len = mark;
    return TARN_OK;
}

int tn_exec_parquet_where(const tn_schema *schema, const tn_scan_request *req, char **out, tarn_error *err)
{
    *out = NULL;
    tn_buf b;
    tn_buf_init(&b, 0);
    int rc = TARN_OK;
    for (int32_t i = 0; rc == TARN_OK && i < req->nfilters; i++) {
        bool ok;
        rc = term(schema, req, req->filters[i], &b, &ok, err);
    }
    if (rc == TARN_OK && b.len) {
        *out = tn_buf_take(&b);
        if (!*out)
            rc = tn_error_oom(err, b.len);
    }
    tn_buf_reset(&b);
    return rc;
}
