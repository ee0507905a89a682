/*
 * hash_aggregate.c — GROUP BY as a sink (build per-task tables) and a
 * source (emit one row per group).
 *
 * Sink. Each task owns a local state: for every grouping set, NPART group
 * tables (group_table.h), the partition chosen by the top bits of the key
 * hash. A batch is processed column-wise: the group keys are evaluated,
 * hashed (tn_hash_rows) and encoded (aggregate_codec.h); each row finds or
 * creates its group, giving a payload row that holds every aggregate's
 * state at a fixed offset; then each aggregate's update scatters the whole
 * batch into the states (row r into states[r]). FILTER (WHERE ...) narrows
 * the rows an aggregate sees. Aggregates whose input must be seen whole —
 * DISTINCT, and ORDER BY inside the call — do not update in the sink:
 * their (group key, arguments, order keys) tuples are collected in a second
 * table per partition, deduplicated for DISTINCT, and fed to the aggregate
 * at finalize.
 *
 * Combine links each task's local state into a list. Finalize merges, for
 * each (grouping set, partition) in parallel (tn_parallel_for), the tables
 * of every task: groups move into the first task's table or merge their
 * states into the group already there; collected tuples merge likewise
 * (so a DISTINCT tuple seen by two tasks counts once), then are decoded,
 * sorted by (group, ORDER BY keys) when ordered, and updated into their
 * group. Because a group lives in one partition only, partitions never
 * need each other.
 *
 * Source. One partition per (grouping set, hash partition); each emits its
 * groups in batches of ctx->batch_rows: the keys decoded back to arrays
 * (NULL columns for group expressions outside the set), each aggregate's
 * finalize, and with grouping sets a uint64 "grouping id" whose bit
 * (ngroups - 1 - g) is set when group expression g is not in the row's set
 * (GROUPING_ID's convention: the first expression is the highest bit).
 *
 * A set with no keys (no GROUP BY, or the () of ROLLUP) has exactly one
 * group, present even when the input is empty: count(*) of nothing is 0.
 *
 * Memory: before a batch is aggregated, room for its new groups and
 * collected tuples is reserved (tn_group_table_ensure), leaving half of the
 * budget to the rest of the query. When refused, nothing of the batch is
 * applied, and from then on every task spills its input rows to one spill
 * file per (grouping set, hash partition). The source aggregates a spilled
 * partition's rows into the groups already in memory, in sub-partitions
 * sized to the budget left, emits and frees each. Rows, not partial
 * states, are spilled so that every aggregate (DISTINCT, ORDER BY,
 * quantiles, collections) is correct without serializing its state; see
 * docs/internals/sql-aggregate.md.
 */
#include <stdatomic.h>
#include <string.h>

#include "core/alloc.h"
#include "core/hash.h"
#include "sql/exec/exec.h"
#include "sql/exec/group_table.h"
#include "sql/exec/spill.h"
#include "sql/functions/aggregate_codec.h"
#include "sql/functions/aggregate_internal.h"
#include "tarn/common.h"

#define NPART_BITS 4
#define NPART (1 << NPART_BITS)

typedef struct agg_info {
    const tn_agg_call *call;
    size_t offset;   /* of its state in the payload row */
    int32_t collect; /* index of its collected tuples, or -1 */
    int32_t ninputs; /* args + ORDER BY keys */
    int32_t shares;  /* an earlier aggregate whose state this one reads, or -1 */
} agg_info;

typedef struct group_set {
    int32_t nkeys;
    int32_t *keys;   /* indexes into plan->groups, ascending */
    int32_t key_size; /* constant encoded key size, or -1 */
    uint64_t grouping_id;
} group_set;

/* One (grouping set, hash partition) of a task or of the final result. */
typedef struct agg_part {
    tn_group_table groups;
    tn_group_table *collect; /* [ncollect] tuples of DISTINCT / ordered aggregates */
} agg_part;

/* What a collected tuple's payload row says about its group. */
typedef struct tuple_payload {
    uint64_t group_hash;
    uint32_t group_key_len;
} tuple_payload;

/* Scratch of one batch for one grouping set, kept by the task and reused
 * from batch to batch (it grows to the largest batch). */
typedef struct set_scratch {
    int64_t cap;       /* rows the per-row arrays have room for */
    int64_t keycap;    /* bytes of keybuf */
    uint64_t *hashes;  /* per row */
    int64_t *sizes;    /* encoded key size per row */
    uint8_t *keybuf;
    uint8_t **keyptr;  /* start of each row's key */
    uint8_t **rowptr;  /* each row's payload row */
    int64_t *gids;     /* each row's group found by lookup_groups, or -1 */
    uint8_t **cursor;
    void **states;
} set_scratch;

typedef struct agg_local {
    agg_part *parts; /* [nsets * NPART] */
    uint64_t seq;    /* numbers ordered tuples: (task << 40) | n */
    set_scratch sc;  /* per-batch scratch, reused */
    struct agg_local *next;
} agg_local;

/* The spill file of one (grouping set, hash partition), shared by the
 * tasks: a task appends under the lock. */
typedef struct agg_spill {
    pthread_mutex_t lock;
    tn_spill_file *file; /* NULL until the first row of it spills */
} agg_spill;

typedef struct hash_agg {
    tn_op base;
    agg_info *aggs;
    int32_t naggs;
    int32_t ncollect;
    int32_t *collect_agg; /* collect index -> aggregate */
    size_t row_size;
    group_set *sets;
    int32_t nsets;
    bool grouping_id_column;
    _Atomic int64_t ntasks;
    agg_local *locals; /* combined, not yet finalized */
    agg_part *final;   /* [nsets * NPART] after finalize */
    int64_t batch_rows;
    _Atomic int refused; /* the budget refused a table's growth: spill from now on */
    agg_spill *spill;    /* [nsets * NPART] */
} hash_agg;

/* The inputs of one aggregate for one batch, dense over the rows its
 * FILTER keeps. */
typedef struct agg_input {
    tn_array **arrays; /* [ninputs] */
    int32_t *rows;     /* selected rows of the batch; NULL: every row */
    int64_t n;
} agg_input;

/* ---- expression evaluation --------------------------------------------------------- */

static int eval_expr(tn_op *op, const tn_expr *e, tn_batch *in, tn_array **out, tarn_error *err)
{
    return tn_expr_eval(&op->ctx->eval, e, in, NULL, out, err);
}

/* Rows of `in` where e is true, into rows (room for in->length). */
static int eval_select(tn_op *op, const tn_expr *e, tn_batch *in, int32_t *rows, int64_t *n, tarn_error *err)
{
    return tn_expr_select(&op->ctx->eval, e, in, NULL, rows, n, err);
}

/* ---- payload rows ---------------------------------------------------------------------- */

static void init_row(const hash_agg *ha, uint8_t *row)
{
    for (int32_t a = 0; a < ha->naggs; a++)
        if (ha->aggs[a].shares < 0)
            ha->aggs[a].call->func->init(ha->aggs[a].call, row + ha->aggs[a].offset);
}

static void destroy_row(const hash_agg *ha, uint8_t *row)
{
    for (int32_t a = 0; a < ha->naggs; a++) {
        const tn_agg_call *call = ha->aggs[a].call;
        if (call->func->destroy)
            call->func->destroy(call, row + ha->aggs[a].offset);
    }
}

static bool has_destroy(const hash_agg *ha)
{
    for (int32_t a = 0; a < ha->naggs; a++)
        if (ha->aggs[a].call->func->destroy)
            return true;
    return false;
}

static void part_init(hash_agg *ha, const group_set *s, agg_part *p)
{
    tn_group_table_init(&p->groups, s->key_size, ha->row_size, &ha->base);
    p->groups.overdraft = &ha->refused;
}

