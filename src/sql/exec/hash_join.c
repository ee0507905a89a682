/*
 * hash_join.c — the hash join operator: every join kind with at least one
 * equality key.
 *
 * Roles (operator.h): the sink of the build pipeline (the plan's right
 * child, children[1]); a transform of the probe pipeline (the left child,
 * children[0]); for RIGHT and FULL joins also the source of a last
 * pipeline that emits the build rows no probe row matched.
 *
 *   build:    sink tasks keep references to their batches (local chunks,
 *             memory reserved per batch) -> combine moves them to the
 *             global list -> finalize concatenates them into one array per
 *             column, evaluates the build keys and builds the table
 *             (join_table.c) in parallel.
 *   probe:    per batch: evaluate the probe keys, hash them, walk the chains
 *             in rounds (join_table.c), then join.c turns the pairs into
 *             output for the join kind, batch_rows rows at a time (*again
 *             asks the driver for another call with the same input).
 *   unmatched build rows: tn_join_unmatched_* (join.c).
 *
 * Memory: build batches are reserved as they arrive (tn_exec_reserve), the
 * table at finalize. When the budget refuses, the join spills (a grace
 * hash join): both sides are partitioned by 4 bits of the key hash into
 * spill files and the source role joins them partition by partition,
 * splitting again a partition that still does not fit
 * (docs/internals/sql-join.md, "Spilling").
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "sql/exec/join.h"
#include "sql/exec/join_filter.h"
#include "sql/exec/join_table.h"
#include "sql/exec/spill.h"
#include "sql/binder/expr_util.h"

/* A build side ready to probe: its rows and table (the whole build side,
 * or one partition of it once spilled). */
typedef struct hj_side {
    tn_join_rows rows;
    tn_join_table table;
    tn_join_table groups, null_groups; /* grouped MARK joins (below) */
    int64_t all_rows, all_null_rows;   /* MARK: rows, and rows with a NULL `=` key, of
                                        * the whole build side (not just this partition) */
} hj_side;

static void side_reset(hj_side *d)
{
    tn_join_rows_reset(&d->rows);
    tn_join_table_reset(&d->table);
    tn_join_table_reset(&d->groups);
    tn_join_table_reset(&d->null_groups);
    memset(d, 0, sizeof *d);
}

#define SPILL_FANOUT 16   /* partitions per level: 4 hash bits */
#define SPILL_LEVELS 8    /* levels of repartitioning before giving up */
/* The room spilling itself needs: a write buffer per partition file, both
 * sides. */
#define SPILL_HEADROOM ((int64_t)2 * SPILL_FANOUT * (64 << 10))

/* Reserve bytes for op, leaving free what spilling would need and a
 * quarter of the process memory limit: the budget also pays for memory
 * nobody reserves (scans decoding column chunks, batches in flight), so a
 * join that took it all would make the next scan fail instead of itself
 * spilling. No limit: just the reservation. */
static bool reserve_with_headroom(tn_op *op, int64_t bytes)
{
    int64_t limit = tarn_memory_limit();
    int64_t room = limit > 0 ? (limit / 4 > SPILL_HEADROOM ? limit / 4 : SPILL_HEADROOM) : 0;
    if (!tn_exec_reserve(op, bytes + room))
        return false;
    tn_exec_release(op, room);
    return true;
}

typedef struct hash_join {
    tn_op base;
    tn_join_shape shape;
    const tn_plan *plan;
    tn_join_chunks chunks; /* combined build batches until finalize */
    hj_side main;          /* the build side (unless spilled) */
    int64_t reserved;      /* bytes reserved from the budget */
    bool finalized;
    /* Grace hash join: once the budget refuses the build side, both sides
     * are partitioned by hash into spill files and joined partition by
     * partition by the source role. */
    _Atomic bool spilling;  /* the build side goes to the partition files */
    bool spilled;           /* set at finalize: the join runs from the files */
    tn_spill_file *bfile[SPILL_FANOUT], *pfile[SPILL_FANOUT];
    pthread_mutex_t plock[SPILL_FANOUT];
    _Atomic int64_t spill_rows, spill_null_rows; /* build rows written, with a NULL `=` key */
    /* MARK joins with correlation keys (null_equal) besides `=` keys: the
     * build rows by correlation group, all of them and those with a NULL
     * `=` key, to give IN its NULL per group */
    bool grouped_mark;
    int32_t *corr;         /* indexes of the correlation keys */
    int32_t ncorr;
    bool *corr_equal;      /* [ncorr] all true */
    tn_join_table groups, null_groups;
    tn_type **key_types;   /* [nkeys] the type both sides of key k are cast to, or NULL:
                            * the binder gives both sides one type; this only guards */
    /* A SEMI/ANTI join whose left side is much smaller than its right runs
     * the other way round: the left rows build, the right rows probe and
     * only mark the build rows they match, and the source role emits the
     * build rows matched (SEMI) or not (ANTI). */
    bool swapped;
    tn_expr **bkeys, **pkeys; /* [nkeys] key expressions over the build / probe side */
    tn_plan_ctx pc;        /* swapped: the residual condition over right ++ left */
} hash_join;

typedef struct probe_local {
    tn_join_probe probe;
    tn_join_cursor cursor;
    hj_side *side;          /* the build side being probed */
} probe_local;

static const tn_op_vtable hash_join_vt;

static void free_key_types(tn_type **types, int32_t n)
{
    if (!types)
        return;
    for (int32_t k = 0; k < n; k++)
        tn_type_unref(types[k]);
    tn_free(types);
}

/* ---- MARK joins with correlation keys ------------------------------------------
 * A decorrelated `x IN (SELECT y FROM t WHERE t.c = outer.c)` is a MARK
 * join on x = y and c IS NOT DISTINCT FROM c. Without a match, its mark is
 * NULL when x is NULL and the group of c is not empty, or when the group
 * holds a NULL y; else false. Two tables over the correlation keys answer
 * "is the group non-empty" and "does the group hold a NULL `=` key". */

static bool is_grouped_mark(const tn_plan *p)
{
    int32_t corr = 0;
    for (int32_t k = 0; k < p->nkeys; k++)
        corr += p->null_equal && p->null_equal[k];
    return p->join == TN_JOIN_MARK && corr > 0 && corr < p->nkeys;
}

