/*
 * window.c — the WINDOW operator: a sink that materializes its input and a
 * source that emits it again with one column per window call.
 *
 * Sink: each task keeps references to its batches; combine appends them to
 * the operator's list (no copying). Finalize concatenates the input into
 * one table and computes each window call (calls in parallel with
 * tn_parallel_for):
 *
 *  1. sort: one stable permutation of the rows by (PARTITION BY keys,
 *     ORDER BY keys) with tn_sort_indices, so that partitions are runs and
 *     rows within them are in window order;
 *  2. boundaries: the keys of each row are encoded (aggregate_codec.h) and
 *     neighbours compared, giving per sorted row its partition [start,
 *     end), its peer group (rows equal on the ORDER BY keys) and the peer
 *     group's number;
 *  3. frames: ROWS / RANGE / GROUPS with UNBOUNDED, offset and CURRENT ROW
 *     bounds, per row, as sorted positions [fs, fe); RANGE with an offset
 *     binary-searches the single numeric ORDER BY key;
 *  4. values: ranking functions from the boundaries; lag/lead/first_value/
 *     last_value/nth_value as row indexes gathered with tn_take;
 *     aggregates from one state per row (one vectorized update), then
 *     either running prefixes (frames starting at UNBOUNDED PRECEDING: the
 *     default frame, running sums) or a segment tree of merged states for
 *     sliding frames, O(log n) merges per row, then one finalize.
 *
 * Results are written in input order, so the source emits the table's
 * slices unchanged with the window columns appended: one source partition
 * per ctx->batch_rows rows.
 *
 * Memory: the materialized input is reserved with tn_exec_reserve; when
 * refused the query fails with TARN_EMEMLIMIT (no spilling yet).
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "sql/exec/operator.h"
#include "sql/functions/aggregate_codec.h"
#include "sql/functions/aggregate_internal.h"
#include "sql/functions/window_func.h"

/* The binder refers to the window functions weakly; whoever links the
 * window operator statically gets the functions it computes too. */
__attribute__((used)) static const void *const window_functions[] = {
    (const void *)tn_window_func_resolve, (const void *)tn_window_func_exists, (const void *)tn_window_func_names,
};

typedef struct batch_list {
    tn_batch **items;
    size_t n, cap;
} batch_list;

typedef struct window_op {
    tn_op base;
    batch_list input;    /* combined from every task */
    tn_batch *table;     /* all input rows (finalize) */
    tn_array **results;  /* [nwindows], in input order */
    int64_t batch_rows;
    int64_t reserved;
} window_op;

/* ---- expression evaluation --------------------------------------------------------- */

static int eval_expr(tn_op *op, const tn_expr *e, tn_batch *in, tn_array **out, tarn_error *err)
{
    return tn_expr_eval(&op->ctx->eval, e, in, NULL, out, err);
}

/* ---- sink -------------------------------------------------------------------------------- */

static int list_push(batch_list *l, tn_batch *b, tarn_error *err)
{
    return tn_batch_push(&l->items, &l->n, &l->cap, tn_batch_ref(b), err);
}

static void list_free(batch_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        tn_batch_unref(l->items[i]);
    tn_free(l->items);
    memset(l, 0, sizeof *l);
}

static int64_t batch_bytes(const tn_batch *b)
{
    int64_t bytes = 0;
    for (int32_t c = 0; c < b->schema->n_fields; c++) {
        const tn_array *a = b->columns[c];
        for (int32_t i = 0; i < a->n_buffers; i++)
            if (a->buffers[i])
                bytes += a->buffers[i]->size;
    }
    return bytes;
}

static int local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    *local = tn_calloc(1, sizeof(batch_list));
    TN_TRY_ALLOC(*local, err, sizeof(batch_list));
    return 0;
}

static int sink(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    window_op *wo = (window_op *)op;
    if (in->length == 0)
        return 0;
    int64_t bytes = batch_bytes(in);
    if (!tn_exec_reserve(op, bytes)) {
        int rc = tn_error_oom(err, (size_t)bytes);
        tn_error_prefix(err, "WINDOW: materializing its input: ");
        return rc;
    }
    __atomic_add_fetch(&wo->reserved, bytes, __ATOMIC_RELAXED);
    return list_push(local, in, err);
}

static int sink_combine(tn_op *op, void *local, tarn_error *err)
{
    window_op *wo = (window_op *)op;
    batch_list *l = local;
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0; i++)
        rc = list_push(&wo->input, l->items[i], err);
    list_free(l);
    tn_free(l);
    return rc;
}

static void sink_local_free(tn_op *op, void *local)
{
    (void)op;
    list_free(local);
    tn_free(local);
}

/* ---- partitions, peers, frames ------------------------------------------------------------ */

/* What the sort and the boundaries give one window call, in sorted order. */
typedef struct win_layout {
    int64_t n;
    const int64_t *perm; /* sorted position -> input row */
    int64_t *pstart, *pend;       /* partition of each sorted row */
    int64_t *peer_start, *peer_end;
    int64_t *group;               /* peer group number (global, increasing) */
    int64_t *group_start, *group_end; /* by group number */
    double *okey;                 /* RANGE with offsets: the ORDER BY key, ascending-signed */
    uint8_t *okey_null;
} win_layout;