/* Free a partition, destroying the states it still holds. */
static void part_free(const hash_agg *ha, agg_part *p)
{
    if (has_destroy(ha))
        for (int64_t g = 0; g < p->groups.ngroups; g++)
            destroy_row(ha, tn_group_row(&p->groups, g));
    tn_group_table_free(&p->groups);
    if (p->collect) {
        for (int32_t c = 0; c < ha->ncollect; c++)
            tn_group_table_free(&p->collect[c]);
        tn_free(p->collect);
        p->collect = NULL;
    }
}

static int part_collect_tables(hash_agg *ha, agg_part *p, tarn_error *err)
{
    if (!ha->ncollect || p->collect)
        return 0;
    p->collect = tn_calloc((size_t)ha->ncollect, sizeof *p->collect);
    TN_TRY_ALLOC(p->collect, err, (size_t)ha->ncollect * sizeof *p->collect);
    for (int32_t c = 0; c < ha->ncollect; c++) {
        tn_group_table_init(&p->collect[c], -1, TN_AGG_STATE_SIZE(tuple_payload), &ha->base);
        p->collect[c].overdraft = &ha->refused;
    }
    return 0;
}


/* ---- sink -------------------------------------------------------------------------------- */

static int local_init(tn_op *op, void **out, tarn_error *err)
{
    hash_agg *ha = (hash_agg *)op;
    *out = NULL;
    agg_local *l = tn_calloc(1, sizeof *l);
    TN_TRY_ALLOC(l, err, sizeof *l);
    l->parts = tn_calloc((size_t)ha->nsets * NPART, sizeof *l->parts);
    if (!l->parts) {
        tn_free(l);
        return tn_error_oom(err, sizeof *l->parts * NPART);
    }
    for (int32_t s = 0; s < ha->nsets; s++)
        for (int p = 0; p < NPART; p++)
            part_init(ha, &ha->sets[s], &l->parts[s * NPART + p]);
    l->seq = (uint64_t)atomic_fetch_add(&ha->ntasks, 1) << 40;
    *out = l;
    return 0;
}

static void scratch_free(set_scratch *s);

static void local_free(hash_agg *ha, agg_local *l)
{
    if (!l)
        return;
    for (int64_t i = 0; i < (int64_t)ha->nsets * NPART; i++)
        part_free(ha, &l->parts[i]);
    tn_free(l->parts);
    scratch_free(&l->sc);
    tn_free(l);
}

static void free_inputs(const hash_agg *ha, agg_input *inputs)
{
    if (!inputs)
        return;
    for (int32_t a = 0; a < ha->naggs; a++) {
        for (int32_t i = 0; i < ha->aggs[a].ninputs; i++)
            if (inputs[a].arrays)
                tn_array_unref(inputs[a].arrays[i]);
        tn_free(inputs[a].arrays);
        tn_free(inputs[a].rows);
    }
    tn_free(inputs);
}

/* Evaluate every aggregate's arguments and ORDER BY keys on the rows its
 * FILTER keeps. */
static int eval_inputs(hash_agg *ha, tn_batch *in, agg_input **out, tarn_error *err)
{
    agg_input *inputs = tn_calloc((size_t)ha->naggs + 1, sizeof *inputs);
    TN_TRY_ALLOC(inputs, err, sizeof *inputs * ((size_t)ha->naggs + 1));
    int rc = 0;
    for (int32_t a = 0; a < ha->naggs && rc == 0; a++) {
        const tn_agg_call *call = ha->aggs[a].call;
        agg_input *ai = &inputs[a];
        if (ha->aggs[a].shares >= 0) /* no input: the state is updated by the one it shares */
            continue;
        ai->n = in->length;
        ai->arrays = tn_calloc((size_t)ha->aggs[a].ninputs + 1, sizeof *ai->arrays);
        if (!ai->arrays) {
            rc = tn_error_oom(err, sizeof *ai->arrays);
            break;
        }
        if (call->filter) {
            ai->rows = tn_malloc(sizeof *ai->rows * (size_t)(in->length + 1));
            if (!ai->rows) {
                rc = tn_error_oom(err, sizeof *ai->rows * (size_t)in->length);
                break;
            }
            rc = eval_select(&ha->base, call->filter, in, ai->rows, &ai->n, err);
        }
        for (int32_t i = 0; i < ha->aggs[a].ninputs && rc == 0; i++) {
            const tn_expr *e = i < call->nargs ? call->args[i] : call->order[i - call->nargs].expr;
            tn_array *full;
            rc = eval_expr(&ha->base, e, in, &full, err);
            if (rc == 0 && ai->rows) {
                tn_selection sel = {ai->rows, ai->n};
                rc = tn_filter_sel(full, &sel, &ai->arrays[i], err);
                tn_array_unref(full);
            } else if (rc == 0) {
                ai->arrays[i] = full;
            }
        }
    }
    if (rc) {
        free_inputs(ha, inputs);
        return rc;
    }
    *out = inputs;
    return 0;
}

static void scratch_free(set_scratch *s)
{
    tn_free(s->hashes);
    tn_free(s->sizes);
    tn_free(s->keybuf);
    tn_free(s->keyptr);
    tn_free(s->rowptr);
    tn_free(s->gids);
    tn_free(s->cursor);
    tn_free(s->states);
    memset(s, 0, sizeof *s);
}

/* Room for n rows in every per-row array. */
static int scratch_reserve(set_scratch *sc, int64_t n, tarn_error *err)
{
    if (n <= sc->cap)
        return 0;
    int64_t cap = n < 1024 ? 1024 : n;
    scratch_free(sc);
    sc->hashes = tn_malloc((size_t)cap * sizeof *sc->hashes);
    sc->sizes = tn_malloc((size_t)cap * sizeof *sc->sizes);
    sc->keyptr = tn_malloc((size_t)cap * sizeof *sc->keyptr);
    sc->rowptr = tn_malloc((size_t)cap * sizeof *sc->rowptr);
    sc->gids = tn_malloc((size_t)cap * sizeof *sc->gids);
    sc->cursor = tn_malloc((size_t)cap * sizeof *sc->cursor);
    sc->states = tn_malloc((size_t)cap * sizeof *sc->states);
    if (!sc->hashes || !sc->sizes || !sc->keyptr || !sc->rowptr || !sc->gids || !sc->cursor || !sc->states) {
        scratch_free(sc);
        return tn_error_oom(err, (size_t)cap * 48);
    }
    sc->cap = cap;
    return 0;
}

/* Encode and hash the set's keys of every row. */
static int encode_keys(const group_set *set, tn_array *const *keys, int64_t n, set_scratch *sc, tarn_error *err)
{
    TN_TRY(scratch_reserve(sc, n, err));
    if (set->nkeys == 0) {
        memset(sc->hashes, 0, (size_t)n * sizeof *sc->hashes);
        memset(sc->sizes, 0, (size_t)n * sizeof *sc->sizes);
        return 0;
    }
    tn_array *cols[64];
    for (int32_t k = 0; k < set->nkeys; k++)
        cols[k] = keys[set->keys[k]];
    int64_t total;
    if (set->key_size >= 0) {
        for (int64_t r = 0; r < n; r++)
            sc->sizes[r] = set->key_size;
        total = n * set->key_size;
    } else {
        memset(sc->sizes, 0, (size_t)n * sizeof *sc->sizes);
        for (int32_t k = 0; k < set->nkeys; k++)
            tn_codec_sizes(cols[k], n, sc->sizes);
        total = 0;
        for (int64_t r = 0; r < n; r++)
            total += sc->sizes[r];
    }
    if (total + 16 > sc->keycap) {
        int64_t cap = total + 16 > 2 * sc->keycap ? total + 16 : 2 * sc->keycap;
        tn_free(sc->keybuf);
        sc->keybuf = tn_malloc((size_t)cap);
        sc->keycap = sc->keybuf ? cap : 0;
        TN_TRY_ALLOC(sc->keybuf, err, (size_t)cap);
    }
    int64_t pos = 0;
    for (int64_t r = 0; r < n; r++) {
        sc->keyptr[r] = sc->cursor[r] = sc->keybuf + pos;
        pos += sc->sizes[r];
    }
    for (int32_t k = 0; k < set->nkeys; k++)
        tn_codec_encode(cols[k], n, sc->cursor);
    for (int64_t r = 0; r < n; r++)
        sc->hashes[r] = tn_hash_short_bytes(sc->keyptr[r], (size_t)sc->sizes[r]);
    return 0;
}

