/*
 * join_filter.c — building and applying dynamic join filters (see
 * join_filter.h).
 */
#include "sql/exec/join_filter.h"

#include <string.h>

#include "core/alloc.h"
#include "core/hash.h"

int tn_join_filter_build(tn_join_filter *f, const int64_t *keys, const uint8_t *valid, int64_t valid_offset, int64_t n,
                         tarn_error *err)
{
    memset(f, 0, sizeof *f);
    int64_t count = 0, min = INT64_MAX, max = INT64_MIN;
    for (int64_t i = 0; i < n; i++) {
        if (valid && !tn_bit_get(valid, valid_offset + i))
            continue;
        count++;
        min = keys[i] < min ? keys[i] : min;
        max = keys[i] > max ? keys[i] : max;
    }
    uint64_t words = 1;
    while (words * 8 < (uint64_t)count)
        words <<= 1;
    f->bloom = tn_calloc(words, 8);
    TN_TRY_ALLOC(f->bloom, err, words * 8);
    f->bloom_mask = words - 1;
    for (int64_t i = 0; i < n; i++) {
        if (valid && !tn_bit_get(valid, valid_offset + i))
            continue;
        uint64_t h = tn_hash_u64((uint64_t)keys[i]);
        f->bloom[(h >> 32) & f->bloom_mask] |= tn_join_filter_bits(h);
    }
    f->count = count;
    f->min = count ? min : 1;
    f->max = count ? max : 0; /* empty: min > max, nothing passes */
    atomic_store_explicit(&f->ready, 1, memory_order_release);
    return TARN_OK;
}

void tn_join_filter_reset(tn_join_filter *f)
{
    tn_free(f->bloom);
    memset(f, 0, sizeof *f);
}

int tn_join_filter_select(const tn_join_filter *f, tn_array *a, const tn_selection *sel, int32_t *rows, int64_t *n,
                          tarn_error *err)
{
    int64_t m = sel ? sel->n : a->length, out = 0;
    const uint8_t *valid = a->n_buffers > 0 && a->buffers[0] ? a->buffers[0]->data : NULL;
    bool uns = tn_type_is_unsigned_int(a->type->id);
    int w = a->type->byte_width;
    if (a->type->id == TN_BOOL || (w != 1 && w != 2 && w != 4 && w != 8))
        return tn_error_set(err, TARN_ETYPE, "join filter on a %s column", tn_type_id_name(a->type->id));
    /* locals: without strict aliasing every store to rows[] would reload
     * the filter's fields; no branch per row */
    const int64_t lo = f->min, hi = f->max;
    const uint64_t *bloom = f->bloom, bmask = f->bloom_mask;
    const int32_t *srows = sel ? sel->rows : NULL;
    const int64_t off = a->offset;
#define KEEP(key)                                                                      \
    ({                                                                                 \
        int64_t k_ = (key);                                                            \
        uint64_t h_ = tn_hash_u64((uint64_t)k_), b_ = tn_join_filter_bits(h_);         \
        (k_ >= lo) & (k_ <= hi) & ((bloom[(h_ >> 32) & bmask] & b_) == b_);            \
    })
#define SCAN(T)                                                                        \
    do {                                                                               \
        const T *v = TN_VALUES(a, T);                                                  \
        if (!srows && !valid) {                                                        \
            for (int64_t r = 0; r < m; r++) {                                          \
                rows[out] = (int32_t)r;                                                \
                out += KEEP((int64_t)v[r]);                                            \
            }                                                                          \
        } else {                                                                       \
            for (int64_t k = 0; k < m; k++) {                                          \
                int64_t r = srows ? srows[k] : k;                                      \
                bool ok = KEEP((int64_t)v[r]);                                         \
                if (valid)                                                             \
                    ok &= tn_bit_get(valid, off + r);                                  \
                rows[out] = (int32_t)r;                                                \
                out += ok;                                                             \
            }                                                                          \
        }                                                                              \
    } while (0)
    switch (w) {
    case 1: if (uns) SCAN(uint8_t); else SCAN(int8_t); break;
    case 2: if (uns) SCAN(uint16_t); else SCAN(int16_t); break;
    case 4: if (uns) SCAN(uint32_t); else SCAN(int32_t); break;
    default: SCAN(int64_t); break;
    }
#undef KEEP
#undef SCAN
    *n = out;
    return TARN_OK;
}