/* The correlation keys of keys (references), optionally only at rows sel. */
static int corr_keys(hash_join *hj, tn_array **keys, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    for (int32_t c = 0; c < hj->ncorr; c++) {
        tn_array *k = keys[hj->corr[c]];
        int rc = sel ? tn_filter_sel(k, sel, &out[c], err) : ((out[c] = tn_array_ref(k)), TARN_OK);
        if (rc) {
            for (int32_t d = 0; d < c; d++)
                tn_array_unref(out[d]);
            return rc;
        }
    }
    return TARN_OK;
}

/* The correlation keys of a grouped MARK join (at construction). */
static int corr_init(hash_join *hj, tarn_error *err)
{
    const tn_plan *p = hj->plan;
    hj->corr = tn_calloc((size_t)p->nkeys, sizeof *hj->corr);
    hj->corr_equal = tn_calloc((size_t)p->nkeys, sizeof *hj->corr_equal);
    if (!hj->corr || !hj->corr_equal)
        return tn_error_oom(err, (size_t)p->nkeys * sizeof *hj->corr);
    for (int32_t k = 0; k < p->nkeys; k++)
        if (p->null_equal[k])
            hj->corr_equal[hj->ncorr] = true, hj->corr[hj->ncorr++] = k;
    return TARN_OK;
}

static int build_groups(hash_join *hj, hj_side *d, tn_array **keys, tarn_error *err)
{
    const tn_plan *p = hj->plan;
    int32_t *nulls = tn_malloc((size_t)(d->rows.n ? d->rows.n : 1) * 4);
    tn_array **ck = tn_calloc((size_t)p->nkeys, sizeof *ck);
    int rc = TARN_OK;
    if (!nulls || !ck) {
        rc = tn_error_oom(err, (size_t)d->rows.n * 4);
        goto done;
    }
    int64_t nn = 0;
    for (int64_t r = 0; r < d->rows.n; r++) {
        bool null_key = false;
        for (int32_t k = 0; k < p->nkeys; k++)
            null_key |= !p->null_equal[k] && !tn_array_is_valid(keys[k], r);
        nulls[nn] = (int32_t)r;
        nn += null_key;
    }
    rc = corr_keys(hj, keys, NULL, ck, err);
    if (rc)
        goto done;
    rc = tn_join_table_build(&d->groups, ck, hj->ncorr, hj->corr_equal, d->rows.n, err);
    for (int32_t c = 0; c < hj->ncorr; c++)
        tn_array_unref(ck[c]);
    if (rc)
        goto done;
    tn_selection sel = {nulls, nn};
    rc = corr_keys(hj, keys, &sel, ck, err);
    if (rc)
        goto done;
    rc = tn_join_table_build(&d->null_groups, ck, hj->ncorr, hj->corr_equal, nn, err);
    for (int32_t c = 0; c < hj->ncorr; c++)
        tn_array_unref(ck[c]);
done:
    tn_free(nulls);
    tn_free(ck);
    return rc;
}

/* in[i] = whether probe row i's correlation keys (references, consumed)
 * have a row in table t. */
static int probe_groups(const tn_join_table *t, tn_array **ck, int64_t n, uint8_t *in, tarn_error *err)
{
    enum { ROOM = 1024 };
    memset(in, 0, (size_t)n);
    tn_join_cursor c;
    tn_join_cursor_init(&c);
    int32_t *pl = tn_malloc(ROOM * 4), *pr = tn_malloc(ROOM * 4);
    int rc = pl && pr ? tn_join_cursor_start(&c, t, ck, n, ROOM, err) : tn_error_oom(err, ROOM * 4);
    if (!pl || !pr)
        for (int32_t k = 0; k < t->nkeys; k++)
            tn_array_unref(ck[k]);
    for (bool done = false; rc == TARN_OK && !done;) {
        int64_t got = 0;
        tn_join_cursor_step(&c, t, ROOM, in, pl, pr, &got, &done);
        for (int64_t k = 0; k < got; k++)
            in[pl[k]] = 1;
    }
    tn_join_cursor_reset(&c);
    tn_free(pl);
    tn_free(pr);
    return rc;
}

static int grouped_mark_nulls(hash_join *hj, probe_local *l, tarn_error *err)
{
    int64_t n = l->probe.n;
    uint8_t *in_group = tn_malloc((size_t)(n ? n : 1));
    TN_TRY_ALLOC(in_group, err, (size_t)n);
    tn_array *ck[64];
    int rc = hj->ncorr <= 64 ? corr_keys(hj, l->cursor.keys, NULL, ck, err)
                             : tn_error_set(err, TARN_EUNSUPPORTED, "more than 64 correlation keys");
    if (rc == TARN_OK)
        rc = probe_groups(&l->side->groups, ck, n, in_group, err);
    for (int64_t i = 0; rc == TARN_OK && i < n; i++)
        l->probe.mark_null[i] = l->cursor.key_null[i] && in_group[i];
    if (rc == TARN_OK)
        rc = corr_keys(hj, l->cursor.keys, NULL, ck, err);
    if (rc == TARN_OK)
        rc = probe_groups(&l->side->null_groups, ck, n, in_group, err);
    for (int64_t i = 0; rc == TARN_OK && i < n; i++)
        l->probe.mark_null[i] |= !l->cursor.key_null[i] && in_group[i];
    tn_free(in_group);
    return rc;
}

/* ---- keys ------------------------------------------------------------------- */

/* Key k of one side over b, cast to the common type when the sides differ. */
static int eval_key(hash_join *hj, const tn_expr *e, int32_t k, tn_batch *b, tn_array **out, tarn_error *err)
{
    tn_array *a = NULL;
    TN_TRY(tn_join_eval(hj->base.ctx, e, b, &a, err));
    tn_type *t = hj->key_types[k];
    if (!t || tn_type_equals(a->type, t)) {
        *out = a;
        return TARN_OK;
    }
    int rc = tn_cast(a, tn_type_ref(t), TN_CAST_STRICT, out, err);
    tn_array_unref(a);
    return rc;
}

/* Every key of one side (exprs: hj->bkeys or hj->pkeys) over b, in keys
 * (references; none left on failure). */