/* Whether row r's key equals row r - 1's. Input ordered or clustered on
 * the key (lineitem by l_orderkey) has runs of equal keys; a row of a run
 * takes the previous row's answer instead of probing the table. */
static inline bool same_key_as_previous(const set_scratch *sc, int64_t r)
{
    return sc->hashes[r] == sc->hashes[r - 1] && sc->sizes[r] == sc->sizes[r - 1] &&
           tn_bytes_equal(sc->keyptr[r], sc->keyptr[r - 1], (size_t)sc->sizes[r]);
}

/* Look up each row's group without inserting: sc->gids[r] gets it or -1.
 * The probe is inline, and rows go in chunks: every row's slot is
 * prefetched, then the key and payload row its slot points to, then the
 * rows probe; a table larger than the cache overlaps its misses instead of
 * taking them one by one. */
static void lookup_groups(agg_part *parts, const group_set *set, int64_t n, set_scratch *sc)
{
    if (set->nkeys == 0) {
        int64_t g = parts[0].groups.ngroups ? 0 : -1;
        for (int64_t r = 0; r < n; r++)
            sc->gids[r] = g;
        return;
    }
    /* Prefetching pays only when the slots are out of the cache. */
    bool big = false;
    for (int p = 0; p < NPART; p++)
        big |= parts[p].groups.nslots > 4096;
    /* in chunks of 32 rows whose slots and groups are prefetched first */
    int64_t chunk = big ? 32 : n;
    for (int64_t c = 0; c < n; c += chunk) {
        int64_t end = c + chunk < n ? c + chunk : n;
        for (int64_t q = c; big && q < end; q++)
            tn_group_table_prefetch(&parts[sc->hashes[q] >> (64 - NPART_BITS)].groups, sc->hashes[q]);
        for (int64_t q = c; big && q < end; q++)
            tn_group_table_prefetch_group(&parts[sc->hashes[q] >> (64 - NPART_BITS)].groups, sc->hashes[q]);
        for (int64_t r = c; r < end; r++) {
            if (r > 0 && same_key_as_previous(sc, r)) {
                sc->gids[r] = sc->gids[r - 1];
                continue;
            }
            uint64_t h = sc->hashes[r];
            sc->gids[r] = tn_group_table_lookup(&parts[h >> (64 - NPART_BITS)].groups, h, sc->keyptr[r],
                                                sc->sizes[r]);
        }
    }
}

/* Each row's payload row in sc->rowptr: the group lookup_groups found, or
 * a new one (inserted, its states initialized). */
static int find_groups(hash_agg *ha, agg_part *parts, const group_set *set, int64_t n, set_scratch *sc,
                       tarn_error *err)
{
    for (int64_t r = 0; r < n; r++) {
        int64_t gid = sc->gids[r];
        if (gid < 0 && r > 0 && same_key_as_previous(sc, r)) { /* a run of a new group: one insert */
            sc->rowptr[r] = sc->rowptr[r - 1];
            continue;
        }
        uint64_t h = sc->hashes[r];
        tn_group_table *t = &parts[set->nkeys ? h >> (64 - NPART_BITS) : 0].groups;
        if (gid < 0) {
            bool inserted;
            TN_TRY(tn_group_table_insert(t, h, sc->keyptr[r], sc->sizes[r], &gid, &inserted, err));
            if (inserted)
                init_row(ha, tn_group_row(t, gid));
            if (set->nkeys == 0) /* one group: every later row has it */
                for (int64_t q = r + 1; q < n; q++)
                    sc->gids[q] = gid;
        }
        sc->rowptr[r] = tn_group_row(t, gid);
    }
    return 0;
}

/* The bytes every tuple of collected aggregate a would take (group key,
 * sequence number when ordered, arguments and order keys), into sizes. */
static void tuple_sizes(const hash_agg *ha, int32_t a, const agg_input *ai, const set_scratch *sc, int64_t *sizes)
{
    const agg_info *info = &ha->aggs[a];
    bool numbered = !info->call->distinct;
    for (int64_t k = 0; k < ai->n; k++) {
        int64_t r = ai->rows ? ai->rows[k] : k;
        sizes[k] = sc->sizes[r] + (numbered ? 8 : 0);
    }
    for (int32_t i = 0; i < info->ninputs; i++)
        tn_codec_sizes(ai->arrays[i], ai->n, sizes);
}

/* Room in the partitions' tables for this batch of set s: its new groups
 * (rows lookup_groups did not find) and its collected tuples. *refused
 * when the budget says no, before anything of the batch is aggregated. */
static int ensure_room(hash_agg *ha, agg_part *parts, const group_set *set, const agg_input *inputs, int64_t n,
                       set_scratch *sc, bool *refused, tarn_error *err)
{
    int64_t limit = tarn_memory_limit();
    int64_t headroom = limit > 0 ? limit / 2 : 0; /* the other half: emitting spilled partitions, the rest of the query */
    int64_t cnt[NPART] = {0}, bytes[NPART] = {0};
    for (int64_t r = 0; r < n; r++)
        if (sc->gids[r] < 0 && !(r > 0 && same_key_as_previous(sc, r))) { /* a run inserts once */
            int p = set->nkeys ? (int)(sc->hashes[r] >> (64 - NPART_BITS)) : 0;
            cnt[p]++;
            bytes[p] += sc->sizes[r];
        }
    if (set->nkeys == 0 && cnt[0] > 1)
        cnt[0] = 1;
    for (int p = 0; p < NPART && !*refused; p++)
        if (cnt[p])
            TN_TRY(tn_group_table_ensure(&parts[p].groups, cnt[p], bytes[p], headroom, refused, err));
    for (int32_t a = 0; a < ha->naggs && !*refused; a++) {
        const agg_input *ai = &inputs[a];
        if (ha->aggs[a].collect < 0 || ai->n == 0)
            continue;
        int64_t *sizes = tn_calloc((size_t)ai->n, sizeof *sizes);
        TN_TRY_ALLOC(sizes, err, (size_t)ai->n * sizeof *sizes);
        tuple_sizes(ha, a, ai, sc, sizes);
        memset(cnt, 0, sizeof cnt);
        memset(bytes, 0, sizeof bytes);
        for (int64_t k = 0; k < ai->n; k++) {
            int64_t r = ai->rows ? ai->rows[k] : k;
            int p = (int)(sc->hashes[r] >> (64 - NPART_BITS));
            cnt[p]++;
            bytes[p] += sizes[k];
        }
        tn_free(sizes);
        for (int p = 0; p < NPART && !*refused; p++) {
            if (!cnt[p])
                continue;
            TN_TRY(part_collect_tables(ha, &parts[p], err));
            TN_TRY(tn_group_table_ensure(&parts[p].collect[ha->aggs[a].collect], cnt[p], bytes[p], headroom,
                                         refused, err));
        }
    }
    return 0;
}

