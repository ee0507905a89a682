/*
 * join_table.c — the hash join's table (see join_table.h): hashing the
 * build keys, lock-free parallel insertion into bucket chains, and the
 * vectorized probe.
 *
 * A probe walks every probe row's chain one step per round: each round
 * gathers, for all rows still walking, the build row under their cursor,
 * keeps the candidates whose full hash (or int64 key) is equal, then
 * checks the key columns column by column over the candidate list with a
 * loop specialized per type. No per-row call, no per-row branch on type.
 */
#include "sql/exec/join_table.h"

#include <string.h>

#include "core/alloc.h"
#include "core/hash.h"
#include "core/pool.h"

#define HASH_SEED 0x7461726e6a6f696eULL /* "tarnjoin" */

bool tn_join_int_key_type(const tn_type *t)
{
    switch (t->id) {
    case TN_INT8: case TN_INT16: case TN_INT32: case TN_INT64:
    case TN_UINT8: case TN_UINT16: case TN_UINT32: case TN_UINT64:
    case TN_DATE32: case TN_DATE64: case TN_TIME32: case TN_TIME64:
    case TN_TIMESTAMP: case TN_DURATION: case TN_INTERVAL_MONTHS:
        return true;
    default:
        return false;
    }
}

/* The values of an integer-like array as int64 (unsigned zero-extended). */
static void load_ints(const tn_array *a, int64_t *dst)
{
    int64_t n = a->length;
#define LOAD(T)                                     \
    do {                                            \
        const T *v = TN_VALUES(a, T);               \
        for (int64_t i = 0; i < n; i++)             \
            dst[i] = (int64_t)v[i];                 \
    } while (0)
    bool uns = tn_type_is_unsigned_int(a->type->id);
    switch (a->type->byte_width) {
    case 1: if (uns) LOAD(uint8_t); else LOAD(int8_t); break;
    case 2: if (uns) LOAD(uint16_t); else LOAD(int16_t); break;
    case 4: if (uns) LOAD(uint32_t); else LOAD(int32_t); break;
    default: LOAD(int64_t); break;
    }
#undef LOAD
}

static const uint8_t *validity(const tn_array *a)
{
    if (a->type->id == TN_NA)
        return NULL;
    return a->n_buffers > 0 && a->buffers[0] ? a->buffers[0]->data : NULL;
}

/* Whether row r has a NULL in a key compared with `=`. */
static inline bool key_is_null(tn_array *const *keys, int32_t nkeys, const bool *null_equal, int64_t r)
{
    for (int32_t c = 0; c < nkeys; c++)
        if (!(null_equal && null_equal[c]) && !tn_array_is_valid(keys[c], r))
            return true;
    return false;
}

static bool any_nullable_key(tn_array *const *keys, int32_t nkeys, const bool *null_equal)
{
    for (int32_t c = 0; c < nkeys; c++)
        if (!(null_equal && null_equal[c]) && (validity(keys[c]) || keys[c]->type->id == TN_NA))
            return true;
    return false;
}

/* Hashes (or int64 keys) of n rows of keys into hashes / ikeys. */
static int hash_keys(tn_array *const *keys, int32_t nkeys, bool int_key, int64_t n, uint64_t *hashes,
                     int64_t *ikeys, tarn_error *err)
{
    if (int_key) {
        load_ints(keys[0], ikeys);
        for (int64_t i = 0; i < n; i++)
            hashes[i] = tn_hash_u64((uint64_t)ikeys[i]);
        return TARN_OK;
    }
    tn_array *h = NULL;
    TN_TRY(tn_hash_rows(keys, nkeys, HASH_SEED, &h, err));
    memcpy(hashes, TN_VALUES(h, uint64_t), (size_t)n * 8);
    tn_array_unref(h);
    return TARN_OK;
}

int tn_join_key_hashes(tn_array *const *keys, int32_t nkeys, const bool *null_equal, int64_t n, uint64_t *hashes,
                       tarn_error *err)
{
    bool int_key = nkeys == 1 && !(null_equal && null_equal[0]) && tn_join_int_key_type(keys[0]->type);
    int64_t *ikeys = NULL;
    if (int_key) {
        ikeys = tn_malloc((size_t)(n ? n : 1) * 8);
        TN_TRY_ALLOC(ikeys, err, (size_t)n * 8);
    }
    int rc = hash_keys(keys, nkeys, int_key, n, hashes, ikeys, err);
    tn_free(ikeys);
    return rc;
}