static int eval_keys(hash_join *hj, tn_expr **exprs, tn_batch *b, tn_array **keys, tarn_error *err)
{
    int32_t nk = hj->plan->nkeys;
    for (int32_t k = 0; k < nk; k++) {
        int rc = eval_key(hj, exprs[k], k, b, &keys[k], err);
        if (rc) {
            for (int32_t j = 0; j < k; j++)
                tn_array_unref(keys[j]);
            return rc;
        }
    }
    return TARN_OK;
}

/* ---- spilling: partitioning by hash --------------------------------------------
 * Both sides are split by 4 bits of one hash of the keys (the correlation
 * keys only for a grouped MARK join, so that a group stays whole), the
 * top bits first, the next 4 at each level of repartitioning. Equal keys
 * hash equal on both sides, so a row finds all its matches in one
 * partition; rows with a NULL key land anywhere and match nothing there. */

static inline int part_of(uint64_t h, int level)
{
    return (int)((h >> (60 - 4 * level)) & (SPILL_FANOUT - 1));
}

/* The partitioning hash of n rows of keys (one side's, references kept). */
static int part_hashes(hash_join *hj, tn_array **keys, int64_t n, uint64_t *h, tarn_error *err)
{
    if (!hj->grouped_mark)
        return tn_join_key_hashes(keys, hj->plan->nkeys, hj->plan->null_equal, n, h, err);
    tn_array *ck[64];
    if (hj->ncorr > 64)
        return tn_error_set(err, TARN_EUNSUPPORTED, "more than 64 correlation keys");
    TN_TRY(corr_keys(hj, keys, NULL, ck, err));
    int rc = tn_join_key_hashes(ck, hj->ncorr, hj->corr_equal, n, h, err);
    for (int32_t c = 0; c < hj->ncorr; c++)
        tn_array_unref(ck[c]);
    return rc;
}

/* Rows rows[0..n) of b (a new batch). */
static int select_rows(tn_batch *b, const int32_t *rows, int64_t n, tn_batch **out, tarn_error *err)
{
    tn_batch *r = tn_batch_new(b->schema, n);
    TN_TRY_ALLOC(r, err, sizeof(tn_batch));
    tn_selection sel = {rows, n};
    for (int32_t i = 0; i < b->schema->n_fields; i++) {
        int rc = tn_filter_sel(b->columns[i], &sel, &r->columns[i], err);
        if (rc) {
            tn_batch_unref(r);
            return rc;
        }
    }
    *out = r;
    return TARN_OK;
}

/* Rows of b by partition at `level`, each partition's rows appended to
 * files[p] (created in the operator's name under locks[p] when locks is
 * not NULL; NULL locks: one writer). Counts rows with a NULL `=` key into
 * *null_rows when it is not NULL. */
static int write_parts(hash_join *hj, tn_expr **exprs, tn_batch *b, int level, tn_spill_file **files,
                       pthread_mutex_t *locks, int64_t *null_rows, tarn_error *err)
{
    int64_t n = b->length;
    if (n == 0)
        return TARN_OK;
    const tn_plan *p = hj->plan;
    tn_array *stack[16];
    tn_array **keys = p->nkeys <= 16 ? stack : tn_calloc((size_t)p->nkeys, sizeof *keys);
    TN_TRY_ALLOC(keys, err, (size_t)p->nkeys * sizeof *keys);
    uint64_t *h = tn_malloc((size_t)n * 8);
    int32_t *rows = tn_malloc((size_t)n * 4);
    int32_t count[SPILL_FANOUT] = {0}, start[SPILL_FANOUT];
    int32_t *order = tn_malloc((size_t)n * 4);
    int rc = h && rows && order ? eval_keys(hj, exprs, b, keys, err) : tn_error_oom(err, (size_t)n * 8);
    bool have_keys = rc == TARN_OK;
    if (rc == TARN_OK)
        rc = part_hashes(hj, keys, n, h, err);
    if (rc == TARN_OK && null_rows) {
        int64_t nulls = 0;
        for (int64_t r = 0; r < n; r++) {
            bool null_key = false;
            for (int32_t k = 0; k < p->nkeys; k++)
                null_key |= !(p->null_equal && p->null_equal[k]) && !tn_array_is_valid(keys[k], r);
            nulls += null_key;
        }
        *null_rows += nulls;
    }
    if (rc == TARN_OK) {
        for (int64_t r = 0; r < n; r++)
            count[part_of(h[r], level)]++;
        int32_t at = 0;
        for (int q = 0; q < SPILL_FANOUT; q++) {
            start[q] = at;
            at += count[q];
        }
        for (int64_t r = 0; r < n; r++)
            order[start[part_of(h[r], level)]++] = (int32_t)r;
    }
    for (int q = 0, at = 0; rc == TARN_OK && q < SPILL_FANOUT; at += count[q], q++) {
        if (count[q] == 0)
            continue;
        tn_batch *sub = NULL;
        if (count[q] == n)
            sub = tn_batch_ref(b);
        else
            rc = select_rows(b, order + at, count[q], &sub, err);
        if (rc)
            break;
        if (locks)
            pthread_mutex_lock(&locks[q]);
        if (!files[q])
            rc = tn_spill_create(&hj->base, b->schema, &files[q], err);
        if (rc == TARN_OK)
            rc = tn_spill_write(files[q], sub, err);
        if (locks)
            pthread_mutex_unlock(&locks[q]);
        tn_batch_unref(sub);
    }
    if (have_keys)
        for (int32_t k = 0; k < p->nkeys; k++)
            tn_array_unref(keys[k]);
    if (keys != stack)
        tn_free(keys);
    tn_free(h);
    tn_free(rows);
    tn_free(order);
    return rc;
}

/* Move the build batches held in c to the partition files, releasing
 * each one's memory as soon as it is written (spilling starts when the
 * budget is exhausted: writing needs the room the first batches free). */
