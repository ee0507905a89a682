/*
 * sort.c — ORDER BY and top-N (ORDER BY + LIMIT).
 *
 * ORDER BY is a sink: each task keeps the batches it receives; finalize
 * puts them end to end, evaluates the keys once over the whole input,
 * sorts with tn_sort_indices (stable, so equal keys keep input order) and
 * gathers every column. As a source it emits the sorted rows as ONE
 * partition of batch_rows slices, so the order survives the rest of the
 * plan.
 *
 * External sort: a task reserves the room to sort each batch it keeps (a
 * gathered copy, the permutation and the key words; the batch itself is
 * counted by whoever allocated it). When the budget refuses, the task
 * sorts what it holds into a run, writes the run to a spill file (spill.h)
 * in batch_rows batches and lets its memory go. Tasks are combined in
 * partition order, and a task's runs are in its input order, so the list
 * of runs is in input order; batches held in memory when another task has
 * spilled become a run at that point of the list too. Finalize sorts the
 * rest in memory as the last run and the source merges the runs k ways: a
 * heap of the runs' current rows, ordered by the keys and then by run,
 * which keeps the sort stable. Each run contributes one batch at a time, so
 * memory is bounded by the fan-in; when there are more runs than the
 * budget allows at once (at most MAX_FANIN), finalize first merges
 * consecutive groups of runs into longer runs.
 *
 * Top-N keeps at most `keep` rows per task: when a task holds more than
 * max(2 * keep, 4096) rows it sorts them and cuts to the first `keep` —
 * a bounded heap, kept vectorized; combine and finalize do the same over
 * the tasks' survivors. It stays in memory.
 */
#include <string.h>

#include "arrow/compute/decimal.h"
#include "arrow/compute/kernel.h"
#include "core/alloc.h"
#include "sql/exec/exec.h"
#include "sql/exec/join.h"
#include "sql/exec/spill.h"

#define MAX_FANIN 64

typedef struct sort_op {
    tn_op base;
    const tn_sort_spec *keys; /* borrowed from the plan */
    int32_t nkeys;
    int64_t keep;             /* < 0: sort everything */
    tn_batch **items;         /* combined input not yet in a run */
    size_t n, cap;
    int64_t reserved;         /* bytes reserved for items */
    tn_spill_file **runs;     /* sorted runs, in input order */
    size_t nruns, capruns;
    tn_batch *sorted;         /* after finalize: the rows (in memory), or the last run */
    int64_t chunk;
} sort_op;

typedef struct sort_local {
    tn_batch **items;
    size_t n, cap;
    int64_t rows;
    int64_t reserved;
    tn_spill_file **runs;
    size_t nruns, capruns;
} sort_local;

/* Evaluate the sort keys over b (new references in keys[k].array). */
static int eval_keys(sort_op *s, tn_batch *b, tn_sort_key *keys, tarn_error *err)
{
    for (int32_t k = 0; k < s->nkeys; k++) {
        keys[k].descending = s->keys[k].descending;
        keys[k].nulls_first = s->keys[k].nulls_first;
        keys[k].array = NULL;
    }
    for (int32_t k = 0; k < s->nkeys; k++)
        TN_TRY(tn_exec_eval(s->base.ctx, s->keys[k].expr, b, &keys[k].array, err));
    return TARN_OK;
}

static void free_keys(tn_sort_key *keys, int32_t n)
{
    for (int32_t k = 0; keys && k < n; k++) {
        if (keys[k].array)
            tn_array_unref(keys[k].array);
        keys[k].array = NULL;
    }
}

/* The rows of all in the order of idx, as a new batch of the sort's output. */
static int take_rows(sort_op *s, tn_batch *all, tn_array *idx, tn_batch **out, tarn_error *err)
{
    tn_batch *r = tn_batch_new(s->base.out, idx->length);
    TN_TRY_ALLOC(r, err, sizeof *r);
    int rc = TARN_OK;
    for (int32_t c = 0; rc == TARN_OK && c < s->base.out->n_fields; c++)
        rc = tn_take(all->columns[c], idx, &r->columns[c], err);
    if (rc) {
        tn_batch_unref(r);
        return rc;
    }
    *out = r;
    return TARN_OK;
}

/* Sort every batch of items[0..n) into one batch, keeping the first
 * `keep` rows (all when keep < 0). Consumes the batches. */
