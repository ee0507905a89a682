/*
 * parts.c — parallel part uploads (parts.h).
 */
#include <string.h>

#include "core/alloc.h"
#include "store/parts.h"

typedef struct job {
    uint8_t *buf;
    int64_t len;
    int index;
} job;

struct tn_parts {
    const tn_part_ops *ops;
    void *up;
    int64_t part_size;
    int conc;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    uint8_t **bufs;  /* every buffer made so far (at most conc) */
    int n_bufs;
    uint8_t **idle;  /* buffers free for the writer */
    int n_idle;
    uint8_t *cur;    /* the part being filled */
    int64_t cur_len;
    job *queue;      /* a ring of conc + 1 slots */
    int q_head, q_len;
    int in_flight;   /* taken by a thread, not done */
    char (*ids)[TN_PART_ID_MAX];
    int n_parts, cap_ids;
    pthread_t *threads;
    int n_threads;
    bool begun, stop;
    int rc;          /* the first failure */
    tarn_error err;
};

static void fail(tn_parts *p, int rc, const tarn_error *err)
{
    if (!p->rc) {
        p->rc = rc;
        if (err)
            p->err = *err;
    }
}

static void *worker(void *arg)
{
    tn_parts *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stop && p->q_len == 0)
            pthread_cond_wait(&p->changed, &p->lock);
        if (p->q_len == 0)
            break; /* stopped and drained */
        job j = p->queue[p->q_head];
        p->q_head = (p->q_head + 1) % (p->conc + 1);
        p->q_len--;
        p->in_flight++;
        bool skip = p->rc != 0; /* after a failure the rest is not sent */
        pthread_mutex_unlock(&p->lock);
        char id[TN_PART_ID_MAX] = "";
        tarn_error err;
        tarn_error_init(&err);
        int rc = skip ? TARN_OK : p->ops->part(p->up, j.index, j.buf, j.len, id, &err);
        pthread_mutex_lock(&p->lock);
        if (rc)
            fail(p, rc, &err);
        else if (!skip)
            memcpy(p->ids[j.index], id, sizeof id);
        p->idle[p->n_idle++] = j.buf;
        p->in_flight--;
        pthread_cond_broadcast(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int tn_parts_new(const tn_part_ops *ops, void *up, int64_t part_size, int concurrency, tn_parts **out,
                 tarn_error *err)
{
    *out = NULL;
    if (concurrency < 1)
        concurrency = 1;
    tn_parts *p = tn_calloc(1, sizeof *p);
    TN_TRY_ALLOC(p, err, sizeof *p);
    p->ops = ops;
    p->up = up;
    p->part_size = part_size;
    p->conc = concurrency;
    p->bufs = tn_calloc((size_t)concurrency, sizeof *p->bufs);
    p->idle = tn_calloc((size_t)concurrency, sizeof *p->idle);
    p->queue = tn_calloc((size_t)concurrency + 1, sizeof *p->queue);
    p->threads = tn_calloc((size_t)concurrency, sizeof *p->threads);
    p->cur = tn_malloc((size_t)part_size);
    if (!p->bufs || !p->idle || !p->queue || !p->threads || !p->cur) {
        tn_free(p->bufs);
        tn_free(p->idle);
        tn_free(p->queue);
        tn_free(p->threads);
        tn_free(p->cur);
        tn_free(p);
        return tn_error_oom(err, (size_t)part_size);
    }
    p->bufs[p->n_bufs++] = p->cur;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    tarn_error_init(&p->err);
    *out = p;
    return TARN_OK;
}

int tn_parts_count(const tn_parts *p)
{
    return p->n_parts;
}

/* Queue the full current part and take another buffer, waiting for one
 * while every buffer is being uploaded. */
static int flush(tn_parts *p, tarn_error *err)
{
    if (!p->begun) {
        if (p->ops->begin)
            TN_TRY(p->ops->begin(p->up, err));
        p->begun = true;
        for (int i = 0; i < p->conc; i++)
            if (pthread_create(&p->threads[p->n_threads], NULL, worker, p) == 0)
                p->n_threads++;
        if (p->n_threads == 0)
            return tn_error_set(err, TARN_EINTERNAL, "cannot start an upload thread");
    }
    pthread_mutex_lock(&p->lock);
    int rc = TARN_OK;
    if (p->n_parts == p->cap_ids) {
        int cap = p->cap_ids ? p->cap_ids * 2 : 64;
        char(*ids)[TN_PART_ID_MAX] = tn_realloc(p->ids, sizeof *ids * (size_t)cap);
        if (!ids) {
            pthread_mutex_unlock(&p->lock);
            return tn_error_oom(err, sizeof *ids * (size_t)cap);
        }
        memset(ids + p->cap_ids, 0, sizeof *ids * (size_t)(cap - p->cap_ids));
        p->ids = ids;
        p->cap_ids = cap;
    }
    p->queue[(p->q_head + p->q_len) % (p->conc + 1)] = (job){p->cur, p->cur_len, p->n_parts++};
    p->q_len++;
    p->cur = NULL;
    p->cur_len = 0;
    pthread_cond_broadcast(&p->changed);
    while (!p->rc && p->n_idle == 0 && p->n_bufs == p->conc)
        pthread_cond_wait(&p->changed, &p->lock);
    if (p->rc) {
        rc = p->rc;
        if (err)
            *err = p->err;
    } else if (p->n_idle) {
        p->cur = p->idle[--p->n_idle];
    }
    pthread_mutex_unlock(&p->lock);
    if (!rc && !p->cur) {
        p->cur = tn_malloc((size_t)p->part_size);
        TN_TRY_ALLOC(p->cur, err, (size_t)p->part_size);
        p->bufs[p->n_bufs++] = p->cur;
    }
    return rc;
}

int tn_parts_write(tn_parts *p, const void *data, int64_t n, tarn_error *err)
{
    const uint8_t *q = data;
    while (n > 0) {
        if (p->cur_len == p->part_size) { /* held back until now: more bytes follow */
            int rc = flush(p, err);
            if (rc) { /* sticky: a commit after a failed write fails too */
                pthread_mutex_lock(&p->lock);
                fail(p, rc, err);
                pthread_mutex_unlock(&p->lock);
                return rc;
            }
        }
        int64_t k = p->part_size - p->cur_len < n ? p->part_size - p->cur_len : n;
        memcpy(p->cur + p->cur_len, q, (size_t)k);
        p->cur_len += k;
        q += k;
        n -= k;
    }
    return TARN_OK;
}

/* Let the threads finish what is queued (or skip it after a failure). */
static void drain(tn_parts *p)
{
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    p->n_threads = 0;
}

static void parts_free(tn_parts *p)
{
    for (int i = 0; i < p->n_bufs; i++)
        tn_free(p->bufs[i]);
    tn_free(p->bufs);
    tn_free(p->idle);
    tn_free(p->queue);
    tn_free(p->threads);
    tn_free(p->ids);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    tn_free(p);
}

int tn_parts_commit(tn_parts *p, tarn_error *err)
{
    int rc;
    if (p->n_parts == 0 && !p->rc) {
        rc = p->ops->single(p->up, p->cur, p->cur_len, err);
        parts_free(p);
        return rc;
    }
    drain(p);
    rc = p->rc;
    if (rc && err)
        *err = p->err;
    if (!rc)
        rc = p->ops->complete(p->up, p->cur, p->cur_len, p->ids, p->n_parts, err);
    if (rc && p->ops->abort)
        p->ops->abort(p->up, p->ids, p->n_parts);
    parts_free(p);
    return rc;
}

void tn_parts_abort(tn_parts *p)
{
    pthread_mutex_lock(&p->lock);
    fail(p, TARN_ECANCELLED, NULL);
    pthread_mutex_unlock(&p->lock);
    drain(p);
    if (p->begun && p->ops->abort)
        p->ops->abort(p->up, p->ids, p->n_parts);
    parts_free(p);
}
