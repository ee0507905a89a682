/*
 * limit.c — AIMD concurrency limit (see limit.h).
 */
#include "store/limit.h"

void tn_limiter_init(tn_limiter *l, int initial, int min, int max)
{
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->freed, NULL);
    l->min = min > 0 ? min : 1;
    l->max = max >= l->min ? max : l->min;
    l->limit = initial < l->min ? l->min : initial > l->max ? l->max : initial;
    l->in_flight = 0;
    l->successes = 0;
}

void tn_limiter_destroy(tn_limiter *l)
{
    pthread_mutex_destroy(&l->lock);
    pthread_cond_destroy(&l->freed);
}

void tn_limiter_acquire(tn_limiter *l)
{
    pthread_mutex_lock(&l->lock);
    while (l->in_flight >= l->limit)
        pthread_cond_wait(&l->freed, &l->lock);
    l->in_flight++;
    pthread_mutex_unlock(&l->lock);
}

void tn_limiter_release(tn_limiter *l, tn_limit_outcome outcome)
{
    pthread_mutex_lock(&l->lock);
    l->in_flight--;
    if (outcome == TN_LIMIT_THROTTLED) {
        l->limit = l->limit / 2 < l->min ? l->min : l->limit / 2;
        l->successes = 0;
    } else if (outcome == TN_LIMIT_OK && ++l->successes >= l->limit && l->limit < l->max) {
        l->limit++;
        l->successes = 0;
    }
    pthread_cond_broadcast(&l->freed);
    pthread_mutex_unlock(&l->lock);
}

int tn_limiter_current(tn_limiter *l)
{
    pthread_mutex_lock(&l->lock);
    int v = l->limit;
    pthread_mutex_unlock(&l->lock);
    return v;
}