/* ---- build ----------------------------------------------------------------- */

typedef struct build_job {
    tn_join_table *t;
    _Atomic int64_t null_rows;
} build_job;

static int hash_range(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    build_job *job = ctx;
    tn_join_table *t = job->t;
    tn_array *slices[64];
    tn_array **sl = t->nkeys <= 64 ? slices : tn_calloc((size_t)t->nkeys, sizeof *sl);
    TN_TRY_ALLOC(sl, err, (size_t)t->nkeys * sizeof *sl);
    int rc = TARN_OK;
    int32_t made = 0;
    for (; made < t->nkeys; made++) {
        sl[made] = tn_array_slice(t->keys[made], begin, end - begin);
        if (!sl[made]) {
            rc = tn_error_oom(err, sizeof(tn_array));
            break;
        }
    }
    if (rc == TARN_OK)
        rc = hash_keys(sl, t->nkeys, t->int_key, end - begin, t->hashes + begin, t->int_key ? t->ikeys + begin : NULL,
                       err);
    for (int32_t c = 0; c < made; c++)
        tn_array_unref(sl[c]);
    if (sl != slices)
        tn_free(sl);
    return rc;
}

static int insert_range(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    (void)err;
    build_job *job = ctx;
    tn_join_table *t = job->t;
    bool check = any_nullable_key(t->keys, t->nkeys, t->null_equal);
    int64_t nulls = 0;
    for (int64_t r = begin; r < end; r++) {
        if (check && key_is_null(t->keys, t->nkeys, t->null_equal, r)) {
            t->entries[r].next = -1;
            t->entries[r].hk = 0;
            nulls++;
            continue;
        }
        int32_t *head = &t->first[t->hashes[r] & t->mask];
        t->entries[r].hk = t->int_key ? (uint64_t)t->ikeys[r] : t->hashes[r];
        t->entries[r].next = __atomic_exchange_n(head, (int32_t)r, __ATOMIC_RELAXED);
    }
    job->null_rows += nulls;
    return TARN_OK;
}

static int64_t buckets_for(int64_t n)
{
    int64_t b = 1;
    while (b < 2 * n)
        b <<= 1;
    return b;
}

int tn_join_table_build(tn_join_table *t, tn_array **keys, int32_t nkeys, const bool *null_equal, int64_t n,
                        tarn_error *err)
{
    memset(t, 0, sizeof *t);
    t->keys = tn_calloc((size_t)nkeys, sizeof *t->keys);
    TN_TRY_ALLOC(t->keys, err, (size_t)nkeys * sizeof *t->keys);
    t->nkeys = nkeys;
    for (int32_t c = 0; c < nkeys; c++)
        t->keys[c] = tn_array_ref(keys[c]);
    t->null_equal = null_equal;
    t->n = n;
    t->int_key = nkeys == 1 && !(null_equal && null_equal[0]) && tn_join_int_key_type(keys[0]->type);
    int64_t nb = buckets_for(n);
    t->mask = (uint64_t)nb - 1;
    size_t rows = (size_t)(n ? n : 1);
    t->first = tn_malloc((size_t)nb * 4);
    t->entries = tn_malloc(rows * sizeof *t->entries);
    t->hashes = tn_malloc(rows * 8);
    t->ikeys = t->int_key ? tn_malloc(rows * 8) : NULL;
    t->bytes = nb * 4 + (int64_t)rows * (int64_t)sizeof *t->entries;
    if (!t->first || !t->entries || !t->hashes || (t->int_key && !t->ikeys)) {
        tn_join_table_reset(t);
        return tn_error_oom(err, (size_t)nb * 4);
    }
    memset(t->first, 0xff, (size_t)nb * 4); /* -1: empty bucket */
    build_job job = {t, 0};
    int64_t grain = 1 << 16;
    int rc = tn_parallel_for(n, grain, hash_range, &job, err);
    if (rc == TARN_OK)
        rc = tn_parallel_for(n, grain, insert_range, &job, err);
    if (rc) {
        tn_join_table_reset(t);
        return rc;
    }
    t->null_rows = job.null_rows;
    if (t->int_key) {
        rc = tn_join_filter_build(&t->filter, t->ikeys, validity(t->keys[0]), t->keys[0]->offset, n, err);
        if (rc) {
            tn_join_table_reset(t);
            return rc;
        }
        t->bytes += (int64_t)(t->filter.bloom_mask + 1) * 8;
    }
    /* the entries hold what the probe needs */
    tn_free(t->hashes);
    tn_free(t->ikeys);
    t->hashes = NULL;
    t->ikeys = NULL;
    return TARN_OK;
}