static void layout_free(win_layout *w)
{
    tn_free(w->pstart);
    tn_free(w->pend);
    tn_free(w->peer_start);
    tn_free(w->peer_end);
    tn_free(w->group);
    tn_free(w->group_start);
    tn_free(w->group_end);
    tn_free(w->okey);
    tn_free(w->okey_null);
}

/* Encoded keys of every row: row r at buf + offs[r], offs[r+1] - offs[r] bytes. */
typedef struct encoded_rows {
    uint8_t *buf;
    int64_t *offs;
} encoded_rows;

static int encode_rows(tn_array *const *cols, int32_t ncols, int64_t n, encoded_rows *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    out->offs = tn_calloc((size_t)n + 1, sizeof *out->offs);
    uint8_t **cur = tn_malloc(((size_t)n + 1) * sizeof *cur);
    if (!out->offs || !cur) {
        tn_free(cur);
        return tn_error_oom(err, (size_t)n * 8);
    }
    int64_t *sizes = out->offs + 1;
    for (int32_t c = 0; c < ncols; c++)
        tn_codec_sizes(cols[c], n, sizes);
    for (int64_t r = 0; r < n; r++)
        out->offs[r + 1] += out->offs[r];
    out->buf = tn_malloc((size_t)out->offs[n] + 1);
    if (!out->buf) {
        tn_free(cur);
        return tn_error_oom(err, (size_t)out->offs[n]);
    }
    for (int64_t r = 0; r < n; r++)
        cur[r] = out->buf + out->offs[r];
    for (int32_t c = 0; c < ncols; c++)
        tn_codec_encode(cols[c], n, cur);
    tn_free(cur);
    return 0;
}

static bool rows_equal(const encoded_rows *e, int64_t a, int64_t b)
{
    int64_t la = e->offs[a + 1] - e->offs[a], lb = e->offs[b + 1] - e->offs[b];
    return la == lb && (la == 0 || memcmp(e->buf + e->offs[a], e->buf + e->offs[b], (size_t)la) == 0);
}

/* Partition and peer boundaries from the encoded keys, in sorted order. */
static int build_layout(win_layout *w, const encoded_rows *pk, const encoded_rows *ok, tarn_error *err)
{
    int64_t n = w->n;
    size_t bytes = ((size_t)n + 1) * sizeof(int64_t);
    w->pstart = tn_malloc(bytes);
    w->pend = tn_malloc(bytes);
    w->peer_start = tn_malloc(bytes);
    w->peer_end = tn_malloc(bytes);
    w->group = tn_malloc(bytes);
    w->group_start = tn_malloc(bytes);
    w->group_end = tn_malloc(bytes);
    if (!w->pstart || !w->pend || !w->peer_start || !w->peer_end || !w->group || !w->group_start || !w->group_end)
        return tn_error_oom(err, bytes);
    int64_t ps = 0, qs = 0, g = -1;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = w->perm[i];
        bool new_part = i == 0 || !rows_equal(pk, r, w->perm[i - 1]);
        bool new_peer = new_part || !rows_equal(ok, r, w->perm[i - 1]);
        if (new_part) {
            for (int64_t j = ps; j < i; j++)
                w->pend[j] = i;
            ps = i;
        }
        if (new_peer) {
            for (int64_t j = qs; j < i; j++)
                w->peer_end[j] = i;
            if (g >= 0)
                w->group_end[g] = i;
            qs = i;
            w->group_start[++g] = i;
        }
        w->pstart[i] = ps;
        w->peer_start[i] = qs;
        w->group[i] = g;
    }
    for (int64_t j = ps; j < n; j++)
        w->pend[j] = n;
    for (int64_t j = qs; j < n; j++)
        w->peer_end[j] = n;
    if (g >= 0)
        w->group_end[g] = n;
    return 0;
}

/* The integer value of a constant frame offset. */
static int frame_offset(const tn_frame_bound *b, double *out, tarn_error *err)
{
    if (!b->offset || !tn_agg_literal_number(b->offset, out))
        return tn_error_set(err, TARN_EUNSUPPORTED, "window frame offset %s: a constant number is expected",
                            b->offset && b->offset->text ? b->offset->text : "");
    if (*out < 0 || isnan(*out))
        return tn_error_set(err, TARN_EINVAL, "window frame offset %g must not be negative", *out);
    return 0;
}

