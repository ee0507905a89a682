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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The whole input printed as JSON lines, or the error. */
static int print_all(const uint8_t *data, size_t size, const tn_csv_options *o, tn_buf *out, tarn_error *err)
{
    tn_reader *r;
    int rc = tn_csv_open_memory(data, (int64_t)size, o, &r, err);
    if (rc != 0)
        return rc;
    tn_print_options po;
    tn_print_options_init(&po);
    po.format = TN_PRINT_JSONL;
    rc = tn_print_buf(out, r, &po, err);
    tn_reader_free(r);
    return rc;
}

/* An odd-sized input is read twice: on one thread in 16-byte blocks, and
 * on four threads with tiny chunks in the chosen blocks. The rows and the
 * error must be the same, whatever the cuts. */
static void differential(const uint8_t *data, size_t size, tn_csv_options o)
{
    tn_buf one, many;
    tn_buf_init(&one, 0);
    tn_buf_init(&many, 0);
    tarn_error e1, e2;
    int64_t block = o.block_size;
    o.threads = 1;
    o.block_size = 16; /* rows resumed across reads, never the fast paths of long buffers */
    int rc1 = print_all(data, size, &o, &one, &e1);
    o.threads = 4;
    o.block_size = block;
    o.parallel_min_chunk = 8;
    int rc2 = print_all(data, size, &o, &many, &e2);
    if (rc1 != rc2 || (rc1 == 0 && (one.len != many.len || (one.len && memcmp(one.data, many.data, one.len) != 0))) ||
        (rc1 != 0 && rc1 != TARN_ENOMEM && strcmp(e1.message, e2.message) != 0)) {
        fprintf(stderr, "one thread and four differ: rc %d vs %d\n%s\n--\n%s\n", rc1, rc2,
                rc1 ? e1.message : (const char *)one.data, rc2 ? e2.message : (const char *)many.data);
        __builtin_trap();
    }
    tn_buf_reset(&one);
    tn_buf_reset(&many);
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
