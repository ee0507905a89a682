/*
 * textin.h — the plumbing the CSV and JSON readers share around their
 * parsers: the input buffer over a byte source (refilled keeping the unread
 * tail), the reject file rows are appended to, and the queue of batches the
 * parallel path made ahead of the caller.
 */
#ifndef TN_FORMATS_TEXTIN_H
#define TN_FORMATS_TEXTIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arrow/array.h"
#include "core/buf.h"
#include "core/error.h"
#include "formats/csv/source.h"

typedef struct tn_textin {
    tn_source *src;
    uint8_t *buf;
    size_t cap, len, pos; /* buf[pos, len) is unread */
    bool eof;
} tn_textin;

/* Move the unread bytes to the front and read until at least `want` bytes
 * are buffered or the input ends (the buffer grows to want if smaller). */
int tn_textin_refill(tn_textin *in, size_t want, tarn_error *err) TN_MUST_USE;
void tn_textin_free(tn_textin *in); /* the source and the buffer */

/* Rejected rows, appended to a file opened on first use. */
typedef struct tn_reject_file {
    int fd; /* -1 until opened */
} tn_reject_file;

void tn_reject_file_init(tn_reject_file *f);
/* One reject line into rows: "msg<TAB>raw row\n". */
int tn_reject_append(tn_buf *rows, const char *msg, const uint8_t *raw, size_t n, tarn_error *err) TN_MUST_USE;
/* Append rows (emptied) to path. */
int tn_reject_file_flush(tn_reject_file *f, const char *path, tn_buf *rows, tarn_error *err) TN_MUST_USE;
void tn_reject_file_close(tn_reject_file *f);

/* Batches handed out in order. */
typedef struct tn_batch_queue {
    tn_batch **items;
    size_t head, len, cap;
} tn_batch_queue;

/* Empty the queue (it must have been drained) and make room for n. */
int tn_batch_queue_reset(tn_batch_queue *q, size_t n, tarn_error *err) TN_MUST_USE;
/* After reset: room for the n given there. */
void tn_batch_queue_push(tn_batch_queue *q, tn_batch *b);
/* The next batch, or NULL when the queue is drained. */
tn_batch *tn_batch_queue_pop(tn_batch_queue *q);
void tn_batch_queue_free(tn_batch_queue *q); /* unrefs what was not handed out */

/* One piece of work of a reader: the rows it rejected, and on the parallel
 * path its bytes of the buffer and the batches it made. */
typedef struct tn_chunk {
    tn_buf rejects;        /* reject lines, written in order by the reader */
    int64_t rejected;
    size_t start, stop;    /* parallel: buf[start, stop) */
    size_t end;            /* parallel: where its last complete row ends */
    tn_batch **batches;    /* parallel: what it produced, in order */
    size_t nbatches, cap_batches;
} tn_chunk;

void tn_chunk_drop_batches(tn_chunk *c);
/* Move its batches to the queue (reset for them), add its rejected count,
 * and append its reject lines to path (unless NULL). */
int tn_chunk_hand_out(tn_chunk *c, tn_batch_queue *q, tn_reject_file *f, const char *path, int64_t *rejected,
                      tarn_error *err) TN_MUST_USE;

#endif
