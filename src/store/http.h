/*
 * http.h — HTTP requests for the cloud object stores, over libcurl, with the
 * retry policy every backend shares: exponential backoff with full jitter on
 * connection errors, timeouts, 429, 500, 502, 503 and 504, honouring
 * Retry-After, bounded by a retry count and a total retry time; never a retry
 * of an answer that cannot change (400, 403, 404, 409, 412, ...).
 *
 * A request is rebuilt before every attempt through a callback, because
 * signatures carry the time and must be computed again.
 */
#ifndef TN_STORE_HTTP_H
#define TN_STORE_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "arrow/buffer.h"
#include "core/buf.h"
#include "store/limit.h"
#include "store/sigv4.h"
#include "store/store.h"

#define TN_HTTP_MAX_HEADERS 24

typedef struct tn_http_request {
    const char *method;
    char url[4096];            /* scheme://host[:port]/path?query, already encoded */
    tn_kv_pair headers[TN_HTTP_MAX_HEADERS];
    int n_headers;
    const void *body;          /* request body (PUT/POST) */
    int64_t body_len;
    tn_read_at_fn body_read;   /* or a body of body_len bytes pulled as it is sent */
    void *body_ctx;
    tn_sink_fn sink;           /* where the body of a 2xx answer goes (else resp->body) */
    void *sink_ctx;
    bool need_partial;         /* a 200 (whole object) answer to a ranged read is an error */
    tn_buf scratch;            /* owns strings the headers point into */
} tn_http_request;

typedef struct tn_http_response {
    long status;           /* 0 when no answer came */
    tn_buffer *body;       /* the body (owned), NULL when empty */
    tn_kv_pair *headers;   /* response headers, names lower-cased (owned) */
    int n_headers;
    int attempts;
} tn_http_response;

typedef struct tn_retry_policy {
    int max_retries;        /* default 10 */
    int64_t max_elapsed_ms; /* default 180000 */
    int64_t base_delay_ms;  /* default 100 */
    int64_t max_delay_ms;   /* default 15000 */
    long connect_timeout_ms; /* default 5000 */
    long request_timeout_ms; /* default 0: none (transfers may be long); low-speed limit instead */
} tn_retry_policy;

void tn_retry_policy_default(tn_retry_policy *p);

/* Fill *req for one attempt (called again before each retry). */
typedef int (*tn_http_build_fn)(void *ctx, tn_http_request *req, tarn_error *err);

typedef struct tn_http_stats {
    _Atomic int64_t *retries;   /* counters to bump, may be NULL */
    _Atomic int64_t *throttles;
    tn_limiter *limiter;        /* the store's adaptive concurrency limit, may be NULL */
    _Atomic int64_t *requests;  /* bumped for every attempt sent, may be NULL */
} tn_http_stats;

/* Perform a request with retries. A completed exchange returns TARN_OK with
 * resp->status set to whatever the server said last (the caller maps 4xx/5xx
 * to errors); transport failures that outlast the retries are TARN_ENETWORK. */
int tn_http_execute(const tn_retry_policy *policy, tn_http_build_fn build, void *ctx, tn_http_stats stats,
                    tn_http_response *resp, tarn_error *err) TN_MUST_USE;

void tn_http_request_reset(tn_http_request *req);
int tn_http_add_header(tn_http_request *req, const char *name, const char *value, tarn_error *err) TN_MUST_USE;
void tn_http_response_reset(tn_http_response *resp);
const char *tn_http_header(const tn_http_response *resp, const char *lower_name);

#endif
