/*
 * cloud.c — shared pieces of the S3, Azure and GCS backends (cloud.h).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "store/cloud.h"
#include "store/sigv4.h"
#include "store/xml.h"

int tn_cloud_check(const tn_http_response *r, const char *scheme, const char *root, const char *key,
                   tarn_error *err)
{
    if (r->status >= 200 && r->status < 300)
        return TARN_OK;
    char code[128] = "", msg[512] = "";
    const char *hcode = tn_http_header(r, "x-ms-error-code");
    if (hcode)
        snprintf(code, sizeof code, "%s", hcode);
    if (r->body && r->body->size && r->body->data[0] == '{') {
        json_t *j = json_loadb((const char *)r->body->data, (size_t)r->body->size, 0, NULL);
        const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
        if (m)
            snprintf(msg, sizeof msg, ": %s", m);
        json_decref(j);
    } else if (r->body && r->body->size) {
        tn_xml doc = {(const char *)r->body->data, (const char *)r->body->data + r->body->size};
        tn_buf t;
        tn_buf_init(&t, 4096);
        if (!*code && tn_xml_text(&doc, "Code", &t, NULL) == TARN_OK)
            snprintf(code, sizeof code, "%s", (char *)t.data);
        if (tn_xml_text(&doc, "Message", &t, NULL) == TARN_OK) {
            ((char *)t.data)[strcspn((char *)t.data, "\r\n")] = '\0'; /* Azure appends request ids on new lines */
            snprintf(msg, sizeof msg, ": %s", (char *)t.data);
        }
        tn_buf_reset(&t);
    }
    if (!*code)
        snprintf(code, sizeof code, "HTTP %ld", r->status);
    int status = r->status == 404                       ? TARN_ENOTFOUND
                 : r->status == 403 || r->status == 401 ? TARN_EPERM
                 : r->status == 412 || r->status == 409 ? TARN_ECONFLICT
                 : r->status == 416 || r->status == 400 ? TARN_EINVAL
                                                        : TARN_ENETWORK;
    return tn_error_set(err, status, "%s://%s/%s: %s%s", scheme, root, key ? key : "", code, msg);
}

int tn_cloud_conflict(int rc, const tn_put_options *o, tarn_error *err)
{
    if (rc == TARN_ECONFLICT && o && o->mode == TN_PUT_CREATE)
        tn_error_prefix(err, "already exists: ");
    return rc;
}

void tn_cloud_unquote(char *etag)
{
    size_t n = strlen(etag);
    if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"') {
        memmove(etag, etag + 1, n - 2);
        etag[n - 2] = '\0';
    }
}

int64_t tn_cloud_time(const char *v)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (v && strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm))
        return (int64_t)timegm(&tm);
    memset(&tm, 0, sizeof tm);
    if (v && strptime(v, "%Y-%m-%dT%H:%M:%S", &tm))
        return (int64_t)timegm(&tm);
    return 0;
}

int tn_cloud_append_query(tn_buf *url, const tn_kv_pair *q, int n, tarn_error *err)
{
    for (int i = 0; i < n; i++) {
        TN_TRY(tn_buf_append_byte(url, i ? '&' : '?', err));
        TN_TRY(tn_uri_encode(q[i].name, false, url, err));
        TN_TRY(tn_buf_append_byte(url, '=', err));
        TN_TRY(tn_uri_encode(q[i].value, false, url, err));
    }
    return TARN_OK;
}

static int stream_sink(void *ctx, const void *p, int64_t n, tarn_error *err)
{
    tn_cloud_stream *g = ctx;
    if (g->length >= 0 && g->done + n > g->length)
        return tn_error_set(err, TARN_ENETWORK, "the service sent more than the %lld bytes asked for",
                            (long long)g->length);
    TN_TRY(g->sink(g->ctx, p, n, err));
    g->done += n;
    return TARN_OK;
}

void tn_cloud_stream_attach(tn_cloud_stream *g, tn_http_request *req, char *range, size_t cap)
{
    req->sink = stream_sink;
    req->sink_ctx = g;
    req->need_partial = g->done > 0;
    int64_t from = g->offset + g->done;
    if (g->length >= 0)
        snprintf(range, cap, "bytes=%lld-%lld", (long long)from, (long long)(g->offset + g->length - 1));
    else if (from > 0)
        snprintf(range, cap, "bytes=%lld-", (long long)from);
    else
        range[0] = '\0';
}

