/*
 * join.c — the parts of a join after candidate pairs are found (see
 * join.h): collecting and concatenating the build side, the residual
 * condition, output batches for every join kind, the tail rows per probe
 * batch and the unmatched build rows of RIGHT/FULL joins.
 *
 * Pairs are gathered column by column with tn_filter_sel (a take by int32
 * row numbers): one gather per column per output batch, never a per-row
 * copy. Output batches hold at most shape.batch_rows rows.
 */
#include "sql/exec/join.h"

#include <string.h>

#include "arrow/builder.h"
#include "core/alloc.h"

/* ---- shape ------------------------------------------------------------------ */

bool tn_join_emits_pairs(tn_join_kind k)
{
    return k == TN_JOIN_INNER || k == TN_JOIN_CROSS || k == TN_JOIN_LEFT || k == TN_JOIN_RIGHT ||
           k == TN_JOIN_FULL || k == TN_JOIN_SINGLE;
}

bool tn_join_stops_at_first(tn_join_kind k)
{
    return k == TN_JOIN_SEMI || k == TN_JOIN_ANTI || k == TN_JOIN_MARK;
}

bool tn_join_emits_build(tn_join_kind k)
{
    return k == TN_JOIN_RIGHT || k == TN_JOIN_FULL;
}

/* left ++ right, the schema the residual condition reads. */
static int pair_schema(const tn_schema *l, const tn_schema *r, tn_schema **out, tarn_error *err)
{
    tn_schema *s = tn_schema_new(l->n_fields + r->n_fields);
    TN_TRY_ALLOC(s, err, sizeof *s);
    for (int32_t i = 0; i < s->n_fields; i++) {
        const tn_field *f = i < l->n_fields ? &l->fields[i] : &r->fields[i - l->n_fields];
        int rc = tn_field_copy(&s->fields[i], f, err);
        if (rc) {
            tn_schema_unref(s);
            return rc;
        }
    }
    *out = s;
    return TARN_OK;
}

/* Mark the columns e reads (indexes over left ++ right). */
static void mark_columns(const tn_expr *e, bool *cols, int32_t n)
{
    if (!e)
        return;
    if (e->kind == TN_EXPR_COLUMN && e->index >= 0 && e->index < n)
        cols[e->index] = true;
    for (int32_t i = 0; i < e->nargs; i++)
        mark_columns(e->args[i], cols, n);
}

/* The rest of a shape once its sides, output and condition are set: the
 * pair schema and the condition's columns; resets s on failure. */
static int shape_finish(tn_join_shape *s, tarn_error *err)
{
    int rc = pair_schema(s->left, s->right, &s->pair, err);
    if (rc == TARN_OK && s->condition) {
        int32_t n = s->nleft + s->nright;
        s->cond_cols = tn_calloc((size_t)(n ? n : 1), sizeof *s->cond_cols);
        if (!s->cond_cols)
            rc = tn_error_oom(err, (size_t)n);
        else
            mark_columns(s->condition, s->cond_cols, n);
    }
    if (rc)
        tn_join_shape_reset(s);
    return rc;
}

int tn_join_shape_init(tn_join_shape *s, tn_exec_ctx *ctx, const tn_plan *join, tarn_error *err)
{
    memset(s, 0, sizeof *s);
    if (join->kind != TN_PLAN_JOIN || join->nchildren != 2 || !join->out)
        return tn_error_set(err, TARN_EINTERNAL, "join operator built from a node that is not a join");
    s->kind = join->kind == TN_PLAN_JOIN ? join->join : TN_JOIN_INNER;
    s->left = tn_schema_ref(join->children[0]->out);
    s->right = tn_schema_ref(join->children[1]->out);
    s->out = tn_schema_ref(join->out);
    s->nleft = s->left->n_fields;
    s->nright = s->right->n_fields;
    s->condition = join->condition;
    s->batch_rows = ctx && ctx->batch_rows > 0 ? ctx->batch_rows : TN_JOIN_DEFAULT_BATCH;
    int32_t want = tn_join_emits_pairs(s->kind) ? s->nleft + s->nright : s->nleft + (s->kind == TN_JOIN_MARK);
    if (s->out->n_fields != want) {
        int32_t got = s->out->n_fields;
        tn_join_shape_reset(s);
        return tn_error_set(err, TARN_EINTERNAL, "join output has %d columns, its kind needs %d", got, want);
    }
    return shape_finish(s, err);
}