/* First position in [lo, hi) whose key is >= x (or > x when strict). */
static int64_t key_search(const double *key, int64_t lo, int64_t hi, double x, bool strict)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (strict ? key[mid] <= x : key[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The range of non-null keys of the partition holding sorted row i. */
static void non_null_range(const win_layout *w, int64_t i, int64_t *lo, int64_t *hi)
{
    int64_t a = w->pstart[i], b = w->pend[i];
    while (a < b && w->okey_null[a])
        a++;
    while (b > a && w->okey_null[b - 1])
        b--;
    *lo = a;
    *hi = b;
}

/* Position of one frame bound of sorted row i; `end` bounds are exclusive. */
static int64_t bound_pos(const tn_window_call *wc, const win_layout *w, const tn_frame_bound *b, double off,
                         int64_t i, bool end)
{
    int64_t ps = w->pstart[i], pe = w->pend[i];
    int64_t k = (int64_t)off;
    switch (b->kind) {
    case TN_BOUND_UNBOUNDED_PRECEDING: return ps;
    case TN_BOUND_UNBOUNDED_FOLLOWING: return pe;
    case TN_BOUND_CURRENT_ROW:
        if (wc->unit == TN_FRAME_ROWS)
            return end ? i + 1 : i;
        return end ? w->peer_end[i] : w->peer_start[i];
    case TN_BOUND_PRECEDING:
    case TN_BOUND_FOLLOWING: {
        bool prec = b->kind == TN_BOUND_PRECEDING;
        if (wc->unit == TN_FRAME_ROWS)
            return clamp64(prec ? i - k + (end ? 1 : 0) : i + k + (end ? 1 : 0), ps, pe);
        if (wc->unit == TN_FRAME_GROUPS) {
            int64_t g0 = w->group[ps], g1 = w->group[pe - 1], g = w->group[i] + (prec ? -k : k);
            if (g < g0)
                return ps;
            if (g > g1)
                return pe;
            return end ? w->group_end[g] : w->group_start[g];
        }
        /* RANGE: by value of the single ORDER BY key; a NULL key's frame is its peers */
        if (w->okey_null[i])
            return end ? w->peer_end[i] : w->peer_start[i];
        int64_t lo, hi;
        non_null_range(w, i, &lo, &hi);
        double x = w->okey[i] + (prec ? -off : off);
        return key_search(w->okey, lo, hi, x, end);
    }
    }
    return ps;
}

/* The frame of every sorted row as [fs[i], fe[i]). */
static int compute_frames(const tn_window_call *wc, const win_layout *w, int64_t *fs, int64_t *fe, tarn_error *err)
{
    tn_frame_bound start = wc->start, end = wc->end;
    if (end.kind == TN_BOUND_UNBOUNDED_PRECEDING && start.kind == TN_BOUND_UNBOUNDED_PRECEDING) {
        /* not set: the SQL default frame */
        end.kind = wc->norder > 0 ? TN_BOUND_CURRENT_ROW : TN_BOUND_UNBOUNDED_FOLLOWING;
    }
    double so = 0, eo = 0;
    if (start.kind == TN_BOUND_PRECEDING || start.kind == TN_BOUND_FOLLOWING)
        TN_TRY(frame_offset(&start, &so, err));
    if (end.kind == TN_BOUND_PRECEDING || end.kind == TN_BOUND_FOLLOWING)
        TN_TRY(frame_offset(&end, &eo, err));
    for (int64_t i = 0; i < w->n; i++) {
        fs[i] = bound_pos(wc, w, &start, so, i, false);
        fe[i] = bound_pos(wc, w, &end, eo, i, true);
        if (fe[i] < fs[i])
            fe[i] = fs[i];
    }
    return 0;
}

/* ---- window functions proper --------------------------------------------------------------- */

/* An int64 or double result column, written by input row. */
static int number_result(const tn_window_call *wc, int64_t n, tn_array **out, uint8_t **vals, uint8_t **valid,
                         tarn_error *err)
{
    return tn_agg_new_fixed(wc->agg.type, n, out, vals, valid, err);
}

static int ranking(const tn_window_call *wc, const win_layout *w, tn_array *arg, tn_array **out, tarn_error *err)
{
    int64_t n = w->n;
    uint8_t *vals, *valid;
    TN_TRY(number_result(wc, n, out, &vals, &valid, err));
    int64_t *iv = (int64_t *)vals;
    double *dv = (double *)vals;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = w->perm[i], ps = w->pstart[i], size = w->pend[i] - ps;
        tn_bit_set(valid, r);
        switch (wc->wfunc->kind) {
        case TN_WIN_ROW_NUMBER: iv[r] = i - ps + 1; break;
        case TN_WIN_RANK: iv[r] = w->peer_start[i] - ps + 1; break;
        case TN_WIN_DENSE_RANK: iv[r] = w->group[i] - w->group[ps] + 1; break;
        case TN_WIN_PERCENT_RANK:
            dv[r] = size > 1 ? (double)(w->peer_start[i] - ps) / (double)(size - 1) : 0.0;
            break;
        case TN_WIN_CUME_DIST: dv[r] = (double)(w->peer_end[i] - ps) / (double)size; break;
        case TN_WIN_NTILE: {
            if (!tn_array_is_valid(arg, r)) {
                tn_bit_clear(valid, r);
                break;
            }
            int64_t buckets = TN_VALUES(arg, int64_t)[r];
            if (buckets <= 0) {
                tn_array_unref(*out);
                *out = NULL;
                return tn_error_set(err, TARN_EINVAL, "ntile: the number of buckets must be positive, not %lld",
                                    (long long)buckets);
            }
            if (buckets > size)
                buckets = size;
            int64_t small = size / buckets, large = size - buckets * small, split = large * (small + 1);
            int64_t k = i - ps;
            iv[r] = k < split ? 1 + k / (small + 1) : 1 + large + (k - split) / small;
            break;
        }
        default: break;
        }
    }
    (*out)->null_count = -1;
    return 0;
}

/* lag, lead, first_value, last_value, nth_value: which input row each row
 * takes its value from (or the default / NULL), then one tn_take. */
static int value_function(const tn_window_call *wc, const win_layout *w, tn_array *const *args, tn_array **out,
                          tarn_error *err)
{
    int64_t n = w->n;
    tn_window_kind kind = wc->wfunc->kind;
    bool with_default = (kind == TN_WIN_LAG || kind == TN_WIN_LEAD) && wc->agg.nargs == 3;
    int64_t *fs = NULL, *fe = NULL;
    tn_array *idx = NULL, *source = NULL;
    int rc = 0;
    uint8_t *vals, *valid;
    TN_TRY(tn_agg_new_fixed(tn_type_get(TN_INT64), n, &idx, &vals, &valid, err));
    int64_t *iv = (int64_t *)vals;
    if (kind == TN_WIN_FIRST_VALUE || kind == TN_WIN_LAST_VALUE || kind == TN_WIN_NTH_VALUE) {
        fs = tn_malloc(((size_t)n + 1) * sizeof *fs);
        fe = tn_malloc(((size_t)n + 1) * sizeof *fe);
        if (!fs || !fe)
            rc = tn_error_oom(err, (size_t)n * 8);
        if (rc == 0)
            rc = compute_frames(wc, w, fs, fe, err);
    }
    for (int64_t i = 0; i < n && rc == 0; i++) {
        int64_t r = w->perm[i], src = -1;
        switch (kind) {
        case TN_WIN_LAG:
        case TN_WIN_LEAD: {
            int64_t off = 1;
            if (wc->agg.nargs >= 2) {
                if (!tn_array_is_valid(args[1], r))
                    break; /* NULL offset: NULL */
                off = TN_VALUES(args[1], int64_t)[r];
            }
            int64_t j = kind == TN_WIN_LAG ? i - off : i + off;
            if (j >= w->pstart[i] && j < w->pend[i])
                src = w->perm[j];
            else if (with_default)
                src = n + r;
            break;
        }
        case TN_WIN_FIRST_VALUE:
            if (fs[i] < fe[i])
                src = w->perm[fs[i]];
            break;
        case TN_WIN_LAST_VALUE:
            if (fs[i] < fe[i])
                src = w->perm[fe[i] - 1];
            break;
        case TN_WIN_NTH_VALUE: {
            if (!tn_array_is_valid(args[1], r))
                break;
            int64_t k = TN_VALUES(args[1], int64_t)[r];
            if (k <= 0) {
                rc = tn_error_set(err, TARN_EINVAL, "nth_value: n must be positive, not %lld", (long long)k);
                break;
            }
            if (fs[i] + k - 1 < fe[i])
                src = w->perm[fs[i] + k - 1];
            break;
        }
        default: break;
        }
        if (src >= 0) {
            iv[r] = src;
            tn_bit_set(valid, r);
        }
    }
    idx->null_count = -1;
    if (rc == 0) {
        if (with_default) {
            tn_array *both[2] = {args[0], args[2]};
            rc = tn_concatenate(both, 2, &source, err);
        } else {
            source = tn_array_ref(args[0]);
        }
    }
    if (rc == 0)
        rc = tn_take(source, idx, out, err);
    tn_array_unref(source);
    tn_array_unref(idx);
    tn_free(fs);
    tn_free(fe);
    return rc;
}

/* ---- aggregates over frames ------------------------------------------------------------------ */

/* n states of one aggregate in one block. */
typedef struct state_block {
    const tn_agg_call *call;
    uint8_t *mem;
    size_t size; /* per state, 16-byte multiple */
    int64_t n;   /* initialized states */
} state_block;

static int block_new(state_block *b, const tn_agg_call *call, int64_t n, tarn_error *err)
{
    b->call = call;
    b->size = (call->state_size + 15) & ~(size_t)15;
    if (b->size == 0)
        b->size = 16;
    b->n = 0;
    b->mem = tn_malloc_aligned((size_t)n * b->size + 16);
    TN_TRY_ALLOC(b->mem, err, (size_t)n * b->size);
    for (int64_t i = 0; i < n; i++)
        call->func->init(call, b->mem + (size_t)i * b->size);
    b->n = n;
    return 0;
}

static inline void *block_at(const state_block *b, int64_t i)
{
    return b->mem + (size_t)i * b->size;
}

static void block_free(state_block *b)
{
    if (b->mem && b->call->func->destroy)
        for (int64_t i = 0; i < b->n; i++)
            b->call->func->destroy(b->call, block_at(b, i));
    tn_free(b->mem);
    b->mem = NULL;
    b->n = 0;
}

/* into = into ⊕ from (from unchanged: see tn_agg_state_is_flat). */
static inline int combine(const tn_agg_call *call, void *into, const void *from, tarn_error *err)
{
    return call->func->merge(call, into, from, err);
}

/* Results for frames that start at their partition's start: a running
 * prefix per partition; row i's value is the prefix ending at fe[i]. */
static int running_frames(const tn_agg_call *call, const win_layout *w, const state_block *rows, const int64_t *fe,
                          void **result, state_block *prefix, state_block *empty, tarn_error *err)
{
    int64_t n = w->n;
    TN_TRY(block_new(prefix, call, n, err));
    TN_TRY(block_new(empty, call, 1, err));
    for (int64_t i = 0; i < n; i++) {
        if (i > w->pstart[i])
            TN_TRY(combine(call, block_at(prefix, i), block_at(prefix, i - 1), err));
        TN_TRY(combine(call, block_at(prefix, i), block_at(rows, i), err));
    }
    for (int64_t i = 0; i < n; i++)
        result[w->perm[i]] = fe[i] > w->pstart[i] ? block_at(prefix, fe[i] - 1) : block_at(empty, 0);
    return 0;
}

/* Sliding frames: a segment tree over the row states (leaves in sorted
 * order, each node the merge of its children, left before right so that
 * order-sensitive aggregates see rows in order); each row's frame is
 * answered with O(log n) merges into its own result state. */
static int sliding_frames(const tn_agg_call *call, const win_layout *w, const state_block *rows, const int64_t *fs,
                          const int64_t *fe, void **result, state_block *tree, state_block *res, tarn_error *err)
{
    int64_t n = w->n, m = 1;
    while (m < n)
        m <<= 1;
    TN_TRY(block_new(tree, call, 2 * m, err));
    for (int64_t i = 0; i < n; i++)
        TN_TRY(combine(call, block_at(tree, m + i), block_at(rows, i), err));
    for (int64_t i = m - 1; i >= 1; i--) {
        TN_TRY(combine(call, block_at(tree, i), block_at(tree, 2 * i), err));
        TN_TRY(combine(call, block_at(tree, i), block_at(tree, 2 * i + 1), err));
    }
    TN_TRY(block_new(res, call, n, err));
    state_block right = {0}, tmp = {0};
    int rc = block_new(&right, call, 1, err);
    if (rc == 0)
        rc = block_new(&tmp, call, 1, err);
    for (int64_t i = 0; i < n && rc == 0; i++) {
        void *acc = block_at(res, i);
        /* right-hand nodes are gathered in reverse: keep them in `right`
         * as node ⊕ right, rebuilt through tmp */
        block_free(&right);
        rc = block_new(&right, call, 1, err);
        for (int64_t l = fs[i] + m, r = fe[i] + m; l < r && rc == 0; l >>= 1, r >>= 1) {
            if (l & 1)
                rc = combine(call, acc, block_at(tree, l++), err);
            if (rc == 0 && (r & 1)) {
                --r;
                block_free(&tmp);
                rc = block_new(&tmp, call, 1, err);
                if (rc == 0)
                    rc = combine(call, block_at(&tmp, 0), block_at(tree, r), err);
                if (rc == 0)
                    rc = combine(call, block_at(&tmp, 0), block_at(&right, 0), err);
                if (rc == 0) {
                    state_block swap = right;
                    right = tmp;
                    tmp = swap;
                }
            }
        }
        if (rc == 0)
            rc = combine(call, acc, block_at(&right, 0), err);
        result[w->perm[i]] = acc;
    }
    block_free(&right);
    block_free(&tmp);
    return rc;
}

static int aggregate_function(tn_op *op, const tn_window_call *wc, const win_layout *w, tn_batch *table,
                              tn_array *const *args, tn_array **out, tarn_error *err)
{
    const tn_agg_call *call = &wc->agg;
    int64_t n = w->n;
    if (call->distinct)
        return tn_error_set(err, TARN_EUNSUPPORTED, "%s: DISTINCT in a window aggregate is not supported",
                            call->text ? call->text : "aggregate");
    state_block rows = {0}, prefix = {0}, empty = {0}, tree = {0}, res = {0};
    tn_array **sorted = tn_calloc((size_t)call->nargs + 1, sizeof *sorted);
    int64_t *fs = tn_malloc(((size_t)n + 1) * sizeof *fs), *fe = tn_malloc(((size_t)n + 1) * sizeof *fe);
    void **states = tn_malloc(((size_t)n + 1) * sizeof *states);
    void **result = tn_malloc(((size_t)n + 1) * sizeof *result);
    tn_array *perm = NULL, *mask = NULL;
    int rc = 0;
    if (!sorted || !fs || !fe || !states || !result) {
        rc = tn_error_oom(err, (size_t)n * 8);
        goto done;
    }
    rc = compute_frames(wc, w, fs, fe, err);
    if (rc)
        goto done;
    /* the arguments in sorted order, one state per sorted row */
    uint8_t *pv, *pvalid;
    rc = tn_agg_new_fixed(tn_type_get(TN_INT64), n, &perm, &pv, &pvalid, err);
    if (rc)
        goto done;
    memcpy(pv, w->perm, (size_t)n * 8);
    memset(pvalid, 0xff, (size_t)tn_bitmap_bytes(n));
    perm->null_count = 0;
    for (int32_t a = 0; a < call->nargs && rc == 0; a++)
        rc = tn_take(args[a], perm, &sorted[a], err);
    if (rc == 0)
        rc = block_new(&rows, call, n, err);
    if (rc)
        goto done;
    int64_t k = 0;
    if (call->filter) {
        /* rows the FILTER rejects keep an empty state */
        rc = eval_expr(op, call->filter, table, &mask, err);
        if (rc)
            goto done;
        tn_array **kept = tn_calloc((size_t)call->nargs + 1, sizeof *kept);
        int32_t *sel = tn_malloc(((size_t)n + 1) * sizeof *sel);
        if (!kept || !sel) {
            tn_free(kept);
            tn_free(sel);
            rc = tn_error_oom(err, (size_t)n * 4);
            goto done;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t r = w->perm[i];
            if (tn_array_is_valid(mask, r) && tn_bit_get(mask->buffers[1]->data, mask->offset + r)) {
                sel[k] = (int32_t)i;
                states[k++] = block_at(&rows, i);
            }
        }
        tn_selection s = {sel, k};
        for (int32_t a = 0; a < call->nargs && rc == 0; a++)
            rc = tn_filter_sel(sorted[a], &s, &kept[a], err);
        if (rc == 0)
            rc = call->func->update(call, states, kept, k, err);
        for (int32_t a = 0; a < call->nargs; a++)
            tn_array_unref(kept[a]);
        tn_free(kept);
        tn_free(sel);
    } else {
        for (int64_t i = 0; i < n; i++)
            states[i] = block_at(&rows, i);
        rc = call->func->update(call, states, sorted, n, err);
    }
    if (rc)
        goto done;
    bool running = true;
    for (int64_t i = 0; i < n && running; i++)
        running = fs[i] == w->pstart[i];
    if (running)
        rc = running_frames(call, w, &rows, fe, result, &prefix, &empty, err);
    else
        rc = sliding_frames(call, w, &rows, fs, fe, result, &tree, &res, err);
    if (rc == 0)
        rc = call->func->finalize(call, result, n, out, err);
done:
    block_free(&rows);
    block_free(&prefix);
    block_free(&empty);
    block_free(&tree);
    block_free(&res);
    if (sorted)
        for (int32_t a = 0; a < call->nargs; a++)
            tn_array_unref(sorted[a]);
    tn_free(sorted);
    tn_array_unref(perm);
    tn_array_unref(mask);
    tn_free(fs);
    tn_free(fe);
    tn_free(states);
    tn_free(result);
    return rc;
}

/* ---- one window call ------------------------------------------------------------------------- */

/* The sorted order of the rows by partition keys then order keys. */
static int sort_rows(const tn_window_call *wc, tn_array *const *pk, tn_array *const *ok, int64_t n, int64_t **perm,
                     tarn_error *err)
{
    *perm = tn_malloc(((size_t)n + 1) * sizeof **perm);
    TN_TRY_ALLOC(*perm, err, (size_t)n * 8);
    int32_t nk = wc->npartition + wc->norder;
    if (nk == 0) {
        for (int64_t i = 0; i < n; i++)
            (*perm)[i] = i;
        return 0;
    }
    tn_sort_key *keys = tn_calloc((size_t)nk, sizeof *keys);
    TN_TRY_ALLOC(keys, err, sizeof *keys * (size_t)nk);
    for (int32_t i = 0; i < wc->npartition; i++)
        keys[i] = (tn_sort_key){pk[i], false, false};
    for (int32_t i = 0; i < wc->norder; i++)
        keys[wc->npartition + i] = (tn_sort_key){ok[i], wc->order[i].descending, wc->order[i].nulls_first};
    tn_array *idx;
    int rc = tn_sort_indices(keys, nk, &idx, err);
    tn_free(keys);
    TN_TRY(rc);
    memcpy(*perm, TN_VALUES(idx, int64_t), (size_t)n * 8);
    tn_array_unref(idx);
    return 0;
}

/* RANGE frames with offsets need the one ORDER BY key as numbers. */
static int range_keys(const tn_window_call *wc, win_layout *w, tn_array *key, tarn_error *err)
{
    bool offsets = wc->start.kind == TN_BOUND_PRECEDING || wc->start.kind == TN_BOUND_FOLLOWING ||
                   wc->end.kind == TN_BOUND_PRECEDING || wc->end.kind == TN_BOUND_FOLLOWING;
    if (wc->unit != TN_FRAME_RANGE || !offsets)
        return 0;
    if (wc->norder != 1)
        return tn_error_set(err, TARN_EINVAL, "RANGE with an offset needs exactly one ORDER BY expression");
    tn_type_id id = key->type->id;
    bool numeric = tn_type_is_numeric(id) && id != TN_DECIMAL256;
    if (!numeric && id != TN_DATE32 && id != TN_TIMESTAMP && id != TN_INT64)
        return tn_error_set(err, TARN_EUNSUPPORTED, "RANGE with an offset over %s values is not supported",
                            tn_type_id_name(id));
    int64_t n = w->n;
    w->okey = tn_malloc(((size_t)n + 1) * sizeof *w->okey);
    w->okey_null = tn_malloc((size_t)n + 1);
    TN_TRY_ALLOC(w->okey && w->okey_null ? w : NULL, err, (size_t)n * 9);
    double sign = wc->order[0].descending ? -1.0 : 1.0;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = w->perm[i];
        w->okey_null[i] = !tn_array_is_valid(key, r);
        double v = 0;
        if (id == TN_DATE32)
            v = TN_VALUES(key, int32_t)[r];
        else if (id == TN_TIMESTAMP)
            v = (double)TN_VALUES(key, int64_t)[r];
        else
            tn_agg_load_doubles(key, r, 1, &v);
        w->okey[i] = sign * v;
    }
    return 0;
}