void tn_cloud_call_init(tn_cloud_call *c, tn_store *s, const tn_retry_policy *retry, tn_http_build_fn build,
                        const char *method, const char *key)
{
    memset(c, 0, sizeof *c);
    c->store = s;
    c->retry = retry;
    c->build = build;
    c->method = method;
    c->key = key;
    tn_buf_init(&c->url, 0);
}

void tn_cloud_add_extra(tn_cloud_call *c, const char *name, const char *value)
{
    c->extra[c->n_extra].name = name;
    c->extra[c->n_extra++].value = value;
}

void tn_cloud_add_query(tn_cloud_call *c, const char *name, const char *value)
{
    c->query[c->n_query].name = name;
    c->query[c->n_query++].value = value;
}

void tn_cloud_add_conditions(tn_cloud_call *c, const tn_put_options *o, char *buf, size_t cap)
{
    if (!o || o->mode == TN_PUT_OVERWRITE)
        return;
    if (o->mode == TN_PUT_CREATE) {
        tn_cloud_add_extra(c, "If-None-Match", "*");
    } else {
        snprintf(buf, cap, "\"%s\"", o->if_match ? o->if_match : "");
        tn_cloud_add_extra(c, "If-Match", buf);
    }
}

void tn_cloud_request_body(tn_cloud_call *c, tn_http_request *req, const char *range_header)
{
    req->method = c->method;
    req->body = c->body;
    req->body_len = c->body_len;
    req->body_read = c->body_read;
    req->body_ctx = c->body_ctx;
    if (!c->stream)
        return;
    tn_cloud_stream_attach(c->stream, req, c->range, sizeof c->range);
    /* the range only ever appears (from a whole read to a resumed one), and
     * the header points at c->range, which is rewritten before each attempt */
    if (*c->range && !c->range_added) {
        tn_cloud_add_extra(c, range_header, c->range);
        c->range_added = true;
    }
}

int tn_cloud_run(tn_cloud_call *c, tn_http_response *resp, tarn_error *err)
{
    tn_store *s = c->store;
    tn_http_stats st = {&s->metrics.retries, &s->metrics.throttles, &s->limiter, &s->metrics.requests};
    int rc = tn_http_execute(c->retry, c->build, c, st, resp, err);
    c->attempts = resp->attempts;
    if (!rc)
        rc = tn_cloud_check(resp, s->scheme, s->root, c->key, err);
    if (rc)
        tn_http_response_reset(resp);
    tn_buf_reset(&c->url);
    return rc;
}

int tn_cloud_head(tn_cloud_call *c, tn_object_meta *meta, tarn_error *err)
{
    tn_http_response r;
    TN_TRY(tn_cloud_run(c, &r, err));
    const char *len = tn_http_header(&r, "content-length"), *etag = tn_http_header(&r, "etag");
    meta->size = len ? strtoll(len, NULL, 10) : 0;
    meta->last_modified = tn_cloud_time(tn_http_header(&r, "last-modified"));
    snprintf(meta->etag, sizeof meta->etag, "%s", etag ? etag : "");
    tn_cloud_unquote(meta->etag);
    tn_http_response_reset(&r);
    return TARN_OK;
}

int tn_cloud_get_stream(tn_cloud_call *c, int64_t offset, int64_t length, tn_sink_fn sink, void *ctx,
                        tarn_error *err)
{
    if (length == 0) {
        tn_buf_reset(&c->url);
        return TARN_OK;
    }
    tn_cloud_stream g = {.offset = offset, .length = length, .sink = sink, .ctx = ctx};
    c->stream = &g;
    tn_http_response r;
    TN_TRY(tn_cloud_run(c, &r, err));
    tn_http_response_reset(&r);
    return TARN_OK;
}

/* Reading an object back next to the source of a streamed put. */
typedef struct compare {
    tn_read_at_fn read;
    void *ctx;
    int64_t at;
    bool same;
    uint8_t *buf;
} compare;

#define COMPARE_PIECE (256 << 10)

static int compare_piece(void *ctx, const void *p, int64_t n, tarn_error *err)
{
    compare *c = ctx;
    const uint8_t *q = p;
    while (n > 0 && c->same) {
        int64_t want = n < COMPARE_PIECE ? n : COMPARE_PIECE, got = 0;
        if (c->read(c->ctx, c->at, c->buf, want, &got, NULL) != TARN_OK || got <= 0 ||
            memcmp(c->buf, q, (size_t)got) != 0)
            c->same = false;
        c->at += got;
        q += got;
        n -= got;
    }
    return c->same ? TARN_OK : tn_error_set(err, TARN_ECONFLICT, "differs"); /* stops the read */
}

/* True when the object at c->key holds exactly the bytes of c's source:
 * tn_store_holds for a streamed put, compared a piece at a time. */