static int sort_batches(sort_op *s, tn_batch **items, size_t n, int64_t keep, tn_batch **out, tarn_error *err)
{
    tn_batch *all = NULL;
    int rc = tn_exec_concat(s->base.out, items, n, &all, err);
    for (size_t i = 0; i < n; i++)
        tn_batch_unref(items[i]);
    TN_TRY(rc);
    if (all->length == 0) {
        *out = all;
        return TARN_OK;
    }
    tn_sort_key *keys = tn_calloc((size_t)s->nkeys, sizeof *keys);
    if (!keys) {
        tn_batch_unref(all);
        return tn_error_oom(err, (size_t)s->nkeys * sizeof *keys);
    }
    rc = eval_keys(s, all, keys, err);
    tn_array *idx = NULL;
    if (rc == TARN_OK)
        rc = tn_sort_indices(keys, s->nkeys, &idx, err);
    free_keys(keys, s->nkeys);
    tn_free(keys);
    if (rc == TARN_OK && keep >= 0 && keep < idx->length) {
        tn_array *cut = tn_array_slice(idx, 0, keep);
        tn_array_unref(idx);
        idx = cut;
        if (!idx)
            rc = tn_error_oom(err, sizeof(tn_array));
    }
    if (rc == TARN_OK)
        rc = take_rows(s, all, idx, out, err);
    if (idx)
        tn_array_unref(idx);
    tn_batch_unref(all);
    return rc;
}

/* ---- runs ------------------------------------------------------------------------------ */

static int push_run(tn_spill_file ***runs, size_t *n, size_t *cap, tn_spill_file *f, tarn_error *err)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        tn_spill_file **p = tn_realloc(*runs, c * sizeof *p);
        if (!p) {
            tn_spill_free(f);
            return tn_error_oom(err, c * sizeof *p);
        }
        *runs = p;
        *cap = c;
    }
    (*runs)[(*n)++] = f;
    return TARN_OK;
}

static void free_runs(tn_spill_file **runs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tn_spill_free(runs[i]);
    tn_free(runs);
}

/* Write a sorted batch to a new spill file in chunks. */
static int write_run(sort_op *s, tn_batch *sorted, tn_spill_file **out, tarn_error *err)
{
    *out = NULL;
    tn_spill_file *f;
    TN_TRY(tn_spill_create(&s->base, s->base.out, &f, err));
    int rc = TARN_OK;
    for (int64_t at = 0; rc == TARN_OK && at < sorted->length; at += s->chunk) {
        int64_t n = sorted->length - at < s->chunk ? sorted->length - at : s->chunk;
        tn_batch *piece = tn_batch_slice(sorted, at, n);
        if (!piece) {
            rc = tn_error_oom(err, sizeof(tn_batch));
            break;
        }
        rc = tn_spill_write(f, piece, err);
        tn_batch_unref(piece);
    }
    if (rc) {
        tn_spill_free(f);
        return rc;
    }
    *out = f;
    return TARN_OK;
}

/* Input bytes sorted into one run: sorting takes about twice the input on
 * top of it, so a run is a small part of the budget. */
static int64_t run_bytes(void)
{
    int64_t limit = tarn_memory_limit();
    int64_t b = limit > 0 ? limit / 16 : (int64_t)256 << 20;
    return b < ((int64_t)1 << 20) ? (int64_t)1 << 20 : b;
}

/* Sort group[0..n) (consumed) into a run appended to runs. */
static int one_run(sort_op *s, tn_batch **group, size_t n, tn_spill_file ***runs, size_t *nruns, size_t *capruns,
                   tarn_error *err)
{
    tn_batch *sorted = NULL;
    TN_TRY(sort_batches(s, group, n, -1, &sorted, err));
    tn_spill_file *f = NULL;
    int rc = write_run(s, sorted, &f, err);
    tn_batch_unref(sorted);
    TN_TRY(rc);
    return push_run(runs, nruns, capruns, f, err);
}

/* Sort items[0..n) (consumed) into runs appended to runs, each of about
 * run_bytes() of input, in input order; `reserved` bytes are given back to
 * the budget first, to make room for sorting. */
