/*
 * group_table.h — the hash table behind GROUP BY, DISTINCT aggregates and
 * window partitions: it maps an encoded key (aggregate_codec.h) to a dense
 * group number and keeps, per group, the key, its hash and a fixed-size
 * payload row (the aggregate states).
 *
 * Layout (one table):
 *
 *   slots   [nslots]   open addressing, linear probing; a slot holds
 *                      (hash bits 34..57 << 40) | (group + 1), 0 = empty,
 *                      so most mismatches are rejected without touching
 *                      the key
 *   hashes  [ngroups]  the full 64-bit hash of each group's key
 *   keys               one byte string; with fixed-size keys (every key
 *                      column fixed-width) group g's key is at g * key_size,
 *                      else at key_offs[g] with key_lens[g] bytes
 *   rows               payload rows of row_size bytes, 16-byte aligned, in
 *                      blocks of 256 groups so they never move
 *
 * The hash's top bits pick a table among the partitions of an operator
 * (see hash_aggregate.c); the low bits pick the slot; bits 34..57 are the
 * slot's salt. The load factor stays at or below 1/2.
 *
 * Growth is reserved with tn_exec_reserve against the owning operator;
 * when the budget refuses, the insert fails with TARN_EMEMLIMIT, unless
 * the owner allowed an overdraft (below).
 */
#ifndef TN_SQL_GROUP_TABLE_H
#define TN_SQL_GROUP_TABLE_H

#include <string.h>

#include "core/hash.h"
#include "sql/exec/operator.h"

#define TN_GROUP_BLOCK_SHIFT 8

typedef struct tn_group_table {
    uint64_t *slots;
    int64_t nslots;        /* a power of two, or 0 before the first insert */
    int64_t ngroups, capgroups;
    uint64_t *hashes;      /* [capgroups] */
    int64_t *key_offs;     /* [capgroups], variable-size keys only */
    uint32_t *key_lens;    /* [capgroups], variable-size keys only */
    uint8_t *keys;
    int64_t keys_len, keys_cap;
    int32_t key_size;      /* > 0: every key has this size; < 0: variable */
    size_t row_size;       /* payload bytes per group (multiple of 16; may be 0) */
    uint8_t **blocks;      /* payload blocks of 1 << TN_GROUP_BLOCK_SHIFT rows */
    int64_t nblocks, capblocks;
    tn_op *op;             /* reservations are charged to it (may be NULL) */
    int64_t reserved;      /* bytes reserved so far */
    _Atomic int *overdraft; /* NULL: a refusal is an error; else see below */
    int64_t credit;        /* reserved by tn_group_table_ensure, not yet used */
} tn_group_table;

/* With t->overdraft set, a reservation the budget refuses does not fail:
 * the table sets *t->overdraft = 1 and grows anyway, without charging the
 * bytes. Its owner must then stop feeding it new groups soon (the hash
 * aggregate finishes the batch in hand and spills the rest of its input). */

/* An empty table (allocates nothing yet). */
void tn_group_table_init(tn_group_table *t, int32_t key_size, size_t row_size, tn_op *op);
/* Free everything (payload rows are the caller's to destroy first). */
void tn_group_table_free(tn_group_table *t);

/* The group of key (len bytes, hash h), inserted when absent: *gid gets
 * its number and *inserted whether it is new (its payload row is then
 * zeroed for the caller to initialize). */
int tn_group_table_insert(tn_group_table *t, uint64_t h, const uint8_t *key, int64_t len, int64_t *gid,
                          bool *inserted, tarn_error *err) TN_MUST_USE;
/* Room for `more` new groups with key_bytes of keys in all, so that the
 * inserts that follow allocate nothing. When the budget refuses, or would
 * be left with less than `headroom` bytes free, *refused is set and the
 * table is unchanged (an error is returned only for a failed allocation). */
int tn_group_table_ensure(tn_group_table *t, int64_t more, int64_t key_bytes, int64_t headroom, bool *refused,
                          tarn_error *err) TN_MUST_USE;
/* The group of key, or -1. */
int64_t tn_group_table_find(const tn_group_table *t, uint64_t h, const uint8_t *key, int64_t len);

static inline uint8_t *tn_group_row(const tn_group_table *t, int64_t gid)
{
    return t->blocks[gid >> TN_GROUP_BLOCK_SHIFT] +
           (size_t)(gid & ((1 << TN_GROUP_BLOCK_SHIFT) - 1)) * t->row_size;
}

static inline const uint8_t *tn_group_key(const tn_group_table *t, int64_t gid, int64_t *len)
{
    if (t->key_size >= 0) {
        *len = t->key_size;
        return t->keys + gid * t->key_size;
    }
    *len = t->key_lens[gid];
    return t->keys + t->key_offs[gid];
}

/* The group of key, or -1: the probe loop of tn_group_table_find, inline
 * for the per-row path of the hash aggregate. */
static inline int64_t tn_group_table_lookup(const tn_group_table *t, uint64_t h, const uint8_t *key, int64_t len)
{
    if (!t->nslots)
        return -1;
    const uint64_t gid_mask = (UINT64_C(1) << 40) - 1;
    uint64_t mask = (uint64_t)t->nslots - 1;
    uint64_t salt = ((h >> 34) & ((UINT64_C(1) << 24) - 1)) << 40;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t s = t->slots[i];
        if (!s)
            return -1;
        if ((s & ~gid_mask) != salt)
            continue;
        int64_t g = (int64_t)(s & gid_mask) - 1;
        if (t->key_size >= 0) {
            if (tn_bytes_equal(t->keys + g * t->key_size, key, (size_t)len))
                return g;
        } else if (t->key_lens[g] == len && tn_bytes_equal(t->keys + t->key_offs[g], key, (size_t)len)) {
            return g;
        }
    }
}

/* Prefetch the slot a probe for hash h starts at. */
static inline void tn_group_table_prefetch(const tn_group_table *t, uint64_t h)
{
    if (t->nslots)
        __builtin_prefetch(&t->slots[h & (uint64_t)(t->nslots - 1)]);
}

/* Second stage of a batched probe: once the slot is in cache, prefetch
 * the key and the payload row of the group in it (when its salt matches). */
static inline void tn_group_table_prefetch_group(const tn_group_table *t, uint64_t h)
{
    if (!t->nslots)
        return;
    uint64_t s = t->slots[h & (uint64_t)(t->nslots - 1)];
    if (!s || (s >> 40) != ((h >> 34) & ((UINT64_C(1) << 24) - 1)))
        return;
    int64_t g = (int64_t)(s & ((UINT64_C(1) << 40) - 1)) - 1;
    __builtin_prefetch(t->key_size >= 0 ? t->keys + g * t->key_size : t->keys + t->key_offs[g]);
    if (t->row_size)
        __builtin_prefetch(t->blocks[g >> TN_GROUP_BLOCK_SHIFT] +
                           (size_t)(g & ((1 << TN_GROUP_BLOCK_SHIFT) - 1)) * t->row_size);
}

/* Bytes held by the table (for metrics and spilling decisions). */
int64_t tn_group_table_bytes(const tn_group_table *t);

#endif