void tn_join_table_reset(tn_join_table *t)
{
    if (t->keys)
        for (int32_t c = 0; c < t->nkeys; c++)
            tn_array_unref(t->keys[c]);
    tn_free(t->keys);
    tn_free(t->first);
    tn_free(t->entries);
    tn_join_filter_reset(&t->filter);
    tn_free(t->hashes);
    tn_free(t->ikeys);
    memset(t, 0, sizeof *t);
}

/* ---- key equality over candidate lists ------------------------------------- */

int64_t tn_join_keep_equal(const tn_array *a, const tn_array *b, bool null_equal, int32_t *pi, int32_t *pj,
                          int64_t m)
{
    const uint8_t *va = validity(a), *vb = validity(b);
    bool nulls = va || vb || a->type->id == TN_NA;
    int64_t out = 0;
#define KEEP(EQ)                                                                          \
    for (int64_t k = 0; k < m; k++) {                                                     \
        int32_t i = pi[k], j = pj[k];                                                     \
        bool eq;                                                                          \
        if (nulls && (!tn_array_is_valid(a, i) || !tn_array_is_valid(b, j)))              \
            eq = null_equal && !tn_array_is_valid(a, i) && !tn_array_is_valid(b, j);      \
        else                                                                              \
            eq = (EQ);                                                                    \
        pi[out] = i;                                                                      \
        pj[out] = j;                                                                      \
        out += eq;                                                                        \
    }
#define KEEP_T(T)                                                                         \
    do {                                                                                  \
        const T *x = TN_VALUES(a, T), *y = TN_VALUES(b, T);                               \
        KEEP(x[i] == y[j]);                                                               \
    } while (0)
    tn_type_id id = a->type->id;
    if (id != b->type->id && !(tn_type_is_string(id) || tn_type_is_binary(id))) {
        KEEP(tn_array_element_equals(a, i, b, j));
        return out;
    }
    switch (id) {
    case TN_NA:
        KEEP(true);
        break;
    case TN_BOOL: {
        const uint8_t *x = a->buffers[1]->data, *y = b->buffers[1]->data;
        KEEP(tn_bit_get(x, a->offset + i) == tn_bit_get(y, b->offset + j));
        break;
    }
    case TN_FLOAT32: {
        const float *x = TN_VALUES(a, float), *y = TN_VALUES(b, float);
        KEEP(x[i] == y[j] || (x[i] != x[i] && y[j] != y[j]));
        break;
    }
    case TN_FLOAT64: {
        const double *x = TN_VALUES(a, double), *y = TN_VALUES(b, double);
        KEEP(x[i] == y[j] || (x[i] != x[i] && y[j] != y[j]));
        break;
    }
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW:
    case TN_BINARY: case TN_LARGE_BINARY: case TN_BINARY_VIEW: {
        int64_t la, lb;
        const uint8_t *x, *y;
        KEEP((x = tn_array_bytes(a, i, &la), y = tn_array_bytes(b, j, &lb),
              la == lb && (la == 0 || memcmp(x, y, (size_t)la) == 0)));
        break;
    }
    default:
        if (tn_type_is_nested(id) || id == TN_DICTIONARY || a->type->byte_width <= 0) {
            KEEP(tn_array_element_equals(a, i, b, j));
        } else if (a->type->byte_width == 1) {
            KEEP_T(uint8_t);
        } else if (a->type->byte_width == 2) {
            KEEP_T(uint16_t);
        } else if (a->type->byte_width == 4) {
            KEEP_T(uint32_t);
        } else if (a->type->byte_width == 8) {
            KEEP_T(uint64_t);
        } else {
            size_t w = (size_t)a->type->byte_width;
            const uint8_t *x = a->buffers[1]->data, *y = b->buffers[1]->data;
            KEEP(memcmp(x + (size_t)(a->offset + i) * w, y + (size_t)(b->offset + j) * w, w) == 0);
        }
        break;
    }
#undef KEEP_T
#undef KEEP
    return out;
}