static int spill_run(sort_op *s, tn_batch **items, size_t *n, int64_t *reserved, tn_spill_file ***runs,
                     size_t *nruns, size_t *capruns, tarn_error *err)
{
    tn_exec_release(&s->base, *reserved);
    *reserved = 0;
    size_t k = *n;
    *n = 0;
    int64_t target = run_bytes();
    tn_batch *group[64];
    size_t ng = 0;
    int64_t gbytes = 0;
    int rc = TARN_OK;
    for (size_t i = 0; i < k; i++) {
        tn_batch *b = items[i];
        items[i] = NULL;
        int64_t bytes = rc == TARN_OK ? tn_join_batch_bytes(b) : 0;
        /* a batch larger than a run: slices of it */
        int64_t step = b->length;
        if (bytes > target && b->length > 1) {
            step = (int64_t)((double)b->length * (double)target / (double)bytes);
            if (step < 1)
                step = 1;
        }
        for (int64_t at = 0; rc == TARN_OK && at < b->length; at += step) {
            int64_t m = b->length - at < step ? b->length - at : step;
            tn_batch *piece = step == b->length ? tn_batch_ref(b) : tn_batch_slice(b, at, m);
            if (!piece) {
                rc = tn_error_oom(err, sizeof(tn_batch));
                break;
            }
            int64_t pb = step == b->length ? bytes : tn_join_batch_bytes(piece);
            if (ng > 0 && (gbytes + pb > target || ng == 64)) {
                rc = one_run(s, group, ng, runs, nruns, capruns, err);
                ng = 0;
                gbytes = 0;
            }
            if (rc) {
                tn_batch_unref(piece);
                break;
            }
            group[ng++] = piece;
            gbytes += pb;
        }
        tn_batch_unref(b);
    }
    if (rc == TARN_OK && ng > 0)
        rc = one_run(s, group, ng, runs, nruns, capruns, err);
    else
        for (size_t i = 0; i < ng; i++)
            tn_batch_unref(group[i]);
    return rc;
}

/* ---- comparing rows of two batches -------------------------------------------------------- */