static int spill_chunks(hash_join *hj, tn_join_chunks *c, tarn_error *err)
{
    int rc = TARN_OK;
    size_t i = 0;
    for (; i < c->n && rc == TARN_OK; i++) {
        tn_batch *b = c->batches[i];
        int64_t nulls = 0, bytes = tn_join_batch_bytes(b);
        rc = write_parts(hj, hj->bkeys, b, 0, hj->bfile, hj->plock, &nulls, err);
        if (rc)
            break;
        hj->spill_rows += b->length;
        hj->spill_null_rows += nulls;
        c->rows -= b->length;
        c->bytes -= bytes;
        tn_batch_unref(b);
        c->batches[i] = NULL;
        tn_exec_release(&hj->base, bytes);
        __atomic_fetch_sub(&hj->reserved, bytes, __ATOMIC_RELAXED);
    }
    /* keep what is not written yet (released with the chunks) */
    size_t kept = 0;
    for (size_t j = 0; j < c->n; j++)
        if (c->batches[j])
            c->batches[kept++] = c->batches[j];
    c->n = kept;
    return rc;
}

/* ---- build (sink) ---------------------------------------------------------- */

static int sink_local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    tn_join_chunks *c = tn_calloc(1, sizeof *c);
    TN_TRY_ALLOC(c, err, sizeof *c);
    *local = c;
    return TARN_OK;
}

static int sink(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    tn_join_chunks *c = local;
    if (in->length == 0)
        return TARN_OK;
    if (!hj->spilling) {
        int64_t bytes = tn_join_batch_bytes(in);
        if (reserve_with_headroom(op, bytes)) {
            int rc = tn_batch_push(&c->batches, &c->n, &c->cap, tn_batch_ref(in), err);
            if (rc) {
                tn_exec_release(op, bytes);
                return rc;
            }
            c->rows += in->length;
            c->bytes += bytes;
            __atomic_fetch_add(&hj->reserved, bytes, __ATOMIC_RELAXED);
            return TARN_OK;
        }
        hj->spilling = true; /* refused: from now on every task partitions */
    }
    if (c->n)
        TN_TRY(spill_chunks(hj, c, err));
    int64_t nulls = 0;
    TN_TRY(write_parts(hj, hj->bkeys, in, 0, hj->bfile, hj->plock, &nulls, err));
    hj->spill_rows += in->length;
    hj->spill_null_rows += nulls;
    return TARN_OK;
}

static void sink_local_free(tn_op *op, void *local)
{
    hash_join *hj = (hash_join *)op;
    tn_join_chunks *c = local;
    if (!c)
        return;
    tn_exec_release(op, c->bytes);
    __atomic_fetch_sub(&hj->reserved, c->bytes, __ATOMIC_RELAXED);
    tn_join_chunks_reset(c);
    tn_free(c);
}

static int sink_combine(tn_op *op, void *local, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    tn_join_chunks *c = local;
    int rc = hj->spilling && c->n ? spill_chunks(hj, c, err) : tn_join_chunks_move(&hj->chunks, c, err);
    sink_local_free(op, local);
    return rc;
}

/* The build keys over a side's concatenated rows. */
static int build_keys(hash_join *hj, hj_side *d, tn_array **keys, tarn_error *err)
{
    tn_batch *b = tn_batch_new(hj->shape.right, d->rows.n);
    TN_TRY_ALLOC(b, err, sizeof *b);
    for (int32_t c = 0; c < d->rows.ncols; c++)
        b->columns[c] = tn_array_ref(d->rows.cols[c]);
    int rc = eval_keys(hj, hj->bkeys, b, keys, err);
    tn_batch_unref(b);
    return rc;
}

/* Rows, keys and table of a side from its collected batches (c is
 * emptied). The table's bytes are not reserved here. */
static int side_build(hash_join *hj, hj_side *d, tn_join_chunks *c, tarn_error *err)
{
    const tn_plan *p = hj->plan;
    TN_TRY(tn_join_rows_build(&d->rows, hj->shape.right, c, tn_join_emits_build(hj->shape.kind) || hj->swapped,
                              err));
    tn_join_chunks_reset(c); /* the rows hold what they need */
    tn_array **keys = tn_calloc((size_t)p->nkeys, sizeof *keys);
    TN_TRY_ALLOC(keys, err, (size_t)p->nkeys * sizeof *keys);
    int rc = build_keys(hj, d, keys, err);
    if (rc == TARN_OK) {
        rc = tn_join_table_build(&d->table, keys, p->nkeys, p->null_equal, d->rows.n, err);
        if (rc == TARN_OK && hj->grouped_mark)
            rc = build_groups(hj, d, keys, err);
        for (int32_t k = 0; k < p->nkeys; k++)
            tn_array_unref(keys[k]);
    }
    tn_free(keys);
    return rc;
}

static int64_t side_bytes(const hj_side *d)
{
    return d->table.bytes + d->groups.bytes + d->null_groups.bytes;
}

/* Finalize gave up on holding the build side (the budget refused the
 * table, or an allocation on the way): what is held, batches or
 * concatenated rows, goes to the partition files. */
static int spill_held(hash_join *hj, tarn_error *err)
{
    tn_op *op = &hj->base;
    hj->spilling = true;
    int rc = TARN_OK;
    if (hj->chunks.n) {
        rc = spill_chunks(hj, &hj->chunks, err);
    } else if (hj->main.rows.cols) {
        tn_batch *b = tn_batch_new(hj->shape.right, hj->main.rows.n);
        TN_TRY_ALLOC(b, err, sizeof *b);
        for (int32_t i = 0; i < hj->main.rows.ncols; i++)
            b->columns[i] = tn_array_ref(hj->main.rows.cols[i]);
        side_reset(&hj->main); /* the batch keeps the columns */
        int64_t nulls = 0;
        rc = write_parts(hj, hj->bkeys, b, 0, hj->bfile, NULL, &nulls, err);
        hj->spill_rows += b->length;
        hj->spill_null_rows += nulls;
        tn_batch_unref(b);
    }
    side_reset(&hj->main);
    tn_join_chunks_reset(&hj->chunks);
    tn_exec_release(op, hj->reserved);
    hj->reserved = 0;
    hj->spilled = rc == TARN_OK;
    hj->finalized = rc == TARN_OK;
    return rc;
}