static void unref_all(tn_array **a, int32_t n)
{
    if (!a)
        return;
    for (int32_t i = 0; i < n; i++)
        tn_array_unref(a[i]);
    tn_free(a);
}

static int compute_window(window_op *wo, int32_t wi, tarn_error *err)
{
    const tn_window_call *wc = &wo->base.plan->windows[wi];
    tn_batch *table = wo->table;
    int64_t n = table->length;
    win_layout w = {0};
    w.n = n;
    encoded_rows pk = {0}, ok = {0};
    int64_t *perm = NULL;
    tn_array **parts = tn_calloc((size_t)wc->npartition + 1, sizeof *parts);
    tn_array **orders = tn_calloc((size_t)wc->norder + 1, sizeof *orders);
    tn_array **args = tn_calloc((size_t)wc->agg.nargs + 1, sizeof *args);
    int rc = 0;
    if (!parts || !orders || !args) {
        rc = tn_error_oom(err, 64);
        goto done;
    }
    for (int32_t i = 0; i < wc->npartition && rc == 0; i++)
        rc = eval_expr(&wo->base, wc->partition[i], table, &parts[i], err);
    for (int32_t i = 0; i < wc->norder && rc == 0; i++)
        rc = eval_expr(&wo->base, wc->order[i].expr, table, &orders[i], err);
    for (int32_t i = 0; i < wc->agg.nargs && rc == 0; i++)
        rc = eval_expr(&wo->base, wc->agg.args[i], table, &args[i], err);
    if (rc == 0)
        rc = sort_rows(wc, parts, orders, n, &perm, err);
    w.perm = perm;
    if (rc == 0)
        rc = encode_rows(parts, wc->npartition, n, &pk, err);
    if (rc == 0)
        rc = encode_rows(orders, wc->norder, n, &ok, err);
    if (rc == 0)
        rc = build_layout(&w, &pk, &ok, err);
    if (rc == 0 && wc->norder == 1)
        rc = range_keys(wc, &w, orders[0], err);
    if (rc)
        goto done;
    if (wc->wfunc) {
        switch (wc->wfunc->kind) {
        case TN_WIN_LAG: case TN_WIN_LEAD: case TN_WIN_FIRST_VALUE: case TN_WIN_LAST_VALUE: case TN_WIN_NTH_VALUE:
            rc = value_function(wc, &w, args, &wo->results[wi], err);
            break;
        default:
            rc = ranking(wc, &w, wc->agg.nargs ? args[0] : NULL, &wo->results[wi], err);
            break;
        }
    } else {
        rc = aggregate_function(&wo->base, wc, &w, table, args, &wo->results[wi], err);
    }
done:
    unref_all(parts, wc->npartition);
    unref_all(orders, wc->norder);
    unref_all(args, wc->agg.nargs);
    tn_free(pk.buf);
    tn_free(pk.offs);
    tn_free(ok.buf);
    tn_free(ok.offs);
    tn_free(perm);
    layout_free(&w);
    if (rc && wc->agg.text)
        tn_error_prefix(err, "%s: ", wc->agg.text);
    return rc;
}