static inline uint64_t float_bits(double d)
{
    if (d != d)
        return UINT64_MAX; /* NaN after +inf */
    if (d == 0)
        d = 0; /* -0 with +0 */
    uint64_t b;
    memcpy(&b, &d, 8);
    return (b >> 63) ? ~b : b | (1ULL << 63);
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* Row i of a against row j of b (same type), as tn_sort_indices orders them. */
static int compare_key(const tn_sort_key *ka, int64_t i, const tn_array *b, int64_t j)
{
    const tn_array *a = ka->array;
    bool vi = tn_array_is_valid(a, i), vj = tn_array_is_valid(b, j);
    if (vi != vj)
        return (vi ? 1 : -1) * (ka->nulls_first ? 1 : -1);
    if (!vi)
        return 0;
    int r;
    int64_t pi = a->offset + i, pj = b->offset + j;
    const uint8_t *x = a->buffers[1] ? a->buffers[1]->data : NULL, *y = b->buffers[1] ? b->buffers[1]->data : NULL;
    switch (tn_storage_id(a->type->id)) {
    case TN_NA: r = 0; break;
    case TN_BOOL: r = CMP(tn_bit_get(x, pi), tn_bit_get(y, pj)); break;
    case TN_INT8: r = CMP(((const int8_t *)x)[pi], ((const int8_t *)y)[pj]); break;
    case TN_INT16: r = CMP(((const int16_t *)x)[pi], ((const int16_t *)y)[pj]); break;
    case TN_INT32: r = CMP(((const int32_t *)x)[pi], ((const int32_t *)y)[pj]); break;
    case TN_INT64: r = CMP(((const int64_t *)x)[pi], ((const int64_t *)y)[pj]); break;
    case TN_UINT8: r = CMP(((const uint8_t *)x)[pi], ((const uint8_t *)y)[pj]); break;
    case TN_UINT16: r = CMP(((const uint16_t *)x)[pi], ((const uint16_t *)y)[pj]); break;
    case TN_UINT32: r = CMP(((const uint32_t *)x)[pi], ((const uint32_t *)y)[pj]); break;
    case TN_UINT64: r = CMP(((const uint64_t *)x)[pi], ((const uint64_t *)y)[pj]); break;
    case TN_FLOAT16:
        r = CMP(float_bits(tn_half_to_float(((const uint16_t *)x)[pi])),
                float_bits(tn_half_to_float(((const uint16_t *)y)[pj])));
        break;
    case TN_FLOAT32: r = CMP(float_bits(((const float *)x)[pi]), float_bits(((const float *)y)[pj])); break;
    case TN_FLOAT64: r = CMP(float_bits(((const double *)x)[pi]), float_bits(((const double *)y)[pj])); break;
    case TN_DECIMAL128: {
        int64_t hx, hy;
        uint64_t lx, ly;
        memcpy(&lx, x + 16 * pi, 8);
        memcpy(&hx, x + 16 * pi + 8, 8);
        memcpy(&ly, y + 16 * pj, 8);
        memcpy(&hy, y + 16 * pj + 8, 8);
        r = hx != hy ? CMP(hx, hy) : CMP(lx, ly);
        break;
    }
    case TN_DECIMAL256: {
        tn_i256 p, q;
        memcpy(&p, x + 32 * pi, 32);
        memcpy(&q, y + 32 * pj, 32);
        r = tn_i256_cmp(p, q);
        break;
    }
    default: {
        int64_t pn, qn;
        const uint8_t *p = tn_array_bytes(a, i, &pn), *q = tn_array_bytes(b, j, &qn);
        int64_t m = pn < qn ? pn : qn;
        r = m ? memcmp(p, q, (size_t)m) : 0;
        r = r ? (r > 0) - (r < 0) : CMP(pn, qn);
        break;
    }
    }
    return ka->descending ? -r : r;
}

/* ---- the k-way merge ------------------------------------------------------------------------ */

typedef struct merge_input {
    tn_spill_cursor *cursor; /* NULL: the in-memory run */
    tn_batch *mem;           /* the in-memory run (sliced by chunk) */
    int64_t mem_at;
    tn_batch *cur;           /* current batch, NULL when done */
    tn_sort_key *keys;       /* its keys */
    int64_t pos;             /* next row of cur */
    int64_t taken_from;      /* first row of cur taken into the output being built */
    tn_batch **pieces;       /* rows taken into the output being built, in order */
    size_t npieces, cappieces;
    int64_t taken;           /* rows in pieces + [taken_from, pos) */
} merge_input;

typedef struct merger {
    sort_op *s;
    merge_input *in;
    int32_t n;
    int32_t *heap; /* inputs with rows, smallest current row first */
    int32_t nheap;
    int32_t *src;  /* per output row: its input */
    int64_t *seq;  /* per output row: its position among the rows taken from that input */
} merger;

static int merge_less(const merger *m, int32_t a, int32_t b)
{
    const merge_input *x = &m->in[a], *y = &m->in[b];
    for (int32_t k = 0; k < m->s->nkeys; k++) {
        int r = compare_key(&x->keys[k], x->pos, y->keys[k].array, y->pos);
        if (r)
            return r < 0;
    }
    return a < b; /* the earlier run first: stable */
}

static void sift_down(merger *m, int32_t i)
{
    for (;;) {
        int32_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < m->nheap && merge_less(m, m->heap[l], m->heap[best]))
            best = l;
        if (r < m->nheap && merge_less(m, m->heap[r], m->heap[best]))
            best = r;
        if (best == i)
            return;
        int32_t t = m->heap[i];
        m->heap[i] = m->heap[best];
        m->heap[best] = t;
        i = best;
    }
}

/* The next batch of an input (into in->cur, NULL at its end) with its keys. */
static int input_advance(merger *m, merge_input *in, tarn_error *err)
{
    sort_op *s = m->s;
    free_keys(in->keys, s->nkeys);
    if (in->cur)
        tn_batch_unref(in->cur);
    in->cur = NULL;
    in->pos = in->taken_from = 0;
    for (;;) {
        tn_batch *b = NULL;
        if (in->cursor) {
            TN_TRY(tn_spill_next(in->cursor, &b, err));
        } else if (in->mem && in->mem_at < in->mem->length) {
            int64_t n = in->mem->length - in->mem_at < s->chunk ? in->mem->length - in->mem_at : s->chunk;
            b = tn_batch_slice(in->mem, in->mem_at, n);
            TN_TRY_ALLOC(b, err, sizeof(tn_batch));
            in->mem_at += n;
        }
        if (!b)
            return TARN_OK;
        if (b->length == 0) {
            tn_batch_unref(b);
            continue;
        }
        in->cur = b;
        return eval_keys(s, b, in->keys, err);
    }
}

static void merger_free(merger *m)
{
    if (!m)
        return;
    for (int32_t i = 0; m->in && i < m->n; i++) {
        merge_input *in = &m->in[i];
        tn_spill_cursor_free(in->cursor);
        if (in->mem)
            tn_batch_unref(in->mem);
        if (in->cur)
            tn_batch_unref(in->cur);
        free_keys(in->keys, m->s->nkeys);
        tn_free(in->keys);
        tn_exec_free_batches(in->pieces, in->npieces);
    }
    tn_free(m->in);
    tn_free(m->heap);
    tn_free(m->src);
    tn_free(m->seq);
    tn_free(m);
}