/* Add the (group key, inputs) tuples of aggregate a to its collect tables. */
static int collect_tuples(hash_agg *ha, agg_local *l, agg_part *parts, int32_t a, const agg_input *ai,
                          set_scratch *sc, tarn_error *err)
{
    const agg_info *info = &ha->aggs[a];
    bool numbered = !info->call->distinct; /* ordered only: keep every row */
    int64_t n = ai->n;
    if (n == 0)
        return 0;
    int64_t *sizes = tn_calloc((size_t)n, sizeof *sizes);
    uint8_t **cur = tn_malloc((size_t)n * sizeof *cur);
    uint8_t *buf = NULL;
    int rc = 0;
    if (!sizes || !cur) {
        rc = tn_error_oom(err, (size_t)n * 8);
        goto done;
    }
    tuple_sizes(ha, a, ai, sc, sizes);
    int64_t total = 0;
    for (int64_t k = 0; k < n; k++)
        total += sizes[k];
    buf = tn_malloc((size_t)total + 1);
    if (!buf) {
        rc = tn_error_oom(err, (size_t)total);
        goto done;
    }
    int64_t pos = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t r = ai->rows ? ai->rows[k] : k;
        cur[k] = buf + pos;
        if (sc->sizes[r])
            memcpy(cur[k], sc->keyptr[r], (size_t)sc->sizes[r]);
        cur[k] += sc->sizes[r];
        if (numbered) {
            uint64_t seq = l->seq++;
            memcpy(cur[k], &seq, 8);
            cur[k] += 8;
        }
        pos += sizes[k];
    }
    for (int32_t i = 0; i < info->ninputs; i++)
        tn_codec_encode(ai->arrays[i], n, cur);
    pos = 0;
    for (int64_t k = 0; k < n && rc == 0; k++) {
        int64_t r = ai->rows ? ai->rows[k] : k;
        uint64_t gh = sc->hashes[r];
        agg_part *p = &parts[gh >> (64 - NPART_BITS)];
        rc = part_collect_tables(ha, p, err);
        if (rc)
            break;
        tn_group_table *t = &p->collect[info->collect];
        const uint8_t *tuple = buf + pos;
        pos += sizes[k];
        int64_t gid;
        bool inserted;
        rc = tn_group_table_insert(t, tn_hash_bytes(tuple, (size_t)sizes[k], gh), tuple, sizes[k], &gid, &inserted,
                                   err);
        if (rc == 0 && inserted) {
            tuple_payload *tp = (tuple_payload *)tn_group_row(t, gid);
            tp->group_hash = gh;
            tp->group_key_len = (uint32_t)sc->sizes[r];
        }
    }
done:
    tn_free(sizes);
    tn_free(cur);
    tn_free(buf);
    return rc;
}

static int update_plain(hash_agg *ha, int32_t a, const agg_input *ai, set_scratch *sc, tarn_error *err)
{
    const agg_info *info = &ha->aggs[a];
    if (ai->n == 0)
        return 0;
    /* Locals, so that the stores into states do not reload the pointers. */
    void **restrict states = sc->states;
    uint8_t *const *restrict rowptr = sc->rowptr;
    const int32_t *restrict rows = ai->rows;
    const size_t off = info->offset;
    const int64_t n = ai->n;
    if (rows)
        for (int64_t k = 0; k < n; k++)
            states[k] = rowptr[rows[k]] + off;
    else
        for (int64_t k = 0; k < n; k++)
            states[k] = rowptr[k] + off;
    return info->call->func->update(info->call, states, ai->arrays, n, err);
}

/* Aggregate n rows into the NPART partitions `parts` of grouping set s. */
static int sink_set(hash_agg *ha, agg_local *l, agg_part *parts, int32_t s, tn_array *const *keys,
                    agg_input *inputs, int64_t n, bool prepared, tarn_error *err)
{
    const group_set *set = &ha->sets[s];
    set_scratch *sc = &l->sc;
    int rc = 0;
    if (!prepared) { /* else l->sc has the keys encoded and looked up */
        rc = encode_keys(set, keys, n, sc, err);
        if (rc == 0)
            lookup_groups(parts, set, n, sc);
    }
    if (rc == 0)
        rc = find_groups(ha, parts, set, n, sc, err);
    for (int32_t a = 0; a < ha->naggs && rc == 0; a++) {
        if (ha->aggs[a].collect >= 0)
            rc = collect_tuples(ha, l, parts, a, &inputs[a], sc, err);
        else
            rc = update_plain(ha, a, &inputs[a], sc, err);
    }
    return rc;
}

static void free_keys(const tn_plan *plan, tn_array **keys)
{
    if (!keys)
        return;
    for (int32_t g = 0; g < plan->ngroups; g++)
        tn_array_unref(keys[g]);
    tn_free(keys);
}

static int eval_keys(tn_op *op, tn_batch *in, tn_array ***out, tarn_error *err)
{
    const tn_plan *plan = op->plan;
    tn_array **keys = tn_calloc((size_t)plan->ngroups + 1, sizeof *keys);
    TN_TRY_ALLOC(keys, err, sizeof *keys * ((size_t)plan->ngroups + 1));
    int rc = 0;
    for (int32_t g = 0; g < plan->ngroups && rc == 0; g++)
        rc = eval_expr(op, plan->groups[g], in, &keys[g], err);
    if (rc) {
        free_keys(plan, keys);
        return rc;
    }
    *out = keys;
    return 0;
}

/* Aggregate a batch into the partitions `parts` ([nsets * NPART]), or
 * with only_set >= 0 only that grouping set into `parts` ([NPART]). With `refused` non-NULL, room for the
 * batch is reserved first; when the budget refuses, nothing of the batch
 * is aggregated and *refused is set. */
static int aggregate_batch(hash_agg *ha, agg_local *l, agg_part *parts, int32_t only_set, tn_batch *in,
                           bool *refused, tarn_error *err)
{
    tn_array **keys = NULL;
    agg_input *inputs = NULL;
    int rc = eval_keys(&ha->base, in, &keys, err);
    if (rc == 0)
        rc = eval_inputs(ha, in, &inputs, err);
    for (int32_t s = 0; s < ha->nsets && rc == 0 && refused && !*refused; s++) {
        rc = encode_keys(&ha->sets[s], keys, in->length, &l->sc, err);
        if (rc == 0) {
            lookup_groups(parts + (int64_t)s * NPART, &ha->sets[s], in->length, &l->sc);
            rc = ensure_room(ha, parts + (int64_t)s * NPART, &ha->sets[s], inputs, in->length, &l->sc, refused,
                             err);
        }
    }
    for (int32_t s = 0; s < ha->nsets && rc == 0 && !(refused && *refused); s++)
        if (only_set < 0 || s == only_set)
            rc = sink_set(ha, l, only_set >= 0 ? parts : parts + (int64_t)s * NPART, s, keys, inputs, in->length,
                          refused && ha->nsets == 1, err);
    free_inputs(ha, inputs);
    free_keys(ha->base.plan, keys);
    return rc;
}

/* Append rows[0..n) of `in` to the spill file of (set, partition) idx. */
static int spill_rows(hash_agg *ha, int64_t idx, tn_batch *in, const int32_t *rows, int64_t n, tarn_error *err)
{
    tn_batch *sub;
    TN_TRY(tn_exec_batch_select(in, in->schema, rows, n, &sub, err));
    agg_spill *sp = &ha->spill[idx];
    pthread_mutex_lock(&sp->lock);
    int rc = sp->file ? 0 : tn_spill_create(&ha->base, in->schema, &sp->file, err);
    if (rc == 0)
        rc = tn_spill_write(sp->file, sub, err);
    pthread_mutex_unlock(&sp->lock);
    tn_batch_unref(sub);
    return rc;
}

/* Once the budget has refused: split the input rows by (grouping set,
 * hash partition) and append them to the partitions' spill files, to be
 * aggregated one partition at a time when the source emits it. */