int tn_join_shape_init_swapped(tn_join_shape *s, tn_exec_ctx *ctx, const tn_plan *join, const tn_expr *condition,
                               tarn_error *err)
{
    memset(s, 0, sizeof *s);
    if (join->kind != TN_PLAN_JOIN || join->nchildren != 2 || !join->out ||
        (join->join != TN_JOIN_SEMI && join->join != TN_JOIN_ANTI))
        return tn_error_set(err, TARN_EINTERNAL, "a swapped join must be a SEMI or ANTI join");
    s->kind = TN_JOIN_INNER; /* pairs are found as for an inner join, then only recorded */
    s->matches_only = true;
    s->left = tn_schema_ref(join->children[1]->out);
    s->right = tn_schema_ref(join->children[0]->out);
    s->out = tn_schema_ref(join->out);
    s->nleft = s->left->n_fields;
    s->nright = s->right->n_fields;
    s->condition = condition;
    s->batch_rows = ctx && ctx->batch_rows > 0 ? ctx->batch_rows : TN_JOIN_DEFAULT_BATCH;
    if (s->out->n_fields != s->nright) {
        int32_t got = s->out->n_fields, want = s->nright;
        tn_join_shape_reset(s);
        return tn_error_set(err, TARN_EINTERNAL, "join output has %d columns, its kind needs %d", got, want);
    }
    return shape_finish(s, err);
}

void tn_join_shape_reset(tn_join_shape *s)
{
    tn_schema_unref(s->left);
    tn_schema_unref(s->right);
    tn_schema_unref(s->pair);
    tn_schema_unref(s->out);
    tn_free(s->cond_cols);
    memset(s, 0, sizeof *s);
}

/* ---- the build side ------------------------------------------------------- */

/* The bytes of a's own rows: a slice of a large array (a scan's morsel)
 * counts its rows, not the whole buffers it shares. Nested and dictionary
 * arrays count their buffers whole. */
static int64_t array_bytes(const tn_array *a)
{
    if (!a)
        return 0;
    int64_t n = a->length, bytes = (n + 7) / 8; /* validity */
    tn_type_id id = a->type->id;
    if (id == TN_STRING || id == TN_BINARY)
        return bytes + (n + 1) * 4 + (n ? TN_OFFSETS32(a)[n] - TN_OFFSETS32(a)[0] : 0);
    if (id == TN_LARGE_STRING || id == TN_LARGE_BINARY)
        return bytes + (n + 1) * 8 + (n ? TN_OFFSETS64(a)[n] - TN_OFFSETS64(a)[0] : 0);
    if (tn_type_is_view(id)) {
        const tn_view *v = (const tn_view *)a->buffers[1]->data + a->offset;
        bytes += n * 16;
        for (int64_t i = 0; i < n; i++)
            bytes += v[i].inl.size > 12 ? v[i].inl.size : 0;
        return bytes;
    }
    int32_t bits = tn_type_bit_width(a->type);
    if (bits > 0 && a->n_children == 0 && !a->dictionary)
        return bytes + (n * bits + 7) / 8;
    bytes = 0;
    for (int32_t i = 0; i < a->n_buffers; i++)
        if (a->buffers[i])
            bytes += a->buffers[i]->size;
    for (int32_t i = 0; i < a->n_children; i++)
        bytes += array_bytes(a->children[i]);
    return bytes + array_bytes(a->dictionary);
}

int64_t tn_join_batch_bytes(const tn_batch *b)
{
    int64_t n = 0;
    for (int32_t c = 0; c < b->schema->n_fields; c++)
        n += array_bytes(b->columns[c]);
    return n;
}

int tn_join_chunks_add(tn_op *op, tn_join_chunks *c, tn_batch *b, tarn_error *err)
{
    int64_t bytes = tn_join_batch_bytes(b);
    if (!tn_exec_reserve(op, bytes))
        return tn_error_set(err, TARN_EMEMLIMIT,
                            "%s: the build side (%lld rows so far) does not fit the memory limit",
                            op->vt->name, (long long)c->rows);
    int rc = tn_batch_push(&c->batches, &c->n, &c->cap, tn_batch_ref(b), err);
    if (rc) {
        tn_exec_release(op, bytes);
        return rc;
    }
    c->rows += b->length;
    c->bytes += bytes;
    return TARN_OK;
}