/* A merger over runs[0..n) and (when mem is not NULL) the in-memory run
 * after them. */
static int merger_new(sort_op *s, tn_spill_file **runs, size_t n, tn_batch *mem, merger **out, tarn_error *err)
{
    *out = NULL;
    merger *m = tn_calloc(1, sizeof *m);
    TN_TRY_ALLOC(m, err, sizeof *m);
    m->s = s;
    int32_t k = (int32_t)n + (mem ? 1 : 0);
    m->in = tn_calloc((size_t)k, sizeof *m->in);
    m->heap = tn_calloc((size_t)k, sizeof *m->heap);
    m->src = tn_calloc((size_t)s->chunk, sizeof *m->src);
    m->seq = tn_calloc((size_t)s->chunk, sizeof *m->seq);
    int rc = m->in && m->heap && m->src && m->seq ? TARN_OK : tn_error_oom(err, (size_t)s->chunk * 12);
    if (rc == TARN_OK)
        m->n = k;
    for (int32_t i = 0; rc == TARN_OK && i < k; i++) {
        merge_input *in = &m->in[i];
        in->keys = tn_calloc((size_t)s->nkeys, sizeof *in->keys);
        if (!in->keys) {
            rc = tn_error_oom(err, (size_t)s->nkeys * sizeof *in->keys);
            break;
        }
        if ((size_t)i < n)
            rc = tn_spill_cursor_open(runs[i], &in->cursor, err);
        else
            in->mem = tn_batch_ref(mem);
        if (rc == TARN_OK)
            rc = input_advance(m, in, err);
        if (rc == TARN_OK && in->cur)
            m->heap[m->nheap++] = i;
    }
    for (int32_t i = m->nheap / 2 - 1; rc == TARN_OK && i >= 0; i--)
        sift_down(m, i);
    if (rc) {
        merger_free(m);
        return rc;
    }
    *out = m;
    return TARN_OK;
}

/* Keep rows [taken_from, pos) of an input's current batch for the output. */
static int input_keep(merge_input *in, tarn_error *err)
{
    if (in->pos > in->taken_from) {
        tn_batch *b = in->taken_from == 0 && in->pos == in->cur->length
                          ? tn_batch_ref(in->cur)
                          : tn_batch_slice(in->cur, in->taken_from, in->pos - in->taken_from);
        TN_TRY_ALLOC(b, err, sizeof(tn_batch));
        TN_TRY(tn_batch_push(&in->pieces, &in->npieces, &in->cappieces, b, err)); /* takes b */
    }
    in->taken_from = in->pos;
    return TARN_OK;
}