static int sink_finalize(tn_op *op, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    if (hj->spilling) {
        hj->spilled = true;
        hj->finalized = true;
        return TARN_OK;
    }
    int rc = side_build(hj, &hj->main, &hj->chunks, err);
    if (rc == TARN_EMEMLIMIT) { /* an allocation was refused: spill instead */
        if (err)
            tarn_error_init(err);
        tn_join_table_reset(&hj->main.table);
        tn_join_table_reset(&hj->main.groups);
        tn_join_table_reset(&hj->main.null_groups);
        return spill_held(hj, err);
    }
    TN_TRY(rc);
    hj->main.all_rows = hj->main.rows.n;
    hj->main.all_null_rows = hj->main.table.null_rows;
    int64_t bytes = side_bytes(&hj->main);
    if (reserve_with_headroom(op, bytes)) {
        hj->reserved += bytes;
        hj->finalized = true;
        return TARN_OK;
    }
    /* the table does not fit: partition the rows instead (the grouped MARK
     * tables and the join filter go with it) */
    tn_join_table_reset(&hj->main.table);
    tn_join_table_reset(&hj->main.groups);
    tn_join_table_reset(&hj->main.null_groups);
    return spill_held(hj, err);
}

/* ---- probe (transform) ------------------------------------------------------- */

static int local_init(tn_op *op, void **local, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    probe_local *l = tn_calloc(1, sizeof *l);
    TN_TRY_ALLOC(l, err, sizeof *l);
    tn_join_probe_init(&l->probe);
    tn_join_cursor_init(&l->cursor);
    l->side = &hj->main;
    *local = l;
    return TARN_OK;
}

static void local_free(tn_op *op, void *local)
{
    (void)op;
    probe_local *l = local;
    if (!l)
        return;
    tn_join_probe_reset(&l->probe);
    tn_join_cursor_reset(&l->cursor);
    tn_free(l);
}

/* MARK: a probe row without a match is NULL rather than false when its key
 * is NULL, or when the build side has a row with a NULL key (x IN (..,
 * NULL) is NULL unless x matches). Neither applies to an empty build. */
static int mark_nulls(hash_join *hj, probe_local *l, tarn_error *err)
{
    if (l->side->all_rows == 0)
        return TARN_OK;
    if (hj->grouped_mark)
        return grouped_mark_nulls(hj, l, err);
    bool build_null = l->side->all_null_rows > 0;
    for (int64_t i = 0; i < l->probe.n; i++)
        l->probe.mark_null[i] = build_null || l->cursor.key_null[i];
    return TARN_OK;
}

static int start_batch(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    probe_local *l = local;
    const tn_plan *p = hj->plan;
    TN_TRY(tn_join_probe_start(&l->probe, &hj->shape, in, err));
    tn_array *stack[16];
    tn_array **keys = p->nkeys <= 16 ? stack : tn_calloc((size_t)p->nkeys, sizeof *keys);
    TN_TRY_ALLOC(keys, err, (size_t)p->nkeys * sizeof *keys);
    int rc = eval_keys(hj, hj->pkeys, in, keys, err);
    if (rc == TARN_OK) /* takes the keys, also on failure */
        rc = tn_join_cursor_start(&l->cursor, &l->side->table, keys, in->length, l->probe.cap, err);
    if (keys != stack)
        tn_free(keys);
    if (rc == TARN_OK && hj->shape.kind == TN_JOIN_MARK)
        rc = mark_nulls(hj, l, err);
    return rc;
}

/* Fill the pending pairs from the chains; without a residual condition the
 * kinds that do not emit pairs record their matches right away. */
static int collect_pairs(tn_op *op, void *local, bool *done, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    probe_local *l = local;
    tn_join_probe *p = &l->probe;
    tn_join_kind kind = hj->shape.kind;
    bool direct = !hj->shape.condition && !tn_join_emits_pairs(kind);
    const uint8_t *skip = tn_join_stops_at_first(kind) ? p->found : NULL;
    *done = false;
    while (!*done && p->npairs < p->cap) {
        int64_t got = 0;
        tn_join_cursor_step(&l->cursor, &l->side->table, p->cap - p->npairs, skip, p->pl + p->npairs,
                            p->pr + p->npairs, &got, done);
        if (direct) {
            for (int64_t k = 0; k < got; k++)
                TN_TRY(tn_join_probe_found(p, &hj->shape, p->pl[p->npairs + k], err));
        } else {
            p->npairs += got;
        }
    }
    return TARN_OK;
}

static const tn_join_finder finder = {start_batch, collect_pairs};

static int transform(tn_op *op, void *local, tn_batch *in, tn_batch **out, bool *again, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    if (hj->spilled) {
        /* the probe rows go to their partitions; the source joins them */
        *out = NULL;
        *again = false;
        return write_parts(hj, hj->pkeys, in, 0, hj->pfile, hj->plock, NULL, err);
    }
    return tn_join_transform(op, &finder, &hj->shape, &hj->main.rows, local, in, out, again, err);
}

/* ---- spilled: joining partition by partition (source) ------------------------------ */

/* A partition to join: its build and probe files (NULL: no rows), and
 * whether this task owns them (sub-partitions) or the operator does. */
typedef struct spill_part {
    tn_spill_file *build, *probe;
    int level;   /* the hash bits its rows were split by: 0 = the top 4 */
    bool owned;
} spill_part;

typedef enum { SP_NEXT, SP_PROBE, SP_BUILD_ROWS } spill_phase;

typedef struct spill_task {
    spill_part *stack;     /* partitions left to join, the last first */
    int32_t n, cap;
    spill_part cur;        /* the one being joined */
    spill_phase phase;
    hj_side side;
    int64_t reserved;
    tn_spill_cursor *probe; /* over cur.probe */
    tn_batch *in;          /* the probe batch being joined (again) */
    probe_local *pl;
    int64_t emit_part, emit_parts;
} spill_task;

static void part_free(spill_part *sp)
{
    if (sp->owned) {
        tn_spill_free(sp->build);
        tn_spill_free(sp->probe);
    }
    memset(sp, 0, sizeof *sp);
}

static void task_drop_current(hash_join *hj, spill_task *t)
{
    tn_spill_cursor_free(t->probe);
    t->probe = NULL;
    tn_batch_unref(t->in);
    t->in = NULL;
    side_reset(&t->side);
    tn_exec_release(&hj->base, t->reserved);
    t->reserved = 0;
    part_free(&t->cur);
}

