/*
 * fuzz_parquet_file.c — libFuzzer target for a whole Parquet file in
 * memory: footer, schema tree, every column chunk, and the assembly of
 * nested arrays, through the public reader (tn_parquet_open_memory), once
 * whole and once with an offset and a limit that cut inside row groups.
 */
#include "core/alloc.h"
#include "formats/parquet/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const uint8_t *data, size_t size, const tn_parquet_read_options *o)
{
    tarn_error err;
    tn_reader *r;
    if (tn_parquet_open_memory(data, size, "fuzz", o, &r, &err) != 0)
        return;
    for (;;) {
        tn_batch *b;
        if (tn_reader_next(r, &b, &err) != 0 || !b)
            break;
        if (tn_batch_check(b, &err) != 0)
            __builtin_trap(); /* the reader made an inconsistent batch */
        tn_batch_unref(b);
    }
    tn_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarn_set_memory_limit(256 << 20);
    tn_parquet_read_options all = {.batch_size = 3, .limit = -1};
    read_all(data, size, &all);
    /* offset and limit cut inside row groups */
    tn_parquet_read_options some = {.batch_size = 2, .offset = 1, .limit = 2};
    read_all(data, size, &some);
    return 0;
}