/* ---- probe --------------------------------------------------------------------- */

void tn_join_cursor_init(tn_join_cursor *c)
{
    memset(c, 0, sizeof *c);
}

static void drop_keys(tn_join_cursor *c)
{
    if (c->keys)
        for (int32_t k = 0; k < c->nkeys; k++)
            tn_array_unref(c->keys[k]);
    tn_free(c->keys);
    c->keys = NULL;
    c->nkeys = 0;
}

void tn_join_cursor_reset(tn_join_cursor *c)
{
    drop_keys(c);
    tn_free(c->hashes);
    tn_free(c->ikeys);
    tn_free(c->ptr);
    tn_free(c->active);
    tn_free(c->key_null);
    tn_free(c->ci);
    tn_free(c->cj);
    memset(c, 0, sizeof *c);
}

static int grow(void **p, size_t bytes, tarn_error *err)
{
    void *q = tn_realloc(*p, bytes ? bytes : 1);
    TN_TRY_ALLOC(q, err, bytes);
    *p = q;
    return TARN_OK;
}

static int cursor_room(tn_join_cursor *c, int64_t n, int64_t cap, tarn_error *err)
{
    if (n > c->room) {
        TN_TRY(grow((void **)&c->hashes, (size_t)n * 8, err));
        TN_TRY(grow((void **)&c->ikeys, (size_t)n * 8, err));
        TN_TRY(grow((void **)&c->ptr, (size_t)n * 4, err));
        TN_TRY(grow((void **)&c->active, (size_t)n * 4, err));
        TN_TRY(grow((void **)&c->key_null, (size_t)n, err));
        c->room = n;
    }
    if (cap > c->cap) {
        TN_TRY(grow((void **)&c->ci, (size_t)cap * 4, err));
        TN_TRY(grow((void **)&c->cj, (size_t)cap * 4, err));
        c->cap = cap;
    }
    return TARN_OK;
}

int tn_join_cursor_start(tn_join_cursor *c, const tn_join_table *t, tn_array **keys, int64_t n, int64_t cap,
                         tarn_error *err)
{
    drop_keys(c);
    c->keys = tn_calloc((size_t)t->nkeys, sizeof *c->keys);
    if (!c->keys) {
        for (int32_t k = 0; k < t->nkeys; k++)
            tn_array_unref(keys[k]);
        return tn_error_oom(err, (size_t)t->nkeys * sizeof *c->keys);
    }
    c->nkeys = t->nkeys;
    for (int32_t k = 0; k < t->nkeys; k++)
        c->keys[k] = keys[k];
    c->n = n;
    c->nactive = c->pos = 0;
    TN_TRY(cursor_room(c, n, cap, err));
    TN_TRY(hash_keys(c->keys, c->nkeys, t->int_key, n, c->hashes, c->ikeys, err));
    bool check = any_nullable_key(c->keys, c->nkeys, t->null_equal);
    /* Locals throughout: the build runs without strict aliasing, so a store
     * through any pointer would otherwise reload every field. */
    const uint64_t *h = c->hashes;
    const int64_t *ik = c->ikeys;
    int32_t *ptr = c->ptr, *act = c->active;
    bool *kn = c->key_null;
    const int32_t *first = t->first;
    const uint64_t mask = t->mask;
    if (check)
        for (int64_t i = 0; i < n; i++)
            kn[i] = key_is_null(c->keys, c->nkeys, t->null_equal, i);
    else if (n > 0)
        memset(kn, 0, (size_t)n);
    /* Pass 1: the rows that may match (not NULL; the int fast path also
     * checks the join filter), their bucket heads prefetched. The
     * candidates go to act[] for now. */
    int64_t nc = 0;
    if (t->int_key && t->filter.ready) {
        const int64_t lo = t->filter.min, hi = t->filter.max;
        const uint64_t *bloom = t->filter.bloom, bmask = t->filter.bloom_mask;
        for (int64_t i = 0; i < n; i++) {
            uint64_t hh = h[i], bits = tn_join_filter_bits(hh);
            int64_t k = ik[i];
            bool ok = !kn[i] && k >= lo && k <= hi && (bloom[(hh >> 32) & bmask] & bits) == bits;
            __builtin_prefetch(&first[hh & mask]);
            act[nc] = (int32_t)i;
            nc += ok;
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            __builtin_prefetch(&first[h[i] & mask]);
            act[nc] = (int32_t)i;
            nc += !kn[i];
        }
    }
    /* Pass 2: read the heads; rows with a non-empty bucket stay active. */
    const tn_join_entry *e = t->entries;
    int64_t na = 0;
    for (int64_t k = 0; k < nc; k++) {
        int32_t i = act[k], p = first[h[i] & mask];
        ptr[i] = p;
        if (p >= 0)
            __builtin_prefetch(&e[p]);
        act[na] = i;
        na += p >= 0;
    }
    c->nactive = na;
    return TARN_OK;
}