static int task_push(spill_task *t, spill_part sp, tarn_error *err)
{
    if (t->n == t->cap) {
        int32_t cap = t->cap ? 2 * t->cap : 8;
        spill_part *s = tn_realloc(t->stack, (size_t)cap * sizeof *s);
        TN_TRY_ALLOC(s, err, (size_t)cap * sizeof *s);
        t->stack = s;
        t->cap = cap;
    }
    t->stack[t->n++] = sp;
    return TARN_OK;
}

/* Split a partition that does not fit into SPILL_FANOUT sub-partitions by
 * the next 4 hash bits (both sides), pushed on the task's stack. */
static int repartition(hash_join *hj, spill_task *t, spill_part *sp, tarn_error *err)
{
    if (sp->level + 1 >= SPILL_LEVELS)
        return tn_error_set(err, TARN_EMEMLIMIT,
                            "%s: a partition of %lld build rows does not fit the memory limit even after %d "
                            "repartitionings (too many equal keys)",
                            hj->base.vt->name, (long long)tn_spill_rows(sp->build), SPILL_LEVELS - 1);
    tn_spill_file *b[SPILL_FANOUT] = {0}, *p[SPILL_FANOUT] = {0};
    int rc = TARN_OK;
    for (int side = 0; side < 2 && rc == TARN_OK; side++) {
        tn_spill_file *src = side ? sp->probe : sp->build;
        if (!src)
            continue;
        tn_spill_cursor *c = NULL;
        rc = tn_spill_cursor_open(src, &c, err);
        while (rc == TARN_OK) {
            tn_batch *batch = NULL;
            rc = tn_spill_next(c, &batch, err);
            if (rc || !batch)
                break;
            rc = write_parts(hj, side ? hj->pkeys : hj->bkeys, batch, sp->level + 1, side ? p : b, NULL, NULL, err);
            tn_batch_unref(batch);
        }
        tn_spill_cursor_free(c);
    }
    for (int q = 0; q < SPILL_FANOUT; q++) {
        /* a partition with rows on either side is joined: probe rows alone
         * may still be output (LEFT, ANTI, MARK), build rows alone too
         * (RIGHT, FULL, a left-building ANTI) */
        bool keep = rc == TARN_OK && (b[q] || p[q]);
        if (keep)
            rc = task_push(t, (spill_part){b[q], p[q], sp->level + 1, true}, err);
        if (!keep || rc) {
            tn_spill_free(b[q]);
            tn_spill_free(p[q]);
        }
    }
    return rc;
}

/* Load the current partition's build side into t->side; *fits false when
 * the budget refuses it (nothing held then). */
static int load_side(hash_join *hj, spill_task *t, bool *fits, tarn_error *err)
{
    *fits = true;
    tn_join_chunks c = {0};
    int rc = TARN_OK;
    if (t->cur.build) {
        tn_spill_cursor *cur = NULL;
        rc = tn_spill_cursor_open(t->cur.build, &cur, err);
        while (rc == TARN_OK) {
            tn_batch *b = NULL;
            rc = tn_spill_next(cur, &b, err);
            if (rc || !b)
                break;
            int64_t bytes = tn_join_batch_bytes(b);
            if (!tn_exec_reserve(&hj->base, bytes)) {
                tn_batch_unref(b);
                *fits = false;
                break;
            }
            t->reserved += bytes;
            c.rows += b->length;
            c.bytes += bytes;
            rc = tn_batch_push(&c.batches, &c.n, &c.cap, b, err);
        }
        tn_spill_cursor_free(cur);
    }
    if (rc == TARN_OK && *fits) {
        rc = side_build(hj, &t->side, &c, err);
        if (rc == TARN_EMEMLIMIT) { /* an allocation was refused: split it */
            if (err)
                tarn_error_init(err);
            rc = TARN_OK;
            *fits = false;
        }
        int64_t bytes = side_bytes(&t->side);
        if (rc == TARN_OK && *fits && !tn_exec_reserve(&hj->base, bytes))
            *fits = false;
        else if (rc == TARN_OK && *fits)
            t->reserved += bytes;
    }
    tn_join_chunks_reset(&c);
    if (rc || !*fits) {
        side_reset(&t->side);
        tn_exec_release(&hj->base, t->reserved);
        t->reserved = 0;
    }
    t->side.all_rows = hj->spill_rows;
    t->side.all_null_rows = hj->spill_null_rows;
    return rc;
}

/* The next output batch of the partitions of one source task. */
static int spill_next(hash_join *hj, spill_task *t, tn_batch **out, tarn_error *err)
{
    *out = NULL;
    for (;;) {
        if (t->phase == SP_NEXT) {
            task_drop_current(hj, t);
            if (t->n == 0)
                return TARN_OK; /* done */
            t->cur = t->stack[--t->n];
            bool fits = false;
            TN_TRY(load_side(hj, t, &fits, err));
            if (!fits) {
                spill_part sp = t->cur;
                memset(&t->cur, 0, sizeof t->cur);
                int rc = repartition(hj, t, &sp, err);
                part_free(&sp);
                TN_TRY(rc);
                continue;
            }
            t->pl->side = &t->side;
            if (t->cur.probe)
                TN_TRY(tn_spill_cursor_open(t->cur.probe, &t->probe, err));
            t->phase = SP_PROBE;
        }
        if (t->phase == SP_PROBE) {
            if (!t->in && t->probe) {
                TN_TRY(tn_spill_next(t->probe, &t->in, err));
                if (hj->base.ctx && hj->base.ctx->cancel && tn_cancel_fired(hj->base.ctx->cancel))
                    return tn_error_set(err, TARN_ECANCELLED, "the query was cancelled");
            }
            if (!t->in) {
                t->phase = SP_BUILD_ROWS;
                t->emit_part = 0;
                t->emit_parts = hj->swapped ? tn_join_build_partitions(&hj->shape, &t->side.rows)
                                            : tn_join_unmatched_partitions(&hj->shape, &t->side.rows);
                continue;
            }
            bool again = false;
            TN_TRY(tn_join_transform(&hj->base, &finder, &hj->shape, &t->side.rows, t->pl, t->in, out, &again, err));
            if (!again) {
                tn_batch_unref(t->in);
                t->in = NULL;
            }
            if (*out)
                return TARN_OK;
            continue;
        }
        /* SP_BUILD_ROWS: RIGHT/FULL unmatched, or a left-building SEMI/ANTI's rows */
        if (t->emit_part >= t->emit_parts) {
            t->phase = SP_NEXT;
            continue;
        }
        void *state = NULL;
        int64_t part = t->emit_part++;
        TN_TRY(hj->swapped ? tn_join_build_next(&hj->shape, &t->side.rows, hj->plan->join == TN_JOIN_SEMI, part,
                                                &state, out, err)
                           : tn_join_unmatched_next(&hj->shape, &t->side.rows, part, &state, out, err));
        if (*out)
            return TARN_OK;
    }
}

