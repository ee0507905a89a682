/*
 * fuzz_ipc.c — libFuzzer target for the Arrow IPC reader: arbitrary bytes go
 * through tn_ipc_open_buffer (stream or file, detected from the bytes) and
 * every batch is read. Each batch that comes out has been validated, so its
 * values must be safe to touch: the target compares every column with a
 * slice of itself (reading every element) and writes the batches back as a
 * stream, which must read back equal. A crash, a sanitizer report, a leak
 * through tarn's allocator or an abort() here is a bug.
 */
#include <stdlib.h>

#include "arrow/ipc/ipc.h"
#include "core/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BATCHES 64

/* Null and buffer-less struct arrays may be long without taking any bytes;
 * element-wise checks look at a bounded prefix. */
#define TOUCH_MAX (1 << 16)

static bool equal_prefix(tn_array *a, tn_array *b)
{
    int64_t n = a->length < TOUCH_MAX ? a->length : TOUCH_MAX;
    if (a->length != b->length)
        return false;
    tn_array *x = tn_array_slice(a, 0, n), *y = tn_array_slice(b, 0, n);
    bool eq = !x || !y || tn_array_equals(x, y); /* no memory: nothing to compare */
    tn_array_unref(x);
    tn_array_unref(y);
    return eq;
}

static void touch(tn_batch *b)
{
    for (int32_t c = 0; c < b->schema->n_fields; c++)
        if (!equal_prefix(b->columns[c], b->columns[c]))
            abort();
}

/* Write the batches as a stream and read them back: they must be equal. */
static void round_trip(tn_schema *schema, tn_batch **batches, int n)
{
    tn_reader *in = tn_reader_from_batches(schema, batches, n);
    tn_buffer *out = NULL;
    tn_ipc_write_options o = {false, TN_IPC_UNCOMPRESSED, 0};
    if (in && tn_ipc_write_buffer(in, &o, &out, NULL) == TARN_OK) {
        tn_reader *r = NULL;
        if (tn_ipc_open_buffer(out, "round trip", &r, NULL) == TARN_OK) {
            for (int i = 0; i < n; i++) {
                tn_batch *b = NULL;
                if (tn_reader_next(r, &b, NULL) != TARN_OK || !b)
                    break;
                for (int32_t c = 0; c < schema->n_fields; c++)
                    if (!equal_prefix(b->columns[c], batches[i]->columns[c]))
                        abort();
                tn_batch_unref(b);
            }
        }
        tn_reader_free(r);
    }
    tn_buffer_unref(out);
    tn_reader_free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        tarn_set_memory_limit((int64_t)256 << 20); /* hostile sizes fail cleanly */
        once = 1;
    }
    int64_t before = tarn_memory_used();
    /* wrap the fuzzer's bytes without copying, so overreads are caught */
    tn_buffer *buf = tn_buffer_wrap(data, (int64_t)size, NULL, NULL);
    tn_reader *r = NULL;
    tarn_error err;
    if (buf && tn_ipc_open_buffer(buf, "fuzz", &r, &err) == TARN_OK) {
        tn_batch *kept[MAX_BATCHES];
        int n = 0;
        for (int i = 0; i < 1000; i++) {
            tn_batch *b = NULL;
            if (tn_reader_next(r, &b, &err) != TARN_OK || !b)
                break;
            touch(b);
            if (n < MAX_BATCHES)
                kept[n++] = b;
            else
                tn_batch_unref(b);
        }
        round_trip(r->schema, kept, n);
        for (int i = 0; i < n; i++)
            tn_batch_unref(kept[i]);
    }
    tn_reader_free(r);
    tn_buffer_unref(buf);
    if (tarn_memory_used() != before)
        abort(); /* a leak through tarn's allocator */
    return 0;
}
