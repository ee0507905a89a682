/*
 * fuzz_parquet_file.c — libFuzzer target for a whole Parquet file in
 * memory: footer, schema tree, every column chunk, and the assembly of
 * nested arrays, through the public reader (tn_parquet_open_memory).
 */
#include "core/alloc.h"
#include "formats/parquet/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarn_set_memory_limit(256 << 20);
    tarn_error err;
    tn_reader *r;
    tn_parquet_read_options o = {.batch_size = 3, .limit = -1};
    if (tn_parquet_open_memory(data, size, "fuzz", &o, &r, &err) != 0)
        return 0;
    for (;;) {
        tn_batch *b;
        if (tn_reader_next(r, &b, &err) != 0 || !b)
            break;
        if (tn_batch_check(b, &err) != 0)
            __builtin_trap(); /* the reader made an inconsistent batch */
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    return 0;
}