/* ---- unmatched build rows, or the spilled join (source) ------------------------------ */

static int source_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    (void)err;
    hash_join *hj = (hash_join *)op;
    if (hj->spilled)
        *n = SPILL_FANOUT;
    else
        *n = hj->swapped ? tn_join_build_partitions(&hj->shape, &hj->main.rows)
                         : tn_join_unmatched_partitions(&hj->shape, &hj->main.rows);
    return TARN_OK;
}

static void source_done(tn_op *op, void *state);

static int source_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    if (!hj->spilled) {
        if (hj->swapped)
            return tn_join_build_next(&hj->shape, &hj->main.rows, hj->plan->join == TN_JOIN_SEMI, part, state, out,
                                      err);
        return tn_join_unmatched_next(&hj->shape, &hj->main.rows, part, state, out, err);
    }
    spill_task *t = *state;
    if (!t) {
        t = tn_calloc(1, sizeof *t);
        TN_TRY_ALLOC(t, err, sizeof *t);
        *state = t;
        TN_TRY(local_init(op, (void **)&t->pl, err));
        spill_part sp = {hj->bfile[part], hj->pfile[part], 0, false};
        if (sp.build || sp.probe)
            TN_TRY(task_push(t, sp, err));
        t->phase = SP_NEXT;
    }
    return spill_next(hj, t, out, err);
}

static void source_done(tn_op *op, void *state)
{
    hash_join *hj = (hash_join *)op;
    if (!hj->spilled || !state)
        return;
    spill_task *t = state;
    task_drop_current(hj, t);
    for (int32_t i = 0; i < t->n; i++)
        part_free(&t->stack[i]);
    tn_free(t->stack);
    local_free(op, t->pl);
    tn_free(t);
}

/* ---- EXPLAIN and lifetime ----------------------------------------------------------- */

