/*
 * fuzz_csv.c — the CSV reader over arbitrary bytes. The first byte picks
 * options (delimiter sniffed or fixed, header, error policy, escape, tiny
 * blocks to stress row resumption); the rest is the file. Every batch must
 * pass validation; errors are fine, crashes and leaks are not. An input of
 * odd length is also read on one thread with 16-byte blocks and on four
 * with tiny chunks, and both must give the same rows or the same error (the
 * tokenizer's fast path and the parallel proofs).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arrow/array.h"
#include "arrow/c_data.h"
#include "arrow/print.h"
#include "core/buf.h"
#include "formats/csv/csv.h"
#include "text_differential.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int open_memory(const uint8_t *data, size_t size, const void *opts, tn_reader **out, tarn_error *err)
{
    return tn_csv_open_memory(data, (int64_t)size, opts, out, err);
}

/* An odd-sized input is read on one thread in 16-byte blocks and on four
 * threads with tiny chunks in the chosen blocks (text_differential.h). */
static void differential(const uint8_t *data, size_t size, tn_csv_options o)
{
    tn_csv_options one = o, many = o;
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
    tn_csv_options o;
    tn_csv_options_init(&o);
    o.on_error = (tn_on_error)(sel % 3);
    o.header = (sel >> 2) % 3 - 1;
    o.decimal_comma = ((sel >> 2) / 3) & 1; /* and then the delimiter is sniffed without ',' */
    if (((sel >> 2) / 6) & 1) {
        o.date_format = "%d/%m/%Y";
        o.timestamp_format = "%d.%m.%y %I:%M:%S.%f %p%z";
    }
    if (sel & 0x20)
        o.escape = '\\';
    if (sel & 0x40)
        o.block_size = 7 + (sel & 0x1f);
    if (sel & 0x80) {
        o.comment = "#";
        o.trim = true;
        o.batch_size = 3;
    }
    o.compression = TN_COMPRESSION_NONE;
    if (size & 1)
        differential(data + 1, size - 1, o);
    tn_reader *r;
    tarn_error err;
    if (tn_csv_open_memory(data + 1, (int64_t)size - 1, &o, &r, &err) != 0)
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