/* The next merged batch (up to chunk rows) in *out, NULL at the end. */
static int merger_next(merger *m, tn_batch **out, tarn_error *err)
{
    *out = NULL;
    sort_op *s = m->s;
    if (m->nheap == 0)
        return TARN_OK;
    /* one input left: its batches as they are */
    if (m->nheap == 1) {
        merge_input *in = &m->in[m->heap[0]];
        tn_batch *b = in->pos == 0 ? tn_batch_ref(in->cur)
                                   : tn_batch_slice(in->cur, in->pos, in->cur->length - in->pos);
        TN_TRY_ALLOC(b, err, sizeof(tn_batch));
        in->pos = in->cur->length;
        int rc = input_advance(m, in, err);
        if (rc == TARN_OK && !in->cur)
            m->nheap = 0;
        if (rc) {
            tn_batch_unref(b);
            return rc;
        }
        *out = b;
        return TARN_OK;
    }
    int64_t rows = 0;
    while (rows < s->chunk && m->nheap > 0) {
        int32_t i = m->heap[0];
        merge_input *in = &m->in[i];
        m->src[rows] = i;
        m->seq[rows] = in->taken++;
        rows++;
        in->pos++;
        if (in->pos == in->cur->length) {
            TN_TRY(input_keep(in, err));
            TN_TRY(input_advance(m, in, err));
            if (!in->cur) {
                m->heap[0] = m->heap[--m->nheap];
                if (m->nheap == 0)
                    break;
            }
        }
        sift_down(m, 0);
    }
    /* the taken rows end to end, input by input, then put in merge order */
    size_t npieces = 0;
    for (int32_t i = 0; i < m->n; i++) {
        if (m->in[i].cur)
            TN_TRY(input_keep(&m->in[i], err));
        npieces += m->in[i].npieces;
    }
    tn_batch **pieces = tn_calloc(npieces ? npieces : 1, sizeof *pieces);
    TN_TRY_ALLOC(pieces, err, npieces * sizeof *pieces);
    int64_t *base = tn_calloc((size_t)m->n, sizeof *base);
    if (!base) {
        tn_free(pieces);
        return tn_error_oom(err, (size_t)m->n * sizeof *base);
    }
    size_t at = 0;
    int64_t sum = 0;
    for (int32_t i = 0; i < m->n; i++) {
        merge_input *in = &m->in[i];
        base[i] = sum;
        sum += in->taken;
        for (size_t p = 0; p < in->npieces; p++)
            pieces[at++] = in->pieces[p];
        in->npieces = 0;
        in->taken = 0;
    }
    tn_batch *all = NULL;
    int rc = tn_exec_concat(s->base.out, pieces, npieces, &all, err);
    for (size_t p = 0; p < npieces; p++)
        tn_batch_unref(pieces[p]);
    tn_free(pieces);
    tn_array *idx = NULL;
    if (rc == TARN_OK) {
        idx = tn_array_new(tn_type_get(TN_INT64), rows, 2, 0);
        if (idx)
            idx->buffers[1] = tn_buffer_new(rows * 8);
        if (!idx || !idx->buffers[1])
            rc = tn_error_oom(err, (size_t)rows * 8);
    }
    bool identity = true;
    if (rc == TARN_OK) {
        idx->null_count = 0;
        int64_t *v = (int64_t *)idx->buffers[1]->data;
        for (int64_t r = 0; r < rows; r++) {
            v[r] = base[m->src[r]] + m->seq[r];
            identity &= v[r] == r;
        }
    }
    tn_free(base);
    tn_batch *r = NULL;
    if (rc == TARN_OK && identity) {
        r = tn_batch_ref(all);
    } else if (rc == TARN_OK) {
        rc = take_rows(s, all, idx, &r, err);
    }
    if (idx)
        tn_array_unref(idx);
    if (all)
        tn_batch_unref(all);
    if (rc) {
        if (r)
            tn_batch_unref(r);
        return rc;
    }
    *out = r;
    return TARN_OK;
}

/* How many runs to merge at once: as many current batches as a third of
 * the free budget holds, between 2 and MAX_FANIN. */
static size_t fan_in(const sort_op *s)
{
    int64_t limit = tarn_memory_limit();
    if (limit <= 0)
        return MAX_FANIN;
    int64_t bytes = 0, batches = 0;
    for (size_t i = 0; i < s->nruns; i++) {
        bytes += tn_spill_bytes(s->runs[i]);
        batches += tn_spill_batches(s->runs[i]);
    }
    int64_t per = batches ? bytes / batches : 1;
    int64_t free_bytes = limit - tarn_memory_used();
    int64_t k = per > 0 ? free_bytes / 3 / (per * 2) : MAX_FANIN;
    return k < 2 ? 2 : k > MAX_FANIN ? MAX_FANIN : (size_t)k;
}

/* Merge consecutive groups of runs until one merge can take them all (with
 * the in-memory run). */
static int reduce_runs(sort_op *s, tarn_error *err)
{
    for (;;) {
        size_t f = fan_in(s);
        size_t total = s->nruns + (s->sorted ? 1 : 0);
        if (total <= f)
            return TARN_OK;
        size_t nout = 0;
        for (size_t i = 0; i < s->nruns; i += f) {
            size_t k = s->nruns - i < f ? s->nruns - i : f;
            if (k == 1) {
                s->runs[nout++] = s->runs[i];
                continue;
            }
            merger *m = NULL;
            tn_spill_file *dst = NULL;
            int rc = merger_new(s, s->runs + i, k, NULL, &m, err);
            if (rc == TARN_OK)
                rc = tn_spill_create(&s->base, s->base.out, &dst, err);
            while (rc == TARN_OK) {
                tn_batch *b = NULL;
                rc = merger_next(m, &b, err);
                if (rc || !b)
                    break;
                rc = tn_spill_write(dst, b, err);
                tn_batch_unref(b);
            }
            merger_free(m);
            if (rc) {
                tn_spill_free(dst);
                /* the runs not yet merged are still owned by s->runs */
                for (size_t j = i; j < s->nruns; j++) {
                    s->runs[nout++] = s->runs[j];
                }
                s->nruns = nout;
                return rc;
            }
            for (size_t j = i; j < i + k; j++)
                tn_spill_free(s->runs[j]);
            s->runs[nout++] = dst;
        }
        s->nruns = nout;
        if (s->nruns == 1 && f >= 2)
            return TARN_OK;
    }
}

