/*
 * fuzz_json.c — the JSON reader over arbitrary bytes. The first byte picks
 * the error policy, the format and tiny blocks (row resumption); the rest is
 * the input. Batches must pass validation; crashes and leaks are bugs. An
 * input of odd length is also read on one thread with 16-byte blocks and on
 * four with tiny chunks, and both must give the same rows or the same error.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arrow/array.h"
#include "arrow/c_data.h"
#include "arrow/print.h"
#include "core/buf.h"
#include "formats/json/json.h"
#include "text_differential.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int open_memory(const uint8_t *data, size_t size, const void *opts, tn_reader **out, tarn_error *err)
{
    return tn_json_open_memory(data, (int64_t)size, opts, out, err);
}

/* An odd-sized input is read on one thread in 16-byte blocks and on four
 * threads with tiny chunks in the chosen blocks (text_differential.h). */
static void differential(const uint8_t *data, size_t size, tn_json_options o)
{
    tn_json_options one = o, many = o;
    one.threads = 1;
    one.block_size = 16;
    many.threads = 4;
    many.parallel_min_chunk = 8;
    fuzz_text_differential(open_memory, data, size, &one, &many);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    tn_json_options o;
    tn_json_options_init(&o);
    o.on_error = (tn_on_error)(sel % 3);
    o.format = (tn_json_format)((sel >> 2) % 3);
    o.decimal_inference = ((sel >> 2) / 3) & 1;
    if (sel & 0x20)
        o.block_size = 5 + (sel & 0x1f);
    if (sel & 0x40)
        o.sample_rows = 1;
    if (sel & 0x80)
        o.batch_size = 2;
    o.max_depth = 64;
    o.compression = TN_COMPRESSION_NONE;
    if (size & 1)
        differential(data + 1, size - 1, o);
    tn_reader *r;
    tarn_error err;
    if (tn_json_open_memory(data + 1, (int64_t)size - 1, &o, &r, &err) != 0)
        return 0;
    tn_batch *b;
    while (tn_reader_next(r, &b, &err) == 0 && b) {
        int bad = tn_batch_check(b, &err) != 0;
        for (int32_t c = 0; c < b->schema->n_fields && !bad; c++)
            bad = tn_array_validate(b->columns[c], TARN_VALIDATE_FULL, &err) != 0;
        if (bad) {
            fprintf(stderr, "invalid batch: %s\n", err.message);
            __builtin_trap();
        }
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    return 0;
}