int tn_join_chunks_move(tn_join_chunks *dst, tn_join_chunks *src, tarn_error *err)
{
    if (dst->n + src->n > dst->cap) {
        size_t cap = dst->n + src->n;
        tn_batch **p = tn_realloc(dst->batches, cap * sizeof *p);
        TN_TRY_ALLOC(p, err, cap * sizeof *p);
        dst->batches = p;
        dst->cap = cap;
    }
    if (src->n)
        memcpy(dst->batches + dst->n, src->batches, src->n * sizeof *src->batches);
    dst->n += src->n;
    dst->rows += src->rows;
    dst->bytes += src->bytes;
    src->n = 0;
    src->rows = src->bytes = 0;
    tn_join_chunks_reset(src);
    return TARN_OK;
}

void tn_join_chunks_reset(tn_join_chunks *c)
{
    for (size_t i = 0; i < c->n; i++)
        tn_batch_unref(c->batches[i]);
    tn_free(c->batches);
    memset(c, 0, sizeof *c);
}

int tn_join_rows_build(tn_join_rows *r, const tn_schema *schema, tn_join_chunks *c, bool track_matched,
                       tarn_error *err)
{
    memset(r, 0, sizeof *r);
    if (c->rows > TN_JOIN_MAX_BUILD_ROWS)
        return tn_error_set(err, TARN_EUNSUPPORTED, "join build side has %lld rows, more than %d",
                            (long long)c->rows, TN_JOIN_MAX_BUILD_ROWS);
    r->ncols = schema->n_fields;
    r->n = c->rows;
    r->cols = tn_calloc((size_t)(r->ncols ? r->ncols : 1), sizeof *r->cols);
    TN_TRY_ALLOC(r->cols, err, (size_t)r->ncols * sizeof *r->cols);
    tn_array **parts = tn_malloc((c->n ? c->n : 1) * sizeof *parts);
    if (!parts) {
        tn_join_rows_reset(r);
        return tn_error_oom(err, c->n * sizeof *parts);
    }
    int rc = TARN_OK;
    for (int32_t col = 0; col < r->ncols && rc == TARN_OK; col++) {
        if (c->n == 0) {
            r->cols[col] = tn_array_new_empty(schema->fields[col].type);
            if (!r->cols[col])
                rc = tn_error_oom(err, sizeof(tn_array));
        } else if (c->n == 1) {
            r->cols[col] = tn_array_ref(c->batches[0]->columns[col]);
        } else {
            for (size_t i = 0; i < c->n; i++)
                parts[i] = c->batches[i]->columns[col];
            rc = tn_concatenate(parts, (int32_t)c->n, &r->cols[col], err);
        }
    }
    tn_free(parts);
    if (rc == TARN_OK && track_matched) {
        r->matched = tn_calloc((size_t)(r->n ? r->n : 1), 1);
        if (!r->matched)
            rc = tn_error_oom(err, (size_t)r->n);
    }
    if (rc)
        tn_join_rows_reset(r);
    return rc;
}

void tn_join_rows_reset(tn_join_rows *r)
{
    if (r->cols)
        for (int32_t i = 0; i < r->ncols; i++)
            tn_array_unref(r->cols[i]);
    tn_free(r->cols);
    tn_free(r->matched);
    memset(r, 0, sizeof *r);
}

int tn_join_eval(tn_exec_ctx *ctx, const tn_expr *e, tn_batch *b, tn_array **out, tarn_error *err)
{
    if (e->kind == TN_EXPR_COLUMN) {
        if (e->index < 0 || e->index >= b->schema->n_fields)
            return tn_error_set(err, TARN_EINTERNAL, "join key column #%d out of range", e->index);
        *out = tn_array_ref(b->columns[e->index]);
        return TARN_OK;
    }
    return tn_expr_eval(&ctx->eval, e, b, NULL, out, err);
}

/* ---- gathering rows -------------------------------------------------------- */

/* Columns [first, first+n) of batch o: the rows of src named by rows, or
 * nulls when rows is NULL. */
