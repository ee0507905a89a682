/*
 * fuzz_parquet_index.c — libFuzzer target for the Parquet structures the
 * reader's pushdown parses from a file: the input is decoded as an
 * OffsetIndex, a ColumnIndex and a BloomFilterHeader (pageindex.c,
 * bloom.c); decoded bloom bitsets are probed, and the ARROW:schema decoder
 * takes the input as text.
 */
#include <string.h>

#include "core/alloc.h"
#include "formats/parquet/arrow_schema.h"
#include "formats/parquet/bloom.h"
#include "formats/parquet/pageindex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarn_set_memory_limit(256 << 20);
    tarn_error err;
    uint8_t *copy = tn_malloc(size + 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    copy[size] = 0;
    pq_page_loc *locs;
    int32_t n;
    if (tn_pq_offset_index_decode(copy, size, &locs, &n, &err) == 0)
        tn_free(locs);
    pq_page_bounds *b;
    if (tn_pq_column_index_decode(copy, size, &b, &n, &err) == 0) {
        for (int32_t i = 0; i < n; i++) /* bounds point into the input */
            if (b[i].min.n && (b[i].min.p < copy || b[i].min.p + b[i].min.n > copy + size))
                __builtin_trap();
        tn_free(b);
    }
    int32_t bytes;
    size_t head;
    if (tn_pq_bloom_header_read(copy, size, &bytes, &head, &err) == 0 && (size_t)bytes <= size - head)
        (void)tn_pq_bloom_check(copy + head, bytes, tn_pq_bloom_hash(copy, size));
    tn_schema *s;
    if (tn_pq_arrow_schema_decode((const char *)copy, "fuzz", &s, &err) == 0)
        tn_schema_unref(s);
    tn_free(copy);
    return 0;
}
