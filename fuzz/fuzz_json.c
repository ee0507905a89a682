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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The whole input printed as JSON lines, or the error. */
static int print_all(const uint8_t *data, size_t size, const tn_json_options *o, tn_buf *out, tarn_error *err)
{
    tn_reader *r;
    int rc = tn_json_open_memory(data, (int64_t)size, o, &r, err);
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
static void differential(const uint8_t *data, size_t size, tn_json_options o)
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