static const char *kind_name(tn_join_kind k)
{
    static const char *names[] = {"inner", "left", "right", "full", "cross", "semi", "anti", "mark", "single"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

static int explain_expr(const tn_expr *e, int32_t base, tn_buf *out, tarn_error *err)
{
    if (e->kind == TN_EXPR_COLUMN)
        return tn_buf_printf(out, err, "#%d", e->index + base);
    return e->text ? tn_buf_printf(out, err, "%s", e->text) : tn_expr_format(e, out, err);
}

static int explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    const tn_plan *p = hj->plan;
    TN_TRY(tn_buf_printf(out, err, "type: %s%s, keys: ", kind_name(p->join),
                         hj->swapped ? " (left side builds)" : ""));
    for (int32_t k = 0; k < p->nkeys; k++) {
        TN_TRY(tn_buf_printf(out, err, "%s", k ? ", " : ""));
        TN_TRY(explain_expr(p->left_keys[k], 0, out, err));
        TN_TRY(tn_buf_printf(out, err, " %s ", p->null_equal && p->null_equal[k] ? "IS NOT DISTINCT FROM" : "="));
        TN_TRY(explain_expr(p->right_keys[k], p->children[0]->out->n_fields, out, err));
    }
    if (p->condition) {
        TN_TRY(tn_buf_printf(out, err, ", condition: "));
        TN_TRY(explain_expr(p->condition, 0, out, err));
    }
    return TARN_OK;
}

static void destroy(tn_op *op)
{
    hash_join *hj = (hash_join *)op;
    tn_join_chunks_reset(&hj->chunks);
    side_reset(&hj->main);
    for (int q = 0; q < SPILL_FANOUT; q++) {
        tn_spill_free(hj->bfile[q]);
        tn_spill_free(hj->pfile[q]);
        pthread_mutex_destroy(&hj->plock[q]);
    }
    if (hj->reserved)
        tn_exec_release(op, hj->reserved);
    tn_join_shape_reset(&hj->shape);
    free_key_types(hj->key_types, hj->plan->nkeys);
    tn_free(hj->corr);
    tn_free(hj->corr_equal);
    tn_free(hj->bkeys);
    tn_free(hj->pkeys);
    tn_plan_ctx_free(&hj->pc);
    tn_free(hj);
}

static const tn_op_vtable hash_join_vt = {
    .name = "HASH_JOIN",
    .source_partitions = source_partitions,
    .source_next = source_next,
    .source_done = source_done,
    .local_init = local_init,
    .local_free = local_free,
    .transform = transform,
    .sink_local_init = sink_local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_local_free = sink_local_free,
    .sink_finalize = sink_finalize,
    .explain = explain,
    .destroy = destroy,
};

/* The binder gives both sides of a key one type; should they differ
 * anyway, both are cast to their common type (text and binary layouts
 * need no cast: they compare by bytes). */
static int key_types(const tn_plan *join, tn_type ***out, tarn_error *err)
{
    if (join->nkeys <= 0)
        return tn_error_set(err, TARN_EINTERNAL, "hash join without equality keys (a nested-loop join is needed)");
    tn_type **types = tn_calloc((size_t)join->nkeys, sizeof *types);
    TN_TRY_ALLOC(types, err, (size_t)join->nkeys * sizeof *types);
    for (int32_t k = 0; k < join->nkeys; k++) {
        const tn_type *a = join->left_keys[k]->type, *b = join->right_keys[k]->type;
        bool bytes = (tn_type_is_string(a->id) || tn_type_is_binary(a->id)) &&
                     (tn_type_is_string(b->id) || tn_type_is_binary(b->id));
        if (bytes || tn_type_equals(a, b))
            continue;
        int rc = tn_common_type(a, b, &types[k], err);
        if (rc) {
            free_key_types(types, join->nkeys);
            return tn_error_prefix(err, "hash join key %d (%s = %s): ", k,
                                   join->left_keys[k]->text ? join->left_keys[k]->text : "?",
                                   join->right_keys[k]->text ? join->right_keys[k]->text : "?");
        }
    }
    *out = types;
    return TARN_OK;
}

/* Estimated rows of a plan (< 0 unknown): a projection has its input's
 * rows (its own estimate may predate filter pushdown), a join keeping
 * only left rows at most its left side's. */
static double plan_rows(const tn_plan *p)
{
    for (int d = 0; p && d < 64; d++) {
        bool left_only = p->kind == TN_PLAN_JOIN &&
                         (p->join == TN_JOIN_SEMI || p->join == TN_JOIN_ANTI || p->join == TN_JOIN_MARK ||
                          p->join == TN_JOIN_SINGLE || p->join == TN_JOIN_LEFT);
        if (p->kind == TN_PLAN_PROJECT || left_only) {
            p = p->children[0];
            continue;
        }
        if (p->est_rows >= 0)
            return p->est_rows;
        if (p->nchildren != 1)
            return -1;
        p = p->children[0];
    }
    return -1;
}

/* Whether a SEMI/ANTI join should build on its left side: the right side
 * is estimated several times larger. */
static bool should_swap(const tn_plan *join)
{
    if (join->join != TN_JOIN_SEMI && join->join != TN_JOIN_ANTI)
        return false;
    double l = plan_rows(join->children[0]), r = plan_rows(join->children[1]);
    return l >= 0 && r >= 0 && l * 4 < r;
}

/* The residual condition over right ++ left (in hj->pc), for a swapped join. */
static int swapped_condition(hash_join *hj, const tn_plan *join, tn_expr **out, tarn_error *err)
{
    *out = NULL;
    if (!join->condition)
        return TARN_OK;
    int32_t nl = join->children[0]->out->n_fields, nr = join->children[1]->out->n_fields;
    int32_t *map = tn_malloc((size_t)(nl + nr) * sizeof *map);
    TN_TRY_ALLOC(map, err, (size_t)(nl + nr) * sizeof *map);
    for (int32_t i = 0; i < nl; i++)
        map[i] = nr + i;
    for (int32_t j = 0; j < nr; j++)
        map[nl + j] = j;
    tn_expr *c = tn_expr_copy(&hj->pc, join->condition);
    if (c)
        tn_expr_remap(c, map);
    tn_free(map);
    if (!c)
        return tn_error_oom(err, sizeof *c);
    *out = c;
    return TARN_OK;
}

int tn_op_hash_join_new(tn_exec_ctx *ctx, const tn_plan *join, tn_op *build, tn_op *probe, tn_op **out,
                        tarn_error *err)
{
    tn_type **types = NULL;
    TN_TRY(key_types(join, &types, err));
    hash_join *hj = tn_calloc(1, sizeof *hj);
    if (!hj) {
        free_key_types(types, join->nkeys);
        return tn_error_oom(err, sizeof *hj);
    }
    tn_plan_ctx_init(&hj->pc);
    for (int q = 0; q < SPILL_FANOUT; q++)
        pthread_mutex_init(&hj->plock[q], NULL);
    hj->plan = join;
    hj->key_types = types;
    hj->grouped_mark = is_grouped_mark(join);
    hj->swapped = should_swap(join);
    hj->bkeys = tn_calloc((size_t)join->nkeys, sizeof *hj->bkeys);
    hj->pkeys = tn_calloc((size_t)join->nkeys, sizeof *hj->pkeys);
    int rc = hj->bkeys && hj->pkeys ? TARN_OK : tn_error_oom(err, (size_t)join->nkeys * sizeof(void *));
    for (int32_t k = 0; rc == TARN_OK && k < join->nkeys; k++) {
        hj->bkeys[k] = hj->swapped ? join->left_keys[k] : join->right_keys[k];
        hj->pkeys[k] = hj->swapped ? join->right_keys[k] : join->left_keys[k];
    }
    if (rc == TARN_OK && hj->grouped_mark)
        rc = corr_init(hj, err);
    tn_expr *cond = NULL;
    if (rc == TARN_OK && hj->swapped)
        rc = swapped_condition(hj, join, &cond, err);
    if (rc == TARN_OK)
        rc = hj->swapped ? tn_join_shape_init_swapped(&hj->shape, ctx, join, cond, err)
                         : tn_join_shape_init(&hj->shape, ctx, join, err);
    if (rc == TARN_OK && !(hj->base.children = tn_calloc(2, sizeof *hj->base.children)))
        rc = tn_error_oom(err, 2 * sizeof(tn_op *));
    if (rc) {
        destroy(&hj->base); /* everything not yet made is zero */
        return rc;
    }
    hj->base.vt = &hash_join_vt;
    hj->base.ctx = ctx;
    hj->base.out = tn_schema_ref(join->out);
    hj->base.children[0] = hj->swapped ? build : probe;
    hj->base.children[1] = hj->swapped ? probe : build;
    hj->base.nchildren = 2;
    hj->base.plan = join;
    hj->plan = join;
    *out = &hj->base;
    return TARN_OK;
}

const tn_join_filter *tn_hash_join_filter(tn_op *op, int32_t k)
{
    if (!op || op->vt != &hash_join_vt)
        return NULL;
    hash_join *hj = (hash_join *)op;
    const tn_plan *p = hj->plan;
    tn_join_kind kind = hj->shape.kind;
    bool drops_unmatched = kind == TN_JOIN_INNER || kind == TN_JOIN_SEMI || kind == TN_JOIN_RIGHT;
    if (hj->swapped || !drops_unmatched || p->nkeys != 1 || k != 0 || hj->key_types[0] || (p->null_equal && p->null_equal[0]) ||
        !tn_join_int_key_type(p->left_keys[0]->type))
        return NULL;
    return &hj->main.table.filter;
}

bool tn_hash_join_builds_left(const tn_op *op)
{
    return op && op->vt == &hash_join_vt && ((const hash_join *)op)->swapped;
}