static int window_range(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    for (int64_t i = begin; i < end; i++)
        TN_TRY(compute_window(ctx, (int32_t)i, err));
    return 0;
}

/* Concatenate the input batches into one table. */
static int build_table(window_op *wo, tarn_error *err)
{
    batch_list *in = &wo->input;
    if (in->n == 0)
        return 0;
    if (in->n == 1) {
        wo->table = tn_batch_ref(in->items[0]);
        return 0;
    }
    tn_schema *schema = in->items[0]->schema;
    int64_t n = 0;
    for (size_t i = 0; i < in->n; i++)
        n += in->items[i]->length;
    tn_batch *t = tn_batch_new(schema, n);
    tn_array **cols = tn_malloc(in->n * sizeof *cols);
    if (!t || !cols) {
        tn_batch_unref(t);
        tn_free(cols);
        return tn_error_oom(err, in->n * 8);
    }
    int rc = 0;
    for (int32_t c = 0; c < schema->n_fields && rc == 0; c++) {
        for (size_t i = 0; i < in->n; i++)
            cols[i] = in->items[i]->columns[c];
        rc = tn_concatenate(cols, (int32_t)in->n, &t->columns[c], err);
    }
    tn_free(cols);
    if (rc) {
        tn_batch_unref(t);
        return rc;
    }
    wo->table = t;
    return 0;
}

