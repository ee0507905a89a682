/*
 * limit.h — a concurrency limit per store that adapts to throttling, as
 * TCP does to congestion: additive increase (one more slot after `limit`
 * successful requests in a row), multiplicative decrease (halve on a 429 or
 * 503 SlowDown). Requests wait for a slot, so a throttled bucket sees fewer
 * requests at once instead of a storm of retries.
 */
#ifndef TN_STORE_LIMIT_H
#define TN_STORE_LIMIT_H

#include <pthread.h>
#include <stdbool.h>

typedef struct tn_limiter {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    int limit;     /* current concurrency limit */
    int min, max;  /* bounds of the limit */
    int in_flight;
    int successes; /* in a row, toward the next increase */
} tn_limiter;

void tn_limiter_init(tn_limiter *l, int initial, int min, int max);
void tn_limiter_destroy(tn_limiter *l);
/* Wait for a slot. */
void tn_limiter_acquire(tn_limiter *l);
typedef enum tn_limit_outcome {
    TN_LIMIT_THROTTLED = -1, /* 429 or 503: halve the limit */
    TN_LIMIT_FAILED = 0,     /* another failure: no change */
    TN_LIMIT_OK = 1          /* an answer: counts toward the next increase */
} tn_limit_outcome;

/* Give the slot back with what became of the request. */
void tn_limiter_release(tn_limiter *l, tn_limit_outcome outcome);
int tn_limiter_current(tn_limiter *l);

#endif
