/*
 * http.c — one HTTP exchange per call with libcurl's easy interface, and the
 * shared retry loop (see http.h). Easy handles are kept per thread so that
 * connections are reused across requests to the same host.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "store/http.h"

/* One easy handle per thread keeps connections alive between requests; the
 * key's destructor frees it when an I/O thread ends. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static pthread_key_t handle_key, nested_key;

static void free_handle(void *h)
{
    curl_easy_cleanup(h);
}

static void init_curl(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_key_create(&handle_key, free_handle);
    pthread_key_create(&nested_key, free_handle);
}

void tn_retry_policy_default(tn_retry_policy *p)
{
    p->max_retries = 10;
    p->max_elapsed_ms = 180000;
    p->base_delay_ms = 100;
    p->max_delay_ms = 15000;
    p->connect_timeout_ms = 5000;
    p->request_timeout_ms = 0;
    /* tests and impatient users shorten the schedule from the environment */
    const char *v;
    if ((v = getenv("TARN_STORE_MAX_RETRIES")) && *v)
        p->max_retries = atoi(v);
    if ((v = getenv("TARN_STORE_RETRY_BASE_MS")) && *v)
        p->base_delay_ms = atoll(v);
    if ((v = getenv("TARN_STORE_RETRY_MAX_MS")) && *v)
        p->max_delay_ms = atoll(v);
}

void tn_http_request_reset(tn_http_request *req)
{
    tn_buf_reset(&req->scratch);
    memset(req, 0, sizeof *req);
}

int tn_http_add_header(tn_http_request *req, const char *name, const char *value, tarn_error *err)
{
    if (req->n_headers == TN_HTTP_MAX_HEADERS)
        return tn_error_set(err, TARN_EINTERNAL, "too many HTTP headers");
    char *n = tn_strdup(name), *v = tn_strdup(value);
    if (!n || !v) {
        tn_free(n);
        tn_free(v);
        return tn_error_oom(err, strlen(name) + strlen(value) + 2);
    }
    req->headers[req->n_headers].name = n;
    req->headers[req->n_headers].value = v;
    req->n_headers++;
    return TARN_OK;
}

static void free_headers(tn_http_request *req)
{
    for (int i = 0; i < req->n_headers; i++) {
        tn_free((char *)req->headers[i].name);
        tn_free((char *)req->headers[i].value);
    }
    req->n_headers = 0;
}

void tn_http_response_reset(tn_http_response *resp)
{
    tn_buffer_unref(resp->body);
    for (int i = 0; i < resp->n_headers; i++) {
        tn_free((char *)resp->headers[i].name);
        tn_free((char *)resp->headers[i].value);
    }
    tn_free(resp->headers);
    memset(resp, 0, sizeof *resp);
}

const char *tn_http_header(const tn_http_response *resp, const char *lower_name)
{
    for (int i = resp->n_headers - 1; i >= 0; i--)
        if (strcmp(resp->headers[i].name, lower_name) == 0)
            return resp->headers[i].value;
    return NULL;
}

typedef struct exchange {
    CURL *h;
    tn_http_response *resp;
    const tn_http_request *req;
    bool failed_alloc;
    const uint8_t *upload;
    int64_t upload_len, upload_pos;
    int stream_rc;    /* a failure of the body source or sink: not retried */
    tarn_error *err;
} exchange;

/* Bytes of a 2xx answer go to the request's sink when it has one. */
static size_t to_sink(exchange *x, char *p, size_t len)
{
    long status = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200 && x->req->need_partial) {
        x->stream_rc = tn_error_set(x->err, TARN_ENETWORK, "%s: the service ignored the range of a resumed read",
                                    x->req->url);
        return 0;
    }
    if ((x->stream_rc = x->req->sink(x->req->sink_ctx, p, (int64_t)len, x->err)))
        return 0;
    return len;
}