static int sink_finalize(tn_op *op, tarn_error *err)
{
    window_op *wo = (window_op *)op;
    const tn_plan *plan = op->plan;
    TN_TRY(build_table(wo, err));
    list_free(&wo->input);
    if (!wo->table)
        return 0;
    wo->results = tn_calloc((size_t)plan->nwindows + 1, sizeof *wo->results);
    TN_TRY_ALLOC(wo->results, err, sizeof *wo->results * (size_t)plan->nwindows);
    return tn_parallel_for(plan->nwindows, 1, window_range, wo, err);
}

/* ---- source ---------------------------------------------------------------------------------- */

static int source_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    (void)err;
    window_op *wo = (window_op *)op;
    *n = wo->table ? (wo->table->length + wo->batch_rows - 1) / wo->batch_rows : 0;
    return 0;
}

static int source_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    window_op *wo = (window_op *)op;
    *out = NULL;
    if (*state)
        return 0; /* one batch per partition */
    *state = wo;
    int64_t from = part * wo->batch_rows, n = wo->table->length - from;
    if (n > wo->batch_rows)
        n = wo->batch_rows;
    if (n <= 0)
        return 0;
    tn_batch *b = tn_batch_new(op->out, n);
    TN_TRY_ALLOC(b, err, sizeof *b);
    int32_t nin = wo->table->schema->n_fields;
    for (int32_t c = 0; c < op->out->n_fields; c++) {
        tn_array *src = c < nin ? wo->table->columns[c] : wo->results[c - nin];
        b->columns[c] = tn_array_slice(src, from, n);
        if (!b->columns[c]) {
            tn_batch_unref(b);
            return tn_error_oom(err, sizeof(tn_array));
        }
    }
    *out = b;
    return 0;
}