static bool holds_source(tn_cloud_call *c)
{
    tn_store *s = c->store;
    tn_object_meta m;
    if (s->ops->head(s, c->key, &m, NULL) != TARN_OK || m.size != c->body_len)
        return false;
    compare cmp = {c->body_read, c->body_ctx, 0, true, tn_malloc(COMPARE_PIECE)};
    if (!cmp.buf)
        return false;
    bool same = s->ops->get_stream(s, c->key, 0, -1, compare_piece, &cmp, NULL) == TARN_OK && cmp.same &&
                cmp.at == c->body_len;
    tn_free(cmp.buf);
    return same;
}

int tn_cloud_put(tn_cloud_call *c, const tn_put_options *o, tarn_error *err)
{
    tn_http_response r;
    int rc = tn_cloud_run(c, &r, err);
    if (!rc)
        tn_http_response_reset(&r);
    /* a create that conflicts after a retry is ours when the object holds
     * exactly our bytes: an earlier attempt landed before the connection failed */
    if (rc == TARN_ECONFLICT && o && o->mode == TN_PUT_CREATE && c->attempts > 1 &&
        (c->body_read ? holds_source(c) : tn_store_holds(c->store, c->key, c->body, c->body_len)))
        rc = TARN_OK;
    return tn_cloud_conflict(rc, o, err);
}

int tn_cloud_put_bytes(tn_cloud_call *c, const void *data, int64_t n, const tn_put_options *o, tarn_error *err)
{
    c->body = data;
    c->body_len = n;
    char cond[80];
    tn_cloud_add_conditions(c, o, cond, sizeof cond);
    return tn_cloud_put(c, o, err);
}

int tn_cloud_put_source(tn_cloud_call *c, int64_t size, tn_read_at_fn read, void *ctx, const tn_put_options *o,
                        tarn_error *err)
{
    c->body_len = size;
    c->body_read = read;
    c->body_ctx = ctx;
    char cond[80];
    tn_cloud_add_conditions(c, o, cond, sizeof cond);
    return tn_cloud_put(c, o, err);
}

static int pw_write(tn_store_writer *base, const void *p, int64_t n, tarn_error *err)
{
    return tn_parts_write(((tn_part_writer *)base)->parts, p, n, err);
}

static void pw_free(tn_part_writer *w)
{
    if (w->cleanup)
        w->cleanup(w);
    tn_free(w->key);
    tn_free(w->if_match);
    tn_free(w);
}

static int pw_commit(tn_store_writer *base, tarn_error *err)
{
    tn_part_writer *w = (tn_part_writer *)base;
    int rc = tn_parts_commit(w->parts, err);
    pw_free(w);
    return rc;
}

static void pw_abort(tn_store_writer *base)
{
    tn_part_writer *w = (tn_part_writer *)base;
    tn_parts_abort(w->parts);
    pw_free(w);
}

int tn_part_writer_new(size_t size, tn_store *s, const char *key, const tn_put_options *o, const tn_part_ops *ops,
                       int concurrency, void **out, tarn_error *err)
{
    *out = NULL;
    tn_part_writer *w = tn_calloc(1, size);
    TN_TRY_ALLOC(w, err, size);
    w->store = s;
    w->key = tn_strdup(key);
    if (o) {
        w->opts = *o;
        w->if_match = o->if_match ? tn_strdup(o->if_match) : NULL;
        w->opts.if_match = w->if_match;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    static _Atomic unsigned counter;
    snprintf(w->nonce, sizeof w->nonce, "%016llx%08x",
             (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec,
             (unsigned)(counter++ ^ (unsigned)getpid() << 12));
    int rc = !w->key || (o && o->if_match && !w->if_match) ? tn_error_oom(err, 256) : TARN_OK;
    if (!rc)
        rc = tn_parts_new(ops, w, s->part_size > 0 ? s->part_size : TN_DEFAULT_PART_SIZE, concurrency, &w->parts, err);
    if (rc) {
        tn_free(w->key);
        tn_free(w->if_match);
        tn_free(w);
        return rc;
    }
    w->base.write = pw_write;
    w->base.commit = pw_commit;
    w->base.abort = pw_abort;
    *out = w;
    return TARN_OK;
}

bool tn_cloud_head_has(tn_cloud_call *c, const char *header, const char *value)
{
    tn_http_response r;
    if (tn_cloud_run(c, &r, NULL) != TARN_OK)
        return false;
    const char *v = tn_http_header(&r, header);
    bool same = v && strcmp(v, value) == 0;
    tn_http_response_reset(&r);
    return same;
}
