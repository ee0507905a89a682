/*
 * text_differential.h — the check fuzz_csv and fuzz_json share: an input
 * read once on one thread in 16-byte blocks (rows resumed across reads,
 * never the fast paths of long buffers) and once on four threads with tiny
 * chunks must give the same rows, printed as JSON lines, or the same error,
 * whatever the cuts. The caller passes the two option sets and how to open
 * its reader over memory.
 */
#ifndef TN_FUZZ_TEXT_DIFFERENTIAL_H
#define TN_FUZZ_TEXT_DIFFERENTIAL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arrow/array.h"
#include "arrow/print.h"
#include "core/buf.h"

typedef int (*fuzz_open_memory)(const uint8_t *data, size_t size, const void *opts, tn_reader **out,
                                tarn_error *err);

/* The whole input printed as JSON lines, or the error. */
static int fuzz_print_all(fuzz_open_memory open, const uint8_t *data, size_t size, const void *opts, tn_buf *out,
                          tarn_error *err)
{
    tn_reader *r;
    int rc = open(data, size, opts, &r, err);
    if (rc != 0)
        return rc;
    tn_print_options po;
    tn_print_options_init(&po);
    po.format = TN_PRINT_JSONL;
    rc = tn_print_buf(out, r, &po, err);
    tn_reader_free(r);
    return rc;
}

/* Traps when one_thread and four_threads (option sets) read data
 * differently. */
static void fuzz_text_differential(fuzz_open_memory open, const uint8_t *data, size_t size, const void *one_thread,
                                   const void *four_threads)
{
    tn_buf one, many;
    tn_buf_init(&one, 0);
    tn_buf_init(&many, 0);
    tarn_error e1, e2;
    int rc1 = fuzz_print_all(open, data, size, one_thread, &one, &e1);
    int rc2 = fuzz_print_all(open, data, size, four_threads, &many, &e2);
    if (rc1 != rc2 || (rc1 == 0 && (one.len != many.len || (one.len && memcmp(one.data, many.data, one.len) != 0))) ||
        (rc1 != 0 && rc1 != TARN_ENOMEM && strcmp(e1.message, e2.message) != 0)) {
        fprintf(stderr, "one thread and four differ: rc %d vs %d\n%s\n--\n%s\n", rc1, rc2,
                rc1 ? e1.message : (const char *)one.data, rc2 ? e2.message : (const char *)many.data);
        __builtin_trap();
    }
    tn_buf_reset(&one);
    tn_buf_reset(&many);
}

#endif