static bool answer_ok(exchange *x)
{
    long status = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
    return status >= 200 && status < 300;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    exchange *x = ud;
    size_t len = size * n;
    if (x->req->sink && answer_ok(x))
        return to_sink(x, p, len);
    if (!x->resp->body) {
        /* sized once from Content-Length: growing an 8 MiB body by doubling
         * cost a copy and fresh page faults per step (a bound keeps a lying
         * header from reserving more than it sends) */
        curl_off_t cl = -1;
        curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
        x->resp->body = tn_buffer_new(0);
        if (x->resp->body && cl > 0 && cl <= (64 << 20) &&
            tn_buffer_reserve(x->resp->body, (int64_t)cl, NULL) != TARN_OK) {
            x->failed_alloc = true;
            return 0;
        }
        if (!x->resp->body) {
            x->failed_alloc = true;
            return 0;
        }
    }
    tn_buffer *b = x->resp->body;
    if (b->size + (int64_t)len > b->capacity &&
        tn_buffer_reserve(b, b->size + (int64_t)len, NULL) != TARN_OK) {
        x->failed_alloc = true;
        return 0;
    }
    memcpy(b->data + b->size, p, len);
    b->size += (int64_t)len;
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    exchange *x = ud;
    size_t len = size * n;
    char *colon = memchr(p, ':', len);
    if (!colon)
        return len;
    size_t nlen = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vlen = len - nlen - 1;
    while (vlen && (*v == ' ' || *v == '\t'))
        v++, vlen--;
    while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
        vlen--;
    tn_http_response *r = x->resp;
    tn_kv_pair *h = tn_realloc(r->headers, sizeof *h * (size_t)(r->n_headers + 1));
    char *name = tn_strndup(p, nlen), *value = tn_strndup(v, vlen);
    if (!h || !name || !value) {
        if (h)
            r->headers = h;
        tn_free(name);
        tn_free(value);
        x->failed_alloc = true;
        return 0;
    }
    for (char *c = name; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + 32);
    r->headers = h;
    h[r->n_headers].name = name;
    h[r->n_headers].value = value;
    r->n_headers++;
    return len;
}

/* Pull the next bytes of a streamed body; a source that fails or ends
 * early aborts the transfer with its own error. */
static size_t pull_upload(exchange *x, char *p, size_t want)
{
    int64_t left = x->upload_len - x->upload_pos;
    if (left <= 0)
        return 0;
    int64_t got = 0;
    x->stream_rc = x->req->body_read(x->req->body_ctx, x->upload_pos, p, left < (int64_t)want ? left : (int64_t)want,
                                     &got, x->err);
    if (!x->stream_rc && got <= 0)
        x->stream_rc = tn_error_set(x->err, TARN_EIO, "the source ended at byte %lld of %lld",
                                    (long long)x->upload_pos, (long long)x->upload_len);
    if (x->stream_rc)
        return CURL_READFUNC_ABORT;
    x->upload_pos += got;
    return (size_t)got;
}

static size_t on_upload(char *p, size_t size, size_t n, void *ud)
{
    exchange *x = ud;
    size_t want = size * n;
    if (x->req->body_read)
        return pull_upload(x, p, want);
    int64_t left = x->upload_len - x->upload_pos;
    size_t k = left < (int64_t)want ? (size_t)left : want;
    memcpy(p, x->upload + x->upload_pos, k);
    x->upload_pos += (int64_t)k;
    return k;
}

/* One attempt. Returns TARN_OK when an HTTP answer arrived. */
static int attempt(const tn_retry_policy *policy, tn_http_request *req, tn_http_response *resp, tarn_error *err)
{
    pthread_once(&curl_once, init_curl);
    /* A request made from inside another one's callback (an upload whose
     * source is itself a remote object) needs a handle of its own: the
     * thread keeps a second one for that; deeper nesting gets a throwaway. */
    static _Thread_local int depth;
    bool throwaway = depth > 1;
    pthread_key_t key = depth == 0 ? handle_key : nested_key;
    CURL *h = throwaway ? NULL : pthread_getspecific(key);
    if (!h) {
        if (!(h = curl_easy_init()))
            return tn_error_set(err, TARN_ENOMEM, "cannot create an HTTP handle");
        if (!throwaway)
            pthread_setspecific(key, h);
    }
    curl_easy_reset(h);
    exchange x = {.h = h, .resp = resp, .req = req, .upload = req->body, .upload_len = req->body_len, .err = err};
    struct curl_slist *hl = NULL;
    int rc = TARN_OK;
    for (int i = 0; i < req->n_headers; i++) {
        char line[8192];
        snprintf(line, sizeof line, "%s: %s", req->headers[i].name, req->headers[i].value);
        struct curl_slist *n = curl_slist_append(hl, line);
        if (!n) {
            curl_slist_free_all(hl);
            if (throwaway)
                curl_easy_cleanup(h);
            return tn_error_oom(err, sizeof line);
        }
        hl = n;
    }
    /* curl adds these on its own unless told not to */
    struct curl_slist *n = curl_slist_append(hl, "Expect:");
    if (n)
        hl = n;
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, policy->connect_timeout_ms);
    if (policy->request_timeout_ms)
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, policy->request_timeout_ms);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L); /* a stalled transfer is an error */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
    /* larger than curl's 16 KiB default: fewer callbacks and syscalls per GiB */
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L << 10);
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L << 10);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(req->method, "PUT") == 0 || strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
        curl_easy_setopt(h, CURLOPT_READDATA, &x);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_len);
        if (strcmp(req->method, "POST") == 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "POST");
    } else if (strcmp(req->method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    }
    depth++;
    CURLcode cc = curl_easy_perform(h);
    depth--;
    curl_slist_free_all(hl);
    if (x.stream_rc)
        rc = x.stream_rc == TARN_ENETWORK ? TARN_EIO : x.stream_rc; /* not a transport failure: no retry */
    else if (x.failed_alloc)
        rc = tn_error_oom(err, 4096);
    else if (cc != CURLE_OK)
        rc = tn_error_set(err, TARN_ENETWORK, "%s %s: %s", req->method, req->url, curl_easy_strerror(cc));
    else
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    if (throwaway)
        curl_easy_cleanup(h);
    return rc;
}