static void source_done(tn_op *op, void *state)
{
    (void)op;
    (void)state;
}

static int explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    return tn_buf_printf(out, err, "windows: %d", op->plan->nwindows);
}

static void destroy(tn_op *op)
{
    window_op *wo = (window_op *)op;
    list_free(&wo->input);
    if (wo->results)
        for (int32_t i = 0; i < op->plan->nwindows; i++)
            tn_array_unref(wo->results[i]);
    tn_free(wo->results);
    tn_batch_unref(wo->table);
    if (wo->reserved)
        tn_exec_release(op, wo->reserved);
    tn_free(wo); /* children and out are tn_op_free's */
}

static const tn_op_vtable window_vt = {
    .name = "WINDOW",
    .source_partitions = source_partitions,
    .source_next = source_next,
    .source_done = source_done,
    .sink_local_init = local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_local_free = sink_local_free,
    .sink_finalize = sink_finalize,
    .explain = explain,
    .destroy = destroy,
};

int tn_op_window_new(tn_exec_ctx *ctx, const tn_plan *win, tn_op *child, tn_op **out, tarn_error *err)
{
    *out = NULL;
    if (win->kind != TN_PLAN_WINDOW)
        return tn_error_set(err, TARN_EINTERNAL, "WINDOW built from a plan node that is not WINDOW");
    for (int32_t i = 0; i < win->nwindows; i++) {
        const tn_window_call *wc = &win->windows[i];
        if (!wc->wfunc == !wc->agg.func)
            return tn_error_set(err, TARN_EINTERNAL, "window call %d: exactly one of a window function and an "
                                                     "aggregate is expected",
                                i);
        for (int32_t k = 0; k < wc->npartition; k++)
            if (!tn_codec_supports(wc->partition[k]->type))
                return tn_error_set(err, TARN_EUNSUPPORTED, "PARTITION BY over %s values is not supported",
                                    tn_type_id_name(wc->partition[k]->type->id));
        for (int32_t k = 0; k < wc->norder; k++)
            if (!tn_codec_supports(wc->order[k].expr->type))
                return tn_error_set(err, TARN_EUNSUPPORTED, "window ORDER BY over %s values is not supported",
                                    tn_type_id_name(wc->order[k].expr->type->id));
        if (wc->ignore_nulls)
            return tn_error_set(err, TARN_EUNSUPPORTED, "IGNORE NULLS in window functions is not supported");
    }
    window_op *wo = tn_calloc(1, sizeof *wo);
    TN_TRY_ALLOC(wo, err, sizeof *wo);
    tn_op *op = &wo->base;
    op->vt = &window_vt;
    op->ctx = ctx;
    op->plan = win;
    op->out = tn_schema_ref(win->out);
    wo->batch_rows = ctx && ctx->batch_rows > 0 ? ctx->batch_rows : 2048;
    op->children = tn_calloc(1, sizeof *op->children);
    if (!op->children) {
        tn_op_free(op);
        return tn_error_oom(err, sizeof *op->children);
    }
    if (child) {
        op->children[0] = child;
        op->nchildren = 1;
    }
    *out = op;
    return 0;
}
