/*
 * textin.c — input buffer, reject file and batch queue of the text readers
 * (csv.c, json.c).
 */
#include "formats/csv/textin.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"

int tn_textin_refill(tn_textin *in, size_t want, tarn_error *err)
{
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, in->len - in->pos);
        in->len -= in->pos;
        in->pos = 0;
    }
    if (want > in->cap) {
        size_t nc = in->cap * 2 > want ? in->cap * 2 : want;
        uint8_t *nb = tn_realloc(in->buf, nc);
        TN_TRY_ALLOC(nb, err, nc);
        in->buf = nb;
        in->cap = nc;
    }
    while (!in->eof && in->len < want) {
        size_t got;
        TN_TRY(tn_source_read(in->src, in->buf + in->len, in->cap - in->len, &got, err));
        in->len += got;
        in->eof = got == 0;
    }
    return TARN_OK;
}

void tn_textin_free(tn_textin *in)
{
    tn_source_free(in->src);
    tn_free(in->buf);
    in->src = NULL;
    in->buf = NULL;
}

void tn_reject_file_init(tn_reject_file *f) { f->fd = -1; }

int tn_reject_append(tn_buf *rows, const char *msg, const uint8_t *raw, size_t n, tarn_error *err)
{
    TN_TRY(tn_buf_append_str(rows, msg, err));
    TN_TRY(tn_buf_append_byte(rows, '\t', err));
    TN_TRY(tn_buf_append(rows, raw, n, err));
    return tn_buf_append_byte(rows, '\n', err);
}

int tn_reject_file_flush(tn_reject_file *f, const char *path, tn_buf *rows, tarn_error *err)
{
    if (rows->len == 0)
        return TARN_OK;
    if (f->fd < 0) {
        f->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (f->fd < 0)
            return tn_error_set(err, TARN_EIO, "%s: cannot open reject file: %s", path, strerror(errno));
    }
    size_t n = rows->len;
    rows->len = 0;
    if (write(f->fd, rows->data, n) != (ssize_t)n)
        return tn_error_set(err, TARN_EIO, "%s: cannot write reject file: %s", path, strerror(errno));
    return TARN_OK;
}

void tn_reject_file_close(tn_reject_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

int tn_batch_queue_reset(tn_batch_queue *q, size_t n, tarn_error *err)
{
    if (n > q->cap) {
        tn_batch **items = tn_realloc(q->items, n * sizeof *items);
        if (!items)
            return tn_error_oom(err, n * sizeof *items);
        q->items = items;
        q->cap = n;
    }
    q->head = q->len = 0;
    return TARN_OK;
}

void tn_batch_queue_push(tn_batch_queue *q, tn_batch *b) { q->items[q->len++] = b; }

tn_batch *tn_batch_queue_pop(tn_batch_queue *q) { return q->head < q->len ? q->items[q->head++] : NULL; }

void tn_batch_queue_free(tn_batch_queue *q)
{
    for (size_t i = q->head; i < q->len; i++)
        tn_batch_unref(q->items[i]);
    tn_free(q->items);
    memset(q, 0, sizeof *q);
}

void tn_chunk_drop_batches(tn_chunk *c)
{
    for (size_t i = 0; i < c->nbatches; i++)
        tn_batch_unref(c->batches[i]);
    c->nbatches = 0;
}

int tn_chunk_hand_out(tn_chunk *c, tn_batch_queue *q, tn_reject_file *f, const char *path, int64_t *rejected,
                      tarn_error *err)
{
    for (size_t j = 0; j < c->nbatches; j++)
        tn_batch_queue_push(q, c->batches[j]);
    c->nbatches = 0;
    *rejected += c->rejected;
    return path ? tn_reject_file_flush(f, path, &c->rejects, err) : TARN_OK;
}
