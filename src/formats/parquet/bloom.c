/*
 * bloom.c — split-block bloom filters: sizing, insert and check (the
 * format's salts and block choice), and the BloomFilterHeader codec.
 *
 *   BloomFilterHeader {1: i32 numBytes, 2: algorithm {1: BLOCK {}},
 *                      3: hash {1: XXHASH {}}, 4: compression {1: UNCOMPRESSED {}}}
 */
#include <math.h>
#include <string.h>

#include "core/hash.h"
#include "formats/parquet/bloom.h"
#include "formats/parquet/thrift.h"

static const uint32_t SALT[8] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                                 0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};

int64_t tn_pq_bloom_bytes(int64_t ndv, double fpp)
{
    if (!(fpp > 0 && fpp < 1))
        fpp = TN_PQ_BLOOM_DEFAULT_FPP;
    if (ndv < 1)
        ndv = 1;
    /* bits = -8 ndv / ln(1 - fpp^(1/8)): eight bits set per value */
    double bits = -8.0 * (double)ndv / log(1.0 - pow(fpp, 1.0 / 8.0));
    int64_t bytes = TN_PQ_BLOOM_MIN_BYTES;
    while (bytes < TN_PQ_BLOOM_MAX_BYTES && (double)bytes * 8 < bits)
        bytes *= 2;
    return bytes;
}

uint64_t tn_pq_bloom_hash(const void *p, size_t n)
{
    return tn_hash_xxh64(p, n, 0);
}

/* The block a hash picks: its high half scaled to the number of blocks. */
static uint8_t *block_of(const uint8_t *bits, int64_t n_bytes, uint64_t h)
{
    uint64_t blocks = (uint64_t)n_bytes / 32;
    return (uint8_t *)bits + (((h >> 32) * blocks) >> 32) * 32;
}

void tn_pq_bloom_insert(uint8_t *bits, int64_t n_bytes, uint64_t h)
{
    uint8_t *b = block_of(bits, n_bytes, h);
    uint32_t key = (uint32_t)h;
    for (int i = 0; i < 8; i++) {
        uint32_t w;
        memcpy(&w, b + 4 * i, 4);
        w |= 1u << ((key * SALT[i]) >> 27);
        memcpy(b + 4 * i, &w, 4);
    }
}

bool tn_pq_bloom_check(const uint8_t *bits, int64_t n_bytes, uint64_t h)
{
    const uint8_t *b = block_of(bits, n_bytes, h);
    uint32_t key = (uint32_t)h;
    for (int i = 0; i < 8; i++) {
        uint32_t w;
        memcpy(&w, b + 4 * i, 4);
        if (!(w >> ((key * SALT[i]) >> 27) & 1))
            return false;
    }
    return true;
}

/* A union field holding its first member, an empty struct. */
static int w_union_first(tn_th_writer *t, int16_t id)
{
    TN_TRY(tn_th_w_field(t, id, TN_TH_STRUCT));
    TN_TRY(tn_th_w_struct_begin(t));
    TN_TRY(tn_th_w_field(t, 1, TN_TH_STRUCT));
    TN_TRY(tn_th_w_struct_begin(t));
    TN_TRY(tn_th_w_struct_end(t));
    return tn_th_w_struct_end(t);
}

int tn_pq_bloom_header_write(tn_buf *out, int32_t n_bytes, tarn_error *err)
{
    tn_th_writer t;
    tn_th_writer_init(&t, out, err);
    TN_TRY(tn_th_w_struct_begin(&t));
    TN_TRY(tn_th_w_i32(&t, 1, n_bytes));
    TN_TRY(w_union_first(&t, 2));
    TN_TRY(w_union_first(&t, 3));
    TN_TRY(w_union_first(&t, 4));
    return tn_th_w_struct_end(&t);
}

/* A union struct: which member is set (its field id), the member skipped. */
static int r_union(tn_th_reader *r, int type, int16_t *member)
{
    if (type != TN_TH_STRUCT)
        return TN_CORRUPT(r->err, "bloom filter header: a union that is not a struct");
    int16_t last = 0, id;
    int ft;
    *member = 0;
    TN_TRY(tn_th_struct_begin(r, &last));
    for (;;) {
        TN_TRY(tn_th_field(r, &last, &ft, &id));
        if (ft == TN_TH_STOP)
            break;
        if (!*member)
            *member = id;
        TN_TRY(tn_th_skip(r, ft));
    }
    tn_th_struct_end(r);
    return 0;
}

int tn_pq_bloom_header_read(const uint8_t *p, size_t n, int32_t *n_bytes, size_t *header_len, tarn_error *err)
{
    tn_th_reader r;
    tn_th_reader_init(&r, p, n, "bloom filter header", err);
    int16_t last = 0, id, alg = 0, hash = 0, comp = 0;
    int ft;
    *n_bytes = -1;
    TN_TRY(tn_th_struct_begin(&r, &last));
    for (;;) {
        TN_TRY(tn_th_field(&r, &last, &ft, &id));
        if (ft == TN_TH_STOP)
            break;
        switch (id) {
        case 1: TN_TRY(tn_th_i32(&r, ft, n_bytes)); break;
        case 2: TN_TRY(r_union(&r, ft, &alg)); break;
        case 3: TN_TRY(r_union(&r, ft, &hash)); break;
        case 4: TN_TRY(r_union(&r, ft, &comp)); break;
        default: TN_TRY(tn_th_skip(&r, ft)); break;
        }
    }
    tn_th_struct_end(&r);
    if (*n_bytes < TN_PQ_BLOOM_MIN_BYTES || *n_bytes > TN_PQ_BLOOM_MAX_BYTES || *n_bytes % 32 != 0)
        return TN_CORRUPT(err, "bloom filter header: %d bytes of bitset", *n_bytes);
    if (alg != 1 || hash != 1 || comp != 1)
        return tn_error_set(err, TARN_EUNSUPPORTED, "bloom filter: algorithm %d, hash %d, compression %d not supported",
                            alg, hash, comp);
    *header_len = tn_th_pos(&r);
    return 0;
}