static bool retryable_status(long s)
{
    return s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Retry-After in seconds (the HTTP-date form is treated as absent). */
static int64_t retry_after_ms(const tn_http_response *r)
{
    const char *v = tn_http_header(r, "retry-after");
    if (!v || *v < '0' || *v > '9')
        return -1;
    return strtoll(v, NULL, 10) * 1000;
}

int tn_http_execute(const tn_retry_policy *policy, tn_http_build_fn build, void *ctx, tn_http_stats stats,
                    tn_http_response *resp, tarn_error *err)
{
    tn_retry_policy def;
    if (!policy) {
        tn_retry_policy_default(&def);
        policy = &def;
    }
    int64_t start = now_ms();
    static _Thread_local unsigned seed;
    if (!seed)
        seed = (unsigned)(start ^ (int64_t)pthread_self());
    memset(resp, 0, sizeof *resp);
    for (int retry = 0;; retry++) {
        tn_http_request req;
        memset(&req, 0, sizeof req);
        tn_buf_init(&req.scratch, 0);
        int rc = build(ctx, &req, err);
        if (!rc) {
            if (stats.limiter)
                tn_limiter_acquire(stats.limiter);
            if (stats.requests)
                (*stats.requests)++;
            rc = attempt(policy, &req, resp, err);
            if (stats.limiter)
                tn_limiter_release(stats.limiter, rc                                                ? TN_LIMIT_FAILED
                                                  : resp->status == 429 || resp->status == 503 ? TN_LIMIT_THROTTLED
                                                  : resp->status >= 500                        ? TN_LIMIT_FAILED
                                                                                               : TN_LIMIT_OK);
        }
        free_headers(&req);
        tn_http_request_reset(&req);
        resp->attempts = retry + 1;
        if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT || (rc && rc != TARN_ENETWORK)) {
            tn_http_response_reset(resp); /* headers of an exchange cut short */
            resp->attempts = retry + 1;
            return rc;
        }
        bool again = rc == TARN_ENETWORK || retryable_status(resp->status);
        if (!again)
            return TARN_OK;
        int64_t delay = policy->base_delay_ms << (retry < 16 ? retry : 16);
        if (delay > policy->max_delay_ms)
            delay = policy->max_delay_ms;
        delay = (int64_t)(rand_r(&seed) % (unsigned)(delay + 1)); /* full jitter */
        int64_t hint = retry_after_ms(resp);
        if (hint > delay)
            delay = hint;
        if (retry >= policy->max_retries || now_ms() - start + delay > policy->max_elapsed_ms) {
            if (rc)
                tn_http_response_reset(resp);
            resp->attempts = retry + 1;
            return rc ? rc : TARN_OK; /* give the caller the last answer */
        }
        if (stats.retries)
            (*stats.retries)++;
        if (stats.throttles && (resp->status == 429 || resp->status == 503))
            (*stats.throttles)++;
        tn_http_response_reset(resp);
        usleep((useconds_t)delay * 1000);
    }
}