/* Drop the rows whose chain ended (or that need no more matches). */
static void compact_active(tn_join_cursor *c, const uint8_t *skip)
{
    int32_t *act = c->active;
    const int32_t *ptr = c->ptr;
    int64_t k2 = 0, na = c->nactive;
    if (skip) {
        for (int64_t k = 0; k < na; k++) {
            int32_t i = act[k];
            act[k2] = i;
            k2 += ptr[i] >= 0 && !skip[i];
        }
    } else {
        for (int64_t k = 0; k < na; k++) {
            int32_t i = act[k];
            act[k2] = i;
            k2 += ptr[i] >= 0;
        }
    }
    c->nactive = k2;
    c->pos = 0;
}

/* Candidates of active[pos..end): advance each chain one step, keep the
 * pairs whose hash (int key: key) is equal. */
static int64_t next_candidates(tn_join_cursor *c, const tn_join_table *t, int64_t end, const uint8_t *skip,
                               int32_t *restrict pl, int32_t *restrict pr)
{
    int64_t m = 0;
    const tn_join_entry *e = t->entries;
    const int32_t *act = c->active;
    int32_t *ptr = c->ptr;
    const uint64_t *want = t->int_key ? (const uint64_t *)c->ikeys : c->hashes;
    if (skip) {
        for (int64_t k = c->pos; k < end; k++) {
            int32_t i = act[k], j = ptr[i];
            ptr[i] = e[j].next;
            pl[m] = i;
            pr[m] = j;
            m += e[j].hk == want[i] && !skip[i];
        }
    } else {
        for (int64_t k = c->pos; k < end; k++) {
            int32_t i = act[k], j = ptr[i];
            int32_t nx = e[j].next;
            ptr[i] = nx;
            if (nx >= 0)
                __builtin_prefetch(&e[nx]);
            pl[m] = i;
            pr[m] = j;
            m += e[j].hk == want[i];
        }
    }
    if (!t->int_key)
        for (int32_t k = 0; k < t->nkeys && m > 0; k++)
            m = tn_join_keep_equal(c->keys[k], t->keys[k], t->null_equal && t->null_equal[k], pl, pr, m);
    c->pos = end;
    return m;
}

void tn_join_cursor_step(tn_join_cursor *c, const tn_join_table *t, int64_t room, const uint8_t *skip,
                         int32_t *pl, int32_t *pr, int64_t *npairs, bool *done)
{
    int64_t m = 0;
    *done = false;
    while (m < room) {
        if (c->pos >= c->nactive) {
            compact_active(c, skip);
            if (c->nactive == 0) {
                *done = true;
                break;
            }
        }
        int64_t end = c->pos + (room - m);
        if (end > c->nactive)
            end = c->nactive;
        m += next_candidates(c, t, end, skip, pl + m, pr + m);
    }
    *npairs = m;
}