static int sort_local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    *local = tn_calloc(1, sizeof(sort_local));
    TN_TRY_ALLOC(*local, err, sizeof(sort_local));
    return TARN_OK;
}

static void sort_local_free(tn_op *op, void *local)
{
    sort_local *l = local;
    tn_exec_free_batches(l->items, l->n);
    tn_exec_release(op, l->reserved);
    free_runs(l->runs, l->nruns);
    tn_free(l);
}

static int64_t topn_bound(const sort_op *s)
{
    return s->keep * 2 > 4096 ? s->keep * 2 : 4096;
}

/* Cut a top-N list down to its first keep rows. */
static int shrink(sort_op *s, tn_batch ***items, size_t *n, size_t *cap, int64_t *rows, tarn_error *err)
{
    tn_batch *b = NULL;
    int rc = sort_batches(s, *items, *n, s->keep, &b, err);
    *n = 0;
    if (rc)
        return rc;
    *rows = b->length;
    return tn_batch_push(items, n, cap, b, err);
}

static int sort_sink(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    sort_op *s = (sort_op *)op;
    sort_local *l = local;
    /* the plan's schema on the batch (a union's children name columns their way) */
    tn_batch *b;
    TN_TRY(tn_exec_batch_of(op->out, in->length, in->columns, &b, err));
    TN_TRY(tn_batch_push(&l->items, &l->n, &l->cap, b, err));
    l->rows += in->length;
    if (s->keep >= 0) {
        if (l->rows > topn_bound(s))
            return shrink(s, &l->items, &l->n, &l->cap, &l->rows, err);
        return TARN_OK;
    }
    /* room to sort it (the batch itself is already counted by whoever
     * allocated it): the gathered copy, the permutation, its scratch and
     * the normalized key words */
    int64_t bytes = tn_join_batch_bytes(b) + b->length * (16 + 16 * (int64_t)s->nkeys);
    /* and the sort holds no more than a quarter of the budget, so that a
     * task can still sort what it holds when it must spill */
    int64_t limit = tarn_memory_limit();
    bool fair = limit <= 0 || atomic_load(&op->metrics.held_bytes) + bytes <= limit / 4;
    if (fair && tn_exec_reserve(op, bytes)) {
        l->reserved += bytes;
        return TARN_OK;
    }
    /* refused: what the task holds becomes a sorted run on disk (once it
     * holds a batch's worth, so that a budget taken by others does not
     * make a run of every batch) */
    if (l->rows < s->chunk)
        return TARN_OK;
    l->rows = 0;
    return spill_run(s, l->items, &l->n, &l->reserved, &l->runs, &l->nruns, &l->capruns, err);
}

static int sort_combine(tn_op *op, void *local, tarn_error *err)
{
    sort_op *s = (sort_op *)op;
    sort_local *l = local;
    int rc = TARN_OK;
    /* runs stay in input order: what earlier tasks left in memory comes
     * before this task's runs */
    if (l->nruns > 0)
        rc = spill_run(s, s->items, &s->n, &s->reserved, &s->runs, &s->nruns, &s->capruns, err);
    size_t i = 0;
    for (; rc == TARN_OK && i < l->nruns; i++)
        rc = push_run(&s->runs, &s->nruns, &s->capruns, l->runs[i], err);
    if (i < l->nruns)
        i++; /* push_run freed the one it could not add */
    for (; i < l->nruns; i++)
        tn_spill_free(l->runs[i]);
    tn_free(l->runs);
    i = 0;
    for (; rc == TARN_OK && i < l->n; i++)
        rc = tn_batch_push(&s->items, &s->n, &s->cap, l->items[i], err);
    for (; i < l->n; i++)
        tn_batch_unref(l->items[i]);
    s->reserved += l->reserved; /* released with s->items */
    tn_free(l->items);
    tn_free(l);
    return rc;
}

static int sort_finalize(tn_op *op, tarn_error *err)
{
    sort_op *s = (sort_op *)op;
    /* the room reserved for sorting is used now */
    tn_exec_release(op, s->reserved);
    s->reserved = 0;
    int rc = sort_batches(s, s->items, s->n, s->keep, &s->sorted, err);
    tn_free(s->items);
    s->items = NULL;
    s->n = s->cap = 0;
    if (rc == TARN_OK && s->nruns > 0)
        rc = reduce_runs(s, err);
    return rc;
}

