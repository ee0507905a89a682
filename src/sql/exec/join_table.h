/*
 * join_table.h — the hash table of a hash join (private to sql/exec/).
 *
 * Build rows are numbered 0..n-1 in the concatenated build side
 * (join.h's tn_join_rows); the table stores only row numbers:
 *
 *   first[hash & mask]  -> the newest row in that bucket, or -1
 *   entries[row].next   -> the next row of the same bucket, or -1
 *   entries[row].hk     -> the row's full 64-bit key hash (checked before
 *                          the keys), or the key itself as int64 when the
 *                          key is one integer-like column (the fast path:
 *                          no key arrays are compared)
 *
 * hk and next share a 16-byte entry so that following a chain costs one
 * cache miss per step, not two.
 *
 * Keys stay columnar (keys[c]: one array per key, n rows). Rows whose key
 * has a NULL in a column compared with `=` are never inserted: they can
 * match nothing. Insertion is lock-free (an atomic exchange on the bucket
 * head), so tn_parallel_for builds the table from every core.
 */
#ifndef TN_SQL_EXEC_JOIN_TABLE_H
#define TN_SQL_EXEC_JOIN_TABLE_H

#include "arrow/compute/compute.h"
#include "sql/exec/join_filter.h"

typedef struct tn_join_entry {
    uint64_t hk;  /* hash, or int64 key */
    int32_t next; /* next row of the bucket, -1 at the end */
} tn_join_entry;

typedef struct tn_join_table {
    int32_t nkeys;
    tn_array **keys;        /* [nkeys] build keys, n rows each */
    const bool *null_equal; /* [nkeys] IS NOT DISTINCT FROM (NULL: all false) */
    bool int_key;           /* one integer-like key compared with `=`: ikeys */
    int64_t n;
    uint64_t mask;
    int32_t *first;  /* [mask + 1] */
    tn_join_entry *entries; /* [n] */
    uint64_t *hashes; /* [n] while building */
    int64_t *ikeys;  /* [n] while building (int_key only) */
    int64_t null_rows; /* rows not inserted because a key is NULL */
    tn_join_filter filter; /* int_key: min/max and bloom filter of the keys */
    int64_t bytes;   /* memory held, for the budget */
} tn_join_table;

/* Whether one key column of type t can use the int64 fast path. */
bool tn_join_int_key_type(const tn_type *t);

/* One hash per row of keys (n rows) into hashes, as the table of these
 * keys would compute it: equal keys hash equal on both sides of a join
 * (the grace hash join partitions both sides by these hashes). */
int tn_join_key_hashes(tn_array *const *keys, int32_t nkeys, const bool *null_equal, int64_t n, uint64_t *hashes,
                       tarn_error *err) TN_MUST_USE;

/* Build the table over keys (references are taken) of n rows. */
int tn_join_table_build(tn_join_table *t, tn_array **keys, int32_t nkeys, const bool *null_equal, int64_t n,
                        tarn_error *err) TN_MUST_USE;
void tn_join_table_reset(tn_join_table *t);

/* Keep the candidates k where a[pi[k]] equals b[pj[k]] (NULLs equal each
 * other only with null_equal), compacting pi/pj; returns the new count.
 * a and b have one type (text and binary layouts may differ). */
int64_t tn_join_keep_equal(const tn_array *a, const tn_array *b, bool null_equal, int32_t *pi, int32_t *pj,
                           int64_t m);

/* Per-probe-batch scratch: the probe keys, their hashes and the chain
 * position of each probe row. */
typedef struct tn_join_cursor {
    tn_array **keys;       /* [nkeys] probe keys (references) */
    int32_t nkeys;
    int64_t n, room;
    uint64_t *hashes;      /* [n] */
    int64_t *ikeys;        /* [n] */
    int32_t *ptr;          /* [n] next build row to look at, -1 at the end */
    int32_t *active;       /* rows still walking a chain */
    int64_t nactive, pos;  /* active[pos..nactive) are next in this round */
    bool *key_null;        /* [n] a `=` key of the probe row is NULL */
    int32_t *ci, *cj;      /* candidate scratch, [cap] */
    int64_t cap;
} tn_join_cursor;

void tn_join_cursor_init(tn_join_cursor *c);
void tn_join_cursor_reset(tn_join_cursor *c);
/* Start probing with keys (references are taken, also on failure) of n rows;
 * cap bounds the candidates of one step. */
int tn_join_cursor_start(tn_join_cursor *c, const tn_join_table *t, tn_array **keys, int64_t n, int64_t cap,
                         tarn_error *err) TN_MUST_USE;
/* One step: at most `room` key-equal pairs (probe row, build row) written to
 * pl/pr; *npairs receives their count. skip (may be NULL) marks probe rows
 * that need no more matches. Returns true in *done when every chain ended. */
void tn_join_cursor_step(tn_join_cursor *c, const tn_join_table *t, int64_t room, const uint8_t *skip,
                         int32_t *pl, int32_t *pr, int64_t *npairs, bool *done);

#endif