static int spill_batch(hash_agg *ha, agg_local *l, tn_batch *in, tarn_error *err)
{
    int64_t n = in->length;
    tn_array **keys = NULL;
    int32_t *rows = tn_malloc(((size_t)n + 1) * sizeof *rows);
    int32_t *part_of = tn_malloc(((size_t)n + 1) * sizeof *part_of);
    int rc = rows && part_of ? 0 : tn_error_oom(err, (size_t)n * 8);
    if (rc == 0)
        rc = eval_keys(&ha->base, in, &keys, err);
    for (int32_t s = 0; s < ha->nsets && rc == 0; s++) {
        rc = encode_keys(&ha->sets[s], keys, n, &l->sc, err);
        if (rc)
            break;
        /* A counting sort of the rows by partition, keeping their order. */
        int64_t start[NPART + 1] = {0};
        for (int64_t r = 0; r < n; r++) {
            part_of[r] = (int32_t)(l->sc.hashes[r] >> (64 - NPART_BITS));
            start[part_of[r] + 1]++;
        }
        for (int p = 0; p < NPART; p++)
            start[p + 1] += start[p];
        int64_t fill[NPART];
        memcpy(fill, start, sizeof fill);
        for (int64_t r = 0; r < n; r++)
            rows[fill[part_of[r]]++] = (int32_t)r;
        for (int p = 0; p < NPART && rc == 0; p++)
            if (start[p + 1] > start[p])
                rc = spill_rows(ha, (int64_t)s * NPART + p, in, rows + start[p], start[p + 1] - start[p], err);
    }
    free_keys(ha->base.plan, keys);
    tn_free(rows);
    tn_free(part_of);
    return rc;
}

static int sink(tn_op *op, void *vlocal, tn_batch *in, tarn_error *err)
{
    hash_agg *ha = (hash_agg *)op;
    agg_local *l = vlocal;
    if (in->length == 0)
        return 0;
    int rc = 0;
    /* Spill when the budget refused before (another task may have set the
     * flag) or refused this batch; a batch aggregated in memory is never
     * spilled too, whatever the flag says by then. */
    bool spill = atomic_load(&ha->refused) != 0;
    if (!spill) {
        rc = aggregate_batch(ha, l, l->parts, -1, in, &spill, err);
        if (rc == 0 && spill)
            atomic_store(&ha->refused, 1);
    }
    if (rc == 0 && spill)
        rc = spill_batch(ha, l, in, err);
    /* The pipeline keeps a local state per morsel until every morsel is
     * done: scratch sized for a large batch is not kept that long. */
    if (l->sc.cap > 4096)
        scratch_free(&l->sc);
    return rc;
}

static int sink_combine(tn_op *op, void *vlocal, tarn_error *err)
{
    (void)err;
    hash_agg *ha = (hash_agg *)op;
    agg_local *l = vlocal;
    scratch_free(&l->sc); /* done sinking: only its tables stay */
    l->next = ha->locals;
    ha->locals = l;
    return 0;
}

static void sink_local_free(tn_op *op, void *vlocal)
{
    local_free((hash_agg *)op, vlocal);
}

/* ---- finalize --------------------------------------------------------------------------------- */

/* Fold partition src into dst; src is left empty. */
static int merge_part(hash_agg *ha, agg_part *dst, agg_part *src, tarn_error *err)
{
    tn_group_table *from = &src->groups;
    for (int64_t g = 0; g < from->ngroups; g++) {
        int64_t len, gid;
        bool inserted;
        const uint8_t *key = tn_group_key(from, g, &len);
        TN_TRY(tn_group_table_insert(&dst->groups, from->hashes[g], key, len, &gid, &inserted, err));
        uint8_t *into = tn_group_row(&dst->groups, gid), *row = tn_group_row(from, g);
        if (inserted) {
            memcpy(into, row, ha->row_size); /* the states move */
            memset(row, 0, ha->row_size);
            init_row(ha, row);               /* so that src stays destroyable */
            continue;
        }
        for (int32_t a = 0; a < ha->naggs; a++) {
            const tn_agg_call *call = ha->aggs[a].call;
            if (ha->aggs[a].collect < 0 && ha->aggs[a].shares < 0)
                TN_TRY(call->func->merge(call, into + ha->aggs[a].offset, row + ha->aggs[a].offset, err));
        }
    }
    if (src->collect) {
        TN_TRY(part_collect_tables(ha, dst, err));
        for (int32_t c = 0; c < ha->ncollect; c++) {
            tn_group_table *ft = &src->collect[c];
            for (int64_t g = 0; g < ft->ngroups; g++) {
                int64_t len, gid;
                bool inserted;
                const uint8_t *key = tn_group_key(ft, g, &len);
                TN_TRY(tn_group_table_insert(&dst->collect[c], ft->hashes[g], key, len, &gid, &inserted, err));
                if (inserted)
                    memcpy(tn_group_row(&dst->collect[c], gid), tn_group_row(ft, g), sizeof(tuple_payload));
            }
        }
    }
    part_free(ha, src);
    return 0;
}

/* Feed the collected tuples of collect table c into their groups' states,
 * sorted by (group, ORDER BY keys) when the aggregate is ordered. */
static int apply_collected(hash_agg *ha, agg_part *p, int32_t c, tarn_error *err)
{
    tn_group_table *t = &p->collect[c];
    const agg_info *info = &ha->aggs[ha->collect_agg[c]];
    const tn_agg_call *call = info->call;
    int64_t n = t->ngroups;
    if (n == 0)
        return 0;
    bool numbered = !call->distinct;
    int rc = 0;
    const uint8_t **src = tn_malloc((size_t)n * sizeof *src);
    uint8_t **rows = tn_malloc((size_t)n * sizeof *rows);
    void **states = tn_malloc((size_t)n * sizeof *states);
    tn_array **in = tn_calloc((size_t)info->ninputs + 1, sizeof *in);
    tn_array **sorted = tn_calloc((size_t)info->ninputs + 1, sizeof *sorted);
    tn_array *gids = NULL, *perm = NULL;
    if (!src || !rows || !states || !in || !sorted) {
        rc = tn_error_oom(err, (size_t)n * 8);
        goto done;
    }
    for (int64_t k = 0; k < n; k++) {
        const tuple_payload *tp = (const tuple_payload *)tn_group_row(t, k);
        int64_t len;
        const uint8_t *key = tn_group_key(t, k, &len);
        int64_t gid = tn_group_table_find(&p->groups, tp->group_hash, key, tp->group_key_len);
        if (gid < 0) {
            rc = tn_error_set(err, TARN_EINTERNAL, "%s: a collected tuple lost its group", call->text);
            goto done;
        }
        rows[k] = tn_group_row(&p->groups, gid);
        src[k] = key + tp->group_key_len + (numbered ? 8 : 0);
    }
    for (int32_t i = 0; i < info->ninputs && rc == 0; i++) {
        const tn_expr *e = i < call->nargs ? call->args[i] : call->order[i - call->nargs].expr;
        rc = tn_codec_decode(e->type, src, n, &in[i], err);
    }
    if (rc)
        goto done;
    if (call->norder > 0) {
        /* Order by the payload row address first: it identifies the group. */
        uint8_t *gv;
        uint8_t *valid;
        rc = tn_agg_new_fixed(tn_type_get(TN_UINT64), n, &gids, &gv, &valid, err);
        if (rc)
            goto done;
        for (int64_t k = 0; k < n; k++)
            ((uint64_t *)gv)[k] = (uint64_t)(uintptr_t)rows[k];
        tn_sort_key keys[65];
        int32_t nk = 0;
        keys[nk++] = (tn_sort_key){gids, false, false};
        for (int32_t o = 0; o < call->norder && nk < 65; o++)
            keys[nk++] = (tn_sort_key){in[call->nargs + o], call->order[o].descending, call->order[o].nulls_first};
        rc = tn_sort_indices(keys, nk, &perm, err);
        for (int32_t i = 0; i < call->nargs && rc == 0; i++)
            rc = tn_take(in[i], perm, &sorted[i], err);
        if (rc)
            goto done;
        const int64_t *pv = TN_VALUES(perm, int64_t);
        for (int64_t k = 0; k < n; k++)
            states[k] = rows[pv[k]] + info->offset;
    } else {
        for (int32_t i = 0; i < call->nargs; i++)
            sorted[i] = tn_array_ref(in[i]);
        for (int64_t k = 0; k < n; k++)
            states[k] = rows[k] + info->offset;
    }
    rc = call->func->update(call, states, sorted, n, err);
done:
    if (in)
        for (int32_t i = 0; i < info->ninputs; i++)
            tn_array_unref(in[i]);
    if (sorted)
        for (int32_t i = 0; i < info->ninputs; i++)
            tn_array_unref(sorted[i]);
    tn_array_unref(gids);
    tn_array_unref(perm);
    tn_free(in);
    tn_free(sorted);
    tn_free(src);
    tn_free(rows);
    tn_free(states);
    return rc;
}

