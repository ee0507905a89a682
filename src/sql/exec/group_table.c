/*
 * group_table.c — open-addressing hash table from encoded keys to dense
 * group numbers with per-group payload rows; layout in group_table.h.
 */
#include "sql/exec/group_table.h"

#include <stdatomic.h>
#include <string.h>

#include "core/alloc.h"
#include "tarn/common.h"

#define SALT_SHIFT 34
#define SALT_BITS 24
#define GID_BITS 40
#define GID_MASK ((UINT64_C(1) << GID_BITS) - 1)
#define BLOCK_ROWS ((int64_t)1 << TN_GROUP_BLOCK_SHIFT)

static inline uint64_t salt_of(uint64_t h)
{
    return ((h >> SALT_SHIFT) & ((UINT64_C(1) << SALT_BITS) - 1)) << GID_BITS;
}

void tn_group_table_init(tn_group_table *t, int32_t key_size, size_t row_size, tn_op *op)
{
    memset(t, 0, sizeof *t);
    t->key_size = key_size;
    t->row_size = row_size;
    t->op = op;
}

void tn_group_table_free(tn_group_table *t)
{
    tn_free(t->slots);
    tn_free(t->hashes);
    tn_free(t->key_offs);
    tn_free(t->key_lens);
    tn_free(t->keys);
    for (int64_t b = 0; b < t->nblocks; b++)
        tn_free(t->blocks[b]);
    tn_free(t->blocks);
    if (t->op && t->reserved)
        tn_exec_release(t->op, t->reserved);
    memset(t, 0, sizeof *t);
}

int64_t tn_group_table_bytes(const tn_group_table *t)
{
    int64_t per_group = 8 + (t->key_size < 0 ? 12 : 0);
    return t->nslots * 8 + t->capgroups * per_group + t->keys_cap + t->nblocks * BLOCK_ROWS * (int64_t)t->row_size;
}

/* Ask the operator's budget for `bytes` more. */
static int reserve(tn_group_table *t, int64_t bytes, tarn_error *err)
{
    if (!t->op || bytes <= 0)
        return 0;
    if (t->credit > 0) { /* reserved in advance by tn_group_table_ensure */
        int64_t take = t->credit < bytes ? t->credit : bytes;
        t->credit -= take;
        bytes -= take;
        if (bytes == 0)
            return 0;
    }
    if (!tn_exec_reserve(t->op, bytes)) {
        if (t->overdraft && tn_alloc_last_failure_was_budget()) {
            atomic_store(t->overdraft, 1);
            return 0;
        }
        int rc = tn_error_oom(err, (size_t)bytes);
        tn_error_prefix(err, "%s: %lld groups in one of its partitions: ", t->op->vt ? t->op->vt->name : "aggregate",
                        (long long)t->ngroups);
        return rc;
    }
    t->reserved += bytes;
    return 0;
}

static inline bool key_equal(const uint8_t *a, const uint8_t *b, int64_t len)
{
    if (len == 9) { /* the common single 8-byte key: flag + value */
        uint64_t x, y;
        memcpy(&x, a + 1, 8);
        memcpy(&y, b + 1, 8);
        return x == y && a[0] == b[0];
    }
    return len == 0 || memcmp(a, b, (size_t)len) == 0;
}

static int rehash(tn_group_table *t, int64_t nslots, tarn_error *err)
{
    TN_TRY(reserve(t, (nslots - t->nslots) * 8, err));
    uint64_t *slots = tn_calloc((size_t)nslots, sizeof *slots);
    TN_TRY_ALLOC(slots, err, (size_t)nslots * sizeof *slots);
    uint64_t mask = (uint64_t)nslots - 1;
    for (int64_t g = 0; g < t->ngroups; g++) {
        uint64_t h = t->hashes[g];
        uint64_t i = h & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = salt_of(h) | (uint64_t)(g + 1);
    }
    tn_free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return 0;
}

