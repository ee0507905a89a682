/*
 * join_filter.h — dynamic join filters: what a hash join learned about its
 * build keys, handed to the probe side so that rows (and whole row groups)
 * that cannot match are dropped before they are read or hashed.
 *
 * After the build side is finalized, a hash join on one integer-like key
 * (ints, dates, times, timestamps) publishes, for that key:
 *
 *   min, max   over the non-NULL build keys (count = 0: nothing matches)
 *   bloom      a blocked bloom filter of the keys: one 64-bit word per
 *              key hash, two bits set in it (about 8 bits per key, so a
 *              key absent from the build side passes ~5% of the time)
 *
 * The hash join uses it itself (a probe row that fails it skips the table
 * lookup, a cache miss), and a scan under the probe side can poll it: the
 * build pipeline always ends before the probe pipeline starts, so once a
 * probe-side scan runs, `ready` is set. Only joins that drop unmatched
 * probe rows (INNER, SEMI, RIGHT) may filter their probe side.
 */
#ifndef TN_SQL_EXEC_JOIN_FILTER_H
#define TN_SQL_EXEC_JOIN_FILTER_H

#include "arrow/compute/compute.h"

typedef struct tn_join_filter {
    _Atomic int ready;    /* set (release) once the fields below are final */
    int64_t count;        /* non-NULL build keys */
    int64_t min, max;     /* over them, as int64 */
    uint64_t *bloom;      /* [bloom_mask + 1] words */
    uint64_t bloom_mask;
} tn_join_filter;

/* Fill f from n int64 build keys (valid: NULL = all valid). */
int tn_join_filter_build(tn_join_filter *f, const int64_t *keys, const uint8_t *valid, int64_t valid_offset, int64_t n,
                         tarn_error *err) TN_MUST_USE;
void tn_join_filter_reset(tn_join_filter *f);

static inline uint64_t tn_join_filter_bits(uint64_t h)
{
    return (1ULL << (h & 63)) | (1ULL << ((h >> 6) & 63));
}

/* Whether key (with hash h = tn_hash_u64(key)) may be on the build side. */
static inline bool tn_join_filter_may_match(const tn_join_filter *f, int64_t key, uint64_t h)
{
    if (key < f->min || key > f->max)
        return false;
    uint64_t bits = tn_join_filter_bits(h);
    return (f->bloom[(h >> 32) & f->bloom_mask] & bits) == bits;
}

/* Whether a row group whose key statistics are [min, max] may hold a match. */
static inline bool tn_join_filter_may_match_range(const tn_join_filter *f, int64_t min, int64_t max)
{
    return f->count > 0 && max >= f->min && min <= f->max;
}

/* The rows of sel (all rows when NULL) of the integer-like array a whose
 * value may match, written to rows (room for sel->n or a->length); count
 * in *n. NULLs never match. */
int tn_join_filter_select(const tn_join_filter *f, tn_array *a, const tn_selection *sel, int32_t *rows, int64_t *n,
                          tarn_error *err) TN_MUST_USE;

typedef struct tn_op tn_op;
/* The filter a hash join publishes on its probe key k, or NULL when it has
 * none (more than one key, a key that is not integer-like, or a kind that
 * keeps unmatched probe rows). Valid while the operator lives; poll
 * f->ready (it is set once the build side is finalized). */
const tn_join_filter *tn_hash_join_filter(tn_op *op, int32_t k);

#endif