static int apply_all_collected(hash_agg *ha, agg_part *p, tarn_error *err)
{
    for (int32_t c = 0; c < ha->ncollect; c++) {
        TN_TRY(apply_collected(ha, p, c, err));
        tn_group_table_free(&p->collect[c]);
    }
    return 0;
}

static int finalize_part(hash_agg *ha, int64_t idx, tarn_error *err)
{
    const group_set *set = &ha->sets[idx / NPART];
    agg_part *dst = &ha->final[idx];
    agg_local *l = ha->locals;
    if (l) {
        *dst = l->parts[idx]; /* move the first task's partition */
        memset(&l->parts[idx], 0, sizeof l->parts[idx]);
        part_init(ha, set, &l->parts[idx]);
        for (l = l->next; l; l = l->next)
            TN_TRY(merge_part(ha, dst, &l->parts[idx], err));
    }
    if (set->nkeys == 0 && idx % NPART == 0 && dst->groups.ngroups == 0) {
        int64_t gid;
        bool inserted;
        TN_TRY(tn_group_table_insert(&dst->groups, 0, NULL, 0, &gid, &inserted, err));
        init_row(ha, tn_group_row(&dst->groups, gid));
    }
    /* A partition with spilled rows applies its collected tuples after
     * those rows are aggregated too (reaggregate). */
    if (dst->collect && !ha->spill[idx].file)
        TN_TRY(apply_all_collected(ha, dst, err));
    return 0;
}

static int finalize_range(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    for (int64_t i = begin; i < end; i++)
        TN_TRY(finalize_part(ctx, i, err));
    return 0;
}

static int sink_finalize(tn_op *op, tarn_error *err)
{
    hash_agg *ha = (hash_agg *)op;
    int64_t nparts = (int64_t)ha->nsets * NPART;
    ha->final = tn_calloc((size_t)nparts, sizeof *ha->final);
    TN_TRY_ALLOC(ha->final, err, (size_t)nparts * sizeof *ha->final);
    for (int64_t i = 0; i < nparts; i++)
        part_init(ha, &ha->sets[i / NPART], &ha->final[i]);
    int rc = tn_parallel_for(nparts, 1, finalize_range, ha, err);
    while (ha->locals) {
        agg_local *next = ha->locals->next;
        local_free(ha, ha->locals);
        ha->locals = next;
    }
    return rc;
}

/* ---- source ----------------------------------------------------------------------------------- */

static int source_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    (void)err;
    hash_agg *ha = (hash_agg *)op;
    *n = ha->final ? (int64_t)ha->nsets * NPART : 0;
    return 0;
}

static int emit_columns(hash_agg *ha, const group_set *set, tn_group_table *t, int64_t start, int64_t n,
                        tn_batch *b, tarn_error *err)
{
    const tn_plan *plan = ha->base.plan;
    const tn_schema *out = ha->base.out;
    const uint8_t **src = tn_malloc(((size_t)n + 1) * sizeof *src);
    void **states = tn_malloc(((size_t)n + 1) * sizeof *states);
    int rc = 0;
    if (!src || !states) {
        rc = tn_error_oom(err, (size_t)n * 8);
        goto done;
    }
    for (int64_t k = 0; k < n; k++) {
        int64_t len;
        src[k] = tn_group_key(t, start + k, &len);
    }
    for (int32_t g = 0, k = 0; g < plan->ngroups && rc == 0; g++) {
        tn_type *type = out->fields[g].type;
        if (k < set->nkeys && set->keys[k] == g) {
            rc = tn_codec_decode(type, src, n, &b->columns[g], err);
            k++;
        } else {
            b->columns[g] = tn_array_new_nulls(type, n);
            if (!b->columns[g])
                rc = tn_error_oom(err, (size_t)n);
        }
    }
    for (int32_t a = 0; a < ha->naggs && rc == 0; a++) {
        for (int64_t k = 0; k < n; k++)
            states[k] = tn_group_row(t, start + k) + ha->aggs[a].offset;
        const tn_agg_call *call = ha->aggs[a].call;
        rc = call->func->finalize(call, states, n, &b->columns[plan->ngroups + a], err);
    }
    if (rc == 0 && ha->grouping_id_column) {
        uint8_t *vals, *valid;
        int32_t col = plan->ngroups + ha->naggs;
        rc = tn_agg_new_fixed(tn_type_get(TN_UINT64), n, &b->columns[col], &vals, &valid, err);
        if (rc == 0) {
            for (int64_t k = 0; k < n; k++)
                ((uint64_t *)vals)[k] = set->grouping_id;
            memset(valid, 0xff, (size_t)tn_bitmap_bytes(n));
            b->columns[col]->null_count = 0;
        }
    }
done:
    tn_free(src);
    tn_free(states);
    return rc;
}

/* ---- spilled partitions ---------------------------------------------------------------- */

/* A spilled partition is emitted in nsub sub-partitions (a power of two,
 * chosen by how much of the budget is left), told apart by hash bits below
 * the partition's: each is built alone, emitted and freed. */
#define SUB_SHIFT (64 - 2 * NPART_BITS)
static inline int sub_of(uint64_t h, int nsub)
{
    return (int)((h >> SUB_SHIFT) & (uint64_t)(nsub - 1));
}

static int choose_nsub(hash_agg *ha, int64_t idx)
{
    int64_t limit = tarn_memory_limit();
    if (limit <= 0)
        return 1;
    /* A spilled row costs a few times its bytes once in a table (slots,
     * keys, states; reserved and allocated), more with DISTINCT / ORDER BY
     * tuples, which are decoded and sorted when applied; the partitions
     * are emitted two at a time or more, so take half of what is left. */
    int64_t avail = (limit - tarn_memory_used()) / 2;
    int64_t need = (4 + 8 * ha->ncollect) * tn_spill_bytes(ha->spill[idx].file);
    for (int32_t c = 0; c < ha->ncollect && ha->final[idx].collect; c++) /* sorted and decoded when applied */
        need += 2 * tn_group_table_bytes(&ha->final[idx].collect[c]);
    int nsub = 1;
    while (nsub < (1 << NPART_BITS) && (avail <= 0 || need / nsub > avail))
        nsub *= 2;
    return nsub;
}

/* Move the groups of `from` in sub-partition `sub` (and their collected
 * tuples) into `to`; their rows in `from` are left initialized. */