static int grow_groups(tn_group_table *t, int64_t need, tarn_error *err)
{
    int64_t cap = t->capgroups ? t->capgroups * 2 : 64;
    while (cap < need)
        cap *= 2;
    bool var = t->key_size < 0;
    TN_TRY(reserve(t, (cap - t->capgroups) * (8 + (var ? 12 : 0)), err));
    uint64_t *hashes = tn_realloc(t->hashes, (size_t)cap * sizeof *hashes);
    TN_TRY_ALLOC(hashes, err, (size_t)cap * sizeof *hashes);
    t->hashes = hashes;
    if (var) {
        int64_t *offs = tn_realloc(t->key_offs, (size_t)cap * sizeof *offs);
        TN_TRY_ALLOC(offs, err, (size_t)cap * sizeof *offs);
        t->key_offs = offs;
        uint32_t *lens = tn_realloc(t->key_lens, (size_t)cap * sizeof *lens);
        TN_TRY_ALLOC(lens, err, (size_t)cap * sizeof *lens);
        t->key_lens = lens;
    }
    t->capgroups = cap;
    return 0;
}

static int grow_keys(tn_group_table *t, int64_t need, tarn_error *err)
{
    int64_t cap = t->keys_cap ? t->keys_cap : 1024;
    while (cap < need)
        cap *= 2;
    TN_TRY(reserve(t, cap - t->keys_cap, err));
    uint8_t *keys = tn_realloc(t->keys, (size_t)cap);
    TN_TRY_ALLOC(keys, err, (size_t)cap);
    t->keys = keys;
    t->keys_cap = cap;
    return 0;
}

static int add_block(tn_group_table *t, tarn_error *err)
{
    if (t->nblocks == t->capblocks) {
        int64_t cap = t->capblocks ? t->capblocks * 2 : 8;
        uint8_t **blocks = tn_realloc(t->blocks, (size_t)cap * sizeof *blocks);
        TN_TRY_ALLOC(blocks, err, (size_t)cap * sizeof *blocks);
        t->blocks = blocks;
        t->capblocks = cap;
    }
    size_t bytes = (size_t)BLOCK_ROWS * t->row_size;
    TN_TRY(reserve(t, (int64_t)bytes, err));
    uint8_t *b = tn_malloc_aligned(bytes);
    TN_TRY_ALLOC(b, err, bytes);
    t->blocks[t->nblocks++] = b;
    return 0;
}

/* Room for one more group: slots, group arrays, key bytes, payload. */
static int make_room(tn_group_table *t, int64_t len, tarn_error *err)
{
    if ((t->ngroups + 1) * 2 > t->nslots)
        TN_TRY(rehash(t, t->nslots ? t->nslots * 2 : 128, err));
    if (t->ngroups == t->capgroups)
        TN_TRY(grow_groups(t, t->ngroups + 1, err));
    if (t->keys_len + len > t->keys_cap)
        TN_TRY(grow_keys(t, t->keys_len + len, err));
    if (t->row_size && t->ngroups == t->nblocks * BLOCK_ROWS)
        TN_TRY(add_block(t, err));
    return 0;
}

/* The sizes make_room's growth policy picks for room for `need` groups. */
static int64_t slots_for(const tn_group_table *t, int64_t need)
{
    int64_t ns = t->nslots ? t->nslots : 128;
    while (need * 2 > ns)
        ns *= 2;
    return ns;
}

static int64_t groups_cap_for(const tn_group_table *t, int64_t need)
{
    int64_t cap = t->capgroups ? t->capgroups * 2 : 64;
    while (cap < need)
        cap *= 2;
    return need <= t->capgroups ? t->capgroups : cap;
}

static int64_t keys_cap_for(const tn_group_table *t, int64_t need)
{
    if (need <= t->keys_cap)
        return t->keys_cap;
    int64_t cap = t->keys_cap ? t->keys_cap : 1024;
    while (cap < need)
        cap *= 2;
    return cap;
}