static int sort_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    (void)op;
    (void)err;
    *n = 1;
    return TARN_OK;
}

typedef struct sort_cursor {
    int64_t pos;
    merger *merge; /* when there are runs on disk */
} sort_cursor;

static int sort_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    (void)part;
    sort_op *s = (sort_op *)op;
    *out = NULL;
    if (!s->sorted)
        return TARN_OK;
    if (!*state) {
        sort_cursor *c = tn_calloc(1, sizeof(sort_cursor));
        TN_TRY_ALLOC(c, err, sizeof(sort_cursor));
        *state = c;
        if (s->nruns > 0)
            TN_TRY(merger_new(s, s->runs, s->nruns, s->sorted, &c->merge, err));
    }
    sort_cursor *c = *state;
    if (c->merge)
        return merger_next(c->merge, out, err);
    if (c->pos >= s->sorted->length)
        return TARN_OK;
    int64_t n = s->sorted->length - c->pos < s->chunk ? s->sorted->length - c->pos : s->chunk;
    if (c->pos == 0 && n == s->sorted->length)
        *out = tn_batch_ref(s->sorted);
    else
        *out = tn_batch_slice(s->sorted, c->pos, n);
    TN_TRY_ALLOC(*out, err, sizeof(tn_batch));
    c->pos += n;
    return TARN_OK;
}

static void sort_done(tn_op *op, void *state)
{
    (void)op;
    sort_cursor *c = state;
    if (c)
        merger_free(c->merge);
    tn_free(c);
}

static int sort_explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    sort_op *s = (sort_op *)op;
    for (int32_t k = 0; k < s->nkeys; k++) {
        const tn_expr *e = s->keys[k].expr;
        if (e->text)
            TN_TRY(tn_buf_printf(out, err, "%s%s", k ? ", " : "", e->text));
        else
            TN_TRY(tn_buf_printf(out, err, "%s#%d", k ? ", " : "", e->index));
        TN_TRY(tn_buf_printf(out, err, "%s", s->keys[k].descending ? " DESC" : " ASC"));
    }
    if (s->keep >= 0)
        TN_TRY(tn_buf_printf(out, err, ", top: %lld", (long long)s->keep));
    return TARN_OK;
}

static void sort_destroy(tn_op *op)
{
    sort_op *s = (sort_op *)op;
    tn_exec_free_batches(s->items, s->n);
    tn_exec_release(op, s->reserved);
    free_runs(s->runs, s->nruns);
    if (s->sorted)
        tn_batch_unref(s->sorted);
    tn_free(s);
}

static const tn_op_vtable sort_vtable = {
    .name = "ORDER_BY",
    .source_partitions = sort_partitions,
    .source_next = sort_next,
    .source_done = sort_done,
    .sink_local_init = sort_local_init,
    .sink = sort_sink,
    .sink_combine = sort_combine,
    .sink_local_free = sort_local_free,
    .sink_finalize = sort_finalize,
    .explain = sort_explain,
    .destroy = sort_destroy,
};

static const tn_op_vtable topn_vtable = {
    .name = "TOP_N",
    .source_partitions = sort_partitions,
    .source_next = sort_next,
    .source_done = sort_done,
    .sink_local_init = sort_local_init,
    .sink = sort_sink,
    .sink_combine = sort_combine,
    .sink_local_free = sort_local_free,
    .sink_finalize = sort_finalize,
    .explain = sort_explain,
    .destroy = sort_destroy,
};

int tn_op_sort_new(tn_exec_ctx *ctx, const tn_plan *plan, const tn_sort_spec *keys, int32_t nkeys, int64_t keep,
                   tn_op *child, tn_op **out, tarn_error *err)
{
    sort_op *s = tn_op_alloc(sizeof *s, keep >= 0 ? &topn_vtable : &sort_vtable, ctx, plan, child->out);
    TN_TRY_ALLOC(s, err, sizeof *s);
    s->keys = keys;
    s->nkeys = nkeys;
    s->keep = keep;
    s->chunk = ctx->batch_rows > 0 ? ctx->batch_rows : 8192;
    int rc = tn_op_set_children(&s->base, &child, 1, err);
    if (rc) {
        tn_op_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return TARN_OK;
}