static int move_sub(hash_agg *ha, agg_part *from, agg_part *to, int sub, int nsub, tarn_error *err)
{
    tn_group_table *ft = &from->groups;
    for (int64_t g = 0; g < ft->ngroups; g++) {
        if (sub_of(ft->hashes[g], nsub) != sub)
            continue;
        int64_t len, gid;
        bool inserted;
        const uint8_t *key = tn_group_key(ft, g, &len);
        TN_TRY(tn_group_table_insert(&to->groups, ft->hashes[g], key, len, &gid, &inserted, err));
        uint8_t *row = tn_group_row(ft, g);
        memcpy(tn_group_row(&to->groups, gid), row, ha->row_size);
        memset(row, 0, ha->row_size);
        init_row(ha, row);
    }
    if (!from->collect)
        return 0;
    TN_TRY(part_collect_tables(ha, to, err));
    for (int32_t c = 0; c < ha->ncollect; c++) {
        tn_group_table *ct = &from->collect[c];
        for (int64_t t = 0; t < ct->ngroups; t++) {
            const tuple_payload *tp = (const tuple_payload *)tn_group_row(ct, t);
            if (sub_of(tp->group_hash, nsub) != sub)
                continue;
            int64_t len, gid;
            bool inserted;
            const uint8_t *key = tn_group_key(ct, t, &len);
            TN_TRY(tn_group_table_insert(&to->collect[c], ct->hashes[t], key, len, &gid, &inserted, err));
            memcpy(tn_group_row(&to->collect[c], gid), tp, sizeof *tp);
        }
    }
    return 0;
}

/* The rows of spilled batch b in sub-partition `sub` of set s, in *out
 * (b itself, with a new reference, when nsub is 1). */
static int select_sub(hash_agg *ha, agg_local *l, int32_t s, tn_batch *b, int sub, int nsub, tn_batch **out,
                      tarn_error *err)
{
    if (nsub == 1) {
        *out = tn_batch_ref(b);
        return 0;
    }
    tn_array **keys = NULL;
    int32_t *rows = tn_malloc(((size_t)b->length + 1) * sizeof *rows);
    int rc = rows ? eval_keys(&ha->base, b, &keys, err) : tn_error_oom(err, (size_t)b->length * 4);
    if (rc == 0)
        rc = encode_keys(&ha->sets[s], keys, b->length, &l->sc, err);
    if (rc == 0) {
        int64_t n = 0;
        for (int64_t r = 0; r < b->length; r++)
            if (sub_of(l->sc.hashes[r], nsub) == sub)
                rows[n++] = (int32_t)r;
        rc = tn_exec_batch_select(b, b->schema, rows, n, out, err);
    }
    free_keys(ha->base.plan, keys);
    tn_free(rows);
    return rc;
}

/* Where a source partition is. */
typedef struct source_state {
    int64_t next;       /* next group of the table being emitted */
    bool started;
    int nsub, sub;      /* spilled: sub-partitions, the one being emitted */
    bool have_sub;
    agg_part parts[NPART]; /* spilled: parts[idx % NPART] holds the sub-partition */
} source_state;

/* Build sub-partition st->sub of spilled (set, partition) idx: its groups
 * aggregated in memory, then its spilled rows, then the collected DISTINCT
 * / ORDER BY tuples of both applied. */
static int build_sub(hash_agg *ha, int64_t idx, source_state *st, tarn_error *err)
{
    int32_t s = (int32_t)(idx / NPART);
    agg_part *cur = &st->parts[idx % NPART];
    part_init(ha, &ha->sets[s], cur);
    if (st->nsub == 1) { /* the whole partition: take the table as it is */
        *cur = ha->final[idx];
        memset(&ha->final[idx], 0, sizeof ha->final[idx]);
        part_init(ha, &ha->sets[s], &ha->final[idx]);
    } else {
        TN_TRY(move_sub(ha, &ha->final[idx], cur, st->sub, st->nsub, err));
    }
    agg_local tmp = {0};
    tmp.seq = (uint64_t)atomic_fetch_add(&ha->ntasks, 1) << 40;
    tn_spill_cursor *cursor = NULL;
    int rc = tn_spill_cursor_open(ha->spill[idx].file, &cursor, err);
    while (rc == 0) {
        tn_batch *b = NULL, *mine = NULL;
        rc = tn_spill_next(cursor, &b, err);
        if (rc || !b)
            break;
        rc = select_sub(ha, &tmp, s, b, st->sub, st->nsub, &mine, err);
        if (rc == 0 && mine->length > 0)
            rc = aggregate_batch(ha, &tmp, st->parts, s, mine, NULL, err);
        tn_batch_unref(mine);
        tn_batch_unref(b);
    }
    tn_spill_cursor_free(cursor);
    scratch_free(&tmp.sc);
    if (rc == 0 && cur->collect)
        rc = apply_all_collected(ha, cur, err);
    return rc;
}

static int source_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    hash_agg *ha = (hash_agg *)op;
    *out = NULL;
    if (!*state) {
        *state = tn_calloc(1, sizeof(source_state));
        TN_TRY_ALLOC(*state, err, sizeof(source_state));
    }
    source_state *st = *state;
    bool spilled = ha->spill[part].file != NULL;
    if (!st->started) {
        st->started = true;
        if (spilled)
            st->nsub = choose_nsub(ha, part);
    }
    tn_group_table *t = &ha->final[part].groups;
    if (spilled) {
        for (;;) {
            if (!st->have_sub) {
                if (st->sub == st->nsub) { /* done: memory and disk back for the partitions to come */
                    part_free(ha, &ha->final[part]);
                    tn_spill_free(ha->spill[part].file);
                    ha->spill[part].file = NULL;
                    return 0;
                }
                st->have_sub = true;
                st->next = 0;
                TN_TRY(build_sub(ha, part, st, err));
            }
            t = &st->parts[part % NPART].groups;
            if (st->next < t->ngroups)
                break;
            part_free(ha, &st->parts[part % NPART]);
            st->have_sub = false;
            st->sub++;
        }
    } else if (st->next >= t->ngroups) {
        /* Emitted: the memory goes back now, not when the query ends, for
         * the operators that run after this one (a join building on it). */
        part_free(ha, &ha->final[part]);
        return 0;
    }
    int64_t n = t->ngroups - st->next;
    if (n > ha->batch_rows)
        n = ha->batch_rows;
    tn_batch *b = tn_batch_new(op->out, n);
    TN_TRY_ALLOC(b, err, sizeof *b);
    int rc = emit_columns(ha, &ha->sets[part / NPART], t, st->next, n, b, err);
    if (rc) {
        tn_batch_unref(b);
        return rc;
    }
    st->next += n;
    *out = b;
    return 0;
}

static void source_done(tn_op *op, void *state)
{
    source_state *st = state;
    if (st)
        for (int p = 0; p < NPART; p++)
            part_free((hash_agg *)op, &st->parts[p]);
    tn_free(state);
}

/* ---- explain, destroy -------------------------------------------------------------------------- */

static int explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    hash_agg *ha = (hash_agg *)op;
    char line[256];
    int len = snprintf(line, sizeof line, "groups: %d, aggregates: %d", op->plan->ngroups, ha->naggs);
    if (ha->nsets > 1 || ha->grouping_id_column)
        len += snprintf(line + len, sizeof line - (size_t)len, ", grouping sets: %d", ha->nsets);
    if (ha->ncollect)
        snprintf(line + len, sizeof line - (size_t)len, ", distinct/ordered: %d", ha->ncollect);
    return tn_buf_append(out, line, strlen(line), err);
}