int tn_group_table_ensure(tn_group_table *t, int64_t more, int64_t key_bytes, int64_t headroom, bool *refused,
                          tarn_error *err)
{
    int64_t need = t->ngroups + more;
    int64_t ns = need * 2 > t->nslots ? slots_for(t, need) : t->nslots;
    int64_t cap = groups_cap_for(t, need);
    int64_t kcap = keys_cap_for(t, t->keys_len + key_bytes);
    int64_t nb = t->row_size ? (need + BLOCK_ROWS - 1) / BLOCK_ROWS : 0;
    if (nb < t->nblocks)
        nb = t->nblocks;
    int64_t per_group = 8 + (t->key_size < 0 ? 12 : 0);
    int64_t bytes = (ns - t->nslots) * 8 + (cap - t->capgroups) * per_group + (kcap - t->keys_cap) +
                    (nb - t->nblocks) * BLOCK_ROWS * (int64_t)t->row_size;
    if (bytes <= 0)
        return 0;
    if (t->op) {
        /* The growth is allocated as well as reserved: both count against
         * the budget, and `headroom` must stay free for everyone else. */
        int64_t limit = tarn_memory_limit();
        if (limit > 0 && tarn_memory_used() + 2 * bytes > limit - headroom) {
            *refused = true;
            return 0;
        }
        if (!tn_exec_reserve(t->op, bytes)) {
            if (!tn_alloc_last_failure_was_budget()) /* an injected failure is an error, not a refusal */
                return tn_error_oom(err, (size_t)bytes);
            *refused = true;
            return 0;
        }
        t->reserved += bytes;
        t->credit += bytes;
    }
    if (ns > t->nslots)
        TN_TRY(rehash(t, ns, err));
    if (cap > t->capgroups)
        TN_TRY(grow_groups(t, cap, err));
    if (kcap > t->keys_cap)
        TN_TRY(grow_keys(t, kcap, err));
    while (t->nblocks < nb)
        TN_TRY(add_block(t, err));
    return 0;
}

int64_t tn_group_table_find(const tn_group_table *t, uint64_t h, const uint8_t *key, int64_t len)
{
    if (!t->nslots)
        return -1;
    uint64_t mask = (uint64_t)t->nslots - 1, salt = salt_of(h);
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t s = t->slots[i];
        if (!s)
            return -1;
        if ((s & ~GID_MASK) != salt)
            continue;
        int64_t g = (int64_t)(s & GID_MASK) - 1;
        int64_t glen;
        const uint8_t *gkey = tn_group_key(t, g, &glen);
        if (t->hashes[g] == h && glen == len && key_equal(gkey, key, len))
            return g;
    }
}

int tn_group_table_insert(tn_group_table *t, uint64_t h, const uint8_t *key, int64_t len, int64_t *gid,
                          bool *inserted, tarn_error *err)
{
    *inserted = false;
    if (t->nslots) {
        uint64_t mask = (uint64_t)t->nslots - 1, salt = salt_of(h);
        uint64_t i = h & mask;
        for (;; i = (i + 1) & mask) {
            uint64_t s = t->slots[i];
            if (!s)
                break;
            if ((s & ~GID_MASK) != salt)
                continue;
            int64_t g = (int64_t)(s & GID_MASK) - 1;
            int64_t glen;
            const uint8_t *gkey = tn_group_key(t, g, &glen);
            if (t->hashes[g] == h && glen == len && key_equal(gkey, key, len)) {
                *gid = g;
                return 0;
            }
        }
        /* Absent: insert at i unless the table must grow first. */
        if ((t->ngroups + 1) * 2 <= t->nslots && t->ngroups < t->capgroups &&
            t->keys_len + len <= t->keys_cap && (!t->row_size || t->ngroups < t->nblocks * BLOCK_ROWS)) {
            int64_t g = t->ngroups++;
            t->slots[i] = salt | (uint64_t)(g + 1);
            goto store;
        }
    }
    TN_TRY(make_room(t, len, err));
    {
        uint64_t mask = (uint64_t)t->nslots - 1;
        uint64_t i = h & mask;
        while (t->slots[i])
            i = (i + 1) & mask;
        int64_t g = t->ngroups++;
        t->slots[i] = salt_of(h) | (uint64_t)(g + 1);
    }
store : {
    int64_t g = t->ngroups - 1;
    t->hashes[g] = h;
    if (t->key_size < 0) {
        t->key_offs[g] = t->keys_len;
        t->key_lens[g] = (uint32_t)len;
    }
    if (len)
        memcpy(t->keys + t->keys_len, key, (size_t)len);
    t->keys_len += len;
    if (t->row_size)
        memset(tn_group_row(t, g), 0, t->row_size);
    *gid = g;
    *inserted = true;
}
    return 0;
}