static int gather_into(tn_batch *o, int32_t first, tn_array *const *src, int32_t n, const int32_t *rows,
                       int64_t len, tarn_error *err)
{
    for (int32_t c = 0; c < n; c++) {
        tn_type *t = o->schema->fields[first + c].type;
        if (!rows) {
            o->columns[first + c] = tn_array_new_nulls(t, len);
            TN_TRY_ALLOC(o->columns[first + c], err, sizeof(tn_array));
        } else {
            tn_selection sel = {rows, len};
            TN_TRY(tn_filter_sel(src[c], &sel, &o->columns[first + c], err));
        }
    }
    return TARN_OK;
}

/* A batch of schema: left columns from probe rows pl, right columns from
 * build rows pr (NULL: nulls on that side). */
static int gather_pairs(tn_schema *schema, tn_batch *in, const int32_t *pl, const tn_join_rows *rows,
                        const int32_t *pr, int64_t n, int32_t nleft, int32_t nright, tn_batch **out,
                        tarn_error *err)
{
    tn_batch *o = tn_batch_new(schema, n);
    TN_TRY_ALLOC(o, err, sizeof *o);
    int rc = gather_into(o, 0, in ? in->columns : NULL, nleft, pl, n, err);
    if (rc == TARN_OK && nright)
        rc = gather_into(o, nleft, rows->cols, nright, pr, n, err);
    if (rc) {
        tn_batch_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

/* ---- the probe side -------------------------------------------------------- */

void tn_join_probe_init(tn_join_probe *p)
{
    memset(p, 0, sizeof *p);
}

void tn_join_probe_reset(tn_join_probe *p)
{
    tn_batch_unref(p->tail);
    tn_free(p->found);
    tn_free(p->mark_null);
    tn_free(p->pl);
    tn_free(p->pr);
    tn_free(p->sel);
    tn_free(p->kl);
    tn_free(p->kr);
    memset(p, 0, sizeof *p);
}

static int grow(void **p, size_t bytes, tarn_error *err)
{
    void *q = tn_realloc(*p, bytes ? bytes : 1);
    TN_TRY_ALLOC(q, err, bytes);
    *p = q;
    return TARN_OK;
}

int tn_join_probe_start(tn_join_probe *p, const tn_join_shape *s, tn_batch *in, tarn_error *err)
{
    if (!p->kr) { /* the last one grown: all are there */
        p->cap = s->batch_rows;
        TN_TRY(grow((void **)&p->pl, (size_t)p->cap * 4, err));
        TN_TRY(grow((void **)&p->pr, (size_t)p->cap * 4, err));
        TN_TRY(grow((void **)&p->sel, (size_t)p->cap * 4, err));
        TN_TRY(grow((void **)&p->kl, (size_t)p->cap * 4, err));
        TN_TRY(grow((void **)&p->kr, (size_t)p->cap * 4, err));
    }
    if (in->length > p->room) {
        TN_TRY(grow((void **)&p->found, (size_t)in->length, err));
        TN_TRY(grow((void **)&p->mark_null, (size_t)in->length, err));
        p->room = in->length;
    }
    if (in->length > 0) {
        memset(p->found, 0, (size_t)in->length);
        memset(p->mark_null, 0, (size_t)in->length);
    }
    p->in = in;
    p->n = in->length;
    p->npairs = 0;
    tn_batch_unref(p->tail);
    p->tail = NULL;
    p->tail_built = false;
    p->phase = TN_JP_MATCH;
    return TARN_OK;
}

static int single_error(tarn_error *err)
{
    return tn_error_set(err, TARN_EINVAL, "more than one row returned by a subquery used as an expression");
}

int tn_join_probe_found(tn_join_probe *p, const tn_join_shape *s, int32_t i, tarn_error *err)
{
    if (p->found[i] && s->kind == TN_JOIN_SINGLE)
        return single_error(err);
    p->found[i] = p->found[i] < 2 ? p->found[i] + 1 : 2;
    return TARN_OK;
}

/* MARK with a residual condition: a candidate whose condition is NULL
 * makes the mark NULL unless another candidate is true (IN semantics). */
static int mark_condition(tn_join_probe *p, const tn_join_shape *s, tn_exec_ctx *ctx, tn_batch *pairs,
                          tarn_error *err)
{
    tn_array *v = NULL;
    TN_TRY(tn_expr_eval(&ctx->eval, s->condition, pairs, NULL, &v, err));
    if (v->type->id != TN_BOOL || v->length != p->npairs) {
        tn_array_unref(v);
        return tn_error_set(err, TARN_EINTERNAL, "join condition did not give one bool per row");
    }
    for (int64_t k = 0; k < p->npairs; k++) {
        int32_t i = p->pl[k];
        if (!tn_array_is_valid(v, k))
            p->mark_null[i] = 1;
        else if (tn_bit_get(v->buffers[1]->data, v->offset + k))
            p->found[i] = 1;
    }
    tn_array_unref(v);
    return TARN_OK;
}

/* Record the surviving pairs sel[0..n) (all pairs when sel is NULL). */
static int record_matches(tn_join_probe *p, const tn_join_shape *s, tn_join_rows *rows, const int32_t *sel,
                          int64_t n, tarn_error *err)
{
    bool track = rows->matched != NULL;
    for (int64_t k = 0; k < n; k++) {
        int64_t q = sel ? sel[k] : k;
        int32_t i = p->pl[q];
        if (p->found[i] && s->kind == TN_JOIN_SINGLE)
            return single_error(err);
        p->found[i] = p->found[i] < 2 ? p->found[i] + 1 : 2;
        if (track && !__atomic_load_n(&rows->matched[p->pr[q]], __ATOMIC_RELAXED))
            __atomic_store_n(&rows->matched[p->pr[q]], 1, __ATOMIC_RELAXED);
    }
    return TARN_OK;
}

/* The pending pairs as a batch of left ++ right for the condition: only
 * the columns it reads are gathered, the others are NULL placeholders. */
static int condition_batch(const tn_join_probe *p, const tn_join_shape *s, const tn_join_rows *rows, tn_batch **out,
                           tarn_error *err)
{
    int64_t n = p->npairs;
    tn_batch *o = tn_batch_new(s->pair, n);
    TN_TRY_ALLOC(o, err, sizeof *o);
    int rc = TARN_OK;
    for (int32_t c = 0; c < s->nleft + s->nright && rc == TARN_OK; c++) {
        bool left = c < s->nleft;
        tn_array *src = left ? p->in->columns[c] : rows->cols[c - s->nleft];
        if (s->cond_cols[c]) {
            tn_selection sel = {left ? p->pl : p->pr, n};
            rc = tn_filter_sel(src, &sel, &o->columns[c], err);
        } else {
            o->columns[c] = tn_array_new_nulls(s->pair->fields[c].type, n);
            if (!o->columns[c])
                rc = tn_error_oom(err, sizeof(tn_array));
        }
    }
    if (rc) {
        tn_batch_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

int tn_join_probe_flush(tn_join_probe *p, const tn_join_shape *s, tn_exec_ctx *ctx, tn_join_rows *rows,
                        tn_batch **out, tarn_error *err)
{
    *out = NULL;
    if (p->npairs == 0)
        return TARN_OK;
    bool emit = tn_join_emits_pairs(s->kind) && !s->matches_only;
    int rc = TARN_OK;
    if (!s->condition) {
        rc = record_matches(p, s, rows, NULL, p->npairs, err);
        if (rc == TARN_OK && emit)
            rc = gather_pairs(s->out, p->in, p->pl, rows, p->pr, p->npairs, s->nleft, s->nright, out, err);
        p->npairs = 0;
        return rc;
    }
    tn_batch *pairs = NULL;
    rc = condition_batch(p, s, rows, &pairs, err);
    if (rc == TARN_OK && s->kind == TN_JOIN_MARK) {
        rc = mark_condition(p, s, ctx, pairs, err);
    } else if (rc == TARN_OK) {
        int64_t n = 0;
        rc = tn_expr_select(&ctx->eval, s->condition, pairs, NULL, p->sel, &n, err);
        if (rc == TARN_OK)
            rc = record_matches(p, s, rows, p->sel, n, err);
        if (rc == TARN_OK && emit && n > 0) {
            /* only the kept pairs are gathered in full */
            for (int64_t k = 0; k < n; k++) {
                p->kl[k] = p->pl[p->sel[k]];
                p->kr[k] = p->pr[p->sel[k]];
            }
            rc = gather_pairs(s->out, p->in, p->kl, rows, p->kr, n, s->nleft, s->nright, out, err);
        }
    }
    tn_batch_unref(pairs);
    p->npairs = 0;
    return rc;
}

/* Probe rows whose found count is (want_found ? > 0 : 0), in rows; count in *n. */
static int64_t rows_where(const tn_join_probe *p, bool want_found, int32_t *rows)
{
    int64_t n = 0;
    for (int64_t i = 0; i < p->n; i++) {
        rows[n] = (int32_t)i;
        n += (p->found[i] != 0) == want_found;
    }
    return n;
}

/* A bool array: found -> true, else mark_null -> NULL, else false. */
static int mark_column(const tn_join_probe *p, tn_array **out, tarn_error *err)
{
    int64_t nb = tn_bitmap_bytes(p->n);
    tn_array *a = tn_array_new(tn_type_get(TN_BOOL), p->n, 2, 0);
    TN_TRY_ALLOC(a, err, sizeof *a);
    a->buffers[0] = tn_buffer_new_zeroed(nb ? nb : 1);
    a->buffers[1] = tn_buffer_new_zeroed(nb ? nb : 1);
    if (!a->buffers[0] || !a->buffers[1]) {
        tn_array_unref(a);
        return tn_error_oom(err, (size_t)nb);
    }
    uint8_t *valid = a->buffers[0]->data, *val = a->buffers[1]->data;
    int64_t nulls = 0;
    for (int64_t i = 0; i < p->n; i++) {
        bool is_null = !p->found[i] && p->mark_null[i];
        if (p->found[i])
            tn_bit_set(val, i);
        if (!is_null)
            tn_bit_set(valid, i);
        nulls += is_null;
    }
    a->null_count = nulls;
    *out = a;
    return TARN_OK;
}

static int mark_batch(const tn_join_probe *p, const tn_join_shape *s, tn_batch **out, tarn_error *err)
{
    tn_batch *o = tn_batch_new(s->out, p->n);
    TN_TRY_ALLOC(o, err, sizeof *o);
    for (int32_t c = 0; c < s->nleft; c++)
        o->columns[c] = tn_array_ref(p->in->columns[c]);
    int rc = mark_column(p, &o->columns[s->nleft], err);
    if (rc) {
        tn_batch_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

/* The whole tail of the probe batch in *out (NULL when empty). */
static int build_tail(tn_join_probe *p, const tn_join_shape *s, const tn_join_rows *rows, tn_batch **out,
                      tarn_error *err)
{
    *out = NULL;
    tn_join_kind k = s->kind;
    if (k == TN_JOIN_MARK)
        return p->n ? mark_batch(p, s, out, err) : TARN_OK;
    bool unmatched = k == TN_JOIN_LEFT || k == TN_JOIN_FULL || k == TN_JOIN_SINGLE || k == TN_JOIN_ANTI;
    if (!unmatched && k != TN_JOIN_SEMI)
        return TARN_OK;
    int32_t *sel = tn_malloc((size_t)(p->n ? p->n : 1) * 4);
    TN_TRY_ALLOC(sel, err, (size_t)p->n * 4);
    int64_t n = rows_where(p, k == TN_JOIN_SEMI, sel);
    int rc = TARN_OK;
    if (n == p->n && (k == TN_JOIN_SEMI || k == TN_JOIN_ANTI)) {
        /* every row qualifies: pass the batch through */
        *out = n ? tn_batch_ref(p->in) : NULL;
    } else if (n > 0) {
        int32_t nright = tn_join_emits_pairs(k) ? s->nright : 0;
        rc = gather_pairs(s->out, p->in, sel, rows, NULL, n, s->nleft, nright, out, err);
    }
    tn_free(sel);
    return rc;
}

int tn_join_probe_tail(tn_join_probe *p, const tn_join_shape *s, const tn_join_rows *rows, tn_batch **out,
                       bool *more, tarn_error *err)
{
    *out = NULL;
    *more = false;
    if (!p->tail_built) {
        TN_TRY(build_tail(p, s, rows, &p->tail, err));
        p->tail_built = true;
        p->tail_pos = 0;
    }
    if (!p->tail)
        return TARN_OK;
    int64_t len = p->tail->length - p->tail_pos;
    if (len > s->batch_rows)
        len = s->batch_rows;
    if (p->tail_pos == 0 && len == p->tail->length) {
        *out = p->tail;
        p->tail = NULL;
        return TARN_OK;
    }
    *out = tn_batch_slice(p->tail, p->tail_pos, len);
    TN_TRY_ALLOC(*out, err, sizeof(tn_batch));
    p->tail_pos += len;
    if (p->tail_pos >= p->tail->length) {
        tn_batch_unref(p->tail);
        p->tail = NULL;
    } else {
        *more = true;
    }
    return TARN_OK;
}

void tn_join_probe_abort(tn_join_probe *p)
{
    tn_batch_unref(p->tail);
    p->tail = NULL;
    p->tail_built = false;
    p->npairs = 0;
    p->phase = TN_JP_IDLE;
}

/* ---- unmatched build rows ----------------------------------------------------- */

int64_t tn_join_unmatched_partitions(const tn_join_shape *s, const tn_join_rows *rows)
{
    if (!tn_join_emits_build(s->kind) || rows->n == 0)
        return 0;
    return (rows->n + s->batch_rows - 1) / s->batch_rows;
}

/* The build rows of part whose matched flag equals want, gathered at
 * output column `first` (after the probe side's columns, or alone). */
static int emit_build_rows(const tn_join_shape *s, const tn_join_rows *rows, bool want, int32_t first, int64_t part,
                           void **state, tn_batch **out, tarn_error *err)
{
    static char done_marker;
    *out = NULL;
    if (*state)
        return TARN_OK;
    *state = &done_marker;
    int64_t begin = part * s->batch_rows, end = begin + s->batch_rows;
    if (end > rows->n)
        end = rows->n;
    if (begin >= end || !rows->matched)
        return TARN_OK;
    int32_t *sel = tn_malloc((size_t)(end - begin) * 4);
    TN_TRY_ALLOC(sel, err, (size_t)(end - begin) * 4);
    int64_t n = 0;
    for (int64_t r = begin; r < end; r++) {
        sel[n] = (int32_t)r;
        n += (__atomic_load_n(&rows->matched[r], __ATOMIC_RELAXED) != 0) == want;
    }
    int rc = TARN_OK;
    if (n > 0)
        rc = gather_pairs(s->out, NULL, NULL, rows, sel, n, first, s->nright, out, err);
    tn_free(sel);
    return rc;
}

int tn_join_unmatched_next(const tn_join_shape *s, const tn_join_rows *rows, int64_t part, void **state,
                           tn_batch **out, tarn_error *err)
{
    return emit_build_rows(s, rows, false, s->nleft, part, state, out, err);
}

int64_t tn_join_build_partitions(const tn_join_shape *s, const tn_join_rows *rows)
{
    (void)s;
    return rows->n ? (rows->n + s->batch_rows - 1) / s->batch_rows : 0;
}

int tn_join_build_next(const tn_join_shape *s, const tn_join_rows *rows, bool want, int64_t part, void **state,
                       tn_batch **out, tarn_error *err)
{
    return emit_build_rows(s, rows, want, 0, part, state, out, err);
}

/* ---- the transform driver ------------------------------------------------------ */

int tn_join_transform(tn_op *op, const tn_join_finder *f, const tn_join_shape *s, tn_join_rows *rows, void *local,
                      tn_batch *in, tn_batch **out, bool *again, tarn_error *err)
{
    tn_join_probe *p = local; /* the first member of every join's local state */
    *out = NULL;
    *again = false;
    int rc = TARN_OK;
    if (p->phase == TN_JP_IDLE)
        rc = f->start(op, local, in, err);
    while (rc == TARN_OK && p->phase == TN_JP_MATCH && !*out) {
        bool done = false;
        rc = f->collect(op, local, &done, err);
        if (rc == TARN_OK)
            rc = tn_join_probe_flush(p, s, op->ctx, rows, out, err);
        if (done)
            p->phase = TN_JP_TAIL;
        /* one probe batch may take long (a large cross product): stay
         * responsive to cancellation between blocks */
        if (rc == TARN_OK && op->ctx && op->ctx->cancel && tn_cancel_fired(op->ctx->cancel))
            rc = tn_error_set(err, TARN_ECANCELLED, "the query was cancelled");
    }
    if (rc == TARN_OK && p->phase == TN_JP_TAIL && !*out) {
        bool more = false;
        rc = tn_join_probe_tail(p, s, rows, out, &more, err);
        if (!more)
            p->phase = TN_JP_IDLE;
    }
    if (rc) {
        tn_batch_unref(*out);
        *out = NULL;
        tn_join_probe_abort(p);
        return rc;
    }
    *again = p->phase != TN_JP_IDLE;
    return TARN_OK;
}