static void destroy(tn_op *op)
{
    hash_agg *ha = (hash_agg *)op;
    while (ha->locals) {
        agg_local *next = ha->locals->next;
        local_free(ha, ha->locals);
        ha->locals = next;
    }
    if (ha->final) {
        for (int64_t i = 0; i < (int64_t)ha->nsets * NPART; i++)
            part_free(ha, &ha->final[i]);
        tn_free(ha->final);
    }
    if (ha->spill)
        for (int64_t i = 0; i < (int64_t)ha->nsets * NPART; i++) {
            tn_spill_free(ha->spill[i].file);
            pthread_mutex_destroy(&ha->spill[i].lock);
        }
    tn_free(ha->spill);
    if (ha->sets)
        for (int32_t s = 0; s < ha->nsets; s++)
            tn_free(ha->sets[s].keys);
    tn_free(ha->sets);
    tn_free(ha->aggs);
    tn_free(ha->collect_agg);
    tn_free(ha); /* children and out are tn_op_free's */
}

static const tn_op_vtable hash_aggregate_vt = {
    .name = "HASH_AGGREGATE",
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

/* ---- construction ------------------------------------------------------------------------------ */

static int build_sets(hash_agg *ha, const tn_plan *plan, tarn_error *err)
{
    ha->nsets = plan->grouping_sets ? plan->nsets : 1;
    ha->sets = tn_calloc((size_t)ha->nsets, sizeof *ha->sets);
    TN_TRY_ALLOC(ha->sets, err, sizeof *ha->sets * (size_t)ha->nsets);
    for (int32_t s = 0; s < ha->nsets; s++) {
        group_set *set = &ha->sets[s];
        uint64_t bits = plan->grouping_sets ? plan->grouping_sets[s] : ~UINT64_C(0);
        set->keys = tn_calloc((size_t)plan->ngroups + 1, sizeof *set->keys);
        TN_TRY_ALLOC(set->keys, err, sizeof *set->keys * ((size_t)plan->ngroups + 1));
        set->key_size = 0;
        for (int32_t g = 0; g < plan->ngroups; g++) {
            bool in = (bits >> g) & 1;
            set->grouping_id = (set->grouping_id << 1) | !in;
            if (!in)
                continue;
            set->keys[set->nkeys++] = g;
            int32_t w = tn_codec_fixed_size(plan->groups[g]->type);
            set->key_size = w < 0 || set->key_size < 0 ? -1 : set->key_size + w;
        }
    }
    return 0;
}

/* Whether calls a and b keep the same state for every group: the same
 * kernels (sum and avg share theirs) over the same input columns, with
 * no FILTER, DISTINCT, ORDER BY, bind data or owned memory. TPC-H Q1's
 * avg(l_quantity) reads the state of sum(l_quantity): one update, one
 * merge, one state for both. */
static bool same_state(const tn_agg_call *a, const tn_agg_call *b)
{
    if (a->func->init != b->func->init || a->func->update != b->func->update || a->func->merge != b->func->merge ||
        a->func->destroy || b->func->destroy || a->state_size != b->state_size || a->nargs != b->nargs)
        return false;
    if (a->filter || b->filter || a->distinct || b->distinct || a->norder || b->norder || a->bind_data ||
        b->bind_data)
        return false;
    for (int32_t i = 0; i < a->nargs; i++) {
        const tn_expr *x = a->args[i], *y = b->args[i];
        if (x->kind != TN_EXPR_COLUMN || y->kind != TN_EXPR_COLUMN || x->index != y->index)
            return false;
    }
    return true;
}

static int check_plan(const tn_plan *plan, tarn_error *err)
{
    if (plan->kind != TN_PLAN_AGGREGATE)
        return tn_error_set(err, TARN_EINTERNAL, "HASH_AGGREGATE built from a plan node that is not AGGREGATE");
    if (plan->ngroups > 64)
        return tn_error_set(err, TARN_EUNSUPPORTED, "GROUP BY with %d expressions: at most 64 are supported",
                            plan->ngroups);
    int32_t want = plan->ngroups + plan->naggs + (plan->grouping_sets ? 1 : 0);
    if (!plan->out || plan->out->n_fields != want)
        return tn_error_set(err, TARN_EINTERNAL, "AGGREGATE node: %d output columns expected", want);
    for (int32_t g = 0; g < plan->ngroups; g++)
        if (!tn_codec_supports(plan->groups[g]->type))
            return tn_error_set(err, TARN_EUNSUPPORTED, "GROUP BY %s: grouping by %s values is not supported",
                                plan->groups[g]->text ? plan->groups[g]->text : "expression",
                                tn_type_id_name(plan->groups[g]->type->id));
    for (int32_t a = 0; a < plan->naggs; a++) {
        const tn_agg_call *call = &plan->aggs[a];
        if (!call->func)
            return tn_error_set(err, TARN_EINTERNAL, "aggregate %d has no function", a);
        if (call->distinct || call->norder)
            for (int32_t i = 0; i < call->nargs + call->norder; i++) {
                const tn_expr *e = i < call->nargs ? call->args[i] : call->order[i - call->nargs].expr;
                if (!tn_codec_supports(e->type))
                    return tn_error_set(err, TARN_EUNSUPPORTED, "%s: DISTINCT or ORDER BY over %s values is "
                                                                "not supported",
                                        call->text ? call->text : "aggregate", tn_type_id_name(e->type->id));
            }
    }
    return 0;
}

int tn_op_hash_aggregate_new(tn_exec_ctx *ctx, const tn_plan *agg, tn_op *child, tn_op **out, tarn_error *err)
{
    *out = NULL;
    TN_TRY(check_plan(agg, err));
    hash_agg *ha = tn_calloc(1, sizeof *ha);
    TN_TRY_ALLOC(ha, err, sizeof *ha);
    tn_op *op = &ha->base;
    op->vt = &hash_aggregate_vt;
    op->ctx = ctx;
    op->plan = agg;
    op->out = tn_schema_ref(agg->out);
    ha->batch_rows = ctx && ctx->batch_rows > 0 ? ctx->batch_rows : 2048;
    int rc = 0;
    op->children = tn_calloc(1, sizeof *op->children);
    ha->naggs = agg->naggs;
    ha->aggs = tn_calloc((size_t)agg->naggs + 1, sizeof *ha->aggs);
    ha->collect_agg = tn_calloc((size_t)agg->naggs + 1, sizeof *ha->collect_agg);
    if (!op->children || !ha->aggs || !ha->collect_agg) {
        rc = tn_error_oom(err, sizeof *ha->aggs * (size_t)agg->naggs);
        goto fail;
    }
    size_t offset = 0;
    for (int32_t a = 0; a < agg->naggs; a++) {
        const tn_agg_call *call = &agg->aggs[a];
        agg_info *info = &ha->aggs[a];
        info->call = call;
        info->ninputs = call->nargs + call->norder;
        info->collect = -1;
        info->shares = -1;
        for (int32_t b = 0; b < a && info->shares < 0; b++)
            if (ha->aggs[b].shares < 0 && same_state(&agg->aggs[b], call))
                info->shares = b;
        if (info->shares >= 0) {
            info->offset = ha->aggs[info->shares].offset;
            continue;
        }
        info->offset = offset;
        offset += (call->state_size + 15) & ~(size_t)15;
        if (call->distinct || call->norder > 0) {
            info->collect = ha->ncollect;
            ha->collect_agg[ha->ncollect++] = a;
        }
    }
    ha->row_size = offset ? offset : 16;
    ha->grouping_id_column = agg->grouping_sets != NULL;
    rc = build_sets(ha, agg, err);
    if (rc)
        goto fail;
    ha->spill = tn_calloc((size_t)ha->nsets * NPART, sizeof *ha->spill);
    if (!ha->spill) {
        rc = tn_error_oom(err, sizeof *ha->spill * NPART);
        goto fail;
    }
    for (int64_t i = 0; i < (int64_t)ha->nsets * NPART; i++)
        pthread_mutex_init(&ha->spill[i].lock, NULL);
    if (child) {
        op->children[0] = child;
        op->nchildren = 1;
    }
    *out = op;
    return 0;
fail:
    tn_schema_unref(op->out);
    tn_free(op->children);
    destroy(op);
    return rc;
}
